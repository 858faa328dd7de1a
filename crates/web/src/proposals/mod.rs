//! Proposals (提案): their pages and their JSON API.

pub mod api;
pub mod export;
pub mod files;
pub mod pages;

use crate::error::WebResult;
use crate::state::AppState;
use store::StoreError;
use store::proposals::{self, ProposalFilter};

/// Most hits of a full-text search that a list shows.
const MAX_HITS: usize = 2_000;
/// Longest search text accepted, in characters.
const MAX_QUERY: usize = 100;

/// A search the index can page by itself: only words (no other filter, no
/// other order) by someone who sees every submitted proposal. Answers the
/// page, best first, or `None` when the list must filter in the database.
pub(crate) async fn search_page(
    state: &AppState,
    caller: &store::Caller,
    f: &ProposalFilter,
    page: store::page::PageRequest,
) -> WebResult<Option<store::page::Page<std::sync::Arc<proposals::Proposal>>>> {
    let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    let only_words = ProposalFilter {
        committee_id: f.committee_id,
        q: f.q.clone(),
        sort: f.sort.clone().filter(|s| s == "relevance"),
        ..Default::default()
    };
    if only_words != *f || !proposals::oversees(&state.db, caller, f.committee_id).await? {
        return Ok(None);
    }
    if q.chars().count() > MAX_QUERY {
        return Err(StoreError::invalid("q", "too_long").into());
    }
    let offset = usize::try_from(page.offset()).unwrap_or(0);
    let limit = usize::try_from(page.per_page).unwrap_or(20);
    let (ids, total) = state
        .search
        .search_page(
            &state.db,
            f.committee_id,
            q,
            caller.actor.user_id,
            offset,
            limit,
        )
        .await
        .map_err(StoreError::from)?;
    let mut items = proposals::by_ids(&state.db, f.committee_id, &ids).await?;
    // A proposal returned to its proposer after the index was read is theirs again.
    let me = caller.actor.user_id;
    items.retain(|p| p.state != "draft" || p.proposer_user_id == me);
    Ok(Some(store::page::Page {
        items: items.into_iter().map(std::sync::Arc::new).collect(),
        total: total as i64,
        page: page.page,
        per_page: page.per_page,
        source: None,
    }))
}

/// Turns the filter's search text into the hits of this server's full-text
/// index, so the list keeps its other filters, visibility rules and paging.
pub(crate) async fn resolve_search(state: &AppState, f: &mut ProposalFilter) -> WebResult<()> {
    if let Some(q) = f.q.take().filter(|q| !q.trim().is_empty()) {
        if q.chars().count() > MAX_QUERY {
            return Err(StoreError::invalid("q", "too_long").into());
        }
        let hits = state
            .search
            .search(&state.db, f.committee_id, &q, MAX_HITS)
            .await
            .map_err(StoreError::from)?;
        f.ids = Some(hits);
    }
    Ok(())
}

/// How many similar proposals review shows.
pub const SIMILAR_SHOWN: usize = 5;
/// Candidates asked of the index before the year rule thins them out.
const SIMILAR_CANDIDATES: usize = 40;

/// A proposal like the one under review, with how alike the two are.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Similar {
    #[serde(flatten)]
    pub proposal: proposals::Brief,
    /// The index's relevance score: larger is more alike.
    pub score: f32,
    /// It is filed and open, so the one under review may be merged into it.
    pub absorbs: bool,
}

/// The proposals of this and earlier years most like `p`, best first: the
/// likely duplicates that review shows so that staff can merge them.
pub(crate) async fn similar_to(
    state: &AppState,
    p: &proposals::Proposal,
) -> WebResult<Vec<Similar>> {
    let hits = state
        .search
        .similar(
            &state.db,
            p.committee_id,
            &p.title,
            &p.body,
            p.id,
            SIMILAR_CANDIDATES,
        )
        .await
        .map_err(StoreError::from)?;
    let ids: Vec<i64> = hits.iter().map(|h| h.0).collect();
    let briefs = proposals::briefs(&state.db, p.committee_id, &ids).await?;
    let year = store::clock::year_of(p.created_at);
    Ok(briefs
        .into_iter()
        // Drafts and withdrawn proposals are their proposers' own.
        .filter(|b| !matches!(b.state.as_str(), "draft" | "withdrawn"))
        .filter(|b| store::clock::year_of(b.created_at) <= year)
        .filter_map(|b| {
            let score = hits.iter().find(|h| h.0 == b.id)?.1;
            Some(Similar {
                absorbs: b.absorbs(),
                proposal: b,
                score,
            })
        })
        .take(SIMILAR_SHOWN)
        .collect())
}

/// A term and session as people write them: 第十三届第二次会议, or 平时 between sessions.
pub(crate) fn session_text(t: crate::i18n::Tr, term: i64, session: i64) -> String {
    // Chinese writes them in Chinese numerals.
    let numeral = |n: i64| match t.lang {
        crate::i18n::Lang::ZhCn => domain::proposals::chinese_numeral(n),
        crate::i18n::Lang::En => n.to_string(),
    };
    if session == 0 {
        t.f("proposal.term_between", &[&numeral(term)])
    } else {
        t.f(
            "proposal.term_session",
            &[&numeral(term), &numeral(session)],
        )
    }
}
