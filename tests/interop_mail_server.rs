//! The `mail_server` example against clients we did not write: Python's
//! smtplib (submission with STARTTLS and AUTH, the MX, refusals) and
//! poplib (STLS, reading and deleting what was delivered), swaks, curl
//! (`smtp://` submission and `pop3://`), and fetchmail downloading over
//! POP3 with STLS into an mbox through its MDA. Also the relay: mail for
//! another domain, submitted by a user, arrives at the next hop given by
//! `--route`, and mail for a domain without a route comes back to the
//! local sender as a bounce.
//!
//! The server runs as its own process (the example binary `cargo test`
//! builds), on free ports of 127.0.0.1, its tree in a temporary directory.

mod support;

use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::mail_server::{Acked, MailServer, load_session};
use support::{ExampleServer, Output, curl, python, require_tool, swaks, temp_dir};

const USERS: [(&str, &str); 2] = [("alice", "wonderland"), ("bob", "builder")];

/// The files in `new/` of `user`'s Maildir, waiting up to 10 s for at
/// least `count`.
fn delivered(server: &MailServer, user: &str, count: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let mut files: Vec<_> = fs::read_dir(server.maildir(user).join("new"))
            .map(|dir| dir.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        if files.len() >= count || started.elapsed() > Duration::from_secs(10) {
            files.sort();
            return files
                .iter()
                .map(|p| String::from_utf8_lossy(&fs::read(p).unwrap()).into_owned())
                .collect();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const SUBMIT_AND_MX: &str = r#"
import smtplib, ssl, sys
submission, mx, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
context = ssl.create_default_context(cafile=cafile)

# Submission: no mail before AUTH, no AUTH before STARTTLS.
s = smtplib.SMTP("localhost", submission, timeout=10)
s.ehlo()
assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
code, _ = s.mail("alice@example.org")
print("mail before auth", code)
s.rset()
s.starttls(context=context)
s.ehlo()
s.login("alice", "wonderland")
s.sendmail("alice@example.org", ["bob@example.org"],
           b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: via submission\r\n\r\nHello Bob.\r\n")
print("submitted")
s.quit()

# The MX: local users without AUTH; never a relay; unknown users refused.
m = smtplib.SMTP("127.0.0.1", mx, timeout=10)
m.sendmail("carol@example.net", ["alice@example.org", "bob@localhost", "BOB@EXAMPLE.ORG"],
           b"From: carol@example.net\r\nSubject: via mx\r\n\r\nHello both.\r\n")
print("mx delivered")
for rcpt in ["dave@example.net", "nobody@example.org"]:
    try:
        m.sendmail("carol@example.net", [rcpt], b"Subject: refused\r\n\r\nno\r\n")
        print("accepted", rcpt)
    except smtplib.SMTPRecipientsRefused as e:
        code, text = e.recipients[rcpt]
        print("refused", rcpt, code, text.decode())
m.quit()
"#;

const POP_READ: &str = r#"
import poplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
p = poplib.POP3("localhost", port, timeout=10)
p.stls(context=ssl.create_default_context(cafile=cafile))
p.user("bob")
p.pass_("builder")
count, size = p.stat()
print("stat", count)
for n in range(1, count + 1):
    lines = p.retr(n)[1]
    subject = [l for l in lines if l.startswith(b"Subject:")][0].decode()
    print("message", n, subject)
p.dele(1)
p.quit()
"#;

#[test]
fn python_submits_delivers_and_reads() {
    let dir = temp_dir();
    let server = MailServer::start(&dir.path().join("tree"), &USERS, &[]);
    let cafile = server.certificate.to_str().unwrap().to_owned();
    let Some(out) = python(
        SUBMIT_AND_MX,
        &[
            server.submission.to_string(),
            server.smtp.to_string(),
            cafile.clone(),
        ],
    ) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("mail before auth 530"), "{out}");
    assert!(out.stdout.contains("submitted"), "{out}");
    assert!(out.stdout.contains("mx delivered"), "{out}");
    assert!(
        out.stdout
            .contains("refused dave@example.net 550 5.7.1 Relaying denied"),
        "{out}"
    );
    assert!(
        out.stdout
            .contains("refused nobody@example.org 550 5.1.1 No such user here"),
        "{out}"
    );

    // Bob: the submitted message and one copy of the MX's (two of his
    // addresses were given); Alice: the MX's.
    let bob = delivered(&server, "bob", 2);
    assert_eq!(bob.len(), 2, "{bob:?}");
    assert!(bob.iter().any(
        |m| m.starts_with("Return-Path: <alice@example.org>\r\nReceived: ")
            && m.ends_with("Subject: via submission\r\n\r\nHello Bob.\r\n")
    ));
    assert!(
        bob.iter()
            .any(|m| m.ends_with("Subject: via mx\r\n\r\nHello both.\r\n"))
    );
    let alice = delivered(&server, "alice", 1);
    assert_eq!(alice.len(), 1);
    assert!(alice[0].starts_with("Return-Path: <carol@example.net>\r\n"));

    let out = python(POP_READ, &[server.pop3.to_string(), cafile]).unwrap();
    out.assert_success();
    assert!(out.stdout.contains("stat 2"), "{out}");
    assert!(out.stdout.contains("Subject: via submission"), "{out}");
    assert!(out.stdout.contains("Subject: via mx"), "{out}");
    // DELE 1, then QUIT: one file left.
    let started = Instant::now();
    while delivered(&server, "bob", 0).len() != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "DELE not applied"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn swaks_and_curl_submit_and_read() {
    let dir = temp_dir();
    let server = MailServer::start(&dir.path().join("tree"), &USERS, &[]);
    let mx = format!("127.0.0.1:{}", server.smtp);
    let submission = format!("127.0.0.1:{}", server.submission);
    let Some(out) = swaks(&[
        "--server",
        &mx,
        "--from",
        "carol@example.net",
        "--to",
        "bob@example.org",
        "--header",
        "Subject: swaks to the mx",
    ]) else {
        return;
    };
    out.assert_success();
    // A relay attempt through the MX fails at RCPT.
    let out = swaks(&[
        "--server",
        &mx,
        "--from",
        "carol@example.net",
        "--to",
        "dave@example.com",
    ])
    .unwrap();
    assert!(!out.success(), "{out}");
    assert!(out.stdout.contains("550 5.7.1"), "{out}");
    // Submission: swaks with STARTTLS and each mechanism.
    for mechanism in ["PLAIN", "LOGIN", "CRAM-MD5"] {
        let out = swaks(&[
            "--server",
            &submission,
            "--tls",
            "--auth",
            mechanism,
            "--auth-user",
            "alice",
            "--auth-password",
            "wonderland",
            "--from",
            "alice@example.org",
            "--to",
            "bob@example.org",
            "--header",
            &format!("Subject: swaks {mechanism}"),
        ])
        .unwrap();
        out.assert_success();
    }
    // Alice cannot send as Bob, nor as the null sender (RFC 6409 6.1).
    for from in ["bob@example.org", ""] {
        let out = swaks(&[
            "--server",
            &submission,
            "--tls",
            "--auth",
            "PLAIN",
            "--auth-user",
            "alice",
            "--auth-password",
            "wonderland",
            "--from",
            from,
            "--to",
            "bob@example.org",
        ])
        .unwrap();
        assert!(!out.success(), "{out}");
        assert!(
            out.stdout.contains("553 5.7.1 Sender address not owned"),
            "{out}"
        );
    }
    // A wrong password is refused.
    let out = swaks(&[
        "--server",
        &submission,
        "--tls",
        "--auth",
        "PLAIN",
        "--auth-user",
        "alice",
        "--auth-password",
        "wrong",
        "--to",
        "bob@example.org",
    ])
    .unwrap();
    assert!(!out.success());
    assert!(out.stdout.contains("535"), "{out}");

    // curl: submission with STARTTLS required and the certificate checked.
    let message = dir.path().join("message.eml");
    fs::write(
        &message,
        "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: curl submission\r\n\r\nby curl\r\n",
    )
    .unwrap();
    let cacert = server.certificate.to_str().unwrap();
    let out = curl(&[
        "--ssl-reqd",
        "--cacert",
        cacert,
        "--url",
        &format!("smtp://localhost:{}/client.example.org", server.submission),
        "--user",
        "alice:wonderland",
        "--mail-from",
        "alice@example.org",
        "--mail-rcpt",
        "bob@example.org",
        "--upload-file",
        message.to_str().unwrap(),
    ])
    .unwrap();
    out.assert_success();
    let bob = delivered(&server, "bob", 5);
    assert_eq!(bob.len(), 5, "{bob:?}");
    for subject in [
        "Subject: swaks to the mx",
        "Subject: swaks PLAIN",
        "Subject: swaks LOGIN",
        "Subject: swaks CRAM-MD5",
        "Subject: curl submission",
    ] {
        assert!(bob.iter().any(|m| m.contains(subject)), "{subject}");
    }

    // curl pop3: the listing, then the message curl sent, over STLS.
    let pop3 = format!("pop3://localhost:{}/", server.pop3);
    let out = curl(&[
        "--ssl-reqd",
        "--cacert",
        cacert,
        &pop3,
        "--user",
        "bob:builder",
    ])
    .unwrap();
    out.assert_success();
    assert_eq!(out.stdout.lines().count(), 5, "{out}");
    let curl_number = bob
        .iter()
        .position(|m| m.contains("Subject: curl submission"))
        .unwrap()
        + 1;
    let out = curl(&[
        "--ssl-reqd",
        "--cacert",
        cacert,
        &format!("{pop3}{curl_number}"),
        "--user",
        "bob:builder",
    ])
    .unwrap();
    out.assert_success();
    assert_eq!(out.stdout.as_bytes(), bob[curl_number - 1].as_bytes());
}

/// Runs fetchmail with the rc file `rc`, its home in `home`.
fn fetchmail(fetchmail: &Path, home: &Path, rc: &Path) -> Output {
    Output::run(
        "fetchmail",
        Command::new(fetchmail)
            .env("HOME", home)
            .env("FETCHMAILHOME", home)
            .arg("-f")
            .arg(rc)
            .arg("--pidfile")
            .arg(home.join("fetchmail.pid"))
            .args(["--nosyslog", "-v"]),
        Duration::from_secs(30),
    )
}

#[test]
fn fetchmail_downloads_over_pop3_with_stls() {
    fetchmail_downloads("pop3", |server| server.pop3);
}

#[test]
fn fetchmail_downloads_over_imap_with_starttls() {
    fetchmail_downloads("imap", |server| server.imap);
}

/// fetchmail, with TLS required and the certificate checked, downloads
/// three messages the MX took for Bob over `protocol`, into an mbox
/// through its `mda`, deletes them on the server, and finds nothing the
/// second time.
fn fetchmail_downloads(protocol: &str, port: fn(&MailServer) -> u16) {
    let Some(program) = require_tool("fetchmail") else {
        return;
    };
    let dir = temp_dir();
    let server = MailServer::start(&dir.path().join("tree"), &USERS, &[]);
    let acked = Acked::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mx = SocketAddr::from(([127, 0, 0, 1], server.smtp));
    runtime
        .block_on(load_session(
            mx,
            "fetch",
            0,
            3,
            |_, _| "bob@example.org".into(),
            &acked,
        ))
        .unwrap();
    assert_eq!(delivered(&server, "bob", 3).len(), 3);

    let home = dir.path().join("home");
    fs::create_dir(&home).unwrap();
    let mbox = dir.path().join("bob.mbox");
    let rc = home.join("fetchmailrc");
    // STLS / STARTTLS required, the certificate checked against its file
    // and the name it carries (`via` connects to the address the server
    // is on).
    fs::write(
        &rc,
        format!(
            "poll localhost via 127.0.0.1 service {} protocol {protocol}\n\
             \x20 user \"bob\" password \"builder\"\n\
             \x20 sslproto tls1.2+ sslcertck sslcertfile \"{}\" sslcommonname \"localhost\"\n\
             \x20 mda \"cat >> {}\"\n",
            port(&server),
            server.certificate.display(),
            mbox.display()
        ),
    )
    .unwrap();
    // fetchmail refuses an rc file others can read.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&rc, fs::Permissions::from_mode(0o600)).unwrap();
    let out = fetchmail(&program, &home, &rc);
    out.assert_success();
    assert!(
        out.stderr.contains("upgrade to TLS succeeded")
            || out.stdout.contains("upgrade to TLS succeeded"),
        "{out}"
    );
    let fetched = fs::read_to_string(&mbox).unwrap();
    for n in 0..3 {
        let id = format!("fetch0-{n}");
        assert_eq!(
            fetched.matches(&format!("X-Load-Id: {id}\r\n")).count()
                + fetched.matches(&format!("X-Load-Id: {id}\n")).count(),
            1,
            "{id} in {fetched}"
        );
        assert!(fetched.contains(&format!("{id} line 23 the quick brown fox")));
    }
    // fetchmail deletes what it fetched (no `keep`): nothing is left in
    // new/ nor, over IMAP, in cur/.
    let started = Instant::now();
    let left = |sub: &str| {
        fs::read_dir(server.maildir("bob").join(sub))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    while left("new") + left("cur") > 0 {
        assert!(started.elapsed() < Duration::from_secs(5), "not deleted");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A second run finds nothing.
    let out = fetchmail(&program, &home, &rc);
    assert_eq!(out.status.and_then(|s| s.code()), Some(1), "{out}");
}

const IMAP_READ: &str = r#"
import imaplib, poplib, smtplib, ssl, sys
imap, mx, pop3, cafile = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
context = ssl.create_default_context(cafile=cafile)
m = smtplib.SMTP("127.0.0.1", mx, timeout=10)
for n in range(3):
    m.sendmail("carol@example.net", ["bob@example.org"],
               f"From: carol@example.net\r\nSubject: imap {n}\r\n\r\nbody {n}\r\n".encode())
m.quit()

c = imaplib.IMAP4("localhost", imap, timeout=10)
c.starttls(ssl_context=context)
c.login("bob", "builder")
typ, data = c.select("INBOX")
print("exists", data[0].decode())
typ, data = c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
for item in data:
    if isinstance(item, tuple):
        print("header", item[1].decode().strip())
print("unseen", c.search(None, "UNSEEN")[1][0].decode())
c.store("1", "+FLAGS", "\\Seen")
print("seen", c.search(None, "SEEN")[1][0].decode())
print("create", c.create("Archive")[0])
print("copy", c.copy("2", "Archive")[0])
print("status", c.status("Archive", "(MESSAGES)")[1][0].decode())
c.store("3", "+FLAGS", "\\Deleted")
print("expunge", c.expunge()[1][0].decode())
c.logout()

# POP3 sees the same INBOX: the expunged message is gone.
p = poplib.POP3("localhost", pop3, timeout=10)
p.stls(context=context)
p.user("bob")
p.pass_("builder")
print("pop3 stat", p.stat()[0])
p.quit()
"#;

#[test]
fn python_and_curl_read_over_imap() {
    let dir = temp_dir();
    let server = MailServer::start(&dir.path().join("tree"), &USERS, &[]);
    let cafile = server.certificate.to_str().unwrap().to_owned();
    let Some(out) = python(
        IMAP_READ,
        &[
            server.imap.to_string(),
            server.smtp.to_string(),
            server.pop3.to_string(),
            cafile.clone(),
        ],
    ) else {
        return;
    };
    out.assert_success();
    for line in [
        "exists 3",
        "header Subject: imap 0",
        "header Subject: imap 2",
        "unseen 1 2 3",
        "seen 1",
        "create OK",
        "copy OK",
        "status Archive (MESSAGES 1)",
        "expunge 3",
        "pop3 stat 2",
    ] {
        assert!(out.stdout.contains(line), "no {line:?}: {out}");
    }
    // The flag set over IMAP is in the file's name (Maildir info), where
    // any other Maildir reader finds it; the copy is a Maildir++ folder.
    let cur: Vec<String> = fs::read_dir(server.maildir("bob").join("cur"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        cur.iter().filter(|n| n.ends_with(":2,S")).count(),
        1,
        "{cur:?}"
    );
    let archive = server.maildir("bob").join(".Archive");
    let copies = fs::read_dir(archive.join("cur"))
        .map(|d| d.count())
        .unwrap_or(0)
        + fs::read_dir(archive.join("new"))
            .map(|d| d.count())
            .unwrap_or(0);
    assert_eq!(copies, 1);

    // curl: STARTTLS required, the certificate checked.
    let Some(out) = curl(&[
        "--ssl-reqd",
        "--cacert",
        &cafile,
        "--user",
        "bob:builder",
        &format!("imap://localhost:{}/INBOX;UID=1", server.imap),
    ]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("Subject: imap 0"), "{out}");
    assert!(out.stdout.ends_with("body 0\r\n"), "{out}");
}

const SUBMIT_REMOTE: &str = r#"
import smtplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("localhost", port, timeout=10)
s.starttls(context=ssl.create_default_context(cafile=cafile))
s.login("alice", "wonderland")
s.sendmail("alice@example.org", ["carol@example.net", "bob@example.org"],
           b"From: alice@example.org\r\nSubject: to carol and bob\r\n\r\nRelayed.\r\n")
s.sendmail("alice@example.org", ["dave@nowhere.test"],
           b"From: alice@example.org\r\nSubject: to nowhere\r\n\r\nBounces.\r\n")
s.quit()
print("submitted")
"#;

#[test]
fn submission_relays_by_route_and_bounces_without_one() {
    // The next hop for example.net: the smtp_server example.
    let mut next_hop = ExampleServer::start(&["--no-tls"]);
    let dir = temp_dir();
    let route = format!("example.net=127.0.0.1:{}", next_hop.port);
    let server = MailServer::start(&dir.path().join("tree"), &USERS, &["--route", &route]);
    let Some(out) = python(
        SUBMIT_REMOTE,
        &[
            server.submission.to_string(),
            server.certificate.to_str().unwrap().to_owned(),
        ],
    ) else {
        return;
    };
    out.assert_success();
    // Bob's copy at once; Carol's through the queue to the next hop.
    let bob = delivered(&server, "bob", 1);
    assert_eq!(bob.len(), 1);
    assert!(bob[0].ends_with("Subject: to carol and bob\r\n\r\nRelayed.\r\n"));
    let relayed = next_hop.messages(1);
    assert_eq!(relayed.len(), 1);
    let relayed = String::from_utf8_lossy(&relayed[0]);
    assert!(
        relayed.contains("Return-Path: <alice@example.org>"),
        "{relayed}"
    );
    assert!(relayed.ends_with("Subject: to carol and bob\r\n\r\nRelayed.\r\n"));
    // No route to nowhere.test: a bounce from <> to Alice, through the MX.
    let alice = delivered(&server, "alice", 1);
    assert_eq!(alice.len(), 1, "{}", server.child);
    assert!(alice[0].starts_with("Return-Path: <>\r\n"), "{}", alice[0]);
    assert!(alice[0].contains("dave@nowhere.test"), "{}", alice[0]);
    assert!(alice[0].contains("Subject: to nowhere"), "{}", alice[0]);
}

#[test]
fn operator_certificate_from_pem_files() {
    let Some(openssl) = require_tool("openssl") else {
        return;
    };
    let dir = temp_dir();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    // A P-256 key (PKCS#8, as OpenSSL 3 writes it) and a self-signed
    // certificate for other names than the generated one.
    Output::run(
        "openssl",
        Command::new(openssl)
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ])
            .args(["-nodes", "-days", "2", "-subj", "/CN=mx.example.org"])
            .args(["-addext", "subjectAltName=DNS:localhost,DNS:mx.example.org"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        Duration::from_secs(20),
    )
    .assert_success();
    let server = MailServer::start(
        &dir.path().join("tree"),
        &USERS,
        &[
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    );
    // curl checks the server's certificate against the operator's.
    let Some(out) = curl(&[
        "--ssl-reqd",
        "--cacert",
        cert.to_str().unwrap(),
        &format!("pop3://localhost:{}/", server.pop3),
        "--user",
        "bob:builder",
    ]) else {
        return;
    };
    out.assert_success();
    assert_eq!(out.stdout.trim(), "", "an empty maildrop lists nothing");
    // The file the guide points at is the operator's certificate.
    assert_eq!(
        fs::read_to_string(&server.certificate).unwrap(),
        fs::read_to_string(&cert).unwrap()
    );
}
