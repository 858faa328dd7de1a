//! Idempotency keys: a create request that carries an `Idempotency-Key`
//! header is answered once; a retry with the same key gets the first answer
//! and creates nothing new. The key is stored in the same transaction as the
//! record it created, so a crash can never leave one without the other.

use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use serde::Serialize;

/// A client's idempotency key for one request.
#[derive(Debug, Clone)]
pub struct IdemKey {
    pub user_id: i64,
    pub key: String,
    /// The method and path the key was first used with.
    pub route: String,
}

/// How long a key is remembered.
pub const KEEP_MICROS: i64 = 24 * 3600 * 1_000_000;

/// The first answer under this key, if there was one. A key reused for
/// another route is a conflict.
pub async fn lookup(db: &Db, k: &IdemKey) -> Result<Option<(u16, String)>, StoreError> {
    let row: Option<(String, i64, String)> = on_db!(db, |c| sqlx::query_as(
        "SELECT route, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2"
    )
    .bind(k.user_id)
    .bind(&k.key)
    .fetch_optional(c)
    .await?);
    match row {
        Some((route, _, _)) if route != k.route => Err(StoreError::Conflict {
            code: "idempotency_key_reused",
            current: None,
        }),
        Some((_, status, body)) => Ok(Some((u16::try_from(status).unwrap_or(200), body))),
        None => Ok(None),
    }
}

/// Runs a create under an optional key: replays the first answer when the
/// key was seen, otherwise creates and remembers the answer in the same
/// transaction.
pub async fn create_with<T: Serialize>(
    db: &Db,
    key: Option<&IdemKey>,
    create: impl AsyncFnOnce(&mut Tx) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if let Some(k) = key
        && let Some((status, body)) = lookup(db, k).await?
    {
        return Err(StoreError::Replay { status, body });
    }
    let mut tx = db.begin().await?;
    let record = create(&mut tx).await?;
    if let Some(k) = key {
        let body =
            serde_json::to_string(&record).map_err(|e| StoreError::Internal(e.to_string()))?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, route, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(k.user_id)
        .bind(&k.key)
        .bind(&k.route)
        .bind(201i64)
        .bind(&body)
        .bind(crate::clock::now())
        .execute(c)
        .await
        .map_err(crate::error::unique_as("idempotency_key_in_use"))?.rows_affected()
        });
    }
    tx.commit().await?;
    Ok(record)
}
