//! Feeds: reading a source's document, parsing it into normalized items, and working out what
//! changed against what the journal already holds. Fetching and parsing never touch desk state;
//! the diff is a pure function whose events the caller journals.

mod diff;
mod usgs;

pub use diff::{Changes, diff};

use std::fmt;
use std::io::Read;
use std::time::Instant;

use crate::config::{FeedConfig, FeedKind, FeedSource};
use crate::domain::FeedItem;

/// The largest document a feed may deliver; anything longer is refused while reading, so a
/// runaway source cannot exhaust memory.
pub const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

/// What a parser made of a document: the items it could read and a note for each it could not.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<FeedItem>,
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

/// How long a feed may poll successfully without change before the journal records that it is
/// still good; bounds how stale "last success" can look in a replay.
pub const QUIET_OK_INTERVAL: chrono::Duration = chrono::Duration::minutes(10);

/// The journal events for one poll's outcome, given what the journal already holds. `journal_ok`
/// asks for a `feed.polled` record even if nothing changed (first poll of a session, or after
/// `QUIET_OK_INTERVAL`).
pub fn outcome_events(
    state: &crate::state::DeskState,
    outcome: PollOutcome,
    journal_ok: bool,
) -> Vec<crate::event::Event> {
    use crate::event::Event;
    let health = state.feeds.get(&outcome.feed);
    let failing = health.is_some_and(|h| h.failing_since.is_some());
    match outcome.result {
        Ok(parsed) => {
            let count = parsed.items.len();
            let changes = diff(state, &outcome.feed, parsed.items);
            let mut events = Vec::with_capacity(changes.events.len() + 2);
            if failing {
                events.push(Event::FeedRecovered { feed: outcome.feed.clone() });
            }
            let changed = changes.new + changes.updated + changes.withdrawn > 0;
            let (new, updated, withdrawn) = (changes.new, changes.updated, changes.withdrawn);
            events.extend(changes.events);
            if changed || journal_ok || failing || !parsed.skipped.is_empty() {
                events.push(Event::FeedPolled {
                    feed: outcome.feed,
                    items: count,
                    new,
                    updated,
                    withdrawn,
                    ms: outcome.ms,
                    skipped: parsed.skipped.len(),
                    problem: parsed.skipped.into_iter().next(),
                });
            }
            events
        }
        Err(error) => {
            // A feed failing the same way every poll is one fact, not one per poll.
            let same = failing
                && health
                    .and_then(|h| h.last_error.as_ref())
                    .is_some_and(|(_, e)| *e == crate::text::one_line(&error));
            if same { Vec::new() } else { vec![Event::FeedFailed { feed: outcome.feed, error }] }
        }
    }
}
