use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// attache: the watch desk's terminal console.
#[derive(Debug, Parser)]
#[command(name = "attache", version, about)]
pub struct Cli {
    /// The desk file (default: $ATTACHE_CONFIG, ./config/attache.toml, then the XDG config dir).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The journal directory (overrides `desk.journal`).
    #[arg(long, global = true, value_name = "DIR")]
    pub journal: Option<PathBuf>,
    /// For a slow or metered link: draw at most once a second, show the clock and the ages
    /// by the minute (as `[ui] low_bandwidth = true`).
    #[arg(long, global = true)]
    pub low_bandwidth: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Times may be ages written `-2h`: `allow_hyphen_values` takes them as values, not as flags.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console (the default).
    Watch,
    /// Check the whole configuration; print every problem with file, line and field.
    Check,
    /// Reload the configuration in the running consoles: checked as `check` does, then
    /// journaled (exit 0); refused with its problems, nothing journaled (exit 1).
    Reload,
    /// Append an operator note to the journal, optionally tied to a mission, alert or contact.
    Note {
        /// The note's text, folded to one line as feed text is (control characters dropped).
        // Not a String: bytes that are not UTF-8 are kept as the replacement character, not refused.
        text: std::ffi::OsString,
        /// The mission the note is about (its id in the desk file).
        #[arg(long, value_name = "ID")]
        mission: Option<String>,
        /// The alert the note is about (its id, as `journal export` shows it).
        #[arg(long, value_name = "ID")]
        alert: Option<String>,
        /// The contact the note is about (its id in the desk file, or its exact name).
        #[arg(long, value_name = "ID")]
        contact: Option<String>,
        /// Append even though `journal verify` finds the journal damaged (journaled first).
        #[arg(long)]
        after_damage: bool,
    },
    /// Record a check-in with a contact: exit 0 once journaled, 2 for a contact the desk does
    /// not list.
    Checkin {
        /// The contact, by its id in the desk file, or its name exactly as written there.
        contact: String,
        /// What was said, folded to one line as a note is.
        #[arg(long, value_name = "TEXT")]
        note: Option<std::ffi::OsString>,
        /// How they were reached: phone, secure-voice, email or in-person.
        #[arg(long, value_name = "C", value_parser = known_channel)]
        channel: Option<&'static str>,
        /// Append even though `journal verify` finds the journal damaged (journaled first).
        #[arg(long)]
        after_damage: bool,
    },
    /// Set a mission's status from the desk, with an optional status line: exit 0 once
    /// journaled, 2 for a mission the desk does not list.
    Mission {
        /// The mission, by its id in the desk file.
        id: String,
        /// planned, active, suspended or closed. From the record on, only an active mission's
        /// area matches rules.
        #[arg(long, value_name = "S", value_parser = crate::mission_status::known_status)]
        status: crate::domain::MissionStatus,
        /// A short status line, folded to one line as a note is.
        #[arg(long, value_name = "TEXT")]
        note: Option<std::ffi::OsString>,
        /// Append even though `journal verify` finds the journal damaged (journaled first).
        #[arg(long)]
        after_damage: bool,
    },
    /// Hand the watch over: journal what is open (alerts, overdue contacts, feeds down) with the
    /// journal's head, and write the handover sheet beside the briefings; its path is the last
    /// line of stdout. Exit 0 once journaled, 3 when journaled but `[handover] copy` failed, 1
    /// when nothing was journaled.
    Handover {
        /// Who takes the watch.
        #[arg(long, value_name = "USER")]
        to: Option<String>,
        /// Sign the sheet with this SSH private key (`ssh-keygen -Y sign`), writing SHEET.sig;
        /// a signature that cannot be made journals nothing (exit 1).
        #[arg(long, value_name = "KEYFILE")]
        sign: Option<PathBuf>,
    },
    /// Poll the feeds and journal what they say: with --once, once, printing a summary per
    /// feed; without it, as a service with no terminal (waits for the poller lock, then polls,
    /// escalates and sends notifications until SIGTERM or SIGINT).
    Poll {
        /// Poll once and exit (0 if every feed succeeded, 1 otherwise).
        #[arg(long)]
        once: bool,
        /// Poll only this feed (with --once).
        #[arg(long, value_name = "NAME", requires = "once")]
        feed: Option<String>,
        /// Output (with --once): a table for people, or one JSON object per feed per line for
        /// scripts.
        #[arg(long, value_enum, default_value_t = Format::Text, requires = "once")]
        format: Format,
        /// Append even though `journal verify` finds the journal damaged (journaled first).
        #[arg(long)]
        after_damage: bool,
    },
    /// Serve the bundled sample feeds over HTTP as a scripted scenario (for the demo desk).
    DemoServe {
        /// Address to listen on.
        #[arg(long, default_value = attache_demo_addr())]
        addr: std::net::SocketAddr,
    },
    /// Replay the watch from the journal, as it was: read-only, under a replay clock.
    Replay {
        /// Start of the range: RFC 3339, or an age (`-2h`) before the journal's last record.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        from: Option<String>,
        /// End of the range, in the same forms (default: the last record).
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        to: Option<String>,
        /// Where to start within the range: RFC 3339, `14:05` (on the range's first day), `-2h`.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        at: Option<String>,
        /// Playing speed, 0.25 to 1000 (default 60: a minute a second).
        #[arg(long, value_name = "N")]
        speed: Option<f64>,
    },
    /// Write a briefing (SITREP) for a period, straight from the journal.
    Brief {
        /// The period up to --to (or now): `24h`, `7d`, `90m`. The default is 24h.
        #[arg(long, value_name = "AGE", conflicts_with = "from", allow_hyphen_values = true)]
        since: Option<String>,
        /// The period's start: RFC 3339 (2026-11-25T03:00:00Z) or an age (`-2h`, `7d`).
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        from: Option<String>,
        /// The period's end, in the same forms (default: now).
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        to: Option<String>,
        /// Brief only this mission (by id); may be repeated.
        #[arg(long = "mission", value_name = "ID")]
        missions: Vec<String>,
        /// Cover this followed desk's alerts too, as its records held here tell them (`[sync]`);
        /// may be repeated; `*` for every desk whose records are held here.
        #[arg(long = "desk", value_name = "ID")]
        desks: Vec<String>,
        #[arg(long, value_enum, default_value_t = crate::brief::BriefFormat::Md)]
        format: crate::brief::BriefFormat,
        /// Write to this file instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// The "generated at" time to print (default: now), so a briefing can be made again
        /// byte for byte.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        generated_at: Option<String>,
        /// Leave nothing beside the journal. Without it, a briefing that found no checkpoint
        /// near before its period starts `attache journal checkpoint` in the background once it
        /// is out, so that the next briefing starts near its period.
        #[arg(long)]
        read_only: bool,
    },
    /// Check, read and export the journal.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Share this desk's record with other desks over NATS JetStream (`[sync]`).
    Sync {
        #[command(subcommand)]
        command: SyncCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Link state, this desk's backlog and the last seq held of each followed desk. Exit 0 when
    /// in sync (link up, nothing to send, nothing waiting in the stream), 1 otherwise.
    Status {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run sync with no console (a headless desk) until SIGTERM or SIGINT: publish this desk's
    /// shared records, append the followed desks' ones. Exit 1 if another process syncs this
    /// journal already.
    Run,
}

fn known_channel(text: &str) -> Result<&'static str, String> {
    crate::domain::channel(text).ok_or_else(|| format!("one of: {}", crate::domain::CHANNELS.join(", ")))
}

const fn attache_demo_addr() -> &'static str {
    crate::demo::DEFAULT_ADDR
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check every record's checksum, the hash chain and the index. Exit 0 when intact; 1 with
    /// the first bad record's segment, offset and seq otherwise.
    Verify {
        /// A handover sheet whose anchored head the journal must still hold (seq and sum), and
        /// whose signature (SHEET.sig, if there) must check out; may be repeated. Exit 2 for a
        /// sheet that cannot be read or has no anchor line.
        #[arg(long = "anchor", value_name = "SHEET")]
        anchors: Vec<PathBuf>,
    },
    /// Print the last records, and with -f keep printing new ones as they are appended.
    Tail {
        /// Keep following the journal (Ctrl-C to stop).
        #[arg(short = 'f', long)]
        follow: bool,
        /// How many of the last records to print first.
        #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
        lines: u64,
        /// Print the records' JSON lines as they are in the journal.
        #[arg(long)]
        json: bool,
    },
    /// Segments, sizes, records, time span and counts by kind.
    Stats,
    /// Write the state checkpoints a console leaves along a journal as it reads it (one every
    /// 10,000 records), where there are none: for a journal from an older version, a generator
    /// or another desk. Briefings and replays start from checkpoints instead of the first record.
    Checkpoint,
    /// Write records to stdout, optionally for a time window and some kinds.
    Export {
        /// From this time: RFC 3339 (2026-11-25T03:00:00Z) or an age (`-2h`, `24h`, `7d`).
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        from: Option<String>,
        /// Up to and including this time, in the same forms.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        to: Option<String>,
        /// Only this kind (`note`), or a family (`alert` for every `alert.*`); may be repeated.
        #[arg(long, value_name = "KIND", value_parser = crate::journal_commands::known_kind)]
        kind: Vec<String>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The journal's own lines, checksums included: `jq` reads them as they are.
    Jsonl,
    /// seq, ts, by, kind, sum and the event's other fields as one JSON column.
    Csv,
}
