//! Consultations through the JSON API and the pages, on the backend under
//! test: a thematic consultation from kickoff to close with dated steps, an
//! outcome and a quality score; and the refusals of steps out of order, of
//! dates in the future or running backwards, of a meeting before the draft
//! arrived in time, of scores outside the rubric, of stale edits and of
//! other committees. Every state × step × part is tested in
//! `domain::consultations`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use xieshang_tests::{TestApp, problem, user_id};

#[tokio::test]
async fn a_thematic_consultation_goes_from_kickoff_to_a_scored_close() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let evaluator = app.token("member2_r").await;
    let leader = app.token("leader_r").await;
    let other_committee = app.token("staff_c").await;
    let evaluator_id = user_id(&app, &evaluator).await;

    // Only the consultation office plans one.
    let body = json!({"form": "thematic", "title": "推进县域医共体建设", "summary": "围绕基层医疗资源下沉开展专题协商。",
        "meeting_on": "2026-10-08", "draft_days": 5, "evaluator_user_ids": [evaluator_id]});
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/consultations",
                Some(&member),
                Some(body.clone())
            )
            .await
        ),
        (403, "forbidden".into())
    );
    let bad = json!({"form": "picnic", "title": "", "draft_days": 0});
    let a = app
        .api(Method::POST, "/consultations", Some(&staff), Some(bad))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = app
        .api(Method::POST, "/consultations", Some(&staff), Some(body))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().expect("id");
    assert_eq!(created.json()["state"], "planned");
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/consultations/{id}"),
            Some(&other_committee),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "another committee's record"
    );

    let step = |name: &str, who: &str, body: Value| {
        let app = &app;
        let path = format!("/consultations/{id}/actions/{name}");
        let who = who.to_string();
        async move { app.api(Method::POST, &path, Some(&who), Some(body)).await }
    };
    // Out of order, by the wrong part, in the future: refused, nothing changes.
    assert_eq!(
        problem(&step("hold-meeting", &staff, json!({"on_date": "2026-09-01"})).await),
        (409, "wrong_state".into())
    );
    assert_eq!(
        problem(&step("kick-off", &member, json!({})).await),
        (403, "forbidden".into())
    );
    assert_eq!(
        problem(&step("kick-off", &staff, json!({"on_date": "2999-01-01"})).await),
        (422, "date_in_future".into())
    );
    for (name, day, note) in [
        ("kick-off", "2026-09-01", "确定调研提纲和分工。"),
        (
            "record-research",
            "2026-09-15",
            "赴三个县实地调研，发放问卷四百份。",
        ),
    ] {
        let a = step(name, &staff, json!({"on_date": day, "note": note})).await;
        assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.body);
    }
    // An edit that leaves the evaluators out keeps them; a stale one changes nothing.
    let edit = |version: i64| {
        json!({"form": "thematic", "title": "推进紧密型县域医共体建设", "meeting_on": "2026-10-08",
        "draft_days": 5, "version": version})
    };
    assert_eq!(
        problem(
            &app.api(
                Method::PATCH,
                &format!("/consultations/{id}"),
                Some(&staff),
                Some(edit(1))
            )
            .await
        ),
        (409, "stale_version".into())
    );
    let edited = app
        .api(
            Method::PATCH,
            &format!("/consultations/{id}"),
            Some(&staff),
            Some(edit(3)),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let d = app
        .api(
            Method::GET,
            &format!("/consultations/{id}"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(d["evaluator_user_ids"], json!([evaluator_id]));
    assert_eq!(d["title"], "推进紧密型县域医共体建设");
    assert_eq!(
        problem(&step("circulate-draft", &staff, json!({"on_date": "2026-09-10"})).await),
        (422, "date_before_previous".into()),
        "dates never run backwards"
    );
    assert_eq!(
        problem(&step("circulate-draft", &staff, json!({"on_date": "2026-10-01"})).await),
        (422, "required".into()),
        "circulating sends the draft report"
    );
    assert_eq!(
        step(
            "circulate-draft",
            &staff,
            json!({"on_date": "2026-10-01", "note": "关于推进紧密型县域医共体建设的调研报告（初稿）"})
        )
        .await
        .status,
        StatusCode::OK
    );
    // Five days are set: a meeting on the 4th is too soon.
    assert_eq!(
        problem(&step("hold-meeting", &staff, json!({"on_date": "2026-10-04"})).await),
        (409, "draft_not_in_time".into())
    );
    for (name, day) in [
        ("hold-meeting", "2026-10-08"),
        ("submit-report", "2026-10-20"),
    ] {
        let a = step(name, &staff, json!({"on_date": day})).await;
        assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.body);
    }
    let unsaid = step(
        "record-outcome",
        &leader,
        json!({"on_date": "2026-10-25", "kind": "instruction", "leader": "李书记", "level": "provincial"}),
    )
    .await;
    assert_eq!(
        unsaid.json()["errors"][0]["field"],
        "note",
        "{}",
        unsaid.body
    );
    let outcome = step(
        "record-outcome",
        &leader,
        json!({"on_date": "2026-10-25", "kind": "instruction", "leader": "李书记", "level": "provincial",
            "note": "请卫健委牵头落实医共体建设。"}),
    )
    .await;
    assert_eq!(outcome.status, StatusCode::OK, "{}", outcome.body);
    assert_eq!(
        problem(&step("give-feedback", &staff, json!({"on_date": "2026-10-30"})).await),
        (422, "required".into()),
        "feedback says something"
    );
    assert_eq!(
        step(
            "give-feedback",
            &staff,
            json!({"on_date": "2026-10-30", "note": "已向全体参加人员通报批示。"})
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        problem(&step("close", &staff, json!({"on_date": "2026-11-01"})).await),
        (409, "not_evaluated".into())
    );
    // Only the named evaluator scores, within the rubric's range.
    let scores =
        |s: i64| json!({"topic": s, "research": s, "suggestions": s, "adoption": s, "effect": 8});
    assert_eq!(
        problem(&step("evaluate", &staff, json!({"scores": scores(9)})).await),
        (403, "forbidden".into())
    );
    assert_eq!(
        problem(
            &step(
                "evaluate",
                &evaluator,
                json!({"on_date": "2026-11-01", "scores": scores(11)})
            )
            .await
        ),
        (422, "out_of_range".into())
    );
    let scored = step(
        "evaluate",
        &evaluator,
        json!({"on_date": "2026-11-01", "scores": scores(9)}),
    )
    .await;
    assert_eq!(scored.status, StatusCode::OK, "{}", scored.body);
    assert_eq!(
        step("close", &staff, json!({"on_date": "2026-11-02"}))
            .await
            .status,
        StatusCode::OK
    );
    let d = app
        .api(
            Method::GET,
            &format!("/consultations/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(d["state"], "closed");
    // 9 on topic, research, suggestions, adoption (85 % of the weight) and 8 on effect.
    let q = d["quality"].as_f64().expect("quality");
    assert!((q - 88.5).abs() < 1e-9, "{q}");
    assert_eq!(d["outcomes"][0]["level"], "provincial");
    let days: Vec<&str> = d["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["on_date"].as_str())
        .collect();
    assert_eq!(
        days,
        [
            "2026-09-01",
            "2026-09-15",
            "2026-10-01",
            "2026-10-08",
            "2026-10-20",
            "2026-10-30",
            "2026-11-01",
            "2026-11-02"
        ]
    );
    let events = app
        .api(
            Method::GET,
            &format!("/consultations/{id}/events"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(
        events.as_array().map(Vec::len),
        Some(11),
        "created, edited and nine steps: {events}"
    );

    // A closed consultation is not edited; a stale edit never was.
    let edit = json!({"form": "thematic", "title": "改名", "version": 1});
    assert_eq!(
        problem(
            &app.api(
                Method::PATCH,
                &format!("/consultations/{id}"),
                Some(&staff),
                Some(edit)
            )
            .await
        )
        .0,
        409
    );
    let list = app
        .api(
            Method::GET,
            "/consultations?form=thematic&state=closed",
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn staff_plan_and_step_a_consultation_on_its_pages() {
    let app = TestApp::new().await;
    let (web, csrf) = app.web_login("consult_r").await;
    let form = app
        .page(Method::GET, "/consultations/new", &web, None)
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("专题协商会"));
    let bad = app
        .page(
            Method::POST,
            "/consultations/new",
            &web,
            Some(&format!("_csrf={csrf}&form=thematic&title=")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let made = app
        .page(
            Method::POST,
            "/consultations/new",
            &web,
            Some(&format!(
                "_csrf={csrf}&form=sector&title=%E7%95%8C%E5%88%AB%E5%8D%8F%E5%95%86&draft_days=3"
            )),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = made.header("location").expect("location").to_string();
    let shown = app.page(Method::GET, &page, &web, None).await;
    assert!(shown.body.contains("id=\"step-kick-off\""));
    assert!(shown.body.contains("界别协商"));
    let stepped = app
        .page(
            Method::POST,
            &format!("{page}/actions/kick-off"),
            &web,
            Some(&format!(
                "_csrf={csrf}&version=1&on_date=2026-11-01&note=%E5%BC%80%E9%A2%98"
            )),
        )
        .await;
    assert_eq!(stepped.status, StatusCode::SEE_OTHER, "{}", stepped.body);
    let shown = app.page(Method::GET, &page, &web, None).await;
    assert!(shown.body.contains("调研中"));
    assert!(shown.body.contains("2026-11-01"));
    let future = app
        .page(
            Method::POST,
            &format!("{page}/actions/record-research"),
            &web,
            Some(&format!("_csrf={csrf}&version=2&on_date=2999-01-01")),
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("日期不能晚于今天"));
    let list = app.page(Method::GET, "/consultations", &web, None).await;
    assert!(list.body.contains("界别协商"));
}

#[tokio::test]
async fn a_years_plan_is_agreed_published_and_its_items_become_consultations() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let other_committee = app.token("staff_c").await;

    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/plans",
                Some(&member),
                Some(json!({"year": 2027, "title": "计划"}))
            )
            .await
        ),
        (403, "forbidden".into())
    );
    let made = app
        .api(
            Method::POST,
            "/plans",
            Some(&staff),
            Some(json!({"year": 2027, "title": "2027年度协商计划"})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let id = made.json()["id"].as_i64().expect("id");
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/plans",
                Some(&staff),
                Some(json!({"year": 2027, "title": "又一个"}))
            )
            .await
        ),
        (409, "plan_year_taken".into())
    );
    // A draft is the office's working paper; an empty plan is not agreed.
    assert_eq!(
        app.api(Method::GET, &format!("/plans/{id}"), Some(&member), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let act = |step: &str, body: Value| {
        let app = &app;
        let path = format!("/plans/{id}/actions/{step}");
        let staff = staff.clone();
        async move { app.api(Method::POST, &path, Some(&staff), Some(body)).await }
    };
    assert_eq!(
        problem(&act("agree", json!({"agreed_on": "2026-11-20"})).await),
        (409, "plan_empty".into())
    );
    let items = format!("/plans/{id}/items");
    let bad = app
        .api(
            Method::POST,
            &items,
            Some(&staff),
            Some(json!({"topic": "", "form": "x", "planned_month": 13})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(String::from))
        .collect();
    assert_eq!(fields, ["topic", "form", "planned_month"]);
    for (topic, form, month) in [
        ("推进县域医共体建设", "thematic", 5),
        ("民营企业融资", "sector", 9),
    ] {
        let a = app
            .api(
                Method::POST,
                &items,
                Some(&staff),
                Some(json!({"topic": topic, "form": form, "planned_month": month, "participants": "有关委员、省直部门"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &items,
                Some(&staff),
                Some(json!({"topic": "x", "form": "sector", "planned_month": 1, "version": 1}))
            )
            .await
        ),
        (409, "stale_version".into())
    );
    let detail = app
        .api(Method::GET, &format!("/plans/{id}"), Some(&staff), None)
        .await
        .json();
    let first = detail["items"][0]["id"].as_i64().expect("item");
    // Not before it is agreed; agreed on a day not in the future.
    let start = format!("/plans/{id}/items/{first}/start");
    assert_eq!(
        problem(&app.api(Method::POST, &start, Some(&staff), None).await),
        (409, "wrong_state".into())
    );
    assert_eq!(
        problem(&act("agree", json!({"agreed_on": "2999-01-01"})).await),
        (422, "date_in_future".into())
    );
    assert_eq!(
        act("agree", json!({"agreed_on": "2026-11-20"}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &items,
                Some(&staff),
                Some(json!({"topic": "迟到的", "form": "sector", "planned_month": 3}))
            )
            .await
        ),
        (409, "wrong_state".into()),
        "an agreed plan takes no new items"
    );
    assert_eq!(act("publish", json!({})).await.status, StatusCode::OK);
    let started = app.api(Method::POST, &start, Some(&staff), None).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    assert_eq!(started.json()["title"], "推进县域医共体建设");
    assert_eq!(started.json()["form"], "thematic");
    assert_eq!(
        problem(&app.api(Method::POST, &start, Some(&staff), None).await),
        (409, "already_started".into())
    );
    // Everyone in the committee sees the published plan with each item's progress.
    let seen = app
        .api(Method::GET, &format!("/plans/{id}"), Some(&member), None)
        .await
        .json();
    assert_eq!(seen["state"], "published");
    assert_eq!(seen["agreed_on"], "2026-11-20");
    assert_eq!(seen["items"][0]["consultation_state"], "planned");
    assert!(seen["items"][1]["consultation_id"].is_null());
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/plans/{id}"),
            Some(&other_committee),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // The same by the pages: the plan shows its items and starts the second.
    let (web, csrf) = app.web_login("consult_r").await;
    let page = app
        .page(Method::GET, &format!("/plans/{id}"), &web, None)
        .await;
    assert!(page.body.contains("民营企业融资") && page.body.contains("已列入计划"));
    let second = seen["items"][1]["id"].as_i64().expect("item");
    let go = app
        .page(
            Method::POST,
            &format!("/plans/{id}/items/{second}/start"),
            &web,
            Some(&format!("_csrf={csrf}")),
        )
        .await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    assert!(
        go.header("location")
            .is_some_and(|l| l.starts_with("/consultations/"))
    );
    let list = app.page(Method::GET, "/plans", &web, None).await;
    assert!(list.body.contains("2027年度协商计划"));

    // A new year's plan drawn up, filled and agreed on its pages.
    let taken = app
        .page(
            Method::POST,
            "/plans",
            &web,
            Some(&format!("_csrf={csrf}&year=2027&title=x")),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.body.contains("该年度已有协商计划"));
    let made = app
        .page(
            Method::POST,
            "/plans",
            &web,
            Some(&format!(
                "_csrf={csrf}&year=2028&title=2028%E5%B9%B4%E8%AE%A1%E5%88%92"
            )),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let plan = made.header("location").expect("location").to_string();
    let added = app
        .page(
            Method::POST,
            &format!("{plan}/items"),
            &web,
            Some(&format!("_csrf={csrf}&version=1&topic=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4&form=grassroots&planned_month=4&participants=")),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let empty_topic = app
        .page(
            Method::POST,
            &format!("{plan}/items"),
            &web,
            Some(&format!(
                "_csrf={csrf}&version=2&topic=&form=grassroots&planned_month=4"
            )),
        )
        .await;
    assert_eq!(empty_topic.status, StatusCode::UNPROCESSABLE_ENTITY);
    let agreed = app
        .page(
            Method::POST,
            &format!("{plan}/actions/agree"),
            &web,
            Some(&format!("_csrf={csrf}&version=2&agreed_on=2026-11-25")),
        )
        .await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.body);
    let shown = app.page(Method::GET, &plan, &web, None).await;
    assert!(
        shown.body.contains("乡村振兴")
            && shown.body.contains("已商定")
            && shown.body.contains("id=\"step-publish\"")
    );
}

#[tokio::test]
async fn a_consultation_cites_proposals_and_pieces_found_by_search_and_they_link_back() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let id = app
        .api(
            Method::POST,
            "/consultations",
            Some(&staff),
            Some(json!({"form": "thematic", "title": "县域医共体建设"})),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    // A submitted proposal, a submitted piece, and a draft piece, all on 医共体.
    let proposal = app
        .api(
            Method::POST,
            "/proposals",
            Some(&member),
            Some(json!({"title": "关于推进紧密型县域医共体建设的建议", "body": "案由：医共体建设不平衡。\n建议：加大投入。",
                "category": "health", "kind": "individual", "term": 13, "session": 2})),
        )
        .await;
    assert_eq!(proposal.status, StatusCode::CREATED, "{}", proposal.body);
    let proposal = proposal.json()["id"].as_i64().expect("proposal");
    let submitted = app
        .api(
            Method::POST,
            &format!("/proposals/{proposal}/actions/submit"),
            Some(&member),
            Some(json!({})),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let mut pieces = Vec::new();
    for title in ["医共体牵头医院积极性不高", "医共体药品目录不统一"] {
        let p = app
            .api(
                Method::POST,
                "/opinions",
                Some(&member),
                Some(json!({"title": title, "body": "基层反映医共体运行中的问题。", "category": "health"})),
            )
            .await
            .json()["id"]
            .as_i64()
            .expect("piece");
        pieces.push(p);
    }
    app.api(
        Method::POST,
        &format!("/opinions/{}/actions/submit", pieces[0]),
        Some(&member),
        Some(json!({})),
    )
    .await;

    // The search finds the submitted ones only.
    let found = app
        .api(
            Method::GET,
            &format!("/consultations/{id}/suggestions?q=%E5%8C%BB%E5%85%B1%E4%BD%93"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let hits: Vec<(String, i64)> = found
        .json()
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["record_type"].as_str().unwrap_or("").to_string(),
                h["record_id"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        hits,
        [
            ("proposal".to_string(), proposal),
            ("opinion".to_string(), pieces[0])
        ]
    );

    // Staff cite them; the draft, a stranger and a repeat are refused.
    let links = format!("/consultations/{id}/links");
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &links,
                Some(&member),
                Some(json!({"record_type": "proposal", "record_id": proposal}))
            )
            .await
        ),
        (403, "forbidden".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &links,
                Some(&staff),
                Some(json!({"record_type": "opinion", "record_id": pieces[1]}))
            )
            .await
        ),
        (422, "not_found".into()),
        "a draft is its writer's"
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &links,
                Some(&staff),
                Some(json!({"record_type": "bulletin", "record_id": 1}))
            )
            .await
        ),
        (422, "invalid_choice".into())
    );
    for (kind, rid) in [("proposal", proposal), ("opinion", pieces[0])] {
        let a = app
            .api(
                Method::POST,
                &links,
                Some(&staff),
                Some(json!({"record_type": kind, "record_id": rid})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &links,
                Some(&staff),
                Some(json!({"record_type": "proposal", "record_id": proposal}))
            )
            .await
        ),
        (409, "already_linked".into())
    );
    let listed = app
        .api(Method::GET, &links, Some(&member), None)
        .await
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert_eq!(listed[0]["title"], "关于推进紧密型县域医共体建设的建议");

    // Both records link back on their pages.
    let (web, _) = app.web_login("member_r").await;
    for page in [
        format!("/proposals/{proposal}"),
        format!("/opinions/{}", pieces[0]),
    ] {
        let shown = app.page(Method::GET, &page, &web, None).await;
        assert!(
            shown
                .body
                .contains(&format!("href=\"/consultations/{id}\"")),
            "{page}"
        );
    }
    // The office's page searches and cites; taking one back works too.
    let (office, office_csrf) = app.web_login("consult_r").await;
    let page = app
        .page(
            Method::GET,
            &format!("/consultations/{id}?q=%E8%8D%AF%E5%93%81"),
            &office,
            None,
        )
        .await;
    assert!(
        page.body.contains("医共体牵头医院积极性不高"),
        "cited already"
    );
    let gone = app
        .page(
            Method::POST,
            &format!("/consultations/{id}/links/opinion/{}/delete", pieces[0]),
            &office,
            Some(&format!("_csrf={office_csrf}")),
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let listed = app
        .api(Method::GET, &links, Some(&staff), None)
        .await
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
}
