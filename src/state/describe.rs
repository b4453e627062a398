use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::{Alert, ItemEntry};
use crate::domain::{FeedItem, ItemKey};
use crate::event::Event;
use crate::text::one_line;
use crate::words::count;

/// One line of plain words for the Event log pane. Alerts and withdrawn items are named by
/// their title as the state knows it (before the event is applied), not by their id.
pub(super) fn describe(
    event: &Event,
    by: &str,
    alerts: &BTreeMap<String, Arc<Alert>>,
    items: &HashMap<ItemKey, Arc<ItemEntry>>,
) -> String {
    let title = |id: &String| alerts.get(id).map_or_else(|| id.clone(), |a| a.title.clone());
    let text = match event {
        Event::SessionStarted { operator, host, .. } => format!("{operator} started a console on {host}"),
        Event::SessionEnded { operator, host } => format!("{operator} closed the console on {host}"),
        Event::ConfigLoaded { path, feeds, missions, contacts, .. } => {
            let (feeds, missions) =
                (count(*feeds as u64, "feed", "feeds"), count(*missions as u64, "mission", "missions"));
            format!("config {path}: {feeds}, {missions}, {}", count(*contacts as u64, "contact", "contacts"))
        }
        Event::Note { operator, text, mission, alert, contact } => {
            let about = match (mission, alert, contact) {
                (Some(mission), _, _) => format!(" (on mission {mission})"),
                (None, Some(id), _) => format!(" (on {})", title(id)),
                (None, None, Some(contact)) => format!(" (on {contact})"),
                (None, None, None) => String::new(),
            };
            // The text first: a narrow Event log cuts the end of the line.
            format!("{operator}: {text}{about}")
        }
        // Another desk's record, said as that desk said it, under its name.
        Event::Remote { desk, record, .. } => match crate::event::read_record(record.as_bytes()) {
            Ok(inner) if !matches!(inner.event, Event::Remote { .. }) => {
                format!("[{desk} #{}] {}", inner.seq, describe(&inner.event, &inner.by, alerts, items))
            }
            _ => format!("[{desk}] a record this version cannot read"),
        },
        Event::JournalWrittenAfterDamage { operator, damage } => {
            format!("{operator} wrote to the journal after damage: {damage}")
        }
        Event::SyncFollowing { follow } if follow.is_empty() => "following no other desk".to_string(),
        Event::SyncFollowing { follow } if follow.iter().any(|d| d == "*") => {
            "following every desk".to_string()
        }
        Event::SyncFollowing { follow } => format!("following desks {}", one_line(&follow.join(", "))),
        Event::NotifySent { rule, trigger, record, attempts, .. } => {
            let tries = if *attempts > 1 { format!(" (attempt {attempts})") } else { String::new() };
            format!("notified {rule} of #{record} ({trigger}){tries}")
        }
        Event::NotifyFailed { rule, trigger, record, attempts, error } => {
            let runs = count(u64::from(*attempts), "run", "runs");
            format!("NOTIFY FAILED {rule} of #{record} ({trigger}) after {runs}: {error}")
        }
        Event::ItemSeen { item } => format!("{} new: {}", item.feed, item.title),
        Event::ItemUpdated { item } => format!("{} updated: {}", item.feed, item.title),
        Event::ItemWithdrawn { feed, id, reason } => match items.get(&FeedItem::key_for(feed, id)) {
            // The reason first, like `new:` and `updated:`: it is what a narrow pane must keep.
            Some(entry) => format!("{feed} withdrew ({}): {} (id {id})", reason.as_str(), entry.item.title),
            None => format!("{feed} withdrew {id} ({})", reason.as_str()),
        },
        Event::FeedPolled { feed, items, new, updated, withdrawn, skipped, incomplete, problem, .. } => {
            let items = count(*items as u64, "item", "items");
            let mut text = format!("{feed} ok: {items}, {new} new, {updated} updated, {withdrawn} withdrawn");
            if skipped + incomplete > 0 {
                text.push_str(&format!(
                    "; {} ({})",
                    unread_counts(*skipped, *incomplete),
                    problem.as_deref().unwrap_or("no reason given")
                ));
            }
            text
        }
        Event::FeedFailed { feed, error } => format!("{feed} FAILED: {error}"),
        Event::FeedRecovered { feed } => format!("{feed} recovered"),
        Event::AlertRaised { severity, title, .. } => format!("alert {}: {title}", severity.tag()),
        Event::AlertUpdated { severity, title, .. } => format!("alert updated {}: {title}", severity.tag()),
        Event::AlertAcknowledged { alert, operator, note: Some(note) } => {
            format!("{operator} acknowledged {}: {note}", title(alert))
        }
        Event::AlertAcknowledged { alert, operator, note: None } => {
            format!("{operator} acknowledged {}", title(alert))
        }
        Event::AlertUnacknowledged { alert, operator } => {
            format!("{operator} unacknowledged {}", title(alert))
        }
        Event::AlertEscalated { alert } => format!("ESCALATED {}", title(alert)),
        Event::AlertResolved { alert, operator, reason } => {
            format!("{operator} resolved {}: {reason}", title(alert))
        }
        Event::RollcallOpened { contacts, deadline, reason, .. } => {
            let called = count(contacts.len() as u64, "contact", "contacts");
            format!("{by} opened a roll-call of {called} by {}: {reason}", deadline.format("%H:%MZ"))
        }
        Event::RollcallAnswered { contact, answer, note, .. } => {
            let said = note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
            format!("roll-call: {contact} {} (taken by {by}){said}", answer.label())
        }
        Event::RollcallOverdue { contacts, .. } => {
            format!("ROLL-CALL OVERDUE: not reached {}", contacts.join(", "))
        }
        Event::RollcallClosed { reason, .. } => {
            let why = reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
            format!("{by} closed a roll-call{why}")
        }
        Event::MissionStatusChanged { mission, status, note } => {
            let said = note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
            format!("{by} set mission {mission} {}{said}", status.label())
        }
        Event::Handover { to, open_alerts, open_rollcalls, overdue_contacts, feeds_down, head, .. } => {
            let to = to.as_ref().map(|to| format!(" to {to}")).unwrap_or_default();
            format!(
                "{by} handed over the watch{to}: {} and {} open, {} overdue, {} down (head #{})",
                count(open_alerts.len() as u64, "alert", "alerts"),
                count(open_rollcalls.len() as u64, "roll-call", "roll-calls"),
                count(overdue_contacts.len() as u64, "contact", "contacts"),
                count(feeds_down.len() as u64, "feed", "feeds"),
                head.seq
            )
        }
        Event::ContactCheckedIn { contact, operator, channel, note } => {
            let by = channel.as_ref().map(|c| format!(" by {c}")).unwrap_or_default();
            let said = note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
            format!("{operator} checked in with {contact}{by}{said}")
        }
    };
    one_line(&text)
}

/// What a poll could not read, in words: "2 entries skipped, 1 item incomplete".
pub fn unread_counts(skipped: usize, incomplete: usize) -> String {
    let mut parts = Vec::new();
    if skipped > 0 {
        parts.push(format!("{} skipped", count(skipped as u64, "entry", "entries")));
    }
    if incomplete > 0 {
        parts.push(format!("{} incomplete", count(incomplete as u64, "item", "items")));
    }
    parts.join(", ")
}
