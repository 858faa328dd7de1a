//! Extractors of the JSON API: a JSON body with problem+json rejections, the
//! `If-Match` version and the `Idempotency-Key` header.

use crate::ctx::Ctx;
use crate::error::WebError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use serde::de::DeserializeOwned;
use store::StoreError;
use store::platform::idempotency::IdemKey;

/// A JSON body: 415 without a JSON media type, 413 when too large, 400 when
/// not JSON, 422 when JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

/// Like [`ApiJson`], but an empty body stands for `T::default()`: for steps
/// that need no fields.
pub struct ApiJsonOrEmpty<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for ApiJsonOrEmpty<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| WebError::TooLarge)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiJsonOrEmpty(T::default()));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::from_request(req, s)
            .await
            .map(|ApiJson(v)| ApiJsonOrEmpty(v))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                ct == "application/json"
                    || (ct.starts_with("application/") && ct.ends_with("+json"))
            });
        if !json {
            return Err(WebError::UnsupportedMediaType);
        }
        let bytes = axum::body::to_bytes(req.into_body(), usize::MAX)
            .await
            .map_err(|_| WebError::TooLarge)?;
        match serde_json::from_slice(&bytes) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) if e.is_data() => Err(WebError::Store(StoreError::Invalid(vec![
                domain::validate::FieldError {
                    field: "body",
                    code: "wrong_shape",
                },
            ]))),
            Err(e) => Err(WebError::Malformed(e.to_string())),
        }
    }
}

/// The version a change expects, from `If-Match` (`"3"`, `3` or `W/"3"`).
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts
            .headers
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
        {
            None => Ok(IfMatch(None)),
            Some(v) => v
                .trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse()
                .map(|n| IfMatch(Some(n)))
                .map_err(|_| WebError::Malformed("If-Match must be a version number".into())),
        }
    }
}

/// The `Idempotency-Key` of a create request, bound to the caller and route.
pub struct Idempotency(pub Option<IdemKey>);

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get("idempotency-key") else {
            return Ok(Idempotency(None));
        };
        let key = v
            .to_str()
            .map_err(|_| WebError::Malformed("Idempotency-Key".into()))?
            .trim()
            .to_string();
        if key.is_empty() || key.len() > 255 {
            return Err(WebError::Malformed(
                "Idempotency-Key must be 1 to 255 characters".into(),
            ));
        }
        let ctx = Ctx::from_request_parts(parts, s).await?;
        let user_id = ctx.signed_in()?.user.id;
        Ok(Idempotency(Some(IdemKey {
            user_id,
            key,
            route: format!("{} {}", parts.method, parts.uri.path()),
        })))
    }
}
