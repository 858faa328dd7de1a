//! HTML escaping for every template (named in `askama.toml`), eight bytes at
//! a time.
//!
//! askama's own escaper tests each byte in turn. A list page escapes several
//! hundred short texts (titles, names, option labels, mostly Chinese), and
//! that byte loop was a fifth of the instructions the page cost. Here a
//! whole word is tested with a few integer operations: most words hold no
//! byte between 0x20 and 0x3F (every byte of a Chinese character is 0x80 or
//! above) and are passed over at once; in a word that holds one of
//! `" & ' < >`, exact byte masks find where. The output is the same as askama's,
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
        match u8::try_from(c).map(entity) {
            Ok(e) if !e.is_empty() => dest.write_str(e),
            _ => dest.write_char(c),
        }
    }
}

/// The entity for a byte that must be escaped (the same numeric entities
/// askama writes), or the empty string for any other byte.
fn entity(b: u8) -> &'static str {
    match b {
        b'"' => "&#34;",
        b'&' => "&#38;",
        b'\'' => "&#39;",
        b'<' => "&#60;",
        b'>' => "&#62;",
        _ => "",
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
const LOWS: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// Non-zero when some byte of `w` is zero. (A borrow can also mark a byte
/// above a zero one, so this says whether, not where.)
fn has_zero_byte(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// The high bit set in exactly the bytes of `w` that are zero (no carry
/// crosses a byte: the low seven bits are added apart from the high one).
fn zero_bytes(w: u64) -> u64 {
    !(((w & LOWS) + LOWS) | w | LOWS)
}

/// The high bit set in exactly the bytes of `w` that equal `b`.
fn bytes_equal(w: u64, b: u8) -> u64 {
    zero_bytes(w ^ (ONES * u64::from(b)))
}

/// The high bit set in exactly the bytes of `w` that must be escaped.
fn special_bytes(w: u64) -> u64 {
    // Every byte to escape lies in 0x20..=0x3F: a word with no byte whose top
    // three bits are 001 (all of Chinese text, most Latin letters) is passed
    // over with a handful of operations.
    if has_zero_byte((w & (ONES * 0xE0)) ^ (ONES * 0x20)) == 0 {
        return 0;
    }
    bytes_equal(w, b'"')
        | bytes_equal(w, b'&')
        | bytes_equal(w, b'\'')
        | bytes_equal(w, b'<')
        | bytes_equal(w, b'>')
}

/// Writes `text` escaped: the runs between special bytes whole, each special
/// byte as its entity. The text is read a word of eight bytes at a time; the
/// last few bytes too make one word (read so that no `memcpy` is called), so
/// that a short text (most option values, cells and names) costs one word
/// test rather than a test a byte.
pub fn write_escaped(dest: &mut impl Write, text: &str) -> fmt::Result {
    let bytes = text.as_bytes();
    // `start` is where the run not yet written begins; it and every `i` that
    // ends a run sit on an ASCII byte or the end, so both are char boundaries.
    let mut start = 0;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        write_hits(
            dest,
            text,
            &mut start,
            at,
            special_bytes(u64::from_le_bytes(w)),
        )?;
        at += 8;
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let w = match bytes.len().checked_sub(8) {
            // The last eight bytes, shifted so that those already tested
            // fall off the low end and zero bytes (never special) come in.
            Some(from) => {
                let mut last = [0u8; 8];
                last.copy_from_slice(&bytes[from..]);
                u64::from_le_bytes(last) >> (8 * (8 - rest.len()))
            }
            None => rest
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b)),
        };
        write_hits(dest, text, &mut start, at, special_bytes(w))?;
    }
    if start == 0 {
        dest.write_str(text)
    } else if start < bytes.len() {
        dest.write_str(&text[start..])
    } else {
        Ok(())
    }
}

/// Writes, for each special byte marked in `hits` (the word at `at`), the run
/// before it and its entity.
#[inline(always)]
fn write_hits(
    dest: &mut impl Write,
    text: &str,
    start: &mut usize,
    at: usize,
    mut hits: u64,
) -> fmt::Result {
    while hits != 0 {
        let i = at + hits.trailing_zeros() as usize / 8;
        if *start < i {
            dest.write_str(&text[*start..i])?;
        }
        dest.write_str(entity(text.as_bytes()[i]))?;
        *start = i + 1;
        hits &= hits - 1;
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
    fn byte_masks_are_exact() {
        // Each byte value at each place, among neighbours that provoke
        // borrows and carries (zero, one, 0x7F, 0x80, 0xFF).
        for fill in [0x00u8, 0x01, 0x7F, 0x80, 0xFF, b'<'] {
            for b in 0..=255u8 {
                for place in 0..8 {
                    let mut w = [fill; 8];
                    w[place] = b;
                    let expected = w.iter().enumerate().fold(0u64, |m, (k, &x)| {
                        m | if entity(x).is_empty() {
                            0
                        } else {
                            0x80 << (8 * k)
                        }
                    });
                    assert_eq!(special_bytes(u64::from_le_bytes(w)), expected, "{w:?}");
                    let zeros = w.iter().enumerate().fold(0u64, |m, (k, &x)| {
                        m | if x == 0 { 0x80 << (8 * k) } else { 0 }
                    });
                    assert_eq!(zero_bytes(u64::from_le_bytes(w)), zeros, "{w:?}");
                }
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
