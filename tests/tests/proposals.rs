//! Proposals through the store, on the backend under test: drafting,
//! submission, review, filing with numbers (also from parallel requests) and
//! merging. The lifecycle's every state × step × part is tested in `domain`.

use domain::proposals::ProposalInput;
use store::StoreError;
use store::proposals::{self, ReviewStep};
use xieshang_tests::{TestApp, caller};

fn draft(title: &str) -> ProposalInput {
    ProposalInput {
        title: title.into(),
        body: "案由：养老服务供给不足。\n建议：一、扩大普惠养老床位；二、培养护理人才。".into(),
        category: "society".into(),
        kind: "individual".into(),
        term: Some(13),
        session: Some(2),
        publish_consent: Some(true),
        ..Default::default()
    }
}

async fn new_draft(
    app: &TestApp,
    who: &str,
    input: &ProposalInput,
) -> Result<proposals::Proposal, StoreError> {
    let c = caller(app.db(), who).await;
    let mut tx = app.db().begin().await?;
    let p = proposals::create_draft_in(&mut tx, &c, app.fx.region, input).await?;
    tx.commit().await?;
    Ok(p)
}

fn code(e: StoreError) -> (&'static str, Option<String>) {
    match e {
        StoreError::Conflict { code, current } => (code, current),
        StoreError::Forbidden => ("forbidden", None),
        StoreError::NotFound => ("not_found", None),
        StoreError::Invalid(f) => (f[0].code, Some(f[0].field.to_string())),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_member_drafts_and_submits_and_staff_review_and_file_it_with_a_number() {
    let app = TestApp::new().await;
    let db = app.db();
    let (member, staff, other) = (
        caller(db, "member_r").await,
        caller(db, "staff_r").await,
        caller(db, "member2_r").await,
    );
    let p = new_draft(&app, "member_r", &draft("关于加快养老服务体系建设的建议"))
        .await
        .unwrap();
    assert_eq!(
        (p.state.as_str(), p.kind.as_str(), p.number),
        ("draft", "individual", None)
    );
    assert!(p.lead_member_id.is_some());

    // A draft is its proposer's alone.
    assert_eq!(
        code(proposals::get(db, &staff, p.id).await.unwrap_err()).0,
        "not_found"
    );
    assert_eq!(
        code(proposals::get(db, &other, p.id).await.unwrap_err()).0,
        "not_found"
    );
    // Only the proposer submits; staff cannot file a draft.
    assert_eq!(
        code(
            proposals::act(db, &member, p.id, ReviewStep::File, None)
                .await
                .unwrap_err()
        )
        .0,
        "forbidden"
    );
    let p = proposals::act(db, &member, p.id, ReviewStep::Submit, Some(1))
        .await
        .unwrap();
    assert_eq!(p.state, "submitted");
    // Editing a submitted proposal is refused, naming the state.
    let e = proposals::update_draft(db, &member, p.id, &draft("改标题"), None)
        .await
        .unwrap_err();
    assert_eq!(code(e), ("wrong_state", Some("submitted".into())));
    // Staff now see it, and cannot file it before reviewing.
    assert_eq!(
        proposals::get(db, &staff, p.id).await.unwrap().title,
        "关于加快养老服务体系建设的建议"
    );
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, ReviewStep::File, None)
                .await
                .unwrap_err()
        ),
        ("wrong_state", Some("submitted".into()))
    );
    let p = proposals::act(db, &staff, p.id, ReviewStep::StartReview, None)
        .await
        .unwrap();
    // A stale version changes nothing.
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, ReviewStep::File, Some(1))
                .await
                .unwrap_err()
        )
        .0,
        "stale_version"
    );
    let p = proposals::act(db, &staff, p.id, ReviewStep::File, Some(p.version))
        .await
        .unwrap();
    assert_eq!(
        (p.state.as_str(), p.number, p.number_label.as_deref()),
        ("filed", Some(1), Some("十三届二次-0001"))
    );
    // The withdraw window has closed.
    assert_eq!(
        code(
            proposals::act(db, &member, p.id, ReviewStep::Withdraw, None)
                .await
                .unwrap_err()
        )
        .0,
        "wrong_state"
    );
    // Every step is in the audit trail.
    let actions: Vec<String> = store::audit::of_record(db, "proposal", p.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "proposal.create",
            "proposal.submit",
            "proposal.start_review",
            "proposal.file"
        ]
    );

    // Between-session proposals have their own series.
    let q = new_draft(
        &app,
        "member_r",
        &ProposalInput {
            session: Some(0),
            ..draft("关于规范电动自行车停放的建议")
        },
    )
    .await
    .unwrap();
    proposals::act(db, &member, q.id, ReviewStep::Submit, None)
        .await
        .unwrap();
    proposals::act(db, &staff, q.id, ReviewStep::StartReview, None)
        .await
        .unwrap();
    let q = proposals::act(db, &staff, q.id, ReviewStep::File, None)
        .await
        .unwrap();
    assert_eq!(q.number_label.as_deref(), Some("十三届平时-0001"));
}

#[tokio::test]
async fn drafts_check_their_proposers_and_only_members_propose() {
    let app = TestApp::new().await;
    let db = app.db();
    assert_eq!(
        code(
            new_draft(&app, "staff_r", &draft("工作人员的提案"))
                .await
                .unwrap_err()
        )
        .0,
        "forbidden"
    );
    assert_eq!(
        code(
            new_draft(&app, "staff_c", &draft("别的政协"))
                .await
                .unwrap_err()
        )
        .0,
        "not_found"
    );
    // A joint proposal names co-signers of the same committee, not the lead.
    let cosigner: i64 = match db {
        store::Db::Sqlite(s) => sqlx::query_scalar("SELECT m.id FROM members m JOIN users u ON u.id = m.user_id WHERE u.username = 'member2_r'").fetch_one(&s.read).await,
        store::Db::Postgres(p) => sqlx::query_scalar("SELECT m.id FROM members m JOIN users u ON u.id = m.user_id WHERE u.username = 'member2_r'").fetch_one(p).await,
    }
    .unwrap();
    let joint = ProposalInput {
        kind: "joint".into(),
        cosigner_ids: vec![cosigner],
        ..draft("联名提案")
    };
    let p = new_draft(&app, "member_r", &joint).await.unwrap();
    assert_eq!(
        proposals::cosigners(db, p.id).await.unwrap(),
        vec![(cosigner, false)]
    );
    // The co-signer may read the draft; a stranger's id is refused.
    assert_eq!(
        proposals::get(db, &caller(db, "member2_r").await, p.id)
            .await
            .unwrap()
            .id,
        p.id
    );
    let bad = ProposalInput {
        kind: "joint".into(),
        cosigner_ids: vec![999_999],
        ..draft("联名提案")
    };
    assert_eq!(
        code(new_draft(&app, "member_r", &bad).await.unwrap_err()),
        ("not_found", Some("cosigner_ids".into()))
    );
    let units = ProposalInput {
        suggested_unit_ids: vec![app.fx.unit_region, 424242],
        ..draft("建议承办单位")
    };
    assert_eq!(
        code(new_draft(&app, "member_r", &units).await.unwrap_err()),
        ("not_found", Some("suggested_unit_ids".into()))
    );
    // A collective proposal by a sector of the committee.
    let sector = ProposalInput {
        kind: "collective".into(),
        collective_kind: Some("sector".into()),
        collective_id: Some(app.fx.sector_region),
        ..draft("经济界集体提案")
    };
    let c = new_draft(&app, "member_r", &sector).await.unwrap();
    assert_eq!(
        (c.collective_kind.as_deref(), c.lead_member_id),
        (Some("sector"), None)
    );
    let elsewhere = ProposalInput {
        collective_id: Some(app.fx.sector_county),
        ..sector
    };
    assert_eq!(
        code(new_draft(&app, "member_r", &elsewhere).await.unwrap_err()),
        ("not_found", Some("collective_id".into()))
    );
    // Bad fields change nothing.
    let before = store::audit::verify(db).await.unwrap();
    assert_eq!(
        code(
            new_draft(
                &app,
                "member_r",
                &ProposalInput {
                    title: " ".into(),
                    ..draft("")
                }
            )
            .await
            .unwrap_err()
        )
        .0,
        "required"
    );
    assert_eq!(store::audit::verify(db).await.unwrap(), before);
}

#[tokio::test]
async fn merging_makes_the_proposers_proposers_of_the_filed_one() {
    let app = TestApp::new().await;
    let db = app.db();
    let (m1, m2, staff) = (
        caller(db, "member_r").await,
        caller(db, "member2_r").await,
        caller(db, "staff_r").await,
    );
    let a = new_draft(&app, "member_r", &draft("关于老旧小区加装电梯的建议"))
        .await
        .unwrap();
    let b = new_draft(&app, "member2_r", &draft("关于加快老旧小区电梯加装的建议"))
        .await
        .unwrap();
    for (p, who) in [(&a, &m1), (&b, &m2)] {
        proposals::act(db, who, p.id, ReviewStep::Submit, None)
            .await
            .unwrap();
        proposals::act(db, &staff, p.id, ReviewStep::StartReview, None)
            .await
            .unwrap();
    }
    // Not into itself, nor into one that is not filed.
    assert_eq!(
        code(
            proposals::act(db, &staff, b.id, ReviewStep::Merge { into: b.id }, None)
                .await
                .unwrap_err()
        )
        .0,
        "not_found"
    );
    assert_eq!(
        code(
            proposals::act(db, &staff, b.id, ReviewStep::Merge { into: a.id }, None)
                .await
                .unwrap_err()
        )
        .0,
        "not_filed"
    );
    proposals::act(db, &staff, a.id, ReviewStep::File, None)
        .await
        .unwrap();
    let b = proposals::act(db, &staff, b.id, ReviewStep::Merge { into: a.id }, None)
        .await
        .unwrap();
    assert_eq!((b.state.as_str(), b.merged_into), ("merged", Some(a.id)));
    let cosigners = proposals::cosigners(db, a.id).await.unwrap();
    assert_eq!(cosigners, vec![(b.lead_member_id.unwrap(), true)]);
    // The second proposer now reads the filed proposal as a co-proposer.
    assert_eq!(proposals::get(db, &m2, a.id).await.unwrap().id, a.id);
}

/// Two hundred proposals filed from parallel requests get two hundred distinct,
/// consecutive numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_filings_get_distinct_consecutive_numbers() {
    let app = TestApp::new().await;
    let db = app.db().clone();
    let (member, staff) = (caller(&db, "member_r").await, caller(&db, "staff_r").await);
    let mut ids = Vec::new();
    for i in 0..200 {
        let p = new_draft(&app, "member_r", &draft(&format!("并行立案测试提案{i}")))
            .await
            .unwrap();
        proposals::act(&db, &member, p.id, ReviewStep::Submit, None)
            .await
            .unwrap();
        proposals::act(&db, &staff, p.id, ReviewStep::StartReview, None)
            .await
            .unwrap();
        ids.push(p.id);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let (db, staff) = (db.clone(), staff.clone());
        tasks.push(tokio::spawn(async move {
            proposals::act(&db, &staff, id, ReviewStep::File, None).await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().unwrap().number.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=200).collect::<Vec<i64>>());
}
