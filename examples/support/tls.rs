//! TLS for the examples (STARTTLS and implicit TLS): a self-signed
//! certificate made at start for `localhost` and 127.0.0.1, a server-side
//! [`TlsAcceptor`] that presents it, and a client-side [`TlsConnector`]
//! that trusts exactly that certificate and nothing else. For talking to
//! external test servers with certificates of their own there is
//! [`insecure_connector`], which accepts any certificate.
//!
//! rustls runs on the `ring` provider, chosen explicitly per config (no
//! process-wide default provider is installed or needed).
//!
//! Include it with `#[path = "support/tls.rs"] mod tls;`.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// The names the certificate is valid for.
pub(crate) const NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// A self-signed certificate and its private key, made fresh at start
/// (or, with [`SelfSigned::from_pem_files`], a certificate chain and key
/// given by the operator).
pub(crate) struct SelfSigned {
    certificate: CertificateDer<'static>,
    certificate_pem: String,
    key: PrivateKeyDer<'static>,
    /// The chain the server presents: the certificate, then any
    /// intermediates.
    chain: Vec<CertificateDer<'static>>,
}

impl Clone for SelfSigned {
    fn clone(&self) -> Self {
        Self {
            certificate: self.certificate.clone(),
            certificate_pem: self.certificate_pem.clone(),
            key: self.key.clone_key(),
            chain: self.chain.clone(),
        }
    }
}

impl SelfSigned {
    /// A new key pair and a self-signed certificate for [`NAMES`]
    /// (`127.0.0.1` as an IP address name).
    pub(crate) fn generate() -> io::Result<Self> {
        let names: Vec<String> = NAMES.iter().map(|name| (*name).to_owned()).collect();
        let made = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
        Ok(Self {
            certificate: made.cert.der().clone(),
            certificate_pem: made.cert.pem(),
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der())),
            chain: vec![made.cert.der().clone()],
        })
    }

    /// A certificate chain and its private key from PEM files (`--cert`
    /// and `--key` of `mail_server`): the chain's first certificate is the
    /// server's; the key may be PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
    pub(crate) fn from_pem_files(certificate: &Path, key: &Path) -> io::Result<Self> {
        use rustls::pki_types::pem::PemObject;
        let invalid = |what: &Path, e: rustls::pki_types::pem::Error| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", what.display()),
            )
        };
        let pem = std::fs::read(certificate)?;
        let chain = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(certificate, e))?;
        let first = chain.first().cloned().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: no certificate", certificate.display()),
            )
        })?;
        let key_pem = std::fs::read(key)?;
        let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| invalid(key, e))?;
        Ok(Self {
            certificate: first,
            certificate_pem: String::from_utf8_lossy(&pem).into_owned(),
            key: key_der,
            chain,
        })
    }

    /// The certificate, DER.
    pub(crate) fn certificate(&self) -> &CertificateDer<'static> {
        &self.certificate
    }

    /// The certificate, PEM (what `curl --cacert`, `swaks --tls-ca-path`
    /// and Python's `ssl.create_default_context(cafile=...)` read).
    pub(crate) fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// Writes [`Self::certificate_pem`] to `path`.
    pub(crate) fn write_certificate_pem(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, &self.certificate_pem)
    }

    /// A server config presenting this certificate; no client certificates.
    pub(crate) fn server_config(&self) -> io::Result<Arc<ServerConfig>> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(io::Error::other)?;
        Ok(Arc::new(config))
    }

    /// The server side of a handshake: `acceptor.accept(tcp_stream).await`.
    pub(crate) fn acceptor(&self) -> io::Result<TlsAcceptor> {
        self.server_config().map(TlsAcceptor::from)
    }

    /// A client config whose only trust anchor is this certificate.
    pub(crate) fn client_config(&self) -> io::Result<Arc<ClientConfig>> {
        let mut roots = RootCertStore::empty();
        roots
            .add(self.certificate.clone())
            .map_err(io::Error::other)?;
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// The client side of a handshake, trusting exactly this certificate:
    /// `connector.connect(server_name("localhost")?, tcp_stream).await`.
    pub(crate) fn connector(&self) -> io::Result<TlsConnector> {
        self.client_config().map(TlsConnector::from)
    }
}

/// A connector that accepts any server certificate (still checking the
/// handshake signatures), for external test servers with certificates we
/// cannot know in advance. Never for real mail.
pub(crate) fn insecure_connector() -> io::Result<TlsConnector> {
    let provider = provider();
    let config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate { provider }))
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The name a client checks the certificate against: a DNS name or an IP
/// address.
pub(crate) fn server_name(host: &str) -> io::Result<ServerName<'static>> {
    ServerName::try_from(host.to_owned())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// Serves one TLS connection on 127.0.0.1 that echoes one line back;
    /// returns the port.
    async fn echo_once(acceptor: TlsAcceptor) -> (u16, tokio::task::JoinHandle<io::Result<()>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await?;
            let mut tls = acceptor.accept(tcp).await?;
            let mut buf = [0u8; 64];
            let n = tls.read(&mut buf).await?;
            tls.write_all(&buf[..n]).await?;
            tls.shutdown().await
        });
        (port, server)
    }

    async fn exchange(connector: &TlsConnector, port: u16, name: &str) -> io::Result<Vec<u8>> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
        let mut tls = connector.connect(server_name(name)?, tcp).await?;
        tls.write_all(b"EHLO over TLS\r\n").await?;
        let mut echoed = Vec::new();
        tls.read_to_end(&mut echoed).await?;
        Ok(echoed)
    }

    #[tokio::test]
    async fn handshake_over_loopback_by_name_and_by_address() {
        let tls = SelfSigned::generate().unwrap();
        let connector = tls.connector().unwrap();
        for name in NAMES {
            let (port, server) = echo_once(tls.acceptor().unwrap()).await;
            let echoed = exchange(&connector, port, name).await.unwrap();
            assert_eq!(echoed, b"EHLO over TLS\r\n");
            server.await.unwrap().unwrap();
        }
    }

    #[tokio::test]
    async fn connector_trusts_exactly_its_certificate() {
        let ours = SelfSigned::generate().unwrap();
        let theirs = SelfSigned::generate().unwrap();
        // Another self-signed certificate, though valid for the same names,
        // is refused.
        let (port, server) = echo_once(theirs.acceptor().unwrap()).await;
        let err = exchange(&ours.connector().unwrap(), port, "localhost")
            .await
            .unwrap_err();
        // (rcgen gives every such certificate the same subject, so webpki
        // tries our anchor and reports BadSignature rather than UnknownIssuer.)
        assert!(
            err.to_string().contains("invalid peer certificate"),
            "{err}"
        );
        assert!(
            server.await.unwrap().is_err(),
            "the server sees the client's alert"
        );
        // So is a name the certificate was not made for.
        let (port, server) = echo_once(ours.acceptor().unwrap()).await;
        let err = exchange(&ours.connector().unwrap(), port, "mail.example.org")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not valid for name"), "{err}");
        assert!(server.await.unwrap().is_err());
        // The insecure connector accepts any certificate, for any name.
        let (port, server) = echo_once(theirs.acceptor().unwrap()).await;
        let echoed = exchange(&insecure_connector().unwrap(), port, "mail.example.org")
            .await
            .unwrap();
        assert_eq!(echoed, b"EHLO over TLS\r\n");
        server.await.unwrap().unwrap();
    }

    #[test]
    fn pem_holds_the_der_certificate() {
        use rustls::pki_types::pem::PemObject;
        let tls = SelfSigned::generate().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cert.pem");
        tls.write_certificate_pem(&path).unwrap();
        assert!(
            tls.certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        let parsed = CertificateDer::from_pem_file(&path).unwrap();
        assert_eq!(&parsed, tls.certificate());
    }
}
