//! This desk's shared records out to the stream, in journal order, each with its origin as the
//! message id (a republish after a crash or a lost ack is stored once) and the record this desk
//! shared before it (`Attache-After`), so every receiver can check it received them all.

use std::path::Path;
use std::time::Duration;

use async_nats::jetstream::{self, context::PublishAckFuture, message::PublishMessage, stream::Stream};

use super::chains::After;
use super::link::{self, Error, last_in_stream};
use super::local::{self, envelope};
use super::settings::SyncConfig;
use super::status::Shared;
use crate::journal::Follower;
use crate::journal::commands::kind_of;
use crate::journal::format::{GENESIS, to_hex, trailer};

/// How often the journal is looked at for new records to share.
pub const POLL: Duration = Duration::from_millis(20);
/// The most records sent before their acknowledgements are awaited.
const BATCH: usize = 10_000;

pub const AFTER_HEADER: &str = "Attache-After";

/// Publishes from the record after the last the stream holds of this desk; returns only on error.
pub async fn run(
    js: &jetstream::Context,
    stream: &Stream,
    config: &SyncConfig,
    dir: &Path,
    status: &Shared,
) -> Result<std::convert::Infallible, Error> {
    let subject = config.subject();
    let shares = |kind: &str| config.shares(kind);
    let mut after = last_in_stream(stream, &subject).await?.unwrap_or(After { seq: 0, sum: GENESIS });
    let mut unsent = local::shared_after(dir, after.seq, &shares)?;
    status.update(|s| {
        s.backlog = unsent;
        s.published = Some(after.seq);
    });
    let mut follower = Follower::from_seq(dir, after.seq + 1)?;
    loop {
        let mut batch = Vec::new();
        follower.poll_lines(|raw, _| {
            if raw.seq > after.seq
                && envelope(raw.bytes).is_none()
                && kind_of(raw.bytes).is_some_and(shares)
                && let Some((_, sum)) = trailer(raw.bytes)
            {
                batch.push((raw.seq, sum, bytes::Bytes::copy_from_slice(raw.bytes)));
            }
            batch.len() < BATCH
        })?;
        if batch.is_empty() {
            tokio::time::sleep(POLL).await;
            continue;
        }
        // Records written since the count was made are backlog too.
        unsent = unsent.max(batch.len() as u64);
        status.update(|s| s.backlog = unsent);
        let mut acks: Vec<PublishAckFuture> = Vec::with_capacity(batch.len());
        for (seq, sum, line) in batch {
            let message = PublishMessage::build()
                .payload(line)
                .message_id(link::message_id(&config.desk, seq, &to_hex(&sum)))
                .header(AFTER_HEADER, after.header().as_str());
            acks.push(js.send_publish(subject.clone(), message).await?);
            after = After { seq, sum };
        }
        for ack in acks {
            ack.await?;
            unsent = unsent.saturating_sub(1);
        }
        status.update(|s| {
            s.backlog = unsent;
            s.published = Some(after.seq);
        });
    }
}
