//! The configuration as the journal records it with `config.loaded`: what shapes what the desk
//! is shown (its name and zone, missions with their areas, contacts, rules, feeds), so that a
//! replay or a briefing of the past uses the configuration in force then, not today's. Feeds
//! are recorded without secrets: URLs with their credentials redacted, headers by name only
//! (and the variable or file a secret header is read from), never a header's value.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

use super::{Config, FeedConfig, FeedKind, FeedSource, HeaderValue, Secret};
use crate::alerts::Rule;
use crate::domain::{Contact, ContactRole, LatLon, Mission, Severity, Workdays, WorkingHours};
use crate::feeds::spec::CotOptions;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigSnapshot {
    pub desk: DeskSnapshot,
    #[serde(default)]
    pub missions: Vec<Mission>,
    #[serde(default)]
    pub contacts: Vec<ContactSnapshot>,
    #[serde(default)]
    pub rules: Vec<RuleSnapshot>,
    #[serde(default)]
    pub feeds: Vec<FeedSnapshot>,
    /// `[rollcall]`, when the desk has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollcall: Option<RollcallSnapshot>,
}

/// `[rollcall]` as the record keeps it: the deadline as text, like other durations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollcallSnapshot {
    pub at: Severity,
    pub deadline: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskSnapshot {
    pub name: String,
    /// The IANA zone name (`Asia/Manila`).
    pub tz: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactSnapshot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    pub role: ContactRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    pub post: String,
    pub country: String,
    pub tz: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    /// `08:00-17:00`, as in `contacts.toml`.
    pub hours: String,
    /// `Mon-Fri`.
    pub workdays: String,
    /// `1day`, `12h`: humantime, as in the configuration.
    pub check_in_every: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_location: Option<LatLon>,
    #[serde(default)]
    pub missions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleSnapshot {
    pub name: String,
    /// The feeds the rule reads (kinds resolved to names); absent: all feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feeds: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_magnitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near_mission_km: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near_contact_km: Option<f64>,
    #[serde(default)]
    pub include_exercise: bool,
    pub raise: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_after: Option<String>,
    pub max_age: String,
}

/// Where a feed's documents come from, with nothing secret in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceSnapshot {
    Path(String),
    /// Redacted (`feeds::redact`): no user:password, no key or token in the query.
    Url(String),
    Udp {
        listen: std::net::SocketAddr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<std::net::Ipv4Addr>,
    },
    Tcp(String),
    /// A CoT stream over TLS: the address and the paths of its files (never their contents).
    Ssl {
        address: String,
        ca_file: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_cert: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_key: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        server_name: Option<String>,
    },
}

/// A header a feed sends, by name: where a secret one is read from, never a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderSnapshot {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSnapshot {
    pub name: String,
    pub kind: String,
    pub source: SourceSnapshot,
    pub every: String,
    pub timeout: String,
    pub max_mib: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderSnapshot>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub follow_links: bool,
    /// A CoT feed's `[feed.cot]`, when it is not the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cot: Option<CotSnapshot>,
    pub enabled: bool,
}

/// `[feed.cot]` as the record keeps it: the distance as text, so that snapshots compare exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CotSnapshot {
    pub min_interval: String,
    pub min_distance_m: String,
    pub receive_buffer_kib: usize,
}

/// The configuration in force at a point of the record: the newest `config.loaded` before it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigInForce {
    /// The record that loaded it.
    pub seq: u64,
    pub path: String,
    pub digest: String,
    /// None when that record carried no snapshot (journals written before snapshots were).
    pub snapshot: Option<Arc<ConfigSnapshot>>,
}

impl ConfigInForce {
    /// `local` with what this record holds in place of its own (`ConfigSnapshot::applied_to`);
    /// None when the record holds no snapshot, and `local` stands in for it.
    pub fn config(&self, local: &Config) -> Option<Config> {
        Some(self.snapshot.as_ref()?.applied_to(local, &self.path, &self.digest))
    }
}

fn span(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// A recorded duration; one this version cannot read counts as `fallback`.
fn duration_or(text: &str, fallback: Duration) -> Duration {
    humantime::parse_duration(text).unwrap_or(fallback)
}

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

impl ConfigSnapshot {
    pub fn of(config: &Config) -> Self {
        ConfigSnapshot {
            desk: DeskSnapshot { name: config.desk_name.clone(), tz: config.desk_tz.name().to_string() },
            missions: config.missions.clone(),
            contacts: config.contacts.iter().map(ContactSnapshot::of).collect(),
            rules: config.rules.iter().map(RuleSnapshot::of).collect(),
            feeds: config.feeds.iter().map(FeedSnapshot::of).collect(),
            rollcall: config.rollcall.map(|r| RollcallSnapshot { at: r.at, deadline: span(r.deadline) }),
        }
    }

    /// `local` (this process's own file) with what the snapshot records in place of its own:
    /// desk name and zone, missions, contacts, rules, feeds and `[rollcall]`. What the record does not hold
    /// (layout, bell, journal, the feeds' secrets) stays `local`'s. Feeds come back for the
    /// panes to show, not to poll: their secrets are not in the record.
    pub fn applied_to(&self, local: &Config, path: &str, digest: &str) -> Config {
        let mut config = local.clone();
        config.path = path.into();
        config.digest = digest.to_string();
        config.desk_name = self.desk.name.clone();
        config.desk_tz = zone(&self.desk.tz);
        config.missions = self.missions.clone();
        config.contacts = self.contacts.iter().map(ContactSnapshot::contact).collect();
        config.rules = self.rules.iter().map(RuleSnapshot::rule).collect();
        config.feeds = self.feeds.iter().filter_map(FeedSnapshot::feed).collect();
        super::validate::own_uids(&mut config.feeds, &config.desk_name);
        config.rollcall = self.rollcall.as_ref().map(|r| super::RollcallConfig {
            at: r.at,
            deadline: duration_or(&r.deadline, super::DEFAULT_DEADLINE),
        });
        config
    }
}

impl ContactSnapshot {
    fn of(c: &Contact) -> Self {
        ContactSnapshot {
            id: c.id.clone(),
            name: c.name.clone(),
            role: c.role,
            rank: c.rank.clone(),
            post: c.post.clone(),
            country: c.country.clone(),
            tz: c.tz.name().to_string(),
            languages: c.languages.clone(),
            channels: c.channels.clone(),
            hours: c.hours.label(),
            workdays: c.workdays.label(),
            check_in_every: span(c.check_in_every),
            last_contact: c.last_contact,
            post_location: c.post_location,
            missions: c.missions.clone(),
        }
    }

    fn contact(&self) -> Contact {
        let day = WorkingHours::parse("00:00-00:00").expect("a fixed span parses");
        Contact {
            id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            rank: self.rank.clone(),
            post: self.post.clone(),
            country: self.country.clone(),
            tz: zone(&self.tz),
            languages: self.languages.clone(),
            channels: self.channels.clone(),
            hours: WorkingHours::parse(&self.hours).unwrap_or(day),
            workdays: Workdays::parse(&self.workdays).unwrap_or_default(),
            check_in_every: duration_or(&self.check_in_every, Duration::from_secs(24 * 3600)),
            last_contact: self.last_contact,
            post_location: self.post_location,
            missions: self.missions.clone(),
        }
    }
}

impl RuleSnapshot {
    fn of(r: &Rule) -> Self {
        RuleSnapshot {
            name: r.name.clone(),
            feeds: r.feeds.clone(),
            min_severity: r.min_severity,
            min_magnitude: r.min_magnitude,
            keywords: r.keywords.clone(),
            near_mission_km: r.near_mission_km,
            near_contact_km: r.near_contact_km,
            include_exercise: r.include_exercise,
            raise: r.raise,
            escalate_after: r.escalate_after.map(span),
            max_age: span(r.max_age),
        }
    }

    fn rule(&self) -> Rule {
        Rule {
            name: self.name.clone(),
            feeds: self.feeds.clone(),
            min_severity: self.min_severity,
            min_magnitude: self.min_magnitude,
            keywords: self.keywords.clone(),
            near_mission_km: self.near_mission_km,
            near_contact_km: self.near_contact_km,
            include_exercise: self.include_exercise,
            raise: self.raise,
            escalate_after: self.escalate_after.as_deref().and_then(|t| humantime::parse_duration(t).ok()),
            max_age: duration_or(&self.max_age, crate::alerts::DEFAULT_MAX_AGE),
        }
    }
}

impl FeedSnapshot {
    pub fn of(f: &FeedConfig) -> Self {
        let source = match &f.source {
            FeedSource::File(path) => SourceSnapshot::Path(path.display().to_string()),
            FeedSource::Url(url) => SourceSnapshot::Url(crate::feeds::redact::redacted_url(url)),
            FeedSource::Udp { listen, group } => SourceSnapshot::Udp { listen: *listen, group: *group },
            FeedSource::Tcp(address) => SourceSnapshot::Tcp(address.clone()),
            FeedSource::Ssl { address, tls } => SourceSnapshot::Ssl {
                address: address.clone(),
                ca_file: tls.ca_file.display().to_string(),
                client_cert: tls.client.as_ref().map(|c| c.cert.display().to_string()),
                client_key: tls.client.as_ref().map(|c| c.key.display().to_string()),
                server_name: tls.server_name.clone(),
            },
        };
        let headers = f
            .headers
            .iter()
            .map(|(name, value)| {
                let (env, file) = match value {
                    HeaderValue::Plain(_) => (None, None),
                    HeaderValue::Secret { secret: Secret::Env(var), .. } => (Some(var.clone()), None),
                    HeaderValue::Secret { secret: Secret::File(path), .. } => {
                        (None, Some(path.display().to_string()))
                    }
                };
                HeaderSnapshot { name: name.clone(), env, file }
            })
            .collect();
        FeedSnapshot {
            name: f.name.clone(),
            kind: f.kind.as_str().to_string(),
            source,
            every: span(f.every),
            timeout: span(f.timeout),
            max_mib: f.max_bytes >> 20,
            headers,
            follow_links: f.follow_links,
            cot: (f.cot != CotOptions::default()).then(|| CotSnapshot {
                min_interval: span(f.cot.min_interval),
                min_distance_m: f.cot.min_distance_m.to_string(),
                receive_buffer_kib: f.cot.receive_buffer >> 10,
            }),
            enabled: f.enabled,
        }
    }

    /// The feed as the panes show it; None for a kind this version does not know.
    fn feed(&self) -> Option<FeedConfig> {
        let kind = FeedKind::parse(&self.kind)?;
        let source = match &self.source {
            SourceSnapshot::Path(path) => FeedSource::File(path.into()),
            SourceSnapshot::Url(url) => FeedSource::Url(url.clone()),
            SourceSnapshot::Udp { listen, group } => FeedSource::Udp { listen: *listen, group: *group },
            SourceSnapshot::Tcp(address) => FeedSource::Tcp(address.clone()),
            SourceSnapshot::Ssl { address, ca_file, client_cert, client_key, server_name } => {
                FeedSource::Ssl {
                    address: address.clone(),
                    tls: crate::feeds::tls::TlsFiles {
                        ca_file: ca_file.into(),
                        client: client_cert.as_ref().zip(client_key.as_ref()).map(|(cert, key)| {
                            crate::feeds::tls::ClientFiles { cert: cert.into(), key: key.into() }
                        }),
                        server_name: server_name.clone(),
                    },
                }
            }
        };
        let mut feed = FeedConfig::new(&self.name, kind, source);
        feed.every = duration_or(&self.every, super::DEFAULT_EVERY);
        feed.timeout = duration_or(&self.timeout, super::DEFAULT_TIMEOUT);
        feed.max_bytes = self.max_mib << 20;
        feed.follow_links = self.follow_links;
        if let Some(cot) = &self.cot {
            let defaults = CotOptions::default();
            feed.cot = CotOptions {
                min_interval: duration_or(&cot.min_interval, defaults.min_interval),
                min_distance_m: cot.min_distance_m.parse().unwrap_or(defaults.min_distance_m),
                receive_buffer: cot.receive_buffer_kib << 10,
            };
        }
        feed.enabled = self.enabled;
        feed.headers = self
            .headers
            .iter()
            .filter_map(|h| {
                let secret = match (&h.env, &h.file) {
                    (Some(var), _) => Secret::Env(var.clone()),
                    (None, Some(path)) => Secret::File(path.into()),
                    // A plain header's value is not recorded: nothing to show or send.
                    (None, None) => return None,
                };
                Some((h.name.clone(), HeaderValue::Secret { secret, prefix: "" }))
            })
            .collect();
        Some(feed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn desk(dir: &Path, feeds: &str) -> Config {
        std::fs::write(
            dir.join("attache.toml"),
            format!(
                r#"[desk]
name = "Manila desk"
tz = "Asia/Manila"
missions = "missions.toml"
contacts = "contacts.toml"

{feeds}

[[rule]]
name = "quakes near missions"
feeds = ["quakes"]
min_magnitude = 5.5
near_mission_km = 300
raise = "severe"
escalate_after = "15m"
"#
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("missions.toml"),
            r#"[[mission]]
id = "UNMISS"
name = "UN Mission in South Sudan"
kind = "peacekeeping"
status = "active"
country = "SS"
area = { lat = 4.85, lon = 31.6, radius_km = 250 }
"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("contacts.toml"),
            r#"[[contact]]
name = "Col. Reyes"
role = "defense-attache"
post = "Juba"
country = "SS"
tz = "Africa/Juba"
hours = "08:00-17:00"
workdays = "Sun-Thu"
check_in_every = "12h"
missions = ["UNMISS"]
"#,
        )
        .unwrap();
        Config::load(&dir.join("attache.toml")).unwrap_or_else(|p| panic!("{p:?}"))
    }

    const FEEDS: &str = r#"[[feed]]
name = "quakes"
kind = "usgs-geojson"
url = "https://watch:hunter2@quakes.example.org/feed?apikey=abc123&region=af"
every = "90s"
header_env = { "X-Api-Key" = "QUAKES_KEY" }
headers = { "X-Desk" = "plain-value-7f3" }
"#;

    #[test]
    fn round_trips_through_the_journal_line() {
        let dir = tempfile::tempdir().unwrap();
        let config = desk(dir.path(), FEEDS);
        let snapshot = ConfigSnapshot::of(&config);
        let line = serde_json::to_string(&snapshot).unwrap();
        let back: ConfigSnapshot = serde_json::from_str(&line).unwrap();
        assert_eq!(back, snapshot);
        let rebuilt = back.applied_to(
            &Config { missions: vec![], contacts: vec![], rules: vec![], ..config.clone() },
            "p",
            "d",
        );
        assert_eq!(rebuilt.desk_name, "Manila desk");
        assert_eq!(rebuilt.desk_tz, config.desk_tz);
        assert_eq!(rebuilt.missions, config.missions);
        assert_eq!(rebuilt.contacts, config.contacts);
        assert_eq!(rebuilt.rules, config.rules);
        assert_eq!(rebuilt.feeds.len(), 1);
        let feed = &rebuilt.feeds[0];
        assert_eq!(
            (feed.kind, feed.every, feed.enabled),
            (FeedKind::UsgsGeojson, Duration::from_secs(90), true)
        );
        assert_eq!((rebuilt.path.as_path(), rebuilt.digest.as_str()), (Path::new("p"), "d"));
    }

    #[test]
    fn rollcall_section_is_in_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let config =
            desk(dir.path(), &format!("{FEEDS}\n[rollcall]\nat = \"critical\"\ndeadline = \"45m\"\n"));
        let wanted = Some(crate::config::RollcallConfig {
            at: Severity::Critical,
            deadline: Duration::from_secs(2700),
        });
        assert_eq!(config.rollcall, wanted);
        let line = serde_json::to_string(&ConfigSnapshot::of(&config)).unwrap();
        assert!(line.contains(r#""rollcall":{"at":"critical","deadline":"45m"}"#), "{line}");
        let back: ConfigSnapshot = serde_json::from_str(&line).unwrap();
        let rebuilt = back.applied_to(&Config { rollcall: None, ..config.clone() }, "p", "d");
        assert_eq!(rebuilt.rollcall, wanted);
        assert_eq!(desk(dir.path(), FEEDS).rollcall, None, "no section, no automatic roll-calls");
    }

    #[test]
    fn secrets_stay_out_of_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let config = desk(dir.path(), FEEDS);
        let line = serde_json::to_string(&ConfigSnapshot::of(&config)).unwrap();
        for secret in ["hunter2", "abc123", "plain-value-7f3"] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
        assert!(
            line.contains(r#""url":"https://***@quakes.example.org/feed?apikey=***&region=af""#),
            "{line}"
        );
        assert!(line.contains(r#"{"name":"X-Api-Key","env":"QUAKES_KEY"}"#), "{line}");
        assert!(line.contains(r#"{"name":"X-Desk"}"#), "{line}");
    }

    #[test]
    fn a_cot_feeds_coalescing_is_in_the_record_so_a_change_restarts_it() {
        let dir = tempfile::tempdir().unwrap();
        let tak = "[[feed]]\nname = \"tak\"\nkind = \"cot-udp\"\nlisten = \"127.0.0.1:6969\"\n";
        let tak = format!("{FEEDS}\n{tak}");
        let plain = FeedSnapshot::of(&desk(dir.path(), &tak).feeds[1]);
        assert_eq!(plain.cot, None, "the defaults are not written");
        let tuned =
            desk(dir.path(), &format!("{tak}[feed.cot]\nmin_interval = \"30s\"\nmin_distance_m = 12.5\n"));
        let snapshot = FeedSnapshot::of(&tuned.feeds[1]);
        assert_ne!(snapshot, plain, "a reload that changes [feed.cot] changes the feeds");
        let line = serde_json::to_string(&snapshot).unwrap();
        let back: FeedSnapshot = serde_json::from_str(&line).unwrap();
        assert_eq!(back.feed().unwrap().cot, tuned.feeds[1].cot);
    }
}
