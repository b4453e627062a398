//! Checking the TLS files a TAK connection names (`ca_file`, `client_cert`, `client_key`, and
//! `server_name` when the certificate is made out to another name than the URL's), for
//! `cot-tcp` feeds over `ssl://` and `[[cot_out]]` alike: given together when the configuration
//! is loaded; readable, PEM, the key private to its owner at `attache check`,
//! so a desk learns of a bad file before it needs the connection. Loading never reads them:
//! the key is the poller's account's alone, and every other command must still run for the
//! operators who cannot read it. The connection reads them again, and says what is wrong.

use std::path::Path;

use super::problem::{Problem, Source};
use super::raw::Text;
use crate::feeds::tls::{ClientFiles, TlsFiles};

/// The three keys as written in one table.
pub(super) struct Written<'a> {
    pub ca_file: Option<&'a Text>,
    pub client_cert: Option<&'a Text>,
    pub client_key: Option<&'a Text>,
    pub server_name: Option<&'a Text>,
}

impl Written<'_> {
    /// The first of the keys that is given, to point at when TLS is not in use.
    fn any(&self) -> Option<(&'static str, &Text)> {
        [
            ("ca_file", self.ca_file),
            ("client_cert", self.client_cert),
            ("client_key", self.client_key),
            ("server_name", self.server_name),
        ]
        .into_iter()
        .find_map(|(key, text)| Some((key, text?)))
    }
}

/// The TLS files of a `ssl://` connection, given as they must be; None after saying what is wrong.
/// `at` is where to point when `ca_file` is missing (the url).
pub(super) fn files(
    src: &Source,
    written: &Written,
    field: &str,
    at: std::ops::Range<usize>,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<TlsFiles> {
    let Some(ca_file) = written.ca_file else {
        let message = "an ssl:// connection needs `ca_file`: the PEM file of the CA that signed the TAK \
                       server's certificate (in a TAK data package, the truststore exported as PEM)";
        problems.push(src.problem(Some(at), format!("{field}.ca_file"), message));
        return None;
    };
    let client = match (written.client_cert, written.client_key) {
        (Some(cert), Some(key)) => {
            Some(ClientFiles { cert: base.join(cert.get_ref()), key: base.join(key.get_ref()) })
        }
        (None, None) => None,
        (Some(given), None) | (None, Some(given)) => {
            let missing = if written.client_cert.is_some() { "client_key" } else { "client_cert" };
            let message = format!("give client_cert and client_key together (`{missing}` is missing)");
            problems.push(src.problem(Some(given.span()), format!("{field}.{missing}"), message));
            return None;
        }
    };
    let server_name = match written.server_name {
        Some(name) if rustls::pki_types::ServerName::try_from(name.get_ref().as_str()).is_err() => {
            let message = format!("`{}` is not a host name or an IP address", name.get_ref());
            problems.push(src.problem(Some(name.span()), format!("{field}.server_name"), message));
            return None;
        }
        name => name.map(|n| n.get_ref().clone()),
    };
    Some(TlsFiles { ca_file: base.join(ca_file.get_ref()), client, server_name })
}

/// Reads the files of a `ssl://` connection given as `written` (as `files` takes them), saying
/// what is wrong with them at the key that names the file.
pub(super) fn on_disk(
    src: &Source,
    written: &Written,
    field: &str,
    base: &Path,
    problems: &mut Vec<Problem>,
) {
    let Some(ca_file) = written.ca_file else { return };
    let client = match (written.client_cert, written.client_key) {
        (Some(cert), Some(key)) => {
            Some(ClientFiles { cert: base.join(cert.get_ref()), key: base.join(key.get_ref()) })
        }
        (None, None) => None,
        _ => return,
    };
    let files = TlsFiles { ca_file: base.join(ca_file.get_ref()), client, server_name: None };
    if let Err(problem) = files.client_config() {
        let text = match problem.key {
            "client_cert" => written.client_cert,
            "client_key" => written.client_key,
            _ => Some(ca_file),
        };
        let span = text.unwrap_or(ca_file).span();
        problems.push(src.problem(Some(span), format!("{field}.{}", problem.key), problem.message));
    }
}

/// Says that TLS keys are given to a connection that does not use TLS, if any are.
pub(super) fn refuse(src: &Source, written: &Written, field: &str, why: &str, problems: &mut Vec<Problem>) {
    if let Some((key, text)) = written.any() {
        problems.push(src.problem(Some(text.span()), format!("{field}.{key}"), why.to_string()));
    }
}
