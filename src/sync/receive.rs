//! The followed desks' records in from the stream: each appended to the local journal as a
//! `remote` envelope holding the origin line byte for byte, in the order received, skipping what
//! is already held. The durable consumer only saves rereading: the position that counts is the
//! journal's (`Chains`), so a record redelivered after a crash is not appended twice.
//!
//! A record that does not continue its desk's chain is not appended while a record before it may
//! still come: messages handed to a session that ended wait out their acknowledgement time
//! before they come again, and acknowledging a later one would acknowledge them too (a loss the
//! three-node test found). Each session therefore starts delivery again just after the last
//! acknowledged message, and a record that does not continue its chain ends the session, unless
//! it is the first of its desk in the session: then nothing before it is on its way, the gap is
//! in the stream itself, and the record is appended for `journal verify` to report.

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
    let name = consumer_name(&config.desk);
    // Delivery starts again after the last message acknowledged, i.e. appended here.
    let deliver_policy = match stream.consumer_info(&name).await {
        Ok(info) => {
            let floor = info.ack_floor.stream_sequence;
            stream.delete_consumer(&name).await?;
            if floor == 0 {
                DeliverPolicy::All
            } else {
                DeliverPolicy::ByStartSequence { start_sequence: floor + 1 }
            }
        }
        Err(_) => DeliverPolicy::All,
    };
    let consumer = stream
        .create_consumer(pull::Config {
            durable_name: Some(name),
            filter_subjects,
            ack_policy: AckPolicy::All,
            deliver_policy,
            max_ack_pending: (BATCH * 4) as i64,
            ..Default::default()
        })
        .await?;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
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
        // The last message whose record is appended or need not be: acknowledged with them.
        let mut done = None;
        let mut gap = None;
        for message in &batch {
            let Some(desk) = message.subject.strip_prefix(SUBJECT_PREFIX) else { continue };
            let line: &[u8] = &message.payload;
            if desk == config.desk || !config.follow.follows(desk) || !chains.is_new(desk, line) {
                done = Some(message);
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
            let first_here = seen.insert(desk.to_string());
            if after.seq > chains.held(desk).seq && !first_here {
                gap = Some(format!(
                    "desk {desk}: a record after #{} came before #{} was appended here; delivery starts again",
                    after.seq, after.seq
                ));
                break;
            }
            chains.push(0, desk, line, after);
            done = Some(message);
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
        if let Some(last) = done {
            last.ack().await?;
        }
        if let Some(why) = gap {
            return Err(why.into());
        }
    }
}
