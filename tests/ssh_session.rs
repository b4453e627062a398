//! A real SSH link: the test starts its own sshd on a loopback port (throwaway host and user
//! keys), runs `ssh -tt` in a tmux pane to start the console on the demo desk, reads its panes
//! over that session, then kills the ssh client as a dropped link would. The console must end
//! within 2 s, close the session in the journal, and leave a journal that verifies.

mod tmux_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tmux_support::{Tmux, WAIT, copy_dir};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().expect("id");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// sshd re-executes itself by its own path, so it must be started by an absolute one.
fn sshd_path() -> PathBuf {
    let found = ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    found.expect("sshd is not installed: .ci/run installs openssh-server (apt-get install openssh-server)")
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "attache-test", "-f"])
        .arg(path)
        .output()
        .expect("ssh-keygen is installed (openssh-client)");
    assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
}

/// An sshd of the test's own, in the foreground, logging to a file; killed when the test ends.
struct Sshd {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Sshd {
    fn start(dir: &Path, user_key: &Path) -> Self {
        let host_key = dir.join("host_key");
        keygen(&host_key);
        let authorized = dir.join("authorized_keys");
        std::fs::copy(user_key.with_extension("pub"), &authorized).unwrap();
        if is_root() {
            // Privilege separation needs its empty directory; a fresh install has not made it.
            std::fs::create_dir_all("/run/sshd").expect("create /run/sshd for sshd's privilege separation");
        }
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1\nPort {port}\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
                 UsePAM no\nStrictModes no\nPubkeyAuthentication yes\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nAllowUsers {}\n\
                 PrintMotd no\nPrintLastLog no\nLogLevel VERBOSE\n",
                host_key.display(),
                authorized.display(),
                dir.join("sshd.pid").display(),
                whoami()
            ),
        )
        .unwrap();
        let log = dir.join("sshd.log");
        let child = Command::new(sshd_path())
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start sshd");
        let mut sshd = Sshd { child, port, log };
        sshd.wait_listening();
        sshd
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("sshd could not start ({status}):\n{}", self.log());
            }
            if self.log().contains("Server listening") {
                return;
            }
            assert!(Instant::now() < deadline, "sshd did not listen on port {}:\n{}", self.port, self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The pids of processes whose command line names `needle` (the console, by its journal path).
fn pids_naming(needle: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let is_attache = args.first().is_some_and(|a| a.ends_with(b"/attache"));
        if is_attache && args.contains(&needle.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

fn journal_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            text.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    text
}

/// Quotes `s` for a POSIX shell (the remote command goes through the user's login shell).
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn a_dropped_ssh_link_ends_the_console_within_two_seconds_and_closes_the_session() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let user_key = dir.join("user_key");
    keygen(&user_key);
    let sshd = Sshd::start(dir, &user_key);

    copy_dir(Path::new("config"), &dir.join("config"));
    let desk = dir.join("config/attache.toml");
    let text = std::fs::read_to_string(&desk)
        .unwrap()
        .replace("127.0.0.1:8099", &format!("127.0.0.1:{}", free_port()));
    std::fs::write(&desk, text).unwrap();
    let journal = dir.join("journal");
    let attache = env!("CARGO_BIN_EXE_attache");

    let remote = format!(
        "exec {} --config {} --journal {}",
        quoted(attache),
        quoted(&desk.display().to_string()),
        quoted(&journal.display().to_string())
    );
    // `exec` makes the pane's process the ssh client itself, so its pid is the one to kill.
    let client = format!(
        "exec ssh -F /dev/null -tt -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
         -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i {} -p {} {}@127.0.0.1 {}",
        quoted(&user_key.display().to_string()),
        sshd.port,
        whoami(),
        quoted(&remote)
    );
    let tmux = Tmux::new("ssh", "ssh");
    tmux.start(120, 40, &client);
    let panes_shown = |s: &str| {
        ["Missions", "Contacts", "Alerts", "Event log", "Feeds"].iter().all(|t| s.contains(t))
            && s.contains("item.seen")
            && s.contains("KFOR")
    };
    let deadline = Instant::now() + WAIT;
    loop {
        let screen = tmux.screen();
        if panes_shown(&screen) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the console's panes never showed over ssh; screen:\n{screen}\nsshd log:\n{}{}",
            sshd.log(),
            if sshd.log().contains("chown(/dev/pts") {
                "\n(an sshd run by a user other than root can hand over a terminal only where /dev/pts is \
                 mounted with gid=5, the tty group, as on a standard Linux host)"
            } else {
                ""
            }
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let consoles = pids_naming(&journal.display().to_string());
    assert_eq!(consoles.len(), 1, "one console on this journal; sshd log:\n{}", sshd.log());
    let console = consoles[0];
    let out = tmux.run(&["display-message", "-p", "-t", "ssh", "#{pane_pid}"]);
    let ssh_pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let comm = std::fs::read_to_string(format!("/proc/{ssh_pid}/comm")).unwrap();
    assert_eq!(comm.trim(), "ssh", "the pane runs the ssh client");

    let killed = Command::new("kill").args(["-KILL", &ssh_pid]).status().unwrap();
    assert!(killed.success());
    let dropped = Instant::now();
    while Path::new(&format!("/proc/{console}")).exists() {
        let state = std::fs::read_to_string(format!("/proc/{console}/stat")).unwrap_or_default();
        // A zombie has ended; only its parent (sshd's session) has yet to reap it.
        if state.split_whitespace().nth(2) == Some("Z") {
            break;
        }
        assert!(
            dropped.elapsed() < Duration::from_secs(2),
            "attache still running 2 s after the ssh link dropped; sshd log:\n{}",
            sshd.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("attache ended {} ms after the ssh client was killed", dropped.elapsed().as_millis());

    let text = journal_text(&journal);
    let last = text.lines().last().expect("a journal");
    assert!(last.contains("\"kind\":\"session.ended\""), "the last record closes the session: {last}");
    let verify = Command::new(attache)
        .arg("--config")
        .arg(&desk)
        .arg("--journal")
        .arg(&journal)
        .args(["journal", "verify"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "journal verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}
