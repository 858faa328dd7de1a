//! Five years of proposals for the demo: about 600 a year by a hundred-odd
//! members, composed from templates around the demo's topics and places, walked
//! through the real commands at their own dates (see [`crate::clock::at`]), and
//! with planted near-duplicates (a reworded title and body) for the review
//! page's similar-proposal lookup to find.

use super::{Rng, TOPICS};
use crate::Caller;
use crate::clock;
use crate::db::Tx;
use crate::error::StoreError;
use crate::proposals::{self, Action};
use domain::proposals::{Disposal, ProposalInput, Satisfaction};

/// The years of history, with the term (届) and plenary session (次) of each;
/// the demo's current year (2026) is the second session of the 13th term.
pub const YEARS: [(i32, i64, i64); 5] = [
    (2022, 12, 3),
    (2023, 12, 4),
    (2024, 12, 5),
    (2025, 13, 1),
    (2026, 13, 2),
];

/// Share of originals, in thousandths, that get a planted near-duplicate.
const TWIN_PERMILLE: usize = 53;

/// The people who act in the history.
pub struct Cast {
    /// Member accounts with their member profile ids.
    pub proposers: Vec<(Caller, i64)>,
    pub staff: Caller,
    pub leader: Caller,
    pub leader_user_id: i64,
    /// Each handling unit's id and an officer acting for it.
    pub units: Vec<(i64, Caller)>,
    /// Participating parties, for collective proposals.
    pub parties: Vec<i64>,
    pub committee_id: i64,
}

/// What the history created: how many proposals, and the planted pairs
/// (original, reworded twin).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct History {
    pub proposals: usize,
    pub planted: Vec<(i64, i64)>,
}

const PLACES: [&str; 14] = [
    "全省",
    "临川市",
    "云岭市",
    "青溪县",
    "石门县",
    "松岗县",
    "山区县",
    "城乡结合部",
    "老工业基地",
    "革命老区",
    "沿江地区",
    "民族地区",
    "省会城区",
    "农村地区",
];

/// Facts for the case (案由), with slots: {P} place, {T} topic, {Y} year, {N} and {Q} numbers.
const FACTS: [&str; 14] = [
    "据{P}有关部门统计，截至{Y}年底，相关设施缺口约{N}处，群众反映较为集中。",
    "笔者在{P}调研了{Q}个乡镇（街道），发现{T}的政策落地存在“最后一公里”问题。",
    "{Y}年{P}在该领域投入{N}万元，但人均水平仅为全省平均的{Q}%。",
    "基层反映，{P}专业人员缺口约{N}人，{Q}%的岗位由兼职人员承担。",
    "部分项目重建设、轻运营，{P}约{Q}%的设施使用率不高，闲置浪费现象时有发生。",
    "群众满意度调查显示，{P}仅有{Q}%的受访者对{T}相关工作表示满意。",
    "相关标准和规范尚不统一，跨部门数据共享不足，{P}已建成的{N}个信息平台互不联通。",
    "社会资本参与意愿不强，{P}市场化运营项目仅有{Q}个，可持续的运营机制尚未形成。",
    "{P}{Y}年新增相关投诉{N}件，同比上升{Q}%，主要集中在服务质量和收费方面。",
    "{P}现有从业机构{N}家，其中规模以上的仅{Q}家，行业集中度低、抗风险能力弱。",
    "受地形和交通条件制约，{P}偏远村组的服务半径普遍超过{Q}公里。",
    "{P}财政对该领域的专项补助连续{Q}年未作调整，已难以覆盖实际运行成本{N}万元的缺口。",
    "调研中，{P}有{Q}%的基层干部反映政策宣传不到位，群众知晓率不高。",
    "{P}部分试点经验尚未及时总结推广，{N}个试点项目中仅有{Q}个形成了可复制的做法。",
];

/// Analysis (分析) sentences.
const ANALYSES: [&str; 10] = [
    "一是统筹协调机制有待健全，部门之间职责交叉、推诿扯皮的情况仍然存在。",
    "二是投入渠道比较单一，主要依靠财政资金，社会力量参与不足。",
    "三是基层专业人才短缺，待遇偏低、晋升通道不畅，队伍稳定性差。",
    "四是考核评价体系不完善，重过程轻结果，激励约束作用发挥不够。",
    "五是信息化建设滞后，数据分散在多个部门，难以形成合力。",
    "六是法规制度供给不足，一些新情况新问题缺乏明确依据。",
    "七是城乡、区域之间发展不平衡，薄弱环节集中在农村和边远地区。",
    "八是群众参与渠道不多，需求表达和反馈机制不够顺畅。",
    "九是监督检查不够经常，部分政策执行中存在打折扣、搞变通的问题。",
    "十是宣传引导不够有力，社会认知度和认同度有待提高。",
];

/// Suggestions (建议), with the same slots as [`FACTS`].
const SUGGESTIONS: [&str; 14] = [
    "将{T}纳入{P}国民经济和社会发展规划，明确牵头部门、责任分工和时间表。",
    "设立专项资金，每年安排不少于{N}万元，采取以奖代补方式支持重点项目。",
    "建立由政府分管领导牵头的联席会议制度，每季度召开一次，协调解决重大问题。",
    "加强人才队伍建设，定向培养{Q}名以上专业人员，落实基层岗位津贴。",
    "建设全省统一的信息平台，推动数据共享和业务协同，实现“一网通办”。",
    "制定出台地方性法规或政府规章，为{T}提供法治保障。",
    "引导社会资本参与，推广政府和社会资本合作模式，形成多元投入格局。",
    "开展试点示范，在{P}选择{Q}个基础较好的县（市、区）先行先试，及时总结推广。",
    "完善考核评价办法，把{T}纳入高质量发展综合绩效评价。",
    "加强宣传引导，通过多种渠道提高群众知晓率和参与度。",
    "建立第三方评估机制，每年对政策落实情况开展评估并向社会公开。",
    "加大对农村和边远地区的倾斜支持力度，推动资源向基层下沉。",
    "健全群众诉求响应机制，对反映集中的问题实行清单化管理、限时办结。",
    "加强跨区域合作，与周边省份建立协同推进机制。",
];

/// Titles, with the topic {T} and place {P}.
const TITLES: [&str; 5] = [
    "关于{T}的建议",
    "关于在{P}{T}的建议",
    "关于进一步{T}的建议",
    "关于{P}{T}工作的几点建议",
    "关于{T}的对策建议",
];

/// Rewordings a planted twin applies to its original's text.
const SYNONYMS: [(&str, &str); 16] = [
    ("加快", "加速"),
    ("推进", "推动"),
    ("加强", "强化"),
    ("完善", "健全完善"),
    ("建议", "意见建议"),
    ("存在", "仍存在"),
    ("群众", "人民群众"),
    ("不足", "不够"),
    ("明确", "进一步明确"),
    ("调研", "走访调研"),
    ("反映", "普遍反映"),
    ("有待", "亟待"),
    ("主要", "主要是"),
    ("支持", "扶持"),
    ("建立", "建立健全"),
    ("提高", "提升"),
];

/// The choices that make up one proposal's text.
#[derive(Clone)]
struct Parts {
    topic: usize,
    place: usize,
    title: usize,
    year: i32,
    facts: Vec<(usize, u32, u32)>,
    analyses: Vec<usize>,
    suggestions: Vec<(usize, u32, u32)>,
}

fn pick_distinct(rng: &mut Rng, n: usize, k: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(k);
    while out.len() < k {
        let i = rng.below(n);
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn compose(rng: &mut Rng, year: i32) -> Parts {
    let numbered = |n: usize, k: usize, rng: &mut Rng| -> Vec<(usize, u32, u32)> {
        pick_distinct(rng, n, k)
            .into_iter()
            .map(|i| (i, 20 + rng.below(2_000) as u32, 3 + rng.below(90) as u32))
            .collect()
    };
    Parts {
        topic: rng.below(TOPICS.len()),
        place: rng.below(PLACES.len()),
        title: rng.below(TITLES.len()),
        year,
        facts: numbered(FACTS.len(), 3, rng),
        analyses: {
            let mut a = pick_distinct(rng, ANALYSES.len(), 3);
            a.sort_unstable();
            a
        },
        suggestions: numbered(SUGGESTIONS.len(), 3 + rng.below(2), rng),
    }
}

fn fill(template: &str, p: &Parts, n: u32, q: u32) -> String {
    template
        .replace("{T}", TOPICS[p.topic].0)
        .replace("{P}", PLACES[p.place])
        .replace("{Y}", &(p.year - 1).to_string())
        .replace("{N}", &n.to_string())
        .replace("{Q}", &q.to_string())
}

const NUMERALS: [&str; 5] = ["一", "二", "三", "四", "五"];

/// The title and body of a proposal; a twin is reworded: another title, its
/// suggestions in another order, one analysis point dropped, and synonyms.
fn render(p: &Parts, twin: bool) -> (String, String) {
    let title_template = if twin {
        TITLES[(p.title + 1 + p.topic % 3) % TITLES.len()]
    } else {
        TITLES[p.title]
    };
    let facts: String = p
        .facts
        .iter()
        .map(|(i, n, q)| fill(FACTS[*i], p, *n, *q))
        .collect();
    let analyses: Vec<&str> = if twin {
        p.analyses.iter().skip(1).map(|i| ANALYSES[*i]).collect()
    } else {
        p.analyses.iter().map(|i| ANALYSES[*i]).collect()
    };
    let mut suggestions: Vec<String> = p
        .suggestions
        .iter()
        .map(|(i, n, q)| fill(SUGGESTIONS[*i], p, *n, *q))
        .collect();
    if twin {
        suggestions.reverse();
    }
    let numbered: String = suggestions
        .iter()
        .enumerate()
        .map(|(k, s)| format!("{}、{s}", NUMERALS[k]))
        .collect::<Vec<_>>()
        .join("\n");
    let topic = TOPICS[p.topic].0;
    let body = format!(
        "案由：{topic}事关群众切身利益，是{place}高质量发展的重要内容。{facts}\n\n分析：{}\n\n建议：\n{numbered}",
        analyses.join(""),
        place = PLACES[p.place],
    );
    let title = fill(title_template, p, 0, 0);
    if !twin {
        return (title, body);
    }
    let reword = |s: &str| {
        SYNONYMS
            .iter()
            .fold(s.to_string(), |acc, (a, b)| acc.replace(a, b))
    };
    // The title keeps its last word: a proposal is always a 建议.
    let title = match title.strip_suffix("建议") {
        Some(head) => format!("{}建议", reword(head)),
        None => title,
    };
    (title, reword(&body))
}

/// Where a proposal's lifecycle stops.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    Draft,
    Submitted,
    UnderReview,
    Filed,
    Assigned,
    InHandling,
    Answered,
    Evaluated,
    Closed,
    Declined(Disposal),
    Withdrawn,
}

impl Stop {
    fn rank(self) -> u8 {
        match self {
            Stop::Draft => 0,
            Stop::Withdrawn => 1,
            Stop::Submitted => 2,
            Stop::UnderReview | Stop::Declined(_) => 3,
            Stop::Filed => 4,
            Stop::Assigned => 5,
            Stop::InHandling => 6,
            Stop::Answered => 7,
            Stop::Evaluated => 8,
            Stop::Closed => 9,
        }
    }
}

fn stop_for(rng: &mut Rng, current: bool) -> Stop {
    let r = rng.below(1000);
    let declined = |rng: &mut Rng| {
        Stop::Declined(
            [
                Disposal::ConvertToOpinion,
                Disposal::ForwardAsLetter,
                Disposal::ForwardAsLetter,
            ][rng.below(3)],
        )
    };
    if !current {
        return match r {
            0..=49 => declined(rng),
            50..=79 => Stop::Withdrawn,
            _ => Stop::Closed,
        };
    }
    match r {
        0..=39 => Stop::Draft,
        40..=99 => Stop::Submitted,
        100..=179 => Stop::UnderReview,
        180..=239 => Stop::Filed,
        240..=379 => Stop::Assigned,
        380..=599 => Stop::InHandling,
        600..=719 => Stop::Answered,
        720..=799 => Stop::Evaluated,
        800..=939 => Stop::Closed,
        940..=979 => declined(rng),
        _ => Stop::Withdrawn,
    }
}

const DAY: i64 = 86_400_000_000;

/// Writes the history; `per_year` proposals a year (twins included).
pub async fn fill_history(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast,
    per_year: usize,
) -> Result<History, StoreError> {
    let mut h = History::default();
    // The demo's today: twins in review arrived in the last weeks before it.
    let now = clock::date_micros(2026, 11, 25);
    for (y, &(year, term, session)) in YEARS.iter().enumerate() {
        let current = y + 1 == YEARS.len();
        let mut twins: Vec<(i64, Parts, i64)> = Vec::new();
        let mut made = 0;
        while made < per_year {
            let parts = compose(rng, year);
            let between = rng.below(100) < 20;
            let mut stop = stop_for(rng, current);
            let plant = made + 2 < per_year && rng.below(1000) < TWIN_PERMILLE;
            // An original with a twin is one staff can find: in past years it was
            // filed and handled (a twin may be merged into it on filing).
            if plant && (!current || stop.rank() < Stop::Submitted.rank()) {
                stop = Stop::Closed;
            }
            // Dates: plenary proposals in January, others through the year. In
            // the current year open ones are recent, so that their deadlines fall
            // around the demo's today (late November): some overdue, some near.
            let base = if current && matches!(stop, Stop::Assigned | Stop::InHandling) {
                clock::date_micros(year, 6, 15) + rng.below(125) as i64 * DAY
            } else if current && stop.rank() <= Stop::Filed.rank() {
                clock::date_micros(year, 10, 1) + rng.below(45) as i64 * DAY
            } else if between {
                clock::date_micros(year, 3, 1)
                    + rng.below(if current { 90 } else { 200 }) as i64 * DAY
            } else {
                clock::date_micros(year, 1, 6) + rng.below(20) as i64 * DAY
            };
            let session = if between { 0 } else { session };
            // Half the twins of filed originals are merged into them in review.
            let merged_twin = plant && stop.rank() >= Stop::Filed.rank() && rng.below(2) == 0;
            let id = walk(
                tx,
                rng,
                cast,
                &parts,
                false,
                (term, session),
                base,
                stop,
                merged_twin.then_some(&mut h),
            )
            .await?;
            made += 1 + usize::from(merged_twin);
            h.proposals += 1 + usize::from(merged_twin);
            if plant && !merged_twin {
                twins.push((id, parts, base));
            }
        }
        // Unmerged twins arrive later in the year: in past years they slipped
        // through review; in the current one they wait in review to be merged.
        for (original, parts, base) in twins {
            let stop = if current {
                [Stop::Submitted, Stop::UnderReview][rng.below(2)]
            } else {
                Stop::Closed
            };
            let when = if current {
                (now - 20 * DAY + rng.below(15) as i64 * DAY).max(base + 30 * DAY)
            } else {
                base + 40 * DAY
            };
            let twin = walk(
                tx,
                rng,
                cast,
                &parts,
                true,
                (term, session),
                when,
                stop,
                None,
            )
            .await?;
            h.planted.push((original, twin));
            h.proposals += 1;
        }
    }
    Ok(h)
}

/// Drafts one proposal at `base` and takes it to `stop` through the commands.
/// With `merge_twin`, a reworded twin is drafted after filing and merged into it.
#[allow(clippy::too_many_arguments)]
async fn walk(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast,
    parts: &Parts,
    twin: bool,
    (term, session): (i64, i64),
    base: i64,
    stop: Stop,
    merge_twin: Option<&mut History>,
) -> Result<i64, StoreError> {
    let (title, body) = render(parts, twin);
    let who = rng.below(cast.proposers.len());
    let (proposer, _) = &cast.proposers[who];
    let kind_roll = rng.below(100);
    let mut input = ProposalInput {
        title,
        body,
        category: TOPICS[parts.topic].1.into(),
        kind: "individual".into(),
        term: Some(term),
        session: Some(session),
        publish_consent: Some(rng.below(100) < 85),
        suggested_unit_ids: vec![cast.units[parts.topic % cast.units.len()].0],
        ..Default::default()
    };
    let mut cosigners = Vec::new();
    if kind_roll < 12 {
        input.kind = "joint".into();
        for k in 1..=2 {
            let c = (who + k * 7) % cast.proposers.len();
            cosigners.push(c);
            input.cosigner_ids.push(cast.proposers[c].1);
        }
    } else if kind_roll < 18 {
        input.kind = "collective".into();
        input.collective_kind = Some("party".into());
        input.collective_id = Some(cast.parties[rng.below(cast.parties.len())]);
    }
    let id = clock::at(
        base - 2 * DAY,
        proposals::create_draft_in(tx, proposer, cast.committee_id, &input),
    )
    .await?
    .id;
    for c in cosigners {
        clock::at(
            base - DAY,
            proposals::confirm_cosign_in(tx, &cast.proposers[c].0, id),
        )
        .await?;
    }
    if stop == Stop::Draft {
        return Ok(id);
    }
    let step = async |tx: &mut Tx, who: &Caller, at: i64, action: Action| {
        clock::at(at, proposals::act_in(tx, who, id, action, None)).await
    };
    step(tx, proposer, base, Action::Submit).await?;
    if stop == Stop::Withdrawn {
        step(tx, proposer, base + DAY, Action::Withdraw).await?;
        return Ok(id);
    }
    if stop == Stop::Submitted {
        return Ok(id);
    }
    step(tx, &cast.staff, base + 3 * DAY, Action::StartReview).await?;
    if let Stop::Declined(disposal) = stop {
        let reason = match disposal {
            Disposal::ConvertToOpinion => "内容属于反映社情民意，转社情民意信息报送。",
            _ => "所提问题属于具体事务，转有关部门按来信办理。",
        };
        let action = Action::Decline {
            disposal,
            reason: reason.into(),
        };
        step(tx, &cast.staff, base + 6 * DAY, action).await?;
        return Ok(id);
    }
    if stop == Stop::UnderReview {
        return Ok(id);
    }
    step(tx, &cast.staff, base + 8 * DAY, Action::File).await?;
    if let Some(h) = merge_twin {
        let twin =
            walk_merged_twin(tx, rng, cast, parts, (term, session), base + 9 * DAY, id).await?;
        h.planted.push((id, twin));
    }
    if stop == Stop::Filed {
        return Ok(id);
    }
    // Mostly one lead unit, sometimes with co-handling units, now and then split.
    let lead = parts.topic % cast.units.len();
    let roll = rng.below(100);
    let (leads, cos) = if roll < 4 {
        (vec![lead, (lead + 11) % cast.units.len()], vec![])
    } else if roll < 24 {
        (vec![lead], vec![(lead + 5) % cast.units.len()])
    } else {
        (vec![lead], vec![])
    };
    let assign = Action::Assign {
        lead_units: leads.iter().map(|u| cast.units[*u].0).collect(),
        co_units: cos.iter().map(|u| cast.units[*u].0).collect(),
    };
    step(tx, &cast.staff, base + 15 * DAY, assign).await?;
    if rng.below(100) < 4 {
        let key = Action::MarkKey {
            supervisor_user_id: cast.leader_user_id,
        };
        step(tx, &cast.staff, base + 16 * DAY, key).await?;
        let visit = Action::RecordSupervision {
            held_on: clock::local_date(base + 40 * DAY),
            activity: "率队赴承办单位督办，听取办理进展汇报，协调解决难点问题。".into(),
        };
        step(tx, &cast.leader, base + 40 * DAY, visit).await?;
    }
    if stop == Stop::Assigned {
        return Ok(id);
    }
    let round = |offset: i64, rng: &mut Rng| {
        let consult = Action::RecordConsultation {
            held_on: clock::local_date(base + offset * DAY),
            form: ["meeting", "phone", "site_visit", "forum"][rng.below(4)].into(),
            participants: "提案人、承办单位分管负责同志及业务处室".into(),
            agreed: format!(
                "围绕{}形成{}项工作措施，明确时间节点，年内推进落实。",
                TOPICS[parts.topic].0,
                2 + rng.below(4)
            ),
        };
        (consult, ["A", "A", "B", "B", "B", "C", "D"][rng.below(7)])
    };
    let (consult, category) = round(35, rng);
    let officer = &cast.units[leads[0]].1;
    step(tx, officer, base + 35 * DAY, consult).await?;
    if stop == Stop::InHandling {
        return Ok(id);
    }
    let answer = |category: &str, second: bool| Action::Answer {
        category: category.into(),
        text: format!(
            "关于{}的建议收悉。{}经认真研究，现答复如下：\n一、高度重视，将所提建议纳入年度重点工作。\n二、已会同有关部门制定具体措施，明确责任分工和完成时限。\n三、下一步将加强督促检查，及时向提案人通报进展。",
            TOPICS[parts.topic].0,
            if second {
                "根据提案人意见重新办理。"
            } else {
                ""
            }
        ),
    };
    for (k, lead) in leads.iter().enumerate() {
        let officer = &cast.units[*lead].1;
        step(
            tx,
            officer,
            base + (70 + k as i64) * DAY,
            answer(category, false),
        )
        .await?;
    }
    if stop == Stop::Answered {
        return Ok(id);
    }
    let roll = rng.below(100);
    let verdict = if roll < 6 {
        Satisfaction::NotSatisfied
    } else if roll < 28 {
        Satisfaction::BasicallySatisfied
    } else {
        Satisfaction::Satisfied
    };
    let evaluate = |satisfaction, comment: Option<&str>| Action::Evaluate {
        satisfaction,
        comment: comment.map(Into::into),
    };
    let mut closed_at = base + 95 * DAY;
    if verdict == Satisfaction::NotSatisfied {
        let why = "答复措施不够具体，缺少时间表，请重新办理。";
        step(tx, proposer, base + 80 * DAY, evaluate(verdict, Some(why))).await?;
        let (consult, _) = round(90, rng);
        step(tx, &cast.units[leads[0]].1, base + 90 * DAY, consult).await?;
        for (k, lead) in leads.iter().enumerate() {
            let officer = &cast.units[*lead].1;
            step(
                tx,
                officer,
                base + (110 + k as i64) * DAY,
                answer("B", true),
            )
            .await?;
        }
        step(
            tx,
            proposer,
            base + 118 * DAY,
            evaluate(Satisfaction::BasicallySatisfied, None),
        )
        .await?;
        closed_at = base + 125 * DAY;
    } else {
        step(tx, proposer, base + 80 * DAY, evaluate(verdict, None)).await?;
    }
    if stop == Stop::Evaluated {
        return Ok(id);
    }
    step(tx, &cast.staff, closed_at, Action::Close).await?;
    Ok(id)
}

/// A reworded twin of a filed proposal, submitted and merged into it in review.
async fn walk_merged_twin(
    tx: &mut Tx,
    rng: &mut Rng,
    cast: &Cast,
    parts: &Parts,
    (term, session): (i64, i64),
    at: i64,
    into: i64,
) -> Result<i64, StoreError> {
    let twin = Box::pin(walk(
        tx,
        rng,
        cast,
        parts,
        true,
        (term, session),
        at,
        Stop::UnderReview,
        None,
    ))
    .await?;
    clock::at(
        at + 5 * DAY,
        proposals::act_in(tx, &cast.staff, twin, Action::Merge { into }, None),
    )
    .await?;
    Ok(twin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_twin_is_reworded_but_keeps_its_originals_matter() {
        let mut rng = Rng::new(7);
        let p = compose(&mut rng, 2024);
        let (t1, b1) = render(&p, false);
        let (t2, b2) = render(&p, true);
        assert_ne!(t1, t2);
        assert_ne!(b1, b2);
        assert!(t1.ends_with("建议") && t2.ends_with("建议"));
        // The figures of the case are the same in both.
        for (i, n, q) in &p.facts {
            let fact = fill(FACTS[*i], &p, *n, *q);
            let figure = n.to_string();
            assert!(
                !FACTS[*i].contains("{N}") || (b1.contains(&figure) && b2.contains(&figure)),
                "{fact}"
            );
        }
    }
}
