//! The text of the detail view that Enter opens on a selected row.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::FeedRuntime;
use super::format::{ago, span, stamp};
use super::pane::RowKey;
use super::rows::feed_state;
use crate::config::{Config, FeedSource};
use crate::domain::{FeedItem, MissionStatus, location_gap_km};
use crate::feeds::redact::redacted_url;
use crate::state::DeskState;
use crate::text::one_line;

pub struct Detail {
    /// The row it details, so it is made again as the record moves on.
    pub key: RowKey,
    pub title: String,
    pub lines: Vec<String>,
    /// The contacts listed that `c` checks in with (a mission's): each one's index in the
    /// configuration and the line it is on.
    pub contacts: Vec<(usize, usize)>,
    /// Which of `contacts` is chosen (Tab moves on).
    pub chosen: usize,
}

impl Detail {
    pub(super) fn of(key: &RowKey, title: String, lines: Vec<String>) -> Detail {
        Detail { key: key.clone(), title, lines, contacts: Vec::new(), chosen: 0 }
    }

    /// The line of the contact chosen, if the view lists contacts to choose from.
    pub fn chosen_line(&self) -> Option<usize> {
        self.contacts.get(self.chosen).map(|(_, line)| *line)
    }

    /// The configuration's index of the contact chosen.
    pub fn chosen_contact(&self) -> Option<usize> {
        self.contacts.get(self.chosen).map(|(n, _)| *n)
    }

    /// Chooses the next (or previous) contact listed, round the list.
    /// Moves the choice by `rows` contacts, stopping at the first and the last (a page key).
    pub fn choose_by(&mut self, rows: isize) {
        let last = self.contacts.len().saturating_sub(1);
        self.chosen = self.chosen.saturating_add_signed(rows).min(last);
    }

    pub fn choose(&mut self, forward: bool) {
        let n = self.contacts.len();
        if n > 0 {
            self.chosen = if forward { (self.chosen + 1) % n } else { (self.chosen + n - 1) % n };
        }
    }
}

pub fn detail(
    key: &RowKey,
    config: &Config,
    state: &DeskState,
    runtime: &BTreeMap<String, FeedRuntime>,
    outs: &[(crate::cot_out::CotOutConfig, crate::cot_out::LinkStatus)],
    now: DateTime<Utc>,
) -> Option<Detail> {
    let (title, lines) = match key {
        RowKey::Mission(id) => return super::mission_detail::mission(key, id, config, state, now),
        RowKey::OtherMission(id) => return super::mission_detail::other_mission(key, id, state, now),
        RowKey::Contact(n) => contact(*n, config, state, now)?,
        RowKey::Alert(id) => alert(id, config, state, now)?,
        RowKey::Log(seq) => log(*seq, state)?,
        RowKey::Feed(name) => feed(name, config, state, runtime, now)?,
        RowKey::CotOut(n) => cot_out(outs.get(*n)?),
        RowKey::Rollcall(id) => return super::rollcall_view::rollcall(key, id, state, now),
    };
    Some(Detail::of(key, title, lines))
}

fn cot_out(
    (out, status): &(crate::cot_out::CotOutConfig, crate::cot_out::LinkStatus),
) -> (String, Vec<String>) {
    let url = redacted_url(&out.url);
    let tls = match &out.target {
        crate::cot_out::Target::Stream { tls: Some(tls), .. } => match &tls.client {
            Some(client) => format!(
                "TLS: server checked against {}; client certificate {}",
                tls.ca_file.display(),
                client.cert.display()
            ),
            None => format!("TLS: server checked against {}; no client certificate", tls.ca_file.display()),
        },
        crate::cot_out::Target::Stream { tls: None, .. } => "Plain TCP: not encrypted".into(),
        crate::cot_out::Target::Udp(_) => "UDP datagrams: not encrypted".into(),
    };
    let lines = vec![
        format!("Alerts out as CoT to {url}"),
        match status.retry_at {
            Some(at) => format!("State: {}; trying again at {}", status.state, at.format("%H:%M:%SZ")),
            None => format!("State: {}", status.state),
        },
        tls,
        format!("Sent: {} events over {} connections", status.sent, status.connections),
        format!("Dropped while down (queue full): {}", status.dropped),
        format!("Missions as markers: {}", if out.missions { "yes" } else { "no" }),
    ];
    (format!("cot out {url}"), lines)
}

fn contact(
    n: usize,
    config: &Config,
    state: &DeskState,
    now: DateTime<Utc>,
) -> Option<(String, Vec<String>)> {
    let c = config.contacts.get(n)?;
    let last = crate::state::last_contact(state.check_ins(), c);
    let status = c.status_at(now, last);
    let mut lines = vec![
        match &c.rank {
            Some(rank) => format!("{} ({rank})", c.name),
            None => c.name.clone(),
        },
        format!("Role: {}   Post: {}   Country: {}", c.role.label(), c.post, c.country),
        format!(
            "Local time: {} ({})   {}",
            status.local.format("%a %Y-%m-%d %H:%M"),
            c.tz.name(),
            if status.on_duty { "within working hours" } else { "outside working hours" }
        ),
        format!("Working hours: {}-{}", c.hours.start.format("%H:%M"), c.hours.end.format("%H:%M")),
        format!("Check in every: {}", crate::words::duration(c.check_in_every)),
    ];
    lines.push(match last {
        Some(t) => format!("Last contact: {} ({})", stamp(t), ago(t, now)),
        None => "Last contact: never recorded".into(),
    });
    match (status.overdue_by, status.due) {
        (Some(by), Some(_)) => lines.push(format!("Check-in OVERDUE by {}", span(by))),
        (Some(_), None) => lines.push("Check-in OVERDUE: no contact on record".into()),
        (None, Some(due)) => lines.push(format!("Next check-in due {} (in {})", stamp(due), span(due - now))),
        (None, None) => {}
    }
    if !c.languages.is_empty() {
        lines.push(format!("Languages: {}", c.languages.join(", ")));
    }
    if !c.channels.is_empty() {
        lines.push("Channels:".into());
        lines.extend(c.channels.iter().map(|ch| format!("  {ch}")));
    }
    if !c.missions.is_empty() {
        lines.push(format!("Missions: {}", c.missions.join(", ")));
    }
    Some((format!("Contact {}", c.name), lines))
}

fn alert(id: &str, config: &Config, state: &DeskState, now: DateTime<Utc>) -> Option<(String, Vec<String>)> {
    let a = state.alerts().get(id)?;
    let escalated = if a.escalated() { " (ESCALATED)" } else { "" };
    let mut lines =
        vec![a.title.clone(), format!("Severity: {}   State: {}{escalated}", a.severity, a.state.label())];
    if !a.traffic.is_real() {
        lines.push(format!("Traffic: {} - NOT REAL-WORLD", a.traffic.tag()));
    }
    lines.push(format!("Rule: {}   Feed: {}   Item: {}", a.rule, a.feed, a.item));
    lines.push(format!("Raised: {}", stamp(a.raised)));
    let entry = state.items().get(&FeedItem::key_for(&a.feed, &a.item));
    match entry {
        None if a.desk.is_some() => {
            lines.push(format!("Item: held at {}", a.desk.as_deref().unwrap_or_default()))
        }
        None => lines.push("Item: no longer in view (withdrawn)".into()),
        Some(entry) => {
            let item = &entry.item;
            if let Some(summary) = &item.summary {
                lines.push(format!("Summary: {summary}"));
            }
            if let Some(link) = &item.link {
                lines.push(format!("Source: {link}"));
            }
            if let Some(t) = item.published {
                lines.push(format!("Published: {}", stamp(t)));
            }
            if let Some(t) = item.expires {
                lines.push(format!("Expires: {}", stamp(t)));
            }
            if let Some(location) = &item.location {
                lines.push(String::new());
                lines.push("Distance to each active mission's area".into());
                let mut distances: Vec<_> = config
                    .missions
                    .iter()
                    .filter(|m| state.mission_status(m) == MissionStatus::Active)
                    .filter_map(|m| Some((location_gap_km(location, &m.area)?, m)))
                    .collect();
                distances.sort_by(|x, y| x.0.total_cmp(&y.0));
                for (km, m) in distances {
                    let at = if km == 0.0 { "inside".to_string() } else { format!("{km:.0} km") };
                    lines.push(format!("  {at:>8}  {} ({})", m.id, m.name));
                }
            }
            lines.push(String::new());
            lines.push(format!(
                "Item history ({})",
                crate::words::count(entry.revisions, "version", "versions")
            ));
            lines.extend(entry.history.iter().map(|(t, what)| format!("  {}  {what}", stamp(*t))));
        }
    }
    if !a.missions.is_empty() {
        lines.push(format!("Missions: {}", a.missions.join(", ")));
    }
    lines.push(String::new());
    lines.push("Who did what".into());
    lines.extend(a.history.iter().map(|s| format!("  {}  {}", stamp(s.ts), s.what)));
    // Another desk's alert: the roll-calls that desk runs for it, as its records tell them.
    if let Some(desk) = &a.desk {
        for call in state.others_rollcalls().values().filter(|r| r.alert.as_deref() == Some(id)) {
            rollcall_at(desk, call, now, &mut lines);
        }
    }
    Some((format!("Alert {}", a.severity.tag()), lines))
}

/// A followed desk's roll-call, as its records tell it: what for, its standing and answers.
pub(super) fn rollcall_at(
    desk: &str,
    call: &crate::state::Rollcall,
    now: DateTime<Utc>,
    lines: &mut Vec<String>,
) {
    lines.push(String::new());
    lines.push(format!("Roll-call at {desk}: {}", one_line(&call.reason)));
    lines.push(format!(
        "Opened {} by {} ({desk} #{})",
        stamp(call.opened_at),
        one_line(&call.opened_by),
        call.seq
    ));
    lines.push(super::rollcall_view::standing(call, now));
    lines.push(format!("Contacts: {} of {} reached", call.reached(), call.contacts.len()));
    lines.extend(super::rollcall_view::contact_lines(call, now));
}

fn log(seq: u64, state: &DeskState) -> Option<(String, Vec<String>)> {
    let line = state.log().iter().find(|l| l.seq == seq)?;
    Some((
        format!("Event #{seq}"),
        vec![
            format!("Sequence: {}", line.seq),
            format!("Time: {}", stamp(line.ts)),
            format!("Kind: {}", line.kind),
            format!("By: {}", line.by),
            String::new(),
            line.text.clone(),
        ],
    ))
}

fn feed(
    name: &str,
    config: &Config,
    state: &DeskState,
    runtime: &BTreeMap<String, FeedRuntime>,
    now: DateTime<Utc>,
) -> Option<(String, Vec<String>)> {
    let f = config.feeds.iter().find(|f| f.name == name)?;
    let health = state.feeds().get(name).cloned().unwrap_or_default();
    let mut lines = vec![
        format!("{} ({})", f.name, f.kind.as_str()),
        match &f.source {
            FeedSource::File(path) => format!("Source: file {}", path.display()),
            FeedSource::Url(url) => format!("Source: {}", redacted_url(url)),
            FeedSource::Udp { listen, group: Some(group) } => {
                format!("Source: CoT over UDP on {listen}, group {group}")
            }
            FeedSource::Udp { listen, group: None } => format!("Source: CoT over UDP on {listen}"),
            FeedSource::Tcp(address) => format!("Source: CoT stream from tcp://{address}"),
            FeedSource::Ssl { address, tls } => format!(
                "Source: CoT stream from ssl://{address} (TLS, {})",
                if tls.client.is_some() { "with client certificate" } else { "no client certificate" }
            ),
        },
        format!("Every: {}", crate::words::duration(f.every)),
        format!("State: {}", feed_state(config, state, runtime, name, now)),
        match health.last_ok {
            Some(t) => format!("Last success: {} ({})", stamp(t), ago(t, now)),
            None => "Last success: never".into(),
        },
    ];
    if let Some(ms) = health.last_poll_ms {
        lines.push(format!("Last poll took: {ms} ms"));
    }
    if health.partly_read() {
        let counts = crate::state::unread_counts(health.skipped, health.incomplete);
        lines.push(format!(
            "Not read: {counts}; first: {}",
            health.problem.as_deref().unwrap_or("no reason given")
        ));
    }
    if let Some((t, error)) = &health.last_error {
        lines.push(format!("Last error: {} ({}): {error}", stamp(*t), ago(*t, now)));
    }
    if let Some(since) = health.failing_since {
        lines.push(format!("Failing since: {} ({})", stamp(since), ago(since, now)));
    }
    if let Some(r) = runtime.get(name) {
        if r.failures > 0 {
            lines.push(format!("Failed polls in a row: {}", r.failures));
        }
        if let Some(next) = r.next_poll {
            lines.push(format!("Next poll: {} (in {})", stamp(next), span(next - now)));
        }
    }
    let items: Vec<_> = state.active_items(now).into_iter().filter(|e| e.item.feed == name).collect();
    lines.push(String::new());
    lines.push(format!("Active items ({})", items.len()));
    for e in items {
        // An item without a time of its own is placed at when the desk first saw it.
        let at = e.item.published.map_or_else(|| format!("{} (first seen)", stamp(e.first_seen)), stamp);
        lines.push(format!("  {} {}  {}", e.item.severity.tag(), at, e.item.title));
    }
    Some((format!("Feed {name}"), lines))
}
