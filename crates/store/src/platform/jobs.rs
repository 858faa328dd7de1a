//! Background jobs that must run once across all servers sharing a database.
//! A job runs only in the server that wins its lease: a conditional update
//! that succeeds for exactly one of them until the lease runs out.

use crate::db::{Db, on_tx};
use crate::error::StoreError;

/// How a caller wants a job's lease.
#[derive(Clone, Copy)]
enum Claim {
    /// Take it only when it is free: a new run.
    Free,
    /// Take it when free or extend it when held already: a new run.
    Hold,
    /// Extend it in the middle of a run, which is not counted as another.
    Renew,
}

/// Tries to take the lease of job `name` for `lease_micros`; true if this
/// caller won it and should run the job now.
pub async fn try_claim(
    db: &Db,
    name: &str,
    holder: &str,
    lease_micros: i64,
) -> Result<bool, StoreError> {
    claim(db, name, holder, lease_micros, Claim::Free).await
}

/// Takes the lease of job `name` for `lease_micros`, as [`try_claim`] does,
/// or extends it when `holder` has it already; true if this caller holds it
/// now and should run the job. For jobs that keep what they computed in
/// memory between runs: the server that ran one keeps it while it lives,
/// and another takes over once its lease lapses.
pub async fn hold(
    db: &Db,
    name: &str,
    holder: &str,
    lease_micros: i64,
) -> Result<bool, StoreError> {
    claim(db, name, holder, lease_micros, Claim::Hold).await
}

/// Runs `work` under the lease of job `name`, which `holder` has just
/// taken, extending it every `renew_every` for another `lease_micros` until
/// the work is done. A run can outlast its lease (the first computation of
/// a deliberation of a million participants reads every vote): without the
/// renewals another server would take the lease halfway and start the same
/// run beside it. A renewal that fails is logged; the work goes on.
pub async fn while_held<F: std::future::Future>(
    db: &Db,
    name: &str,
    holder: &str,
    lease_micros: i64,
    renew_every: std::time::Duration,
    work: F,
) -> F::Output {
    let renewals = async {
        loop {
            tokio::time::sleep(renew_every).await;
            match claim(db, name, holder, lease_micros, Claim::Renew).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(job = name, "job lease: another server took it during a run")
                }
                Err(e) => tracing::warn!(job = name, error = %e, "job lease: renewal failed"),
            }
        }
    };
    tokio::pin!(work);
    tokio::select! {
        done = &mut work => done,
        () = renewals => work.await,
    }
}

async fn claim(
    db: &Db,
    name: &str,
    holder: &str,
    lease_micros: i64,
    how: Claim,
) -> Result<bool, StoreError> {
    let now = crate::clock::now();
    let sql = match how {
        Claim::Free => {
            "UPDATE jobs SET locked_until = $1, last_run_at = $2, last_run_by = $3, runs = runs + 1
             WHERE name = $4 AND locked_until <= $2"
        }
        Claim::Hold => {
            "UPDATE jobs SET locked_until = $1, last_run_at = $2, last_run_by = $3, runs = runs + 1
             WHERE name = $4 AND (locked_until <= $2 OR last_run_by = $3)"
        }
        Claim::Renew => {
            "UPDATE jobs SET locked_until = $1, last_run_by = $3
             WHERE name = $4 AND (locked_until <= $2 OR last_run_by = $3)"
        }
    };
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO jobs (name, locked_until, runs) VALUES ($1, 0, 0) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(c)
        .await?.rows_affected()
    });
    let won = on_tx!(&mut tx, |c| sqlx::query(sql)
        .bind(now + lease_micros)
        .bind(now)
        .bind(holder)
        .bind(name)
        .execute(c)
        .await?
        .rows_affected())
        == 1;
    tx.commit().await?;
    Ok(won)
}

/// How many times a job has run, and by whom last.
pub async fn runs(db: &Db, name: &str) -> Result<(i64, Option<String>), StoreError> {
    Ok(
        crate::db::on_db!(db, |c| sqlx::query_as::<_, (i64, Option<String>)>(
            "SELECT runs, last_run_by FROM jobs WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(c)
        .await?)
        .unwrap_or((0, None)),
    )
}

/// The housekeeping job: removes expired sessions, old login failures and
/// expired idempotency keys. Returns the number of rows removed.
pub async fn housekeeping(db: &Db) -> Result<u64, StoreError> {
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let mut n = 0;
    n += on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    n += on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM login_failures WHERE at <= $1"
    )
    .bind(now - super::throttle::WINDOW_MICROS)
    .execute(c)
    .await?
    .rows_affected());
    n += on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at <= $1"
    )
    .bind(now - super::idempotency::KEEP_MICROS)
    .execute(c)
    .await?
    .rows_affected());
    tx.commit().await?;
    Ok(n)
}
