//! Reading a period's facts out of the journal as plain data, with no configuration and no
//! rendering: what alerts were raised, taken and closed, which feeds failed, who was reached,
//! what the operators wrote. Only the kinds a briefing uses are parsed; every other line is
//! passed over after a look at its `kind` (and, for feed items, its severity), because parsing
//! is most of what reading a journal costs.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

use crate::domain::{Location, Severity, Traffic};
use crate::journal::commands::kind_of;
use crate::journal::format::{to_hex, trailer};
use crate::journal::{Follower, RawRecord};
use crate::state::DeskState;
use crate::text::one_line;

/// Who took an alert, or closed it, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub by: String,
    pub at: DateTime<Utc>,
    /// The acknowledgement's note or the resolution's reason.
    pub text: Option<String>,
}

/// One alert as it stood at the end of the period.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertFact {
    pub id: String,
    pub raised: DateTime<Utc>,
    pub severity: Severity,
    pub title: String,
    pub feed: String,
    pub rule: String,
    pub missions: Vec<String>,
    pub traffic: Traffic,
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
    pub location: Location,
    pub traffic: Traffic,
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
#[derive(Debug, Default)]
pub struct Facts {
    pub provenance: Provenance,
    /// Every alert raised up to the end of the period, by id.
    pub alerts: BTreeMap<String, AlertFact>,
    pub outages: Vec<Outage>,
    /// Per feed, its last successful poll up to the end of the period.
    pub last_ok: BTreeMap<String, DateTime<Utc>>,
    /// Per contact name, the last check-in up to the end and the number in the period.
    pub check_ins: BTreeMap<String, (DateTime<Utc>, u32)>,
    pub notes: Vec<NoteFact>,
    pub items: Vec<ItemFact>,
    /// Damage met while reading (bad sums, broken chain), located: the header warns of it.
    pub damage: Vec<String>,
    /// The record of the checkpoint reading started from, if it started from one.
    pub resumed_at: Option<u64>,
}

/// The kinds a briefing reads; everything else is skipped unparsed.
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

/// Reads the journal in `dir` up to `to`, and gathers the facts of `[from, to]`. Items are
/// kept only where `near` says their location matters (near a briefed mission).
///
/// The desk's state at `from` is what the records before it made it: it comes from the newest
/// checkpoint before `from` (see `checkpoint`), and the records between the two are read,
/// parsing only alert, feed and check-in records. Without a checkpoint, that is every record
/// from the journal's first.
pub fn collect(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    near: &dyn Fn(&Location) -> bool,
) -> Result<Facts, String> {
    let (from_us, to_us) = (from.timestamp_micros(), to.timestamp_micros());
    let mut facts = Facts::default();
    let mut failing: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    let mut items: HashMap<(String, String), ItemFact> = HashMap::new();
    let mut follower = start(dir, from, &mut facts, &mut failing);
    let mut reader = Reader { facts: &mut facts, failing: &mut failing, items: &mut items, near };
    let notable = Notable::new();
    let problems = follower
        .poll_lines(|raw, notes| {
            // Time never runs backwards along the journal: the first record past `to` ends it.
            if raw.ts_micros > to_us {
                return false;
            }
            let in_period = raw.ts_micros >= from_us;
            if in_period {
                note_provenance(&mut reader.facts.provenance, raw);
            }
            let kind = kind_of(raw.bytes).unwrap_or("");
            let item = in_period && matches!(kind, "item.seen" | "item.updated") && notable.item(raw.bytes);
            if !(wanted(kind) || item) {
                return true;
            }
            let ts = DateTime::from_timestamp_micros(raw.ts_micros).unwrap_or_default();
            let read = serde_json::from_slice::<Lite<'_>>(raw.bytes)
                .map_err(|e| e.to_string())
                .and_then(|lite| reader.fold(&lite, raw.seq, ts, in_period));
            if let Err(e) = read {
                notes.push(format!("a {kind} record this version of attache cannot read: {e}"));
            }
            true
        })
        .map_err(|e| format!("reading journal {}: {e}", dir.display()))?;
    facts.damage = problems.iter().map(|p| one_line(&p.to_string())).collect();
    for (feed, start) in failing {
        facts.outages.push(Outage { feed, start, end: None });
    }
    facts.outages.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.feed.cmp(&b.feed)));
    facts.items = items.into_values().collect();
    facts.items.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.id.cmp(&b.id)));
    // Outages over before the period are not the period's.
    facts.outages.retain(|o| o.end.is_none_or(|end| end >= from));
    Ok(facts)
}

/// Where reading starts: just after the newest checkpoint taken before `from`, with the facts
/// its state holds; else at the journal's first record.
fn start(
    dir: &Path,
    from: DateTime<Utc>,
    facts: &mut Facts,
    failing: &mut BTreeMap<String, DateTime<Utc>>,
) -> Follower {
    let first_in_period = Follower::from_time(dir, from).ok().and_then(|mut follower| {
        let mut first = None;
        follower
            .poll_lines(|raw, _| {
                first = Some(raw.seq);
                false
            })
            .ok()?;
        first
    });
    let before = first_in_period.map_or(u64::MAX, |seq| seq.saturating_sub(1));
    match crate::checkpoint::resume_before(dir, before) {
        Some((state, follower)) => {
            seed(&state, facts, failing);
            facts.resumed_at = Some(state.last_seq);
            follower
        }
        None => Follower::new(dir),
    }
}

/// The facts a desk state holds that a briefing carries over from before its period: alerts
/// not resolved (those resolved earlier are never briefed), outages under way, each feed's
/// last good poll, each contact's last check-in. Cleaned as `Reader` cleans what it reads.
fn seed(state: &DeskState, facts: &mut Facts, failing: &mut BTreeMap<String, DateTime<Utc>>) {
    for alert in state.alerts.values().filter(|a| a.resolved_at.is_none()) {
        let fact = AlertFact {
            id: one_line(&alert.id),
            raised: alert.raised,
            severity: alert.severity,
            title: one_line(&alert.title),
            feed: one_line(&alert.feed),
            rule: one_line(&alert.rule),
            missions: alert.missions.iter().map(|m| one_line(m)).collect(),
            traffic: alert.traffic,
            escalated: alert.escalated_at,
            acknowledged: alert.acknowledged.as_ref().map(|a| Action {
                by: one_line(&a.by),
                at: a.at,
                text: a.note.as_deref().map(one_line).filter(|t| !t.is_empty()),
            }),
            resolved: None,
        };
        facts.alerts.insert(fact.id.clone(), fact);
    }
    for (feed, health) in &state.feeds {
        if let Some(since) = health.failing_since {
            failing.insert(one_line(feed), since);
        }
        if let Some(ok) = health.last_ok {
            facts.last_ok.insert(one_line(feed), ok);
        }
    }
    for (contact, at) in &state.check_ins {
        facts.check_ins.insert(one_line(contact), (*at, 0));
    }
}

fn note_provenance(p: &mut Provenance, raw: &RawRecord<'_>) {
    p.first_seq.get_or_insert(raw.seq);
    p.last_seq = Some(raw.seq);
    p.records += 1;
    p.head = trailer(raw.bytes).map(|(_, sum)| to_hex(&sum));
}

/// The fields of the records a briefing reads, borrowed from the line where they can be. A
/// plain struct, not the tagged `Event` enum: serde reads a tagged enum through an owned
/// buffer of every field, which made parsing most of a briefing's cost. Unknown fields are
/// ignored, so the kinds share one shape; `item` is an item id in alerts and an object in items.
#[derive(Deserialize)]
struct Lite<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    alert: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    rule: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    feed: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    operator: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    note: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    contact: Option<Cow<'a, str>>,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(borrow, default)]
    missions: Vec<Cow<'a, str>>,
    #[serde(default)]
    traffic: Traffic,
    #[serde(borrow, default)]
    item: Option<&'a RawValue>,
}

fn field<'a>(value: &'a Option<Cow<'_, str>>, name: &str, kind: &str) -> Result<&'a str, String> {
    value.as_deref().ok_or_else(|| format!("{kind} without `{name}`"))
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

struct Reader<'a> {
    facts: &'a mut Facts,
    failing: &'a mut BTreeMap<String, DateTime<Utc>>,
    items: &'a mut HashMap<(String, String), ItemFact>,
    near: &'a dyn Fn(&Location) -> bool,
}

impl Reader<'_> {
    fn fold(&mut self, r: &Lite<'_>, seq: u64, ts: DateTime<Utc>, in_period: bool) -> Result<(), String> {
        let Reader { facts, failing, items, near } = self;
        let kind = r.kind.as_ref();
        let f = |value: &Option<Cow<'_, str>>, name: &str| field(value, name, kind).map(one_line);
        let action = |by: &str, text: Option<&str>| Action {
            by: one_line(by),
            at: ts,
            text: text.map(one_line).filter(|t| !t.is_empty()),
        };
        match kind {
            "alert.raised" => {
                let id = f(&r.alert, "alert")?;
                let fact = AlertFact {
                    id: id.clone(),
                    raised: ts,
                    severity: r.severity.ok_or("alert.raised without `severity`")?,
                    title: f(&r.title, "title")?,
                    feed: f(&r.feed, "feed")?,
                    rule: f(&r.rule, "rule")?,
                    missions: r.missions.iter().map(|m| one_line(m)).collect(),
                    traffic: r.traffic,
                    escalated: None,
                    acknowledged: None,
                    resolved: None,
                };
                facts.alerts.insert(id, fact);
            }
            "alert.updated" => {
                if let Some(a) = facts.alerts.get_mut(&f(&r.alert, "alert")?) {
                    a.severity = r.severity.unwrap_or(a.severity);
                    a.title = f(&r.title, "title")?;
                }
            }
            "alert.acknowledged" => {
                if let Some(a) = facts.alerts.get_mut(&f(&r.alert, "alert")?) {
                    a.acknowledged = Some(action(field(&r.operator, "operator", kind)?, r.note.as_deref()));
                    a.escalated = None;
                }
            }
            "alert.unacknowledged" => {
                if let Some(a) = facts.alerts.get_mut(&f(&r.alert, "alert")?) {
                    a.acknowledged = None;
                }
            }
            "alert.escalated" => {
                if let Some(a) = facts.alerts.get_mut(&f(&r.alert, "alert")?) {
                    a.escalated = Some(ts);
                }
            }
            "alert.resolved" => {
                if let Some(a) = facts.alerts.get_mut(&f(&r.alert, "alert")?) {
                    a.resolved = Some(action(field(&r.operator, "operator", kind)?, r.reason.as_deref()));
                }
            }
            "feed.failed" => {
                failing.entry(f(&r.feed, "feed")?).or_insert(ts);
            }
            "feed.polled" | "feed.recovered" => {
                let feed = f(&r.feed, "feed")?;
                if let Some(start) = failing.remove(&feed) {
                    facts.outages.push(Outage { feed: feed.clone(), start, end: Some(ts) });
                }
                facts.last_ok.insert(feed, ts);
            }
            "contact.checked_in" => {
                let entry = facts.check_ins.entry(f(&r.contact, "contact")?).or_insert((ts, 0));
                entry.0 = ts;
                entry.1 += u32::from(in_period);
            }
            "note" if in_period => {
                let (operator, text) = (f(&r.operator, "operator")?, f(&r.text, "text")?);
                facts.notes.push(NoteFact { seq, ts, operator, text });
            }
            "item.seen" | "item.updated" if in_period => {
                let raw = r.item.ok_or_else(|| format!("{kind} without `item`"))?;
                let item: ItemFields<'_> = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
                let Some(location) = item.location.filter(|l| near(l)) else { return Ok(()) };
                let (feed, id) = (one_line(&item.feed), one_line(&item.id));
                let fact = ItemFact {
                    ts,
                    feed: feed.clone(),
                    id: id.clone(),
                    title: one_line(&item.title),
                    severity: item.severity,
                    location,
                    traffic: item.traffic,
                };
                items.insert((feed, id), fact);
            }
            _ => {}
        }
        Ok(())
    }
}
