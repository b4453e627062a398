//! HTTPS against a real TLS server on 127.0.0.1 whose certificate comes from a desk's private
//! CA: trusted through `ca_file` it works; for the wrong name it fails, saying why; without the
//! CA it fails as untrusted. Certificates are made by the test (rcgen), so nothing leaves the
//! machine.

use std::sync::Arc;
use std::time::Duration;

use attache::feeds::http::{FetchError, Fetched, Fetcher, Request, Validators};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// A CA, and a TLS server on 127.0.0.1 with a certificate from it for `names`.
async fn tls_server(names: &[&str]) -> (String, u16) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca.der().clone()],
            PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap(),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else { return };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let body = r#"{"type":"FeatureCollection","features":[]}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (ca.pem(), port)
}

async fn fetch(url: &str, ca_file: Option<&std::path::Path>) -> Result<Fetched, FetchError> {
    let validators = Validators::default();
    let request = Request {
        url,
        timeout: Duration::from_secs(10),
        max_bytes: 1 << 20,
        headers: &[],
        validators: &validators,
        ca_file,
        linked_from: None,
    };
    Fetcher::new().fetch(&request).await
}

#[tokio::test]
async fn a_private_ca_is_trusted_only_for_the_names_it_certifies() {
    let (ca_pem, port) = tls_server(&["127.0.0.1", "localhost"]).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("desk-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let url = format!("https://localhost:{port}/feed");
    assert!(matches!(fetch(&url, Some(&ca_file)).await, Ok(Fetched::Body { .. })), "trusted CA, right name");

    let untrusted = fetch(&url, None).await.unwrap_err().to_string();
    assert!(untrusted.contains("invalid peer certificate: UnknownIssuer"), "{untrusted}");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_and_says_so() {
    let (ca_pem, port) = tls_server(&["feeds.other-desk.example"]).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("desk-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let error =
        fetch(&format!("https://localhost:{port}/feed"), Some(&ca_file)).await.unwrap_err().to_string();
    assert!(error.contains("certificate not valid for name \"localhost\""), "{error}");
}

#[tokio::test]
async fn a_missing_ca_file_is_named() {
    let error = fetch("https://localhost:1/feed", Some(std::path::Path::new("/nonexistent/ca.pem")))
        .await
        .unwrap_err();
    assert!(error.to_string().starts_with("CA file /nonexistent/ca.pem: "), "{error}");
}
