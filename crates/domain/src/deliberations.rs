//! Online deliberation (网络议政, DOMAIN.md §4, issue 6): a topic on which
//! participants write short statements and vote agree / disagree / pass on
//! each other's, one statement at a time. The rules here: the topic's life
//! (draft → open → closed → reported) as one pure state machine, who may
//! take part, what a statement and a vote may be, when a statement may be
//! voted on under pre- or post-moderation, and the flood limits.

use crate::platform::string_enum;
use crate::proposals::Refusal as ProposalRefusal;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Where a deliberation is.
    State {
        /// Being prepared by staff; nobody else sees it.
        Draft = "draft",
        /// Participants write and vote (between its opening and closing times).
        Open = "open",
        /// No more statements or votes; the results stand.
        Closed = "closed",
        /// The report is published beside the results.
        Reported = "reported",
    }
}

string_enum! {
    /// A step of a deliberation (`POST …/actions/{step}`).
    Step {
        Open = "open",
        Close = "close",
        PublishReport = "publish-report",
    }
}

string_enum! {
    /// Who may take part.
    Audience {
        /// The committee's members (and its staff and leaders).
        Members = "members",
        /// Also the public: citizens with an account and anonymous visitors.
        Public = "public",
    }
}

string_enum! {
    /// When statements are moderated.
    Moderation {
        /// A statement is voted on only after staff accept it.
        Pre = "pre",
        /// A statement is voted on at once; staff may reject it later.
        Post = "post",
    }
}

string_enum! {
    /// How the results draw the opinion groups.
    Grouping {
        /// As regions of the opinion map, the way Pol.is draws them, so
        /// that the results compare with Pol.is's.
        Map = "map",
        /// From the votes themselves: each participant in the group whose
        /// way of voting best explains theirs. Closer to the true groups in
        /// large deliberations; a group's points may overlap another's on
        /// the map.
        Votes = "votes",
    }
}

string_enum! {
    /// A statement's moderation status.
    StatementStatus {
        Pending = "pending",
        Accepted = "accepted",
        Rejected = "rejected",
    }
}

string_enum! {
    /// A vote, as Pol.is counts it.
    Vote {
        Agree = "agree",
        Disagree = "disagree",
        Pass = "pass",
    }
}

impl Vote {
    /// Pol.is's number for the vote: agree +1, disagree −1, pass 0.
    pub fn value(self) -> i64 {
        match self {
            Vote::Agree => 1,
            Vote::Disagree => -1,
            Vote::Pass => 0,
        }
    }

    /// The vote of a stored number.
    pub fn of_value(v: i64) -> Option<Vote> {
        match v {
            1 => Some(Vote::Agree),
            -1 => Some(Vote::Disagree),
            0 => Some(Vote::Pass),
            _ => None,
        }
    }
}

/// The part an actor plays for one deliberation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// Staff of the committee's consultation office: run and moderate it.
    Staff,
    /// Anyone else who may see it.
    Other,
}

impl Part {
    pub const ALL: [Part; 2] = [Part::Staff, Part::Other];
}

/// What the machine must know besides the state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// For `open`: the closing time is still ahead.
    pub closes_ahead: bool,
    /// For `publish-report`: a report text was given.
    pub has_report: bool,
}

/// Why a step is refused: 403, 409 naming the state, or 409 with a code.
pub type Refusal = ProposalRefusal<State>;

/// The state a step leads to.
pub fn transition(from: State, step: Step, part: Part, facts: &Facts) -> Result<State, Refusal> {
    use State::*;
    if part != Part::Staff {
        return Err(Refusal::Forbidden);
    }
    match (step, from) {
        (Step::Open, Draft) if !facts.closes_ahead => Err(Refusal::Conflict("closes_in_past")),
        (Step::Open, Draft) => Ok(Open),
        (Step::Close, Open) => Ok(Closed),
        (Step::PublishReport, Closed | Reported) if !facts.has_report => {
            Err(Refusal::Conflict("report_required"))
        }
        // A published report may be corrected by publishing it again.
        (Step::PublishReport, Closed | Reported) => Ok(Reported),
        (_, s) => Err(Refusal::WrongState(s)),
    }
}

/// The longest statement, in characters (Pol.is's limit too).
pub const MAX_STATEMENT: usize = 280;
/// Statements one participant may add to one deliberation in an hour.
pub const STATEMENTS_PER_HOUR: i64 = 10;
/// Votes one participant may cast in a minute: a person reading each
/// statement stays far below it; a script flooding votes does not.
pub const VOTES_PER_MINUTE: i64 = 60;
/// New anonymous participants one address may start in an hour.
pub const ANONYMOUS_PER_HOUR: i64 = 30;

/// Checks a statement's text: trimmed, not empty, at most
/// [`MAX_STATEMENT`] characters, on one line.
pub fn check_statement(text: &str) -> Result<String, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Err("required");
    }
    if t.chars().count() > MAX_STATEMENT {
        return Err("too_long");
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err("invalid_characters");
    }
    // A statement is one thought: line breaks become spaces.
    Ok(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether a statement in `status` is put to participants under `moderation`:
/// accepted ones always; pending ones only under post-moderation.
pub fn votable(status: StatementStatus, moderation: Moderation) -> bool {
    match status {
        StatementStatus::Accepted => true,
        StatementStatus::Pending => moderation == Moderation::Post,
        StatementStatus::Rejected => false,
    }
}

/// The status a new statement gets: staff's own are accepted at once.
pub fn initial_status(moderation: Moderation, by_staff: bool) -> StatementStatus {
    if by_staff {
        StatementStatus::Accepted
    } else {
        match moderation {
            Moderation::Pre | Moderation::Post => StatementStatus::Pending,
        }
    }
}

/// Whether participation is possible at `now`: the deliberation is open and
/// `now` lies in `[opens_at, closes_at)`. Refusals: `not_open_yet`,
/// `closed` (a step or the closing time ended it) or the state.
pub fn participation(
    state: State,
    opens_at: i64,
    closes_at: i64,
    now: i64,
) -> Result<(), &'static str> {
    match state {
        State::Draft => Err("not_open_yet"),
        State::Closed | State::Reported => Err("deliberation_closed"),
        State::Open if now < opens_at => Err("not_open_yet"),
        State::Open if now >= closes_at => Err("deliberation_closed"),
        State::Open => Ok(()),
    }
}

/// Checks the times: closing after opening.
pub fn check_times(opens_at: i64, closes_at: i64) -> Result<(), &'static str> {
    if closes_at <= opens_at {
        Err("closes_before_opens")
    } else {
        Ok(())
    }
}

/// The anonymous participant's number shown beside their statements.
pub fn anonymous_label(participant_id: i64) -> String {
    format!("#{participant_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const YES: Facts = Facts {
        closes_ahead: true,
        has_report: true,
    };

    /// Every state × step × part, with the exact answer.
    #[test]
    fn every_state_step_and_part() {
        use State::*;
        for &from in State::ALL {
            for &step in Step::ALL {
                for part in Part::ALL {
                    let got = transition(from, step, part, &YES);
                    let want = match (part, step, from) {
                        (Part::Other, _, _) => Err(Refusal::Forbidden),
                        (_, Step::Open, Draft) => Ok(Open),
                        (_, Step::Close, Open) => Ok(Closed),
                        (_, Step::PublishReport, Closed | Reported) => Ok(Reported),
                        (_, _, s) => Err(Refusal::WrongState(s)),
                    };
                    assert_eq!(got, want, "{from:?} {step:?} {part:?}");
                }
            }
        }
    }

    #[test]
    fn facts_refuse_with_codes() {
        let no = Facts::default();
        assert_eq!(
            transition(State::Draft, Step::Open, Part::Staff, &no),
            Err(Refusal::Conflict("closes_in_past"))
        );
        assert_eq!(
            transition(State::Closed, Step::PublishReport, Part::Staff, &no),
            Err(Refusal::Conflict("report_required"))
        );
        // A refusal by part comes before the facts.
        assert_eq!(
            transition(State::Draft, Step::Open, Part::Other, &no),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn statements_are_short_single_thoughts() {
        assert_eq!(check_statement("  "), Err("required"));
        assert_eq!(
            check_statement(&"议".repeat(MAX_STATEMENT)).map(|s| s.chars().count()),
            Ok(MAX_STATEMENT)
        );
        assert_eq!(
            check_statement(&"议".repeat(MAX_STATEMENT + 1)),
            Err("too_long")
        );
        assert_eq!(
            check_statement("增加\n社区  食堂"),
            Ok("增加 社区 食堂".into())
        );
        assert_eq!(check_statement("a\u{0007}b"), Err("invalid_characters"));
    }

    #[test]
    fn moderation_decides_what_is_put_to_vote() {
        use StatementStatus::*;
        assert!(votable(Accepted, Moderation::Pre));
        assert!(!votable(Pending, Moderation::Pre));
        assert!(votable(Pending, Moderation::Post));
        assert!(!votable(Rejected, Moderation::Post));
        assert_eq!(initial_status(Moderation::Pre, true), Accepted);
        assert_eq!(initial_status(Moderation::Pre, false), Pending);
        assert_eq!(initial_status(Moderation::Post, false), Pending);
    }

    #[test]
    fn participation_follows_state_and_clock() {
        assert_eq!(participation(State::Open, 10, 20, 15), Ok(()));
        assert_eq!(participation(State::Open, 10, 20, 5), Err("not_open_yet"));
        assert_eq!(
            participation(State::Open, 10, 20, 20),
            Err("deliberation_closed")
        );
        assert_eq!(participation(State::Draft, 10, 20, 15), Err("not_open_yet"));
        assert_eq!(
            participation(State::Closed, 10, 20, 15),
            Err("deliberation_closed")
        );
        assert_eq!(check_times(10, 10), Err("closes_before_opens"));
        assert_eq!(check_times(10, 11), Ok(()));
    }

    #[test]
    fn votes_are_polis_numbers() {
        for &v in Vote::ALL {
            assert_eq!(Vote::of_value(v.value()), Some(v));
        }
        assert_eq!(Vote::of_value(2), None);
        assert_eq!(Vote::parse("yes"), None);
    }
}
