//! Reading one stretch of the journal for a briefing through the journal's reader: each record
//! of a kind the briefing folds is parsed by the one record parser (`event::read_record`) and
//! kept for folding in the record's order; the period's notable items near a briefed mission
//! are kept as versions. Stretches are independent, so two of them are read on two cores.

use chrono::DateTime;

use super::kept::Version;
use super::{ItemFact, Nearness, Provenance};
use crate::event::{Record, read_item, read_record};
use crate::journal::Follower;
use crate::journal::format::kind_of;
use crate::journal::format::{Hash, trailer};
use crate::text::one_line;

/// The period, in microseconds since the epoch, both ends included.
#[derive(Clone, Copy)]
pub(super) struct Period {
    pub from: i64,
    pub to: i64,
}

/// How a stretch is read.
#[derive(Clone, Copy)]
pub(super) struct Reading<'a> {
    pub period: Period,
    /// The kinds parsed and kept for folding (`Projection::wants`).
    pub wants: &'a (dyn Fn(&str) -> bool + Sync),
    /// Which briefed missions an item is near: it is kept if any.
    pub near: &'a Nearness<'a>,
}

pub(super) struct Stretch {
    /// The period's notable items near a briefed mission, in the order of their records.
    pub items: Vec<Version>,
    pub provenance: Provenance,
    /// The sum of the last record in the period.
    pub head: Option<Hash>,
    /// Damage met, located.
    pub problems: Vec<crate::journal::ReadProblem>,
    /// The first record read (seq and `prev`), and the last (seq and `sum`): the chain between
    /// two stretches is checked where they meet.
    pub first: Option<(u64, Hash)>,
    pub last: Option<(u64, Hash)>,
}

/// Reads the records from `begin` up to the end of the period or record `end` (not included),
/// from `follower`, handing each record of a kind wanted to `fold` in order. A follower sought
/// to `begin` may start a little before it (at damage it met on the way): those records are
/// the stretch before's.
pub(super) fn stretch(
    mut follower: Follower,
    reading: Reading<'_>,
    (begin, end): (u64, u64),
    mut fold: impl FnMut(Record),
) -> Result<Stretch, crate::journal::JournalError> {
    let mut span = Stretch {
        items: Vec::new(),
        provenance: Provenance::default(),
        head: None,
        problems: Vec::new(),
        first: None,
        last: None,
    };
    let notable = Notable::new();
    let problems = follower.poll_lines(|raw, notes| {
        // Time never runs backwards along the journal: the first record past the period ends it.
        if raw.ts_micros > reading.period.to || raw.seq >= end {
            return false;
        }
        if raw.seq < begin {
            return true;
        }
        let in_period = raw.ts_micros >= reading.period.from;
        let sums = trailer(raw.bytes);
        if span.first.is_none() {
            span.first = sums.map(|(prev, _)| (raw.seq, prev));
        }
        span.last = sums.map(|(_, sum)| (raw.seq, sum));
        if in_period {
            span.provenance.note(raw.seq);
            span.head = sums.map(|(_, sum)| sum);
        }
        let kind = kind_of(raw.bytes).unwrap_or("");
        let item = matches!(kind, "item.seen" | "item.updated");
        if !(item && in_period && notable.item(raw.bytes) || !item && (reading.wants)(kind)) {
            return true;
        }
        let read = match item {
            true => read_item(raw.bytes).map(|view| {
                let item = view.item;
                let Some(location) = &item.location else { return };
                let near = (reading.near)(location);
                if !near.is_empty() {
                    let fact = ItemFact {
                        ts: DateTime::from_timestamp_micros(raw.ts_micros).unwrap_or_default(),
                        feed: one_line(&item.feed),
                        id: one_line(&item.id),
                        title: one_line(&item.title),
                        severity: item.severity,
                        traffic: item.traffic,
                    };
                    span.items.push(Version::new(fact, near));
                }
            }),
            false => read_record(raw.bytes).map(&mut fold),
        };
        if let Err(e) = read {
            notes.push(format!("a {kind} record this version of attache cannot read: {e}"));
        }
        true
    })?;
    span.problems = problems;
    Ok(span)
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
