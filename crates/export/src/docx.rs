//! DOCX in the layout of official documents (GB/T 9704): A4 with its
//! margins, the title in a large song typeface (小标宋), the text in 仿宋 at
//! 16 pt (三号) with a two-character first-line indent, on a document grid of
//! 22 lines of 28 characters a page (the standard's 每面排22行，每行排28个字),
//! and page numbers. One proposal with its answers, a compilation (提案汇编)
//! of many with a table of contents, or a bulletin issue.

use crate::ExportError;
use docx_rs::{
    AlignmentType, BreakType, DocGrid, DocGridType, Docx, Footer, LineSpacing, LineSpacingType,
    PageMargin, PageNum, Paragraph, Run, RunFonts,
};

/// A4 in twips (1/20 pt).
const A4: (u32, u32) = (11_906, 16_838);
/// Sizes in half-points.
const TITLE_SIZE: usize = 44;
const HEADING_SIZE: usize = 32;
const TEXT_SIZE: usize = 32;
const SMALL_SIZE: usize = 28;
/// The text area of A4 within the margins below, in twips.
const TEXT_AREA: (u32, u32) = (11_906 - 1_588 - 1_474, 16_838 - 2_098 - 1_984);
/// Lines and characters a page (GB/T 9704-2012, 7.1).
pub const LINES_PER_PAGE: u32 = 22;
pub const CHARS_PER_LINE: u32 = 28;
/// The fixed line of the text: the text area's height over 22 lines (about 29 pt).
const LINE: i32 = (TEXT_AREA.1 / LINES_PER_PAGE) as i32;
/// The grid's character pitch against the 16 pt text, in Word's unit
/// (1/4096 of a point): the width over 28 characters is slightly under 16 pt.
const CHAR_SPACE: isize =
    ((TEXT_AREA.0 as isize * 4096 / CHARS_PER_LINE as isize) - 16 * 20 * 4096) / 20;

const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";
const TEXT_FONT: &str = "仿宋_GB2312";

/// One unit's answer.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// For example "省教育厅（主办）· A 类".
    pub heading: String,
    pub text: String,
}

/// A proposal as a document; every text is already in the reader's language.
#[derive(Debug, Clone, Default)]
pub struct ProposalDoc {
    /// The line above the title, e.g. "政协江澜省委员会第十三届第二次会议提案".
    pub heading: String,
    /// The number as written, e.g. "第 0123 号".
    pub number: Option<String>,
    pub title: String,
    /// Label and value: proposers, category, dates, units.
    pub facts: Vec<(String, String)>,
    pub body: String,
    /// The heading of the answers section, e.g. "办理答复".
    pub answers_heading: String,
    pub answers: Vec<Answer>,
    /// The proposer's evaluation, when there is one.
    pub evaluation: Option<(String, String)>,
}

/// A compilation of proposals with their answers.
#[derive(Debug, Clone, Default)]
pub struct Compilation {
    pub title: String,
    pub subtitle: String,
    /// The heading of the table of contents, e.g. "目录".
    pub contents_heading: String,
    pub proposals: Vec<ProposalDoc>,
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii(name).hi_ansi(name)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn spacing() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE)
}

fn title(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, TITLE_FONT, TITLE_SIZE))
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(240).after(240))
}

fn centered(text: &str, size: usize) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, TEXT_FONT, size))
        .align(AlignmentType::Center)
        .line_spacing(spacing())
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, HEADING_FONT, HEADING_SIZE))
        .line_spacing(spacing().before(240))
}

/// Paragraphs of text, one per line of `text`, indented two characters.
fn prose(text: &str) -> impl Iterator<Item = Paragraph> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            Paragraph::new()
                .add_run(run(l, TEXT_FONT, TEXT_SIZE))
                .first_line_chars(200)
                .line_spacing(spacing())
        })
}

fn fact(label: &str, value: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(&format!("{label}："), HEADING_FONT, SMALL_SIZE))
        .add_run(run(value, TEXT_FONT, SMALL_SIZE))
        .line_spacing(spacing())
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

fn document() -> Docx {
    // Margins of official documents: 37 mm top, 35 bottom, 28 left, 26 right.
    let mut d = Docx::new()
        .default_fonts(fonts(TEXT_FONT))
        .default_size(TEXT_SIZE)
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1588)
                .right(1474)
                .header(851)
                .footer(992),
        );
    // The grid Word and WPS lay the text on: 22 lines of 28 characters.
    d.document = d.document.doc_grid(
        DocGrid::with_empty()
            .grid_type(DocGridType::LinesAndChars)
            .line_pitch(LINE as usize)
            .char_space(CHAR_SPACE),
    );
    d
}

fn add_proposal(mut d: Docx, p: &ProposalDoc) -> Docx {
    if !p.heading.is_empty() {
        d = d.add_paragraph(centered(&p.heading, SMALL_SIZE));
    }
    if let Some(n) = &p.number {
        d = d.add_paragraph(centered(n, SMALL_SIZE));
    }
    d = d.add_paragraph(title(&p.title));
    for (label, value) in &p.facts {
        d = d.add_paragraph(fact(label, value));
    }
    for para in prose(&p.body) {
        d = d.add_paragraph(para);
    }
    if !p.answers.is_empty() {
        d = d.add_paragraph(heading(&p.answers_heading));
        for a in &p.answers {
            d = d.add_paragraph(heading(&a.heading));
            for para in prose(&a.text) {
                d = d.add_paragraph(para);
            }
        }
    }
    if let Some((label, value)) = &p.evaluation {
        d = d.add_paragraph(fact(label, value));
    }
    d
}

fn pack(d: Docx) -> Result<Vec<u8>, ExportError> {
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// One proposal with its answers.
pub fn proposal(p: &ProposalDoc) -> Result<Vec<u8>, ExportError> {
    pack(add_proposal(document(), p))
}

/// A compilation: a title page, the contents, then each proposal on its own pages.
pub fn compilation(c: &Compilation) -> Result<Vec<u8>, ExportError> {
    let mut d = document()
        .add_paragraph(title(&c.title))
        .add_paragraph(centered(&c.subtitle, TEXT_SIZE))
        .add_paragraph(page_break())
        .add_paragraph(title(&c.contents_heading));
    for p in &c.proposals {
        let line = match &p.number {
            Some(n) => format!("{n}　{}", p.title),
            None => p.title.clone(),
        };
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(run(&line, TEXT_FONT, SMALL_SIZE))
                .line_spacing(spacing()),
        );
    }
    for p in &c.proposals {
        d = add_proposal(d.add_paragraph(page_break()), p);
    }
    pack(d)
}

/// An issue of the weekly bulletin (《每周社情》); every text is already in the
/// reader's language.
#[derive(Debug, Clone, Default)]
pub struct BulletinDoc {
    /// The bulletin's name, e.g. "每周社情".
    pub name: String,
    /// The issue, e.g. "2026年第18期".
    pub issue: String,
    /// The publisher and the date, e.g. "政协江澜省委员会办公厅　2026年11月25日".
    pub publisher: String,
    /// The editor's note (编者按) with its label, if any.
    pub editor_note: Option<(String, String)>,
    /// The pieces in order: title and text.
    pub pieces: Vec<(String, String)>,
    /// The distribution line at the end (报送: …), if any.
    pub distribution: Option<String>,
}

/// A bulletin issue: the masthead, the editor's note, each piece under its
/// heading, and page numbers in the footer.
pub fn bulletin(b: &BulletinDoc) -> Result<Vec<u8>, ExportError> {
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .add_page_num(PageNum::new())
            .align(AlignmentType::Center),
    );
    let mut d = document()
        .footer(footer)
        .add_paragraph(title(&b.name))
        .add_paragraph(centered(&b.issue, TEXT_SIZE))
        .add_paragraph(centered(&b.publisher, SMALL_SIZE));
    if let Some((label, note)) = &b.editor_note {
        d = d.add_paragraph(heading(label));
        for para in prose(note) {
            d = d.add_paragraph(para);
        }
    }
    for (t, text) in &b.pieces {
        d = d.add_paragraph(heading(t));
        for para in prose(text) {
            d = d.add_paragraph(para);
        }
    }
    if let Some(line) = &b.distribution {
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(run(line, TEXT_FONT, SMALL_SIZE))
                .line_spacing(spacing().before(480)),
        );
    }
    pack(d)
}

/// The committee's opinion on a draft regulation (立法协商意见), every text
/// already in the reader's language.
#[derive(Debug, Clone, Default)]
pub struct LegislativeOpinion {
    /// For example "关于《江澜省养老服务条例（草案）》的意见".
    pub title: String,
    /// The committee and the date.
    pub publisher: String,
    /// The articles with comments, in the draft's order: the article's
    /// label and text, then each comment (with its quote folded in).
    pub articles: Vec<(String, String, Vec<String>)>,
}

/// The opinion on a draft regulation: the title, then article by article
/// the article's text and the committee's comments on it.
pub fn legislative_opinion(o: &LegislativeOpinion) -> Result<Vec<u8>, ExportError> {
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .add_page_num(PageNum::new())
            .align(AlignmentType::Center),
    );
    let mut d = document()
        .footer(footer)
        .add_paragraph(title(&o.title))
        .add_paragraph(centered(&o.publisher, SMALL_SIZE));
    for (label, text, comments) in &o.articles {
        d = d.add_paragraph(heading(label));
        if !text.trim().is_empty() {
            d = d.add_paragraph(
                Paragraph::new()
                    .add_run(run(text, TEXT_FONT, SMALL_SIZE).italic())
                    .line_spacing(spacing()),
            );
        }
        for (i, c) in comments.iter().enumerate() {
            let line = format!("{}. {c}", i + 1);
            for para in prose(&line) {
                d = d.add_paragraph(para);
            }
        }
    }
    pack(d)
}

/// The report of an online deliberation (网络议政报告), every text already
/// in the reader's language.
#[derive(Debug, Clone, Default)]
pub struct DeliberationReport {
    pub title: String,
    /// Who took part: participants, votes, statements.
    pub subtitle: String,
    /// How the opinion groups were drawn (a reader comparing reports, or
    /// these groups with Pol.is's, needs to know).
    pub method: String,
    pub background: String,
    /// The published report (may be empty while it is under way).
    pub report: String,
    /// Each opinion group's heading and the statements that set it apart.
    pub groups: Vec<(String, Vec<String>)>,
    pub consensus_heading: String,
    pub consensus: Vec<String>,
    pub statements_heading: String,
    /// Every statement with its tally.
    pub statements: Vec<String>,
}

/// The report of a deliberation: the topic, the report's text, the groups,
/// the common ground, then every statement with its votes.
pub fn deliberation_report(r: &DeliberationReport) -> Result<Vec<u8>, ExportError> {
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .add_page_num(PageNum::new())
            .align(AlignmentType::Center),
    );
    let mut d = document()
        .footer(footer)
        .add_paragraph(title(&r.title))
        .add_paragraph(centered(&r.subtitle, SMALL_SIZE))
        .add_paragraph(centered(&r.method, SMALL_SIZE));
    for text in [&r.background, &r.report] {
        for para in prose(text) {
            d = d.add_paragraph(para);
        }
    }
    let numbered = |mut d: Docx, items: &[String]| {
        for (i, item) in items.iter().enumerate() {
            for para in prose(&format!("{}. {item}", i + 1)) {
                d = d.add_paragraph(para);
            }
        }
        d
    };
    for (heading_text, items) in &r.groups {
        d = numbered(d.add_paragraph(heading(heading_text)), items);
    }
    if !r.consensus.is_empty() {
        d = numbered(d.add_paragraph(heading(&r.consensus_heading)), &r.consensus);
    }
    if !r.statements.is_empty() {
        d = numbered(
            d.add_paragraph(heading(&r.statements_heading)),
            &r.statements,
        );
    }
    pack(d)
}

/// The text of a DOCX, one line per paragraph; `None` when the bytes are
/// not a DOCX a reader can open.
pub fn text_of(bytes: &[u8]) -> Option<String> {
    // A malformed file must not take the server's task down with it.
    let read = std::panic::catch_unwind(|| docx_rs::read_docx(bytes).ok()).ok()??;
    let lines: Vec<String> = read
        .document
        .children
        .iter()
        .filter_map(|c| match c {
            docx_rs::DocumentChild::Paragraph(p) => Some(p.raw_text()),
            _ => None,
        })
        .collect();
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(bytes: &[u8]) -> Vec<String> {
        let d = docx_rs::read_docx(bytes).expect("a DOCX reader opens it");
        d.document
            .children
            .iter()
            .filter_map(|c| match c {
                docx_rs::DocumentChild::Paragraph(p) => Some(p.raw_text()),
                _ => None,
            })
            .filter(|t| !t.trim().is_empty())
            .collect()
    }

    fn sample(n: u32) -> ProposalDoc {
        ProposalDoc {
            heading: "政协江澜省委员会第十三届第二次会议提案".into(),
            number: Some(format!("第 {n:04} 号")),
            title: format!("关于加快养老服务体系建设的建议（{n}）"),
            facts: vec![("提案人".into(), "李红梅".into())],
            body: "案由：……\n\n建议：一、扩大普惠养老床位。".into(),
            answers_heading: "办理答复".into(),
            answers: vec![Answer {
                heading: "省民政厅（主办）· A 类".into(),
                text: "经研究，答复如下：\n一、……".into(),
            }],
            evaluation: Some(("提案人评价".into(), "满意".into())),
        }
    }

    #[test]
    fn a_legislative_opinion_goes_article_by_article_and_reads_back() {
        let bytes = legislative_opinion(&LegislativeOpinion {
            title: "关于《养老服务条例（草案）》的意见".into(),
            publisher: "政协江澜省委员会".into(),
            articles: vec![
                (
                    "第一条".into(),
                    "为了规范养老服务，制定本条例。".into(),
                    vec!["建议写明上位法。".into()],
                ),
                (
                    "第三条".into(),
                    "政府应当支持居家养老。".into(),
                    vec!["增加财政保障。".into(), "明确考核。".into()],
                ),
            ],
        })
        .unwrap();
        let t = texts(&bytes);
        assert_eq!(t[0], "关于《养老服务条例（草案）》的意见");
        let first = t.iter().position(|l| l == "第一条").unwrap();
        let third = t.iter().position(|l| l == "第三条").unwrap();
        assert!(first < third);
        assert!(t.contains(&"2. 明确考核。".to_string()));
        // What we wrote, we read back as text (the upload path).
        let plain = text_of(&bytes).unwrap();
        assert!(plain.contains("第三条\n政府应当支持居家养老。"));
        assert_eq!(text_of(b"PK not really a docx"), None);
    }

    #[test]
    fn a_proposal_reads_back_with_its_answer() {
        let t = texts(&proposal(&sample(1)).unwrap());
        assert_eq!(t[1], "第 0001 号");
        assert_eq!(t[2], "关于加快养老服务体系建设的建议（1）");
        assert!(t.contains(&"提案人：李红梅".to_string()));
        assert!(t.contains(&"省民政厅（主办）· A 类".to_string()));
        assert!(t.contains(&"提案人评价：满意".to_string()));
    }

    #[test]
    fn pages_are_laid_on_a_grid_of_22_lines_of_28_characters() {
        assert_eq!(LINE, 579);
        assert!(LINE as u32 * LINES_PER_PAGE <= TEXT_AREA.1);
        assert!(
            LINE as u32 * (LINES_PER_PAGE + 1) > TEXT_AREA.1,
            "no 23rd line fits"
        );
        // The character pitch: 16 pt plus the grid's adjustment, 28 to the line.
        let pitch_twips = 320.0 + CHAR_SPACE as f64 * 20.0 / 4096.0;
        assert!(
            (pitch_twips * 28.0 - TEXT_AREA.0 as f64).abs() < 28.0,
            "{pitch_twips}"
        );
        let bytes = bulletin(&BulletinDoc {
            name: "每周社情".into(),
            issue: "2026年第1期".into(),
            pieces: vec![("题".into(), "文".into())],
            ..Default::default()
        })
        .unwrap();
        let d = docx_rs::read_docx(&bytes).expect("readable");
        assert_eq!(
            d.document.section_property.doc_grid,
            Some(
                DocGrid::with_empty()
                    .grid_type(DocGridType::LinesAndChars)
                    .line_pitch(579)
                    .char_space(CHAR_SPACE)
            )
        );
    }

    #[test]
    fn a_bulletin_holds_its_masthead_note_and_pieces_in_order() {
        let b = BulletinDoc {
            name: "每周社情".into(),
            issue: "2026年第18期".into(),
            publisher: "政协办公厅".into(),
            editor_note: Some(("编者按".into(), "本期关注农村养老。".into())),
            pieces: vec![
                (
                    "养老服务站缺护理员".into(),
                    "多个村反映……\n建议统一招聘。".into(),
                ),
                ("校车不够".into(), "山区学生上学远。".into()),
            ],
            distribution: Some("报送：党委、政府".into()),
        };
        let bytes = bulletin(&b).unwrap();
        let t = texts(&bytes);
        assert_eq!(
            &t[..4],
            ["每周社情", "2026年第18期", "政协办公厅", "编者按"]
        );
        let first = t.iter().position(|l| l == "养老服务站缺护理员").unwrap();
        let second = t.iter().position(|l| l == "校车不够").unwrap();
        assert!(first < second, "pieces keep their order");
        assert!(t.contains(&"建议统一招聘。".to_string()));
        // The footer carries a page-number field.
        let zip = String::from_utf8_lossy(&bytes).into_owned();
        assert!(zip.contains("footer"), "a footer part is written");
    }

    #[test]
    fn a_compilation_lists_its_contents_and_holds_each_proposal() {
        let c = Compilation {
            title: "提案汇编".into(),
            subtitle: "2026 年".into(),
            contents_heading: "目录".into(),
            proposals: (1..=3).map(sample).collect(),
        };
        let t = texts(&compilation(&c).unwrap());
        assert_eq!(&t[..3], ["提案汇编", "2026 年", "目录"]);
        assert_eq!(t[3], "第 0001 号　关于加快养老服务体系建设的建议（1）");
        assert_eq!(t.iter().filter(|l| l.starts_with("经研究")).count(), 3);
    }
}
