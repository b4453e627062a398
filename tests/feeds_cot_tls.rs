//! `cot-tcp` over TLS against a TAK-like server on 127.0.0.1 that demands client certificates
//! from its own CA: the desk's events arrive as items; a certificate from another CA, a server
//! certificate the desk's CA did not sign, or one made out to another name is a feed error
//! saying why, never a working feed; a private key others can read is refused by `attache check`.

mod tak_support;

use std::time::Duration;

use attache::config::{FeedConfig, FeedKind, FeedSource};
use attache::feeds::tls::{ClientFiles, TlsFiles};
use attache::feeds::{PollOutcome, PollResult, listen};
use tak_support::{Ca, tak_server, write_desk_files};
use tokio::sync::mpsc;

fn live_event(uid: &str) -> Vec<u8> {
    let now = chrono::Utc::now();
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><event version="2.0" uid="{uid}" type="a-f-G-U-C" how="m-g" time="{t}" start="{t}" stale="{s}"><point lat="14.5995" lon="120.9842" hae="10" ce="9.9" le="9999999"/><detail><contact callsign="JENNY"/></detail></event>"#,
        t = stamp(now),
        s = stamp(now + chrono::Duration::minutes(5)),
    )
    .into_bytes()
}

fn ssl_feed(
    address: String,
    files: (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf),
) -> FeedConfig {
    let (ca_file, cert, key) = files;
    let tls = TlsFiles { ca_file, client: Some(ClientFiles { cert, key }), server_name: None };
    let source = FeedSource::Ssl { address, tls };
    FeedConfig { timeout: Duration::from_secs(5), ..FeedConfig::new("tak", FeedKind::CotTcp, source) }
}

/// A TAK server reached by its address whose certificate is made out to its name only, as
/// behind a VPN: refused as not made out to the address, taken with `server_name`.
#[tokio::test]
async fn server_name_names_the_certificate_of_a_server_reached_by_its_address() {
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    let files = write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    let tak = tak_server(&ca, &ca.server(&["tak.example.org"]), &ca, live_event("ANDROID-7")).await;
    let address = format!("127.0.0.1:{}", tak.port);

    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(ssl_feed(address.clone(), files.clone()), tx));
    let why = first_failure(&mut rx).await;
    assert!(why.contains("not made out to 127.0.0.1"), "{why}");

    let mut feed = ssl_feed(address, files);
    if let FeedSource::Ssl { tls, .. } = &mut feed.source {
        tls.server_name = Some("tak.example.org".into());
    }
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(feed, tx));
    loop {
        match next(&mut rx).await.result {
            PollResult::Fetched(parsed) if !parsed.items.is_empty() => {
                assert_eq!(parsed.items[0].id, "ANDROID-7");
                break;
            }
            PollResult::Failed(why) => panic!("the feed failed: {why}"),
            _ => {}
        }
    }
}

async fn next(rx: &mut mpsc::Receiver<PollOutcome>) -> PollOutcome {
    tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("an outcome").expect("open")
}

#[tokio::test]
async fn events_arrive_over_mutual_tls() {
    let ca = Ca::new("TAK test CA");
    let server = ca.server(&["localhost"]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    let mut events = live_event("ANDROID-1");
    events.extend(live_event("ANDROID-2"));
    let tak = tak_server(&ca, &server, &ca, events).await;

    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(ssl_feed(format!("localhost:{}", tak.port), files), tx));
    let mut uids = Vec::new();
    while uids.len() < 2 {
        match next(&mut rx).await.result {
            PollResult::Fetched(parsed) => uids.extend(parsed.items.into_iter().map(|i| i.id)),
            PollResult::Failed(why) => panic!("the feed failed: {why}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(uids, ["ANDROID-1", "ANDROID-2"]);
}

#[tokio::test]
async fn a_quiet_tls_stream_counts_as_working_once_it_has_stayed_up() {
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    let files = write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    let tak = tak_server(&ca, &ca.server(&["localhost"]), &ca, Vec::new()).await;
    let (tx, mut rx) = mpsc::channel(16);
    let started = std::time::Instant::now();
    tokio::spawn(listen::listen(ssl_feed(format!("localhost:{}", tak.port), files), tx));
    match next(&mut rx).await.result {
        PollResult::Fetched(parsed) => assert!(parsed.items.is_empty() && parsed.skipped.is_empty()),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() >= listen::TLS_SETTLE, "not before it has stayed up");
}

/// The outcomes until the first failure: none of them may say the feed works.
async fn first_failure(rx: &mut mpsc::Receiver<PollOutcome>) -> String {
    match next(rx).await.result {
        PollResult::Failed(why) => why,
        other => panic!("the feed worked before it failed: {other:?}"),
    }
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_a_feed_error() {
    let ca = Ca::new("TAK test CA");
    let stranger = Ca::new("Some other CA");
    let server = ca.server(&["localhost"]);
    let dir = tempfile::tempdir().unwrap();
    // The desk trusts the server's CA but shows a certificate the server's CA never signed.
    let (ca_file, cert, key) = write_desk_files(dir.path(), &stranger, &stranger.client("intruder"));
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let mut tak = tak_server(&ca, &server, &ca, live_event("SECRET")).await;

    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(ssl_feed(format!("localhost:{}", tak.port), (ca_file, cert, key)), tx));
    let why = first_failure(&mut rx).await;
    assert!(why.contains("refused this desk's client certificate"), "{why}");
    assert!(why.contains(&format!("ssl://localhost:{}", tak.port)), "{why}");
    let seen = tokio::time::timeout(Duration::from_secs(10), tak.refused.recv()).await.unwrap().unwrap();
    assert!(seen.contains("UnknownIssuer"), "the server refused it for its issuer: {seen}");
    // Reconnected with backoff, and refused again, never a working feed in between; the waits
    // grow as for any failure (1 s, then 2 s, less jitter), though each handshake succeeded.
    let second = first_failure(&mut rx).await;
    let at = std::time::Instant::now();
    assert!(second.contains("refused this desk's client certificate"), "{second}");
    first_failure(&mut rx).await;
    assert!(at.elapsed() >= Duration::from_millis(1400), "retried after {:?}", at.elapsed());
}

#[tokio::test]
async fn a_server_the_desk_cannot_trust_is_a_feed_error() {
    let ca = Ca::new("TAK test CA");
    let impostor = Ca::new("Impostor CA");
    let dir = tempfile::tempdir().unwrap();
    let files = write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));

    let tak = tak_server(&impostor, &impostor.server(&["localhost"]), &ca, live_event("X")).await;
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(ssl_feed(format!("localhost:{}", tak.port), files.clone()), tx));
    let why = first_failure(&mut rx).await;
    assert!(why.starts_with(&format!("TLS handshake with ssl://localhost:{} failed", tak.port)), "{why}");
    assert!(why.contains("not from the CA in ca_file") && why.contains("UnknownIssuer"), "{why}");

    let elsewhere = tak_server(&ca, &ca.server(&["tak.other-desk.example"]), &ca, live_event("X")).await;
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(ssl_feed(format!("localhost:{}", elsewhere.port), files), tx));
    let why = first_failure(&mut rx).await;
    assert!(why.contains("not made out to localhost"), "{why}");
}

#[tokio::test]
async fn a_missing_key_file_is_a_feed_error_naming_it() {
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    let (ca_file, cert, key) = write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    std::fs::remove_file(&key).unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(listen::listen(ssl_feed("localhost:1".into(), (ca_file, cert, key.clone())), tx));
    let why = first_failure(&mut rx).await;
    assert!(why.contains("client_key") && why.contains(&key.display().to_string()), "{why}");
}

fn attache() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("attache").expect("the attache binary is built")
}

/// A desk file with one cot-tcp feed over ssl://, the TLS keys as given, in `dir`.
fn desk_with_feed(dir: &std::path::Path, tls_keys: &str) -> std::path::PathBuf {
    let common = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_configs/common");
    let desk = format!(
        "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"{}\"\ncontacts = \"{}\"\n\n\
         [[feed]]\nname = \"tak\"\nkind = \"cot-tcp\"\nurl = \"ssl://tak.example.org:8089\"\n{tls_keys}",
        common.join("missions.toml").display(),
        common.join("contacts.toml").display(),
    );
    let path = dir.join("attache.toml");
    std::fs::write(&path, desk).unwrap();
    path
}

#[test]
fn check_takes_good_files_and_refuses_a_key_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    let (_, _, key) = write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    let keys = "ca_file = \"ca.pem\"\nclient_cert = \"desk.pem\"\nclient_key = \"desk.key\"\n";
    let desk = desk_with_feed(dir.path(), keys);
    attache().arg("--config").arg(&desk).arg("check").assert().success();

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = attache().arg("--config").arg(&desk).arg("check").assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let expected = format!(
        "{}:13:14: feed[0].client_key: {}: the private key is readable by group or others (mode 640); run chmod 600 on it",
        desk.display(),
        key.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn check_names_the_file_and_key_of_garbled_or_missing_pem() {
    let ca = Ca::new("TAK test CA");
    let dir = tempfile::tempdir().unwrap();
    write_desk_files(dir.path(), &ca, &ca.client("manila-desk"));
    std::fs::write(dir.path().join("desk.pem"), "this is no certificate\n").unwrap();
    let keys = "ca_file = \"ca.pem\"\nclient_cert = \"desk.pem\"\nclient_key = \"desk.key\"\n";
    let desk = desk_with_feed(dir.path(), keys);
    let out = attache().arg("--config").arg(&desk).arg("check").assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("feed[0].client_cert: ") && stderr.contains("desk.pem: no PEM certificate"),
        "{stderr}"
    );

    let desk = desk_with_feed(dir.path(), "ca_file = \"nowhere.pem\"\n");
    let out = attache().arg("--config").arg(&desk).arg("check").assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("feed[0].ca_file: ") && stderr.contains("nowhere.pem: cannot read"), "{stderr}");

    let desk = desk_with_feed(dir.path(), "client_cert = \"desk.pem\"\n");
    let out = attache().arg("--config").arg(&desk).arg("check").assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("feed[0].ca_file: an ssl:// connection needs `ca_file`"), "{stderr}");
}

/// The real service, refused by the server: the journal says why in `feed.failed`, and never
/// that the feed was polled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_records_a_refused_certificate_as_a_failed_feed() {
    use attache::event::Event;
    let ca = Ca::new("TAK test CA");
    let stranger = Ca::new("Some other CA");
    let dir = tempfile::tempdir().unwrap();
    write_desk_files(dir.path(), &stranger, &stranger.client("intruder"));
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    let tak = tak_server(&ca, &ca.server(&["localhost"]), &ca, live_event("SECRET")).await;
    let keys = "ca_file = \"ca.pem\"\nclient_cert = \"desk.pem\"\nclient_key = \"desk.key\"\n";
    let desk = desk_with_feed(dir.path(), keys);
    let text = std::fs::read_to_string(&desk)
        .unwrap()
        .replace("tak.example.org:8089", &format!("localhost:{}", tak.port));
    std::fs::write(&desk, text).unwrap();
    let journal = dir.path().join("journal");
    let mut service = std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
        .arg("--config")
        .arg(&desk)
        .arg("--journal")
        .arg(&journal)
        .arg("poll")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let records = || attache::journal::read_all(&journal).map(|(r, _)| r).unwrap_or_default();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let error = loop {
        let failed = records().into_iter().find_map(|r| match r.event {
            Event::FeedFailed { error, .. } => Some(error),
            _ => None,
        });
        if let Some(error) = failed {
            break error;
        }
        assert!(std::time::Instant::now() < deadline, "no feed.failed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Past the settling time and a retry: still nothing says it worked.
    tokio::time::sleep(listen::TLS_SETTLE + Duration::from_secs(1)).await;
    let _ = std::process::Command::new("kill").args(["-TERM", &service.id().to_string()]).status();
    let _ = service.wait();
    assert!(error.contains("refused this desk's client certificate"), "{error}");
    let kinds: Vec<&str> = records().iter().map(|r| r.event.kind()).collect();
    assert!(!kinds.contains(&"feed.polled") && !kinds.contains(&"item.seen"), "{kinds:?}");
}

/// A cot-udp feed is not encrypted: TLS keys on it are refused, so no operator believes it is.
#[test]
fn check_refuses_tls_files_on_a_cot_udp_feed() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_with_feed(dir.path(), "");
    let text = std::fs::read_to_string(&desk).unwrap().replace(
        "kind = \"cot-tcp\"\nurl = \"ssl://tak.example.org:8089\"",
        "kind = \"cot-udp\"\nlisten = \"127.0.0.1:6969\"",
    ) + "client_key = \"nowhere.key\"\n";
    std::fs::write(&desk, text).unwrap();
    let out = attache().arg("--config").arg(&desk).arg("check").assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("feed[0].client_key: a cot-udp feed is not encrypted"), "{stderr}");
}
