//! The JSON API of proposals: drafts, the lifecycle steps, lists and trails.

use crate::api_extract::{ApiJson, ApiJsonOrEmpty, Idempotency, IfMatch};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
pub(crate) use crate::platform::api::committee_of;
use crate::platform::api::{ItemsOf, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::proposals::{Disposal, ProposalInput, Satisfaction, Step};
use serde::Deserialize;
use store::StoreError;
use store::audit::{self, Event};
use store::page::PageRequest;
use store::platform::idempotency;
use store::proposals::{self, Action, Proposal, ProposalFilter};
use utoipa::{IntoParams, ToSchema};

/// Filters of the proposal list.
#[derive(Deserialize, IntoParams)]
pub struct ProposalParams {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// Words found in the title or body (Chinese words inside sentences too).
    pub q: Option<String>,
    /// `newest` (default), `oldest`, `number`, `deadline`, or `relevance` (with `q`:
    /// the best matches first when no other filter is given).
    pub sort: Option<String>,
    pub committee_id: Option<i64>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub term: Option<i64>,
    /// The plenary session; 0 for between sessions.
    pub session: Option<i64>,
    /// Assigned to this handling unit.
    pub unit_id: Option<i64>,
    /// Only key proposals (or only others).
    pub key: Option<bool>,
    /// Drafted in this year (UTC+8).
    pub year: Option<i64>,
    /// Proposed by this user.
    pub proposer_user_id: Option<i64>,
    /// Past the answer deadline while assigned or in handling (or, with false, not).
    pub overdue: Option<bool>,
    /// Still assigned or in handling, answer due within this many days.
    pub due_within_days: Option<i64>,
}

/// A proposal to draft or edit.
#[derive(Deserialize, ToSchema)]
pub struct ProposalBody {
    pub title: String,
    pub body: String,
    /// `economy`, `agriculture`, `society`, `culture`, `education`, `health`, `ecology`, `governance` or `other`.
    pub category: String,
    /// `individual`, `joint` or `collective`.
    pub kind: String,
    pub term: Option<i64>,
    /// The plenary session it is submitted at; 0 or none between sessions.
    pub session: Option<i64>,
    pub publish_consent: Option<bool>,
    #[serde(default)]
    pub cosigner_ids: Vec<i64>,
    /// `party`, `sector` or `special_committee`, for a collective proposal.
    pub collective_kind: Option<String>,
    pub collective_id: Option<i64>,
    #[serde(default)]
    pub suggested_unit_ids: Vec<i64>,
    /// The committee to draft in (by default the caller's first).
    pub committee_id: Option<i64>,
    pub version: Option<i64>,
}

impl ProposalBody {
    fn input(&self) -> ProposalInput {
        ProposalInput {
            title: self.title.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            kind: self.kind.clone(),
            term: self.term,
            session: self.session,
            publish_consent: self.publish_consent,
            cosigner_ids: self.cosigner_ids.clone(),
            collective_kind: self.collective_kind.clone(),
            collective_id: self.collective_id,
            suggested_unit_ids: self.suggested_unit_ids.clone(),
        }
    }
}

/// The fields of a step; each step reads its own: `decline` — `disposal`,
/// `reason`; `merge` — `into`;
/// `assign` — `lead_units`, `co_units`; `request-reassignment` — `reason`;
/// `decide-reassignment` — `approve`, `lead_units`, `co_units`;
/// `record-consultation` — `held_on`, `form`, `participants`, `agreed`;
/// `answer` — `category` (A–D), `text`; `evaluate` — `satisfaction`, `comment`;
/// `mark-key` — `supervisor_user_id`; `record-supervision` — `held_on`, `activity`;
/// `extend-deadline` — `months`.
#[derive(Deserialize, ToSchema, Default)]
pub struct ActionBody {
    pub into: Option<i64>,
    /// `convert-to-opinion`, `forward-as-letter` or `return-for-revision`.
    pub disposal: Option<String>,
    #[serde(default)]
    pub lead_units: Vec<i64>,
    #[serde(default)]
    pub co_units: Vec<i64>,
    pub reason: Option<String>,
    pub approve: Option<bool>,
    /// A date, `YYYY-MM-DD`.
    pub held_on: Option<String>,
    /// `meeting`, `phone`, `site_visit` or `forum`.
    pub form: Option<String>,
    pub participants: Option<String>,
    pub agreed: Option<String>,
    /// `A`, `B`, `C` or `D`.
    pub category: Option<String>,
    pub text: Option<String>,
    /// `satisfied`, `basically-satisfied` or `not-satisfied`.
    pub satisfaction: Option<String>,
    pub comment: Option<String>,
    pub supervisor_user_id: Option<i64>,
    pub activity: Option<String>,
    pub months: Option<i64>,
    pub version: Option<i64>,
}

fn required<T>(v: Option<T>, field: &'static str) -> Result<T, StoreError> {
    v.ok_or_else(|| StoreError::invalid(field, "required"))
}

impl ActionBody {
    /// The action a step name and these fields describe (also for the web forms).
    pub fn action(self, step: Step) -> Result<Action, WebError> {
        let text = |v: Option<String>, field| required(v, field);
        Ok(match step {
            Step::Submit => Action::Submit,
            Step::Withdraw => Action::Withdraw,
            Step::StartReview => Action::StartReview,
            Step::File => Action::File,
            Step::Merge => Action::Merge {
                into: required(self.into, "into")?,
            },
            Step::Assign => Action::Assign {
                lead_units: self.lead_units,
                co_units: self.co_units,
            },
            Step::RequestReassignment => Action::RequestReassignment {
                reason: text(self.reason, "reason")?,
            },
            Step::DecideReassignment => Action::DecideReassignment {
                approve: required(self.approve, "approve")?,
                lead_units: self.lead_units,
                co_units: self.co_units,
            },
            Step::RecordConsultation => Action::RecordConsultation {
                held_on: text(self.held_on, "held_on")?,
                form: text(self.form, "form")?,
                participants: text(self.participants, "participants")?,
                agreed: text(self.agreed, "agreed")?,
            },
            Step::Answer => Action::Answer {
                category: text(self.category, "category")?,
                text: text(self.text, "text")?,
            },
            Step::Evaluate => Action::Evaluate {
                satisfaction: match text(self.satisfaction, "satisfaction")?.as_str() {
                    "satisfied" => Satisfaction::Satisfied,
                    "basically-satisfied" => Satisfaction::BasicallySatisfied,
                    "not-satisfied" => Satisfaction::NotSatisfied,
                    _ => return Err(StoreError::invalid("satisfaction", "invalid_choice").into()),
                },
                comment: self.comment,
            },
            Step::Close => Action::Close,
            Step::MarkKey => Action::MarkKey {
                supervisor_user_id: required(self.supervisor_user_id, "supervisor_user_id")?,
            },
            Step::RecordSupervision => Action::RecordSupervision {
                held_on: text(self.held_on, "held_on")?,
                activity: text(self.activity, "activity")?,
            },
            Step::ExtendDeadline => Action::ExtendDeadline {
                months: required(self.months, "months")?,
            },
            Step::Decline => Action::Decline {
                disposal: match text(self.disposal, "disposal")?.as_str() {
                    "convert-to-opinion" => Disposal::ConvertToOpinion,
                    "forward-as-letter" => Disposal::ForwardAsLetter,
                    "return-for-revision" => Disposal::ReturnForRevision,
                    _ => return Err(StoreError::invalid("disposal", "invalid_choice").into()),
                },
                reason: text(self.reason, "reason")?,
            },
        })
    }
}

/// The list filter the query asks for.
pub fn filter_of(ctx: &Ctx, p: ProposalParams) -> WebResult<ProposalFilter> {
    Ok(ProposalFilter {
        committee_id: committee_of(ctx, p.committee_id)?,
        state: p.state,
        category: p.category,
        term: p.term,
        session: p.session,
        unit_id: p.unit_id,
        key: p.key,
        q: p.q,
        year: p.year,
        proposer_user_id: p.proposer_user_id,
        overdue: p.overdue,
        due_within_days: p.due_within_days,
        ids: None,
        sort: p.sort,
    })
}

/// Lists the proposals of a committee the caller may see, newest first.
#[utoipa::path(get, path = "/proposals", tag = "proposals", params(ProposalParams),
    responses((status = 200, body = ItemsOf<Proposal>), (status = 404, body = Problem)))]
pub async fn list_proposals(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ProposalParams>,
) -> WebResult<Json<ItemsOf<Proposal>>> {
    let (page, per_page) = (p.page, p.per_page);
    let mut f = filter_of(&ctx, p)?;
    let caller = ctx.caller()?;
    if let Some(found) =
        super::search_page(&state, &caller, &f, PageRequest::new(page, per_page)).await?
    {
        return Ok(Json(found.owned().into()));
    }
    super::resolve_search(&state, &mut f).await?;
    Ok(Json(
        proposals::list(
            &state.db,
            &ctx.caller()?,
            &f,
            PageRequest::new(page, per_page),
        )
        .await?
        .owned()
        .into(),
    ))
}

/// Drafts a proposal.
#[utoipa::path(post, path = "/proposals", tag = "proposals",
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first result and creates nothing new")),
    request_body = ProposalBody, responses((status = 201, body = Proposal), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Idempotency(key): Idempotency,
    ApiJson(b): ApiJson<ProposalBody>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let committee_id = committee_of(&ctx, b.committee_id)?;
    let input = b.input();
    let p = idempotency::create_with(&state.db, key.as_ref(), async |tx| {
        proposals::create_draft_in(tx, &caller, committee_id, &input).await
    })
    .await?;
    Ok(created(p))
}

/// One proposal (and, as `/proposals/{id}.docx`, its Word document).
#[utoipa::path(get, path = "/proposals/{id}", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Proposal), (status = 404, body = Problem)))]
pub async fn get_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Response> {
    // The router matches whole path segments, so the document shares this route.
    if let Some(n) = id.strip_suffix(".docx") {
        let id = n.parse().map_err(|_| WebError::NoRoute)?;
        return super::export::proposal_docx(&state, &ctx, id).await;
    }
    let id: i64 = id
        .parse()
        .map_err(|_| WebError::Malformed("the id is not a number".into()))?;
    Ok(Json(proposals::get(&state.db, &ctx.caller()?, id).await?).into_response())
}

/// Edits a draft (only its proposer, only while it is a draft).
#[utoipa::path(patch, path = "/proposals/{id}", tag = "proposals",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = ProposalBody, responses((status = 200, body = Proposal), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ProposalBody>,
) -> WebResult<Json<Proposal>> {
    Ok(Json(
        proposals::update_draft(&state.db, &ctx.caller()?, id, &b.input(), v.or(b.version)).await?,
    ))
}

/// Takes a step of the lifecycle. A step the caller's part may never take
/// answers 403; one that does not apply in the current state answers 409
/// with the `state`; either way nothing changes.
#[utoipa::path(post, path = "/proposals/{id}/actions/{action}", tag = "proposals",
    params(("id" = i64, Path), ("action" = String, Path, description = "submit, withdraw, start-review, file, merge, assign, request-reassignment, decide-reassignment, record-consultation, answer, evaluate, close, mark-key, record-supervision or extend-deadline"),
        ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = ActionBody,
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn proposal_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<ActionBody>,
) -> WebResult<Json<Proposal>> {
    let step = Step::parse(&action).ok_or(WebError::NoRoute)?;
    let version = v.or(b.version);
    let action = b.action(step)?;
    Ok(Json(
        proposals::act(&state.db, &ctx.caller()?, id, action, version).await?,
    ))
}

/// The audit trail of a proposal.
#[utoipa::path(get, path = "/proposals/{id}/events", tag = "proposals", params(("id" = i64, Path)), responses((status = 200, body = Vec<Event>)))]
pub async fn proposal_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Event>>> {
    proposals::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(audit::of_record(&state.db, "proposal", id).await?))
}

/// A co-signer confirms a joint proposal; it can be submitted once all have.
#[utoipa::path(post, path = "/proposals/{id}/cosign", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn cosign_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Proposal>> {
    proposals::confirm_cosign(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(proposals::get(&state.db, &ctx.caller()?, id).await?))
}

/// The five proposals of this and earlier years most like this one (likely
/// duplicates to merge), for the proposals office.
#[utoipa::path(get, path = "/proposals/{id}/similar", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<super::Similar>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn similar_proposals(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<super::Similar>>> {
    let (p, part) = proposals::get_with_part(&state.db, &ctx.caller()?, id).await?;
    if part != domain::proposals::Part::Staff {
        return Err(StoreError::Forbidden.into());
    }
    Ok(Json(super::similar_to(&state, &p).await?))
}
