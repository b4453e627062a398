//! The followed desks' records in from the stream: each appended to the local journal as a
//! `remote` envelope holding the origin line byte for byte, in the order received, skipping what
//! is already held. The durable consumer only saves rereading: the position that counts is the
//! journal's (`Chains`), so a record redelivered after a crash is not appended twice.

use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::stream::Stream;
use chrono::Utc;
use futures_util::{FutureExt as _, StreamExt as _};

use super::chains::{After, Chains};
use super::link::Error;
use super::publish::AFTER_HEADER;
use super::settings::{Follow, SUBJECT_PREFIX, SyncConfig, subject_of};
use super::status::Shared;
use crate::event::Event;
use crate::journal::Writer;
use crate::journal::format::to_hex;

/// The most messages appended with one sync of the journal.
const BATCH: usize = 5_000;
/// Who the journal says appended a `remote` record.
pub const BY: &str = "sync";

pub fn consumer_name(desk: &str) -> String {
    format!("attache-{desk}")
}

/// Receives until the link fails; with no desk followed, only waits.
pub async fn run(
    stream: &Stream,
    config: &SyncConfig,
    chains: &mut Chains,
    writer: &mut Writer,
    status: &Shared,
) -> Result<std::convert::Infallible, Error> {
    let filter_subjects = match &config.follow {
        Follow::All => vec![format!("{SUBJECT_PREFIX}*")],
        Follow::Desks(desks) if desks.is_empty() => return std::future::pending().await,
        Follow::Desks(desks) => desks.iter().map(|d| subject_of(d)).collect(),
    };
    let consumer = stream
        .create_consumer(pull::Config {
            durable_name: Some(consumer_name(&config.desk)),
            filter_subjects,
            ack_policy: AckPolicy::All,
            deliver_policy: DeliverPolicy::All,
            max_ack_pending: (BATCH * 4) as i64,
            ..Default::default()
        })
        .await?;
    let mut messages =
        consumer.stream().max_messages_per_batch(BATCH).heartbeat(Duration::from_secs(2)).messages().await?;
    loop {
        let first = messages.next().await.ok_or("the stream's messages ended")??;
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match messages.next().now_or_never() {
                Some(Some(Ok(message))) => batch.push(message),
                Some(Some(Err(e))) => return Err(e.into()),
                _ => break,
            }
        }
        let mut events = Vec::new();
        for message in &batch {
            let Some(desk) = message.subject.strip_prefix(SUBJECT_PREFIX) else { continue };
            let line: &[u8] = &message.payload;
            if desk == config.desk || !config.follow.follows(desk) || !chains.is_new(desk, line) {
                continue;
            }
            // Without the header the link cannot be checked: taken as following nothing, which
            // `journal verify` reports as a fork.
            let after = message
                .headers
                .as_ref()
                .and_then(|h| h.get(AFTER_HEADER))
                .and_then(|v| After::parse_header(v.as_str()))
                .unwrap_or(After { seq: 0, sum: crate::journal::format::GENESIS });
            chains.push(0, desk, line, after);
            events.push(Event::Remote {
                desk: desk.to_string(),
                record: String::from_utf8_lossy(line).into_owned(),
                after_seq: after.seq,
                after_sum: to_hex(&after.sum),
            });
        }
        if !events.is_empty() {
            writer.append(BY, Utc::now(), events)?;
            status.update(|s| s.desks = chains.desks.clone());
        }
        if let Some(last) = batch.last() {
            last.ack().await?;
        }
    }
}
