//! Proposals through the store, on the backend under test: drafting,
//! submission, review, filing with numbers (also from parallel requests) and
//! merging. The lifecycle's every state × step × part is tested in `domain`.

use domain::proposals::ProposalInput;
use store::StoreError;
use store::proposals::{self, Action};
use xieshang_tests::{TestApp, caller, docx_lines, enc, exec, member_id, multipart};

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
            proposals::act(db, &member, p.id, Action::File, None)
                .await
                .unwrap_err()
        )
        .0,
        "forbidden"
    );
    let p = proposals::act(db, &member, p.id, Action::Submit, Some(1))
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
            proposals::act(db, &staff, p.id, Action::File, None)
                .await
                .unwrap_err()
        ),
        ("wrong_state", Some("submitted".into()))
    );
    let p = proposals::act(db, &staff, p.id, Action::StartReview, None)
        .await
        .unwrap();
    // A stale version changes nothing.
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, Action::File, Some(1))
                .await
                .unwrap_err()
        )
        .0,
        "stale_version"
    );
    let p = proposals::act(db, &staff, p.id, Action::File, Some(p.version))
        .await
        .unwrap();
    assert_eq!(
        (p.state.as_str(), p.number, p.number_label.as_deref()),
        ("filed", Some(1), Some("十三届二次-0001"))
    );
    // The withdraw window has closed.
    assert_eq!(
        code(
            proposals::act(db, &member, p.id, Action::Withdraw, None)
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
    proposals::act(db, &member, q.id, Action::Submit, None)
        .await
        .unwrap();
    proposals::act(db, &staff, q.id, Action::StartReview, None)
        .await
        .unwrap();
    let q = proposals::act(db, &staff, q.id, Action::File, None)
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
    let cosigner = member_id(db, "member2_r").await;
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
        proposals::act(db, who, p.id, Action::Submit, None)
            .await
            .unwrap();
        proposals::act(db, &staff, p.id, Action::StartReview, None)
            .await
            .unwrap();
    }
    // Not into itself, nor into one that is not filed.
    assert_eq!(
        code(
            proposals::act(db, &staff, b.id, Action::Merge { into: b.id }, None)
                .await
                .unwrap_err()
        )
        .0,
        "not_found"
    );
    assert_eq!(
        code(
            proposals::act(db, &staff, b.id, Action::Merge { into: a.id }, None)
                .await
                .unwrap_err()
        )
        .0,
        "not_filed"
    );
    proposals::act(db, &staff, a.id, Action::File, None)
        .await
        .unwrap();
    let b = proposals::act(db, &staff, b.id, Action::Merge { into: a.id }, None)
        .await
        .unwrap();
    assert_eq!((b.state.as_str(), b.merged_into), ("merged", Some(a.id)));
    let cosigners = proposals::cosigners(db, a.id).await.unwrap();
    assert_eq!(cosigners, vec![(b.lead_member_id.unwrap(), true)]);
    // The second proposer now reads the filed proposal as a co-proposer.
    assert_eq!(proposals::get(db, &m2, a.id).await.unwrap().id, a.id);
}

/// Two hundred proposals filed from parallel HTTP requests get two hundred
/// distinct, consecutive numbers.
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
        proposals::act(&db, &member, p.id, Action::Submit, None)
            .await
            .unwrap();
        proposals::act(&db, &staff, p.id, Action::StartReview, None)
            .await
            .unwrap();
        ids.push(p.id);
    }
    let token = app.token("staff_r").await;
    let mut tasks = Vec::new();
    for id in ids {
        let (router, token) = (app.router.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let req = axum::http::Request::post(format!("/api/v1/proposals/{id}/actions/file"))
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            let resp = tower::ServiceExt::oneshot(router, req).await.unwrap();
            assert_eq!(resp.status(), 200);
            let body = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes();
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()["number"]
                .as_i64()
                .unwrap()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=200).collect::<Vec<i64>>());
}

/// A filed proposal of `member_r`, ready to assign.
async fn filed(app: &TestApp, title: &str) -> proposals::Proposal {
    let db = app.db();
    let (member, staff) = (caller(db, "member_r").await, caller(db, "staff_r").await);
    let p = new_draft(app, "member_r", &draft(title)).await.unwrap();
    proposals::act(db, &member, p.id, Action::Submit, None)
        .await
        .unwrap();
    proposals::act(db, &staff, p.id, Action::StartReview, None)
        .await
        .unwrap();
    proposals::act(db, &staff, p.id, Action::File, None)
        .await
        .unwrap()
}

fn consultation() -> Action {
    Action::RecordConsultation {
        held_on: "2026-03-18".into(),
        form: "meeting".into(),
        participants: "提案人、省教育厅基础教育处".into(),
        agreed: "年内完成普惠托育试点方案。".into(),
    }
}

#[tokio::test]
async fn a_unit_handles_and_answers_and_an_unsatisfied_proposer_gets_a_second_answer() {
    let app = TestApp::new().await;
    let db = app.db();
    let (member, staff, unit) = (
        caller(db, "member_r").await,
        caller(db, "staff_r").await,
        caller(db, "unit_r").await,
    );
    let p = filed(&app, "关于发展普惠托育服务的建议").await;
    // Before assignment the unit cannot see it; bad assignments change nothing.
    assert_eq!(
        code(proposals::get(db, &unit, p.id).await.unwrap_err()).0,
        "not_found"
    );
    let assign = |lead: Vec<i64>, co: Vec<i64>| Action::Assign {
        lead_units: lead,
        co_units: co,
    };
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, assign(vec![], vec![]), None)
                .await
                .unwrap_err()
        ),
        ("required", Some("lead_units".into()))
    );
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, assign(vec![424_242], vec![]), None)
                .await
                .unwrap_err()
        ),
        ("not_found", Some("lead_units".into()))
    );
    assert_eq!(
        code(
            proposals::act(
                db,
                &member,
                p.id,
                assign(vec![app.fx.unit_region], vec![]),
                None
            )
            .await
            .unwrap_err()
        )
        .0,
        "forbidden"
    );
    let p = proposals::act(
        db,
        &staff,
        p.id,
        assign(vec![app.fx.unit_region], vec![]),
        None,
    )
    .await
    .unwrap();
    assert_eq!(p.state, "assigned");
    let (assigned, deadline) = (p.assigned_at.unwrap(), p.deadline_at.unwrap());
    assert_eq!(
        deadline,
        store::clock::add_months(assigned, 3),
        "three months to answer"
    );
    // The unit cannot answer before consulting the proposer.
    let answer = |category: &str| Action::Answer {
        category: category.into(),
        text: "答复：已纳入明年民生实事。".into(),
    };
    assert_eq!(
        code(
            proposals::act(db, &unit, p.id, answer("A"), None)
                .await
                .unwrap_err()
        ),
        ("wrong_state", Some("assigned".into()))
    );
    let bad = Action::RecordConsultation {
        held_on: "2026-02-30".into(),
        form: "meeting".into(),
        participants: "提案人".into(),
        agreed: "商定事项".into(),
    };
    assert_eq!(
        code(
            proposals::act(db, &unit, p.id, bad, None)
                .await
                .unwrap_err()
        ),
        ("invalid_date", Some("held_on".into()))
    );
    let p = proposals::act(db, &unit, p.id, consultation(), None)
        .await
        .unwrap();
    assert_eq!(p.state, "in_handling");
    assert_eq!(
        code(
            proposals::act(db, &unit, p.id, answer("E"), None)
                .await
                .unwrap_err()
        ),
        ("invalid_choice", Some("category".into()))
    );
    let p = proposals::act(db, &unit, p.id, answer("B"), None)
        .await
        .unwrap();
    assert_eq!(p.state, "answered");
    // Only the proposer evaluates; "not satisfied" reopens handling once.
    let evaluate = |s| Action::Evaluate {
        satisfaction: s,
        comment: Some("请进一步落实。".into()),
    };
    assert_eq!(
        code(
            proposals::act(
                db,
                &staff,
                p.id,
                evaluate(domain::proposals::Satisfaction::Satisfied),
                None
            )
            .await
            .unwrap_err()
        )
        .0,
        "forbidden"
    );
    let p = proposals::act(
        db,
        &member,
        p.id,
        evaluate(domain::proposals::Satisfaction::NotSatisfied),
        None,
    )
    .await
    .unwrap();
    assert_eq!((p.state.as_str(), p.rehandled), ("in_handling", true));
    let p = proposals::act(db, &unit, p.id, answer("A"), None)
        .await
        .unwrap();
    assert_eq!(p.state, "answered");
    assert_eq!(
        proposals::units(db, p.id).await.unwrap(),
        vec![(app.fx.unit_region, "lead".into(), Some("A".into()), 2)]
    );
    let p = proposals::act(
        db,
        &member,
        p.id,
        evaluate(domain::proposals::Satisfaction::Satisfied),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        (p.state.as_str(), p.satisfaction.as_deref()),
        ("evaluated", Some("satisfied"))
    );
    let p = proposals::act(db, &staff, p.id, Action::Close, None)
        .await
        .unwrap();
    assert_eq!(p.state, "closed");
    let actions: Vec<String> = store::audit::of_record(db, "proposal", p.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        &actions[4..],
        [
            "proposal.assign",
            "proposal.record_consultation",
            "proposal.answer",
            "proposal.evaluate",
            "proposal.answer",
            "proposal.evaluate",
            "proposal.close"
        ]
    );
}

#[tokio::test]
async fn a_split_proposal_is_answered_when_every_lead_unit_has_answered() {
    let app = TestApp::new().await;
    let db = app.db();
    let sys = store::Caller::system();
    // A second unit with its own officer.
    let mut tx = db.begin().await.unwrap();
    let other = store::platform::bodies::create_in(
        &mut tx,
        &sys,
        domain::platform::BodyKind::Unit,
        app.fx.region,
        &domain::platform::BodyInput {
            name: "省卫生健康委员会".into(),
            kind: Some("government".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let hash = store::platform::users::hash_password("unit2 password".into())
        .await
        .unwrap();
    let u = store::platform::users::create_in(
        &mut tx,
        &sys,
        &domain::platform::NewUserInput {
            username: "unit2".into(),
            display_name: "卫健委".into(),
            password: "unit2 password".into(),
            committee_id: app.fx.region,
            email: None,
        },
        &hash,
    )
    .await
    .unwrap();
    let g = domain::platform::GrantInput {
        role: "unit_officer".into(),
        committee_id: app.fx.region,
        unit_id: Some(other),
        offices: vec![],
    };
    store::platform::users::grant_in(&mut tx, &sys, u.id, &g, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (staff, unit1, unit2) = (
        caller(db, "staff_r").await,
        caller(db, "unit_r").await,
        caller(db, "unit2").await,
    );
    let p = filed(&app, "关于医教协同促进儿童健康的建议").await;
    let both = Action::Assign {
        lead_units: vec![app.fx.unit_region, other],
        co_units: vec![],
    };
    let split_with_co = Action::Assign {
        lead_units: vec![app.fx.unit_region, other],
        co_units: vec![other],
    };
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, split_with_co, None)
                .await
                .unwrap_err()
        )
        .0,
        "not_with_split"
    );
    proposals::act(db, &staff, p.id, both, None).await.unwrap();
    for u in [&unit1, &unit2] {
        proposals::act(db, u, p.id, consultation(), None)
            .await
            .unwrap();
    }
    let answer = Action::Answer {
        category: "B".into(),
        text: "本单位部分的答复。".into(),
    };
    let p = proposals::act(db, &unit1, p.id, answer.clone(), None)
        .await
        .unwrap();
    assert_eq!(
        p.state, "in_handling",
        "the other lead unit has yet to answer"
    );
    let p = proposals::act(db, &unit2, p.id, answer, None)
        .await
        .unwrap();
    assert_eq!(p.state, "answered");
}

#[tokio::test]
async fn reassignment_key_proposals_supervision_and_deadline_extensions() {
    let app = TestApp::new().await;
    let db = app.db();
    let (staff, unit, leader, member) = (
        caller(db, "staff_r").await,
        caller(db, "unit_r").await,
        caller(db, "leader_r").await,
        caller(db, "member_r").await,
    );
    let p = filed(&app, "关于优化营商环境的建议").await;
    proposals::act(
        db,
        &staff,
        p.id,
        Action::Assign {
            lead_units: vec![app.fx.unit_region],
            co_units: vec![],
        },
        None,
    )
    .await
    .unwrap();
    // The unit asks to be reassigned once; staff decide.
    let ask = || Action::RequestReassignment {
        reason: "本事项主要由省发改委负责。".into(),
    };
    let p = proposals::act(db, &unit, p.id, ask(), None).await.unwrap();
    assert!(p.reassignment_pending);
    assert_eq!(
        code(
            proposals::act(db, &unit, p.id, ask(), None)
                .await
                .unwrap_err()
        )
        .0,
        "reassignment_pending"
    );
    let refuse = Action::DecideReassignment {
        approve: false,
        lead_units: vec![],
        co_units: vec![],
    };
    let p = proposals::act(db, &staff, p.id, refuse.clone(), None)
        .await
        .unwrap();
    assert!(!p.reassignment_pending);
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, refuse, None)
                .await
                .unwrap_err()
        )
        .0,
        "no_reassignment_request"
    );
    // Key proposals are supervised by a leader of the committee.
    let staff_id = staff.actor.user_id;
    assert_eq!(
        code(
            proposals::act(
                db,
                &staff,
                p.id,
                Action::MarkKey {
                    supervisor_user_id: staff_id
                },
                None
            )
            .await
            .unwrap_err()
        ),
        ("not_a_leader", Some("supervisor_user_id".into()))
    );
    let supervise = || Action::RecordSupervision {
        held_on: "2026-05-12".into(),
        activity: "赴省教育厅督办座谈。".into(),
    };
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, supervise(), None)
                .await
                .unwrap_err()
        )
        .0,
        "not_key"
    );
    let p = proposals::act(
        db,
        &staff,
        p.id,
        Action::MarkKey {
            supervisor_user_id: leader.actor.user_id,
        },
        None,
    )
    .await
    .unwrap();
    assert!(p.is_key);
    assert_eq!(
        proposals::get(db, &leader, p.id).await.unwrap().id,
        p.id,
        "the supervisor sees it"
    );
    proposals::act(db, &leader, p.id, supervise(), None)
        .await
        .unwrap();
    assert_eq!(
        code(
            proposals::act(db, &member, p.id, supervise(), None)
                .await
                .unwrap_err()
        )
        .0,
        "forbidden"
    );
    // Deadlines extend up to six months from assignment, no further.
    let extend = |months| Action::ExtendDeadline { months };
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, extend(0), None)
                .await
                .unwrap_err()
        )
        .0,
        "out_of_range"
    );
    let p2 = proposals::act(db, &staff, p.id, extend(2), None)
        .await
        .unwrap();
    let three = store::clock::add_months(p2.assigned_at.unwrap(), 3);
    assert_eq!(p2.deadline_at, Some(store::clock::add_months(three, 2)));
    assert_eq!(
        code(
            proposals::act(db, &staff, p.id, extend(2), None)
                .await
                .unwrap_err()
        )
        .0,
        "beyond_six_months"
    );
    proposals::act(db, &staff, p.id, extend(1), None)
        .await
        .unwrap();
}

/// The same lifecycle through the JSON API: 403 for a part that may never
/// take a step, 409 naming the state for a step that does not apply now, and
/// another committee's proposals not found on any endpoint.
#[tokio::test]
async fn the_api_walks_the_lifecycle_and_refuses_clearly() {
    use axum::http::{Method, StatusCode};
    use serde_json::json;
    let app = TestApp::new().await;
    let (member, staff, unit) = (
        app.token("member_r").await,
        app.token("staff_r").await,
        app.token("unit_r").await,
    );
    let body = json!({"title": "关于推进垃圾分类的建议", "body": "案由……\n建议……", "category": "ecology", "kind": "individual", "term": 13, "session": 2});
    let created = app
        .api(
            Method::POST,
            "/proposals",
            Some(&member),
            Some(body.clone()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let act = |who: &str, step: &str, body: Option<serde_json::Value>| {
        let (path, who) = (format!("/proposals/{id}/actions/{step}"), who.to_string());
        let app = &app;
        async move { app.api(Method::POST, &path, Some(&who), body).await }
    };
    // Staff may never submit: 403. Filing a draft: 409 with the state.
    assert_eq!(
        act(&staff, "submit", None).await.status,
        StatusCode::NOT_FOUND,
        "a draft is not even visible to staff"
    );
    let a = act(&member, "file", None).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(act(&member, "submit", None).await.status, StatusCode::OK);
    let a = act(&staff, "file", None).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.json()["state"], "submitted");
    assert_eq!(a.json()["detail"], "当前处于“已提交”状态，不能进行此操作。");
    assert_eq!(
        act(&staff, "start-review", None).await.status,
        StatusCode::OK
    );
    let filed = act(&staff, "file", Some(json!({"version": 3}))).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    assert_eq!(filed.json()["number_label"], "十三届二次-0001");
    assert_eq!(
        act(&staff, "assign", Some(json!({"lead_units": []})))
            .await
            .json()["errors"][0]["field"],
        "lead_units"
    );
    assert_eq!(
        act(
            &staff,
            "assign",
            Some(json!({"lead_units": [app.fx.unit_region]}))
        )
        .await
        .status,
        StatusCode::OK
    );
    let c = act(&unit, "record-consultation", Some(json!({"held_on": "2026-04-02", "form": "phone", "participants": "提案人", "agreed": "分类设施年内到位"}))).await;
    assert_eq!(c.json()["state"], "in_handling");
    let missing = act(&unit, "answer", Some(json!({"text": "答复"}))).await;
    assert_eq!(
        (missing.status, missing.json()["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("category"))
    );
    assert_eq!(
        act(
            &unit,
            "answer",
            Some(json!({"category": "A", "text": "已解决。"}))
        )
        .await
        .json()["state"],
        "answered"
    );
    let bad = act(
        &member,
        "evaluate",
        Some(json!({"satisfaction": "thrilled"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        act(
            &member,
            "evaluate",
            Some(json!({"satisfaction": "basically-satisfied"}))
        )
        .await
        .json()["state"],
        "evaluated"
    );
    assert_eq!(act(&staff, "close", None).await.json()["state"], "closed");
    assert_eq!(act(&staff, "fly", None).await.status, StatusCode::NOT_FOUND);
    let trail = app
        .api(
            Method::GET,
            &format!("/proposals/{id}/events"),
            Some(&member),
            None,
        )
        .await
        .json();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "proposal.create",
            "proposal.submit",
            "proposal.start_review",
            "proposal.file",
            "proposal.assign",
            "proposal.record_consultation",
            "proposal.answer",
            "proposal.evaluate",
            "proposal.close"
        ]
    );
    // Lists: the member sees their own; staff see the submitted ones; another member sees none of the drafts.
    app.api(Method::POST, "/proposals", Some(&member), Some(body))
        .await;
    let mine = app
        .api(Method::GET, "/proposals?per_page=5", Some(&member), None)
        .await
        .json();
    assert_eq!(mine["total"], 2);
    let staff_list = app
        .api(Method::GET, "/proposals?state=closed", Some(&staff), None)
        .await
        .json();
    assert_eq!(staff_list["total"], 1);
    assert_eq!(
        app.api(Method::GET, "/proposals", Some(&staff), None)
            .await
            .json()["total"],
        1,
        "not the draft"
    );
    let other = app.token("member2_r").await;
    assert_eq!(
        app.api(Method::GET, "/proposals", Some(&other), None)
            .await
            .json()["total"],
        0
    );
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/proposals?unit_id={}", app.fx.unit_region),
            Some(&unit),
            None
        )
        .await
        .json()["total"],
        1
    );
    // Another committee's staff find nothing, on every endpoint.
    let county = app.token("staff_c").await;
    let r = app.fx.region;
    for (m, path, body) in [
        (Method::GET, format!("/proposals?committee_id={r}"), None),
        (Method::GET, format!("/proposals/{id}"), None),
        (
            Method::PATCH,
            format!("/proposals/{id}"),
            Some(
                json!({"title": "x", "body": "y", "category": "other", "kind": "individual", "term": 13}),
            ),
        ),
        (
            Method::POST,
            format!("/proposals/{id}/actions/start-review"),
            None,
        ),
        (Method::GET, format!("/proposals/{id}/events"), None),
        (
            Method::POST,
            "/proposals".to_string(),
            Some(
                json!({"title": "x", "body": "y", "category": "other", "kind": "individual", "term": 13, "committee_id": r}),
            ),
        ),
    ] {
        let a = app.api(m.clone(), &path, Some(&county), body).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{m} {path}: {}", a.body);
    }
}

#[tokio::test]
async fn lists_filter_by_year_proposer_and_deadline_and_staff_see_their_work() {
    use axum::http::Method;
    let app = TestApp::new().await;
    let db = app.db();
    let staff = caller(db, "staff_r").await;
    let p = filed(&app, "关于完善社区养老助餐服务的建议").await;
    proposals::act(
        db,
        &staff,
        p.id,
        Action::Assign {
            lead_units: vec![app.fx.unit_region],
            co_units: vec![],
        },
        None,
    )
    .await
    .unwrap();
    filed(&app, "关于加强校园周边交通安全的建议").await;
    let token = app.token("staff_r").await;
    let total = |query: String| {
        let (app, token) = (&app, token.clone());
        async move {
            app.api(
                Method::GET,
                &format!("/proposals?{query}"),
                Some(&token),
                None,
            )
            .await
            .json()["total"]
                .as_i64()
                .unwrap()
        }
    };
    let year = store::clock::year_of(store::clock::now());
    assert_eq!(total(format!("year={year}")).await, 2);
    assert_eq!(total(format!("year={}", year - 1)).await, 0);
    assert_eq!(
        total(format!("proposer_user_id={}", p.proposer_user_id)).await,
        2
    );
    assert_eq!(total("proposer_user_id=999999".into()).await, 0);
    assert_eq!(
        total("due_within_days=120".into()).await,
        1,
        "answer due in about three months"
    );
    assert_eq!(total("due_within_days=30".into()).await, 0);
    assert_eq!(total("overdue=true".into()).await, 0);
    assert_eq!(total("overdue=false".into()).await, 2);
    let counts = proposals::counts(db, app.fx.region).await.unwrap();
    assert_eq!(
        (
            counts.to_review,
            counts.reviewing,
            counts.to_assign,
            counts.due_soon,
            counts.overdue
        ),
        (0, 0, 1, 0, 0)
    );
    let (session, _) = app.web_login("staff_r").await;
    let home = app.page(Method::GET, "/", &session, None).await;
    assert!(home.body.contains("提案工作") && home.body.contains("待交办"));
}

/// The proposals office's home-page figures are read from an index, not from
/// every proposal: each must still equal the total of the list its card
/// links to, for every state and deadline, and count no other committee's.
#[tokio::test]
async fn the_offices_figures_equal_the_lists_they_link_to() {
    use axum::http::Method;
    let app = TestApp::new().await;
    let db = app.db();
    let now = store::clock::now();
    let day = 86_400_000_000_i64;
    // (state, deadline in days from now)
    let planted: [(&str, Option<i64>); 11] = [
        ("submitted", None),
        ("submitted", None),
        ("under_review", None),
        ("filed", None),
        ("assigned", Some(5)),
        ("in_handling", Some(13)),
        ("in_handling", Some(-2)),
        ("assigned", Some(60)),
        ("answered", Some(-10)),
        ("evaluated", Some(-30)),
        ("draft", None),
    ];
    for (i, (state, days)) in planted.iter().enumerate() {
        let p = new_draft(&app, "member_r", &draft(&format!("关于第{i}项工作的建议")))
            .await
            .unwrap();
        let deadline = days.map_or("NULL".to_string(), |d| (now + d * day).to_string());
        exec(
            db,
            &format!(
                "UPDATE proposals SET state = '{state}', deadline_at = {deadline} WHERE id = {}",
                p.id
            ),
        )
        .await;
    }
    // Another committee's overdue proposal counts there, not here.
    let other = new_draft(&app, "member_r", &draft("关于县里工作的建议"))
        .await
        .unwrap();
    exec(
        db,
        &format!(
            "UPDATE proposals SET committee_id = {}, state = 'in_handling', deadline_at = {} WHERE id = {}",
            app.fx.county,
            now - day,
            other.id
        ),
    )
    .await;
    let n = proposals::counts(db, app.fx.region).await.unwrap();
    assert_eq!(
        (
            n.to_review,
            n.reviewing,
            n.to_assign,
            n.due_soon,
            n.overdue,
            n.to_close
        ),
        (2, 1, 1, 2, 1, 1)
    );
    let there = proposals::counts(db, app.fx.county).await.unwrap();
    assert_eq!((there.overdue, there.due_soon, there.to_review), (1, 0, 0));
    let token = app.token("staff_r").await;
    for (filter, count) in [
        ("state=submitted", n.to_review),
        ("state=under_review", n.reviewing),
        ("state=filed", n.to_assign),
        ("due_within_days=14", n.due_soon),
        ("overdue=true", n.overdue),
        ("state=evaluated", n.to_close),
    ] {
        let listed = app
            .api(
                Method::GET,
                &format!("/proposals?committee_id={}&{filter}", app.fx.region),
                Some(&token),
                None,
            )
            .await
            .json()["total"]
            .as_i64()
            .unwrap();
        assert_eq!(listed, count, "{filter}");
    }
    // The home page shows them with the same links.
    let (session, _) = app.web_login("staff_r").await;
    let home = app.page(Method::GET, "/", &session, None).await;
    assert!(
        home.body.contains(&format!(
            "/proposals?committee_id={}&#38;overdue=true\"><strong>1</strong>",
            app.fx.region
        )),
        "the overdue card links to the overdue list: {:?}",
        home.body
            .find("overdue")
            .map(|i| &home.body[i.saturating_sub(80)..i + 20])
    );
}

/// Staff who work in the proposals office of two committees see each one's
/// work in its own section, named after the committee; with one committee
/// the section has the plain heading.
#[tokio::test]
async fn staff_of_two_committees_see_each_ones_work() {
    use axum::http::Method;
    let app = TestApp::new().await;
    let db = app.db();
    let (session, _) = app.web_login("staff_r").await;
    let home = app.page(Method::GET, "/", &session, None).await;
    assert!(
        home.body.contains("<h2>提案工作</h2>"),
        "one committee, plain heading"
    );
    // staff_r also works in the county's proposals office.
    let staff = caller(db, "staff_r").await;
    let mut tx = db.begin().await.unwrap();
    let g = domain::platform::GrantInput {
        role: "staff".into(),
        committee_id: app.fx.county,
        unit_id: None,
        offices: vec!["proposals".into()],
    };
    store::platform::users::grant_in(
        &mut tx,
        &store::Caller::system(),
        staff.actor.user_id,
        &g,
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // One proposal waits for review in the county, none in the region.
    let p = new_draft(&app, "member_r", &draft("关于县域医共体建设的建议"))
        .await
        .unwrap();
    exec(
        db,
        &format!(
            "UPDATE proposals SET committee_id = {}, state = 'submitted' WHERE id = {}",
            app.fx.county, p.id
        ),
    )
    .await;
    let admin = app.token("admin_r").await;
    let name = |id: i64| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.api(
                Method::GET,
                &format!("/committees/{id}"),
                Some(&admin),
                None,
            )
            .await
            .json()["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    let (region, county) = (name(app.fx.region).await, name(app.fx.county).await);
    assert!(!region.is_empty() && !county.is_empty());
    let (session, _) = app.web_login("staff_r").await;
    let home = app.page(Method::GET, "/", &session, None).await;
    let b = &home.body;
    let here = b.find(&format!("<h2>提案工作 · {region}</h2>"));
    let there = b.find(&format!("<h2>提案工作 · {county}</h2>"));
    assert!(here.is_some() && there.is_some(), "a section per committee");
    assert!(here < there, "in the order of the grants");
    assert!(!b.contains("<h2>提案工作</h2>"));
    for (committee, waiting) in [(app.fx.region, 0), (app.fx.county, 1)] {
        let card = format!(
            "href=\"/proposals?committee_id={committee}&#38;state=submitted\"><strong>{waiting}</strong>"
        );
        assert!(b.contains(&card), "{card}");
    }
}

#[tokio::test]
async fn a_joint_proposal_waits_for_its_cosigners() {
    use axum::http::{Method, StatusCode};
    let app = TestApp::new().await;
    let db = app.db();
    let cosigner = member_id(db, "member2_r").await;
    let joint = ProposalInput {
        kind: "joint".into(),
        cosigner_ids: vec![cosigner],
        ..draft("关于推进城乡供水一体化的建议")
    };
    let p = new_draft(&app, "member_r", &joint).await.unwrap();
    let (lead, co) = (app.token("member_r").await, app.token("member2_r").await);
    let submit = app
        .api(
            Method::POST,
            &format!("/proposals/{}/actions/submit", p.id),
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(submit.status, StatusCode::CONFLICT);
    assert_eq!(submit.json()["code"], "cosigners_unconfirmed");
    // Only the co-signer confirms, once.
    assert_eq!(
        app.api(
            Method::POST,
            &format!("/proposals/{}/cosign", p.id),
            Some(&lead),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let (session, _) = app.web_login("member2_r").await;
    let page = app
        .page(Method::GET, &format!("/proposals/{}", p.id), &session, None)
        .await;
    assert!(page.body.contains("id=\"cosign\"") && page.body.contains("待确认"));
    assert_eq!(
        app.api(
            Method::POST,
            &format!("/proposals/{}/cosign", p.id),
            Some(&co),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.api(
            Method::POST,
            &format!("/proposals/{}/cosign", p.id),
            Some(&co),
            None
        )
        .await
        .json()["code"],
        "already_confirmed"
    );
    let submit = app
        .api(
            Method::POST,
            &format!("/proposals/{}/actions/submit", p.id),
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(submit.status, StatusCode::OK);
}

#[tokio::test]
async fn declining_converts_forwards_or_returns_and_says_what_it_needs() {
    use axum::http::{Method, StatusCode};
    use serde_json::json;
    let app = TestApp::new().await;
    let (member, staff) = (app.token("member_r").await, app.token("staff_r").await);
    let under_review = |title: &'static str| {
        let (app, member, staff) = (&app, member.clone(), staff.clone());
        async move {
            let body = json!({"title": title, "body": "案由……\n建议……", "category": "economy", "kind": "individual", "term": 13, "session": 2});
            let id = app
                .api(Method::POST, "/proposals", Some(&member), Some(body))
                .await
                .json()["id"]
                .as_i64()
                .unwrap();
            for (who, step) in [(&member, "submit"), (&staff, "start-review")] {
                let path = format!("/proposals/{id}/actions/{step}");
                assert_eq!(
                    app.api(Method::POST, &path, Some(who), None).await.status,
                    StatusCode::OK
                );
            }
            id
        }
    };
    let decline = |id: i64, who: &str, body: serde_json::Value| {
        let (app, who) = (&app, who.to_string());
        async move {
            app.api(
                Method::POST,
                &format!("/proposals/{id}/actions/decline"),
                Some(&who),
                Some(body),
            )
            .await
        }
    };

    let a = under_review("关于规范小区停车收费的建议").await;
    // Without a disposal, with an unknown one, or without a reason: 422, nothing changes.
    let r = decline(a, &staff, json!({"reason": "属于具体事务"})).await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("disposal"))
    );
    let r = decline(a, &staff, json!({"disposal": "shred", "reason": "x"})).await;
    assert_eq!(r.json()["errors"][0]["code"], "invalid_choice");
    let r = decline(
        a,
        &staff,
        json!({"disposal": "forward-as-letter", "reason": " "}),
    )
    .await;
    assert_eq!(r.json()["errors"][0]["field"], "reason");
    // The proposer may not decline their own proposal.
    let r = decline(
        a,
        &member,
        json!({"disposal": "forward-as-letter", "reason": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let got = app
        .api(Method::GET, &format!("/proposals/{a}"), Some(&staff), None)
        .await;
    assert_eq!(
        (got.json()["state"].clone(), got.json()["disposal"].clone()),
        (json!("under_review"), json!(null))
    );

    // Forwarded as a letter: declined, with disposal and reason on record.
    let r = decline(
        a,
        &staff,
        json!({"disposal": "forward-as-letter", "reason": "属于具体事务，转信访部门"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.json()["state"].clone(),
            r.json()["disposal"].clone(),
            r.json()["decline_reason"].clone()
        ),
        (
            json!("declined"),
            json!("forward-as-letter"),
            json!("属于具体事务，转信访部门")
        )
    );
    // Declined is final: filing it now is a conflict naming the state.
    let r = app
        .api(
            Method::POST,
            &format!("/proposals/{a}/actions/file"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["state"].clone()),
        (StatusCode::CONFLICT, json!("declined"))
    );

    // Converted: a public-opinion piece is created, linked, with the proposal's text.
    let b = under_review("关于加强农村饮用水安全的建议").await;
    let r = decline(
        b,
        &staff,
        json!({"disposal": "convert-to-opinion", "reason": "内容更适合作为社情民意信息报送"}),
    )
    .await;
    assert_eq!(r.json()["state"], "declined");
    let opinion = proposals::opinion_of(app.db(), b)
        .await
        .unwrap()
        .expect("linked piece");
    let events = app
        .api(
            Method::GET,
            &format!("/proposals/{b}/events"),
            Some(&staff),
            None,
        )
        .await;
    let last = events
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "proposal.decline")
        .cloned()
        .unwrap();
    let changes: serde_json::Value =
        serde_json::from_str(last["changes"].as_str().unwrap()).unwrap();
    assert_eq!(changes["opinion_id"], opinion);

    // Returned for revision: back to the proposer as an editable draft.
    let c = under_review("关于完善社区食堂的建议").await;
    let r = decline(
        c,
        &staff,
        json!({"disposal": "return-for-revision", "reason": "请补充调研数据"}),
    )
    .await;
    assert_eq!(r.json()["state"], "draft");
    let edit = app
        .api(
            Method::PATCH,
            &format!("/proposals/{c}"),
            Some(&member),
            Some(json!({"title": "关于完善社区老年食堂的建议", "body": "案由：调研数据……\n建议……", "category": "society", "kind": "individual", "term": 13, "session": 2})),
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert_eq!(proposals::opinion_of(app.db(), c).await.unwrap(), None);
}

#[tokio::test]
async fn full_text_search_finds_words_inside_sentences_and_review_shows_similar_ones() {
    use axum::http::{Method, StatusCode};
    use serde_json::json;
    let app = TestApp::new().await;
    let (member, staff) = (app.token("member_r").await, app.token("staff_r").await);
    let mut ids = Vec::new();
    for (title, body, submit) in [
        (
            "关于加强老城区停车设施建设的建议",
            "我市老城区停车位缺口大，建议利用边角地建设立体停车库，推行错时共享停车。",
            true,
        ),
        (
            "关于推进城区停车设施建设的建议",
            "老城区停车位缺口较大，建议利用边角空地建设立体停车库，推行错时共享停车模式。",
            true,
        ),
        (
            "关于农村饮水安全的建议",
            "部分山区村庄饮用水水质不稳定，建议实施供水提质工程。",
            true,
        ),
        (
            "关于发展银发经济的建议",
            "建议完善居家养老服务网络。",
            false,
        ),
    ] {
        let body = json!({"title": title, "body": body, "category": "society", "kind": "individual", "term": 13, "session": 2});
        let id = app
            .api(Method::POST, "/proposals", Some(&member), Some(body))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        if submit {
            let path = format!("/proposals/{id}/actions/submit");
            assert_eq!(
                app.api(Method::POST, &path, Some(&member), None)
                    .await
                    .status,
                StatusCode::OK
            );
        }
        ids.push(id);
    }
    let found = |who: &str, q: &str| {
        let (app, who) = (&app, who.to_string());
        let path = format!("/proposals?q={}", enc(q));
        async move {
            let r = app.api(Method::GET, &path, Some(&who), None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let mut v: Vec<i64> = r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect();
            v.sort_unstable();
            v
        }
    };
    // "山区" sits inside the body's sentence; "停车库" in two bodies.
    assert_eq!(found(&staff, "山区").await, vec![ids[2]]);
    assert_eq!(found(&staff, "立体停车库").await, vec![ids[0], ids[1]]);
    assert_eq!(found(&staff, "停车 山区").await, Vec::<i64>::new());
    // A draft is its proposer's alone: staff do not find it, its proposer does.
    assert_eq!(found(&staff, "养老服务").await, Vec::<i64>::new());
    assert_eq!(found(&member, "养老服务").await, vec![ids[3]]);
    let long = "长".repeat(101);
    let r = app
        .api(
            Method::GET,
            &format!("/proposals?q={}", enc(&long)),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("q"))
    );
    let r = app
        .api(Method::GET, "/proposals?sort=sideways", Some(&staff), None)
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "sort");

    // Review: the reworded twin comes first; the member may not ask.
    let path = format!("/proposals/{}/similar", ids[1]);
    assert_eq!(
        app.api(Method::GET, &path, Some(&member), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app.api(Method::GET, &path, Some(&staff), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()[0]["id"], ids[0]);
    assert_eq!(r.json()[0]["absorbs"], false, "not filed yet");
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != ids[1] && s["id"] != ids[3])
    );
}

/// The non-empty paragraphs of a DOCX, read back with a DOCX reader.
fn docx_paragraphs(bytes: &[u8]) -> Vec<String> {
    let mut lines = docx_lines(bytes);
    lines.retain(|t| !t.trim().is_empty());
    lines
}

#[tokio::test]
async fn lists_export_as_xlsx_csv_and_json_and_proposals_as_word_documents() {
    use axum::http::{Method, StatusCode};
    let app = TestApp::new().await;
    let db = app.db();
    let (staff, unit) = (caller(db, "staff_r").await, caller(db, "unit_r").await);
    let mut ids = Vec::new();
    for title in ["关于发展普惠托育服务的建议", "关于推进垃圾分类的建议"] {
        let p = filed(&app, title).await;
        let assign = Action::Assign {
            lead_units: vec![app.fx.unit_region],
            co_units: vec![],
        };
        proposals::act(db, &staff, p.id, assign, None)
            .await
            .unwrap();
        proposals::act(db, &unit, p.id, consultation(), None)
            .await
            .unwrap();
        let answer = Action::Answer {
            category: "A".into(),
            text: format!("{title}收悉。\n一、已纳入年度计划。\n二、年底前完成。"),
        };
        proposals::act(db, &unit, p.id, answer, None).await.unwrap();
        ids.push(p.id);
    }
    let draft_only = new_draft(&app, "member_r", &draft("关于草稿的建议"))
        .await
        .unwrap();
    let token = app.token("staff_r").await;
    let get = |path: String| {
        let (app, token) = (&app, token.clone());
        async move { app.api(Method::GET, &path, Some(&token), None).await }
    };

    let csv = get("/proposals.csv?state=answered".into()).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert!(
        csv.body.starts_with("\u{feff}案号,标题,类别"),
        "{}",
        csv.body
    );
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[1].contains("十三届二次-000") && lines[1].contains("省教育厅"));
    // The same filters as the list: a search narrows the export too.
    let one = get(format!("/proposals.csv?q={}", "%E6%89%98%E8%82%B2")).await;
    assert_eq!(one.body.trim_end().split("\r\n").count(), 2, "{}", one.body);

    let xlsx = get("/proposals.xlsx?state=answered".into()).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(&xlsx.bytes[..2], b"PK");
    assert!(
        xlsx.header("content-type")
            .unwrap()
            .contains("spreadsheetml")
    );
    let json = get("/proposals.json?state=answered".into()).await;
    assert_eq!(json.json().as_array().unwrap().len(), 2);

    // One proposal with its answer, as Word.
    let doc = get(format!("/proposals/{}.docx", ids[0])).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    assert!(
        doc.header("content-type")
            .unwrap()
            .contains("wordprocessingml")
    );
    let text = docx_paragraphs(&doc.bytes);
    assert!(
        text.contains(&"关于发展普惠托育服务的建议".to_string()),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t.starts_with("省教育厅（主办）")),
        "{text:?}"
    );
    assert!(text.contains(&"一、已纳入年度计划。".to_string()));
    // Someone else's draft is not found, as Word or otherwise.
    assert_eq!(
        get(format!("/proposals/{}.docx", draft_only.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("/proposals/x.docx".into()).await.status,
        StatusCode::NOT_FOUND
    );

    // A compilation of the two, in the order asked.
    let c = get(format!(
        "/proposals/compilation.docx?ids={},{}",
        ids[1], ids[0]
    ))
    .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    let text = docx_paragraphs(&c.bytes);
    assert!(text[0].ends_with("提案及办理答复汇编"), "{text:?}");
    let contents: Vec<&String> = text
        .iter()
        .filter(|t| t.contains("十三届二次-000") && t.contains("　"))
        .collect();
    assert_eq!(contents.len(), 2);
    assert!(contents[0].ends_with("关于推进垃圾分类的建议"));
    assert_eq!(
        text.iter()
            .filter(|t| t.starts_with("省教育厅（主办）"))
            .count(),
        2
    );
    // Bad selections: not numbers, nothing, or a proposal the caller cannot see.
    let bad = get("/proposals/compilation.docx?ids=1,abc".into()).await;
    assert_eq!(
        (bad.status, bad.json()["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, serde_json::json!("ids"))
    );
    let none = get("/proposals/compilation.docx?state=closed".into()).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    let hidden = get(format!("/proposals/compilation.docx?ids={}", draft_only.id)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    // Signed out: nothing.
    let anon = app.api(Method::GET, "/proposals.csv", None, None).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_deadline_job_warns_and_flags_once_even_when_two_servers_run_it() {
    use axum::http::{Method, StatusCode};
    const DAY: i64 = 86_400_000_000;
    let app = TestApp::new().await;
    let db = app.db();
    let staff = caller(db, "staff_r").await;
    let now = store::clock::now();
    // Assigned long enough ago that one answer is due in three days and one is overdue.
    let mut ids = Vec::new();
    for (title, assigned) in [
        ("关于加强校园安全的建议", now - 89 * DAY),
        ("关于完善公共法律服务的建议", now - 95 * DAY),
        ("关于建设城市绿道的建议", now - 10 * DAY),
    ] {
        let p = filed(&app, title).await;
        let assign = Action::Assign {
            lead_units: vec![app.fx.unit_region],
            co_units: vec![],
        };
        store::clock::at(assigned, proposals::act(db, &staff, p.id, assign, None))
            .await
            .unwrap();
        ids.push(p.id);
    }
    let (a, b) = tokio::join!(store::deadlines::run(db), store::deadlines::run(db));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        (a.due_soon + b.due_soon, a.overdue + b.overdue),
        (1, 1),
        "{a:?} {b:?}"
    );
    // The unit's officer is warned of both; the proposals office learns of the overdue one.
    assert_eq!(a.notifications + b.notifications, 3);
    let again = store::deadlines::run(db).await.unwrap();
    assert_eq!(again, store::deadlines::Noticed::default());
    // The overdue one shows on its trail.
    let trail = store::audit::of_record(db, "proposal", ids[1])
        .await
        .unwrap();
    assert!(trail.iter().any(|e| e.action == "proposal.overdue"));

    let unit = app.token("unit_r").await;
    let list = app
        .api(Method::GET, "/notifications?unread=true", Some(&unit), None)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let items = list.json()["items"].as_array().unwrap().clone();
    let kinds: Vec<&str> = items.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&"proposal.deadline_soon") && kinds.contains(&"proposal.overdue"));
    // The bell on every page counts them; opening one marks it read.
    let (cookies, csrf) = app.web_login("unit_r").await;
    let home = app.page(Method::GET, "/", &cookies, None).await;
    assert!(home.body.contains("通知（2 条未读）"), "{}", home.body);
    let first = items[0]["id"].as_i64().unwrap();
    let opened = app
        .page(
            Method::POST,
            &format!("/notifications/{first}/open"),
            &cookies,
            Some(&format!("_csrf={csrf}")),
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert!(
        opened
            .header("location")
            .unwrap()
            .starts_with("/proposals/")
    );
    let page = app
        .page(Method::GET, "/notifications", &cookies, None)
        .await;
    assert!(
        page.body.contains("通知（1 条未读）") && page.body.contains("提案办理已超期"),
        "{}",
        page.body
    );
    // Someone else's notification is not found; read-all clears the rest.
    let staff_token = app.token("staff_r").await;
    let r = app
        .api(
            Method::POST,
            &format!("/notifications/{first}/read"),
            Some(&staff_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(Method::POST, "/notifications/read-all", Some(&unit), None)
        .await;
    assert_eq!(r.json()["marked"], 1);
    let r = app
        .api(Method::GET, "/notifications?unread=true", Some(&unit), None)
        .await;
    assert_eq!(r.json()["total"], 0);
}

#[tokio::test]
async fn attachments_are_sniffed_named_safely_and_checklists_are_ticked_with_evidence() {
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode, header};
    let app = TestApp::new().await;
    let (member, member2, staff, unit) = (
        app.token("member_r").await,
        app.token("member2_r").await,
        app.token("staff_r").await,
        app.token("unit_r").await,
    );
    let upload = |who: &str, id: i64, purpose: &str, name: &str, bytes: &[u8]| {
        let (ct, body) = multipart(&[("purpose", purpose)], Some((name, bytes)));
        Request::post(format!("/api/v1/proposals/{id}/attachments"))
            .header(header::AUTHORIZATION, format!("Bearer {who}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        &[0u8; 64],
    ]
    .concat();
    let p = new_draft(&app, "member_r", &draft("关于建设口袋公园的建议"))
        .await
        .unwrap();

    // The proposer attaches a PDF under a misleading name: kept as what it is.
    let r = app
        .send(upload(
            &member,
            p.id,
            "attachment",
            "../../调研报告.exe",
            &pdf,
        ))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a = r.json();
    assert_eq!(
        (a["file_name"].as_str(), a["content_type"].as_str()),
        (Some("调研报告.pdf"), Some("application/pdf"))
    );
    // A script named .pdf, an empty file, a file over 10 MB, one over the upload limit.
    let r = app
        .send(upload(
            &member,
            p.id,
            "attachment",
            "x.pdf",
            b"<script>alert(1)</script>",
        ))
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["code"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!("file_type")
        )
    );
    assert_eq!(
        r.json()["errors"][0]["message"],
        "只接受 PDF、DOCX、XLSX、JPEG 或 PNG 文件。"
    );
    let big = [pdf.clone(), vec![b' '; domain::files::MAX_FILE]].concat();
    let r = app
        .send(upload(&member, p.id, "attachment", "big.pdf", &big))
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "file_too_large");
    let huge = vec![b'%'; domain::files::MAX_FILE + 512 * 1024];
    assert_eq!(
        app.send(upload(&member, p.id, "attachment", "h.pdf", &huge))
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let r = app
        .send(upload(&member, p.id, "nonsense", "a.pdf", &pdf))
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "purpose");
    // Only the proposer, only while drafting; the draft is invisible to others.
    assert_eq!(
        app.send(upload(&member2, p.id, "attachment", "a.pdf", &pdf))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app
        .api(
            Method::GET,
            &format!("/proposals/{}/attachments", p.id),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(
        list.json().as_array().unwrap().len(),
        1,
        "nothing refused was stored"
    );

    // Downloaded as an attachment with its name, the same bytes.
    let id = a["id"].as_i64().unwrap();
    let d = app
        .api(
            Method::GET,
            &format!("/attachments/{id}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.bytes, pdf);
    assert_eq!(d.header("content-type"), Some("application/pdf"));
    assert!(
        d.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(
        d.header("content-disposition")
            .unwrap()
            .contains("%E8%B0%83%E7%A0%94%E6%8A%A5%E5%91%8A.pdf")
    );
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/attachments/{id}"),
            Some(&member2),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Submitted, filed and assigned: the proposer may no longer attach; staff may read.
    let db = app.db();
    let (cm, cs) = (caller(db, "member_r").await, caller(db, "staff_r").await);
    proposals::act(db, &cm, p.id, Action::Submit, None)
        .await
        .unwrap();
    let r = app
        .send(upload(&member, p.id, "attachment", "b.pdf", &pdf))
        .await;
    assert_eq!(
        (r.status, r.json()["state"].clone()),
        (StatusCode::CONFLICT, serde_json::json!("submitted"))
    );
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/attachments/{id}"),
            Some(&staff),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    for step in [Action::StartReview, Action::File] {
        proposals::act(db, &cs, p.id, step, None).await.unwrap();
    }
    let assign = Action::Assign {
        lead_units: vec![app.fx.unit_region],
        co_units: vec![],
    };
    proposals::act(db, &cs, p.id, assign, None).await.unwrap();

    // The lead unit uploads its reply document; the proposer may not.
    let r = app
        .send(upload(&unit, p.id, "reply", "答复函.png", &png))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["purpose"], "reply");
    assert!(r.json()["unit_name"].as_str().is_some());
    assert_eq!(
        app.send(upload(&member, p.id, "reply", "x.png", &png))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let reply = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.api(
            Method::DELETE,
            &format!("/attachments/{reply}"),
            Some(&staff),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(
            Method::DELETE,
            &format!("/attachments/{reply}"),
            Some(&unit),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );

    // The checklist: the lead unit lists a commitment, staff tick it with evidence.
    let path = format!("/proposals/{}/commitments", p.id);
    let body = serde_json::json!({"text": "年内新建口袋公园 12 个"});
    assert_eq!(
        app.api(Method::POST, &path, Some(&member), Some(body.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&unit),
            Some(serde_json::json!({"text": " "})),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "text");
    let r = app.api(Method::POST, &path, Some(&unit), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cid = r.json()["id"].as_i64().unwrap();
    let done = format!("{path}/{cid}/done");
    let stale = app
        .api(
            Method::POST,
            &done,
            Some(&staff),
            Some(serde_json::json!({"evidence": "已建成", "version": 7})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let ok = app
        .api(
            Method::POST,
            &done,
            Some(&staff),
            Some(serde_json::json!({"evidence": "已建成 12 个，见验收报告", "version": 1})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(
        (ok.json()["done"].clone(), ok.json()["version"].clone()),
        (serde_json::json!(true), serde_json::json!(2))
    );
    let again = app
        .api(
            Method::POST,
            &done,
            Some(&unit),
            Some(serde_json::json!({"evidence": "再次"})),
        )
        .await;
    assert_eq!(
        (again.status, again.json()["code"].clone()),
        (StatusCode::CONFLICT, serde_json::json!("already_done"))
    );
    let list = app.api(Method::GET, &path, Some(&member), None).await;
    assert_eq!(list.json()[0]["evidence"], "已建成 12 个，见验收报告");

    // From the page: an upload form carries its CSRF token in the multipart body.
    let (cookies, csrf) = app.web_login("unit_r").await;
    let page = app
        .page(Method::GET, &format!("/proposals/{}", p.id), &cookies, None)
        .await;
    assert!(
        page.body.contains("enctype=\"multipart/form-data\"") && page.body.contains("办理承诺清单")
    );
    let send = |csrf: &str| {
        let (ct, body) = multipart(
            &[("_csrf", csrf), ("purpose", "reply")],
            Some(("答复.pdf", &pdf)),
        );
        Request::post(format!("/proposals/{}/attachments", p.id))
            .header(header::COOKIE, cookies.clone())
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(app.send(send("forged")).await.status, StatusCode::FORBIDDEN);
    let r = app.send(send(&csrf)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .page(Method::GET, &format!("/proposals/{}", p.id), &cookies, None)
        .await;
    assert!(page.body.contains("答复.pdf"));
}
