//! `attache demo-serve`: a real HTTP server on the operator's machine that plays the bundled
//! sample feeds as a scripted scenario (see `scenario`), with ETags so that conditional polling
//! is exercised too. The demo desk's config asks the console to start it in-process.

pub mod check_ins;
mod scenario;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use std::net::SocketAddr;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8099";

#[derive(Clone)]
struct Scenario {
    start: DateTime<Utc>,
}

fn router(start: DateTime<Utc>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/usgs/4.5_day.geojson", get(usgs))
        .route("/cap/pagasa.xml", get(typhoon))
        .with_state(Scenario { start })
}

async fn index() -> &'static str {
    "attache demo feeds:\n/usgs/4.5_day.geojson\n/cap/pagasa.xml\n"
}

async fn usgs(State(scenario): State<Scenario>, request: HeaderMap) -> Response {
    let (version, body) = scenario::usgs(scenario.start, Utc::now() - scenario.start);
    conditional(&request, &version, "application/geo+json", body)
}

async fn typhoon(State(scenario): State<Scenario>, request: HeaderMap) -> Response {
    let (version, body) = scenario::typhoon(scenario.start);
    conditional(&request, &version, "application/cap+xml", body)
}

/// A document with its ETag, or 304 when the client already has this version.
fn conditional(request: &HeaderMap, version: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    // Weak: the document's `generated` stamp moves, its content only when the script does.
    let etag = format!("W/\"{version}\"");
    let etag_value = HeaderValue::from_str(&etag).expect("versions are plain ASCII");
    if request.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    let content_type = HeaderValue::from_static(content_type);
    (StatusCode::OK, [(header::ETAG, etag_value), (header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Binds the demo server now, so that feeds polled right after find it, and returns the
/// future that serves it. Fails if the address is taken (another attache may be serving it).
pub fn bind(addr: SocketAddr) -> std::io::Result<impl Future<Output = std::io::Result<()>>> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = router(Utc::now());
    Ok(async move { axum::serve(listener, app).await })
}

/// Starts the demo server on the current tokio runtime if the desk's config asks for one.
/// Must be called from inside a runtime. The error says why it could not listen.
pub fn start_if_configured(addr: Option<SocketAddr>) -> Result<(), String> {
    let Some(addr) = addr else { return Ok(()) };
    let server = bind(addr).map_err(|e| format!("demo feed server cannot listen on {addr}: {e}"))?;
    tokio::spawn(server);
    Ok(())
}

/// Runs the demo server in the foreground until Ctrl-C or SIGTERM.
pub fn serve(addr: SocketAddr) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let server = bind(addr).map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        println!("attache demo feeds on http://{addr}/ (Ctrl-C stops)");
        tokio::select! {
            result = server => result?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(())
    })
}
