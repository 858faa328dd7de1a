//! The pages of a citizen's voice: the studios' list and each studio's page
//! with its public form (a question for visitors not signed in), the inbox
//! its members turn into pieces, its members' list for those who set it,
//! and the pages where a citizen follows their input.

use crate::ctx::Ctx;
use crate::error::WebResult;
use crate::platform::pages::html;
use crate::state::AppState;
use crate::view::{Chrome, Field, FormPairs, attach_errors};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::citizens::{self as rules, CitizenInput};
use serde::Deserialize;
use store::StoreError;
use store::citizens::{self, Answer, InputView};
use store::platform::committees;
use store::studios::{self, Studio, StudioMember};

#[derive(Template)]
#[template(path = "studios.html")]
struct StudiosPage {
    c: Chrome,
    /// (committee name, its studios)
    groups: Vec<(String, Vec<Studio>)>,
}

/// Every active studio, by committee: where citizens find a form.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> WebResult<Response> {
    let mut groups = Vec::new();
    for c in committees::all_with_scopes(&state.db).await?.iter() {
        let list = studios::active(&state.db, c.0.id).await?;
        if !list.is_empty() {
            groups.push((c.0.name.clone(), list));
        }
    }
    html(StudiosPage {
        c: Chrome::new(&ctx, "/studios"),
        groups,
    })
}

/// The question shown to a visitor, in their language.
struct Question {
    token: String,
    text: String,
}

#[derive(Template)]
#[template(path = "studio.html")]
struct StudioPage {
    c: Chrome,
    studio: Studio,
    members: Vec<StudioMember>,
    fields: Vec<Field>,
    question: Option<Question>,
    answer_error: Option<String>,
    alert: Option<String>,
    /// For its members and staff: the input that reached it.
    inbox: Option<Vec<InputView>>,
    /// For those who set its members: every member of the committee.
    manage: Option<Vec<(String, String)>>,
    member_ids: Vec<String>,
}

impl StudioPage {
    fn chosen(&self, id: &str) -> bool {
        self.member_ids.iter().any(|m| m == id)
    }
}

fn input_fields(t: crate::i18n::Tr, f: &CitizenInput) -> Vec<Field> {
    vec![
        Field::text("title", t.s("citizen.title"), f.title.clone())
            .required()
            .max(rules::MAX_TITLE),
        Field {
            kind: "textarea",
            ..Field::text("body", t.s("citizen.body"), f.body.clone())
                .required()
                .max(rules::MAX_BODY)
        },
        Field::text("name", t.s("citizen.name"), f.name.clone()).max(rules::MAX_NAME),
        Field::text("contact", t.s("citizen.contact"), f.contact.clone()).max(rules::MAX_CONTACT),
    ]
}

/// Renders a studio's page; `error` is what went wrong with a submission.
async fn studio_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: &CitizenInput,
    error: Option<&StoreError>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let studio = studios::get(&state.db, id).await?;
    if !studio.active {
        return Err(StoreError::NotFound.into());
    }
    let caller = ctx.visitor();
    let question = if caller.is_anonymous() {
        let issued = citizens::challenge(&state.db).await?;
        Some(Question {
            token: issued.token,
            text: super::question(t, issued.challenge),
        })
    } else {
        None
    };
    let mut fields = input_fields(t, form);
    let mut answer_error = None;
    let alert = match error {
        Some(StoreError::Invalid(errors)) => {
            let answer: Vec<_> = errors
                .iter()
                .filter(|e| e.field == "answer")
                .cloned()
                .collect();
            answer_error = answer.first().map(|e| t.code("error", e.code));
            let rest: Vec<_> = errors
                .iter()
                .filter(|e| e.field != "answer")
                .cloned()
                .collect();
            let unplaced = attach_errors(t, &mut fields, &rest);
            Some(if unplaced.is_empty() {
                t.s("form.fix_errors").to_string()
            } else {
                unplaced.join("；")
            })
        }
        Some(StoreError::Throttled(s)) => Some(t.f("problem.throttled_detail", &[s])),
        Some(StoreError::Conflict { code, .. }) => Some(t.code("problem", code)),
        Some(_) => Some(t.s("problem.internal").to_string()),
        None => None,
    };
    let members = studios::members(&state.db, id).await?;
    let inbox = match studios::handles(&state.db, &caller, &studio).await? {
        true => Some(citizens::inbox(&state.db, &caller, id).await?),
        false => None,
    };
    let scope = committees::scope(&state.db, studio.committee_id).await?;
    let manage = match scope {
        Some(scope)
            if !caller.is_anonymous()
                && studios::may_manage(&caller, &scope, studio.committee_id) =>
        {
            Some(
                store::members::cosigner_choices(&state.db, studio.committee_id)
                    .await?
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone()))
                    .collect(),
            )
        }
        _ => None,
    };
    let member_ids = members.iter().map(|m| m.member_id.to_string()).collect();
    let status = match error {
        Some(StoreError::Invalid(_)) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        Some(StoreError::Throttled(_)) => axum::http::StatusCode::TOO_MANY_REQUESTS,
        Some(StoreError::NotFound) => axum::http::StatusCode::NOT_FOUND,
        Some(StoreError::Forbidden) => axum::http::StatusCode::FORBIDDEN,
        Some(_) => axum::http::StatusCode::CONFLICT,
        None => axum::http::StatusCode::OK,
    };
    let page = StudioPage {
        c: Chrome::new(ctx, "/studios"),
        studio,
        members,
        fields,
        question,
        answer_error,
        alert,
        inbox,
        manage,
        member_ids,
    };
    Ok((status, html(page)?).into_response())
}

/// A studio's page.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    studio_page(&state, &ctx, id, &CitizenInput::default(), None).await
}

#[derive(Deserialize)]
pub struct InputForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    challenge_token: String,
    #[serde(default)]
    answer: String,
    /// Hidden from people; a script that fills every field gives itself away.
    #[serde(default)]
    website: String,
}

#[derive(Template)]
#[template(path = "inputs.html")]
struct InputsPage {
    c: Chrome,
    title: String,
    /// Shown once, right after submitting.
    receipt: Option<String>,
    inputs: Vec<InputView>,
    /// The lookup form, with its error.
    lookup: bool,
    lookup_error: Option<String>,
}

/// Leaves a citizen's input; answers with the receipt, or the form again.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<InputForm>,
) -> WebResult<Response> {
    let input = CitizenInput {
        title: f.title,
        body: f.body,
        name: f.name,
        contact: f.contact,
    };
    let answer = Answer {
        token: f.challenge_token,
        // A filled trap field spoils the answer, whatever it was.
        answer: if f.website.is_empty() {
            f.answer
        } else {
            String::new()
        },
    };
    match citizens::submit(&state.db, &ctx.visitor(), id, &input, Some(&answer)).await {
        Ok(s) => {
            let t = ctx.tr();
            html(InputsPage {
                c: Chrome::new(&ctx, "/studios").with_flash(Some(t.s("citizen.thanks").into())),
                title: t.s("citizen.received").into(),
                receipt: Some(s.receipt),
                inputs: vec![s.input],
                lookup: false,
                lookup_error: None,
            })
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::Throttled(_))) => {
            studio_page(&state, &ctx, id, &input, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The lookup form for a receipt, and a signed-in user's own inputs.
pub async fn status_form(State(state): State<AppState>, ctx: Ctx) -> WebResult<Response> {
    let t = ctx.tr();
    let inputs = citizens::mine(&state.db, &ctx.visitor()).await?;
    html(InputsPage {
        c: Chrome::new(&ctx, "/inputs"),
        title: t.s("citizen.my_inputs").into(),
        receipt: None,
        inputs,
        lookup: true,
        lookup_error: None,
    })
}

#[derive(Deserialize)]
pub struct ReceiptForm {
    #[serde(default)]
    receipt: String,
}

/// The input a receipt names.
pub async fn status_lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Form(f): axum::extract::Form<ReceiptForm>,
) -> WebResult<Response> {
    let t = ctx.tr();
    let (inputs, lookup_error) = match citizens::by_receipt(&state.db, &f.receipt).await {
        Ok(i) => (vec![i], None),
        Err(StoreError::NotFound | StoreError::Invalid(_)) => {
            (Vec::new(), Some(t.s("citizen.no_receipt").to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    let status = if lookup_error.is_some() {
        axum::http::StatusCode::NOT_FOUND
    } else {
        axum::http::StatusCode::OK
    };
    let page = html(InputsPage {
        c: Chrome::new(&ctx, "/inputs"),
        title: t.s("citizen.status").into(),
        receipt: None,
        inputs,
        lookup: true,
        lookup_error,
    })?;
    Ok((status, page).into_response())
}

/// A studio member turns an input into a draft piece, and goes to it.
pub async fn take_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let o = citizens::take_up(&state.db, &ctx.caller()?, id).await?;
    Ok(Redirect::to(&format!("/opinions/{}", o.id)).into_response())
}

/// Sets a studio's members from the page's checkboxes.
pub async fn set_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> WebResult<Response> {
    let form = FormPairs::parse(&body)?;
    let mut ids = Vec::new();
    for v in form.all("member_ids") {
        ids.push(
            v.parse::<i64>()
                .map_err(|_| StoreError::invalid("member_ids", "invalid_choice"))?,
        );
    }
    let version = form.version();
    match studios::set_members(&state.db, &ctx.caller()?, id, &ids, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/studios/{id}#members")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            studio_page(&state, &ctx, id, &CitizenInput::default(), Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}
