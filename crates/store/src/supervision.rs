//! Democratic supervision (民主监督, issue 5 item 5): topics the committee
//! follows for several years, each year with its inspections (date, place,
//! participants, findings), the rectification items it raised and how they
//! stand, and the year's summary. Staff of the consultation office keep
//! the record; everyone who may read the committee may read it.

use crate::Caller;
use crate::audit;
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::fields::{date, prose};
use crate::platform::committees;
use domain::platform::Permission;
use domain::supervision::{self as rules, RectificationStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A supervision topic.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Topic {
    pub id: i64,
    pub committee_id: i64,
    pub title: String,
    pub summary: String,
    pub first_year: i64,
    pub last_year: i64,
    pub version: i64,
}

/// An inspection (视察/调研).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Inspection {
    pub id: i64,
    pub year: i64,
    pub on_date: String,
    pub place: String,
    pub participants: String,
    pub findings: String,
}

/// A rectification item (整改事项).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Rectification {
    pub id: i64,
    pub year: i64,
    pub item: String,
    pub unit: String,
    /// `open`, `in_progress` or `done`.
    pub status: String,
    pub note: String,
    pub version: i64,
}

/// One year of a topic: what the timeline shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Year {
    pub year: i64,
    pub inspections: Vec<Inspection>,
    pub rectifications: Vec<Rectification>,
    pub summary: Option<String>,
}

/// What a topic is created with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TopicInput {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub first_year: i64,
    pub last_year: i64,
}

/// An inspection to record.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InspectionInput {
    /// YYYY-MM-DD, not in the future; its year must lie in the topic's span.
    pub on_date: String,
    pub place: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub findings: String,
}

/// A rectification item to record.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RectificationInput {
    pub year: i64,
    pub item: String,
    /// The unit that must rectify.
    #[serde(default)]
    pub unit: String,
}

async fn load(tx: &mut Tx, id: i64) -> Result<Topic, StoreError> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, committee_id, title, summary, first_year, last_year, version FROM supervision_topics WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)
}

/// Loads a topic for staff to add to, and moves its version on.
async fn for_staff(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
) -> Result<Topic, StoreError> {
    let t = load(tx, id).await?;
    let scope = committees::scope_tx(tx, t.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !caller.may(Permission::ReadOrganisation, &scope) {
        return Err(StoreError::NotFound);
    }
    crate::consultations::require_office(tx, caller, t.committee_id).await?;
    if expected.is_some_and(|v| v != t.version) {
        return Err(StoreError::stale(t.version));
    }
    crate::versions::bump(
        tx,
        crate::versions::Versioned::SupervisionTopics,
        id,
        t.version,
    )
    .await?;
    Ok(t)
}

async fn log(
    tx: &mut Tx,
    caller: &Caller,
    t: &Topic,
    action: &'static str,
    changes: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        caller,
        (t.committee_id, "supervision_topic", t.id),
        action,
        changes,
    )
    .await
}

fn year_ok(t: &Topic, year: i64) -> Result<(), StoreError> {
    if rules::in_span(t.first_year, t.last_year, year) {
        Ok(())
    } else {
        Err(StoreError::invalid("year", "outside_span"))
    }
}

/// Staff open a topic.
pub async fn create(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    input: &TopicInput,
) -> Result<Topic, StoreError> {
    let mut tx = db.begin().await?;
    let out = create_in(&mut tx, caller, committee_id, input).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`create`] inside an open transaction.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &TopicInput,
) -> Result<Topic, StoreError> {
    let mut e = domain::validate::Errors::default();
    let title = e.required_text("title", &input.title, 200);
    let summary = e
        .optional_prose("summary", Some(&input.summary), 5_000)
        .unwrap_or_default();
    if let Err(code) = rules::check_span(input.first_year, input.last_year) {
        e.add("last_year", code);
    }
    e.finish().map_err(StoreError::Invalid)?;
    crate::consultations::require_office(tx, caller, committee_id).await?;
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO supervision_topics (committee_id, title, summary, first_year, last_year, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id"
    )
    .bind(committee_id)
    .bind(&title)
    .bind(&summary)
    .bind(input.first_year)
    .bind(input.last_year)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    let t = load(tx, id).await?;
    log(
        tx,
        caller,
        &t,
        "supervision.create",
        json!({"title": title, "first_year": input.first_year, "last_year": input.last_year}),
    )
    .await?;
    Ok(t)
}

/// A topic the caller may read.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Topic, StoreError> {
    let mut tx = db.begin_read().await?;
    let t = load(&mut tx, id).await?;
    let scope = committees::scope_tx(&mut tx, t.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    if !caller.may(Permission::ReadOrganisation, &scope) {
        return Err(StoreError::NotFound);
    }
    Ok(t)
}

/// The committee's topics, newest first.
pub async fn list(db: &Db, caller: &Caller, committee_id: i64) -> Result<Vec<Topic>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, committee_id, title, summary, first_year, last_year, version FROM supervision_topics
         WHERE committee_id = $1 ORDER BY first_year DESC, id DESC"
    )
    .bind(committee_id)
    .fetch_all(c)
    .await?
    }))
}

/// Records an inspection.
pub async fn add_inspection(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &InspectionInput,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    add_inspection_in(&mut tx, caller, id, input).await?;
    tx.commit().await?;
    Ok(())
}

/// [`add_inspection`] inside an open transaction.
pub async fn add_inspection_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    input: &InspectionInput,
) -> Result<(), StoreError> {
    let on_date = date("on_date", input.on_date.trim())?;
    if on_date > crate::clock::local_date(crate::clock::now()) {
        return Err(StoreError::invalid("on_date", "date_in_future"));
    }
    let year: i64 = on_date[..4].parse().unwrap_or_default();
    let mut e = domain::validate::Errors::default();
    let place = e.required_text("place", &input.place, 200);
    let participants = e
        .optional_prose("participants", Some(&input.participants), 2_000)
        .unwrap_or_default();
    let findings = e
        .optional_prose("findings", Some(&input.findings), 20_000)
        .unwrap_or_default();
    e.finish().map_err(StoreError::Invalid)?;
    let t = for_staff(tx, caller, id, None).await?;
    year_ok(&t, year).map_err(|_| StoreError::invalid("on_date", "outside_span"))?;
    let iid: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO supervision_inspections (topic_id, year, on_date, place, participants, findings, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(id)
    .bind(year)
    .bind(&on_date)
    .bind(&place)
    .bind(&participants)
    .bind(&findings)
    .bind(crate::clock::now())
    .fetch_one(c)
    .await?
    });
    log(
        tx,
        caller,
        &t,
        "supervision.inspect",
        json!({"inspection_id": iid, "on_date": on_date, "place": place}),
    )
    .await?;
    Ok(())
}

/// Records a rectification item of a year.
pub async fn add_rectification(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &RectificationInput,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let out = add_rectification_in(&mut tx, caller, id, input).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`add_rectification`] inside an open transaction.
pub async fn add_rectification_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    input: &RectificationInput,
) -> Result<i64, StoreError> {
    let mut e = domain::validate::Errors::default();
    let item = e.required_text("item", &input.item, 500);
    let unit = e
        .optional_text("unit", Some(&input.unit), 200)
        .unwrap_or_default();
    e.finish().map_err(StoreError::Invalid)?;
    let t = for_staff(tx, caller, id, None).await?;
    year_ok(&t, input.year)?;
    let now = crate::clock::now();
    let rid: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO supervision_rectifications (topic_id, year, item, unit, status, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id"
    )
    .bind(id)
    .bind(input.year)
    .bind(&item)
    .bind(&unit)
    .bind(RectificationStatus::Open.as_str())
    .bind(now)
    .fetch_one(c)
    .await?
    });
    log(
        tx,
        caller,
        &t,
        "supervision.add_rectification",
        json!({"rectification_id": rid, "year": input.year, "item": item, "unit": unit}),
    )
    .await?;
    Ok(rid)
}

/// Moves a rectification item to a status, at the version read.
pub async fn set_status(
    db: &Db,
    caller: &Caller,
    rectification_id: i64,
    status: &str,
    note: &str,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    set_status_in(&mut tx, caller, rectification_id, status, note, expected).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_status`] inside an open transaction.
pub async fn set_status_in(
    tx: &mut Tx,
    caller: &Caller,
    rectification_id: i64,
    status: &str,
    note: &str,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let status = RectificationStatus::parse(status.trim())
        .ok_or_else(|| StoreError::invalid("status", "invalid_choice"))?;
    let note = match note.trim() {
        "" => String::new(),
        n => prose("note", n, 2_000)?,
    };
    let row: (i64, i64) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT topic_id, version FROM supervision_rectifications WHERE id = $1"
    )
    .bind(rectification_id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)?;
    let t = for_staff(tx, caller, row.0, None).await?;
    let version = expected.unwrap_or(row.1);
    let moved = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE supervision_rectifications SET status = $1, note = $2, version = version + 1, updated_at = $3
         WHERE id = $4 AND version = $5"
    )
    .bind(status.as_str())
    .bind(&note)
    .bind(crate::clock::now())
    .bind(rectification_id)
    .bind(version)
    .execute(c)
    .await?
    .rows_affected()
    });
    if moved == 0 {
        return Err(StoreError::stale(row.1));
    }
    log(
        tx,
        caller,
        &t,
        "supervision.set_status",
        json!({"rectification_id": rectification_id, "status": status.as_str(), "note": note}),
    )
    .await?;
    Ok(())
}

/// Writes (or rewrites) a year's summary.
pub async fn set_summary(
    db: &Db,
    caller: &Caller,
    id: i64,
    year: i64,
    text: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    set_summary_in(&mut tx, caller, id, year, text).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_summary`] inside an open transaction.
pub async fn set_summary_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    year: i64,
    text: &str,
) -> Result<(), StoreError> {
    let text = match text.trim() {
        "" => return Err(StoreError::invalid("text", "required")),
        t => prose("text", t, 20_000)?,
    };
    let t = for_staff(tx, caller, id, None).await?;
    year_ok(&t, year)?;
    let now = crate::clock::now();
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM supervision_summaries WHERE topic_id = $1 AND year = $2"
    )
    .bind(id)
    .bind(year)
    .execute(c)
    .await
    .map(|_| ())?);
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO supervision_summaries (topic_id, year, text, updated_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(id)
    .bind(year)
    .bind(&text)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())?
    });
    log(
        tx,
        caller,
        &t,
        "supervision.summarise",
        json!({"year": year, "text": text}),
    )
    .await?;
    Ok(())
}

/// Every year of the topic's span, oldest first, with what it holds.
pub async fn years(db: &Db, t: &Topic) -> Result<Vec<Year>, StoreError> {
    let inspections: Vec<Inspection> = on_db!(db, |c| sqlx::query_as(
        "SELECT id, year, on_date, place, participants, findings FROM supervision_inspections
         WHERE topic_id = $1 ORDER BY on_date, id"
    )
    .bind(t.id)
    .fetch_all(c)
    .await?);
    let rects: Vec<Rectification> = on_db!(db, |c| sqlx::query_as(
        "SELECT id, year, item, unit, status, note, version FROM supervision_rectifications
         WHERE topic_id = $1 ORDER BY year, id"
    )
    .bind(t.id)
    .fetch_all(c)
    .await?);
    let summaries: Vec<(i64, String)> = on_db!(db, |c| sqlx::query_as(
        "SELECT year, text FROM supervision_summaries WHERE topic_id = $1"
    )
    .bind(t.id)
    .fetch_all(c)
    .await?);
    Ok((t.first_year..=t.last_year)
        .map(|year| Year {
            year,
            inspections: inspections
                .iter()
                .filter(|i| i.year == year)
                .cloned()
                .collect(),
            rectifications: rects.iter().filter(|r| r.year == year).cloned().collect(),
            summary: summaries
                .iter()
                .find(|(y, _)| *y == year)
                .map(|(_, s)| s.clone()),
        })
        .collect())
}
