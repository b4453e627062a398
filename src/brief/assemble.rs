//! Setting the journal's facts against the desk: which alerts belong to which mission, which
//! items lie near it, which contacts are overdue, which feeds are stale. Pure: the clock comes
//! in as `generated_at`, so the same facts and request always give the same briefing.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::collect::{Action, AlertFact, Facts, ItemFact, NearItem};
use super::model::*;
use crate::config::Config;
use crate::domain::{Mission, MissionStatus};
use crate::text::one_line;

/// How many items near a mission a briefing lists; the journal has the rest.
const ITEMS_PER_MISSION: usize = 10;
/// A polled feed with no success for this many intervals is stale (as in the Feeds pane).
const STALE_INTERVALS: u32 = 3;

/// What a briefing covers, and the two things that are not in the journal.
#[derive(Clone, Debug)]
pub struct Request {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Mission ids to brief; empty for all.
    pub missions: Vec<String>,
    pub generated_at: DateTime<Utc>,
    pub operator: String,
}

pub fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
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

pub fn assemble(config: &Config, facts: &Facts, request: &Request) -> Brief {
    let (from, to) = (request.from, request.to);
    let in_period = |t: DateTime<Utc>| t >= from && t <= to;
    let line = |a: &AlertFact| alert_line(a);
    let selected = briefed(config, request);
    let raised: Vec<&AlertFact> = facts.alerts.values().filter(|a| in_period(a.raised)).collect();

    let mut missions: Vec<MissionBrief> = selected
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let names = |a: &&&AlertFact| a.missions.iter().any(|id| id == &m.id) && a.traffic.is_real();
            let mut counts = Counts::default();
            let mut mine: Vec<&AlertFact> = raised.iter().filter(names).copied().collect();
            mine.iter().for_each(|a| counts.add(a.severity));
            mine.sort_by(|a, b| {
                b.severity.cmp(&a.severity).then(a.raised.cmp(&b.raised)).then(a.id.cmp(&b.id))
            });
            let mut open: Vec<&AlertFact> = facts
                .alerts
                .values()
                .filter(|a| a.open() && a.traffic.is_real() && a.missions.iter().any(|id| id == &m.id))
                .collect();
            open.sort_by(|a, b| {
                b.severity.cmp(&a.severity).then(a.raised.cmp(&b.raised)).then(a.id.cmp(&b.id))
            });
            let near = items_near(&facts.items, (index, m), true, ITEMS_PER_MISSION);
            // Capped before the lines are made: a busy desk has thousands open.
            let (raised_total, open_at_end_total) = (cap(&mut mine), cap(&mut open));
            MissionBrief {
                id: one_line(&m.id),
                name: one_line(&m.name),
                kind: m.kind.label().to_string(),
                status: m.status.label().to_string(),
                alerts_raised: counts,
                raised_total,
                raised: mine.into_iter().map(line).collect(),
                open_at_end_total,
                open_at_end: open.into_iter().map(line).collect(),
                items_near: near,
            }
        })
        .collect();
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
    missions.sort_by(|a, b| urgency(a).cmp(&urgency(b)).then_with(|| a.id.cmp(&b.id)));

    let briefed = |a: &AlertFact| a.missions.iter().any(|id| selected.iter().any(|m| &m.id == id));
    let mut other_alerts: Vec<AlertLine> = if request.missions.is_empty() {
        raised.iter().filter(|a| a.traffic.is_real() && !briefed(a)).map(|a| line(a)).collect()
    } else {
        Vec::new()
    };
    let other_alerts_total = cap(&mut other_alerts);
    let mut exercise_alerts: Vec<AlertLine> = raised
        .iter()
        .filter(|a| !a.traffic.is_real() && (request.missions.is_empty() || briefed(a)))
        .map(|a| line(a))
        .collect();
    let mut exercise_items: Vec<ItemLine> =
        selected.iter().enumerate().flat_map(|m| items_near(&facts.items, m, false, usize::MAX)).collect();
    merge_items(&mut exercise_items);
    let exercise = Exercise {
        alerts_total: cap(&mut exercise_alerts),
        alerts: exercise_alerts,
        items_total: cap(&mut exercise_items),
        items: exercise_items,
    };
    let contacts = contacts(config, facts, request, &missions);
    let feeds = feeds(config, facts, to);
    let notes = facts
        .notes
        .iter()
        .map(|n| Note { seq: n.seq, ts: n.ts, operator: n.operator.clone(), text: n.text.clone() })
        .collect();
    let mut warnings: Vec<String> = facts.damage.clone();
    if !warnings.is_empty() {
        warnings.insert(
            0,
            format!(
                "JOURNAL DAMAGED OR TAMPERED WITH: {} record(s) failed their checks; run `attache journal verify`",
                facts.damage.len()
            ),
        );
    }
    Brief {
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
        warnings,
        missions,
        other_alerts,
        other_alerts_total,
        exercise,
        contacts,
        feeds,
        notes,
    }
}

fn step(action: &Option<Action>) -> Option<Step> {
    action.as_ref().map(|a| Step { by: a.by.clone(), at: a.at, text: a.text.clone() })
}

fn alert_line(a: &AlertFact) -> AlertLine {
    let state = match (&a.resolved, &a.acknowledged, a.escalated) {
        (Some(_), _, _) => "resolved",
        (None, Some(_), _) => "acknowledged",
        (None, None, Some(_)) => "escalated",
        (None, None, None) => "open",
    };
    AlertLine {
        id: a.id.clone(),
        raised: a.raised,
        severity: a.severity,
        title: a.title.clone(),
        feed: a.feed.clone(),
        traffic: a.traffic,
        missions: a.missions.clone(),
        state,
        escalated: a.escalated,
        acknowledged: step(&a.acknowledged),
        resolved: step(&a.resolved),
    }
}

/// Items (real-world or not, as asked) near the mission (the `index`th briefed), as the
/// journal's reading measured them (within `LINK_KM` of its area), most severe first, then
/// nearest, then newest; at most `limit` of them. Lines are made only for those kept: a busy
/// week has tens of thousands of items near a mission.
fn items_near(
    items: &[NearItem],
    (index, mission): (usize, &&Mission),
    real: bool,
    limit: usize,
) -> Vec<ItemLine> {
    let mut near: Vec<(&ItemFact, u32)> = items
        .iter()
        .filter(|n| n.item.traffic.is_real() == real)
        .filter_map(|n| Some((&n.item, n.near.iter().find(|(i, _)| *i == index)?.1)))
        .collect();
    let order = |(a, a_km): &(&ItemFact, u32), (b, b_km): &(&ItemFact, u32)| {
        b.severity
            .cmp(&a.severity)
            .then(a_km.cmp(b_km))
            .then(b.ts.cmp(&a.ts))
            .then(a.id.cmp(&b.id))
            .then(a.feed.cmp(&b.feed))
    };
    if near.len() > limit {
        near.select_nth_unstable_by(limit, order);
        near.truncate(limit);
    }
    near.sort_by(order);
    near.into_iter()
        .map(|(f, km)| ItemLine {
            ts: f.ts,
            feed: f.feed.clone(),
            id: f.id.clone(),
            severity: f.severity,
            title: f.title.clone(),
            traffic: f.traffic,
            km,
            missions: vec![one_line(&mission.id)],
        })
        .collect()
}

/// One line per item when it is near several missions, naming them all; in time order.
fn merge_items(items: &mut Vec<ItemLine>) {
    items.sort_by(|a, b| {
        a.ts.cmp(&b.ts).then(a.feed.cmp(&b.feed)).then(a.id.cmp(&b.id)).then(a.km.cmp(&b.km))
    });
    let mut merged: Vec<ItemLine> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        match merged.last_mut() {
            Some(last) if last.feed == item.feed && last.id == item.id => last.missions.extend(item.missions),
            _ => merged.push(item),
        }
    }
    *items = merged;
}

fn contacts(config: &Config, facts: &Facts, request: &Request, missions: &[MissionBrief]) -> Contacts {
    let busy: Vec<&str> = missions.iter().filter(|m| !m.raised.is_empty()).map(|m| m.id.as_str()).collect();
    let mut out = Contacts::default();
    for c in &config.contacts {
        let checked = facts.check_ins.get(&c.name);
        let last = checked.map(|(t, _)| *t).max(c.last_contact);
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
        let check_ins = checked.map_or(0, |(_, n)| *n);
        if check_ins > 0 || c.missions.iter().any(|m| busy.contains(&m.as_str())) {
            let now = c.status_at(request.generated_at, last);
            out.active.push(ActiveContact {
                name: one_line(&c.name),
                role: c.role.label().to_string(),
                tz: c.tz.name().to_string(),
                local_now: now.local.format("%Y-%m-%d %H:%M %Z").to_string(),
                on_duty_now: now.on_duty,
                check_ins,
            });
        }
    }
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
            feed: o.feed.clone(),
            start: o.start,
            end: o.end,
            duration_s: (o.end.unwrap_or(to) - o.start).num_seconds(),
        })
        .collect();
    let stale = config
        .feeds
        .iter()
        .filter(|f| f.enabled && f.source.is_polled())
        .filter_map(|f| {
            let last_ok = facts.last_ok.get(&f.name).copied();
            let limit =
                chrono::Duration::from_std(f.every * STALE_INTERVALS).unwrap_or(chrono::Duration::MAX);
            let stale = last_ok.is_none_or(|t| to.signed_duration_since(t) > limit);
            stale.then(|| Stale { feed: one_line(&f.name), last_ok })
        })
        .collect();
    Feeds { outages_total: cap(&mut outages), outages, stale }
}
