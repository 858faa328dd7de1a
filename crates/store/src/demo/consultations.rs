//! Demo consultations: this year's plan, agreed and published, whose items
//! became consultations of several forms in every state a consultation can
//! be in, with dated steps, an instruction, and a quality score, through the
//! same commands as the pages.

use crate::Caller;
use crate::consultations::{self, Action, ConsultationInput, OutcomeInput};
use crate::db::Tx;
use crate::error::StoreError;
use crate::plans::{self, ItemInput};
use domain::consultations::{PlanStep, Step};

/// The accounts the demo acts as.
pub(super) struct Actors<'a> {
    pub staff: &'a Caller,
    pub leader: &'a Caller,
    pub evaluator: &'a Caller,
    /// The demo's `member`: a participant of each consultation.
    pub member: &'a Caller,
}

/// (form, title, summary, meeting day, how far it got: the number of steps
/// of [`PATH`] taken)
const CONSULTATIONS: [(&str, &str, &str, &str, usize); 8] = [
    (
        "standing_committee_session",
        "推动县域经济高质量发展",
        "围绕县域特色产业、园区建设和营商环境开展专题议政。",
        "2026-06-18",
        10,
    ),
    (
        "thematic",
        "加快构建养老服务体系",
        "聚焦居家社区养老和农村互助养老，提出对策建议。",
        "2026-09-24",
        8,
    ),
    (
        "legislative",
        "《城乡规划条例（修订草案）》立法协商",
        "组织委员逐条研究修订草案，形成协商意见报送省人大常委会。",
        "2026-08-20",
        6,
    ),
    (
        "counterpart",
        "优化义务教育资源配置",
        "与省教育厅对口协商，研究城区学位紧张和乡村小规模学校问题。",
        "2026-10-29",
        4,
    ),
    (
        "sector",
        "促进民营企业融资",
        "经济界别委员围绕民营企业融资难融资贵开展界别协商。",
        "2026-11-27",
        3,
    ),
    (
        "proposal_handling",
        "重点提案办理协商：河湖长制落实",
        "与省水利厅就重点提案办理情况开展协商。",
        "2026-12-10",
        2,
    ),
    (
        "grassroots",
        "老旧小区加装电梯“有事好商量”",
        "在城关镇组织居民、物业和职能部门协商加装电梯问题。",
        "2026-12-15",
        0,
    ),
    (
        "expert",
        "数字政府建设专家协商",
        "邀请高校和企业专家研讨数据共享和一网通办。",
        "2026-07-15",
        99,
    ),
];

/// The steps in order with their days relative to the meeting (negative:
/// before it) and what is recorded of them.
const PATH: [(Step, i64, &str); 9] = [
    (Step::KickOff, -90, "召开开题会，明确调研提纲和分工。"),
    (
        Step::RecordResearch,
        -60,
        "赴三个县（市、区）实地调研，召开座谈会六场，收回问卷四百余份。",
    ),
    (
        Step::CirculateDraft,
        -10,
        "协商报告初稿送达全体参加人员征求意见。",
    ),
    (
        Step::HoldMeeting,
        0,
        "会议听取了专题调研报告，十位委员发言，有关部门负责同志回应。",
    ),
    (Step::SubmitReport, 14, "协商报告报送省委、省政府。"),
    (
        Step::RecordOutcome,
        21,
        "请有关部门认真研究协商报告提出的建议，抓好落实。",
    ),
    (
        Step::GiveFeedback,
        30,
        "已向参加协商的委员通报领导批示和部门落实情况。",
    ),
    (Step::Evaluate, 35, ""),
    (Step::Close, 40, "办结归档。"),
];

/// The day `days` after `day` (both YYYY-MM-DD).
pub(super) fn day_after(day: &str, days: i64) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(day, &f)
        .ok()
        .and_then(|d| d.checked_add(time::Duration::days(days)))
        .and_then(|d| d.format(&f).ok())
        .unwrap_or_else(|| day.to_string())
}

/// Seeds them (steps after today are left for later); answers how many.
pub(super) async fn fill(
    tx: &mut Tx,
    committee_id: i64,
    who: &Actors<'_>,
) -> Result<usize, StoreError> {
    let today = crate::clock::local_date(crate::clock::now());
    let plan = plans::create_in(tx, who.staff, committee_id, 2026, "2026年度协商计划").await?;
    let mut items = Vec::new();
    for (form, title, _, meeting_on, _) in CONSULTATIONS {
        let month = meeting_on
            .get(5..7)
            .and_then(|m| m.parse().ok())
            .unwrap_or(1);
        let item = ItemInput {
            topic: title.into(),
            form: form.into(),
            lead_special_committee_id: None,
            planned_month: month,
            participants: "有关专门委员会、界别委员和省直部门负责同志".into(),
        };
        items.push(plans::add_item_in(tx, who.staff, plan.id, &item, None).await?);
    }
    plans::act_in(
        tx,
        who.staff,
        plan.id,
        PlanStep::Agree,
        Some("2026-01-20"),
        None,
    )
    .await?;
    plans::act_in(tx, who.staff, plan.id, PlanStep::Publish, None, None).await?;
    let mut made = 0;
    for ((form, title, summary, meeting_on, reach), item) in CONSULTATIONS.into_iter().zip(items) {
        let started = plans::start_item_in(tx, who.staff, plan.id, item).await?;
        let input = ConsultationInput {
            form: form.into(),
            title: title.into(),
            summary: summary.into(),
            lead_special_committee_id: None,
            meeting_on: Some(meeting_on.into()),
            draft_days: Some(5),
            evaluator_user_ids: Some(vec![who.evaluator.actor.user_id]),
        };
        let c = consultations::update_in(tx, who.staff, started.id, &input, None).await?;
        let people = [who.member.actor.user_id, who.evaluator.actor.user_id];
        let people = crate::consultation_people::PeopleInput {
            user_ids: people.to_vec(),
            ..Default::default()
        };
        crate::consultation_people::set_in(tx, who.staff, c.id, &people, None).await?;
        made += 1;
        if reach == 99 {
            // Called off before its meeting.
            let cancel = step(Step::Cancel, &today, "议题已并入年度专题议政。");
            consultations::act_in(tx, who.staff, c.id, cancel, None).await?;
            continue;
        }
        for (k, (s, offset, note)) in PATH.iter().enumerate().take(reach) {
            let day = day_after(meeting_on, *offset);
            if day > today {
                break;
            }
            let mut a = step(*s, &day, note);
            let actor = match s {
                Step::RecordOutcome => {
                    a.outcome = Some(OutcomeInput {
                        kind: "instruction".into(),
                        leader: "陈振华".into(),
                        level: "provincial".into(),
                        department: String::new(),
                    });
                    who.leader
                }
                Step::Evaluate => {
                    a.scores = domain::consultations::RUBRIC
                        .iter()
                        .enumerate()
                        .map(|(i, (c, _))| ((*c).to_string(), 7 + (i as i64 + k as i64) % 3))
                        .collect();
                    who.evaluator
                }
                _ => who.staff,
            };
            consultations::act_in(tx, actor, c.id, a, None).await?;
        }
    }
    // A draft regulation still open for members' comments.
    crate::legislation::create_in(
        tx,
        who.staff,
        committee_id,
        &crate::legislation::DraftInput {
            title: String::new(),
            text: OPEN_DRAFT.into(),
            consultation_id: None,
        },
    )
    .await?;
    Ok(made)
}

/// The demo's open draft regulation.
const OPEN_DRAFT: &str = "江澜省物业管理条例（修订草案征求意见稿）
第一章　总则
第一条　为了规范物业管理活动，维护业主和物业服务人的合法权益，营造安全、舒适、文明、和谐的居住环境，根据有关法律、行政法规，结合本省实际，制定本条例。
第二条　本省行政区域内的物业管理及其监督管理活动，适用本条例。
第三条　物业管理应当坚持党建引领、政府主导、业主自治、多方参与、协商共建的原则。
县级以上人民政府应当将物业管理纳入现代服务业发展规划和社区治理体系。
第二章　业主和业主组织
第四条　业主依法享有对物业共有部分和共同事务进行管理的权利，承担相应义务。
第五条　业主大会由物业管理区域内全体业主组成。
业主大会可以采用书面征求意见、电子投票等形式召开。
第三章　物业服务
第六条　物业服务人应当按照物业服务合同约定提供服务，并在物业管理区域内显著位置公示服务内容、标准和收费项目。
第七条　物业服务人不得采取停止供电、供水、供热、供燃气以及限制业主进出等方式催交物业费。
第四章　附则
第八条　本条例自　年　月　日起施行。";

fn step(step: Step, day: &str, note: &str) -> Action {
    Action {
        step,
        on_date: Some(day.to_string()),
        note: note.to_string(),
        outcome: None,
        scores: Vec::new(),
    }
}
