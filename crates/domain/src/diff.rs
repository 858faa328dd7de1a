//! The difference between a submitted text and its rewrite, as runs of kept,
//! removed and added characters: what staff changed in a piece.
//!
//! Chinese has no spaces to diff words by, so the texts are aligned sentence
//! by sentence first (a longest common subsequence of sentences), and only
//! the sentences that changed are compared character by character. That
//! keeps the work small for a 10,000-character piece while still showing a
//! changed word inside a sentence.

/// What happened to a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Kept,
    Removed,
    Added,
}

impl Change {
    /// `' '`, `'-'` or `'+'`.
    pub fn mark(self) -> char {
        match self {
            Change::Kept => ' ',
            Change::Removed => '-',
            Change::Added => '+',
        }
    }
}

/// Largest table (cells) either comparison builds; past it, a changed block
/// is shown as removed and added whole.
const MAX_CELLS: usize = 4_000_000;

/// Splits after each sentence end or line break, keeping them.
fn sentences(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if matches!(c, '。' | '！' | '？' | '；' | '\n' | '.' | '!' | '?' | ';') {
            let end = i + c.len_utf8();
            out.push(&s[start..end]);
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// A longest common subsequence alignment of two sequences: for each step,
/// (change, index into a or b).
fn align<T: PartialEq>(a: &[T], b: &[T]) -> Option<Vec<(Change, usize)>> {
    let (n, m) = (a.len(), b.len());
    if (n + 1).saturating_mul(m + 1) > MAX_CELLS {
        return None;
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((Change::Kept, i));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j]) {
            out.push((Change::Added, j));
            j += 1;
        } else {
            out.push((Change::Removed, i));
            i += 1;
        }
    }
    Some(out)
}

fn push(out: &mut Vec<(Change, String)>, kind: Change, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some((k, t)) if *k == kind => t.push_str(text),
        _ => out.push((kind, text.to_string())),
    }
}

/// Compares a removed block with the added block that replaced it.
fn compare_block(out: &mut Vec<(Change, String)>, removed: &str, added: &str) {
    let a: Vec<char> = removed.chars().collect();
    let b: Vec<char> = added.chars().collect();
    match align(&a, &b) {
        Some(steps) => {
            let mut buf = [0u8; 4];
            for (kind, i) in steps {
                let c = if kind == Change::Added { b[i] } else { a[i] };
                push(out, kind, c.encode_utf8(&mut buf));
            }
        }
        None => {
            push(out, Change::Removed, removed);
            push(out, Change::Added, added);
        }
    }
}

/// The runs that turn `before` into `after`, adjacent runs of one kind merged.
pub fn chars(before: &str, after: &str) -> Vec<(Change, String)> {
    let a = sentences(before);
    let b = sentences(after);
    let mut out = Vec::new();
    let Some(steps) = align(&a, &b) else {
        compare_block(&mut out, before, after);
        return out;
    };
    let (mut removed, mut added) = (String::new(), String::new());
    for (kind, i) in steps {
        match kind {
            Change::Removed => removed.push_str(a[i]),
            Change::Added => added.push_str(b[i]),
            Change::Kept => {
                compare_block(&mut out, &removed, &added);
                removed.clear();
                added.clear();
                push(&mut out, Change::Kept, a[i]);
            }
        }
    }
    compare_block(&mut out, &removed, &added);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(runs: &[(Change, String)], keep: Change) -> String {
        runs.iter()
            .filter(|(k, _)| *k == Change::Kept || *k == keep)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    #[test]
    fn a_changed_word_inside_a_sentence_is_all_that_is_marked() {
        let before = "村里养老站缺人。建议县里招聘。";
        let after = "村里养老站缺护理员。建议县里统一招聘。";
        let runs = chars(before, after);
        assert_eq!(side(&runs, Change::Removed), before);
        assert_eq!(side(&runs, Change::Added), after);
        let added: Vec<&str> = runs
            .iter()
            .filter(|(k, _)| *k == Change::Added)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(added, ["护理员", "统一"]);
        let removed: Vec<&str> = runs
            .iter()
            .filter(|(k, _)| *k == Change::Removed)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(removed, ["人"]);
    }

    #[test]
    fn whole_sentences_added_removed_or_unchanged() {
        assert_eq!(chars("一样。", "一样。"), [(Change::Kept, "一样。".into())]);
        assert_eq!(chars("", "新的。"), [(Change::Added, "新的。".into())]);
        assert_eq!(chars("旧的。", ""), [(Change::Removed, "旧的。".into())]);
        let runs = chars("甲。乙。丙。", "甲。丙。丁。");
        assert_eq!(side(&runs, Change::Removed), "甲。乙。丙。");
        assert_eq!(side(&runs, Change::Added), "甲。丙。丁。");
    }

    #[test]
    fn a_long_rewrite_stays_correct_when_too_big_to_compare_finely() {
        let before: String = "旧".repeat(3_000);
        let after: String = "新".repeat(3_000);
        let runs = chars(&before, &after);
        assert_eq!(side(&runs, Change::Removed), before);
        assert_eq!(side(&runs, Change::Added), after);
        let many_before: String = (0..2_500).map(|i| format!("第{i}句。")).collect();
        let many_after: String = (0..2_500).map(|i| format!("第{}句。", i + 1)).collect();
        let runs = chars(&many_before, &many_after);
        assert_eq!(side(&runs, Change::Removed), many_before);
        assert_eq!(side(&runs, Change::Added), many_after);
    }
}
