//! Demo public-opinion information: two studios, this year's pieces in every
//! state, one published and reported bulletin issue with a leader's
//! instruction, and one issue being assembled. Everything goes through the
//! same commands as the pages, so the trail is complete.

use crate::Caller;
use crate::citizens;
use crate::db::{Tx, on_tx};
use crate::error::StoreError;
use crate::opinions::{self, Action, BulletinAction};
use crate::platform::bodies;
use domain::citizens::CitizenInput;
use domain::opinions::{LeaderLevel, OpinionInput, Recipient, SourceInput};
use domain::platform::{BodyInput, BodyKind};

/// (title, body, category, urgency)
const PIECES: [(&str, &str, &str, &str); 12] = [
    (
        "农村养老服务站普遍缺少护理员",
        "多个乡镇反映，村级养老服务站建成后缺少专职护理员，白天老人无人照看。\n建议县级统一招聘、乡镇统筹使用，并给予岗位补贴。",
        "society",
        "urgent",
    ),
    (
        "城区学校周边早晚高峰拥堵严重",
        "第一小学、实验中学周边上下学时段车辆乱停，学生安全隐患突出。\n建议设置临时停车区和护学岗。",
        "governance",
        "normal",
    ),
    (
        "部分小微企业反映融资担保费率偏高",
        "走访中企业反映担保费率仍在2%左右，叠加利息后负担较重。\n建议扩大政府性融资担保覆盖面，降低费率。",
        "economy",
        "normal",
    ),
    (
        "山区群众就医路远问题仍较突出",
        "偏远山村到乡镇卫生院需一个多小时车程。\n建议推广巡回医疗和远程诊疗。",
        "health",
        "urgent",
    ),
    (
        "老旧小区加装电梯协调难",
        "低层住户担心采光和噪声，意见难以统一。\n建议出台补偿指引，由社区组织协商。",
        "society",
        "normal",
    ),
    (
        "农产品冷链物流短板制约增收",
        "水果集中上市期缺少冷库，损耗率高。\n建议在主产区布局产地冷藏设施。",
        "agriculture",
        "normal",
    ),
    (
        "河道沿岸仍有生活污水直排",
        "群众反映城郊段河道有异味。\n建议排查沿岸排口，加快管网建设。",
        "ecology",
        "very_urgent",
    ),
    (
        "职业院校毕业生本地就业率不高",
        "不少毕业生流向外省，本地企业招工难。\n建议推动校企订单培养。",
        "education",
        "normal",
    ),
    (
        "社区文化活动场地不足",
        "部分新建小区没有配建活动用房。\n建议落实配建标准，盘活闲置用房。",
        "culture",
        "normal",
    ),
    (
        "外卖骑手缺少休息场所",
        "夏季高温时骑手无处歇脚。\n建议在商圈设置爱心驿站。",
        "society",
        "normal",
    ),
    (
        "乡村学校音体美教师短缺",
        "部分学校音乐、美术课由其他学科教师兼任。\n建议实行县域内走教。",
        "education",
        "normal",
    ),
    (
        "电动自行车充电难引发安全隐患",
        "居民楼道充电现象仍然存在。\n建议加快建设集中充电设施。",
        "governance",
        "urgent",
    ),
];

/// The accounts the demo acts as.
pub(super) struct Actors<'a> {
    pub writers: [&'a Caller; 2],
    pub staff: &'a Caller,
    pub leader: &'a Caller,
    pub citizen: &'a Caller,
}

/// The writers answer the first studio's public form; the citizen account
/// has left input there that a member took up and submitted, and two
/// visitors' input waits in its inbox.
async fn citizens_voice(
    tx: &mut Tx,
    region: i64,
    studio_id: i64,
    who: &Actors<'_>,
) -> Result<usize, StoreError> {
    for w in who.writers {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO studio_members (studio_id, member_id)
             SELECT $1, id FROM members WHERE user_id = $2 AND committee_id = $3"
        )
        .bind(studio_id)
        .bind(w.actor.user_id)
        .bind(region)
        .execute(c)
        .await
        .map(|_| ())?);
    }
    let studio = crate::studios::get_tx(tx, studio_id).await?;
    let inputs = [
        (
            who.citizen.clone(),
            "小区门口路灯坏了三个月",
            "解放路小区东门外三盏路灯一直不亮，晚上老人出门不安全。\n希望尽快修好。",
            "刘晓燕",
        ),
        (
            Caller::anonymous(Some("203.0.113.7".into())),
            "菜市场凌晨卸货噪音大",
            "每天凌晨四点开始卸货，附近居民睡不好。\n建议规定卸货时间。",
            "王先生",
        ),
        (
            Caller::anonymous(Some("198.51.100.23".into())),
            "希望增开一趟去县医院的公交",
            "住在开发区的老人去县医院要换两次车。",
            "",
        ),
    ];
    let mut first = None;
    for (caller, title, body, name) in inputs {
        let f = CitizenInput {
            title: title.into(),
            body: body.into(),
            name: name.into(),
            contact: String::new(),
        }
        .validate()
        .map_err(StoreError::Invalid)?;
        let receipt = crate::ids::new_token()?;
        let id = citizens::insert_in(tx, &caller, &studio, &f, &receipt).await?;
        first.get_or_insert(id);
    }
    if let Some(id) = first {
        let o = citizens::take_up_in(tx, who.writers[0], id).await?;
        opinions::act_in(tx, who.writers[0], o.id, Action::Submit, None).await?;
        return Ok(1);
    }
    Ok(0)
}

/// Seeds the studios, pieces and bulletins; answers how many pieces.
pub(super) async fn fill(tx: &mut Tx, region: i64, who: &Actors<'_>) -> Result<usize, StoreError> {
    let sys = Caller::system();
    let mut studios = Vec::new();
    for (name, contact) in [
        ("经济界别委员工作室", "城关镇解放路12号"),
        ("教育界别委员工作室", "实验中学东楼"),
    ] {
        let input = BodyInput {
            name: name.into(),
            contact: Some(contact.into()),
            ..Default::default()
        };
        studios.push(
            bodies::create_in(tx, &sys, BodyKind::Studio, region, &input)
                .await?
                .id,
        );
    }
    let from_citizens = citizens_voice(tx, region, studios[0], who).await?;
    bodies::create_in(
        tx,
        &sys,
        BodyKind::LiaisonGroup,
        region,
        &BodyInput {
            name: "城关镇政协委员联络组".into(),
            ..Default::default()
        },
    )
    .await?;

    let published =
        opinions::open_bulletin_in(tx, who.staff, region, "本期关注基层民生中的急难愁盼问题。")
            .await?;
    let mut ids = Vec::new();
    for (i, (title, body, category, urgency)) in PIECES.iter().enumerate() {
        let writer = who.writers[i % 2];
        let sources = if i % 4 == 1 {
            // Carried in through a studio as well as by its writer.
            vec![SourceInput {
                kind: "studio".into(),
                member_id: None,
                body_id: Some(studios[i % 2]),
            }]
        } else {
            Vec::new()
        };
        let input = OpinionInput {
            title: (*title).into(),
            body: (*body).into(),
            category: (*category).into(),
            region: "城关镇".into(),
            urgency: (*urgency).into(),
            sources,
        };
        let o = opinions::create_draft_in(tx, writer, region, &input).await?;
        ids.push((o.id, writer));
    }
    let act = async |tx: &mut Tx, who: &Caller, id: i64, a: Action| {
        opinions::act_in(tx, who, id, a, None).await.map(|_| ())
    };
    // Pieces 0–10 are submitted; the last stays a draft.
    for (id, writer) in &ids[..11] {
        act(tx, writer, *id, Action::Submit).await?;
    }
    // Staff edit 0–8; 0–3 go into the published issue, 4 absorbs 5.
    for (id, _) in &ids[..9] {
        act(tx, who.staff, *id, Action::StartEditing).await?;
    }
    act(
        tx,
        who.staff,
        ids[0].0,
        Action::Edit {
            title: "关于农村养老服务站护理员短缺问题的情况反映".into(),
            body: "据多个乡镇反映，村级养老服务站建成后普遍缺少专职护理员，白天老人无人照看，服务站作用未能充分发挥。\n建议：一、县级统一招聘、乡镇统筹使用；二、给予护理岗位补贴；三、开展护理技能培训。".into(),
        },
    )
    .await?;
    act(
        tx,
        who.staff,
        ids[4].0,
        Action::Combine {
            with: vec![ids[5].0],
        },
    )
    .await?;
    for (id, _) in &ids[..4] {
        act(
            tx,
            who.staff,
            *id,
            Action::Adopt {
                bulletin_id: published,
            },
        )
        .await?;
    }
    opinions::bulletin_act_in(tx, who.staff, published, BulletinAction::Publish, None).await?;
    opinions::bulletin_act_in(
        tx,
        who.staff,
        published,
        BulletinAction::Report {
            recipients: vec![Recipient::PartyCommittee, Recipient::Government],
            channel: "机要交换".into(),
        },
        None,
    )
    .await?;
    act(
        tx,
        who.leader,
        ids[0].0,
        Action::RecordInstruction {
            leader: "陈振华".into(),
            level: LeaderLevel::Provincial,
            on_date: "2026-11-18".into(),
            text: "请民政厅会同人社厅研究，拿出护理员配备的具体办法。".into(),
        },
    )
    .await?;
    act(
        tx,
        who.staff,
        ids[3].0,
        Action::RecordAdoption {
            department: "省卫生健康委".into(),
            on_date: "2026-11-20".into(),
            text: "已将巡回医疗纳入明年民生实事。".into(),
        },
    )
    .await?;
    // The next issue is being assembled with one piece in it.
    let open = opinions::open_bulletin_in(tx, who.staff, region, "").await?;
    act(tx, who.staff, ids[4].0, Action::Adopt { bulletin_id: open }).await?;
    act(
        tx,
        who.staff,
        ids[6].0,
        Action::Decline {
            reason: "所反映问题已在上期专报中反映，不再重复采用。".into(),
        },
    )
    .await?;
    Ok(ids.len() + from_citizens)
}
