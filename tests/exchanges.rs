//! The `*exchange` examples run to the end and tell the story they claim:
//! each is a whole route in one process, so running it is an end-to-end
//! test of the crates and of the example support modules together.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{Output, example};

/// Runs example `name` and returns its output after checking it exited 0.
fn run(name: &str) -> Output {
    let output = Output::run(
        name,
        &mut Command::new(example(name)),
        Duration::from_secs(90),
    );
    output.assert_success();
    output
}

/// Asserts that `needles` appear in `text` in this order.
#[track_caller]
fn assert_in_order(text: &str, needles: &[&str]) {
    let mut rest = text;
    for needle in needles {
        match rest.find(needle) {
            Some(at) => rest = &rest[at + needle.len()..],
            None => panic!("{needle:?} missing (or out of order) in:\n{text}"),
        }
    }
}

#[test]
fn exchange_shows_the_whole_route() {
    let output = run("exchange");
    assert_in_order(
        &output.stdout,
        &[
            // Submission: TLS first, then AUTH, then the transaction.
            "C: STARTTLS",
            "(TLS handshake done)",
            "S: 235 2.7.0",
            "C: MAIL FROM:<alice@example.org>",
            "S: 250 2.6.0",
            // The busy MX turns the relay away; the relay waits and retries.
            "relay: queued",
            "relay: attempt 1",
            "421 4.3.2",
            "relay: deferred <bob@example.net>: 421",
            "retry in",
            "relay: attempt 2",
            "relay: delivered <bob@example.net>: 250",
            "done, removed from the queue",
            // Bob reads over IMAP: TLS, login, folders, the message, \Seen.
            "S: * OK [CAPABILITY IMAP4rev1",
            "STARTTLS",
            "(TLS handshake done)",
            "AUTHENTICATE PLAIN <redacted>",
            "OK Logged in",
            "SELECT INBOX",
            "* 1 EXISTS",
            "ENVELOPE",
            "BODY.PEEK[]",
            "UID STORE 1 +FLAGS.SILENT (\\Seen)",
            "LOGOUT",
            // Bob downloads over POP3 and deletes.
            "C: STLS",
            "C: RETR 1",
            "S: Return-Path: <alice@example.org>",
            "C: DELE 1",
            "C: QUIT",
            // The checks.
            "IMAP: the message Bob read parses to what Alice sent",
            "POP3: the message Bob downloaded parses to what Alice sent",
            "IMAP and POP3 gave the same",
            "Maildir is empty",
            "the route held",
        ],
    );
    // Secrets never reach a transcript.
    assert!(!output.stdout.contains("builder"), "{output}");
    assert!(!output.stdout.contains("wonderland"), "{output}");
}

#[test]
fn smtp_exchange_delivers_to_both_recipients() {
    let output = run("smtp_exchange");
    assert_in_order(
        &output.stdout,
        &[
            "C: STARTTLS",
            "C: RCPT TO:<bob@example.net>",
            "C: RCPT TO:<carol@example.net>",
            "accepted recipients: [\"bob@example.net\", \"carol@example.net\"]",
            "stored as",
            // Stuffed on the wire, stored as written.
            "\n.A line starting with a dot travels dot-stuffed.",
        ],
    );
}

#[test]
fn pop3_exchange_downloads_and_deletes() {
    let output = run("pop3_exchange");
    assert_in_order(
        &output.stdout,
        &["C: STLS", "C: RETR 1", "C: DELE", "C: QUIT"],
    );
    assert!(!output.stdout.contains("PASS wonderland"), "{output}");
}

#[test]
fn imap_exchange_reads_marks_and_deletes() {
    let output = run("imap_exchange");
    assert_in_order(
        &output.stdout,
        &[
            // Plaintext login is refused until TLS.
            "LOGINDISABLED",
            "STARTTLS",
            "(TLS handshake done)",
            "AUTHENTICATE PLAIN <redacted>",
            "SELECT INBOX",
            "* 2 EXISTS",
            "BODY[] {148}",
            "+FLAGS.SILENT (\\Seen)",
            "byte for byte as stored",
            "byte for byte as stored",
            // The second session finds the flags and deletes.
            "LOGIN <redacted>",
            "FLAGS (\\Seen)",
            "+FLAGS.SILENT (\\Deleted)",
            "UID EXPUNGE",
            "EXPUNGE",
            "messages left in the Maildir after UID EXPUNGE: 0",
        ],
    );
    assert!(!output.stdout.contains("builder"), "{output}");
}
