//! The page of a consultation meeting: its agenda (written and published
//! by staff, opening with the study item), its invitations (answered by
//! each invitee, checked in by staff), its speeches in order (moved up and
//! down by hand) and its minutes.

use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::pages::{PageCtx, html};
use crate::state::AppState;
use crate::view::{Chrome, FormPairs};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::consultations::Part;
use domain::meetings::SpeakerKind;
use serde::Deserialize;
use store::StoreError;
use store::meetings::{self, AgendaItem, Invitation, Meeting, Speech, SpeechInput};

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    c: Chrome,
    m: Meeting,
    consultation_title: String,
    agenda: Vec<AgendaItem>,
    /// Rows of the agenda form: the items and two empty ones.
    agenda_rows: Vec<(usize, AgendaItem)>,
    invitations: Vec<Invitation>,
    speeches: Vec<Speech>,
    staff: bool,
    /// The caller's own invitation, when invited and not yet checked in.
    my_answer: Option<String>,
    kinds: Vec<crate::view::Choice>,
    /// For staff: (user id, name) of the committee's members not yet invited.
    uninvited: Vec<(i64, String)>,
    alert: Option<String>,
}

async fn meeting_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    err: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let caller = ctx.caller()?;
    let (m, consultation, part) = meetings::get(&state.db, &caller, id).await?;
    let staff = part == Part::Staff
        && !matches!(
            consultation.state(),
            domain::consultations::State::Closed | domain::consultations::State::Cancelled
        );
    let agenda = meetings::agenda(&state.db, id).await?;
    let mut rows = agenda.clone();
    if rows.is_empty() {
        rows.push(AgendaItem {
            study: true,
            title: String::new(),
        });
    }
    for _ in 0..2 {
        rows.push(AgendaItem {
            study: false,
            title: String::new(),
        });
    }
    let invitations = meetings::invitations(&state.db, id).await?;
    let my_answer = invitations
        .iter()
        .find(|i| i.user_id == caller.actor.user_id && i.checked_in_at.is_none())
        .map(|i| i.answer.clone());
    let uninvited = if staff {
        store::consultation_people::candidates(&state.db, consultation.committee_id)
            .await?
            .into_iter()
            .filter(|(u, _)| !invitations.iter().any(|i| i.user_id == *u))
            .collect()
    } else {
        Vec::new()
    };
    let (alert, status) = crate::view::step_problem(ctx, &mut [], err);
    let page = MeetingPage {
        uninvited,
        c: Chrome::new(ctx, "/consultations"),
        consultation_title: consultation.title,
        agenda,
        agenda_rows: rows.into_iter().enumerate().collect(),
        invitations,
        speeches: meetings::speeches(&state.db, id).await?,
        staff,
        my_answer,
        kinds: crate::view::choices(t, "speaker_kind", SpeakerKind::ALL, |k| k.as_str(), None),
        alert,
        m,
    };
    let mut r = html(page)?;
    *r.status_mut() = status;
    Ok(r)
}

/// A meeting's page.
pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    meeting_page(&state, &ctx, id, None).await
}

async fn back(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<(), StoreError>,
    anchor: &str,
) -> WebResult<Response> {
    crate::view::after(r, format!("/meetings/{id}#{anchor}"), |e| async move {
        meeting_page(state, ctx, id, Some(&e)).await
    })
    .await
}

/// Saves the agenda: the non-empty rows in order, the checked one the study item.
pub async fn save_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let study: Vec<String> = form.all("study").map(str::to_string).collect();
    let items: Vec<AgendaItem> = form
        .all("item_title")
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(i, t)| AgendaItem {
            study: study.iter().any(|s| *s == i.to_string()),
            title: t.to_string(),
        })
        .collect();
    let r = meetings::set_agenda(&state.db, &ctx.caller()?, id, &items, form.version()).await;
    back(&state, &ctx, id, r, "agenda").await
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

/// Publishes the agenda.
pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<VersionForm>,
) -> WebResult<Response> {
    let r = meetings::publish_agenda(&state.db, &ctx.caller()?, id, f.version.parse().ok()).await;
    back(&state, &ctx, id, r, "agenda").await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

/// The invitee answers.
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<AnswerForm>,
) -> WebResult<Response> {
    let r = meetings::answer(&state.db, &ctx.caller()?, id, &f.answer).await;
    back(&state, &ctx, id, r, "invitations").await
}

/// Staff invite more members.
pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let r = match form.ids("user_ids") {
        Ok(users) => meetings::invite(&state.db, &ctx.caller()?, id, &users)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    back(&state, &ctx, id, r, "invitations").await
}

/// Staff check an invitee in.
pub async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
) -> WebResult<Response> {
    let r = meetings::check_in(&state.db, &ctx.caller()?, id, user_id).await;
    back(&state, &ctx, id, r, "invitations").await
}

#[derive(Deserialize)]
pub struct SpeechForm {
    #[serde(default)]
    speaker_kind: String,
    #[serde(default)]
    speaker: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

/// Schedules a speech.
pub async fn add_speech(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<SpeechForm>,
) -> WebResult<Response> {
    let input = SpeechInput {
        speaker_kind: f.speaker_kind,
        speaker: f.speaker,
        user_id: None,
        title: f.title,
        text: f.text,
    };
    let r = meetings::add_speech(&state.db, &ctx.caller()?, id, &input)
        .await
        .map(|_| ());
    back(&state, &ctx, id, r, "speeches").await
}

#[derive(Deserialize)]
pub struct MoveForm {
    /// `up` or `down`.
    #[serde(default)]
    to: String,
    #[serde(default)]
    version: String,
}

/// Moves a speech one place up or down.
pub async fn move_speech(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, speech_id)): Path<(i64, i64)>,
    axum::extract::Form(f): axum::extract::Form<MoveForm>,
) -> WebResult<Response> {
    let mut order: Vec<i64> = meetings::speeches(&state.db, id)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let r = match order.iter().position(|s| *s == speech_id) {
        None => Err(StoreError::NotFound),
        Some(i) => {
            match f.to.as_str() {
                "up" if i > 0 => order.swap(i, i - 1),
                "down" if i + 1 < order.len() => order.swap(i, i + 1),
                _ => {}
            }
            meetings::reorder(
                &state.db,
                &ctx.caller()?,
                id,
                &order,
                f.version.parse().ok(),
            )
            .await
        }
    };
    back(&state, &ctx, id, r, "speeches").await
}

#[derive(Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    version: String,
}

/// Records the minutes.
pub async fn minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<MinutesForm>,
) -> WebResult<Response> {
    let r = meetings::set_minutes(
        &state.db,
        &ctx.caller()?,
        id,
        &f.minutes,
        f.version.parse().ok(),
    )
    .await;
    back(&state, &ctx, id, r, "minutes").await
}
