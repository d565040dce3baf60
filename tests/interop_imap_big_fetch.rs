//! A 100 MiB message from Dovecot to the `imap_fetch` example (the
//! sans-IO IMAP client on tokio): the `BODY[]` literal streams socket ->
//! client machine -> file in bounded chunks, so the example's peak
//! resident memory must stay under 32 MiB, and the copy must be byte for
//! byte. A binary of its own, so that its load runs alone.
//!
//! A missing Dovecot skips the test (with a message) unless
//! `MAILWIRE_REQUIRE_INTEROP=1` is set, as `.ci/run` does.

mod support;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::dovecot::{Dovecot, DovecotOptions, start_dovecot};
use support::{Child, example, peak_rss_of, temp_dir};

const SIZE: usize = 100 << 20;

/// A message of about `SIZE` octets: a header, then CRLF lines of
/// varying length (Dovecot serves the file as it is when every line ends
/// in CRLF).
fn big_message() -> Vec<u8> {
    let mut message = Vec::with_capacity(SIZE + 2048);
    message.extend_from_slice(
        b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: big\r\n\r\n",
    );
    let mut n = 0u64;
    while message.len() < SIZE {
        let len = 1 + (n * 7919 % 997) as usize;
        let first = if n % 13 == 0 {
            b'.'
        } else {
            b'a' + (n % 26) as u8
        };
        message.extend(std::iter::repeat_n(first, len));
        message.extend_from_slice(b"\r\n");
        n += 1;
    }
    message
}

/// Whether the file at `path` holds exactly `expected`, read in pieces.
fn file_is(path: &Path, expected: &[u8]) -> bool {
    let mut file = File::open(path).unwrap();
    let mut buf = vec![0; 1 << 20];
    let mut at = 0;
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            return at == expected.len();
        }
        if at + n > expected.len() || buf[..n] != expected[at..at + n] {
            return false;
        }
        at += n;
    }
}

/// Plain text, then under TLS (STARTTLS): the same message, byte for
/// byte, in bounded memory. One test, so that the two transfers do not
/// run at once.
#[test]
fn a_100_mib_message_streams_from_dovecot_in_bounded_memory() {
    let Some(dovecot) = start_dovecot(&DovecotOptions::default()) else {
        return;
    };
    let message = big_message();
    dovecot.deposit("alice", &message);
    fetch_big(&dovecot, &message, &[]);
    let ca = dovecot.certificate_pem_path();
    fetch_big(
        &dovecot,
        &message,
        &["--starttls", "--ca", ca.to_str().unwrap()],
    );
}

fn fetch_big(dovecot: &Dovecot, message: &[u8], extra: &[&str]) {
    let out = temp_dir();
    let mut command = Command::new(example("imap_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{}", dovecot.imap_port())])
        .args(["--user", "alice:secret", "--examine", "--out"])
        .arg(out.path())
        .args(extra);
    let mut client = Child::spawn("imap_fetch", &mut command).unwrap();
    // VmHWM only grows: its last reading before the exit is the peak, up
    // to the last few milliseconds.
    let mut peak = 0;
    let started = Instant::now();
    let status = loop {
        if let Some(now) = peak_rss_of(client.id()) {
            peak = peak.max(now);
        }
        if let Some(status) = client.try_wait() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "imap_fetch is still running: {client}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(status.success(), "{client}\n{}", dovecot.log());
    let stdout = client.stdout();
    assert!(stdout.contains("1 message(s) in INBOX"), "{client}");
    assert!(
        stdout.contains(&format!(" {} octets", message.len())),
        "{client}"
    );
    assert!(
        stdout.ends_with(": big\n1 message(s) in INBOX\n"),
        "{client}"
    );
    assert!(!stdout.contains("listed with another size"), "{client}");
    assert!(
        file_is(&out.path().join("1.eml"), message),
        "the copy differs"
    );
    eprintln!(
        "100 MiB UID FETCH BODY[] from Dovecot {extra:?}: imap_fetch peak RSS {:.1} MiB in {:.1?}",
        peak as f64 / 1048576.0,
        started.elapsed()
    );
    assert!(
        peak > 0 && peak < 32 << 20,
        "imap_fetch {extra:?} peak {} MiB",
        peak >> 20
    );
}
