//! What the search index reads of the database: the event log after the last
//! event it applied, and the texts of the proposals those events touched. Each
//! server keeps its own index and follows the log at its own pace.

use crate::db::{Db, on_db};
use crate::error::StoreError;

/// A proposal as the index sees it. Drafts are indexed too, so that their
/// proposers find them; lists apply each reader's visibility to the hits.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedDoc {
    pub id: i64,
    pub committee_id: i64,
    pub state: String,
    pub proposer_user_id: i64,
    pub title: String,
    pub body: String,
}

/// The records the events after some event touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    pub proposals: Vec<i64>,
    /// Public-opinion pieces.
    pub opinions: Vec<i64>,
    /// The id of the last event read.
    pub last: i64,
}

/// The proposals and pieces touched by the events after `after` (at most
/// `limit` events), and the last event read (`after` when there is none).
pub async fn changed_since(db: &Db, after: i64, limit: i64) -> Result<Changed, StoreError> {
    // Every search asks this first; while nothing was written it is answered
    // from memory (`crate::cache`).
    let rows = db
        .cached(format!("search_feed.changed_since\u{1f}{after}\u{1f}{limit}"), || async {
            Ok(on_db!(db, |c| {
                sqlx::query_as::<_, (i64, String, Option<i64>)>(
                    "SELECT id, record_type, record_id FROM events WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(c)
                .await?
            }))
        })
        .await?;
    let of = |kind: &str| {
        let mut ids: Vec<i64> = rows
            .iter()
            .filter(|r| r.1 == kind)
            .filter_map(|r| r.2)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    Ok(Changed {
        proposals: of("proposal"),
        opinions: of("opinion"),
        last: rows.last().map_or(after, |r| r.0),
    })
}

/// The texts of these proposals (those that exist).
pub async fn docs(db: &Db, ids: &[i64]) -> Result<Vec<FeedDoc>, StoreError> {
    docs_from(
        db,
        "SELECT id, committee_id, state, proposer_user_id, title, body FROM proposals",
        ids,
    )
    .await
}

/// The texts of these public-opinion pieces (those that exist); their writer
/// stands where a proposal's proposer does.
pub async fn opinion_docs(db: &Db, ids: &[i64]) -> Result<Vec<FeedDoc>, StoreError> {
    docs_from(
        db,
        "SELECT id, committee_id, state, submitter_user_id AS proposer_user_id, title, body FROM opinions",
        ids,
    )
    .await
}

async fn docs_from(db: &Db, select: &'static str, ids: &[i64]) -> Result<Vec<FeedDoc>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    // Ids come from our own event log; chunks keep each statement's
    // parameter list well inside both backends' limits.
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{select} WHERE id IN ({})", marks.join(", "));
        let rows: Vec<FeedDoc> = on_db!(db, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(c).await?
        });
        out.extend(rows);
    }
    Ok(out)
}
