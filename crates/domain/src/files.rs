//! Attached files: which kinds are accepted, told from their content (never
//! from the name or what the browser claims), and how their names are kept.

/// The largest attachment, in bytes.
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// Most files on one record.
pub const MAX_FILES: i64 = 10;
/// Longest file name kept, in characters.
const MAX_NAME: usize = 120;

/// The kinds of file accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Docx,
    Xlsx,
    Jpeg,
    Png,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The kind of a file from its first bytes, or `None` for anything else.
/// DOCX and XLSX are ZIP archives told apart by the parts they hold (whose
/// names a ZIP stores in plain text).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(b"PK\x03\x04") && contains(bytes, b"[Content_Types].xml") {
        if contains(bytes, b"word/document.xml") {
            Some(FileKind::Docx)
        } else if contains(bytes, b"xl/workbook.xml") {
            Some(FileKind::Xlsx)
        } else {
            None
        }
    } else {
        None
    }
}

/// A file name safe to store and to offer back: no folders, no control or
/// reserved characters, not too long, and the extension of what it really is.
pub fn clean_name(name: &str, kind: FileKind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .collect();
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, _)) => stem.trim(),
        None => cleaned.trim(),
    };
    let stem: String = stem
        .trim_start_matches('.')
        .chars()
        .take(MAX_NAME)
        .collect();
    let stem = if stem.is_empty() {
        "file".to_string()
    } else {
        stem
    };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(FileKind::Png)
        );
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(sniff(docx), Some(FileKind::Docx));
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        assert_eq!(sniff(xlsx), Some(FileKind::Xlsx));
        // A plain ZIP, an executable or a script named .pdf is refused.
        assert_eq!(sniff(b"PK\x03\x04....other.txt"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b"<script>alert(1)</script>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_lose_folders_and_get_their_true_extension() {
        assert_eq!(
            clean_name("C:\\Users\\a\\调研报告.pdf", FileKind::Pdf),
            "调研报告.pdf"
        );
        assert_eq!(clean_name("../../etc/passwd", FileKind::Png), "passwd.png");
        assert_eq!(clean_name("照片.exe", FileKind::Jpeg), "照片.jpg");
        assert_eq!(clean_name("a\"b<c>\r\n.docx", FileKind::Docx), "abc.docx");
        assert_eq!(clean_name("", FileKind::Pdf), "file.pdf");
        assert_eq!(clean_name(".hidden", FileKind::Pdf), "file.pdf");
        assert_eq!(
            clean_name(&"长".repeat(300), FileKind::Pdf).chars().count(),
            124
        );
    }
}
