//! The bytes of one record line, and how to check them without parsing the whole record.
//!
//! A line is the record's JSON object with two fields appended, always last and always of fixed
//! length, so a checker finds them from the end of the line without a JSON parser:
//!
//! ```text
//! {"seq":7,"ts":"…","by":"reyes","kind":"note",…,"prev":"<64 hex>","sum":"<64 hex>"}
//! ```
//!
//! `prev` is the previous record's `sum` (64 zeros before the first record), and `sum` is the
//! SHA-256 of every byte of the line before `,"sum"`, so it covers the record and the chain link.
//! Changing any byte, dropping a line or swapping two breaks a sum or a link.

use sha2::{Digest, Sha256};

use crate::event::Record;

/// A SHA-256 as the 64 lowercase hex digits a line carries. Kept as text, so checking a line
/// is a hash and two comparisons, with no decoding.
pub type Hash = [u8; 64];

/// The `prev` of the very first record.
pub const GENESIS: Hash = [b'0'; 64];

const PREV_OPEN: &[u8] = br#","prev":""#;
const SUM_OPEN: &[u8] = br#"","sum":""#;
const CLOSE: &[u8] = br#""}"#;
/// `,"sum":"<64 hex>"}` — the bytes after the hashed part of a line.
const SUM_TRAILER: usize = SUM_OPEN.len() - 1 + 64 + CLOSE.len();
/// `,"prev":"<64 hex>","sum":"<64 hex>"}`
const TRAILER: usize = PREV_OPEN.len() + 64 + SUM_OPEN.len() + 64 + CLOSE.len();

/// Appends `record` as one line (with its newline) to `out` and returns its sum.
pub fn encode(record: &Record, prev: &Hash, out: &mut Vec<u8>) -> Hash {
    let start = out.len();
    // A Record is plain data (strings, numbers, timestamps): serializing it into memory cannot
    // fail, and if it ever did the journal must not get half a line.
    // Hidden characters are escaped (`escape`): the line on disk is safe to show as it is.
    let mut json = serde_json::Serializer::with_formatter(&mut *out, super::escape::HiddenEscaped);
    serde::Serialize::serialize(record, &mut json).expect("a journal record always serializes to JSON");
    debug_assert_eq!(out.last(), Some(&b'}'));
    out.pop();
    out.extend_from_slice(PREV_OPEN);
    out.extend_from_slice(prev);
    out.push(b'"');
    let sum = hex(&Sha256::digest(&out[start..]));
    out.extend_from_slice(&SUM_OPEN[1..]);
    out.extend_from_slice(&sum);
    out.extend_from_slice(CLOSE);
    out.push(b'\n');
    sum
}

/// What the fixed fields of a line say, once its sum has been checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checked {
    pub seq: u64,
    pub prev: Hash,
    pub sum: Hash,
}

/// Why a line is not a good record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineFault {
    /// The line does not end in the `prev`/`sum` fields, or they are not hex.
    NoChecksum,
    /// The line does not start with `{"seq":N,`.
    NoSeq,
    /// The sum does not match the bytes: some byte of this line was changed.
    BadSum { seq: Option<u64>, claimed: Hash },
}

impl std::fmt::Display for LineFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineFault::NoChecksum => write!(f, "the line does not end with the \"prev\" and \"sum\" fields"),
            LineFault::NoSeq => write!(f, "the line does not start with a \"seq\" field"),
            LineFault::BadSum { .. } => write!(f, "checksum mismatch: the record's bytes were changed"),
        }
    }
}

/// Checks one line (without its newline): its trailer, its sum, and reads its `seq`.
pub fn check(line: &[u8]) -> Result<Checked, LineFault> {
    let Some(fields) = trailer(line) else { return Err(LineFault::NoChecksum) };
    let (prev, claimed) = fields;
    let seq = seq_of(line);
    let actual = hex(&Sha256::digest(&line[..line.len() - SUM_TRAILER]));
    if actual != claimed {
        return Err(LineFault::BadSum { seq, claimed });
    }
    let seq = seq.ok_or(LineFault::NoSeq)?;
    Ok(Checked { seq, prev, sum: claimed })
}

/// The `prev` and `sum` a line claims, if its trailer is well formed. The digits are not
/// decoded: a non-hex digit simply matches no sum.
pub fn trailer(line: &[u8]) -> Option<(Hash, Hash)> {
    if line.len() < TRAILER + 2 || line[0] != b'{' {
        return None;
    }
    let t = &line[line.len() - TRAILER..];
    let (prev_open, rest) = t.split_at(PREV_OPEN.len());
    let (prev_hex, rest) = rest.split_at(64);
    let (sum_open, rest) = rest.split_at(SUM_OPEN.len());
    let (sum_hex, close) = rest.split_at(64);
    if prev_open != PREV_OPEN || sum_open != SUM_OPEN || close != CLOSE {
        return None;
    }
    Some((prev_hex.try_into().ok()?, sum_hex.try_into().ok()?))
}

/// The `seq` of a line that starts `{"seq":N,`, read without parsing the rest.
pub fn seq_of(line: &[u8]) -> Option<u64> {
    let digits = line.strip_prefix(br#"{"seq":"#)?;
    let end = digits.iter().position(|b| !b.is_ascii_digit())?;
    if end == 0 || end > 19 || digits[end] != b',' {
        return None;
    }
    digits[..end].iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// The `ts` of a line as microseconds since the epoch, read without a JSON parser. Records are
/// written `{"seq":N,"ts":"YYYY-MM-DDTHH:MM:SS[.fff…]Z",` by `encode`.
pub fn ts_micros_of(line: &[u8]) -> Option<i64> {
    let after_seq = line.iter().position(|&b| b == b',')?;
    let rest = line[after_seq..].strip_prefix(br#","ts":""#)?;
    let end = rest.iter().position(|&b| b == b'"')?;
    parse_ts(&rest[..end])
}

/// Parses the UTC timestamps the writer produces; anything else goes through chrono.
pub fn parse_ts(s: &[u8]) -> Option<i64> {
    fn num(b: &[u8]) -> Option<i64> {
        b.iter().try_fold(0i64, |n, d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    }
    let fast = || -> Option<i64> {
        if s.len() < 20 || s[4] != b'-' || s[7] != b'-' || s[10] != b'T' || s[13] != b':' || s[16] != b':' {
            return None;
        }
        let date = chrono::NaiveDate::from_ymd_opt(
            num(&s[0..4])? as i32,
            num(&s[5..7])? as u32,
            num(&s[8..10])? as u32,
        )?;
        let (h, m, sec) = (num(&s[11..13])?, num(&s[14..16])?, num(&s[17..19])?);
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        let mut micros = 0;
        let rest = &s[19..];
        let zone = match rest.first()? {
            b'.' => {
                let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                if digits == 0 || digits > 9 {
                    return None;
                }
                let frac = num(&rest[1..1 + digits])?;
                micros = frac * 1_000_000 / 10i64.pow(digits as u32);
                &rest[1 + digits..]
            }
            _ => rest,
        };
        if zone != b"Z" {
            return None;
        }
        let days = i64::from(date.num_days_from_ce()) - 719_163;
        Some((days * 86_400 + h * 3600 + m * 60 + sec) * 1_000_000 + micros)
    };
    use chrono::Datelike as _;
    fast().or_else(|| {
        let text = std::str::from_utf8(s).ok()?;
        chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_micros())
    })
}

pub fn to_hex(hash: &Hash) -> String {
    String::from_utf8_lossy(hash).into_owned()
}

fn hex(digest: &[u8]) -> Hash {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(digest) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
    out
}

/// The kind of a checked line. The top-level `kind` follows `seq`, `ts` and `by`, before any
/// nested object, and `,"kind":"` cannot occur inside a JSON string (its quotes would be escaped).
pub fn kind_of(line: &[u8]) -> Option<&str> {
    const KEY: &[u8] = br#","kind":""#;
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let len = line[at..].iter().position(|&b| b == b'"')?;
    std::str::from_utf8(&line[at..at + len]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    fn note(seq: u64) -> Record {
        Record {
            seq,
            ts: "2026-11-25T03:00:00.250Z".parse().unwrap(),
            by: "reyes".into(),
            event: Event::Note {
                operator: "reyes".into(),
                text: "Called DATT Tokyo".into(),
                mission: None,
                alert: None,
                contact: None,
            },
        }
    }

    #[test]
    fn a_line_is_json_that_reads_back_and_checks() {
        let mut buf = Vec::new();
        let sum = encode(&note(7), &GENESIS, &mut buf);
        let line = &buf[..buf.len() - 1];
        let value: serde_json::Value = serde_json::from_slice(line).unwrap();
        assert_eq!(value["kind"], "note");
        assert_eq!(value["sum"], to_hex(&sum));
        assert_eq!(value["prev"], to_hex(&GENESIS));
        let back: Record = serde_json::from_slice(line).unwrap();
        assert_eq!(back, note(7));
        assert_eq!(check(line), Ok(Checked { seq: 7, prev: GENESIS, sum }));
        assert_eq!(ts_micros_of(line), Some(note(7).ts.timestamp_micros()));
    }

    #[test]
    fn any_changed_byte_is_caught() {
        let mut buf = Vec::new();
        encode(&note(7), &GENESIS, &mut buf);
        let line = &buf[..buf.len() - 1];
        for i in 0..line.len() {
            let mut bad = line.to_vec();
            bad[i] ^= 0x01;
            assert!(check(&bad).is_err(), "flipping byte {i} went unnoticed");
        }
    }

    #[test]
    fn timestamps_parse_like_chrono() {
        for ts in ["2026-11-25T03:00:00Z", "2026-02-28T23:59:59.999999Z", "1999-01-01T00:00:00.5Z"] {
            let want = chrono::DateTime::parse_from_rfc3339(ts).unwrap().timestamp_micros();
            assert_eq!(parse_ts(ts.as_bytes()), Some(want), "{ts}");
        }
        assert_eq!(parse_ts(b"yesterday"), None);
    }
}
