//! The engine's results for each deliberation, computed in the background
//! (never on a request's path): the opinion map, the groups with their
//! representative statements, and the statements all groups share. A
//! deliberation's results are recomputed when its fingerprint (how many
//! votes and statements it has, and when the last of them or of the
//! moderation decisions came, and whether it is still open) differs from the
//! one they were computed from. While it is open they are mostly updates of
//! the last results; once it closes they are computed once more from
//! scratch, so that the final results follow from its votes alone.
//! The same job closes deliberations whose closing time has passed.
//!
//! Between runs the job keeps, for each open deliberation, its votes and
//! the participants' places it stored ([`Kept`]): an update reads only the
//! votes cast since (see [`crate::deliberation_ballots`]) and writes only
//! the places that changed, so that its cost follows what changed, not the
//! size of the deliberation.
//!
//! While a deliberation is open its groups keep their numbers from one
//! computation to the next (see `numbering`): a participant is not told
//! they moved from group 1 to group 2 because another group grew. Its final
//! results, computed once it closes, number the groups by size as the
//! engine does, so that they follow from the votes alone.

use crate::Caller;
use crate::db::{Db, Tx, on_db, on_tx};
use crate::deliberation_ballots::{self as ballots, Ballots};
use crate::error::StoreError;
use consensus::{Votes, VotesBuilder};
use domain::deliberations::{Grouping, Step};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most participants drawn on the opinion map (an even sample above it).
pub const MAP_POINTS: usize = 2_000;
/// A group or the whole agrees (or disagrees) with a shared statement at
/// least this much: the geometric mean over groups of the share, with
/// Pol.is's pseudocounts, `GIC^(1/k)`.
pub const SHARED_AT_LEAST: f64 = 0.6;
/// Fewer clustered participants than this give no groups.
const MIN_CLUSTERED: usize = 6;

/// A deliberation's results.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Results {
    /// When they were computed (RFC 3339).
    pub computed_at: String,
    pub participants: usize,
    /// Participants with enough votes to be placed in a group.
    pub clustered: usize,
    pub votes: usize,
    pub statements: usize,
    pub groups: Vec<Group>,
    /// Statements every group agrees (or disagrees) with, strongest first.
    pub consensus: Vec<Shared>,
    /// Participants on the opinion map (at most [`MAP_POINTS`]).
    pub points: Vec<Point>,
    /// The map's scale: points are participants' places divided by it (the
    /// farthest participant's distance on either axis), so that they lie
    /// between −1 and 1. Zero in results kept before it was recorded.
    #[serde(default)]
    pub scale: f64,
    /// How each group voted on each statement put to vote, in the order
    /// statements were made (none while there are no groups). Results
    /// kept before it existed read with it empty.
    #[serde(default)]
    pub by_group: Vec<StatementByGroup>,
    /// The final results: computed from scratch from every vote once the
    /// deliberation closed, so that they follow from its votes alone (the
    /// exported `votes.csv` and `comments.csv` analysed again give them).
    /// While it is open, results may be an update of earlier ones.
    #[serde(default, rename = "final")]
    pub is_final: bool,
    /// The reader's own place, when they took part: given to each reader
    /// as they read, never stored with the results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yours: Option<Yours>,
}

/// A participant's own place in the results.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Yours {
    /// Their opinion group's number; none while they are not placed in one
    /// (too few votes, or votes cast after these results were computed).
    pub group: Option<i64>,
    /// Their point on the opinion map, in the scale of `points`; none
    /// before results that include them.
    pub x: Option<f64>,
    pub y: Option<f64>,
}

impl Yours {
    /// A place as stored (the engine's own coordinates) in the scale of
    /// the results' map.
    pub fn on_map(self, scale: f64) -> Yours {
        let on = |v: Option<f64>| v.filter(|_| scale > 0.0).map(|v| v / scale);
        Yours {
            group: self.group,
            x: on(self.x),
            y: on(self.y),
        }
    }
}

impl Results {
    /// How each group voted, by statement id.
    pub fn group_votes(&self) -> HashMap<i64, &[GroupVotes]> {
        self.by_group
            .iter()
            .map(|b| (b.statement_id, b.groups.as_slice()))
            .collect()
    }
}

/// How each opinion group voted on one statement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct StatementByGroup {
    pub statement_id: i64,
    /// One per group, in the groups' order.
    pub groups: Vec<GroupVotes>,
}

/// One group's votes on a statement.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct GroupVotes {
    /// The group's number.
    pub group: usize,
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
}

/// An opinion group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Group {
    /// 1, 2, …: groups are numbered by size, largest first.
    pub number: usize,
    pub size: usize,
    pub represent: Vec<Represent>,
}

/// A statement that sets a group apart.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Represent {
    pub statement_id: i64,
    pub body: String,
    /// `agree` or `disagree`: how the group differs from the rest.
    pub direction: String,
    /// The group's share voting that way, in whole percent.
    pub percent: u32,
    /// The group's votes on it.
    pub votes: u32,
}

/// A statement the groups share.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Shared {
    pub statement_id: i64,
    pub body: String,
    /// `agree` or `disagree`.
    pub direction: String,
    /// `GIC^(1/k)` in whole percent.
    pub percent: u32,
}

/// A participant on the map, scaled into [-1, 1].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Point {
    pub x: f32,
    pub y: f32,
    /// The group's number, none when not clustered.
    pub group: Option<usize>,
}

/// The statements and votes of a deliberation as the engine needs them.
pub struct Input {
    /// (id, body, rejected)
    pub statements: Vec<(i64, String, bool)>,
    /// Every vote, by participant.
    pub votes: Ballots,
    /// How the groups are drawn.
    pub grouping: Grouping,
    /// The deliberation no longer takes votes: the results are computed
    /// from scratch, never updated from earlier ones.
    pub closed: bool,
    /// The group each participant was shown in by the last results:
    /// (participant id, group number), by participant id. While the
    /// deliberation is open the groups keep these numbers (see [`numbering`]).
    pub shown: Vec<(i64, i64)>,
}

/// What the next computation of a deliberation starts from: the engine's
/// warm state, and how many took part and voted at the last full run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Warm {
    components: [Vec<f64>; 2],
    base: Vec<[f64; 2]>,
    groups: Vec<[f64; 2]>,
    /// Participants at the last analysis from scratch.
    full_at: usize,
    /// Votes at the last analysis from scratch: the same people voting on
    /// new statements can regroup them as much as newcomers can. A state
    /// kept before this was counted reads 0, so its next run is from scratch.
    #[serde(default)]
    full_votes: usize,
    /// Whether the groups were drawn from the votes; a change of the
    /// deliberation's grouping means an analysis from scratch.
    #[serde(default)]
    by_votes: bool,
    /// Drawn from the votes: each group's members and, per statement, its
    /// agrees, disagrees and votes, which the next update starts from.
    #[serde(default)]
    profiles: Vec<(usize, Vec<[u32; 3]>)>,
}

/// A conversation whose participants or votes grew by more than this share
/// since its last full analysis is analysed from scratch again (so that the number of groups
/// can change); below it, results are updated from the last ones.
pub const REGROW: f64 = 0.1;

/// Runs the engine on a deliberation's votes: an update from `warm` while
/// the deliberation is open and has not grown by more than [`REGROW`]
/// since the last full analysis, else a full analysis. Answers the results
/// and what the next computation starts from.
pub fn compute(input: &Input, now: i64, warm: Option<&Warm>) -> (Results, Warm, Vec<Placement>) {
    let col: HashMap<i64, usize> = input
        .statements
        .iter()
        .enumerate()
        .map(|(i, s)| (s.0, i))
        .collect();
    // The engine's rows are the participants in id order.
    let mut people: Vec<i64> = Vec::with_capacity(input.votes.participants());
    let mut b = VotesBuilder::new(input.votes.participants(), input.statements.len());
    b.reserve(input.votes.votes());
    for (r, (p, votes)) in input.votes.people().enumerate() {
        people.push(p);
        for (s, v) in votes {
            if let Some(&c) = col.get(&s) {
                b.vote(r, c, v);
            }
        }
    }
    for (i, s) in input.statements.iter().enumerate() {
        if s.2 {
            b.moderate_out(i);
        }
    }
    let votes: Votes = b.build();
    let mut out = Results {
        computed_at: crate::clock::rfc3339(now),
        participants: people.len(),
        votes: votes.len(),
        statements: input.statements.iter().filter(|s| !s.2).count(),
        is_final: input.closed,
        ..Results::default()
    };
    if people.is_empty() || input.statements.is_empty() {
        return (out, Warm::default(), Vec::new());
    }
    let clustered = votes.clustered();
    let by_votes = input.grouping == Grouping::Votes;
    let engine_grouping = if by_votes {
        consensus::Grouping::Votes
    } else {
        consensus::Grouping::Map
    };
    // An update's groups depend on when the earlier runs happened; the
    // final results must not.
    let earlier = warm.filter(|w| {
        !input.closed
            && w.full_at > 0
            && w.by_votes == by_votes
            && (people.len() as f64) <= w.full_at as f64 * (1.0 + REGROW)
            && (votes.len() as f64) <= w.full_votes as f64 * (1.0 + REGROW)
    });
    let a = match earlier {
        Some(w) => consensus::update_by(
            &votes,
            &consensus::Warm {
                components: w.components.clone(),
                centres: consensus::Centres {
                    base: w.base.clone(),
                    groups: w.groups.clone(),
                },
                profiles: w
                    .profiles
                    .iter()
                    .map(|(members, tallies)| consensus::Profile {
                        members: *members,
                        tallies: tallies.clone(),
                    })
                    .collect(),
            },
            engine_grouping,
        ),
        None => consensus::analyze_by(&votes, engine_grouping),
    };
    let next = Warm {
        components: a.warm.components.clone(),
        base: a.warm.centres.base.clone(),
        groups: a.warm.centres.groups.clone(),
        full_at: earlier.map_or(people.len(), |w| w.full_at),
        full_votes: earlier.map_or(votes.len(), |w| w.full_votes),
        by_votes,
        profiles: a
            .warm
            .profiles
            .iter()
            .map(|p| (p.members, p.tallies.clone()))
            .collect(),
    };
    // The number each of the engine's groups is shown under, less one.
    let perm = if input.closed || input.shown.is_empty() {
        (0..a.k).collect()
    } else {
        numbering(&a.groups, &people, a.k, &input.shown)
    };
    let number = |g: usize| perm.get(g).copied().unwrap_or(g) + 1;
    let body = |c: usize| input.statements[c].1.clone();
    let id = |c: usize| input.statements[c].0;
    if clustered.len() >= MIN_CLUSTERED && a.k >= 2 {
        out.clustered = clustered.len();
        let mut sizes = vec![0usize; a.k];
        for g in a.groups.iter().flatten() {
            sizes[*g] += 1;
        }
        out.groups = a
            .repness
            .iter()
            .enumerate()
            .map(|(g, reps)| Group {
                number: number(g),
                size: sizes[g],
                represent: reps
                    .iter()
                    .map(|r| {
                        let n = if r.agree { r.n_agree } else { r.n_disagree };
                        Represent {
                            statement_id: id(r.statement),
                            body: body(r.statement),
                            direction: if r.agree { "agree" } else { "disagree" }.into(),
                            percent: (n * 100).checked_div(r.n_votes).unwrap_or(0),
                            votes: r.n_votes,
                        }
                    })
                    .collect(),
            })
            .collect();
        out.groups.sort_by_key(|g| g.number);
        let root = 1.0 / a.k as f64;
        let mut shared: Vec<Shared> = a
            .consensus
            .iter()
            .filter_map(|c| {
                let (agree, disagree) = (c.agree.powf(root), c.disagree.powf(root));
                let (direction, p) = if agree >= disagree {
                    ("agree", agree)
                } else {
                    ("disagree", disagree)
                };
                (p >= SHARED_AT_LEAST).then(|| Shared {
                    statement_id: id(c.statement),
                    body: body(c.statement),
                    direction: direction.into(),
                    percent: (p * 100.0).round() as u32,
                })
            })
            .collect();
        shared.sort_by(|a, b| {
            b.percent
                .cmp(&a.percent)
                .then(a.statement_id.cmp(&b.statement_id))
        });
        shared.truncate(10);
        out.consensus = shared;
        out.by_group = input
            .statements
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.2)
            .map(|(c, s)| {
                let mut groups: Vec<GroupVotes> = a
                    .tallies
                    .iter()
                    .enumerate()
                    .map(|(g, t)| {
                        let [agree, disagree, votes] = t[c];
                        GroupVotes {
                            group: number(g),
                            agree,
                            disagree,
                            pass: votes.saturating_sub(agree + disagree),
                        }
                    })
                    .collect();
                groups.sort_by_key(|v| v.group);
                StatementByGroup {
                    statement_id: s.0,
                    groups,
                }
            })
            .collect();
    }
    // The map: an even sample, scaled so the farthest point sits at 1.
    let n = a.projection.len();
    let step = n.div_ceil(MAP_POINTS).max(1);
    let reach = a
        .projection
        .iter()
        .flat_map(|p| [p[0].abs(), p[1].abs()])
        .fold(0.0f64, f64::max)
        .max(1e-9);
    out.scale = reach;
    out.points = (0..n)
        .step_by(step)
        .map(|i| Point {
            x: (a.projection[i][0] / reach) as f32,
            y: (a.projection[i][1] / reach) as f32,
            group: if out.groups.is_empty() {
                None
            } else {
                a.groups[i].map(number)
            },
        })
        .collect();
    // Everyone's place, for their own results page: in the engine's own
    // coordinates, which an update barely moves, while the map's scale
    // moves whenever the farthest participant does.
    let placed = people
        .iter()
        .enumerate()
        .map(|(i, &participant_id)| Placement {
            participant_id,
            group: if out.groups.is_empty() {
                None
            } else {
                a.groups[i].map(|g| number(g) as i64)
            },
            x: a.projection[i][0],
            y: a.projection[i][1],
        })
        .collect();
    (out, next, placed)
}

/// The numbers (less one) the engine's `k` groups are shown under, so that
/// a live deliberation's groups keep theirs from one computation to the
/// next. The engine numbers its groups by size at every run, so two groups
/// whose sizes cross would swap numbers and tell their members they had
/// moved. Of all the ways to number the groups 1 to `k`, this takes the one
/// under which the most participants keep the number they were `shown`
/// (the engine's own order when that ties). `groups` are the engine's, by
/// row; `people` the participant of each row; both lists are in
/// participant order.
fn numbering(
    groups: &[Option<usize>],
    people: &[i64],
    k: usize,
    shown: &[(i64, i64)],
) -> Vec<usize> {
    // overlap[g][h]: participants in the engine's group g shown as h + 1.
    let mut overlap = vec![vec![0usize; k]; k];
    let mut shown_as = merged(shown, |s| s.0);
    for (row, p) in people.iter().enumerate() {
        let before = shown_as(*p).map(|s| s.1);
        if let (Some(g), Some(h)) = (groups.get(row).copied().flatten(), before)
            && g < k
            && h >= 1
            && (h as usize) <= k
        {
            overlap[g][h as usize - 1] += 1;
        }
    }
    // At most five groups: 120 orders to try.
    fn best(
        overlap: &[Vec<usize>],
        g: usize,
        used: &mut Vec<bool>,
        order: &mut Vec<usize>,
        score: usize,
        found: &mut (usize, Vec<usize>),
    ) {
        if g == overlap.len() {
            if score > found.0 || found.1.is_empty() {
                *found = (score, order.clone());
            }
            return;
        }
        for h in 0..overlap.len() {
            if !used[h] {
                used[h] = true;
                order.push(h);
                best(overlap, g + 1, used, order, score + overlap[g][h], found);
                order.pop();
                used[h] = false;
            }
        }
    }
    let mut found = (0, Vec::new());
    best(
        &overlap,
        0,
        &mut vec![false; k],
        &mut Vec::new(),
        0,
        &mut found,
    );
    found.1
}

/// Looks up entries of `sorted` (ascending by `key`) for ids asked in
/// ascending order, in one pass over it: a merge of two lists sorted by
/// participant id, which the results job makes over every participant at
/// each run.
fn merged<'a, T>(sorted: &'a [T], key: fn(&T) -> i64) -> impl FnMut(i64) -> Option<&'a T> {
    let mut i = 0;
    move |id| {
        while sorted.get(i).is_some_and(|x| key(x) < id) {
            i += 1;
        }
        sorted.get(i).filter(|x| key(x) == id)
    }
}

/// Where one participant is in a deliberation's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub participant_id: i64,
    /// Their opinion group's number; none when not placed in one.
    pub group: Option<i64>,
    /// Their place on the opinion map, before scaling (see [`Results::scale`]).
    pub x: f64,
    pub y: f64,
}

/// A participant's place is written again only when it moved by more than
/// this share of the map's scale (half a dot's radius on the map): an
/// update shifts every place a little, and rewriting every participant's
/// row for that would make each update cost a write per participant.
const MOVED: f64 = 0.01;

/// Writes the participants' places that changed since the last results;
/// answers how many were written. The comparison is the database's: every
/// place goes in statements of thousands of rows each, and only rows that
/// differ are written. (Reading every participant's row back first cost as
/// much as an update's engine run at 100,000 participants.)
///
/// Each part is its own short transaction after the results' own, so that
/// votes, which lock their participant's row (and on SQLite the whole
/// database), wait for one part at a time, not for all of them. A reader
/// may meet places a part behind the results for that moment; a part lost
/// to a failure is written by the next computation, since only rows that
/// differ from it are skipped. Nobody placed once drops out of later results
/// (votes are never deleted), so no place is ever cleared.
async fn write_placements(
    db: &Db,
    deliberation_id: i64,
    placed: &[Placement],
    moved: f64,
) -> Result<u64, StoreError> {
    const PART: usize = 10_000;
    let mut written = 0;
    for part in placed.chunks(PART) {
        let mut tx = db.begin().await?;
        written += write_part(&mut tx, deliberation_id, part, moved).await?;
        tx.commit().await?;
    }
    Ok(written)
}

/// What the results job keeps between its runs, for each open deliberation
/// it computed: the votes (so that the next run reads only the ones cast
/// since), and the places it stored (so that it sends the database only the
/// ones that changed, rather than have it compare every participant's).
#[derive(Debug, Default)]
pub struct Kept {
    ballots: HashMap<i64, Ballots>,
    places: HashMap<i64, Written>,
}

/// The places stored with the results computed at `computed_at`, by
/// participant id.
#[derive(Debug)]
struct Written {
    computed_at: i64,
    places: Vec<Placement>,
}

/// Of the new places, those that differ from the stored ones as
/// [`write_part`] judges it, and the places stored once they are written.
/// Both lists are in participant order.
fn changed_since(
    stored: &[Placement],
    placed: Vec<Placement>,
    moved: f64,
) -> (Vec<Placement>, Vec<Placement>) {
    let mut changed = Vec::new();
    let mut after = Vec::with_capacity(placed.len());
    let mut stored_as = merged(stored, |o| o.participant_id);
    for p in placed {
        match stored_as(p.participant_id) {
            Some(o)
                if o.group == p.group
                    && (o.x - p.x).abs() <= moved
                    && (o.y - p.y).abs() <= moved =>
            {
                after.push(o.clone());
            }
            _ => {
                changed.push(p.clone());
                after.push(p);
            }
        }
    }
    (changed, after)
}

/// One part of [`write_placements`], inside its transaction.
async fn write_part(
    tx: &mut Tx,
    deliberation_id: i64,
    part: &[Placement],
    moved: f64,
) -> Result<u64, StoreError> {
    Ok(match tx {
        // The `+` keeps SQLite from walking the deliberation's participants
        // and scanning the JSON for each: each JSON row finds its
        // participant by id instead.
        Tx::Sqlite(t) => {
            let rows: Vec<(i64, Option<i64>, f64, f64)> = part
                .iter()
                .map(|p| (p.participant_id, p.group, p.x, p.y))
                .collect();
            sqlx::query(
                    "UPDATE deliberation_participants AS p
                     SET opinion_group = u.value ->> 1, map_x = u.value ->> 2, map_y = u.value ->> 3
                     FROM json_each($1) AS u
                     WHERE p.id = u.value ->> 0 AND +p.deliberation_id = $2
                       AND (p.opinion_group IS NOT (u.value ->> 1) OR p.map_x IS NULL OR p.map_y IS NULL
                            OR abs(p.map_x - (u.value ->> 2)) > $3 OR abs(p.map_y - (u.value ->> 3)) > $3)",
                )
                .bind(to_json(&rows)?)
                .bind(deliberation_id)
                .bind(moved)
                .execute(&mut **t)
                .await?
                .rows_affected()
        }
        Tx::Postgres(t) => {
            let ids: Vec<i64> = part.iter().map(|p| p.participant_id).collect();
            let groups: Vec<Option<i64>> = part.iter().map(|p| p.group).collect();
            let xs: Vec<f64> = part.iter().map(|p| p.x).collect();
            let ys: Vec<f64> = part.iter().map(|p| p.y).collect();
            sqlx::query(
                    "UPDATE deliberation_participants p
                     SET opinion_group = u.g, map_x = u.x, map_y = u.y
                     FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::DOUBLE PRECISION[], $4::DOUBLE PRECISION[]) AS u(id, g, x, y)
                     WHERE p.id = u.id AND p.deliberation_id = $5
                       AND (p.opinion_group IS DISTINCT FROM u.g OR p.map_x IS NULL OR p.map_y IS NULL
                            OR abs(p.map_x - u.x) > $6 OR abs(p.map_y - u.y) > $6)",
                )
                .bind(&ids)
                .bind(&groups)
                .bind(&xs)
                .bind(&ys)
                .bind(deliberation_id)
                .bind(moved)
                .execute(&mut **t)
                .await?
                .rows_affected()
        }
    })
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Internal(e.to_string()))
}

/// A deliberation's latest results, if any were computed yet.
pub async fn of(db: &Db, deliberation_id: i64) -> Result<Option<Results>, StoreError> {
    let body: Option<String> = on_db!(db, |c| sqlx::query_scalar(
        "SELECT body FROM deliberation_results WHERE deliberation_id = $1"
    )
    .bind(deliberation_id)
    .fetch_optional(c)
    .await?);
    body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Internal(e.to_string())))
        .transpose()
}

/// What a deliberation's stored results were computed from and when, read
/// without the results themselves (empty before the first computation):
/// the results page answers a reader who already has the current results
/// with "not modified".
pub async fn stamp(db: &Db, deliberation_id: i64) -> Result<String, StoreError> {
    let row: Option<(String, i64)> = on_db!(db, |c| sqlx::query_as(
        "SELECT fingerprint, computed_at FROM deliberation_results WHERE deliberation_id = $1"
    )
    .bind(deliberation_id)
    .fetch_optional(c)
    .await?);
    Ok(row.map(|(f, at)| format!("{f}@{at}")).unwrap_or_default())
}

/// The deliberation as the engine needs it, its votes brought up to date
/// from the ones `kept` (see [`ballots::read`]); answers how many vote rows
/// were read, and whether that was all of them.
async fn input_of(
    db: &Db,
    id: i64,
    kept: Option<Ballots>,
) -> Result<(Input, usize, bool), StoreError> {
    let statements: Vec<(i64, String, String)> = on_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, body, status FROM deliberation_statements WHERE deliberation_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    });
    let read = ballots::read(db, id, kept).await?;
    let (grouping, state): (String, String) = on_db!(db, |c| sqlx::query_as(
        "SELECT grouping, state FROM deliberations WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await?);
    let input = Input {
        statements: statements
            .into_iter()
            .map(|(i, b, s)| (i, b, s == "rejected"))
            .collect(),
        votes: read.ballots,
        grouping: Grouping::parse(&grouping).unwrap_or(Grouping::Map),
        closed: state != "open",
        shown: Vec::new(),
    };
    Ok((input, read.rows, read.whole))
}

/// Each participant's stored group: (participant id, group), by participant id.
async fn shown_groups(db: &Db, id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, opinion_group FROM deliberation_participants
         WHERE deliberation_id = $1 AND opinion_group IS NOT NULL ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// Computes and keeps one deliberation's results, updating the last ones
/// where it can (see [`compute`]).
async fn recompute(db: &Db, id: i64, print: &str, kept: &mut Kept) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    let (mut input, rows, whole) = input_of(db, id, kept.ballots.remove(&id)).await?;
    let stored: Option<(String, i64)> = on_db!(db, |c| sqlx::query_as(
        "SELECT warm, computed_at FROM deliberation_results WHERE deliberation_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?);
    // The places this job wrote last are those stored only if no one else
    // (another server; only one runs the job at a time) stored results since.
    let written = kept
        .places
        .remove(&id)
        .filter(|w| stored.as_ref().map(|s| s.1) == Some(w.computed_at));
    // The groups the participants were last shown in, which a live
    // deliberation's groups keep their numbers by: this job's own copy, or
    // the database's.
    if !input.closed && stored.is_some() {
        input.shown = match &written {
            Some(w) => w
                .places
                .iter()
                .filter_map(|p| p.group.map(|g| (p.participant_id, g)))
                .collect(),
            None => shown_groups(db, id).await?,
        };
    }
    let read = started.elapsed();
    // A warm state that does not read (an older format) means a full run.
    let warm: Option<Warm> = stored.and_then(|(w, _)| serde_json::from_str(&w).ok());
    let now = crate::clock::now();
    // The engine is CPU work: off the async workers.
    let ((results, next, placed), input) = tokio::task::spawn_blocking(move || {
        let out = compute(&input, now, warm.as_ref());
        (out, input)
    })
    .await
    .map_err(|e| StoreError::Internal(e.to_string()))?;
    let body = to_json(&results)?;
    let warm = to_json(&next)?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO deliberation_results (deliberation_id, fingerprint, body, warm, computed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (deliberation_id) DO UPDATE SET fingerprint = excluded.fingerprint, body = excluded.body, warm = excluded.warm, computed_at = excluded.computed_at"
    )
    .bind(id)
    .bind(print)
    .bind(&body)
    .bind(&warm)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    tx.commit().await?;
    // A closed deliberation takes no more votes: its next results, if any
    // (after moderation), read them once more rather than keep them.
    if !input.closed {
        kept.ballots.insert(id, input.votes);
    }
    let computed = started.elapsed();
    let participants = placed.len();
    let moved = MOVED * results.scale;
    // Only the changed places when the job has a copy of the stored ones;
    // else all of them, for the database to compare.
    let (changed, stored, threshold) = match written {
        Some(w) => {
            let (changed, stored) = changed_since(&w.places, placed, moved);
            (Some(changed), stored, moved)
        }
        // With no copy of what is stored, the database compares; but the copy
        // kept for the next run must be what it holds, so every place is
        // written then. (Places that moved less than the threshold would
        // keep their stored values, and the copy's small moves would add up.)
        None if !input.closed => (None, placed, -1.0),
        None => (None, placed, moved),
    };
    let rewritten =
        write_placements(db, id, changed.as_deref().unwrap_or(&stored), threshold).await?;
    if !input.closed {
        kept.places.insert(
            id,
            Written {
                computed_at: now,
                places: stored,
            },
        );
    }
    tracing::debug!(
        deliberation = id,
        participants,
        rows,
        whole,
        rewritten,
        read_ms = read.as_millis() as u64,
        computed_ms = (computed - read).as_millis() as u64,
        places_ms = (started.elapsed() - computed).as_millis() as u64,
        "deliberation results"
    );
    Ok(())
}

/// Closes the open deliberations whose closing time has passed; answers how many.
pub async fn close_due(db: &Db) -> Result<usize, StoreError> {
    let due: Vec<i64> = on_db!(db, |c| sqlx::query_scalar(
        "SELECT id FROM deliberations WHERE state = 'open' AND closes_at <= $1"
    )
    .bind(crate::clock::now())
    .fetch_all(c)
    .await?);
    let mut closed = 0;
    for id in due {
        match crate::deliberations::act(db, &Caller::system(), id, Step::Close, None, None).await {
            Ok(_) => closed += 1,
            // Staff closed it meanwhile, or another server did.
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}

/// The deliberations whose results are behind, with the fingerprints to
/// compute them from. Only reads: servers call it often and claim the work
/// only when there is some. A deliberation whose report is out no longer
/// changes, so it is looked at only until its final results exist (it may
/// have been closed and reported between two runs of the job).
///
/// A fingerprint says how many votes and statements a deliberation has,
/// when the last of them or of the moderation decisions came, how many
/// statements were rejected, its grouping, and whether it is still open
/// (`live`) or not (`final`). One query gives every deliberation's, and
/// its results' own: each server asks every two seconds, and closed
/// deliberations stay here until their report is out, so a round trip per
/// deliberation would grow with the committee's history.
pub async fn stale(db: &Db) -> Result<Vec<(i64, String)>, StoreError> {
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = on_db!(db, |c| {
        sqlx::query_as(
            // The vote count from the statements' tallies and the latest
            // vote from the index: neither reads every vote.
            "SELECT d.id,
                (SELECT CAST(COALESCE(SUM(s.agrees + s.disagrees + s.passes), 0) AS BIGINT)
                 FROM deliberation_statements s WHERE s.deliberation_id = d.id),
                COALESCE((SELECT MAX(v.voted_at) FROM deliberation_votes v WHERE v.deliberation_id = d.id), 0),
                (SELECT COUNT(*) FROM deliberation_statements s WHERE s.deliberation_id = d.id),
                COALESCE((SELECT MAX(s.created_at) FROM deliberation_statements s WHERE s.deliberation_id = d.id), 0),
                COALESCE((SELECT MAX(s.moderated_at) FROM deliberation_statements s WHERE s.deliberation_id = d.id), 0),
                (SELECT COUNT(*) FROM deliberation_statements s
                 WHERE s.deliberation_id = d.id AND s.status = 'rejected'),
                d.grouping,
                CASE WHEN d.state = 'open' THEN 'live' ELSE 'final' END,
                r.fingerprint
             FROM deliberations d
             LEFT JOIN deliberation_results r ON r.deliberation_id = d.id
             WHERE d.state IN ('open', 'closed')
                OR (d.state = 'reported' AND (r.fingerprint IS NULL OR r.fingerprint NOT LIKE '%:final'))
             ORDER BY d.id",
        )
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, nv, lv, ns, ls, lm, rejected, grouping, phase, computed)| {
                // The grouping is part of it: a change of it means new results.
                // So is whether it is still open: closing it means the final results.
                let print = format!("{nv}:{lv}:{ns}:{ls}:{lm}:{rejected}:{grouping}:{phase}");
                (computed.as_deref() != Some(print.as_str())).then_some((id, print))
            },
        )
        .collect())
}

/// Recomputes the results of these deliberations, reading only the votes
/// cast since the ones `kept` from earlier runs; answers how many.
pub async fn recompute_all(
    db: &Db,
    stale: &[(i64, String)],
    kept: &mut Kept,
) -> Result<usize, StoreError> {
    for (id, print) in stale {
        recompute(db, *id, print, kept).await?;
    }
    Ok(stale.len())
}

/// The whole job once: closes what is due, recomputes what is behind
/// (reading every vote: nothing is kept from an earlier run). Answers how
/// many results were recomputed.
pub async fn refresh(db: &Db) -> Result<usize, StoreError> {
    close_due(db).await?;
    let behind = stale(db).await?;
    recompute_all(db, &behind, &mut Kept::default()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every participant gets a place: their camp's group, and a point in
    /// the engine's coordinates that the map's scale turns into the map's.
    #[test]
    fn everyone_is_placed_and_the_map_is_their_places_scaled() {
        let (r, _, placed) = compute(&camps(40), 0, None);
        assert_eq!(placed.len(), 40);
        let group_of = |p: i64| {
            placed
                .iter()
                .find(|x| x.participant_id == 1000 + p)
                .and_then(|x| x.group)
        };
        let (a, b) = (group_of(0), group_of(1));
        assert!(a.is_some() && b.is_some() && a != b);
        for p in 0..40 {
            assert_eq!(group_of(p), if p % 2 == 0 { a } else { b }, "{p}");
        }
        let far = placed
            .iter()
            .map(|x| x.x.abs().max(x.y.abs()))
            .fold(0.0, f64::max);
        assert!(r.scale > 0.0 && (far - r.scale).abs() < 1e-12);
        // The map's first point is the first participant, scaled.
        let first = Yours {
            group: a,
            x: Some(placed[0].x),
            y: Some(placed[0].y),
        }
        .on_map(r.scale);
        assert!((first.x.unwrap_or(9.0) - f64::from(r.points[0].x)).abs() < 1e-6);
        assert!((first.y.unwrap_or(9.0) - f64::from(r.points[0].y)).abs() < 1e-6);
        // Results kept before the scale was recorded place no one on the map.
        let old = Yours {
            group: a,
            x: Some(0.5),
            y: Some(0.5),
        }
        .on_map(0.0);
        assert_eq!((old.group, old.x, old.y), (a, None, None));
    }

    #[test]
    fn only_places_that_moved_or_changed_group_are_sent_and_the_rest_stay_as_stored() {
        let at = |participant_id, group, x| Placement {
            participant_id,
            group,
            x,
            y: 0.0,
        };
        let stored = vec![at(1, Some(1), 0.0), at(3, Some(2), 1.0), at(4, None, 2.0)];
        let placed = vec![
            at(1, Some(1), 0.005), // moved less than the threshold
            at(2, Some(1), 0.0),   // new
            at(3, Some(1), 1.0),   // another group
            at(4, None, 2.5),      // moved
            at(5, None, 0.0),      // new, in no group
        ];
        let (changed, after) = changed_since(&stored, placed, 0.01);
        let ids = |v: &[Placement]| v.iter().map(|p| p.participant_id).collect::<Vec<_>>();
        assert_eq!(ids(&changed), vec![2, 3, 4, 5]);
        assert_eq!(ids(&after), vec![1, 2, 3, 4, 5]);
        assert_eq!(after[0], stored[0], "kept as the database holds it");
        assert_eq!(after[2].group, Some(1));
        assert_eq!(after[3].x, 2.5);
    }

    #[test]
    fn groups_keep_the_numbers_their_members_were_shown() {
        // The engine's group 0 holds participants 1 and 2, shown as group 2;
        // its group 1 holds 3 to 5, shown as group 1.
        let groups = [Some(0), Some(0), Some(1), Some(1), Some(1), None];
        let people = [1, 2, 3, 4, 5, 6];
        let shown = [(1, 2), (2, 2), (3, 1), (4, 1), (5, 2), (6, 1)];
        assert_eq!(numbering(&groups, &people, 2, &shown), vec![1, 0]);
        // Nobody shown, or shown in groups beyond k: the engine's order.
        assert_eq!(numbering(&groups, &people, 2, &[]), vec![0, 1]);
        assert_eq!(
            numbering(&groups, &people, 2, &[(1, 3), (3, 4)]),
            vec![0, 1]
        );
        // A third group appears: the two others keep their numbers.
        let three = [Some(0), Some(0), Some(1), Some(1), Some(2), Some(2)];
        assert_eq!(numbering(&three, &people, 3, &shown[..4]), vec![1, 0, 2]);
    }

    #[test]
    fn a_live_deliberations_groups_keep_their_numbers_when_their_sizes_cross() {
        // Forty in two camps; then twelve more join the odd camp, which
        // becomes the larger, and the engine numbers it first.
        let (first, _, placed) = compute(&camps(40), 0, None);
        let camp_of = |placed: &[Placement], p: i64| {
            placed
                .iter()
                .find(|x| x.participant_id == 1000 + p)
                .and_then(|x| x.group)
        };
        let (even, odd) = (camp_of(&placed, 0), camp_of(&placed, 1));
        assert_eq!((even, odd), (Some(1), Some(2)), "ties go to the earlier");
        assert_eq!(first.groups[0].size, 20);
        let mut grown = camps(40);
        for p in 0..12 {
            let newcomer = 2000 + p;
            for s in 1..=5 {
                grown.votes.cast(s, newcomer, if s <= 3 { -1 } else { 1 });
            }
            grown.votes.cast(6, newcomer, 1);
            grown.votes.cast(7, newcomer, -1);
        }
        let (engine, _, by_size) = compute(&grown, 0, None);
        assert_eq!(
            camp_of(&by_size, 1),
            Some(1),
            "the engine numbers by size: {:?}",
            engine.groups.iter().map(|g| g.size).collect::<Vec<_>>()
        );
        assert_eq!(engine.groups[0].size, 32);
        grown.shown = placed
            .iter()
            .filter_map(|p| p.group.map(|g| (p.participant_id, g)))
            .collect();
        let (kept, _, again) = compute(&grown, 0, None);
        assert_eq!((camp_of(&again, 0), camp_of(&again, 1)), (even, odd));
        assert_eq!(
            kept.groups
                .iter()
                .map(|g| (g.number, g.size))
                .collect::<Vec<_>>(),
            vec![(1, 20), (2, 32)]
        );
        for s in &kept.by_group {
            let numbers: Vec<usize> = s.groups.iter().map(|v| v.group).collect();
            assert_eq!(numbers, vec![1, 2]);
            let total: u32 = s.groups[1].agree + s.groups[1].disagree + s.groups[1].pass;
            assert_eq!(total, 32, "group 2's votes are the larger camp's");
        }
        let on_map =
            |r: &Results, group| r.points.iter().filter(|p| p.group == Some(group)).count();
        assert_eq!((on_map(&kept, 1), on_map(&kept, 2)), (20, 32));
        // Once closed, the results follow from the votes alone.
        grown.closed = true;
        let (last, _, _) = compute(&grown, 0, None);
        assert_eq!(last.groups[0].size, 32);
    }

    /// Two planted camps on six statements; the last statement everyone agrees with.
    fn camps(people: i64) -> Input {
        let statements = (1..=7)
            .map(|i| (i, format!("观点{i}"), i == 7))
            .collect::<Vec<_>>();
        let mut votes = Vec::new();
        for p in 0..people {
            let camp = if p % 2 == 0 { 1 } else { -1 };
            for s in 1..=5 {
                let v = if s <= 3 { camp } else { -camp };
                votes.push((s, 1000 + p, v));
            }
            votes.push((6, 1000 + p, 1));
            votes.push((7, 1000 + p, camp));
        }
        Input {
            statements,
            votes: Ballots::of(votes),
            grouping: Grouping::Map,
            closed: false,
            shown: Vec::new(),
        }
    }

    #[test]
    fn planted_camps_come_out_as_two_groups_with_their_common_ground() {
        let (r, _, _) = compute(&camps(40), 0, None);
        assert_eq!(r.participants, 40);
        assert_eq!(r.statements, 6, "the rejected statement is not counted");
        assert_eq!(r.groups.len(), 2, "{r:?}");
        assert_eq!(r.groups.iter().map(|g| g.size).sum::<usize>(), 40);
        assert!(
            r.consensus
                .iter()
                .any(|s| s.statement_id == 6 && s.direction == "agree"),
            "{:?}",
            r.consensus
        );
        assert!(r.consensus.iter().all(|s| s.statement_id != 7));
        assert!(
            r.groups
                .iter()
                .all(|g| g.represent.iter().all(|x| x.statement_id != 7))
        );
        assert_eq!(r.points.len(), 40);
        assert!(
            r.points
                .iter()
                .all(|p| p.x.abs() <= 1.0 && p.y.abs() <= 1.0)
        );
        // How each group voted: every statement put to vote, in order, each
        // group's votes adding up to its size (everyone voted on each); the
        // camps split on the first statements and agree on the sixth.
        let ids: Vec<i64> = r.by_group.iter().map(|s| s.statement_id).collect();
        assert_eq!(ids, vec![1, 2, 3, 4, 5, 6], "not the rejected one");
        for s in &r.by_group {
            for (g, v) in r.groups.iter().zip(&s.groups) {
                assert_eq!(v.group, g.number);
                assert_eq!((v.agree + v.disagree + v.pass) as usize, g.size);
            }
        }
        let first: Vec<(u32, u32)> = r.by_group[0]
            .groups
            .iter()
            .map(|v| (v.agree, v.disagree))
            .collect();
        assert!(
            first == vec![(20, 0), (0, 20)] || first == vec![(0, 20), (20, 0)],
            "{first:?}"
        );
        assert!(r.by_group[5].groups.iter().all(|v| v.agree == 20));
        // Results kept before the breakdown existed still read.
        let mut old = serde_json::to_value(&r).unwrap();
        old.as_object_mut().unwrap().remove("by_group");
        let back: Results = serde_json::from_value(old).unwrap();
        assert!(back.by_group.is_empty());
    }

    #[test]
    fn small_growth_updates_and_large_growth_starts_afresh() {
        let (first, warm, _) = compute(&camps(40), 0, None);
        assert_eq!(warm.full_at, 40);
        let (updated, next, _) = compute(&camps(42), 0, Some(&warm));
        assert_eq!(next.full_at, 40, "an update from the last full run");
        assert_eq!(updated.groups.len(), first.groups.len());
        assert_eq!(updated.participants, 42);
        let (_, fresh, _) = compute(&camps(50), 0, Some(&next));
        assert_eq!(fresh.full_at, 50, "grown by a quarter: from scratch");
        // The warm state survives its trip through the database's text.
        let text = serde_json::to_string(&next).unwrap();
        let back: Warm = serde_json::from_str(&text).unwrap();
        assert_eq!(back.components, next.components);
        assert_eq!(back.base, next.base);
        // A state kept while it also held the engine's further columns (no
        // longer used) still reads.
        let old = text.replacen('{', "{\"subspace\":[[0.5,0.5]],", 1);
        let back: Warm = serde_json::from_str(&old).unwrap();
        assert_eq!(back.components, next.components);
    }

    #[test]
    fn the_same_people_voting_on_new_statements_start_afresh_too() {
        let (_, warm, _) = compute(&camps(40), 0, None);
        assert_eq!((warm.full_at, warm.full_votes), (40, 280));
        // Five new statements on which each camp splits in half, voted by
        // the same forty: no one new, 200 votes more.
        let mut grown = camps(40);
        grown
            .statements
            .extend((8..=12).map(|i| (i, format!("观点{i}"), false)));
        for p in 0..40 {
            let half = if p % 4 < 2 { 1 } else { -1 };
            for s in 8..=12 {
                grown.votes.cast(s, 1000 + p, half);
            }
        }
        let (regrouped, state, _) = compute(&grown, 0, Some(&warm));
        assert_eq!((state.full_at, state.full_votes), (40, 480), "from scratch");
        let (cold, _, _) = compute(&grown, 0, None);
        assert_eq!(regrouped, cold, "as if nothing came before");
        // A few votes more on one new statement: an update.
        let mut more = camps(40);
        more.statements.push((8, "观点8".into(), false));
        for p in 0..20 {
            more.votes.cast(8, 1000 + p, 1);
        }
        let (_, updated, _) = compute(&more, 0, Some(&warm));
        assert_eq!(
            (updated.full_at, updated.full_votes),
            (40, 280),
            "an update"
        );
        // A state kept before votes were counted starts afresh once.
        let old = serde_json::to_string(&warm)
            .unwrap()
            .replace(",\"full_votes\":280", "");
        assert!(!old.contains("full_votes"), "{old}");
        let back: Warm = serde_json::from_str(&old).unwrap();
        let (_, afresh, _) = compute(&more, 0, Some(&back));
        assert_eq!(afresh.full_votes, 300);
    }

    #[test]
    fn closed_deliberations_are_computed_from_scratch_whatever_came_before() {
        for grouping in [Grouping::Map, Grouping::Votes] {
            let input = |people, closed| Input {
                grouping,
                closed,
                ..camps(people)
            };
            let (open, warm, _) = compute(&input(40, false), 7, None);
            assert!(!open.is_final);
            let (_, updated, _) = compute(&input(42, false), 7, Some(&warm));
            assert_eq!(updated.full_at, 40, "open and grown a little: an update");
            // Closed, with the same votes: a full run, equal to one without
            // any earlier state, bit for bit.
            let (last, state, _) = compute(&input(42, true), 7, Some(&updated));
            assert_eq!(state.full_at, 42, "{grouping:?}: closed, so from scratch");
            assert!(last.is_final);
            let (cold, cold_state, _) = compute(&input(42, true), 7, None);
            assert_eq!(last, cold, "{grouping:?}");
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                serde_json::to_string(&cold_state).unwrap()
            );
            // The flag reads back as `final`, and older results read as not final.
            let text = serde_json::to_value(&last).unwrap();
            assert_eq!(text["final"], true);
            let mut old = text.clone();
            old.as_object_mut().unwrap().remove("final");
            assert!(!serde_json::from_value::<Results>(old).unwrap().is_final);
        }
    }

    #[test]
    fn groups_by_votes_update_from_their_profiles_and_a_change_of_grouping_starts_afresh() {
        let by_votes = |people| Input {
            grouping: Grouping::Votes,
            ..camps(people)
        };
        let (first, warm, _) = compute(&by_votes(40), 0, None);
        assert!(warm.by_votes);
        assert_eq!(warm.profiles.len(), 2, "one profile a group");
        assert_eq!(
            first.groups.iter().map(|g| g.size).collect::<Vec<_>>(),
            vec![20, 20]
        );
        // An update starts from the profiles and keeps the camps.
        let (updated, next, _) = compute(&by_votes(42), 0, Some(&warm));
        assert_eq!(next.full_at, 40, "an update");
        assert_eq!(
            updated.groups.iter().map(|g| g.size).collect::<Vec<_>>(),
            vec![21, 21]
        );
        let members: usize = next.profiles.iter().map(|p| p.0).sum();
        assert_eq!(members, 42);
        // The profiles survive the database's text.
        let back: Warm = serde_json::from_str(&serde_json::to_string(&next).unwrap()).unwrap();
        assert_eq!(back.profiles, next.profiles);
        // Switched to the map: from scratch, and no profiles kept.
        let (_, map, _) = compute(&camps(42), 0, Some(&next));
        assert_eq!(map.full_at, 42, "a change of grouping starts afresh");
        assert!(!map.by_votes && map.profiles.is_empty());
        // A state from before groups by votes existed reads as the map's.
        let old = serde_json::to_string(&map)
            .unwrap()
            .replace(",\"by_votes\":false,\"profiles\":[]", "");
        assert!(!old.contains("by_votes"), "{old}");
        let back: Warm = serde_json::from_str(&old).unwrap();
        assert!(!back.by_votes);
        let (_, again, _) = compute(&camps(43), 0, Some(&back));
        assert_eq!(again.full_at, 42, "still an update");
    }

    #[test]
    fn too_few_voters_give_counts_but_no_groups() {
        let (r, _, _) = compute(&camps(3), 0, None);
        assert_eq!(r.participants, 3);
        assert!(r.groups.is_empty());
        assert!(r.points.iter().all(|p| p.group.is_none()));
        let (empty, _, _) = compute(
            &Input {
                statements: vec![],
                votes: Ballots::default(),
                grouping: Grouping::Votes,
                closed: true,
                shown: Vec::new(),
            },
            0,
            None,
        );
        assert_eq!(empty.participants, 0);
    }
}
