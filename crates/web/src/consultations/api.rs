//! The JSON API of consultations.

use crate::api_extract::{ApiJson, ApiJsonOrEmpty, IfMatch};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::api::{ItemsOf, committee_of, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::consultations::Step;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::StoreError;
use store::audit::{self, Event};
use store::consultation_links::{self, Cited, Link};
use store::consultations::{
    self, Action, Consultation, ConsultationFilter, ConsultationInput, Outcome, OutcomeInput,
    StepRecord,
};
use store::page::PageRequest;
use utoipa::{IntoParams, ToSchema};

/// Filters of the consultation list.
#[derive(Deserialize, IntoParams)]
pub struct ConsultationParams {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    pub committee_id: Option<i64>,
    pub state: Option<String>,
    /// One of the forms (`thematic`, `sector` …).
    pub form: Option<String>,
    /// Words in the title or summary.
    pub q: Option<String>,
}

/// The list filter the query asks for.
pub fn filter_of(ctx: &Ctx, p: &ConsultationParams) -> WebResult<ConsultationFilter> {
    Ok(ConsultationFilter {
        committee_id: committee_of(ctx, p.committee_id)?,
        state: p.state.clone(),
        form: p.form.clone(),
        q: p.q.clone(),
    })
}

/// Lists the consultations of a committee, newest first.
#[utoipa::path(get, path = "/consultations", tag = "consultations", params(ConsultationParams),
    responses((status = 200, body = ItemsOf<Consultation>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_consultations(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ConsultationParams>,
) -> WebResult<Json<ItemsOf<Consultation>>> {
    let f = filter_of(&ctx, &p)?;
    let page = PageRequest::new(p.page, p.per_page);
    Ok(Json(
        consultations::list(&state.db, &ctx.caller()?, &f, page)
            .await?
            .into(),
    ))
}

/// A consultation to plan or edit.
#[derive(Deserialize, ToSchema)]
pub struct ConsultationBody {
    #[serde(flatten)]
    pub input: ConsultationInput,
    /// The committee (by default the caller's first).
    pub committee_id: Option<i64>,
    pub version: Option<i64>,
}

/// Plans a consultation (staff of the consultation office).
#[utoipa::path(post, path = "/consultations", tag = "consultations", request_body = ConsultationBody,
    responses((status = 201, body = Consultation), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ConsultationBody>,
) -> WebResult<Response> {
    let committee_id = committee_of(&ctx, b.committee_id)?;
    Ok(created(
        consultations::create(&state.db, &ctx.caller()?, committee_id, &b.input).await?,
    ))
}

/// A consultation with its record.
#[derive(Serialize, ToSchema)]
pub struct ConsultationDetail {
    #[serde(flatten)]
    pub consultation: Consultation,
    pub steps: Vec<StepRecord>,
    pub outcomes: Vec<Outcome>,
    pub evaluator_user_ids: Vec<i64>,
    /// The mean weighted quality score out of 100, once anyone scored it.
    pub quality: Option<f64>,
    pub quality_evaluations: usize,
}

/// One consultation with its steps, outcomes and quality score.
#[utoipa::path(get, path = "/consultations/{id}", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = ConsultationDetail), (status = 404, body = Problem)))]
pub async fn get_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<ConsultationDetail>> {
    let (c, _) = consultations::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(detail(&state, c).await?))
}

pub(crate) async fn detail(state: &AppState, c: Consultation) -> WebResult<ConsultationDetail> {
    let (quality, quality_evaluations) = consultations::quality(&state.db, c.id).await?;
    Ok(ConsultationDetail {
        steps: consultations::steps(&state.db, c.id).await?,
        outcomes: consultations::outcomes(&state.db, c.id).await?,
        evaluator_user_ids: consultations::evaluators(&state.db, c.id).await?,
        quality,
        quality_evaluations,
        consultation: c,
    })
}

/// Edits a consultation that is not closed or cancelled.
#[utoipa::path(patch, path = "/consultations/{id}", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = ConsultationBody,
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_consultation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ConsultationBody>,
) -> WebResult<Json<Consultation>> {
    Ok(Json(
        consultations::update(&state.db, &ctx.caller()?, id, &b.input, v.or(b.version)).await?,
    ))
}

/// What a step needs; every field but the step's own may be left out.
#[derive(Deserialize, Default, ToSchema)]
pub struct ConsultationActionBody {
    /// The day it happened (YYYY-MM-DD): today when left out; never later than
    /// today, never before the previous step's day.
    pub on_date: Option<String>,
    /// What is recorded of the step; required for `give-feedback` and
    /// `cancel`, and the outcome's text for `record-outcome`.
    #[serde(default)]
    pub note: String,
    /// For `record-outcome`: `instruction`, `adoption` or `use` …
    pub kind: Option<String>,
    /// … the leader and level (`national`, `provincial`, `municipal`, `county`) of an instruction …
    pub leader: Option<String>,
    pub level: Option<String>,
    /// … or the department or document of an adoption or use.
    pub department: Option<String>,
    /// For `evaluate`: 0 to 10 for each criterion of the rubric (`topic`,
    /// `research`, `suggestions`, `adoption`, `effect`).
    #[serde(default)]
    pub scores: BTreeMap<String, i64>,
    pub version: Option<i64>,
}

impl ConsultationActionBody {
    pub fn action(&self, step: Step) -> Action {
        Action {
            step,
            on_date: self.on_date.clone(),
            note: self.note.clone(),
            outcome: self.kind.as_ref().map(|kind| OutcomeInput {
                kind: kind.clone(),
                leader: self.leader.clone().unwrap_or_default(),
                level: self.level.clone().unwrap_or_default(),
                department: self.department.clone().unwrap_or_default(),
            }),
            scores: self.scores.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        }
    }
}

/// Takes a step of a consultation's life. A step the caller's part may
/// never take answers 403; one that does not apply in the current state
/// answers 409 with the `state`; either way nothing changes.
#[utoipa::path(post, path = "/consultations/{id}/actions/{action}", tag = "consultations",
    params(("id" = i64, Path), ("action" = String, Path, description = "kick-off, record-research, circulate-draft, hold-meeting, submit-report, record-outcome, give-feedback, evaluate, close or cancel"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = ConsultationActionBody,
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn consultation_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<ConsultationActionBody>,
) -> WebResult<Json<Consultation>> {
    let step = Step::parse(&action).ok_or(WebError::NoRoute)?;
    let version = v.or(b.version);
    Ok(Json(
        consultations::act(&state.db, &ctx.caller()?, id, b.action(step), version).await?,
    ))
}

/// The audit trail of a consultation.
#[utoipa::path(get, path = "/consultations/{id}/events", tag = "consultations", params(("id" = i64, Path)), responses((status = 200, body = Vec<Event>)))]
pub async fn consultation_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Event>>> {
    consultations::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(audit::of_record(&state.db, "consultation", id).await?))
}

/// The proposals and pieces a consultation cites.
#[utoipa::path(get, path = "/consultations/{id}/links", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Link>), (status = 404, body = Problem)))]
pub async fn list_links(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Link>>> {
    consultations::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(consultation_links::of(&state.db, id).await?))
}

/// A record to cite.
#[derive(Deserialize, ToSchema)]
pub struct LinkBody {
    /// `proposal` or `opinion`.
    pub record_type: String,
    pub record_id: i64,
}

fn cited(kind: &str) -> WebResult<Cited> {
    Cited::parse(kind).ok_or_else(|| StoreError::invalid("record_type", "invalid_choice").into())
}

/// Cites a proposal or piece of the committee (not a draft) on the
/// consultation's topic; it links back (consultation office).
#[utoipa::path(post, path = "/consultations/{id}/links", tag = "consultations", params(("id" = i64, Path)),
    request_body = LinkBody,
    responses((status = 201, body = Vec<Link>), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<LinkBody>,
) -> WebResult<Response> {
    let kind = cited(&b.record_type)?;
    Ok(created(
        consultation_links::link(&state.db, &ctx.caller()?, id, kind, b.record_id).await?,
    ))
}

/// Takes a citation back.
#[utoipa::path(delete, path = "/consultations/{id}/links/{record_type}/{record_id}", tag = "consultations",
    params(("id" = i64, Path), ("record_type" = String, Path), ("record_id" = i64, Path)),
    responses((status = 200, body = Vec<Link>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, kind, record_id)): Path<(i64, String, i64)>,
) -> WebResult<Json<Vec<Link>>> {
    let kind = cited(&kind)?;
    Ok(Json(
        consultation_links::unlink(&state.db, &ctx.caller()?, id, kind, record_id).await?,
    ))
}

/// Words to look for.
#[derive(Deserialize, IntoParams)]
pub struct SuggestParams {
    pub q: String,
}

/// Proposals and pieces of the consultation's committee matching `q` in
/// Chinese full text (drafts left out), to cite: at most ten of each.
#[utoipa::path(get, path = "/consultations/{id}/suggestions", tag = "consultations",
    params(("id" = i64, Path), SuggestParams),
    responses((status = 200, body = Vec<Link>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn suggestions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<SuggestParams>,
) -> WebResult<Json<Vec<Link>>> {
    let (c, _) = consultations::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(suggest(&state, c.committee_id, &p.q).await?))
}

/// The candidates to cite for `q`.
pub(crate) async fn suggest(state: &AppState, committee_id: i64, q: &str) -> WebResult<Vec<Link>> {
    let q = q.trim();
    if q.chars().count() > 100 {
        return Err(StoreError::invalid("q", "too_long").into());
    }
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let proposals = state
        .search
        .search(&state.db, committee_id, q, 20)
        .await
        .map_err(StoreError::from)?;
    let pieces = state
        .search
        .search_opinions(&state.db, committee_id, q, 20)
        .await
        .map_err(StoreError::from)?;
    let mut out =
        consultation_links::candidates(&state.db, committee_id, Cited::Proposal, &proposals)
            .await?;
    out.truncate(10);
    let mut more =
        consultation_links::candidates(&state.db, committee_id, Cited::Opinion, &pieces).await?;
    more.truncate(10);
    out.extend(more);
    Ok(out)
}
