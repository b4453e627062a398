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
}
