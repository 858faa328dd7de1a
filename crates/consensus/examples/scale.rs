//! The scale run: a synthetic conversation of the given size, analysed, with
//! the time of each part, the peak memory, and the ARI of our groups and of
//! the oracle against the planted ones; then 1 % more votes, analysed from
//! scratch and updated warm from the first analysis, side by side, with the
//! angle between the update's components and the full run's.
//!
//! `cargo run --release -p xieshang-consensus --example scale -- PARTICIPANTS STATEMENTS VOTES_EACH GROUPS [votes]`

use std::time::Instant;
#[path = "common/grouping.rs"]
mod grouping;

use xieshang_consensus::{adjusted_rand_index, synth};

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let (analyze, update) = grouping::engine(grouping::from_args());
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (n, c, v, g) = match args[..] {
        [n, c, v, g] => (n, c, v, g),
        _ => (10_000, 1_000, 50, 3),
    };
    let t = Instant::now();
    let p = synth::generate(n, c, v, g, 2026);
    let generated = t.elapsed();
    let t = Instant::now();
    let a = analyze(&p.votes);
    let analysed = t.elapsed();
    let more = synth::more_votes(&p, 0.01, 7);
    let t = Instant::now();
    let updated = analyze(&more);
    let again = t.elapsed();
    let moved = synth::moved(&a.groups, &updated.groups);
    let t = Instant::now();
    let warm = update(&more, &a.warm);
    let warm_time = t.elapsed();
    let warm_moved = synth::moved(&a.groups, &warm.groups);
    // How far the update's components are from the full run's, in degrees.
    let angle = |t: usize| {
        let (x, y) = (&warm.warm.components[t], &updated.warm.components[t]);
        let dot: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
        let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
        (dot.abs() / (norm(x) * norm(y)).max(1e-300))
            .min(1.0)
            .acos()
            .to_degrees()
    };
    let oracle = synth::oracle(&p);
    let (mut ours, mut truth, mut best) = (Vec::new(), Vec::new(), Vec::new());
    for ((g, t), o) in a.groups.iter().zip(&p.truth).zip(&oracle) {
        if let Some(x) = g {
            ours.push(*x);
            truth.push(*t);
            best.push(*o);
        }
    }
    println!(
        "{n} participants x {c} statements, {} votes, {g} planted groups: generated in {:.2} s, analysed in {:.2} s; groups {} (silhouettes {:?}); ARI ours {:.4}, oracle {:.4}; with 1 % more votes (analysed in {:.2} s) {:.2} % moved; updated warm in {:.3} s ({:.1} % of the full run) with {:.2} % moved, components {:.3}° and {:.3}° from the full run's; peak {:.0} MiB",
        p.votes.len(),
        generated.as_secs_f64(),
        analysed.as_secs_f64(),
        a.k,
        a.silhouettes
            .iter()
            .map(|(k, s)| format!("{k}:{s:.3}"))
            .collect::<Vec<_>>(),
        adjusted_rand_index(&ours, &truth),
        adjusted_rand_index(&best, &truth),
        again.as_secs_f64(),
        moved * 100.0,
        warm_time.as_secs_f64(),
        100.0 * warm_time.as_secs_f64() / again.as_secs_f64(),
        warm_moved * 100.0,
        angle(0),
        angle(1),
        peak_mib()
    );
}
