//! Consultations (协商议政): each with its form, lead special committee,
//! meeting day and named evaluators; the steps of its life
//! (`domain::consultations`), each recorded with the day it happened; the
//! outcomes it earned; and the evaluators' scores on the rubric. Every
//! command runs in one transaction with its audit event.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::fields::{date, prose};
use crate::platform::committees;
use domain::consultations::{self as rules, Facts, Form, Part, State, Step};
use domain::platform::{Office, Permission, Role};
use serde::Serialize;
use serde_json::json;

/// A consultation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Consultation {
    pub id: i64,
    pub committee_id: i64,
    /// One of the forms: `thematic`, `sector`, `counterpart` …
    pub form: String,
    pub title: String,
    pub summary: String,
    pub state: String,
    pub lead_special_committee_id: Option<i64>,
    /// The day the meeting is planned for (YYYY-MM-DD).
    pub meeting_on: Option<String>,
    /// Days the draft report must reach participants before the meeting.
    pub draft_days: i64,
    pub draft_circulated_on: Option<String>,
    /// The day of the latest step.
    pub last_step_on: Option<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl Consultation {
    /// The state, as the rules know it.
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Planned)
    }

    /// Refuses a change once the consultation is closed or cancelled.
    pub(crate) fn require_open(&self) -> Result<(), StoreError> {
        if matches!(self.state(), State::Closed | State::Cancelled) {
            return Err(StoreError::Conflict {
                code: "wrong_state",
                current: Some(self.state.clone()),
            });
        }
        Ok(())
    }
}

/// One step as it was recorded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StepRecord {
    pub id: i64,
    pub step: String,
    pub on_date: String,
    pub note: String,
    pub recorded_by_user_id: i64,
}

/// An outcome of a consultation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Outcome {
    pub id: i64,
    /// `instruction`, `adoption` or `use`.
    pub kind: String,
    pub leader: Option<String>,
    pub level: Option<String>,
    pub department: Option<String>,
    pub on_date: String,
    pub text: String,
}

/// What a consultation is created or edited with.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ConsultationInput {
    pub form: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub lead_special_committee_id: Option<i64>,
    /// YYYY-MM-DD.
    pub meeting_on: Option<String>,
    /// At least 1, at most 60; 3 when not given.
    pub draft_days: Option<i64>,
    /// The accounts that score its quality; left out of an edit, they stay
    /// as they are.
    #[serde(default)]
    pub evaluator_user_ids: Option<Vec<i64>>,
}

struct Checked {
    form: Form,
    title: String,
    summary: String,
    meeting_on: Option<String>,
    draft_days: i64,
}

fn check(input: &ConsultationInput) -> Result<Checked, StoreError> {
    let mut e = domain::validate::Errors::default();
    let form = Form::parse(input.form.trim());
    if form.is_none() {
        e.add("form", "invalid_choice");
    }
    let title = e.required_text("title", &input.title, 200);
    let summary = e
        .optional_prose("summary", Some(&input.summary), 5_000)
        .unwrap_or_default();
    let meeting_on = input
        .meeting_on
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    if meeting_on
        .as_deref()
        .is_some_and(|d| !domain::proposals::is_valid_date(d))
    {
        e.add("meeting_on", "invalid_date");
    }
    let draft_days = input.draft_days.unwrap_or(rules::DEFAULT_DRAFT_DAYS);
    e.in_range("draft_days", draft_days, 1..=60);
    if input
        .evaluator_user_ids
        .as_ref()
        .is_some_and(|e| e.len() > 20)
    {
        e.add("evaluator_user_ids", "too_many");
    }
    e.finish().map_err(StoreError::Invalid)?;
    Ok(Checked {
        form: form.unwrap_or(Form::Thematic),
        title,
        summary,
        meeting_on,
        draft_days,
    })
}

/// Whether the caller works in the committee's consultation office.
pub fn is_staff(caller: &Caller, committee_id: i64) -> bool {
    caller.works_in(Office::Consultation, committee_id)
}

/// Refuses a caller who may not read the committee (404) or does not work
/// in its consultation office (403): what the office's records require.
pub(crate) async fn require_office(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
) -> Result<(), StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    if !is_staff(caller, committee_id) {
        return Err(StoreError::Forbidden);
    }
    Ok(())
}

async fn part_of(tx: &mut Tx, caller: &Caller, c: &Consultation) -> Result<Part, StoreError> {
    if is_staff(caller, c.committee_id) {
        return Ok(Part::Staff);
    }
    let evaluator: i64 = on_tx!(tx, |x| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultation_evaluators WHERE consultation_id = $1 AND user_id = $2"
    )
    .bind(c.id)
    .bind(caller.actor.user_id)
    .fetch_one(x)
    .await?
    });
    if evaluator > 0 {
        return Ok(Part::Evaluator);
    }
    if caller.actor.holds(Role::Leader, c.committee_id) {
        return Ok(Part::Leader);
    }
    if crate::consultation_people::is_participant(tx, c.id, caller.actor.user_id).await? {
        return Ok(Part::Participant);
    }
    Ok(Part::Other)
}

async fn load_tx(tx: &mut Tx, id: i64) -> Result<Option<Consultation>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT * FROM consultations WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Loads a consultation whose committee the caller may see, with their part.
pub(crate) async fn load_visible(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
) -> Result<(Consultation, Part), StoreError> {
    let c = load_tx(tx, id).await?.ok_or(StoreError::NotFound)?;
    let scope = committees::scope_tx(tx, c.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !caller.may(Permission::ReadOrganisation, &scope) {
        return Err(StoreError::NotFound);
    }
    let part = part_of(tx, caller, &c).await?;
    Ok((c, part))
}

/// One consultation with the caller's part.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<(Consultation, Part), StoreError> {
    let mut tx = db.begin_read().await?;
    let found = load_visible(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(found)
}

async fn check_links(
    tx: &mut Tx,
    committee_id: i64,
    input: &ConsultationInput,
) -> Result<(), StoreError> {
    if let Some(sc) = input.lead_special_committee_id {
        let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM special_committees WHERE id = $1 AND committee_id = $2"
        )
        .bind(sc)
        .bind(committee_id)
        .fetch_optional(c)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid(
                "lead_special_committee_id",
                "not_found",
            ));
        }
    }
    for u in input.evaluator_user_ids.iter().flatten() {
        let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM users WHERE id = $1"
        )
        .bind(u)
        .fetch_optional(c)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid("evaluator_user_ids", "not_found"));
        }
    }
    Ok(())
}

pub(crate) async fn write_evaluators(
    tx: &mut Tx,
    id: i64,
    users: &[i64],
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM consultation_evaluators WHERE consultation_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ())?);
    let mut users = users.to_vec();
    users.sort_unstable();
    users.dedup();
    for u in users {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO consultation_evaluators (consultation_id, user_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(u)
        .execute(c)
        .await
        .map(|_| ())?);
    }
    Ok(())
}

/// The evaluators' user ids.
pub async fn evaluators(db: &Db, id: i64) -> Result<Vec<i64>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT user_id FROM consultation_evaluators WHERE consultation_id = $1 ORDER BY user_id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// Staff of the consultation office plan a consultation.
pub async fn create(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    input: &ConsultationInput,
) -> Result<Consultation, StoreError> {
    let mut tx = db.begin().await?;
    let c = create_in(&mut tx, caller, committee_id, input).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`create`] inside an open transaction.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &ConsultationInput,
) -> Result<Consultation, StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    if !is_staff(caller, committee_id) {
        return Err(StoreError::Forbidden);
    }
    let f = check(input)?;
    check_links(tx, committee_id, input).await?;
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO consultations (committee_id, form, title, summary, state, lead_special_committee_id,
            meeting_on, draft_days, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id"
    )
    .bind(committee_id)
    .bind(f.form.as_str())
    .bind(&f.title)
    .bind(&f.summary)
    .bind(State::Planned.as_str())
    .bind(input.lead_special_committee_id)
    .bind(&f.meeting_on)
    .bind(f.draft_days)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    write_evaluators(
        tx,
        id,
        input.evaluator_user_ids.as_deref().unwrap_or_default(),
    )
    .await?;
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: "consultation.create",
            record_type: "consultation",
            record_id: Some(id),
            changes: json!({"form": f.form.as_str(), "title": f.title, "meeting_on": f.meeting_on,
                "draft_days": f.draft_days, "evaluator_user_ids": input.evaluator_user_ids}),
            caller,
        },
    )
    .await?;
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// Staff edit a consultation that is still open, at the version they read.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &ConsultationInput,
    expected: Option<i64>,
) -> Result<Consultation, StoreError> {
    let mut tx = db.begin().await?;
    let c = update_in(&mut tx, caller, id, input, expected).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`update`] inside an open transaction.
pub(crate) async fn update_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    input: &ConsultationInput,
    expected: Option<i64>,
) -> Result<Consultation, StoreError> {
    let (c, part) = load_visible(tx, caller, id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    c.require_open()?;
    if expected.is_some_and(|v| v != c.version) {
        return Err(StoreError::stale(c.version));
    }
    let f = check(input)?;
    check_links(tx, c.committee_id, input).await?;
    let moved = on_tx!(tx, |x| {
        sqlx::query(
        "UPDATE consultations SET form = $1, title = $2, summary = $3, lead_special_committee_id = $4,
            meeting_on = $5, draft_days = $6, version = version + 1, updated_at = $7
         WHERE id = $8 AND version = $9"
    )
    .bind(f.form.as_str())
    .bind(&f.title)
    .bind(&f.summary)
    .bind(input.lead_special_committee_id)
    .bind(&f.meeting_on)
    .bind(f.draft_days)
    .bind(crate::clock::now())
    .bind(id)
    .bind(c.version)
    .execute(x)
    .await?
    .rows_affected()
    });
    if moved == 0 {
        return Err(StoreError::stale(c.version + 1));
    }
    if let Some(users) = &input.evaluator_user_ids {
        write_evaluators(tx, id, users).await?;
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(c.committee_id),
            action: "consultation.update",
            record_type: "consultation",
            record_id: Some(id),
            changes: json!({"form": f.form.as_str(), "title": f.title, "meeting_on": f.meeting_on,
                "draft_days": f.draft_days, "evaluator_user_ids": input.evaluator_user_ids}),
            caller,
        },
    )
    .await?;
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// A step with what it needs; each records a day (today when not given).
#[derive(Debug, Clone)]
pub struct Action {
    pub step: Step,
    /// YYYY-MM-DD; today (UTC+8) when `None`.
    pub on_date: Option<String>,
    /// What is recorded of the step: the kickoff's decisions, the research
    /// done, the feedback given, a cancellation's reason …
    pub note: String,
    pub outcome: Option<OutcomeInput>,
    /// For `evaluate`: the evaluator's score of each criterion of the rubric.
    pub scores: Vec<(String, i64)>,
}

/// An outcome to record.
#[derive(Debug, Clone)]
pub struct OutcomeInput {
    /// `instruction`, `adoption` or `use`.
    pub kind: String,
    pub leader: String,
    pub level: String,
    pub department: String,
}

fn today() -> String {
    crate::clock::local_date(crate::clock::now())
}

/// Days from `a` to `b` (both YYYY-MM-DD); `None` if either is not a date.
fn days_between(a: &str, b: &str) -> Option<i64> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    let a = time::Date::parse(a, &f).ok()?;
    let b = time::Date::parse(b, &f).ok()?;
    Some((b - a).whole_days())
}

/// Takes a step: the rules decide whether it may be taken and where it
/// leads; its day must not be in the future nor before the previous step's.
pub async fn act(
    db: &Db,
    caller: &Caller,
    id: i64,
    action: Action,
    expected: Option<i64>,
) -> Result<Consultation, StoreError> {
    let mut tx = db.begin().await?;
    let c = act_in(&mut tx, caller, id, action, expected).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`act`] inside an open transaction.
pub async fn act_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    action: Action,
    expected: Option<i64>,
) -> Result<Consultation, StoreError> {
    let (c, part) = load_visible(tx, caller, id).await?;
    let day = match action.on_date.as_deref().map(str::trim) {
        None | Some("") => today(),
        Some(d) => date("on_date", d)?,
    };
    let mut facts = Facts {
        draft_in_time: true,
        evaluated: false,
    };
    if action.step == Step::HoldMeeting {
        // The draft must have reached participants the set days before the meeting.
        facts.draft_in_time = c
            .draft_circulated_on
            .as_deref()
            .and_then(|d| days_between(d, &day))
            .is_some_and(|n| n >= c.draft_days);
    }
    if action.step == Step::Close {
        let n: i64 = on_tx!(tx, |x| sqlx::query_scalar(
            "SELECT COUNT(*) FROM consultation_scores WHERE consultation_id = $1"
        )
        .bind(id)
        .fetch_one(x)
        .await?);
        facts.evaluated = n > 0;
    }
    let to = rules::transition(c.state(), action.step, part, &facts)
        .map_err(|r| StoreError::refused(r, State::as_str))?;
    if expected.is_some_and(|v| v != c.version) {
        return Err(StoreError::stale(c.version));
    }
    rules::check_date(&day, &today(), c.last_step_on.as_deref())
        .map_err(|p| StoreError::invalid("on_date", p.code()))?;
    let note = match action.note.trim() {
        // The draft report is what circulating it sends.
        "" if matches!(
            action.step,
            Step::Cancel | Step::GiveFeedback | Step::CirculateDraft
        ) =>
        {
            return Err(StoreError::invalid("note", "required"));
        }
        "" => String::new(),
        n => prose("note", n, 10_000)?,
    };
    let now = crate::clock::now();
    let me = caller.actor.user_id;
    let mut changes = json!({"from": c.state, "to": to.as_str(), "on_date": day});
    match action.step {
        Step::RecordOutcome => {
            let o = action
                .outcome
                .as_ref()
                .ok_or_else(|| StoreError::invalid("kind", "required"))?;
            let text = prose("note", &action.note, 5_000)?;
            let (leader, level, department) = match o.kind.as_str() {
                "instruction" => {
                    let level = domain::opinions::LeaderLevel::parse(o.level.trim())
                        .ok_or_else(|| StoreError::invalid("level", "invalid_choice"))?;
                    (
                        Some(prose("leader", &o.leader, 100)?),
                        Some(level.as_str().to_string()),
                        None,
                    )
                }
                "adoption" | "use" => (None, None, Some(prose("department", &o.department, 200)?)),
                _ => return Err(StoreError::invalid("kind", "invalid_choice")),
            };
            on_tx!(tx, |x| {
                sqlx::query(
                "INSERT INTO consultation_outcomes (consultation_id, kind, leader, level, department, on_date, text,
                    recorded_by_user_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            )
            .bind(id)
            .bind(&o.kind)
            .bind(&leader)
            .bind(&level)
            .bind(&department)
            .bind(&day)
            .bind(&text)
            .bind(me)
            .bind(now)
            .execute(x)
            .await
            .map(|_| ())?
            });
            changes["outcome"] =
                json!({"kind": o.kind, "leader": leader, "level": level, "department": department});
        }
        Step::Evaluate => {
            let rubric = crate::rubrics::of_tx(tx, c.committee_id).await?;
            let scores =
                rules::check_scores(&rubric, &action.scores).map_err(StoreError::Invalid)?;
            on_tx!(tx, |x| {
                sqlx::query(
                "DELETE FROM consultation_scores WHERE consultation_id = $1 AND evaluator_user_id = $2"
            )
            .bind(id)
            .bind(me)
            .execute(x)
            .await
            .map(|_| ())?
            });
            for (criterion, score, weight) in &scores {
                on_tx!(tx, |x| {
                    sqlx::query(
                    "INSERT INTO consultation_scores (consultation_id, evaluator_user_id, criterion, score, weight, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)"
                )
                .bind(id)
                .bind(me)
                .bind(*criterion)
                .bind(*score)
                .bind(*weight)
                .bind(now)
                .execute(x)
                .await
                .map(|_| ())?
                });
            }
            changes["scores"] = json!(scores);
            let sw: Vec<(i64, i64)> = scores.iter().map(|(_, s, w)| (*s, *w)).collect();
            changes["weighted"] = json!(rules::weighted(&sw));
        }
        _ => {}
    }
    if action.step != Step::RecordOutcome {
        on_tx!(tx, |x| {
            sqlx::query(
            "INSERT INTO consultation_steps (consultation_id, step, on_date, note, recorded_by_user_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id)
        .bind(action.step.as_str())
        .bind(&day)
        .bind(&note)
        .bind(me)
        .bind(now)
        .execute(x)
        .await
        .map(|_| ())?
        });
    }
    let circulated = (action.step == Step::CirculateDraft).then(|| day.clone());
    let moved = on_tx!(tx, |x| sqlx::query(
        "UPDATE consultations SET state = $1, last_step_on = $2,
            draft_circulated_on = COALESCE($3, draft_circulated_on),
            version = version + 1, updated_at = $4
         WHERE id = $5 AND version = $6"
    )
    .bind(to.as_str())
    .bind(&day)
    .bind(&circulated)
    .bind(now)
    .bind(id)
    .bind(c.version)
    .execute(x)
    .await?
    .rows_affected());
    if moved == 0 {
        return Err(StoreError::stale(c.version + 1));
    }
    changes["note"] = json!(note);
    // Participants hear of the draft to read and of what came of it.
    let notice = match action.step {
        Step::CirculateDraft => Some("consultation.draft_circulated"),
        Step::GiveFeedback => Some("consultation.fed_back"),
        _ => None,
    };
    if let Some(kind) = notice {
        for user in crate::consultation_people::participant_ids(tx, id).await? {
            crate::notifications::notify_in(tx, user, kind, ("consultation", id), &c.title).await?;
        }
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(c.committee_id),
            action: event_name(action.step),
            record_type: "consultation",
            record_id: Some(id),
            changes,
            caller,
        },
    )
    .await?;
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// The audit event of a step.
fn event_name(step: Step) -> &'static str {
    match step {
        Step::KickOff => "consultation.kick_off",
        Step::RecordResearch => "consultation.record_research",
        Step::CirculateDraft => "consultation.circulate_draft",
        Step::HoldMeeting => "consultation.hold_meeting",
        Step::SubmitReport => "consultation.submit_report",
        Step::RecordOutcome => "consultation.record_outcome",
        Step::GiveFeedback => "consultation.give_feedback",
        Step::Evaluate => "consultation.evaluate",
        Step::Close => "consultation.close",
        Step::Cancel => "consultation.cancel",
    }
}

/// The steps recorded, oldest first.
pub async fn steps(db: &Db, id: i64) -> Result<Vec<StepRecord>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, step, on_date, note, recorded_by_user_id FROM consultation_steps
         WHERE consultation_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// The outcomes recorded, oldest first.
pub async fn outcomes(db: &Db, id: i64) -> Result<Vec<Outcome>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, kind, leader, level, department, on_date, text FROM consultation_outcomes
         WHERE consultation_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// The quality score: the mean over evaluators of their weighted scores (out
/// of 100, each under the weights it was given with), with how many
/// evaluators scored.
pub async fn quality(db: &Db, id: i64) -> Result<(Option<f64>, usize), StoreError> {
    let rows: Vec<(i64, String, i64, Option<i64>)> = on_db!(db, |c| sqlx::query_as(
        "SELECT evaluator_user_id, criterion, score, weight FROM consultation_scores
         WHERE consultation_id = $1 ORDER BY evaluator_user_id"
    )
    .bind(id)
    .fetch_all(c)
    .await?);
    let mut by: std::collections::BTreeMap<i64, Vec<(i64, i64)>> = Default::default();
    for (u, c, s, w) in &rows {
        // Scores from before rubrics were stored with their weight take the default's.
        let w = w.unwrap_or_else(|| {
            rules::RUBRIC
                .iter()
                .find(|(k, _)| k == c)
                .map_or(0, |(_, w)| *w)
        });
        by.entry(*u).or_default().push((*s, w));
    }
    let n = by.len();
    if n == 0 {
        return Ok((None, 0));
    }
    let total: f64 = by.values().map(|s| rules::weighted(s)).sum();
    Ok((Some(total / n as f64), n))
}

/// What a list of consultations is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ConsultationFilter {
    pub committee_id: i64,
    pub state: Option<String>,
    pub form: Option<String>,
    /// Words in the title or summary.
    pub q: Option<String>,
}

/// The consultations of a committee, newest first.
pub async fn list(
    db: &Db,
    caller: &Caller,
    f: &ConsultationFilter,
    page: crate::page::PageRequest,
) -> Result<crate::page::Page<Consultation>, StoreError> {
    let scope = committees::scope(db, f.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(crate::like::contains);
    if f.q.as_deref().is_some_and(|q| q.chars().count() > 100) {
        return Err(StoreError::invalid("q", "too_long"));
    }
    let state = f.state.clone().filter(|s| !s.is_empty());
    let form = f.form.clone().filter(|s| !s.is_empty());
    let filter = "committee_id = $1 AND ($2 IS NULL OR state = $2) AND ($3 IS NULL OR form = $3)
        AND ($4 IS NULL OR lower(title) LIKE $4 ESCAPE '\\' OR lower(summary) LIKE $4 ESCAPE '\\')";
    let count_sql = format!("SELECT COUNT(*) FROM consultations WHERE {filter}");
    let list_sql = format!(
        "SELECT * FROM consultations WHERE {filter} ORDER BY id DESC LIMIT {} OFFSET {}",
        page.per_page,
        page.offset()
    );
    let (total, items): (i64, Vec<Consultation>) = on_db!(db, |c| {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
            .bind(f.committee_id)
            .bind(&state)
            .bind(&form)
            .bind(&q)
            .fetch_one(c)
            .await?;
        let items = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()))
            .bind(f.committee_id)
            .bind(&state)
            .bind(&form)
            .bind(&q)
            .fetch_all(c)
            .await?;
        (total, items)
    });
    Ok(page.of(items, total))
}
