//! Incremental updates (issue 6, item 6): an update after more votes starts
//! from the earlier analysis and stays close to it.

use xieshang_consensus::{analyze, synth, update};

#[test]
fn an_update_with_the_same_votes_keeps_every_group() {
    let p = synth::generate(3_000, 300, 40, 3, 11);
    let a = analyze(&p.votes);
    let again = update(&p.votes, &a.warm);
    assert_eq!(again.k, a.k);
    assert!(synth::moved(&a.groups, &again.groups) < 0.005);
    assert_eq!(update(&p.votes, &a.warm), again, "deterministic");
}

#[test]
fn an_update_after_one_percent_more_votes_moves_few_participants() {
    let p = synth::generate(5_000, 500, 40, 3, 12);
    let a = analyze(&p.votes);
    let more = synth::more_votes(&p, 0.01, 3);
    let warm = update(&more, &a.warm);
    let moved = synth::moved(&a.groups, &warm.groups);
    assert!(moved < 0.05, "{:.2} % moved", moved * 100.0);
    assert_eq!(warm.groups.len(), more.participants());
}

#[test]
fn an_update_takes_in_new_statements_and_participants() {
    // The earlier analysis saw fewer statements; the update pads its components.
    let small = synth::generate(2_000, 200, 30, 2, 13);
    let a = analyze(&small.votes);
    let bigger = synth::generate(2_500, 260, 30, 2, 13);
    let u = update(&bigger.votes, &a.warm);
    assert_eq!(u.warm.components[0].len(), 260);
    assert_eq!(u.projection.len(), 2_500);
    assert!(u.k >= 2);
}

#[test]
fn an_update_from_a_conversation_too_small_for_components_begins_afresh() {
    // One participant: nothing varies, the components are all zero.
    let mut b = xieshang_consensus::VotesBuilder::new(1, 20);
    for c in 0..20 {
        b.vote(0, c, 1);
    }
    let tiny = analyze(&b.build());
    assert!(tiny.warm.components[0].iter().all(|x| *x == 0.0));
    let p = synth::generate(2_000, 20, 15, 2, 14);
    let u = update(&p.votes, &tiny.warm);
    assert!(u.warm.components[0].iter().any(|x| *x != 0.0));
    assert_eq!(u, analyze(&p.votes), "the same as a cold start");
}
