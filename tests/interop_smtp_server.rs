//! The `smtp_server` example (the sans-IO `mailwire_smtp::server` on
//! tokio) against clients we did not write: Python's smtplib, swaks and
//! curl, with pipelining, STARTTLS and AUTH. (The 100 MiB message is in
//! `interop_smtp_big.rs`, a binary of its own so that its load does not
//! slow these tests down.)
//!
//! The server runs as its own process: the example binary that
//! `cargo test` builds beside the test binaries.

mod support;

use std::fs;
use std::path::Path;

use support::{ExampleServer as Server, MESSAGE, curl, python, swaks, temp_dir};

/// The stored message without the trace fields the server put in front.
fn body_of(stored: &[u8]) -> &[u8] {
    let at = stored
        .windows(MESSAGE.len().min(20))
        .position(|w| w == &MESSAGE[..MESSAGE.len().min(20)])
        .expect("the message in the stored file");
    &stored[at..]
}

fn message_file(dir: &Path) -> String {
    let path = dir.join("message.eml");
    fs::write(&path, MESSAGE).unwrap();
    path.to_str().unwrap().to_owned()
}

const SMTPLIB: &str = r#"
import smtplib, ssl, sys
port, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(path, "rb") as f:
    msg = f.read()
with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=20) as s:
    s.ehlo()
    print("features", sorted(s.esmtp_features))
    if mode in ("tls", "auth", "badauth"):
        s.starttls(context=ssl._create_unverified_context())
        s.ehlo()
        print("features-after-tls", sorted(s.esmtp_features))
    if mode == "auth":
        s.login("joe", "secret")
    if mode == "badauth":
        try:
            s.login("joe", "wrong")
        except smtplib.SMTPAuthenticationError as e:
            print("auth-refused", e.smtp_code)
        try:
            s.sendmail("alice@example.org", ["bob@example.net"], msg)
        except smtplib.SMTPSenderRefused as e:
            print("sender-refused", e.smtp_code)
        sys.exit(0)
    refused = s.sendmail("alice@example.org", ["bob@example.net", "carol@example.net"], msg)
    print("refused", refused)
"#;

#[test]
fn smtplib_delivers_into_the_maildir() {
    let mut server = Server::start(&[]);
    let dir = temp_dir();
    let file = message_file(dir.path());
    let Some(out) = python(SMTPLIB, &[&server.port.to_string(), &file, "plain"]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("refused {}"), "{out}");
    for feature in [
        "pipelining",
        "8bitmime",
        "smtputf8",
        "chunking",
        "starttls",
        "size",
    ] {
        assert!(
            out.stdout.contains(&format!("'{feature}'")),
            "{feature}: {out}"
        );
    }
    let stored = server.messages(1);
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0].starts_with(b"Return-Path: <alice@example.org>\r\nReceived: from client.test")
    );
    assert_eq!(body_of(&stored[0]), MESSAGE);
}

#[test]
fn smtplib_starttls_then_auth() {
    let mut server = Server::start(&["--user", "joe:secret"]);
    let dir = temp_dir();
    let file = message_file(dir.path());
    let Some(out) = python(SMTPLIB, &[&server.port.to_string(), &file, "auth"]) else {
        return;
    };
    out.assert_success();
    // AUTH is offered only after STARTTLS, and STARTTLS only before.
    let (before, after) = out.stdout.split_once("features-after-tls").unwrap();
    assert!(
        before.contains("'starttls'") && !before.contains("'auth'"),
        "{out}"
    );
    assert!(
        after.contains("'auth'") && !after.contains("'starttls'"),
        "{out}"
    );
    assert!(out.stdout.contains("refused {}"), "{out}");
    assert_eq!(body_of(&server.messages(1)[0]), MESSAGE);

    let Some(out) = python(SMTPLIB, &[&server.port.to_string(), &file, "badauth"]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("auth-refused 535"), "{out}");
    assert!(out.stdout.contains("sender-refused 530"), "{out}");
}

#[test]
fn swaks_pipelining_starttls_and_each_auth_mechanism() {
    let mut server = Server::start(&["--user", "joe:secret"]);
    let dir = temp_dir();
    let file = message_file(dir.path());
    let port = server.port.to_string();
    let server_arg = format!("127.0.0.1:{port}");
    for (i, mechanism) in ["PLAIN", "LOGIN", "CRAM-MD5"].iter().enumerate() {
        let Some(out) = swaks(&[
            "--server",
            &server_arg,
            "--from",
            "alice@example.org",
            "--to",
            "bob@example.net,carol@example.net",
            "--tls",
            "--pipeline",
            "--auth",
            mechanism,
            "--auth-user",
            "joe",
            "--auth-password",
            "secret",
            "--data",
            &file,
        ]) else {
            return;
        };
        out.assert_success();
        assert!(out.stdout.contains("235 2.7.0"), "{mechanism}: {out}");
        let stored = server.messages(i + 1);
        assert_eq!(stored.len(), i + 1, "{mechanism}");
        // swaks adds a CRLF of its own before the final dot.
        let body = body_of(&stored[i]);
        assert_eq!(&body[..MESSAGE.len()], MESSAGE, "{mechanism}");
        assert_eq!(&body[MESSAGE.len()..], b"\r\n", "{mechanism}");
    }
    // A wrong password is refused, and nothing is delivered.
    let out = swaks(&[
        "--server",
        &server_arg,
        "--from",
        "a@example.org",
        "--to",
        "b@example.net",
        "--tls",
        "--auth",
        "PLAIN",
        "--auth-user",
        "joe",
        "--auth-password",
        "wrong",
    ])
    .unwrap();
    assert!(!out.success());
    assert!(out.stdout.contains("535 5.7.8"), "{out}");
}

#[test]
fn curl_sends_over_starttls_with_a_password() {
    let mut server = Server::start(&["--user", "joe:secret"]);
    let dir = temp_dir();
    let file = message_file(dir.path());
    let url = format!("smtp://127.0.0.1:{}/client.test", server.port);
    let Some(out) = curl(&[
        &url,
        "--ssl-reqd",
        "--insecure",
        "--user",
        "joe:secret",
        "--mail-from",
        "alice@example.org",
        "--mail-rcpt",
        "bob@example.net",
        "--upload-file",
        &file,
    ]) else {
        return;
    };
    out.assert_success();
    assert_eq!(body_of(&server.messages(1)[0]), MESSAGE);
}
