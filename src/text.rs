//! Text from feeds, journals and config files is untrusted: before it can reach the terminal it is
//! folded into one printable line. Control characters (C0, C1, DEL) would let a feed move the
//! cursor, change colours or retitle the window; bidirectional overrides would let it reorder what
//! the operator reads; invisible format characters (zero-width spaces and joiners, soft hyphens,
//! the Arabic letter mark) would hide what a word is from the eye and from a keyword rule. All are
//! dropped; line breaks and tabs become single spaces; a base character keeps at most
//! [`MAX_MARKS`] combining marks, so a title cannot stack thousands of them into one cell.

use unicode_width::UnicodeWidthChar;

/// The most combining marks (zero-width characters that draw on the one before) kept after one
/// base character: enough for any real script (Vietnamese stacks two, Tibetan and Hebrew
/// pointing a few), far too few to smear a line.
pub const MAX_MARKS: usize = 4;

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
    let mut marks = 0;
    for ch in raw.chars() {
        if ch.is_whitespace() || is_hidden(ch) {
            // Hidden characters vanish; whitespace collapses to one space.
            if ch.is_whitespace() && !out.is_empty() {
                pending_space = true;
                marks = 0;
            }
            continue;
        }
        if ch.is_ascii() || ch.width() != Some(0) {
            marks = 0;
        } else {
            marks += 1;
            if marks > MAX_MARKS {
                continue;
            }
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

/// Whether `ch` is never shown: a control (C0, DEL, C1) or an invisible format character.
pub fn is_hidden(ch: char) -> bool {
    ch.is_control() || is_invisible_format(ch)
}

/// Unicode format characters that draw nothing: bidi marks, embeddings, overrides and isolates
/// (U+061C, U+200E-200F, U+202A-202E, U+2066-2069), zero-width spaces and joiners
/// (U+200B-200D, U+2060-2064, U+FEFF), the soft hyphen and Mongolian vowel separator, the
/// deprecated format controls, interlinear annotation marks, shorthand and musical format
/// controls, Egyptian hieroglyph format controls (U+13430-1343F, which only arrange the signs
/// around them) and tag characters; plus the Hangul fillers, letters that draw blank.
fn is_invisible_format(ch: char) -> bool {
    matches!(
        ch,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
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
    fn c1_controls_and_del_are_dropped() {
        assert_eq!(one_line("a\u{9b}b\u{7f}c\u{80}\u{9f}d"), "abcd");
        // NEL is a line break: it folds to a space like the others.
        assert_eq!(one_line("a\u{85}b"), "a b");
    }

    #[test]
    fn invisible_format_characters_are_dropped() {
        let hidden = "t\u{200B}s\u{200C}u\u{200D}n\u{2060}a\u{00AD}m\u{180E}i\u{FEFF}!\u{061C}\u{2067}\u{2069}\u{E0041}";
        assert_eq!(one_line(hidden), "tsunami!");
    }

    #[test]
    fn combining_marks_are_capped_per_base_character() {
        let flood = format!("Z{}ebra e\u{301}", "\u{301}".repeat(445_000));
        let clean = one_line(&flood);
        assert_eq!(clean, format!("Z{}ebra e\u{301}", "\u{301}".repeat(MAX_MARKS)));
        // Real scripts keep their marks: Vietnamese stacks two on one letter.
        assert_eq!(one_line("Vi\u{1EC7}t Nam, ê\u{303}\u{323}"), "Vi\u{1EC7}t Nam, ê\u{303}\u{323}");
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
