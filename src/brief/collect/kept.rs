//! The items the readers keep: every version of a notable item near a briefed mission, in the
//! order of their records. A week has tens of thousands of them and a briefing lists about a
//! hundred: the lists are chosen on a version's time, severity, traffic and gaps.

use std::collections::HashSet;

use super::{ItemFact, Near, NearItem};
use crate::domain::{Severity, Traffic};

/// One version of an item, kept because it is near a briefed mission.
#[derive(Debug)]
pub struct Version {
    /// Its record's time, in microseconds since the epoch.
    pub ts: i64,
    pub severity: Severity,
    pub traffic: Traffic,
    /// The briefed missions it is near (never empty).
    pub near: Near,
    pub item: ItemFact,
}

impl Version {
    pub(super) fn new(item: ItemFact, near: Near) -> Version {
        Version { ts: item.ts.timestamp_micros(), severity: item.severity, traffic: item.traffic, near, item }
    }
}

/// The versions the readers kept, an item in as many versions as they met near a briefed
/// mission: the first reader's, then the second's.
#[derive(Debug, Default)]
pub struct Kept {
    versions: Vec<Version>,
}

impl Kept {
    pub(super) fn joined(mut head: Vec<Version>, tail: Vec<Version>) -> Kept {
        head.extend(tail);
        Kept { versions: head }
    }

    /// Each item once (by feed and id), in its last version near a briefed mission, in the
    /// order of those versions' records.
    pub fn latest(&self) -> Vec<&Version> {
        let mut seen: HashSet<(&str, &str), foldhash::fast::RandomState> =
            HashSet::with_capacity_and_hasher(self.versions.len(), Default::default());
        let mut latest: Vec<&Version> = self
            .versions
            .iter()
            .rev()
            .filter(|v| seen.insert((v.item.feed.as_str(), v.item.id.as_str())))
            .collect();
        latest.reverse();
        latest
    }

    /// `latest`, as facts (`Facts::items`).
    pub fn made_latest(&self) -> Vec<NearItem> {
        self.latest().iter().map(|v| NearItem { item: v.item.clone(), near: v.near.clone() }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn version(feed: &str, id: &str, title: &str) -> Version {
        let item = ItemFact {
            ts: DateTime::UNIX_EPOCH,
            feed: feed.into(),
            id: id.into(),
            title: title.into(),
            severity: Severity::Severe,
            traffic: Traffic::Real,
        };
        Version::new(item, Near::from_slice(&[(0, 1)]))
    }

    /// Each item's last version is kept, in the order of those versions, across the two
    /// readers' versions and within either; an id of another feed is another item.
    #[test]
    fn last_versions_across_both_readers() {
        let head = vec![
            version("f", "a", "a1"),
            version("f", "b", "b1"),
            version("g", "a", "ga"),
            version("f", "a", "a2"),
            version("f", "c", "c1"),
        ];
        let tail = vec![version("f", "b", "b2"), version("f", "d", "d1"), version("f", "d", "d2")];
        let kept = Kept::joined(head, tail);
        let titles: Vec<String> = kept.made_latest().into_iter().map(|n| n.item.title).collect();
        assert_eq!(titles, ["ga", "a2", "c1", "b2", "d2"]);
    }
}
