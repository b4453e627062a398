//! Shared pieces of the fuzz properties (tests/fuzz_*.rs): how many cases to run, the seed
//! corpora read from tests/fixtures, and mutations of a seed that proptest can shrink.
//!
//! Each property runs a small number of cases so the whole suite stays within a minute of a debug
//! `cargo test`, the same cases on every run (a fixed seed), so a clean clone passes or fails as
//! the last one did; `FUZZ_CASES=N` searches N times as many fresh random cases.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// A runner config for a property that runs `base` cases from a fixed seed in a normal test run,
/// times `FUZZ_CASES` from a random seed when that is set (or from `PROPTEST_RNG_SEED`, to
/// repeat a search). Failures are not persisted to files: a failure found becomes a named
/// regression test with its input inlined.
pub fn config(base: u32) -> Config {
    let factor = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse::<u32>().ok());
    let searching = factor.is_some() || std::env::var_os("PROPTEST_RNG_SEED").is_some();
    let defaults = Config::default();
    let rng_seed = if searching { defaults.rng_seed } else { RngSeed::Fixed(TEST_RUN_SEED) };
    Config {
        cases: base.saturating_mul(factor.unwrap_or(1).max(1)),
        failure_persistence: None,
        rng_seed,
        ..defaults
    }
}

/// The seed of a normal test run's cases.
const TEST_RUN_SEED: u64 = 0x0061_7474_6163_6865;

/// The documents in `tests/fixtures/<dir>` whose names end with one of `exts`, smallest first,
/// at most `max_bytes` each (large fixtures make a debug case slow without finding more).
pub fn corpus(dir: &str, exts: &[&str], max_bytes: u64) -> Vec<Vec<u8>> {
    let mut found: Vec<(u64, Vec<u8>)> = std::fs::read_dir(format!("tests/fixtures/{dir}"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| exts.iter().any(|ext| p.to_string_lossy().ends_with(ext)))
        .map(|p| (std::fs::metadata(&p).unwrap().len(), p))
        .filter(|(len, _)| *len <= max_bytes)
        .map(|(len, p)| (len, std::fs::read(p).unwrap()))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no seeds in tests/fixtures/{dir}");
    found.into_iter().map(|(_, bytes)| bytes).collect()
}

/// One change to a document. Positions are fractions of the length (0..=u16::MAX) so that a
/// mutation stays meaningful whatever the seed's size, and shrinks toward the start.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// XOR one byte with a non-zero mask.
    Flip(u16, u8),
    /// Cut the document here.
    Truncate(u16),
    /// Remove up to this many bytes from here.
    Delete(u16, u8),
    /// Insert these bytes here.
    Insert(u16, Vec<u8>),
    /// Insert a token that means something to one of the formats.
    Token(u16, usize),
    /// Copy a run of the document to another place (repeats elements, nests them).
    Duplicate(u16, u16, u16),
}

/// Fragments that steer a mutated document into the parsers' corners: markup, escapes,
/// numbers at the edge of what a float holds, encodings, and characters the fold must drop.
pub const TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "\"",
    "'",
    "&",
    "&amp;",
    "&#0;",
    "&#x1b;",
    "&#xD800;",
    "&#99999999;",
    "&unknown;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "</event>",
    "<event>",
    "<event ",
    "<point lat=\"91\" lon=\"-181\"/>",
    "<georss:point>",
    "</georss:point>",
    "<geo:lat>",
    "<georss:polygon>1 2 3</georss:polygon>",
    "<gml:pos>",
    "<cap:polygon>",
    "<polygon>",
    "<circle>",
    "0,0 0",
    "-90.0,180.0 5",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "\"\"",
    "-0",
    "1e999",
    "-1e999",
    "NaN",
    "1.7976931348623157e308",
    "9007199254740993",
    "18446744073709551616",
    "-9223372036854775808",
    "\\u0000",
    "\\ud800",
    "\\u001b[2J",
    "\u{1b}[31m",
    "\u{9b}",
    "\u{202e}",
    "\u{200b}",
    "\u{ad}",
    "\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
    "\u{feff}",
    "\r\n",
    "\t",
    "\0",
    "\u{7f}",
    "\u{fffd}",
    "\u{10ffff}",
    "é",
    "日本",
    "\u{e0041}",
    "2024-02-30T25:61:61Z",
    "Mon, 32 Foo 2024 99:99:99 +9999",
    "0000-00-00T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "-262144-01-01T00:00:00Z",
    "9999999999999",
    "-99999999999999999",
    "1970-01-01T00:00:00+25:00",
    "T",
    "Z",
];

/// Up to `max` mutations, applied in order.
pub fn mutations(max: usize) -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        (any::<u16>(), 1..=255u8).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
        any::<u16>().prop_map(Mutation::Truncate),
        (any::<u16>(), any::<u8>()).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<u16>(), proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<u16>(), 0..TOKENS.len()).prop_map(|(at, t)| Mutation::Token(at, t)),
        (any::<u16>(), any::<u16>(), any::<u16>())
            .prop_map(|(from, len, to)| Mutation::Duplicate(from, len, to)),
    ];
    proptest::collection::vec(one, 0..=max)
}

fn at(len: usize, fraction: u16) -> usize {
    len * fraction as usize / u16::MAX as usize
}

/// `seed` with `mutations` applied.
pub fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut doc = seed.to_vec();
    for m in mutations {
        let len = doc.len();
        match m {
            Mutation::Flip(p, mask) if len > 0 => {
                let i = at(len - 1, *p);
                doc[i] ^= mask;
            }
            Mutation::Flip(..) => {}
            Mutation::Truncate(p) => doc.truncate(at(len, *p)),
            Mutation::Delete(p, n) => {
                let i = at(len, *p);
                let end = (i + *n as usize).min(len);
                doc.drain(i..end);
            }
            Mutation::Insert(p, bytes) => {
                let i = at(len, *p);
                doc.splice(i..i, bytes.iter().copied());
            }
            Mutation::Token(p, t) => {
                let i = at(len, *p);
                doc.splice(i..i, TOKENS[*t].bytes());
            }
            Mutation::Duplicate(from, n, to) => {
                let start = at(len, *from);
                // Runs of at most 4 KiB, so repeated duplication cannot blow a case up.
                let end = (start + at(len.min(4096), *n)).min(len);
                let run = doc[start..end].to_vec();
                let i = at(len, *to);
                doc.splice(i..i, run);
            }
        }
    }
    doc
}

/// A seed from `corpus` (picked by `index`) with up to `max` mutations.
pub fn mutated(corpus: &'static [Vec<u8>], max: usize) -> impl Strategy<Value = Vec<u8>> {
    (0..corpus.len(), mutations(max)).prop_map(move |(i, m)| mutate(&corpus[i], &m))
}

/// Whether `text` holds a character the fold must drop (a control, a bidi or invisible format
/// character): used on text a parser hands on for the screen.
pub fn has_hidden(text: &str) -> bool {
    text.chars().any(attache::text::is_hidden)
}
