//! Online deliberation (网络议政, issue 6): a topic staff of the consultation
//! office open to the committee's members or to the public, the short
//! statements participants write (moderated before or after they are put to
//! vote), and one vote per participant and statement. Anonymous public
//! participants are known by the key in their signed cookie (the web layer
//! checks the signature); the flood limits of `domain::deliberations` hold
//! for accounts and anonymous visitors alike. The engine's results are
//! computed in the background (`deliberation_results`).

use crate::Caller;
use crate::audit;
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::platform::committees;
use domain::deliberations::{
    self as rules, Audience, Facts, Grouping, Moderation, Part, State, StatementStatus, Step, Vote,
};
use domain::platform::{Permission, Role, Scope};
use serde::{Deserialize, Serialize};
use serde_json::json;

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;

/// A deliberation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Deliberation {
    pub id: i64,
    pub committee_id: i64,
    pub title: String,
    pub background: String,
    /// `members` or `public`.
    pub audience: String,
    /// `pre` or `post`.
    pub moderation: String,
    /// How the results draw the opinion groups: `map` (as Pol.is does) or
    /// `votes` (refined on the votes themselves).
    pub grouping: String,
    /// `draft`, `open`, `closed` or `reported`.
    pub state: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub opens_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub closes_at: i64,
    /// The published report (empty until `publish-report`).
    pub report: String,
    pub version: i64,
    /// The consultation this deliberation is the online part of, if any.
    pub consultation_id: Option<i64>,
}

impl Deliberation {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Draft)
    }
    pub fn audience(&self) -> Audience {
        Audience::parse(&self.audience).unwrap_or(Audience::Members)
    }
    pub fn moderation(&self) -> Moderation {
        Moderation::parse(&self.moderation).unwrap_or(Moderation::Pre)
    }
    /// Whether participants may write and vote now.
    pub fn participation(&self) -> Result<(), &'static str> {
        rules::participation(
            self.state(),
            self.opens_at,
            self.closes_at,
            crate::clock::now(),
        )
    }
}

/// A deliberation in a list, with its activity.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Summary {
    pub id: i64,
    pub committee_id: i64,
    pub title: String,
    pub audience: String,
    pub state: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub opens_at: i64,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub closes_at: i64,
    pub participants: i64,
    pub statements: i64,
    pub votes: i64,
}

/// A statement with its tally.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Statement {
    pub id: i64,
    pub body: String,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    pub agree: i64,
    pub disagree: i64,
    pub pass: i64,
    /// Who wrote it: shown to staff only (a name, or `#n` for an anonymous participant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip)]
    pub participant_id: i64,
}

impl Statement {
    /// All votes on it.
    pub fn votes(&self) -> i64 {
        self.agree + self.disagree + self.pass
    }
}

/// What a deliberation is created with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DeliberationInput {
    pub title: String,
    #[serde(default)]
    pub background: String,
    /// `members` (default) or `public`.
    #[serde(default)]
    pub audience: String,
    /// `pre` (default) or `post`.
    #[serde(default)]
    pub moderation: String,
    /// How the results draw the opinion groups: `map` (default; as Pol.is
    /// does, so that they compare with Pol.is's) or `votes` (refined on
    /// the votes themselves: closer to the true groups in large
    /// deliberations, but a group's points may overlap another's on the map).
    #[serde(default)]
    pub grouping: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in the committee's time (UTC+8).
    pub opens_at: String,
    pub closes_at: String,
    /// The consultation of the same committee this deliberation is the
    /// online part of; absent or null for none.
    #[serde(default)]
    pub consultation_id: Option<i64>,
}

/// The caller's place in a deliberation: their statements to vote on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// The next statement to vote on, if any is left.
    pub next: Option<Statement>,
    /// Statements the caller has voted on.
    pub voted: i64,
    /// Statements put to vote that the caller did not write.
    pub total: i64,
}

/// Who votes or writes: an account, or an anonymous visitor by cookie key.
#[derive(Debug, Clone, Copy)]
pub struct Voice<'a> {
    pub caller: &'a Caller,
    /// The key from the visitor's signed cookie (anonymous visitors only).
    pub anon_key: Option<&'a str>,
}

const COLUMNS: &str = "id, committee_id, title, background, audience, moderation, grouping, state, opens_at, closes_at, report, version, consultation_id";

async fn load(tx: &mut Tx, id: i64) -> Result<Deliberation, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM deliberations WHERE id = $1");
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(c)
        .await?)
    .ok_or(StoreError::NotFound)
}

/// Whether the caller runs the committee's deliberations (the consultation office).
pub fn is_staff(caller: &Caller, committee_id: i64) -> bool {
    crate::consultations::is_staff(caller, committee_id)
}

/// Whether a members-only deliberation of the scope's committee is open to
/// the caller: its members, staff and leaders, and the admins of it or of a
/// committee above. A citizen's account or a handling unit's officer holds a
/// role in the committee too, but is not one of its own people.
fn insider(caller: &Caller, scope: &Scope) -> bool {
    let here = scope.committee_id();
    caller.may(Permission::Administer, scope)
        || [Role::Member, Role::Staff, Role::Leader]
            .into_iter()
            .any(|r| caller.actor.holds(r, here))
}

/// Loads a deliberation the caller may see, with their part: staff see
/// drafts; members-only topics are for the committee's own people (see
/// [`insider`]); public ones for everyone. Anything else is "not found".
pub(crate) async fn load_visible(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
) -> Result<(Deliberation, Part), StoreError> {
    let d = load(tx, id).await?;
    let scope = committees::scope_tx(tx, d.committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let reads = insider(caller, &scope);
    let staff = reads && is_staff(caller, d.committee_id);
    if staff {
        return Ok((d, Part::Staff));
    }
    if d.state() == State::Draft || (d.audience() == Audience::Members && !reads) {
        return Err(StoreError::NotFound);
    }
    Ok((d, Part::Other))
}

/// One deliberation with the caller's part.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<(Deliberation, Part), StoreError> {
    let mut tx = db.begin_read().await?;
    let out = load_visible(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// What a committee's deliberation staff have to do: the home page's
/// figures and the moderation queues waiting for them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Work {
    /// Deliberations open now.
    pub open: i64,
    /// Closed, their report not yet published.
    pub to_report: i64,
    /// Statements waiting for a moderator, in all.
    pub to_moderate: i64,
    /// The deliberations those statements wait in, the longest queue first
    /// (at most [`WORK_QUEUES`]).
    pub queues: Vec<Queue>,
}

/// One deliberation's statements waiting for a moderator.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow, utoipa::ToSchema)]
pub struct Queue {
    pub deliberation_id: i64,
    pub title: String,
    pub pending: i64,
}

/// Most moderation queues [`work`] names one by one.
pub const WORK_QUEUES: i64 = 10;

/// What the deliberation staff of a committee have to do. For its staff
/// only; a committee the caller may not see is "not found".
pub async fn work(db: &Db, caller: &Caller, committee_id: i64) -> Result<Work, StoreError> {
    let scope = committees::scope(db, committee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    caller.require(Permission::ReadOrganisation, &scope)?;
    if !is_staff(caller, committee_id) {
        return Err(StoreError::Forbidden);
    }
    let mut tx = db.begin_read().await?;
    let (open, to_report): (i64, i64) = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), 0)
         FROM deliberations WHERE committee_id = $1"
    )
    .bind(committee_id)
    .fetch_one(c)
    .await?);
    // Moderation is done while a deliberation is open or closed; a
    // published report ends it, so what still waits there is not work.
    let mut queues: Vec<Queue> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT d.id AS deliberation_id, d.title, COUNT(*) AS pending
         FROM deliberations d JOIN deliberation_statements s ON s.deliberation_id = d.id
         WHERE d.committee_id = $1 AND d.state IN ('open', 'closed') AND s.status = 'pending'
         GROUP BY d.id, d.title
         ORDER BY COUNT(*) DESC, d.id DESC"
    )
    .bind(committee_id)
    .fetch_all(c)
    .await?);
    tx.commit().await?;
    let to_moderate = queues.iter().map(|q| q.pending).sum();
    queues.truncate(WORK_QUEUES as usize);
    Ok(Work {
        open,
        to_report,
        to_moderate,
        queues,
    })
}

/// An open deliberation of one of the caller's committees, and how far
/// the caller has come in it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Invitation {
    pub deliberation_id: i64,
    pub committee_id: i64,
    pub title: String,
    #[serde(serialize_with = "crate::clock::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub closes_at: i64,
    /// Statements the caller has voted on.
    pub voted: i64,
    /// Statements put to vote that the caller did not write.
    pub total: i64,
    /// The caller's own statements put to vote: with `total` at 0, whether
    /// there are statements at all.
    pub written: i64,
}

/// Most deliberations [`invitations`] names.
pub const MAX_INVITATIONS: i64 = 10;

/// The open deliberations of the caller's committees that the caller may
/// take part in, closing soonest first (at most [`MAX_INVITATIONS`]), each
/// with the caller's progress: what a member's home page offers.
pub async fn invitations(db: &Db, caller: &Caller) -> Result<Vec<Invitation>, StoreError> {
    let committees = caller.actor.committees();
    if caller.is_anonymous() || committees.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin_read().await?;
    let mut out = Vec::new();
    for committee_id in committees {
        let open: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT id FROM deliberations WHERE committee_id = $1 AND state = 'open'
             ORDER BY closes_at, id LIMIT $2"
        )
        .bind(committee_id)
        .bind(MAX_INVITATIONS)
        .fetch_all(c)
        .await?);
        for id in open {
            // The same rule as opening it: one the caller may not see is left out.
            let d = match load_visible(&mut tx, caller, id).await {
                Ok((d, _)) => d,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let voice = Voice {
                caller,
                anon_key: None,
            };
            let pid = participant(&mut tx, voice, &d, false)
                .await?
                .map(|(p, _)| p);
            // Only the counts: the next statement is the voting page's to pick.
            let (voted, total) = voted_of_total(&mut tx, &d, pid).await?;
            let written = match pid {
                None => 0,
                Some(pid) => {
                    let sql = format!(
                        "SELECT COUNT(*) FROM deliberation_statements s
                         WHERE s.deliberation_id = $1 AND s.participant_id = $2 AND {}",
                        votable_sql(&d)
                    );
                    on_tx!(&mut tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(
                        sql.clone()
                    ))
                    .bind(d.id)
                    .bind(pid)
                    .fetch_one(c)
                    .await?)
                }
            };
            out.push(Invitation {
                deliberation_id: d.id,
                committee_id: d.committee_id,
                title: d.title.clone(),
                closes_at: d.closes_at,
                voted,
                total,
                written,
            });
        }
    }
    tx.commit().await?;
    out.sort_by_key(|i| (i.closes_at, i.deliberation_id));
    out.truncate(MAX_INVITATIONS as usize);
    Ok(out)
}

/// What a list of deliberations is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DeliberationFilter {
    /// A committee of the caller's own (a member, staff, leader or admin of it): all
    /// of its deliberations (drafts only for its staff). Without it, or for
    /// anyone else: the public ones under way or finished, of every committee or of this one.
    pub committee_id: Option<i64>,
    /// Only those that belong to this consultation.
    pub consultation_id: Option<i64>,
    /// `draft`, `open`, `closed` or `reported`.
    pub state: Option<String>,
    /// `members` or `public`.
    pub audience: Option<String>,
    /// Words in the title.
    pub q: Option<String>,
}

/// Longest search text a list takes.
const MAX_QUERY: usize = 100;

/// The deliberations the caller may see, narrowed by `f`, newest opening
/// first, one page of them with the count of all.
pub async fn list(
    db: &Db,
    caller: &Caller,
    f: &DeliberationFilter,
    page: PageRequest,
) -> Result<Page<Summary>, StoreError> {
    let blank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let state = blank(&f.state);
    if state.as_deref().is_some_and(|s| State::parse(s).is_none()) {
        return Err(StoreError::invalid("state", "invalid_choice"));
    }
    let audience = blank(&f.audience);
    if audience
        .as_deref()
        .is_some_and(|a| Audience::parse(a).is_none())
    {
        return Err(StoreError::invalid("audience", "invalid_choice"));
    }
    let q = blank(&f.q);
    if q.as_deref().is_some_and(|q| q.chars().count() > MAX_QUERY) {
        return Err(StoreError::invalid("q", "too_long"));
    }
    let like = q.as_deref().map(crate::like::contains);
    let mut tx = db.begin_read().await?;
    let mut reads = false;
    if let Some(cid) = f.committee_id {
        let scope = committees::scope_tx(&mut tx, cid)
            .await?
            .ok_or(StoreError::NotFound)?;
        reads = insider(caller, &scope);
    }
    let staff = reads && f.committee_id.is_some_and(|c| is_staff(caller, c));
    let seen = match (reads, staff) {
        (true, true) => "d.committee_id = $1",
        (true, false) => "d.committee_id = $1 AND d.state <> 'draft'",
        _ => "d.audience = 'public' AND d.state <> 'draft' AND ($1 = 0 OR d.committee_id = $1)",
    };
    let filter = format!(
        "{seen} AND ($2 = 0 OR d.consultation_id = $2) AND ($3 IS NULL OR d.state = $3)
         AND ($4 IS NULL OR d.audience = $4) AND ($5 IS NULL OR lower(d.title) LIKE $5 ESCAPE '\\')"
    );
    let count_sql = format!("SELECT COUNT(*) FROM deliberations d WHERE {filter}");
    // The counts come from the kept tallies (a statement's agrees, disagrees
    // and passes), so a page costs the same however many votes there are.
    let list_sql = format!(
        "SELECT d.id, d.committee_id, d.title, d.audience, d.state, d.opens_at, d.closes_at,
           d.participants,
           (SELECT COUNT(*) FROM deliberation_statements s WHERE s.deliberation_id = d.id AND s.status <> 'rejected') AS statements,
           (SELECT CAST(COALESCE(SUM(s.agrees + s.disagrees + s.passes), 0) AS BIGINT) FROM deliberation_statements s WHERE s.deliberation_id = d.id) AS votes
         FROM deliberations d WHERE {filter}
         ORDER BY d.opens_at DESC, d.id DESC LIMIT {} OFFSET {}",
        page.per_page,
        page.offset()
    );
    let (committee, consultation) = (f.committee_id.unwrap_or(0), f.consultation_id.unwrap_or(0));
    let (total, items): (i64, Vec<Summary>) = on_tx!(&mut tx, |c| {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
            .bind(committee)
            .bind(consultation)
            .bind(&state)
            .bind(&audience)
            .bind(&like)
            .fetch_one(&mut *c)
            .await?;
        let items = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()))
            .bind(committee)
            .bind(consultation)
            .bind(&state)
            .bind(&audience)
            .bind(&like)
            .fetch_all(&mut *c)
            .await?;
        (total, items)
    });
    tx.commit().await?;
    Ok(page.of(items, total))
}

/// The deliberations of a consultation the caller may see (as [`list`]
/// shows them), the newest 200.
pub async fn of_consultation(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    consultation_id: i64,
) -> Result<Vec<Summary>, StoreError> {
    let f = DeliberationFilter {
        committee_id: Some(committee_id),
        consultation_id: Some(consultation_id),
        ..Default::default()
    };
    let page = PageRequest::new(None, Some(PageRequest::MAX_PER_PAGE));
    Ok(list(db, caller, &f, page).await?.items)
}

/// A time as the API or a form gives it: RFC 3339, or `YYYY-MM-DDTHH:MM`
/// in the committee's time.
fn time_of(e: &mut domain::validate::Errors, field: &'static str, v: &str) -> i64 {
    let v = v.trim();
    if v.is_empty() {
        e.add(field, "required");
        return 0;
    }
    match crate::clock::parse_rfc3339(v).or_else(|| crate::clock::parse_local_minute(v)) {
        Some(t) => t,
        None => {
            e.add(field, "invalid_time");
            0
        }
    }
}

/// Staff create a deliberation, as a draft.
pub async fn create(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    input: &DeliberationInput,
) -> Result<Deliberation, StoreError> {
    let mut tx = db.begin().await?;
    let out = create_in(&mut tx, caller, committee_id, input).await?;
    tx.commit().await?;
    Ok(out)
}

/// A deliberation's fields, checked.
struct Checked {
    title: String,
    background: String,
    audience: Audience,
    moderation: Moderation,
    grouping: Grouping,
    opens_at: i64,
    closes_at: i64,
    consultation_id: Option<i64>,
}

fn check(input: &DeliberationInput) -> Result<Checked, StoreError> {
    let mut e = domain::validate::Errors::default();
    let title = e.required_text("title", &input.title, 200);
    let background = e
        .optional_prose("background", Some(&input.background), 20_000)
        .unwrap_or_default();
    let audience = e.choice(
        "audience",
        &input.audience,
        Audience::Members,
        Audience::parse,
    );
    let moderation = e.choice(
        "moderation",
        &input.moderation,
        Moderation::Pre,
        Moderation::parse,
    );
    let grouping = e.choice("grouping", &input.grouping, Grouping::Map, Grouping::parse);
    let opens_at = time_of(&mut e, "opens_at", &input.opens_at);
    let closes_at = time_of(&mut e, "closes_at", &input.closes_at);
    if opens_at != 0
        && closes_at != 0
        && let Err(code) = rules::check_times(opens_at, closes_at)
    {
        e.add("closes_at", code);
    }
    if input.consultation_id.is_some_and(|c| c <= 0) {
        e.add("consultation_id", "unknown_consultation");
    }
    e.finish().map_err(StoreError::Invalid)?;
    Ok(Checked {
        title,
        background,
        audience,
        moderation,
        grouping,
        opens_at,
        closes_at,
        consultation_id: input.consultation_id,
    })
}

/// The consultations a deliberation of the committee may belong to, for the
/// staff's form: those not yet closed or cancelled, newest first (at most
/// 200), and `keep` (the one it belongs to now) whatever its state.
/// Answers (id, title).
pub async fn consultation_choices(
    db: &Db,
    caller: &Caller,
    committee_id: i64,
    keep: Option<i64>,
) -> Result<Vec<(i64, String)>, StoreError> {
    if !is_staff(caller, committee_id) {
        return Err(StoreError::Forbidden);
    }
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, title FROM consultations
         WHERE committee_id = $1 AND (state NOT IN ('closed', 'cancelled') OR id = $2)
         ORDER BY id DESC LIMIT 200"
    )
    .bind(committee_id)
    .bind(keep.unwrap_or(0))
    .fetch_all(c)
    .await?))
}

/// A consultation named as the one a deliberation belongs to must be one of
/// the same committee's.
async fn check_consultation(
    tx: &mut Tx,
    committee_id: i64,
    consultation_id: Option<i64>,
) -> Result<(), StoreError> {
    let Some(cid) = consultation_id else {
        return Ok(());
    };
    let of: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT committee_id FROM consultations WHERE id = $1"
    )
    .bind(cid)
    .fetch_optional(c)
    .await?);
    if of == Some(committee_id) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "consultation_id",
            "unknown_consultation",
        ))
    }
}

/// [`create`] inside an open transaction.
pub async fn create_in(
    tx: &mut Tx,
    caller: &Caller,
    committee_id: i64,
    input: &DeliberationInput,
) -> Result<Deliberation, StoreError> {
    let Checked {
        title,
        background,
        audience,
        moderation,
        grouping,
        opens_at,
        closes_at,
        consultation_id,
    } = check(input)?;
    crate::consultations::require_office(tx, caller, committee_id).await?;
    check_consultation(tx, committee_id, consultation_id).await?;
    let now = crate::clock::now();
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO deliberations (committee_id, title, background, audience, moderation, grouping, state, opens_at, closes_at, created_by, version, created_at, updated_at, consultation_id)
             VALUES ($1, $2, $3, $4, $5, $11, 'draft', $6, $7, $8, 1, $9, $9, $10) RETURNING id",
        )
        .bind(committee_id)
        .bind(&title)
        .bind(&background)
        .bind(audience.as_str())
        .bind(moderation.as_str())
        .bind(opens_at)
        .bind(closes_at)
        .bind(caller.actor_id())
        .bind(now)
        .bind(consultation_id)
        .bind(grouping.as_str())
        .fetch_one(c)
        .await?
    });
    let d = load(tx, id).await?;
    log(
        tx,
        caller,
        &d,
        "deliberation.create",
        json!({"title": title, "audience": audience.as_str(), "moderation": moderation.as_str(),
            "grouping": grouping.as_str(), "consultation_id": consultation_id}),
    )
    .await?;
    Ok(d)
}

/// Staff edit a deliberation at the version read, while it is a draft or
/// open (an open one's closing time must stay ahead: to end it, close it).
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: &DeliberationInput,
    expected: Option<i64>,
) -> Result<Deliberation, StoreError> {
    let f = check(input)?;
    let mut tx = db.begin().await?;
    let (d, part) = load_visible(&mut tx, caller, id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    match d.state() {
        State::Draft => {}
        State::Open if f.closes_at <= crate::clock::now() => {
            return Err(StoreError::invalid("closes_at", "closes_in_past"));
        }
        State::Open => {}
        State::Closed | State::Reported => {
            return Err(StoreError::Conflict {
                code: "wrong_state",
                current: Some(d.state.clone()),
            });
        }
    }
    let version = expected.unwrap_or(d.version);
    if version != d.version {
        return Err(StoreError::stale(d.version));
    }
    check_consultation(&mut tx, d.committee_id, f.consultation_id).await?;
    crate::versions::bump(
        &mut tx,
        crate::versions::Versioned::Deliberations,
        id,
        version,
    )
    .await?;
    on_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE deliberations SET title = $1, background = $2, audience = $3, moderation = $4, opens_at = $5, closes_at = $6, consultation_id = $7, grouping = $9 WHERE id = $8"
    )
    .bind(&f.title)
    .bind(&f.background)
    .bind(f.audience.as_str())
    .bind(f.moderation.as_str())
    .bind(f.opens_at)
    .bind(f.closes_at)
    .bind(f.consultation_id)
    .bind(id)
    .bind(f.grouping.as_str())
    .execute(c)
    .await?
    .rows_affected()
    });
    log(
        &mut tx,
        caller,
        &d,
        "deliberation.update",
        json!({"title": f.title, "audience": f.audience.as_str(), "moderation": f.moderation.as_str(),
            "grouping": f.grouping.as_str(), "opens_at": crate::clock::rfc3339(f.opens_at), "closes_at": crate::clock::rfc3339(f.closes_at),
            "consultation_id": f.consultation_id}),
    )
    .await?;
    let out = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

async fn log(
    tx: &mut Tx,
    caller: &Caller,
    d: &Deliberation,
    action: &'static str,
    changes: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        caller,
        (d.committee_id, "deliberation", d.id),
        action,
        changes,
    )
    .await
}

/// Takes a step (`open`, `close`, `publish-report` with the report's text).
pub async fn act(
    db: &Db,
    caller: &Caller,
    id: i64,
    step: Step,
    version: Option<i64>,
    report: Option<&str>,
) -> Result<Deliberation, StoreError> {
    let mut tx = db.begin().await?;
    let out = act_in(&mut tx, caller, id, step, version, report).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`act`] inside an open transaction.
pub async fn act_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    step: Step,
    version: Option<i64>,
    report: Option<&str>,
) -> Result<Deliberation, StoreError> {
    let (d, part) = load_visible(tx, caller, id).await?;
    let report = match report.map(str::trim) {
        Some(r) if r.chars().count() > 50_000 => {
            return Err(StoreError::invalid("report", "too_long"));
        }
        Some(r) if !r.is_empty() => Some(r.to_string()),
        _ => None,
    };
    let facts = Facts {
        closes_ahead: d.closes_at > crate::clock::now(),
        has_report: report.is_some(),
    };
    let to = rules::transition(d.state(), step, part, &facts)
        .map_err(|r| StoreError::refused(r, State::as_str))?;
    if version.is_some_and(|v| v != d.version) {
        return Err(StoreError::stale(d.version));
    }
    crate::versions::bump(tx, crate::versions::Versioned::Deliberations, id, d.version).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE deliberations SET state = $1, report = COALESCE($2, report) WHERE id = $3"
    )
    .bind(to.as_str())
    .bind(&report)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    notify_of_step(tx, &d, to).await?;
    log(
        tx,
        caller,
        &d,
        "deliberation.step",
        json!({"step": step.as_str(), "from": d.state, "to": to.as_str()}),
    )
    .await?;
    load(tx, id).await
}

/// Tells those concerned of a step, in its transaction: an opened
/// deliberation to the committee's members (whatever its audience, the
/// members are its first voices), a published report to everyone with an
/// account who took part.
async fn notify_of_step(tx: &mut Tx, d: &Deliberation, to: State) -> Result<(), StoreError> {
    let (kind, users): (&str, Vec<i64>) = match to {
        State::Open => (
            "deliberation.opened",
            on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT DISTINCT g.user_id FROM grants g JOIN users u ON u.id = g.user_id
                 WHERE g.committee_id = $1 AND g.role = 'member' AND u.disabled = $2
                 ORDER BY g.user_id"
            )
            .bind(d.committee_id)
            .bind(false)
            .fetch_all(c)
            .await?),
        ),
        State::Reported => (
            "deliberation.reported",
            on_tx!(tx, |c| {
                sqlx::query_scalar(
                "SELECT DISTINCT p.user_id FROM deliberation_participants p JOIN users u ON u.id = p.user_id
                 WHERE p.deliberation_id = $1 AND u.disabled = $2
                 ORDER BY p.user_id"
            )
            .bind(d.id)
            .bind(false)
            .fetch_all(c)
            .await?
            }),
        ),
        _ => return Ok(()),
    };
    for user in users {
        crate::notifications::notify_in(tx, user, kind, ("deliberation", d.id), &d.title).await?;
    }
    Ok(())
}

/// The participant row of the caller, made when `create` (their first
/// statement or vote), and whether it was made just now: the caller then
/// counts them with [`count_newcomer`] as its last write before the audit
/// entry. An anonymous visitor without a key is refused; a new anonymous
/// participant counts against their address's hourly limit.
async fn participant(
    tx: &mut Tx,
    voice: Voice<'_>,
    d: &Deliberation,
    create: bool,
) -> Result<Option<(i64, bool)>, StoreError> {
    let caller = voice.caller;
    let (uid, key) = identity(voice).ok_or(StoreError::Forbidden)?;
    let found = find_participant(tx, d.id, uid, key).await?;
    if found.is_some() || !create {
        return Ok(found.map(|id| (id, false)));
    }
    let now = crate::clock::now();
    let ip = caller.ip.as_deref().unwrap_or("");
    if caller.is_anonymous() {
        let recent: i64 = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliberation_participants WHERE ip = $1 AND user_id IS NULL AND created_at > $2"
        )
        .bind(ip)
        .bind(now - HOUR)
        .fetch_one(c)
        .await?
        });
        if recent >= rules::ANONYMOUS_PER_HOUR {
            return Err(StoreError::Throttled(3600));
        }
    }
    // Two first votes at once: one row wins, both use it.
    let added: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO deliberation_participants (deliberation_id, user_id, anon_key, ip, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id"
    )
    .bind(d.id)
    .bind(uid)
    .bind(key)
    .bind(ip)
    .bind(now)
    .fetch_optional(c)
    .await?
    });
    match added {
        Some(id) => Ok(Some((id, true))),
        None => Ok(find_participant(tx, d.id, uid, key)
            .await?
            .map(|id| (id, false))),
    }
}

/// Counts a participant made in this transaction in the deliberation's
/// number of participants. On PostgreSQL this locks the deliberation's row
/// until the commit, and every newcomer's first vote or statement needs it:
/// done last before the audit entry (which all writes wait for anyway), the
/// row is held for that entry and the commit alone, and rows are still
/// locked in the order other writes take them (the record, then the audit).
async fn count_newcomer(tx: &mut Tx, d: &Deliberation, new: bool) -> Result<(), StoreError> {
    if new {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE deliberations SET participants = participants + 1 WHERE id = $1"
        )
        .bind(d.id)
        .execute(c)
        .await?
        .rows_affected());
    }
    Ok(())
}

/// Who speaks: an account by its id, an anonymous visitor by their cookie's
/// key; none for an anonymous visitor without one.
fn identity<'a>(voice: Voice<'a>) -> Option<(Option<i64>, Option<&'a str>)> {
    if voice.caller.is_anonymous() {
        voice
            .anon_key
            .filter(|k| !k.is_empty())
            .map(|k| (None, Some(k)))
    } else {
        Some((Some(voice.caller.actor.user_id), None))
    }
}

async fn find_participant(
    tx: &mut Tx,
    deliberation_id: i64,
    uid: Option<i64>,
    key: Option<&str>,
) -> Result<Option<i64>, StoreError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT id FROM deliberation_participants WHERE deliberation_id = $1 AND (user_id = $2 OR anon_key = $3)"
    )
    .bind(deliberation_id)
    .bind(uid)
    .bind(key)
    .fetch_optional(c)
    .await?
    }))
}

/// The caller's own place in a deliberation's latest results: their
/// opinion group and their point on the map. None when they have not voted
/// in it. `d` is the deliberation as [`get`] gave it to this caller.
pub async fn place_of(
    db: &Db,
    voice: Voice<'_>,
    d: &Deliberation,
) -> Result<Option<crate::deliberation_results::Yours>, StoreError> {
    let Some((uid, key)) = identity(voice) else {
        return Ok(None);
    };
    let mut tx = db.begin_read().await?;
    let Some(pid) = find_participant(&mut tx, d.id, uid, key).await? else {
        return Ok(None);
    };
    // Only a voter has a place: one who only wrote statements (as staff
    // who seed a deliberation do) is not among the results' participants.
    let (group, x, y, voted): (Option<i64>, Option<f64>, Option<f64>, i64) = on_tx!(&mut tx, |c| {
        sqlx::query_as(
                "SELECT opinion_group, map_x, map_y,
                    (SELECT COUNT(*) FROM (SELECT 1 FROM deliberation_votes v WHERE v.participant_id = p.id LIMIT 1) AS one)
                 FROM deliberation_participants p WHERE id = $1",
            )
            .bind(pid)
            .fetch_one(c)
            .await?
    });
    tx.commit().await?;
    Ok((voted > 0).then_some(crate::deliberation_results::Yours { group, x, y }))
}

fn not_now(code: &'static str) -> StoreError {
    StoreError::Conflict {
        code,
        current: None,
    }
}

/// A participant adds a statement. Staff's own are accepted at once;
/// others wait for moderation (and, under post-moderation, are put to vote
/// meanwhile). The same text twice is refused.
pub async fn add_statement(
    db: &Db,
    voice: Voice<'_>,
    id: i64,
    body: &str,
) -> Result<Statement, StoreError> {
    let mut tx = db.begin().await?;
    let out = add_statement_in(&mut tx, voice, id, body).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`add_statement`] inside an open transaction.
pub async fn add_statement_in(
    tx: &mut Tx,
    voice: Voice<'_>,
    id: i64,
    body: &str,
) -> Result<Statement, StoreError> {
    let body = rules::check_statement(body).map_err(|code| StoreError::invalid("body", code))?;
    let (d, part) = load_visible(tx, voice.caller, id).await?;
    d.participation().map_err(not_now)?;
    let staff = part == Part::Staff;
    let (pid, newcomer) = participant(tx, voice, &d, true)
        .await?
        .ok_or(StoreError::Forbidden)?;
    let now = crate::clock::now();
    if !staff {
        let recent: i64 = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliberation_statements WHERE participant_id = $1 AND created_at > $2"
        )
        .bind(pid)
        .bind(now - HOUR)
        .fetch_one(c)
        .await?
        });
        if recent >= rules::STATEMENTS_PER_HOUR {
            return Err(StoreError::Throttled(3600));
        }
    }
    let same: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliberation_statements WHERE deliberation_id = $1 AND body = $2"
    )
    .bind(d.id)
    .bind(&body)
    .fetch_one(c)
    .await?);
    if same > 0 {
        return Err(StoreError::Conflict {
            code: "duplicate_statement",
            current: None,
        });
    }
    let status = rules::initial_status(d.moderation(), staff);
    let sid: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO deliberation_statements (deliberation_id, participant_id, body, status, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(d.id)
    .bind(pid)
    .bind(&body)
    .bind(status.as_str())
    .bind(now)
    .fetch_one(c)
    .await?
    });
    count_newcomer(tx, &d, newcomer).await?;
    log(
        tx,
        voice.caller,
        &d,
        "deliberation.statement",
        json!({"statement_id": sid, "status": status.as_str(), "participant_id": pid}),
    )
    .await?;
    Ok(Statement {
        id: sid,
        body,
        status: status.as_str().into(),
        created_at: now,
        agree: 0,
        disagree: 0,
        pass: 0,
        author: None,
        participant_id: pid,
    })
}

/// Staff accept or reject a statement, before the report is published.
pub async fn moderate(
    db: &Db,
    caller: &Caller,
    id: i64,
    statement_id: i64,
    decision: StatementStatus,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    moderate_in(&mut tx, caller, id, statement_id, decision).await?;
    tx.commit().await?;
    Ok(())
}

/// [`moderate`] inside an open transaction.
pub async fn moderate_in(
    tx: &mut Tx,
    caller: &Caller,
    id: i64,
    statement_id: i64,
    decision: StatementStatus,
) -> Result<(), StoreError> {
    if decision == StatementStatus::Pending {
        return Err(StoreError::invalid("decision", "invalid_choice"));
    }
    let (d, part) = load_visible(tx, caller, id).await?;
    if part != Part::Staff {
        return Err(StoreError::Forbidden);
    }
    if d.state() == State::Reported {
        return Err(not_now("report_published"));
    }
    let from: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT status FROM deliberation_statements WHERE id = $1 AND deliberation_id = $2"
    )
    .bind(statement_id)
    .bind(d.id)
    .fetch_optional(c)
    .await?);
    let from = from.ok_or(StoreError::NotFound)?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE deliberation_statements SET status = $1, moderated_by = $2, moderated_at = $3 WHERE id = $4"
    )
    .bind(decision.as_str())
    .bind(caller.actor_id())
    .bind(crate::clock::now())
    .bind(statement_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    log(
        tx,
        caller,
        &d,
        "deliberation.moderate",
        json!({"statement_id": statement_id, "from": from, "to": decision.as_str()}),
    )
    .await
}

/// A participant votes on a statement; a later vote replaces an earlier one.
/// Answers the caller's progress with the next statement to vote on.
pub async fn vote(
    db: &Db,
    voice: Voice<'_>,
    id: i64,
    statement_id: i64,
    v: Vote,
) -> Result<Progress, StoreError> {
    let mut tx = db.begin().await?;
    let (pid, d) = vote_and_deliberation(&mut tx, voice, id, statement_id, v).await?;
    tx.commit().await?;
    // The next statement is read once the vote is written, outside the
    // write transaction: votes wait on each other for the writing alone.
    let mut tx = db.begin_read().await?;
    let out = progress_in(&mut tx, &d, Some(pid), order_of(voice, &d)).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`vote`] inside an open transaction; answers the participant's id.
pub async fn vote_in(
    tx: &mut Tx,
    voice: Voice<'_>,
    id: i64,
    statement_id: i64,
    v: Vote,
) -> Result<i64, StoreError> {
    Ok(vote_and_deliberation(tx, voice, id, statement_id, v)
        .await?
        .0)
}

/// [`vote_in`], answering also the deliberation as it was read for the vote.
async fn vote_and_deliberation(
    tx: &mut Tx,
    voice: Voice<'_>,
    id: i64,
    statement_id: i64,
    v: Vote,
) -> Result<(i64, Deliberation), StoreError> {
    let (d, _) = load_visible(tx, voice.caller, id).await?;
    d.participation().map_err(not_now)?;
    let status: Option<(String, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT status, participant_id FROM deliberation_statements WHERE id = $1 AND deliberation_id = $2"
    )
    .bind(statement_id)
    .bind(d.id)
    .fetch_optional(c)
    .await?
    });
    let (status, _) = status.ok_or(StoreError::NotFound)?;
    let status = StatementStatus::parse(&status).unwrap_or(StatementStatus::Rejected);
    if !rules::votable(status, d.moderation()) {
        return Err(StoreError::Conflict {
            code: if status == StatementStatus::Rejected {
                "statement_rejected"
            } else {
                "statement_pending"
            },
            current: Some(status.as_str().into()),
        });
    }
    let (pid, newcomer) = participant(tx, voice, &d, true)
        .await?
        .ok_or(StoreError::Forbidden)?;
    // One vote of a participant at a time (a row lock on PostgreSQL; SQLite
    // writes one at a time anyway): their earlier vote, read below, is then
    // still theirs when the statement's tallies move from it to the new one.
    on_tx!(tx, |c| sqlx::query(
        "UPDATE deliberation_participants SET id = id WHERE id = $1"
    )
    .bind(pid)
    .execute(c)
    .await?
    .rows_affected());
    let now = crate::clock::now();
    let recent: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliberation_votes WHERE participant_id = $1 AND voted_at > $2"
    )
    .bind(pid)
    .bind(now - MINUTE)
    .fetch_one(c)
    .await?);
    if recent >= rules::VOTES_PER_MINUTE {
        return Err(StoreError::Throttled(60));
    }
    let earlier: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT value FROM deliberation_votes WHERE statement_id = $1 AND participant_id = $2"
    )
    .bind(statement_id)
    .bind(pid)
    .fetch_optional(c)
    .await?);
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO deliberation_votes (statement_id, participant_id, deliberation_id, value, voted_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (statement_id, participant_id) DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at"
    )
    .bind(statement_id)
    .bind(pid)
    .bind(d.id)
    .bind(v.value())
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    // The statement's tallies: the new vote counted, the one it replaces not.
    let column = |value: i64| match value {
        1 => "agrees",
        -1 => "disagrees",
        _ => "passes",
    };
    let new = column(v.value());
    let tally = match earlier.map(column) {
        Some(old) if old == new => None,
        Some(old) => Some(format!(
            "UPDATE deliberation_statements SET {new} = {new} + 1, {old} = {old} - 1 WHERE id = $1"
        )),
        None => Some(format!(
            "UPDATE deliberation_statements SET {new} = {new} + 1 WHERE id = $1"
        )),
    };
    if let Some(sql) = tally {
        on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(statement_id)
            .execute(c)
            .await?
            .rows_affected());
    }
    count_newcomer(tx, &d, newcomer).await?;
    log(
        tx,
        voice.caller,
        &d,
        "deliberation.vote",
        json!({"statement_id": statement_id, "vote": v.as_str(), "participant_id": pid}),
    )
    .await?;
    Ok((pid, d))
}

/// The caller's progress: the next statement for them and how far they are.
pub async fn progress(db: &Db, voice: Voice<'_>, id: i64) -> Result<Progress, StoreError> {
    let mut tx = db.begin_read().await?;
    let (d, _) = load_visible(&mut tx, voice.caller, id).await?;
    let pid = if voice.caller.is_anonymous() && voice.anon_key.is_none() {
        None
    } else {
        participant(&mut tx, voice, &d, false)
            .await?
            .map(|(id, _)| id)
    };
    let out = progress_in(&mut tx, &d, pid, order_of(voice, &d)).await?;
    tx.commit().await?;
    Ok(out)
}

/// What orders the statements put to a voice, between 0 and [`ORDER_PRIME`]:
/// drawn from the deliberation and their account, or the key their cookie
/// carries, so that it stays the same from their first vote to their last
/// and differs between deliberations. A visitor with no cookie yet (before
/// their first vote) gets a random one: otherwise every newcomer would be
/// put the same statement first.
fn order_of(voice: Voice<'_>, d: &Deliberation) -> i64 {
    let who = match identity(voice) {
        Some((Some(uid), _)) => format!("{}:user:{uid}", d.id),
        Some((None, Some(key))) => format!("{}:key:{key}", d.id),
        _ => crate::ids::new_token().unwrap_or_default(),
    };
    let hash = crate::ids::sha256_hex(&who);
    i64::from_str_radix(hash.get(..12).unwrap_or("0"), 16).unwrap_or(0) % ORDER_PRIME
}

/// The modulus of the statement order (a prime).
const ORDER_PRIME: i64 = 1_000_003;

/// The statements put to vote under the deliberation's moderation.
fn votable_sql(d: &Deliberation) -> &'static str {
    match d.moderation() {
        Moderation::Pre => "s.status = 'accepted'",
        Moderation::Post => "s.status <> 'rejected'",
    }
}

async fn progress_in(
    tx: &mut Tx,
    d: &Deliberation,
    pid: Option<i64>,
    order: i64,
) -> Result<Progress, StoreError> {
    let (voted, total) = voted_of_total(tx, d, pid).await?;
    let pid = pid.unwrap_or(0);
    let votable = votable_sql(d);
    // Each participant meets the statements in an order of their own, so
    // that early statements do not gather all the votes and late ones none,
    // and each statement is voted on beside every other by someone (which
    // the opinion map needs). The key is a quadratic in the statement's id
    // modulo a prime, its coefficients set by `order` (see `order_of`): a
    // linear one would put everyone through one cycle, only started at
    // different places.
    let next_sql = format!(
        "SELECT s.id, s.body, s.status, s.created_at, CAST(0 AS BIGINT) AS agree, CAST(0 AS BIGINT) AS disagree, CAST(0 AS BIGINT) AS pass, CAST(NULL AS TEXT) AS author, s.participant_id
         FROM deliberation_statements s
         WHERE s.deliberation_id = $1 AND {votable} AND s.participant_id <> $2
           AND NOT EXISTS (SELECT 1 FROM deliberation_votes v WHERE v.statement_id = s.id AND v.participant_id = $2)
         ORDER BY ((s.id % {p}) * 7919 + $3) % {p} * (((s.id % {p}) * 104729 + $3 * 31 + 1) % {p}) % {p}, s.id
         LIMIT 1",
        p = ORDER_PRIME
    );
    let next: Option<Statement> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        next_sql.clone()
    ))
    .bind(d.id)
    .bind(pid)
    .bind(order)
    .fetch_optional(c)
    .await?);
    Ok(Progress { next, voted, total })
}

/// How many statements put to vote the participant has voted on, of those
/// they did not write: (voted, total).
async fn voted_of_total(
    tx: &mut Tx,
    d: &Deliberation,
    pid: Option<i64>,
) -> Result<(i64, i64), StoreError> {
    let pid = pid.unwrap_or(0);
    let votable = votable_sql(d);
    let counts = format!(
        "SELECT
           (SELECT COUNT(*) FROM deliberation_statements s WHERE s.deliberation_id = $1 AND {votable} AND s.participant_id <> $2),
           (SELECT COUNT(*) FROM deliberation_votes v JOIN deliberation_statements s ON s.id = v.statement_id
              WHERE v.participant_id = $2 AND s.deliberation_id = $1 AND {votable} AND s.participant_id <> $2)"
    );
    let (total, voted): (i64, i64) =
        on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(counts.clone()))
            .bind(d.id)
            .bind(pid)
            .fetch_one(c)
            .await?);
    Ok((voted, total))
}

/// The statements with their tallies. Participants see those put to vote;
/// staff see every one (or those of `status`) with their authors.
pub async fn statements(
    db: &Db,
    caller: &Caller,
    id: i64,
    status: Option<StatementStatus>,
) -> Result<Vec<Statement>, StoreError> {
    let mut tx = db.begin_read().await?;
    let (d, part) = load_visible(&mut tx, caller, id).await?;
    let staff = part == Part::Staff;
    let filter = match (staff, status) {
        (true, Some(_)) => "s.status = $2",
        (true, None) => "$2 = $2",
        (false, _) => votable_sql(&d),
    };
    let sql = format!(
        "SELECT s.id, s.body, s.status, s.created_at,
           s.agrees AS agree, s.disagrees AS disagree, s.passes AS pass,
           COALESCE(u.display_name, '#' || CAST(p.id AS TEXT)) AS author, s.participant_id
         FROM deliberation_statements s
         JOIN deliberation_participants p ON p.id = s.participant_id
         LEFT JOIN users u ON u.id = p.user_id
         WHERE s.deliberation_id = $1 AND {filter}
         ORDER BY s.id"
    );
    let mut rows: Vec<Statement> = on_tx!(&mut tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(d.id)
    .bind(status.map_or("", |s| s.as_str()))
    .fetch_all(c)
    .await?);
    tx.commit().await?;
    if !staff {
        for r in &mut rows {
            r.author = None;
        }
    }
    Ok(rows)
}

/// The deliberation's participants' ids, in order: a participant's number
/// in the openData export is their place here.
async fn participant_ids(tx: &mut Tx, deliberation_id: i64) -> Result<Vec<i64>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM deliberation_participants WHERE deliberation_id = $1 ORDER BY id"
    )
    .bind(deliberation_id)
    .fetch_all(c)
    .await?))
}

/// Every statement as a row of the Pol.is openData `comments.csv`, with
/// participants and statements numbered from 0 in the deliberation. The
/// agrees and disagrees are the kept tallies, so no vote is read.
pub async fn comments_export(
    db: &Db,
    caller: &Caller,
    id: i64,
) -> Result<Vec<consensus::opendata::CommentRow>, StoreError> {
    use consensus::opendata::CommentRow;
    let mut tx = db.begin_read().await?;
    let (d, _) = load_visible(&mut tx, caller, id).await?;
    let people = participant_ids(&mut tx, d.id).await?;
    type Row = (i64, String, String, i64, i64, i64);
    let said: Vec<Row> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT participant_id, body, status, created_at, agrees, disagrees FROM deliberation_statements WHERE deliberation_id = $1 ORDER BY id"
    )
    .bind(d.id)
    .fetch_all(c)
    .await?
    });
    tx.commit().await?;
    let person = |p: i64| people.binary_search(&p).unwrap_or(0);
    Ok(said
        .into_iter()
        .enumerate()
        .map(|(i, (p, body, status, at, agrees, disagrees))| CommentRow {
            timestamp_ms: at / 1000,
            comment: i,
            author: person(p),
            agrees: u32::try_from(agrees).unwrap_or(u32::MAX),
            disagrees: u32::try_from(disagrees).unwrap_or(u32::MAX),
            moderated: match StatementStatus::parse(&status) {
                Some(StatementStatus::Accepted) => 1,
                Some(StatementStatus::Rejected) => -1,
                _ => 0,
            },
            body,
        })
        .collect())
}

/// A download of every vote as the Pol.is openData `votes.csv` has them,
/// read a part at a time so that a deliberation of millions of votes is
/// neither held in memory nor read in one long transaction.
///
/// Parts follow each other in the order votes were cast (their time, then
/// statement and participant), each a short read after the last one's key.
/// Votes cast while the download runs are not lost: a re-vote moves its
/// row to its new time, ahead of the reader, so the file may hold a pair
/// twice, old vote first; the openData format allows that (the latest vote
/// by timestamp counts). Statements and participants that appear after the
/// download began are left out, as their numbers were not yet given.
pub struct VoteExport {
    deliberation_id: i64,
    people: Vec<i64>,
    statements: Vec<i64>,
    /// The key of the last vote read: (voted_at, statement, participant).
    after: Option<(i64, i64, i64)>,
    done: bool,
}

/// Starts a download of a deliberation's votes, for a caller who may see it.
pub async fn votes_export(db: &Db, caller: &Caller, id: i64) -> Result<VoteExport, StoreError> {
    let mut tx = db.begin_read().await?;
    let (d, _) = load_visible(&mut tx, caller, id).await?;
    let people = participant_ids(&mut tx, d.id).await?;
    let statements: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT id FROM deliberation_statements WHERE deliberation_id = $1 ORDER BY id"
    )
    .bind(d.id)
    .fetch_all(c)
    .await?);
    tx.commit().await?;
    Ok(VoteExport {
        deliberation_id: d.id,
        people,
        statements,
        after: None,
        done: false,
    })
}

impl VoteExport {
    /// Whether every vote has been read.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next votes, at most `limit` of them; none once all are read.
    pub async fn next_rows(
        &mut self,
        db: &Db,
        limit: i64,
    ) -> Result<Vec<consensus::opendata::VoteRow>, StoreError> {
        use consensus::opendata::VoteRow;
        if self.done {
            return Ok(Vec::new());
        }
        let (at, sid, pid) = self.after.unwrap_or((i64::MIN, i64::MIN, i64::MIN));
        let last_person = self.people.last().copied().unwrap_or(0);
        let last_statement = self.statements.last().copied().unwrap_or(0);
        // `voted_at >= $2` alone lets the index on (deliberation, voted_at)
        // start the scan at the key; the rest picks up after it.
        let rows: Vec<(i64, i64, i64, i64)> = on_db!(db, |c| {
            sqlx::query_as(
            "SELECT voted_at, statement_id, participant_id, value FROM deliberation_votes
             WHERE deliberation_id = $1 AND voted_at >= $2
               AND (voted_at > $2 OR statement_id > $3 OR (statement_id = $3 AND participant_id > $4))
               AND participant_id <= $5 AND statement_id <= $6
             ORDER BY voted_at, statement_id, participant_id LIMIT $7"
        )
        .bind(self.deliberation_id)
        .bind(at)
        .bind(sid)
        .bind(pid)
        .bind(last_person)
        .bind(last_statement)
        .bind(limit)
        .fetch_all(c)
        .await?
        });
        self.done = (rows.len() as i64) < limit;
        if let Some(&(at, s, p, _)) = rows.last() {
            self.after = Some((at, s, p));
        }
        Ok(rows
            .into_iter()
            .filter_map(|(at, s, p, v)| {
                Some(VoteRow {
                    timestamp_ms: at / 1000,
                    comment: self.statements.binary_search(&s).ok()?,
                    voter: self.people.binary_search(&p).ok()?,
                    vote: v as i8,
                })
            })
            .collect())
    }
}

/// How many open deliberations are past their closing time (a read, for the
/// background job to decide whether it has work).
pub async fn due_to_close(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliberations WHERE state = 'open' AND closes_at <= $1"
    )
    .bind(crate::clock::now())
    .fetch_one(c)
    .await?))
}

/// The key that signs anonymous participants' cookies, made once and shared
/// by every server of the database.
pub async fn signing_key(db: &Db) -> Result<String, StoreError> {
    const NAME: &str = "deliberation-participants";
    let found: Option<String> = on_db!(db, |c| sqlx::query_scalar(
        "SELECT secret FROM signing_keys WHERE name = $1"
    )
    .bind(NAME)
    .fetch_optional(c)
    .await?);
    if let Some(k) = found {
        return Ok(k);
    }
    let mut tx = db.begin().await?;
    let fresh = crate::ids::new_token()?;
    on_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO signing_keys (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(NAME)
    .bind(&fresh)
    .bind(crate::clock::now())
    .execute(c)
    .await?
    .rows_affected()
    });
    // Another server may have made it first: theirs is the one.
    let k: String = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT secret FROM signing_keys WHERE name = $1"
    )
    .bind(NAME)
    .fetch_one(c)
    .await?);
    tx.commit().await?;
    Ok(k)
}
