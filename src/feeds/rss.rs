//! News feeds: RSS 2.0, RSS 1.0 (RDF), RSS 0.9x and Atom 1.0, read with feed-rs, which knows
//! their many dialects (and JSON Feed besides).
//!
//! What is ours: ids, text, dates and positions. The id is the entry's guid or Atom id, else its link, else
//! a hash of its title; feed-rs would otherwise invent a random UUID for an entry with neither,
//! and the same story would look new on every poll. Titles and summaries are published as HTML
//! often enough (CDATA, or escaped as entities, as Il Giornale does) that both are reduced to
//! text. Dates: RFC 3339 and RFC 2822 as the standards say, plus what real feeds write instead
//! (a bare `Z` or `UTC` zone, a date with no time as Debian's `dc:date`); a date we cannot
//! read leaves the item undated, which is fine for news, and a note in `incomplete` says which.
//! Positions (GeoRSS, W3C Basic Geo) are read apart, as feed-rs does not (`geotag`).
//! A document that declares entities in a DTD is refused before parsing: feed-rs's XML reader
//! does not expand them, and there is no reason for a news feed to need them.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use feed_rs::model::{Entry, Link, Text};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use quick_xml::events::Event;
use sha2::{Digest, Sha256};

use super::xml::{self, decode, parse_date};
use super::{ParseError, Parsed, geotag, html};
use crate::domain::{FeedItem, Severity, Traffic};

pub fn parse(feed: &str, body: &[u8], now: DateTime<Utc>) -> Result<Parsed, ParseError> {
    // News has no expiry; `now` is part of the common signature only.
    let _ = now;
    // feed-rs is given UTF-8 without a declaration: its own decoding switches encoding only
    // within quick-xml's first 64 bytes, and a longer or indented declaration of ISO-8859-1 read
    // as "no root element". Bad bytes in a UTF-8 document are an error that says where.
    let text = decode(body)?;
    let text = xml::without_declaration(&text);
    // Never legal in XML; and UTF-8 text beginning `<\0?\0` would be taken for UTF-16 by
    // feed-rs's own detection, past what the check below reads.
    if let Some(at) = text.find('\0') {
        return Err(ParseError::new(format!("not XML: a NUL character at byte {at} of the decoded text")));
    }
    refuse_unsafe_markup(&text)?;
    let unreadable_dates = Arc::new(Mutex::new(Vec::new()));
    // A parser per reading: one that failed mid-entry keeps state that makes the next panic.
    let parser = || {
        let seen = Arc::clone(&unreadable_dates);
        feed_rs::parser::Builder::new()
            .id_generator(stable_id)
            .timestamp_parser(move |raw| {
                let parsed = lenient_date(raw);
                if parsed.is_none() {
                    let raw = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                    seen.lock().map(|mut v| v.push(raw)).unwrap_or_default();
                }
                parsed
            })
            .build()
    };
    let unreadable = |e: ParseFeedError| match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => ParseError::new(
            "not a readable RSS or Atom feed: no <rss>, <rdf:RDF> or <feed> root element (an HTML page?)",
        ),
        e => ParseError::new(format!("not a readable RSS or Atom feed: {e}")),
    };
    let mut parsed = Parsed::default();
    let (doc, text) = match parser().parse(text.as_bytes()) {
        Ok(doc) => (doc, text),
        // A bare `&` ("Q&A", a link's `?a=1&b=2`) is the commonest fault of hand-made feeds:
        // read as text, said as incomplete, rather than the whole feed lost.
        Err(e) => {
            let Some((repaired, bare)) = escape_bare_ampersands(&text) else { return Err(unreadable(e)) };
            refuse_unsafe_markup(&repaired)?;
            unreadable_dates.lock().map(|mut v| v.clear()).unwrap_or_default();
            // Still unreadable: its other fault is the one to name (the first reading stopped at
            // an `&`). Escaping adds no line, so positions hold.
            let doc = parser().parse(repaired.as_bytes()).map_err(unreadable)?;
            parsed.incomplete.push(format!(
                "not well-formed XML: {} read as text",
                crate::words::count(bare as u64, "bare ampersand (&)", "bare ampersands (&)")
            ));
            (doc, std::borrow::Cow::Owned(repaired))
        }
    };
    let mut places = Places::read(text.as_bytes(), doc.entries.len(), &mut parsed);
    for (n, entry) in doc.entries.into_iter().enumerate() {
        let place = places.take(n, entry.id.trim());
        match item(feed, entry) {
            Ok(mut item) => {
                match place {
                    Ok(location) => item.location = location,
                    Err(why) => parsed.incomplete.push(format!("entry {n}: {why}; kept without a position")),
                }
                parsed.items.push(item);
            }
            Err(why) => parsed.skipped.push(format!("entry {n}: {why}")),
        }
    }
    let dates = unreadable_dates.lock().map(|v| v.clone()).unwrap_or_default();
    note_unreadable_dates(text.as_bytes(), &dates, &mut parsed);
    Ok(parsed)
}

/// The positions the document's entries give (GeoRSS, W3C Basic Geo), which feed-rs does not
/// read, matched to feed-rs's entries by their order, or by id when the counts differ.
enum Places {
    None,
    InOrder(Vec<geotag::Place>),
    ById(std::collections::HashMap<String, geotag::Place>),
}

impl Places {
    fn read(body: &[u8], entries: usize, parsed: &mut Parsed) -> Places {
        if !geotag::mentions_positions(body) {
            return Places::None;
        }
        match geotag::places(body) {
            Ok(tagged) if tagged.len() == entries => {
                Places::InOrder(tagged.into_iter().map(|t| t.place).collect())
            }
            Ok(tagged) => Places::ById(tagged.into_iter().filter_map(|t| Some((t.id?, t.place))).collect()),
            Err(e) => {
                parsed.incomplete.push(format!("positions not read: {e}"));
                Places::None
            }
        }
    }

    fn take(&mut self, n: usize, id: &str) -> geotag::Place {
        let place = match self {
            Places::None => None,
            Places::InOrder(places) => places.get_mut(n).map(|p| std::mem::replace(p, Ok(None))),
            Places::ById(places) => places.remove(id),
        };
        place.unwrap_or(Ok(None))
    }
}

/// A note for each entry whose date could not be read, naming the entry; a channel's own date
/// is no item's concern. Should the document not read as strict XML, each date is noted alone.
fn note_unreadable_dates(body: &[u8], dates: &[String], parsed: &mut Parsed) {
    if dates.is_empty() {
        return;
    }
    let by_entry = xml::with_document(body, |doc| {
        let mut notes = Vec::new();
        for (n, entry) in geotag::news_entries(doc).enumerate() {
            let unreadable = entry
                .children()
                .filter(|c| c.is_element() && DATE_ELEMENTS.contains(&c.tag_name().name()))
                .map(|date| {
                    xml::text_of(date).unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .find(|raw| dates.contains(raw));
            if let Some(raw) = unreadable {
                notes.push(format!("entry {n}: date {raw:?} not understood: the item is kept without it"));
            }
        }
        Ok(notes)
    });
    match by_entry {
        Ok(notes) => parsed.incomplete.extend(notes),
        Err(_) => parsed.incomplete.extend(
            dates.iter().map(|raw| format!("date {raw:?} not understood: the item is kept without it")),
        ),
    }
}

/// The elements RSS 2.0, RSS 1.0 (Dublin Core) and Atom date an entry with.
const DATE_ELEMENTS: [&str; 4] = ["pubDate", "published", "updated", "date"];

/// Reads the document's markup once with feed-rs's own tokenizer (quick-xml, configured as
/// feed-rs configures it), before feed-rs does, refusing what it would mishandle:
/// - an XML declaration anywhere but at the start: feed-rs hands one naming another encoding to
///   quick-xml, which panics changing the decoder mid-document;
/// - a DTD that declares entities, which feed-rs does not expand.
///
/// `text` is the decoded document with its opening declaration blanked out. The check reads on
/// past a tokenizer error, as feed-rs does where an element's text is malformed (`&<?xml`).
fn refuse_unsafe_markup(text: &str) -> Result<(), ParseError> {
    let mut reader = quick_xml::NsReader::from_str(text);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.trim_markup_names_in_closing_tags = true;
    config.trim_text(false);
    loop {
        let at = reader.buffer_position();
        let mut erred = false;
        let refusal = match reader.read_resolved_event() {
            Ok((_, Event::Eof)) => return Ok(()),
            Ok((_, Event::Decl(_))) => {
                let at = usize::try_from(at).unwrap_or(usize::MAX).min(text.len());
                let line = text.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
                Some(format!(
                    "not well-formed XML: an XML declaration on line {line}, inside the document (it may only open it)"
                ))
            }
            Ok((_, Event::DocType(dtd))) if AsRef::<str>::as_ref(&dtd).contains("<!ENTITY") => Some(
                "the document declares XML entities in its DTD, which attache does not expand".to_string(),
            ),
            Ok(_) => None,
            Err(_) => {
                erred = true;
                None
            }
        };
        if let Some(why) = refusal {
            return Err(ParseError::new(why));
        }
        // After an error the reader goes on past it; one that cannot has read all it can. (An
        // expanded `<a/>` gives its end without moving, so only an error is a reason to stop.)
        if erred && reader.buffer_position() == at {
            return Ok(());
        }
    }
}

/// The text with each `&` that begins no reference (`&name;`, `&#123;`, `&#x1F;`) written
/// `&amp;`, and how many there were; None when there are none. CDATA sections and comments,
/// where `&` is text already, are left as they are.
fn escape_bare_ampersands(text: &str) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut repaired = String::with_capacity(text.len() + 64);
    let (mut bare, mut copied, mut at) = (0, 0, 0);
    while let Some(found) = memchr::memchr2(b'&', b'<', &bytes[at..]) {
        let i = at + found;
        if bytes[i] == b'<' {
            let rest = &text[i..];
            // Where `&` is text already, or left to the reader (a stylesheet's `href`).
            let sections = [("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>"), ("<!DOCTYPE", ">")];
            let section = sections.into_iter().find(|(open, _)| rest.starts_with(open));
            at = match section {
                Some((open, close)) => rest[open.len()..]
                    .find(close)
                    .map_or(text.len(), |end| i + open.len() + end + close.len()),
                None => i + 1,
            };
            continue;
        }
        if !begins_reference(&bytes[i + 1..]) {
            repaired.push_str(&text[copied..=i]);
            repaired.push_str("amp;");
            copied = i + 1;
            bare += 1;
        }
        at = i + 1;
    }
    (bare > 0).then(|| {
        repaired.push_str(&text[copied..]);
        (repaired, bare)
    })
}

/// Whether what follows an `&` is a reference's name, or a character's number as quick-xml
/// takes it (`#x` lowercase, a character that can be), and its `;`.
fn begins_reference(after: &[u8]) -> bool {
    let Some(end) = after.iter().take(40).position(|b| *b == b';') else { return false };
    let Ok(name) = std::str::from_utf8(&after[..end]) else { return false };
    let character = |code: Option<u32>| code.and_then(char::from_u32).is_some_and(|c| c != '\0');
    if let Some(hex) = name.strip_prefix("#x") {
        let digits = hex.bytes().all(|b| b.is_ascii_hexdigit());
        return character(u32::from_str_radix(hex, 16).ok().filter(|_| digits));
    }
    if let Some(decimal) = name.strip_prefix('#') {
        let digits = decimal.bytes().all(|b| b.is_ascii_digit());
        return character(decimal.parse().ok().filter(|_| digits));
    }
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic() || matches!(first, b'_' | b':'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'))
}

/// The id of an entry that has neither guid nor Atom id: its link, else a hash of its title,
/// else nothing (the entry is then skipped, since it could not be told from the next).
fn stable_id(links: &[Link], title: &Option<Text>, _base: Option<&str>) -> String {
    if let Some(link) = links.first().filter(|l| !l.href.trim().is_empty()) {
        return link.href.trim().to_string();
    }
    match title.as_ref().map(|t| t.content.trim()).filter(|t| !t.is_empty()) {
        Some(t) => {
            let digest = Sha256::digest(t.as_bytes());
            let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
            format!("title-sha256-{hex}")
        }
        None => String::new(),
    }
}

/// Dates as feeds write them, which is not always as the standards say.
fn lenient_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Ok(t) = parse_date(&s) {
        return Some(t);
    }
    // RFC 2822 with a zone it does not list: "… 20:15:04 Z", "… UTC".
    for (zone, offset) in [(" Z", " +0000"), (" UTC", " +0000"), (" UT", " +0000")] {
        if let Some(head) = s.strip_suffix(zone)
            && let Ok(t) = parse_date(&format!("{head}{offset}"))
        {
            return Some(t);
        }
    }
    // A day without a time (Debian's dc:date): the start of that day, UTC.
    let day = NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

fn text(t: Option<&Text>) -> Option<String> {
    let text = html::to_text(&t?.content);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn item(feed: &str, entry: Entry) -> Result<FeedItem, String> {
    let id = entry.id.trim().to_string();
    if id.is_empty() {
        return Err("no guid, id, link or title to know it by".into());
    }
    let summary = text(entry.summary.as_ref()).or_else(|| {
        let body = entry.content.as_ref()?.body.as_deref()?;
        let text = html::to_text(body);
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_string())
    });
    let title = text(entry.title.as_ref()).or_else(|| summary.clone()).unwrap_or_else(|| id.clone());
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| entry.links.first())
        .map(|l| l.href.clone());
    let category = entry.categories.first().map(|c| c.label.clone().unwrap_or_else(|| c.term.clone()));
    Ok(FeedItem {
        feed: feed.to_string(),
        id,
        title,
        summary,
        link,
        published: entry.published.or(entry.updated),
        updated: entry.updated.filter(|u| Some(*u) != entry.published),
        severity: Severity::Info,
        severity_raw: None,
        category,
        magnitude: None,
        location: None,
        expires: None,
        traffic: Traffic::Real,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_feeds_write_them() {
        let at = |s: &str| lenient_date(s).map(|t| t.to_rfc3339());
        assert_eq!(at("Tue, 15 Nov 2022 20:15:04 Z").as_deref(), Some("2022-11-15T20:15:04+00:00"));
        assert_eq!(at("Tue, 15 Nov 2022 20:15:04 UTC").as_deref(), Some("2022-11-15T20:15:04+00:00"));
        assert_eq!(at(" 2022-12-17 ").as_deref(), Some("2022-12-17T00:00:00+00:00"));
        assert_eq!(at("Fri, 01 Apr 2022 00:01:55 -0400").as_deref(), Some("2022-04-01T04:01:55+00:00"));
        assert_eq!(at("yesterday"), None);
        assert_eq!(at("2022-12-17T10:00:00"), None, "no zone: not guessed");
    }

    #[test]
    fn ids_fall_back_to_link_then_title() {
        let title =
            Some(Text { content_type: "text/plain".parse().unwrap(), src: None, content: "Hello".into() });
        assert!(stable_id(&[], &title, None).starts_with("title-sha256-"));
        assert_eq!(stable_id(&[], &title, None), stable_id(&[], &title, None));
        assert_eq!(stable_id(&[], &None, None), "");
    }

    #[test]
    fn bare_ampersands_are_escaped_and_references_cdata_and_comments_left() {
        let escaped = escape_bare_ampersands;
        assert_eq!(escaped("<a>&amp; &#38; &#x26; &nbsp; &a.b-c_d:e;</a>"), None);
        assert_eq!(
            escaped("<t>Q&A & AT&T</t><l href=\"x?a=1&b=2\"/><![CDATA[& &]]><!-- & -->&#;&#x;&"),
            Some((
                "<t>Q&amp;A &amp; AT&amp;T</t><l href=\"x?a=1&amp;b=2\"/><![CDATA[& &]]><!-- & -->&amp;#;&amp;#x;&amp;"
                    .to_string(),
                7
            ))
        );
        // A stylesheet's `href` and a DOCTYPE are left to the reader; a number no character has,
        // or `#X`, which quick-xml does not take, is no reference.
        let kept = "<?xml-stylesheet href=\"s?a=1&b=2\"?><!DOCTYPE rss SYSTEM \"x?a&b\">";
        assert_eq!(
            escaped(&format!("{kept}<t>&#0;&#xD800;&#X41;&#99999999999;&#65;</t>")),
            Some((format!("{kept}<t>&amp;#0;&amp;#xD800;&amp;#X41;&amp;#99999999999;&#65;</t>"), 4))
        );
        // An unclosed CDATA section runs to the end: nothing after it is touched.
        assert_eq!(escaped("<![CDATA[ & "), None);
    }

    #[test]
    fn only_markup_is_refused_not_text_that_looks_like_it() {
        let refused =
            |doc: &str| refuse_unsafe_markup(&xml::without_declaration(doc)).err().map(|e| e.to_string());
        let entities = refused("<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'b'>]><rss/>").unwrap();
        assert!(entities.contains("declares XML entities"), "{entities}");
        assert_eq!(refused("<!-- c --><rss><![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]>]]></rss>"), None);
        assert_eq!(refused("<!DOCTYPE rss PUBLIC \"-//Netscape//DTD RSS 0.91//EN\"><rss/>"), None);
        assert_eq!(
            refused("<rss><a><![CDATA[<?xml version='1.0'?>]]></a><!-- <?xml version='1.0'?> --></rss>"),
            None
        );
        let late = refused("<rss>\n<a>\n<?xml version='1.0'?></a></rss>").unwrap();
        assert!(late.contains("XML declaration on line 3"), "{late}");
        // In an attribute value `<![CDATA[` is text, and what follows it is markup again.
        assert!(refused("<rss><a b=\"<![CDATA[\"/><?xml version='1.0'?></rss>").is_some());
        // After a malformed reference the reader goes on, and so does the check.
        assert!(refused("<rss><a>&<?xml version='1.0'?>lt;</a></rss>").is_some());
        // After an empty element too, whose end comes without reading a byte.
        assert!(refused("<rss><a/><?xml version='1.0'?></rss>").is_some());
    }
}
