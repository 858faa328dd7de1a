//! RFC 9457 problem details for the JSON API, in the caller's language.

use crate::ctx::Ctx;
use crate::error::WebError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use store::StoreError;

/// A problem details document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The stable code of the problem.
    pub code: String,
    /// The invalid fields, for 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For a stale version (409): the record's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// For a step not allowed now (409): the record's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// One invalid field.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
    pub code: String,
}

/// Builds the problem document of an error.
pub fn of(ctx: &Ctx, err: &WebError) -> Problem {
    let tr = ctx.tr();
    let code = err.code();
    let title = tr.code("problem", code);
    let detail = match err {
        WebError::Store(StoreError::Throttled(s)) => tr.f("problem.throttled_detail", &[s]),
        WebError::Store(StoreError::Conflict {
            code: "wrong_state",
            current: Some(s),
        }) => tr.f("problem.wrong_state_detail", &[&tr.code(ctx.states, s)]),
        WebError::Store(StoreError::Conflict {
            current: Some(v), ..
        }) => tr.f("problem.current_detail", &[v]),
        _ => title.clone(),
    };
    Problem {
        kind: format!("/problems/{code}"),
        title,
        status: err.status().as_u16(),
        detail,
        code: code.to_string(),
        errors: err
            .fields()
            .iter()
            .map(|f| FieldProblem {
                field: f.field.to_string(),
                message: tr.code("error", f.code),
                code: f.code.to_string(),
            })
            .collect(),
        current: match err {
            WebError::Store(StoreError::Conflict { code, current }) if *code != "wrong_state" => {
                current.clone()
            }
            _ => None,
        },
        state: match err {
            WebError::Store(StoreError::Conflict {
                code: "wrong_state",
                current,
            }) => current.clone(),
            _ => None,
        },
    }
}

/// The problem as a response.
pub fn response(ctx: &Ctx, err: &WebError) -> Response {
    let body = serde_json::to_string(&of(ctx, err)).unwrap_or_default();
    (
        err.status(),
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}
