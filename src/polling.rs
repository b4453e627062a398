//! The feeds the poller-lock holder runs, a task per feed: polled feeds on their schedule, CoT
//! streams listened to. Shared by the console and the `attache poll` service; their outcomes
//! come back to the caller's loop as `FeedMsg`s, to be handed to the desk core.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

use crate::config::{FeedConfig, FeedSnapshot};
use crate::feeds::http::Fetcher;
use crate::feeds::{self, PollOutcome, Poller};
use crate::state::DeskState;

pub enum FeedMsg {
    Started {
        feed: String,
    },
    /// A poll's or a stream batch's outcome; `next` is when a polled feed polls again.
    Done {
        outcome: PollOutcome,
        next: Option<Duration>,
        failures: u32,
    },
}

/// What following the configuration in force did to the running feeds.
pub struct Followed {
    /// What to tell the operator.
    pub message: String,
    /// The feeds now running, when they were restarted.
    pub restarted: Option<Vec<String>>,
}

pub struct Polling {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The running feeds as the record shows feeds, to compare with the feeds in force.
    running: Vec<FeedSnapshot>,
    /// The `config.loaded` record whose feeds were last looked at.
    checked: u64,
}

impl Polling {
    pub fn start(feeds: &[FeedConfig], tx: &mpsc::Sender<FeedMsg>) -> Self {
        let fetcher = Arc::new(Fetcher::new());
        let tasks = feeds
            .iter()
            .filter(|f| f.enabled)
            .map(|feed| {
                if feed.source.is_polled() {
                    tokio::spawn(poll_forever(feed.clone(), fetcher.clone(), tx.clone()))
                } else {
                    tokio::spawn(listen_forever(feed.clone(), tx.clone()))
                }
            })
            .collect();
        let running = feeds.iter().map(FeedSnapshot::of).collect();
        Polling { tasks, running, checked: 0 }
    }

    pub fn stop(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }

    /// Runs the feeds of the configuration in force when the record changed them. Their
    /// secrets are not in the record: the file it names is read again, and used only if it
    /// still holds what the record says (its digest). Returns what there is to say, if anything.
    pub fn follow_config(&mut self, state: &DeskState, tx: &mpsc::Sender<FeedMsg>) -> Option<Followed> {
        let in_force = state.config_in_force()?;
        let snapshot = in_force.snapshot.as_ref()?;
        if in_force.seq == self.checked {
            return None;
        }
        self.checked = in_force.seq;
        if snapshot.feeds == self.running {
            return None;
        }
        let (seq, path) = (in_force.seq, in_force.path.clone());
        Some(match crate::reload::load_checked(Path::new(&path)) {
            Ok(config) if config.digest == in_force.digest => {
                self.stop();
                *self = Polling { checked: seq, ..Polling::start(&config.feeds, tx) };
                Followed {
                    message: format!("feeds restarted for the configuration of record #{seq}"),
                    restarted: Some(config.feeds.iter().map(|f| f.name.clone()).collect()),
                }
            }
            _ => Followed {
                message: format!(
                    "the configuration of record #{seq} changes the feeds, but {path} no longer holds it: \
                     this process keeps polling the feeds it runs"
                ),
                restarted: None,
            },
        })
    }
}

/// Listens to a CoT stream, handing each batch of events on as a feed outcome.
/// One task, so that stopping it (a reload that changes the feeds) also lets go of the socket.
async fn listen_forever(feed: FeedConfig, tx: mpsc::Sender<FeedMsg>) {
    let (outcomes, mut received) = mpsc::channel::<PollOutcome>(64);
    let forwarding = async move {
        while let Some(outcome) = received.recv().await {
            let failures = u32::from(matches!(outcome.result, feeds::PollResult::Failed(_)));
            if tx.send(FeedMsg::Done { outcome, next: None, failures }).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(feeds::listen::listen(feed, outcomes), forwarding);
}

async fn poll_forever(feed: FeedConfig, fetcher: Arc<Fetcher>, tx: mpsc::Sender<FeedMsg>) {
    let mut poller = Poller::new(feed);
    loop {
        if tx.send(FeedMsg::Started { feed: poller.feed.name.clone() }).await.is_err() {
            return;
        }
        let outcome = poller.poll(&fetcher).await;
        let next = poller.next_wait();
        if tx.send(FeedMsg::Done { outcome, next: Some(next), failures: poller.failures() }).await.is_err() {
            return;
        }
        tokio::time::sleep(next).await;
    }
}
