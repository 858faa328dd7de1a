//! Groups refined on the votes themselves: each clustered participant moves
//! to the group under whose vote profile, and size, their votes are most
//! probable (the maximum a posteriori group; rounds of classification EM).
//!
//! [`analyze`](crate::analyze) does not call this: its groups are cuts of
//! the opinion map, as Pol.is's are. Refining finds planted groups almost
//! as well as the oracle does, but moves the groups away from Pol.is's on
//! the real conversations (BENCHMARKS.md, fifth session): which of the two
//! the platform should show is a choice for its planners, and this is the
//! half of it that is ready.

use crate::Votes;
use crate::repness::tallies;

/// `rounds` rounds of reassignment, from `groups` (participants not
/// clustered stay so). A group's profile is its members' share of
/// disagrees, passes and agrees on each statement, each count plus one
/// (Laplace); its prior is its share of the clustered participants. A group
/// left empty keeps its number and is never chosen again. Deterministic:
/// ties keep the lower group number.
pub fn refine(v: &Votes, groups: &[Option<usize>], k: usize, rounds: usize) -> Vec<Option<usize>> {
    let mut groups = groups.to_vec();
    for _ in 0..rounds {
        let counts = tallies(v, &groups, k);
        // ln P(value | group, statement), by value: disagree, pass, agree.
        let log_p: Vec<Vec<[f64; 3]>> = counts
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|&[agree, disagree, all]| {
                        let (a, d, n) = (f64::from(agree), f64::from(disagree), f64::from(all));
                        let total = n + 3.0;
                        [
                            ((d + 1.0) / total).ln(),
                            ((n - a - d + 1.0) / total).ln(),
                            ((a + 1.0) / total).ln(),
                        ]
                    })
                    .collect()
            })
            .collect();
        let mut size = vec![0.0f64; k];
        for &g in groups.iter().flatten() {
            size[g] += 1.0;
        }
        let clustered: f64 = size.iter().sum();
        let prior: Vec<f64> = size.iter().map(|&s| (s / clustered).ln()).collect();
        let mut moved = false;
        for (p, slot) in groups.iter_mut().enumerate() {
            let Some(now) = *slot else { continue };
            let mut best = (now, f64::NEG_INFINITY);
            for (g, lp) in log_p.iter().enumerate() {
                let score = prior[g]
                    + v.row(p)
                        .map(|(j, x)| lp[j][(v.rated(j, x).clamp(-1, 1) + 1) as usize])
                        .sum::<f64>();
                if score > best.1 {
                    best = (g, score);
                }
            }
            moved |= best.0 != now;
            *slot = Some(best.0);
        }
        if !moved {
            break;
        }
    }
    groups
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
        // No rounds, no change.
        assert_eq!(refine(&p.votes, &a.groups, a.k, 0), a.groups);
    }
}
