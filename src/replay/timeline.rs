//! The replay's map of its range: one compact entry per record (time and a class), so markers,
//! density and "next alert" are lookups in memory rather than reads of the journal. Sequence
//! numbers are contiguous in a journal, so an entry's seq is `first_seq` plus its index.

use crate::domain::Severity;

/// What a record is, as far as the timeline cares: most records are just density.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Other,
    /// Something an operator did: a note, an acknowledgement, a resolution, a check-in, a
    /// mission's status set, a handover of the watch.
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
            | "contact.checked_in"
            | "mission.status_changed"
            | "handover"
            | "rollcall.opened"
            | "rollcall.answered"
            | "rollcall.closed" => Class::Action,
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
    /// The indexes of the entries that are not `Class::Other`, in order: the few the bar marks.
    marked: Vec<u32>,
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
        if class != Class::Other {
            self.marked.push(self.ts.len() as u32);
        }
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

    /// The last record stamped at or before `t` (microseconds; the one before the entries if
    /// none), if the entries read so far reach past `t` and so settle it.
    pub fn last_at_or_before(&self, t: i64) -> Option<u64> {
        (*self.ts.last()? > t).then(|| {
            let after = self.ts.partition_point(|&ts| ts <= t);
            self.first_seq + after as u64 - 1
        })
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
    /// operator actions in each. Drawn every frame over a million entries, so the records are
    /// counted by searching for each column's edges, and only the marked entries are visited.
    pub fn buckets(&self, from: i64, to: i64, columns: usize) -> Vec<Bucket> {
        let mut out = vec![Bucket::default(); columns];
        if columns == 0 || to <= from {
            return out;
        }
        let (span, wide) = ((to - from) as i128 + 1, columns as i128);
        // A record at `t` falls in column floor((t - from) * columns / span): column `c` starts
        // at the first whole microsecond where that reaches `c`.
        let edge = |c: usize| from + ((c as i128 * span + wide - 1) / wide) as i64;
        let first = |t: i64| self.ts.partition_point(|&ts| ts < t);
        let end = self.ts.partition_point(|&t| t <= to);
        let lo = first(from);
        // Where each column's records end, by index: the marked entries are then put in their
        // columns by walking both in order, with no division for each of them.
        let mut ends = Vec::with_capacity(columns);
        let mut start = lo;
        for (c, bucket) in out.iter_mut().enumerate() {
            let next = if c + 1 == columns { end } else { first(edge(c + 1)).min(end) };
            bucket.records = (next - start) as u32;
            ends.push(next);
            start = next;
        }
        let marks = &self.marked[self.marked.partition_point(|&i| (i as usize) < lo)..];
        let mut col = 0;
        for &i in marks.iter().take_while(|&&i| (i as usize) < end) {
            let i = i as usize;
            while ends[col] <= i {
                col += 1;
            }
            let bucket = &mut out[col];
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
        assert_eq!(Class::of("mission.status_changed", b"{}"), Class::Action);
        assert_eq!(Class::of("handover", b"{}"), Class::Action);
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

    proptest::proptest! {
        /// The same columns as putting each record in its column one by one.
        #[test]
        fn buckets_equal_a_record_by_record_count(
            gaps in proptest::collection::vec((0i64..5_000, 0u8..7), 0..300),
            from in -1_000i64..20_000, width in 1i64..400_000, columns in 1usize..120,
        ) {
            let mut t = Timeline::default();
            let mut ts = 0;
            for (i, (gap, class)) in gaps.iter().enumerate() {
                ts += gap;
                t.push(i as u64 + 1, ts, Class::unpack(*class));
            }
            let to = from + width;
            let mut expected = vec![Bucket::default(); columns];
            for (i, &ts) in t.ts.iter().enumerate().filter(|(_, ts)| (from..=to).contains(*ts)) {
                let col = ((ts - from) as i128 * columns as i128 / (width as i128 + 1)) as usize;
                let bucket = &mut expected[col.min(columns - 1)];
                bucket.records += 1;
                match Class::unpack(t.class[i]) {
                    Class::Alert(s) => bucket.worst_alert = bucket.worst_alert.max(Some(s)),
                    Class::Action => bucket.actions += 1,
                    Class::Other => {}
                }
            }
            proptest::prop_assert_eq!(t.buckets(from, to, columns), expected);
        }
    }

    #[test]
    fn time_to_record_once_the_entries_reach_past_it() {
        let t = timeline();
        assert_eq!(t.last_at_or_before(2500), Some(12));
        assert_eq!(t.last_at_or_before(2000), Some(12));
        assert_eq!(t.last_at_or_before(-1), Some(9), "the record before the entries");
        assert_eq!(t.last_at_or_before(4000), None, "nothing read after it yet");
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
