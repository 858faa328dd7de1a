//! Citizens' input through a studio's public form (群众意见): the question an
//! anonymous visitor answers, the limits that keep the form from being
//! flooded, the receipt that lets a visitor follow their input, the studio's
//! inbox, and turning an input into a piece with one step.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::ids::{new_token, sha256_hex};
use crate::opinions::{self, Opinion, Outcome};
use crate::studios::{self, Studio};
use domain::citizens::{self as rules, Challenge, CitizenInput, PublicStatus};
use domain::opinions::State;
use serde::Serialize;
use serde_json::json;

/// A question handed to a visitor with the form, and the token that names it.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub challenge: Challenge,
}

/// Hands out a new question; drops those no longer answerable.
pub async fn challenge(db: &Db) -> Result<Issued, StoreError> {
    let mut r = [0u8; 4];
    getrandom::fill(&mut r).map_err(|e| StoreError::Internal(format!("random source: {e}")))?;
    let challenge = Challenge::from_random(r);
    let token = new_token()?;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM form_challenges WHERE issued_at < $1"
    )
    .bind(now - rules::CHALLENGE_TTL_MICROS)
    .execute(c)
    .await
    .map(|_| ())?);
    on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO form_challenges (token_hash, answer, issued_at) VALUES ($1, $2, $3)"
    )
    .bind(sha256_hex(&token))
    .bind(challenge.answer())
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())?);
    tx.commit().await?;
    Ok(Issued { token, challenge })
}

/// A visitor's answer to the question they were given.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub token: String,
    pub answer: String,
}

/// An input as its citizen, or the studio's members, see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InputView {
    pub id: i64,
    pub studio_id: i64,
    pub studio_name: String,
    pub title: String,
    pub body: String,
    /// How the citizen would like to be called (may be empty).
    pub name: String,
    /// Only the studio's members and staff see the contact.
    pub contact: Option<String>,
    /// The piece made of it; only the studio's members and staff see it.
    pub opinion_id: Option<i64>,
    /// `received`, `taken_up`, `adopted`, `heard_back`, `proposal_lead` or `not_taken`.
    pub status: String,
    /// What was recorded on its piece after reporting: instructions, adoptions, uses.
    pub feedback: Vec<Outcome>,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct InputRow {
    id: i64,
    studio_id: i64,
    studio_name: String,
    committee_id: i64,
    user_id: Option<i64>,
    name: String,
    contact: String,
    title: String,
    body: String,
    opinion_id: Option<i64>,
    /// The piece that speaks for it now: its own, or the 综合 piece that absorbed it.
    live_opinion_id: Option<i64>,
    piece_state: Option<String>,
    created_at: i64,
}

const SELECT: &str =
    "SELECT ci.id, ci.studio_id, s.name AS studio_name, s.committee_id, ci.user_id,
        ci.name, ci.contact, ci.title, ci.body, ci.opinion_id,
        COALESCE(o2.id, o.id) AS live_opinion_id, COALESCE(o2.state, o.state) AS piece_state,
        ci.created_at
    FROM citizen_inputs ci JOIN studios s ON s.id = ci.studio_id
    LEFT JOIN opinions o ON o.id = ci.opinion_id
    LEFT JOIN opinions o2 ON o2.id = o.combined_into";

async fn view(db: &Db, row: InputRow, inside: bool) -> Result<InputView, StoreError> {
    let feedback = match row.live_opinion_id {
        Some(o) => opinions::outcomes(db, o).await?,
        None => Vec::new(),
    };
    let state = row.piece_state.as_deref().and_then(State::parse);
    let status: PublicStatus = rules::public_status(state, !feedback.is_empty());
    Ok(InputView {
        id: row.id,
        studio_id: row.studio_id,
        studio_name: row.studio_name,
        title: row.title,
        body: row.body,
        name: row.name,
        contact: inside.then_some(row.contact),
        opinion_id: if inside { row.opinion_id } else { None },
        status: status.as_str().to_string(),
        feedback,
        created_at: row.created_at,
    })
}

/// What a submission answers: the input, and the receipt an anonymous
/// citizen keeps to look it up (shown once, stored only as a hash).
#[derive(Debug, Clone)]
pub struct Submitted {
    pub input: InputView,
    pub receipt: String,
}

/// The key submissions are counted under, and how many the window allows.
fn limit_of(caller: &Caller) -> (String, i64, i64) {
    if caller.is_anonymous() {
        (
            format!("ip:{}", caller.ip.as_deref().unwrap_or("unknown")),
            rules::ANONYMOUS_PER_HOUR,
            rules::HOUR_MICROS,
        )
    } else {
        (
            format!("user:{}", caller.actor.user_id),
            rules::SIGNED_IN_PER_DAY,
            rules::DAY_MICROS,
        )
    }
}

/// Seconds until the key may submit again, when its window is full.
async fn wait_for(
    tx: &mut Tx,
    key: &str,
    allowed: i64,
    window: i64,
) -> Result<Option<i64>, StoreError> {
    let now = crate::clock::now();
    let (count, oldest): (i64, Option<i64>) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM form_events WHERE key = $1 AND at > $2"
    )
    .bind(key)
    .bind(now - window)
    .fetch_one(c)
    .await?);
    Ok(match oldest {
        Some(oldest) if count >= allowed => Some(((oldest + window - now) / 1_000_000).max(1)),
        _ => None,
    })
}

async fn count_event(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO form_events (key, at) VALUES ($1, $2)"
    )
    .bind(key)
    .bind(crate::clock::now())
    .execute(c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Takes a citizen's input at a studio. A visitor who has not signed in
/// answers the question they were given (once: right or wrong, it is used
/// up); wrong answers count against their address like submissions do.
pub async fn submit(
    db: &Db,
    caller: &Caller,
    studio_id: i64,
    input: &CitizenInput,
    answer: Option<&Answer>,
) -> Result<Submitted, StoreError> {
    let studio = studios::get(db, studio_id).await?;
    if !studio.active {
        return Err(StoreError::NotFound);
    }
    let f = input.validate().map_err(StoreError::Invalid)?;
    let (key, allowed, window) = limit_of(caller);
    if caller.is_anonymous() {
        // Its own transaction: a wrong answer is counted even though the
        // submission is refused.
        let mut tx = db.begin().await?;
        if let Some(wait) = wait_for(&mut tx, &key, allowed, window).await? {
            return Err(StoreError::Throttled(wait));
        }
        let given = answer.cloned().unwrap_or_default();
        let expected: Option<(i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
            "DELETE FROM form_challenges WHERE token_hash = $1 RETURNING answer, issued_at"
        )
        .bind(sha256_hex(&given.token))
        .fetch_optional(c)
        .await?);
        let fresh = |issued: i64| crate::clock::now() - issued <= rules::CHALLENGE_TTL_MICROS;
        let verdict = match expected {
            Some((a, issued)) if fresh(issued) => {
                if rules::parse_answer(&given.answer) == Some(a) {
                    None
                } else {
                    Some("challenge_wrong")
                }
            }
            _ => Some("challenge_expired"),
        };
        if let Some(code) = verdict {
            count_event(&mut tx, &key).await?;
            tx.commit().await?;
            return Err(StoreError::invalid("answer", code));
        }
        tx.commit().await?;
    }
    let receipt = new_token()?;
    let mut tx = db.begin().await?;
    if let Some(wait) = wait_for(&mut tx, &key, allowed, window).await? {
        return Err(StoreError::Throttled(wait));
    }
    let id = insert_in(&mut tx, caller, &studio, &f, &receipt).await?;
    count_event(&mut tx, &key).await?;
    tx.commit().await?;
    let row = row(db, id).await?;
    Ok(Submitted {
        input: view(db, row, false).await?,
        receipt,
    })
}

/// Stores an input with its audit event; answers its id.
pub(crate) async fn insert_in(
    tx: &mut Tx,
    caller: &Caller,
    studio: &Studio,
    f: &rules::CitizenForm,
    receipt: &str,
) -> Result<i64, StoreError> {
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO citizen_inputs (studio_id, user_id, name, contact, title, body, receipt_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(studio.id)
    .bind(caller.actor_id())
    .bind(&f.name)
    .bind(&f.contact)
    .bind(&f.title)
    .bind(&f.body)
    .bind(sha256_hex(receipt))
    .bind(crate::clock::now())
    .fetch_one(c)
    .await?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(studio.committee_id),
            action: "citizen_input.create",
            record_type: "citizen_input",
            record_id: Some(id),
            changes: json!({"studio_id": studio.id, "title": f.title}),
            caller,
        },
    )
    .await?;
    Ok(id)
}

async fn row(db: &Db, id: i64) -> Result<InputRow, StoreError> {
    let sql = format!("{SELECT} WHERE ci.id = $1");
    on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(c)
        .await?)
    .ok_or(StoreError::NotFound)
}

/// The input a receipt names. An unknown receipt is simply not found.
pub async fn by_receipt(db: &Db, receipt: &str) -> Result<InputView, StoreError> {
    let receipt = receipt.trim();
    if receipt.len() != 64 || !receipt.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::invalid("receipt", "invalid"));
    }
    let sql = format!("{SELECT} WHERE ci.receipt_hash = $1");
    let found: Option<InputRow> = on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sha256_hex(&receipt.to_ascii_lowercase()))
        .fetch_optional(c)
        .await?);
    view(db, found.ok_or(StoreError::NotFound)?, false).await
}

/// A signed-in citizen's own inputs, newest first.
pub async fn mine(db: &Db, caller: &Caller) -> Result<Vec<InputView>, StoreError> {
    if caller.is_anonymous() || caller.is_system() {
        return Ok(Vec::new());
    }
    let sql = format!("{SELECT} WHERE ci.user_id = $1 ORDER BY ci.id DESC LIMIT 200");
    let rows: Vec<InputRow> = on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(caller.actor.user_id)
        .fetch_all(c)
        .await?);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(db, r, false).await?);
    }
    Ok(out)
}

/// The studio's inbox for its members and staff: input not yet taken up
/// first, then the latest taken up; 200 at most.
pub async fn inbox(db: &Db, caller: &Caller, studio_id: i64) -> Result<Vec<InputView>, StoreError> {
    let studio = studios::get(db, studio_id).await?;
    if !studios::handles(db, caller, &studio).await? {
        return Err(StoreError::Forbidden);
    }
    let sql = format!(
        "{SELECT} WHERE ci.studio_id = $1
         ORDER BY CASE WHEN ci.opinion_id IS NULL THEN 0 ELSE 1 END, ci.id DESC LIMIT 200"
    );
    let rows: Vec<InputRow> = on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(studio_id)
        .fetch_all(c)
        .await?);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(db, r, true).await?);
    }
    Ok(out)
}

/// A studio member (or staff) turns an input into a draft piece, with the
/// studio and the citizen as its sources, and the input points at it.
pub async fn take_up(db: &Db, caller: &Caller, input_id: i64) -> Result<Opinion, StoreError> {
    let mut tx = db.begin().await?;
    let o = take_up_in(&mut tx, caller, input_id).await?;
    tx.commit().await?;
    Ok(o)
}

/// [`take_up`] inside an open transaction.
pub(crate) async fn take_up_in(
    tx: &mut Tx,
    caller: &Caller,
    input_id: i64,
) -> Result<Opinion, StoreError> {
    let sql = format!("{SELECT} WHERE ci.id = $1");
    let r: InputRow = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(input_id)
        .fetch_optional(c)
        .await?)
    .ok_or(StoreError::NotFound)?;
    let studio: Studio = studios::get_tx(tx, r.studio_id).await?;
    if !studios::may_handle(tx, caller, &studio).await? {
        return Err(StoreError::Forbidden);
    }
    if r.opinion_id.is_some() {
        return Err(StoreError::Conflict {
            code: "already_taken_up",
            current: r.opinion_id.map(|o| o.to_string()),
        });
    }
    let from = opinions::CitizenVoice {
        input_id: r.id,
        studio_id: studio.id,
        user_id: r.user_id,
        name: r.name.clone(),
        title: r.title.clone(),
        body: r.body.clone(),
    };
    let o = opinions::create_from_citizen_in(tx, caller, r.committee_id, &from).await?;
    // Conditional, so two members clicking at once make one piece.
    let linked = on_tx!(tx, |c| sqlx::query(
        "UPDATE citizen_inputs SET opinion_id = $1 WHERE id = $2 AND opinion_id IS NULL"
    )
    .bind(o.id)
    .bind(r.id)
    .execute(c)
    .await?
    .rows_affected());
    if linked == 0 {
        return Err(StoreError::Conflict {
            code: "already_taken_up",
            current: None,
        });
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(r.committee_id),
            action: "citizen_input.take_up",
            record_type: "citizen_input",
            record_id: Some(r.id),
            changes: json!({"opinion_id": o.id}),
            caller,
        },
    )
    .await?;
    Ok(o)
}
