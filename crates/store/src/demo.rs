//! Demo data: a regional committee over two city and three county
//! committees, with sectors, special committees, parties, handling units,
//! about 600 members and the named accounts of API.md. Deterministic: the
//! same seed gives the same data. Written through the same commands as any
//! change, so every record has its audit event, all in one transaction.

use crate::db::{Db, Tx, on_db};
use crate::error::StoreError;
use crate::platform::{bodies, committees, users};
use crate::{Caller, members};
use domain::members::{Affiliation, ETHNICITIES, MemberInput};
use domain::platform::{BodyInput, BodyKind, CommitteeInput, GrantInput, NewUserInput};

mod consultation_history;
mod consultations;
mod deliberations;
pub mod history;
mod opinion_history;
mod opinions;

/// Proposals a year in the full demo's five years of history.
pub const HISTORY_PER_YEAR: usize = 600;
/// Member accounts that write the history's proposals.
const HISTORY_PROPOSERS: usize = 120;

/// The seed `--demo` uses.
pub const DEFAULT_SEED: u64 = 20_261_125;

/// A small deterministic generator (SplitMix64): demo data must not change
/// between runs or machines, and needs no cryptographic quality.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The 34 sectors (界别).
pub const SECTORS: [&str; 34] = [
    "中国共产党",
    "中国国民党革命委员会",
    "中国民主同盟",
    "中国民主建国会",
    "中国民主促进会",
    "中国农工民主党",
    "中国致公党",
    "九三学社",
    "台湾民主自治同盟",
    "无党派民主人士",
    "中国共产主义青年团",
    "中华全国总工会",
    "中华全国妇女联合会",
    "中华全国青年联合会",
    "中华全国工商业联合会",
    "中国科学技术协会",
    "中华全国台湾同胞联谊会",
    "中华全国归国华侨联合会",
    "文化艺术界",
    "科学技术界",
    "社会科学界",
    "经济界",
    "农业界",
    "教育界",
    "体育界",
    "新闻出版界",
    "医药卫生界",
    "对外友好界",
    "社会福利和社会保障界",
    "少数民族界",
    "宗教界",
    "环境资源界",
    "特邀香港人士",
    "特别邀请人士",
];

/// The 9 special committees (专门委员会).
pub const SPECIAL_COMMITTEES: [&str; 9] = [
    "提案委员会",
    "经济委员会",
    "农业和农村委员会",
    "人口资源环境委员会",
    "教科卫体委员会",
    "社会和法制委员会",
    "民族和宗教委员会",
    "港澳台侨和外事委员会",
    "文化文史和学习委员会",
];

/// The 8 participating parties (民主党派) with their short names.
pub const PARTIES: [(&str, &str); 8] = [
    ("中国国民党革命委员会", "民革"),
    ("中国民主同盟", "民盟"),
    ("中国民主建国会", "民建"),
    ("中国民主促进会", "民进"),
    ("中国农工民主党", "农工党"),
    ("中国致公党", "致公党"),
    ("九三学社", "九三学社"),
    ("台湾民主自治同盟", "台盟"),
];

/// The 40 handling units (承办单位) with their kinds.
pub const UNITS: [(&str, &str); 40] = [
    ("省发展和改革委员会", "government"),
    ("省教育厅", "government"),
    ("省科学技术厅", "government"),
    ("省工业和信息化厅", "government"),
    ("省公安厅", "government"),
    ("省民政厅", "government"),
    ("省司法厅", "government"),
    ("省财政厅", "government"),
    ("省人力资源和社会保障厅", "government"),
    ("省自然资源厅", "government"),
    ("省生态环境厅", "government"),
    ("省住房和城乡建设厅", "government"),
    ("省交通运输厅", "government"),
    ("省水利厅", "government"),
    ("省农业农村厅", "government"),
    ("省商务厅", "government"),
    ("省文化和旅游厅", "government"),
    ("省卫生健康委员会", "government"),
    ("省退役军人事务厅", "government"),
    ("省应急管理厅", "government"),
    ("省审计厅", "government"),
    ("省市场监督管理局", "government"),
    ("省广播电视局", "government"),
    ("省体育局", "government"),
    ("省统计局", "government"),
    ("省医疗保障局", "government"),
    ("省林业和草原局", "government"),
    ("省乡村振兴局", "government"),
    ("省机关事务管理局", "government"),
    ("省地方金融管理局", "government"),
    ("省数据局", "government"),
    ("省能源局", "government"),
    ("省药品监督管理局", "government"),
    ("省知识产权局", "government"),
    ("省高级人民法院", "judicial_organ"),
    ("省人民检察院", "judicial_organ"),
    ("省委宣传部", "party_organ"),
    ("省总工会", "people_organisation"),
    ("省妇女联合会", "people_organisation"),
    ("国网江澜省电力有限公司", "enterprise"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "欧阳", "司马",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
    "建国", "志强", "海涛", "文博", "国庆", "振华", "晓东", "立新", "宏伟", "俊杰", "建华", "永康",
    "德胜", "子涵", "浩然",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "燕", "红梅", "秀英", "桂兰", "晓燕",
    "丽华", "雅琴", "慧敏", "雪梅", "佳怡", "欣怡", "梦瑶", "婉婷", "淑珍", "凤英", "春燕", "海燕",
    "丽娟", "晓红", "静怡", "思琪",
];
const OCCUPATIONS: &[&str] = &[
    "大学教授",
    "中学校长",
    "主任医师",
    "律师事务所主任",
    "民营企业董事长",
    "科研院所研究员",
    "作家",
    "农业合作社理事长",
    "会计师事务所合伙人",
    "工程师",
    "记者",
    "社区医院院长",
    "非遗传承人",
    "银行行长",
    "社会组织负责人",
    "农民企业家",
    "外资企业高管",
    "运动员教练",
    "宗教界人士",
    "社会工作者",
];
const STREETS: &[&str] = &[
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "滨江路",
    "文化路",
    "和平街",
    "新华街",
];

/// What [`seed`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub proposals: usize,
    /// Public-opinion pieces.
    pub opinions: usize,
    pub consultations: usize,
    /// Online deliberations (two finished, one open).
    pub deliberations: usize,
    /// Planted near-duplicates in the history: (original, reworded twin).
    pub planted: Vec<(i64, i64)>,
    pub committees: usize,
    pub sectors: usize,
    pub special_committees: usize,
    pub parties: usize,
    pub units: usize,
    pub members: usize,
    pub users: usize,
}

/// Whether the database holds no committee yet.
pub async fn is_empty(db: &Db) -> Result<bool, StoreError> {
    let n: i64 = on_db!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM committees"
    )
    .fetch_one(c)
    .await?);
    Ok(n == 0)
}

/// Fills an empty database with demo data, five years of proposals included;
/// does nothing (and answers `None`) when it already holds data. Every account
/// gets `password`.
pub async fn seed(db: &Db, seed: u64, password: &str) -> Result<Option<Summary>, StoreError> {
    seed_sized(db, seed, password, HISTORY_PER_YEAR).await
}

/// [`seed`] with `per_year` proposals in each year of history (0: none, only
/// the forty current ones of the named accounts; quick, for tests).
pub async fn seed_sized(
    db: &Db,
    seed: u64,
    password: &str,
    per_year: usize,
) -> Result<Option<Summary>, StoreError> {
    if !is_empty(db).await? {
        return Ok(None);
    }
    if let Some(code) = domain::validate::password_problem(password) {
        return Err(StoreError::invalid("password", code));
    }
    let mut hashes = Vec::new();
    for _ in ACCOUNTS {
        hashes.push(users::hash_password(password.to_string()).await?);
    }
    // One CPU for the whole transaction (see `crate::affinity`), given back after.
    let _one_cpu = crate::affinity::OneCpu::pin();
    let mut tx = db.begin().await?;
    // Another process may have seeded while we hashed: check again under the write lock.
    let n: i64 = crate::db::on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM committees"
    )
    .fetch_one(c)
    .await?);
    if n > 0 {
        return Ok(None);
    }
    let summary = fill(&mut tx, seed, &hashes, per_year).await?;
    tx.commit().await?;
    // Deadline warnings for what is due, so that the bells have something to show.
    crate::deadlines::run(db).await?;
    // The deliberations' results, so that their pages show them at once.
    crate::deliberation_results::refresh(db).await?;
    Ok(Some(summary))
}

/// The named accounts: user name, display name, roles as (role, offices, unit index).
const ACCOUNTS: [(&str, &str); 7] = [
    ("admin", "系统管理员"),
    ("staff", "周文静"),
    ("member", "李红梅"),
    ("member2", "张建国"),
    ("unit", "王立新"),
    ("leader", "陈振华"),
    ("citizen", "刘晓燕"),
];

async fn fill(
    tx: &mut Tx,
    seed: u64,
    hashes: &[String],
    per_year: usize,
) -> Result<Summary, StoreError> {
    let sys = Caller::system();
    let mut rng = Rng::new(seed);
    let committee =
        |name: &str, short: &str, level: &str, parent: Option<i64>, code: &str| CommitteeInput {
            name: name.into(),
            short_name: Some(short.into()),
            level: level.into(),
            parent_id: parent,
            region_code: Some(code.into()),
        };
    let region = committees::create_in(
        tx,
        &sys,
        &committee("政协江澜省委员会", "江澜省政协", "regional", None, "980000"),
    )
    .await?;
    let city_a = committees::create_in(
        tx,
        &sys,
        &committee(
            "政协临川市委员会",
            "临川市政协",
            "city",
            Some(region.id),
            "980100",
        ),
    )
    .await?;
    let city_b = committees::create_in(
        tx,
        &sys,
        &committee(
            "政协云岭市委员会",
            "云岭市政协",
            "city",
            Some(region.id),
            "980200",
        ),
    )
    .await?;
    let county_a1 = committees::create_in(
        tx,
        &sys,
        &committee(
            "政协青溪县委员会",
            "青溪县政协",
            "county",
            Some(city_a.id),
            "980121",
        ),
    )
    .await?;
    let county_a2 = committees::create_in(
        tx,
        &sys,
        &committee(
            "政协石门县委员会",
            "石门县政协",
            "county",
            Some(city_a.id),
            "980122",
        ),
    )
    .await?;
    let county_b1 = committees::create_in(
        tx,
        &sys,
        &committee(
            "政协松岗县委员会",
            "松岗县政协",
            "county",
            Some(city_b.id),
            "980221",
        ),
    )
    .await?;

    let body = |name: &str, short: Option<&str>, kind: Option<&str>, order: usize| BodyInput {
        name: name.into(),
        short_name: short.map(Into::into),
        kind: kind.map(Into::into),
        sort_order: Some(order as i64),
        contact: None,
        active: Some(true),
    };
    let mut sectors = Vec::new();
    for (i, s) in SECTORS.iter().enumerate() {
        sectors.push(
            bodies::create_in(
                tx,
                &sys,
                BodyKind::Sector,
                region.id,
                &body(s, None, None, i + 1),
            )
            .await?
            .id,
        );
    }
    let mut specials = Vec::new();
    for (i, s) in SPECIAL_COMMITTEES.iter().enumerate() {
        specials.push(
            bodies::create_in(
                tx,
                &sys,
                BodyKind::SpecialCommittee,
                region.id,
                &body(s, None, None, i + 1),
            )
            .await?
            .id,
        );
    }
    let mut parties = Vec::new();
    for (i, (name, short)) in PARTIES.iter().enumerate() {
        let mut b = body(
            &format!("{name}江澜省委员会"),
            Some(short),
            Some("democratic_party"),
            i + 1,
        );
        b.contact = Some(format!("0871-6{:07}", 1_000_000 + i * 1111));
        parties.push(
            bodies::create_in(tx, &sys, BodyKind::Party, region.id, &b)
                .await?
                .id,
        );
    }
    let mut units = Vec::new();
    for (i, (name, kind)) in UNITS.iter().enumerate() {
        let mut b = body(name, None, Some(kind), i + 1);
        b.contact = Some(format!("提案办理处 0871-6{:07}", 2_000_000 + i * 137));
        units.push(
            bodies::create_in(tx, &sys, BodyKind::Unit, region.id, &b)
                .await?
                .id,
        );
    }

    // Accounts first, so two of them can be linked to member profiles.
    let mut account_ids = Vec::new();
    for ((username, display), hash) in ACCOUNTS.iter().zip(hashes) {
        let input = NewUserInput {
            username: (*username).into(),
            display_name: (*display).into(),
            password: "placeholder-not-used".into(),
            committee_id: region.id,
            email: Some(format!("{username}@jianglan-cppcc.example")),
        };
        account_ids.push(users::create_in(tx, &sys, &input, hash).await?.id);
    }
    let grant = |role: &str, offices: &[&str], unit: Option<i64>| GrantInput {
        role: role.into(),
        committee_id: region.id,
        unit_id: unit,
        offices: offices.iter().map(|s| s.to_string()).collect(),
    };
    let grants = [
        grant("admin", &[], None),
        grant("staff", &["proposals", "information", "consultation"], None),
        grant("member", &[], None),
        grant("member", &[], None),
        grant("unit_officer", &[], Some(units[1])),
        grant("leader", &[], None),
        grant("citizen", &[], None),
    ];
    for (id, g) in account_ids.iter().zip(&grants) {
        users::grant_in(tx, &sys, *id, g, None).await?;
    }

    // About 600 members: 360 in the regional committee, 48 in each of the others.
    let plan = [
        (region.id, 360),
        (city_a.id, 48),
        (city_b.id, 48),
        (county_a1.id, 48),
        (county_a2.id, 48),
        (county_b1.id, 48),
    ];
    let mut count = 0;
    let mut writers: Vec<(Caller, i64)> = Vec::new();
    let member_grant = grant("member", &[], None);
    for (committee_id, n) in plan {
        for i in 0..n {
            // With history, regional members after the two named ones get
            // accounts (wy001, ...) to write it, with the demo password.
            let writer = per_year > 0
                && committee_id == region.id
                && (2..2 + HISTORY_PROPOSERS).contains(&i);
            let female = rng.below(100) < 38;
            let linked = if committee_id == region.id && i < 2 {
                Some(account_ids[2 + i])
            } else {
                None
            };
            let name = match linked {
                Some(_) => ACCOUNTS[2 + i].1.to_string(),
                None => format!(
                    "{}{}",
                    rng.pick(SURNAMES),
                    if female {
                        rng.pick(GIVEN_FEMALE)
                    } else {
                        rng.pick(GIVEN_MALE)
                    }
                ),
            };
            let female = if linked.is_some() { i == 0 } else { female };
            let ethnicity = if rng.below(100) < 88 {
                "汉族"
            } else {
                rng.pick(&ETHNICITIES[1..])
            };
            let regional = committee_id == region.id;
            let sector = regional.then(|| rng.below(sectors.len()));
            let affiliation = affiliation_for(sector, &mut rng);
            let input = MemberInput {
                name,
                gender: if female { "female" } else { "male" }.into(),
                ethnicity: ethnicity.into(),
                birth_year: Some(1955 + rng.below(35) as i64),
                affiliation: affiliation.as_str().into(),
                sector_id: sector.map(|i| sectors[i]),
                special_committee_id: (regional && rng.below(100) < 70)
                    .then(|| *rng.pick(&specials)),
                occupation: Some(rng.pick(OCCUPATIONS).to_string()),
                term: Some(13),
                standing: Some(rng.below(100) < 15),
                phone: Some(format!("13{:09}", rng.next_u64() % 1_000_000_000)),
                email: None,
                address: Some(format!("{}{}号", rng.pick(STREETS), 1 + rng.below(300))),
                active: Some(linked.is_some() || writer || rng.below(100) < 97),
            };
            let linked = if writer {
                let username = format!("wy{:03}", i - 1);
                let account = NewUserInput {
                    username: username.clone(),
                    display_name: input.name.clone(),
                    password: "placeholder-not-used".into(),
                    committee_id: region.id,
                    email: None,
                };
                let user = users::create_in(tx, &sys, &account, &hashes[2]).await?;
                users::grant_in(tx, &sys, user.id, &member_grant, None).await?;
                let who = act_as(user.id, &username, &input.name, region.id, &member_grant)?;
                Some((user.id, who))
            } else {
                linked.map(|id| (id, Caller::system()))
            };
            let member =
                members::create_in(tx, &sys, committee_id, &input, linked.as_ref().map(|l| l.0))
                    .await?;
            if let Some((_, who)) = linked.filter(|_| writer) {
                writers.push((who, member.id));
            }
            count += 1;
        }
    }
    let proposals = fill_proposals(tx, &mut rng, region.id, &account_ids, &grants, &units).await?;
    let as_account = |i: usize| {
        act_as(
            account_ids[i],
            ACCOUNTS[i].0,
            ACCOUNTS[i].1,
            region.id,
            &grants[i],
        )
    };
    let (writer, writer2, staff, leader, citizen) = (
        as_account(2)?,
        as_account(3)?,
        as_account(1)?,
        as_account(5)?,
        as_account(6)?,
    );
    // Five years of pieces and weekly issues come first, so that this year's
    // named issues follow them in number. Their own random stream leaves the
    // proposals' history as it was.
    let history_writers: Vec<Caller> = writers.iter().map(|(c, _)| c.clone()).collect();
    let opinion_history = opinion_history::fill(
        tx,
        &mut Rng::new(seed ^ 0x5348_454d_494e_0004),
        &opinion_history::Cast {
            writers: &history_writers,
            staff: &staff,
            leader: &leader,
            committee_id: region.id,
        },
        per_year,
    )
    .await?;
    let opinions_made = opinion_history
        + opinions::fill(
            tx,
            region.id,
            &opinions::Actors {
                writers: [&writer, &writer2],
                staff: &staff,
                leader: &leader,
                citizen: &citizen,
            },
        )
        .await?;
    let consultations_made = consultations::fill(
        tx,
        region.id,
        &consultations::Actors {
            staff: &staff,
            leader: &leader,
            evaluator: &writer2,
            member: &writer,
        },
    )
    .await?
        + consultation_history::fill(
            tx,
            &mut Rng::new(seed ^ 0x5348_454d_494e_0005),
            &consultation_history::Cast {
                staff: &staff,
                leader: &leader,
                evaluator: &writer2,
                members: &history_writers,
                committee_id: region.id,
            },
            per_year,
        )
        .await?;
    let deliberations_made = deliberations::fill(
        tx,
        &mut Rng::new(seed ^ 0x5348_454d_494e_0006),
        &deliberations::Cast {
            staff: &staff,
            members: &history_writers,
            member: &writer,
            member2: &writer2,
            committee_id: region.id,
        },
        per_year == 0,
    )
    .await?;
    let mut planted = Vec::new();
    let mut users_made = account_ids.len();
    let mut history_made = 0;
    if per_year > 0 {
        // An officer for every handling unit (the named `unit` acts for the second).
        let mut officers = Vec::new();
        for (k, unit_id) in units.iter().enumerate() {
            let g = grant("unit_officer", &[], Some(*unit_id));
            if k == 1 {
                officers.push((
                    *unit_id,
                    act_as(account_ids[4], "unit", ACCOUNTS[4].1, region.id, &g)?,
                ));
                continue;
            }
            let username = format!("dw{:02}", k + 1);
            let display = format!("{}办理员", UNITS[k].0);
            let account = NewUserInput {
                username: username.clone(),
                display_name: display.clone(),
                password: "placeholder-not-used".into(),
                committee_id: region.id,
                email: None,
            };
            let user = users::create_in(tx, &sys, &account, &hashes[4]).await?;
            users::grant_in(tx, &sys, user.id, &g, None).await?;
            officers.push((
                *unit_id,
                act_as(user.id, &username, &display, region.id, &g)?,
            ));
        }
        users_made += writers.len() + officers.len() - 1;
        let cast = history::Cast {
            proposers: writers,
            staff: act_as(
                account_ids[1],
                "staff",
                ACCOUNTS[1].1,
                region.id,
                &grants[1],
            )?,
            leader: act_as(
                account_ids[5],
                "leader",
                ACCOUNTS[5].1,
                region.id,
                &grants[5],
            )?,
            leader_user_id: account_ids[5],
            units: officers,
            parties,
            committee_id: region.id,
        };
        let h = history::fill_history(tx, &mut rng, &cast, per_year).await?;
        history_made = h.proposals;
        planted = h.planted;
    }
    Ok(Summary {
        proposals: proposals + history_made,
        opinions: opinions_made,
        consultations: consultations_made,
        deliberations: deliberations_made,
        planted,
        committees: 6,
        sectors: sectors.len(),
        special_committees: specials.len(),
        parties: PARTIES.len(),
        units: units.len(),
        members: count,
        users: users_made,
    })
}

/// Topics of the demo's proposals, one a proposal.
const TOPICS: [(&str, &str); 40] = [
    ("加快养老服务体系建设", "society"),
    ("发展普惠托育服务", "society"),
    ("推进老旧小区加装电梯", "society"),
    ("加强中小学心理健康教育", "education"),
    ("推动职业教育产教融合", "education"),
    ("缩小城乡义务教育差距", "education"),
    ("完善基层医疗卫生服务网络", "health"),
    ("推进紧密型县域医共体建设", "health"),
    ("加强罕见病用药保障", "health"),
    ("优化营商环境激发市场活力", "economy"),
    ("支持中小微企业数字化转型", "economy"),
    ("促进民营经济高质量发展", "economy"),
    ("发展县域特色产业集群", "economy"),
    ("推动跨境电商综合试验区建设", "economy"),
    ("加快新型储能产业发展", "economy"),
    ("推进高标准农田建设", "agriculture"),
    ("发展庭院经济促进农民增收", "agriculture"),
    ("完善农村生活污水治理", "agriculture"),
    ("健全农产品冷链物流体系", "agriculture"),
    ("加强种业振兴行动", "agriculture"),
    ("推进生活垃圾分类", "ecology"),
    ("加强重点流域水生态保护", "ecology"),
    ("推进矿山生态修复", "ecology"),
    ("建设国家公园和自然保护地", "ecology"),
    ("完善生态保护补偿机制", "ecology"),
    ("保护和活化利用传统村落", "culture"),
    ("推动非物质文化遗产传承", "culture"),
    ("建设城市书房与全民阅读", "culture"),
    ("发展文旅融合新业态", "culture"),
    ("加强红色文化资源保护", "culture"),
    ("完善矛盾纠纷多元化解机制", "governance"),
    ("加强未成年人网络保护", "governance"),
    ("推进基层治理数字化", "governance"),
    ("规范电动自行车停放充电", "governance"),
    ("提升应急管理基层能力", "governance"),
    ("加强新就业形态劳动者权益保障", "society"),
    ("推进无障碍环境建设", "society"),
    ("完善社区嵌入式服务设施", "society"),
    ("推动城乡公交一体化", "other"),
    ("加强历史文化街区保护更新", "culture"),
];

/// Forty proposals by `member` and `member2`, spread over the lifecycle from
/// draft to closed, handled by `unit`'s unit where they are assigned.
async fn fill_proposals(
    tx: &mut Tx,
    rng: &mut Rng,
    region: i64,
    accounts: &[i64],
    grants: &[GrantInput],
    units: &[i64],
) -> Result<usize, StoreError> {
    use crate::proposals::{self, Action};
    use domain::proposals::{ProposalInput, Satisfaction};
    // The named accounts act as themselves; their grants are the ones just given.
    let caller = |i: usize| {
        act_as(
            accounts[i],
            ACCOUNTS[i].0,
            ACCOUNTS[i].1,
            region,
            &grants[i],
        )
    };
    let (staff, unit, leader) = (caller(1)?, caller(4)?, caller(5)?);
    let proposers = [caller(2)?, caller(3)?];
    let unit_id = units[1];
    for (i, (topic, category)) in TOPICS.iter().enumerate() {
        let proposer = &proposers[i % 2];
        let input = ProposalInput {
            title: format!("关于{topic}的建议"),
            body: format!(
                "案由：{topic}事关群众切身利益，近年来我省虽取得积极进展，但仍存在投入不足、机制不顺、覆盖不均等问题。\n\n\
                 分析：一是统筹协调机制有待健全；二是财政和社会投入渠道单一；三是基层专业人才短缺。\n\n\
                 建议：一、将{topic}纳入年度重点工作，明确牵头部门和时间表；二、加大财政投入并引导社会资本参与；\
                 三、加强基层人才队伍建设，完善考核激励。"
            ),
            category: (*category).into(),
            kind: "individual".into(),
            term: Some(13),
            session: Some(if i % 5 == 4 { 0 } else { 2 }),
            publish_consent: Some(rng.below(100) < 80),
            suggested_unit_ids: vec![unit_id],
            ..Default::default()
        };
        let id = proposals::create_draft_in(tx, proposer, region, &input)
            .await?
            .id;
        // Stage 0 stays a draft; each further stage takes one more step.
        let stage = i % 9;
        let steps: Vec<(&Caller, Action)> = vec![
            (proposer, Action::Submit),
            (&staff, Action::StartReview),
            (&staff, Action::File),
            (
                &staff,
                Action::Assign {
                    lead_units: vec![unit_id],
                    co_units: if i % 3 == 0 {
                        vec![units[2 + i % (units.len() - 2)]]
                    } else {
                        vec![]
                    },
                },
            ),
            (
                &unit,
                Action::RecordConsultation {
                    held_on: "2026-04-15".into(),
                    form: ["meeting", "phone", "site_visit", "forum"][i % 4].into(),
                    participants: "提案人、承办处室负责同志".into(),
                    agreed: format!("围绕{topic}形成三项工作措施，年内推进落实。"),
                },
            ),
            (
                &unit,
                Action::Answer {
                    category: ["A", "B", "B", "C"][i % 4].into(),
                    text: format!("关于{topic}的建议收悉。经认真研究，现答复如下：……"),
                },
            ),
            (
                proposer,
                Action::Evaluate {
                    satisfaction: Satisfaction::Satisfied,
                    comment: None,
                },
            ),
            (&staff, Action::Close),
        ];
        for (who, action) in steps.into_iter().take(stage) {
            proposals::act_in(tx, who, id, action, None).await?;
        }
        // Answered ones carry the unit's commitments; closed ones have kept the first.
        if stage >= 6 {
            let first =
                crate::commitments::add_in(tx, &unit, id, &format!("年内出台{topic}实施方案"))
                    .await?;
            crate::commitments::add_in(tx, &unit, id, "每季度向提案人通报一次进展").await?;
            if stage == 8 {
                crate::commitments::complete_in(
                    tx,
                    &unit,
                    first.id,
                    "实施方案已于 2026 年 9 月印发，文件已报送提案人。",
                    None,
                )
                .await?;
            }
        }
        if matches!(stage, 4..=6) && i % 2 == 0 {
            proposals::act_in(
                tx,
                &staff,
                id,
                Action::MarkKey {
                    supervisor_user_id: accounts[5],
                },
                None,
            )
            .await?;
            let visit = Action::RecordSupervision {
                held_on: "2026-05-20".into(),
                activity: "率队赴承办单位督办，听取办理进展汇报。".into(),
            };
            proposals::act_in(tx, &leader, id, visit, None).await?;
        }
    }
    Ok(TOPICS.len())
}

/// A caller acting as a demo account with one grant.
fn act_as(
    user_id: i64,
    username: &str,
    display_name: &str,
    committee_id: i64,
    grant: &GrantInput,
) -> Result<Caller, StoreError> {
    let g = grant.validate().map_err(StoreError::Invalid)?;
    Ok(Caller::user(
        domain::platform::Actor {
            user_id,
            username: username.into(),
            display_name: display_name.into(),
            home_committee_id: committee_id,
            grants: vec![g],
        },
        None,
    ))
}

/// A political affiliation that fits the member's sector: the sectors of the
/// CPC, the eight parties and the non-partisans fix it; elsewhere about half
/// are CPC members, a quarter belong to no party and the rest to a party.
fn affiliation_for(sector: Option<usize>, rng: &mut Rng) -> Affiliation {
    use Affiliation as A;
    const BY_SECTOR: [Affiliation; 10] = [
        A::Cpc,
        A::Rcck,
        A::Cdl,
        A::Cndca,
        A::Capd,
        A::Cpwdp,
        A::Zhigong,
        A::Jiusan,
        A::Tdsgl,
        A::NonPartisan,
    ];
    match sector {
        Some(i) if i < BY_SECTOR.len() => BY_SECTOR[i],
        _ => match rng.below(100) {
            0..50 => A::Cpc,
            50..75 => A::None,
            75..85 => A::NonPartisan,
            _ => *rng.pick(&BY_SECTOR[1..9]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, {
            let mut r = Rng::new(8);
            (0..5).map(|_| r.next_u64()).collect::<Vec<_>>()
        });
    }

    #[test]
    fn lists_have_their_sizes_and_no_repeats() {
        let mut s = SECTORS.to_vec();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 34);
        let mut u: Vec<_> = UNITS.iter().map(|u| u.0).collect();
        u.sort();
        u.dedup();
        assert_eq!(u.len(), 40);
        for (_, kind) in UNITS {
            assert!(BodyKind::Unit.subtypes().contains(&kind));
        }
    }
}
