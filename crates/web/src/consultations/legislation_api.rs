//! The JSON API of legislative consultation: draft regulations split into
//! chapters, articles and paragraphs; comments on paragraphs; decisions on
//! them; and the committee's opinion as a DOCX ordered by article.

use crate::api_extract::{ApiJson, ApiJsonOrEmpty, IfMatch};
use crate::ctx::Ctx;
use crate::download::{self, attachment};
use crate::error::{WebError, WebResult};
use crate::platform::api::{committee_of, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use store::StoreError;
use store::legislation::{self, Draft, DraftComment, DraftInput, DraftPart};
use utoipa::{IntoParams, ToSchema};

/// Which committee's drafts.
#[derive(Deserialize, IntoParams)]
pub struct DraftParams {
    pub committee_id: Option<i64>,
}

/// The committee's draft regulations, newest first.
#[utoipa::path(get, path = "/legislative-drafts", tag = "consultations", params(DraftParams),
    responses((status = 200, body = Vec<Draft>), (status = 404, body = Problem)))]
pub async fn list_drafts(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<DraftParams>,
) -> WebResult<Json<Vec<Draft>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        legislation::list(&state.db, &ctx.caller()?, committee_id).await?,
    ))
}

/// A draft to upload as text (a DOCX goes to `/legislative-drafts/docx`).
#[derive(Deserialize, ToSchema)]
pub struct DraftBody {
    #[serde(default)]
    pub title: String,
    /// The regulation's text with 第…章 and 第…条 headings.
    pub text: String,
    pub consultation_id: Option<i64>,
    pub committee_id: Option<i64>,
}

/// The text of an uploaded DOCX, or a clear error.
pub(crate) fn docx_text(bytes: &[u8]) -> Result<String, StoreError> {
    if bytes.len() > domain::files::MAX_FILE {
        return Err(StoreError::invalid("file", "file_too_large"));
    }
    if domain::files::sniff(bytes) != Some(domain::files::FileKind::Docx) {
        return Err(StoreError::invalid("file", "file_type"));
    }
    export::docx::text_of(bytes).ok_or_else(|| StoreError::invalid("file", "file_type"))
}

/// Uploads a draft regulation (consultation office): split at once, open
/// for comments. 422 `no_articles` when no 第…条 is found.
#[utoipa::path(post, path = "/legislative-drafts", tag = "consultations", request_body = DraftBody,
    responses((status = 201, body = Draft), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<DraftBody>,
) -> WebResult<Response> {
    let committee_id = committee_of(&ctx, b.committee_id)?;
    let input = DraftInput {
        title: b.title.clone(),
        text: b.text.clone(),
        consultation_id: b.consultation_id,
    };
    Ok(created(
        legislation::create(&state.db, &ctx.caller()?, committee_id, &input).await?,
    ))
}

/// A draft from a form: `title`, `consultation_id`, and `text` or a `file`.
pub(crate) struct DraftUpload {
    pub title: String,
    pub text: String,
    pub consultation_id: Option<i64>,
    pub file: Option<Vec<u8>>,
}

/// Reads a draft's multipart form.
pub(crate) async fn read_draft_form(mut m: axum::extract::Multipart) -> WebResult<DraftUpload> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge
        } else {
            WebError::Malformed(e.body_text())
        }
    };
    let mut out = DraftUpload {
        title: String::new(),
        text: String::new(),
        consultation_id: None,
        file: None,
    };
    while let Some(field) = m.next_field().await.map_err(bad)? {
        match field.name() {
            Some("title") => out.title = field.text().await.map_err(bad)?,
            Some("text") => out.text = field.text().await.map_err(bad)?,
            Some("consultation_id") => {
                let v = field.text().await.map_err(bad)?;
                out.consultation_id = match v.trim() {
                    "" => None,
                    v => Some(
                        v.parse()
                            .map_err(|_| StoreError::invalid("consultation_id", "not_a_number"))?,
                    ),
                };
            }
            Some("file") => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    out.file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

impl DraftUpload {
    /// The draft to create: the file's text when a file came, else the text.
    pub(crate) fn input(self) -> Result<DraftInput, StoreError> {
        let text = match &self.file {
            Some(bytes) => docx_text(bytes)?,
            None => self.text,
        };
        Ok(DraftInput {
            title: self.title,
            text,
            consultation_id: self.consultation_id,
        })
    }
}

/// Uploads a draft regulation as a DOCX (multipart form: `file`, and
/// optionally `title` and `consultation_id`).
#[utoipa::path(post, path = "/legislative-drafts/docx", tag = "consultations",
    params(DraftParams),
    request_body(content_type = "multipart/form-data", description = "`file` (DOCX), `title`, `consultation_id`"),
    responses((status = 201, body = Draft), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create_draft_docx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<DraftParams>,
    m: axum::extract::Multipart,
) -> WebResult<Response> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    let upload = read_draft_form(m).await?;
    if upload.file.is_none() {
        return Err(StoreError::invalid("file", "required").into());
    }
    let input = upload.input()?;
    Ok(created(
        legislation::create(&state.db, &ctx.caller()?, committee_id, &input).await?,
    ))
}

/// A draft with its parts and the comments the caller may see (staff:
/// all; others: their own).
#[derive(Serialize, ToSchema)]
pub struct DraftDetail {
    #[serde(flatten)]
    pub draft: Draft,
    pub parts: Vec<DraftPart>,
    pub comments: Vec<DraftComment>,
}

/// One draft regulation (and, as `/legislative-drafts/{id}.docx`, the
/// committee's opinion on it).
#[utoipa::path(get, path = "/legislative-drafts/{id}", tag = "consultations", params(("id" = String, Path)),
    responses((status = 200, body = DraftDetail), (status = 404, body = Problem)))]
pub async fn get_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Response> {
    use axum::response::IntoResponse;
    if let Some(n) = id.strip_suffix(".docx") {
        let id = n.parse().map_err(|_| WebError::NoRoute)?;
        return opinion_docx(&state, &ctx, id).await;
    }
    let id: i64 = id.parse().map_err(|_| WebError::NoRoute)?;
    let caller = ctx.caller()?;
    let draft = legislation::get(&state.db, &caller, id).await?;
    Ok(Json(DraftDetail {
        parts: legislation::parts(&state.db, id).await?,
        comments: legislation::comments(&state.db, &caller, &draft).await?,
        draft,
    })
    .into_response())
}

/// The committee's opinion (the accepted comments, article by article) as
/// a DOCX; for the consultation office.
pub(crate) async fn opinion_docx(state: &AppState, ctx: &Ctx, id: i64) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let draft = legislation::get(&state.db, &caller, id).await?;
    if !legislation::sees_all(&caller, &draft) {
        return Err(StoreError::Forbidden.into());
    }
    let parts = legislation::parts(&state.db, id).await?;
    let comments = legislation::comments(&state.db, &caller, &draft).await?;
    let committee =
        store::platform::committees::get(&state.db, &caller, draft.committee_id).await?;
    let mut articles = Vec::new();
    for a in parts.iter().filter(|p| p.kind == "article") {
        let mine: Vec<String> = comments
            .iter()
            .filter(|c| c.article_id == a.id && c.decision == "accepted")
            .map(|c| {
                if c.quote.is_empty() {
                    c.body.clone()
                } else {
                    format!("“{}”：{}", c.quote, c.body)
                }
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let text: Vec<&str> = parts
            .iter()
            .filter(|p| p.article_id == Some(a.id))
            .map(|p| p.text.as_str())
            .collect();
        articles.push((a.label.clone(), text.join("\n"), mine));
    }
    let doc = export::docx::LegislativeOpinion {
        title: t.f("draft.opinion_title", &[&draft.title]),
        publisher: format!(
            "{}　{}",
            committee.name,
            store::clock::local_date(store::clock::now())
        ),
        articles,
    };
    let bytes = export::docx::legislative_opinion(&doc)
        .map_err(|e| WebError::from(StoreError::Internal(e.to_string())))?;
    Ok(attachment(
        bytes,
        download::DOCX,
        &format!("{}.docx", draft.title),
    ))
}

/// Documents `GET /legislative-drafts/{id}.docx`.
#[utoipa::path(get, path = "/legislative-drafts/{id}.docx", tag = "consultations", params(("id" = i64, Path)),
    responses((status = 200, description = "The committee's opinion, article by article, as a Word document", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
#[allow(dead_code)]
pub(crate) async fn opinion_docx_doc(Path(_id): Path<i64>) {}

/// A comment on a paragraph.
#[derive(Deserialize, ToSchema)]
pub struct DraftCommentBody {
    pub paragraph_id: i64,
    /// A passage of the paragraph, quoted (optional).
    #[serde(default)]
    pub quote: String,
    pub body: String,
}

/// Comments on a paragraph of an open draft (409 `draft_closed` after).
#[utoipa::path(post, path = "/legislative-drafts/{id}/comments", tag = "consultations", params(("id" = i64, Path)),
    request_body = DraftCommentBody,
    responses((status = 201, body = Vec<DraftComment>), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DraftCommentBody>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    legislation::comment(&state.db, &caller, id, b.paragraph_id, &b.quote, &b.body).await?;
    let draft = legislation::get(&state.db, &caller, id).await?;
    Ok(created(
        legislation::comments(&state.db, &caller, &draft).await?,
    ))
}

/// A decision on a comment.
#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// `accepted`, `not_accepted` or `pending`.
    pub decision: String,
    pub version: Option<i64>,
}

/// Marks a comment accepted or not (consultation office).
#[utoipa::path(patch, path = "/legislative-drafts/{id}/comments/{cid}", tag = "consultations",
    params(("id" = i64, Path), ("cid" = i64, Path), ("If-Match" = Option<String>, Header, description = "The comment's version")),
    request_body = DecisionBody,
    responses((status = 200, body = Vec<DraftComment>), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<DecisionBody>,
) -> WebResult<Json<Vec<DraftComment>>> {
    let caller = ctx.caller()?;
    let draft = legislation::get(&state.db, &caller, id).await?;
    let all = legislation::comments(&state.db, &caller, &draft).await?;
    if !all.iter().any(|c| c.id == cid) {
        return Err(StoreError::NotFound.into());
    }
    legislation::decide(&state.db, &caller, cid, &b.decision, v.or(b.version)).await?;
    Ok(Json(
        legislation::comments(&state.db, &caller, &draft).await?,
    ))
}

/// A version to act on.
#[derive(Deserialize, Default, ToSchema)]
pub struct CloseBody {
    pub version: Option<i64>,
}

/// Closes the draft to comments (consultation office).
#[utoipa::path(post, path = "/legislative-drafts/{id}/actions/close", tag = "consultations",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The draft's version")),
    request_body = CloseBody,
    responses((status = 200, body = Draft), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn close_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJsonOrEmpty(b): ApiJsonOrEmpty<CloseBody>,
) -> WebResult<Json<Draft>> {
    Ok(Json(
        legislation::close(&state.db, &ctx.caller()?, id, v.or(b.version)).await?,
    ))
}
