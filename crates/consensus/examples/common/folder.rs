//! A Pol.is openData folder read from disk, for the examples that compare
//! with Pol.is's own groups (the engine itself does no I/O).

use std::collections::BTreeMap;
use std::path::Path;
use xieshang_consensus::{Analysis, opendata};

/// Pol.is's own group of each participant, by participant id.
pub type PolisGroups = BTreeMap<String, Option<usize>>;

/// Each of `dirs` that reads: its name (the folder's own), its conversation
/// and Pol.is's groups. One that does not read is reported on standard
/// error and skipped.
pub fn readable(
    dirs: impl IntoIterator<Item = String>,
) -> impl Iterator<Item = (String, opendata::Conversation, PolisGroups)> {
    dirs.into_iter().filter_map(|dir| {
        let path = Path::new(&dir);
        match read(path) {
            Ok((c, polis)) => {
                let name = path
                    .file_name()
                    .map_or(dir.clone(), |n| n.to_string_lossy().into_owned());
                Some((name, c, polis))
            }
            Err(e) => {
                eprintln!("{dir}: {e}");
                None
            }
        }
    })
}

/// The conversation (`votes.csv`, `comments.csv`) and Pol.is's own group of
/// each participant (`participants-votes.csv`), or why they could not be read.
fn read(dir: &Path) -> Result<(opendata::Conversation, PolisGroups), String> {
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
    polis: &PolisGroups,
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
