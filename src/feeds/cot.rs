//! Cursor-on-Target: the XML `<event>`s TAK systems (ATAK, WinTAK, iTAK, TAK Server) send over
//! UDP, one per datagram, and over TCP, run together in a stream that [`CotFramer`] cuts apart.
//!
//! One item per `uid`: the latest event for a uid replaces the earlier. `stale` is the sender's
//! promise of how long the report holds, so it becomes `expires`, and an event that arrives
//! already past `stale` withdraws its uid (reason Stale) instead of showing a dead track.
//! Stale before time: TAK Server rewrites `time` to when it relayed an event and keeps the
//! sender's `start` and `stale`, so a late relay can carry `stale` earlier than `time`. The
//! sender's `stale` is kept (the report really is that old): the item is published at `start`,
//! expires at `stale`, and its summary says it was relayed after going stale. A delete
//! (`t-x-d-d`) withdraws the marker it names (reason Cancelled) and makes no item.
//!
//! Affiliation is the second atom of an `a-` type, case-insensitively (`a-U-G` is unknown).
//! Severity: an emergency (`b-a-o-*` but not the `b-a-o-can` cancel) is critical; hostile is
//! severe; suspect, joker and faker moderate; unknown and pending minor; everything else info.
//! `opex` marks exercise (e-…) and simulation (s-…, shown as test) traffic; a value outside
//! o/e/s is refused rather than guessed. Point fields of 9999999 mean unknown; 0,0 (which servers
//! and pings use for "no position") is treated as no position. Pings (`t-x-c-t`) are
//! keep-alives and make no item. Real quirks handled: single or double quotes, a missing or
//! leading XML declaration, `<point>` after `<detail>`, `start` after `time`, empty
//! `<remarks/>`, and callsigns with entities such as `&amp;` and `&#10;`.

use chrono::{DateTime, Utc};
use roxmltree::Node;

use super::xml::{child, parse_date, position, text_of, with_document};
use super::{ParseError, Parsed};
use crate::domain::{FeedItem, LatLon, Location, Severity, Traffic};
use crate::event::WithdrawReason;

/// The CoT value for "unknown" in height and error fields.
const UNKNOWN: f64 = 9_999_999.0;

pub fn parse(feed: &str, body: &[u8], now: DateTime<Utc>) -> Result<Parsed, ParseError> {
    with_document(body, |doc| {
        let root = doc.root_element();
        if root.tag_name().name() != "event" {
            return Err(ParseError::new(format!(
                "not a CoT event: the root element is <{}>, not <event>",
                root.tag_name().name()
            )));
        }
        let mut parsed = Parsed::default();
        match event(feed, root, now) {
            Ok(Some(Event::Live(item))) => parsed.items.push(*item),
            Ok(Some(Event::Stale(uid))) => parsed.withdrawn.push((uid, WithdrawReason::Stale)),
            // Its sender took the marker back, as a CAP message is cancelled.
            Ok(Some(Event::Deleted(uid))) => parsed.withdrawn.push((uid, WithdrawReason::Cancelled)),
            Ok(None) => {}
            Err(why) => {
                let uid = root.attribute("uid").map(|u| format!(" uid={u:?}")).unwrap_or_default();
                parsed.skipped.push(format!("event{uid} ({}): {why}", position(doc, root)));
            }
        }
        Ok(parsed)
    })
}

enum Event {
    Live(Box<FeedItem>),
    Stale(String),
    /// A delete naming the marker it removes.
    Deleted(String),
}

/// ATAK's delete (`t-x-d-d`, sent when a user removes a marker, and by servers and gateways
/// for tracks that ended): the marker goes at once, not when it would have gone stale.
pub const DELETE_TYPE: &str = "t-x-d-d";

fn required<'a>(node: Node<'a, '_>, name: &str) -> Result<&'a str, String> {
    node.attribute(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("no {name} attribute"))
}

fn date(node: Node<'_, '_>, name: &str) -> Result<DateTime<Utc>, String> {
    parse_date(required(node, name)?).map_err(|e| format!("{name}: {e}"))
}

fn event(feed: &str, node: Node<'_, '_>, now: DateTime<Utc>) -> Result<Option<Event>, String> {
    let uid = required(node, "uid")?.to_string();
    let kind = required(node, "type")?.to_string();
    // The whole type: a withdrawal resolves the marker's alerts, so only a delete makes one.
    if kind.eq_ignore_ascii_case(DELETE_TYPE) {
        // The marker is named in `<link uid>` (ATAK, TAK Server); some senders give the delete
        // the marker's own uid instead. Its times do not matter: a delete is never kept.
        let link = child(node, "detail").and_then(|d| child(d, "link")).and_then(|l| l.attribute("uid"));
        let target = link.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(&uid);
        return Ok(Some(Event::Deleted(target.to_string())));
    }
    let time = date(node, "time")?;
    let stale = date(node, "stale")?;
    let start = node.attribute("start").map(|_| date(node, "start")).transpose()?;
    if kind.eq_ignore_ascii_case("t-x-c-t") {
        return Ok(None);
    }
    let traffic = match node.attribute("opex").map(str::trim) {
        None | Some("") => Traffic::Real,
        Some(o) if o.starts_with('o') => Traffic::Real,
        Some(o) if o.starts_with('e') => Traffic::Exercise,
        Some(o) if o.starts_with('s') => Traffic::Test,
        Some(other) => {
            return Err(format!("opex {other:?} is not o (operations), e (exercise) or s (simulation)"));
        }
    };
    if stale <= now {
        return Ok(Some(Event::Stale(uid)));
    }
    let relayed_late = stale < time;
    let (affiliation, severity) = classify(&kind);
    let detail = child(node, "detail");
    let callsign = detail
        .and_then(|d| child(d, "contact"))
        .and_then(|c| c.attribute("callsign"))
        .or_else(|| detail.and_then(|d| child(d, "__chat")).and_then(|c| c.attribute("senderCallsign")))
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let remarks = detail.and_then(|d| child(d, "remarks")).and_then(text_of);
    let point = child(node, "point");
    let mut summary = Vec::new();
    summary.extend(remarks);
    let mut facts = vec![format!("type {kind}")];
    if let Some(how) = node.attribute("how") {
        facts.push(format!("how {how}"));
    }
    if let Some(p) = point {
        for (name, label) in [("hae", "height"), ("ce", "ce"), ("le", "le")] {
            if let Some(v) = known(p, name) {
                facts.push(format!("{label} {v} m"));
            }
        }
    }
    if relayed_late {
        facts.push("relayed after it went stale (time rewritten by a server)".into());
    }
    summary.push(facts.join(", "));
    Ok(Some(Event::Live(Box::new(FeedItem {
        feed: feed.to_string(),
        title: callsign.map_or_else(|| uid.clone(), str::to_string),
        id: uid,
        summary: Some(summary.join("\n")),
        link: None,
        published: Some(if relayed_late { start.unwrap_or(time) } else { time }),
        updated: None,
        severity,
        severity_raw: Some(kind.clone()),
        category: Some(affiliation),
        magnitude: None,
        location: point.and_then(location),
        expires: Some(stale),
        traffic,
    }))))
}

/// A point attribute that is a finite number and not the "unknown" marker.
fn known(point: Node<'_, '_>, name: &str) -> Option<f64> {
    let v: f64 = point.attribute(name)?.trim().parse().ok()?;
    (v.is_finite() && v < UNKNOWN).then_some(v)
}

fn location(point: Node<'_, '_>) -> Option<Location> {
    let lat: f64 = point.attribute("lat")?.trim().parse().ok()?;
    let lon: f64 = point.attribute("lon")?.trim().parse().ok()?;
    if lat == 0.0 && lon == 0.0 {
        return None;
    }
    let p = LatLon::new(lat, lon)?;
    Some(Location::Point { lat: p.lat, lon: p.lon })
}

/// The category and severity a CoT type gives: the affiliation of an atom (`a-…`), or what kind
/// of bit (`b-…`) it is.
fn classify(kind: &str) -> (String, Severity) {
    let atoms: Vec<String> = kind.split('-').map(str::to_ascii_lowercase).collect();
    let atom = |i: usize| atoms.get(i).map(String::as_str);
    match (atom(0), atom(1)) {
        (Some("a"), Some(aff)) => {
            let (word, severity) = match aff {
                "f" => ("friend", Severity::Info),
                "a" => ("assumed friend", Severity::Info),
                "n" => ("neutral", Severity::Info),
                "o" => ("none specified", Severity::Info),
                "x" => ("other", Severity::Info),
                "u" => ("unknown", Severity::Minor),
                "p" => ("pending", Severity::Minor),
                "s" => ("suspect", Severity::Moderate),
                "j" => ("joker", Severity::Moderate),
                "k" => ("faker", Severity::Moderate),
                "h" => ("hostile", Severity::Severe),
                _ => ("unknown affiliation", Severity::Info),
            };
            (word.to_string(), severity)
        }
        (Some("b"), Some("a")) if atom(2) == Some("o") && atom(3) == Some("can") => {
            ("emergency cancelled".into(), Severity::Info)
        }
        (Some("b"), Some("a")) if atom(2) == Some("o") => ("emergency".into(), Severity::Critical),
        (Some("b"), Some("t")) => ("chat".into(), Severity::Info),
        (Some("b"), Some("i")) => ("image".into(), Severity::Info),
        _ => (kind.to_string(), Severity::Info),
    }
}

/// What the framer makes of the bytes it has been given so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framed {
    /// One complete `<event …>…</event>` document, ready for [`parse`].
    Event(Vec<u8>),
    /// Bytes thrown away while resynchronising, and why.
    Dropped(String),
}

/// Cuts a TCP byte stream into CoT events. TAK servers send events back to back, with or
/// without XML declarations; one read may hold several events, part of one, or the end of one
/// and the start of the next. The framer holds a partial event until its end arrives, and
/// refuses to hold more than `limit` bytes of one event, so a sender that never closes an event
/// cannot grow memory without bound: the partial event is dropped, reported, and the framer
/// resynchronises on the next `<event`.
///
/// An event ends where its start tag's element closes, found by following the XML: tags and
/// their quoted attribute values, CDATA sections, comments and processing instructions, and the
/// depth of nested elements. A `</event>` or `<event` inside a chat message's CDATA, a comment
/// or an attribute is text: one sender's words cannot end an event early or forge another.
#[derive(Debug)]
pub struct CotFramer {
    buf: Vec<u8>,
    limit: usize,
    /// Whether `buf` starts at an event's `<event`, and how far into it the XML has been followed,
    /// so that a sender dribbling bytes does not make every read rescan the whole partial event.
    started: bool,
    scan: Scan,
}

/// Where the framer is in an event's XML, resumable at any byte.
#[derive(Debug, Default)]
struct Scan {
    /// The first byte not yet read.
    pos: usize,
    /// Elements open: 1 inside the event itself.
    depth: usize,
    within: Within,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Within {
    /// Character data between tags.
    #[default]
    Text,
    /// A start tag, inside the quoted value opened by this quote if any.
    StartTag(Option<u8>),
    EndTag,
    Cdata,
    Comment,
    Instruction,
    /// `<!DOCTYPE …>` and other markup declarations.
    Declaration,
}

/// What following the XML further found.
enum Step {
    /// The event ends just before this index.
    Complete(usize),
    /// Another event begins here, inside this one: this one was cut off.
    Cut(usize),
    /// Everything so far has been read.
    NeedMore,
}

/// The largest single event the framer holds by default: far above real traffic (a few KB, a
/// few tens with inline base64 attachments).
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

const OPEN: &[u8] = b"<event";

impl Default for CotFramer {
    fn default() -> Self {
        Self::new(MAX_EVENT_BYTES)
    }
}

impl CotFramer {
    pub fn new(limit: usize) -> Self {
        Self { buf: Vec::new(), limit: limit.max(64), started: false, scan: Scan::default() }
    }

    /// Bytes held for an event not yet complete.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Takes the next bytes read from the stream and returns what they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Framed> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        loop {
            if !self.started {
                let Some(start) = find_open(&self.buf, 0) else {
                    // No event begins here: keep only what could begin one (or a declaration).
                    let keep = unfinished_tag(&self.buf);
                    self.discard(self.buf.len() - keep, &mut out);
                    return out;
                };
                self.discard(start, &mut out);
                self.started = true;
            }
            match self.scan.follow(&self.buf) {
                Step::Complete(end) => {
                    let event = self.buf.drain(..end).collect();
                    self.restart();
                    out.push(Framed::Event(event));
                }
                Step::Cut(next) => self.drop_cut(next, &mut out),
                Step::NeedMore if self.buf.len() > self.limit => {
                    out.push(Framed::Dropped(format!(
                        "an event longer than {} bytes without its end: dropped {} bytes, resynchronising",
                        self.limit,
                        self.buf.len()
                    )));
                    self.buf.clear();
                    self.restart();
                    return out;
                }
                Step::NeedMore => return out,
            }
        }
    }

    fn restart(&mut self) {
        self.started = false;
        self.scan = Scan::default();
    }

    fn drop_cut(&mut self, next: usize, out: &mut Vec<Framed>) {
        out.push(Framed::Dropped(format!(
            "an event cut off after {next} bytes by the start of another: dropped"
        )));
        self.buf.drain(..next);
        self.restart();
    }

    /// Drops the first `n` bytes, reporting them unless they are only whitespace and XML
    /// declarations (which TAK senders put between events).
    fn discard(&mut self, n: usize, out: &mut Vec<Framed>) {
        if n == 0 {
            return;
        }
        let junk: Vec<u8> = self.buf.drain(..n).collect();
        if !is_filler(&junk) {
            out.push(Framed::Dropped(format!("{n} bytes between events that are not an event: dropped")));
        }
    }
}

impl Scan {
    /// Follows the XML of the event `buf` starts with, from where the last call stopped.
    fn follow(&mut self, buf: &[u8]) -> Step {
        while self.pos < buf.len() {
            let rest = &buf[self.pos..];
            match self.within {
                Within::Text => {
                    let Some(lt) = rest.iter().position(|&b| b == b'<') else {
                        self.pos = buf.len();
                        break;
                    };
                    self.pos += lt;
                    match self.markup(&buf[self.pos..]) {
                        Some(Ok(())) => {}
                        Some(Err(())) => return Step::Cut(self.pos),
                        None => return Step::NeedMore, // wait for the bytes that tell what it is
                    }
                }
                Within::StartTag(quote) => {
                    let (i, b) = match quote {
                        Some(q) => match rest.iter().position(|&b| b == q) {
                            Some(i) => (i, q),
                            None => {
                                self.pos = buf.len();
                                break;
                            }
                        },
                        None => match rest.iter().position(|&b| matches!(b, b'"' | b'\'' | b'>')) {
                            Some(i) => (i, rest[i]),
                            None => {
                                self.pos = buf.len();
                                break;
                            }
                        },
                    };
                    let at = self.pos + i;
                    self.pos = at + 1;
                    match (quote, b) {
                        (Some(_), _) => self.within = Within::StartTag(None),
                        (None, b'>') => {
                            self.within = Within::Text;
                            if buf[at - 1] != b'/' {
                                self.depth += 1;
                            } else if self.depth == 0 {
                                return Step::Complete(self.pos); // `<event …/>`
                            }
                        }
                        (None, q) => self.within = Within::StartTag(Some(q)),
                    }
                }
                Within::EndTag => match self.skip_past(buf, b">") {
                    true => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            return Step::Complete(self.pos);
                        }
                    }
                    false => break,
                },
                Within::Cdata => {
                    if !self.skip_past(buf, b"]]>") {
                        break;
                    }
                }
                Within::Comment => {
                    if !self.skip_past(buf, b"-->") {
                        break;
                    }
                }
                Within::Instruction => {
                    if !self.skip_past(buf, b"?>") {
                        break;
                    }
                }
                Within::Declaration => {
                    if !self.skip_past(buf, b">") {
                        break;
                    }
                }
            }
        }
        Step::NeedMore
    }

    /// Reads what the markup starting at `lt` (a `<`) opens; `None` when more bytes are needed
    /// to tell, `Err` when it is another event's start tag inside this event.
    fn markup(&mut self, lt: &[u8]) -> Option<Result<(), ()>> {
        const OPENERS: [(&[u8], Within); 4] = [
            (b"<![CDATA[", Within::Cdata),
            (b"<!--", Within::Comment),
            (b"<?", Within::Instruction),
            (b"</", Within::EndTag),
        ];
        for (opener, within) in OPENERS {
            if lt.starts_with(opener) {
                self.pos += opener.len();
                self.within = within;
                return Some(Ok(()));
            }
            if opener.starts_with(lt) {
                return None;
            }
        }
        if lt.len() < 2 || (lt[1] == b'!' && (b"<![CDATA[".starts_with(lt) || b"<!--".starts_with(lt))) {
            return None;
        }
        if lt[1] == b'!' {
            self.pos += 2;
            self.within = Within::Declaration;
            return Some(Ok(()));
        }
        if self.depth > 0 && lt.starts_with(OPEN) {
            match lt.get(OPEN.len()) {
                None => return None,
                Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/' => return Some(Err(())),
                Some(_) => {}
            }
        } else if self.depth > 0 && OPEN.starts_with(lt) {
            return None;
        }
        self.pos += 1;
        self.within = Within::StartTag(None);
        Some(Ok(()))
    }

    /// Moves past the next `end`, back to text; false (having read all it can) if it has not come.
    fn skip_past(&mut self, buf: &[u8], end: &[u8]) -> bool {
        match find(buf, end, self.pos) {
            Some(at) => {
                self.pos = at + end.len();
                self.within = Within::Text;
                true
            }
            None => {
                // The end may straddle reads: look again from just before where this read ended.
                self.pos = (buf.len() + 1).saturating_sub(end.len()).max(self.pos);
                false
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// The next `<event` that is a start tag (followed by whitespace, `>` or `/`), at or after `from`.
fn find_open(hay: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(p) = find(hay, OPEN, at) {
        match hay.get(p + OPEN.len()) {
            Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/' => return Some(p),
            Some(_) => at = p + 1,
            None => return None, // "<event" at the very end: wait for the next byte
        }
    }
    None
}

/// How many trailing bytes are a tag not yet finished (`<eve`, `<?xml version=`), which the
/// next read may complete; at most a few hundred, so junk is never held for long.
fn unfinished_tag(buf: &[u8]) -> usize {
    const LONGEST: usize = 256;
    match buf.iter().rposition(|b| *b == b'<') {
        Some(lt) if buf.len() - lt <= LONGEST && !buf[lt..].contains(&b'>') => buf.len() - lt,
        _ => 0,
    }
}

fn is_filler(junk: &[u8]) -> bool {
    let text = String::from_utf8_lossy(junk);
    let mut rest = text.trim_start();
    while let Some(decl) = rest.strip_prefix("<?") {
        match decl.find("?>") {
            Some(end) => rest = decl[end + 2..].trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_classify_case_insensitively() {
        assert_eq!(classify("a-U-G"), ("unknown".to_string(), Severity::Minor));
        assert_eq!(classify("a-h-G"), ("hostile".to_string(), Severity::Severe));
        assert_eq!(classify("b-a-o-tbl"), ("emergency".to_string(), Severity::Critical));
        assert_eq!(classify("b-a-o-can").1, Severity::Info);
        assert_eq!(classify("b-t-f").0, "chat");
        assert_eq!(classify("x").0, "x");
    }

    #[test]
    fn declarations_between_events_are_not_junk() {
        assert!(is_filler(b"\n<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\t"));
        assert!(!is_filler(b"HTTP/1.1 200 OK"));
    }

    #[test]
    fn a_partial_tag_is_held() {
        assert_eq!(unfinished_tag(b"xx<eve"), 4);
        assert_eq!(unfinished_tag(b"xx<?xml version="), 14);
        assert_eq!(unfinished_tag(b"xx<a>"), 0);
        assert_eq!(unfinished_tag(b"xx"), 0);
    }
}
