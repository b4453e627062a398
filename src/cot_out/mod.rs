//! Alerts out as Cursor-on-Target: `[[cot_out]]` entries publish each raised or changed alert
//! (and, when asked, each mission) as a marker to a TAK server over TLS or to a UDP address, and
//! a resolved alert as a final event whose stale time is now, followed by its delete
//! (`t-x-d-d`), which take it off TAK maps.
//!
//! The publisher works from the desk's folded state, so it sends what committed records say and
//! nothing else; only the process holding the poller lock runs it, and replay never does. It
//! remembers what each destination was last sent: an alert goes out again when its severity,
//! title or state changes, every `REFRESH` while it stays open (before its marker goes stale), and
//! all at once after a destination reconnects (a TAK server keeps nothing for a desk that left).
//! A resolved alert's final event is kept per destination while the marker could still be on a
//! map (`STALE_AFTER`), and sent again on every new connection and every `REFRESH`: one written
//! into a connection that then died, or dropped from a full queue, is not lost.

mod event;
mod link;
#[cfg(test)]
mod tests;

pub use event::{MARKER_TYPE, Marker, alert_uid, desk_prefix, escaped, mission_uid};
pub use link::{Link, LinkStatus};

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use crate::domain::{LatLon, Mission, Traffic};
use crate::feeds::tls::TlsFiles;
use crate::state::{Alert, AlertState, DeskState};

/// How long a marker holds on TAK maps after it is sent, unless sent again.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::hours(1);
/// How often an open alert's marker is sent again, well before it goes stale.
pub const REFRESH: chrono::Duration = chrono::Duration::minutes(20);
/// A mission marker's colour: blue.
const MISSION_COLOUR: i32 = 0xFF00_80FF_u32 as i32;

/// One `[[cot_out]]` entry, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CotOutConfig {
    /// As written, to name it in messages.
    pub url: String,
    pub target: Target,
    /// Missions as markers too.
    pub missions: bool,
}

/// Where the events go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A TAK server's streaming port: XML events back to back, over TLS when `tls` is given.
    Stream { address: String, tls: Option<TlsFiles> },
    /// One datagram per event, to a multicast group (TAK's SA is 239.2.3.1:6969) or one host.
    Udp(SocketAddr),
}

/// What a marker said when it was last sent, to tell when it must be sent again.
#[derive(Clone, Debug, PartialEq)]
struct Sent {
    said: String,
    at: DateTime<Utc>,
    place: LatLon,
}

/// A resolved alert's final event, kept to be sent again (with a delete made afresh each time)
/// until its marker would have gone stale.
struct Final {
    xml: Vec<u8>,
    uid: String,
    sent: DateTime<Utc>,
    until: DateTime<Utc>,
}

/// One destination and what it was sent.
struct Out {
    /// The entry as the publisher started with it, shown with its status.
    config: CotOutConfig,
    link: Link,
    missions: bool,
    connections: u64,
    alerts: HashMap<String, Sent>,
    finals: HashMap<String, Final>,
    mission_marks: HashMap<String, Sent>,
    /// The state last reported, so each change is said once.
    reported: String,
}

pub struct Publisher {
    /// The desk's name, which every uid carries.
    desk: String,
    outs: Vec<Out>,
    /// Alerts said to have no place, so it is said once each.
    placeless: HashSet<String>,
    /// The record and time of the last full look, to skip looking when nothing is new.
    looked: Option<(u64, DateTime<Utc>)>,
}

impl Publisher {
    /// Starts a link per entry for the desk named `desk`; None when there are none. Must run
    /// inside a tokio runtime.
    pub fn start(configs: &[CotOutConfig], desk: &str) -> Option<Publisher> {
        if configs.is_empty() {
            return None;
        }
        let outs = configs
            .iter()
            .map(|config| Out {
                config: config.clone(),
                link: Link::start(config),
                missions: config.missions,
                connections: 0,
                alerts: HashMap::new(),
                finals: HashMap::new(),
                mission_marks: HashMap::new(),
                reported: String::new(),
            })
            .collect();
        Some(Publisher { desk: desk.to_string(), outs, placeless: HashSet::new(), looked: None })
    }

    /// Sends what is left and waits, at most `within`, for the destinations that are up to
    /// take what is queued for them; for a desk that stops.
    pub async fn close(mut self, state: &DeskState, missions: &[Mission], within: std::time::Duration) {
        self.tick(state, missions, Utc::now());
        let deadline = tokio::time::Instant::now() + within;
        for out in &mut self.outs {
            out.link.close(deadline).await;
        }
    }

    /// The destinations, each as started (a reload does not change a running publisher's), and
    /// what each is doing, for the desk to show.
    pub fn statuses(&self) -> Vec<(CotOutConfig, LinkStatus)> {
        self.outs.iter().map(|o| (o.config.clone(), o.link.status())).collect()
    }

    /// Sends what changed since the last call; returns what is worth telling the operator (a
    /// destination's state changing, an alert that has no place to put on a map).
    pub fn tick(&mut self, state: &DeskState, missions: &[Mission], now: DateTime<Utc>) -> Vec<String> {
        let mut said = Vec::new();
        let mut reconnected = false;
        for out in &mut self.outs {
            let status = out.link.status();
            if status.connections != out.connections {
                // What was queued before the first connection goes out on it; after a
                // reconnection everything it holds goes again: the server may have restarted empty.
                if out.connections > 0 {
                    for sent in out.alerts.values_mut().chain(out.mission_marks.values_mut()) {
                        sent.at = now - REFRESH;
                    }
                    reconnected = true;
                }
                out.connections = status.connections;
                out.resend_finals(now, true);
            }
            out.resend_finals(now, false);
            if status.state != out.reported {
                said.push(format!("cot out {}: {}", out.link.url, status.state));
                out.reported = status.state;
            }
        }
        let quiet = self
            .looked
            .is_some_and(|(seq, at)| seq == state.last_seq() && now - at < chrono::Duration::minutes(1));
        if quiet && !reconnected {
            return said;
        }
        self.looked = Some((state.last_seq(), now));
        let mut placeless = Vec::new();
        // Each desk puts its own alerts on TAK maps: another desk's (over `[sync]`) are that
        // desk's to send, and this desk holds no place for them.
        for alert in state.alerts().values().filter(|a| a.desk.is_none()) {
            let resolved = alert.state == AlertState::Resolved;
            // The record's resolved alerts are most of it: only those still on a map matter.
            if resolved && !self.outs.iter().any(|o| o.alerts.contains_key(&alert.id)) {
                continue;
            }
            let place = if resolved { None } else { place_of(state, alert) };
            for out in &mut self.outs {
                let Some(marker) = out.alert(&self.desk, alert, place, now) else { continue };
                if resolved {
                    let kept = Final {
                        xml: marker.xml().into_bytes(),
                        uid: marker.uid,
                        sent: now,
                        until: now + STALE_AFTER,
                    };
                    send_final(&out.link, &kept, now);
                    out.finals.insert(alert.id.clone(), kept);
                } else {
                    out.link.send(marker.xml().into_bytes());
                }
            }
            if place.is_none() && !resolved && self.placeless.insert(alert.id.clone()) {
                placeless.push(crate::text::one_line(&alert.title));
            }
        }
        if let Some(first) = placeless.first() {
            let count = crate::words::count(placeless.len() as u64, "alert has", "alerts have");
            said.push(format!("cot out: {count} no place to mark and not sent (\"{first}\")"));
        }
        for out in self.outs.iter_mut().filter(|o| o.missions) {
            for marker in out.missions(&self.desk, state, missions, now) {
                out.link.send(marker.xml().into_bytes());
            }
            for uid in out.missions_gone(&self.desk, missions) {
                out.link.send(event::delete(&uid, now).into_bytes());
            }
        }
        said
    }
}

/// Sends a resolved alert's final event, for clients that do not take deletes, then its delete,
/// for those that would keep a stale marker drawn; the delete is made at `now`, as a server may
/// drop one that is stale when it arrives.
fn send_final(link: &Link, kept: &Final, now: DateTime<Utc>) {
    link.send(kept.xml.clone());
    link.send(event::delete(&kept.uid, now).into_bytes());
}

/// Where an alert is: its item's place, while the journal holds the item.
fn place_of(state: &DeskState, alert: &Alert) -> Option<LatLon> {
    let key = crate::domain::ItemKey { feed: alert.feed.as_str().into(), id: alert.item.as_str().into() };
    state.items().get(&key)?.item.location.as_ref()?.centre()
}

impl Out {
    /// Sends the kept final events again: all of them on a new connection (`all`), otherwise
    /// those last sent a `REFRESH` ago; forgets those whose markers have gone stale anyway.
    fn resend_finals(&mut self, now: DateTime<Utc>, all: bool) {
        self.finals.retain(|_, kept| kept.until > now);
        for kept in self.finals.values_mut() {
            if all || now - kept.sent >= REFRESH {
                kept.sent = now;
                send_final(&self.link, kept, now);
            }
        }
    }

    /// The marker to send for `alert` now, if one is due.
    fn alert(
        &mut self,
        desk: &str,
        alert: &Alert,
        place: Option<LatLon>,
        now: DateTime<Utc>,
    ) -> Option<Marker> {
        let title = event::tagged(&alert.title, alert.traffic);
        if alert.state == AlertState::Resolved {
            // Sent once, with its last place, and forgotten: its life on the map ends now.
            let sent = self.alerts.remove(&alert.id)?;
            let reason = alert.resolution.as_ref().map(|r| format!(": {}", r.reason)).unwrap_or_default();
            return Some(Marker {
                uid: alert_uid(desk, &alert.id),
                callsign: title,
                remarks: format!("RESOLVED{reason}"),
                at: sent.place,
                time: now,
                stale: now,
                traffic: alert.traffic,
                colour: None,
            });
        }
        let remarks = format!(
            "{} alert, {}: {} (rule {})",
            alert.severity.as_str(),
            alert.state.label(),
            title,
            alert.rule
        );
        let sent = self.alerts.get(&alert.id);
        let place = place.or(sent.map(|s| s.place))?;
        let due = sent.is_none_or(|s| s.said != remarks || s.place != place || now - s.at >= REFRESH);
        if !due {
            return None;
        }
        self.alerts.insert(alert.id.clone(), Sent { said: remarks.clone(), at: now, place });
        Some(Marker {
            uid: alert_uid(desk, &alert.id),
            callsign: title,
            remarks,
            at: place,
            time: now,
            stale: now + STALE_AFTER,
            traffic: alert.traffic,
            colour: Some(event::colour(alert.severity)),
        })
    }

    /// The mission markers due now: new or changed status, or due for a refresh.
    fn missions(
        &mut self,
        desk: &str,
        state: &DeskState,
        missions: &[Mission],
        now: DateTime<Utc>,
    ) -> Vec<Marker> {
        let mut due = Vec::new();
        for mission in missions {
            let remarks = format!("mission {}: {}", mission.id, state.mission_status(mission).label());
            let place = mission.area.centre();
            let sent = self.mission_marks.get(&mission.id);
            if sent.is_some_and(|s| s.said == remarks && s.place == place && now - s.at < REFRESH) {
                continue;
            }
            self.mission_marks.insert(mission.id.clone(), Sent { said: remarks.clone(), at: now, place });
            due.push(Marker {
                uid: mission_uid(desk, &mission.id),
                callsign: mission.name.clone(),
                remarks,
                at: place,
                time: now,
                stale: now + STALE_AFTER,
                traffic: Traffic::Real,
                colour: Some(MISSION_COLOUR),
            });
        }
        due
    }

    /// The markers of missions sent here that the configuration no longer lists (a reload
    /// dropped them): deleted now rather than left on TAK maps until they go stale.
    fn missions_gone(&mut self, desk: &str, missions: &[Mission]) -> Vec<String> {
        let gone: Vec<String> =
            self.mission_marks.keys().filter(|id| !missions.iter().any(|m| &m.id == *id)).cloned().collect();
        gone.into_iter()
            .map(|id| {
                self.mission_marks.remove(&id);
                mission_uid(desk, &id)
            })
            .collect()
    }
}
