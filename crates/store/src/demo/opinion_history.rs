//! Five years of public-opinion information for the demo: about 1,100 pieces
//! a year (in proportion to the proposals' history) by the history's member
//! accounts, a third adopted into a weekly bulletin issue that is published
//! and reported each Friday, instructions and departments' adoptions on some
//! of them, the rest declined, combined or withdrawn. Every piece walks the
//! real commands at its own date (see [`crate::clock::at`]).

use super::{Rng, TOPICS};
use crate::Caller;
use crate::clock;
use crate::db::Tx;
use crate::error::StoreError;
use crate::opinions::{self, Action, BulletinAction};
use domain::opinions::{LeaderLevel, OpinionInput, Recipient};

/// Pieces for every hundred proposals a year: the seed's 1,100 to 600.
const PER_HUNDRED_PROPOSALS: usize = 183;
const DAY: i64 = 86_400_000_000;
const HOUR: i64 = 3_600_000_000;

/// The people who act in the history.
pub struct Cast<'a> {
    pub writers: &'a [Caller],
    /// Information staff: they edit, adopt and publish.
    pub staff: &'a Caller,
    pub leader: &'a Caller,
    pub committee_id: i64,
}

const PLACES: [&str; 12] = [
    "青溪县",
    "石门县",
    "松岗县",
    "临川市城区",
    "云岭市郊",
    "城关镇",
    "开发区",
    "山区乡镇",
    "沿江村组",
    "老旧小区",
    "城乡结合部",
    "民族乡",
];

/// What people said, with {P} the place and {T} the topic.
const OPENINGS: [&str; 6] = [
    "近期，{P}群众反映，{T}方面仍有不少实际困难。",
    "委员在{P}走访时了解到，{T}工作推进中出现了新情况。",
    "据{P}基层干部反映，{T}相关政策落地存在“最后一公里”问题。",
    "{P}部分居民通过委员工作室反映，{T}与群众期待还有差距。",
    "来自{P}的调查显示，群众对{T}的意见较为集中。",
    "联络组在{P}座谈时，多位群众谈到{T}的问题。",
];
const PROBLEMS: [&str; 6] = [
    "主要表现为服务覆盖不足、专业人员缺乏，偏远地区尤为突出。",
    "一些项目建成后运营经费无着落，设施闲置。",
    "部门之间职责交叉，群众办事需要多头跑。",
    "相关补助标准多年未调整，难以覆盖实际成本。",
    "信息公开不及时，群众对政策知晓率不高。",
    "基层人手紧张，监管和服务跟不上。",
];
const ASKS: [&str; 6] = [
    "建议：一是摸清底数；二是加大投入；三是建立长效机制。",
    "建议由县级统筹，明确责任部门和完成时限。",
    "建议开展专项督查，及时回应群众关切。",
    "建议整合现有资源，推动服务下沉到村（社区）。",
    "建议完善补助政策，并向困难群体倾斜。",
    "建议加强宣传解读，畅通群众反映渠道。",
];
const DECLINE_REASONS: [&str; 4] = [
    "所反映情况已在近期专报中反映，不再重复采用。",
    "反映的问题属个案，已转有关部门直接处理。",
    "情况有待进一步核实，暂不采用。",
    "内容与本期主题关联不大，留作参考。",
];
const LEADERS: [(&str, LeaderLevel); 5] = [
    ("陈振华", LeaderLevel::Provincial),
    ("周明远", LeaderLevel::Municipal),
    ("李国强", LeaderLevel::County),
    ("王海峰", LeaderLevel::County),
    ("赵立新", LeaderLevel::Municipal),
];
const DEPARTMENTS: [&str; 6] = [
    "省民政厅",
    "省卫生健康委",
    "市住房和城乡建设局",
    "县教育局",
    "县农业农村局",
    "市交通运输局",
];

fn fill_in(template: &str, place: &str, topic: &str) -> String {
    template.replace("{P}", place).replace("{T}", topic)
}

fn day_string(micros: i64) -> String {
    clock::local_date(micros)
}

/// Walks the history; answers how many pieces it made.
pub async fn fill(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast<'_>,
    proposals_per_year: usize,
) -> Result<usize, StoreError> {
    if cast.writers.is_empty() {
        return Ok(0);
    }
    let per_year = proposals_per_year * PER_HUNDRED_PROPOSALS / 100;
    // The demo's today: the current year runs until late November.
    let today = clock::date_micros(2026, 11, 25);
    let mut made = 0;
    for year in 2022..=2026 {
        let weeks: i64 = if year == 2026 { 46 } else { 52 };
        let per_week = per_year / 52;
        // The first Monday of the year or after.
        let jan1 = clock::date_micros(year, 1, 1);
        let mut monday = jan1;
        while time::OffsetDateTime::from_unix_timestamp(monday / 1_000_000 + 8 * 3600)
            .map(|d| d.weekday() != time::Weekday::Monday)
            .unwrap_or(false)
        {
            monday += DAY;
        }
        for w in 0..weeks {
            let start = monday + w * 7 * DAY;
            if start + 5 * DAY > today {
                break;
            }
            made += week(tx, rng, cast, start, per_week, today).await?;
        }
    }
    Ok(made)
}

/// One week: pieces written Monday to Thursday, reviewed, a third adopted
/// into the week's issue, published and reported on Friday; instructions
/// and adoptions come back in the following weeks.
async fn week(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast<'_>,
    start: i64,
    pieces: usize,
    today: i64,
) -> Result<usize, StoreError> {
    let staff = cast.staff;
    let c = cast.committee_id;
    let bulletin = clock::at(
        start + 8 * HOUR,
        opinions::open_bulletin_in(tx, staff, c, ""),
    )
    .await?;
    let mut adopted = Vec::new();
    let mut waiting: Option<i64> = None;
    for i in 0..pieces {
        let at = start + (i as i64 % 4) * DAY + 9 * HOUR + rng.below(8) as i64 * HOUR;
        let writer = rng.pick(cast.writers);
        let (topic, category) = *rng.pick(&TOPICS);
        let place = *rng.pick(&PLACES);
        let opening: &&str = rng.pick(&OPENINGS);
        let input = OpinionInput {
            title: format!("关于{place}{topic}问题的情况反映"),
            body: [
                fill_in(opening, place, topic),
                (*rng.pick(&PROBLEMS)).to_string(),
                (*rng.pick(&ASKS)).to_string(),
            ]
            .join("\n"),
            category: category.into(),
            region: place.into(),
            urgency: if rng.below(10) == 0 {
                "urgent"
            } else {
                "normal"
            }
            .into(),
            sources: Vec::new(),
        };
        let o = clock::at(at, opinions::create_draft_in(tx, writer, c, &input)).await?;
        let step = |a: Action, who: &'static str| (a, who);
        let roll = rng.below(100);
        let mut steps = vec![step(Action::Submit, "writer")];
        if roll < 3 {
            steps = vec![step(Action::Withdraw, "writer")];
        } else {
            steps.push(step(Action::StartEditing, "staff"));
            if roll < 38 {
                // A piece held back earlier in the week is combined into this one.
                if let Some(other) = waiting.take() {
                    steps.push(step(Action::Combine { with: vec![other] }, "staff"));
                }
                steps.push(step(
                    Action::Adopt {
                        bulletin_id: bulletin,
                    },
                    "staff",
                ));
            } else if roll < 43 && waiting.is_none() {
                // Absorbed into the next piece of the week, which staff combine.
                waiting = Some(o.id);
            } else {
                steps.push(step(
                    Action::Decline {
                        reason: (*rng.pick(&DECLINE_REASONS)).into(),
                    },
                    "staff",
                ));
            }
        }
        for (n, (action, who)) in steps.into_iter().enumerate() {
            let actor = if who == "writer" { writer } else { staff };
            let when = at + (n as i64 + 1) * HOUR;
            let adopting = matches!(action, Action::Adopt { .. });
            clock::at(when, opinions::act_in(tx, actor, o.id, action, None)).await?;
            if adopting {
                adopted.push(o.id);
            }
        }
    }
    if let Some(other) = waiting {
        // Nobody absorbed it this week: it is declined as covered elsewhere.
        clock::at(
            start + 4 * DAY,
            opinions::act_in(
                tx,
                staff,
                other,
                Action::Decline {
                    reason: DECLINE_REASONS[0].into(),
                },
                None,
            ),
        )
        .await?;
    }
    if adopted.is_empty() {
        return Ok(pieces);
    }
    let friday = start + 4 * DAY + 16 * HOUR;
    clock::at(
        friday,
        opinions::bulletin_act_in(tx, staff, bulletin, BulletinAction::Publish, None),
    )
    .await?;
    clock::at(
        friday + HOUR,
        opinions::bulletin_act_in(
            tx,
            staff,
            bulletin,
            BulletinAction::Report {
                recipients: vec![Recipient::PartyCommittee, Recipient::Government],
                channel: "机要交换".into(),
            },
            None,
        ),
    )
    .await?;
    for id in adopted {
        let roll = rng.below(100);
        let when = friday + (3 + rng.below(25) as i64) * DAY;
        if when > today {
            continue;
        }
        let on_date = day_string(when);
        let action = if roll < 18 {
            let (leader, level) = *rng.pick(&LEADERS);
            Action::RecordInstruction {
                leader: leader.into(),
                level,
                on_date,
                text: "请有关部门认真研究，提出具体措施并抓好落实。".into(),
            }
        } else if roll < 28 {
            Action::RecordAdoption {
                department: (*rng.pick(&DEPARTMENTS)).into(),
                on_date,
                text: "已吸收进年度工作安排。".into(),
            }
        } else {
            continue;
        };
        let who = if matches!(action, Action::RecordInstruction { .. }) {
            cast.leader
        } else {
            staff
        };
        clock::at(when, opinions::act_in(tx, who, id, action, None)).await?;
    }
    Ok(pieces)
}
