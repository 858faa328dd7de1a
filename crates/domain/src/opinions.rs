//! Public-opinion information (社情民意信息): the life of a piece (DOMAIN.md §2)
//! and of a bulletin issue, as pure state machines.
//!
//! A piece is written by its sources (a member, a studio, a party ...), edited
//! by the information office, and adopted into an issue of the weekly bulletin,
//! declined with a reason, made into a proposal lead, or absorbed into a
//! combined (综合) piece. Once its bulletin has been reported, leaders'
//! instructions, departments' adoption and use in policy documents are
//! recorded on it. [`transition`] answers the state a step leads to, or why it
//! is refused, in the same terms as the proposals' machine.

use crate::platform::string_enum;
use crate::proposals::Refusal as ProposalRefusal;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Where a piece is in its life.
    State {
        /// Being written by its source; only they see it.
        Draft = "draft",
        Submitted = "submitted",
        /// The information office is editing it (编辑).
        Editing = "editing",
        /// Adopted (采用) into a bulletin issue.
        Adopted = "adopted",
        /// Not adopted, with a reason.
        Declined = "declined",
        /// Turned into a proposal lead (转提案线索): a linked proposal draft.
        ProposalLead = "proposal_lead",
        /// Absorbed into a combined (综合) piece, which keeps its sources.
        Combined = "combined",
        Withdrawn = "withdrawn",
    }
}

string_enum! {
    /// A step of a piece's life, named as in the API (`POST …/actions/{step}`).
    Step {
        Submit = "submit",
        Withdraw = "withdraw",
        StartEditing = "start-editing",
        Edit = "edit",
        Combine = "combine",
        Adopt = "adopt",
        Decline = "decline",
        MakeProposalLead = "make-proposal-lead",
        RecordInstruction = "record-instruction",
        RecordAdoption = "record-adoption",
        RecordUse = "record-use",
    }
}

/// The part an actor plays for one piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// Its writer: the member, or a member of the studio or group it came from.
    Source,
    /// Staff of the committee's information office.
    Staff,
    /// A leader of the committee: writes instructions.
    Leader,
    /// Anyone else.
    Other,
}

impl Part {
    /// Every part.
    pub const ALL: [Part; 4] = [Part::Source, Part::Staff, Part::Leader, Part::Other];
}

impl Step {
    /// The parts that may take the step (in some state).
    pub fn takers(self) -> &'static [Part] {
        match self {
            Step::Submit | Step::Withdraw => &[Part::Source],
            Step::StartEditing
            | Step::Edit
            | Step::Combine
            | Step::Adopt
            | Step::Decline
            | Step::MakeProposalLead
            | Step::RecordAdoption
            | Step::RecordUse => &[Part::Staff],
            // Staff record an instruction received on paper; a leader writes their own.
            Step::RecordInstruction => &[Part::Staff, Part::Leader],
        }
    }
}

/// What the machine must know of a piece besides its state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// For `combine`: this piece is absorbed into another (it becomes
    /// `combined`) rather than being the one that absorbs.
    pub absorbed: bool,
    /// For `adopt`: the chosen bulletin issue is already published.
    pub bulletin_published: bool,
    /// For outcomes: the piece's bulletin issue has been reported (报送).
    pub reported: bool,
}

/// Why a step is refused: the same three answers as for proposals.
pub type Refusal = ProposalRefusal<State>;

/// The state a step leads to from `from`, taken by an actor playing `part`.
pub fn transition(from: State, step: Step, part: Part, facts: &Facts) -> Result<State, Refusal> {
    use State::*;
    if !step.takers().contains(&part) {
        return Err(Refusal::Forbidden);
    }
    match (step, from) {
        (Step::Submit, Draft) => Ok(Submitted),
        (Step::Withdraw, Draft | Submitted) => Ok(Withdrawn),
        (Step::StartEditing, Submitted) => Ok(Editing),
        (Step::Edit, Editing) => Ok(Editing),
        (Step::Combine, Submitted | Editing) if facts.absorbed => Ok(Combined),
        (Step::Combine, Submitted | Editing) => Ok(Editing),
        (Step::Adopt, Editing) if facts.bulletin_published => {
            Err(Refusal::Conflict("bulletin_published"))
        }
        (Step::Adopt, Editing) => Ok(Adopted),
        (Step::Decline | Step::MakeProposalLead, Submitted | Editing) => Ok(match step {
            Step::Decline => Declined,
            _ => ProposalLead,
        }),
        (Step::RecordInstruction | Step::RecordAdoption | Step::RecordUse, Adopted)
            if !facts.reported =>
        {
            Err(Refusal::Conflict("not_reported"))
        }
        (Step::RecordInstruction | Step::RecordAdoption | Step::RecordUse, Adopted) => Ok(Adopted),
        _ => Err(Refusal::WrongState(from)),
    }
}

string_enum! {
    /// Where a bulletin issue is: open while it is assembled, then published
    /// (read-only) and reported to its recipients.
    BulletinState {
        Open = "open",
        Published = "published",
    }
}

string_enum! {
    /// A step of a bulletin issue.
    BulletinStep {
        Publish = "publish",
        Report = "report",
    }
}

/// The state a bulletin step leads to (staff of the information office only).
/// `pieces` is how many pieces the issue holds.
pub fn bulletin_transition(
    from: BulletinState,
    step: BulletinStep,
    part: Part,
    pieces: usize,
) -> Result<BulletinState, ProposalRefusal<BulletinState>> {
    use BulletinState::*;
    if part != Part::Staff {
        return Err(ProposalRefusal::Forbidden);
    }
    match (step, from) {
        (BulletinStep::Publish, Open) if pieces == 0 => {
            Err(ProposalRefusal::Conflict("empty_bulletin"))
        }
        (BulletinStep::Publish, Open) => Ok(Published),
        (BulletinStep::Report, Published) => Ok(Published),
        _ => Err(ProposalRefusal::WrongState(from)),
    }
}

string_enum! {
    /// Where a piece came from (one or more per piece, each kept).
    SourceKind {
        Member = "member",
        Studio = "studio",
        LiaisonGroup = "liaison_group",
        Party = "party",
        SpecialCommittee = "special_committee",
        Staff = "staff",
        /// A citizen, through a studio's public form.
        Citizen = "citizen",
    }
}

string_enum! {
    /// How urgent a piece is.
    Urgency {
        Normal = "normal",
        Urgent = "urgent",
        VeryUrgent = "very_urgent",
    }
}

string_enum! {
    /// The level of the leader who wrote an instruction (批示).
    LeaderLevel {
        National = "national",
        Provincial = "provincial",
        Municipal = "municipal",
        County = "county",
    }
}

string_enum! {
    /// A recipient a bulletin issue is reported to (报送).
    Recipient {
        /// The party committee (党委).
        PartyCommittee = "party_committee",
        /// The government (政府).
        Government = "government",
        /// The national committee, directly (直报全国政协).
        NationalDirect = "national_direct",
    }
}

/// A bulletin issue's name as printed: 2026年第18期.
pub fn issue_label(year: i32, number: i64) -> String {
    format!("{year}年第{number}期")
}

/// Longest title of a piece, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest body: a piece is short, a page or two.
pub const MAX_BODY: usize = 10_000;
/// Most sources one piece names.
pub const MAX_SOURCES: usize = 50;

/// One source as a form names it: a kind, and the member or body it is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct SourceInput {
    /// `member`, `studio`, `liaison_group`, `party`, `special_committee`, `staff` or `citizen`.
    pub kind: String,
    /// For `member`: the member.
    pub member_id: Option<i64>,
    /// For a studio, liaison group, party or special committee: which.
    pub body_id: Option<i64>,
}

/// A piece as its writer submits it (or staff rewrite it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct OpinionInput {
    pub title: String,
    pub body: String,
    /// The topic, one of the proposal categories (`economy`, `society` ...).
    pub category: String,
    /// The place it concerns (a county, a street ...), free text.
    #[serde(default)]
    pub region: String,
    /// `normal`, `urgent` or `very_urgent`.
    #[serde(default)]
    pub urgency: String,
    /// Its sources; the writer alone when none are named.
    #[serde(default)]
    pub sources: Vec<SourceInput>,
}

/// A validated source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub kind: SourceKind,
    pub member_id: Option<i64>,
    pub body_id: Option<i64>,
}

/// A validated piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionForm {
    pub title: String,
    pub body: String,
    pub category: crate::proposals::Category,
    pub region: String,
    pub urgency: Urgency,
    pub sources: Vec<Source>,
}

impl OpinionInput {
    /// Checks every field; sources must name what their kind needs, once each.
    pub fn validate(&self) -> Result<OpinionForm, Vec<crate::validate::FieldError>> {
        let mut e = crate::validate::Errors::default();
        let title = e.required_text("title", &self.title, MAX_TITLE);
        let body = e.required_prose("body", &self.body, MAX_BODY);
        let category = crate::proposals::Category::parse(self.category.trim());
        if category.is_none() {
            e.add("category", "invalid_choice");
        }
        let region = e.optional_text("region", Some(&self.region), 100);
        let urgency = e.choice("urgency", &self.urgency, Urgency::Normal, Urgency::parse);
        let mut sources = Vec::new();
        if self.sources.len() > MAX_SOURCES {
            e.add("sources", "too_many");
        }
        for s in self.sources.iter().take(MAX_SOURCES) {
            let Some(kind) = SourceKind::parse(s.kind.trim()) else {
                e.add("sources", "invalid_choice");
                continue;
            };
            let fits = match kind {
                SourceKind::Member => s.member_id.is_some() && s.body_id.is_none(),
                SourceKind::Studio
                | SourceKind::LiaisonGroup
                | SourceKind::Party
                | SourceKind::SpecialCommittee => s.body_id.is_some() && s.member_id.is_none(),
                // Staff and citizens are named by who records them, not by id.
                SourceKind::Staff | SourceKind::Citizen => {
                    s.body_id.is_none() && s.member_id.is_none()
                }
            };
            if !fits {
                e.add("sources", "invalid");
                continue;
            }
            let source = Source {
                kind,
                member_id: s.member_id,
                body_id: s.body_id,
            };
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        e.finish()?;
        Ok(OpinionForm {
            title,
            body,
            category: category.unwrap_or(crate::proposals::Category::Other),
            region: region.unwrap_or_default(),
            urgency,
            sources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    /// The life of a piece written out as data, independent of `transition`'s
    /// match: (step, part, from, to) for every allowed move with plain facts
    /// (the piece is the one that absorbs, its bulletin open and reported).
    const ALLOWED: &[(Step, Part, State, State)] = &[
        (Step::Submit, Part::Source, Draft, Submitted),
        (Step::Withdraw, Part::Source, Draft, Withdrawn),
        (Step::Withdraw, Part::Source, Submitted, Withdrawn),
        (Step::StartEditing, Part::Staff, Submitted, Editing),
        (Step::Edit, Part::Staff, Editing, Editing),
        (Step::Combine, Part::Staff, Submitted, Editing),
        (Step::Combine, Part::Staff, Editing, Editing),
        (Step::Adopt, Part::Staff, Editing, Adopted),
        (Step::Decline, Part::Staff, Submitted, Declined),
        (Step::Decline, Part::Staff, Editing, Declined),
        (Step::MakeProposalLead, Part::Staff, Submitted, ProposalLead),
        (Step::MakeProposalLead, Part::Staff, Editing, ProposalLead),
        (Step::RecordInstruction, Part::Staff, Adopted, Adopted),
        (Step::RecordInstruction, Part::Leader, Adopted, Adopted),
        (Step::RecordAdoption, Part::Staff, Adopted, Adopted),
        (Step::RecordUse, Part::Staff, Adopted, Adopted),
    ];

    fn plain() -> Facts {
        Facts {
            reported: true,
            ..Facts::default()
        }
    }

    #[test]
    fn every_state_step_and_part_is_allowed_or_refused_exactly() {
        let mut checked = 0;
        for from in State::ALL.iter().copied() {
            for step in Step::ALL.iter().copied() {
                for part in Part::ALL {
                    let got = transition(from, step, part, &plain());
                    let want = match ALLOWED
                        .iter()
                        .find(|(s, p, f, _)| *s == step && *p == part && *f == from)
                    {
                        Some((_, _, _, to)) => Ok(*to),
                        None if !step.takers().contains(&part) => Err(Refusal::Forbidden),
                        None => Err(Refusal::WrongState(from)),
                    };
                    assert_eq!(got, want, "{from:?} --{}--> as {part:?}", step.as_str());
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 8 * 11 * 4);
    }

    #[test]
    fn an_absorbed_piece_becomes_combined() {
        let absorbed = Facts {
            absorbed: true,
            ..plain()
        };
        for from in [Submitted, Editing] {
            assert_eq!(
                transition(from, Step::Combine, Part::Staff, &absorbed),
                Ok(Combined)
            );
        }
        for from in [Draft, Adopted, Declined, ProposalLead, Combined, Withdrawn] {
            assert_eq!(
                transition(from, Step::Combine, Part::Staff, &absorbed),
                Err(Refusal::WrongState(from)),
                "an adopted or closed piece cannot be combined"
            );
        }
    }

    #[test]
    fn nothing_is_adopted_into_a_published_bulletin() {
        let published = Facts {
            bulletin_published: true,
            ..plain()
        };
        assert_eq!(
            transition(Editing, Step::Adopt, Part::Staff, &published),
            Err(Refusal::Conflict("bulletin_published"))
        );
    }

    #[test]
    fn outcomes_wait_until_the_bulletin_is_reported() {
        let unreported = Facts::default();
        for step in [
            Step::RecordInstruction,
            Step::RecordAdoption,
            Step::RecordUse,
        ] {
            assert_eq!(
                transition(Adopted, step, Part::Staff, &unreported),
                Err(Refusal::Conflict("not_reported"))
            );
        }
        assert_eq!(
            transition(Adopted, Step::RecordInstruction, Part::Leader, &unreported),
            Err(Refusal::Conflict("not_reported"))
        );
    }

    #[test]
    fn every_bulletin_state_step_and_part() {
        use BulletinState::*;
        for from in BulletinState::ALL.iter().copied() {
            for step in BulletinStep::ALL.iter().copied() {
                for part in Part::ALL {
                    for pieces in [0, 3] {
                        let got = bulletin_transition(from, step, part, pieces);
                        let want = match (part, step, from) {
                            (p, _, _) if p != Part::Staff => Err(ProposalRefusal::Forbidden),
                            (_, BulletinStep::Publish, Open) if pieces == 0 => {
                                Err(ProposalRefusal::Conflict("empty_bulletin"))
                            }
                            (_, BulletinStep::Publish, Open) => Ok(Published),
                            (_, BulletinStep::Report, Published) => Ok(Published),
                            _ => Err(ProposalRefusal::WrongState(from)),
                        };
                        assert_eq!(got, want, "{from:?} --{}--> as {part:?}", step.as_str());
                    }
                }
            }
        }
    }

    fn input() -> OpinionInput {
        OpinionInput {
            title: "农村养老服务站缺护理员".into(),
            body: "多个村反映……".into(),
            category: "society".into(),
            ..OpinionInput::default()
        }
    }

    #[test]
    fn a_piece_needs_a_title_a_body_and_a_known_topic() {
        let f = input().validate().expect("valid");
        assert_eq!(f.urgency, Urgency::Normal);
        assert!(f.sources.is_empty());
        let bad = OpinionInput {
            title: " ".into(),
            body: "x".repeat(MAX_BODY + 1),
            category: "weather".into(),
            urgency: "soon".into(),
            ..input()
        }
        .validate()
        .expect_err("invalid");
        let fields: Vec<_> = bad.iter().map(|e| (e.field, e.code)).collect();
        assert!(fields.contains(&("title", "required")), "{fields:?}");
        assert!(fields.contains(&("body", "too_long")), "{fields:?}");
        assert!(fields.contains(&("category", "invalid_choice")));
        assert!(fields.contains(&("urgency", "invalid_choice")));
    }

    #[test]
    fn sources_name_what_their_kind_needs_once_each() {
        let member = SourceInput {
            kind: "member".into(),
            member_id: Some(7),
            body_id: None,
        };
        let studio = SourceInput {
            kind: "studio".into(),
            member_id: None,
            body_id: Some(3),
        };
        let f = OpinionInput {
            sources: vec![member.clone(), studio.clone(), member.clone()],
            ..input()
        }
        .validate()
        .expect("valid");
        assert_eq!(f.sources.len(), 2, "a repeated source counts once");
        for wrong in [
            SourceInput {
                body_id: Some(1),
                ..member.clone()
            },
            SourceInput {
                body_id: None,
                ..studio.clone()
            },
            SourceInput {
                kind: "rumour".into(),
                ..member.clone()
            },
        ] {
            assert!(
                OpinionInput {
                    sources: vec![wrong.clone()],
                    ..input()
                }
                .validate()
                .is_err(),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn issues_are_labelled_by_year_and_number() {
        assert_eq!(issue_label(2026, 18), "2026年第18期");
    }
}
