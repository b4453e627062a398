//! Cursor-on-Target feeds are listened to, not polled: datagrams on a UDP port (optionally a
//! multicast group, as TAK's SA multicast), or a TCP stream from a TAK server, reconnected with
//! backoff when it drops. Events arriving together are batched (a quarter second) so that a
//! burst of tracks costs one journal append and one redraw, not one per event.

use chrono::Utc;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::time::{MissedTickBehavior, interval};

use super::cot::{self, CotFramer, Framed};
use super::spec::{FeedConfig, FeedSource};
use super::{Parsed, PollOutcome, PollResult, backoff};

/// How long events gather before they are handed on together.
pub const BATCH: Duration = Duration::from_millis(250);
/// The longest wait between reconnection attempts to a TCP source.
pub const MAX_RECONNECT: Duration = Duration::from_secs(60);

/// Listens to a CoT feed until the receiving end goes away.
pub async fn listen(feed: FeedConfig, tx: mpsc::Sender<PollOutcome>) {
    match feed.source.clone() {
        FeedSource::Udp { listen, group } => udp(&feed, listen, group, tx).await,
        FeedSource::Tcp(address) => tcp(&feed, &address, tx).await,
        FeedSource::File(_) | FeedSource::Url(_) => {}
    }
}

/// Events gathered since the last hand-over.
struct Batch {
    feed: String,
    parsed: Parsed,
    since: Option<Instant>,
}

impl Batch {
    fn new(feed: &str) -> Self {
        Self { feed: feed.to_string(), parsed: Parsed::default(), since: None }
    }

    fn add(&mut self, event: &[u8], from: &str) {
        self.since.get_or_insert_with(Instant::now);
        match cot::parse(&self.feed, event, Utc::now()) {
            Ok(parsed) => {
                self.parsed.items.extend(parsed.items);
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

    /// Hands the batch on if it holds anything; false when nobody is listening any more.
    async fn flush(&mut self, tx: &mpsc::Sender<PollOutcome>) -> bool {
        let Some(since) = self.since.take() else { return true };
        let parsed = std::mem::take(&mut self.parsed);
        let outcome = PollOutcome {
            feed: self.feed.clone(),
            result: PollResult::Fetched(parsed),
            ms: since.elapsed().as_millis() as u64,
        };
        tx.send(outcome).await.is_ok()
    }
}

async fn fail(feed: &str, why: String, tx: &mpsc::Sender<PollOutcome>) -> bool {
    tx.send(PollOutcome { feed: feed.to_string(), result: PollResult::Failed(why), ms: 0 }).await.is_ok()
}

async fn udp(feed: &FeedConfig, listen: SocketAddr, group: Option<Ipv4Addr>, tx: mpsc::Sender<PollOutcome>) {
    let socket = match bind_udp(listen, group).await {
        Ok(socket) => socket,
        Err(e) => {
            let joined = group.map(|g| format!(" (group {g})")).unwrap_or_default();
            fail(&feed.name, format!("cannot listen on udp {listen}{joined}: {e}"), &tx).await;
            return;
        }
    };
    // Listening is the feed working: say so at once, before the first datagram.
    let mut batch = Batch::new(&feed.name);
    batch.since = Some(Instant::now());
    let mut tick = interval(BATCH);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut buf = vec![0u8; 65_536];
    loop {
        tokio::select! {
            received = socket.recv_from(&mut buf) => match received {
                Ok((n, from)) => batch.add(&buf[..n], &from.to_string()),
                Err(e) => batch.note(format!("receive failed: {e}")),
            },
            _ = tick.tick() => if !batch.flush(&tx).await { return },
        }
    }
}

async fn bind_udp(listen: SocketAddr, group: Option<Ipv4Addr>) -> std::io::Result<UdpSocket> {
    let socket = UdpSocket::bind(listen).await?;
    if let Some(group) = group {
        let interface = match listen.ip() {
            std::net::IpAddr::V4(ip) => ip,
            std::net::IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
        };
        socket.join_multicast_v4(group, interface)?;
    }
    Ok(socket)
}

async fn tcp(feed: &FeedConfig, address: &str, tx: mpsc::Sender<PollOutcome>) {
    let mut failures = 0;
    loop {
        let why = match tokio::time::timeout(feed.timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                failures = 0;
                match read_stream(feed, stream, address, &tx).await {
                    Some(why) => why,
                    None => return, // nobody is listening any more
                }
            }
            Ok(Err(e)) => format!("cannot connect to tcp://{address}: {e}"),
            Err(_) => format!("cannot connect to tcp://{address}: timed out after {:?}", feed.timeout),
        };
        if !fail(&feed.name, why, &tx).await {
            return;
        }
        failures += 1;
        let wait = backoff(Duration::from_secs(1), failures, None, fastrand::f64()).min(MAX_RECONNECT);
        tokio::time::sleep(wait).await;
    }
}

/// Reads events until the stream ends; returns why it ended, or None if the receiver is gone.
async fn read_stream(
    feed: &FeedConfig,
    mut stream: TcpStream,
    address: &str,
    tx: &mpsc::Sender<PollOutcome>,
) -> Option<String> {
    let mut framer = CotFramer::default();
    let mut batch = Batch::new(&feed.name);
    batch.since = Some(Instant::now()); // connected: the feed works
    let mut tick = interval(BATCH);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut buf = vec![0u8; 64 * 1024];
    let from = format!("tcp://{address}");
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => {
                let n = match read {
                    Ok(0) => {
                        batch.flush(tx).await.then_some(())?;
                        let cut = framer.pending();
                        let lost = if cut > 0 { format!("; an unfinished event of {cut} bytes was lost") } else { String::new() };
                        return Some(format!("tcp://{address} closed the connection{lost}"));
                    }
                    Ok(n) => n,
                    Err(e) => {
                        batch.flush(tx).await.then_some(())?;
                        return Some(format!("reading tcp://{address} failed: {e}"));
                    }
                };
                for frame in framer.push(&buf[..n]) {
                    match frame {
                        Framed::Event(event) => batch.add(&event, &from),
                        Framed::Dropped(why) => batch.note(format!("{from}: {why}")),
                    }
                }
            }
            _ = tick.tick() => batch.flush(tx).await.then_some(())?,
        }
    }
}
