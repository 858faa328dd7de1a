//! The pages of the annual consultation plan: the committee's plans (with
//! the form of a new one for the consultation office) and a plan's page
//! with its items by month, their progress, and its steps.

use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::org_pages::chosen_committee;
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, Field, attach_errors, choices};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::consultations::{self as rules, Form, PlanStep};
use domain::platform::BodyKind;
use serde::Deserialize;
use store::StoreError;
use store::consultations::is_staff;
use store::plans::{self, Item, ItemInput, Plan};
use store::platform::bodies;

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    c: Chrome,
    committee_id: i64,
    staff: bool,
    plans: Vec<Plan>,
    year: i64,
    default_title: String,
    alert: Option<String>,
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

fn this_year() -> i64 {
    store::clock::year_of(store::clock::now())
}

async fn plans_page(
    state: &AppState,
    ctx: &Ctx,
    committee_id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let year = this_year() + 1;
    let page = PlansPage {
        c: Chrome::new(ctx, "/consultations"),
        committee_id,
        staff: is_staff(&caller, committee_id),
        plans: plans::list(&state.db, &caller, committee_id).await?,
        year,
        default_title: t.f("plan.default_title", &[&year]),
        alert: err.map(|e| match e {
            StoreError::Invalid(errors) => errors
                .iter()
                .map(|e| t.code("error", e.code))
                .collect::<Vec<_>>()
                .join("；"),
            StoreError::Conflict { code, .. } => t.code("problem", code),
            _ => t.s("problem.internal").to_string(),
        }),
    };
    let status = match err {
        None => StatusCode::OK,
        Some(StoreError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        Some(_) => StatusCode::CONFLICT,
    };
    Ok((status, html(page)?).into_response())
}

/// A committee's plans.
pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    plans_page(&state, &ctx, committee_id, None).await
}

#[derive(Deserialize)]
pub struct NewPlan {
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
}

/// Starts a year's plan and shows it.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    axum::extract::Form(f): axum::extract::Form<NewPlan>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let result = match f.year.trim().parse::<i64>() {
        Ok(year) => plans::create(&state.db, &ctx.caller()?, committee_id, year, &f.title).await,
        Err(_) => Err(StoreError::invalid("year", "not_a_number")),
    };
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            plans_page(&state, &ctx, committee_id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    p: Plan,
    items: Vec<Item>,
    staff: bool,
    editable: bool,
    startable: bool,
    fields: Vec<Field>,
    today: String,
    alert: Option<String>,
}

async fn plan_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: &ItemForm,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let (p, part) = plans::get(&state.db, &caller, id).await?;
    let staff = part == domain::consultations::Part::Staff;
    let mut specials = vec![(String::new(), String::new())];
    for b in bodies::choices(&state.db, BodyKind::SpecialCommittee, p.committee_id)
        .await?
        .iter()
    {
        specials.push((b.id.to_string(), b.name.clone()));
    }
    let months: Vec<(String, String)> = (1..=12)
        .map(|m| (m.to_string(), t.f("plan.month_n", &[&m])))
        .collect();
    let mut fields = vec![
        Field::text("topic", t.s("plan.topic"), form.topic.clone())
            .required()
            .max(200),
        Field::select(
            "form",
            t.s("consultation.form"),
            if form.form.is_empty() {
                "thematic".into()
            } else {
                form.form.clone()
            },
            choices(t, "consultation_form", Form::ALL, |f| f.as_str(), None),
        ),
        Field::select(
            "lead_special_committee_id",
            t.s("consultation.lead"),
            form.lead_special_committee_id.clone(),
            specials,
        ),
        Field::select(
            "planned_month",
            t.s("plan.month"),
            form.planned_month.clone(),
            months,
        ),
        Field {
            kind: "textarea",
            ..Field::text(
                "participants",
                t.s("plan.participants"),
                form.participants.clone(),
            )
            .max(2_000)
        },
    ];
    let (alert, status) = match err {
        Some(StoreError::Invalid(errors)) => {
            let rest = attach_errors(t, &mut fields, errors);
            (
                Some(if rest.is_empty() {
                    t.s("form.fix_errors").to_string()
                } else {
                    rest.join("；")
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Some(StoreError::Conflict { code, .. }) => {
            (Some(t.code("problem", code)), StatusCode::CONFLICT)
        }
        Some(StoreError::Forbidden) => (
            Some(t.s("problem_detail.forbidden").to_string()),
            StatusCode::FORBIDDEN,
        ),
        _ => (None, StatusCode::OK),
    };
    let page = PlanPage {
        c: Chrome::new(ctx, "/consultations"),
        items: plans::items(&state.db, id).await?,
        staff,
        editable: rules::plan_items_editable(p.state()),
        startable: staff && rules::plan_items_startable(p.state()),
        fields,
        today: store::clock::local_date(store::clock::now()),
        p,
        alert,
    };
    Ok((status, html(page)?).into_response())
}

/// A plan's page.
pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    plan_page(&state, &ctx, id, &ItemForm::default(), None).await
}

#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    topic: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    lead_special_committee_id: String,
    #[serde(default)]
    planned_month: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    version: String,
}

/// Adds an item from the plan's page.
pub async fn add_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<ItemForm>,
) -> WebResult<Response> {
    let lead = match f.lead_special_committee_id.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| StoreError::invalid("lead_special_committee_id", "invalid_choice")),
    };
    let result = match (lead, f.planned_month.trim().parse::<i64>()) {
        (Ok(lead), Ok(month)) => {
            let input = ItemInput {
                topic: f.topic.clone(),
                form: f.form.clone(),
                lead_special_committee_id: lead,
                planned_month: month,
                participants: f.participants.clone(),
            };
            plans::add_item(
                &state.db,
                &ctx.caller()?,
                id,
                &input,
                f.version.parse().ok(),
            )
            .await
            .map(|_| ())
        }
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(StoreError::invalid("planned_month", "not_a_number")),
    };
    back(&state, &ctx, id, &f, result).await
}

async fn back(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    f: &ItemForm,
    r: Result<(), StoreError>,
) -> WebResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            plan_page(state, ctx, id, f, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    agreed_on: String,
    #[serde(default)]
    version: String,
}

/// Agrees or publishes the plan from its page.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
    axum::extract::Form(f): axum::extract::Form<StepForm>,
) -> WebResult<Response> {
    let step = PlanStep::parse(&step).ok_or(crate::error::WebError::NoRoute)?;
    let r = plans::act(
        &state.db,
        &ctx.caller()?,
        id,
        step,
        Some(f.agreed_on.as_str()),
        f.version.parse().ok(),
    )
    .await
    .map(|_| ());
    back(&state, &ctx, id, &ItemForm::default(), r).await
}

/// Turns an item into a consultation and goes to it.
pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, item_id)): Path<(i64, i64)>,
) -> WebResult<Response> {
    match plans::start_item(&state.db, &ctx.caller()?, id, item_id).await {
        Ok(c) => Ok(Redirect::to(&format!("/consultations/{}", c.id)).into_response()),
        Err(e @ (StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            plan_page(&state, &ctx, id, &ItemForm::default(), Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}
