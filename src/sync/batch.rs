//! Sending this desk's records to the stream: one record as a plain JetStream publish, many as
//! one atomic batch (nats-server 2.12 and later), each send expecting the desk's last message in
//! the stream to be the one before it.

use std::time::{SystemTime, UNIX_EPOCH};

use async_nats::HeaderMap;
use async_nats::jetstream::{self, ErrorCode, context::PublishErrorKind, message::PublishMessage};
use bytes::Bytes;

use super::chains::After;
use super::link::{self, Error};
use super::settings::SyncConfig;
use crate::journal::format::{Hash, to_hex};

pub const AFTER_HEADER: &str = "Attache-After";
const EXPECTED_LAST_SUBJECT_SEQUENCE: &str = "Nats-Expected-Last-Subject-Sequence";

/// One shared record on its way out.
pub struct Outgoing {
    pub seq: u64,
    pub sum: Hash,
    pub line: Bytes,
}

/// Where this desk's records stand in the stream: its last one there, and where the stream
/// holds it.
#[derive(Clone, Copy)]
pub struct Sent {
    pub after: After,
    pub stored: u64,
}

/// Why a send failed.
pub enum Failed {
    /// The server refused the batch as a whole and stored none of it (batches off, too large,
    /// too many in flight): the same records can go again, in smaller batches.
    Refused(jetstream::Error),
    /// The server stored it as plain messages, not as one batch (a node older than 2.12 leads
    /// the stream): what it holds must be read again, and batches are not used again.
    NotAtomic,
    /// Anything else, after which what the stream holds is not known: read it again.
    Other(Error),
}

impl<E: Into<Error>> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed::Other(e.into())
    }
}

/// One record, with its origin as the message id as well.
pub async fn send_one(
    js: &jetstream::Context,
    config: &SyncConfig,
    record: &Outgoing,
    sent: Sent,
) -> Result<Sent, Failed> {
    let message = PublishMessage::build()
        .payload(record.line.clone())
        .message_id(link::message_id(&config.desk, record.seq, &to_hex(&record.sum)))
        .expected_last_subject_sequence(sent.stored)
        .header(AFTER_HEADER, sent.after.header().as_str());
    let ack = js.send_publish(config.subject(), message).await?.await?;
    Ok(Sent { after: After { seq: record.seq, sum: record.sum }, stored: ack.sequence })
}

/// An atomic batch of two records or more. The first goes as a request, so that a batch the
/// server will not take is refused at once in its own words (the messages in between get no
/// reply); the rest but the last go without one; everything is on the wire before the last
/// commits them all, so that the wait for its acknowledgement does not count the sending,
/// however slow the link.
pub async fn send_batch(
    js: &jetstream::Context,
    config: &SyncConfig,
    batch: &[Outgoing],
    sent: Sent,
) -> Result<Sent, Failed> {
    let subject = config.subject();
    let id = batch_id(&config.desk, batch[0].seq);
    let client = js.client();
    let (last, leading) = batch.split_last().expect("a batch holds two records or more");
    let mut after = sent.after;
    for (n, record) in leading.iter().enumerate() {
        let mut headers = batch_headers(&id, n + 1, after);
        if n == 0 {
            headers.insert(EXPECTED_LAST_SUBJECT_SEQUENCE, sent.stored.to_string().as_str());
            let reply = client.request_with_headers(subject.clone(), headers, record.line.clone()).await?;
            refused_in(&reply.payload)?;
        } else {
            client.publish_with_headers(subject.clone(), headers, record.line.clone()).await?;
        }
        after = After { seq: record.seq, sum: record.sum };
    }
    client.flush().await?;
    let mut headers = batch_headers(&id, batch.len(), after);
    headers.insert("Nats-Batch-Commit", "1");
    let commit = PublishMessage::build().payload(last.line.clone()).headers(headers);
    let ack = match js.send_publish(subject, commit).await?.await {
        Ok(ack) => ack,
        Err(e) if e.kind() == PublishErrorKind::Other => {
            return Err(api_error(&e).map_or_else(|| Failed::Other(e.into()), Failed::Refused));
        }
        Err(e) => return Err(e.into()),
    };
    if ack.batch_size != Some(batch.len() as u64) || ack.batch_id.as_deref() != Some(id.as_str()) {
        return Err(Failed::NotAtomic);
    }
    Ok(Sent { after: After { seq: last.seq, sum: last.sum }, stored: ack.sequence })
}

/// The server's reply to a batch's first message: empty when it is taken, else an API error.
fn refused_in(reply: &[u8]) -> Result<(), Failed> {
    if reply.is_empty() {
        return Ok(());
    }
    #[derive(serde::Deserialize)]
    struct Reply {
        error: Option<jetstream::Error>,
    }
    match serde_json::from_slice::<Reply>(reply) {
        Ok(Reply { error: Some(e) }) if e.error_code() == ErrorCode::STREAM_WRONG_LAST_SEQUENCE => {
            Err(Failed::Other(e.into()))
        }
        Ok(Reply { error: Some(e) }) => Err(Failed::Refused(e)),
        Ok(Reply { error: None }) => Ok(()),
        Err(e) => Err(Failed::Other(format!("the server's reply to a batch cannot be read: {e}").into())),
    }
}

/// The API error a failed publish carries, when the server gave one.
fn api_error(e: &jetstream::context::PublishError) -> Option<jetstream::Error> {
    std::error::Error::source(e)?.downcast_ref::<jetstream::Error>().cloned()
}

fn batch_headers(id: &str, n: usize, after: After) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Batch-Id", id);
    headers.insert("Nats-Batch-Sequence", n.to_string().as_str());
    headers.insert(AFTER_HEADER, after.header().as_str());
    headers
}

/// A batch id no other batch in flight has (at most 64 characters): a hash of the desk, the
/// first record's seq and the clock.
fn batch_id(desk: &str, first: u64) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
    let desk = crc32fast::hash(desk.as_bytes());
    format!("{desk:08x}-{first}-{nanos}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_id_fits_the_servers_limit_and_differs_between_desks() {
        let id = batch_id(&"d".repeat(64), u64::MAX);
        assert!(id.len() <= 64, "{id}");
        assert_ne!(batch_id("manila", 7)[..8], batch_id("pristina", 7)[..8]);
    }

    #[test]
    fn an_empty_reply_takes_the_first_message_and_an_api_error_refuses_the_batch() {
        assert!(refused_in(b"").is_ok());
        let disabled = br#"{"type":"io.nats.jetstream.api.v1.pub_ack_response","error":{"code":400,"err_code":10174,"description":"atomic publish is disabled"}}"#;
        match refused_in(disabled) {
            Err(Failed::Refused(e)) => assert_eq!(e.error_code(), ErrorCode::ATOMIC_PUBLISH_DISABLED),
            _ => panic!("not refused"),
        }
        let wrong = br#"{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 4"}}"#;
        assert!(matches!(refused_in(wrong), Err(Failed::Other(_))));
    }
}
