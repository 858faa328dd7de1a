//! Chinese full-text search and similar-text lookup over proposals: a tantivy
//! index of character grams (see [`grams`]), kept current from the event log
//! (see [`Search::sync`]). Each server keeps its own index; none is shared.

pub mod grams;
mod index;

pub use index::{DocKind, IndexDoc, ProposalIndex};
use std::sync::Arc;
use store::{Db, StoreError, search_feed};

/// Events read from the log per step of a sync.
const FEED_BATCH: i64 = 5_000;

/// Why the index could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("search task: {0}")]
    Task(String),
}

impl From<SearchError> for StoreError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Store(s) => s,
            other => StoreError::Internal(other.to_string()),
        }
    }
}

/// The index with what keeps it current; cheap to clone.
#[derive(Debug, Clone)]
pub struct Search {
    index: Arc<ProposalIndex>,
    /// One sync at a time: two would apply the same events twice.
    syncing: Arc<tokio::sync::Mutex<()>>,
}

impl Search {
    pub fn new(index: ProposalIndex) -> Self {
        Search {
            index: Arc::new(index),
            syncing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// An index in memory (tests, and servers that rebuild at start).
    pub fn in_ram() -> Result<Self, SearchError> {
        Ok(Self::new(ProposalIndex::in_ram()?))
    }

    pub fn index(&self) -> &ProposalIndex {
        &self.index
    }

    /// Applies the events written since the last sync; returns how many
    /// proposals changed. Cheap when nothing happened: one indexed read.
    pub async fn sync(&self, db: &Db) -> Result<usize, SearchError> {
        let _one = self.syncing.lock().await;
        let mut changed_total = 0;
        loop {
            let after = self.index.applied();
            let changed = search_feed::changed_since(db, after, FEED_BATCH).await?;
            let last = changed.last;
            if last == after {
                return Ok(changed_total);
            }
            let as_doc = |kind: DocKind| {
                move |d: search_feed::FeedDoc| IndexDoc {
                    kind,
                    id: d.id,
                    committee_id: d.committee_id,
                    state: d.state,
                    proposer_user_id: d.proposer_user_id,
                    title: d.title,
                    body: d.body,
                }
            };
            let mut docs: Vec<IndexDoc> = search_feed::docs(db, &changed.proposals)
                .await?
                .into_iter()
                .map(as_doc(DocKind::Proposal))
                .collect();
            docs.extend(
                search_feed::opinion_docs(db, &changed.opinions)
                    .await?
                    .into_iter()
                    .map(as_doc(DocKind::Opinion)),
            );
            let keys: Vec<(DocKind, i64)> = changed
                .proposals
                .iter()
                .map(|&id| (DocKind::Proposal, id))
                .chain(changed.opinions.iter().map(|&id| (DocKind::Opinion, id)))
                .collect();
            changed_total += keys.len();
            let index = self.index.clone();
            tokio::task::spawn_blocking(move || index.apply_records(&keys, &docs, last))
                .await
                .map_err(|e| SearchError::Task(e.to_string()))??;
        }
    }

    /// Ids of the committee's proposals matching `q`, best first (after a sync).
    pub async fn search(
        &self,
        db: &Db,
        committee_id: i64,
        q: &str,
        limit: usize,
    ) -> Result<Vec<i64>, SearchError> {
        self.sync(db).await?;
        Ok(self.index.search(committee_id, q, limit)?)
    }

    /// Ids of the committee's public-opinion pieces matching `q`, best first
    /// (after a sync). Lists apply each reader's visibility to the hits.
    pub async fn search_opinions(
        &self,
        db: &Db,
        committee_id: i64,
        q: &str,
        limit: usize,
    ) -> Result<Vec<i64>, SearchError> {
        self.sync(db).await?;
        Ok(self
            .index
            .search_kind(DocKind::Opinion, committee_id, q, limit)?)
    }

    /// One page of hits for a reader who sees all submitted proposals and
    /// their own drafts, best first, with the number of hits (after a sync).
    pub async fn search_page(
        &self,
        db: &Db,
        committee_id: i64,
        q: &str,
        viewer: i64,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<i64>, usize), SearchError> {
        self.sync(db).await?;
        Ok(self
            .index
            .search_page(committee_id, q, viewer, offset, limit)?)
    }

    /// The proposals most like this one, best first (after a sync).
    pub async fn similar(
        &self,
        db: &Db,
        committee_id: i64,
        title: &str,
        body: &str,
        exclude: i64,
        limit: usize,
    ) -> Result<Vec<(i64, f32)>, SearchError> {
        self.sync(db).await?;
        Ok(self
            .index
            .similar(committee_id, title, body, exclude, limit)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, committee_id: i64, title: &str, body: &str) -> IndexDoc {
        IndexDoc {
            kind: DocKind::Proposal,
            id,
            committee_id,
            state: if id == 9 { "draft" } else { "submitted" }.into(),
            proposer_user_id: id * 10,
            title: title.into(),
            body: body.into(),
        }
    }

    #[test]
    fn a_page_of_hits_leaves_out_others_drafts_and_counts_all() {
        let idx = ProposalIndex::in_ram().unwrap();
        let docs: Vec<IndexDoc> = (1..=9)
            .map(|i| doc(i, 1, &format!("关于养老服务的建议{i}"), "养老服务"))
            .collect();
        let ids: Vec<i64> = (1..=9).collect();
        idx.apply(&ids, &docs, 5).unwrap();
        // Proposal 9 is a draft by user 90.
        let (page, total) = idx.search_page(1, "养老服务", 12, 0, 5).unwrap();
        assert_eq!((page.len(), total), (5, 8));
        let (rest, _) = idx.search_page(1, "养老服务", 12, 5, 5).unwrap();
        assert_eq!(rest.len(), 3);
        assert!(!page.contains(&9) && !rest.contains(&9));
        let (_, theirs) = idx.search_page(1, "养老服务", 90, 0, 20).unwrap();
        assert_eq!(theirs, 9);
    }

    #[test]
    fn words_are_found_inside_sentences_and_only_whole() {
        let idx = ProposalIndex::in_ram().unwrap();
        idx.apply(
            &[1, 2, 3, 4],
            &[
                doc(
                    1,
                    7,
                    "关于加快养老服务体系建设的建议",
                    "建议扩大普惠养老床位供给。",
                ),
                doc(
                    2,
                    7,
                    "关于改善农村饮水的建议",
                    "部分村庄的老人服务站缺少护理人员。",
                ),
                doc(
                    3,
                    7,
                    "关于发展5G产业的建议",
                    "推进5G基站建设，培育数字经济。",
                ),
                doc(4, 8, "另一政协的养老服务提案", "养老服务"),
            ],
            42,
        )
        .unwrap();
        assert_eq!(idx.applied(), 42);
        assert_eq!(idx.search(7, "养老服务", 10).unwrap(), vec![1]);
        // "老人服务" has 老 and 服务 but not the word "养老服务": not a match.
        assert_eq!(idx.search(7, "护理人员", 10).unwrap(), vec![2]);
        assert_eq!(idx.search(7, "床位 普惠", 10).unwrap(), vec![1]);
        assert_eq!(idx.search(7, "5g 基站", 10).unwrap(), vec![3]);
        assert_eq!(idx.search(7, "养老院", 10).unwrap(), Vec::<i64>::new());
        assert_eq!(idx.search(8, "养老服务", 10).unwrap(), vec![4]);
        // A replaced document is found by its new text only; a removed one not at all.
        idx.apply(
            &[1, 3],
            &[doc(1, 7, "关于社区食堂的建议", "办好老年食堂。")],
            43,
        )
        .unwrap();
        assert!(idx.search(7, "养老服务", 10).unwrap().is_empty());
        assert_eq!(idx.search(7, "食堂", 10).unwrap(), vec![1]);
        assert!(idx.search(7, "基站", 10).unwrap().is_empty());
        assert_eq!(idx.len(), 3);
    }

    #[test]
    fn the_reworded_twin_is_the_most_similar() {
        let idx = ProposalIndex::in_ram().unwrap();
        let docs = [
            doc(
                1,
                1,
                "关于加强城区停车设施建设的建议",
                "我市老城区停车位缺口大，建议利用边角地建设立体停车库，推行错时共享停车。",
            ),
            doc(
                2,
                1,
                "关于加强农村饮用水安全保障的建议",
                "部分山区村庄饮用水水质不稳定，建议实施农村供水提质工程。",
            ),
            doc(
                3,
                1,
                "关于推进老城区停车设施建设的建议",
                "老城区停车位缺口较大，建议利用边角空地建设立体停车库，推行错时共享停车模式。",
            ),
            doc(
                4,
                1,
                "关于完善城区公交线网的建议",
                "建议优化公交线路，加密高峰班次，建设城区停车换乘点。",
            ),
        ];
        idx.apply(&[1, 2, 3, 4], &docs, 1).unwrap();
        let top = idx.similar(1, &docs[0].title, &docs[0].body, 1, 5).unwrap();
        assert_eq!(top[0].0, 3, "{top:?}");
        assert!(top.iter().all(|(id, _)| *id != 1));
    }

    #[test]
    fn an_index_on_disk_remembers_what_it_applied() {
        let dir = std::env::temp_dir().join(format!("xs-search-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let idx = ProposalIndex::open(&dir).unwrap();
            idx.apply(&[5], &[doc(5, 1, "关于垃圾分类的建议", "推进垃圾分类")], 99)
                .unwrap();
        }
        let idx = ProposalIndex::open(&dir).unwrap();
        assert_eq!(
            (idx.applied(), idx.search(1, "垃圾分类", 5).unwrap()),
            (99, vec![5])
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn proposals_and_pieces_with_the_same_id_are_kept_apart() {
        let idx = ProposalIndex::in_ram().unwrap();
        let piece = |id: i64, title: &str| IndexDoc {
            kind: DocKind::Opinion,
            ..doc(id, 1, title, "群众反映")
        };
        idx.apply_records(
            &[
                (DocKind::Proposal, 1),
                (DocKind::Opinion, 1),
                (DocKind::Opinion, 2),
            ],
            &[
                doc(1, 1, "关于养老服务的建议", "养老"),
                piece(1, "养老服务站缺护理员"),
                piece(2, "学校周边交通拥堵"),
            ],
            3,
        )
        .unwrap();
        assert_eq!(idx.search(1, "养老", 10).unwrap(), vec![1]);
        assert_eq!(
            idx.search_kind(DocKind::Opinion, 1, "护理员", 10).unwrap(),
            vec![1]
        );
        assert_eq!(
            idx.search_kind(DocKind::Opinion, 1, "交通", 10).unwrap(),
            vec![2]
        );
        // Removing the piece leaves the proposal of the same id alone.
        idx.apply_records(&[(DocKind::Opinion, 1)], &[], 4).unwrap();
        assert!(
            idx.search_kind(DocKind::Opinion, 1, "养老", 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(idx.search(1, "养老", 10).unwrap(), vec![1]);
        assert!(
            idx.similar(1, "养老服务站缺护理员", "群众反映", 0, 10)
                .unwrap()
                .iter()
                .all(|(id, _)| *id == 1),
            "similar proposals are proposals"
        );
    }
}
