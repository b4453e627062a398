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
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console (the default).
    Watch,
    /// Check the whole configuration; print every problem with file, line and field.
    Check,
    /// Append an operator note to the journal.
    Note {
        /// The note's text.
        text: String,
    },
    /// Poll the feeds, journal what they say, print a summary per feed.
    Poll {
        /// Poll once and exit (0 if every feed succeeded, 1 otherwise).
        #[arg(long, required = true)]
        once: bool,
        /// Poll only this feed.
        #[arg(long, value_name = "NAME")]
        feed: Option<String>,
        /// Output: a table for people, or one JSON object per feed per line for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Serve the bundled sample feeds over HTTP as a scripted scenario (for the demo desk).
    DemoServe {
        /// Address to listen on.
        #[arg(long, default_value = attache_demo_addr())]
        addr: std::net::SocketAddr,
    },
}

const fn attache_demo_addr() -> &'static str {
    crate::demo::DEFAULT_ADDR
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}
