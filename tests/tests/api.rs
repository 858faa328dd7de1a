//! The JSON API and the platform rules through HTTP, on the backend under
//! test (SQLite by default; PostgreSQL when XIESHANG_TEST_DATABASE_URL is set).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use xieshang_tests::{PASSWORD, TestApp, exec};

#[tokio::test]
async fn health_headers_and_the_openapi_document() {
    let app = TestApp::new().await;
    let a = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let csp = a.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(a.header("referrer-policy"), Some("same-origin"));

    let doc = app
        .send(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    let v = doc.json();
    assert_eq!(
        v["openapi"].as_str().map(|s| s.starts_with("3.1")),
        Some(true)
    );
    for p in [
        "/auth/login",
        "/me",
        "/committees",
        "/committees/{id}",
        "/{kind}",
        "/members",
        "/users/{id}/actions/{action}",
        "/events",
    ] {
        assert!(v["paths"].get(p).is_some(), "path {p} documented");
    }
    // The committed snapshot must match: an API change is always a visible diff.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json");
    let pretty = serde_json::to_string_pretty(&v).unwrap() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(path)
        .expect("openapi.json is committed (UPDATE_OPENAPI=1 writes it)");
    assert_eq!(
        committed, pretty,
        "openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p xieshang-tests --test api"
    );
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_and_full_sync() {
    let app = TestApp::new().await;
    let store::Db::Sqlite(s) = app.db() else {
        println!("skipped on PostgreSQL: these are SQLite settings");
        return;
    };
    for pool in [&s.read, &s.write] {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(
            (mode.as_str(), sync, fk),
            ("wal", 2, 1),
            "WAL, synchronous=FULL (2), foreign keys on"
        );
    }
}

#[tokio::test]
async fn login_me_logout_and_problem_details_in_the_callers_language() {
    let app = TestApp::new().await;
    let bad = app
        .api(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": "staff_r", "password": "nope-nope"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.header("content-type"), Some("application/problem+json"));
    assert_eq!(bad.json()["title"], "用户名或密码不正确");
    assert_eq!(bad.json()["status"], 401);

    let req = Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .header("accept-language", "en-GB,en;q=0.9")
        .body(Body::from(
            json!({"username": "nobody", "password": "whatever1"}).to_string(),
        ))
        .unwrap();
    let en = app.send(req).await;
    assert_eq!(en.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        en.json()["title"],
        "Wrong user name or password",
        "unknown and wrong look the same"
    );

    let token = app.token("staff_r").await;
    let me = app.api(Method::GET, "/me", Some(&token), None).await;
    assert_eq!(me.status, StatusCode::OK);
    let me = me.json();
    assert_eq!(me["username"], "staff_r");
    assert_eq!(me["roles"][0]["role"], "staff");
    assert_eq!(me["roles"][0]["committee_id"], app.fx.region);
    assert_eq!(me["roles"][0]["offices"], json!(["proposals"]));
    assert!(me.get("password_hash").is_none());

    assert_eq!(
        app.api(Method::POST, "/auth/logout", Some(&token), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let after = app.api(Method::GET, "/me", Some(&token), None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.header("www-authenticate"), Some("Bearer"));
    assert_eq!(
        app.api(Method::GET, "/me", Some("not-a-token"), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn five_failures_slow_an_account_or_address_without_revealing_it_exists() {
    let app = TestApp::new().await;
    for name in ["staff_r", "ghost"] {
        for i in 0..5 {
            let a = app
                .api(
                    Method::POST,
                    "/auth/login",
                    None,
                    Some(json!({"username": name, "password": format!("wrong-{i}xx")})),
                )
                .await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{name} attempt {i}");
        }
        let a = app
            .api(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"username": name, "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{name} is throttled, even with the right password"
        );
        let wait: i64 = a
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!((1..=30).contains(&wait));
        assert_eq!(a.json()["code"], "throttled");
    }
    // Another account is not affected (no address in these requests).
    app.token("admin_r").await;

    // From one address, failures across many accounts throttle the address.
    let from = |name: &str, pw: &str| {
        let mut r = Request::post("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"username": name, "password": pw}).to_string(),
            ))
            .unwrap();
        r.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [10, 9, 8, 7],
                5555,
            ))));
        r
    };
    for i in 0..5 {
        assert_eq!(
            app.send(from(&format!("someone{i}"), "badbadbad"))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.send(from("leader_r", PASSWORD)).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Every endpoint, with a county's staff and admin reaching for the regional
/// committee's records (and a sibling county's): always 404, and nothing changes.
#[tokio::test]
async fn another_committees_records_are_not_found_on_every_endpoint() {
    let app = TestApp::new().await;
    let fx = app.fx;
    let admin_r = app.token("admin_r").await;
    // Records in the region for every kind of endpoint.
    let mut ids = serde_json::Map::new();
    for kind in ["sectors", "special-committees", "parties", "units"] {
        let kind_field = match kind {
            "parties" => json!("democratic_party"),
            "units" => json!("government"),
            _ => Value::Null,
        };
        let a = app
            .api(Method::POST, &format!("/{kind}"), Some(&admin_r), Some(json!({"name": format!("区{kind}"), "kind": kind_field, "committee_id": fx.region})))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        ids.insert(kind.into(), a.json()["id"].clone());
    }
    let member = app
        .api(
            Method::POST,
            "/members",
            Some(&admin_r),
            Some(member_json(fx.region)),
        )
        .await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    let member_id = member.json()["id"].as_i64().unwrap();
    let user_id = app
        .api(Method::GET, "/me", Some(&admin_r), None)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let events_before = record_changes(&app).await;

    let r = fx.region;
    let mut calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/committees/{r}"), None),
        (
            Method::PATCH,
            format!("/committees/{r}"),
            Some(json!({"name": "改名", "level": "regional"})),
        ),
        (Method::GET, format!("/committees/{r}/events"), None),
        (
            Method::POST,
            "/committees".into(),
            Some(json!({"name": "新县", "level": "county", "parent_id": r})),
        ),
        (Method::GET, format!("/members?committee_id={r}"), None),
        (Method::POST, "/members".into(), Some(member_json(r))),
        (Method::GET, format!("/members/{member_id}"), None),
        (
            Method::PATCH,
            format!("/members/{member_id}"),
            Some(member_json(r)),
        ),
        (Method::GET, format!("/members/{member_id}/events"), None),
        (Method::GET, format!("/users?committee_id={r}"), None),
        (
            Method::POST,
            "/users".into(),
            Some(
                json!({"username": "intruder", "display_name": "x", "password": "long enough", "committee_id": r}),
            ),
        ),
        (Method::GET, format!("/users/{user_id}"), None),
        (
            Method::PATCH,
            format!("/users/{user_id}"),
            Some(json!({"display_name": "x"})),
        ),
        (Method::GET, format!("/users/{user_id}/events"), None),
        (Method::GET, format!("/events?committee_id={r}"), None),
    ];
    for action in [
        "disable",
        "enable",
        "reset-password",
        "grant-role",
        "revoke-role",
    ] {
        calls.push((
            Method::POST,
            format!("/users/{user_id}/actions/{action}"),
            Some(json!({"password": "new password 1", "role": "member", "committee_id": r})),
        ));
    }
    for kind in ["sectors", "special-committees", "parties", "units"] {
        let id = &ids[kind];
        calls.push((Method::GET, format!("/{kind}?committee_id={r}"), None));
        calls.push((
            Method::POST,
            format!("/{kind}"),
            Some(json!({"name": "闯入", "kind": "government", "committee_id": r})),
        ));
        calls.push((Method::GET, format!("/{kind}/{id}"), None));
        calls.push((
            Method::PATCH,
            format!("/{kind}/{id}"),
            Some(json!({"name": "闯入", "kind": "government"})),
        ));
        calls.push((Method::GET, format!("/{kind}/{id}/events"), None));
    }
    for who in ["staff_c", "admin_c"] {
        let token = app.token(who).await;
        for (m, path, body) in &calls {
            let a = app.api(m.clone(), path, Some(&token), body.clone()).await;
            assert_eq!(
                a.status,
                StatusCode::NOT_FOUND,
                "{who} {m} {path}: {}",
                a.body
            );
            assert_eq!(a.json()["code"], "not_found");
        }
    }
    // A sibling county's admin cannot reach the first county either.
    let sibling = app.token("staff_c2").await;
    let a = app
        .api(
            Method::GET,
            &format!("/sectors/{}", fx.sector_county),
            Some(&sibling),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // Web pages too.
    let (cookie, _) = app.web_login("staff_c").await;
    for path in [
        format!("/admin/members?committee_id={r}"),
        format!("/admin/sectors?committee_id={r}"),
        format!("/admin/users?committee_id={r}"),
        format!("/admin/members/{member_id}"),
        format!("/admin/committees/{r}"),
        format!("/admin/users/{user_id}"),
        format!("/admin/events?committee_id={r}"),
        format!("/admin/units/{}", ids["units"]),
        format!("/admin/parties?committee_id={r}"),
        format!("/admin/special-committees/{}", ids["special-committees"]),
        format!("/admin/members/new?committee_id={r}"),
        format!("/admin/users/new?committee_id={r}"),
    ] {
        assert_eq!(
            app.page(Method::GET, &path, &cookie, None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for (path, form) in [
        (
            format!("/admin/sectors/{}", ids["sectors"]),
            "name=x&version=1".to_string(),
        ),
        (
            format!("/admin/sectors/new?committee_id={r}"),
            "name=x".into(),
        ),
        (
            format!("/admin/members/{member_id}"),
            "name=x&gender=male".into(),
        ),
        (
            format!("/admin/members/new?committee_id={r}"),
            "name=x".into(),
        ),
        (
            format!("/admin/committees/{r}"),
            "name=x&level=regional".into(),
        ),
        (format!("/admin/users/{user_id}/disable"), String::new()),
        (
            format!("/admin/users/{user_id}/reset-password"),
            "password=another+one+1".into(),
        ),
        (
            format!("/admin/users/{user_id}/grant"),
            format!("role=member&committee_id={r}"),
        ),
        (
            format!("/admin/users/{user_id}/revoke"),
            format!("role=admin&committee_id={r}"),
        ),
    ] {
        let (cookie, csrf) = app.web_login("staff_c").await;
        let a = app
            .page(
                Method::POST,
                &path,
                &cookie,
                Some(&format!("_csrf={csrf}&{form}")),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "POST {path}: {}", a.body);
    }
    assert_eq!(
        record_changes(&app).await,
        events_before,
        "nothing was written"
    );
    store_events(&app).await;
    // While the regional admin reaches down into the county.
    let a = app
        .api(
            Method::GET,
            &format!("/sectors/{}", fx.sector_county),
            Some(&admin_r),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
}

async fn store_events(app: &TestApp) -> i64 {
    match store::audit::verify(app.db()).await.unwrap() {
        store::audit::Verdict::Intact { events, .. } => events,
        v => panic!("chain broken: {v:?}"),
    }
}

/// Events other than sign-ins and sign-outs: the changes to records.
async fn record_changes(app: &TestApp) -> i64 {
    const SQL: &str =
        "SELECT COUNT(*) FROM events WHERE action NOT IN ('user.login', 'user.logout')";
    match app.db() {
        store::Db::Sqlite(s) => sqlx::query_scalar(SQL).fetch_one(&s.read).await.unwrap(),
        store::Db::Postgres(p) => sqlx::query_scalar(SQL).fetch_one(p).await.unwrap(),
    }
}

fn member_json(committee_id: i64) -> Value {
    json!({
        "name": "王小明", "gender": "male", "ethnicity": "汉族", "birth_year": 1975, "affiliation": "cdl",
        "term": 13, "phone": "13800001111", "committee_id": committee_id
    })
}

#[tokio::test]
async fn creating_and_editing_writes_events_and_checks_versions() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let m = app
        .api(
            Method::POST,
            "/members",
            Some(&admin),
            Some(member_json(app.fx.region)),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED);
    let m = m.json();
    let id = m["id"].as_i64().unwrap();
    assert_eq!(m["version"], 1);
    assert!(m["created_at"].as_str().unwrap().ends_with('Z'));

    let mut edit = member_json(app.fx.region);
    edit["occupation"] = json!("教授");
    edit["sector_id"] = json!(app.fx.sector_region);
    let req = Request::patch(format!("/api/v1/members/{id}"))
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .header("if-match", "\"1\"")
        .body(Body::from(edit.to_string()))
        .unwrap();
    let a = app.send(req).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["version"], 2);
    assert_eq!(a.json()["sector_name"], "经济界");

    // A stale version changes nothing and says what is current.
    edit["occupation"] = json!("院长");
    edit["version"] = json!(1);
    let stale = app
        .api(
            Method::PATCH,
            &format!("/members/{id}"),
            Some(&admin),
            Some(edit.clone()),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["current"], "2");
    assert_eq!(
        app.api(Method::GET, &format!("/members/{id}"), Some(&admin), None)
            .await
            .json()["occupation"],
        "教授"
    );

    // A sector of another committee is refused with the field named, and nothing is half-written.
    edit["version"] = json!(2);
    edit["sector_id"] = json!(app.fx.sector_county);
    let bad = app
        .api(
            Method::PATCH,
            &format!("/members/{id}"),
            Some(&admin),
            Some(edit),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "sector_id");

    let events = app
        .api(
            Method::GET,
            &format!("/members/{id}/events"),
            Some(&admin),
            None,
        )
        .await
        .json();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["action"], "member.create");
    assert_eq!(events[1]["action"], "member.update");
    assert_eq!(events[1]["actor"], "admin_r");
    let changes: Value = serde_json::from_str(events[1]["changes"].as_str().unwrap()).unwrap();
    assert_eq!(changes["occupation"], json!([null, "教授"]));
    assert!(
        changes.get("name").is_none(),
        "only changed fields are recorded"
    );

    // Staff may read members but not change them.
    let staff = app.token("staff_r").await;
    assert_eq!(
        app.api(Method::GET, &format!("/members/{id}"), Some(&staff), None)
            .await
            .status,
        StatusCode::OK
    );
    let denied = app
        .api(
            Method::PATCH,
            &format!("/members/{id}"),
            Some(&staff),
            Some(member_json(app.fx.region)),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    // A member may not even list members.
    let member = app.token("member_r").await;
    assert_eq!(
        app.api(Method::GET, "/members", Some(&member), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn invalid_fields_are_named_in_the_callers_language() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let before = record_changes(&app).await;
    let req = Request::post("/api/v1/members")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .header("accept-language", "en")
        .body(Body::from(json!({"name": "", "gender": "x", "ethnicity": "汉族", "birth_year": 2020, "affiliation": "cpc", "term": 13}).to_string()))
        .unwrap();
    let a = app.send(req).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = a.json()["errors"].clone();
    assert_eq!(
        errors[0],
        json!({"field": "name", "message": "Required.", "code": "required"})
    );
    assert_eq!(errors[1]["field"], "gender");
    assert_eq!(errors[2]["field"], "birth_year");
    let zh = app.api(Method::POST, "/members", Some(&admin), Some(json!({"name": "", "gender": "male", "ethnicity": "汉族", "birth_year": 1970, "affiliation": "cpc", "term": 13}))).await;
    assert_eq!(zh.json()["errors"][0]["message"], "必填。");
    assert_eq!(record_changes(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn malformed_oversized_and_wrongly_typed_bodies() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let send = |ct: &str, body: Vec<u8>| {
        Request::post("/api/v1/sectors")
            .header("authorization", format!("Bearer {admin}"))
            .header("content-type", ct.to_string())
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(
        app.send(send("application/json", b"{not json".to_vec()))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.send(send("text/plain", b"{}".to_vec())).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let wrong = app
        .send(send("application/json", br#"{"name": 5}"#.to_vec()))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let big = app
        .send(send("application/json", vec![b' '; 2 * 1024 * 1024]))
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(big.header("content-type"), Some("application/problem+json"));
    // A streamed body without a length is cut off too.
    let stream = futures_stream(3 * 1024 * 1024);
    let req = Request::post("/api/v1/sectors")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .body(stream)
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Web forms too.
    let (cookie, csrf) = app.web_login("admin_r").await;
    let form = format!("_csrf={csrf}&name={}", "x".repeat(2 * 1024 * 1024));
    assert_eq!(
        app.page(Method::POST, "/admin/sectors/new", &cookie, Some(&form))
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Unknown routes and methods.
    let nf = app
        .api(Method::GET, "/nothing-here", Some(&admin), None)
        .await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert_eq!(nf.header("content-type"), Some("application/problem+json"));
    assert_eq!(
        app.api(Method::DELETE, "/me", Some(&admin), None)
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let page = app.page(Method::GET, "/no/such/page", &cookie, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<html lang=\"zh-CN\">") && page.body.contains("未找到"));
}

/// A body of `n` bytes sent in chunks, with no declared length.
fn futures_stream(n: usize) -> Body {
    Body::new(Repeat {
        chunk: axum::body::Bytes::from(vec![b' '; 64 * 1024]),
        left: n / (64 * 1024),
    })
}

struct Repeat {
    chunk: axum::body::Bytes,
    left: usize,
}

impl http_body::Body for Repeat {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        self.left -= 1;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(self.chunk.clone()))))
    }
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_answer_also_after_a_restart() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let post = |key: &str, name: &str, path: &str| {
        Request::post(format!("/api/v1{path}"))
            .header("authorization", format!("Bearer {admin}"))
            .header("content-type", "application/json")
            .header("idempotency-key", key.to_string())
            .body(Body::from(
                json!({"name": name, "committee_id": app.fx.region}).to_string(),
            ))
            .unwrap()
    };
    let first = app.send(post("k-1", "文化艺术界", "/sectors")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app.send(post("k-1", "文化艺术界", "/sectors")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json(), first.json());
    // A new server process over the same database gives the same answer.
    let other = web::router(web::state::AppState {
        db: app.t.reconnect().await,
        settings: Default::default(),
        search: search::Search::in_ram().unwrap(),
    });
    let resp = tower::ServiceExt::oneshot(other, post("k-1", "文化艺术界", "/sectors"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        first.json()
    );
    let list = app
        .api(
            Method::GET,
            &format!("/sectors?q=文化&committee_id={}", app.fx.region),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(list.json()["total"], 1, "created once");
    // The same key for another route is a conflict.
    assert_eq!(
        app.send(post("k-1", "x", "/special-committees"))
            .await
            .status,
        StatusCode::CONFLICT
    );
    // A failed create does not use up its key.
    assert_eq!(
        app.send(post("k-2", "", "/sectors")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.send(post("k-2", "体育界", "/sectors")).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn committees_nest_by_level_and_admins_manage_users_and_roles() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let bad = app
        .api(
            Method::POST,
            "/committees",
            Some(&admin),
            Some(json!({"name": "错层", "level": "regional", "parent_id": app.fx.region})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["code"], "level_below_parent");
    let city = app
        .api(
            Method::POST,
            "/committees",
            Some(&admin),
            Some(json!({"name": "新市政协", "level": "city", "parent_id": app.fx.region})),
        )
        .await;
    assert_eq!(city.status, StatusCode::CREATED);
    let dup = app
        .api(
            Method::POST,
            "/committees",
            Some(&admin),
            Some(json!({"name": "新市政协", "level": "city", "parent_id": app.fx.region})),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let list = app
        .api(Method::GET, "/committees", Some(&admin), None)
        .await
        .json();
    assert_eq!(list["total"], 4);

    let u = app
        .api(Method::POST, "/users", Some(&admin), Some(json!({"username": "newstaff", "display_name": "新同事", "password": "first password", "committee_id": app.fx.region})))
        .await;
    assert_eq!(u.status, StatusCode::CREATED, "{}", u.body);
    let id = u.json()["id"].as_i64().unwrap();
    let taken = app
        .api(
            Method::POST,
            "/users",
            Some(&admin),
            Some(
                json!({"username": "NewStaff", "display_name": "x", "password": "first password"}),
            ),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let act = |action: &str, body: Value| {
        let path = format!("/users/{id}/actions/{action}");
        let (app, admin) = (&app, admin.clone());
        async move { app.api(Method::POST, &path, Some(&admin), Some(body)).await }
    };
    let g = act(
        "grant-role",
        json!({"role": "staff", "committee_id": app.fx.region}),
    )
    .await;
    assert_eq!(
        g.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "staff need an office"
    );
    let g = act(
        "grant-role",
        json!({"role": "staff", "committee_id": app.fx.region, "offices": ["information"]}),
    )
    .await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.json()["roles"][0]["offices"], json!(["information"]));
    let g = act("grant-role", json!({"role": "unit_officer", "committee_id": app.fx.region, "unit_id": app.fx.unit_region})).await;
    assert_eq!(g.json()["roles"][1]["unit_name"], "省教育厅");
    // The new user signs in; a reset password ends their sessions.
    let login = app
        .api(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": "newstaff", "password": "first password"})),
        )
        .await;
    let their = login.json()["token"].as_str().unwrap().to_string();
    assert_eq!(
        act("reset-password", json!({"password": "short"}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act("reset-password", json!({"password": "second password"}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.api(Method::GET, "/me", Some(&their), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Disabled accounts cannot sign in, with the same answer as a wrong password.
    assert_eq!(act("disable", json!({})).await.json()["disabled"], true);
    let login = app
        .api(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": "newstaff", "password": "second password"})),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(act("enable", json!({})).await.status, StatusCode::OK);
    let login = app
        .api(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": "newstaff", "password": "second password"})),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let r = act(
        "revoke-role",
        json!({"role": "staff", "committee_id": app.fx.region}),
    )
    .await;
    assert_eq!(r.json()["roles"].as_array().unwrap().len(), 1);
    assert_eq!(act("fly", json!({})).await.status, StatusCode::NOT_FOUND);
    // An admin cannot lock themselves out.
    let me = app.api(Method::GET, "/me", Some(&admin), None).await.json()["id"]
        .as_i64()
        .unwrap();
    let own = app
        .api(
            Method::POST,
            &format!("/users/{me}/actions/disable"),
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    // Events: admins browse and filter.
    let ev = app
        .api(
            Method::GET,
            "/events?action=user.&per_page=100",
            Some(&admin),
            None,
        )
        .await
        .json();
    let actions: Vec<&str> = ev["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "user.create",
        "user.grant_role",
        "user.reset_password",
        "user.disable",
        "user.enable",
        "user.revoke_role",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let staff = app.token("staff_r").await;
    assert_eq!(
        app.api(Method::GET, "/events", Some(&staff), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Passwords change for oneself, proving the old one.
    let token = app.token("member_r").await;
    let wrong = app
        .api(
            Method::POST,
            "/me/password",
            Some(&token),
            Some(json!({"current_password": "nope", "new_password": "brand new pw"})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["errors"][0]["field"], "current_password");
    let ok = app
        .api(
            Method::POST,
            "/me/password",
            Some(&token),
            Some(json!({"current_password": PASSWORD, "new_password": "brand new pw"})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    let login = app
        .api(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": "member_r", "password": "brand new pw"})),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
}

#[tokio::test]
async fn the_audit_chain_detects_an_edited_or_removed_event() {
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    for i in 0..3 {
        let a = app
            .api(
                Method::POST,
                "/sectors",
                Some(&admin),
                Some(json!({"name": format!("界别{i}")})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED);
    }
    let n = store_events(&app).await;
    assert!(n >= 3);
    let target = n - 1;
    exec(
        app.db(),
        &format!("UPDATE events SET changes = '{{\"name\":\"篡改\"}}' WHERE id = {target}"),
    )
    .await;
    assert_eq!(
        store::audit::verify(app.db()).await.unwrap(),
        store::audit::Verdict::Broken {
            event_id: target,
            reason: "content_changed"
        }
    );
    exec(app.db(), &format!("DELETE FROM events WHERE id = {target}")).await;
    assert_eq!(
        store::audit::verify(app.db()).await.unwrap(),
        store::audit::Verdict::Broken {
            event_id: target,
            reason: "missing"
        }
    );
}

#[tokio::test]
async fn two_servers_share_one_job_lease_and_sessions() {
    let app = TestApp::new().await;
    let other = app.t.reconnect().await;
    let a = store::platform::jobs::try_claim(app.db(), "housekeeping", "server-a", 60_000_000);
    let b = store::platform::jobs::try_claim(&other, "housekeeping", "server-b", 60_000_000);
    let (a, b) = tokio::join!(a, b);
    assert!(a.unwrap() ^ b.unwrap(), "exactly one server runs the job");
    assert_eq!(
        store::platform::jobs::runs(app.db(), "housekeeping")
            .await
            .unwrap()
            .0,
        1
    );
    // A token issued by one server is honoured by another.
    let token = app.token("staff_r").await;
    let router = web::router(web::state::AppState {
        db: other,
        settings: Default::default(),
        search: search::Search::in_ram().unwrap(),
    });
    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        tower::ServiceExt::oneshot(router, req)
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert!(store::platform::jobs::housekeeping(app.db()).await.is_ok());
}

/// A held lease stays with its holder, who extends it by claiming again,
/// until it lapses; then another server takes it.
#[tokio::test]
async fn a_held_job_lease_stays_with_its_holder_until_it_lapses() {
    use store::platform::jobs::hold;
    let app = TestApp::new().await;
    let other = app.t.reconnect().await;
    const LEASE: i64 = 30_000_000;
    let t0 = store::clock::now();
    let at = |t: i64, db: store::db::Db, holder: &'static str| {
        store::clock::at(t, async move {
            hold(&db, "held-job", holder, LEASE).await.unwrap()
        })
    };
    let (a, b) = (app.db().clone(), other.clone());
    assert!(at(t0, a.clone(), "server-a").await, "a free lease is taken");
    assert!(!at(t0, b.clone(), "server-b").await, "and is then held");
    // Server A claims again just before its lease lapses: held for another 30 s.
    assert!(at(t0 + LEASE - 1, a.clone(), "server-a").await);
    assert!(!at(t0 + LEASE + 1, b.clone(), "server-b").await);
    // A falls silent: once the lease lapses, B takes it, and A no longer has it.
    assert!(at(t0 + 2 * LEASE, b.clone(), "server-b").await);
    assert!(!at(t0 + 2 * LEASE + 1, a.clone(), "server-a").await);
    assert_eq!(
        store::platform::jobs::runs(app.db(), "held-job")
            .await
            .unwrap(),
        (3, Some("server-b".to_string()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_outlasts_its_lease_keeps_it_until_done() {
    use std::time::Duration;
    use store::platform::jobs::{hold, runs, try_claim, while_held};
    let app = TestApp::new().await;
    let other = app.t.reconnect().await;
    // A lease of 2 s renewed every 100 ms, and a run of 4.5 s.
    const LEASE: i64 = 2_000_000;
    let (a, b) = (app.db().clone(), other.clone());
    assert!(hold(&a, "long-job", "server-a", LEASE).await.unwrap());
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    let run = async {
        while_held(
            &a,
            "long-job",
            "server-a",
            LEASE,
            Duration::from_millis(100),
            tokio::time::sleep(Duration::from_millis(4_500)),
        )
        .await;
        let _ = done.send(());
    };
    // Server B tries every 200 ms while A's run lasts: never once does it win.
    let watch = async {
        let mut tries = 0;
        let mut finished = finished;
        loop {
            tokio::select! {
                _ = &mut finished => break,
                () = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
            tries += 1;
            assert!(
                !try_claim(&b, "long-job", "server-b", LEASE).await.unwrap()
                    && !hold(&b, "long-job", "server-b", LEASE).await.unwrap(),
                "server B took the lease {} ms into server A's run",
                tries * 200
            );
        }
        tries
    };
    let ((), tries) = tokio::join!(run, watch);
    assert!(tries >= 15, "B tried through the run: {tries}");
    // The renewals extended the one run; they are not counted as runs.
    assert_eq!(
        runs(app.db(), "long-job").await.unwrap(),
        (1, Some("server-a".to_string()))
    );
    // Once the run is over its lease lapses, and B takes the job.
    let mut taken = false;
    for _ in 0..40 {
        if try_claim(&b, "long-job", "server-b", LEASE).await.unwrap() {
            taken = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(taken, "the lease lapses once the run is over");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_starting_together_apply_each_migration_once() {
    let t = xieshang_tests::TestDb::unmigrated().await;
    let (a, b, c) = (
        t.reconnect().await,
        t.reconnect().await,
        t.reconnect().await,
    );
    let (ra, rb, rc) = tokio::join!(
        store::migrate::run(&a),
        store::migrate::run(&b),
        store::migrate::run(&c)
    );
    let applied: usize = [ra.unwrap(), rb.unwrap(), rc.unwrap()]
        .iter()
        .map(Vec::len)
        .sum();
    assert_eq!(
        applied,
        store::migrate::MIGRATIONS.len(),
        "each migration applied by exactly one"
    );
    assert_eq!(
        store::migrate::applied(&t.db).await.unwrap().len(),
        store::migrate::MIGRATIONS.len()
    );
}

#[tokio::test]
async fn migrations_run_once_and_demo_data_is_deterministic() {
    let t = xieshang_tests::TestDb::new().await;
    assert!(
        store::migrate::run(&t.db).await.unwrap().is_empty(),
        "already applied"
    );
    // Without the five years of history (tests/demo.rs seeds those).
    let s = store::demo::seed_sized(&t.db, store::demo::DEFAULT_SEED, "demo password", 0)
        .await
        .unwrap()
        .expect("seeded");
    assert_eq!(
        (
            s.committees,
            s.sectors,
            s.special_committees,
            s.parties,
            s.units,
            s.users
        ),
        (6, 34, 9, 8, 40, 7)
    );
    assert_eq!(s.members, 600);
    assert_eq!(s.proposals, 40);
    assert!(
        store::demo::seed(&t.db, 1, "demo password")
            .await
            .unwrap()
            .is_none(),
        "a database with data is left alone"
    );
    let t2 = xieshang_tests::TestDb::new().await;
    store::demo::seed_sized(&t2.db, store::demo::DEFAULT_SEED, "other password", 0)
        .await
        .unwrap();
    let names = |db: &store::Db| {
        let db = db.clone();
        async move {
            match &db {
                store::Db::Sqlite(s) => {
                    sqlx::query_scalar::<_, String>(
                        "SELECT name || birth_year || affiliation FROM members ORDER BY id",
                    )
                    .fetch_all(&s.read)
                    .await
                }
                store::Db::Postgres(p) => {
                    sqlx::query_scalar::<_, String>(
                        "SELECT name || birth_year || affiliation FROM members ORDER BY id",
                    )
                    .fetch_all(p)
                    .await
                }
            }
            .unwrap()
        }
    };
    assert_eq!(names(&t.db).await, names(&t2.db).await);
    // The named accounts of API.md sign in.
    let router = web::router(web::state::AppState {
        db: t.db.clone(),
        settings: Default::default(),
        search: search::Search::in_ram().unwrap(),
    });
    for name in [
        "admin", "staff", "member", "member2", "unit", "leader", "citizen",
    ] {
        let req = Request::post("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"username": name, "password": "demo password"}).to_string(),
            ))
            .unwrap();
        assert_eq!(
            tower::ServiceExt::oneshot(router.clone(), req)
                .await
                .unwrap()
                .status(),
            StatusCode::OK,
            "{name}"
        );
    }
    assert!(matches!(
        store::audit::verify(&t.db).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_to_the_same_records() {
    if xieshang_tests::postgres_url().is_some() {
        println!(
            "skipped on PostgreSQL: backups of PostgreSQL are taken with pg_dump (see README)"
        );
        return;
    }
    let app = TestApp::new().await;
    let admin = app.token("admin_r").await;
    let writer = {
        let router = app.router.clone();
        let admin = admin.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                let req = Request::post("/api/v1/sectors")
                    .header("authorization", format!("Bearer {admin}"))
                    .header("content-type", "application/json")
                    .body(Body::from(
                        json!({"name": format!("并发界别{i}")}).to_string(),
                    ))
                    .unwrap();
                let r = tower::ServiceExt::oneshot(router.clone(), req)
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::CREATED);
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let dest = app.t.dir.as_ref().unwrap().join("backup.db");
    store::backup::sqlite_copy(app.db(), &dest).await.unwrap();
    writer.await.unwrap();
    let copy = store::Db::connect(&format!("sqlite://{}", dest.display()))
        .await
        .unwrap();
    // The copy is consistent: its audit chain verifies and every sector has its event.
    let store::audit::Verdict::Intact { events, .. } = store::audit::verify(&copy).await.unwrap()
    else {
        panic!("broken copy")
    };
    let store::Db::Sqlite(s) = &copy else {
        unreachable!()
    };
    let sectors: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sectors")
        .fetch_one(&s.read)
        .await
        .unwrap();
    let sector_events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE action = 'sector.create'")
            .fetch_one(&s.read)
            .await
            .unwrap();
    assert_eq!(sectors, sector_events);
    assert!(events > 0);
    // And it is exactly the original up to the copy's last event.
    let Some(orig) = (match app.db() {
        store::Db::Sqlite(s) => Some(s),
        _ => None,
    }) else {
        unreachable!()
    };
    let orig_rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, hash FROM events WHERE id <= $1 ORDER BY id")
            .bind(events)
            .fetch_all(&orig.read)
            .await
            .unwrap();
    let copy_rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, hash FROM events ORDER BY id")
        .fetch_all(&s.read)
        .await
        .unwrap();
    assert_eq!(orig_rows, copy_rows);
    assert!(
        store::backup::sqlite_copy(app.db(), &dest).await.is_err(),
        "never overwrites"
    );
}
