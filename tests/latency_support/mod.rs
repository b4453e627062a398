//! Key-to-screen latency of a real console in tmux, shared by `tests/term_tmux.rs` and
//! `benches/keys.rs`: a console on a copy of the demo desk, optionally fed Cursor-on-Target
//! events over UDP at a steady rate, and the time from each key sent to the screen showing it.

#![allow(dead_code)] // the test and the bench each use their part

#[path = "../tmux_support/mod.rs"]
mod tmux_support;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tmux_support::copy_dir;
pub use tmux_support::{Tmux, WAIT};

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A console on the demo desk in its own tmux server, and where its CoT feed listens (if any).
pub struct Console {
    pub tmux: Tmux,
    pub cot: Option<std::net::SocketAddr>,
    pub journal: PathBuf,
    _dir: tempfile::TempDir,
}

impl Console {
    /// Starts `binary` on a copy of the demo desk (its own demo server port), with a `cot-udp`
    /// feed on a free port when `cot` is set; waits until the panes are drawn and the feeds
    /// polled.
    pub fn start(name: &str, binary: &Path, cot: bool) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&manifest.join("config"), &tmp.path().join("config"));
        let desk = tmp.path().join("config/attache.toml");
        let mut text = std::fs::read_to_string(&desk)
            .unwrap()
            .replace("127.0.0.1:8099", &format!("127.0.0.1:{}", free_tcp_port()));
        let cot = cot.then(|| std::net::SocketAddr::from(([127, 0, 0, 1], free_udp_port())));
        if let Some(addr) = cot {
            // Before [ui]: a table's keys follow its header.
            let feed = format!("[[feed]]\nname = \"tak-load\"\nkind = \"cot-udp\"\nlisten = \"{addr}\"\n\n");
            let at = text.find("[ui]").unwrap_or(text.len());
            text.insert_str(at, &feed);
        }
        std::fs::write(&desk, text).unwrap();
        let journal = tmp.path().join("journal");
        let command =
            format!("{} --config {} --journal {}", binary.display(), desk.display(), journal.display());
        let tmux = Tmux::new(name, "keys");
        tmux.start(120, 40, &command);
        tmux.wait_for("the panes and the first polled items", |s| {
            s.contains("Event log") && s.contains("▶1 Missions") && s.contains("item.seen")
        });
        Console { tmux, cot, journal, _dir: tmp }
    }

    /// Presses `4` and `5` by turns (the Event log, the Feeds pane) `n` times, a varied pause
    /// apart, and returns how long each took from `send-keys` to a captured screen with the
    /// focus marker on that pane. `capture-pane` runs back to back while waiting.
    pub fn key_latencies(&self, n: usize, seed: u64) -> Vec<Duration> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let key = if i % 2 == 0 { "4" } else { "5" };
            let marker = format!("▶{key} ");
            // Pauses across the console's 250 ms follow tick, so no phase of it is favoured.
            std::thread::sleep(Duration::from_millis(rng.u64(60..400)));
            let sent = Instant::now();
            self.tmux.keys(&[key]);
            loop {
                if self.tmux.screen().contains(&marker) {
                    break;
                }
                assert!(sent.elapsed() < WAIT, "key {key} never showed:\n{}", self.tmux.screen());
            }
            out.push(sent.elapsed());
        }
        out
    }

    /// How long one `capture-pane` takes here: the resolution of `key_latencies`.
    pub fn capture_cost(&self) -> Duration {
        let started = Instant::now();
        for _ in 0..20 {
            self.tmux.screen();
        }
        started.elapsed() / 20
    }
}

/// Sends CoT events to a UDP listener at `per_second`, from a thread, until dropped: `tracks`
/// tracks in turn, each event moving its track a metre or so (coalesced by the listener unless
/// its `[feed.cot]` says otherwise).
pub struct CotLoad {
    stop: Arc<AtomicBool>,
    pub sent: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CotLoad {
    pub fn start(to: std::net::SocketAddr, per_second: u64, tracks: u64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let (stop2, sent2) = (stop.clone(), sent.clone());
        let thread = std::thread::spawn(move || {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let started = Instant::now();
            let mut n = 0u64;
            while !stop2.load(Ordering::Relaxed) {
                // Keep to the rate over the whole run, in 5 ms steps.
                let due = started.elapsed().as_micros() as u64 * per_second / 1_000_000;
                while n < due {
                    let _ = socket.send_to(event(n % tracks, n).as_bytes(), to);
                    n += 1;
                }
                sent2.store(n, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        CotLoad { stop, sent, thread: Some(thread) }
    }
}

impl Drop for CotLoad {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A friendly ground unit's position report, as ATAK sends it, stale in five minutes.
fn event(track: u64, n: u64) -> String {
    let now = chrono::Utc::now();
    let time = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let stale = (now + chrono::Duration::minutes(5)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let lat = 14.5 + (track as f64) * 0.01 + (n % 1000) as f64 * 1e-5;
    let lon = 121.0 + (track as f64) * 0.01;
    format!(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?><event version='2.0' uid='LOAD-{track}' \
         type='a-f-G-U-C' time='{time}' start='{time}' stale='{stale}' how='m-g'><point lat='{lat:.6}' \
         lon='{lon:.6}' hae='10.0' ce='9.9' le='9999999.0'/><detail><contact callsign='Load {track}'/>\
         </detail></event>"
    )
}

/// The `p`-th percentile (0-100) of `samples`, nearest rank.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
