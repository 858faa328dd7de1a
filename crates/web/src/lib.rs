//! Xieshang's HTTP layer: server-rendered pages and the JSON API, one module
//! per area, over the same store commands.

pub mod api_extract;
pub mod citizens;
pub mod consultations;
pub mod ctx;
pub mod deliberations;
pub mod download;
pub mod error;
pub mod escape;
pub mod i18n;
pub mod members;
pub mod notifications;
pub mod opinions;
pub mod page_cache;
pub mod platform;
pub mod problem;
pub mod proposals;
pub mod state;
pub mod view;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use error::WebError;
use state::AppState;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Xieshang API", version = "1", description = "The JSON API of Xieshang, the platform of a political consultative committee. Conventions: API.md."),
    servers((url = "/api/v1")),
    paths(
        proposals::export::proposal_docx_doc,
        opinions::api::bulletin_docx_doc,
        consultations::legislation_api::opinion_docx_doc
    ),
    components(schemas(problem::Problem, problem::FieldProblem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

/// Declares the bearer tokens of `POST /auth/login` as the API's authentication.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    use citizens::api as cz;
    use consultations::api as cs;
    use consultations::legislation_api as lg;
    use consultations::plans_api as pl;
    use consultations::pool_api as po;
    use consultations::work_api as wk;
    use deliberations::api as dl;
    use members::api as m;
    use opinions::api as op;
    use opinions::export as ox;
    use platform::api as p;
    use proposals::api as pr;
    use proposals::export as px;
    use proposals::files as pf;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(p::login))
        .routes(routes!(p::logout))
        .routes(routes!(p::me))
        .routes(routes!(p::change_password))
        .routes(routes!(p::list_committees, p::create_committee))
        .routes(routes!(p::get_committee, p::update_committee))
        .routes(routes!(p::committee_events))
        .routes(routes!(p::list_users, p::create_user))
        .routes(routes!(p::get_user, p::update_user))
        .routes(routes!(p::user_action))
        .routes(routes!(p::user_events))
        .routes(routes!(p::list_events))
        .routes(routes!(m::list_members, m::create_member))
        .routes(routes!(m::get_member, m::update_member))
        .routes(routes!(m::member_events))
        .routes(routes!(pr::list_proposals, pr::create_proposal))
        .routes(routes!(pr::get_proposal, pr::update_proposal))
        .routes(routes!(pr::proposal_action))
        .routes(routes!(pr::proposal_events))
        .routes(routes!(pr::cosign_proposal))
        .routes(routes!(pr::similar_proposals))
        .routes(routes!(px::list_xlsx))
        .routes(routes!(px::list_csv))
        .routes(routes!(px::list_json))
        .routes(routes!(px::compilation_docx))
        .routes(routes!(pf::list_attachments, pf::upload_attachment))
        .routes(routes!(pf::download_attachment, pf::delete_attachment))
        .routes(routes!(pf::list_commitments, pf::add_commitment))
        .routes(routes!(pf::complete_commitment))
        .routes(routes!(op::list_opinions, op::create_opinion))
        .routes(routes!(op::get_opinion, op::update_opinion))
        .routes(routes!(op::opinion_action))
        .routes(routes!(op::opinion_counts))
        .routes(routes!(op::list_opinion_files, op::upload_opinion_file))
        .routes(routes!(ox::list_xlsx))
        .routes(routes!(ox::list_csv))
        .routes(routes!(op::opinion_events))
        .routes(routes!(op::list_bulletins, op::open_bulletin))
        .routes(routes!(op::get_bulletin))
        .routes(routes!(op::bulletin_action))
        .routes(routes!(op::order_bulletin))
        .routes(routes!(cs::list_consultations, cs::create_consultation))
        .routes(routes!(cs::get_consultation, cs::update_consultation))
        .routes(routes!(cs::consultation_action))
        .routes(routes!(cs::consultation_events))
        .routes(routes!(cs::list_links, cs::add_link))
        .routes(routes!(cs::remove_link))
        .routes(routes!(cs::suggestions))
        .routes(routes!(pl::list_plans, pl::create_plan))
        .routes(routes!(pl::get_plan))
        .routes(routes!(pl::add_plan_item))
        .routes(routes!(pl::plan_action))
        .routes(routes!(pl::start_plan_item))
        .routes(routes!(wk::get_participants, wk::set_participants))
        .routes(routes!(wk::list_comments, wk::add_comment))
        .routes(routes!(wk::list_meetings, wk::create_meeting))
        .routes(routes!(wk::get_meeting))
        .routes(routes!(wk::set_agenda))
        .routes(routes!(wk::publish_agenda))
        .routes(routes!(wk::invite))
        .routes(routes!(wk::answer))
        .routes(routes!(wk::check_in))
        .routes(routes!(wk::add_speech))
        .routes(routes!(wk::reorder))
        .routes(routes!(wk::set_minutes))
        .routes(routes!(wk::my_attendance))
        .routes(routes!(wk::list_files, wk::upload_file))
        .routes(routes!(wk::get_rubric, wk::set_rubric))
        .routes(routes!(po::list_experts, po::create_expert))
        .routes(routes!(po::get_expert, po::update_expert))
        .routes(routes!(po::list_topics, po::create_topic))
        .routes(routes!(po::get_topic))
        .routes(routes!(po::add_inspection))
        .routes(routes!(po::add_rectification))
        .routes(routes!(po::set_status))
        .routes(routes!(po::set_summary))
        .routes(routes!(lg::list_drafts, lg::create_draft))
        .routes(routes!(lg::create_draft_docx))
        .routes(routes!(lg::get_draft))
        .routes(routes!(lg::add_comment))
        .routes(routes!(lg::decide))
        .routes(routes!(lg::close_draft))
        .routes(routes!(dl::list_deliberations, dl::create_deliberation))
        .routes(routes!(dl::deliberation_work))
        .routes(routes!(dl::my_deliberations))
        .routes(routes!(dl::get_deliberation, dl::update_deliberation))
        .routes(routes!(dl::deliberation_action))
        .routes(routes!(dl::list_statements, dl::add_statement))
        .routes(routes!(dl::moderate))
        .routes(routes!(dl::next_statement))
        .routes(routes!(dl::vote))
        .routes(routes!(dl::results))
        .routes(routes!(dl::comments_csv))
        .routes(routes!(dl::votes_csv))
        .routes(routes!(dl::report_docx))
        .routes(routes!(dl::list_files, dl::upload_file))
        .routes(routes!(cz::studio_challenge))
        .routes(routes!(cz::submit_input, cz::studio_inputs))
        .routes(routes!(cz::input_status))
        .routes(routes!(cz::my_inputs))
        .routes(routes!(cz::take_up))
        .routes(routes!(cz::studio_members, cz::set_studio_members))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::read_notification))
        .routes(routes!(notifications::read_all_notifications))
        .routes(routes!(p::list_bodies, p::create_body))
        .routes(routes!(p::get_body, p::update_body))
        .routes(routes!(p::body_events))
}

/// The OpenAPI document of the JSON API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// Serves a request from one data version of the read cache (`store::cache`).
async fn one_data_version(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    store::cache::pinned(next.run(req)).await
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    if state.db.ping().await {
        "ok".into_response()
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable",
        )
            .into_response()
    }
}

async fn openapi_json() -> Response {
    let doc = openapi().to_json().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

async fn no_route() -> WebError {
    WebError::NoRoute
}

/// Turns axum's own plain-text rejections (a path, query or form that does
/// not parse, a wrong method) into our errors, so that they too are answered
/// in the caller's language and format.
async fn plain_rejections(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::StatusCode as S;
    let r = next.run(req).await;
    let status = r.status();
    if !status.is_client_error() || r.extensions().get::<error::Failure>().is_some() {
        return r;
    }
    let plain = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    if !plain {
        return r;
    }
    match status {
        S::METHOD_NOT_ALLOWED => WebError::MethodNotAllowed,
        S::NOT_FOUND => WebError::NoRoute,
        S::PAYLOAD_TOO_LARGE => WebError::TooLarge,
        S::UNSUPPORTED_MEDIA_TYPE => WebError::UnsupportedMediaType,
        _ => WebError::Malformed(status.to_string()),
    }
    .into_response()
}

/// The whole application: pages, API, static files, with the context
/// middleware and the security headers.
pub fn router(state: AppState) -> Router {
    use citizens::pages as czp;
    use consultations::legislation_pages as lgp;
    use consultations::meetings_pages as mtp;
    use consultations::pages as csp;
    use consultations::plans_pages as plp;
    use consultations::pool_pages as pop;
    use deliberations::pages as dlp;
    use members::pages as mp;
    use opinions::pages as opp;
    use platform::{org_pages as op, pages as pp, user_pages as up};
    use proposals::pages as prp;
    let (api, _) = api_router().split_for_parts();
    let pages = Router::new()
        .route("/", get(pp::home))
        .route("/login", get(pp::login_form).post(pp::login))
        .route("/logout", post(pp::logout))
        .route("/lang", post(pp::set_lang))
        .route("/account", get(pp::account))
        .route("/account/password", post(pp::change_password))
        .route("/static/{name}", get(pp::static_file))
        .route("/admin", get(op::organisation))
        .route("/admin/committees", get(op::committees_list))
        .route(
            "/admin/committees/new",
            get(op::committee_new_form).post(op::committee_create),
        )
        .route(
            "/admin/committees/{id}",
            get(op::committee_edit_form).post(op::committee_update),
        )
        .route("/admin/members", get(mp::members_list))
        .route(
            "/admin/members/new",
            get(mp::member_new_form).post(mp::member_create),
        )
        .route(
            "/admin/members/{id}",
            get(mp::member_edit_form).post(mp::member_update),
        )
        .route("/admin/users", get(up::users_list))
        .route(
            "/admin/users/new",
            get(up::user_new_form).post(up::user_create),
        )
        .route("/admin/users/{id}", get(up::user_detail))
        .route("/admin/users/{id}/grant", post(up::user_grant))
        .route("/admin/users/{id}/revoke", post(up::user_revoke))
        .route(
            "/admin/users/{id}/reset-password",
            post(up::user_reset_password),
        )
        .route("/admin/users/{id}/disable", post(up::user_disable))
        .route("/admin/users/{id}/enable", post(up::user_enable))
        .route("/admin/events", get(up::events_list))
        .route("/public/proposals", get(prp::public_list))
        .route("/public/proposals/{id}", get(prp::public_show))
        .route("/notifications", get(notifications::page))
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/notifications/{id}/open", post(notifications::open))
        .route("/proposals", get(prp::list))
        .route("/proposals/new", get(prp::new_form).post(prp::create))
        .route("/proposals/{id}", get(prp::show))
        .route(
            "/proposals/{id}/edit",
            get(prp::edit_form).post(prp::update),
        )
        .route("/proposals/{id}/actions/{step}", post(prp::act))
        .route("/proposals/{id}/cosign", post(prp::cosign))
        .route(
            "/proposals/{id}/attachments",
            post(proposals::files::upload_page),
        )
        .route(
            "/proposals/{id}/attachments/{aid}/delete",
            post(proposals::files::delete_page),
        )
        .route(
            "/proposals/{id}/commitments",
            post(proposals::files::add_commitment_page),
        )
        .route(
            "/proposals/{id}/commitments/{cid}/done",
            post(proposals::files::complete_commitment_page),
        )
        .route("/admin/{kind}", get(op::bodies_list))
        .route(
            "/admin/{kind}/new",
            get(op::body_new_form).post(op::body_create),
        )
        .route(
            "/admin/{kind}/{id}",
            get(op::body_edit_form).post(op::body_update),
        )
        .route("/opinions", get(opp::list))
        .route("/opinions/new", get(opp::new_form).post(opp::create))
        .route("/opinions/{id}", get(opp::show))
        .route(
            "/opinions/{id}/edit",
            get(opp::edit_form).post(opp::edit_save),
        )
        .route("/opinions/{id}/actions/{step}", post(opp::act))
        .route("/opinions/{id}/attachments", post(opp::upload))
        .route(
            "/opinions/{id}/attachments/{aid}/delete",
            post(opp::remove_file),
        )
        .route(
            "/bulletins",
            get(opp::bulletins_list).post(opp::bulletin_open),
        )
        .route("/bulletins/{id}", get(opp::bulletin_show))
        .route("/bulletins/{id}/actions/{step}", post(opp::bulletin_act))
        .route("/bulletins/{id}/move", post(opp::bulletin_move))
        .route("/consultations", get(csp::list))
        .route("/consultations/new", get(csp::new_form).post(csp::create))
        .route("/consultations/{id}", get(csp::show))
        .route("/consultations/{id}/actions/{step}", post(csp::act))
        .route("/consultations/{id}/links", post(csp::add_link))
        .route("/consultations/{id}/participants", post(csp::set_people))
        .route("/consultations/{id}/comments", post(csp::comment))
        .route("/consultations/{id}/meetings", post(csp::new_meeting))
        .route("/consultations/{id}/attachments", post(csp::upload))
        .route(
            "/consultations/{id}/attachments/{aid}/delete",
            post(csp::remove_file),
        )
        .route("/meetings/{id}", get(mtp::show))
        .route("/experts", get(pop::experts_list))
        .route(
            "/experts/new",
            get(pop::expert_new).post(pop::expert_create),
        )
        .route("/experts/{id}", get(pop::expert_show))
        .route(
            "/experts/{id}/edit",
            get(pop::expert_edit).post(pop::expert_update),
        )
        .route("/supervision-topics", get(pop::topics_list))
        .route(
            "/supervision-topics/new",
            get(pop::topic_new).post(pop::topic_create),
        )
        .route("/supervision-topics/{id}", get(pop::topic_show))
        .route("/supervision-topics/{id}/{what}", post(pop::topic_add))
        .route("/rubric", get(pop::rubric_show).post(pop::rubric_save))
        .route("/legislative-drafts", get(lgp::list).post(lgp::create))
        .route("/legislative-drafts/{id}", get(lgp::show))
        .route("/legislative-drafts/{id}/comments", post(lgp::comment))
        .route("/legislative-drafts/{id}/comments/{cid}", post(lgp::decide))
        .route("/legislative-drafts/{id}/close", post(lgp::close))
        .route("/legislative-drafts/{id}/opinion.docx", get(lgp::export))
        .route("/meetings/{id}/agenda", post(mtp::save_agenda))
        .route("/meetings/{id}/publish", post(mtp::publish))
        .route("/meetings/{id}/answer", post(mtp::answer))
        .route("/meetings/{id}/invitations", post(mtp::invite))
        .route("/meetings/{id}/check-in/{user_id}", post(mtp::check_in))
        .route("/meetings/{id}/speeches", post(mtp::add_speech))
        .route("/meetings/{id}/speeches/{sid}/move", post(mtp::move_speech))
        .route("/meetings/{id}/minutes", post(mtp::minutes))
        .route(
            "/consultations/{id}/links/{kind}/{rid}/delete",
            post(csp::remove_link),
        )
        .route("/plans", get(plp::list).post(plp::create))
        .route("/plans/{id}", get(plp::show))
        .route("/plans/{id}/items", post(plp::add_item))
        .route("/plans/{id}/items/{item_id}/start", post(plp::start))
        .route("/plans/{id}/actions/{step}", post(plp::act))
        .route("/deliberations", get(dlp::list))
        .route("/deliberations/new", get(dlp::new_form).post(dlp::create))
        .route("/deliberations/{id}", get(dlp::show))
        .route(
            "/deliberations/{id}/edit",
            get(dlp::edit_form).post(dlp::edit_save),
        )
        .route("/deliberations/{id}/vote", post(dlp::vote))
        .route("/deliberations/{id}/statements", post(dlp::add_statement))
        .route("/deliberations/{id}/actions/{step}", post(dlp::act))
        .route("/deliberations/{id}/attachments", post(dlp::upload))
        .route(
            "/deliberations/{id}/attachments/{aid}/delete",
            post(dlp::remove_file),
        )
        .route("/deliberations/{id}/moderation", get(dlp::moderation))
        .route(
            "/deliberations/{id}/statements/{sid}/moderation",
            post(dlp::moderate),
        )
        .route("/deliberations/{id}/results", get(dlp::results))
        .route("/studios", get(czp::list))
        .route("/studios/{id}", get(czp::show))
        .route("/studios/{id}/inputs", post(czp::submit))
        .route("/studios/{id}/members", post(czp::set_members))
        .route("/citizen-inputs/{id}/take-up", post(czp::take_up))
        .route("/inputs", get(czp::status_form).post(czp::status_lookup))
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi_json));
    const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    pages
        .nest("/api/v1", api.fallback(no_route))
        .fallback(no_route)
        // One layer of the whole stack, outermost first: axum boxes each
        // `layer` call around every route and clones the boxes per request,
        // so eight calls cost eight allocations a request where one does.
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CSP),
                ))
                // Outside the context, so that the session lookup shares the version.
                .layer(axum::middleware::from_fn(one_data_version))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    ctx::middleware,
                ))
                // The context middleware limits every body (uploads to their
                // own limit); axum's own 2 MB default for extractors would
                // undercut it.
                .layer(axum::extract::DefaultBodyLimit::disable())
                .layer(axum::middleware::from_fn(plain_rejections)),
        )
        .with_state(state)
}
