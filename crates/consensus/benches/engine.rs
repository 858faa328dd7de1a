//! `cargo bench -p xieshang-consensus`: the whole analysis on the largest
//! real conversation (when `../shared/polis-opendata` is there), on
//! synthetic conversations, and an update after 1 % more votes beside the
//! full run it replaces.

use xieshang_consensus::{analyze, opendata, synth, update};

fn main() {
    divan::main();
}

/// The largest real conversation with its votes: 2,031 participants,
/// 225,524 votes (Pol.is openData, CC BY 4.0, The Computational Democracy
/// Project).
#[divan::bench(sample_count = 20)]
fn bowling_green(b: divan::Bencher) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/polis-opendata/american-assembly.bowling-green");
    let read = |f: &str| std::fs::read_to_string(dir.join(f));
    let (Ok(votes), Ok(comments)) = (read("votes.csv"), read("comments.csv")) else {
        println!("skipped: {} is not here", dir.display());
        return;
    };
    let c = opendata::conversation(&votes, &comments).expect("conversation");
    b.bench(|| analyze(divan::black_box(&c.votes)));
}

/// Synthetic conversations: participants × statements, 50 votes each, 3 planted groups.
#[divan::bench(args = [(10_000, 1_000), (100_000, 2_000)], sample_count = 5)]
fn synthetic(b: divan::Bencher, (n, c): (usize, usize)) {
    let p = synth::generate(n, c, 50, 3, 2026);
    b.bench(|| analyze(divan::black_box(&p.votes)));
}

/// After 1 % more votes: the full analysis again, and the warm update.
#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn after_one_percent_more_full(b: divan::Bencher, n: usize) {
    let p = synth::generate(n, 2_000, 50, 3, 2026);
    let more = synth::more_votes(&p, 0.01, 7);
    b.bench(|| analyze(divan::black_box(&more)));
}

#[divan::bench(args = [10_000, 100_000], sample_count = 5)]
fn after_one_percent_more_update(b: divan::Bencher, n: usize) {
    let p = synth::generate(n, 2_000, 50, 3, 2026);
    let first = analyze(&p.votes);
    let more = synth::more_votes(&p, 0.01, 7);
    b.bench(|| update(divan::black_box(&more), &first.warm));
}
