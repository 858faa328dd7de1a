//! Proposal pages: the list by role, drafting and editing, and a proposal's
//! page with the steps the user may take next and its timeline.

use super::api::ActionBody;
use crate::ctx::Ctx;
use crate::error::{WebError, WebResult};
use crate::i18n::Tr;
use crate::platform::org_pages::{
    CommitteeTree, FormPage, ListPage, Pager, chosen_committee, committee_and_search,
};
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, Field, FormPairs, StepForm, cell, choices, link, parse_opt_i64};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::platform::{BodyKind, Permission, Role};
use domain::proposals::{
    self as rules, AnswerCategory, Category, ConsultationForm, Facts, Kind, Satisfaction, Step,
};
use serde::Deserialize;
use store::StoreError;
use store::page::PageRequest;
use store::platform::{bodies, users};
use store::proposals::{self, Proposal, ProposalFilter};

#[derive(Deserialize)]
pub struct ListQuery {
    committee_id: Option<i64>,
    q: Option<String>,
    state: Option<String>,
    category: Option<String>,
    year: Option<String>,
    overdue: Option<String>,
    due_within_days: Option<i64>,
    session: Option<String>,
    unit_id: Option<String>,
    key: Option<String>,
    mine: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

/// The proposals the user may see in a committee.
pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let t = ctx.tr();
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let mut f = ProposalFilter {
        committee_id,
        state: crate::view::nonempty(&q.state),
        category: crate::view::nonempty(&q.category),
        year: crate::view::nonempty(&q.year).and_then(|y| y.parse().ok()),
        overdue: (q.overdue.as_deref() == Some("true")).then_some(true),
        due_within_days: q.due_within_days,
        q: crate::view::nonempty(&q.q),
        session: crate::view::nonempty(&q.session).and_then(|v| v.parse().ok()),
        unit_id: crate::view::nonempty(&q.unit_id).and_then(|v| v.parse().ok()),
        key: (q.key.as_deref() == Some("true")).then_some(true),
        proposer_user_id: (q.mine.as_deref() == Some("true")).then_some(caller.actor.user_id),
        sort: crate::view::nonempty(&q.sort),
        ..Default::default()
    };
    let request = PageRequest::new(q.page, Some(20));
    let page = match super::search_page(&state, &caller, &f, request).await? {
        Some(found) => found,
        None => {
            super::resolve_search(&state, &mut f).await?;
            proposals::list(&state.db, &caller, &f, request).await?
        }
    };
    // The whole page is kept for this reader while its data is unchanged,
    // unless a filter reads the clock (see `page_cache`).
    let slot = crate::page_cache::Slot::new(
        &ctx,
        &uri,
        page.source
            .as_deref()
            .filter(|_| f.overdue.is_none() && f.due_within_days.is_none()),
    );
    if let Some(kept) = slot.kept(&state.db) {
        return Ok(kept);
    }
    let tree = CommitteeTree::load(&state).await?;
    let headers = vec![
        t.s("proposal.number"),
        t.s("proposal.title"),
        t.s("proposal.category"),
        t.s("proposal.state"),
        t.s("proposal.updated"),
    ];
    let rows = crate::view::kept_rows(&state.db, t, "proposals", &headers, &page, || {
        page.items
            .iter()
            .map(|p| {
                vec![
                    cell(p.number_label.as_deref().unwrap_or_default()),
                    link(
                        p.title.as_str(),
                        crate::view::record_path("/proposals", p.id),
                    ),
                    cell(t.code_label("category", &p.category)),
                    cell(t.code_label("state", &p.state)),
                    cell(store::clock::utc_date(p.updated_at)),
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
        t.s("proposal.state"),
        q.state.clone().unwrap_or_default(),
        choices(
            t,
            "state",
            rules::State::ALL,
            |s| s.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    filters.push(Field::select(
        "category",
        t.s("proposal.category"),
        q.category.clone().unwrap_or_default(),
        choices(
            t,
            "category",
            Category::ALL,
            |c| c.as_str(),
            Some(t.s("list.all")),
        ),
    ));
    filters.push(
        Field::text(
            "year",
            t.s("proposal.year"),
            q.year.clone().unwrap_or_default(),
        )
        .kind("number"),
    );
    let mut sessions = vec![(String::new(), t.s("list.all").to_string())];
    sessions.push(("0".into(), t.s("proposal.between_sessions").into()));
    sessions.extend((1..=5).map(|n| (n.to_string(), t.f("proposal.session_n", &[&n]))));
    filters.push(Field::select(
        "session",
        t.s("proposal.session"),
        q.session.clone().unwrap_or_default(),
        sessions,
    ));
    let mut units = vec![(String::new(), t.s("list.all").to_string())];
    units.extend(
        bodies::choices(&state.db, BodyKind::Unit, committee_id)
            .await?
            .iter()
            .map(|u| (u.id.to_string(), u.name.clone())),
    );
    filters.push(Field::select(
        "unit_id",
        t.s("proposal.unit"),
        q.unit_id.clone().unwrap_or_default(),
        units,
    ));
    filters.push(Field::select(
        "sort",
        t.s("list.sort"),
        q.sort.clone().unwrap_or_default(),
        std::iter::once(("", t.s("sort.default").into())).chain(
            ["newest", "oldest", "number", "deadline", "relevance"]
                .iter()
                .map(|s| (*s, t.code_label("sort", s))),
        ),
    ));
    filters.push(Field::checkbox(
        "overdue",
        t.s("proposal.overdue_only"),
        q.overdue.as_deref() == Some("true"),
    ));
    filters.push(Field::checkbox(
        "key",
        t.s("proposal.key_only"),
        q.key.as_deref() == Some("true"),
    ));
    filters.push(Field::checkbox(
        "mine",
        t.s("proposal.mine_only"),
        q.mine.as_deref() == Some("true"),
    ));
    let params = [
        ("committee_id", committee_id.to_string()),
        ("q", q.q.clone().unwrap_or_default()),
        ("state", q.state.clone().unwrap_or_default()),
        ("category", q.category.clone().unwrap_or_default()),
        ("year", q.year.clone().unwrap_or_default()),
        ("overdue", q.overdue.clone().unwrap_or_default()),
        (
            "due_within_days",
            q.due_within_days.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("session", q.session.clone().unwrap_or_default()),
        ("unit_id", q.unit_id.clone().unwrap_or_default()),
        ("key", q.key.clone().unwrap_or_default()),
        ("mine", q.mine.clone().unwrap_or_default()),
        ("sort", q.sort.clone().unwrap_or_default()),
    ];
    // The downloads carry the list's filters (not its page).
    let query = crate::view::filters_query(&params);
    let links = vec![
        (
            t.s("export.xlsx").to_string(),
            format!("/api/v1/proposals.xlsx?{query}"),
        ),
        (
            t.s("export.csv").to_string(),
            format!("/api/v1/proposals.csv?{query}"),
        ),
        (
            t.s("export.compilation").to_string(),
            format!("/api/v1/proposals/compilation.docx?{query}"),
        ),
    ];
    let may_propose = caller.actor.holds(Role::Member, committee_id)
        || caller.actor.holds(Role::Staff, committee_id);
    let list = ListPage {
        c: Chrome::new(&ctx, "/proposals"),
        title: t.s("nav.proposals").into(),
        path: "/proposals".into(),
        new_link: may_propose.then(|| format!("/proposals/new?committee_id={committee_id}")),
        filters,
        headers,
        rows: vec![],
        rendered_rows: Some(rows),
        total: 0,
        pager: Pager::default(),
        links,
        related: vec![],
    }
    .paged(&page, &params);
    slot.fill(&state.db, list)
}

#[derive(Deserialize, Default)]
pub struct DraftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    session: String,
    publish_consent: Option<String>,
    #[serde(default)]
    collective: String,
    version: Option<i64>,
    /// Co-signers of a joint proposal (member ids), from a multiple choice.
    #[serde(skip)]
    cosigners: Vec<String>,
}

impl DraftForm {
    /// The form from its urlencoded body: a multiple choice repeats its name,
    /// which the plain form decoder does not collect.
    fn parse(body: &[u8]) -> Result<DraftForm, WebError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|e| WebError::Malformed(e.to_string()))?;
        let (many, one): (Vec<_>, Vec<_>) =
            pairs.into_iter().partition(|(k, _)| k == "cosigner_ids");
        let mut f: DraftForm = serde_urlencoded::from_str(
            &serde_urlencoded::to_string(&one).map_err(|e| WebError::Malformed(e.to_string()))?,
        )
        .map_err(|e| WebError::Malformed(e.to_string()))?;
        f.cosigners = many.into_iter().map(|(_, v)| v).collect();
        Ok(f)
    }

    fn input(&self) -> Result<rules::ProposalInput, StoreError> {
        let mut errors = Vec::new();
        let term = parse_opt_i64("term", &self.term, &mut errors);
        let session = parse_opt_i64("session", &self.session, &mut errors);
        // A collective proposal names its body as `kind:id` in one choice.
        let (collective_kind, collective_id) = match self.collective.split_once(':') {
            Some((k, id)) => (
                Some(k.to_string()),
                parse_opt_i64("collective", id, &mut errors),
            ),
            None => (None, None),
        };
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        Ok(rules::ProposalInput {
            title: self.title.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            kind: self.kind.clone(),
            term,
            session,
            publish_consent: Some(self.publish_consent.as_deref() == Some("true")),
            collective_kind,
            collective_id,
            cosigner_ids: self
                .cosigners
                .iter()
                .filter_map(|v| v.parse().ok())
                .collect(),
            ..Default::default()
        })
    }
}

async fn draft_form(
    state: &AppState,
    ctx: &Ctx,
    f: &DraftForm,
    id: Option<i64>,
    committee_id: i64,
) -> WebResult<FormPage> {
    let t = ctx.tr();
    let kinds = [Kind::Individual, Kind::Joint, Kind::Collective];
    let mut collectives = vec![(String::new(), String::new())];
    for (kind, code) in [
        (BodyKind::Party, "party"),
        (BodyKind::Sector, "sector"),
        (BodyKind::SpecialCommittee, "special_committee"),
    ] {
        for b in bodies::choices(&state.db, kind, committee_id).await?.iter() {
            collectives.push((
                format!("{code}:{}", b.id),
                format!("{} · {}", t.code("collective", code), b.name),
            ));
        }
    }
    let mut fields = vec![
        Field::text("title", t.s("proposal.title"), &f.title)
            .required()
            .max(rules::MAX_TITLE),
        Field {
            kind: "textarea",
            max: rules::MAX_BODY,
            ..Field::text("body", t.s("proposal.body"), &f.body).required()
        },
        Field::select(
            "category",
            t.s("proposal.category"),
            &f.category,
            choices(t, "category", Category::ALL, |c| c.as_str(), Some("")),
        )
        .required(),
    ];
    if id.is_none() {
        fields.push(
            Field::select(
                "kind",
                t.s("proposal.kind"),
                &f.kind,
                choices(t, "proposal_kind", &kinds, |k| k.as_str(), None),
            )
            .required(),
        );
        // Co-signers: fellow members, the proposer left out.
        let me = ctx.user.as_ref().map_or(0, |u| u.actor.user_id);
        let own = store::members::cosigner_choices(&state.db, committee_id).await?;
        let own_id = proposals::member_of_user(&state.db, me, committee_id).await?;
        fields.push(Field {
            kind: "multiselect",
            value: f.cosigners.join(","),
            options: own
                .iter()
                .filter(|(id, _)| Some(*id) != own_id)
                .map(|(id, name)| (id.to_string().into(), name.clone().into()))
                .collect(),
            ..Field::text("cosigner_ids", t.s("proposal.cosigners_pick"), "")
        });
        fields.push(Field::select(
            "collective",
            t.s("proposal.collective"),
            &f.collective,
            collectives,
        ));
    }
    fields.push(
        Field::text("term", t.s("field.term"), &f.term)
            .kind("number")
            .required(),
    );
    fields.push(Field::text("session", t.s("proposal.session_number"), &f.session).kind("number"));
    fields.push(Field::checkbox(
        "publish_consent",
        t.s("proposal.publish_consent"),
        f.publish_consent.as_deref() == Some("true"),
    ));
    Ok(FormPage {
        c: Chrome::new(ctx, "/proposals"),
        title: t
            .s(if id.is_some() {
                "proposal.edit"
            } else {
                "proposal.new"
            })
            .into(),
        back: id.map_or(format!("/proposals?committee_id={committee_id}"), |i| {
            format!("/proposals/{i}")
        }),
        action: id.map_or(format!("/proposals/new?committee_id={committee_id}"), |i| {
            format!("/proposals/{i}/edit")
        }),
        alert: None,
        version: f.version,
        fields,
        submit: t.s("action.save"),
    })
}

#[derive(Deserialize)]
pub struct CommitteeQuery {
    committee_id: Option<i64>,
}

/// The form for a new draft.
pub async fn new_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CommitteeQuery>,
) -> WebResult<Response> {
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let caller = ctx.caller()?;
    if !(caller.actor.holds(Role::Member, committee_id)
        || caller.actor.holds(Role::Staff, committee_id))
    {
        return Err(StoreError::Forbidden.into());
    }
    let f = DraftForm {
        kind: "individual".into(),
        term: "13".into(),
        session: "0".into(),
        ..Default::default()
    };
    draft_form(&state, &ctx, &f, None, committee_id)
        .await?
        .respond(ctx.tr(), None)
}

/// Saves a new draft and shows it.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommitteeQuery>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> WebResult<Response> {
    let f = DraftForm::parse(&body)?;
    let caller = ctx.caller()?;
    let committee_id = chosen_committee(&ctx, q.committee_id)?;
    let result = match f.input() {
        Ok(input) => {
            let mut tx = state.db.begin().await?;
            match proposals::create_draft_in(&mut tx, &caller, committee_id, &input).await {
                Ok(p) => tx.commit().await.map(|_| p),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/proposals/{}", p.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            draft_form(&state, &ctx, &f, None, committee_id)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form to edit a draft.
pub async fn edit_form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let p = proposals::get(&state.db, &ctx.caller()?, id).await?;
    let f = DraftForm {
        title: p.title,
        body: p.body,
        category: p.category,
        kind: p.kind,
        term: p.term.to_string(),
        session: p.session.to_string(),
        publish_consent: Some(p.publish_consent.to_string()),
        collective: String::new(),
        version: Some(p.version),
        cosigners: Vec::new(),
    };
    draft_form(&state, &ctx, &f, Some(id), p.committee_id)
        .await?
        .respond(ctx.tr(), None)
}

/// Saves an edited draft.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DraftForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let existing = proposals::get(&state.db, &caller, id).await?;
    let result = match f.input() {
        Ok(input) => {
            let input = rules::ProposalInput {
                kind: existing.kind.clone(),
                collective_kind: existing.collective_kind.clone(),
                collective_id: existing.collective_id,
                cosigner_ids: proposals::cosigners(&state.db, id)
                    .await?
                    .into_iter()
                    .map(|(m, _)| m)
                    .collect(),
                ..input
            };
            proposals::update_draft(&state.db, &caller, id, &input, f.version).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            draft_form(&state, &ctx, &f, Some(id), existing.committee_id)
                .await?
                .respond(ctx.tr(), Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    c: Chrome,
    p: Proposal,
    /// The consultations that cite it.
    cited_by: Vec<store::consultation_links::Citing>,
    session: String,
    deadline: Option<String>,
    units: Vec<proposals::AssignedUnit>,
    steps: Vec<StepForm>,
    /// (time, actor, action)
    timeline: Vec<(String, String, String)>,
    alert: Option<String>,
    /// The proposer may still edit it.
    editable: bool,
    /// Co-signers: (name, confirmed).
    cosigners: Vec<(String, bool)>,
    /// The user is a co-signer who has yet to confirm.
    can_cosign: bool,
    /// For a proposal converted into a public-opinion piece: which one.
    opinion: Option<(i64, String)>,
    /// The public-opinion piece this proposal was made from as a lead.
    from_opinion: Option<i64>,
    /// Under review: the likely duplicates, and whether merging is possible now.
    similar: Vec<super::Similar>,
    may_merge: bool,
    /// Files, and the purpose of a file the user may add now.
    files: Vec<store::attachments::Attachment>,
    attach: Option<&'static str>,
    me: i64,
    /// The commitment checklist, and whether the user may keep it.
    commitments: Vec<store::commitments::Commitment>,
    may_commit: bool,
}

/// The steps the part may take now and their fields.
async fn step_forms(
    state: &AppState,
    t: Tr,
    p: &Proposal,
    part: rules::Part,
) -> WebResult<Vec<StepForm>> {
    // Input-dependent facts are set so that they do not hide a step.
    let facts = Facts {
        key: p.is_key,
        reassignment_pending: p.reassignment_pending,
        rehandled: p.rehandled,
        satisfaction: Some(Satisfaction::Satisfied),
        disposal: Some(rules::Disposal::ForwardAsLetter),
        other_leads_pending: false,
        cosigners_pending: false,
    };
    let mut out = Vec::new();
    for step in Step::ALL {
        if rules::transition(p.state(), step, part, &facts).is_err() {
            continue;
        }
        let units = || async {
            let list = bodies::choices(&state.db, BodyKind::Unit, p.committee_id).await?;
            Ok::<_, WebError>(
                list.iter()
                    .map(|u| (u.id.to_string().into(), u.name.clone().into()))
                    .collect::<Vec<crate::view::Choice>>(),
            )
        };
        let multi = |name, label, options| Field {
            kind: "multi",
            options,
            ..Field::text(name, label, "")
        };
        let fields = match step {
            Step::Decline => vec![
                Field::select(
                    "disposal",
                    t.s("proposal.disposal"),
                    "",
                    [
                        "",
                        "convert-to-opinion",
                        "forward-as-letter",
                        "return-for-revision",
                    ]
                    .iter()
                    .map(|s| {
                        let label = if s.is_empty() {
                            String::new()
                        } else {
                            t.code("disposal", s)
                        };
                        (s.to_string(), label)
                    }),
                )
                .required(),
                Field {
                    kind: "textarea",
                    ..Field::text("reason", t.s("proposal.decline_reason"), "").required()
                },
            ],
            Step::Merge => vec![
                Field::text("into", t.s("proposal.merge_into"), "")
                    .kind("number")
                    .required(),
            ],
            Step::Assign => vec![
                multi("lead_units", t.s("proposal.lead_units"), units().await?),
                multi("co_units", t.s("proposal.co_units"), units().await?),
            ],
            Step::RequestReassignment => vec![Field {
                kind: "textarea",
                ..Field::text("reason", t.s("proposal.reason"), "").required()
            }],
            Step::DecideReassignment => vec![
                Field::select(
                    "approve",
                    t.s("proposal.approve"),
                    "false",
                    [("false", t.s("common.no")), ("true", t.s("common.yes"))],
                ),
                multi("lead_units", t.s("proposal.lead_units"), units().await?),
                multi("co_units", t.s("proposal.co_units"), units().await?),
            ],
            Step::RecordConsultation => vec![
                Field::text("held_on", t.s("proposal.held_on"), "")
                    .kind("date")
                    .required(),
                Field::select(
                    "form",
                    t.s("proposal.consultation_form"),
                    "meeting",
                    choices(
                        t,
                        "consultation_form",
                        ConsultationForm::ALL,
                        |f| f.as_str(),
                        None,
                    ),
                ),
                Field::text("participants", t.s("proposal.participants"), "")
                    .required()
                    .max(1000),
                Field {
                    kind: "textarea",
                    ..Field::text("agreed", t.s("proposal.agreed"), "").required()
                },
            ],
            Step::Answer => vec![
                Field::select(
                    "category",
                    t.s("proposal.answer_category"),
                    "",
                    choices(
                        t,
                        "answer_category",
                        AnswerCategory::ALL,
                        |c| c.as_str(),
                        Some(""),
                    ),
                )
                .required(),
                Field {
                    kind: "textarea",
                    max: rules::MAX_ANSWER,
                    ..Field::text("text", t.s("proposal.answer"), "").required()
                },
            ],
            Step::Evaluate => vec![
                Field::select(
                    "satisfaction",
                    t.s("proposal.satisfaction"),
                    "",
                    ["", "satisfied", "basically-satisfied", "not-satisfied"]
                        .iter()
                        .map(|s| {
                            (
                                s.to_string(),
                                if s.is_empty() {
                                    String::new()
                                } else {
                                    t.code("satisfaction", s)
                                },
                            )
                        }),
                )
                .required(),
                Field {
                    kind: "textarea",
                    ..Field::text("comment", t.s("proposal.comment"), "")
                },
            ],
            Step::MarkKey => {
                let leaders = users::holding(&state.db, Role::Leader, p.committee_id).await?;
                vec![
                    Field::select(
                        "supervisor_user_id",
                        t.s("proposal.supervisor"),
                        "",
                        leaders.into_iter().map(|(id, n)| (id.to_string(), n)),
                    )
                    .required(),
                ]
            }
            Step::RecordSupervision => vec![
                Field::text("held_on", t.s("proposal.held_on"), "")
                    .kind("date")
                    .required(),
                Field {
                    kind: "textarea",
                    ..Field::text("activity", t.s("proposal.activity"), "").required()
                },
            ],
            Step::ExtendDeadline => vec![
                Field::text("months", t.s("proposal.months"), "1")
                    .kind("number")
                    .required(),
            ],
            _ => vec![],
        };
        out.push(StepForm {
            name: step.as_str(),
            label: t.code("step", step.as_str()),
            fields,
        });
    }
    Ok(out)
}

pub(crate) async fn proposal_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let (p, part) = proposals::get_with_part(&state.db, &caller, id).await?;
    let mut steps = step_forms(state, t, &p, part).await?;
    let (alert, status) = crate::view::step_problem(ctx, &mut steps, err);
    let timeline = crate::view::timeline(&state.db, "proposal", id, |a| t.code("event", a)).await?;
    let session = super::session_text(t, p.term, p.session);
    let deadline = p.deadline_at.map(store::clock::utc_date);
    let units = proposals::assigned_units(&state.db, id).await?;
    let editable = part == rules::Part::Proposer && rules::editable(p.state());
    let cosigners = proposals::cosigner_names(&state.db, id).await?;
    let me = caller.actor.user_id;
    let can_cosign = part == rules::Part::CoProposer
        && rules::editable(p.state())
        && proposals::cosigner_confirmed(&state.db, id, me).await? == Some(false);
    let reviewing = part == rules::Part::Staff
        && matches!(
            p.state(),
            rules::State::Submitted | rules::State::UnderReview
        );
    let similar = if reviewing {
        super::similar_to(state, &p).await?
    } else {
        Vec::new()
    };
    let may_merge = reviewing && p.state() == rules::State::UnderReview;
    let files = store::attachments::of(
        &state.db,
        &caller,
        store::attachments::Owner::Proposal(p.id),
    )
    .await?;
    let my_units: Vec<i64> = caller
        .actor
        .grants
        .iter()
        .filter(|g| g.role == Role::UnitOfficer)
        .filter_map(|g| g.unit_id)
        .collect();
    let lead_unit = part == rules::Part::Unit
        && units
            .iter()
            .any(|u| u.role == "lead" && my_units.contains(&u.unit_id));
    let attach = match (part, p.state()) {
        (rules::Part::Proposer, rules::State::Draft) => Some("attachment"),
        (_, rules::State::Assigned | rules::State::InHandling) if lead_unit => Some("reply"),
        _ => None,
    };
    let may_commit = (part == rules::Part::Staff || lead_unit)
        && matches!(
            p.state(),
            rules::State::Assigned
                | rules::State::InHandling
                | rules::State::Answered
                | rules::State::Evaluated
                | rules::State::Closed
        );
    let commitments = store::commitments::of_proposal(&state.db, &caller, p.id).await?;
    let opinion = proposals::opinion_of(&state.db, p.id)
        .await?
        .map(|o| (o, t.f("proposal.converted_opinion", &[&o])));
    let from_opinion = store::opinions::lead_of(&state.db, p.id).await?;
    let cited_by = store::consultation_links::citing(
        &state.db,
        store::consultation_links::Cited::Proposal,
        id,
    )
    .await?;
    let mut r = html(ProposalPage {
        cited_by,
        c: Chrome::new(ctx, "/proposals"),
        p,
        session,
        deadline,
        units,
        steps,
        timeline,
        alert,
        editable,
        cosigners,
        can_cosign,
        opinion,
        from_opinion,
        similar,
        may_merge,
        files,
        attach,
        me,
        commitments,
        may_commit,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

/// A proposal's page.
pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    proposal_page(&state, &ctx, id, None).await
}

/// Takes a step from a form on the proposal's page.
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
    let many = |k: &str| {
        form.all(k)
            .filter_map(|v| v.parse().ok())
            .collect::<Vec<i64>>()
    };
    let mut errors = Vec::new();
    let b = ActionBody {
        into: form.number("into", &mut errors),
        disposal: one("disposal"),
        lead_units: many("lead_units"),
        co_units: many("co_units"),
        reason: one("reason"),
        approve: one("approve").map(|v| v == "true"),
        held_on: one("held_on"),
        form: one("form"),
        participants: one("participants"),
        agreed: one("agreed"),
        category: one("category"),
        text: one("text"),
        satisfaction: one("satisfaction"),
        comment: one("comment"),
        supervisor_user_id: form.number("supervisor_user_id", &mut errors),
        activity: one("activity"),
        months: form.number("months", &mut errors),
        version: form.version(),
    };
    let version = b.version;
    let result = if errors.is_empty() {
        match b.action(step) {
            Ok(action) => proposals::act(&state.db, &caller, id, action, version).await,
            Err(WebError::Store(e)) => Err(e),
            Err(e) => return Err(e),
        }
    } else {
        Err(StoreError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            proposal_page(&state, &ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PublicQuery {
    q: Option<String>,
    page: Option<i64>,
}

/// The public page of answers: closed proposals whose proposers agreed to
/// publication. Open to everyone, signed in or not.
pub async fn public_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PublicQuery>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let page = proposals::published(
        &state.db,
        q.q.as_deref(),
        PageRequest::new(q.page, Some(20)),
    )
    .await?;
    let rows = page
        .items
        .iter()
        .map(|p| {
            vec![
                cell(p.number_label.clone().unwrap_or_default()),
                link(p.title.clone(), format!("/public/proposals/{}", p.id)),
                cell(t.code("category", &p.category)),
            ]
        })
        .collect();
    let params = [("q", q.q.clone().unwrap_or_default())];
    html(
        ListPage {
            c: Chrome::new(&ctx, "/public/proposals")
                .with_flash(Some(t.s("public.intro").to_string())),
            title: t.s("public.answers").into(),
            path: "/public/proposals".into(),
            new_link: None,
            filters: vec![
                Field::text("q", t.s("list.search"), q.q.clone().unwrap_or_default())
                    .kind("search"),
            ],
            headers: vec![
                t.s("proposal.number"),
                t.s("proposal.title"),
                t.s("proposal.category"),
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

#[derive(Template)]
#[template(path = "public_proposal.html")]
struct PublicProposal {
    c: Chrome,
    p: Proposal,
    units: Vec<proposals::AssignedUnit>,
}

/// One published proposal with its answers.
pub async fn public_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let p = proposals::published_one(&state.db, id).await?;
    let units = proposals::assigned_units(&state.db, id).await?;
    html(PublicProposal {
        c: Chrome::new(&ctx, "/public/proposals"),
        p,
        units,
    })
}

/// A co-signer confirms a joint proposal from its page.
pub async fn cosign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    match proposals::confirm_cosign(&state.db, &ctx.caller()?, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/proposals/{id}")).into_response()),
        Err(e @ (StoreError::Conflict { .. } | StoreError::Forbidden)) => {
            proposal_page(&state, &ctx, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}
