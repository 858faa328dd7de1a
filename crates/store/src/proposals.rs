//! Proposals (提案): drafts, submission, review, filing with a number, and
//! merging. Every step goes through `domain::proposals::transition`, so the
//! rules live in one place; this module supplies the facts and the effects.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::fields::{date, prose, text};
use crate::platform::{bodies, committees};
use domain::platform::{BodyKind, Office, Permission, Role};
use domain::proposals::{
    self as rules, AnswerCategory, CollectiveKind, ConsultationForm, Disposal, Facts, Part,
    ProposalInput, Refusal, Satisfaction, State, Step,
};
use domain::validate::FieldError;
use serde::Serialize;
use serde_json::json;

/// A proposal.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Proposal {
    pub id: i64,
    pub committee_id: i64,
    pub state: String,
    pub title: String,
    pub body: String,
    pub category: String,
    /// `individual`, `joint` or `collective`.
    pub kind: String,
    pub proposer_user_id: i64,
    pub lead_member_id: Option<i64>,
    pub collective_kind: Option<String>,
    pub collective_id: Option<i64>,
    pub term: i64,
    /// The plenary session it was submitted at; 0 between sessions.
    pub session: i64,
    pub number: Option<i64>,
    /// The number as written: `十三届二次-0123`.
    pub number_label: Option<String>,
    pub publish_consent: bool,
    pub is_key: bool,
    pub supervisor_user_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub disposal: Option<String>,
    pub decline_reason: Option<String>,
    pub reassignment_pending: bool,
    pub rehandled: bool,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<i64>,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub filed_at: Option<i64>,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub assigned_at: Option<i64>,
    /// When the answer is due.
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deadline_at: Option<i64>,
    /// The proposer's verdict: `satisfied`, `basically-satisfied` or `not-satisfied`.
    pub satisfaction: Option<String>,
    pub evaluation_comment: Option<String>,
    #[serde(serialize_with = "crate::clock::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<i64>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl Proposal {
    /// The lifecycle state.
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Draft)
    }

    fn facts(&self) -> Facts {
        Facts {
            key: self.is_key,
            reassignment_pending: self.reassignment_pending,
            rehandled: self.rehandled,
            ..Facts::default()
        }
    }
}

/// A step of the lifecycle with the fields it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Submit,
    Withdraw,
    StartReview,
    File,
    /// Not filed (不予立案), with a reason and how the proposal is disposed of.
    Decline {
        disposal: Disposal,
        reason: String,
    },
    /// Merge into the filed proposal with this id.
    Merge {
        into: i64,
    },
    /// One lead unit with optional co-handling units, or several lead units (a split).
    Assign {
        lead_units: Vec<i64>,
        co_units: Vec<i64>,
    },
    RequestReassignment {
        reason: String,
    },
    /// Approve (with the new assignment) or refuse the pending request.
    DecideReassignment {
        approve: bool,
        lead_units: Vec<i64>,
        co_units: Vec<i64>,
    },
    RecordConsultation {
        held_on: String,
        form: String,
        participants: String,
        agreed: String,
    },
    Answer {
        category: String,
        text: String,
    },
    Evaluate {
        satisfaction: Satisfaction,
        comment: Option<String>,
    },
    Close,
    MarkKey {
        supervisor_user_id: i64,
    },
    RecordSupervision {
        held_on: String,
        activity: String,
    },
    /// Extend the deadline by this many months (at most six from assignment in all).
    ExtendDeadline {
        months: i64,
    },
}

impl Action {
    /// The lifecycle step the action takes.
    pub fn step(&self) -> Step {
        match self {
            Action::Submit => Step::Submit,
            Action::Withdraw => Step::Withdraw,
            Action::StartReview => Step::StartReview,
            Action::File => Step::File,
            Action::Decline { .. } => Step::Decline,
            Action::Merge { .. } => Step::Merge,
            Action::Assign { .. } => Step::Assign,
            Action::RequestReassignment { .. } => Step::RequestReassignment,
            Action::DecideReassignment { .. } => Step::DecideReassignment,
            Action::RecordConsultation { .. } => Step::RecordConsultation,
            Action::Answer { .. } => Step::Answer,
            Action::Evaluate { .. } => Step::Evaluate,
            Action::Close => Step::Close,
            Action::MarkKey { .. } => Step::MarkKey,
            Action::RecordSupervision { .. } => Step::RecordSupervision,
            Action::ExtendDeadline { .. } => Step::ExtendDeadline,
        }
    }

    fn event(&self) -> &'static str {
        match self.step() {
            Step::Submit => "proposal.submit",
            Step::Withdraw => "proposal.withdraw",
            Step::StartReview => "proposal.start_review",
            Step::File => "proposal.file",
            Step::Decline => "proposal.decline",
            Step::Merge => "proposal.merge",
            Step::Assign => "proposal.assign",
            Step::RequestReassignment => "proposal.request_reassignment",
            Step::DecideReassignment => "proposal.decide_reassignment",
            Step::RecordConsultation => "proposal.record_consultation",
            Step::Answer => "proposal.answer",
            Step::Evaluate => "proposal.evaluate",
            Step::Close => "proposal.close",
            Step::MarkKey => "proposal.mark_key",
            Step::RecordSupervision => "proposal.record_supervision",
            Step::ExtendDeadline => "proposal.extend_deadline",
        }
    }
}

/// The part the caller plays for a proposal.
async fn part_of(tx: &mut Tx, caller: &Caller, p: &Proposal) -> Result<Part, StoreError> {
    let a = &caller.actor;
    if !caller.is_system() && p.proposer_user_id == a.user_id {
        return Ok(Part::Proposer);
    }
    if caller.works_in(Office::Proposals, p.committee_id) {
        return Ok(Part::Staff);
    }
    if p.supervisor_user_id == Some(a.user_id) {
        return Ok(Part::Supervisor);
    }
    if acting_unit(tx, caller, p).await?.is_some() {
        return Ok(Part::Unit);
    }
    let cosigner: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT c.member_id FROM proposal_cosigners c JOIN members m ON m.id = c.member_id
             WHERE c.proposal_id = $1 AND m.user_id = $2",
        )
        .bind(p.id)
        .bind(a.user_id)
        .fetch_optional(c)
        .await?
    });
    Ok(if cosigner.is_some() {
        Part::CoProposer
    } else {
        Part::Other
    })
}

/// The assigned unit the caller is an officer of, with its role (`lead` or `co`).
pub(crate) async fn acting_unit(
    tx: &mut Tx,
    caller: &Caller,
    p: &Proposal,
) -> Result<Option<(i64, String)>, StoreError> {
    let units: Vec<i64> = caller
        .actor
        .grants
        .iter()
        .filter(|g| g.role == Role::UnitOfficer && g.committee_id == p.committee_id)
        .filter_map(|g| g.unit_id)
        .collect();
    for unit in units {
        let role: Option<String> = on_tx!(tx, |c| {
            sqlx::query_scalar(
                "SELECT role FROM proposal_units WHERE proposal_id = $1 AND unit_id = $2",
            )
            .bind(p.id)
            .bind(unit)
            .fetch_optional(c)
            .await?
        });
        if let Some(role) = role {
            return Ok(Some((unit, role)));
        }
    }
    Ok(None)
}

/// Whether a part may see the proposal at all: its proposers always; the
/// proposals office, the supervising leader and admins and leaders of the
/// committee once it is submitted; nobody else.
fn may_read(part: Part, state: State, admin_or_leader: bool) -> bool {
    match part {
        Part::Proposer | Part::CoProposer => true,
        Part::Staff | Part::Supervisor | Part::Unit => state != State::Draft,
        Part::Other => admin_or_leader && state != State::Draft,
    }
}

async fn load_tx(tx: &mut Tx, id: i64) -> Result<Option<Proposal>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT * FROM proposals WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Loads a proposal for the caller inside a transaction, with their part;
/// not found when the caller may not see it.
pub(crate) async fn load_visible(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
) -> Result<(Proposal, Part), StoreError> {
    let p = load_tx(tx, id).await?.ok_or(StoreError::NotFound)?;
    let part = part_of(tx, caller, &p).await?;
    let scope = committees::scope_tx(tx, p.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let oversees = caller.may(Permission::Administer, &scope)
        || caller.actor.holds(Role::Leader, p.committee_id);
    if !may_read(part, p.state(), oversees) {
        return Err(StoreError::NotFound);
    }
    Ok((p, part))
}

/// One proposal, if the caller may see it.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Proposal, StoreError> {
    get_with_part(db, caller, id).await.map(|(p, _)| p)
}

/// One proposal with the part the caller plays for it (to offer the steps
/// the caller may take).
pub async fn get_with_part(
    db: &Db,
    caller: &Caller,
    id: i64,
) -> Result<(Proposal, Part), StoreError> {
    let mut tx = db.begin_read().await?;
    let found = load_visible(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(found)
}

/// The member profile of the caller in a committee, if any.
async fn own_member(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT id FROM members WHERE user_id = $1 AND committee_id = $2 AND active = $3",
        )
        .bind(caller.actor.user_id)
        .bind(committee_id)
        .bind(true)
        .fetch_optional(c)
        .await?
    }))
}

/// Checks the people and bodies a draft names against the committee.
async fn check_links(
    tx: &mut Tx,
    committee_id: i64,
    lead: Option<i64>,
    f: &rules::ProposalForm,
) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    for m in &f.cosigner_ids {
        let ok: Option<i64> = on_tx!(tx, |c| {
            sqlx::query_scalar(
                "SELECT id FROM members WHERE id = $1 AND committee_id = $2 AND active = $3",
            )
            .bind(m)
            .bind(committee_id)
            .bind(true)
            .fetch_optional(c)
            .await?
        });
        if ok.is_none() || Some(*m) == lead {
            errors.push(FieldError {
                field: "cosigner_ids",
                code: "not_found",
            });
            break;
        }
    }
    if let Some((kind, id)) = f.collective {
        let body = match kind {
            CollectiveKind::Party => BodyKind::Party,
            CollectiveKind::Sector => BodyKind::Sector,
            CollectiveKind::SpecialCommittee => BodyKind::SpecialCommittee,
        };
        if !bodies::exists_in(tx, body, id, committee_id).await? {
            errors.push(FieldError {
                field: "collective_id",
                code: "not_found",
            });
        }
    }
    for u in &f.suggested_unit_ids {
        if !bodies::exists_in(tx, BodyKind::Unit, *u, committee_id).await? {
            errors.push(FieldError {
                field: "suggested_unit_ids",
                code: "not_found",
            });
            break;
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

async fn write_links(tx: &mut Tx, id: i64, f: &rules::ProposalForm) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM proposal_cosigners WHERE proposal_id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM proposal_suggested_units WHERE proposal_id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    for m in &f.cosigner_ids {
        on_tx!(tx, |c| {
            sqlx::query("INSERT INTO proposal_cosigners (proposal_id, member_id, confirmed) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(m)
                .bind(false)
                .execute(c)
                .await?
                .rows_affected()
        });
    }
    for u in &f.suggested_unit_ids {
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO proposal_suggested_units (proposal_id, unit_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(u)
            .execute(c)
            .await?
            .rows_affected()
        });
    }
    Ok(())
}

/// A member (or, for a collective proposal, a member or staff acting for the
/// body) starts a draft in their committee.
pub async fn create_draft_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &ProposalInput,
) -> Result<Proposal, StoreError> {
    let scope = committees::scope_tx(tx, committee_id)
        .await?
        .ok_or_else(|| StoreError::invalid("committee_id", "not_found"))?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let f = input.validate().map_err(StoreError::Invalid)?;
    let member = caller.actor.holds(Role::Member, committee_id);
    let lead = own_member(tx, caller, committee_id).await?;
    let allowed = match f.kind {
        rules::Kind::Individual | rules::Kind::Joint => member && lead.is_some(),
        rules::Kind::Collective => member || caller.actor.holds(Role::Staff, committee_id),
    };
    if !allowed {
        return Err(StoreError::Forbidden);
    }
    check_links(tx, committee_id, lead, &f).await?;
    let now = crate::clock::now();
    let (ck, cid) = match f.collective {
        Some((k, id)) => (Some(k.as_str()), Some(id)),
        None => (None, None),
    };
    let lead = if f.kind == rules::Kind::Collective {
        None
    } else {
        lead
    };
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO proposals (committee_id, state, title, body, category, kind, proposer_user_id, lead_member_id,
                collective_kind, collective_id, term, session, publish_consent, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id",
        )
        .bind(committee_id)
        .bind(State::Draft.as_str())
        .bind(&f.title)
        .bind(&f.body)
        .bind(f.category.as_str())
        .bind(f.kind.as_str())
        .bind(caller.actor.user_id)
        .bind(lead)
        .bind(ck)
        .bind(cid)
        .bind(f.term)
        .bind(f.session)
        .bind(f.publish_consent)
        .bind(now)
        .fetch_one(c)
        .await?
    });
    write_links(tx, id, &f).await?;
    audit::append(
        tx,
        Change {
            committee_id: Some(committee_id),
            action: "proposal.create",
            record_type: "proposal",
            record_id: Some(id),
            changes: json!({"title": f.title, "category": f.category.as_str(), "kind": f.kind.as_str(),
                "term": f.term, "session": f.session, "cosigner_ids": f.cosigner_ids,
                "suggested_unit_ids": f.suggested_unit_ids, "publish_consent": f.publish_consent}),
            caller,
        },
    )
    .await?;
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// What a proposal lead (转提案线索) made from a public-opinion piece needs.
pub(crate) struct Lead<'a> {
    pub committee_id: i64,
    /// The member who is to take it up, and their account.
    pub user_id: i64,
    pub member_id: i64,
    pub term: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub category: &'a str,
    pub opinion_id: i64,
}

/// Creates the proposal draft a piece leads to, owned by the member who is to
/// take it up (they revise and submit it), and tells them; returns its id.
pub(crate) async fn create_lead_in(
    tx: &mut Tx,
    caller: &Caller,
    lead: Lead<'_>,
) -> Result<i64, StoreError> {
    let now = crate::clock::now();
    let category = rules::Category::parse(lead.category).unwrap_or(rules::Category::Other);
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO proposals (committee_id, state, title, body, category, kind, proposer_user_id, lead_member_id,
                term, session, publish_consent, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 1, $11, $11) RETURNING id",
        )
        .bind(lead.committee_id)
        .bind(State::Draft.as_str())
        .bind(lead.title)
        .bind(lead.body)
        .bind(category.as_str())
        .bind(rules::Kind::Individual.as_str())
        .bind(lead.user_id)
        .bind(lead.member_id)
        .bind(lead.term)
        .bind(false)
        .bind(now)
        .fetch_one(c)
        .await?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(lead.committee_id),
            action: "proposal.create",
            record_type: "proposal",
            record_id: Some(id),
            changes: json!({"title": lead.title, "category": category.as_str(), "kind": "individual",
                "term": lead.term, "session": 0, "from_opinion_id": lead.opinion_id,
                "for_member_id": lead.member_id}),
            caller,
        },
    )
    .await?;
    crate::notifications::notify_in(
        tx,
        lead.user_id,
        "proposal_lead",
        ("proposal", id),
        lead.title,
    )
    .await?;
    Ok(id)
}

/// The proposer edits a draft; a submitted proposal cannot be edited.
pub async fn update_draft(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &ProposalInput,
    expected: Option<i64>,
) -> Result<Proposal, StoreError> {
    let mut tx = db.begin().await?;
    let (old, part) = load_visible(&mut tx, caller, id).await?;
    if part != Part::Proposer {
        return Err(StoreError::Forbidden);
    }
    if !rules::editable(old.state()) {
        return Err(StoreError::refused(
            Refusal::WrongState(old.state()),
            State::as_str,
        ));
    }
    if expected.is_some_and(|v| v != old.version) {
        return Err(StoreError::stale(old.version));
    }
    let f = input.validate().map_err(StoreError::Invalid)?;
    if f.kind.as_str() != old.kind {
        return Err(StoreError::invalid("kind", "cannot_change"));
    }
    check_links(&mut tx, old.committee_id, old.lead_member_id, &f).await?;
    let n = on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE proposals SET title = $1, body = $2, category = $3, term = $4, session = $5, publish_consent = $6,
                version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
        )
        .bind(&f.title)
        .bind(&f.body)
        .bind(f.category.as_str())
        .bind(f.term)
        .bind(f.session)
        .bind(f.publish_consent)
        .bind(crate::clock::now())
        .bind(id)
        .bind(old.version)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n != 1 {
        return Err(StoreError::stale(old.version));
    }
    write_links(&mut tx, id, &f).await?;
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(old.committee_id),
            action: "proposal.update",
            record_type: "proposal",
            record_id: Some(id),
            changes: audit::diff(&[
                ("title", json!(old.title), json!(f.title)),
                (
                    "body",
                    json!(old.body.chars().count()),
                    json!(f.body.chars().count()),
                ),
                ("category", json!(old.category), json!(f.category.as_str())),
                ("term", json!(old.term), json!(f.term)),
                ("session", json!(old.session), json!(f.session)),
                (
                    "publish_consent",
                    json!(old.publish_consent),
                    json!(f.publish_consent),
                ),
            ]),
            caller,
        },
    )
    .await?;
    let p = load_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(p)
}

/// The next number in a proposal's series. The update takes the series row's
/// lock, so two filings at the same moment get two consecutive numbers.
async fn next_number(
    tx: &mut Tx,
    committee_id: i64,
    term: i64,
    session: i64,
) -> Result<i64, StoreError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO proposal_series (committee_id, term, session, last_number) VALUES ($1, $2, $3, 0)
             ON CONFLICT (committee_id, term, session) DO NOTHING",
        )
        .bind(committee_id)
        .bind(term)
        .bind(session)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "UPDATE proposal_series SET last_number = last_number + 1
             WHERE committee_id = $1 AND term = $2 AND session = $3 RETURNING last_number",
        )
        .bind(committee_id)
        .bind(term)
        .bind(session)
        .fetch_one(c)
        .await?
    }))
}

/// Checks an assignment: at least one lead unit; co-handling units only
/// beside a single lead; every unit of the committee and named once.
async fn check_assignment(
    tx: &mut Tx,
    committee_id: i64,
    lead: &[i64],
    co: &[i64],
) -> Result<(), StoreError> {
    if lead.is_empty() {
        return Err(StoreError::invalid("lead_units", "required"));
    }
    if lead.len() > 1 && !co.is_empty() {
        return Err(StoreError::invalid("co_units", "not_with_split"));
    }
    let mut all: Vec<i64> = lead.iter().chain(co).copied().collect();
    all.sort_unstable();
    all.dedup();
    if all.len() != lead.len() + co.len() {
        return Err(StoreError::invalid("co_units", "duplicate"));
    }
    if all.len() > 20 {
        return Err(StoreError::invalid("lead_units", "too_many"));
    }
    for u in all {
        if !bodies::exists_in(tx, BodyKind::Unit, u, committee_id).await? {
            let field = if lead.contains(&u) {
                "lead_units"
            } else {
                "co_units"
            };
            return Err(StoreError::invalid(field, "not_found"));
        }
    }
    Ok(())
}

async fn write_assignment(
    tx: &mut Tx,
    id: i64,
    lead: &[i64],
    co: &[i64],
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM proposal_units WHERE proposal_id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    for (units, role) in [(lead, "lead"), (co, "co")] {
        for u in units {
            on_tx!(tx, |c| {
                sqlx::query("INSERT INTO proposal_units (proposal_id, unit_id, role, answer_round) VALUES ($1, $2, $3, 0)")
                    .bind(id)
                    .bind(u)
                    .bind(role)
                    .execute(c)
                    .await?
                    .rows_affected()
            });
        }
    }
    Ok(())
}

/// The changes a step makes to the proposal row besides its state.
#[derive(Default)]
struct RowChanges {
    number: Option<(i64, String)>,
    merged_into: Option<i64>,
    assigned_at: Option<i64>,
    deadline_at: Option<i64>,
    reassignment_pending: Option<bool>,
    rehandled: Option<bool>,
    evaluation: Option<(String, Option<String>)>,
    key: Option<i64>,
    decline: Option<(String, String)>,
}

/// Takes a step of the lifecycle: the rules decide whether it may be taken
/// and where it leads; this applies its effects, all in one transaction with
/// its audit event.
pub async fn act(
    db: &Db,
    caller: &Caller,
    id: i64,
    action: Action,
    expected: Option<i64>,
) -> Result<Proposal, StoreError> {
    let mut tx = db.begin().await?;
    let p = act_in(&mut tx, caller, id, action, expected).await?;
    tx.commit().await?;
    Ok(p)
}

/// [`act`] inside an open transaction.
pub async fn act_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    action: Action,
    expected: Option<i64>,
) -> Result<Proposal, StoreError> {
    let (p, part) = load_visible(tx, caller, id).await?;
    let unit = if part == Part::Unit {
        acting_unit(tx, caller, &p).await?
    } else {
        None
    };
    let mut facts = p.facts();
    match &action {
        Action::Submit => {
            let pending: i64 = on_tx!(tx, |c| {
                sqlx::query_scalar("SELECT COUNT(*) FROM proposal_cosigners WHERE proposal_id = $1 AND confirmed = $2")
                    .bind(p.id)
                    .bind(false)
                    .fetch_one(c)
                    .await?
            });
            facts.cosigners_pending = pending > 0;
        }
        Action::Evaluate { satisfaction, .. } => facts.satisfaction = Some(*satisfaction),
        Action::Decline { disposal, .. } => facts.disposal = Some(*disposal),
        Action::Answer { .. } => {
            if let Some((unit_id, role)) = &unit {
                if role != "lead" {
                    return Err(StoreError::Conflict {
                        code: "co_unit_cannot_answer",
                        current: None,
                    });
                }
                let round = i64::from(p.rehandled);
                let pending: i64 = on_tx!(tx, |c| {
                    sqlx::query_scalar(
                        "SELECT COUNT(*) FROM proposal_units WHERE proposal_id = $1 AND role = $2 AND unit_id <> $3
                         AND (answered_at IS NULL OR answer_round < $4)",
                    )
                    .bind(p.id)
                    .bind("lead")
                    .bind(unit_id)
                    .bind(round + 1)
                    .fetch_one(c)
                    .await?
                });
                facts.other_leads_pending = pending > 0;
            }
        }
        _ => {}
    }
    let to = rules::transition(p.state(), action.step(), part, &facts)
        .map_err(|r| StoreError::refused(r, State::as_str))?;
    if expected.is_some_and(|v| v != p.version) {
        return Err(StoreError::stale(p.version));
    }
    let now = crate::clock::now();
    let mut changes = json!({"state": [p.state, to.as_str()]});
    let mut row = RowChanges::default();
    let actor_id = caller.actor_id().unwrap_or(0);
    match &action {
        Action::Submit | Action::Withdraw | Action::StartReview | Action::Close => {}
        Action::File => {
            let n = next_number(tx, p.committee_id, p.term, p.session).await?;
            let label = rules::number_label(p.term, p.session, n);
            changes["number"] = json!(label);
            row.number = Some((n, label));
        }
        Action::Decline { disposal, reason } => {
            let reason = prose("reason", reason, 2_000)?;
            let code = disposal_code(*disposal);
            changes["disposal"] = json!(code);
            changes["reason"] = json!(reason);
            if *disposal == Disposal::ConvertToOpinion {
                let opinion = convert_to_opinion(tx, caller, &p, now).await?;
                changes["opinion_id"] = json!(opinion);
            }
            row.decline = Some((code.to_string(), reason));
        }
        Action::Merge { into } => {
            merge_into(tx, caller, &p, *into).await?;
            changes["merged_into"] = json!(into);
            row.merged_into = Some(*into);
        }
        Action::Assign {
            lead_units,
            co_units,
        } => {
            check_assignment(tx, p.committee_id, lead_units, co_units).await?;
            write_assignment(tx, p.id, lead_units, co_units).await?;
            let deadline = crate::clock::add_months(now, rules::DEFAULT_DEADLINE_MONTHS);
            changes["lead_units"] = json!(lead_units);
            changes["co_units"] = json!(co_units);
            changes["deadline_at"] = json!(crate::clock::rfc3339(deadline));
            row.assigned_at = Some(now);
            row.deadline_at = Some(deadline);
        }
        Action::RequestReassignment { reason } => {
            let reason = prose("reason", reason, 2_000)?;
            let window =
                p.assigned_at.unwrap_or(now) + rules::REASSIGNMENT_WINDOW_DAYS * 86_400_000_000;
            if now > window {
                return Err(StoreError::Conflict {
                    code: "reassignment_window_closed",
                    current: None,
                });
            }
            let unit_id = unit.as_ref().map(|u| u.0).ok_or(StoreError::Forbidden)?;
            on_tx!(tx, |c| {
                sqlx::query(
                    "INSERT INTO proposal_reassignments (proposal_id, unit_id, reason, requested_by, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(p.id)
                .bind(unit_id)
                .bind(&reason)
                .bind(actor_id)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
            });
            changes["reason"] = json!(reason);
            row.reassignment_pending = Some(true);
        }
        Action::DecideReassignment {
            approve,
            lead_units,
            co_units,
        } => {
            if *approve {
                check_assignment(tx, p.committee_id, lead_units, co_units).await?;
                write_assignment(tx, p.id, lead_units, co_units).await?;
                let deadline = crate::clock::add_months(now, rules::DEFAULT_DEADLINE_MONTHS);
                changes["lead_units"] = json!(lead_units);
                changes["co_units"] = json!(co_units);
                row.assigned_at = Some(now);
                row.deadline_at = Some(deadline);
            }
            on_tx!(tx, |c| {
                sqlx::query(
                    "UPDATE proposal_reassignments SET approved = $1, decided_by = $2, decided_at = $3
                     WHERE proposal_id = $4 AND decided_at IS NULL",
                )
                .bind(approve)
                .bind(actor_id)
                .bind(now)
                .bind(p.id)
                .execute(c)
                .await?
                .rows_affected()
            });
            changes["approved"] = json!(approve);
            row.reassignment_pending = Some(false);
        }
        Action::RecordConsultation {
            held_on,
            form,
            participants,
            agreed,
        } => {
            let held_on = date("held_on", held_on)?;
            let form = ConsultationForm::parse(form.trim())
                .ok_or_else(|| StoreError::invalid("form", "invalid_choice"))?;
            let participants = text("participants", participants, 1_000)?;
            let agreed = prose("agreed", agreed, 10_000)?;
            let unit_id = unit.as_ref().map(|u| u.0).ok_or(StoreError::Forbidden)?;
            on_tx!(tx, |c| {
                sqlx::query(
                    "INSERT INTO proposal_consultations (proposal_id, unit_id, held_on, form, participants, agreed, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(p.id)
                .bind(unit_id)
                .bind(&held_on)
                .bind(form.as_str())
                .bind(&participants)
                .bind(&agreed)
                .bind(actor_id)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
            });
            changes["consultation"] =
                json!({"held_on": held_on, "form": form.as_str(), "unit_id": unit_id});
        }
        Action::Answer {
            category,
            text: answer,
        } => {
            let category = AnswerCategory::parse(category.trim())
                .ok_or_else(|| StoreError::invalid("category", "invalid_choice"))?;
            let answer = prose("text", answer, rules::MAX_ANSWER)?;
            let unit_id = unit.as_ref().map(|u| u.0).ok_or(StoreError::Forbidden)?;
            let round = i64::from(p.rehandled) + 1;
            on_tx!(tx, |c| {
                sqlx::query(
                    "UPDATE proposal_units SET answer_round = $1, answer_category = $2, answer_text = $3, answered_at = $4
                     WHERE proposal_id = $5 AND unit_id = $6",
                )
                .bind(round)
                .bind(category.as_str())
                .bind(&answer)
                .bind(now)
                .bind(p.id)
                .bind(unit_id)
                .execute(c)
                .await?
                .rows_affected()
            });
            changes["answer"] =
                json!({"unit_id": unit_id, "category": category.as_str(), "round": round});
        }
        Action::Evaluate {
            satisfaction,
            comment,
        } => {
            let mut e = domain::validate::Errors::default();
            let comment = e.optional_prose("comment", comment.as_deref(), 2_000);
            e.finish().map_err(StoreError::Invalid)?;
            let code = match satisfaction {
                Satisfaction::Satisfied => "satisfied",
                Satisfaction::BasicallySatisfied => "basically-satisfied",
                Satisfaction::NotSatisfied => "not-satisfied",
            };
            changes["satisfaction"] = json!(code);
            if to == State::InHandling {
                row.rehandled = Some(true);
            }
            row.evaluation = Some((code.to_string(), comment));
        }
        Action::MarkKey { supervisor_user_id } => {
            let leader: i64 = on_tx!(tx, |c| {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM grants g JOIN users u ON u.id = g.user_id
                     WHERE g.user_id = $1 AND g.role = $2 AND g.committee_id = $3 AND u.disabled = $4",
                )
                .bind(supervisor_user_id)
                .bind(Role::Leader.as_str())
                .bind(p.committee_id)
                .bind(false)
                .fetch_one(c)
                .await?
            });
            if leader == 0 {
                return Err(StoreError::invalid("supervisor_user_id", "not_a_leader"));
            }
            changes["supervisor_user_id"] = json!(supervisor_user_id);
            row.key = Some(*supervisor_user_id);
        }
        Action::RecordSupervision { held_on, activity } => {
            let held_on = date("held_on", held_on)?;
            let activity = prose("activity", activity, 5_000)?;
            on_tx!(tx, |c| {
                sqlx::query(
                    "INSERT INTO proposal_supervisions (proposal_id, held_on, activity, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(p.id)
                .bind(&held_on)
                .bind(&activity)
                .bind(actor_id)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
            });
            changes["supervision"] = json!({"held_on": held_on});
        }
        Action::ExtendDeadline { months } => {
            if !(1..=rules::MAX_DEADLINE_MONTHS).contains(months) {
                return Err(StoreError::invalid("months", "out_of_range"));
            }
            let assigned = p.assigned_at.unwrap_or(now);
            let current = p.deadline_at.unwrap_or(assigned);
            let new = crate::clock::add_months(current, *months);
            if new > crate::clock::add_months(assigned, rules::MAX_DEADLINE_MONTHS) {
                return Err(StoreError::invalid("months", "beyond_six_months"));
            }
            changes["deadline_at"] =
                json!([crate::clock::rfc3339(current), crate::clock::rfc3339(new)]);
            row.deadline_at = Some(new);
        }
    }
    let step = action.step();
    let (number, label) = match row.number {
        Some((n, l)) => (Some(n), Some(l)),
        None => (p.number, p.number_label.clone()),
    };
    let (satisfaction, comment) = match row.evaluation {
        Some((s, c)) => (Some(s), c),
        None => (p.satisfaction.clone(), p.evaluation_comment.clone()),
    };
    let (disposal, decline_reason) = match row.decline {
        Some((d, r)) => (Some(d), Some(r)),
        None => (p.disposal.clone(), p.decline_reason.clone()),
    };
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE proposals SET state = $1, number = $2, number_label = $3, merged_into = $4, assigned_at = $5,
                deadline_at = $6, reassignment_pending = $7, rehandled = $8, satisfaction = $9, evaluation_comment = $10,
                is_key = $11, supervisor_user_id = $12, disposal = $19, decline_reason = $20,
                submitted_at = CASE WHEN $13 THEN $14 ELSE submitted_at END,
                filed_at = CASE WHEN $15 THEN $14 ELSE filed_at END,
                closed_at = CASE WHEN $16 THEN $14 ELSE closed_at END,
                version = version + 1, updated_at = $14
             WHERE id = $17 AND version = $18",
        )
        .bind(to.as_str())
        .bind(number)
        .bind(&label)
        .bind(row.merged_into.or(p.merged_into))
        .bind(row.assigned_at.or(p.assigned_at))
        .bind(row.deadline_at.or(p.deadline_at))
        .bind(row.reassignment_pending.unwrap_or(p.reassignment_pending))
        .bind(row.rehandled.unwrap_or(p.rehandled))
        .bind(&satisfaction)
        .bind(&comment)
        .bind(row.key.is_some() || p.is_key)
        .bind(row.key.or(p.supervisor_user_id))
        .bind(step == Step::Submit)
        .bind(now)
        .bind(step == Step::File)
        .bind(step == Step::Close)
        .bind(id)
        .bind(p.version)
        .bind(&disposal)
        .bind(&decline_reason)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n != 1 {
        return Err(StoreError::stale(p.version));
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: action.event(),
            record_type: "proposal",
            record_id: Some(id),
            changes,
            caller,
        },
    )
    .await?;
    load_tx(tx, id).await?.ok_or(StoreError::NotFound)
}

/// The API and audit name of a disposal.
pub fn disposal_code(d: Disposal) -> &'static str {
    match d {
        Disposal::ConvertToOpinion => "convert-to-opinion",
        Disposal::ForwardAsLetter => "forward-as-letter",
        Disposal::ReturnForRevision => "return-for-revision",
    }
}

/// Creates the public-opinion piece (社情民意信息) a declined proposal becomes,
/// linked to it, with its own audit event; returns its id.
async fn convert_to_opinion(
    tx: &mut Tx,
    caller: &Caller,
    p: &Proposal,
    now: i64,
) -> Result<i64, StoreError> {
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO opinions (committee_id, state, title, body, submitter_user_id, source_proposal_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(p.committee_id)
        .bind("submitted")
        .bind(&p.title)
        .bind(&p.body)
        .bind(p.proposer_user_id)
        .bind(p.id)
        .bind(now)
        .fetch_one(c)
        .await?
    });
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "opinion.create",
            record_type: "opinion",
            record_id: Some(id),
            changes: json!({"source_proposal_id": p.id, "title": p.title}),
            caller,
        },
    )
    .await?;
    Ok(id)
}

/// The public-opinion piece a proposal was converted into, if any.
pub async fn opinion_of(db: &Db, proposal_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_scalar("SELECT id FROM opinions WHERE source_proposal_id = $1")
            .bind(proposal_id)
            .fetch_optional(c)
            .await?
    }))
}

/// Merges `p` into the filed proposal `into`: its proposers become proposers
/// of the target, and the target's trail records what it absorbed.
async fn merge_into(
    tx: &mut Tx,
    caller: &Caller,
    p: &Proposal,
    into: i64,
) -> Result<(), StoreError> {
    let target = match load_tx(tx, into).await? {
        Some(t) if t.id != p.id && t.committee_id == p.committee_id => t,
        _ => return Err(StoreError::invalid("into", "not_found")),
    };
    if !matches!(
        target.state(),
        State::Filed | State::Assigned | State::InHandling | State::Answered
    ) {
        return Err(StoreError::invalid("into", "not_filed"));
    }
    let mut people: Vec<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT member_id FROM proposal_cosigners WHERE proposal_id = $1")
            .bind(p.id)
            .fetch_all(c)
            .await?
    });
    people.extend(p.lead_member_id);
    for m in people
        .into_iter()
        .filter(|m| Some(*m) != target.lead_member_id)
    {
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO proposal_cosigners (proposal_id, member_id, confirmed) VALUES ($1, $2, $3)
                 ON CONFLICT (proposal_id, member_id) DO NOTHING",
            )
            .bind(target.id)
            .bind(m)
            .bind(true)
            .execute(c)
            .await?
            .rows_affected()
        });
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(target.committee_id),
            action: "proposal.absorb",
            record_type: "proposal",
            record_id: Some(target.id),
            changes: json!({"merged": p.id}),
            caller,
        },
    )
    .await
    .map(|_| ())
}

/// An assigned unit as shown on a proposal's page.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AssignedUnit {
    pub unit_id: i64,
    pub unit_name: String,
    /// `lead` or `co`.
    pub role: String,
    pub answer_category: Option<String>,
    pub answer_text: Option<String>,
    pub answer_round: i64,
}

/// The units a proposal is assigned to, lead units first, with their answers.
pub async fn assigned_units(db: &Db, id: i64) -> Result<Vec<AssignedUnit>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
            "SELECT pu.unit_id, u.name AS unit_name, pu.role, pu.answer_category, pu.answer_text, pu.answer_round
             FROM proposal_units pu JOIN units u ON u.id = pu.unit_id WHERE pu.proposal_id = $1
             ORDER BY pu.role DESC, pu.unit_id",
        )
        .bind(id)
        .fetch_all(c)
        .await?
    }))
}

/// The units a proposal is assigned to: (unit id, role, answer category, answer round).
pub async fn units(
    db: &Db,
    id: i64,
) -> Result<Vec<(i64, String, Option<String>, i64)>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
            "SELECT unit_id, role, answer_category, answer_round FROM proposal_units WHERE proposal_id = $1 ORDER BY role DESC, unit_id",
        )
        .bind(id)
        .fetch_all(c)
        .await?
    }))
}

/// A co-signer confirms that they sign a joint proposal (联名); the proposal
/// can be submitted once every co-signer has.
pub async fn confirm_cosign(db: &Db, caller: &Caller, id: i64) -> Result<Proposal, StoreError> {
    let mut tx = db.begin().await?;
    let p = confirm_cosign_in(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(p)
}

/// [`confirm_cosign`] inside an open transaction.
pub async fn confirm_cosign_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
) -> Result<Proposal, StoreError> {
    let (p, part) = load_visible(tx, caller, id).await?;
    if part != Part::CoProposer {
        return Err(StoreError::Forbidden);
    }
    if p.state() != State::Draft {
        return Err(StoreError::refused(
            Refusal::WrongState(p.state()),
            State::as_str,
        ));
    }
    let member: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT c.member_id FROM proposal_cosigners c JOIN members m ON m.id = c.member_id
             WHERE c.proposal_id = $1 AND m.user_id = $2",
        )
        .bind(p.id)
        .bind(caller.actor.user_id)
        .fetch_one(c)
        .await?
    });
    let changed = on_tx!(tx, |c| {
        sqlx::query("UPDATE proposal_cosigners SET confirmed = $1 WHERE proposal_id = $2 AND member_id = $3 AND confirmed = $4")
            .bind(true)
            .bind(p.id)
            .bind(member)
            .bind(false)
            .execute(c)
            .await?
            .rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::Conflict {
            code: "already_confirmed",
            current: None,
        });
    }
    audit::append(
        tx,
        Change {
            committee_id: Some(p.committee_id),
            action: "proposal.confirm_cosign",
            record_type: "proposal",
            record_id: Some(p.id),
            changes: json!({"member_id": member}),
            caller,
        },
    )
    .await?;
    Ok(p)
}

/// The co-signers of a proposal by name, with whether each confirmed.
pub async fn cosigner_names(db: &Db, id: i64) -> Result<Vec<(String, bool)>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
            "SELECT m.name, c.confirmed FROM proposal_cosigners c JOIN members m ON m.id = c.member_id
             WHERE c.proposal_id = $1 ORDER BY m.id",
        )
        .bind(id)
        .fetch_all(c)
        .await?
    }))
}

/// Whether the user's co-signature of a proposal is confirmed (`None` when
/// the user is no co-signer).
pub async fn cosigner_confirmed(
    db: &Db,
    id: i64,
    user_id: i64,
) -> Result<Option<bool>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_scalar(
            "SELECT c.confirmed FROM proposal_cosigners c JOIN members m ON m.id = c.member_id
             WHERE c.proposal_id = $1 AND m.user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Filters of the proposal list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    pub committee_id: i64,
    pub state: Option<String>,
    pub category: Option<String>,
    pub term: Option<i64>,
    pub session: Option<i64>,
    pub unit_id: Option<i64>,
    pub key: Option<bool>,
    /// Matches the title.
    pub q: Option<String>,
    /// Drafted in this year (UTC+8).
    pub year: Option<i64>,
    pub proposer_user_id: Option<i64>,
    /// Past its answer deadline while still assigned or in handling (or, with false, not).
    pub overdue: Option<bool>,
    /// Still assigned or in handling, answer due within this many days.
    pub due_within_days: Option<i64>,
    /// Only these proposals: the hits of a full-text search (ids from our index).
    pub ids: Option<Vec<i64>>,
    /// `newest` (the default), `oldest`, `number`, `deadline` or `relevance`.
    pub sort: Option<String>,
}

/// The ORDER BY of a list's sort name.
fn order_of(sort: Option<&str>) -> Result<&'static str, StoreError> {
    Ok(match sort.unwrap_or("newest") {
        "newest" => "p.created_at DESC, p.id DESC",
        "oldest" => "p.created_at, p.id",
        // Filed proposals by their number in its series; unfiled ones last.
        "number" => "p.number IS NULL, p.term, p.session, p.number, p.id",
        // The most urgent deadline first; none last.
        "deadline" => "p.deadline_at IS NULL, p.deadline_at, p.id",
        // Search hits are listed by relevance where the index pages them itself;
        // with other filters, newest first.
        "relevance" => "p.created_at DESC, p.id DESC",
        _ => return Err(StoreError::invalid("sort", "invalid_choice")),
    })
}

/// The first moment of a year in UTC+8, in stored form.
fn year_start(year: i64) -> i64 {
    let start =
        time::Date::from_calendar_date(year.clamp(1970, 9999) as i32, time::Month::January, 1)
            .map(|d| d.midnight().assume_utc().unix_timestamp())
            .unwrap_or(0);
    (start - 8 * 3600) * 1_000_000
}

/// Counts of a committee's submitted proposals for the proposals office.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// Submitted, review not started.
    pub to_review: i64,
    /// Under review.
    pub reviewing: i64,
    /// Filed and not yet assigned.
    pub to_assign: i64,
    /// Assigned or in handling, answer due within 14 days.
    pub due_soon: i64,
    /// Assigned or in handling, past the deadline.
    pub overdue: i64,
    /// Evaluated and waiting to be closed.
    pub to_close: i64,
}

/// What the proposals office of a committee has to do.
pub async fn counts(db: &Db, committee_id: i64) -> Result<Counts, StoreError> {
    let now = crate::clock::now();
    let soon = now + 14 * 86_400_000_000;
    // Two reads that the index on (committee, state, deadline) answers alone:
    // one that summed over every row of the committee read each proposal.
    let by_state: Vec<(String, i64)> = on_db!(db, |c| {
        sqlx::query_as(
            "SELECT state, COUNT(*) FROM proposals
             WHERE committee_id = $1 AND state IN ('submitted', 'under_review', 'filed', 'evaluated')
             GROUP BY state",
        )
        .bind(committee_id)
        .fetch_all(c)
        .await?
    });
    let (due_soon, overdue): (i64, i64) = on_db!(db, |c| {
        sqlx::query_as(
            "SELECT COUNT(CASE WHEN deadline_at >= $2 AND deadline_at < $3 THEN 1 END),
                    COUNT(CASE WHEN deadline_at < $2 THEN 1 END)
             FROM proposals WHERE committee_id = $1 AND state IN ('assigned', 'in_handling')",
        )
        .bind(committee_id)
        .bind(now)
        .bind(soon)
        .fetch_one(c)
        .await?
    });
    let of = |state: &str| {
        by_state
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    };
    Ok(Counts {
        to_review: of("submitted"),
        reviewing: of("under_review"),
        to_assign: of("filed"),
        due_soon,
        overdue,
        to_close: of("evaluated"),
    })
}

/// The proposals of a committee the caller may see, newest first: their own
/// and those they co-signed in any state; once submitted, all of them for the
/// proposals office, admins and leaders, the supervised ones for their
/// leader, and the assigned ones for the units' officers.
pub async fn list(
    db: &Db,
    caller: &Caller,
    f: &ProposalFilter,
    page: crate::page::PageRequest,
) -> Result<crate::page::Page<std::sync::Arc<Proposal>>, StoreError> {
    let scope = committees::scope(db, f.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    let a = &caller.actor;
    let oversees = oversees_in(caller, &scope, f.committee_id);
    let order = order_of(f.sort.as_deref())?;
    // Only the filters given become SQL, so that the indexes serve them.
    let mut w = Where::default();
    let committee = w.arg(Arg::I(f.committee_id));
    w.and(format!("p.committee_id = {committee}"));
    let user = w.arg(Arg::I(if caller.is_system() { 0 } else { a.user_id }));
    // Who sees what: their own and co-signed ones always; the proposals office,
    // admins and leaders everything submitted; supervisors their key ones; unit
    // officers what their units were assigned (unit ids from their grants).
    let mut seen = vec![
        format!("p.proposer_user_id = {user}"),
        format!(
            "(p.state = 'draft' AND EXISTS (SELECT 1 FROM proposal_cosigners c JOIN members m ON m.id = c.member_id WHERE c.proposal_id = p.id AND m.user_id = {user}))"
        ),
    ];
    let drafts_filtered_out = f.state.as_deref().is_some_and(|s| s != "draft");
    if oversees && drafts_filtered_out {
        // Everything but drafts is visible and drafts are not asked for: no
        // clause, so that an index on (committee, state, date) answers alone.
        seen.clear();
    } else if oversees {
        seen.push("p.state <> 'draft'".into());
    } else {
        seen.push(format!("(p.state <> 'draft' AND EXISTS (SELECT 1 FROM proposal_cosigners c JOIN members m ON m.id = c.member_id WHERE c.proposal_id = p.id AND m.user_id = {user}))"));
        seen.push(format!(
            "(p.state <> 'draft' AND p.supervisor_user_id = {user})"
        ));
        let units: Vec<String> = a
            .grants
            .iter()
            .filter(|g| g.role == Role::UnitOfficer && g.committee_id == f.committee_id)
            .filter_map(|g| g.unit_id)
            .map(|u| u.to_string())
            .collect();
        if !units.is_empty() {
            seen.push(format!(
                "(p.state <> 'draft' AND EXISTS (SELECT 1 FROM proposal_units pu WHERE pu.proposal_id = p.id AND pu.unit_id IN ({})))",
                units.join(",")
            ));
        }
    }
    if !seen.is_empty() {
        w.and(format!("({})", seen.join(" OR ")));
    }
    // Search hits are integers from our own index, never request text.
    match &f.ids {
        None => {}
        Some(ids) if ids.is_empty() => w.and("1 = 0".into()),
        Some(ids) => w.and(format!(
            "p.id IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        )),
    }
    if let Some(v) = &f.state {
        let x = w.arg(Arg::S(v.clone()));
        w.and(format!("p.state = {x}"));
    }
    if let Some(v) = &f.category {
        let x = w.arg(Arg::S(v.clone()));
        w.and(format!("p.category = {x}"));
    }
    if let Some(v) = f.term {
        let x = w.arg(Arg::I(v));
        w.and(format!("p.term = {x}"));
    }
    if let Some(v) = f.session {
        let x = w.arg(Arg::I(v));
        w.and(format!("p.session = {x}"));
    }
    if let Some(v) = f.key {
        let x = w.arg(Arg::B(v));
        w.and(format!("p.is_key = {x}"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let x = w.arg(Arg::S(crate::like::contains(q)));
        w.and(format!("lower(p.title) LIKE {x} ESCAPE '\\'"));
    }
    if let Some(v) = f.unit_id {
        let x = w.arg(Arg::I(v));
        w.and(format!(
            "EXISTS (SELECT 1 FROM proposal_units u2 WHERE u2.proposal_id = p.id AND u2.unit_id = {x})"
        ));
    }
    // A year is counted in the committee's local time (UTC+8).
    if let Some(y) = f.year {
        let from = w.arg(Arg::I(year_start(y)));
        let until = w.arg(Arg::I(year_start(y + 1)));
        w.and(format!("p.created_at >= {from} AND p.created_at < {until}"));
    }
    if let Some(v) = f.proposer_user_id {
        let x = w.arg(Arg::I(v));
        w.and(format!("p.proposer_user_id = {x}"));
    }
    let now = crate::clock::now();
    if let Some(overdue) = f.overdue {
        let x = w.arg(Arg::I(now));
        let open = format!("(p.state IN ('assigned', 'in_handling') AND p.deadline_at < {x})");
        w.and(if overdue { open } else { format!("NOT {open}") });
    }
    if let Some(d) = f.due_within_days {
        let from = w.arg(Arg::I(now));
        let until = w.arg(Arg::I(now + d.clamp(0, 366) * 86_400_000_000));
        w.and(format!(
            "p.state IN ('assigned', 'in_handling') AND p.deadline_at >= {from} AND p.deadline_at < {until}"
        ));
    }
    let filter = w.clauses.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM proposals p WHERE {filter}");
    let limit = w.arg(Arg::I(page.per_page));
    let offset = w.arg(Arg::I(page.offset()));
    let list_sql = format!(
        "SELECT p.* FROM proposals p WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    let count_args = &w.args[..w.args.len() - 2];
    let key = cache_key("proposals.list", &list_sql, &w.args);
    let source: std::sync::Arc<str> = key.as_str().into();
    let found = db
        .cached(key, || async {
            Ok(on_db!(db, |c| {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()));
                for arg in count_args {
                    q = match arg {
                        Arg::I(v) => q.bind(*v),
                        Arg::S(v) => q.bind(v.clone()),
                        Arg::B(v) => q.bind(*v),
                    };
                }
                let total: i64 = q.fetch_one(c).await?;
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()));
                for arg in &w.args {
                    q = match arg {
                        Arg::I(v) => q.bind(*v),
                        Arg::S(v) => q.bind(v.clone()),
                        Arg::B(v) => q.bind(*v),
                    };
                }
                let items: Vec<Proposal> = q.fetch_all(c).await?;
                // Kept shared: a page served from the cache hands out its
                // rows without copying their texts.
                let items: Vec<std::sync::Arc<Proposal>> =
                    items.into_iter().map(std::sync::Arc::new).collect();
                (total, items)
            }))
        })
        .await?;
    let (total, items) = (found.0, found.1.clone());
    Ok(crate::page::Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
        source: Some(source),
    })
}

/// Whether the caller sees every submitted proposal of the committee: the
/// proposals office, its admins and leaders.
fn oversees_in(caller: &Caller, scope: &domain::platform::Scope, committee_id: i64) -> bool {
    caller.may(Permission::Administer, scope)
        || caller.actor.holds(Role::Leader, committee_id)
        || caller.works_in(Office::Proposals, committee_id)
}

/// [`oversees_in`] for a committee by id; a committee the caller may not
/// read answers 404.
pub async fn oversees(db: &Db, caller: &Caller, committee_id: i64) -> Result<bool, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    Ok(oversees_in(caller, &scope, committee_id))
}

/// The committee's proposals with these ids (from our own search index), in
/// the order given.
pub async fn by_ids(db: &Db, committee_id: i64, ids: &[i64]) -> Result<Vec<Proposal>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT * FROM proposals WHERE committee_id = $1 AND id IN ({list})");
    let rows = db
        .cached(
            format!("proposals.by_ids\u{1f}{sql}\u{1f}{committee_id}"),
            || async {
                Ok(on_db!(db, |c| {
                    sqlx::query_as::<_, Proposal>(sqlx::AssertSqlSafe(sql.clone()))
                        .bind(committee_id)
                        .fetch_all(c)
                        .await?
                }))
            },
        )
        .await?;
    let by_id: std::collections::HashMap<i64, &Proposal> = rows.iter().map(|p| (p.id, p)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.get(id).map(|p| (*p).clone()))
        .collect())
}

/// A bound value of a built query.
#[derive(Debug)]
enum Arg {
    I(i64),
    S(String),
    B(bool),
}

/// The read cache's key of a built query: its name, its text and its values,
/// each value tagged with its kind and each string with its length, so that
/// no two different queries share a key. (Written by hand: formatting the
/// values with `{:?}` was a few per cent of a cached list page's time.)
fn cache_key(name: &str, sql: &str, args: &[Arg]) -> String {
    use std::fmt::Write;
    let mut key = String::with_capacity(name.len() + sql.len() + 2 + 12 * args.len());
    key.push_str(name);
    key.push('\u{1f}');
    key.push_str(sql);
    for a in args {
        key.push('\u{1f}');
        // Writing to a String cannot fail.
        let _ = match a {
            Arg::I(v) => write!(key, "i{v}"),
            Arg::S(v) => write!(key, "s{}:{v}", v.len()),
            Arg::B(v) => write!(key, "b{}", u8::from(*v)),
        };
    }
    key
}

/// The WHERE clauses of a query built from the filters given, with their
/// values bound in order as `$1`, `$2`, ...
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// Binds a value; answers its placeholder.
    fn arg(&mut self, a: Arg) -> String {
        use std::fmt::Write;
        self.args.push(a);
        let mut placeholder = String::with_capacity(4);
        placeholder.push('$');
        let _ = write!(placeholder, "{}", self.args.len());
        placeholder
    }
    fn and(&mut self, clause: String) {
        self.clauses.push(clause);
    }
}

/// The condition of a proposal the public may read: closed, and its proposer
/// agreed to publication.
const PUBLISHED: &str = "p.state = 'closed' AND p.publish_consent = $1";

/// Closed proposals whose proposers agreed to publication, newest first: the
/// public page of answers. No sign-in is needed, so nothing else is shown.
pub async fn published(
    db: &Db,
    q: Option<&str>,
    page: crate::page::PageRequest,
) -> Result<crate::page::Page<Proposal>, StoreError> {
    let like = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(crate::like::contains);
    let filter = format!("{PUBLISHED} AND ($2 IS NULL OR lower(p.title) LIKE $2 ESCAPE '\\')");
    let count_sql = format!("SELECT COUNT(*) FROM proposals p WHERE {filter}");
    let list_sql = format!(
        "SELECT p.* FROM proposals p WHERE {filter} ORDER BY p.closed_at DESC, p.id DESC LIMIT $3 OFFSET $4"
    );
    let (total, items) = on_db!(db, |c| {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
            .bind(true)
            .bind(&like)
            .fetch_one(c)
            .await?;
        let items: Vec<Proposal> = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()))
            .bind(true)
            .bind(&like)
            .bind(page.per_page)
            .bind(page.offset())
            .fetch_all(c)
            .await?;
        (total, items)
    });
    Ok(page.of(items, total))
}

/// One published proposal; not found unless it is closed and may be published.
pub async fn published_one(db: &Db, id: i64) -> Result<Proposal, StoreError> {
    let sql = format!("SELECT p.* FROM proposals p WHERE p.id = $2 AND {PUBLISHED}");
    let found: Option<Proposal> = on_db!(db, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(true)
            .bind(id)
            .fetch_optional(c)
            .await?
    });
    found.ok_or(StoreError::NotFound)
}

/// The member ids of a proposal's co-signers, with whether each confirmed.
pub async fn cosigners(db: &Db, id: i64) -> Result<Vec<(i64, bool)>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_as("SELECT member_id, confirmed FROM proposal_cosigners WHERE proposal_id = $1 ORDER BY member_id")
            .bind(id)
            .fetch_all(c)
            .await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_tell_every_query_apart() {
        let sql = "SELECT 1 WHERE a = $1";
        let keys = [
            cache_key("q", sql, &[Arg::S("a\u{1f}i1".into())]),
            cache_key("q", sql, &[Arg::S("a".into()), Arg::I(1)]),
            cache_key("q", sql, &[Arg::S("1".into())]),
            cache_key("q", sql, &[Arg::I(1)]),
            cache_key("q", sql, &[Arg::B(true)]),
            cache_key("q", sql, &[Arg::B(false)]),
            cache_key("q", sql, &[Arg::I(-1)]),
            cache_key("q", sql, &[]),
            cache_key("r", sql, &[Arg::I(1)]),
        ];
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:?}");
        assert_eq!(
            cache_key("q", sql, &[Arg::I(7)]),
            cache_key("q", sql, &[Arg::I(7)])
        );
    }

    #[test]
    fn drafts_are_private_to_their_proposers() {
        for part in Part::ALL {
            let seen = may_read(part, State::Draft, true);
            assert_eq!(
                seen,
                matches!(part, Part::Proposer | Part::CoProposer),
                "{part:?}"
            );
        }
        assert!(may_read(Part::Staff, State::Submitted, false));
        assert!(
            may_read(Part::Other, State::Filed, true),
            "the committee's admins and leaders"
        );
        assert!(!may_read(Part::Other, State::Filed, false));
    }
}

/// A proposal in a few words: for lists of similar proposals.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Brief {
    pub id: i64,
    pub title: String,
    pub number_label: Option<String>,
    pub state: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String)]
    pub created_at: i64,
}

impl Brief {
    /// Whether another proposal may be merged into this one.
    pub fn absorbs(&self) -> bool {
        matches!(
            State::parse(&self.state),
            Some(State::Filed | State::Assigned | State::InHandling | State::Answered)
        )
    }
}

/// The committee's proposals with these ids (ids from our own search index),
/// in the order given; missing ones are left out.
pub async fn briefs(db: &Db, committee_id: i64, ids: &[i64]) -> Result<Vec<Brief>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT id, title, number_label, state, created_at FROM proposals WHERE committee_id = $1 AND id IN ({list})"
    );
    let rows: Vec<Brief> = on_db!(db, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(committee_id)
            .fetch_all(c)
            .await?
    });
    let mut by_id: std::collections::HashMap<i64, Brief> =
        rows.into_iter().map(|b| (b.id, b)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// What exports and documents show of a proposal beyond its row.
#[derive(Debug, Clone, Default)]
pub struct Details {
    /// The proposer's name, and for a collective proposal the body's.
    pub proposer: String,
    pub collective: Option<String>,
    /// Co-signers' names.
    pub cosigners: Vec<String>,
    /// The assigned units with their answers, lead units first.
    pub units: Vec<AssignedUnit>,
}

/// [`Details`] of many proposals in a few queries (ids from a list the caller
/// was allowed to see).
pub async fn details(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Details>, StoreError> {
    let mut out: std::collections::HashMap<i64, Details> = Default::default();
    for chunk in ids.chunks(500) {
        // Integers from our own rows, never request text.
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let people: Vec<(i64, String, Option<String>)> = on_db!(db, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT p.id, u.display_name,
                    CASE p.collective_kind
                        WHEN 'party' THEN (SELECT name FROM parties WHERE id = p.collective_id)
                        WHEN 'sector' THEN (SELECT name FROM sectors WHERE id = p.collective_id)
                        WHEN 'special_committee' THEN (SELECT name FROM special_committees WHERE id = p.collective_id)
                    END
                 FROM proposals p JOIN users u ON u.id = p.proposer_user_id WHERE p.id IN ({list})"
            )))
            .fetch_all(c)
            .await?
        });
        for (id, proposer, collective) in people {
            let d = out.entry(id).or_default();
            d.proposer = proposer;
            d.collective = collective;
        }
        let cosigners: Vec<(i64, String)> = on_db!(db, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT c.proposal_id, m.name FROM proposal_cosigners c JOIN members m ON m.id = c.member_id
                 WHERE c.proposal_id IN ({list}) ORDER BY c.proposal_id, m.id"
            )))
            .fetch_all(c)
            .await?
        });
        for (id, name) in cosigners {
            out.entry(id).or_default().cosigners.push(name);
        }
        let units: Vec<(i64, AssignedUnit)> = on_db!(db, |c| {
            let rows: Vec<UnitRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT pu.proposal_id, pu.unit_id, u.name AS unit_name, pu.role, pu.answer_category, pu.answer_text, pu.answer_round
                 FROM proposal_units pu JOIN units u ON u.id = pu.unit_id WHERE pu.proposal_id IN ({list})
                 ORDER BY pu.proposal_id, pu.role DESC, pu.unit_id"
            )))
            .fetch_all(c)
            .await?;
            rows.into_iter().map(|r| (r.proposal_id, r.unit)).collect()
        });
        for (id, u) in units {
            out.entry(id).or_default().units.push(u);
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    proposal_id: i64,
    #[sqlx(flatten)]
    unit: AssignedUnit,
}

/// The member profile of a user in a committee, if any.
pub async fn member_of_user(
    db: &Db,
    user_id: i64,
    committee_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, |c| {
        sqlx::query_scalar("SELECT id FROM members WHERE user_id = $1 AND committee_id = $2")
            .bind(user_id)
            .bind(committee_id)
            .fetch_optional(c)
            .await?
    }))
}
