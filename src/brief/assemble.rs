//! Setting the journal's facts against the desk: which alerts belong to which mission, which
//! items lie near it, which contacts are overdue, which feeds are stale. Pure: the clock comes
//! in as `generated_at`, so the same facts and request always give the same briefing.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;

use super::collect::Facts;
use super::item_lists::ItemLists;
use super::model::*;
use crate::config::Config;
use crate::desk::InForce;
use crate::domain::{Contact, Mission, MissionStatus};
use crate::state::{Alert, AlertState};
use crate::text::one_line;

/// What a briefing covers, and the two things that are not in the journal.
#[derive(Clone, Debug)]
pub struct Request {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Mission ids to brief; empty for all.
    pub missions: Vec<String>,
    /// The followed desks whose alerts the briefing covers besides this desk's own.
    pub desks: crate::sync::settings::Follow,
    pub generated_at: DateTime<Utc>,
    pub operator: String,
}

pub fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A local time with its offset from UTC, `2026-11-25 08:05 UTC+08:00`. Zone abbreviations
/// are ambiguous (chrono-tz calls Manila's time PST, which reads as US Pacific); offsets are not.
pub fn local_clock(t: DateTime<Tz>) -> String {
    t.format("%Y-%m-%d %H:%M UTC%:z").to_string()
}

/// The missions a briefing covers, in the configuration's order (`collect::Near` counts them
/// in this order).
pub fn briefed<'a>(config: &'a Config, request: &Request) -> Vec<&'a Mission> {
    config
        .missions
        .iter()
        .filter(|m| request.missions.is_empty() || request.missions.iter().any(|id| id == &m.id))
        .collect()
}

/// The alerts that concern each briefed mission, gathered in one pass over the alerts: a busy
/// week has tens of thousands, and a desk a handful of missions. Only the entries listed are
/// kept, with counts of the rest.
struct Concerns<'a> {
    /// Real-world alerts naming the mission: raised in the period (and their count by
    /// severity), and open at its end.
    raised: FirstN<&'a Alert>,
    counts: Counts,
    open: FirstN<&'a Alert>,
}

impl Concerns<'_> {
    fn new() -> Self {
        Concerns {
            raised: FirstN::new(LIST_LIMIT, most_severe_first),
            counts: Counts::default(),
            open: FirstN::new(LIST_LIMIT, most_severe_first),
        }
    }
}

/// The alerts raised in the period that no briefed mission's list shows, in id order: real
/// ones naming no briefed mission (listed only when every mission is briefed), and exercise
/// and test traffic (naming a briefed mission, unless every mission is).
struct Others<'a> {
    real: FirstN<&'a Alert>,
    exercise: FirstN<&'a Alert>,
}

/// Alerts in id order.
fn by_id(a: &&Alert, b: &&Alert) -> std::cmp::Ordering {
    a.id.cmp(&b.id)
}

/// This desk's alerts by briefed mission and the rest; the covered other desks' alerts by desk
/// (their missions are not this desk's, whatever their ids).
fn concerns<'a>(
    facts: &'a Facts,
    selected: &[&Mission],
    every_mission: bool,
    desks: &crate::sync::settings::Follow,
    in_period: impl Fn(DateTime<Utc>) -> bool,
) -> (Vec<Concerns<'a>>, Others<'a>, BTreeMap<String, Concerns<'a>>) {
    let mut out: Vec<Concerns<'a>> = selected.iter().map(|_| Concerns::new()).collect();
    let mut others =
        Others { real: FirstN::new(LIST_LIMIT, by_id), exercise: FirstN::new(LIST_LIMIT, by_id) };
    // A desk named is listed even when it raised nothing.
    let mut elsewhere: BTreeMap<String, Concerns<'a>> = match desks {
        crate::sync::settings::Follow::Desks(named) => {
            named.iter().map(|d| (d.clone(), Concerns::new())).collect()
        }
        crate::sync::settings::Follow::All => BTreeMap::new(),
    };
    let index: super::collect::Map<&str, usize> =
        selected.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();
    for a in facts.alerts.values() {
        let (raised, real) = (in_period(a.raised_here()), a.traffic.is_real());
        let open = real && a.state != AlertState::Resolved;
        if !raised && !open {
            continue;
        }
        if let Some(desk) = &a.desk {
            if desks.follows(desk) {
                let concerns = elsewhere.entry(desk.clone()).or_insert_with(Concerns::new);
                if raised {
                    concerns.raised.offer(a);
                    // Listed with their tag, but never counted with the real world.
                    if real {
                        concerns.counts.add(a.severity);
                    }
                }
                if open {
                    concerns.open.offer(a);
                }
            }
            continue;
        }
        let mut briefed = false;
        for (j, id) in a.missions.iter().enumerate() {
            let Some(&i) = index.get(id.as_str()) else { continue };
            briefed = true;
            // An alert naming a mission twice is counted once.
            if !real || a.missions[..j].contains(id) {
                continue;
            }
            if raised {
                out[i].raised.offer(a);
                out[i].counts.add(a.severity);
            }
            if open {
                out[i].open.offer(a);
            }
        }
        match (raised, real) {
            (true, true) if every_mission && !briefed => others.real.offer(a),
            (true, false) if every_mission || briefed => others.exercise.offer(a),
            _ => {}
        }
    }
    (out, others, elsewhere)
}

/// A briefing but for its item lists (which the facts' items are not read for), its missions
/// in the configuration's order.
pub struct WithoutItems(Brief);

impl WithoutItems {
    /// The briefing, with `lists` (made for the same request), its missions most urgent first.
    pub fn with(self, lists: ItemLists) -> Brief {
        let WithoutItems(mut brief) = self;
        for (mission, lines) in brief.missions.iter_mut().zip(lists.missions) {
            mission.items_near = lines;
        }
        (brief.exercise.items, brief.exercise.items_total) = lists.exercise;
        // Most urgent first: the worst alert still open, then the most raised, active before not.
        let urgency = |m: &MissionBrief| {
            // Lists are sorted most severe first, so the first entry is the worst.
            let worst = m.open_at_end.first().map(|a| a.severity);
            let status_rank = match m.status.as_str() {
                s if s == MissionStatus::Active.label() => 0,
                s if s == MissionStatus::Suspended.label() => 1,
                s if s == MissionStatus::Planned.label() => 2,
                _ => 3,
            };
            (
                std::cmp::Reverse(worst),
                std::cmp::Reverse(m.open_at_end_total),
                std::cmp::Reverse(m.alerts_raised.total()),
                status_rank,
            )
        };
        brief.missions.sort_by(|a, b| urgency(a).cmp(&urgency(b)).then_with(|| a.id.cmp(&b.id)));
        brief
    }
}

/// The briefing but for its item lists, set against `in_force` (the configuration in force at
/// the period's end, or today's where the record holds none).
pub fn without_items(in_force: &InForce, facts: &Facts, request: &Request) -> WithoutItems {
    let config = in_force.config();
    let (from, to) = (request.from, request.to);
    let in_period = |t: DateTime<Utc>| t >= from && t <= to;
    let line = |a: &Alert| alert_line(a);
    let selected = briefed(config, request);
    let (concerns, others, mut elsewhere) =
        concerns(facts, &selected, request.missions.is_empty(), &request.desks, in_period);
    // Under `*`, besides every desk that raised something in the period: every desk whose
    // missions are held here, or whose roll-calls, notes, handovers or check-ins the briefing
    // lists.
    if request.desks == crate::sync::settings::Follow::All {
        let held = &facts.elsewhere;
        let by_missions = held.missions.values().map(|m| m.desk.as_str());
        let by_rollcalls = held
            .rollcalls
            .values()
            .filter(|r| briefed_rollcall(r, from))
            .filter_map(|r| r.id.split_once('/').map(|(desk, _)| desk));
        let by_notes = held.notes.iter().filter(|n| in_period(n.received)).map(|n| n.desk.as_str());
        let by_handovers = held.handovers.iter().filter(|h| in_period(h.received)).map(|h| h.desk.as_str());
        let by_check_ins = held.check_ins.iter().filter(|c| in_period(c.received)).map(|c| c.desk.as_str());
        for desk in by_missions.chain(by_rollcalls).chain(by_notes).chain(by_handovers).chain(by_check_ins) {
            elsewhere.entry(desk.to_string()).or_insert_with(Concerns::new);
        }
    }

    let missions: Vec<MissionBrief> = selected
        .iter()
        .zip(concerns)
        .map(|(m, concerns)| MissionBrief {
            id: one_line(&m.id),
            name: one_line(&m.name),
            kind: m.kind.label().to_string(),
            status: crate::state::mission::status_of(&facts.missions, m).label().to_string(),
            status_line: facts.missions.get(&m.id).and_then(|mark| mark.line.clone()),
            alerts_raised: concerns.counts,
            raised_total: concerns.raised.offered,
            raised: concerns.raised.into_vec().into_iter().map(line).collect(),
            open_at_end_total: concerns.open.offered,
            open_at_end: concerns.open.into_vec().into_iter().map(line).collect(),
            items_near: Vec::new(),
            notes: facts.notes.iter().filter(|n| n.mission.as_ref() == Some(&m.id)).map(note).collect(),
        })
        .collect();

    let other_desks = elsewhere
        .into_iter()
        .map(|(desk, concerns)| {
            let mut check_ins = check_ins_of(&desk, facts, &in_period);
            OtherDesk {
                desk: one_line(&desk),
                alerts_raised: concerns.counts,
                raised_total: concerns.raised.offered,
                raised: concerns.raised.into_vec().into_iter().map(line).collect(),
                open_at_end_total: concerns.open.offered,
                open_at_end: concerns.open.into_vec().into_iter().map(line).collect(),
                rollcalls: rollcalls_of(&desk, facts, from),
                missions: missions_of(&desk, facts, &in_period),
                notes: notes_of(&desk, facts, &in_period),
                handovers: handovers_of(&desk, facts, &in_period),
                check_ins_total: cap(&mut check_ins),
                check_ins,
            }
        })
        .collect();
    let mission_status = status_changes(facts, &selected);
    let rollcalls = rollcalls(facts, &selected, request.missions.is_empty(), from);
    let (other_alerts_total, exercise_alerts_total) = (others.real.offered, others.exercise.offered);
    let other_alerts = others.real.into_vec().into_iter().map(line).collect();
    let exercise_alerts = others.exercise.into_vec().into_iter().map(line).collect();
    let exercise = Exercise {
        alerts_total: exercise_alerts_total,
        alerts: exercise_alerts,
        items_total: 0,
        items: Vec::new(),
    };
    let contacts = contacts(config, facts, request, &missions);
    let feeds = feeds(config, facts, to);
    let notes = facts.notes.iter().map(note).collect();
    let handovers = facts.handovers.clone();
    let mut warnings: Vec<String> = facts.damage.clone();
    if !warnings.is_empty() {
        warnings.insert(
            0,
            format!(
                "JOURNAL DAMAGED OR TAMPERED WITH: {} {} checks; run `attache journal verify`",
                crate::words::count(facts.damage.len() as u64, "record", "records"),
                if facts.damage.len() == 1 { "failed its" } else { "failed their" }
            ),
        );
    }
    WithoutItems(Brief {
        format: FORMAT,
        desk: Desk { name: one_line(&config.desk_name), tz: config.desk_tz.name().to_string() },
        period: Period {
            from,
            to,
            from_local: local(from, config.desk_tz),
            to_local: local(to, config.desk_tz),
        },
        generated_at: request.generated_at,
        operator: one_line(&request.operator),
        provenance: facts.provenance.clone(),
        configuration: configuration(in_force, facts),
        warnings,
        missions,
        mission_status,
        rollcalls,
        other_alerts,
        other_alerts_total,
        exercise,
        contacts,
        feeds,
        notes,
        handovers,
        other_desks,
        review: None,
    })
}

/// The briefed missions' status changes; a change from no earlier one in the record is from
/// the status the configuration gives the mission.
fn status_changes(facts: &Facts, selected: &[&Mission]) -> Vec<StatusChange> {
    facts
        .status_changes
        .iter()
        .filter_map(|c| {
            let m = selected.iter().find(|m| m.id == c.mission)?;
            Some(StatusChange {
                seq: c.seq,
                at: c.ts,
                mission: one_line(&c.mission),
                from: c.from.unwrap_or(m.status).label().to_string(),
                to: c.to.label().to_string(),
                by: c.by.clone(),
                note: c.note.clone(),
            })
        })
        .collect()
}

/// The roll-calls opened in the period, or opened before it and still open at its start, of
/// the briefed missions (an alert's roll-call by the missions its alert names), as the record
/// stood at the period's end.
fn rollcalls(
    facts: &Facts,
    selected: &[&Mission],
    every_mission: bool,
    from: DateTime<Utc>,
) -> Vec<RollcallBrief> {
    let mut calls: Vec<&crate::state::Rollcall> = facts
        .rollcalls
        .values()
        .filter(|r| briefed_rollcall(r, from))
        .filter(|r| {
            let briefed = |m: &String| selected.iter().any(|s| s.id == *m);
            match (&r.mission, r.alert.as_ref().and_then(|a| facts.alerts.get(a))) {
                (Some(mission), _) => briefed(mission),
                // An alert's roll-call goes with the alert: its missions', or every briefing's.
                (None, Some(alert)) => alert.missions.is_empty() || alert.missions.iter().any(briefed),
                // Whose it is is no longer known (its alert long resolved): the whole desk's.
                (None, None) => every_mission,
            }
        })
        .collect();
    calls.sort_by_key(|r| r.seq);
    calls.into_iter().map(|r| rollcall_brief(r, facts)).collect()
}

/// A roll-call as a briefing gives it, its answers as they stood at the period's end.
fn rollcall_brief(r: &crate::state::Rollcall, facts: &Facts) -> RollcallBrief {
    RollcallBrief {
        id: one_line(&r.id),
        seq: r.seq,
        opened_at: r.opened_at,
        opened_by: r.opened_by.clone(),
        reason: r.reason.clone(),
        mission: r.mission.clone(),
        alert: r.alert.as_deref().map(one_line),
        alert_title: r.alert.as_ref().and_then(|id| Some(one_line(&facts.alerts.get(id)?.title))),
        deadline: r.deadline,
        contacts: r
            .contacts
            .iter()
            .map(|c| {
                let taken = r.answers.get(c);
                RollcallAnswer {
                    contact: c.clone(),
                    answer: taken.map(|t| t.answer.as_str()),
                    by: taken.map(|t| t.by.clone()),
                    at: taken.map(|t| t.at),
                    seq: taken.map(|t| t.seq),
                    note: taken.and_then(|t| t.note.clone()),
                }
            })
            .collect(),
        unreached_at_end: r.unreached(),
        overdue_at: r.overdue.as_ref().map(|(at, _)| *at),
        closed: r.closed.as_ref().map(|c| RollcallClosing {
            at: c.at,
            by: c.by.clone(),
            seq: c.seq,
            reason: c.reason.clone(),
        }),
    }
}

/// A roll-call a briefing lists: opened in the period, or opened before it and still open at its
/// start.
fn briefed_rollcall(r: &crate::state::Rollcall, from: DateTime<Utc>) -> bool {
    r.opened_at >= from || r.closed.as_ref().is_none_or(|c| c.at >= from)
}

/// Desk `desk`'s missions at the end of the period, by id.
fn missions_of(
    desk: &str,
    facts: &Facts,
    in_period: &impl Fn(DateTime<Utc>) -> bool,
) -> Vec<OtherMissionBrief> {
    let prefix = format!("{desk}/");
    facts
        .elsewhere
        .missions
        .range(prefix.clone()..)
        .take_while(|(key, _)| key.starts_with(&prefix))
        .map(|(key, other)| OtherMissionBrief {
            id: other.id(key).to_string(),
            name: other.mission.as_ref().map(|m| m.name.clone()),
            status: other.status().map_or("unknown", |s| s.label()).to_string(),
            changed: other
                .mark
                .as_ref()
                .filter(|_| other.mark_received.is_some_and(in_period))
                .map(|m| OtherStatusChange { at: m.at, by: m.by.clone(), line: m.line.clone() }),
        })
        .collect()
}

/// Desk `desk`'s notes that reached this desk in the period, in the order received, each at the
/// time written there.
fn notes_of(desk: &str, facts: &Facts, in_period: &impl Fn(DateTime<Utc>) -> bool) -> Vec<Note> {
    let theirs = facts.elsewhere.notes.iter().filter(|n| n.desk == desk && in_period(n.received));
    theirs
        .map(|n| Note {
            seq: n.seq,
            ts: n.at,
            operator: n.operator.clone(),
            text: n.text.clone(),
            about: n.about.clone(),
        })
        .collect()
}

/// Desk `desk`'s check-ins received in the period, in the order received.
fn check_ins_of(desk: &str, facts: &Facts, in_period: &impl Fn(DateTime<Utc>) -> bool) -> Vec<CheckIn> {
    let theirs = facts.elsewhere.check_ins.iter().filter(|c| c.desk == desk && in_period(c.received));
    theirs
        .map(|c| CheckIn {
            seq: c.seq,
            ts: c.at,
            contact: c.contact.clone(),
            operator: c.operator.clone(),
            channel: c.channel.clone(),
            note: c.note.clone(),
        })
        .collect()
}

/// Desk `desk`'s handovers received in the period, in the order received.
fn handovers_of(
    desk: &str,
    facts: &Facts,
    in_period: &impl Fn(DateTime<Utc>) -> bool,
) -> Vec<OtherHandoverBrief> {
    let theirs = facts.elsewhere.handovers.iter().filter(|h| h.desk == desk && in_period(h.received));
    theirs
        .map(|h| OtherHandoverBrief {
            seq: h.mark.seq,
            at: h.mark.ts,
            from: h.mark.by.clone(),
            to: h.mark.to.clone(),
            open_alerts: h.mark.open_alerts,
            open_rollcalls: h.mark.open_rollcalls,
            overdue_contacts: h.mark.overdue_contacts,
            feeds_down: h.mark.feeds_down,
        })
        .collect()
}

/// Desk `desk`'s roll-calls opened in the period or open at its start, in the order opened.
fn rollcalls_of(desk: &str, facts: &Facts, from: DateTime<Utc>) -> Vec<RollcallBrief> {
    let prefix = format!("{desk}/");
    let mut calls: Vec<&crate::state::Rollcall> = facts
        .elsewhere
        .rollcalls
        .values()
        .filter(|r| r.id.starts_with(&prefix))
        .filter(|r| briefed_rollcall(r, from))
        .collect();
    calls.sort_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)));
    calls.into_iter().map(|r| rollcall_brief(r, facts)).collect()
}

fn configuration(in_force: &InForce, facts: &Facts) -> Configuration {
    Configuration {
        source: if in_force.from_record() { "record" } else { "today" },
        loaded_seq: facts.config.as_ref().map(|c| c.seq),
        changes_in_period: facts.config_changes.len(),
        last_change: facts.config_changes.last().map(|&(seq, at)| Change { seq, at }),
    }
}

/// An acknowledgement's note or a resolution's reason, as a briefing shows it: none if empty.
fn text(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.is_empty()).map(str::to_string)
}

fn alert_line(a: &Alert) -> AlertLine {
    let state = match (a.state, a.escalated_at) {
        (AlertState::Resolved, _) => "resolved",
        (AlertState::Acknowledged, _) => "acknowledged",
        (AlertState::Open, Some(_)) => "escalated",
        (AlertState::Open, None) => "open",
    };
    AlertLine {
        id: one_line(&a.id),
        raised: a.raised,
        severity: a.severity,
        title: a.title.clone(),
        feed: a.feed.clone(),
        traffic: a.traffic,
        missions: a.missions.clone(),
        state,
        escalated: a.escalated_at,
        acknowledged: a.acknowledged.as_ref().map(|ack| Step {
            by: ack.by.clone(),
            at: ack.at,
            text: text(ack.note.as_deref()),
        }),
        resolved: a.resolution.as_ref().zip(a.resolved_at).map(|(r, at)| Step {
            by: r.by.clone(),
            at,
            text: text(Some(&r.reason)),
        }),
    }
}

/// Alerts most severe first, then oldest.
fn most_severe_first(a: &&Alert, b: &&Alert) -> std::cmp::Ordering {
    let key = |a: &Alert| (std::cmp::Reverse(a.severity), a.raised);
    key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
}

/// The first `n` entries offered, in `order` (a total order), kept sorted, and how many were
/// offered. Lists are capped and a busy week's are long: most entries lose to the last kept
/// on the first fields compared, and are dropped.
struct FirstN<T> {
    n: usize,
    order: fn(&T, &T) -> std::cmp::Ordering,
    first: Vec<T>,
    offered: usize,
}

impl<T> FirstN<T> {
    fn new(n: usize, order: fn(&T, &T) -> std::cmp::Ordering) -> Self {
        FirstN { n, order, first: Vec::new(), offered: 0 }
    }

    fn offer(&mut self, entry: T) {
        use std::cmp::Ordering::Less;
        self.offered += 1;
        let full = self.first.len() == self.n;
        if full && self.first.last().is_none_or(|last| (self.order)(&entry, last) != Less) {
            return;
        }
        let at = self.first.partition_point(|kept| (self.order)(kept, &entry) == Less);
        self.first.insert(at, entry);
        self.first.truncate(self.n);
    }

    fn into_vec(self) -> Vec<T> {
        self.first
    }
}

fn contacts(config: &Config, facts: &Facts, request: &Request, missions: &[MissionBrief]) -> Contacts {
    let busy: Vec<&str> = missions.iter().filter(|m| !m.raised.is_empty()).map(|m| m.id.as_str()).collect();
    let mut out = Contacts::default();
    // A briefing on some missions lists the contacts linked to them, and no others.
    let linked =
        |c: &&Contact| request.missions.is_empty() || c.missions.iter().any(|m| request.missions.contains(m));
    for c in config.contacts.iter().filter(linked) {
        let last = crate::state::last_contact(&facts.check_ins, c);
        let at_end = c.status_at(request.to, last);
        if let Some(by) = at_end.overdue_by {
            out.overdue.push(Overdue {
                name: one_line(&c.name),
                role: c.role.label().to_string(),
                post: one_line(&c.post),
                last_contact: last,
                overdue_s: last.map(|_| by.num_seconds()),
            });
        }
        let check_ins = facts.check_ins_in_period.get(&c.name).copied().unwrap_or(0);
        if check_ins > 0 || c.missions.iter().any(|m| busy.contains(&m.as_str())) {
            let now = c.status_at(request.generated_at, last);
            out.active.push(ActiveContact {
                name: one_line(&c.name),
                role: c.role.label().to_string(),
                tz: c.tz.name().to_string(),
                local_now: local_clock(now.local),
                on_duty_now: now.on_duty,
                check_ins,
                last_check_in: facts.last_check_in_said.get(&c.name).cloned(),
            });
        }
    }
    let briefed: Vec<&str> = config.contacts.iter().filter(linked).map(|c| c.name.as_str()).collect();
    out.check_ins = facts
        .check_in_log
        .iter()
        .filter(|c| request.missions.is_empty() || briefed.contains(&c.contact.as_str()))
        .map(|c| CheckIn {
            seq: c.seq,
            ts: c.ts,
            contact: one_line(&c.contact),
            operator: c.operator.clone(),
            channel: c.channel.clone(),
            note: c.note.clone(),
        })
        .collect();
    out.check_ins_total = super::model::cap(&mut out.check_ins);
    // Never contacted first, then the longest overdue.
    out.overdue.sort_by(|a, b| {
        a.overdue_s
            .unwrap_or(i64::MAX)
            .cmp(&b.overdue_s.unwrap_or(i64::MAX))
            .reverse()
            .then(a.name.cmp(&b.name))
    });
    out
}

fn feeds(config: &Config, facts: &Facts, to: DateTime<Utc>) -> Feeds {
    let mut outages: Vec<OutageLine> = facts
        .outages
        .iter()
        .map(|o| OutageLine {
            feed: o.feed.to_string(),
            start: o.start,
            end: o.end,
            duration_s: (o.end.unwrap_or(to) - o.start).num_seconds(),
        })
        .collect();
    let stale = config
        .feeds
        .iter()
        .filter_map(|f| {
            let last_ok = facts.feeds.get(&f.name).and_then(|h| h.last_ok);
            crate::feeds::is_stale(f, last_ok, to).then(|| Stale { feed: one_line(&f.name), last_ok })
        })
        .collect();
    Feeds { outages_total: cap(&mut outages), outages, stale }
}

fn note(n: &super::collect::NoteFact) -> Note {
    Note { seq: n.seq, ts: n.ts, operator: n.operator.clone(), text: n.text.clone(), about: n.about.clone() }
}

#[cfg(test)]
mod tests {
    use super::FirstN;

    proptest::proptest! {
        /// Offered anything in any order, it keeps what sorting all and taking the first `n` gives.
        #[test]
        fn first_n_is_the_head_of_the_sorted_list(list: Vec<(u8, u8)>, n in 0usize..12) {
            let mut first = FirstN::new(n, |a: &(u8, u8), b: &(u8, u8)| a.cmp(b));
            list.iter().for_each(|e| first.offer(*e));
            proptest::prop_assert_eq!(first.offered, list.len());
            let mut sorted = list;
            sorted.sort();
            sorted.truncate(n);
            proptest::prop_assert_eq!(first.into_vec(), sorted);
        }
    }
}
