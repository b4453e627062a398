//! The desk's state as a fold over journal records. `DeskState::apply` is the only way state
//! changes, live or in replay, so a file of events fully determines what the console shows.
//! Pure: no clock, no I/O, no terminal.

mod alert;
mod describe;
pub mod feed;
mod handover;
pub mod mission;
mod projection;
mod remote;
pub mod rollcall;

pub use alert::{Acknowledgement, Alert, AlertState, AlertStep, Resolution, apply as apply_alert};
pub use describe::unread_counts;
pub use handover::HandoverMark;
pub use mission::{MissionMark, TiedNote};
pub use projection::{Projection, check_in, is_alert_kind, last_contact, load_config};
pub use remote::{
    Elsewhere, OtherCheckIn, OtherHandover, OtherMission, OtherNote, fold as fold_remote,
    followed as desk_followed, unfollow as unfollow_desks,
};
pub use rollcall::Rollcall;

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use crate::config::{ConfigInForce, ConfigSnapshot};
use crate::domain::{FeedItem, ItemKey};
use crate::event::{Event, Record};
use crate::text::one_line_owned;
use serde::{Deserialize, Serialize};

/// How many event-log lines the state keeps for the Event log pane; the journal keeps them all.
pub const LOG_CAPACITY: usize = 2000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemEntry {
    pub item: FeedItem,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub first_seen: DateTime<Utc>,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub last_change: DateTime<Utc>,
    pub revisions: u32,
    /// The item's last few versions, oldest first: when, title and severity. Shared between
    /// an entry's versions, which a replay keeps many of.
    #[serde(deserialize_with = "crate::rfc3339::history")]
    pub history: ItemHistory,
}

/// An item's last versions: when, and its title and severity then.
pub type ItemHistory = Vec<(DateTime<Utc>, Arc<str>)>;

/// How many versions of an item the state remembers; the journal has them all.
pub const ITEM_HISTORY: usize = 10;
/// How long a resolved alert, and an item past its expiry, stay in the state: the Alerts pane
/// shows the last day's resolutions; older ones are in the journal and the briefings. Without
/// this a long watch's state would grow with every alert ever raised.
pub const KEEP_RESOLVED: chrono::Duration = chrono::Duration::hours(24);

/// How many hours of activity counts the state keeps for the sparklines.
pub const ACTIVITY_HOURS: i64 = 48;

/// Items seen or updated, and alerts raised, in one hour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub items: u32,
    pub alerts: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedHealth {
    pub last_ok: Option<DateTime<Utc>>,
    pub last_poll_ms: Option<u64>,
    pub last_error: Option<(DateTime<Utc>, String)>,
    /// Set while the feed is failing: when the current outage began.
    pub failing_since: Option<DateTime<Utc>>,
    pub active_items: usize,
    /// What the last good poll could not read: entries skipped, items kept incomplete, and
    /// the first problem. Absent from states saved before they were kept.
    #[serde(default)]
    pub skipped: usize,
    #[serde(default)]
    pub incomplete: usize,
    #[serde(default)]
    pub problem: Option<String>,
}

impl FeedHealth {
    /// The last good poll left something of the document unread.
    pub fn partly_read(&self) -> bool {
        self.skipped + self.incomplete > 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub kind: &'static str,
    pub by: String,
    pub text: String,
}

/// A log line as saved: its kind as owned text, mapped back to the known names on reading.
#[derive(Deserialize)]
struct SavedLogLine {
    seq: u64,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    ts: DateTime<Utc>,
    kind: String,
    by: String,
    text: String,
}

// By hand: a derived impl would borrow the `&'static str` kind from the input.
impl<'de> Deserialize<'de> for LogLine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let saved = SavedLogLine::deserialize(d)?;
        let kind = crate::event::KINDS.iter().find(|k| **k == saved.kind).copied().unwrap_or("unknown");
        Ok(LogLine { seq: saved.seq, ts: saved.ts, kind, by: saved.by, text: saved.text })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeskState {
    last_seq: u64,
    last_ts: Option<DateTime<Utc>>,
    /// Saved as a list (JSON maps need string keys); each entry's key is its item's.
    #[serde(with = "items_as_list")]
    items: HashMap<ItemKey, Arc<ItemEntry>>,
    feeds: BTreeMap<String, FeedHealth>,
    alerts: BTreeMap<String, Arc<Alert>>,
    /// Newest first.
    log: VecDeque<Arc<LogLine>>,
    check_ins: HashMap<String, DateTime<Utc>>,
    notes: usize,
    /// Each mission's status as the desk last set it, by mission id (`state::mission`); a
    /// mission not here stands as the configuration says.
    #[serde(default)]
    missions: BTreeMap<String, MissionMark>,
    /// Per mission id, the last notes tied to it, newest first.
    #[serde(default)]
    mission_notes: BTreeMap<String, VecDeque<TiedNote>>,
    /// The watch's last handover (`attache handover`), if the record has one.
    #[serde(default)]
    last_handover: Option<HandoverMark>,
    /// Roll-calls open, and those closed in the last `KEEP_RESOLVED`, by id (`state::rollcall`).
    #[serde(default)]
    rollcalls: BTreeMap<String, Rollcall>,
    /// What followed desks hold (their roll-calls, missions and notes): theirs to work.
    #[serde(default)]
    elsewhere: Elsewhere,
    /// Activity per hour (hours since the epoch), the last `ACTIVITY_HOURS` of the record.
    activity: BTreeMap<i64, Activity>,
    /// The hour (since the epoch) of the record that last cleared out what `KEEP_RESOLVED` lets go.
    #[serde(default)]
    housekept_hour: i64,
    /// The configuration in force at `last_seq`: the newest `config.loaded`.
    #[serde(default)]
    config: Option<ConfigInForce>,
    /// The desks followed as the record last said (`sync.following`); None before it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    following: Option<Vec<String>>,
}

/// What the fold made, read only: everything else changes the state through `apply`/`fold`.
impl DeskState {
    /// The last record folded (0 before the first).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    pub fn last_ts(&self) -> Option<DateTime<Utc>> {
        self.last_ts
    }

    pub fn items(&self) -> &HashMap<ItemKey, Arc<ItemEntry>> {
        &self.items
    }

    pub fn feeds(&self) -> &BTreeMap<String, FeedHealth> {
        &self.feeds
    }

    pub fn alerts(&self) -> &BTreeMap<String, Arc<Alert>> {
        &self.alerts
    }

    /// Newest first.
    pub fn log(&self) -> &VecDeque<Arc<LogLine>> {
        &self.log
    }

    pub fn check_ins(&self) -> &HashMap<String, DateTime<Utc>> {
        &self.check_ins
    }

    pub fn notes(&self) -> usize {
        self.notes
    }

    pub fn missions(&self) -> &BTreeMap<String, MissionMark> {
        &self.missions
    }

    pub fn mission_notes(&self) -> &BTreeMap<String, VecDeque<TiedNote>> {
        &self.mission_notes
    }

    pub fn last_handover(&self) -> Option<&HandoverMark> {
        self.last_handover.as_ref()
    }

    pub fn rollcalls(&self) -> &BTreeMap<String, Rollcall> {
        &self.rollcalls
    }

    /// Followed desks' roll-calls (over `[sync]`), by `desk/ID`.
    pub fn others_rollcalls(&self) -> &BTreeMap<String, Rollcall> {
        &self.elsewhere.rollcalls
    }

    /// Followed desks' operator notes received in the last `KEEP_RESOLVED`, oldest first.
    pub fn others_notes(&self) -> &[OtherNote] {
        &self.elsewhere.notes
    }

    /// Followed desks' handovers received in the last `KEEP_RESOLVED`, oldest first.
    pub fn others_handovers(&self) -> &[OtherHandover] {
        &self.elsewhere.handovers
    }

    /// Followed desks' missions (over `[sync]`), by `desk/ID`.
    pub fn others_missions(&self) -> &BTreeMap<String, OtherMission> {
        &self.elsewhere.missions
    }

    pub fn activity(&self) -> &BTreeMap<i64, Activity> {
        &self.activity
    }
}

/// What a briefing's collector carries over from a checkpoint's state (`brief::collect`): the
/// parts of the fold that a period's facts start from. Read from a checkpoint as the state's
/// fields of the same names, passing over the rest (items and log lines: most of the file,
/// which a briefing does not use). No field has a default: a checkpoint is of this version
/// (its header says so), which writes them all, so a field renamed in the state makes the read
/// fail (and the briefing read from the journal) rather than come back empty.
#[derive(Deserialize)]
pub struct Carried {
    pub last_seq: u64,
    pub housekept_hour: i64,
    pub config: Option<ConfigInForce>,
    pub alerts: BTreeMap<String, Arc<Alert>>,
    pub feeds: BTreeMap<String, FeedHealth>,
    pub check_ins: HashMap<String, DateTime<Utc>>,
    pub missions: BTreeMap<String, MissionMark>,
    pub rollcalls: BTreeMap<String, Rollcall>,
    pub elsewhere: Elsewhere,
    #[serde(default)]
    pub following: Option<Vec<String>>,
}

impl DeskState {
    /// Folds one record into the state. Records at or below `last_seq` were already applied
    /// (a console applies its own appends at once and sees them again when following the
    /// journal), so they are ignored: applying is idempotent by sequence number.
    pub fn apply(&mut self, record: &Record) {
        if record.seq <= self.last_seq && self.last_seq != 0 {
            return;
        }
        self.fold(record.clone());
    }

    /// `apply`, taking the record: its text moves into the state instead of being copied,
    /// which is most of what folding a long journal costs.
    pub fn fold(&mut self, record: Record) {
        if record.seq <= self.last_seq && self.last_seq != 0 {
            return;
        }
        let Record { seq, ts, by, event } = record;
        // Whoever wrote the journal, nothing of it reaches the screen as a control.
        let by = one_line_owned(by);
        self.last_seq = seq;
        self.last_ts = Some(ts);
        self.count_activity(&event, ts);
        let hour = ts.timestamp().div_euclid(3600);
        if hour > self.housekept_hour {
            // Once per hour of the record's own time: pure, so replay keeps exactly the same.
            self.housekept_hour = hour;
            self.let_go(ts);
        }
        // A desk no longer followed, whose records a sync process still running with the old
        // `follow` may append: not shown, as what it brought before was let go.
        if let Event::Remote { desk, .. } = &event
            && !remote::followed(self.following.as_deref(), desk)
        {
            return;
        }
        // Described before it is applied: an alert's title (which applying an acknowledgement,
        // escalation or resolution does not change) and a withdrawn item's, still in the state.
        let log_line = LogLine {
            seq,
            ts,
            kind: event.kind(),
            by: by.clone(),
            text: describe::describe(&event, &by, &self.alerts, &self.items),
        };
        match event {
            Event::ItemSeen { item } | Event::ItemUpdated { item } => self.upsert_item(item, ts),
            Event::ItemWithdrawn { feed, id, .. } => {
                let key = FeedItem::key_for(&feed, &id);
                if self.items.remove(&key).is_some() {
                    self.feed_mut(&feed).active_items -= 1;
                }
            }
            event @ (Event::FeedPolled { .. } | Event::FeedFailed { .. } | Event::FeedRecovered { .. }) => {
                feed::apply(&mut self.feeds, event, ts)
            }
            Event::Note { operator, text, mission, .. } => {
                self.notes += 1;
                if let Some(mission) = mission {
                    let note =
                        TiedNote { seq, ts, operator: one_line_owned(operator), text: one_line_owned(text) };
                    mission::tie_note(&mut self.mission_notes, mission, note);
                }
            }
            Event::MissionStatusChanged { mission, status, note } => {
                let mark =
                    MissionMark { status, line: note.map(one_line_owned), at: ts, by: by.clone(), seq };
                mission::set_status(&mut self.missions, mission, mark);
            }
            Event::ContactCheckedIn { contact, .. } => check_in(&mut self.check_ins, contact, ts),
            event @ Event::Handover { .. } => {
                self.last_handover = HandoverMark::of(seq, ts, by.clone(), &event);
            }
            event @ (Event::RollcallOpened { .. }
            | Event::RollcallAnswered { .. }
            | Event::RollcallOverdue { .. }
            | Event::RollcallClosed { .. }) => rollcall::apply(&mut self.rollcalls, event, seq, ts, &by),
            event @ (Event::AlertRaised { .. }
            | Event::AlertUpdated { .. }
            | Event::AlertAcknowledged { .. }
            | Event::AlertUnacknowledged { .. }
            | Event::AlertEscalated { .. }
            | Event::AlertResolved { .. }) => {
                let items = &self.items;
                let event_time = |feed: &str, id: &str| {
                    items.get(&FeedItem::key_for(feed, id)).and_then(|e| e.item.event_time())
                };
                alert::apply(&mut self.alerts, &event, ts, event_time)
            }
            Event::ConfigLoaded { path, digest, config, .. } => self.load_config(seq, path, digest, config),
            Event::SessionStarted { .. }
            | Event::SessionEnded { .. }
            | Event::JournalWrittenAfterDamage { .. }
            | Event::NotifySent { .. }
            | Event::NotifyFailed { .. } => {}
            Event::Remote { desk, record, .. } => {
                let elsewhere = Some(&mut self.elsewhere);
                remote::fold(&mut self.alerts, &mut self.check_ins, elsewhere, &desk, &record, ts)
            }
            Event::SyncFollowing { follow } => {
                remote::unfollow(&mut self.alerts, Some(&mut self.elsewhere), &follow);
                self.following = Some(follow);
            }
        }
        self.log.push_front(Arc::new(log_line));
        self.log.truncate(LOG_CAPACITY);
    }

    pub fn apply_all<'a>(&mut self, records: impl IntoIterator<Item = &'a Record>) {
        for record in records {
            self.apply(record);
        }
    }

    /// `apply_all`, taking the records (see `fold`).
    pub fn fold_all(&mut self, records: impl IntoIterator<Item = Record>) {
        for record in records {
            self.fold(record);
        }
    }

    /// Whether the state holds anything another desk brought (its alerts, missions, roll-calls,
    /// notes, handovers, check-ins).
    pub fn holds_other_desks(&self) -> bool {
        let e = &self.elsewhere;
        self.alerts.values().any(|a| a.desk.is_some())
            || !(e.rollcalls.is_empty()
                && e.missions.is_empty()
                && e.notes.is_empty()
                && e.handovers.is_empty()
                && e.check_ins.is_empty())
    }

    /// The desks the record last said this desk follows (`sync.following`), if it has said.
    pub fn following(&self) -> Option<&[String]> {
        self.following.as_deref()
    }

    /// The configuration in force at the last record folded: None before the record's first
    /// `config.loaded`. Its snapshot is None when the record loaded a configuration without one
    /// (journals written before snapshots were): then today's configuration stands in.
    pub fn config_in_force(&self) -> Option<&ConfigInForce> {
        self.config.as_ref()
    }

    /// The state's one rule for the configuration in force (`projection::load_config`).
    fn load_config(&mut self, seq: u64, path: String, digest: String, snapshot: Option<Box<ConfigSnapshot>>) {
        load_config(&mut self.config, seq, path, digest, snapshot);
    }

    fn count_activity(&mut self, event: &Event, ts: DateTime<Utc>) {
        let hour = ts.timestamp().div_euclid(3600);
        let bucket = match event {
            Event::ItemSeen { .. } | Event::ItemUpdated { .. } => {
                &mut self.activity.entry(hour).or_default().items
            }
            Event::AlertRaised { .. } => &mut self.activity.entry(hour).or_default().alerts,
            _ => return,
        };
        *bucket += 1;
        if let Some(&oldest) = self.activity.keys().next()
            && oldest <= hour - ACTIVITY_HOURS
        {
            self.activity = self.activity.split_off(&(hour - ACTIVITY_HOURS + 1));
        }
    }

    /// Drops alerts resolved, and items expired, more than `KEEP_RESOLVED` before `ts`.
    fn let_go(&mut self, ts: DateTime<Utc>) {
        let horizon = ts - KEEP_RESOLVED;
        self.alerts.retain(|_, a| a.resolved_at.is_none_or(|t| t > horizon));
        rollcall::let_go(&mut self.rollcalls, horizon);
        rollcall::let_go(&mut self.elsewhere.rollcalls, horizon);
        self.elsewhere.notes.retain(|n| n.received > horizon);
        self.elsewhere.handovers.retain(|h| h.received > horizon);
        self.elsewhere.check_ins.retain(|c| c.received > horizon);
        let expired: Vec<ItemKey> = self
            .items
            .iter()
            .filter(|(_, e)| e.item.expires.is_some_and(|t| t <= horizon))
            .map(|(k, _)| k.clone())
            .collect();
        for key in expired {
            self.items.remove(&key);
            if let Some(health) = self.feeds.get_mut(&*key.feed) {
                health.active_items = health.active_items.saturating_sub(1);
            }
        }
    }

    fn feed_mut(&mut self, feed: &str) -> &mut FeedHealth {
        self.feeds.entry(feed.to_string()).or_default()
    }

    fn upsert_item(&mut self, item: FeedItem, ts: DateTime<Utc>) {
        // Feed text is cleaned on its way into state: the one gate through which everything on
        // screen passes, whoever wrote the journal.
        let item = item.into_cleaned();
        let key = item.key();
        let version = (ts, Arc::from(format!("{} ({})", item.title, item.severity)));
        match self.items.get_mut(&key) {
            Some(entry) => {
                let entry = Arc::make_mut(entry);
                entry.item = item;
                entry.last_change = ts;
                entry.revisions += 1;
                if entry.history.len() == ITEM_HISTORY {
                    entry.history.remove(0);
                }
                entry.history.push(version);
            }
            None => {
                self.feed_mut(&key.feed).active_items += 1;
                let entry =
                    ItemEntry { item, first_seen: ts, last_change: ts, revisions: 1, history: vec![version] };
                self.items.insert(key, Arc::new(entry));
            }
        }
    }

    /// Items still in their life at `now`, newest change first.
    pub fn active_items(&self, now: DateTime<Utc>) -> Vec<&ItemEntry> {
        let mut items: Vec<&ItemEntry> =
            self.items.values().map(|e| &**e).filter(|e| e.item.expires.is_none_or(|t| t > now)).collect();
        items.sort_by(|a, b| b.last_change.cmp(&a.last_change).then_with(|| a.item.id.cmp(&b.item.id)));
        items
    }

    /// A mission's status as of the last record folded (`state::mission::status_of`).
    pub fn mission_status(&self, mission: &crate::domain::Mission) -> crate::domain::MissionStatus {
        mission::status_of(&self.missions, mission)
    }

    pub fn open_alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.values().map(|a| &**a).filter(|a| a.state != AlertState::Resolved)
    }

    /// Exercise, test, draft and system traffic still in view: open alerts and active items.
    /// The console shows a banner whenever this is not zero.
    pub fn non_real_traffic(&self, now: DateTime<Utc>) -> (usize, usize) {
        let alerts = self.open_alerts().filter(|a| !a.traffic.is_real()).count();
        let items = self
            .items
            .values()
            .filter(|e| !e.item.traffic.is_real() && e.item.expires.is_none_or(|t| t > now))
            .count();
        (alerts, items)
    }
}

mod items_as_list {
    use super::{ItemEntry, ItemKey};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::HashMap;
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(
        items: &HashMap<ItemKey, Arc<ItemEntry>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut list: Vec<&ItemEntry> = items.values().map(|e| &**e).collect();
        list.sort_by(|a, b| (&a.item.feed, &a.item.id).cmp(&(&b.item.feed, &b.item.id)));
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HashMap<ItemKey, Arc<ItemEntry>>, D::Error> {
        let list = Vec::<ItemEntry>::deserialize(d)?;
        Ok(list.into_iter().map(|entry| (entry.item.key(), Arc::new(entry))).collect())
    }
}
