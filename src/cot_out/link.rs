//! One `[[cot_out]]` destination, run as a task of its own so that a slow or absent TAK server
//! never holds up the desk: events are queued to it, and it writes them to the stream (TLS or
//! plain TCP, reconnected with the feeds' backoff) or sends each as a datagram. What it is doing
//! is shared in a `LinkStatus` the desk reads.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;

use super::{CotOutConfig, Target};
use crate::feeds::backoff;
use crate::feeds::listen::MAX_RECONNECT;
use crate::feeds::tls::TlsFiles;

/// How many events may wait for a destination that is down; past that the newest are dropped
/// (and counted): when it comes back, every open alert is sent again anyway.
pub const QUEUE: usize = 4096;
/// How long connecting and one write may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// What a destination is doing, for the desk to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkStatus {
    /// `connecting`, `connected`, `sending` (UDP), or why it is down.
    pub state: String,
    /// When a destination that is down is tried again; None while up. Kept apart from
    /// `state` so that each retry of the same failure is not news.
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
    pub up: bool,
    /// Counts the connections made: when it changes, everything open is sent again.
    pub connections: u64,
    pub sent: u64,
    /// Events dropped because the queue was full.
    pub dropped: u64,
}

pub struct Link {
    pub url: String,
    /// None once closed.
    queue: Option<mpsc::Sender<Vec<u8>>>,
    status: Arc<Mutex<LinkStatus>>,
    task: tokio::task::JoinHandle<()>,
}

impl Link {
    /// Starts the destination's task; must run inside a tokio runtime.
    pub fn start(config: &CotOutConfig) -> Link {
        let (queue, rx) = mpsc::channel(QUEUE);
        let status = Arc::new(Mutex::new(LinkStatus { state: "connecting".into(), ..LinkStatus::default() }));
        let task = tokio::spawn(run(config.target.clone(), rx, status.clone()));
        Link { url: config.url.clone(), queue: Some(queue), status, task }
    }

    /// Queues one event; false when the queue is full or closed (the event is counted as dropped).
    pub fn send(&self, event: Vec<u8>) -> bool {
        let queued = self.queue.as_ref().is_some_and(|q| q.try_send(event).is_ok());
        if !queued {
            self.status.lock().expect("status lock").dropped += 1;
        }
        queued
    }

    pub fn status(&self) -> LinkStatus {
        self.status.lock().expect("status lock").clone()
    }

    /// Closes the queue and, while the destination is up, waits until `deadline` for what it
    /// holds to be written: the final events of alerts resolved just before the desk stops. A
    /// destination that is down would not take them anyway, so it is not waited for.
    pub async fn close(&mut self, deadline: tokio::time::Instant) {
        self.queue = None;
        if self.status().up && tokio::time::timeout_at(deadline, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn set(status: &Mutex<LinkStatus>, change: impl FnOnce(&mut LinkStatus)) {
    change(&mut status.lock().expect("status lock"));
}

async fn run(target: Target, mut rx: mpsc::Receiver<Vec<u8>>, status: Arc<Mutex<LinkStatus>>) {
    match target {
        Target::Udp(address) => udp(address, rx, &status).await,
        Target::Stream { address, tls } => {
            let mut failures = 0;
            loop {
                let why = match connect(&address, tls.as_ref()).await {
                    Ok(stream) => {
                        let ended = match stream {
                            Connected::Plain(s) => write_events(s, None, &mut rx, &status).await,
                            Connected::Tls(s) => {
                                write_events(*s, Some(crate::feeds::listen::TLS_SETTLE), &mut rx, &status)
                                    .await
                            }
                        };
                        // Only a connection that settled counts as the destination working
                        // again: a server refusing the certificate just after the handshake is
                        // retried with growing waits, not every second.
                        if ended.settled {
                            failures = 0;
                        }
                        ended.why
                    }
                    Err(why) => Some(why),
                };
                let Some(why) = why else { return }; // the desk has gone
                failures += 1;
                let wait =
                    backoff(Duration::from_secs(1), failures, None, fastrand::f64()).min(MAX_RECONNECT);
                set(&status, |s| {
                    s.state = why;
                    s.retry_at = chrono::Duration::from_std(wait).ok().map(|w| chrono::Utc::now() + w);
                    s.up = false;
                });
                tokio::time::sleep(wait).await;
            }
        }
    }
}

enum Connected {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

async fn connect(address: &str, tls: Option<&TlsFiles>) -> Result<Connected, String> {
    match tls {
        None => match tokio::time::timeout(TIMEOUT, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => match crate::feeds::keepalive::set(&stream) {
                Ok(()) => Ok(Connected::Plain(stream)),
                Err(e) => Err(format!("cannot set TCP keepalive on tcp://{address}: {e}")),
            },
            Ok(Err(e)) => Err(format!("cannot connect to tcp://{address}: {e}")),
            Err(_) => Err(format!("cannot connect to tcp://{address}: timed out after {TIMEOUT:?}")),
        },
        Some(files) => {
            let config = files.client_config().map_err(|p| format!("ssl://{address}: {p}"))?;
            let stream =
                crate::feeds::tls::connect(config, address, files.server_name.as_deref(), TIMEOUT).await?;
            Ok(Connected::Tls(Box::new(stream)))
        }
    }
}

/// How a connection ended: whether it had settled, and why it ended (None: the desk went away).
struct Ended {
    settled: bool,
    why: Option<String>,
}

/// Writes queued events until the stream fails or the desk goes away. What the server sends
/// back (other clients' traffic, pings) is read and let go, so that it never fills the
/// connection; its end, or a TLS alert refusing the desk's certificate, ends the stream.
///
/// With `settle` (TLS), nothing is taken from the queue, counted as sent or said to be connected
/// until the stream has held that long or the server has sent something: under TLS 1.3 a server
/// refusing the desk's certificate says so only after the client has finished its handshake,
/// and what was written before would be lost.
async fn write_events<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    settle: Option<Duration>,
    rx: &mut mpsc::Receiver<Vec<u8>>,
    status: &Mutex<LinkStatus>,
) -> Ended {
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut buf = vec![0u8; 16 * 1024];
    if let Some(settle) = settle {
        // Held for `settle`, or the server has spoken: either way the connection stands.
        if let Ok(read) = tokio::time::timeout(settle, reader.read(&mut buf)).await {
            let why = match read {
                Ok(0) => "the server closed the connection".to_string(),
                Ok(_) => String::new(),
                Err(e) => crate::feeds::tls::reason(&e, ""),
            };
            if !why.is_empty() {
                return Ended { settled: false, why: Some(why) };
            }
        }
    }
    set(status, |s| {
        s.state = "connected".into();
        s.retry_at = None;
        s.up = true;
        s.connections += 1;
    });
    let why = exchange(&mut reader, &mut writer, &mut buf, rx, status).await;
    Ended { settled: true, why }
}

/// The settled connection's life: queued events written, what the server sends let go.
async fn exchange<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut R,
    writer: &mut W,
    buf: &mut [u8],
    rx: &mut mpsc::Receiver<Vec<u8>>,
    status: &Mutex<LinkStatus>,
) -> Option<String> {
    loop {
        tokio::select! {
            event = rx.recv() => {
                let event = event?;
                match tokio::time::timeout(TIMEOUT, async {
                    writer.write_all(&event).await?;
                    writer.flush().await
                }).await {
                    Ok(Ok(())) => set(status, |s| s.sent += 1),
                    Ok(Err(e)) => return Some(format!("writing failed: {e}")),
                    Err(_) => return Some(format!("writing timed out after {TIMEOUT:?}")),
                }
            }
            read = reader.read(buf) => match read {
                Ok(0) => return Some("the server closed the connection".into()),
                Ok(_) => {}
                Err(e) => return Some(crate::feeds::tls::reason(&e, "")),
            },
        }
    }
}

async fn udp(address: SocketAddr, mut rx: mpsc::Receiver<Vec<u8>>, status: &Mutex<LinkStatus>) {
    let bind: SocketAddr =
        if address.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().expect("an address");
    let socket = match UdpSocket::bind(bind).await {
        Ok(socket) => socket,
        Err(e) => {
            set(status, |s| s.state = format!("cannot open a UDP socket: {e}"));
            return;
        }
    };
    // The desk's own datagrams to a multicast group are not looped back to its own listeners on
    // that group: they would come back to the desk as TAK traffic.
    let unlooped = if address.is_ipv4() {
        socket.set_multicast_loop_v4(false)
    } else {
        socket.set_multicast_loop_v6(false)
    };
    if let Err(e) = unlooped {
        set(status, |s| s.state = format!("cannot turn off multicast loopback on a UDP socket: {e}"));
        return;
    }
    set(status, |s| {
        s.state = "sending".into();
        s.up = true;
        s.connections = 1;
    });
    while let Some(event) = rx.recv().await {
        match socket.send_to(&event, address).await {
            Ok(_) => set(status, |s| {
                s.sent += 1;
                s.state = "sending".into();
                s.up = true;
            }),
            Err(e) => set(status, |s| {
                s.state = format!("sending to udp://{address} failed: {e}");
                s.up = false;
            }),
        }
    }
}
