//! The `imap_fetch` example (the sans-IO `mailwire_imap::client` on
//! tokio) against a server we did not write: a private Dovecot started by
//! the test (`tests/support/dovecot.rs`) on loopback ports. LOGIN in plain
//! text, STARTTLS (the certificate checked) with AUTHENTICATE PLAIN, a
//! multipart message with an RFC 2047 UTF-8 subject and a binary
//! attachment downloaded byte for byte, a second folder with a non-ASCII
//! name (modified UTF-7, RFC 3501 section 5.1.3), `\Seen`, deletion with
//! EXPUNGE, IDLE, a password sent as a literal, and a wrong password.
//! A scripted server adds what Dovecot does not do on demand: a
//! connection cut inside a message body and `BYE`.
//!
//! A missing Dovecot skips these tests (with a message) unless
//! `MAILWIRE_REQUIRE_INTEROP=1` is set, as `.ci/run` does. The example
//! binary must be built first (`cargo build --all-features --examples`).
//! The example's support module is compiled here too, so that its unit
//! tests (transcript, redaction) run in this binary.

#[path = "../examples/support/imap_fetch.rs"]
mod imap_fetch;
mod support;
#[path = "../examples/support/tls.rs"]
mod tls;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::dovecot::{Dovecot, DovecotOptions, start_dovecot};
use support::{Child, MESSAGE, Output, TempDir, example, temp_dir};

/// The decoded subject of [`attachment_message`].
const UTF8_SUBJECT: &str = "Grüße aus Köln ✓";

/// A multipart message whose subject is an RFC 2047 `B` encoded word
/// (UTF-8) and whose attachment holds every octet value, base64 encoded.
fn attachment_message() -> Vec<u8> {
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let encoded = mailwire_core::sasl::encode_base64(&binary);
    let mut message = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4g4pyT?=\r\n\
Message-ID: <interop-attachment@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Anbei die Datei. Gr\xc3\xbc\xc3\x9fe!\r\n\
--b1\r\n\
Content-Type: application/octet-stream; name=\"bytes.bin\"\r\n\
Content-Disposition: attachment; filename=\"bytes.bin\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n"
        .to_vec();
    for line in encoded.as_bytes().chunks(76) {
        message.extend_from_slice(line);
        message.extend_from_slice(b"\r\n");
    }
    message.extend_from_slice(b"--b1--\r\n");
    message
}

/// A message for the second folder.
const ARCHIVED: &[u8] = b"From: Carol <carol@example.org>\r\n\
To: Alice <alice@example.org>\r\n\
Subject: archived\r\n\
\r\n\
Kept in a folder of its own.\r\n";

/// A Dovecot with `alice`'s INBOX holding [`MESSAGE`] and
/// [`attachment_message`].
fn dovecot() -> Option<Dovecot> {
    let dovecot = start_dovecot(&DovecotOptions::default())?;
    dovecot.deposit("alice", MESSAGE);
    dovecot.deposit("alice", &attachment_message());
    Some(dovecot)
}

fn run(dovecot: &Dovecot, user: &str, extra: &[&str], out: Option<&Path>) -> Output {
    let mut command = Command::new(example("imap_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{}", dovecot.imap_port())])
        .args(["--user", user])
        .args(extra);
    if let Some(out) = out {
        command.arg("--out").arg(out);
    }
    Output::run("imap_fetch", &mut command, Duration::from_secs(60))
}

/// Runs `imap_fetch` as alice with `extra` options, writing into a new
/// directory; returns its output, the directory and the files it wrote
/// (`<uid>.eml`), in UID order.
fn fetch(dovecot: &Dovecot, extra: &[&str]) -> (Output, TempDir, Vec<Vec<u8>>) {
    let out = temp_dir();
    let output = run(dovecot, "alice:secret", extra, Some(out.path()));
    let mut paths: Vec<(u32, _)> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let uid = p.file_stem().unwrap().to_str().unwrap().parse().unwrap();
            (uid, p)
        })
        .collect();
    paths.sort();
    let files = paths.iter().map(|(_, p)| fs::read(p).unwrap()).collect();
    (output, out, files)
}

/// The Maildir file names of alice's INBOX (`new/` and `cur/`).
fn inbox_files(dovecot: &Dovecot) -> Vec<String> {
    let mut names = dovecot.maildir_files("alice", "new");
    names.extend(dovecot.maildir_files("alice", "cur"));
    names
}

#[test]
fn login_in_plain_text_downloads_byte_for_byte() {
    let Some(dovecot) = dovecot() else {
        return;
    };
    let (out, _dir, files) = fetch(&dovecot, &["--transcript"]);
    out.assert_success();
    assert_eq!(files, [MESSAGE.to_vec(), attachment_message()], "{out}");
    // One line per message: UID, flags, size, subject (RFC 2047 decoded).
    let size = attachment_message().len();
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("1 (") && l.ends_with(": interop test")),
        "{out}"
    );
    assert!(
        out.stdout.lines().any(|l| l.starts_with("2 (")
            && l.contains(&format!(" {size} octets"))
            && l.ends_with(&format!(": {UTF8_SUBJECT}"))),
        "{out}"
    );
    assert!(!out.stdout.contains("listed with another size"), "{out}");
    assert!(out.stdout.contains("folder: INBOX\n"), "{out}");
    assert!(out.stdout.contains("2 message(s) in INBOX"), "{out}");
    // The transcript: the login redacted, the bodies as their size.
    assert!(out.stdout.contains(" LOGIN <redacted>\n"), "{out}");
    assert!(!out.stdout.contains("secret"), "password printed: {out}");
    assert!(
        out.stdout
            .contains(" UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)"),
        "{out}"
    );
    assert!(out.stdout.contains(" UID FETCH 2 BODY.PEEK[]\n"), "{out}");
    assert!(
        out.stdout.contains(&format!("S: ({size} octets)\n")),
        "{out}"
    );
    assert!(
        !out.stdout.contains("Anbei die Datei"),
        "body printed: {out}"
    );
    assert!(out.stdout.contains(" LOGOUT\n"), "{out}");
    // BODY.PEEK[] leaves the messages unseen (RFC 3501 section 6.4.5)
    // and nothing is deleted.
    let names = inbox_files(&dovecot);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| !n.contains(":2,S")), "seen: {names:?}");
}

#[test]
fn starttls_with_the_certificate_checked_and_authenticate_plain() {
    let Some(dovecot) = dovecot() else {
        return;
    };
    let ca = dovecot.certificate_pem_path();
    let ca = ca.to_str().unwrap();
    let (out, _dir, files) = fetch(
        &dovecot,
        &["--starttls", "--ca", ca, "--login", "plain", "--transcript"],
    );
    out.assert_success();
    assert_eq!(files, [MESSAGE.to_vec(), attachment_message()], "{out}");
    assert!(out.stdout.contains(" STARTTLS\n"), "{out}");
    assert!(out.stdout.contains("(TLS handshake done)"), "{out}");
    let after = out.stdout.split("(TLS handshake done)").nth(1).unwrap();
    // CAPABILITY again under TLS (RFC 3501 section 6.2.1), then the login.
    assert!(after.contains(" CAPABILITY\n"), "{out}");
    assert!(after.contains(" AUTHENTICATE PLAIN"), "{out}");
    assert!(!out.stdout.contains("secret"), "password printed: {out}");
    assert!(
        !out.stdout
            .contains(&mailwire_core::sasl::encode_plain("", "alice", "secret")),
        "SASL response printed: {out}"
    );

    // A certificate that is not Dovecot's is refused.
    let other = temp_dir();
    let pem = other.path().join("other.pem");
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    fs::write(&pem, made.cert.pem()).unwrap();
    let out = run(
        &dovecot,
        "alice:secret",
        &["--starttls", "--ca", pem.to_str().unwrap()],
        None,
    );
    assert!(!out.success(), "{out}");
}

#[test]
fn a_second_folder_with_a_non_ascii_name() {
    let Some(dovecot) = dovecot() else {
        return;
    };
    // "Entwürfe" in modified UTF-7, as Dovecot names its Maildir++ folder.
    dovecot.deposit_folder("alice", "Entw&APw-rfe", ARCHIVED);
    dovecot.deposit_folder("alice", "Archive", ARCHIVED);
    dovecot.deposit_folder("alice", "Archive", MESSAGE);
    let (out, _dir, files) = fetch(&dovecot, &["--mailbox", "Entwürfe", "--transcript"]);
    out.assert_success();
    assert_eq!(files, [ARCHIVED.to_vec()], "{out}");
    assert!(
        out.stdout.contains(" SELECT \"Entw&APw-rfe\"\n")
            || out.stdout.contains(" SELECT Entw&APw-rfe\n"),
        "{out}"
    );
    for folder in ["INBOX", "Archive", "Entwürfe"] {
        assert!(
            out.stdout.contains(&format!("folder: {folder}\n")),
            "{folder}: {out}"
        );
    }
    assert!(out.stdout.contains("1 message(s) in Entwürfe"), "{out}");

    let (out, _dir, files) = fetch(&dovecot, &["--mailbox", "Archive", "--examine"]);
    out.assert_success();
    assert_eq!(files, [ARCHIVED.to_vec(), MESSAGE.to_vec()], "{out}");

    // A mailbox that does not exist: SELECT's NO, and a failure.
    let (out, _dir, files) = fetch(&dovecot, &["--mailbox", "Nowhere"]);
    assert!(!out.success(), "{out}");
    assert!(files.is_empty());
    assert!(out.stderr.contains("cannot open Nowhere: NO"), "{out}");
}

#[test]
fn seen_then_delete_leaves_the_mailbox_empty() {
    let Some(dovecot) = dovecot() else {
        return;
    };
    let (out, _dir, files) = fetch(&dovecot, &["--seen"]);
    out.assert_success();
    assert_eq!(files.len(), 2, "{out}");
    assert_eq!(out.stdout.matches(", marked seen").count(), 2, "{out}");
    let names = dovecot.maildir_files("alice", "cur");
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(":2,S")), "{names:?}");

    // The flags listed now include \Seen.
    let (out, _dir, files) = fetch(&dovecot, &["--delete", "--login", "plain"]);
    out.assert_success();
    assert_eq!(files, [MESSAGE.to_vec(), attachment_message()], "{out}");
    assert!(out.stdout.contains("1 (\\Seen) "), "{out}");
    assert_eq!(out.stdout.matches(", deleted").count(), 2, "{out}");
    assert!(
        inbox_files(&dovecot).is_empty(),
        "{:?}",
        inbox_files(&dovecot)
    );

    let (out, _dir, files) = fetch(&dovecot, &[]);
    out.assert_success();
    assert!(files.is_empty());
    assert!(out.stdout.contains("0 message(s) in INBOX"), "{out}");
}

#[test]
fn a_wrong_password_fails_with_the_servers_text() {
    let Some(dovecot) = dovecot() else {
        return;
    };
    for login in ["login", "plain"] {
        let out = run(&dovecot, "alice:wrong", &["--login", login], None);
        assert!(!out.success(), "{login}: {out}");
        assert!(out.stderr.contains("login refused: NO"), "{login}: {out}");
        assert!(
            out.stderr.contains("AUTHENTICATIONFAILED"),
            "the server's code: {out}"
        );
        assert!(
            !out.stderr.contains("wrong") && !out.stdout.contains("wrong"),
            "{out}"
        );
    }
    assert_eq!(inbox_files(&dovecot).len(), 2);
}

#[test]
fn a_password_that_needs_a_literal() {
    // Non-ASCII octets cannot be quoted (RFC 3501 section 4.3): LOGIN
    // sends the password as a literal (LITERAL+ with Dovecot).
    let password = "p\u{e4}ss w\"rd\\";
    let Some(dovecot) = start_dovecot(&DovecotOptions {
        users: vec![("bob".to_owned(), password.to_owned())],
        ..DovecotOptions::default()
    }) else {
        return;
    };
    dovecot.deposit("bob", MESSAGE);
    for login in ["login", "plain"] {
        let out = temp_dir();
        let output = run(
            &dovecot,
            &format!("bob:{password}"),
            &["--login", login, "--transcript"],
            Some(out.path()),
        );
        output.assert_success();
        assert_eq!(
            fs::read(out.path().join("1.eml")).unwrap(),
            MESSAGE,
            "{output}"
        );
        assert!(
            !output.stdout.contains("ss w"),
            "password printed: {output}"
        );
        if login == "login" {
            assert!(output.stdout.contains("C: <redacted>\n"), "{output}");
        }
    }
}

#[test]
fn idle_waits_for_new_mail_and_downloads_it() {
    let Some(dovecot) = dovecot() else {
        return;
    };
    let out = temp_dir();
    let mut command = Command::new(example("imap_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{}", dovecot.imap_port())])
        .args([
            "--user",
            "alice:secret",
            "--idle",
            "60",
            "--transcript",
            "--out",
        ])
        .arg(out.path());
    let mut child = Child::spawn("imap_fetch", &mut command).unwrap();
    // RFC 2177 section 3: the server's continuation starts the idling.
    let started = Instant::now();
    while !child.stdout().contains("S: + idling") {
        assert!(child.try_wait().is_none(), "exited: {child}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not idling: {child}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    dovecot.deposit("alice", ARCHIVED);
    let status = child
        .wait_timeout(Duration::from_secs(50))
        .unwrap_or_else(|| panic!("still idling: {child}"));
    let stdout = child.stdout();
    assert!(status.success(), "{child}");
    assert!(stdout.contains("S: * 3 EXISTS"), "{child}");
    assert!(stdout.contains("C: DONE"), "{child}");
    assert!(
        stdout.contains(" UID FETCH 3:* (UID FLAGS RFC822.SIZE ENVELOPE)"),
        "{child}"
    );
    assert!(stdout.contains("3 message(s) in INBOX"), "{child}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("3 (") && l.ends_with(": archived")),
        "{child}"
    );
    assert_eq!(fs::read(out.path().join("3.eml")).unwrap(), ARCHIVED);
    assert_eq!(
        fs::read(out.path().join("2.eml")).unwrap(),
        attachment_message()
    );
}

#[test]
fn idle_ends_after_its_limit_without_new_mail() {
    let Some(dovecot) = dovecot() else {
        return;
    };
    let (out, _dir, files) = fetch(&dovecot, &["--idle", "1", "--transcript"]);
    out.assert_success();
    assert_eq!(files, [MESSAGE.to_vec(), attachment_message()], "{out}");
    assert!(
        out.stdout.contains(" IDLE\n") && out.stdout.contains("C: DONE\n"),
        "{out}"
    );
    // The check for mail that came meanwhile finds none.
    assert!(out.stdout.contains(" UID FETCH 3:* "), "{out}");
    assert!(out.stdout.contains("2 message(s) in INBOX"), "{out}");
}

/// What a scripted server does with a command: write these bytes, then
/// go on or close the connection.
type Answer = (Vec<u8>, bool);

/// A scripted server on a loopback port for failures Dovecot does not
/// produce on demand: sends `greeting`, then answers each command line
/// with `answer(tag, command)` (bytes to write, and whether to close).
fn scripted_server(
    greeting: &'static str,
    mut answer: impl FnMut(&str, &str) -> Answer + Send + 'static,
) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        if writer.write_all(greeting.as_bytes()).is_err() {
            return;
        }
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            let line_text = line.trim_end();
            // A line without a space (a SASL response) comes as the tag.
            let (tag, command) = line_text.split_once(' ').unwrap_or((line_text, ""));
            let (bytes, close) = answer(tag, command);
            if writer.write_all(&bytes).is_err() || close {
                return;
            }
            line.clear();
        }
    });
    port
}

/// The answers of a server with one message (UID 5, 1000 octets) up to
/// the download, whose answer is `body(tag)`.
fn one_message_server(
    body: impl Fn(&str) -> Answer + Send + 'static,
) -> impl FnMut(&str, &str) -> Answer + Send + 'static {
    move |tag, command| {
        let ok = |data: &str| (format!("{data}{tag} OK done\r\n").into_bytes(), false);
        match command.split(' ').next().unwrap_or("") {
            "CAPABILITY" => ok("* CAPABILITY IMAP4rev1\r\n"),
            "LOGIN" => ok(""),
            "LIST" => ok("* LIST () \"/\" INBOX\r\n"),
            "SELECT" => ok("* 1 EXISTS\r\n"),
            "UID" if command.ends_with("ENVELOPE)") => {
                ok("* 1 FETCH (UID 5 FLAGS () RFC822.SIZE 1000 \
                 ENVELOPE (NIL \"cut\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
            }
            "UID" => body(tag),
            "LOGOUT" => (format!("* BYE bye\r\n{tag} OK done\r\n").into_bytes(), true),
            _ => (format!("{tag} BAD unexpected\r\n").into_bytes(), false),
        }
    }
}

fn run_against(port: u16, out: &Path) -> Output {
    let mut command = Command::new(example("imap_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{port}")])
        .args(["--user", "alice:secret", "--out"])
        .arg(out);
    Output::run("imap_fetch", &mut command, Duration::from_secs(60))
}

fn files_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_scripted_server_works_when_whole() {
    let port = scripted_server(
        "* OK ready\r\n",
        one_message_server(|tag| {
            let mut bytes = b"* 1 FETCH (UID 5 BODY[] {1000}\r\n".to_vec();
            bytes.extend_from_slice(&[b'x'; 1000]);
            bytes.extend_from_slice(format!(")\r\n{tag} OK done\r\n").as_bytes());
            (bytes, false)
        }),
    );
    let out = temp_dir();
    let output = run_against(port, out.path());
    output.assert_success();
    assert_eq!(files_in(out.path()), ["5.eml"]);
    assert_eq!(fs::read(out.path().join("5.eml")).unwrap(), [b'x'; 1000]);
    assert!(output.stdout.contains("5 () 1000 octets"), "{output}");
}

#[test]
fn a_connection_cut_inside_the_body_fails_and_leaves_no_file() {
    let port = scripted_server(
        "* OK ready\r\n",
        one_message_server(|_tag| {
            let mut bytes = b"* 1 FETCH (UID 5 BODY[] {1000}\r\n".to_vec();
            bytes.extend_from_slice(&[b'x'; 400]);
            (bytes, true)
        }),
    );
    let out = temp_dir();
    let output = run_against(port, out.path());
    assert!(!output.success(), "{output}");
    assert!(output.stderr.contains("the session ended"), "{output}");
    assert!(
        files_in(out.path()).is_empty(),
        "{:?}",
        files_in(out.path())
    );
}

#[test]
fn a_bye_is_reported() {
    // RFC 3501 section 7.1.5: BYE as the greeting refuses the session.
    let port = scripted_server("* BYE too many connections\r\n", |_, _| (Vec::new(), true));
    let out = temp_dir();
    let output = run_against(port, out.path());
    assert!(!output.success(), "{output}");
    assert!(
        output
            .stderr
            .contains("refused the session: BYE too many connections"),
        "{output}"
    );

    // BYE during the session, then the connection closes.
    let port = scripted_server(
        "* OK ready\r\n",
        one_message_server(|_tag| (b"* BYE shutting down\r\n".to_vec(), true)),
    );
    let output = run_against(port, out.path());
    assert!(!output.success(), "{output}");
    assert!(
        output
            .stderr
            .contains("the server closed the session: BYE shutting down"),
        "{output}"
    );
    assert!(
        files_in(out.path()).is_empty(),
        "{:?}",
        files_in(out.path())
    );
}

#[test]
fn bodies_in_other_forms_from_the_scripted_server() {
    // The UID after the literal, and more items after it.
    let port = scripted_server(
        "* OK ready\r\n",
        one_message_server(|tag| {
            let mut bytes = b"* 1 FETCH (BODY[] {1000}\r\n".to_vec();
            bytes.extend_from_slice(&[b'z'; 1000]);
            bytes.extend_from_slice(
                format!(" UID 5 FLAGS (\\Seen))\r\n{tag} OK done\r\n").as_bytes(),
            );
            (bytes, false)
        }),
    );
    let out = temp_dir();
    let output = run_against(port, out.path());
    output.assert_success();
    assert_eq!(fs::read(out.path().join("5.eml")).unwrap(), [b'z'; 1000]);

    // A quoted string is not streamed; its size differs from the listed
    // one, which the line says.
    let port = scripted_server(
        "* OK ready\r\n",
        one_message_server(|tag| {
            let bytes = format!("* 1 FETCH (UID 5 BODY[] \"short\")\r\n{tag} OK done\r\n");
            (bytes.into_bytes(), false)
        }),
    );
    let out = temp_dir();
    let output = run_against(port, out.path());
    output.assert_success();
    assert_eq!(fs::read(out.path().join("5.eml")).unwrap(), b"short");
    assert!(
        output
            .stdout
            .contains("5 () 5 octets (listed with another size)"),
        "{output}"
    );

    // No BODY[] at all: a failure.
    let port = scripted_server(
        "* OK ready\r\n",
        one_message_server(|tag| (format!("{tag} OK nothing\r\n").into_bytes(), false)),
    );
    let out = temp_dir();
    let output = run_against(port, out.path());
    assert!(!output.success(), "{output}");
    assert!(
        output.stderr.contains("the server sent no BODY[]"),
        "{output}"
    );
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn three_hundred_messages_in_one_session() {
    let Some(dovecot) = start_dovecot(&DovecotOptions::default()) else {
        return;
    };
    let message = |i: usize| format!("Subject: number {i}\r\n\r\nbody {i}\r\n").into_bytes();
    for i in 1..=300 {
        dovecot.deposit("alice", &message(i));
    }
    let (out, _dir, files) = fetch(&dovecot, &["--delete"]);
    out.assert_success();
    assert_eq!(files.len(), 300, "{out}");
    for (i, file) in files.iter().enumerate() {
        assert_eq!(*file, message(i + 1), "UID {}", i + 1);
    }
    assert!(out.stdout.contains("300 (\\Recent) "), "{out}");
    assert!(out.stdout.contains(": number 300\n"), "{out}");
    assert_eq!(out.stdout.matches(", deleted").count(), 300, "{out}");
    assert!(inbox_files(&dovecot).is_empty());
}

#[test]
fn authenticate_plain_without_sasl_ir_waits_for_the_continuation() {
    // RFC 3501 section 6.2.2: without SASL-IR (RFC 4959) the response
    // follows the server's empty "+" challenge.
    let expected = mailwire_core::sasl::encode_plain("", "alice", "secret");
    let mut inner = one_message_server(|tag| {
        let mut bytes = b"* 1 FETCH (UID 5 BODY[] {1000}\r\n".to_vec();
        bytes.extend_from_slice(&[b'p'; 1000]);
        bytes.extend_from_slice(format!(")\r\n{tag} OK done\r\n").as_bytes());
        (bytes, false)
    });
    let mut auth_tag = None;
    let port = scripted_server(
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n",
        move |tag, command| {
            if command == "AUTHENTICATE PLAIN" {
                auth_tag = Some(tag.to_owned());
                return (b"+ \r\n".to_vec(), false);
            }
            if let Some(auth) = auth_tag.take() {
                let answer = if tag == expected {
                    "OK logged in"
                } else {
                    "NO wrong"
                };
                return (format!("{auth} {answer}\r\n").into_bytes(), false);
            }
            inner(tag, command)
        },
    );
    let out = temp_dir();
    let mut command = Command::new(example("imap_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{port}")])
        .args([
            "--user",
            "alice:secret",
            "--login",
            "plain",
            "--transcript",
            "--out",
        ])
        .arg(out.path());
    let output = Output::run("imap_fetch", &mut command, Duration::from_secs(60));
    output.assert_success();
    assert_eq!(fs::read(out.path().join("5.eml")).unwrap(), [b'p'; 1000]);
    assert!(
        output
            .stdout
            .contains(" AUTHENTICATE PLAIN\nS: + \nC: <redacted>\n"),
        "{output}"
    );
    assert!(!output.stdout.contains("AGFsaWNl"), "{output}");
}

#[test]
fn no_login_when_the_server_says_logindisabled() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let login_seen = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&login_seen);
    let port = scripted_server("* OK ready\r\n", move |tag, command| {
        if command == "CAPABILITY" {
            let bytes = format!("* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n{tag} OK done\r\n");
            return (bytes.into_bytes(), false);
        }
        seen.fetch_or(command.starts_with("LOGIN"), Ordering::SeqCst);
        (format!("{tag} OK done\r\n").into_bytes(), false)
    });
    let out = temp_dir();
    let output = run_against(port, out.path());
    assert!(!output.success(), "{output}");
    assert!(output.stderr.contains("LOGINDISABLED"), "{output}");
    assert!(!login_seen.load(Ordering::SeqCst), "LOGIN was sent");
}
