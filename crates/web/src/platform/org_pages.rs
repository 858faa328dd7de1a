//! Admin pages for committees and the bodies inside them.

use super::pages::{PageCtx, html};
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::{Cell, Chrome, Field, attach_errors, cell, link, page_link, parse_opt_i64};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::platform::{BodyInput, BodyKind, CommitteeInput, Level, Permission};
use domain::validate::FieldError;
use serde::Deserialize;
use store::page::PageRequest;
use store::platform::{bodies, committees};
use store::{Caller, StoreError};

/// The organisation's page: its sections, each with what it holds.
#[derive(Template)]
#[template(path = "organisation.html")]
struct Organisation {
    c: Chrome,
    /// (address, name, what it holds)
    sections: Vec<(&'static str, &'static str, &'static str)>,
}

/// `GET /admin`: the sections of the organisation the user may manage.
pub async fn organisation(PageCtx(ctx): PageCtx) -> WebResult<Response> {
    let u = ctx.signed_in()?;
    let t = ctx.tr();
    let sections: Vec<_> = crate::view::organisation_sections(&u.actor)
        .into_iter()
        .map(|(href, name, about)| (href, t.s(name), t.s(about)))
        .collect();
    if sections.is_empty() {
        return Err(StoreError::Forbidden.into());
    }
    html(Organisation {
        c: Chrome::new(&ctx, "/admin"),
        sections,
    })
}

/// The generic list page.
#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage<'a> {
    pub c: Chrome,
    pub title: String,
    pub path: String,
    pub new_link: Option<String>,
    pub filters: Vec<Field>,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell<'a>>>,
    /// The rows already rendered (and kept, see [`crate::view::kept_rows`]),
    /// written instead of `rows`.
    pub rendered_rows: Option<std::sync::Arc<crate::view::Prerendered>>,
    pub total: i64,
    pub pager: Pager,
    /// Downloads of the list as it is filtered: (label, address).
    pub links: Vec<(String, String)>,
    /// Pages next to this one: (label, address).
    pub related: Vec<(String, String)>,
}

/// Where a list is among its pages, with links to the neighbours.
#[derive(Default)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// One page of `items`, `per_page` to a page, with its pager: the page
    /// asked for (the first by default, the last for one past it), and
    /// `link` giving each page's address. For pages that hold their whole
    /// list and show a part of it.
    pub fn page_of<T>(
        items: Vec<T>,
        asked: Option<i64>,
        per_page: i64,
        link: impl Fn(i64) -> String,
    ) -> (Vec<T>, Pager) {
        let pages = ((items.len() as i64 + per_page - 1) / per_page).max(1);
        let page = store::page::PageRequest::new(asked, Some(per_page))
            .page
            .min(pages);
        let shown = items
            .into_iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .collect();
        let pager = Pager {
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        };
        (shown, pager)
    }
}

impl ListPage<'_> {
    /// The table's rows as HTML, for `{{ rows_html()|safe }}`.
    pub fn rows_html(&self) -> std::sync::Arc<crate::view::Prerendered> {
        match &self.rendered_rows {
            Some(html) => html.clone(),
            None => std::sync::Arc::new(crate::view::rows_html(&self.headers, &self.rows)),
        }
    }

    /// Whether there are filters besides the search box: on a phone they
    /// fold under one line, so that the list starts on the first screen.
    pub fn has_fold(&self) -> bool {
        self.filters.iter().any(|f| f.name != "q")
    }

    /// How many of the folded filters narrow the list now (the committee
    /// chosen does not count: there always is one). A fold that narrows is
    /// shown open and says how many.
    pub fn narrowing(&self) -> usize {
        self.filters
            .iter()
            .filter(|f| f.name != "q" && f.name != "committee_id")
            .filter(|f| !f.value.is_empty() && f.value != "false")
            .count()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        match &self.rendered_rows {
            Some(html) => html.0.is_empty(),
            None => self.rows.is_empty(),
        }
    }

    /// Takes the total and the pager from a page of results; `params` are
    /// the list's other query parameters, kept in the page links.
    pub fn paged<T>(mut self, p: &store::page::Page<T>, params: &[(&str, String)]) -> Self {
        let (page, pages) = (p.page, p.pages());
        self.total = p.total;
        self.pager = Pager {
            page,
            pages,
            prev: (page > 1).then(|| page_link(&self.path, params, page - 1)),
            next: (page < pages).then(|| page_link(&self.path, params, page + 1)),
        };
        self
    }
}

/// The filters most lists start with: which committee, and a search box.
pub fn committee_and_search(
    t: Tr,
    committee_id: i64,
    options: Vec<(String, String)>,
    q: &Option<String>,
) -> Vec<Field> {
    vec![
        Field::select(
            "committee_id",
            t.s("field.committee"),
            committee_id.to_string(),
            options,
        ),
        Field::text("q", t.s("list.search"), q.clone().unwrap_or_default()).kind("search"),
    ]
}

/// The generic form page.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub c: Chrome,
    pub title: String,
    pub back: String,
    pub action: String,
    pub alert: Option<String>,
    pub version: Option<i64>,
    pub fields: Vec<Field>,
    pub submit: &'static str,
}

impl FormPage {
    /// Renders the form; with errors, attaches them and answers 422 (or 409 for a conflict).
    pub fn respond(mut self, t: Tr, err: Option<&StoreError>) -> WebResult<Response> {
        let status = match err {
            Some(StoreError::Invalid(errors)) => {
                let rest = attach_errors(t, &mut self.fields, errors);
                self.alert = Some(if rest.is_empty() {
                    t.s("form.fix_errors").to_string()
                } else {
                    rest.join("; ")
                });
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Some(StoreError::Conflict { code, .. }) => {
                self.alert = Some(t.code("problem", code));
                StatusCode::CONFLICT
            }
            _ => StatusCode::OK,
        };
        let mut r = html(self)?;
        *r.status_mut() = status;
        Ok(r)
    }
}

/// The committee a list shows: the one asked for, else the caller's first.
pub fn chosen_committee(ctx: &Ctx, asked: Option<i64>) -> WebResult<i64> {
    let u = ctx.signed_in()?;
    Ok(asked.unwrap_or_else(|| {
        u.actor
            .committees()
            .first()
            .copied()
            .unwrap_or(u.user.committee_id)
    }))
}

/// Every committee with its scope, loaded once for a list page: it gives the
/// committee choices and whether the caller administers the one shown.
pub struct CommitteeTree(
    std::sync::Arc<
        Vec<(
            store::platform::committees::Committee,
            domain::platform::Scope,
        )>,
    >,
);

impl CommitteeTree {
    /// Loads the tree.
    pub async fn load(state: &AppState) -> WebResult<Self> {
        Ok(CommitteeTree(committees::all_with_scopes(&state.db).await?))
    }

    /// Options for choosing among the committees where the caller has `permission`.
    pub fn options(&self, caller: &Caller, permission: Permission) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(_, s)| caller.may(permission, s))
            .map(|(c, s)| {
                (
                    c.id.to_string(),
                    format!("{}{}", "— ".repeat(s.path.len() - 1), c.name),
                )
            })
            .collect()
    }

    /// Whether the caller has `permission` in committee `id`.
    pub fn may(&self, caller: &Caller, permission: Permission, id: i64) -> bool {
        self.0
            .iter()
            .any(|(c, s)| c.id == id && caller.may(permission, s))
    }
}

/// Checks, before a form is shown, that the caller administers the committee
/// it would create in: 404 for a committee the caller may not see, 403 for
/// one they see but do not run.
pub async fn require_admin(state: &AppState, caller: &Caller, committee_id: i64) -> WebResult<()> {
    let scope = committees::scope(&state.db, committee_id)
        .await?
        .ok_or(WebError::NoRoute)?;
    caller.require(Permission::Administer, &scope)?;
    Ok(())
}

/// Options for choosing a committee among those the caller may see.
pub async fn committee_options(
    state: &AppState,
    caller: &Caller,
    permission: Permission,
) -> WebResult<Vec<(String, String)>> {
    Ok(committees::all_with_scopes(&state.db)
        .await?
        .iter()
        .filter(|(_, s)| caller.may(permission, s))
        .map(|(c, s)| {
            (
                c.id.to_string(),
                format!("{}{}", "— ".repeat(s.path.len() - 1), c.name),
            )
        })
        .collect())
}

// ---- committees ----

/// The tree of committees the caller may see.
pub async fn committees_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let list = committees::list(&state.db, &caller).await?;
    let may_create = list
        .iter()
        .any(|(_, s)| caller.may(Permission::Administer, s));
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|(c, s)| {
            let name = format!("{}{}", "— ".repeat(s.path.len() - 1), c.name);
            let name = if caller.may(Permission::Administer, s) {
                link(name, format!("/admin/committees/{}", c.id))
            } else {
                cell(name)
            };
            vec![
                name,
                cell(c.short_name.clone().unwrap_or_default()),
                cell(t.code("level", &c.level)),
                cell(c.region_code.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let total = rows.len() as i64;
    html(ListPage {
        c: Chrome::new(&ctx, "/admin/committees"),
        title: t.s("nav.committees").into(),
        path: "/admin/committees".into(),
        new_link: may_create.then(|| "/admin/committees/new".to_string()),
        filters: vec![],
        headers: vec![
            t.s("field.name"),
            t.s("field.short_name"),
            t.s("field.level"),
            t.s("field.region_code"),
        ],
        rows,
        rendered_rows: None,
        total,
        pager: Pager::default(),
        related: vec![],
        links: Vec::new(),
    })
}

#[derive(Deserialize, Default)]
pub struct CommitteeHtmlForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    region_code: String,
    version: Option<i64>,
}

fn level_options(t: Tr) -> Vec<(String, String)> {
    Level::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), t.code("level", l.as_str())))
        .collect()
}

async fn committee_form(
    state: &AppState,
    ctx: &Ctx,
    f: &CommitteeHtmlForm,
    id: Option<i64>,
) -> WebResult<FormPage> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let mut fields = vec![
        Field::text("name", t.s("field.name"), &f.name)
            .required()
            .max(100),
        Field::text("short_name", t.s("field.short_name"), &f.short_name).max(30),
        Field::select("level", t.s("field.level"), &f.level, level_options(t)).required(),
        Field::text("region_code", t.s("field.region_code"), &f.region_code).max(12),
    ];
    if id.is_none() {
        let parents = committee_options(state, &caller, Permission::Administer).await?;
        fields.insert(
            2,
            Field::select("parent_id", t.s("field.parent"), &f.parent_id, parents).required(),
        );
    }
    Ok(FormPage {
        c: Chrome::new(ctx, "/admin/committees"),
        title: t
            .s(if id.is_some() {
                "committee.edit"
            } else {
                "committee.new"
            })
            .into(),
        back: "/admin/committees".into(),
        action: id.map_or("/admin/committees/new".into(), |i| {
            format!("/admin/committees/{i}")
        }),
        alert: None,
        version: f.version,
        fields,
        submit: t.s("action.save"),
    })
}

fn committee_input(f: &CommitteeHtmlForm) -> Result<CommitteeInput, StoreError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let parent_id = parse_opt_i64("parent_id", &f.parent_id, &mut errors);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok(CommitteeInput {
        name: f.name.clone(),
        short_name: Some(f.short_name.clone()),
        level: f.level.clone(),
        parent_id,
        region_code: Some(f.region_code.clone()),
    })
}

/// The form for a new committee.
pub async fn committee_new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    if committees::administered(&state.db, &caller)
        .await?
        .is_empty()
    {
        return Err(WebError::Store(StoreError::Forbidden));
    }
    let f = CommitteeHtmlForm {
        level: "county".into(),
        ..Default::default()
    };
    committee_form(&state, &ctx, &f, None)
        .await?
        .respond(ctx.tr(), None)
}

/// Creates a committee.
pub async fn committee_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CommitteeHtmlForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = match committee_input(&f) {
        Ok(input) => committees::create(&state.db, &caller, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/committees").into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            committee_form(&state, &ctx, &f, None)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form to edit a committee.
pub async fn committee_edit_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let c = committees::get(&state.db, &caller, id).await?;
    let scope = committees::scope(&state.db, id)
        .await?
        .ok_or(WebError::NoRoute)?;
    caller.require(Permission::Administer, &scope)?;
    let f = CommitteeHtmlForm {
        name: c.name,
        short_name: c.short_name.unwrap_or_default(),
        level: c.level,
        parent_id: String::new(),
        region_code: c.region_code.unwrap_or_default(),
        version: Some(c.version),
    };
    committee_form(&state, &ctx, &f, Some(id))
        .await?
        .respond(ctx.tr(), None)
}

/// Saves a committee.
pub async fn committee_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CommitteeHtmlForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = match committee_input(&f) {
        Ok(input) => {
            committees::update(
                &state.db,
                &caller,
                id,
                &CommitteeInput {
                    parent_id: None,
                    ..input
                },
                f.version,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/committees").into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            committee_form(&state, &ctx, &f, Some(id))
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- bodies ----

/// The body kind a path segment names.
pub fn kind_of_segment(seg: &str) -> Option<BodyKind> {
    match seg {
        "sectors" => Some(BodyKind::Sector),
        "special-committees" => Some(BodyKind::SpecialCommittee),
        "parties" => Some(BodyKind::Party),
        "units" => Some(BodyKind::Unit),
        "studios" => Some(BodyKind::Studio),
        "liaison-groups" => Some(BodyKind::LiaisonGroup),
        _ => None,
    }
}

/// The path segment of a body kind.
pub fn segment_of(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Sector => "sectors",
        BodyKind::SpecialCommittee => "special-committees",
        BodyKind::Party => "parties",
        BodyKind::Unit => "units",
        BodyKind::Studio => "studios",
        BodyKind::LiaisonGroup => "liaison-groups",
    }
}

fn kind_title(t: Tr, kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Sector => t.s("nav.sectors"),
        BodyKind::SpecialCommittee => t.s("nav.special_committees"),
        BodyKind::Party => t.s("nav.parties"),
        BodyKind::Unit => t.s("nav.units"),
        BodyKind::Studio => t.s("nav.studios"),
        BodyKind::LiaisonGroup => t.s("nav.liaison_groups"),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    committee_id: Option<i64>,
    q: Option<String>,
    page: Option<i64>,
}

/// The bodies of one kind in a committee.
pub async fn bodies_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(seg): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let kind = kind_of_segment(&seg).ok_or(WebError::NoRoute)?;
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let page = bodies::list(
        &state.db,
        &caller,
        kind,
        committee_id,
        q.q.as_deref(),
        PageRequest::new(q.page, Some(50)),
    )
    .await?;
    let tree = CommitteeTree::load(&state).await?;
    let admin = tree.may(&caller, Permission::Administer, committee_id);
    let path = format!("/admin/{seg}");
    let rows = page
        .items
        .iter()
        .map(|b| {
            let name = if admin {
                link(b.name.clone(), format!("{path}/{}", b.id))
            } else {
                cell(b.name.clone())
            };
            vec![
                name,
                cell(b.short_name.clone().unwrap_or_default()),
                cell(
                    b.kind
                        .as_deref()
                        .map(|k| t.code("kind", k))
                        .unwrap_or_default(),
                ),
                cell(b.contact.clone().unwrap_or_default()),
                cell(t.s(if b.active { "common.yes" } else { "common.no" })),
            ]
        })
        .collect();
    let params = [
        ("committee_id", committee_id.to_string()),
        ("q", q.q.clone().unwrap_or_default()),
    ];
    html(
        ListPage {
            c: Chrome::new(&ctx, &path),
            title: kind_title(t, kind).into(),
            path: path.clone(),
            new_link: admin.then(|| format!("{path}/new?committee_id={committee_id}")),
            filters: committee_and_search(
                t,
                committee_id,
                tree.options(&caller, Permission::ReadOrganisation),
                &q.q,
            ),
            headers: vec![
                t.s("field.name"),
                t.s("field.short_name"),
                t.s("field.kind"),
                t.s("field.contact"),
                t.s("field.active"),
            ],
            rows,
            rendered_rows: None,
            total: 0,
            pager: Pager::default(),
            related: vec![],
            links: Vec::new(),
        }
        .paged(&page, &params),
    )
}

#[derive(Deserialize, Default)]
pub struct BodyHtmlForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sort_order: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    active: Option<String>,
    version: Option<i64>,
    committee_id: Option<i64>,
}

fn body_form(
    ctx: &Ctx,
    kind: BodyKind,
    f: &BodyHtmlForm,
    id: Option<i64>,
    committee_id: i64,
) -> FormPage {
    let t = ctx.tr();
    let seg = segment_of(kind);
    let mut fields = vec![
        Field::text("name", t.s("field.name"), &f.name)
            .required()
            .max(100),
        Field::text("short_name", t.s("field.short_name"), &f.short_name).max(30),
    ];
    if !kind.subtypes().is_empty() {
        let mut opts = vec![(String::new(), String::new())];
        opts.extend(
            kind.subtypes()
                .iter()
                .map(|k| (k.to_string(), t.code("kind", k))),
        );
        fields.push(Field::select("kind", t.s("field.kind"), &f.kind, opts).required());
    }
    fields.push(Field::text("sort_order", t.s("field.sort_order"), &f.sort_order).kind("number"));
    fields.push(Field::text("contact", t.s("field.contact"), &f.contact).max(200));
    fields.push(Field::checkbox(
        "active",
        t.s("field.active"),
        f.active.as_deref() != Some("false"),
    ));
    FormPage {
        c: Chrome::new(ctx, &format!("/admin/{seg}")),
        title: format!(
            "{} · {}",
            kind_title(t, kind),
            t.s(if id.is_some() {
                "action.edit"
            } else {
                "action.new"
            })
        ),
        back: format!("/admin/{seg}?committee_id={committee_id}"),
        action: id.map_or(
            format!("/admin/{seg}/new?committee_id={committee_id}"),
            |i| format!("/admin/{seg}/{i}"),
        ),
        alert: None,
        version: f.version,
        fields,
        submit: t.s("action.save"),
    }
}

fn body_input(f: &BodyHtmlForm) -> Result<BodyInput, StoreError> {
    let mut errors = Vec::new();
    let sort_order = parse_opt_i64("sort_order", &f.sort_order, &mut errors);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok(BodyInput {
        name: f.name.clone(),
        short_name: Some(f.short_name.clone()),
        kind: Some(f.kind.clone()),
        sort_order,
        contact: Some(f.contact.clone()),
        active: Some(f.active.as_deref() == Some("true")),
    })
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

/// The form for a new body.
pub async fn body_new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(seg): Path<String>,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let kind = kind_of_segment(&seg).ok_or(WebError::NoRoute)?;
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    require_admin(&state, &ctx.caller()?, committee_id).await?;
    body_form(&ctx, kind, &BodyHtmlForm::default(), None, committee_id).respond(ctx.tr(), None)
}

/// Creates a body.
pub async fn body_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(seg): Path<String>,
    Query(q): Query<CommitteeQuery>,
    Form(f): Form<BodyHtmlForm>,
) -> WebResult<Response> {
    let kind = kind_of_segment(&seg).ok_or(WebError::NoRoute)?;
    let caller = ctx.caller()?;
    let committee_id = chosen_committee(&ctx, q.committee_id.or(f.committee_id))?;
    let result = match body_input(&f) {
        Ok(input) => {
            let mut tx = state.db.begin().await?;
            match bodies::create_in(&mut tx, &caller, kind, committee_id, &input).await {
                Ok(b) => tx.commit().await.map(|_| b),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/{seg}?committee_id={committee_id}")).into_response())
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            body_form(&ctx, kind, &f, None, committee_id).respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form to edit a body.
pub async fn body_edit_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path((seg, id)): Path<(String, i64)>,
) -> WebResult<Response> {
    let kind = kind_of_segment(&seg).ok_or(WebError::NoRoute)?;
    let caller = ctx.caller()?;
    let b = bodies::get(&state.db, &caller, kind, id).await?;
    let f = BodyHtmlForm {
        name: b.name,
        short_name: b.short_name.unwrap_or_default(),
        kind: b.kind.unwrap_or_default(),
        sort_order: b.sort_order.to_string(),
        contact: b.contact.unwrap_or_default(),
        active: Some(b.active.to_string()),
        version: Some(b.version),
        committee_id: Some(b.committee_id),
    };
    body_form(&ctx, kind, &f, Some(id), b.committee_id).respond(ctx.tr(), None)
}

/// Saves a body.
pub async fn body_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((seg, id)): Path<(String, i64)>,
    Form(f): Form<BodyHtmlForm>,
) -> WebResult<Response> {
    let kind = kind_of_segment(&seg).ok_or(WebError::NoRoute)?;
    let caller = ctx.caller()?;
    let existing = bodies::get(&state.db, &caller, kind, id).await?;
    let result = match body_input(&f) {
        Ok(input) => bodies::update(&state.db, &caller, kind, id, &input, f.version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(b) => Ok(
            Redirect::to(&format!("/admin/{seg}?committee_id={}", b.committee_id)).into_response(),
        ),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            body_form(&ctx, kind, &f, Some(id), existing.committee_id).respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}
