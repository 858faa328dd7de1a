//! Times the whole analysis on Pol.is openData conversations: for each
//! folder given (with `votes.csv` and `comments.csv`), the fastest of five
//! runs of `analyze`, reading the files excluded, and the adjusted Rand
//! index of its groups against Pol.is's own (from `participants-votes.csv`,
//! over the participants both clustered; empty without that file).
//! `bench/red_dwarf_timing.py` runs it beside red-dwarf.
//!
//! `cargo run --release -p xieshang-consensus --example timing -- DIR...`

use std::time::Instant;
use xieshang_consensus::{Analysis, adjusted_rand_index, analyze, opendata};

fn main() {
    println!("dataset,participants,votes,groups,ms,ari");
    for dir in std::env::args().skip(1) {
        let path = std::path::Path::new(&dir);
        let read = |f: &str| std::fs::read_to_string(path.join(f));
        let (Ok(votes), Ok(comments)) = (read("votes.csv"), read("comments.csv")) else {
            eprintln!("{dir}: no votes.csv and comments.csv");
            continue;
        };
        let c = match opendata::conversation(&votes, &comments) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{dir}: {e}");
                continue;
            }
        };
        let mut best = f64::INFINITY;
        let mut last = None;
        for _ in 0..5 {
            let t = Instant::now();
            let a = analyze(&c.votes);
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(a);
        }
        let Some(a) = last else { continue };
        let ari = read("participants-votes.csv")
            .ok()
            .and_then(|csv| against_polis(&c, &a, &csv))
            .map_or(String::new(), |x| format!("{x:.3}"));
        let name = path
            .file_name()
            .map_or(dir.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "{name},{},{},{},{best:.2},{ari}",
            c.votes.participants(),
            c.votes.len(),
            a.k
        );
    }
}

/// The adjusted Rand index of our groups against Pol.is's, over the
/// participants both clustered.
fn against_polis(c: &opendata::Conversation, a: &Analysis, csv: &str) -> Option<f64> {
    let polis = opendata::polis_groups(csv).ok()?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for (i, id) in c.participants.iter().enumerate() {
        if let (Some(g), Some(Some(h))) = (a.groups[i], polis.get(id)) {
            ours.push(g);
            theirs.push(*h);
        }
    }
    Some(adjusted_rand_index(&ours, &theirs))
}
