//! `attache poll --once`: every pollable feed (or one) polled once, concurrently; what they say
//! journaled exactly as the console would; a line per feed for people or scripts. Without
//! `--once`, the poller as a service (`service`).

pub mod service;

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::Format;
use crate::config::Config;
use crate::desk::{Desk, Host, InForce, Input, Tick};
use crate::event::{Event, Record};
use crate::feeds::http::Fetcher;
use crate::feeds::{PollResult, Poller};
use crate::journal::Writer;
use crate::state::{DeskState, unread_counts};
use crate::text::one_line;

/// One feed's line of the summary; also the JSON object printed with `--format json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct FeedSummary {
    pub feed: String,
    pub status: &'static str,
    pub items: usize,
    pub new: usize,
    pub updated: usize,
    pub withdrawn: usize,
    pub ms: u64,
    pub error: Option<String>,
    /// Entries of the document that could not be read, items kept with a part that could not
    /// be, and the first problem of either.
    pub skipped: usize,
    pub incomplete: usize,
    pub problem: Option<String>,
}

/// `after_damage`: append even to a journal `journal verify` finds damaged (journaled first).
pub fn run(
    config: &Config,
    journal_dir: &Path,
    only: Option<&str>,
    format: Format,
    after_damage: bool,
) -> ExitCode {
    if let Some(name) = only
        && !config.feeds.iter().any(|f| f.name == name)
    {
        let names: Vec<_> = config.feeds.iter().map(|f| f.name.as_str()).collect();
        eprintln!("attache: no feed named `{name}` (feeds: {})", names.join(", "));
        return ExitCode::from(2);
    }
    let Some(_lock) = crate::lock::try_poller_lock(journal_dir) else {
        eprintln!(
            "attache: another attache process (a console, or another poll) is polling the feeds of {}; \
             its results are in the journal already",
            journal_dir.display()
        );
        return ExitCode::FAILURE;
    };
    let writer = match Writer::open_checked(journal_dir, &crate::operator::operator(), after_damage) {
        Ok(writer) => {
            if let Some(seq) = writer.head_started() {
                eprintln!("attache: {}", crate::journal::head::started(seq));
            }
            writer
        }
        Err(e) => {
            eprintln!("attache: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (state, mut follower) = crate::checkpoint::resume(journal_dir);
    let records = match follower.poll() {
        Ok((records, _problems)) => records,
        Err(e) => {
            eprintln!("attache: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut host = Journaled { state, in_force: InForce::new(config.clone()), writer };
    let mut desk = Desk::new();
    // The rules and missions alerts are derived by are those in force in the record.
    desk.handle(&mut host, Input::Followed(records), Utc::now());
    // CoT streams are listened to by a console; there is nothing to poll once.
    let feeds: Vec<_> = config
        .feeds
        .iter()
        .filter(|f| f.source.is_polled() && only.map_or(f.enabled, |name| f.name == name))
        .cloned()
        .collect();
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime starts");
    let fetcher = Fetcher::new();
    let outcomes = runtime.block_on(async {
        if let Err(why) = crate::demo::start_if_configured(config.demo_serve) {
            eprintln!("attache: {why}");
        }
        futures_util::future::join_all(feeds.into_iter().map(|feed| {
            let fetcher = &fetcher;
            async move { Poller::new(feed).poll(fetcher).await }
        }))
        .await
    });

    let mut all_ok = true;
    for outcome in outcomes {
        let feed = outcome.feed.clone();
        let ms = outcome.ms;
        let error = match &outcome.result {
            PollResult::Failed(e) => Some(e.clone()),
            _ => None,
        };
        let handled = desk.handle(&mut host, Input::Polled(outcome), Utc::now());
        let mut summary = summarize(&feed, &handled.events, &host.state, ms, error);
        if let Some(e) = handled.failed {
            summary.status = "error";
            summary.error = Some(format!("polled, but not journaled: {e}"));
        }
        all_ok &= summary.status == "ok";
        print(&summary, format);
    }
    // While it holds the poller lock, this process is the one that escalates.
    if let Some(e) = desk.handle(&mut host, Input::Tick(Tick::Escalate), Utc::now()).failed {
        eprintln!("attache: escalations not journaled: {e}");
        all_ok = false;
    }
    if all_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The journal on disk, for one `poll --once`.
struct Journaled {
    state: DeskState,
    in_force: InForce,
    writer: Writer,
}

impl Host for Journaled {
    fn state(&self) -> &DeskState {
        &self.state
    }

    fn config(&self) -> &Config {
        self.in_force.config()
    }

    fn commit(&mut self, by: &str, at: DateTime<Utc>, events: Vec<Event>) -> Result<Option<u64>, String> {
        let records = self.writer.append(by, at, events).map_err(|e| e.to_string())?;
        let last = records.last().map(|r| r.seq);
        self.fold(records);
        Ok(last)
    }

    fn fold(&mut self, records: Vec<Record>) {
        self.state.fold_all(records);
        self.in_force.follow(&self.state);
    }
}

fn summarize(feed: &str, events: &[Event], state: &DeskState, ms: u64, error: Option<String>) -> FeedSummary {
    let mut summary = FeedSummary {
        feed: feed.to_string(),
        status: if error.is_some() { "error" } else { "ok" },
        items: state.feeds().get(feed).map_or(0, |h| h.active_items),
        new: 0,
        updated: 0,
        withdrawn: 0,
        ms,
        error,
        skipped: 0,
        incomplete: 0,
        problem: None,
    };
    for event in events {
        if let Event::FeedPolled { items, new, updated, withdrawn, skipped, incomplete, problem, .. } = event
        {
            (summary.items, summary.new, summary.updated, summary.withdrawn) =
                (*items, *new, *updated, *withdrawn);
            (summary.skipped, summary.incomplete, summary.problem) = (*skipped, *incomplete, problem.clone());
        }
    }
    summary
}

fn print(summary: &FeedSummary, format: Format) {
    match format {
        Format::Json => println!("{}", serde_json::to_string(summary).expect("summaries serialize")),
        Format::Text => match &summary.error {
            None => {
                let mut line = format!(
                    "{:<20} ok     {:>5} items {:>4} new {:>4} updated {:>4} withdrawn {:>6} ms",
                    summary.feed, summary.items, summary.new, summary.updated, summary.withdrawn, summary.ms
                );
                if summary.skipped + summary.incomplete > 0 {
                    let problem =
                        summary.problem.as_deref().map_or_else(|| "no reason given".into(), one_line);
                    line.push_str(&format!(
                        "; {}, first: {problem}",
                        unread_counts(summary.skipped, summary.incomplete)
                    ));
                }
                println!("{line}");
            }
            Some(error) => println!("{:<20} ERROR  {}", summary.feed, one_line(error)),
        },
    }
}
