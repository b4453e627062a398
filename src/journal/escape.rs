//! Characters that are never shown (`text::is_hidden`: C1 controls, DEL, bidi controls,
//! zero-width and other invisible format characters) never stand raw in a JSON line the journal
//! writes or prints: they are written as `\uXXXX` escapes, which every JSON reader decodes to the
//! same text, so `cat`, `jq` or a pager showing a line cannot be steered by feed text.
//!
//! The writer escapes them as it encodes a record, so a line's bytes, and the sum over them, are
//! already safe on disk. A line written before it did is escaped on output by `escape_line`; its
//! sum is over the raw form the journal holds (see docs/journal.md).

use std::borrow::Cow;
use std::io::{self, Write};

use crate::text::is_hidden;

/// serde_json's compact output, with hidden characters in strings escaped.
pub struct HiddenEscaped;

impl serde_json::ser::Formatter for HiddenEscaped {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        match escape_str(fragment) {
            Cow::Borrowed(plain) => writer.write_all(plain.as_bytes()),
            Cow::Owned(escaped) => writer.write_all(escaped.as_bytes()),
        }
    }
}

/// `line` (JSON) with every raw hidden character written as an escape. Outside strings JSON
/// holds only ASCII, so any such character is inside a string, where an escape means the same.
pub fn escape_line(line: &[u8]) -> Cow<'_, [u8]> {
    if line.iter().all(|&b| b < 0x7f) {
        return Cow::Borrowed(line);
    }
    match std::str::from_utf8(line) {
        Ok(text) => match escape_str(text) {
            Cow::Borrowed(_) => Cow::Borrowed(line),
            Cow::Owned(escaped) => Cow::Owned(escaped.into_bytes()),
        },
        // A checked line is UTF-8; anything else is shown replaced, then escaped.
        Err(_) => Cow::Owned(escape_str(&String::from_utf8_lossy(line)).into_owned().into_bytes()),
    }
}

fn escape_str(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.contains('\x7f') {
        return Cow::Borrowed(text);
    }
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if is_hidden(ch) {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_escaped_and_read_back_the_same() {
        let line = "{\"t\":\"a\u{85}b\u{7f}c\u{202e}d\u{200b}e\u{e0041}é\"}".as_bytes();
        let escaped = escape_line(line);
        assert_eq!(
            std::str::from_utf8(&escaped).unwrap(),
            "{\"t\":\"a\\u0085b\\u007fc\\u202ed\\u200be\\udb40\\udc41é\"}"
        );
        let back: serde_json::Value = serde_json::from_slice(&escaped).unwrap();
        let original: serde_json::Value = serde_json::from_slice(line).unwrap();
        assert_eq!(back, original);
        assert!(matches!(escape_line(b"{\"t\":\"plain\"}"), Cow::Borrowed(_)));
        assert!(matches!(escape_line("{\"t\":\"Güiria\"}".as_bytes()), Cow::Borrowed(_)));
    }
}
