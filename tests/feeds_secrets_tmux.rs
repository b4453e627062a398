//! A feed whose URL carries credentials, redirected to another origin that refuses it, seen in a
//! real terminal: the Feed detail shows the URL and the error with the credentials as `***`,
//! the error says where the request was redirected, and the journal holds no credential either.

mod common;
mod tmux_support;

use std::path::Path;

use common::{Reply, serve};
use tmux_support::Tmux;

const SECRETS: [&str; 3] = ["hunter2", "k3y-s3cret", "t0k3n-s3cret"];

fn journal_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            bytes.extend(journal_bytes(&path));
        } else {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    bytes
}

#[test]
fn feed_credentials_are_shown_and_journaled_as_stars() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (home, elsewhere) = runtime.block_on(async {
        let elsewhere = serve(|_| Reply::status("403 Forbidden")).await;
        let moved = elsewhere.url("/v2/quakes?token=t0k3n-s3cret");
        let home = serve(move |_| Reply::status("302 Found").with_header("location", &moved)).await;
        (home, elsewhere)
    });
    let dir = tempfile::tempdir().unwrap();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.path().join(file)).unwrap();
    }
    let desk = dir.path().join("attache.toml");
    let url = format!("http://watch:hunter2@{}/quakes?apikey=k3y-s3cret&region=eu", home.addr);
    std::fs::write(
        &desk,
        format!(
            "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n\
             [[feed]]\nname = \"quakes\"\nkind = \"usgs-geojson\"\nurl = \"{url}\"\nevery = \"1m\"\n"
        ),
    )
    .unwrap();
    let journal = dir.path().join("journal");
    let command = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        desk.display(),
        journal.display()
    );
    let tmux = Tmux::new("feed-secrets", "console");
    tmux.start(200, 40, &command);
    tmux.wait_for("the feed failed", |s| s.contains("feeds 0 ok"));
    tmux.keys(&["5"]);
    tmux.wait_for("Feeds focused", |s| s.contains("▶5 Feeds"));
    tmux.keys(&["Enter"]);
    // What the detail must say, in the one condition waited for: a capture can fall between
    // two writes of a frame. The detail wraps the error line: its words and target apart.
    let source = format!("Source: http://***@{}/quakes?apikey=***&region=eu", home.addr);
    let target = format!("http://{}/v2/quakes?token=***", elsewhere.addr);
    let screen = tmux.wait_for("the feed's detail with its source and error, redacted", |s| {
        s.contains("Feed quakes")
            && s.contains(&source)
            && s.contains("HTTP 403 after a redirect to")
            && s.contains(&target)
    });
    for secret in SECRETS {
        assert!(!screen.contains(secret), "{secret} on screen: {screen}");
    }
    let journaled = String::from_utf8_lossy(&journal_bytes(&journal)).into_owned();
    assert!(journaled.contains("after a redirect to"), "the failure is journaled");
    for secret in SECRETS {
        assert!(!journaled.contains(secret), "{secret} journaled");
    }
    tmux.keys(&["Escape", "q"]);
}
