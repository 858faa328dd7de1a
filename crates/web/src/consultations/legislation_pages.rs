//! The pages of legislative consultation: the committee's drafts with the
//! upload form (text or DOCX), and a draft's page — chapters, articles and
//! paragraphs, each paragraph with its comment form (quoting a passage if
//! the member likes) and, for staff, every article's comments with counts
//! and accept / not accept buttons, closing, and the DOCX opinion.

use super::legislation_api::{opinion_docx, read_draft_form};
use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::org_pages::chosen_committee;
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::Chrome;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::StoreError;
use store::consultations::is_staff;
use store::legislation::{self, Draft, DraftComment};

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftsPage {
    c: Chrome,
    committee_id: i64,
    drafts: Vec<Draft>,
    staff: bool,
    title: String,
    text: String,
    alert: Option<String>,
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

async fn drafts_page(
    state: &AppState,
    ctx: &Ctx,
    committee_id: i64,
    form: (String, String),
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let (alert, status) = crate::view::step_problem(ctx, &mut [], err);
    let mut r = html(DraftsPage {
        c: Chrome::new(ctx, "/consultations"),
        committee_id,
        drafts: legislation::list(&state.db, &caller, committee_id).await?,
        staff: is_staff(&caller, committee_id),
        title: form.0,
        text: form.1,
        alert,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

/// The committee's draft regulations.
pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    drafts_page(&state, &ctx, committee_id, Default::default(), None).await
}

/// Uploads a draft (text or DOCX) and shows it.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    m: Multipart,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let upload = read_draft_form(m).await?;
    let kept = (upload.title.clone(), upload.text.clone());
    let r = match upload.input() {
        Ok(input) => legislation::create(&state.db, &ctx.caller()?, committee_id, &input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => Ok(Redirect::to(&format!("/legislative-drafts/{}", d.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            drafts_page(&state, &ctx, committee_id, kept, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// One chapter, article or paragraph as the page draws it.
struct Row {
    kind: String,
    id: i64,
    label: String,
    text: String,
    /// For an article (staff): its comments.
    count: usize,
    /// For a paragraph: the comments the reader may see on it.
    comments: Vec<DraftComment>,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    c: Chrome,
    d: Draft,
    rows: Vec<Row>,
    staff: bool,
    open: bool,
    total: usize,
    alert: Option<String>,
}

async fn draft_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let d = legislation::get(&state.db, &caller, id).await?;
    let parts = legislation::parts(&state.db, id).await?;
    let comments = legislation::comments(&state.db, &caller, &d).await?;
    let rows = parts
        .into_iter()
        .map(|p| Row {
            count: comments.iter().filter(|c| c.article_id == p.id).count(),
            comments: comments
                .iter()
                .filter(|c| c.paragraph_id == p.id)
                .cloned()
                .collect(),
            kind: p.kind,
            id: p.id,
            label: p.label,
            text: p.text,
        })
        .collect();
    let (alert, status) = crate::view::step_problem(ctx, &mut [], err);
    let mut r = html(DraftPage {
        c: Chrome::new(ctx, "/consultations"),
        staff: legislation::sees_all(&caller, &d),
        open: d.state == "open" && !caller.is_anonymous(),
        total: comments.len(),
        rows,
        d,
        alert,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

/// A draft's page.
pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    draft_page(&state, &ctx, id, None).await
}

async fn back(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<(), StoreError>,
    anchor: String,
) -> WebResult<Response> {
    crate::view::after(
        r,
        format!("/legislative-drafts/{id}#{anchor}"),
        |e| async move { draft_page(state, ctx, id, Some(&e)).await },
    )
    .await
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    paragraph_id: String,
    #[serde(default)]
    quote: String,
    #[serde(default)]
    body: String,
}

/// Comments on a paragraph.
pub async fn comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<CommentForm>,
) -> WebResult<Response> {
    let r = match f.paragraph_id.parse::<i64>() {
        Ok(pid) => legislation::comment(&state.db, &ctx.caller()?, id, pid, &f.quote, &f.body)
            .await
            .map(|_| ()),
        Err(_) => Err(StoreError::invalid("paragraph_id", "not_found")),
    };
    back(&state, &ctx, id, r, format!("p{}", f.paragraph_id)).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    paragraph_id: String,
}

/// Marks a comment accepted or not.
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    axum::extract::Form(f): axum::extract::Form<DecisionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let d = legislation::get(&state.db, &caller, id).await?;
    let mine = legislation::comments(&state.db, &caller, &d).await?;
    let r = if mine.iter().any(|c| c.id == cid) {
        legislation::decide(&state.db, &caller, cid, &f.decision, f.version.parse().ok()).await
    } else {
        Err(StoreError::NotFound)
    };
    back(&state, &ctx, id, r, format!("p{}", f.paragraph_id)).await
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

/// Closes the draft to comments.
pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<VersionForm>,
) -> WebResult<Response> {
    let r = legislation::close(&state.db, &ctx.caller()?, id, f.version.parse().ok())
        .await
        .map(|_| ());
    back(&state, &ctx, id, r, String::new()).await
}

/// The committee's opinion as a DOCX.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    opinion_docx(&state, &ctx, id).await
}
