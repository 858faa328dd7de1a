//! Proposals as files: any filtered list as XLSX, CSV or JSON, one proposal
//! with its answers as DOCX, and a compilation (提案汇编) of a selection.

use super::api::ProposalParams;
use crate::ctx::Ctx;
use crate::download::{self, attachment};
use crate::error::{WebError, WebResult};
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use export::Table;
use export::docx::{Answer, Compilation, ProposalDoc};
use serde::Deserialize;
use std::collections::HashMap;
use store::StoreError;
use store::page::PageRequest;
use store::platform::committees;
use store::proposals::{self, Details, Proposal, ProposalFilter};

/// Most rows a list export holds; narrow the filter for more.
pub const MAX_ROWS: i64 = 10_000;
/// Most proposals in one compilation.
pub const MAX_COMPILED: usize = 300;

/// Every proposal the filter selects that the caller may see, up to `max`;
/// more is a 422 that asks for a narrower filter.
async fn all_matching(
    state: &AppState,
    ctx: &Ctx,
    p: ProposalParams,
    max: i64,
) -> WebResult<Vec<Proposal>> {
    let caller = ctx.caller()?;
    let mut f: ProposalFilter = super::api::filter_of(ctx, p)?;
    super::resolve_search(state, &mut f).await?;
    let mut out = Vec::new();
    let per_page = PageRequest::MAX_PER_PAGE;
    for page in 1.. {
        let got = proposals::list(
            &state.db,
            &caller,
            &f,
            PageRequest::new(Some(page), Some(per_page)),
        )
        .await?;
        if got.total > max {
            return Err(StoreError::invalid("filter", "too_many").into());
        }
        let n = got.items.len() as i64;
        out.extend(got.items.iter().map(|p| proposals::Proposal::clone(p)));
        if n < per_page || out.len() as i64 >= got.total {
            break;
        }
    }
    Ok(out)
}

fn date(t: Option<i64>) -> String {
    t.map(store::clock::local_date).unwrap_or_default()
}

fn names(units: &[proposals::AssignedUnit], role: &str) -> String {
    units
        .iter()
        .filter(|u| u.role == role)
        .map(|u| u.unit_name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// The proposers as written on a document: the body for a collective proposal,
/// the lead proposer and co-signers otherwise.
fn proposers(d: &Details) -> String {
    match &d.collective {
        Some(body) => body.clone(),
        None => std::iter::once(d.proposer.as_str())
            .chain(d.cosigners.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("、"),
    }
}

fn table(t: Tr, items: &[Proposal], details: &HashMap<i64, Details>) -> Table {
    let headers = [
        "proposal.number",
        "proposal.title",
        "proposal.category",
        "proposal.kind",
        "export.proposers",
        "proposal.session",
        "proposal.state",
        "proposal.lead_units",
        "proposal.co_units",
        "proposal.answer_category",
        "proposal.satisfaction",
        "proposal.key",
        "export.submitted",
        "export.assigned",
        "proposal.deadline",
        "export.closed",
    ]
    .iter()
    .map(|k| t.s(k).to_string())
    .collect();
    let empty = Details::default();
    let rows = items
        .iter()
        .map(|p| {
            let d = details.get(&p.id).unwrap_or(&empty);
            let categories: Vec<&str> = d
                .units
                .iter()
                .filter_map(|u| u.answer_category.as_deref())
                .collect();
            vec![
                p.number_label.clone().unwrap_or_default(),
                p.title.clone(),
                t.code("category", &p.category),
                t.code("proposal_kind", &p.kind),
                proposers(d),
                super::session_text(t, p.term, p.session),
                t.code("state", &p.state),
                names(&d.units, "lead"),
                names(&d.units, "co"),
                categories.join("、"),
                p.satisfaction
                    .as_deref()
                    .map(|s| t.code("satisfaction", s))
                    .unwrap_or_default(),
                if p.is_key { t.s("common.yes") } else { "" }.to_string(),
                date(p.submitted_at),
                date(p.assigned_at),
                date(p.deadline_at),
                date(p.closed_at),
            ]
        })
        .collect();
    Table {
        name: t.s("nav.proposals").to_string(),
        headers,
        rows,
    }
}

fn document(t: Tr, committee: &str, p: &Proposal, d: &Details) -> ProposalDoc {
    let mut facts = vec![
        (t.s("export.proposers").to_string(), proposers(d)),
        (
            t.s("proposal.category").to_string(),
            t.code("category", &p.category),
        ),
        (
            t.s("proposal.kind").to_string(),
            t.code("proposal_kind", &p.kind),
        ),
    ];
    if let Some(s) = p.submitted_at {
        facts.push((
            t.s("export.submitted").to_string(),
            store::clock::local_date(s),
        ));
    }
    let leads = names(&d.units, "lead");
    if !leads.is_empty() {
        facts.push((t.s("proposal.lead_units").to_string(), leads));
    }
    let cos = names(&d.units, "co");
    if !cos.is_empty() {
        facts.push((t.s("proposal.co_units").to_string(), cos));
    }
    let answers = d
        .units
        .iter()
        .filter_map(|u| {
            let text = u.answer_text.clone()?;
            let category = u
                .answer_category
                .as_deref()
                .map(|c| t.code("answer_category", c))
                .unwrap_or_default();
            Some(Answer {
                heading: format!(
                    "{}（{}）· {category}",
                    u.unit_name,
                    t.code("unit_role", &u.role)
                ),
                text,
            })
        })
        .collect();
    ProposalDoc {
        heading: format!("{committee}{}", super::session_text(t, p.term, p.session)),
        number: p.number_label.as_ref().map(|n| t.f("export.number", &[n])),
        title: p.title.clone(),
        facts,
        body: p.body.clone(),
        answers_heading: t.s("export.answers").to_string(),
        answers,
        evaluation: p.satisfaction.as_deref().map(|s| {
            let mut v = t.code("satisfaction", s);
            if let Some(c) = &p.evaluation_comment {
                v = format!("{v}（{c}）");
            }
            (t.s("export.evaluation").to_string(), v)
        }),
    }
}

fn failed(e: export::ExportError) -> WebError {
    StoreError::Internal(e.to_string()).into()
}

/// A filtered list of proposals as XLSX (the same filters as the list).
#[utoipa::path(get, path = "/proposals.xlsx", tag = "proposals", params(ProposalParams),
    responses((status = 200, description = "The list as an XLSX workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = Problem, description = "More than 10,000 rows: narrow the filter")))]
pub async fn list_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ProposalParams>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let table = list_table(&state, &ctx, p).await?;
    let bytes = export::xlsx::write(&table).map_err(failed)?;
    Ok(attachment(
        bytes,
        download::XLSX,
        &format!("{}.xlsx", t.s("nav.proposals")),
    ))
}

/// A filtered list of proposals as CSV (UTF-8 with a byte-order mark).
#[utoipa::path(get, path = "/proposals.csv", tag = "proposals", params(ProposalParams),
    responses((status = 200, description = "The list as CSV", content_type = "text/csv"),
        (status = 422, body = Problem, description = "More than 10,000 rows: narrow the filter")))]
pub async fn list_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ProposalParams>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let table = list_table(&state, &ctx, p).await?;
    Ok(attachment(
        export::csv::write(&table),
        download::CSV,
        &format!("{}.csv", t.s("nav.proposals")),
    ))
}

/// A filtered list of proposals as one JSON array, without paging.
#[utoipa::path(get, path = "/proposals.json", tag = "proposals", params(ProposalParams),
    responses((status = 200, body = Vec<Proposal>), (status = 422, body = Problem)))]
pub async fn list_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ProposalParams>,
) -> WebResult<Response> {
    let items = all_matching(&state, &ctx, p, MAX_ROWS).await?;
    Ok(Json(items).into_response())
}

async fn list_table(state: &AppState, ctx: &Ctx, p: ProposalParams) -> WebResult<Table> {
    let items = all_matching(state, ctx, p, MAX_ROWS).await?;
    let ids: Vec<i64> = items.iter().map(|p| p.id).collect();
    let details = proposals::details(&state.db, &ids).await?;
    Ok(table(ctx.tr(), &items, &details))
}

/// One proposal with its answers as a DOCX document (`GET /proposals/{id}.docx`).
pub async fn proposal_docx(state: &AppState, ctx: &Ctx, id: i64) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let p = proposals::get(&state.db, &caller, id).await?;
    let committee = committees::get(&state.db, &caller, p.committee_id).await?;
    let details = proposals::details(&state.db, &[id]).await?;
    let d = details.get(&id).cloned().unwrap_or_default();
    let bytes = export::docx::proposal(&document(t, &committee.name, &p, &d)).map_err(failed)?;
    let name = p.number_label.clone().unwrap_or_else(|| id.to_string());
    Ok(attachment(bytes, download::DOCX, &format!("{name}.docx")))
}

/// Documents `GET /proposals/{id}.docx` (served by the `/proposals/{id}` route).
#[utoipa::path(get, path = "/proposals/{id}.docx", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, description = "The proposal and its answers as a Word document", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = Problem)))]
#[allow(dead_code)]
pub(crate) async fn proposal_docx_doc(Path(_id): Path<i64>) {}

/// Which proposals a compilation holds.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct CompilationParams {
    /// The proposals, comma-separated, in this order; without it, the list's filters choose.
    pub ids: Option<String>,
    /// The compilation's title (by default "{committee}提案及办理答复汇编").
    pub title: Option<String>,
}

/// A compilation (提案汇编) of proposals with their answers as one DOCX: the
/// ones named in `ids`, or those the list's filters select (at most 300).
#[utoipa::path(get, path = "/proposals/compilation.docx", tag = "proposals", params(CompilationParams, ProposalParams),
    responses((status = 200, description = "The compilation as a Word document", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 422, body = Problem, description = "No proposal, more than 300, or ids that are not numbers")))]
pub async fn compilation_docx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(c): Query<CompilationParams>,
    Query(p): Query<ProposalParams>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let committee_id = super::api::committee_of(&ctx, p.committee_id)?;
    let items: Vec<Proposal> = match c.ids.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(list) => {
            let ids: Vec<i64> = list
                .split(',')
                .map(|s| s.trim().parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|_| StoreError::invalid("ids", "invalid_format"))?;
            if ids.len() > MAX_COMPILED {
                return Err(StoreError::invalid("ids", "too_many").into());
            }
            let mut v = Vec::with_capacity(ids.len());
            for id in ids {
                // Each must be visible to the caller: others are simply not found.
                v.push(proposals::get(&state.db, &caller, id).await?);
            }
            v
        }
        None => all_matching(&state, &ctx, p, MAX_COMPILED as i64).await?,
    };
    if items.is_empty() {
        return Err(StoreError::invalid("ids", "required").into());
    }
    let committee = committees::get(&state.db, &caller, committee_id).await?;
    let ids: Vec<i64> = items.iter().map(|p| p.id).collect();
    let details = proposals::details(&state.db, &ids).await?;
    let empty = Details::default();
    let title = c
        .title
        .map(|s| s.trim().chars().take(100).collect::<String>())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| t.f("export.compilation_title", &[&committee.name]));
    let doc = Compilation {
        title: title.clone(),
        subtitle: t.f("export.compilation_count", &[&items.len()]),
        contents_heading: t.s("export.contents").to_string(),
        proposals: items
            .iter()
            .map(|p| document(t, &committee.name, p, details.get(&p.id).unwrap_or(&empty)))
            .collect(),
    };
    let bytes = export::docx::compilation(&doc).map_err(failed)?;
    Ok(attachment(bytes, download::DOCX, &format!("{title}.docx")))
}
