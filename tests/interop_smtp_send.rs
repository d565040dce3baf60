//! The `smtp_send` example (the sans-IO `mailwire_smtp::client` on tokio)
//! against servers we did not write: Postfix's `smtp-sink` (accepting, and
//! refusing recipients) and Python's aiosmtpd (the message must arrive
//! byte for byte); and against our own `smtp_server` with STARTTLS, AUTH
//! and BDAT.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{
    ExampleServer, MESSAGE, Output, SinkOptions, example, free_port, start_aiosmtpd,
    start_smtp_sink, temp_dir,
};

fn message_file(dir: &Path) -> String {
    let path = dir.join("message.eml");
    fs::write(&path, MESSAGE).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Runs `smtp_send ARGS...` to its end.
fn smtp_send(args: &[&str]) -> Output {
    Output::run(
        "smtp_send",
        Command::new(example("smtp_send")).args(args),
        Duration::from_secs(30),
    )
}

#[test]
fn smtp_send_to_aiosmtpd_arrives_byte_for_byte() {
    let store = temp_dir();
    let Some(mut server) = start_aiosmtpd(free_port(), store.path()) else {
        return;
    };
    let dir = temp_dir();
    let file = message_file(dir.path());
    let addr = format!("127.0.0.1:{}", server.port());
    let out = smtp_send(&[
        "--server",
        &addr,
        "--from",
        "alice@example.org",
        "--to",
        "bob@example.net",
        "--to",
        "carol@example.net",
        &file,
    ]);
    out.assert_success();
    assert!(
        out.stdout.contains("bob@example.net: accepted: 250"),
        "{out}"
    );
    assert!(out.stdout.contains("message accepted: 250"), "{out}");
    let messages = server.wait_for_messages(1, Duration::from_secs(5));
    assert_eq!(messages.len(), 1);
    let received = &messages[0];
    assert_eq!(received.helo.as_deref(), Some("client.localhost"));
    assert_eq!(received.mail_from, "alice@example.org");
    assert_eq!(received.rcpt_tos, ["bob@example.net", "carol@example.net"]);
    // 8-bit content: the client asks for 8BITMIME; it announces the size.
    assert!(
        received.mail_options.iter().any(|o| o == "BODY=8BITMIME"),
        "{received:?}"
    );
    assert!(
        received.mail_options.iter().any(|o| o.starts_with("SIZE=")),
        "{received:?}"
    );
    assert_eq!(received.data, MESSAGE);
}

#[test]
fn smtp_send_to_smtp_sink_pipelined() {
    let options = SinkOptions {
        dump: true,
        hostname: Some("sink.test".into()),
        ..SinkOptions::default()
    };
    let Some(sink) = start_smtp_sink(free_port(), &options) else {
        return;
    };
    let dir = temp_dir();
    let file = message_file(dir.path());
    let addr = format!("127.0.0.1:{}", sink.port());
    let out = smtp_send(&[
        "--server",
        &addr,
        "--from",
        "alice@example.org",
        "--to",
        "bob@example.net",
        "--to",
        "carol@example.net",
        "--transcript",
        &file,
    ]);
    out.assert_success();
    // MAIL, both RCPTs and DATA leave in one group (RFC 2920).
    let sent: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("C: "))
        .collect();
    let mail = sent
        .iter()
        .position(|l| l.starts_with("C: MAIL FROM"))
        .unwrap();
    assert_eq!(sent[mail + 3], "C: DATA", "{out}");
    let first_reply_after_mail = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("C: MAIL FROM"))
        .position(|l| l.starts_with("S: "))
        .unwrap();
    assert!(first_reply_after_mail >= 4, "{out}");
    let dumps = sink.dumps();
    assert_eq!(dumps.len(), 1);
    let dump = String::from_utf8_lossy(&dumps[0]);
    assert!(dump.contains("X-Rcpt-Args: <carol@example.net>"), "{dump}");
    assert!(
        dump.contains("\n.leading dot, stuffed on the wire\n.\n..two dots\n"),
        "{dump}"
    );
}

#[test]
fn smtp_send_reports_refused_recipients_and_fails() {
    let options = SinkOptions {
        extra_args: vec!["-f".into(), "RCPT".into()],
        ..SinkOptions::default()
    };
    let Some(sink) = start_smtp_sink(free_port(), &options) else {
        return;
    };
    let dir = temp_dir();
    let file = message_file(dir.path());
    let addr = format!("127.0.0.1:{}", sink.port());
    let out = smtp_send(&[
        "--server",
        &addr,
        "--from",
        "a@example.org",
        "--to",
        "b@example.net",
        &file,
    ]);
    assert!(!out.success(), "{out}");
    assert!(out.stdout.contains("b@example.net: refused: 5"), "{out}");
    assert!(out.stdout.contains("message not accepted"), "{out}");
}

#[test]
fn smtp_send_to_smtp_server_with_starttls_auth_and_bdat() {
    let mut server = ExampleServer::start(&["--user", "joe:secret"]);
    let dir = temp_dir();
    let file = message_file(dir.path());
    let addr = format!("127.0.0.1:{}", server.port);
    let out = smtp_send(&[
        "--server",
        &addr,
        "--from",
        "alice@example.org",
        "--to",
        "bob@example.net",
        "--starttls",
        "--auth",
        "joe:secret",
        "--chunking",
        "--transcript",
        &file,
    ]);
    out.assert_success();
    assert!(out.stdout.contains("C: STARTTLS"), "{out}");
    assert!(out.stdout.contains("S: 235 2.7.0"), "{out}");
    assert!(out.stdout.contains("C: BDAT"), "{out}");
    let stored = server.messages(1);
    assert_eq!(stored.len(), 1);
    assert!(stored[0].ends_with(MESSAGE));

    // A wrong password: nothing is sent, the exit status says so.
    let out = smtp_send(&[
        "--server",
        &addr,
        "--from",
        "alice@example.org",
        "--to",
        "bob@example.net",
        "--starttls",
        "--auth",
        "joe:wrong",
        &file,
    ]);
    assert!(!out.success(), "{out}");
    assert_eq!(server.messages(1).len(), 1);
}
