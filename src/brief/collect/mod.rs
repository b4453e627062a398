//! Reading a period's facts out of the journal as plain data, with no configuration and no
//! rendering: what alerts were raised, taken and closed, which feeds failed, who was reached,
//! what the operators wrote. The facts are a projection of the record (`state::Projection`),
//! folded by the same rules as the screen's state: alerts by `state::apply_alert`, feed health
//! by `state::feed::apply`, check-ins by `state::check_in`. Only the kinds a briefing uses are
//! parsed (`read`); every other line is passed over after a look at its `kind`.
//!
//! The state at the period's start comes from the checkpoint before it; a long stretch is read
//! in two halves on two cores, whose records are then folded in the record's order.

mod kept;
mod read;

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::config::ConfigInForce;
use crate::domain::{Location, MissionStatus, Severity, Traffic};
use crate::event::{Event, Record};
use crate::journal::format::to_hex;
use crate::journal::{Follower, JournalError};
use crate::state::{Alert, FeedHealth, MissionMark, Projection, Rollcall};
use crate::text::one_line;

pub use kept::{Kept, Version};

/// A feed outage: from its first failure to the poll that succeeded again (None: still down at
/// the end of the period).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outage {
    pub feed: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NoteFact {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub operator: String,
    pub text: String,
    /// The mission the note is tied to, if any.
    pub mission: Option<String>,
    /// What the note is about in words (`mission KFOR`, `alert ID`, `contact NAME`), if tied.
    pub about: Option<String>,
}

/// A check-in in the period: with whom, who took it, by what channel, what was said.
#[derive(Debug, PartialEq)]
pub struct CheckInFact {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub contact: String,
    pub operator: String,
    pub channel: Option<String>,
    pub note: Option<String>,
}

/// A mission's status set in the period: from what (None: as the configuration says), to what,
/// by whom, with what status line.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusFact {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub mission: String,
    pub from: Option<MissionStatus>,
    pub to: MissionStatus,
    pub by: String,
    pub note: Option<String>,
}

/// A feed item of moderate severity or more reported in the period near a briefed mission,
/// in its last version: the fields a briefing shows, cleaned to one line.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemFact {
    pub ts: DateTime<Utc>,
    pub feed: String,
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub traffic: Traffic,
}

/// The maps of a briefing's facts whose order never shows (every list made from them is
/// sorted on a total order): foldhash is several times faster than the default SipHash here.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Which briefed missions a location is near, and how near: (the mission's place among those
/// briefed, the gap in whole km). Empty: near none, and the item is not kept. Most items are
/// near one or two: held inline.
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
    /// Every alert raised up to the end of the period that a briefing may show, by id, as the
    /// screen's state folds them (but never let go: a briefing shows a week's resolutions).
    pub alerts: BTreeMap<String, Arc<Alert>>,
    pub outages: Vec<Outage>,
    /// Each feed's health at the end of the period (its last successful poll, its outage).
    pub feeds: BTreeMap<String, FeedHealth>,
    /// Per contact, the last check-in up to the end of the period.
    pub check_ins: HashMap<String, DateTime<Utc>>,
    /// Per contact, the check-ins in the period.
    pub check_ins_in_period: BTreeMap<String, u32>,
    /// Per contact, how the last check-in in the period went, where it says (channel, note).
    pub last_check_in_said: BTreeMap<String, String>,
    /// The period's check-ins, in the record's order.
    pub check_in_log: Vec<CheckInFact>,
    pub notes: Vec<NoteFact>,
    /// Each mission's status as the desk last set it, up to the end of the period
    /// (`state::mission`).
    pub missions: BTreeMap<String, MissionMark>,
    /// The missions' status changes in the period, in the record's order.
    pub status_changes: Vec<StatusFact>,
    /// The handovers of the watch in the period, in the record's order.
    pub handovers: Vec<crate::brief::model::Handover>,
    /// Roll-calls as the state folds them (`state::rollcall`), up to the end of the period: those
    /// opened in it, and those opened before that were still open at its start or closed in it.
    pub rollcalls: BTreeMap<String, Rollcall>,
    /// What followed desks hold (their roll-calls, missions and notes), as the screen keeps it
    /// apart.
    pub elsewhere: crate::state::Elsewhere,
    /// The period's notable items near a briefed mission, each once, in its last version near
    /// one; in the order of those versions' records.
    pub items: Vec<NearItem>,
    /// Damage met while reading (bad sums, broken chain), located: the header warns of it.
    pub damage: Vec<String>,
    /// The record of the checkpoint reading started from, if it started from one.
    pub resumed_at: Option<u64>,
    /// The configuration in force at the end of the period, by the state's rule
    /// (`state::load_config`): None when the record loaded none up to then.
    pub config: Option<ConfigInForce>,
    /// The records in the period that changed the configuration in force: (seq, time).
    pub config_changes: Vec<(u64, DateTime<Utc>)>,
    /// The desks followed as the record last said (`sync.following`), by the state's rule.
    pub following: Option<Vec<String>>,
}

/// The period's projection of the record: the facts, folded record by record.
struct Collector {
    from: DateTime<Utc>,
    facts: Facts,
    /// The hour (since the epoch) of the record that last let go of old alerts.
    housekept_hour: i64,
}

/// The kinds a briefing folds besides items; everything else is skipped unparsed.
fn folded(kind: &str) -> bool {
    crate::state::is_alert_kind(kind)
        || crate::state::rollcall::is_rollcall_kind(kind)
        || matches!(
            kind,
            "feed.failed"
                | "feed.recovered"
                | "feed.polled"
                | "contact.checked_in"
                | "note"
                | "mission.status_changed"
                | "config.loaded"
                | "handover"
                | "remote"
                | "sync.following"
        )
}

impl Projection for Collector {
    fn wants(&self, kind: &str) -> bool {
        folded(kind)
    }

    fn fold(&mut self, record: Record) {
        let Record { seq, ts, event, by } = record;
        let in_period = ts >= self.from;
        let hour = ts.timestamp().div_euclid(3600);
        if hour > self.housekept_hour {
            self.housekept_hour = hour;
            self.let_go(ts);
        }
        let facts = &mut self.facts;
        match event {
            event @ (Event::AlertRaised { .. }
            | Event::AlertUpdated { .. }
            | Event::AlertAcknowledged { .. }
            | Event::AlertUnacknowledged { .. }
            | Event::AlertEscalated { .. }
            | Event::AlertResolved { .. }) => {
                crate::state::apply_alert(&mut facts.alerts, &event, ts, |_, _| None)
            }
            // A desk no longer followed, as the screen's state skips it.
            Event::Remote { desk, .. } if !crate::state::desk_followed(facts.following.as_deref(), &desk) => {
            }
            Event::Remote { desk, record, .. } => crate::state::fold_remote(
                &mut facts.alerts,
                &mut facts.check_ins,
                Some(&mut facts.elsewhere),
                &desk,
                &record,
                ts,
            ),
            Event::SyncFollowing { follow } => {
                crate::state::unfollow_desks(&mut facts.alerts, Some(&mut facts.elsewhere), &follow);
                facts.following = Some(follow);
            }
            event @ (Event::FeedPolled { .. } | Event::FeedFailed { .. } | Event::FeedRecovered { .. }) => {
                let feed = crate::state::feed::feed_of(&event).unwrap_or_default().to_string();
                let failing = facts.feeds.get(&feed).and_then(|h| h.failing_since);
                crate::state::feed::apply(&mut facts.feeds, event, ts);
                let still = facts.feeds.get(&feed).and_then(|h| h.failing_since);
                if let (Some(start), None) = (failing, still) {
                    facts.outages.push(Outage { feed, start, end: Some(ts) });
                }
            }
            Event::ContactCheckedIn { contact, channel, note, operator } => {
                if in_period {
                    *facts.check_ins_in_period.entry(contact.clone()).or_default() += 1;
                    match crate::brief::check_in_said(channel.as_deref(), note.as_deref()) {
                        Some(said) => facts.last_check_in_said.insert(contact.clone(), said),
                        None => facts.last_check_in_said.remove(&contact),
                    };
                    facts.check_in_log.push(CheckInFact {
                        seq,
                        ts,
                        contact: contact.clone(),
                        operator: one_line(&operator),
                        channel: channel.map(|c| one_line(&c)),
                        note: note.map(|n| one_line(&n)),
                    });
                }
                crate::state::check_in(&mut facts.check_ins, contact, ts);
            }
            Event::Note { operator, text, mission, alert, contact } if in_period => {
                let about = match (&mission, alert, contact) {
                    (Some(mission), _, _) => Some(format!("mission {}", one_line(mission))),
                    (None, Some(alert), _) => Some(format!("alert {}", one_line(&alert))),
                    (None, None, Some(contact)) => Some(format!("contact {}", one_line(&contact))),
                    (None, None, None) => None,
                };
                let (operator, text) = (one_line(&operator), one_line(&text));
                facts.notes.push(NoteFact { seq, ts, operator, text, mission, about })
            }
            Event::MissionStatusChanged { mission, status, note } => {
                let (by, note) = (one_line(&by), note.map(|n| one_line(&n)));
                let mark = MissionMark { status, line: note.clone(), at: ts, by: by.clone(), seq };
                let from = crate::state::mission::set_status(&mut facts.missions, mission.clone(), mark);
                if in_period {
                    facts.status_changes.push(StatusFact { seq, ts, mission, from, to: status, by, note });
                }
            }
            Event::Handover {
                to,
                open_alerts,
                open_rollcalls,
                overdue_contacts,
                feeds_down,
                head,
                sheet,
                signature,
                ..
            } if in_period => {
                let lines = |list: Vec<String>| list.iter().map(|t| one_line(t)).collect();
                let open_alerts = open_alerts
                    .into_iter()
                    .map(|a| crate::event::HandedAlert {
                        id: one_line(&a.id),
                        title: one_line(&a.title),
                        ..a
                    })
                    .collect();
                facts.handovers.push(crate::brief::model::Handover {
                    seq,
                    at: ts,
                    from: one_line(&by),
                    to: to.map(|t| one_line(&t)),
                    open_alerts,
                    open_rollcalls: open_rollcalls
                        .into_iter()
                        .map(|r| crate::event::HandedRollcall {
                            id: one_line(&r.id),
                            unreached: lines(r.unreached),
                            overdue: r.overdue,
                        })
                        .collect(),
                    overdue_contacts: lines(overdue_contacts),
                    feeds_down: lines(feeds_down),
                    head: crate::event::JournalHead { seq: head.seq, sum: one_line(&head.sum) },
                    sheet: one_line(&sheet),
                    signed: signature.is_some(),
                })
            }
            event @ (Event::RollcallOpened { .. }
            | Event::RollcallAnswered { .. }
            | Event::RollcallOverdue { .. }
            | Event::RollcallClosed { .. }) => {
                crate::state::rollcall::apply(&mut facts.rollcalls, event, seq, ts, &one_line(&by))
            }
            Event::ConfigLoaded { path, digest, config, .. } => {
                let changed = crate::state::load_config(&mut facts.config, seq, path, digest, config);
                if changed && in_period {
                    facts.config_changes.push((seq, ts));
                }
            }
            _ => {}
        }
    }
}

impl Collector {
    /// Starts from what the desk's state at a checkpoint holds that a briefing carries over:
    /// its alerts, its feeds' health, its contacts' last check-ins, its missions' statuses, its
    /// roll-calls, the configuration in force.
    fn seeded(from: DateTime<Utc>, carried: Option<crate::state::Carried>) -> Collector {
        let mut facts = Facts::default();
        let Some(carried) = carried else {
            return Collector { from, facts, housekept_hour: 0 };
        };
        facts.resumed_at = Some(carried.last_seq);
        facts.config = carried.config;
        facts.alerts = carried.alerts;
        facts.feeds = carried.feeds;
        facts.check_ins = carried.check_ins;
        facts.missions = carried.missions;
        facts.rollcalls = carried.rollcalls;
        facts.elsewhere = carried.elsewhere;
        facts.following = carried.following;
        Collector { from, facts, housekept_hour: carried.housekept_hour }
    }

    /// Lets go of the alerts raised before the period (which only an alert still open at its
    /// end brings into a briefing) once the state lets go of them: resolved more than
    /// `KEEP_RESOLVED` before `ts`. Alerts raised in the period are all kept.
    fn let_go(&mut self, ts: DateTime<Utc>) {
        let horizon = ts - crate::state::KEEP_RESOLVED;
        let from = self.from;
        self.facts.alerts.retain(|_, a| a.raised_here() >= from || a.resolved_at.is_none_or(|t| t > horizon));
        // Only notes received in the period are briefed.
        self.facts.elsewhere.notes.retain(|n| n.received >= from);
        for rollcalls in [&mut self.facts.rollcalls, &mut self.facts.elsewhere.rollcalls] {
            rollcalls.retain(|_, r| r.opened_at >= from || r.closed.as_ref().is_none_or(|c| c.at > horizon));
        }
    }

    /// The facts once every record is folded: outages still under way, and none over before
    /// the period.
    fn finish(self) -> Facts {
        let Collector { from, mut facts, .. } = self;
        for (feed, health) in &facts.feeds {
            if let Some(start) = health.failing_since {
                facts.outages.push(Outage { feed: feed.clone(), start, end: None });
            }
        }
        facts.outages.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.feed.cmp(&b.feed)));
        facts.outages.retain(|o| o.end.is_none_or(|end| end >= from));
        facts
    }
}

/// How many records the second reader keeps in one list.
const CHUNK: usize = 4096;
/// A stretch shorter than this is read on one core: a thread costs more than it saves.
const SPLIT_AT: u64 = 20_000;
/// Reading a record in the period costs about this many times reading one before it (of
/// which only alerts, feeds' health and check-ins are parsed; in it, items too).
const PERIOD_COST: u64 = 2;

/// The first reader's share of the work, in percent: a little under half, as it also folds the
/// second's records once that is done (measured on the bench journal: 47% is 2-3% faster than
/// an even split; 42% and below slower).
const FIRST_SHARE: u64 = 47;

/// Where the second reader starts, so that reading `start..first` (before the period) and
/// `first..end` (in it), and folding the second's records after, takes the two about as long.
fn second_reader_start(start: u64, first: u64, end: u64) -> u64 {
    let before = first.saturating_sub(start);
    let half = (before + PERIOD_COST * end.saturating_sub(first)) * FIRST_SHARE / 100;
    match half.checked_sub(before) {
        None => start + half,
        Some(in_period) => first + in_period / PERIOD_COST,
    }
}

/// Reads the journal in `dir` up to `to`, and gathers the facts of `[from, to]`. Items are
/// kept only where `near` says their location matters (near a briefed mission), with what it
/// says.
pub fn collect(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    near: &Nearness<'_>,
) -> Result<Facts, String> {
    let (facts, kept) = collect_apart(dir, from, to, near)?;
    Ok(Facts { items: kept.made_latest(), ..facts })
}

/// `collect`, the items apart (picked and listed by the caller).
pub fn collect_apart(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    near: &Nearness<'_>,
) -> Result<(Facts, Kept), String> {
    Start::new(dir, from, to)?.read(near, None)
}

/// `collect`, with the records from `middle` on read by a second thread (tests split short
/// periods anywhere to check that the halves join up exactly).
pub fn collect_split_at(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    near: &Nearness<'_>,
    middle: Option<u64>,
) -> Result<Facts, String> {
    let (facts, kept) = Start::new(dir, from, to)?.read(near, Some(middle))?;
    Ok(Facts { items: kept.made_latest(), ..facts })
}

/// Where reading a period starts: the checkpoint before it (or the journal's first record),
/// whose configuration in force a briefing measures items' nearness by until it knows the one
/// at the period's end.
pub struct Start<'a> {
    dir: &'a Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    first: Option<u64>,
    after: Option<u64>,
    state: Option<crate::state::Carried>,
    follower: Follower,
}

impl<'a> Start<'a> {
    pub fn new(dir: &'a Path, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Start<'a>, String> {
        let failed = |e: JournalError| format!("reading journal {}: {e}", dir.display());
        let first = Follower::first_seq_from(dir, from).map_err(failed)?;
        let after = Follower::first_seq_from(dir, to + chrono::Duration::microseconds(1)).map_err(failed)?;
        let before = first.map_or(u64::MAX, |seq| seq.saturating_sub(1));
        let (state, follower) = match crate::checkpoint::resume_before(dir, before) {
            Some((state, follower)) => (Some(state), follower),
            None => (None, Follower::new(dir)),
        };
        Ok(Start { dir, from, to, first, after, state, follower })
    }

    /// The configuration in force where reading starts (None: the record loaded none before).
    pub fn config_in_force(&self) -> Option<&ConfigInForce> {
        self.state.as_ref().and_then(|s| s.config.as_ref())
    }

    /// Reads to the period's end (`collect`), the second part of a long stretch on another
    /// core: from `middle` if given, else from `second_reader_start`.
    pub fn read(self, near: &Nearness<'_>, middle: Option<Option<u64>>) -> Result<(Facts, Kept), String> {
        collect_split(self, near, middle)
    }
}

/// Reads from the checkpoint before the period (or the journal's first record) to its end,
/// the second part of a long stretch on another core: from `middle` if given, else from
/// `second_reader_start`.
fn collect_split(
    start: Start<'_>,
    near: &Nearness<'_>,
    middle: Option<Option<u64>>,
) -> Result<(Facts, Kept), String> {
    let Start { dir, from, to, first, after, state, follower } = start;
    let failed = |e: JournalError| format!("reading journal {}: {e}", dir.display());
    let start = state.as_ref().map_or(1, |s| s.last_seq + 1);
    let mut collector = Collector::seeded(from, state);
    let end = match after {
        Some(after) => Some(after),
        None => Follower::at_end(dir).map_err(failed)?.last_seq().map(|last| last + 1),
    };
    let middle = middle.unwrap_or_else(|| match end {
        Some(end) if end > start + SPLIT_AT => Some(second_reader_start(start, first.unwrap_or(end), end)),
        _ => None,
    });
    // The second stretch never starts before the first: the records before `start` are in the
    // checkpoint's state already.
    let middle = middle.map(|middle| middle.max(start));
    let period = read::Period { from: from.timestamp_micros(), to: to.timestamp_micros() };
    let reading = read::Reading { period, wants: &folded, near };
    let (head, tail) = std::thread::scope(|scope| {
        let tail = middle.map(|middle| {
            scope.spawn(move || {
                let follower = Follower::from_seq(dir, middle).map_err(failed)?;
                // In chunks: one growing list of a week's records would be copied whole at every
                // doubling, and faulted in afresh each time.
                let mut records: Vec<Vec<Record>> = Vec::new();
                let keep = |r: Record| match records.last_mut() {
                    Some(chunk) if chunk.len() < CHUNK => chunk.push(r),
                    _ => {
                        let mut chunk = Vec::with_capacity(CHUNK);
                        chunk.push(r);
                        records.push(chunk);
                    }
                };
                let stretch = read::stretch(follower, reading, (middle, u64::MAX), keep);
                stretch.map(|stretch| (stretch, records)).map_err(failed)
            })
        });
        // The first stretch is folded as it is read, while the second is read on.
        let range = (0, middle.unwrap_or(u64::MAX));
        let head = read::stretch(follower, reading, range, |r| collector.fold(r)).map_err(failed);
        let tail = tail.map(|t| t.join().unwrap_or_else(|_| Err("the second reader panicked".to_string())));
        (head, tail.transpose())
    });
    let (head, tail) = (head?, tail?);
    let mut facts_damage = Vec::new();
    let located = |p: &crate::journal::ReadProblem| one_line(&p.to_string());
    facts_damage.extend(head.problems.iter().map(located));
    let mut provenance = head.provenance;
    let mut head_sum = head.head;
    let mut tail_items = Vec::new();
    if let Some((mut tail, records)) = tail {
        // Damage just before the second stretch's start is met by both readers: once is enough.
        tail.problems.retain(|p| !head.problems.iter().any(|h| h.path == p.path && h.offset == p.offset));
        // Where the stretches meet, the chain is checked here too; where damage was met, it
        // has already been reported.
        if let (Some((seq, sum)), Some((next, prev))) = (head.last, tail.first)
            && head.problems.is_empty()
            && tail.problems.is_empty()
            && (next != seq + 1 || prev != sum)
        {
            facts_damage.push(format!(
                "record {next} does not follow record {seq}: the chain is broken between them"
            ));
        }
        facts_damage.extend(tail.problems.iter().map(located));
        provenance = provenance.then(tail.provenance);
        head_sum = tail.head.or(head_sum);
        records.into_iter().flatten().for_each(|r| collector.fold(r));
        tail_items = tail.items;
    }
    let mut facts = collector.finish();
    provenance.head = head_sum.map(|sum| to_hex(&sum));
    facts.provenance = provenance;
    facts.damage = facts_damage;
    Ok((facts, Kept::joined(head.items, tail_items)))
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

    /// Counts record `seq`, in the period.
    fn note(&mut self, seq: u64) {
        self.first_seq.get_or_insert(seq);
        self.last_seq = Some(seq);
        self.records += 1;
    }
}
