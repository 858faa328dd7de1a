//! Item 6's ratio, measured side by side: a synthetic conversation of the
//! given size, analysed; then, after 1 % more votes, the full analysis and
//! the warm update timed in turn, `ROUNDS` times each, interleaved so that
//! a machine whose speed drifts slows both alike. Prints both medians and
//! their ratio.
//!
//! `cargo run --release -p xieshang-consensus --example update_ratio -- PARTICIPANTS STATEMENTS [ROUNDS] [votes]`

use std::time::Instant;
#[path = "common/grouping.rs"]
mod grouping;

use xieshang_consensus::synth;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    (xs[(n - 1) / 2] + xs[n / 2]) / 2.0
}

fn main() {
    let (analyze, update) = grouping::engine(grouping::from_args());
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (n, c, rounds) = match args[..] {
        [n, c, r] => (n, c, r),
        [n, c] => (n, c, 9),
        _ => (100_000, 2_000, 9),
    };
    let p = synth::generate(n, c, 50, 3, 2026);
    let first = analyze(&p.votes);
    let more = synth::more_votes(&p, 0.01, 7);
    let (mut full, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        std::hint::black_box(analyze(&more));
        full.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        std::hint::black_box(update(&more, &first.warm));
        warm.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (f, w) = (median(full), median(warm));
    println!(
        "{n} x {c}, 1 % more votes, {rounds} rounds each: full {f:.1} ms, update {w:.1} ms, update / full {:.1} %",
        100.0 * w / f
    );
}
