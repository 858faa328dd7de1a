//! Schema migrations, embedded in the binary: the same file names for both
//! backends, applied in order, each once, each in its own transaction.

use crate::db::{Db, on_db};
use crate::error::StoreError;

/// One migration: its name and its SQL for SQLite and for PostgreSQL.
pub struct Migration {
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($name:literal) => {
        Migration {
            name: $name,
            sqlite: include_str!(concat!("../../../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../../../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration, in the order it is applied.
pub const MIGRATIONS: &[Migration] = &[
    migration!("0001_platform"),
    migration!("0002_proposals"),
    migration!("0003_proposal_records"),
    migration!("0004_opinions"),
    migration!("0005_citizen_voice"),
    migration!("0006_opinion_list_index"),
    migration!("0007_consultations"),
    migration!("0008_consultation_work"),
    migration!("0009_deliberations"),
    migration!("0010_deliberation_consultation"),
    migration!("0011_opinion_proposal_indexes"),
    migration!("0012_deliberation_grouping"),
    migration!("0013_deliberation_tallies"),
    migration!("0014_proposal_deadline_index"),
    migration!("0015_deliberation_opinion_group"),
];

/// A key for PostgreSQL's advisory lock, so that several servers starting
/// together apply each migration once.
const RECORD: &str = "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)";

const LOCK_KEY: i64 = 0x5869_6573_6861_6e67; // "Xieshang"

/// Applies every migration not yet applied; returns the names applied now.
pub async fn run(db: &Db) -> Result<Vec<&'static str>, StoreError> {
    const CREATE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";
    let mut applied_now = Vec::new();
    match db {
        Db::Sqlite(s) => {
            let mut conn = s.write.acquire().await?;
            sqlx::query(CREATE).execute(&mut *conn).await?;
            for m in MIGRATIONS {
                let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
                let done: Option<String> =
                    sqlx::query_scalar("SELECT name FROM schema_migrations WHERE name = $1")
                        .bind(m.name)
                        .fetch_optional(&mut *tx)
                        .await?;
                if done.is_none() {
                    sqlx::raw_sql(m.sqlite).execute(&mut *tx).await?;
                    sqlx::query(RECORD)
                        .bind(m.name)
                        .bind(crate::clock::now())
                        .execute(&mut *tx)
                        .await?;
                    applied_now.push(m.name);
                }
                tx.commit().await?;
            }
        }
        Db::Postgres(p) => {
            let mut conn = p.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            let result: Result<(), StoreError> = async {
                sqlx::query(CREATE).execute(&mut *conn).await?;
                for m in MIGRATIONS {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    let done: Option<String> =
                        sqlx::query_scalar("SELECT name FROM schema_migrations WHERE name = $1")
                            .bind(m.name)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if done.is_none() {
                        sqlx::raw_sql(m.postgres).execute(&mut *tx).await?;
                        sqlx::query(RECORD)
                            .bind(m.name)
                            .bind(crate::clock::now())
                            .execute(&mut *tx)
                            .await?;
                        applied_now.push(m.name);
                    }
                    tx.commit().await?;
                }
                Ok(())
            }
            .await;
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            result?;
        }
    }
    Ok(applied_now)
}

/// The names of the migrations already applied.
pub async fn applied(db: &Db) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT name FROM schema_migrations ORDER BY name"
    )
    .fetch_all(c)
    .await?))
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;
    use crate::db::Db;

    /// SQLite's plan for a query, its steps joined.
    async fn plan(db: &Db, sql: &'static str) -> String {
        let Db::Sqlite(s) = db else {
            panic!("not SQLite")
        };
        // The test's own fixed text, no input in it.
        let text = sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}"));
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(text)
            .fetch_all(&s.write)
            .await
            .expect("plan");
        rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ")
    }

    #[tokio::test]
    async fn what_a_proposal_page_asks_of_the_pieces_uses_an_index() {
        let dir = std::env::temp_dir().join(format!("xieshang-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let url = format!("sqlite://{}", dir.join("plan.db").display());
        let db = Db::connect(&url).await.expect("connect");
        super::run(&db).await.expect("migrate");
        let how = plan(&db, "SELECT id FROM opinions WHERE lead_proposal_id = 1").await;
        assert!(how.contains("opinions_lead_proposal"), "{how}");
        let how = plan(&db, "SELECT id FROM opinions WHERE source_proposal_id = 1").await;
        assert!(how.contains("opinions_source_proposal"), "{how}");
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn names(dir: &str) -> Vec<String> {
        let path = format!("{}/../../migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut v: Vec<String> = std::fs::read_dir(path)
            .expect("migrations folder")
            .filter_map(|e| e.ok())
            .map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .trim_end_matches(".sql")
                    .to_string()
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn both_backends_have_the_same_migrations_and_all_are_embedded() {
        let sqlite = names("sqlite");
        assert_eq!(sqlite, names("postgres"));
        let embedded: Vec<String> = MIGRATIONS.iter().map(|m| m.name.to_string()).collect();
        assert_eq!(sqlite, embedded);
    }
}
