//! Words a reader searches for, found inside text columns with SQL `LIKE`.
//!
//! `LIKE` reads `%` and `_` in a pattern as wildcards, so a search for
//! `50%` or `a_b` would match far more than the reader typed. [`contains`]
//! escapes them with `\`, and every clause that uses its pattern says
//! `ESCAPE '\'` (SQLite has no escape character unless told one; PostgreSQL's
//! default is `\`, and saying it keeps the two the same).

/// The `LIKE` pattern that finds `words` anywhere in a lower-cased column:
/// the words lower-cased, their own `\`, `%` and `_` taken literally.
pub(crate) fn contains(words: &str) -> String {
    let mut pattern = String::with_capacity(words.len() + 2);
    pattern.push('%');
    for c in words.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn wildcards_a_reader_types_are_taken_literally() {
        assert_eq!(contains("Road"), "%road%");
        assert_eq!(contains("50%"), "%50\\%%");
        assert_eq!(contains("a_b"), "%a\\_b%");
        assert_eq!(contains("c:\\x"), "%c:\\\\x%");
        assert_eq!(contains("协商"), "%协商%");
    }
}
