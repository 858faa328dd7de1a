//! The single fields a command's step reads (a reason, a date, an answer),
//! checked one at a time: the clean value, or that field's error.

use crate::error::StoreError;

/// A required text of at most `max` characters, trimmed, or the field's error.
pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<String, StoreError> {
    let mut e = domain::validate::Errors::default();
    let v = e.required_text(field, value, max);
    e.finish().map_err(StoreError::Invalid)?;
    Ok(v)
}

/// A required text of several lines, trimmed, or the field's error.
pub(crate) fn prose(field: &'static str, value: &str, max: usize) -> Result<String, StoreError> {
    let mut e = domain::validate::Errors::default();
    let v = e.required_prose(field, value, max);
    e.finish().map_err(StoreError::Invalid)?;
    Ok(v)
}

/// A date written `YYYY-MM-DD`, or the field's error.
pub(crate) fn date(field: &'static str, value: &str) -> Result<String, StoreError> {
    let v = value.trim();
    if domain::proposals::is_valid_date(v) {
        Ok(v.to_string())
    } else {
        Err(StoreError::invalid(field, "invalid_date"))
    }
}
