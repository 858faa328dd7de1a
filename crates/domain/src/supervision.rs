//! Democratic supervision (民主监督, issue 5 item 5): a topic followed over
//! several years, each year with inspections, findings, rectification items
//! and a summary. The rules here: the years a topic may span and the
//! status a rectification item moves through.

use crate::platform::string_enum;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Where a rectification item (整改事项) stands.
    RectificationStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
    }
}

/// The longest a topic may be followed, in years.
pub const MAX_YEARS: i64 = 10;

/// Checks a topic's span of years: first ≤ last, within [`MAX_YEARS`], and
/// plausible calendar years.
pub fn check_span(first: i64, last: i64) -> Result<(), &'static str> {
    if !(2000..=2100).contains(&first) || !(2000..=2100).contains(&last) {
        return Err("out_of_range");
    }
    if last < first {
        return Err("last_before_first");
    }
    if last - first + 1 > MAX_YEARS {
        return Err("too_long");
    }
    Ok(())
}

/// Whether `year` lies in the topic's span.
pub fn in_span(first: i64, last: i64, year: i64) -> bool {
    (first..=last).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_run_forward_and_stay_short() {
        assert_eq!(check_span(2022, 2026), Ok(()));
        assert_eq!(check_span(2026, 2026), Ok(()));
        assert_eq!(check_span(2026, 2022), Err("last_before_first"));
        assert_eq!(check_span(2010, 2026), Err("too_long"));
        assert_eq!(check_span(1990, 1991), Err("out_of_range"));
        assert!(in_span(2022, 2026, 2024));
        assert!(!in_span(2022, 2026, 2027));
    }

    #[test]
    fn statuses_are_stable_codes() {
        assert_eq!(
            RectificationStatus::parse("in_progress"),
            Some(RectificationStatus::InProgress)
        );
        assert_eq!(RectificationStatus::parse("closed"), None);
    }
}
