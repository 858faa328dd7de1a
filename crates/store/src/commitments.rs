//! The commitment checklist of a proposal (清单式管理): the concrete promises
//! in its answers, each ticked off with evidence, so that "answered" and
//! "done" are not confused. Lead units list and tick their own; the proposals
//! office may list and tick any.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_tx};
use crate::error::StoreError;
use crate::proposals::{self, Proposal};
use domain::proposals::{Part, State};
use serde::Serialize;
use serde_json::json;

/// Longest commitment and evidence texts.
const MAX_TEXT: usize = 1_000;
const MAX_EVIDENCE: usize = 5_000;
/// Most items on one proposal.
const MAX_ITEMS: i64 = 50;

/// One item of the checklist.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Commitment {
    pub id: i64,
    pub proposal_id: i64,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub text: String,
    pub done: bool,
    pub evidence: Option<String>,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<i64>,
    pub version: i64,
}

const COLUMNS: &str = "c.id, c.proposal_id, c.unit_id, u.name AS unit_name, c.text, c.done, c.evidence, c.done_at, c.version";

/// The unit the caller acts for on this checklist (`None` for the proposals
/// office), or why they may not.
async fn acting_for(
    tx: &mut Tx,
    caller: &Caller,
    p: &Proposal,
    part: Part,
) -> Result<Option<i64>, StoreError> {
    let unit = match part {
        Part::Staff => None,
        Part::Unit => match proposals::acting_unit(tx, caller, p).await? {
            Some((unit, role)) if role == "lead" => Some(unit),
            _ => return Err(StoreError::Forbidden),
        },
        _ => return Err(StoreError::Forbidden),
    };
    if !matches!(
        p.state(),
        State::Assigned | State::InHandling | State::Answered | State::Evaluated | State::Closed
    ) {
        return Err(StoreError::Conflict {
            code: "wrong_state",
            current: Some(p.state.clone()),
        });
    }
    Ok(unit)
}

async fn one(tx: &mut Tx, id: i64) -> Result<Commitment, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM proposal_commitments c LEFT JOIN units u ON u.id = c.unit_id WHERE c.id = $1"
    );
    on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?
    })
    .ok_or(StoreError::NotFound)
}

/// The checklist of a proposal the caller may read.
pub async fn of_proposal(
    db: &Db,
    caller: &Caller,
    proposal_id: i64,
) -> Result<Vec<Commitment>, StoreError> {
    let mut tx = db.begin_read().await?;
    proposals::load_visible(&mut tx, caller, proposal_id).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM proposal_commitments c LEFT JOIN units u ON u.id = c.unit_id
         WHERE c.proposal_id = $1 ORDER BY c.id"
    );
    let rows = on_tx!(&mut tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(proposal_id)
            .fetch_all(c)
            .await?
    });
    tx.commit().await?;
    Ok(rows)
}

/// Adds a commitment to the checklist.
pub async fn add(
    db: &Db,
    caller: &Caller,
    proposal_id: i64,
    text: &str,
) -> Result<Commitment, StoreError> {
    let mut tx = db.begin().await?;
    let c = add_in(&mut tx, caller, proposal_id, text).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`add`] inside an open transaction.
pub async fn add_in(
    tx: &mut Tx,
    caller: &Caller,
    proposal_id: i64,
    text: &str,
) -> Result<Commitment, StoreError> {
    let mut e = domain::validate::Errors::default();
    let text = e.required_prose("text", text, MAX_TEXT);
    e.finish().map_err(StoreError::Invalid)?;
    let (p, part) = proposals::load_visible(tx, caller, proposal_id).await?;
    let unit = acting_for(tx, caller, &p, part).await?;
    let count: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM proposal_commitments WHERE proposal_id = $1")
            .bind(p.id)
            .fetch_one(c)
            .await?
    });
    if count >= MAX_ITEMS {
        return Err(StoreError::invalid("text", "too_many"));
    }
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO proposal_commitments (proposal_id, unit_id, text, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(p.id)
        .bind(unit)
        .bind(&text)
        .bind(caller.actor.user_id)
        .bind(crate::clock::now())
        .fetch_one(c)
        .await?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "proposal.add_commitment",
            record_type: "proposal",
            record_id: Some(p.id),
            changes: json!({"commitment_id": id, "text": text}),
            caller,
        },
    )
    .await?;
    one(tx, id).await
}

/// Ticks a commitment off with its evidence; `expected` is the version the
/// change is based on.
pub async fn complete(
    db: &Db,
    caller: &Caller,
    id: i64,
    evidence: &str,
    expected: Option<i64>,
) -> Result<Commitment, StoreError> {
    let mut tx = db.begin().await?;
    let c = complete_in(&mut tx, caller, id, evidence, expected).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`complete`] inside an open transaction.
pub async fn complete_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    evidence: &str,
    expected: Option<i64>,
) -> Result<Commitment, StoreError> {
    let mut e = domain::validate::Errors::default();
    let evidence = e.required_prose("evidence", evidence, MAX_EVIDENCE);
    e.finish().map_err(StoreError::Invalid)?;
    let item = one(tx, id).await?;
    let (p, part) = proposals::load_visible(tx, caller, item.proposal_id).await?;
    let unit = acting_for(tx, caller, &p, part).await?;
    if unit.is_some() && item.unit_id.is_some() && unit != item.unit_id {
        return Err(StoreError::Forbidden);
    }
    if item.done {
        return Err(StoreError::Conflict {
            code: "already_done",
            current: None,
        });
    }
    if expected.is_some_and(|v| v != item.version) {
        return Err(StoreError::stale(item.version));
    }
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE proposal_commitments SET done = $1, evidence = $2, done_by = $3, done_at = $4, version = version + 1
             WHERE id = $5 AND version = $6",
        )
        .bind(true)
        .bind(&evidence)
        .bind(caller.actor.user_id)
        .bind(crate::clock::now())
        .bind(id)
        .bind(item.version)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n != 1 {
        return Err(StoreError::stale(item.version));
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "proposal.complete_commitment",
            record_type: "proposal",
            record_id: Some(p.id),
            changes: json!({"commitment_id": id, "evidence": evidence}),
            caller,
        },
    )
    .await?;
    one(tx, id).await
}
