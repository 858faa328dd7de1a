//! The tantivy index of proposals: one document per proposal that has left its
//! proposer's hands, holding its id, its committee and the grams of its title and
//! body. Texts themselves stay in the database.

use crate::grams::{self, QueryPart};
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The tokenizer of every text field: our grams arrive separated by spaces.
const TOKENIZER: &str = "whitespace";
/// Memory the writer may buffer before it flushes a segment.
const WRITER_BUDGET: usize = 32 * 1024 * 1024;
/// Grams of a proposal that a similarity query asks for, the most telling first.
const SIMILARITY_TERMS: usize = 160;

/// The records the index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Proposal,
    /// A public-opinion piece.
    Opinion,
}

impl DocKind {
    fn code(self) -> u64 {
        match self {
            DocKind::Proposal => 0,
            DocKind::Opinion => 1,
        }
    }
}

/// One record's document key: ids of the two kinds may be equal.
fn key(kind: DocKind, id: i64) -> u64 {
    uid(id) * 2 + kind.code()
}

/// What the index holds of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDoc {
    pub kind: DocKind,
    pub id: i64,
    pub committee_id: i64,
    /// The lifecycle state and the proposer: drafts are found only by theirs.
    pub state: String,
    pub proposer_user_id: i64,
    pub title: String,
    pub body: String,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    key: Field,
    committee: Field,
    draft: Field,
    proposer: Field,
    title_uni: Field,
    title_bi: Field,
    body_uni: Field,
    body_bi: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |positions: bool| {
        let record = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(record),
        )
    };
    let f = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        kind: b.add_u64_field("kind", INDEXED),
        key: b.add_u64_field("key", INDEXED),
        committee: b.add_u64_field("committee", INDEXED),
        // 1 for a draft, 0 otherwise.
        draft: b.add_u64_field("draft", INDEXED),
        proposer: b.add_u64_field("proposer", INDEXED),
        title_uni: b.add_text_field("title_uni", text(false)),
        title_bi: b.add_text_field("title_bi", text(true)),
        body_uni: b.add_text_field("body_uni", text(false)),
        body_bi: b.add_text_field("body_bi", text(true)),
    };
    (b.build(), f)
}

/// Ids are positive database ids; tantivy's numeric fields are unsigned.
fn uid(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(0)
}

/// The proposal index and its single writer.
pub struct ProposalIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
    /// The last event applied (also kept in the index's commit payload).
    applied: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for ProposalIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProposalIndex")
    }
}

impl ProposalIndex {
    /// An index in memory, rebuilt from the database at start (tests, small sites).
    pub fn in_ram() -> tantivy::Result<Self> {
        let (schema, f) = schema();
        Self::with(Index::create_in_ram(schema), f)
    }

    /// The index kept in `dir`, created when missing. An index written with
    /// another schema (an older release) is thrown away and rebuilt.
    pub fn open(dir: &Path) -> tantivy::Result<Self> {
        let (schema, f) = schema();
        std::fs::create_dir_all(dir)?;
        let index = match Index::open_in_dir(dir) {
            Ok(i) if i.schema() == schema => i,
            Ok(_) | Err(tantivy::TantivyError::OpenDirectoryError(_)) => {
                Self::wipe(dir)?;
                Index::create_in_dir(dir, schema)?
            }
            Err(tantivy::TantivyError::OpenReadError(_)) => Index::create_in_dir(dir, schema)?,
            Err(e) => {
                tracing::warn!(error = %e, "search index unreadable; rebuilding it");
                Self::wipe(dir)?;
                Index::create_in_dir(dir, schema)?
            }
        };
        Self::with(index, f)
    }

    fn wipe(dir: &Path) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let p = entry?.path();
            if p.is_file() {
                std::fs::remove_file(p)?;
            }
        }
        Ok(())
    }

    fn with(index: Index, f: Fields) -> tantivy::Result<Self> {
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let applied = index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        Ok(ProposalIndex {
            reader,
            writer: Mutex::new(writer),
            f,
            applied: std::sync::atomic::AtomicI64::new(applied),
        })
    }

    /// The last event applied, as recorded with the last commit (0 for a new index).
    pub fn applied(&self) -> i64 {
        self.applied.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Replaces the documents of the `changed` proposals with `docs` (a changed
    /// id without a doc is removed) and records `last_event` as applied.
    pub fn apply(
        &self,
        changed: &[i64],
        docs: &[IndexDoc],
        last_event: i64,
    ) -> tantivy::Result<()> {
        let keys: Vec<(DocKind, i64)> = changed.iter().map(|&id| (DocKind::Proposal, id)).collect();
        self.apply_records(&keys, docs, last_event)
    }

    /// Replaces the documents of the `changed` records with `docs` (a changed
    /// record without a doc is removed) and records `last_event` as applied,
    /// in one commit.
    pub fn apply_records(
        &self,
        changed: &[(DocKind, i64)],
        docs: &[IndexDoc],
        last_event: i64,
    ) -> tantivy::Result<()> {
        let f = self.f;
        let mut w = self
            .writer
            .lock()
            .map_err(|_| tantivy::TantivyError::InternalError("index writer poisoned".into()))?;
        for (kind, id) in changed {
            w.delete_term(Term::from_field_u64(f.key, key(*kind, *id)));
        }
        for d in docs {
            let mut doc = TantivyDocument::default();
            doc.add_u64(f.id, uid(d.id));
            doc.add_u64(f.kind, d.kind.code());
            doc.add_u64(f.key, key(d.kind, d.id));
            doc.add_u64(f.committee, uid(d.committee_id));
            doc.add_u64(f.draft, u64::from(d.state == "draft"));
            doc.add_u64(f.proposer, uid(d.proposer_user_id));
            let t = grams::grams(&d.title);
            let b = grams::grams(&d.body);
            doc.add_text(f.title_uni, t.unigrams.join(" "));
            doc.add_text(f.title_bi, t.bigrams.join(" "));
            doc.add_text(f.body_uni, b.unigrams.join(" "));
            doc.add_text(f.body_bi, b.bigrams.join(" "));
            w.add_document(doc)?;
        }
        let mut commit = w.prepare_commit()?;
        commit.set_payload(&last_event.to_string());
        commit.commit()?;
        drop(w);
        self.reader.reload()?;
        self.applied
            .store(last_event, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// The query for the committee's proposals whose title or body holds
    /// every part of `q`; `None` when `q` has no words.
    fn text_query(
        &self,
        kind: DocKind,
        committee_id: i64,
        q: &str,
    ) -> Option<Vec<(Occur, Box<dyn Query>)>> {
        let parts = grams::query_parts(q);
        if parts.is_empty() {
            return None;
        }
        let f = self.f;
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.committee, uid(committee_id)),
                    IndexRecordOption::Basic,
                )),
            ),
            (Occur::Must, self.kind_query(kind)),
        ];
        for part in parts {
            // Each part may be found in the title or in the body; titles count triple.
            let either = |title: Box<dyn Query>, body: Box<dyn Query>| -> Box<dyn Query> {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, Box::new(BoostQuery::new(title, 3.0))),
                    (Occur::Should, body),
                ]))
            };
            let q = match part {
                QueryPart::Unigram(u) => {
                    either(term_query(f.title_uni, &u), term_query(f.body_uni, &u))
                }
                QueryPart::Phrase(pairs) => either(
                    phrase_query(f.title_bi, &pairs),
                    phrase_query(f.body_bi, &pairs),
                ),
            };
            must.push((Occur::Must, q));
        }
        Some(must)
    }

    fn kind_query(&self, kind: DocKind) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_u64(self.f.kind, kind.code()),
            IndexRecordOption::Basic,
        ))
    }

    /// Ids of the committee's proposals whose title or body holds every part
    /// of `q`, best first, at most `limit`.
    pub fn search(&self, committee_id: i64, q: &str, limit: usize) -> tantivy::Result<Vec<i64>> {
        self.search_kind(DocKind::Proposal, committee_id, q, limit)
    }

    /// Ids of the committee's records of one kind whose title or body holds
    /// every part of `q`, best first, at most `limit`.
    pub fn search_kind(
        &self,
        kind: DocKind,
        committee_id: i64,
        q: &str,
        limit: usize,
    ) -> tantivy::Result<Vec<i64>> {
        match self.text_query(kind, committee_id, q) {
            Some(must) if limit > 0 => self.top_ids(&BooleanQuery::new(must), limit),
            _ => Ok(Vec::new()),
        }
    }

    /// One page of the hits a reader who sees every submitted proposal (and
    /// their own drafts) may see, best first, with the number of all such hits.
    pub fn search_page(
        &self,
        committee_id: i64,
        q: &str,
        viewer: i64,
        offset: usize,
        limit: usize,
    ) -> tantivy::Result<(Vec<i64>, usize)> {
        let Some(mut must) = self.text_query(DocKind::Proposal, committee_id, q) else {
            return Ok((Vec::new(), 0));
        };
        let f = self.f;
        let not_draft: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_u64(f.draft, 0),
            IndexRecordOption::Basic,
        ));
        let own: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_u64(f.proposer, uid(viewer)),
            IndexRecordOption::Basic,
        ));
        must.push((
            Occur::Must,
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, not_draft),
                (Occur::Should, own),
            ])),
        ));
        let searcher = self.reader.searcher();
        let collector = (
            TopDocs::with_limit(limit.max(1))
                .and_offset(offset)
                .order_by_score(),
            tantivy::collector::Count,
        );
        let (top, total) = searcher.search(&BooleanQuery::new(must), &collector)?;
        let ids = self
            .ids_of(&searcher, top)?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        Ok((ids, total))
    }

    /// The committee's proposals most like this title and body, best first,
    /// with their scores; `exclude` (the proposal itself) is left out.
    pub fn similar(
        &self,
        committee_id: i64,
        title: &str,
        body: &str,
        exclude: i64,
        limit: usize,
    ) -> tantivy::Result<Vec<(i64, f32)>> {
        let f = self.f;
        let searcher = self.reader.searcher();
        let n = searcher.num_docs().max(1) as f32;
        // Weigh each distinct pair by how often the text uses it and how rare
        // it is in the index, and ask for the most telling ones.
        // Figures and Latin words (ASCII unigrams) count as well: a reworded
        // text keeps its numbers.
        let mut weights: std::collections::HashMap<(Field, String), f32> = Default::default();
        for (is_title, text) in [(true, title), (false, body)] {
            let g = grams::grams(text);
            let (uni, bi) = if is_title {
                (f.title_uni, f.title_bi)
            } else {
                (f.body_uni, f.body_bi)
            };
            for b in g.bigrams {
                *weights.entry((bi, b)).or_default() += 1.0;
            }
            for u in g.unigrams.into_iter().filter(|u| u.is_ascii()) {
                *weights.entry((uni, u)).or_default() += 1.0;
            }
        }
        let mut scored = Vec::with_capacity(weights.len());
        for ((field, g), tf) in weights {
            let is_title = field == f.title_uni || field == f.title_bi;
            let term = Term::from_field_text(field, &g);
            let df = searcher.doc_freq(&term)? as f32;
            let idf = (n / (df + 1.0)).ln().max(0.05);
            let w = tf.sqrt() * idf * if is_title { 2.0 } else { 1.0 };
            scored.push((w, term));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(SIMILARITY_TERMS);
        if scored.is_empty() {
            return Ok(Vec::new());
        }
        let should: Vec<(Occur, Box<dyn Query>)> = scored
            .into_iter()
            .map(|(w, t)| {
                let q: Box<dyn Query> = Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
                    w,
                ));
                (Occur::Should, q)
            })
            .collect();
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.committee, uid(committee_id)),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (Occur::Must, Box::new(BooleanQuery::new(should))),
            (Occur::Must, self.kind_query(DocKind::Proposal)),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.key, key(DocKind::Proposal, exclude)),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        self.ids_of(&searcher, top)
    }

    fn top_ids(&self, query: &dyn Query, limit: usize) -> tantivy::Result<Vec<i64>> {
        let searcher = self.reader.searcher();
        let top = searcher.search(query, &TopDocs::with_limit(limit).order_by_score())?;
        Ok(self
            .ids_of(&searcher, top)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    fn ids_of(
        &self,
        searcher: &tantivy::Searcher,
        top: Vec<(f32, tantivy::DocAddress)>,
    ) -> tantivy::Result<Vec<(i64, f32)>> {
        // One id column per segment, opened once, not once per hit.
        let mut columns: std::collections::HashMap<u32, tantivy::columnar::Column<u64>> =
            std::collections::HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .u64("id")?,
                ),
            };
            if let Some(id) = column.first(addr.doc_id) {
                out.push((i64::try_from(id).unwrap_or(0), score));
            }
        }
        Ok(out)
    }

    /// How many proposals the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no proposal.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A run of pairs found in this order, next to each other: the exact word.
fn phrase_query(field: Field, pairs: &[String]) -> Box<dyn Query> {
    if pairs.len() == 1 {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, &pairs[0]),
            IndexRecordOption::WithFreqs,
        ));
    }
    Box::new(PhraseQuery::new(
        pairs
            .iter()
            .map(|p| Term::from_field_text(field, p))
            .collect(),
    ))
}
