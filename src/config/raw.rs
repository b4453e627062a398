//! The configuration files exactly as written. Fields that need checking beyond their TOML type
//! (zones, durations, kinds, references) are kept as `Spanned` text so that a problem can name
//! its line, and so that every such problem is reported, not just the first.

use serde::Deserialize;
use toml::Spanned;

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskFile {
    pub desk: Desk,
    #[serde(default, rename = "feed")]
    pub feeds: Vec<Feed>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub ui: Ui,
    pub demo: Option<Demo>,
    #[serde(default, rename = "notify")]
    pub notify: Vec<Notify>,
    pub handover: Option<Handover>,
    pub rollcall: Option<Rollcall>,
    #[serde(default, rename = "cot_out")]
    pub cot_out: Vec<CotOut>,
    pub sync: Option<Sync>,
}

/// `[[cot_out]]`: where alerts (and missions) go as CoT events.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CotOut {
    pub url: Text,
    pub ca_file: Option<Text>,
    pub client_cert: Option<Text>,
    pub client_key: Option<Text>,
    pub server_name: Option<Text>,
    /// Missions as markers too.
    #[serde(default)]
    pub missions: bool,
}

/// `[sync]`: sharing this desk's record with others over NATS JetStream.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sync {
    pub servers: Spanned<Vec<Text>>,
    pub desk: Text,
    pub follow: Option<Spanned<Vec<Text>>>,
    pub credentials_file: Option<Text>,
    pub credentials_env: Option<Text>,
    pub domain: Option<Text>,
    pub share: Option<Spanned<Vec<Text>>>,
    pub replicas: Option<Spanned<usize>>,
}

/// `[handover]`: what `attache handover` does besides journaling and writing the sheet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    /// The command that copies the sheet (and its signature) off the host, `{files}` where they go.
    pub copy: Option<Spanned<Vec<String>>>,
}

/// `[rollcall]`: when alerts open roll-calls by themselves, and their deadline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rollcall {
    pub at: Option<Text>,
    pub deadline: Option<Text>,
}

/// A command run for the records its `on` selectors pick (`notify::Trigger`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    pub name: Option<Text>,
    pub on: Spanned<Vec<Text>>,
    pub command: Spanned<Vec<String>>,
    pub timeout: Option<Text>,
    #[serde(default)]
    pub env: Vec<Text>,
    pub retries: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: Text,
    pub feeds: Option<Vec<Text>>,
    pub kinds: Option<Vec<Text>>,
    pub min_severity: Option<Text>,
    pub min_magnitude: Option<f64>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub near_mission_km: Option<Spanned<f64>>,
    pub near_contact_km: Option<Spanned<f64>>,
    #[serde(default)]
    pub include_exercise: bool,
    pub raise: Text,
    pub escalate_after: Option<Text>,
    pub max_age: Option<Text>,
}

/// The demo desk's own feed server, started by whichever process polls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demo {
    pub serve: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub name: String,
    pub tz: Text,
    pub journal: Option<Text>,
    pub missions: Text,
    pub contacts: Text,
    /// The group the desk's files are given to; unset: the user's own.
    pub group: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    pub name: Text,
    pub kind: Text,
    pub path: Option<Text>,
    pub url: Option<Text>,
    pub every: Option<Text>,
    pub timeout: Option<Text>,
    /// Largest document accepted, in MiB.
    pub max_mib: Option<Spanned<u64>>,
    /// Sent as `Authorization: Bearer <value of this environment variable>`.
    pub token_env: Option<Text>,
    /// Sent as `Authorization: Bearer <first line of this file>`; the file must be readable by
    /// its owner only.
    pub token_file: Option<Text>,
    /// Header name to environment variable holding its value (API keys).
    #[serde(default)]
    pub header_env: std::collections::BTreeMap<String, Text>,
    /// Plain, non-secret headers.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// For `json` feeds: JSON pointers to the items and their fields.
    pub map: Option<Spanned<crate::feeds::json::JsonMapping>>,
    /// For `cap` indexes: fetch each entry's full alert.
    #[serde(default)]
    pub follow_links: bool,
    /// A PEM file of extra certificate authorities to trust for HTTPS.
    pub ca_file: Option<Text>,
    /// For `cot-tcp` over `ssl://`: the desk's client certificate and its private key (PEM).
    pub client_cert: Option<Text>,
    pub client_key: Option<Text>,
    /// For `cot-tcp` over `ssl://`: the name the server's certificate is made out to, when the
    /// URL names the server otherwise (an address).
    pub server_name: Option<Text>,
    /// For `cot-udp`: the address to receive on, and an optional multicast group to join.
    pub listen: Option<Text>,
    pub group: Option<Text>,
    /// For CoT feeds: coalescing of position reports and the UDP receive buffer.
    pub cot: Option<Spanned<Cot>>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cot {
    pub min_interval: Option<Text>,
    pub min_distance_m: Option<Spanned<f64>>,
    pub receive_buffer_kib: Option<Spanned<u64>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ui {
    pub layout: Option<Text>,
    /// From which severity a new alert rings the terminal bell (escalations always do), or
    /// "off"; `true` and `false` are read as "severe" and "off".
    pub bell: Option<Spanned<toml::Value>>,
    /// Draw for a slow or metered link: at most once a second, the clock by the minute.
    pub low_bandwidth: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissionsFile {
    #[serde(default, rename = "mission")]
    pub missions: Vec<Mission>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mission {
    pub id: Text,
    pub name: String,
    pub kind: Text,
    pub status: Text,
    pub country: String,
    pub area: Spanned<Area>,
    pub lead: Option<String>,
    #[serde(default)]
    pub partners: Vec<String>,
    pub start: Option<Spanned<toml::value::Datetime>>,
    pub end: Option<Spanned<toml::value::Datetime>>,
}

/// Either a point and radius or a polygon; which one is checked after parsing so the message
/// can say what is missing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub radius_km: Option<f64>,
    pub polygon: Option<Vec<[f64; 2]>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactsFile {
    #[serde(default, rename = "contact")]
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// A short, stable handle for scripts (`attache checkin ID`); optional.
    pub id: Option<Text>,
    pub name: String,
    pub role: Text,
    pub rank: Option<String>,
    pub post: String,
    pub country: String,
    pub tz: Text,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    pub hours: Text,
    pub workdays: Option<Text>,
    pub check_in_every: Text,
    pub last_contact: Option<Spanned<toml::value::Datetime>>,
    /// Where the post is, for rules that look for items near contacts.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[serde(default)]
    pub missions: Vec<Text>,
}
