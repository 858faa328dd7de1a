//! What each group stands for and what all groups share: Pol.is's
//! representativeness of a statement for a group, and group-informed
//! consensus (formulas in the crate's notes).

use crate::votes::Votes;

/// A statement that represents a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Represent {
    pub statement: usize,
    /// `true` when the group agrees with it more than the rest, `false` when
    /// it disagrees more.
    pub agree: bool,
    /// The share of the group that agrees (or disagrees), with its prior.
    pub p: f64,
    /// That share over the rest's.
    pub ratio: f64,
    /// The two-proportion z against the rest.
    pub z: f64,
    pub n_agree: u32,
    pub n_disagree: u32,
    pub n_votes: u32,
}

/// A statement's group-informed consensus.
#[derive(Debug, Clone, PartialEq)]
pub struct Consensus {
    pub statement: usize,
    /// Π over groups of (agrees + 1) / (votes + 2).
    pub agree: f64,
    /// Π over groups of (disagrees + 1) / (votes + 2).
    pub disagree: f64,
}

/// One-sided 90 %.
const Z90: f64 = 1.2816;

fn prop_test(s: f64, n: f64) -> f64 {
    2.0 * (n + 1.0).sqrt() * ((s + 1.0) / (n + 1.0) - 0.5)
}

fn two_prop_test(s1: f64, s2: f64, n1: f64, n2: f64) -> f64 {
    let (s1, s2, n1, n2) = (s1 + 1.0, s2 + 1.0, n1 + 1.0, n2 + 1.0);
    let (p1, p2) = (s1 / n1, s2 / n2);
    let p = (s1 + s2) / (n1 + n2);
    if p >= 1.0 || p <= 0.0 {
        return 0.0;
    }
    (p1 - p2) / (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

/// Agrees, disagrees and votes of each group on each statement:
/// `counts[g][c] = [agree, disagree, votes]`. Counted once, in one pass over
/// the votes, for both [`represent`] and [`consensus`].
pub fn tallies(v: &Votes, groups: &[Option<usize>], k: usize) -> Vec<Vec<[u32; 3]>> {
    // One counter per vote, by its value (disagree, pass, agree); the three
    // sums are taken once per cell afterwards, and a statement moderated
    // out counts every vote on it as a pass (`Votes::rated`) there rather
    // than vote by vote. The group with the most votes is not counted vote
    // by vote: its counts are what each statement's totals leave after the
    // other groups and the participants not clustered.
    let c = v.statements();
    let mut votes_of_group = vec![0usize; k];
    for (p, g) in groups.iter().enumerate() {
        if let Some(g) = *g {
            votes_of_group[g] += v.votes_of(p);
        }
    }
    let left = (0..k).max_by_key(|&g| (votes_of_group[g], std::cmp::Reverse(g)));
    // Row `k` counts the participants not clustered.
    let mut by_value = vec![[0u32; 3]; (k + 1) * c];
    for (p, g) in groups.iter().enumerate() {
        let row = match *g {
            Some(g) if Some(g) == left => continue,
            Some(g) => g,
            None => k,
        };
        let row = &mut by_value[row * c..(row + 1) * c];
        for (j, x) in v.row(p) {
            row[j][(x.clamp(-1, 1) + 1) as usize] += 1;
        }
    }
    if let Some(left) = left {
        for j in 0..c {
            let mut rest = v.tally_of(j);
            for g in (0..=k).filter(|&g| g != left) {
                for (r, n) in rest.iter_mut().zip(by_value[g * c + j]) {
                    *r -= n;
                }
            }
            by_value[left * c + j] = rest;
        }
    }
    (0..k)
        .map(|g| {
            (0..c)
                .map(|j| {
                    let [d, p, a] = by_value[g * c + j];
                    if v.is_moderated_out(j) {
                        [0, 0, d + p + a]
                    } else {
                        [a, d, d + p + a]
                    }
                })
                .collect()
        })
        .collect()
}

/// Each group's representative statements, best first, at most five.
/// `t` is the groups' [`tallies`].
pub fn represent(v: &Votes, t: &[Vec<[u32; 3]>]) -> Vec<Vec<Represent>> {
    let k = t.len();
    let mut all = vec![[0u32; 3]; v.statements()];
    for g in t {
        for (c, x) in g.iter().enumerate() {
            for i in 0..3 {
                all[c][i] += x[i];
            }
        }
    }
    (0..k)
        .map(|g| {
            let mut found: Vec<(f64, Represent)> = Vec::new();
            for c in 0..v.statements() {
                if v.is_moderated_out(c) {
                    continue;
                }
                let [na, nd, ns] = t[g][c].map(f64::from);
                let rest = [
                    all[c][0] - t[g][c][0],
                    all[c][1] - t[g][c][1],
                    all[c][2] - t[g][c][2],
                ]
                .map(f64::from);
                let pa = (na + 1.0) / (ns + 2.0);
                let pd = (nd + 1.0) / (ns + 2.0);
                let ra = pa / ((rest[0] + 1.0) / (rest[2] + 2.0));
                let rd = pd / ((rest[1] + 1.0) / (rest[2] + 2.0));
                let (pat, pdt) = (prop_test(na, ns), prop_test(nd, ns));
                let rat = two_prop_test(na, rest[0], ns, rest[2]);
                let rdt = two_prop_test(nd, rest[1], ns, rest[2]);
                let agree = rat > rdt;
                let sufficient = (rat > Z90 && pat > Z90) || (rdt > Z90 && pdt > Z90);
                if !sufficient {
                    continue;
                }
                let (p, ratio, z, pt) = if agree {
                    (pa, ra, rat, pat)
                } else {
                    (pd, rd, rdt, pdt)
                };
                found.push((
                    ratio * z * p * pt,
                    Represent {
                        statement: c,
                        agree,
                        p,
                        ratio,
                        z,
                        n_agree: t[g][c][0],
                        n_disagree: t[g][c][1],
                        n_votes: t[g][c][2],
                    },
                ));
            }
            found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.statement.cmp(&b.1.statement)));
            let mut top: Vec<Represent> = found.into_iter().take(5).map(|f| f.1).collect();
            // Agreement first, as Pol.is shows them.
            top.sort_by_key(|r| !r.agree);
            top
        })
        .collect()
}

/// Every statement still in, by group-informed consensus (agree), strongest first.
/// `t` is the groups' [`tallies`].
pub fn consensus(v: &Votes, t: &[Vec<[u32; 3]>]) -> Vec<Consensus> {
    let mut out: Vec<Consensus> = (0..v.statements())
        .filter(|&c| !v.is_moderated_out(c))
        .map(|c| {
            let (mut a, mut d) = (1.0, 1.0);
            for g in t {
                let [na, nd, ns] = g[c].map(f64::from);
                a *= (na + 1.0) / (ns + 2.0);
                d *= (nd + 1.0) / (ns + 2.0);
            }
            Consensus {
                statement: c,
                agree: a,
                disagree: d,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.agree
            .total_cmp(&a.agree)
            .then(a.statement.cmp(&b.statement))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::votes::VotesBuilder;

    #[test]
    fn the_statement_a_group_alone_agrees_with_represents_it() {
        // Statement 0: group 0 agrees, group 1 disagrees. Statement 1: everyone agrees.
        let mut b = VotesBuilder::new(40, 2);
        for p in 0..40 {
            b.vote(p, 0, if p < 20 { 1 } else { -1 });
            b.vote(p, 1, 1);
        }
        let v = b.build();
        let groups: Vec<Option<usize>> = (0..40).map(|p| Some(usize::from(p >= 20))).collect();
        let r = represent(&v, &tallies(&v, &groups, 2));
        assert_eq!(r[0][0].statement, 0);
        assert!(r[0][0].agree);
        assert_eq!(r[1][0].statement, 0);
        assert!(!r[1][0].agree);
        assert!(
            r[0].iter().all(|x| x.statement != 1),
            "shared, so not representative"
        );
        let c = consensus(&v, &tallies(&v, &groups, 2));
        assert_eq!(c[0].statement, 1, "everyone agrees with it");
        assert!((c[0].agree - (21.0f64 / 22.0).powi(2)).abs() < 1e-12);
    }

    #[test]
    fn tallies_count_each_groups_votes_whichever_group_is_left_to_the_totals() {
        // Random votes, some participants not clustered, a statement
        // moderated out: every group's counts as counting them one by one.
        let mut rng = crate::synth::Rng::new(9);
        let mut b = VotesBuilder::new(300, 12);
        for p in 0..300 {
            for c in 0..12 {
                if rng.unit() < 0.6 {
                    b.vote(p, c, [-1, 0, 1][rng.below(3)]);
                }
            }
        }
        b.moderate_out(4);
        let v = b.build();
        for k in 1..=4 {
            let groups: Vec<Option<usize>> = (0..300)
                .map(|p| (p % 7 != 0).then_some((p * p + 3 * p) % k))
                .collect();
            let mut want = vec![vec![[0u32; 3]; 12]; k];
            for (p, g) in groups.iter().enumerate() {
                let Some(g) = *g else { continue };
                for (c, x) in v.row(p) {
                    let x = v.rated(c, x);
                    want[g][c][0] += u32::from(x > 0);
                    want[g][c][1] += u32::from(x < 0);
                    want[g][c][2] += 1;
                }
            }
            assert_eq!(tallies(&v, &groups, k), want, "k {k}");
        }
    }
}
