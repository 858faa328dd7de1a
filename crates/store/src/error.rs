//! The store's errors. Each carries a stable code that the web layer turns
//! into a message in the user's language.

use domain::validate::FieldError;

/// What can go wrong in a store command.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist, or the caller may not know that it does.
    #[error("not found")]
    NotFound,
    /// The caller may see the record but not do this to it.
    #[error("forbidden")]
    Forbidden,
    /// Some fields are invalid.
    #[error("invalid fields: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The action conflicts with the record's state (a stale version, a name
    /// already taken, an action not allowed now).
    #[error("conflict: {code}")]
    Conflict {
        /// Stable code, e.g. `stale_version`, `duplicate_name`.
        code: &'static str,
        /// The record's current version or state, where that helps the caller.
        current: Option<String>,
    },
    /// Wrong user name or password, or a disabled account: deliberately one error.
    #[error("bad credentials")]
    BadCredentials,
    /// Too many attempts (failed logins, a flooded public form): try again
    /// after this many seconds.
    #[error("throttled for {0} s")]
    Throttled(i64),
    /// A create was already done under this idempotency key: here is its answer.
    #[error("idempotent replay")]
    Replay {
        /// The HTTP status first answered.
        status: u16,
        /// The body first answered.
        body: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Anything else internal (serialisation, hashing).
    #[error("internal: {0}")]
    Internal(String),
}

impl StoreError {
    /// A single invalid field.
    pub fn invalid(field: &'static str, code: &'static str) -> Self {
        StoreError::Invalid(vec![FieldError { field, code }])
    }

    /// A lifecycle machine's refusal as the caller sees it: 403 for a part
    /// that may never take the step, 409 naming the state it is in, or 409
    /// with the machine's code. `name` gives the state's stable code.
    pub fn refused<S>(r: domain::proposals::Refusal<S>, name: fn(S) -> &'static str) -> Self {
        use domain::proposals::Refusal;
        match r {
            Refusal::Forbidden => StoreError::Forbidden,
            Refusal::WrongState(s) => StoreError::Conflict {
                code: "wrong_state",
                current: Some(name(s).to_string()),
            },
            Refusal::Conflict(code) => StoreError::Conflict {
                code,
                current: None,
            },
        }
    }

    /// A stale version, naming the current one.
    pub fn stale(current: i64) -> Self {
        StoreError::Conflict {
            code: "stale_version",
            current: Some(current.to_string()),
        }
    }

    /// Whether a database error is a unique-constraint violation.
    pub fn is_unique_violation(e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Database(d) => d.is_unique_violation(),
            _ => false,
        }
    }
}

/// Maps a unique-constraint violation to a conflict with `code`, other errors as they are.
pub fn unique_as(code: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| {
        if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                code,
                current: None,
            }
        } else {
            StoreError::Db(e)
        }
    }
}
