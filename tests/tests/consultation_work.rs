//! The work inside a consultation, through the JSON API and the pages, on
//! the backend under test: participants read the circulated draft and
//! comment on it; a meeting's agenda must open with the study item,
//! invitees answer and are checked in (attendance per member), speeches go
//! parties → sectors → individuals and can be reordered; the committee's
//! own rubric scores a consultation; an expert from the pool takes part;
//! a supervision topic keeps its years; a draft regulation is split,
//! commented on by paragraph, decided and exported as a DOCX.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use xieshang_tests::{TestApp, docx_lines, enc, problem, user_id};

async fn new_consultation(app: &TestApp, staff: &str, title: &str) -> i64 {
    let a = app
        .api(
            Method::POST,
            "/consultations",
            Some(staff),
            Some(json!({"form": "thematic", "title": title, "draft_days": 3})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.json()["id"].as_i64().expect("id")
}

#[tokio::test]
async fn participants_comment_on_the_draft_and_meetings_keep_their_order() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let outsider = app.token("member2_r").await;
    let other_committee = app.token("staff_c").await;
    let member_id = user_id(&app, &member).await;
    let id = new_consultation(&app, &staff, "推进城乡供水一体化").await;
    let version = |v: &Value| v["version"].as_i64().expect("version");

    // Only the consultation office chooses the people; unknown accounts are refused.
    let people = json!({"user_ids": [member_id]});
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &format!("/consultations/{id}/participants"),
                Some(&member),
                Some(people.clone())
            )
            .await
        ),
        (403, "forbidden".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &format!("/consultations/{id}/participants"),
                Some(&staff),
                Some(json!({"user_ids": [999_999]}))
            )
            .await
        ),
        (422, "not_found".into())
    );
    let set = app
        .api(
            Method::PUT,
            &format!("/consultations/{id}/participants"),
            Some(&staff),
            Some(people),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.json()["participants"][0]["user_id"], member_id);

    // Before the draft is out, nobody comments.
    let comment = |who: &str, body: &str| {
        let app = &app;
        let who = who.to_string();
        let body = json!({ "body": body });
        async move {
            app.api(
                Method::POST,
                &format!("/consultations/{id}/comments"),
                Some(&who),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        problem(&comment(&member, "建议补充水价数据").await),
        (409, "draft_not_open".into())
    );
    for (step, body) in [
        ("kick-off", json!({"on_date": "2026-09-01"})),
        (
            "circulate-draft",
            json!({"on_date": "2026-09-20", "note": "城乡供水一体化调研报告（初稿）"}),
        ),
    ] {
        let a = app
            .api(
                Method::POST,
                &format!("/consultations/{id}/actions/{step}"),
                Some(&staff),
                Some(body),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{step}: {}", a.body);
    }
    // The participant heard of it, reads it and comments; an outsider may do neither.
    let bell = app
        .api(Method::GET, "/notifications", Some(&member), None)
        .await
        .json();
    assert!(
        bell["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|n| n["kind"] == "consultation.draft_circulated"),
        "{bell}"
    );
    assert_eq!(
        comment(&member, "建议补充农村水价承受能力的数据。")
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        problem(&comment(&outsider, "我也有意见").await),
        (403, "forbidden".into())
    );
    assert_eq!(
        problem(&comment(&member, "   ").await),
        (422, "required".into())
    );
    assert_eq!(
        problem(&comment(&member, &"长".repeat(5_001)).await),
        (422, "too_long".into())
    );
    let comments = app
        .api(
            Method::GET,
            &format!("/consultations/{id}/comments"),
            Some(&staff),
            None,
        )
        .await
        .json();
    assert_eq!(comments.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/consultations/{id}/comments"),
            Some(&outsider),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // A meeting: its participants are invited at once.
    let m = app
        .api(
            Method::POST,
            &format!("/consultations/{id}/meetings"),
            Some(&staff),
            Some(json!({"title": "城乡供水一体化专题协商会", "held_on": "2026-09-25", "place": "第一会议室"})),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
    let mid = m.json()["id"].as_i64().expect("id");
    let detail = |who: &str| {
        let app = &app;
        let who = who.to_string();
        async move {
            app.api(Method::GET, &format!("/meetings/{mid}"), Some(&who), None)
                .await
                .json()
        }
    };
    let d = detail(&staff).await;
    assert_eq!(d["invitations"][0]["user_id"], member_id);
    assert_eq!(d["invitations"][0]["answer"], "pending");
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/meetings/{mid}"),
            Some(&other_committee),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // An agenda that does not open with the study item is not published.
    let agenda = |items: Value, v: i64| json!({"items": items, "version": v});
    let a = app
        .api(
            Method::PUT,
            &format!("/meetings/{mid}/agenda"),
            Some(&staff),
            Some(agenda(json!([{"title": "听取调研报告"}, {"title": "学习有关重要讲话精神", "study": true}]), version(&d))),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let d = a.json();
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &format!("/meetings/{mid}/actions/publish-agenda"),
                Some(&staff),
                Some(json!({}))
            )
            .await
        ),
        (409, "study_item_first".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &format!("/meetings/{mid}/agenda"),
                Some(&staff),
                Some(agenda(
                    json!([{"title": "学习", "study": true}]),
                    version(&d) - 1
                )),
            )
            .await
        ),
        (409, "stale_version".into())
    );
    let a = app
        .api(
            Method::PUT,
            &format!("/meetings/{mid}/agenda"),
            Some(&staff),
            Some(agenda(json!([{"title": "学习有关重要讲话精神", "study": true}, {"title": "听取调研报告"}, {"title": "委员发言"}]), version(&d))),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let published = app
        .api(
            Method::POST,
            &format!("/meetings/{mid}/actions/publish-agenda"),
            Some(&staff),
            Some(json!({})),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &format!("/meetings/{mid}/agenda"),
                Some(&staff),
                Some(agenda(
                    json!([{"title": "改", "study": true}]),
                    version(&published.json())
                ))
            )
            .await
        ),
        (409, "agenda_published".into())
    );

    // The invitee answers; only they may; staff check them in once.
    let answer = |who: &str, a: &str| {
        let app = &app;
        let who = who.to_string();
        let body = json!({ "answer": a });
        async move {
            app.api(
                Method::POST,
                &format!("/meetings/{mid}/answer"),
                Some(&who),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        problem(&answer(&member, "maybe").await),
        (422, "invalid_choice".into())
    );
    assert_eq!(
        problem(&answer(&outsider, "accepted").await),
        (403, "forbidden".into())
    );
    assert_eq!(answer(&member, "accepted").await.status, StatusCode::OK);
    let outsider_id = user_id(&app, &outsider).await;
    let check_in = |uid: i64| {
        let app = &app;
        let staff = staff.clone();
        async move {
            app.api(
                Method::POST,
                &format!("/meetings/{mid}/check-in"),
                Some(&staff),
                Some(json!({"user_id": uid})),
            )
            .await
        }
    };
    assert_eq!(
        problem(&check_in(outsider_id).await),
        (422, "not_invited".into())
    );
    assert_eq!(check_in(member_id).await.status, StatusCode::OK);
    assert_eq!(
        problem(&check_in(member_id).await),
        (409, "checked_in".into())
    );
    let attendance = app
        .api(Method::GET, "/attendance", Some(&member), None)
        .await
        .json();
    assert_eq!(attendance[0]["meeting_id"], mid);
    assert_eq!(attendance[0]["attendance"], "present");

    // Speeches: added in any order, scheduled parties → sectors → individuals.
    for (kind, speaker) in [
        ("individual", "王委员"),
        ("sector", "农业界"),
        ("party", "民盟省委会"),
        ("individual", "李委员"),
        ("sector", "经济界"),
    ] {
        let a = app
            .api(
                Method::POST,
                &format!("/meetings/{mid}/speeches"),
                Some(&staff),
                Some(json!({"speaker_kind": kind, "speaker": speaker, "title": "关于供水的建议", "text": "发言材料全文"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    let bad = app
        .api(
            Method::POST,
            &format!("/meetings/{mid}/speeches"),
            Some(&staff),
            Some(json!({"speaker_kind": "choir", "speaker": "", "title": "x"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let d = detail(&member).await;
    let speakers: Vec<&str> = d["speeches"]
        .as_array()
        .expect("speeches")
        .iter()
        .map(|s| s["speaker"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        speakers,
        ["民盟省委会", "农业界", "经济界", "王委员", "李委员"]
    );
    // By hand: the last individual first; an order that leaves one out is refused.
    let ids: Vec<i64> = d["speeches"]
        .as_array()
        .expect("speeches")
        .iter()
        .map(|s| s["id"].as_i64().expect("id"))
        .collect();
    let mut order = ids.clone();
    order.rotate_right(1);
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &format!("/meetings/{mid}/speech-order"),
                Some(&staff),
                Some(json!({"order": &ids[1..]}))
            )
            .await
        ),
        (422, "not_the_speeches".into())
    );
    let a = app
        .api(
            Method::PUT,
            &format!("/meetings/{mid}/speech-order"),
            Some(&staff),
            Some(json!({"order": order, "version": version(&d)})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["speeches"][0]["speaker"], "李委员");
    let a = app
        .api(
            Method::PUT,
            &format!("/meetings/{mid}/minutes"),
            Some(&staff),
            Some(json!({"minutes": "会议由副主席主持，五位同志发言。"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);

    // The meeting can be held: the draft went out five days before.
    let a = app
        .api(
            Method::POST,
            &format!("/consultations/{id}/actions/hold-meeting"),
            Some(&staff),
            Some(json!({"on_date": "2026-09-25"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // After the meeting, the draft is closed to comments.
    assert_eq!(
        problem(&comment(&member, "晚了").await),
        (409, "draft_not_open".into())
    );

    // Staff invite one more member from the meeting's page; a bad id is refused.
    let (staff_web, csrf) = app.web_login("consult_r").await;
    let page = app
        .page(Method::GET, &format!("/meetings/{mid}"), &staff_web, None)
        .await;
    assert!(
        page.body
            .contains(&format!("name=\"user_ids\" value=\"{outsider_id}\""))
    );
    let bad = app
        .page(
            Method::POST,
            &format!("/meetings/{mid}/invitations"),
            &staff_web,
            Some(&format!("_csrf={csrf}&user_ids=x")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .page(
            Method::POST,
            &format!("/meetings/{mid}/invitations"),
            &staff_web,
            Some(&format!("_csrf={csrf}&user_ids={outsider_id}")),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let d = detail(&staff).await;
    assert_eq!(d["invitations"].as_array().map(Vec::len), Some(2));
    assert_eq!(answer(&outsider, "declined").await.status, StatusCode::OK);

    // The pages show it all, in the reader's language.
    let (cookie, _) = app.web_login("member_r").await;
    let page = app
        .page(Method::GET, &format!("/meetings/{mid}"), &cookie, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("第一议题"));
    assert!(page.body.contains("民盟省委会"));
    let page = app
        .page(Method::GET, &format!("/consultations/{id}"), &cookie, None)
        .await;
    assert!(page.body.contains("建议补充农村水价承受能力的数据。"));
}

#[tokio::test]
async fn the_committee_rubric_scores_and_experts_take_part() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let evaluator = app.token("member2_r").await;
    let evaluator_id = user_id(&app, &evaluator).await;

    // The default rubric, then the committee's own.
    let r = app
        .api(Method::GET, "/rubric", Some(&member), None)
        .await
        .json();
    assert_eq!(r.as_array().map(Vec::len), Some(5));
    let mine = json!({"criteria": [
        {"criterion": "topic", "weight": 40},
        {"criterion": "follow_up", "label": "跟踪落实", "weight": 60}
    ]});
    assert_eq!(
        problem(
            &app.api(Method::PUT, "/rubric", Some(&member), Some(mine.clone()))
                .await
        ),
        (403, "forbidden".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                "/rubric",
                Some(&staff),
                Some(json!({"criteria": [{"criterion": "topic", "weight": 40}]}))
            )
            .await
        ),
        (422, "weights_not_100".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                "/rubric",
                Some(&staff),
                Some(json!({"criteria": [{"criterion": "new_one", "weight": 100}]}))
            )
            .await
        ),
        (422, "required".into()),
        "a criterion of our own needs its name"
    );
    let set = app
        .api(Method::PUT, "/rubric", Some(&staff), Some(mine))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);

    // An expert from the pool takes part; their page lists it.
    let e = app
        .api(
            Method::POST,
            "/experts",
            Some(&staff),
            Some(json!({"name": "周教授", "organisation": "江澜大学", "fields": ["水利工程", "公共管理"]})),
        )
        .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.body);
    let expert_id = e.json()["id"].as_i64().expect("id");
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/experts",
                Some(&staff),
                Some(json!({"name": "无领域"}))
            )
            .await
        ),
        (422, "required".into())
    );
    let found = app
        .api(Method::GET, "/experts?q=水利", Some(&member), None)
        .await
        .json();
    assert_eq!(found[0]["id"], expert_id);

    let created = app
        .api(
            Method::POST,
            "/consultations",
            Some(&staff),
            Some(json!({"form": "expert", "title": "水网建设专家协商", "evaluator_user_ids": [evaluator_id]})),
        )
        .await;
    let id = created.json()["id"].as_i64().expect("id");
    let a = app
        .api(
            Method::PUT,
            &format!("/consultations/{id}/participants"),
            Some(&staff),
            Some(json!({"expert_ids": [expert_id]})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let ex = app
        .api(
            Method::GET,
            &format!("/experts/{expert_id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(ex["participation"][0]["consultation_id"], id);

    for (step, body) in [
        ("kick-off", json!({"on_date": "2026-08-01"})),
        (
            "circulate-draft",
            json!({"on_date": "2026-08-10", "note": "初稿"}),
        ),
        ("hold-meeting", json!({"on_date": "2026-08-20"})),
        ("submit-report", json!({"on_date": "2026-08-25"})),
        (
            "give-feedback",
            json!({"on_date": "2026-09-01", "note": "已反馈"}),
        ),
    ] {
        let a = app
            .api(
                Method::POST,
                &format!("/consultations/{id}/actions/{step}"),
                Some(&staff),
                Some(body),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{step}: {}", a.body);
    }
    let evaluate = |scores: Value| {
        let app = &app;
        let who = evaluator.clone();
        async move {
            app.api(
                Method::POST,
                &format!("/consultations/{id}/actions/evaluate"),
                Some(&who),
                Some(json!({"on_date": "2026-09-05", "scores": scores})),
            )
            .await
        }
    };
    assert_eq!(
        problem(
            &evaluate(
                json!({"topic": 8, "research": 8, "suggestions": 8, "adoption": 8, "effect": 8})
            )
            .await
        ),
        (422, "invalid_choice".into()),
        "the default's criteria are not this committee's"
    );
    assert_eq!(
        problem(&evaluate(json!({"topic": 8, "follow_up": 11})).await),
        (422, "out_of_range".into())
    );
    let a = evaluate(json!({"topic": 10, "follow_up": 5})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // 10 × 40 + 5 × 60 = 700 of 1,000: 70.
    let d = app
        .api(
            Method::GET,
            &format!("/consultations/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert!(
        (d["quality"].as_f64().expect("quality") - 70.0).abs() < 1e-9,
        "{d}"
    );
    // A later change of the rubric does not rewrite that score.
    let a = app
        .api(
            Method::PUT,
            "/rubric",
            Some(&staff),
            Some(json!({"criteria": [{"criterion": "topic", "weight": 100}]})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let d = app
        .api(
            Method::GET,
            &format!("/consultations/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert!(
        (d["quality"].as_f64().expect("quality") - 70.0).abs() < 1e-9,
        "{d}"
    );
}

#[tokio::test]
async fn a_supervision_topic_keeps_its_years() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let other = app.token("staff_c").await;
    let t = app
        .api(
            Method::POST,
            "/supervision-topics",
            Some(&staff),
            Some(json!({"title": "长江流域禁捕退捕", "first_year": 2024, "last_year": 2026})),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    let id = t.json()["id"].as_i64().expect("id");
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/supervision-topics",
                Some(&staff),
                Some(json!({"title": "x", "first_year": 2026, "last_year": 2024}))
            )
            .await
        ),
        (422, "last_before_first".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/supervision-topics",
                Some(&member),
                Some(json!({"title": "x", "first_year": 2024, "last_year": 2025}))
            )
            .await
        ),
        (403, "forbidden".into())
    );
    let post = |path: &str, body: Value| {
        let app = &app;
        let staff = staff.clone();
        let path = format!("/supervision-topics/{id}/{path}");
        async move { app.api(Method::POST, &path, Some(&staff), Some(body)).await }
    };
    assert_eq!(
        problem(
            &post(
                "inspections",
                json!({"on_date": "2023-05-01", "place": "岳阳"})
            )
            .await
        ),
        (422, "outside_span".into())
    );
    assert_eq!(
        problem(
            &post(
                "inspections",
                json!({"on_date": "2999-05-01", "place": "岳阳"})
            )
            .await
        ),
        (422, "date_in_future".into())
    );
    for (day, place) in [("2024-05-10", "岳阳市"), ("2025-06-12", "常德市")] {
        let a = post(
            "inspections",
            json!({"on_date": day, "place": place, "participants": "部分常委、委员", "findings": "仍有非法垂钓"}),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    let a = post(
        "rectifications",
        json!({"year": 2024, "item": "加强联合执法", "unit": "省农业农村厅"}),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let rect = &a.json()["years"][0]["rectifications"][0];
    let (rid, rv) = (
        rect["id"].as_i64().expect("id"),
        rect["version"].as_i64().expect("v"),
    );
    let patch = app
        .api(
            Method::PATCH,
            &format!("/supervision-topics/{id}/rectifications/{rid}"),
            Some(&staff),
            Some(json!({"status": "done", "note": "已建立联合执法机制", "version": rv})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::OK, "{}", patch.body);
    assert_eq!(
        problem(
            &app.api(
                Method::PATCH,
                &format!("/supervision-topics/{id}/rectifications/{rid}"),
                Some(&staff),
                Some(json!({"status": "open", "version": rv})),
            )
            .await
        ),
        (409, "stale_version".into())
    );
    let a = app
        .api(
            Method::PUT,
            &format!("/supervision-topics/{id}/summaries/2024"),
            Some(&staff),
            Some(json!({"text": "全年开展视察一次，推动整改一项。"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let d = app
        .api(
            Method::GET,
            &format!("/supervision-topics/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    let years: Vec<i64> = d["years"]
        .as_array()
        .expect("years")
        .iter()
        .map(|y| y["year"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(years, [2024, 2025, 2026]);
    assert_eq!(d["years"][0]["rectifications"][0]["status"], "done");
    assert_eq!(d["years"][1]["inspections"][0]["place"], "常德市");
    assert_eq!(d["years"][0]["summary"], "全年开展视察一次，推动整改一项。");
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/supervision-topics/{id}"),
            Some(&other),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let (cookie, _) = app.web_login("member_r").await;
    let page = app
        .page(
            Method::GET,
            &format!("/supervision-topics/{id}"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("常德市") && page.body.contains("已整改"));
}

const REGULATION: &str = "江澜省养老服务条例（草案）\n第一章　总则\n第一条　为了规范养老服务，制定本条例。\n第二条　本省行政区域内的养老服务适用本条例。\n本条例所称养老服务，包括居家、社区和机构养老服务。\n第二章　居家养老\n第三条　县级以上人民政府应当支持居家养老。";

#[tokio::test]
async fn a_draft_regulation_is_commented_on_by_paragraph_and_exported() {
    let app = TestApp::new().await;
    let staff = app.token("consult_r").await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/legislative-drafts",
                Some(&staff),
                Some(json!({"text": "没有条款的一段话"}))
            )
            .await
        ),
        (422, "no_articles".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/legislative-drafts",
                Some(&member),
                Some(json!({"text": REGULATION}))
            )
            .await
        ),
        (403, "forbidden".into())
    );
    let d = app
        .api(
            Method::POST,
            "/legislative-drafts",
            Some(&staff),
            Some(json!({"text": REGULATION})),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.body);
    assert_eq!(d.json()["title"], "江澜省养老服务条例（草案）");
    let id = d.json()["id"].as_i64().expect("id");
    let detail = app
        .api(
            Method::GET,
            &format!("/legislative-drafts/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    let parts = detail["parts"].as_array().expect("parts");
    let kinds: Vec<&str> = parts
        .iter()
        .map(|p| p["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        [
            "chapter",
            "article",
            "paragraph",
            "article",
            "paragraph",
            "paragraph",
            "chapter",
            "article",
            "paragraph"
        ]
    );
    let para = |i: usize| parts[i]["id"].as_i64().expect("id");
    let comment = |who: &str, pid: i64, quote: &str, body: &str| {
        let app = &app;
        let who = who.to_string();
        let b = json!({"paragraph_id": pid, "quote": quote, "body": body});
        async move {
            app.api(
                Method::POST,
                &format!("/legislative-drafts/{id}/comments"),
                Some(&who),
                Some(b),
            )
            .await
        }
    };
    assert_eq!(
        problem(&comment(&member, para(5), "农村", "加上农村").await),
        (422, "not_in_paragraph".into())
    );
    assert_eq!(
        problem(
            &comment(
                &member,
                parts[1]["id"].as_i64().expect("id"),
                "",
                "对条的意见"
            )
            .await
        ),
        (422, "not_found".into()),
        "comments go on a paragraph"
    );
    let a = comment(
        &member,
        para(5),
        "居家、社区和机构养老服务",
        "建议增加医养结合服务。",
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(
        comment(&member2, para(8), "", "建议明确财政保障。")
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        comment(&member2, para(2), "", "建议写明上位法依据。")
            .await
            .status,
        StatusCode::CREATED
    );
    // A member sees their own comments; staff all of them, by article.
    let mine = app
        .api(
            Method::GET,
            &format!("/legislative-drafts/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(mine["comments"].as_array().map(Vec::len), Some(1));
    let all = app
        .api(
            Method::GET,
            &format!("/legislative-drafts/{id}"),
            Some(&staff),
            None,
        )
        .await
        .json();
    let comments = all["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 3);
    assert_eq!(
        comments[0]["body"], "建议写明上位法依据。",
        "in the draft's order"
    );
    for c in comments {
        let cid = c["id"].as_i64().expect("id");
        let decision = if c["body"] == "建议写明上位法依据。" {
            "not_accepted"
        } else {
            "accepted"
        };
        let a = app
            .api(
                Method::PATCH,
                &format!("/legislative-drafts/{id}/comments/{cid}"),
                Some(&staff),
                Some(json!({"decision": decision, "version": c["version"]})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    assert_eq!(
        problem(
            &app.api(
                Method::PATCH,
                &format!("/legislative-drafts/{id}/comments/{}", comments[0]["id"]),
                Some(&member),
                Some(json!({"decision": "accepted"})),
            )
            .await
        ),
        (404, "not_found".into()),
        "a member cannot see others' comments, let alone decide them"
    );
    let closed = app
        .api(
            Method::POST,
            &format!("/legislative-drafts/{id}/actions/close"),
            Some(&staff),
            Some(json!({})),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(
        problem(&comment(&member, para(2), "", "再提一条").await),
        (409, "draft_closed".into())
    );

    // The opinion: only accepted comments, article by article.
    let docx = app
        .send(
            Request::get(format!("/api/v1/legislative-drafts/{id}.docx"))
                .header(header::AUTHORIZATION, format!("Bearer {staff}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(docx.status, StatusCode::OK);
    let text = docx_lines(&docx.bytes);
    let at = |s: &str| text.iter().position(|l| l.contains(s));
    assert!(at("第二条").expect("article 2") < at("第三条").expect("article 3"));
    assert!(at("医养结合").is_some() && at("财政保障").is_some());
    assert!(at("上位法").is_none(), "a comment not accepted stays out");
    assert!(
        at("第一条").is_none(),
        "an article without accepted comments stays out"
    );
    assert_eq!(
        app.send(
            Request::get(format!("/api/v1/legislative-drafts/{id}.docx"))
                .header(header::AUTHORIZATION, format!("Bearer {member}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // A DOCX upload is split the same way; a file that is not one is refused.
    let bytes = docx.bytes.clone();
    let upload = |bytes: Vec<u8>| {
        let (ct, body) =
            xieshang_tests::multipart(&[("title", "意见稿")], Some(("draft.docx", &bytes)));
        Request::post("/api/v1/legislative-drafts/docx")
            .header(header::AUTHORIZATION, format!("Bearer {staff}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request")
    };
    let a = app.send(upload(bytes)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let a = app.send(upload(b"%PDF-1.4 not a docx".to_vec())).await;
    assert_eq!(problem(&a), (422, "file_type".into()));

    // The page: paragraphs with their comment forms, counts for staff.
    let (cookie, _) = app.web_login("consult_r").await;
    let page = app
        .page(
            Method::GET,
            &format!("/legislative-drafts/{id}"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("第三条") && page.body.contains("1 条意见"));
}

#[tokio::test]
async fn the_pool_supervision_and_rubric_pages_take_their_forms() {
    let app = TestApp::new().await;
    let (web, csrf) = app.web_login("consult_r").await;
    let post = |path: &str, form: String| {
        let app = &app;
        let web = web.clone();
        let path = path.to_string();
        async move { app.page(Method::POST, &path, &web, Some(&form)).await }
    };
    // An expert through the form: an empty one is sent back with its errors.
    let bad = post("/experts/new", format!("_csrf={csrf}&name=&fields=")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let made = post(
        "/experts/new",
        format!(
            "_csrf={csrf}&name={}&organisation={}&fields={}",
            enc("周教授"),
            enc("江澜大学"),
            enc("水利工程、公共管理")
        ),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let expert = made.header("location").expect("location").to_string();
    let page = app.page(Method::GET, &expert, &web, None).await;
    assert!(page.body.contains("水利工程") && page.body.contains("公共管理"));
    let list = app
        .page(Method::GET, "/experts?q=%E6%B0%B4%E5%88%A9", &web, None)
        .await;
    assert!(list.body.contains("周教授"));
    // A stale edit is refused.
    let stale = post(
        &format!("{expert}/edit"),
        format!(
            "_csrf={csrf}&version=7&name={}&fields={}",
            enc("周教授"),
            enc("法学")
        ),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // A supervision topic and its year's record.
    let made = post(
        "/supervision-topics/new",
        format!(
            "_csrf={csrf}&title={}&first_year=2025&last_year=2026",
            enc("河湖长制落实")
        ),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let topic = made.header("location").expect("location").to_string();
    let out = post(
        &format!("{topic}/inspections"),
        format!("_csrf={csrf}&on_date=2024-05-01&place={}", enc("岳阳")),
    )
    .await;
    assert_eq!(
        out.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a year outside the topic's"
    );
    assert!(out.body.contains("不在该监督议题的年度范围内"));
    let ok = post(
        &format!("{topic}/inspections"),
        format!("_csrf={csrf}&on_date=2025-05-01&place={}", enc("岳阳市")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let ok = post(
        &format!("{topic}/summary"),
        format!("_csrf={csrf}&year=2025&text={}", enc("全年视察一次。")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = app.page(Method::GET, &topic, &web, None).await;
    assert!(page.body.contains("岳阳市") && page.body.contains("全年视察一次。"));

    // The rubric: weights that do not add up are sent back; then saved.
    let bad = post(
        "/rubric",
        format!("_csrf={csrf}&criterion=topic&label=&weight=50&criterion=effect&label=&weight=40"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("各项权重之和必须为100"));
    let ok = post(
        "/rubric",
        format!("_csrf={csrf}&criterion=topic&label=&weight=60&criterion=effect&label=&weight=40&criterion=&label=&weight="),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.page(Method::GET, "/rubric", &web, None).await;
    assert!(page.body.contains("value=\"60\"") && page.body.contains("实际成效"));

    // A member sees the pool and the topics but none of their forms.
    let (member, _) = app.web_login("member_r").await;
    let page = app.page(Method::GET, &topic, &member, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/inspections\""));
    let page = app.page(Method::GET, "/experts", &member, None).await;
    assert!(!page.body.contains("/experts/new"));
}
