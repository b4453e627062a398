//! Fetching feed documents over HTTP, politely and defensively: a User-Agent that names us,
//! conditional requests so an unchanged feed costs a 304, gzip, a redirect limit, a total
//! timeout, a cap on concurrent requests per host, and a size cap enforced while the body is
//! read (after decompression, so a gzip bomb stops at the cap too).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::Semaphore;

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
    #[error("HTTP {code}{}", retry_after.map(|d| format!(" (server asks to retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status { code: u16, retry_after: Option<Duration> },
    #[error("more than {MAX_REDIRECTS} redirects (a redirect loop?)")]
    Redirects,
    #[error("response larger than {} MiB; refused while reading", .0 >> 20)]
    TooLarge(u64),
    #[error("bad header {0}: not valid in HTTP")]
    BadHeader(String),
    #[error("{0}")]
    Other(String),
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
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("attache/", env!("CARGO_PKG_VERSION"), " (watch desk console)"))
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .connect_timeout(Duration::from_secs(10))
}

impl Fetcher {
    pub fn new() -> Self {
        let client = builder().build().expect("the HTTP client's fixed settings are valid");
        Self { client, private: Mutex::new(HashMap::new()), hosts: Mutex::new(HashMap::new()) }
    }

    /// The client for a request: the shared one, or one that also trusts the given CA file.
    fn client_for(&self, ca_file: Option<&Path>) -> Result<reqwest::Client, FetchError> {
        let Some(path) = ca_file else { return Ok(self.client.clone()) };
        let mut private = self.private.lock().expect("no panic while the lock is held");
        if let Some(client) = private.get(path) {
            return Ok(client.clone());
        }
        let fail = |why: String| FetchError::Other(format!("CA file {}: {why}", path.display()));
        let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| fail(e.to_string()))?;
        if certificates.is_empty() {
            return Err(fail("no PEM certificate in it".into()));
        }
        let builder = certificates.into_iter().fold(builder(), |b, c| b.add_root_certificate(c));
        let client = builder.build().map_err(|e| fail(e.to_string()))?;
        private.insert(path.to_path_buf(), client.clone());
        Ok(client)
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
        let mut headers = HeaderMap::new();
        for (name, value) in request.headers {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| FetchError::BadHeader(name.clone()))?;
            let mut value =
                HeaderValue::from_str(value).map_err(|_| FetchError::BadHeader(name.to_string()))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        if let Some(etag) = request.validators.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) =
            request.validators.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_MODIFIED_SINCE, date);
        }
        let client = self.client_for(request.ca_file)?;
        let mut response = client.get(request.url).headers(headers).send().await.map_err(describe)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let retry_after =
                response.headers().get(header::RETRY_AFTER).and_then(|v| retry_after(v.to_str().ok()?));
            return Err(FetchError::Status { code: status.as_u16(), retry_after });
        }
        if response.content_length().is_some_and(|n| n > request.max_bytes) {
            return Err(FetchError::TooLarge(request.max_bytes));
        }
        let text = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let validators = Validators { etag: text(header::ETAG), last_modified: text(header::LAST_MODIFIED) };
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if (bytes.len() + chunk.len()) as u64 > request.max_bytes {
                return Err(FetchError::TooLarge(request.max_bytes));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body { bytes, validators })
    }
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

/// Turns reqwest's nested error into one line that says what went wrong, without the URL's
/// query (which may carry an API key).
fn describe(error: reqwest::Error) -> FetchError {
    if error.is_redirect() {
        return FetchError::Redirects;
    }
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
        let e = FetchError::Status { code: 429, retry_after: Some(Duration::from_secs(30)) };
        assert_eq!(e.to_string(), "HTTP 429 (server asks to retry after 30s)");
    }
}
