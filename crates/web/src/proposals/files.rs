//! A proposal's files (attachments and reply documents) and its commitment
//! checklist, in the JSON API and from the forms on the proposal's page.

use crate::api_extract::ApiJson;
use crate::ctx::Ctx;
use crate::download::attachment;
use crate::error::{WebError, WebResult};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::StoreError;
use store::attachments::{self, Attachment, Owner, Purpose};
use store::commitments::{self, Commitment};
use utoipa::ToSchema;

/// An upload: its purpose, file name and bytes, read from a multipart form.
pub(crate) struct Upload {
    pub(crate) purpose: Purpose,
    pub(crate) name: String,
    pub(crate) bytes: Vec<u8>,
}

/// Reads an upload and attaches it to `owner`, for the API and the pages of
/// every kind of record alike: the attachment, or the store's refusal of
/// the file or of the record (which a page shows beside its form); a
/// request that could not be read is the outer error.
pub(crate) async fn attach(
    state: &AppState,
    ctx: &Ctx,
    owner: Owner,
    m: Multipart,
) -> WebResult<Result<attachments::Attachment, StoreError>> {
    let u = match read_upload(m).await {
        Ok(u) => u,
        Err(WebError::Store(e)) => return Ok(Err(e)),
        Err(e) => return Err(e),
    };
    Ok(attachments::add(
        &state.db,
        &ctx.caller()?,
        owner,
        u.purpose,
        &u.name,
        &u.bytes,
    )
    .await)
}

pub(crate) async fn read_upload(mut m: Multipart) -> WebResult<Upload> {
    let mut purpose = Purpose::Attachment;
    let mut file = None;
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge
        } else {
            WebError::Malformed(e.body_text())
        }
    };
    while let Some(field) = m.next_field().await.map_err(bad)? {
        match field.name() {
            Some("purpose") => {
                let v = field.text().await.map_err(bad)?;
                purpose = Purpose::parse(v.trim())
                    .ok_or_else(|| StoreError::invalid("purpose", "invalid_choice"))?;
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    file = Some((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| StoreError::invalid("file", "required"))?;
    Ok(Upload {
        purpose,
        name,
        bytes,
    })
}

/// The files of a proposal.
#[utoipa::path(get, path = "/proposals/{id}/attachments", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = Problem)))]
pub async fn list_attachments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Attachment>>> {
    Ok(Json(
        attachments::of(&state.db, &ctx.caller()?, Owner::Proposal(id)).await?,
    ))
}

/// Attaches a file (multipart form: `file`, and `purpose` — `attachment` for
/// the proposer while drafting, `reply` for a lead unit's reply document).
/// PDF, DOCX, XLSX, JPEG or PNG up to 10 MB, told from the content.
#[utoipa::path(post, path = "/proposals/{id}/attachments", tag = "proposals", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "`file` and `purpose`"),
    responses((status = 201, body = Attachment), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    m: Multipart,
) -> WebResult<Response> {
    let a = attach(&state, &ctx, Owner::Proposal(id), m).await??;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// Downloads a file, as an attachment with its cleaned name.
#[utoipa::path(get, path = "/attachments/{id}", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, description = "The file"), (status = 404, body = Problem)))]
pub async fn download_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    // Visitors who are not signed in may fetch a public deliberation's
    // documents; for anything else they are asked to sign in.
    let (a, bytes) = match attachments::download(&state.db, &ctx.visitor(), id).await {
        Err(store::StoreError::NotFound) if ctx.user.is_none() => {
            return Err(WebError::Unauthenticated);
        }
        r => r?,
    };
    Ok(attachment(bytes, &a.content_type, &a.file_name))
}

/// Removes a file: its uploader, while one could still be added.
#[utoipa::path(delete, path = "/attachments/{id}", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<StatusCode> {
    attachments::remove(&state.db, &ctx.caller()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The commitment checklist of a proposal.
#[utoipa::path(get, path = "/proposals/{id}/commitments", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Commitment>), (status = 404, body = Problem)))]
pub async fn list_commitments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Commitment>>> {
    Ok(Json(
        commitments::of_proposal(&state.db, &ctx.caller()?, id).await?,
    ))
}

/// A commitment to add.
#[derive(Deserialize, ToSchema)]
pub struct CommitmentBody {
    pub text: String,
}

/// Adds a commitment (a lead unit or the proposals office, once assigned).
#[utoipa::path(post, path = "/proposals/{id}/commitments", tag = "proposals", params(("id" = i64, Path)),
    request_body = CommitmentBody,
    responses((status = 201, body = Commitment), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_commitment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CommitmentBody>,
) -> WebResult<Response> {
    let c = commitments::add(&state.db, &ctx.caller()?, id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// Evidence that a commitment is kept.
#[derive(Deserialize, ToSchema)]
pub struct DoneBody {
    pub evidence: String,
    /// The version the change is based on.
    pub version: Option<i64>,
}

/// Ticks a commitment off with evidence.
#[utoipa::path(post, path = "/proposals/{id}/commitments/{commitment_id}/done", tag = "proposals",
    params(("id" = i64, Path), ("commitment_id" = i64, Path)), request_body = DoneBody,
    responses((status = 200, body = Commitment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn complete_commitment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<DoneBody>,
) -> WebResult<Json<Commitment>> {
    let c = commitments::complete(&state.db, &ctx.caller()?, cid, &b.evidence, b.version).await?;
    if c.proposal_id != id {
        return Err(StoreError::NotFound.into());
    }
    Ok(Json(c))
}

/// A page action's result: back to the proposal, or its page with the error.
async fn back(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<(), StoreError>,
) -> WebResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            super::pages::proposal_page(state, ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Uploads from the proposal's page.
pub async fn upload_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    m: Multipart,
) -> WebResult<Response> {
    let r = attach(&state, &ctx, Owner::Proposal(id), m)
        .await?
        .map(|_| ());
    back(&state, &ctx, id, r).await
}

/// Removes a file from the proposal's page.
pub async fn delete_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let r = attachments::remove(&state.db, &ctx.caller()?, aid).await;
    back(&state, &ctx, id, r).await
}

#[derive(Deserialize)]
pub struct CommitmentForm {
    #[serde(default)]
    text: String,
}

/// Adds a commitment from the proposal's page.
pub async fn add_commitment_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CommitmentForm>,
) -> WebResult<Response> {
    let r = commitments::add(&state.db, &ctx.caller()?, id, &f.text)
        .await
        .map(|_| ());
    back(&state, &ctx, id, r).await
}

#[derive(Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    evidence: String,
    version: Option<i64>,
}

/// Ticks a commitment off from the proposal's page.
pub async fn complete_commitment_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<DoneForm>,
) -> WebResult<Response> {
    let r = commitments::complete(&state.db, &ctx.caller()?, cid, &f.evidence, f.version)
        .await
        .map(|_| ());
    back(&state, &ctx, id, r).await
}
