//! The pages of consultations: the list with filters, the form of a new
//! consultation, and a consultation's page with its record, outcomes,
//! quality score, the steps the user may take (each with its day) and its
//! timeline.

use super::api::ConsultationActionBody;
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::platform::org_pages::{
    CommitteeTree, FormPage, ListPage, chosen_committee, committee_and_search,
};
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, Field, FormPairs, StepForm, cell, choices, link};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::consultations::{self as rules, Form, Part, State as CState, Step};
use domain::opinions::LeaderLevel;
use domain::platform::{BodyKind, Permission};
use serde::Deserialize;
use std::collections::BTreeMap;
use store::StoreError;
use store::attachments::Owner;
use store::consultation_links::{self, Cited, Link};
use store::consultation_people::{self as people, DraftComment, Participant};
use store::consultations::{
    self, Consultation, ConsultationFilter, ConsultationInput, Outcome, StepRecord,
};
use store::meetings::Meeting;
use store::page::PageRequest;
use store::platform::bodies;
use store::rubrics::RubricRow;

#[derive(Deserialize)]
pub struct ListQuery {
    committee_id: Option<i64>,
    q: Option<String>,
    state: Option<String>,
    form: Option<String>,
    page: Option<i64>,
}

/// The consultations of a committee.
pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let f = ConsultationFilter {
        committee_id,
        state: q.state.clone(),
        form: q.form.clone(),
        q: q.q.clone(),
    };
    let page =
        consultations::list(&state.db, &caller, &f, PageRequest::new(q.page, Some(20))).await?;
    let tree = CommitteeTree::load(&state).await?;
    let rows = page
        .items
        .iter()
        .map(|c| {
            vec![
                link(c.title.clone(), format!("/consultations/{}", c.id)),
                cell(t.code("consultation_form", &c.form)),
                cell(t.code("consultation_state", &c.state)),
                cell(c.meeting_on.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let mut filters = committee_and_search(
        t,
        committee_id,
        tree.options(&caller, Permission::ReadOrganisation),
        &q.q,
    );
    filters.push(Field::select(
        "form",
        t.s("consultation.form"),
        q.form.clone().unwrap_or_default(),
        choices(
            t,
            "consultation_form",
            Form::ALL,
            |f| f.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    filters.push(Field::select(
        "state",
        t.s("consultation.state"),
        q.state.clone().unwrap_or_default(),
        choices(
            t,
            "consultation_state",
            CState::ALL,
            |s| s.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    let params = [
        ("committee_id", committee_id.to_string()),
        ("q", q.q.clone().unwrap_or_default()),
        ("form", q.form.clone().unwrap_or_default()),
        ("state", q.state.clone().unwrap_or_default()),
    ];
    html(
        ListPage {
            c: Chrome::new(&ctx, "/consultations"),
            title: t.s("consultation.list").into(),
            path: "/consultations".into(),
            new_link: consultations::is_staff(&caller, committee_id)
                .then(|| format!("/consultations/new?committee_id={committee_id}")),
            filters,
            headers: vec![
                t.s("consultation.title"),
                t.s("consultation.form"),
                t.s("consultation.state"),
                t.s("consultation.meeting_on"),
            ],
            rows,
            rendered_rows: None,
            total: 0,
            pager: Default::default(),
            links: vec![],
            related: [
                ("plan.list", "/plans"),
                ("draft.list", "/legislative-drafts"),
                ("supervision.list", "/supervision-topics"),
                ("expert.list", "/experts"),
                ("rubric.title", "/rubric"),
            ]
            .into_iter()
            .map(|(k, path)| {
                (
                    t.s(k).to_string(),
                    format!("{path}?committee_id={committee_id}"),
                )
            })
            .collect(),
        }
        .paged(&page, &params),
    )
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    lead_special_committee_id: String,
    #[serde(default)]
    meeting_on: String,
    #[serde(default)]
    draft_days: String,
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    f: &NewForm,
    committee_id: i64,
) -> WebResult<FormPage> {
    let t = ctx.tr();
    let mut specials = vec![(String::new(), String::new())];
    for b in bodies::choices(&state.db, BodyKind::SpecialCommittee, committee_id)
        .await?
        .iter()
    {
        specials.push((b.id.to_string(), b.name.clone()));
    }
    Ok(FormPage {
        c: Chrome::new(ctx, "/consultations"),
        title: t.s("consultation.new").into(),
        back: format!("/consultations?committee_id={committee_id}"),
        action: format!("/consultations/new?committee_id={committee_id}"),
        alert: None,
        version: None,
        fields: vec![
            Field::select(
                "form",
                t.s("consultation.form"),
                if f.form.is_empty() {
                    "thematic".into()
                } else {
                    f.form.clone()
                },
                choices(t, "consultation_form", Form::ALL, |x| x.as_str(), None),
            )
            .required(),
            Field::text("title", t.s("consultation.title"), f.title.clone())
                .required()
                .max(200),
            Field {
                kind: "textarea",
                ..Field::text("summary", t.s("consultation.summary"), f.summary.clone()).max(5_000)
            },
            Field::select(
                "lead_special_committee_id",
                t.s("consultation.lead"),
                f.lead_special_committee_id.clone(),
                specials,
            ),
            Field::text(
                "meeting_on",
                t.s("consultation.meeting_on"),
                f.meeting_on.clone(),
            )
            .kind("date"),
            Field::text(
                "draft_days",
                t.s("consultation.draft_days"),
                if f.draft_days.is_empty() {
                    rules::DEFAULT_DRAFT_DAYS.to_string()
                } else {
                    f.draft_days.clone()
                },
            )
            .kind("number"),
        ],
        submit: t.s("consultation.save"),
    })
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

/// The form of a new consultation.
pub async fn new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    new_page(&state, &ctx, &NewForm::default(), committee_id)
        .await?
        .respond(ctx.tr(), None)
}

/// Plans a consultation and shows it.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    axum::extract::Form(f): axum::extract::Form<NewForm>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let caller = ctx.caller()?;
    let number = |field: &'static str, v: &str| -> Result<Option<i64>, StoreError> {
        match v.trim() {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| StoreError::invalid(field, "not_a_number")),
        }
    };
    let result = async {
        let input = ConsultationInput {
            form: f.form.clone(),
            title: f.title.clone(),
            summary: f.summary.clone(),
            lead_special_committee_id: number(
                "lead_special_committee_id",
                &f.lead_special_committee_id,
            )?,
            meeting_on: Some(f.meeting_on.clone()),
            draft_days: number("draft_days", &f.draft_days)?,
            evaluator_user_ids: None,
        };
        consultations::create(&state.db, &caller, committee_id, &input).await
    }
    .await;
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/consultations/{}", c.id)).into_response()),
        Err(e @ StoreError::Invalid(_)) => new_page(&state, &ctx, &f, committee_id)
            .await?
            .respond(ctx.tr(), Some(&e)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct ConsultationPage {
    c: Chrome,
    x: Consultation,
    records: Vec<StepRecord>,
    outcomes: Vec<Outcome>,
    quality: Option<String>,
    steps: Vec<StepForm>,
    alert: Option<String>,
    /// (time, actor, what)
    timeline: Vec<(String, String, String)>,
    links: Vec<Link>,
    /// For the consultation office: the search and its candidates to cite.
    staff: bool,
    q: String,
    suggestions: Vec<Link>,
    people: People,
    files: Vec<store::attachments::Attachment>,
    /// `attachment` when the user may file material now.
    attach: Option<&'static str>,
    me: i64,
    /// Its online deliberations (网络议政) the reader may see.
    deliberations: Vec<store::deliberations::Summary>,
}

/// Who takes part, the draft and its comments, and the meetings.
struct People {
    participants: Vec<Participant>,
    experts: Vec<(i64, String)>,
    /// For staff: (user id, name, chosen) of every member with an account.
    candidates: Vec<(i64, String, bool)>,
    /// For staff: (user id, name, named) of the same, as evaluators.
    evaluators: Vec<(i64, String, bool)>,
    /// For staff: (expert id, name and fields, chosen) of the pool.
    pool: Vec<(i64, String, bool)>,
    /// The circulated draft, for staff and participants.
    draft: Option<String>,
    comments: Vec<DraftComment>,
    may_comment: bool,
    meetings: Vec<Meeting>,
    today: String,
    /// Staff may still choose people and call meetings.
    open: bool,
}

async fn people(
    state: &AppState,
    caller: &store::Caller,
    x: &Consultation,
    part: Part,
) -> WebResult<People> {
    let participants = people::participants(&state.db, x.id).await?;
    let experts = people::experts(&state.db, x.id).await?;
    let staff = part == Part::Staff;
    let reader = matches!(part, Part::Staff | Part::Participant);
    let open = staff && !matches!(x.state(), CState::Closed | CState::Cancelled);
    let named: std::collections::HashSet<i64> = consultations::evaluators(&state.db, x.id)
        .await?
        .into_iter()
        .collect();
    let (candidates, pool) = if open {
        let chosen: std::collections::HashSet<i64> =
            participants.iter().map(|p| p.user_id).collect();
        let picked: std::collections::HashSet<i64> = experts.iter().map(|e| e.0).collect();
        (
            people::candidates(&state.db, x.committee_id)
                .await?
                .into_iter()
                .map(|(u, n)| (u, n, chosen.contains(&u)))
                .collect(),
            store::experts::list(&state.db, caller, x.committee_id, None)
                .await?
                .into_iter()
                .map(|e| {
                    let label = format!("{}（{}）", e.name, e.field_list().join("、"));
                    (e.id, label, picked.contains(&e.id))
                })
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(People {
        draft: if reader {
            people::draft(&state.db, x.id).await?
        } else {
            None
        },
        comments: if reader {
            people::comments(&state.db, caller, x.id).await?
        } else {
            Vec::new()
        },
        may_comment: reader && x.state() == CState::DraftCirculated,
        meetings: store::meetings::of(&state.db, x.id).await?,
        evaluators: candidates
            .iter()
            .map(|(u, n, _)| (*u, n.clone(), named.contains(u)))
            .collect(),
        participants,
        experts,
        candidates,
        pool,
        today: store::clock::local_date(store::clock::now()),
        open,
    })
}

/// The steps the part may take now, with their fields.
fn step_forms(
    t: crate::i18n::Tr,
    x: &Consultation,
    part: Part,
    rubric: &[RubricRow],
) -> Vec<StepForm> {
    let facts = domain::consultations::Facts {
        draft_in_time: true,
        evaluated: true,
    };
    let today = store::clock::local_date(store::clock::now());
    let mut out = Vec::new();
    for &step in Step::ALL {
        if rules::transition(x.state(), step, part, &facts).is_err() {
            continue;
        }
        let day = Field::text("on_date", t.s("consultation.on_date"), today.clone()).kind("date");
        let note = |label: &'static str, required: bool| {
            let f = Field {
                kind: "textarea",
                ..Field::text("note", label, String::new()).max(10_000)
            };
            if required { f.required() } else { f }
        };
        let mut fields = vec![day];
        match step {
            Step::RecordOutcome => {
                fields.push(Field::select(
                    "kind",
                    t.s("consultation.outcome_kind"),
                    "instruction",
                    choices(
                        t,
                        "outcome",
                        &["instruction", "adoption", "use"],
                        |k| k,
                        None,
                    ),
                ));
                fields.push(Field::text("leader", t.s("opinion.leader"), "").max(100));
                fields.push(Field::select(
                    "level",
                    t.s("opinion.level"),
                    "county",
                    choices(t, "leader_level", LeaderLevel::ALL, |l| l.as_str(), None),
                ));
                fields.push(Field::text("department", t.s("opinion.department"), "").max(200));
                fields.push(note(t.s("opinion.outcome_text"), true));
            }
            Step::Evaluate => {
                for r in rubric {
                    fields.push(score_field(t, r));
                }
            }
            Step::GiveFeedback | Step::Cancel => fields.push(note(t.s("consultation.note"), true)),
            Step::CirculateDraft => fields.push(note(t.s("consultation.draft_report"), true)),
            _ => fields.push(note(t.s("consultation.note"), false)),
        }
        out.push(StepForm {
            name: step.as_str(),
            label: t.code("consultation_step", step.as_str()),
            fields,
        });
    }
    out
}

async fn consultation_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
    q: &str,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let (x, part) = consultations::get(&state.db, &caller, id).await?;
    let staff = part == Part::Staff;
    let suggestions = if staff && !q.trim().is_empty() {
        super::api::suggest(state, x.committee_id, q).await?
    } else {
        Vec::new()
    };
    let rubric = store::rubrics::of(&state.db, x.committee_id).await?;
    let mut steps = step_forms(t, &x, part, &rubric);
    let (alert, status) = crate::view::step_problem(ctx, &mut steps, err);
    let timeline = crate::view::timeline(&state.db, "consultation", id, |a| {
        if a.starts_with("consultation.") {
            t.code("consultation_step", &crate::view::step_of(a))
        } else {
            t.code("event", a)
        }
    })
    .await?;
    let people = people(state, &caller, &x, part).await?;
    let files = store::attachments::of(&state.db, &caller, Owner::Consultation(id)).await?;
    let attach = people.open.then_some("attachment");
    let (quality, n) = consultations::quality(&state.db, id).await?;
    let mut r = html(ConsultationPage {
        c: Chrome::new(ctx, "/consultations"),
        records: consultations::steps(&state.db, id).await?,
        outcomes: consultations::outcomes(&state.db, id).await?,
        quality: quality.map(|q| format!("{q:.1} ({n})")),
        links: consultation_links::of(&state.db, id).await?,
        deliberations: store::deliberations::of_consultation(
            &state.db,
            &caller,
            x.committee_id,
            id,
        )
        .await?,
        staff,
        q: q.to_string(),
        suggestions,
        people,
        files,
        attach,
        me: caller.actor.user_id,
        x,
        steps,
        alert,
        timeline,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    /// Words to find proposals and pieces to cite.
    #[serde(default)]
    q: String,
}

/// A consultation's page.
pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> WebResult<Response> {
    consultation_page(&state, &ctx, id, None, &q.q).await
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    record_type: String,
    #[serde(default)]
    record_id: String,
}

/// Cites a proposal or piece from the consultation's page.
pub async fn add_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<LinkForm>,
) -> WebResult<Response> {
    let r = match (Cited::parse(&f.record_type), f.record_id.parse::<i64>()) {
        (Some(kind), Ok(rid)) => consultation_links::link(&state.db, &ctx.caller()?, id, kind, rid)
            .await
            .map(|_| ()),
        _ => Err(StoreError::invalid("record_id", "invalid_choice")),
    };
    back_to(&state, &ctx, id, r, "links").await
}

/// Takes a citation back from the consultation's page.
pub async fn remove_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, kind, rid)): Path<(i64, String, i64)>,
) -> WebResult<Response> {
    let r = match Cited::parse(&kind) {
        Some(kind) => consultation_links::unlink(&state.db, &ctx.caller()?, id, kind, rid)
            .await
            .map(|_| ()),
        None => Err(StoreError::NotFound),
    };
    back_to(&state, &ctx, id, r, "links").await
}

/// Takes a step from the consultation's page.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let step = Step::parse(&step).ok_or(WebError::NoRoute)?;
    let form = FormPairs::parse(&body)?;
    let one = |k: &str| form.one(k);
    let mut scores = BTreeMap::new();
    let mut errors = Vec::new();
    for (k, v) in form.iter() {
        if let Some(criterion) = k.strip_prefix("score_") {
            match v.trim().parse::<i64>() {
                Ok(n) => {
                    scores.insert(criterion.to_string(), n);
                }
                Err(_) => errors.push(domain::validate::FieldError {
                    field: "scores",
                    code: "not_a_number",
                }),
            }
        }
    }
    let b = ConsultationActionBody {
        on_date: one("on_date"),
        note: one("note").unwrap_or_default(),
        kind: (step == Step::RecordOutcome).then(|| one("kind").unwrap_or_default()),
        leader: one("leader"),
        level: one("level"),
        department: one("department"),
        scores,
        version: form.version(),
    };
    let result = if errors.is_empty() {
        consultations::act(&state.db, &caller, id, b.action(step), b.version).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/consultations/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            consultation_page(&state, &ctx, id, Some(&e), "").await
        }
        Err(e) => Err(e.into()),
    }
}

/// The score field of a criterion: `score_` and its key, labelled with its
/// name (the committee's, or the default's in the reader's language) and weight.
fn score_field(t: crate::i18n::Tr, r: &RubricRow) -> Field {
    let name = if r.label.is_empty() {
        t.code("rubric", &r.criterion)
    } else {
        r.label.clone()
    };
    let label = t.f("rubric.weighted", &[&name, &r.weight]);
    Field::text(format!("score_{}", r.criterion), label, "")
        .kind("number")
        .required()
}

/// Sets the participants and experts from the consultation's page.
pub async fn set_people(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let r = match (
        form.ids("user_ids"),
        form.ids("expert_ids"),
        form.ids("evaluator_user_ids"),
    ) {
        (Ok(user_ids), Ok(expert_ids), Ok(evaluators)) => {
            let chosen = people::PeopleInput {
                user_ids,
                expert_ids,
                evaluator_user_ids: Some(evaluators),
            };
            people::set(&state.db, &ctx.caller()?, id, &chosen, form.version()).await
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
    };
    back_to(&state, &ctx, id, r, "people").await
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

/// Comments on the circulated draft from the consultation's page.
pub async fn comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<CommentForm>,
) -> WebResult<Response> {
    let r = people::comment(&state.db, &ctx.caller()?, id, &f.body)
        .await
        .map(|_| ());
    back_to(&state, &ctx, id, r, "draft").await
}

#[derive(Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
}

/// Calls a meeting from the consultation's page and goes to it.
pub async fn new_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<MeetingForm>,
) -> WebResult<Response> {
    let input = store::meetings::MeetingInput {
        title: f.title,
        held_on: f.held_on,
        place: f.place,
    };
    match store::meetings::create(&state.db, &ctx.caller()?, id, &input).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}", m.id)).into_response()),
        Err(e) => back_to(&state, &ctx, id, Err(e), "meetings").await,
    }
}

/// After a change from the consultation's page: back to its section, or
/// the page again with the problem.
async fn back_to(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<(), StoreError>,
    anchor: &str,
) -> WebResult<Response> {
    crate::view::after(r, format!("/consultations/{id}#{anchor}"), |e| async move {
        consultation_page(state, ctx, id, Some(&e), "").await
    })
    .await
}

/// Files material with the consultation from its page.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    m: axum::extract::Multipart,
) -> WebResult<Response> {
    let r = crate::proposals::files::attach(&state, &ctx, Owner::Consultation(id), m)
        .await?
        .map(|_| ());
    back_to(&state, &ctx, id, r, "files-h").await
}

/// Removes a file from the consultation's page.
pub async fn remove_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let r = store::attachments::remove(&state.db, &ctx.caller()?, aid).await;
    back_to(&state, &ctx, id, r, "files-h").await
}
