//! Feeds: reading a source's document, parsing it into normalized items, and working out what
//! changed against what the journal already holds. Fetching and parsing never touch desk state;
//! the diff is a pure function whose events the caller journals.

pub mod cap;
pub mod cot;
mod diff;
pub mod gdacs;
mod html;
pub mod json;
mod outcome;
pub mod rss;
mod usgs;
mod xml;

pub use diff::{Changes, Missing, diff, expired};
pub use outcome::{QUIET_OK_INTERVAL, outcome_events};

use std::fmt;
use std::io::Read;
use std::time::Instant;

use crate::config::{FeedConfig, FeedKind, FeedSource};
use crate::domain::FeedItem;
use crate::event::WithdrawReason;

/// The largest document a feed may deliver; anything longer is refused while reading, so a
/// runaway source cannot exhaust memory.
pub const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

/// What a parser made of a document: the items it could read, the items it says are over
/// (a CAP Cancel, a GDACS event no longer current), and a note for each entry it could not read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<FeedItem>,
    /// Ids (within this feed) the document withdraws, with why.
    pub withdrawn: Vec<(String, WithdrawReason)>,
    pub skipped: Vec<String>,
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

/// The outcome of one poll of one feed.
#[derive(Debug)]
pub struct PollOutcome {
    pub feed: String,
    pub result: Result<Parsed, String>,
    pub ms: u64,
}

/// Reads and parses a feed's document once. Blocking: run it off the UI thread.
pub fn poll_once(feed: &FeedConfig) -> PollOutcome {
    let started = Instant::now();
    let result =
        fetch(&feed.source).and_then(|body| parse(feed.kind, &feed.name, &body).map_err(|e| e.to_string()));
    PollOutcome { feed: feed.name.clone(), result, ms: started.elapsed().as_millis() as u64 }
}

fn fetch(source: &FeedSource) -> Result<Vec<u8>, String> {
    match source {
        FeedSource::File(path) => {
            let file =
                std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut body = Vec::new();
            file.take(MAX_DOCUMENT_BYTES + 1)
                .read_to_end(&mut body)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if body.len() as u64 > MAX_DOCUMENT_BYTES {
                return Err(format!("{} is larger than {} MiB", path.display(), MAX_DOCUMENT_BYTES >> 20));
            }
            Ok(body)
        }
    }
}

pub fn parse(kind: FeedKind, feed: &str, body: &[u8]) -> Result<Parsed, ParseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::new("empty document"));
    }
    match kind {
        FeedKind::UsgsGeojson => usgs::parse(feed, strip_bom(body)),
    }
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}
