//! Draft regulations in legislative consultation (立法协商, issue 5 item 6):
//! the text is split into chapters (章, and sections 节), articles (条) and
//! paragraphs (款), so members can comment on one paragraph and staff can
//! gather the comments article by article.
//!
//! A heading line is recognised by its number: 第 + Chinese or Arabic
//! numerals + 章/节 for a chapter, + 条 for an article. An article's first
//! paragraph is the rest of its line; each further line up to the next
//! heading is a paragraph of it. Lines before the first heading form the
//! preamble (usually the regulation's name).

/// One piece of the split text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    /// 第一章, 第三条, or a paragraph's number in its article ("1", "2" …).
    pub label: String,
    pub text: String,
}

/// What a piece is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    Chapter,
    Article,
    Paragraph,
}

impl PieceKind {
    /// The stable code stored.
    pub fn as_str(self) -> &'static str {
        match self {
            PieceKind::Chapter => "chapter",
            PieceKind::Article => "article",
            PieceKind::Paragraph => "paragraph",
        }
    }
}

/// A split draft: its preamble lines and its pieces in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pub preamble: Vec<String>,
    pub pieces: Vec<Piece>,
}

impl Split {
    /// How many articles it has.
    pub fn articles(&self) -> usize {
        self.pieces
            .iter()
            .filter(|p| p.kind == PieceKind::Article)
            .count()
    }
}

const NUMERALS: &str = "零〇一二三四五六七八九十百千两0123456789０１２３４５６７８９";

/// If `line` starts with 第…章/节/条, answers the label, its kind and the rest.
fn heading(line: &str) -> Option<(String, PieceKind, String)> {
    let rest = line.strip_prefix('第')?;
    let digits: String = rest.chars().take_while(|c| NUMERALS.contains(*c)).collect();
    if digits.is_empty() {
        return None;
    }
    let after = &rest[digits.len()..];
    let mark = after.chars().next()?;
    let kind = match mark {
        '章' | '节' => PieceKind::Chapter,
        '条' => PieceKind::Article,
        _ => return None,
    };
    let label = format!("第{digits}{mark}");
    let text = after[mark.len_utf8()..]
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .to_string();
    Some((label, kind, text))
}

/// Splits a draft's text (see the module's notes).
pub fn split(text: &str) -> Split {
    let mut out = Split::default();
    let mut paragraphs_in_article = 0usize;
    let mut in_article = false;
    for line in text.lines() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if line.is_empty() {
            continue;
        }
        match heading(line) {
            Some((label, PieceKind::Article, rest)) => {
                out.pieces.push(Piece {
                    kind: PieceKind::Article,
                    label,
                    text: String::new(),
                });
                in_article = true;
                paragraphs_in_article = 0;
                if !rest.is_empty() {
                    paragraphs_in_article += 1;
                    out.pieces.push(Piece {
                        kind: PieceKind::Paragraph,
                        label: paragraphs_in_article.to_string(),
                        text: rest,
                    });
                }
            }
            Some((label, kind, rest)) => {
                out.pieces.push(Piece {
                    kind,
                    label,
                    text: rest,
                });
                in_article = false;
            }
            None if in_article => {
                paragraphs_in_article += 1;
                out.pieces.push(Piece {
                    kind: PieceKind::Paragraph,
                    label: paragraphs_in_article.to_string(),
                    text: line.to_string(),
                });
            }
            None if out.pieces.is_empty() => out.preamble.push(line.to_string()),
            // Text between a chapter heading and its first article: the
            // chapter's own words, kept with its title.
            None => {
                if let Some(last) = out.pieces.last_mut() {
                    if !last.text.is_empty() {
                        last.text.push('\n');
                    }
                    last.text.push_str(line);
                }
            }
        }
    }
    // An article whose every line was a heading has no paragraph to comment
    // on: give it an empty one so it still can be.
    out.pieces = add_empty_paragraphs(out.pieces);
    out
}

fn add_empty_paragraphs(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    let mut iter = pieces.into_iter().peekable();
    while let Some(p) = iter.next() {
        let article = p.kind == PieceKind::Article;
        out.push(p);
        if article && iter.peek().is_none_or(|n| n.kind != PieceKind::Paragraph) {
            out.push(Piece {
                kind: PieceKind::Paragraph,
                label: "1".into(),
                text: String::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::PieceKind::*;
    use super::*;

    const DRAFT: &str = "江澜省养老服务条例（草案）\n\
        第一章　总则\n\
        第一条　为了规范养老服务，制定本条例。\n\
        第二条　本省行政区域内的养老服务适用本条例。\n\
        本条例所称养老服务，包括居家、社区和机构养老服务。\n\
        \n\
        第二章 居家养老\n\
        第三条\n\
        县级以上人民政府应当支持居家养老。\n\
        第十二条　附则。";

    #[test]
    fn chapters_articles_and_paragraphs_are_found() {
        let s = split(DRAFT);
        assert_eq!(s.preamble, vec!["江澜省养老服务条例（草案）"]);
        let kinds: Vec<(PieceKind, &str)> = s
            .pieces
            .iter()
            .map(|p| (p.kind, p.label.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (Chapter, "第一章"),
                (Article, "第一条"),
                (Paragraph, "1"),
                (Article, "第二条"),
                (Paragraph, "1"),
                (Paragraph, "2"),
                (Chapter, "第二章"),
                (Article, "第三条"),
                (Paragraph, "1"),
                (Article, "第十二条"),
                (Paragraph, "1"),
            ]
        );
        assert_eq!(s.pieces[0].text, "总则");
        assert_eq!(
            s.pieces[5].text,
            "本条例所称养老服务，包括居家、社区和机构养老服务。"
        );
        assert_eq!(s.pieces[8].text, "县级以上人民政府应当支持居家养老。");
        assert_eq!(s.articles(), 4);
    }

    #[test]
    fn a_sentence_that_starts_like_a_heading_is_not_one() {
        let s = split("第一条 本条例。\n第一次会议通过后施行。");
        assert_eq!(s.pieces.len(), 3);
        assert_eq!(s.pieces[2].kind, Paragraph);
        assert_eq!(s.pieces[2].text, "第一次会议通过后施行。");
    }

    #[test]
    fn an_article_without_text_still_has_a_paragraph() {
        let s = split("第一条\n第二条 内容");
        assert_eq!(s.pieces.len(), 4);
        assert_eq!(s.pieces[1].kind, Paragraph);
        assert!(s.pieces[1].text.is_empty());
    }

    #[test]
    fn text_without_articles_has_none() {
        assert_eq!(split("只是一段话。").articles(), 0);
        assert_eq!(split("").pieces.len(), 0);
    }
}
