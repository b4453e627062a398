//! One feed's polling: fetch (file or HTTP), parse off the async threads, and decide when to
//! poll next, backing off with jitter while the feed fails and honouring Retry-After.

use std::io::Read;
use std::time::{Duration, Instant};

use super::http::{FetchError, Fetched, Fetcher, Request, Validators};
use super::{Parsed, parse};
use crate::config::{FeedConfig, FeedSource};

/// The longest a failing feed waits between tries (unless its own interval is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(30 * 60);

#[derive(Debug)]
pub enum PollResult {
    Fetched(Parsed),
    /// The server answered 304: nothing changed since the last poll.
    NotModified,
    Failed(String),
}

/// The outcome of one poll of one feed.
#[derive(Debug)]
pub struct PollOutcome {
    pub feed: String,
    pub result: PollResult,
    pub ms: u64,
}

/// A feed's polling state between polls: what the server last told us, and how many polls in
/// a row have failed.
pub struct Poller {
    pub feed: FeedConfig,
    validators: Validators,
    failures: u32,
    retry_after: Option<Duration>,
}

impl Poller {
    pub fn new(feed: FeedConfig) -> Self {
        Self { feed, validators: Validators::default(), failures: 0, retry_after: None }
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    pub async fn poll(&mut self, fetcher: &Fetcher) -> PollOutcome {
        let started = Instant::now();
        let result = match self.fetch(fetcher).await {
            Ok(Fetched::NotModified) => PollResult::NotModified,
            Ok(Fetched::Body { bytes, validators }) => {
                let (kind, name) = (self.feed.kind, self.feed.name.clone());
                // Parsing a large document takes milliseconds: keep it off the UI's thread.
                let parsed = tokio::task::spawn_blocking(move || parse(kind, &name, &bytes)).await;
                match parsed {
                    Ok(Ok(parsed)) => {
                        self.validators = validators;
                        PollResult::Fetched(parsed)
                    }
                    Ok(Err(e)) => PollResult::Failed(format!("parse error: {e}")),
                    Err(e) => PollResult::Failed(format!("the parser crashed: {e}")),
                }
            }
            Err(e) => {
                self.retry_after = e.retry_after();
                PollResult::Failed(e.to_string())
            }
        };
        match result {
            PollResult::Failed(_) => self.failures += 1,
            _ => {
                self.failures = 0;
                self.retry_after = None;
            }
        }
        PollOutcome { feed: self.feed.name.clone(), result, ms: started.elapsed().as_millis() as u64 }
    }

    /// How long to wait before the next poll, after the one just made.
    pub fn next_wait(&self) -> Duration {
        backoff(self.feed.every, self.failures, self.retry_after, fastrand::f64())
    }

    async fn fetch(&self, fetcher: &Fetcher) -> Result<Fetched, FetchError> {
        match &self.feed.source {
            FeedSource::File(path) => {
                let (path, max) = (path.clone(), self.feed.max_bytes);
                tokio::task::spawn_blocking(move || read_file(&path, max))
                    .await
                    .map_err(|e| FetchError::Other(e.to_string()))?
            }
            FeedSource::Url(url) => {
                let headers = self.feed.resolve_headers().map_err(FetchError::Other)?;
                let request = Request {
                    url,
                    timeout: self.feed.timeout,
                    max_bytes: self.feed.max_bytes,
                    headers: &headers,
                    validators: &self.validators,
                };
                fetcher.fetch(&request).await
            }
        }
    }
}

fn read_file(path: &std::path::Path, max_bytes: u64) -> Result<Fetched, FetchError> {
    let fail = |e: std::io::Error| FetchError::Other(format!("cannot read {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1).read_to_end(&mut bytes).map_err(fail)?;
    if bytes.len() as u64 > max_bytes {
        return Err(FetchError::TooLarge(max_bytes));
    }
    Ok(Fetched::Body { bytes, validators: Validators::default() })
}

/// The wait before the next poll: the feed's interval while it works; after failures, the
/// interval doubled per failure up to `MAX_BACKOFF`, scaled by a jitter in [0.75, 1) so that
/// feeds that failed together do not retry together; never sooner than the server asked.
pub fn backoff(every: Duration, failures: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    if failures == 0 {
        return every;
    }
    let ceiling = MAX_BACKOFF.max(every);
    let doubled = every.saturating_mul(1 << (failures - 1).min(20)).min(ceiling);
    let jittered = doubled.mul_f64(0.75 + 0.25 * jitter.clamp(0.0, 1.0));
    jittered.max(retry_after.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_caps_and_honours_retry_after() {
        let every = Duration::from_secs(60);
        assert_eq!(backoff(every, 0, None, 0.5), every);
        assert_eq!(backoff(every, 1, None, 1.0), every);
        assert_eq!(backoff(every, 3, None, 1.0), Duration::from_secs(240));
        assert_eq!(backoff(every, 3, None, 0.0), Duration::from_secs(180));
        assert_eq!(backoff(every, 30, None, 1.0), MAX_BACKOFF);
        assert_eq!(backoff(every, 1, Some(Duration::from_secs(600)), 0.0), Duration::from_secs(600));
        let daily = Duration::from_secs(86_400);
        assert_eq!(backoff(daily, 5, None, 1.0), daily, "a slow feed is never polled faster for failing");
    }
}
