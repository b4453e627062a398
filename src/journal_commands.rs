//! `attache journal verify|tail|stats|export|checkpoint`: the journal as an operator or a script meets it.
//! Output goes to stdout (summaries, records); problems go to stderr with where they are; the
//! exit status is 0 when all went well and 1 otherwise.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{ExportFormat, JournalCommand};
use crate::journal::escape::escape_line;
use crate::journal::format::{kind_of, to_hex};
use crate::journal::verify::verify;
use crate::journal::{Follower, JournalError, RawRecord, ReadProblem, segment};
use crate::text::{one_line, one_line_owned};
use crate::when::parse_time;

/// How often `tail -f` looks for new records.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

pub fn run(command: &JournalCommand, dir: &Path) -> ExitCode {
    let result = match command {
        JournalCommand::Verify { anchors } => verify_command(dir, anchors),
        JournalCommand::Tail { follow, lines, json } => tail(dir, *follow, *lines, *json),
        JournalCommand::Stats => stats(dir),
        JournalCommand::Checkpoint => checkpoint(dir),
        JournalCommand::Export { from, to, kind, format } => {
            export(dir, from.as_deref(), to.as_deref(), kind, *format)
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("attache: {message}");
            ExitCode::FAILURE
        }
    }
}

fn time_text(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .map_or_else(|| format!("{micros}µs"), |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

fn checkpoint(dir: &Path) -> Result<ExitCode, String> {
    let started = std::time::Instant::now();
    let built = crate::checkpoint::build(dir, |_| {})?;
    for problem in &built.problems {
        eprintln!("attache: {problem}");
    }
    println!(
        "{} records folded, {} checkpoint(s) written to {} ({:.1}s)",
        built.records,
        built.written,
        dir.join(crate::checkpoint::DIR).display(),
        started.elapsed().as_secs_f64()
    );
    Ok(if built.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Exit status for a sheet given to `verify --anchor` that cannot be read or has no anchor.
const EXIT_USAGE: u8 = 2;

fn verify_command(dir: &Path, anchors: &[std::path::PathBuf]) -> Result<ExitCode, String> {
    // Every sheet is read before the journal is: a sheet that is no anchor is a usage error.
    let mut sheets = Vec::new();
    for path in anchors {
        match crate::handover::anchor::read(path) {
            Ok(sheet) => sheets.push(sheet),
            Err(why) => {
                eprintln!("attache: {why}");
                return Ok(ExitCode::from(EXIT_USAGE));
            }
        }
    }
    let journal = verify_journal(dir)?;
    let remote = verify_remote(dir)?;
    let mut held = true;
    for sheet in &sheets {
        match crate::handover::anchor::check(dir, sheet) {
            Ok(line) => println!("{line}"),
            Err(why) => {
                held = false;
                eprintln!("attache: ANCHOR FAILED: {why}");
            }
        }
    }
    Ok(if journal && remote && held { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The other desks' records this journal holds (`remote`): each origin line against its sum,
/// and each desk's chain of what it shared, for gaps and forks. Whether all held.
fn verify_remote(dir: &Path) -> Result<bool, String> {
    let local = crate::sync::local::read(dir, &|_| false)?;
    if local.chains.desks.is_empty() && local.problems.is_empty() {
        return Ok(true);
    }
    for problem in &local.problems {
        eprintln!("attache: REMOTE: {}", crate::text::one_line(problem));
    }
    let desks: Vec<String> = local
        .chains
        .desks
        .iter()
        .map(|(desk, held)| {
            format!("{} #{} ({} records)", crate::text::one_line(desk), held.seq, held.records)
        })
        .collect();
    let verdict = if local.problems.is_empty() { "intact" } else { "DAMAGED" };
    println!("remote records: {verdict}: {}", desks.join(", "));
    Ok(local.problems.is_empty())
}

/// The journal's own checks, printed; whether it is intact.
fn verify_journal(dir: &Path) -> Result<bool, String> {
    let started = std::time::Instant::now();
    let report = verify(dir).map_err(|e| e.to_string())?;
    let span = match (report.first, report.last) {
        (Some((first_seq, first_ts)), Some((last_seq, last_ts))) => {
            format!("seq {first_seq}..{last_seq}, {} to {}", time_text(first_ts), time_text(last_ts))
        }
        _ => "no records".to_string(),
    };
    let head = report.head.as_ref().map_or_else(|| "-".to_string(), to_hex);
    let summary = format!(
        "{} records in {} segment(s), {span}, head {head} ({:.2}s)",
        report.records,
        report.segments,
        started.elapsed().as_secs_f64()
    );
    if let Some((path, offset, bytes)) = &report.torn_tail {
        eprintln!(
            "note: {} ends in {bytes} bytes of an unfinished record at byte {offset}; the next console or \
             `attache note` to open the journal moves them aside",
            path.display()
        );
    }
    if report.no_head {
        eprintln!(
            "note: {}: no head yet (a journal written by a version that kept none): where it should end \
             cannot be checked until the next console or `attache note` starts keeping one",
            crate::journal::head::path(dir).display()
        );
    }
    if report.intact() {
        println!("journal {}: intact: {summary}", dir.display());
        return Ok(true);
    }
    for problem in report.problems.iter().skip(1) {
        eprintln!("also damaged: {problem}");
    }
    for problem in &report.index_problems {
        eprintln!("index: {problem} (an index is a cache: the next writer to open the journal rebuilds it)");
    }
    let first = match report.problems.first() {
        Some(p) => format!("first bad record: {p}"),
        None => format!("{} index problem(s)", report.index_problems.len()),
    };
    println!(
        "journal {}: DAMAGED: {first}; {} damaged record(s) in all; {summary}",
        dir.display(),
        report.problem_count
    );
    Ok(false)
}

/// Prints problems met while reading; returns whether there were any.
fn report_problems(problems: &[ReadProblem]) -> bool {
    for problem in problems {
        eprintln!("attache: damaged record skipped: {problem} (run `attache journal verify`)");
    }
    !problems.is_empty()
}

fn tail(dir: &Path, follow: bool, lines: u64, json: bool) -> Result<ExitCode, String> {
    let end = Follower::at_end(dir).map_err(|e| e.to_string())?;
    let mut follower = match end.last_seq() {
        Some(last) if lines > 0 => {
            Follower::from_seq(dir, last.saturating_sub(lines - 1).max(1)).map_err(|e| e.to_string())?
        }
        _ => end,
    };
    let stdout = std::io::stdout();
    let mut damaged = false;
    loop {
        let mut out = std::io::BufWriter::new(stdout.lock());
        let mut write_failed = false;
        let problems = follower
            .poll_lines(|raw, _| {
                let line = if json {
                    String::from_utf8_lossy(&escape_line(raw.bytes)).into_owned()
                } else {
                    human(raw)
                };
                // A closed pipe (`| head`) ends the command quietly.
                write_failed = writeln!(out, "{line}").is_err();
                !write_failed
            })
            .map_err(|e| e.to_string())?;
        damaged |= report_problems(&problems);
        if write_failed || out.flush().is_err() {
            return Ok(ExitCode::SUCCESS);
        }
        if !follow {
            return Ok(if damaged { ExitCode::FAILURE } else { ExitCode::SUCCESS });
        }
        drop(out);
        std::thread::sleep(FOLLOW_EVERY);
    }
}

/// `#17 2026-11-25T03:00:00Z reyes note {"operator":"reyes","text":"…"}`: the record's own
/// fields after the common ones, as JSON, every text folded as the console shows it.
fn human(raw: &RawRecord<'_>) -> String {
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_slice(raw.bytes) else {
        return one_line(&String::from_utf8_lossy(raw.bytes));
    };
    let mut take = |key: &str| match fields.remove(key) {
        Some(serde_json::Value::String(s)) => one_line_owned(s),
        Some(other) => fold_strings(other).to_string(),
        None => String::new(),
    };
    let (by, kind) = (take("by"), take("kind"));
    for key in ["seq", "ts", "prev", "sum"] {
        fields.remove(key);
    }
    let rest = match kind.as_str() {
        "config.loaded" => loaded_text(&fields),
        _ => fold_strings(serde_json::Value::Object(fields)).to_string(),
    };
    format!("#{} {} {by} {kind} {rest}", raw.seq, time_text(raw.ts_micros))
}

/// A `config.loaded` record in a line: which file, which version of it (the digest's first
/// characters), what it holds; its snapshot, a whole desk, is left to `--json`.
fn loaded_text(fields: &serde_json::Map<String, serde_json::Value>) -> String {
    let text = |key: &str| one_line(fields.get(key).and_then(|v| v.as_str()).unwrap_or("?"));
    let count = |key: &str| fields.get(key).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let digest = text("digest");
    let snapshot = match fields.get("config").and_then(|c| c.get("rules")).and_then(|r| r.as_array()) {
        Some(rules) => format!("snapshot of {} rules", rules.len()),
        None => "no snapshot".into(),
    };
    format!(
        "{} digest {} {} feeds {} missions {} contacts, {snapshot}",
        text("path"),
        digest.chars().take(12).collect::<String>(),
        count("feeds"),
        count("missions"),
        count("contacts"),
    )
}

/// `value` with every string in it, keys too, folded by `text::one_line`.
fn fold_strings(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(one_line_owned(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(fold_strings).collect()),
        Value::Object(fields) => {
            Value::Object(fields.into_iter().map(|(k, v)| (one_line_owned(k), fold_strings(v))).collect())
        }
        other => other,
    }
}

fn stats(dir: &Path) -> Result<ExitCode, String> {
    let numbers = segment::list(dir).map_err(|e| e.to_string())?;
    let mut segment_bytes = 0;
    let mut index_bytes = 0;
    for &n in &numbers {
        segment_bytes += std::fs::metadata(segment::segment_path(dir, n)).map_or(0, |m| m.len());
        index_bytes += std::fs::metadata(segment::index_path(dir, n)).map_or(0, |m| m.len());
    }
    let torn: Vec<String> = std::fs::read_dir(dir)
        .map_err(|source| JournalError::Read { path: dir.to_path_buf(), source }.to_string())?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.contains(".torn-"))
        .collect();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let (mut records, mut first, mut last) = (0u64, None, None);
    let problems = Follower::new(dir)
        .poll_lines(|raw, _| {
            records += 1;
            first.get_or_insert((raw.seq, raw.ts_micros));
            last = Some((raw.seq, raw.ts_micros));
            *kinds.entry(kind_of(raw.bytes).unwrap_or("?").to_string()).or_default() += 1;
            true
        })
        .map_err(|e| e.to_string())?;
    let damaged = report_problems(&problems);
    println!("journal    {}", dir.display());
    println!("segments   {} ({} bytes; index {} bytes)", numbers.len(), segment_bytes, index_bytes);
    println!("records    {records}");
    if let (Some((s0, t0)), Some((s1, t1))) = (first, last) {
        println!("seq        {s0}..{s1}");
        println!("time       {} to {}", time_text(t0), time_text(t1));
    }
    if !torn.is_empty() {
        println!("set aside  {} (torn tails kept for inspection)", torn.join(", "));
    }
    let mut by_count: Vec<_> = kinds.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (kind, n) in by_count {
        println!("  {n:>10}  {kind}");
    }
    Ok(if damaged { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Checks an `export --kind`: a record kind (`alert.raised`) or a family (`alert`). One that is
/// neither would select nothing, silently: it is refused, naming the ones there are.
pub fn known_kind(text: &str) -> Result<String, String> {
    let families = || crate::event::KINDS.iter().filter_map(|k| k.split_once('.').map(|(family, _)| family));
    if crate::event::KINDS.contains(&text) || families().any(|f| f == text) {
        return Ok(text.to_string());
    }
    let mut families: Vec<&str> = families().collect();
    families.sort_unstable();
    families.dedup();
    Err(format!("no such kind; families: {}; kinds: {}", families.join(", "), crate::event::KINDS.join(", ")))
}

fn kind_matches(wanted: &[String], kind: &str) -> bool {
    wanted.is_empty()
        || wanted
            .iter()
            .any(|w| kind == w || kind.strip_prefix(w.as_str()).is_some_and(|r| r.starts_with('.')))
}

fn export(
    dir: &Path,
    from: Option<&str>,
    to: Option<&str>,
    kinds: &[String],
    format: ExportFormat,
) -> Result<ExitCode, String> {
    let now = Utc::now();
    let from = from.map(|t| parse_time(t, now)).transpose()?;
    let to = to.map(|t| parse_time(t, now)).transpose()?;
    let to_micros = to.map_or(i64::MAX, |t| t.timestamp_micros());
    let mut follower = match from {
        Some(from) => Follower::from_time(dir, from),
        None => Ok(Follower::new(dir)),
    }
    .map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut write_failed = false;
    if format == ExportFormat::Csv {
        write_failed = writeln!(out, "seq,ts,by,kind,sum,data").is_err();
    }
    let problems = follower
        .poll_lines(|raw, _| {
            // Time never runs backwards along the journal: the first record past `to` ends it.
            if raw.ts_micros > to_micros || write_failed {
                return false;
            }
            if !kind_matches(kinds, kind_of(raw.bytes).unwrap_or("")) {
                return true;
            }
            write_failed = match format {
                ExportFormat::Jsonl => {
                    out.write_all(&escape_line(raw.bytes)).and_then(|()| out.write_all(b"\n")).is_err()
                }
                ExportFormat::Csv => writeln!(out, "{}", csv_row(raw)).is_err(),
            };
            !write_failed
        })
        .map_err(|e| e.to_string())?;
    let _ = out.flush();
    let damaged = report_problems(&problems);
    Ok(if damaged { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn csv_row(raw: &RawRecord<'_>) -> String {
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_slice(raw.bytes) else {
        return String::new();
    };
    let mut take = |key: &str| match fields.remove(key) {
        Some(serde_json::Value::String(s)) => s,
        _ => String::new(),
    };
    let (by, kind, sum) = (take("by"), take("kind"), take("sum"));
    for key in ["seq", "ts", "prev"] {
        fields.remove(key);
    }
    let data = serde_json::Value::Object(fields).to_string();
    let data = String::from_utf8_lossy(&escape_line(data.as_bytes())).into_owned();
    [raw.seq.to_string(), time_text(raw.ts_micros), by, kind, sum, data]
        .iter()
        .map(|field| csv_field(field))
        .collect::<Vec<_>>()
        .join(",")
}

/// RFC 4180 quoting, and a leading `'` before `=`, `+`, `-`, `@` so that a spreadsheet opening
/// the export never runs feed text as a formula.
fn csv_field(field: &str) -> String {
    let guarded =
        if field.starts_with(['=', '+', '-', '@']) { format!("'{field}") } else { field.to_string() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_or_ages() {
        let now: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
        assert_eq!(parse_time("-2h", now).unwrap(), "2026-11-25T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(parse_time("24h", now).unwrap(), "2026-11-24T12:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(parse_time("7d", now).unwrap(), "2026-11-18T12:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(
            parse_time("2026-11-25T03:00:00+01:00", now).unwrap(),
            "2026-11-25T02:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(parse_time("last tuesday", now).unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn kinds_match_exactly_or_by_family() {
        let want = vec!["alert".to_string(), "note".to_string()];
        assert!(kind_matches(&want, "alert.raised"));
        assert!(kind_matches(&want, "note"));
        assert!(!kind_matches(&want, "alerts.x"));
        assert!(!kind_matches(&want, "item.seen"));
        assert!(kind_matches(&[], "item.seen"));
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }

    #[test]
    fn kind_is_found_at_the_top_level() {
        let line =
            br#"{"seq":1,"ts":"2026-11-25T03:00:00Z","by":"x","kind":"note","text":"\",\"kind\":\"fake"}"#;
        assert_eq!(kind_of(line), Some("note"));
    }
}
