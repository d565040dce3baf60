//! The `pop3_server` example (the sans-IO `mailwire_pop3::server` on
//! tokio, serving a Maildir) against clients we did not write: Python's
//! poplib (USER/PASS, APOP, STLS, CAPA, UIDL, TOP, RETR, DELE, RSET) and
//! `curl pop3://`.
//!
//! The server runs as its own process: the example binary that
//! `cargo test` builds beside the test binaries.

mod support;

use std::fs;
use std::path::Path;

use support::{ExampleServer as Server, MESSAGE, curl, python};

/// A second message: LF line endings on disk (sent as CRLF), no final
/// newline, a long header.
const SECOND: &[u8] = b"From: Carol <carol@example.org>\n\
To: Bob <bob@example.net>\n\
Subject: second\n\
\n\
line one\n\
line two\n\
line three";

/// The second message as a client receives it.
fn second_on_the_wire() -> Vec<u8> {
    let mut wire = String::from_utf8(SECOND.to_vec())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    wire.extend_from_slice(b"\r\n");
    wire
}

/// Fills the Maildir with MESSAGE (in `cur/`, seen) and SECOND (in `new/`).
fn two_messages(maildir: &Path) {
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    fs::write(maildir.join("cur/1700000000.M1P1Q1.test:2,S"), MESSAGE).unwrap();
    fs::write(maildir.join("new/1700000001.M1P1Q2.test"), SECOND).unwrap();
}

fn files(maildir: &Path) -> usize {
    ["new", "cur"]
        .iter()
        .map(|sub| fs::read_dir(maildir.join(sub)).unwrap().count())
        .sum()
}

const POPLIB: &str = r#"
import poplib, ssl, sys
port, mode = int(sys.argv[1]), sys.argv[2]
p = poplib.POP3("127.0.0.1", port, timeout=20)
print("welcome", p.getwelcome().decode())
caps = p.capa()
print("capa", sorted(caps))
if mode in ("stls", "stls-apop"):
    p.stls(context=ssl._create_unverified_context())
    print("capa-after-tls", sorted(p.capa()))
if mode in ("apop", "stls-apop"):
    print("apop", p.apop("joe", "secret").decode())
elif mode == "badpass":
    try:
        p.user("joe")
        p.pass_("wrong")
    except poplib.error_proto as e:
        print("refused", e.args[0].decode())
    p.quit()
    sys.exit(0)
else:
    p.user("joe")
    print("pass", p.pass_("secret").decode())
count, size = p.stat()
print("stat", count, size)
resp, listing, _ = p.list()
print("list", [l.decode() for l in listing])
resp, uids, _ = p.uidl()
print("uidl", [u.decode() for u in uids])
resp, lines, octets = p.top(1, 0)
print("top", len(lines), lines[0].decode())
for n in range(1, count + 1):
    resp, lines, octets = p.retr(n)
    sys.stdout.buffer.write(b"RETR %d " % n + b"\r\n".join(lines).hex().encode() + b"\n")
if mode == "delete":
    print("dele", p.dele(1).decode())
    try:
        p.retr(1)
    except poplib.error_proto as e:
        print("deleted-retr", e.args[0].decode())
    print("stat-after-dele", p.stat())
elif mode == "rset":
    p.dele(1)
    print("rset", p.rset().decode())
    print("stat-after-rset", p.stat())
elif mode == "drop":
    p.dele(1)
    p.dele(2)
    p.sock.close()
    print("dropped")
    sys.exit(0)
print("quit", p.quit().decode())
"#;

/// The lines of a RETR as poplib returns them (line endings removed,
/// stuffing undone), joined by CRLF, from the script's hex output.
fn retrieved(out: &str, n: usize) -> Vec<u8> {
    let prefix = format!("RETR {n} ");
    let hex = out
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no RETR {n} in {out}"));
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// What poplib gives for a message: its lines joined by CRLF, without
/// the final line ending.
fn as_poplib_sees_it(wire: &[u8]) -> Vec<u8> {
    wire.strip_suffix(b"\r\n").unwrap_or(wire).to_vec()
}

fn start(extra: &[&str]) -> Server {
    let mut args = vec!["--user", "joe:secret"];
    args.extend_from_slice(extra);
    Server::start_example("pop3_server", &args, two_messages)
}

#[test]
fn poplib_lists_and_retrieves_byte_exact() {
    let server = start(&[]);
    let Some(out) = python(POPLIB, &[&server.port.to_string(), "plain"]) else {
        return;
    };
    out.assert_success();
    let stdout = &out.stdout;
    assert!(stdout.contains("welcome +OK"), "{out}");
    for cap in ["'TOP'", "'UIDL'", "'USER'", "'STLS'", "'PIPELINING'"] {
        assert!(stdout.contains(cap), "{cap}: {out}");
    }
    let sizes = [MESSAGE.len(), second_on_the_wire().len()];
    assert!(
        stdout.contains(&format!("stat 2 {}", sizes[0] + sizes[1])),
        "{out}"
    );
    assert!(
        stdout.contains(&format!("list ['1 {}', '2 {}']", sizes[0], sizes[1])),
        "{out}"
    );
    assert!(
        stdout.contains("uidl ['1 1700000000.M1P1Q1.test', '2 1700000001.M1P1Q2.test']"),
        "{out}"
    );
    assert!(
        stdout.contains("top 8 From: Alice <alice@example.org>"),
        "{out}"
    );
    assert_eq!(retrieved(stdout, 1), as_poplib_sees_it(MESSAGE));
    assert_eq!(
        retrieved(stdout, 2),
        as_poplib_sees_it(&second_on_the_wire())
    );
    assert!(stdout.contains("quit +OK"), "{out}");
    assert_eq!(files(&server.maildir), 2, "nothing deleted");
}

#[test]
fn poplib_dele_applies_only_at_quit_and_rset_or_a_drop_undo_it() {
    let server = start(&[]);
    let port = server.port.to_string();
    let Some(out) = python(POPLIB, &[&port, "rset"]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("stat-after-rset (2,"), "{out}");
    assert_eq!(files(&server.maildir), 2);

    let out = python(POPLIB, &[&port, "drop"]).unwrap();
    out.assert_success();
    // The server notices the closed connection; give it a moment.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        files(&server.maildir),
        2,
        "a dropped session deletes nothing"
    );

    let out = python(POPLIB, &[&port, "delete"]).unwrap();
    out.assert_success();
    assert!(out.stdout.contains("deleted-retr -ERR"), "{out}");
    assert!(out.stdout.contains("stat-after-dele (1,"), "{out}");
    assert!(out.stdout.contains("quit +OK"), "{out}");
    assert_eq!(files(&server.maildir), 1, "deleted in UPDATE");
    assert!(
        fs::read_dir(server.maildir.join("cur")).unwrap().count() == 0,
        "message 1 (in cur/) is the one removed"
    );
}

#[test]
fn poplib_apop_and_bad_password() {
    let server = start(&[]);
    let port = server.port.to_string();
    let Some(out) = python(POPLIB, &[&port, "apop"]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("apop +OK"), "{out}");
    assert!(out.stdout.contains("stat 2 "), "{out}");

    let out = python(POPLIB, &[&port, "badpass"]).unwrap();
    out.assert_success();
    assert!(out.stdout.contains("refused -ERR"), "{out}");
}

#[test]
fn poplib_stls_then_apop() {
    let server = start(&[]);
    let Some(out) = python(POPLIB, &[&server.port.to_string(), "stls-apop"]) else {
        return;
    };
    out.assert_success();
    let (before, after) = out.stdout.split_once("capa-after-tls").unwrap();
    assert!(before.contains("'STLS'"), "{out}");
    assert!(!after.contains("'STLS'"), "STLS only once: {out}");
    assert!(out.stdout.contains("apop +OK"), "{out}");
    assert_eq!(retrieved(&out.stdout, 1), as_poplib_sees_it(MESSAGE));
}

#[test]
fn curl_lists_and_retrieves() {
    let server = start(&[]);
    let url = format!("pop3://127.0.0.1:{}/", server.port);
    let Some(out) = curl(&[url.as_str(), "--user", "joe:secret"]) else {
        return;
    };
    out.assert_success();
    let sizes = [MESSAGE.len(), second_on_the_wire().len()];
    assert_eq!(
        out.stdout,
        format!("1 {}\r\n2 {}\r\n", sizes[0], sizes[1]),
        "{out}"
    );

    let url = format!("pop3://127.0.0.1:{}/1", server.port);
    let out = curl(&[url.as_str(), "--user", "joe:secret"]).unwrap();
    out.assert_success();
    assert_eq!(out.stdout.as_bytes(), MESSAGE, "{out}");

    let out = curl(&[
        url.as_str(),
        "--user",
        "joe:secret",
        "--ssl-reqd",
        "--insecure",
    ])
    .unwrap();
    out.assert_success();
    assert_eq!(out.stdout.as_bytes(), MESSAGE, "STLS: {out}");
}
