//! The pages of online deliberation: the list, the form of a new topic, a
//! topic's page (background, documents, the voting card one statement at a
//! time with keyboard shortcuts, the statement form, staff's steps), the
//! moderation queue and the results (opinion map, groups, common ground,
//! per-statement bars, exports). Public topics are open to visitors who
//! are not signed in.

use super::Speaker;
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::org_pages::{
    CommitteeTree, FormPage, ListPage, Pager, chosen_committee, committee_and_search,
};
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, Field, FormPairs, cell, choices, link};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::deliberations::{
    Audience, Grouping, MAX_STATEMENT, Moderation, Part, State as DState, StatementStatus, Step,
};
use domain::platform::Permission;
use serde::Deserialize;
use store::StoreError;
use store::attachments::{Attachment, Owner};
use store::deliberation_results::{self, Results};
use store::deliberations::{self, Deliberation, DeliberationInput, Progress, Statement};
use store::page::PageRequest;

#[derive(Deserialize)]
pub struct ListQuery {
    committee_id: Option<i64>,
    q: Option<String>,
    state: Option<String>,
    audience: Option<String>,
    page: Option<i64>,
}

/// The deliberations the visitor may see, a page at a time, narrowed by
/// words in the title, state and audience. Signed-in users choose the
/// committee; visitors see the public ones of every committee.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.visitor();
    let committee_id = super::listed_committee(&ctx, q.committee_id)?;
    let f = deliberations::DeliberationFilter {
        committee_id,
        consultation_id: None,
        state: q.state.clone(),
        audience: q.audience.clone(),
        q: q.q.clone(),
    };
    let page =
        deliberations::list(&state.db, &caller, &f, PageRequest::new(q.page, Some(20))).await?;
    let rows = page
        .items
        .iter()
        .map(|x| {
            vec![
                link(x.title.clone(), format!("/deliberations/{}", x.id)),
                cell(t.code("deliberation_state", &x.state)),
                cell(t.code("deliberation_audience", &x.audience)),
                cell(format!("{} – {}", when(x.opens_at), when(x.closes_at))),
                cell(x.participants.to_string()),
                cell(x.votes.to_string()),
            ]
        })
        .collect();
    let mut filters = match (&ctx.user, committee_id) {
        (Some(_), Some(c)) => {
            let tree = CommitteeTree::load(&state).await?;
            committee_and_search(
                t,
                c,
                tree.options(&caller, Permission::ReadOrganisation),
                &q.q,
            )
        }
        _ => vec![
            Field::text("q", t.s("list.search"), q.q.clone().unwrap_or_default()).kind("search"),
        ],
    };
    // Drafts are only ever listed to the committee's staff.
    let staff = committee_id.is_some_and(|c| deliberations::is_staff(&caller, c));
    let states: Vec<DState> = DState::ALL
        .iter()
        .copied()
        .filter(|s| staff || *s != DState::Draft)
        .collect();
    filters.push(Field::select(
        "state",
        t.s("deliberation.state"),
        q.state.clone().unwrap_or_default(),
        choices(
            t,
            "deliberation_state",
            &states,
            |s| s.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    filters.push(Field::select(
        "audience",
        t.s("deliberation.audience"),
        q.audience.clone().unwrap_or_default(),
        choices(
            t,
            "deliberation_audience",
            Audience::ALL,
            |a| a.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    let mut params = vec![
        ("q", q.q.clone().unwrap_or_default()),
        ("state", q.state.clone().unwrap_or_default()),
        ("audience", q.audience.clone().unwrap_or_default()),
    ];
    if let Some(c) = committee_id {
        params.push(("committee_id", c.to_string()));
    }
    html(
        ListPage {
            c: Chrome::new(&ctx, "/deliberations"),
            title: t.s("deliberation.list").into(),
            path: "/deliberations".into(),
            new_link: committee_id
                .filter(|_| staff)
                .map(|c| format!("/deliberations/new?committee_id={c}")),
            filters,
            headers: vec![
                t.s("deliberation.topic"),
                t.s("deliberation.state"),
                t.s("deliberation.audience"),
                t.s("deliberation.times"),
                t.s("deliberation.participants"),
                t.s("deliberation.votes"),
            ],
            rows,
            rendered_rows: None,
            total: 0,
            pager: Default::default(),
            related: vec![],
            links: vec![],
        }
        .paged(&page, &params),
    )
}

/// A stored time as the committee reads it.
pub(crate) fn when(micros: i64) -> String {
    store::clock::local_minute(micros).replace('T', " ")
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    background: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    moderation: String,
    #[serde(default)]
    grouping: String,
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
    /// The consultation's id, or empty for none.
    #[serde(default)]
    consultation_id: String,
}

impl NewForm {
    fn of(d: &Deliberation) -> Self {
        NewForm {
            title: d.title.clone(),
            background: d.background.clone(),
            audience: d.audience.clone(),
            moderation: d.moderation.clone(),
            grouping: d.grouping.clone(),
            opens_at: store::clock::local_minute(d.opens_at),
            closes_at: store::clock::local_minute(d.closes_at),
            consultation_id: d.consultation_id.map(|c| c.to_string()).unwrap_or_default(),
        }
    }

    fn input(&self) -> DeliberationInput {
        let consultation_id = match self.consultation_id.trim() {
            "" => None,
            // Not a number: refused by the store as an unknown consultation.
            c => Some(c.parse().unwrap_or(-1)),
        };
        DeliberationInput {
            title: self.title.clone(),
            background: self.background.clone(),
            audience: self.audience.clone(),
            moderation: self.moderation.clone(),
            grouping: self.grouping.clone(),
            opens_at: self.opens_at.clone(),
            closes_at: self.closes_at.clone(),
            consultation_id,
        }
    }
}

/// The consultations the form offers, the one chosen now kept among them.
async fn consultations_for(
    state: &AppState,
    ctx: &Ctx,
    committee_id: i64,
    f: &NewForm,
) -> WebResult<Vec<(i64, String)>> {
    let keep = f.consultation_id.trim().parse().ok();
    Ok(deliberations::consultation_choices(&state.db, &ctx.caller()?, committee_id, keep).await?)
}

fn new_form_page(
    ctx: &Ctx,
    f: &NewForm,
    committee_id: i64,
    consultations: Vec<(i64, String)>,
) -> FormPage {
    let t = ctx.tr();
    form_page(
        ctx,
        f,
        t.s("deliberation.new"),
        format!("/deliberations?committee_id={committee_id}"),
        format!("/deliberations/new?committee_id={committee_id}"),
        None,
        consultations,
    )
}

/// The form of a deliberation's fields, new or to edit.
fn form_page(
    ctx: &Ctx,
    f: &NewForm,
    title: &str,
    back: String,
    action: String,
    version: Option<i64>,
    consultations: Vec<(i64, String)>,
) -> FormPage {
    let t = ctx.tr();
    let now = store::clock::now();
    let mut consultation_options = vec![(
        String::new(),
        t.s("deliberation.no_consultation").to_string(),
    )];
    consultation_options.extend(
        consultations
            .into_iter()
            .map(|(id, title)| (id.to_string(), title)),
    );
    let or = |v: &str, d: i64| {
        if v.is_empty() {
            store::clock::local_minute(d)
        } else {
            v.to_string()
        }
    };
    FormPage {
        c: Chrome::new(ctx, "/deliberations"),
        title: title.into(),
        back,
        action,
        alert: None,
        version,
        fields: vec![
            Field::text("title", t.s("deliberation.topic"), f.title.clone())
                .required()
                .max(200),
            Field {
                kind: "textarea",
                ..Field::text(
                    "background",
                    t.s("deliberation.background"),
                    f.background.clone(),
                )
                .max(20_000)
            },
            Field::select(
                "audience",
                t.s("deliberation.audience"),
                f.audience.clone(),
                choices(
                    t,
                    "deliberation_audience",
                    Audience::ALL,
                    |a| a.as_str(),
                    None,
                ),
            ),
            Field::select(
                "moderation",
                t.s("deliberation.moderation"),
                f.moderation.clone(),
                choices(
                    t,
                    "deliberation_moderation",
                    Moderation::ALL,
                    |m| m.as_str(),
                    None,
                ),
            ),
            Field::select(
                "grouping",
                t.s("deliberation.grouping"),
                f.grouping.clone(),
                choices(
                    t,
                    "deliberation_grouping",
                    Grouping::ALL,
                    |g| g.as_str(),
                    None,
                ),
            ),
            Field::text(
                "opens_at",
                t.s("deliberation.opens_at"),
                or(&f.opens_at, now),
            )
            .kind("datetime-local")
            .required(),
            Field::text(
                "closes_at",
                t.s("deliberation.closes_at"),
                or(&f.closes_at, now + 14 * 86_400_000_000),
            )
            .kind("datetime-local")
            .required(),
            Field::select(
                "consultation_id",
                t.s("deliberation.consultation"),
                f.consultation_id.clone(),
                consultation_options,
            ),
        ],
        submit: t.s("consultation.save"),
    }
}

/// The form of a new deliberation.
pub async fn new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let f = NewForm::default();
    let consultations = consultations_for(&state, &ctx, committee_id, &f).await?;
    new_form_page(&ctx, &f, committee_id, consultations).respond(ctx.tr(), None)
}

/// Creates a deliberation (a draft) and shows it.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
    axum::extract::Form(f): axum::extract::Form<NewForm>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    match deliberations::create(&state.db, &ctx.caller()?, committee_id, &f.input()).await {
        Ok(d) => Ok(Redirect::to(&format!("/deliberations/{}", d.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let consultations = consultations_for(&state, &ctx, committee_id, &f).await?;
            new_form_page(&ctx, &f, committee_id, consultations).respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

fn edit_page(
    ctx: &Ctx,
    d: &Deliberation,
    f: &NewForm,
    version: i64,
    consultations: Vec<(i64, String)>,
) -> FormPage {
    form_page(
        ctx,
        f,
        ctx.tr().s("deliberation.edit"),
        format!("/deliberations/{}", d.id),
        format!("/deliberations/{}/edit", d.id),
        Some(version),
        consultations,
    )
}

/// The form to edit a deliberation (the consultation office).
pub async fn edit_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (d, part) = deliberations::get(&state.db, &ctx.caller()?, id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden.into());
    }
    let f = NewForm::of(&d);
    let consultations = consultations_for(&state, &ctx, d.committee_id, &f).await?;
    edit_page(&ctx, &d, &f, d.version, consultations).respond(ctx.tr(), None)
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    fields: NewForm,
    #[serde(default)]
    version: String,
}

/// Saves the edit at the version the form was read at.
pub async fn edit_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<EditForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let (d, _) = deliberations::get(&state.db, &caller, id).await?;
    let version = f.version.trim().parse().ok();
    match deliberations::update(&state.db, &caller, id, &f.fields.input(), version).await {
        Ok(d) => Ok(Redirect::to(&format!("/deliberations/{}", d.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let consultations = consultations_for(&state, &ctx, d.committee_id, &f.fields).await?;
            edit_page(
                &ctx,
                &d,
                &f.fields,
                version.unwrap_or(d.version),
                consultations,
            )
            .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "deliberation.html")]
struct TopicPage {
    c: Chrome,
    d: Deliberation,
    staff: bool,
    opens: String,
    closes: String,
    /// Why participation is closed now, in words (none when open).
    closed_why: Option<String>,
    progress: Option<Progress>,
    files: Vec<Attachment>,
    may_attach: bool,
    steps: Vec<(&'static str, &'static str)>,
    pending: usize,
    alert: Option<String>,
    max: usize,
    /// The consultation it is part of, when the reader may see it: (id, title).
    consultation: Option<(i64, String)>,
}

/// A failure as the page shows it: its message (with the fields' own) and
/// status; none and 200 without one.
fn alert_of(ctx: &Ctx, e: Option<StoreError>) -> (Option<String>, StatusCode) {
    let Some(e) = e else {
        return (None, StatusCode::OK);
    };
    let err = WebError::Store(e);
    let p = crate::problem::of(ctx, &err);
    let mut msg = p.detail;
    for f in p.errors {
        msg.push_str(&format!(" {}", f.message));
    }
    (Some(msg), err.status())
}

async fn topic_page(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    err: Option<StoreError>,
    flash: Option<String>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.visitor();
    // A members-only topic is "not found" to a visitor: ask them to sign in.
    let (d, part) = match deliberations::get(&state.db, &caller, id).await {
        Err(StoreError::NotFound) if ctx.user.is_none() => {
            return Err(WebError::Unauthenticated);
        }
        r => r?,
    };
    let staff = part == Part::Staff;
    let speaker = Speaker::of(state, ctx, headers, false).await?;
    let progress = match d.participation() {
        Ok(()) => Some(deliberations::progress(&state.db, speaker.voice(&caller), id).await?),
        _ => None,
    };
    let pending = if staff {
        deliberations::statements(&state.db, &caller, id, Some(StatementStatus::Pending))
            .await?
            .len()
    } else {
        0
    };
    let steps = if staff {
        match d.state() {
            DState::Draft => vec![(Step::Open.as_str(), "deliberation_step.open")],
            DState::Open => vec![(Step::Close.as_str(), "deliberation_step.close")],
            DState::Closed | DState::Reported => vec![],
        }
    } else {
        vec![]
    };
    let (alert, status) = alert_of(ctx, err);
    // The consultation it belongs to, named only to those who may open it.
    let consultation = match d.consultation_id {
        Some(cid) => match store::consultations::get(&state.db, &caller, cid).await {
            Ok((c, _)) => Some((c.id, c.title)),
            Err(StoreError::NotFound | StoreError::Forbidden) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let mut r = html(TopicPage {
        c: Chrome::new(ctx, "/deliberations").with_flash(flash),
        staff,
        opens: when(d.opens_at),
        closes: when(d.closes_at),
        closed_why: d.participation().err().map(|code| t.code("problem", code)),
        progress,
        files: store::attachments::of(&state.db, &caller, Owner::Deliberation(id)).await?,
        may_attach: staff && d.state() != DState::Reported,
        steps: steps
            .into_iter()
            .map(|(step, key)| (step, t.s(key)))
            .collect(),
        pending,
        alert,
        max: MAX_STATEMENT,
        consultation,
        d,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    /// Set after a statement was added: `pending` or `accepted`.
    added: Option<String>,
}

/// A deliberation's page.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let flash = match q.added.as_deref() {
        Some("pending") => Some(t.s("deliberation.added_pending").to_string()),
        Some("accepted") => Some(t.s("deliberation.added_accepted").to_string()),
        _ => None,
    };
    topic_page(&state, &ctx, &headers, id, None, flash).await
}

/// Answers a form on the topic's page: back to the page (at `anchor`), or
/// the page again with the refusal.
async fn back(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    r: Result<String, StoreError>,
) -> WebResult<Response> {
    match r {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(
            e @ (StoreError::Invalid(_)
            | StoreError::Conflict { .. }
            | StoreError::Forbidden
            | StoreError::Throttled(_)),
        ) => topic_page(state, ctx, headers, id, Some(e), None).await,
        Err(e) => Err(e.into()),
    }
}

/// A vote from the voting card.
pub async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let speaker = Speaker::of(&state, &ctx, &headers, true).await?;
    let caller = ctx.visitor();
    let r = async {
        let sid: i64 = form
            .one("statement_id")
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| StoreError::invalid("statement_id", "required"))?;
        let v = super::api::vote_of(&serde_json::Value::String(
            form.one("vote").unwrap_or_default(),
        ))?;
        deliberations::vote(&state.db, speaker.voice(&caller), id, sid, v).await?;
        Ok(format!("/deliberations/{id}#vote"))
    }
    .await;
    Ok(speaker.finish(back(&state, &ctx, &headers, id, r).await?))
}

/// A new statement from the topic's page.
pub async fn add_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let speaker = Speaker::of(&state, &ctx, &headers, true).await?;
    let caller = ctx.visitor();
    let text = form.one("body").unwrap_or_default();
    let r = deliberations::add_statement(&state.db, speaker.voice(&caller), id, &text)
        .await
        .map(|s| format!("/deliberations/{id}?added={}#vote", s.status));
    Ok(speaker.finish(back(&state, &ctx, &headers, id, r).await?))
}

/// A step from the topic's page (`publish-report` comes from the results page).
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, step)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let step = Step::parse(&step).ok_or(WebError::NoRoute)?;
    let form = FormPairs::parse(&body)?;
    let version = form.version();
    let report = form.one("report");
    let r = deliberations::act(
        &state.db,
        &ctx.caller()?,
        id,
        step,
        version,
        report.as_deref(),
    )
    .await;
    match (step, r) {
        (Step::PublishReport, Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. }))) => {
            results_page(&state, &ctx, id, None, Some(e), None).await
        }
        (Step::PublishReport, Ok(_)) => {
            Ok(Redirect::to(&format!("/deliberations/{id}/results#report")).into_response())
        }
        (_, r) => {
            back(
                &state,
                &ctx,
                &headers,
                id,
                r.map(|_| format!("/deliberations/{id}")),
            )
            .await
        }
    }
}

/// A background document from the topic's page.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    m: axum::extract::Multipart,
) -> WebResult<Response> {
    let r = crate::proposals::files::attach(&state, &ctx, Owner::Deliberation(id), m)
        .await?
        .map(|_| format!("/deliberations/{id}#files-h"));
    back(&state, &ctx, &headers, id, r).await
}

/// Removes a background document.
pub async fn remove_file(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, aid)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let r = store::attachments::remove(&state.db, &ctx.caller()?, aid)
        .await
        .map(|_| format!("/deliberations/{id}#files-h"));
    back(&state, &ctx, &headers, id, r).await
}

#[derive(Template)]
#[template(path = "deliberation_moderation.html")]
struct ModerationPage {
    c: Chrome,
    d: Deliberation,
    /// One page of the statements, each with its tally in words.
    statements: Vec<(Statement, String)>,
    pager: Pager,
    only_pending: bool,
    alert: Option<String>,
}

#[derive(Deserialize)]
pub struct ModerationQuery {
    /// `all` shows every statement; by default only those waiting.
    show: Option<String>,
    page: Option<i64>,
}

/// Statements on one page of the moderation queue.
const QUEUE_PER_PAGE: i64 = 50;

/// The moderation queue's address: which statements, which page.
fn queue_link(id: i64, only_pending: bool, page: i64) -> String {
    match (only_pending, page) {
        (true, 1) => format!("/deliberations/{id}/moderation"),
        (true, n) => format!("/deliberations/{id}/moderation?page={n}"),
        (false, n) => format!("/deliberations/{id}/moderation?show=all&page={n}"),
    }
}

async fn moderation_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    only_pending: bool,
    page: Option<i64>,
    err: Option<StoreError>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let (d, part) = deliberations::get(&state.db, &caller, id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden.into());
    }
    let status = only_pending.then_some(StatementStatus::Pending);
    let all = deliberations::statements(&state.db, &caller, id, status).await?;
    // A page past the last shows the last (deciding the last statements
    // of the last page leaves it empty).
    let (shown, pager) = Pager::page_of(all, page, QUEUE_PER_PAGE, |n| {
        queue_link(id, only_pending, n)
    });
    let statements = shown
        .into_iter()
        .map(|s| {
            let tally = tally(ctx, &s);
            (s, tally)
        })
        .collect();
    let (alert, code) = alert_of(ctx, err);
    let mut r = html(ModerationPage {
        c: Chrome::new(ctx, "/deliberations"),
        d,
        statements,
        pager,
        only_pending,
        alert,
    })?;
    *r.status_mut() = code;
    Ok(r)
}

/// The moderation queue (the consultation office).
pub async fn moderation(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<ModerationQuery>,
) -> WebResult<Response> {
    let only_pending = q.show.as_deref() != Some("all");
    moderation_page(&state, &ctx, id, only_pending, q.page, None).await
}

/// Accepts or rejects a statement from the queue.
pub async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, sid)): Path<(i64, i64)>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let all = form.one("show").as_deref() == Some("all");
    // The page the decision was made on, to come back to.
    let page = form
        .one("page")
        .and_then(|p| p.parse::<i64>().ok())
        .map(|p| p.clamp(1, 1_000_000));
    let decision = match form.one("decision").as_deref() {
        Some("accepted") => Ok(StatementStatus::Accepted),
        Some("rejected") => Ok(StatementStatus::Rejected),
        _ => Err(StoreError::invalid("decision", "invalid_choice")),
    };
    let r = match decision {
        Ok(dec) => deliberations::moderate(&state.db, &ctx.caller()?, id, sid, dec).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&queue_link(id, !all, page.unwrap_or(1))).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            moderation_page(&state, &ctx, id, !all, page, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A participant on the map as the SVG draws it.
struct Dot {
    cx: String,
    cy: String,
    class: String,
}

/// A statement's votes in words.
fn tally(ctx: &Ctx, s: &Statement) -> String {
    ctx.tr()
        .f("deliberation.tally", &[&s.agree, &s.disagree, &s.pass])
}

/// A statement's bar: the widths (of 100) of agree, disagree and pass.
struct Bar {
    s: Statement,
    tally: String,
    agree: i64,
    disagree: i64,
    pass: i64,
    /// How each opinion group voted on it, as of the last computation.
    groups: Vec<GroupBar>,
}

/// One group's bar under a statement's.
struct GroupBar {
    number: usize,
    /// The group's name and its votes, in words.
    label: String,
    agree: i64,
    disagree: i64,
    pass: i64,
}

/// Widths (of 100) of agree, disagree and pass; all 0 without votes. What
/// rounding down leaves goes to the largest remainders, so that a bar with
/// votes is full and a kind nobody chose gets no width.
fn widths(agree: i64, disagree: i64, pass: i64) -> [i64; 3] {
    let counts = [agree, disagree, pass].map(|n| n.max(0));
    let total: i64 = counts.iter().sum();
    if total == 0 {
        return [0; 3];
    }
    let mut w = counts.map(|n| n * 100 / total);
    let mut order = [0, 1, 2];
    // Largest remainder first; ties to the earlier kind.
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i] * 100 % total));
    let left = 100 - w.iter().sum::<i64>();
    for &i in order.iter().take(left as usize) {
        w[i] += 1;
    }
    w
}

#[derive(Template)]
#[template(path = "deliberation_results.html")]
struct ResultsPage {
    c: Chrome,
    d: Deliberation,
    staff: bool,
    r: Results,
    /// Who took part, in words.
    counts: String,
    /// When the results were computed, in the committee's time (empty: not yet).
    computed: String,
    dots: Vec<Dot>,
    /// The reader's own point on the map, when they took part and are on it.
    you: Option<Dot>,
    /// The reader's own opinion group: `Some(None)` for a participant not
    /// placed in one while there are groups, none otherwise.
    your_group: Option<Option<usize>>,
    /// One page of the statements' bars, most voted first.
    bars: Vec<Bar>,
    /// Where that page is among the pages of bars.
    pager: Pager,
    alert: Option<String>,
    /// The tag of what the page shows (its ETag, without quotes).
    live: String,
    live_every: u32,
}

/// Statements' bars on one results page: a deliberation of 10,000
/// statements made a page of 12 MB with all of them.
const BARS_PER_PAGE: i64 = 50;

/// Which page of the statements' bars the results page shows.
#[derive(Deserialize)]
pub struct ResultsQuery {
    page: Option<i64>,
}

/// How often an open deliberation's results page asks for newer results,
/// in seconds (the background job recomputes them every two).
const LIVE_EVERY: u32 = 5;

/// The tag of a results page as one reader sees it: the stored results'
/// stamp, the deliberation's version and state, and what differs between
/// readers (who, which language, the form token). Unchanged, the page is
/// unchanged, apart from the statements' bars, which follow the votes
/// directly and so are at most one recomputation ahead of it.
fn live_tag(ctx: &Ctx, d: &Deliberation, staff: bool, stamp: &str) -> String {
    let who = ctx.user.as_ref().map_or(0, |u| u.user.id);
    let msg = format!(
        "{stamp}|{}|{}|{who}|{staff}|{}|{}",
        d.version,
        d.state,
        ctx.lang.tag(),
        ctx.csrf
    );
    let mut tag = store::ids::hmac_sha256_hex(b"xieshang results page", msg.as_bytes());
    tag.truncate(24);
    tag
}

/// Whether an `If-None-Match` header names `tag`.
fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(axum::http::header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|v| v == tag)
}

async fn results_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    page: Option<i64>,
    err: Option<StoreError>,
    headers: Option<&HeaderMap>,
) -> WebResult<Response> {
    let caller = ctx.visitor();
    let (d, part) = deliberations::get(&state.db, &caller, id).await?;
    // The reader's own place is part of what the page shows, so of its tag.
    let none = HeaderMap::new();
    let speaker = super::Speaker::of(state, ctx, headers.unwrap_or(&none), false).await?;
    let yours = deliberations::place_of(&state.db, speaker.voice(&caller), &d).await?;
    let stamp = deliberation_results::stamp(&state.db, id).await?;
    let live = live_tag(ctx, &d, part == Part::Staff, &format!("{stamp}|{yours:?}"));
    let etag = |r: &mut Response| {
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("\"{live}\"")) {
            r.headers_mut().insert(axum::http::header::ETAG, v);
        }
        r.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("private, no-cache"),
        );
    };
    // A reader (the page's own script, or a browser revalidating) who
    // already has these results gets no page again.
    if err.is_none() && headers.is_some_and(|h| matches(h, &live)) {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        etag(&mut r);
        return Ok(r);
    }
    let r = deliberation_results::of(&state.db, id)
        .await?
        .unwrap_or_default();
    // The map's y axis points up, as a reader expects of a scatter.
    let dots = r
        .points
        .iter()
        .map(|p| Dot {
            cx: format!("{:.3}", p.x),
            cy: format!("{:.3}", -p.y),
            class: format!("g{}", p.group.unwrap_or(0)),
        })
        .collect();
    let yours = yours.map(|y| y.on_map(r.scale));
    let you = yours
        .as_ref()
        .filter(|_| !r.points.is_empty())
        .and_then(|y| Some((y.x?, y.y?, y.group)))
        .map(|(x, y, group)| Dot {
            cx: format!("{x:.3}"),
            cy: format!("{:.3}", -y),
            class: format!("you g{}", group.unwrap_or(0)),
        });
    let your_group = yours
        .as_ref()
        .filter(|_| !r.groups.is_empty())
        .map(|y| y.group.and_then(|g| usize::try_from(g).ok()));
    let mut statements = deliberations::statements(&state.db, &caller, id, None).await?;
    statements.retain(|s| s.status != "rejected");
    statements.sort_by_key(|s| std::cmp::Reverse(s.votes()));
    let (statements, pager) = Pager::page_of(statements, page, BARS_PER_PAGE, |n| {
        format!("/deliberations/{id}/results?page={n}#bars-h")
    });
    let by_group = r.group_votes();
    let t = ctx.tr();
    let bars = statements
        .into_iter()
        .map(|s| {
            let [agree, disagree, pass] = widths(s.agree, s.disagree, s.pass);
            Bar {
                tally: tally(ctx, &s),
                agree,
                disagree,
                pass,
                groups: by_group
                    .get(&s.id)
                    .copied()
                    .unwrap_or_default()
                    .iter()
                    .map(|v| {
                        let [agree, disagree, pass] =
                            widths(v.agree.into(), v.disagree.into(), v.pass.into());
                        GroupBar {
                            number: v.group,
                            label: t.f(
                                "deliberation.group_tally",
                                &[&v.group, &v.agree, &v.disagree, &v.pass],
                            ),
                            agree,
                            disagree,
                            pass,
                        }
                    })
                    .collect(),
                s,
            }
        })
        .collect();
    let (alert, code) = alert_of(ctx, err);
    let mut page = html(ResultsPage {
        c: Chrome::new(ctx, "/deliberations"),
        staff: part == Part::Staff,
        computed: store::clock::parse_rfc3339(&r.computed_at)
            .map(when)
            .unwrap_or_default(),
        counts: ctx.tr().f(
            "deliberation.counts",
            &[&r.participants, &r.clustered, &r.votes, &r.statements],
        ),
        d,
        r,
        dots,
        you,
        your_group,
        bars,
        pager,
        alert,
        live: live.clone(),
        live_every: LIVE_EVERY,
    })?;
    *page.status_mut() = code;
    if code.is_success() {
        etag(&mut page);
    }
    Ok(page)
}

/// The results: opinion map, groups, common ground, every statement's bar.
/// While the deliberation is open the page refreshes them itself (app.js),
/// asking with the tag of what it shows; unchanged results answer 304.
pub async fn results(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    results_page(&state, &ctx, id, q.page, None, Some(&headers)).await
}

#[cfg(test)]
mod tests {
    use super::widths;

    #[test]
    fn a_bar_with_votes_is_full_and_one_without_is_empty() {
        assert_eq!(widths(1, 1, 1), [34, 33, 33]);
        assert_eq!(widths(2, 1, 0), [67, 33, 0]);
        assert_eq!(widths(139, 47, 32), [64, 21, 15]);
        assert_eq!(widths(5, 0, 0), [100, 0, 0]);
        assert_eq!(widths(0, 0, 0), [0, 0, 0]);
    }
}
