//! Login throttling, per account name and per address, kept in the database
//! so that every server sees the same counts. The account key is kept for
//! names that do not exist too, so the answer never reveals which exist.

use crate::db::{Db, on_db};
use crate::error::StoreError;

/// Failures within this window count.
pub const WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;
/// Failures allowed before attempts are slowed.
pub const FREE_FAILURES: i64 = 5;

/// The throttle keys of an attempt: the account name, then the address.
pub fn keys(username: &str, ip: Option<&str>) -> Vec<String> {
    let mut k = vec![format!("user:{username}")];
    if let Some(ip) = ip {
        k.push(format!("ip:{ip}"));
    }
    k
}

/// How long after the last failure a key is locked, given its failure count:
/// 30 s after the fifth, doubling with each further failure, at most 15 minutes.
pub fn lock_micros(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(10) as u32;
    (30_000_000i64 << doublings).min(WINDOW_MICROS)
}

/// Seconds to wait before another attempt is allowed, if any of the keys is locked.
pub async fn wait_seconds(db: &Db, keys: &[String]) -> Result<Option<i64>, StoreError> {
    let now = crate::clock::now();
    let mut wait = 0i64;
    for k in keys {
        let (count, last): (i64, Option<i64>) = on_db!(db, |c| sqlx::query_as(
            "SELECT COUNT(*), MAX(at) FROM login_failures WHERE key = $1 AND at > $2"
        )
        .bind(k)
        .bind(now - WINDOW_MICROS)
        .fetch_one(c)
        .await?);
        if let Some(last) = last {
            let until = last + lock_micros(count);
            wait = wait.max(until - now);
        }
    }
    Ok((wait > 0).then(|| (wait + 999_999) / 1_000_000))
}

/// Records a failed attempt under every key.
pub async fn record_failure(db: &Db, keys: &[String]) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let now = crate::clock::now();
    for k in keys {
        crate::db::on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO login_failures (key, at) VALUES ($1, $2)"
        )
        .bind(k)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
    }
    tx.commit().await
}

/// Forgets the failures of these keys (after a successful login).
pub async fn clear(db: &Db, keys: &[String]) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    for k in keys {
        crate::db::on_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM login_failures WHERE key = $1"
        )
        .bind(k)
        .execute(c)
        .await?
        .rows_affected());
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_after_five_failures_and_are_capped() {
        assert_eq!(lock_micros(4), 0);
        assert_eq!(lock_micros(5), 30_000_000);
        assert_eq!(lock_micros(6), 60_000_000);
        assert_eq!(lock_micros(50), WINDOW_MICROS);
    }
}
