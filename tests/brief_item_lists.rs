//! Item lists (`src/brief/item_lists.rs`): chosen from the items' last versions before any is
//! made, they still break ties exactly (severity, gap and time equal: by id, then feed), with
//! digests or without; and an item whose text in a digest cannot be made (a digest forged or
//! changed in place) gives the briefing reading every record gives.

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::path::Path;

use attache::brief::collect::digest;
use attache::domain::FeedItem;
use attache::event::Event;
use attache::journal::Writer;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/attache.toml");

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// An item at the centre of KFOR's area (0 km from it).
fn seen(feed: &str, id: &str, severity: &str, traffic: &str) -> Event {
    let item: FeedItem = serde_json::from_value(json!({
        "feed": feed, "id": id, "title": format!("{feed} {id} near Pristina"), "severity": severity,
        "location": {"type": "point", "lat": 42.66, "lon": 21.17}, "traffic": traffic,
    }))
    .unwrap();
    Event::ItemSeen { item }
}

/// Two critical items, then fourteen severe ones in one record (the same time, severity and
/// gap: only ids and feeds tell them apart), written in no order; and 55 exercise items in one
/// record.
fn journal(dir: &Path) {
    let mut w = Writer::open(dir).unwrap();
    let critical = vec![seen("gdacs", "c1", "critical", "real"), seen("gdacs", "c2", "critical", "real")];
    w.append("feed:gdacs", t("2026-11-24T01:00:00Z"), critical).unwrap();
    let tied: Vec<Event> = [7, 3, 11, 0, 9, 5, 12, 1, 4, 13, 2, 8, 6, 10]
        .iter()
        .map(|n| {
            seen(
                if n % 2 == 0 { "gdacs" } else { "usgs-quakes" },
                &format!("t{:02}", n / 2),
                "severe",
                "real",
            )
        })
        .collect();
    w.append("feed:usgs-quakes", t("2026-11-24T02:00:00Z"), tied).unwrap();
    let drill: Vec<Event> =
        (0..55).rev().map(|n| seen("usgs-quakes", &format!("x{n:02}"), "severe", "exercise")).collect();
    w.append("feed:usgs-quakes", t("2026-11-24T03:00:00Z"), drill).unwrap();
    // Later records, so that digests of short spans cover the items'.
    for hour in 4..10 {
        let note = Event::Note { operator: "reyes".into(), text: format!("hour {hour}") };
        w.append("reyes", t(&format!("2026-11-24T{hour:02}:00:00Z")), vec![note]).unwrap();
    }
}

fn brief(dir: &Path) -> Value {
    let mut cmd = Command::cargo_bin("attache").unwrap();
    cmd.env("LOGNAME", "reyes").args(["--config", CONFIG, "--journal"]).arg(dir).args([
        "brief",
        "--from",
        "2026-11-24T00:00:00Z",
        "--to",
        "2026-11-25T00:00:00Z",
        "--generated-at",
        "2026-11-25T00:05:00Z",
        "--format",
        "json",
        "--mission",
        "KFOR",
    ]);
    serde_json::from_slice(&cmd.assert().success().get_output().stdout).unwrap()
}

fn listed(list: &Value) -> Vec<String> {
    let entry = |i: &Value| format!("{} {}", i["feed"].as_str().unwrap(), i["id"].as_str().unwrap());
    list.as_array().unwrap().iter().map(entry).collect()
}

#[test]
fn ties_at_a_lists_cut_are_broken_by_id_then_feed_with_digests_or_without() {
    let dir = tempfile::tempdir().unwrap();
    journal(dir.path());
    let plain = brief(dir.path());
    let near = listed(&plain["missions"][0]["items_near"]);
    let expected = [
        "gdacs c1",
        "gdacs c2",
        "gdacs t00",
        "usgs-quakes t00",
        "gdacs t01",
        "usgs-quakes t01",
        "gdacs t02",
        "usgs-quakes t02",
        "gdacs t03",
        "usgs-quakes t03",
    ];
    assert_eq!(near, expected);
    let drill = &plain["exercise"];
    assert_eq!(drill["items_total"], 55);
    let first: Vec<String> = (0..50).map(|n| format!("usgs-quakes x{n:02}")).collect();
    assert_eq!(listed(&drill["items"]), first);

    for span in [1, 2, 5] {
        let _ = std::fs::remove_dir_all(dir.path().join(digest::DIR));
        let built = digest::build_spans(dir.path(), span, usize::MAX).unwrap();
        assert!(built.written > 0, "span {span}");
        let near_all = |_: &attache::domain::Location| [(0, 0)].into_iter().collect();
        let facts = attache::brief::collect::collect(
            dir.path(),
            t("2026-11-24T00:00:00Z"),
            t("2026-11-25T00:00:00Z"),
            &near_all,
        )
        .unwrap();
        assert!(facts.digested >= 3, "span {span}: the items' records were not digested");
        assert_eq!(brief(dir.path()), plain, "span {span}");
    }
}

#[test]
fn an_item_a_digest_cannot_give_back_means_reading_every_record() {
    let dir = tempfile::tempdir().unwrap();
    journal(dir.path());
    let plain = brief(dir.path());
    digest::build_spans(dir.path(), 5, usize::MAX).unwrap();
    // The title of a listed item made not UTF-8, the digest's CRC made to fit: only making the
    // item finds it.
    let digests: Vec<_> =
        std::fs::read_dir(dir.path().join(digest::DIR)).unwrap().map(|e| e.unwrap().path()).collect();
    let title = b"gdacs t02 near Pristina";
    let mut forged = 0;
    for path in digests.iter().filter(|p| p.extension().is_some_and(|e| e == "bin")) {
        let mut bytes = std::fs::read(path).unwrap();
        let Some(at) = bytes.windows(title.len()).position(|w| w == title) else { continue };
        bytes[at + 6] = 0xff;
        let body = b"attache digest\n".len() + 4;
        let crc = crc32fast::hash(&bytes[body..]).to_le_bytes();
        bytes[body - 4..body].copy_from_slice(&crc);
        std::fs::write(path, &bytes).unwrap();
        forged += 1;
    }
    assert_eq!(forged, 1);
    assert_eq!(brief(dir.path()), plain);

    // Reading the facts alone, likewise: the same facts as with no digests at all.
    let near_all = |_: &attache::domain::Location| [(0, 0)].into_iter().collect();
    let read = || {
        attache::brief::collect::collect(
            dir.path(),
            t("2026-11-24T00:00:00Z"),
            t("2026-11-25T00:00:00Z"),
            &near_all,
        )
        .unwrap()
    };
    let with = read();
    let (digests, aside) = (dir.path().join(digest::DIR), dir.path().join("digests-aside"));
    std::fs::rename(&digests, &aside).unwrap();
    assert_eq!(with, read());
}

/// A briefing holds no digest's file open for the text of the items it kept (a year's takes a
/// thousand digests): it opens the files of those it lists again, as they were read.
#[test]
fn a_briefing_over_hundreds_of_digests_holds_no_files_open() {
    use attache::brief::collect::{Reading, collect_apart};
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::open(dir.path()).unwrap();
    let severities = ["moderate", "severe", "critical"];
    for n in 0..450_i64 {
        let event = seen("usgs-quakes", &format!("m{n:03}"), severities[(n % 3) as usize], "real");
        w.append(
            "feed:usgs-quakes",
            t("2026-11-24T00:00:00Z") + chrono::Duration::seconds(n * 60),
            vec![event],
        )
        .unwrap();
    }
    drop(w);
    let plain = brief(dir.path());
    digest::build_spans(dir.path(), 1, usize::MAX).unwrap();

    let open = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let before = open();
    let near = |_: &attache::domain::Location| [(0, 0)].into_iter().collect();
    let reading = Reading { near: &near, identity: None, digests: true };
    let (facts, kept) =
        collect_apart(dir.path(), t("2026-11-24T00:00:00Z"), t("2026-11-25T00:00:00Z"), reading).unwrap();
    assert_eq!(facts.digested, 450);
    let held = open().saturating_sub(before);
    assert!(held < 20, "{held} files held open for 450 digests");
    assert_eq!(kept.made_latest().unwrap().len(), 450);
    drop(kept);
    assert_eq!(brief(dir.path()), plain);
}
