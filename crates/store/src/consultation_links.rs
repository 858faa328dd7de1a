//! The proposals and public-opinion pieces a consultation cites on its
//! topic (相互贯通): found by search and chosen by the consultation office;
//! each record lists the consultations that cite it.

use crate::Caller;
use crate::audit::{self, Change};
use crate::consultations;
use crate::db::{Db, on_db, on_tx};
use crate::error::{StoreError, unique_as};
use domain::consultations::State;
use serde::Serialize;
use serde_json::json;

/// What a consultation may cite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cited {
    Proposal,
    Opinion,
}

impl Cited {
    pub fn parse(s: &str) -> Option<Cited> {
        match s {
            "proposal" => Some(Cited::Proposal),
            "opinion" => Some(Cited::Opinion),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Cited::Proposal => "proposal",
            Cited::Opinion => "opinion",
        }
    }
    /// A fixed table name, never user text.
    fn table(self) -> &'static str {
        match self {
            Cited::Proposal => "proposals",
            Cited::Opinion => "opinions",
        }
    }
}

/// A cited record as the consultation lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Link {
    /// `proposal` or `opinion`.
    pub record_type: String,
    pub record_id: i64,
    pub title: String,
    pub state: String,
}

/// A consultation that cites a record.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Citing {
    pub consultation_id: i64,
    pub title: String,
    pub state: String,
}

/// The records a consultation cites, proposals first.
pub async fn of(db: &Db, consultation_id: i64) -> Result<Vec<Link>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT l.record_type, l.record_id, COALESCE(p.title, o.title, '') AS title, COALESCE(p.state, o.state, '') AS state
         FROM consultation_links l
         LEFT JOIN proposals p ON l.record_type = 'proposal' AND p.id = l.record_id
         LEFT JOIN opinions o ON l.record_type = 'opinion' AND o.id = l.record_id
         WHERE l.consultation_id = $1 ORDER BY l.record_type DESC, l.record_id"
    )
    .bind(consultation_id)
    .fetch_all(c)
    .await?
    }))
}

/// The consultations that cite a record.
pub async fn citing(db: &Db, kind: Cited, record_id: i64) -> Result<Vec<Citing>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT c.id AS consultation_id, c.title, c.state FROM consultation_links l
         JOIN consultations c ON c.id = l.consultation_id
         WHERE l.record_type = $1 AND l.record_id = $2 ORDER BY c.id"
    )
    .bind(kind.as_str())
    .bind(record_id)
    .fetch_all(c)
    .await?))
}

/// Staff cite a record of the consultation's committee that has left its
/// writer's hands (drafts are private).
pub async fn link(
    db: &Db,
    caller: &Caller,
    consultation_id: i64,
    kind: Cited,
    record_id: i64,
) -> Result<Vec<Link>, StoreError> {
    change(db, caller, consultation_id, kind, record_id, true).await
}

/// Staff take a citation back.
pub async fn unlink(
    db: &Db,
    caller: &Caller,
    consultation_id: i64,
    kind: Cited,
    record_id: i64,
) -> Result<Vec<Link>, StoreError> {
    change(db, caller, consultation_id, kind, record_id, false).await
}

async fn change(
    db: &Db,
    caller: &Caller,
    consultation_id: i64,
    kind: Cited,
    record_id: i64,
    add: bool,
) -> Result<Vec<Link>, StoreError> {
    let (c, part) = consultations::get(db, caller, consultation_id).await?;
    if part != domain::consultations::Part::Staff {
        return Err(StoreError::Forbidden);
    }
    if c.state() == State::Cancelled {
        return Err(StoreError::Conflict {
            code: "wrong_state",
            current: Some(c.state.clone()),
        });
    }
    let mut tx = db.begin().await?;
    if add {
        let sql = format!(
            "SELECT state FROM {} WHERE id = $1 AND committee_id = $2",
            kind.table()
        );
        let state: Option<String> =
            on_tx!(&mut tx, |x| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(record_id)
                .bind(c.committee_id)
                .fetch_optional(x)
                .await?);
        match state.as_deref() {
            None | Some("draft") => return Err(StoreError::invalid("record_id", "not_found")),
            Some(_) => {}
        }
        on_tx!(&mut tx, |x| {
            sqlx::query(
            "INSERT INTO consultation_links (consultation_id, record_type, record_id, linked_by_user_id, created_at)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(consultation_id)
        .bind(kind.as_str())
        .bind(record_id)
        .bind(caller.actor.user_id)
        .bind(crate::clock::now())
        .execute(x)
        .await
        .map(|_| ())
        .map_err(unique_as("already_linked"))?
        });
    } else {
        let gone = on_tx!(&mut tx, |x| {
            sqlx::query(
            "DELETE FROM consultation_links WHERE consultation_id = $1 AND record_type = $2 AND record_id = $3"
        )
        .bind(consultation_id)
        .bind(kind.as_str())
        .bind(record_id)
        .execute(x)
        .await?
        .rows_affected()
        });
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
    }
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(c.committee_id),
            action: if add {
                "consultation.link"
            } else {
                "consultation.unlink"
            },
            record_type: "consultation",
            record_id: Some(consultation_id),
            changes: json!({"record_type": kind.as_str(), "record_id": record_id}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    of(db, consultation_id).await
}

/// These records (ids from the search index, best first) as links, leaving
/// out drafts and other committees' records: the candidates to cite.
pub async fn candidates(
    db: &Db,
    committee_id: i64,
    kind: Cited,
    ids: &[i64],
) -> Result<Vec<Link>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers from our own index: safe to write into the statement.
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT '{}' AS record_type, id AS record_id, title, state FROM {}
         WHERE committee_id = $1 AND state <> 'draft' AND id IN ({})",
        kind.as_str(),
        kind.table(),
        list.join(",")
    );
    let mut found: Vec<Link> = on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(committee_id)
        .fetch_all(c)
        .await?);
    found.sort_by_key(|l| ids.iter().position(|i| *i == l.record_id));
    Ok(found)
}
