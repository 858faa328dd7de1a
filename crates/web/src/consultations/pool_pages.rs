//! The pages of the expert pool (the list, an expert with their
//! participation, the forms), of democratic supervision topics (the list,
//! the form, a topic's years on one timeline with the forms that add to
//! it) and of the committee's quality rubric.

use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::org_pages::{FormPage, ListPage, chosen_committee};
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, Field, FormPairs, cell, link};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::supervision::RectificationStatus;
use serde::Deserialize;
use store::StoreError;
use store::consultations::is_staff;
use store::experts::{self, Expert, ExpertInput, Participation};
use store::rubrics::{self, RubricRow};
use store::supervision::{self, InspectionInput, RectificationInput, Topic, TopicInput, Year};

#[derive(Deserialize)]
pub struct ListQuery {
    committee_id: Option<i64>,
    q: Option<String>,
}

/// The committee's expert pool.
pub async fn experts_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let items = experts::list(&state.db, &caller, committee_id, q.q.as_deref()).await?;
    let rows = items
        .iter()
        .map(|e| {
            vec![
                link(e.name.clone(), format!("/experts/{}", e.id)),
                cell(e.organisation.clone()),
                cell(e.field_list().join("、")),
                cell(if e.user_id.is_some() {
                    t.s("expert.inside")
                } else {
                    t.s("expert.outside")
                }),
            ]
        })
        .collect();
    html(ListPage {
        c: Chrome::new(&ctx, "/consultations"),
        title: t.s("expert.list").into(),
        path: "/experts".into(),
        new_link: is_staff(&caller, committee_id)
            .then(|| format!("/experts/new?committee_id={committee_id}")),
        filters: vec![
            Field::text("q", t.s("expert.search"), q.q.clone().unwrap_or_default()).kind("search"),
        ],
        headers: vec![
            t.s("expert.name"),
            t.s("expert.organisation"),
            t.s("expert.fields"),
            t.s("expert.kind"),
        ],
        rows,
        rendered_rows: None,
        total: items.len() as i64,
        pager: Default::default(),
        related: vec![],
        links: vec![],
    })
}

#[derive(Deserialize, Default)]
pub struct ExpertForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    fields: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    version: String,
}

impl ExpertForm {
    fn of(e: &Expert) -> Self {
        ExpertForm {
            name: e.name.clone(),
            organisation: e.organisation.clone(),
            title: e.title.clone(),
            fields: e.fields.clone(),
            user_id: e.user_id.map(|u| u.to_string()).unwrap_or_default(),
            version: e.version.to_string(),
        }
    }
    fn input(&self) -> Result<ExpertInput, StoreError> {
        Ok(ExpertInput {
            name: self.name.clone(),
            user_id: match self.user_id.trim() {
                "" => None,
                v => Some(
                    v.parse()
                        .map_err(|_| StoreError::invalid("user_id", "invalid_choice"))?,
                ),
            },
            organisation: self.organisation.clone(),
            title: self.title.clone(),
            fields: vec![self.fields.clone()],
        })
    }
}

async fn expert_form(
    state: &AppState,
    ctx: &Ctx,
    f: &ExpertForm,
    committee_id: i64,
    id: Option<i64>,
) -> WebResult<FormPage> {
    let t = ctx.tr();
    let mut accounts = vec![(String::new(), t.s("expert.outside").to_string())];
    for (u, n) in store::consultation_people::candidates(&state.db, committee_id).await? {
        accounts.push((u.to_string(), n));
    }
    Ok(FormPage {
        c: Chrome::new(ctx, "/consultations"),
        title: t
            .s(if id.is_some() {
                "expert.edit"
            } else {
                "expert.new"
            })
            .into(),
        back: match id {
            Some(id) => format!("/experts/{id}"),
            None => format!("/experts?committee_id={committee_id}"),
        },
        action: match id {
            Some(id) => format!("/experts/{id}/edit"),
            None => format!("/experts/new?committee_id={committee_id}"),
        },
        alert: None,
        version: f.version.parse().ok(),
        fields: vec![
            Field::text("name", t.s("expert.name"), f.name.clone())
                .required()
                .max(50),
            Field::text(
                "organisation",
                t.s("expert.organisation"),
                f.organisation.clone(),
            )
            .max(100),
            Field::text("title", t.s("expert.title"), f.title.clone()).max(100),
            Field {
                kind: "textarea",
                ..Field::text("fields", t.s("expert.fields_hint"), f.fields.clone())
                    .required()
                    .max(400)
            },
            Field::select(
                "user_id",
                t.s("expert.account"),
                f.user_id.clone(),
                accounts,
            ),
        ],
        submit: t.s("consultation.save"),
    })
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

/// The form of a new expert.
pub async fn expert_new(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    expert_form(&state, &ctx, &ExpertForm::default(), committee_id, None)
        .await?
        .respond(ctx.tr(), None)
}

/// Adds an expert and shows them.
pub async fn expert_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    axum::extract::Form(f): axum::extract::Form<ExpertForm>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let r = match f.input() {
        Ok(input) => experts::create(&state.db, &ctx.caller()?, committee_id, &input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(e) => Ok(Redirect::to(&format!("/experts/{}", e.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            expert_form(&state, &ctx, &f, committee_id, None)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "expert.html")]
struct ExpertPage {
    c: Chrome,
    e: Expert,
    fields: Vec<String>,
    participation: Vec<Participation>,
    staff: bool,
}

/// An expert with the consultations they took part in.
pub async fn expert_show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let e = experts::get(&state.db, &caller, id).await?;
    html(ExpertPage {
        c: Chrome::new(&ctx, "/consultations"),
        fields: e.field_list().into_iter().map(str::to_string).collect(),
        participation: experts::participation(&state.db, id).await?,
        staff: is_staff(&caller, e.committee_id),
        e,
    })
}

/// The form to edit an expert.
pub async fn expert_edit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let e = experts::get(&state.db, &ctx.caller()?, id).await?;
    expert_form(&state, &ctx, &ExpertForm::of(&e), e.committee_id, Some(id))
        .await?
        .respond(ctx.tr(), None)
}

/// Saves an expert at the version the form was read at.
pub async fn expert_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<ExpertForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let e = experts::get(&state.db, &caller, id).await?;
    let r = match f.input() {
        Ok(input) => experts::update(&state.db, &caller, id, &input, f.version.parse().ok()).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/experts/{id}")).into_response()),
        Err(err @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            expert_form(&state, &ctx, &f, e.committee_id, Some(id))
                .await?
                .respond(ctx.tr(), Some(&err))
        }
        Err(e) => Err(e.into()),
    }
}

/// The committee's supervision topics.
pub async fn topics_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let items = supervision::list(&state.db, &caller, committee_id).await?;
    let rows = items
        .iter()
        .map(|x| {
            vec![
                link(x.title.clone(), format!("/supervision-topics/{}", x.id)),
                cell(format!("{}–{}", x.first_year, x.last_year)),
            ]
        })
        .collect();
    html(ListPage {
        c: Chrome::new(&ctx, "/consultations"),
        title: t.s("supervision.list").into(),
        path: "/supervision-topics".into(),
        new_link: is_staff(&caller, committee_id)
            .then(|| format!("/supervision-topics/new?committee_id={committee_id}")),
        filters: vec![],
        headers: vec![t.s("supervision.topic"), t.s("supervision.years")],
        rows,
        rendered_rows: None,
        total: items.len() as i64,
        pager: Default::default(),
        related: vec![],
        links: vec![],
    })
}

#[derive(Deserialize, Default)]
pub struct TopicForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    first_year: String,
    #[serde(default)]
    last_year: String,
}

fn topic_form(ctx: &Ctx, f: &TopicForm, committee_id: i64) -> FormPage {
    let t = ctx.tr();
    let year = store::clock::year_of(store::clock::now()).to_string();
    let or_year = |v: &str| {
        if v.is_empty() {
            year.clone()
        } else {
            v.to_string()
        }
    };
    FormPage {
        c: Chrome::new(ctx, "/consultations"),
        title: t.s("supervision.new").into(),
        back: format!("/supervision-topics?committee_id={committee_id}"),
        action: format!("/supervision-topics/new?committee_id={committee_id}"),
        alert: None,
        version: None,
        fields: vec![
            Field::text("title", t.s("supervision.topic"), f.title.clone())
                .required()
                .max(200),
            Field {
                kind: "textarea",
                ..Field::text("summary", t.s("consultation.summary"), f.summary.clone()).max(5_000)
            },
            Field::text(
                "first_year",
                t.s("supervision.first_year"),
                or_year(&f.first_year),
            )
            .kind("number")
            .required(),
            Field::text(
                "last_year",
                t.s("supervision.last_year"),
                or_year(&f.last_year),
            )
            .kind("number")
            .required(),
        ],
        submit: t.s("consultation.save"),
    }
}

/// The form of a new topic.
pub async fn topic_new(
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    topic_form(&ctx, &TopicForm::default(), committee_id).respond(ctx.tr(), None)
}

fn year_of(field: &'static str, v: &str) -> Result<i64, StoreError> {
    v.trim()
        .parse()
        .map_err(|_| StoreError::invalid(field, "not_a_number"))
}

/// Opens a topic and shows it.
pub async fn topic_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    axum::extract::Form(f): axum::extract::Form<TopicForm>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let r = match (
        year_of("first_year", &f.first_year),
        year_of("last_year", &f.last_year),
    ) {
        (Ok(first_year), Ok(last_year)) => {
            let input = TopicInput {
                title: f.title.clone(),
                summary: f.summary.clone(),
                first_year,
                last_year,
            };
            supervision::create(&state.db, &ctx.caller()?, committee_id, &input).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match r {
        Ok(x) => Ok(Redirect::to(&format!("/supervision-topics/{}", x.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            topic_form(&ctx, &f, committee_id).respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "supervision_topic.html")]
struct TopicPage {
    c: Chrome,
    x: Topic,
    years: Vec<Year>,
    staff: bool,
    statuses: Vec<crate::view::Choice>,
    alert: Option<String>,
}

async fn topic_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let x = supervision::get(&state.db, &caller, id).await?;
    let (alert, status) = crate::view::step_problem(ctx, &mut [], err);
    let mut r = html(TopicPage {
        c: Chrome::new(ctx, "/consultations"),
        years: supervision::years(&state.db, &x).await?,
        staff: is_staff(&caller, x.committee_id),
        statuses: crate::view::choices(
            t,
            "rectification",
            RectificationStatus::ALL,
            |s| s.as_str(),
            None,
        ),
        alert,
        x,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

/// A topic's page: every year on one timeline.
pub async fn topic_show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    topic_page(&state, &ctx, id, None).await
}

async fn topic_back(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<(), StoreError>,
    anchor: String,
) -> WebResult<Response> {
    crate::view::after(
        r,
        format!("/supervision-topics/{id}#{anchor}"),
        |e| async move { topic_page(state, ctx, id, Some(&e)).await },
    )
    .await
}

/// Adds an inspection, a rectification item, a status change or a summary
/// from the topic's page (`what` says which).
pub async fn topic_add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let one = |k: &str| form.one(k).unwrap_or_default();
    let caller = ctx.caller()?;
    let year = year_of("year", &one("year"));
    let (r, anchor) = match what.as_str() {
        "inspections" => {
            let input = InspectionInput {
                on_date: one("on_date"),
                place: one("place"),
                participants: one("participants"),
                findings: one("findings"),
            };
            let anchor = format!("y{}", one("on_date").get(..4).unwrap_or_default());
            (
                supervision::add_inspection(&state.db, &caller, id, &input).await,
                anchor,
            )
        }
        "rectifications" => {
            let anchor = format!("y{}", one("year"));
            let r = match year {
                Ok(year) => {
                    let input = RectificationInput {
                        year,
                        item: one("item"),
                        unit: one("unit"),
                    };
                    supervision::add_rectification(&state.db, &caller, id, &input)
                        .await
                        .map(|_| ())
                }
                Err(e) => Err(e),
            };
            (r, anchor)
        }
        "status" => {
            let anchor = format!("y{}", one("year"));
            let r = match one("rectification_id").parse::<i64>() {
                Ok(rid) => {
                    let topic = supervision::get(&state.db, &caller, id).await?;
                    let years = supervision::years(&state.db, &topic).await?;
                    if years
                        .iter()
                        .any(|y| y.rectifications.iter().any(|x| x.id == rid))
                    {
                        supervision::set_status(
                            &state.db,
                            &caller,
                            rid,
                            &one("status"),
                            &one("note"),
                            form.version(),
                        )
                        .await
                    } else {
                        Err(StoreError::NotFound)
                    }
                }
                Err(_) => Err(StoreError::invalid("rectification_id", "not_a_number")),
            };
            (r, anchor)
        }
        "summary" => {
            let anchor = format!("y{}", one("year"));
            let r = match year {
                Ok(year) => {
                    supervision::set_summary(&state.db, &caller, id, year, &one("text")).await
                }
                Err(e) => Err(e),
            };
            (r, anchor)
        }
        _ => return Err(crate::error::WebError::NoRoute),
    };
    topic_back(&state, &ctx, id, r, anchor).await
}

#[derive(Template)]
#[template(path = "rubric.html")]
struct RubricPage {
    c: Chrome,
    committee_id: i64,
    /// (index, key, label shown, label stored, weight): the rubric and two empty rows.
    rows: Vec<(usize, String, String, String, String)>,
    staff: bool,
    alert: Option<String>,
}

async fn rubric_page(
    state: &AppState,
    ctx: &Ctx,
    committee_id: i64,
    given: Option<Vec<RubricRow>>,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let rubric = match given {
        Some(g) => g,
        None => rubrics::read(&state.db, &caller, committee_id).await?,
    };
    let mut rows: Vec<(usize, String, String, String, String)> = rubric
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let shown = if r.label.is_empty() {
                t.code("rubric", &r.criterion)
            } else {
                r.label.clone()
            };
            (
                i,
                r.criterion.clone(),
                shown,
                r.label.clone(),
                r.weight.to_string(),
            )
        })
        .collect();
    let n = rows.len();
    for i in n..n + 2 {
        rows.push((
            i,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ));
    }
    let (alert, status) = crate::view::step_problem(ctx, &mut [], err);
    let mut r = html(RubricPage {
        c: Chrome::new(ctx, "/consultations"),
        committee_id,
        rows,
        staff: is_staff(&caller, committee_id),
        alert,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

/// The committee's rubric, with its form for the consultation office.
pub async fn rubric_show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    rubric_page(&state, &ctx, committee_id, None, None).await
}

/// Saves the rubric: the rows with a key, in order.
pub async fn rubric_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let form = FormPairs::parse(&body)?;
    let keys: Vec<&str> = form.all("criterion").collect();
    let labels: Vec<&str> = form.all("label").collect();
    let weights: Vec<&str> = form.all("weight").collect();
    let mut rows = Vec::new();
    let mut bad = None;
    for (i, k) in keys.iter().enumerate() {
        if k.trim().is_empty() {
            continue;
        }
        let weight = match weights.get(i).map(|w| w.trim().parse::<i64>()) {
            Some(Ok(w)) => w,
            _ => {
                bad = Some(StoreError::invalid("weight", "not_a_number"));
                0
            }
        };
        rows.push(RubricRow {
            criterion: k.trim().to_string(),
            label: labels.get(i).copied().unwrap_or_default().to_string(),
            weight,
        });
    }
    let r = match bad {
        Some(e) => Err(e),
        None => rubrics::set(&state.db, &ctx.caller()?, committee_id, &rows)
            .await
            .map(|_| ()),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/rubric?committee_id={committee_id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            rubric_page(&state, &ctx, committee_id, Some(rows), Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}
