//! `attache sync status|run`.

use chrono::Utc;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use super::chains::Held;
use super::link;
use super::local;
use super::settings::{Follow, STREAM, SUBJECT_PREFIX, SyncConfig, subject_of, valid_desk_id};
use super::status::Shared;
use crate::cli::{Format, SyncCommand};
use crate::config::Config;
use crate::feeds::redact::redacted_url;

pub fn run(command: &SyncCommand, config: &Config, journal: &Path) -> ExitCode {
    let Some(sync) = &config.sync else {
        // Not in sync, as INTERFACES.md gives a status command only 0 and 1: nothing is shared.
        eprintln!("attache: {} has no [sync] section: this desk shares nothing", config.path.display());
        return ExitCode::FAILURE;
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("attache: {e}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        SyncCommand::Status { format } => runtime.block_on(status(sync, journal, *format)),
        SyncCommand::Run => runtime.block_on(run_headless(sync, journal)),
    }
}

async fn run_headless(config: &SyncConfig, journal: &Path) -> ExitCode {
    let Some(_lock) = crate::lock::try_sync_lock(journal) else {
        eprintln!(
            "attache: another process syncs {} already (a console or `attache sync run`); nothing was started",
            journal.display()
        );
        return ExitCode::FAILURE;
    };
    let say = |text: String| {
        eprintln!("{} attache: {}", Utc::now().format("%H:%M:%S%.3f"), crate::text::one_line(&text))
    };
    let status = Shared::default();
    let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(signal) => signal,
        Err(e) => {
            eprintln!("attache: {e}");
            return ExitCode::FAILURE;
        }
    };
    tokio::select! {
        () = super::engine::run(config, journal, &status, &say) => {}
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    ExitCode::SUCCESS
}

/// What `sync status` found.
struct Found {
    link: Result<(), String>,
    backlog: u64,
    /// With the link down: when this host's publisher last saw where the stream stood, which
    /// the backlog counts from (None: from the first record).
    backlog_as_of: Option<chrono::DateTime<Utc>>,
    desks: BTreeMap<String, Held>,
    /// The last seq the stream holds of each followed desk, when the link is up.
    in_stream: BTreeMap<String, u64>,
    not_sending: Option<String>,
}

async fn status(config: &SyncConfig, journal: &Path, format: Format) -> ExitCode {
    let shares = |kind: &str| config.shares(kind);
    let held = match local::read(journal, &shares) {
        Ok(held) => held,
        Err(why) => {
            eprintln!("attache: {why}");
            return ExitCode::FAILURE;
        }
    };
    let mut followed: Vec<String> = match &config.follow {
        Follow::Desks(desks) => desks.clone(),
        Follow::All => held.chains.desks.keys().cloned().collect(),
    };
    let mut found = Found {
        link: Ok(()),
        // Without the stream, every shared record counts: which of them it holds is not known here.
        backlog: held.own_shared,
        backlog_as_of: None,
        desks: BTreeMap::new(),
        in_stream: BTreeMap::new(),
        not_sending: None,
    };
    match ask_stream(config, journal, &mut followed).await {
        Ok(asked) => {
            found.backlog = asked.backlog;
            found.in_stream = asked.in_stream;
            found.not_sending = asked.not_sending;
        }
        Err(why) => {
            found.link = Err(why);
            // Unless this host's publisher noted where the stream stood: counted from there.
            if let Some(published) = super::published::read(journal, &config.desk) {
                match local::shared_after(journal, published.seq, &shares) {
                    Ok(after) => (found.backlog, found.backlog_as_of) = (after, Some(published.at)),
                    Err(why) => eprintln!("attache: {why}"),
                }
            }
        }
    }
    for desk in &followed {
        found.desks.insert(desk.clone(), held.chains.held(desk));
    }
    let behind = found.in_stream.iter().any(|(desk, &seq)| seq > found.desks.get(desk).map_or(0, |h| h.seq));
    // A gap, fork or forgery in what is held is not in sync, whatever the stream says.
    let in_sync = found.link.is_ok()
        && found.backlog == 0
        && found.not_sending.is_none()
        && !behind
        && held.problems.is_empty();
    let now = Utc::now().timestamp_micros();
    let age = |h: &Held| h.ts_micros.map(|ts| (now - ts).max(0) / 1_000_000);
    match format {
        Format::Json => {
            let desks: serde_json::Map<String, serde_json::Value> = found
                .desks
                .iter()
                .map(|(desk, h)| {
                    let mut entry = serde_json::json!({ "last_seq": h.seq, "age_s": age(h) });
                    if let Some(seq) = found.in_stream.get(desk) {
                        entry["in_stream"] = (*seq).into();
                    }
                    (crate::text::one_line(desk), entry)
                })
                .collect();
            let mut out = serde_json::json!({
                "link": if found.link.is_ok() { "up" } else { "down" },
                "desk": config.desk,
                "backlog": found.backlog,
                "desks": desks,
            });
            if let Err(why) = &found.link {
                out["error"] = why.clone().into();
            }
            if let Some(at) = found.backlog_as_of {
                out["backlog_as_of"] = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
            }
            if !held.problems.is_empty() {
                out["problems"] = held.problems.len().into();
            }
            if let Some(why) = &found.not_sending {
                out["not_sending"] = why.clone().into();
            }
            println!("{out}");
        }
        Format::Text => {
            match &found.link {
                Ok(()) => {
                    let servers: Vec<String> = config.servers.iter().map(|s| redacted_url(s)).collect();
                    println!("link up ({})", crate::text::one_line(&servers.join(", ")))
                }
                Err(why) => println!("link DOWN: {}", crate::text::one_line(why)),
            }
            let known = match (&found.link, found.backlog_as_of) {
                (Ok(()), _) => String::new(),
                (Err(_), Some(at)) => format!(
                    " (the stream cannot be asked: counted from where this host last saw it, {})",
                    at.format("%Y-%m-%d %H:%M:%SZ")
                ),
                (Err(_), None) => " (all shared records: the stream cannot be asked)".to_string(),
            };
            println!("desk {}: backlog {}{known}", config.desk, found.backlog);
            if let Some(why) = &found.not_sending {
                println!("desk {}: NOT SENDING: {}", config.desk, crate::text::one_line(why));
            }
            for (desk, h) in &found.desks {
                let age = age(h).map_or_else(|| "nothing yet".to_string(), |s| format!("{s}s ago"));
                let stream = match found.in_stream.get(desk) {
                    Some(seq) if *seq > h.seq => format!(", stream has #{seq}: behind"),
                    Some(_) => String::new(),
                    None => String::new(),
                };
                println!("  {}: last #{} ({age}){stream}", crate::text::one_line(desk), h.seq);
            }
            if !held.problems.is_empty() {
                println!(
                    "{} problem(s) in the followed desks' records held here: see `attache journal verify`",
                    held.problems.len()
                );
            }
            println!("{}", if in_sync { "in sync" } else { "NOT in sync" });
        }
    }
    if in_sync { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// What the stream says of this desk and the desks it follows.
struct Asked {
    backlog: u64,
    /// The last seq the stream holds of each followed desk.
    in_stream: BTreeMap<String, u64>,
    /// Why this desk's records cannot be sent, when the stream holds one this journal does not.
    not_sending: Option<String>,
}

/// This desk's backlog and the followed desks' last seqs in the stream.
async fn ask_stream(
    config: &SyncConfig,
    journal: &Path,
    followed: &mut Vec<String>,
) -> Result<Asked, String> {
    let client = link::connect(config).await.map_err(|e| e.to_string())?;
    let js = link::jetstream(client, config);
    // Asked, never made: a status command writes nothing, on the servers either.
    let stream = js.get_stream(STREAM).await.map_err(|e| format!("stream {STREAM}: {e}"))?;
    let shares = |kind: &str| config.shares(kind);
    let own = link::last_in_stream(&stream, &config.subject()).await.map_err(|e| e.to_string())?;
    let backlog = local::shared_after(journal, own.map_or(0, |a| a.seq), &shares)?;
    let not_sending = match own {
        Some(last) => local::holds(journal, last)?,
        None => None,
    };
    if config.follow == Follow::All {
        use futures_util::TryStreamExt as _;
        let subjects: Vec<(String, usize)> = stream
            .info_with_subjects(format!("{SUBJECT_PREFIX}*"))
            .await
            .map_err(|e| e.to_string())?
            .try_collect()
            .await
            .map_err(|e| e.to_string())?;
        for (subject, _) in subjects {
            if let Some(desk) = subject.strip_prefix(SUBJECT_PREFIX)
                && valid_desk_id(desk)
                && desk != config.desk
                && !followed.iter().any(|d| d == desk)
            {
                followed.push(desk.to_string());
            }
        }
    }
    let mut in_stream = BTreeMap::new();
    for desk in followed.iter() {
        let last = link::last_in_stream(&stream, &subject_of(desk)).await.map_err(|e| e.to_string())?;
        in_stream.insert(desk.clone(), last.map_or(0, |a| a.seq));
    }
    Ok(Asked { backlog, in_stream, not_sending })
}
