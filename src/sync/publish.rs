//! This desk's shared records out to the stream, in journal order, each with its origin as the
//! message id (a republish after a crash or a lost ack is stored once) and the record this desk
//! shared before it (`Attache-After`), so every receiver can check it received them all.
//!
//! One at a time, each expecting the one before it to be this desk's last in the stream: sent
//! ahead without waiting, a record lost while the stream's leader changed could be followed by
//! later ones stored, a gap no republish could fill in order (the cluster test found it). The
//! expectation also refuses a second host publishing under the same desk id.

use std::path::Path;
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream::Stream};

use super::chains::After;
use super::link::{self, Error};
use super::local::{self, envelope};
use super::settings::SyncConfig;
use super::status::Shared;
use crate::journal::Follower;
use crate::journal::format::kind_of;
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
    let last = link::last_stored(stream, &subject).await?;
    let mut after = last.map_or(After { seq: 0, sum: GENESIS }, |(after, _)| after);
    let mut stored = last.map_or(0, |(_, sequence)| sequence);
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
        for (seq, sum, line) in batch {
            let message = PublishMessage::build()
                .payload(line)
                .message_id(link::message_id(&config.desk, seq, &to_hex(&sum)))
                .expected_last_subject_sequence(stored)
                .header(AFTER_HEADER, after.header().as_str());
            let ack = js.send_publish(subject.clone(), message).await?.await?;
            stored = ack.sequence;
            after = After { seq, sum };
            unsent = unsent.saturating_sub(1);
            if unsent % 1_000 == 0 {
                status.update(|s| s.backlog = unsent);
            }
        }
        status.update(|s| {
            s.backlog = unsent;
            s.published = Some(after.seq);
        });
    }
}
