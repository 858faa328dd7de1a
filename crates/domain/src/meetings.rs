//! Consultation meetings (issue 5, item 3): the agenda opens with the study
//! item (第一议题), invitations are answered, and speeches are scheduled with
//! the collective speeches of participating parties and groups first, then
//! those of sectors, then individual members' — an order staff may still
//! change by hand.

use crate::platform::string_enum;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Who speaks.
    SpeakerKind {
        /// A participating party or group, speaking collectively.
        Party = "party",
        /// A sector (界别), speaking collectively.
        Sector = "sector",
        /// One member.
        Individual = "individual",
    }
}

impl SpeakerKind {
    /// Where the kind comes in the default order: parties, sectors, individuals.
    pub fn rank(self) -> u8 {
        match self {
            SpeakerKind::Party => 0,
            SpeakerKind::Sector => 1,
            SpeakerKind::Individual => 2,
        }
    }
}

string_enum! {
    /// An invitee's answer.
    Answer {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
    }
}

/// Why an agenda may not be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaProblem {
    /// No item at all.
    Empty,
    /// The first item is not the study item.
    StudyItemNotFirst,
    /// A second study item further down.
    StudyItemTwice,
}

impl AgendaProblem {
    /// The stable code reported to the user.
    pub fn code(self) -> &'static str {
        match self {
            AgendaProblem::Empty => "agenda_empty",
            AgendaProblem::StudyItemNotFirst => "study_item_first",
            AgendaProblem::StudyItemTwice => "study_item_once",
        }
    }
}

/// Checks that an agenda (each item: whether it is the study item) may be
/// published: it starts with the study item, and has only that one.
pub fn check_agenda(study_flags: &[bool]) -> Result<(), AgendaProblem> {
    match study_flags {
        [] => Err(AgendaProblem::Empty),
        [false, ..] => Err(AgendaProblem::StudyItemNotFirst),
        [true, rest @ ..] if rest.iter().any(|s| *s) => Err(AgendaProblem::StudyItemTwice),
        _ => Ok(()),
    }
}

/// Where a new speech of `kind` goes among speeches already scheduled (their
/// kinds in order): after the last one of its kind or of an earlier kind, so
/// the default order holds, and hand-made changes stay where they are.
pub fn slot_for(scheduled: &[SpeakerKind], kind: SpeakerKind) -> usize {
    scheduled
        .iter()
        .rposition(|k| k.rank() <= kind.rank())
        .map_or(0, |i| i + 1)
}

/// The default order of speeches: stable by kind, so speeches of one kind
/// keep the order they were added in. Answers the indices in that order.
pub fn default_order(kinds: &[SpeakerKind]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..kinds.len()).collect();
    idx.sort_by_key(|&i| kinds[i].rank());
    idx
}

/// Checks a hand-made order: every scheduled speech once, nothing else.
pub fn check_order(scheduled: &[i64], proposed: &[i64]) -> bool {
    let mut a = scheduled.to_vec();
    let mut b = proposed.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// What an invitee's attendance counts as for their record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// Checked in.
    Present,
    /// Declined beforehand (请假).
    Excused,
    /// Neither.
    Absent,
}

/// An invitee's attendance from their answer and check-in.
pub fn attendance(answer: Answer, checked_in: bool) -> Attendance {
    match (checked_in, answer) {
        (true, _) => Attendance::Present,
        (false, Answer::Declined) => Attendance::Excused,
        _ => Attendance::Absent,
    }
}

#[cfg(test)]
mod tests {
    use super::SpeakerKind::*;
    use super::*;

    #[test]
    fn an_agenda_opens_with_one_study_item() {
        assert_eq!(check_agenda(&[]), Err(AgendaProblem::Empty));
        assert_eq!(
            check_agenda(&[false, true]),
            Err(AgendaProblem::StudyItemNotFirst)
        );
        assert_eq!(
            check_agenda(&[true, false, true]),
            Err(AgendaProblem::StudyItemTwice)
        );
        assert_eq!(check_agenda(&[true]), Ok(()));
        assert_eq!(check_agenda(&[true, false, false]), Ok(()));
        assert_eq!(AgendaProblem::StudyItemNotFirst.code(), "study_item_first");
    }

    #[test]
    fn speeches_go_parties_then_sectors_then_individuals() {
        let kinds = [Individual, Sector, Party, Individual, Party];
        assert_eq!(default_order(&kinds), vec![2, 4, 1, 0, 3]);
        // A new sector speech goes after the last sector one.
        assert_eq!(slot_for(&[Party, Sector, Individual], Sector), 2);
        assert_eq!(slot_for(&[Party, Sector, Individual], Party), 1);
        assert_eq!(slot_for(&[Party, Sector, Individual], Individual), 3);
        assert_eq!(slot_for(&[Individual], Party), 0);
        assert_eq!(slot_for(&[], Sector), 0);
        // After a change by hand (an individual moved first), new party
        // speeches still come before the individuals that follow parties.
        assert_eq!(slot_for(&[Individual, Party, Individual], Party), 2);
    }

    #[test]
    fn a_new_order_names_every_speech_once() {
        assert!(check_order(&[1, 2, 3], &[3, 1, 2]));
        assert!(!check_order(&[1, 2, 3], &[3, 1]));
        assert!(!check_order(&[1, 2, 3], &[3, 1, 1]));
        assert!(!check_order(&[1, 2, 3], &[3, 1, 4]));
    }

    #[test]
    fn attendance_follows_check_in_then_answer() {
        assert_eq!(attendance(Answer::Declined, true), Attendance::Present);
        assert_eq!(attendance(Answer::Accepted, true), Attendance::Present);
        assert_eq!(attendance(Answer::Declined, false), Attendance::Excused);
        assert_eq!(attendance(Answer::Accepted, false), Attendance::Absent);
        assert_eq!(attendance(Answer::Pending, false), Attendance::Absent);
    }
}
