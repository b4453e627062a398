//! Turns the raw files into checked configuration, collecting every problem on the way.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use super::plain;
use super::problem::{FirstGiven, Problem, Source};
use super::raw::{self, Text};
use super::{Config, FeedConfig, FeedKind, Layout};
use crate::domain::{
    Area, Contact, ContactRole, Mission, MissionKind, MissionStatus, Workdays, WorkingHours,
};
use crate::text::one_line;

/// Parses one file, naming the field a type error or unknown key sits in, in plain words.
pub(super) fn parse<T: DeserializeOwned>(src: &Source) -> Result<T, Problem> {
    let de = toml::de::Deserializer::parse(src.text)
        .map_err(|e| src.problem(e.span(), "", plain::syntax_error(src.text, e.span(), e.message())))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = plain::field(&e.path().to_string());
        let inner = e.into_inner();
        let message = plain::type_error(&field, inner.message());
        src.problem(inner.span(), field, message)
    })
}

pub(super) fn desk(src: &Source, file: raw::DeskFile, base: &Path, problems: &mut Vec<Problem>) -> Config {
    let desk_tz = zone(src, &file.desk.tz, "desk.tz", problems).unwrap_or(Tz::UTC);
    let layout = match file.ui.layout.as_ref().map(|l| (l.get_ref().as_str(), l)) {
        None | Some(("auto", _)) => Layout::Auto,
        Some(("tabs", _)) => Layout::Tabs,
        Some((other, text)) => {
            problems.push(src.problem(
                Some(text.span()),
                "ui.layout",
                format!("unknown layout `{other}` (expected auto or tabs)"),
            ));
            Layout::Auto
        }
    };
    let bell = file.ui.bell.as_ref().map_or(Some(super::DEFAULT_BELL), |bell| {
        match bell.get_ref() {
            toml::Value::Boolean(on) => on.then_some(super::DEFAULT_BELL),
            toml::Value::String(off) if off == "off" => None,
            value => {
                let parsed = value.as_str().map(str::parse::<crate::domain::Severity>);
                parsed.and_then(Result::ok).or_else(|| {
                    let shown = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                    let message = format!(
                        "`{shown}` is not a bell setting (expected a severity: info, minor, moderate, severe or critical; or off)"
                    );
                    problems.push(src.problem(Some(bell.span()), "ui.bell", message));
                    None
                })
            }
        }
    });
    let mut first = FirstGiven::new();
    let mut feeds: Vec<FeedConfig> = file
        .feeds
        .iter()
        .enumerate()
        .filter_map(|(n, feed)| {
            let field = format!("feed[{n}]");
            if let Some((m, span)) = first.get(feed.name.get_ref()) {
                let message = format!(
                    "feed name `{}` is already used by feed[{m}] at {}; names identify feeds in the journal",
                    feed.name.get_ref(),
                    src.place(span.clone())
                );
                problems.push(src.problem(Some(feed.name.span()), format!("{field}.name"), message));
            } else {
                first.insert(feed.name.get_ref().clone(), (n, feed.name.span()));
            }
            super::feeds::feed_config(src, feed, &field, base, problems)
        })
        .collect();
    own_uids(&mut feeds, &one_line(&file.desk.name));
    // Rules name feeds as the file declares them: a feed left out for a problem of its own is
    // not also reported missing by every rule that names it.
    let declared: Vec<&str> = file.feeds.iter().map(|f| f.name.get_ref().as_str()).collect();
    let demo_serve = file.demo.as_ref().and_then(|demo| {
        demo.serve
            .get_ref()
            .parse()
            .map_err(|_| {
                let message =
                    format!("`{}` is not an address and port such as 127.0.0.1:8099", demo.serve.get_ref());
                problems.push(src.problem(Some(demo.serve.span()), "demo.serve", message))
            })
            .ok()
    });
    let rules = super::rules::rules(src, &file.rules, &feeds, &declared, problems);
    let notify = super::notify::entries(src, &file.notify, problems);
    let cot_out = super::cot_out::entries(src, &file.cot_out, base, problems);
    let handover_copy = file.handover.as_ref().and_then(|h| h.copy.as_ref()).map_or_else(Vec::new, |copy| {
        handover_copy(copy.get_ref())
            .map_err(|message| problems.push(src.problem(Some(copy.span()), "handover.copy", message)))
            .unwrap_or_default()
    });
    let rollcall = super::rollcall::section(src, file.rollcall.as_ref(), problems);
    let sync = super::sync::section(src, file.sync.as_ref(), base, problems);
    let desk_group = file.desk.group.as_ref().and_then(|group| {
        crate::desk_files::resolve_group(group.get_ref())
            .map_err(|message| problems.push(src.problem(Some(group.span()), "desk.group", message)))
            .ok()
    });
    Config {
        desk_group,
        path: Default::default(),
        rules,
        notify,
        cot_out,
        handover_copy,
        rollcall,
        sync,
        bell,
        demo_serve,
        desk_name: one_line(&file.desk.name),
        desk_tz,
        journal: file.desk.journal.as_ref().map(|j| base.join(j.get_ref())),
        on_disk: on_disk(src, &file, base, &feeds),
        tls_files: tls_files(src, &file, base, &feeds),
        feeds,
        layout,
        low_bandwidth: file.ui.low_bandwidth.unwrap_or(false),
        missions: Vec::new(),
        contacts: Vec::new(),
        digest: String::new(),
    }
}

/// Tells each CoT feed which uids are the desk's own, to drop them.
pub(super) fn own_uids(feeds: &mut [FeedConfig], desk_name: &str) {
    let prefix = crate::cot_out::desk_prefix(desk_name);
    for feed in feeds.iter_mut().filter(|f| matches!(f.kind, FeedKind::CotUdp | FeedKind::CotTcp)) {
        feed.own_uids = Some(prefix.clone());
    }
}

/// `[handover] copy`: a program to run (without a shell) and `{files}` once, as an argument of
/// its own, where the sheet and its signature go.
fn handover_copy(command: &[String]) -> Result<Vec<String>, String> {
    if command.first().is_none_or(|program| program.trim().is_empty() || program == FILES) {
        return Err(format!(
            "the command is empty: give the program and its arguments, with \"{FILES}\" where the sheet goes, \
             e.g. [\"scp\", \"-q\", \"{FILES}\", \"archive@hq:/handovers/\"] (it is run without a shell)"
        ));
    }
    match command.iter().filter(|arg| arg.as_str() == FILES).count() {
        1 => Ok(command.to_vec()),
        0 => {
            Err(format!("the command has no \"{FILES}\" argument: say where the sheet and its signature go"))
        }
        n => Err(format!("\"{FILES}\" is given {n} times; give it once")),
    }
}

/// The argument of `[handover] copy` that stands for the sheet and its signature.
pub const FILES: &str = "{files}";

/// Checks that the TLS files of `ssl://` feeds and `[[cot_out]]` entries can be used.
fn tls_files(src: &Source, file: &raw::DeskFile, base: &Path, feeds: &[FeedConfig]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let ssl = |url: Option<&Text>| url.is_some_and(|u| u.get_ref().starts_with("ssl://"));
    for (n, feed) in file.feeds.iter().enumerate() {
        if ssl(feed.url.as_ref()) && feeds.iter().any(|f| f.name == *feed.name.get_ref()) {
            let written = super::tls::Written {
                ca_file: feed.ca_file.as_ref(),
                client_cert: feed.client_cert.as_ref(),
                client_key: feed.client_key.as_ref(),
                server_name: feed.server_name.as_ref(),
            };
            super::tls::on_disk(src, &written, &format!("feed[{n}]"), base, &mut problems);
        }
    }
    for (n, entry) in file.cot_out.iter().enumerate() {
        if ssl(Some(&entry.url)) {
            let written = super::tls::Written {
                ca_file: entry.ca_file.as_ref(),
                client_cert: entry.client_cert.as_ref(),
                client_key: entry.client_key.as_ref(),
                server_name: entry.server_name.as_ref(),
            };
            super::tls::on_disk(src, &written, &format!("cot_out[{n}]"), base, &mut problems);
        }
    }
    problems
}

/// Checks that each feed's `path` names a document and the journal is not a file.
fn on_disk(src: &Source, file: &raw::DeskFile, base: &Path, feeds: &[FeedConfig]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (n, feed) in file.feeds.iter().enumerate() {
        let Some(path) = &feed.path else { continue };
        // A feed with problems of its own is reported for those alone.
        if !feeds.iter().any(|f| f.name == *feed.name.get_ref()) {
            continue;
        }
        let full = base.join(path.get_ref());
        let message = match std::fs::metadata(&full) {
            Ok(meta) if meta.is_dir() => format!("{} is a directory, not a document", full.display()),
            Ok(_) => match std::fs::File::open(&full) {
                Ok(_) => continue,
                Err(e) => format!("cannot read {}: {e}", full.display()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                format!("there is no document at {} for this feed to read", full.display())
            }
            Err(e) => format!("cannot read {}: {e}", full.display()),
        };
        problems.push(src.problem(Some(path.span()), format!("feed[{n}].path"), message));
    }
    if let Some(journal) = &file.desk.journal {
        let full = base.join(journal.get_ref());
        if full.exists() && !full.is_dir() {
            let message =
                format!("{} is a file; the journal is a directory (made when missing)", full.display());
            problems.push(src.problem(Some(journal.span()), "desk.journal", message));
        }
    }
    problems
}

pub(super) fn missions(src: &Source, file: raw::MissionsFile, problems: &mut Vec<Problem>) -> Vec<Mission> {
    let mut first = FirstGiven::new();
    file.missions
        .into_iter()
        .enumerate()
        .filter_map(|(n, m)| {
            let field = format!("mission[{n}]");
            if let Some((k, span)) = first.get(m.id.get_ref()) {
                let message = format!(
                    "mission id `{}` is already used by mission[{k}] at {}; ids must be unique",
                    m.id.get_ref(),
                    src.place(span.clone())
                );
                problems.push(src.problem(Some(m.id.span()), format!("{field}.id"), message));
            } else {
                first.insert(m.id.get_ref().clone(), (n, m.id.span()));
            }
            let kind = choice(
                src,
                &m.kind,
                &format!("{field}.kind"),
                problems,
                &[
                    ("peacekeeping", MissionKind::Peacekeeping),
                    ("humanitarian", MissionKind::Humanitarian),
                    ("joint-task-force", MissionKind::JointTaskForce),
                    ("exercise", MissionKind::Exercise),
                    ("defense-cooperation", MissionKind::DefenseCooperation),
                    ("attache-post", MissionKind::AttachePost),
                ],
            );
            // `concluded` is the word desk files used before missions were closed from the desk.
            let status = match m.status.get_ref().as_str() {
                "concluded" => Some(MissionStatus::Closed),
                _ => choice(
                    src,
                    &m.status,
                    &format!("{field}.status"),
                    problems,
                    &[
                        ("active", MissionStatus::Active),
                        ("planned", MissionStatus::Planned),
                        ("suspended", MissionStatus::Suspended),
                        ("closed", MissionStatus::Closed),
                    ],
                ),
            };
            let area = area(src, &m.area, &format!("{field}.area"), problems);
            let start = m.start.as_ref().and_then(|d| date(src, d, &format!("{field}.start"), problems));
            let end = m.end.as_ref().and_then(|d| date(src, d, &format!("{field}.end"), problems));
            Some(Mission {
                id: m.id.into_inner(),
                name: one_line(&m.name),
                kind: kind?,
                status: status?,
                country: one_line(&m.country),
                area: area?,
                lead: m.lead.as_deref().map(one_line),
                partners: m.partners.iter().map(|p| one_line(p)).collect(),
                start,
                end,
            })
        })
        .collect()
}

pub(super) fn contacts(
    src: &Source,
    file: raw::ContactsFile,
    mission_ids: Option<&HashSet<String>>,
    problems: &mut Vec<Problem>,
) -> Vec<Contact> {
    let mut first = FirstGiven::new();
    file.contacts
        .into_iter()
        .enumerate()
        .filter_map(|(n, c)| {
            let field = format!("contact[{n}]");
            if let Some(id) = &c.id {
                contact_id(src, id, n, &mut first, problems);
            }
            let role = choice(
                src,
                &c.role,
                &format!("{field}.role"),
                problems,
                &[
                    ("defense-attache", ContactRole::DefenseAttache),
                    ("naval-attache", ContactRole::NavalAttache),
                    ("air-attache", ContactRole::AirAttache),
                    ("army-attache", ContactRole::ArmyAttache),
                    ("liaison-officer", ContactRole::LiaisonOfficer),
                    ("civ-mil-coordinator", ContactRole::CivMilCoordinator),
                    ("host-nation-counterpart", ContactRole::HostNationCounterpart),
                ],
            );
            let tz = zone(src, &c.tz, &format!("{field}.tz"), problems);
            let hours = checked(src, &c.hours, &format!("{field}.hours"), problems, WorkingHours::parse);
            let workdays = match &c.workdays {
                Some(text) => checked(src, text, &format!("{field}.workdays"), problems, Workdays::parse),
                None => Some(Workdays::default()),
            };
            let every = duration(src, &c.check_in_every, &format!("{field}.check_in_every"), problems);
            let last_contact = c
                .last_contact
                .as_ref()
                .and_then(|t| instant(src, t, &format!("{field}.last_contact"), problems));
            for (i, id) in c.missions.iter().enumerate().filter(|_| mission_ids.is_some()) {
                if !mission_ids.is_some_and(|ids| ids.contains(id.get_ref())) {
                    problems.push(src.problem(
                        Some(id.span()),
                        format!("{field}.missions[{i}]"),
                        format!("unknown mission id `{}` (not in missions file)", id.get_ref()),
                    ));
                }
            }
            let post_location = match (c.lat, c.lon) {
                (None, None) => None,
                (Some(lat), Some(lon)) => {
                    let at = crate::domain::LatLon::new(lat, lon);
                    if at.is_none() {
                        let message = format!(
                            "lat {lat}, lon {lon} is not a place on earth (lat -90..90, lon -180..180)"
                        );
                        problems.push(src.problem(Some(c.tz.span()), format!("{field}.lat"), message));
                    }
                    at
                }
                _ => {
                    problems.push(src.problem(
                        Some(c.tz.span()),
                        field.clone(),
                        "give both lat and lon for the post, or neither",
                    ));
                    None
                }
            };
            Some(Contact {
                id: c.id.map(|id| id.into_inner()),
                post_location,
                name: one_line(&c.name),
                role: role?,
                rank: c.rank.as_deref().map(one_line),
                post: one_line(&c.post),
                country: one_line(&c.country),
                tz: tz?,
                languages: c.languages.iter().map(|l| one_line(l)).collect(),
                channels: c.channels.iter().map(|l| one_line(l)).collect(),
                hours: hours?,
                workdays: workdays?,
                check_in_every: every?,
                last_contact,
                missions: c.missions.into_iter().map(|m| m.into_inner()).collect(),
            })
        })
        .collect()
}

/// A contact's id: a word a script can pass (letters, digits, `.`, `_`, `-`), used once.
fn contact_id(src: &Source, id: &Text, n: usize, first: &mut FirstGiven, problems: &mut Vec<Problem>) {
    let field = format!("contact[{n}].id");
    let text = id.get_ref();
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        let message = format!(
            "contact id `{}` must be letters, digits, `.`, `_` or `-` (e.g. datt-manila)",
            one_line(text)
        );
        problems.push(src.problem(Some(id.span()), field, message));
    } else if let Some((k, span)) = first.get(text) {
        let message = format!(
            "contact id `{text}` is already used by contact[{k}] at {}; ids must be unique",
            src.place(span.clone())
        );
        problems.push(src.problem(Some(id.span()), field, message));
    } else {
        first.insert(text.clone(), (n, id.span()));
    }
}

fn checked<T>(
    src: &Source,
    text: &Text,
    field: &str,
    problems: &mut Vec<Problem>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    parse(text.get_ref())
        .map_err(|message| problems.push(src.problem(Some(text.span()), field, message)))
        .ok()
}

fn choice<T: Copy>(
    src: &Source,
    text: &Text,
    field: &str,
    problems: &mut Vec<Problem>,
    options: &[(&str, T)],
) -> Option<T> {
    let found = options.iter().find(|(name, _)| name == text.get_ref()).map(|(_, v)| *v);
    if found.is_none() {
        let expected: Vec<_> = options.iter().map(|(name, _)| *name).collect();
        problems.push(src.problem(
            Some(text.span()),
            field,
            format!("unknown value `{}` (expected one of: {})", text.get_ref(), expected.join(", ")),
        ));
    }
    found
}

fn zone(src: &Source, text: &Text, field: &str, problems: &mut Vec<Problem>) -> Option<Tz> {
    checked(src, text, field, problems, |s| {
        s.parse::<Tz>().map_err(|_| {
            format!("unknown time zone `{s}` (expected an IANA name such as Asia/Manila or Europe/Belgrade)")
        })
    })
}

/// Durations as a desk writes them: `30s`, `15m`, `2h`, `7d`, or combined (`1h 30m`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("bad duration `{text}` (expected a number and unit, e.g. 30s, 15m, 2h, 7d)");
    let parsed = humantime::parse_duration(text.trim()).map_err(|_| bad())?;
    if parsed.is_zero() { Err(format!("duration `{text}` must be longer than zero")) } else { Ok(parsed) }
}

pub(super) fn duration(
    src: &Source,
    text: &Text,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<Duration> {
    checked(src, text, field, problems, parse_duration)
}

fn area(
    src: &Source,
    area: &toml::Spanned<raw::Area>,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<Area> {
    let span = Some(area.span());
    let a = area.get_ref();
    let result = match (a.lat, a.lon, a.radius_km, &a.polygon) {
        (Some(lat), Some(lon), Some(radius_km), None) => {
            if crate::domain::LatLon::new(lat, lon).is_none() {
                Err(format!("lat {lat}, lon {lon} is not a place on earth (lat -90..90, lon -180..180)"))
            } else if !(radius_km.is_finite() && radius_km > 0.0) {
                Err(format!("radius_km must be a positive number of kilometres, not {radius_km}"))
            } else {
                Ok(Area::Circle { lat, lon, radius_km })
            }
        }
        (None, None, None, Some(points)) => {
            if points.len() < 3 {
                Err(format!("a polygon needs at least 3 [lat, lon] points, this one has {}", points.len()))
            } else if let Some(p) = points.iter().find(|p| crate::domain::LatLon::new(p[0], p[1]).is_none()) {
                Err(format!("polygon point [{}, {}] is not a place on earth", p[0], p[1]))
            } else {
                Ok(Area::Polygon { polygon: points.clone() })
            }
        }
        _ => Err("give either lat, lon and radius_km, or polygon = [[lat, lon], ...]".to_string()),
    };
    result.map_err(|message| problems.push(src.problem(span, field, message))).ok()
}

fn date(
    src: &Source,
    value: &toml::Spanned<toml::value::Datetime>,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<NaiveDate> {
    let text = value.get_ref().to_string();
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| {
            problems.push(src.problem(
                Some(value.span()),
                field,
                format!("expected a date such as 2024-03-01, not {text}"),
            ))
        })
        .ok()
}

fn instant(
    src: &Source,
    value: &toml::Spanned<toml::value::Datetime>,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<DateTime<Utc>> {
    let text = value.get_ref().to_string();
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            problems.push(src.problem(
                Some(value.span()),
                field,
                format!("expected a time with offset such as 2026-11-20T09:00:00Z, not {text}"),
            ))
        })
        .ok()
}
