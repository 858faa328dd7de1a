//! Every vote of a deliberation as the results job keeps it between two
//! computations, so that an update reads only the votes cast since the
//! last one instead of all of them. At 100,000 participants reading all
//! 1.2 million votes took ten times as long as the engine's update itself
//! (BENCHMARKS.md, fifteenth session).
//!
//! Votes carry the time they were cast, and a re-vote replaces the earlier
//! vote and its time. A read takes the votes cast at or after a mark: the
//! time of the last read, less [`MARGIN`], so that a vote whose transaction
//! took its time before that read but committed after it, or that came from
//! a server whose clock is a little behind, is read on the next round.
//!
//! What a read can still miss it detects: in the same snapshot it reads the
//! tallies each statement keeps (updated in every vote's own transaction),
//! and when the kept votes do not add up to them it reads every vote again.

use crate::db::{Db, Tx, on_tx};
use crate::error::StoreError;
use std::collections::{BTreeMap, HashMap};

/// How long before the last read the next read starts (µs).
pub const MARGIN: i64 = 60_000_000;

/// One deliberation's votes, by participant.
#[derive(Debug, Default, Clone)]
pub struct Ballots {
    /// Each participant's votes: (statement's index in `statements`, value),
    /// by that index. Ordered by participant id, which is the order of the
    /// engine's rows.
    people: BTreeMap<i64, Vec<(u32, i8)>>,
    /// The statement ids the votes are on, by index.
    statements: Vec<i64>,
    index: HashMap<i64, u32>,
    /// Per statement index: agrees, disagrees, passes.
    tallies: Vec<[i64; 3]>,
    votes: usize,
    /// How many votes the reads have brought, re-votes included.
    votes_read: usize,
    /// The next read takes the votes cast at or after this (µs).
    since: i64,
}

impl Ballots {
    /// Ballots of these votes: (statement id, participant id, value).
    pub fn of(votes: impl IntoIterator<Item = (i64, i64, i64)>) -> Self {
        let mut b = Ballots::default();
        for (s, p, v) in votes {
            b.cast(s, p, v);
        }
        b
    }

    /// Records one vote, replacing the participant's earlier vote on the
    /// same statement.
    pub fn cast(&mut self, statement: i64, participant: i64, value: i64) {
        let value = value.clamp(-1, 1) as i8;
        let next = self.statements.len() as u32;
        let column = *self.index.entry(statement).or_insert(next);
        if column == next {
            self.statements.push(statement);
            self.tallies.push([0; 3]);
        }
        // Kept in index order, so that finding a participant's earlier vote
        // costs a binary search, even for one who voted on thousands.
        let votes = self.people.entry(participant).or_default();
        match votes.binary_search_by_key(&column, |(c, _)| *c) {
            Ok(at) => {
                let earlier = &mut votes[at].1;
                self.tallies[column as usize][slot(*earlier)] -= 1;
                *earlier = value;
            }
            Err(at) => {
                votes.insert(at, (column, value));
                self.votes += 1;
            }
        }
        self.tallies[column as usize][slot(value)] += 1;
    }

    /// Each participant (in id order) with their votes: (statement id, value).
    pub fn people(&self) -> impl Iterator<Item = (i64, impl Iterator<Item = (i64, i8)> + '_)> {
        self.people.iter().map(|(p, votes)| {
            (
                *p,
                votes
                    .iter()
                    .map(|(c, v)| (self.statements[*c as usize], *v)),
            )
        })
    }

    /// Every vote: (participant id, statement id, value), in that order.
    pub fn sorted(&self) -> Vec<(i64, i64, i8)> {
        let mut all: Vec<(i64, i64, i8)> = self
            .people()
            .flat_map(|(p, votes)| votes.map(move |(s, v)| (p, s, v)))
            .collect();
        all.sort_unstable();
        all
    }

    /// After a read in a snapshot taken at `now`: the next read starts
    /// [`MARGIN`] before it.
    fn moved_on(&mut self, now: i64) {
        self.since = self.since.max(now - MARGIN);
    }

    pub fn participants(&self) -> usize {
        self.people.len()
    }

    pub fn votes(&self) -> usize {
        self.votes
    }

    /// Whether these votes add up to each statement's kept tallies:
    /// (statement id, agrees, disagrees, passes).
    fn match_tallies(&self, kept: &[(i64, i64, i64, i64)]) -> bool {
        let tally = |id: &i64| {
            self.index
                .get(id)
                .map_or([0; 3], |c| self.tallies[*c as usize])
        };
        // Every statement held is listed (ids are unique), and every listed
        // one, held or not, has the tallies kept for it.
        let listed = kept
            .iter()
            .filter(|k| self.index.contains_key(&k.0))
            .count();
        listed == self.statements.len() && kept.iter().all(|&(id, a, d, p)| tally(&id) == [a, d, p])
    }
}

fn slot(value: i8) -> usize {
    match value {
        1 => 0,
        -1 => 1,
        _ => 2,
    }
}

/// How a read went: the votes, and whether they were all read.
pub struct Read {
    pub ballots: Ballots,
    /// Votes read from the database this time.
    pub rows: usize,
    /// Whether every vote was read (no kept ballots, or they were out of
    /// step with the tallies).
    pub whole: bool,
}

/// The deliberation's votes now: `kept` brought up to date with the votes
/// cast since its mark, or all of them read afresh when there is nothing
/// kept or the kept ones do not add up to the statements' tallies.
pub async fn read(db: &Db, deliberation: i64, kept: Option<Ballots>) -> Result<Read, StoreError> {
    // One snapshot for the votes and the tallies they are checked against,
    // taken after this time.
    let now = crate::clock::now();
    let mut tx = db.begin_read().await?;
    if let Some(mut ballots) = kept {
        let n = ballots.read_since(&mut tx, deliberation, now).await?;
        let tallies: Vec<(i64, i64, i64, i64)> = on_tx!(&mut tx, |c| {
            sqlx::query_as(
            "SELECT id, agrees, disagrees, passes FROM deliberation_statements WHERE deliberation_id = $1"
        )
        .bind(deliberation)
        .fetch_all(c)
        .await?
        });
        if ballots.match_tallies(&tallies) {
            tx.commit().await?;
            return Ok(Read {
                ballots,
                rows: n,
                whole: false,
            });
        }
        tracing::info!(
            deliberation,
            "deliberation votes: the kept votes do not match the tallies; reading them all"
        );
    }
    let mut ballots = Ballots {
        since: i64::MIN,
        ..Ballots::default()
    };
    let n = ballots.read_since(&mut tx, deliberation, now).await?;
    tx.commit().await?;
    Ok(Read {
        ballots,
        rows: n,
        whole: true,
    })
}

impl Ballots {
    /// Records the votes cast at or after the mark, then moves the mark.
    /// Answers how many were read.
    ///
    /// The database sends one row per participant, their votes packed in
    /// one value, and the rows are applied as they stream in. Why: through
    /// sqlx a SQLite row costs about 1.7 µs, so the 1.2 million votes of
    /// 100,000 participants took 2.2 s one row a vote, where SQLite scans
    /// them in 0.13 s (BENCHMARKS.md, sixteenth session); and collected
    /// into a list first, the votes of a large deliberation would take over
    /// a gigabyte at 50 million.
    async fn read_since(
        &mut self,
        tx: &mut crate::db::Tx,
        deliberation: i64,
        now: i64,
    ) -> Result<usize, StoreError> {
        use futures_util::TryStreamExt;
        let before = self.votes_read;
        // Each vote packed as `4 × statement + sign(value) + 1`, a
        // participant's joined by commas.
        let sql = match tx {
            Tx::Sqlite(_) => {
                "SELECT participant_id, group_concat(statement_id * 4 + sign(value) + 1)
                 FROM deliberation_votes WHERE deliberation_id = $1 AND voted_at >= $2
                 GROUP BY participant_id"
            }
            Tx::Postgres(_) => {
                "SELECT participant_id, string_agg((statement_id * 4 + sign(value)::BIGINT + 1)::TEXT, ',')
                 FROM deliberation_votes WHERE deliberation_id = $1 AND voted_at >= $2
                 GROUP BY participant_id"
            }
        };
        on_tx!(tx, |c| {
            let mut rows = sqlx::query_as::<_, (i64, String)>(sql)
                .bind(deliberation)
                .bind(self.since)
                .fetch(c);
            while let Some((p, packed)) = rows.try_next().await? {
                for vote in packed.split(',') {
                    let vote = vote.parse().map_err(|_| {
                        StoreError::Internal(format!("a packed vote that is no number: {vote}"))
                    })?;
                    self.cast_packed(p, vote);
                }
            }
        });
        self.moved_on(now);
        Ok(self.votes_read - before)
    }

    /// Records a vote packed as `4 × statement + value + 1`.
    fn cast_packed(&mut self, participant: i64, vote: i64) {
        self.cast(vote.div_euclid(4), participant, vote.rem_euclid(4) - 1);
        self.votes_read += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_re_vote_replaces_the_earlier_vote_and_its_tally() {
        let mut b = Ballots::of([(10, 1, 1), (11, 1, -1), (10, 2, 0)]);
        assert_eq!((b.participants(), b.votes()), (2, 3));
        b.cast(10, 1, -1);
        assert_eq!(b.votes(), 3);
        assert!(b.match_tallies(&[(10, 0, 1, 1), (11, 0, 1, 0)]));
        assert!(!b.match_tallies(&[(10, 1, 0, 1), (11, 0, 1, 0)]));
        // A statement with votes we hold but the database does not list.
        assert!(!b.match_tallies(&[(10, 0, 1, 1)]));
        // A statement the database lists with votes we never read.
        assert!(!b.match_tallies(&[(10, 0, 1, 1), (11, 0, 1, 0), (12, 1, 0, 0)]));
        // Statements without votes match nothing held.
        assert!(b.match_tallies(&[(10, 0, 1, 1), (11, 0, 1, 0), (12, 0, 0, 0)]));
        let people: Vec<(i64, Vec<(i64, i8)>)> =
            b.people().map(|(p, v)| (p, v.collect())).collect();
        assert_eq!(
            people,
            vec![(1, vec![(10, -1), (11, -1)]), (2, vec![(10, 0)])]
        );
    }

    #[test]
    fn a_packed_vote_unpacks_to_its_statement_and_value() {
        let mut b = Ballots::default();
        // As the database packs them: 4 × statement + sign(value) + 1.
        b.cast_packed(7, 4 * 10);
        b.cast_packed(7, 4 * 11 + 1);
        b.cast_packed(8, 4 * 10 + 2);
        b.cast_packed(7, 4 * 10 + 2);
        assert_eq!(b.sorted(), vec![(7, 10, 1), (7, 11, 0), (8, 10, 1)]);
        assert_eq!((b.votes(), b.votes_read), (3, 4));
        assert!(b.match_tallies(&[(10, 2, 0, 0), (11, 0, 0, 1)]));
    }

    #[test]
    fn the_next_read_starts_a_margin_before_the_last() {
        let mut b = Ballots {
            since: i64::MIN,
            ..Ballots::default()
        };
        b.moved_on(1_000_000_000);
        assert_eq!(b.since, 1_000_000_000 - MARGIN);
        b.moved_on(2_000_000_000);
        assert_eq!(b.since, 2_000_000_000 - MARGIN);
        // A server whose clock is behind never moves it back.
        b.moved_on(1_500_000_000);
        assert_eq!(b.since, 2_000_000_000 - MARGIN);
    }
}
