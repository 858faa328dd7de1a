//! Proposals (提案): drafts, submission, review, filing with a number, and
//! merging. Every step goes through `domain::proposals::transition`, so the
//! rules live in one place; this module supplies the facts and the effects.

use crate::Caller;
use crate::audit::{self, Change};
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::platform::{bodies, committees};
use domain::platform::{BodyKind, Office, Permission, Role};
use domain::proposals::{
    self as rules, CollectiveKind, Facts, Part, ProposalInput, Refusal, State, Step,
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

/// The steps this module carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStep {
    Submit,
    Withdraw,
    StartReview,
    File,
    /// Merge into the filed proposal with this id.
    Merge {
        into: i64,
    },
}

impl ReviewStep {
    fn step(self) -> Step {
        match self {
            ReviewStep::Submit => Step::Submit,
            ReviewStep::Withdraw => Step::Withdraw,
            ReviewStep::StartReview => Step::StartReview,
            ReviewStep::File => Step::File,
            ReviewStep::Merge { .. } => Step::Merge,
        }
    }
}

fn refusal(r: Refusal) -> StoreError {
    match r {
        Refusal::Forbidden => StoreError::Forbidden,
        Refusal::WrongState(s) => StoreError::Conflict {
            code: "wrong_state",
            current: Some(s.as_str().to_string()),
        },
        Refusal::Conflict(code) => StoreError::Conflict {
            code,
            current: None,
        },
    }
}

/// The part the caller plays for a proposal.
async fn part_of(tx: &mut Tx, caller: &Caller, p: &Proposal) -> Result<Part, StoreError> {
    let a = &caller.actor;
    if !caller.is_system() && p.proposer_user_id == a.user_id {
        return Ok(Part::Proposer);
    }
    let staff = caller.is_system()
        || a.grants.iter().any(|g| {
            g.role == Role::Staff
                && g.committee_id == p.committee_id
                && g.offices.contains(&Office::Proposals)
        });
    if staff {
        return Ok(Part::Staff);
    }
    if p.supervisor_user_id == Some(a.user_id) {
        return Ok(Part::Supervisor);
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
async fn load_visible(
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
    let mut tx = db.begin().await?;
    let (p, _) = load_visible(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(p)
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
        return Err(refusal(Refusal::WrongState(old.state())));
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

/// Takes a review step: submit, withdraw, start the review, file (with its
/// number) or merge into a filed proposal.
pub async fn act(
    db: &Db,
    caller: &Caller,
    id: i64,
    step: ReviewStep,
    expected: Option<i64>,
) -> Result<Proposal, StoreError> {
    let mut tx = db.begin().await?;
    let (p, part) = load_visible(&mut tx, caller, id).await?;
    let to = rules::transition(p.state(), step.step(), part, &p.facts()).map_err(refusal)?;
    if expected.is_some_and(|v| v != p.version) {
        return Err(StoreError::stale(p.version));
    }
    let now = crate::clock::now();
    let mut changes = json!({"state": [p.state, to.as_str()]});
    let (mut number, mut label, mut merged_into) =
        (p.number, p.number_label.clone(), p.merged_into);
    match step {
        ReviewStep::File => {
            let n = next_number(&mut tx, p.committee_id, p.term, p.session).await?;
            let l = rules::number_label(p.term, p.session, n);
            changes["number"] = json!(l);
            (number, label) = (Some(n), Some(l));
        }
        ReviewStep::Merge { into } => {
            let target = load_tx(&mut tx, into).await?;
            let target = match target {
                Some(t) if t.id != p.id && t.committee_id == p.committee_id => t,
                _ => return Err(StoreError::invalid("into", "not_found")),
            };
            if !matches!(
                target.state(),
                State::Filed | State::Assigned | State::InHandling | State::Answered
            ) {
                return Err(StoreError::invalid("into", "not_filed"));
            }
            // The proposers of the merged proposal become proposers of the target.
            let mut people: Vec<i64> = on_tx!(&mut tx, |c| {
                sqlx::query_scalar(
                    "SELECT member_id FROM proposal_cosigners WHERE proposal_id = $1",
                )
                .bind(p.id)
                .fetch_all(c)
                .await?
            });
            people.extend(p.lead_member_id);
            for m in people
                .into_iter()
                .filter(|m| Some(*m) != target.lead_member_id)
            {
                on_tx!(&mut tx, |c| {
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
                &mut tx,
                Change {
                    committee_id: Some(target.committee_id),
                    action: "proposal.absorb",
                    record_type: "proposal",
                    record_id: Some(target.id),
                    changes: json!({"merged": p.id}),
                    caller,
                },
            )
            .await?;
            changes["merged_into"] = json!(into);
            merged_into = Some(into);
        }
        ReviewStep::Submit | ReviewStep::Withdraw | ReviewStep::StartReview => {}
    }
    let n = on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE proposals SET state = $1, number = $2, number_label = $3, merged_into = $4,
                submitted_at = CASE WHEN $5 THEN $6 ELSE submitted_at END,
                filed_at = CASE WHEN $7 THEN $6 ELSE filed_at END,
                version = version + 1, updated_at = $6
             WHERE id = $8 AND version = $9",
        )
        .bind(to.as_str())
        .bind(number)
        .bind(&label)
        .bind(merged_into)
        .bind(step == ReviewStep::Submit)
        .bind(now)
        .bind(step == ReviewStep::File)
        .bind(id)
        .bind(p.version)
        .execute(c)
        .await?
        .rows_affected()
    });
    if n != 1 {
        return Err(StoreError::stale(p.version));
    }
    audit::append(
        &mut tx,
        Change {
            committee_id: Some(p.committee_id),
            action: match step {
                ReviewStep::Submit => "proposal.submit",
                ReviewStep::Withdraw => "proposal.withdraw",
                ReviewStep::StartReview => "proposal.start_review",
                ReviewStep::File => "proposal.file",
                ReviewStep::Merge { .. } => "proposal.merge",
            },
            record_type: "proposal",
            record_id: Some(id),
            changes,
            caller,
        },
    )
    .await?;
    let updated = load_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
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
