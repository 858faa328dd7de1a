//! Public-opinion pieces (社情民意信息): drafts with their sources, the steps of
//! their life (`domain::opinions`), staff edits that keep the submitted text,
//! combination into a 综合 piece, and the outcomes recorded after reporting.
//! Every command runs in one transaction with its audit event.

use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::fields::{date, prose};
use crate::platform::committees;
use crate::{Caller, proposals};
use domain::opinions::{self as rules, Facts, OpinionInput, Part, SourceKind, State, Step};
use domain::platform::{Office, Permission, Role};
use serde::Serialize;
use serde_json::json;

/// A piece.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Opinion {
    pub id: i64,
    pub committee_id: i64,
    pub state: String,
    pub title: String,
    pub body: String,
    pub category: String,
    pub region: String,
    pub urgency: String,
    /// Who wrote it (or, for a converted proposal, its proposer).
    pub submitter_user_id: i64,
    /// The proposal declined into this piece, if any.
    pub source_proposal_id: Option<i64>,
    /// The text as submitted, once staff have rewritten it.
    pub submitted_title: Option<String>,
    pub submitted_body: Option<String>,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<i64>,
    /// The combined piece that absorbed this one.
    pub combined_into: Option<i64>,
    /// The bulletin issue it was adopted into, and its place there.
    pub bulletin_id: Option<i64>,
    pub bulletin_position: Option<i64>,
    pub decline_reason: Option<String>,
    /// The proposal draft made from it as a lead.
    pub lead_proposal_id: Option<i64>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl Opinion {
    /// The state, as the rules know it.
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Draft)
    }
}

/// One source of a piece.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Source {
    pub id: i64,
    pub kind: String,
    pub member_id: Option<i64>,
    pub body_id: Option<i64>,
    pub user_id: Option<i64>,
    pub citizen_input_id: Option<i64>,
    /// As it reads on the piece: a member's name, a studio's name …
    pub label: String,
}

/// An outcome recorded on a reported piece.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Outcome {
    pub id: i64,
    /// `instruction`, `adoption` or `use`.
    pub kind: String,
    pub leader: Option<String>,
    pub level: Option<String>,
    pub department: Option<String>,
    /// The day it was given (YYYY-MM-DD).
    pub on_date: String,
    pub text: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// A step with what it needs.
#[derive(Debug, Clone)]
pub enum Action {
    Submit,
    Withdraw,
    StartEditing,
    /// Staff rewrite the title and body; the submitted text is kept.
    Edit {
        title: String,
        body: String,
    },
    /// Absorb these pieces into this one, keeping their sources.
    Combine {
        with: Vec<i64>,
    },
    /// Into this open bulletin issue, at its end.
    Adopt {
        bulletin_id: i64,
    },
    Decline {
        reason: String,
    },
    /// A proposal draft for this member, linked both ways.
    MakeProposalLead {
        member_id: i64,
        term: i64,
    },
    RecordInstruction {
        leader: String,
        level: rules::LeaderLevel,
        on_date: String,
        text: String,
    },
    RecordAdoption {
        department: String,
        on_date: String,
        text: String,
    },
    RecordUse {
        department: String,
        on_date: String,
        text: String,
    },
}

impl Action {
    /// The step the action takes.
    pub fn step(&self) -> Step {
        match self {
            Action::Submit => Step::Submit,
            Action::Withdraw => Step::Withdraw,
            Action::StartEditing => Step::StartEditing,
            Action::Edit { .. } => Step::Edit,
            Action::Combine { .. } => Step::Combine,
            Action::Adopt { .. } => Step::Adopt,
            Action::Decline { .. } => Step::Decline,
            Action::MakeProposalLead { .. } => Step::MakeProposalLead,
            Action::RecordInstruction { .. } => Step::RecordInstruction,
            Action::RecordAdoption { .. } => Step::RecordAdoption,
            Action::RecordUse { .. } => Step::RecordUse,
        }
    }
}

/// Whether the caller works in the committee's information office.
pub fn is_staff(caller: &Caller, committee_id: i64) -> bool {
    caller.works_in(Office::Information, committee_id)
}

/// The part the caller plays for a piece: its writer or a source's user,
/// information staff, a leader of the committee, or nobody.
async fn part_of(tx: &mut Tx, caller: &Caller, o: &Opinion) -> Result<Part, StoreError> {
    let me = caller.actor.user_id;
    if !caller.is_system() && o.submitter_user_id == me {
        return Ok(Part::Source);
    }
    if is_staff(caller, o.committee_id) {
        return Ok(Part::Staff);
    }
    if caller.actor.holds(Role::Leader, o.committee_id) {
        return Ok(Part::Leader);
    }
    let named: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM opinion_sources s LEFT JOIN members m ON m.id = s.member_id
             WHERE s.opinion_id = $1 AND (s.user_id = $2 OR m.user_id = $2)",
        )
        .bind(o.id)
        .bind(me)
        .fetch_one(c)
        .await?
    });
    Ok(if named > 0 { Part::Source } else { Part::Other })
}

async fn load_tx(tx: &mut Tx, id: i64) -> Result<Option<Opinion>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT * FROM opinions WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Loads a piece the caller may see, with their part: its sources always,
/// staff, leaders and admins of the committee once it is submitted.
pub(crate) async fn load_visible(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
) -> Result<(Opinion, Part), StoreError> {
    let o = load_tx(tx, id).await?.ok_or(StoreError::NotFound)?;
    let part = part_of(tx, caller, &o).await?;
    let scope = committees::scope_tx(tx, o.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let admin = caller.may(Permission::Administer, &scope);
    let visible = match part {
        Part::Source => true,
        Part::Staff | Part::Leader => o.state() != State::Draft,
        Part::Other => admin && o.state() != State::Draft,
    };
    if !visible {
        return Err(StoreError::NotFound);
    }
    Ok((o, part))
}

/// One piece with the caller's part, its sources and outcomes.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<(Opinion, Part), StoreError> {
    let mut tx = db.begin_read().await?;
    let found = load_visible(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(found)
}

/// The sources of a piece, in the order they were named.
pub async fn sources(db: &Db, id: i64) -> Result<Vec<Source>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, kind, member_id, body_id, user_id, citizen_input_id, label
         FROM opinion_sources WHERE opinion_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// The sources of these pieces (ids from a list the caller may see), by piece.
pub async fn sources_of(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<Source>>, StoreError> {
    let mut out: std::collections::HashMap<i64, Vec<Source>> = std::collections::HashMap::new();
    // Integers only; chunks keep each statement's length bounded.
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT opinion_id, id, kind, member_id, body_id, user_id, citizen_input_id, label
             FROM opinion_sources WHERE opinion_id IN ({list}) ORDER BY id"
        );
        let rows: Vec<SourceRow> = on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(c)
            .await?);
        for r in rows {
            out.entry(r.opinion_id).or_default().push(r.source);
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct SourceRow {
    opinion_id: i64,
    #[sqlx(flatten)]
    source: Source,
}

/// The piece a proposal was made from as a lead (转提案线索), if any.
pub async fn lead_of(db: &Db, proposal_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT id FROM opinions WHERE lead_proposal_id = $1"
    )
    .bind(proposal_id)
    .fetch_optional(c)
    .await?))
}

/// The outcomes recorded on a piece, oldest first.
pub async fn outcomes(db: &Db, id: i64) -> Result<Vec<Outcome>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, kind, leader, level, department, on_date, text, created_at
         FROM opinion_outcomes WHERE opinion_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// The label a source reads as, after checking that what it names exists in
/// the committee.
async fn source_label(
    tx: &mut Tx,
    committee_id: i64,
    s: &rules::Source,
) -> Result<(String, Option<i64>), StoreError> {
    let missing = || StoreError::invalid("sources", "not_found");
    let named = |table: &'static str, id: i64| {
        format!("SELECT name FROM {table} WHERE id = {id} AND committee_id = $1")
    };
    let sql = match (s.kind, s.member_id, s.body_id) {
        (SourceKind::Member, Some(m), _) => {
            format!("SELECT name FROM members WHERE id = {m} AND committee_id = $1")
        }
        (SourceKind::Studio, _, Some(b)) => named("studios", b),
        (SourceKind::LiaisonGroup, _, Some(b)) => named("liaison_groups", b),
        (SourceKind::Party, _, Some(b)) => named("parties", b),
        (SourceKind::SpecialCommittee, _, Some(b)) => named("special_committees", b),
        _ => return Ok((String::new(), None)),
    };
    let name: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(committee_id)
        .fetch_optional(c)
        .await?);
    let name = name.ok_or_else(missing)?;
    let user: Option<i64> = match s.member_id {
        Some(m) => on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT user_id FROM members WHERE id = $1"
        )
        .bind(m)
        .fetch_optional(c)
        .await?)
        .flatten(),
        None => None,
    };
    Ok((name, user))
}

/// Writes a piece's sources: those named, or else its writer alone.
async fn write_sources(
    tx: &mut Tx,
    caller: &Caller,
    o_id: i64,
    committee_id: i64,
    sources: &[rules::Source],
) -> Result<(), StoreError> {
    // A citizen's voice is kept through the writer's edits: it is no choice of theirs.
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM opinion_sources WHERE opinion_id = $1 AND citizen_input_id IS NULL"
    )
    .bind(o_id)
    .execute(c)
    .await
    .map(|_| ())?);
    let mine = [own_source(tx, caller, committee_id).await?];
    let list: &[rules::Source] = if sources.is_empty() { &mine } else { sources };
    for s in list {
        let (label, user) = source_label(tx, committee_id, s).await?;
        let (label, user) = match s.kind {
            SourceKind::Staff | SourceKind::Citizen => (
                caller.actor.display_name.clone(),
                Some(caller.actor.user_id),
            ),
            _ => (label, user),
        };
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO opinion_sources (opinion_id, kind, member_id, body_id, user_id, label)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(o_id)
        .bind(s.kind.as_str())
        .bind(s.member_id)
        .bind(s.body_id)
        .bind(user)
        .bind(&label)
        .execute(c)
        .await
        .map(|_| ())?);
    }
    Ok(())
}

/// The caller as a source: their member record, or staff.
async fn own_source(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
) -> Result<rules::Source, StoreError> {
    let member: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM members WHERE user_id = $1 AND committee_id = $2"
    )
    .bind(caller.actor.user_id)
    .bind(committee_id)
    .fetch_optional(c)
    .await?);
    Ok(match member {
        Some(m) => rules::Source {
            kind: SourceKind::Member,
            member_id: Some(m),
            body_id: None,
        },
        None => rules::Source {
            kind: SourceKind::Staff,
            member_id: None,
            body_id: None,
        },
    })
}

/// Starts a draft piece in a committee: its members and information staff
/// write pieces.
pub async fn create_draft(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    input: &OpinionInput,
) -> Result<Opinion, StoreError> {
    let mut tx = db.begin().await?;
    let o = create_draft_in(&mut tx, caller, committee_id, input).await?;
    tx.commit().await?;
    Ok(o)
}

/// [`create_draft`] inside an open transaction.
pub async fn create_draft_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &OpinionInput,
) -> Result<Opinion, StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let f = input.validate().map_err(StoreError::Invalid)?;
    if !(caller.actor.holds(Role::Member, committee_id) || is_staff(caller, committee_id)) {
        return Err(StoreError::Forbidden);
    }
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO opinions (committee_id, state, title, body, category, region, urgency,
            submitter_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id"
    )
    .bind(committee_id)
    .bind(State::Draft.as_str())
    .bind(&f.title)
    .bind(&f.body)
    .bind(f.category.as_str())
    .bind(&f.region)
    .bind(f.urgency.as_str())
    .bind(caller.actor.user_id)
    .bind(now)
    .fetch_one(c)
    .await?);
    write_sources(tx, caller, id, committee_id, &f.sources).await?;
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: "opinion.create",
            record_type: "opinion",
            record_id: Some(id),
            changes: json!({"title": f.title, "category": f.category.as_str(),
                "region": f.region, "urgency": f.urgency.as_str(),
                "sources": f.sources.iter().map(|s| json!({"kind": s.kind.as_str(),
                    "member_id": s.member_id, "body_id": s.body_id})).collect::<Vec<_>>()}),
            caller,
        },
    )
    .await?;
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// A citizen's input being turned into a piece (see `crate::citizens`).
#[derive(Debug, Clone)]
pub struct CitizenVoice {
    pub input_id: i64,
    pub studio_id: i64,
    /// The citizen's account, when they were signed in: they hear back.
    pub user_id: Option<i64>,
    pub name: String,
    pub title: String,
    pub body: String,
}

/// A draft piece from a citizen's input, written by the caller (a studio
/// member or staff): its sources are the caller, the studio and the citizen.
pub(crate) async fn create_from_citizen_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    from: &CitizenVoice,
) -> Result<Opinion, StoreError> {
    let me = own_source(tx, caller, committee_id).await?;
    let mut sources = vec![rules::SourceInput {
        kind: me.kind.as_str().into(),
        member_id: me.member_id,
        body_id: None,
    }];
    sources.push(rules::SourceInput {
        kind: SourceKind::Studio.as_str().into(),
        member_id: None,
        body_id: Some(from.studio_id),
    });
    // A citizen's title may be longer than a piece allows only if the rules
    // change; cut to fit rather than refuse the studio's member.
    let input = OpinionInput {
        title: from.title.chars().take(rules::MAX_TITLE).collect(),
        body: from.body.clone(),
        category: domain::proposals::Category::Society.as_str().into(),
        region: String::new(),
        urgency: rules::Urgency::Normal.as_str().into(),
        sources,
    };
    let o = create_draft_in(tx, caller, committee_id, &input).await?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO opinion_sources (opinion_id, kind, user_id, citizen_input_id, label)
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(o.id)
    .bind(SourceKind::Citizen.as_str())
    .bind(from.user_id)
    .bind(from.input_id)
    .bind(&from.name)
    .execute(c)
    .await
    .map(|_| ())?);
    Ok(o)
}

/// The writer edits a draft.
pub async fn update_draft(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &OpinionInput,
    expected: Option<i64>,
) -> Result<Opinion, StoreError> {
    let mut tx = db.begin().await?;
    let (o, part) = load_visible(&mut tx, caller, id).await?;
    if part != Part::Source || o.submitter_user_id != caller.actor.user_id {
        return Err(StoreError::Forbidden);
    }
    if o.state() != State::Draft {
        return Err(StoreError::Conflict {
            code: "wrong_state",
            current: Some(o.state.clone()),
        });
    }
    if expected.is_some_and(|v| v != o.version) {
        return Err(StoreError::stale(o.version));
    }
    let f = input.validate().map_err(StoreError::Invalid)?;
    let now = crate::clock::now();
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE opinions SET title = $1, body = $2, category = $3, region = $4, urgency = $5,
            version = version + 1, updated_at = $6 WHERE id = $7"
    )
    .bind(&f.title)
    .bind(&f.body)
    .bind(f.category.as_str())
    .bind(&f.region)
    .bind(f.urgency.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ())?);
    write_sources(&mut tx, caller, id, o.committee_id, &f.sources).await?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(o.committee_id),
            action: "opinion.update",
            record_type: "opinion",
            record_id: Some(id),
            changes: json!({"title": f.title, "category": f.category.as_str()}),
            caller,
        },
    )
    .await?;
    let o = load_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(o)
}

/// The first microsecond of a day (YYYY-MM-DD) in the committee's local time (UTC+8).
fn local_day_start(day: &str) -> Option<i64> {
    let d = time::Date::parse(
        day,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(crate::clock::date_micros(
        d.year(),
        u8::from(d.month()),
        d.day(),
    ))
}

/// Takes a step: the rules decide whether it may be taken and where it
/// leads; this applies its effects, in one transaction with its audit event.
pub async fn act(
    db: &Db,
    caller: &Caller,
    id: i64,
    action: Action,
    expected: Option<i64>,
) -> Result<Opinion, StoreError> {
    let mut tx = db.begin().await?;
    let o = act_in(&mut tx, caller, id, action, expected).await?;
    tx.commit().await?;
    Ok(o)
}

/// [`act`] inside an open transaction.
pub async fn act_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    action: Action,
    expected: Option<i64>,
) -> Result<Opinion, StoreError> {
    let (o, part) = load_visible(tx, caller, id).await?;
    let mut facts = Facts::default();
    let bulletin = bulletin_of(tx, &o, &action).await?;
    if let Some((_, state, reported)) = &bulletin {
        facts.bulletin_published = state == "published";
        facts.reported = *reported;
    }
    let to = rules::transition(o.state(), action.step(), part, &facts)
        .map_err(|r| StoreError::refused(r, State::as_str))?;
    if expected.is_some_and(|v| v != o.version) {
        return Err(StoreError::stale(o.version));
    }
    let now = crate::clock::now();
    let mut changes = json!({"from": o.state, "to": to.as_str()});
    match &action {
        Action::Submit => {
            on_tx!(tx, |c| sqlx::query(
                "UPDATE opinions SET submitted_at = $1 WHERE id = $2"
            )
            .bind(now)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())?);
        }
        Action::Edit { title, body } => {
            let mut e = domain::validate::Errors::default();
            let title = e.required_text("title", title, rules::MAX_TITLE);
            let body = e.required_prose("body", body, rules::MAX_BODY);
            e.finish().map_err(StoreError::Invalid)?;
            // The first edit keeps the text as submitted, for the difference.
            on_tx!(tx, |c| sqlx::query(
                "UPDATE opinions SET submitted_title = COALESCE(submitted_title, title),
                    submitted_body = COALESCE(submitted_body, body), title = $1, body = $2
                 WHERE id = $3"
            )
            .bind(&title)
            .bind(&body)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())?);
            changes["title"] = json!(title);
        }
        Action::Combine { with } => {
            combine(tx, caller, &o, with, now).await?;
            changes["absorbed"] = json!(with);
        }
        Action::Adopt { bulletin_id } => {
            on_tx!(tx, |c| {
                sqlx::query(
                "UPDATE opinions SET bulletin_id = $1,
                    bulletin_position = (SELECT COALESCE(MAX(bulletin_position), 0) + 1 FROM opinions WHERE bulletin_id = $1)
                 WHERE id = $2"
            )
            .bind(bulletin_id)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())?
            });
            changes["bulletin_id"] = json!(bulletin_id);
        }
        Action::Decline { reason } => {
            let reason = prose("reason", reason, 2_000)?;
            on_tx!(tx, |c| sqlx::query(
                "UPDATE opinions SET decline_reason = $1 WHERE id = $2"
            )
            .bind(&reason)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())?);
            changes["reason"] = json!(reason);
        }
        Action::MakeProposalLead { member_id, term } => {
            let proposal = make_lead(tx, caller, &o, *member_id, *term).await?;
            on_tx!(tx, |c| sqlx::query(
                "UPDATE opinions SET lead_proposal_id = $1 WHERE id = $2"
            )
            .bind(proposal)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())?);
            changes["proposal_id"] = json!(proposal);
        }
        Action::RecordInstruction {
            leader,
            level,
            on_date,
            text: said,
        } => {
            let leader = prose("leader", leader, 100)?;
            let on_date = date("on_date", on_date)?;
            let said = prose("text", said, 5_000)?;
            record_outcome(
                tx,
                caller,
                id,
                "instruction",
                (Some(&leader), Some(level.as_str()), None),
                &on_date,
                &said,
                now,
            )
            .await?;
            changes["instruction"] =
                json!({"leader": leader, "level": level.as_str(), "on_date": on_date});
        }
        Action::RecordAdoption {
            department,
            on_date,
            text: said,
        }
        | Action::RecordUse {
            department,
            on_date,
            text: said,
        } => {
            let department = prose("department", department, 200)?;
            let on_date = date("on_date", on_date)?;
            let said = prose("text", said, 5_000)?;
            let kind = if matches!(action, Action::RecordUse { .. }) {
                "use"
            } else {
                "adoption"
            };
            record_outcome(
                tx,
                caller,
                id,
                kind,
                (None, None, Some(&department)),
                &on_date,
                &said,
                now,
            )
            .await?;
            changes[kind] = json!({"department": department, "on_date": on_date});
        }
        Action::Withdraw | Action::StartEditing => {}
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE opinions SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3"
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ())?);
    audit::append(
        tx,
        Change {
            committee_id: Some(o.committee_id),
            action: match action.step() {
                Step::Submit => "opinion.submit",
                Step::Withdraw => "opinion.withdraw",
                Step::StartEditing => "opinion.start_editing",
                Step::Edit => "opinion.edit",
                Step::Combine => "opinion.combine",
                Step::Adopt => "opinion.adopt",
                Step::Decline => "opinion.decline",
                Step::MakeProposalLead => "opinion.make_proposal_lead",
                Step::RecordInstruction => "opinion.record_instruction",
                Step::RecordAdoption => "opinion.record_adoption",
                Step::RecordUse => "opinion.record_use",
            },
            record_type: "opinion",
            record_id: Some(id),
            changes,
            caller,
        },
    )
    .await?;
    if matches!(
        action.step(),
        Step::Adopt | Step::Decline | Step::MakeProposalLead
    ) || matches!(
        action.step(),
        Step::RecordInstruction | Step::RecordAdoption | Step::RecordUse
    ) {
        feed_back(tx, &o, action.step()).await?;
    }
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// For `adopt`, the chosen issue; for outcomes, the piece's own issue: its id,
/// state and whether it has been reported. It must be of the piece's committee.
async fn bulletin_of(
    tx: &mut Tx,
    o: &Opinion,
    action: &Action,
) -> Result<Option<(i64, String, bool)>, StoreError> {
    let id = match action {
        Action::Adopt { bulletin_id } => Some(*bulletin_id),
        Action::RecordInstruction { .. }
        | Action::RecordAdoption { .. }
        | Action::RecordUse { .. } => o.bulletin_id,
        _ => None,
    };
    let Some(id) = id else {
        return Ok(None);
    };
    let row: Option<(String, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT b.state, (SELECT COUNT(*) FROM bulletin_reports r WHERE r.bulletin_id = b.id)
         FROM bulletins b WHERE b.id = $1 AND b.committee_id = $2"
    )
    .bind(id)
    .bind(o.committee_id)
    .fetch_optional(c)
    .await?);
    let (state, reports) = row.ok_or_else(|| StoreError::invalid("bulletin_id", "not_found"))?;
    Ok(Some((id, state, reports > 0)))
}

/// Absorbs `with` into `o`: each becomes `combined`, pointing at `o`, and
/// its sources are added to `o`'s.
async fn combine(
    tx: &mut Tx,
    caller: &Caller,
    o: &Opinion,
    with: &[i64],
    now: i64,
) -> Result<(), StoreError> {
    if with.is_empty() {
        return Err(StoreError::invalid("with", "required"));
    }
    if with.len() > 50 {
        return Err(StoreError::invalid("with", "too_many"));
    }
    if with.contains(&o.id) {
        return Err(StoreError::Conflict {
            code: "combine_with_itself",
            current: None,
        });
    }
    for other in with {
        let (p, part) = load_visible(tx, caller, *other)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid("with", "not_found"),
                e => e,
            })?;
        if p.committee_id != o.committee_id {
            return Err(StoreError::invalid("with", "not_found"));
        }
        let absorbed = Facts {
            absorbed: true,
            ..Facts::default()
        };
        rules::transition(p.state(), Step::Combine, part, &absorbed)
            .map_err(|r| StoreError::refused(r, State::as_str))?;
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE opinions SET state = $1, combined_into = $2, version = version + 1, updated_at = $3 WHERE id = $4"
        )
        .bind(State::Combined.as_str())
        .bind(o.id)
        .bind(now)
        .bind(p.id)
        .execute(c)
        .await
        .map(|_| ())?
        });
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO opinion_sources (opinion_id, kind, member_id, body_id, user_id, citizen_input_id, label)
             SELECT $1, s.kind, s.member_id, s.body_id, s.user_id, s.citizen_input_id, s.label
             FROM opinion_sources s WHERE s.opinion_id = $2
               AND NOT EXISTS (SELECT 1 FROM opinion_sources t WHERE t.opinion_id = $1 AND t.label = s.label AND t.kind = s.kind)"
        )
        .bind(o.id)
        .bind(p.id)
        .execute(c)
        .await
        .map(|_| ())?
        });
        audit::append(
            tx,
            Change {
                committee_id: Some(p.committee_id),
                action: "opinion.combined_into",
                record_type: "opinion",
                record_id: Some(p.id),
                changes: json!({"from": p.state, "to": "combined", "into": o.id}),
                caller,
            },
        )
        .await?;
    }
    Ok(())
}

/// Creates the proposal draft a piece leads to, for the named member of the
/// committee; returns its id.
async fn make_lead(
    tx: &mut Tx,
    caller: &Caller,
    o: &Opinion,
    member_id: i64,
    term: i64,
) -> Result<i64, StoreError> {
    let user: Option<Option<i64>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT user_id FROM members WHERE id = $1 AND committee_id = $2"
    )
    .bind(member_id)
    .bind(o.committee_id)
    .fetch_optional(c)
    .await?);
    let user = user
        .ok_or_else(|| StoreError::invalid("member_id", "not_found"))?
        .ok_or_else(|| StoreError::invalid("member_id", "no_account"))?;
    if !(1..=99).contains(&term) {
        return Err(StoreError::invalid("term", "out_of_range"));
    }
    proposals::create_lead_in(
        tx,
        caller,
        proposals::Lead {
            committee_id: o.committee_id,
            user_id: user,
            member_id,
            term,
            title: &o.title,
            body: &o.body,
            category: &o.category,
            opinion_id: o.id,
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn record_outcome(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    kind: &str,
    (leader, level, department): (Option<&str>, Option<&str>, Option<&str>),
    on_date: &str,
    said: &str,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO opinion_outcomes (opinion_id, kind, leader, level, department, on_date, text, recorded_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(id)
    .bind(kind)
    .bind(leader)
    .bind(level)
    .bind(department)
    .bind(on_date)
    .bind(said)
    .bind(caller.actor.user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// Tells every source with an account what became of the piece (反馈).
async fn feed_back(tx: &mut Tx, o: &Opinion, step: Step) -> Result<(), StoreError> {
    let users: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(s.user_id, m.user_id) FROM opinion_sources s
         LEFT JOIN members m ON m.id = s.member_id
         WHERE s.opinion_id = $1 AND COALESCE(s.user_id, m.user_id) IS NOT NULL"
    )
    .bind(o.id)
    .fetch_all(c)
    .await?);
    let kind = match step {
        Step::Adopt => "opinion.adopted",
        Step::Decline => "opinion.declined",
        Step::MakeProposalLead => "opinion.proposal_lead",
        Step::RecordInstruction => "opinion.instructed",
        Step::RecordAdoption => "opinion.department_adopted",
        _ => "opinion.used",
    };
    let mut all = users;
    if !all.contains(&o.submitter_user_id) {
        all.push(o.submitter_user_id);
    }
    for user in all {
        crate::notifications::notify_in(tx, user, kind, ("opinion", o.id), &o.title).await?;
    }
    Ok(())
}

/// What a list of pieces is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpinionFilter {
    pub committee_id: i64,
    pub state: Option<String>,
    pub category: Option<String>,
    /// Pieces with a source of this kind.
    pub source_kind: Option<String>,
    /// Pieces with this member among their sources.
    pub member_id: Option<i64>,
    /// Pieces with this studio among their sources.
    pub studio_id: Option<i64>,
    /// Submitted on or after / before these days (YYYY-MM-DD, local time).
    pub from: Option<String>,
    pub until: Option<String>,
    /// With an instruction recorded (or without).
    pub instructed: Option<bool>,
    /// Words in the title or body, matched by substring here; the web layer
    /// turns them into `ids` from the full-text index first.
    pub q: Option<String>,
    /// Only these pieces: the hits of a full-text search (ids from our index).
    pub ids: Option<Vec<i64>>,
}

/// The pieces the caller may see, newest first, with the total.
pub async fn list(
    db: &Db,
    caller: &Caller,
    f: &OpinionFilter,
    page: crate::page::PageRequest,
) -> Result<crate::page::Page<Opinion>, StoreError> {
    let scope = committees::scope(db, f.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let oversees = is_staff(caller, f.committee_id)
        || caller.may(Permission::Administer, &scope)
        || caller.actor.holds(Role::Leader, f.committee_id);
    let mut clauses = vec!["o.committee_id = $1".to_string()];
    let mut strings: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = vec![f.committee_id];
    // Placeholders: integers first ($1..), then strings, numbered as pushed.
    let int = |v: i64, ints: &mut Vec<i64>| {
        ints.push(v);
        ints.len()
    };
    let me = caller.actor.user_id;
    let own = format!(
        "(o.submitter_user_id = {me} OR EXISTS (SELECT 1 FROM opinion_sources s LEFT JOIN members m ON m.id = s.member_id
           WHERE s.opinion_id = o.id AND (s.user_id = {me} OR m.user_id = {me})))"
    );
    if oversees {
        clauses.push(format!("(o.state <> 'draft' OR {own})"));
    } else {
        clauses.push(own);
    }
    if let Some(v) = f.member_id {
        let n = int(v, &mut ints);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM opinion_sources s WHERE s.opinion_id = o.id AND s.member_id = ${n})"
        ));
    }
    if let Some(v) = f.studio_id {
        let n = int(v, &mut ints);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM opinion_sources s WHERE s.opinion_id = o.id AND s.kind = 'studio' AND s.body_id = ${n})"
        ));
    }
    let from_day = |field: &'static str, day: &Option<String>| -> Result<Option<i64>, StoreError> {
        day.as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| local_day_start(d).ok_or_else(|| StoreError::invalid(field, "invalid_date")))
            .transpose()
    };
    if let Some(t) = from_day("from", &f.from)? {
        let n = int(t, &mut ints);
        clauses.push(format!("o.created_at >= ${n}"));
    }
    if let Some(t) = from_day("until", &f.until)? {
        let n = int(t + 86_400_000_000, &mut ints);
        clauses.push(format!("o.created_at < ${n}"));
    }
    if let Some(ids) = &f.ids {
        // Integers from our own index: safe to write into the statement.
        clauses.push(if ids.is_empty() {
            "1 = 0".to_string()
        } else {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!("o.id IN ({})", list.join(","))
        });
    }
    match f.instructed {
        Some(true) => clauses.push("EXISTS (SELECT 1 FROM opinion_outcomes x WHERE x.opinion_id = o.id AND x.kind = 'instruction')".into()),
        Some(false) => clauses.push("NOT EXISTS (SELECT 1 FROM opinion_outcomes x WHERE x.opinion_id = o.id AND x.kind = 'instruction')".into()),
        None => {}
    }
    let base = ints.len();
    let string = |v: String, strings: &mut Vec<String>| {
        strings.push(v);
        base + strings.len()
    };
    if let Some(v) = f.state.as_deref().filter(|v| !v.is_empty()) {
        let n = string(v.to_string(), &mut strings);
        clauses.push(format!("o.state = ${n}"));
    }
    if let Some(v) = f.category.as_deref().filter(|v| !v.is_empty()) {
        let n = string(v.to_string(), &mut strings);
        clauses.push(format!("o.category = ${n}"));
    }
    if let Some(v) = f.source_kind.as_deref().filter(|v| !v.is_empty()) {
        let n = string(v.to_string(), &mut strings);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM opinion_sources s WHERE s.opinion_id = o.id AND s.kind = ${n})"
        ));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 100 {
            return Err(StoreError::invalid("q", "too_long"));
        }
        let n = string(crate::like::contains(q), &mut strings);
        clauses.push(format!(
            "(lower(o.title) LIKE ${n} ESCAPE '\\' OR lower(o.body) LIKE ${n} ESCAPE '\\')"
        ));
    }
    let filter = clauses.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM opinions o WHERE {filter}");
    let list_sql = format!(
        "SELECT o.* FROM opinions o WHERE {filter} ORDER BY o.created_at DESC, o.id DESC LIMIT {} OFFSET {}",
        page.per_page,
        page.offset()
    );
    let key = format!("opinions.list\u{1f}{list_sql}\u{1f}{ints:?}\u{1f}{strings:?}");
    let source: std::sync::Arc<str> = key.as_str().into();
    let found = db
        .cached(key, || async {
            Ok(on_db!(db, |c| {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()));
                for v in &ints {
                    q = q.bind(*v);
                }
                for v in &strings {
                    q = q.bind(v.clone());
                }
                let total: i64 = q.fetch_one(c).await?;
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()));
                for v in &ints {
                    q = q.bind(*v);
                }
                for v in &strings {
                    q = q.bind(v.clone());
                }
                let items: Vec<Opinion> = q.fetch_all(c).await?;
                (total, items)
            }))
        })
        .await?;
    Ok(crate::page::Page {
        items: found.1.clone(),
        total: found.0,
        page: page.page,
        per_page: page.per_page,
        source: Some(source),
    })
}

/// A bulletin issue (《每周社情》).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Bulletin {
    pub id: i64,
    pub committee_id: i64,
    pub year: i64,
    pub number: i64,
    /// `open` or `published`.
    pub state: String,
    pub editor_note: String,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<i64>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl Bulletin {
    /// Its name as printed: 2026年第18期.
    pub fn label(&self) -> String {
        rules::issue_label(i32::try_from(self.year).unwrap_or(0), self.number)
    }
}

/// One reporting of a published issue.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
    pub recipient: String,
    pub channel: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: i64,
}

async fn bulletin_tx(tx: &mut Tx, id: i64) -> Result<Option<Bulletin>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT * FROM bulletins WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Bulletins are the information office's: staff assemble and report them;
/// leaders and admins read them.
async fn bulletin_visible(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
) -> Result<(Bulletin, Part), StoreError> {
    let b = bulletin_tx(tx, id).await?.ok_or(StoreError::NotFound)?;
    let scope = committees::scope_tx(tx, b.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let part = if is_staff(caller, b.committee_id) {
        Part::Staff
    } else if caller.actor.holds(Role::Leader, b.committee_id) {
        Part::Leader
    } else if caller.may(Permission::Administer, &scope) || b.state == "published" {
        Part::Other
    } else {
        return Err(StoreError::NotFound);
    };
    caller.require(Permission::ReadOrganisation, &scope)?;
    Ok((b, part))
}

/// Opens the next issue of the year (numbered per committee and year).
pub async fn open_bulletin(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    editor_note: &str,
) -> Result<Bulletin, StoreError> {
    let mut tx = db.begin().await?;
    let id = open_bulletin_in(&mut tx, caller, committee_id, editor_note).await?;
    let b = bulletin_tx(&mut tx, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(b)
}

/// [`open_bulletin`] inside an open transaction; answers the new issue's id.
pub async fn open_bulletin_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    editor_note: &str,
) -> Result<i64, StoreError> {
    committees::scope_tx(tx, committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    if !is_staff(caller, committee_id) {
        return Err(StoreError::Forbidden);
    }
    let mut e = domain::validate::Errors::default();
    let note = e.optional_prose("editor_note", Some(editor_note), 5_000);
    e.finish().map_err(StoreError::Invalid)?;
    let now = crate::clock::now();
    let year = crate::clock::year_of(now);
    // The write lock (SQLite) or the unique key (PostgreSQL) keeps numbers unique.
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO bulletins (committee_id, year, number, state, editor_note, version, created_at, updated_at)
         VALUES ($1, $2, (SELECT COALESCE(MAX(number), 0) + 1 FROM bulletins WHERE committee_id = $1 AND year = $2),
                 $3, $4, 1, $5, $5) RETURNING id"
    )
    .bind(committee_id)
    .bind(year)
    .bind(rules::BulletinState::Open.as_str())
    .bind(note.unwrap_or_default())
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(crate::error::unique_as("bulletin_number_taken"))?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: "bulletin.open",
            record_type: "bulletin",
            record_id: Some(id),
            changes: json!({"year": year}),
            caller,
        },
    )
    .await?;
    Ok(id)
}

/// An issue with its pieces in order and its reports.
pub async fn bulletin(
    db: &Db,
    caller: &Caller,
    id: i64,
) -> Result<(Bulletin, Vec<Opinion>, Vec<Report>), StoreError> {
    let mut tx = db.begin_read().await?;
    let (b, _) = bulletin_visible(&mut tx, caller, id).await?;
    let pieces: Vec<Opinion> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT * FROM opinions WHERE bulletin_id = $1 AND state = 'adopted' ORDER BY bulletin_position, id"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    });
    let reports: Vec<Report> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT id, recipient, channel, reported_at FROM bulletin_reports WHERE bulletin_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    });
    tx.commit().await?;
    Ok((b, pieces, reports))
}

/// The committee's issues, newest first.
pub async fn bulletins(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
) -> Result<Vec<Bulletin>, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let all = is_staff(caller, committee_id)
        || caller.actor.holds(Role::Leader, committee_id)
        || caller.may(Permission::Administer, &scope);
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT * FROM bulletins WHERE committee_id = $1 AND (state = 'published' OR $2)
         ORDER BY year DESC, number DESC LIMIT 500"
    )
    .bind(committee_id)
    .bind(all)
    .fetch_all(c)
    .await?))
}

/// Puts an open issue's pieces in this order (staff). `ids` must name every
/// piece of the issue once; the issue's version must match when given.
pub async fn reorder(
    db: &Db,
    caller: &Caller,
    id: i64,
    ids: &[i64],
    expected: Option<i64>,
) -> Result<Bulletin, StoreError> {
    let mut tx = db.begin().await?;
    let (b, part) = bulletin_visible(&mut tx, caller, id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    if b.state != rules::BulletinState::Open.as_str() {
        return Err(StoreError::Conflict {
            code: "wrong_state",
            current: Some(b.state.clone()),
        });
    }
    if expected.is_some_and(|v| v != b.version) {
        return Err(StoreError::stale(b.version));
    }
    let mut now_in: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT id FROM opinions WHERE bulletin_id = $1 AND state = 'adopted'"
    )
    .bind(id)
    .fetch_all(c)
    .await?);
    let mut asked = ids.to_vec();
    now_in.sort_unstable();
    asked.sort_unstable();
    if now_in != asked {
        return Err(StoreError::invalid("opinion_ids", "not_the_issues_pieces"));
    }
    for (i, piece) in ids.iter().enumerate() {
        let position = i64::try_from(i).unwrap_or(0) + 1;
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE opinions SET bulletin_position = $1 WHERE id = $2"
        )
        .bind(position)
        .bind(piece)
        .execute(c)
        .await
        .map(|_| ())?);
    }
    let now = crate::clock::now();
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE bulletins SET version = version + 1, updated_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ())?);
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(b.committee_id),
            action: "bulletin.reorder",
            record_type: "bulletin",
            record_id: Some(id),
            changes: json!({"opinion_ids": ids}),
            caller,
        },
    )
    .await?;
    let b = bulletin_tx(&mut tx, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(b)
}

/// A step of an issue: `publish` (it becomes read-only) or `report` (to
/// recipients, each recorded with time and channel).
pub enum BulletinAction {
    Publish,
    Report {
        recipients: Vec<rules::Recipient>,
        channel: String,
    },
}

/// Takes a step of a bulletin issue, in one transaction with its audit event.
pub async fn bulletin_act(
    db: &Db,
    caller: &Caller,
    id: i64,
    action: BulletinAction,
    expected: Option<i64>,
) -> Result<Bulletin, StoreError> {
    let mut tx = db.begin().await?;
    let b = bulletin_act_in(&mut tx, caller, id, action, expected).await?;
    tx.commit().await?;
    Ok(b)
}

/// [`bulletin_act`] inside an open transaction.
pub async fn bulletin_act_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    action: BulletinAction,
    expected: Option<i64>,
) -> Result<Bulletin, StoreError> {
    let (b, part) = bulletin_visible(tx, caller, id).await?;
    let pieces: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM opinions WHERE bulletin_id = $1 AND state = 'adopted'"
    )
    .bind(id)
    .fetch_one(c)
    .await?);
    let from = rules::BulletinState::parse(&b.state).unwrap_or(rules::BulletinState::Open);
    let step = match action {
        BulletinAction::Publish => rules::BulletinStep::Publish,
        BulletinAction::Report { .. } => rules::BulletinStep::Report,
    };
    let to = rules::bulletin_transition(from, step, part, usize::try_from(pieces).unwrap_or(0))
        .map_err(|r| StoreError::refused(r, rules::BulletinState::as_str))?;
    if expected.is_some_and(|v| v != b.version) {
        return Err(StoreError::stale(b.version));
    }
    let now = crate::clock::now();
    let changes = match &action {
        BulletinAction::Publish => {
            on_tx!(tx, |c| sqlx::query(
                "UPDATE bulletins SET published_at = $1 WHERE id = $2"
            )
            .bind(now)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())?);
            json!({"from": b.state, "to": to.as_str(), "pieces": pieces})
        }
        BulletinAction::Report {
            recipients,
            channel,
        } => {
            if recipients.is_empty() {
                return Err(StoreError::invalid("recipients", "required"));
            }
            let mut e = domain::validate::Errors::default();
            let channel = e.required_text("channel", channel, 100);
            e.finish().map_err(StoreError::Invalid)?;
            for r in recipients {
                on_tx!(tx, |c| {
                    sqlx::query(
                    "INSERT INTO bulletin_reports (bulletin_id, recipient, channel, reported_by_user_id, reported_at)
                     VALUES ($1, $2, $3, $4, $5)"
                )
                .bind(id)
                .bind(r.as_str())
                .bind(&channel)
                .bind(caller.actor.user_id)
                .bind(now)
                .execute(c)
                .await
                .map(|_| ())?
                });
            }
            json!({"recipients": recipients.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "channel": channel})
        }
    };
    on_tx!(tx, |c| sqlx::query(
        "UPDATE bulletins SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3"
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ())?);
    audit::append(
        tx,
        Change {
            committee_id: Some(b.committee_id),
            action: match step {
                rules::BulletinStep::Publish => "bulletin.publish",
                rules::BulletinStep::Report => "bulletin.report",
            },
            record_type: "bulletin",
            record_id: Some(id),
            changes,
            caller,
        },
    )
    .await?;
    bulletin_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// What the information office's dashboard counts: the work waiting, and this
/// year's pieces (local time) by what became of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// Submitted and not yet taken up.
    pub to_edit: i64,
    /// Being edited.
    pub editing: i64,
    /// This year: submitted (whatever became of them since).
    pub submitted: i64,
    /// This year: adopted into a bulletin issue.
    pub adopted: i64,
    /// This year: pieces with a leader's instruction, by the leader's level
    /// (`national`, `provincial`, `municipal`, `county`).
    pub instructed: Vec<(String, i64)>,
}

/// The dashboard's counts for a committee and a year.
pub async fn counts(db: &Db, committee_id: i64, year: i64) -> Result<Counts, StoreError> {
    let from = crate::clock::date_micros(i32::try_from(year).unwrap_or(1970), 1, 1);
    let until = crate::clock::date_micros(i32::try_from(year + 1).unwrap_or(1971), 1, 1);
    db.cached(format!("opinions.counts\u{1f}{committee_id}\u{1f}{year}"), || async {
        let (to_edit, editing, submitted, adopted): (i64, i64, i64, i64) = on_db!(db, |c| sqlx::query_as(
            "SELECT
                COALESCE(SUM(CASE WHEN state = 'submitted' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN state = 'editing' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN submitted_at >= $2 AND submitted_at < $3 THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN state = 'adopted' AND submitted_at >= $2 AND submitted_at < $3 THEN 1 ELSE 0 END), 0)
             FROM opinions WHERE committee_id = $1"
        )
        .bind(committee_id)
        .bind(from)
        .bind(until)
        .fetch_one(c)
        .await?);
        let instructed: Vec<(String, i64)> = on_db!(db, |c| sqlx::query_as(
            "SELECT x.level, COUNT(DISTINCT x.opinion_id) FROM opinion_outcomes x
             JOIN opinions o ON o.id = x.opinion_id
             WHERE o.committee_id = $1 AND x.kind = 'instruction' AND x.created_at >= $2 AND x.created_at < $3
             GROUP BY x.level ORDER BY x.level"
        )
        .bind(committee_id)
        .bind(from)
        .bind(until)
        .fetch_all(c)
        .await?);
        Ok(Counts {
            to_edit,
            editing,
            submitted,
            adopted,
            instructed,
        })
    })
    .await
    .map(|c| Counts::clone(&c))
}
