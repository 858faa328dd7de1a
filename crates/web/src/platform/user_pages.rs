//! Admin pages for user accounts and the audit trail.

use super::org_pages::{
    CommitteeTree, FormPage, ListPage, Pager, chosen_committee, committee_and_search,
    committee_options, require_admin,
};
use super::pages::{PageCtx, html, role_label};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::{Chrome, Field, attach_errors, cell, choices, link};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::platform::{BodyKind, GrantInput, NewUserInput, Office, Permission, Role};
use serde::Deserialize;
use store::StoreError;
use store::audit::{self, EventFilter};
use store::page::PageRequest;
use store::platform::{bodies, committees, users};

#[derive(Deserialize)]
pub struct UserListQuery {
    committee_id: Option<i64>,
    q: Option<String>,
    page: Option<i64>,
}

/// The accounts of a committee.
pub async fn users_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<UserListQuery>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let page = users::list(
        &state.db,
        &caller,
        committee_id,
        q.q.as_deref(),
        PageRequest::new(q.page, Some(50)),
    )
    .await?;
    let tree = CommitteeTree::load(&state).await?;
    let admin = tree.may(&caller, Permission::Administer, committee_id);
    let rows = page
        .items
        .iter()
        .map(|u| {
            vec![
                link(u.username.clone(), format!("/admin/users/{}", u.id)),
                cell(u.display_name.clone()),
                cell(
                    u.roles
                        .iter()
                        .map(|r| t.code("role", &r.role))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                cell(t.s(if u.disabled {
                    "user.disabled"
                } else {
                    "user.enabled"
                })),
            ]
        })
        .collect();
    let params = [
        ("committee_id", committee_id.to_string()),
        ("q", q.q.clone().unwrap_or_default()),
    ];
    html(
        ListPage {
            c: Chrome::new(&ctx, "/admin/users"),
            title: t.s("nav.users").into(),
            path: "/admin/users".into(),
            new_link: admin.then(|| format!("/admin/users/new?committee_id={committee_id}")),
            filters: committee_and_search(
                t,
                committee_id,
                tree.options(&caller, Permission::ReadPeople),
                &q.q,
            ),
            headers: vec![
                t.s("field.username"),
                t.s("field.display_name"),
                t.s("user.roles"),
                t.s("field.status"),
            ],
            rows,
            rendered_rows: None,
            total: 0,
            pager: Pager::default(),
            related: vec![],
            links: Vec::new(),
        }
        .paged(&page, &params),
    )
}

#[derive(Deserialize, Default)]
pub struct NewUserHtmlForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    email: String,
    committee_id: Option<i64>,
}

async fn new_user_form(state: &AppState, ctx: &Ctx, f: &NewUserHtmlForm) -> WebResult<FormPage> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let committee_id = chosen_committee(ctx, f.committee_id)?;
    Ok(FormPage {
        c: Chrome::new(ctx, "/admin/users"),
        title: t.s("user.new").into(),
        back: format!("/admin/users?committee_id={committee_id}"),
        action: "/admin/users/new".into(),
        alert: None,
        version: None,
        fields: vec![
            Field::select(
                "committee_id",
                t.s("field.committee"),
                committee_id.to_string(),
                committee_options(state, &caller, Permission::Administer).await?,
            )
            .required(),
            Field::text("username", t.s("field.username"), &f.username)
                .required()
                .max(32),
            Field::text("display_name", t.s("field.display_name"), &f.display_name)
                .required()
                .max(50),
            Field::text("email", t.s("field.email"), &f.email)
                .kind("email")
                .max(254),
            Field::text("password", t.s("login.password"), "")
                .kind("password")
                .required()
                .max(128),
        ],
        submit: t.s("action.save"),
    })
}

/// The form for a new account.
pub async fn user_new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<UserListQuery>,
) -> WebResult<Response> {
    require_admin(
        &state,
        &ctx.caller()?,
        chosen_committee(&ctx, q.committee_id)?,
    )
    .await?;
    let f = NewUserHtmlForm {
        committee_id: q.committee_id,
        ..Default::default()
    };
    new_user_form(&state, &ctx, &f)
        .await?
        .respond(ctx.tr(), None)
}

/// Creates an account.
pub async fn user_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NewUserHtmlForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = NewUserInput {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: f.password.clone(),
        committee_id: chosen_committee(&ctx, f.committee_id)?,
        email: Some(f.email.clone()),
    };
    match users::create(&state.db, &caller, &input).await {
        Ok(u) => Ok(Redirect::to(&format!("/admin/users/{}", u.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            new_user_form(&state, &ctx, &f)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    c: Chrome,
    user: users::User,
    /// (label, role code, committee id)
    roles: Vec<(String, String, i64)>,
    editable: bool,
    grant_fields: Vec<Field>,
    alert: Option<String>,
}

async fn user_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let user = users::get(&state.db, &caller, id).await?;
    let tree = CommitteeTree::load(state).await?;
    let editable = tree.may(&caller, Permission::Administer, user.committee_id);
    let administered = tree.options(&caller, Permission::Administer);
    // The handling units an officer may be named for: those of every committee the admin runs.
    let mut units = vec![(String::new(), String::new())];
    if editable {
        for (id, name) in &administered {
            let Ok(committee_id) = id.parse() else {
                continue;
            };
            for u in bodies::choices(&state.db, BodyKind::Unit, committee_id)
                .await?
                .iter()
            {
                units.push((
                    u.id.to_string(),
                    format!("{} · {}", name.trim_start_matches("— "), u.name),
                ));
            }
        }
    }
    let mut grant_fields = grant_fields(t, administered, units);
    let mut alert = None;
    let status = match err {
        Some(StoreError::Invalid(errors)) => {
            let rest = attach_errors(t, &mut grant_fields, errors);
            alert = Some(if rest.is_empty() {
                t.s("form.fix_errors").to_string()
            } else {
                rest.join("; ")
            });
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(StoreError::Conflict { code, .. }) => {
            alert = Some(t.code("problem", code));
            StatusCode::CONFLICT
        }
        _ => StatusCode::OK,
    };
    let roles = user
        .roles
        .iter()
        .map(|r| (role_label(t, r), r.role.clone(), r.committee_id))
        .collect();
    let mut r = html(UserPage {
        c: Chrome::new(ctx, "/admin/users"),
        user,
        roles,
        editable,
        grant_fields,
        alert,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

fn grant_fields(
    t: Tr,
    committees: Vec<(String, String)>,
    units: Vec<(String, String)>,
) -> Vec<Field> {
    let roles = choices(t, "role", Role::ALL, |r| r.as_str(), None);
    let offices = choices(t, "office", Office::ALL, |o| o.as_str(), None);
    vec![
        Field::select("role", t.s("user.role"), "member", roles).required(),
        Field::select("committee_id", t.s("field.committee"), "", committees).required(),
        Field::select("unit_id", t.s("user.unit_id"), "", units),
        Field {
            kind: "multi",
            options: offices,
            ..Field::text("offices", t.s("user.offices"), "")
        },
    ]
}

/// One account: its roles, and the admin's actions on it.
pub async fn user_detail(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    user_page(&state, &ctx, id, None).await
}

/// Parses the grant form, which may repeat `offices`.
fn parse_grant(
    body: &[(String, String)],
) -> (GrantInput, Option<i64>, Vec<domain::validate::FieldError>) {
    let get = |k: &str| {
        body.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let committee_id =
        crate::view::parse_opt_i64("committee_id", &get("committee_id"), &mut errors).unwrap_or(0);
    let unit_id = crate::view::parse_opt_i64("unit_id", &get("unit_id"), &mut errors);
    let version = get("version").parse().ok();
    let input = GrantInput {
        role: get("role"),
        committee_id,
        unit_id,
        offices: body
            .iter()
            .filter(|(k, _)| k == "offices")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    (input, version, errors)
}

/// Grants a role.
pub async fn user_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|e| WebError::Malformed(e.to_string()))?;
    let (input, version, errors) = parse_grant(&pairs);
    let result = if errors.is_empty() {
        users::grant(&state.db, &caller, id, &input, version).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            user_page(&state, &ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    role: String,
    committee_id: i64,
    version: Option<i64>,
}

/// Takes a role back.
pub async fn user_revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RevokeForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match users::revoke(&state.db, &caller, id, &f.role, f.committee_id, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e @ StoreError::Conflict { .. }) => user_page(&state, &ctx, id, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct VersionForm {
    version: Option<i64>,
    #[serde(default)]
    password: String,
}

/// Sets a new password for a user.
pub async fn user_reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match users::reset_password(&state.db, &caller, id, &f.password, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            user_page(&state, &ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Disables an account.
pub async fn user_disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> WebResult<Response> {
    set_disabled(state, ctx, id, true, f.version).await
}

/// Enables an account.
pub async fn user_enable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> WebResult<Response> {
    set_disabled(state, ctx, id, false, f.version).await
}

async fn set_disabled(
    state: AppState,
    ctx: Ctx,
    id: i64,
    disabled: bool,
    version: Option<i64>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match users::set_disabled(&state.db, &caller, id, disabled, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e @ StoreError::Conflict { .. }) => user_page(&state, &ctx, id, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EventQuery {
    committee_id: Option<i64>,
    record_type: Option<String>,
    record_id: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    page: Option<i64>,
}

/// The committees whose events the caller may read: one asked for, or all.
pub async fn audited_committees(
    state: &AppState,
    caller: &store::Caller,
    asked: Option<i64>,
) -> WebResult<Vec<i64>> {
    let all: Vec<i64> = committees::all_with_scopes(&state.db)
        .await?
        .iter()
        .filter(|(_, s)| caller.may(Permission::ReadAudit, s))
        .map(|(c, _)| c.id)
        .collect();
    match asked {
        Some(id) if all.contains(&id) => Ok(vec![id]),
        Some(_) => Err(WebError::Store(StoreError::NotFound)),
        None if all.is_empty() => Err(WebError::Store(StoreError::Forbidden)),
        None => Ok(all),
    }
}

/// The audit trail, newest first, with filters.
pub async fn events_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<EventQuery>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let filter = EventFilter {
        committees: audited_committees(&state, &caller, q.committee_id).await?,
        record_type: crate::view::nonempty(&q.record_type),
        record_id: crate::view::nonempty(&q.record_id).and_then(|v| v.parse().ok()),
        actor: crate::view::nonempty(&q.actor),
        action: crate::view::nonempty(&q.action),
    };
    let page = audit::list(&state.db, &filter, PageRequest::new(q.page, Some(50))).await?;
    let rows = page
        .items
        .iter()
        .map(|e| {
            vec![
                cell(e.id.to_string()),
                cell(store::clock::rfc3339(e.created_at)),
                cell(e.actor.clone()),
                cell(e.action.clone()),
                cell(format!(
                    "{} #{}",
                    e.record_type,
                    e.record_id.map(|i| i.to_string()).unwrap_or_default()
                )),
                cell(e.changes.chars().take(300).collect::<String>()),
                cell(e.ip.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let mut committee_opts = vec![(String::new(), t.s("list.all").to_string())];
    committee_opts.extend(committee_options(&state, &caller, Permission::ReadAudit).await?);
    let params = [
        (
            "committee_id",
            q.committee_id.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("record_type", q.record_type.clone().unwrap_or_default()),
        ("record_id", q.record_id.clone().unwrap_or_default()),
        ("actor", q.actor.clone().unwrap_or_default()),
        ("action", q.action.clone().unwrap_or_default()),
    ];
    html(
        ListPage {
            c: Chrome::new(&ctx, "/admin/events"),
            title: t.s("nav.events").into(),
            path: "/admin/events".into(),
            new_link: None,
            filters: vec![
                Field::select(
                    "committee_id",
                    t.s("field.committee"),
                    q.committee_id.map(|c| c.to_string()).unwrap_or_default(),
                    committee_opts,
                ),
                Field::text(
                    "record_type",
                    t.s("event.record_type"),
                    q.record_type.clone().unwrap_or_default(),
                ),
                Field::text(
                    "record_id",
                    t.s("event.record_id"),
                    q.record_id.clone().unwrap_or_default(),
                ),
                Field::text(
                    "actor",
                    t.s("event.actor"),
                    q.actor.clone().unwrap_or_default(),
                ),
                Field::text(
                    "action",
                    t.s("event.action"),
                    q.action.clone().unwrap_or_default(),
                ),
            ],
            headers: vec![
                "#",
                t.s("event.time"),
                t.s("event.actor"),
                t.s("event.action"),
                t.s("event.record"),
                t.s("event.changes"),
                t.s("event.ip"),
            ],
            rows,
            rendered_rows: None,
            total: 0,
            pager: Pager::default(),
            related: vec![],
            links: Vec::new(),
        }
        .paged(&page, &params),
    )
}
