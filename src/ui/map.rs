//! The map pane: ratatui's canvas world map with missions, contact posts and open alerts. Each
//! kind of marker has its own character, so the map reads the same in 16 colours, with
//! `NO_COLOR`, or on a monochrome link. Below it, sparklines of items and alerts per hour.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Map, MapResolution};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::theme::Theme;
use crate::console::App;
use crate::console::pane::{Pane, RowKey};
use crate::domain::{Area, LatLon, Severity};
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

const MISSION_MARKER: &str = "M";
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
    let legend = " M mission c post ! crit * sev + mod - min ";
    let block = Block::bordered().title(title).title_bottom(legend).border_style(theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let sparks = if inner.height >= 8 { 2 } else { 0 };
    let [map_area, spark_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(sparks)]).areas(inner);

    let (x_bounds, y_bounds) = match zoom {
        Some((_, bounds)) => bounds,
        None => ([-180.0, 180.0], [-60.0, 85.0]),
    };
    let resolution =
        if zoom.is_some() || map_area.width >= 80 { MapResolution::High } else { MapResolution::Low };
    let land = if theme.color { Color::DarkGray } else { Color::Reset };
    let canvas =
        Canvas::default().marker(Marker::Braille).x_bounds(x_bounds).y_bounds(y_bounds).paint(|ctx| {
            ctx.draw(&Map { resolution, color: land });
            ctx.layer();
            for mission in &app.config.missions {
                let c = mission.area.centre();
                let label = if zoom.is_some() {
                    format!("{MISSION_MARKER} {}", mission.id)
                } else {
                    MISSION_MARKER.into()
                };
                ctx.print(c.lon, c.lat, Span::styled(label, theme.header()));
            }
            for post in app.config.contacts.iter().filter_map(|c| c.post_location) {
                ctx.print(post.lon, post.lat, Span::raw(CONTACT_MARKER));
            }
            for (at, severity) in alert_positions(&app.state) {
                ctx.print(at.lon, at.lat, Span::styled(severity_marker(severity), theme.severity(severity)));
            }
        });
    frame.render_widget(canvas, map_area);
    if sparks > 0 {
        render_sparklines(frame, spark_area, &app.state, app.now, theme);
    }
}

/// The mission to zoom to: the one selected in the Missions pane, while the Missions pane or
/// the map has focus.
/// Longitude and latitude bounds of a view.
type Bounds = ([f64; 2], [f64; 2]);

fn zoomed_mission(app: &App) -> Option<(String, Bounds)> {
    if !matches!(app.focus, Pane::Missions | Pane::Map) {
        return None;
    }
    let Some(RowKey::Mission(id)) = app.pane(Pane::Missions).selected_row().map(|r| &r.key) else {
        return None;
    };
    let mission = app.config.missions.iter().find(|m| &m.id == id)?;
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

/// Where each open alert's item is, with its severity; least severe first so that the most
/// severe is drawn last, on top.
fn alert_positions(state: &DeskState) -> Vec<(LatLon, Severity)> {
    let mut positions: Vec<_> = state
        .open_alerts()
        .filter_map(|a| {
            let entry = state.items.get(&crate::domain::FeedItem::key_for(&a.feed, &a.item))?;
            Some((entry.item.location.as_ref()?.centre()?, a.severity))
        })
        .collect();
    positions.sort_by_key(|(_, severity)| *severity);
    positions
}

fn render_sparklines(frame: &mut Frame, area: Rect, state: &DeskState, now: DateTime<Utc>, theme: &Theme) {
    let hour = now.timestamp().div_euclid(3600);
    let hours = (hour - 23..=hour).map(|h| state.activity.get(&h).copied().unwrap_or_default());
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
