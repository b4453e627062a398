//! The deployment the README gives: a JetStream server at headquarters and, at an embassy, a leaf
//! node without JetStream of its own that the embassy's desk connects to, both desks naming
//! headquarters' JetStream domain. Records cross the leaf
//! both ways; headquarters cut off (killed) and back, the desks converge with no gap and no
//! duplicate.

mod sync_support;

use std::time::Duration;

use sync_support::{Desk, NatsServer, assert_no_duplicate, free_ports, wait_converged};

const CONVERGE: Duration = Duration::from_secs(60);

#[test]
fn an_embassy_desk_behind_a_leaf_node_syncs_with_headquarters_and_survives_a_cut() {
    let tmp = tempfile::tempdir().unwrap();
    let ports = free_ports(3);
    let (hq_port, leaf_listen, embassy_port) = (ports[0], ports[1], ports[2]);
    let hq_store = tmp.path().join("hq");
    let mut hq = NatsServer::with_config(
        &hq_store,
        hq_port,
        &format!(
            "listen: 127.0.0.1:{hq_port}\njetstream {{ store_dir: \"{}\", domain: hq }}\nleafnodes {{ listen: 127.0.0.1:{leaf_listen} }}\n",
            hq_store.display()
        ),
    );
    let embassy = NatsServer::with_config(
        &tmp.path().join("embassy"),
        embassy_port,
        &format!(
            "listen: 127.0.0.1:{embassy_port}\nleafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:{leaf_listen}\" }} ] }}\n"
        ),
    );
    let mut manila = Desk::new(tmp.path(), "manila", &["hq-desk"], &[embassy.url()]);
    let mut headquarters = Desk::new(tmp.path(), "hq-desk", &["manila"], &[hq.url()]);
    // Through the leaf, the JetStream API is headquarters' by its domain.
    manila.sync_setting("domain = \"hq\"");
    headquarters.sync_setting("domain = \"hq\"");
    manila.write_notes(0, 20);
    headquarters.write_notes(0, 10);
    manila.start_sync();
    headquarters.start_sync();
    wait_converged(&manila, &headquarters, CONVERGE);
    wait_converged(&headquarters, &manila, CONVERGE);

    // Headquarters goes; the embassy's leaf node stays, and its desk writes on.
    let said_before = manila.sync_log().len();
    hq.kill();
    manila.write_notes(20, 30);
    sync_support::wait_for("manila's sync to see the link down", CONVERGE, || {
        manila.sync_log()[said_before..].contains("sync link down")
    });
    hq.restart();
    headquarters.write_notes(10, 5);
    wait_converged(&manila, &headquarters, CONVERGE);
    wait_converged(&headquarters, &manila, CONVERGE);
    assert_no_duplicate(&manila);
    assert_no_duplicate(&headquarters);
    for desk in [&manila, &headquarters] {
        let (code, said) = desk.verify();
        assert_eq!(code, 0, "{}: {said}", desk.id);
    }
}
