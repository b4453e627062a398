//! The briefing as Markdown: plain to read in a terminal or a mail, and tidy in a renderer.
//! Every piece of text from the journal was folded to one line when collected; here it is also
//! escaped, so a feed title cannot turn into a link, a heading or a table break.

use std::fmt::Write as _;

use super::model::*;
use super::render::{ack_text, configuration_text, dur, more, resolution_text, traffic_tag, utc};

/// Backslash-escapes the characters Markdown would act on inside a line.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// `text` as a code span, shown exactly as it is. No escape works inside a code span (`\\|`
/// shows a backslash), so none is made: the span is fenced by more backticks than any run
/// inside the text, and padded with spaces (which Markdown strips) where the text has any.
/// Not for text with a `|` in a table cell, which the table splits before reading spans.
pub(crate) fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Alerts by severity, as a count line gives them.
fn counts(c: &Counts) -> String {
    format!("CRIT {}, SEVR {}, MODR {}, MINR {}, INFO {}", c.critical, c.severe, c.moderate, c.minor, c.info)
}

/// A list of alerts under `label`, and how many more there were; nothing when it is empty.
fn alert_list(o: &mut String, label: &str, alerts: &[AlertLine], total: usize) {
    if !alerts.is_empty() {
        let _ = writeln!(o, "{label}\n");
        alerts.iter().for_each(|a| alert(o, a));
        more_md(o, total, alerts.len());
        o.push('\n');
    }
}

fn alert(out: &mut String, a: &AlertLine) {
    let _ = write!(out, "- **{}** {} {}", a.severity.tag(), utc(a.raised), esc(&a.title));
    if let Some(tag) = traffic_tag(a.traffic, &a.title) {
        let _ = write!(out, " **[{tag}]**");
    }
    let _ = writeln!(out, " ({}, {}, {})", esc(&a.feed), code(&a.id), a.state.to_uppercase());
    if let Some(t) = a.escalated {
        let _ = writeln!(out, "  - escalated {}", utc(t));
    }
    let _ = writeln!(out, "  - {}", esc(&ack_text(a)));
    if let Some(text) = resolution_text(a) {
        let _ = writeln!(out, "  - {}", esc(&text));
    }
}

fn more_md(out: &mut String, total: usize, shown: usize) {
    if let Some(line) = more(total, shown) {
        let _ = writeln!(out, "- {}", esc(&line));
    }
}

fn item(out: &mut String, i: &ItemLine) {
    let _ = write!(out, "- **{}** {} {}", i.severity.tag(), utc(i.ts), esc(&i.title));
    if let Some(tag) = traffic_tag(i.traffic, &i.title) {
        let _ = write!(out, " **[{tag}]**");
    }
    let _ = writeln!(out, " ({}, {} km of {})", esc(&i.feed), i.km, esc(&i.missions.join(", ")));
}

pub fn render(b: &Brief) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# SITREP: {}\n", esc(&b.desk.name));
    for w in &b.warnings {
        let _ = writeln!(o, "> **WARNING:** {}", esc(w));
    }
    if !b.warnings.is_empty() {
        o.push('\n');
    }
    let p = &b.provenance;
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| Period (UTC) | {} to {} |", utc(b.period.from), utc(b.period.to));
    let _ =
        writeln!(o, "| Period ({}) | {} to {} |", esc(&b.desk.tz), b.period.from_local, b.period.to_local);
    let _ = writeln!(o, "| Generated | {} |", utc(b.generated_at));
    let _ = writeln!(o, "| Operator | {} |", esc(&b.operator));
    let seqs = match (p.first_seq, p.last_seq) {
        (Some(a), Some(z)) => {
            format!("seq {a} to {z} ({})", crate::words::count(p.records, "record", "records"))
        }
        _ => "no records in the period".to_string(),
    };
    let _ = writeln!(o, "| Journal | {seqs} |");
    // A hash is hexadecimal: no `|` that the table would split the cell at.
    let _ = writeln!(o, "| Head hash | {} |", code(p.head.as_deref().unwrap_or("-")));
    let _ = writeln!(o, "| Configuration | {} |\n", esc(&configuration_text(&b.configuration)));

    let _ = writeln!(o, "## Missions\n");
    for m in &b.missions {
        let c = &m.alerts_raised;
        let _ = writeln!(o, "### {} — {} ({}, {})\n", esc(&m.id), esc(&m.name), esc(&m.kind), m.status);
        if let Some(line) = &m.status_line {
            let _ = writeln!(o, "Status line: {}\n", esc(line));
        }
        let _ = writeln!(
            o,
            "Alerts raised: {} ({}); open at end: {}\n",
            c.total(),
            counts(c),
            m.open_at_end_total
        );
        alert_list(&mut o, "Raised in the period:", &m.raised, m.raised_total);
        alert_list(&mut o, "Still open at the end of the period:", &m.open_at_end, m.open_at_end_total);
        if !m.items_near.is_empty() {
            let _ = writeln!(o, "Notable items nearby:\n");
            m.items_near.iter().for_each(|i| item(&mut o, i));
            o.push('\n');
        }
        if !m.notes.is_empty() {
            let _ = writeln!(o, "Operator notes on the mission:\n");
            for n in &m.notes {
                let _ = writeln!(o, "- {} #{} {}: {}", utc(n.ts), n.seq, esc(&n.operator), esc(&n.text));
            }
            o.push('\n');
        }
    }
    if !b.other_alerts.is_empty() {
        let _ = writeln!(o, "### Alerts for no briefed mission\n");
        b.other_alerts.iter().for_each(|a| alert(&mut o, a));
        more_md(&mut o, b.other_alerts_total, b.other_alerts.len());
        o.push('\n');
    }

    if !b.other_desks.is_empty() {
        let _ = writeln!(o, "## Other desks\n");
        let _ = writeln!(o, "As their records held here tell them; acted on there.\n");
        for d in &b.other_desks {
            let c = &d.alerts_raised;
            let _ = writeln!(o, "### {}\n", esc(&d.desk));
            let total = c.total();
            let _ = writeln!(
                o,
                "Real-world alerts received: {total} ({}); open at end: {}\n",
                counts(c),
                d.open_at_end_total
            );
            let label = "Received in the period (each at the time that desk raised it):";
            alert_list(&mut o, label, &d.raised, d.raised_total);
            alert_list(&mut o, "Still open at the end of the period:", &d.open_at_end, d.open_at_end_total);
            if !d.rollcalls.is_empty() {
                let _ = writeln!(o, "Roll-calls there (their record numbers):\n");
                d.rollcalls.iter().for_each(|r| rollcall(&mut o, r));
            }
            if !d.notes.is_empty() {
                let _ = writeln!(o, "Notes there (their record numbers):\n");
                d.notes.iter().for_each(|n| note(&mut o, n));
                o.push('\n');
            }
            if !d.missions.is_empty() {
                let _ = writeln!(o, "Missions there at the end:\n");
                for m in &d.missions {
                    let _ = writeln!(o, "- {}", super::render::other_mission(m, esc));
                }
                o.push('\n');
            }
            if !d.check_ins.is_empty() {
                let _ = writeln!(o, "Check-ins there (their record numbers):\n");
                for c in &d.check_ins {
                    let _ =
                        writeln!(o, "- {} #{} {}", utc(c.ts), c.seq, esc(&super::render::check_in_words(c)));
                }
                more_md(&mut o, d.check_ins_total, d.check_ins.len());
                o.push('\n');
            }
            if !d.handovers.is_empty() {
                let _ = writeln!(o, "Handovers there (their record numbers):\n");
                for h in &d.handovers {
                    let _ = writeln!(o, "- {}", super::render::other_handover(h, esc));
                }
                o.push('\n');
            }
        }
    }

    let _ = writeln!(o, "## Mission status\n");
    if b.mission_status.is_empty() {
        let _ = writeln!(o, "No changes in the period.\n");
    } else {
        let _ =
            writeln!(o, "| When (UTC) | Mission | From | To | By | Status line |\n|---|---|---|---|---|---|");
        for c in &b.mission_status {
            let note = c.note.as_deref().map_or("-".to_string(), esc);
            let _ = writeln!(
                o,
                "| {} #{} | {} | {} | {} | {} | {note} |",
                utc(c.at),
                c.seq,
                esc(&c.mission),
                c.from,
                c.to,
                esc(&c.by)
            );
        }
        o.push('\n');
    }

    rollcalls(&mut o, &b.rollcalls);

    let _ = writeln!(o, "## Exercise and test traffic (NOT REAL WORLD)\n");
    if b.exercise.alerts.is_empty() && b.exercise.items.is_empty() {
        let _ = writeln!(o, "None in the period.\n");
    } else {
        b.exercise.alerts.iter().for_each(|a| alert(&mut o, a));
        more_md(&mut o, b.exercise.alerts_total, b.exercise.alerts.len());
        b.exercise.items.iter().for_each(|i| item(&mut o, i));
        more_md(&mut o, b.exercise.items_total, b.exercise.items.len());
        o.push('\n');
    }

    let _ = writeln!(o, "## Contacts\n");
    let _ = writeln!(o, "Check-ins overdue at the end of the period:\n");
    if b.contacts.overdue.is_empty() {
        let _ = writeln!(o, "- none");
    }
    for c in &b.contacts.overdue {
        let by = c.overdue_s.map_or("never contacted".to_string(), |s| format!("overdue {}", dur(s)));
        let _ = writeln!(o, "- {} ({}, {}): {by}", esc(&c.name), c.role, esc(&c.post));
    }
    let _ = writeln!(o, "\nContacts with activity, local time now:\n");
    if b.contacts.active.is_empty() {
        let _ = writeln!(o, "- none");
    }
    for c in &b.contacts.active {
        let duty = if c.on_duty_now { "on duty" } else { "off duty" };
        let check_ins = crate::words::count(c.check_ins, "check-in", "check-ins");
        let last = c.last_check_in.as_ref().map(|l| format!(", the last {}", esc(l))).unwrap_or_default();
        let _ = writeln!(o, "- {} ({}): {} ({duty}), {check_ins}{last}", esc(&c.name), c.role, c.local_now);
    }
    let _ = writeln!(o, "\nCheck-ins in the period:\n");
    if b.contacts.check_ins.is_empty() {
        let _ = writeln!(o, "- none");
    }
    for c in &b.contacts.check_ins {
        let _ = writeln!(o, "- {} #{} {}", utc(c.ts), c.seq, esc(&super::render::check_in_words(c)));
    }
    more_md(&mut o, b.contacts.check_ins_total, b.contacts.check_ins.len());

    let _ = writeln!(o, "\n## Feeds\n");
    if b.feeds.outages.is_empty() {
        let _ = writeln!(o, "No outages in the period.");
    } else {
        let _ = writeln!(o, "| Feed | Down from | Back | Duration |\n|---|---|---|---|");
        for f in &b.feeds.outages {
            let end = f.end.map_or("still down".to_string(), utc);
            let _ = writeln!(o, "| {} | {} | {end} | {} |", esc(&f.feed), utc(f.start), dur(f.duration_s));
        }
        if let Some(line) = more(b.feeds.outages_total, b.feeds.outages.len()) {
            let _ = writeln!(o, "\n{}", esc(&line));
        }
    }
    for s in &b.feeds.stale {
        let last = s.last_ok.map_or("never".to_string(), utc);
        let _ = writeln!(o, "\n- STALE at the end: {} (last good poll {last})", esc(&s.feed));
    }

    let _ = writeln!(o, "\n## Operator notes\n");
    if b.notes.is_empty() {
        let _ = writeln!(o, "None in the period.");
    }
    for n in &b.notes {
        note(&mut o, n);
    }

    let _ = writeln!(o, "\n## Handover\n");
    if b.handovers.is_empty() {
        let _ = writeln!(o, "None in the period.");
    }
    for h in &b.handovers {
        let to = h.to.as_ref().map(|to| format!(" to {}", esc(to))).unwrap_or_default();
        let signed = if h.signed { ", signed" } else { "" };
        let _ = writeln!(
            o,
            "- {} #{} {}{to} (journal head #{} sum {}; sheet {}{signed})",
            utc(h.at),
            h.seq,
            esc(&h.from),
            h.head.seq,
            code(&h.head.sum),
            code(&h.sheet)
        );
        let alerts: Vec<String> = h
            .open_alerts
            .iter()
            .map(|a| format!("**{}** {} ({})", a.severity.tag(), esc(&a.title), code(&a.id)))
            .collect();
        let _ = writeln!(o, "  - open alerts: {}", handed(alerts));
        let rollcalls = h.open_rollcalls.iter().map(|r| esc(&handed_rollcall(r))).collect();
        let _ = writeln!(o, "  - open roll-calls: {}", handed(rollcalls));
        let _ = writeln!(
            o,
            "  - overdue contacts: {}",
            handed(h.overdue_contacts.iter().map(|c| esc(c)).collect())
        );
        let _ = writeln!(o, "  - feeds down: {}", handed(h.feeds_down.iter().map(|f| esc(f)).collect()));
    }
    if let Some(review) = &b.review {
        let _ = writeln!(o, "\n## After-action review notes\n");
        let _ = writeln!(o, "{}\n", esc(&super::render::review_source(review)));
        for n in &review.notes {
            let _ = writeln!(o, "- {}", super::render::review_line(n, esc));
        }
        for line in &review.unreadable {
            let _ = writeln!(o, "- UNREADABLE: {}", esc(line));
        }
    }
    o
}

/// A roll-call a handover left open, in words: `KFOR 2026-12-07T14:05Z (OVERDUE; not reached:
/// Kovač)`.
pub(crate) fn handed_rollcall(r: &crate::event::HandedRollcall) -> String {
    let overdue = if r.overdue { "OVERDUE; " } else { "" };
    let unreached = if r.unreached.is_empty() { "none".to_string() } else { r.unreached.join(", ") };
    format!("{} ({overdue}not reached: {unreached})", r.id)
}

/// A list a handover left open, as one line: `none` when empty.
pub(crate) fn handed(list: Vec<String>) -> String {
    if list.is_empty() { "none".to_string() } else { list.join(", ") }
}

/// The roll-calls: why and when each was opened, each contact's answer with who took it and
/// when, who was still not reached at the period's end, overdue, closed.
fn rollcalls(o: &mut String, calls: &[RollcallBrief]) {
    let _ = writeln!(o, "## Roll-calls\n");
    if calls.is_empty() {
        let _ = writeln!(o, "None in the period.\n");
        return;
    }
    calls.iter().for_each(|r| rollcall(o, r));
}

fn note(o: &mut String, n: &Note) {
    let about = n.about.as_ref().map(|a| format!(" ({})", esc(a))).unwrap_or_default();
    let _ = writeln!(o, "- {} #{} {}{about}: {}", utc(n.ts), n.seq, esc(&n.operator), esc(&n.text));
}

/// One roll-call: why and when it was opened, its deadline and end, each contact's answer.
fn rollcall(o: &mut String, r: &RollcallBrief) {
    let about = match (&r.mission, &r.alert_title, &r.alert) {
        (Some(mission), _, _) => format!("mission {}", esc(mission)),
        (None, Some(title), _) => format!("alert {}", esc(title)),
        (None, None, Some(id)) => format!("alert {}", code(id)),
        (None, None, None) => "the desk".to_string(),
    };
    let _ = writeln!(o, "### {} (#{}), for {about}\n", utc(r.opened_at), r.seq);
    let _ = writeln!(o, "- Opened by {}: {}", esc(&r.opened_by), esc(&r.reason));
    let _ = writeln!(o, "- Deadline {}", utc(r.deadline));
    if let Some(at) = r.overdue_at {
        let _ = writeln!(o, "- **OVERDUE** {}", utc(at));
    }
    match &r.closed {
        Some(c) => {
            let why = c.reason.as_deref().map(|r| format!(": {}", esc(r))).unwrap_or_default();
            let _ = writeln!(o, "- Closed {} #{} by {}{why}", utc(c.at), c.seq, esc(&c.by));
        }
        None => {
            let _ = writeln!(o, "- Open at the end of the period");
        }
    }
    let unreached =
        if r.unreached_at_end.is_empty() { "none".to_string() } else { esc(&r.unreached_at_end.join(", ")) };
    let _ = writeln!(o, "- Not reached at the end of the period: {unreached}\n");
    let _ = writeln!(o, "| Contact | Answer | Taken by | When (UTC) | Note |\n|---|---|---|---|---|");
    for c in &r.contacts {
        let (answer, by, when) = match (c.answer, &c.by, c.at, c.seq) {
            (Some(answer), Some(by), Some(at), Some(seq)) => {
                (answer_words(answer).to_string(), esc(by), format!("{} #{seq}", utc(at)))
            }
            _ => ("no answer".to_string(), "-".to_string(), "-".to_string()),
        };
        let note = c.note.as_deref().map_or("-".to_string(), esc);
        let _ = writeln!(o, "| {} | {answer} | {by} | {when} | {note} |", esc(&c.contact));
    }
    o.push('\n');
}

/// An answer as the record writes it, in the briefing's words.
pub(super) fn answer_words(answer: &str) -> &'static str {
    match answer {
        "safe" => "reached, safe",
        "needs_help" => "**NEEDS HELP**",
        _ => "tried, not reached",
    }
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn code_spans_hold_their_text_as_it_is() {
        assert_eq!(code("rule|feed|item_1"), "`rule|feed|item_1`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("``x"), "``` ``x ```");
        assert_eq!(code(r"C:\path"), r"`C:\path`");
    }
}
