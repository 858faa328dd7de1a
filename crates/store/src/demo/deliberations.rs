//! Demo online deliberations: two finished public ones with a few hundred
//! anonymous participants each, whose votes follow planted opinion groups
//! (so that the results page has groups, representative statements and
//! common ground to show; the demo's `member` took part too, and sees their
//! own group), and one open now to members and citizens, with
//! a member's statement waiting for moderation. Everything goes through the same
//! commands as the pages, each at its own time.

use super::Rng;
use crate::Caller;
use crate::clock;
use crate::db::{Tx, on_tx};
use crate::deliberations::{self, DeliberationInput, Voice};
use crate::error::StoreError;
use domain::deliberations::{StatementStatus, Step, Vote};

/// The accounts the demo acts as.
pub(super) struct Cast<'a> {
    pub staff: &'a Caller,
    /// Members who vote on the open deliberation.
    pub members: &'a [Caller],
    /// The demo's `member`: took part in the finished ones (with their first
    /// group), so that their results pages show them their own place.
    pub member: &'a Caller,
    /// The demo's `member2`: writes the statement waiting in the queue.
    pub member2: &'a Caller,
    pub committee_id: i64,
}

const DAY: i64 = 86_400_000_000;
const HOUR: i64 = 3_600_000_000;
const MINUTE: i64 = 60_000_000;
/// Citizens who voted on the open deliberation so far.
const OPEN_VISITORS: usize = 40;

/// How a planted group votes on a statement.
#[derive(Clone, Copy)]
enum Stance {
    /// Agrees most of the time.
    Yes,
    /// Disagrees most of the time.
    No,
    /// Divided.
    Mixed,
}
use Stance::{Mixed, No, Yes};

/// A finished deliberation: topic, background, planted group shares (in
/// percent), statements with each group's stance, and the report.
struct Finished {
    title: &'static str,
    background: &'static str,
    shares: &'static [usize],
    statements: &'static [(&'static str, &'static [Stance])],
    /// Statements participants wrote (accepted by staff), with stances.
    written: &'static [(&'static str, &'static [Stance])],
    /// A statement staff rejected.
    rejected: &'static str,
    report: &'static str,
    /// Days before today that it opened and closed.
    opened: i64,
    closed: i64,
    /// The title of the demo consultation it is the online part of.
    consultation: Option<&'static str>,
    /// How its results draw the groups (`map` or `votes`).
    grouping: &'static str,
}

const ELEVATORS: Finished = Finished {
    title: "老旧小区加装电梯怎么推进",
    background: "全市约有 1,200 个 2000 年以前建成的多层住宅小区没有电梯，60 岁以上居民占三成。加装电梯涉及费用分摊、低层住户利益、审批和维护等问题。请就推进办法发表观点，并对他人的观点表态。",
    shares: &[45, 35, 20],
    grouping: "map",
    statements: &[
        ("政府应补贴加装电梯费用的一半以上", &[Yes, Yes, Mixed]),
        ("费用应主要由受益的中高层住户承担", &[No, Yes, Yes]),
        ("一楼住户应得到合理的经济补偿", &[Mixed, Yes, Yes]),
        ("加装电梯不应要求全体住户一致同意", &[Yes, No, Mixed]),
        ("三分之二住户同意即可启动加装", &[Yes, No, Yes]),
        (
            "应由街道牵头组织协商，而不是业主自行协调",
            &[Yes, Mixed, No],
        ),
        ("审批流程应合并为一个窗口一次办结", &[Yes, Yes, Yes]),
        ("电梯建成后的维护费用应提前约定分摊办法", &[Yes, Yes, Yes]),
        ("加装电梯会影响低层住户的采光和通风", &[No, Yes, Mixed]),
        ("应允许公积金用于加装电梯", &[Yes, Mixed, Yes]),
        ("老年人多的小区应优先安排", &[Yes, Yes, Mixed]),
        ("物业公司应承担电梯日常维护", &[Mixed, Yes, No]),
        ("应引入专业代建公司统一实施", &[Mixed, No, Yes]),
        ("加装电梯能明显提高房屋价值", &[Yes, No, Yes]),
        ("应公开每个项目的费用明细", &[Yes, Yes, Yes]),
        ("政府不应为私人住宅改造出钱", &[No, Mixed, Yes]),
        ("施工期间应保障住户正常出行", &[Yes, Yes, Yes]),
        ("加装电梯应与小区整体改造同步进行", &[Mixed, Yes, No]),
    ],
    written: &[
        ("可以先在几个小区试点，再总结推广", &[Yes, Mixed, Yes]),
        ("应设立矛盾调解员化解邻里纠纷", &[Yes, Yes, Mixed]),
    ],
    rejected: "加微信领取加装电梯补贴名额",
    report: "本次网络议政共有数百名市民参与。分析显示，参与者形成三个意见群体：一是支持政府补贴、主张降低启动门槛的中高层住户；二是关注采光、通风和补偿的低层住户；三是主张市场化实施、由受益者付费的业主代表。\n\n各群体的共识集中在：审批一窗办结、提前约定维护费用分摊、公开项目费用明细、施工期间保障出行。建议市政府据此完善加装电梯实施办法，设立低层住户补偿指引，并由街道牵头建立协商机制。",
    opened: 120,
    closed: 90,
    consultation: Some("老旧小区加装电梯“有事好商量”"),
};

const PARKING: Finished = Finished {
    title: "县城停车难怎么解决",
    background: "县城机动车保有量五年增长近一倍，老城区停车位缺口约 8,000 个。请就增加车位、收费和管理发表观点。",
    shares: &[55, 45],
    // The second shows the groups drawn from the votes.
    grouping: "votes",
    statements: &[
        ("应在老城区建设立体停车库", &[Yes, Yes]),
        ("路边停车应全面收费", &[No, Yes]),
        ("停车收费应按时段和区域实行差别定价", &[Mixed, Yes]),
        ("机关和学校的停车场应在夜间向居民开放", &[Yes, Yes]),
        ("应严查占道停车并拖移违停车辆", &[No, Yes]),
        ("应允许在人行道上划线停车", &[Yes, No]),
        ("应大力发展公交，减少私家车出行", &[Mixed, Yes]),
        ("新建小区必须按一户一位配建车位", &[Yes, Yes]),
        ("停车收入应全部用于建设停车设施", &[Yes, Yes]),
        ("老城区应限制外地车辆进入", &[No, Mixed]),
        ("应鼓励社会资本投资建设停车场", &[Mixed, Yes]),
        ("短时停车十五分钟内应免费", &[Yes, Mixed]),
        ("应建设统一的停车信息平台，实时显示空余车位", &[Yes, Yes]),
        ("小区内部道路停车应由业主自行管理", &[Yes, No]),
    ],
    written: &[("医院和学校周边应设即停即走车位", &[Yes, Yes])],
    rejected: "停车难都是因为外地人太多",
    report: "本次网络议政形成两个意见群体：一是主张宽松管理、增加免费和临时车位的车主群体；二是主张收费调节、严格管理和发展公交的群体。\n\n两个群体的共识是：建设立体停车库、机关学校车位错时开放、新建小区按一户一位配建、停车收入专款用于停车设施、建设停车信息平台。建议县政府将上述共识纳入城区停车专项规划。",
    opened: 60,
    closed: 40,
    consultation: None,
};

/// The open deliberation: (statement, how the members tend to vote).
const OPEN_TITLE: &str = "政协委员履职服务如何更加数字化";
const OPEN_BACKGROUND: &str = "本届政协推行委员履职信息化。请各位委员就履职平台的功能和使用发表观点，并对其他委员的观点表态，议政结果将作为平台改进的依据。";
const OPEN_STATEMENTS: [&str; 12] = [
    "提案撰写应提供往年同类提案的参考",
    "委员履职记录应自动汇总，不再手工填报",
    "会议通知应同时通过短信和平台发送",
    "应在手机上完成提案的撰写和提交",
    "社情民意信息应能看到每一步的办理情况",
    "网络议政应允许匿名发表观点",
    "履职平台应对委员进行年度履职排名",
    "应为年长委员提供使用培训",
    "界别活动应能在平台上报名和签到",
    "承办单位的答复应能在线评价",
    "平台应提供少数民族语言版本",
    "委员工作室收到的群众意见应能直接转为社情民意信息",
];

/// A participant's vote under their group's stance on a statement.
fn cast(rng: &mut Rng, stance: Stance) -> Vote {
    let r = rng.below(100);
    match stance {
        Yes if r < 82 => Vote::Agree,
        Yes if r < 92 => Vote::Disagree,
        No if r < 80 => Vote::Disagree,
        No if r < 90 => Vote::Agree,
        Mixed if r < 40 => Vote::Agree,
        Mixed if r < 75 => Vote::Disagree,
        _ => Vote::Pass,
    }
}

/// Runs one finished deliberation; answers its participants.
async fn finished(
    tx: &mut Tx,
    rng: &mut Rng,
    cast_: &Cast<'_>,
    f: &Finished,
    people: usize,
    now: i64,
) -> Result<usize, StoreError> {
    let (opens, closes) = (now - f.opened * DAY, now - f.closed * DAY);
    let staff = cast_.staff;
    let consultation_id = match f.consultation {
        Some(title) => on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM consultations WHERE committee_id = $1 AND title = $2"
        )
        .bind(cast_.committee_id)
        .bind(title)
        .fetch_optional(c)
        .await?),
        None => None,
    };
    let d = clock::at(
        opens - DAY,
        deliberations::create_in(
            tx,
            staff,
            cast_.committee_id,
            &DeliberationInput {
                title: f.title.into(),
                background: f.background.into(),
                audience: "public".into(),
                moderation: "pre".into(),
                grouping: f.grouping.into(),
                opens_at: clock::rfc3339(opens),
                closes_at: clock::rfc3339(closes),
                consultation_id,
            },
        ),
    )
    .await?;
    clock::at(
        opens,
        deliberations::act_in(tx, staff, d.id, Step::Open, None, None),
    )
    .await?;
    let staff_voice = Voice {
        caller: staff,
        anon_key: None,
    };
    // (statement id, stances) in the order they are put to participants.
    let mut put: Vec<(i64, &[Stance])> = Vec::new();
    for (i, (text, stances)) in f.statements.iter().enumerate() {
        let s = clock::at(
            opens + i as i64 * MINUTE,
            deliberations::add_statement_in(tx, staff_voice, d.id, text),
        )
        .await?;
        put.push((s.id, stances));
    }
    let visitor = Caller::anonymous(None);
    let span = closes - opens - DAY;
    let group_of = |p: usize| {
        // Shares in percent: participant p falls in the group whose band holds p % 100.
        let slot = (p * 37) % 100;
        let mut upto = 0;
        for (g, share) in f.shares.iter().enumerate() {
            upto += share;
            if slot < upto {
                return g;
            }
        }
        f.shares.len() - 1
    };
    for p in 0..people {
        let key = format!("{:032x}", rng.next_u64() as u128 * 7 + p as u128);
        let voice = Voice {
            caller: &visitor,
            anon_key: Some(&key),
        };
        let start = opens + (span / people as i64) * p as i64;
        let g = group_of(p);
        // A few participants write the statements others later vote on.
        if let Some((text, stances)) = f.written.get(p / 7).filter(|_| p % 7 == 3) {
            let s = clock::at(
                start,
                deliberations::add_statement_in(tx, voice, d.id, text),
            )
            .await?;
            clock::at(
                start + 30 * MINUTE,
                deliberations::moderate_in(tx, staff, d.id, s.id, StatementStatus::Accepted),
            )
            .await?;
            put.push((s.id, stances));
        }
        if p == people / 2 {
            let s = clock::at(
                start,
                deliberations::add_statement_in(tx, voice, d.id, f.rejected),
            )
            .await?;
            clock::at(
                start + 20 * MINUTE,
                deliberations::moderate_in(tx, staff, d.id, s.id, StatementStatus::Rejected),
            )
            .await?;
        }
        // Each votes on most statements, in an order of their own.
        let mut order: Vec<usize> = (0..put.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let take = put.len() * 3 / 5 + rng.below(put.len() * 2 / 5 + 1);
        for (k, &i) in order.iter().take(take).enumerate() {
            let (sid, stances) = put[i];
            let v = cast(rng, stances[g.min(stances.len() - 1)]);
            clock::at(
                start + 40 * MINUTE + k as i64 * 20_000_000,
                deliberations::vote_in(tx, voice, d.id, sid, v),
            )
            .await?;
        }
    }
    // The demo's `member`, on the last day, as the first group would (no
    // draws from `rng`: the rest of the demo stays as it was).
    let member = Voice {
        caller: cast_.member,
        anon_key: None,
    };
    for (k, (sid, stances)) in put.iter().enumerate() {
        let v = match stances[0] {
            Yes => Vote::Agree,
            No => Vote::Disagree,
            Mixed => Vote::Pass,
        };
        clock::at(
            closes - DAY + k as i64 * 20_000_000,
            deliberations::vote_in(tx, member, d.id, *sid, v),
        )
        .await?;
    }
    clock::at(
        closes,
        deliberations::act_in(tx, staff, d.id, Step::Close, None, None),
    )
    .await?;
    clock::at(
        closes + 5 * DAY,
        deliberations::act_in(tx, staff, d.id, Step::PublishReport, None, Some(f.report)),
    )
    .await?;
    Ok(people)
}

/// Fills the demo's deliberations; answers how many were made. With a small
/// demo (`quick`), the finished ones have sixty participants instead of
/// some hundreds.
pub(super) async fn fill(
    tx: &mut Tx,
    rng: &mut Rng,
    cast_: &Cast<'_>,
    quick: bool,
) -> Result<usize, StoreError> {
    let now = clock::now();
    let (many, fewer) = if quick { (60, 60) } else { (260, 190) };
    finished(tx, rng, cast_, &ELEVATORS, many, now).await?;
    finished(tx, rng, cast_, &PARKING, fewer, now).await?;

    // Open now, to members and citizens alike.
    let staff = cast_.staff;
    let d = clock::at(
        now - 4 * DAY,
        deliberations::create_in(
            tx,
            staff,
            cast_.committee_id,
            &DeliberationInput {
                title: OPEN_TITLE.into(),
                background: OPEN_BACKGROUND.into(),
                audience: "public".into(),
                moderation: "pre".into(),
                grouping: String::new(),
                opens_at: clock::rfc3339(now - 3 * DAY),
                closes_at: clock::rfc3339(now + 11 * DAY),
                consultation_id: None,
            },
        ),
    )
    .await?;
    clock::at(
        now - 3 * DAY,
        deliberations::act_in(tx, staff, d.id, Step::Open, None, None),
    )
    .await?;
    let mut ids = Vec::new();
    for (i, text) in OPEN_STATEMENTS.iter().enumerate() {
        let s = clock::at(
            now - 3 * DAY + i as i64 * MINUTE,
            deliberations::add_statement_in(
                tx,
                Voice {
                    caller: staff,
                    anon_key: None,
                },
                d.id,
                text,
            ),
        )
        .await?;
        ids.push(s.id);
    }
    // Members (where the demo has member accounts beyond the named ones)
    // and citizens vote; the demo's `member` has not voted yet.
    let visitor = Caller::anonymous(None);
    let keys: Vec<String> = (0..OPEN_VISITORS)
        .map(|v| format!("{:032x}", (rng.next_u64() as u128) << 8 | v as u128))
        .collect();
    let voices: Vec<Voice> = cast_
        .members
        .iter()
        .take(24)
        .map(|m| Voice {
            caller: m,
            anon_key: None,
        })
        .chain(keys.iter().map(|k| Voice {
            caller: &visitor,
            anon_key: Some(k),
        }))
        .collect();
    let span = 2 * DAY;
    for (m, voice) in voices.iter().enumerate() {
        let at = now - 2 * DAY - HOUR + (span / voices.len() as i64) * m as i64;
        for (k, sid) in ids.iter().enumerate() {
            if rng.below(10) < 2 {
                continue;
            }
            // Two leanings: those for rankings and anonymity, and those
            // against; everyone wants training and less manual reporting.
            let stance = match (k, m % 3 == 0) {
                (5 | 6, true) => Yes,
                (5 | 6, false) => No,
                (0 | 9, true) => No,
                (7 | 1 | 3, _) => Yes,
                _ => Mixed,
            };
            clock::at(
                at + k as i64 * 30_000_000,
                deliberations::vote_in(tx, *voice, d.id, *sid, cast(rng, stance)),
            )
            .await?;
        }
    }
    clock::at(
        now - DAY,
        deliberations::add_statement_in(
            tx,
            Voice {
                caller: cast_.member2,
                anon_key: None,
            },
            d.id,
            "提案办理结果应自动通知所有联名委员",
        ),
    )
    .await?;
    Ok(3)
}
