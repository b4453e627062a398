//! A TAK server's streaming port for tests: mutual TLS on 127.0.0.1 with certificates made by
//! the test (rcgen): a CA, the server's certificate from it, and client certificates from it or
//! from another CA. Each connection is sent the given bytes, and what the client writes is
//! handed back, as TAK Server would relay it.

#![allow(dead_code)] // each test file uses a different part of this module

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

/// A certificate authority made for the test.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key, PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        Ca { issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap() }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    fn leaf(&self, names: &[&str], purpose: ExtendedKeyUsagePurpose) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.extended_key_usages = vec![purpose];
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
        }
    }

    pub fn server(&self, names: &[&str]) -> Leaf {
        self.leaf(names, ExtendedKeyUsagePurpose::ServerAuth)
    }

    pub fn client(&self, name: &str) -> Leaf {
        self.leaf(&[name], ExtendedKeyUsagePurpose::ClientAuth)
    }
}

/// Writes `ca.pem`, `desk.pem` and `desk.key` (mode 600) into `dir`, as a desk keeps them.
pub fn write_desk_files(dir: &Path, ca: &Ca, client: &Leaf) -> (PathBuf, PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let (ca_file, cert, key) = (dir.join("ca.pem"), dir.join("desk.pem"), dir.join("desk.key"));
    std::fs::write(&ca_file, ca.pem()).unwrap();
    std::fs::write(&cert, &client.cert_pem).unwrap();
    std::fs::write(&key, &client.key_pem).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    (ca_file, cert, key)
}

/// The server's side: its port, and what connected clients wrote, a read at a time.
pub struct TakServer {
    pub port: u16,
    pub received: mpsc::UnboundedReceiver<Vec<u8>>,
    /// Why each refused handshake failed, as the server saw it.
    pub refused: mpsc::UnboundedReceiver<String>,
}

/// Serves mutual TLS on 127.0.0.1 with `cert` (from `ca`), trusting clients whose certificates
/// come from `clients_from`; sends `send` to each client once its handshake is done.
pub async fn tak_server(ca: &Ca, cert: &Leaf, clients_from: &Ca, send: Vec<u8>) -> TakServer {
    tak_server_on(0, ca, cert, clients_from, send).await
}

/// The same on a port chosen by the test (0: any free port).
pub async fn tak_server_on(port: u16, ca: &Ca, cert: &Leaf, clients_from: &Ca, send: Vec<u8>) -> TakServer {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(clients_from.issuer.der().clone()).unwrap();
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![cert.cert_der.clone(), ca.issuer.der().clone()],
            PrivateKeyDer::try_from(cert.key_der.clone()).unwrap(),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (received_tx, received) = mpsc::unbounded_channel();
    let (refused_tx, refused) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, send, received_tx, refused_tx) =
                (acceptor.clone(), send.clone(), received_tx.clone(), refused_tx.clone());
            tokio::spawn(async move {
                let mut tls = match acceptor.accept(stream).await {
                    Ok(tls) => tls,
                    Err(e) => {
                        let _ = refused_tx.send(e.to_string());
                        return;
                    }
                };
                if tls.write_all(&send).await.is_err() {
                    return;
                }
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n) = tls.read(&mut buf).await {
                    if n == 0 || received_tx.send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    TakServer { port, received, refused }
}
