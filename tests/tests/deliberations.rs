//! Online deliberation through the JSON API and the pages, on the backend
//! under test: a topic runs from draft to report; statements are moderated
//! before or after they are put to vote; one vote per participant and
//! statement; anonymous public participants are known by a signed cookie;
//! floods, bad values, closed topics and other committees are refused
//! without changing anything; the results (computed by the background job)
//! find planted groups; the exports read back as Pol.is openData and DOCX.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use xieshang_tests::{Answer, TestApp, docx_lines, enc, exec, problem};

const HOUR: i64 = 3_600_000_000;

fn at(offset: i64) -> String {
    store::clock::rfc3339(store::clock::now() + offset)
}

async fn new_deliberation(app: &TestApp, staff: &str, audience: &str, moderation: &str) -> i64 {
    let a = app
        .api(
            Method::POST,
            "/deliberations",
            Some(staff),
            Some(json!({
                "title": "老旧小区加装电梯怎么推进",
                "background": "全市约有 1,200 个老旧小区尚未加装电梯。",
                "audience": audience,
                "moderation": moderation,
                "opens_at": at(-HOUR),
                "closes_at": at(24 * HOUR),
            })),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.json()["state"], "draft");
    a.json()["id"].as_i64().expect("id")
}

/// A new deliberation, opened.
async fn opened(app: &TestApp, staff: &str, audience: &str, moderation: &str) -> i64 {
    let id = new_deliberation(app, staff, audience, moderation).await;
    let a = step(app, staff, id, "open", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    id
}

async fn step(app: &TestApp, token: &str, id: i64, action: &str, body: Option<Value>) -> Answer {
    app.api(
        Method::POST,
        &format!("/deliberations/{id}/actions/{action}"),
        Some(token),
        body,
    )
    .await
}

async fn say(app: &TestApp, token: &str, id: i64, text: &str) -> Answer {
    app.api(
        Method::POST,
        &format!("/deliberations/{id}/statements"),
        Some(token),
        Some(json!({ "body": text })),
    )
    .await
}

/// Staff seed statements, accepted at once whatever the moderation; their ids.
async fn seed<T: AsRef<str>>(
    app: &TestApp,
    staff: &str,
    id: i64,
    texts: impl IntoIterator<Item = T>,
) -> Vec<i64> {
    let mut ids = Vec::new();
    for text in texts {
        let a = say(app, staff, id, text.as_ref()).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        assert_eq!(a.json()["status"], "accepted");
        ids.push(a.json()["id"].as_i64().expect("id"));
    }
    ids
}

async fn vote(app: &TestApp, token: &str, id: i64, sid: i64, v: Value) -> Answer {
    app.api(
        Method::PUT,
        &format!("/deliberations/{id}/statements/{sid}/vote"),
        Some(token),
        Some(json!({ "vote": v })),
    )
    .await
}

/// A moderator's decision on a statement through the API.
async fn moderate(app: &TestApp, token: &str, id: i64, sid: i64, decision: &str) -> Answer {
    app.api(
        Method::POST,
        &format!("/deliberations/{id}/statements/{sid}/moderation"),
        Some(token),
        Some(json!({ "decision": decision })),
    )
    .await
}

/// A vote by a visitor who is not signed in, with the cookie they hold.
async fn anonymous_vote(app: &TestApp, id: i64, sid: i64, v: &str, cookie: &str) -> Answer {
    let req = Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/deliberations/{id}/statements/{sid}/vote"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(json!({ "vote": v }).to_string()))
        .expect("request");
    app.send(req).await
}

/// `people` anonymous visitors vote on every one of `seeds`, in order:
/// visitor `p` agrees with statement `i` when `agrees(p, i)`, else disagrees.
async fn visitors_vote(
    app: &TestApp,
    id: i64,
    seeds: &[i64],
    people: usize,
    agrees: impl Fn(usize, usize) -> bool,
) {
    for p in 0..people {
        let mut cookie = String::new();
        for (i, sid) in seeds.iter().enumerate() {
            let v = if agrees(p, i) { "agree" } else { "disagree" };
            let a = anonymous_vote(app, id, *sid, v, &cookie).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            if let Some(c) = voice_cookie(&a) {
                cookie = c;
            }
        }
    }
}

fn voice_cookie(a: &Answer) -> Option<String> {
    a.cookies()
        .into_iter()
        .find(|c| c.starts_with("xs_voice="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}

async fn statements(app: &TestApp, token: Option<&str>, id: i64) -> Vec<Value> {
    let a = app
        .api(
            Method::GET,
            &format!("/deliberations/{id}/statements"),
            token,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json().as_array().cloned().unwrap_or_default()
}

/// A deliberation as the API shows it to `token`.
async fn deliberation(app: &TestApp, token: &str, id: i64) -> Answer {
    app.api(
        Method::GET,
        &format!("/deliberations/{id}"),
        Some(token),
        None,
    )
    .await
}

/// One of a deliberation's exports (`votes.csv`, `comments.csv`) as anyone
/// downloads it.
async fn export(app: &TestApp, id: i64, file: &str) -> String {
    let a = app
        .api(
            Method::GET,
            &format!("/deliberations/{id}/{file}"),
            None,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{file}: {}", a.body);
    a.body
}

/// A deliberation's results as anyone reads them through the API.
async fn results_json(app: &TestApp, id: i64) -> Value {
    let a = app
        .api(
            Method::GET,
            &format!("/deliberations/{id}/results"),
            None,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json()
}

fn tally(list: &[Value], sid: i64) -> (i64, i64, i64) {
    let s = list
        .iter()
        .find(|s| s["id"].as_i64() == Some(sid))
        .expect("statement listed");
    (
        s["agree"].as_i64().unwrap_or(-1),
        s["disagree"].as_i64().unwrap_or(-1),
        s["pass"].as_i64().unwrap_or(-1),
    )
}

#[tokio::test]
async fn a_deliberation_runs_from_draft_to_report_with_moderation_before_voting() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    let other_committee = app.token("staff_c").await;
    let id = new_deliberation(&app, &staff, "members", "pre").await;
    let path = format!("/deliberations/{id}");

    // A draft is the office's own; other committees never see the topic.
    assert_eq!(
        app.api(Method::GET, &path, Some(&member), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad_times = app
        .api(
            Method::POST,
            "/deliberations",
            Some(&staff),
            Some(json!({"title": "x", "opens_at": at(HOUR), "closes_at": at(0), "audience": "everyone"})),
        )
        .await;
    assert_eq!(bad_times.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad_times.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_string))
        .collect();
    assert!(
        fields.iter().any(|f| f == "closes_at") && fields.iter().any(|f| f == "audience"),
        "{fields:?}"
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/deliberations",
                Some(&member),
                Some(json!({"title": "x", "opens_at": at(0), "closes_at": at(HOUR)}))
            )
            .await
        ),
        (403, "forbidden".into())
    );

    // Staff edit the draft at the version they read; others may not.
    let edit = json!({"title": "老旧小区加装电梯如何推进", "background": "更新后的背景", "audience": "members",
        "moderation": "pre", "opens_at": at(-HOUR), "closes_at": at(48 * HOUR), "version": 1});
    assert_eq!(
        problem(
            &app.api(Method::PATCH, &path, Some(&member), Some(edit.clone()))
                .await
        ),
        (404, "not_found".into())
    );
    let edited = app
        .api(Method::PATCH, &path, Some(&staff), Some(edit.clone()))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["title"], "老旧小区加装电梯如何推进");
    assert_eq!(edited.json()["version"], 2);
    assert_eq!(
        problem(
            &app.api(Method::PATCH, &path, Some(&staff), Some(edit.clone()))
                .await
        ),
        (409, "stale_version".into())
    );
    let (web, csrf) = app.web_login("consult_r").await;
    let form = app
        .page(Method::GET, &format!("{path}/edit"), &web, None)
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("老旧小区加装电梯如何推进"));
    let stale = app
        .page(
            Method::POST,
            &format!("{path}/edit"),
            &web,
            Some(&format!(
                "_csrf={csrf}&version=1&title=x&audience=members&moderation=pre&opens_at=2026-01-01T08:00&closes_at=2099-01-01T08:00"
            )),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    // Opening: only staff, only from the draft, only on the current version.
    assert_eq!(
        problem(&step(&app, &staff, id, "open", Some(json!({"version": 7}))).await),
        (409, "stale_version".into())
    );
    let opened = step(&app, &staff, id, "open", None).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    assert_eq!(opened.json()["state"], "open");
    assert_eq!(
        problem(&step(&app, &member, id, "close", None).await),
        (403, "forbidden".into())
    );
    let again = step(&app, &staff, id, "open", None).await;
    assert_eq!(problem(&again), (409, "wrong_state".into()));
    assert_eq!(
        again.json()["detail"],
        "当前处于“进行中”状态，不能进行此操作。"
    );
    assert_eq!(
        problem(
            &app.api(Method::GET, &path, Some(&other_committee), None)
                .await
        ),
        (404, "not_found".into())
    );

    // Staff seed statements (accepted at once); a member's waits for moderation.
    let seeds = seed(
        &app,
        &staff,
        id,
        [
            "应由政府补贴一半费用",
            "低层住户的意见必须尊重",
            "加装电梯会提高房屋价值",
        ],
    )
    .await;
    let mine = say(&app, &member, id, "  应建立\n统一的审批窗口  ").await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.body);
    assert_eq!(mine.json()["status"], "pending");
    assert_eq!(mine.json()["body"], "应建立 统一的审批窗口");
    let pending = mine.json()["id"].as_i64().expect("id");

    // Bad statements change nothing.
    let before = statements(&app, Some(&staff), id).await.len();
    for (text, code) in [("   ", "required"), (&*"梯".repeat(281), "too_long")] {
        let a = say(&app, &member, id, text).await;
        assert_eq!(problem(&a), (422, code.into()), "{}", a.body);
    }
    assert_eq!(
        problem(&say(&app, &member2, id, "应由政府补贴一半费用").await),
        (409, "duplicate_statement".into())
    );
    assert_eq!(statements(&app, Some(&staff), id).await.len(), before);

    // Participants are put only accepted statements, one at a time.
    let next = app
        .api(Method::GET, &format!("{path}/next"), Some(&member2), None)
        .await;
    assert_eq!(next.json()["total"], 3, "{}", next.body);
    assert_eq!(next.json()["voted"], 0);
    assert!(seeds.contains(&next.json()["next"]["id"].as_i64().expect("next")));
    assert_eq!(
        problem(&vote(&app, &member2, id, pending, json!("agree")).await),
        (409, "statement_pending".into())
    );
    for bad in [json!("maybe"), json!(2), json!(null)] {
        assert_eq!(
            problem(&vote(&app, &member2, id, seeds[0], bad).await),
            (422, "invalid_choice".into())
        );
    }
    assert_eq!(
        problem(&vote(&app, &member2, id, 999_999, json!("agree")).await),
        (404, "not_found".into())
    );
    assert_eq!(
        problem(&vote(&app, &other_committee, id, seeds[0], json!("agree")).await),
        (404, "not_found".into())
    );

    // One vote per participant and statement: a re-vote replaces it.
    let a = vote(&app, &member2, id, seeds[0], json!("agree")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["voted"], 1);
    assert_ne!(a.json()["next"]["id"], json!(seeds[0]));
    let a = vote(&app, &member2, id, seeds[0], json!(-1)).await;
    assert_eq!(a.json()["voted"], 1, "{}", a.body);
    assert_eq!(
        tally(&statements(&app, Some(&member2), id).await, seeds[0]),
        (0, 1, 0)
    );

    // Moderation: accepted statements join the vote; rejected ones leave it.
    let queue = app
        .api(
            Method::GET,
            &format!("{path}/statements?status=pending"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        queue.json().as_array().map(Vec::len),
        Some(1),
        "{}",
        queue.body
    );
    assert_eq!(queue.json()[0]["author"], "测试member_r");
    assert!(
        statements(&app, Some(&member), id).await[0]
            .get("author")
            .is_none()
    );
    let moderation = |sid: i64, decision: &str| {
        let (app, token, decision) = (&app, staff.clone(), decision.to_string());
        async move { moderate(app, &token, id, sid, &decision).await }
    };
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &format!("{path}/statements/{pending}/moderation"),
                Some(&member),
                Some(json!({"decision": "accepted"}))
            )
            .await
        ),
        (403, "forbidden".into())
    );
    assert_eq!(
        problem(&moderation(pending, "maybe").await),
        (422, "invalid_choice".into())
    );
    assert_eq!(
        moderation(pending, "accepted").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        vote(&app, &member2, id, pending, json!("agree"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        moderation(seeds[2], "rejected").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        problem(&vote(&app, &member2, id, seeds[2], json!("agree")).await),
        (409, "statement_rejected".into())
    );
    assert!(
        statements(&app, Some(&member), id)
            .await
            .iter()
            .all(|s| s["id"] != json!(seeds[2]))
    );

    // The background job computes the results; nothing is computed on request.
    let r = app
        .api(Method::GET, &format!("{path}/results"), Some(&member), None)
        .await;
    assert_eq!(r.json()["computed_at"], "", "{}", r.body);
    assert_eq!(
        store::deliberation_results::refresh(app.db())
            .await
            .expect("refresh"),
        1
    );
    assert_eq!(
        store::deliberation_results::refresh(app.db())
            .await
            .expect("again"),
        0
    );
    let r = app
        .api(Method::GET, &format!("{path}/results"), Some(&member), None)
        .await;
    assert_eq!(r.json()["participants"], 1, "{}", r.body);
    assert_eq!(r.json()["votes"], 2);
    assert_eq!(r.json()["statements"], 3);

    // Closed: no more statements or votes; the report must have a text.
    assert_eq!(
        step(&app, &staff, id, "close", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        problem(&vote(&app, &member2, id, seeds[1], json!("agree")).await),
        (409, "deliberation_closed".into())
    );
    assert_eq!(
        problem(&say(&app, &member, id, "还应考虑电梯的维护费用").await),
        (409, "deliberation_closed".into())
    );
    assert_eq!(
        problem(
            &step(
                &app,
                &staff,
                id,
                "publish-report",
                Some(json!({"report": "  "}))
            )
            .await
        ),
        (409, "report_required".into())
    );
    let reported = step(
        &app,
        &staff,
        id,
        "publish-report",
        Some(json!({"report": "多数参与者支持政府补贴，并要求尊重低层住户意见。"})),
    )
    .await;
    assert_eq!(reported.json()["state"], "reported", "{}", reported.body);
    assert_eq!(
        problem(&moderation(pending, "rejected").await),
        (409, "report_published".into())
    );

    // The exports: Pol.is openData that reads back, and a DOCX report.
    let comments = app
        .api(
            Method::GET,
            &format!("{path}/comments.csv"),
            Some(&member),
            None,
        )
        .await;
    let votes = app
        .api(
            Method::GET,
            &format!("{path}/votes.csv"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(comments.status, StatusCode::OK);
    assert!(comments.body.starts_with(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"
    ));
    let c = consensus::opendata::conversation(&votes.body, &comments.body)
        .expect("openData reads back");
    assert_eq!(c.votes.len(), 2, "the re-vote replaced the first");
    assert!(c.votes.is_moderated_out(2), "{}", comments.body);
    let docx = app
        .api(
            Method::GET,
            &format!("{path}/report.docx"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(docx.status, StatusCode::OK);
    let text = docx_lines(&docx.bytes).join("\n");
    assert!(text.contains("老旧小区加装电梯如何推进"), "{text}");
    assert!(text.contains("多数参与者支持政府补贴"), "{text}");
    assert!(text.contains("应建立 统一的审批窗口"), "{text}");

    // Every change is in the audit trail.
    let events = store::audit::of_record(app.db(), "deliberation", id)
        .await
        .expect("events");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "deliberation.create",
        "deliberation.step",
        "deliberation.statement",
        "deliberation.moderate",
        "deliberation.vote",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn public_deliberations_know_visitors_by_a_signed_cookie_and_refuse_floods() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let id = new_deliberation(&app, &staff, "public", "post").await;
    let members_only = new_deliberation(&app, &staff, "members", "post").await;
    for d in [id, members_only] {
        assert_eq!(
            step(&app, &staff, d, "open", None).await.status,
            StatusCode::OK
        );
    }
    let seeds = seed(
        &app,
        &staff,
        id,
        (0..61).map(|i| format!("第{i}条：社区应设电梯加装协调员")),
    )
    .await;
    let closed_seed = say(&app, &staff, members_only, "仅限委员的观点").await;
    let closed_seed = closed_seed.json()["id"].as_i64().expect("id");

    // Visitors see the public topic (not the members' one) without signing in.
    let listed = app.api(Method::GET, "/deliberations", None, None).await;
    let ids: Vec<i64> = listed.json()["items"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![id], "{}", listed.body);
    assert_eq!(
        problem(&anonymous_vote(&app, members_only, closed_seed, "agree", "").await),
        (404, "not_found".into())
    );

    // A first vote gives the visitor a signed cookie; with it they are the same participant.
    let first = anonymous_vote(&app, id, seeds[0], "agree", "").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let cookie = voice_cookie(&first).expect("a signed cookie");
    let second = anonymous_vote(&app, id, seeds[1], "disagree", &cookie).await;
    assert_eq!(second.json()["voted"], 2, "{}", second.body);
    assert!(
        voice_cookie(&second).is_none(),
        "the cookie is kept, not replaced"
    );
    // A made-up or altered cookie is not theirs: it starts a new participant.
    let last = if cookie.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &cookie[..cookie.len() - 1]);
    assert_ne!(forged, cookie);
    let third = anonymous_vote(&app, id, seeds[2], "agree", &forged).await;
    assert_eq!(third.json()["voted"], 1, "{}", third.body);
    assert!(voice_cookie(&third).is_some());

    // Under post-moderation a visitor's statement is put to vote at once.
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/deliberations/{id}/statements"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &cookie)
        .body(Body::from(
            json!({"body": "希望公开电梯加装的费用明细"}).to_string(),
        ))
        .expect("request");
    let theirs = app.send(req).await;
    assert_eq!(theirs.json()["status"], "pending", "{}", theirs.body);
    let theirs = theirs.json()["id"].as_i64().expect("id");
    assert_eq!(
        vote(&app, &member, id, theirs, json!("pass")).await.status,
        StatusCode::OK
    );

    // A flood of votes from one participant: sixty a minute, then 429.
    for sid in &seeds[..59] {
        let a = vote(&app, &member, id, *sid, json!("agree")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    let flood = vote(&app, &member, id, seeds[60], json!("agree")).await;
    assert_eq!(problem(&flood), (429, "throttled".into()), "{}", flood.body);
    let counted = statements(&app, Some(&member), id).await;
    assert_eq!(
        tally(&counted, seeds[60]),
        (0, 0, 0),
        "the refused vote left nothing"
    );

    // Statements: ten an hour for a participant.
    for i in 0..10 {
        let a = say(&app, &member, members_only, &format!("委员观点{i}")).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    assert_eq!(
        problem(&say(&app, &member, members_only, "第十一条观点").await),
        (429, "throttled".into())
    );

    // New anonymous participants from one address: thirty an hour.
    let mut made = 2; // the two above
    loop {
        let a = anonymous_vote(&app, id, seeds[3], "agree", "").await;
        if a.status != StatusCode::OK {
            assert_eq!(problem(&a), (429, "throttled".into()));
            break;
        }
        made += 1;
        assert!(
            made <= 30,
            "more than thirty anonymous participants from one address"
        );
    }
    assert_eq!(made, 30);

    // At its closing time the background job closes a deliberation itself.
    let later = store::clock::now() + 25 * HOUR;
    let recomputed = store::clock::at(later, store::deliberation_results::refresh(app.db()))
        .await
        .expect("the job");
    assert!(recomputed >= 1);
    for d in [id, members_only] {
        let a = deliberation(&app, &staff, d).await;
        assert_eq!(a.json()["state"], "closed", "{}", a.body);
    }
    let events = store::audit::of_record(app.db(), "deliberation", id)
        .await
        .expect("events");
    let closing = events.last().expect("an event");
    assert_eq!(closing.action, "deliberation.step");
    assert_eq!(closing.actor, "system");
}

#[tokio::test]
async fn results_find_planted_groups_and_the_pages_vote_moderate_and_show_them() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let id = opened(&app, &staff, "public", "pre").await;
    let texts = [
        "应由政府补贴一半费用",
        "费用应全部由业主承担",
        "低层住户应得到补偿",
        "加装电梯不需要低层住户同意",
        "应简化审批流程",
        "应保留严格的安全审查",
        "加装电梯是民生实事",
        "应优先安排老年人多的小区",
    ];
    let seeds = seed(&app, &staff, id, texts).await;
    // Two camps of eight visitors each: they split on the first six statements
    // and all agree with the last two.
    visitors_vote(&app, id, &seeds, 16, |p, i| {
        i >= 6 || (i % 2 == 0) == (p % 2 == 0)
    })
    .await;
    store::deliberation_results::refresh(app.db())
        .await
        .expect("refresh");
    let r = results_json(&app, id).await;
    assert_eq!(r["participants"], 16);
    assert_eq!(r["groups"].as_array().map(Vec::len), Some(2), "{r}");
    for g in r["groups"].as_array().expect("groups") {
        assert_eq!(g["size"], 8, "{r}");
    }
    let shared: Vec<i64> = r["consensus"]
        .as_array()
        .expect("consensus")
        .iter()
        .filter_map(|s| s["statement_id"].as_i64())
        .collect();
    assert!(
        shared.contains(&seeds[6]) && shared.contains(&seeds[7]),
        "{r}"
    );
    assert!(!shared.contains(&seeds[0]), "{r}");

    // The pages: a member votes with the card's buttons and writes a statement.
    let (member, csrf) = app.web_login("member_r").await;
    let page = app
        .page(Method::GET, &format!("/deliberations/{id}"), &member, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-key=\"a\""),
        "the voting card has its shortcuts"
    );
    let shown = seeds
        .iter()
        .copied()
        .find(|s| {
            page.body
                .contains(&format!("name=\"statement_id\" value=\"{s}\""))
        })
        .expect("a statement on the card");
    let voted = app
        .page(
            Method::POST,
            &format!("/deliberations/{id}/vote"),
            &member,
            Some(&format!("_csrf={csrf}&statement_id={shown}&vote=agree")),
        )
        .await;
    assert_eq!(voted.status, StatusCode::SEE_OTHER, "{}", voted.body);
    let bad = app
        .page(
            Method::POST,
            &format!("/deliberations/{id}/vote"),
            &member,
            Some(&format!("_csrf={csrf}&statement_id={shown}&vote=maybe")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("class=\"alert\""), "{}", bad.body);
    let empty = app
        .page(
            Method::POST,
            &format!("/deliberations/{id}/statements"),
            &member,
            Some(&format!("_csrf={csrf}&body=")),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let added = app
        .page(
            Method::POST,
            &format!("/deliberations/{id}/statements"),
            &member,
            Some(&format!("_csrf={csrf}&body={}", "电梯维护费用应提前约定")),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(
        added
            .header("location")
            .unwrap_or_default()
            .contains("added=pending")
    );

    // Staff moderate it from the queue; a member may not open the queue.
    assert_eq!(
        app.page(
            Method::GET,
            &format!("/deliberations/{id}/moderation"),
            &member,
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let (staff_web, staff_csrf) = app.web_login("consult_r").await;
    let queue = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}/moderation"),
            &staff_web,
            None,
        )
        .await;
    assert!(
        queue.body.contains("电梯维护费用应提前约定"),
        "{}",
        queue.body
    );
    let sid = statements(&app, Some(&staff), id)
        .await
        .iter()
        .find(|s| s["status"] == "pending")
        .and_then(|s| s["id"].as_i64())
        .expect("pending");
    let decided = app
        .page(
            Method::POST,
            &format!("/deliberations/{id}/statements/{sid}/moderation"),
            &staff_web,
            Some(&format!("_csrf={staff_csrf}&decision=accepted")),
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);

    // The results page: the map, the groups, the common ground, the bars.
    let results = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}/results"),
            "",
            None,
        )
        .await;
    assert_eq!(results.status, StatusCode::OK);
    for needle in [
        "id=\"opinion-map\"",
        "<circle",
        "class=\"g1\"",
        "class=\"g2\"",
        "加装电梯是民生实事",
        "svg viewBox=\"0 0 100 6\"",
    ] {
        assert!(results.body.contains(needle), "{needle}");
    }
    // Open, the page refreshes itself (app.js): it carries the tag of what it
    // shows, and asking with that tag answers 304 with nothing until newer
    // results are computed.
    let tag = results
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_string();
    assert!(results.body.contains(&format!(
        "data-live=\"{}\" data-every=",
        tag.trim_matches('"')
    )));
    // The reader keeps the cookie the page set (its form token is part of
    // what the tag covers), as a browser does.
    let cookie = results
        .cookies()
        .iter()
        .filter_map(|c| c.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let ask = |tag: String| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            app.send(
                Request::get(format!("/deliberations/{id}/results"))
                    .header(header::COOKIE, cookie)
                    .header(header::IF_NONE_MATCH, tag)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
        }
    };
    let same = ask(tag.clone()).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    assert!(same.body.is_empty());
    let a = anonymous_vote(&app, id, seeds[0], "pass", "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        ask(tag.clone()).await.status,
        StatusCode::NOT_MODIFIED,
        "the stored results are what the page shows until they are recomputed"
    );
    store::deliberation_results::refresh(app.db())
        .await
        .expect("refresh");
    let newer = ask(tag.clone()).await;
    assert_eq!(newer.status, StatusCode::OK);
    assert_ne!(
        newer
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok()),
        Some(tag.as_str())
    );
    let counts = |body: &str| {
        body.split("<p id=\"counts\">")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .map(str::to_string)
    };
    assert!(counts(&results.body).is_some());
    assert_ne!(
        counts(&newer.body),
        counts(&results.body),
        "one more participant"
    );
    // A visitor may open the public topic; a members-only one asks them to sign in.
    let public = app
        .page(Method::GET, &format!("/deliberations/{id}"), "", None)
        .await;
    assert_eq!(public.status, StatusCode::OK);
    let private = opened(&app, &staff, "members", "pre").await;
    assert_eq!(
        app.page(Method::GET, &format!("/deliberations/{private}"), "", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn closing_computes_the_final_results_once_from_every_vote_as_the_exports_give_them() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let id = opened(&app, &staff, "public", "pre").await;
    let seeds = seed(
        &app,
        &staff,
        id,
        [
            "应由政府补贴一半费用",
            "费用应全部由业主承担",
            "低层住户应得到补偿",
            "加装电梯不需要低层住户同意",
            "应简化审批流程",
            "加装电梯是民生实事",
        ],
    )
    .await;
    visitors_vote(&app, id, &seeds, 16, |p, i| {
        i >= 4 || (i % 2 == 0) == (p % 2 == 0)
    })
    .await;
    let refresh = || async {
        store::deliberation_results::refresh(app.db())
            .await
            .expect("refresh")
    };
    assert_eq!(refresh().await, 1);
    let live = results_json(&app, id).await;
    assert_eq!(live["final"], false, "{live}");
    // One more visitor, who sides with neither camp: an update of the results.
    visitors_vote(&app, id, &seeds, 1, |_, i| i < 3).await;
    assert_eq!(refresh().await, 1);
    let updated = results_json(&app, id).await;
    assert_eq!(updated["participants"], 17);
    assert_eq!(updated["final"], false);

    // Closed: the results are computed once more, from scratch, and then left.
    assert_eq!(
        step(&app, &staff, id, "close", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        results_json(&app, id).await["final"],
        false,
        "until the job runs"
    );
    assert_eq!(refresh().await, 1);
    assert_eq!(refresh().await, 0);
    let last = results_json(&app, id).await;
    assert_eq!(last["final"], true, "{last}");
    assert_eq!(last["participants"], 17);
    let page = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}/results"),
            "",
            None,
        )
        .await;
    assert!(page.body.contains("最终结果"), "{}", page.body);

    // They follow from the votes alone: the exported openData analysed
    // again places everyone in the same group at the same point, and finds
    // the same representative statements.
    let c = consensus::opendata::conversation(
        &export(&app, id, "votes.csv").await,
        &export(&app, id, "comments.csv").await,
    )
    .expect("openData reads back");
    let again = consensus::analyze(&c.votes);
    let points = last["points"].as_array().expect("points");
    assert_eq!(points.len(), again.groups.len());
    let reach = again
        .projection
        .iter()
        .flat_map(|p| [p[0].abs(), p[1].abs()])
        .fold(0.0f64, f64::max);
    for (p, (g, xy)) in points
        .iter()
        .zip(again.groups.iter().zip(&again.projection))
    {
        assert_eq!(p["group"].as_u64(), g.map(|g| g as u64 + 1), "{last}");
        assert!((p["x"].as_f64().unwrap_or(9.0) - xy[0] / reach).abs() < 1e-6);
        assert!((p["y"].as_f64().unwrap_or(9.0) - xy[1] / reach).abs() < 1e-6);
    }
    // comment-id is the statement's place in the deliberation, by id.
    let mut ids: Vec<i64> = statements(&app, Some(&staff), id)
        .await
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    ids.sort_unstable();
    let column_id = |col: usize| -> i64 {
        let place: usize = c.statements[col].parse().expect("a number");
        ids[place]
    };
    let groups = last["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), again.k);
    for (g, reps) in groups.iter().zip(&again.repness) {
        let shown: Vec<i64> = g["represent"]
            .as_array()
            .expect("represent")
            .iter()
            .filter_map(|x| x["statement_id"].as_i64())
            .collect();
        let found: Vec<i64> = reps.iter().map(|r| column_id(r.statement)).collect();
        assert_eq!(shown, found, "{last}");
    }

    // Closed and reported between two runs of the job: the final results
    // are still computed, once.
    let quick = opened(&app, &staff, "public", "post").await;
    let one = seed(&app, &staff, quick, ["应优先安排老年人多的小区"]).await;
    visitors_vote(&app, quick, &one, 3, |p, _| p > 0).await;
    refresh().await;
    assert_eq!(results_json(&app, quick).await["final"], false);
    step(&app, &staff, quick, "close", None).await;
    let reported = step(
        &app,
        &staff,
        quick,
        "publish-report",
        Some(json!({"report": "多数人支持优先安排。"})),
    )
    .await;
    assert_eq!(reported.json()["state"], "reported", "{}", reported.body);
    assert_eq!(refresh().await, 1);
    assert_eq!(results_json(&app, quick).await["final"], true);
    assert_eq!(
        refresh().await,
        0,
        "a reported deliberation with final results is left"
    );
    let docx = app
        .api(
            Method::GET,
            &format!("/deliberations/{quick}/report.docx"),
            None,
            None,
        )
        .await;
    let text = docx_lines(&docx.bytes).join("\n");
    assert!(text.contains("最终结果"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tallies_kept_as_votes_arrive_match_a_count_of_the_votes_even_when_they_race() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let id = opened(&app, &staff, "public", "post").await;
    let seeds = seed(&app, &staff, id, ["应由政府补贴一半费用", "应简化审批流程"]).await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    // Two members change their minds on both statements, a dozen votes sent
    // at once each, so that on PostgreSQL re-votes of one participant race.
    let values = ["agree", "disagree", "pass"];
    let sends: Vec<_> = (0..12)
        .map(|i| {
            let token = if i % 2 == 0 { &member } else { &member2 };
            let req = Request::put(format!(
                "/api/v1/deliberations/{id}/statements/{}/vote",
                seeds[(i / 2) % 2]
            ))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "vote": values[i % 3] }).to_string()))
            .expect("request");
            tokio::spawn(tower::ServiceExt::oneshot(app.router.clone(), req))
        })
        .collect();
    for send in sends {
        let answer = send.await.expect("task").expect("answer");
        assert_eq!(answer.status(), StatusCode::OK);
    }
    visitors_vote(&app, id, &seeds, 5, |p, i| (p + i) % 2 == 0).await;
    // The tallies shown are those of the votes stored, as the export counts them.
    let comments = export(&app, id, "comments.csv").await;
    let c = consensus::opendata::conversation(&export(&app, id, "votes.csv").await, &comments)
        .expect("openData reads back");
    assert_eq!(
        c.votes.len(),
        2 * 2 + 5 * 2,
        "one vote per participant and statement"
    );
    // comments.csv: comment-id, then agrees and disagrees in columns 4 and 5.
    let rows = consensus::opendata::records(&comments);
    let list = statements(&app, None, id).await;
    for (col, sid) in seeds.iter().enumerate() {
        // tally_of answers disagrees, passes, agrees.
        let [disagree, pass, agree] = c.votes.tally_of(col).map(i64::from);
        assert_eq!(
            tally(&list, *sid),
            (agree, disagree, pass),
            "statement {sid}"
        );
        let row = &rows[col + 1];
        assert_eq!(row[2], col.to_string());
        assert_eq!(
            (row[4].parse(), row[5].parse()),
            (Ok(agree), Ok(disagree)),
            "{comments}"
        );
    }
    let listed = app
        .api(Method::GET, "/deliberations", None, None)
        .await
        .json();
    let row = listed["items"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["id"] == json!(id)))
        .cloned()
        .expect("listed");
    assert_eq!(row["votes"], 14, "{row}");
    assert_eq!(
        row["participants"],
        2 + 5 + 1,
        "{row}: the author of the seeds too"
    );
}

#[tokio::test]
async fn a_deliberation_is_the_online_part_of_a_consultation() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let created = app
        .api(
            Method::POST,
            "/consultations",
            Some(&staff),
            Some(json!({"form": "online", "title": "加装电梯网络议政", "summary": "就加装电梯征集委员和群众意见。",
                "meeting_on": "2026-12-20", "draft_days": 3})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let consultation = created.json()["id"].as_i64().expect("id");
    let body = |cid: Value| {
        json!({"title": "老旧小区加装电梯怎么推进", "audience": "members",
            "opens_at": at(-HOUR), "closes_at": at(24 * HOUR), "consultation_id": cid})
    };
    // A consultation that is not this committee's (here: none at all) is refused.
    for wrong in [json!(999_999), json!(-3)] {
        let a = app
            .api(
                Method::POST,
                "/deliberations",
                Some(&staff),
                Some(body(wrong)),
            )
            .await;
        assert_eq!(
            problem(&a),
            (422, "unknown_consultation".into()),
            "{}",
            a.body
        );
    }
    let a = app
        .api(
            Method::POST,
            "/deliberations",
            Some(&staff),
            Some(body(json!(consultation))),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.json()["consultation_id"], consultation);
    let id = a.json()["id"].as_i64().expect("id");

    // The consultation lists it: staff see the draft, members once it opens.
    let (staff_web, _) = app.web_login("consult_r").await;
    let (member_web, _) = app.web_login("member_r").await;
    let page = |cookie: String| {
        let app = &app;
        async move {
            app.page(
                Method::GET,
                &format!("/consultations/{consultation}"),
                &cookie,
                None,
            )
            .await
            .body
        }
    };
    let link = format!("href=\"/deliberations/{id}\"");
    assert!(page(staff_web.clone()).await.contains(&link));
    assert!(!page(member_web.clone()).await.contains(&link), "a draft");
    assert_eq!(
        step(&app, &staff, id, "open", None).await.status,
        StatusCode::OK
    );
    assert!(page(member_web.clone()).await.contains(&link));
    // The deliberation names its consultation.
    let topic = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}"),
            &member_web,
            None,
        )
        .await;
    assert!(
        topic
            .body
            .contains(&format!("href=\"/consultations/{consultation}\"")),
        "{}",
        topic.body
    );
    assert!(topic.body.contains("加装电梯网络议政"));
    // The staff's form offers it, chosen.
    let form = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}/edit"),
            &staff_web,
            None,
        )
        .await;
    assert!(form.body.contains("name=\"consultation_id\""));
    assert!(
        form.body
            .contains(&format!("value=\"{consultation}\" selected")),
        "{}",
        form.body
    );
    // Taken out of it again: the consultation no longer lists it.
    let a = app
        .api(
            Method::PATCH,
            &format!("/deliberations/{id}"),
            Some(&staff),
            Some(body(Value::Null)),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["consultation_id"], Value::Null);
    assert!(!page(member_web).await.contains(&link));
    let _ = member;
}

#[tokio::test]
async fn groups_drawn_from_the_votes_follow_the_deliberations_setting() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let listed = || async {
        app.api(Method::GET, "/deliberations", Some(&staff), None)
            .await
            .json()["total"]
            .as_i64()
            .expect("total")
    };
    let before = listed().await;
    // A grouping that is not one of the two is refused, and nothing is made.
    let create = |grouping: &'static str| {
        let body = json!({"title": "停车难怎么办", "audience": "public", "moderation": "pre",
            "grouping": grouping, "opens_at": at(-HOUR), "closes_at": at(24 * HOUR)});
        app.api(Method::POST, "/deliberations", Some(&staff), Some(body))
    };
    let bad = create("sideways").await;
    assert_eq!(
        problem(&bad),
        (422, "invalid_choice".into()),
        "{}",
        bad.body
    );
    assert_eq!(bad.json()["errors"][0]["field"], "grouping", "{}", bad.body);
    assert_eq!(listed().await, before);
    let made = create("votes").await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.json()["grouping"], "votes");
    let id = made.json()["id"].as_i64().expect("id");
    // Left out, it is the map.
    let plain = new_deliberation(&app, &staff, "members", "pre").await;
    let plain = deliberation(&app, &staff, plain).await;
    assert_eq!(plain.json()["grouping"], "map", "{}", plain.body);
    assert_eq!(
        step(&app, &staff, id, "open", None).await.status,
        StatusCode::OK
    );

    // Two camps of eight visitors: each agrees with its own three statements
    // and disagrees with the others'.
    let seeds = seed(
        &app,
        &staff,
        id,
        [
            "应新建立体停车库",
            "应开放机关单位停车场",
            "应提高路边停车收费",
            "应限制外来车辆进入小区",
            "应鼓励错时共享车位",
            "应加强违停执法",
        ],
    )
    .await;
    visitors_vote(&app, id, &seeds, 16, |p, i| i / 3 == p % 2).await;
    store::deliberation_results::refresh(app.db())
        .await
        .expect("refresh");
    let results_path = format!("/deliberations/{id}/results");
    let results_page = || app.page(Method::GET, &results_path, "", None);
    // The DOCX report names how its groups were drawn.
    let report_text = || async {
        let docx = app
            .api(
                Method::GET,
                &format!("/deliberations/{id}/report.docx"),
                None,
                None,
            )
            .await;
        assert_eq!(docx.status, StatusCode::OK);
        docx_lines(&docx.bytes).join("\n")
    };
    let r = results_json(&app, id).await;
    let sizes: Vec<i64> = r["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["size"].as_i64())
        .collect();
    assert_eq!(sizes, vec![8, 8], "{r}");
    // How each group voted on each statement: the groups' votes add up to
    // the statement's, since all who voted were placed in a group.
    let by_group = r["by_group"].as_array().expect("by_group");
    assert_eq!(by_group.len(), seeds.len(), "{r}");
    for s in by_group {
        let groups = s["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), 2);
        let votes: i64 = groups
            .iter()
            .map(|g| {
                ["agree", "disagree", "pass"]
                    .iter()
                    .filter_map(|k| g[k].as_i64())
                    .sum::<i64>()
            })
            .sum();
        assert_eq!(votes, 16, "{s}");
    }
    let page = results_page().await;
    assert!(page.body.contains("class=\"group-bars\""), "{}", page.body);
    assert!(page.body.contains("第 2 群体：赞同"), "{}", page.body);
    assert!(
        page.body.contains("id=\"grouped-by-votes\""),
        "{}",
        page.body
    );
    let text = report_text().await;
    assert!(text.contains("观点分组方式：按投票画像分组"), "{text}");

    // Changing the setting is an edit at the version read, in the audit
    // trail, and the results are computed again the new way.
    let computed = r["computed_at"].clone();
    let edit = json!({"title": "停车难怎么办", "audience": "public", "moderation": "pre",
        "grouping": "map", "opens_at": at(-HOUR), "closes_at": at(24 * HOUR), "version": 2});
    let path = format!("/deliberations/{id}");
    let edited = app
        .api(Method::PATCH, &path, Some(&staff), Some(edit.clone()))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["grouping"], "map");
    assert_eq!(
        problem(
            &app.api(Method::PATCH, &path, Some(&staff), Some(edit))
                .await
        ),
        (409, "stale_version".into())
    );
    let events = store::audit::of_record(app.db(), "deliberation", id)
        .await
        .expect("audit");
    assert!(
        events.iter().any(
            |e| e.action == "deliberation.update" && e.changes.contains("\"grouping\":\"map\"")
        ),
        "{events:?}"
    );
    // The clock moves on, so that the new computation has its own time.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store::deliberation_results::refresh(app.db())
        .await
        .expect("refresh");
    let again = results_json(&app, id).await;
    assert_ne!(
        again["computed_at"], computed,
        "recomputed for the new grouping"
    );
    assert_eq!(again["groups"].as_array().map(Vec::len), Some(2), "{again}");
    let page = results_page().await;
    assert!(!page.body.contains("id=\"grouped-by-votes\""));
    let text = report_text().await;
    assert!(text.contains("观点分组方式：按意见地图分组"), "{text}");

    // The staff's form offers the choice, with the one set chosen.
    let (web, _) = app.web_login("consult_r").await;
    let form = app
        .page(Method::GET, &format!("{path}/edit"), &web, None)
        .await;
    assert!(form.body.contains("name=\"grouping\""), "{}", form.body);
    assert!(
        form.body.contains("value=\"map\" selected"),
        "{}",
        form.body
    );
}

#[tokio::test]
async fn the_list_comes_a_page_at_a_time_narrowed_by_state_audience_and_title() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let before = |token: Option<&'static str>| {
        let app = &app;
        async move {
            app.api(Method::GET, "/deliberations", token, None)
                .await
                .json()["total"]
                .as_i64()
                .expect("total")
        }
    };
    let visitors_before = before(None).await;
    // 23 topics opening a minute apart: every third public, every fourth about parking.
    let (mut ids, mut committee) = (Vec::new(), 0);
    for i in 0..23i64 {
        let title = if i % 4 == 0 {
            format!("停车难第{i}议")
        } else {
            format!("社区议题第{i}号")
        };
        let audience = if i % 3 == 0 { "public" } else { "members" };
        let a = app
            .api(
                Method::POST,
                "/deliberations",
                Some(&staff),
                Some(
                    json!({"title": title, "audience": audience, "moderation": "post",
                    "opens_at": at(-HOUR - i * 60_000_000), "closes_at": at(24 * HOUR)}),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        ids.push(a.json()["id"].as_i64().expect("id"));
        committee = a.json()["committee_id"].as_i64().expect("committee");
    }
    // The first seven are opened; the rest stay drafts.
    for &id in &ids[..7] {
        assert_eq!(
            step(&app, &staff, id, "open", None).await.status,
            StatusCode::OK
        );
    }
    let list = |token: Option<&str>, query: &str| {
        let (app, token, query) = (&app, token.map(str::to_owned), query.to_owned());
        async move {
            let sep = if query.is_empty() { "?" } else { "&" };
            let query = match token {
                Some(_) => format!("{query}{sep}committee_id={committee}"),
                None => query,
            };
            app.api(
                Method::GET,
                &format!("/deliberations{query}"),
                token.as_deref(),
                None,
            )
            .await
        }
    };
    let ids_of = |a: &Answer| -> Vec<i64> {
        a.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|d| d["id"].as_i64())
            .collect()
    };

    // Staff see all 23 (drafts too), twenty to a page, newest opening first.
    let first = list(Some(&staff), "?state=&audience=").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let total = first.json()["total"].as_i64().expect("total");
    assert!(total >= 23, "{}", first.body);
    assert_eq!(
        (
            first.json()["page"].as_i64(),
            first.json()["per_page"].as_i64()
        ),
        (Some(1), Some(20))
    );
    let mut seen = ids_of(&first);
    assert_eq!(seen.len(), 20);
    // Naming no committee, a signed-in caller gets their own, as on the page
    // and in every other list (not only the public ones).
    let own = app
        .api(Method::GET, "/deliberations", Some(&staff), None)
        .await;
    assert_eq!(own.json()["total"].as_i64(), Some(total), "{}", own.body);
    assert_eq!(ids_of(&own), seen);
    let mut page = 2;
    while (seen.len() as i64) < total {
        let next = list(Some(&staff), &format!("?page={page}")).await;
        let more = ids_of(&next);
        assert!(!more.is_empty(), "page {page}: {}", next.body);
        seen.extend(more);
        page += 1;
    }
    let mine: Vec<i64> = seen.iter().copied().filter(|id| ids.contains(id)).collect();
    assert_eq!(mine, ids, "each topic once, newest opening first");
    let past_the_end = list(Some(&staff), "?page=99").await;
    assert_eq!(ids_of(&past_the_end), Vec::<i64>::new());
    assert_eq!(past_the_end.json()["total"].as_i64(), Some(total));

    // Narrowed by state, audience and words in the title, and all three at once.
    let open = list(Some(&staff), "?state=open&per_page=200").await;
    let open_ids = ids_of(&open);
    assert!(
        ids[..7].iter().all(|id| open_ids.contains(id)),
        "{}",
        open.body
    );
    assert!(
        ids[7..].iter().all(|id| !open_ids.contains(id)),
        "{}",
        open.body
    );
    let drafts = list(Some(&staff), "?state=draft&per_page=200").await;
    assert!(
        ids[7..].iter().all(|id| ids_of(&drafts).contains(id)),
        "{}",
        drafts.body
    );
    let parking = list(Some(&staff), &format!("?q={}&per_page=200", enc("停车难"))).await;
    let want: Vec<i64> = ids.iter().copied().step_by(4).collect();
    assert_eq!(ids_of(&parking), want, "{}", parking.body);
    // A search's own % and _ are letters, not wildcards: no title holds them
    // (as wildcards, 停车_第 would find every parking topic).
    for wild in ["%", "_", "停车_第"] {
        let none = list(Some(&staff), &format!("?q={}&per_page=200", enc(wild))).await;
        assert_eq!(none.status, StatusCode::OK, "{}", none.body);
        assert!(
            ids_of(&none).iter().all(|id| !ids.contains(id)),
            "{wild}: {}",
            none.body
        );
    }
    let narrow = list(
        Some(&staff),
        &format!("?q={}&state=open&audience=public", enc(" 停车难 ")),
    )
    .await;
    // Open (0..7), public (every third) and about parking (every fourth): only the first.
    assert_eq!(ids_of(&narrow), vec![ids[0]], "{}", narrow.body);
    assert_eq!(narrow.json()["total"], 1);

    // A member never sees drafts, even when asking for them.
    let member_drafts = list(Some(&member), "?state=draft").await;
    assert_eq!(
        member_drafts.status,
        StatusCode::OK,
        "{}",
        member_drafts.body
    );
    assert_eq!(member_drafts.json()["total"], 0, "{}", member_drafts.body);
    // Visitors see only the open public ones: 0 and 3 and 6.
    assert_eq!(before(None).await, visitors_before + 3);
    let visitors = list(None, "?audience=members").await;
    assert_eq!(visitors.json()["total"], 0, "{}", visitors.body);

    // Values that are not choices, and an over-long search, are refused by name.
    for (query, field, code) in [
        ("?state=sideways", "state", "invalid_choice"),
        ("?audience=everyone", "audience", "invalid_choice"),
        (&*format!("?q={}", "字".repeat(101)), "q", "too_long"),
    ] {
        let bad = list(Some(&staff), &enc_query(query)).await;
        assert_eq!(problem(&bad), (422, code.into()), "{query}: {}", bad.body);
        assert_eq!(bad.json()["errors"][0]["field"], field, "{}", bad.body);
    }

    // The page: a search box, state and audience filters with labels, and a
    // link to the next page that keeps them.
    let (cookie, _) = app.web_login("consult_r").await;
    let web = |path: String| {
        let (app, cookie) = (&app, &cookie);
        async move { app.page(Method::GET, &path, cookie, None).await }
    };
    // All 23 titles hold 议: the link to page 2 keeps the search.
    let page = web(format!("/deliberations?q={}", enc("议"))).await;
    assert_eq!(page.status, StatusCode::OK);
    for want in [
        "name=\"q\"",
        "name=\"state\"",
        "name=\"audience\"",
        &*format!("q={}", enc("议")),
        "page=2",
    ] {
        assert!(page.body.contains(want), "{want} not on the page");
    }
    // The filters besides the search fold away unless one of them narrows
    // the list; then the fold is open and says how many do.
    assert!(page.body.contains("<details class=\"fold\">"), "folded");
    let narrowed = web("/deliberations?state=draft&audience=public".into()).await;
    assert!(
        narrowed.body.contains("<details class=\"fold\" open>")
            && narrowed.body.contains("筛选条件 (2)"),
        "open, two narrowing"
    );
    let parking = web(format!("/deliberations?q={}", enc("停车难"))).await;
    assert!(parking.body.contains("停车难第0议") && !parking.body.contains("社区议题第1号"));
    let bad = web("/deliberations?state=sideways".into()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("不是可选的值"), "{}", bad.body);
}

/// A query string with its values percent-encoded.
fn enc_query(q: &str) -> String {
    let (head, rest) = q.split_at(1);
    let pairs: Vec<String> = rest
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, v)) => format!("{k}={}", enc(v)),
            None => p.to_string(),
        })
        .collect();
    format!("{head}{}", pairs.join("&"))
}

/// The rows of a `votes.csv`: (comment, voter, vote), in file order.
fn vote_rows(csv: &str) -> Vec<(usize, usize, i8)> {
    consensus::opendata::records(csv)
        .into_iter()
        .skip(1)
        .map(|r| {
            let n = |i: usize| {
                r.get(i)
                    .and_then(|v| v.parse::<i64>().ok())
                    .expect("number")
            };
            (n(2) as usize, n(3) as usize, n(4) as i8)
        })
        .collect()
}

/// The votes a `votes.csv` stands for: a later row of a pair replaces an
/// earlier one, as the openData format says.
fn latest(rows: &[(usize, usize, i8)]) -> std::collections::BTreeMap<(usize, usize), i8> {
    rows.iter().map(|&(c, p, v)| ((c, p), v)).collect()
}

/// The votes a download has still to give, read `part` at a time to the end.
async fn read_rest(
    download: &mut store::deliberations::VoteExport,
    db: &store::Db,
    part: i64,
) -> Vec<consensus::opendata::VoteRow> {
    let mut rows = Vec::new();
    loop {
        let more = download.next_rows(db, part).await.expect("part");
        assert!(more.len() as i64 <= part);
        if more.is_empty() {
            break;
        }
        rows.extend(more);
    }
    assert!(download.is_done());
    rows
}

#[tokio::test]
async fn votes_csv_is_read_a_part_at_a_time_and_loses_no_vote_cast_while_it_is_read() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let id = opened(&app, &staff, "public", "post").await;
    let seeds = seed(
        &app,
        &staff,
        id,
        ["应建停车库", "应错时共享车位", "应加强违停执法"],
    )
    .await;
    // Four visitors vote on the three, keeping their cookies.
    let mut cookies = Vec::new();
    for p in 0..4 {
        let mut cookie = String::new();
        for &sid in &seeds {
            let a = anonymous_vote(
                &app,
                id,
                sid,
                if p % 2 == 0 { "agree" } else { "pass" },
                &cookie,
            )
            .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            cookie = voice_cookie(&a).unwrap_or(cookie);
        }
        cookies.push(cookie);
    }
    let whole = vote_rows(&export(&app, id, "votes.csv").await);
    assert_eq!(whole.len(), 12);

    // Read in parts of five, the parts make the same file as one read.
    let staff_caller = xieshang_tests::caller(app.db(), "consult_r").await;
    let read_all = |part: i64| {
        let (app, staff_caller) = (&app, &staff_caller);
        async move {
            let mut download = store::deliberations::votes_export(app.db(), staff_caller, id)
                .await
                .expect("export");
            consensus::opendata::write_votes(&read_rest(&mut download, app.db(), part).await)
        }
    };
    assert_eq!(vote_rows(&read_all(5).await), whole);
    assert_eq!(vote_rows(&read_all(1).await), whole);

    // Votes change while a download runs: one already read, one not yet,
    // and a newcomer (who had no number when the download began) votes.
    let mut download = store::deliberations::votes_export(app.db(), &staff_caller, id)
        .await
        .expect("export");
    let mut rows = download.next_rows(app.db(), 5).await.expect("part");
    assert_eq!(rows.len(), 5);
    for (p, sid) in [(0, seeds[0]), (3, seeds[2])] {
        let a = anonymous_vote(&app, id, sid, "disagree", &cookies[p]).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    let newcomer = anonymous_vote(&app, id, seeds[1], "agree", "").await;
    assert_eq!(newcomer.status, StatusCode::OK, "{}", newcomer.body);
    rows.extend(read_rest(&mut download, app.db(), 5).await);
    let during = vote_rows(&consensus::opendata::write_votes(&rows));
    let now = vote_rows(&export(&app, id, "votes.csv").await);
    let mut want = latest(&now);
    // Participant 0 wrote the seeds; the visitors are 1 to 4, the newcomer 5.
    want.retain(|&(_, p), _| p <= 4);
    assert_eq!(
        latest(&during),
        want,
        "the download stands for the votes as they are now"
    );
    assert_eq!(
        during.len(),
        13,
        "the vote read before it changed is there twice"
    );
    assert_eq!(during.first(), Some(&(0, 1, 1)));
    assert_eq!(during.last(), Some(&(2, 4, -1)));

    // A deliberation of more votes than one part: 8,000 more participants
    // (planted in bulk) vote on the three. The download is sent as it is
    // read, and holds every vote once, in the order cast.
    exec(
        app.db(),
        &format!(
            "INSERT INTO deliberation_participants (deliberation_id, anon_key, created_at)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
             SELECT {id}, 'bulk-' || CAST(i AS TEXT), 1 FROM n"
        ),
    )
    .await;
    exec(
        app.db(),
        &format!(
            "INSERT INTO deliberation_votes (statement_id, participant_id, deliberation_id, value, voted_at)
             SELECT s.id, p.id, {id}, (p.id + s.id) % 3 - 1, 1000000 * p.id + s.id
             FROM deliberation_participants p CROSS JOIN deliberation_statements s
             WHERE p.deliberation_id = {id} AND s.deliberation_id = {id} AND p.anon_key LIKE 'bulk-%'"
        ),
    )
    .await;
    let big = app
        .api(
            Method::GET,
            &format!("/deliberations/{id}/votes.csv"),
            None,
            None,
        )
        .await;
    assert_eq!(big.status, StatusCode::OK);
    assert_eq!(big.header("content-length"), None, "sent as it is read");
    assert_eq!(big.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        big.header("content-disposition")
            .is_some_and(|d| d.contains("votes.csv"))
    );
    let rows = vote_rows(&big.body);
    assert_eq!(rows.len(), 13 + 24_000);
    assert_eq!(latest(&rows).len(), rows.len(), "each vote once");
    assert_eq!(
        big.body,
        read_all(1_000_000).await,
        "the same file as one read"
    );
    let times: Vec<i64> = consensus::opendata::records(&big.body)
        .iter()
        .skip(1)
        .filter_map(|r| r.first()?.parse().ok())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in the order cast");
}

/// The consultation office's desk: deliberations open, those waiting for
/// their report, and the statements waiting for a moderator, the longest
/// queue first; in the API and on the home page, for the office's staff only.
#[tokio::test]
async fn staff_see_what_waits_for_them_the_longest_moderation_queue_first() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let work = |token: &str| {
        let (app, token) = (&app, token.to_owned());
        async move {
            let a = app
                .api(Method::GET, "/deliberations/work", Some(&token), None)
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            a.json()
        }
    };
    let n = |w: &Value, field: &str| w[field].as_i64().expect(field);
    let queue = |w: &Value, id: i64| {
        w["queues"]
            .as_array()
            .expect("queues")
            .iter()
            .position(|q| q["deliberation_id"] == id)
            .map(|at| (at, w["queues"][at]["pending"].as_i64().unwrap_or(-1)))
    };
    let before = work(&staff).await;
    // Two topics moderated before they are shown, open; a member writes
    // three statements in one, one in the other.
    let (a, b) = (
        new_deliberation(&app, &staff, "members", "pre").await,
        new_deliberation(&app, &staff, "members", "pre").await,
    );
    for id in [a, b] {
        assert_eq!(
            step(&app, &staff, id, "open", None).await.status,
            StatusCode::OK
        );
    }
    let mut waiting = Vec::new();
    for (id, text) in [
        (a, "电梯费用分摊应当公开透明"),
        (a, "低层住户应当获得合理补偿"),
        (a, "审批流程应当一窗办结"),
        (b, "施工期间应当保障居民出行"),
    ] {
        let said = say(&app, &member, id, text).await;
        assert_eq!(said.status, StatusCode::CREATED, "{}", said.body);
        assert_eq!(said.json()["status"], "pending");
        waiting.push(said.json()["id"].as_i64().expect("id"));
    }
    let w = work(&staff).await;
    assert_eq!(n(&w, "open"), n(&before, "open") + 2, "{w}");
    assert_eq!(n(&w, "to_moderate"), n(&before, "to_moderate") + 4, "{w}");
    let (qa, qb) = (queue(&w, a).expect("a's queue"), queue(&w, b).expect("b's"));
    assert_eq!((qa.1, qb.1), (3, 1), "{w}");
    assert!(qa.0 < qb.0, "the longer queue first: {w}");

    // Two of a's decided; b closed (still moderated) waits for its report.
    for (sid, decision) in [(waiting[0], "accept"), (waiting[1], "reject")] {
        let done = moderate(&app, &staff, a, sid, decision).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    }
    assert_eq!(
        step(&app, &staff, b, "close", None).await.status,
        StatusCode::OK
    );
    let w = work(&staff).await;
    assert_eq!(n(&w, "open"), n(&before, "open") + 1, "{w}");
    assert_eq!(n(&w, "to_report"), n(&before, "to_report") + 1, "{w}");
    assert_eq!(n(&w, "to_moderate"), n(&before, "to_moderate") + 2, "{w}");
    assert_eq!(queue(&w, a).map(|q| q.1), Some(1), "{w}");
    assert_eq!(queue(&w, b).map(|q| q.1), Some(1), "{w}");
    // A published report ends moderation: what still waits there is not work.
    let report = json!({"report": "参与者普遍要求费用公开、流程简化。"});
    assert_eq!(
        step(&app, &staff, b, "publish-report", Some(report))
            .await
            .status,
        StatusCode::OK
    );
    let w = work(&staff).await;
    assert_eq!(n(&w, "to_report"), n(&before, "to_report"), "{w}");
    assert_eq!(n(&w, "to_moderate"), n(&before, "to_moderate") + 1, "{w}");
    assert_eq!(queue(&w, b), None, "{w}");

    // Only the consultation office's staff: a member and the information
    // office are refused; a committee the caller cannot see is not found.
    for who in ["member_r", "info_r"] {
        let token = app.token(who).await;
        let refused = app
            .api(Method::GET, "/deliberations/work", Some(&token), None)
            .await;
        assert_eq!(problem(&refused).0, 403, "{who}: {}", refused.body);
    }
    let elsewhere = app
        .api(
            Method::GET,
            &format!("/deliberations/work?committee_id={}", app.fx.county2),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(problem(&elsewhere).0, 404, "{}", elsewhere.body);
    let anonymous = app
        .api(Method::GET, "/deliberations/work", None, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // The home page: the office's figures, and a's queue leading to its
    // moderation page; a member's home has none of it.
    let (cookie, _) = app.web_login("consult_r").await;
    let home = app.page(Method::GET, "/", &cookie, None).await;
    for want in [
        "网络议政工作",
        "已结束待发布报告",
        "待审核观点 · 老旧小区加装电梯怎么推进",
        &format!("href=\"/deliberations/{a}/moderation\""),
    ] {
        assert!(home.body.contains(want), "{want}");
    }
    let (cookie, _) = app.web_login("member_r").await;
    let home = app.page(Method::GET, "/", &cookie, None).await;
    assert!(!home.body.contains("网络议政工作"));
}

/// A member's home offers the open deliberations of their committee, closing
/// soonest first, each with the statements still waiting for their vote.
#[tokio::test]
async fn members_are_offered_open_deliberations_with_what_is_left_for_them_to_vote() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let mine = |token: String| {
        let app = &app;
        async move {
            let a = app
                .api(Method::GET, "/deliberations/mine", Some(&token), None)
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            a.json()
                .as_array()
                .expect("a list")
                .iter()
                .map(|i| {
                    (
                        i["deliberation_id"].as_i64().unwrap_or(0),
                        i["voted"].as_i64().unwrap_or(-1),
                        i["total"].as_i64().unwrap_or(-1),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    // Open: `soon` with three statements, `later` with none yet; a draft and
    // a closed one are not offered.
    let soon = new_deliberation(&app, &staff, "members", "post").await;
    let later = new_deliberation(&app, &staff, "public", "post").await;
    let draft = new_deliberation(&app, &staff, "members", "post").await;
    let closed = new_deliberation(&app, &staff, "members", "post").await;
    for id in [soon, later, closed] {
        assert_eq!(
            step(&app, &staff, id, "open", None).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        step(&app, &staff, closed, "close", None).await.status,
        StatusCode::OK
    );
    let sids = seed(
        &app,
        &staff,
        soon,
        ["费用应当公开", "补偿应当合理", "流程应当简化"],
    )
    .await;
    assert_eq!(
        mine(member.clone()).await,
        vec![(soon, 0, 3), (later, 0, 0)]
    );
    // A vote counts; the member's own statement is not put to them.
    assert_eq!(
        vote(&app, &member, soon, sids[0], json!("agree"))
            .await
            .status,
        StatusCode::OK
    );
    let own = say(&app, &member, soon, "施工期间应当保障出行").await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    assert_eq!(
        mine(member.clone()).await,
        vec![(soon, 1, 3), (later, 0, 0)]
    );
    // Someone else's progress is their own.
    assert_eq!(
        mine(app.token("member2_r").await).await,
        vec![(soon, 0, 4), (later, 0, 0)]
    );
    assert!(!mine(member.clone()).await.iter().any(|i| i.0 == draft));
    let anonymous = app
        .api(Method::GET, "/deliberations/mine", None, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // On the home page: what is left, linking to the voting page.
    let (cookie, _) = app.web_login("member_r").await;
    let home = app.page(Method::GET, "/", &cookie, None).await;
    for want in [
        "参与网络议政",
        &format!(
            "href=\"/deliberations/{soon}\"><strong>2</strong> 条观点待您表态 · 老旧小区加装电梯怎么推进"
        ),
        &format!("href=\"/deliberations/{later}\"><strong>0</strong> 尚无观点 · "),
    ] {
        assert!(home.body.contains(want), "{want}");
    }
    // Every statement voted: the card says so.
    for &sid in &sids[1..] {
        assert_eq!(
            vote(&app, &member, soon, sid, json!("pass")).await.status,
            StatusCode::OK
        );
    }
    let home = app.page(Method::GET, "/", &cookie, None).await;
    let done = format!("href=\"/deliberations/{soon}\"><strong>0</strong> 已全部表态 · ");
    assert!(home.body.contains(&done), "{done}");
    // The only statements are the member's own: nothing to vote on, but not
    // "no statements yet" (staff who seed a deliberation read it so).
    let first = say(&app, &member, later, "电梯费用按楼层分摊").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let offers = app
        .api(Method::GET, "/deliberations/mine", Some(&member), None)
        .await
        .json();
    let offer = offers
        .as_array()
        .and_then(|a| a.iter().find(|i| i["deliberation_id"] == later))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&offer["voted"], &offer["total"], &offer["written"]),
        (&json!(0), &json!(0), &json!(1))
    );
    let home = app.page(Method::GET, "/", &cookie, None).await;
    let own_only = format!("href=\"/deliberations/{later}\"><strong>0</strong> 已全部表态 · ");
    assert!(home.body.contains(&own_only), "{own_only}");
    // Others still see it waiting for their vote.
    let (cookie2, _) = app.web_login("member2_r").await;
    let home2 = app.page(Method::GET, "/", &cookie2, None).await;
    let waiting = format!("href=\"/deliberations/{later}\"><strong>1</strong> 条观点待您表态 · ");
    assert!(home2.body.contains(&waiting), "{waiting}");
}

/// The committee's members hear that a deliberation has opened; those who
/// took part hear that its report is out, and the notice leads to it.
#[tokio::test]
async fn members_hear_of_an_opening_and_participants_of_the_report() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    let notices = |token: &str| {
        let (app, token) = (&app, token.to_owned());
        async move {
            let a = app
                .api(
                    Method::GET,
                    "/notifications?per_page=200",
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            a.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter(|n| n["record_type"] == "deliberation")
                .map(|n| {
                    (
                        n["kind"].as_str().unwrap_or("").to_string(),
                        n["record_id"].as_i64().unwrap_or(0),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let id = new_deliberation(&app, &staff, "members", "post").await;
    assert_eq!(notices(&member).await, vec![], "a draft is news to no one");
    assert_eq!(
        step(&app, &staff, id, "open", None).await.status,
        StatusCode::OK
    );
    let opened = ("deliberation.opened".to_string(), id);
    assert_eq!(notices(&member).await, vec![opened.clone()]);
    assert_eq!(notices(&member2).await, vec![opened.clone()]);
    assert_eq!(notices(&staff).await, vec![], "staff are not members");
    // member_r takes part; member2_r does not.
    let sids = seed(&app, &staff, id, ["电梯费用应当公开"]).await;
    assert_eq!(
        vote(&app, &member, id, sids[0], json!("agree"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        step(&app, &staff, id, "close", None).await.status,
        StatusCode::OK
    );
    let report = json!({"report": "参与者普遍要求费用公开。"});
    assert_eq!(
        step(&app, &staff, id, "publish-report", Some(report))
            .await
            .status,
        StatusCode::OK
    );
    let reported = ("deliberation.reported".to_string(), id);
    assert_eq!(notices(&member).await, vec![reported, opened.clone()]);
    assert_eq!(notices(&member2).await, vec![opened]);

    // On the page: the notice in words, and opening it leads to the results.
    let (cookies, csrf) = app.web_login("member_r").await;
    let page = app
        .page(Method::GET, "/notifications", &cookies, None)
        .await;
    for want in [
        "您参与的网络议政已发布议政报告",
        "网络议政已开始，请发表观点并表态",
    ] {
        assert!(page.body.contains(want), "{want}");
    }
    let newest = app
        .api(Method::GET, "/notifications", Some(&member), None)
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .expect("id");
    let open = app
        .page(
            Method::POST,
            &format!("/notifications/{newest}/open"),
            &cookies,
            Some(&format!("_csrf={csrf}")),
        )
        .await;
    assert_eq!(open.status, StatusCode::SEE_OTHER);
    assert_eq!(
        open.header("location"),
        Some(format!("/deliberations/{id}/results").as_str())
    );
}

/// A members-only deliberation is for the committee's own people: a
/// citizen's account or a handling unit's officer holds a role in the
/// committee too, but neither sees it, lists it, is offered it nor votes in
/// it; a public one is open to them.
#[tokio::test]
async fn a_members_only_deliberation_is_closed_to_citizens_and_unit_officers_with_accounts() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let inner = new_deliberation(&app, &staff, "members", "post").await;
    let public = new_deliberation(&app, &staff, "public", "post").await;
    let mut sids = Vec::new();
    for id in [inner, public] {
        assert_eq!(
            step(&app, &staff, id, "open", None).await.status,
            StatusCode::OK
        );
        sids.push(seed(&app, &staff, id, ["电梯费用应当公开"]).await[0]);
    }
    let committee = app.fx.region;
    for who in ["citizen_r", "unit_r"] {
        let token = app.token(who).await;
        let shown = deliberation(&app, &token, inner).await;
        assert_eq!(problem(&shown).0, 404, "{who}: {}", shown.body);
        let voted = vote(&app, &token, inner, sids[0], json!("agree")).await;
        assert_eq!(problem(&voted).0, 404, "{who}: {}", voted.body);
        let listed = app
            .api(
                Method::GET,
                &format!("/deliberations?committee_id={committee}&per_page=200"),
                Some(&token),
                None,
            )
            .await;
        let ids: Vec<i64> = listed.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|d| d["id"].as_i64())
            .collect();
        assert!(
            ids.contains(&public) && !ids.contains(&inner),
            "{who}: {ids:?}"
        );
        let offered = app
            .api(Method::GET, "/deliberations/mine", Some(&token), None)
            .await;
        let offered: Vec<i64> = offered
            .json()
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|i| i["deliberation_id"].as_i64())
            .collect();
        assert_eq!(offered, vec![public], "{who}");
        // The public one takes their vote.
        let voted = vote(&app, &token, public, sids[1], json!("agree")).await;
        assert_eq!(voted.status, StatusCode::OK, "{who}: {}", voted.body);
    }
    // The committee's members, leaders and admins do see it.
    for who in ["member_r", "leader_r", "admin_r"] {
        let token = app.token(who).await;
        let shown = deliberation(&app, &token, inner).await;
        assert_eq!(shown.status, StatusCode::OK, "{who}: {}", shown.body);
    }
}

/// A participant's results say which opinion group they are in and mark
/// them on the map (as Pol.is shows "you"); the place follows their votes
/// from one computation to the next, and a reader who took no part has none.
#[tokio::test]
async fn a_participant_sees_their_own_group_and_place_on_the_map() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let id = opened(&app, &staff, "public", "post").await;
    let seeds = seed(
        &app,
        &staff,
        id,
        [
            "加装电梯是民生实事",
            "费用应由政府承担",
            "低层住户应当获得补偿",
            "加装电梯会影响采光",
            "不应强制低层住户出钱",
            "应当先征得全体住户同意",
        ],
    )
    .await;
    // Two camps of visitors: camp A agrees with the first three, camp B
    // with the last three.
    let camp_a = |i: usize| i < 3;
    visitors_vote(&app, id, &seeds, 16, |p, i| camp_a(i) == (p % 2 == 0)).await;
    let as_camp = |token: String, a: bool| {
        let (app, seeds) = (&app, seeds.clone());
        async move {
            for (i, sid) in seeds.iter().enumerate() {
                let v = if camp_a(i) == a { "agree" } else { "disagree" };
                assert_eq!(
                    vote(app, &token, id, *sid, json!(v)).await.status,
                    StatusCode::OK
                );
            }
        }
    };
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    as_camp(member.clone(), true).await;
    as_camp(member2.clone(), false).await;
    // One more visitor of camp A, whose cookie we keep.
    let mut visitor = String::new();
    for (i, sid) in seeds.iter().enumerate() {
        let v = if camp_a(i) { "agree" } else { "disagree" };
        let a = anonymous_vote(&app, id, *sid, v, &visitor).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        if let Some(c) = voice_cookie(&a) {
            visitor = c;
        }
    }
    let results = |token: Option<String>, cookie: Option<String>| {
        let app = &app;
        async move {
            let mut req = Request::get(format!("/api/v1/deliberations/{id}/results"));
            if let Some(t) = token {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            let a = app.send(req.body(Body::empty()).expect("request")).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            a.json()
        }
    };
    // Before the first results a participant is placed nowhere yet.
    assert_eq!(
        results(Some(member.clone()), None).await["yours"],
        json!({"group": null, "x": null, "y": null})
    );
    store::deliberation_results::refresh(app.db())
        .await
        .expect("refresh");
    let group_of = |r: &Value| r["yours"]["group"].as_i64();
    let mine = results(Some(member.clone()), None).await;
    let theirs = results(Some(member2.clone()), None).await;
    let (a, b) = (group_of(&mine), group_of(&theirs));
    assert!(a.is_some() && b.is_some() && a != b, "{mine} {theirs}");
    assert_eq!(
        group_of(&results(None, Some(visitor.clone())).await),
        a,
        "the visitor of the member's camp shares the member's group"
    );
    for r in [&mine, &theirs] {
        let (x, y) = (r["yours"]["x"].as_f64(), r["yours"]["y"].as_f64());
        assert!(
            x.zip(y)
                .is_some_and(|(x, y)| x.abs() <= 1.0 && y.abs() <= 1.0),
            "{r}"
        );
    }
    // Those who took no part have no place, nor staff who only wrote the
    // statements.
    assert!(
        results(Some(staff.clone()), None)
            .await
            .get("yours")
            .is_none()
    );
    let leader = app.token("leader_r").await;
    assert!(
        results(Some(leader.clone()), None)
            .await
            .get("yours")
            .is_none()
    );
    assert!(results(None, None).await.get("yours").is_none());
    // It is given to each reader, never stored with the results.
    let stored = store::deliberation_results::of(app.db(), id)
        .await
        .expect("read")
        .expect("results");
    assert!(stored.yours.is_none());

    // The page says it and marks the reader; a reader who took no part
    // sees neither.
    let (cookie, _) = app.web_login("member_r").await;
    let page = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}/results"),
            &cookie,
            None,
        )
        .await;
    let a = a.unwrap_or_default();
    for want in [
        "id=\"you\"".to_string(),
        "id=\"you-legend\"".to_string(),
        format!("<p id=\"your-group\" class=\"yours\">您属于第 {a} 群体"),
        format!("g{a}-edge yours\">"),
        "您所在的群体".to_string(),
    ] {
        assert!(page.body.contains(&want), "{want}");
    }
    let (cookie, _) = app.web_login("leader_r").await;
    let page = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}/results"),
            &cookie,
            None,
        )
        .await;
    assert!(!page.body.contains("id=\"you\"") && !page.body.contains("id=\"your-group\""));

    // The member changes sides: the next results put them with the others.
    let visitors_group = group_of(&results(None, Some(visitor.clone())).await);
    let others_group = group_of(&results(Some(member2.clone()), None).await);
    as_camp(member.clone(), false).await;
    store::deliberation_results::refresh(app.db())
        .await
        .expect("refresh");
    let moved = group_of(&results(Some(member.clone()), None).await);
    assert_eq!(moved, group_of(&results(Some(member2.clone()), None).await));
    assert_ne!(moved, group_of(&results(None, Some(visitor.clone())).await));
    // The switch made the other camp the larger, which the engine numbers
    // first; while the deliberation is open both groups keep their numbers.
    assert_eq!(moved, others_group);
    assert_eq!(
        group_of(&results(None, Some(visitor.clone())).await),
        visitors_group
    );
    // Someone who voted once, after the results, is not placed yet.
    let late = app.token("admin_r").await;
    assert_eq!(
        vote(&app, &late, id, seeds[0], json!("agree")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        results(Some(late), None).await["yours"]["group"],
        Value::Null
    );
    let (cookie, _) = app.web_login("admin_r").await;
    let page = app
        .page(
            Method::GET,
            &format!("/deliberations/{id}/results"),
            &cookie,
            None,
        )
        .await;
    assert!(
        page.body
            .contains("<p id=\"your-group\" class=\"yours\">您暂未归入观点群体"),
        "a participant not yet placed is told why"
    );
    assert!(!page.body.contains("id=\"you\""));
}

/// The results job keeps each open deliberation's votes between runs and
/// reads only those cast since (less a margin); a vote it would miss (one
/// stamped before the margin but committed after the last read) shows in the
/// statements' kept tallies, and then every vote is read again.
#[tokio::test]
async fn the_results_job_reads_only_the_votes_cast_since_and_notices_one_it_missed() {
    use store::deliberation_ballots as ballots;
    use store::deliberation_results::Kept;
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    let id = opened(&app, &staff, "public", "post").await;
    let seeds = seed(&app, &staff, id, (1..=8).map(|i| format!("观点 {i}"))).await;
    visitors_vote(&app, id, &seeds, 20, |p, i| (p + i) % 2 == 0).await;
    let a = vote(&app, &member, id, seeds[0], json!("agree")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Those votes were cast an hour ago, long before any read's margin.
    exec(
        app.db(),
        &format!(
            "UPDATE deliberation_votes SET voted_at = voted_at - {HOUR} WHERE deliberation_id = {id}"
        ),
    )
    .await;
    let mut kept = Kept::default();
    let first = job_run(&app, id, &mut kept).await;
    assert_eq!(
        (first["votes"].as_i64(), first["participants"].as_i64()),
        (Some(161), Some(21))
    );

    // What the job kept is what a read of every vote gives.
    let all = ballots::read(app.db(), id, None).await.expect("read");
    assert!(all.whole);
    assert_eq!(all.rows, 161);
    let kept_votes = ballots::read(app.db(), id, Some(all.ballots.clone()))
        .await
        .expect("read");
    assert!(!kept_votes.whole);
    assert_eq!(kept_votes.rows, 0, "nothing cast since");

    // A re-vote, a new vote, a newcomer's vote and two new visitors' eight
    // each: nineteen rows read, and the kept votes equal a read of them all.
    for (token, sid, v) in [
        (&member, seeds[0], "disagree"),
        (&member, seeds[1], "pass"),
        (&member2, seeds[2], "agree"),
    ] {
        let a = vote(&app, token, id, sid, json!(v)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    visitors_vote(&app, id, &seeds, 2, |p, i| (p + i) % 2 == 0).await;
    let since = ballots::read(app.db(), id, Some(all.ballots.clone()))
        .await
        .expect("read");
    assert!(!since.whole);
    assert_eq!(since.rows, 3 + 16);
    let fresh = ballots::read(app.db(), id, None).await.expect("read");
    assert_eq!(since.ballots.sorted(), fresh.ballots.sorted());
    let updated = job_run(&app, id, &mut kept).await;
    assert_eq!(
        (updated["votes"].as_i64(), updated["participants"].as_i64()),
        (Some(179), Some(24))
    );
    // The job sent only the places that changed; those stored still add up
    // to the groups' sizes, the two new visitors counted.
    let sizes: Vec<(i64, i64)> = updated["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["number"].as_i64().unwrap_or(0),
                g["size"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(sizes.iter().map(|s| s.1).sum::<i64>(), 22, "{updated}");
    assert_eq!(group_sizes(&app, id).await, sizes);

    // After a restart (nothing kept) the job writes every place, so that the
    // copy it keeps is what the database holds: had it left the places that
    // moved less than its threshold, the copy's small moves would add up.
    // Here the stored places sit that little off, and the results are
    // computed again from the same votes.
    exec(
        app.db(),
        &format!(
            "UPDATE deliberation_participants SET map_x = map_x + 0.001
             WHERE deliberation_id = {id} AND map_x IS NOT NULL"
        ),
    )
    .await;
    exec(
        app.db(),
        &format!(
            "UPDATE deliberation_results SET fingerprint = 'older' WHERE deliberation_id = {id}"
        ),
    )
    .await;
    let r = job_run(&app, id, &mut Kept::default()).await;
    let scale = r["scale"].as_f64().expect("scale");
    let points = r["points"].as_array().expect("points");
    let places = stored_places(&app, id).await;
    assert_eq!(places.len(), points.len(), "all drawn at this size");
    for ((x, y), p) in places.iter().zip(points) {
        let (px, py) = (
            p["x"].as_f64().unwrap_or(9.0),
            p["y"].as_f64().unwrap_or(9.0),
        );
        assert!(
            (x / scale - px).abs() < 1e-6 && (y / scale - py).abs() < 1e-6,
            "stored {x}, {y}; drawn {px}, {py} at scale {scale}"
        );
    }

    // A vote stamped an hour ago that the last read did not see (its
    // transaction, say, committed late): its statement's tallies give it away.
    let s = seeds[3];
    exec(
        app.db(),
        &format!(
            "UPDATE deliberation_votes SET value = -1 WHERE statement_id = {s} AND value = 1
               AND participant_id = (SELECT MIN(participant_id) FROM deliberation_votes
                                     WHERE statement_id = {s} AND value = 1)"
        ),
    )
    .await;
    exec(
        app.db(),
        &format!(
            "UPDATE deliberation_statements SET agrees = agrees - 1, disagrees = disagrees + 1 WHERE id = {s}"
        ),
    )
    .await;
    let caught = ballots::read(app.db(), id, Some(since.ballots.clone()))
        .await
        .expect("read");
    assert!(caught.whole, "read again in whole");
    assert_eq!(caught.rows, 179);
    let fresh = ballots::read(app.db(), id, None).await.expect("read");
    assert_eq!(caught.ballots.sorted(), fresh.ballots.sorted());
    assert_ne!(caught.ballots.sorted(), since.ballots.sorted());
}

/// The places stored for a deliberation's participants, by participant id.
async fn stored_places(app: &TestApp, id: i64) -> Vec<(f64, f64)> {
    let sql = "SELECT map_x, map_y FROM deliberation_participants
               WHERE deliberation_id = $1 AND map_x IS NOT NULL ORDER BY id";
    match app.db() {
        store::db::Db::Sqlite(s) => sqlx::query_as(sql).bind(id).fetch_all(&s.read).await,
        store::db::Db::Postgres(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await,
    }
    .expect("places")
}

/// One run of the results job on one deliberation, keeping its votes in
/// `kept`; the results it stored.
async fn job_run(app: &TestApp, id: i64, kept: &mut store::deliberation_results::Kept) -> Value {
    use store::deliberation_results as results;
    let behind: Vec<(i64, String)> = results::stale(app.db())
        .await
        .expect("stale")
        .into_iter()
        .filter(|s| s.0 == id)
        .collect();
    assert_eq!(behind.len(), 1, "the results are behind the votes");
    results::recompute_all(app.db(), &behind, kept)
        .await
        .expect("computed");
    results_json(app, id).await
}

/// How many participants of a deliberation each opinion group holds, as
/// stored with their places: (group, size), by group.
async fn group_sizes(app: &TestApp, id: i64) -> Vec<(i64, i64)> {
    let sql = "SELECT opinion_group, COUNT(*) FROM deliberation_participants
               WHERE deliberation_id = $1 AND opinion_group IS NOT NULL
               GROUP BY opinion_group ORDER BY opinion_group";
    match app.db() {
        store::db::Db::Sqlite(s) => sqlx::query_as(sql).bind(id).fetch_all(&s.read).await,
        store::db::Db::Postgres(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await,
    }
    .expect("group sizes")
}

/// The results job recomputes a deliberation when its fingerprint moves:
/// on a vote (a new one, or a re-vote that changes no count), a statement
/// added, one accepted or rejected, and closing; and on nothing else.
#[tokio::test]
async fn the_results_fall_behind_on_each_change_they_follow_and_on_nothing_else() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let id = opened(&app, &staff, "public", "pre").await;
    let seeds = seed(&app, &staff, id, ["应增设社区议事会", "议事会应每月开一次"]).await;
    let behind = || async {
        store::deliberation_results::stale(app.db())
            .await
            .expect("stale")
            .iter()
            .filter(|s| s.0 == id)
            .count()
    };
    let caught_up = |what: &'static str| {
        let app = &app;
        async move {
            assert_eq!(behind().await, 1, "behind after {what}");
            store::deliberation_results::refresh(app.db())
                .await
                .expect("refresh");
            assert_eq!(behind().await, 0, "caught up after {what}");
            assert_eq!(behind().await, 0, "and stays so while nothing moves");
        }
    };
    assert_eq!(behind().await, 1, "no results yet");
    visitors_vote(&app, id, &seeds, 8, |p, i| (p + i) % 2 == 0).await;
    caught_up("votes").await;
    let first = anonymous_vote(&app, id, seeds[0], "agree", "").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let cookie = voice_cookie(&first).expect("a visitor's cookie");
    caught_up("a newcomer's vote").await;
    let again = anonymous_vote(&app, id, seeds[0], "disagree", &cookie).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    caught_up("a re-vote, which changes no count").await;
    let mut pending = Vec::new();
    for text in ["社区议事会应吸收年轻人", "议事结果应公示"] {
        let a = say(&app, &member, id, text).await;
        assert_eq!(a.json()["status"], "pending", "{}", a.body);
        pending.push(a.json()["id"].as_i64().expect("id"));
    }
    caught_up("statements waiting for moderation").await;
    for (sid, decision) in pending.iter().zip(["accept", "reject"]) {
        let done = moderate(&app, &staff, id, *sid, decision).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
        caught_up(decision).await;
    }
    assert_eq!(
        step(&app, &staff, id, "close", None).await.status,
        StatusCode::OK
    );
    caught_up("closing").await;
    assert_eq!(results_json(&app, id).await["final"], true);
    let reported = step(
        &app,
        &staff,
        id,
        "publish-report",
        Some(json!({"report": "多数人赞成设立议事会。"})),
    )
    .await;
    assert_eq!(reported.status, StatusCode::OK, "{}", reported.body);
    assert_eq!(
        behind().await,
        0,
        "a reported deliberation with final results"
    );
}

/// Each participant meets the statements in an order of their own: not the
/// same first statement for every newcomer, and not one cycle that everyone
/// runs through from a different start (then each statement would always be
/// followed by the same one, and the two never voted on apart).
#[tokio::test]
async fn each_participant_meets_the_statements_in_an_order_of_their_own() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let id = opened(&app, &staff, "public", "post").await;
    let seeds = seed(&app, &staff, id, (1..=8).map(|i| format!("第{i}条意见"))).await;
    let next_of = |a: &Answer| a.json()["next"]["id"].as_i64();
    let mut orders: Vec<Vec<i64>> = Vec::new();
    for _ in 0..20 {
        let first = app
            .api(
                Method::GET,
                &format!("/deliberations/{id}/next"),
                None,
                None,
            )
            .await;
        let mut at = next_of(&first).expect("a first statement");
        let mut order = vec![at];
        let mut cookie = String::new();
        loop {
            let a = anonymous_vote(&app, id, at, "pass", &cookie).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            if let Some(c) = voice_cookie(&a) {
                cookie = c;
            }
            // The visitor is put the same statement on asking again.
            let asked = app
                .send(
                    Request::builder()
                        .uri(format!("/api/v1/deliberations/{id}/next"))
                        .header(header::COOKIE, &cookie)
                        .body(Body::empty())
                        .expect("request"),
                )
                .await;
            assert_eq!(next_of(&asked), next_of(&a), "{}", asked.body);
            match next_of(&a) {
                Some(n) => {
                    at = n;
                    order.push(n);
                }
                None => break,
            }
        }
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, seeds, "each statement once");
        orders.push(order);
    }
    let distinct = |of: &dyn Fn(&Vec<i64>) -> Option<i64>| {
        let mut seen: Vec<i64> = orders.iter().filter_map(of).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    assert!(distinct(&|o| o.first().copied()) >= 3, "{orders:?}");
    // What follows the first statement, for those who did not end on it.
    let after = |o: &Vec<i64>| {
        o.iter()
            .position(|&s| s == seeds[0])
            .and_then(|i| o.get(i + 1).copied())
    };
    assert!(distinct(&after) >= 3, "{orders:?}");
}

/// The results page shows the statements' bars fifty at a time, most voted
/// first: a deliberation of thousands of statements would otherwise make a
/// page of megabytes.
#[tokio::test]
async fn the_results_page_shows_the_statements_fifty_at_a_time() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let id = opened(&app, &staff, "public", "post").await;
    let seeds = seed(&app, &staff, id, (1..=60).map(|i| format!("第{i}条建议"))).await;
    // The last statement has the most votes: it comes first.
    visitors_vote(&app, id, &seeds[59..], 2, |_, _| true).await;
    let page = |query: &'static str| {
        let app = &app;
        async move {
            app.page(
                Method::GET,
                &format!("/deliberations/{id}/results{query}"),
                "",
                None,
            )
            .await
        }
    };
    let bodies = |html: &str| -> Vec<usize> {
        (1..=60)
            .filter(|i| html.contains(&format!("<p>第{i}条建议</p>")))
            .collect()
    };
    let bars = |html: &str| html.matches("viewBox=\"0 0 100 6\"").count();
    let first = page("").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(bars(&first.body), 50);
    assert!(first.body.find("<p>第60条建议</p>") < first.body.find("<p>第1条建议</p>"));
    assert!(
        first.body.contains(&format!(
            "href=\"/deliberations/{id}/results?page=2#bars-h\" rel=\"next\""
        )),
        "{}",
        first.body
    );
    assert!(!first.body.contains("rel=\"prev\""));
    let second = page("?page=2").await;
    assert_eq!(bars(&second.body), 10, "{}", second.body);
    assert!(second.body.contains("rel=\"prev\""));
    assert!(!second.body.contains("rel=\"next\""));
    let mut all = bodies(&first.body);
    all.extend(bodies(&second.body));
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=60).collect::<Vec<_>>(),
        "each statement on one page"
    );
    // Past the last page: the last; a page that is no number: a clear error.
    let past = page("?page=99").await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(bodies(&past.body), bodies(&second.body));
    let bad = page("?page=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("请求格式有误"), "{}", bad.body);
}

/// The moderation queue comes fifty statements at a time, and a decision
/// made on a page comes back to that page.
#[tokio::test]
async fn the_moderation_queue_comes_fifty_at_a_time_and_a_decision_returns_to_its_page() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let id = opened(&app, &staff, "public", "pre").await;
    let seeds = seed(&app, &staff, id, (1..=60).map(|i| format!("第{i}条意见"))).await;
    let waiting = say(&app, &member, id, "请把议事会开到晚上").await;
    assert_eq!(waiting.json()["status"], "pending", "{}", waiting.body);
    let (web, csrf) = app.web_login("consult_r").await;
    let queue = |query: String| {
        let (app, web) = (&app, web.clone());
        async move {
            app.page(
                Method::GET,
                &format!("/deliberations/{id}/moderation{query}"),
                &web,
                None,
            )
            .await
        }
    };
    let items = |html: &str| html.matches("<li id=\"s").count();
    // Those waiting: one, on one page.
    let pending = queue(String::new()).await;
    assert_eq!(pending.status, StatusCode::OK, "{}", pending.body);
    assert_eq!(items(&pending.body), 1);
    assert!(!pending.body.contains("class=\"pager\""));
    // Every statement: 61 on two pages.
    let first = queue("?show=all".into()).await;
    assert_eq!(items(&first.body), 50, "{}", first.body);
    let next = format!("/deliberations/{id}/moderation?show=all&#38;page=2\" rel=\"next\"");
    assert!(first.body.contains(&next), "{}", first.body);
    let second = queue("?show=all&page=2".into()).await;
    assert_eq!(items(&second.body), 11, "{}", second.body);
    assert!(second.body.contains(&format!("id=\"s{}\"", seeds[59])));
    assert!(second.body.contains("name=\"page\" value=\"2\""));
    // A decision on page 2 comes back to page 2.
    let decided = app
        .page(
            Method::POST,
            &format!("/deliberations/{id}/statements/{}/moderation", seeds[59]),
            &web,
            Some(&format!("_csrf={csrf}&decision=rejected&show=all&page=2")),
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(
        decided.header("location"),
        Some(format!("/deliberations/{id}/moderation?show=all&page=2").as_str())
    );
    // Past the last page: the last; a page that is no number: a clear error.
    assert_eq!(items(&queue("?show=all&page=9".into()).await.body), 11);
    let bad = queue("?page=x".into()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
}
