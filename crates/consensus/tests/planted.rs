//! Planted groups (issue 6, item 3): with the groups drawn from the votes
//! ([`Grouping::Votes`]), the engine finds the planted groups of a synthetic
//! conversation within 0.02 of the oracle's adjusted Rand index (the oracle
//! knows every group's profile), and its updates keep them. The larger
//! sizes of the item (100,000 and 1,000,000 participants) are measured by
//! `examples/scale.rs` and recorded in BENCHMARKS.md.

use xieshang_consensus::{Grouping, adjusted_rand_index, analyze_by, synth, update_by};

/// The ARI of `groups` against the planted ones, over those clustered.
fn against_truth(groups: &[Option<usize>], truth: &[usize]) -> f64 {
    let (mut ours, mut planted) = (Vec::new(), Vec::new());
    for (g, t) in groups.iter().zip(truth) {
        if let Some(g) = g {
            ours.push(*g);
            planted.push(*t);
        }
    }
    adjusted_rand_index(&ours, &planted)
}

#[test]
fn groups_by_votes_come_within_two_hundredths_of_the_oracle() {
    let p = synth::generate(10_000, 1_000, 50, 3, 2026);
    let oracle = adjusted_rand_index(&synth::oracle(&p), &p.truth);
    let by_votes = analyze_by(&p.votes, Grouping::Votes);
    let by_map = analyze_by(&p.votes, Grouping::Map);
    let (votes, map) = (
        against_truth(&by_votes.groups, &p.truth),
        against_truth(&by_map.groups, &p.truth),
    );
    assert_eq!(by_votes.k, 3);
    assert!(
        votes >= oracle - 0.02,
        "{votes:.4} against the oracle's {oracle:.4}"
    );
    assert!(
        votes > map,
        "the votes ({votes:.4}) beat the map ({map:.4})"
    );
    // Groups are numbered by size, largest first, and the profiles an
    // update starts from are kept; the map's analysis keeps none.
    let sizes: Vec<usize> = by_votes.warm.profiles.iter().map(|p| p.members).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert_eq!(
        sizes.iter().sum::<usize>(),
        by_votes.groups.iter().flatten().count()
    );
    assert!(by_map.warm.profiles.is_empty());
    assert_eq!(
        analyze_by(&p.votes, Grouping::Votes),
        by_votes,
        "deterministic"
    );
}

#[test]
fn an_update_by_votes_keeps_the_groups_and_places_newcomers() {
    let p = synth::generate(5_000, 500, 40, 3, 12);
    let a = analyze_by(&p.votes, Grouping::Votes);
    let same = update_by(&p.votes, &a.warm, Grouping::Votes);
    assert_eq!(same.k, a.k);
    assert!(synth::moved(&a.groups, &same.groups) < 0.005);
    let more = synth::more_votes(&p, 0.01, 3);
    let warm = update_by(&more, &a.warm, Grouping::Votes);
    let moved = synth::moved(&a.groups, &warm.groups);
    assert!(moved < 0.05, "{:.2} % moved", moved * 100.0);
    assert_eq!(
        update_by(&more, &a.warm, Grouping::Votes),
        warm,
        "deterministic"
    );
    // The update is nearly as near the planted groups as a full run.
    let full = analyze_by(&more, Grouping::Votes);
    let (before, u, f) = (
        against_truth(&a.groups, &p.truth),
        against_truth(&warm.groups, &p.truth),
        against_truth(&full.groups, &p.truth),
    );
    assert!(
        u >= f - 0.02,
        "before {before:.4}, update {u:.4}, full run {f:.4}"
    );
    // Newcomers and new statements: everyone clustered gets a group.
    let bigger = synth::generate(5_500, 560, 40, 3, 12);
    let grown = update_by(&bigger.votes, &a.warm, Grouping::Votes);
    for p in bigger.votes.clustered() {
        assert!(grown.groups[p].is_some_and(|g| g < grown.k));
    }
}
