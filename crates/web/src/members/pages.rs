//! Admin pages for member profiles.

use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::org_pages::{
    CommitteeTree, FormPage, ListPage, Pager, chosen_committee, committee_and_search, require_admin,
};
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, Field, cell, choices, link, parse_opt_i64};
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::members::{Affiliation, ETHNICITIES, Gender, MemberInput};
use domain::platform::{BodyKind, Permission};
use serde::Deserialize;
use store::StoreError;
use store::members::{self, MemberFilter};
use store::page::PageRequest;
use store::platform::bodies;

#[derive(Deserialize)]
pub struct MemberQuery {
    committee_id: Option<i64>,
    q: Option<String>,
    sector_id: Option<String>,
    affiliation: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

fn options_of(items: &[bodies::Body], empty: &str) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), empty.to_string())];
    v.extend(items.iter().map(|b| (b.id.to_string(), b.name.clone())));
    v
}

/// The members of a committee, with search, filters and pages.
pub async fn members_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<MemberQuery>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let filter = MemberFilter {
        committee_id,
        q: crate::view::nonempty(&q.q),
        sector_id: crate::view::nonempty(&q.sector_id).and_then(|s| s.parse().ok()),
        special_committee_id: None,
        affiliation: crate::view::nonempty(&q.affiliation),
        active: None,
        sort: crate::view::nonempty(&q.sort),
    };
    let page = members::list(
        &state.db,
        &caller,
        &filter,
        PageRequest::new(q.page, Some(50)),
    )
    .await?;
    let tree = CommitteeTree::load(&state).await?;
    let admin = tree.may(&caller, Permission::Administer, committee_id);
    let rows = page
        .items
        .iter()
        .map(|m| {
            let name = if admin {
                link(m.name.clone(), format!("/admin/members/{}", m.id))
            } else {
                cell(m.name.clone())
            };
            vec![
                name,
                cell(t.code("gender", &m.gender)),
                cell(m.birth_year.to_string()),
                cell(t.code("affiliation", &m.affiliation)),
                cell(m.sector_name.clone().unwrap_or_default()),
                cell(m.occupation.clone().unwrap_or_default()),
                cell(t.s(if m.standing {
                    "common.yes"
                } else {
                    "common.no"
                })),
            ]
        })
        .collect();
    let affiliations = choices(
        t,
        "affiliation",
        Affiliation::ALL,
        |a| a.as_str(),
        Some(t.s("list.all")),
    );
    let sorts: Vec<crate::view::Choice> = ["", "name", "birth_year", "-birth_year"]
        .iter()
        .map(|s| {
            (
                (*s).into(),
                t.code_label("sort", if s.is_empty() { "default" } else { s }),
            )
        })
        .collect();
    let params = [
        ("committee_id", committee_id.to_string()),
        ("q", q.q.clone().unwrap_or_default()),
        ("sector_id", q.sector_id.clone().unwrap_or_default()),
        ("affiliation", q.affiliation.clone().unwrap_or_default()),
        ("sort", q.sort.clone().unwrap_or_default()),
    ];
    let mut filters = committee_and_search(
        t,
        committee_id,
        tree.options(&caller, Permission::ReadPeople),
        &q.q,
    );
    let sectors = bodies::choices(&state.db, BodyKind::Sector, committee_id).await?;
    filters.extend([
        Field::select(
            "sector_id",
            t.s("field.sector"),
            q.sector_id.clone().unwrap_or_default(),
            options_of(&sectors, t.s("list.all")),
        ),
        Field::select(
            "affiliation",
            t.s("field.affiliation"),
            q.affiliation.clone().unwrap_or_default(),
            affiliations,
        ),
        Field::select(
            "sort",
            t.s("list.sort"),
            q.sort.clone().unwrap_or_default(),
            sorts,
        ),
    ]);
    html(
        ListPage {
            c: Chrome::new(&ctx, "/admin/members"),
            title: t.s("nav.members").into(),
            path: "/admin/members".into(),
            new_link: admin.then(|| format!("/admin/members/new?committee_id={committee_id}")),
            filters,
            headers: vec![
                t.s("field.name"),
                t.s("field.gender"),
                t.s("field.birth_year"),
                t.s("field.affiliation"),
                t.s("field.sector"),
                t.s("field.occupation"),
                t.s("field.standing"),
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
pub struct MemberHtmlForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    ethnicity: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    affiliation: String,
    #[serde(default)]
    sector_id: String,
    #[serde(default)]
    special_committee_id: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    term: String,
    standing: Option<String>,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    active: Option<String>,
    version: Option<i64>,
    committee_id: Option<i64>,
}

async fn member_form(
    state: &AppState,
    ctx: &Ctx,
    f: &MemberHtmlForm,
    id: Option<i64>,
    committee_id: i64,
) -> WebResult<FormPage> {
    let t = ctx.tr();
    let genders = choices(t, "gender", Gender::ALL, |g| g.as_str(), None);
    let affiliations = choices(t, "affiliation", Affiliation::ALL, |a| a.as_str(), Some(""));
    let ethnicities = ETHNICITIES.iter().map(|e| (*e, *e));
    let sectors = options_of(
        &bodies::choices(&state.db, BodyKind::Sector, committee_id).await?,
        "",
    );
    let specials = options_of(
        &bodies::choices(&state.db, BodyKind::SpecialCommittee, committee_id).await?,
        "",
    );
    let ethnicity = if f.ethnicity.is_empty() {
        "汉族".to_string()
    } else {
        f.ethnicity.clone()
    };
    Ok(FormPage {
        c: Chrome::new(ctx, "/admin/members"),
        title: t
            .s(if id.is_some() {
                "member.edit"
            } else {
                "member.new"
            })
            .into(),
        back: format!("/admin/members?committee_id={committee_id}"),
        action: id.map_or(
            format!("/admin/members/new?committee_id={committee_id}"),
            |i| format!("/admin/members/{i}"),
        ),
        alert: None,
        version: f.version,
        fields: vec![
            Field::text("name", t.s("field.name"), &f.name)
                .required()
                .max(50),
            Field::select("gender", t.s("field.gender"), &f.gender, genders).required(),
            Field::select("ethnicity", t.s("field.ethnicity"), ethnicity, ethnicities).required(),
            Field::text("birth_year", t.s("field.birth_year"), &f.birth_year)
                .kind("number")
                .required(),
            Field::select(
                "affiliation",
                t.s("field.affiliation"),
                &f.affiliation,
                affiliations,
            )
            .required(),
            Field::select("sector_id", t.s("field.sector"), &f.sector_id, sectors),
            Field::select(
                "special_committee_id",
                t.s("field.special_committee"),
                &f.special_committee_id,
                specials,
            ),
            Field::text("occupation", t.s("field.occupation"), &f.occupation).max(100),
            Field::text("term", t.s("field.term"), &f.term)
                .kind("number")
                .required(),
            Field::checkbox(
                "standing",
                t.s("field.standing"),
                f.standing.as_deref() == Some("true"),
            ),
            Field::text("phone", t.s("field.phone"), &f.phone)
                .kind("tel")
                .max(20),
            Field::text("email", t.s("field.email"), &f.email)
                .kind("email")
                .max(254),
            Field::text("address", t.s("field.address"), &f.address).max(200),
            Field::checkbox(
                "active",
                t.s("field.active"),
                f.active.as_deref() != Some("false"),
            ),
        ],
        submit: t.s("action.save"),
    })
}

fn member_input(f: &MemberHtmlForm) -> Result<MemberInput, StoreError> {
    let mut errors = Vec::new();
    let birth_year = parse_opt_i64("birth_year", &f.birth_year, &mut errors);
    let term = parse_opt_i64("term", &f.term, &mut errors);
    let sector_id = parse_opt_i64("sector_id", &f.sector_id, &mut errors);
    let special_committee_id =
        parse_opt_i64("special_committee_id", &f.special_committee_id, &mut errors);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok(MemberInput {
        name: f.name.clone(),
        gender: f.gender.clone(),
        ethnicity: f.ethnicity.clone(),
        birth_year,
        affiliation: f.affiliation.clone(),
        sector_id,
        special_committee_id,
        occupation: Some(f.occupation.clone()),
        term,
        standing: Some(f.standing.as_deref() == Some("true")),
        phone: Some(f.phone.clone()),
        email: Some(f.email.clone()),
        address: Some(f.address.clone()),
        active: Some(f.active.as_deref() == Some("true")),
    })
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

/// The form for a new member.
pub async fn member_new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    require_admin(&state, &ctx.caller()?, committee_id).await?;
    let f = MemberHtmlForm {
        term: "13".into(),
        ..Default::default()
    };
    member_form(&state, &ctx, &f, None, committee_id)
        .await?
        .respond(ctx.tr(), None)
}

/// Creates a member.
pub async fn member_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    Form(f): Form<MemberHtmlForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let committee_id = chosen_committee(&ctx, q.committee_id.or(f.committee_id))?;
    let result = match member_input(&f) {
        Ok(input) => {
            let mut tx = state.db.begin().await?;
            match members::create_in(&mut tx, &caller, committee_id, &input, None).await {
                Ok(m) => tx.commit().await.map(|_| m),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/members?committee_id={committee_id}")).into_response(),
        ),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            member_form(&state, &ctx, &f, None, committee_id)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form to edit a member.
pub async fn member_edit_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let m = members::get(&state.db, &caller, id).await?;
    let f = MemberHtmlForm {
        name: m.name,
        gender: m.gender,
        ethnicity: m.ethnicity,
        birth_year: m.birth_year.to_string(),
        affiliation: m.affiliation,
        sector_id: m.sector_id.map(|s| s.to_string()).unwrap_or_default(),
        special_committee_id: m
            .special_committee_id
            .map(|s| s.to_string())
            .unwrap_or_default(),
        occupation: m.occupation.unwrap_or_default(),
        term: m.term.to_string(),
        standing: Some(m.standing.to_string()),
        phone: m.phone.unwrap_or_default(),
        email: m.email.unwrap_or_default(),
        address: m.address.unwrap_or_default(),
        active: Some(m.active.to_string()),
        version: Some(m.version),
        committee_id: Some(m.committee_id),
    };
    member_form(&state, &ctx, &f, Some(id), m.committee_id)
        .await?
        .respond(ctx.tr(), None)
}

/// Saves a member.
pub async fn member_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MemberHtmlForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let existing = members::get(&state.db, &caller, id).await?;
    let result = match member_input(&f) {
        Ok(input) => members::update(&state.db, &caller, id, &input, f.version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => Ok(
            Redirect::to(&format!("/admin/members?committee_id={}", m.committee_id))
                .into_response(),
        ),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            member_form(&state, &ctx, &f, Some(id), existing.committee_id)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}
