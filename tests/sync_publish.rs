//! How a desk sends its own records, with real processes: a backlog goes out as atomic batches,
//! even to a stream an earlier version made without them; a journal that ends before what the
//! stream holds of its desk sends nothing and says why, while the followed desks' records still
//! come in.

mod sync_support;

use std::time::Duration;

use async_nats::jetstream;
use sync_support::{Desk, NatsServer, assert_no_duplicate, wait_converged};

const CONVERGE: Duration = Duration::from_secs(60);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

async fn connect(server: &NatsServer) -> jetstream::Context {
    jetstream::new(async_nats::connect(server.url()).await.unwrap())
}

fn sync_status(desk: &Desk) -> (Option<i32>, String) {
    let out = desk.attache().args(["sync", "status"]).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_backlog_goes_out_in_atomic_batches_even_to_a_stream_made_without_them() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    // The stream as the first version of attache made it: no atomic batches.
    runtime().block_on(async {
        let js = connect(&server).await;
        let info = js
            .create_stream(jetstream::stream::Config {
                name: "ATTACHE".into(),
                subjects: vec!["attache.desk.*".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(!info.cached_info().config.allow_atomic_publish);
    });
    let mut manila = Desk::new(tmp.path(), "manila", &[], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.write_many_notes(2_500);
    manila.start_sync();
    sync_support::wait_for("manila's backlog in the stream", CONVERGE, || sync_status(&manila).0 == Some(0));
    let (allowed, batched, messages) = runtime().block_on(async {
        let js = connect(&server).await;
        let stream = js.get_stream("ATTACHE").await.unwrap();
        let allowed = stream.cached_info().config.allow_atomic_publish;
        let last = stream.cached_info().state.last_sequence;
        let mut batched = 0;
        for seq in 1..=last {
            let message = stream.get_raw_message(seq).await.unwrap();
            if message.headers.get("Nats-Batch-Id").is_some() {
                batched += 1;
            }
        }
        (allowed, batched, last)
    });
    assert!(allowed, "the stream was asked to take atomic batches");
    assert_eq!(messages, 2_500, "each record stored once");
    assert!(batched >= 2_000, "the backlog went in batches ({batched} of {messages} messages)");
    pristina.start_sync();
    wait_converged(&manila, &pristina, CONVERGE);
    assert_no_duplicate(&pristina);
    let (code, said) = pristina.verify();
    assert_eq!(code, 0, "{said}");
    // A record written alone afterwards goes alone, with its origin as its message id.
    manila.write_notes(0, 1);
    wait_converged(&manila, &pristina, CONVERGE);
    let headers = runtime().block_on(async {
        let stream = connect(&server).await.get_stream("ATTACHE").await.unwrap();
        stream.get_last_raw_message_by_subject("attache.desk.manila").await.unwrap().headers
    });
    assert!(headers.get("Nats-Batch-Id").is_none(), "{headers:?}");
    assert!(headers.get("Nats-Msg-Id").is_some_and(|id| id.as_str().starts_with("manila:")), "{headers:?}");
}

/// A server that takes smaller batches than attache sends: refused, the desk sends smaller ones
/// and nothing is lost or doubled.
#[test]
fn a_server_that_takes_only_small_batches_gets_smaller_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let port = sync_support::free_port();
    let server = NatsServer::with_config(
        &tmp.path().join("nats"),
        port,
        &format!(
            "listen: 127.0.0.1:{port}\njetstream {{ store_dir: \"{}\", limits {{ batch {{ max_msgs: 100 }} }} }}\n",
            tmp.path().join("nats").display()
        ),
    );
    let mut manila = Desk::new(tmp.path(), "manila", &[], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.write_many_notes(1_500);
    manila.start_sync();
    pristina.start_sync();
    wait_converged(&manila, &pristina, CONVERGE);
    assert_no_duplicate(&pristina);
    let (code, said) = pristina.verify();
    assert_eq!(code, 0, "{said}");
    let log = manila.sync_log();
    assert!(log.contains("the server refused a batch of 1000"), "{log}");
}

#[test]
fn a_journal_that_ends_before_the_stream_sends_nothing_says_why_and_still_receives() {
    let tmp = tempfile::tempdir().unwrap();
    let server = NatsServer::start(&tmp.path().join("nats"));
    let mut manila = Desk::new(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &[server.url()]);
    manila.write_many_notes(5);
    let backup = tmp.path().join("manila-backup");
    copy_dir(&manila.journal, &backup);
    manila.write_many_notes(5);
    manila.start_sync();
    pristina.start_sync();
    wait_converged(&manila, &pristina, CONVERGE);
    let before = pristina.remote_seqs_of("manila");
    assert_eq!(before.len(), 10);
    let manila_last_in_stream = runtime().block_on(async {
        let stream = connect(&server).await.get_stream("ATTACHE").await.unwrap();
        stream.get_last_raw_message_by_subject("attache.desk.manila").await.unwrap().sequence
    });

    // The host is restored from the older copy, and the desk writes on.
    manila.stop_sync();
    std::fs::remove_dir_all(&manila.journal).unwrap();
    copy_dir(&backup, &manila.journal);
    // Its own seqs 6 to 11 now differ from those the stream holds.
    manila.write_many_notes(6);
    manila.start_sync();
    sync_support::wait_for("manila's sync to say it sends nothing", CONVERGE, || {
        manila.sync_log().contains("sync sends none of this desk's records")
    });
    let (code, said) = sync_status(&manila);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("NOT SENDING") && said.contains("a different record #10"), "{said}");
    assert!(said.contains("NOT in sync"), "{said}");
    // Receiving goes on meanwhile.
    pristina.write_notes(0, 4);
    wait_converged(&pristina, &manila, CONVERGE);
    // Nothing of the restored journal's own went out over the records the stream holds.
    let in_stream = runtime().block_on(async {
        let stream = connect(&server).await.get_stream("ATTACHE").await.unwrap();
        stream.get_last_raw_message_by_subject("attache.desk.manila").await.unwrap().sequence
    });
    assert_eq!(in_stream, manila_last_in_stream, "manila sent nothing after the restore");
    assert_eq!(pristina.remote_seqs_of("manila"), before);
    let (code, said) = pristina.verify();
    assert_eq!(code, 0, "{said}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
