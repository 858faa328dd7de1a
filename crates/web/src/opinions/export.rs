//! Lists of public-opinion pieces as XLSX and CSV, with the list's filters.

use super::api::{OpinionParams, filter_of};
use crate::ctx::Ctx;
use crate::download::{self, attachment};
use crate::error::WebResult;
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use export::Table;
use store::StoreError;
use store::opinions::{self, Opinion};
use store::page::PageRequest;

/// Most rows a download holds.
const MAX_ROWS: i64 = 10_000;

/// Every piece the filters select that the caller may see, newest first.
async fn all_matching(state: &AppState, ctx: &Ctx, p: OpinionParams) -> WebResult<Vec<Opinion>> {
    let caller = ctx.caller()?;
    let mut f = filter_of(ctx, p)?;
    super::resolve_search(state, &mut f).await?;
    let per_page = PageRequest::MAX_PER_PAGE;
    let mut out = Vec::new();
    for page in 1.. {
        let got = opinions::list(
            &state.db,
            &caller,
            &f,
            PageRequest::new(Some(page), Some(per_page)),
        )
        .await?;
        if got.total > MAX_ROWS {
            return Err(StoreError::invalid("filter", "too_many").into());
        }
        let n = got.items.len() as i64;
        out.extend(got.items);
        if n < per_page || out.len() as i64 >= got.total {
            break;
        }
    }
    Ok(out)
}

async fn table(state: &AppState, ctx: &Ctx, p: OpinionParams) -> WebResult<Table> {
    let t: Tr = ctx.tr();
    let items = all_matching(state, ctx, p).await?;
    let ids: Vec<i64> = items.iter().map(|o| o.id).collect();
    let sources = opinions::sources_of(&state.db, &ids).await?;
    let headers = [
        "opinion.title",
        "opinion.category",
        "opinion.urgency",
        "opinion.region",
        "opinion.sources",
        "opinion.state",
        "opinion.created",
        "opinion.bulletin",
    ]
    .iter()
    .map(|k| t.s(k).to_string())
    .collect();
    let rows = items
        .iter()
        .map(|o| {
            let from = sources
                .get(&o.id)
                .map(|list| {
                    list.iter()
                        .map(|s| format!("{}（{}）", s.label, t.code("source_kind", &s.kind)))
                        .collect::<Vec<_>>()
                        .join("；")
                })
                .unwrap_or_default();
            vec![
                o.title.clone(),
                t.code("category", &o.category),
                t.code("urgency", &o.urgency),
                o.region.clone(),
                from,
                t.code("opinion_state", &o.state),
                store::clock::local_date(o.created_at),
                o.bulletin_id.map(|b| b.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Table {
        name: t.s("opinion.list").to_string(),
        headers,
        rows,
    })
}

/// A filtered list of pieces as XLSX (the same filters as the list).
#[utoipa::path(get, path = "/opinions.xlsx", tag = "opinions", params(OpinionParams),
    responses((status = 200, description = "The list as an XLSX workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = Problem, description = "More than 10,000 rows: narrow the filter")))]
pub async fn list_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<OpinionParams>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let table = table(&state, &ctx, p).await?;
    let bytes = export::xlsx::write(&table).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(attachment(
        bytes,
        download::XLSX,
        &format!("{}.xlsx", t.s("opinion.list")),
    ))
}

/// A filtered list of pieces as CSV (UTF-8 with a byte-order mark, for Excel).
#[utoipa::path(get, path = "/opinions.csv", tag = "opinions", params(OpinionParams),
    responses((status = 200, description = "The list as CSV", content_type = "text/csv"),
        (status = 422, body = Problem, description = "More than 10,000 rows: narrow the filter")))]
pub async fn list_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<OpinionParams>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let table = table(&state, &ctx, p).await?;
    Ok(attachment(
        export::csv::write(&table),
        download::CSV,
        &format!("{}.csv", t.s("opinion.list")),
    ))
}
