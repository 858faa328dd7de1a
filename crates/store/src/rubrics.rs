//! A committee's quality rubric for consultations (质量评价): its own
//! criteria and weights, or the default when it has set none. Staff of the
//! consultation office set it; each evaluation keeps the weights it was
//! given under.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::platform::committees;
use domain::consultations::{self as rules, Criterion};
use domain::platform::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A criterion with its label (empty for the default's, which the pages
/// name in the reader's language).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RubricRow {
    pub criterion: String,
    #[serde(default)]
    pub label: String,
    pub weight: i64,
}

/// The committee's rubric, or the default.
pub async fn of(db: &Db, committee_id: i64) -> Result<Vec<RubricRow>, StoreError> {
    let rows: Vec<(String, String, i64)> = on_db!(db, |c| {
        sqlx::query_as(
        "SELECT criterion, label, weight FROM rubric_criteria WHERE committee_id = $1 ORDER BY position"
    )
    .bind(committee_id)
    .fetch_all(c)
    .await?
    });
    Ok(rows_or_default(rows))
}

/// The committee's rubric for a caller who may read the committee.
pub async fn read(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
) -> Result<Vec<RubricRow>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    of(db, committee_id).await
}

fn rows_or_default(rows: Vec<(String, String, i64)>) -> Vec<RubricRow> {
    if rows.is_empty() {
        return rules::RUBRIC
            .iter()
            .map(|(c, w)| RubricRow {
                criterion: (*c).into(),
                label: String::new(),
                weight: *w,
            })
            .collect();
    }
    rows.into_iter()
        .map(|(criterion, label, weight)| RubricRow {
            criterion,
            label,
            weight,
        })
        .collect()
}

/// The rubric's criteria, inside a transaction.
pub(crate) async fn of_tx(tx: &mut Tx, committee_id: i64) -> Result<Vec<Criterion>, StoreError> {
    let rows: Vec<(String, String, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT criterion, label, weight FROM rubric_criteria WHERE committee_id = $1 ORDER BY position"
    )
    .bind(committee_id)
    .fetch_all(c)
    .await?
    });
    Ok(rows_or_default(rows)
        .into_iter()
        .map(|r| Criterion {
            criterion: r.criterion,
            weight: r.weight,
        })
        .collect())
}

/// Sets the committee's rubric (consultation office). Labels are required
/// for criteria the default does not name.
pub async fn set(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    rows: &[RubricRow],
) -> Result<Vec<RubricRow>, StoreError> {
    let mut tx = db.begin().await?;
    crate::consultations::require_office(&mut tx, caller, committee_id).await?;
    let criteria: Vec<Criterion> = rows
        .iter()
        .map(|r| Criterion {
            criterion: r.criterion.trim().to_string(),
            weight: r.weight,
        })
        .collect();
    rules::check_rubric(&criteria).map_err(StoreError::Invalid)?;
    let mut labels = Vec::new();
    for (r, c) in rows.iter().zip(&criteria) {
        let known = rules::RUBRIC.iter().any(|(k, _)| *k == c.criterion);
        let label = r.label.trim();
        if label.is_empty() && !known {
            return Err(StoreError::invalid("label", "required"));
        }
        if label.chars().count() > 50 {
            return Err(StoreError::invalid("label", "too_long"));
        }
        labels.push(label.to_string());
    }
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM rubric_criteria WHERE committee_id = $1"
    )
    .bind(committee_id)
    .execute(c)
    .await
    .map(|_| ())?);
    for (i, (c, label)) in criteria.iter().zip(&labels).enumerate() {
        on_tx!(&mut tx, |x| {
            sqlx::query(
            "INSERT INTO rubric_criteria (committee_id, criterion, label, weight, position) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(committee_id)
        .bind(&c.criterion)
        .bind(label)
        .bind(c.weight)
        .bind(i as i64)
        .execute(x)
        .await
        .map(|_| ())?
        });
    }
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(committee_id),
            action: "rubric.set",
            record_type: "committee",
            record_id: Some(committee_id),
            changes: json!({"criteria": criteria, "labels": labels}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    of(db, committee_id).await
}
