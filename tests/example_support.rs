//! The examples' shared modules (`examples/support/`), compiled and tested
//! here: their unit tests run in this binary, and the TLS certificate is
//! checked by a verifying client we did not write (Python's `ssl`).

#[path = "../examples/support/maildir.rs"]
mod maildir;
mod support;
#[path = "../examples/support/tls.rs"]
mod tls;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Python connects with certificate and host name verification on (the
/// default context), trusting only the PEM file given; it sends a line and
/// prints what comes back and the negotiated protocol.
const PYTHON_TLS_CLIENT: &str = r#"
import socket, ssl, sys
port, cafile, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=cafile)
with socket.create_connection(("127.0.0.1", port), timeout=10) as tcp:
    with context.wrap_socket(tcp, server_hostname=name) as tls:
        tls.sendall(b"NOOP\r\n")
        print(tls.recv(100).decode(), tls.version())
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_ssl_verifies_the_self_signed_certificate() {
    let certificate = tls::SelfSigned::generate().unwrap();
    let dir = support::temp_dir();
    let cafile = dir.path().join("cert.pem");
    certificate.write_certificate_pem(&cafile).unwrap();
    let cafile = cafile.to_str().unwrap().to_owned();

    for name in tls::NAMES {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port().to_string();
        let acceptor = certificate.acceptor().unwrap();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await?;
            let mut stream = acceptor.accept(tcp).await?;
            let mut line = [0u8; 6];
            stream.read_exact(&mut line).await?;
            assert_eq!(&line, b"NOOP\r\n");
            stream.write_all(b"250 OK\r\n").await?;
            stream.shutdown().await?;
            std::io::Result::Ok(())
        });
        let (cafile, name) = (cafile.clone(), name.to_owned());
        let client = tokio::task::spawn_blocking(move || {
            support::python(PYTHON_TLS_CLIENT, &[port.as_str(), &cafile, &name])
        });
        let Some(out) = client.await.unwrap() else {
            return;
        };
        out.assert_success();
        assert!(out.stdout.starts_with("250 OK\r\n TLSv1.3"), "{out}");
        server.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn maildir_delivery_is_readable_by_another_reader() {
    // What aiosmtpd's store reader in tests/support expects of a Maildir,
    // the examples' Maildir provides: whole files in new/, nothing in tmp/.
    let dir = support::temp_dir();
    let maildir = maildir::Maildir::create(dir.path()).await.unwrap();
    let mut delivery = maildir.begin().await.unwrap();
    for line in [&b"Subject: x\r\n"[..], b"\r\n", b"y\r\n"] {
        delivery.write_chunk(line).await.unwrap();
    }
    let path = delivery.commit().await.unwrap();
    assert_eq!(path.parent().unwrap(), dir.path().join("new"));
    assert_eq!(std::fs::read(path).unwrap(), b"Subject: x\r\n\r\ny\r\n");
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
        0
    );
}
