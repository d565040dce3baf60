//! The `mail_server` example's MX as the RFC asks of a final destination
//! (RFC 5321 sections 3.3, 4.2.2 and 6.1): recipients refused at `RCPT`
//! (unknown users `550 5.1.1`, other domains `550 5.7.1`: never an open
//! relay; postmaster taken), one copy per local user however many of their addresses a
//! transaction names, `250` only for a message on disk, nothing left by a
//! client that goes away inside `DATA`; and its command line.
//!
//! The server runs as its own process; the client is plain SMTP lines
//! over a blocking socket.

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use support::mail_server::{MailServer, tmp_files};
use support::{Output, example, temp_dir};

const USERS: [(&str, &str); 2] = [("alice", "wonderland"), ("bob", "builder")];

/// A line-at-a-time SMTP client.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut client = Self {
            reader: BufReader::new(stream),
        };
        assert!(client.reply().starts_with("220 "));
        client
    }

    /// The last line of the next reply.
    fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            assert!(line.len() >= 4, "short reply {line:?}");
            if line.as_bytes()[3] != b'-' {
                return line.trim_end().to_owned();
            }
        }
    }

    fn send(&mut self, text: &str) -> String {
        self.reader.get_mut().write_all(text.as_bytes()).unwrap();
        self.reply()
    }
}

/// The files in `new/` of `user`'s Maildir.
fn new_files(server: &MailServer, user: &str) -> Vec<PathBuf> {
    fs::read_dir(server.maildir(user).join("new"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect()
}

#[test]
fn recipients_checked_at_rcpt_and_one_copy_per_user() {
    let dir = temp_dir();
    let server = MailServer::start(
        &dir.path().join("tree"),
        &USERS,
        &["--domain", "example.org"],
    );
    let mut client = Client::connect(server.smtp);
    assert!(
        client
            .send("EHLO client.example.net\r\n")
            .starts_with("250 ")
    );
    // The MX offers no AUTH (RFC 4954 belongs to submission).
    assert!(
        client
            .send("MAIL FROM:<carol@example.net>\r\n")
            .starts_with("250 ")
    );
    for (rcpt, reply) in [
        ("<alice@example.org>", "250 "),
        ("<Alice@EXAMPLE.ORG>", "250 "),
        ("<bob@example.org>", "250 "),
        // RFC 5321 section 4.5.1: postmaster, to the first account.
        ("<Postmaster>", "250 "),
        ("<postmaster@example.org>", "250 "),
        ("<nobody@example.org>", "550 5.1.1 "),
        ("<bob@example.net>", "550 5.7.1 "),
        // Only --domain example.org now: localhost is not ours.
        ("<alice@localhost>", "550 5.7.1 "),
        ("<alice@example.org.evil.test>", "550 5.7.1 "),
    ] {
        let got = client.send(&format!("RCPT TO:{rcpt}\r\n"));
        assert!(got.starts_with(reply), "RCPT {rcpt}: {got}");
    }
    assert!(client.send("DATA\r\n").starts_with("354 "));
    let got = client.send("Subject: two users\r\n\r\nOne copy each.\r\n.\r\n");
    assert!(got.starts_with("250 "), "{got}");
    // The 250 came after the files were in new/.
    for user in ["alice", "bob"] {
        let files = new_files(&server, user);
        assert_eq!(files.len(), 1, "{user}");
        let content = fs::read_to_string(&files[0]).unwrap();
        assert!(
            content.starts_with(
                "Return-Path: <carol@example.net>\r\nReceived: from client.example.net"
            )
        );
        assert!(content.ends_with("\r\nSubject: two users\r\n\r\nOne copy each.\r\n"));
    }
    // A transaction with no acceptable recipient has no DATA (RFC 5321
    // section 3.3: 554 or 503).
    assert!(
        client
            .send("MAIL FROM:<carol@example.net>\r\n")
            .starts_with("250 ")
    );
    assert!(
        client
            .send("RCPT TO:<mallory@example.com>\r\n")
            .starts_with("550 ")
    );
    let got = client.send("DATA\r\n");
    assert!(got.starts_with("554 ") || got.starts_with("503 "), "{got}");
    assert!(client.send("QUIT\r\n").starts_with("221 "));
}

#[test]
fn a_client_gone_inside_data_leaves_nothing() {
    let dir = temp_dir();
    let server = MailServer::start(&dir.path().join("tree"), &USERS, &[]);
    let mut client = Client::connect(server.smtp);
    assert!(
        client
            .send("EHLO client.example.net\r\n")
            .starts_with("250 ")
    );
    assert!(
        client
            .send("MAIL FROM:<carol@example.net>\r\n")
            .starts_with("250 ")
    );
    assert!(
        client
            .send("RCPT TO:<alice@example.org>\r\n")
            .starts_with("250 ")
    );
    assert!(
        client
            .send("RCPT TO:<bob@example.org>\r\n")
            .starts_with("250 ")
    );
    assert!(client.send("DATA\r\n").starts_with("354 "));
    let mut stream = client.reader.into_inner();
    stream
        .write_all(format!("Subject: cut off\r\n\r\n{}", "x".repeat(200_000)).as_bytes())
        .unwrap();
    // The server has begun both files before the client goes.
    let started = Instant::now();
    while tmp_files(&server.root).len() < 2 && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(tmp_files(&server.root).len(), 2, "no files begun in tmp/");
    drop(stream);
    let started = Instant::now();
    while !tmp_files(&server.root).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "left in tmp/: {:?}",
            tmp_files(&server.root)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(new_files(&server, "alice").is_empty());
    assert!(new_files(&server, "bob").is_empty());
}

/// Runs `mail_server ARGS` expecting it to refuse them.
fn refused(args: &[&str]) -> Output {
    let mut command = Command::new(example("mail_server"));
    command.args(args);
    let out = Output::run("mail_server", &mut command, Duration::from_secs(20));
    assert!(!out.success(), "{out}");
    out
}

#[test]
fn command_line_mistakes_are_refused() {
    let dir = temp_dir();
    let out = refused(&["--imap", "not-an-address"]);
    assert!(out.stderr.contains("--imap not-an-address"), "{out}");
    let out = refused(&["--route", "example.net"]);
    assert!(out.stderr.contains("expected DOMAIN=ADDR:PORT"), "{out}");
    let out = refused(&["--cert", "cert.pem"]);
    assert!(out.stderr.contains("--cert and --key go together"), "{out}");
    // Users file: a name that cannot be a directory, a line without ':'.
    let users = dir.path().join("users");
    for (text, complaint) in [
        ("../etc:x\n", "bad user name"),
        ("alice\n", "expected name:password"),
        ("alice:a\nalice:b\n", "user alice twice"),
        ("# nobody\n\n", "no users"),
    ] {
        fs::write(&users, text).unwrap();
        let out = refused(&[
            "--users",
            users.to_str().unwrap(),
            "--maildir",
            dir.path().join("tree").to_str().unwrap(),
            "--smtp",
            "127.0.0.1:0",
        ]);
        assert!(out.stderr.contains(complaint), "{text:?}: {out}");
    }
    // A given address that is taken is an error, not a fallback.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = refused(&[
        "--smtp",
        &addr,
        "--maildir",
        dir.path().join("tree").to_str().unwrap(),
    ]);
    assert!(out.stderr.contains("in use"), "{out}");
}

#[test]
fn defaults_then_ctrl_c_stops_cleanly() {
    use support::Child;
    // No --maildir and no --users: a temporary tree and the demo users.
    let mut command = Command::new(example("mail_server"));
    command.args([
        "--smtp",
        "127.0.0.1:0",
        "--submission",
        "127.0.0.1:0",
        "--imap",
        "127.0.0.1:0",
        "--pop3",
        "127.0.0.1:0",
    ]);
    let mut child = Child::spawn("mail_server", &mut command).unwrap();
    let started = Instant::now();
    let (root, port) = loop {
        let out = child.stdout();
        let root = out
            .lines()
            .find_map(|l| l.strip_prefix("Maildir tree "))
            .and_then(|rest| rest.split(" (").next())
            .map(PathBuf::from);
        let port = out
            .lines()
            .find_map(|l| l.strip_prefix("smtp listening on 127.0.0.1:"))
            .and_then(|p| p.trim().parse::<u16>().ok());
        if let (Some(root), Some(port), true) = (root, port, out.contains("Ctrl-C")) {
            break (root, port);
        }
        assert!(child.try_wait().is_none(), "{child}");
        assert!(started.elapsed() < Duration::from_secs(20), "{child}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.stdout();
    assert!(
        out.contains("accounts: alice:wonderland bob:builder"),
        "{out}"
    );
    assert!(
        out.contains("local domains: example.org localhost"),
        "{out}"
    );
    for tool in [
        "swaks --server",
        "curl --ssl-reqd",
        "python3 -c",
        "fetchmail",
        "imaplib",
        "imap_fetch",
        "protocol imap",
    ] {
        assert!(out.contains(tool), "no {tool} line: {out}");
    }
    assert!(root.join("alice/Maildir/new").is_dir());
    assert!(root.join("bob/Maildir/new").is_dir());
    // A message for Bob, then SIGINT (what Ctrl-C sends).
    let mut client = Client::connect(port);
    assert!(
        client
            .send("HELO client.example.net\r\n")
            .starts_with("250 ")
    );
    assert!(
        client
            .send("MAIL FROM:<carol@example.net>\r\n")
            .starts_with("250 ")
    );
    assert!(
        client
            .send("RCPT TO:<bob@localhost>\r\n")
            .starts_with("250 ")
    );
    assert!(client.send("DATA\r\n").starts_with("354 "));
    assert!(
        client
            .send("Subject: hi\r\n\r\nhello\r\n.\r\n")
            .starts_with("250 ")
    );
    assert_eq!(
        fs::read_dir(root.join("bob/Maildir/new")).unwrap().count(),
        1
    );
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exited = child.wait_timeout(Duration::from_secs(10));
    assert!(exited.is_some_and(|s| s.success()), "{child}");
    assert!(child.stdout().contains("mail_server: stopping"));
    // The temporary tree goes with it.
    assert!(!root.exists(), "{} is still there", root.display());
}
