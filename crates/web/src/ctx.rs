//! The request context: who is signed in, in which language, with which
//! CSRF token, and from which address. One middleware builds it, enforces
//! the body limit and CSRF checks, and renders any failure in the caller's
//! language (problem+json under `/api`, an HTML page elsewhere).

use crate::error::{Failure, WebError};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::platform::Actor;
use std::net::SocketAddr;
use std::sync::Arc;
use store::platform::{sessions, users};
use store::{Caller, StoreError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "xs_session";
/// The CSRF cookie of visitors who are not signed in (double-submit).
pub const CSRF_COOKIE: &str = "xs_csrf";
/// The language cookie of visitors who are not signed in.
pub const LANG_COOKIE: &str = "xs_lang";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: users::User,
    pub actor: Actor,
    /// The session's secret (to end it on logout).
    pub token: String,
    /// Whether the user came with a bearer token rather than a cookie.
    pub bearer: bool,
    /// Unread notifications when the request came in.
    pub unread: i64,
}

/// The context of one request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<Arc<SignedIn>>,
    /// The CSRF token that forms on this page must carry.
    pub csrf: String,
    pub ip: Option<String>,
    /// Whether the request is to the JSON API.
    pub api: bool,
    /// Whether cookies set in answer to this request must be `Secure`.
    pub secure: bool,
    /// The locale namespace of the states of the records this request is
    /// about (`deliberation_state`, `consultation_state` …), so that a
    /// refusal names the state in that area's words.
    pub states: &'static str,
}

/// The namespace of the state labels of the area a path belongs to.
pub fn states_of(path: &str) -> &'static str {
    let p = path.strip_prefix("/api/v1").unwrap_or(path);
    let area = p.trim_start_matches('/').split('/').next().unwrap_or("");
    match area {
        "deliberations" => "deliberation_state",
        "consultations" | "meetings" => "consultation_state",
        "plans" => "plan_state",
        "opinions" => "opinion_state",
        "bulletins" => "bulletin_state",
        "legislative-drafts" => "draft_state",
        _ => "state",
    }
}

impl Ctx {
    /// The translator for the request's language.
    pub fn tr(&self) -> Tr {
        Tr { lang: self.lang }
    }

    /// The caller of store commands; fails when not signed in.
    pub fn caller(&self) -> Result<Caller, WebError> {
        match &self.user {
            Some(u) => Ok(Caller::user(u.actor.clone(), self.ip.clone())),
            None => Err(WebError::Unauthenticated),
        }
    }

    /// The caller of commands open to everyone: the signed-in user, or an
    /// anonymous visitor known by address.
    pub fn visitor(&self) -> Caller {
        match &self.user {
            Some(u) => Caller::user(u.actor.clone(), self.ip.clone()),
            None => Caller::anonymous(self.ip.clone()),
        }
    }

    /// The signed-in user; fails when not signed in.
    pub fn signed_in(&self) -> Result<&SignedIn, WebError> {
        self.user.as_deref().ok_or(WebError::Unauthenticated)
    }

    /// A `Set-Cookie` value with the project's attributes.
    pub fn cookie(
        &self,
        name: &str,
        value: &str,
        max_age: Option<i64>,
        http_only: bool,
    ) -> HeaderValue {
        let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
        if http_only {
            c.push_str("; HttpOnly");
        }
        if self.secure {
            c.push_str("; Secure");
        }
        if let Some(a) = max_age {
            c.push_str(&format!("; Max-Age={a}"));
        }
        HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or(WebError::Malformed("no context".into()))
    }
}

/// The value of a cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn client_ip(req: &Request, trust_proxy: bool) -> Option<String> {
    if trust_proxy
        && let Some(f) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(first) = f.split(',').next()
    {
        return Some(first.trim().to_string());
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// Constant-time comparison of two tokens.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
        && !a.is_empty()
}

/// A request from another site: its `Origin` names another host, or the
/// browser says so in `Sec-Fetch-Site`.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split("://").nth(1) != Some(host),
        _ => false,
    }
}

async fn load_user(
    state: &AppState,
    token: &str,
    kind: sessions::Kind,
) -> Result<Option<(SignedIn, String)>, StoreError> {
    let Some(session) = sessions::find(&state.db, token, kind).await? else {
        return Ok(None);
    };
    let actor = users::actor_of(&session.user);
    let signed_in = SignedIn {
        user: session.user,
        actor,
        token: token.to_string(),
        bearer: kind == sessions::Kind::Api,
        unread: session.unread,
    };
    Ok(Some((signed_in, session.session_csrf)))
}

/// The context middleware (see the module documentation).
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let states = states_of(req.uri().path());
    let headers = req.headers().clone();
    let ip = client_ip(&req, state.settings.trust_proxy);
    let secure = state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            == Some("https");

    let found = match (api, bearer(&headers), cookie(&headers, SESSION_COOKIE)) {
        (true, Some(t), _) => load_user(&state, t, sessions::Kind::Api).await,
        (_, _, Some(t)) => load_user(&state, t, sessions::Kind::Web).await,
        _ => Ok(None),
    };
    let (user, session_csrf) = match found {
        Ok(Some((u, csrf))) => (Some(Arc::new(u)), Some(csrf)),
        Ok(None) => (None, None),
        Err(e) => {
            let ctx = Ctx {
                lang: Lang::default(),
                user: None,
                csrf: String::new(),
                ip,
                api,
                secure,
                states,
            };
            return render_failure(&ctx, WebError::Store(e));
        }
    };
    let lang = user
        .as_ref()
        .and_then(|u| u.user.lang.as_deref())
        .and_then(Lang::parse)
        .or_else(|| cookie(&headers, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let visitor_csrf = cookie(&headers, CSRF_COOKIE)
        .filter(|c| c.len() == 64)
        .map(str::to_string);
    let new_visitor_csrf = session_csrf.is_none() && visitor_csrf.is_none() && !api;
    let csrf = match session_csrf.clone().or(visitor_csrf) {
        Some(c) => c,
        None => match store::ids::new_token() {
            Ok(t) => t,
            Err(e) => {
                let ctx = Ctx {
                    lang,
                    user,
                    csrf: String::new(),
                    ip,
                    api,
                    secure,
                    states,
                };
                return render_failure(&ctx, WebError::Store(e));
            }
        },
    };
    let ctx = Ctx {
        lang,
        user,
        csrf,
        ip,
        api,
        secure,
        states,
    };

    let (mut parts, body) = req.into_parts();
    // The body limit: refuse a declared oversize body at once, and cap a
    // streamed one so that reading it fails instead of exhausting memory.
    // Uploads may be larger than forms: up to the largest attachment.
    let upload = parts.method == Method::POST && parts.uri.path().ends_with("/attachments");
    let limit = if upload {
        state.settings.upload_limit
    } else {
        state.settings.body_limit
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return render_failure(&ctx, WebError::TooLarge);
    }
    let mut body = Body::new(http_body_util::Limited::new(body, limit));

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        let checked = if api {
            match (&ctx.user, &session_csrf) {
                // A cookie-authenticated script must send the token as a header.
                (Some(u), Some(expected)) if !u.bearer => parts
                    .headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| same_token(t, expected)),
                _ => true,
            }
        } else if cross_site(&parts.headers) {
            false
        } else {
            let bytes = match axum::body::to_bytes(body, limit).await {
                Ok(b) => b,
                Err(_) => return render_failure(&ctx, WebError::TooLarge),
            };
            let ok = form_token(&bytes).is_some_and(|t| same_token(&t, &ctx.csrf));
            body = Body::from(bytes);
            ok
        };
        if !checked {
            return render_failure(&ctx, WebError::Csrf);
        }
    }
    parts.extensions.insert(ctx.clone());
    let req = Request::from_parts(parts, body);
    let mut resp = next.run(req).await;
    if let Some(Failure(err)) = resp.extensions_mut().remove::<Failure>() {
        let err = Arc::try_unwrap(err).unwrap_or_else(|e| WebError::Malformed(e.to_string()));
        resp = render_failure(&ctx, err);
    }
    if new_visitor_csrf {
        let c = ctx.cookie(CSRF_COOKIE, &ctx.csrf, None, true);
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// The `_csrf` field of a URL-encoded form body.
fn form_token(body: &Bytes) -> Option<String> {
    if let Some(t) = multipart_token(body) {
        return Some(t);
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v)
}

/// The token of an upload form (multipart/form-data): the value of its
/// `_csrf` part, which our forms send first.
fn multipart_token(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(4096)];
    if !head.starts_with(b"--") {
        return None;
    }
    let marker = b"name=\"_csrf\"";
    let at = head.windows(marker.len()).position(|w| w == marker)?;
    let rest = &head[at..];
    let start = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let len = rest[start..].windows(2).position(|w| w == b"\r\n")?;
    std::str::from_utf8(&rest[start..start + len])
        .ok()
        .map(str::to_string)
}

/// Renders a failure for the context: problem+json for the API, a page otherwise.
pub fn render_failure(ctx: &Ctx, err: WebError) -> Response {
    let status = err.status();
    let mut resp = if let WebError::Store(StoreError::Replay { body, .. }) = &err {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.clone(),
        )
            .into_response()
    } else if ctx.api {
        crate::problem::response(ctx, &err)
    } else {
        crate::platform::pages::error_page(ctx, &err)
    };
    *resp.status_mut() = status;
    if let WebError::Store(StoreError::Throttled(secs)) = err
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if status == StatusCode::UNAUTHORIZED && ctx.api {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[test]
    fn refusals_name_states_in_their_areas_words() {
        assert_eq!(
            states_of("/api/v1/deliberations/3/actions/open"),
            "deliberation_state"
        );
        assert_eq!(states_of("/deliberations/3"), "deliberation_state");
        assert_eq!(
            states_of("/api/v1/meetings/2/publish"),
            "consultation_state"
        );
        assert_eq!(states_of("/legislative-drafts/1/close"), "draft_state");
        assert_eq!(states_of("/api/v1/proposals/9/actions/file"), "state");
        assert_eq!(states_of("/"), "state");
    }

    fn ctx(lang: Lang, api: bool) -> Ctx {
        Ctx {
            lang,
            user: None,
            csrf: "x".repeat(64),
            ip: None,
            api,
            secure: false,
            states: "state",
        }
    }

    async fn body(r: Response) -> String {
        let bytes = r.into_body().collect().await.expect("body").to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn internal_errors_are_friendly_and_never_show_their_details() {
        let secret = "password authentication failed for user xieshang at 10.0.0.5";
        let page = render_failure(
            &ctx(Lang::ZhCn, false),
            WebError::Store(StoreError::Internal(secret.into())),
        );
        assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let html = body(page).await;
        assert!(
            html.contains("服务器内部错误") && html.contains("返回首页") && !html.contains(secret)
        );
        let api = render_failure(
            &ctx(Lang::En, true),
            WebError::Store(StoreError::Internal(secret.into())),
        );
        assert_eq!(
            api.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let json = body(api).await;
        assert!(
            json.contains("\"status\":500")
                && json.contains("Internal error")
                && !json.contains(secret)
        );
    }

    #[tokio::test]
    async fn forbidden_and_not_found_pages_say_so_in_the_users_language() {
        let forbidden = render_failure(
            &ctx(Lang::En, false),
            WebError::Store(StoreError::Forbidden),
        );
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        assert!(
            body(forbidden)
                .await
                .contains("You are not allowed to do this.")
        );
        let missing = render_failure(&ctx(Lang::ZhCn, false), WebError::NoRoute);
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert!(body(missing).await.contains("您要找的页面或记录不存在"));
    }

    #[test]
    fn tokens_compare_only_when_equal_and_non_empty() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
        assert!(!same_token("", ""));
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("xieshang.local"));
        assert!(
            !cross_site(&h),
            "no origin: a same-site form or a non-browser client"
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://xieshang.local"),
        );
        assert!(!cross_site(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(cross_site(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://xieshang.local"),
        );
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(cross_site(&h));
    }
}
