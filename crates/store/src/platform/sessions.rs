//! Sign-in sessions: web sessions (a cookie) and API tokens (a bearer
//! header). Only a hash of the secret is stored, so a copy of the database
//! cannot be used to sign in.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, on_db};
use crate::error::StoreError;
use crate::ids;
use serde_json::json;

/// How long a web session lasts.
pub const WEB_LIFETIME_MICROS: i64 = 12 * 3600 * 1_000_000;
/// How long an API token lasts.
pub const API_LIFETIME_MICROS: i64 = 30 * 24 * 3600 * 1_000_000;

/// Whether a session is a browser's or an API client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Web,
    Api,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Web => "web",
            Kind::Api => "api",
        }
    }
}

/// A new session: the secret to hand to the client and its CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// A valid session found by its secret: the signed-in user (with roles) and
/// the session's CSRF token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    #[sqlx(flatten)]
    pub user: super::users::User,
    pub session_csrf: String,
    /// Unread notifications: the number on the bell of every page.
    pub unread: i64,
}

/// Starts a session for a user who has just proved who they are, and
/// records the sign-in in the audit trail in the same transaction.
pub async fn start(
    db: &Db,
    user: &super::users::User,
    kind: Kind,
    ip: Option<&str>,
) -> Result<NewSession, StoreError> {
    let user_id = user.id;
    let token = ids::new_token()?;
    let csrf = ids::new_token()?;
    let now = crate::clock::now();
    let lifetime = match kind {
        Kind::Web => WEB_LIFETIME_MICROS,
        Kind::Api => API_LIFETIME_MICROS,
    };
    let mut tx = db.begin().await?;
    crate::db::on_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO sessions (token_hash, kind, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(ids::sha256_hex(&token))
    .bind(kind.as_str())
    .bind(user_id)
    .bind(&csrf)
    .bind(now)
    .bind(now + lifetime)
    .execute(c)
    .await?.rows_affected()
    });
    let caller = Caller::user(super::users::actor_of(user), ip.map(str::to_string));
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(user.committee_id),
            action: "user.login",
            record_type: "user",
            record_id: Some(user_id),
            changes: json!({"via": kind.as_str()}),
            caller: &caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession { token, csrf })
}

/// One row of the session lookup: the user, and one of their roles if any.
#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: super::users::User,
    session_csrf: String,
    session_expires_at: i64,
    unread: i64,
    g_role: Option<String>,
    g_committee_id: Option<i64>,
    g_committee_name: Option<String>,
    g_unit_id: Option<i64>,
    g_unit_name: Option<String>,
    g_offices: Option<String>,
}

/// The live session of a secret, if it exists, has not expired, is of the
/// expected kind and its account is enabled. Every request that carries a
/// session runs this, so it is one query: the user with one row per role.
pub async fn find(db: &Db, token: &str, kind: Kind) -> Result<Option<Session>, StoreError> {
    if token.len() != 64 {
        return Ok(None);
    }
    // Kept while the database is unchanged (any sign-out, role change or new
    // notification is a commit), so expiry is checked here, not in the query.
    // The answer is kept under the secret itself, which this process holds
    // anyway while it serves the request: the hash that the table stores
    // (SHA-256, a few per cent of a cached page's time) is worked out only
    // when the database has to be asked.
    let found = db
        .cached(
            format!("session\u{1f}{}\u{1f}{token}", kind.as_str()),
            || load(db, ids::sha256_hex(token), kind),
        )
        .await?;
    Ok(found
        .as_ref()
        .as_ref()
        .filter(|(_, expires_at)| *expires_at > crate::clock::now())
        .map(|(session, _)| session.clone()))
}

/// The session with this secret's hash and its expiry, if it is of the kind
/// and its account is enabled.
async fn load(db: &Db, hash: String, kind: Kind) -> Result<Option<(Session, i64)>, StoreError> {
    let rows: Vec<SessionRow> = on_db!(db, |c| {
        sqlx::query_as(
            "SELECT u.*, s.csrf AS session_csrf, s.expires_at AS session_expires_at,
                    (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread,
                    g.role AS g_role, g.committee_id AS g_committee_id,
                    c.name AS g_committee_name, g.unit_id AS g_unit_id, un.name AS g_unit_name, g.offices AS g_offices
             FROM sessions s
             JOIN users u ON u.id = s.user_id
             LEFT JOIN grants g ON g.user_id = u.id
             LEFT JOIN committees c ON c.id = g.committee_id
             LEFT JOIN units un ON un.id = g.unit_id
             WHERE s.token_hash = $1 AND s.kind = $2 AND u.disabled = $3
             ORDER BY g.id",
        )
        .bind(&hash)
        .bind(kind.as_str())
        .bind(false)
        .fetch_all(c)
        .await?
    });
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Ok(None);
    };
    let expires_at = first.session_expires_at;
    let mut session = Session {
        user: first.user.clone(),
        session_csrf: first.session_csrf.clone(),
        unread: first.unread,
    };
    for r in std::iter::once(first).chain(rows) {
        if let (Some(role), Some(committee_id), Some(committee_name)) =
            (r.g_role, r.g_committee_id, r.g_committee_name)
        {
            session.user.roles.push(super::users::RoleView {
                role,
                committee_id,
                committee_name,
                unit_id: r.g_unit_id,
                unit_name: r.g_unit_name,
                offices: super::users::split_offices(r.g_offices.as_deref().unwrap_or("")),
            });
        }
    }
    Ok(Some((session, expires_at)))
}

/// Ends a session, recording the sign-out.
pub async fn end(db: &Db, caller: &Caller, token: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(caller.actor.home_committee_id),
            action: "user.logout",
            record_type: "user",
            record_id: Some(caller.actor.user_id),
            changes: json!({}),
            caller,
        },
    )
    .await?;
    crate::db::on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(ids::sha256_hex(token))
    .execute(c)
    .await?
    .rows_affected());
    tx.commit().await
}
