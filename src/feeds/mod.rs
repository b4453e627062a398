//! Feeds: reading a source's document, parsing it into normalized items, and working out what
//! changed against what the journal already holds. Fetching and parsing never touch desk state;
//! the diff is a pure function whose events the caller journals.

pub mod cap;
mod coalesce;
pub mod cot;
mod diff;
pub mod gdacs;
mod geotag;
mod html;
pub mod http;
pub mod json;
pub mod keepalive;
pub mod listen;
mod outcome;
mod poller;
pub mod redact;
pub mod redirect;
pub mod rss;
pub mod spec;
pub mod time_format;
pub mod tls;
mod udp_socket;
mod usgs;
mod xml;

pub use diff::{Changes, Missing, diff, expired};
pub use outcome::{QUIET_OK_INTERVAL, is_stale, outcome_events, quiet_ok_due, stale_after};
pub use poller::{PollOutcome, PollResult, Poller, backoff};

use chrono::{DateTime, Utc};

use crate::domain::FeedItem;
use crate::event::WithdrawReason;
use spec::FeedKind;
use std::fmt;

/// The largest document a feed may deliver; anything longer is refused while reading, so a
/// runaway source cannot exhaust memory.
pub const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

/// What a parser made of a document: the items it could read, the items it says are over
/// (a CAP Cancel, a GDACS event no longer current), a note for each entry it could not read, and
/// a note for each item it kept with a part it could not read (a time, a position).
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<FeedItem>,
    /// Ids (within this feed) the document withdraws, with why.
    pub withdrawn: Vec<(String, WithdrawReason)>,
    /// Entries left out, each with why.
    pub skipped: Vec<String>,
    /// Items kept without a field they carry but that could not be read, each with why.
    pub incomplete: Vec<String>,
}

impl Parsed {
    /// The first thing that went wrong reading the document: a skipped entry before an
    /// incomplete one, as it costs more.
    pub fn first_problem(&self) -> Option<&String> {
        self.skipped.first().or(self.incomplete.first())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(String);

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    fn json(e: &serde_json::Error) -> Self {
        Self(format!("bad JSON at line {} column {}: {e}", e.line(), e.column()))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses one document of a feed of `kind` named `feed`. `map` is the JSON mapping (json feeds
/// only); `now` decides what has already expired.
pub fn parse(
    kind: FeedKind,
    feed: &str,
    map: Option<&json::JsonMapping>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Parsed, ParseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::new("empty document"));
    }
    match kind {
        FeedKind::UsgsGeojson => usgs::parse(feed, strip_bom(body)),
        FeedKind::GdacsRss => gdacs::parse(feed, body, now),
        FeedKind::Cap => cap::parse(feed, body, now),
        FeedKind::Rss => rss::parse(feed, body, now),
        FeedKind::Json => {
            let map = map.ok_or_else(|| ParseError::new("a json feed needs a mapping ([feed.map])"))?;
            json::parse(feed, body, map, now)
        }
        FeedKind::CotUdp | FeedKind::CotTcp => cot::parse(feed, body, now),
    }
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}
