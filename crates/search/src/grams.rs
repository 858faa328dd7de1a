//! The tokens the index holds. Chinese has no spaces between words and most of
//! its words are two characters long, so a run of Han (or other non-ASCII)
//! letters becomes its characters and every pair of neighbours: a word inside a
//! sentence is then the same run of pairs in the text and in the query, whatever
//! a word segmenter would have made of the sentence. ASCII words and numbers
//! stay whole, lower-cased.

/// The tokens of `text` for one field.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Grams {
    /// Single characters of non-ASCII runs, and whole ASCII words.
    pub unigrams: Vec<String>,
    /// Pairs of neighbouring characters of non-ASCII runs, in text order.
    pub bigrams: Vec<String>,
}

/// A run of letters of one script.
enum Run<'a> {
    Wide(Vec<char>),
    Ascii(&'a str),
}

fn runs(text: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    let mut wide: Vec<char> = Vec::new();
    let mut ascii_start: Option<usize> = None;
    for (i, ch) in text.char_indices() {
        let is_ascii_word = ch.is_ascii_alphanumeric();
        let is_wide_word = !ch.is_ascii() && ch.is_alphanumeric();
        if !is_ascii_word && let Some(s) = ascii_start.take() {
            out.push(Run::Ascii(&text[s..i]));
        }
        if !is_wide_word && !wide.is_empty() {
            out.push(Run::Wide(std::mem::take(&mut wide)));
        }
        if is_ascii_word && ascii_start.is_none() {
            ascii_start = Some(i);
        }
        if is_wide_word {
            wide.push(ch);
        }
    }
    if let Some(s) = ascii_start {
        out.push(Run::Ascii(&text[s..]));
    }
    if !wide.is_empty() {
        out.push(Run::Wide(wide));
    }
    out
}

/// Splits `text` into the index's tokens.
pub fn grams(text: &str) -> Grams {
    let mut g = Grams::default();
    for run in runs(text) {
        match run {
            Run::Ascii(w) => g.unigrams.push(w.to_ascii_lowercase()),
            Run::Wide(chars) => {
                for c in &chars {
                    g.unigrams.push(c.to_string());
                }
                for pair in chars.windows(2) {
                    g.bigrams.push(pair.iter().collect());
                }
            }
        }
    }
    g
}

/// What a search box's text asks for: each part must occur in a document.
#[derive(Debug, PartialEq, Eq)]
pub enum QueryPart {
    /// A single character or an ASCII word.
    Unigram(String),
    /// A Chinese word or phrase: its neighbouring pairs, in order.
    Phrase(Vec<String>),
}

/// The parts of a query: one per run of letters.
pub fn query_parts(text: &str) -> Vec<QueryPart> {
    runs(text)
        .into_iter()
        .map(|run| match run {
            Run::Ascii(w) => QueryPart::Unigram(w.to_ascii_lowercase()),
            Run::Wide(chars) if chars.len() == 1 => QueryPart::Unigram(chars[0].to_string()),
            Run::Wide(chars) => {
                QueryPart::Phrase(chars.windows(2).map(|p| p.iter().collect()).collect())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_runs_become_characters_and_pairs_and_ascii_words_stay_whole() {
        let g = grams("推进5G基站建设，PM2.5下降");
        assert_eq!(
            g.unigrams,
            [
                "推", "进", "5g", "基", "站", "建", "设", "pm2", "5", "下", "降"
            ]
        );
        assert_eq!(g.bigrams, ["推进", "基站", "站建", "建设", "下降"]);
    }

    #[test]
    fn a_query_asks_for_each_run_as_a_phrase_of_pairs() {
        assert_eq!(
            query_parts("养老服务 护理"),
            [
                QueryPart::Phrase(vec!["养老".into(), "老服".into(), "服务".into()]),
                QueryPart::Phrase(vec!["护理".into()]),
            ]
        );
        assert_eq!(
            query_parts("湖 WiFi"),
            [
                QueryPart::Unigram("湖".into()),
                QueryPart::Unigram("wifi".into())
            ]
        );
        assert!(query_parts(" ，。!").is_empty());
    }
}
