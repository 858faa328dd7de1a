//! Proposals (提案): the lifecycle of DOMAIN.md §1 as one pure state machine.
//!
//! Every step names who may take it (relative to the proposal: its proposer,
//! the proposals-office staff, an officer of an assigned unit, the leader
//! supervising it) and the states it may start from. [`transition`] answers
//! the state a step leads to, or why it is refused: the actor's part may never
//! take the step (403), or the proposal is not in a state the step starts
//! from (409, naming the state), or a fact of the proposal forbids it (409).

use crate::platform::string_enum;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Where a proposal is in its life.
    State {
        Draft = "draft",
        Submitted = "submitted",
        UnderReview = "under_review",
        Filed = "filed",
        /// Not filed (不予立案): converted to a public-opinion piece or forwarded as a letter.
        Declined = "declined",
        /// Merged (并案) into a filed proposal on the same matter.
        Merged = "merged",
        Assigned = "assigned",
        InHandling = "in_handling",
        Answered = "answered",
        Evaluated = "evaluated",
        Closed = "closed",
        Withdrawn = "withdrawn",
    }
}

/// A step of the lifecycle, named as in the API (`POST …/actions/{step}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Submit,
    Withdraw,
    StartReview,
    File,
    Decline,
    Merge,
    Assign,
    RequestReassignment,
    DecideReassignment,
    RecordConsultation,
    Answer,
    Evaluate,
    Close,
    MarkKey,
    RecordSupervision,
    ExtendDeadline,
}

impl Step {
    /// Every step.
    pub const ALL: [Step; 16] = [
        Step::Submit,
        Step::Withdraw,
        Step::StartReview,
        Step::File,
        Step::Decline,
        Step::Merge,
        Step::Assign,
        Step::RequestReassignment,
        Step::DecideReassignment,
        Step::RecordConsultation,
        Step::Answer,
        Step::Evaluate,
        Step::Close,
        Step::MarkKey,
        Step::RecordSupervision,
        Step::ExtendDeadline,
    ];

    /// The step's name in the API (kebab-case).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Withdraw => "withdraw",
            Step::StartReview => "start-review",
            Step::File => "file",
            Step::Decline => "decline",
            Step::Merge => "merge",
            Step::Assign => "assign",
            Step::RequestReassignment => "request-reassignment",
            Step::DecideReassignment => "decide-reassignment",
            Step::RecordConsultation => "record-consultation",
            Step::Answer => "answer",
            Step::Evaluate => "evaluate",
            Step::Close => "close",
            Step::MarkKey => "mark-key",
            Step::RecordSupervision => "record-supervision",
            Step::ExtendDeadline => "extend-deadline",
        }
    }

    /// Parses a step's API name.
    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.as_str() == s)
    }

    /// The parts that may take the step (in some state).
    pub fn takers(self) -> &'static [Part] {
        use Part::*;
        match self {
            Step::Submit | Step::Withdraw | Step::Evaluate => &[Proposer],
            Step::StartReview
            | Step::File
            | Step::Decline
            | Step::Merge
            | Step::Assign
            | Step::DecideReassignment
            | Step::Close
            | Step::MarkKey
            | Step::ExtendDeadline => &[Staff],
            Step::RequestReassignment | Step::RecordConsultation | Step::Answer => &[Unit],
            Step::RecordSupervision => &[Supervisor, Staff],
        }
    }
}

/// The part an actor plays for one proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The lead proposer (for a collective proposal, whoever acts for the body).
    Proposer,
    /// A co-signer of a joint proposal: reads it, takes no step of the lifecycle.
    CoProposer,
    /// Staff of the proposals office of the proposal's committee.
    Staff,
    /// An officer of a unit the proposal is assigned to.
    Unit,
    /// The leader named to supervise a key proposal.
    Supervisor,
    /// Anyone else.
    Other,
}

impl Part {
    /// Every part.
    pub const ALL: [Part; 6] = [
        Part::Proposer,
        Part::CoProposer,
        Part::Staff,
        Part::Unit,
        Part::Supervisor,
        Part::Other,
    ];
}

/// How a declined proposal is disposed of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disposal {
    /// 转社情民意: becomes a public-opinion piece, linked.
    ConvertToOpinion,
    /// 转来信: forwarded as a letter.
    ForwardAsLetter,
    /// 退回修改: back to the proposer as a draft.
    ReturnForRevision,
}

/// The proposer's evaluation of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    NotSatisfied,
}

/// What the machine must know of a proposal besides its state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// Chosen as a key proposal (重点提案).
    pub key: bool,
    /// A unit's request for reassignment awaits the staff's decision.
    pub reassignment_pending: bool,
    /// Handled a second time already after a "not satisfied".
    pub rehandled: bool,
    /// For an answer: other lead units of a split proposal have yet to answer.
    pub other_leads_pending: bool,
    /// For a submission: co-signers of a joint proposal have yet to confirm.
    pub cosigners_pending: bool,
    /// For a decline: how it is disposed of.
    pub disposal: Option<Disposal>,
    /// For an evaluation: the proposer's verdict.
    pub satisfaction: Option<Satisfaction>,
}

/// Why a step is refused; `S` is the state type of the machine (the other
/// areas' machines answer in the same terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal<S = State> {
    /// The actor's part may never take this step (403).
    Forbidden,
    /// The step does not start from the record's state (409, naming it).
    WrongState(S),
    /// A fact of the proposal forbids the step now (409, with a stable code).
    Conflict(&'static str),
}

/// The state a step leads to from `from`, taken by an actor playing `part`.
pub fn transition(from: State, step: Step, part: Part, facts: &Facts) -> Result<State, Refusal> {
    use State::*;
    if !step.takers().contains(&part) {
        return Err(Refusal::Forbidden);
    }
    let wrong = Err(Refusal::WrongState(from));
    match (step, from) {
        (Step::Submit, Draft) if facts.cosigners_pending => {
            Err(Refusal::Conflict("cosigners_unconfirmed"))
        }
        (Step::Submit, Draft) => Ok(Submitted),
        (Step::Withdraw, Draft | Submitted | UnderReview) => Ok(Withdrawn),
        (Step::StartReview, Submitted) => Ok(UnderReview),
        (Step::File, UnderReview) => Ok(Filed),
        (Step::Decline, UnderReview) => match facts.disposal {
            Some(Disposal::ReturnForRevision) => Ok(Draft),
            Some(_) => Ok(Declined),
            None => Err(Refusal::Conflict("disposal_required")),
        },
        (Step::Merge, UnderReview) => Ok(Merged),
        (Step::Assign, Filed) => Ok(Assigned),
        (Step::RequestReassignment, Assigned) if facts.reassignment_pending => {
            Err(Refusal::Conflict("reassignment_pending"))
        }
        (Step::RequestReassignment, Assigned) => Ok(Assigned),
        (Step::DecideReassignment, Assigned) if !facts.reassignment_pending => {
            Err(Refusal::Conflict("no_reassignment_request"))
        }
        (Step::DecideReassignment, Assigned) => Ok(Assigned),
        (Step::RecordConsultation, Assigned | InHandling) => Ok(InHandling),
        (Step::Answer, InHandling) if facts.other_leads_pending => Ok(InHandling),
        (Step::Answer, InHandling) => Ok(Answered),
        (Step::Evaluate, Answered) => match facts.satisfaction {
            Some(Satisfaction::NotSatisfied) if !facts.rehandled => Ok(InHandling),
            Some(_) => Ok(Evaluated),
            None => Err(Refusal::Conflict("satisfaction_required")),
        },
        (Step::Close, Evaluated) => Ok(Closed),
        (Step::MarkKey, Filed | Assigned | InHandling | Answered) if facts.key => {
            Err(Refusal::Conflict("already_key"))
        }
        (Step::MarkKey, Filed | Assigned | InHandling | Answered) => Ok(from),
        (Step::RecordSupervision, Assigned | InHandling | Answered | Evaluated) if !facts.key => {
            Err(Refusal::Conflict("not_key"))
        }
        (Step::RecordSupervision, Assigned | InHandling | Answered | Evaluated) => Ok(from),
        (Step::ExtendDeadline, Assigned | InHandling) => Ok(from),
        _ => wrong,
    }
}

string_enum! {
    /// The subject area of a proposal.
    Category {
        Economy = "economy",
        Agriculture = "agriculture",
        Society = "society",
        Culture = "culture",
        Education = "education",
        Health = "health",
        Ecology = "ecology",
        Governance = "governance",
        Other = "other",
    }
}

string_enum! {
    /// Who submits a proposal: one member, several jointly (联名), or a body (集体提案).
    Kind { Individual = "individual", Joint = "joint", Collective = "collective" }
}

string_enum! {
    /// The bodies that may submit a collective proposal.
    CollectiveKind { Party = "party", Sector = "sector", SpecialCommittee = "special_committee" }
}

string_enum! {
    /// The result category of an answer: A solved or basically solved, B being
    /// solved or planned, C cannot be solved now for stated reasons, D kept for reference.
    AnswerCategory { A = "A", B = "B", C = "C", D = "D" }
}

string_enum! {
    /// How a handling consultation with the proposer was held.
    ConsultationForm { Meeting = "meeting", Phone = "phone", SiteVisit = "site_visit", Forum = "forum" }
}

/// Months from assignment to the answer deadline, unless extended.
pub const DEFAULT_DEADLINE_MONTHS: i64 = 3;
/// The furthest a deadline may be extended, in months from assignment.
pub const MAX_DEADLINE_MONTHS: i64 = 6;
/// Days after assignment within which a unit may ask to be reassigned.
pub const REASSIGNMENT_WINDOW_DAYS: i64 = 10;
/// Longest answer, in characters.
pub const MAX_ANSWER: usize = 30_000;

/// Whether a text is a calendar date written `YYYY-MM-DD`.
pub fn is_valid_date(s: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    s.len() == 10 && time::Date::parse(s, &format).is_ok()
}

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest body, in characters.
pub const MAX_BODY: usize = 30_000;

/// A proposal as a member drafts it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProposalInput {
    pub title: String,
    pub body: String,
    pub category: String,
    pub kind: String,
    /// The committee term (届).
    pub term: Option<i64>,
    /// The plenary session (次会议) it is submitted at; 0 or none between sessions.
    pub session: Option<i64>,
    pub publish_consent: Option<bool>,
    /// Co-signers of a joint proposal (member ids).
    #[serde(default)]
    pub cosigner_ids: Vec<i64>,
    /// For a collective proposal: `party`, `sector` or `special_committee`, and which.
    pub collective_kind: Option<String>,
    pub collective_id: Option<i64>,
    /// Handling units the proposer suggests.
    #[serde(default)]
    pub suggested_unit_ids: Vec<i64>,
}

/// A validated draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalForm {
    pub title: String,
    pub body: String,
    pub category: Category,
    pub kind: Kind,
    pub term: i64,
    pub session: i64,
    pub publish_consent: bool,
    pub cosigner_ids: Vec<i64>,
    pub collective: Option<(CollectiveKind, i64)>,
    pub suggested_unit_ids: Vec<i64>,
}

impl ProposalInput {
    /// Checks the fields and that the proposers fit the kind.
    pub fn validate(&self) -> Result<ProposalForm, Vec<crate::validate::FieldError>> {
        let mut e = crate::validate::Errors::default();
        let title = e.required_text("title", &self.title, MAX_TITLE);
        let body = e.required_prose("body", &self.body, MAX_BODY);
        let category = Category::parse(self.category.trim());
        if category.is_none() {
            e.add("category", "invalid_choice");
        }
        let kind = Kind::parse(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "invalid_choice");
        }
        let term = self.term.unwrap_or(0);
        if self.term.is_none() {
            e.add("term", "required");
        } else {
            e.in_range("term", term, 1..=99);
        }
        let session = self.session.unwrap_or(0);
        e.in_range("session", session, 0..=9);
        let mut cosigners = self.cosigner_ids.clone();
        cosigners.sort_unstable();
        cosigners.dedup();
        let collective = match (
            self.collective_kind
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
            self.collective_id,
        ) {
            (Some(k), Some(id)) => match CollectiveKind::parse(k) {
                Some(k) => Some((k, id)),
                None => {
                    e.add("collective_kind", "invalid_choice");
                    None
                }
            },
            (None, None) => None,
            (Some(_), None) => {
                e.add("collective_id", "required");
                None
            }
            (None, Some(_)) => {
                e.add("collective_kind", "required");
                None
            }
        };
        match kind {
            Some(Kind::Individual) if !cosigners.is_empty() => {
                e.add("cosigner_ids", "not_for_kind")
            }
            Some(Kind::Joint) if cosigners.is_empty() => e.add("cosigner_ids", "required"),
            Some(Kind::Collective) if collective.is_none() && self.collective_kind.is_none() => {
                e.add("collective_kind", "required")
            }
            Some(Kind::Individual | Kind::Joint) if collective.is_some() => {
                e.add("collective_kind", "not_for_kind")
            }
            Some(Kind::Collective) if !cosigners.is_empty() => {
                e.add("cosigner_ids", "not_for_kind")
            }
            _ => {}
        }
        if cosigners.len() > 50 {
            e.add("cosigner_ids", "too_many");
        }
        let mut units = self.suggested_unit_ids.clone();
        units.sort_unstable();
        units.dedup();
        if units.len() > 10 {
            e.add("suggested_unit_ids", "too_many");
        }
        e.finish()?;
        Ok(ProposalForm {
            title,
            body,
            category: category.unwrap_or(Category::Other),
            kind: kind.unwrap_or(Kind::Individual),
            term,
            session,
            publish_consent: self.publish_consent.unwrap_or(false),
            cosigner_ids: cosigners,
            collective,
            suggested_unit_ids: units,
        })
    }
}

/// A number written in Chinese numerals (1 to 99), as in 第十三届.
pub fn chinese_numeral(n: i64) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n % 10 == 0 {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// The number of a filed proposal: `十三届二次-0123`, or `十三届平时-0012` for
/// one submitted between sessions.
pub fn number_label(term: i64, session: i64, number: i64) -> String {
    let session = if session == 0 {
        "平时".to_string()
    } else {
        format!("{}次", chinese_numeral(session))
    };
    format!("{}届{}-{:04}", chinese_numeral(term), session, number)
}

/// Whether a proposal in this state may still be edited by its proposer.
pub fn editable(state: State) -> bool {
    state == State::Draft
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    /// The lifecycle written out as data, independent of `transition`'s
    /// match: (step, part, from, to) for every allowed move with plain facts.
    const ALLOWED: &[(Step, Part, State, State)] = &[
        (Step::Submit, Part::Proposer, Draft, Submitted),
        (Step::Withdraw, Part::Proposer, Draft, Withdrawn),
        (Step::Withdraw, Part::Proposer, Submitted, Withdrawn),
        (Step::Withdraw, Part::Proposer, UnderReview, Withdrawn),
        (Step::StartReview, Part::Staff, Submitted, UnderReview),
        (Step::File, Part::Staff, UnderReview, Filed),
        (Step::Decline, Part::Staff, UnderReview, Declined),
        (Step::Merge, Part::Staff, UnderReview, Merged),
        (Step::Assign, Part::Staff, Filed, Assigned),
        (Step::RequestReassignment, Part::Unit, Assigned, Assigned),
        (Step::RecordConsultation, Part::Unit, Assigned, InHandling),
        (Step::RecordConsultation, Part::Unit, InHandling, InHandling),
        (Step::Answer, Part::Unit, InHandling, Answered),
        (Step::Evaluate, Part::Proposer, Answered, Evaluated),
        (Step::Close, Part::Staff, Evaluated, Closed),
        (Step::MarkKey, Part::Staff, Filed, Filed),
        (Step::MarkKey, Part::Staff, Assigned, Assigned),
        (Step::MarkKey, Part::Staff, InHandling, InHandling),
        (Step::MarkKey, Part::Staff, Answered, Answered),
        (Step::ExtendDeadline, Part::Staff, Assigned, Assigned),
        (Step::ExtendDeadline, Part::Staff, InHandling, InHandling),
    ];

    /// Facts under which the plain table holds: a declined proposal is
    /// forwarded as a letter, an evaluation is "satisfied".
    fn plain() -> Facts {
        Facts {
            disposal: Some(Disposal::ForwardAsLetter),
            satisfaction: Some(Satisfaction::Satisfied),
            ..Facts::default()
        }
    }

    #[test]
    fn every_state_step_and_part_is_allowed_or_refused_exactly() {
        let mut checked = 0;
        for from in State::ALL.iter().copied() {
            for step in Step::ALL {
                for part in Part::ALL {
                    let got = transition(from, step, part, &plain());
                    let allowed = ALLOWED
                        .iter()
                        .find(|(s, p, f, _)| *s == step && *p == part && *f == from);
                    let want = match allowed {
                        Some((_, _, _, to)) => Ok(*to),
                        None if !step.takers().contains(&part) => Err(Refusal::Forbidden),
                        None if step == Step::DecideReassignment && from == Assigned => {
                            Err(Refusal::Conflict("no_reassignment_request"))
                        }
                        None if step == Step::RecordSupervision
                            && matches!(from, Assigned | InHandling | Answered | Evaluated) =>
                        {
                            Err(Refusal::Conflict("not_key"))
                        }
                        None => Err(Refusal::WrongState(from)),
                    };
                    assert_eq!(got, want, "{from:?} --{}--> as {part:?}", step.as_str());
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 12 * 16 * 6);
    }

    #[test]
    fn supervision_is_for_key_proposals_by_their_leader_or_staff() {
        let key = Facts {
            key: true,
            ..plain()
        };
        for part in [Part::Supervisor, Part::Staff] {
            for from in [Assigned, InHandling, Answered, Evaluated] {
                assert_eq!(
                    transition(from, Step::RecordSupervision, part, &key),
                    Ok(from)
                );
            }
            assert_eq!(
                transition(Closed, Step::RecordSupervision, part, &key),
                Err(Refusal::WrongState(Closed))
            );
        }
        assert_eq!(
            transition(Assigned, Step::RecordSupervision, Part::Unit, &key),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            transition(Filed, Step::MarkKey, Part::Staff, &key),
            Err(Refusal::Conflict("already_key"))
        );
    }

    #[test]
    fn reassignment_is_asked_once_and_decided_once() {
        let pending = Facts {
            reassignment_pending: true,
            ..plain()
        };
        assert_eq!(
            transition(Assigned, Step::RequestReassignment, Part::Unit, &pending),
            Err(Refusal::Conflict("reassignment_pending"))
        );
        assert_eq!(
            transition(Assigned, Step::DecideReassignment, Part::Staff, &pending),
            Ok(Assigned)
        );
        assert_eq!(
            transition(InHandling, Step::RequestReassignment, Part::Unit, &plain()),
            Err(Refusal::WrongState(InHandling))
        );
    }

    #[test]
    fn declining_disposes_and_revision_returns_a_draft() {
        let d = |disposal| Facts {
            disposal,
            ..Facts::default()
        };
        assert_eq!(
            transition(
                UnderReview,
                Step::Decline,
                Part::Staff,
                &d(Some(Disposal::ConvertToOpinion))
            ),
            Ok(Declined)
        );
        assert_eq!(
            transition(
                UnderReview,
                Step::Decline,
                Part::Staff,
                &d(Some(Disposal::ReturnForRevision))
            ),
            Ok(Draft)
        );
        assert_eq!(
            transition(UnderReview, Step::Decline, Part::Staff, &d(None)),
            Err(Refusal::Conflict("disposal_required"))
        );
    }

    #[test]
    fn not_satisfied_reopens_handling_once() {
        let e = |satisfaction, rehandled| Facts {
            satisfaction,
            rehandled,
            ..Facts::default()
        };
        let not = Some(Satisfaction::NotSatisfied);
        assert_eq!(
            transition(Answered, Step::Evaluate, Part::Proposer, &e(not, false)),
            Ok(InHandling)
        );
        assert_eq!(
            transition(Answered, Step::Evaluate, Part::Proposer, &e(not, true)),
            Ok(Evaluated)
        );
        assert_eq!(
            transition(
                Answered,
                Step::Evaluate,
                Part::Proposer,
                &e(Some(Satisfaction::BasicallySatisfied), false)
            ),
            Ok(Evaluated)
        );
        assert_eq!(
            transition(Answered, Step::Evaluate, Part::Proposer, &e(None, false)),
            Err(Refusal::Conflict("satisfaction_required"))
        );
        assert_eq!(
            transition(Answered, Step::Evaluate, Part::CoProposer, &e(not, false)),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn a_joint_proposal_is_submitted_once_every_cosigner_confirmed() {
        let pending = Facts {
            cosigners_pending: true,
            ..plain()
        };
        assert_eq!(
            transition(Draft, Step::Submit, Part::Proposer, &pending),
            Err(Refusal::Conflict("cosigners_unconfirmed"))
        );
        assert_eq!(
            transition(Draft, Step::Submit, Part::Proposer, &plain()),
            Ok(Submitted)
        );
    }

    #[test]
    fn a_split_proposal_is_answered_when_every_lead_unit_has_answered() {
        let waiting = Facts {
            other_leads_pending: true,
            ..plain()
        };
        assert_eq!(
            transition(InHandling, Step::Answer, Part::Unit, &waiting),
            Ok(InHandling)
        );
        assert_eq!(
            transition(InHandling, Step::Answer, Part::Unit, &plain()),
            Ok(Answered)
        );
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_valid_date("2026-02-28"));
        assert!(!is_valid_date("2026-02-30"));
        assert!(!is_valid_date("2026-2-3"));
        assert!(!is_valid_date("明天"));
    }

    #[test]
    fn numbers_are_written_as_committees_write_them() {
        assert_eq!(number_label(13, 2, 123), "十三届二次-0123");
        assert_eq!(number_label(12, 0, 7), "十二届平时-0007");
        assert_eq!(number_label(20, 1, 1), "二十届一次-0001");
        assert_eq!(chinese_numeral(10), "十");
        assert_eq!(chinese_numeral(45), "四十五");
    }

    fn draft() -> ProposalInput {
        ProposalInput {
            title: "关于加快养老服务体系建设的建议".into(),
            body: "案由：……\n建议：一、……".into(),
            category: "society".into(),
            kind: "individual".into(),
            term: Some(13),
            session: Some(2),
            ..Default::default()
        }
    }

    #[test]
    fn drafts_are_checked_and_proposers_fit_the_kind() {
        let f = draft().validate().expect("valid");
        assert_eq!(
            (f.kind, f.category, f.session),
            (Kind::Individual, Category::Society, 2)
        );
        let codes = |i: ProposalInput| -> Vec<(&'static str, &'static str)> {
            i.validate()
                .expect_err("invalid")
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        assert_eq!(
            codes(ProposalInput {
                title: "字".repeat(201),
                body: " ".into(),
                category: "x".into(),
                ..draft()
            }),
            vec![
                ("title", "too_long"),
                ("body", "required"),
                ("category", "invalid_choice")
            ]
        );
        assert_eq!(
            codes(ProposalInput {
                body: "字".repeat(30_001),
                ..draft()
            }),
            vec![("body", "too_long")]
        );
        assert_eq!(
            codes(ProposalInput {
                kind: "joint".into(),
                ..draft()
            }),
            vec![("cosigner_ids", "required")]
        );
        assert_eq!(
            codes(ProposalInput {
                cosigner_ids: vec![3],
                ..draft()
            }),
            vec![("cosigner_ids", "not_for_kind")]
        );
        assert_eq!(
            codes(ProposalInput {
                kind: "collective".into(),
                ..draft()
            }),
            vec![("collective_kind", "required")]
        );
        assert_eq!(
            codes(ProposalInput {
                kind: "collective".into(),
                collective_kind: Some("club".into()),
                collective_id: Some(1),
                ..draft()
            }),
            vec![("collective_kind", "invalid_choice")]
        );
        assert_eq!(
            codes(ProposalInput {
                term: None,
                session: Some(12),
                ..draft()
            }),
            vec![("term", "required"), ("session", "out_of_range")]
        );
        let joint = ProposalInput {
            kind: "joint".into(),
            cosigner_ids: vec![5, 4, 5],
            ..draft()
        }
        .validate()
        .expect("valid");
        assert_eq!(joint.cosigner_ids, vec![4, 5]);
    }

    #[test]
    fn names_round_trip_and_only_drafts_are_editable() {
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        assert_eq!(Step::parse("fly"), None);
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(*s));
            assert_eq!(editable(*s), *s == Draft);
        }
    }
}
