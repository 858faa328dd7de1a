//! The JSON API of members.

use crate::api_extract::{ApiJson, Idempotency, IfMatch};
use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::api::{ItemsOf, committee_of, created};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::members::MemberInput;
use serde::Deserialize;
use store::audit::{self, Event};
use store::members::{self, Member, MemberFilter};
use store::page::PageRequest;
use store::platform::idempotency;
use utoipa::{IntoParams, ToSchema};

/// Filters of the member list.
#[derive(Deserialize, IntoParams)]
pub struct MemberParams {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// Matches name or occupation.
    pub q: Option<String>,
    pub committee_id: Option<i64>,
    pub sector_id: Option<i64>,
    pub special_committee_id: Option<i64>,
    pub affiliation: Option<String>,
    pub active: Option<bool>,
    /// `name`, `-name`, `birth_year`, `-birth_year` or `id`.
    pub sort: Option<String>,
}

/// A member profile to create or edit.
#[derive(Deserialize, ToSchema)]
pub struct MemberBody {
    pub name: String,
    /// `male` or `female`.
    pub gender: String,
    pub ethnicity: String,
    pub birth_year: Option<i64>,
    pub affiliation: String,
    pub sector_id: Option<i64>,
    pub special_committee_id: Option<i64>,
    pub occupation: Option<String>,
    pub term: Option<i64>,
    pub standing: Option<bool>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub active: Option<bool>,
    /// The committee to create in (by default the caller's first).
    pub committee_id: Option<i64>,
    pub version: Option<i64>,
}

impl MemberBody {
    fn input(&self) -> MemberInput {
        MemberInput {
            name: self.name.clone(),
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            birth_year: self.birth_year,
            affiliation: self.affiliation.clone(),
            sector_id: self.sector_id,
            special_committee_id: self.special_committee_id,
            occupation: self.occupation.clone(),
            term: self.term,
            standing: self.standing,
            phone: self.phone.clone(),
            email: self.email.clone(),
            address: self.address.clone(),
            active: self.active,
        }
    }
}

/// Lists the members of a committee.
#[utoipa::path(get, path = "/members", tag = "members", params(MemberParams), responses((status = 200, body = ItemsOf<Member>), (status = 404, body = Problem)))]
pub async fn list_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<MemberParams>,
) -> WebResult<Json<ItemsOf<Member>>> {
    let f = MemberFilter {
        committee_id: committee_of(&ctx, p.committee_id)?,
        q: p.q,
        sector_id: p.sector_id,
        special_committee_id: p.special_committee_id,
        affiliation: p.affiliation,
        active: p.active,
        sort: p.sort,
    };
    Ok(Json(
        members::list(
            &state.db,
            &ctx.caller()?,
            &f,
            PageRequest::new(p.page, p.per_page),
        )
        .await?
        .into(),
    ))
}

/// Creates a member.
#[utoipa::path(post, path = "/members", tag = "members", params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first result and creates nothing new")), request_body = MemberBody,
    responses((status = 201, body = Member), (status = 422, body = Problem)))]
pub async fn create_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Idempotency(key): Idempotency,
    ApiJson(b): ApiJson<MemberBody>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let committee_id = committee_of(&ctx, b.committee_id)?;
    let input = b.input();
    let m = idempotency::create_with(&state.db, key.as_ref(), async |tx| {
        members::create_in(tx, &caller, committee_id, &input, None).await
    })
    .await?;
    Ok(created(m))
}

/// One member.
#[utoipa::path(get, path = "/members/{id}", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = Member), (status = 404, body = Problem)))]
pub async fn get_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Member>> {
    Ok(Json(members::get(&state.db, &ctx.caller()?, id).await?))
}

/// Edits a member.
#[utoipa::path(patch, path = "/members/{id}", tag = "members", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The version the change is based on; a stale one answers 409")), request_body = MemberBody,
    responses((status = 200, body = Member), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<MemberBody>,
) -> WebResult<Json<Member>> {
    Ok(Json(
        members::update(&state.db, &ctx.caller()?, id, &b.input(), v.or(b.version)).await?,
    ))
}

/// The audit trail of a member.
#[utoipa::path(get, path = "/members/{id}/events", tag = "members", params(("id" = i64, Path)), responses((status = 200, body = Vec<Event>)))]
pub async fn member_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<Event>>> {
    members::get(&state.db, &ctx.caller()?, id).await?;
    Ok(Json(audit::of_record(&state.db, "member", id).await?))
}
