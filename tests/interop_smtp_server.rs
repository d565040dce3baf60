//! The `smtp_server` example (the sans-IO `mailwire_smtp::server` on
//! tokio) against clients we did not write: Python's smtplib, swaks and
//! curl, with pipelining, STARTTLS and AUTH; and a 100 MiB message whose
//! passage must leave the server's peak memory under 32 MiB.
//!
//! The server runs as its own process: the example binary that
//! `cargo test` builds beside the test binaries.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Child, curl_smtp, python, swaks, temp_dir};

/// A message with CRLF line ends, lines that need dot-stuffing, a line
/// that is a lone dot once unstuffed, and an 8-bit (UTF-8) body line.
const MESSAGE: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: interop test\r\n\
Message-ID: <interop-1@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
First line.\r\n\
.leading dot, stuffed on the wire\r\n\
.\r\n\
..two dots\r\n\
Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\r\n";

/// The example binary `name`, built by `cargo test` next to this test's
/// own binary (`target/<profile>/deps/..` -> `target/<profile>/examples/`).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds the examples",
        path.display()
    );
    path
}

/// A running `smtp_server` on a free port.
struct Server {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: support::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        let dir = temp_dir();
        let maildir = dir.path().join("Maildir");
        let mut command = Command::new(example("smtp_server"));
        command
            .args(["--listen", "127.0.0.1:0", "--maildir"])
            .arg(&maildir)
            .args(extra);
        let mut child = Child::spawn("smtp_server", &mut command).expect("start smtp_server");
        let started = Instant::now();
        let port = loop {
            let out = child.stdout();
            if let Some(addr) = out.lines().find_map(|l| l.strip_prefix("listening on ")) {
                break addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse::<u16>().ok())
                    .expect("a port");
            }
            assert!(child.try_wait().is_none(), "smtp_server exited: {child}");
            assert!(started.elapsed() < Duration::from_secs(20), "no address: {child}");
            std::thread::sleep(Duration::from_millis(20));
        };
        Self {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    /// The messages in `new/`, oldest first, waiting up to 5 s for `count`.
    fn messages(&mut self, count: usize) -> Vec<Vec<u8>> {
        let started = Instant::now();
        loop {
            let mut paths: Vec<_> = fs::read_dir(self.maildir.join("new"))
                .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                .unwrap_or_default();
            if paths.len() >= count || started.elapsed() > Duration::from_secs(5) {
                paths.sort();
                return paths.iter().map(|p| fs::read(p).unwrap()).collect();
            }
            assert!(self.child.try_wait().is_none(), "smtp_server exited: {}", self.child);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's peak resident memory so far (`VmHWM`), in bytes.
    fn peak_rss(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status");
        kib * 1024
    }
}

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
    for feature in ["pipelining", "8bitmime", "smtputf8", "chunking", "starttls", "size"] {
        assert!(out.stdout.contains(&format!("'{feature}'")), "{feature}: {out}");
    }
    let stored = server.messages(1);
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with(b"Return-Path: <alice@example.org>\r\nReceived: from client.test"));
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
    assert!(before.contains("'starttls'") && !before.contains("'auth'"), "{out}");
    assert!(after.contains("'auth'") && !after.contains("'starttls'"), "{out}");
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
        // swaks ends the data with its own CRLF before the dot.
        assert!(stored[i].ends_with(b"Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\r\n"), "{mechanism}");
    }
    // A wrong password is refused, and nothing is delivered.
    let out = swaks(&[
        "--server", &server_arg, "--from", "a@example.org", "--to", "b@example.net",
        "--tls", "--auth", "PLAIN", "--auth-user", "joe", "--auth-password", "wrong",
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
    let Some(out) = curl_smtp(&[
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

const BIG_SENDER: &str = r#"
import socket, sys
port, size = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if line[3:4] != b"-":
            return line
reply()
s.sendall(b"EHLO client.test\r\n"); reply()
s.sendall(b"MAIL FROM:<big@example.org> SIZE=%d\r\n" % size); print(reply())
s.sendall(b"RCPT TO:<bob@example.net>\r\n"); print(reply())
s.sendall(b"DATA\r\n"); print(reply())
line = b"x" * 998 + b"\r\n"
block = line * 1024
sent = 0
s.sendall(b"Subject: big\r\n\r\n")
while sent + len(block) <= size:
    s.sendall(block)
    sent += len(block)
s.sendall(b".\r\n"); print(reply())
s.sendall(b"QUIT\r\n"); print(reply())
"#;

#[test]
fn a_100_mib_message_passes_in_bounded_memory() {
    const SIZE: u64 = 100 << 20;
    let mut server = Server::start(&["--max-size", "200000000", "--no-tls"]);
    let Some(out) = python(BIG_SENDER, &[&server.port.to_string(), &SIZE.to_string()]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("250"), "{out}");
    let stored = server.messages(1);
    let len = stored[0].len() as u64;
    assert!(len > SIZE - (2 << 20) && len < SIZE + (1 << 20), "stored {len} bytes");
    let peak = server.peak_rss();
    assert!(peak < 32 << 20, "peak RSS {} MiB", peak >> 20);
    eprintln!("100 MiB message: server peak RSS {:.1} MiB", peak as f64 / 1048576.0);
}
