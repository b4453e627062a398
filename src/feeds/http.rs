//! Fetching feed documents over HTTP, politely and defensively: a User-Agent that names us,
//! conditional requests so an unchanged feed costs a 304, gzip, redirects followed by hand
//! (configured headers only to the feed's own origin, see [`super::redirect`]), a total
//! timeout, a cap on concurrent requests per host, and a size cap enforced while the body is
//! read (after decompression, so a gzip bomb stops at the cap too).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::Semaphore;

use super::redact::redacted_url;
use super::redirect::{Reach, ip_reach, reach, refusal, same_origin};

/// At most this many redirects are followed; a loop fails fast with a clear message.
pub const MAX_REDIRECTS: usize = 5;
/// Requests in flight to any one host at once.
pub const PER_HOST: usize = 4;

/// What the server said last time, sent back so that it can answer 304 Not Modified.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub struct Request<'a> {
    pub url: &'a str,
    pub timeout: Duration,
    pub max_bytes: u64,
    /// Extra headers, values already resolved from the environment. Never logged.
    pub headers: &'a [(String, String)],
    pub validators: &'a Validators,
    /// A PEM file of extra certificate authorities to trust (a desk's private CA), if any.
    pub ca_file: Option<&'a Path>,
    /// For a document a feed links to (a CAP index's alerts): the feed's own URL. The link is
    /// then judged as a redirect from the feed would be.
    pub linked_from: Option<&'a str>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    Body { bytes: Vec<u8>, validators: Validators },
    NotModified,
}

/// Why a fetch failed, in words a duty officer can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("{}", status_words(*code, *retry_after, redirected.as_ref()))]
    Status { code: u16, retry_after: Option<Duration>, redirected: Option<Redirected> },
    #[error("more than {MAX_REDIRECTS} redirects (a redirect loop?)")]
    Redirects,
    /// A redirect not followed: `to` is the target as it may be shown, `why` the rule it broke.
    #[error("redirected to {to}: refused, {why}")]
    Refused { to: String, why: String },
    /// A document a feed links to, not fetched: why.
    #[error("refused, {0}")]
    LinkRefused(String),
    #[error("response larger than {} MiB; refused while reading", .0 >> 20)]
    TooLarge(u64),
    #[error("bad header {0}: not valid in HTTP")]
    BadHeader(String),
    #[error("{0}")]
    Other(String),
}

/// Where the answer came from when it was not the feed's own URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirected {
    /// The final URL, credentials redacted.
    pub to: String,
    /// The feed has headers, and they were not sent there (another origin).
    pub headers_withheld: bool,
}

fn status_words(code: u16, retry_after: Option<Duration>, redirected: Option<&Redirected>) -> String {
    let mut words = format!("HTTP {code}");
    if let Some(wait) = retry_after {
        words.push_str(&format!(" (server asks to retry after {}s)", wait.as_secs()));
    }
    if let Some(redirected) = redirected {
        words.push_str(&format!(" after a redirect to {}", redirected.to));
        if redirected.headers_withheld {
            words.push_str("; the feed's headers are not sent to another origin");
        }
    }
    words
}

impl FetchError {
    /// How long the server asked us to wait (429 and 503 with Retry-After).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

pub struct Fetcher {
    client: reqwest::Client,
    /// Clients that also trust a desk's private CA, by the CA file's path.
    private: Mutex<HashMap<PathBuf, reqwest::Client>>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Names given addresses before the system's resolver is asked, as `/etc/hosts` does.
    names: HashMap<String, Vec<IpAddr>>,
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("attache/", env!("CARGO_PKG_VERSION"), " (watch desk console)"))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
}

/// A client's settings, also trusting the certificate authorities in `ca_file` if given.
fn builder_trusting(ca_file: Option<&Path>) -> Result<reqwest::ClientBuilder, FetchError> {
    let Some(path) = ca_file else { return Ok(builder()) };
    let pem = std::fs::read(path).map_err(|e| ca_failed(path, e.to_string()))?;
    let certificates =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_failed(path, e.to_string()))?;
    if certificates.is_empty() {
        return Err(ca_failed(path, "no PEM certificate in it".into()));
    }
    Ok(certificates.into_iter().fold(builder(), |b, c| b.add_root_certificate(c)))
}

fn ca_failed(path: &Path, why: String) -> FetchError {
    FetchError::Other(format!("CA file {}: {why}", path.display()))
}

impl Fetcher {
    pub fn new() -> Self {
        let client = builder().build().expect("the HTTP client's fixed settings are valid");
        Self {
            client,
            private: Mutex::new(HashMap::new()),
            hosts: Mutex::new(HashMap::new()),
            names: HashMap::new(),
        }
    }

    /// A fetcher that gives these names these addresses before asking the system's resolver
    /// (as `/etc/hosts` would): how the tests point a name at an address they choose.
    pub fn with_names(names: HashMap<String, Vec<IpAddr>>) -> Self {
        Fetcher { names, ..Fetcher::new() }
    }

    /// The client for a request: the shared one, or one that also trusts the given CA file.
    fn client_for(&self, ca_file: Option<&Path>) -> Result<reqwest::Client, FetchError> {
        let Some(path) = ca_file else { return Ok(self.client.clone()) };
        let mut private = self.private.lock().expect("no panic while the lock is held");
        if let Some(client) = private.get(path) {
            return Ok(client.clone());
        }
        let client = builder_trusting(Some(path))?.build().map_err(|e| ca_failed(path, e.to_string()))?;
        private.insert(path.to_path_buf(), client.clone());
        Ok(client)
    }

    /// The addresses a redirect's host name stands for, judged before anything is sent there:
    /// a name is as local as the addresses it resolves to. The connection is then made to
    /// exactly these addresses, so a second, different answer (DNS rebinding) is never used.
    /// None for a literal address, `localhost`, or the feed's own host (configured by the desk).
    async fn judged_addresses(
        &self,
        feed: &Url,
        to: &Url,
    ) -> Result<Option<(String, Vec<SocketAddr>)>, String> {
        let Some(name) = to.domain() else { return Ok(None) };
        if feed.host() == to.host() || reach(to) != Reach::Public {
            return Ok(None);
        }
        let port = to.port_or_known_default().unwrap_or(443);
        let addresses =
            self.look_up(name, port).await.map_err(|why| format!("{name} could not be resolved ({why})"))?;
        let refused = |address: &SocketAddr, target: Reach| {
            format!("{name} resolves to {} ({})", target.words(), address.ip())
        };
        let local = addresses.iter().map(|a| (a, ip_reach(a.ip()))).filter(|(_, r)| *r != Reach::Public);
        let local: Vec<_> = local.collect();
        if !local.is_empty() {
            let allowed = self.feed_reach(feed).await;
            if let Some((address, target)) = local.into_iter().find(|(_, r)| *r != allowed) {
                return Err(refused(address, target));
            }
        }
        Ok(Some((name.to_string(), addresses)))
    }

    /// How local the feed's own host is: by its literal address or name, and for a name the
    /// most local of the addresses it resolves to (a desk's intranet feed may redirect within).
    async fn feed_reach(&self, feed: &Url) -> Reach {
        match feed.domain() {
            Some(name) if reach(feed) == Reach::Public => {
                let port = feed.port_or_known_default().unwrap_or(443);
                let found = self.look_up(name, port).await.unwrap_or_default();
                found.iter().map(|a| ip_reach(a.ip())).find(|r| *r != Reach::Public).unwrap_or(Reach::Public)
            }
            _ => reach(feed),
        }
    }

    async fn look_up(&self, name: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(known) = self.names.get(&name) {
            return Ok(known.iter().map(|ip| SocketAddr::new(*ip, port)).collect());
        }
        let found: Vec<SocketAddr> =
            tokio::net::lookup_host((name.as_str(), port)).await.map_err(|e| e.to_string())?.collect();
        if found.is_empty() { Err("no address".into()) } else { Ok(found) }
    }

    fn host_slot(&self, url: &str) -> Arc<Semaphore> {
        let host =
            reqwest::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        let mut hosts = self.hosts.lock().expect("no panic while the lock is held");
        hosts.entry(host).or_insert_with(|| Arc::new(Semaphore::new(PER_HOST))).clone()
    }

    pub async fn fetch(&self, request: &Request<'_>) -> Result<Fetched, FetchError> {
        let slot = self.host_slot(request.url);
        let _permit = slot.acquire().await.map_err(|_| FetchError::Other("shutting down".into()))?;
        tokio::time::timeout(request.timeout, self.fetch_inner(request))
            .await
            .unwrap_or(Err(FetchError::Timeout(request.timeout)))
    }

    async fn fetch_inner(&self, request: &Request<'_>) -> Result<Fetched, FetchError> {
        let mut configured = HeaderMap::new();
        for (name, value) in request.headers {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| FetchError::BadHeader(name.clone()))?;
            let mut value =
                HeaderValue::from_str(value).map_err(|_| FetchError::BadHeader(name.to_string()))?;
            value.set_sensitive(true);
            configured.insert(name, value);
        }
        let mut conditional = HeaderMap::new();
        if let Some(etag) = request.validators.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            conditional.insert(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) =
            request.validators.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok())
        {
            conditional.insert(header::IF_MODIFIED_SINCE, date);
        }
        let client = self.client_for(request.ca_file)?;
        let parse = |text: &str| Url::parse(text).map_err(|e| FetchError::Other(format!("not a URL: {e}")));
        let mut url = parse(request.url)?;
        let feed = match request.linked_from {
            Some(index) => parse(index)?,
            None => url.clone(),
        };
        for hops in 0..=MAX_REDIRECTS {
            let home = same_origin(&url, &feed);
            let mut headers = conditional.clone();
            let mut target = url.clone();
            if home {
                headers.extend(configured.clone());
                // reqwest sends a URL's user:password as Basic authorization: keep it on the way.
                if target.username().is_empty() && target.password().is_none() {
                    let _ = target.set_username(feed.username());
                    let _ = target.set_password(feed.password());
                }
            }
            let judged = self.judged_addresses(&feed, &url).await.map_err(|why| match hops {
                0 => FetchError::LinkRefused(why),
                _ => FetchError::Refused { to: redacted_url(url.as_str()), why },
            })?;
            let pinned = match judged {
                Some((name, addresses)) => builder_trusting(request.ca_file)?
                    .resolve_to_addrs(&name, &addresses)
                    .build()
                    .map_err(|e| FetchError::Other(e.to_string()))?,
                None => client.clone(),
            };
            let response = pinned.get(target).headers(headers).send().await.map_err(describe)?;
            let redirected = (hops > 0).then(|| Redirected {
                to: redacted_url(url.as_str()),
                headers_withheld: !home && !configured.is_empty(),
            });
            match next_hop(&response, &url)? {
                Some(next) => {
                    if let Some(why) = refusal(&feed, &url, &next) {
                        return Err(FetchError::Refused { to: redacted_url(next.as_str()), why });
                    }
                    url = next;
                }
                None => return read(response, request.max_bytes, redirected).await,
            }
        }
        Err(FetchError::Redirects)
    }
}

/// Where a redirect points, or None for a response that is the answer.
fn next_hop(response: &reqwest::Response, url: &Url) -> Result<Option<Url>, FetchError> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = response.headers().get(header::LOCATION) else { return Ok(None) };
    let next = location.to_str().ok().and_then(|l| url.join(l).ok()).ok_or_else(|| {
        FetchError::Other(format!("HTTP {} with an unreadable Location", response.status().as_u16()))
    })?;
    Ok(Some(next))
}

/// The answer's body, or why there is none.
async fn read(
    mut response: reqwest::Response,
    max_bytes: u64,
    redirected: Option<Redirected>,
) -> Result<Fetched, FetchError> {
    let status = response.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        let retry_after =
            response.headers().get(header::RETRY_AFTER).and_then(|v| retry_after(v.to_str().ok()?));
        return Err(FetchError::Status { code: status.as_u16(), retry_after, redirected });
    }
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(FetchError::TooLarge(max_bytes));
    }
    let text = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let validators = Validators { etag: text(header::ETAG), last_modified: text(header::LAST_MODIFIED) };
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(describe)? {
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(FetchError::TooLarge(max_bytes));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Fetched::Body { bytes, validators })
}

impl Default for Fetcher {
    fn default() -> Self {
        Self::new()
    }
}

/// Retry-After is either a number of seconds or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok()
}

/// Turns reqwest's nested error into one line that says what went wrong, without the URL
/// (which may carry an API key).
fn describe(error: reqwest::Error) -> FetchError {
    let error = error.without_url();
    let mut innermost = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        innermost = cause.to_string();
        source = cause.source();
    }
    if error.is_connect() { FetchError::Connect(innermost) } else { FetchError::Other(innermost) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after("120"), Some(Duration::from_secs(120)));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let parsed = retry_after(&soon).unwrap();
        assert!(parsed <= Duration::from_secs(90) && parsed >= Duration::from_secs(80), "{parsed:?}");
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn status_errors_say_the_code_and_the_wait() {
        let e =
            FetchError::Status { code: 429, retry_after: Some(Duration::from_secs(30)), redirected: None };
        assert_eq!(e.to_string(), "HTTP 429 (server asks to retry after 30s)");
        let redirected = Some(Redirected { to: "https://cdn.example.net/a".into(), headers_withheld: false });
        let e = FetchError::Status { code: 404, retry_after: None, redirected };
        assert_eq!(e.to_string(), "HTTP 404 after a redirect to https://cdn.example.net/a");
    }
}
