//! Briefings that cover other desks (`attache brief --desk`): a desk's journal holding its own
//! alerts and, as `remote` records, those of two followed desks (written by their own writers,
//! so each line is that desk's record byte for byte). By default a briefing is this desk's
//! alone; `--desk pristina` adds pristina's alerts under its name (golden files), `--desk '*'`
//! every desk held; a named desk with nothing is listed as such; a bad id is refused.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

use attache::domain::{Severity, Traffic};
use attache::event::Event;
use attache::journal::{Follower, Writer};

mod brief_fixture;
mod elsewhere;

use brief_fixture::{CONFIG, FROM, TO, t};

/// An alert raised at any desk for KFOR, as the briefings' fixture raises them.
fn raised(alert: &str, severity: Severity, title: &str, traffic: Traffic) -> Event {
    brief_fixture::raised(alert, severity, title, &["KFOR"], traffic)
}

/// Another desk: its own journal, whose lines are handed to this desk as `remote` records.
struct Elsewhere {
    id: &'static str,
    dir: tempfile::TempDir,
    writer: Writer,
}

impl Elsewhere {
    fn new(id: &'static str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let writer = Writer::open(dir.path()).unwrap();
        Elsewhere { id, dir, writer }
    }

    /// Writes `event` at that desk at `at`, and returns it as this desk receives it.
    fn says(&mut self, at: &str, event: Event) -> Event {
        let seq = self.writer.append("kovac", t(at), vec![event]).unwrap()[0].seq;
        let mut follower = Follower::from_seq(self.dir.path(), seq).unwrap();
        let mut line = String::new();
        follower
            .poll_lines(|raw, _| {
                if raw.seq == seq {
                    line = String::from_utf8(raw.bytes.to_vec()).unwrap();
                }
                raw.seq < seq
            })
            .unwrap();
        Event::Remote {
            desk: self.id.into(),
            record: line,
            after_seq: 0,
            after_sum: String::new(),
            stream_seq: None,
        }
    }
}

/// Both journals in time order, as their writers keep them.
fn fixture(dir: &Path) {
    let mut w = Writer::open(dir).unwrap();
    let mut at = |when: &str, by: &str, event: Event| {
        w.append(by, t(when), vec![event]).unwrap();
    };
    let mut pristina = Elsewhere::new("pristina");
    let mut hq = Elsewhere::new("hq");
    let mut tbilisi = Elsewhere::new("tbilisi");
    // Pristina's configuration, loaded there before the period: its missions.
    let loaded = pristina.says("2026-11-23T19:00:00Z", elsewhere::config_loaded(&["KFOR"]));
    at("2026-11-23T19:00:01Z", "sync", loaded);
    // Tbilisi shares its missions and raises nothing: listed under `*` all the same.
    let loaded = tbilisi.says("2026-11-23T19:30:00Z", elsewhere::config_loaded(&["MINUSCA"]));
    at("2026-11-23T19:30:01Z", "sync", loaded);
    // Raised at pristina before the period, still open at its end.
    let p0 = pristina
        .says("2026-11-23T20:00:00Z", raised("P0", Severity::Moderate, "Roadblock on the M9", Traffic::Real));
    at("2026-11-23T20:00:02Z", "sync", p0);
    // Raised at pristina before the period, but held here only once a link came back in it.
    let p3 = pristina.says(
        "2026-11-23T22:00:00Z",
        raised("P3", Severity::Moderate, "Convoy stopped at Merdare", Traffic::Real),
    );
    at("2026-11-24T01:00:00Z", "sync", p3);
    let note = |text: &str| Event::Note {
        operator: "kovac".into(),
        text: text.into(),
        mission: Some("KFOR".into()),
        alert: None,
        contact: None,
    };
    // Written there before the period, held here only once the link came back in it.
    let late_note = pristina.says("2026-11-23T23:00:00Z", note("KFOR asks for the road status"));
    at(
        "2026-11-24T08:00:00Z",
        "feed:usgs-quakes",
        raised("A1", Severity::Severe, "M5.9 near Pristina", Traffic::Real),
    );
    let p1 = pristina.says(
        "2026-11-24T09:00:00Z",
        raised("P1", Severity::Critical, "Shots fired at Gazimestan", Traffic::Real),
    );
    at("2026-11-24T09:00:01Z", "sync", p1);
    let opened = pristina.says(
        "2026-11-24T09:02:00Z",
        Event::RollcallOpened {
            rollcall: "RC-P1".into(),
            contacts: vec!["Lt Col. Mirela Kovač".into(), "Maj. Didier Ngaba".into()],
            deadline: t("2026-11-24T09:32:00Z"),
            mission: None,
            alert: Some("P1".into()),
            reason: "shots near the liaison office".into(),
        },
    );
    at("2026-11-24T09:02:01Z", "sync", opened);
    let answered = pristina.says(
        "2026-11-24T09:03:00Z",
        Event::RollcallAnswered {
            rollcall: "RC-P1".into(),
            contact: "Lt Col. Mirela Kovač".into(),
            answer: attache::domain::Answer::Safe,
            note: Some("in the bunker".into()),
        },
    );
    at("2026-11-24T09:03:01Z", "sync", answered);
    let checked_in = pristina.says(
        "2026-11-24T09:03:30Z",
        Event::ContactCheckedIn {
            contact: "Lt Col. Mirela Kovač".into(),
            operator: "kovac".into(),
            channel: Some("phone".into()),
            note: Some("moving to Camp Film City".into()),
        },
    );
    at("2026-11-24T09:03:31Z", "sync", checked_in);
    let ack = pristina.says(
        "2026-11-24T09:04:00Z",
        Event::AlertAcknowledged {
            alert: "P1".into(),
            operator: "kovac".into(),
            note: Some("KFOR informed".into()),
        },
    );
    at("2026-11-24T09:04:01Z", "sync", ack);
    let suspended = pristina.says(
        "2026-11-24T09:30:00Z",
        Event::MissionStatusChanged {
            mission: "KFOR".into(),
            status: attache::domain::MissionStatus::Suspended,
            note: Some("Gazimestan road shut".into()),
        },
    );
    at("2026-11-24T09:30:01Z", "sync", suspended);
    at("2026-11-24T09:31:00Z", "sync", late_note);
    let said = pristina.says("2026-11-24T09:35:00Z", note("Gazimestan road shut until further notice"));
    at("2026-11-24T09:35:01Z", "sync", said);
    let p2 = pristina.says(
        "2026-11-24T10:00:00Z",
        raised("P2", Severity::Minor, "Drill at Camp Film City", Traffic::Exercise),
    );
    at("2026-11-24T10:00:01Z", "sync", p2);
    let resolved = pristina.says(
        "2026-11-24T11:00:00Z",
        Event::AlertResolved { alert: "P2".into(), operator: "kovac".into(), reason: "drill over".into() },
    );
    at("2026-11-24T11:00:01Z", "sync", resolved);
    // Pristina's watch changes hands in the period, leaving P1 open and Kovač overdue.
    let handover = pristina.says(
        "2026-11-24T11:30:00Z",
        Event::Handover {
            to: Some("ortiz".into()),
            open_alerts: vec![attache::event::HandedAlert {
                id: "P1".into(),
                severity: Severity::Critical,
                title: "Shots fired at Gazimestan".into(),
            }],
            open_rollcalls: vec![],
            overdue_contacts: vec!["Lt Col. Mirela Kovač".into()],
            feeds_down: vec![],
            head: attache::event::JournalHead { seq: 9, sum: "0".repeat(64) },
            sheet: "/var/lib/attache/briefs/handover-2026-11-24T1130Z.md".into(),
            signature: None,
            copy: None,
        },
    );
    at("2026-11-24T11:30:01Z", "sync", handover);
    let h1 = hq.says(
        "2026-11-24T12:00:00Z",
        raised("H1", Severity::Severe, "Airspace closed over Skopje", Traffic::Real),
    );
    at("2026-11-24T12:00:01Z", "sync", h1);
    // After the period: not shown.
    let late = pristina
        .says("2026-11-25T01:00:00Z", raised("P9", Severity::Critical, "after the period", Traffic::Real));
    at("2026-11-25T01:00:01Z", "sync", late);
}

fn brief(dir: &Path, format: &str, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("attache")
        .unwrap()
        .env("LOGNAME", "reyes")
        .args(["--config", CONFIG, "--journal"])
        .arg(dir)
        .args(["brief", "--read-only", "--from", FROM, "--to", TO, "--generated-at", TO, "--format", format])
        .args(extra)
        .output()
        .unwrap()
}

fn brief_ok(dir: &Path, format: &str, extra: &[&str]) -> String {
    let out = brief(dir, format, extra);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_briefing_covers_this_desk_alone_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let alone = brief_ok(dir.path(), "json", &[]);
    let json: Value = serde_json::from_str(&alone).unwrap();
    assert!(json.get("other_desks").is_none(), "{json}");
    assert!(!alone.contains("pristina/") && !alone.contains("hq/"), "{alone}");
    assert!(alone.contains("M5.9 near Pristina"));
}

#[test]
fn golden_briefings_covering_a_followed_desk() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let text = brief_ok(dir.path(), "text", &["--desk", "pristina"]);
    let md = brief_ok(dir.path(), "md", &["--desk", "pristina"]);
    insta::assert_snapshot!("brief_desks_text", text);
    insta::assert_snapshot!("brief_desks_md", md);
    for out in [&text, &md] {
        assert!(!out.contains("after the period") && !out.contains("hq/"), "{out}");
    }
    assert!(text.lines().all(|l| l.chars().count() <= 80), "text wider than 80 columns:\n{text}");
}

#[test]
fn every_desk_held_or_a_named_desk_with_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let json: Value = serde_json::from_str(&brief_ok(dir.path(), "json", &["--desk", "*"])).unwrap();
    let desks = json["other_desks"].as_array().unwrap();
    let names: Vec<&str> = desks.iter().map(|d| d["desk"].as_str().unwrap()).collect();
    assert_eq!(names, ["hq", "pristina", "tbilisi"], "tbilisi raised nothing, but shares its missions");
    let handovers = &desks[1]["handovers"];
    assert_eq!(handovers[0]["from"], "kovac@pristina");
    assert_eq!(handovers[0]["to"], "ortiz");
    assert_eq!(
        (handovers[0]["open_alerts"].as_u64(), handovers[0]["overdue_contacts"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(desks[0].get("handovers").is_none(), "hq handed nothing over: {}", desks[0]);
    let check_in = &desks[1]["check_ins"][0];
    assert_eq!(
        (check_in["operator"].as_str(), check_in["channel"].as_str()),
        (Some("kovac@pristina"), Some("phone"))
    );
    assert_eq!(check_in["ts"], "2026-11-24T09:03:30Z", "when made there");
    assert_eq!(
        desks[2]["missions"],
        serde_json::json!([{"id": "MINUSCA", "name": desks[2]["missions"][0]["name"], "status": "active"}])
    );
    let pristina = &desks[1];
    let raised: Vec<&str> =
        pristina["raised"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(
        raised,
        ["pristina/P1", "pristina/P3", "pristina/P2"],
        "most severe first; P0 was held here before the period, P3 arrived in it"
    );
    assert_eq!(pristina["alerts_raised"]["minor"], 0, "the drill is listed, not counted as real");
    assert_eq!(pristina["alerts_raised"]["moderate"], 1);
    let mut open: Vec<&str> =
        pristina["open_at_end"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    open.sort();
    assert_eq!(open, ["pristina/P0", "pristina/P1", "pristina/P3"]);
    assert_eq!(pristina["open_at_end"][0]["acknowledged"]["by"], "kovac@pristina");
    // Its roll-call, with who answered and who took it, there; none of this desk's roll-calls.
    let calls = pristina["rollcalls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["id"], "pristina/RC-P1");
    assert_eq!(calls[0]["alert"], "pristina/P1");
    assert_eq!(calls[0]["contacts"][0]["by"], "kovac@pristina");
    assert_eq!(calls[0]["unreached_at_end"], serde_json::json!(["Maj. Didier Ngaba"]));
    assert!(json["rollcalls"].as_array().unwrap().is_empty(), "{}", json["rollcalls"]);
    // Its missions as its configuration and status changes held here tell them.
    let missions = pristina["missions"].as_array().unwrap();
    assert_eq!(missions.len(), 1, "{missions:?}");
    assert_eq!(missions[0]["id"], "KFOR");
    assert_eq!(missions[0]["status"], "suspended");
    assert_eq!(missions[0]["changed"]["by"], "kovac@pristina");
    assert_eq!(missions[0]["changed"]["line"], "Gazimestan road shut");
    // Its notes received in the period, each at the time written there, with who wrote it where.
    let notes: Vec<(&str, &str)> = pristina["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["ts"].as_str().unwrap(), n["operator"].as_str().unwrap()))
        .collect();
    assert_eq!(
        notes,
        [("2026-11-23T23:00:00Z", "kovac@pristina"), ("2026-11-24T09:35:00Z", "kovac@pristina")]
    );
    assert_eq!(pristina["notes"][1]["about"], "mission KFOR");
    assert!(
        json["notes"].as_array().unwrap().iter().all(|n| !n["text"].as_str().unwrap().contains("Gazimestan"))
    );
    // Another desk's alerts name its missions, not this desk's: KFOR here lists only A1.
    let kfor = json["missions"].as_array().unwrap().iter().find(|m| m["id"] == "KFOR").unwrap();
    let ids: Vec<&str> =
        kfor["raised"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["A1"]);

    // A desk named that the journal holds nothing of is listed as such, and the desk file not
    // following it is said, as a name typed wrong reads like a quiet desk.
    let out = brief(dir.path(), "json", &["--desk", "kabul"]);
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["other_desks"][0]["desk"], "kabul");
    assert_eq!(json["other_desks"][0]["raised_total"], 0);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("this desk does not follow kabul"), "{said}");

    let out = brief(dir.path(), "md", &["--desk", "Pristina Desk"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be a desk id"));
}

/// With `[sync]`, `--desk` naming this desk is refused (its alerts are the briefing's own), and a
/// desk it follows is briefed without a word on stderr.
#[test]
fn a_desk_with_sync_refuses_its_own_id_and_briefs_a_followed_desk_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    for file in ["missions.toml", "contacts.toml"] {
        std::fs::copy(Path::new("config").join(file), tmp.path().join(file)).unwrap();
    }
    let desk_file = tmp.path().join("attache.toml");
    std::fs::write(
        &desk_file,
        "[desk]\nname = \"Manila DAO\"\ntz = \"Asia/Manila\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n\
         \n[sync]\nservers = [\"nats://127.0.0.1:1\"]\ndesk = \"manila\"\nfollow = [\"pristina\"]\n",
    )
    .unwrap();
    let journal = tmp.path().join("journal");
    fixture(&journal);
    let brief = |desk: &str| {
        Command::cargo_bin("attache")
            .unwrap()
            .env("LOGNAME", "reyes")
            .arg("--config")
            .arg(&desk_file)
            .arg("--journal")
            .arg(&journal)
            .args(["brief", "--read-only", "--from", FROM, "--to", TO, "--format", "json", "--desk", desk])
            .output()
            .unwrap()
    };
    let own = brief("manila");
    assert_eq!(own.status.code(), Some(1));
    let said = String::from_utf8_lossy(&own.stderr);
    assert!(said.contains("--desk manila is this desk"), "{said}");
    assert!(own.stdout.is_empty());
    let followed = brief("pristina");
    assert!(followed.status.success(), "{}", String::from_utf8_lossy(&followed.stderr));
    assert!(followed.stderr.is_empty(), "{}", String::from_utf8_lossy(&followed.stderr));
    let json: Value = serde_json::from_slice(&followed.stdout).unwrap();
    assert_eq!(json["other_desks"][0]["desk"], "pristina");
}

/// Another desk's check-ins are listed as this desk's are: the first 50, and how many more.
#[test]
fn another_desks_check_ins_are_capped_as_this_desks_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::open(dir.path()).unwrap();
    let mut pristina = Elsewhere::new("pristina");
    for n in 0..55 {
        let when = t("2026-11-24T06:00:00Z") + chrono::Duration::minutes(n);
        let checked_in = pristina.says(
            &when.to_rfc3339(),
            Event::ContactCheckedIn {
                contact: "Lt Col. Mirela Kovač".into(),
                operator: "kovac".into(),
                channel: None,
                note: Some(format!("call {n}")),
            },
        );
        w.append("sync", when + chrono::Duration::seconds(1), vec![checked_in]).unwrap();
    }
    let json: Value = serde_json::from_str(&brief_ok(dir.path(), "json", &["--desk", "pristina"])).unwrap();
    let desk = &json["other_desks"][0];
    assert_eq!(
        (desk["check_ins"].as_array().unwrap().len(), desk["check_ins_total"].as_u64()),
        (50, Some(55))
    );
    let text = brief_ok(dir.path(), "text", &["--desk", "pristina"]);
    assert!(text.contains("and 5 more"), "{text}");
}

/// Once the desk stops following pristina (`sync.following` without it), a briefing of a later
/// period lists none of pristina's alerts as open; one of the period before still does.
#[test]
fn a_desk_no_longer_followed_is_not_briefed_after_but_is_before() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let mut w = Writer::open(dir.path()).unwrap();
    w.append("attache", t("2026-11-25T02:00:00Z"), vec![Event::SyncFollowing { follow: vec!["hq".into()] }])
        .unwrap();
    // Raised there after, and appended by a `sync run` still running with the old `follow`.
    let mut pristina = Elsewhere::new("pristina");
    let late = pristina
        .says("2026-11-25T02:30:00Z", raised("P10", Severity::Critical, "after the unfollow", Traffic::Real));
    w.append("sync", t("2026-11-25T02:30:01Z"), vec![late]).unwrap();
    drop(w);
    let open_at_end = |from: &str, to: &str| -> Vec<String> {
        let out = Command::cargo_bin("attache")
            .unwrap()
            .env("LOGNAME", "reyes")
            .args(["--config", CONFIG, "--journal"])
            .arg(dir.path())
            .args(["brief", "--read-only", "--from", from, "--to", to, "--generated-at", to])
            .args(["--format", "json", "--desk", "*"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut open: Vec<String> = json["other_desks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["open_at_end"].as_array().cloned().unwrap_or_default())
            .map(|a| a["id"].as_str().unwrap().to_string())
            .filter(|id| id.starts_with("pristina/"))
            .collect();
        open.sort();
        open
    };
    assert_eq!(open_at_end(FROM, TO), ["pristina/P0", "pristina/P1", "pristina/P3"]);
    assert_eq!(open_at_end("2026-11-25T01:30:00Z", "2026-11-25T01:45:00Z").len(), 4, "P9 raised since");
    assert_eq!(open_at_end("2026-11-25T03:00:00Z", "2026-11-25T04:00:00Z"), Vec::<String>::new());
}
