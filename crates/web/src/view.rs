//! Building blocks of pages: the chrome around every page (language,
//! navigation, CSRF token), form fields and list tables.

use crate::ctx::Ctx;
use crate::i18n::Tr;
use domain::platform::Role;
use domain::validate::FieldError;
use std::collections::HashMap;

/// One navigation entry.
pub struct Nav {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page shows around its content.
pub struct Chrome {
    pub t: Tr,
    pub csrf: String,
    /// The signed-in user's display name.
    pub user: Option<String>,
    pub nav: Vec<Nav>,
    /// The current path with query, so the language switch can come back here.
    pub path: String,
    pub flash: Option<String>,
    /// Unread notifications, on the bell.
    pub unread: i64,
}

impl Chrome {
    /// The chrome for a request to `path`, with navigation by the user's roles.
    pub fn new(ctx: &Ctx, path: &str) -> Self {
        let t = ctx.tr();
        let mut nav = Vec::new();
        if let Some(u) = &ctx.user {
            let a = &u.actor;
            let is = |r: Role| a.has_role(r);
            let mut add = |href: &'static str, key: &'static str| {
                let current = if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                };
                nav.push(Nav {
                    href,
                    label: t.s(key),
                    current,
                });
            };
            // Each role sees the areas it works in (a citizen: only the
            // public ones and their own input).
            let oversees = is(Role::Admin) || is(Role::Staff) || is(Role::Leader);
            let member = is(Role::Member);
            add("/", "nav.home");
            if oversees || member || is(Role::UnitOfficer) {
                add("/proposals", "nav.proposals");
            }
            if oversees || member {
                add("/opinions", "nav.opinions");
                add("/consultations", "nav.consultations");
            }
            add("/deliberations", "nav.deliberations");
            if oversees {
                add("/admin/committees", "nav.committees");
                add("/admin/sectors", "nav.sectors");
                add("/admin/special-committees", "nav.special_committees");
                add("/admin/parties", "nav.parties");
                add("/admin/units", "nav.units");
                add("/admin/studios", "nav.studios");
                add("/admin/liaison-groups", "nav.liaison_groups");
                add("/admin/members", "nav.members");
                add("/admin/users", "nav.users");
            }
            if is(Role::Admin) {
                add("/admin/events", "nav.events");
            }
            add("/public/proposals", "public.answers");
            add("/studios", "nav.voice");
            add("/inputs", "nav.inputs");
            add("/account", "nav.account");
        } else {
            for (href, key) in [
                ("/public/proposals", "public.answers"),
                ("/deliberations", "nav.deliberations"),
                ("/studios", "nav.voice"),
                ("/inputs", "nav.inputs"),
            ] {
                nav.push(Nav {
                    href,
                    label: t.s(key),
                    current: path.starts_with(href),
                });
            }
        }
        Chrome {
            t,
            csrf: ctx.csrf.clone(),
            user: ctx.user.as_ref().map(|u| u.user.display_name.clone()),
            nav,
            path: path.to_string(),
            flash: None,
            unread: ctx.user.as_ref().map_or(0, |u| u.unread),
        }
    }

    /// The same chrome with a status message.
    pub fn with_flash(mut self, msg: Option<String>) -> Self {
        self.flash = msg;
        self
    }
}

/// One form field as the generic templates draw it.
pub struct Field {
    /// Usually a fixed name; a rubric's score fields are named after its criteria.
    pub name: std::borrow::Cow<'static, str>,
    pub label: std::borrow::Cow<'static, str>,
    /// `text`, `number`, `email`, `tel`, `password`, `select`, `checkbox` or `multi`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
    pub required: bool,
    pub max: usize,
}

impl Field {
    /// A text field.
    pub fn text(
        name: impl Into<std::borrow::Cow<'static, str>>,
        label: impl Into<std::borrow::Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        Field {
            name: name.into(),
            label: label.into(),
            kind: "text",
            value: value.into(),
            options: vec![],
            error: None,
            required: false,
            max: 200,
        }
    }
    /// A choice among options (value, label).
    pub fn select(
        name: &'static str,
        label: &'static str,
        value: impl Into<String>,
        options: Vec<(String, String)>,
    ) -> Self {
        Field {
            kind: "select",
            options,
            max: 0,
            ..Field::text(name, label, value)
        }
    }
    /// A yes/no box.
    pub fn checkbox(name: &'static str, label: &'static str, on: bool) -> Self {
        Field {
            kind: "checkbox",
            max: 0,
            ..Field::text(name, label, if on { "true" } else { "false" })
        }
    }
    /// Whether a value is among the field's (comma-separated) values: for
    /// boxes that allow several choices.
    pub fn has(&self, v: &str) -> bool {
        self.value.split(',').any(|x| x == v)
    }

    /// Marks the field required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Sets the input type (`number`, `email`, `tel`, `password`, `multi`).
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
    /// Sets the maximum length.
    pub fn max(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

/// Attaches validation messages to the fields they name; returns the
/// messages of errors that name no field on the form.
pub fn attach_errors(t: Tr, fields: &mut [Field], errors: &[FieldError]) -> Vec<String> {
    let mut rest = Vec::new();
    for e in errors {
        let msg = t.code("error", e.code);
        match fields.iter_mut().find(|f| f.name == e.field) {
            Some(f) => f.error = Some(msg),
            None => rest.push(format!("{}: {msg}", e.field)),
        }
    }
    rest
}

/// Field errors as a map of field name to message.
pub fn error_map(t: Tr, errors: &[FieldError]) -> HashMap<String, String> {
    errors
        .iter()
        .map(|e| (e.field.to_string(), t.code("error", e.code)))
        .collect()
}

/// A table cell: its text and an optional link.
pub type Cell = (String, Option<String>);

/// A cell without a link.
pub fn cell(s: impl Into<String>) -> Cell {
    (s.into(), None)
}

/// A cell that links somewhere.
pub fn link(s: impl Into<String>, href: String) -> Cell {
    (s.into(), Some(href))
}

/// Turns an optional number typed in a form into a value, or a field error.
pub fn parse_opt_i64(field: &'static str, s: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError {
                field,
                code: "not_a_number",
            });
            None
        }
    }
}

/// A query parameter's text, trimmed; `None` when absent or blank.
pub fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Builds `path?query` for page `n` of a list, keeping the other parameters.
pub fn page_link(path: &str, params: &[(&str, String)], page: i64) -> String {
    let mut q: Vec<(&str, String)> = params
        .iter()
        .filter(|(k, v)| *k != "page" && !v.is_empty())
        .cloned()
        .collect();
    q.push(("page", page.to_string()));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&q).unwrap_or_default()
    )
}

/// A step the user may take now, with its form fields.
pub struct StepForm {
    pub name: &'static str,
    pub label: String,
    pub fields: Vec<Field>,
}

/// What a page of steps shows after a refused step: each step's form takes the
/// errors of its own fields, the rest go into the alert; a conflict or a
/// refusal is explained in the alert. Answers the alert and the status.
pub fn step_problem(
    ctx: &crate::ctx::Ctx,
    steps: &mut [StepForm],
    err: Option<&store::StoreError>,
) -> (Option<String>, axum::http::StatusCode) {
    use axum::http::StatusCode;
    use store::StoreError;
    let t = ctx.tr();
    match err {
        Some(StoreError::Invalid(errors)) => {
            for s in steps.iter_mut() {
                attach_errors(t, &mut s.fields, errors);
            }
            let rest: Vec<String> = errors
                .iter()
                .filter(|e| {
                    !steps
                        .iter()
                        .any(|s| s.fields.iter().any(|f| f.name == e.field))
                })
                .map(|e| format!("{}: {}", e.field, t.code("error", e.code)))
                .collect();
            let alert = if rest.is_empty() {
                t.s("form.fix_errors").to_string()
            } else {
                rest.join("; ")
            };
            (Some(alert), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Some(StoreError::Conflict { code, current }) => {
            let e = crate::error::WebError::Store(StoreError::Conflict {
                code,
                current: current.clone(),
            });
            (
                Some(crate::problem::of(ctx, &e).detail),
                StatusCode::CONFLICT,
            )
        }
        Some(StoreError::Forbidden) => (
            Some(t.s("problem_detail.forbidden").to_string()),
            StatusCode::FORBIDDEN,
        ),
        _ => (None, StatusCode::OK),
    }
}

/// The options of a coded field: (code, its label in the user's language),
/// after an optional empty choice.
pub fn choices<T: Copy>(
    t: crate::i18n::Tr,
    prefix: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    empty: Option<&str>,
) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = empty
        .map(|e| (String::new(), e.to_string()))
        .into_iter()
        .collect();
    v.extend(
        all.iter()
            .map(|x| (code(*x).to_string(), t.code(prefix, code(*x)))),
    );
    v
}

/// A record's audit trail as its page's timeline: (minute in UTC, actor,
/// what), each action named by `label`.
pub async fn timeline(
    db: &store::Db,
    record_type: &str,
    id: i64,
    label: impl Fn(&str) -> String,
) -> Result<Vec<(String, String, String)>, store::StoreError> {
    Ok(store::audit::of_record(db, record_type, id)
        .await?
        .into_iter()
        .map(|e| {
            let minute = store::clock::rfc3339(e.created_at)
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " ");
            let what = label(&e.action);
            (minute, e.actor, what)
        })
        .collect())
}

/// The step an audit action records, as the step is named in the API:
/// `opinion.start_editing` is `start-editing`.
pub fn step_of(action: &str) -> String {
    action
        .split_once('.')
        .map_or(action, |(_, step)| step)
        .replace('_', "-")
}

/// A urlencoded form body as its name–value pairs, in order: unlike the
/// plain form decoder it keeps every value of a repeated name (a multiple
/// choice).
pub struct FormPairs(Vec<(String, String)>);

impl FormPairs {
    /// Reads a form body; one that is not urlencoded is malformed.
    pub fn parse(body: &[u8]) -> Result<FormPairs, crate::error::WebError> {
        serde_urlencoded::from_bytes(body)
            .map(FormPairs)
            .map_err(|e| crate::error::WebError::Malformed(e.to_string()))
    }

    /// The first value of `name`, unless it is blank.
    pub fn one(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    }

    /// Every value of `name`, as sent.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name` as a whole number, or its error recorded.
    pub fn number(&self, name: &'static str, errors: &mut Vec<FieldError>) -> Option<i64> {
        self.one(name).and_then(|v| parse_opt_i64(name, &v, errors))
    }

    /// Every value of `name` as a whole number (record ids chosen in boxes),
    /// or `not_a_number` on that field.
    pub fn ids(&self, name: &'static str) -> Result<Vec<i64>, store::StoreError> {
        self.all(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| store::StoreError::invalid(name, "not_a_number"))
            })
            .collect()
    }

    /// The version a form was read at, if it sent one that is a number.
    pub fn version(&self) -> Option<i64> {
        self.one("version").and_then(|v| v.parse().ok())
    }

    /// Every `name=value` pair.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// After a change from a page: on success, on to `ok`; when the change was
/// refused for the user to see (invalid, conflicting, forbidden), the page
/// again with the problem (`again`); anything else is an error page.
pub async fn after<F, Fut>(
    r: Result<(), store::StoreError>,
    ok: String,
    again: F,
) -> crate::error::WebResult<axum::response::Response>
where
    F: FnOnce(store::StoreError) -> Fut,
    Fut: std::future::Future<Output = crate::error::WebResult<axum::response::Response>>,
{
    use axum::response::IntoResponse;
    use store::StoreError;
    match r {
        Ok(()) => Ok(axum::response::Redirect::to(&ok).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            again(e).await
        }
        Err(e) => Err(e.into()),
    }
}
