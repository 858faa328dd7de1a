//! Browser tests: headless Chromium, driven through chromedriver, clicking
//! through the main workflows against a real server on a loopback port.
//! They skip, saying why, where Chromium or chromedriver is not installed.

use std::net::SocketAddr;
use xieshang_tests::TestDb;
use xieshang_tests::webdriver::{self, Browser};

const DEMO_PASSWORD: &str = "demo password";

/// One browser at a time: on two cores, three Chromium instances at once
/// starve each other past the tests' waits.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    format!("http://{addr}")
}

/// Signs in as one of the demo's named accounts.
async fn login(b: &Browser, base: &str, who: &str) -> Result<(), String> {
    b.goto(&format!("{base}/login")).await?;
    b.type_into("#username", who).await?;
    b.type_into("#password", DEMO_PASSWORD).await?;
    b.click_to_load("#login-submit").await?;
    b.wait_url(|u| !u.contains("/login")).await?;
    Ok(())
}

/// Signs out from any page.
async fn logout(b: &Browser) -> Result<(), String> {
    b.click_to_load("form.logout button").await?;
    b.wait_url(|u| u.contains("/login")).await.map(|_| ())
}

/// A server over the demo data without history, on a loopback port.
async fn demo_server() -> (TestDb, String) {
    let t = TestDb::new().await;
    store::demo::seed_sized(&t.db, store::demo::DEFAULT_SEED, DEMO_PASSWORD, 0)
        .await
        .expect("demo data");
    let router = web::router(web::state::AppState {
        db: t.db.clone(),
        settings: Default::default(),
        search: search::Search::in_ram().unwrap(),
    });
    let base = serve(router).await;
    (t, base)
}

/// Saves a screenshot under target/browser for a person to look at.
async fn shot(b: &Browser, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser");
    let _ = std::fs::create_dir_all(&dir);
    let _ = b.screenshot(&dir.join(format!("{name}.png"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_logs_in_switches_language_opens_an_admin_page_and_logs_out() {
    let _one = ONE_BROWSER.lock().await;
    let (driver, chrome) = match webdriver::find() {
        Ok(p) => p,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    // The demo data, as `serve --demo` makes it, with its `staff` account.
    let t = TestDb::new().await;
    store::demo::seed_sized(&t.db, store::demo::DEFAULT_SEED, DEMO_PASSWORD, 0)
        .await
        .expect("demo data");
    let router = web::router(web::state::AppState {
        db: t.db.clone(),
        settings: Default::default(),
        search: search::Search::in_ram().unwrap(),
    });
    let base = serve(router).await;
    let b = Browser::start(&driver, &chrome).await.expect("browser");
    let run = async {
        b.goto(&format!("{base}/")).await?;
        b.wait_url(|u| u.contains("/login")).await?;
        assert_eq!(b.attr("html", "lang").await?.as_deref(), Some("zh-CN"));
        // A wrong password first.
        b.type_into("#username", "staff").await?;
        b.type_into("#password", "not-the-password").await?;
        b.click("#login-submit").await?;
        let err = b.text("#login-error").await?;
        assert!(err.contains("用户名或密码不正确"), "{err}");
        shot(&b, "1-login-failed").await;
        // Then the right one.
        b.type_into("#password", DEMO_PASSWORD).await?;
        b.click("#login-submit").await?;
        b.wait_url(|u| u.ends_with("/")).await?;
        let h1 = b.text("main h1").await?;
        assert!(h1.contains("欢迎"), "{h1}");
        shot(&b, "2-home").await;
        // Switch to English.
        b.click("form.lang button").await?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while b.attr("html", "lang").await?.as_deref() != Some("en") {
            assert!(
                std::time::Instant::now() < deadline,
                "language did not switch"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(b.text("main h1").await?.starts_with("Welcome"));
        // Open an admin page from the navigation.
        b.click("nav.main a[href='/admin/members']").await?;
        b.wait_url(|u| u.contains("/admin/members")).await?;
        assert_eq!(b.text("main h1").await?, "Members");
        assert_eq!(
            b.count("tbody tr").await?,
            50,
            "a page of the regional committee's 360 members"
        );
        assert!(b.text("p.count").await?.starts_with("360 "));
        // Filter by search: the demo's linked member 李红梅.
        b.type_into("#f-q", "李红梅").await?;
        b.click("form.filters button").await?;
        b.wait_url(|u| u.contains("q=")).await?;
        assert!(b.text("tbody").await?.contains("李红梅"));
        // And page through the list.
        b.type_into("#f-q", "").await?;
        b.click("form.filters button").await?;
        b.click("a[rel='next']").await?;
        b.wait_url(|u| u.contains("page=2")).await?;
        assert!(b.text(".pager span").await?.contains("Page 2 of 8"));
        shot(&b, "3-members").await;
        // Log out.
        b.click("form.logout button").await?;
        b.wait_url(|u| u.contains("/login")).await?;
        assert_eq!(b.text("main h1").await?, "Log in");
        b.goto(&format!("{base}/admin/members")).await?;
        b.wait_url(|u| u.contains("/login?next=")).await?;
        Ok::<(), String>(())
    };
    let result = run.await;
    if result.is_err() {
        shot(&b, "failure").await;
    }
    b.quit().await;
    result.expect("browser workflow");
}

/// The proposals workflow by clicking: `member` writes and submits; `staff`
/// reviews, files and assigns to `unit`'s unit; `unit` consults and answers;
/// `member` is not satisfied; `unit` answers again; `member` is satisfied;
/// `staff` closes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_is_written_filed_handled_answered_twice_and_closed() {
    let _one = ONE_BROWSER.lock().await;
    let (driver, chrome) = match webdriver::find() {
        Ok(p) => p,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let (_t, base) = demo_server().await;
    let b = Browser::start(&driver, &chrome).await.expect("browser");
    let login = |who: &'static str| login(&b, &base, who);
    let logout = || logout(&b);
    // Each step posts its form and the proposal's page loads again.
    let step = |name: &'static str| {
        let b = &b;
        async move { b.click_to_load(&format!("#step-{name}")).await }
    };
    let run = async {
        login("member").await?;
        b.click("nav.main a[href='/proposals']").await?;
        b.click("main a.button").await?;
        b.type_into("#f-title", "关于建设社区嵌入式托育点的建议")
            .await?;
        b.type_into(
            "#f-body",
            "案由：双职工家庭托育难。\n建议：依托社区服务中心建设托育点。",
        )
        .await?;
        b.choose("#f-category", "society").await?;
        b.type_into("#f-session", "2").await?;
        b.click("#f-publish_consent").await?;
        b.click_to_load("main form button[type='submit']").await?;
        let url = b
            .wait_url(|u| u.contains("/proposals/") && !u.contains("new"))
            .await?;
        step("submit").await?;
        assert!(b.text(".badge.state").await?.contains("已提交"));
        logout().await?;

        login("staff").await?;
        b.goto(&url).await?;
        step("start-review").await?;
        step("file").await?;
        assert!(b.text(".number").await?.starts_with("十三届二次-"));
        // 省教育厅 is the demo unit officer's unit.
        let unit_box = "form[action$='/actions/assign'] input[name='lead_units']";
        let boxes = b.count(unit_box).await?;
        assert!(boxes >= 40);
        b.click("form[action$='/actions/assign'] label:nth-of-type(2) input")
            .await?;
        step("assign").await?;
        assert!(b.text(".badge.state").await?.contains("已交办"));
        logout().await?;

        login("unit").await?;
        b.goto(&url).await?;
        b.execute("document.querySelector('#f-held_on').value = '2026-04-01'")
            .await?;
        b.type_into("#f-participants", "提案人、省教育厅").await?;
        b.type_into("#f-agreed", "年内建成十个试点。").await?;
        step("record-consultation").await?;
        b.choose("#f-category", "B").await?;
        b.type_into("#f-text", "已列入明年计划。").await?;
        step("answer").await?;
        logout().await?;

        login("member").await?;
        b.goto(&url).await?;
        b.choose("#f-satisfaction", "not-satisfied").await?;
        b.type_into("#f-comment", "请明确建设时间表。").await?;
        step("evaluate").await?;
        assert!(b.text(".badge.state").await?.contains("办理中"));
        logout().await?;

        login("unit").await?;
        b.goto(&url).await?;
        b.choose("#f-category", "A").await?;
        b.type_into("#f-text", "今年九月前建成十个试点。").await?;
        step("answer").await?;
        logout().await?;

        login("member").await?;
        b.goto(&url).await?;
        b.choose("#f-satisfaction", "satisfied").await?;
        step("evaluate").await?;
        logout().await?;

        login("staff").await?;
        b.goto(&url).await?;
        step("close").await?;
        assert!(b.text(".badge.state").await?.contains("已办结"));
        let timeline = b.text(".timeline").await?;
        for label in [
            "撰写",
            "提交",
            "立案",
            "交办",
            "办理协商",
            "答复",
            "评价",
            "办结",
        ] {
            assert!(timeline.contains(label), "{label} in {timeline}");
        }
        shot(&b, "4-proposal-closed").await;
        logout().await?;
        // Closed and agreed to publication: it is on the public page, signed out.
        b.click("nav.main a[href='/public/proposals']").await?;
        b.wait_url(|u| u.contains("/public/proposals")).await?;
        b.click("tbody a").await?;
        assert_eq!(b.text("main h1").await?, "关于建设社区嵌入式托育点的建议");
        assert!(b.text("main").await?.contains("今年九月前建成十个试点。"));
        Ok::<(), String>(())
    };
    let result = run.await;
    if result.is_err() {
        shot(&b, "proposal-failure").await;
    }
    b.quit().await;
    result.expect("proposal workflow");
}

/// The public-opinion workflow by clicking: `citizen` leaves input at a
/// studio; `member` (one of its members) turns it into a piece and submits;
/// `staff` edits it, opens a new bulletin issue, adopts the piece into it,
/// publishes and reports the issue and downloads its DOCX; `leader` records
/// an instruction; `citizen` and `member` see the feedback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizens_voice_goes_through_the_bulletin_to_an_instruction_and_back() {
    let _one = ONE_BROWSER.lock().await;
    let (driver, chrome) = match webdriver::find() {
        Ok(p) => p,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let (_t, base) = demo_server().await;
    let b = Browser::start(&driver, &chrome).await.expect("browser");
    let login = |who: &'static str| login(&b, &base, who);
    let logout = || logout(&b);
    let step = |name: &'static str| {
        let b = &b;
        async move { b.click_to_load(&format!("#step-{name}")).await }
    };
    let run = async {
        login("citizen").await?;
        b.click("nav.main a[href='/studios']").await?;
        b.wait_url(|u| u.ends_with("/studios")).await?;
        b.click_to_load("main ul.cards li:first-child a").await?;
        let studio = b.wait_url(|u| u.contains("/studios/")).await?;
        b.type_into("#f-title", "菜市场凌晨卸货扰民").await?;
        b.type_into(
            "#f-body",
            "每天凌晨四点开始卸货，周边居民无法休息。\n建议规定卸货时段。",
        )
        .await?;
        b.click_to_load("#leave-input").await?;
        assert!(b.text("#receipt").await?.len() == 64);
        assert!(b.text("main").await?.contains("已收到"));
        shot(&b, "5-citizen-receipt").await;
        logout().await?;

        login("member").await?;
        b.goto(&studio).await?;
        b.click_to_load("button[id^='take-up-']").await?;
        let piece = b.wait_url(|u| u.contains("/opinions/")).await?;
        assert!(b.text("main").await?.contains("群众"));
        step("submit").await?;
        assert!(b.text(".badge.state").await?.contains("已报送"));
        logout().await?;

        login("staff").await?;
        b.goto(&piece).await?;
        step("start-editing").await?;
        b.type_into("#f-title", "关于规范菜市场凌晨卸货时段的建议")
            .await?;
        b.type_into(
            "#f-body",
            "城区部分菜市场每天凌晨四点开始卸货，周边居民无法休息。\n建议规定卸货时段并设置专用通道。",
        )
        .await?;
        step("edit").await?;
        assert!(b.count(".diff ins").await? > 0, "the change is shown");
        b.goto(&format!("{base}/bulletins")).await?;
        b.click_to_load("#open-bulletin").await?;
        let issue = b.wait_url(|u| u.contains("/bulletins/")).await?;
        let issue_id = issue.rsplit('/').next().unwrap_or_default().to_string();
        b.goto(&piece).await?;
        b.choose("#f-bulletin_id", &issue_id).await?;
        step("adopt").await?;
        assert!(b.text(".badge.state").await?.contains("采用"));
        b.goto(&issue).await?;
        assert!(
            b.text("article.bulletin")
                .await?
                .contains("关于规范菜市场凌晨卸货时段的建议")
        );
        step("publish").await?;
        b.click("input[name='recipients'][value='party_committee']")
            .await?;
        b.click("input[name='recipients'][value='government']")
            .await?;
        b.type_into("#channel", "机要交换").await?;
        step("report").await?;
        assert!(b.text("main").await?.contains("机要交换"));
        // The DOCX link answers a Word document.
        let got = b
            .execute(
                "var a = document.querySelector('a[href$=\".docx\"]');\
                 var x = new XMLHttpRequest(); x.open('GET', a.href, false); x.send();\
                 return [x.status, x.getResponseHeader('content-type'), x.getResponseHeader('content-disposition')];",
            )
            .await?;
        assert_eq!(got[0], 200, "{got}");
        assert!(
            got[1].as_str().unwrap_or("").contains("wordprocessingml"),
            "{got}"
        );
        assert!(
            got[2].as_str().unwrap_or("").contains("attachment"),
            "{got}"
        );
        shot(&b, "6-bulletin-reported").await;
        logout().await?;

        login("leader").await?;
        b.goto(&piece).await?;
        b.type_into("#f-leader", "李县长").await?;
        b.choose("#f-level", "county").await?;
        b.execute("document.querySelector('#f-on_date').value = '2026-11-24'")
            .await?;
        b.type_into("#f-text", "请市场监管局牵头，一个月内拿出整改方案。")
            .await?;
        step("record-instruction").await?;
        assert!(b.text(".outcomes").await?.contains("一个月内拿出整改方案"));
        logout().await?;

        login("citizen").await?;
        b.click("nav.main a[href='/inputs']").await?;
        b.wait_url(|u| u.ends_with("/inputs")).await?;
        let mine = b.text("main").await?;
        assert!(mine.contains("已获反馈"), "{mine}");
        assert!(mine.contains("一个月内拿出整改方案"), "{mine}");
        logout().await?;

        login("member").await?;
        b.goto(&format!("{base}/notifications")).await?;
        assert!(b.text("main").await?.contains("获领导批示"));
        shot(&b, "7-member-feedback").await;
        Ok::<(), String>(())
    };
    let result = run.await;
    if result.is_err() {
        shot(&b, "opinion-failure").await;
    }
    b.quit().await;
    result.expect("public-opinion workflow");
}
