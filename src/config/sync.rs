//! Checking `[sync]`: server URLs of a scheme the client speaks, a desk id that can be a subject,
//! the desks to follow, a credentials file that is there (or a variable that can hold them),
//! share groups that exist.

use std::path::Path;

use super::problem::{Problem, Source};
use super::raw;
use crate::sync::settings::{Credentials, DEFAULT_SHARE, Follow, SyncConfig, kinds_of, valid_desk_id};

const DESK_ID_RULE: &str = "lowercase letters, digits, `-` and `_`, at most 64";

pub(super) fn section(
    src: &Source,
    raw: Option<&raw::Sync>,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<SyncConfig> {
    let raw = raw?;
    let before = problems.len();
    if raw.servers.get_ref().is_empty() {
        problems.push(src.problem(
            Some(raw.servers.span()),
            "sync.servers",
            "name at least one server, e.g. servers = [\"nats://hq-1:4222\"]",
        ));
    }
    for server in raw.servers.get_ref() {
        let url = server.get_ref();
        let scheme_ok = ["nats://", "tls://"].iter().any(|s| url.starts_with(s) && url.len() > s.len());
        if !scheme_ok {
            problems.push(src.problem(
                Some(server.span()),
                "sync.servers",
                format!("`{url}` is not a NATS server URL (nats://host:port, or tls://host:port for TLS)"),
            ));
        }
    }
    let desk = raw.desk.get_ref().clone();
    if !valid_desk_id(&desk) {
        problems.push(src.problem(
            Some(raw.desk.span()),
            "sync.desk",
            format!("`{desk}` cannot be a desk id ({DESK_ID_RULE})"),
        ));
    }
    let follow = match &raw.follow {
        None => Follow::Desks(Vec::new()),
        Some(list) if list.get_ref().iter().any(|d| d.get_ref() == "*") => {
            if list.get_ref().len() > 1 {
                problems.push(src.problem(
                    Some(list.span()),
                    "sync.follow",
                    "\"*\" follows every desk: give it alone, or name the desks",
                ));
            }
            Follow::All
        }
        Some(list) => {
            for id in list.get_ref() {
                if !valid_desk_id(id.get_ref()) {
                    let message = format!("`{}` cannot be a desk id ({DESK_ID_RULE})", id.get_ref());
                    problems.push(src.problem(Some(id.span()), "sync.follow", message));
                } else if id.get_ref() == &desk {
                    let message = format!("`{desk}` is this desk: a desk does not follow itself");
                    problems.push(src.problem(Some(id.span()), "sync.follow", message));
                }
            }
            Follow::Desks(list.get_ref().iter().map(|d| d.get_ref().clone()).collect())
        }
    };
    let credentials_file = raw.credentials_file.as_ref().map(|file| {
        let path = base.join(file.get_ref());
        // It holds the desk's NKey seed: refused, like any secret file, unless only its owner can read it.
        if let Err(message) = super::feeds::private_file(&path) {
            problems.push(src.problem(Some(file.span()), "sync.credentials_file", message));
        }
        path
    });
    let credentials = match (credentials_file, &raw.credentials_env) {
        (Some(_), Some(var)) => {
            problems.push(src.problem(
                Some(var.span()),
                "sync.credentials_env",
                "give credentials_file or credentials_env, not both",
            ));
            None
        }
        (Some(path), None) => Some(Credentials::File(path)),
        (None, Some(var)) if !valid_env_name(var.get_ref()) => {
            let message = format!("`{}` cannot name an environment variable", var.get_ref());
            problems.push(src.problem(Some(var.span()), "sync.credentials_env", message));
            None
        }
        (None, Some(var)) => Some(Credentials::Env(var.get_ref().clone())),
        (None, None) => None,
    };
    let domain = raw.domain.as_ref().map(|domain| {
        let name = domain.get_ref();
        let plain =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain {
            let message = format!("`{name}` cannot name a JetStream domain (letters, digits, `-` and `_`)");
            problems.push(src.problem(Some(domain.span()), "sync.domain", message));
        }
        name.clone()
    });
    let kinds = match &raw.share {
        None => kinds_of(DEFAULT_SHARE).expect("the default share groups exist"),
        Some(list) => {
            let names: Vec<&str> = list.get_ref().iter().map(|n| n.get_ref().as_str()).collect();
            kinds_of(&names).unwrap_or_else(|message| {
                problems.push(src.problem(Some(list.span()), "sync.share", message));
                Vec::new()
            })
        }
    };
    let replicas = raw.replicas.as_ref().map_or(1, |r| *r.get_ref());
    if let Some(r) = &raw.replicas
        && !(1..=5).contains(&replicas)
    {
        problems.push(src.problem(
            Some(r.span()),
            "sync.replicas",
            format!("a stream is held by 1 to 5 servers, not {replicas}"),
        ));
    }
    (problems.len() == before).then(|| SyncConfig {
        servers: raw.servers.get_ref().iter().map(|s| s.get_ref().clone()).collect(),
        desk,
        follow,
        credentials,
        domain,
        kinds,
        replicas,
    })
}

/// Letters, digits and `_`, not starting with a digit: what a shell can export.
fn valid_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
