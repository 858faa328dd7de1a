//! Five years of consultation work for the demo, at the seed's scale (for
//! 600 proposals a year: 11 thematic standing-committee sessions, 62
//! thematic consultations, 52 sector, 262 proposal-handling, 52 counterpart
//! and grassroots, 31 legislative; 56 reports sent to the party committee),
//! with their participants and experts, meetings (agenda opening with the
//! study item, answers, check-ins, speeches in order, minutes), comments
//! on drafts, outcomes, feedback and scores; each year's plan; draft
//! regulations commented on by paragraph; the expert pool; and 9
//! democratic supervision topics. Every record goes through the real
//! commands at its own date (see [`crate::clock::at`]).

use super::consultations::day_after;
use super::{Rng, SECTORS, TOPICS, UNITS};
use crate::Caller;
use crate::clock;
use crate::consultation_people;
use crate::consultations::{self, Action, ConsultationInput, OutcomeInput};
use crate::db::Tx;
use crate::error::StoreError;
use crate::experts::{self, ExpertInput};
use crate::legislation::{self, DraftInput};
use crate::meetings::{self, AgendaItem, SpeechInput};
use crate::plans::{self, ItemInput};
use crate::supervision::{self, InspectionInput, RectificationInput, TopicInput};
use domain::consultations::{PlanStep, Step};

/// The people who act in the history.
pub struct Cast<'a> {
    pub staff: &'a Caller,
    pub leader: &'a Caller,
    pub evaluator: &'a Caller,
    /// Member accounts: participants, commenters, speakers.
    pub members: &'a [Caller],
    pub committee_id: i64,
}

/// Consultations per form in each of the five years at 600 proposals a
/// year, and how many of them send a report to the party committee.
const QUOTA: [(&str, [usize; 5], [usize; 5]); 7] = [
    (
        "standing_committee_session",
        [2, 2, 2, 2, 3],
        [2, 2, 2, 2, 3],
    ),
    ("thematic", [12, 12, 13, 12, 13], [9, 9, 9, 9, 9]),
    ("sector", [10, 10, 11, 10, 11], [0; 5]),
    ("proposal_handling", [52, 52, 53, 52, 53], [0; 5]),
    ("counterpart", [5, 5, 6, 5, 6], [0; 5]),
    ("grassroots", [5, 5, 5, 5, 5], [0; 5]),
    ("legislative", [6, 6, 6, 6, 7], [0; 5]),
];

const FIRST_YEAR: i32 = 2022;

const LAWS: [&str; 16] = [
    "养老服务",
    "物业管理",
    "河湖保护",
    "优化营商环境",
    "全民健身",
    "历史文化名城保护",
    "农村集体经济组织",
    "社会信用",
    "生活垃圾分类管理",
    "湿地保护",
    "电动自行车管理",
    "中医药发展",
    "数据条例",
    "乡村振兴促进",
    "红色资源保护利用",
    "公共文化服务保障",
];

const GRASSROOTS: [&str; 8] = [
    "老旧小区加装电梯",
    "农贸市场改造",
    "小区停车难",
    "村道硬化和路灯",
    "社区养老食堂",
    "河道垃圾清理",
    "学校周边交通安全",
    "农村饮水安全",
];

const EXPERT_FIELDS: [&str; 12] = [
    "公共管理",
    "财政金融",
    "法学",
    "城乡规划",
    "生态环境",
    "水利工程",
    "医疗卫生",
    "教育",
    "农业经济",
    "数字经济",
    "社会保障",
    "文化旅游",
];

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];

const SUPERVISION: [(&str, i64, i64); 9] = [
    ("长江流域重点水域禁捕退捕", 2022, 2024),
    ("农村人居环境整治", 2022, 2023),
    ("“双减”政策落实", 2022, 2024),
    ("营商环境优化提升", 2023, 2025),
    ("耕地保护和粮食安全", 2023, 2025),
    ("基层医疗卫生服务能力", 2024, 2026),
    ("城市内涝治理", 2024, 2025),
    ("养老服务设施建设运营", 2025, 2026),
    ("河湖长制落实", 2025, 2026),
];

fn scaled(n: usize, per_year: usize) -> usize {
    (n * per_year).div_ceil(600)
}

fn day(year: i32, month: u8, d: u8) -> String {
    format!("{year:04}-{month:02}-{d:02}")
}

/// The stored time of noon on a day (YYYY-MM-DD).
fn noon(day: &str) -> i64 {
    let y = day.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(2026);
    let m = day.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let d = day.get(8..10).and_then(|s| s.parse().ok()).unwrap_or(1);
    clock::date_micros(y, m, d) + 12 * 3_600_000_000
}

fn title(rng: &mut Rng, form: &str, law: &mut usize) -> (String, String) {
    let (topic, _) = *rng.pick(&TOPICS);
    match form {
        "standing_committee_session" => (
            format!("围绕“{topic}”专题议政"),
            format!("常委会议围绕{topic}听取专题调研报告，开展专题议政。"),
        ),
        "thematic" => (
            format!("{topic}专题协商会"),
            format!("就{topic}开展专题协商，形成协商报告报送省委、省政府。"),
        ),
        "sector" => {
            let sector = SECTORS[10 + rng.below(SECTORS.len() - 12)];
            (
                format!("{sector}界别协商：{topic}"),
                format!("{sector}委员围绕{topic}开展界别协商。"),
            )
        }
        "proposal_handling" => (
            format!("重点提案办理协商：{topic}"),
            format!("与承办单位面对面协商{topic}相关提案的办理。"),
        ),
        "counterpart" => {
            let unit = rng.pick(&UNITS).0;
            (
                format!("与{unit}对口协商：{topic}"),
                format!("与{unit}就{topic}开展对口协商。"),
            )
        }
        "grassroots" => {
            let issue = rng.pick(&GRASSROOTS);
            (
                format!("“有事好商量”：{issue}"),
                format!("组织居民、委员和职能部门协商{issue}问题。"),
            )
        }
        _ => {
            let name = LAWS[*law % LAWS.len()];
            *law += 1;
            (
                format!("《江澜省{name}条例（草案）》立法协商"),
                format!(
                    "组织委员逐条研究《江澜省{name}条例（草案）》，形成协商意见报送省人大常委会。"
                ),
            )
        }
    }
}

/// A draft regulation's text: three chapters of articles.
fn regulation(name: &str) -> String {
    let mut out = format!("江澜省{name}条例（草案）\n");
    let chapters = [
        ("第一章　总则", 3),
        ("第二章　规划与建设", 4),
        ("第三章　保障与监督", 3),
    ];
    let mut n = 0;
    for (heading, articles) in chapters {
        out.push_str(heading);
        out.push('\n');
        for k in 0..articles {
            n += 1;
            let numeral = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][n - 1];
            out.push_str(&format!(
                "第{numeral}条　县级以上人民政府应当将{name}工作纳入国民经济和社会发展规划，所需经费列入本级财政预算。\n"
            ));
            if k % 2 == 0 {
                out.push_str(&format!(
                    "有关部门应当按照各自职责，做好{name}相关工作，并向社会公开办理情况。\n"
                ));
            }
        }
    }
    out
}

fn action(step: Step, day: &str, note: &str) -> Action {
    Action {
        step,
        on_date: Some(day.to_string()),
        note: note.to_string(),
        outcome: None,
        scores: Vec::new(),
    }
}

/// Takes one step at its day.
async fn at_step(tx: &mut Tx, who: &Caller, id: i64, a: Action) -> Result<(), StoreError> {
    let when = noon(a.on_date.as_deref().unwrap_or_default());
    clock::at(when, consultations::act_in(tx, who, id, a, None)).await?;
    Ok(())
}

/// Walks the history; answers how many consultations it made.
pub async fn fill(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast<'_>,
    proposals_per_year: usize,
) -> Result<usize, StoreError> {
    if proposals_per_year == 0 || cast.members.len() < 4 {
        return Ok(0);
    }
    let staff = cast.staff;
    let today = day(2026, 11, 25);
    // The expert pool.
    let mut pool = Vec::new();
    for i in 0..scaled(40, proposals_per_year).max(4) {
        let a = EXPERT_FIELDS[i % EXPERT_FIELDS.len()];
        let b = EXPERT_FIELDS[(i * 5 + 3) % EXPERT_FIELDS.len()];
        let input = ExpertInput {
            name: format!(
                "{}{}",
                SURNAMES[i % SURNAMES.len()],
                ["明", "华", "立新", "建国", "晓燕", "志强"][i % 6]
            ),
            user_id: None,
            organisation: [
                "江澜大学",
                "省社会科学院",
                "省委党校",
                "江澜理工大学",
                "省规划设计研究院",
            ][i % 5]
                .into(),
            title: ["教授", "研究员", "高级工程师", "副教授"][i % 4].into(),
            fields: vec![a.to_string(), b.to_string()],
        };
        let e = clock::at(
            noon("2022-01-10"),
            experts::create_in(tx, staff, cast.committee_id, &input),
        )
        .await?;
        pool.push(e.id);
    }
    let mut made = 0;
    let mut law = 0;
    for (y, year) in (FIRST_YEAR..=2026).enumerate() {
        // The year's plan, for the years the demo's own plan does not cover.
        let plan = if year < 2026 {
            let p = clock::at(
                noon(&day(year - 1, 12, 20)),
                plans::create_in(
                    tx,
                    staff,
                    cast.committee_id,
                    i64::from(year),
                    &format!("{year}年度协商计划"),
                ),
            )
            .await?;
            Some(p.id)
        } else {
            None
        };
        let mut planned = Vec::new();
        for (form, counts, reports) in QUOTA {
            let n = scaled(counts[y], proposals_per_year);
            let reporting = scaled(reports[y], proposals_per_year).min(n);
            for i in 0..n {
                // Meetings spread over March to mid-December.
                let slot = (i * 280) / n.max(1);
                let meeting_on = day_after(&day(year, 3, 1), slot as i64 + rng.below(10) as i64);
                let (t, summary) = title(rng, form, &mut law);
                planned.push((form, meeting_on, i < reporting, t, summary));
            }
        }
        planned.sort_by(|a, b| a.1.cmp(&b.1));
        let mut items = Vec::new();
        if let Some(p) = plan {
            for (form, meeting_on, _, t, _) in planned.iter().filter(|p| {
                matches!(
                    p.0,
                    "standing_committee_session" | "thematic" | "legislative"
                )
            }) {
                let item = ItemInput {
                    topic: t.clone(),
                    form: (*form).into(),
                    lead_special_committee_id: None,
                    planned_month: meeting_on
                        .get(5..7)
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(1),
                    participants: "有关专门委员会、界别委员和省直部门负责同志".into(),
                };
                let it = clock::at(
                    noon(&day(year - 1, 12, 21)),
                    plans::add_item_in(tx, staff, p, &item, None),
                )
                .await?;
                items.push((t.clone(), it));
            }
            clock::at(
                noon(&day(year, 1, 15)),
                plans::act_in(tx, staff, p, PlanStep::Agree, Some(&day(year, 1, 15)), None),
            )
            .await?;
            clock::at(
                noon(&day(year, 1, 20)),
                plans::act_in(tx, staff, p, PlanStep::Publish, None, None),
            )
            .await?;
        }
        for (form, meeting_on, reports, t, summary) in planned {
            let start = day_after(&meeting_on, -75);
            let input = ConsultationInput {
                form: form.into(),
                title: t.clone(),
                summary,
                lead_special_committee_id: None,
                meeting_on: Some(meeting_on.clone()),
                draft_days: Some(5),
                evaluator_user_ids: Some(vec![cast.evaluator.actor.user_id]),
            };
            let from_plan = items.iter().position(|(topic, _)| *topic == t);
            let c = match (plan, from_plan) {
                (Some(p), Some(k)) => {
                    let (_, item) = items.remove(k);
                    let started =
                        clock::at(noon(&start), plans::start_item_in(tx, staff, p, item)).await?;
                    clock::at(
                        noon(&start),
                        consultations::update_in(tx, staff, started.id, &input, None),
                    )
                    .await?
                }
                _ => {
                    clock::at(
                        noon(&start),
                        consultations::create_in(tx, staff, cast.committee_id, &input),
                    )
                    .await?
                }
            };
            made += 1;
            if start > today {
                continue;
            }
            walk(tx, rng, cast, &pool, &c, &meeting_on, reports, &today).await?;
        }
    }
    supervise(tx, rng, cast, &today).await?;
    Ok(made)
}

/// One consultation from kickoff as far as `today` allows.
#[allow(clippy::too_many_arguments)]
async fn walk(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast<'_>,
    pool: &[i64],
    c: &consultations::Consultation,
    meeting_on: &str,
    reports: bool,
    today: &str,
) -> Result<(), StoreError> {
    let staff = cast.staff;
    let kickoff = day_after(meeting_on, -70);
    at_step(
        tx,
        staff,
        c.id,
        action(
            Step::KickOff,
            &kickoff,
            "召开开题会，明确调研提纲、分工和时间安排。",
        ),
    )
    .await?;
    // People: members, and experts for the forms that draw on them.
    let n = 4 + rng.below(5);
    let mut people: Vec<usize> = (0..n).map(|_| rng.below(cast.members.len())).collect();
    people.sort_unstable();
    people.dedup();
    let users: Vec<i64> = people
        .iter()
        .map(|&i| cast.members[i].actor.user_id)
        .collect();
    let experts: Vec<i64> = if matches!(
        c.form.as_str(),
        "thematic" | "legislative" | "standing_committee_session"
    ) {
        (0..2).map(|_| *rng.pick(pool)).collect()
    } else {
        Vec::new()
    };
    let chosen = consultation_people::PeopleInput {
        user_ids: users,
        expert_ids: experts,
        evaluator_user_ids: None,
    };
    clock::at(
        noon(&kickoff),
        consultation_people::set_in(tx, staff, c.id, &chosen, None),
    )
    .await?;
    if rng.below(40) == 0 {
        at_step(
            tx,
            staff,
            c.id,
            action(
                Step::Cancel,
                &day_after(&kickoff, 10),
                "议题已并入其他协商活动。",
            ),
        )
        .await?;
        return Ok(());
    }
    let research = day_after(meeting_on, -40);
    if research.as_str() > today {
        return Ok(());
    }
    at_step(
        tx,
        staff,
        c.id,
        action(
            Step::RecordResearch,
            &research,
            "赴基层实地调研，召开座谈会，收集问卷和数据。",
        ),
    )
    .await?;
    let circulated = day_after(meeting_on, -10);
    if circulated.as_str() > today {
        return Ok(());
    }
    let draft = format!(
        "关于{}的协商报告（初稿）\n一、基本情况\n二、存在问题\n三、意见建议",
        c.title
    );
    at_step(
        tx,
        staff,
        c.id,
        action(Step::CirculateDraft, &circulated, &draft),
    )
    .await?;
    for who in people.iter().take(2) {
        let m = &cast.members[*who];
        clock::at(
            noon(&day_after(&circulated, 3)),
            consultation_people::comment_in(
                tx,
                m,
                c.id,
                "建议在对策部分补充资金保障和考核评价的具体措施。",
            ),
        )
        .await?;
    }
    if c.form == "legislative" {
        draft_regulation(tx, rng, cast, c, &people, &circulated).await?;
    }
    if meeting_on > today {
        return Ok(());
    }
    meeting(tx, rng, cast, c, &people, meeting_on).await?;
    at_step(
        tx,
        staff,
        c.id,
        action(
            Step::HoldMeeting,
            meeting_on,
            "会议听取调研报告，委员发言，有关部门负责同志回应。",
        ),
    )
    .await?;
    let mut last = meeting_on.to_string();
    if reports {
        last = day_after(meeting_on, 14);
        if last.as_str() > today {
            return Ok(());
        }
        at_step(
            tx,
            staff,
            c.id,
            action(Step::SubmitReport, &last, "协商报告报送省委、省政府。"),
        )
        .await?;
        let instructed = day_after(meeting_on, 21);
        if instructed.as_str() <= today {
            let mut a = action(
                Step::RecordOutcome,
                &instructed,
                "请有关部门认真研究协商报告提出的建议，抓好落实。",
            );
            a.outcome = Some(OutcomeInput {
                kind: "instruction".into(),
                leader: "陈振华".into(),
                level: "provincial".into(),
                department: String::new(),
            });
            at_step(tx, cast.leader, c.id, a).await?;
            last = instructed;
        }
    }
    let fed = day_after(&last, 9);
    if fed.as_str() > today {
        return Ok(());
    }
    at_step(
        tx,
        staff,
        c.id,
        action(
            Step::GiveFeedback,
            &fed,
            "已向参加协商的委员通报成果和落实情况。",
        ),
    )
    .await?;
    let scored = day_after(&fed, 5);
    if scored.as_str() > today {
        return Ok(());
    }
    let mut a = action(Step::Evaluate, &scored, "");
    a.scores = domain::consultations::RUBRIC
        .iter()
        .map(|(k, _)| ((*k).to_string(), 6 + rng.below(5) as i64))
        .collect();
    at_step(tx, cast.evaluator, c.id, a).await?;
    let closed = day_after(&scored, 5);
    if closed.as_str() <= today {
        at_step(tx, staff, c.id, action(Step::Close, &closed, "办结归档。")).await?;
    }
    Ok(())
}

/// The meeting: agenda with the study item first, answers, check-ins,
/// speeches (parties, sectors, members), minutes.
async fn meeting(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast<'_>,
    c: &consultations::Consultation,
    people: &[usize],
    on: &str,
) -> Result<(), StoreError> {
    let staff = cast.staff;
    let called = noon(&day_after(on, -7));
    let m = clock::at(
        called,
        meetings::create_in(
            tx,
            staff,
            c.id,
            &meetings::MeetingInput {
                title: format!("{}会议", c.title),
                held_on: on.to_string(),
                place: "省政协机关第一会议室".into(),
            },
        ),
    )
    .await?;
    let agenda = [
        AgendaItem {
            study: true,
            title: "学习习近平总书记有关重要讲话精神".into(),
        },
        AgendaItem {
            study: false,
            title: "听取专题调研报告".into(),
        },
        AgendaItem {
            study: false,
            title: "委员发言，有关部门负责同志回应".into(),
        },
    ];
    clock::at(
        called,
        meetings::set_agenda_in(tx, staff, m.id, &agenda, None),
    )
    .await?;
    clock::at(called, meetings::publish_agenda_in(tx, staff, m.id, None)).await?;
    let mut present = Vec::new();
    for &i in people {
        let who = &cast.members[i];
        let declines = rng.below(10) == 0;
        let answer = if declines { "declined" } else { "accepted" };
        clock::at(
            called + 3_600_000_000,
            meetings::answer_in(tx, who, m.id, answer),
        )
        .await?;
        if !declines && rng.below(20) != 0 {
            clock::at(
                noon(on) - 3 * 3_600_000_000,
                meetings::check_in_in(tx, staff, m.id, who.actor.user_id),
            )
            .await?;
            present.push(i);
        }
    }
    let big = matches!(
        c.form.as_str(),
        "standing_committee_session" | "thematic" | "sector"
    );
    let mut speeches: Vec<(&str, String, Option<i64>)> = Vec::new();
    for &i in present.iter().take(if big { 4 } else { 2 }) {
        let who = &cast.members[i];
        speeches.push((
            "individual",
            who.actor.display_name.clone(),
            Some(who.actor.user_id),
        ));
    }
    if big {
        speeches.push(("sector", SECTORS[18 + rng.below(12)].to_string(), None));
        speeches.push(("party", SECTORS[1 + rng.below(8)].to_string(), None));
    }
    for (kind, speaker, user) in speeches {
        let input = SpeechInput {
            speaker_kind: kind.into(),
            speaker,
            user_id: user,
            title: format!("关于{}的几点建议", c.title.trim_start_matches("围绕")),
            text: "一是加强统筹协调；二是加大投入保障；三是健全评估机制。".into(),
        };
        clock::at(called, meetings::add_speech_in(tx, staff, m.id, &input)).await?;
    }
    clock::at(
        noon(on) + 6 * 3_600_000_000,
        meetings::set_minutes_in(
            tx,
            staff,
            m.id,
            "会议由省政协副主席主持。与会同志学习了有关重要讲话精神，听取了专题调研报告，委员作了发言，有关部门负责同志作了回应。",
            None,
        ),
    )
    .await?;
    Ok(())
}

/// The draft regulation of a legislative consultation: uploaded when the
/// draft report goes out, commented on by participants, decided and closed.
async fn draft_regulation(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast<'_>,
    c: &consultations::Consultation,
    people: &[usize],
    on: &str,
) -> Result<(), StoreError> {
    let name = c
        .title
        .split("江澜省")
        .nth(1)
        .and_then(|s| s.split("条例").next())
        .unwrap_or("地方性法规");
    let when = noon(on);
    let d = clock::at(
        when,
        legislation::create_in(
            tx,
            cast.staff,
            cast.committee_id,
            &DraftInput {
                title: String::new(),
                text: regulation(name),
                consultation_id: Some(c.id),
            },
        ),
    )
    .await?;
    let paragraphs: Vec<i64> = legislation::paragraph_ids_in(tx, d.id).await?;
    let mut made = Vec::new();
    for &i in people {
        for _ in 0..2 {
            let p = *rng.pick(&paragraphs);
            let body = *rng.pick(&[
                "建议明确牵头部门和配合部门的职责分工。",
                "建议增加对基层工作人员的培训要求。",
                "建议将“应当”修改为“必须”，增强约束力。",
                "建议补充经费保障的具体标准。",
                "建议增加公众参与和社会监督的内容。",
            ]);
            let id = clock::at(
                when + 86_400_000_000,
                legislation::comment_in(tx, &cast.members[i], d.id, p, "", body),
            )
            .await?;
            made.push(id);
        }
    }
    for id in made {
        let decision = if rng.below(3) == 0 {
            "not_accepted"
        } else {
            "accepted"
        };
        clock::at(
            when + 5 * 86_400_000_000,
            legislation::decide_in(tx, cast.staff, id, decision, None),
        )
        .await?;
    }
    clock::at(
        when + 6 * 86_400_000_000,
        legislation::close_in(tx, cast.staff, d.id, None),
    )
    .await?;
    Ok(())
}

/// Nine supervision topics, each followed over its years.
async fn supervise(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast<'_>,
    today: &str,
) -> Result<(), StoreError> {
    let staff = cast.staff;
    for (title, first, last) in SUPERVISION {
        let t = clock::at(
            noon(&format!("{first}-02-10")),
            supervision::create_in(
                tx,
                staff,
                cast.committee_id,
                &TopicInput {
                    title: title.into(),
                    summary: format!(
                        "连续{}年跟踪监督{}，每年开展视察调研，督促整改落实。",
                        last - first + 1,
                        title
                    ),
                    first_year: first,
                    last_year: last,
                },
            ),
        )
        .await?;
        for year in first..=last {
            for (k, month) in [(0, 5), (1, 9)] {
                let on = format!("{year}-{month:02}-{:02}", 10 + rng.below(15));
                if on.as_str() > today {
                    continue;
                }
                let place = ["岳阳市", "常德市", "益阳市", "青溪县", "石门县", "云岭市"]
                    [(rng.below(6) + k) % 6];
                clock::at(
                    noon(&on),
                    supervision::add_inspection_in(
                        tx,
                        staff,
                        t.id,
                        &InspectionInput {
                            on_date: on.clone(),
                            place: place.into(),
                            participants: "部分省政协常委、委员和特约监督员".into(),
                            findings:
                                "工作总体推进有力，但仍存在部门协同不够、基层力量薄弱等问题。"
                                    .into(),
                        },
                    ),
                )
                .await?;
            }
            let raised = format!("{year}-10-15");
            if raised.as_str() > today {
                continue;
            }
            let mut ids = Vec::new();
            for item in ["健全部门协同机制", "加强基层执法力量", "完善长效监管制度"]
            {
                let unit = rng.pick(&UNITS).0;
                let r = clock::at(
                    noon(&raised),
                    supervision::add_rectification_in(
                        tx,
                        staff,
                        t.id,
                        &RectificationInput {
                            year,
                            item: item.into(),
                            unit: unit.into(),
                        },
                    ),
                )
                .await?;
                ids.push(r);
            }
            // Earlier years' items are rectified; this year's first is under way.
            for (k, id) in ids.into_iter().enumerate() {
                let (status, note, on) = if year < 2026 {
                    ("done", "已整改到位", format!("{year}-12-01"))
                } else if k == 0 {
                    ("in_progress", "正在整改", format!("{year}-11-01"))
                } else {
                    continue;
                };
                clock::at(
                    noon(&on),
                    supervision::set_status_in(tx, staff, id, status, note, None),
                )
                .await?;
            }
            if year < 2026 {
                clock::at(
                    noon(&format!("{year}-12-20")),
                    supervision::set_summary_in(
                        tx,
                        staff,
                        t.id,
                        year,
                        &format!("{year}年共开展视察调研两次，提出整改事项三项，均已整改到位。"),
                    ),
                )
                .await?;
            }
        }
    }
    Ok(())
}
