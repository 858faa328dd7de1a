//! Time as stored: whole microseconds since the Unix epoch, UTC.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

tokio::task_local! {
    /// A time that stands in for the clock inside [`at`]: the demo writes its
    /// five years of history through the real commands, each at its own date.
    static FIXED_NOW: i64;
}

/// The current time in stored form (or the time [`at`] fixed for this task).
pub fn now() -> i64 {
    FIXED_NOW.try_with(|t| *t).unwrap_or_else(|_| {
        let t = OffsetDateTime::now_utc();
        (t.unix_timestamp_nanos() / 1_000) as i64
    })
}

/// Runs `f` with [`now`] answering `micros`; other tasks keep the real clock.
pub async fn at<F: std::future::Future>(micros: i64, f: F) -> F::Output {
    FIXED_NOW.scope(micros, f).await
}

/// Midnight UTC+8 of a calendar date, in stored form.
pub fn date_micros(year: i32, month: u8, day: u8) -> i64 {
    let date = time::Date::from_calendar_date(
        year,
        time::Month::try_from(month).unwrap_or(time::Month::January),
        day,
    )
    .unwrap_or(time::Date::MIN);
    (date.midnight().assume_utc().unix_timestamp() - 8 * 3600) * 1_000_000
}

/// A stored time as an RFC 3339 string (UTC).
pub fn rfc3339(micros: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Parses an RFC 3339 time into stored form.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000) as i64)
}

/// Parses `YYYY-MM-DDTHH:MM` (what a `datetime-local` field sends) as the
/// committee's local time, UTC+8.
pub fn parse_local_minute(s: &str) -> Option<i64> {
    let utc = format!("{}:00+08:00", s.get(..16)?);
    if s.len() != 16 {
        return None;
    }
    parse_rfc3339(&utc)
}

/// A stored time as `YYYY-MM-DDTHH:MM` in the committee's local time (UTC+8).
pub fn local_minute(micros: i64) -> String {
    rfc3339(micros + 8 * 3_600_000_000)
        .chars()
        .take(16)
        .collect()
}

/// The calendar year of a stored time, in UTC+8 (the committee's local time).
pub fn year_of(micros: i64) -> i64 {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros + 8 * 3_600_000_000) * 1_000)
        .map(|t| i64::from(t.year()))
        .unwrap_or(1970)
}

/// A stored time `months` calendar months later (the day clamped to the
/// month's length: 31 January + 1 month is 28 or 29 February).
pub fn add_months(micros: i64, months: i64) -> i64 {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000) else {
        return micros;
    };
    let total = i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1 + months;
    let (year, month) = (
        (total.div_euclid(12)) as i32,
        (total.rem_euclid(12) + 1) as u8,
    );
    let Ok(month) = time::Month::try_from(month) else {
        return micros;
    };
    let day = t.day().min(time::util::days_in_month(month, year));
    match time::Date::from_calendar_date(year, month, day) {
        Ok(d) => (t.replace_date(d).unix_timestamp_nanos() / 1_000) as i64,
        Err(_) => micros,
    }
}

/// Serde helper: writes a stored time as RFC 3339.
pub fn serialize<S: serde::Serializer>(micros: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*micros))
}

/// A stored time as the committee's calendar date (UTC+8), `YYYY-MM-DD`.
pub fn local_date(micros: i64) -> String {
    utc_date(micros + 8 * 3_600_000_000)
}

/// The UTC date of a stored time, `YYYY-MM-DD` (the first ten characters of
/// [`rfc3339`], written directly: lists show one per row).
pub fn utc_date(micros: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000) {
        Ok(t) if (0..=9999).contains(&t.year()) => {
            let mut date = String::with_capacity(10);
            push_digits(&mut date, t.year().unsigned_abs(), 4);
            date.push('-');
            push_digits(&mut date, u32::from(u8::from(t.month())), 2);
            date.push('-');
            push_digits(&mut date, u32::from(t.day()), 2);
            date
        }
        _ => String::new(),
    }
}

/// Appends the last `width` decimal digits of `n` (`format!` with its
/// padding rules costs several times more, once per row of a list).
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (n / 10u32.pow(place)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// [`serialize`] for a time that may be missing (`null`).
pub fn serialize_opt<S: serde::Serializer>(micros: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match micros {
        Some(t) => s.serialize_str(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        let t = 1_764_000_000_123_456;
        let s = super::rfc3339(t);
        assert_eq!(s, "2025-11-24T16:00:00.123456Z");
        assert_eq!(super::parse_rfc3339(&s), Some(t));
        assert_eq!(super::year_of(t), 2025);
        let local = super::local_minute(t);
        assert_eq!(local, "2025-11-25T00:00");
        assert_eq!(
            super::parse_local_minute(&local),
            Some(1_764_000_000_000_000)
        );
        assert_eq!(super::parse_local_minute("2025-11-25"), None);
    }

    #[test]
    fn dates_are_the_start_of_the_rfc3339_form() {
        // Around midnight UTC and in China, a leap day, the epoch, before it.
        for t in [
            1_764_000_000_123_456,
            1_763_999_999_999_999,
            1_709_164_800_000_000,
            0,
            -86_400_000_001,
        ] {
            let full = super::rfc3339(t);
            assert_eq!(super::utc_date(t), full[..10], "{full}");
            let local = super::rfc3339(t + 8 * 3_600_000_000);
            assert_eq!(super::local_date(t), local[..10], "{local}");
        }
        assert_eq!(super::local_date(1_764_000_000_123_456), "2025-11-25");
        assert_eq!(super::utc_date(i64::MAX), "");
    }

    #[test]
    fn months_are_added_by_the_calendar() {
        let jan31 = super::parse_rfc3339("2026-01-31T10:00:00Z").unwrap();
        assert_eq!(
            super::rfc3339(super::add_months(jan31, 1)),
            "2026-02-28T10:00:00Z"
        );
        assert_eq!(
            super::rfc3339(super::add_months(jan31, 3)),
            "2026-04-30T10:00:00Z"
        );
        assert_eq!(
            super::rfc3339(super::add_months(jan31, 11)),
            "2026-12-31T10:00:00Z"
        );
        assert_eq!(
            super::rfc3339(super::add_months(jan31, 13)),
            "2027-02-28T10:00:00Z"
        );
    }
}
