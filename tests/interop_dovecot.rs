//! The Dovecot harness (`tests/support/dovecot.rs`), proven with clients
//! we did not write only: Python's poplib and imaplib and `curl pop3://`
//! log into a private Dovecot started by the test and retrieve messages
//! the test deposited in its Maildirs, byte for byte. Later tests point
//! our own POP3 and IMAP clients at the same server.
//!
//! A missing tool skips its test (with a message) unless
//! `MAILWIRE_REQUIRE_INTEROP=1` is set, as `.ci/run` does.

mod support;

use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use support::dovecot::{Dovecot, DovecotOptions, child_pids, is_running, start_dovecot};
use support::{LOOPBACK, MESSAGE, Output, curl, python};

/// A second message: LF-only line ends are not used (Dovecot would add
/// CRs), but a long line, an empty body line and a last line that is a
/// lone dot once unstuffed are.
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

/// poplib over plain text, or STLS first (certificate not verified) when
/// the third argument is `stls`, or implicit TLS with `ssl`: argv PORT
/// USER PASS MODE. Prints one JSON object: the greeting, CAPA names, STAT,
/// LIST and UIDL entries, each message (RETR) and the first line of its
/// TOP 1 0, in hex.
const POPLIB_READ: &str = r#"
import json, poplib, ssl, sys
port, user, password, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "ssl":
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=10)
else:
    p = poplib.POP3("127.0.0.1", port, timeout=10)
out = {"greeting": p.getwelcome().decode(), "capa_before": sorted(p.capa())}
if mode == "stls":
    out["stls"] = p.stls(ctx).decode()
    out["capa_after"] = sorted(p.capa())
out["tls"] = hasattr(p.sock, "version") and p.sock.version() is not None
p.user(user)
p.pass_(password)
out["stat"] = list(p.stat())
resp, listing, _ = p.list()
out["list"] = [line.decode() for line in listing]
resp, uidl, _ = p.uidl()
out["uidl"] = [line.decode() for line in uidl]
messages = []
for n in range(1, out["stat"][0] + 1):
    # poplib removes the CRLFs and the dot-stuffing: put the CRLFs back.
    resp, lines, octets = p.retr(n)
    messages.append(b"".join(line + b"\r\n" for line in lines).hex())
out["retr"] = messages
out["quit"] = p.quit().decode()
print(json.dumps(out))
"#;

/// imaplib: argv PORT USER PASS STARTTLS(0/1); selects INBOX and fetches
/// every message's BODY.PEEK[] (the exact bytes), printed as JSON in hex.
const IMAPLIB_READ: &str = r#"
import json, imaplib, ssl, sys
port, user, password, starttls = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1"
i = imaplib.IMAP4("127.0.0.1", port, timeout=10)
out = {"capabilities": sorted(i.capabilities)}
if starttls:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    out["starttls"] = i.starttls(ctx)[0]
i.login(user, password)
typ, data = i.select("INBOX", readonly=True)
out["exists"] = int(data[0])
messages = []
for n in range(1, out["exists"] + 1):
    typ, data = i.fetch(str(n), "(BODY.PEEK[])")
    messages.append(data[0][1].hex())
out["fetch"] = messages
out["logout"] = i.logout()[0]
print(json.dumps(out))
"#;

fn hex_decode(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd hex length");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
        .collect()
}

fn json(output: &Output) -> serde_json::Value {
    output.assert_success();
    serde_json::from_str(output.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: not JSON from {output}"))
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|v| v.as_str().expect("a JSON string").to_owned())
        .collect()
}

fn hex_list(value: &serde_json::Value) -> Vec<Vec<u8>> {
    strings(value).iter().map(|hex| hex_decode(hex)).collect()
}

/// Dovecot with `alice` and the two test messages in her Maildir.
fn dovecot_with_messages() -> Option<(Dovecot, Vec<Vec<u8>>)> {
    let dovecot = start_dovecot(&DovecotOptions::default())?;
    let messages = vec![MESSAGE.to_vec(), second_message()];
    for message in &messages {
        dovecot.deposit("alice", message);
    }
    Some((dovecot, messages))
}

#[track_caller]
fn poplib(dovecot: &Dovecot, port: u16, password: &str, mode: &str) -> Option<serde_json::Value> {
    let port = port.to_string();
    let output = python(POPLIB_READ, &[port.as_str(), "alice", password, mode])?;
    if !output.success() {
        panic!("{output}\n--- Dovecot log ---\n{}", dovecot.log());
    }
    Some(json(&output))
}

/// RFC 1939 section 5 (LIST: "msg octets"), section 7 (UIDL: "msg uid"):
/// the entries match the deposited files; RETR gives the bytes back.
#[track_caller]
fn assert_mailbox(out: &serde_json::Value, messages: &[Vec<u8>]) {
    let sizes: Vec<usize> = messages.iter().map(Vec::len).collect();
    assert_eq!(
        out["stat"],
        serde_json::json!([messages.len(), sizes.iter().sum::<usize>()])
    );
    let expected: Vec<String> = sizes
        .iter()
        .enumerate()
        .map(|(i, size)| format!("{} {size}", i + 1))
        .collect();
    assert_eq!(strings(&out["list"]), expected);
    // pop3_uidl_format = %08Xu%08Xv: the IMAP UID, then UIDVALIDITY.
    let uidl = strings(&out["uidl"]);
    assert_eq!(uidl.len(), messages.len());
    for (i, line) in uidl.iter().enumerate() {
        let (msg, uid) = line.split_once(' ').expect("msg SP unique-id");
        assert_eq!(msg, (i + 1).to_string());
        assert_eq!(uid.len(), 16, "{uid}");
        assert_eq!(&uid[..8], format!("{:08X}", i + 1));
        assert!(uid.bytes().all(|b| b.is_ascii_hexdigit()), "{uid}");
    }
    assert_eq!(hex_list(&out["retr"]), messages);
    assert!(out["quit"].as_str().unwrap().starts_with("+OK"), "{out}");
}

#[test]
fn poplib_lists_and_retrieves_deposited_messages_byte_exact() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    let Some(out) = poplib(&dovecot, dovecot.pop3_port(), "secret", "plain") else {
        return;
    };
    assert!(
        out["greeting"].as_str().unwrap().starts_with("+OK"),
        "{out}"
    );
    assert_eq!(out["tls"], false);
    // RFC 2449 CAPA: what the configuration turns on.
    let capa = strings(&out["capa_before"]);
    for name in ["STLS", "UIDL", "TOP", "USER", "SASL", "PIPELINING"] {
        assert!(capa.contains(&name.to_owned()), "{name} not in {capa:?}");
    }
    assert_mailbox(&out, &messages);
    // Retrieving moves the messages from new/ to cur/ (the files stay).
    assert!(dovecot.maildir_files("alice", "new").is_empty());
    assert_eq!(dovecot.maildir_files("alice", "cur").len(), 2);
}

/// RFC 2595 section 4: STLS, then CAPA again, then the session as usual
/// (the certificate is self-signed and not verified).
#[test]
fn poplib_stls_then_login_and_retrieve() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    let Some(out) = poplib(&dovecot, dovecot.pop3_port(), "secret", "stls") else {
        return;
    };
    assert!(out["stls"].as_str().unwrap().starts_with("+OK"), "{out}");
    assert_eq!(out["tls"], true);
    let after = strings(&out["capa_after"]);
    assert!(!after.contains(&"STLS".to_owned()), "{after:?}");
    assert!(after.contains(&"USER".to_owned()), "{after:?}");
    assert_mailbox(&out, &messages);
}

#[test]
fn poplib_over_implicit_tls() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    let Some(out) = poplib(&dovecot, dovecot.pop3s_port(), "secret", "ssl") else {
        return;
    };
    assert_eq!(out["tls"], true);
    assert_mailbox(&out, &messages);
}

#[test]
fn wrong_password_is_refused() {
    let Some((dovecot, _)) = dovecot_with_messages() else {
        return;
    };
    let port = dovecot.pop3_port().to_string();
    let Some(output) = python(POPLIB_READ, &[port.as_str(), "alice", "wrong", "plain"]) else {
        return;
    };
    assert!(!output.success(), "{output}");
    assert!(output.stderr.contains("-ERR"), "{output}");
    // Nothing was touched.
    assert_eq!(dovecot.maildir_files("alice", "new").len(), 2);
}

/// curl's POP3 URLs (RFC 2384): the mailbox URL runs LIST, a message URL
/// runs RETR and writes the message out, unstuffed, without the final dot.
#[test]
fn curl_lists_and_retrieves_byte_exact() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    let base = format!("pop3://{LOOPBACK}:{}/", dovecot.pop3_port());
    let Some(listing) = curl(&[base.as_str(), "--user", "alice:secret"]) else {
        return;
    };
    listing.assert_success();
    let expected: String = messages
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{} {}\r\n", i + 1, m.len()))
        .collect();
    assert_eq!(listing.stdout, expected);

    for (i, message) in messages.iter().enumerate() {
        let url = format!("{base}{}", i + 1);
        // Raw bytes: Output holds text, so compare through a file.
        let dir = support::temp_dir();
        let path = dir.path().join("retr.eml");
        let path = path.to_str().expect("a UTF-8 temporary path");
        let output = curl(&[url.as_str(), "--user", "alice:secret", "--output", path])
            .expect("curl was found above");
        output.assert_success();
        assert_eq!(&std::fs::read(path).expect("read curl's output"), message);
    }
}

/// curl's STLS: `--ssl-reqd` on a pop3:// URL upgrades with STLS first.
#[test]
fn curl_with_stls() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    let url = format!("pop3://{LOOPBACK}:{}/2", dovecot.pop3_port());
    let Some(output) = curl(&[
        url.as_str(),
        "--user",
        "alice:secret",
        "--ssl-reqd",
        "--insecure",
        "--verbose",
    ]) else {
        return;
    };
    output.assert_success();
    assert!(output.stderr.contains("> STLS"), "{output}");
    assert_eq!(output.stdout.as_bytes(), &messages[1][..]);
}

#[track_caller]
fn imaplib(dovecot: &Dovecot, starttls: bool) -> Option<serde_json::Value> {
    let port = dovecot.imap_port().to_string();
    let flag = if starttls { "1" } else { "0" };
    let output = python(IMAPLIB_READ, &[port.as_str(), "alice", "secret", flag])?;
    if !output.success() {
        panic!("{output}\n--- Dovecot log ---\n{}", dovecot.log());
    }
    Some(json(&output))
}

/// RFC 3501 section 6.4.5: BODY.PEEK[] is the whole message, exactly.
#[test]
fn imaplib_fetches_deposited_messages_byte_exact() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    let Some(out) = imaplib(&dovecot, false) else {
        return;
    };
    let capabilities = strings(&out["capabilities"]);
    assert!(
        capabilities.contains(&"STARTTLS".to_owned()),
        "{capabilities:?}"
    );
    assert_eq!(out["exists"], 2);
    assert_eq!(hex_list(&out["fetch"]), messages);
    assert_eq!(out["logout"], "BYE");
}

/// RFC 3501 section 6.2.1: STARTTLS, then LOGIN over TLS.
#[test]
fn imaplib_starttls_then_fetch() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    let Some(out) = imaplib(&dovecot, true) else {
        return;
    };
    assert_eq!(out["starttls"], "OK");
    assert_eq!(hex_list(&out["fetch"]), messages);
}

/// A message deposited in cur/ with the seen flag is served like one in
/// new/, and DELE + QUIT (RFC 1939 section 6, UPDATE state) removes its
/// file from the Maildir.
#[test]
fn dele_removes_the_file() {
    const DELETE_FIRST: &str = r#"
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("alice")
p.pass_("secret")
print(p.stat()[0])
print(p.dele(1).decode())
print(p.quit().decode())
"#;
    let Some(dovecot) = start_dovecot(&DovecotOptions::default()) else {
        return;
    };
    let seen = dovecot.deposit_cur("alice", MESSAGE, "S");
    let kept = dovecot.deposit("alice", &second_message());
    let kept = kept.file_name().unwrap().to_str().unwrap().to_owned();
    let port = dovecot.pop3_port().to_string();
    let Some(output) = python(DELETE_FIRST, &[port.as_str()]) else {
        return;
    };
    output.assert_success();
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(lines[0], "2", "{output}");
    assert!(lines[1].starts_with("+OK"), "{output}");
    assert!(lines[2].starts_with("+OK"), "{output}");
    assert!(!seen.exists(), "{} is still there", seen.display());
    let left = dovecot.maildir_files("alice", "cur");
    assert_eq!(left.len(), 1, "{left:?}");
    // Retrieved (STAT opened the mailbox): moved to cur/ with an info suffix.
    assert!(left[0].starts_with(&kept), "{left:?} {kept}");
}

/// Several users, each with a Maildir of their own.
#[test]
fn users_have_separate_maildirs() {
    let options = DovecotOptions {
        users: vec![
            ("alice".to_owned(), "secret".to_owned()),
            ("bob".to_owned(), "hunter2".to_owned()),
        ],
        ..DovecotOptions::default()
    };
    let Some(dovecot) = start_dovecot(&options) else {
        return;
    };
    dovecot.deposit("bob", MESSAGE);
    const STAT: &str = r#"
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user(sys.argv[2])
p.pass_(sys.argv[3])
print(p.stat()[0])
p.quit()
"#;
    let port = dovecot.pop3_port().to_string();
    for (user, password, count) in [("alice", "secret", "0"), ("bob", "hunter2", "1")] {
        let Some(output) = python(STAT, &[port.as_str(), user, password]) else {
            return;
        };
        output.assert_success();
        assert_eq!(output.stdout.trim(), count, "{user}: {output}");
    }
    assert!(dovecot.maildir("bob").ends_with("Maildir/bob"));
}

/// Dropping the harness ends the master and everything it started; the
/// ports stop answering. The log shows a login happened first.
#[test]
fn dovecot_goes_away_on_drop() {
    let Some((dovecot, messages)) = dovecot_with_messages() else {
        return;
    };
    assert!(
        dovecot.version().starts_with("2.3."),
        "{}",
        dovecot.version()
    );
    let Some(out) = poplib(&dovecot, dovecot.pop3_port(), "secret", "plain") else {
        return;
    };
    assert_mailbox(&out, &messages);
    let log = dovecot.log();
    assert!(
        log.contains("pop3-login: Info: Login: user=<alice>"),
        "{log}"
    );

    let master = dovecot.pid();
    let children = child_pids(master);
    // At least the log, config and login processes.
    assert!(children.len() >= 2, "{children:?}");
    let ports = [
        dovecot.pop3_port(),
        dovecot.pop3s_port(),
        dovecot.imap_port(),
        dovecot.imaps_port(),
    ];
    drop(dovecot);
    assert!(!is_running(master), "master {master} still runs");
    for pid in children {
        assert!(!is_running(pid), "child {pid} of {master} still runs");
    }
    // Nothing listens any more (the kernel may need a moment to close the
    // listening sockets of exited processes).
    let deadline = Instant::now() + Duration::from_secs(5);
    for port in ports {
        while TcpStream::connect(SocketAddr::from((LOOPBACK, port))).is_ok() {
            assert!(Instant::now() < deadline, "port {port} still answers");
            thread::sleep(Duration::from_millis(20));
        }
    }
}
