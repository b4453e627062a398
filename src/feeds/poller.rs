//! One feed's polling: fetch (file or HTTP), parse off the async threads, and decide when to
//! poll next, backing off with jitter while the feed fails and honouring Retry-After. A CAP
//! index can ask for each entry's full alert to be fetched as well.

use chrono::Utc;
use std::io::Read;
use std::time::{Duration, Instant};

use super::http::{FetchError, Fetched, Fetcher, Request, Validators};
use super::redact::redacted_url;
use super::redirect::{refusal, same_origin};
use super::spec::{FeedConfig, FeedKind, FeedSource};
use super::{Parsed, cap, parse};

/// The longest a failing feed waits between tries (unless its own interval is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(30 * 60);
/// At most this many full alerts are fetched from one CAP index per poll.
pub const MAX_LINKED_ALERTS: usize = 100;

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
            Ok(Fetched::Body { bytes, validators }) => match self.parse(bytes, fetcher).await {
                Ok(parsed) => {
                    self.validators = validators;
                    PollResult::Fetched(parsed)
                }
                Err(why) => PollResult::Failed(why),
            },
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

    async fn parse(&self, bytes: Vec<u8>, fetcher: &Fetcher) -> Result<Parsed, String> {
        let links = if self.feed.kind == FeedKind::Cap && self.feed.follow_links {
            cap::alert_links(&bytes).map_err(|e| format!("parse error: {e}"))?
        } else {
            Vec::new()
        };
        let mut parsed = parse_off_thread(&self.feed, bytes).await?;
        if !links.is_empty() {
            parsed = self.follow(links, fetcher).await;
        }
        Ok(parsed)
    }

    /// The full alerts an index links to, each parsed on its own: one that cannot be fetched
    /// or read is noted in `skipped`, and the rest still count.
    async fn follow(&self, mut links: Vec<String>, fetcher: &Fetcher) -> Parsed {
        let mut parsed = Parsed::default();
        if links.len() > MAX_LINKED_ALERTS {
            parsed
                .skipped
                .push(format!("index lists {} alerts; fetched the first {MAX_LINKED_ALERTS}", links.len()));
            links.truncate(MAX_LINKED_ALERTS);
        }
        let headers = self.feed.resolve_headers().unwrap_or_default();
        let index = match &self.feed.source {
            FeedSource::Url(url) => reqwest::Url::parse(url).ok(),
            _ => None,
        };
        let fetches = links.iter().map(|url| {
            let validators = Validators::default();
            let headers = &headers;
            let index = index.as_ref();
            async move {
                // A link is followed as a redirect from the index would be.
                let link = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
                if let Some(why) = index.and_then(|index| refusal(index, index, &link)) {
                    return Err(format!("refused, {why}"));
                }
                let own = index.is_some_and(|index| same_origin(index, &link));
                let request = Request {
                    url,
                    timeout: self.feed.timeout,
                    max_bytes: self.feed.max_bytes,
                    headers: if own { headers } else { &[] },
                    validators: &validators,
                    ca_file: self.feed.ca_file.as_deref(),
                    linked_from: index.map(reqwest::Url::as_str),
                };
                match fetcher.fetch(&request).await {
                    Ok(Fetched::Body { bytes, .. }) => parse_off_thread(&self.feed, bytes).await,
                    Ok(Fetched::NotModified) => Err("304 without a validator".into()),
                    Err(e) => Err(e.to_string()),
                }
            }
        });
        for (url, result) in links.iter().zip(futures_util::future::join_all(fetches).await) {
            match result {
                Ok(alert) => {
                    parsed.items.extend(alert.items);
                    parsed.withdrawn.extend(alert.withdrawn);
                    parsed.skipped.extend(alert.skipped);
                    parsed.incomplete.extend(alert.incomplete);
                }
                Err(why) => parsed.skipped.push(format!("{}: {why}", redacted_url(url))),
            }
        }
        parsed
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
                    ca_file: self.feed.ca_file.as_deref(),
                    linked_from: None,
                };
                fetcher.fetch(&request).await
            }
            FeedSource::Udp { .. } | FeedSource::Tcp(_) | FeedSource::Ssl { .. } => {
                Err(FetchError::Other("a CoT stream is listened to, not polled".into()))
            }
        }
    }
}

/// Parsing a large document takes milliseconds: keep it off the console's thread.
async fn parse_off_thread(feed: &FeedConfig, bytes: Vec<u8>) -> Result<Parsed, String> {
    let (kind, name, map) = (feed.kind, feed.name.clone(), feed.map.clone());
    let parsed =
        tokio::task::spawn_blocking(move || parse(kind, &name, map.as_ref(), &bytes, Utc::now())).await;
    match parsed {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(e)) => Err(format!("parse error: {e}")),
        Err(e) => Err(format!("the parser crashed: {e}")),
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
