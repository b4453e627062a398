//! Redirects and linked documents against real servers on 127.0.0.1: a feed's configured
//! headers and URL credentials reach only the feed's own origin, a redirect to a local or
//! private address is refused before any connection, and an error after a redirect says where
//! the request was sent. Two servers on different ports are two origins.

mod common;

use std::time::{Duration, Instant};

use attache::config::{FeedConfig, FeedKind, FeedSource, HeaderValue, Secret};
use attache::feeds::http::Fetcher;
use attache::feeds::{PollResult, Poller};
use common::{Reply, serve};

const QUAKES: &[u8] = include_bytes!("fixtures/usgs/usgs-4.5_day-2024-02-06-13features.geojson");

fn feed(kind: FeedKind, url: String) -> FeedConfig {
    FeedConfig {
        every: Duration::from_secs(60),
        timeout: Duration::from_secs(5),
        max_bytes: 1 << 20,
        ..FeedConfig::new("quakes", kind, FeedSource::Url(url))
    }
}

/// A feed that sends `X-Api-Key: k3y-s3cret` (a secret read from a file, as `header_env` reads
/// one from the environment).
fn keyed(kind: FeedKind, url: String, dir: &tempfile::TempDir) -> FeedConfig {
    let key = dir.path().join("key");
    std::fs::write(&key, "k3y-s3cret\n").unwrap();
    let mut config = feed(kind, url);
    config.headers =
        vec![("X-Api-Key".into(), HeaderValue::Secret { secret: Secret::File(key), prefix: "" })];
    config
}

fn failure(result: &PollResult) -> &str {
    match result {
        PollResult::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn configured_headers_and_url_credentials_go_only_to_the_feeds_own_origin() {
    let elsewhere = serve(|_| Reply::ok(QUAKES)).await;
    let moved = elsewhere.url("/quakes.geojson");
    let home = serve(move |seen| match seen.path.as_str() {
        "/feed" => Reply::status("302 Found").with_header("location", "/moved"),
        _ => Reply::status("307 Temporary Redirect").with_header("location", &moved),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://watch:hunter2@{}/feed", home.addr);
    let outcome = Poller::new(keyed(FeedKind::UsgsGeojson, url, &dir)).poll(&Fetcher::new()).await;
    assert!(matches!(outcome.result, PollResult::Fetched(_)), "{outcome:?}");

    let at_home = home.seen.lock().unwrap().clone();
    assert_eq!(at_home.len(), 2, "{at_home:?}");
    for seen in &at_home {
        assert_eq!(seen.header("x-api-key"), Some("k3y-s3cret"), "{} is the feed's origin", seen.path);
        assert!(seen.header("authorization").is_some_and(|a| a.starts_with("Basic ")), "{seen:?}");
    }
    let there = elsewhere.seen.lock().unwrap().clone();
    assert_eq!(there.len(), 1);
    assert_eq!(there[0].header("x-api-key"), None, "the key went to another origin: {there:?}");
    assert_eq!(there[0].header("authorization"), None, "{there:?}");
    assert_eq!(there[0].header("referer"), None, "the feed's URL went to another origin: {there:?}");
}

#[tokio::test]
async fn an_error_after_a_redirect_names_where_and_hides_credentials() {
    let elsewhere = serve(|_| Reply::status("403 Forbidden")).await;
    let moved = elsewhere.url("/v1/quakes?region=eu&token=t0k3n-s3cret");
    let home = serve(move |_| Reply::status("302 Found").with_header("location", &moved)).await;
    let dir = tempfile::tempdir().unwrap();
    let url = home.url("/feed?apikey=k3y-in-url");
    let outcome = Poller::new(keyed(FeedKind::UsgsGeojson, url, &dir)).poll(&Fetcher::new()).await;
    assert_eq!(
        failure(&outcome.result),
        format!(
            "HTTP 403 after a redirect to http://{}/v1/quakes?region=eu&token=***; \
             the feed's headers are not sent to another origin",
            elsewhere.addr
        )
    );
    let shown = format!("{outcome:?}");
    assert!(!shown.contains("s3cret") && !shown.contains("k3y"), "{shown}");
}

#[tokio::test]
async fn a_redirect_to_this_host_by_its_unspecified_address_is_refused_unsent() {
    let target = serve(|_| Reply::ok(QUAKES)).await;
    let to = format!("http://0.0.0.0:{}/admin", target.addr.port());
    let location = to.clone();
    let home = serve(move |_| Reply::status("302 Found").with_header("location", &location)).await;
    let outcome = Poller::new(feed(FeedKind::UsgsGeojson, home.url("/feed"))).poll(&Fetcher::new()).await;
    assert_eq!(
        failure(&outcome.result),
        format!("redirected to {to}: refused, an unspecified address (this host)")
    );
    assert!(target.seen.lock().unwrap().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn a_loopback_feed_is_not_redirected_to_link_local_or_private_addresses() {
    let home = serve(|seen| {
        let to = match seen.path.as_str() {
            "/metadata" => "http://169.254.169.254/latest/meta-data/",
            "/v6" => "http://[::ffff:169.254.169.254]/latest",
            _ => "http://10.0.0.1/internal",
        };
        Reply::status("301 Moved Permanently").with_header("location", to)
    })
    .await;
    let fetcher = Fetcher::new();
    for (path, expect) in [
        (
            "/metadata",
            "redirected to http://169.254.169.254/latest/meta-data/: refused, a link-local address",
        ),
        ("/v6", "redirected to http://[::ffff:a9fe:a9fe]/latest: refused, a link-local address"),
        ("/private", "redirected to http://10.0.0.1/internal: refused, a private address"),
    ] {
        let started = Instant::now();
        let outcome = Poller::new(feed(FeedKind::UsgsGeojson, home.url(path))).poll(&fetcher).await;
        assert_eq!(failure(&outcome.result), expect);
        // Refused before any connection: an attempt would wait on an unreachable address.
        assert!(started.elapsed() < Duration::from_secs(2), "{path}: {:?}", started.elapsed());
    }
}

/// A fetcher for which these names stand for these addresses, as `/etc/hosts` would say.
fn naming(names: &[(&str, &[&str])]) -> Fetcher {
    let table = names
        .iter()
        .map(|(name, ips)| (name.to_string(), ips.iter().map(|ip| ip.parse().unwrap()).collect()))
        .collect();
    Fetcher::with_names(table)
}

#[tokio::test]
async fn a_redirect_to_a_name_is_judged_by_the_addresses_it_resolves_to() {
    let elsewhere = serve(|_| Reply::ok(QUAKES)).await;
    let cdn = elsewhere.url("/quakes.geojson").replace("127.0.0.1", "cdn.attache.test");
    let home = serve(move |seen| {
        let to = match seen.path.as_str() {
            "/metadata" => "http://metadata.attache.test/latest/meta-data/".to_string(),
            "/mixed" => "http://mixed.attache.test/feed".to_string(),
            _ => cdn.clone(),
        };
        Reply::status("302 Found").with_header("location", &to)
    })
    .await;
    let fetcher = naming(&[
        ("metadata.attache.test", &["169.254.169.254"]),
        ("mixed.attache.test", &["93.184.216.34", "10.0.0.1"]),
        // Loopback, as the feed's own address is: followed, to exactly this address.
        ("cdn.attache.test", &["127.0.0.1"]),
    ]);
    for (path, expect) in [
        (
            "/metadata",
            "redirected to http://metadata.attache.test/latest/meta-data/: refused, \
             metadata.attache.test resolves to a link-local address (169.254.169.254)",
        ),
        (
            "/mixed",
            "redirected to http://mixed.attache.test/feed: refused, \
             mixed.attache.test resolves to a private address (10.0.0.1)",
        ),
    ] {
        let started = Instant::now();
        let outcome = Poller::new(feed(FeedKind::UsgsGeojson, home.url(path))).poll(&fetcher).await;
        assert_eq!(failure(&outcome.result), expect);
        assert!(started.elapsed() < Duration::from_secs(2), "{path}: {:?}", started.elapsed());
    }
    let outcome = Poller::new(feed(FeedKind::UsgsGeojson, home.url("/cdn"))).poll(&fetcher).await;
    let PollResult::Fetched(parsed) = &outcome.result else { panic!("{outcome:?}") };
    assert_eq!(parsed.items.len(), 13, "{outcome:?}");
    assert_eq!(elsewhere.seen.lock().unwrap().len(), 1, "the pinned address was not the one used");
}

#[tokio::test]
async fn a_cap_index_link_to_a_name_on_a_private_address_is_not_fetched() {
    const ALERT: &[u8] = include_bytes!("fixtures/cap/cap-oasis-spec-nws-severe-thunderstorm-polygon.xml");
    let home = serve(move |seen| match seen.path.as_str() {
        "/index" => Reply::ok(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
              <entry><id>a</id><title>inside</title><cap:event>Storm</cap:event><link type="application/cap+xml" href="http://intranet.attache.test/a.cap"/></entry>
            </feed>"#,
        ),
        _ => Reply::ok(ALERT),
    })
    .await;
    let mut config = feed(FeedKind::Cap, home.url("/index"));
    config.follow_links = true;
    let fetcher = naming(&[("intranet.attache.test", &["192.168.7.7"])]);
    let outcome = Poller::new(config).poll(&fetcher).await;
    let PollResult::Fetched(parsed) = &outcome.result else { panic!("{outcome:?}") };
    assert_eq!(
        parsed.skipped,
        vec![
            "http://intranet.attache.test/a.cap: refused, intranet.attache.test resolves to a private address (192.168.7.7)"
                .to_string()
        ],
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_cap_index_sends_its_headers_only_to_alerts_on_its_own_origin() {
    const ALERT: &[u8] = include_bytes!("fixtures/cap/cap-oasis-spec-nws-severe-thunderstorm-polygon.xml");
    let elsewhere = serve(|_| Reply::ok(ALERT)).await;
    let (remote, private) = (elsewhere.url("/remote.cap?sig=s1gn3d"), "http://192.168.7.7/alert.cap");
    let index = move |own: String| {
        format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
              <entry><id>a</id><title>own</title><cap:event>Storm</cap:event><link type="application/cap+xml" href="{own}"/></entry>
              <entry><id>b</id><title>remote</title><link type="application/cap+xml" href="{remote}"/></entry>
              <entry><id>c</id><title>private</title><link type="application/cap+xml" href="{private}"/></entry>
            </feed>"#
        )
    };
    let home = serve(move |seen| match seen.path.as_str() {
        "/index" => Reply::ok(index(format!("http://{}/own.cap", seen.header("host").unwrap_or("")))),
        _ => Reply::ok(ALERT),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = keyed(FeedKind::Cap, home.url("/index"), &dir);
    config.follow_links = true;
    let outcome = Poller::new(config).poll(&Fetcher::new()).await;
    let PollResult::Fetched(parsed) = &outcome.result else { panic!("{outcome:?}") };
    assert_eq!(
        parsed.skipped,
        vec!["http://192.168.7.7/alert.cap: refused, a private address".to_string()],
        "{outcome:?}"
    );
    let at_home = home.seen.lock().unwrap().clone();
    assert!(at_home.iter().all(|s| s.header("x-api-key") == Some("k3y-s3cret")), "{at_home:?}");
    assert_eq!(at_home.len(), 2);
    let there = elsewhere.seen.lock().unwrap().clone();
    assert_eq!(there.len(), 1);
    assert_eq!(there[0].header("x-api-key"), None, "the key went to another origin: {there:?}");
}
