//! The JSON API of the work inside a consultation: its participants and
//! experts, comments on the circulated draft, its meetings (agenda,
//! invitations, check-in, speeches, minutes), a member's attendance, and the
//! committee's quality rubric.

use crate::api_extract::{ApiJson, ApiJsonOrEmpty, IfMatch};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::api::{committee_of, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use store::consultation_people::{self as people, DraftComment, Participant, PeopleInput};
use store::consultations;
use store::meetings::{
    self, AgendaItem, AttendanceRecord, Invitation, Meeting, MeetingInput, Speech, SpeechInput,
};
use store::rubrics::{self, RubricRow};
use utoipa::{IntoParams, ToSchema};

/// Who takes part in a consultation.
#[derive(Deserialize, ToSchema)]
pub struct People {
    #[serde(flatten)]
    pub people: PeopleInput,
    pub version: Option<i64>,
}

/// The participants and experts of a consultation.
#[derive(Serialize, ToSchema)]
pub struct PeopleView {
    pub participants: Vec<Participant>,
    /// (expert id, name)
    pub experts: Vec<(i64, String)>,
}

/// Who takes part: participants (accounts) and experts from the pool.
#[utoipa::path(get, path = "/consultations/{id}/participants", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = PeopleView), (status = 404, body = Problem)))]
pub async fn get_participants(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<PeopleView>> {
    consultations::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(PeopleView {
        participants: people::participants(&state.db, id).await?,
        experts: people::experts(&state.db, id).await?,
    }))
}

/// Sets who takes part (consultation office; an expert with an account
/// takes part through it), and the evaluators when given. Replaces the lists.
#[utoipa::path(put, path = "/consultations/{id}/participants", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The consultation's version")),
    request_body = People,
    responses((status = 200, body = PeopleView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_participants(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<People>,
) -> WebResult<Json<PeopleView>> {
    people::set(&state.db, &ctx.caller()?, id, &b.people, v.or(b.version)).await?;
    Ok(Json(PeopleView {
        participants: people::participants(&state.db, id).await?,
        experts: people::experts(&state.db, id).await?,
    }))
}

/// The comments on the circulated draft (staff and participants).
#[utoipa::path(get, path = "/consultations/{id}/comments", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DraftComment>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_comments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<DraftComment>>> {
    Ok(Json(people::comments(&state.db, &ctx.caller()?, id).await?))
}

/// A comment.
#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    /// Up to 5,000 characters.
    pub body: String,
}

/// A participant comments on the draft while it is circulated (409
/// `draft_not_open` before or after).
#[utoipa::path(post, path = "/consultations/{id}/comments", tag = "consultations", params(("id" = i64, Path)),
    request_body = CommentBody,
    responses((status = 201, body = DraftComment), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CommentBody>,
) -> WebResult<Response> {
    Ok(created(
        people::comment(&state.db, &ctx.caller()?, id, &b.body).await?,
    ))
}

/// The meetings of a consultation.
#[utoipa::path(get, path = "/consultations/{id}/meetings", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Meeting>), (status = 404, body = Problem)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Meeting>>> {
    consultations::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(meetings::of(&state.db, id).await?))
}

/// Calls a meeting (consultation office); the participants are invited.
#[utoipa::path(post, path = "/consultations/{id}/meetings", tag = "consultations", params(("id" = i64, Path)),
    request_body = MeetingInput,
    responses((status = 201, body = Meeting), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MeetingInput>,
) -> WebResult<Response> {
    Ok(created(
        meetings::create(&state.db, &ctx.caller()?, id, &b).await?,
    ))
}

/// A meeting with its agenda, invitations and speeches.
#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    #[serde(flatten)]
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub invitations: Vec<Invitation>,
    pub speeches: Vec<Speech>,
}

pub(crate) async fn meeting_detail(state: &AppState, m: Meeting) -> WebResult<MeetingDetail> {
    Ok(MeetingDetail {
        agenda: meetings::agenda(&state.db, m.id).await?,
        invitations: meetings::invitations(&state.db, m.id).await?,
        speeches: meetings::speeches(&state.db, m.id).await?,
        meeting: m,
    })
}

/// One meeting.
#[utoipa::path(get, path = "/meetings/{id}", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingDetail), (status = 404, body = Problem)))]
pub async fn get_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<MeetingDetail>> {
    let (m, _, _) = meetings::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(meeting_detail(&state, m).await?))
}

async fn reread(state: &AppState, ctx: &Ctx, id: i64) -> WebResult<Json<MeetingDetail>> {
    let (m, _, _) = meetings::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(meeting_detail(state, m).await?))
}

/// The agenda to write.
#[derive(Deserialize, ToSchema)]
pub struct AgendaBody {
    pub items: Vec<AgendaItem>,
    pub version: Option<i64>,
}

/// Writes the agenda (before it is published).
#[utoipa::path(put, path = "/meetings/{id}/agenda", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The meeting's version")),
    request_body = AgendaBody,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<AgendaBody>,
) -> WebResult<Json<MeetingDetail>> {
    meetings::set_agenda(&state.db, &ctx.caller()?, id, &b.items, v.or(b.version)).await?;
    reread(&state, &ctx, id).await
}

/// A version to act on.
#[derive(Deserialize, Default, ToSchema)]
pub struct VersionBody {
    pub version: Option<i64>,
}

/// Publishes the agenda: 409 `study_item_first` unless it opens with the
/// study item (第一议题). Invitees are told.
#[utoipa::path(post, path = "/meetings/{id}/actions/publish-agenda", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The meeting's version")),
    request_body = VersionBody,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn publish_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<VersionBody>,
) -> WebResult<Json<MeetingDetail>> {
    meetings::publish_agenda(&state.db, &ctx.caller()?, id, v.or(b.version)).await?;
    reread(&state, &ctx, id).await
}

/// Accounts to invite.
#[derive(Deserialize, ToSchema)]
pub struct InviteBody {
    pub user_ids: Vec<i64>,
}

/// Invites more accounts (each is notified).
#[utoipa::path(post, path = "/meetings/{id}/invitations", tag = "consultations", params(("id" = i64, Path)),
    request_body = InviteBody,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<InviteBody>,
) -> WebResult<Json<MeetingDetail>> {
    meetings::invite(&state.db, &ctx.caller()?, id, &b.user_ids).await?;
    reread(&state, &ctx, id).await
}

/// An invitee's answer.
#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// `accepted` or `declined`.
    pub answer: String,
}

/// The invitee answers the invitation.
#[utoipa::path(post, path = "/meetings/{id}/answer", tag = "consultations", params(("id" = i64, Path)),
    request_body = AnswerBody,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> WebResult<Json<MeetingDetail>> {
    meetings::answer(&state.db, &ctx.caller()?, id, &b.answer).await?;
    reread(&state, &ctx, id).await
}

/// Whom to check in.
#[derive(Deserialize, ToSchema)]
pub struct CheckInBody {
    pub user_id: i64,
}

/// Checks an invitee in at the meeting (consultation office).
#[utoipa::path(post, path = "/meetings/{id}/check-in", tag = "consultations", params(("id" = i64, Path)),
    request_body = CheckInBody,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CheckInBody>,
) -> WebResult<Json<MeetingDetail>> {
    meetings::check_in(&state.db, &ctx.caller()?, id, b.user_id).await?;
    reread(&state, &ctx, id).await
}

/// Schedules a speech in its place: parties and groups, then sectors, then
/// individual members.
#[utoipa::path(post, path = "/meetings/{id}/speeches", tag = "consultations", params(("id" = i64, Path)),
    request_body = SpeechInput,
    responses((status = 201, body = Speech), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_speech(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SpeechInput>,
) -> WebResult<Response> {
    Ok(created(
        meetings::add_speech(&state.db, &ctx.caller()?, id, &b).await?,
    ))
}

/// An order of the speeches.
#[derive(Deserialize, ToSchema)]
pub struct OrderBody {
    /// Every scheduled speech's id, once, in the new order.
    pub order: Vec<i64>,
    pub version: Option<i64>,
}

/// Puts the speeches in an order by hand.
#[utoipa::path(put, path = "/meetings/{id}/speech-order", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The meeting's version")),
    request_body = OrderBody,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reorder(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<OrderBody>,
) -> WebResult<Json<MeetingDetail>> {
    meetings::reorder(&state.db, &ctx.caller()?, id, &b.order, v.or(b.version)).await?;
    reread(&state, &ctx, id).await
}

/// The minutes.
#[derive(Deserialize, ToSchema)]
pub struct MinutesBody {
    pub minutes: String,
    pub version: Option<i64>,
}

/// Records the minutes.
#[utoipa::path(put, path = "/meetings/{id}/minutes", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The meeting's version")),
    request_body = MinutesBody,
    responses((status = 200, body = MeetingDetail), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<MinutesBody>,
) -> WebResult<Json<MeetingDetail>> {
    meetings::set_minutes(&state.db, &ctx.caller()?, id, &b.minutes, v.or(b.version)).await?;
    reread(&state, &ctx, id).await
}

/// The caller's attendance at consultation meetings, newest first.
#[utoipa::path(get, path = "/attendance", tag = "consultations",
    responses((status = 200, body = Vec<AttendanceRecord>), (status = 401, body = Problem)))]
pub async fn my_attendance(
    State(state): State<AppState>,
    ctx: Ctx,
) -> WebResult<Json<Vec<AttendanceRecord>>> {
    let caller = ctx.caller()?;
    if caller.is_anonymous() {
        return Err(WebError::Unauthenticated);
    }
    Ok(Json(
        meetings::attendance_of(&state.db, caller.actor.user_id).await?,
    ))
}

/// Which committee's rubric.
#[derive(Deserialize, IntoParams)]
pub struct RubricParams {
    pub committee_id: Option<i64>,
}

/// The committee's quality rubric (the default when it has set none).
#[utoipa::path(get, path = "/rubric", tag = "consultations", params(RubricParams),
    responses((status = 200, body = Vec<RubricRow>), (status = 404, body = Problem)))]
pub async fn get_rubric(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<RubricParams>,
) -> WebResult<Json<Vec<RubricRow>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        rubrics::read(&state.db, &ctx.caller()?, committee_id).await?,
    ))
}

/// A rubric to set.
#[derive(Deserialize, ToSchema)]
pub struct RubricBody {
    /// One to ten criteria: a key (lower-case letters, digits, `_`), a label
    /// (required for keys the default does not have) and a weight; the
    /// weights add up to 100.
    pub criteria: Vec<RubricRow>,
}

/// Sets the committee's rubric (consultation office). Evaluations already
/// given keep the weights they were given under.
#[utoipa::path(put, path = "/rubric", tag = "consultations", params(RubricParams), request_body = RubricBody,
    responses((status = 200, body = Vec<RubricRow>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_rubric(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<RubricParams>,
    ApiJson(b): ApiJson<RubricBody>,
) -> WebResult<Json<Vec<RubricRow>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        rubrics::set(&state.db, &ctx.caller()?, committee_id, &b.criteria).await?,
    ))
}

/// The files of a consultation: research material, minutes, speech texts.
#[utoipa::path(get, path = "/consultations/{id}/attachments", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<store::attachments::Attachment>), (status = 404, body = Problem)))]
pub async fn list_files(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<store::attachments::Attachment>>> {
    Ok(Json(
        store::attachments::of(
            &state.db,
            &ctx.caller()?,
            store::attachments::Owner::Consultation(id),
        )
        .await?,
    ))
}

/// Files research material, minutes or a speech text with a consultation
/// (multipart form: `file`; the consultation office, until it is closed).
/// PDF, DOCX, XLSX, JPEG or PNG up to 10 MB, ten at most, told from the
/// content. Download and remove through `/attachments/{id}`.
#[utoipa::path(post, path = "/consultations/{id}/attachments", tag = "consultations", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "`file`"),
    responses((status = 201, body = store::attachments::Attachment), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    m: axum::extract::Multipart,
) -> WebResult<Response> {
    Ok(created(
        crate::proposals::files::attach(
            &state,
            &ctx,
            store::attachments::Owner::Consultation(id),
            m,
        )
        .await??,
    ))
}
