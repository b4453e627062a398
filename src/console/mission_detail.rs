//! A mission's detail view: how it stands by the record (status and status line), its contacts
//! with their check-ins (Tab chooses one, `c` checks in with it), the notes tied to it newest
//! first, its open alerts and the items near its area. A followed desk's mission: as that desk
//! defines and sets it, its alerts and roll-calls there, and this desk's notes about it.

use chrono::{DateTime, Utc};

use super::detail::Detail;
use super::format::stamp;
use super::pane::RowKey;
use super::rows::check_in_cell;
use crate::alerts::LINK_KM;
use crate::config::Config;
use crate::domain::{Area, Mission, location_gap_km};
use crate::state::DeskState;

pub fn mission(
    key: &RowKey,
    id: &str,
    config: &Config,
    state: &DeskState,
    now: DateTime<Utc>,
) -> Option<Detail> {
    let m = config.missions.iter().find(|m| m.id == id)?;
    let status = state.mission_status(m);
    let mut lines = vec![
        format!("{} ({})", m.name, m.id),
        format!("Kind: {}   Status: {}   Country: {}", m.kind.label(), status.label(), m.country),
    ];
    if let Some(mark) = state.missions().get(&m.id) {
        let line = mark.line.as_deref().map(|l| format!(": {l}")).unwrap_or_default();
        lines.push(format!("Status set {} by {} (#{}){line}", stamp(mark.at), mark.by, mark.seq));
    }
    describe(m, &mut lines);
    let contacts: Vec<_> =
        config.contacts.iter().enumerate().filter(|(_, c)| c.missions.contains(&m.id)).collect();
    lines.push(String::new());
    let how = if contacts.is_empty() { "" } else { "   (Tab chooses, c checks in)" };
    lines.push(format!("Contacts ({}){how}", contacts.len()));
    let mut listed = Vec::new();
    for (n, c) in contacts {
        listed.push((n, lines.len()));
        let (check_in, _) = check_in_cell(c, state, now, super::rows::Ages::Seconds);
        // The post last: a narrow view cuts it before the check-in.
        lines.push(format!("  {} - {}   check-in {check_in}   {}", c.name, c.role.label(), c.post));
    }
    notes(state, &m.id, "Notes", &mut lines);
    let alerts: Vec<_> =
        state.open_alerts().filter(|a| a.desk.is_none() && a.missions.contains(&m.id)).collect();
    lines.push(String::new());
    lines.push(format!("Open alerts ({})", alerts.len()));
    for a in alerts {
        lines.push(format!("  {} {} {}", a.severity.tag(), a.state.label(), a.title));
    }
    let mut near: Vec<_> = state
        .active_items(now)
        .into_iter()
        .filter_map(|e| {
            let gap = location_gap_km(e.item.location.as_ref()?, &m.area)?;
            (gap <= LINK_KM).then_some((gap, e))
        })
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines.push(String::new());
    lines.push(format!("Items within {LINK_KM:.0} km of the area ({})", near.len()));
    for (gap, e) in near {
        let at = if gap == 0.0 { "inside".to_string() } else { format!("{gap:.0} km") };
        lines.push(format!("  {at:>8}  {} {}  [{}]", e.item.severity.tag(), e.item.title, e.item.feed));
    }
    Some(Detail { key: key.clone(), title: format!("Mission {}", m.id), lines, contacts: listed, chosen: 0 })
}

/// Who leads it, with whom, when and where.
fn describe(m: &Mission, lines: &mut Vec<String>) {
    if let Some(lead) = &m.lead {
        lines.push(format!("Lead: {lead}"));
    }
    if !m.partners.is_empty() {
        lines.push(format!("Partners: {}", m.partners.join(", ")));
    }
    match (m.start, m.end) {
        (Some(s), Some(e)) => lines.push(format!("Dates: {s} to {e}")),
        (Some(s), None) => lines.push(format!("Since: {s}")),
        (None, Some(e)) => lines.push(format!("Until: {e}")),
        (None, None) => {}
    }
    match &m.area {
        Area::Circle { lat, lon, radius_km } => {
            lines.push(format!("Area: {radius_km} km around {lat:.3}, {lon:.3}"))
        }
        Area::Polygon { polygon } => lines.push(format!("Area: polygon of {} points", polygon.len())),
    }
}

/// This desk's notes tied to the mission `key` names, newest first.
fn notes(state: &DeskState, key: &str, heading: &str, lines: &mut Vec<String>) {
    let notes = state.mission_notes().get(key);
    lines.push(String::new());
    lines.push(format!("{heading} ({})", notes.map_or(0, |n| n.len())));
    for note in notes.into_iter().flatten() {
        lines.push(format!("  {}  {}: {}", stamp(note.ts), note.operator, note.text));
    }
}

/// A followed desk's mission (`desk/ID`): that desk sets its status and runs its roll-calls;
/// this desk sees them, and may tie notes of its own to it.
pub fn other_mission(key: &RowKey, id: &str, state: &DeskState, now: DateTime<Utc>) -> Option<Detail> {
    let other = state.others_missions().get(id)?;
    let desk = &other.desk;
    let own_id = other.id(id);
    let mut lines = Vec::new();
    match &other.mission {
        Some(m) => {
            lines.push(format!("{} ({id})", m.name));
            let status = other.status().unwrap_or(m.status);
            lines.push(format!(
                "Kind: {}   Status: {}   Country: {}",
                m.kind.label(),
                status.label(),
                m.country
            ));
        }
        None => {
            lines.push(id.to_string());
            let status = other.status().map_or("?", |s| s.label());
            lines.push(format!("Status: {status}   (its definition has not reached this desk)"));
        }
    }
    lines.push(format!("Held at {desk}: its status and roll-calls are set there"));
    if let Some(mark) = &other.mark {
        let line = mark.line.as_deref().map(|l| format!(": {l}")).unwrap_or_default();
        lines.push(format!("Status set {} by {} ({desk} #{}){line}", stamp(mark.at), mark.by, mark.seq));
    }
    // Who has the watch there, which is who works this mission now.
    if let Some(last) = state.others_handovers().iter().rev().find(|h| &h.desk == desk) {
        let mark = &last.mark;
        let to = mark.to.as_deref().map(|to| format!(" to {to}")).unwrap_or_default();
        lines.push(format!("Watch handed over {} by {}{to} (#{})", stamp(mark.ts), mark.by, mark.seq));
    }
    if let Some(m) = &other.mission {
        describe(m, &mut lines);
    }
    let prefix = format!("{desk}/");
    let calls = state
        .others_rollcalls()
        .values()
        .filter(|r| r.id.starts_with(&prefix) && r.mission.as_deref() == Some(own_id));
    for call in calls {
        super::detail::rollcall_at(desk, call, now, &mut lines);
    }
    let theirs: Vec<_> = state
        .others_notes()
        .iter()
        .rev()
        .filter(|n| &n.desk == desk && n.mission.as_deref() == Some(own_id))
        .collect();
    lines.push(String::new());
    lines.push(format!("Notes at {desk}, the last day ({})", theirs.len()));
    for note in theirs {
        lines.push(format!("  {}  {}: {}", stamp(note.at), note.operator, note.text));
    }
    notes(state, id, "Notes here", &mut lines);
    let alerts: Vec<_> = state
        .open_alerts()
        .filter(|a| a.desk.as_deref() == Some(desk.as_str()) && a.missions.iter().any(|m| m == own_id))
        .collect();
    lines.push(String::new());
    lines.push(format!("Open alerts at {desk} ({})", alerts.len()));
    for a in alerts {
        lines.push(format!("  {} {} {}", a.severity.tag(), a.state.label(), a.title));
    }
    Some(Detail::of(key, format!("Mission {id}"), lines))
}
