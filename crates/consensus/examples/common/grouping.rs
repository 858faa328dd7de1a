//! The engine as an example run asks for it: a word `votes` among the
//! arguments draws the groups from the votes (`Grouping::Votes`), else from
//! the map.

use xieshang_consensus::{Analysis, Grouping, Votes, Warm, analyze_by, update_by};

/// The grouping the arguments ask for.
pub fn from_args() -> Grouping {
    if std::env::args().any(|a| a == "votes") {
        Grouping::Votes
    } else {
        Grouping::Map
    }
}

/// A full analysis and an update, both with `grouping`.
pub fn engine(
    grouping: Grouping,
) -> (
    impl Fn(&Votes) -> Analysis,
    impl Fn(&Votes, &Warm) -> Analysis,
) {
    (
        move |v: &Votes| analyze_by(v, grouping),
        move |v: &Votes, w: &Warm| update_by(v, w, grouping),
    )
}
