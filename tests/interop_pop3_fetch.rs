//! The `pop3_fetch` example (the sans-IO `mailwire_pop3::client` on
//! tokio) against a server we did not write: a private Dovecot started by
//! the test (`tests/support/dovecot.rs`) on loopback ports, with USER/PASS,
//! STLS, AUTH PLAIN, CRAM-MD5 and APOP, downloading byte for byte and
//! deleting.
//!
//! A missing Dovecot skips these tests (with a message) unless
//! `MAILWIRE_REQUIRE_INTEROP=1` is set, as `.ci/run` does.

mod support;

use std::fs;
use std::process::Command;
use std::time::Duration;

use support::dovecot::{Dovecot, DovecotOptions, start_dovecot};
use support::{MESSAGE, Output, example, temp_dir};

/// A second message with a long line and a last line that is a lone dot
/// once unstuffed.
fn second_message() -> Vec<u8> {
    let mut message = b"From: Carol <carol@example.org>\r\n\
To: Alice <alice@example.org>\r\n\
Subject: second\r\n\
\r\n"
        .to_vec();
    message.extend_from_slice(&[b'x'; 900]);
    message.extend_from_slice(b"\r\n\r\n.\r\n");
    message
}

fn dovecot(extra_config: &[&str]) -> Option<Dovecot> {
    let options = DovecotOptions {
        extra_config: extra_config.iter().map(|s| (*s).to_owned()).collect(),
        ..DovecotOptions::default()
    };
    let dovecot = start_dovecot(&options)?;
    dovecot.deposit("alice", MESSAGE);
    dovecot.deposit("alice", &second_message());
    Some(dovecot)
}

/// Runs `pop3_fetch` against `dovecot` with `extra` options, writing into
/// a new directory; returns its output and the files it wrote, in order.
fn fetch(dovecot: &Dovecot, extra: &[&str]) -> (Output, Vec<Vec<u8>>) {
    let out = temp_dir();
    let mut command = Command::new(example("pop3_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{}", dovecot.pop3_port())])
        .args(["--user", "alice:secret", "--out"])
        .arg(out.path())
        .args(extra);
    let output = Output::run("pop3_fetch", &mut command, Duration::from_secs(60));
    let mut paths: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    // Dovecot's unique ids (UID and UIDVALIDITY in hex) sort as delivered.
    paths.sort();
    let files = paths.iter().map(|p| fs::read(p).unwrap()).collect();
    (output, files)
}

fn messages_left(dovecot: &Dovecot) -> usize {
    dovecot.maildir_files("alice", "new").len() + dovecot.maildir_files("alice", "cur").len()
}

#[test]
fn pop3_fetch_downloads_from_dovecot_byte_for_byte() {
    let Some(dovecot) = dovecot(&[]) else {
        return;
    };
    let (out, files) = fetch(&dovecot, &["--transcript"]);
    out.assert_success();
    assert_eq!(files, [MESSAGE.to_vec(), second_message()], "{out}");
    assert!(out.stdout.contains("C: UIDL"), "{out}");
    assert!(out.stdout.contains(": interop test\n"), "subject: {out}");
    assert!(out.stdout.contains(": second\n"), "subject: {out}");
    assert!(out.stdout.contains("2 message(s)"), "{out}");
    assert!(
        !out.stdout.contains("listed with another size"),
        "sizes as listed: {out}"
    );
    assert_eq!(messages_left(&dovecot), 2, "nothing deleted");
}

#[test]
fn pop3_fetch_stls_auth_plain_and_delete() {
    let Some(dovecot) = dovecot(&[]) else {
        return;
    };
    let (out, files) = fetch(&dovecot, &["--starttls", "--login", "plain", "--delete"]);
    out.assert_success();
    assert_eq!(files, [MESSAGE.to_vec(), second_message()], "{out}");
    assert_eq!(out.stdout.matches(", deleted").count(), 2, "{out}");
    assert_eq!(
        messages_left(&dovecot),
        0,
        "deleted at QUIT: {}",
        dovecot.log()
    );
}

#[test]
fn pop3_fetch_cram_md5_and_apop() {
    let Some(dovecot) = dovecot(&["auth_mechanisms = plain login cram-md5 apop"]) else {
        return;
    };
    for login in ["cram-md5", "apop"] {
        let (out, files) = fetch(&dovecot, &["--login", login]);
        out.assert_success();
        assert_eq!(
            files,
            [MESSAGE.to_vec(), second_message()],
            "{login}: {out}"
        );
    }
    let (out, _) = fetch(&dovecot, &["--login", "apop", "--starttls"]);
    out.assert_success();

    // A wrong password is refused, and the example says so.
    let mut command = Command::new(example("pop3_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{}", dovecot.pop3_port())])
        .args(["--user", "alice:wrong"]);
    let out = Output::run("pop3_fetch", &mut command, Duration::from_secs(60));
    assert!(!out.success(), "{out}");
    assert!(out.stderr.contains("login refused"), "{out}");
}
