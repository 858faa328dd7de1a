//! Pol.is openData conversations, parsed from the text of their files
//! (`votes.csv`, `comments.csv`, and `participants-votes.csv` for Pol.is's
//! own groups), and the CSV files the engine writes. Reading and writing
//! files is the caller's: this module only turns text into votes and
//! results into text.

use crate::{Analysis, Votes, VotesBuilder};
use std::collections::{BTreeMap, BTreeSet};

/// Splits CSV text into records of fields (RFC 4180: quoted fields may hold
/// commas, quotes doubled, and line breaks).
pub fn records(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push(row);
    }
    out
}

/// A conversation: its votes and the ids behind the matrix's rows and columns.
pub struct Conversation {
    pub votes: Votes,
    /// The `voter-id` of each row.
    pub participants: Vec<String>,
    /// The `comment-id` of each column.
    pub statements: Vec<String>,
}

fn column(header: &[String], name: &str) -> Result<usize, String> {
    header
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| format!("no column {name}"))
}

/// Numeric ids sort as numbers, others after them as text.
fn id_order(a: &String, b: &String) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.cmp(b),
    }
}

/// Reads a conversation from the text of its `votes.csv` and `comments.csv`.
pub fn conversation(votes_csv: &str, comments_csv: &str) -> Result<Conversation, String> {
    let comments = records(comments_csv);
    let head = comments.first().ok_or("comments.csv is empty")?;
    let (cid, moderated) = (column(head, "comment-id")?, column(head, "moderated")?);
    let mut statement_ids: BTreeSet<String> = BTreeSet::new();
    let mut out_ids = BTreeSet::new();
    for r in comments
        .iter()
        .skip(1)
        .filter(|r| r.len() > cid.max(moderated))
    {
        statement_ids.insert(r[cid].trim().to_string());
        if r[moderated].trim() == "-1" {
            out_ids.insert(r[cid].trim().to_string());
        }
    }
    let rows = records(votes_csv);
    let head = rows.first().ok_or("votes.csv is empty")?;
    let (ts, c, p, v) = (
        column(head, "timestamp")?,
        column(head, "comment-id")?,
        column(head, "voter-id")?,
        column(head, "vote")?,
    );
    let mut cast: Vec<(i64, usize, String, String, i8)> = Vec::new();
    let mut voters: BTreeSet<String> = BTreeSet::new();
    for (i, r) in rows.iter().skip(1).enumerate() {
        if r.len() <= ts.max(c).max(p).max(v) {
            continue;
        }
        let value: i8 = r[v]
            .trim()
            .parse()
            .map_err(|_| format!("votes.csv line {}: vote {:?}", i + 2, r[v]))?;
        let when = r[ts].trim().parse().unwrap_or(0);
        statement_ids.insert(r[c].trim().to_string());
        voters.insert(r[p].trim().to_string());
        cast.push((
            when,
            i,
            r[p].trim().to_string(),
            r[c].trim().to_string(),
            value,
        ));
    }
    // The latest vote wins; votes without a time keep the file's order.
    cast.sort_by_key(|x| (x.0, x.1));
    let mut participants: Vec<String> = voters.into_iter().collect();
    participants.sort_by(id_order);
    let mut statements: Vec<String> = statement_ids.into_iter().collect();
    statements.sort_by(id_order);
    let prow: BTreeMap<&str, usize> = participants
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let scol: BTreeMap<&str, usize> = statements
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut b = VotesBuilder::new(participants.len(), statements.len());
    b.reserve(cast.len());
    for (_, _, who, what, value) in &cast {
        b.vote(prow[who.as_str()], scol[what.as_str()], *value);
    }
    for id in &out_ids {
        if let Some(&col) = scol.get(id.as_str()) {
            b.moderate_out(col);
        }
    }
    Ok(Conversation {
        votes: b.build(),
        participants,
        statements,
    })
}

/// Pol.is's own group of each participant, from `participants-votes.csv`
/// (`None`: not clustered).
pub fn polis_groups(
    participants_votes_csv: &str,
) -> Result<BTreeMap<String, Option<usize>>, String> {
    let rows = records(participants_votes_csv);
    let head = rows.first().ok_or("participants-votes.csv is empty")?;
    let (p, g) = (column(head, "participant")?, column(head, "group-id")?);
    Ok(rows
        .iter()
        .skip(1)
        .filter(|r| r.len() > p.max(g))
        .map(|r| (r[p].trim().to_string(), r[g].trim().parse().ok()))
        .collect())
}

/// A statement as `comments.csv` carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentRow {
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    pub comment: usize,
    pub author: usize,
    pub agrees: u32,
    pub disagrees: u32,
    /// 1 accepted, 0 not yet moderated, −1 moderated out.
    pub moderated: i8,
    pub body: String,
}

/// A vote as `votes.csv` carries it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoteRow {
    pub timestamp_ms: i64,
    pub comment: usize,
    pub voter: usize,
    /// Agree 1, disagree −1, pass 0 (the export's sign).
    pub vote: i8,
}

/// A field quoted as RFC 4180 requires when it holds a comma, a quote or a
/// line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A time in milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (the `datetime` column,
/// which Pol.is fills with a readable date).
fn datetime(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `comments.csv` in the openData format.
pub fn write_comments(rows: &[CommentRow]) -> String {
    let mut s = String::from(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n",
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            r.timestamp_ms,
            datetime(r.timestamp_ms),
            r.comment,
            r.author,
            r.agrees,
            r.disagrees,
            r.moderated,
            field(&r.body)
        ));
    }
    s
}

/// The first line of `votes.csv`.
pub const VOTES_HEADER: &str = "timestamp,datetime,comment-id,voter-id,vote\n";

/// `votes.csv` in the openData format.
pub fn write_votes(rows: &[VoteRow]) -> String {
    let mut s = String::from(VOTES_HEADER);
    append_votes(&mut s, rows);
    s
}

/// Lines of `votes.csv` after its header, appended to `s` (for a file
/// written a part at a time).
pub fn append_votes(s: &mut String, rows: &[VoteRow]) {
    use std::fmt::Write;
    for r in rows {
        // Writing to a String cannot fail.
        let _ = writeln!(
            s,
            "{},{},{},{},{}",
            r.timestamp_ms,
            datetime(r.timestamp_ms),
            r.comment,
            r.voter,
            r.vote
        );
    }
}

/// `groups.csv`: `participant,group` (group empty when not clustered).
pub fn groups_csv(c: &Conversation, a: &Analysis) -> String {
    let mut s = String::from("participant,group\n");
    for (id, g) in c.participants.iter().zip(&a.groups) {
        s.push_str(id);
        s.push(',');
        if let Some(g) = g {
            s.push_str(&g.to_string());
        }
        s.push('\n');
    }
    s
}

/// `repness.csv`: each group's representative statements, best first.
pub fn repness_csv(c: &Conversation, a: &Analysis) -> String {
    let mut s = String::from("group,rank,statement,direction,p,ratio,z,agrees,disagrees,votes\n");
    for (g, reps) in a.repness.iter().enumerate() {
        for (i, r) in reps.iter().enumerate() {
            s.push_str(&format!(
                "{g},{},{},{},{:.4},{:.4},{:.4},{},{},{}\n",
                i + 1,
                c.statements[r.statement],
                if r.agree { "agree" } else { "disagree" },
                r.p,
                r.ratio,
                r.z,
                r.n_agree,
                r.n_disagree,
                r.n_votes
            ));
        }
    }
    s
}

/// `consensus.csv`: statements by group-informed consensus, strongest first.
pub fn consensus_csv(c: &Conversation, a: &Analysis) -> String {
    let mut s = String::from("rank,statement,agree,disagree\n");
    for (i, x) in a.consensus.iter().enumerate() {
        s.push_str(&format!(
            "{},{},{:.6},{:.6}\n",
            i + 1,
            c.statements[x.statement],
            x.agree,
            x.disagree
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_files_read_back() {
        let comments = vec![
            CommentRow {
                timestamp_ms: 1_764_000_000_123,
                comment: 0,
                author: 0,
                agrees: 1,
                disagrees: 0,
                moderated: 1,
                body: "增加社区食堂, \"真的\"\n好".into(),
            },
            CommentRow {
                timestamp_ms: 1_764_000_000_500,
                comment: 1,
                author: 1,
                agrees: 0,
                disagrees: 0,
                moderated: -1,
                body: "x".into(),
            },
        ];
        let votes = vec![
            VoteRow {
                timestamp_ms: 1_764_000_001_000,
                comment: 0,
                voter: 1,
                vote: 1,
            },
            VoteRow {
                timestamp_ms: 1_764_000_002_000,
                comment: 1,
                voter: 0,
                vote: -1,
            },
        ];
        let cs = write_comments(&comments);
        assert!(cs.contains("2025-11-24T16:00:00Z"), "{cs}");
        assert_eq!(records(&cs)[1][7], "增加社区食堂, \"真的\"\n好");
        let c = conversation(&write_votes(&votes), &cs).unwrap();
        assert_eq!(c.votes.len(), 2);
        assert!(c.votes.is_moderated_out(1));
        assert_eq!(c.participants, vec!["0", "1"]);
        assert_eq!(datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(datetime(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let r = records("a,b,c\n1,\"x, \"\"y\"\"\nz\",3\r\n");
        assert_eq!(r[1], vec!["1", "x, \"y\"\nz", "3"]);
    }

    #[test]
    fn a_conversation_reads_with_the_latest_vote_and_moderation() {
        let votes =
            "timestamp,datetime,comment-id,voter-id,vote\n2,x,0,5,1\n1,x,0,5,-1\n3,x,1,10,0\n";
        let comments = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,0,5,1,0,1,\"好, 的\"\n1,x,1,5,0,0,-1,b\n";
        let c = conversation(votes, comments).unwrap();
        assert_eq!(c.participants, vec!["5", "10"]);
        assert_eq!(
            c.votes.row(0).collect::<Vec<_>>(),
            vec![(0, 1)],
            "the later vote"
        );
        assert!(c.votes.is_moderated_out(1));
    }
}
