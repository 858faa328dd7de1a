//! Times the whole analysis on Pol.is openData conversations: for each
//! folder given (with `votes.csv` and `comments.csv`), the fastest of five
//! runs of `analyze`, reading the files excluded. `bench/red_dwarf_timing.py` runs
//! it beside red-dwarf.
//!
//! `cargo run --release -p xieshang-consensus --example timing -- DIR...`

use std::time::Instant;
use xieshang_consensus::{analyze, opendata};

fn main() {
    println!("dataset,participants,votes,groups,ms");
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
        let mut k = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let a = analyze(&c.votes);
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
            k = a.k;
        }
        let name = path
            .file_name()
            .map_or(dir.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "{name},{},{},{k},{best:.2}",
            c.votes.participants(),
            c.votes.len()
        );
    }
}
