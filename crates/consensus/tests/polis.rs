//! The engine against Pol.is's own opinion groups on the real conversations
//! of `../shared/polis-opendata` (Pol.is openData, CC BY 4.0: "Data was
//! gathered using the Polis software (compdemocracy.org/polis) and is
//! sub-licensed under CC BY 4.0 with Attribution to The Computational
//! Democracy Project"). Prints, for each conversation with vote files, the
//! adjusted Rand index between our groups and Pol.is's over the participants
//! both clustered, and both numbers of groups. Skips, saying why, where the
//! shared folder is missing.

use std::path::PathBuf;
use xieshang_consensus::{adjusted_rand_index, analyze, opendata};

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/polis-opendata");
    p.is_dir().then_some(p)
}

#[test]
fn groups_agree_with_polis_on_the_real_conversations() {
    let Some(dir) = shared() else {
        println!("skipped: ../shared/polis-opendata is not here");
        return;
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("votes.csv").is_file() && p.join("participants-votes.csv").is_file())
        .collect();
    names.sort();
    let mut aris = Vec::new();
    let mut differ = Vec::new();
    println!(
        "| dataset | participants | votes | ARI | our groups | Pol.is groups | silhouettes | ms |"
    );
    for d in &names {
        let read = |f: &str| std::fs::read_to_string(d.join(f)).expect("readable");
        let c = opendata::conversation(&read("votes.csv"), &read("comments.csv")).expect("parsed");
        let polis = opendata::polis_groups(&read("participants-votes.csv")).expect("parsed");
        let t = std::time::Instant::now();
        let a = analyze(&c.votes);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for (i, id) in c.participants.iter().enumerate() {
            if let (Some(g), Some(Some(h))) = (a.groups[i], polis.get(id)) {
                ours.push(g);
                theirs.push(*h);
            }
        }
        let mut polis_k: Vec<usize> = polis.values().flatten().copied().collect();
        polis_k.sort_unstable();
        polis_k.dedup();
        let ari = adjusted_rand_index(&ours, &theirs);
        let name = d
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        println!(
            "| {name} | {} | {} | {ari:.3} | {} | {} | {} | {ms:.1} |",
            c.votes.participants(),
            c.votes.len(),
            a.k,
            polis_k.len(),
            a.silhouettes
                .iter()
                .map(|(k, s)| format!("{k}:{s:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        if a.k != polis_k.len() {
            differ.push(name);
        }
        aris.push(ari);
    }
    aris.sort_by(f64::total_cmp);
    // Of an even count, the mean of the middle two.
    let n = aris.len();
    let median = (aris[(n - 1) / 2] + aris[n / 2]) / 2.0;
    println!(
        "median ARI {median:.3} over {} conversations; groups differ on {differ:?}",
        aris.len()
    );
    // The target is 0.85 (not met); this guards what has been reached.
    assert!(median > 0.7, "median ARI {median}");
}
