//! Builds each pane's rows as plain text from configuration, desk state and the clock.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::FeedRuntime;
use super::format::{age, ago, log_time, span, when, zone_city};
use super::pane::{Row, RowKey};
use crate::config::Config;
use crate::domain::{CheckIn, Contact, MissionStatus, Severity};
use crate::state::{AlertState, DeskState, FeedHealth};

/// This desk's missions, active first and among them those with the most urgent open alerts;
/// then followed desks' missions, by desk, under their label (`pristina/KFOR`).
pub fn missions(config: &Config, state: &DeskState) -> Vec<Row> {
    let mut rows: Vec<(MissionStatus, Option<Severity>, Row)> = config
        .missions
        .iter()
        .map(|m| {
            // Another desk's alerts name that desk's missions, whatever their ids: not counted here.
            let (worst, summary) =
                alert_summary(state.open_alerts().filter(|a| a.desk.is_none() && a.missions.contains(&m.id)));
            // The status by the record, with the line the desk gave it after the name.
            let status = state.mission_status(m);
            let name = match state.missions().get(&m.id).and_then(|mark| mark.line.as_deref()) {
                Some(line) => format!("{} - {line}", m.name),
                None => m.name.clone(),
            };
            let row = Row {
                key: RowKey::Mission(m.id.clone()),
                cells: vec![
                    status_tag(status).into(),
                    m.id.clone(),
                    name,
                    m.kind.label().into(),
                    m.country.clone(),
                    summary,
                ],
                severity: worst,
                flagged: worst.is_some_and(|s| s >= Severity::Severe),
            };
            (status, worst, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    rows.into_iter().map(|(_, _, row)| row).chain(other_missions(state)).collect()
}

/// Followed desks' missions: as their configuration defines them and their status changes set
/// them, counted from their own alerts.
fn other_missions(state: &DeskState) -> impl Iterator<Item = Row> + '_ {
    state.others_missions().iter().map(|(key, other)| {
        let id = other.id(key);
        let (worst, summary) = alert_summary(state.open_alerts().filter(|a| {
            a.desk.as_deref() == Some(other.desk.as_str()) && a.missions.iter().any(|m| m == id)
        }));
        let defined = other.mission.as_ref();
        let name = defined.map_or("-", |m| m.name.as_str());
        let name = match other.mark.as_ref().and_then(|mark| mark.line.as_deref()) {
            Some(line) => format!("{name} - {line}"),
            None => name.to_string(),
        };
        Row {
            key: RowKey::OtherMission(key.clone()),
            cells: vec![
                other.status().map_or("?", status_tag).into(),
                key.clone(),
                name,
                defined.map_or("-", |m| m.kind.label()).into(),
                defined.map_or("-", |m| m.country.as_str()).into(),
                summary,
            ],
            severity: worst,
            flagged: worst.is_some_and(|s| s >= Severity::Severe),
        }
    })
}

/// Open alerts as a mission's row counts them: real-world ones by severity, worst first;
/// exercise and test ones apart, never added in.
fn alert_summary<'a>(alerts: impl Iterator<Item = &'a crate::state::Alert>) -> (Option<Severity>, String) {
    let mut open: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut exercise = 0;
    for alert in alerts {
        if alert.traffic.is_real() {
            *open.entry(alert.severity).or_default() += 1;
        } else {
            exercise += 1;
        }
    }
    let worst = open.keys().next_back().copied();
    let mut parts: Vec<String> = open.iter().rev().map(|(sev, n)| format!("{n} {}", sev.tag())).collect();
    if parts.is_empty() {
        parts.push("-".into());
    }
    if exercise > 0 {
        parts.push(format!("+{exercise} EX"));
    }
    (worst, parts.join(" "))
}

fn status_tag(status: MissionStatus) -> &'static str {
    match status {
        MissionStatus::Active => "ACT",
        MissionStatus::Planned => "PLN",
        MissionStatus::Suspended => "SUS",
        MissionStatus::Closed => "END",
    }
}

pub fn contacts(config: &Config, state: &DeskState, now: DateTime<Utc>, ages: Ages) -> Vec<Row> {
    config
        .contacts
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let (check_in, status) = check_in_cell(c, state, now, ages);
            Row {
                key: RowKey::Contact(n),
                cells: vec![
                    c.name.clone(),
                    c.role.label().into(),
                    c.post.clone(),
                    // A slow link's screen moves by the minute only for the desk's own clocks.
                    status
                        .local
                        .format(if ages == Ages::Minutes { "%a %Hh" } else { "%a %H:%M" })
                        .to_string(),
                    if status.on_duty { "on".into() } else { "off".into() },
                    check_in,
                ],
                severity: None,
                flagged: status.overdue_by.is_some(),
            }
        })
        .collect()
}

/// A contact's check-in as a row shows it (`due in 6d23h`, `OVERDUE 2h`), and where they stand.
pub fn check_in_cell(c: &Contact, state: &DeskState, now: DateTime<Utc>, ages: Ages) -> (String, CheckIn) {
    let last = crate::state::last_contact(state.check_ins(), c);
    let status = c.status_at(now, last);
    let cell = match (status.overdue_by, status.due) {
        (Some(_), None) => "OVERDUE never".to_string(),
        (Some(by), Some(_)) => format!("OVERDUE {}", ages.span(by)),
        (None, Some(due)) => format!("due in {}", ages.span(due - now)),
        (None, None) => "-".to_string(),
    };
    (cell, status)
}

pub fn alerts(state: &DeskState, now: DateTime<Utc>) -> Vec<Row> {
    let mut alerts: Vec<_> = state.alerts().values().collect();
    // Waiting alerts first (escalated before the rest), then the most severe, then the newest.
    alerts.sort_by(|a, b| {
        a.state
            .cmp(&b.state)
            .then(b.escalated().cmp(&a.escalated()))
            .then(b.severity.cmp(&a.severity))
            .then(b.raised.cmp(&a.raised))
    });
    alerts
        .into_iter()
        .map(|a| {
            let state_label = if a.escalated() { "ESCALATED" } else { a.state.label() };
            // Exercise and test traffic is marked on every line it reaches.
            let title = super::naming::marked_title(a.traffic, &a.title);
            // Another desk's alert carries its label where the title starts.
            let title = match &a.desk {
                Some(desk) => format!("[{desk}] {title}"),
                None => title,
            };
            Row {
                key: RowKey::Alert(a.id.clone()),
                cells: vec![
                    a.severity.tag().into(),
                    state_label.into(),
                    when(a.raised, now),
                    a.event_time.map_or_else(|| "-".into(), |t| age(now - t)),
                    a.feed.clone(),
                    title,
                ],
                severity: Some(a.severity),
                flagged: a.escalated() || a.state == AlertState::Open,
            }
        })
        .collect()
}

/// The Event log's rows, times in `zone` (None: UTC).
pub fn log(state: &DeskState, now: DateTime<Utc>, zone: Option<chrono_tz::Tz>) -> Vec<Row> {
    state
        .log()
        .iter()
        .map(|line| Row {
            key: RowKey::Log(line.seq),
            cells: vec![log_time(line.ts, now, zone), line.kind.into(), line.text.clone()],
            severity: None,
            flagged: line.kind == "feed.failed" || line.kind == "alert.escalated",
        })
        .collect()
}

/// Which zone the Event log's times are in, for its title: `UTC` or `Manila time`.
pub fn log_zone_label(zone: Option<chrono_tz::Tz>) -> String {
    match zone {
        None => "UTC".into(),
        Some(tz) => format!("{} time", zone_city(tz)),
    }
}

/// A feed's state in one word, most urgent first.
pub fn feed_state(
    config: &Config,
    state: &DeskState,
    runtime: &BTreeMap<String, FeedRuntime>,
    name: &str,
    now: DateTime<Utc>,
) -> &'static str {
    let Some(feed) = config.feeds.iter().find(|f| f.name == name) else { return "unknown" };
    let health = state.feeds().get(name);
    if !feed.enabled {
        return "off";
    }
    if health.is_some_and(|h| h.failing_since.is_some()) {
        // After the first failure the next try is pushed back: say so, so nobody waits for it.
        let backing_off = runtime.get(name).is_some_and(|r| r.failures > 1);
        return if backing_off { "BACKOFF" } else { "FAILING" };
    }
    match health.and_then(|h| h.last_ok) {
        None if runtime.get(name).is_some_and(|r| r.in_flight) => "polling",
        None => "waiting",
        // The picture from this feed can no longer be trusted as current.
        last_ok if crate::feeds::is_stale(feed, last_ok, now) => "STALE",
        // It answers, but some of what it said could not be read (Enter shows why).
        Some(_) if health.is_some_and(FeedHealth::partly_read) => "PARTIAL",
        Some(_) => "ok",
    }
}

/// How finely the ages that move with the clock are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ages {
    /// `12s ago`, `in 40s`.
    Seconds,
    /// `<1m ago`, `in <1m`, `3h`, a contact's local time `Mon 14h`: nothing changes every
    /// second, and past an hour nothing every minute (a slow link).
    Minutes,
}

impl Ages {
    fn span(self, d: chrono::Duration) -> String {
        match self {
            Ages::Minutes if d.num_seconds() < 60 => "<1m".into(),
            Ages::Minutes if (3600..86_400).contains(&d.num_seconds()) => format!("{}h", d.num_hours()),
            _ => span(d),
        }
    }

    fn ago(self, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
        match self {
            Ages::Minutes if t <= now => format!("{} ago", self.span(now - t)),
            _ => ago(t, now),
        }
    }
}

/// A row per `[[cot_out]]` destination: its URL, up or down, and the events sent.
pub fn cot_out(outs: &[(crate::cot_out::CotOutConfig, crate::cot_out::LinkStatus)]) -> Vec<Row> {
    outs.iter()
        .enumerate()
        .map(|(n, (out, status))| Row {
            key: RowKey::CotOut(n),
            cells: vec![
                format!("out {}", crate::feeds::redact::redacted_url(&out.url)),
                if status.up { "ok".into() } else { "DOWN".into() },
                "-".into(),
                status.sent.to_string(),
                "-".into(),
                "cot out".into(),
            ],
            severity: None,
            flagged: !status.up,
        })
        .collect()
}

pub fn feeds(
    config: &Config,
    state: &DeskState,
    runtime: &BTreeMap<String, FeedRuntime>,
    now: DateTime<Utc>,
    ages: Ages,
) -> Vec<Row> {
    config
        .feeds
        .iter()
        .map(|f| {
            let health = state.feeds().get(&f.name);
            let word = feed_state(config, state, runtime, &f.name, now);
            let next = match runtime.get(&f.name) {
                _ if !f.source.is_polled() && f.enabled => "stream".to_string(),
                Some(r) if r.in_flight => "now".to_string(),
                Some(FeedRuntime { next_poll: Some(t), .. }) => format!("in {}", ages.span(*t - now)),
                _ if !f.enabled => "-".to_string(),
                _ => "elsewhere".to_string(),
            };
            Row {
                key: RowKey::Feed(f.name.clone()),
                cells: vec![
                    f.name.clone(),
                    word.into(),
                    health.and_then(|h| h.last_ok).map_or("never".into(), |t| ages.ago(t, now)),
                    health.map_or(0, |h| h.active_items).to_string(),
                    runtime
                        .get(&f.name)
                        .and_then(|r| r.last_ms)
                        .or(health.and_then(|h| h.last_poll_ms))
                        .map_or("-".into(), |ms| format!("{ms}ms")),
                    next,
                ],
                severity: None,
                flagged: matches!(word, "FAILING" | "BACKOFF" | "STALE" | "PARTIAL"),
            }
        })
        .collect()
}
