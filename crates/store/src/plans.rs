//! The year's consultation plan (年度协商计划): drawn up by the consultation
//! office, agreed with the party committee and the government on a recorded
//! day, published; each item (topic, form, lead special committee, month,
//! participants) becomes a consultation with one step, and the plan shows
//! how far each has got.

use crate::Caller;
use crate::audit::{self, Change};
use crate::consultations::{self, ConsultationInput};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::{StoreError, unique_as};
use crate::fields::date;
use crate::platform::committees;
use domain::consultations::{self as rules, Form, Part, PlanState, PlanStep};
use domain::platform::Permission;
use serde::Serialize;
use serde_json::json;

/// A year's plan.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Plan {
    pub id: i64,
    pub committee_id: i64,
    pub year: i64,
    pub title: String,
    /// `draft`, `agreed` or `published`.
    pub state: String,
    /// The day it was agreed with the party committee and the government.
    pub agreed_on: Option<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl Plan {
    pub fn state(&self) -> PlanState {
        PlanState::parse(&self.state).unwrap_or(PlanState::Draft)
    }
}

/// An item of a plan, with the progress of its consultation once started.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Item {
    pub id: i64,
    pub topic: String,
    pub form: String,
    pub lead_special_committee_id: Option<i64>,
    pub lead_name: Option<String>,
    /// 1 to 12.
    pub planned_month: i64,
    pub participants: String,
    pub consultation_id: Option<i64>,
    /// The state of its consultation, once started.
    pub consultation_state: Option<String>,
}

/// An item to add.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    pub topic: String,
    pub form: String,
    pub lead_special_committee_id: Option<i64>,
    pub planned_month: i64,
    #[serde(default)]
    pub participants: String,
}

async fn load_tx(tx: &mut Tx, id: i64) -> Result<Option<Plan>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT * FROM plans WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Loads a plan whose committee the caller may see, with whether they are
/// its committee's consultation staff.
async fn load_visible(tx: &mut Tx, caller: &Caller, id: i64) -> Result<(Plan, Part), StoreError> {
    let p = load_tx(tx, id).await?.ok_or(StoreError::NotFound)?;
    let scope = committees::scope_tx(tx, p.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !caller.may(Permission::ReadOrganisation, &scope) {
        return Err(StoreError::NotFound);
    }
    let part = if consultations::is_staff(caller, p.committee_id) {
        Part::Staff
    } else {
        Part::Other
    };
    // A draft is the office's working paper.
    if part != Part::Staff && p.state() == PlanState::Draft {
        return Err(StoreError::NotFound);
    }
    Ok((p, part))
}

/// One plan with the caller's part.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<(Plan, Part), StoreError> {
    let mut tx = db.begin_read().await?;
    let found = load_visible(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(found)
}

/// A plan's items by month, with their consultations' progress.
pub async fn items(db: &Db, plan_id: i64) -> Result<Vec<Item>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT i.id, i.topic, i.form, i.lead_special_committee_id, s.name AS lead_name, i.planned_month,
            i.participants, i.consultation_id, c.state AS consultation_state
         FROM plan_items i LEFT JOIN special_committees s ON s.id = i.lead_special_committee_id
         LEFT JOIN consultations c ON c.id = i.consultation_id
         WHERE i.plan_id = $1 ORDER BY i.planned_month, i.id"
    )
    .bind(plan_id)
    .fetch_all(c)
    .await?
    }))
}

/// The plans of a committee the caller may see, newest year first.
pub async fn list(db: &Db, caller: &Caller, committee_id: i64) -> Result<Vec<Plan>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let staff = consultations::is_staff(caller, committee_id);
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT * FROM plans WHERE committee_id = $1 AND ($2 OR state <> 'draft') ORDER BY year DESC"
    )
    .bind(committee_id)
    .bind(staff)
    .fetch_all(c)
    .await?
    }))
}

/// The consultation office starts a year's plan; one plan a year.
pub async fn create(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    year: i64,
    title: &str,
) -> Result<Plan, StoreError> {
    let mut tx = db.begin().await?;
    let p = create_in(&mut tx, caller, committee_id, year, title).await?;
    tx.commit().await?;
    Ok(p)
}

/// [`create`] inside an open transaction.
pub(crate) async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    year: i64,
    title: &str,
) -> Result<Plan, StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    if !consultations::is_staff(caller, committee_id) {
        return Err(StoreError::Forbidden);
    }
    let mut e = domain::validate::Errors::default();
    e.in_range("year", year, 2000..=2100);
    let title = e.required_text("title", title, 200);
    e.finish().map_err(StoreError::Invalid)?;
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO plans (committee_id, year, title, state, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id"
    )
    .bind(committee_id)
    .bind(year)
    .bind(&title)
    .bind(PlanState::Draft.as_str())
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(unique_as("plan_year_taken"))?);
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: "plan.create",
            record_type: "plan",
            record_id: Some(id),
            changes: json!({"year": year, "title": title}),
            caller,
        },
    )
    .await?;
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// Moves the plan's version on, unless it moved since `read`.
async fn bump(tx: &mut Tx, p: &Plan) -> Result<(), StoreError> {
    crate::versions::bump(tx, crate::versions::Versioned::Plans, p.id, p.version).await
}

/// Staff add an item to a draft plan.
pub async fn add_item(
    db: &Db,
    caller: &Caller,
    plan_id: i64,
    input: &ItemInput,
    expected: Option<i64>,
) -> Result<Item, StoreError> {
    let mut tx = db.begin().await?;
    let id = add_item_in(&mut tx, caller, plan_id, input, expected).await?;
    tx.commit().await?;
    items(db, plan_id)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(StoreError::NotFound)
}

/// [`add_item`] inside an open transaction; answers the item's id.
pub(crate) async fn add_item_in(
    tx: &mut Tx,
    caller: &Caller,
    plan_id: i64,
    input: &ItemInput,
    expected: Option<i64>,
) -> Result<i64, StoreError> {
    let (p, part) = load_visible(tx, caller, plan_id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    if !rules::plan_items_editable(p.state()) {
        return Err(StoreError::Conflict {
            code: "wrong_state",
            current: Some(p.state.clone()),
        });
    }
    if expected.is_some_and(|v| v != p.version) {
        return Err(StoreError::stale(p.version));
    }
    let mut e = domain::validate::Errors::default();
    let topic = e.required_text("topic", &input.topic, 200);
    let form = Form::parse(input.form.trim());
    if form.is_none() {
        e.add("form", "invalid_choice");
    }
    e.in_range("planned_month", input.planned_month, 1..=12);
    let participants = e
        .optional_prose("participants", Some(&input.participants), 2_000)
        .unwrap_or_default();
    e.finish().map_err(StoreError::Invalid)?;
    if let Some(sc) = input.lead_special_committee_id {
        let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM special_committees WHERE id = $1 AND committee_id = $2"
        )
        .bind(sc)
        .bind(p.committee_id)
        .fetch_optional(c)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid(
                "lead_special_committee_id",
                "not_found",
            ));
        }
    }
    let form = form.unwrap_or(Form::Thematic);
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO plan_items (plan_id, topic, form, lead_special_committee_id, planned_month, participants, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(plan_id)
    .bind(&topic)
    .bind(form.as_str())
    .bind(input.lead_special_committee_id)
    .bind(input.planned_month)
    .bind(&participants)
    .bind(crate::clock::now())
    .fetch_one(c)
    .await?
    });
    bump(tx, &p).await?;
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "plan.add_item",
            record_type: "plan",
            record_id: Some(plan_id),
            changes: json!({"item_id": id, "topic": topic, "form": form.as_str(),
                "planned_month": input.planned_month}),
            caller,
        },
    )
    .await?;
    Ok(id)
}

/// A plan step: agreeing (on a day) or publishing.
pub async fn act(
    db: &Db,
    caller: &Caller,
    plan_id: i64,
    step: PlanStep,
    agreed_on: Option<&str>,
    expected: Option<i64>,
) -> Result<Plan, StoreError> {
    let mut tx = db.begin().await?;
    let p = act_in(&mut tx, caller, plan_id, step, agreed_on, expected).await?;
    tx.commit().await?;
    Ok(p)
}

/// [`act`] inside an open transaction.
pub(crate) async fn act_in(
    tx: &mut Tx,
    caller: &Caller,
    plan_id: i64,
    step: PlanStep,
    agreed_on: Option<&str>,
    expected: Option<i64>,
) -> Result<Plan, StoreError> {
    let (p, part) = load_visible(tx, caller, plan_id).await?;
    let count: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM plan_items WHERE plan_id = $1"
    )
    .bind(plan_id)
    .fetch_one(c)
    .await?);
    let to = rules::plan_transition(p.state(), step, part, count as usize)
        .map_err(|r| StoreError::refused(r, PlanState::as_str))?;
    if expected.is_some_and(|v| v != p.version) {
        return Err(StoreError::stale(p.version));
    }
    let agreed = match step {
        PlanStep::Agree => {
            let day = date("agreed_on", agreed_on.unwrap_or(""))?;
            let today = crate::clock::local_date(crate::clock::now());
            rules::check_date(&day, &today, None)
                .map_err(|e| StoreError::invalid("agreed_on", e.code()))?;
            Some(day)
        }
        PlanStep::Publish => None,
    };
    bump(tx, &p).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE plans SET state = $1, agreed_on = COALESCE($2, agreed_on) WHERE id = $3"
    )
    .bind(to.as_str())
    .bind(&agreed)
    .bind(plan_id)
    .execute(c)
    .await
    .map(|_| ())?);
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: match step {
                PlanStep::Agree => "plan.agree",
                PlanStep::Publish => "plan.publish",
            },
            record_type: "plan",
            record_id: Some(plan_id),
            changes: json!({"from": p.state, "to": to.as_str(), "agreed_on": agreed}),
            caller,
        },
    )
    .await?;
    load_tx(tx, plan_id).await?.ok_or(StoreError::NotFound)
}

/// What starting an item reads of it.
#[derive(sqlx::FromRow)]
struct ItemRow {
    topic: String,
    form: String,
    lead_special_committee_id: Option<i64>,
    planned_month: i64,
    participants: String,
    consultation_id: Option<i64>,
}

/// Turns an item of an agreed plan into a consultation, once.
pub async fn start_item(
    db: &Db,
    caller: &Caller,
    plan_id: i64,
    item_id: i64,
) -> Result<consultations::Consultation, StoreError> {
    let mut tx = db.begin().await?;
    let c = start_item_in(&mut tx, caller, plan_id, item_id).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`start_item`] inside an open transaction.
pub(crate) async fn start_item_in(
    tx: &mut Tx,
    caller: &Caller,
    plan_id: i64,
    item_id: i64,
) -> Result<consultations::Consultation, StoreError> {
    let (p, part) = load_visible(tx, caller, plan_id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    if !rules::plan_items_startable(p.state()) {
        return Err(StoreError::Conflict {
            code: "wrong_state",
            current: Some(p.state.clone()),
        });
    }
    let item: Option<ItemRow> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT topic, form, lead_special_committee_id, planned_month, participants, consultation_id
             FROM plan_items WHERE id = $1 AND plan_id = $2",
        )
        .bind(item_id)
        .bind(plan_id)
        .fetch_optional(c)
        .await?
    });
    let ItemRow {
        topic,
        form,
        lead_special_committee_id: lead,
        planned_month: month,
        participants,
        consultation_id: started,
    } = item.ok_or(StoreError::NotFound)?;
    if let Some(c) = started {
        return Err(StoreError::Conflict {
            code: "already_started",
            current: Some(c.to_string()),
        });
    }
    let input = ConsultationInput {
        form,
        title: topic,
        summary: participants,
        lead_special_committee_id: lead,
        meeting_on: None,
        draft_days: None,
        evaluator_user_ids: None,
    };
    let c = consultations::create_in(tx, caller, p.committee_id, &input).await?;
    // Conditional, so two clicks at once make one consultation.
    let linked = on_tx!(tx, |x| sqlx::query(
        "UPDATE plan_items SET consultation_id = $1 WHERE id = $2 AND consultation_id IS NULL"
    )
    .bind(c.id)
    .bind(item_id)
    .execute(x)
    .await?
    .rows_affected());
    if linked == 0 {
        return Err(StoreError::Conflict {
            code: "already_started",
            current: None,
        });
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "plan.start_item",
            record_type: "plan",
            record_id: Some(plan_id),
            changes: json!({"item_id": item_id, "consultation_id": c.id, "planned_month": month}),
            caller,
        },
    )
    .await?;
    Ok(c)
}
