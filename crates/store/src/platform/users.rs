//! User accounts, their roles, passwords and sign-in.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::{StoreError, unique_as};
use crate::page::{Page, PageRequest};
use crate::platform::{bodies, committees, throttle};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use domain::platform::{
    Actor, BodyKind, Grant, GrantInput, NewUserInput, Office, Permission, Role,
};
use serde::Serialize;
use serde_json::json;

/// A user account as shown to admins and to the user (never the password hash).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    /// The committee the account belongs to.
    pub committee_id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The interface language chosen by the user (`zh-CN` or `en`), if any.
    pub lang: Option<String>,
    pub disabled: bool,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    /// The roles the user holds.
    #[sqlx(skip)]
    pub roles: Vec<RoleView>,
}

/// One role held, as shown.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RoleView {
    pub role: String,
    pub committee_id: i64,
    pub committee_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub offices: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    user_id: i64,
    role: String,
    committee_id: i64,
    committee_name: String,
    unit_id: Option<i64>,
    unit_name: Option<String>,
    offices: String,
}

const GRANTS_SQL: &str = "SELECT g.user_id, g.role, g.committee_id, c.name AS committee_name, g.unit_id, u.name AS unit_name, g.offices
     FROM grants g JOIN committees c ON c.id = g.committee_id LEFT JOIN units u ON u.id = g.unit_id";

/// The offices of a grant as stored (comma-separated codes).
pub fn split_offices(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn to_view(g: GrantRow) -> RoleView {
    RoleView {
        role: g.role,
        committee_id: g.committee_id,
        committee_name: g.committee_name,
        unit_id: g.unit_id,
        unit_name: g.unit_name,
        offices: split_offices(&g.offices),
    }
}

async fn with_roles(db: &Db, mut users: Vec<User>) -> Result<Vec<User>, StoreError> {
    if users.is_empty() {
        return Ok(users);
    }
    let ids: Vec<String> = users.iter().map(|u| u.id.to_string()).collect();
    // Ids are integers from our own query, not user text.
    let sql = format!(
        "{GRANTS_SQL} WHERE g.user_id IN ({}) ORDER BY g.id",
        ids.join(",")
    );
    let rows: Vec<GrantRow> = on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(c)
        .await?);
    for r in rows {
        if let Some(u) = users.iter_mut().find(|u| u.id == r.user_id) {
            u.roles.push(to_view(r));
        }
    }
    Ok(users)
}

/// The actor for a user id, unless the account is missing or disabled.
pub async fn actor(db: &Db, user_id: i64) -> Result<Option<Actor>, StoreError> {
    let user: Option<User> = on_db!(db, |c| sqlx::query_as(
        "SELECT * FROM users WHERE id = $1 AND disabled = $2"
    )
    .bind(user_id)
    .bind(false)
    .fetch_optional(c)
    .await?);
    let Some(user) = user else { return Ok(None) };
    let user = with_roles(db, vec![user]).await?.remove(0);
    Ok(Some(actor_of(&user)))
}

/// The actor a loaded user acts as.
pub fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        home_committee_id: user.committee_id,
        grants: user
            .roles
            .iter()
            .filter_map(|r| {
                Some(Grant {
                    role: Role::parse(&r.role)?,
                    committee_id: r.committee_id,
                    unit_id: r.unit_id,
                    offices: r.offices.iter().filter_map(|o| Office::parse(o)).collect(),
                })
            })
            .collect(),
    }
}

/// A user with roles, by id, without permission checks (for the signed-in user).
pub async fn by_id(db: &Db, id: i64) -> Result<Option<User>, StoreError> {
    let user: Option<User> = on_db!(db, |c| sqlx::query_as("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await?);
    match user {
        Some(u) => Ok(with_roles(db, vec![u]).await?.pop()),
        None => Ok(None),
    }
}

/// One user, if the caller may see people of the user's committee.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<User, StoreError> {
    let user = by_id(db, id).await?.ok_or(StoreError::NotFound)?;
    let scope = committees::scope(db, user.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadPeople, &scope)?;
    Ok(user)
}

/// Lists the users of a committee.
pub async fn list(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<User>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadPeople, &scope)?;
    let like = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(crate::like::contains);
    const FILTER: &str = "committee_id = $1 AND ($2 IS NULL OR lower(username) LIKE $2 ESCAPE '\\' OR lower(display_name) LIKE $2 ESCAPE '\\')";
    let (total, items) = on_db!(db, |c| {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM users WHERE {FILTER}"
        )))
        .bind(committee_id)
        .bind(&like)
        .fetch_one(c)
        .await?;
        let items: Vec<User> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM users WHERE {FILTER} ORDER BY username LIMIT $3 OFFSET $4"
        )))
        .bind(committee_id)
        .bind(&like)
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(c)
        .await?;
        (total, items)
    });
    let items = with_roles(db, items).await?;
    Ok(page.of(items, total))
}

/// Hashes a password with Argon2id, off the async threads.
pub async fn hash_password(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Internal(format!("hashing: {e}")))
    })
    .await
    .map_err(|e| StoreError::Internal(format!("hashing task: {e}")))?
}

/// Checks a password against a stored hash, off the async threads.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody has, verified against when the account does
/// not exist so that both cases take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$N2P3yT0Cp0Ifk+IyjM1F4ZJmVLGNNNeFWKV4HgwJHdg";

/// Checks a user name and password, with throttling per account and per
/// address. Unknown accounts, wrong passwords and disabled accounts all
/// answer [`StoreError::BadCredentials`], so none reveals which it was.
pub async fn authenticate(
    db: &Db,
    username: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<User, StoreError> {
    let username = username.trim().to_ascii_lowercase();
    let keys = throttle::keys(&username, ip);
    if let Some(wait) = throttle::wait_seconds(db, &keys).await? {
        return Err(StoreError::Throttled(wait));
    }
    let row: Option<(i64, String, bool)> = on_db!(db, |c| sqlx::query_as(
        "SELECT id, password_hash, disabled FROM users WHERE username = $1"
    )
    .bind(&username)
    .fetch_optional(c)
    .await?);
    let (ok, id) = match row {
        Some((id, hash, disabled)) => (
            verify_password(password.to_string(), hash).await && !disabled,
            id,
        ),
        None => {
            verify_password(password.to_string(), DUMMY_HASH.to_string()).await;
            (false, 0)
        }
    };
    if !ok {
        throttle::record_failure(db, &keys).await?;
        return Err(StoreError::BadCredentials);
    }
    throttle::clear(db, &keys[..1]).await?;
    by_id(db, id).await?.ok_or(StoreError::BadCredentials)
}

/// Creates an account in a committee the caller administers.
pub async fn create(db: &Db, caller: &Caller, input: &NewUserInput) -> Result<User, StoreError> {
    let form = input.validate().map_err(StoreError::Invalid)?;
    let hash = hash_password(form.password.clone()).await?;
    let mut tx = db.begin().await?;
    let u = create_in(&mut tx, caller, input, &hash).await?;
    tx.commit().await?;
    Ok(u)
}

/// [`create`] inside a transaction, with the password already hashed.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    input: &NewUserInput,
    password_hash: &str,
) -> Result<User, StoreError> {
    let form = input.validate().map_err(StoreError::Invalid)?;
    let scope = committees::scope_tx(tx, form.committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    caller.require(Permission::Administer, &scope)?;
    let now = crate::clock::now();
    let u: User = on_tx!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO users (committee_id, username, display_name, email, password_hash, disabled, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING *"
    )
    .bind(form.committee_id)
    .bind(&form.username)
    .bind(&form.display_name)
    .bind(&form.email)
    .bind(password_hash)
    .bind(false)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(unique_as("username_taken"))?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(u.committee_id),
            action: "user.create",
            record_type: "user",
            record_id: Some(u.id),
            changes: json!({"username": u.username, "display_name": u.display_name, "email": u.email}),
            caller,
        },
    )
    .await?;
    Ok(u)
}

/// Loads a user for a change by an admin: checks the version and permission.
async fn load_for_admin(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
) -> Result<User, StoreError> {
    let u: User = on_tx!(tx, |c| sqlx::query_as("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await?)
    .ok_or(StoreError::NotFound)?;
    let scope = committees::scope_tx(tx, u.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::Administer, &scope)?;
    if expected.is_some_and(|v| v != u.version) {
        return Err(StoreError::stale(u.version));
    }
    Ok(u)
}

async fn bump(tx: &mut Tx, id: i64, version: i64) -> Result<(), StoreError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
    )
    .bind(crate::clock::now())
    .bind(id)
    .bind(version)
    .execute(c)
    .await?
    .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::stale(version))
    }
}

/// Edits a user's display name and e-mail.
pub async fn update_profile(
    db: &Db,
    caller: &Caller,
    id: i64,
    display_name: &str,
    email: Option<&str>,
    expected: Option<i64>,
) -> Result<User, StoreError> {
    let mut e = domain::validate::Errors::default();
    let display_name = e.required_text("display_name", display_name, 50);
    let email = e.optional_text("email", email, 254);
    if email
        .as_deref()
        .is_some_and(|m| !domain::validate::is_valid_email(m))
    {
        e.add("email", "invalid_email");
    }
    e.finish().map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let old = load_for_admin(&mut tx, caller, id, expected).await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE users SET display_name = $1, email = $2 WHERE id = $3"
    )
    .bind(&display_name)
    .bind(&email)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    bump(&mut tx, id, old.version).await?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(old.committee_id),
            action: "user.update",
            record_type: "user",
            record_id: Some(id),
            changes: audit::diff(&[
                ("display_name", json!(old.display_name), json!(display_name)),
                ("email", json!(old.email), json!(email)),
            ]),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, caller, id).await
}

/// Disables or enables an account; disabling also ends its sessions.
pub async fn set_disabled(
    db: &Db,
    caller: &Caller,
    id: i64,
    disabled: bool,
    expected: Option<i64>,
) -> Result<User, StoreError> {
    let mut tx = db.begin().await?;
    let old = load_for_admin(&mut tx, caller, id, expected).await?;
    if disabled && id == caller.actor.user_id {
        return Err(StoreError::Conflict {
            code: "cannot_disable_self",
            current: None,
        });
    }
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE users SET disabled = $1 WHERE id = $2"
    )
    .bind(disabled)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    if disabled {
        on_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1"
        )
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    }
    bump(&mut tx, id, old.version).await?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(old.committee_id),
            action: if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            record_type: "user",
            record_id: Some(id),
            changes: audit::diff(&[("disabled", json!(old.disabled), json!(disabled))]),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, caller, id).await
}

/// An admin sets a new password for a user; the user's sessions end.
pub async fn reset_password(
    db: &Db,
    caller: &Caller,
    id: i64,
    password: &str,
    expected: Option<i64>,
) -> Result<User, StoreError> {
    if let Some(code) = domain::validate::password_problem(password) {
        return Err(StoreError::invalid("password", code));
    }
    let hash = hash_password(password.to_string()).await?;
    let mut tx = db.begin().await?;
    let old = load_for_admin(&mut tx, caller, id, expected).await?;
    set_hash(&mut tx, id, &hash).await?;
    bump(&mut tx, id, old.version).await?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(old.committee_id),
            action: "user.reset_password",
            record_type: "user",
            record_id: Some(id),
            changes: json!({"password": "changed"}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, caller, id).await
}

async fn set_hash(tx: &mut Tx, id: i64, hash: &str) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $1 WHERE id = $2"
    )
    .bind(hash)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// A user changes their own password, proving the current one. Every
/// session of the user ends; the caller signs in again.
pub async fn change_own_password(
    db: &Db,
    caller: &Caller,
    current: &str,
    new: &str,
) -> Result<(), StoreError> {
    let id = caller.actor.user_id;
    let stored: Option<String> = on_db!(db, |c| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?);
    let stored = stored.ok_or(StoreError::NotFound)?;
    let mut errors = domain::validate::Errors::default();
    if !verify_password(current.to_string(), stored).await {
        errors.add("current_password", "wrong_password");
    }
    if let Some(code) = domain::validate::password_problem(new) {
        errors.add("new_password", code);
    }
    errors.finish().map_err(StoreError::Invalid)?;
    let hash = hash_password(new.to_string()).await?;
    let mut tx = db.begin().await?;
    set_hash(&mut tx, id, &hash).await?;
    let committee_id: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "UPDATE users SET version = version + 1, updated_at = $1 WHERE id = $2 RETURNING committee_id"
    )
    .bind(crate::clock::now())
    .bind(id)
    .fetch_one(c)
    .await?
    });
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(committee_id),
            action: "user.change_password",
            record_type: "user",
            record_id: Some(id),
            changes: json!({"password": "changed"}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the user's interface language.
pub async fn set_language(db: &Db, caller: &Caller, lang: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let row: Option<(i64, Option<String>)> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "UPDATE users SET lang = $1, version = version + 1, updated_at = $2 WHERE id = $3 RETURNING committee_id, lang"
    )
    .bind(lang)
    .bind(crate::clock::now())
    .bind(caller.actor.user_id)
    .fetch_optional(c)
    .await?
    });
    let (committee_id, _) = row.ok_or(StoreError::NotFound)?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(committee_id),
            action: "user.set_language",
            record_type: "user",
            record_id: Some(caller.actor.user_id),
            changes: json!({"lang": lang}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Grants a role in a committee the caller administers.
pub async fn grant(
    db: &Db,
    caller: &Caller,
    user_id: i64,
    input: &GrantInput,
    expected: Option<i64>,
) -> Result<User, StoreError> {
    let mut tx = db.begin().await?;
    grant_in(&mut tx, caller, user_id, input, expected).await?;
    tx.commit().await?;
    get(db, caller, user_id).await
}

/// [`grant`] inside a transaction.
pub async fn grant_in(
    tx: &mut Tx,
    caller: &Caller,
    user_id: i64,
    input: &GrantInput,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let g = input.validate().map_err(StoreError::Invalid)?;
    let old = load_for_admin(tx, caller, user_id, expected).await?;
    let scope = committees::scope_tx(tx, g.committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    if !caller.may(Permission::Administer, &scope) {
        return Err(StoreError::invalid("committee_id", "not_administered"));
    }
    if let Some(unit) = g.unit_id
        && !bodies::exists_in(tx, BodyKind::Unit, unit, g.committee_id).await?
    {
        return Err(StoreError::invalid("unit_id", "not_found"));
    }
    let offices: Vec<&str> = g.offices.iter().map(|o| o.as_str()).collect();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO grants (user_id, role, committee_id, unit_id, offices, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(user_id)
    .bind(g.role.as_str())
    .bind(g.committee_id)
    .bind(g.unit_id)
    .bind(offices.join(","))
    .bind(crate::clock::now())
    .execute(c)
    .await
    .map_err(unique_as("role_already_held"))?.rows_affected()
    });
    bump(tx, user_id, old.version).await?;
    audit::append(
        tx,
        Change {
            committee_id: Some(g.committee_id),
            action: "user.grant_role",
            record_type: "user",
            record_id: Some(user_id),
            changes: json!({"role": g.role.as_str(), "committee_id": g.committee_id, "unit_id": g.unit_id, "offices": offices}),
            caller,
        },
    )
    .await?;
    Ok(())
}

/// Takes a role back.
pub async fn revoke(
    db: &Db,
    caller: &Caller,
    user_id: i64,
    role: &str,
    committee_id: i64,
    expected: Option<i64>,
) -> Result<User, StoreError> {
    let mut tx = db.begin().await?;
    let old = load_for_admin(&mut tx, caller, user_id, expected).await?;
    let scope = committees::scope_tx(&mut tx, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !caller.may(Permission::Administer, &scope) {
        return Err(StoreError::NotFound);
    }
    if user_id == caller.actor.user_id && role == Role::Admin.as_str() {
        return Err(StoreError::Conflict {
            code: "cannot_revoke_own_admin",
            current: None,
        });
    }
    let n = on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM grants WHERE user_id = $1 AND role = $2 AND committee_id = $3"
    )
    .bind(user_id)
    .bind(role)
    .bind(committee_id)
    .execute(c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    bump(&mut tx, user_id, old.version).await?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(committee_id),
            action: "user.revoke_role",
            record_type: "user",
            record_id: Some(user_id),
            changes: json!({"role": role, "committee_id": committee_id}),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, caller, user_id).await
}

/// The enabled accounts holding `role` in a committee: (user id, display name).
pub async fn holding(
    db: &Db,
    role: Role,
    committee_id: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
            "SELECT u.id, u.display_name FROM users u JOIN grants g ON g.user_id = u.id
             WHERE g.role = $1 AND g.committee_id = $2 AND u.disabled = $3 ORDER BY u.display_name",
        )
        .bind(role.as_str())
        .bind(committee_id)
        .bind(false)
        .fetch_all(c)
        .await?
    }))
}

/// Whether an account exists and is not disabled, inside a transaction.
pub(crate) async fn is_active_in(tx: &mut Tx, id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1 AND disabled = $2"
    )
    .bind(id)
    .bind(false)
    .fetch_optional(c)
    .await?);
    Ok(found.is_some())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_dummy_hash_is_a_valid_argon2id_hash() {
        assert!(argon2::password_hash::phc::PasswordHash::new(super::DUMMY_HASH).is_ok());
        assert!(!super::verify_password("x".into(), super::DUMMY_HASH.into()).await);
    }
}
