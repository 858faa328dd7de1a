//! A Pol.is openData folder read from disk, for the examples that compare
//! with Pol.is's own groups (the engine itself does no I/O).

use std::collections::BTreeMap;
use std::path::Path;
use xieshang_consensus::{Analysis, opendata};

/// The conversation (`votes.csv`, `comments.csv`) and Pol.is's own group of
/// each participant (`participants-votes.csv`), or why they could not be read.
pub fn read(
    dir: &Path,
) -> Result<(opendata::Conversation, BTreeMap<String, Option<usize>>), String> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()))
    };
    let conversation = opendata::conversation(&read("votes.csv")?, &read("comments.csv")?)?;
    let groups = opendata::polis_groups(&read("participants-votes.csv")?)?;
    Ok((conversation, groups))
}

/// Each participant our analysis `a` clustered, in row (participant id)
/// order: their place on the map, our group, and Pol.is's where it has one.
// Each example includes this file by path; refine_check compares whole
// group vectors and does not place anyone.
#[allow(dead_code)]
pub fn placed(
    c: &opendata::Conversation,
    polis: &BTreeMap<String, Option<usize>>,
    a: &Analysis,
) -> Vec<([f64; 2], usize, Option<usize>)> {
    c.participants
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let ours = a.groups[i]?;
            Some((a.projection[i], ours, polis.get(id).copied().flatten()))
        })
        .collect()
}
