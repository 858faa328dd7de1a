//! Field validation shared by every form. Errors carry stable codes, never
//! prose: the web layer turns a code into a message in the user's language.

use serde::Serialize;

/// One invalid field: which field, and a stable code naming what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's name, as the client sent it.
    pub field: &'static str,
    /// A stable `snake_case` code (`required`, `too_long`, ...).
    pub code: &'static str,
}

/// Collects the errors of one form so all of them are reported at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    /// Records that `field` is invalid for the reason `code`.
    pub fn add(&mut self, field: &'static str, code: &'static str) {
        self.0.push(FieldError { field, code });
    }

    /// Ok when nothing was recorded.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }

    /// A required text of at most `max` characters; returns it trimmed.
    pub fn required_text(&mut self, field: &'static str, value: &str, max: usize) -> String {
        self.text(field, Some(value), max, false)
            .unwrap_or_default()
    }

    /// A required text of several lines (line breaks and tabs allowed) of at
    /// most `max` characters; returns it trimmed.
    pub fn required_prose(&mut self, field: &'static str, value: &str, max: usize) -> String {
        self.text(field, Some(value), max, true).unwrap_or_default()
    }

    /// An optional text of several lines; empty becomes `None`.
    pub fn optional_prose(
        &mut self,
        field: &'static str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        self.optional(field, value, max, true)
    }

    /// An optional text of at most `max` characters; empty becomes `None`.
    pub fn optional_text(
        &mut self,
        field: &'static str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        self.optional(field, value, max, false)
    }

    fn optional(
        &mut self,
        field: &'static str,
        value: Option<&str>,
        max: usize,
        lines: bool,
    ) -> Option<String> {
        match value.map(str::trim) {
            None | Some("") => None,
            v => self.text(field, v, max, lines),
        }
    }

    /// The checks every text gets: present, not too long, and no control
    /// characters (but line breaks and tabs where `lines`). Answers it trimmed.
    fn text(
        &mut self,
        field: &'static str,
        value: Option<&str>,
        max: usize,
        lines: bool,
    ) -> Option<String> {
        let v = value.unwrap_or("").trim();
        let clean = if lines {
            is_prose(v)
        } else {
            !v.chars().any(|c| c.is_control())
        };
        if v.is_empty() {
            self.add(field, "required");
        } else if v.chars().count() > max {
            self.add(field, "too_long");
        } else if !clean {
            self.add(field, "invalid_characters");
        }
        Some(v.to_string())
    }

    /// One of a set of codes: `default` when left empty; `default`, with
    /// `invalid_choice` recorded, when `parse` knows no such code.
    pub fn choice<T>(
        &mut self,
        field: &'static str,
        value: &str,
        default: T,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> T {
        match value.trim() {
            "" => default,
            v => parse(v).unwrap_or_else(|| {
                self.add(field, "invalid_choice");
                default
            }),
        }
    }

    /// A whole number within `range`.
    pub fn in_range(
        &mut self,
        field: &'static str,
        value: i64,
        range: std::ops::RangeInclusive<i64>,
    ) {
        if !range.contains(&value) {
            self.add(field, "out_of_range");
        }
    }
}

/// A user name: 3 to 32 characters of ASCII letters, digits, `.`, `_` or `-`.
/// Text with no control characters but line breaks and tabs.
pub fn is_prose(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

pub fn is_valid_username(s: &str) -> bool {
    (3..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A plausible phone number: digits with an optional leading `+` and `-` or
/// spaces between groups, 5 to 20 digits.
pub fn is_valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let rest_ok = s
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (i == 0 && c == '+'));
    rest_ok && (5..=20).contains(&digits)
}

/// A plausible e-mail address: one `@`, a non-empty local part and a dotted domain.
pub fn is_valid_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && s.len() <= 254
        }
        None => false,
    }
}

/// Password policy: 8 to 128 characters, not only digits.
pub fn password_problem(p: &str) -> Option<&'static str> {
    let n = p.chars().count();
    if n < 8 {
        Some("password_too_short")
    } else if n > 128 {
        Some("too_long")
    } else if p.chars().all(|c| c.is_ascii_digit()) {
        Some("password_only_digits")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_defaults_when_empty_and_is_refused_when_unknown() {
        let parse = |s: &str| ["a", "b"].iter().position(|c| *c == s);
        let mut e = Errors::default();
        assert_eq!(e.choice("f", "  ", 0, parse), 0);
        assert_eq!(e.choice("f", " b ", 0, parse), 1);
        assert!(e.0.is_empty());
        assert_eq!(e.choice("f", "c", 0, parse), 0);
        assert_eq!(
            e.0,
            vec![FieldError {
                field: "f",
                code: "invalid_choice"
            }]
        );
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        let mut e = Errors::default();
        assert_eq!(e.required_text("name", "  张三 ", 10), "张三");
        assert!(e.clone().finish().is_ok());
        e.required_text("name", "   ", 10);
        e.required_text("title", &"字".repeat(11), 10);
        e.required_text("bad", "a\u{0}b", 10);
        assert_eq!(
            e.0,
            vec![
                FieldError {
                    field: "name",
                    code: "required"
                },
                FieldError {
                    field: "title",
                    code: "too_long"
                },
                FieldError {
                    field: "bad",
                    code: "invalid_characters"
                }
            ]
        );
        let mut e = Errors::default();
        assert_eq!(e.optional_text("x", Some("  "), 3), None);
        assert_eq!(e.optional_text("x", Some("abcd"), 3), Some("abcd".into()));
        assert_eq!(e.0.len(), 1);
    }

    #[test]
    fn usernames_phones_emails_passwords() {
        assert!(is_valid_username("staff"));
        assert!(!is_valid_username("st"));
        assert!(!is_valid_username("张三"));
        assert!(is_valid_phone("+86 138-0000-0000"));
        assert!(!is_valid_phone("12a45"));
        assert!(!is_valid_phone("1+2345"));
        assert!(is_valid_email("a@b.cn"));
        assert!(!is_valid_email("a@b"));
        assert!(!is_valid_email("a b@c.cn"));
        assert_eq!(password_problem("short"), Some("password_too_short"));
        assert_eq!(password_problem("12345678"), Some("password_only_digits"));
        assert_eq!(password_problem("good pass 1"), None);
    }
}
