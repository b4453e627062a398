//! The Sync line, in words: link state, this desk's backlog, and each followed desk's last seq
//! held here and how old it is. The status bar shows its shorter forms, the Feeds pane the whole.

use chrono::{DateTime, Utc};

use crate::sync::status::SyncStatus;

/// Longest first: link, backlog and desks; link and backlog; link alone.
pub fn forms(status: &SyncStatus, now: DateTime<Utc>) -> [String; 3] {
    let (link, backlog) = match (status.link_up, &status.not_sending) {
        (false, _) => ("SYNC DOWN", format!("SYNC DOWN, {} to send", status.backlog)),
        // The backlog would only grow: why it does matters more than by how much.
        (true, Some(_)) => ("sync NOT SENDING", "sync up, NOT SENDING".to_string()),
        (true, None) => ("sync up", format!("sync up, {} to send", status.backlog)),
    };
    let desks: Vec<String> = status
        .desks
        .iter()
        .map(|(desk, held)| {
            let age = held
                .ts_micros
                .and_then(DateTime::from_timestamp_micros)
                .map_or_else(|| "nothing yet".to_string(), |t| super::format::ago(t, now));
            format!("{desk} #{} {age}", held.seq)
        })
        .collect();
    let whole = if desks.is_empty() { backlog.clone() } else { format!("{backlog}; {}", desks.join(", ")) };
    [whole, backlog, link.to_string()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::chains::Held;

    #[test]
    fn the_line_names_link_backlog_and_each_desk_with_its_age() {
        let now: DateTime<Utc> = "2026-12-07T01:05:30Z".parse().unwrap();
        let mut status = SyncStatus { link_up: false, backlog: 12, ..Default::default() };
        let five_minutes = (now - chrono::Duration::minutes(5)).timestamp_micros();
        status
            .desks
            .insert("pristina".into(), Held { seq: 42, ts_micros: Some(five_minutes), ..Held::default() });
        status.desks.insert("hq".into(), Held::default());
        let [whole, backlog, link] = forms(&status, now);
        assert_eq!(whole, "SYNC DOWN, 12 to send; hq #0 nothing yet, pristina #42 5m ago");
        assert_eq!(backlog, "SYNC DOWN, 12 to send");
        assert_eq!(link, "SYNC DOWN");
    }

    #[test]
    fn a_desk_that_may_not_send_says_so_instead_of_its_backlog() {
        let now: DateTime<Utc> = "2026-12-07T01:05:30Z".parse().unwrap();
        let status = SyncStatus {
            link_up: true,
            backlog: 3,
            not_sending: Some("the stream holds this desk's record #10".into()),
            ..Default::default()
        };
        assert!(!status.healthy());
        let [whole, backlog, link] = forms(&status, now);
        assert_eq!(whole, "sync up, NOT SENDING");
        assert_eq!(backlog, "sync up, NOT SENDING");
        assert_eq!(link, "sync NOT SENDING");
    }
}
