//! Fuzzing the CoT TCP stream framer: streams made of the CoT fixtures (one recorded stream and
//! single events, kept with their sources in tests/fixtures/cot/SOURCES.md), mutated, then fed in
//! arbitrary reads. However the reads fall, the framer finds the same events as when the stream
//! comes whole; every event it returns is a run of the stream's own bytes starting `<event`; it
//! never holds more than its limit (or a 256-byte unfinished tag between events); and each event parses or is refused, never panics.
//! `FUZZ_CASES=N cargo test --test fuzz_cot_stream` runs N times as many cases.

mod fuzz_support;

use std::sync::LazyLock;

use attache::feeds::cot::{self, CotFramer, Framed};
use chrono::{DateTime, Utc};
use fuzz_support::{config, corpus, mutate, mutations};
use proptest::prelude::*;

static COT: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| corpus("cot", &[".xml", ".cotstream"], 64 * 1024));

fn now() -> DateTime<Utc> {
    "2020-02-08T18:10:50Z".parse().unwrap()
}

/// A stream of up to six fixtures back to back, mutated.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    (proptest::collection::vec(0..COT.len(), 1..6), mutations(6)).prop_map(|(picks, m)| {
        let joined: Vec<u8> = picks.iter().flat_map(|&i| COT[i].iter().copied()).collect();
        mutate(&joined, &m)
    })
}

fn events(frames: Vec<Framed>) -> Vec<Vec<u8>> {
    frames
        .into_iter()
        .filter_map(|f| match f {
            Framed::Event(e) => Some(e),
            Framed::Dropped(_) => None,
        })
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn the_same_events_however_the_reads_fall(stream in stream(), cuts in proptest::collection::vec(any::<u16>(), 0..24)) {
        let whole = events(CotFramer::default().push(&stream));
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c as usize % (stream.len() + 1)).collect();
        cuts.sort_unstable();
        let mut framer = CotFramer::default();
        let mut split = Vec::new();
        let mut at = 0;
        for cut in cuts.into_iter().chain([stream.len()]) {
            split.extend(events(framer.push(&stream[at..cut])));
            at = cut;
        }
        prop_assert_eq!(&split, &whole);
        for event in &whole {
            prop_assert!(event.starts_with(b"<event"), "{}", String::from_utf8_lossy(event));
            prop_assert!(contains(&stream, event), "an event not in the stream: {}", String::from_utf8_lossy(event));
            let _ = cot::parse("tak", event, now());
        }
    }

    #[test]
    fn a_small_limit_bounds_what_is_held(stream in stream(), limit in 64usize..4096, read in 1usize..512) {
        let mut framer = CotFramer::new(limit);
        for chunk in stream.chunks(read) {
            for event in events(framer.push(chunk)) {
                prop_assert!(event.starts_with(b"<event"));
            }
            // Between events the framer keeps at most a 256-byte unfinished tag, whatever its limit.
            prop_assert!(framer.pending() <= limit.max(256), "{} held, limit {}", framer.pending(), limit);
        }
    }
}
