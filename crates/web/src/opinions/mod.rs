//! Public-opinion information (社情民意信息): pieces and bulletin issues.

pub mod api;
pub mod export;
pub mod pages;

use crate::error::WebResult;
use crate::state::AppState;
use store::StoreError;
use store::opinions::OpinionFilter;

/// Most hits of a full-text search that a list shows.
const MAX_HITS: usize = 2_000;
/// Longest search text accepted, in characters.
const MAX_QUERY: usize = 100;

/// Turns the filter's search text into the hits of this server's Chinese
/// full-text index, so the list keeps its other filters and visibility rules.
pub(crate) async fn resolve_search(state: &AppState, f: &mut OpinionFilter) -> WebResult<()> {
    if let Some(q) = f.q.take().filter(|q| !q.trim().is_empty()) {
        if q.chars().count() > MAX_QUERY {
            return Err(StoreError::invalid("q", "too_long").into());
        }
        let hits = state
            .search
            .search_opinions(&state.db, f.committee_id, &q, MAX_HITS)
            .await
            .map_err(StoreError::from)?;
        f.ids = Some(hits);
    }
    Ok(())
}
