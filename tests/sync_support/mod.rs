//! Real NATS JetStream servers and real desks for the sync tests: each server is a `nats-server`
//! process on a free loopback port with its store in a temporary directory (killed with SIGKILL,
//! as a crash or a cut cable would); each desk is the shipped configuration with a `[sync]`
//! section, its own journal, and `attache sync run` as its syncing process.

#![allow(dead_code)] // each test file uses a different part of this module

pub mod accounts;

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use attache::event::Event;
use attache::journal::Writer;

pub fn free_port() -> u16 {
    free_ports(1)[0]
}

/// `n` distinct free ports: all held while they are chosen, so none is given twice.
pub fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<std::net::TcpListener> =
        (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    held.iter().map(|l| l.local_addr().unwrap().port()).collect()
}

pub struct NatsServer {
    pub port: u16,
    store: PathBuf,
    /// Cluster options, for a node of a cluster.
    extra: Vec<String>,
    child: Option<Child>,
}

impl NatsServer {
    pub fn start(store: &Path) -> Self {
        let mut server =
            NatsServer { port: free_port(), store: store.to_path_buf(), extra: vec![], child: None };
        server.restart();
        server
    }

    /// A server run from a configuration file alone, which names `port` and its JetStream store
    /// (`store`, when it has one).
    pub fn with_config(store: &Path, port: u16, config: &str) -> Self {
        std::fs::create_dir_all(store).unwrap();
        let file = store.with_extension("conf");
        std::fs::write(&file, config).unwrap();
        let extra = vec!["-c".into(), file.display().to_string()];
        let mut server = NatsServer { port, store: store.to_path_buf(), extra, child: None };
        server.restart();
        server
    }

    /// A JetStream cluster of `n` nodes on loopback ports, each with its own store under `root`.
    pub fn cluster(root: &Path, n: usize) -> Vec<NatsServer> {
        let ports = free_ports(2 * n);
        let (routes, clients) = ports.split_at(n);
        let route_urls: Vec<String> = routes.iter().map(|p| format!("nats://127.0.0.1:{p}")).collect();
        let mut nodes: Vec<NatsServer> = (0..n)
            .map(|i| NatsServer {
                port: clients[i],
                store: root.join(format!("node{i}")),
                extra: vec![
                    "-n".into(),
                    format!("node{i}"),
                    "--cluster_name".into(),
                    "attache-hq".into(),
                    "--cluster".into(),
                    format!("nats://127.0.0.1:{}", routes[i]),
                    "--routes".into(),
                    route_urls.join(","),
                ],
                child: None,
            })
            .collect();
        for node in &mut nodes {
            node.spawn();
        }
        for node in &nodes {
            node.wait_listening();
        }
        nodes
    }

    /// Starts the server again on its port and store (after `kill`).
    pub fn restart(&mut self) {
        self.spawn();
        self.wait_listening();
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "the server is running");
        std::fs::create_dir_all(&self.store).unwrap();
        let log = std::fs::File::options().create(true).append(true).open(self.log_path()).unwrap();
        let mut command = Command::new("nats-server");
        if self.extra.first().is_some_and(|a| a == "-c") {
            // The configuration file says it all: port, store, JetStream or not.
            command.args(&self.extra);
        } else {
            command
                .args(["-js", "-a", "127.0.0.1", "-p", &self.port.to_string(), "-sd"])
                .arg(&self.store)
                .args(&self.extra);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server must be installed (.ci/run installs it)");
        self.child = Some(child);
    }

    fn log_path(&self) -> PathBuf {
        self.store.with_extension("log")
    }

    fn wait_listening(&self) {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if start.elapsed() > Duration::from_secs(30) {
                let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
                panic!("nats-server on port {} did not listen within 30 s; its log:\n{log}", self.port);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: the server goes without a word, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One desk: its configuration directory, its journal, its syncing process when running.
pub struct Desk {
    pub id: String,
    pub config: PathBuf,
    pub journal: PathBuf,
    sync: Option<Child>,
    writer: Option<Writer>,
    /// Variables every attache process of this desk is given.
    env: Vec<(String, String)>,
}

impl Desk {
    pub fn new(root: &Path, id: &str, follow: &[&str], servers: &[String]) -> Self {
        Self::with_desk_file(
            root,
            id,
            follow,
            servers,
            &std::fs::read_to_string("config/attache.toml").unwrap(),
        )
    }

    /// Asks for `n` copies of the stream, when this desk creates it.
    pub fn replicas(self, n: usize) -> Self {
        self.sync_setting(&format!("replicas = {n}"));
        self
    }

    /// A desk with no feeds (for a console that polls nothing).
    pub fn plain(root: &Path, id: &str, follow: &[&str], servers: &[String]) -> Self {
        let head = format!(
            "[desk]\nname = \"{id} desk\"\ntz = \"UTC\"\nmissions = \"missions.toml\"\ncontacts = \"contacts.toml\"\n"
        );
        Self::with_desk_file(root, id, follow, servers, &head)
    }

    fn with_desk_file(root: &Path, id: &str, follow: &[&str], servers: &[String], shipped: &str) -> Self {
        let dir = root.join(id);
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["missions.toml", "contacts.toml"] {
            std::fs::copy(Path::new("config").join(file), dir.join(file)).unwrap();
        }
        let shipped = shipped.to_string();
        let quoted = |list: &[String]| list.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
        let follow: Vec<String> = follow.iter().map(|s| s.to_string()).collect();
        let section = format!(
            "\n[sync]\nservers = [{}]\ndesk = \"{id}\"\nfollow = [{}]\n",
            quoted(servers),
            quoted(&follow)
        );
        std::fs::write(dir.join("attache.toml"), shipped + &section).unwrap();
        let journal = dir.join("journal");
        std::fs::create_dir_all(&journal).unwrap();
        Desk {
            id: id.to_string(),
            config: dir.join("attache.toml"),
            journal,
            sync: None,
            writer: None,
            env: Vec::new(),
        }
    }

    pub fn attache(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_attache"));
        cmd.arg("--config").arg(&self.config).arg("--journal").arg(&self.journal);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Adds `line` to the desk file's `[sync]` section (its last section).
    pub fn sync_setting(&self, line: &str) {
        let mut text = std::fs::read_to_string(&self.config).unwrap();
        text.push_str(line);
        text.push('\n');
        std::fs::write(&self.config, text).unwrap();
    }

    /// Gives every attache process of this desk the variable `name`.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    /// Starts `attache sync run` for this desk.
    pub fn start_sync(&mut self) {
        assert!(self.sync.is_none());
        let log = std::fs::File::create(self.journal.parent().unwrap().join("sync.log")).unwrap();
        let child = self.attache().args(["sync", "run"]).stdout(Stdio::null()).stderr(log).spawn().unwrap();
        self.sync = Some(child);
    }

    pub fn stop_sync(&mut self) {
        if let Some(mut child) = self.sync.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn sync_log(&self) -> String {
        std::fs::read_to_string(self.journal.parent().unwrap().join("sync.log")).unwrap_or_default()
    }

    /// Appends notes (shared) each after a session record (not shared), through the journal's
    /// own writer, as a console would.
    pub fn write_notes(&mut self, from: usize, count: usize) {
        let writer = self.writer.get_or_insert_with(|| Writer::open(&self.journal).unwrap());
        for n in from..from + count {
            let events = vec![
                Event::SessionStarted { operator: "reyes".into(), host: "h".into(), terminal: "t".into() },
                Event::Note {
                    operator: "reyes".into(),
                    text: format!("{} note {n}", self_id(&self.id)),
                    mission: None,
                    alert: None,
                    contact: None,
                },
            ];
            writer.append("reyes", chrono::Utc::now(), events).unwrap();
        }
    }

    /// Appends `count` notes alone, in appends of a thousand (a backlog made quickly), through a
    /// writer of their own.
    pub fn write_many_notes(&self, count: usize) {
        let mut writer = Writer::open(&self.journal).unwrap();
        for chunk in (0..count).collect::<Vec<_>>().chunks(1_000) {
            let events = chunk
                .iter()
                .map(|n| Event::Note {
                    operator: "reyes".into(),
                    text: format!("{} bulk note {n}", self.id),
                    mission: None,
                    alert: None,
                    contact: None,
                })
                .collect();
            writer.append("reyes", chrono::Utc::now(), events).unwrap();
        }
    }

    /// The seqs of this desk's records that it shares by default (notes, and a `config.loaded`
    /// when a process of it started with its desk file).
    pub fn own_shared(&self) -> BTreeSet<u64> {
        let (records, problems) = attache::journal::read_all(&self.journal).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let shared = attache::sync::settings::kinds_of(attache::sync::settings::DEFAULT_SHARE).unwrap();
        records.iter().filter(|r| shared.contains(&r.event.kind())).map(|r| r.seq).collect()
    }

    /// The origin (desk, seq) of every remote record, in journal order, duplicates kept.
    pub fn remote_ids(&self) -> Vec<(String, u64)> {
        let (records, problems) = attache::journal::read_all(&self.journal).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        records
            .iter()
            .filter_map(|r| match &r.event {
                Event::Remote { desk, record, .. } => {
                    Some((desk.clone(), attache::journal::format::seq_of(record.as_bytes()).unwrap()))
                }
                _ => None,
            })
            .collect()
    }

    pub fn remote_seqs_of(&self, desk: &str) -> BTreeSet<u64> {
        self.remote_ids().into_iter().filter(|(d, _)| d == desk).map(|(_, s)| s).collect()
    }

    /// `attache journal verify`: its exit status and what it said.
    pub fn verify(&self) -> (i32, String) {
        let out = self.attache().args(["journal", "verify"]).output().unwrap();
        let said =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), said)
    }
}

fn self_id(id: &str) -> &str {
    id
}

impl Drop for Desk {
    fn drop(&mut self) {
        self.stop_sync();
    }
}

/// Waits until `to` holds every shared record of `from` as a remote record.
pub fn wait_converged(from: &Desk, to: &Desk, timeout: Duration) {
    let wanted = from.own_shared();
    let start = Instant::now();
    while to.remote_seqs_of(&from.id) != wanted {
        if start.elapsed() > timeout {
            let held = to.remote_seqs_of(&from.id);
            let missing: Vec<&u64> = wanted.difference(&held).collect();
            panic!(
                "timed out after {timeout:?} waiting for {} to hold {} records of {} (holds {}, missing {missing:?}; verify: {:?}); {}'s sync said:\n{}\n{}'s sync said:\n{}",
                to.id,
                wanted.len(),
                from.id,
                held.len(),
                to.verify(),
                to.id,
                to.sync_log(),
                from.id,
                from.sync_log()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// No origin record held twice.
pub fn assert_no_duplicate(desk: &Desk) {
    let ids = desk.remote_ids();
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{} holds a record twice", desk.id);
}
