//! This desk's shared records out to the stream, in journal order, each with the record this desk
//! shared before it (`Attache-After`), so every receiver can check it received them all.
//!
//! Each send expects this desk's last message in the stream to be the one before it
//! (`Nats-Expected-Last-Subject-Sequence`): a record lost while the stream's leader changed can
//! then never be followed by later ones stored, and a second host publishing under the same desk
//! id is refused. Many records go as one atomic batch (stored all or none) where the stream allows
//! it, so the expectation costs one round trip per batch rather than per record.

use std::path::Path;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, message::PublishMessage, stream::Stream};
use bytes::Bytes;

use super::chains::After;
use super::link::{self, Error};
use super::local::{self, envelope};
use super::settings::SyncConfig;
use super::status::Shared;
use crate::journal::Follower;
use crate::journal::format::kind_of;
use crate::journal::format::{GENESIS, Hash, to_hex, trailer};

/// How often the journal is looked at for new records to share.
pub const POLL: Duration = Duration::from_millis(20);
/// The most records read from the journal before they are sent.
const READ_AHEAD: usize = 10_000;
/// The most records in one atomic batch: the server's limit.
const ATOMIC_BATCH: usize = 1_000;
/// The most bytes of records in one atomic batch, so that a run of large records (feed items)
/// does not make the server stage megabytes for one commit.
const ATOMIC_BATCH_BYTES: usize = 4 << 20;

pub const AFTER_HEADER: &str = "Attache-After";

/// One shared record on its way out.
struct Outgoing {
    seq: u64,
    sum: Hash,
    line: Bytes,
}

/// Where this desk's records stand in the stream: its last one there, and where the stream holds it.
struct Sent {
    after: After,
    stored: u64,
}

/// Publishes from the record after the last the stream holds of this desk; returns only on error.
pub async fn run(
    js: &jetstream::Context,
    stream: &Stream,
    config: &SyncConfig,
    dir: &Path,
    status: &Shared,
    say: &dyn Fn(String),
) -> Result<std::convert::Infallible, Error> {
    let subject = config.subject();
    let shares = |kind: &str| config.shares(kind);
    let last = link::last_stored(stream, &subject).await?;
    let mut sent =
        last.map_or(Sent { after: After { seq: 0, sum: GENESIS }, stored: 0 }, |(after, stored)| Sent {
            after,
            stored,
        });
    // Sending on would put records with seqs the stream already holds behind them: refused, and
    // said, while the followed desks' records still come in.
    if let Err(why) = local::holds(dir, sent.after) {
        say(format!("sync sends none of this desk's records: {why}"));
        status.update(|s| s.not_sending = Some(why));
        return std::future::pending().await;
    }
    status.update(|s| s.not_sending = None);
    let most = if stream.cached_info().config.allow_atomic_publish { ATOMIC_BATCH } else { 1 };
    let mut unsent = local::shared_after(dir, sent.after.seq, &shares)?;
    status.update(|s| {
        s.backlog = unsent;
        s.published = Some(sent.after.seq);
    });
    let mut follower = Follower::from_seq(dir, sent.after.seq + 1)?;
    let mut read = Vec::new();
    loop {
        follower.poll_lines(|raw, _| {
            if raw.seq > sent.after.seq
                && envelope(raw.bytes).is_none()
                && kind_of(raw.bytes).is_some_and(shares)
                && let Some((_, sum)) = trailer(raw.bytes)
            {
                read.push(Outgoing { seq: raw.seq, sum, line: Bytes::copy_from_slice(raw.bytes) });
            }
            read.len() < READ_AHEAD
        })?;
        if read.is_empty() {
            tokio::time::sleep(POLL).await;
            continue;
        }
        // Records written since the count was made are backlog too.
        unsent = unsent.max(read.len() as u64);
        status.update(|s| s.backlog = unsent);
        let mut rest = &read[..];
        while !rest.is_empty() {
            let batch = &rest[..batch_len(rest, most)];
            sent = if batch.len() == 1 {
                send_one(js, config, &batch[0], sent).await?
            } else {
                send_batch(js, config, batch, sent).await?
            };
            rest = &rest[batch.len()..];
            unsent = unsent.saturating_sub(batch.len() as u64);
            status.update(|s| {
                s.backlog = unsent;
                s.published = Some(sent.after.seq);
            });
        }
        read.clear();
    }
}

/// How many of `records` go in the next send: at most `most`, and within the batch's bytes.
fn batch_len(records: &[Outgoing], most: usize) -> usize {
    let mut bytes = 0;
    let fits = records.iter().take(most).take_while(|r| {
        bytes += r.line.len();
        bytes <= ATOMIC_BATCH_BYTES
    });
    fits.count().max(1)
}

/// One record, with its origin as the message id as well (a plain publish may carry one).
async fn send_one(
    js: &jetstream::Context,
    config: &SyncConfig,
    record: &Outgoing,
    sent: Sent,
) -> Result<Sent, Error> {
    let message = PublishMessage::build()
        .payload(record.line.clone())
        .message_id(link::message_id(&config.desk, record.seq, &to_hex(&record.sum)))
        .expected_last_subject_sequence(sent.stored)
        .header(AFTER_HEADER, sent.after.header().as_str());
    let ack = js.send_publish(config.subject(), message).await?.await?;
    Ok(Sent { after: After { seq: record.seq, sum: record.sum }, stored: ack.sequence })
}

/// An atomic batch: every message but the last goes without a reply, the last commits them all
/// and is answered with where the stream put it. The first carries the expectation, which the
/// server checks for the batch as a whole.
async fn send_batch(
    js: &jetstream::Context,
    config: &SyncConfig,
    batch: &[Outgoing],
    sent: Sent,
) -> Result<Sent, Error> {
    let subject = config.subject();
    let id = batch_id(batch[0].seq);
    let mut after = sent.after;
    let client = js.client();
    let (last, leading) = batch.split_last().expect("a batch holds a record");
    for (n, record) in leading.iter().enumerate() {
        let mut headers = batch_headers(&id, n + 1, after);
        if n == 0 {
            headers.insert("Nats-Expected-Last-Subject-Sequence", sent.stored.to_string().as_str());
        }
        client.publish_with_headers(subject.clone(), headers, record.line.clone()).await?;
        after = After { seq: record.seq, sum: record.sum };
    }
    let mut headers = batch_headers(&id, batch.len(), after);
    headers.insert("Nats-Batch-Commit", "1");
    let commit = PublishMessage::build().payload(last.line.clone()).headers(headers);
    let ack = js.send_publish(subject, commit).await?.await?;
    Ok(Sent { after: After { seq: last.seq, sum: last.sum }, stored: ack.sequence })
}

fn batch_headers(id: &str, n: usize, after: After) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Batch-Id", id);
    headers.insert("Nats-Batch-Sequence", n.to_string().as_str());
    headers.insert(AFTER_HEADER, after.header().as_str());
    headers
}

/// A batch id no other batch in flight has: the first record's seq and the clock.
fn batch_id(first: u64) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("{first}-{nanos}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(sizes: &[usize]) -> Vec<Outgoing> {
        sizes
            .iter()
            .enumerate()
            .map(|(n, &size)| Outgoing {
                seq: n as u64 + 1,
                sum: GENESIS,
                line: Bytes::from(vec![b'x'; size]),
            })
            .collect()
    }

    #[test]
    fn a_batch_stops_at_the_record_limit_and_at_the_byte_limit_but_always_takes_one() {
        assert_eq!(batch_len(&records(&[100; 2_500]), ATOMIC_BATCH), ATOMIC_BATCH);
        assert_eq!(batch_len(&records(&[100; 2_500]), 1), 1);
        assert_eq!(batch_len(&records(&[100; 7]), ATOMIC_BATCH), 7);
        let big = ATOMIC_BATCH_BYTES / 3;
        assert_eq!(batch_len(&records(&[big, big, big, big]), ATOMIC_BATCH), 3);
        assert_eq!(batch_len(&records(&[ATOMIC_BATCH_BYTES + 1, 10]), ATOMIC_BATCH), 1);
    }
}
