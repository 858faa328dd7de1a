//! The JSON API of public-opinion pieces and of the weekly bulletin.

use crate::api_extract::{ApiJson, ApiJsonOrEmpty, Idempotency, IfMatch};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::api::{ItemsOf, committee_of, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::opinions::{LeaderLevel, OpinionInput, Recipient, SourceInput, Step};
use serde::{Deserialize, Serialize};
use store::StoreError;
use store::attachments::{self, Attachment, Owner};
use store::audit::{self, Event};
use store::opinions::{
    self, Action, Bulletin, BulletinAction, Opinion, OpinionFilter, Outcome, Report, Source,
};
use store::page::PageRequest;
use store::platform::idempotency;
use utoipa::{IntoParams, ToSchema};

/// Filters of the piece list.
#[derive(Deserialize, IntoParams)]
pub struct OpinionParams {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    pub committee_id: Option<i64>,
    pub state: Option<String>,
    pub category: Option<String>,
    /// Pieces with a source of this kind (`member`, `studio`, `citizen` …).
    pub source_kind: Option<String>,
    /// Pieces with this member among their sources.
    pub member_id: Option<i64>,
    /// Pieces that came through this studio.
    pub studio_id: Option<i64>,
    /// Written on or after this day (YYYY-MM-DD, UTC+8).
    pub from: Option<String>,
    /// Written on or before this day.
    pub until: Option<String>,
    /// With a leader's instruction recorded (or, with false, without).
    pub instructed: Option<bool>,
    /// Words in the title or body, found by the Chinese full-text index
    /// (a word inside a sentence is found; at most 100 characters).
    pub q: Option<String>,
}

/// A source as the API names it.
#[derive(Deserialize, ToSchema)]
pub struct SourceBody {
    /// `member`, `studio`, `liaison_group`, `party`, `special_committee`, `staff` or `citizen`.
    pub kind: String,
    pub member_id: Option<i64>,
    /// The studio, liaison group, party or special committee.
    pub body_id: Option<i64>,
}

/// A piece to draft or edit.
#[derive(Deserialize, ToSchema)]
pub struct OpinionBody {
    pub title: String,
    pub body: String,
    /// One of the proposal categories: `economy`, `society` …
    pub category: String,
    #[serde(default)]
    pub region: String,
    /// `normal` (default), `urgent` or `very_urgent`.
    #[serde(default)]
    pub urgency: String,
    /// The sources; the writer alone when empty.
    #[serde(default)]
    pub sources: Vec<SourceBody>,
    /// The committee to write in (by default the caller's first).
    pub committee_id: Option<i64>,
    pub version: Option<i64>,
}

impl OpinionBody {
    fn input(&self) -> OpinionInput {
        OpinionInput {
            title: self.title.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            region: self.region.clone(),
            urgency: self.urgency.clone(),
            sources: self
                .sources
                .iter()
                .map(|s| SourceInput {
                    kind: s.kind.clone(),
                    member_id: s.member_id,
                    body_id: s.body_id,
                })
                .collect(),
        }
    }
}

/// The fields of a step; each step reads its own: `edit` — `title`, `body`;
/// `combine` — `with`; `adopt` — `bulletin_id`; `decline` — `reason`;
/// `make-proposal-lead` — `member_id`, `term`; `record-instruction` —
/// `leader`, `level`, `on_date`, `text`; `record-adoption` and `record-use` —
/// `department`, `on_date`, `text`.
#[derive(Deserialize, ToSchema, Default)]
pub struct OpinionActionBody {
    pub title: Option<String>,
    pub body: Option<String>,
    #[serde(default)]
    pub with: Vec<i64>,
    pub bulletin_id: Option<i64>,
    pub reason: Option<String>,
    pub member_id: Option<i64>,
    /// The committee term (届) of the proposal a lead becomes.
    pub term: Option<i64>,
    pub leader: Option<String>,
    /// `national`, `provincial`, `municipal` or `county`.
    pub level: Option<String>,
    pub department: Option<String>,
    /// A date, `YYYY-MM-DD`.
    pub on_date: Option<String>,
    pub text: Option<String>,
    pub version: Option<i64>,
}

fn required<T>(v: Option<T>, field: &'static str) -> Result<T, StoreError> {
    v.ok_or_else(|| StoreError::invalid(field, "required"))
}

impl OpinionActionBody {
    /// The action a step name and these fields describe (also for the web forms).
    pub fn action(self, step: Step) -> Result<Action, WebError> {
        Ok(match step {
            Step::Submit => Action::Submit,
            Step::Withdraw => Action::Withdraw,
            Step::StartEditing => Action::StartEditing,
            Step::Edit => Action::Edit {
                title: required(self.title, "title")?,
                body: required(self.body, "body")?,
            },
            Step::Combine => Action::Combine { with: self.with },
            Step::Adopt => Action::Adopt {
                bulletin_id: required(self.bulletin_id, "bulletin_id")?,
            },
            Step::Decline => Action::Decline {
                reason: required(self.reason, "reason")?,
            },
            Step::MakeProposalLead => Action::MakeProposalLead {
                member_id: required(self.member_id, "member_id")?,
                term: required(self.term, "term")?,
            },
            Step::RecordInstruction => Action::RecordInstruction {
                leader: required(self.leader, "leader")?,
                level: LeaderLevel::parse(required(self.level, "level")?.trim())
                    .ok_or_else(|| StoreError::invalid("level", "invalid_choice"))?,
                on_date: required(self.on_date, "on_date")?,
                text: required(self.text, "text")?,
            },
            Step::RecordAdoption => Action::RecordAdoption {
                department: required(self.department, "department")?,
                on_date: required(self.on_date, "on_date")?,
                text: required(self.text, "text")?,
            },
            Step::RecordUse => Action::RecordUse {
                department: required(self.department, "department")?,
                on_date: required(self.on_date, "on_date")?,
                text: required(self.text, "text")?,
            },
        })
    }
}

/// A piece with its sources and outcomes.
#[derive(Serialize, ToSchema)]
pub struct OpinionDetail {
    #[serde(flatten)]
    pub opinion: Opinion,
    pub sources: Vec<Source>,
    pub outcomes: Vec<Outcome>,
}

/// The list filter the query asks for.
pub fn filter_of(ctx: &Ctx, p: OpinionParams) -> WebResult<OpinionFilter> {
    Ok(OpinionFilter {
        committee_id: committee_of(ctx, p.committee_id)?,
        state: p.state,
        category: p.category,
        source_kind: p.source_kind,
        member_id: p.member_id,
        studio_id: p.studio_id,
        from: p.from,
        until: p.until,
        instructed: p.instructed,
        q: p.q,
        ids: None,
    })
}

/// Lists the pieces of a committee the caller may see, newest first.
#[utoipa::path(get, path = "/opinions", tag = "opinions", params(OpinionParams),
    responses((status = 200, body = ItemsOf<Opinion>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_opinions(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<OpinionParams>,
) -> WebResult<Json<ItemsOf<Opinion>>> {
    let page = PageRequest::new(p.page, p.per_page);
    let mut f = filter_of(&ctx, p)?;
    super::resolve_search(&state, &mut f).await?;
    Ok(Json(
        opinions::list(&state.db, &ctx.caller()?, &f, page)
            .await?
            .into(),
    ))
}

/// Drafts a piece (members of the committee and its information staff).
#[utoipa::path(post, path = "/opinions", tag = "opinions",
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first result and creates nothing new")),
    request_body = OpinionBody, responses((status = 201, body = Opinion), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Idempotency(key): Idempotency,
    ApiJson(b): ApiJson<OpinionBody>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let committee_id = committee_of(&ctx, b.committee_id)?;
    let input = b.input();
    let o = idempotency::create_with(&state.db, key.as_ref(), async |tx| {
        opinions::create_draft_in(tx, &caller, committee_id, &input).await
    })
    .await?;
    Ok(created(o))
}

/// One piece, with its sources and outcomes.
#[utoipa::path(get, path = "/opinions/{id}", tag = "opinions", params(("id" = i64, Path)),
    responses((status = 200, body = OpinionDetail), (status = 404, body = Problem)))]
pub async fn get_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<OpinionDetail>> {
    let (opinion, _) = opinions::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(OpinionDetail {
        opinion,
        sources: opinions::sources(&state.db, id).await?,
        outcomes: opinions::outcomes(&state.db, id).await?,
    }))
}

/// Edits a draft (only its writer, only while it is a draft).
#[utoipa::path(patch, path = "/opinions/{id}", tag = "opinions",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = OpinionBody, responses((status = 200, body = Opinion), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<OpinionBody>,
) -> WebResult<Json<Opinion>> {
    Ok(Json(
        opinions::update_draft(&state.db, &ctx.caller()?, id, &b.input(), v.or(b.version)).await?,
    ))
}

/// Takes a step of a piece's life. A step the caller's part may never take
/// answers 403; one that does not apply in the current state answers 409
/// with the `state`; either way nothing changes.
#[utoipa::path(post, path = "/opinions/{id}/actions/{action}", tag = "opinions",
    params(("id" = i64, Path), ("action" = String, Path, description = "submit, withdraw, start-editing, edit, combine, adopt, decline, make-proposal-lead, record-instruction, record-adoption or record-use"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = OpinionActionBody,
    responses((status = 200, body = Opinion), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn opinion_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<OpinionActionBody>,
) -> WebResult<Json<Opinion>> {
    let step = Step::parse(&action).ok_or(WebError::NoRoute)?;
    let version = v.or(b.version);
    let action = b.action(step)?;
    Ok(Json(
        opinions::act(&state.db, &ctx.caller()?, id, action, version).await?,
    ))
}

/// The audit trail of a piece.
#[utoipa::path(get, path = "/opinions/{id}/events", tag = "opinions", params(("id" = i64, Path)), responses((status = 200, body = Vec<Event>)))]
pub async fn opinion_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Event>>> {
    opinions::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(audit::of_record(&state.db, "opinion", id).await?))
}

/// Which committee and year the counts are of.
#[derive(Deserialize, IntoParams)]
pub struct CountsParams {
    pub committee_id: Option<i64>,
    /// The year (UTC+8); this year by default.
    pub year: Option<i64>,
}

/// The information office's figures: pieces waiting to be edited or being
/// edited, and the year's pieces submitted, adopted and instructed by level.
#[utoipa::path(get, path = "/opinions/counts", tag = "opinions", params(CountsParams),
    responses((status = 200, body = opinions::Counts), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn opinion_counts(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<CountsParams>,
) -> WebResult<Json<opinions::Counts>> {
    let caller = ctx.caller()?;
    let committee_id = committee_of(&ctx, p.committee_id)?;
    // A committee the caller may not see answers 404.
    store::platform::committees::get(&state.db, &caller, committee_id).await?;
    if !(opinions::is_staff(&caller, committee_id)
        || caller
            .actor
            .holds(domain::platform::Role::Leader, committee_id))
    {
        return Err(StoreError::Forbidden.into());
    }
    let year = p
        .year
        .unwrap_or_else(|| store::clock::year_of(store::clock::now()));
    if !(1949..=9999).contains(&year) {
        return Err(StoreError::invalid("year", "out_of_range").into());
    }
    Ok(Json(opinions::counts(&state.db, committee_id, year).await?))
}

/// Which committee's bulletin issues to list.
#[derive(Deserialize, IntoParams)]
pub struct BulletinParams {
    pub committee_id: Option<i64>,
}

/// An issue to open.
#[derive(Deserialize, ToSchema, Default)]
pub struct BulletinBody {
    pub committee_id: Option<i64>,
    #[serde(default)]
    pub editor_note: String,
}

/// An issue with its pieces in order and its reports.
#[derive(Serialize, ToSchema)]
pub struct BulletinDetail {
    #[serde(flatten)]
    pub bulletin: Bulletin,
    /// As printed: 2026年第18期.
    pub label: String,
    pub pieces: Vec<Opinion>,
    pub reports: Vec<Report>,
}

/// The committee's bulletin issues, newest first.
#[utoipa::path(get, path = "/bulletins", tag = "opinions", params(BulletinParams),
    responses((status = 200, body = Vec<Bulletin>), (status = 404, body = Problem)))]
pub async fn list_bulletins(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<BulletinParams>,
) -> WebResult<Json<Vec<Bulletin>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        opinions::bulletins(&state.db, &ctx.caller()?, committee_id).await?,
    ))
}

/// Opens the next issue of the year (information staff).
#[utoipa::path(post, path = "/bulletins", tag = "opinions", request_body = BulletinBody,
    responses((status = 201, body = Bulletin), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn open_bulletin(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<BulletinBody>,
) -> WebResult<Response> {
    let committee_id = committee_of(&ctx, b.committee_id)?;
    let bulletin =
        opinions::open_bulletin(&state.db, &ctx.caller()?, committee_id, &b.editor_note).await?;
    Ok(created(bulletin))
}

/// One issue with its pieces and reports (and, as `/bulletins/{id}.docx`,
/// its Word document).
#[utoipa::path(get, path = "/bulletins/{id}", tag = "opinions", params(("id" = i64, Path)),
    responses((status = 200, body = BulletinDetail), (status = 404, body = Problem)))]
pub async fn get_bulletin(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Response> {
    // The router matches whole path segments, so the document shares this route.
    if let Some(n) = id.strip_suffix(".docx") {
        let id = n.parse().map_err(|_| WebError::NoRoute)?;
        return bulletin_docx(&state, &ctx, id).await;
    }
    let id: i64 = id
        .parse()
        .map_err(|_| WebError::Malformed("the id is not a number".into()))?;
    let (bulletin, pieces, reports) = opinions::bulletin(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(BulletinDetail {
        label: bulletin.label(),
        bulletin,
        pieces,
        reports,
    })
    .into_response())
}

/// Documents `GET /bulletins/{id}.docx` (served by the `/bulletins/{id}` route).
#[utoipa::path(get, path = "/bulletins/{id}.docx", tag = "opinions", params(("id" = i64, Path)),
    responses((status = 200, description = "The issue in the layout of official documents, as a Word document", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = Problem)))]
#[allow(dead_code)]
pub(crate) async fn bulletin_docx_doc(Path(_id): Path<i64>) {}

/// An issue as a DOCX document: masthead, editor's note, the pieces in
/// order, the recipients it was reported to, page numbers.
async fn bulletin_docx(state: &AppState, ctx: &Ctx, id: i64) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let (b, pieces, reports) = opinions::bulletin(&state.db, &caller, id).await?;
    let committee = store::platform::committees::get(&state.db, &caller, b.committee_id).await?;
    let date = b
        .published_at
        .map(store::clock::local_date)
        .unwrap_or_default();
    let mut recipients: Vec<String> = Vec::new();
    for r in &reports {
        let name = t.code("recipient", &r.recipient);
        if !recipients.contains(&name) {
            recipients.push(name);
        }
    }
    let doc = export::docx::BulletinDoc {
        name: t.s("bulletin.name").into(),
        issue: b.label(),
        publisher: format!("{}　{date}", committee.name),
        editor_note: (!b.editor_note.is_empty()).then(|| {
            (
                t.s("bulletin.editor_note").to_string(),
                b.editor_note.clone(),
            )
        }),
        pieces: pieces.into_iter().map(|o| (o.title, o.body)).collect(),
        distribution: (!recipients.is_empty())
            .then(|| format!("{}：{}", t.s("bulletin.reported_to"), recipients.join("、"))),
    };
    let bytes = export::docx::bulletin(&doc)
        .map_err(|e| WebError::Store(StoreError::Internal(e.to_string())))?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::DOCX,
        &format!("{}{}.docx", t.s("bulletin.name"), b.label()),
    ))
}

/// The fields of a bulletin step: `report` — `recipients` (`party_committee`,
/// `government`, `national_direct`) and `channel`.
#[derive(Deserialize, ToSchema, Default)]
pub struct BulletinActionBody {
    #[serde(default)]
    pub recipients: Vec<String>,
    pub channel: Option<String>,
    pub version: Option<i64>,
}

/// Publishes an issue (it becomes read-only; an empty one cannot be) or
/// reports a published one to its recipients.
#[utoipa::path(post, path = "/bulletins/{id}/actions/{action}", tag = "opinions",
    params(("id" = i64, Path), ("action" = String, Path, description = "publish or report"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = BulletinActionBody,
    responses((status = 200, body = Bulletin), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn bulletin_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<BulletinActionBody>,
) -> WebResult<Json<Bulletin>> {
    let version = v.or(b.version);
    let action = match action.as_str() {
        "publish" => BulletinAction::Publish,
        "report" => {
            let mut recipients = Vec::new();
            for r in &b.recipients {
                let r = Recipient::parse(r.trim())
                    .ok_or_else(|| StoreError::invalid("recipients", "invalid_choice"))?;
                if !recipients.contains(&r) {
                    recipients.push(r);
                }
            }
            BulletinAction::Report {
                recipients,
                channel: required(b.channel, "channel")?,
            }
        }
        _ => return Err(WebError::NoRoute),
    };
    Ok(Json(
        opinions::bulletin_act(&state.db, &ctx.caller()?, id, action, version).await?,
    ))
}

/// The order of an open issue's pieces.
#[derive(Deserialize, ToSchema)]
pub struct OrderBody {
    /// Every piece of the issue, once each, in the order wanted.
    pub opinion_ids: Vec<i64>,
    pub version: Option<i64>,
}

/// Puts an open issue's pieces in order (information staff).
#[utoipa::path(put, path = "/bulletins/{id}/order", tag = "opinions",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = OrderBody,
    responses((status = 200, body = Bulletin), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn order_bulletin(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<OrderBody>,
) -> WebResult<Json<Bulletin>> {
    Ok(Json(
        opinions::reorder(
            &state.db,
            &ctx.caller()?,
            id,
            &b.opinion_ids,
            v.or(b.version),
        )
        .await?,
    ))
}

/// The files of a piece.
#[utoipa::path(get, path = "/opinions/{id}/attachments", tag = "opinions", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = Problem)))]
pub async fn list_opinion_files(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Attachment>>> {
    Ok(Json(
        attachments::of(&state.db, &ctx.caller()?, Owner::Opinion(id)).await?,
    ))
}

/// Attaches a file to a piece (multipart form: `file`): its writer while
/// drafting, information staff while it is submitted or being edited. The
/// same rules as proposals: PDF, DOCX, XLSX, JPEG or PNG up to 10 MB, ten at
/// most, told from the content. Download and remove through `/attachments/{id}`.
#[utoipa::path(post, path = "/opinions/{id}/attachments", tag = "opinions", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "`file`"),
    responses((status = 201, body = Attachment), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_opinion_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    m: axum::extract::Multipart,
) -> WebResult<Response> {
    let a = crate::proposals::files::attach(&state, &ctx, Owner::Opinion(id), m).await??;
    Ok((axum::http::StatusCode::CREATED, Json(a)).into_response())
}
