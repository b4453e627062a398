//! Writes a large, realistic journal for benchmarks and tests, through the real writer (so the
//! result verifies): `cargo run --release --example gen-journal -- --events N --days D --seed S
//! --journal DIR [--until RFC3339]`. The mix: `support/desk_record.rs`.

#[path = "support/desk_record.rs"]
mod desk_record;

use chrono::{DateTime, Utc};
use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    events: u64,
    #[arg(long, default_value_t = 30)]
    days: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    journal: PathBuf,
    /// The end of the span (default: now). Give it to get the same bytes on every run.
    #[arg(long)]
    until: Option<DateTime<Utc>>,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let until = args.until.unwrap_or_else(Utc::now);
    let started = std::time::Instant::now();
    match desk_record::write(&args.journal, args.events, args.days, args.seed, until) {
        Ok(written) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "wrote {written} events over {} days to {} in {secs:.2}s ({:.0} events/s)",
                args.days,
                args.journal.display(),
                written as f64 / secs
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-journal: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
