//! A mission's detail view: how it stands by the record (status and status line), its contacts
//! with their check-ins (Tab chooses one, `c` checks in with it), the notes tied to it newest
//! first, its open alerts and the items near its area.

use chrono::{DateTime, Utc};

use super::detail::Detail;
use super::format::stamp;
use super::pane::RowKey;
use super::rows::check_in_cell;
use crate::alerts::LINK_KM;
use crate::config::Config;
use crate::domain::{Area, location_gap_km};
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
    let notes = state.mission_notes().get(&m.id);
    lines.push(String::new());
    lines.push(format!("Notes ({})", notes.map_or(0, |n| n.len())));
    for note in notes.into_iter().flatten() {
        lines.push(format!("  {}  {}: {}", stamp(note.ts), note.operator, note.text));
    }
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
