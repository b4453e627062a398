//! A deliberately simple HTTP/1.1 server on 127.0.0.1 for tests: each connection's request is
//! read, handed to a script, and answered exactly as the script says, including badly (slowly,
//! truncated, endlessly). Real sockets, so the client under test cannot tell it from the wild.

#![allow(dead_code)] // each test file uses a different part of this module

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
pub enum Reply {
    /// Status line, headers and body, written as given (Content-Length added).
    Send { status: &'static str, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Headers, then the body one byte per `every`.
    Trickle { body: Vec<u8>, every: Duration },
    /// Headers without a length, then bytes until the client goes away.
    Endless,
    /// The reply, after a wait (an overloaded server).
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply::Send { status: "200 OK", headers: vec![], body: body.into() }
    }

    pub fn status(status: &'static str) -> Self {
        Reply::Send { status, headers: vec![], body: vec![] }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Send { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }
}

/// The request as the server saw it: the request line and headers, lower-cased names.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// The most requests the server was answering at one time.
    pub peak: Arc<AtomicUsize>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Starts a server whose replies come from `script`, on the current tokio runtime.
pub async fn serve(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(script);
    let log = seen.clone();
    let load = Load::default();
    let peak = load.peak.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (script, log, load) = (script.clone(), log.clone(), load.clone());
            tokio::spawn(async move {
                let _ = answer(stream, &*script, &log, &load).await;
            });
        }
    });
    Server { addr, seen, peak }
}

#[derive(Clone, Default)]
struct Load {
    now: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

async fn answer(
    mut stream: TcpStream,
    script: &(dyn Fn(&Seen) -> Reply + Send + Sync),
    log: &Mutex<Vec<Seen>>,
    load: &Load,
) -> std::io::Result<()> {
    loop {
        let Some(seen) = read_request(&mut stream).await? else { return Ok(()) };
        log.lock().unwrap().push(seen.clone());
        let n = load.now.fetch_add(1, Ordering::SeqCst) + 1;
        load.peak.fetch_max(n, Ordering::SeqCst);
        let result = reply(&mut stream, script(&seen)).await;
        load.now.fetch_sub(1, Ordering::SeqCst);
        result?;
    }
}

async fn reply(stream: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    let mut reply = reply;
    loop {
        match reply {
            Reply::Send { status, headers, body } => {
                let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&body).await?;
            }
            Reply::Trickle { body, every } => {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
                stream.write_all(head.as_bytes()).await?;
                for byte in body {
                    stream.write_all(&[byte]).await?;
                    tokio::time::sleep(every).await;
                }
            }
            Reply::Endless => {
                stream.write_all(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n").await?;
                let chunk = vec![b' '; 64 * 1024];
                loop {
                    stream.write_all(&chunk).await?;
                }
            }
            Reply::Delayed(wait, then) => {
                tokio::time::sleep(wait).await;
                reply = *then;
                continue;
            }
        }
        return Ok(());
    }
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Seen>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 {
            return Ok(None);
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let path = lines.next().unwrap_or_default().split(' ').nth(1).unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Some(Seen { path, headers }))
}
