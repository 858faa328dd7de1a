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
        // Open an admin page from the navigation: the organisation, then its
        // members from the second bar.
        b.click("nav.main a[href='/admin']").await?;
        b.wait_url(|u| u.ends_with("/admin")).await?;
        assert_eq!(b.text("main h1").await?, "Organisation");
        b.click("nav.sub a[href='/admin/members']").await?;
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
        // On a phone the handling units read as cards: the unit's name on
        // top, each value beside its column's name, nothing to scroll sideways.
        b.resize(390, 844).await?;
        let card = b
            .execute(
                "const row = document.querySelector('table.list td.lead').parentElement;
                 const answer = row.querySelectorAll('td')[3];
                 row.scrollIntoView();
                 return [getComputedStyle(row).display,
                         getComputedStyle(row.querySelector('td.lead')).order,
                         getComputedStyle(answer, '::before').content,
                         document.documentElement.scrollWidth <= window.innerWidth];",
            )
            .await?;
        assert_eq!(
            card,
            serde_json::json!(["flex", "-1", "\"答复内容\"", true]),
            "a card on a phone"
        );
        shot(&b, "4b-proposal-on-a-phone").await;
        b.resize(1280, 900).await?;
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

/// Takes a consultation's step from its page, on `day` when given.
async fn consultation_step(b: &Browser, name: &str, day: &str) -> Result<(), String> {
    if !day.is_empty() {
        b.execute(&format!(
            "document.querySelector(\"form[action$='/actions/{name}'] input[name=on_date]\").value = '{day}'"
        ))
        .await?;
    }
    b.click_to_load(&format!("#step-{name}")).await
}

/// Opens every folded section of the page.
async fn open_all(b: &Browser) -> Result<(), String> {
    b.execute("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
        .await
        .map(|_| ())
}

/// The signed-in account's id.
async fn my_id(b: &Browser) -> Result<i64, String> {
    let v = b
        .execute(
            "var x = new XMLHttpRequest(); x.open('GET', '/api/v1/me', false); x.send(); return JSON.parse(x.responseText).id;",
        )
        .await?;
    v.as_i64().ok_or_else(|| format!("no id in {v}"))
}

/// Staff start next year's plan, add an item, agree it and start the item;
/// choose the participants and the evaluator; kick off, research and send
/// the draft. Answers the consultation's address.
async fn plan_to_draft(
    b: &Browser,
    base: &str,
    member: i64,
    evaluator: i64,
) -> Result<String, String> {
    login(b, base, "staff").await?;
    b.goto(&format!("{base}/plans")).await?;
    b.click_to_load("#new-plan").await?;
    b.wait_url(|u| u.contains("/plans/")).await?;
    b.type_into("#f-topic", "推进城乡供水一体化").await?;
    b.choose("#f-form", "thematic").await?;
    b.choose("#f-planned_month", "3").await?;
    b.click_to_load("#add-item").await?;
    assert!(b.text("main table").await?.contains("推进城乡供水一体化"));
    b.click_to_load("#step-agree").await?;
    b.click_to_load("button[id^='start-']").await?;
    let consultation = b.wait_url(|u| u.contains("/consultations/")).await?;
    assert!(b.text("h1").await?.contains("推进城乡供水一体化"));
    open_all(b).await?;
    b.click(&format!("input[name='user_ids'][value='{member}']"))
        .await?;
    b.click(&format!(
        "input[name='evaluator_user_ids'][value='{evaluator}']"
    ))
    .await?;
    b.click_to_load("#save-people").await?;
    assert!(b.text("#participants").await?.contains("李红梅"));
    consultation_step(b, "kick-off", "2026-10-01").await?;
    b.type_into(
        "form[action$='/actions/record-research'] textarea",
        "赴三个县调研供水工程。",
    )
    .await?;
    consultation_step(b, "record-research", "2026-10-15").await?;
    b.type_into(
        "form[action$='/actions/circulate-draft'] textarea",
        "关于推进城乡供水一体化的调研报告（初稿）",
    )
    .await?;
    consultation_step(b, "circulate-draft", "2026-11-10").await?;
    assert!(b.text("#draft").await?.contains("调研报告（初稿）"));
    logout(b).await?;
    Ok(consultation)
}

/// Staff call the meeting: the agenda opens with the study item; speeches
/// go party first whatever the order they were added in; the member is
/// checked in; minutes; the meeting is held and the report sent.
async fn meeting_to_report(
    b: &Browser,
    base: &str,
    consultation: &str,
    member: i64,
) -> Result<String, String> {
    login(b, base, "staff").await?;
    b.goto(consultation).await?;
    open_all(b).await?;
    b.click_to_load("#new-meeting").await?;
    let meeting = b.wait_url(|u| u.contains("/meetings/")).await?;
    open_all(b).await?;
    b.type_into("#item-0", "学习有关重要讲话精神").await?;
    b.type_into("#item-1", "听取调研报告").await?;
    b.click_to_load("#save-agenda").await?;
    b.click_to_load("#publish-agenda").await?;
    assert!(b.text("main").await?.contains("议程已发布"));
    for (kind, speaker) in [("individual", "李红梅"), ("party", "民盟省委会")] {
        open_all(b).await?;
        b.choose("#speaker-kind", kind).await?;
        b.type_into("#speaker", speaker).await?;
        b.type_into("#speech-title", "关于城乡供水的建议").await?;
        b.click_to_load("#add-speech").await?;
    }
    assert!(
        b.text("ol.speeches li:first-child")
            .await?
            .contains("民盟省委会")
    );
    b.click_to_load(&format!("#check-in-{member}")).await?;
    b.type_into("#minutes-text", "会议由副主席主持，两位同志发言。")
        .await?;
    b.click_to_load("#save-minutes").await?;
    shot(b, "8-meeting").await;
    assert!(b.text("#minutes").await?.contains("两位同志发言"));
    b.goto(consultation).await?;
    consultation_step(b, "hold-meeting", "").await?;
    consultation_step(b, "submit-report", "").await?;
    let state = b.text(".badge.state").await?;
    assert!(state.contains("报送"), "{state}");
    logout(b).await?;
    Ok(meeting)
}

/// The leader's instruction, staff's feedback, the evaluator's scores, the close.
async fn outcome_to_close(b: &Browser, base: &str, consultation: &str) -> Result<(), String> {
    login(b, base, "leader").await?;
    b.goto(consultation).await?;
    b.type_into("#f-leader", "陈振华").await?;
    b.choose("#f-level", "provincial").await?;
    b.type_into(
        "form[action$='/actions/record-outcome'] textarea",
        "请水利厅牵头研究落实。",
    )
    .await?;
    consultation_step(b, "record-outcome", "").await?;
    assert!(b.text(".outcomes").await?.contains("请水利厅牵头研究落实"));
    logout(b).await?;
    login(b, base, "staff").await?;
    b.goto(consultation).await?;
    b.type_into(
        "form[action$='/actions/give-feedback'] textarea",
        "已向参加委员通报批示。",
    )
    .await?;
    consultation_step(b, "give-feedback", "").await?;
    logout(b).await?;
    login(b, base, "member2").await?;
    b.goto(consultation).await?;
    for (k, score) in [
        ("topic", "9"),
        ("research", "8"),
        ("suggestions", "8"),
        ("adoption", "7"),
        ("effect", "7"),
    ] {
        b.type_into(&format!("#f-score_{k}"), score).await?;
    }
    consultation_step(b, "evaluate", "").await?;
    let quality = b.text("#quality").await?;
    assert!(quality.starts_with("79.0"), "{quality}");
    logout(b).await?;
    login(b, base, "staff").await?;
    b.goto(consultation).await?;
    consultation_step(b, "close", "").await?;
    assert!(b.text(".badge.state").await?.contains("办结"));
    shot(b, "9-consultation-closed").await;
    Ok(())
}

/// A legislative draft: uploaded, commented on by paragraph, accepted, exported.
async fn legislative_draft(b: &Browser, base: &str) -> Result<(), String> {
    b.goto(&format!("{base}/legislative-drafts")).await?;
    b.type_into(
        "#draft-text",
        "江澜省河湖保护条例（草案）\n第一章　总则\n第一条　为了加强河湖保护，制定本条例。\n第二条　县级以上人民政府应当建立河湖长制。\n河湖长名单应当向社会公布。",
    )
    .await?;
    b.click_to_load("#upload-draft").await?;
    let draft = b.wait_url(|u| u.contains("/legislative-drafts/")).await?;
    assert_eq!(b.count(".regulation .paragraph").await?, 3);
    logout(b).await?;
    login(b, base, "member").await?;
    b.goto(&draft).await?;
    open_all(b).await?;
    // The last paragraph (第二条's second), quoting a passage of it.
    b.type_into(
        ".regulation .paragraph:last-child input[name='quote']",
        "向社会公布",
    )
    .await?;
    b.type_into(
        ".regulation .paragraph:last-child textarea",
        "建议同时在政府网站公布。",
    )
    .await?;
    b.click_to_load(".regulation .paragraph:last-child button[id^='comment-']")
        .await?;
    assert!(
        b.text(".regulation")
            .await?
            .contains("建议同时在政府网站公布")
    );
    logout(b).await?;
    login(b, base, "staff").await?;
    b.goto(&draft).await?;
    assert!(b.text(".regulation").await?.contains("1 条意见"));
    b.click_to_load("button[id^='accept-']").await?;
    assert!(b.text(".regulation .comment").await?.contains("采纳"));
    let got = b
        .execute(
            "var a = document.querySelector('#export-opinion');\
             var x = new XMLHttpRequest(); x.open('GET', a.href, false); x.send();\
             return [x.status, x.getResponseHeader('content-type'), x.getResponseHeader('content-disposition')];",
        )
        .await?;
    assert_eq!(got[0], 200, "{got}");
    assert!(
        got[1].as_str().unwrap_or("").contains("wordprocessingml"),
        "{got}"
    );
    shot(b, "10-legislative-draft").await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_item_becomes_a_consultation_that_is_held_reported_and_closed() {
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
    let run = async {
        login(&b, &base, "member2").await?;
        let evaluator = my_id(&b).await?;
        logout(&b).await?;
        login(&b, &base, "member").await?;
        let member = my_id(&b).await?;
        logout(&b).await?;
        let consultation = Box::pin(plan_to_draft(&b, &base, member, evaluator)).await?;
        // The member reads the draft and comments on it.
        login(&b, &base, "member").await?;
        b.goto(&consultation).await?;
        b.type_into("#comment-body", "建议补充农村水价承受能力的数据。")
            .await?;
        b.click_to_load("#add-comment").await?;
        assert!(b.text("#draft").await?.contains("农村水价承受能力"));
        logout(&b).await?;
        let meeting = Box::pin(meeting_to_report(&b, &base, &consultation, member)).await?;
        Box::pin(outcome_to_close(&b, &base, &consultation)).await?;
        b.goto(&meeting).await?;
        assert!(b.text("#invitations").await?.contains("已签到"));
        Box::pin(legislative_draft(&b, &base)).await?;
        Ok::<(), String>(())
    };
    let result = Box::pin(run).await;
    if result.is_err() {
        shot(&b, "consultation-failure").await;
    }
    b.quit().await;
    result.expect("consultation workflow");
}

/// The member writes a statement, then votes through ten statements with the keyboard.
async fn member_votes_by_keyboard(b: &Browser, base: &str) -> Result<String, String> {
    login(b, base, "member").await?;
    // The home page offers the open deliberation, with what waits for a vote.
    b.goto(&format!("{base}/")).await?;
    let offer = b
        .execute(
            "const a = [...document.querySelectorAll('main a')].find(a => a.textContent.includes('待您表态'));
             return a ? [a.textContent.trim(), a.getAttribute('href')] : null;",
        )
        .await?;
    let text = offer[0].as_str().ok_or("no offer on the home page")?;
    assert!(
        text.starts_with("12 条观点待您表态 · 政协委员履职服务如何更加数字化"),
        "{text}"
    );
    let href = offer[1].as_str().ok_or("no link")?.to_string();
    b.click_to_load(&format!("main a[href='{href}']")).await?;
    let page = format!("{base}{href}");
    assert!(b.text("main h1").await?.contains("履职服务"));
    assert!(b.text("#progress").await?.contains("已表态 0 / 12"));
    b.type_into("#statement-body", "委员履职档案应允许本人在线查看和更正")
        .await?;
    b.click_to_load("#add-statement").await?;
    let flash = b.text("p.flash").await?;
    assert!(flash.contains("审核"), "{flash}");
    for (i, key) in ["a", "d", "p", "a", "a", "d", "a", "p", "d", "a"]
        .iter()
        .enumerate()
    {
        let before = b.text("#statement").await?;
        b.press_to_load(key).await?;
        let progress = b.text("#progress").await?;
        assert!(
            progress.contains(&format!("已表态 {} / 12", i + 1)),
            "after {key}: {progress}"
        );
        if i < 9 {
            assert_ne!(b.text("#statement").await?, before, "the next statement");
        }
    }
    shot(b, "11-deliberation-voting").await;
    logout(b).await?;
    Ok(page)
}

/// Staff accept the waiting statements from the moderation queue.
async fn staff_moderates(b: &Browser, base: &str, page: &str) -> Result<(), String> {
    login(b, base, "staff").await?;
    // The desk on the home page names the queue; its card leads there.
    let id = page.rsplit('/').next().ok_or("no deliberation id")?;
    let card = format!("main a[href='/deliberations/{id}/moderation']");
    b.goto(&format!("{base}/")).await?;
    let named = b.text(&card).await?;
    assert!(
        named.contains("待审核观点 · 政协委员履职服务如何更加数字化"),
        "{named}"
    );
    b.click_to_load(&card).await?;
    // Rejecting, the lesser choice, is outlined beside accepting.
    let colours = b
        .execute(
            "const bg = v => getComputedStyle(document.querySelector(`button[value='${v}']`)).backgroundColor;
             return [bg('accepted') === bg('rejected'), bg('rejected')];",
        )
        .await?;
    assert_eq!(colours, serde_json::json!([false, "rgb(255, 255, 255)"]));
    let queue = b.text("main").await?;
    assert!(
        queue.contains("委员履职档案应允许本人在线查看和更正"),
        "{queue}"
    );
    while b.count("button[value='accepted']").await? > 0 {
        b.click_to_load("button[value='accepted']").await?;
    }
    assert!(b.text("#queue-empty").await?.contains("没有待审核"));
    shot(b, "12-deliberation-moderated").await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_votes_by_keyboard_staff_moderate_and_the_results_show_groups() {
    let _one = ONE_BROWSER.lock().await;
    let (driver, chrome) = match webdriver::find() {
        Ok(p) => p,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let (t, base) = demo_server().await;
    let b = Browser::start(&driver, &chrome).await.expect("browser");
    let run = async {
        let page = Box::pin(member_votes_by_keyboard(&b, &base)).await?;
        Box::pin(staff_moderates(&b, &base, &page)).await?;
        // The background job (here run once, as the server's loop would).
        store::deliberation_results::refresh(&t.db)
            .await
            .map_err(|e| e.to_string())?;
        b.goto(&page).await?;
        b.click_to_load("#results-link").await?;
        assert!(b.count("#opinion-map circle").await? >= 20);
        let groups = b.text("#groups").await?;
        assert!(
            groups.contains("第 1 群体") && groups.contains("第 2 群体"),
            "{groups}"
        );
        assert!(
            b.count("#consensus li").await? >= 1,
            "common ground is shown"
        );
        let all = b.text("main").await?;
        assert!(
            all.contains("委员履职档案应允许本人在线查看和更正"),
            "the accepted statement has its bar"
        );
        assert!(
            b.count(".bars .group-bars li").await? >= 2,
            "each group's votes under a statement's bar"
        );
        // Staff wrote the statements but took no part: no place of theirs.
        assert_eq!(b.count("#you").await? + b.count("#your-group").await?, 0);
        shot(&b, "13-deliberation-results").await;
        // Open, the page refreshes itself: a citizen votes, the job
        // recomputes, and the counts change without the page being loaded
        // again (the marker set on this page survives).
        let before = b.text("#counts").await?;
        b.execute("window.stillThisPage = true; return true;")
            .await?;
        let id: i64 = page
            .rsplit('/')
            .next()
            .and_then(|x| x.parse().ok())
            .ok_or("deliberation id")?;
        let visitor = store::Caller::anonymous(None);
        let voice = store::deliberations::Voice {
            caller: &visitor,
            anon_key: Some("0123456789abcdef0123456789abcdef"),
        };
        let first = store::deliberations::statements(&t.db, &visitor, id, None)
            .await
            .map_err(|e| e.to_string())?;
        let sid = first.first().ok_or("a statement")?.id;
        store::deliberations::vote(&t.db, voice, id, sid, domain::deliberations::Vote::Agree)
            .await
            .map_err(|e| e.to_string())?;
        store::deliberation_results::refresh(&t.db)
            .await
            .map_err(|e| e.to_string())?;
        let mut after = before.clone();
        for _ in 0..40 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            after = b.text("#counts").await?;
            if after != before {
                break;
            }
        }
        assert_ne!(after, before, "the counts refreshed themselves");
        assert_eq!(
            b.execute("return window.stillThisPage === true;").await?,
            serde_json::Value::Bool(true),
            "no reload"
        );
        // On a phone the list reads as cards: each value under its
        // column's name, the topic on top, and nothing to scroll sideways.
        b.resize(390, 844).await?;
        b.goto(&format!("{base}/deliberations")).await?;
        let card = b
            .execute(
                "const row = document.querySelector('table.list tbody tr');
                 const state = row.querySelectorAll('td')[1];
                 return [getComputedStyle(row).display,
                         getComputedStyle(state, '::before').content,
                         getComputedStyle(row.querySelector('td')).order,
                         document.documentElement.scrollWidth <= window.innerWidth];",
            )
            .await?;
        assert_eq!(
            card,
            serde_json::json!(["flex", "\"状态\"", "-1", true]),
            "a card on a phone"
        );
        // The filters but the search box fold under one line on a phone,
        // and are all shown on a wider screen.
        let fold = "const fold = document.querySelector('form.filters details.fold');
                    return [fold.open, document.querySelector('#f-q').checkVisibility(),
                            document.querySelector('#f-state').checkVisibility(),
                            fold.querySelector('summary').checkVisibility()];";
        assert_eq!(
            b.execute(fold).await?,
            serde_json::json!([false, true, false, true]),
            "folded on a phone"
        );
        // The navigation bar is wider than a phone and scrolls sideways; it
        // starts with this page's entry in view.
        let in_view = "const bar = document.querySelector('nav.main');
                       const a = bar.querySelector('a[aria-current]').getBoundingClientRect();
                       const b = bar.getBoundingClientRect();
                       return [bar.scrollWidth > bar.clientWidth, a.left >= b.left, a.right <= b.right];";
        assert_eq!(
            b.execute(in_view).await?,
            serde_json::json!([true, true, true]),
            "the current entry in view"
        );
        shot(&b, "14-deliberations-on-a-phone").await;
        b.click("form.filters summary").await?;
        assert_eq!(
            b.execute(fold).await?,
            serde_json::json!([true, true, true, true]),
            "opened by a tap"
        );
        b.resize(1280, 900).await?;
        b.goto(&format!("{base}/deliberations")).await?;
        assert_eq!(
            b.execute(fold).await?,
            serde_json::json!([false, true, true, false]),
            "all shown on a desktop"
        );
        // A row of filters is level: the selects as tall as the search box
        // (to a fraction of a pixel: the box's line height is rounded).
        assert_eq!(
            b.execute(
                "const h = s => document.querySelector(s).getBoundingClientRect().height;
                 const level = s => Math.abs(h(s) - h('#f-q')) < 1;
                 return level('#f-state') && level('#f-audience');"
            )
            .await?,
            serde_json::Value::Bool(true),
            "filters of one height"
        );
        shot(&b, "15-deliberation-filters-on-a-desktop").await;
        // The member who voted sees their own group and place on the map.
        logout(&b).await?;
        login(&b, &base, "member").await?;
        b.goto(&format!("{page}/results")).await?;
        let yours = b.text("#your-group").await?;
        assert!(yours.starts_with("您属于第 "), "{yours}");
        assert_eq!(b.count("#opinion-map #you").await?, 1);
        assert!(
            b.text("#groups article.yours h3")
                .await?
                .contains("您所在的群体")
        );
        shot(&b, "16-deliberation-your-group").await;
        Ok::<(), String>(())
    };
    let result = Box::pin(run).await;
    if result.is_err() {
        shot(&b, "deliberation-failure").await;
    }
    b.quit().await;
    result.expect("deliberation workflow");
}
