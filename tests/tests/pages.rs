//! The server-rendered pages through HTTP: sign-in, CSRF, language, every
//! admin page and its forms, on the backend under test.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use xieshang_tests::{Answer, PASSWORD, TestApp, csrf_of, enc};

fn assert_accessible_page(a: &Answer, lang: &str) {
    let b = &a.body;
    assert!(
        b.contains(&format!("<html lang=\"{lang}\">")),
        "lang attribute"
    );
    assert!(b.contains("class=\"skip\" href=\"#main\""), "skip link");
    assert!(b.contains("<meta name=\"viewport\""), "usable on a phone");
    // A strict CSP holds: no inline script, handlers or styles.
    let lower = b.to_lowercase();
    assert!(
        !lower.contains("<script>")
            && !lower.contains(" onclick=")
            && !lower.contains(" onsubmit=")
            && !lower.contains(" style=")
    );
    for (i, _) in b.match_indices("<script") {
        assert!(
            b[i..].starts_with("<script src=\"/static/"),
            "only our own script files"
        );
    }
    // Every visible input has a label.
    for (i, _) in b.match_indices("<input id=\"") {
        let id = &b[i + 11..];
        let id = &id[..id.find('"').unwrap()];
        assert!(b.contains(&format!("for=\"{id}\"")), "label for {id}");
    }
}

#[tokio::test]
async fn signing_in_checks_csrf_and_sets_a_strict_cookie() {
    let app = TestApp::new().await;
    // Not signed in: pages send you to the sign-in form and back.
    let a = app
        .page(Method::GET, "/admin/members?page=2", "", None)
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.header("location"),
        Some("/login?next=%2Fadmin%2Fmembers%3Fpage%3D2")
    );

    let (cookie, csrf) = app.visitor().await;
    let form = |token: &str, pw: &str| {
        format!(
            "_csrf={token}&username=staff_r&password={}&next=%2Fadmin%2Fmembers",
            enc(pw)
        )
    };
    // Without the token, with another token, or from another site: refused.
    let no = app
        .page(Method::POST, "/login", &cookie, Some(&form("", PASSWORD)))
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
    assert!(no.body.contains("表单已过期"));
    let other = "a".repeat(64);
    assert_eq!(
        app.page(
            Method::POST,
            "/login",
            &cookie,
            Some(&form(&other, PASSWORD))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let cross = Request::post("/login")
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .header("host", "xieshang.local")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form(&csrf, PASSWORD)))
        .unwrap();
    assert_eq!(app.send(cross).await.status, StatusCode::FORBIDDEN);

    let wrong = app
        .page(
            Method::POST,
            "/login",
            &cookie,
            Some(&form(&csrf, "wrong-password")),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名或密码不正确"));
    assert!(wrong.body.contains("value=\"staff_r\""), "the name is kept");

    let ok = app
        .page(
            Method::POST,
            "/login",
            &cookie,
            Some(&form(&csrf, PASSWORD)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header("location"), Some("/admin/members"));
    let session = ok
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("xs_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure")
    );
    // Behind an https proxy the cookie is Secure.
    let https = Request::post("/login")
        .header("cookie", &cookie)
        .header("x-forwarded-proto", "https")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form(&csrf, PASSWORD)))
        .unwrap();
    assert!(
        app.send(https)
            .await
            .cookies()
            .iter()
            .any(|c| c.starts_with("xs_session=") && c.contains("; Secure"))
    );
    // An open redirect is not possible.
    let evil = format!("_csrf={csrf}&username=staff_r&password={PASSWORD}&next=%2F%2Fevil.example");
    assert_eq!(
        app.page(Method::POST, "/login", &cookie, Some(&evil))
            .await
            .header("location"),
        Some("/")
    );

    // Five failures slow the form down too, saying how long to wait.
    for _ in 0..5 {
        let f = format!("_csrf={csrf}&username=leader_r&password=wrong-password");
        assert_eq!(
            app.page(Method::POST, "/login", &cookie, Some(&f))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let f = format!("_csrf={csrf}&username=leader_r&password={PASSWORD}");
    let slowed = app.page(Method::POST, "/login", &cookie, Some(&f)).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(slowed.header("retry-after").is_some());
    assert!(slowed.body.contains("尝试次数过多"));
    // Signed in, the session's own token is required; sign-out ends the session.
    let (session, token) = app.web_login("staff_r").await;
    let home = app.page(Method::GET, "/", &session, None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("工作人员 · 测试省政协 (提案)"));
    assert_eq!(
        app.page(
            Method::POST,
            "/logout",
            &session,
            Some(&format!("_csrf={csrf}"))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.page(
            Method::POST,
            "/logout",
            &session,
            Some(&format!("_csrf={token}"))
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.page(Method::GET, "/", &session, None).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_language_follows_the_user_then_the_cookie_then_the_browser() {
    let app = TestApp::new().await;
    let req = Request::get("/login")
        .header("accept-language", "en-US,en;q=0.9")
        .body(Body::empty())
        .unwrap();
    let en = app.send(req).await;
    assert_accessible_page(&en, "en");
    assert!(en.body.contains(">Log in</h1>"));
    let zh = app.page(Method::GET, "/login", "", None).await;
    assert_accessible_page(&zh, "zh-CN");
    assert!(zh.body.contains(">登录</h1>"));

    let (visitor, csrf) = app.visitor().await;
    let a = app
        .page(
            Method::POST,
            "/lang",
            &visitor,
            Some(&format!("_csrf={csrf}&lang=en&next=%2Flogin")),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(a.cookies().iter().any(|c| c.starts_with("xs_lang=en")));
    let with_cookie = app
        .page(
            Method::GET,
            "/login",
            &format!("{visitor}; xs_lang=en"),
            None,
        )
        .await;
    assert!(with_cookie.body.contains("<html lang=\"en\">"));
    let bad = app
        .page(
            Method::POST,
            "/lang",
            &visitor,
            Some(&format!("_csrf={csrf}&lang=fr")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Signed in, the choice is saved on the account and wins over the browser.
    let (session, token) = app.web_login("member_r").await;
    app.page(
        Method::POST,
        "/lang",
        &session,
        Some(&format!("_csrf={token}&lang=en&next=%2F")),
    )
    .await;
    let req = Request::get("/")
        .header("cookie", &session)
        .header("accept-language", "zh-CN")
        .body(Body::empty())
        .unwrap();
    let home = app.send(req).await;
    assert!(home.body.contains("<html lang=\"en\">") && home.body.contains("Welcome, "));
    let api = app.token("member_r").await;
    let me = app.api(Method::GET, "/me", Some(&api), None).await.json();
    assert_eq!(me["lang"], "en");
}

#[tokio::test]
async fn every_admin_page_renders_for_an_admin() {
    let app = TestApp::new().await;
    let (session, _) = app.web_login("admin_r").await;
    let r = app.fx.region;
    for path in [
        "/".to_string(),
        "/account".into(),
        "/admin".into(),
        "/admin/committees".into(),
        "/admin/committees/new".into(),
        format!("/admin/committees/{r}"),
        "/admin/sectors".into(),
        format!("/admin/sectors/{}", app.fx.sector_region),
        "/admin/sectors/new".into(),
        "/admin/special-committees".into(),
        "/admin/parties".into(),
        "/admin/parties/new".into(),
        "/admin/units".into(),
        "/admin/members".into(),
        "/admin/members/new".into(),
        "/admin/users".into(),
        "/admin/users/new".into(),
        "/admin/events".into(),
        format!("/admin/events?committee_id={r}&action=user.&page=1"),
        format!("/admin/members?committee_id={}", app.fx.county),
    ] {
        let a = app.page(Method::GET, &path, &session, None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
        assert_accessible_page(&a, "zh-CN");
    }
    // Long lists are paged, keeping their filters in the links.
    let sys = store::Caller::system();
    let mut tx = app.db().begin().await.unwrap();
    for i in 0..55 {
        let b = domain::platform::BodyInput {
            name: format!("分页界别{i:02}"),
            ..Default::default()
        };
        store::platform::bodies::create_in(
            &mut tx,
            &sys,
            domain::platform::BodyKind::Sector,
            r,
            &b,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let first = app
        .page(
            Method::GET,
            &format!("/admin/sectors?committee_id={r}&q={}", enc("分页")),
            &session,
            None,
        )
        .await;
    assert!(
        first.body.contains("第 1 页，共 2 页") && first.body.contains("共 55 条"),
        "{}",
        first.body
    );
    let next = format!(
        "/admin/sectors?committee_id={r}&#38;q={}&#38;page=2",
        enc("分页")
    );
    assert!(
        first
            .body
            .contains(&format!("href=\"{next}\" rel=\"next\"")),
        "next link keeps the filters"
    );
    let second = app
        .page(Method::GET, &next.replace("&#38;", "&"), &session, None)
        .await;
    assert!(
        second.body.contains("分页界别54")
            && !second.body.contains("分页界别00")
            && second.body.contains("rel=\"prev\"")
    );
    // A member sees the organisation but not the admin pages.
    let (member, _) = app.web_login("member_r").await;
    assert_eq!(
        app.page(Method::GET, "/admin/sectors", &member, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.page(Method::GET, "/admin/members", &member, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.page(Method::GET, "/admin/events", &member, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    for path in [
        "/admin/committees/new",
        "/admin/sectors/new",
        "/admin/members/new",
        "/admin/users/new",
    ] {
        let a = app.page(Method::GET, path, &member, None).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{path}");
    }
    let home = app.page(Method::GET, "/", &member, None).await;
    assert!(!home.body.contains("/admin/users"), "navigation by role");
}

#[tokio::test]
async fn admin_forms_create_edit_and_refuse_bad_input() {
    let app = TestApp::new().await;
    let (s, t) = app.web_login("admin_r").await;
    let r = app.fx.region;
    // A body: invalid, then valid, then a stale edit.
    let bad = app
        .page(
            Method::POST,
            &format!("/admin/units/new?committee_id={r}"),
            &s,
            Some(&format!("_csrf={t}&name=&kind=government&sort_order=x")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid=\"true\"") && bad.body.contains("请输入数字"));
    let ok = app
        .page(
            Method::POST,
            &format!("/admin/units/new?committee_id={r}"),
            &s,
            Some(&format!(
                "_csrf={t}&name={}&kind=government&sort_order=3&active=true",
                enc("省财政厅")
            )),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let list = app
        .page(
            Method::GET,
            &format!("/admin/units?committee_id={r}&q={}", enc("财政")),
            &s,
            None,
        )
        .await;
    assert!(list.body.contains("省财政厅") && list.body.contains("共 1 条"));
    let id: String = list
        .body
        .match_indices("/admin/units/")
        .map(|(i, _)| {
            list.body[i + 13..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
        })
        .find(|id| !id.is_empty())
        .expect("a link to the unit");
    let edit = app
        .page(Method::GET, &format!("/admin/units/{id}"), &s, None)
        .await;
    assert!(edit.body.contains("name=\"version\" value=\"1\""));
    let e1 = app
        .page(
            Method::POST,
            &format!("/admin/units/{id}"),
            &s,
            Some(&format!(
                "_csrf={t}&version=1&name={}&kind=government",
                enc("财政厅")
            )),
        )
        .await;
    assert_eq!(e1.status, StatusCode::SEE_OTHER);
    let e2 = app
        .page(
            Method::POST,
            &format!("/admin/units/{id}"),
            &s,
            Some(&format!(
                "_csrf={t}&version=1&name={}&kind=government",
                enc("别的名字")
            )),
        )
        .await;
    assert_eq!(e2.status, StatusCode::CONFLICT);
    assert!(e2.body.contains("记录已被他人修改"));

    // A committee below the region.
    let c = app
        .page(
            Method::POST,
            "/admin/committees/new",
            &s,
            Some(&format!(
                "_csrf={t}&name={}&level=city&parent_id={r}",
                enc("新城市政协")
            )),
        )
        .await;
    assert_eq!(c.status, StatusCode::SEE_OTHER);
    let bad = app
        .page(
            Method::POST,
            "/admin/committees/new",
            &s,
            Some(&format!("_csrf={t}&name=x&level=regional&parent_id={r}")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A member, with the sector chosen from the committee's.
    let form = format!(
        "_csrf={t}&name={}&gender=female&ethnicity={}&birth_year=1972&affiliation=jiusan&sector_id={}&special_committee_id=&term=13&standing=true&phone=13900000000&active=true",
        enc("赵敏"),
        enc("回族"),
        app.fx.sector_region
    );
    let m = app
        .page(
            Method::POST,
            &format!("/admin/members/new?committee_id={r}"),
            &s,
            Some(&form),
        )
        .await;
    assert_eq!(m.status, StatusCode::SEE_OTHER, "{}", m.body);
    let list = app
        .page(
            Method::GET,
            &format!("/admin/members?committee_id={r}&q={}", enc("赵")),
            &s,
            None,
        )
        .await;
    assert!(
        list.body.contains("赵敏")
            && list.body.contains("经济界")
            && list.body.contains("九三学社")
    );
    let bad = app
        .page(
            Method::POST,
            &format!("/admin/members/new?committee_id={r}"),
            &s,
            Some(&format!("_csrf={t}&name=&gender=x&birth_year=abc&term=13")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-birth_year-error"));

    // An account with a role granted through the form.
    let u = app
        .page(
            Method::POST,
            "/admin/users/new",
            &s,
            Some(&format!(
                "_csrf={t}&committee_id={r}&username=clerk&display_name={}&password=clerk+password",
                enc("书记员")
            )),
        )
        .await;
    assert_eq!(u.status, StatusCode::SEE_OTHER, "{}", u.body);
    let loc = u.header("location").unwrap().to_string();
    let g = app
        .page(
            Method::POST,
            &format!("{loc}/grant"),
            &s,
            Some(&format!(
                "_csrf={t}&role=staff&committee_id={r}&unit_id=&offices=proposals&offices=liaison"
            )),
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    let page = app.page(Method::GET, &loc, &s, None).await;
    assert!(
        page.body.contains("工作人员 · 测试省政协 (提案、联络)"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!(
            "<option value=\"{}\">测试省政协 · 省教育厅</option>",
            app.fx.unit_region
        )),
        "units to choose from"
    );
    let g = app
        .page(
            Method::POST,
            &format!("{loc}/grant"),
            &s,
            Some(&format!(
                "_csrf={t}&role=unit_officer&committee_id={r}&unit_id={}",
                app.fx.unit_region
            )),
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    assert!(
        app.page(Method::GET, &loc, &s, None)
            .await
            .body
            .contains("承办单位人员 · 测试省政协 · 省教育厅")
    );
    let g = app
        .page(
            Method::POST,
            &format!("{loc}/grant"),
            &s,
            Some(&format!("_csrf={t}&role=staff&committee_id={r}")),
        )
        .await;
    assert_eq!(g.status, StatusCode::UNPROCESSABLE_ENTITY);
    let version = |p: &Answer| {
        let i = p.body.find("name=\"version\" value=\"").unwrap() + 22;
        p.body[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    };
    let v = version(&app.page(Method::GET, &loc, &s, None).await);
    let d = app
        .page(
            Method::POST,
            &format!("{loc}/disable"),
            &s,
            Some(&format!("_csrf={t}&version={v}")),
        )
        .await;
    assert_eq!(d.status, StatusCode::SEE_OTHER);
    assert!(
        app.page(Method::GET, &loc, &s, None)
            .await
            .body
            .contains("已停用")
    );
    let stale = app
        .page(
            Method::POST,
            &format!("{loc}/enable"),
            &s,
            Some(&format!("_csrf={t}&version={v}")),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let events = app
        .page(Method::GET, "/admin/events?action=user.disable", &s, None)
        .await;
    assert!(events.body.contains("user.disable") && events.body.contains("admin_r"));
}

#[tokio::test]
async fn a_user_changes_their_password_on_the_account_page() {
    let app = TestApp::new().await;
    let (s, t) = app.web_login("member_r").await;
    let bad = app
        .page(
            Method::POST,
            "/account/password",
            &s,
            Some(&format!(
                "_csrf={t}&current_password=wrong&new_password=12345678"
            )),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("当前密码不正确") && bad.body.contains("密码不能全是数字"));
    let ok = app
        .page(
            Method::POST,
            "/account/password",
            &s,
            Some(&format!(
                "_csrf={t}&current_password={PASSWORD}&new_password=another+pass"
            )),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.page(Method::GET, "/account", &s, None).await.status,
        StatusCode::SEE_OTHER,
        "sessions ended"
    );
    let login = app
        .api(
            Method::POST,
            "/auth/login",
            None,
            Some(serde_json::json!({"username": "member_r", "password": "another pass"})),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(csrf_of(&app.page(Method::GET, "/login", "", None).await.body).is_some());
}

#[tokio::test]
async fn a_proposal_goes_from_draft_to_closed_through_the_pages() {
    let app = TestApp::new().await;
    let r = app.fx.region;
    let (member, mt) = app.web_login("member_r").await;
    let (staff, st) = app.web_login("staff_r").await;
    let (unit, ut) = app.web_login("unit_r").await;
    let form = app
        .page(
            Method::GET,
            &format!("/proposals/new?committee_id={r}"),
            &member,
            None,
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_accessible_page(&form, "zh-CN");
    let bad = app
        .page(
            Method::POST,
            &format!("/proposals/new?committee_id={r}"),
            &member,
            Some(&format!(
                "_csrf={mt}&title=&body=&category=&kind=individual&term=13&session=0"
            )),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-title-error"));
    let body = format!(
        "_csrf={mt}&title={}&body={}&category=education&kind=individual&term=13&session=2&publish_consent=true",
        enc("关于加强中小学心理健康教育的建议"),
        enc("案由：……\n建议：配齐专职心理教师。")
    );
    let created = app
        .page(
            Method::POST,
            &format!("/proposals/new?committee_id={r}"),
            &member,
            Some(&body),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let at = created.header("location").unwrap().to_string();
    let page = app.page(Method::GET, &at, &member, None).await;
    assert_accessible_page(&page, "zh-CN");
    assert!(page.body.contains("id=\"step-submit\"") && page.body.contains("id=\"step-withdraw\""));
    assert!(
        !page.body.contains("step-file"),
        "only the steps the member may take"
    );
    let version = |p: &Answer| {
        let i = p.body.find("name=\"version\" value=\"").unwrap() + 22;
        p.body[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    };
    // The draft can be edited by its proposer, and only while it is a draft.
    assert!(page.body.contains(&format!("href=\"{at}/edit\"")));
    let edit = app
        .page(Method::GET, &format!("{at}/edit"), &member, None)
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    let edited = format!(
        "_csrf={mt}&version={}&title={}&body={}&category=education&term=13&session=2&publish_consent=true",
        version(&edit),
        enc("关于加强中小学生心理健康教育的建议"),
        enc("案由：……\n建议：配齐专职心理教师。")
    );
    let saved = app
        .page(Method::POST, &format!("{at}/edit"), &member, Some(&edited))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.page(Method::GET, &at, &member, None).await;
    assert!(page.body.contains("关于加强中小学生心理健康教育的建议"));
    let step = |who: &str, token: &str, name: &str, fields: &str, v: &str| {
        let (path, form) = (
            format!("{at}/actions/{name}"),
            format!("_csrf={token}&version={v}{fields}"),
        );
        let (app, who) = (&app, who.to_string());
        async move { app.page(Method::POST, &path, &who, Some(&form)).await }
    };
    let v = version(&page);
    assert_eq!(
        step(&member, &mt, "submit", "", &v).await.status,
        StatusCode::SEE_OTHER
    );
    // A stale form is refused with the reason, and nothing changes.
    let stale = step(&member, &mt, "withdraw", "", &v).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("记录已被他人修改"));
    for name in ["start-review", "file"] {
        let v = version(&app.page(Method::GET, &at, &staff, None).await);
        assert_eq!(
            step(&staff, &st, name, "", &v).await.status,
            StatusCode::SEE_OTHER,
            "{name}"
        );
    }
    let p = app.page(Method::GET, &at, &staff, None).await;
    assert!(p.body.contains("十三届二次-0001") && p.body.contains("第十三届第二次会议"));
    let v = version(&p);
    let none = step(&staff, &st, "assign", "", &v).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        step(
            &staff,
            &st,
            "assign",
            &format!("&lead_units={}", app.fx.unit_region),
            &v
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let v = version(&app.page(Method::GET, &at, &unit, None).await);
    let consult = format!(
        "&held_on=2026-04-01&form=meeting&participants={}&agreed={}",
        enc("提案人"),
        enc("秋季学期前配齐")
    );
    assert_eq!(
        step(&unit, &ut, "record-consultation", &consult, &v)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let v = version(&app.page(Method::GET, &at, &unit, None).await);
    assert_eq!(
        step(
            &unit,
            &ut,
            "answer",
            &format!("&category=A&text={}", enc("已配齐专职心理教师。")),
            &v
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let v = version(&app.page(Method::GET, &at, &member, None).await);
    assert_eq!(
        step(&member, &mt, "evaluate", "&satisfaction=satisfied", &v)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let v = version(&app.page(Method::GET, &at, &staff, None).await);
    assert_eq!(
        step(&staff, &st, "close", "", &v).await.status,
        StatusCode::SEE_OTHER
    );
    let done = app.page(Method::GET, &at, &member, None).await;
    assert!(
        done.body.contains("已办结")
            && done.body.contains("已配齐专职心理教师")
            && done.body.contains("办理协商")
    );
    let list = app
        .page(
            Method::GET,
            &format!("/proposals?committee_id={r}&state=closed"),
            &staff,
            None,
        )
        .await;
    assert_accessible_page(&list, "zh-CN");
    assert!(
        list.body.contains("关于加强中小学生心理健康教育的建议") && list.body.contains("共 1 条")
    );
    // The proposer agreed to publication: the answer is on the public page, for anyone.
    let public = app.page(Method::GET, "/public/proposals", "", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_accessible_page(&public, "zh-CN");
    assert!(public.body.contains("关于加强中小学生心理健康教育的建议"));
    let id = at.trim_start_matches("/proposals/");
    let one = app
        .page(Method::GET, &format!("/public/proposals/{id}"), "", None)
        .await;
    assert!(one.body.contains("已配齐专职心理教师") && one.body.contains("省教育厅的答复"));
    // Nothing unpublished is there: a draft of the same member is not found.
    let draft = app
        .page(
            Method::POST,
            &format!("/proposals/new?committee_id={r}"),
            &member,
            Some(&body),
        )
        .await;
    let draft_id = draft
        .header("location")
        .unwrap()
        .trim_start_matches("/proposals/")
        .to_string();
    assert_eq!(
        app.page(
            Method::GET,
            &format!("/public/proposals/{draft_id}"),
            "",
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Another member sees nothing of it; an unknown step is not found.
    let (other, _) = app.web_login("member2_r").await;
    assert_eq!(
        app.page(Method::GET, &at, &other, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        step(&staff, &st, "fly", "", "1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_joint_proposal_is_started_on_the_page_with_chosen_cosigners() {
    let app = TestApp::new().await;
    let r = app.fx.region;
    let (member, mt) = app.web_login("member_r").await;
    let form = app
        .page(
            Method::GET,
            &format!("/proposals/new?committee_id={r}"),
            &member,
            None,
        )
        .await;
    assert_accessible_page(&form, "zh-CN");
    let partner = xieshang_tests::member_id(app.db(), "member2_r").await;
    let own = xieshang_tests::member_id(app.db(), "member_r").await;
    assert!(form.body.contains(&format!("<option value=\"{partner}\"")));
    assert!(
        !form.body.contains(&format!("<option value=\"{own}\"")),
        "not oneself"
    );
    let body = format!(
        "_csrf={mt}&title={}&body={}&category=economy&kind=joint&cosigner_ids={partner}&term=13&session=2",
        enc("关于发展县域特色产业的建议"),
        enc("案由：……\n建议：……")
    );
    let created = app
        .page(
            Method::POST,
            &format!("/proposals/new?committee_id={r}"),
            &member,
            Some(&body),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let at = created.header("location").unwrap().to_string();
    let page = app.page(Method::GET, &at, &member, None).await;
    assert!(
        page.body.contains("联名人") && page.body.contains("待确认"),
        "{}",
        page.body
    );
    // A joint proposal without co-signers is refused, naming the field.
    let body = format!(
        "_csrf={mt}&title={}&body={}&category=economy&kind=joint&term=13&session=2",
        enc("关于另一件事的建议"),
        enc("案由……")
    );
    let bad = app
        .page(
            Method::POST,
            &format!("/proposals/new?committee_id={r}"),
            &member,
            Some(&body),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("f-cosigner_ids-error"), "{}", bad.body);
}

#[tokio::test]
async fn the_navigation_follows_the_role() {
    let app = TestApp::new().await;
    // The addresses a navigation bar (`main` or the organisation's `sub`) links to.
    let nav = |html: &str, class: &str| -> Vec<String> {
        let Some(start) = html.find(&format!("<nav class=\"{class}\"")) else {
            return Vec::new();
        };
        let end = html[start..]
            .find("</nav>")
            .map_or(html.len(), |e| start + e);
        html[start..end]
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next().map(String::from))
            .collect()
    };
    let bars = |who: &'static str, path: &'static str| {
        let app = &app;
        async move {
            let (cookie, _) = app.web_login(who).await;
            let page = app.page(Method::GET, path, &cookie, None).await;
            (page.status, nav(&page.body, "main"), nav(&page.body, "sub"))
        }
    };
    let has = |links: &[String], href: &str| links.iter().any(|l| l == href);
    let (_, citizen, _) = bars("citizen_r", "/").await;
    assert!(has(&citizen, "/studios"), "{citizen:?}");
    assert!(has(&citizen, "/inputs"));
    for hidden in ["/proposals", "/opinions", "/admin", "/admin/users"] {
        assert!(!has(&citizen, hidden), "a citizen sees no {hidden}");
    }
    let (_, member, _) = bars("member_r", "/").await;
    for shown in ["/proposals", "/opinions", "/consultations"] {
        assert!(has(&member, shown), "a member sees {shown}: {member:?}");
    }
    assert!(!has(&member, "/admin") && !has(&member, "/admin/sectors"));
    // The organisation's page is for those who oversee a committee.
    for who in ["member_r", "citizen_r", "unit_r"] {
        let (status, _, sub) = bars(who, "/admin").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        assert!(sub.is_empty(), "{who}: {sub:?}");
    }
    let (_, unit, _) = bars("unit_r", "/").await;
    assert!(has(&unit, "/proposals") && !has(&unit, "/opinions"));

    // Staff: one entry for the organisation in the main bar, its sections in
    // a second bar on its pages (the audit trail is the administrators').
    let (_, staff, sub) = bars("staff_r", "/").await;
    assert!(
        has(&staff, "/proposals") && has(&staff, "/admin"),
        "{staff:?}"
    );
    assert!(!has(&staff, "/admin/sectors"), "{staff:?}");
    assert!(
        sub.is_empty(),
        "no second bar outside the organisation: {sub:?}"
    );
    let (status, _, sub) = bars("staff_r", "/admin").await;
    assert_eq!(status, StatusCode::OK);
    for shown in ["/admin/sectors", "/admin/members", "/admin/users"] {
        assert!(has(&sub, shown), "staff see {shown}: {sub:?}");
    }
    assert!(!has(&sub, "/admin/events"), "{sub:?}");
    let (_, _, admin_sub) = bars("admin_r", "/admin/sectors").await;
    assert!(has(&admin_sub, "/admin/events"), "{admin_sub:?}");
    // The section shown is marked in the second bar, the organisation in the first.
    let (cookie, _) = app.web_login("staff_r").await;
    let page = app.page(Method::GET, "/admin/members", &cookie, None).await;
    for marked in [
        "<a href=\"/admin\" aria-current=\"page\">",
        "<a href=\"/admin/members\" aria-current=\"page\">",
    ] {
        assert!(page.body.contains(marked), "{marked}");
    }
    // The organisation's page links each section with what it holds.
    let hub = app.page(Method::GET, "/admin", &cookie, None).await;
    assert_accessible_page(&hub, "zh-CN");
    for want in [
        "<h1>组织管理</h1>",
        "href=\"/admin/units\"",
        "办理提案的政府部门和单位",
    ] {
        assert!(hub.body.contains(want), "{want}");
    }
}

/// A list's rows are rendered once and kept while nothing changes (on
/// SQLite): a change shows at once, each language has its own rows, and one
/// member's rows are never another's.
#[tokio::test]
async fn kept_list_rows_follow_changes_languages_and_readers() {
    use serde_json::json;
    let app = TestApp::new().await;
    let r = app.fx.region;
    let token = app.token("member_r").await;
    let draft = json!({"title": "关于整治老旧小区停车难的建议", "body": "案由……\n建议……", "category": "society", "kind": "individual", "term": 13, "session": 2});
    let created = app
        .api(Method::POST, "/proposals", Some(&token), Some(draft))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().expect("id");
    let (member, _) = app.web_login("member_r").await;
    let (member2, _) = app.web_login("member2_r").await;
    let list = format!("/proposals?committee_id={r}");
    let row = |title: &str| format!("\">{title}</a></td><td data-label=");
    for _ in 0..2 {
        let a = app.page(Method::GET, &list, &member, None).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(
            a.body.contains(&row("关于整治老旧小区停车难的建议")) && a.body.contains(">草稿</td>"),
            "{}",
            a.body
        );
    }
    // The same address for another member: the draft is not theirs.
    let other = app.page(Method::GET, &list, &member2, None).await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(!other.body.contains("停车难") && !other.body.contains(">草稿</td>"));
    // The same rows in English.
    let english = app
        .page(Method::GET, &list, &format!("{member}; xs_lang=en"), None)
        .await;
    assert!(
        english.body.contains(">Draft</td>") && !english.body.contains(">草稿</td>"),
        "{}",
        english.body
    );
    // A new title and a new state show at once.
    let edit = json!({"title": "关于缓解老旧小区停车难的建议", "body": "案由……\n建议……", "category": "society", "kind": "individual", "term": 13, "session": 2});
    let a = app
        .api(
            Method::PATCH,
            &format!("/proposals/{id}"),
            Some(&token),
            Some(edit),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = app
        .api(
            Method::POST,
            &format!("/proposals/{id}/actions/submit"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = app.page(Method::GET, &list, &member, None).await;
    assert!(
        a.body.contains(&row("关于缓解老旧小区停车难的建议"))
            && !a.body.contains("整治")
            && a.body.contains(">已提交</td>")
            && !a.body.contains(">草稿</td>"),
        "{}",
        a.body
    );
}
