//! Text from feeds, journals and config files is untrusted: before it can reach the terminal it is
//! folded into one printable line. Control characters (C0, C1, DEL) would let a feed move the
//! cursor, change colours or retitle the window; bidirectional overrides would let it reorder what
//! the operator reads. Both are dropped; line breaks and tabs become single spaces.

/// JSON text borrowed from the document being read, or copied where it has escapes. A value of
/// type `Cow<str>` read on its own, or inside an `Option` or a `Vec`, is always copied,
/// `#[serde(borrow)]` or not: serde borrows only into a bare `Cow<str>` field, which this wraps.
#[derive(serde::Deserialize)]
pub struct Text<'a>(#[serde(borrow)] pub std::borrow::Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Returns `raw` as a single line of printable text, with runs of whitespace collapsed.
pub fn one_line(raw: &str) -> String {
    if is_plain_line(raw) {
        // Most text already is one clean line: a copy, without the walk through its chars.
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for ch in raw.chars() {
        if ch.is_whitespace() || ch.is_control() {
            // Controls other than whitespace vanish; whitespace collapses to one space.
            if ch.is_whitespace() && !out.is_empty() {
                pending_space = true;
            }
            continue;
        }
        if is_format_override(ch) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(ch);
    }
    out
}

/// `one_line` for text already owned: plain text is returned as it is, without a copy.
pub fn one_line_owned(raw: String) -> String {
    if is_plain_line(&raw) { raw } else { one_line(&raw) }
}

/// Whether `raw` is printable ASCII with single spaces between words, which `one_line` would
/// return unchanged.
fn is_plain_line(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut after_space = false;
    for &byte in bytes {
        match byte {
            b' ' if after_space => return false,
            b' ' => after_space = true,
            b'!'..=b'~' => after_space = false,
            _ => return false,
        }
    }
    true
}

/// Unicode bidi embeddings, overrides and isolates, plus the BOM/zero-width no-break space.
fn is_format_override(ch: char) -> bool {
    matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}')
}

/// Shortens `text` to at most `max` characters, marking the cut with an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_survive() {
        let hostile = "Quake\x1b[2J\x1b]0;pwned\x07 near\r\ncoast\u{9b}31m";
        let clean = one_line(hostile);
        assert!(!clean.chars().any(|c| c.is_control()), "{clean:?}");
        assert_eq!(clean, "Quake[2J]0;pwned near coast31m");
    }

    #[test]
    fn whitespace_collapses_and_trims() {
        assert_eq!(one_line("  M 4.6\t -\n  Luzon  "), "M 4.6 - Luzon");
    }

    #[test]
    fn bidi_overrides_are_dropped() {
        assert_eq!(one_line("abc\u{202E}fed\u{2066}x"), "abcfedx");
    }

    #[test]
    fn unicode_letters_are_kept() {
        assert_eq!(one_line("45 km NNW of Güiria, ʻokina"), "45 km NNW of Güiria, ʻokina");
    }

    #[test]
    fn plain_lines_pass_unchanged_and_anything_else_takes_the_long_way() {
        for plain in ["", "M 4.6 - 45 km NNW of Manila", "a", "{\"x\":[1]}~"] {
            assert!(is_plain_line(plain), "{plain:?}");
            assert_eq!(one_line(plain), plain);
        }
        for other in [" a", "a ", "a  b", "a\tb", "a\x7fb", "é", "a\x1b[0m"] {
            assert!(!is_plain_line(other), "{other:?}");
        }
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
