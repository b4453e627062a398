//! Checking `[[cot_out]]` entries: a `ssl://HOST:PORT` TAK server with its TLS files (or a plain
//! `tcp://` one), or a `udp://ADDRESS:PORT` to send datagrams to (a multicast group or one host).

use std::path::Path;

use super::problem::{Problem, Source};
use super::raw;
use crate::cot_out::{CotOutConfig, Target};

pub(super) fn entries(
    src: &Source,
    raw: &[raw::CotOut],
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Vec<CotOutConfig> {
    raw.iter()
        .enumerate()
        .filter_map(|(n, entry)| {
            let field = format!("cot_out[{n}]");
            let url = &entry.url;
            let written = super::tls::Written {
                ca_file: entry.ca_file.as_ref(),
                client_cert: entry.client_cert.as_ref(),
                client_key: entry.client_key.as_ref(),
                server_name: entry.server_name.as_ref(),
            };
            let target = if let Some(rest) = url.get_ref().strip_prefix("udp://") {
                super::tls::refuse(src, &written, &field, "udp:// is not encrypted: TLS files go with ssl://", problems);
                match rest.parse() {
                    Ok(address) => Some(Target::Udp(address)),
                    Err(_) => {
                        let message =
                            format!("`{}` is not udp://ADDRESS:PORT such as udp://239.2.3.1:6969", url.get_ref());
                        problems.push(src.problem(Some(url.span()), format!("{field}.url"), message));
                        None
                    }
                }
            } else {
                match super::feeds::stream_address(url.get_ref()) {
                    Some((false, address)) => {
                        let why = "a tcp:// stream is not encrypted: use ssl:// for ca_file, client_cert, client_key and server_name";
                        super::tls::refuse(src, &written, &field, why, problems);
                        Some(Target::Stream { address, tls: None })
                    }
                    Some((true, address)) => super::tls::files(src, &written, &field, url.span(), base, problems)
                        .map(|tls| Target::Stream { address, tls: Some(tls) }),
                    None => {
                        let message = format!(
                            "`{}` is not ssl://HOST:PORT (a TAK server), tcp://HOST:PORT or udp://ADDRESS:PORT",
                            url.get_ref()
                        );
                        problems.push(src.problem(Some(url.span()), format!("{field}.url"), message));
                        None
                    }
                }
            };
            Some(CotOutConfig { url: url.get_ref().clone(), target: target?, missions: entry.missions })
        })
        .collect()
}
