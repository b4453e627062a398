//! Rendering a briefing: shared wording for the Markdown and text forms, the text form itself
//! (80 columns, for a terminal, a printer or a signal), and the JSON form.

use chrono::{DateTime, Utc};

use super::model::*;
use crate::domain::Traffic;

/// Output formats of `attache brief`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BriefFormat {
    Md,
    Text,
    Json,
}

pub fn render(brief: &Brief, format: BriefFormat) -> String {
    match format {
        BriefFormat::Md => super::markdown::render(brief),
        BriefFormat::Text => text(brief),
        BriefFormat::Json => {
            // Plain data of strings, numbers and times: serializing it cannot fail.
            let mut json = serde_json::to_string_pretty(brief).expect("a briefing serializes to JSON");
            json.push('\n');
            json
        }
    }
}

pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%MZ").to_string()
}

/// `2d 3h`, `45m`, `30s`: the two largest units.
pub fn dur(seconds: i64) -> String {
    let s = seconds.max(0);
    let parts = [(s / 86_400, "d"), (s % 86_400 / 3600, "h"), (s % 3600 / 60, "m"), (s % 60, "s")];
    let first = parts.iter().position(|(n, _)| *n > 0).unwrap_or(3);
    parts[first..]
        .iter()
        .take(2)
        .filter(|(n, _)| *n > 0 || first == 3)
        .map(|(n, u)| format!("{n}{u}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The line after a capped list: how many were left out, and where they are.
/// A check-in in words after its time: `Col. Ana Reyes by phone: "all well" (taken by duty1)`.
pub fn check_in_words(c: &CheckIn) -> String {
    let said = super::check_in_said(c.channel.as_deref(), c.note.as_deref());
    let said = said.map(|s| format!(" {s}")).unwrap_or_default();
    format!("{}{said} (taken by {})", c.contact, c.operator)
}

pub fn more(total: usize, shown: usize) -> Option<String> {
    (total > shown).then(|| format!("... and {} more (attache journal export has them all)", total - shown))
}

/// The tag a line about `title` adds to mark non-real traffic (`Traffic::tag_for`).
pub fn traffic_tag(traffic: Traffic, title: &str) -> Option<&'static str> {
    traffic.tag_for(title)
}

/// The header's line on the configuration the briefing is set against.
pub fn configuration_text(c: &Configuration) -> String {
    let reloaded = c.last_change.as_ref().map(|change| {
        let also = match c.changes_in_period {
            0 | 1 => String::new(),
            n => format!(", the last of {n} changes in the period"),
        };
        format!("configuration reloaded at {} (record #{}){also}", utc(change.at), change.seq)
    });
    match (c.source, c.loaded_seq, reloaded) {
        ("record", _, Some(reloaded)) => reloaded,
        ("record", Some(seq), None) => format!("as the journal records it (record #{seq})"),
        (_, _, reloaded) => {
            let today = "today's configuration: none recorded by the period's end".to_string();
            reloaded.map_or(today.clone(), |reloaded| format!("{today}; {reloaded}"))
        }
    }
}

pub fn ack_text(a: &AlertLine) -> String {
    match &a.acknowledged {
        Some(s) => match &s.text {
            Some(note) => format!("acknowledged by {} at {}: {note}", s.by, utc(s.at)),
            None => format!("acknowledged by {} at {}", s.by, utc(s.at)),
        },
        None => "not acknowledged".to_string(),
    }
}

pub fn resolution_text(a: &AlertLine) -> Option<String> {
    let s = a.resolved.as_ref()?;
    Some(format!("resolved by {} at {}: {}", s.by, utc(s.at), s.text.as_deref().unwrap_or("")))
}

const WIDTH: usize = 80;

/// Appends `first` and then `text` wrapped at word boundaries to 80 columns, later lines
/// indented by `indent`. A word longer than a line (a hash, a URL) is cut.
fn wrap(out: &mut String, first: &str, text: &str, indent: usize) {
    let mut line = first.to_string();
    let mut len = line.chars().count();
    // Whether the current line has a word of `text` yet (a space goes before the next).
    let mut started = false;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let wlen = word.chars().count();
        if started && len + 1 + wlen > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            len = indent;
            started = false;
        }
        if started {
            line.push(' ');
            len += 1;
        }
        let word: String = word.chars().take(WIDTH.saturating_sub(len).max(1)).collect();
        len += word.chars().count();
        line.push_str(&word);
        started = true;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn alert_text(o: &mut String, a: &AlertLine) {
    let tag = traffic_tag(a.traffic, &a.title).map(|t| format!(" [{t}]")).unwrap_or_default();
    let head = format!(
        "{} {} {}{tag} ({}, {}, {})",
        a.severity.tag(),
        utc(a.raised),
        a.title,
        a.feed,
        a.id,
        a.state.to_uppercase()
    );
    wrap(o, "  ", &head, 7);
    if let Some(t) = a.escalated {
        wrap(o, "       ", &format!("escalated {}", utc(t)), 9);
    }
    wrap(o, "       ", &ack_text(a), 9);
    if let Some(text) = resolution_text(a) {
        wrap(o, "       ", &text, 9);
    }
}

/// Alerts by severity, as a count line gives them.
fn counts(c: &Counts) -> String {
    format!("CRIT {} SEVR {} MODR {} MINR {} INFO {}", c.critical, c.severe, c.moderate, c.minor, c.info)
}

/// A list of alerts under `label`, and how many more there were; nothing when it is empty.
fn alert_list(o: &mut String, label: &str, alerts: &[AlertLine], total: usize) {
    if !alerts.is_empty() {
        o.push_str(label);
        alerts.iter().for_each(|a| alert_text(o, a));
        more_text(o, total, alerts.len());
    }
}

fn item_text(o: &mut String, i: &ItemLine) {
    let tag = traffic_tag(i.traffic, &i.title).map(|t| format!(" [{t}]")).unwrap_or_default();
    let text = format!(
        "{} {} {}{tag} ({}, {} km of {})",
        i.severity.tag(),
        utc(i.ts),
        i.title,
        i.feed,
        i.km,
        i.missions.join(", ")
    );
    wrap(o, "  ", &text, 7);
}

fn more_text(o: &mut String, total: usize, shown: usize) {
    if let Some(line) = more(total, shown) {
        wrap(o, "  ", &line, 4);
    }
}

fn heading(o: &mut String, title: &str) {
    o.push('\n');
    o.push_str(title);
    o.push('\n');
    o.push_str(&"=".repeat(title.chars().count().min(WIDTH)));
    o.push('\n');
}

fn text(b: &Brief) -> String {
    let mut o = String::new();
    wrap(&mut o, "SITREP: ", &b.desk.name, 2);
    for w in &b.warnings {
        wrap(&mut o, "*** WARNING: ", w, 4);
    }
    let p = &b.provenance;
    wrap(&mut o, "Period:    ", &format!("{} to {} UTC", utc(b.period.from), utc(b.period.to)), 11);
    wrap(
        &mut o,
        "           ",
        &format!("{} to {} ({})", b.period.from_local, b.period.to_local, b.desk.tz),
        11,
    );
    wrap(&mut o, "Generated: ", &format!("{} by {}", utc(b.generated_at), b.operator), 11);
    let seqs = match (p.first_seq, p.last_seq) {
        (Some(a), Some(z)) => {
            format!("seq {a} to {z} ({})", crate::words::count(p.records, "record", "records"))
        }
        _ => "no records in the period".to_string(),
    };
    wrap(&mut o, "Journal:   ", &seqs, 11);
    wrap(&mut o, "Head:      ", p.head.as_deref().unwrap_or("-"), 11);
    wrap(&mut o, "Config:    ", &configuration_text(&b.configuration), 11);

    heading(&mut o, "MISSIONS");
    for m in &b.missions {
        let c = &m.alerts_raised;
        wrap(&mut o, "", &format!("{} - {} ({}, {})", m.id, m.name, m.kind, m.status), 2);
        if let Some(line) = &m.status_line {
            wrap(&mut o, "  Status line: ", line, 4);
        }
        let raised =
            format!("Alerts raised {} ({}), open at end {}", c.total(), counts(c), m.open_at_end_total);
        wrap(&mut o, "  ", &raised, 4);
        alert_list(&mut o, " Raised in the period:\n", &m.raised, m.raised_total);
        alert_list(&mut o, " Still open at the end:\n", &m.open_at_end, m.open_at_end_total);
        if !m.items_near.is_empty() {
            o.push_str(" Notable items nearby:\n");
            m.items_near.iter().for_each(|i| item_text(&mut o, i));
        }
        if !m.notes.is_empty() {
            o.push_str(" Operator notes on the mission:\n");
            for n in &m.notes {
                wrap(&mut o, "  ", &format!("{} #{} {}: {}", utc(n.ts), n.seq, n.operator, n.text), 4);
            }
        }
        o.push('\n');
    }
    if !b.other_alerts.is_empty() {
        o.push_str("Alerts for no briefed mission:\n");
        b.other_alerts.iter().for_each(|a| alert_text(&mut o, a));
        more_text(&mut o, b.other_alerts_total, b.other_alerts.len());
    }

    if !b.other_desks.is_empty() {
        heading(&mut o, "OTHER DESKS");
        o.push_str("As their records held here tell them; acted on there.\n");
        for d in &b.other_desks {
            let c = &d.alerts_raised;
            let received = format!(
                "{}: real-world alerts received {} ({}), open at end {}",
                d.desk,
                c.total(),
                counts(c),
                d.open_at_end_total
            );
            wrap(&mut o, "", &received, 2);
            let label = " Received in the period (each at the time that desk raised it):\n";
            alert_list(&mut o, label, &d.raised, d.raised_total);
            alert_list(&mut o, " Still open at the end:\n", &d.open_at_end, d.open_at_end_total);
            if !d.rollcalls.is_empty() {
                o.push_str(" Roll-calls there (their record numbers):\n");
                d.rollcalls.iter().for_each(|r| rollcall_text(&mut o, r));
            }
            if !d.notes.is_empty() {
                o.push_str(" Notes there (their record numbers):\n");
                d.notes.iter().for_each(|n| note_text(&mut o, n));
            }
            if !d.missions.is_empty() {
                o.push_str(" Missions there at the end:\n");
                d.missions.iter().for_each(|m| wrap(&mut o, "  ", &other_mission(m, |t| t.to_string()), 4));
            }
            if !d.check_ins.is_empty() {
                o.push_str(" Check-ins there (their record numbers):\n");
                for c in &d.check_ins {
                    wrap(&mut o, "  ", &format!("{} #{} {}", utc(c.ts), c.seq, check_in_words(c)), 4);
                }
                more_text(&mut o, d.check_ins_total, d.check_ins.len());
            }
            if !d.handovers.is_empty() {
                o.push_str(" Handovers there (their record numbers):\n");
                d.handovers.iter().for_each(|h| wrap(&mut o, "  ", &other_handover(h, |t| t.to_string()), 4));
            }
        }
    }

    heading(&mut o, "MISSION STATUS");
    if b.mission_status.is_empty() {
        o.push_str("No changes in the period.\n");
    }
    for c in &b.mission_status {
        let note = c.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
        let text = format!("{} #{} {} {} -> {} by {}{note}", utc(c.at), c.seq, c.mission, c.from, c.to, c.by);
        wrap(&mut o, "  ", &text, 4);
    }

    heading(&mut o, "ROLL-CALLS");
    if b.rollcalls.is_empty() {
        o.push_str("None in the period.\n");
    }
    for r in &b.rollcalls {
        rollcall_text(&mut o, r);
    }

    heading(&mut o, "EXERCISE AND TEST TRAFFIC - NOT REAL WORLD");
    if b.exercise.alerts.is_empty() && b.exercise.items.is_empty() {
        o.push_str("None in the period.\n");
    }
    b.exercise.alerts.iter().for_each(|a| alert_text(&mut o, a));
    more_text(&mut o, b.exercise.alerts_total, b.exercise.alerts.len());
    b.exercise.items.iter().for_each(|i| item_text(&mut o, i));
    more_text(&mut o, b.exercise.items_total, b.exercise.items.len());

    heading(&mut o, "CONTACTS");
    o.push_str("Overdue for a check-in at the end of the period:\n");
    if b.contacts.overdue.is_empty() {
        o.push_str("  none\n");
    }
    for c in &b.contacts.overdue {
        let by = c.overdue_s.map_or("never contacted".to_string(), |s| format!("overdue {}", dur(s)));
        wrap(&mut o, "  ", &format!("{} ({}, {}): {by}", c.name, c.role, c.post), 4);
    }
    o.push_str("With activity, local time now:\n");
    if b.contacts.active.is_empty() {
        o.push_str("  none\n");
    }
    for c in &b.contacts.active {
        let duty = if c.on_duty_now { "on duty" } else { "off duty" };
        let check_ins = crate::words::count(c.check_ins, "check-in", "check-ins");
        let last = c.last_check_in.as_ref().map(|l| format!(", the last {l}")).unwrap_or_default();
        let text = format!("{} ({}): {} ({duty}), {check_ins}{last}", c.name, c.role, c.local_now);
        wrap(&mut o, "  ", &text, 4);
    }
    o.push_str("Check-ins in the period:\n");
    if b.contacts.check_ins.is_empty() {
        o.push_str("  none\n");
    }
    for c in &b.contacts.check_ins {
        wrap(&mut o, "  ", &format!("{} #{} {}", utc(c.ts), c.seq, check_in_words(c)), 4);
    }
    more_text(&mut o, b.contacts.check_ins_total, b.contacts.check_ins.len());

    heading(&mut o, "FEEDS");
    if b.feeds.outages.is_empty() {
        o.push_str("No outages in the period.\n");
    }
    for f in &b.feeds.outages {
        let end = f.end.map_or("still down".to_string(), |t| format!("back {}", utc(t)));
        wrap(&mut o, "  ", &format!("{}: down {}, {end} ({})", f.feed, utc(f.start), dur(f.duration_s)), 4);
    }
    more_text(&mut o, b.feeds.outages_total, b.feeds.outages.len());
    for s in &b.feeds.stale {
        let last = s.last_ok.map_or("never".to_string(), utc);
        wrap(&mut o, "  ", &format!("STALE at the end: {} (last good poll {last})", s.feed), 4);
    }

    heading(&mut o, "OPERATOR NOTES");
    if b.notes.is_empty() {
        o.push_str("None in the period.\n");
    }
    for n in &b.notes {
        note_text(&mut o, n);
    }

    heading(&mut o, "HANDOVER");
    if b.handovers.is_empty() {
        o.push_str("None in the period.\n");
    }
    for h in &b.handovers {
        use super::markdown::handed;
        let to = h.to.as_ref().map(|to| format!(" to {to}")).unwrap_or_default();
        let signed = if h.signed { ", signed" } else { "" };
        let head = format!("journal head #{} sum {}", h.head.seq, h.head.sum);
        wrap(&mut o, "  ", &format!("{} #{} {}{to} ({head}{signed})", utc(h.at), h.seq, h.from), 4);
        let alerts =
            h.open_alerts.iter().map(|a| format!("{} {} ({})", a.severity.tag(), a.title, a.id)).collect();
        wrap(&mut o, "    ", &format!("open alerts: {}", handed(alerts)), 6);
        let rollcalls = h.open_rollcalls.iter().map(super::markdown::handed_rollcall).collect();
        wrap(&mut o, "    ", &format!("open roll-calls: {}", handed(rollcalls)), 6);
        wrap(&mut o, "    ", &format!("overdue contacts: {}", handed(h.overdue_contacts.clone())), 6);
        wrap(&mut o, "    ", &format!("feeds down: {}", handed(h.feeds_down.clone())), 6);
        wrap(&mut o, "    ", &format!("sheet: {}", h.sheet), 6);
    }
    if let Some(review) = &b.review {
        heading(&mut o, "AFTER-ACTION REVIEW NOTES");
        wrap(&mut o, "", &review_source(review), 0);
        for n in &review.notes {
            wrap(&mut o, "  ", &review_line(n, |s| s.to_string()), 4);
        }
        for line in &review.unreadable {
            wrap(&mut o, "  ", &format!("UNREADABLE: {line}"), 4);
        }
    }
    o
}

/// One review note: when it is about, the record shown then, who wrote it and when, its text
/// (the operator's and the text through `esc`, as the format needs).
pub(crate) fn review_line(n: &crate::review::ReviewNote, esc: impl Fn(&str) -> String) -> String {
    let (at, written) = (utc(n.at), utc(n.written));
    format!("{at} at #{} {} (written {written}): {}", n.seq, esc(&n.operator), esc(&n.text))
}

/// Where the review notes come from, and that the record's sums do not cover them.
pub(crate) fn review_source(review: &super::model::Review) -> String {
    format!(
        "Written in replays after the watch, about the moments listed; kept in {} beside the journal, \
         not part of the record and not covered by its sums.",
        review.file
    )
}

fn rollcall_text(o: &mut String, r: &RollcallBrief) {
    let about = match (&r.mission, &r.alert_title, &r.alert) {
        (Some(mission), _, _) => format!("mission {mission}"),
        (None, Some(title), _) | (None, None, Some(title)) => format!("alert {title}"),
        (None, None, None) => "the desk".to_string(),
    };
    wrap(o, "", &format!("{} #{} for {about}, by {}: {}", utc(r.opened_at), r.seq, r.opened_by, r.reason), 2);
    let mut standing = format!("deadline {}", utc(r.deadline));
    if let Some(at) = r.overdue_at {
        standing.push_str(&format!(", OVERDUE {}", utc(at)));
    }
    match &r.closed {
        Some(c) => {
            let why = c.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
            standing.push_str(&format!(", closed {} #{} by {}{why}", utc(c.at), c.seq, c.by));
        }
        None => standing.push_str(", open at the end of the period"),
    }
    wrap(o, "  ", &standing, 4);
    for c in &r.contacts {
        let text = match (c.answer, &c.by, c.at, c.seq) {
            (Some(answer), Some(by), Some(at), Some(seq)) => {
                let answer = super::markdown::answer_words(answer).replace("**", "");
                let note = c.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
                format!("{}: {answer}, taken by {by} {} #{seq}{note}", c.contact, utc(at))
            }
            _ => format!("{}: no answer", c.contact),
        };
        wrap(o, "  - ", &text, 4);
    }
}

fn note_text(o: &mut String, n: &Note) {
    let about = n.about.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
    wrap(o, "  ", &format!("{} #{} {}{about}: {}", utc(n.ts), n.seq, n.operator, n.text), 4);
}

/// Another desk's mission in one line, its words passed through `text` (markdown escapes them):
/// `KFOR Kosovo Force: suspended (set 2026-11-25 06:00Z by kovac@pristina: road shut)`.
pub(super) fn other_mission(m: &OtherMissionBrief, text: impl Fn(&str) -> String) -> String {
    let name = m.name.as_deref().map(|n| format!(" {}", text(n))).unwrap_or_default();
    let changed = m.changed.as_ref().map_or(String::new(), |c| {
        let line = c.line.as_deref().map(|l| format!(": {}", text(l))).unwrap_or_default();
        format!(" (set {} by {}{line})", utc(c.at), text(&c.by))
    });
    format!("{}{name}: {}{changed}", text(&m.id), m.status)
}

/// Another desk's handover in one line: `2026-12-07 06:00Z #812 kovac@pristina to ortiz: open
/// alerts 2, open roll-calls 0, overdue contacts 1, feeds down 0`.
pub(super) fn other_handover(h: &OtherHandoverBrief, text: impl Fn(&str) -> String) -> String {
    let to = h.to.as_deref().map(|to| format!(" to {}", text(to))).unwrap_or_default();
    format!(
        "{} #{} {}{to}: open alerts {}, open roll-calls {}, overdue contacts {}, feeds down {}",
        utc(h.at),
        h.seq,
        text(&h.from),
        h.open_alerts,
        h.open_rollcalls,
        h.overdue_contacts,
        h.feeds_down
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_show_two_units() {
        assert_eq!(dur(0), "0s");
        assert_eq!(dur(45), "45s");
        assert_eq!(dur(3600 + 120), "1h 2m");
        assert_eq!(dur(2 * 86_400 + 3 * 3600 + 59), "2d 3h");
        assert_eq!(dur(86_400 + 30), "1d");
    }

    #[test]
    fn wrapping_keeps_every_line_within_80_columns() {
        let mut out = String::new();
        let long = format!("{} {}", "word ".repeat(40), "x".repeat(120));
        wrap(&mut out, "  ", &long, 4);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(out.lines().skip(1).all(|l| l.starts_with("    ")));
    }
}
