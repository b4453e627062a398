//! Another desk's records (`remote`), folded where they tell this desk something: its alerts and
//! what was done with them, under its label (id, rule and feed `desk/…`; who acted `name@desk`),
//! its check-ins, which bring a contact both desks list up to date, and, kept apart from this
//! desk's (`Elsewhere`), its roll-calls (no tick here makes them overdue, no key here answers
//! them), its missions as its configuration defines them and its status changes set them, its
//! notes and its handovers. A
//! record whose text does not match its sum is not folded: `journal verify` reports it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Alert, HandoverMark, MissionMark, Rollcall};
use crate::domain::Mission;
use crate::event::{Event, read_record};
use crate::text::{one_line, one_line_owned};

/// What followed desks hold that this desk shows and leaves to them to work.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Elsewhere {
    /// Their roll-calls, by `desk/ID`, kept as long as this desk's.
    pub rollcalls: BTreeMap<String, Rollcall>,
    /// Their missions, by `desk/ID`.
    pub missions: BTreeMap<String, OtherMission>,
    /// Their operators' notes in the order received: the screen keeps a day of them, a
    /// briefing those received in its period.
    #[serde(default)]
    pub notes: Vec<OtherNote>,
    /// Their handovers in the order received, kept as their notes are.
    #[serde(default)]
    pub handovers: Vec<OtherHandover>,
    /// Their check-ins in the order received, kept as their notes are (each also brings the
    /// contact's last contact here up to date).
    #[serde(default)]
    pub check_ins: Vec<OtherCheckIn>,
}

/// Another desk's check-in with a contact, its words cleaned to one line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtherCheckIn {
    pub desk: String,
    /// Its record number there.
    pub seq: u64,
    /// When it was made there.
    pub at: DateTime<Utc>,
    /// When it reached this desk: a briefing counts it in the period it arrived.
    pub received: DateTime<Utc>,
    pub contact: String,
    /// `name@desk`.
    pub operator: String,
    pub channel: Option<String>,
    pub note: Option<String>,
}

/// Another desk's handover: who handed its watch to whom (`name@desk`), and what was left open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtherHandover {
    pub desk: String,
    /// When it reached this desk: a briefing counts it in the period it arrived.
    pub received: DateTime<Utc>,
    /// As that desk's own state keeps it, its seq and time that desk's.
    pub mark: HandoverMark,
}

/// Another desk's operator note, its words cleaned to one line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtherNote {
    pub desk: String,
    /// Its record number there.
    pub seq: u64,
    /// When it was written there.
    pub at: DateTime<Utc>,
    /// When it reached this desk: a briefing counts it in the period it arrived.
    pub received: DateTime<Utc>,
    /// `name@desk`.
    pub operator: String,
    pub text: String,
    /// The mission it is tied to, by that desk's id.
    pub mission: Option<String>,
    /// What it is about in words (`mission KFOR`, `alert ID`, `contact NAME`), if tied.
    pub about: Option<String>,
}

/// Another desk's mission: as its configuration defines it, and as its status changes set it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtherMission {
    pub desk: String,
    /// None when only a status change names it: a desk whose configuration has not reached
    /// this one (it runs an older version), or which dropped it.
    pub mission: Option<Mission>,
    pub mark: Option<MissionMark>,
    /// When its last status change reached this desk: a briefing counts it in the period it
    /// arrived, as it does alerts.
    #[serde(default)]
    pub mark_received: Option<DateTime<Utc>>,
}

impl OtherMission {
    /// Its id at its own desk, which its alerts name.
    pub fn id<'a>(&self, key: &'a str) -> &'a str {
        key.strip_prefix(&self.desk).and_then(|k| k.strip_prefix('/')).unwrap_or(key)
    }

    /// Its status by the record: that desk's last change, else its configuration's.
    pub fn status(&self) -> Option<crate::domain::MissionStatus> {
        self.mark.as_ref().map(|m| m.status).or(self.mission.as_ref().map(|m| m.status))
    }
}

/// Whether desk `desk`'s records are folded, by the desks the record last said it follows
/// (`sync.following`; before it says, every desk whose records it holds).
pub fn followed(following: Option<&[String]>, desk: &str) -> bool {
    following.is_none_or(|follow| follow.iter().any(|d| d == "*" || d == desk))
}

/// Lets go of what the desks `follow` leaves out had brought here (`sync.following`): their
/// alerts, and what `elsewhere` keeps of them. `"*"` follows every desk. What the record holds
/// of them stays there: a briefing of a period before still lists it.
pub fn unfollow(
    alerts: &mut BTreeMap<String, Arc<Alert>>,
    elsewhere: Option<&mut Elsewhere>,
    follow: &[String],
) {
    let kept = |desk: &str| followed(Some(follow), desk);
    let keyed_kept = |key: &str| key.split_once('/').is_none_or(|(desk, _)| kept(desk));
    alerts.retain(|_, a| a.desk.as_deref().is_none_or(kept));
    if let Some(elsewhere) = elsewhere {
        elsewhere.rollcalls.retain(|key, _| keyed_kept(key));
        elsewhere.missions.retain(|_, m| kept(&m.desk));
        elsewhere.notes.retain(|n| kept(&n.desk));
        elsewhere.handovers.retain(|h| kept(&h.desk));
        elsewhere.check_ins.retain(|c| kept(&c.desk));
    }
}

/// Folds desk `desk`'s `record` into `alerts` and `check_ins`, and into `elsewhere` where the
/// fold keeps what other desks hold (the screen's state and a briefing both do; a reader that
/// does not passes None): the one rule the screen and a briefing follow for another desk's
/// records.
pub fn fold(
    alerts: &mut BTreeMap<String, Arc<Alert>>,
    check_ins: &mut HashMap<String, DateTime<Utc>>,
    mut elsewhere: Option<&mut Elsewhere>,
    desk: &str,
    record: &str,
    received: DateTime<Utc>,
) {
    // Most of another desk's records tell this desk nothing it folds (its feed items, when it
    // shares them): passed over after a look at their kind, before any sum or parse.
    let folded = crate::journal::format::kind_of(record.as_bytes()).is_some_and(|kind| {
        super::is_alert_kind(kind)
            || kind == "contact.checked_in"
            || (elsewhere.is_some()
                && (super::rollcall::is_rollcall_kind(kind)
                    || kind == "config.loaded"
                    || kind == "mission.status_changed"
                    || kind == "note"
                    || kind == "handover"))
    });
    // A desk id that is not one could bring control characters to the screen, or make a
    // `desk/alert` id collide with another desk's: such a record is not folded.
    if !folded
        || !crate::sync::settings::valid_desk_id(desk)
        || crate::journal::format::check(record.as_bytes()).is_err()
    {
        return;
    }
    let Ok(inner) = read_record(record.as_bytes()) else { return };
    let ts = inner.ts;
    let rollcalls = elsewhere.as_deref_mut().map(|e| &mut e.rollcalls);
    // Another desk's words reach the screen and briefings: each on one line, no control
    // characters, as this desk's own feed text is.
    let here = |id: &str| format!("{desk}/{}", one_line(id));
    let by = |operator: &str| format!("{}@{desk}", one_line(operator));
    let event = match inner.event {
        Event::AlertRaised { alert, rule, feed, item, severity, title, missions, traffic } => {
            Event::AlertRaised {
                alert: here(&alert),
                rule: here(&rule),
                feed: here(&feed),
                item,
                severity,
                title,
                missions: missions.iter().map(|m| one_line(m)).collect(),
                traffic,
            }
        }
        Event::AlertUpdated { alert, severity, title } => {
            Event::AlertUpdated { alert: here(&alert), severity, title }
        }
        Event::AlertAcknowledged { alert, operator, note } => {
            Event::AlertAcknowledged { alert: here(&alert), operator: by(&operator), note }
        }
        Event::AlertUnacknowledged { alert, operator } => {
            Event::AlertUnacknowledged { alert: here(&alert), operator: by(&operator) }
        }
        Event::AlertEscalated { alert } => Event::AlertEscalated { alert: here(&alert) },
        Event::AlertResolved { alert, operator, reason } => {
            Event::AlertResolved { alert: here(&alert), operator: by(&operator), reason }
        }
        Event::RollcallOpened { rollcall, contacts, deadline, mission, alert, reason } => {
            let event = Event::RollcallOpened {
                rollcall: here(&rollcall),
                contacts,
                deadline,
                mission,
                alert: alert.map(|a| here(&a)),
                reason,
            };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::RollcallAnswered { rollcall, contact, answer, note } => {
            let event = Event::RollcallAnswered { rollcall: here(&rollcall), contact, answer, note };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::RollcallOverdue { rollcall, contacts } => {
            let event = Event::RollcallOverdue { rollcall: here(&rollcall), contacts };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::RollcallClosed { rollcall, reason } => {
            let event = Event::RollcallClosed { rollcall: here(&rollcall), reason };
            return fold_rollcall(rollcalls, event, inner.seq, ts, &by(&inner.by));
        }
        Event::ConfigLoaded { config: Some(snapshot), .. } => {
            if let Some(elsewhere) = elsewhere {
                define_missions(&mut elsewhere.missions, desk, snapshot.missions);
            }
            return;
        }
        Event::MissionStatusChanged { mission, status, note } => {
            if let Some(elsewhere) = elsewhere {
                let mark = MissionMark {
                    status,
                    line: note.map(one_line_owned),
                    at: ts,
                    by: by(&inner.by),
                    seq: inner.seq,
                };
                let entry = elsewhere.missions.entry(here(&mission)).or_insert_with(|| OtherMission {
                    desk: desk.to_string(),
                    mission: None,
                    mark: None,
                    mark_received: None,
                });
                entry.mark = Some(mark);
                entry.mark_received = Some(received);
            }
            return;
        }
        Event::Note { operator, text, mission, alert, contact } => {
            if let Some(elsewhere) = elsewhere {
                let about = match (&mission, alert, contact) {
                    (Some(mission), _, _) => Some(format!("mission {mission}")),
                    (None, Some(alert), _) => Some(format!("alert {alert}")),
                    (None, None, Some(contact)) => Some(format!("contact {contact}")),
                    (None, None, None) => None,
                };
                elsewhere.notes.push(OtherNote {
                    desk: desk.to_string(),
                    seq: inner.seq,
                    at: ts,
                    received,
                    operator: by(&operator),
                    text: one_line_owned(text),
                    mission: mission.map(one_line_owned),
                    about: about.map(one_line_owned),
                });
            }
            return;
        }
        event @ Event::Handover { .. } => {
            if let Some(elsewhere) = elsewhere
                && let Some(mark) = HandoverMark::of(inner.seq, ts, by(&inner.by), &event)
            {
                elsewhere.handovers.push(OtherHandover { desk: desk.to_string(), received, mark });
            }
            return;
        }
        Event::ContactCheckedIn { contact, operator, channel, note } => {
            if let Some(elsewhere) = elsewhere {
                elsewhere.check_ins.push(OtherCheckIn {
                    desk: desk.to_string(),
                    seq: inner.seq,
                    at: ts,
                    received,
                    contact: one_line(&contact),
                    operator: by(&operator),
                    channel: channel.map(one_line_owned),
                    note: note.map(one_line_owned),
                });
            }
            // Records from elsewhere arrive late: an older check-in does not hide a newer one.
            if check_ins.get(&contact).is_none_or(|&known| ts > known) {
                super::check_in(check_ins, contact, ts);
            }
            return;
        }
        _ => return,
    };
    let raised = match &event {
        Event::AlertRaised { alert, .. } => Some(alert.clone()),
        _ => None,
    };
    super::alert::apply(alerts, &event, ts, |_, _| None);
    if let Some(id) = raised
        && let Some(alert) = alerts.get_mut(&id).map(Arc::make_mut)
    {
        alert.desk = Some(desk.to_string());
        alert.received = Some(received);
    }
}

/// A desk's configuration as loaded there: its missions are these, each cleaned to one line
/// where the screen shows it; a mission it no longer defines keeps only its last status.
fn define_missions(missions: &mut BTreeMap<String, OtherMission>, desk: &str, defined: Vec<Mission>) {
    let prefix = format!("{desk}/");
    for (_, other) in missions.range_mut(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)) {
        other.mission = None;
    }
    for m in defined {
        let mission = Mission {
            id: one_line_owned(m.id),
            name: one_line_owned(m.name),
            country: one_line_owned(m.country),
            lead: m.lead.map(one_line_owned),
            partners: m.partners.into_iter().map(one_line_owned).collect(),
            ..m
        };
        let entry = missions.entry(format!("{prefix}{}", mission.id)).or_insert_with(|| OtherMission {
            desk: desk.to_string(),
            mission: None,
            mark: None,
            mark_received: None,
        });
        entry.mission = Some(mission);
    }
    missions.retain(|_, m| m.mission.is_some() || m.mark.is_some());
}

/// Another desk's roll-call record, its ids under the desk's label, who took it `name@desk`,
/// and its seq that desk's own.
fn fold_rollcall(
    rollcalls: Option<&mut BTreeMap<String, Rollcall>>,
    event: Event,
    seq: u64,
    ts: DateTime<Utc>,
    by: &str,
) {
    if let Some(rollcalls) = rollcalls {
        super::rollcall::apply(rollcalls, event, seq, ts, by);
    }
}
