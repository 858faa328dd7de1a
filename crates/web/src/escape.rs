//! HTML escaping for every template (named in `askama.toml`), eight bytes at
//! a time.
//!
//! askama's own escaper tests each byte in turn. A list page escapes several
//! hundred short texts (titles, names, option labels, mostly Chinese), and
//! that byte loop was a fifth of the instructions the page cost. Here a
//! whole word is tested with a few integer operations: most words hold no
//! byte between 0x20 and 0x3F (every byte of a Chinese character is 0x80 or
//! above) and are passed over at once; only a word that holds one of
//! `" & ' < >` is looked at byte by byte. The output is the same as askama's,
//! entity for entity, so pages are byte for byte what they were.

use std::fmt::{self, Write};

/// The escaper the templates use for `.html` files.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        #[cfg(test)]
        tests::CALLS.with(|c| c.set(c.get() + 1));
        write_escaped(&mut dest, text)
    }

    fn write_escaped_char<W: Write>(&self, mut dest: W, c: char) -> fmt::Result {
        match u8::try_from(c).ok().and_then(entity) {
            Some(e) => dest.write_str(e),
            None => dest.write_char(c),
        }
    }
}

/// The entity for a byte that must be escaped (the same numeric entities
/// askama writes).
fn entity(b: u8) -> Option<&'static str> {
    match b {
        b'"' => Some("&#34;"),
        b'&' => Some("&#38;"),
        b'\'' => Some("&#39;"),
        b'<' => Some("&#60;"),
        b'>' => Some("&#62;"),
        _ => None,
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Non-zero when some byte of `w` is zero. (A borrow can also mark a byte
/// above a zero one, so this says whether, not where.)
fn has_zero_byte(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// Non-zero when some byte of `w` equals `b`.
fn has_byte(w: u64, b: u8) -> u64 {
    has_zero_byte(w ^ (ONES * u64::from(b)))
}

/// Whether any of the eight bytes in `w` must be escaped.
fn word_needs_escape(w: u64) -> bool {
    // Every byte to escape lies in 0x20..=0x3F: test the top three bits first.
    if has_zero_byte((w & (ONES * 0xE0)) ^ (ONES * 0x20)) == 0 {
        return false;
    }
    (has_byte(w, b'"')
        | has_byte(w, b'&')
        | has_byte(w, b'\'')
        | has_byte(w, b'<')
        | has_byte(w, b'>'))
        != 0
}

/// Writes the run before the special byte at `i`, then its entity.
#[inline(always)]
fn emit(dest: &mut impl Write, text: &str, start: &mut usize, i: usize, e: &str) -> fmt::Result {
    if *start < i {
        dest.write_str(&text[*start..i])?;
    }
    *start = i + 1;
    dest.write_str(e)
}

/// Writes `text` escaped: the runs between special bytes whole, each special
/// byte as its entity.
pub fn write_escaped(dest: &mut impl Write, text: &str) -> fmt::Result {
    let bytes = text.as_bytes();
    // `start` is where the run not yet written begins; it and every `i` that
    // ends a run sit on an ASCII byte or the end, so both are char boundaries.
    let mut start = 0;
    let words = bytes.chunks_exact(8);
    let tail_at = bytes.len() - words.remainder().len();
    for (n, chunk) in words.enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        if !word_needs_escape(u64::from_le_bytes(w)) {
            continue;
        }
        for (k, &b) in chunk.iter().enumerate() {
            if let Some(e) = entity(b) {
                emit(dest, text, &mut start, n * 8 + k, e)?;
            }
        }
    }
    for (k, &b) in bytes[tail_at..].iter().enumerate() {
        if let Some(e) = entity(b) {
            emit(dest, text, &mut start, tail_at + k, e)?;
        }
    }
    if start < bytes.len() {
        dest.write_str(&text[start..])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::filters::Escaper;

    thread_local! {
        /// How often templates of this thread called this escaper.
        pub(super) static CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// askama's own escaper, for comparison.
    fn askama_escaped(s: &str) -> String {
        let mut out = String::new();
        askama::filters::Html
            .write_escaped_str(&mut out, s)
            .expect("write");
        out
    }

    fn ours(s: &str) -> String {
        let mut out = String::new();
        Html.write_escaped_str(&mut out, s).expect("write");
        out
    }

    #[test]
    fn escapes_exactly_as_askama_does() {
        let cases = [
            "",
            "a",
            "<",
            "关于在松岗县加强罕见病用药保障的建议",
            "<script>alert('x')</script>",
            "Tom & Jerry's \"house\" > 3 < 4",
            "2025-12-04 十三届平时-0023 ?!#$%()*+,-./0123456789:;=@[]",
            "&&&&&&&&&&&&&&&&&",
            "1234567<",
            "12345678<",
            "<1234567",
            "政协江澜省委员会\"",
            "\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}<>",
        ];
        for c in cases {
            assert_eq!(ours(c), askama_escaped(c), "{c:?}");
        }
        // Every byte that can occur, at every place in a word and beside
        // multi-byte characters.
        for b in 0u8..128 {
            let ch = char::from(b);
            for pad in 0..17 {
                let s = format!("{}{ch}中{}{ch}", "x".repeat(pad), "文".repeat(pad % 5));
                assert_eq!(ours(&s), askama_escaped(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn chars_are_escaped_as_askama_does() {
        for c in ['a', '<', '>', '&', '"', '\'', '中', ' ', '\u{10000}'] {
            let mut ours = String::new();
            let mut theirs = String::new();
            Html.write_escaped_char(&mut ours, c).expect("write");
            askama::filters::Html
                .write_escaped_char(&mut theirs, c)
                .expect("write");
            assert_eq!(ours, theirs, "{c:?}");
        }
    }

    #[test]
    fn templates_use_this_escaper() {
        #[derive(askama::Template)]
        #[template(source = "<p title=\"{{ a }}\">{{ b }}</p>", ext = "html")]
        struct Probe<'a> {
            a: &'a str,
            b: &'a str,
        }
        let before = CALLS.with(|c| c.get());
        let html = askama::Template::render(&Probe {
            a: "\"x\" & 'y'",
            b: "<b>加粗</b>",
        })
        .expect("render");
        assert_eq!(
            html,
            "<p title=\"&#34;x&#34; &#38; &#39;y&#39;\">&#60;b&#62;加粗&#60;/b&#62;</p>"
        );
        assert_eq!(
            CALLS.with(|c| c.get()) - before,
            2,
            "askama.toml names this escaper"
        );
    }
}
