//! Reading one stretch of the journal for a briefing: each record a briefing uses becomes a
//! `Step` (applied later, in the record's order, with the steps of the stretches before it),
//! and the period's notable items are gathered. Stretches are independent, so two of them are
//! read on two cores.

use chrono::serde::ts_microseconds;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use super::digest::{Buffers, Digests, ItemRef};
use super::kept::Version;
use super::{Action, AlertFact, ItemFact, Name, Nearness, NoteFact, Provenance, name};
use crate::domain::{Location, Severity, Traffic};
use crate::journal::Follower;
use crate::journal::commands::kind_of;
use crate::journal::format::{Hash, trailer};
use crate::text::{Text, one_line};

/// The period, in microseconds since the epoch, both ends included.
#[derive(Clone, Copy)]
pub(super) struct Period {
    pub from: i64,
    pub to: i64,
}

/// What a record tells a briefing, cleaned to one line, in the order it was recorded. Digests
/// keep them (in postcard: times as microseconds).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) enum Step {
    /// Boxed, as the largest: steps are many, and moved about.
    Raised(Box<AlertFact>),
    Updated {
        alert: Name,
        severity: Option<Severity>,
        title: String,
    },
    Acknowledged {
        alert: Name,
        action: Action,
    },
    Unacknowledged {
        alert: Name,
    },
    Escalated {
        alert: Name,
        #[serde(with = "ts_microseconds")]
        at: DateTime<Utc>,
    },
    Resolved {
        alert: Name,
        action: Action,
    },
    Failed {
        feed: Name,
        #[serde(with = "ts_microseconds")]
        at: DateTime<Utc>,
    },
    /// A successful poll or a recovery.
    Ok {
        feed: Name,
        #[serde(with = "ts_microseconds")]
        at: DateTime<Utc>,
    },
    CheckedIn {
        contact: Name,
        #[serde(with = "ts_microseconds")]
        at: DateTime<Utc>,
        in_period: bool,
    },
    Note(NoteFact),
    /// A notable item with a location, whether or not near a mission: only a digest keeps
    /// these as steps (a briefing keeps the items near its missions, `Span::items`).
    Item(Box<(ItemFact, Location)>),
}

/// What becomes of the notable items read.
#[derive(Clone, Copy)]
pub(super) enum Items<'a> {
    /// Kept by key in their last version near a mission, as `near` says (or, for the
    /// missions the `u128` names, a digest's nearness file: see `digest::take`).
    Near(&'a Nearness<'a>, Option<u128>),
    /// Every version kept, in order, as `Step::Item` (for a digest).
    All,
}

pub(super) struct Span {
    pub steps: Vec<Step>,
    /// The period's notable items near a briefed mission, in the order of their records (an
    /// item may be here in several versions; the last is the one briefed).
    /// (none when reading `Items::All`).
    pub items: Vec<Version>,
    /// The files of the digests taken whose items' text is in them (`Version`).
    pub files: Vec<super::digest::DigestFile>,
    pub provenance: Provenance,
    /// The sum of the last record in the period.
    pub head: Option<Hash>,
    /// Damage met, located.
    pub problems: Vec<crate::journal::ReadProblem>,
    /// The first record read (seq and `prev`), and the last (seq and `sum`): the chain between
    /// two stretches is checked where they meet.
    pub first: Option<(u64, Hash)>,
    pub last: Option<(u64, Hash)>,
    /// Records of the period whose steps came from digests.
    pub digested: u64,
    /// Of those, records whose digest was taken on its segments' seals, their bytes unread.
    pub sealed: u64,
    /// Of those, records whose items' nearness was taken from their digest's nearness file.
    pub measured_before: u64,
    /// Reading `Items::All` (for a digest): the seq of the record each step came from.
    pub stamps: Vec<u64>,
}

/// Reads the records from `begin` up to the end of the period or record `end` (not included),
/// from `follower`. A follower sought to `begin` may start a little before it (at damage it
/// met on the way): those records are the stretch before's.
///
/// With `digests`, a digest's span that starts where the reader is (before, in or across the
/// ends of the period) is not read record by record: its bytes are checked against the digest
/// and its steps up to the period's end taken from it. If a digest does not hold, or there is
/// damage anywhere in a stretch that took one, the stretch is read again without digests, so
/// what they give is always what reading every record gives.
pub(super) fn read(
    follower: Follower,
    period: Period,
    range: (u64, u64),
    items: Items<'_>,
    digests: Option<&Digests>,
) -> Result<Span, crate::journal::JournalError> {
    if let Some(digests) = digests {
        let (span, matched) = read_once(follower.clone(), period, range, items, Some(digests))?;
        if matched {
            return Ok(span);
        }
    }
    Ok(read_once(follower, period, range, items, None)?.0)
}

/// `read`, once: with digests, also whether every digest taken held and joined the records
/// around it (if not, the span is unusable as read).
fn read_once(
    mut follower: Follower,
    period: Period,
    (begin, end): (u64, u64),
    items: Items<'_>,
    digests: Option<&Digests>,
) -> Result<(Span, bool), crate::journal::JournalError> {
    let mut span = Span {
        steps: Vec::new(),
        items: Vec::new(),
        files: Vec::new(),
        provenance: Provenance::default(),
        head: None,
        problems: Vec::new(),
        first: None,
        last: None,
        digested: 0,
        sealed: 0,
        measured_before: 0,
        stamps: Vec::new(),
    };
    // Only a briefing takes digests (with the nearness its items are kept by); a digest is made
    // by reading records (`Items::All`), never from other digests.
    let digests = match items {
        Items::Near(near, identity) => digests.map(|digests| (digests, (near, identity))),
        Items::All => None,
    };
    let notable = Notable::new();
    let mut buffers = Buffers::default();
    // Records before this are another reader's, or a digest's just taken.
    let mut from = begin;
    let mut took_digest = false;
    loop {
        let mut digest_at = None;
        let problems = follower.poll_lines(|raw, notes| {
            // Time never runs backwards along the journal: the first record past the period ends it.
            if raw.ts_micros > period.to || raw.seq >= end {
                return false;
            }
            if raw.seq < from {
                return true;
            }
            let in_period = raw.ts_micros >= period.from;
            if digests.is_some_and(|(d, _)| d.covers(raw.seq, end)) {
                digest_at = Some((raw.seq, (raw.segment, raw.offset)));
                return false;
            }
            let sums = trailer(raw.bytes);
            if span.first.is_none() {
                span.first = sums.map(|(prev, _)| (raw.seq, prev));
            }
            span.last = sums.map(|(_, sum)| (raw.seq, sum));
            if in_period {
                span.provenance.note(raw.seq, raw.seq);
                span.head = sums.map(|(_, sum)| sum);
            }
            let kind = kind_of(raw.bytes).unwrap_or("");
            let ts = DateTime::from_timestamp_micros(raw.ts_micros).unwrap_or_default();
            let item = matches!(kind, "item.seen" | "item.updated");
            if !(item && in_period && notable.item(raw.bytes) || !item && wanted(kind)) {
                return true;
            }
            // Checked as UTF-8 once, not string by string as reading bytes would.
            let read = match std::str::from_utf8(raw.bytes) {
                Err(e) => Err(e.to_string()),
                Ok(line) if item => serde_json::from_str::<ItemRecord<'_>>(line)
                    .map_err(|e| e.to_string())
                    .map(|record| note_item(&mut span, record.item, ts, items)),
                Ok(line) => serde_json::from_str::<Lite<'_>>(line)
                    .map_err(|e| e.to_string())
                    .and_then(|lite| step(&lite, raw.seq, ts, in_period))
                    .map(|step| span.steps.extend(step)),
            };
            if let Err(e) = read {
                notes.push(format!("a {kind} record this version of attache cannot read: {e}"));
            }
            if matches!(items, Items::All) {
                span.stamps.resize(span.steps.len(), raw.seq);
            }
            true
        })?;
        span.problems.extend(problems);
        let (Some((first, at)), Some((digests, measure))) = (digest_at, digests) else { break };
        let before = span.items.len();
        let mut steps = std::mem::take(&mut span.steps);
        // The digest's file is kept if any of its items are (their text is left in it).
        let file = span.files.len() as u32;
        let taken = digests.take(
            (first, at),
            period,
            &mut buffers,
            &mut steps,
            measure,
            |item: &ItemRef<'_>, key, near, text| {
                let facts = (item.ts, item.severity, item.traffic);
                span.items.push(Version::in_digest(key, facts, near, (file, text)));
            },
        );
        span.steps = steps;
        // Offered newest first: put back in the order of their records.
        span.items[before..].reverse();
        let Some(taken) = taken else {
            return Ok((span, false));
        };
        if span.items.len() > before {
            span.files.push(taken.file);
        }
        // The digest's first record must follow the last one read (none read: the chain is
        // checked where the stretches meet).
        if span.last.is_some_and(|(seq, sum)| first != seq + 1 || taken.prev != sum) {
            return Ok((span, false));
        }
        span.first.get_or_insert((first, taken.prev));
        span.last = Some((taken.last, taken.sum));
        if let Some((a, z, sum)) = taken.in_period {
            span.head = Some(sum);
            span.provenance.note(a, z);
            span.digested += z - a + 1;
            if taken.sealed {
                span.sealed += z - a + 1;
            }
            if taken.measured_before {
                span.measured_before += z - a + 1;
            }
        }
        took_digest = true;
        // The period ends inside the span: a reader would stop there, and see nothing after.
        if taken.ends_period {
            break;
        }
        from = taken.last + 1;
        // Its bytes were just read through to the end of its last line: the next record starts
        // there, and is checked against its last (seq, sum, time) as a reader of it would.
        follower =
            Follower::after_record(digests.journal(), taken.next, taken.last, taken.sum, taken.last_ts);
    }
    // Damage in a stretch that took a digest (whether or not the digest held any of the
    // period's records): read it all again, so that what is reported and what is left out is
    // exactly what reading every record gives.
    let matched = !took_digest || span.problems.is_empty();
    Ok((span, matched))
}

/// The kinds a briefing reads besides items; everything else is skipped unparsed.
fn wanted(kind: &str) -> bool {
    kind.starts_with("alert.")
        || matches!(kind, "feed.failed" | "feed.recovered" | "feed.polled" | "contact.checked_in" | "note")
}

/// Items below moderate severity never make a briefing; most items are, so they are skipped
/// without parsing. A FeedItem's own `severity` is its only field of that name.
struct Notable([memchr::memmem::Finder<'static>; 3]);

impl Notable {
    fn new() -> Self {
        use memchr::memmem::Finder;
        Notable([
            Finder::new(br#""severity":"moderate""#),
            Finder::new(br#""severity":"severe""#),
            Finder::new(br#""severity":"critical""#),
        ])
    }

    fn item(&self, line: &[u8]) -> bool {
        self.0.iter().any(|f| f.find(line).is_some())
    }
}

/// The fields of the records a briefing reads, borrowed from the line where they can be
/// (`Text`: an optional `Cow<str>` would be copied). A
/// plain struct, not the tagged `Event` enum: serde reads a tagged enum through an owned
/// buffer of every field. Unknown fields are ignored, so the kinds share one shape.
#[derive(Deserialize)]
struct Lite<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    alert: Option<Text<'a>>,
    #[serde(borrow, default)]
    rule: Option<Text<'a>>,
    #[serde(borrow, default)]
    feed: Option<Text<'a>>,
    #[serde(borrow, default)]
    title: Option<Text<'a>>,
    #[serde(borrow, default)]
    operator: Option<Text<'a>>,
    #[serde(borrow, default)]
    note: Option<Text<'a>>,
    #[serde(borrow, default)]
    reason: Option<Text<'a>>,
    #[serde(borrow, default)]
    text: Option<Text<'a>>,
    #[serde(borrow, default)]
    contact: Option<Text<'a>>,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(borrow, default)]
    missions: Vec<Text<'a>>,
    #[serde(default)]
    traffic: Traffic,
}

/// An item record: of its fields, only the item's.
#[derive(Deserialize)]
struct ItemRecord<'a> {
    #[serde(borrow)]
    item: ItemFields<'a>,
}

/// The fields of a feed item a briefing shows; the rest (summary, links, raw values) is
/// skipped by the parser without being copied.
#[derive(Deserialize)]
struct ItemFields<'a> {
    #[serde(borrow)]
    feed: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    severity: Severity,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    traffic: Traffic,
}

fn note_item(span: &mut Span, item: ItemFields<'_>, ts: DateTime<Utc>, items: Items<'_>) {
    let Some(location) = item.location else { return };
    keep(span, items, location, || ItemFact {
        ts,
        feed: name(&item.feed),
        id: name(&item.id),
        title: one_line(&item.title),
        severity: item.severity,
        traffic: item.traffic,
    });
}

/// Keeps a notable item as `items` says: if near a briefed mission, or as a step. It is made
/// (its text copied and cleaned) only if kept.
fn keep(span: &mut Span, items: Items<'_>, location: Location, make: impl FnOnce() -> ItemFact) {
    match items {
        Items::Near(near, _) => {
            let near = near(&location);
            if !near.is_empty() {
                span.items.push(Version::made(make(), near));
            }
        }
        Items::All => span.steps.push(Step::Item(Box::new((make(), location)))),
    }
}

/// The step a record of a wanted kind is, if any (notes before the period are none).
fn step(r: &Lite<'_>, seq: u64, at: DateTime<Utc>, in_period: bool) -> Result<Option<Step>, String> {
    let kind = r.kind.as_ref();
    let field = |value: &Option<Text<'_>>, name: &str| {
        value.as_deref().map(one_line).ok_or_else(|| format!("{kind} without `{name}`"))
    };
    let named = |value: &Option<Text<'_>>, field_name: &str| field(value, field_name).map(Name::from);
    let action = |by: Name, text: &Option<Text<'_>>| Action {
        by,
        at,
        text: text.as_deref().map(one_line).filter(|t| !t.is_empty()).map(Name::from),
    };
    let alert = || named(&r.alert, "alert");
    Ok(Some(match kind {
        "alert.raised" => Step::Raised(Box::new(AlertFact {
            id: alert()?,
            raised: at,
            severity: r.severity.ok_or("alert.raised without `severity`")?,
            title: field(&r.title, "title")?,
            feed: named(&r.feed, "feed")?,
            rule: named(&r.rule, "rule")?,
            missions: r.missions.iter().map(|m| name(m)).collect(),
            traffic: r.traffic,
            escalated: None,
            acknowledged: None,
            resolved: None,
        })),
        "alert.updated" => {
            Step::Updated { alert: alert()?, severity: r.severity, title: field(&r.title, "title")? }
        }
        "alert.acknowledged" => {
            Step::Acknowledged { alert: alert()?, action: action(named(&r.operator, "operator")?, &r.note) }
        }
        "alert.unacknowledged" => Step::Unacknowledged { alert: alert()? },
        "alert.escalated" => Step::Escalated { alert: alert()?, at },
        "alert.resolved" => {
            Step::Resolved { alert: alert()?, action: action(named(&r.operator, "operator")?, &r.reason) }
        }
        "feed.failed" => Step::Failed { feed: named(&r.feed, "feed")?, at },
        "feed.polled" | "feed.recovered" => Step::Ok { feed: named(&r.feed, "feed")?, at },
        "contact.checked_in" => Step::CheckedIn { contact: named(&r.contact, "contact")?, at, in_period },
        "note" if in_period => Step::Note(NoteFact {
            seq,
            ts: at,
            operator: named(&r.operator, "operator")?,
            text: field(&r.text, "text")?,
        }),
        _ => return Ok(None),
    }))
}
