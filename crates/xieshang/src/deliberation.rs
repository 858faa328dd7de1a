//! `xieshang deliberation analyze DIR --out OUT [--grouping map|votes]`: the
//! consensus engine on a conversation's files, for validating it against
//! Pol.is's own results.

use anyhow::{Context, Result};
use consensus::opendata;
use std::path::Path;

/// Reads DIR's votes and comments, runs the engine with the groups drawn as
/// `grouping` says (`map` or `votes`), writes the three files.
pub fn analyze(dir: &Path, out: &Path, grouping: &str) -> Result<()> {
    let grouping = match grouping {
        "map" => consensus::Grouping::Map,
        "votes" => consensus::Grouping::Votes,
        other => anyhow::bail!("--grouping {other:?}: use map or votes"),
    };
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    let started = std::time::Instant::now();
    let c = opendata::conversation(&read("votes.csv")?, &read("comments.csv")?)
        .map_err(anyhow::Error::msg)
        .context("parsing the conversation")?;
    let read_ms = started.elapsed().as_secs_f64() * 1e3;
    let started = std::time::Instant::now();
    let a = consensus::analyze_by(&c.votes, grouping);
    let ms = started.elapsed().as_secs_f64() * 1e3;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (name, text) in [
        ("groups.csv", opendata::groups_csv(&c, &a)),
        ("repness.csv", opendata::repness_csv(&c, &a)),
        ("consensus.csv", opendata::consensus_csv(&c, &a)),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let clustered = a.groups.iter().filter(|g| g.is_some()).count();
    println!(
        "{} participants ({clustered} clustered), {} statements, {} votes: {} groups; read in {read_ms:.1} ms, analysed in {ms:.1} ms; written to {}",
        c.votes.participants(),
        c.votes.statements(),
        c.votes.len(),
        a.k,
        out.display()
    );
    Ok(())
}
