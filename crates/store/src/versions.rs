//! Optimistic concurrency: a record's version moves on with every change,
//! and a change made on a version that has since moved is refused as stale.

use crate::db::{Tx, on_tx};
use crate::error::StoreError;

/// The tables whose rows carry a version and an `updated_at`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Versioned {
    Consultations,
    Deliberations,
    Meetings,
    Plans,
    SupervisionTopics,
}

impl Versioned {
    fn sql(self) -> &'static str {
        match self {
            Versioned::Consultations => {
                "UPDATE consultations SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
            }
            Versioned::Deliberations => {
                "UPDATE deliberations SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
            }
            Versioned::Meetings => {
                "UPDATE meetings SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
            }
            Versioned::Plans => {
                "UPDATE plans SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
            }
            Versioned::SupervisionTopics => {
                "UPDATE supervision_topics SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
            }
        }
    }
}

/// Moves row `id`'s version on from `read`, or answers stale when another
/// change moved it first.
pub(crate) async fn bump(
    tx: &mut Tx,
    table: Versioned,
    id: i64,
    read: i64,
) -> Result<(), StoreError> {
    let sql = table.sql();
    let moved = on_tx!(tx, |c| sqlx::query(sql)
        .bind(crate::clock::now())
        .bind(id)
        .bind(read)
        .execute(c)
        .await?
        .rows_affected());
    if moved == 0 {
        return Err(StoreError::stale(read + 1));
    }
    Ok(())
}
