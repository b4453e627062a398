//! Briefings (SITREPs) for any period, made from the journal alone so they say exactly what the
//! desk knew: `collect` reads the period's facts from the journal, `assemble` sets them against
//! the desk's configuration, `render` writes Markdown, 80-column text or JSON.

pub mod assemble;
pub mod collect;
mod item_lists;
pub(crate) mod markdown;
pub mod model;
pub mod render;

pub use assemble::Request;
pub use render::BriefFormat;

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Config;
use crate::when::parse_time;

/// Reads the journal in `dir` and makes the briefing `request` asks for.
pub fn build(config: &Config, dir: &Path, request: &Request) -> Result<model::Brief, String> {
    let (brief, read) = build_keeping(config, dir, request)?;
    // A week's facts are hundreds of thousands of strings: freeing them takes tens of
    // milliseconds that the reader of the briefing need not wait for.
    std::thread::spawn(move || drop(read));
    Ok(brief)
}

/// What a briefing was made from: freed apart from it (`build`), or never (`run`).
type Read = (collect::Facts, collect::Kept);

/// `build`, handing back what the briefing was made from for the caller to free.
///
/// The briefing sets the record against the configuration in force at the period's end, which
/// is known only once the period is folded; items' nearness is measured while reading, by the
/// configuration in force where reading starts (the checkpoint's). Where the briefed missions
/// at the end differ from those (a mission added or moved in between), the period is read
/// again, measured by the end's.
fn build_keeping(own: &Config, dir: &Path, request: &Request) -> Result<(model::Brief, Read), String> {
    if request.from > request.to {
        return Err(format!("the period starts ({}) after it ends ({})", request.from, request.to));
    }
    let mut start = collect::Start::new(dir, request.from, request.to)?;
    let mut measured_by = in_force(own, start.config_in_force());
    // Each reading that finds other missions at the end than it measured by takes the end's
    // for the next; only a reload recorded while reading (a period ending now) finds them
    // different again.
    let (config, facts, kept) = loop {
        let briefed = assemble::briefed(measured_by.config(), request);
        let reaches = crate::domain::Reaches::new(briefed.iter().map(|m| &m.area), crate::alerts::LINK_KM);
        let near = |location: &crate::domain::Location| reaches.near(location);
        let (facts, kept) = start.read(&near, None)?;
        let at_end = in_force(own, facts.config.as_ref());
        if assemble::briefed(at_end.config(), request) == briefed {
            break (at_end, facts, kept);
        }
        start = collect::Start::new(dir, request.from, request.to)?;
        measured_by = at_end;
    };
    let missions = &config.config().missions;
    if let Some(unknown) = request.missions.iter().find(|id| !missions.iter().any(|m| &m.id == *id)) {
        let known: Vec<&str> = missions.iter().map(|m| m.id.as_str()).collect();
        return Err(format!("no mission `{unknown}` in the configuration (missions: {})", known.join(", ")));
    }
    let briefed = assemble::briefed(config.config(), request);
    // Each item's last version is picked, and the item lists made, on one core while the rest
    // of the briefing is made on the other.
    let (brief, lists) = std::thread::scope(|scope| {
        let lists = scope.spawn(|| item_lists::item_lists(&briefed, &kept.latest()));
        let brief = assemble::without_items(&config, &facts, request);
        (brief, lists.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let brief =
        model::Brief { review: model::Review::of(dir, request.from, request.to), ..brief.with(lists) };
    Ok((brief, (facts, kept)))
}

/// The configuration in force at a point of the record (`recorded`), or `own` (this process's
/// file) where the record holds none: the desk's one way of choosing (`desk::InForce`).
fn in_force(own: &Config, recorded: Option<&crate::config::ConfigInForce>) -> crate::desk::InForce {
    let mut in_force = crate::desk::InForce::new(own.clone());
    in_force.follow_record(recorded);
    in_force
}

/// The period a command line asks for: `--from`/`--to`, or `--since` up to now.
pub fn period(
    since: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let to = to.map(|t| parse_time(t, now)).transpose()?.unwrap_or(now);
    let from = match (since, from) {
        (Some(_), Some(_)) => return Err("give either --since or --from, not both".to_string()),
        (None, Some(from)) => parse_time(from, now)?,
        (since, None) => {
            let age = since.unwrap_or("24h");
            let age = age.strip_prefix('-').unwrap_or(age);
            let d = humantime::parse_duration(age)
                .map_err(|_| format!("--since `{age}` is not a duration (24h, 7d, 90m)"))?;
            let d = chrono::Duration::from_std(d).map_err(|_| format!("--since `{age}` is too long"))?;
            to.checked_sub_signed(d).ok_or_else(|| format!("--since `{age}` reaches before any time"))?
        }
    };
    Ok((from, to))
}

/// The desks `--desk` names: ids, or `*` alone for every desk.
pub fn desks_of(names: &[String]) -> Result<crate::sync::settings::Follow, String> {
    use crate::sync::settings::{Follow, valid_desk_id};
    if names.iter().any(|n| n == "*") {
        return if names.len() == 1 {
            Ok(Follow::All)
        } else {
            Err("--desk '*' covers every desk: give it alone, or name the desks".into())
        };
    }
    if let Some(bad) = names.iter().find(|n| !valid_desk_id(n)) {
        let bad = crate::text::one_line(bad);
        return Err(format!("--desk `{bad}` cannot be a desk id (lowercase letters, digits, - and _)"));
    }
    Ok(Follow::Desks(names.to_vec()))
}

/// The `attache brief` command's arguments.
pub struct Args<'a> {
    pub since: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub missions: Vec<String>,
    /// `--desk`: followed desks to cover besides this one (`*`: every one).
    pub desks: Vec<String>,
    pub format: BriefFormat,
    pub output: Option<&'a Path>,
    pub generated_at: Option<&'a str>,
    pub operator: String,
    /// Leave nothing beside the journal: no checkpoints for the next briefing.
    pub read_only: bool,
}

/// `attache brief`: prints the briefing, or writes it to `-o FILE`. Exit 1 on any failure;
/// a damaged journal still gives a briefing, with the warning in its header.
pub fn run(config: &Config, dir: &Path, args: Args<'_>) -> ExitCode {
    match run_inner(config, dir, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("attache brief: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_inner(config: &Config, dir: &Path, args: Args<'_>) -> Result<(), String> {
    let now = Utc::now();
    let generated_at = args.generated_at.map(|t| parse_time(t, now)).transpose()?.unwrap_or(now);
    let (from, to) = period(args.since, args.from, args.to, now)?;
    let desks = desks_of(&args.desks)?;
    if let crate::sync::settings::Follow::Desks(named) = &desks {
        for desk in named {
            match &config.sync {
                Some(sync) if sync.desk == *desk => {
                    return Err(format!("--desk {desk} is this desk: its alerts are the briefing's own"));
                }
                Some(sync) if sync.follow.follows(desk) => {}
                // Named in error, or no longer followed: said, as it reads like a quiet desk.
                _ => eprintln!(
                    "attache brief: this desk does not follow {desk} ([sync] follow): only what the journal holds of it is briefed"
                ),
            }
        }
    }
    let request = Request { from, to, missions: args.missions, desks, generated_at, operator: args.operator };
    let (brief, read) = build_keeping(config, dir, &request)?;
    // The process ends once the briefing is out, and its memory with it: freeing what the
    // briefing was made from, even on another core, only slows the writing down.
    std::mem::forget(read);
    let text = render::render(&brief, args.format);
    for warning in &brief.warnings {
        eprintln!("attache brief: warning: {warning}");
    }
    let written = match args.output {
        Some(path) => crate::desk_files::write(path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is the reader's choice, not a failure.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            Ok(())
        }
    };
    if !args.read_only {
        leave_checkpoints(dir, from);
    }
    written
}

/// Starts writing the checkpoints a briefing from `from` lacked before its period, once the
/// briefing is out, so that the next briefing of a nearby period starts near it.
fn leave_checkpoints(dir: &Path, from: DateTime<Utc>) {
    let first = match crate::journal::Follower::first_seq_from(dir, from) {
        Ok(Some(first)) => first,
        Ok(None) => match crate::journal::Follower::at_end(dir).map(|f| f.last_seq()) {
            Ok(Some(last)) => last + 1,
            _ => return,
        },
        Err(_) => return,
    };
    if crate::checkpoint::missing_before(dir, first - 1)
        && let Err(e) = crate::checkpoint::leave_behind(dir)
    {
        eprintln!("attache brief: could not start writing checkpoints along {}: {e}", dir.display());
    }
}

/// The desk's briefs directory: `briefs` beside the journal directory.
pub fn briefs_dir(journal: &Path) -> PathBuf {
    let parent = journal.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join("briefs")
}

/// Writes a Markdown briefing for `[from, to]` into the briefs directory, named after the
/// period's end, and returns the file and the briefing (for the journal note).
pub fn write_to_briefs_dir(
    config: &Config,
    journal: &Path,
    request: &Request,
) -> Result<(PathBuf, model::Brief), String> {
    let brief = build(config, journal, request)?;
    let dir = briefs_dir(journal);
    crate::desk_files::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // What a console that quit without waiting for its briefing left half written.
    crate::desk_files::remove_abandoned(&dir);
    let path = dir.join(format!("sitrep-{}.md", request.to.format("%Y%m%dT%H%M%SZ")));
    // Whole or not at all: a console that stops while writing it leaves no half briefing.
    let text = render::render(&brief, BriefFormat::Md);
    crate::desk_files::write_atomically(&path, |mut file| {
        std::io::Write::write_all(&mut file, text.as_bytes())
    })?;
    Ok((path, brief))
}

/// The journal note that records a briefing: where it is and what it covers, so the record
/// shows what was briefed and a reader can find the file and check it.
pub fn written_note(path: &Path, brief: &model::Brief) -> String {
    let p = &brief.provenance;
    let seqs = match (p.first_seq, p.last_seq) {
        (Some(a), Some(z)) => format!("seq {a}..{z}"),
        _ => "no records".to_string(),
    };
    crate::text::one_line(&format!(
        "briefing written: {} (period {} to {}, {seqs}, head {})",
        path.display(),
        render::utc(brief.period.from),
        render::utc(brief.period.to),
        p.head.as_deref().map_or("-", |h| &h[..h.len().min(16)]),
    ))
}

/// A check-in's channel and note as a briefing line ends: `by phone: "all quiet"`; None when
/// it says neither.
pub fn check_in_said(channel: Option<&str>, note: Option<&str>) -> Option<String> {
    let note = note.map(crate::text::one_line).filter(|n| !n.is_empty());
    match (channel.map(crate::text::one_line), note) {
        (None, None) => None,
        (Some(channel), None) => Some(format!("by {channel}")),
        (None, Some(note)) => Some(format!("\"{note}\"")),
        (Some(channel), Some(note)) => Some(format!("by {channel}: \"{note}\"")),
    }
}
