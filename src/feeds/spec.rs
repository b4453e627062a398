//! What a feed is: its kind, where its documents come from, how often it is read, the headers
//! it sends (secrets by where they are read from). The configuration checks and builds these;
//! the feeds module runs them and does not depend on the configuration.

use std::path::PathBuf;
use std::time::Duration;

/// Where a feed's documents come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedSource {
    /// A local document, re-read every interval, for feeds that another tool drops on disk.
    File(PathBuf),
    /// An HTTP or HTTPS URL, polled with conditional requests.
    Url(String),
    /// Cursor-on-Target datagrams received on this address, optionally joining a multicast
    /// group (TAK's SA multicast is 239.2.3.1:6969).
    Udp { listen: std::net::SocketAddr, group: Option<std::net::Ipv4Addr> },
    /// A Cursor-on-Target stream read from a TCP server (`host:port`), reconnected with backoff.
    Tcp(String),
    /// The same over TLS (`ssl://host:port`), as TAK servers serve it on port 8089.
    Ssl { address: String, tls: super::tls::TlsFiles },
}

impl FeedSource {
    /// Polled on an interval (files, URLs), as opposed to listened to (CoT streams).
    pub fn is_polled(&self) -> bool {
        matches!(self, FeedSource::File(_) | FeedSource::Url(_))
    }
}

/// Where a secret header's value comes from. Only the name of the variable or file is ever
/// stored, printed or journaled; the value is read when a request is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Secret {
    Env(String),
    File(PathBuf),
}

impl Secret {
    /// Reads the secret now. The error names where it looked, never the value.
    pub fn read(&self) -> Result<String, String> {
        match self {
            Secret::Env(name) => std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| format!("environment variable {name} is not set")),
            Secret::File(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                Ok(text.lines().next().unwrap_or_default().trim().to_string())
            }
        }
    }
}

/// A header a feed sends: a plain value, or a secret resolved at request time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderValue {
    Plain(String),
    Secret { secret: Secret, prefix: &'static str },
}

/// The formats in scope for a desk. Each names the parser its documents go through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedKind {
    UsgsGeojson,
    GdacsRss,
    Cap,
    Rss,
    Json,
    CotUdp,
    CotTcp,
}

impl FeedKind {
    pub const ALL: [FeedKind; 7] = [
        FeedKind::UsgsGeojson,
        FeedKind::GdacsRss,
        FeedKind::Cap,
        FeedKind::Rss,
        FeedKind::Json,
        FeedKind::CotUdp,
        FeedKind::CotTcp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::UsgsGeojson => "usgs-geojson",
            FeedKind::GdacsRss => "gdacs-rss",
            FeedKind::Cap => "cap",
            FeedKind::Rss => "rss",
            FeedKind::Json => "json",
            FeedKind::CotUdp => "cot-udp",
            FeedKind::CotTcp => "cot-tcp",
        }
    }

    pub fn parse(name: &str) -> Option<FeedKind> {
        FeedKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether an item the document stops listing is over (summary feeds) or not (streams).
    pub fn missing(self) -> super::Missing {
        match self {
            FeedKind::CotUdp | FeedKind::CotTcp => super::Missing::Keep,
            _ => super::Missing::Withdraw,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FeedConfig {
    pub name: String,
    pub kind: FeedKind,
    pub source: FeedSource,
    pub every: Duration,
    pub timeout: Duration,
    pub max_bytes: u64,
    pub headers: Vec<(String, HeaderValue)>,
    /// For `json` feeds: where the items and their fields are.
    pub map: Option<super::json::JsonMapping>,
    /// For `cap` indexes: fetch each entry's full alert.
    pub follow_links: bool,
    /// Extra certificate authorities (PEM) to trust for this feed's HTTPS, such as a desk's
    /// private CA; the public roots are trusted as well.
    pub ca_file: Option<PathBuf>,
    /// For CoT feeds: how position reports are coalesced, and the UDP receive buffer.
    pub cot: CotOptions,
    /// For CoT feeds: the start of the uids this desk publishes (`[[cot_out]]`); events carrying
    /// them are the desk's own, handed back by a TAK server or the network, and are dropped.
    pub own_uids: Option<String>,
    pub enabled: bool,
}

/// How a CoT feed keeps a large exercise's position reports from growing the journal with
/// every report, and how much the kernel may hold for a UDP listener between reads.
#[derive(Clone, Debug, PartialEq)]
pub struct CotOptions {
    /// A track's report within this long of the last one let through, that moved less than
    /// `min_distance_m` and changed nothing else, is not journaled.
    pub min_interval: Duration,
    pub min_distance_m: f64,
    /// The UDP socket's receive buffer asked of the kernel, in bytes.
    pub receive_buffer: usize,
}

impl Default for CotOptions {
    fn default() -> Self {
        CotOptions {
            min_interval: DEFAULT_COT_MIN_INTERVAL,
            min_distance_m: DEFAULT_COT_MIN_DISTANCE_M,
            receive_buffer: DEFAULT_COT_RECEIVE_BUFFER_KIB << 10,
        }
    }
}

/// The default shortest interval between a track's journaled position reports.
pub const DEFAULT_COT_MIN_INTERVAL: Duration = Duration::from_secs(5);
/// The default move that lets a track's report through sooner, in metres.
pub const DEFAULT_COT_MIN_DISTANCE_M: f64 = 50.0;
/// The default UDP receive buffer, in KiB (the kernel may grant less; see the README).
pub const DEFAULT_COT_RECEIVE_BUFFER_KIB: usize = 16 * 1024;

impl FeedConfig {
    /// A feed with the documented defaults: polled every `DEFAULT_EVERY`, `DEFAULT_TIMEOUT`,
    /// `DEFAULT_MAX_MIB`, no extra headers, enabled.
    pub fn new(name: &str, kind: FeedKind, source: FeedSource) -> Self {
        FeedConfig {
            name: name.to_string(),
            kind,
            source,
            every: DEFAULT_EVERY,
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_MIB << 20,
            headers: Vec::new(),
            map: None,
            follow_links: false,
            ca_file: None,
            cot: CotOptions::default(),
            own_uids: None,
            enabled: true,
        }
    }

    /// The headers with secrets read now; fails naming the variable or file that is missing.
    pub fn resolve_headers(&self) -> Result<Vec<(String, String)>, String> {
        self.headers
            .iter()
            .map(|(name, value)| match value {
                HeaderValue::Plain(v) => Ok((name.clone(), v.clone())),
                HeaderValue::Secret { secret, prefix } => {
                    Ok((name.clone(), format!("{prefix}{}", secret.read()?)))
                }
            })
            .collect()
    }
}

/// The default poll interval for a feed that names none.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(120);
/// The default limit on one poll, connection to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default largest document, in MiB.
pub const DEFAULT_MAX_MIB: u64 = 16;
