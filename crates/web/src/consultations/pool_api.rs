//! The JSON API of the expert pool and of democratic supervision topics.

use crate::api_extract::{ApiJson, IfMatch};
use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::api::{committee_of, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use store::experts::{self, Expert, ExpertInput, Participation};
use store::supervision::{self, InspectionInput, RectificationInput, Topic, TopicInput, Year};
use utoipa::{IntoParams, ToSchema};

/// Which committee's experts, narrowed by words.
#[derive(Deserialize, IntoParams)]
pub struct ExpertParams {
    pub committee_id: Option<i64>,
    /// Words in the name, organisation or fields of expertise.
    pub q: Option<String>,
}

/// The committee's expert pool, by name.
#[utoipa::path(get, path = "/experts", tag = "consultations", params(ExpertParams),
    responses((status = 200, body = Vec<Expert>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_experts(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ExpertParams>,
) -> WebResult<Json<Vec<Expert>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        experts::list(&state.db, &ctx.caller()?, committee_id, p.q.as_deref()).await?,
    ))
}

/// An expert to add.
#[derive(Deserialize, ToSchema)]
pub struct ExpertBody {
    #[serde(flatten)]
    pub input: ExpertInput,
    pub committee_id: Option<i64>,
    pub version: Option<i64>,
}

/// Adds an expert to the pool (consultation office).
#[utoipa::path(post, path = "/experts", tag = "consultations", request_body = ExpertBody,
    responses((status = 201, body = Expert), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_expert(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ExpertBody>,
) -> WebResult<Response> {
    let committee_id = committee_of(&ctx, b.committee_id)?;
    Ok(created(
        experts::create(&state.db, &ctx.caller()?, committee_id, &b.input).await?,
    ))
}

/// An expert with the consultations they took part in.
#[derive(Serialize, ToSchema)]
pub struct ExpertDetail {
    #[serde(flatten)]
    pub expert: Expert,
    pub participation: Vec<Participation>,
}

/// One expert and their participation.
#[utoipa::path(get, path = "/experts/{id}", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = ExpertDetail), (status = 404, body = Problem)))]
pub async fn get_expert(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<ExpertDetail>> {
    let expert = experts::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(ExpertDetail {
        participation: experts::participation(&state.db, id).await?,
        expert,
    }))
}

/// Edits an expert at the version read.
#[utoipa::path(patch, path = "/experts/{id}", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The expert's version")),
    request_body = ExpertBody,
    responses((status = 200, body = Expert), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_expert(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ExpertBody>,
) -> WebResult<Json<Expert>> {
    Ok(Json(
        experts::update(&state.db, &ctx.caller()?, id, &b.input, v.or(b.version)).await?,
    ))
}

/// Which committee's topics.
#[derive(Deserialize, IntoParams)]
pub struct TopicParams {
    pub committee_id: Option<i64>,
}

/// The committee's supervision topics, newest first.
#[utoipa::path(get, path = "/supervision-topics", tag = "consultations", params(TopicParams),
    responses((status = 200, body = Vec<Topic>), (status = 404, body = Problem)))]
pub async fn list_topics(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<TopicParams>,
) -> WebResult<Json<Vec<Topic>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        supervision::list(&state.db, &ctx.caller()?, committee_id).await?,
    ))
}

/// A topic to open.
#[derive(Deserialize, ToSchema)]
pub struct TopicBody {
    #[serde(flatten)]
    pub input: TopicInput,
    pub committee_id: Option<i64>,
}

/// Opens a topic followed from `first_year` to `last_year` (consultation office).
#[utoipa::path(post, path = "/supervision-topics", tag = "consultations", request_body = TopicBody,
    responses((status = 201, body = Topic), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<TopicBody>,
) -> WebResult<Response> {
    let committee_id = committee_of(&ctx, b.committee_id)?;
    Ok(created(
        supervision::create(&state.db, &ctx.caller()?, committee_id, &b.input).await?,
    ))
}

/// A topic with every year of its span.
#[derive(Serialize, ToSchema)]
pub struct TopicDetail {
    #[serde(flatten)]
    pub topic: Topic,
    pub years: Vec<Year>,
}

pub(crate) async fn topic_detail(state: &AppState, ctx: &Ctx, id: i64) -> WebResult<TopicDetail> {
    let topic = supervision::get(&state.db, &ctx.caller()?, id).await?;
    Ok(TopicDetail {
        years: supervision::years(&state.db, &topic).await?,
        topic,
    })
}

/// One topic with its years: inspections, rectification items and summaries.
#[utoipa::path(get, path = "/supervision-topics/{id}", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = TopicDetail), (status = 404, body = Problem)))]
pub async fn get_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<TopicDetail>> {
    Ok(Json(topic_detail(&state, &ctx, id).await?))
}

/// Records an inspection; its year (from its date) must lie in the topic's span.
#[utoipa::path(post, path = "/supervision-topics/{id}/inspections", tag = "consultations", params(("id" = i64, Path)),
    request_body = InspectionInput,
    responses((status = 201, body = TopicDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<InspectionInput>,
) -> WebResult<Response> {
    supervision::add_inspection(&state.db, &ctx.caller()?, id, &b).await?;
    Ok(created(topic_detail(&state, &ctx, id).await?))
}

/// Records a rectification item of a year.
#[utoipa::path(post, path = "/supervision-topics/{id}/rectifications", tag = "consultations", params(("id" = i64, Path)),
    request_body = RectificationInput,
    responses((status = 201, body = TopicDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_rectification(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RectificationInput>,
) -> WebResult<Response> {
    supervision::add_rectification(&state.db, &ctx.caller()?, id, &b).await?;
    Ok(created(topic_detail(&state, &ctx, id).await?))
}

/// A rectification item's new status.
#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// `open`, `in_progress` or `done`.
    pub status: String,
    #[serde(default)]
    pub note: String,
    pub version: Option<i64>,
}

/// Moves a rectification item to a status.
#[utoipa::path(patch, path = "/supervision-topics/{id}/rectifications/{rid}", tag = "consultations",
    params(("id" = i64, Path), ("rid" = i64, Path), ("If-Match" = Option<String>, Header, description = "The item's version")),
    request_body = StatusBody,
    responses((status = 200, body = TopicDetail), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, rid)): Path<(i64, i64)>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<StatusBody>,
) -> WebResult<Json<TopicDetail>> {
    let detail = topic_detail(&state, &ctx, id).await?;
    if !detail
        .years
        .iter()
        .any(|y| y.rectifications.iter().any(|r| r.id == rid))
    {
        return Err(store::StoreError::NotFound.into());
    }
    supervision::set_status(
        &state.db,
        &ctx.caller()?,
        rid,
        &b.status,
        &b.note,
        v.or(b.version),
    )
    .await?;
    Ok(Json(topic_detail(&state, &ctx, id).await?))
}

/// A year's summary.
#[derive(Deserialize, ToSchema)]
pub struct SummaryBody {
    pub text: String,
}

/// Writes a year's summary.
#[utoipa::path(put, path = "/supervision-topics/{id}/summaries/{year}", tag = "consultations",
    params(("id" = i64, Path), ("year" = i64, Path)),
    request_body = SummaryBody,
    responses((status = 200, body = TopicDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, year)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<SummaryBody>,
) -> WebResult<Json<TopicDetail>> {
    supervision::set_summary(&state.db, &ctx.caller()?, id, year, &b.text).await?;
    Ok(Json(topic_detail(&state, &ctx, id).await?))
}
