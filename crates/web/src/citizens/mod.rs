//! A citizen's voice through a studio's public form (issue 4, item 2).

pub mod api;
pub mod pages;

use crate::i18n::{Lang, Tr};
use domain::citizens::Challenge;

/// A question in the reader's language, in words.
pub(crate) fn question(t: Tr, c: Challenge) -> String {
    match t.lang {
        Lang::En => c.question_en(),
        _ => c.question_zh(),
    }
}
