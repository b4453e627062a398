//! TLS to a TAK server's streaming port (`ssl://host:8089`), as TAK Server and FreeTAKServer run
//! it: the server is verified against the desk's copy of the server's own CA (`ca_file`), and
//! the desk shows its client certificate (`client_cert`, `client_key`), all PEM. rustls with the
//! ring provider, the one reqwest already uses. The files are read at each connection, so a
//! renewed certificate needs no restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{AlertDescription, CertificateError, ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The files a TLS connection to a TAK server is made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate authorities (PEM) the server's certificate must come from.
    pub ca_file: PathBuf,
    /// The desk's certificate (PEM, its chain may follow) and private key (PEM, readable by its
    /// owner alone); None: no client certificate is shown.
    pub client: Option<ClientFiles>,
    /// The name the server's certificate must be made out to; None: the URL's host.
    pub server_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What is wrong with one of the files: the configuration key that names it, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub key: &'static str,
    pub message: String,
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl TlsFiles {
    /// Reads the files and makes the client's settings; a problem names the file and its key.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, FileProblem> {
        let mut roots = RootCertStore::empty();
        for cert in certificates(&self.ca_file, "ca_file")? {
            roots.add(cert).map_err(|e| {
                problem("ca_file", &self.ca_file, format!("not a usable CA certificate: {e}"))
            })?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| FileProblem { key: "ca_file", message: format!("TLS settings: {e}") })?
            .with_root_certificates(roots);
        let config = match &self.client {
            None => builder.with_no_client_auth(),
            Some(client) => {
                let chain = certificates(&client.cert, "client_cert")?;
                let key = private_key(&client.key)?;
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    let why = format!("does not go with the certificate in {}: {e}", client.cert.display());
                    problem("client_key", &client.key, why)
                })?
            }
        };
        Ok(Arc::new(config))
    }
}

fn problem(key: &'static str, path: &Path, why: String) -> FileProblem {
    FileProblem { key, message: format!("{}: {why}", path.display()) }
}

fn read(path: &Path, key: &'static str) -> Result<Vec<u8>, FileProblem> {
    std::fs::read(path).map_err(|e| problem(key, path, format!("cannot read: {e}")))
}

fn certificates(path: &Path, key: &'static str) -> Result<Vec<CertificateDer<'static>>, FileProblem> {
    let bytes = read(path, key)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| problem(key, path, format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(problem(key, path, "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into()));
    }
    Ok(certs)
}

/// The private key, refused when its file is readable by group or others, as ssh refuses one.
/// The file is opened once and its mode taken from the open file, so the key read is the file
/// whose mode was checked.
fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, FileProblem> {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let cannot_read = |e: std::io::Error| problem("client_key", path, format!("cannot read: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let mode = file.metadata().map_err(cannot_read)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        let why =
            format!("the private key is readable by group or others (mode {mode:o}); run chmod 600 on it");
        return Err(problem("client_key", path, why));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(cannot_read)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
        let why = match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC) in it".to_string()
            }
            other => format!("not a PEM private key: {other}"),
        };
        problem("client_key", path, why)
    })
}

/// The host of `host:port` (brackets of an IPv6 address taken off).
fn host_of(address: &str) -> &str {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// Connects to `address` (`host:port`) and makes the TLS handshake, within `timeout`, expecting
/// the server's certificate to be made out to `server_name`, else to the address's host.
pub async fn connect(
    config: Arc<ClientConfig>,
    address: &str,
    server_name: Option<&str>,
    timeout: Duration,
) -> Result<TlsStream<TcpStream>, String> {
    let host = server_name.unwrap_or_else(|| host_of(address));
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| format!("ssl://{address}: {host:?} is not a host name: {e}"))?;
    let attempt = async {
        let tcp = TcpStream::connect(address)
            .await
            .map_err(|e| format!("cannot connect to ssl://{address}: {e}"))?;
        super::keepalive::set(&tcp)
            .map_err(|e| format!("cannot set TCP keepalive on ssl://{address}: {e}"))?;
        TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS handshake with ssl://{address} failed: {}", reason(&e, host)))
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(format!("cannot connect to ssl://{address}: timed out after {timeout:?}")),
    }
}

/// What went wrong in TLS, said for the operator who has to fix it, with rustls' own words.
pub fn reason(error: &std::io::Error, host: &str) -> String {
    let Some(tls) = error.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) else {
        return error.to_string();
    };
    let hint = match tls {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is not from the CA in ca_file".to_string()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!("the server's certificate is not made out to {host}"),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired".into(),
        rustls::Error::AlertReceived(
            AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateRequired
            | AlertDescription::CertificateUnknown
            | AlertDescription::AccessDenied,
        ) => "the server refused this desk's client certificate (is client_cert one its CA signed?)".into(),
        // Also what a server says when it shares no protocol version or cipher with the desk
        // (one limited to TLS 1.0 or 1.1), so the certificate is not blamed alone.
        rustls::Error::AlertReceived(AlertDescription::DecryptError | AlertDescription::HandshakeFailure) => {
            "the server ended the handshake: it refused this desk's client certificate, or shares no TLS \
             version or cipher with it (attache speaks TLS 1.2 and 1.3)"
                .into()
        }
        _ => return tls.to_string(),
    };
    format!("{hint} ({tls})")
}

/// Why a read from an established TLS stream failed, with TLS alerts explained.
pub fn read_failed(error: &std::io::Error, address: &str) -> String {
    format!("reading ssl://{address} failed: {}", reason(error, host_of(address)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_is_the_address_without_its_port() {
        assert_eq!(host_of("tak.example.org:8089"), "tak.example.org");
        assert_eq!(host_of("[::1]:8089"), "::1");
        assert_eq!(host_of("127.0.0.1:8089"), "127.0.0.1");
    }
}
