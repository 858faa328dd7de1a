//! Errors of the HTTP layer. A handler returns a [`WebError`]; the context
//! middleware renders it in the caller's language, as an HTML page for the
//! web and as RFC 9457 problem details for the API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::validate::FieldError;
use std::sync::Arc;
use store::StoreError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Not signed in.
    #[error("not signed in")]
    Unauthenticated,
    /// The form's CSRF token or the request's origin did not check out.
    #[error("csrf")]
    Csrf,
    /// The route does not exist.
    #[error("no such page")]
    NoRoute,
    /// The request body is larger than allowed.
    #[error("too large")]
    TooLarge,
    /// The request body is not of a media type the route takes.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The request could not be parsed.
    #[error("malformed: {0}")]
    Malformed(String),
    /// The method is not allowed on the route.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A template failed to render.
    #[error("render: {0}")]
    Render(#[from] askama::Error),
}

impl WebError {
    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Store(e) => match e {
                StoreError::NotFound => StatusCode::NOT_FOUND,
                StoreError::Forbidden => StatusCode::FORBIDDEN,
                StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                StoreError::Conflict { .. } => StatusCode::CONFLICT,
                StoreError::BadCredentials => StatusCode::UNAUTHORIZED,
                StoreError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
                StoreError::Replay { status, .. } => {
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::OK)
                }
                StoreError::Db(_) | StoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NoRoute => StatusCode::NOT_FOUND,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Malformed(_) => StatusCode::BAD_REQUEST,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable `snake_case` code naming the error; the message catalogue
    /// has `problem.<code>` for each.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Store(e) => match e {
                StoreError::NotFound => "not_found",
                StoreError::Forbidden => "forbidden",
                StoreError::Invalid(_) => "invalid",
                StoreError::Conflict { code, .. } => code,
                StoreError::BadCredentials => "bad_credentials",
                StoreError::Throttled(_) => "throttled",
                StoreError::Replay { .. } => "replay",
                StoreError::Db(_) | StoreError::Internal(_) => "internal",
            },
            WebError::Unauthenticated => "unauthenticated",
            WebError::Csrf => "csrf",
            WebError::NoRoute => "not_found",
            WebError::TooLarge => "too_large",
            WebError::UnsupportedMediaType => "unsupported_media_type",
            WebError::Malformed(_) => "malformed",
            WebError::MethodNotAllowed => "method_not_allowed",
            WebError::Render(_) => "internal",
        }
    }

    /// The invalid fields, if this is a validation error.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            WebError::Store(StoreError::Invalid(f)) => f,
            _ => &[],
        }
    }
}

/// The error as carried to the rendering middleware.
#[derive(Clone)]
pub struct Failure(pub Arc<WebError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self.status(), StatusCode::INTERNAL_SERVER_ERROR) {
            tracing::error!(error = %self, "request failed");
        }
        let mut r = self.status().into_response();
        r.extensions_mut().insert(Failure(Arc::new(self)));
        r
    }
}

/// The result of every handler.
pub type WebResult<T> = Result<T, WebError>;
