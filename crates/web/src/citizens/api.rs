//! The JSON API of a citizen's voice: a studio's question and public form,
//! the receipt lookup, a citizen's own inputs, the studio's inbox, turning
//! an input into a piece, and a studio's members.

use crate::api_extract::{ApiJson, IfMatch};
use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::api::created;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::citizens::CitizenInput;
use serde::{Deserialize, Serialize};
use store::citizens::{self, Answer, InputView};
use store::opinions::Opinion;
use store::studios::{self, Studio, StudioMember};
use utoipa::ToSchema;

/// A question for the public form. An anonymous visitor sends its `token`
/// and the answer (in digits) with the input; each question is good once,
/// for 30 minutes.
#[derive(Serialize, ToSchema)]
pub struct ChallengeOut {
    pub token: String,
    /// The question in the request's language, written in words.
    pub question: String,
}

/// Asks a question for the public form of a studio.
#[utoipa::path(get, path = "/studios/{id}/challenge", tag = "citizens", params(("id" = i64, Path)),
    responses((status = 200, body = ChallengeOut), (status = 404, body = Problem)))]
pub async fn studio_challenge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<ChallengeOut>> {
    let studio = studios::get(&state.db, id).await?;
    if !studio.active {
        return Err(store::StoreError::NotFound.into());
    }
    let issued = citizens::challenge(&state.db).await?;
    Ok(Json(ChallengeOut {
        token: issued.token,
        question: super::question(ctx.tr(), issued.challenge),
    }))
}

/// A citizen's input at a studio.
#[derive(Deserialize, ToSchema)]
pub struct InputBody {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact: String,
    /// For a visitor not signed in: the token of the question asked …
    pub challenge_token: Option<String>,
    /// … and its answer, in digits.
    pub answer: Option<String>,
}

/// What a submission answers: the input, and the receipt to follow it
/// with (shown once; keep it).
#[derive(Serialize, ToSchema)]
pub struct Submitted {
    pub input: InputView,
    pub receipt: String,
}

/// Leaves a citizen's input at a studio: signed in as anyone, or anonymous
/// with the answer to a question. Anonymous visitors may submit five an hour
/// per address (wrong answers count), signed-in users twenty a day.
#[utoipa::path(post, path = "/studios/{id}/inputs", tag = "citizens", params(("id" = i64, Path)),
    request_body = InputBody,
    responses((status = 201, body = Submitted), (status = 404, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn submit_input(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<InputBody>,
) -> WebResult<Response> {
    let input = CitizenInput {
        title: b.title,
        body: b.body,
        name: b.name,
        contact: b.contact,
    };
    let answer = Answer {
        token: b.challenge_token.unwrap_or_default(),
        answer: b.answer.unwrap_or_default(),
    };
    let s = citizens::submit(&state.db, &ctx.visitor(), id, &input, Some(&answer)).await?;
    Ok(created(Submitted {
        input: s.input,
        receipt: s.receipt,
    }))
}

/// A receipt to look up.
#[derive(Deserialize, ToSchema)]
pub struct ReceiptBody {
    pub receipt: String,
}

/// What became of the input a receipt names (sent in the body, so it stays
/// out of addresses and logs).
#[utoipa::path(post, path = "/citizen-inputs/status", tag = "citizens", request_body = ReceiptBody,
    responses((status = 200, body = InputView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn input_status(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ReceiptBody>,
) -> WebResult<Json<InputView>> {
    Ok(Json(citizens::by_receipt(&state.db, &b.receipt).await?))
}

/// The signed-in user's own inputs, newest first.
#[utoipa::path(get, path = "/citizen-inputs/mine", tag = "citizens",
    responses((status = 200, body = Vec<InputView>), (status = 401, body = Problem)))]
pub async fn my_inputs(State(state): State<AppState>, ctx: Ctx) -> WebResult<Json<Vec<InputView>>> {
    Ok(Json(citizens::mine(&state.db, &ctx.caller()?).await?))
}

/// The studio's inbox (its members and the committee's information staff):
/// input not yet taken up first.
#[utoipa::path(get, path = "/studios/{id}/inputs", tag = "citizens", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<InputView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn studio_inputs(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<InputView>>> {
    Ok(Json(citizens::inbox(&state.db, &ctx.caller()?, id).await?))
}

/// Turns an input into a draft piece written by the caller, with the studio
/// and the citizen as its sources.
#[utoipa::path(post, path = "/citizen-inputs/{id}/take-up", tag = "citizens", params(("id" = i64, Path)),
    responses((status = 201, body = Opinion), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn take_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    Ok(created(
        citizens::take_up(&state.db, &ctx.caller()?, id).await?,
    ))
}

/// A studio with its members.
#[derive(Serialize, ToSchema)]
pub struct StudioOut {
    #[serde(flatten)]
    pub studio: Studio,
    pub members: Vec<StudioMember>,
}

/// A studio's public facts and members.
#[utoipa::path(get, path = "/studios/{id}/members", tag = "citizens", params(("id" = i64, Path)),
    responses((status = 200, body = StudioOut), (status = 404, body = Problem)))]
pub async fn studio_members(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> WebResult<Json<StudioOut>> {
    Ok(Json(StudioOut {
        studio: studios::get(&state.db, id).await?,
        members: studios::members(&state.db, id).await?,
    }))
}

/// The members a studio is to have.
#[derive(Deserialize, ToSchema)]
pub struct MembersBody {
    pub member_ids: Vec<i64>,
    /// The studio's version the list was read at (or send `If-Match`).
    pub version: Option<i64>,
}

/// Sets a studio's members (administrators and information staff).
#[utoipa::path(put, path = "/studios/{id}/members", tag = "citizens", params(("id" = i64, Path)),
    request_body = MembersBody,
    responses((status = 200, body = StudioOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_studio_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<MembersBody>,
) -> WebResult<Json<StudioOut>> {
    let members = studios::set_members(
        &state.db,
        &ctx.caller()?,
        id,
        &b.member_ids,
        v.or(b.version),
    )
    .await?;
    Ok(Json(StudioOut {
        studio: studios::get(&state.db, id).await?,
        members,
    }))
}
