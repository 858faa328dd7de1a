//! Where our groups and Pol.is's part: for each conversation given (a Pol.is
//! openData folder with `votes.csv`, `comments.csv` and
//! `participants-votes.csv`), the adjusted Rand index of our groups against
//! Pol.is's, and of the best straight cut of our opinion map into two
//! sides (every direction in steps of a quarter of a degree, every cut
//! point along it) against Pol.is's groups, with the sizes of its two
//! sides, beside the sizes of our groups and of Pol.is's (over the
//! participants both clustered). A high best-cut index says that Pol.is's groups are, nearly, a
//! cut of the same map, so that the difference lies in where the cut falls
//! rather than in the map.
//!
//! `cargo run --release -p xieshang-consensus --example polis_cuts -- DIR...`
//!
//! Data: Pol.is openData, CC BY 4.0, The Computational Democracy Project.

#[path = "common/folder.rs"]
mod folder;

use xieshang_consensus::{adjusted_rand_index, analyze};

/// The adjusted Rand index from a contingency table (rows: one labelling's
/// groups, columns: the other's).
fn ari_of_table(table: &[Vec<u64>]) -> f64 {
    let pairs = |n: u64| (n * n.saturating_sub(1) / 2) as f64;
    let columns = table.first().map_or(0, Vec::len);
    let n: u64 = table.iter().flatten().sum();
    let index: f64 = table.iter().flatten().map(|&x| pairs(x)).sum();
    let rows: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let cols: f64 = (0..columns)
        .map(|j| pairs(table.iter().map(|r| r[j]).sum()))
        .sum();
    let expected = rows * cols / pairs(n).max(1.0);
    let most = (rows + cols) / 2.0;
    if most == expected {
        return 1.0;
    }
    (index - expected) / (most - expected)
}

/// The best straight two-way cut of `points` against `labels` (0..k):
/// its index, direction in degrees and the size of the side cut off.
fn best_cut(points: &[[f64; 2]], labels: &[usize]) -> (f64, f64, usize) {
    let k = labels.iter().max().map_or(1, |m| m + 1);
    let mut best = (f64::NEG_INFINITY, 0.0, 0);
    for step in 0..720 {
        let angle = step as f64 * std::f64::consts::PI / 720.0;
        let (c, s) = (angle.cos(), angle.sin());
        let along = |p: &[f64; 2]| p[0] * c + p[1] * s;
        let mut order: Vec<usize> = (0..points.len()).collect();
        order.sort_by(|&a, &b| along(&points[a]).total_cmp(&along(&points[b])));
        // Moving the points one by one from the far side to the near side
        // updates the table in place.
        let mut table = vec![vec![0u64; k]; 2];
        for &i in &order {
            table[1][labels[i]] += 1;
        }
        for (n, &i) in order.iter().enumerate() {
            table[1][labels[i]] -= 1;
            table[0][labels[i]] += 1;
            let x = ari_of_table(&table);
            if x > best.0 {
                best = (x, angle.to_degrees(), n + 1);
            }
        }
    }
    best
}

fn main() {
    println!(
        "| dataset | clustered by both | ARI | our groups | Pol.is's groups | best straight cut: ARI | its sides |"
    );
    println!("|---|---:|---:|---|---|---:|---|");
    for (name, c, polis) in folder::readable(std::env::args().skip(1)) {
        let a = analyze(&c.votes);
        let (mut points, mut ours, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
        for (point, g, h) in folder::placed(&c, &polis, &a) {
            if let Some(h) = h {
                points.push(point);
                ours.push(g);
                theirs.push(h);
            }
        }
        let (cut, _, side) = best_cut(&points, &theirs);
        let sizes = |labels: &[usize]| {
            let mut n = vec![0usize; labels.iter().max().map_or(0, |m| m + 1)];
            labels.iter().for_each(|&l| n[l] += 1);
            n.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "| {name} | {} | {:.3} | {} | {} | {cut:.3} | {side} and {} |",
            points.len(),
            adjusted_rand_index(&ours, &theirs),
            sizes(&ours),
            sizes(&theirs),
            points.len() - side
        );
    }
}
