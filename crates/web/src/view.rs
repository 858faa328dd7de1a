//! Building blocks of pages: the chrome around every page (language,
//! navigation, CSRF token), form fields and list tables.

use crate::ctx::Ctx;
use crate::i18n::Tr;
use domain::platform::Role;
use domain::validate::FieldError;
use std::borrow::Cow;
use std::collections::HashMap;

/// One navigation entry.
pub struct Nav {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The sections of a committee's organisation and administration, under
/// `/admin`: (address, label key, description key). They share one entry
/// in the main navigation (nineteen entries did not fit a laptop's width)
/// and are listed on its page and in a second row of navigation on theirs.
pub const ORGANISATION: [(&str, &str, &str); 9] = [
    (
        "/admin/committees",
        "nav.committees",
        "organisation.committees",
    ),
    ("/admin/sectors", "nav.sectors", "organisation.sectors"),
    (
        "/admin/special-committees",
        "nav.special_committees",
        "organisation.special_committees",
    ),
    ("/admin/parties", "nav.parties", "organisation.parties"),
    ("/admin/units", "nav.units", "organisation.units"),
    ("/admin/studios", "nav.studios", "organisation.studios"),
    (
        "/admin/liaison-groups",
        "nav.liaison_groups",
        "organisation.liaison_groups",
    ),
    ("/admin/members", "nav.members", "organisation.members"),
    ("/admin/users", "nav.users", "organisation.users"),
];

/// The audit trail's section, for administrators only.
pub const AUDIT_SECTION: (&str, &str, &str) =
    ("/admin/events", "nav.events", "organisation.events");

/// Whether the actor runs or leads a committee (admin, staff or leader):
/// they see its work areas and its organisation.
fn oversees(a: &domain::platform::Actor) -> bool {
    a.has_role(Role::Admin) || a.has_role(Role::Staff) || a.has_role(Role::Leader)
}

/// The organisation's sections this actor works in: none for those who do
/// not oversee a committee, the audit trail for administrators.
pub fn organisation_sections(
    a: &domain::platform::Actor,
) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    if oversees(a) {
        out.extend(ORGANISATION);
    }
    if a.has_role(Role::Admin) {
        out.push(AUDIT_SECTION);
    }
    out
}

/// What every page shows around its content.
pub struct Chrome {
    pub t: Tr,
    pub csrf: String,
    /// The signed-in user's display name.
    pub user: Option<String>,
    pub nav: Vec<Nav>,
    /// On the organisation's pages, its sections: a second row of navigation.
    pub sub_nav: Vec<Nav>,
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
        let mut sub_nav = Vec::new();
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
            let oversees = oversees(a);
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
            let sections = organisation_sections(a);
            if !sections.is_empty() {
                add("/admin", "nav.organisation");
            }
            if path == "/admin" || path.starts_with("/admin/") || path.starts_with("/admin?") {
                sub_nav = sections
                    .iter()
                    .map(|&(href, key, _)| Nav {
                        href,
                        label: t.s(key),
                        current: path.starts_with(href),
                    })
                    .collect();
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
            sub_nav,
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

impl Chrome {
    /// The navigation's entries as HTML, for `{{ c.nav_html()|safe }}`: on
    /// every page, up to a dozen entries of seven pieces each.
    pub fn nav_html(&self) -> Prerendered {
        entries_html(&self.nav)
    }

    /// The organisation's sections as HTML, for `{{ c.sub_nav_html()|safe }}`.
    pub fn sub_nav_html(&self) -> Prerendered {
        entries_html(&self.sub_nav)
    }
}

/// Navigation entries as list items, the current one marked.
fn entries_html(entries: &[Nav]) -> Prerendered {
    let mut out = String::with_capacity(64 * entries.len());
    for n in entries {
        out.push_str("<li><a href=\"");
        push_escaped(&mut out, n.href);
        out.push('"');
        if n.current {
            out.push_str(" aria-current=\"page\"");
        }
        out.push('>');
        push_escaped(&mut out, n.label);
        out.push_str("</a></li>");
    }
    Prerendered(out)
}

/// An option of a select field: (value, label). Codes and catalogue labels
/// are borrowed, so the option lists of a page's filters copy nothing.
pub type Choice = (Cow<'static, str>, Cow<'static, str>);

/// One form field as the generic templates draw it.
pub struct Field {
    /// Usually a fixed name; a rubric's score fields are named after its criteria.
    pub name: std::borrow::Cow<'static, str>,
    pub label: std::borrow::Cow<'static, str>,
    /// `text`, `number`, `email`, `tel`, `password`, `select`, `checkbox` or `multi`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
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
    pub fn select<V, L>(
        name: &'static str,
        label: &'static str,
        value: impl Into<String>,
        options: impl IntoIterator<Item = (V, L)>,
    ) -> Self
    where
        V: Into<Cow<'static, str>>,
        L: Into<Cow<'static, str>>,
    {
        Field {
            kind: "select",
            options: options
                .into_iter()
                .map(|(v, l)| (v.into(), l.into()))
                .collect(),
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

    /// The options of a select field as HTML (`{{ f.options_html()|safe }}`),
    /// the chosen ones marked. A filter form has a hundred or so options;
    /// written here in one piece they cost a fraction of what the template's
    /// six writes per option, each through the formatter, did.
    pub fn options_html(&self) -> Prerendered {
        let several = self.kind == "multiselect";
        let size: usize = self.options.iter().map(|(v, l)| v.len() + l.len()).sum();
        let mut out = String::with_capacity(size + 32 * self.options.len());
        for (value, label) in &self.options {
            out.push_str("<option value=\"");
            push_escaped(&mut out, value);
            out.push('"');
            let chosen = if several {
                self.has(value)
            } else {
                *value == self.value
            };
            if chosen {
                out.push_str(" selected");
            }
            out.push('>');
            push_escaped(&mut out, label);
            out.push_str("</option>");
        }
        Prerendered(out)
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

/// HTML that Rust code wrote, escaped, for a template to write whole with
/// `|safe`: for the parts of hot pages with many small pieces (rows, options),
/// where each piece through the template is several writes through the
/// formatter.
pub struct Prerendered(pub String);

impl std::fmt::Display for Prerendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::FastWritable for Prerendered {
    fn write_into(
        &self,
        dest: &mut dyn std::fmt::Write,
        _: &dyn askama::Values,
    ) -> askama::Result<()> {
        Ok(dest.write_str(&self.0)?)
    }
}

/// Appends `text` escaped for HTML.
pub fn push_escaped(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = crate::escape::write_escaped(out, text);
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

/// A table cell: its text and an optional link. The text is borrowed where
/// it can be (a cached record's title, a catalogue's label), since a list
/// page has a hundred cells.
pub type Cell<'a> = (Cow<'a, str>, Option<String>);

/// A cell without a link.
pub fn cell<'a>(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    (s.into(), None)
}

/// A cell that links somewhere.
pub fn link<'a>(s: impl Into<Cow<'a, str>>, href: String) -> Cell<'a> {
    (s.into(), Some(href))
}

/// A table's rows as HTML, each ended by a newline: a page of twenty rows is
/// some four hundred pieces, each several formatter writes in a template.
/// Each cell carries its column's header as `data-label`, which a phone's
/// narrow screen shows beside the value when the rows become cards.
pub fn rows_html(headers: &[&str], rows: &[Vec<Cell<'_>>]) -> Prerendered {
    let size: usize = rows
        .iter()
        .flatten()
        .map(|(text, href)| text.len() + href.as_ref().map_or(0, |h| h.len() + 15) + 9)
        .sum();
    let labels: usize = headers.iter().map(|h| h.len() + 15).sum();
    let mut out = String::with_capacity(size + (10 + labels) * rows.len());
    for row in rows {
        out.push_str("<tr>");
        for (i, (text, href)) in row.iter().enumerate() {
            match headers.get(i) {
                Some(label) => {
                    out.push_str("<td data-label=\"");
                    push_escaped(&mut out, label);
                    out.push_str("\">");
                }
                None => out.push_str("<td>"),
            }
            match href {
                Some(href) => {
                    out.push_str("<a href=\"");
                    push_escaped(&mut out, href);
                    out.push_str("\">");
                    push_escaped(&mut out, text);
                    out.push_str("</a>");
                }
                None => push_escaped(&mut out, text),
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    Prerendered(out)
}

/// A page's rows rendered, kept beside the answer they were read from (see
/// `store::page::Page::source`) for each language: a list reloaded while
/// nothing changed writes its rows from memory instead of building, looking
/// up and escaping every cell again (a fifth of a cached list page's work).
/// `area` names the list (its `headers` follow from it and the language);
/// `build` makes the cells from the page's items alone, so that the rows
/// are the same whoever asks.
pub async fn kept_rows<'a, T>(
    db: &store::Db,
    t: Tr,
    area: &str,
    headers: &[&str],
    page: &store::page::Page<T>,
    build: impl FnOnce() -> Vec<Vec<Cell<'a>>>,
) -> Result<std::sync::Arc<Prerendered>, store::StoreError> {
    let render = || rows_html(headers, &build());
    match &page.source {
        Some(source) => {
            let key = format!("{area}.rows\u{1f}{}\u{1f}{source}", t.tag());
            db.cached(key, || async { Ok(render()) }).await
        }
        None => Ok(std::sync::Arc::new(render())),
    }
}

/// `base/id`, as a list links each row (`/proposals/42`): `format!` costs
/// several times more, twenty times a page.
pub fn record_path(base: &str, id: i64) -> String {
    let mut digits = [0u8; 20];
    let mut n = id.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(base.len() + 2 + digits.len() - at);
    out.push_str(base);
    out.push('/');
    if id < 0 {
        out.push('-');
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
    out
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

/// A list's filters as a query string: the parameters that are set, in
/// order, without the page (what a list's downloads carry).
pub fn filters_query(params: &[(&str, String)]) -> String {
    let set: Vec<&(&str, String)> = params
        .iter()
        .filter(|(k, v)| *k != "page" && !v.is_empty())
        .collect();
    serde_urlencoded::to_string(set).unwrap_or_default()
}

/// Builds `path?query` for page `n` of a list, keeping the other parameters.
pub fn page_link(path: &str, params: &[(&str, String)], page: i64) -> String {
    match filters_query(params) {
        f if f.is_empty() => format!("{path}?page={page}"),
        f => format!("{path}?{f}&page={page}"),
    }
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
    empty: Option<&'static str>,
) -> Vec<Choice> {
    let mut v: Vec<Choice> = Vec::with_capacity(all.len() + 1);
    v.extend(empty.map(|e| (Cow::Borrowed(""), Cow::Borrowed(e))));
    v.extend(
        all.iter()
            .map(|x| (Cow::Borrowed(code(*x)), t.code_label(prefix, code(*x)))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_carry_their_set_filters_but_not_their_page() {
        let params = [
            ("committee_id", "3".to_string()),
            ("q", "电梯 & 停车".to_string()),
            ("state", String::new()),
            ("page", "4".to_string()),
            ("sort", "newest".to_string()),
        ];
        let filters = "committee_id=3&q=%E7%94%B5%E6%A2%AF+%26+%E5%81%9C%E8%BD%A6&sort=newest";
        assert_eq!(filters_query(&params), filters);
        assert_eq!(
            page_link("/proposals", &params, 5),
            format!("/proposals?{filters}&page=5")
        );
        assert_eq!(page_link("/proposals", &[], 2), "/proposals?page=2");
        assert_eq!(filters_query(&[("state", String::new())]), "");
    }

    #[test]
    fn record_paths_are_what_format_writes() {
        for id in [0, 1, 9, 10, 42, 24562, 1_000_000, i64::MAX, -7, i64::MIN] {
            assert_eq!(record_path("/proposals", id), format!("/proposals/{id}"));
        }
    }

    #[test]
    fn rows_are_written_escaped_with_their_links() {
        let rows = vec![
            vec![
                cell("十三届-0001"),
                link("A & <B>", "/proposals/1?a=1&b=2".into()),
            ],
            vec![cell(String::from("\"q\"")), cell("")],
        ];
        // Each cell is labelled with its column's header, escaped; a cell
        // beyond the headers has no label.
        assert_eq!(
            rows_html(&["编号", "标题 \"&\""], &rows).to_string(),
            "<tr><td data-label=\"编号\">十三届-0001</td><td data-label=\"标题 &#34;&#38;&#34;\"><a href=\"/proposals/1?a=1&#38;b=2\">A &#38; &#60;B&#62;</a></td></tr>\n\
             <tr><td data-label=\"编号\">&#34;q&#34;</td><td data-label=\"标题 &#34;&#38;&#34;\"></td></tr>\n"
        );
        assert_eq!(
            rows_html(&["编号"], &rows[1..]).to_string(),
            "<tr><td data-label=\"编号\">&#34;q&#34;</td><td></td></tr>\n"
        );
        assert_eq!(rows_html(&["编号"], &[]).to_string(), "");
    }

    #[test]
    fn navigation_marks_the_current_entry() {
        let chrome = Chrome {
            t: Tr::default(),
            csrf: String::new(),
            user: None,
            nav: vec![
                Nav {
                    href: "/",
                    label: "首页",
                    current: false,
                },
                Nav {
                    href: "/proposals?a=1&b=2",
                    label: "提案 <",
                    current: true,
                },
            ],
            sub_nav: vec![],
            path: String::new(),
            flash: None,
            unread: 0,
        };
        assert_eq!(
            chrome.nav_html().to_string(),
            "<li><a href=\"/\">首页</a></li>\
             <li><a href=\"/proposals?a=1&#38;b=2\" aria-current=\"page\">提案 &#60;</a></li>"
        );
    }

    #[test]
    fn options_are_written_escaped_with_the_chosen_ones_marked() {
        let f = Field::select(
            "unit_id",
            "单位",
            "2",
            [
                ("", "全部"),
                ("1", "省教育厅"),
                ("2", "A & B <局>"),
                ("\"3\"", "x"),
            ],
        );
        assert_eq!(
            f.options_html().to_string(),
            "<option value=\"\">全部</option><option value=\"1\">省教育厅</option>\
             <option value=\"2\" selected>A &#38; B &#60;局&#62;</option>\
             <option value=\"&#34;3&#34;\">x</option>"
        );
        let mut several =
            Field::select("units", "单位", "1,3", [("1", "a"), ("2", "b"), ("3", "c")]);
        several.kind = "multiselect";
        assert_eq!(
            several.options_html().to_string(),
            "<option value=\"1\" selected>a</option><option value=\"2\">b</option>\
             <option value=\"3\" selected>c</option>"
        );
        let mut none = Field::select("x", "x", "", Vec::<(String, String)>::new());
        none.value = "1".into();
        assert_eq!(none.options_html().to_string(), "");
    }
}
