//! Each followed desk's own record, as its `remote` envelopes hold it here: every origin line's
//! sum, and the link each names to what that desk shared before it. A record whose text no longer
//! matches its sum was forged or damaged; a link to a record not held is a gap; a link to a
//! record other than the one held before it, or a record held twice, is a fork.

use std::collections::BTreeMap;

use crate::journal::format::{self, GENESIS, Hash, LineFault};

/// Where a followed desk's chain stands here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    /// The origin seq and sum of the newest record held.
    pub seq: u64,
    pub sum: Hash,
    /// When that desk wrote it, by its own clock.
    pub ts_micros: Option<i64>,
    pub records: u64,
}

impl Default for Held {
    fn default() -> Self {
        Held { seq: 0, sum: GENESIS, ts_micros: None, records: 0 }
    }
}

/// The link a `remote` envelope names: the record its desk shared just before this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct After {
    pub seq: u64,
    pub sum: Hash,
}

impl After {
    /// `seq:sum`, as the `Attache-After` header carries it.
    pub fn header(&self) -> String {
        format!("{}:{}", self.seq, format::to_hex(&self.sum))
    }

    pub fn parse_header(text: &str) -> Option<After> {
        let (seq, sum) = text.split_once(':')?;
        Some(After { seq: seq.parse().ok()?, sum: hash(sum)? })
    }
}

pub fn hash(text: &str) -> Option<Hash> {
    let bytes: Hash = text.as_bytes().try_into().ok()?;
    bytes.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)).then_some(bytes)
}

/// What one envelope did to its desk's chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// The next record of that desk's chain.
    Continues,
    /// Its origin seq is already held: a copy (the receiver does not append it again).
    Duplicate,
    /// It continues the chain but something is wrong with it, said in words naming desk and seqs.
    Problem(String),
}

#[derive(Debug, Default)]
pub struct Chains {
    pub desks: BTreeMap<String, Held>,
}

impl Chains {
    pub fn held(&self, desk: &str) -> Held {
        self.desks.get(desk).copied().unwrap_or_default()
    }

    /// Whether an envelope of `desk` carrying `line` would add a record not held yet.
    pub fn is_new(&self, desk: &str, line: &[u8]) -> bool {
        format::seq_of(line).is_none_or(|seq| seq > self.held(desk).seq)
    }

    /// Takes the next envelope of `desk` (found at local record `local`), holding `line`, which
    /// says it follows `after`.
    pub fn push(&mut self, local: u64, desk: &str, line: &[u8], after: After) -> Pushed {
        let held = self.held(desk);
        let (seq, sum, prev, forged) = match format::check(line) {
            Ok(checked) => (checked.seq, checked.sum, Some(checked.prev), None),
            Err(LineFault::BadSum { seq: Some(seq), claimed }) => {
                (seq, claimed, None, Some("forged or damaged"))
            }
            Err(fault) => {
                return Pushed::Problem(format!(
                    "desk {desk}: record #{local} holds no record of that desk that can be checked: {fault}"
                ));
            }
        };
        if seq <= held.seq {
            return Pushed::Duplicate;
        }
        let mut problems = Vec::new();
        if let Some(why) = forged {
            problems.push(format!(
                "desk {desk} #{seq} (record #{local}): its text does not match its sum: {why}"
            ));
        }
        if after.seq > held.seq {
            problems.push(format!(
                "desk {desk}: gap before #{seq} (record #{local}): what it shared after #{} up to #{} is missing here",
                held.seq, after.seq
            ));
        } else if after.seq < held.seq || after.sum != held.sum {
            problems.push(format!(
                "desk {desk}: fork at #{seq} (record #{local}): it follows #{} as that desk shared it, which is not the #{} held here",
                after.seq, held.seq
            ));
        } else if let Some(prev) = prev
            && seq == after.seq + 1
            && prev != after.sum
        {
            problems.push(format!(
                "desk {desk}: fork at #{seq} (record #{local}): its prev is not the sum of #{} held here",
                after.seq
            ));
        }
        self.desks.insert(
            desk.to_string(),
            Held { seq, sum, ts_micros: format::ts_micros_of(line), records: held.records + 1 },
        );
        if problems.is_empty() { Pushed::Continues } else { Pushed::Problem(problems.join("; ")) }
    }
}
