//! The link to the JetStream servers: a connection that gives up quickly (the desk retries on its
//! own schedule, `engine`), and the stream every desk publishes to, made if it is not there.

use std::time::Duration;

use async_nats::jetstream::{self, stream};

use super::chains::After;
use super::settings::{Credentials, STREAM, SUBJECT_PREFIX, SyncConfig};
use crate::journal::format;

/// How long connecting, and each JetStream request, may take before the link counts as down.
pub const TIMEOUT: Duration = Duration::from_secs(5);

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub async fn connect(config: &SyncConfig) -> Result<async_nats::Client, Error> {
    let mut options = async_nats::ConnectOptions::new()
        .name(format!("attache desk {}", config.desk))
        .connection_timeout(TIMEOUT)
        // A dropped link ends the session; the engine connects again and resumes from the stream.
        .max_reconnects(Some(1));
    match &config.credentials {
        Some(Credentials::File(path)) => {
            options = options
                .credentials_file(path)
                .await
                .map_err(|e| format!("cannot read credentials file {}: {e}", path.display()))?;
        }
        Some(Credentials::Env(var)) => {
            let text = std::env::var(var).map_err(|_| {
                format!("credentials_env names {var}, which is not set (to a credentials file's text) for this process")
            })?;
            // `export VAR="$(cat desk.creds)"` drops the file's last newline, which the parser
            // needs. The variable's text is never repeated in an error: it holds the desk's seed.
            let text = format!("{}\n", text.trim_end());
            options = options
                .credentials(&text)
                .map_err(|_| format!("{var} does not hold NATS credentials (a JWT and an NKey seed)"))?;
        }
        None => {}
    }
    let servers: Vec<async_nats::ServerAddr> =
        config.servers.iter().map(|s| s.parse()).collect::<Result<_, _>>()?;
    Ok(options.connect(servers).await?)
}

/// The JetStream API, in `config`'s domain when it names one.
pub fn jetstream(client: async_nats::Client, config: &SyncConfig) -> jetstream::Context {
    let builder = jetstream::ContextBuilder::new().timeout(TIMEOUT).max_ack_inflight(20_000);
    match &config.domain {
        Some(domain) => builder.domain(domain.as_str()).build(client),
        None => builder.build(client),
    }
}

/// The desks' stream, made with `replicas` copies when no desk made it yet. Where the server can
/// (2.12 and later) the stream is made to take atomic batches, which let a desk send many records
/// for one round trip; a stream an earlier version made is changed to take them once per process
/// (`ask`), and if it cannot be (an account not allowed to change it), said so. Either way a
/// stream that does not take them is used as it is, one record at a time.
pub async fn stream(
    js: &jetstream::Context,
    replicas: usize,
    ask: &mut bool,
    say: &dyn Fn(String),
) -> Result<stream::Stream, Error> {
    // Older servers in strict mode refuse a field they do not know: it is sent only to newer ones.
    let atomic = at_least(&js.client().server_info().version, 2, 12);
    let config = stream::Config {
        name: STREAM.into(),
        subjects: vec![format!("{SUBJECT_PREFIX}*")],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        // A republish after a crash or a lost ack comes within this window, and is stored once.
        duplicate_window: Duration::from_secs(3600),
        allow_atomic_publish: atomic,
        ..Default::default()
    };
    let stream = js.get_or_create_stream(config).await?;
    let held = &stream.cached_info().config;
    if !atomic || held.allow_atomic_publish || !*ask {
        return Ok(stream);
    }
    *ask = false;
    let wanted = stream::Config { allow_atomic_publish: true, ..held.clone() };
    match js.update_stream(wanted).await {
        Ok(_) => Ok(js.get_stream(STREAM).await?),
        Err(e) => {
            say(format!(
                "sync sends one record at a time: stream {STREAM} does not take atomic batches and could not be changed to ({e})"
            ));
            Ok(stream)
        }
    }
}

/// Whether a server's version (`2.12.1`, `2.14.0-beta.1`) is `major.minor` or later.
fn at_least(version: &str, major: u64, minor: u64) -> bool {
    let mut parts = version.split(['.', '-']).map(|p| p.parse::<u64>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// The message id of a shared record: its origin, so a republish is stored once.
pub fn message_id(desk: &str, seq: u64, sum: &str) -> String {
    format!("{desk}:{seq}:{sum}")
}

/// The last record `subject`'s desk has in the stream: None when it has none.
pub async fn last_in_stream(stream: &stream::Stream, subject: &str) -> Result<Option<After>, Error> {
    Ok(last_stored(stream, subject).await?.map(|(after, _)| after))
}

/// The last record `subject`'s desk has in the stream, with its place in the stream. Read from
/// the message's payload, the origin line itself, which every version of the publisher sent.
pub async fn last_stored(stream: &stream::Stream, subject: &str) -> Result<Option<(After, u64)>, Error> {
    match stream.get_last_raw_message_by_subject(subject).await {
        Ok(message) => {
            let line: &[u8] = &message.payload;
            let after = format::seq_of(line)
                .zip(format::trailer(line))
                .map(|(seq, (_, sum))| After { seq, sum })
                .ok_or_else(|| format!("the stream's last message on {subject} is not a journal record"))?;
            Ok(Some((after, message.sequence)))
        }
        Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_server_version_is_compared_by_its_numbers() {
        assert!(super::at_least("2.12.0", 2, 12));
        assert!(super::at_least("2.15.1", 2, 12));
        assert!(super::at_least("3.0.0", 2, 12));
        assert!(!super::at_least("2.11.9", 2, 12));
        assert!(!super::at_least("2.9.25", 2, 12));
        assert!(!super::at_least("", 2, 12));
    }
}
