//! The JSON API of online deliberation.

use super::Speaker;
use crate::api_extract::{ApiJson, ApiJsonOrEmpty, IfMatch};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::api::ItemsOf;
use crate::platform::api::created;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use domain::deliberations::{StatementStatus, Step, Vote};
use serde::{Deserialize, Serialize};
use store::StoreError;
use store::attachments::{Attachment, Owner};
use store::deliberation_results::{self, Results};
use store::deliberations::{
    self, Deliberation, DeliberationFilter, DeliberationInput, Progress, Statement, Summary,
};
use store::page::PageRequest;
use utoipa::{IntoParams, ToSchema};

/// Which deliberations to list.
#[derive(Deserialize, IntoParams)]
pub struct DeliberationParams {
    pub page: Option<i64>,
    /// 1 to 200 (20 by default).
    pub per_page: Option<i64>,
    /// The committee whose deliberations to list; a signed-in caller's own
    /// by default, as in every other list. Its members, staff, leaders and
    /// admins see all of them (drafts only its staff); anyone else,
    /// citizens' and handling units' accounts included, its public ones.
    /// An anonymous caller who names none gets the public ones of every
    /// committee.
    pub committee_id: Option<i64>,
    /// `draft`, `open`, `closed` or `reported`.
    pub state: Option<String>,
    /// `members` or `public`.
    pub audience: Option<String>,
    /// Words in the title (at most 100 characters).
    pub q: Option<String>,
}

impl DeliberationParams {
    /// The list filter the query asks for, for this caller.
    pub fn filter(&self, ctx: &Ctx) -> WebResult<DeliberationFilter> {
        Ok(DeliberationFilter {
            committee_id: super::listed_committee(ctx, self.committee_id)?,
            consultation_id: None,
            state: self.state.clone(),
            audience: self.audience.clone(),
            q: self.q.clone(),
        })
    }
}

/// Lists deliberations, newest opening first.
#[utoipa::path(get, path = "/deliberations", tag = "deliberation", params(DeliberationParams),
    responses((status = 200, body = ItemsOf<Summary>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_deliberations(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<DeliberationParams>,
) -> WebResult<Json<ItemsOf<Summary>>> {
    let page = PageRequest::new(p.page, p.per_page);
    let f = p.filter(&ctx)?;
    Ok(Json(
        deliberations::list(&state.db, &ctx.visitor(), &f, page)
            .await?
            .into(),
    ))
}

/// Which committee's work to count.
#[derive(Deserialize, IntoParams)]
pub struct WorkParams {
    /// The caller's own committee by default.
    pub committee_id: Option<i64>,
}

/// What the committee's deliberation staff have to do: deliberations open
/// and waiting for their report, and the statements waiting for a
/// moderator, by deliberation. For the committee's staff.
#[utoipa::path(get, path = "/deliberations/work", tag = "deliberation", params(WorkParams),
    responses((status = 200, body = deliberations::Work), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn deliberation_work(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<WorkParams>,
) -> WebResult<Json<deliberations::Work>> {
    let caller = ctx.caller()?;
    let committee_id = crate::platform::api::committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        deliberations::work(&state.db, &caller, committee_id).await?,
    ))
}

/// The open deliberations of the caller's committees that the caller may
/// take part in, closing soonest first (at most ten), each with how many
/// statements the caller has voted on of those put to them.
#[utoipa::path(get, path = "/deliberations/mine", tag = "deliberation",
    responses((status = 200, body = Vec<deliberations::Invitation>), (status = 401, body = Problem)))]
pub async fn my_deliberations(
    State(state): State<AppState>,
    ctx: Ctx,
) -> WebResult<Json<Vec<deliberations::Invitation>>> {
    let caller = ctx.caller()?;
    Ok(Json(deliberations::invitations(&state.db, &caller).await?))
}

/// Which committee a new deliberation belongs to.
#[derive(Deserialize, IntoParams)]
pub struct CommitteeParam {
    /// Defaults to the caller's own committee.
    pub committee_id: Option<i64>,
}

/// Creates a deliberation as a draft (the consultation office). Times are
/// RFC 3339, or `YYYY-MM-DDTHH:MM` in the committee's time (UTC+8).
#[utoipa::path(post, path = "/deliberations", tag = "deliberation", params(CommitteeParam), request_body = DeliberationInput,
    responses((status = 201, body = Deliberation), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_deliberation(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<CommitteeParam>,
    ApiJson(b): ApiJson<DeliberationInput>,
) -> WebResult<Response> {
    let committee_id = crate::platform::api::committee_of(&ctx, p.committee_id)?;
    Ok(created(
        deliberations::create(&state.db, &ctx.caller()?, committee_id, &b).await?,
    ))
}

/// A deliberation with the caller's place in it.
#[derive(Serialize, ToSchema)]
pub struct DeliberationDetail {
    #[serde(flatten)]
    pub deliberation: Deliberation,
    /// Whether the caller runs it (moderates, takes its steps).
    pub staff: bool,
    /// Whether the caller may write and vote now; if not, why (`not_open_yet`
    /// or `deliberation_closed`).
    pub participation: Option<String>,
    /// Background documents (download through `/attachments/{id}`).
    pub files: Vec<Attachment>,
}

/// One deliberation.
#[utoipa::path(get, path = "/deliberations/{id}", tag = "deliberation", params(("id" = i64, Path)),
    responses((status = 200, body = DeliberationDetail), (status = 404, body = Problem)))]
pub async fn get_deliberation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<DeliberationDetail>> {
    let caller = ctx.visitor();
    let (d, part) = deliberations::get(&state.db, &caller, id).await?;
    let files = store::attachments::of(&state.db, &caller, Owner::Deliberation(id)).await?;
    Ok(Json(DeliberationDetail {
        staff: part == domain::deliberations::Part::Staff,
        participation: d.participation().err().map(str::to_string),
        files,
        deliberation: d,
    }))
}

/// A deliberation's fields to change, at a version.
#[derive(Deserialize, ToSchema)]
pub struct DeliberationUpdate {
    #[serde(flatten)]
    pub input: DeliberationInput,
    /// The version the change is based on (or `If-Match`).
    pub version: Option<i64>,
}

/// Edits a deliberation (the consultation office) while it is a draft or
/// open; an open one's closing time must stay ahead. A stale version answers 409.
#[utoipa::path(patch, path = "/deliberations/{id}", tag = "deliberation",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = DeliberationUpdate,
    responses((status = 200, body = Deliberation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_deliberation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<DeliberationUpdate>,
) -> WebResult<Json<Deliberation>> {
    Ok(Json(
        deliberations::update(&state.db, &ctx.caller()?, id, &b.input, v.or(b.version)).await?,
    ))
}

/// The fields of a step.
#[derive(Deserialize, Default, ToSchema)]
pub struct DeliberationActionBody {
    /// The version the step is based on (or `If-Match`).
    pub version: Option<i64>,
    /// For `publish-report`: the report's text.
    pub report: Option<String>,
}

/// Takes a step: `open`, `close` or `publish-report`. A step the caller may
/// not take answers 403; one that does not apply now answers 409 naming the
/// state; either way nothing changes.
#[utoipa::path(post, path = "/deliberations/{id}/actions/{action}", tag = "deliberation",
    params(("id" = i64, Path), ("action" = String, Path, description = "open, close or publish-report"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = DeliberationActionBody,
    responses((status = 200, body = Deliberation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn deliberation_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<DeliberationActionBody>,
) -> WebResult<Json<Deliberation>> {
    let step = Step::parse(&action).ok_or(WebError::NoRoute)?;
    Ok(Json(
        deliberations::act(
            &state.db,
            &ctx.caller()?,
            id,
            step,
            v.or(b.version),
            b.report.as_deref(),
        )
        .await?,
    ))
}

/// Which statements to list.
#[derive(Deserialize, IntoParams)]
pub struct StatementParams {
    /// For staff: only `pending`, `accepted` or `rejected` ones.
    pub status: Option<String>,
}

/// The statements with their agree / disagree / pass tallies. Participants
/// see those put to vote; staff see all, with their authors.
#[utoipa::path(get, path = "/deliberations/{id}/statements", tag = "deliberation", params(("id" = i64, Path), StatementParams),
    responses((status = 200, body = Vec<Statement>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_statements(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<StatementParams>,
) -> WebResult<Json<Vec<Statement>>> {
    let status = match p.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            StatementStatus::parse(s)
                .ok_or_else(|| StoreError::invalid("status", "invalid_choice"))?,
        ),
    };
    Ok(Json(
        deliberations::statements(&state.db, &ctx.visitor(), id, status).await?,
    ))
}

/// A new statement.
#[derive(Deserialize, ToSchema)]
pub struct StatementBody {
    /// 1 to 280 characters.
    pub body: String,
}

/// Adds a statement (members, or anyone for a public deliberation; an
/// anonymous visitor is given a signed cookie). Others vote on it once it is
/// accepted, or at once under post-moderation. Ten an hour at most.
#[utoipa::path(post, path = "/deliberations/{id}/statements", tag = "deliberation", params(("id" = i64, Path)),
    request_body = StatementBody,
    responses((status = 201, body = Statement), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn add_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<StatementBody>,
) -> WebResult<Response> {
    let speaker = Speaker::of(&state, &ctx, &headers, true).await?;
    let caller = ctx.visitor();
    let s = deliberations::add_statement(&state.db, speaker.voice(&caller), id, &b.body).await?;
    Ok(speaker.finish(created(s)))
}

/// A moderation decision.
#[derive(Deserialize, ToSchema)]
pub struct ModerationBody {
    /// `accepted` or `rejected`.
    pub decision: String,
}

/// Accepts or rejects a statement (the consultation office). A rejected
/// statement leaves the vote and the results; its votes are kept.
#[utoipa::path(post, path = "/deliberations/{id}/statements/{sid}/moderation", tag = "deliberation",
    params(("id" = i64, Path), ("sid" = i64, Path)), request_body = ModerationBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, sid)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<ModerationBody>,
) -> WebResult<axum::http::StatusCode> {
    let decision = match b.decision.as_str() {
        "accepted" | "accept" => StatementStatus::Accepted,
        "rejected" | "reject" => StatementStatus::Rejected,
        _ => return Err(StoreError::invalid("decision", "invalid_choice").into()),
    };
    deliberations::moderate(&state.db, &ctx.caller()?, id, sid, decision).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The caller's next statement to vote on and how far they are.
#[utoipa::path(get, path = "/deliberations/{id}/next", tag = "deliberation", params(("id" = i64, Path)),
    responses((status = 200, body = Progress), (status = 404, body = Problem)))]
pub async fn next_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> WebResult<Json<Progress>> {
    let speaker = Speaker::of(&state, &ctx, &headers, false).await?;
    let caller = ctx.visitor();
    Ok(Json(
        deliberations::progress(&state.db, speaker.voice(&caller), id).await?,
    ))
}

/// A vote.
#[derive(Deserialize, ToSchema)]
pub struct VoteBody {
    /// `agree`, `disagree` or `pass` (or Pol.is's 1, -1, 0).
    #[schema(value_type = String)]
    pub vote: serde_json::Value,
}

/// The vote a body names.
pub fn vote_of(v: &serde_json::Value) -> Result<Vote, StoreError> {
    let bad = || StoreError::invalid("vote", "invalid_choice");
    match v {
        serde_json::Value::String(s) => Vote::parse(s).ok_or_else(bad),
        serde_json::Value::Number(n) => n.as_i64().and_then(Vote::of_value).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// Votes on a statement; a later vote replaces the earlier one. Answers the
/// next statement. Sixty votes a minute at most.
#[utoipa::path(put, path = "/deliberations/{id}/statements/{sid}/vote", tag = "deliberation",
    params(("id" = i64, Path), ("sid" = i64, Path)), request_body = VoteBody,
    responses((status = 200, body = Progress), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, sid)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<VoteBody>,
) -> WebResult<Response> {
    let v = vote_of(&b.vote)?;
    let speaker = Speaker::of(&state, &ctx, &headers, true).await?;
    let caller = ctx.visitor();
    let p = deliberations::vote(&state.db, speaker.voice(&caller), id, sid, v).await?;
    Ok(speaker.finish(Json(p).into_response()))
}

/// The latest results, recomputed in the background as votes arrive
/// (`computed_at` says when; empty before the first computation). A
/// participant (an account, or an anonymous visitor by their cookie) also
/// gets `yours`: their own opinion group and point on the map.
#[utoipa::path(get, path = "/deliberations/{id}/results", tag = "deliberation", params(("id" = i64, Path)),
    responses((status = 200, body = Results), (status = 404, body = Problem)))]
pub async fn results(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> WebResult<Json<Results>> {
    let caller = ctx.visitor();
    let (d, _) = deliberations::get(&state.db, &caller, id).await?;
    let speaker = Speaker::of(&state, &ctx, &headers, false).await?;
    let mut r = deliberation_results::of(&state.db, id)
        .await?
        .unwrap_or_default();
    r.yours = deliberations::place_of(&state.db, speaker.voice(&caller), &d)
        .await?
        .map(|y| y.on_map(r.scale));
    Ok(Json(r))
}

fn csv(name: String, body: String) -> Response {
    crate::download::attachment(body.into_bytes(), "text/csv; charset=utf-8", &name)
}

/// Every statement in the Pol.is openData format (`comments.csv`:
/// timestamp, datetime, comment-id, author-id, agrees, disagrees, moderated,
/// comment-body), participants and statements numbered from 0.
#[utoipa::path(get, path = "/deliberations/{id}/comments.csv", tag = "deliberation", params(("id" = i64, Path)),
    responses((status = 200, description = "comments.csv", content_type = "text/csv"), (status = 404, body = Problem)))]
pub async fn comments_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let c = deliberations::comments_export(&state.db, &ctx.visitor(), id).await?;
    Ok(csv(
        format!("deliberation-{id}-comments.csv"),
        consensus::opendata::write_comments(&c),
    ))
}

/// Votes read from the database per part of `votes.csv` (about 0.7 MB).
const VOTE_PART: i64 = 20_000;

/// Every vote in the Pol.is openData format (`votes.csv`: timestamp,
/// datetime, comment-id, voter-id, vote with agree 1, disagree -1, pass 0),
/// in the order cast. A large file is sent as it is read, a part at a time;
/// a vote changed during the download may then appear twice, the later row
/// the one that counts, as in Pol.is's own exports.
#[utoipa::path(get, path = "/deliberations/{id}/votes.csv", tag = "deliberation", params(("id" = i64, Path)),
    responses((status = 200, description = "votes.csv", content_type = "text/csv"), (status = 404, body = Problem)))]
pub async fn votes_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    use consensus::opendata::{VOTES_HEADER, append_votes};
    let name = format!("deliberation-{id}-votes.csv");
    // The first part is read before answering, so that a refusal or a
    // failure is still an error response and not a cut-off file.
    let mut export = deliberations::votes_export(&state.db, &ctx.visitor(), id).await?;
    let mut first = String::from(VOTES_HEADER);
    append_votes(&mut first, &export.next_rows(&state.db, VOTE_PART).await?);
    if export.is_done() {
        return Ok(csv(name, first));
    }
    let (mut parts, body) =
        http_body_util::channel::Channel::<axum::body::Bytes, std::io::Error>::new(2);
    let db = state.db.clone();
    tokio::spawn(async move {
        if parts.send_data(first.into()).await.is_err() {
            return;
        }
        loop {
            match export.next_rows(&db, VOTE_PART).await {
                Ok(rows) if rows.is_empty() => return,
                Ok(rows) => {
                    let mut s = String::with_capacity(rows.len() * 40);
                    append_votes(&mut s, &rows);
                    // The client went away: stop reading.
                    if parts.send_data(s.into()).await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::error!(deliberation = id, error = %e, "votes.csv cut short");
                    parts.abort(std::io::Error::other(e.to_string()));
                    return;
                }
            }
        }
    });
    Ok(crate::download::streamed(
        axum::body::Body::new(body),
        crate::download::CSV,
        &name,
    ))
}

/// The report as a DOCX: the topic, the published report, the groups with
/// what sets each apart, the common ground and every statement's tally.
#[utoipa::path(get, path = "/deliberations/{id}/report.docx", tag = "deliberation", params(("id" = i64, Path)),
    responses((status = 200, description = "The report", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = Problem)))]
pub async fn report_docx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.visitor();
    let (d, _) = deliberations::get(&state.db, &caller, id).await?;
    let statements = deliberations::statements(&state.db, &caller, id, None).await?;
    let r = deliberation_results::of(&state.db, id)
        .await?
        .unwrap_or_default();
    let dir = |s: &str| t.code("deliberation.direction", s);
    let by_group = r.group_votes();
    let doc = export::docx::DeliberationReport {
        title: d.title.clone(),
        subtitle: t.f(
            "deliberation.report_subtitle",
            &[&r.participants, &r.votes, &r.statements],
        ),
        method: {
            let mut line = t.f(
                "deliberation.report_method",
                &[&t.code("deliberation_grouping", &d.grouping)],
            );
            // Whether the groups are final or as of their computation.
            if r.is_final {
                line.push(' ');
                line.push_str(t.s("deliberation.report_final"));
            } else if let Some(at) =
                store::clock::parse_rfc3339(&r.computed_at).map(super::pages::when)
            {
                line.push(' ');
                line.push_str(&t.f("deliberation.report_provisional", &[&at]));
            }
            line
        },
        background: d.background.clone(),
        report: d.report.clone(),
        groups: r
            .groups
            .iter()
            .map(|g| {
                (
                    t.f("deliberation.group_heading", &[&g.number, &g.size]),
                    g.represent
                        .iter()
                        .map(|x| format!("{}（{} {}%）", x.body, dir(&x.direction), x.percent))
                        .collect(),
                )
            })
            .collect(),
        consensus_heading: t.s("deliberation.consensus").into(),
        consensus: r
            .consensus
            .iter()
            .map(|x| format!("{}（{} {}%）", x.body, dir(&x.direction), x.percent))
            .collect(),
        statements_heading: t.s("deliberation.statements").into(),
        statements: statements
            .iter()
            .filter(|s| s.status != "rejected")
            .map(|s| {
                let mut line = t.f(
                    "deliberation.statement_tally",
                    &[&s.body, &s.agree, &s.disagree, &s.pass],
                );
                // Then how each group voted on it, as of the results.
                for v in by_group.get(&s.id).copied().unwrap_or_default() {
                    line.push(' ');
                    line.push_str(&t.f(
                        "deliberation.report_group_tally",
                        &[&v.group, &v.agree, &v.disagree, &v.pass],
                    ));
                }
                line
            })
            .collect(),
    };
    let bytes =
        export::docx::deliberation_report(&doc).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(crate::download::attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("deliberation-{id}-report.docx"),
    )
    .into_response())
}

/// The background documents of a deliberation.
#[utoipa::path(get, path = "/deliberations/{id}/attachments", tag = "deliberation", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = Problem)))]
pub async fn list_files(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Attachment>>> {
    Ok(Json(
        store::attachments::of(&state.db, &ctx.visitor(), Owner::Deliberation(id)).await?,
    ))
}

/// Adds a background document (multipart form: `file`; the consultation
/// office, until the report is published). PDF, DOCX, XLSX, JPEG or PNG up
/// to 10 MB, told from the content.
#[utoipa::path(post, path = "/deliberations/{id}/attachments", tag = "deliberation", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "`file`"),
    responses((status = 201, body = Attachment), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    m: axum::extract::Multipart,
) -> WebResult<Response> {
    Ok(created(
        crate::proposals::files::attach(&state, &ctx, Owner::Deliberation(id), m).await??,
    ))
}
