//! The vote matrix, sparse: for each participant, the statements they voted
//! on and how (agree +1, disagree −1, pass 0), in statement order.

/// Collects votes in the order they were cast; a later vote on the same
/// statement by the same participant replaces the earlier one.
#[derive(Debug, Default, Clone)]
pub struct VotesBuilder {
    cells: Vec<(u32, u32, i8)>,
    participants: usize,
    statements: usize,
    moderated_out: Vec<bool>,
}

impl VotesBuilder {
    /// A builder for at least this many participants and statements.
    pub fn new(participants: usize, statements: usize) -> Self {
        VotesBuilder {
            cells: Vec::new(),
            participants,
            statements,
            moderated_out: vec![false; statements],
        }
    }

    /// Room for this many votes.
    pub fn reserve(&mut self, votes: usize) {
        self.cells.reserve(votes);
    }

    /// A vote: `value` above 0 agrees, below 0 disagrees, 0 passes.
    pub fn vote(&mut self, participant: usize, statement: usize, value: i8) {
        self.participants = self.participants.max(participant + 1);
        if statement >= self.statements {
            self.statements = statement + 1;
            self.moderated_out.resize(self.statements, false);
        }
        self.cells
            .push((participant as u32, statement as u32, value.signum()));
    }

    /// Marks a statement moderated out.
    pub fn moderate_out(&mut self, statement: usize) {
        if statement >= self.statements {
            self.statements = statement + 1;
            self.moderated_out.resize(self.statements, false);
        }
        self.moderated_out[statement] = true;
    }

    /// The matrix.
    pub fn build(mut self) -> Votes {
        // Stable: of a participant's votes on one statement, the last cast stays last.
        self.cells.sort_by_key(|&(p, c, _)| (p, c));
        let mut row_start = vec![0u32; self.participants + 1];
        let mut cols = Vec::with_capacity(self.cells.len());
        let mut vals = Vec::with_capacity(self.cells.len());
        let mut tally = vec![[0u32; 3]; self.statements];
        let n = self.cells.len();
        for i in 0..n {
            let (p, c, v) = self.cells[i];
            if i + 1 < n && self.cells[i + 1].0 == p && self.cells[i + 1].1 == c {
                continue; // replaced by a later vote
            }
            cols.push(c);
            vals.push(v);
            tally[c as usize][(v + 1) as usize] += 1;
            row_start[p as usize + 1] += 1;
        }
        for p in 0..self.participants {
            row_start[p + 1] += row_start[p];
        }
        Votes {
            row_start,
            cols,
            vals,
            statements: self.statements,
            moderated_out: self.moderated_out,
            tally,
        }
    }
}

/// The final votes, participant by participant.
#[derive(Debug, Clone, PartialEq)]
pub struct Votes {
    row_start: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<i8>,
    statements: usize,
    moderated_out: Vec<bool>,
    /// Per statement, its disagrees, passes and agrees (counted once, at
    /// build, for the means and the weights).
    tally: Vec<[u32; 3]>,
}

impl Votes {
    /// How many participants (rows).
    pub fn participants(&self) -> usize {
        self.row_start.len() - 1
    }

    /// How many statements (columns), moderated ones included.
    pub fn statements(&self) -> usize {
        self.statements
    }

    /// How many votes.
    pub fn len(&self) -> usize {
        self.vals.len()
    }

    /// Whether there is no vote at all.
    pub fn is_empty(&self) -> bool {
        self.vals.is_empty()
    }

    /// Whether a statement was moderated out.
    pub fn is_moderated_out(&self, statement: usize) -> bool {
        self.moderated_out[statement]
    }

    /// A participant's votes: (statement, value).
    pub fn row(&self, p: usize) -> impl Iterator<Item = (usize, i8)> + '_ {
        let (a, b) = (self.row_start[p] as usize, self.row_start[p + 1] as usize);
        self.cols[a..b]
            .iter()
            .zip(&self.vals[a..b])
            .map(|(&c, &v)| (c as usize, v))
    }

    /// How many votes a participant cast (passes and votes on moderated
    /// statements included).
    pub fn votes_of(&self, p: usize) -> usize {
        (self.row_start[p + 1] - self.row_start[p]) as usize
    }

    /// How many votes a statement has (passes included).
    pub fn votes_on(&self, statement: usize) -> usize {
        self.tally[statement].iter().map(|&n| n as usize).sum()
    }

    /// A statement's disagrees, passes and agrees (its votes by value,
    /// moderated or not).
    pub fn tally_of(&self, statement: usize) -> [u32; 3] {
        self.tally[statement]
    }

    /// The mean of the observed votes of each statement; 0 for a statement
    /// moderated out or never voted on.
    pub fn column_means(&self) -> Vec<f64> {
        self.tally
            .iter()
            .zip(&self.moderated_out)
            .map(|(&[d, p, a], &out)| {
                let n = d + p + a;
                if out || n == 0 {
                    0.0
                } else {
                    (f64::from(a) - f64::from(d)) / f64::from(n)
                }
            })
            .collect()
    }

    /// The value a vote counts as in the analysis: 0 on a statement
    /// moderated out (Pol.is zeroes those columns).
    pub fn rated(&self, statement: usize, value: i8) -> i8 {
        if self.moderated_out[statement] {
            0
        } else {
            value
        }
    }

    /// How many statements count as voted on for the projection's scaling:
    /// the participant's votes on statements still in, plus every statement
    /// moderated out (a zeroed column counts as voted for everyone).
    pub fn voted_for_scaling(&self, p: usize) -> usize {
        let out = self.moderated_out.iter().filter(|m| **m).count();
        out + self.row(p).filter(|(c, _)| !self.moderated_out[*c]).count()
    }

    /// The participants clustered: at least `min(7, statements)` votes; if
    /// fewer than 15 qualify, the most active voters up to 15 (ties to the
    /// earlier participant). In participant order.
    pub fn clustered(&self) -> Vec<usize> {
        let need = self.statements.min(7);
        let mut inn: Vec<usize> = (0..self.participants())
            .filter(|&p| self.votes_of(p) >= need.max(1))
            .collect();
        if inn.len() < 15 {
            let mut by_votes: Vec<usize> = (0..self.participants())
                .filter(|&p| self.votes_of(p) > 0)
                .collect();
            by_votes.sort_by_key(|&p| (std::cmp::Reverse(self.votes_of(p)), p));
            for p in by_votes {
                if inn.len() >= 15 {
                    break;
                }
                if !inn.contains(&p) {
                    inn.push(p);
                }
            }
            inn.sort_unstable();
        }
        inn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_vote_replaces_an_earlier_one() {
        let mut b = VotesBuilder::new(2, 3);
        b.vote(0, 1, 1);
        b.vote(1, 0, -1);
        b.vote(0, 1, -1);
        b.vote(0, 2, 0);
        let v = b.build();
        assert_eq!(v.row(0).collect::<Vec<_>>(), vec![(1, -1), (2, 0)]);
        assert_eq!(v.row(1).collect::<Vec<_>>(), vec![(0, -1)]);
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn means_skip_missing_cells_and_moderated_statements() {
        let mut b = VotesBuilder::new(3, 3);
        for (p, c, x) in [(0, 0, 1), (1, 0, 1), (2, 0, -1), (0, 1, 1), (1, 2, 1)] {
            b.vote(p, c, x);
        }
        b.moderate_out(2);
        let v = b.build();
        let m = v.column_means();
        assert!((m[0] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(m[1], 1.0);
        assert_eq!(m[2], 0.0);
        assert_eq!(v.rated(2, 1), 0);
        assert_eq!(v.voted_for_scaling(1), 2, "one vote in, one column out");
    }

    #[test]
    fn the_clustered_need_seven_votes_or_are_topped_up_to_fifteen() {
        let mut b = VotesBuilder::new(20, 10);
        for p in 0..20 {
            for c in 0..(p % 10) {
                b.vote(p, c, 1);
            }
        }
        let v = b.build();
        let inn = v.clustered();
        // 7, 8 and 9 votes: participants 7, 8, 9, 17, 18, 19; then topped up to 15.
        assert_eq!(inn.len(), 15);
        assert!(inn.contains(&19) && inn.contains(&5) && !inn.contains(&0));
    }
}
