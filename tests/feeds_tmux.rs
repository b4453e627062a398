//! The Feeds pane over time, in a real terminal: a feed whose document cannot be read in full is
//! shown as a warning while it stays so, with why, and as `ok` once the publisher mends it.

mod tmux_support;

use std::path::Path;

use tmux_support::Tmux;

const QUAKES: &str = "tests/fixtures/usgs/usgs-4.5_day-2024-02-06-13features.geojson";

/// The real USGS summary, its third feature's magnitude written as text (a publisher's glitch).
fn quakes_with_a_feature_unreadable() -> String {
    let text = std::fs::read_to_string(QUAKES).unwrap();
    let broken = text.replacen(
        "\"mag\":4.6,\"place\":\"Reykjanes Ridge\"",
        "\"mag\":\"4.6\",\"place\":\"Reykjanes Ridge\"",
        1,
    );
    assert_ne!(broken, text);
    broken
}

/// Writes the document whole, then renames it into place: the poller never reads half a file.
fn publish(path: &Path, text: &str) {
    let next = path.with_extension("next");
    std::fs::write(&next, text).unwrap();
    std::fs::rename(next, path).unwrap();
}

/// The Feeds pane's row for `name` (the pane is the right-hand column of the wide layout).
fn feed_row<'s>(screen: &'s str, name: &str) -> Option<&'s str> {
    screen.lines().find_map(|line| {
        let at = line.find(&format!("│{name} "))?;
        Some(&line[at..])
    })
}

#[test]
fn a_feed_read_in_part_is_a_warning_until_it_is_mended() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.path().join(file)).unwrap();
    }
    let document = dir.path().join("quakes.geojson");
    publish(&document, &quakes_with_a_feature_unreadable());
    let desk = dir.path().join("attache.toml");
    std::fs::write(
        &desk,
        "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n\
         [[feed]]\nname = \"quakes\"\nkind = \"usgs-geojson\"\npath = \"quakes.geojson\"\nevery = \"1s\"\n",
    )
    .unwrap();
    let command = format!(
        "{} --config {} --journal {}",
        env!("CARGO_BIN_EXE_attache"),
        desk.display(),
        dir.path().join("journal").display()
    );
    let tmux = Tmux::new("feed-partial", "console");
    tmux.start(120, 40, &command);

    let screen = tmux.wait_for("the feed shown as read in part", |s| {
        feed_row(s, "quakes").is_some_and(|row| row.contains("PARTIAL")) && s.contains("feeds 0 ok 1 partial")
    });
    assert!(!feed_row(&screen, "quakes").unwrap().contains(" ok "), "{screen}");

    tmux.keys(&["5"]);
    tmux.wait_for("Feeds focused", |s| s.contains("▶5 Feeds"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the detail saying what was not read", |s| {
        s.contains("Feed quakes")
            && s.contains("Not read: 1 entry skipped; first: feature 2: ")
            && s.contains("\"4.6\"")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the detail closed", |s| !s.contains("Not read:"));

    // Polled every second: the mended document turns the feed back to ok, and it stays so.
    publish(&document, &std::fs::read_to_string(QUAKES).unwrap());
    tmux.wait_for("the mended feed shown ok", |s| {
        feed_row(s, "quakes").is_some_and(|row| row.contains(" ok ")) && s.contains("feeds 1 ok ")
    });
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let screen = tmux.screen();
    assert!(feed_row(&screen, "quakes").is_some_and(|row| row.contains(" ok ")), "{screen}");
    tmux.keys(&["q"]);
}

/// A live position report for track `n`, stale in five minutes.
fn pli(n: u64) -> String {
    let now = chrono::Utc::now();
    let t = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let stale = (now + chrono::Duration::minutes(5)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    format!(
        "<event version='2.0' uid='LOAD-{n}' type='a-f-G-U-C' how='m-g' time='{t}' start='{t}' stale='{stale}'>\
         <point lat='14.5' lon='121.0' hae='0' ce='10' le='10'/><detail><contact callsign='L{n}'/></detail></event>"
    )
}

#[test]
fn datagrams_the_kernel_dropped_are_shown_and_journaled_as_the_feeds_problem() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), dir.path().join(file)).unwrap();
    }
    let listen = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let desk = dir.path().join("attache.toml");
    std::fs::write(
        &desk,
        format!(
            "[desk]\nname = \"Test desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\n\
             [[feed]]\nname = \"tak\"\nkind = \"cot-udp\"\nlisten = \"{listen}\"\n\n\
             [feed.cot]\nreceive_buffer_kib = 1\n"
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
    let tmux = Tmux::new("feed-udp-lost", "console");
    tmux.start(120, 40, &command);
    tmux.wait_for("the listener up", |s| feed_row(s, "tak").is_some_and(|row| row.contains(" ok ")));

    let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let events: Vec<String> = (0..20_000).map(pli).collect();
    let sent = std::time::Instant::now();
    for event in &events {
        sender.send_to(event.as_bytes(), listen).unwrap();
    }
    tmux.wait_for("the loss shown", |s| feed_row(s, "tak").is_some_and(|row| row.contains("PARTIAL")));
    assert!(sent.elapsed() < std::time::Duration::from_secs(5), "shown within 5 s of the flood");
    tmux.keys(&["5"]);
    tmux.wait_for("Feeds focused", |s| s.contains("▶5 Feeds"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the detail saying how many were lost", |s| {
        s.contains("Feed tak") && s.contains("datagrams lost: the receive buffer")
    });
    tmux.keys(&["Escape", "q"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let journaled: String = std::fs::read_dir(&journal)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(
        journaled.lines().any(|l| l.contains("\"kind\":\"feed.polled\"") && l.contains(" datagrams lost: ")),
        "feed.polled journals the loss as the feed's problem"
    );
}
