//! The followed desks' records in from the stream: each appended to the local journal as a
//! `remote` envelope holding the origin line byte for byte, in the order received, skipping what
//! is already held. The position is the journal's alone: every session reads from an ordered
//! consumer of its own, starting after the last message each followed desk has appended here
//! (`Local::positions`), so nothing a dropped session had in hand is lost, and a desk added to
//! `follow` gets everything it ever shared.

use std::collections::BTreeMap;

use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use async_nats::jetstream::stream::Stream;
use chrono::Utc;
use futures_util::{FutureExt as _, StreamExt as _, TryStreamExt as _};

use super::chains::After;
use super::link::Error;
use super::local::{Local, StreamPosition};
use super::publish::AFTER_HEADER;
use super::settings::{Follow, SUBJECT_PREFIX, SyncConfig, subject_of, valid_desk_id};
use super::status::Shared;
use crate::event::Event;
use crate::journal::Writer;
use crate::journal::format::to_hex;

/// The most messages appended with one sync of the journal.
const BATCH: usize = 5_000;
/// Who the journal says appended a `remote` record.
pub const BY: &str = "sync";

/// Receives until the link fails; with no desk followed, only waits. `say` hears of messages on
/// a subject that names no desk, which are skipped.
pub async fn run(
    stream: &Stream,
    config: &SyncConfig,
    local: &mut Local,
    writer: &mut Writer,
    status: &Shared,
    say: &dyn Fn(String),
) -> Result<std::convert::Infallible, Error> {
    // The durable consumer earlier versions kept holds a position of its own: no longer asked.
    let _ = stream.delete_consumer(&format!("attache-{}", config.desk)).await;
    let filter_subjects = match &config.follow {
        Follow::All => vec![format!("{SUBJECT_PREFIX}*")],
        Follow::Desks(desks) if desks.is_empty() => return std::future::pending().await,
        Follow::Desks(desks) => desks.iter().map(|d| subject_of(d)).collect(),
    };
    let start = start_sequence(stream, config, &local.positions).await?;
    let consumer = stream
        .create_consumer(pull::OrderedConfig {
            filter_subjects,
            deliver_policy: DeliverPolicy::ByStartSequence { start_sequence: start },
            ..Default::default()
        })
        .await?;
    let mut messages = consumer.messages().await?;
    let mut refused: Option<String> = None;
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
        // Taken into a copy first: what is held here moves only once the journal holds it, so a
        // failed append leaves nothing believed held that a later session would skip.
        let mut next =
            Local { chains: local.chains.clone(), positions: local.positions.clone(), ..Local::default() };
        let mut events = Vec::new();
        for message in &batch {
            let Some(desk) = message.subject.strip_prefix(SUBJECT_PREFIX) else { continue };
            if !valid_desk_id(desk) {
                let subject = crate::text::one_line(&message.subject);
                if refused.as_deref() != Some(subject.as_str()) {
                    say(format!("sync skips messages on {subject}: its last token is not a desk id"));
                    refused = Some(subject);
                }
                continue;
            }
            let line: &[u8] = &message.payload;
            if desk == config.desk || !config.follow.follows(desk) || !next.chains.is_new(desk, line) {
                continue;
            }
            let stream_seq = message.info()?.stream_sequence;
            // Without the header the link cannot be checked: taken as following nothing, which
            // `journal verify` reports as a fork.
            let after = message
                .headers
                .as_ref()
                .and_then(|h| h.get(AFTER_HEADER))
                .and_then(|v| After::parse_header(v.as_str()))
                .unwrap_or(After { seq: 0, sum: crate::journal::format::GENESIS });
            let envelope = super::local::Envelope {
                desk: desk.to_string(),
                record: String::from_utf8_lossy(line).into_owned(),
                after,
                stream_seq: Some(stream_seq),
            };
            next.take_envelope(0, &envelope);
            events.push(Event::Remote {
                desk: envelope.desk,
                record: envelope.record,
                after_seq: after.seq,
                after_sum: to_hex(&after.sum),
                stream_seq: Some(stream_seq),
            });
        }
        if !events.is_empty() {
            writer.append(BY, Utc::now(), events)?;
            local.chains = next.chains;
            local.positions = next.positions;
            status.update(|s| s.desks = local.chains.followed(&config.follow));
        }
    }
}

/// The stream sequence to read from: after the last message appended here of every followed
/// desk the stream holds anything of, or 1 for a desk with nothing appended here yet, or whose
/// position the stream no longer holds as it was (a stream made again, a journal restored).
pub async fn start_sequence(
    stream: &Stream,
    config: &SyncConfig,
    positions: &BTreeMap<String, StreamPosition>,
) -> Result<u64, Error> {
    // Taken before the subjects are listed: whatever is stored later is read from here.
    let last = stream.get_info().await?.state.last_sequence;
    let subjects: Vec<(String, usize)> =
        stream.info_with_subjects(format!("{SUBJECT_PREFIX}*")).await?.try_collect().await?;
    let mut start = last + 1;
    for (subject, _) in subjects {
        let Some(desk) = subject.strip_prefix(SUBJECT_PREFIX) else { continue };
        if desk == config.desk || !valid_desk_id(desk) || !config.follow.follows(desk) {
            continue;
        }
        let after = match positions.get(desk) {
            Some(position) => match stream.get_raw_message(position.stream_seq).await {
                Ok(held) if held.subject.as_str() == subject && held.payload == position.line => {
                    position.stream_seq + 1
                }
                _ => 1,
            },
            None => 1,
        };
        start = start.min(after);
    }
    Ok(start)
}
