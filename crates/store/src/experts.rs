//! The expert pool (专家库): experts inside the committee (with an account)
//! or outside it, with their fields of expertise. Consultations draw
//! participants from the pool (`consultation_people`); each expert's page
//! lists the consultations they took part in. Staff of the consultation
//! office keep the pool; anyone who may read the committee may read it.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::platform::committees;
use domain::platform::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An expert.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Expert {
    pub id: i64,
    pub committee_id: i64,
    pub name: String,
    /// The account of an expert inside the committee.
    pub user_id: Option<i64>,
    pub organisation: String,
    /// Their position or professional title.
    pub title: String,
    /// Fields of expertise, one per line.
    pub fields: String,
    pub version: i64,
}

impl Expert {
    /// The fields of expertise as a list.
    pub fn field_list(&self) -> Vec<&str> {
        self.fields
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// What an expert is created or edited with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExpertInput {
    pub name: String,
    pub user_id: Option<i64>,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub title: String,
    /// Fields of expertise (1 to 10, each up to 30 characters).
    #[serde(default)]
    pub fields: Vec<String>,
}

/// A consultation an expert took part in.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Participation {
    pub consultation_id: i64,
    pub title: String,
    pub form: String,
    pub state: String,
    pub meeting_on: Option<String>,
}

fn check(input: &ExpertInput) -> Result<(String, String, String, String), StoreError> {
    let mut e = domain::validate::Errors::default();
    let name = e.required_text("name", &input.name, 50);
    let organisation = e
        .optional_text("organisation", Some(&input.organisation), 100)
        .unwrap_or_default();
    let title = e
        .optional_text("title", Some(&input.title), 100)
        .unwrap_or_default();
    let fields: Vec<String> = input
        .fields
        .iter()
        .flat_map(|f| f.split(['\n', '、', ',', '，', ';', '；']))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    if fields.is_empty() {
        e.add("fields", "required");
    }
    if fields.len() > 10 {
        e.add("fields", "too_many");
    }
    if fields.iter().any(|f| f.chars().count() > 30) {
        e.add("fields", "too_long");
    }
    e.finish().map_err(StoreError::Invalid)?;
    Ok((name, organisation, title, fields.join("\n")))
}

async fn check_user(
    tx: &mut Tx,
    user_id: Option<i64>,
    committee_id: i64,
) -> Result<(), StoreError> {
    if let Some(u) = user_id {
        let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM users WHERE id = $1 AND committee_id = $2"
        )
        .bind(u)
        .bind(committee_id)
        .fetch_optional(c)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid("user_id", "not_found"));
        }
    }
    Ok(())
}

async fn load(tx: &mut Tx, id: i64) -> Result<Expert, StoreError> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, committee_id, name, user_id, organisation, title, fields, version FROM experts WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)
}

/// Adds an expert to the committee's pool.
pub async fn create(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    input: &ExpertInput,
) -> Result<Expert, StoreError> {
    let mut tx = db.begin().await?;
    let e = create_in(&mut tx, caller, committee_id, input).await?;
    tx.commit().await?;
    Ok(e)
}

/// [`create`] inside an open transaction.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &ExpertInput,
) -> Result<Expert, StoreError> {
    crate::consultations::require_office(tx, caller, committee_id).await?;
    let (name, organisation, title, fields) = check(input)?;
    check_user(tx, input.user_id, committee_id).await?;
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO experts (committee_id, name, user_id, organisation, title, fields, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id"
    )
    .bind(committee_id)
    .bind(&name)
    .bind(input.user_id)
    .bind(&organisation)
    .bind(&title)
    .bind(&fields)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: "expert.create",
            record_type: "expert",
            record_id: Some(id),
            changes: json!({"name": name, "user_id": input.user_id, "organisation": organisation,
                "title": title, "fields": fields}),
            caller,
        },
    )
    .await?;
    load(tx, id).await
}

/// Edits an expert at the version read.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &ExpertInput,
    expected: Option<i64>,
) -> Result<Expert, StoreError> {
    let x = get(db, caller, id).await?;
    let (name, organisation, title, fields) = check(input)?;
    let version = expected.unwrap_or(x.version);
    let mut tx = db.begin().await?;
    crate::consultations::require_office(&mut tx, caller, x.committee_id).await?;
    check_user(&mut tx, input.user_id, x.committee_id).await?;
    let moved = on_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE experts SET name = $1, user_id = $2, organisation = $3, title = $4, fields = $5,
            version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8"
    )
    .bind(&name)
    .bind(input.user_id)
    .bind(&organisation)
    .bind(&title)
    .bind(&fields)
    .bind(crate::clock::now())
    .bind(id)
    .bind(version)
    .execute(c)
    .await?
    .rows_affected()
    });
    if moved == 0 {
        return Err(StoreError::stale(x.version));
    }
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(x.committee_id),
            action: "expert.update",
            record_type: "expert",
            record_id: Some(id),
            changes: json!({"name": name, "user_id": input.user_id, "organisation": organisation,
                "title": title, "fields": fields}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, caller, id).await
}

/// One expert the caller may see.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Expert, StoreError> {
    let x: Expert = on_db!(db, |c| sqlx::query_as(
        "SELECT id, committee_id, name, user_id, organisation, title, fields, version FROM experts WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)?;
    let scope = committees::scope(db, x.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !caller.may(Permission::ReadOrganisation, &scope) {
        return Err(StoreError::NotFound);
    }
    Ok(x)
}

/// The committee's experts by name; narrowed to a field or words in the
/// name, organisation or fields.
pub async fn list(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    q: Option<&str>,
) -> Result<Vec<Expert>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(StoreError::invalid("q", "too_long"));
    }
    let q = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(crate::like::contains);
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, committee_id, name, user_id, organisation, title, fields, version FROM experts
         WHERE committee_id = $1 AND ($2 IS NULL OR lower(name) LIKE $2 ESCAPE '\\' OR lower(organisation) LIKE $2 ESCAPE '\\'
            OR lower(fields) LIKE $2 ESCAPE '\\')
         ORDER BY name, id LIMIT 500"
    )
    .bind(committee_id)
    .bind(&q)
    .fetch_all(c)
    .await?
    }))
}

/// The consultations an expert took part in, newest first.
pub async fn participation(db: &Db, expert_id: i64) -> Result<Vec<Participation>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT c.id AS consultation_id, c.title, c.form, c.state, c.meeting_on
         FROM consultation_experts x JOIN consultations c ON c.id = x.consultation_id
         WHERE x.expert_id = $1 ORDER BY c.id DESC"
    )
    .bind(expert_id)
    .fetch_all(c)
    .await?))
}
