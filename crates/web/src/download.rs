//! File downloads: the content type we decided on, and a Content-Disposition
//! that names the file safely in every browser (an ASCII fallback plus the
//! UTF-8 name, RFC 6266 / 5987), never inline for what a browser might run.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const CSV: &str = "text/csv; charset=utf-8";

/// `bytes` as an attachment named `name` (any language).
pub fn attachment(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    named(bytes.into_response(), content_type, name)
}

/// A body written while it is sent (a file too large to build first), as
/// an attachment named `name`.
pub fn streamed(body: axum::body::Body, content_type: &str, name: &str) -> Response {
    named(body.into_response(), content_type, name)
}

/// The response with the headers of a download named `name`.
fn named(mut r: Response, content_type: &str, name: &str) -> Response {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_given_twice_and_never_break_the_header() {
        let r = attachment(vec![1], DOCX, "提案\"汇编\";\r\n.docx");
        let d = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert_eq!(
            d,
            "attachment; filename=\"_________.docx\"; filename*=UTF-8''%E6%8F%90%E6%A1%88%22%E6%B1%87%E7%BC%96%22%3B%0D%0A.docx"
        );
    }
}
