//! Consultation (协商议政), issue 5: the forms a consultation takes, its life
//! from kickoff to close as one pure state machine, and the rule every
//! step's date obeys. A step is refused in the same three ways as a
//! proposal's: the part may never take it (403), the consultation is not in
//! a state that allows it (409 naming the state), or a fact forbids it now
//! (409 with a code).

use crate::platform::string_enum;
use crate::proposals::Refusal as ProposalRefusal;
use serde::{Deserialize, Serialize};

string_enum! {
    /// The forms of consultation (DOMAIN.md §3).
    Form {
        /// 全体会议
        Plenary = "plenary",
        /// 专题议政性常委会议
        StandingCommitteeSession = "standing_committee_session",
        /// 专题协商会
        Thematic = "thematic",
        /// 界别协商
        Sector = "sector",
        /// 对口协商, with one department
        Counterpart = "counterpart",
        /// 提案办理协商
        ProposalHandling = "proposal_handling",
        /// 有事好商量 and other grassroots consultation
        Grassroots = "grassroots",
        /// 立法协商 on a draft regulation
        Legislative = "legislative",
        /// 网络议政
        Online = "online",
        /// 远程协商
        Remote = "remote",
        /// 专家协商
        Expert = "expert",
    }
}

string_enum! {
    /// Where a consultation is.
    State {
        /// On the plan, not yet started.
        Planned = "planned",
        /// Kicked off (开题会); research is under way.
        Researching = "researching",
        /// The draft report has gone to the participants.
        DraftCirculated = "draft_circulated",
        /// The consultation meeting was held.
        MeetingHeld = "meeting_held",
        /// The consultation report went to the party committee; outcomes are recorded.
        Reported = "reported",
        /// Participants were told what came of it; evaluators score it.
        FedBack = "fed_back",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// A step of a consultation, named as in the API (`POST …/actions/{step}`).
    Step {
        KickOff = "kick-off",
        RecordResearch = "record-research",
        CirculateDraft = "circulate-draft",
        HoldMeeting = "hold-meeting",
        SubmitReport = "submit-report",
        RecordOutcome = "record-outcome",
        GiveFeedback = "give-feedback",
        Evaluate = "evaluate",
        Close = "close",
        Cancel = "cancel",
    }
}

/// The part an actor plays for one consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// Staff of the committee's consultation office.
    Staff,
    /// A leader of the committee: records an instruction.
    Leader,
    /// One of the named evaluators of its quality.
    Evaluator,
    /// A participant (a member or an expert invited to it).
    Participant,
    /// Anyone else.
    Other,
}

impl Part {
    /// Every part.
    pub const ALL: [Part; 5] = [
        Part::Staff,
        Part::Leader,
        Part::Evaluator,
        Part::Participant,
        Part::Other,
    ];
}

impl Step {
    /// The parts that may take the step (in some state).
    pub fn takers(self) -> &'static [Part] {
        match self {
            // Staff record an instruction received on paper; a leader writes their own.
            Step::RecordOutcome => &[Part::Staff, Part::Leader],
            Step::Evaluate => &[Part::Evaluator],
            _ => &[Part::Staff],
        }
    }
}

/// What the machine must know of a consultation besides its state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// For `hold-meeting`: the draft reached the participants at least the
    /// set number of days before the meeting's date.
    pub draft_in_time: bool,
    /// For `close`: at least one evaluator has scored it.
    pub evaluated: bool,
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
        (Step::KickOff, Planned) => Ok(Researching),
        (Step::RecordResearch, Researching) => Ok(Researching),
        (Step::CirculateDraft, Researching) => Ok(DraftCirculated),
        (Step::HoldMeeting, DraftCirculated) if !facts.draft_in_time => {
            Err(Refusal::Conflict("draft_not_in_time"))
        }
        (Step::HoldMeeting, DraftCirculated) => Ok(MeetingHeld),
        (Step::SubmitReport, MeetingHeld) => Ok(Reported),
        (Step::RecordOutcome, Reported | FedBack) => Ok(from),
        // Most consultations (proposal handling, counterpart, grassroots …)
        // send no report to the party committee: participants hear what came
        // of the meeting directly.
        (Step::GiveFeedback, Reported | MeetingHeld) => Ok(FedBack),
        (Step::Evaluate, FedBack) => Ok(FedBack),
        (Step::Close, FedBack) if !facts.evaluated => Err(Refusal::Conflict("not_evaluated")),
        (Step::Close, FedBack) => Ok(Closed),
        // Once the meeting is held, what was said stays on record: no cancelling.
        (Step::Cancel, Planned | Researching | DraftCirculated) => Ok(Cancelled),
        _ => Err(Refusal::WrongState(from)),
    }
}

string_enum! {
    /// Where a year's consultation plan (年度协商计划) is.
    PlanState {
        /// Being drawn up: items are added and removed.
        Draft = "draft",
        /// Agreed with the party committee and the government, on a recorded day.
        Agreed = "agreed",
        /// Published to members: its items are carried out.
        Published = "published",
    }
}

string_enum! {
    /// A step of a plan.
    PlanStep {
        Agree = "agree",
        Publish = "publish",
    }
}

/// The state a plan step leads to (staff of the consultation office only);
/// `items` is how many items the plan holds.
pub fn plan_transition(
    from: PlanState,
    step: PlanStep,
    part: Part,
    items: usize,
) -> Result<PlanState, ProposalRefusal<PlanState>> {
    use PlanState::*;
    if part != Part::Staff {
        return Err(ProposalRefusal::Forbidden);
    }
    match (step, from) {
        (PlanStep::Agree, Draft) if items == 0 => Err(ProposalRefusal::Conflict("plan_empty")),
        (PlanStep::Agree, Draft) => Ok(Agreed),
        (PlanStep::Publish, Agreed) => Ok(Published),
        _ => Err(ProposalRefusal::WrongState(from)),
    }
}

/// Whether a plan in this state takes new items or loses old ones.
pub fn plan_items_editable(state: PlanState) -> bool {
    state == PlanState::Draft
}

/// Whether a plan's items may become consultations: once it is agreed.
pub fn plan_items_startable(state: PlanState) -> bool {
    matches!(state, PlanState::Agreed | PlanState::Published)
}

/// Why a step's date is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateProblem {
    /// After today.
    InFuture,
    /// Before the date of the step before it: dates never run backwards.
    BeforePrevious,
}

impl DateProblem {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            DateProblem::InFuture => "date_in_future",
            DateProblem::BeforePrevious => "date_before_previous",
        }
    }
}

/// Checks the date a step records (days as `YYYY-MM-DD`, which compare as
/// text): today by default; staff may give an earlier day, never a later
/// one, and never one before the consultation's last recorded step.
pub fn check_date(day: &str, today: &str, previous: Option<&str>) -> Result<(), DateProblem> {
    if day > today {
        return Err(DateProblem::InFuture);
    }
    if previous.is_some_and(|p| day < p) {
        return Err(DateProblem::BeforePrevious);
    }
    Ok(())
}

/// Days a draft must reach the participants before the meeting, at least.
pub const DEFAULT_DRAFT_DAYS: i64 = 3;

/// The default quality rubric (质量评价): each criterion with its weight
/// (the weights add up to 100). A committee may set its own (see
/// [`check_rubric`]). Each evaluator scores every criterion from 0 to
/// [`MAX_SCORE`].
pub const RUBRIC: [(&str, i64); 5] = [
    ("topic", 20),
    ("research", 20),
    ("suggestions", 30),
    ("adoption", 15),
    ("effect", 15),
];
/// The highest score of one criterion.
pub const MAX_SCORE: i64 = 10;
/// The most criteria a rubric may have.
pub const MAX_CRITERIA: usize = 10;

/// A criterion of a rubric: its key and its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub criterion: String,
    pub weight: i64,
}

/// The default rubric as criteria.
pub fn default_rubric() -> Vec<Criterion> {
    RUBRIC
        .iter()
        .map(|(c, w)| Criterion {
            criterion: (*c).to_string(),
            weight: *w,
        })
        .collect()
}

/// Checks a committee's own rubric: one to [`MAX_CRITERIA`] criteria, keys
/// of lower-case letters, digits and `_` (1–30), each once, weights from 1
/// and adding up to 100.
pub fn check_rubric(rubric: &[Criterion]) -> Result<(), Vec<crate::validate::FieldError>> {
    let mut e = crate::validate::Errors::default();
    if rubric.is_empty() {
        e.add("criteria", "required");
    }
    if rubric.len() > MAX_CRITERIA {
        e.add("criteria", "too_many");
    }
    let key_ok = |k: &str| {
        (1..=30).contains(&k.len())
            && k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if rubric.iter().any(|c| !key_ok(&c.criterion)) {
        e.add("criterion", "invalid_key");
    }
    let mut keys: Vec<&str> = rubric.iter().map(|c| c.criterion.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        e.add("criterion", "duplicate");
    }
    if rubric.iter().any(|c| c.weight < 1) {
        e.add("weight", "out_of_range");
    } else if !rubric.is_empty() && rubric.iter().map(|c| c.weight).sum::<i64>() != 100 {
        e.add("weight", "weights_not_100");
    }
    e.finish()
}

/// Checks one evaluator's scores against the rubric: every criterion once,
/// each within 0 to [`MAX_SCORE`]. Answers (criterion, score, weight) in
/// the rubric's order.
pub fn check_scores<'r>(
    rubric: &'r [Criterion],
    given: &[(String, i64)],
) -> Result<Vec<(&'r str, i64, i64)>, Vec<crate::validate::FieldError>> {
    let mut e = crate::validate::Errors::default();
    if given
        .iter()
        .any(|(c, _)| !rubric.iter().any(|r| &r.criterion == c))
    {
        e.add("scores", "invalid_choice");
    }
    let mut out = Vec::new();
    for r in rubric {
        let mine: Vec<i64> = given
            .iter()
            .filter(|(c, _)| *c == r.criterion)
            .map(|(_, s)| *s)
            .collect();
        match mine.as_slice() {
            [s] if (0..=MAX_SCORE).contains(s) => out.push((r.criterion.as_str(), *s, r.weight)),
            [_] => e.add("scores", "out_of_range"),
            _ => e.add("scores", "required"),
        }
    }
    e.finish()?;
    Ok(out)
}

/// The weighted score out of 100 of one evaluator's scores, each given as
/// (score, weight): the weights they were given under, so a later change of
/// the rubric does not rewrite a past evaluation.
pub fn weighted(scores: &[(i64, i64)]) -> f64 {
    let total: i64 = scores.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return 0.0;
    }
    let sum: i64 = scores.iter().map(|(s, w)| s * w).sum();
    // Out of 100 even if the weights (of an old rubric) did not add to 100.
    sum as f64 * 100.0 / (total * MAX_SCORE) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    /// The life of a consultation written out as data, independent of
    /// `transition`'s match: (step, part, from, to) for every allowed move
    /// with favourable facts (the draft in time, an evaluation given).
    const ALLOWED: &[(Step, Part, State, State)] = &[
        (Step::KickOff, Part::Staff, Planned, Researching),
        (Step::RecordResearch, Part::Staff, Researching, Researching),
        (
            Step::CirculateDraft,
            Part::Staff,
            Researching,
            DraftCirculated,
        ),
        (Step::HoldMeeting, Part::Staff, DraftCirculated, MeetingHeld),
        (Step::SubmitReport, Part::Staff, MeetingHeld, Reported),
        (Step::RecordOutcome, Part::Staff, Reported, Reported),
        (Step::RecordOutcome, Part::Leader, Reported, Reported),
        (Step::RecordOutcome, Part::Staff, FedBack, FedBack),
        (Step::RecordOutcome, Part::Leader, FedBack, FedBack),
        (Step::GiveFeedback, Part::Staff, Reported, FedBack),
        (Step::Evaluate, Part::Evaluator, FedBack, FedBack),
        (Step::GiveFeedback, Part::Staff, MeetingHeld, FedBack),
        (Step::Close, Part::Staff, FedBack, Closed),
        (Step::Cancel, Part::Staff, Planned, Cancelled),
        (Step::Cancel, Part::Staff, Researching, Cancelled),
        (Step::Cancel, Part::Staff, DraftCirculated, Cancelled),
    ];

    fn favourable() -> Facts {
        Facts {
            draft_in_time: true,
            evaluated: true,
        }
    }

    #[test]
    fn every_state_step_and_part_is_allowed_or_refused_exactly() {
        let mut checked = 0;
        for from in State::ALL.iter().copied() {
            for step in Step::ALL.iter().copied() {
                for part in Part::ALL {
                    let got = transition(from, step, part, &favourable());
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
        assert_eq!(checked, 8 * 10 * 5);
    }

    #[test]
    fn no_meeting_before_the_draft_was_circulated_in_time() {
        assert_eq!(
            transition(Researching, Step::HoldMeeting, Part::Staff, &favourable()),
            Err(Refusal::WrongState(Researching)),
            "not circulated at all"
        );
        let late = Facts {
            draft_in_time: false,
            ..favourable()
        };
        assert_eq!(
            transition(DraftCirculated, Step::HoldMeeting, Part::Staff, &late),
            Err(Refusal::Conflict("draft_not_in_time"))
        );
    }

    #[test]
    fn nothing_closes_unscored_and_nothing_held_is_cancelled() {
        let unscored = Facts {
            evaluated: false,
            ..favourable()
        };
        assert_eq!(
            transition(FedBack, Step::Close, Part::Staff, &unscored),
            Err(Refusal::Conflict("not_evaluated"))
        );
        for from in [MeetingHeld, Reported, FedBack, Closed, Cancelled] {
            assert_eq!(
                transition(from, Step::Cancel, Part::Staff, &favourable()),
                Err(Refusal::WrongState(from))
            );
        }
    }

    #[test]
    fn dates_are_not_in_the_future_and_never_run_backwards() {
        assert_eq!(check_date("2026-11-20", "2026-11-26", None), Ok(()));
        assert_eq!(
            check_date("2026-11-26", "2026-11-26", Some("2026-11-26")),
            Ok(())
        );
        assert_eq!(
            check_date("2026-11-27", "2026-11-26", None),
            Err(DateProblem::InFuture)
        );
        assert_eq!(
            check_date("2026-11-01", "2026-11-26", Some("2026-11-02")),
            Err(DateProblem::BeforePrevious)
        );
        assert_eq!(DateProblem::InFuture.code(), "date_in_future");
    }

    #[test]
    fn scores_cover_the_rubric_within_its_range_and_weigh_to_a_hundred() {
        let rubric = default_rubric();
        assert_eq!(check_rubric(&rubric), Ok(()));
        assert_eq!(RUBRIC.iter().map(|(_, w)| w).sum::<i64>(), 100);
        let all = |s: i64| -> Vec<(String, i64)> {
            RUBRIC.iter().map(|(c, _)| ((*c).to_string(), s)).collect()
        };
        let sw = |v: Vec<(&str, i64, i64)>| v.iter().map(|(_, s, w)| (*s, *w)).collect::<Vec<_>>();
        let full = check_scores(&rubric, &all(10)).expect("valid");
        assert!((weighted(&sw(full)) - 100.0).abs() < 1e-9);
        let half = check_scores(&rubric, &all(5)).expect("valid");
        assert!((weighted(&sw(half)) - 50.0).abs() < 1e-9);
        // Only the suggestions (weight 30) at full marks: 30.
        let mut some = all(0);
        some[2].1 = 10;
        let some = check_scores(&rubric, &some).expect("valid");
        assert!((weighted(&sw(some)) - 30.0).abs() < 1e-9);
        let codes = |g: &[(String, i64)]| {
            check_scores(&rubric, g)
                .expect_err("invalid")
                .into_iter()
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&all(11)), vec!["out_of_range"; 5]);
        assert_eq!(codes(&all(-1)), vec!["out_of_range"; 5]);
        assert_eq!(codes(&all(5)[..4]), ["required"]);
        let mut extra = all(5);
        extra.push(("charm".into(), 5));
        assert_eq!(codes(&extra), ["invalid_choice"]);
    }

    #[test]
    fn a_committee_rubric_has_unique_keys_and_weights_adding_to_a_hundred() {
        let c = |k: &str, w: i64| Criterion {
            criterion: k.into(),
            weight: w,
        };
        let codes = |r: &[Criterion]| {
            check_rubric(r)
                .expect_err("invalid")
                .into_iter()
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(check_rubric(&[c("topic", 60), c("effect", 40)]), Ok(()));
        assert_eq!(codes(&[]), ["required"]);
        assert_eq!(
            codes(&[c("topic", 60), c("effect", 30)]),
            ["weights_not_100"]
        );
        assert_eq!(codes(&[c("topic", 50), c("topic", 50)]), ["duplicate"]);
        assert_eq!(codes(&[c("Topic!", 100)]), ["invalid_key"]);
        assert_eq!(codes(&[c("topic", 0), c("effect", 100)]), ["out_of_range"]);
        let many: Vec<Criterion> = (0..11).map(|i| c(&format!("c{i}"), 10)).collect();
        assert!(codes(&many).contains(&"too_many"));
        // Old weights that no longer add to 100 still give a score out of 100.
        assert!((weighted(&[(10, 30), (10, 30)]) - 100.0).abs() < 1e-9);
        assert_eq!(weighted(&[]), 0.0);
    }

    #[test]
    fn every_plan_state_step_and_part() {
        use PlanState as P;
        let mut checked = 0;
        for from in P::ALL.iter().copied() {
            for step in PlanStep::ALL.iter().copied() {
                for part in Part::ALL {
                    for items in [0, 4] {
                        let got = plan_transition(from, step, part, items);
                        let want = match (part, step, from) {
                            (p, _, _) if p != Part::Staff => Err(ProposalRefusal::Forbidden),
                            (_, PlanStep::Agree, P::Draft) if items == 0 => {
                                Err(ProposalRefusal::Conflict("plan_empty"))
                            }
                            (_, PlanStep::Agree, P::Draft) => Ok(P::Agreed),
                            (_, PlanStep::Publish, P::Agreed) => Ok(P::Published),
                            _ => Err(ProposalRefusal::WrongState(from)),
                        };
                        assert_eq!(got, want, "{from:?} {step:?} {part:?} {items}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 3 * 2 * 5 * 2);
        assert!(plan_items_editable(P::Draft));
        assert!(!plan_items_editable(P::Agreed) && !plan_items_editable(P::Published));
        assert!(!plan_items_startable(P::Draft));
        assert!(plan_items_startable(P::Agreed) && plan_items_startable(P::Published));
    }

    #[test]
    fn every_form_has_a_stable_code() {
        assert_eq!(Form::ALL.len(), 11);
        for f in Form::ALL {
            assert_eq!(Form::parse(f.as_str()), Some(*f));
        }
    }
}
