//! CSV as spreadsheets read it: UTF-8 with a byte-order mark (so that Excel
//! shows Chinese), CRLF line ends, quotes where needed, and cells that a
//! spreadsheet would run as a formula defused.

use crate::Table;

/// The table as CSV bytes.
pub fn write(t: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    line(&mut out, &t.headers);
    for row in &t.rows {
        line(&mut out, row);
    }
    out.into_bytes()
}

fn line(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell(out, c);
    }
    out.push_str("\r\n");
}

fn cell(out: &mut String, c: &str) {
    // A cell starting with = + - @ (or a tab or CR) would be a formula in a
    // spreadsheet: CSV injection. A leading apostrophe keeps it text.
    let formula = c.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || c.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for ch in c.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if quote {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escapes_and_defuses_formulas() {
        let t = Table {
            name: "x".into(),
            headers: vec!["编号".into(), "标题".into()],
            rows: vec![
                vec!["十三届二次-0001".into(), "关于\"养老\"的建议, 一".into()],
                vec!["=1+2".into(), "两行\n文字".into()],
            ],
        };
        let s = String::from_utf8(write(&t)).unwrap();
        assert_eq!(
            s,
            "\u{feff}编号,标题\r\n十三届二次-0001,\"关于\"\"养老\"\"的建议, 一\"\r\n\"'=1+2\",\"两行\n文字\"\r\n"
        );
    }
}
