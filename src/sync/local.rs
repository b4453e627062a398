//! What the local journal says about sync: the followed desks' chains as their `remote`
//! envelopes hold them (the receiver's position), and this desk's own shared records.

use std::collections::BTreeMap;
use std::path::Path;

use super::chains::{After, Chains, Pushed, hash};
use crate::event::{Event, read_record};
use crate::journal::format::GENESIS;
use crate::journal::format::kind_of;
use crate::journal::{Follower, RawRecord};

/// `remote`, as the journal names the kind.
pub const REMOTE: &str = "remote";

/// One `remote` envelope's fields, read from its line.
pub struct Envelope {
    pub desk: String,
    pub record: String,
    pub after: After,
    /// Where the stream held it, when the receiver noted it.
    pub stream_seq: Option<u64>,
}

/// The envelope a `remote` line holds; None for any other line, or one that cannot be read.
pub fn envelope(line: &[u8]) -> Option<Result<Envelope, String>> {
    if kind_of(line) != Some(REMOTE) {
        return None;
    }
    Some(read_record(line).and_then(|record| match record.event {
        Event::Remote { desk, record, after_seq, after_sum, stream_seq } => {
            let sum = if after_seq == 0 && after_sum.is_empty() { Some(GENESIS) } else { hash(&after_sum) };
            let sum = sum.ok_or_else(|| format!("after_sum `{after_sum}` is not a sum"))?;
            Ok(Envelope { desk, record, after: After { seq: after_seq, sum }, stream_seq })
        }
        _ => Err("not a remote record".into()),
    }))
}

/// The last message of a followed desk appended here, and where the stream held it: the receiver
/// resumes after it, once the stream's message there is found to be that same line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamPosition {
    pub stream_seq: u64,
    pub line: Vec<u8>,
}

/// The local journal read for sync.
#[derive(Debug, Default)]
pub struct Local {
    pub chains: Chains,
    /// Each followed desk's last message appended here, by desk.
    pub positions: BTreeMap<String, StreamPosition>,
    /// What is wrong with the followed desks' chains, in journal order.
    pub problems: Vec<String>,
    /// This desk's newest shared record, and how many it shared.
    pub own_last: Option<After>,
    pub own_shared: u64,
    /// The local journal's last seq read.
    pub last_seq: u64,
    /// The desks the journal last said this desk follows (`sync.following`), if it has said.
    pub following: Option<Vec<String>>,
}

impl Local {
    /// Takes one more line of the local journal; `shares` says which kinds this desk shares.
    pub fn take(&mut self, raw: &RawRecord<'_>, shares: &dyn Fn(&str) -> bool) {
        self.last_seq = raw.seq;
        match envelope(raw.bytes) {
            Some(Ok(env)) => match self.take_envelope(raw.seq, &env) {
                Pushed::Continues => {}
                Pushed::Duplicate => {
                    let (desk, seq) =
                        (&env.desk, crate::journal::format::seq_of(env.record.as_bytes()).unwrap_or(0));
                    self.problems.push(format!(
                        "desk {}: record #{} holds a record of that desk already held (#{}): a duplicate",
                        crate::text::one_line(desk),
                        raw.seq,
                        seq
                    ))
                }
                Pushed::Problem(why) => self.problems.push(why),
            },
            Some(Err(why)) => {
                self.problems.push(format!("record #{}: a remote record that cannot be read: {why}", raw.seq))
            }
            None if kind_of(raw.bytes) == Some("sync.following") => {
                if let Ok(crate::event::Record { event: Event::SyncFollowing { follow }, .. }) =
                    read_record(raw.bytes)
                {
                    self.following = Some(follow);
                }
            }
            None => {
                if kind_of(raw.bytes).is_some_and(shares)
                    && let Some((_, sum)) = crate::journal::format::trailer(raw.bytes)
                {
                    self.own_last = Some(After { seq: raw.seq, sum });
                    self.own_shared += 1;
                }
            }
        }
    }
}

impl Local {
    /// Takes one `remote` envelope found at local record `local`: its desk's chain, and where the
    /// stream held it. A message is appended once whatever it holds, so even one whose record is
    /// refused moves the stream position on.
    pub fn take_envelope(&mut self, local: u64, env: &Envelope) -> Pushed {
        if let Some(stream_seq) = env.stream_seq {
            self.positions.insert(
                env.desk.clone(),
                StreamPosition { stream_seq, line: env.record.as_bytes().to_vec() },
            );
        }
        self.chains.push(local, &env.desk, env.record.as_bytes(), env.after)
    }
}

/// Reads the whole journal in `dir`.
pub fn read(dir: &Path, shares: &dyn Fn(&str) -> bool) -> Result<Local, String> {
    let mut local = Local::default();
    let mut follower = Follower::new(dir);
    follower
        .poll_lines(|raw, _| {
            local.take(raw, shares);
            true
        })
        .map_err(|e| e.to_string())?;
    Ok(local)
}

/// Why this journal does not hold `last`, this desk's last record in the stream; None when it
/// does. It does not when the journal was restored from an older copy, or when another host
/// publishes as this desk: records written here since would take seqs the stream already holds,
/// and be sent by no one. An error is one of reading the journal, not a verdict.
pub fn holds(dir: &Path, last: After) -> Result<Option<String>, String> {
    if last.seq == 0 {
        return Ok(None);
    }
    let mut follower = Follower::from_seq(dir, last.seq).map_err(|e| e.to_string())?;
    let mut found = None;
    follower
        .poll_lines(|raw, _| {
            if raw.seq == last.seq {
                found = crate::journal::format::trailer(raw.bytes).map(|(_, sum)| sum);
            }
            raw.seq < last.seq
        })
        .map_err(|e| e.to_string())?;
    Ok(match found {
        Some(sum) if sum == last.sum => None,
        Some(_) => Some(format!(
            "the stream holds a different record #{} of this desk than this journal does: another host publishes under this desk's id, or this journal was written again",
            last.seq
        )),
        None => Some(format!(
            "the stream holds this desk's record #{} and this journal ends before it: restored from an older copy, or another host publishes under this desk's id",
            last.seq
        )),
    })
}

/// How many records this desk shared after its record `seq`: those not yet in the stream when
/// `seq` is the last the stream holds. A seek, then a read of what follows.
pub fn shared_after(dir: &Path, seq: u64, shares: &dyn Fn(&str) -> bool) -> Result<u64, String> {
    count_shared(dir, seq, shares).map(|(count, _)| count)
}

/// How many records this desk shared after its record `seq`, and the last seq read (`seq` when
/// there was none), so that a later count can go on from there.
pub fn count_shared(dir: &Path, seq: u64, shares: &dyn Fn(&str) -> bool) -> Result<(u64, u64), String> {
    let mut follower = Follower::from_seq(dir, seq + 1).map_err(|e| e.to_string())?;
    let (mut count, mut last) = (0, seq);
    follower
        .poll_lines(|raw, _| {
            if raw.seq > seq {
                last = raw.seq;
                if kind_of(raw.bytes).is_some_and(shares) {
                    count += 1;
                }
            }
            true
        })
        .map_err(|e| e.to_string())?;
    Ok((count, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Writer;

    #[test]
    fn a_journal_holds_the_streams_last_record_only_with_that_seq_and_sum() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Writer::open(dir.path()).unwrap();
        let note = |n: u32| Event::Note {
            operator: "reyes".into(),
            text: format!("note {n}"),
            mission: None,
            alert: None,
            contact: None,
        };
        let records = writer.append("reyes", chrono::Utc::now(), (0..3).map(note).collect()).unwrap();
        let second = crate::journal::format::trailer(&records_line(dir.path(), 2)).unwrap().1;
        assert_eq!(records.len(), 3);
        assert_eq!(holds(dir.path(), After { seq: 0, sum: GENESIS }), Ok(None));
        assert_eq!(holds(dir.path(), After { seq: 2, sum: second }), Ok(None));
        let other = holds(dir.path(), After { seq: 2, sum: GENESIS }).unwrap().unwrap();
        assert!(other.contains("a different record #2"), "{other}");
        let behind = holds(dir.path(), After { seq: 9, sum: second }).unwrap().unwrap();
        assert!(behind.contains("record #9 and this journal ends before it"), "{behind}");
    }

    fn records_line(dir: &Path, seq: u64) -> Vec<u8> {
        let mut line = Vec::new();
        Follower::from_seq(dir, seq)
            .unwrap()
            .poll_lines(|raw, _| {
                line = raw.bytes.to_vec();
                false
            })
            .unwrap();
        line
    }
}
