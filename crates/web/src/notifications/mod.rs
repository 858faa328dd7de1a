//! Notifications: the bell's page and its JSON API. Opening one marks it read
//! and leads to its record.

use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::api::ItemsOf;
use crate::platform::pages::{PageCtx, html};
use crate::problem::Problem;
use crate::state::AppState;
use crate::view::Chrome;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::notifications::{self, Notification};
use store::page::PageRequest;
use utoipa::IntoParams;

/// Where a notification's record is shown.
fn href(n: &Notification) -> String {
    match n.record_type.as_str() {
        "proposal" => format!("/proposals/{}", n.record_id),
        "opinion" => format!("/opinions/{}", n.record_id),
        "consultation" => format!("/consultations/{}", n.record_id),
        "meeting" => format!("/meetings/{}", n.record_id),
        "deliberation" if n.kind == "deliberation.reported" => {
            format!("/deliberations/{}/results", n.record_id)
        }
        "deliberation" => format!("/deliberations/{}", n.record_id),
        _ => "/".to_string(),
    }
}

/// Paging of notifications.
#[derive(Deserialize, IntoParams)]
pub struct NotificationParams {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// Only those not yet read.
    pub unread: Option<bool>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationParams),
    responses((status = 200, body = ItemsOf<Notification>), (status = 401, body = Problem)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NotificationParams>,
) -> WebResult<Json<ItemsOf<Notification>>> {
    let page = notifications::list(
        &state.db,
        &ctx.caller()?,
        q.unread.unwrap_or(false),
        PageRequest::new(q.page, q.per_page),
    )
    .await?;
    Ok(Json(page.into()))
}

/// How many changed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Marked), (status = 404, body = Problem)))]
pub async fn read_notification(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Json<Marked>> {
    let marked = notifications::mark_read(&state.db, &ctx.caller()?, Some(id)).await?;
    Ok(Json(Marked { marked }))
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 200, body = Marked), (status = 401, body = Problem)))]
pub async fn read_all_notifications(
    State(state): State<AppState>,
    ctx: Ctx,
) -> WebResult<Json<Marked>> {
    let marked = notifications::mark_read(&state.db, &ctx.caller()?, None).await?;
    Ok(Json(Marked { marked }))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    /// (id, what happened, title, when, unread)
    items: Vec<(i64, String, String, String, bool)>,
    unread: i64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

/// The bell's page.
pub async fn page(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let page = notifications::list(
        &state.db,
        &caller,
        false,
        PageRequest::new(q.page, Some(30)),
    )
    .await?;
    // Counted with the session, for the bell.
    let unread = ctx.user.as_ref().map_or(0, |u| u.unread);
    let pages = (page.total + page.per_page - 1) / page.per_page.max(1);
    let items = page
        .items
        .iter()
        .map(|n| {
            (
                n.id,
                t.code("notification", &n.kind),
                n.title.clone(),
                store::clock::local_date(n.created_at),
                n.read_at.is_none(),
            )
        })
        .collect();
    html(NotificationsPage {
        c: Chrome::new(&ctx, "/notifications"),
        items,
        unread,
        prev: (page.page > 1).then(|| format!("/notifications?page={}", page.page - 1)),
        next: (page.page < pages).then(|| format!("/notifications?page={}", page.page + 1)),
    })
}

/// Opens a notification: marks it read and goes to its record.
pub async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let n = notifications::get(&state.db, &caller, id).await?;
    notifications::mark_read(&state.db, &caller, Some(id)).await?;
    let to = href(&n);
    Ok(Redirect::to(&to).into_response())
}

/// Marks all read, back to the bell's page.
pub async fn read_all(State(state): State<AppState>, ctx: Ctx) -> WebResult<Response> {
    notifications::mark_read(&state.db, &ctx.caller()?, None).await?;
    Ok(Redirect::to("/notifications").into_response())
}
