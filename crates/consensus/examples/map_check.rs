//! Where planted groups are kept or lost: for a synthetic conversation, the
//! ARI against the planted groups of k-means with k forced to the planted
//! number, on maps made from different covariances (dense matrices, so for
//! up to a few thousand statements):
//!
//! - `imputed`: Pol.is's, the covariance of the mean-imputed votes;
//! - `weighted`: ours, the same with each statement weighted by
//!   `statement_weights` (what `analyze` uses);
//! - `pairwise`: each pair's covariance over the participants who voted on
//!   both (unbiased, but dense: no sparse shortcut);
//! - `ideal`: the planted groups' own profiles (an upper bound for a
//!   two-dimensional map).
//!
//! Each map projects participants as `analyze` does (their votes' deviations
//! times the loadings, scaled by `sqrt(C / n)`), and the engine's k-means
//! groups them.
//!
//! `cargo run --release -p xieshang-consensus --example map_check -- PARTICIPANTS STATEMENTS`

use xieshang_consensus::{Votes, adjusted_rand_index, kmeans, statement_weights, synth};

type Matrix = Vec<Vec<f64>>;

/// The two leading eigenvectors by power iteration from a fixed start.
fn leading_two(m: &Matrix) -> [Vec<f64>; 2] {
    let c = m.len();
    let mut rng = synth::Rng::new(11);
    let mut a: Vec<f64> = (0..c).map(|_| rng.unit() - 0.5).collect();
    let mut b: Vec<f64> = (0..c).map(|_| rng.unit() - 0.5).collect();
    let times = |x: &[f64]| -> Vec<f64> {
        m.iter()
            .map(|row| row.iter().zip(x).map(|(p, q)| p * q).sum())
            .collect()
    };
    let unit = |x: &mut Vec<f64>| {
        let n = x.iter().map(|y| y * y).sum::<f64>().sqrt().max(1e-300);
        x.iter_mut().for_each(|y| *y /= n);
    };
    for _ in 0..500 {
        let (mut na, mut nb) = (times(&a), times(&b));
        unit(&mut na);
        let k: f64 = na.iter().zip(&nb).map(|(x, y)| x * y).sum();
        nb.iter_mut().zip(&na).for_each(|(y, x)| *y -= k * x);
        unit(&mut nb);
        (a, b) = (na, nb);
    }
    [a, b]
}

fn project(v: &Votes, mean: &[f64], l: &[Vec<f64>; 2]) -> Vec<[f64; 2]> {
    let c = v.statements() as f64;
    (0..v.participants())
        .map(|p| {
            let (mut x, mut y) = (0.0, 0.0);
            for (j, val) in v.row(p) {
                let d = f64::from(val) - mean[j];
                x += d * l[0][j];
                y += d * l[1][j];
            }
            let s = (c / v.votes_of(p).max(1) as f64).sqrt();
            [x * s, y * s]
        })
        .collect()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (n, c) = match args[..] {
        [n, c] => (n, c),
        _ => (10_000, 1_000),
    };
    let groups = 3;
    let planted = synth::generate(n, c, 50, groups, 2026);
    let v = &planted.votes;
    let mean = v.column_means();
    let mut imputed = vec![vec![0.0; c]; c];
    let mut both = vec![vec![0.0f64; c]; c];
    for p in 0..n {
        let row: Vec<(usize, f64)> = v.row(p).map(|(j, x)| (j, f64::from(x) - mean[j])).collect();
        for &(j, a) in &row {
            for &(k, b) in &row {
                imputed[j][k] += a * b;
                both[j][k] += 1.0;
            }
        }
    }
    let w = statement_weights(v);
    let weighted: Matrix = (0..c)
        .map(|j| (0..c).map(|k| imputed[j][k] * w[j] * w[k]).collect())
        .collect();
    let pairwise: Matrix = (0..c)
        .map(|j| {
            (0..c)
                .map(|k| {
                    if both[j][k] > 3.0 {
                        imputed[j][k] / both[j][k]
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    // The planted profiles' between-group covariance of expected votes.
    let share: Vec<f64> = (0..groups)
        .map(|g| planted.truth.iter().filter(|&&t| t == g).count() as f64 / n as f64)
        .collect();
    let expected: Vec<Vec<f64>> = planted
        .profiles
        .iter()
        .map(|pr| pr.iter().map(|(a, d)| a - d).collect())
        .collect();
    let overall: Vec<f64> = (0..c)
        .map(|j| (0..groups).map(|g| share[g] * expected[g][j]).sum())
        .collect();
    let ideal: Matrix = (0..c)
        .map(|j| {
            (0..c)
                .map(|k| {
                    (0..groups)
                        .map(|g| {
                            share[g] * (expected[g][j] - overall[j]) * (expected[g][k] - overall[k])
                        })
                        .sum()
                })
                .collect()
        })
        .collect();
    println!(
        "{n} x {c}: oracle ARI {:.3}",
        adjusted_rand_index(&synth::oracle(&planted), &planted.truth)
    );
    for (name, m) in [
        ("imputed", &imputed),
        ("weighted", &weighted),
        ("pairwise", &pairwise),
        ("ideal", &ideal),
    ] {
        let points = project(v, &mean, &leading_two(m));
        // The engine's own k-means (k-means++ starts, the best of ten).
        let labels = kmeans(&points, &vec![1.0; points.len()], groups, 10, 0).labels;
        println!(
            "{name:>9}: ARI with k = {groups}: {:.3}",
            adjusted_rand_index(&labels, &planted.truth)
        );
    }
}
