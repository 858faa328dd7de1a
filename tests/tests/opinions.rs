//! Public-opinion pieces and the weekly bulletin through the JSON API, on the
//! backend under test: a member's piece edited, combined, adopted into an
//! issue that is published and reported, an instruction fed back to its
//! sources; and the refusals of bad or conflicting input. Every state × step ×
//! part of the machines is tested in `domain::opinions`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use xieshang_tests::{Answer, TestApp, docx_lines, member_id, problem};

fn piece(title: &str) -> Value {
    json!({"title": title, "body": "多个村反映：养老服务站缺少护理员，老人白天无人照看。\n建议：县里统一招聘。",
        "category": "society", "region": "城关镇", "urgency": "urgent"})
}

async fn step(app: &TestApp, token: &str, id: i64, action: &str, body: Value) -> Answer {
    app.api(
        Method::POST,
        &format!("/opinions/{id}/actions/{action}"),
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_piece_goes_from_member_to_bulletin_to_instruction_and_back() {
    let app = TestApp::new().await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    let info = app.token("info_r").await;
    let leader = app.token("leader_r").await;
    let proposals_staff = app.token("staff_r").await;

    // A member drafts and submits; the draft is theirs alone.
    let a = app
        .api(
            Method::POST,
            "/opinions",
            Some(&member),
            Some(piece("养老服务站缺护理员")),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let id = a.json()["id"].as_i64().expect("id");
    let got = app
        .api(Method::GET, &format!("/opinions/{id}"), Some(&info), None)
        .await;
    assert_eq!(got.status, StatusCode::NOT_FOUND, "a draft is its writer's");
    let detail = app
        .api(Method::GET, &format!("/opinions/{id}"), Some(&member), None)
        .await
        .json();
    assert_eq!(
        detail["sources"][0]["kind"], "member",
        "the writer is the source"
    );
    assert_eq!(
        detail["sources"][0]["member_id"],
        member_id(app.db(), "member_r").await
    );
    assert_eq!(
        step(&app, &member, id, "submit", json!({})).await.status,
        StatusCode::OK
    );

    // Only information staff edit; proposals staff and members cannot.
    assert_eq!(
        problem(&step(&app, &proposals_staff, id, "start-editing", json!({})).await).0,
        404,
        "staff of another office do not see submitted pieces"
    );
    assert_eq!(
        problem(&step(&app, &member, id, "start-editing", json!({})).await),
        (403, "forbidden".into())
    );
    assert_eq!(
        step(&app, &info, id, "start-editing", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let edited = step(
        &app,
        &info,
        id,
        "edit",
        json!({"title": "关于农村养老服务站护理员短缺的情况反映", "body": "经核实……"}),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let e = edited.json();
    assert_eq!(
        e["submitted_title"], "养老服务站缺护理员",
        "the submitted text is kept"
    );
    assert_eq!(e["title"], "关于农村养老服务站护理员短缺的情况反映");

    // A second member's piece is combined into it; its source comes along.
    let other = app
        .api(
            Method::POST,
            "/opinions",
            Some(&member2),
            Some(piece("村养老站没人管")),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    step(&app, &member2, other, "submit", json!({})).await;
    assert_eq!(
        problem(&step(&app, &info, id, "combine", json!({"with": [id]})).await),
        (409, "combine_with_itself".into())
    );
    let combined = step(&app, &info, id, "combine", json!({"with": [other]})).await;
    assert_eq!(combined.status, StatusCode::OK, "{}", combined.body);
    let absorbed = app
        .api(
            Method::GET,
            &format!("/opinions/{other}"),
            Some(&info),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            absorbed["state"].as_str(),
            absorbed["combined_into"].as_i64()
        ),
        (Some("combined"), Some(id))
    );
    let sources = app
        .api(Method::GET, &format!("/opinions/{id}"), Some(&info), None)
        .await
        .json()["sources"]
        .as_array()
        .expect("sources")
        .len();
    assert_eq!(sources, 2, "the combined piece keeps every source");

    // An empty issue cannot be published; the piece is adopted into it.
    let b = app
        .api(
            Method::POST,
            "/bulletins",
            Some(&info),
            Some(json!({"editor_note": "本期关注农村养老。"})),
        )
        .await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.body);
    let bulletin = b.json()["id"].as_i64().expect("bulletin");
    assert_eq!(b.json()["number"], 1);
    let publish = format!("/bulletins/{bulletin}/actions/publish");
    assert_eq!(
        problem(
            &app.api(Method::POST, &publish, Some(&info), Some(json!({})))
                .await
        ),
        (409, "empty_bulletin".into())
    );
    // An instruction before the piece is even adopted is refused.
    assert_eq!(
        problem(&step(&app, &leader, id, "record-instruction",
            json!({"leader": "张书记", "level": "county", "on_date": "2026-11-20", "text": "请民政局研究落实。"})).await).0,
        409
    );
    let adopted = step(&app, &info, id, "adopt", json!({"bulletin_id": bulletin})).await;
    assert_eq!(adopted.status, StatusCode::OK, "{}", adopted.body);
    // Published, then nothing more is adopted into it.
    let published = app
        .api(Method::POST, &publish, Some(&info), Some(json!({})))
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let third = app
        .api(
            Method::POST,
            "/opinions",
            Some(&member),
            Some(piece("第三篇")),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    step(&app, &member, third, "submit", json!({})).await;
    step(&app, &info, third, "start-editing", json!({})).await;
    assert_eq!(
        problem(
            &step(
                &app,
                &info,
                third,
                "adopt",
                json!({"bulletin_id": bulletin})
            )
            .await
        ),
        (409, "bulletin_published".into())
    );
    // Nor is a published piece combined into another: it stays where it is.
    assert_eq!(
        problem(&step(&app, &info, third, "combine", json!({"with": [id]})).await),
        (409, "wrong_state".into())
    );
    let kept = app
        .api(Method::GET, &format!("/opinions/{id}"), Some(&info), None)
        .await
        .json();
    assert_eq!(
        (kept["state"].as_str(), kept["bulletin_id"].as_i64()),
        (Some("adopted"), Some(bulletin))
    );

    // Not reported yet: no instruction. Then reported, and the leader writes one.
    let instruction = json!({"leader": "张书记", "level": "county", "on_date": "2026-11-20", "text": "请民政局研究落实。"});
    assert_eq!(
        problem(&step(&app, &leader, id, "record-instruction", instruction.clone()).await),
        (409, "not_reported".into())
    );
    let report = format!("/bulletins/{bulletin}/actions/report");
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &report,
                Some(&info),
                Some(json!({"recipients": ["the_press"], "channel": "机要交换"}))
            )
            .await
        ),
        (422, "invalid_choice".into())
    );
    let reported = app
        .api(
            Method::POST,
            &report,
            Some(&info),
            Some(json!({"recipients": ["party_committee", "government"], "channel": "机要交换"})),
        )
        .await;
    assert_eq!(reported.status, StatusCode::OK, "{}", reported.body);
    let issue = app
        .api(
            Method::GET,
            &format!("/bulletins/{bulletin}"),
            Some(&leader),
            None,
        )
        .await
        .json();
    // The issue as a Word document: the piece's edited title is in it.
    let doc = app
        .api(
            Method::GET,
            &format!("/bulletins/{bulletin}.docx"),
            Some(&info),
            None,
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    assert!(
        doc.header("content-type")
            .is_some_and(|c| c.contains("wordprocessingml"))
    );
    let text = docx_lines(&doc.bytes);
    assert!(
        text.contains(&"关于农村养老服务站护理员短缺的情况反映".to_string()),
        "{text:?}"
    );
    assert!(text.iter().any(|l| l.ends_with("年第1期")), "{text:?}");
    assert_eq!(issue["reports"].as_array().map(Vec::len), Some(2));
    assert_eq!(issue["pieces"][0]["id"], id);
    assert!(
        issue["label"]
            .as_str()
            .is_some_and(|l| l.ends_with("年第1期"))
    );
    assert_eq!(
        problem(
            &step(
                &app,
                &leader,
                id,
                "record-instruction",
                json!({"leader": "张书记", "level": "county", "on_date": "2026-13-40", "text": "x"})
            )
            .await
        ),
        (422, "invalid_date".into())
    );
    let done = step(&app, &leader, id, "record-instruction", instruction).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let detail = app
        .api(
            Method::GET,
            &format!("/opinions/{id}"),
            Some(&member2),
            None,
        )
        .await;
    assert_eq!(
        detail.status,
        StatusCode::OK,
        "a source sees the piece it went into"
    );
    assert_eq!(detail.json()["outcomes"][0]["leader"], "张书记");

    // The list downloads with its filters: both sources are named.
    let csv = app
        .api(
            Method::GET,
            "/opinions.csv?state=adopted",
            Some(&info),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.body.contains("关于农村养老服务站护理员短缺的情况反映"),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains("第三篇"), "the filter holds");
    assert!(
        csv.body.contains("委员member_r") && csv.body.contains("委员member2_r"),
        "{}",
        csv.body
    );
    let xlsx = app
        .api(Method::GET, "/opinions.xlsx", Some(&info), None)
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "a workbook is a ZIP");

    // The figures, also through the API: staff and leaders only.
    let counts = app
        .api(Method::GET, "/opinions/counts", Some(&info), None)
        .await;
    assert_eq!(counts.status, StatusCode::OK, "{}", counts.body);
    assert_eq!(counts.json()["adopted"], 1);
    assert_eq!(counts.json()["instructed"], json!([["county", 1]]));
    assert_eq!(
        app.api(Method::GET, "/opinions/counts", Some(&member), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Both sources hear of the adoption and the instruction.
    for token in [&member, &member2] {
        let n = app
            .api(Method::GET, "/notifications", Some(token), None)
            .await
            .json();
        let kinds: Vec<&str> = n["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|x| x["kind"].as_str())
            .collect();
        assert!(kinds.contains(&"opinion.adopted"), "{kinds:?}");
        assert!(kinds.contains(&"opinion.instructed"), "{kinds:?}");
    }

    // The trail has every step.
    let events = app
        .api(
            Method::GET,
            &format!("/opinions/{id}/events"),
            Some(&info),
            None,
        )
        .await
        .json();
    let actions: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "opinion.create",
        "opinion.submit",
        "opinion.edit",
        "opinion.combine",
        "opinion.adopt",
        "opinion.record_instruction",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let member = app.token("member_r").await;
    let info = app.token("info_r").await;
    let bad = app
        .api(
            Method::POST,
            "/opinions",
            Some(&member),
            Some(
                json!({"title": "", "body": "x".repeat(10_001), "category": "weather",
                "sources": [{"kind": "studio"}]}),
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let list = app
        .api(Method::GET, "/opinions", Some(&member), None)
        .await
        .json();
    assert_eq!(list["total"], 0, "nothing was stored");

    let id = app
        .api(
            Method::POST,
            "/opinions",
            Some(&member),
            Some(piece("标题")),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    // A stale version changes nothing.
    let stale = app
        .api(
            Method::PATCH,
            &format!("/opinions/{id}"),
            Some(&member),
            Some(json!({"title": "新标题", "body": "正文", "category": "economy", "version": 99})),
        )
        .await;
    assert_eq!(problem(&stale), (409, "stale_version".into()));
    // A decline needs a reason; the step names are checked.
    step(&app, &member, id, "submit", json!({})).await;
    assert_eq!(
        problem(&step(&app, &info, id, "decline", json!({"reason": "  "})).await),
        (422, "required".into())
    );
    assert_eq!(
        step(&app, &info, id, "fly", json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let got = app
        .api(Method::GET, &format!("/opinions/{id}"), Some(&member), None)
        .await
        .json();
    assert_eq!(
        (got["state"].as_str(), got["title"].as_str()),
        (Some("submitted"), Some("标题"))
    );

    // A piece made into a proposal lead becomes a draft of the named member.
    let lead = step(
        &app,
        &info,
        id,
        "make-proposal-lead",
        json!({"member_id": member_id(app.db(), "member2_r").await, "term": 13}),
    )
    .await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    let proposal = lead.json()["lead_proposal_id"].as_i64().expect("proposal");
    let member2 = app.token("member2_r").await;
    let p = app
        .api(
            Method::GET,
            &format!("/proposals/{proposal}"),
            Some(&member2),
            None,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        (p.json()["state"].as_str(), p.json()["title"].as_str()),
        (Some("draft"), Some("标题"))
    );

    // The proposal's page names the piece it came from.
    let (cookie, _) = app.web_login("member2_r").await;
    let page = app
        .page(
            Method::GET,
            &format!("/proposals/{proposal}"),
            &cookie,
            None,
        )
        .await;
    assert!(
        page.body.contains(&format!("href=\"/opinions/{id}\"")),
        "a link back to the piece"
    );

    // Only information staff open issues.
    assert_eq!(
        app.api(Method::POST, "/bulletins", Some(&member), Some(json!({})))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// The web pages: a member writes and submits a piece through the forms,
/// information staff edit it, open an issue, adopt, publish and report; the
/// leader records an instruction; each page shows what happened.
#[tokio::test]
async fn the_pages_walk_a_piece_into_a_reported_bulletin() {
    let app = TestApp::new().await;
    let region = app.fx.region;
    let (member, mt) = app.web_login("member_r").await;
    let form = format!(
        "_csrf={mt}&title=%E6%9D%91%E9%87%8C%E7%BC%BA%E6%8A%A4%E7%90%86%E5%91%98&body=%E6%83%85%E5%86%B5%E5%A6%82%E4%B8%8B&category=society&region=&urgency=urgent"
    );
    let bad = app
        .page(
            Method::POST,
            &format!("/opinions/new?committee_id={region}"),
            &member,
            Some(&format!("_csrf={mt}&title=&body=&category=x")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("role=\"alert\""),
        "the form says what is wrong"
    );
    // A studio, created through the shared body API, that the piece came through.
    let admin = app.token("admin_r").await;
    let studio = app
        .api(
            Method::POST,
            "/studios",
            Some(&admin),
            Some(json!({"name": "经济界别委员工作室", "committee_id": region})),
        )
        .await;
    assert_eq!(studio.status, StatusCode::CREATED, "{}", studio.body);
    let studio = studio.json()["id"].as_i64().expect("studio");
    let new_page = app
        .page(
            Method::GET,
            &format!("/opinions/new?committee_id={region}"),
            &member,
            None,
        )
        .await;
    assert!(
        new_page
            .body
            .contains(&format!("value=\"studio:{studio}\"")),
        "the form offers the studio"
    );
    let bad_source = app
        .page(
            Method::POST,
            &format!("/opinions/new?committee_id={region}"),
            &member,
            Some(&format!("{form}&bodies=rumour:1")),
        )
        .await;
    assert_eq!(bad_source.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = format!("{form}&bodies=studio:{studio}");
    let created = app
        .page(
            Method::POST,
            &format!("/opinions/new?committee_id={region}"),
            &member,
            Some(&form),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let at = created.header("location").expect("location").to_string();
    let id: i64 = at.trim_start_matches("/opinions/").parse().expect("id");
    let page = app.page(Method::GET, &at, &member, None).await;
    assert!(
        page.body.contains("经济界别委员工作室") && page.body.contains("委员member_r"),
        "both sources show"
    );
    assert!(page.body.contains("村里缺护理员") && page.body.contains("id=\"step-submit\""));
    let submitted = app
        .page(
            Method::POST,
            &format!("/opinions/{id}/actions/submit"),
            &member,
            Some(&format!("_csrf={mt}&version=1")),
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );

    let (info, it) = app.web_login("info_r").await;
    let list = app
        .page(
            Method::GET,
            &format!("/opinions?committee_id={region}&state=submitted"),
            &info,
            None,
        )
        .await;
    assert!(
        list.body.contains("村里缺护理员"),
        "staff see the submitted piece in the list"
    );
    // The whole list, twice (the second time as it was kept), then again
    // after a step: the new state shows at once.
    let all = format!("/opinions?committee_id={region}");
    for _ in 0..2 {
        let list = app.page(Method::GET, &all, &info, None).await;
        assert!(list.body.contains(">已报送</td>") && !list.body.contains(">编辑中</td>"));
    }
    let app = &app;
    let step = |path: String, cookie: String, body: String| async move {
        app.page(Method::POST, &path, &cookie, Some(&body)).await
    };
    let a = step(
        format!("/opinions/{id}/actions/start-editing"),
        info.clone(),
        format!("_csrf={it}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let list = app.page(Method::GET, &all, &info, None).await;
    assert!(list.body.contains(">编辑中</td>") && !list.body.contains(">已报送</td>"));
    let a = step(
        format!("/opinions/{id}/actions/edit"),
        info.clone(),
        format!("_csrf={it}&title=%E5%85%B3%E4%BA%8E%E6%8A%A4%E7%90%86%E5%91%98%E7%9F%AD%E7%BC%BA&body=%E7%BB%8F%E6%A0%B8%E5%AE%9E"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let shown = app
        .page(Method::GET, &format!("/opinions/{id}"), &info, None)
        .await;
    assert!(
        shown.body.contains("关于护理员短缺") && shown.body.contains("村里缺护理员"),
        "the edit and the original both show"
    );
    // No open issue yet: adopting is not offered; staff open one.
    assert!(!shown.body.contains("id=\"step-adopt\""));
    let opened = step(
        format!("/bulletins?committee_id={region}"),
        info.clone(),
        format!("_csrf={it}&editor_note="),
    )
    .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let bulletin_at = opened.header("location").expect("location").to_string();
    let bulletin: i64 = bulletin_at
        .trim_start_matches("/bulletins/")
        .parse()
        .expect("bulletin id");
    let empty = step(
        format!("/bulletins/{bulletin}/actions/publish"),
        info.clone(),
        format!("_csrf={it}"),
    )
    .await;
    assert_eq!(
        empty.status,
        StatusCode::CONFLICT,
        "an empty issue is not published"
    );
    let shown = app
        .page(Method::GET, &format!("/opinions/{id}"), &info, None)
        .await;
    assert!(shown.body.contains("id=\"step-adopt\""));
    let a = step(
        format!("/opinions/{id}/actions/adopt"),
        info.clone(),
        format!("_csrf={it}&bulletin_id={bulletin}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let a = step(
        format!("/bulletins/{bulletin}/actions/publish"),
        info.clone(),
        format!("_csrf={it}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let a = step(
        format!("/bulletins/{bulletin}/actions/report"),
        info.clone(),
        format!("_csrf={it}&recipients=party_committee&recipients=national_direct&channel=%E6%9C%BA%E8%A6%81"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let issue = app.page(Method::GET, &bulletin_at, &info, None).await;
    assert!(issue.body.contains("关于护理员短缺") && issue.body.contains("《每周社情》"));

    let (leader, lt) = app.web_login("leader_r").await;
    let a = step(
        format!("/opinions/{id}/actions/record-instruction"),
        leader.clone(),
        format!("_csrf={lt}&leader=%E5%BC%A0%E4%B9%A6%E8%AE%B0&level=county&on_date=2026-11-20&text=%E8%AF%B7%E8%90%BD%E5%AE%9E"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // The information office's dashboard counts this year's work.
    let home = app.page(Method::GET, "/", &info, None).await;
    let year = store::clock::year_of(store::clock::now());
    assert!(
        home.body.contains("社情民意工作") || home.body.contains("Public-opinion work"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains(&format!("{year}年获县级领导批示")),
        "the instruction is counted by level: {}",
        home.body
    );
    let seen = app
        .page(Method::GET, &format!("/opinions/{id}"), &member, None)
        .await;
    assert!(
        seen.body.contains("张书记") && seen.body.contains("请落实"),
        "the writer sees the instruction"
    );
}

/// Staff put an open issue's pieces in order, on the API and with the page's
/// buttons; a published issue keeps its order.
#[tokio::test]
async fn an_open_issue_is_put_in_order() {
    let app = TestApp::new().await;
    let member = app.token("member_r").await;
    let info = app.token("info_r").await;
    let bulletin = app
        .api(Method::POST, "/bulletins", Some(&info), Some(json!({})))
        .await
        .json()["id"]
        .as_i64()
        .expect("bulletin");
    let mut ids = Vec::new();
    for title in ["第一篇", "第二篇", "第三篇"] {
        let id = app
            .api(Method::POST, "/opinions", Some(&member), Some(piece(title)))
            .await
            .json()["id"]
            .as_i64()
            .expect("id");
        step(&app, &member, id, "submit", json!({})).await;
        step(&app, &info, id, "start-editing", json!({})).await;
        let a = step(&app, &info, id, "adopt", json!({"bulletin_id": bulletin})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        ids.push(id);
    }
    let order = format!("/bulletins/{bulletin}/order");
    let titles = |j: Value| -> Vec<String> {
        j["pieces"]
            .as_array()
            .expect("pieces")
            .iter()
            .filter_map(|p| p["title"].as_str().map(String::from))
            .collect()
    };
    let wrong = app
        .api(
            Method::PUT,
            &order,
            Some(&info),
            Some(json!({"opinion_ids": [ids[0], ids[1]]})),
        )
        .await;
    assert_eq!(problem(&wrong), (422, "not_the_issues_pieces".into()));
    assert_eq!(
        app.api(
            Method::PUT,
            &order,
            Some(&member),
            Some(json!({"opinion_ids": ids}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "a member does not see an open issue"
    );
    let done = app
        .api(
            Method::PUT,
            &order,
            Some(&info),
            Some(json!({"opinion_ids": [ids[2], ids[0], ids[1]]})),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let issue = app
        .api(
            Method::GET,
            &format!("/bulletins/{bulletin}"),
            Some(&info),
            None,
        )
        .await
        .json();
    assert_eq!(titles(issue), ["第三篇", "第一篇", "第二篇"]);

    // The page's button moves the first piece down.
    let (cookie, token) = app.web_login("info_r").await;
    let version = done.json()["version"].as_i64().expect("version");
    let moved = app
        .page(
            Method::POST,
            &format!("/bulletins/{bulletin}/move"),
            &cookie,
            Some(&format!(
                "_csrf={token}&version={version}&opinion_id={}&dir=down",
                ids[2]
            )),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let issue = app
        .api(
            Method::GET,
            &format!("/bulletins/{bulletin}"),
            Some(&info),
            None,
        )
        .await
        .json();
    assert_eq!(titles(issue), ["第一篇", "第三篇", "第二篇"]);

    // Published, the order holds.
    app.api(
        Method::POST,
        &format!("/bulletins/{bulletin}/actions/publish"),
        Some(&info),
        Some(json!({})),
    )
    .await;
    let late = app
        .api(
            Method::PUT,
            &order,
            Some(&info),
            Some(json!({"opinion_ids": ids})),
        )
        .await;
    assert_eq!(problem(&late), (409, "wrong_state".into()));
}

#[tokio::test]
async fn pieces_carry_files_and_show_what_staff_changed() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = TestApp::new().await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    let info = app.token("info_r").await;
    let upload = |who: &str, id: i64, name: &str, bytes: &[u8]| {
        let (ct, body) = xieshang_tests::multipart(&[], Some((name, bytes)));
        Request::post(format!("/api/v1/opinions/{id}/attachments"))
            .header(header::AUTHORIZATION, format!("Bearer {who}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request")
    };
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let id = app
        .api(
            Method::POST,
            "/opinions",
            Some(&member),
            Some(piece("村里养老站缺人")),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");

    // The writer attaches while drafting; nobody else can, and a fake PDF is refused.
    let r = app.send(upload(&member, id, "走访记录.pdf", &pdf)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["record_type"], "opinion");
    let file = r.json()["id"].as_i64().expect("file");
    assert_eq!(
        app.send(upload(&member2, id, "x.pdf", &pdf)).await.status,
        StatusCode::NOT_FOUND,
        "another member does not see the draft"
    );
    assert_eq!(
        problem(&app.send(upload(&member, id, "x.pdf", b"<html>")).await),
        (422, "file_type".into())
    );

    // Submitted: the writer may no longer add; staff may, and read the writer's file.
    step(&app, &member, id, "submit", json!({})).await;
    assert_eq!(
        problem(&app.send(upload(&member, id, "y.pdf", &pdf)).await),
        (409, "wrong_state".into())
    );
    assert_eq!(
        app.api(
            Method::DELETE,
            &format!("/attachments/{file}"),
            Some(&member),
            None
        )
        .await
        .status,
        StatusCode::CONFLICT,
        "nor remove one"
    );
    let got = app
        .api(
            Method::GET,
            &format!("/attachments/{file}"),
            Some(&info),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.bytes, pdf);
    step(&app, &info, id, "start-editing", json!({})).await;
    let r = app.send(upload(&info, id, "核实材料.pdf", &pdf)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = app
        .api(
            Method::GET,
            &format!("/opinions/{id}/attachments"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    // Staff rewrite it; the page marks what changed against the submitted text.
    let edited = step(
        &app,
        &info,
        id,
        "edit",
        json!({"title": "关于养老站护理员短缺的情况反映",
            "body": "多个村反映：养老服务站缺少专职护理员，老人白天无人照看。\n建议：县里统一招聘。"}),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let (cookie, _) = app.web_login("info_r").await;
    let page = app
        .page(Method::GET, &format!("/opinions/{id}"), &cookie, None)
        .await;
    assert!(page.body.contains("<ins>专职</ins>"), "{}", page.body);
    assert!(page.body.contains("走访记录.pdf") && page.body.contains("核实材料.pdf"));
    assert!(
        page.body.contains("enctype=\"multipart/form-data\""),
        "staff may still add files"
    );
}

#[tokio::test]
async fn pieces_are_found_by_a_chinese_word_inside_a_sentence() {
    let app = TestApp::new().await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    let info = app.token("info_r").await;
    let mut ids = Vec::new();
    for (who, title, body) in [
        (
            &member,
            "山区就医路远",
            "偏远山村到乡镇卫生院需一个多小时车程。",
        ),
        (
            &member,
            "冷链物流短板",
            "水果集中上市期缺少冷库，损耗率高。",
        ),
        (&member2, "卫生院缺医生", "乡镇卫生院全科医生流失严重。"),
    ] {
        let a = app
            .api(
                Method::POST,
                "/opinions",
                Some(who),
                Some(json!({"title": title, "body": body, "category": "health"})),
            )
            .await;
        ids.push(a.json()["id"].as_i64().expect("id"));
    }
    step(&app, &member, ids[0], "submit", json!({})).await;
    step(&app, &member, ids[1], "submit", json!({})).await;
    let found = |who: String, q: &str| {
        let app = &app;
        let q = serde_urlencoded::to_string([("q", q)]).expect("q");
        async move {
            let a = app
                .api(Method::GET, &format!("/opinions?{q}"), Some(&who), None)
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            let mut got: Vec<i64> = a.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|o| o["id"].as_i64())
                .collect();
            got.sort_unstable();
            got
        }
    };
    // "卫生院" sits inside sentences; the draft of member2 is theirs alone.
    assert_eq!(found(info.clone(), "卫生院").await, vec![ids[0]]);
    assert_eq!(found(member2.clone(), "卫生院").await, vec![ids[2]]);
    assert_eq!(found(info.clone(), "冷库").await, vec![ids[1]]);
    assert!(found(info.clone(), "养老").await.is_empty());
    // Other filters still apply to the hits.
    let a = app
        .api(
            Method::GET,
            "/opinions?q=%E5%8D%AB%E7%94%9F%E9%99%A2&state=adopted",
            Some(&info),
            None,
        )
        .await;
    assert_eq!(a.json()["total"], 0);
    let long = "长".repeat(101);
    assert_eq!(
        problem(
            &app.api(
                Method::GET,
                &format!("/opinions?q={long}"),
                Some(&info),
                None
            )
            .await
        ),
        (422, "too_long".into())
    );
}
