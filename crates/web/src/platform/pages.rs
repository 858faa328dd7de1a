//! Sign-in, sign-out, the language switch, the home page, the account page
//! and the error page.

use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE};
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::view::{Chrome, error_map};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use store::StoreError;
use store::platform::{sessions, users};

/// Renders a template as an HTML response.
pub fn html(t: impl Template) -> WebResult<Response> {
    Ok(Html(render(t)?).into_response())
}

/// Renders a template into its text.
pub fn render(t: impl Template) -> WebResult<String> {
    // Room for a whole list page at once: growing the text as it is written
    // would copy it several times.
    let mut page = String::with_capacity(16 * 1024);
    t.render_into(&mut page)?;
    Ok(page)
}

/// A local path to go back to after signing in; anything else becomes `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.starts_with("/login") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The context of a page that needs a signed-in user. A visitor who is not
/// signed in is sent to the sign-in page, and back here afterwards.
pub struct PageCtx(pub Ctx);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PageCtx {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if ctx.user.is_some() {
            return Ok(PageCtx(ctx));
        }
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
        Err(Redirect::to(&format!("/login?{q}")).into_response())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    title: String,
    detail: String,
}

/// The friendly page of a failure.
pub fn error_page(ctx: &Ctx, err: &WebError) -> Response {
    let t = ctx.tr();
    let code = err.code();
    let detail = match err {
        WebError::Store(StoreError::Throttled(s)) => t.f("problem.throttled_detail", &[s]),
        WebError::Store(StoreError::Invalid(f)) => f
            .iter()
            .map(|e| format!("{}: {}", e.field, t.code("error", e.code)))
            .collect::<Vec<_>>()
            .join("; "),
        _ => t.code("problem_detail", code),
    };
    let page = ErrorPage {
        c: Chrome::new(ctx, "/"),
        status: err.status().as_u16(),
        title: t.code("problem", code),
        detail,
    };
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    c: Chrome,
    display_name: String,
    roles: Vec<String>,
    /// The offices' work, one section per office and committee, then the
    /// open deliberations the user may join.
    sections: Vec<Figures>,
}

/// A section of figures on the home page: cards of (label, count, link),
/// each linking to the list of what it counts.
struct Figures {
    heading: String,
    cards: Vec<(String, i64, String)>,
}

/// Describes a role in words: "管理员 · 江澜省政协".
pub fn role_label(t: crate::i18n::Tr, r: &users::RoleView) -> String {
    let mut s = format!("{} · {}", t.code("role", &r.role), r.committee_name);
    if let Some(u) = &r.unit_name {
        s.push_str(&format!(" · {u}"));
    }
    if !r.offices.is_empty() {
        let offices: Vec<String> = r.offices.iter().map(|o| t.code("office", o)).collect();
        s.push_str(&format!(" ({})", offices.join("、")));
    }
    s
}

/// The committees in which the user works in an office, in the order of
/// their grants, each once.
fn committees_where(
    u: &crate::ctx::SignedIn,
    works_here: impl Fn(&domain::platform::Grant) -> bool,
) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for g in u.actor.grants.iter().filter(|g| works_here(g)) {
        if !out.contains(&g.committee_id) {
            out.push(g.committee_id);
        }
    }
    out
}

/// A section's heading: the office's work, with the committee's name when
/// the user works in that office of more than one committee.
fn heading_for(
    t: crate::i18n::Tr,
    u: &crate::ctx::SignedIn,
    key: &'static str,
    committee_id: i64,
    several: bool,
) -> String {
    let name = u
        .user
        .roles
        .iter()
        .find(|r| r.committee_id == committee_id)
        .map(|r| r.committee_name.as_str());
    match name {
        Some(name) if several => format!("{} · {name}", t.s(key)),
        _ => t.s(key).to_string(),
    }
}

fn staff_of(office: domain::platform::Office) -> impl Fn(&domain::platform::Grant) -> bool {
    move |g| g.role == domain::platform::Role::Staff && g.offices.contains(&office)
}

/// What a proposals office has to do.
async fn proposal_cards(
    state: &AppState,
    t: crate::i18n::Tr,
    committee_id: i64,
) -> WebResult<Vec<(String, i64, String)>> {
    let n = store::proposals::counts(&state.db, committee_id).await?;
    let cards = [
        ("home.to_review", n.to_review, "state=submitted"),
        ("home.reviewing", n.reviewing, "state=under_review"),
        ("home.to_assign", n.to_assign, "state=filed"),
        ("home.due_soon", n.due_soon, "due_within_days=14"),
        ("home.overdue", n.overdue, "overdue=true"),
        ("home.to_close", n.to_close, "state=evaluated"),
    ];
    Ok(cards
        .into_iter()
        .map(|(key, count, filter)| {
            let link = format!("/proposals?committee_id={committee_id}&{filter}");
            (t.s(key).to_string(), count, link)
        })
        .collect())
}

/// An information office's work and this year's figures.
async fn opinion_cards(
    state: &AppState,
    t: crate::i18n::Tr,
    committee_id: i64,
) -> WebResult<Vec<(String, i64, String)>> {
    let year = store::clock::year_of(store::clock::now());
    let n = store::opinions::counts(&state.db, committee_id, year).await?;
    let link = |filter: &str| format!("/opinions?committee_id={committee_id}&{filter}");
    let this_year = format!("from={year}-01-01&until={year}-12-31");
    let mut cards = vec![
        (
            t.s("home.to_edit").into(),
            n.to_edit,
            link("state=submitted"),
        ),
        (t.s("home.editing").into(), n.editing, link("state=editing")),
        (
            t.f1("home.submitted_in", year),
            n.submitted,
            link(&this_year),
        ),
        (
            t.f1("home.adopted_in", year),
            n.adopted,
            link(&format!("state=adopted&{this_year}")),
        ),
    ];
    for (level, count) in &n.instructed {
        cards.push((
            t.f2("home.instructed_at", year, t.code("leader_level", level)),
            *count,
            link(&format!("instructed=true&{this_year}")),
        ));
    }
    Ok(cards)
}

/// A consultation office's deliberations: what is open, what waits for its
/// report, and each moderation queue.
async fn deliberation_cards(
    state: &AppState,
    t: crate::i18n::Tr,
    caller: &store::Caller,
    committee_id: i64,
) -> WebResult<Vec<(String, i64, String)>> {
    let n = store::deliberations::work(&state.db, caller, committee_id).await?;
    let link = |filter: &str| format!("/deliberations?committee_id={committee_id}&{filter}");
    let mut cards = vec![
        (
            t.s("home.deliberations_open").into(),
            n.open,
            link("state=open"),
        ),
        (
            t.s("home.to_report").into(),
            n.to_report,
            link("state=closed"),
        ),
    ];
    for q in &n.queues {
        cards.push((
            t.f1("home.to_moderate_in", &q.title),
            q.pending,
            format!("/deliberations/{}/moderation", q.deliberation_id),
        ));
    }
    Ok(cards)
}

/// The open deliberations the user may join, with what is left for them.
async fn invitation_cards(
    state: &AppState,
    t: crate::i18n::Tr,
    caller: &store::Caller,
) -> WebResult<Vec<(String, i64, String)>> {
    let offers = store::deliberations::invitations(&state.db, caller).await?;
    Ok(offers
        .into_iter()
        .map(|i| {
            let key = if i.total == 0 && i.written == 0 {
                "home.none_to_vote"
            } else if i.voted >= i.total {
                "home.all_voted"
            } else {
                "home.to_vote"
            };
            let label = t.f2(
                key,
                &i.title,
                crate::deliberations::pages::when(i.closes_at),
            );
            (
                label,
                (i.total - i.voted).max(0),
                format!("/deliberations/{}", i.deliberation_id),
            )
        })
        .collect())
}

/// The home page: who you are, what waits for you, and where you can go.
pub async fn home(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> WebResult<Response> {
    use domain::platform::Office;
    let u = ctx.signed_in()?;
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let mut sections = Vec::new();
    // Each office's work, for every committee whose office the user works in.
    let proposals = committees_where(u, staff_of(Office::Proposals));
    for &id in &proposals {
        sections.push(Figures {
            heading: heading_for(t, u, "home.proposal_work", id, proposals.len() > 1),
            cards: proposal_cards(&state, t, id).await?,
        });
    }
    let information = committees_where(u, staff_of(Office::Information));
    for &id in &information {
        sections.push(Figures {
            heading: heading_for(t, u, "home.opinion_work", id, information.len() > 1),
            cards: opinion_cards(&state, t, id).await?,
        });
    }
    sections.push(Figures {
        heading: t.s("home.to_join").into(),
        cards: invitation_cards(&state, t, &caller).await?,
    });
    let desks = committees_where(u, |g| {
        store::deliberations::is_staff(&caller, g.committee_id)
    });
    for &id in &desks {
        sections.push(Figures {
            heading: heading_for(t, u, "home.deliberation_work", id, desks.len() > 1),
            cards: deliberation_cards(&state, t, &caller, id).await?,
        });
    }
    sections.retain(|s| !s.cards.is_empty());
    html(Home {
        sections,
        c: Chrome::new(&ctx, "/"),
        display_name: u.user.display_name.clone(),
        roles: u.user.roles.iter().map(|r| role_label(t, r)).collect(),
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    c: Chrome,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form.
pub async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> WebResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    html(Login {
        c: Chrome::new(&ctx, "/login"),
        error: None,
        username: String::new(),
        next: safe_next(q.next.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Signs in: on success a new session cookie and a redirect, otherwise the
/// form again with one message that does not say which part was wrong.
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> WebResult<Response> {
    let next = safe_next(f.next.as_deref());
    match users::authenticate(&state.db, &f.username, &f.password, ctx.ip.as_deref()).await {
        Ok(user) => {
            let s =
                sessions::start(&state.db, &user, sessions::Kind::Web, ctx.ip.as_deref()).await?;
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                ctx.cookie(
                    SESSION_COOKIE,
                    &s.token,
                    Some(sessions::WEB_LIFETIME_MICROS / 1_000_000),
                    true,
                ),
            );
            Ok(r)
        }
        Err(e @ (StoreError::BadCredentials | StoreError::Throttled(_))) => {
            let t = ctx.tr();
            let message = match &e {
                StoreError::Throttled(s) => t.f("problem.throttled_detail", &[s]),
                _ => t.s("login.failed").to_string(),
            };
            let err = WebError::Store(e);
            let mut r = html(Login {
                c: Chrome::new(&ctx, "/login"),
                error: Some(message),
                username: f.username,
                next,
            })?;
            *r.status_mut() = err.status();
            if let WebError::Store(StoreError::Throttled(s)) = err {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(s));
            }
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// Signs out: ends the session and clears the cookie.
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> WebResult<Response> {
    if let Some(u) = &ctx.user {
        sessions::end(&state.db, &ctx.caller()?, &u.token).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        ctx.cookie(SESSION_COOKIE, "", Some(0), true),
    );
    Ok(r)
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// Switches the interface language: saved on the account when signed in,
/// in a cookie otherwise.
pub async fn set_lang(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LangForm>,
) -> WebResult<Response> {
    let lang = Lang::parse(&f.lang)
        .ok_or_else(|| WebError::Store(StoreError::invalid("lang", "invalid_choice")))?;
    if ctx.user.is_some() {
        users::set_language(&state.db, &ctx.caller()?, lang.tag()).await?;
    }
    let next = match f.next.as_deref() {
        Some("/login") => "/login".to_string(),
        other => safe_next(other),
    };
    let mut r = Redirect::to(&next).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        ctx.cookie(LANG_COOKIE, lang.tag(), Some(365 * 24 * 3600), false),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "account.html")]
struct Account {
    c: Chrome,
    username: String,
    display_name: String,
    errors: HashMap<String, String>,
    done: bool,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The account page: who you are and a form to change your password.
pub async fn account(PageCtx(ctx): PageCtx, Query(q): Query<DoneQuery>) -> WebResult<Response> {
    let u = ctx.signed_in()?;
    html(Account {
        c: Chrome::new(&ctx, "/account"),
        username: u.user.username.clone(),
        display_name: u.user.display_name.clone(),
        errors: HashMap::new(),
        done: q.done.is_some(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Changes the signed-in user's password; every session ends, so the user
/// signs in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match users::change_own_password(&state.db, &caller, &f.current_password, &f.new_password).await
    {
        Ok(()) => {
            let mut r = Redirect::to("/login?next=/account").into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                ctx.cookie(SESSION_COOKIE, "", Some(0), true),
            );
            Ok(r)
        }
        Err(StoreError::Invalid(errors)) => {
            let u = ctx.signed_in()?;
            let mut r = html(Account {
                c: Chrome::new(&ctx, "/account"),
                username: u.user.username.clone(),
                display_name: u.user.display_name.clone(),
                errors: error_map(ctx.tr(), &errors),
                done: false,
            })?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// Serves the stylesheet and script, compiled into the binary.
pub async fn static_file(
    axum::extract::Path(name): axum::extract::Path<String>,
) -> WebResult<Response> {
    let (body, kind) = match name.as_str() {
        "app.css" => (
            include_str!("../../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_str!("../../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return Err(WebError::NoRoute),
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(r)
}
