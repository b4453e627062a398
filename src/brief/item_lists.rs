//! The item lists of a briefing: per briefed mission the real-world items near it, most severe
//! and nearest first, and the exercise and test items near any, in time order. Chosen from
//! the items' last versions as the readers kept them (`collect::Version`: time, severity,
//! traffic, gaps), and only the items chosen are made into facts: a week has tens of thousands
//! near a mission, a briefing lists about a hundred.

use super::collect::{ItemFact, Version};
use super::model::ItemLine;
use crate::domain::Mission;
use crate::text::one_line;

/// How many items near a mission a briefing lists; the journal has the rest.
const ITEMS_PER_MISSION: usize = 10;

/// Per briefed mission (in the configuration's order) the real-world items near it, and the
/// exercise and test items with their total.
pub struct ItemLists {
    pub missions: Vec<Vec<ItemLine>>,
    pub exercise: (Vec<ItemLine>, usize),
}

/// The lists for `selected` (the briefed missions, in the order `Version::near` counts them)
/// from each item's last version, in the order of their records.
pub fn item_lists(selected: &[&Mission], latest: &[&Version]) -> ItemLists {
    // Most severe, then nearest, then newest: the order of the list but for its last ties.
    let nearest_key =
        |(v, km): &(&Version, u32)| (std::cmp::Reverse(v.severity), *km, std::cmp::Reverse(v.ts));
    let mut near: Vec<FirstByKey<(&Version, u32), _>> =
        selected.iter().map(|_| FirstByKey::new(ITEMS_PER_MISSION, nearest_key)).collect();
    for version in latest.iter().filter(|v| v.traffic.is_real()) {
        for &(i, km) in &version.near {
            if let Some(list) = near.get_mut(i) {
                list.offer((version, km));
            }
        }
    }
    let missions = selected
        .iter()
        .zip(near)
        .map(|(mission, chosen)| {
            let made = chosen.into_made(
                |(version, _)| &version.item,
                |(a, (_, a_km)), (b, (_, b_km))| nearest_first((a, *a_km), (b, *b_km)),
            );
            made.iter().map(|(item, (_, km))| item_line(item, *km, vec![one_line(&mission.id)])).collect()
        })
        .collect();
    ItemLists { missions, exercise: exercise_items(selected, latest) }
}

/// Items near a mission, with the gap: most severe first, then nearest, then newest, then by
/// id and feed.
fn nearest_first((a, a_km): (&ItemFact, u32), (b, b_km): (&ItemFact, u32)) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(a_km.cmp(&b_km))
        .then(b.ts.cmp(&a.ts))
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.feed.cmp(&b.feed))
}

fn item_line(f: &ItemFact, km: u32, missions: Vec<String>) -> ItemLine {
    ItemLine {
        ts: f.ts,
        feed: f.feed.to_string(),
        id: f.id.to_string(),
        severity: f.severity,
        title: f.title.clone(),
        traffic: f.traffic,
        km,
        missions,
    }
}

/// Exercise and test items near any briefed mission, one line per item naming every mission
/// it is near (nearest first; the gap shown is to the nearest), in time order (then feed and
/// id); the first `LIST_LIMIT` and the total.
fn exercise_items(selected: &[&Mission], latest: &[&Version]) -> (Vec<ItemLine>, usize) {
    let briefed = |v: &&&Version| v.near.iter().any(|(i, _)| *i < selected.len());
    let mut first = FirstByKey::new(super::model::LIST_LIMIT, |v: &&Version| v.ts);
    latest.iter().filter(|v| !v.traffic.is_real()).filter(briefed).for_each(|v| first.offer(*v));
    let total = first.offered;
    let made = first.into_made(
        |version| &version.item,
        |(a, _), (b, _)| (a.ts, &a.feed, &a.id).cmp(&(b.ts, &b.feed, &b.id)),
    );
    let lines = made
        .iter()
        .map(|(item, version)| {
            let mut gaps: Vec<(u32, usize)> =
                version.near.iter().filter(|(i, _)| *i < selected.len()).map(|&(i, km)| (km, i)).collect();
            gaps.sort_unstable();
            let missions = gaps.iter().map(|&(_, i)| one_line(&selected[i].id)).collect();
            item_line(item, gaps[0].0, missions)
        })
        .collect();
    (lines, total)
}

/// The entries offered whose key is among the first `n` keys, ties at the cut included (which
/// of them come first is decided once they are made), in key order; and how many were offered.
/// Most entries lose to the last kept on the key, and are dropped.
struct FirstByKey<T, K> {
    n: usize,
    key: fn(&T) -> K,
    first: Vec<(K, T)>,
    offered: usize,
}

impl<T, K: Ord + Copy> FirstByKey<T, K> {
    fn new(n: usize, key: fn(&T) -> K) -> Self {
        FirstByKey { n, key, first: Vec::new(), offered: 0 }
    }

    fn offer(&mut self, entry: T) {
        self.offered += 1;
        let key = (self.key)(&entry);
        let Some(cut) = self.n.checked_sub(1) else { return };
        if self.first.get(cut).is_some_and(|(last, _)| key > *last) {
            return;
        }
        let at = self.first.partition_point(|(kept, _)| *kept <= key);
        self.first.insert(at, (key, entry));
        // Past the first n, only ties with the n-th stay.
        let last = self.first.get(cut).map(|(k, _)| *k);
        while self.first.len() > self.n && self.first.last().map(|(k, _)| *k) > last {
            self.first.pop();
        }
    }

    fn into_vec(self) -> Vec<T> {
        self.first.into_iter().map(|(_, entry)| entry).collect()
    }

    /// The first `n` entries in `order` (which the key's order begins), each made by `make`:
    /// the ties at the cut are decided on what is made.
    fn into_made<'m, M: 'm>(
        self,
        make: impl Fn(&T) -> &'m M,
        order: impl Fn(&(&'m M, T), &(&'m M, T)) -> std::cmp::Ordering,
    ) -> Vec<(&'m M, T)> {
        let n = self.n;
        let mut made: Vec<(&M, T)> = self.into_vec().into_iter().map(|e| (make(&e), e)).collect();
        made.sort_by(order);
        made.truncate(n);
        made
    }
}

#[cfg(test)]
mod tests {
    use super::FirstByKey;

    proptest::proptest! {
        /// Offered anything in any order, it keeps every entry whose key is among the first `n`
        /// keys, ties at the cut included: sorting what it keeps and taking `n` is sorting all
        /// and taking `n`.
        #[test]
        fn first_by_key_keeps_the_head_of_the_sorted_list_and_its_ties(list: Vec<(u8, u8)>, n in 0usize..12) {
            let mut first = FirstByKey::new(n, |e: &(u8, u8)| e.0 / 16);
            list.iter().for_each(|e| first.offer(*e));
            proptest::prop_assert_eq!(first.offered, list.len());
            let mut kept = first.into_vec();
            let mut sorted = list.clone();
            sorted.sort();
            let cut = sorted.get(n.saturating_sub(1)).map(|e| e.0 / 16).filter(|_| n > 0);
            let expected = sorted.iter().filter(|e| cut.is_some_and(|cut| e.0 / 16 <= cut)).count();
            proptest::prop_assert_eq!(kept.len(), expected.max(n.min(list.len())));
            kept.sort();
            kept.truncate(n);
            sorted.truncate(n);
            proptest::prop_assert_eq!(kept, sorted);
        }
    }
}
