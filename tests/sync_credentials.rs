//! Desks that sign in: a `nats-server` in operator mode (credentials made and signed in the test),
//! one desk with its credentials in a file, the other with them in an environment variable. They
//! exchange their records; a desk without credentials, with an unset variable or with a variable
//! that holds no credentials is told so in words, and the seed is never printed.

mod sync_support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use sync_support::accounts::Operator;
use sync_support::{Desk, NatsServer, assert_no_duplicate, wait_converged};

const CONVERGE: Duration = Duration::from_secs(60);

fn sync_status(desk: &Desk) -> (Option<i32>, String) {
    let out = desk.attache().args(["sync", "status"]).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), said)
}

#[test]
fn desks_sign_in_with_credentials_from_a_file_or_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let operator = Operator::new();
    let port = sync_support::free_port();
    let store = tmp.path().join("nats");
    let server = NatsServer::with_config(&store, port, &operator.server_config(port, &store));

    let mut manila = Desk::plain(tmp.path(), "manila", &["pristina"], &[server.url()]);
    let creds = manila.config.with_file_name("desk.creds");
    std::fs::write(&creds, operator.user_credentials("manila")).unwrap();
    std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o600)).unwrap();
    manila.sync_setting("credentials_file = \"desk.creds\"");

    let mut pristina = Desk::plain(tmp.path(), "pristina", &["manila"], &[server.url()]);
    pristina.sync_setting("credentials_env = \"ATTACHE_TEST_PRISTINA_CREDS\"");
    // Unset: the desk says which variable it wanted.
    let (code, said) = sync_status(&pristina);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("credentials_env names ATTACHE_TEST_PRISTINA_CREDS, which is not set"), "{said}");
    // Set to something that is not credentials: said, without repeating it.
    pristina.set_env("ATTACHE_TEST_PRISTINA_CREDS", "SUAFAKESEEDTHATMUSTNEVERBEPRINTED");
    let (code, said) = sync_status(&pristina);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("ATTACHE_TEST_PRISTINA_CREDS does not hold NATS credentials"), "{said}");
    assert!(!said.contains("SUAFAKESEED"), "{said}");
    // As `export VAR="$(cat desk.creds)"` sets it: without the file's last newline.
    pristina.set_env("ATTACHE_TEST_PRISTINA_CREDS", operator.user_credentials("pristina").trim_end());

    manila.write_notes(0, 5);
    pristina.write_notes(0, 7);
    manila.start_sync();
    pristina.start_sync();
    wait_converged(&manila, &pristina, CONVERGE);
    wait_converged(&pristina, &manila, CONVERGE);
    assert_no_duplicate(&manila);
    assert_no_duplicate(&pristina);
    for desk in [&manila, &pristina] {
        let (code, said) = sync_status(desk);
        assert_eq!(code, Some(0), "{}: {said}", desk.id);
    }

    // The server asks for credentials: a desk without them is refused, in the server's words.
    let stranger = Desk::plain(tmp.path(), "stranger", &[], &[server.url()]);
    let (code, said) = sync_status(&stranger);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.to_lowercase().contains("authoriz"), "{said}");
}
