//! The JSON API of the platform: sign-in, the current user, committees,
//! bodies, users and the audit trail.

use crate::api_extract::{ApiJson, Idempotency, IfMatch};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::org_pages::kind_of_segment;
use crate::platform::user_pages::audited_committees;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::platform::{BodyInput, BodyKind, CommitteeInput, GrantInput, NewUserInput};
use serde::{Deserialize, Serialize};
use store::StoreError;
use store::audit::{self, Event, EventFilter};
use store::page::{Page, PageRequest};
use store::platform::bodies::{self, Body};
use store::platform::committees::{self, Committee};
use store::platform::idempotency;
use store::platform::sessions;
use store::platform::users::{self, User};
use utoipa::{IntoParams, ToSchema};

/// A created record with 201.
pub fn created<T: Serialize>(v: T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// A page of a collection.
#[derive(Serialize, ToSchema)]
pub struct ItemsOf<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> From<Page<T>> for ItemsOf<T> {
    fn from(p: Page<T>) -> Self {
        ItemsOf {
            items: p.items,
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// Paging and search parameters shared by collections.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page, 1 to 200 (20 by default).
    pub per_page: Option<i64>,
    /// Text to search for.
    pub q: Option<String>,
    /// The committee whose records to list (by default the caller's first).
    pub committee_id: Option<i64>,
}

impl ListParams {
    /// The page asked for.
    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.page, self.per_page)
    }
}

/// The committee a collection request is about.
pub fn committee_of(ctx: &Ctx, asked: Option<i64>) -> WebResult<i64> {
    crate::platform::org_pages::chosen_committee(ctx, asked)
}

// ---- auth ----

/// Credentials.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A bearer token.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
}

/// Signs in and answers a bearer token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<LoginRequest>,
) -> WebResult<Json<TokenResponse>> {
    let user =
        users::authenticate(&state.db, &body.username, &body.password, ctx.ip.as_deref()).await?;
    let s = sessions::start(&state.db, &user, sessions::Kind::Api, ctx.ip.as_deref()).await?;
    Ok(Json(TokenResponse { token: s.token }))
}

/// Revokes the bearer token of the request.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> WebResult<StatusCode> {
    let u = ctx.signed_in()?;
    sessions::end(&state.db, &ctx.caller()?, &u.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user with roles.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(ctx: Ctx) -> WebResult<Json<User>> {
    Ok(Json(ctx.signed_in()?.user.clone()))
}

/// A password change.
#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the signed-in user's password; every token and session of the user ends.
#[utoipa::path(post, path = "/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<PasswordChange>,
) -> WebResult<StatusCode> {
    users::change_own_password(
        &state.db,
        &ctx.caller()?,
        &b.current_password,
        &b.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- committees ----

/// A committee to create or edit.
#[derive(Deserialize, ToSchema)]
pub struct CommitteeBody {
    pub name: String,
    pub short_name: Option<String>,
    /// `national`, `regional`, `city` or `county`.
    pub level: String,
    /// Required when creating.
    pub parent_id: Option<i64>,
    pub region_code: Option<String>,
    /// The version the change is based on (or send `If-Match`).
    pub version: Option<i64>,
}

impl CommitteeBody {
    fn input(&self) -> CommitteeInput {
        CommitteeInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            level: self.level.clone(),
            parent_id: self.parent_id,
            region_code: self.region_code.clone(),
        }
    }
}

/// The committees the caller may see, in tree order.
#[utoipa::path(get, path = "/committees", tag = "organisation", params(ListParams),
    responses((status = 200, body = ItemsOf<Committee>)))]
pub async fn list_committees(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> WebResult<Json<ItemsOf<Committee>>> {
    let all: Vec<Committee> = committees::list(&state.db, &ctx.caller()?)
        .await?
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let pr = p.page();
    let total = all.len() as i64;
    let items = all
        .into_iter()
        .skip(pr.offset() as usize)
        .take(pr.per_page as usize)
        .collect();
    Ok(Json(ItemsOf {
        items,
        total,
        page: pr.page,
        per_page: pr.per_page,
    }))
}

/// Creates a committee below one the caller administers.
#[utoipa::path(post, path = "/committees", tag = "organisation", params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first result and creates nothing new")), request_body = CommitteeBody,
    responses((status = 201, body = Committee), (status = 422, body = Problem), (status = 409, body = Problem)))]
pub async fn create_committee(
    State(state): State<AppState>,
    ctx: Ctx,
    Idempotency(key): Idempotency,
    ApiJson(b): ApiJson<CommitteeBody>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = b.input();
    let c = idempotency::create_with(&state.db, key.as_ref(), async |tx| {
        committees::create_in(tx, &caller, &input).await
    })
    .await?;
    Ok(created(c))
}

/// One committee.
#[utoipa::path(get, path = "/committees/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = Committee), (status = 404, body = Problem)))]
pub async fn get_committee(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Committee>> {
    Ok(Json(committees::get(&state.db, &ctx.caller()?, id).await?))
}

/// Edits a committee.
#[utoipa::path(patch, path = "/committees/{id}", tag = "organisation", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")), request_body = CommitteeBody,
    responses((status = 200, body = Committee), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_committee(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<CommitteeBody>,
) -> WebResult<Json<Committee>> {
    Ok(Json(
        committees::update(&state.db, &ctx.caller()?, id, &b.input(), v.or(b.version)).await?,
    ))
}

/// The audit trail of a committee record.
#[utoipa::path(get, path = "/committees/{id}/events", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>)))]
pub async fn committee_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Event>>> {
    committees::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(audit::of_record(&state.db, "committee", id).await?))
}

// ---- bodies ----

/// A sector, special committee, party, handling unit, studio or liaison group to create or edit.
#[derive(Deserialize, ToSchema)]
pub struct BodyBody {
    pub name: String,
    pub short_name: Option<String>,
    /// Parties: `democratic_party`, `cpc`, `federation`, `people_organisation`, `non_partisan`.
    /// Units: `party_organ`, `government`, `judicial_organ`, `people_organisation`, `enterprise`, `other`.
    pub kind: Option<String>,
    pub sort_order: Option<i64>,
    pub contact: Option<String>,
    pub active: Option<bool>,
    /// The committee to create in (by default the caller's first).
    pub committee_id: Option<i64>,
    pub version: Option<i64>,
}

impl BodyBody {
    fn input(&self) -> BodyInput {
        BodyInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind.clone(),
            sort_order: self.sort_order,
            contact: self.contact.clone(),
            active: self.active,
        }
    }
}

fn kind(seg: &str) -> WebResult<BodyKind> {
    kind_of_segment(seg).ok_or(WebError::NoRoute)
}

/// Lists sectors, special committees, parties, handling units, studios or liaison groups of a committee.
#[utoipa::path(get, path = "/{kind}", tag = "organisation",
    params(("kind" = String, Path, description = "sectors, special-committees, parties, units, studios or liaison-groups"), ListParams),
    responses((status = 200, body = ItemsOf<Body>), (status = 404, body = Problem)))]
pub async fn list_bodies(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(seg): Path<String>,
    Query(p): Query<ListParams>,
) -> WebResult<Json<ItemsOf<Body>>> {
    let k = kind(&seg)?;
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        bodies::list(
            &state.db,
            &ctx.caller()?,
            k,
            committee_id,
            p.q.as_deref(),
            p.page(),
        )
        .await?
        .into(),
    ))
}

/// Creates a sector, special committee, party, handling unit, studio or liaison group.
#[utoipa::path(post, path = "/{kind}", tag = "organisation",
    params(("kind" = String, Path, description = "sectors, special-committees, parties, units, studios or liaison-groups"), ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first result and creates nothing new")), request_body = BodyBody,
    responses((status = 201, body = Body), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_body(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(seg): Path<String>,
    Idempotency(key): Idempotency,
    ApiJson(b): ApiJson<BodyBody>,
) -> WebResult<Response> {
    let k = kind(&seg)?;
    let caller = ctx.caller()?;
    let committee_id = committee_of(&ctx, b.committee_id)?;
    let input = b.input();
    let body = idempotency::create_with(&state.db, key.as_ref(), async |tx| {
        bodies::create_in(tx, &caller, k, committee_id, &input).await
    })
    .await?;
    Ok(created(body))
}

/// One sector, special committee, party, handling unit, studio or liaison group.
#[utoipa::path(get, path = "/{kind}/{id}", tag = "organisation",
    params(("kind" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Body), (status = 404, body = Problem)))]
pub async fn get_body(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((seg, id)): Path<(String, i64)>,
) -> WebResult<Json<Body>> {
    Ok(Json(
        bodies::get(&state.db, &ctx.caller()?, kind(&seg)?, id).await?,
    ))
}

/// Edits a sector, special committee, party, handling unit, studio or liaison group.
#[utoipa::path(patch, path = "/{kind}/{id}", tag = "organisation", params(("kind" = String, Path), ("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = BodyBody, responses((status = 200, body = Body), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_body(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((seg, id)): Path<(String, i64)>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<BodyBody>,
) -> WebResult<Json<Body>> {
    Ok(Json(
        bodies::update(
            &state.db,
            &ctx.caller()?,
            kind(&seg)?,
            id,
            &b.input(),
            v.or(b.version),
        )
        .await?,
    ))
}

/// The audit trail of a body.
#[utoipa::path(get, path = "/{kind}/{id}/events", tag = "organisation", params(("kind" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>)))]
pub async fn body_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((seg, id)): Path<(String, i64)>,
) -> WebResult<Json<Vec<Event>>> {
    let k = kind(&seg)?;
    bodies::get(&state.db, &ctx.caller()?, k, id).await?;
    Ok(Json(audit::of_record(&state.db, k.as_str(), id).await?))
}

// ---- users ----

/// A new account.
#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub committee_id: Option<i64>,
    pub email: Option<String>,
}

/// Lists the accounts of a committee.
#[utoipa::path(get, path = "/users", tag = "users", params(ListParams), responses((status = 200, body = ItemsOf<User>)))]
pub async fn list_users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> WebResult<Json<ItemsOf<User>>> {
    let committee_id = committee_of(&ctx, p.committee_id)?;
    Ok(Json(
        users::list(
            &state.db,
            &ctx.caller()?,
            committee_id,
            p.q.as_deref(),
            p.page(),
        )
        .await?
        .into(),
    ))
}

/// Creates an account.
#[utoipa::path(post, path = "/users", tag = "users", params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first result and creates nothing new")), request_body = NewUserBody,
    responses((status = 201, body = User), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Idempotency(key): Idempotency,
    ApiJson(b): ApiJson<NewUserBody>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = NewUserInput {
        username: b.username,
        display_name: b.display_name,
        password: b.password,
        committee_id: committee_of(&ctx, b.committee_id)?,
        email: b.email,
    };
    let form = input.validate().map_err(StoreError::Invalid)?;
    let hash = users::hash_password(form.password).await?;
    let u = idempotency::create_with(&state.db, key.as_ref(), async |tx| {
        users::create_in(tx, &caller, &input, &hash).await
    })
    .await?;
    Ok(created(u))
}

/// One account.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<User>> {
    Ok(Json(users::get(&state.db, &ctx.caller()?, id).await?))
}

/// An edit of an account's profile.
#[derive(Deserialize, ToSchema)]
pub struct UserPatch {
    pub display_name: String,
    pub email: Option<String>,
    pub version: Option<i64>,
}

/// Edits an account's display name and e-mail.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")), request_body = UserPatch,
    responses((status = 200, body = User), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<UserPatch>,
) -> WebResult<Json<User>> {
    Ok(Json(
        users::update_profile(
            &state.db,
            &ctx.caller()?,
            id,
            &b.display_name,
            b.email.as_deref(),
            v.or(b.version),
        )
        .await?,
    ))
}

/// The fields of a user action: `password` for reset-password; `role`,
/// `committee_id`, `unit_id`, `offices` for grant-role and revoke-role.
#[derive(Deserialize, ToSchema, Default)]
pub struct UserAction {
    pub password: Option<String>,
    pub role: Option<String>,
    pub committee_id: Option<i64>,
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub offices: Vec<String>,
    pub version: Option<i64>,
}

/// Acts on an account: `disable`, `enable`, `reset-password`, `grant-role`, `revoke-role`.
#[utoipa::path(post, path = "/users/{id}/actions/{action}", tag = "users",
    params(("id" = i64, Path), ("action" = String, Path, description = "disable, enable, reset-password, grant-role or revoke-role"), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")),
    request_body = UserAction,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn user_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<UserAction>,
) -> WebResult<Json<User>> {
    let caller = ctx.caller()?;
    let version = v.or(b.version);
    let db = &state.db;
    let user = match action.as_str() {
        "disable" => users::set_disabled(db, &caller, id, true, version).await?,
        "enable" => users::set_disabled(db, &caller, id, false, version).await?,
        "reset-password" => {
            users::reset_password(
                db,
                &caller,
                id,
                b.password.as_deref().unwrap_or(""),
                version,
            )
            .await?
        }
        "grant-role" => {
            let g = GrantInput {
                role: b.role.clone().unwrap_or_default(),
                committee_id: committee_of(&ctx, b.committee_id)?,
                unit_id: b.unit_id,
                offices: b.offices.clone(),
            };
            users::grant(db, &caller, id, &g, version).await?
        }
        "revoke-role" => {
            let committee_id = committee_of(&ctx, b.committee_id)?;
            users::revoke(
                db,
                &caller,
                id,
                b.role.as_deref().unwrap_or(""),
                committee_id,
                version,
            )
            .await?
        }
        _ => return Err(WebError::NoRoute),
    };
    Ok(Json(user))
}

/// The audit trail of an account.
#[utoipa::path(get, path = "/users/{id}/events", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = Vec<Event>)))]
pub async fn user_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Event>>> {
    users::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(audit::of_record(&state.db, "user", id).await?))
}

// ---- events ----

/// Filters of the audit trail.
#[derive(Deserialize, IntoParams)]
pub struct EventParams {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// Only this committee's events (by default every committee the caller audits).
    pub committee_id: Option<i64>,
    pub record_type: Option<String>,
    pub record_id: Option<i64>,
    /// The actor's user name.
    pub actor: Option<String>,
    /// An action or the start of one (`member.` matches every member action).
    pub action: Option<String>,
}

/// Browses the audit trail, newest first.
#[utoipa::path(get, path = "/events", tag = "audit", params(EventParams),
    responses((status = 200, body = ItemsOf<Event>), (status = 403, body = Problem)))]
pub async fn list_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<EventParams>,
) -> WebResult<Json<ItemsOf<Event>>> {
    let caller = ctx.caller()?;
    let filter = EventFilter {
        committees: audited_committees(&state, &caller, p.committee_id).await?,
        record_type: p.record_type,
        record_id: p.record_id,
        actor: p.actor,
        action: p.action,
    };
    Ok(Json(
        audit::list(&state.db, &filter, PageRequest::new(p.page, p.per_page))
            .await?
            .into(),
    ))
}
