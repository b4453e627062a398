//! Cursor-on-Target feeds are listened to, not polled: datagrams on a UDP port (optionally a
//! multicast group, as TAK's SA multicast), or a TCP stream from a TAK server, reconnected with
//! backoff when it drops. Events arriving together are batched (a quarter second) so that a
//! burst of tracks costs one journal append and one redraw, not one per event.

use chrono::Utc;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{MissedTickBehavior, interval};

use super::coalesce::Coalescer;
use super::cot::{self, CotFramer, Framed};
use super::spec::{FeedConfig, FeedSource};
use super::tls::TlsFiles;
use super::udp_socket;
use super::{Parsed, PollOutcome, PollResult, backoff};

/// How long events gather before they are handed on together.
pub const BATCH: Duration = Duration::from_millis(250);
/// The longest wait between reconnection attempts to a TCP source.
pub const MAX_RECONNECT: Duration = Duration::from_secs(60);
/// How long a TLS stream must stay up, or deliver an event, before the feed counts as working:
/// under TLS 1.3 a server that refuses the client's certificate says so just after the
/// handshake, which the client has already finished.
pub const TLS_SETTLE: Duration = Duration::from_secs(2);

/// Listens to a CoT feed until the receiving end goes away.
pub async fn listen(feed: FeedConfig, tx: mpsc::Sender<PollOutcome>) {
    match feed.source.clone() {
        FeedSource::Udp { listen, group } => udp(&feed, listen, group, tx).await,
        FeedSource::Tcp(address) => tcp(&feed, &address, None, tx).await,
        FeedSource::Ssl { address, tls } => tcp(&feed, &address, Some(&tls), tx).await,
        FeedSource::File(_) | FeedSource::Url(_) => {}
    }
}

/// Events gathered since the last hand-over.
struct Batch {
    feed: String,
    /// The start of the desk's own uids, whose events are dropped.
    own_uids: Option<String>,
    parsed: Parsed,
    since: Option<Instant>,
    coalescer: Coalescer,
    /// Datagrams the kernel dropped since the last hand-over, and since listening began.
    dropped: u64,
    dropped_total: u64,
    /// The receive buffer the kernel granted, in KiB, named when it overflows.
    buffer_kib: usize,
}

impl Batch {
    fn new(feed: &FeedConfig) -> Self {
        Self {
            feed: feed.name.clone(),
            own_uids: feed.own_uids.clone(),
            parsed: Parsed::default(),
            since: None,
            coalescer: Coalescer::new(feed.cot.min_interval, feed.cot.min_distance_m),
            dropped: 0,
            dropped_total: 0,
            buffer_kib: 0,
        }
    }

    fn add(&mut self, event: &[u8], from: &str) {
        self.since.get_or_insert_with(Instant::now);
        let now = Utc::now();
        match cot::parse(&self.feed, event, now) {
            Ok(mut parsed) => {
                // The desk's own markers, handed back by a TAK server or looped back by the
                // network, would raise alerts on its alerts without end.
                if let Some(own) = &self.own_uids {
                    parsed.items.retain(|item| !item.id.starts_with(own.as_str()));
                    parsed.withdrawn.retain(|(uid, _)| !uid.starts_with(own.as_str()));
                }
                let at = Instant::now();
                let coalescer = &mut self.coalescer;
                self.parsed
                    .items
                    .extend(parsed.items.into_iter().filter(|item| coalescer.admit(item, at, now)));
                for (uid, _) in &parsed.withdrawn {
                    self.coalescer.forget(uid);
                }
                self.parsed.withdrawn.extend(parsed.withdrawn);
                self.parsed.skipped.extend(parsed.skipped);
                self.parsed.incomplete.extend(parsed.incomplete);
            }
            Err(e) => self.parsed.skipped.push(format!("event from {from}: {e}")),
        }
    }

    fn note(&mut self, problem: String) {
        self.since.get_or_insert_with(Instant::now);
        self.parsed.skipped.push(problem);
    }

    /// Counts datagrams the kernel dropped, given its running count for the socket.
    fn kernel_dropped(&mut self, total: u64) {
        if total > self.dropped_total {
            self.since.get_or_insert_with(Instant::now);
            self.dropped += total - self.dropped_total;
            self.dropped_total = total;
        }
    }

    /// The outcome to hand on, if the batch holds anything. Lost datagrams come first, so that
    /// they are the feed's problem the Feeds pane shows and `feed.polled` journals.
    fn take(&mut self) -> Option<PollOutcome> {
        let since = self.since.take()?;
        let mut parsed = std::mem::take(&mut self.parsed);
        if self.dropped > 0 {
            let lost = format!(
                "{} datagrams lost: the receive buffer ({} KiB) was full; {} lost since listening began",
                self.dropped, self.buffer_kib, self.dropped_total
            );
            parsed.skipped.insert(0, lost);
            self.dropped = 0;
        }
        self.coalescer.prune(Utc::now());
        Some(PollOutcome {
            feed: self.feed.clone(),
            result: PollResult::Fetched(parsed),
            ms: since.elapsed().as_millis() as u64,
        })
    }

    /// Hands the batch on if it holds anything; false when nobody is listening any more.
    async fn flush(&mut self, tx: &mpsc::Sender<PollOutcome>) -> bool {
        match self.take() {
            Some(outcome) => tx.send(outcome).await.is_ok(),
            None => true,
        }
    }
}

async fn fail(feed: &str, why: String, tx: &mpsc::Sender<PollOutcome>) -> bool {
    tx.send(PollOutcome { feed: feed.to_string(), result: PollResult::Failed(why), ms: 0 }).await.is_ok()
}

/// Receives on a thread of its own, so that reading the socket never waits for the desk (a
/// redraw, a journal append): the kernel's buffer is emptied as fast as events can be parsed.
async fn udp(feed: &FeedConfig, listen: SocketAddr, group: Option<Ipv4Addr>, tx: mpsc::Sender<PollOutcome>) {
    let socket = match udp_socket::bind(listen, group, feed.cot.receive_buffer).await {
        Ok(socket) => socket,
        Err(e) => {
            let joined = group.map(|g| format!(" (group {g})")).unwrap_or_default();
            fail(&feed.name, format!("cannot listen on udp {listen}{joined}: {e}"), &tx).await;
            return;
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    // Stopping this task (a reload) stops the thread, which lets go of the socket.
    let _stop_on_drop = StopOnDrop(stop.clone());
    let (done_tx, done) = tokio::sync::oneshot::channel();
    let feed = feed.clone();
    let spawned = std::thread::Builder::new().name(format!("cot-udp {}", feed.name)).spawn(move || {
        // Not being able to lower it is no reason not to listen: keys are slower under a flood.
        let _ = udp_socket::lower_this_threads_priority();
        receive(&feed, &socket, &tx, &stop);
        let _ = done_tx.send(());
    });
    if spawned.is_ok() {
        let _ = done.await;
    }
}

struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn receive(
    feed: &FeedConfig,
    socket: &std::net::UdpSocket,
    tx: &mpsc::Sender<PollOutcome>,
    stop: &AtomicBool,
) {
    // Listening is the feed working: say so at once, before the first datagram.
    let mut batch = Batch::new(feed);
    batch.since = Some(Instant::now());
    batch.buffer_kib = udp_socket::receive_buffer(socket).unwrap_or(0) >> 10;
    let mut due = Instant::now() + BATCH;
    let mut buf = vec![0u8; 65_536];
    while !stop.load(Ordering::Relaxed) && !tx.is_closed() {
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => batch.add(&buf[..n], &from.to_string()),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(e) => batch.note(format!("receive failed: {e}")),
        }
        if Instant::now() >= due {
            match udp_socket::dropped(socket) {
                Ok(total) => batch.kernel_dropped(total),
                Err(e) => batch.note(format!("cannot read the socket's drop count: {e}")),
            }
            if let Some(outcome) = batch.take()
                && tx.blocking_send(outcome).is_err()
            {
                return;
            }
            due = Instant::now() + BATCH;
        }
    }
}

async fn tcp(feed: &FeedConfig, address: &str, tls: Option<&TlsFiles>, tx: mpsc::Sender<PollOutcome>) {
    let mut failures = 0;
    loop {
        let ended = match tls {
            None => match tokio::time::timeout(feed.timeout, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => match super::keepalive::set(&stream) {
                    Ok(()) => {
                        failures = 0;
                        let stream =
                            Stream { reader: stream, from: format!("tcp://{address}"), settle: None };
                        read_stream(feed, stream, &tx).await
                    }
                    Err(e) => Some(format!("cannot set TCP keepalive on tcp://{address}: {e}")),
                },
                Ok(Err(e)) => Some(format!("cannot connect to tcp://{address}: {e}")),
                Err(_) => {
                    Some(format!("cannot connect to tcp://{address}: timed out after {:?}", feed.timeout))
                }
            },
            // The files are read at each attempt: a certificate put right is taken at the next.
            Some(files) => match files.client_config() {
                Err(problem) => Some(format!("ssl://{address}: {problem}")),
                Ok(config) => {
                    match super::tls::connect(config, address, files.server_name.as_deref(), feed.timeout)
                        .await
                    {
                        Ok(stream) => {
                            let from = format!("ssl://{address}");
                            let began = Instant::now();
                            let ended = read_stream(
                                feed,
                                Stream { reader: stream, from, settle: Some(TLS_SETTLE) },
                                &tx,
                            )
                            .await;
                            // A server that refuses the certificate after the handshake is a failure
                            // like any other: the waits grow, it is not asked again every second.
                            if began.elapsed() >= TLS_SETTLE {
                                failures = 0;
                            }
                            ended
                        }
                        Err(why) => Some(why),
                    }
                }
            },
        };
        let Some(why) = ended else { return }; // nobody is listening any more
        if !fail(&feed.name, why, &tx).await {
            return;
        }
        failures += 1;
        let wait = backoff(Duration::from_secs(1), failures, None, fastrand::f64()).min(MAX_RECONNECT);
        tokio::time::sleep(wait).await;
    }
}

/// A connected CoT stream: what to read, its URL for messages, and how long it must stay up
/// before it counts as working (None: at once).
struct Stream<S> {
    reader: S,
    from: String,
    settle: Option<Duration>,
}

/// Reads events until the stream ends; returns why it ended, or None if the receiver is gone.
async fn read_stream<S: AsyncRead + Unpin>(
    feed: &FeedConfig,
    stream: Stream<S>,
    tx: &mpsc::Sender<PollOutcome>,
) -> Option<String> {
    let Stream { reader: mut stream, from, settle } = stream;
    let mut framer = CotFramer::default();
    let mut batch = Batch::new(feed);
    if settle.is_none() {
        batch.since = Some(Instant::now()); // connected: the feed works
    }
    let settled = tokio::time::sleep(settle.unwrap_or_default());
    tokio::pin!(settled);
    let mut unsettled = settle.is_some();
    let mut tick = interval(BATCH);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => {
                let n = match read {
                    Ok(0) => {
                        batch.flush(tx).await.then_some(())?;
                        let cut = framer.pending();
                        let lost = if cut > 0 { format!("; an unfinished event of {cut} bytes was lost") } else { String::new() };
                        return Some(format!("{from} closed the connection{lost}"));
                    }
                    Ok(n) => n,
                    Err(e) => {
                        batch.flush(tx).await.then_some(())?;
                        let why = match from.strip_prefix("ssl://") {
                            Some(address) => super::tls::read_failed(&e, address),
                            None => format!("reading {from} failed: {e}"),
                        };
                        return Some(why);
                    }
                };
                unsettled = false;
                for frame in framer.push(&buf[..n]) {
                    match frame {
                        Framed::Event(event) => batch.add(&event, &from),
                        Framed::Dropped(why) => batch.note(format!("{from}: {why}")),
                    }
                }
            }
            _ = tick.tick() => batch.flush(tx).await.then_some(())?,
            () = &mut settled, if unsettled => {
                unsettled = false;
                batch.since.get_or_insert_with(Instant::now); // stayed up: the feed works
            }
        }
    }
}
