//! Replaying a conversation's history the way Pol.is computed it live, to
//! compare with the groups Pol.is exported. Pol.is never analyses a
//! conversation once: it updates its model as votes arrive, each update
//! starting from the last (`POLIS-METHOD.md` §1), so its final groups
//! depend on the path. Replaying the votes in the order they were cast, with
//! updates at growing checkpoints, reproduces that path:
//!
//! - the participants admitted to clustering only ever grow (once in, in);
//! - the components start from the previous update's;
//! - the base clusters (at most 100) start from the previous update's
//!   members, re-centred on their new places, emptied ones dropped, and the
//!   point farthest from its centre split off until there are 100 again;
//!   the first update starts from the first 100 distinct points in order of
//!   first vote; Lloyd's iterations stop when no centre moves 0.01;
//! - for each k in 2..=5 the groups start from that k's previous centres
//!   (first update: the first k distinct base centres), weighted by base
//!   cluster size, twenty Lloyd rounds;
//! - the k shown changes only after the same best k (by silhouette over the
//!   base centres) has won four updates in a row.
//!
//! Deterministic: the same history and checkpoints give the same groups.

use crate::kmeans::{dist2, nearest, silhouette};
use crate::pca;
use crate::votes::VotesBuilder;

/// Base clusters Pol.is keeps.
const BASE_K: usize = 100;
/// Pol.is's Lloyd rounds for base clusters and for groups.
const BASE_ITERS: usize = 100;
const GROUP_ITERS: usize = 20;
/// Updates in a row the same best k must win before it is shown.
const K_BUFFER: usize = 4;

/// Lloyd's iterations as Pol.is runs them: at most `iters` rounds, stopping
/// when no centre moves by 0.01 or more; clusters left empty are dropped.
fn lloyd(
    points: &[[f64; 2]],
    weights: &[f64],
    mut centres: Vec<[f64; 2]>,
    iters: usize,
) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut labels = vec![0; points.len()];
    for _ in 0..iters.max(1) {
        for (i, &p) in points.iter().enumerate() {
            labels[i] = nearest(p, &centres).0;
        }
        let mut sum = vec![[0.0f64; 3]; centres.len()];
        for (i, &p) in points.iter().enumerate() {
            let s = &mut sum[labels[i]];
            s[0] += p[0] * weights[i];
            s[1] += p[1] * weights[i];
            s[2] += weights[i];
        }
        let mut moved = false;
        let mut next = Vec::with_capacity(centres.len());
        for (c, s) in centres.iter().zip(&sum) {
            if s[2] > 0.0 {
                let n = [s[0] / s[2], s[1] / s[2]];
                moved |= dist2(*c, n).sqrt() >= 0.01;
                next.push(n);
            } else {
                moved = true;
            }
        }
        centres = next;
        if !moved {
            break;
        }
    }
    for (i, &p) in points.iter().enumerate() {
        labels[i] = nearest(p, &centres).0;
    }
    (centres, labels)
}

/// The first `k` distinct points, in order.
fn first_distinct(points: &[[f64; 2]], k: usize) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::new();
    for &p in points {
        if out.len() == k {
            break;
        }
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// What one update hands the next.
#[derive(Default)]
struct State {
    components: Option<[Vec<f64>; 2]>,
    admitted: Vec<bool>,
    /// Each admitted participant's base cluster (by row), usize::MAX if none yet.
    base_of: Vec<usize>,
    /// Group centres by k (index k − 2).
    groups: [Option<Vec<[f64; 2]>>; 4],
    shown_k: usize,
    best_run: (usize, usize),
}

/// The groups at the end of a replay, by participant row (`None`: not
/// clustered), and their number.
pub struct Replayed {
    pub groups: Vec<Option<usize>>,
    pub k: usize,
}

/// Replays `cast` (participant row, statement column, value), in the order
/// the votes were cast, with an update after each checkpoint (votes cast so
/// far), and answers the groups of the last update. Rows and columns are
/// numbered in order of first vote; `moderated_out` columns are zeroed.
pub fn replay(
    participants: usize,
    statements: usize,
    cast: &[(usize, usize, i8)],
    moderated_out: &[usize],
    checkpoints: &[usize],
) -> Replayed {
    // Rows and columns in order of first appearance, as Pol.is's matrix has them.
    let mut row = vec![usize::MAX; participants];
    let mut col = vec![usize::MAX; statements];
    let (mut rows, mut cols) = (0, 0);
    let mut ordered = Vec::with_capacity(cast.len());
    for &(p, c, v) in cast {
        if row[p] == usize::MAX {
            row[p] = rows;
            rows += 1;
        }
        if col[c] == usize::MAX {
            col[c] = cols;
            cols += 1;
        }
        ordered.push((row[p], col[c], v));
    }
    let mut s = State::default();
    let mut groups_by_row: Vec<Option<usize>> = Vec::new();
    for &upto in checkpoints {
        groups_by_row = update(
            &mut s,
            &ordered[..upto.min(ordered.len())],
            moderated_out,
            &col,
        );
    }
    let groups = (0..participants)
        .map(|p| {
            let r = row[p];
            if r == usize::MAX {
                None
            } else {
                groups_by_row.get(r).copied().flatten()
            }
        })
        .collect();
    Replayed {
        groups,
        k: s.shown_k,
    }
}

fn update(
    s: &mut State,
    votes: &[(usize, usize, i8)],
    moderated_out: &[usize],
    col: &[usize],
) -> Vec<Option<usize>> {
    let rows = votes.iter().map(|v| v.0 + 1).max().unwrap_or(0);
    let cols = votes.iter().map(|v| v.1 + 1).max().unwrap_or(0);
    let mut b = VotesBuilder::new(rows, cols);
    b.reserve(votes.len());
    for &(p, c, v) in votes {
        b.vote(p, c, v);
    }
    for &m in moderated_out {
        if let Some(&c) = col.get(m)
            && c < cols
        {
            b.moderate_out(c);
        }
    }
    let v = b.build();
    // Admission only grows.
    s.admitted.resize(rows, false);
    s.base_of.resize(rows, usize::MAX);
    for p in v.clustered() {
        s.admitted[p] = true;
    }
    let centre = v.column_means();
    let comps = pca::components_from(&v, &centre, s.components.as_ref());
    let projection = pca::project(&v, &centre, &comps);
    s.components = Some(comps);
    let admitted: Vec<usize> = (0..rows).filter(|&p| s.admitted[p]).collect();
    let points: Vec<[f64; 2]> = admitted.iter().map(|&p| projection[p]).collect();
    if points.len() < 2 {
        return vec![None; rows];
    }
    // Base clusters: warm from the members' new places, or the first distinct points.
    let mut start: Vec<[f64; 2]> = Vec::new();
    let mut sums: Vec<[f64; 3]> = Vec::new();
    for (i, &p) in admitted.iter().enumerate() {
        let b = s.base_of[p];
        if b == usize::MAX {
            continue;
        }
        if b >= sums.len() {
            sums.resize(b + 1, [0.0; 3]);
        }
        sums[b][0] += points[i][0];
        sums[b][1] += points[i][1];
        sums[b][2] += 1.0;
    }
    for x in &sums {
        if x[2] > 0.0 {
            let c = [x[0] / x[2], x[1] / x[2]];
            if !start.contains(&c) {
                start.push(c);
            }
        }
    }
    if start.is_empty() {
        start = first_distinct(&points, BASE_K);
    }
    // Split off the farthest point until there are enough centres.
    let distinct = first_distinct(&points, BASE_K + 1).len();
    while start.len() < BASE_K.min(distinct) {
        let far = points
            .iter()
            .map(|&p| nearest(p, &start).1)
            .enumerate()
            .fold((0, -1.0), |m, (i, d)| if d > m.1 { (i, d) } else { m });
        if far.1 <= 0.0 {
            break;
        }
        start.push(points[far.0]);
    }
    let ones = vec![1.0; points.len()];
    let (base, base_labels) = lloyd(&points, &ones, start, BASE_ITERS);
    for (i, &p) in admitted.iter().enumerate() {
        s.base_of[p] = base_labels[i];
    }
    let mut sizes = vec![0.0; base.len()];
    for &l in &base_labels {
        sizes[l] += 1.0;
    }
    let n_base = base.len();
    if n_base < 2 {
        return vec![None; rows];
    }
    // Groups for each k, warm per k.
    let max_k = 5.min(2 + n_base / 12).min(n_base);
    let mut best = (0usize, f64::NEG_INFINITY, Vec::new());
    let mut by_k: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut sils: Vec<(usize, f64)> = Vec::new();
    for k in 2..=max_k {
        let start = match &s.groups[k - 2] {
            Some(c) if c.len() == k => c.clone(),
            _ => first_distinct(&base, k),
        };
        let (centres, labels) = lloyd(&base, &sizes, start, GROUP_ITERS);
        let kk = centres.len();
        let sil = silhouette(&base, &labels, kk.max(1));
        s.groups[k - 2] = Some(centres);
        by_k.push((k, labels));
        sils.push((k, sil));
    }
    // As in `analyze`: the smallest k within K_MARGIN of the best silhouette.
    let top = sils.iter().map(|x| x.1).fold(f64::NEG_INFINITY, f64::max);
    if let Some(&(k, sil)) = sils.iter().find(|x| x.1 >= top - margin()) {
        let labels = by_k
            .iter()
            .find(|x| x.0 == k)
            .map(|x| x.1.clone())
            .unwrap_or_default();
        best = (k, sil, labels);
    }
    // The k shown moves only after the same best k won K_BUFFER updates in a row.
    if s.best_run.0 == best.0 {
        s.best_run.1 += 1;
    } else {
        s.best_run = (best.0, 1);
    }
    if s.shown_k == 0 || (s.best_run.1 >= K_BUFFER && s.shown_k != best.0) {
        s.shown_k = best.0;
    }
    let shown = by_k
        .iter()
        .find(|(k, _)| *k == s.shown_k)
        .map_or(&best.2, |(_, l)| l);
    let mut out = vec![None; rows];
    for (i, &p) in admitted.iter().enumerate() {
        out[p] = shown.get(base_labels[i]).copied();
    }
    out
}

fn margin() -> f64 {
    std::env::var("REPLAY_MARGIN")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0.0)
}

/// Checkpoints for a replay of `votes` votes: the first at `first`, then
/// each `growth` times the last, and the end.
pub fn checkpoints(votes: usize, first: usize, growth: f64) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = first.max(1) as f64;
    while (at as usize) < votes {
        out.push(at as usize);
        at = (at * growth).max(at + 1.0);
    }
    out.push(votes);
    out
}
