//! The map pane: ratatui's canvas world map with missions (this desk's, and those of the desks it
//! follows), contact posts and open alerts. Each
//! kind of marker has its own character, so the map reads the same in 16 colours, with
//! `NO_COLOR`, or on a monochrome link. Below it, sparklines of items and alerts per hour.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::canvas::{Canvas, Map, MapResolution};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::theme::Theme;
use crate::console::App;
use crate::console::pane::{Pane, RowKey};
use crate::domain::{Area, LatLon, Mission, Severity};
use crate::state::DeskState;

/// The marker for an alert of each severity, most urgent the most visible.
pub fn severity_marker(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "!",
        Severity::Severe => "*",
        Severity::Moderate => "+",
        Severity::Minor => "-",
        Severity::Info => ".",
    }
}

/// The key to the markers, longest first: the longest that fits under the map is shown whole.
const LEGENDS: [&str; 4] = [
    " M mission c post ! crit * sev + mod - min ",
    " M mission c post !crit *sev +mod -min ",
    " M mission c post !*+- by severity ",
    " M c !*+- ",
];
/// The same, when missions of desks this one follows are on the map.
const LEGENDS_WITH_OTHERS: [&str; 4] = [
    " M mission m another desk's c post ! crit * sev + mod - min ",
    " M mission m theirs c post !crit *sev +mod -min ",
    " M ours m theirs c post !*+- by severity ",
    " M m c !*+- ",
];
const MISSION_MARKER: &str = "M";
/// A mission another desk works: marked apart, as its keys are that desk's.
const OTHER_MISSION_MARKER: &str = "m";
const CONTACT_MARKER: &str = "c";
/// How much of the world to show around a mission when zoomed, beyond its own area.
const ZOOM_MARGIN_DEG: f64 = 4.0;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Map;
    let marker = if focused { "▶" } else { " " };
    let zoom = zoomed_mission(app);
    let title = match &zoom {
        Some((id, _)) => format!("{marker}6 Map: {id} "),
        None => format!("{marker}6 Map "),
    };
    let legends = if other_missions(app.state()).next().is_some() { LEGENDS_WITH_OTHERS } else { LEGENDS };
    let legend = legends.into_iter().find(|l| l.len() + 2 <= usize::from(area.width)).unwrap_or_default();
    let block = Block::bordered().title(title).title_bottom(legend).border_style(theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let sparks = if inner.height >= 8 { 2 } else { 0 };
    let [map_area, spark_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(sparks)]).areas(inner);

    let (x_bounds, y_bounds) = match &zoom {
        Some((_, bounds)) => *bounds,
        None => ([-180.0, 180.0], [-60.0, 85.0]),
    };
    let resolution =
        if zoom.is_some() || map_area.width >= 80 { MapResolution::High } else { MapResolution::Low };
    let land = if theme.color { Color::DarkGray } else { Color::Reset };
    let canvas =
        Canvas::default().marker(Marker::Braille).x_bounds(x_bounds).y_bounds(y_bounds).paint(|ctx| {
            ctx.draw(&Map { resolution, color: land });
        });
    frame.render_widget(canvas, map_area);
    let marks = marks(app, zoom.is_some(), theme);
    draw_marks(frame.buffer_mut(), map_area, (x_bounds, y_bounds), &marks);
    if sparks > 0 {
        render_sparklines(frame, spark_area, app.state(), app.now, theme);
    }
}

/// Longitude and latitude bounds of a view.
type Bounds = ([f64; 2], [f64; 2]);

/// The missions of desks this one follows that say where they are, by `desk/ID`.
fn other_missions(state: &DeskState) -> impl Iterator<Item = (&String, &Mission)> {
    state.others_missions().iter().filter_map(|(key, other)| Some((key, other.mission.as_ref()?)))
}

/// The mission to zoom to, and its name in the title: the one selected in the Missions pane
/// (this desk's or another's), while the Missions pane or the map has focus.
fn zoomed_mission(app: &App) -> Option<(String, Bounds)> {
    if !matches!(app.focus, Pane::Missions | Pane::Map) {
        return None;
    }
    let (id, mission) = match app.pane(Pane::Missions).selected_row().map(|r| &r.key)? {
        RowKey::Mission(id) => (id, app.config().missions.iter().find(|m| &m.id == id)?),
        RowKey::OtherMission(key) => other_missions(app.state()).find(|(k, _)| *k == key)?,
        _ => return None,
    };
    let (mut lat, mut lon) = ([90.0f64, -90.0f64], [180.0f64, -180.0f64]);
    let mut include = |p: LatLon| {
        lat = [lat[0].min(p.lat), lat[1].max(p.lat)];
        lon = [lon[0].min(p.lon), lon[1].max(p.lon)];
    };
    match &mission.area {
        Area::Circle { lat: clat, lon: clon, radius_km } => {
            let dlat = radius_km / 111.2;
            let dlon = dlat / clat.to_radians().cos().max(0.1);
            include(LatLon { lat: clat - dlat, lon: clon - dlon });
            include(LatLon { lat: clat + dlat, lon: clon + dlon });
        }
        Area::Polygon { polygon } => polygon.iter().for_each(|p| include(LatLon { lat: p[0], lon: p[1] })),
    }
    let x = [(lon[0] - ZOOM_MARGIN_DEG).max(-180.0), (lon[1] + ZOOM_MARGIN_DEG).min(180.0)];
    let y = [(lat[0] - ZOOM_MARGIN_DEG).max(-90.0), (lat[1] + ZOOM_MARGIN_DEG).min(90.0)];
    Some((id.clone(), (x, y)))
}

/// A marker on the map, with the label written beside it where there is room.
struct Mark {
    at: LatLon,
    symbol: &'static str,
    label: Option<String>,
    style: Style,
}

/// What the map marks, most urgent first: that is the order in which markers claim their cell
/// and labels their room.
fn marks(app: &App, zoomed: bool, theme: &Theme) -> Vec<Mark> {
    let mut marks: Vec<Mark> = alert_positions(app.state())
        .into_iter()
        .rev()
        .map(|(at, severity)| Mark {
            at,
            symbol: severity_marker(severity),
            label: None,
            style: theme.severity(severity),
        })
        .collect();
    marks.extend(app.config().missions.iter().map(|mission| Mark {
        at: mission.area.centre(),
        symbol: MISSION_MARKER,
        label: zoomed.then(|| mission.id.clone()),
        style: theme.header(),
    }));
    marks.extend(other_missions(app.state()).map(|(key, mission)| Mark {
        at: mission.area.centre(),
        symbol: OTHER_MISSION_MARKER,
        label: zoomed.then(|| key.clone()),
        style: theme.dim(),
    }));
    marks.extend(app.config().contacts.iter().filter_map(|c| c.post_location).map(|at| Mark {
        at,
        symbol: CONTACT_MARKER,
        label: None,
        style: Style::new(),
    }));
    marks
}

/// Draws the markers over the map, each in the cell the canvas puts its point in, then their
/// labels. A marker never covers a more urgent one, and a label never covers a marker or
/// another label: it is written after its marker, or before it, or not at all.
fn draw_marks(buf: &mut Buffer, area: Rect, bounds: Bounds, marks: &[Mark]) {
    let cells: Vec<Option<(u16, u16)>> = marks.iter().map(|m| cell_of(m.at, area, bounds)).collect();
    let labels: Vec<Option<u16>> =
        marks.iter().map(|m| m.label.as_ref().map(|l| Line::raw(l.as_str()).width() as u16)).collect();
    for (n, spot) in place_labels(area, &cells, &labels).into_iter().enumerate() {
        let mark = &marks[n];
        match spot {
            Spot::Hidden => {}
            Spot::Marker => {
                let (x, y) = cells[n].expect("a placed marker has a cell");
                buf.set_string(x, y, mark.symbol, mark.style);
            }
            Spot::Labelled(x, y, after) => {
                let label = mark.label.as_deref().unwrap_or_default();
                let text = if after {
                    format!("{} {label}", mark.symbol)
                } else {
                    format!("{label} {}", mark.symbol)
                };
                buf.set_string(x, y, text, mark.style);
            }
        }
    }
}

/// The cell the canvas draws a point in (as it places its own labels), if it is in view.
fn cell_of(p: LatLon, area: Rect, ([left, right], [bottom, top]): Bounds) -> Option<(u16, u16)> {
    if area.is_empty() || !(left..=right).contains(&p.lon) || !(bottom..=top).contains(&p.lat) {
        return None;
    }
    let x = (p.lon - left) * f64::from(area.width - 1) / (right - left);
    let y = (top - p.lat) * f64::from(area.height - 1) / (top - bottom);
    Some((area.x + x as u16, area.y + y as u16))
}

/// Where a mark is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spot {
    /// Out of view, or its cell holds a more urgent marker.
    Hidden,
    /// Its marker alone: it has no label, or no room for one.
    Marker,
    /// Marker and label written from this cell: `M label` if true, `label M` if false.
    Labelled(u16, u16, bool),
}

/// Places marks, given in order of urgency, each with its cell and its label's width: first
/// every marker, so that no label can hide one, then the labels where they cover nothing.
fn place_labels(area: Rect, cells: &[Option<(u16, u16)>], labels: &[Option<u16>]) -> Vec<Spot> {
    let index = |x: u16, y: u16| usize::from(y - area.y) * usize::from(area.width) + usize::from(x - area.x);
    let mut taken = vec![false; usize::from(area.width) * usize::from(area.height)];
    let mut spots: Vec<Spot> = cells
        .iter()
        .map(|cell| match cell {
            Some((x, y)) if !taken[index(*x, *y)] => {
                taken[index(*x, *y)] = true;
                Spot::Marker
            }
            _ => Spot::Hidden,
        })
        .collect();
    for (n, label) in labels.iter().enumerate() {
        let (Spot::Marker, Some(width), Some((x, y))) = (spots[n], label, cells[n]) else { continue };
        // The label and the blank that parts it from its marker, after the marker or before it.
        let after = (x + 1, x.saturating_add(1 + width));
        let before = (x.saturating_sub(1 + width), x.saturating_sub(1));
        let fits = |(from, to): (u16, u16)| {
            from >= area.x
                && from <= to
                && to < area.right()
                && (from..=to).all(|cx| !taken[index(cx, y)])
                && usize::from(to - from) == usize::from(*width)
        };
        let Some((from, to)) = [after, before].into_iter().find(|span| fits(*span)) else { continue };
        (from..=to).for_each(|cx| taken[index(cx, y)] = true);
        spots[n] = if from > x { Spot::Labelled(x, y, true) } else { Spot::Labelled(from, y, false) };
    }
    spots
}

/// Where each of this desk's open alerts' item is, with its severity; least severe first so that
/// the most severe is drawn last, on top. Other desks' alerts are theirs to show.
fn alert_positions(state: &DeskState) -> Vec<(LatLon, Severity)> {
    let mut positions: Vec<_> = state
        .open_alerts()
        .filter(|a| a.desk.is_none())
        .filter_map(|a| {
            let entry = state.items().get(&crate::domain::FeedItem::key_for(&a.feed, &a.item))?;
            Some((entry.item.location.as_ref()?.centre()?, a.severity))
        })
        .collect();
    positions.sort_by_key(|(_, severity)| *severity);
    positions
}

fn render_sparklines(frame: &mut Frame, area: Rect, state: &DeskState, now: DateTime<Utc>, theme: &Theme) {
    let hour = now.timestamp().div_euclid(3600);
    let hours = (hour - 23..=hour).map(|h| state.activity().get(&h).copied().unwrap_or_default());
    let (items, alerts): (Vec<u64>, Vec<u64>) =
        hours.map(|a| (u64::from(a.items), u64::from(a.alerts))).unzip();
    let rows = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).split(area);
    for (row, (label, data, total)) in rows.iter().zip([
        ("items/h ", &items, items.iter().sum::<u64>()),
        ("alerts/h", &alerts, alerts.iter().sum::<u64>()),
    ]) {
        let [name, spark, sum] =
            Layout::horizontal([Constraint::Length(9), Constraint::Fill(1), Constraint::Length(7)])
                .areas(*row);
        frame.render_widget(Paragraph::new(label).style(theme.dim()), name);
        frame.render_widget(Sparkline::default().data(data.as_slice()).style(Style::new()), spark);
        frame.render_widget(Line::raw(format!("{total:>6}")).style(theme.dim()), sum);
    }
}
