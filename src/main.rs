use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

use attache::cli::{Cli, Command};
use attache::config::Config;
use attache::event::Event;
use attache::journal::Writer;
use attache::operator;

/// Exit status for a configuration that cannot be found or does not check out.
const EXIT_CONFIG: u8 = 2;
/// Exit status for a console or replay started without a terminal to show it in.
const EXIT_NO_TERMINAL: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::DemoServe { addr }) = cli.command {
        // The demo server needs no desk: it serves the samples built into the binary.
        return match attache::demo::serve(addr) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("attache: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    if let (Some(Command::Journal { command }), Some(dir)) = (&cli.command, &cli.journal) {
        // With --journal, the journal commands need no desk configuration.
        return attache::journal_commands::run(command, dir);
    }
    let env = std::env::var("ATTACHE_CONFIG").ok();
    let path = match attache::config::locate(cli.config.as_deref(), env.as_deref()) {
        Ok(path) => path,
        Err(message) => {
            eprintln!("attache: {message}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if let Some(Command::Reload) = cli.command {
        // Refused is exit 1, not the configuration's 2: the consoles keep running theirs.
        let journal = |config: &Config| journal_dir(cli.journal.clone(), config);
        return attache::reload::command(&path, journal, &operator::operator());
    }
    let config = match Config::load(&path) {
        Ok(config) => config,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!("attache: {} problem(s) in the configuration; nothing was started", problems.len());
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if let Some(gid) = config.desk_group {
        attache::desk_files::use_group(gid);
    }
    let journal = journal_dir(cli.journal, &config);
    let command = cli.command.unwrap_or(Command::Watch);
    let screen = match command {
        Command::Watch => Some("the console"),
        Command::Replay { .. } => Some("replay"),
        _ => None,
    };
    if let Some(what) = screen
        && let Err(why) = attache::term::require_terminal(what)
    {
        eprintln!("attache: {why}");
        return ExitCode::from(EXIT_NO_TERMINAL);
    }
    match command {
        Command::Check if !config.on_disk.is_empty() || !config.tls_files.is_empty() => {
            for problem in config.on_disk.iter().chain(&config.tls_files) {
                eprintln!("{problem}");
            }
            eprintln!(
                "attache: {} problem(s) in the configuration; nothing was started",
                config.on_disk.len() + config.tls_files.len()
            );
            ExitCode::from(EXIT_CONFIG)
        }
        Command::Check => {
            warn_open_to_others(&journal);
            println!(
                "{}: ok ({} feeds, {} missions, {} contacts; journal {})",
                path.display(),
                config.feeds.len(),
                config.missions.len(),
                config.contacts.len(),
                journal.display()
            );
            ExitCode::SUCCESS
        }
        Command::Note { text, mission, alert, contact, after_damage } => {
            let mut tie = attache::checkin::NoteTie { mission, alert, contact };
            match tie.resolve(&config) {
                Err(why) => {
                    eprintln!("attache: {why}; nothing was written");
                    ExitCode::from(EXIT_CONFIG)
                }
                Ok(()) => note(&journal, &text, tie, after_damage),
            }
        }
        Command::Checkin { contact, note, channel, after_damage } => {
            let args = attache::checkin::Args {
                contact: &contact,
                note: note.as_deref(),
                channel,
                after_damage,
                operator: operator::operator(),
            };
            attache::checkin::run(&config, &journal, args)
        }
        Command::Mission { id, status, note, after_damage } => {
            let args = attache::mission_status::Args {
                mission: &id,
                status,
                note: note.as_deref(),
                after_damage,
                operator: operator::operator(),
            };
            attache::mission_status::run(&config, &journal, args)
        }
        Command::Handover { to, sign } => {
            let args = attache::handover::Args {
                to: to.as_deref(),
                sign: sign.as_deref(),
                operator: operator::operator(),
            };
            attache::handover::run(&config, &journal, args)
        }
        Command::Poll { once: true, feed, format, after_damage } => {
            attache::poll::run(&config, &journal, feed.as_deref(), format, after_damage)
        }
        Command::Poll { once: false, after_damage, .. } => {
            attache::poll::service::run(&config, &journal, after_damage)
        }
        Command::DemoServe { .. } | Command::Reload => {
            unreachable!("handled before the configuration is read")
        }
        Command::Journal { command } => attache::journal_commands::run(&command, &journal),
        Command::Sync { command } => attache::sync::command::run(&command, &config, &journal),
        Command::Replay { from, to, at, speed } => {
            let options = attache::replay::Options { from, to, at, speed };
            exit(attache::replay::run(config, journal, options, operator::operator()))
        }
        Command::Brief { since, from, to, missions, desks, format, output, generated_at, read_only } => {
            let args = attache::brief::Args {
                since: since.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
                missions,
                desks,
                format,
                output: output.as_deref(),
                generated_at: generated_at.as_deref(),
                operator: operator::login_name(),
                read_only,
            };
            attache::brief::run(&config, &journal, args)
        }
        Command::Watch => match attache::runtime::watch(
            attache::config::Config { low_bandwidth: config.low_bandwidth || cli.low_bandwidth, ..config },
            journal,
            operator::operator(),
        ) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("attache: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// A desk's journal is for its operators only: say where anyone else on the host may read or
/// change it (journals written before the desk modes, or changed by hand).
fn warn_open_to_others(journal: &std::path::Path) {
    for (path, mode) in attache::desk_files::open_to_others(journal) {
        eprintln!(
            "attache: warning: {} has mode {mode:04o}: other users of this host may read or change it \
             (the desk's files are {:04o}, its directories {:04o}; `chmod o-rwx` it)",
            path.display(),
            attache::desk_files::FILE_MODE,
            attache::desk_files::DIR_MODE,
        );
    }
}

fn exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("attache: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn journal_dir(flag: Option<PathBuf>, config: &Config) -> PathBuf {
    flag.or_else(|| config.journal.clone()).unwrap_or_else(|| {
        directories::ProjectDirs::from("", "", "attache")
            .map(|d| d.data_local_dir().join("journal"))
            .unwrap_or_else(|| PathBuf::from("journal"))
    })
}

fn note(
    journal: &std::path::Path,
    text: &std::ffi::OsStr,
    tie: attache::checkin::NoteTie,
    after_damage: bool,
) -> ExitCode {
    // Folded as feed text is: nothing typed on the command line reaches a terminal as a control.
    let text = attache::text::one_line(&text.to_string_lossy());
    if text.is_empty() {
        eprintln!("attache: the note is empty; nothing was written");
        return ExitCode::FAILURE;
    }
    let operator = operator::operator();
    let result = Writer::open_checked(journal, &operator, after_damage).and_then(|mut w| {
        if let Some(seq) = w.head_started() {
            eprintln!("attache: {}", attache::journal::head::started(seq));
        }
        w.append(
            &operator,
            chrono::Utc::now(),
            vec![Event::Note {
                operator: operator.clone(),
                text,
                mission: tie.mission,
                alert: tie.alert,
                contact: tie.contact,
            }],
        )
    });
    match result {
        Ok(records) => {
            let seq = records.last().map_or(0, |r| r.seq);
            println!("note #{seq} saved to {}", journal.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("attache: {e}");
            ExitCode::FAILURE
        }
    }
}
