//! The members of a sector member studio (界别委员工作室): who answers the
//! citizens' input that reaches it. Administrators and information staff of
//! its committee set them.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::opinions;
use crate::platform::committees;
use domain::platform::Permission;
use serde::Serialize;
use serde_json::json;

/// A studio as its public page shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Studio {
    pub id: i64,
    pub committee_id: i64,
    pub name: String,
    pub contact: Option<String>,
    pub active: bool,
    /// Moves with every change to the studio or its members.
    pub version: i64,
}

/// One member of a studio.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StudioMember {
    pub member_id: i64,
    pub name: String,
}

/// A studio by id, whoever asks: its page is public.
pub async fn get(db: &Db, id: i64) -> Result<Studio, StoreError> {
    on_db!(db, |c| sqlx::query_as(
        "SELECT id, committee_id, name, contact, active, version FROM studios WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)
}

pub(crate) async fn get_tx(tx: &mut Tx, id: i64) -> Result<Studio, StoreError> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, committee_id, name, contact, active, version FROM studios WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)
}

/// The active studios of a committee, for the list of public forms.
pub async fn active(db: &Db, committee_id: i64) -> Result<Vec<Studio>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, committee_id, name, contact, active, version FROM studios
         WHERE committee_id = $1 AND active ORDER BY sort_order, id"
    )
    .bind(committee_id)
    .fetch_all(c)
    .await?))
}

/// The members of a studio, by name.
pub async fn members(db: &Db, studio_id: i64) -> Result<Vec<StudioMember>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT m.id AS member_id, m.name FROM studio_members sm JOIN members m ON m.id = sm.member_id
         WHERE sm.studio_id = $1 ORDER BY m.name, m.id"
    )
    .bind(studio_id)
    .fetch_all(c)
    .await?
    }))
}

/// Whether the caller may set a studio's members: an administrator of its
/// committee or its information staff.
pub fn may_manage(caller: &Caller, scope: &domain::platform::Scope, committee_id: i64) -> bool {
    caller.may(Permission::Administer, scope) || opinions::is_staff(caller, committee_id)
}

/// Whether the caller answers the studio's input: one of its members, or
/// information staff of its committee.
pub(crate) async fn may_handle(
    tx: &mut Tx,
    caller: &Caller,
    studio: &Studio,
) -> Result<bool, StoreError> {
    if opinions::is_staff(caller, studio.committee_id) {
        return Ok(true);
    }
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM studio_members sm JOIN members m ON m.id = sm.member_id
         WHERE sm.studio_id = $1 AND m.user_id = $2"
    )
    .bind(studio.id)
    .bind(caller.actor.user_id)
    .fetch_one(c)
    .await?);
    Ok(n > 0 && !caller.is_anonymous())
}

/// [`may_handle`] outside a transaction, for pages deciding what to show.
pub async fn handles(db: &Db, caller: &Caller, studio: &Studio) -> Result<bool, StoreError> {
    let mut tx = db.begin_read().await?;
    let ok = may_handle(&mut tx, caller, studio).await?;
    tx.commit().await?;
    Ok(ok)
}

/// Most members one studio lists.
pub const MAX_MEMBERS: usize = 200;

/// Sets a studio's members to exactly these members of its committee;
/// `expected` is the studio's version the list was read at.
pub async fn set_members(
    db: &Db,
    caller: &Caller,
    studio_id: i64,
    member_ids: &[i64],
    expected: Option<i64>,
) -> Result<Vec<StudioMember>, StoreError> {
    let mut tx = db.begin().await?;
    let studio = get_tx(&mut tx, studio_id).await?;
    let scope = committees::scope_tx(&mut tx, studio.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    if !may_manage(caller, &scope, studio.committee_id) {
        return Err(StoreError::Forbidden);
    }
    if member_ids.len() > MAX_MEMBERS {
        return Err(StoreError::invalid("member_ids", "too_many"));
    }
    if expected.is_some_and(|v| v != studio.version) {
        return Err(StoreError::stale(studio.version));
    }
    let mut ids = member_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for &m in &ids {
        let found: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT id FROM members WHERE id = $1 AND committee_id = $2"
        )
        .bind(m)
        .bind(studio.committee_id)
        .fetch_optional(c)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid("member_ids", "not_found"));
        }
    }
    // Conditional on the version read, so two editors at once cannot both win.
    let moved = on_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE studios SET version = version + 1, updated_at = $2 WHERE id = $1 AND version = $3"
    )
    .bind(studio_id)
    .bind(crate::clock::now())
    .bind(studio.version)
    .execute(c)
    .await?
    .rows_affected()
    });
    if moved == 0 {
        return Err(StoreError::stale(studio.version + 1));
    }
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM studio_members WHERE studio_id = $1"
    )
    .bind(studio_id)
    .execute(c)
    .await
    .map(|_| ())?);
    for &m in &ids {
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO studio_members (studio_id, member_id) VALUES ($1, $2)"
        )
        .bind(studio_id)
        .bind(m)
        .execute(c)
        .await
        .map(|_| ())?);
    }
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(studio.committee_id),
            action: "studio.members",
            record_type: "studio",
            record_id: Some(studio_id),
            changes: json!({ "member_ids": ids }),
            caller,
        },
    )
    .await?;
    tx.commit().await?;
    members(db, studio_id).await
}
