//! The replay's map of its range: one compact entry per record (time and a class), so markers,
//! density and "next alert" are lookups in memory rather than reads of the journal. Sequence
//! numbers are contiguous in a journal, so an entry's seq is `first_seq` plus its index.

use crate::domain::Severity;

/// What a record is, as far as the timeline cares: most records are just density.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Other,
    /// Something an operator did: a note, an acknowledgement, a resolution, a check-in.
    Action,
    /// An alert was raised, with its severity.
    Alert(Severity),
}

impl Class {
    /// Classifies a record line by its kind (and an alert's severity) without parsing it all.
    pub fn of(kind: &str, line: &[u8]) -> Class {
        match kind {
            "note"
            | "alert.acknowledged"
            | "alert.unacknowledged"
            | "alert.resolved"
            | "contact.checked_in" => Class::Action,
            "alert.raised" => Class::Alert(severity_of(line).unwrap_or_default()),
            _ => Class::Other,
        }
    }

    fn pack(self) -> u8 {
        match self {
            Class::Other => 0,
            Class::Action => 1,
            Class::Alert(s) => 2 + s as u8,
        }
    }

    fn unpack(byte: u8) -> Class {
        match byte {
            0 => Class::Other,
            1 => Class::Action,
            n => Class::Alert(Severity::ALL[usize::from(n - 2).min(4)]),
        }
    }
}

fn severity_of(line: &[u8]) -> Option<Severity> {
    let key = b"\"severity\":\"";
    let at = memchr::memmem::find(line, key)? + key.len();
    let end = at + memchr::memchr(b'"', &line[at..])?;
    let word = std::str::from_utf8(&line[at..end]).ok()?;
    Severity::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(word))
}

/// The entries read so far (the index is built in the background and grows).
#[derive(Debug, Default)]
pub struct Timeline {
    pub first_seq: u64,
    ts: Vec<i64>,
    class: Vec<u8>,
}

/// One column of the timeline bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    pub records: u32,
    pub worst_alert: Option<Severity>,
    pub actions: u32,
}

impl Timeline {
    pub fn push(&mut self, seq: u64, ts_micros: i64, class: Class) {
        if self.ts.is_empty() {
            self.first_seq = seq;
        }
        debug_assert_eq!(seq, self.first_seq + self.ts.len() as u64, "seqs are contiguous");
        self.ts.push(ts_micros);
        self.class.push(class.pack());
    }

    pub fn len(&self) -> usize {
        self.ts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    pub fn last_seq(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.first_seq + self.ts.len() as u64 - 1)
    }

    pub fn ts_of(&self, seq: u64) -> Option<i64> {
        let i = seq.checked_sub(self.first_seq)?;
        self.ts.get(usize::try_from(i).ok()?).copied()
    }

    /// The first record after `seq` whose class satisfies `wanted`.
    pub fn next(&self, seq: u64, wanted: impl Fn(Class) -> bool) -> Option<u64> {
        let from = (seq + 1).saturating_sub(self.first_seq) as usize;
        let i = self.class.get(from..)?.iter().position(|&c| wanted(Class::unpack(c)))?;
        Some(self.first_seq + (from + i) as u64)
    }

    /// The last record before `seq` whose class satisfies `wanted`.
    pub fn prev(&self, seq: u64, wanted: impl Fn(Class) -> bool) -> Option<u64> {
        let to = (seq.saturating_sub(self.first_seq) as usize).min(self.class.len());
        let i = self.class[..to].iter().rposition(|&c| wanted(Class::unpack(c)))?;
        Some(self.first_seq + i as u64)
    }

    /// Records per column over `[from, to]` (microseconds), with the worst alert raised and the
    /// operator actions in each.
    pub fn buckets(&self, from: i64, to: i64, columns: usize) -> Vec<Bucket> {
        let mut out = vec![Bucket::default(); columns];
        if columns == 0 || to <= from {
            return out;
        }
        let start = self.ts.partition_point(|&t| t < from);
        let end = self.ts.partition_point(|&t| t <= to);
        let span = (to - from) as i128;
        for i in start..end {
            let col = ((self.ts[i] - from) as i128 * columns as i128 / (span + 1)) as usize;
            let bucket = &mut out[col.min(columns - 1)];
            bucket.records += 1;
            match Class::unpack(self.class[i]) {
                Class::Alert(s) => bucket.worst_alert = bucket.worst_alert.max(Some(s)),
                Class::Action => bucket.actions += 1,
                Class::Other => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline() -> Timeline {
        let mut t = Timeline::default();
        let classes = [
            Class::Other,
            Class::Alert(Severity::Minor),
            Class::Action,
            Class::Other,
            Class::Alert(Severity::Critical),
        ];
        for (i, c) in classes.into_iter().enumerate() {
            t.push(10 + i as u64, i as i64 * 1000, c);
        }
        t
    }

    #[test]
    fn classes_come_from_kind_and_severity() {
        let line = br#"{"seq":1,"kind":"alert.raised","severity":"severe","title":"x"}"#;
        assert_eq!(Class::of("alert.raised", line), Class::Alert(Severity::Severe));
        assert_eq!(Class::of("note", b"{}"), Class::Action);
        assert_eq!(Class::of("item.seen", b"{}"), Class::Other);
        for c in [Class::Other, Class::Action, Class::Alert(Severity::Info), Class::Alert(Severity::Critical)]
        {
            assert_eq!(Class::unpack(c.pack()), c);
        }
    }

    #[test]
    fn next_and_previous_markers() {
        let t = timeline();
        let alert = |c| matches!(c, Class::Alert(_));
        assert_eq!(t.next(10, alert), Some(11));
        assert_eq!(t.next(11, alert), Some(14));
        assert_eq!(t.next(14, alert), None);
        assert_eq!(t.prev(14, alert), Some(11));
        assert_eq!(t.prev(11, alert), None);
        assert_eq!(t.next(0, |c| c == Class::Action), Some(12));
        assert_eq!(t.ts_of(13), Some(3000));
        assert_eq!(t.last_seq(), Some(14));
    }

    #[test]
    fn buckets_count_records_and_keep_the_worst_alert() {
        let t = timeline();
        let b = t.buckets(0, 4000, 2);
        assert_eq!(b[0].records + b[1].records, 5);
        assert_eq!(b[0].worst_alert, Some(Severity::Minor));
        assert_eq!(b[1].worst_alert, Some(Severity::Critical));
        assert_eq!(b[0].actions + b[1].actions, 1);
    }
}
