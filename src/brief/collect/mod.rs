//! Reading a period's facts out of the journal as plain data, with no configuration and no
//! rendering: what alerts were raised, taken and closed, which feeds failed, who was reached,
//! what the operators wrote. Only the kinds a briefing uses are parsed; every other line is
//! passed over after a look at its `kind` (and, for feed items, its severity), because parsing
//! is most of what reading a journal costs.
//!
//! The state at the period's start comes from the checkpoint before it; a long period is read
//! in two halves on two cores (`span`), whose steps are then applied in the record's order.

pub mod digest;
mod kept;
mod place;
mod seal;
mod span;

use chrono::serde::{ts_microseconds, ts_microseconds_option};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use crate::domain::{Location, Severity, Traffic};
use crate::journal::format::to_hex;
use crate::journal::{Follower, JournalError};
use crate::state::DeskState;
use crate::text::one_line;
use span::Step;

pub use kept::{Kept, Unmade, Version};

/// Who took an alert, or closed it, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub by: Name,
    #[serde(with = "ts_microseconds")]
    pub at: DateTime<Utc>,
    /// The acknowledgement's note or the resolution's reason.
    pub text: Option<Name>,
}

/// One alert as it stood at the end of the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertFact {
    pub id: Name,
    #[serde(with = "ts_microseconds")]
    pub raised: DateTime<Utc>,
    pub severity: Severity,
    pub title: String,
    pub feed: Name,
    pub rule: Name,
    pub missions: Vec<Name>,
    pub traffic: Traffic,
    #[serde(with = "ts_microseconds_option")]
    pub escalated: Option<DateTime<Utc>>,
    pub acknowledged: Option<Action>,
    pub resolved: Option<Action>,
}

impl AlertFact {
    pub fn open(&self) -> bool {
        self.resolved.is_none()
    }
}

/// A feed outage: from its first failure to the poll that succeeded again (None: still down at
/// the end of the period).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outage {
    pub feed: Name,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteFact {
    pub seq: u64,
    #[serde(with = "ts_microseconds")]
    pub ts: DateTime<Utc>,
    pub operator: Name,
    pub text: String,
}

/// A feed item of moderate severity or more reported in the period near a briefed mission,
/// in its last version: the fields a briefing shows, cleaned to one line. (Its place has
/// been measured by then: tens of thousands are kept a week, and moved about, without it.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemFact {
    #[serde(with = "ts_microseconds")]
    pub ts: DateTime<Utc>,
    pub feed: Name,
    pub id: Name,
    pub title: String,
    pub severity: Severity,
    pub traffic: Traffic,
}

/// Short text a briefing keeps by the thousand (alert ids, feed and contact names, operators,
/// resolution reasons): held inline up to 24 bytes, so that taking a week's steps from digests
/// allocates for titles and notes, not for every name in them.
pub type Name = compact_str::CompactString;

/// The maps of a briefing's facts: their order never shows (every list made from them is sorted
/// on a total order), and foldhash is several times faster than the default SipHash here.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Which briefed missions a location is near, and how near: (the mission's place among those
/// briefed, the gap in whole km). Empty: near none, and the item is not kept. Most items are
/// near one or two: held inline, tens of thousands a week allocate nothing for it.
pub type Near = smallvec::SmallVec<[(usize, u32); 2]>;
pub type Nearness<'a> = dyn Fn(&Location) -> Near + Sync + 'a;

/// An item kept, with the missions it is near (`Near`, never empty).
#[derive(Clone, Debug, PartialEq)]
pub struct NearItem {
    pub item: ItemFact,
    pub near: Near,
}

/// Where the period sits in the journal, so a reader can check the briefing against it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Provenance {
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    pub records: u64,
    /// The `sum` of the period's last record.
    pub head: Option<String>,
}

/// Everything the journal says about a period, and what it said before that still matters
/// (alerts still open, outages under way, the last check-ins).
#[derive(Debug, Default, PartialEq)]
pub struct Facts {
    pub provenance: Provenance,
    /// Every alert raised up to the end of the period, by id. Boxed: a week's are tens of
    /// thousands of a few hundred bytes each, in maps that grow, and merge, by moving them.
    pub alerts: Map<Name, Box<AlertFact>>,
    pub outages: Vec<Outage>,
    /// Per feed, its last successful poll up to the end of the period.
    pub last_ok: BTreeMap<Name, DateTime<Utc>>,
    /// Per contact name, the last check-in up to the end and the number in the period.
    pub check_ins: BTreeMap<Name, (DateTime<Utc>, u32)>,
    pub notes: Vec<NoteFact>,
    /// The period's notable items near a briefed mission, each once, in its last version near
    /// one; in the order of those versions' records.
    pub items: Vec<NearItem>,
    /// Damage met while reading (bad sums, broken chain), located: the header warns of it.
    pub damage: Vec<String>,
    /// The record of the checkpoint reading started from, if it started from one.
    pub resumed_at: Option<u64>,
    /// How many of the period's records were taken from digests rather than parsed.
    pub digested: u64,
    /// Of those, how many were taken on their segments' seals, their bytes unread.
    pub sealed: u64,
    /// Of those, how many had their items' nearness taken from their digests' nearness files
    /// (measured before, for the same missions), not measured again.
    pub measured_before: u64,
}

/// A period shorter than this is read on one core: a thread costs more than it saves.
const SPLIT_AT: u64 = 20_000;
/// Reading and parsing a record costs about this many times taking it from a digest.
const PARSE_COST: u64 = 4;

/// Reads the journal in `dir` up to `to`, and gathers the facts of `[from, to]`. Items are
/// kept only where `near` says their location matters (near a briefed mission), with what it
/// says.
///
/// The desk's state at `from` is what the records before it made it: it comes from the newest
/// checkpoint before `from` (see `checkpoint`), and the records between the two are read,
/// parsing only alert, feed and check-in records. Without a checkpoint, that is every record
/// from the journal's first.
pub fn collect(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    near: &Nearness<'_>,
) -> Result<Facts, String> {
    with_items(|digests| collect_apart(dir, from, to, Reading { near, identity: None, digests }))
}

/// The facts `read` gives (taking digests, or not), their items made.
fn with_items(read: impl Fn(bool) -> Result<(Facts, Kept), String>) -> Result<Facts, String> {
    with_digests_or_without(|digests| {
        let (facts, kept) = read(digests)?;
        Ok(kept.made_latest().map(|items| Facts { items, ..facts }))
    })
}

/// Runs `attempt` taking digests, and once more without if an item they gave cannot be made
/// back (`Unmade`: a digest's file changed since it was read, or was forged): what digests
/// give never differs from what reading every record gives.
pub fn with_digests_or_without<T>(
    attempt: impl Fn(bool) -> Result<Result<T, Unmade>, String>,
) -> Result<T, String> {
    match attempt(true)? {
        Ok(done) => Ok(done),
        Err(Unmade) => {
            attempt(false)?.map_err(|Unmade| "an item read from a record could not be made".to_string())
        }
    }
}

/// How a briefing reads the journal.
#[derive(Clone, Copy)]
pub struct Reading<'a> {
    /// Which briefed missions an item is near: it is kept if any.
    pub near: &'a Nearness<'a>,
    /// Names what `near` measures (`domain::Reaches::identity`): digests'
    /// items are then measured once for them, the gaps kept beside the digests
    /// (`digest::nearness`).
    pub identity: Option<u128>,
    /// Whether digests are taken (a briefing whose digest changed under it reads again without).
    pub digests: bool,
}

/// `collect`, but for the facts' items, which come apart (made only as they are listed):
/// picking each item's last version and listing them is work a briefing does on one core while
/// it starts on the rest on the other.
pub fn collect_apart(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    reading: Reading<'_>,
) -> Result<(Facts, Kept), String> {
    let failed = |e: JournalError| format!("reading journal {}: {e}", dir.display());
    let (first, after) = bounds(dir, from, to)?;
    let digests = digest::Digests::open_if(dir, reading.digests);
    // The second half of a long period goes to the other core.
    let end = match after {
        Some(after) => Some(after),
        None => Follower::at_end(dir).map_err(failed)?.last_seq().map(|last| last + 1),
    };
    let middle = match (first, end) {
        (Some(first), Some(end)) if end > first + SPLIT_AT => Some(even_split(&digests, first, end)),
        _ => None,
    };
    read_period(dir, (from, to), first, &digests, (reading.near, reading.identity), middle)
}

/// The period's first record and the first record after it, through the journal's index.
fn bounds(dir: &Path, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(Option<u64>, Option<u64>), String> {
    let failed = |e: JournalError| format!("reading journal {}: {e}", dir.display());
    let first = Follower::first_seq_from(dir, from).map_err(failed)?;
    let after = Follower::first_seq_from(dir, to + chrono::Duration::microseconds(1)).map_err(failed)?;
    Ok((first, after))
}

/// Where the second reader starts so that the two finish together: at a digest's first record
/// (a reader starting inside one parses up to the next) or halfway, whichever evens out the
/// work best. The first reader starts just after the checkpoint before `first`, where a
/// digest starts (digests and checkpoints are both every `EVERY` records).
fn even_split(digests: &digest::Digests, first: u64, end: u64) -> u64 {
    // The work of reading records `a..b`, as a reader that may go on to `reach` does.
    let cost = |a: u64, b: u64, reach: u64| {
        let digested: u64 =
            digests.within(a, reach).take_while(|(f, _)| *f < b).map(|(f, l)| l.min(b - 1) - f + 1).sum();
        (b - a).saturating_sub(digested) * PARSE_COST + digested
    };
    let every = crate::checkpoint::EVERY;
    let start = first.saturating_sub(1) / every * every + 1;
    let halfway = first + (end - first) / 2;
    let candidates = digests.within(first, end).map(|(f, _)| f).chain([halfway]);
    candidates
        .filter(|m| *m > first)
        .min_by_key(|&m| cost(start, m, m).max(cost(m, end, u64::MAX)))
        .unwrap_or(halfway)
}

/// `collect`, with the records from `middle` on read by a second thread (tests split short
/// periods at every record to check that the halves join up exactly).
pub fn collect_split_at(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    near: &Nearness<'_>,
    middle: Option<u64>,
) -> Result<Facts, String> {
    let failed = |e: JournalError| format!("reading journal {}: {e}", dir.display());
    let first = Follower::first_seq_from(dir, from).map_err(failed)?;
    with_items(|digests| {
        read_period(dir, (from, to), first, &digest::Digests::open_if(dir, digests), (near, None), middle)
    })
}

/// `collect` once the period's first record (`first`), the digests it may take and where its
/// second half starts are known.
fn read_period(
    dir: &Path,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    first: Option<u64>,
    digests: &digest::Digests,
    (near, identity): (&Nearness<'_>, Option<u128>),
    middle: Option<u64>,
) -> Result<(Facts, Kept), String> {
    let failed = |e: JournalError| format!("reading journal {}: {e}", dir.display());
    let period = span::Period { from: from.timestamp_micros(), to: to.timestamp_micros() };
    let (items, digests) = (span::Items::Near(near, identity), Some(digests));
    let mut facts = Facts::default();
    let mut failing: BTreeMap<Name, DateTime<Utc>> = BTreeMap::new();
    let (head, tail) = std::thread::scope(|scope| {
        let tail = middle.map(|middle| {
            scope.spawn(move || {
                let follower = Follower::from_seq(dir, middle).map_err(failed)?;
                let mut tail =
                    span::read(follower, period, (middle, u64::MAX), items, digests).map_err(failed)?;
                let own = own_alerts(&mut tail.steps);
                Ok((tail, own))
            })
        });
        let follower = start(dir, first, &mut facts, &mut failing);
        let head = span::read(follower, period, (0, middle.unwrap_or(u64::MAX)), items, digests)
            .map_err(failed)
            .map(|mut head| {
                // Applied while the second reader reads on: its steps come after these.
                for step in std::mem::take(&mut head.steps) {
                    apply(&mut facts, &mut failing, step);
                }
                head
            });
        let tail = tail.map(|t| t.join().unwrap_or_else(|_| Err("the second reader panicked".to_string())));
        (head, tail.transpose())
    });
    let (head, tail) = (head?, tail?);
    let (mut tail, own) = match tail {
        Some((tail, own)) => (Some(tail), own),
        None => (None, Map::default()),
    };
    if let Some(tail) = &mut tail {
        // Damage just before the second stretch's start is met by both readers: once is enough.
        tail.problems.retain(|p| !head.problems.iter().any(|h| h.path == p.path && h.offset == p.offset));
        // Where the stretches meet, the chain is checked here too (the second reader's seek
        // links it to the record before its first, so it reports a break itself; this catches
        // one even so); where damage was met, it has already been reported.
        if let (Some((seq, sum)), Some((next, prev))) = (head.last, tail.first)
            && head.problems.is_empty()
            && tail.problems.is_empty()
            && (next != seq + 1 || prev != sum)
        {
            facts.damage.push(format!(
                "record {next} does not follow record {seq}: the chain is broken between them"
            ));
        }
    }
    facts.digested = head.digested + tail.as_ref().map_or(0, |t| t.digested);
    facts.sealed = head.sealed + tail.as_ref().map_or(0, |t| t.sealed);
    facts.measured_before = head.measured_before + tail.as_ref().map_or(0, |t| t.measured_before);
    let mut head_sum = head.head;
    let mut provenance = head.provenance;
    let located = |p: &crate::journal::ReadProblem| one_line(&p.to_string());
    facts.damage.extend(head.problems.iter().map(located));
    let (head_items, mut tail_items, mut steps) = ((head.items, head.files), Default::default(), Vec::new());
    if let Some(tail) = tail {
        provenance = provenance.then(tail.provenance);
        head_sum = tail.head.or(head_sum);
        tail_items = (tail.items, tail.files);
        steps = tail.steps;
        facts.damage.extend(tail.problems.iter().map(located));
    }
    provenance.head = head_sum.map(|sum| to_hex(&sum));
    facts.provenance = provenance;
    for step in steps {
        apply(&mut facts, &mut failing, step);
    }
    facts.alerts.extend(own);
    for (feed, start) in failing {
        facts.outages.push(Outage { feed, start, end: None });
    }
    facts.outages.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.feed.cmp(&b.feed)));
    // Outages over before the period are not the period's.
    facts.outages.retain(|o| o.end.is_none_or(|end| end >= from));
    Ok((facts, Kept::joined(head_items, tail_items)))
}

impl Provenance {
    /// This stretch's provenance followed by the next one's.
    fn then(self, next: Provenance) -> Provenance {
        Provenance {
            first_seq: self.first_seq.or(next.first_seq),
            last_seq: next.last_seq.or(self.last_seq),
            records: self.records + next.records,
            head: next.head.or(self.head),
        }
    }

    /// Counts records `first..=last` in the period (the head's sum is kept by the reader as
    /// bytes).
    fn note(&mut self, first: u64, last: u64) {
        self.first_seq.get_or_insert(first);
        self.last_seq = Some(last);
        self.records += last - first + 1;
    }
}

/// Applies one step read from the record, in the record's order.
fn apply(facts: &mut Facts, failing: &mut BTreeMap<Name, DateTime<Utc>>, step: Step) {
    if let Some(alert) = changed_alert(&step).and_then(|id| facts.alerts.get_mut(id)) {
        change(alert, step);
        return;
    }
    match step {
        Step::Raised(fact) => {
            facts.alerts.insert(fact.id.clone(), fact);
        }
        Step::Failed { feed, at } => {
            failing.entry(feed).or_insert(at);
        }
        Step::Ok { feed, at } => {
            if let Some(start) = failing.remove(&feed) {
                facts.outages.push(Outage { feed: feed.clone(), start, end: Some(at) });
            }
            facts.last_ok.insert(feed, at);
        }
        Step::CheckedIn { contact, at, in_period } => {
            let entry = facts.check_ins.entry(contact).or_insert((at, 0));
            entry.0 = at;
            entry.1 += u32::from(in_period);
        }
        Step::Note(note) => facts.notes.push(note),
        // A change to an alert never raised is nothing; only a digest keeps items as steps
        // (readers keep them apart, `span::keep`).
        _ => {}
    }
}

/// The alert a step changes (other than by raising it), if it is such a step.
fn changed_alert(step: &Step) -> Option<&Name> {
    match step {
        Step::Updated { alert, .. }
        | Step::Acknowledged { alert, .. }
        | Step::Unacknowledged { alert }
        | Step::Escalated { alert, .. }
        | Step::Resolved { alert, .. } => Some(alert),
        _ => None,
    }
}

/// Applies a step that changes `alert` (see `changed_alert`).
fn change(alert: &mut AlertFact, step: Step) {
    match step {
        Step::Updated { severity, title, .. } => {
            alert.severity = severity.unwrap_or(alert.severity);
            alert.title = title;
        }
        Step::Acknowledged { action, .. } => {
            alert.acknowledged = Some(action);
            alert.escalated = None;
        }
        Step::Unacknowledged { .. } => alert.acknowledged = None,
        Step::Escalated { at, .. } => alert.escalated = Some(at),
        Step::Resolved { action, .. } => alert.resolved = Some(action),
        _ => {}
    }
}

/// Takes out of `steps` the alerts they raise, with all that the later steps do to them: those
/// steps touch nothing from before, so the second stretch does this on its own core while the
/// first stretch's steps are applied. What is left (changes to alerts raised before, and
/// every other step) stays in order; applying it and then adding these alerts is applying
/// every step in order.
fn own_alerts(steps: &mut Vec<Step>) -> Map<Name, Box<AlertFact>> {
    let mut own: Map<Name, Box<AlertFact>> = Map::default();
    let mut rest = Vec::with_capacity(steps.len());
    for step in steps.drain(..) {
        if let Step::Raised(fact) = step {
            own.insert(fact.id.clone(), fact);
        } else if let Some(alert) = changed_alert(&step).and_then(|id| own.get_mut(id)) {
            change(alert, step);
        } else {
            rest.push(step);
        }
    }
    *steps = rest;
    own
}

/// Where reading starts: just after the newest checkpoint taken before `from`, with the facts
/// its state holds; else at the journal's first record.
fn start(
    dir: &Path,
    first_in_period: Option<u64>,
    facts: &mut Facts,
    failing: &mut BTreeMap<Name, DateTime<Utc>>,
) -> Follower {
    let before = first_in_period.map_or(u64::MAX, |seq| seq.saturating_sub(1));
    match crate::checkpoint::resume_carried_before(dir, before) {
        Some((state, follower)) => {
            seed(&state, facts, failing);
            facts.resumed_at = Some(state.last_seq);
            follower
        }
        None => Follower::new(dir),
    }
}

/// Text cleaned as `Reader` cleans what it reads (`one_line`), held as a `Name`.
pub(super) fn name(raw: &str) -> Name {
    Name::from(one_line(raw))
}

/// The facts a desk state holds that a briefing carries over from before its period: alerts
/// not resolved (those resolved earlier are never briefed), outages under way, each feed's
/// last good poll, each contact's last check-in. Cleaned as `Reader` cleans what it reads.
fn seed(state: &DeskState, facts: &mut Facts, failing: &mut BTreeMap<Name, DateTime<Utc>>) {
    for alert in state.alerts.values().filter(|a| a.resolved_at.is_none()) {
        let fact = AlertFact {
            id: name(&alert.id),
            raised: alert.raised,
            severity: alert.severity,
            title: one_line(&alert.title),
            feed: name(&alert.feed),
            rule: name(&alert.rule),
            missions: alert.missions.iter().map(|m| name(m)).collect(),
            traffic: alert.traffic,
            escalated: alert.escalated_at,
            acknowledged: alert.acknowledged.as_ref().map(|a| Action {
                by: name(&a.by),
                at: a.at,
                text: a.note.as_deref().map(name).filter(|t| !t.is_empty()),
            }),
            resolved: None,
        };
        facts.alerts.insert(fact.id.clone(), Box::new(fact));
    }
    for (feed, health) in &state.feeds {
        if let Some(since) = health.failing_since {
            failing.insert(name(feed), since);
        }
        if let Some(ok) = health.last_ok {
            facts.last_ok.insert(name(feed), ok);
        }
    }
    for (contact, at) in &state.check_ins {
        facts.check_ins.insert(name(contact), (*at, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raised(id: &str, title: &str) -> Step {
        Step::Raised(Box::new(AlertFact {
            id: id.into(),
            raised: DateTime::UNIX_EPOCH,
            severity: Severity::Severe,
            title: title.into(),
            feed: "f".into(),
            rule: "r".into(),
            missions: vec!["M".into()],
            traffic: Traffic::Real,
            escalated: None,
            acknowledged: None,
            resolved: None,
        }))
    }

    fn action(by: &str) -> Action {
        Action { by: by.into(), at: DateTime::UNIX_EPOCH, text: None }
    }

    /// Taking a stretch's own alerts out and applying the rest first is applying every step in
    /// order, also where the stretch changes an alert raised before it and then raises the
    /// same id again.
    #[test]
    fn own_alerts_then_the_rest_is_every_step_in_order() {
        let steps = || {
            vec![
                Step::Acknowledged { alert: "X".into(), action: action("a") },
                raised("X", "again"),
                Step::Resolved { alert: "X".into(), action: action("b") },
                raised("Y", "new"),
                Step::Acknowledged { alert: "Y".into(), action: action("c") },
                Step::Escalated { alert: "Z".into(), at: DateTime::UNIX_EPOCH },
            ]
        };
        let before = || {
            let mut facts = Facts::default();
            apply(&mut facts, &mut BTreeMap::new(), raised("X", "first"));
            facts
        };
        let mut in_order = before();
        steps().into_iter().for_each(|step| apply(&mut in_order, &mut BTreeMap::new(), step));
        let mut folded = before();
        let mut rest = steps();
        let own = own_alerts(&mut rest);
        assert_eq!(rest.len(), 2, "the change to the earlier X and the one to a Z never raised");
        rest.into_iter().for_each(|step| apply(&mut folded, &mut BTreeMap::new(), step));
        folded.alerts.extend(own);
        assert_eq!(folded, in_order);
        assert_eq!(in_order.alerts["X"].title, "again");
        assert!(in_order.alerts["X"].resolved.is_some() && in_order.alerts["X"].acknowledged.is_none());
    }
}
