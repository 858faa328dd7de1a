//! One database handle over SQLite or PostgreSQL.
//!
//! Queries are written once in the portable subset of SQL (`$1` parameters,
//! `RETURNING`, `ON CONFLICT`) and run on whichever pool is present through
//! [`on_db!`] and [`on_tx!`], which expand the same code once per backend.

use crate::cache::ReadCache;
use crate::error::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// SQLite behind two pools: many readers, and one writer so that writes in
/// this process queue instead of failing with "database is locked".
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub read: SqlitePool,
    pub write: SqlitePool,
    /// Answers of reads kept while the file is unchanged; `None` for an
    /// in-memory database or when switched off (`XIESHANG_READ_CACHE=off`).
    pub cache: Option<Arc<ReadCache>>,
}

/// The database, whichever backend it is.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// An open write transaction on either backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$c` bound to the read pool of whichever backend `$db` is.
macro_rules! on_db {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(s) => {
                let $c = &s.read;
                $body
            }
            $crate::db::Db::Postgres(p) => {
                let $c = p;
                $body
            }
        }
    };
}
pub(crate) use on_db;

/// Runs `$body` with `$c` bound to the connection of the transaction `$tx`.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Recognises `postgres://`/`postgresql://` and `sqlite:` URLs.
    pub fn of(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else {
            None
        }
    }
}

impl Db {
    /// Connects to the database a URL names. SQLite files are created when
    /// missing and run in WAL mode with foreign keys on and `synchronous=FULL`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        Self::connect_in_schema(url, None).await
    }

    /// Like [`Db::connect`], but on PostgreSQL every connection works in the
    /// given schema (tests give each test its own).
    pub async fn connect_in_schema(url: &str, schema: Option<&str>) -> Result<Db, StoreError> {
        match Backend::of(url) {
            Some(Backend::Postgres) => {
                let mut opts = PgConnectOptions::from_str(url)?;
                if let Some(s) = schema {
                    opts = opts.options([("search_path", s)]);
                }
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Ok(Db::Postgres(pool))
            }
            Some(Backend::Sqlite) => {
                let opts = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                // A file connection cannot go stale, so skip sqlx's ping before
                // each use: on SQLite it doubles the cost of a short query.
                let write = SqlitePoolOptions::new()
                    .test_before_acquire(false)
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts.clone())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .test_before_acquire(false)
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts.clone())
                    .await?;
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let off = std::env::var("XIESHANG_READ_CACHE").is_ok_and(|v| v == "off");
                let cache = if in_memory || off {
                    None
                } else {
                    match ReadCache::open(opts.get_filename()) {
                        Ok(c) => Some(Arc::new(c)),
                        Err(e) => {
                            tracing::warn!("reads will not be cached: {e}");
                            None
                        }
                    }
                };
                Ok(Db::Sqlite(SqliteDb { read, write, cache }))
            }
            None => Err(StoreError::Internal(format!(
                "unsupported database URL (use sqlite://PATH or postgres://...): {url}"
            ))),
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that a transaction never fails half-way when it
    /// first writes while another process holds the lock.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(s) => Tx::Sqlite(s.write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Starts a read-only transaction that sees one consistent snapshot: on
    /// SQLite on the read pool (a deferred transaction), so that reads never
    /// queue behind the single writer; on PostgreSQL at repeatable read
    /// (read committed, its default, gives each statement its own snapshot).
    /// A read-only transaction there never fails for serialisation.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(s) => Tx::Sqlite(s.read.begin().await?),
            Db::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// The answer of `load`, or on SQLite the same answer kept from an earlier
    /// call with the same `key` while the database has not changed since (see
    /// [`crate::cache`]). `key` must name everything the answer depends on.
    pub async fn cached<T, F, Fut>(&self, key: String, load: F) -> Result<Arc<T>, StoreError>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        match self {
            Db::Sqlite(SqliteDb {
                cache: Some(cache), ..
            }) => cache.get_or_load(key, load).await,
            _ => Ok(Arc::new(load().await?)),
        }
    }

    /// An answer [`Db::keep`] kept under `key` while the database is
    /// unchanged (SQLite only; `None` on PostgreSQL).
    pub fn kept<T: Send + Sync + 'static>(&self, key: &str) -> Option<Arc<T>> {
        match self {
            Db::Sqlite(SqliteDb {
                cache: Some(cache), ..
            }) => cache.kept(key),
            _ => None,
        }
    }

    /// Keeps `value`, worked out from what this request read, under `key`
    /// until the database changes (SQLite only); answers it shared.
    pub fn keep<T: Send + Sync + 'static>(&self, key: String, value: T) -> Arc<T> {
        match self {
            Db::Sqlite(SqliteDb {
                cache: Some(cache), ..
            }) => cache.keep(key, value),
            _ => Arc::new(value),
        }
    }

    /// Answers whether the database is reachable.
    pub async fn ping(&self) -> bool {
        on_db!(self, |c| sqlx::query_scalar::<_, i64>(
            "SELECT CAST(1 AS BIGINT)"
        )
        .fetch_one(c)
        .await
        .is_ok())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.write.close().await;
                s.read.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    /// Makes the transaction's changes permanent.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        crate::cache::unpin();
        Ok(())
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}
