//! The `imap_server` example (the sans-IO `mailwire_imap::server` on
//! tokio, serving Maildir++ folders) against clients we did not write:
//! Python's imaplib (LOGIN, STARTTLS, AUTHENTICATE PLAIN, LIST, STATUS,
//! SELECT, FETCH, STORE, SEARCH, the UID commands, APPEND, COPY, MOVE,
//! EXPUNGE, CREATE/RENAME/DELETE, IDLE, LOGOUT) and `curl imap://`.
//!
//! The server runs as its own process: the example binary that
//! `cargo test` builds beside the test binaries. Each Python script
//! prints one JSON object of what it saw; the assertions are here.

mod support;

use std::fs;
use std::path::Path;

use serde_json::Value;
use support::{ExampleServer as Server, MESSAGE, curl, python};

/// A second message: LF line endings on disk (sent as CRLF), no final
/// newline.
const SECOND: &[u8] = b"From: Carol <carol@example.org>\n\
To: Bob <bob@example.net>, Dave <dave@example.net>\n\
Subject: second\n\
Date: Tue, 01 Aug 2023 10:00:00 +0200\n\
\n\
line one\n\
line two\n\
line three";

/// A third message: multipart, flagged on disk.
const THIRD: &[u8] = b"From: Erin <erin@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: parts\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
preamble\r\n\
--b1\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
the text part\r\n\
--b1\r\n\
Content-Type: application/octet-stream; name=\"x.bin\"\r\n\
Content-Disposition: attachment; filename=\"x.bin\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAECAw==\r\n\
--b1--\r\n";

/// The second message as a client receives it.
fn second_on_the_wire() -> Vec<u8> {
    let mut wire = String::from_utf8(SECOND.to_vec())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    wire.extend_from_slice(b"\r\n");
    wire
}

/// MESSAGE in `cur/` (seen), SECOND in `new/`, THIRD in `cur/` (flagged).
fn three_messages(maildir: &Path) {
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    fs::write(maildir.join("cur/1700000000.M1P1Q1.test:2,S"), MESSAGE).unwrap();
    fs::write(maildir.join("new/1700000001.M1P1Q2.test"), SECOND).unwrap();
    fs::write(maildir.join("cur/1700000002.M1P1Q3.test:2,F"), THIRD).unwrap();
}

fn start(extra: &[&str]) -> Server {
    let mut args = vec!["--user", "joe:secret"];
    args.extend_from_slice(extra);
    Server::start_example("imap_server", &args, three_messages)
}

/// Helpers every script shares: `out` collects what was seen, printed as
/// JSON at the end; bytes go as Latin-1 text so they come back exactly.
const PRELUDE: &str = r#"
import imaplib, json, os, re, ssl, sys, time
port = int(sys.argv[1])
out = {}
def b(x):
    if isinstance(x, bytes):
        return x.decode("latin-1")
    if isinstance(x, (list, tuple)):
        return [b(i) for i in x]
    return x
def record(name, result):
    out[name] = b(result)
    return result
"#;

/// The main session, in plain text with LOGIN.
const SESSION: &str = r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
record("caps", list(M.capabilities))
record("login", M.login("joe", "secret"))
record("list", M.list())
record("list_pct", M.list("\"\"", "%"))
record("status", M.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT SIZE)"))
record("select", M.select("INBOX"))
record("select_untagged", {k: b(v) for k, v in M.untagged_responses.items()})
record("meta", M.fetch("1:*", "(FLAGS UID RFC822.SIZE INTERNALDATE)"))
record("envelope", M.fetch("2", "(ENVELOPE)"))
record("structure", M.fetch("3", "(BODYSTRUCTURE)"))
typ, data = M.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[]<6.7>)")
record("peek", (typ, data))
record("flags_after_peek", M.fetch("2", "(FLAGS)"))
typ, data = M.fetch("1", "(BODY[])")
record("body1", data[0][1])
typ, data = M.fetch("2", "(BODY[])")
record("body2", data[0][1])
record("seen_by_body", data[1] if len(data) > 1 else None)
typ, data = M.fetch("3", "(BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[2.MIME] BODY.PEEK[HEADER] RFC822.SIZE)")
record("parts", (typ, data))
record("search_all", M.search(None, "ALL"))
record("search_subject", M.search(None, "SUBJECT", "second"))
record("search_from", M.search(None, "FROM", "erin"))
record("search_flagged", M.search(None, "FLAGGED"))
record("search_or", M.search(None, "OR", "BODY", "three", "TO", "dave"))
record("search_not_seen", M.search(None, "NOT", "SEEN"))
record("search_larger", M.search(None, "LARGER", "290"))
record("search_sentsince", M.search(None, "SENTSINCE", "1-Jul-2023", "SENTBEFORE", "1-Sep-2023"))
record("search_header", M.search(None, "HEADER", "Message-ID", "interop-1"))
record("search_nested", M.search(None, "(UID 1:2 NOT FROM alice)"))
record("search_seq", M.search(None, "2:*", "UNFLAGGED"))
typ, data = M.fetch("1", "(RFC822.HEADER RFC822.TEXT)")
record("rfc822_parts", (typ, data))
typ, data = M.fetch("3", "(RFC822)")
record("rfc822", data[0][1])
record("rfc822_seen", data[1] if len(data) > 1 else None)
record("check", M.check())
record("namespace", M.namespace())
record("subscribe", M.subscribe("INBOX"))
record("unsubscribe", M.unsubscribe("INBOX"))
record("lsub", M.lsub())
record("store", M.store("1", "+FLAGS", "(\\Answered \\Flagged)"))
record("store_silent", M.store("2", "+FLAGS.SILENT", "(\\Draft)"))
record("store_remove", M.store("3", "-FLAGS", "(\\Flagged)"))
record("flags_after_store", M.fetch("1:3", "(FLAGS)"))
record("uid_search", M.uid("SEARCH", "ANSWERED"))
record("uid_fetch", M.uid("FETCH", "2:3", "(UID RFC822.SIZE)"))
record("uid_store", M.uid("STORE", "3", "+FLAGS", "(\\Seen)"))
record("create", M.create("Archive"))
record("create_again", M.create("Archive"))
record("uid_copy", M.uid("COPY", "1:2", "Archive"))
record("copy_missing", M.copy("1", "Nowhere"))
record("copy", M.copy("3", "Archive"))
record("status_archive", M.status("Archive", "(MESSAGES UIDNEXT)"))
record("append", M.append("Archive", "(\\Seen \\Flagged)", '"01-Jan-2020 10:00:00 +0000"', b"Subject: appended\r\n\r\nappended body\r\n"))
record("append_missing", M.append("Nowhere", None, None, b"Subject: x\r\n\r\nx\r\n"))
record("select_archive", M.select("Archive"))
record("archive_meta", M.fetch("1:*", "(UID FLAGS INTERNALDATE)"))
typ, data = M.uid("FETCH", "4", "(BODY[])")
record("appended_body", data[0][1])
record("uid_move", M.uid("MOVE", "1", "INBOX"))
record("move_expunge", M.response("EXPUNGE"))
record("archive_after_move", M.fetch("1:*", "(UID)"))
record("store_deleted", M.store("1:2", "+FLAGS", "(\\Deleted)"))
record("uid_expunge_status", M.uid("EXPUNGE", "1:2"))
record("uid_expunge", M.response("EXPUNGE"))
record("archive_after_uid_expunge", M.fetch("1:*", "(UID)"))
record("store_deleted2", M.store("1", "+FLAGS", "(\\Deleted)"))
record("expunge", M.expunge())
record("archive_after_expunge", M.search(None, "ALL"))
try:
    M.xatom("FROBNICATE")
    record("bad", "accepted")
except imaplib.IMAP4.error as e:
    record("bad", str(e))
record("noop_after_bad", M.noop())
try:
    M.fetch("99", "(FLAGS)")
    record("bad_seq", "accepted")
except imaplib.IMAP4.error as e:
    record("bad_seq", str(e))
record("rename", M.rename("Archive", "Old.Archive"))
record("list_after_rename", M.list())
record("list_pct_after_rename", M.list('""', "%"))
record("list_level_after_rename", M.list('""', "Old.%"))
record("status_renamed", M.status("Old.Archive", "(MESSAGES)"))
record("delete", M.delete("Old.Archive"))
record("delete_inbox", M.delete("INBOX"))
record("list_after_delete", M.list("\"\"", "*"))
record("select_inbox", M.select("INBOX"))
record("inbox_uids", M.uid("SEARCH", "ALL"))
record("unselect", M.unselect())
M.state = "SELECTED"  # past imaplib's own check, to ask the server
try:
    M.fetch("1", "(FLAGS)")
    record("fetch_unselected", "accepted")
except imaplib.IMAP4.error as e:
    record("fetch_unselected", str(e))
record("select_again", M.select("INBOX"))
record("close", M.close())
record("logout", M.logout())
print(json.dumps(out))
"#;

/// Runs `script` (after the prelude) against the server; the JSON it
/// printed, or `None` when Python is missing.
fn run(server: &Server, script: &str, extra: &[&str]) -> Option<Value> {
    let code = format!("{PRELUDE}{script}");
    let mut args = vec![server.port.to_string()];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let out = python(&code, &args)?;
    out.assert_success();
    let line = out.stdout.lines().last().unwrap_or_default();
    Some(serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {out}")))
}

/// `["OK", [...]]` as its status and data.
fn ok_data(value: &Value) -> &Vec<Value> {
    assert_eq!(value[0], "OK", "{value}");
    value[1].as_array().expect("data")
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn latin1(value: &Value) -> Vec<u8> {
    value.as_str().unwrap().chars().map(|c| c as u8).collect()
}

/// The data of a command as one string (list items joined by spaces;
/// literal pairs as their two halves).
fn joined(value: &Value) -> String {
    fn flat(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| flat(i, out)),
            Value::String(s) => out.push(s.clone()),
            Value::Null => {}
            other => out.push(other.to_string()),
        }
    }
    let mut parts = Vec::new();
    flat(&value[1], &mut parts);
    parts.join(" ")
}

#[test]
fn imaplib_session_covers_the_mailbox_commands() {
    let server = start(&["--no-tls"]);
    let Some(o) = run(&server, SESSION, &[]) else {
        return;
    };
    let caps: Vec<String> = o["caps"].as_array().unwrap().iter().map(text).collect();
    for cap in [
        "IMAP4REV1",
        "IDLE",
        "UIDPLUS",
        "MOVE",
        "UNSELECT",
        "AUTH=PLAIN",
    ] {
        assert!(caps.iter().any(|c| c == cap), "{cap} in {caps:?}");
    }
    assert!(!caps.iter().any(|c| c == "STARTTLS"), "--no-tls: {caps:?}");
    assert_eq!(o["login"][0], "OK");
    assert_eq!(joined(&o["list"]), r#"(\HasNoChildren) "." INBOX"#);
    assert_eq!(joined(&o["list_pct"]), r#"(\HasNoChildren) "." INBOX"#);

    // STATUS (RFC 3501 6.3.10): SECOND is in new/, so recent; only
    // MESSAGE is seen. SIZE counts the wire form.
    let status = joined(&o["status"]);
    let size = MESSAGE.len() + second_on_the_wire().len() + THIRD.len();
    for item in [
        "MESSAGES 3".to_owned(),
        "UIDNEXT 4".to_owned(),
        "UNSEEN 2".to_owned(),
        "RECENT 1".to_owned(),
        format!("SIZE {size}"),
    ] {
        assert!(status.contains(&item), "{item} in {status}");
    }
    assert!(uid_validity(&status).is_some(), "UIDVALIDITY: {status}");

    // SELECT (RFC 3501 6.3.1).
    assert_eq!(ok_data(&o["select"])[0], "3");
    let untagged = o["select_untagged"].to_string();
    for part in [
        "\"RECENT\":[\"1\"]",
        "PERMANENTFLAGS",
        "UIDNEXT",
        "UNSEEN",
        "READ-WRITE",
    ] {
        assert!(untagged.contains(part), "{part} in {untagged}");
    }

    // FETCH of the fast items.
    let meta = joined(&o["meta"]);
    assert!(
        meta.contains(&format!(
            r"1 (FLAGS (\Seen) UID 1 RFC822.SIZE {} INTERNALDATE ",
            MESSAGE.len()
        )),
        "{meta}"
    );
    assert!(
        meta.contains(&format!(
            r"2 (FLAGS (\Recent) UID 2 RFC822.SIZE {} ",
            second_on_the_wire().len()
        )),
        "{meta}"
    );
    assert!(meta.contains(r"3 (FLAGS (\Flagged) UID 3 "), "{meta}");

    // ENVELOPE (RFC 3501 7.4.2): sender and reply-to default to from.
    let envelope = joined(&o["envelope"]);
    assert_eq!(
        envelope,
        r#"2 (ENVELOPE ("Tue, 01 Aug 2023 10:00:00 +0200" "second" (("Carol" NIL "carol" "example.org")) (("Carol" NIL "carol" "example.org")) (("Carol" NIL "carol" "example.org")) (("Bob" NIL "bob" "example.net")("Dave" NIL "dave" "example.net")) NIL NIL NIL NIL))"#
    );

    // BODYSTRUCTURE of the multipart.
    let structure = joined(&o["structure"]);
    assert!(
        structure.starts_with(
            r#"3 (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 13 "#
        ),
        "{structure}"
    );
    assert!(
        structure.contains(r#"("APPLICATION" "OCTET-STREAM" ("NAME" "x.bin") NIL NIL "BASE64" 8 NIL ("attachment" ("FILENAME" "x.bin")) NIL NIL) "MIXED" ("BOUNDARY" "b1")"#),
        "{structure}"
    );

    // BODY.PEEK of header fields and a partial; \Seen stays unset.
    let peek = joined(&o["peek"]);
    assert!(
        peek.contains("BODY[HEADER.FIELDS (SUBJECT)] {19} Subject: second\r\n\r\n"),
        "{peek}"
    );
    assert!(
        peek.contains("BODY[]<6> {7} Carol <"),
        "partial <6.7>: {peek}"
    );
    assert!(!joined(&o["flags_after_peek"]).contains("Seen"));

    // BODY[] byte for byte; the fetch sets \Seen (RFC 3501 6.4.5).
    assert_eq!(latin1(&o["body1"]), MESSAGE);
    assert_eq!(latin1(&o["body2"]), second_on_the_wire());
    assert!(
        text(&o["seen_by_body"]).contains(r"\Seen"),
        "{}",
        o["seen_by_body"]
    );

    // Parts of the multipart.
    let parts = joined(&o["parts"]);
    assert!(parts.contains("BODY[1] {13} the text part"), "{parts}");
    assert!(parts.contains("BODY[2] {8} AAECAw=="), "{parts}");
    let mime = "Content-Type: application/octet-stream; name=\"x.bin\"\r\n\
                Content-Disposition: attachment; filename=\"x.bin\"\r\n\
                Content-Transfer-Encoding: base64\r\n\r\n";
    assert!(
        parts.contains(&format!("BODY[2.MIME] {{{}}} {mime}", mime.len())),
        "{parts}"
    );
    let header = &THIRD[..THIRD.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4];
    let header = std::str::from_utf8(header).unwrap();
    assert!(
        parts.contains(&format!("BODY[HEADER] {{{}}} {header}", header.len())),
        "{parts}"
    );

    // RFC822.HEADER, RFC822.TEXT and RFC822 (IMAP4rev1); RFC822 sets
    // \Seen like BODY[] (RFC 3501 6.4.5).
    let header_end = MESSAGE.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let rfc822_parts = joined(&o["rfc822_parts"]);
    let header = std::str::from_utf8(&MESSAGE[..header_end]).unwrap();
    assert!(
        rfc822_parts.contains(&format!("RFC822.HEADER {{{}}} {header}", header.len())),
        "{rfc822_parts}"
    );
    assert!(
        rfc822_parts.contains(&format!("RFC822.TEXT {{{}}}", MESSAGE.len() - header_end)),
        "{rfc822_parts}"
    );
    assert_eq!(latin1(&o["rfc822"]), THIRD);
    assert!(
        text(&o["rfc822_seen"]).contains(r"\Seen"),
        "{}",
        o["rfc822_seen"]
    );
    assert_eq!(o["check"][0], "OK");
    assert_eq!(joined(&o["namespace"]), r#"(("" ".")) NIL NIL"#);
    assert_eq!(o["subscribe"][0], "OK");
    assert_eq!(o["unsubscribe"][0], "OK");
    assert_eq!(joined(&o["lsub"]), r#"(\HasNoChildren) "." INBOX"#);

    // SEARCH (RFC 3501 6.4.4).
    let search = |name: &str| joined(&o[name]);
    assert_eq!(search("search_all"), "1 2 3");
    assert_eq!(search("search_subject"), "2");
    assert_eq!(search("search_from"), "3");
    assert_eq!(search("search_flagged"), "3");
    assert_eq!(search("search_or"), "2");
    assert_eq!(search("search_not_seen"), "3");
    assert_eq!(search("search_larger"), "1 3");
    assert_eq!(search("search_sentsince"), "2");
    assert_eq!(search("search_header"), "1");
    assert_eq!(search("search_nested"), "2");
    assert_eq!(search("search_seq"), "2");

    // STORE (RFC 3501 6.4.6): untagged FETCH unless .SILENT.
    assert_eq!(joined(&o["store"]), r"1 (FLAGS (\Seen \Answered \Flagged))");
    assert_eq!(joined(&o["store_silent"]), "");
    assert_eq!(joined(&o["store_remove"]), r"3 (FLAGS (\Seen))");
    assert_eq!(
        joined(&o["flags_after_store"]),
        r"1 (FLAGS (\Seen \Answered \Flagged)) 2 (FLAGS (\Seen \Draft \Recent)) 3 (FLAGS (\Seen))"
    );
    assert_eq!(joined(&o["uid_search"]), "1");
    assert_eq!(
        joined(&o["uid_fetch"]),
        format!(
            "2 (UID 2 RFC822.SIZE {}) 3 (UID 3 RFC822.SIZE {})",
            second_on_the_wire().len(),
            THIRD.len()
        )
    );
    assert_eq!(joined(&o["uid_store"]), r"3 (FLAGS (\Seen) UID 3)");

    // CREATE, COPY with COPYUID (RFC 4315), TRYCREATE for a missing target.
    assert_eq!(o["create"][0], "OK");
    assert_eq!(o["create_again"][0], "NO");
    assert_eq!(o["uid_copy"][0], "OK");
    assert_eq!(o["copy_missing"][0], "NO");
    assert!(joined(&o["copy_missing"]).contains("TRYCREATE"));
    assert_eq!(
        joined(&o["status_archive"]),
        "Archive (MESSAGES 3 UIDNEXT 4)"
    );

    // APPEND with flags and date; APPENDUID.
    assert!(
        joined(&o["append"]).contains("[APPENDUID "),
        "{}",
        o["append"]
    );
    assert!(joined(&o["append"]).contains(" 4] "), "{}", o["append"]);
    // RFC 3501 6.3.11: no such mailbox, TRYCREATE, before the literal.
    assert_eq!(o["append_missing"][0], "NO");
    assert!(joined(&o["append_missing"]).contains("[TRYCREATE]"));
    let archive = joined(&o["archive_meta"]);
    assert!(
        archive.contains(
            r#"4 (UID 4 FLAGS (\Seen \Flagged) INTERNALDATE " 1-Jan-2020 10:00:00 +0000")"#
        ),
        "{archive}"
    );
    assert!(
        archive.contains(r"1 (UID 1 FLAGS (\Seen \Answered \Flagged) "),
        "copied flags: {archive}"
    );
    assert_eq!(
        latin1(&o["appended_body"]),
        b"Subject: appended\r\n\r\nappended body\r\n"
    );

    // UID MOVE (RFC 6851), UID EXPUNGE (RFC 4315), EXPUNGE.
    assert_eq!(o["uid_move"][0], "OK");
    assert_eq!(joined(&o["move_expunge"]), "1");
    assert_eq!(
        joined(&o["archive_after_move"]),
        "1 (UID 2) 2 (UID 3) 3 (UID 4)"
    );
    assert_eq!(o["uid_expunge_status"][0], "OK");
    assert_eq!(joined(&o["uid_expunge"]), "1");
    assert_eq!(
        joined(&o["archive_after_uid_expunge"]),
        "1 (UID 3) 2 (UID 4)"
    );
    assert_eq!(joined(&o["expunge"]), "1");
    assert_eq!(joined(&o["archive_after_expunge"]), "1");

    // A bad command gets BAD and the session goes on.
    assert!(text(&o["bad"]).contains("BAD"), "{}", o["bad"]);
    assert_eq!(o["noop_after_bad"][0], "OK");
    // RFC 3501 9: a message number beyond the mailbox is a BAD command.
    assert!(text(&o["bad_seq"]).contains("BAD"), "{}", o["bad_seq"]);

    // RENAME and DELETE.
    assert_eq!(o["rename"][0], "OK");
    assert_eq!(
        joined(&o["list_after_rename"]),
        r#"(\HasNoChildren) "." INBOX (\HasNoChildren) "." Old.Archive"#
    );
    // RFC 3501 6.3.8: the level above, not a mailbox, is \Noselect.
    assert_eq!(
        joined(&o["list_pct_after_rename"]),
        r#"(\HasNoChildren) "." INBOX (\Noselect \HasChildren) "." Old"#
    );
    assert_eq!(
        joined(&o["list_level_after_rename"]),
        r#"(\HasNoChildren) "." Old.Archive"#
    );
    assert_eq!(joined(&o["status_renamed"]), "Old.Archive (MESSAGES 1)");
    assert_eq!(o["delete"][0], "OK");
    assert_eq!(o["delete_inbox"][0], "NO");
    assert_eq!(
        joined(&o["list_after_delete"]),
        r#"(\HasNoChildren) "." INBOX"#
    );

    // The moved message is in INBOX with the next UID.
    assert_eq!(joined(&o["inbox_uids"]), "1 2 3 4");
    // UNSELECT (RFC 3691): no mailbox after it, so FETCH is refused.
    assert_eq!(o["unselect"][0], "OK");
    assert!(
        text(&o["fetch_unselected"]).contains("BAD"),
        "{}",
        o["fetch_unselected"]
    );
    assert_eq!(o["select_again"][0], "OK");
    assert_eq!(o["close"][0], "OK");
    assert_eq!(o["logout"][0], "BYE");

    // Flags are in the file names, where other Maildir readers look.
    let cur: Vec<String> = fs::read_dir(server.maildir.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        cur.iter()
            .any(|n| n.starts_with("1700000000.M1P1Q1.test:2,") && n.ends_with("FRS")),
        "{cur:?}"
    );
    assert!(
        fs::read_dir(server.maildir.join("new"))
            .unwrap()
            .next()
            .is_none()
    );
}

/// The UIDVALIDITY number in a STATUS line.
fn uid_validity(status: &str) -> Option<u32> {
    let rest = status.split("UIDVALIDITY ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&n| n > 0)
}

/// STARTTLS, then AUTHENTICATE PLAIN; a wrong password first.
const TLS_SESSION: &str = r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
record("caps_before", list(M.capabilities))
record("starttls", M.starttls(ssl_context=ssl._create_unverified_context()))
record("caps_after", list(M.capabilities))
try:
    M.authenticate("PLAIN", lambda _: b"\0joe\0wrong")
    record("wrong", "accepted")
except imaplib.IMAP4.error as e:
    record("wrong", str(e))
try:
    M.authenticate("PLAIN", lambda _: b"fred\0joe\0secret")
    record("as_other", "accepted")
except imaplib.IMAP4.error as e:
    record("as_other", str(e))
record("auth", M.authenticate("PLAIN", lambda _: b"\0joe\0secret"))
record("examine", M.select("INBOX", readonly=True))
typ, data = M.fetch("1", "(BODY[])")
record("body", data[0][1])
record("flags", M.fetch("1:*", "(FLAGS)"))
record("store_ro", M.store("1", "+FLAGS", "(\\Deleted)"))
record("expunge_ro", M.expunge())
record("logout", M.logout())
print(json.dumps(out))
"#;

#[test]
fn imaplib_starttls_and_authenticate_plain() {
    let server = start(&["--require-tls"]);
    let Some(o) = run(&server, TLS_SESSION, &[]) else {
        return;
    };
    let before = o["caps_before"].to_string();
    assert!(
        before.contains("STARTTLS") && before.contains("LOGINDISABLED"),
        "{before}"
    );
    assert_eq!(o["starttls"][0], "OK");
    let after = o["caps_after"].to_string();
    assert!(
        !after.contains("STARTTLS") && after.contains("AUTH=PLAIN"),
        "{after}"
    );
    assert!(
        text(&o["wrong"]).contains("AUTHENTICATIONFAILED"),
        "{}",
        o["wrong"]
    );
    assert_eq!(o["auth"][0], "OK");
    // EXAMINE (RFC 3501 6.3.2): read-only, and a body fetch sets no flag.
    assert_eq!(ok_data(&o["examine"])[0], "3");
    assert_eq!(latin1(&o["body"]), MESSAGE);
    assert_eq!(
        joined(&o["flags"]),
        r"1 (FLAGS (\Seen)) 2 (FLAGS (\Recent)) 3 (FLAGS (\Flagged))"
    );
    assert_eq!(o["store_ro"][0], "NO");
    assert_eq!(o["expunge_ro"][0], "NO");
    // SASL PLAIN acting as another user is refused.
    assert!(
        text(&o["as_other"]).contains("AUTHENTICATIONFAILED"),
        "{}",
        o["as_other"]
    );
    assert_eq!(o["logout"][0], "BYE");
    // A read-only session takes nothing from new/ and sets no flag.
    assert_eq!(fs::read_dir(server.maildir.join("new")).unwrap().count(), 1);
    assert!(
        server
            .maildir
            .join("cur/1700000000.M1P1Q1.test:2,S")
            .exists()
    );
}

/// IDLE (RFC 2177) by hand (imaplib has no idle() before Python 3.14):
/// the script drops a message into `new/` while idling and waits for the
/// `EXISTS` the server pushes; then NOOP in a second session sees the
/// message expunged by the first.
const IDLE_SESSION: &str = r#"
maildir = sys.argv[2]
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
M.login("joe", "secret")
record("select", M.select("INBOX"))
M.send(b"i1 IDLE\r\n")
record("idle_plus", M.readline())
with open(os.path.join(maildir, "tmp", "1800000000.idle.test"), "wb") as f:
    f.write(b"Subject: delivered while idling\r\n\r\nhi\r\n")
os.rename(os.path.join(maildir, "tmp", "1800000000.idle.test"), os.path.join(maildir, "new", "1800000000.idle.test"))
pushed = []
while True:
    line = M.readline()
    pushed.append(line)
    if b"EXISTS" in line:
        break
M.send(b"DONE\r\n")
while True:
    line = M.readline()
    pushed.append(line)
    if line.startswith(b"i1 "):
        break
record("pushed", pushed)
N = imaplib.IMAP4("127.0.0.1", port, timeout=20)
N.login("joe", "secret")
N.select("INBOX")
record("other_store", N.store("1", "+FLAGS", "(\\Deleted)"))
record("other_expunge", N.expunge())
N.logout()
record("noop", M.noop())
record("noop_untagged", {k: b(v) for k, v in M.untagged_responses.items()})
record("after", M.fetch("1:*", "(UID)"))
M.logout()
print(json.dumps(out))
"#;

#[test]
fn imaplib_idle_sees_a_delivery_and_noop_an_expunge() {
    let server = start(&[]);
    let maildir = server.maildir.to_str().unwrap().to_owned();
    let Some(o) = run(&server, IDLE_SESSION, &[&maildir]) else {
        return;
    };
    assert_eq!(ok_data(&o["select"])[0], "3");
    assert!(
        text(&o["idle_plus"]).starts_with("+ "),
        "{}",
        o["idle_plus"]
    );
    let pushed = o["pushed"].to_string();
    assert!(pushed.contains("* 4 EXISTS"), "{pushed}");
    assert!(pushed.contains("i1 OK"), "{pushed}");
    assert_eq!(joined(&o["other_expunge"]), "1");
    assert_eq!(o["noop"][0], "OK");
    let untagged = o["noop_untagged"].to_string();
    assert!(untagged.contains("\"EXPUNGE\":[\"1\"]"), "{untagged}");
    assert_eq!(joined(&o["after"]), "1 (UID 2) 2 (UID 3) 3 (UID 4)");
}

#[test]
fn curl_lists_and_fetches_by_uid() {
    let server = start(&[]);
    let url = format!("imap://127.0.0.1:{}/", server.port);
    let Some(out) = curl(&[url.as_str(), "--user", "joe:secret"]) else {
        return;
    };
    out.assert_success();
    assert_eq!(
        out.stdout, "* LIST (\\HasNoChildren) \".\" INBOX\r\n",
        "{out}"
    );

    let url = format!("imap://127.0.0.1:{}/INBOX;UID=1", server.port);
    let out = curl(&[url.as_str(), "--user", "joe:secret"]).unwrap();
    out.assert_success();
    assert_eq!(out.stdout.as_bytes(), MESSAGE, "{out}");

    let url = format!("imap://127.0.0.1:{}/INBOX;UID=2", server.port);
    let out = curl(&[
        url.as_str(),
        "--user",
        "joe:secret",
        "--ssl-reqd",
        "--insecure",
    ])
    .unwrap();
    out.assert_success();
    assert_eq!(
        out.stdout.as_bytes(),
        second_on_the_wire(),
        "STARTTLS: {out}"
    );
}

/// Eight sessions at once, each APPENDing 25 messages to INBOX while a
/// ninth watches with NOOP; then flags set in one session show up in
/// another's NOOP as untagged FETCH (RFC 3501 7.4.1).
const CONCURRENT: &str = r#"
import threading
W = imaplib.IMAP4("127.0.0.1", port, timeout=60)
W.login("joe", "secret")
W.select("INBOX")
W.response("EXISTS")
errors = []
uids = []
lock = threading.Lock()
def worker(n):
    try:
        C = imaplib.IMAP4("127.0.0.1", port, timeout=60)
        C.login("joe", "secret")
        for i in range(25):
            typ, data = C.append("INBOX", None, None, b"Subject: w%d m%d\r\n\r\nbody\r\n" % (n, i))
            m = re.search(rb"APPENDUID \d+ (\d+)", data[0])
            with lock:
                uids.append(int(m.group(1)))
        C.logout()
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
record("errors", errors)
record("uids", sorted(uids))
record("noop", W.noop())
record("exists", W.response("EXISTS"))
record("count", W.search(None, "ALL"))
O = imaplib.IMAP4("127.0.0.1", port, timeout=60)
O.login("joe", "secret")
O.select("INBOX")
O.store("4", "+FLAGS", "(\\Flagged)")
O.logout()
record("noop2", W.noop())
record("fetch_pushed", W.response("FETCH"))
W.logout()
print(json.dumps(out))
"#;

#[test]
fn concurrent_sessions_append_and_see_each_other() {
    let server = start(&[]);
    let Some(o) = run(&server, CONCURRENT, &[]) else {
        return;
    };
    assert_eq!(o["errors"].as_array().unwrap().len(), 0, "{}", o["errors"]);
    // Every APPEND got its own UID, after the three messages there were.
    let uids: Vec<u64> = o["uids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_u64().unwrap())
        .collect();
    assert_eq!(uids, (4..204).collect::<Vec<u64>>());
    assert_eq!(o["noop"][0], "OK");
    assert_eq!(joined(&o["exists"]), "203");
    assert_eq!(joined(&o["count"]).split(' ').count(), 203);
    assert_eq!(joined(&o["fetch_pushed"]), r"4 (FLAGS (\Flagged))");
    let files: usize = ["new", "cur"]
        .iter()
        .map(|sub| fs::read_dir(server.maildir.join(sub)).unwrap().count())
        .sum();
    assert_eq!(files, 203);
}

/// A message over the 8 MiB the server parses in memory, stored with
/// bare LF line endings: its sections are streamed from the file through
/// the CRLF conversion, partials counted on the wire form.
const LARGE_LF: &str = r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=60)
M.login("joe", "secret")
M.select("INBOX")
typ, data = M.fetch("4", "(RFC822.SIZE BODY.PEEK[]<1000.5000>)")
record("partial", data[0][1])
record("partial_head", data[0][0])
typ, data = M.fetch("4", "(BODY.PEEK[TEXT])")
record("text_len", len(data[0][1]))
record("text_digest", __import__("hashlib").sha256(data[0][1]).hexdigest())
typ, data = M.fetch("4", "(BODY.PEEK[HEADER] BODYSTRUCTURE)")
record("header", data[0][1])
record("structure", data[0][0] + data[1] if isinstance(data[1], bytes) else data[0][0])
record("search", M.search(None, "BODY", "needle-at-the-end"))
typ, data = M.fetch("5", "(BODYSTRUCTURE)")
record("multi_structure", data[0])
typ, data = M.fetch("5", "(BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[2]<0.20>)")
record("multi_parts", (typ, data))
typ, data = M.fetch("5", "(BODY.PEEK[2])")
record("attachment_len", len(data[0][1]))
record("attachment_tail", data[0][1][-30:])
M.logout()
print(json.dumps(out))
"#;

#[test]
fn a_large_lf_message_streams_as_crlf_with_partials() {
    let mut body = Vec::new();
    let mut n = 0u32;
    while body.len() < 9 << 20 {
        body.extend_from_slice(format!("line {n} of a large message\n").as_bytes());
        n += 1;
    }
    body.extend_from_slice(b"needle-at-the-end\n");
    let mut file = b"Subject: large\nFrom: big@example.org\n\n".to_vec();
    file.extend_from_slice(&body);
    // And a large multipart: a text part and a 9 MiB attachment.
    let mut multi = b"Subject: large multipart\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"big-b\"\r\n\
\r\n\
--big-b\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
see the attachment\r\n\
--big-b\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n"
        .to_vec();
    let attachment_start = multi.len();
    while multi.len() - attachment_start < 9 << 20 {
        multi.extend_from_slice(
            b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\r\n",
        );
    }
    multi.extend_from_slice(b"ZW5k\r\n");
    let attachment_len = multi.len() - attachment_start - 2;
    multi.extend_from_slice(b"--big-b--\r\n");
    let server = Server::start_example("imap_server", &["--user", "joe:secret"], |maildir| {
        three_messages(maildir);
        fs::write(maildir.join("cur/1700000003.M1P1Q4.test:2,S"), &file).unwrap();
        fs::write(maildir.join("cur/1700000004.M1P1Q5.test:2,S"), &multi).unwrap();
    });
    let Some(o) = run(&server, LARGE_LF, &[]) else {
        return;
    };
    let wire = String::from_utf8(file)
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    assert!(
        text(&o["partial_head"]).contains(&format!("RFC822.SIZE {}", wire.len())),
        "{}",
        o["partial_head"]
    );
    assert!(text(&o["partial_head"]).contains("BODY[]<1000> {5000}"));
    assert_eq!(latin1(&o["partial"]), &wire[1000..6000]);
    let header_len = b"Subject: large\r\nFrom: big@example.org\r\n\r\n".len();
    let text_part = &wire[header_len..];
    assert_eq!(o["text_len"].as_u64().unwrap(), text_part.len() as u64);
    let digest = sha256_hex(text_part);
    assert_eq!(text(&o["text_digest"]), digest);
    assert_eq!(
        latin1(&o["header"]),
        b"Subject: large\r\nFrom: big@example.org\r\n\r\n"
    );
    assert!(
        text(&o["structure"])
            .contains(r#"BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" "#),
        "{}",
        o["structure"]
    );
    assert_eq!(joined(&o["search"]), "4");

    // The large multipart's parts are located in the file.
    assert_eq!(
        text(&o["multi_structure"]),
        format!(
            r#"5 (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 18 0 NIL NIL NIL NIL)("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" {attachment_len} NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "big-b") NIL NIL NIL))"#
        )
    );
    let parts = joined(&o["multi_parts"]);
    assert!(parts.contains("BODY[1] {18} see the attachment"), "{parts}");
    assert!(
        parts.contains("BODY[2.MIME] {77} Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"),
        "{parts}"
    );
    assert!(
        parts.contains("BODY[2]<0> {20} QUJDREVGR0hJSktMTU5P"),
        "{parts}"
    );
    assert_eq!(o["attachment_len"].as_u64().unwrap(), attachment_len as u64);
    let attachment = &multi[attachment_start..attachment_start + attachment_len];
    assert_eq!(
        latin1(&o["attachment_tail"]),
        &attachment[attachment.len() - 30..]
    );
}

/// SHA-256 of `data` in hex, by Python's hashlib (the test crate has no
/// digest crate).
fn sha256_hex(data: &[u8]) -> String {
    let dir = support::temp_dir();
    let path = dir.path().join("data");
    fs::write(&path, data).unwrap();
    let out = python(
        "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
        &[path.to_str().unwrap()],
    )
    .unwrap();
    out.stdout.trim().to_owned()
}

/// A client that goes away in the middle of an APPEND literal: nothing
/// of the message is left in the Maildir (the file in `tmp/` goes with
/// the session), and the server serves the next client.
const DROPPED_APPEND: &str = r#"
import socket
s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rb")
f.readline()
s.sendall(b"a1 LOGIN joe secret\r\n")
record("login", f.readline())
s.sendall(b"a2 APPEND INBOX {100000}\r\n")
record("plus", f.readline())
s.sendall(b"Subject: cut\r\n\r\n" + b"x" * 5000)
time.sleep(0.3)
s.close()
time.sleep(0.3)
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
M.login("joe", "secret")
record("status", M.status("INBOX", "(MESSAGES UIDNEXT)"))
M.logout()
print(json.dumps(out))
"#;

#[test]
fn a_dropped_append_leaves_nothing_behind() {
    let server = start(&[]);
    let Some(o) = run(&server, DROPPED_APPEND, &[]) else {
        return;
    };
    assert!(text(&o["login"]).starts_with("a1 OK"), "{}", o["login"]);
    assert!(text(&o["plus"]).starts_with("+ "), "{}", o["plus"]);
    assert_eq!(joined(&o["status"]), "INBOX (MESSAGES 3 UIDNEXT 4)");
    // The session's end removes the partial file; give it a moment.
    let started = std::time::Instant::now();
    while fs::read_dir(server.maildir.join("tmp")).unwrap().count() > 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "a partial APPEND stayed in tmp/"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The FETCH answers a script compares between two servers: flags (by
/// the Maildir info both read), sizes, envelopes, structures, sections.
const COMPARE: &str = r#"
user, password = sys.argv[2], sys.argv[3]
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
M.login(user, password)
M.select("INBOX", readonly=True)
for item in ["FLAGS", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[1]", "BODY.PEEK[2]", "BODY.PEEK[2.MIME]", "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", "BODY.PEEK[TEXT]<5.20>"]:
    typ, data = M.fetch("1:*", "(" + item + ")")
    record(item, (typ, data))
M.logout()
print(json.dumps(out))
"#;

/// Messages with flags set through our server are read the same by
/// Dovecot from the same files: the flags in the Maildir info suffix,
/// and every FETCH item above answered alike (BODYSTRUCTURE compared
/// without regard to case: Dovecot keeps the case of the header's
/// words, we write types upper case, as RFC 3501's examples do).
#[test]
fn dovecot_reads_our_maildir_and_answers_fetch_alike() {
    let ours = start(&[]);
    let setup = r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
M.login("joe", "secret")
M.select("INBOX")
M.store("1", "+FLAGS", "(\\Answered \\Flagged)")
M.store("3", "+FLAGS", "(\\Draft \\Deleted)")
M.append("INBOX", "(\\Seen)", None, b"Subject: appended\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nappended\r\n")
M.logout()
print(json.dumps(out))
"#;
    if run(&ours, setup, &[]).is_none() {
        return;
    }
    let Some(dovecot) =
        support::dovecot::start_dovecot(&support::dovecot::DovecotOptions::default())
    else {
        return;
    };
    // Our files in UID order (the uid list), deposited under Dovecot with
    // the info suffix our server wrote.
    let uidlist = fs::read_to_string(ours.maildir.join("mailwire-uidlist")).unwrap();
    let mut infos = Vec::new();
    for line in uidlist.lines().skip(1) {
        let key = line.split_once(' ').unwrap().1;
        let file = fs::read_dir(ours.maildir.join("cur"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{key}:2,"))
            })
            .unwrap_or_else(|| panic!("{key} in cur/"));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let info = name.rsplit_once(":2,").unwrap().1.to_owned();
        // Dovecot serves the octets as stored but for bare LF: give it the
        // wire form so both count the same sizes.
        let raw = fs::read(&file).unwrap();
        let wire = if raw.contains(&b'\r') {
            raw
        } else {
            let mut w = String::from_utf8(raw)
                .unwrap()
                .replace('\n', "\r\n")
                .into_bytes();
            w.extend_from_slice(b"\r\n");
            w
        };
        if !wire.ends_with(b"\r\n") {
            panic!("{name} does not end with CRLF");
        }
        dovecot.deposit_cur("alice", &wire, &info);
        infos.push(info);
    }
    assert_eq!(infos, ["FRS", "", "DFT", "S"], "{uidlist}");
    // The second message was stored with bare LF and no final newline;
    // ours was rewritten to its wire form above, so replace it on our
    // side too for a like-for-like comparison.
    let ours_second = fs::read_dir(ours.maildir.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("1700000001.M1P1Q2.test"))
        .unwrap();
    fs::write(&ours_second, second_on_the_wire()).unwrap();

    let mine = run(&ours, COMPARE, &["joe", "secret"]).unwrap();
    let port = dovecot.imap_port().to_string();
    let code = format!("{PRELUDE}{COMPARE}");
    let out = python(&code, &[port.as_str(), "alice", "secret"]).unwrap();
    out.assert_success();
    let theirs: Value = serde_json::from_str(out.stdout.lines().last().unwrap()).unwrap();
    for (item, value) in mine.as_object().unwrap() {
        let (a, b) = (joined(value), joined(&theirs[item]));
        assert_eq!(value[0], "OK", "{item}: {value}");
        assert!(a.starts_with("1 (") && a.contains(" 4 ("), "{item}: {a}");
        if item == "BODYSTRUCTURE" {
            assert_eq!(a.to_ascii_lowercase(), b.to_ascii_lowercase(), "{item}");
        } else if item == "FLAGS" {
            // Each message's flags as a set; \Recent is each server's own
            // (Dovecot saw every file first).
            let sets = |text: &str| -> Vec<Vec<String>> {
                text.split(") ")
                    .map(|m| {
                        let mut flags: Vec<String> = m
                            .split(['(', ')', ' '])
                            .filter(|f| f.starts_with('\\') && *f != "\\Recent")
                            .map(str::to_owned)
                            .collect();
                        flags.sort();
                        flags
                    })
                    .collect()
            };
            assert_eq!(sets(&a), sets(&b), "{a} / {b}");
        } else {
            assert_eq!(a, b, "{item}");
        }
    }
}

/// Harder messages, the same files under both servers: an address group,
/// quoted and encoded names, Cc, In-Reply-To; nested multiparts with an
/// attached message; and a multipart over 8 MiB, whose parts our server
/// locates by scanning the file rather than parsing it in memory.
///
/// One known difference is kept out: when a part ends right after the
/// close delimiter of a multipart inside it (`--deep--` CRLF `--outer`),
/// the single CRLF between them is the outer delimiter's for us (RFC 2046
/// 5.1.1, as `mailwire-message` reads it) and part of the inner part for
/// Dovecot, whose size and line count are then 2 octets and 1 line more.
/// The nested multiparts here have epilogue lines, so both agree.
#[test]
fn dovecot_answers_structures_of_nested_and_large_messages_alike() {
    let nested: &[u8] = b"From: \"Doe, Jane\" <jane@example.org>\r\n\
To: team: a@example.org, \"B. B.\" <b@example.org>;, c@example.net\r\n\
Cc: =?utf-8?q?J=C3=B6rg?= <jorg@example.de>\r\n\
Subject: =?iso-8859-1?q?caf=E9?= and more\r\n\
Date: Wed, 06 Mar 2024 09:15:00 +0100\r\n\
Message-ID: <nested@example.org>\r\n\
In-Reply-To: <earlier@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
preamble\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
caf=C3=A9\r\n\
second line\r\n\
--inner\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>caf\xc3\xa9</p>\r\n\
--inner--\r\n\
alternative epilogue\r\n\
--outer\r\n\
Content-Type: message/rfc822\r\n\
Content-Description: forwarded\r\n\
\r\n\
From: Bob <bob@example.net>\r\n\
Subject: inside\r\n\
Content-Type: multipart/mixed; boundary=deep\r\n\
\r\n\
--deep\r\n\
Content-Type: text/plain\r\n\
\r\n\
deep text\r\n\
--deep\r\n\
Content-Type: image/png; name=\"a.png\"\r\n\
Content-Disposition: inline; filename=\"a.png\"\r\n\
Content-ID: <img@example.org>\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
iVBORw0KGgo=\r\n\
--deep--\r\n\
inner epilogue\r\n\
--outer\r\n\
Content-Type: application/pdf; name=\"r.pdf\"\r\n\
Content-Disposition: attachment; filename=\"r.pdf\"\r\n\
Content-Language: en, de\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--outer--\r\n\
epilogue\r\n";
    let mut large = b"From: big@example.org\r\n\
Subject: large\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"lb\"\r\n\
\r\n\
--lb\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
see attached\r\n\
--lb\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
Subject: attached\r\n\
From: x@example.org\r\n\
\r\n\
attached body\r\n\
--lb\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n"
        .to_vec();
    let start = large.len();
    while large.len() - start < 9 << 20 {
        large.extend_from_slice(
            b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\r\n",
        );
    }
    large.extend_from_slice(b"--lb--\r\n");
    let messages: [&[u8]; 3] = [nested, &large, THIRD];

    let ours = Server::start_example("imap_server", &["--user", "joe:secret"], |maildir| {
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        for (i, message) in messages.iter().enumerate() {
            fs::write(
                maildir.join(format!("cur/{}.M1P1Q{i}.test:2,S", 1_700_000_000 + i)),
                message,
            )
            .unwrap();
        }
    });
    let Some(dovecot) =
        support::dovecot::start_dovecot(&support::dovecot::DovecotOptions::default())
    else {
        return;
    };
    for message in messages {
        dovecot.deposit_cur("alice", message, "S");
    }
    let script = r#"
user, password = sys.argv[2], sys.argv[3]
M = imaplib.IMAP4("127.0.0.1", port, timeout=60)
M.login(user, password)
M.select("INBOX", readonly=True)
for item in ["RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY", "BODY.PEEK[1]", "BODY.PEEK[1.1]", "BODY.PEEK[1.2.MIME]", "BODY.PEEK[2.HEADER]", "BODY.PEEK[2.TEXT]", "BODY.PEEK[2.1]", "BODY.PEEK[2.2.MIME]", "BODY.PEEK[3.MIME]", "BODY.PEEK[3]<10.30>", "BODY.PEEK[2.HEADER.FIELDS (SUBJECT)]"]:
    typ, data = M.fetch("1:*", "(" + item + ")")
    record(item, (typ, data))
M.logout()
print(json.dumps(out))
"#;
    let mine = run(&ours, script, &["joe", "secret"]).unwrap();
    let code = format!("{PRELUDE}{script}");
    let port = dovecot.imap_port().to_string();
    let out = python(&code, &[port.as_str(), "alice", "secret"]).unwrap();
    out.assert_success();
    let theirs: Value = serde_json::from_str(out.stdout.lines().last().unwrap()).unwrap();
    for (item, value) in mine.as_object().unwrap() {
        assert_eq!(value[0], "OK", "{item}: {value}");
        let (a, b) = (joined(value), joined(&theirs[item]));
        assert!(a.starts_with("1 (") && a.contains(" 3 ("), "{item}: {a}");
        if item.starts_with("BODY") && !item.contains('[') {
            assert_eq!(a.to_ascii_lowercase(), b.to_ascii_lowercase(), "{item}");
        } else {
            assert_eq!(a, b, "{item}");
        }
    }
}

/// With several `--user`s each has the Maildir `DIR/NAME` as INBOX, and
/// sees only their own mail.
#[test]
fn several_users_each_see_their_own_maildir() {
    let server = Server::start_example(
        "imap_server",
        &["--user", "joe:secret", "--user", "ann:other"],
        |maildir| {
            three_messages(&maildir.join("joe"));
            fs::create_dir_all(maildir.join("ann/cur")).unwrap();
            fs::write(maildir.join("ann/cur/1.ann.test:2,S"), MESSAGE).unwrap();
        },
    );
    let script = r#"
for user, password in [("joe", "secret"), ("ann", "other")]:
    M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    M.login(user, password)
    record(user, M.status("INBOX", "(MESSAGES UNSEEN)"))
    M.logout()
try:
    M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    M.login("ann", "secret")
    record("crossed", "accepted")
except imaplib.IMAP4.error as e:
    record("crossed", str(e))
print(json.dumps(out))
"#;
    let Some(o) = run(&server, script, &[]) else {
        return;
    };
    assert_eq!(joined(&o["joe"]), "INBOX (MESSAGES 3 UNSEEN 2)");
    assert_eq!(joined(&o["ann"]), "INBOX (MESSAGES 1 UNSEEN 0)");
    assert!(text(&o["crossed"]).contains("AUTHENTICATIONFAILED"));
}

/// Keywords (RFC 3501 2.3.2): STORE defines new ones (announced in
/// `FLAGS` first), APPEND and COPY keep them, SEARCH KEYWORD finds them;
/// they live where Dovecot keeps them (info letters named in
/// `dovecot-keywords`), and a private Dovecot reads the same flags.
#[test]
fn keywords_are_kept_and_dovecot_reads_them() {
    let server = start(&[]);
    let script = r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
M.login("joe", "secret")
M.select("INBOX")
record("permanent", M.response("PERMANENTFLAGS"))
record("store", M.store("1", "+FLAGS", "($Forwarded Work)"))
record("announced", M.response("FLAGS"))
record("store2", M.store("2", "+FLAGS", "(work $Label1)"))
record("search", M.search(None, "KEYWORD", "WORK"))
record("search_not", M.search(None, "UNKEYWORD", "$Forwarded"))
record("remove", M.store("1", "-FLAGS", "($Forwarded)"))
record("append", M.append("INBOX", "(\\Seen $Label1)", None, b"Subject: kw\r\n\r\nkw\r\n"))
M.create("Other")
record("copy", M.copy("1:2", "Other"))
M.select("Other")
record("other_flags", M.fetch("1:*", "(FLAGS)"))
M.select("INBOX")
record("inbox_flags", M.fetch("1:*", "(FLAGS)"))
M.logout()
print(json.dumps(out))
"#;
    let Some(o) = run(&server, script, &[]) else {
        return;
    };
    assert!(
        text(&o["permanent"][1][0]).contains(r"\*"),
        "{}",
        o["permanent"]
    );
    assert_eq!(joined(&o["store"]), r"1 (FLAGS (\Seen $Forwarded Work))");
    assert!(
        joined(&o["announced"]).contains("$Forwarded Work"),
        "{}",
        o["announced"]
    );
    assert_eq!(joined(&o["store2"]), r"2 (FLAGS (Work $Label1 \Recent))");
    assert_eq!(joined(&o["search"]), "1 2");
    assert_eq!(joined(&o["search_not"]), "2 3");
    assert_eq!(joined(&o["remove"]), r"1 (FLAGS (\Seen Work))");
    assert!(joined(&o["append"]).contains("APPENDUID"));
    assert_eq!(
        joined(&o["other_flags"]),
        r"1 (FLAGS (\Seen Work)) 2 (FLAGS (Work $Label1))"
    );
    let inbox = joined(&o["inbox_flags"]);
    assert!(inbox.contains(r"4 (FLAGS (\Seen $Label1"), "{inbox}");
    assert_eq!(
        fs::read_to_string(server.maildir.join("dovecot-keywords")).unwrap(),
        "0 $Forwarded\n1 Work\n2 $Label1\n"
    );

    // Dovecot reads our files and keyword table alike.
    let Some(dovecot) =
        support::dovecot::start_dovecot(&support::dovecot::DovecotOptions::default())
    else {
        return;
    };
    let mut names: Vec<_> = fs::read_dir(server.maildir.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let info = name.rsplit_once(":2,").unwrap().1;
        let raw = fs::read(server.maildir.join("cur").join(name)).unwrap();
        let wire = if raw.contains(&b'\r') {
            raw
        } else {
            second_on_the_wire()
        };
        dovecot.deposit_cur("alice", &wire, info);
    }
    fs::copy(
        server.maildir.join("dovecot-keywords"),
        dovecot.maildir("alice").join("dovecot-keywords"),
    )
    .unwrap();
    let port = dovecot.imap_port().to_string();
    let code = format!(
        "{PRELUDE}{}",
        r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
M.login("alice", "secret")
M.select("INBOX", readonly=True)
record("flags", M.fetch("1:*", "(FLAGS)"))
M.logout()
print(json.dumps(out))
"#
    );
    let out = python(&code, &[port.as_str()]).unwrap();
    out.assert_success();
    let theirs: Value = serde_json::from_str(out.stdout.lines().last().unwrap()).unwrap();
    let flags = joined(&theirs["flags"]);
    assert_eq!(
        flags,
        r"1 (FLAGS (\Seen \Recent Work)) 2 (FLAGS (\Recent Work $Label1)) 3 (FLAGS (\Flagged \Recent)) 4 (FLAGS (\Seen \Recent $Label1))"
    );
}
