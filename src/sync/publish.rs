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

use async_nats::jetstream::{self, ErrorCode, stream::Stream};
use bytes::Bytes;

use super::batch::{self, Failed, Outgoing, Sent};
use super::chains::After;
use super::link::{self, Error};
use super::local::{self, envelope};
use super::settings::SyncConfig;
use super::status::Shared;
use crate::journal::Follower;
use crate::journal::format::{GENESIS, kind_of, trailer};

pub use super::batch::AFTER_HEADER;

/// How often the journal is looked at for new records to share.
pub const POLL: Duration = Duration::from_millis(20);
/// How often a desk that cannot send looks again at whether it can.
const LOOK_AGAIN: Duration = Duration::from_secs(30);
/// The most records read from the journal before they are sent.
const READ_AHEAD: usize = 10_000;
/// The most records in one atomic batch: the server's default limit.
pub const ATOMIC_BATCH: usize = 1_000;
/// The most bytes of records in one atomic batch, so that a run of large records (feed items)
/// does not make the server stage megabytes for one commit.
const ATOMIC_BATCH_BYTES: usize = 1 << 20;
/// Room for the headers beside a record, within the server's largest message.
const HEADER_ROOM: usize = 512;

/// What the publisher learned of the servers, kept across sessions by the engine.
pub struct Batching {
    /// The most records in one batch: 1 sends them one at a time.
    pub most: usize,
}

impl Default for Batching {
    fn default() -> Self {
        Batching { most: ATOMIC_BATCH }
    }
}

/// Why this desk's records cannot go now, said once and looked at again every `LOOK_AGAIN`.
struct Stuck(String);

/// Publishes from the record after the last the stream holds of this desk; returns only on an
/// error of the link. While this desk's records cannot go (a journal behind the stream, a record
/// too large for the server), it says why and looks again from time to time, receiving meanwhile.
pub async fn run(
    js: &jetstream::Context,
    stream: &Stream,
    config: &SyncConfig,
    dir: &Path,
    status: &Shared,
    batching: &mut Batching,
    say: &dyn Fn(String),
) -> Result<std::convert::Infallible, Error> {
    let session = Session { js, stream, config, dir, status, say };
    loop {
        let Stuck(why) = session.send_all(batching).await?;
        if status.get().not_sending.as_ref() != Some(&why) {
            say(format!("sync sends none of this desk's records: {why}"));
            status.update(|s| s.not_sending = Some(why));
        }
        tokio::time::sleep(LOOK_AGAIN).await;
    }
}

/// What one session sends with.
#[derive(Clone, Copy)]
struct Session<'a> {
    js: &'a jetstream::Context,
    stream: &'a Stream,
    config: &'a SyncConfig,
    dir: &'a Path,
    status: &'a Shared,
    say: &'a dyn Fn(String),
}

impl Session<'_> {
    /// Sends this desk's records from the stream's last until one cannot go, or the link fails.
    async fn send_all(self, batching: &mut Batching) -> Result<Stuck, Error> {
        let Session { js, stream, config, dir, status, say } = self;
        let shares = |kind: &str| config.shares(kind);
        let last = link::last_stored(stream, &config.subject()).await?;
        let mut sent =
            last.map_or(Sent { after: After { seq: 0, sum: GENESIS }, stored: 0 }, |(after, stored)| Sent {
                after,
                stored,
            });
        // Sending on would put records with seqs the stream already holds behind them.
        if let Some(why) = local::holds(dir, sent.after)? {
            return Ok(Stuck(why));
        }
        let largest = js.client().server_info().max_payload.saturating_sub(HEADER_ROOM);
        let mut unsent = local::shared_after(dir, sent.after.seq, &shares)?;
        status.update(|s| {
            s.backlog = unsent;
            s.published = Some(sent.after.seq);
        });
        let mut noter = super::published::Noter::new(&config.desk);
        noter.note(dir, sent.after.seq, false, say);
        let mut follower = Follower::from_seq(dir, sent.after.seq + 1)?;
        let mut read = Vec::new();
        // Whether the status says nothing stops this desk's records, as far as this session knows.
        let mut sending = false;
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
                // All out: where the stream stands is noted now, not a second later.
                noter.note(dir, sent.after.seq, true, say);
                // Nothing stops this desk's records now: a reason given before no longer holds.
                if !sending {
                    status.update(|s| s.not_sending = None);
                    sending = true;
                }
                tokio::time::sleep(POLL).await;
                continue;
            }
            if let Some(big) = read.iter().find(|r| r.line.len() > largest) {
                return Ok(Stuck(format!(
                    "record #{} is {} bytes, more than the server takes in one message ({} with headers): this desk's records stop before it",
                    big.seq,
                    big.line.len(),
                    largest + HEADER_ROOM
                )));
            }
            // Records written since the count was made are backlog too.
            unsent = unsent.max(read.len() as u64);
            status.update(|s| s.backlog = unsent);
            let allowed = if stream.cached_info().config.allow_atomic_publish { batching.most } else { 1 };
            let mut rest = &read[..];
            while !rest.is_empty() {
                let batch = &rest[..batch_len(rest, allowed.min(batching.most))];
                let done = if batch.len() == 1 {
                    batch::send_one(js, config, &batch[0], sent).await
                } else {
                    batch::send_batch(js, config, batch, sent).await
                };
                match done {
                    Ok(now) => {
                        sent = now;
                        if !sending {
                            status.update(|s| s.not_sending = None);
                            sending = true;
                        }
                    }
                    Err(Failed::Refused(why)) => {
                        batching.most = if why.error_code() == ErrorCode::ATOMIC_PUBLISH_DISABLED {
                            1
                        } else {
                            (batch.len() / 2).max(1)
                        };
                        say(format!(
                            "sync sends at most {} record(s) at a time: the server refused a batch of {} ({why})",
                            batching.most,
                            batch.len()
                        ));
                        continue;
                    }
                    Err(Failed::NotAtomic) => {
                        batching.most = 1;
                        return Err(format!(
                        "the server stored a batch of {} as separate messages (a server older than 2.12 leads the stream): sending one at a time from now on",
                        batch.len()
                    )
                    .into());
                    }
                    Err(Failed::Other(e)) => return Err(e),
                }
                rest = &rest[batch.len()..];
                unsent = unsent.saturating_sub(batch.len() as u64);
                status.update(|s| {
                    s.backlog = unsent;
                    s.published = Some(sent.after.seq);
                });
                noter.note(dir, sent.after.seq, false, say);
            }
            read.clear();
        }
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
