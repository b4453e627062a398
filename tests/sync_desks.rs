//! Desks over JetStream, with real processes: a `nats-server` per test (killed with SIGKILL when
//! a test cuts the link) and `attache sync run` per desk, over real journals. Records written at
//! each desk appear at the other as `remote` envelopes, byte for byte; both journals verify; the
//! sets of origin ids are equal, with no duplicate and no gap, whatever the link did meanwhile.

mod sync_support;

use std::time::Duration;
use sync_support::{Desk, NatsServer, assert_no_duplicate, wait_converged};

const CONVERGE: Duration = Duration::from_secs(30);

fn verified(desk: &Desk) {
    let (code, said) = desk.verify();
    assert_eq!(code, 0, "{} journal verify: {said}", desk.id);
}

#[test]
fn two_desks_exchange_their_shared_records_and_both_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::new(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.write_notes(0, 10);
    manila.start_sync();
    pristina.start_sync();
    pristina.write_notes(0, 15);
    manila.write_notes(10, 10);
    wait_converged(&manila, &pristina, CONVERGE);
    wait_converged(&pristina, &manila, CONVERGE);
    // Only what is shared travels: the session records stay home.
    assert_eq!(pristina.remote_seqs_of("manila"), manila.own_shared());
    assert_eq!(manila.remote_seqs_of("pristina"), pristina.own_shared());
    assert_eq!(manila.own_shared().len(), 20);
    // The envelope holds the origin line byte for byte.
    let (origin, _) = attache::journal::read_all(&manila.journal).unwrap();
    let first_note = origin.iter().find(|r| matches!(r.event, attache::event::Event::Note { .. })).unwrap();
    let line = raw_line(&manila.journal, first_note.seq);
    let (held, _) = attache::journal::read_all(&pristina.journal).unwrap();
    assert!(
        held.iter().any(
            |r| matches!(&r.event, attache::event::Event::Remote { record, .. } if record.as_bytes() == line)
        ),
        "pristina holds manila's line byte for byte"
    );
    assert_no_duplicate(&manila);
    assert_no_duplicate(&pristina);
    verified(&manila);
    verified(&pristina);
    // In sync: `attache sync status` says so, as JSON for scripts.
    let out = manila.attache().args(["sync", "status", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert_eq!(json["link"], "up");
    assert_eq!(json["desk"], "manila");
    assert_eq!(json["backlog"], 0);
    let last = *pristina.own_shared().last().unwrap();
    assert_eq!(json["desks"]["pristina"]["last_seq"], last);
    assert!(json["desks"]["pristina"]["age_s"].as_i64().unwrap() < 60, "{json}");
}

#[test]
fn a_server_killed_mid_burst_and_restarted_converges_with_no_duplicate_and_no_gap() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::new(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.start_sync();
    pristina.start_sync();
    for round in 0..10 {
        manila.write_notes(round * 50, 50);
        pristina.write_notes(round * 50, 50);
        if round == 4 {
            server.kill();
        }
    }
    // Offline, the desks go on: the status says the link is down and what waits.
    let out = manila.attache().args(["sync", "status", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(json["link"], "down");
    server.restart();
    wait_converged(&manila, &pristina, CONVERGE);
    wait_converged(&pristina, &manila, CONVERGE);
    assert_eq!(manila.own_shared().len(), 500);
    assert_no_duplicate(&manila);
    assert_no_duplicate(&pristina);
    verified(&manila);
    verified(&pristina);
}

/// With the link down, `sync status` counts the backlog from where this host's publisher last
/// saw the stream (and says since when), not from the first record.
#[test]
fn with_the_link_down_the_backlog_counts_from_what_the_stream_last_held() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::new(tmp.path(), "manila", &["pristina"], &[server.url()]);
    manila.start_sync();
    manila.write_notes(0, 20);
    let status = |desk: &Desk| {
        let out = desk.attache().args(["sync", "status", "--format", "json"]).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    sync_support::wait_for("manila's 20 notes in the stream", CONVERGE, || {
        let json = status(&manila);
        json["link"] == "up" && json["backlog"] == 0
    });
    // The publisher notes where the stream stands after it hears back, not before.
    sync_support::wait_for("the publisher's note of it", CONVERGE, || {
        attache::sync::published::read(&manila.journal, "manila")
            .is_some_and(|p| p.seq == *manila.own_shared().last().unwrap())
    });
    server.kill();
    manila.write_notes(20, 3);
    let json = status(&manila);
    assert_eq!(json["link"], "down", "{json}");
    assert_eq!(json["backlog"], 3, "the three written since, not all 23: {json}");
    assert!(json["backlog_as_of"].as_str().is_some_and(|at| at.ends_with('Z')), "{json}");
    let out = manila.attache().args(["sync", "status"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("backlog 3 (the stream cannot be asked: counted from where this host last saw it, "),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "not in sync with the link down");

    // Without the publisher's note, every shared record counts, as before.
    std::fs::remove_file(attache::sync::published::path(&manila.journal)).unwrap();
    assert_eq!(status(&manila)["backlog"], 23);
}

#[test]
fn a_desk_restarted_while_offline_resumes_where_it_left_off() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::new(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.start_sync();
    pristina.start_sync();
    manila.write_notes(0, 30);
    wait_converged(&manila, &pristina, CONVERGE);
    // Pristina's sync stops; manila writes on; then the link goes, and pristina starts again
    // while it is down, writing meanwhile.
    pristina.stop_sync();
    manila.write_notes(30, 30);
    std::thread::sleep(Duration::from_millis(500));
    server.kill();
    pristina.start_sync();
    pristina.write_notes(0, 10);
    manila.write_notes(60, 10);
    std::thread::sleep(Duration::from_secs(1));
    server.restart();
    wait_converged(&manila, &pristina, CONVERGE);
    wait_converged(&pristina, &manila, CONVERGE);
    assert_no_duplicate(&pristina);
    assert_no_duplicate(&manila);
    verified(&manila);
    verified(&pristina);
    assert!(pristina.sync_log().contains("sync link down"), "{}", pristina.sync_log());
}

/// The line of record `seq` as the journal holds it, without its newline.
fn raw_line(journal: &std::path::Path, seq: u64) -> Vec<u8> {
    let mut follower = attache::journal::Follower::from_seq(journal, seq).unwrap();
    let mut line = Vec::new();
    follower
        .poll_lines(|raw, _| {
            line = raw.bytes.to_vec();
            false
        })
        .unwrap();
    line
}

/// A receiving journal made of another desk's real lines, as `remote` envelopes, one forged
/// (changed text, its sum kept) and one left out: `journal verify` names both, by desk and seq.
#[test]
fn a_forged_remote_record_and_a_dropped_one_are_reported_by_journal_verify() {
    use attache::event::Event;
    use attache::journal::Writer;
    use attache::journal::format::{GENESIS, to_hex, trailer};
    let tmp = tempfile::tempdir().unwrap();
    let mut origin = Desk::new(tmp.path(), "pristina", &[], &["nats://127.0.0.1:1".into()]);
    origin.write_notes(0, 6);
    let notes: Vec<u64> = origin.own_shared().into_iter().collect();
    let lines: Vec<Vec<u8>> = notes.iter().map(|&seq| raw_line(&origin.journal, seq)).collect();
    let envelopes = |lines: &[Vec<u8>], skip: Option<usize>, forge: Option<usize>| {
        let mut after = (0u64, GENESIS);
        let mut events = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let (_, sum) = trailer(line).unwrap();
            let seq = attache::journal::format::seq_of(line).unwrap();
            let mut text = String::from_utf8(line.clone()).unwrap();
            if forge == Some(n) {
                text = text.replace("pristina note", "PRISTINA NOTE");
            }
            if skip != Some(n) {
                events.push(Event::Remote {
                    desk: "pristina".into(),
                    record: text,
                    after_seq: after.0,
                    after_sum: to_hex(&after.1),
                    stream_seq: None,
                });
            }
            after = (seq, sum);
        }
        events
    };
    let write = |name: &str, events: Vec<Event>| {
        let desk = Desk::new(tmp.path(), name, &["pristina"], &["nats://127.0.0.1:1".into()]);
        Writer::open(&desk.journal).unwrap().append("sync", chrono::Utc::now(), events).unwrap();
        desk
    };
    let whole = write("whole", envelopes(&lines, None, None));
    let (code, said) = whole.verify();
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("remote records: intact: pristina #"), "{said}");

    let damaged = write("damaged", envelopes(&lines, Some(2), Some(4)));
    let (code, said) = damaged.verify();
    assert_eq!(code, 1, "{said}");
    let (dropped, forged) = (notes[2], notes[4]);
    assert!(
        said.contains(&format!("desk pristina: gap before #{}", notes[3]))
            && said.contains(&format!("after #{} up to #{dropped} is missing", notes[1])),
        "{said}"
    );
    assert!(
        said.contains(&format!("desk pristina #{forged} (record #")) && said.contains("forged"),
        "{said}"
    );
    // The local journal itself is intact: the damage is in what the other desk's records say.
    assert!(said.contains("journal ") && said.contains(": intact:"), "{said}");
}

/// The bytes of the journal's segments (not of the files beside them, which the publisher
/// writes before anything arrives).
fn journal_bytes(desk: &Desk) -> u64 {
    std::fs::read_dir(&desk.journal)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// The receiving `sync run` killed (SIGKILL) while a backlog of several batches is coming in,
/// and started again at once: what it had in hand but not appended comes again, nothing is lost.
#[test]
fn a_receiver_killed_while_a_backlog_of_batches_comes_in_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::new(tmp.path(), "manila", &[], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.write_many_notes(30_000);
    manila.start_sync();
    sync_support::wait_for("manila's backlog in the stream", Duration::from_secs(120), || {
        manila.attache().args(["sync", "status"]).output().unwrap().status.code() == Some(0)
    });
    pristina.start_sync();
    sync_support::wait_for("pristina's first remote records", CONVERGE, || journal_bytes(&pristina) > 0);
    pristina.stop_sync();
    let held = pristina.remote_seqs_of("manila").len();
    assert!(held < 30_000, "the receiver was cut before it had everything (held {held})");
    pristina.start_sync();
    wait_converged(&manila, &pristina, Duration::from_secs(120));
    assert_no_duplicate(&pristina);
    verified(&pristina);
}

/// A desk added to `follow` later: once `sync run` starts again, everything it ever shared comes,
/// though the stream holds it before what this desk already received.
#[test]
fn a_desk_added_to_follow_gets_its_earlier_records_after_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let mut hq = Desk::new(tmp.path(), "hq", &[], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &[], &[server.url()]);
    let mut manila = Desk::new(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let in_stream =
        |desk: &Desk| desk.attache().args(["sync", "status"]).output().unwrap().status.code() == Some(0);
    hq.write_notes(0, 5);
    hq.start_sync();
    sync_support::wait_for("hq's notes in the stream", CONVERGE, || in_stream(&hq));
    pristina.write_notes(0, 5);
    pristina.start_sync();
    sync_support::wait_for("pristina's notes in the stream", CONVERGE, || in_stream(&pristina));
    manila.start_sync();
    wait_converged(&pristina, &manila, CONVERGE);
    manila.stop_sync();
    let text = std::fs::read_to_string(&manila.config).unwrap();
    let text = text.replace("follow = [\"pristina\"]", "follow = [\"pristina\", \"hq\"]");
    std::fs::write(&manila.config, text).unwrap();
    manila.start_sync();
    wait_converged(&hq, &manila, CONVERGE);
    assert_eq!(manila.remote_seqs_of("pristina"), pristina.own_shared());
    assert_no_duplicate(&manila);
    verified(&manila);
}

/// `sync status` only asks: against a server where no desk has made the stream yet it says the
/// link is down, twice (the first asking made nothing); credentials in a server URL are never
/// printed; a desk with no `[sync]` is not in sync (exit 1).
#[test]
fn sync_status_makes_no_stream_prints_no_password_and_exits_one_without_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let url = server.url().replace("nats://", "nats://watch:hunter2@");
    let mut manila = Desk::new(tmp.path(), "manila", &[], &[url]);
    for _ in 0..2 {
        let out = manila.attache().args(["sync", "status"]).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(said.contains("link DOWN") && said.contains("ATTACHE"), "{said}");
    }
    manila.write_notes(0, 3);
    manila.start_sync();
    sync_support::wait_for("manila in sync", CONVERGE, || {
        manila.attache().args(["sync", "status"]).output().unwrap().status.code() == Some(0)
    });
    let out = manila.attache().args(["sync", "status"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("link up (nats://***@127.0.0.1:"), "{said}");
    assert!(!said.contains("hunter2"), "{said}");

    let journal = tmp.path().join("plain-journal");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["--config", "config/attache.toml", "--journal"])
        .arg(&journal)
        .args(["sync", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no [sync] section"));
}

/// Messages put on the stream by hand, as a damaged or hostile publisher could: a forged record
/// claiming a huge seq between a desk's genuine ones, and subjects whose token is no desk id. The
/// desk's later genuine records still come; the others are skipped, and said so on one line.
#[test]
fn a_forged_huge_seq_does_not_silence_a_desk_and_subjects_naming_no_desk_are_skipped() {
    use attache::journal::format::{GENESIS, to_hex, trailer};
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let mut ghost = Desk::new(tmp.path(), "ghost", &[], &["nats://127.0.0.1:1".into()]);
    ghost.write_notes(0, 3);
    let notes: Vec<u64> = ghost.own_shared().into_iter().collect();
    let lines: Vec<Vec<u8>> = notes.iter().map(|&seq| raw_line(&ghost.journal, seq)).collect();
    let sums: Vec<String> = lines.iter().map(|l| to_hex(&trailer(l).unwrap().1)).collect();
    let after = |n: usize| {
        if n == 0 { format!("0:{}", to_hex(&GENESIS)) } else { format!("{}:{}", notes[n - 1], sums[n - 1]) }
    };
    let forged = String::from_utf8(lines[1].clone()).unwrap().replacen(
        &format!("\"seq\":{}", notes[1]),
        "\"seq\":1000000000000",
        1,
    );
    let messages: Vec<(String, Vec<u8>, String)> = vec![
        ("attache.desk.ghost".into(), lines[0].clone(), after(0)),
        ("attache.desk.ghost".into(), forged.into_bytes(), after(1)),
        ("attache.desk.ghost".into(), lines[1].clone(), after(1)),
        ("attache.desk.ghost".into(), lines[2].clone(), after(2)),
        ("attache.desk.a/b".into(), lines[0].clone(), after(0)),
        ("attache.desk.\u{1b}]0;owned\u{7}x".into(), lines[0].clone(), after(0)),
    ];
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        js.get_or_create_stream(async_nats::jetstream::stream::Config {
            name: "ATTACHE".into(),
            subjects: vec!["attache.desk.*".into()],
            ..Default::default()
        })
        .await
        .unwrap();
        for (subject, line, after) in messages {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Attache-After", after.as_str());
            js.publish_with_headers(subject, headers, line.into()).await.unwrap().await.unwrap();
        }
    });
    let mut manila = Desk::new(tmp.path(), "manila", &["*"], &[server.url()]);
    manila.start_sync();
    sync_support::wait_for("ghost's genuine records at manila", CONVERGE, || {
        let held = manila.remote_seqs_of("ghost");
        notes.iter().all(|n| held.contains(n))
    });
    assert!(manila.remote_ids().iter().all(|(desk, _)| desk == "ghost"), "{:?}", manila.remote_ids());
    let log = manila.sync_log();
    assert!(log.contains("sync skips messages on attache.desk.a/b"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log:?}");
    // The forgery is named, and only it: the records after it are whole.
    let (code, said) = manila.verify();
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("does not match its sum") && !said.contains("gap"), "{said}");
}
