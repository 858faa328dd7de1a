//! XLSX: one sheet with a bold, frozen header row, a filter on every column
//! and widths fitted to the text (Chinese characters count double).

use crate::{ExportError, Table};
use rust_xlsxwriter::{Format, Workbook};

/// Widest column, in characters.
const MAX_WIDTH: usize = 60;

/// The table as XLSX bytes.
pub fn write(t: &Table) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // Sheet names are at most 31 characters and may not hold []:*?/\
    let name: String = t
        .name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if !name.is_empty() {
        sheet.set_name(&name)?;
    }
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let mut widths: Vec<usize> = t.headers.iter().map(|h| display_width(h)).collect();
    for (c, h) in t.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col(c), h, &bold)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            if v.contains('\n') {
                sheet.write_string_with_format(r, col(c), v, &wrap)?;
            } else {
                sheet.write_string(r, col(c), v)?;
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(display_width(v));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c), (*w).clamp(6, MAX_WIDTH) as f64 + 1.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !t.headers.is_empty() {
        let last_row = u32::try_from(t.rows.len()).unwrap_or(u32::MAX);
        sheet.autofilter(0, 0, last_row, col(t.headers.len() - 1))?;
    }
    Ok(book.save_to_buffer()?)
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Columns a text takes: wide (CJK) characters two, others one; the longest line.
fn display_width(s: &str) -> usize {
    s.lines()
        .map(|l| l.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_zip_with_a_sheet() {
        let t = Table {
            name: "提案".into(),
            headers: vec!["编号".into(), "标题".into()],
            rows: vec![vec!["十三届二次-0001".into(), "关于养老服务的建议".into()]],
        };
        let bytes = write(&t).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 3000);
        assert_eq!(display_width("养老a"), 5);
    }
}
