//! A citizen's voice (群众意见) through a studio's public form: what the form
//! accepts, the question an anonymous visitor answers to show a person is
//! writing, how many submissions a visitor may make, and what a citizen is
//! told about what became of their input.

use crate::opinions::State;
use crate::validate::{Errors, FieldError};
use serde::{Deserialize, Serialize};

/// Longest title a citizen may give.
pub const MAX_TITLE: usize = 200;
/// Longest text: a citizen's input is shorter than a piece.
pub const MAX_BODY: usize = 5_000;
/// Longest name and contact.
pub const MAX_NAME: usize = 50;
pub const MAX_CONTACT: usize = 100;

/// An anonymous visitor's submissions (and wrong answers) per address per hour.
pub const ANONYMOUS_PER_HOUR: i64 = 5;
/// A signed-in citizen's submissions per day.
pub const SIGNED_IN_PER_DAY: i64 = 20;
/// How long a question may wait for its answer.
pub const CHALLENGE_TTL_MICROS: i64 = 30 * 60 * 1_000_000;
pub const HOUR_MICROS: i64 = 3_600 * 1_000_000;
pub const DAY_MICROS: i64 = 24 * HOUR_MICROS;

/// What a citizen writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CitizenInput {
    pub title: String,
    pub body: String,
    /// How they would like to be called; may be empty.
    #[serde(default)]
    pub name: String,
    /// A telephone or address for a reply; may be empty.
    #[serde(default)]
    pub contact: String,
}

/// A checked input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenForm {
    pub title: String,
    pub body: String,
    pub name: String,
    pub contact: String,
}

impl CitizenInput {
    /// Checks every field.
    pub fn validate(&self) -> Result<CitizenForm, Vec<FieldError>> {
        let mut e = Errors::default();
        let title = e.required_text("title", &self.title, MAX_TITLE);
        let body = e.required_prose("body", &self.body, MAX_BODY);
        let name = e.optional_text("name", Some(&self.name), MAX_NAME);
        let contact = e.optional_text("contact", Some(&self.contact), MAX_CONTACT);
        e.finish()?;
        Ok(CitizenForm {
            title,
            body,
            name: name.unwrap_or_default(),
            contact: contact.unwrap_or_default(),
        })
    }
}

/// A sum or difference of two small numbers, asked in words (七加五 / seven
/// plus five), so that the digits a script would look for are not on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge {
    pub a: u8,
    pub b: u8,
    pub plus: bool,
}

const ZH: [&str; 21] = [
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
    "十四", "十五", "十六", "十七", "十八", "十九", "二十",
];
/// The numbers 0 to 20 in English words, as the English question writes them.
pub const EN: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

impl Challenge {
    /// The question made from four random bytes: operands 1 to 20, and a
    /// difference never below zero.
    pub fn from_random(r: [u8; 4]) -> Challenge {
        let x = r[0] % 20 + 1;
        let y = r[1] % 20 + 1;
        let plus = r[2].is_multiple_of(2);
        let (a, b) = if plus || x >= y { (x, y) } else { (y, x) };
        Challenge { a, b, plus }
    }

    /// The number that answers it.
    pub fn answer(self) -> i64 {
        if self.plus {
            i64::from(self.a) + i64::from(self.b)
        } else {
            i64::from(self.a) - i64::from(self.b)
        }
    }

    /// The question in Chinese words.
    pub fn question_zh(self) -> String {
        let op = if self.plus { "加" } else { "减" };
        format!(
            "{}{}{}等于多少？",
            ZH[usize::from(self.a)],
            op,
            ZH[usize::from(self.b)]
        )
    }

    /// The question in English words.
    pub fn question_en(self) -> String {
        let op = if self.plus { "plus" } else { "minus" };
        format!(
            "What is {} {} {}?",
            EN[usize::from(self.a)],
            op,
            EN[usize::from(self.b)]
        )
    }
}

/// Reads an answer written in digits (half- or full-width), spaces ignored.
pub fn parse_answer(s: &str) -> Option<i64> {
    let digits: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            c => c,
        })
        .collect();
    if digits.is_empty() || digits.len() > 3 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

crate::platform::string_enum! {
    /// What a citizen is told of their input.
    PublicStatus {
        /// Waiting for the studio's members.
        Received = "received",
        /// A member has taken it up as a piece being written or reviewed.
        TakenUp = "taken_up",
        /// Adopted into the bulletin.
        Adopted = "adopted",
        /// Reported to the leadership, with instructions or adoptions recorded.
        HeardBack = "heard_back",
        /// Passed on as the lead of a member's proposal.
        ProposalLead = "proposal_lead",
        /// Not taken further.
        NotTaken = "not_taken",
    }
}

/// The status of an input from the state of its piece (when one was made)
/// and whether any outcome has been recorded on it.
pub fn public_status(piece: Option<State>, outcomes: bool) -> PublicStatus {
    match piece {
        None => PublicStatus::Received,
        Some(_) if outcomes => PublicStatus::HeardBack,
        Some(State::Draft | State::Submitted | State::Editing | State::Combined) => {
            PublicStatus::TakenUp
        }
        Some(State::Adopted) => PublicStatus::Adopted,
        Some(State::ProposalLead) => PublicStatus::ProposalLead,
        Some(State::Declined | State::Withdrawn) => PublicStatus::NotTaken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_need_a_title_and_a_text_and_are_bounded() {
        let ok = CitizenInput {
            title: " 路灯不亮 ".into(),
            body: "东门外的路灯坏了三个月。\n请修。".into(),
            ..Default::default()
        };
        let f = ok.validate().expect("valid");
        assert_eq!(f.title, "路灯不亮");
        assert_eq!(f.name, "");
        let codes = |i: &CitizenInput| {
            i.validate()
                .expect_err("invalid")
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(&CitizenInput::default()),
            vec![("title", "required"), ("body", "required")]
        );
        let long = CitizenInput {
            body: "字".repeat(MAX_BODY + 1),
            contact: "1".repeat(MAX_CONTACT + 1),
            ..ok.clone()
        };
        assert_eq!(
            codes(&long),
            vec![("body", "too_long"), ("contact", "too_long")]
        );
        let control = CitizenInput {
            name: "a\u{7}".into(),
            ..ok
        };
        assert_eq!(codes(&control), vec![("name", "invalid_characters")]);
    }

    #[test]
    fn every_question_has_a_small_non_negative_answer_and_no_digits() {
        for a in 0..=255u8 {
            for b in [0u8, 7, 19, 200, 255] {
                for op in [0u8, 1] {
                    let c = Challenge::from_random([a, b, op, 0]);
                    assert!((0..=40).contains(&c.answer()), "{c:?}");
                    assert!(!c.question_zh().chars().any(|ch| ch.is_ascii_digit()));
                    assert!(!c.question_en().chars().any(|ch| ch.is_ascii_digit()));
                }
            }
        }
        let c = Challenge {
            a: 7,
            b: 5,
            plus: true,
        };
        assert_eq!(c.question_zh(), "七加五等于多少？");
        assert_eq!(c.question_en(), "What is seven plus five?");
        assert_eq!(c.answer(), 12);
        let d = Challenge::from_random([2, 11, 1, 0]);
        assert_eq!((d.a, d.b, d.plus, d.answer()), (12, 3, false, 9));
    }

    #[test]
    fn answers_are_digits_only() {
        assert_eq!(parse_answer(" 12 "), Some(12));
        assert_eq!(parse_answer("１２"), Some(12));
        assert_eq!(parse_answer("十二"), None);
        assert_eq!(parse_answer(""), None);
        assert_eq!(parse_answer("-3"), None);
        assert_eq!(parse_answer("99999999999999999999"), None);
    }

    #[test]
    fn a_citizen_hears_what_became_of_the_input() {
        use PublicStatus as P;
        assert_eq!(public_status(None, false), P::Received);
        for &s in State::ALL {
            let expected = match s {
                State::Draft | State::Submitted | State::Editing | State::Combined => P::TakenUp,
                State::Adopted => P::Adopted,
                State::ProposalLead => P::ProposalLead,
                State::Declined | State::Withdrawn => P::NotTaken,
            };
            assert_eq!(public_status(Some(s), false), expected, "{s:?}");
            assert_eq!(public_status(Some(s), true), P::HeardBack);
        }
    }
}
