//! The pages of public-opinion pieces and of the weekly bulletin: the list
//! with filters, the form of a new piece, a piece's page with the steps the
//! user may take and its timeline, and the bulletin's issues (printable).

use super::api::OpinionActionBody;
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::i18n::Tr;
use crate::platform::org_pages::{
    CommitteeTree, FormPage, ListPage, chosen_committee, committee_and_search,
};
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, Field, FormPairs, StepForm, cell, choices, link};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::opinions::{
    self as rules, Facts, LeaderLevel, OpinionInput, Part, Recipient, SourceInput, Step, Urgency,
};
use domain::platform::{BodyKind, Permission, Role};
use domain::proposals::Category;
use serde::Deserialize;
use store::StoreError;
use store::attachments::Owner;
use store::opinions::{
    self, Bulletin, BulletinAction, Opinion, OpinionFilter, Outcome, Report, Source,
};
use store::page::PageRequest;
use store::platform::bodies;

fn day(micros: i64) -> String {
    store::clock::local_date(micros)
}

#[derive(Deserialize)]
pub struct ListQuery {
    committee_id: Option<i64>,
    q: Option<String>,
    state: Option<String>,
    category: Option<String>,
    source_kind: Option<String>,
    studio_id: Option<String>,
    member_id: Option<String>,
    instructed: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<i64>,
}

/// An optional id chosen in a filter; anything but a number is refused.
fn id_of(v: &Option<String>, field: &'static str) -> WebResult<Option<i64>> {
    match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| StoreError::invalid(field, "invalid_choice").into()),
    }
}

/// The pieces the user may see in a committee.
pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let nonempty = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    let mut f = OpinionFilter {
        committee_id,
        state: nonempty(&q.state),
        category: nonempty(&q.category),
        source_kind: nonempty(&q.source_kind),
        member_id: id_of(&q.member_id, "member_id")?,
        studio_id: id_of(&q.studio_id, "studio_id")?,
        from: nonempty(&q.from),
        until: nonempty(&q.until),
        instructed: match q.instructed.as_deref() {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        },
        q: nonempty(&q.q),
        ids: None,
    };
    super::resolve_search(&state, &mut f).await?;
    let page = opinions::list(&state.db, &caller, &f, PageRequest::new(q.page, Some(20))).await?;
    // The whole page is kept for this reader while its data is unchanged (see
    // `page_cache`; no filter here reads the clock).
    let slot = crate::page_cache::Slot::new(&ctx, &uri, page.source.as_deref());
    if let Some(kept) = slot.kept(&state.db) {
        return Ok(kept);
    }
    let tree = CommitteeTree::load(&state).await?;
    let headers = vec![
        t.s("opinion.title"),
        t.s("opinion.category"),
        t.s("opinion.urgency"),
        t.s("opinion.state"),
        t.s("opinion.created"),
    ];
    let rows = crate::view::kept_rows(&state.db, t, "opinions", &headers, &page, || {
        page.items
            .iter()
            .map(|o| {
                vec![
                    link(
                        o.title.as_str(),
                        crate::view::record_path("/opinions", o.id),
                    ),
                    cell(t.code_label("category", &o.category)),
                    cell(t.code_label("urgency", &o.urgency)),
                    cell(t.code_label("opinion_state", &o.state)),
                    cell(day(o.created_at)),
                ]
            })
            .collect()
    })
    .await?;
    let mut filters = committee_and_search(
        t,
        committee_id,
        tree.options(&caller, Permission::ReadOrganisation),
        &q.q,
    );
    filters.push(Field::select(
        "state",
        t.s("opinion.state"),
        q.state.clone().unwrap_or_default(),
        choices(
            t,
            "opinion_state",
            rules::State::ALL,
            |s| s.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    filters.push(Field::select(
        "category",
        t.s("opinion.category"),
        q.category.clone().unwrap_or_default(),
        choices(
            t,
            "category",
            Category::ALL,
            |c| c.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    filters.push(Field::select(
        "source_kind",
        t.s("opinion.source_kind"),
        q.source_kind.clone().unwrap_or_default(),
        choices(
            t,
            "source_kind",
            rules::SourceKind::ALL,
            |s| s.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    let any = || (String::new(), t.s("list.all").to_string());
    filters.push(Field::select(
        "studio_id",
        t.s("opinion.studio"),
        q.studio_id.clone().unwrap_or_default(),
        std::iter::once(any()).chain(
            bodies::choices(&state.db, BodyKind::Studio, committee_id)
                .await?
                .iter()
                .map(|b| (b.id.to_string(), b.name.clone())),
        ),
    ));
    filters.push(Field::select(
        "member_id",
        t.s("opinion.member"),
        q.member_id.clone().unwrap_or_default(),
        std::iter::once(any()).chain(
            store::members::cosigner_choices(&state.db, committee_id)
                .await?
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
        ),
    ));
    filters.push(Field::select(
        "instructed",
        t.s("opinion.instructed"),
        q.instructed.clone().unwrap_or_default(),
        [
            ("", t.s("list.all")),
            ("true", t.s("common.yes")),
            ("false", t.s("common.no")),
        ],
    ));
    filters.push(
        Field::text(
            "from",
            t.s("opinion.from"),
            q.from.clone().unwrap_or_default(),
        )
        .kind("date"),
    );
    filters.push(
        Field::text(
            "until",
            t.s("opinion.until"),
            q.until.clone().unwrap_or_default(),
        )
        .kind("date"),
    );
    let params = [
        ("committee_id", committee_id.to_string()),
        ("q", q.q.clone().unwrap_or_default()),
        ("state", q.state.clone().unwrap_or_default()),
        ("category", q.category.clone().unwrap_or_default()),
        ("source_kind", q.source_kind.clone().unwrap_or_default()),
        ("studio_id", q.studio_id.clone().unwrap_or_default()),
        ("member_id", q.member_id.clone().unwrap_or_default()),
        ("instructed", q.instructed.clone().unwrap_or_default()),
        ("from", q.from.clone().unwrap_or_default()),
        ("until", q.until.clone().unwrap_or_default()),
    ];
    let writer =
        caller.actor.holds(Role::Member, committee_id) || opinions::is_staff(&caller, committee_id);
    let list = ListPage {
        c: Chrome::new(&ctx, "/opinions"),
        title: t.s("opinion.list").into(),
        path: "/opinions".into(),
        new_link: writer.then(|| format!("/opinions/new?committee_id={committee_id}")),
        filters,
        headers,
        rows: vec![],
        rendered_rows: Some(rows),
        total: 0,
        pager: Default::default(),
        related: vec![],
        links: {
            // The downloads carry the list's filters (not its page).
            let query = crate::view::filters_query(&params);
            vec![
                (
                    t.s("bulletin.list").to_string(),
                    format!("/bulletins?committee_id={committee_id}"),
                ),
                (
                    t.s("export.xlsx").to_string(),
                    format!("/api/v1/opinions.xlsx?{query}"),
                ),
                (
                    t.s("export.csv").to_string(),
                    format!("/api/v1/opinions.csv?{query}"),
                ),
            ]
        },
    }
    .paged(&page, &params);
    slot.fill(&state.db, list)
}

/// The fields of a piece as the form shows them.
#[derive(Default)]
pub struct PieceForm {
    title: String,
    body: String,
    category: String,
    region: String,
    urgency: String,
    /// Bodies it came through as well as its writer: `studio:3`, `party:2` …
    bodies: Vec<String>,
}

/// The kinds of body a piece may come through, as the form names them.
const SOURCE_BODIES: [(BodyKind, &str); 4] = [
    (BodyKind::Studio, "studio"),
    (BodyKind::LiaisonGroup, "liaison_group"),
    (BodyKind::Party, "party"),
    (BodyKind::SpecialCommittee, "special_committee"),
];

impl PieceForm {
    /// Reads the form; the bodies arrive as repeated `bodies` fields.
    fn parse(body: &[u8]) -> WebResult<PieceForm> {
        let form = FormPairs::parse(body)?;
        let one = |k: &str| form.one(k).unwrap_or_default();
        Ok(PieceForm {
            title: one("title"),
            body: one("body"),
            category: one("category"),
            region: one("region"),
            urgency: one("urgency"),
            bodies: form.all("bodies").map(str::to_string).collect(),
        })
    }

    /// The piece the form describes, with its sources.
    fn input(&self, writer: Option<i64>) -> Result<OpinionInput, StoreError> {
        Ok(OpinionInput {
            title: self.title.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            region: self.region.clone(),
            urgency: self.urgency.clone(),
            sources: self.sources(writer)?,
        })
    }

    /// The sources: the writer (as a member, when they are one) and the
    /// bodies chosen. A body not of the form `kind:id` is refused.
    fn sources(&self, writer: Option<i64>) -> Result<Vec<SourceInput>, StoreError> {
        let mut out: Vec<SourceInput> = writer
            .map(|m| SourceInput {
                kind: "member".into(),
                member_id: Some(m),
                body_id: None,
            })
            .into_iter()
            .collect();
        for b in &self.bodies {
            let (kind, id) = b
                .split_once(':')
                .and_then(|(k, id)| Some((k, id.parse::<i64>().ok()?)))
                .filter(|(k, _)| SOURCE_BODIES.iter().any(|(_, name)| name == k))
                .ok_or_else(|| StoreError::invalid("bodies", "invalid_choice"))?;
            out.push(SourceInput {
                kind: kind.into(),
                member_id: None,
                body_id: Some(id),
            });
        }
        Ok(out)
    }
}

/// Where a piece's form posts: a new draft, or an existing one at a version.
enum FormTarget {
    New,
    Draft { id: i64, version: i64 },
}

async fn piece_form(
    state: &AppState,
    ctx: &Ctx,
    f: &PieceForm,
    committee_id: i64,
    target: FormTarget,
) -> WebResult<FormPage> {
    let t = ctx.tr();
    let mut bodies: Vec<crate::view::Choice> = Vec::new();
    for (kind, name) in SOURCE_BODIES {
        for b in bodies::choices(&state.db, kind, committee_id).await?.iter() {
            bodies.push((
                format!("{name}:{}", b.id).into(),
                format!("{} · {}", t.code_label("source_kind", name), b.name).into(),
            ));
        }
    }
    let (title, back, action, version) = match target {
        FormTarget::New => (
            t.s("opinion.new"),
            format!("/opinions?committee_id={committee_id}"),
            format!("/opinions/new?committee_id={committee_id}"),
            None,
        ),
        FormTarget::Draft { id, version } => (
            t.s("opinion.edit_draft"),
            format!("/opinions/{id}"),
            format!("/opinions/{id}/edit"),
            Some(version),
        ),
    };
    Ok(FormPage {
        c: Chrome::new(ctx, "/opinions"),
        title: title.into(),
        back,
        action,
        alert: None,
        version,
        fields: vec![
            Field::text("title", t.s("opinion.title"), f.title.clone()).required(),
            Field {
                kind: "textarea",
                ..Field::text("body", t.s("opinion.body"), f.body.clone())
                    .required()
                    .max(rules::MAX_BODY)
            },
            Field::select(
                "category",
                t.s("opinion.category"),
                f.category.clone(),
                choices(t, "category", Category::ALL, |c| c.as_str(), Some("")),
            )
            .required(),
            Field::text("region", t.s("opinion.region"), f.region.clone()).max(100),
            Field::select(
                "urgency",
                t.s("opinion.urgency"),
                if f.urgency.is_empty() {
                    "normal".into()
                } else {
                    f.urgency.clone()
                },
                choices(t, "urgency", Urgency::ALL, |u| u.as_str(), None),
            ),
            Field {
                kind: "multi",
                options: bodies,
                ..Field::text("bodies", t.s("opinion.came_through"), f.bodies.join(","))
            },
        ],
        submit: t.s("opinion.save"),
    })
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

/// The form of a new piece.
pub async fn new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    piece_form(
        &state,
        &ctx,
        &PieceForm::default(),
        committee_id,
        FormTarget::New,
    )
    .await?
    .respond(ctx.tr(), None)
}

/// Saves a new draft piece and shows it.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let caller = ctx.caller()?;
    let f = PieceForm::parse(&body)?;
    let writer =
        store::proposals::member_of_user(&state.db, caller.actor.user_id, committee_id).await?;
    let result = match f.input(writer) {
        Ok(input) => opinions::create_draft(&state.db, &caller, committee_id, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(o) => Ok(Redirect::to(&format!("/opinions/{}", o.id)).into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            piece_form(&state, &ctx, &f, committee_id, FormTarget::New)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form of the writer's draft, filled in with it.
pub async fn edit_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let (o, _) = opinions::get(&state.db, &caller, id).await?;
    let bodies = opinions::sources(&state.db, id)
        .await?
        .into_iter()
        .filter_map(|s| {
            let id = s.body_id?;
            SOURCE_BODIES
                .iter()
                .any(|(_, name)| *name == s.kind)
                .then(|| format!("{}:{id}", s.kind))
        })
        .collect();
    let f = PieceForm {
        title: o.title.clone(),
        body: o.body.clone(),
        category: o.category.clone(),
        region: o.region.clone(),
        urgency: o.urgency.clone(),
        bodies,
    };
    let target = FormTarget::Draft {
        id,
        version: o.version,
    };
    piece_form(&state, &ctx, &f, o.committee_id, target)
        .await?
        .respond(ctx.tr(), None)
}

/// Saves the writer's draft, unless someone saved it since it was read.
pub async fn edit_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let (o, _) = opinions::get(&state.db, &caller, id).await?;
    let f = PieceForm::parse(&body)?;
    let version = FormPairs::parse(&body)?.version();
    let writer =
        store::proposals::member_of_user(&state.db, caller.actor.user_id, o.committee_id).await?;
    let result = match f.input(writer) {
        Ok(input) => opinions::update_draft(&state.db, &caller, id, &input, version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(o) => Ok(Redirect::to(&format!("/opinions/{}", o.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let target = FormTarget::Draft {
                id,
                version: version.unwrap_or(o.version),
            };
            piece_form(&state, &ctx, &f, o.committee_id, target)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "opinion.html")]
struct OpinionPage {
    c: Chrome,
    o: Opinion,
    sources: Vec<Source>,
    outcomes: Vec<Outcome>,
    steps: Vec<StepForm>,
    alert: Option<String>,
    /// (time, actor, what)
    timeline: Vec<(String, String, String)>,
    files: Vec<store::attachments::Attachment>,
    /// `attachment` when the user may add files now.
    attach: Option<&'static str>,
    me: i64,
    /// The staff's rewrite against the submitted text, when there is one.
    diff: Option<Vec<(char, String)>>,
    /// The writer may still edit the draft.
    editable: bool,
    /// The consultations that cite it.
    cited_by: Vec<store::consultation_links::Citing>,
}

/// The steps the part may take now, with their fields.
async fn step_forms(
    state: &AppState,
    t: Tr,
    o: &Opinion,
    part: Part,
    caller: &store::Caller,
) -> WebResult<Vec<StepForm>> {
    // Facts that depend on input are set so that they hide no step.
    let facts = Facts {
        absorbed: false,
        bulletin_published: false,
        reported: true,
    };
    let mut out = Vec::new();
    for step in Step::ALL.iter().copied() {
        if rules::transition(o.state(), step, part, &facts).is_err() {
            continue;
        }
        let textarea = |name: &'static str, label: &'static str, value: String| Field {
            kind: "textarea",
            ..Field::text(name, label, value).required().max(5_000)
        };
        let date = || {
            Field::text("on_date", t.s("opinion.on_date"), "")
                .kind("date")
                .required()
        };
        let fields = match step {
            Step::Edit => vec![
                Field::text("title", t.s("opinion.title"), o.title.clone()).required(),
                Field {
                    max: rules::MAX_BODY,
                    ..textarea("body", t.s("opinion.body"), o.body.clone())
                },
            ],
            Step::Combine => vec![Field::text("with", t.s("opinion.combine_with"), "").required()],
            Step::Adopt => {
                let open: Vec<(String, String)> =
                    opinions::bulletins(&state.db, caller, o.committee_id)
                        .await?
                        .iter()
                        .filter(|b| b.state == "open")
                        .map(|b| (b.id.to_string(), b.label()))
                        .collect();
                if open.is_empty() {
                    // Nothing to adopt into yet: staff open an issue first.
                    continue;
                }
                vec![Field::select("bulletin_id", t.s("opinion.bulletin"), "", open).required()]
            }
            Step::Decline => vec![textarea("reason", t.s("opinion.reason"), String::new())],
            Step::MakeProposalLead => vec![
                Field::text("member_id", t.s("opinion.member_id"), "")
                    .kind("number")
                    .required(),
                Field::text("term", t.s("opinion.term"), "13")
                    .kind("number")
                    .required(),
            ],
            Step::RecordInstruction => vec![
                Field::text("leader", t.s("opinion.leader"), "")
                    .required()
                    .max(100),
                Field::select(
                    "level",
                    t.s("opinion.level"),
                    "county",
                    choices(t, "leader_level", LeaderLevel::ALL, |l| l.as_str(), None),
                ),
                date(),
                textarea("text", t.s("opinion.instruction"), String::new()),
            ],
            Step::RecordAdoption | Step::RecordUse => vec![
                Field::text("department", t.s("opinion.department"), "").required(),
                date(),
                textarea("text", t.s("opinion.outcome_text"), String::new()),
            ],
            Step::Submit | Step::Withdraw | Step::StartEditing => vec![],
        };
        out.push(StepForm {
            name: step.as_str(),
            label: t.code("opinion_step", step.as_str()),
            fields,
        });
    }
    Ok(out)
}

async fn opinion_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let (o, part) = opinions::get(&state.db, &caller, id).await?;
    let mut steps = step_forms(state, t, &o, part, &caller).await?;
    let (alert, status) = crate::view::step_problem(ctx, &mut steps, err);
    let timeline = crate::view::timeline(&state.db, "opinion", id, |a| {
        t.code("opinion_step", &crate::view::step_of(a))
    })
    .await?;
    let files = store::attachments::of(&state.db, &caller, Owner::Opinion(id)).await?;
    let writer = part == Part::Source && o.submitter_user_id == caller.actor.user_id;
    let o_state_is_draft = o.state() == rules::State::Draft;
    let attach = match (part, o.state()) {
        (Part::Staff, rules::State::Submitted | rules::State::Editing) => Some("attachment"),
        (_, rules::State::Draft) if writer => Some("attachment"),
        _ => None,
    };
    let diff = o.submitted_body.as_ref().map(|before| {
        domain::diff::chars(before, &o.body)
            .into_iter()
            .map(|(k, text)| (k.mark(), text))
            .collect()
    });
    let mut r = html(OpinionPage {
        c: Chrome::new(ctx, "/opinions"),
        sources: opinions::sources(&state.db, id).await?,
        outcomes: opinions::outcomes(&state.db, id).await?,
        o,
        steps,
        alert,
        timeline,
        files,
        attach,
        me: caller.actor.user_id,
        diff,
        editable: writer && o_state_is_draft,
        cited_by: store::consultation_links::citing(
            &state.db,
            store::consultation_links::Cited::Opinion,
            id,
        )
        .await?,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

/// A piece's page.
pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    opinion_page(&state, &ctx, id, None).await
}

/// Takes a step from a form on a piece's page.
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
    let mut errors = Vec::new();
    // Pieces to combine: their numbers, separated by commas or spaces.
    let mut with = Vec::new();
    for part in one("with")
        .unwrap_or_default()
        .split([',', '，', ' '])
        .filter(|s| !s.is_empty())
    {
        match part.trim().parse() {
            Ok(n) => with.push(n),
            Err(_) => errors.push(domain::validate::FieldError {
                field: "with",
                code: "not_a_number",
            }),
        }
    }
    let b = OpinionActionBody {
        title: one("title"),
        body: one("body"),
        with,
        bulletin_id: form.number("bulletin_id", &mut errors),
        reason: one("reason"),
        member_id: form.number("member_id", &mut errors),
        term: form.number("term", &mut errors),
        leader: one("leader"),
        level: one("level"),
        department: one("department"),
        on_date: one("on_date"),
        text: one("text"),
        version: form.version(),
    };
    let version = b.version;
    let result = if errors.is_empty() {
        match b.action(step) {
            Ok(action) => opinions::act(&state.db, &caller, id, action, version).await,
            Err(WebError::Store(e)) => Err(e),
            Err(e) => return Err(e),
        }
    } else {
        Err(StoreError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/opinions/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            opinion_page(&state, &ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "bulletins.html")]
struct BulletinsPage {
    c: Chrome,
    committee_id: i64,
    issues: Vec<(Bulletin, String)>,
    may_open: bool,
}

/// The committee's bulletin issues, with a form to open the next.
pub async fn bulletins_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let issues = opinions::bulletins(&state.db, &caller, committee_id)
        .await?
        .into_iter()
        .map(|b| {
            let label = b.label();
            (b, label)
        })
        .collect();
    html(BulletinsPage {
        c: Chrome::new(&ctx, "/opinions"),
        committee_id,
        issues,
        may_open: opinions::is_staff(&caller, committee_id),
    })
}

#[derive(Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    editor_note: String,
}

/// Opens the next issue and shows it.
pub async fn bulletin_open(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    axum::extract::Form(f): axum::extract::Form<OpenForm>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let b =
        opinions::open_bulletin(&state.db, &ctx.caller()?, committee_id, &f.editor_note).await?;
    Ok(Redirect::to(&format!("/bulletins/{}", b.id)).into_response())
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    c: Chrome,
    b: Bulletin,
    label: String,
    pieces: Vec<Opinion>,
    reports: Vec<Report>,
    may_act: bool,
    recipients: Vec<crate::view::Choice>,
    alert: Option<String>,
}

async fn bulletin_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let (b, pieces, reports) = opinions::bulletin(&state.db, &caller, id).await?;
    let mut none: Vec<StepForm> = Vec::new();
    let (alert, status) = crate::view::step_problem(ctx, &mut none, err);
    let mut r = html(BulletinPage {
        c: Chrome::new(ctx, "/opinions"),
        label: b.label(),
        may_act: opinions::is_staff(&caller, b.committee_id),
        recipients: choices(t, "recipient", Recipient::ALL, |r| r.as_str(), None),
        b,
        pieces,
        reports,
        alert,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

/// An issue's page: printable, with publish and report for staff.
pub async fn bulletin_show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    bulletin_page(&state, &ctx, id, None).await
}

/// Publishes or reports an issue from its page.
pub async fn bulletin_act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let version = form.version();
    let action = match step.as_str() {
        "publish" => Ok(BulletinAction::Publish),
        "report" => {
            let mut recipients = Vec::new();
            let mut bad = false;
            for v in form.all("recipients") {
                match Recipient::parse(v) {
                    Some(r) if !recipients.contains(&r) => recipients.push(r),
                    Some(_) => {}
                    None => bad = true,
                }
            }
            let channel = form.all("channel").next().unwrap_or_default().to_string();
            if bad {
                Err(StoreError::invalid("recipients", "invalid_choice"))
            } else {
                Ok(BulletinAction::Report {
                    recipients,
                    channel,
                })
            }
        }
        _ => return Err(WebError::NoRoute),
    };
    let result = match action {
        Ok(a) => opinions::bulletin_act(&state.db, &ctx.caller()?, id, a, version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/bulletins/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            bulletin_page(&state, &ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves a piece of an open issue one place up or down, from the issue's page.
pub async fn bulletin_move(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let piece: i64 = form
        .one("opinion_id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::invalid("opinion_id", "required"))?;
    let version = form.version();
    let caller = ctx.caller()?;
    let (_, pieces, _) = opinions::bulletin(&state.db, &caller, id).await?;
    let mut order: Vec<i64> = pieces.iter().map(|o| o.id).collect();
    let result = match order.iter().position(|o| *o == piece) {
        None => Err(StoreError::invalid("opinion_id", "not_found")),
        Some(at) => {
            match form.one("dir").as_deref() {
                Some("up") if at > 0 => order.swap(at, at - 1),
                Some("down") if at + 1 < order.len() => order.swap(at, at + 1),
                _ => {}
            }
            opinions::reorder(&state.db, &caller, id, &order, version).await
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/bulletins/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            bulletin_page(&state, &ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Uploads a file from the piece's page.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    m: axum::extract::Multipart,
) -> WebResult<Response> {
    let r = crate::proposals::files::attach(&state, &ctx, Owner::Opinion(id), m)
        .await?
        .map(|_| ());
    back_to_piece(&state, &ctx, id, r).await
}

/// Removes a file from the piece's page.
pub async fn remove_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let r = store::attachments::remove(&state.db, &ctx.caller()?, aid).await;
    back_to_piece(&state, &ctx, id, r).await
}

async fn back_to_piece(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<(), StoreError>,
) -> WebResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/opinions/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            opinion_page(state, ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}
