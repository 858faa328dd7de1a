//! The bodies inside a committee that share one shape: sectors (界别),
//! special committees (专门委员会), participating parties and groups
//! (参加单位) and handling units (承办单位). One table each, one code path.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::{StoreError, unique_as};
use crate::page::{Page, PageRequest};
use crate::platform::committees;
use domain::platform::{BodyInput, BodyKind, Permission};
use serde::Serialize;
use serde_json::json;
use sqlx::AssertSqlSafe;

/// A sector, special committee, party, handling unit, studio (委员工作室) or liaison group (联络组).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Body {
    pub id: i64,
    pub committee_id: i64,
    pub name: String,
    pub short_name: Option<String>,
    /// For parties and units, what sort of body it is.
    pub kind: Option<String>,
    pub sort_order: i64,
    /// Office, contact person or telephone.
    pub contact: Option<String>,
    pub active: bool,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

/// The table each kind lives in. A fixed name per kind, never user text.
pub fn table(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Sector => "sectors",
        BodyKind::SpecialCommittee => "special_committees",
        BodyKind::Party => "parties",
        BodyKind::Unit => "units",
        BodyKind::Studio => "studios",
        BodyKind::LiaisonGroup => "liaison_groups",
    }
}

/// Lists the bodies of one kind in a committee, optionally matching `q`.
pub async fn list(
    db: &Db,
    caller: &Caller,
    kind: BodyKind,
    committee_id: i64,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<Body>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let t = table(kind);
    let like = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(crate::like::contains);
    let filter = "committee_id = $1 AND ($2 IS NULL OR lower(name) LIKE $2 ESCAPE '\\' OR lower(short_name) LIKE $2 ESCAPE '\\')";
    let count_sql = format!("SELECT COUNT(*) FROM {t} WHERE {filter}");
    let list_sql =
        format!("SELECT * FROM {t} WHERE {filter} ORDER BY sort_order, id LIMIT $3 OFFSET $4");
    let (total, items) = on_db!(db, |c| {
        let total: i64 = sqlx::query_scalar(AssertSqlSafe(count_sql.clone()))
            .bind(committee_id)
            .bind(&like)
            .fetch_one(c)
            .await?;
        let items: Vec<Body> = sqlx::query_as(AssertSqlSafe(list_sql.clone()))
            .bind(committee_id)
            .bind(&like)
            .bind(page.per_page)
            .bind(page.offset())
            .fetch_all(c)
            .await?;
        (total, items)
    });
    Ok(page.of(items, total))
}

/// Every active body of one kind in a committee, for choosing in forms.
pub async fn choices(
    db: &Db,
    kind: BodyKind,
    committee_id: i64,
) -> Result<std::sync::Arc<Vec<Body>>, StoreError> {
    let sql = format!(
        "SELECT * FROM {} WHERE committee_id = $1 AND active = $2 ORDER BY sort_order, id",
        table(kind)
    );
    db.cached(
        format!("bodies.choices\u{1f}{sql}\u{1f}{committee_id}"),
        || async {
            Ok(on_db!(db, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(committee_id)
                .bind(true)
                .fetch_all(c)
                .await?))
        },
    )
    .await
}

async fn load(db: &Db, kind: BodyKind, id: i64) -> Result<Option<Body>, StoreError> {
    let sql = format!("SELECT * FROM {} WHERE id = $1", table(kind));
    Ok(on_db!(db, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(c)
        .await?))
}

async fn load_tx(tx: &mut Tx, kind: BodyKind, id: i64) -> Result<Option<Body>, StoreError> {
    let sql = format!("SELECT * FROM {} WHERE id = $1", table(kind));
    Ok(on_tx!(tx, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// One body, if the caller may see it.
pub async fn get(db: &Db, caller: &Caller, kind: BodyKind, id: i64) -> Result<Body, StoreError> {
    let b = load(db, kind, id).await?.ok_or(StoreError::NotFound)?;
    let scope = committees::scope(db, b.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    Ok(b)
}

/// Whether a body of this kind with this id exists in the committee (inside a transaction).
pub async fn exists_in(
    tx: &mut Tx,
    kind: BodyKind,
    id: i64,
    committee_id: i64,
) -> Result<bool, StoreError> {
    Ok(load_tx(tx, kind, id)
        .await?
        .is_some_and(|b| b.committee_id == committee_id))
}

/// Creates a body in a committee the caller administers.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    kind: BodyKind,
    committee_id: i64,
    input: &BodyInput,
) -> Result<Body, StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    caller.require(Permission::Administer, &scope)?;
    let f = input.validate(kind).map_err(StoreError::Invalid)?;
    let now = crate::clock::now();
    let sql = format!(
        "INSERT INTO {} (committee_id, name, short_name, kind, sort_order, contact, active, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING *",
        table(kind)
    );
    let b: Body = on_tx!(tx, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(committee_id)
        .bind(&f.name)
        .bind(&f.short_name)
        .bind(&f.kind)
        .bind(f.sort_order)
        .bind(&f.contact)
        .bind(f.active)
        .bind(now)
        .fetch_one(c)
        .await
        .map_err(unique_as("duplicate_name"))?);
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: create_action(kind),
            record_type: kind.as_str(),
            record_id: Some(b.id),
            changes: json!({"name": b.name, "short_name": b.short_name, "kind": b.kind, "sort_order": b.sort_order, "contact": b.contact, "active": b.active}),
            caller,
        },
    )
    .await?;
    Ok(b)
}

fn create_action(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Sector => "sector.create",
        BodyKind::SpecialCommittee => "special_committee.create",
        BodyKind::Party => "party.create",
        BodyKind::Unit => "unit.create",
        BodyKind::Studio => "studio.create",
        BodyKind::LiaisonGroup => "liaison_group.create",
    }
}

fn update_action(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Sector => "sector.update",
        BodyKind::SpecialCommittee => "special_committee.update",
        BodyKind::Party => "party.update",
        BodyKind::Unit => "unit.update",
        BodyKind::Studio => "studio.update",
        BodyKind::LiaisonGroup => "liaison_group.update",
    }
}

/// Edits a body; `expected_version`, when given, must match.
pub async fn update(
    db: &Db,
    caller: &Caller,
    kind: BodyKind,
    id: i64,
    input: &BodyInput,
    expected_version: Option<i64>,
) -> Result<Body, StoreError> {
    let mut tx = db.begin().await?;
    let old = load_tx(&mut tx, kind, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let scope = committees::scope_tx(&mut tx, old.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::Administer, &scope)?;
    if expected_version.is_some_and(|v| v != old.version) {
        return Err(StoreError::stale(old.version));
    }
    let f = input.validate(kind).map_err(StoreError::Invalid)?;
    let sql = format!(
        "UPDATE {} SET name = $1, short_name = $2, kind = $3, sort_order = $4, contact = $5, active = $6,
         version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9 RETURNING *",
        table(kind)
    );
    let new: Option<Body> = on_tx!(&mut tx, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(&f.name)
        .bind(&f.short_name)
        .bind(&f.kind)
        .bind(f.sort_order)
        .bind(&f.contact)
        .bind(f.active)
        .bind(crate::clock::now())
        .bind(id)
        .bind(old.version)
        .fetch_optional(c)
        .await
        .map_err(unique_as("duplicate_name"))?);
    let new = new.ok_or(StoreError::stale(old.version))?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(old.committee_id),
            action: update_action(kind),
            record_type: kind.as_str(),
            record_id: Some(id),
            changes: audit::diff(&[
                ("name", json!(old.name), json!(new.name)),
                ("short_name", json!(old.short_name), json!(new.short_name)),
                ("kind", json!(old.kind), json!(new.kind)),
                ("sort_order", json!(old.sort_order), json!(new.sort_order)),
                ("contact", json!(old.contact), json!(new.contact)),
                ("active", json!(old.active), json!(new.active)),
            ]),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}
