//! `attache handover`: the end of a watch, witnessed. The journal is folded by the one reducer,
//! what is open is read from it (`matters`), and a sheet listing it, anchored to the journal's
//! last record (`sheet`), is written beside the briefings, signed when asked (`ssh`), copied off
//! the host when the desk says so (`copy`), and journaled as a `handover` record.
//!
//! The order is chosen so that nothing half-done is on record: the sheet is written and signed
//! first, and a failed signature removes it, journals nothing and exits 1; the copy's outcome is
//! journaled with the handover, and a failed copy leaves the handover done (exit 3).

pub mod anchor;
pub mod copy;
pub mod matters;
pub mod sheet;
pub mod ssh;

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Config;
use crate::event::{Event, JournalHead};
use crate::journal::{JournalError, Writer};
use crate::state::DeskState;

/// Exit status when the handover is journaled but its sheet could not be copied off the host.
pub const EXIT_COPY_FAILED: u8 = 3;

pub struct Args<'a> {
    pub to: Option<&'a str>,
    pub sign: Option<&'a Path>,
    pub operator: String,
}

/// What a handover did.
struct Done {
    seq: u64,
    sheet: PathBuf,
    signature: Option<PathBuf>,
    copy_failed: Option<String>,
    matters: matters::Matters,
}

/// Hands the watch over: exit 0 once journaled, 3 when journaled but the copy failed, 1 when
/// nothing was journaled (a damaged or unwritable journal, a signature that could not be made).
pub fn run(config: &Config, journal: &Path, args: Args<'_>) -> ExitCode {
    match hand_over(config, journal, &args, Utc::now()) {
        Ok(done) => {
            let m = &done.matters;
            println!(
                "handover #{} journaled in {}: {}, {}, {}, {}",
                done.seq,
                journal.display(),
                crate::words::count(m.open_alerts.len() as u64, "open alert", "open alerts"),
                crate::words::count(m.open_rollcalls.len() as u64, "open roll-call", "open roll-calls"),
                crate::words::count(m.overdue_contacts.len() as u64, "overdue contact", "overdue contacts"),
                crate::words::count(m.feeds_down.len() as u64, "feed down", "feeds down"),
            );
            if let Some(signature) = &done.signature {
                println!("signed: {}", signature.display());
            }
            // Last, alone on its line: scripts take the sheet's path from here.
            println!("{}", done.sheet.display());
            match done.copy_failed {
                Some(why) => {
                    eprintln!(
                        "attache: warning: the handover is journaled, but its sheet was not copied: {why}"
                    );
                    ExitCode::from(EXIT_COPY_FAILED)
                }
                None => ExitCode::SUCCESS,
            }
        }
        Err(why) => {
            eprintln!("attache: {why}; no handover was journaled");
            ExitCode::FAILURE
        }
    }
}

fn hand_over(config: &Config, journal: &Path, args: &Args<'_>, now: DateTime<Utc>) -> Result<Done, String> {
    let operator = &args.operator;
    let to = args.to.map(crate::text::one_line).filter(|to| !to.is_empty());
    // Opened first: a damaged journal is refused before anything is written.
    let mut writer = Writer::open_checked(journal, operator, false).map_err(|e| e.to_string())?;
    if let Some(seq) = writer.head_started() {
        eprintln!("attache: {}", crate::journal::head::started(seq));
    }
    let state = fold(journal).map_err(|e| format!("reading journal {}: {e}", journal.display()))?;
    let head = head_of(journal, state.last_seq())?;
    let mut in_force = crate::desk::InForce::new(config.clone());
    in_force.follow(&state);
    let config = in_force.config();
    let matters = matters::open_at(&state, config, now);

    let dir = crate::brief::briefs_dir(journal);
    crate::desk_files::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let heading = sheet::Heading {
        desk: &config.desk_name,
        from: operator,
        to: to.as_deref(),
        at: now,
        journal: &journal.display().to_string(),
    };
    let text = sheet::render(&heading, &matters, &head);
    let sheet = write_new(&dir, now, text.as_bytes())?;
    let remove = |signature: Option<&Path>| {
        let _ = std::fs::remove_file(&sheet);
        if let Some(signature) = signature {
            let _ = std::fs::remove_file(signature);
        }
    };
    let signature = match args.sign {
        Some(key) => match ssh::sign(&sheet, key) {
            Ok(signature) => Some(signature),
            Err(why) => {
                remove(None);
                return Err(why);
            }
        },
        None => None,
    };
    let copy_failed = match config.handover_copy.as_slice() {
        [] => None,
        command => {
            let files: Vec<PathBuf> = std::iter::once(sheet.clone()).chain(signature.clone()).collect();
            let withheld = config.sync.as_ref().and_then(|s| s.credentials_env());
            copy::run(command, &files, copy::TIMEOUT, withheld).err()
        }
    };
    let event = Event::Handover {
        to,
        open_alerts: matters.handed_alerts(),
        open_rollcalls: matters.handed_rollcalls(),
        overdue_contacts: matters.overdue_contacts.iter().map(|c| c.name.clone()).collect(),
        feeds_down: matters.feeds_down.iter().map(|f| f.feed.clone()).collect(),
        head,
        sheet: sheet.display().to_string(),
        signature: signature.as_ref().map(|s| s.display().to_string()),
        copy: match (&config.handover_copy[..], &copy_failed) {
            ([], _) => None,
            (_, None) => Some("copied".to_string()),
            (_, Some(why)) => Some(format!("failed: {why}")),
        },
    };
    let appended = writer.append(operator, Utc::now(), vec![event]).map_err(|e: JournalError| e.to_string());
    let seq = match appended {
        Ok(records) => records.last().map_or(0, |r| r.seq),
        Err(why) => {
            remove(signature.as_deref());
            return Err(why);
        }
    };
    Ok(Done { seq, sheet, signature, copy_failed, matters })
}

/// The desk's state at the journal's last record: from the newest checkpoint that checks out,
/// folded on to the end by the one reducer.
fn fold(journal: &Path) -> Result<DeskState, String> {
    let (mut state, mut follower) = crate::checkpoint::resume(journal);
    loop {
        let (records, problems) = follower.poll().map_err(|e| e.to_string())?;
        if let Some(problem) = problems.first() {
            return Err(format!("damaged: {problem}"));
        }
        if records.is_empty() {
            return Ok(state);
        }
        state.fold_all(records);
    }
}

/// Record `seq` as the anchor names it: its seq and sum (seq 0: the empty journal's start).
fn head_of(journal: &Path, seq: u64) -> Result<JournalHead, String> {
    if seq == 0 {
        return Ok(JournalHead {
            seq,
            sum: String::from_utf8_lossy(&crate::journal::format::GENESIS).into_owned(),
        });
    }
    match crate::journal::head::record_at(journal, seq) {
        Ok(Some((sum, _, _))) => Ok(JournalHead { seq, sum: String::from_utf8_lossy(&sum).into_owned() }),
        Ok(None) => Err(format!("record #{seq} of {} cannot be read again", journal.display())),
        Err(e) => Err(format!("reading journal {}: {e}", journal.display())),
    }
}

/// Writes a new sheet named after the handover's time in `dir`, never over another's.
fn write_new(dir: &Path, now: DateTime<Utc>, bytes: &[u8]) -> Result<PathBuf, String> {
    use std::io::Write as _;
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    for n in 1..100 {
        let name = match n {
            1 => format!("handover-{stamp}.md"),
            n => format!("handover-{stamp}-{n}.md"),
        };
        let path = dir.join(name);
        match crate::desk_files::create_new(&path) {
            Ok(mut file) => {
                file.write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
        }
    }
    Err(format!("cannot name a new sheet in {}: too many handovers this second", dir.display()))
}
