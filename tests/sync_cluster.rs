//! Sync through a three-node JetStream cluster on loopback ports, the stream held by all three:
//! one node is killed during traffic and sync goes on through the others; nothing is lost and
//! nothing is held twice.

mod sync_support;

use std::time::Duration;
use sync_support::{Desk, NatsServer, assert_no_duplicate, wait_converged};

#[test]
fn a_node_of_three_stopped_during_traffic_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut nodes = NatsServer::cluster(&tmp.path().join("hq"), 3);
    let urls: Vec<String> = nodes.iter().map(NatsServer::url).collect();
    // Each desk names the nodes in its own order, as desks at different sites would.
    let mut manila = Desk::new(tmp.path(), "manila", &["pristina"], &urls).replicas(3);
    let reversed: Vec<String> = urls.iter().rev().cloned().collect();
    let mut pristina = Desk::new(tmp.path(), "pristina", &["manila"], &reversed).replicas(3);
    manila.start_sync();
    pristina.start_sync();
    // The cluster elects its leaders before the first stream can be made: let the desks retry.
    manila.write_notes(0, 20);
    pristina.write_notes(0, 20);
    wait_converged(&manila, &pristina, Duration::from_secs(60));
    wait_converged(&pristina, &manila, Duration::from_secs(60));
    for round in 0..6 {
        manila.write_notes(20 + round * 30, 30);
        pristina.write_notes(20 + round * 30, 30);
        if round == 2 {
            nodes[0].kill();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    wait_converged(&manila, &pristina, Duration::from_secs(60));
    wait_converged(&pristina, &manila, Duration::from_secs(60));
    assert_eq!(manila.own_shared().len(), 200);
    assert_no_duplicate(&manila);
    assert_no_duplicate(&pristina);
    for desk in [&manila, &pristina] {
        let (code, said) = desk.verify();
        assert_eq!(code, 0, "{}: {said}", desk.id);
    }
}
