//! Who takes part in a consultation and what they say before the meeting:
//! its participants (accounts: members, and experts who have one), the
//! experts drawn from the pool, and the participants' comments on the
//! circulated draft report. Staff of the consultation office choose the
//! people; participants and staff read the draft and comment while it is
//! out (state `draft_circulated`).

use crate::Caller;
use crate::audit::{self, Change};
use crate::consultations::load_visible;
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::fields::prose;
use domain::consultations::{Part, State};
use serde::Serialize;
use serde_json::json;

/// A participant with their name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Participant {
    pub user_id: i64,
    pub name: String,
}

/// A comment on the draft.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DraftComment {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub body: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// Whether the account takes part in the consultation.
pub(crate) async fn is_participant(
    tx: &mut Tx,
    consultation_id: i64,
    user_id: i64,
) -> Result<bool, StoreError> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultation_participants WHERE consultation_id = $1 AND user_id = $2"
    )
    .bind(consultation_id)
    .bind(user_id)
    .fetch_one(c)
    .await?
    });
    Ok(n > 0)
}

/// The participants' accounts.
pub(crate) async fn participant_ids(
    tx: &mut Tx,
    consultation_id: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT user_id FROM consultation_participants WHERE consultation_id = $1 ORDER BY user_id"
    )
    .bind(consultation_id)
    .fetch_all(c)
    .await?))
}

/// The participants, by name.
pub async fn participants(db: &Db, consultation_id: i64) -> Result<Vec<Participant>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT p.user_id, u.display_name AS name FROM consultation_participants p
         JOIN users u ON u.id = p.user_id WHERE p.consultation_id = $1 ORDER BY u.display_name, p.user_id"
    )
    .bind(consultation_id)
    .fetch_all(c)
    .await?
    }))
}

/// The experts drawn from the pool: (expert id, name).
pub async fn experts(db: &Db, consultation_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT e.id, e.name FROM consultation_experts x JOIN experts e ON e.id = x.expert_id
         WHERE x.consultation_id = $1 ORDER BY e.name, e.id"
    )
    .bind(consultation_id)
    .fetch_all(c)
    .await?))
}

/// Who takes part, as staff set it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PeopleInput {
    /// Member accounts (and experts' accounts).
    #[serde(default)]
    pub user_ids: Vec<i64>,
    /// Experts from the pool.
    #[serde(default)]
    pub expert_ids: Vec<i64>,
    /// The named evaluators of its quality; left out, they stay as they are.
    #[serde(default)]
    pub evaluator_user_ids: Option<Vec<i64>>,
}

/// The most people one consultation may name.
pub const MAX_PEOPLE: usize = 500;

/// Staff set who takes part: member accounts and experts from the pool (an
/// expert with an account also takes part through it). Refused once the
/// consultation is closed or cancelled.
pub async fn set(
    db: &Db,
    caller: &Caller,
    consultation_id: i64,
    people: &PeopleInput,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    set_in(&mut tx, caller, consultation_id, people, expected).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set`] inside an open transaction.
pub async fn set_in(
    tx: &mut Tx,
    caller: &Caller,
    consultation_id: i64,
    people: &PeopleInput,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let (user_ids, expert_ids) = (&people.user_ids, &people.expert_ids);
    let evaluators = people.evaluator_user_ids.as_deref();
    if user_ids.len() > MAX_PEOPLE
        || expert_ids.len() > MAX_PEOPLE
        || evaluators.is_some_and(|e| e.len() > 20)
    {
        return Err(StoreError::invalid("user_ids", "too_many"));
    }
    let (c, part) = load_visible(tx, caller, consultation_id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    c.require_open()?;
    if expected.is_some_and(|v| v != c.version) {
        return Err(StoreError::stale(c.version));
    }
    let mut users = user_ids.to_vec();
    for &e in expert_ids {
        let found: Option<Option<i64>> = on_tx!(tx, |x| sqlx::query_scalar(
            "SELECT user_id FROM experts WHERE id = $1 AND committee_id = $2"
        )
        .bind(e)
        .bind(c.committee_id)
        .fetch_optional(x)
        .await?);
        match found {
            None => return Err(StoreError::invalid("expert_ids", "not_found")),
            Some(Some(u)) => users.push(u),
            Some(None) => {}
        }
    }
    users.sort_unstable();
    users.dedup();
    for &u in &users {
        if !crate::platform::users::is_active_in(tx, u).await? {
            return Err(StoreError::invalid("user_ids", "not_found"));
        }
    }
    for &u in evaluators.unwrap_or_default() {
        if !crate::platform::users::is_active_in(tx, u).await? {
            return Err(StoreError::invalid("evaluator_user_ids", "not_found"));
        }
    }
    if let Some(e) = evaluators {
        crate::consultations::write_evaluators(tx, consultation_id, e).await?;
    }
    let mut experts = expert_ids.to_vec();
    experts.sort_unstable();
    experts.dedup();
    let now = crate::clock::now();
    on_tx!(tx, |x| sqlx::query(
        "DELETE FROM consultation_participants WHERE consultation_id = $1"
    )
    .bind(consultation_id)
    .execute(x)
    .await
    .map(|_| ())?);
    on_tx!(tx, |x| sqlx::query(
        "DELETE FROM consultation_experts WHERE consultation_id = $1"
    )
    .bind(consultation_id)
    .execute(x)
    .await
    .map(|_| ())?);
    for &u in &users {
        on_tx!(tx, |x| {
            sqlx::query(
            "INSERT INTO consultation_participants (consultation_id, user_id, created_at) VALUES ($1, $2, $3)"
        )
        .bind(consultation_id)
        .bind(u)
        .bind(now)
        .execute(x)
        .await
        .map(|_| ())?
        });
    }
    for &e in &experts {
        on_tx!(tx, |x| {
            sqlx::query(
            "INSERT INTO consultation_experts (consultation_id, expert_id, created_at) VALUES ($1, $2, $3)"
        )
        .bind(consultation_id)
        .bind(e)
        .bind(now)
        .execute(x)
        .await
        .map(|_| ())?
        });
    }
    bump(tx, consultation_id, c.version).await?;
    audit::append(
        tx,
        Change {
            committee_id: Some(c.committee_id),
            action: "consultation.set_participants",
            record_type: "consultation",
            record_id: Some(consultation_id),
            changes: json!({"user_ids": users, "expert_ids": experts, "evaluator_user_ids": evaluators}),
            caller,
        },
    )
    .await?;
    Ok(())
}

/// Moves the consultation's version on, or answers stale.
async fn bump(tx: &mut Tx, id: i64, version: i64) -> Result<(), StoreError> {
    crate::versions::bump(tx, crate::versions::Versioned::Consultations, id, version).await
}

/// Whether the caller may read the draft and its comments: staff and participants.
fn may_read_draft(part: Part) -> bool {
    matches!(part, Part::Staff | Part::Participant)
}

/// The comments on the draft, oldest first, for staff and participants.
pub async fn comments(
    db: &Db,
    caller: &Caller,
    consultation_id: i64,
) -> Result<Vec<DraftComment>, StoreError> {
    let mut tx = db.begin_read().await?;
    let (_, part) = load_visible(&mut tx, caller, consultation_id).await?;
    tx.commit().await?;
    if !may_read_draft(part) {
        return Err(StoreError::Forbidden);
    }
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT k.id, k.user_id, u.display_name AS name, k.body, k.created_at
         FROM consultation_comments k JOIN users u ON u.id = k.user_id
         WHERE k.consultation_id = $1 ORDER BY k.id"
    )
    .bind(consultation_id)
    .fetch_all(c)
    .await?))
}

/// A participant (or staff) comments on the circulated draft; refused
/// before it is circulated and after the meeting.
pub async fn comment(
    db: &Db,
    caller: &Caller,
    consultation_id: i64,
    body: &str,
) -> Result<DraftComment, StoreError> {
    let mut tx = db.begin().await?;
    let out = comment_in(&mut tx, caller, consultation_id, body).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`comment`] inside an open transaction.
pub async fn comment_in(
    tx: &mut Tx,
    caller: &Caller,
    consultation_id: i64,
    body: &str,
) -> Result<DraftComment, StoreError> {
    let body = match body.trim() {
        "" => return Err(StoreError::invalid("body", "required")),
        b => prose("body", b, 5_000)?,
    };
    let (c, part) = load_visible(tx, caller, consultation_id).await?;
    if !may_read_draft(part) {
        return Err(StoreError::Forbidden);
    }
    if c.state() != State::DraftCirculated {
        return Err(StoreError::Conflict {
            code: "draft_not_open",
            current: Some(c.state.clone()),
        });
    }
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |x| sqlx::query_scalar(
        "INSERT INTO consultation_comments (consultation_id, user_id, body, created_at)
         VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(consultation_id)
    .bind(caller.actor.user_id)
    .bind(&body)
    .bind(now)
    .fetch_one(x)
    .await?);
    audit::append(
        tx,
        Change {
            committee_id: Some(c.committee_id),
            action: "consultation.comment",
            record_type: "consultation",
            record_id: Some(consultation_id),
            changes: json!({"comment_id": id, "body": body}),
            caller,
        },
    )
    .await?;
    let out: DraftComment = on_tx!(tx, |x| sqlx::query_as(
        "SELECT k.id, k.user_id, u.display_name AS name, k.body, k.created_at
         FROM consultation_comments k JOIN users u ON u.id = k.user_id WHERE k.id = $1"
    )
    .bind(id)
    .fetch_one(x)
    .await?);
    Ok(out)
}

/// The draft report as circulated: the note of the latest `circulate-draft` step.
pub async fn draft(db: &Db, consultation_id: i64) -> Result<Option<String>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_scalar(
        "SELECT note FROM consultation_steps WHERE consultation_id = $1 AND step = 'circulate-draft'
         ORDER BY id DESC LIMIT 1"
    )
    .bind(consultation_id)
    .fetch_optional(c)
    .await?
    }))
}

/// The committee's members with an account, by name: whom staff may
/// choose as participants.
pub async fn candidates(db: &Db, committee_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT user_id, name FROM members WHERE committee_id = $1 AND active = $2 AND user_id IS NOT NULL
         ORDER BY name, id LIMIT 2000"
    )
    .bind(committee_id)
    .bind(true)
    .fetch_all(c)
    .await?
    }))
}
