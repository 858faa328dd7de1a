//! Committees: the tree of levels, and the scope (path to the root) that
//! every permission check of a record in a committee needs.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::{StoreError, unique_as};
use domain::platform::{CommitteeInput, Level, Permission, Scope};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// A committee (政协) at one level of the tree.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Committee {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// `national`, `regional`, `city` or `county`.
    pub level: String,
    pub name: String,
    pub short_name: Option<String>,
    /// The administrative-division code of the area it serves.
    pub region_code: Option<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

const PATH_SQL: &str = "WITH RECURSIVE up(id, parent_id, depth) AS (
        SELECT id, parent_id, 0 FROM committees WHERE id = $1
        UNION ALL
        SELECT c.id, c.parent_id, up.depth + 1 FROM committees c JOIN up ON c.id = up.parent_id
    )
    SELECT id FROM up ORDER BY depth DESC";

/// The scope of a committee (its path from the root), or `None` if it does not exist.
pub async fn scope(db: &Db, committee_id: i64) -> Result<Option<Scope>, StoreError> {
    db.cached(format!("committee.scope\u{1f}{committee_id}"), || async {
        let path: Vec<i64> = on_db!(db, |c| sqlx::query_scalar(PATH_SQL)
            .bind(committee_id)
            .fetch_all(c)
            .await?);
        Ok((!path.is_empty()).then_some(Scope { path }))
    })
    .await
    .map(|s| Option::clone(&s))
}

/// [`scope`] inside a transaction.
pub async fn scope_tx(tx: &mut Tx, committee_id: i64) -> Result<Option<Scope>, StoreError> {
    let path: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(PATH_SQL)
        .bind(committee_id)
        .fetch_all(c)
        .await?);
    Ok((!path.is_empty()).then_some(Scope { path }))
}

/// Every committee with its scope, in tree order (parents before children, by name).
pub async fn all_with_scopes(db: &Db) -> Result<Arc<Vec<(Committee, Scope)>>, StoreError> {
    db.cached("committees.all_with_scopes".into(), || load_with_scopes(db))
        .await
}

async fn load_with_scopes(db: &Db) -> Result<Vec<(Committee, Scope)>, StoreError> {
    let rows: Vec<Committee> = on_db!(db, |c| sqlx::query_as(
        "SELECT * FROM committees ORDER BY id"
    )
    .fetch_all(c)
    .await?);
    let parent: HashMap<i64, Option<i64>> = rows.iter().map(|c| (c.id, c.parent_id)).collect();
    let mut out: Vec<(Committee, Scope)> = rows
        .into_iter()
        .map(|c| {
            let mut path = vec![c.id];
            let mut at = c.parent_id;
            while let Some(p) = at {
                if path.contains(&p) || path.len() > 16 {
                    break;
                }
                path.push(p);
                at = parent.get(&p).copied().flatten();
            }
            path.reverse();
            (c, Scope { path })
        })
        .collect();
    out.sort_by(|(_, a), (_, b)| a.path.cmp(&b.path));
    Ok(out)
}

/// The committees the caller may see, in tree order.
pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<(Committee, Scope)>, StoreError> {
    Ok(all_with_scopes(db)
        .await?
        .iter()
        .filter(|(_, s)| caller.may(Permission::ReadOrganisation, s))
        .cloned()
        .collect())
}

/// The committees the caller administers, in tree order.
pub async fn administered(db: &Db, caller: &Caller) -> Result<Vec<Committee>, StoreError> {
    Ok(all_with_scopes(db)
        .await?
        .iter()
        .filter(|(_, s)| caller.may(Permission::Administer, s))
        .map(|(c, _)| c.clone())
        .collect())
}

/// One committee, if the caller may see it.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Committee, StoreError> {
    let scope = scope(db, id).await?.ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let row: Option<Committee> = on_db!(db, |c| sqlx::query_as(
        "SELECT * FROM committees WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?);
    row.ok_or(StoreError::NotFound)
}

async fn load_tx(tx: &mut Tx, id: i64) -> Result<Option<Committee>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT * FROM committees WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Creates a committee. Only the system may create a root; a child needs an
/// admin of its parent or of a committee above it.
pub async fn create(
    db: &Db,
    caller: &Caller,
    input: &CommitteeInput,
) -> Result<Committee, StoreError> {
    let mut tx = db.begin().await?;
    let c = create_in(&mut tx, caller, input).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`create`] inside an open transaction.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    input: &CommitteeInput,
) -> Result<Committee, StoreError> {
    let parent_level = match input.parent_id {
        Some(pid) => {
            let scope = scope_tx(tx, pid)
                .await?
                .ok_or_else(|| StoreError::invalid("parent_id", "not_found"))?;
            caller.require(Permission::Administer, &scope)?;
            let parent = load_tx(tx, pid).await?.ok_or(StoreError::NotFound)?;
            Level::parse(&parent.level)
        }
        None if caller.is_system() => None,
        None => return Err(StoreError::invalid("parent_id", "required")),
    };
    let form = input.validate(parent_level).map_err(StoreError::Invalid)?;
    let now = crate::clock::now();
    let c: Committee = on_tx!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO committees (parent_id, level, name, short_name, region_code, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING *"
    )
    .bind(form.parent_id)
    .bind(form.level.as_str())
    .bind(&form.name)
    .bind(&form.short_name)
    .bind(&form.region_code)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(unique_as("duplicate_name"))?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(c.id),
            action: "committee.create",
            record_type: "committee",
            record_id: Some(c.id),
            changes: json!({"name": c.name, "level": c.level, "parent_id": c.parent_id, "short_name": c.short_name, "region_code": c.region_code}),
            caller,
        },
    )
    .await?;
    Ok(c)
}

/// Edits a committee's name, short name, level and region code. The parent
/// cannot change (moving a committee would move its records' scope).
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &CommitteeInput,
    expected_version: Option<i64>,
) -> Result<Committee, StoreError> {
    let mut tx = db.begin().await?;
    let scope = scope_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    caller.require(Permission::Administer, &scope)?;
    let old = load_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    if expected_version.is_some_and(|v| v != old.version) {
        return Err(StoreError::stale(old.version));
    }
    if input.parent_id.is_some() && input.parent_id != old.parent_id {
        return Err(StoreError::invalid("parent_id", "cannot_change"));
    }
    let parent_level = match old.parent_id {
        Some(p) => load_tx(&mut tx, p)
            .await?
            .and_then(|p| Level::parse(&p.level)),
        None => None,
    };
    let form = input.validate(parent_level).map_err(StoreError::Invalid)?;
    let child_levels: Vec<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT level FROM committees WHERE parent_id = $1"
    )
    .bind(id)
    .fetch_all(c)
    .await?);
    if child_levels
        .iter()
        .filter_map(|l| Level::parse(l))
        .any(|l| !form.level.may_contain(l))
    {
        return Err(StoreError::invalid("level", "level_above_children"));
    }
    let now = crate::clock::now();
    let new: Option<Committee> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "UPDATE committees SET level = $1, name = $2, short_name = $3, region_code = $4, version = version + 1, updated_at = $5
         WHERE id = $6 AND version = $7 RETURNING *"
    )
    .bind(form.level.as_str())
    .bind(&form.name)
    .bind(&form.short_name)
    .bind(&form.region_code)
    .bind(now)
    .bind(id)
    .bind(old.version)
    .fetch_optional(c)
    .await
    .map_err(unique_as("duplicate_name"))?
    });
    let new = new.ok_or(StoreError::stale(old.version))?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(id),
            action: "committee.update",
            record_type: "committee",
            record_id: Some(id),
            changes: audit::diff(&[
                ("name", json!(old.name), json!(new.name)),
                ("short_name", json!(old.short_name), json!(new.short_name)),
                ("level", json!(old.level), json!(new.level)),
                (
                    "region_code",
                    json!(old.region_code),
                    json!(new.region_code),
                ),
            ]),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}
