//! Helpers for the end-to-end tests: a fresh database per test (a temporary
//! SQLite file, or a fresh schema on the PostgreSQL named by
//! `XIESHANG_TEST_DATABASE_URL`), a small fixture, and HTTP calls through the
//! real router in-process.

pub mod webdriver;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use store::platform::{bodies, committees, users};
use store::{Caller, Db};
use tower::ServiceExt;

/// The password of every fixture account.
pub const PASSWORD: &str = "test-pass-1";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos % 1_000_000_000
    )
}

/// The PostgreSQL URL the tests run against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("XIESHANG_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

static CLEANUP: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Drops the schemas that earlier test processes left behind (once per process).
async fn drop_stale_schemas(p: &sqlx::PgPool) {
    CLEANUP
        .get_or_init(|| async {
            let mine = format!("xs_t_{}_%", std::process::id());
            let stale: Vec<String> = sqlx::query_scalar("SELECT nspname::TEXT FROM pg_namespace WHERE nspname LIKE 'xs\\_t\\_%' AND nspname NOT LIKE $1")
                .bind(mine)
                .fetch_all(p)
                .await
                .unwrap_or_default();
            for s in stale {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {s} CASCADE"))).execute(p).await;
            }
        })
        .await;
}

/// A fresh, migrated database and where it lives.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pub schema: Option<String>,
    pub dir: Option<PathBuf>,
}

impl TestDb {
    /// A new migrated database on the backend under test.
    pub async fn new() -> TestDb {
        let t = Self::unmigrated().await;
        store::migrate::run(&t.db).await.expect("migrate");
        t
    }

    /// A new database without any table yet.
    pub async fn unmigrated() -> TestDb {
        match postgres_url() {
            Some(url) => {
                let schema = format!("xs_t_{}", unique());
                let admin = Db::connect(&url).await.expect("connect to PostgreSQL");
                if let Db::Postgres(p) = &admin {
                    drop_stale_schemas(p).await;
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                        .execute(p)
                        .await
                        .expect("create schema");
                }
                admin.close().await;
                let db = Db::connect_in_schema(&url, Some(&schema))
                    .await
                    .expect("connect in schema");
                TestDb {
                    db,
                    url,
                    schema: Some(schema),
                    dir: None,
                }
            }
            None => {
                let dir = std::env::temp_dir().join(format!("xieshang-test-{}", unique()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}/test.db", dir.display());
                let db = Db::connect(&url).await.expect("connect to SQLite");
                TestDb {
                    db,
                    url,
                    schema: None,
                    dir: Some(dir),
                }
            }
        }
    }

    /// Another connection pool on the same database (another "server").
    pub async fn reconnect(&self) -> Db {
        Db::connect_in_schema(&self.url, self.schema.as_deref())
            .await
            .expect("reconnect")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// The ids of the fixture's records.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fixture {
    /// The regional committee.
    pub region: i64,
    /// A county committee under it.
    pub county: i64,
    /// A county committee beside it (a sibling).
    pub county2: i64,
    pub sector_region: i64,
    pub sector_county: i64,
    pub unit_region: i64,
}

/// A running application over a test database.
pub struct TestApp {
    pub t: TestDb,
    pub router: Router,
    pub fx: Fixture,
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as it came, for files.
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Every `Set-Cookie` value.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(String::from)
            .collect()
    }
}

/// The fixture accounts: (user name, role, committee key, offices).
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("admin_r", "admin", "region"),
    ("staff_r", "staff", "region"),
    ("member_r", "member", "region"),
    ("member2_r", "member", "region"),
    ("unit_r", "unit_officer", "region"),
    ("leader_r", "leader", "region"),
    ("admin_c", "admin", "county"),
    ("staff_c", "staff", "county"),
    ("staff_c2", "staff", "county2"),
    // Staff of the information office (public-opinion pieces and the bulletin).
    ("info_r", "staff", "region"),
    // A citizen with an account, who follows their input at a studio.
    ("citizen_r", "citizen", "region"),
    // Staff of the consultation office.
    ("consult_r", "staff", "region"),
];

impl TestApp {
    /// A new application with the fixture.
    pub async fn new() -> TestApp {
        let t = TestDb::new().await;
        let fx = fixture(&t.db).await;
        let router = web::router(web::state::AppState {
            db: t.db.clone(),
            settings: Default::default(),
            search: search::Search::in_ram().unwrap(),
        });
        TestApp { t, router, fx }
    }

    /// A new application over the demo data, with `per_year` proposals a year
    /// of history, whose accounts have the password [`PASSWORD`]. Only the
    /// fixture's `region` is set: the demo's regional committee.
    pub async fn demo(per_year: usize) -> (TestApp, store::demo::Summary) {
        let t = TestDb::new().await;
        let summary = store::demo::seed_sized(&t.db, store::demo::DEFAULT_SEED, PASSWORD, per_year)
            .await
            .expect("demo data")
            .expect("an empty database");
        let region = store::platform::committees::all_with_scopes(&t.db)
            .await
            .expect("committees")
            .iter()
            .map(|(c, _)| c.id)
            .min()
            .expect("the demo's regional committee");
        let router = web::router(web::state::AppState {
            db: t.db.clone(),
            settings: Default::default(),
            search: search::Search::in_ram().unwrap(),
        });
        let fx = Fixture {
            region,
            ..Default::default()
        };
        (TestApp { t, router, fx }, summary)
    }

    /// The application's database.
    pub fn db(&self) -> &Db {
        &self.t.db
    }

    /// Sends a request through the router.
    pub async fn send(&self, req: Request<Body>) -> Answer {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// A JSON API call with an optional bearer token.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    /// Signs in through the API and answers the token.
    pub async fn token(&self, username: &str) -> String {
        let a = self
            .api(
                Method::POST,
                "/auth/login",
                None,
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "login {username}: {}", a.body);
        a.json()["token"].as_str().expect("token").to_string()
    }

    /// A browser-like page request with cookies.
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        cookies: &str,
        form: Option<&str>,
    ) -> Answer {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookies);
        if form.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        self.send(
            b.body(form.map(|f| Body::from(f.to_string())).unwrap_or_default())
                .expect("request"),
        )
        .await
    }

    /// Signs in through the web form; answers the cookie header to send and the CSRF token.
    pub async fn web_login(&self, username: &str) -> (String, String) {
        let (visitor, csrf) = self.visitor().await;
        let form = format!("_csrf={csrf}&username={username}&password={PASSWORD}&next=/");
        let a = self
            .page(Method::POST, "/login", &visitor, Some(&form))
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "web login: {}", a.body);
        let session = a
            .cookies()
            .into_iter()
            .find(|c| c.starts_with("xs_session="))
            .expect("session cookie");
        let cookie = session.split(';').next().unwrap_or_default().to_string();
        let home = self.page(Method::GET, "/", &cookie, None).await;
        (cookie, csrf_of(&home.body).expect("csrf on home page"))
    }

    /// A visitor's CSRF cookie header and token, from the login page.
    pub async fn visitor(&self) -> (String, String) {
        let a = self.page(Method::GET, "/login", "", None).await;
        let c = a
            .cookies()
            .into_iter()
            .find(|c| c.starts_with("xs_csrf="))
            .expect("csrf cookie");
        let cookie = c.split(';').next().unwrap_or_default().to_string();
        let token = cookie.trim_start_matches("xs_csrf=").to_string();
        (cookie, token)
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(html[i..i + 64].to_string())
}

/// Creates the fixture: a regional committee with two counties, a sector in
/// the region and one county, a handling unit, and the accounts of [`ACCOUNTS`].
pub async fn fixture(db: &Db) -> Fixture {
    let sys = Caller::system();
    let c = |name: &str, level: &str, parent: Option<i64>| domain::platform::CommitteeInput {
        name: name.into(),
        short_name: None,
        level: level.into(),
        parent_id: parent,
        region_code: None,
    };
    let region = committees::create(db, &sys, &c("测试省政协", "regional", None))
        .await
        .expect("region")
        .id;
    let county = committees::create(db, &sys, &c("测试县政协", "county", Some(region)))
        .await
        .expect("county")
        .id;
    let county2 = committees::create(db, &sys, &c("邻县政协", "county", Some(region)))
        .await
        .expect("county2")
        .id;
    let body = |name: &str, kind: Option<&str>| domain::platform::BodyInput {
        name: name.into(),
        kind: kind.map(Into::into),
        ..Default::default()
    };
    let mut tx = db.begin().await.expect("tx");
    let sector_region = bodies::create_in(
        &mut tx,
        &sys,
        domain::platform::BodyKind::Sector,
        region,
        &body("经济界", None),
    )
    .await
    .expect("sector")
    .id;
    let sector_county = bodies::create_in(
        &mut tx,
        &sys,
        domain::platform::BodyKind::Sector,
        county,
        &body("教育界", None),
    )
    .await
    .expect("sector")
    .id;
    let unit_region = bodies::create_in(
        &mut tx,
        &sys,
        domain::platform::BodyKind::Unit,
        region,
        &body("省教育厅", Some("government")),
    )
    .await
    .expect("unit")
    .id;
    tx.commit().await.expect("commit");
    let hash = users::hash_password(PASSWORD.to_string())
        .await
        .expect("hash");
    for (username, role, at) in ACCOUNTS {
        let committee_id = match *at {
            "region" => region,
            "county" => county,
            _ => county2,
        };
        let mut tx = db.begin().await.expect("tx");
        let input = domain::platform::NewUserInput {
            username: (*username).into(),
            display_name: format!("测试{username}"),
            password: PASSWORD.into(),
            committee_id,
            email: None,
        };
        let u = users::create_in(&mut tx, &sys, &input, &hash)
            .await
            .expect("user");
        let offices = if *username == "info_r" {
            vec!["information".to_string()]
        } else if *username == "consult_r" {
            vec!["consultation".to_string()]
        } else if *role == "staff" {
            vec!["proposals".to_string()]
        } else {
            vec![]
        };
        let g = domain::platform::GrantInput {
            role: (*role).into(),
            committee_id,
            unit_id: (*role == "unit_officer").then_some(unit_region),
            offices,
        };
        users::grant_in(&mut tx, &sys, u.id, &g, None)
            .await
            .expect("grant");
        if *role == "member" {
            // Members have a profile linked to their account, as proposers need.
            let profile = domain::members::MemberInput {
                name: format!("委员{username}"),
                gender: "female".into(),
                ethnicity: "汉族".into(),
                birth_year: Some(1970),
                affiliation: "jiusan".into(),
                term: Some(13),
                ..Default::default()
            };
            store::members::create_in(&mut tx, &sys, committee_id, &profile, Some(u.id))
                .await
                .expect("member profile");
        }
        tx.commit().await.expect("commit");
    }
    Fixture {
        region,
        county,
        county2,
        sector_region,
        sector_county,
        unit_region,
    }
}

/// The caller of store commands for a fixture account.
pub async fn caller(db: &Db, username: &str) -> store::Caller {
    const SQL: &str = "SELECT id FROM users WHERE username = $1";
    let id: i64 = match db {
        Db::Sqlite(s) => {
            sqlx::query_scalar(SQL)
                .bind(username)
                .fetch_one(&s.read)
                .await
        }
        Db::Postgres(p) => sqlx::query_scalar(SQL).bind(username).fetch_one(p).await,
    }
    .expect("fixture account");
    let actor = users::actor(db, id)
        .await
        .expect("actor")
        .expect("enabled account");
    store::Caller::user(actor, Some("127.0.0.1".into()))
}

/// The member profile id of a fixture account.
pub async fn member_id(db: &Db, username: &str) -> i64 {
    const SQL: &str =
        "SELECT m.id FROM members m JOIN users u ON u.id = m.user_id WHERE u.username = $1";
    match db {
        Db::Sqlite(s) => {
            sqlx::query_scalar(SQL)
                .bind(username)
                .fetch_one(&s.read)
                .await
        }
        Db::Postgres(p) => sqlx::query_scalar(SQL).bind(username).fetch_one(p).await,
    }
    .expect("member profile")
}

/// A multipart/form-data body with these text fields and one file.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "xsBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The paragraphs of a DOCX read back with a DOCX reader, one per line
/// (empty ones included); a panic when the bytes are not a DOCX.
pub fn docx_lines(bytes: &[u8]) -> Vec<String> {
    export::docx::text_of(bytes)
        .expect("a DOCX reader opens it")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A refusal's status and its code: the first field error's, else the
/// problem's own (`{"code": …}`).
pub fn problem(a: &Answer) -> (u16, String) {
    let j = a.json();
    let code = j["errors"][0]["code"]
        .as_str()
        .or_else(|| j["code"].as_str())
        .unwrap_or("")
        .to_string();
    (a.status.as_u16(), code)
}

/// The id of the account a token signs in.
pub async fn user_id(app: &TestApp, token: &str) -> i64 {
    app.api(Method::GET, "/me", Some(token), None).await.json()["id"]
        .as_i64()
        .expect("id")
}

/// Percent-encodes a value for a query string or a form body.
pub fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs one SQL statement on the database under test, around the store (for
/// tests that plant or tamper with rows directly).
pub async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(s) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&s.write)
            .await
            .map(|_| ()),
        Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(p)
            .await
            .map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
