//! Checking `[[feed]]` tables: the kind, where documents come from (a path, an http(s) URL, a
//! UDP address to listen on or a TCP server for CoT), intervals, limits, secrets and the JSON
//! mapping.

use std::path::Path;

use super::problem::{Problem, Source};
use super::raw;
use super::validate::duration;
use super::{
    DEFAULT_EVERY, DEFAULT_MAX_MIB, DEFAULT_TIMEOUT, FeedConfig, FeedKind, FeedSource, HeaderValue, Secret,
};
use crate::feeds::spec::CotOptions;

pub(super) fn feed_config(
    src: &Source,
    feed: &raw::Feed,
    field: &str,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<FeedConfig> {
    let kind = FeedKind::parse(feed.kind.get_ref());
    if kind.is_none() {
        let kinds: Vec<_> = FeedKind::ALL.iter().map(|k| k.as_str()).collect();
        let message =
            format!("unknown feed kind `{}` (expected one of: {})", feed.kind.get_ref(), kinds.join(", "));
        problems.push(src.problem(Some(feed.kind.span()), format!("{field}.kind"), message));
    }
    let source = match kind {
        Some(FeedKind::CotUdp) => {
            let written = super::tls::Written {
                ca_file: feed.ca_file.as_ref(),
                client_cert: feed.client_cert.as_ref(),
                client_key: feed.client_key.as_ref(),
                server_name: feed.server_name.as_ref(),
            };
            let why = "a cot-udp feed is not encrypted: TLS files go with a cot-tcp feed over ssl://";
            super::tls::refuse(src, &written, field, why, problems);
            udp_source(src, feed, field, problems)
        }
        Some(FeedKind::CotTcp) => tcp_source(src, feed, field, base, problems),
        _ => {
            let written = super::tls::Written {
                ca_file: None,
                client_cert: feed.client_cert.as_ref(),
                client_key: feed.client_key.as_ref(),
                server_name: feed.server_name.as_ref(),
            };
            let why = "only cot-tcp feeds over ssl:// show a client certificate";
            super::tls::refuse(src, &written, field, why, problems);
            document_source(src, feed, field, base, problems)
        }
    };
    let map = match (kind, &feed.map) {
        (Some(FeedKind::Json), Some(map)) => match map.get_ref().validate() {
            Ok(()) => Some(map.get_ref().clone()),
            Err(why) => {
                let span = key_in_table(src.text, map.span(), &why).unwrap_or(map.span());
                problems.push(src.problem(Some(span), format!("{field}.map"), why));
                None
            }
        },
        (Some(FeedKind::Json), None) => {
            let message = "a json feed needs [feed.map] with at least `items` and `id` (JSON pointers)";
            problems.push(src.problem(Some(feed.kind.span()), field, message));
            None
        }
        (_, Some(map)) => {
            problems.push(src.problem(
                Some(map.span()),
                format!("{field}.map"),
                "only json feeds take a map",
            ));
            None
        }
        (_, None) => None,
    };
    if feed.follow_links && kind != Some(FeedKind::Cap) {
        problems.push(src.problem(
            Some(feed.kind.span()),
            format!("{field}.follow_links"),
            "only cap feeds follow links",
        ));
    }
    let every = match &feed.every {
        Some(text) => duration(src, text, &format!("{field}.every"), problems),
        None => Some(DEFAULT_EVERY),
    };
    let timeout = match &feed.timeout {
        Some(text) => duration(src, text, &format!("{field}.timeout"), problems),
        None => Some(DEFAULT_TIMEOUT),
    };
    let max_mib = feed.max_mib.as_ref().map_or(DEFAULT_MAX_MIB, |m| *m.get_ref());
    if max_mib == 0 || max_mib > 1024 {
        let span = feed.max_mib.as_ref().map(|m| m.span());
        problems.push(src.problem(span, format!("{field}.max_mib"), "max_mib must be between 1 and 1024"));
    }
    let headers = headers(src, feed, field, base, problems);
    let cot = cot_options(src, feed, kind, field, problems);
    if kind == Some(FeedKind::Json) && map.is_none() {
        return None;
    }
    Some(FeedConfig {
        name: feed.name.get_ref().clone(),
        kind: kind?,
        source: source?,
        every: every?,
        timeout: timeout?,
        max_bytes: max_mib << 20,
        headers,
        map,
        follow_links: feed.follow_links,
        ca_file: feed.ca_file.as_ref().map(|f| base.join(f.get_ref())),
        cot: cot?,
        own_uids: None,
        enabled: feed.enabled,
    })
}

/// `[feed.cot]`: how position reports are coalesced and the UDP receive buffer; CoT feeds only.
fn cot_options(
    src: &Source,
    feed: &raw::Feed,
    kind: Option<FeedKind>,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<CotOptions> {
    let mut options = CotOptions::default();
    let Some(cot) = &feed.cot else { return Some(options) };
    if !matches!(kind, Some(FeedKind::CotUdp | FeedKind::CotTcp)) {
        problems.push(src.problem(
            Some(cot.span()),
            format!("{field}.cot"),
            "only cot-udp and cot-tcp feeds take [feed.cot]",
        ));
        return None;
    }
    let before = problems.len();
    let raw = cot.get_ref();
    if let Some(text) = &raw.min_interval {
        options.min_interval = duration(src, text, &format!("{field}.cot.min_interval"), problems)
            .unwrap_or(options.min_interval);
    }
    if let Some(metres) = &raw.min_distance_m {
        let m = *metres.get_ref();
        if !(m.is_finite() && m >= 0.0) {
            let message = "min_distance_m must be a distance in metres, 0 or more";
            problems.push(src.problem(Some(metres.span()), format!("{field}.cot.min_distance_m"), message));
        }
        options.min_distance_m = m;
    }
    if let Some(kib) = &raw.receive_buffer_kib {
        let k = *kib.get_ref();
        if k == 0 || k > 1 << 20 {
            let message = "receive_buffer_kib must be between 1 and 1048576 (1 GiB)";
            problems.push(src.problem(Some(kib.span()), format!("{field}.cot.receive_buffer_kib"), message));
        }
        if kind != Some(FeedKind::CotUdp) {
            let message = "only cot-udp feeds have a receive buffer";
            problems.push(src.problem(Some(kib.span()), format!("{field}.cot.receive_buffer_kib"), message));
        }
        options.receive_buffer = (k as usize) << 10;
    }
    (problems.len() == before).then_some(options)
}

/// Where, inside a table, the key a message begins with (`map.time_format ...`) is written, so
/// the problem points at its line rather than the table's.
fn key_in_table(text: &str, table: std::ops::Range<usize>, message: &str) -> Option<std::ops::Range<usize>> {
    let key: String = message
        .strip_prefix("map.")?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    // The table's span may cover only its header: read on to the next header.
    let mut offset = table.start;
    for (n, line) in text.get(table.start..)?.split_inclusive('\n').enumerate() {
        let indent = line.len() - line.trim_start().len();
        if n > 0 && line.trim_start().starts_with('[') && offset >= table.end {
            return None;
        }
        let rest = line.trim_start().strip_prefix(key.as_str());
        if rest.is_some_and(|r| r.trim_start().starts_with('=')) {
            return Some(offset + indent..offset + indent + key.len());
        }
        offset += line.len();
    }
    None
}

/// The headers a feed sends. Secrets are checked for where they live, not read: the value is
/// read at each request, so a rotated token needs no restart.
fn headers(
    src: &Source,
    feed: &raw::Feed,
    field: &str,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Vec<(String, HeaderValue)> {
    let mut headers: Vec<_> =
        feed.headers.iter().map(|(k, v)| (k.clone(), HeaderValue::Plain(v.clone()))).collect();
    let bearer = |secret| HeaderValue::Secret { secret, prefix: "Bearer " };
    match (&feed.token_env, &feed.token_file) {
        (Some(_), Some(file)) => problems.push(src.problem(
            Some(file.span()),
            format!("{field}.token_file"),
            "give token_env or token_file, not both",
        )),
        (Some(var), None) => {
            headers.push(("Authorization".into(), bearer(Secret::Env(var.get_ref().clone()))))
        }
        (None, Some(file)) => {
            let path = base.join(file.get_ref());
            if let Err(why) = private_file(&path) {
                problems.push(src.problem(Some(file.span()), format!("{field}.token_file"), why));
            }
            headers.push(("Authorization".into(), bearer(Secret::File(path))));
        }
        (None, None) => {}
    }
    for (name, var) in &feed.header_env {
        let secret = HeaderValue::Secret { secret: Secret::Env(var.get_ref().clone()), prefix: "" };
        headers.push((name.clone(), secret));
    }
    headers
}

/// A secret file must exist and be readable by its owner alone.
pub(super) fn private_file(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!("{} is readable by others (mode {mode:o}); run chmod 600 on it", path.display()));
    }
    Ok(())
}

/// A document feed: `path` or an http(s) `url`.
fn document_source(
    src: &Source,
    feed: &raw::Feed,
    field: &str,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<FeedSource> {
    if let Some(listen) = &feed.listen {
        problems.push(src.problem(
            Some(listen.span()),
            format!("{field}.listen"),
            "only cot-udp feeds listen",
        ));
    }
    match (&feed.path, &feed.url) {
        (Some(path), None) => Some(FeedSource::File(base.join(path.get_ref()))),
        (None, Some(url)) => match reqwest::Url::parse(url.get_ref()) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {
                Some(FeedSource::Url(url.get_ref().clone()))
            }
            Ok(parsed) => {
                let message = format!("scheme `{}` is not polled (expected http or https)", parsed.scheme());
                problems.push(src.problem(Some(url.span()), format!("{field}.url"), message));
                None
            }
            Err(e) => {
                problems.push(src.problem(
                    Some(url.span()),
                    format!("{field}.url"),
                    format!("not a URL: {e}"),
                ));
                None
            }
        },
        (Some(_), Some(url)) => {
            problems.push(src.problem(Some(url.span()), field, "give `path` or `url`, not both"));
            None
        }
        (None, None) => {
            problems.push(src.problem(Some(feed.name.span()), field, "a feed needs `url` or `path`"));
            None
        }
    }
}

/// `listen = "0.0.0.0:6969"`, optionally `group = "239.2.3.1"` (an IPv4 multicast group).
fn udp_source(
    src: &Source,
    feed: &raw::Feed,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<FeedSource> {
    let Some(listen) = &feed.listen else {
        problems.push(src.problem(
            Some(feed.kind.span()),
            field,
            "a cot-udp feed needs `listen = \"ADDRESS:PORT\"`",
        ));
        return None;
    };
    let address = listen.get_ref().parse().map_err(|_| {
        let message = format!("`{}` is not an address and port such as 0.0.0.0:6969", listen.get_ref());
        problems.push(src.problem(Some(listen.span()), format!("{field}.listen"), message))
    });
    let group = match &feed.group {
        None => Ok(None),
        Some(group) => match group.get_ref().parse::<std::net::Ipv4Addr>() {
            Ok(ip) if ip.is_multicast() => Ok(Some(ip)),
            _ => {
                let message =
                    format!("`{}` is not an IPv4 multicast group such as 239.2.3.1", group.get_ref());
                problems.push(src.problem(Some(group.span()), format!("{field}.group"), message));
                Err(())
            }
        },
    };
    Some(FeedSource::Udp { listen: address.ok()?, group: group.ok()? })
}

/// `url = "tcp://host:port"`, or `"ssl://host:port"` with its TLS files.
fn tcp_source(
    src: &Source,
    feed: &raw::Feed,
    field: &str,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<FeedSource> {
    let Some(url) = &feed.url else {
        problems.push(src.problem(
            Some(feed.kind.span()),
            field,
            "a cot-tcp feed needs `url = \"tcp://HOST:PORT\"` or `\"ssl://HOST:PORT\"`",
        ));
        return None;
    };
    let written = super::tls::Written {
        ca_file: feed.ca_file.as_ref(),
        client_cert: feed.client_cert.as_ref(),
        client_key: feed.client_key.as_ref(),
        server_name: feed.server_name.as_ref(),
    };
    match stream_address(url.get_ref()) {
        Some((false, address)) => {
            let why = "a tcp:// stream is not encrypted: use ssl:// for ca_file, client_cert, client_key and server_name";
            super::tls::refuse(src, &written, field, why, problems);
            Some(FeedSource::Tcp(address))
        }
        Some((true, address)) => {
            let tls = super::tls::files(src, &written, field, url.span(), base, problems)?;
            Some(FeedSource::Ssl { address, tls })
        }
        None => {
            let message = format!("`{}` is not a tcp://HOST:PORT or ssl://HOST:PORT address", url.get_ref());
            problems.push(src.problem(Some(url.span()), format!("{field}.url"), message));
            None
        }
    }
}

/// `tcp://host:port` or `ssl://host:port`: whether it is TLS, and `host:port`.
pub(super) fn stream_address(url: &str) -> Option<(bool, String)> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let tls = match parsed.scheme() {
        "tcp" => false,
        "ssl" => true,
        _ => return None,
    };
    Some((tls, format!("{}:{}", parsed.host_str()?, parsed.port()?)))
}
