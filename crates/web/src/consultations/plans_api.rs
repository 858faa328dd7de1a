//! The JSON API of the annual consultation plan.

use crate::api_extract::{ApiJson, ApiJsonOrEmpty, IfMatch};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::api::{committee_of, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::consultations::PlanStep;
use serde::{Deserialize, Serialize};
use store::consultations::Consultation;
use store::plans::{self, Item, ItemInput, Plan};
use utoipa::{IntoParams, ToSchema};

/// Which committee's plans.
#[derive(Deserialize, IntoParams)]
pub struct PlanParams {
    pub committee_id: Option<i64>,
}

/// The plans of a committee, newest year first (drafts for the consultation office only).
#[utoipa::path(get, path = "/plans", tag = "consultations", params(PlanParams),
    responses((status = 200, body = Vec<Plan>), (status = 404, body = Problem)))]
pub async fn list_plans(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<PlanParams>,
) -> WebResult<Json<Vec<Plan>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        plans::list(&state.db, &ctx.caller()?, committee_id).await?,
    ))
}

/// A plan to start.
#[derive(Deserialize, ToSchema)]
pub struct PlanBody {
    pub year: i64,
    pub title: String,
    pub committee_id: Option<i64>,
}

/// Starts a year's plan (one a year; the consultation office).
#[utoipa::path(post, path = "/plans", tag = "consultations", request_body = PlanBody,
    responses((status = 201, body = Plan), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<PlanBody>,
) -> WebResult<Response> {
    let committee_id = committee_of(&ctx, b.committee_id)?;
    Ok(created(
        plans::create(&state.db, &ctx.caller()?, committee_id, b.year, &b.title).await?,
    ))
}

/// A plan with its items and their progress.
#[derive(Serialize, ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: Plan,
    pub items: Vec<Item>,
}

/// One plan with its items, each with its consultation's state once started.
#[utoipa::path(get, path = "/plans/{id}", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = PlanDetail), (status = 404, body = Problem)))]
pub async fn get_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<PlanDetail>> {
    let (plan, _) = plans::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(PlanDetail {
        items: plans::items(&state.db, id).await?,
        plan,
    }))
}

/// An item to add, at the plan's version.
#[derive(Deserialize, ToSchema)]
pub struct ItemBody {
    #[serde(flatten)]
    pub item: ItemInput,
    pub version: Option<i64>,
}

/// Adds an item to a draft plan.
#[utoipa::path(post, path = "/plans/{id}/items", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The plan's version; a stale one answers 409")),
    request_body = ItemBody,
    responses((status = 201, body = Item), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_plan_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ItemBody>,
) -> WebResult<Response> {
    Ok(created(
        plans::add_item(&state.db, &ctx.caller()?, id, &b.item, v.or(b.version)).await?,
    ))
}

/// What a plan step needs.
#[derive(Deserialize, Default, ToSchema)]
pub struct PlanActionBody {
    /// For `agree`: the day it was agreed (YYYY-MM-DD, not in the future).
    pub agreed_on: Option<String>,
    pub version: Option<i64>,
}

/// Agrees (`agree`) or publishes (`publish`) a plan.
#[utoipa::path(post, path = "/plans/{id}/actions/{action}", tag = "consultations",
    params(("id" = i64, Path), ("action" = String, Path, description = "agree or publish"),
        ("If-Match" = Option<String>, Header, description = "The plan's version; a stale one answers 409")),
    request_body = PlanActionBody,
    responses((status = 200, body = Plan), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn plan_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<PlanActionBody>,
) -> WebResult<Json<Plan>> {
    let step = PlanStep::parse(&action).ok_or(WebError::NoRoute)?;
    Ok(Json(
        plans::act(
            &state.db,
            &ctx.caller()?,
            id,
            step,
            b.agreed_on.as_deref(),
            v.or(b.version),
        )
        .await?,
    ))
}

/// Turns an item of an agreed plan into a consultation (once).
#[utoipa::path(post, path = "/plans/{id}/items/{item_id}/start", tag = "consultations",
    params(("id" = i64, Path), ("item_id" = i64, Path)),
    responses((status = 201, body = Consultation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn start_plan_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, item_id)): Path<(i64, i64)>,
) -> WebResult<Response> {
    Ok(created(
        plans::start_item(&state.db, &ctx.caller()?, id, item_id).await?,
    ))
}
