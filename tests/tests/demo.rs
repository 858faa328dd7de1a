//! The full demo: five years of proposals in every state, and the planted
//! near-duplicates that review must find among the five most similar.

use axum::http::{Method, StatusCode};
use std::collections::BTreeMap;
use xieshang_tests::TestApp;

#[tokio::test]
async fn five_years_of_proposals_and_review_finds_the_planted_duplicates() {
    let started = std::time::Instant::now();
    let (app, summary) = TestApp::demo(store::demo::HISTORY_PER_YEAR).await;
    println!("demo with history seeded in {:.1?}", started.elapsed());

    // About 600 a year, in every state in the current year.
    let rows: Vec<(i64, String)> = match app.db() {
        store::Db::Sqlite(s) => sqlx::query_as("SELECT created_at, state FROM proposals")
            .fetch_all(&s.read)
            .await
            .unwrap(),
        store::Db::Postgres(p) => sqlx::query_as("SELECT created_at, state FROM proposals")
            .fetch_all(p)
            .await
            .unwrap(),
    };
    assert_eq!(rows.len(), summary.proposals);
    // The public-opinion area is lived-in too: every state a piece can be in
    // that a demo shows, and a reported bulletin with an instruction.
    let pieces: Vec<(String, i64)> = match app.db() {
        store::Db::Sqlite(s) => sqlx::query_as("SELECT state, created_at FROM opinions")
            .fetch_all(&s.read)
            .await
            .unwrap(),
        store::Db::Postgres(p) => sqlx::query_as("SELECT state, created_at FROM opinions")
            .fetch_all(p)
            .await
            .unwrap(),
    };
    // Proposals declined by conversion add pieces of their own.
    assert!(pieces.len() >= summary.opinions, "{} pieces", pieces.len());
    // Five years of about 1,100 pieces, about a third adopted, weekly issues,
    // instructions on some.
    let mut pieces_per_year: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    for (state, at) in &pieces {
        let e = pieces_per_year
            .entry(store::clock::year_of(*at))
            .or_default();
        e.0 += 1;
        e.1 += usize::from(state == "adopted");
    }
    println!("pieces per year (all, adopted): {pieces_per_year:?}");
    for (year, (all, adopted)) in &pieces_per_year {
        let full = if *year == 2026 { 900 } else { 1_000 };
        assert!((full..=1_250).contains(all), "{year}: {all} pieces");
        assert!(
            (all / 4..=all / 2).contains(adopted),
            "{year}: {adopted} of {all} adopted"
        );
    }
    let scalar = async |sql: &'static str| -> i64 {
        match app.db() {
            store::Db::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(&s.read).await.unwrap(),
            store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    };
    let issues =
        scalar("SELECT COUNT(*) FROM bulletins WHERE state = 'published' AND year = 2024").await;
    assert!((48..=52).contains(&issues), "{issues} issues in 2024");
    // Online deliberation (issue 6, item 9): two finished public topics with
    // a few hundred participants each, whose planted groups the results
    // find, and one open now with a member's statement in the queue.
    assert_eq!(summary.deliberations, 3);
    let list = app.api(Method::GET, "/deliberations", None, None).await;
    let public = list.json()["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(public.len(), 3, "{}", list.body);
    assert_eq!(public[0]["state"], "open");
    // The demo's `member` took part in both finished ones and is placed in a group.
    let member = app.token("member").await;
    for (d, groups) in public[1..].iter().zip([2, 3]) {
        assert_eq!(d["state"], "reported", "{d}");
        assert!(d["participants"].as_i64().unwrap_or(0) >= 180, "{d}");
        let id = d["id"].as_i64().expect("id");
        let r = app
            .api(
                Method::GET,
                &format!("/deliberations/{id}/results"),
                None,
                None,
            )
            .await
            .json();
        assert_eq!(
            r["groups"].as_array().map(Vec::len),
            Some(groups),
            "{}: {r}",
            d["title"]
        );
        assert!(
            r["consensus"].as_array().is_some_and(|c| c.len() >= 3),
            "{r}"
        );
        let yours = app
            .api(
                Method::GET,
                &format!("/deliberations/{id}/results"),
                Some(&member),
                None,
            )
            .await
            .json()["yours"]
            .clone();
        assert!(
            yours["group"].as_i64().is_some_and(|g| g >= 1) && yours["x"].is_number(),
            "{}: {yours}",
            d["title"]
        );
    }
    let waiting =
        scalar("SELECT COUNT(*) FROM deliberation_statements WHERE status = 'pending'").await;
    assert_eq!(waiting, 1);
    // The elevator deliberation is the online part of this year's
    // grassroots consultation on the same question.
    let linked = scalar(
        "SELECT COUNT(*) FROM deliberations d JOIN consultations c ON c.id = d.consultation_id
         WHERE d.title = '老旧小区加装电梯怎么推进' AND c.form = 'grassroots' AND c.committee_id = d.committee_id",
    )
    .await;
    assert_eq!(linked, 1);
    // Consultations at the seed's scale over five years (issue 5, item 9):
    // every form's count, 56 reports, every state, 9 supervision topics.
    assert!(summary.consultations > 450, "{}", summary.consultations);
    for (form, at_least) in [
        ("standing_committee_session", 11),
        ("thematic", 60),
        ("sector", 50),
        ("proposal_handling", 260),
        ("legislative", 31),
    ] {
        let sql = format!("SELECT COUNT(*) FROM consultations WHERE form = '{form}'");
        let n: i64 = match app.db() {
            store::Db::Sqlite(s) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&s.read)
                .await
                .unwrap(),
            store::Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
        };
        assert!(n >= at_least, "{n} {form}");
    }
    let grassroots =
        scalar("SELECT COUNT(*) FROM consultations WHERE form IN ('counterpart', 'grassroots')")
            .await;
    assert!(grassroots >= 50, "{grassroots} counterpart and grassroots");
    let reports =
        scalar("SELECT COUNT(*) FROM consultation_steps WHERE step = 'submit-report'").await;
    assert_eq!(reports, 56);
    assert_eq!(scalar("SELECT COUNT(*) FROM supervision_topics").await, 9);
    assert!(scalar("SELECT COUNT(*) FROM legislative_drafts WHERE state = 'closed'").await >= 25);
    assert_eq!(
        scalar("SELECT COUNT(*) FROM legislative_drafts WHERE state = 'open'").await,
        1
    );
    assert!(
        scalar("SELECT COUNT(*) FROM meeting_invitations WHERE checked_in_at IS NOT NULL").await
            > 1_500
    );
    assert!(scalar("SELECT COUNT(*) FROM experts").await >= 40);
    for state in domain::consultations::State::ALL {
        let sql = format!(
            "SELECT COUNT(*) FROM consultations WHERE state = '{}'",
            state.as_str()
        );
        let n: i64 = match app.db() {
            store::Db::Sqlite(s) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&s.read)
                .await
                .unwrap(),
            store::Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
        };
        assert!(n >= 1, "a consultation {}", state.as_str());
    }
    // They came from this year's published plan, one item each.
    let started = scalar(
        "SELECT COUNT(*) FROM plan_items i JOIN plans p ON p.id = i.plan_id
         WHERE p.year = 2026 AND p.state = 'published' AND i.consultation_id IS NOT NULL",
    )
    .await;
    assert_eq!(started, 8);
    let instructions =
        scalar("SELECT COUNT(*) FROM opinion_outcomes WHERE kind = 'instruction'").await;
    assert!(instructions > 250, "{instructions} instructions");
    for state in [
        "draft",
        "submitted",
        "editing",
        "adopted",
        "declined",
        "combined",
    ] {
        assert!(pieces.iter().any(|p| p.0 == state), "a piece {state}");
    }
    let mut per_year: BTreeMap<i64, usize> = BTreeMap::new();
    let mut states_now: BTreeMap<String, usize> = BTreeMap::new();
    for (at, state) in &rows {
        let y = store::clock::year_of(*at);
        *per_year.entry(y).or_default() += 1;
        if y == 2026 {
            *states_now.entry(state.clone()).or_default() += 1;
        }
    }
    println!("proposals per year: {per_year:?}; states this year: {states_now:?}");
    assert_eq!(
        per_year.keys().copied().collect::<Vec<_>>(),
        [2022, 2023, 2024, 2025, 2026]
    );
    assert!(
        per_year.values().all(|n| (560..=700).contains(n)),
        "{per_year:?}"
    );
    for state in domain::proposals::State::ALL {
        assert!(
            states_now.contains_key(state.as_str()),
            "no {} this year",
            state.as_str()
        );
    }

    // Every planted twin finds its original among the five most similar.
    let n = summary.planted.len();
    assert!(n >= 100, "{n} planted pairs");
    let staff = app.token("staff").await;
    let mut found = 0;
    let mut missed = Vec::new();
    for (original, twin) in &summary.planted {
        let r = app
            .api(
                Method::GET,
                &format!("/proposals/{twin}/similar"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let ids: Vec<i64> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        assert!(ids.len() <= 5);
        if ids.contains(original) {
            found += 1;
        } else {
            missed.push((original, twin));
        }
    }
    let rate = found as f64 / n as f64;
    println!(
        "planted partner among the five most similar: {found} of {n} ({:.1} %); missed {missed:?}",
        rate * 100.0
    );
    assert!(rate >= 0.95, "{found} of {n}");

    // The review page shows them with merge buttons where merging is possible.
    let twin_in_review = summary
        .planted
        .iter()
        .rev()
        .find(|(o, _)| *o > 0)
        .unwrap()
        .1;
    let p = app
        .api(
            Method::GET,
            &format!("/proposals/{twin_in_review}"),
            Some(&staff),
            None,
        )
        .await;
    assert!(
        matches!(
            p.json()["state"].as_str(),
            Some("submitted" | "under_review")
        ),
        "{}",
        p.body
    );
}
