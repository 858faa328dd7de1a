//! A citizen's voice through a studio's public form, on the backend under
//! test: an anonymous visitor answers a question, a signed-in citizen does
//! not need to; the studio's members turn the input into a piece; the citizen
//! follows it by receipt (or by account) to the instruction it earned; and
//! floods, wrong answers, bad input and strangers are refused.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use xieshang_tests::{TestApp, member_id, problem};

/// Reads "What is seven plus five?" the way a person would.
fn solve_en(q: &str) -> i64 {
    const WORDS: [&str; 21] = domain::citizens::EN;
    let words: Vec<&str> = q
        .trim_start_matches("What is ")
        .trim_end_matches('?')
        .split(' ')
        .collect();
    let n = |w: &str| WORDS.iter().position(|x| *x == w).expect("number word") as i64;
    match words.as_slice() {
        [a, "plus", b] => n(a) + n(b),
        [a, "minus", b] => n(a) - n(b),
        other => panic!("unexpected question {other:?}"),
    }
}

/// Reads "七加五等于多少？".
fn solve_zh(q: &str) -> i64 {
    let q = q.trim_end_matches("等于多少？");
    let (a, b, plus) = match q.split_once('加') {
        Some((a, b)) => (a, b, true),
        None => {
            let (a, b) = q.split_once('减').expect("operator");
            (a, b, false)
        }
    };
    let n = |s: &str| -> i64 {
        let digit = |c: char| {
            "零一二三四五六七八九"
                .chars()
                .position(|d| d == c)
                .expect("digit") as i64
        };
        let cs: Vec<char> = s.chars().collect();
        match cs.as_slice() {
            ['十'] => 10,
            ['十', u] => 10 + digit(*u),
            [t, '十'] => digit(*t) * 10,
            [d] => digit(*d),
            other => panic!("unexpected number {other:?}"),
        }
    };
    if plus { n(a) + n(b) } else { n(a) - n(b) }
}

/// A question in English, with its token and answer.
async fn question(app: &TestApp, studio: i64) -> (String, String) {
    let req = axum::http::Request::builder()
        .uri(format!("/api/v1/studios/{studio}/challenge"))
        .header("accept-language", "en")
        .body(axum::body::Body::empty())
        .expect("request");
    let a = app.send(req).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let j = a.json();
    let q = j["question"].as_str().expect("question");
    assert!(!q.chars().any(|c| c.is_ascii_digit()), "no digits: {q}");
    (
        j["token"].as_str().expect("token").to_string(),
        solve_en(q).to_string(),
    )
}

fn voice(title: &str, token: &str, answer: &str) -> Value {
    json!({"title": title, "body": "东门外三盏路灯坏了三个月，晚上老人出门不安全。\n建议尽快修好。",
        "name": "王大爷", "contact": "13800000000", "challenge_token": token, "answer": answer})
}

async fn studio(app: &TestApp, admin: &str) -> i64 {
    let a = app
        .api(
            Method::POST,
            "/studios",
            Some(admin),
            Some(json!({"name": "城关镇界别委员工作室", "contact": "城关镇文化站"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.json()["id"].as_i64().expect("studio")
}

#[tokio::test]
async fn a_citizens_voice_becomes_a_piece_and_the_instruction_comes_back() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let member = app.token("member_r").await;
    let member2 = app.token("member2_r").await;
    let info = app.token("info_r").await;
    let leader = app.token("leader_r").await;
    let citizen = app.token("citizen_r").await;
    let studio = studio(&app, &admin).await;
    let m1 = member_id(app.db(), "member_r").await;

    // Its members are set by an administrator, not by a member; stale lists lose.
    let members = format!("/studios/{studio}/members");
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &members,
                Some(&member),
                Some(json!({"member_ids": [m1]}))
            )
            .await
        ),
        (403, "forbidden".into())
    );
    let set = app
        .api(
            Method::PUT,
            &members,
            Some(&admin),
            Some(json!({"member_ids": [m1], "version": 1})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.json()["members"][0]["member_id"], m1);
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &members,
                Some(&admin),
                Some(json!({"member_ids": [], "version": 1}))
            )
            .await
        ),
        (409, "stale_version".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::PUT,
                &members,
                Some(&admin),
                Some(json!({"member_ids": [999_999]}))
            )
            .await
        ),
        (422, "not_found".into())
    );

    // An anonymous visitor: a wrong answer is refused and uses the question up.
    let submit = format!("/studios/{studio}/inputs");
    let (token, answer) = question(&app, studio).await;
    let wrong = (answer.parse::<i64>().expect("n") + 1).to_string();
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &submit,
                None,
                Some(voice("路灯不亮", &token, &wrong))
            )
            .await
        ),
        (422, "challenge_wrong".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                &submit,
                None,
                Some(voice("路灯不亮", &token, &answer))
            )
            .await
        ),
        (422, "challenge_expired".into()),
        "a question is answered once"
    );
    assert_eq!(
        problem(
            &app.api(Method::POST, &submit, None, Some(voice("路灯不亮", "", "")))
                .await
        ),
        (422, "challenge_expired".into()),
        "no question, no entry"
    );
    let (token, answer) = question(&app, studio).await;
    let sent = app
        .api(
            Method::POST,
            &submit,
            None,
            Some(voice("路灯不亮", &token, &answer)),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let receipt = sent.json()["receipt"]
        .as_str()
        .expect("receipt")
        .to_string();
    assert_eq!(sent.json()["input"]["status"], "received");
    assert!(
        sent.json()["input"]["contact"].is_null(),
        "the citizen's contact is for the studio"
    );
    let status = |r: String| {
        let app = &app;
        async move {
            app.api(
                Method::POST,
                "/citizen-inputs/status",
                None,
                Some(json!({"receipt": r})),
            )
            .await
        }
    };
    assert_eq!(status(receipt.clone()).await.json()["status"], "received");
    assert_eq!(
        status("0".repeat(64)).await.status,
        StatusCode::NOT_FOUND,
        "an unknown receipt"
    );
    assert_eq!(problem(&status("x".into()).await), (422, "invalid".into()));

    // A signed-in citizen needs no question and sees their own inputs.
    let own = app
        .api(
            Method::POST,
            &submit,
            Some(&citizen),
            Some(json!({"title": "公交站没有遮雨棚", "body": "下雨天等车全身湿透。"})),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    let mine = app
        .api(Method::GET, "/citizen-inputs/mine", Some(&citizen), None)
        .await
        .json();
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["title"], "公交站没有遮雨棚");

    // The inbox is its members' and the information staff's alone.
    let inbox = format!("/studios/{studio}/inputs");
    assert_eq!(
        problem(&app.api(Method::GET, &inbox, Some(&member2), None).await),
        (403, "forbidden".into())
    );
    assert_eq!(
        app.api(Method::GET, &inbox, Some(&citizen), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(Method::GET, &inbox, Some(&info), None).await.status,
        StatusCode::OK
    );
    let list = app
        .api(Method::GET, &inbox, Some(&member), None)
        .await
        .json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(list[1]["contact"], "13800000000", "members see the contact");
    let own_input = list[0]["id"].as_i64().expect("id");

    // One click makes a draft piece with the member, the studio and the citizen as sources.
    let take = |id: i64, who: String| {
        let app = &app;
        async move {
            app.api(
                Method::POST,
                &format!("/citizen-inputs/{id}/take-up"),
                Some(&who),
                None,
            )
            .await
        }
    };
    assert_eq!(
        problem(&take(own_input, member2.clone()).await),
        (403, "forbidden".into())
    );
    let piece = take(own_input, member.clone()).await;
    assert_eq!(piece.status, StatusCode::CREATED, "{}", piece.body);
    assert_eq!(piece.json()["state"], "draft");
    let id = piece.json()["id"].as_i64().expect("piece");
    assert_eq!(
        problem(&take(own_input, member.clone()).await),
        (409, "already_taken_up".into())
    );
    let detail = app
        .api(Method::GET, &format!("/opinions/{id}"), Some(&member), None)
        .await
        .json();
    let kinds: Vec<&str> = detail["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["member", "studio", "citizen"]);
    // The member edits the draft; the citizen's voice stays among its sources.
    let edited = app
        .api(
            Method::PATCH,
            &format!("/opinions/{id}"),
            Some(&member),
            Some(
                json!({"title": "关于城区公交站缺少遮雨棚的情况反映", "body": "群众反映……",
                "category": "governance", "sources": [{"kind": "member", "member_id": m1}]}),
            ),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let detail = app
        .api(Method::GET, &format!("/opinions/{id}"), Some(&member), None)
        .await
        .json();
    assert!(
        detail["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .any(|s| s["kind"] == "citizen"),
        "{detail}"
    );
    assert_eq!(
        app.api(Method::GET, "/citizen-inputs/mine", Some(&citizen), None)
            .await
            .json()[0]["status"],
        "taken_up"
    );

    // Through the bulletin to a leader's instruction, which the citizen hears.
    let act = |step: &str, who: &str, body: Value| {
        let app = &app;
        let path = format!("/opinions/{id}/actions/{step}");
        let who = who.to_string();
        async move { app.api(Method::POST, &path, Some(&who), Some(body)).await }
    };
    assert_eq!(
        act("submit", &member, json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        act("start-editing", &info, json!({})).await.status,
        StatusCode::OK
    );
    let bulletin = app
        .api(Method::POST, "/bulletins", Some(&info), Some(json!({})))
        .await
        .json()["id"]
        .as_i64()
        .expect("bulletin");
    assert_eq!(
        act("adopt", &info, json!({"bulletin_id": bulletin}))
            .await
            .status,
        StatusCode::OK
    );
    for (step, body) in [
        ("publish", json!({})),
        (
            "report",
            json!({"recipients": ["party_committee"], "channel": "机要交换"}),
        ),
    ] {
        let a = app
            .api(
                Method::POST,
                &format!("/bulletins/{bulletin}/actions/{step}"),
                Some(&info),
                Some(body),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{step}: {}", a.body);
    }
    let done = act(
        "record-instruction",
        &leader,
        json!({"leader": "李县长", "level": "county", "on_date": "2026-11-20", "text": "请住建局年内完成改造。"}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let mine = app
        .api(Method::GET, "/citizen-inputs/mine", Some(&citizen), None)
        .await
        .json();
    assert_eq!(mine[0]["status"], "heard_back");
    assert_eq!(mine[0]["feedback"][0]["text"], "请住建局年内完成改造。");
    let notes = app
        .api(Method::GET, "/notifications", Some(&citizen), None)
        .await
        .json();
    assert!(
        notes["items"]
            .as_array()
            .expect("notifications")
            .iter()
            .any(|n| n["kind"] == "opinion.instructed"),
        "{notes}"
    );
    // The anonymous input was not taken up: its receipt still says so.
    assert_eq!(status(receipt).await.json()["status"], "received");
}

#[tokio::test]
async fn the_public_form_refuses_floods_bad_input_and_closed_studios() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let studio = studio(&app, &admin).await;
    let submit = format!("/studios/{studio}/inputs");

    // Bad input changes nothing and uses no question.
    let (token, answer) = question(&app, studio).await;
    let mut empty = voice("", &token, &answer);
    empty["body"] = json!("");
    let a = app.api(Method::POST, &submit, None, Some(empty)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = a.json();
    let fields: Vec<&str> = errors["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["title", "body"]);
    let mut long = voice("路灯", &token, &answer);
    long["body"] = json!("字".repeat(domain::citizens::MAX_BODY + 1));
    assert_eq!(
        problem(&app.api(Method::POST, &submit, None, Some(long)).await),
        (422, "too_long".into())
    );
    assert_eq!(
        problem(
            &app.api(
                Method::POST,
                "/studios/999999/inputs",
                None,
                Some(voice("x", &token, &answer))
            )
            .await
        ),
        (404, "not_found".into())
    );

    // Five an hour from one address, wrong answers included; then 429.
    let (token, answer) = question(&app, studio).await;
    let ok = app
        .api(
            Method::POST,
            &submit,
            None,
            Some(voice("第一条", &token, &answer)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    for _ in 0..2 {
        let (token, _) = question(&app, studio).await;
        assert_eq!(
            problem(
                &app.api(Method::POST, &submit, None, Some(voice("x", &token, "999")))
                    .await
            ),
            (422, "challenge_wrong".into())
        );
    }
    for n in 0..2 {
        let (token, answer) = question(&app, studio).await;
        let a = app
            .api(
                Method::POST,
                &submit,
                None,
                Some(voice(&format!("第{n}条"), &token, &answer)),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    let (token, answer) = question(&app, studio).await;
    let flood = app
        .api(
            Method::POST,
            &submit,
            None,
            Some(voice("再来一条", &token, &answer)),
        )
        .await;
    assert_eq!(problem(&flood), (429, "throttled".into()));
    let inbox = app
        .api(
            Method::GET,
            &format!("/studios/{studio}/inputs"),
            Some(&app.token("info_r").await),
            None,
        )
        .await
        .json();
    assert_eq!(
        inbox.as_array().map(Vec::len),
        Some(3),
        "only the accepted inputs are stored"
    );

    // A studio made inactive takes no more input and has no page.
    let got = app
        .api(
            Method::GET,
            &format!("/studios/{studio}"),
            Some(&admin),
            None,
        )
        .await
        .json();
    let off = app
        .api(
            Method::PATCH,
            &format!("/studios/{studio}"),
            Some(&admin),
            Some(json!({"name": got["name"], "contact": got["contact"], "active": false, "version": got["version"]})),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/studios/{studio}/challenge"),
            None,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let (cookie, _) = app.visitor().await;
    assert_eq!(
        app.page(Method::GET, &format!("/studios/{studio}"), &cookie, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The value of a hidden field in a page.
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html.find(&key).expect("hidden field") + key.len();
    html[i..].split('"').next().unwrap_or_default().to_string()
}

/// The question on a studio's page in Chinese.
fn page_question(html: &str) -> i64 {
    let i = html.find("验证问题：").expect("question") + "验证问题：".len();
    let q = html[i..].split(" <span").next().expect("question text");
    solve_zh(q)
}

#[tokio::test]
async fn the_pages_take_a_visitors_voice_to_a_member_and_show_its_status() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let studio = studio(&app, &admin).await;
    let (admin_web, admin_csrf) = app.web_login("admin_r").await;
    let page = app
        .page(Method::GET, &format!("/studios/{studio}"), &admin_web, None)
        .await;
    assert!(page.body.contains("设置工作室委员"), "admins set members");
    let m1 = member_id(app.db(), "member_r").await;
    let set = app
        .page(
            Method::POST,
            &format!("/studios/{studio}/members"),
            &admin_web,
            Some(&format!("_csrf={admin_csrf}&version=1&member_ids={m1}")),
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);

    // A visitor finds the studio, answers wrongly, then rightly.
    let (cookie, csrf) = app.visitor().await;
    let list = app.page(Method::GET, "/studios", &cookie, None).await;
    assert!(list.body.contains(&format!("/studios/{studio}")));
    let form = app
        .page(Method::GET, &format!("/studios/{studio}"), &cookie, None)
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("委员测试") || form.body.contains("工作室委员"));
    let token = hidden(&form.body, "challenge_token");
    let answer = page_question(&form.body);
    let body = |token: &str, answer: i64, trap: &str| {
        serde_urlencoded::to_string([
            ("_csrf", csrf.as_str()),
            ("title", "菜市场噪音扰民"),
            ("body", "凌晨四点卸货，附近居民睡不好。"),
            ("name", ""),
            ("contact", ""),
            ("challenge_token", token),
            ("answer", &answer.to_string()),
            ("website", trap),
        ])
        .expect("form")
    };
    let wrong = app
        .page(
            Method::POST,
            &format!("/studios/{studio}/inputs"),
            &cookie,
            Some(&body(&token, answer + 1, "")),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("验证问题的答案不对"), "{}", wrong.body);
    assert!(
        wrong.body.contains("菜市场噪音扰民"),
        "what was typed is kept"
    );
    // A filled trap field fails even with the right answer.
    let token = hidden(&wrong.body, "challenge_token");
    let answer = page_question(&wrong.body);
    let trapped = app
        .page(
            Method::POST,
            &format!("/studios/{studio}/inputs"),
            &cookie,
            Some(&body(&token, answer, "http://spam.example")),
        )
        .await;
    assert_eq!(trapped.status, StatusCode::UNPROCESSABLE_ENTITY);
    let token = hidden(&trapped.body, "challenge_token");
    let answer = page_question(&trapped.body);
    let sent = app
        .page(
            Method::POST,
            &format!("/studios/{studio}/inputs"),
            &cookie,
            Some(&body(&token, answer, "")),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let i = sent.body.find("id=\"receipt\">").expect("receipt") + "id=\"receipt\">".len();
    let receipt = sent.body[i..i + 64].to_string();

    // The member sees it in the studio's inbox and turns it into a piece.
    let (member_web, member_csrf) = app.web_login("member_r").await;
    let studio_page = app
        .page(
            Method::GET,
            &format!("/studios/{studio}"),
            &member_web,
            None,
        )
        .await;
    assert!(studio_page.body.contains("转为社情民意信息"));
    let input = studio_page
        .body
        .split("/citizen-inputs/")
        .nth(1)
        .expect("take-up form");
    let input: i64 = input
        .split('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let made = app
        .page(
            Method::POST,
            &format!("/citizen-inputs/{input}/take-up"),
            &member_web,
            Some(&format!("_csrf={member_csrf}")),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let piece = made.header("location").expect("location").to_string();
    let shown = app.page(Method::GET, &piece, &member_web, None).await;
    assert!(shown.body.contains("菜市场噪音扰民"));
    assert!(shown.body.contains("群众"), "the citizen is a source");

    // The member rewrites the draft on its form; a stale form is refused.
    assert!(shown.body.contains("id=\"edit-draft\""));
    let edit = format!("{piece}/edit");
    let form = app.page(Method::GET, &edit, &member_web, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("菜市场噪音扰民"),
        "the form holds the draft"
    );
    let version = hidden(&form.body, "version");
    let studio_box = format!("studio:{studio}");
    assert!(
        form.body
            .contains(&format!("value=\"{studio_box}\" checked"))
    );
    let save = |version: &str, title: &str| {
        serde_urlencoded::to_string([
            ("_csrf", member_csrf.as_str()),
            ("version", version),
            ("title", title),
            ("body", "凌晨四点卸货，附近居民睡不好。建议规定卸货时段。"),
            ("category", "governance"),
            ("region", "城关镇"),
            ("urgency", "normal"),
            ("bodies", studio_box.as_str()),
        ])
        .expect("form")
    };
    let saved = app
        .page(
            Method::POST,
            &edit,
            &member_web,
            Some(&save(&version, "关于规范菜市场卸货时段的建议")),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = app
        .page(
            Method::POST,
            &edit,
            &member_web,
            Some(&save(&version, "另一个标题")),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let shown = app.page(Method::GET, &piece, &member_web, None).await;
    assert!(shown.body.contains("关于规范菜市场卸货时段的建议"));
    assert!(shown.body.contains("群众"), "the citizen stays a source");
    // The list narrows to the studio's pieces and to one member's.
    let m1 = member_id(app.db(), "member_r").await;
    let listed = app
        .page(
            Method::GET,
            &format!("/opinions?studio_id={studio}&member_id={m1}"),
            &member_web,
            None,
        )
        .await;
    assert!(
        listed.body.contains("关于规范菜市场卸货时段的建议"),
        "{}",
        listed.body
    );
    let other = app
        .page(
            Method::GET,
            &format!("/opinions?studio_id={}", studio + 1000),
            &member_web,
            None,
        )
        .await;
    assert!(!other.body.contains("关于规范菜市场卸货时段的建议"));
    assert_eq!(
        app.page(Method::GET, "/opinions?studio_id=x", &member_web, None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let empty = app
        .page(
            Method::POST,
            &edit,
            &member_web,
            Some(&save(
                &(version.parse::<i64>().unwrap() + 1).to_string(),
                "",
            )),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The visitor looks the receipt up.
    let found = app
        .page(
            Method::POST,
            "/inputs",
            &cookie,
            Some(&format!("_csrf={csrf}&receipt={receipt}")),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("委员已受理"), "{}", found.body);
    let missing = app
        .page(
            Method::POST,
            "/inputs",
            &cookie,
            Some(&format!("_csrf={csrf}&receipt={}", "a".repeat(64))),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("没有找到这个回执码"));
}
