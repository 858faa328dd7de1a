//! In-app notifications (the bell): made by commands and jobs in their own
//! transactions, read by their user, e-mailed when SMTP is configured.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use serde::Serialize;
use serde_json::json;

/// One notification.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    /// What happened, e.g. `proposal.deadline_soon` or `proposal.overdue`.
    pub kind: String,
    pub record_type: String,
    pub record_id: i64,
    /// The record's title when the notice was made.
    pub title: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<i64>,
}

/// Adds a notification for `user_id` inside the caller's transaction.
pub async fn notify_in(
    tx: &mut Tx,
    user_id: i64,
    kind: &str,
    record: (&str, i64),
    title: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notifications (user_id, kind, record_type, record_id, title, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(kind)
        .bind(record.0)
        .bind(record.1)
        .bind(title)
        .bind(crate::clock::now())
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// The caller's notifications, newest first; unread only when asked.
pub async fn list(
    db: &Db,
    caller: &Caller,
    unread_only: bool,
    page: PageRequest,
) -> Result<Page<Notification>, StoreError> {
    let user = caller.actor.user_id;
    let (total, items) = on_db!(db, |c| {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND ($2 = FALSE OR read_at IS NULL)",
        )
        .bind(user)
        .bind(unread_only)
        .fetch_one(c)
        .await?;
        let items: Vec<Notification> = sqlx::query_as(
            "SELECT id, user_id, kind, record_type, record_id, title, created_at, read_at FROM notifications
             WHERE user_id = $1 AND ($2 = FALSE OR read_at IS NULL) ORDER BY id DESC LIMIT $3 OFFSET $4",
        )
        .bind(user)
        .bind(unread_only)
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(c)
        .await?;
        (total, items)
    });
    Ok(page.of(items, total))
}

/// One of the caller's notifications; someone else's is not found.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Notification, StoreError> {
    on_db!(db, |c| {
        sqlx::query_as(
            "SELECT id, user_id, kind, record_type, record_id, title, created_at, read_at FROM notifications
             WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(caller.actor.user_id)
        .fetch_optional(c)
        .await?
    })
    .ok_or(StoreError::NotFound)
}

/// Marks the caller's notification `id` read (or all of theirs when `None`);
/// returns how many changed. Someone else's notification is not found.
pub async fn mark_read(db: &Db, caller: &Caller, id: Option<i64>) -> Result<u64, StoreError> {
    let user = caller.actor.user_id;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    if let Some(id) = id {
        let owner: Option<i64> = on_tx!(&mut tx, |c| {
            sqlx::query_scalar("SELECT user_id FROM notifications WHERE id = $1")
                .bind(id)
                .fetch_optional(c)
                .await?
        });
        if owner != Some(user) {
            return Err(StoreError::NotFound);
        }
    }
    let n = on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $3)",
        )
        .bind(now)
        .bind(user)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n > 0 {
        audit::append(
            &mut tx,
            Change {
                committee_id: None,
                action: "notification.read",
                record_type: "notification",
                record_id: id,
                changes: json!({"read": n}),
                caller,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// A notification to e-mail, with its addressee.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub email: String,
    pub lang: Option<String>,
    pub kind: String,
    pub record_type: String,
    pub record_id: i64,
    pub title: String,
}

/// Notifications of the last week not yet e-mailed to users who have an address.
pub async fn unsent_mail(db: &Db, limit: i64) -> Result<Vec<Outgoing>, StoreError> {
    let since = crate::clock::now() - 7 * 86_400_000_000;
    Ok(on_db!(db, |c| {
        sqlx::query_as(
            "SELECT n.id, u.email, u.lang, n.kind, n.record_type, n.record_id, n.title
             FROM notifications n JOIN users u ON u.id = n.user_id
             WHERE n.emailed_at IS NULL AND n.created_at > $1 AND u.email IS NOT NULL AND u.email <> '' AND u.disabled = $2
             ORDER BY n.id LIMIT $3",
        )
        .bind(since)
        .bind(false)
        .bind(limit)
        .fetch_all(c)
        .await?
    }))
}

/// Records that these notifications were e-mailed.
pub async fn mark_emailed(db: &Db, ids: &[i64]) -> Result<(), StoreError> {
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    for id in ids {
        on_tx!(&mut tx, |c| {
            sqlx::query("UPDATE notifications SET emailed_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
    }
    tx.commit().await?;
    Ok(())
}
