//! Members (委员): their profiles, listed, created and edited.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::platform::{bodies, committees};
use domain::members::MemberInput;
use domain::platform::{BodyKind, Permission};
use serde::Serialize;
use serde_json::json;
use sqlx::AssertSqlSafe;

/// A member's profile.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub committee_id: i64,
    /// The member's user account, if they have one.
    pub user_id: Option<i64>,
    pub name: String,
    /// `male` or `female`.
    pub gender: String,
    pub ethnicity: String,
    pub birth_year: i64,
    /// Political affiliation code (`cpc`, `jiusan`, `non_partisan`, ...).
    pub affiliation: String,
    pub sector_id: Option<i64>,
    pub sector_name: Option<String>,
    pub special_committee_id: Option<i64>,
    pub special_committee_name: Option<String>,
    pub occupation: Option<String>,
    /// The committee term (届) the member serves in.
    pub term: i64,
    /// Whether the member sits on the standing committee (常委).
    pub standing: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

const SELECT: &str = "SELECT m.*, s.name AS sector_name, sc.name AS special_committee_name
    FROM members m LEFT JOIN sectors s ON s.id = m.sector_id LEFT JOIN special_committees sc ON sc.id = m.special_committee_id";

/// Filters of the member list.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub committee_id: i64,
    /// Matches name or occupation.
    pub q: Option<String>,
    pub sector_id: Option<i64>,
    pub special_committee_id: Option<i64>,
    pub affiliation: Option<String>,
    pub active: Option<bool>,
    /// `name`, `birth_year`, `-birth_year` or `id` (the default).
    pub sort: Option<String>,
}

fn order_by(sort: Option<&str>) -> &'static str {
    match sort {
        Some("name") => "m.name, m.id",
        Some("birth_year") => "m.birth_year, m.id",
        Some("-birth_year") => "m.birth_year DESC, m.id",
        Some("-name") => "m.name DESC, m.id",
        _ => "m.id",
    }
}

/// Lists members of a committee.
pub async fn list(
    db: &Db,
    caller: &Caller,
    f: &MemberFilter,
    page: PageRequest,
) -> Result<Page<Member>, StoreError> {
    let scope = committees::scope(db, f.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadPeople, &scope)?;
    let like =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(crate::like::contains);
    let filter = "m.committee_id = $1 AND ($2 IS NULL OR lower(m.name) LIKE $2 ESCAPE '\\' OR lower(m.occupation) LIKE $2 ESCAPE '\\')
        AND ($3 IS NULL OR m.sector_id = $3) AND ($4 IS NULL OR m.special_committee_id = $4)
        AND ($5 IS NULL OR m.affiliation = $5) AND ($6 IS NULL OR m.active = $6)";
    let count_sql = format!("SELECT COUNT(*) FROM members m WHERE {filter}");
    let list_sql = format!(
        "{SELECT} WHERE {filter} ORDER BY {} LIMIT $7 OFFSET $8",
        order_by(f.sort.as_deref())
    );
    let key = format!(
        "members.list\u{1f}{list_sql}\u{1f}{:?}",
        (
            f.committee_id,
            &like,
            f.sector_id,
            f.special_committee_id,
            &f.affiliation,
            f.active,
            page.per_page,
            page.offset()
        )
    );
    let found = db
        .cached(key, || async {
            Ok(on_db!(db, |c| {
                let total: i64 = sqlx::query_scalar(AssertSqlSafe(count_sql.clone()))
                    .bind(f.committee_id)
                    .bind(&like)
                    .bind(f.sector_id)
                    .bind(f.special_committee_id)
                    .bind(&f.affiliation)
                    .bind(f.active)
                    .fetch_one(c)
                    .await?;
                let items: Vec<Member> = sqlx::query_as(AssertSqlSafe(list_sql.clone()))
                    .bind(f.committee_id)
                    .bind(&like)
                    .bind(f.sector_id)
                    .bind(f.special_committee_id)
                    .bind(&f.affiliation)
                    .bind(f.active)
                    .bind(page.per_page)
                    .bind(page.offset())
                    .fetch_all(c)
                    .await?;
                (total, items)
            }))
        })
        .await?;
    let (total, items) = (found.0, found.1.clone());
    Ok(page.of(items, total))
}

/// One member, if the caller may see people of the member's committee.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Member, StoreError> {
    let m: Member = on_db!(db, |c| sqlx::query_as(AssertSqlSafe(format!(
        "{SELECT} WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)?;
    let scope = committees::scope(db, m.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadPeople, &scope)?;
    Ok(m)
}

async fn load_tx(tx: &mut Tx, id: i64) -> Result<Option<Member>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(AssertSqlSafe(format!(
        "{SELECT} WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Checks that the chosen sector and special committee belong to the member's committee.
async fn check_links(
    tx: &mut Tx,
    committee_id: i64,
    sector: Option<i64>,
    special: Option<i64>,
) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    if let Some(s) = sector
        && !bodies::exists_in(tx, BodyKind::Sector, s, committee_id).await?
    {
        errors.push(domain::validate::FieldError {
            field: "sector_id",
            code: "not_found",
        });
    }
    if let Some(s) = special
        && !bodies::exists_in(tx, BodyKind::SpecialCommittee, s, committee_id).await?
    {
        errors.push(domain::validate::FieldError {
            field: "special_committee_id",
            code: "not_found",
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn this_year() -> i64 {
    crate::clock::year_of(crate::clock::now())
}

/// Creates a member in a committee the caller administers, optionally linked to a user account.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &MemberInput,
    user_id: Option<i64>,
) -> Result<Member, StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    caller.require(Permission::Administer, &scope)?;
    let f = input.validate(this_year()).map_err(StoreError::Invalid)?;
    check_links(tx, committee_id, f.sector_id, f.special_committee_id).await?;
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO members (committee_id, user_id, name, gender, ethnicity, birth_year, affiliation, sector_id,
            special_committee_id, occupation, term, standing, phone, email, address, active, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17) RETURNING id"
    )
    .bind(committee_id)
    .bind(user_id)
    .bind(&f.name)
    .bind(f.gender.as_str())
    .bind(&f.ethnicity)
    .bind(f.birth_year)
    .bind(f.affiliation.as_str())
    .bind(f.sector_id)
    .bind(f.special_committee_id)
    .bind(&f.occupation)
    .bind(f.term)
    .bind(f.standing)
    .bind(&f.phone)
    .bind(&f.email)
    .bind(&f.address)
    .bind(f.active)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(crate::error::unique_as("user_already_member"))?
    });
    let m = load_tx(tx, id).await?.ok_or(StoreError::NotFound)?;
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: "member.create",
            record_type: "member",
            record_id: Some(id),
            changes: snapshot(&m),
            caller,
        },
    )
    .await?;
    Ok(m)
}

fn snapshot(m: &Member) -> serde_json::Value {
    json!({
        "name": m.name, "gender": m.gender, "ethnicity": m.ethnicity, "birth_year": m.birth_year,
        "affiliation": m.affiliation, "sector_id": m.sector_id, "special_committee_id": m.special_committee_id,
        "occupation": m.occupation, "term": m.term, "standing": m.standing, "phone": m.phone,
        "email": m.email, "address": m.address, "active": m.active, "user_id": m.user_id,
    })
}

/// Edits a member's profile; `expected_version`, when given, must match.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &MemberInput,
    expected_version: Option<i64>,
) -> Result<Member, StoreError> {
    let mut tx = db.begin().await?;
    let old = load_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    let scope = committees::scope_tx(&mut tx, old.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::Administer, &scope)?;
    if expected_version.is_some_and(|v| v != old.version) {
        return Err(StoreError::stale(old.version));
    }
    let f = input.validate(this_year()).map_err(StoreError::Invalid)?;
    check_links(
        &mut tx,
        old.committee_id,
        f.sector_id,
        f.special_committee_id,
    )
    .await?;
    let n = on_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE members SET name = $1, gender = $2, ethnicity = $3, birth_year = $4, affiliation = $5, sector_id = $6,
            special_committee_id = $7, occupation = $8, term = $9, standing = $10, phone = $11, email = $12, address = $13,
            active = $14, version = version + 1, updated_at = $15
         WHERE id = $16 AND version = $17"
    )
    .bind(&f.name)
    .bind(f.gender.as_str())
    .bind(&f.ethnicity)
    .bind(f.birth_year)
    .bind(f.affiliation.as_str())
    .bind(f.sector_id)
    .bind(f.special_committee_id)
    .bind(&f.occupation)
    .bind(f.term)
    .bind(f.standing)
    .bind(&f.phone)
    .bind(&f.email)
    .bind(&f.address)
    .bind(f.active)
    .bind(crate::clock::now())
    .bind(id)
    .bind(old.version)
    .execute(c)
    .await?
    .rows_affected()
    });
    if n != 1 {
        return Err(StoreError::stale(old.version));
    }
    let new = load_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    let (a, b) = (snapshot(&old), snapshot(&new));
    let pairs: Vec<(&str, serde_json::Value, serde_json::Value)> = a
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.clone(), b.get(k).cloned().unwrap_or_default()))
        .collect();
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(old.committee_id),
            action: "member.update",
            record_type: "member",
            record_id: Some(id),
            changes: audit::diff(&pairs),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// Active members of a committee as (id, name), for choosing co-signers of a
/// joint proposal or filtering lists: names only, which every member of the
/// committee may see. Kept in the read cache: list pages ask on every view.
pub async fn cosigner_choices(
    db: &Db,
    committee_id: i64,
) -> Result<std::sync::Arc<Vec<(i64, String)>>, StoreError> {
    db.cached(format!("members.choices\u{1f}{committee_id}"), || async {
        Ok(crate::db::on_db!(db, |c| {
            sqlx::query_as(
                "SELECT id, name FROM members WHERE committee_id = $1 AND active = $2 ORDER BY name, id",
            )
            .bind(committee_id)
            .bind(true)
            .fetch_all(c)
            .await?
        }))
    })
    .await
}
