//! Consistent copies of a live SQLite database. `VACUUM INTO` reads one
//! snapshot inside a read transaction, so writers carry on while it runs and
//! the copy holds exactly the committed state at its start.

use crate::db::Db;
use crate::error::StoreError;
use std::path::Path;

/// Writes a consistent copy of the database to `dest`, which must not exist.
pub async fn sqlite_copy(db: &Db, dest: &Path) -> Result<(), StoreError> {
    let Db::Sqlite(s) = db else {
        return Err(StoreError::Internal(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)".into(),
        ));
    };
    if dest.exists() {
        return Err(StoreError::Internal(format!(
            "{} already exists",
            dest.display()
        )));
    }
    let dest = dest
        .to_str()
        .ok_or_else(|| StoreError::Internal("backup path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest)
        .execute(&s.read)
        .await?;
    Ok(())
}
