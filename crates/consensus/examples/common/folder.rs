//! A Pol.is openData folder read from disk, for the examples that compare
//! with Pol.is's own groups (the engine itself does no I/O).

use std::collections::BTreeMap;
use std::path::Path;
use xieshang_consensus::opendata;

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
