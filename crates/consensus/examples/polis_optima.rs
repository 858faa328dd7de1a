//! Which local optima of k-means Pol.is's groups are, on our opinion map.
//! For each conversation given (a Pol.is openData folder), over the
//! participants both clustered, the adjusted Rand index against Pol.is's
//! groups of:
//!
//! - our groups;
//! - each participant put with the nearest of Pol.is's group centres (the
//!   means of Pol.is's groups on our map): how nearly Pol.is's groups are
//!   regions of our map;
//! - Lloyd's iterations on our map started from Pol.is's centres: whether
//!   Pol.is's groups are a local optimum of k-means here (near 1 if so);
//! - Pol.is's own cold start (base clusters from the first 100 distinct
//!   points, groups from the first k distinct base centres, 20 rounds);
//!
//! and, with k set to Pol.is's, the distinct local optima reached from 200
//! uniformly drawn starts: how many starts reach each, its within-group sum
//! of squares and its index, and the index of the most reached one and of
//! the lowest sum. The medians over the conversations end the output.
//!
//! `cargo run --release -p xieshang-consensus --example polis_optima -- DIR...`
//!
//! Data: Pol.is openData, CC BY 4.0, The Computational Democracy Project.

#[path = "common/folder.rs"]
mod folder;
use xieshang_consensus::{adjusted_rand_index, analyze};

fn d2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}
fn nearest(p: [f64; 2], c: &[[f64; 2]]) -> usize {
    let mut best = 0;
    for (i, &x) in c.iter().enumerate() {
        if d2(p, x) <= d2(p, c[best]) {
            best = i; // ties to the last, as Pol.is
        }
    }
    best
}
/// Weighted Lloyd's iterations, at most `iters`, stopping when no centre
/// moves by `eps` or more; a centre left without points is dropped.
fn lloyd(
    pts: &[[f64; 2]],
    w: &[f64],
    mut c: Vec<[f64; 2]>,
    iters: usize,
    eps: f64,
) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut lab = vec![0; pts.len()];
    for _ in 0..iters {
        for (i, &p) in pts.iter().enumerate() {
            lab[i] = nearest(p, &c);
        }
        let mut s = vec![[0.0; 3]; c.len()];
        for (i, &p) in pts.iter().enumerate() {
            s[lab[i]][0] += w[i] * p[0];
            s[lab[i]][1] += w[i] * p[1];
            s[lab[i]][2] += w[i];
        }
        let mut moved: f64 = 0.0;
        let mut nc = Vec::new();
        for (j, x) in s.iter().enumerate() {
            if x[2] > 0.0 {
                let q = [x[0] / x[2], x[1] / x[2]];
                moved = moved.max(d2(q, c[j]).sqrt());
                nc.push(q);
            } else {
                moved = f64::INFINITY;
            }
        }
        c = nc;
        if moved < eps {
            break;
        }
    }
    for (i, &p) in pts.iter().enumerate() {
        lab[i] = nearest(p, &c);
    }
    (c, lab)
}
/// The first `k` distinct points, in order (Pol.is's cold start).
fn first_distinct(pts: &[[f64; 2]], k: usize) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::new();
    for &p in pts {
        if !out.iter().any(|q| q[0] == p[0] && q[1] == p[1]) {
            out.push(p);
            if out.len() == k {
                break;
            }
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    (v[(n - 1) / 2] + v[n / 2]) / 2.0
}

fn main() {
    let mut rows: Vec<[f64; 6]> = Vec::new();
    for (name, c, polis) in folder::readable(std::env::args().skip(1)) {
        let a = analyze(&c.votes);
        // All our clustered participants, with Pol.is's group where it has one.
        let placed = folder::placed(&c, &polis, &a);
        let pts: Vec<[f64; 2]> = placed.iter().map(|p| p.0).collect();
        let ours: Vec<usize> = placed.iter().map(|p| p.1).collect();
        let theirs: Vec<Option<usize>> = placed.iter().map(|p| p.2).collect();
        let both: Vec<(usize, usize)> = theirs
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.map(|g| (i, g)))
            .collect();
        let kp = both.iter().map(|b| b.1 + 1).max().unwrap_or(1);
        if kp < 2 {
            continue;
        }
        let ari = |lab: &[usize]| {
            let x: Vec<usize> = both.iter().map(|&(i, _)| lab[i]).collect();
            let y: Vec<usize> = both.iter().map(|&(_, g)| g).collect();
            adjusted_rand_index(&x, &y)
        };
        // Pol.is's group centres on our map.
        let mut cs = vec![[0.0; 3]; kp];
        for &(i, g) in &both {
            cs[g][0] += pts[i][0];
            cs[g][1] += pts[i][1];
            cs[g][2] += 1.0;
        }
        let start: Vec<[f64; 2]> = cs
            .iter()
            .map(|x| [x[0] / x[2].max(1.0), x[1] / x[2].max(1.0)])
            .collect();
        let ones = vec![1.0; pts.len()];
        let nearest_polis: Vec<usize> = pts.iter().map(|&p| nearest(p, &start)).collect();
        let (_, from_polis) = lloyd(&pts, &ones, start, 1000, 0.0);
        // Pol.is's cold start, with Pol.is's number of groups.
        let (bc, bl) = lloyd(&pts, &ones, first_distinct(&pts, 100), 100, 0.01);
        let mut bw = vec![0.0; bc.len()];
        bl.iter().for_each(|&l| bw[l] += 1.0);
        let (_, gl) = lloyd(&bc, &bw, first_distinct(&bc, kp), 20, 0.01);
        let cold: Vec<usize> = bl.iter().map(|&l| gl[l]).collect();
        // Local optima from 200 starts, each k participants drawn at random
        // (xorshift, a fixed seed); the same grouping (ARI over 0.999) is
        // one optimum.
        let mut rng: u64 = 0x1234_5678;
        let mut draw = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let sse = |c: &[[f64; 2]], l: &[usize]| -> f64 {
            pts.iter().zip(l).map(|(p, &g)| d2(*p, c[g])).sum()
        };
        // (labels, sum of squares, starts that reached it)
        let mut optima: Vec<(Vec<usize>, f64, usize)> = Vec::new();
        for _ in 0..200 {
            let st: Vec<[f64; 2]> = (0..kp).map(|_| pts[draw(pts.len())]).collect();
            let (cc, ll) = lloyd(&pts, &ones, st, 1000, 0.0);
            if cc.len() < kp {
                continue;
            }
            let e = sse(&cc, &ll);
            match optima
                .iter_mut()
                .find(|o| adjusted_rand_index(&o.0, &ll) > 0.999)
            {
                Some(o) => o.2 += 1,
                None => optima.push((ll, e, 1)),
            }
        }
        optima.sort_by_key(|o| std::cmp::Reverse(o.2));
        let (Some(most), Some(lowest)) = (
            optima.first(),
            optima.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        ) else {
            continue;
        };
        let row = [
            ari(&ours),
            ari(&nearest_polis),
            ari(&from_polis),
            ari(&cold),
            ari(&most.0),
            ari(&lowest.0),
        ];
        println!(
            "{name}: k {kp}; ours {:.3}, nearest Pol.is centre {:.3}, Lloyd from Pol.is's centres {:.3}, Pol.is's cold start {:.3}; most reached optimum {:.3}, lowest sum {:.3}",
            row[0], row[1], row[2], row[3], row[4], row[5]
        );
        let seen: Vec<String> = optima
            .iter()
            .take(5)
            .map(|o| format!("{} starts, sum {:.0}, ARI {:.2}", o.2, o.1, ari(&o.0)))
            .collect();
        println!("    optima: {}", seen.join("; "));
        rows.push(row);
    }
    let col = |i: usize| median(rows.iter().map(|r| r[i]).collect());
    println!(
        "medians over {}: ours {:.3}, nearest Pol.is centre {:.3}, Lloyd from Pol.is's centres {:.3}, Pol.is's cold start {:.3}, most reached {:.3}, lowest sum {:.3}",
        rows.len(),
        col(0),
        col(1),
        col(2),
        col(3),
        col(4),
        col(5)
    );
}
