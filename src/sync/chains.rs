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

#[derive(Clone, Debug, Default)]
pub struct Chains {
    pub desks: BTreeMap<String, Held>,
}

impl Chains {
    /// What is held of the desks `follow` names: the Sync line's desks (a desk no longer
    /// followed is not shown aging there).
    pub fn followed(&self, follow: &super::settings::Follow) -> BTreeMap<String, Held> {
        self.desks.iter().filter(|(desk, _)| follow.follows(desk)).map(|(d, h)| (d.clone(), *h)).collect()
    }

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
        // A record that cannot be checked, or one that says it follows a later one than itself,
        // never moves the position: one such line claiming a huge seq would silence the desk.
        if let Some(why) = forged {
            return Pushed::Problem(format!(
                "desk {desk} #{seq} (record #{local}): its text does not match its sum: {why}; not taken as that desk's position"
            ));
        }
        if seq <= after.seq {
            return Pushed::Problem(format!(
                "desk {desk} #{seq} (record #{local}): it says it follows #{}, which is not before it; not taken as that desk's position",
                after.seq
            ));
        }
        let mut problems = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, Record};

    /// A line as desk `pristina`'s journal would hold it: its note `seq`, after `prev`.
    fn line(seq: u64, prev: &Hash) -> (Vec<u8>, Hash) {
        let record = Record {
            seq,
            ts: chrono::Utc::now(),
            by: "reyes".into(),
            event: Event::Note {
                operator: "reyes".into(),
                text: format!("note {seq}"),
                mission: None,
                alert: None,
                contact: None,
            },
        };
        let mut out = Vec::new();
        let sum = format::encode(&record, prev, &mut out);
        out.pop();
        (out, sum)
    }

    #[test]
    fn a_forged_record_claiming_a_huge_seq_does_not_silence_the_desks_later_records() {
        let mut chains = Chains::default();
        let (first, first_sum) = line(1, &GENESIS);
        assert_eq!(chains.push(1, "pristina", &first, After { seq: 0, sum: GENESIS }), Pushed::Continues);
        // A line whose sum is kept but whose seq is changed to a huge one: it no longer checks.
        let (genuine, _) = line(2, &first_sum);
        let forged =
            String::from_utf8(genuine.clone()).unwrap().replacen("\"seq\":2", "\"seq\":1000000000000", 1);
        assert!(chains.is_new("pristina", forged.as_bytes()));
        let pushed = chains.push(2, "pristina", forged.as_bytes(), After { seq: 1, sum: first_sum });
        assert!(
            matches!(pushed, Pushed::Problem(ref why) if why.contains("does not match its sum")),
            "{pushed:?}"
        );
        assert_eq!(chains.held("pristina").seq, 1);
        assert!(chains.is_new("pristina", &genuine));
        assert_eq!(chains.push(3, "pristina", &genuine, After { seq: 1, sum: first_sum }), Pushed::Continues);
    }

    #[test]
    fn a_record_that_says_it_follows_a_later_one_does_not_move_the_position() {
        let mut chains = Chains::default();
        let (first, first_sum) = line(1, &GENESIS);
        chains.push(1, "pristina", &first, After { seq: 0, sum: GENESIS });
        let (second, _) = line(2, &first_sum);
        let pushed = chains.push(2, "pristina", &second, After { seq: 7, sum: first_sum });
        assert!(matches!(pushed, Pushed::Problem(ref why) if why.contains("not before it")), "{pushed:?}");
        assert_eq!(chains.held("pristina").seq, 1);
    }

    #[test]
    fn the_sync_line_lists_only_the_desks_followed() {
        let mut chains = Chains::default();
        let (first, _) = line(1, &GENESIS);
        for desk in ["pristina", "hq"] {
            chains.push(1, desk, &first, After { seq: 0, sum: GENESIS });
        }
        let follow = super::super::settings::Follow::Desks(vec!["hq".into()]);
        assert_eq!(chains.followed(&follow).keys().collect::<Vec<_>>(), ["hq"]);
        assert_eq!(chains.followed(&super::super::settings::Follow::All).len(), 2);
    }
}
