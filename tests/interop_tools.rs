//! The interop harness, proven against software we did not write only:
//! Python's smtplib, swaks and curl as SMTP clients; Postfix's smtp-sink
//! and aiosmtpd as SMTP servers. Later tests point the same clients at the
//! `smtp_server` example and our client at the same servers.
//!
//! A missing tool skips its test (with a message) unless
//! `MAILWIRE_REQUIRE_INTEROP=1` is set, as `.ci/run` does.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{
    Child, MESSAGE, Output, SinkOptions, curl, effective_uid, free_port, python, require_tool,
    start_aiosmtpd, start_smtp_sink, swaks, temp_dir, wait_for_port,
};

const ARRIVAL: Duration = Duration::from_secs(5);

/// smtplib: sends stdin-free, from argv: PORT FROM TO [TO...] with the
/// message bytes in the file MESSAGE_PATH; prints the refused recipients
/// (none expected) and the server's EHLO features.
const SMTPLIB_SEND: &str = r#"
import smtplib, sys
port, path, sender, rcpts = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
with open(path, "rb") as f:
    msg = f.read()
with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=10) as s:
    s.ehlo()
    print("features", sorted(s.esmtp_features))
    refused = s.sendmail(sender, rcpts, msg)
    print("refused", refused)
    code, reply = s.noop()
    print("noop", code)
"#;

fn write_message(dir: &Path, bytes: &[u8]) -> String {
    let path = dir.join("message.eml");
    fs::write(&path, bytes).expect("write the message file");
    path.to_str().expect("a UTF-8 temporary path").to_owned()
}

#[test]
fn harness_child_is_killed_and_reaped_on_drop() {
    let mut child = Child::spawn(
        "sh",
        Command::new("sh").args(["-c", "echo to-stdout; echo to-stderr >&2; exec sleep 30"]),
    )
    .expect("start sh");
    let pid = child.id();
    assert!(
        child.wait_timeout(Duration::from_millis(300)).is_none(),
        "{child}"
    );
    assert_eq!(child.stdout(), "to-stdout\n");
    assert_eq!(child.stderr(), "to-stderr\n");
    drop(child);
    // Reaped: no zombie is left under this pid.
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "pid {pid} is still there"
    );
}

#[test]
fn harness_free_port_is_free() {
    let port = free_port();
    assert!(
        !wait_for_port(port, Duration::from_millis(100)),
        "something listens on {port}"
    );
}

#[test]
fn smtplib_to_smtp_sink_is_accepted() {
    let options = SinkOptions {
        dump: true,
        hostname: Some("sink.test".into()),
        ..SinkOptions::default()
    };
    let Some(sink) = start_smtp_sink(free_port(), &options) else {
        return;
    };
    let dir = temp_dir();
    let path = write_message(dir.path(), MESSAGE);
    let port = sink.port().to_string();
    let Some(out) = python(
        SMTPLIB_SEND,
        &[
            &port,
            &path,
            "alice@example.org",
            "bob@example.net",
            "carol@example.net",
        ],
    ) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("refused {}"), "{out}");
    assert!(out.stdout.contains("'pipelining'"), "{out}");
    assert!(out.stdout.contains("noop 250"), "{out}");

    let dumps = sink.dumps();
    assert_eq!(dumps.len(), 1, "one transaction dumped");
    let dump = String::from_utf8_lossy(&dumps[0]);
    for expected in [
        "X-Helo-Args: client.test\n",
        "X-Mail-Args: <alice@example.org>\n",
        "X-Rcpt-Args: <bob@example.net>\n",
        "X-Rcpt-Args: <carol@example.net>\n",
        "by sink.test (smtp-sink)",
        "Subject: interop test\n",
        "\n.leading dot, stuffed on the wire\n.\n..two dots\n",
    ] {
        assert!(
            dump.contains(expected),
            "{expected:?} not in the dump:\n{dump}"
        );
    }
    let out = sink.stop();
    assert!(!out.stderr.contains("fatal"), "{out}");
}

#[test]
fn smtp_sink_rejects_what_it_is_told_to() {
    let options = SinkOptions {
        extra_args: vec!["-f".into(), "RCPT".into()],
        ..SinkOptions::default()
    };
    let Some(sink) = start_smtp_sink(free_port(), &options) else {
        return;
    };
    let dir = temp_dir();
    let path = write_message(dir.path(), MESSAGE);
    let port = sink.port().to_string();
    let Some(out) = python(
        SMTPLIB_SEND,
        &[&port, &path, "alice@example.org", "bob@example.net"],
    ) else {
        return;
    };
    assert!(
        !out.success(),
        "the only recipient was rejected, so sendmail raises:\n{out}"
    );
    assert!(out.stderr.contains("SMTPRecipientsRefused"), "{out}");
    assert!(out.stderr.contains("500"), "{out}");
}

#[test]
fn smtplib_to_aiosmtpd_arrives_byte_for_byte() {
    let store = temp_dir();
    let Some(mut server) = start_aiosmtpd(free_port(), store.path()) else {
        return;
    };
    let dir = temp_dir();
    let path = write_message(dir.path(), MESSAGE);
    let port = server.port().to_string();
    let Some(out) = python(
        SMTPLIB_SEND,
        &[
            &port,
            &path,
            "alice@example.org",
            "bob@example.net",
            "carol@example.net",
        ],
    ) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("'smtputf8'"), "{out}");

    let messages = server.wait_for_messages(1, ARRIVAL);
    assert_eq!(messages.len(), 1);
    let received = &messages[0];
    assert_eq!(received.helo.as_deref(), Some("client.test"));
    assert_eq!(received.mail_from, "alice@example.org");
    assert_eq!(received.rcpt_tos, ["bob@example.net", "carol@example.net"]);
    assert!(
        received.mail_options.iter().any(|o| o.starts_with("SIZE=")),
        "{received:?}"
    );
    assert_eq!(
        String::from_utf8_lossy(&received.data),
        String::from_utf8_lossy(MESSAGE)
    );
    assert_eq!(received.data, MESSAGE);
    assert!(server.store().join("new").join(&received.name).is_file());
    drop(server);
}

#[test]
fn swaks_to_aiosmtpd_arrives() {
    let store = temp_dir();
    let Some(mut server) = start_aiosmtpd(free_port(), store.path()) else {
        return;
    };
    let dir = temp_dir();
    // swaks turns LF line ends into CRLF on the wire, dot-stuffs, and ends
    // the data with CRLF "." CRLF itself: the file has no final newline.
    let lf_message = String::from_utf8(MESSAGE.to_vec())
        .unwrap()
        .replace("\r\n", "\n");
    let lf_message = lf_message.strip_suffix('\n').unwrap();
    let path = write_message(dir.path(), lf_message.as_bytes());
    let server_addr = format!("127.0.0.1:{}", server.port());
    let Some(out) = swaks(&[
        "--server",
        &server_addr,
        "--helo",
        "swaks.test",
        "--from",
        "alice@example.org",
        "--to",
        "bob@example.net,carol@example.net",
        "--data",
        &format!("@{path}"),
        "--timeout",
        "10",
    ]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("<-  250 2.0.0 Ok: stored"), "{out}");

    let messages = server.wait_for_messages(1, ARRIVAL);
    let received = &messages[0];
    assert_eq!(received.helo.as_deref(), Some("swaks.test"));
    assert_eq!(received.mail_from, "alice@example.org");
    assert_eq!(received.rcpt_tos, ["bob@example.net", "carol@example.net"]);
    assert_eq!(
        String::from_utf8_lossy(&received.data),
        String::from_utf8_lossy(MESSAGE)
    );
    assert_eq!(received.data, MESSAGE);
}

#[test]
fn curl_to_aiosmtpd_arrives_byte_for_byte() {
    let store = temp_dir();
    let Some(mut server) = start_aiosmtpd(free_port(), store.path()) else {
        return;
    };
    let dir = temp_dir();
    let path = write_message(dir.path(), MESSAGE);
    // The URL's path is the EHLO argument.
    let url = format!("smtp://127.0.0.1:{}/curl.test", server.port());
    let Some(out) = curl(&[
        url.as_str(),
        "--mail-from",
        "alice@example.org",
        "--mail-rcpt",
        "bob@example.net",
        "--mail-rcpt",
        "carol@example.net",
        "--upload-file",
        &path,
        "--max-time",
        "10",
    ]) else {
        return;
    };
    out.assert_success();

    let messages = server.wait_for_messages(1, ARRIVAL);
    let received = &messages[0];
    assert_eq!(received.helo.as_deref(), Some("curl.test"));
    assert_eq!(received.mail_from, "alice@example.org");
    assert_eq!(received.rcpt_tos, ["bob@example.net", "carol@example.net"]);
    assert_eq!(
        received.data,
        MESSAGE,
        "{}",
        String::from_utf8_lossy(&received.data)
    );
}

#[test]
fn compare_script_measures_both_servers() {
    // The throughput script, small: smtp-sink against smtp-sink again.
    let (Some(_), Some(_)) = (require_tool("smtp-sink"), require_tool("smtp-source")) else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/smtp_sink_compare.sh");
    let sink = require_tool("smtp-sink").unwrap();
    let mut command = Command::new("bash");
    command.arg(&script).arg(&sink);
    if effective_uid() == Some(0) {
        command.args(["-u", "root"]);
    }
    command
        .args(["-4", "127.0.0.1:@PORT@", "100"])
        .env("MESSAGES", "200")
        .env("SESSIONS", "4");
    let out = Output::run(
        "smtp_sink_compare.sh",
        &mut command,
        Duration::from_secs(60),
    );
    out.assert_success();
    assert!(out.stdout.contains("smtp-sink"), "{out}");
    assert_eq!(out.stdout.matches(" msg/s").count(), 2, "{out}");
}
