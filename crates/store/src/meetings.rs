//! A consultation's meetings (issue 5, item 3): the agenda, published only
//! when it opens with the study item (第一议题); invitations, answered by
//! the invitee and checked in by staff, which make each member's attendance
//! record; the speeches, scheduled parties → sectors → individuals and
//! reordered by hand; and the minutes. Staff of the consultation office run
//! a meeting; everyone who may read the consultation may read it.

use crate::Caller;
use crate::audit;
use crate::consultations::{Consultation, load_visible};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::fields::{date, prose};
use domain::consultations::Part;
use domain::meetings::{self as rules, Answer, SpeakerKind};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A meeting.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub consultation_id: i64,
    pub title: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub place: String,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub agenda_published_at: Option<i64>,
    pub minutes: String,
    pub version: i64,
}

/// An item of the agenda.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AgendaItem {
    /// The study item (第一议题) comes first.
    #[serde(default)]
    pub study: bool,
    pub title: String,
}

/// An invitation with its answer and check-in.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Invitation {
    pub user_id: i64,
    pub name: String,
    /// `pending`, `accepted` or `declined`.
    pub answer: String,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub checked_in_at: Option<i64>,
}

/// A scheduled speech.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Speech {
    pub id: i64,
    pub position: i64,
    /// `party`, `sector` or `individual`.
    pub speaker_kind: String,
    pub speaker: String,
    pub user_id: Option<i64>,
    pub title: String,
    pub text: String,
}

/// What a meeting is created with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MeetingInput {
    pub title: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    #[serde(default)]
    pub place: String,
}

/// A speech to schedule.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SpeechInput {
    /// `party`, `sector` or `individual`.
    pub speaker_kind: String,
    /// The party, sector or member speaking.
    pub speaker: String,
    pub user_id: Option<i64>,
    pub title: String,
    /// The speech's text (发言材料).
    #[serde(default)]
    pub text: String,
}

const MEETING: &str = "SELECT id, consultation_id, title, held_on, place, agenda_published_at, minutes, version FROM meetings";

async fn load(tx: &mut Tx, id: i64) -> Result<Meeting, StoreError> {
    let sql = format!("{MEETING} WHERE id = $1");
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(c)
        .await?)
    .ok_or(StoreError::NotFound)
}

/// Loads a meeting the caller may see, its consultation and their part.
async fn load_visible_meeting(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
) -> Result<(Meeting, Consultation, Part), StoreError> {
    let m = load(tx, id).await?;
    let (c, part) = load_visible(tx, caller, m.consultation_id).await?;
    Ok((m, c, part))
}

/// Loads a meeting for staff to change, at the version they read.
async fn for_staff(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
) -> Result<(Meeting, Consultation), StoreError> {
    let (m, c, part) = load_visible_meeting(tx, caller, id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    c.require_open()?;
    if expected.is_some_and(|v| v != m.version) {
        return Err(StoreError::stale(m.version));
    }
    Ok((m, c))
}

async fn bump(tx: &mut Tx, m: &Meeting) -> Result<(), StoreError> {
    crate::versions::bump(tx, crate::versions::Versioned::Meetings, m.id, m.version).await
}

async fn log(
    tx: &mut Tx,
    caller: &Caller,
    c: &Consultation,
    action: &'static str,
    changes: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        caller,
        (c.committee_id, "consultation", c.id),
        action,
        changes,
    )
    .await
}

async fn invite_in(tx: &mut Tx, m: &Meeting, users: &[i64]) -> Result<Vec<i64>, StoreError> {
    let mut added = Vec::new();
    for &u in users {
        let exists: Option<i64> = on_tx!(tx, |x| sqlx::query_scalar(
            "SELECT user_id FROM meeting_invitations WHERE meeting_id = $1 AND user_id = $2"
        )
        .bind(m.id)
        .bind(u)
        .fetch_optional(x)
        .await?);
        if exists.is_some() {
            continue;
        }
        if !crate::platform::users::is_active_in(tx, u).await? {
            return Err(StoreError::invalid("user_ids", "not_found"));
        }
        on_tx!(tx, |x| sqlx::query(
            "INSERT INTO meeting_invitations (meeting_id, user_id, answer) VALUES ($1, $2, $3)"
        )
        .bind(m.id)
        .bind(u)
        .bind(Answer::Pending.as_str())
        .execute(x)
        .await
        .map(|_| ())?);
        crate::notifications::notify_in(tx, u, "meeting.invited", ("meeting", m.id), &m.title)
            .await?;
        added.push(u);
    }
    Ok(added)
}

/// Staff call a meeting of a consultation; its participants are invited.
pub async fn create(
    db: &Db,
    caller: &Caller,
    consultation_id: i64,
    input: &MeetingInput,
) -> Result<Meeting, StoreError> {
    let mut tx = db.begin().await?;
    let out = create_in(&mut tx, caller, consultation_id, input).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`create`] inside an open transaction.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    consultation_id: i64,
    input: &MeetingInput,
) -> Result<Meeting, StoreError> {
    let mut e = domain::validate::Errors::default();
    let title = e.required_text("title", &input.title, 200);
    let place = e
        .optional_text("place", Some(&input.place), 200)
        .unwrap_or_default();
    e.finish().map_err(StoreError::Invalid)?;
    let held_on = date("held_on", input.held_on.trim())?;
    let (c, part) = load_visible(tx, caller, consultation_id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    c.require_open()?;
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |x| {
        sqlx::query_scalar(
        "INSERT INTO meetings (consultation_id, title, held_on, place, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id"
    )
    .bind(consultation_id)
    .bind(&title)
    .bind(&held_on)
    .bind(&place)
    .bind(now)
    .fetch_one(x)
    .await?
    });
    let m = load(tx, id).await?;
    let people = crate::consultation_people::participant_ids(tx, consultation_id).await?;
    let invited = invite_in(tx, &m, &people).await?;
    log(
        tx,
        caller,
        &c,
        "meeting.create",
        json!({"meeting_id": id, "title": title, "held_on": held_on, "place": place, "invited": invited}),
    )
    .await?;
    Ok(m)
}

/// A meeting with its consultation and the caller's part in it.
pub async fn get(
    db: &Db,
    caller: &Caller,
    id: i64,
) -> Result<(Meeting, Consultation, Part), StoreError> {
    let mut tx = db.begin_read().await?;
    let found = load_visible_meeting(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(found)
}

/// The meetings of a consultation.
pub async fn of(db: &Db, consultation_id: i64) -> Result<Vec<Meeting>, StoreError> {
    let sql = format!("{MEETING} WHERE consultation_id = $1 ORDER BY held_on, id");
    Ok(on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(consultation_id)
    .fetch_all(c)
    .await?))
}

/// The agenda in order.
pub async fn agenda(db: &Db, id: i64) -> Result<Vec<AgendaItem>, StoreError> {
    let rows: Vec<(i64, String)> = on_db!(db, |c| sqlx::query_as(
        "SELECT study, title FROM meeting_agenda_items WHERE meeting_id = $1 ORDER BY position"
    )
    .bind(id)
    .fetch_all(c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(study, title)| AgendaItem {
            study: study != 0,
            title,
        })
        .collect())
}

/// Staff write the agenda (before it is published).
pub async fn set_agenda(
    db: &Db,
    caller: &Caller,
    id: i64,
    items: &[AgendaItem],
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    set_agenda_in(&mut tx, caller, id, items, expected).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_agenda`] inside an open transaction.
pub async fn set_agenda_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    items: &[AgendaItem],
    expected: Option<i64>,
) -> Result<(), StoreError> {
    if items.len() > 30 {
        return Err(StoreError::invalid("items", "too_many"));
    }
    let mut clean = Vec::new();
    for i in items {
        let mut e = domain::validate::Errors::default();
        let t = e.required_text("title", &i.title, 200);
        e.finish().map_err(StoreError::Invalid)?;
        clean.push((i.study, t));
    }
    let (m, c) = for_staff(tx, caller, id, expected).await?;
    if m.agenda_published_at.is_some() {
        return Err(StoreError::Conflict {
            code: "agenda_published",
            current: None,
        });
    }
    on_tx!(tx, |x| sqlx::query(
        "DELETE FROM meeting_agenda_items WHERE meeting_id = $1"
    )
    .bind(id)
    .execute(x)
    .await
    .map(|_| ())?);
    for (pos, (study, title)) in clean.iter().enumerate() {
        on_tx!(tx, |x| {
            sqlx::query(
            "INSERT INTO meeting_agenda_items (meeting_id, position, study, title) VALUES ($1, $2, $3, $4)"
        )
        .bind(id)
        .bind(pos as i64)
        .bind(i64::from(*study))
        .bind(title)
        .execute(x)
        .await
        .map(|_| ())?
        });
    }
    bump(tx, &m).await?;
    log(
        tx,
        caller,
        &c,
        "meeting.set_agenda",
        json!({"meeting_id": id, "items": clean}),
    )
    .await?;
    Ok(())
}

/// Staff publish the agenda: refused unless it opens with the study item.
/// Invitees are told.
pub async fn publish_agenda(
    db: &Db,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    publish_agenda_in(&mut tx, caller, id, expected).await?;
    tx.commit().await?;
    Ok(())
}

/// [`publish_agenda`] inside an open transaction.
pub async fn publish_agenda_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let (m, c) = for_staff(tx, caller, id, expected).await?;
    if m.agenda_published_at.is_some() {
        return Err(StoreError::Conflict {
            code: "agenda_published",
            current: None,
        });
    }
    let flags: Vec<i64> = on_tx!(tx, |x| sqlx::query_scalar(
        "SELECT study FROM meeting_agenda_items WHERE meeting_id = $1 ORDER BY position"
    )
    .bind(id)
    .fetch_all(x)
    .await?);
    let flags: Vec<bool> = flags.into_iter().map(|f| f != 0).collect();
    rules::check_agenda(&flags).map_err(|p| StoreError::Conflict {
        code: p.code(),
        current: None,
    })?;
    let now = crate::clock::now();
    on_tx!(tx, |x| sqlx::query(
        "UPDATE meetings SET agenda_published_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(x)
    .await
    .map(|_| ())?);
    bump(tx, &m).await?;
    let invitees: Vec<i64> = on_tx!(tx, |x| sqlx::query_scalar(
        "SELECT user_id FROM meeting_invitations WHERE meeting_id = $1"
    )
    .bind(id)
    .fetch_all(x)
    .await?);
    for u in invitees {
        crate::notifications::notify_in(
            tx,
            u,
            "meeting.agenda_published",
            ("meeting", id),
            &m.title,
        )
        .await?;
    }
    log(
        tx,
        caller,
        &c,
        "meeting.publish_agenda",
        json!({"meeting_id": id}),
    )
    .await?;
    Ok(())
}

/// Staff invite more accounts.
pub async fn invite(
    db: &Db,
    caller: &Caller,
    id: i64,
    users: &[i64],
) -> Result<Vec<i64>, StoreError> {
    if users.is_empty() {
        return Err(StoreError::invalid("user_ids", "required"));
    }
    if users.len() > 500 {
        return Err(StoreError::invalid("user_ids", "too_many"));
    }
    let mut tx = db.begin().await?;
    let (m, c) = for_staff(&mut tx, caller, id, None).await?;
    let added = invite_in(&mut tx, &m, users).await?;
    log(
        &mut tx,
        caller,
        &c,
        "meeting.invite",
        json!({"meeting_id": id, "user_ids": added}),
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// The invitations, by name.
pub async fn invitations(db: &Db, id: i64) -> Result<Vec<Invitation>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT i.user_id, u.display_name AS name, i.answer, i.checked_in_at FROM meeting_invitations i
         JOIN users u ON u.id = i.user_id WHERE i.meeting_id = $1 ORDER BY u.display_name, i.user_id"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    }))
}

/// The invitee answers: `accepted` or `declined` (请假).
pub async fn answer(db: &Db, caller: &Caller, id: i64, answer: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    answer_in(&mut tx, caller, id, answer).await?;
    tx.commit().await?;
    Ok(())
}

/// [`answer`] inside an open transaction.
pub async fn answer_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    answer: &str,
) -> Result<(), StoreError> {
    let a = Answer::parse(answer.trim())
        .filter(|a| *a != Answer::Pending)
        .ok_or_else(|| StoreError::invalid("answer", "invalid_choice"))?;
    let (m, c, _) = load_visible_meeting(tx, caller, id).await?;
    let row: Option<Option<i64>> = on_tx!(tx, |x| sqlx::query_scalar(
        "SELECT checked_in_at FROM meeting_invitations WHERE meeting_id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(caller.actor.user_id)
    .fetch_optional(x)
    .await?);
    match row {
        None => return Err(StoreError::Forbidden),
        Some(Some(_)) => {
            return Err(StoreError::Conflict {
                code: "checked_in",
                current: None,
            });
        }
        Some(None) => {}
    }
    on_tx!(tx, |x| {
        sqlx::query(
        "UPDATE meeting_invitations SET answer = $1, answered_at = $2 WHERE meeting_id = $3 AND user_id = $4"
    )
    .bind(a.as_str())
    .bind(crate::clock::now())
    .bind(id)
    .bind(caller.actor.user_id)
    .execute(x)
    .await
    .map(|_| ())?
    });
    log(
        tx,
        caller,
        &c,
        "meeting.answer",
        json!({"meeting_id": m.id, "answer": a.as_str()}),
    )
    .await?;
    Ok(())
}

/// Staff check an invitee in at the meeting.
pub async fn check_in(db: &Db, caller: &Caller, id: i64, user_id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    check_in_in(&mut tx, caller, id, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// [`check_in`] inside an open transaction.
pub async fn check_in_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    user_id: i64,
) -> Result<(), StoreError> {
    let (m, c) = for_staff(tx, caller, id, None).await?;
    let moved = on_tx!(tx, |x| {
        sqlx::query(
        "UPDATE meeting_invitations SET checked_in_at = $1 WHERE meeting_id = $2 AND user_id = $3
           AND checked_in_at IS NULL"
    )
    .bind(crate::clock::now())
    .bind(id)
    .bind(user_id)
    .execute(x)
    .await?
    .rows_affected()
    });
    if moved == 0 {
        let invited: Option<i64> = on_tx!(tx, |x| sqlx::query_scalar(
            "SELECT user_id FROM meeting_invitations WHERE meeting_id = $1 AND user_id = $2"
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(x)
        .await?);
        return Err(match invited {
            None => StoreError::invalid("user_id", "not_invited"),
            Some(_) => StoreError::Conflict {
                code: "checked_in",
                current: None,
            },
        });
    }
    log(
        tx,
        caller,
        &c,
        "meeting.check_in",
        json!({"meeting_id": m.id, "user_id": user_id}),
    )
    .await?;
    Ok(())
}

/// The speeches in order.
pub async fn speeches(db: &Db, id: i64) -> Result<Vec<Speech>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, position, speaker_kind, speaker, user_id, title, text FROM meeting_speeches
         WHERE meeting_id = $1 ORDER BY position, id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

async fn scheduled(tx: &mut Tx, id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, speaker_kind FROM meeting_speeches WHERE meeting_id = $1 ORDER BY position, id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

async fn write_order(tx: &mut Tx, ids: &[i64]) -> Result<(), StoreError> {
    for (pos, sid) in ids.iter().enumerate() {
        on_tx!(tx, |x| sqlx::query(
            "UPDATE meeting_speeches SET position = $1 WHERE id = $2"
        )
        .bind(pos as i64)
        .bind(sid)
        .execute(x)
        .await
        .map(|_| ())?);
    }
    Ok(())
}

/// Staff schedule a speech; it goes in its place in the default order.
pub async fn add_speech(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &SpeechInput,
) -> Result<Speech, StoreError> {
    let mut tx = db.begin().await?;
    let out = add_speech_in(&mut tx, caller, id, input).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`add_speech`] inside an open transaction.
pub async fn add_speech_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    input: &SpeechInput,
) -> Result<Speech, StoreError> {
    let mut e = domain::validate::Errors::default();
    let kind = SpeakerKind::parse(input.speaker_kind.trim());
    if kind.is_none() {
        e.add("speaker_kind", "invalid_choice");
    }
    let speaker = e.required_text("speaker", &input.speaker, 100);
    let title = e.required_text("title", &input.title, 200);
    let text = e
        .optional_prose("text", Some(&input.text), 30_000)
        .unwrap_or_default();
    e.finish().map_err(StoreError::Invalid)?;
    let kind = kind.unwrap_or(SpeakerKind::Individual);
    let (m, c) = for_staff(tx, caller, id, None).await?;
    if let Some(u) = input.user_id {
        let found: Option<i64> = on_tx!(tx, |x| sqlx::query_scalar(
            "SELECT id FROM users WHERE id = $1"
        )
        .bind(u)
        .fetch_optional(x)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid("user_id", "not_found"));
        }
    }
    let now_order = scheduled(tx, id).await?;
    if now_order.len() >= 100 {
        return Err(StoreError::invalid("speaker", "too_many"));
    }
    let kinds: Vec<SpeakerKind> = now_order
        .iter()
        .map(|(_, k)| SpeakerKind::parse(k).unwrap_or(SpeakerKind::Individual))
        .collect();
    let slot = rules::slot_for(&kinds, kind);
    let sid: i64 = on_tx!(tx, |x| {
        sqlx::query_scalar(
        "INSERT INTO meeting_speeches (meeting_id, position, speaker_kind, speaker, user_id, title, text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(id)
    .bind(slot as i64)
    .bind(kind.as_str())
    .bind(&speaker)
    .bind(input.user_id)
    .bind(&title)
    .bind(&text)
    .bind(crate::clock::now())
    .fetch_one(x)
    .await?
    });
    let mut ids: Vec<i64> = now_order.iter().map(|(i, _)| *i).collect();
    ids.insert(slot, sid);
    write_order(tx, &ids).await?;
    bump(tx, &m).await?;
    log(
        tx,
        caller,
        &c,
        "meeting.add_speech",
        json!({"meeting_id": id, "speech_id": sid, "speaker_kind": kind.as_str(), "speaker": speaker, "title": title}),
    )
    .await?;
    let speech: Speech = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, position, speaker_kind, speaker, user_id, title, text FROM meeting_speeches WHERE id = $1"
    )
    .bind(sid)
    .fetch_one(c)
    .await?
    });
    Ok(speech)
}

/// Staff put the speeches in an order of their own.
pub async fn reorder(
    db: &Db,
    caller: &Caller,
    id: i64,
    order: &[i64],
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let (m, c) = for_staff(&mut tx, caller, id, expected).await?;
    let now_order: Vec<i64> = scheduled(&mut tx, id)
        .await?
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    if !rules::check_order(&now_order, order) {
        return Err(StoreError::invalid("order", "not_the_speeches"));
    }
    write_order(&mut tx, order).await?;
    bump(&mut tx, &m).await?;
    log(
        &mut tx,
        caller,
        &c,
        "meeting.reorder",
        json!({"meeting_id": id, "order": order}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff record the minutes.
pub async fn set_minutes(
    db: &Db,
    caller: &Caller,
    id: i64,
    minutes: &str,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    set_minutes_in(&mut tx, caller, id, minutes, expected).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_minutes`] inside an open transaction.
pub async fn set_minutes_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    minutes: &str,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let minutes = match minutes.trim() {
        "" => return Err(StoreError::invalid("minutes", "required")),
        t => prose("minutes", t, 50_000)?,
    };
    let (m, c) = for_staff(tx, caller, id, expected).await?;
    on_tx!(tx, |x| sqlx::query(
        "UPDATE meetings SET minutes = $1 WHERE id = $2"
    )
    .bind(&minutes)
    .bind(id)
    .execute(x)
    .await
    .map(|_| ())?);
    bump(tx, &m).await?;
    log(
        tx,
        caller,
        &c,
        "meeting.set_minutes",
        json!({"meeting_id": id, "minutes": minutes}),
    )
    .await?;
    Ok(())
}

/// One meeting a member was invited to, with their attendance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttendanceRecord {
    pub meeting_id: i64,
    pub consultation_id: i64,
    pub title: String,
    pub held_on: String,
    #[schema(value_type = String)]
    pub attendance: rules::Attendance,
}

/// A member's attendance at consultation meetings, newest first (for
/// members' performance records).
pub async fn attendance_of(db: &Db, user_id: i64) -> Result<Vec<AttendanceRecord>, StoreError> {
    let rows: Vec<(i64, i64, String, String, String, Option<i64>)> =
        on_db!(db, |c| sqlx::query_as(
            "SELECT m.id, m.consultation_id, m.title, m.held_on, i.answer, i.checked_in_at
         FROM meeting_invitations i JOIN meetings m ON m.id = i.meeting_id
         WHERE i.user_id = $1 ORDER BY m.held_on DESC, m.id DESC"
        )
        .bind(user_id)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(
            |(meeting_id, consultation_id, title, held_on, answer, checked)| AttendanceRecord {
                meeting_id,
                consultation_id,
                title,
                held_on,
                attendance: rules::attendance(
                    Answer::parse(&answer).unwrap_or(Answer::Pending),
                    checked.is_some(),
                ),
            },
        )
        .collect())
}
