//! What the XML formats (GDACS, CAP, CoT) share: turning bytes into text in the encoding the XML
//! declaration names, parsing with roxmltree, finding elements by local name, and reading dates.
//!
//! roxmltree is chosen because it cannot be talked into fetching anything: it has no external
//! entity resolver unless given one (we give none, so `<!ENTITY x SYSTEM "file:///etc/passwd">`
//! is an error), and it bounds internal entity expansion, so a "billion laughs" document fails
//! fast instead of eating memory. Publishers disagree about namespaces (CAP 1.1 vs 1.2, `cap:`
//! prefixes or a default namespace, unprefixed children inside `cap:geocode` in Atom indexes), so
//! elements are matched by local name and the namespace is left to the caller where it matters.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};
use roxmltree::{Document, Node, ParsingOptions};

use super::ParseError;

/// More nodes than any real feed document has (the GDACS 7-day feed, 1.5 MB, has about 60,000);
/// a document past this is refused rather than held in memory.
const NODES_LIMIT: u32 = 2_000_000;

/// The document as text: UTF-8 as is (a byte-order mark dropped), any other encoding named in
/// the XML declaration (ISO-8859-1 from USGS CAP, windows-1252, UTF-16) decoded with encoding_rs.
pub fn decode(body: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(body) {
        let (text, _) = encoding.decode_without_bom_handling(&body[bom_len..]);
        return Ok(text);
    }
    // UTF-16 without a byte-order mark shows itself by its first markup, `<?` (as XML's
    // appendix F detects it): read as UTF-8 it would pass as ASCII with NULs between.
    let utf16 = match body.get(..4) {
        Some([b'<', 0, b'?', 0]) => Some(encoding_rs::UTF_16LE),
        Some([0, b'<', 0, b'?']) => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(encoding) = utf16 {
        let (text, _) = encoding.decode_without_bom_handling(body);
        return Ok(text);
    }
    let label = declared_encoding(body);
    let Some(label) = label else { return utf8(body) };
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            let (text, _) = encoding.decode_without_bom_handling(body);
            Ok(text)
        }
        Some(_) => utf8(body),
        None => Err(ParseError::new(format!(
            "the XML declaration names encoding {label:?}, which is not one attache can decode"
        ))),
    }
}

fn utf8(body: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    std::str::from_utf8(body).map(Cow::Borrowed).map_err(|e| {
        let at = e.valid_up_to();
        let line = body[..at].iter().filter(|b| **b == b'\n').count() + 1;
        ParseError::new(format!("invalid UTF-8 at byte {at} (line {line}) in a document declared as UTF-8"))
    })
}

/// The `encoding` pseudo-attribute of an XML declaration at the start of the document, blank
/// lines before it allowed (as `without_declaration` allows them).
fn declared_encoding(body: &[u8]) -> Option<String> {
    let body = body.trim_ascii_start();
    let head = body.get(..body.len().min(200))?;
    let head = head.strip_prefix(b"<?xml")?;
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&head[..end]);
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// Parses XML text, refusing external entities and runaway entity expansion, with the error's
/// line and column.
pub fn parse(text: &str) -> Result<Document<'_>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = ParsingOptions { allow_dtd: true, nodes_limit: NODES_LIMIT, ..ParsingOptions::default() };
    Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream => {
            let lines = text.lines().count();
            ParseError::new(format!("bad XML: {e}: the document ends at line {lines}, cut short?"))
        }
        e => ParseError::new(format!("bad XML: {e}")),
    })
}

/// Decodes and parses in one step: what every XML format does first.
pub fn with_document<T>(
    body: &[u8],
    f: impl FnOnce(&Document<'_>) -> Result<T, ParseError>,
) -> Result<T, ParseError> {
    let text = decode(body)?;
    let text = without_declaration(&text);
    let doc = parse(&text)?;
    f(&doc)
}

/// The text with its XML declaration replaced by spaces of the same length (so error positions
/// still match the original). The declaration has done its work, choosing the decoder, and
/// roxmltree refuses one that does not stand at the very first byte, as happens when a sender or
/// a relay puts a newline or a tab before it.
pub fn without_declaration(text: &str) -> Cow<'_, str> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.len() - body.len();
    let lead = body.len() - body.trim_start().len();
    let decl = &body[lead..];
    if !decl.starts_with("<?xml") || decl[5..].chars().next().is_some_and(|c| !c.is_whitespace() && c != '?')
    {
        return Cow::Borrowed(text);
    }
    let Some(end) = decl.find("?>") else { return Cow::Borrowed(text) };
    let from = start + lead;
    let to = from + end + 2;
    let blank: String = text[from..to].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
    Cow::Owned(format!("{}{}{}", &text[..from], blank, &text[to..]))
}

/// The first child element of `node` with this local name, whatever its namespace.
pub fn child<'a, 'i>(node: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == local)
}

/// Every child element of `node` with this local name.
pub fn children<'a, 'i: 'a>(node: Node<'a, 'i>, local: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == local)
}

/// All text inside `node` (text and CDATA, nested elements included), trimmed; `None` if empty.
pub fn text_of(node: Node<'_, '_>) -> Option<String> {
    let text: String = node.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The text of the first child element with this local name.
pub fn child_text(node: Node<'_, '_>, local: &str) -> Option<String> {
    child(node, local).and_then(text_of)
}

/// 1-based line and column of a node, for messages that say where.
pub fn position(doc: &Document<'_>, node: Node<'_, '_>) -> String {
    let pos = doc.text_pos_at(node.range().start);
    format!("line {} column {}", pos.row, pos.col)
}

/// A date as feeds write them: RFC 3339 (CAP, CoT, Atom, including `-00:00` and six-digit
/// fractions) or RFC 2822 (RSS, GDACS: `Sun, 29 Dec 2019 12:00:00 GMT`). A date without a zone
/// is refused rather than guessed: taking local time for UTC would move an alert by hours.
pub fn parse_date(raw: &str) -> Result<DateTime<Utc>, String> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok() {
        return Err(format!("date {s:?} has no time zone"));
    }
    Err(format!("{s:?} is not an RFC 3339 or RFC 2822 date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_latin1_is_decoded() {
        let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Usulut\xe1n</a>";
        let got = with_document(body, |d| Ok(text_of(d.root_element()))).unwrap();
        assert_eq!(got.as_deref(), Some("Usulután"));
    }

    #[test]
    fn odd_declaration_spacing_is_accepted() {
        let body = b"<?xml version = \"1.0\" encoding = \"UTF-8\"?> \n<a>x</a>";
        assert_eq!(declared_encoding(body).as_deref(), Some("UTF-8"));
        assert!(with_document(body, |_| Ok(())).is_ok());
    }

    #[test]
    fn a_declaration_after_whitespace_is_accepted() {
        let body = b"\n\t<?xml version='1.0' encoding='UTF-8'?>\n<event uid='x'/>";
        let uid = with_document(body, |d| Ok(d.root_element().attribute("uid").map(str::to_string))).unwrap();
        assert_eq!(uid.as_deref(), Some("x"));
    }

    #[test]
    fn invalid_utf8_says_where() {
        let err = decode(b"<a>\n\xff</a>").unwrap_err().to_string();
        assert!(err.contains("byte 4 (line 2)"), "{err}");
    }

    #[test]
    fn unknown_encodings_are_named() {
        let err = decode(b"<?xml version='1.0' encoding='x-klingon'?><a/>").unwrap_err().to_string();
        assert!(err.contains("x-klingon"), "{err}");
    }

    #[test]
    fn dates_in_both_styles_and_none_without_a_zone() {
        let a = parse_date("Sun, 29 Dec 2019 12:00:00 GMT").unwrap();
        let b = parse_date("2019-12-29T12:00:00-00:00").unwrap();
        assert_eq!(a, b);
        assert!(parse_date("2021-11-13T13:12:32.671080Z").is_ok());
        assert!(parse_date("2019-12-29T12:00:00").unwrap_err().contains("no time zone"));
        assert!(parse_date("29/12/2019").is_err());
    }
}
