//! The CoT `<event>` a desk publishes for an alert or a mission: a map marker at the alert's
//! place, with its severity and title, marked `opex` and `[EXERCISE]` (or `[TEST]`) when the
//! traffic that raised it was not real-world. Every text from a feed or an operator is escaped
//! and stripped of control characters: feed text is hostile, and TAK clients render it.

use chrono::{DateTime, Utc};

use crate::domain::{LatLon, Severity, Traffic};
use crate::feeds::cot::DELETE_TYPE;

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

/// The start of every uid this desk publishes, `attache.<desk>.`: what carries the desk's name
/// lets two desks share one TAK server, and lets a desk's CoT feeds drop its own events when a
/// server or the network hands them back.
pub fn desk_prefix(desk_name: &str) -> String {
    format!("attache.{}.", uid_part(desk_name, true))
}

/// The uid of an alert's marker: stable for the alert's life, so each event replaces the last.
pub fn alert_uid(desk_name: &str, alert: &str) -> String {
    format!("{}alert.{}", desk_prefix(desk_name), uid_part(alert, false))
}

pub fn mission_uid(desk_name: &str, mission: &str) -> String {
    format!("{}mission.{}", desk_prefix(desk_name), uid_part(mission, false))
}

/// A name as part of a uid: kept when it is short and plain (letters, digits, `-`, `_`);
/// otherwise its plain letters (for a desk's name, lower case) with a short hash of the whole,
/// so that ids holding `|`, dots or spaces, and long ones, still give one stable uid each.
fn uid_part(name: &str, desk: bool) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !name.is_empty() && name.len() <= 40 && name.chars().all(plain) {
        return if desk { name.to_ascii_lowercase() } else { name.to_string() };
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let mut letters = String::new();
    for c in name.chars() {
        let c = if plain(c) { c } else { '-' };
        if !(c == '-' && (letters.is_empty() || letters.ends_with('-'))) && letters.len() < 24 {
            letters.push(if desk { c.to_ascii_lowercase() } else { c });
        }
    }
    let letters = letters.trim_end_matches('-');
    if letters.is_empty() { hash } else { format!("{letters}-{hash}") }
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

/// CoT's `opex`: e for exercise, s for simulation (test, draft and system traffic alike, as
/// none of it is real-world); real-world traffic alone carries none.
fn opex(traffic: Traffic) -> Option<&'static str> {
    match traffic {
        Traffic::Real => None,
        Traffic::Exercise => Some("e"),
        Traffic::Test | Traffic::Draft | Traffic::System => Some("s"),
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Text safe inside an XML attribute or element: one line, no control characters, nothing XML
/// 1.0 forbids (a parser refuses the whole event for one such character), escaped.
pub fn escaped(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in crate::text::one_line(raw).chars().filter(|&c| xml_char(c)) {
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

/// XML 1.0's `Char`: tab, newlines, and everything from space up but the surrogates (which a
/// Rust string cannot hold) and U+FFFE, U+FFFF.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The delete (`t-x-d-d`) of the marker `uid`, in the form ATAK's developer guide gives: TAK
/// clients and servers remove the marker at once, where a stale one may stay drawn, greyed, as
/// a client's settings say.
pub fn delete(uid: &str, now: DateTime<Utc>) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <event version=\"2.0\" uid=\"{own}\" type=\"{DELETE_TYPE}\" how=\"h-g-i-g-o\" time=\"{time}\" \
         start=\"{time}\" stale=\"{stale}\">\
         <point lat=\"0\" lon=\"0\" hae=\"0\" ce=\"9999999\" le=\"9999999\"/>\
         <detail><link uid=\"{uid}\" relation=\"none\" type=\"none\"/><__forcedelete/></detail></event>",
        own = escaped(&format!("{uid}.delete")),
        uid = escaped(uid),
        time = stamp(now),
        // Long enough to be relayed: a server may drop an event that is stale when it arrives.
        stale = stamp(now + chrono::Duration::seconds(20)),
    )
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
    fn characters_xml_forbids_never_go_out() {
        let raw = "a\u{0}b\u{8}c\u{b}d\u{c}e\u{1f}f\u{fffe}g\u{ffff}h\u{fffd}\u{10000}";
        assert_eq!(escaped(raw), "abc d efgh\u{fffd}\u{10000}", "vertical tab and form feed end a line");
        let marker = Marker {
            uid: alert_uid("Manila desk", "r|f|\u{ffff}"),
            callsign: "T\u{ffff}".into(),
            remarks: "R\u{fffe}\u{1}".into(),
            at: LatLon { lat: 1.0, lon: 2.0 },
            time: Utc::now(),
            stale: Utc::now(),
            traffic: Traffic::Real,
            colour: None,
        };
        let xml = marker.xml();
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        assert!(!xml.contains(['\u{fffe}', '\u{ffff}']), "{xml}");
    }

    #[test]
    fn uids_carry_the_desk_and_hold_no_character_that_breaks_them() {
        let prefix = desk_prefix("Manila desk");
        assert!(prefix.starts_with("attache.manila-desk-") && prefix.ends_with('.'), "{prefix}");
        assert_eq!(desk_prefix("manila"), "attache.manila.");
        assert_eq!(mission_uid("manila", "KFOR"), "attache.manila.mission.KFOR");
        let uid = alert_uid("Manila desk", "hostile|tak-in|TRACK-1");
        assert!(uid.starts_with(&desk_prefix("Manila desk")), "{uid}");
        assert!(uid.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)), "{uid}");
        assert_eq!(uid, alert_uid("Manila desk", "hostile|tak-in|TRACK-1"), "stable");
        assert_ne!(uid, alert_uid("Manila desk", "hostile|tak-in|TRACK-2"));
        assert_ne!(uid, alert_uid("Kyiv desk", "hostile|tak-in|TRACK-1"));
        let long = "x".repeat(900);
        assert!(alert_uid("d", &long).len() < 80);
        assert!(desk_prefix("Посольство").starts_with("attache."), "{}", desk_prefix("Посольство"));
        assert_ne!(desk_prefix("Посольство"), desk_prefix("Консульство"));
    }

    #[test]
    fn every_traffic_but_real_world_is_marked_not_real() {
        for traffic in [Traffic::Real, Traffic::Exercise, Traffic::Test, Traffic::Draft, Traffic::System] {
            let marker = Marker {
                uid: "u".into(),
                callsign: tagged("T", traffic),
                remarks: String::new(),
                at: LatLon { lat: 1.0, lon: 2.0 },
                time: Utc::now(),
                stale: Utc::now() + chrono::Duration::hours(1),
                traffic,
                colour: None,
            };
            let parsed = crate::feeds::cot::parse("back", marker.xml().as_bytes(), Utc::now()).unwrap();
            let read = parsed.items[0].traffic;
            assert_eq!(read == Traffic::Real, traffic == Traffic::Real, "{traffic:?} read back as {read:?}");
        }
    }

    #[test]
    fn exercise_traffic_is_tagged_once() {
        assert_eq!(tagged("Quake", Traffic::Exercise), "[EXERCISE] Quake");
        assert_eq!(tagged("[EXERCISE] Quake", Traffic::Exercise), "[EXERCISE] Quake");
        assert_eq!(tagged("Quake", Traffic::Real), "Quake");
    }
}
