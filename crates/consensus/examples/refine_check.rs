//! What refining the groups on the votes (`consensus::refine`, which
//! `Grouping::Votes` does with two rounds) changes (BENCHMARKS.md):
//!
//! - `refine_check ROUNDS synth N C`: a synthetic conversation (50 votes
//!   each, 3 planted groups), the ARI against the planted groups of the
//!   map's groups and of the refined ones, beside the oracle's, and how many
//!   participants one per cent more votes moves in each;
//! - `refine_check ROUNDS DIR...`: Pol.is openData conversations, the ARI of
//!   both against Pol.is's own groups, with the median and mean over them.
//!
//! Data: Pol.is openData, CC BY 4.0, The Computational Democracy Project.

#[path = "common/folder.rs"]
mod folder;

use xieshang_consensus::{adjusted_rand_index, analyze, refine, synth};

fn ari(ours: &[Option<usize>], theirs: &[Option<usize>]) -> f64 {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (x, y) in ours.iter().zip(theirs) {
        if let (Some(x), Some(y)) = (x, y) {
            a.push(*x);
            b.push(*y);
        }
    }
    adjusted_rand_index(&a, &b)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    (xs[(n - 1) / 2] + xs[n / 2]) / 2.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(rounds) = args.first().and_then(|r| r.parse::<usize>().ok()) else {
        eprintln!("usage: refine_check ROUNDS synth N C | refine_check ROUNDS DIR...");
        return;
    };
    if args.get(1).map(String::as_str) == Some("synth") {
        let size = |i: usize| args.get(i).and_then(|x| x.parse().ok());
        let (n, c) = (size(2).unwrap_or(10_000), size(3).unwrap_or(1_000));
        let p = synth::generate(n, c, 50, 3, 2026);
        let truth: Vec<Option<usize>> = p.truth.iter().map(|&t| Some(t)).collect();
        let oracle: Vec<Option<usize>> = synth::oracle(&p).into_iter().map(Some).collect();
        let a = analyze(&p.votes);
        let refined = refine(&p.votes, &a.groups, a.k, rounds);
        let more = synth::more_votes(&p, 0.01, 7);
        let b = analyze(&more);
        let refined_more = refine(&more, &b.groups, b.k, rounds);
        println!(
            "{n} x {c}, {rounds} rounds: ARI map {:.4}, refined {:.4}, oracle {:.4}; moved by 1 % more votes: map {:.2} %, refined {:.2} %",
            ari(&a.groups, &truth),
            ari(&refined, &truth),
            ari(&oracle, &truth),
            100.0 * synth::moved(&a.groups, &b.groups),
            100.0 * synth::moved(&refined, &refined_more)
        );
        return;
    }
    println!("| conversation | ARI vs Pol.is, map's groups | refined ({rounds} rounds) |");
    println!("|---|---:|---:|");
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (name, c, polis) in folder::readable(args[1..].iter().cloned()) {
        let theirs: Vec<Option<usize>> = c
            .participants
            .iter()
            .map(|id| polis.get(id).copied().flatten())
            .collect();
        let a = analyze(&c.votes);
        let refined = refine(&c.votes, &a.groups, a.k, rounds);
        let (x, y) = (ari(&a.groups, &theirs), ari(&refined, &theirs));
        println!("| {name} | {x:.3} | {y:.3} |");
        before.push(x);
        after.push(y);
    }
    if before.is_empty() {
        return;
    }
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    println!(
        "| median (mean) | {:.3} ({:.3}) | {:.3} ({:.3}) |",
        median(before.clone()),
        mean(&before),
        median(after.clone()),
        mean(&after)
    );
}
