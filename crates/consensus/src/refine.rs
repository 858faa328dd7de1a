//! Groups refined on the votes themselves ([`Grouping::Votes`]): each
//! clustered participant moves to the group under whose vote profile, and
//! size, their votes are most probable (the maximum a posteriori group;
//! rounds of classification EM).
//!
//! The map's groups are cuts of a two-dimensional summary of the votes, as
//! Pol.is's are; refining finds planted groups almost as well as an oracle
//! that knows their profiles, but moves the groups away from Pol.is's on
//! the real conversations (BENCHMARKS.md). So it is a choice, made per
//! deliberation: [`analyze_by`] and [`update_by`] refine when asked to.
//!
//! [`Grouping::Votes`]: crate::Grouping::Votes
//! [`analyze_by`]: crate::analyze_by
//! [`update_by`]: crate::update_by

use crate::repness::tallies;
use crate::{Profile, Votes};

/// `rounds` rounds of reassignment, from `groups` (participants not
/// clustered stay so). A group's profile is its members' share of
/// disagrees, passes and agrees on each statement, each count plus one
/// (Laplace); its prior is its share of the clustered participants. A group
/// left empty keeps its number and is never chosen again. Deterministic:
/// ties keep the lower group number.
pub fn refine(v: &Votes, groups: &[Option<usize>], k: usize, rounds: usize) -> Vec<Option<usize>> {
    refine_counted(v, groups, k, rounds).0
}

/// [`refine`], also answering the refined groups' [`tallies`]. The votes
/// are counted once, before the first round; after each round only the
/// votes of those who moved are taken from one group's counts to
/// another's, so that a round costs one pass over the votes, not two, and
/// the analysis needs no further count of its own.
pub(crate) fn refine_counted(
    v: &Votes,
    groups: &[Option<usize>],
    k: usize,
    rounds: usize,
) -> (Vec<Option<usize>>, Vec<Vec<[u32; 3]>>) {
    let mut groups = groups.to_vec();
    let mut counts = tallies(v, &groups, k);
    let c = v.statements();
    // ln P(value | group, statement), laid out by statement, value
    // (disagree, pass, agree) and then group, so that a participant's
    // scores for every group are summed in one pass over their votes. A
    // statement moderated out says nothing about anyone and stays 0.
    let mut log_p = vec![0.0f64; c * 3 * k];
    let mut moves: Vec<(usize, usize, usize)> = Vec::new();
    for _ in 0..rounds {
        log_profiles(v, &counts, &mut log_p);
        let mut size = vec![0.0f64; k];
        for &g in groups.iter().flatten() {
            size[g] += 1.0;
        }
        let prior = log_prior(&size);
        let clustered: Vec<usize> = (0..groups.len()).filter(|&p| groups[p].is_some()).collect();
        most_probable_each(v, &clustered, &log_p, &prior, |p, g| {
            let now = groups[p].unwrap_or(g);
            if g != now {
                moves.push((p, now, g));
                groups[p] = Some(g);
            }
        });
        if moves.is_empty() {
            break;
        }
        for (p, from, to) in moves.drain(..) {
            for (j, x) in v.row(p) {
                // As `tallies` counts: [agree, disagree, all], a statement
                // moderated out counting every vote as a pass.
                let x = v.rated(j, x);
                let one = [u32::from(x > 0), u32::from(x < 0), 1];
                for (i, n) in one.iter().enumerate() {
                    counts[from][j][i] -= n;
                    counts[to][j][i] += n;
                }
            }
        }
    }
    (groups, counts)
}

/// `ln P(value | group, statement)` from a group's tallies, laid out by
/// statement, value (disagree, pass, agree) and then group; 0 for a
/// statement moderated out or beyond the tallies (one newer than them).
fn log_profiles<T: AsRef<[[u32; 3]]>>(v: &Votes, counts: &[T], log_p: &mut [f64]) {
    let k = counts.len();
    for (g, group) in counts.iter().enumerate() {
        for (j, &[agree, disagree, all]) in group.as_ref().iter().enumerate() {
            let at = j * 3 * k + g;
            if v.is_moderated_out(j) {
                log_p[at] = 0.0;
                log_p[at + k] = 0.0;
                log_p[at + 2 * k] = 0.0;
                continue;
            }
            let (a, d, n) = (f64::from(agree), f64::from(disagree), f64::from(all));
            let total = n + 3.0;
            log_p[at] = ((d + 1.0) / total).ln();
            log_p[at + k] = ((n - a - d + 1.0) / total).ln();
            log_p[at + 2 * k] = ((a + 1.0) / total).ln();
        }
    }
}

/// Each group's share of the whole, as a log prior (an empty group's is
/// −∞: it is never chosen).
fn log_prior(size: &[f64]) -> Vec<f64> {
    let all: f64 = size.iter().sum();
    size.iter().map(|&s| (s / all).ln()).collect()
}

/// One round of refinement from earlier groups' tallies: each of the
/// `clustered` participants goes to the group whose earlier profile makes
/// their votes most probable (the prior: each earlier group's share of the
/// members), and the new groups are counted (as [`tallies`] counts them).
pub(crate) fn reassign_counted(
    v: &Votes,
    clustered: &[usize],
    earlier: &[Profile],
) -> (Vec<Option<usize>>, Vec<Vec<[u32; 3]>>) {
    let (k, c) = (earlier.len(), v.statements());
    let mut log_p = vec![0.0f64; c * 3 * k];
    let earlier_tallies: Vec<&[[u32; 3]]> = earlier.iter().map(|g| g.tallies.as_slice()).collect();
    log_profiles(v, &earlier_tallies, &mut log_p);
    let members: Vec<f64> = earlier.iter().map(|g| g.members.max(1) as f64).collect();
    let prior = log_prior(&members);
    let mut groups = vec![None; v.participants()];
    most_probable_each(v, clustered, &log_p, &prior, |p, g| groups[p] = Some(g));
    let counts = tallies(v, &groups, k);
    (groups, counts)
}

/// Hands each of `participants` to `place` with their most probable group
/// under the profiles `log_p` and the `prior`.
fn most_probable_each(
    v: &Votes,
    participants: &[usize],
    log_p: &[f64],
    prior: &[f64],
    mut place: impl FnMut(usize, usize),
) {
    match prior.len() {
        2 => score_each::<2>(v, participants, log_p, prior, &mut place),
        3 => score_each::<3>(v, participants, log_p, prior, &mut place),
        4 => score_each::<4>(v, participants, log_p, prior, &mut place),
        5 => score_each::<5>(v, participants, log_p, prior, &mut place),
        k => {
            let mut score = vec![0.0f64; k];
            for &p in participants {
                score.copy_from_slice(prior);
                for (j, x) in v.row(p) {
                    let at = (j * 3 + (x.clamp(-1, 1) + 1) as usize) * k;
                    for (s, l) in score.iter_mut().zip(&log_p[at..at + k]) {
                        *s += l;
                    }
                }
                place(p, most_probable(&score));
            }
        }
    }
}

/// Hands each of `participants` to `place` with their most probable group,
/// for a constant number of groups (the scores then live in registers).
fn score_each<const K: usize>(
    v: &Votes,
    participants: &[usize],
    log_p: &[f64],
    prior: &[f64],
    place: &mut impl FnMut(usize, usize),
) {
    let mut start = [0.0f64; K];
    start.copy_from_slice(prior);
    for &p in participants {
        let mut score = start;
        for (j, x) in v.row(p) {
            let at = (j * 3 + (x.clamp(-1, 1) + 1) as usize) * K;
            let l: &[f64; K] = log_p[at..at + K].try_into().unwrap_or(&[0.0; K]);
            for g in 0..K {
                score[g] += l[g];
            }
        }
        place(p, most_probable(&score));
    }
}

/// The group with the highest score, the lower number on a tie.
fn most_probable(score: &[f64]) -> usize {
    let mut best = 0;
    for (g, &s) in score.iter().enumerate() {
        if s > score[best] {
            best = g;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{adjusted_rand_index, analyze, synth};

    #[test]
    fn refining_recovers_planted_groups_about_as_well_as_the_oracle() {
        let p = synth::generate(3_000, 300, 50, 3, 2026);
        let a = analyze(&p.votes);
        let refined = refine(&p.votes, &a.groups, a.k, 2);
        let score = |groups: &[Option<usize>]| {
            let (mut ours, mut truth) = (Vec::new(), Vec::new());
            for (g, t) in groups.iter().zip(&p.truth) {
                if let Some(g) = g {
                    ours.push(*g);
                    truth.push(*t);
                }
            }
            adjusted_rand_index(&ours, &truth)
        };
        let oracle = adjusted_rand_index(&synth::oracle(&p), &p.truth);
        let (before, after) = (score(&a.groups), score(&refined));
        assert!(after > before, "{before} then {after}");
        assert!(
            after > oracle - 0.02,
            "{after} against the oracle's {oracle}"
        );
        // Deterministic, and the unclustered stay unclustered.
        assert_eq!(refine(&p.votes, &a.groups, a.k, 2), refined);
        for (r, g) in refined.iter().zip(&a.groups) {
            assert_eq!(r.is_none(), g.is_none());
        }
        // The counts kept along the way are the refined groups' own.
        let (again, counts) = refine_counted(&p.votes, &a.groups, a.k, 2);
        assert_eq!(again, refined);
        assert_eq!(counts, tallies(&p.votes, &refined, a.k));
        // No rounds, no change.
        assert_eq!(refine(&p.votes, &a.groups, a.k, 0), a.groups);
    }
}
