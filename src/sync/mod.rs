//! Desks over NATS JetStream: each desk publishes the records it shares to a subject of its own,
//! and appends the records of the desks it follows to its journal as `remote` envelopes, byte for
//! byte. The local journal stays the truth; the stream is only how records travel.

pub mod batch;
pub mod chains;
pub mod command;
pub mod engine;
pub mod link;
pub mod local;
pub mod publish;
pub mod published;
pub mod receive;
pub mod settings;
pub mod status;
