//! The CoT `<event>` a desk publishes for an alert or a mission: a map marker at the alert's
//! place, with its severity and title, marked `opex` and `[EXERCISE]` (or `[TEST]`) when the
//! traffic that raised it was not real-world. Every text from a feed or an operator is escaped
//! and stripped of control characters: feed text is hostile, and TAK clients render it.

use chrono::{DateTime, Utc};

use crate::domain::{LatLon, Severity, Traffic};

/// ATAK's spot map marker: drawn as a dot in the marker's colour, named by its callsign.
pub const MARKER_TYPE: &str = "b-m-p-s-m";

/// One marker as it goes out.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub uid: String,
    pub callsign: String,
    pub remarks: String,
    pub at: LatLon,
    pub time: DateTime<Utc>,
    pub stale: DateTime<Utc>,
    pub traffic: Traffic,
    /// The colour as ATAK reads it (ARGB as a signed 32-bit number); None: the client's own.
    pub colour: Option<i32>,
}

/// The uid of an alert's marker: stable for the alert's life, so each event replaces the last.
pub fn alert_uid(alert: &str) -> String {
    format!("attache.alert.{alert}")
}

pub fn mission_uid(mission: &str) -> String {
    format!("attache.mission.{mission}")
}

/// The colour of a severity: red for critical and severe, orange, yellow, white below.
pub fn colour(severity: Severity) -> i32 {
    let argb: u32 = match severity {
        Severity::Critical | Severity::Severe => 0xFFFF_0000,
        Severity::Moderate => 0xFFFF_8000,
        Severity::Minor => 0xFFFF_FF00,
        _ => 0xFFFF_FFFF,
    };
    argb as i32
}

/// The title with the traffic's tag in front when it is not real-world and does not say so.
pub fn tagged(title: &str, traffic: Traffic) -> String {
    match traffic.tag_for(title) {
        Some(tag) => format!("[{tag}] {title}"),
        None => title.to_string(),
    }
}

/// CoT's `opex`: e for exercise, s for simulation (test); real-world traffic carries none.
fn opex(traffic: Traffic) -> Option<&'static str> {
    match traffic {
        Traffic::Exercise => Some("e"),
        Traffic::Test => Some("s"),
        _ => None,
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Text safe inside an XML attribute or element: one line, no control characters, escaped.
pub fn escaped(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in crate::text::one_line(raw).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

impl Marker {
    /// The event as XML, one document, ready for a datagram or a TAK stream.
    pub fn xml(&self) -> String {
        let opex = opex(self.traffic).map(|o| format!(" opex=\"{o}\"")).unwrap_or_default();
        let colour = self.colour.map(|c| format!("<color argb=\"{c}\"/>")).unwrap_or_default();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <event version=\"2.0\" uid=\"{uid}\" type=\"{MARKER_TYPE}\" how=\"h-g-i-g-o\" time=\"{time}\" \
             start=\"{time}\" stale=\"{stale}\"{opex}>\
             <point lat=\"{lat}\" lon=\"{lon}\" hae=\"9999999.0\" ce=\"9999999.0\" le=\"9999999.0\"/>\
             <detail><contact callsign=\"{callsign}\"/>{colour}<remarks>{remarks}</remarks>\
             <precisionlocation altsrc=\"???\" geopointsrc=\"???\"/></detail></event>",
            uid = escaped(&self.uid),
            time = stamp(self.time),
            stale = stamp(self.stale),
            lat = self.at.lat,
            lon = self.at.lon,
            callsign = escaped(&self.callsign),
            remarks = escaped(&self.remarks),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_and_kept_on_one_line() {
        assert_eq!(escaped("a<b>&\"c'\n\u{1b}[2J"), "a&lt;b&gt;&amp;&quot;c&apos; [2J");
    }

    #[test]
    fn exercise_traffic_is_tagged_once() {
        assert_eq!(tagged("Quake", Traffic::Exercise), "[EXERCISE] Quake");
        assert_eq!(tagged("[EXERCISE] Quake", Traffic::Exercise), "[EXERCISE] Quake");
        assert_eq!(tagged("Quake", Traffic::Real), "Quake");
    }
}
