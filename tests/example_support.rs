//! The examples' shared modules (`examples/support/`), compiled and tested
//! here: their unit tests run in this binary, and the TLS certificate is
//! checked by a verifying client we did not write (Python's `ssl`).

#[path = "../examples/support/maildir.rs"]
mod maildir;
mod support;
#[path = "../examples/support/tls.rs"]
mod tls;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Python connects with certificate and host name verification on (the
/// default context), trusting only the PEM file given; it sends a line and
/// prints what comes back and the negotiated protocol.
const PYTHON_TLS_CLIENT: &str = r#"
import socket, ssl, sys
port, cafile, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=cafile)
with socket.create_connection(("127.0.0.1", port), timeout=10) as tcp:
    with context.wrap_socket(tcp, server_hostname=name) as tls:
        tls.sendall(b"NOOP\r\n")
        print(tls.recv(100).decode(), tls.version())
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_ssl_verifies_the_self_signed_certificate() {
    let certificate = tls::SelfSigned::generate().unwrap();
    let dir = support::temp_dir();
    let cafile = dir.path().join("cert.pem");
    certificate.write_certificate_pem(&cafile).unwrap();
    let cafile = cafile.to_str().unwrap().to_owned();

    for name in tls::NAMES {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port().to_string();
        let acceptor = certificate.acceptor().unwrap();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await?;
            let mut stream = acceptor.accept(tcp).await?;
            let mut line = [0u8; 6];
            stream.read_exact(&mut line).await?;
            assert_eq!(&line, b"NOOP\r\n");
            stream.write_all(b"250 OK\r\n").await?;
            stream.shutdown().await?;
            std::io::Result::Ok(())
        });
        let (cafile, name) = (cafile.clone(), name.to_owned());
        let client = tokio::task::spawn_blocking(move || {
            support::python(PYTHON_TLS_CLIENT, &[port.as_str(), &cafile, &name])
        });
        let Some(out) = client.await.unwrap() else {
            return;
        };
        out.assert_success();
        assert!(out.stdout.starts_with("250 OK\r\n TLSv1.3"), "{out}");
        server.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn maildir_delivery_is_readable_by_another_reader() {
    // What aiosmtpd's store reader in tests/support expects of a Maildir,
    // the examples' Maildir provides: whole files in new/, nothing in tmp/.
    let dir = support::temp_dir();
    let maildir = maildir::Maildir::create(dir.path()).await.unwrap();
    let mut delivery = maildir.begin().await.unwrap();
    for line in [&b"Subject: x\r\n"[..], b"\r\n", b"y\r\n"] {
        delivery.write_chunk(line).await.unwrap();
    }
    let path = delivery.commit().await.unwrap();
    assert_eq!(path.parent().unwrap(), dir.path().join("new"));
    assert_eq!(std::fs::read(path).unwrap(), b"Subject: x\r\n\r\ny\r\n");
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
        0
    );
}

// The IMAP example's mailbox model over a Maildir++ tree.
#[path = "../examples/support/imap_store.rs"]
mod imap_store;

mod imap_store_tests {
    use std::fs;
    use std::num::NonZeroU32;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use mailwire_imap::types::{
        AString, Date, DateTime, Mailbox, SearchKey, Section, SectionText, SequenceSet,
    };

    use super::imap_store::{
        Account, Body, Candidate, Flags, Loaded, Registry, Scope, StoreError, WireConverter,
        body_structure, envelope, internal_date, list_matches, section_body, system_time,
    };
    use super::{maildir, support};

    fn maildir_at(root: &Path) {
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(root.join(sub)).unwrap();
        }
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn uids_follow_arrival_order_persist_and_are_never_reused() {
        let dir = support::temp_dir();
        let root = dir.path();
        maildir_at(root);
        fs::write(root.join("new/200.b.test"), "Subject: b\r\n\r\n").unwrap();
        fs::write(root.join("cur/100.a.test:2,S"), "Subject: a\r\n\r\n").unwrap();
        let registry = Registry::default();
        let folder = registry.open(root).unwrap();
        let validity = {
            let f = folder.lock().unwrap();
            let keys: Vec<(u32, &str)> =
                f.messages.iter().map(|m| (m.uid, m.key.as_str())).collect();
            assert_eq!(keys, [(1, "100.a.test"), (2, "200.b.test")]);
            assert!(f.get(1).unwrap().flags.contains(Flags::SEEN));
            assert!(f.get(2).unwrap().in_new());
            assert_eq!(f.uid_next, 3);
            f.uid_validity
        };
        // Another session of the process shares the same state.
        assert!(Arc::ptr_eq(&folder, &registry.open(root).unwrap()));

        // A reader takes new/ into cur/; the message is \Recent for it only.
        let taken = folder.lock().unwrap().rescan(true).unwrap();
        assert_eq!(taken, [2]);
        assert_eq!(
            folder.lock().unwrap().rescan(true).unwrap(),
            Vec::<u32>::new()
        );
        assert_eq!(names_in(&root.join("new")), Vec::<String>::new());
        assert!(names_in(&root.join("cur")).contains(&"200.b.test:2,".to_owned()));

        // Expunge unlinks; a later delivery gets a new UID, not the old one.
        assert_eq!(folder.lock().unwrap().expunge(&[2]).unwrap(), [2]);
        fs::write(root.join("new/300.c.test"), "Subject: c\r\n\r\n").unwrap();
        folder.lock().unwrap().rescan(false).unwrap();
        assert_eq!(folder.lock().unwrap().get(3).unwrap().key, "300.c.test");

        // A new process (a fresh registry) reads the same UIDs back.
        let again = Registry::default().open(root).unwrap();
        let f = again.lock().unwrap();
        assert_eq!(f.uid_validity, validity);
        assert_eq!(f.uid_next, 4);
        let uids: Vec<u32> = f.messages.iter().map(|m| m.uid).collect();
        assert_eq!(uids, [1, 3]);
    }

    #[test]
    fn flags_live_in_the_info_suffix_and_unknown_letters_stay() {
        let dir = support::temp_dir();
        let root = dir.path();
        maildir_at(root);
        fs::write(root.join("cur/100.a.test:2,Pa"), "x").unwrap();
        fs::write(root.join("new/200.b.test"), "y").unwrap();
        let folder = Registry::default().open(root).unwrap();
        let mut f = folder.lock().unwrap();
        let mut flags = Flags::default();
        flags.insert(Flags::SEEN);
        flags.insert(Flags::DELETED);
        flags.insert(Flags::DRAFT);
        assert!(f.set_flags(1, flags).unwrap());
        // A message still in new/ moves to cur/ to carry flags.
        assert!(f.set_flags(2, Flags::FLAGGED).unwrap());
        assert!(!f.set_flags(9, Flags::FLAGGED).unwrap());
        assert_eq!(
            names_in(&root.join("cur")),
            ["100.a.test:2,DPSTa", "200.b.test:2,F"]
        );
        // Another Maildir reader's rename is picked up by the next scan.
        fs::rename(
            root.join("cur/200.b.test:2,F"),
            root.join("cur/200.b.test:2,RS"),
        )
        .unwrap();
        f.rescan(false).unwrap();
        let b = f.get(2).unwrap().flags;
        assert!(b.contains(Flags::ANSWERED) && b.contains(Flags::SEEN));
        assert!(!b.contains(Flags::FLAGGED));
    }

    #[test]
    fn keywords_are_letters_named_in_dovecot_keywords() {
        let dir = support::temp_dir();
        let registry = Arc::new(Registry::default());
        let account = Account::open(dir.path().to_path_buf(), Arc::clone(&registry)).unwrap();
        fs::write(dir.path().join("cur/1.a.test:2,S"), "Subject: a\r\n\r\n").unwrap();
        let inbox = account.folder(&Mailbox::Inbox).unwrap();
        let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        {
            let mut f = inbox.lock().unwrap();
            assert!(
                f.set_info(1, Flags::SEEN, Some(&words(&["$Forwarded", "Work"])))
                    .unwrap()
            );
            assert_eq!(f.get(1).unwrap().keywords, ["$Forwarded", "Work"]);
            // Names compare without regard to case; the letters stay.
            assert!(f.set_info(1, Flags::SEEN, Some(&words(&["work"]))).unwrap());
            assert_eq!(f.get(1).unwrap().keywords, ["Work"]);
            assert_eq!(f.defined_keywords(), ["$Forwarded", "Work"]);
            // A flag change keeps the keywords.
            assert!(f.set_flags(1, Flags::FLAGGED).unwrap());
            assert_eq!(f.get(1).unwrap().keywords, ["Work"]);
        }
        assert_eq!(names_in(&dir.path().join("cur")), ["1.a.test:2,Fb"]);
        assert_eq!(
            fs::read_to_string(dir.path().join("dovecot-keywords")).unwrap(),
            "0 $Forwarded\n1 Work\n"
        );
        // Read back by a new process.
        let again = Registry::default().open(dir.path()).unwrap();
        let message = again.lock().unwrap().get(1).unwrap().clone();
        assert_eq!(message.keywords, ["Work"]);
        // SEARCH KEYWORD / UNKEYWORD.
        let scope = Scope {
            exists: 1,
            max_uid: 1,
        };
        let atom = |t: &'static str| mailwire_imap::types::Atom::new(t).unwrap();
        let mut candidate = Candidate::new(&message, 1, false);
        assert!(
            candidate
                .matches_all(&[SearchKey::Keyword(atom("WORK"))], &scope)
                .unwrap()
        );
        assert!(
            candidate
                .matches_all(&[SearchKey::Unkeyword(atom("$Forwarded"))], &scope)
                .unwrap()
        );
        // A copy keeps the keyword by name, under the target's own letter.
        account.create(&Mailbox::from("Other")).unwrap();
        let other = account.folder(&Mailbox::from("Other")).unwrap();
        fs::write(dir.path().join(".Other/dovecot-keywords"), "0 Home\n").unwrap();
        let mut o = other.lock().unwrap();
        o.rescan(false).unwrap();
        let uid = o.add_copy(&message, message.flags).unwrap();
        assert_eq!(o.get(uid).unwrap().keywords, ["Work"]);
        assert!(
            o.get(uid)
                .unwrap()
                .path
                .to_string_lossy()
                .ends_with(":2,Fb")
        );
        assert_eq!(o.defined_keywords(), ["Home", "Work"]);
    }

    #[test]
    fn another_readers_renames_and_removals_are_survived() {
        let dir = support::temp_dir();
        let root = dir.path();
        maildir_at(root);
        fs::write(root.join("cur/100.a.test:2,"), "a").unwrap();
        fs::write(root.join("cur/200.b.test:2,"), "b").unwrap();
        let folder = Registry::default().open(root).unwrap();
        let mut f = folder.lock().unwrap();
        // Renamed behind our back: found again, then renamed by us.
        fs::rename(
            root.join("cur/100.a.test:2,"),
            root.join("cur/100.a.test:2,S"),
        )
        .unwrap();
        assert!(f.set_flags(1, Flags::FLAGGED).unwrap());
        assert_eq!(
            names_in(&root.join("cur")),
            ["100.a.test:2,F", "200.b.test:2,"]
        );
        // Removed behind our back: the message is gone, no error.
        fs::remove_file(root.join("cur/200.b.test:2,")).unwrap();
        assert!(!f.set_flags(2, Flags::SEEN).unwrap());
        assert!(f.get(2).is_none());
    }

    #[test]
    fn a_mailbox_made_again_gets_a_new_uidvalidity() {
        let dir = support::temp_dir();
        let account = Account::open(dir.path().to_path_buf(), Arc::default()).unwrap();
        let name = Mailbox::from("Again");
        account.create(&name).unwrap();
        let first = account.folder(&name).unwrap().lock().unwrap().uid_validity;
        account.delete(&name).unwrap();
        account.create(&name).unwrap();
        let second = account.folder(&name).unwrap().lock().unwrap().uid_validity;
        assert_ne!(first, second);
    }

    #[test]
    fn a_copy_keeps_the_octets_and_gets_the_next_uid_of_its_folder() {
        let dir = support::temp_dir();
        let registry = Arc::new(Registry::default());
        let account = Account::open(dir.path().to_path_buf(), Arc::clone(&registry)).unwrap();
        fs::write(dir.path().join("new/1.x.test"), "Subject: x\nbody\n").unwrap();
        account.create(&Mailbox::from("Saved")).unwrap();
        let inbox = account.folder(&Mailbox::Inbox).unwrap();
        let saved = account.folder(&Mailbox::from("Saved")).unwrap();
        let message = inbox.lock().unwrap().get(1).unwrap().clone();
        // Sizes: LF line endings count as CRLF on the wire.
        assert_eq!((message.file_size, message.wire_size), (16, 18));
        assert!(!message.is_clean());
        let uid = saved
            .lock()
            .unwrap()
            .add_copy(&message, Flags::ANSWERED)
            .unwrap();
        assert_eq!(uid, 1);
        let s = saved.lock().unwrap();
        let copy = s.get(1).unwrap();
        assert_eq!(fs::read(&copy.path).unwrap(), b"Subject: x\nbody\n");
        assert_eq!(copy.wire_size, 18);
        assert!(copy.path.to_string_lossy().ends_with(":2,R"));
    }

    #[test]
    fn mailbox_names_map_to_maildir_plus_plus_folders() {
        let dir = support::temp_dir();
        let account = Account::open(dir.path().to_path_buf(), Arc::default()).unwrap();
        assert_eq!(account.dir_of(&Mailbox::from("inbox")).unwrap(), dir.path());
        assert_eq!(
            account.dir_of(&Mailbox::from("Work/2024")).unwrap(),
            dir.path().join(".Work.2024")
        );
        for bad in ["a..b", ".a", "a*", "%", "a\\b", ""] {
            assert!(account.dir_of(&Mailbox::from(bad)).is_none(), "{bad}");
        }
        account.create(&Mailbox::from("Work")).unwrap();
        account.create(&Mailbox::from("Work.2024")).unwrap();
        assert!(matches!(
            account.create(&Mailbox::from("Work")),
            Err(StoreError::Exists)
        ));
        assert!(dir.path().join(".Work/maildirfolder").exists());
        assert_eq!(account.names().unwrap(), ["INBOX", "Work", "Work.2024"]);
        // RENAME takes the levels below along (RFC 3501 6.3.5).
        account
            .rename(&Mailbox::from("Work"), &Mailbox::from("Old"))
            .unwrap();
        assert_eq!(account.names().unwrap(), ["INBOX", "Old", "Old.2024"]);
        assert!(matches!(
            account.rename(&Mailbox::from("Old"), &Mailbox::from("Old/Sub")),
            Err(StoreError::Refused(_))
        ));
        assert!(matches!(
            account.delete(&Mailbox::Inbox),
            Err(StoreError::Refused(_))
        ));
        account.delete(&Mailbox::from("Old")).unwrap();
        assert!(matches!(
            account.folder(&Mailbox::from("Old")),
            Err(StoreError::NotFound)
        ));
        assert_eq!(account.names().unwrap(), ["INBOX", "Old.2024"]);
    }

    #[test]
    fn list_patterns_follow_rfc_3501_section_6_3_8() {
        assert!(list_matches(b"*", b"INBOX"));
        assert!(list_matches(b"*", b"a.b.c"));
        assert!(list_matches(b"%", b"Work"));
        assert!(!list_matches(b"%", b"Work.2024"));
        assert!(list_matches(b"Work.%", b"Work.2024"));
        assert!(list_matches(b"W*4", b"Work.2024"));
        assert!(!list_matches(b"Work", b"Work.2024"));
        assert!(list_matches(b"inbox", b"INBOX"));
        assert!(!list_matches(b"work", b"Work"));
    }

    #[test]
    fn the_wire_converter_matches_the_wire_size_at_every_split() {
        let input = b"a\nb\r\nc\rd\r\r\n\ne";
        let mut whole = Vec::new();
        let mut conv = WireConverter::default();
        conv.feed(input, &mut whole);
        conv.finish(&mut whole);
        assert_eq!(whole, b"a\r\nb\r\nc\r\nd\r\n\r\n\r\ne\r\n");
        let mut size = maildir::WireSize::default();
        size.feed(input);
        assert_eq!(size.finish(), whole.len() as u64);
        for at in 0..=input.len() {
            let mut out = Vec::new();
            let mut conv = WireConverter::default();
            conv.feed(&input[..at], &mut out);
            conv.feed(&input[at..], &mut out);
            conv.finish(&mut out);
            assert_eq!(out, whole, "split at {at}");
        }
    }

    const MULTIPART: &[u8] = b"From: \"Doe, Jane\" <jane@example.org>\r\n\
To: team: a@example.org, b@example.org;\r\n\
Subject: =?utf-8?q?hi?=\r\n\
Date: Sat, 29 Feb 2020 23:30:00 -0500\r\n\
Content-Type: multipart/alternative; boundary=zz\r\n\
\r\n\
--zz\r\n\
Content-Type: text/plain\r\n\
\r\n\
one\r\ntwo\r\n\
--zz\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
Subject: inner\r\n\
\r\n\
inner body\r\n\
--zz--\r\n";

    fn loaded(bytes: &[u8]) -> (support::TempDir, Loaded) {
        let dir = support::temp_dir();
        maildir_at(dir.path());
        fs::write(dir.path().join("cur/1.m.test:2,"), bytes).unwrap();
        let folder = Registry::default().open(dir.path()).unwrap();
        let message = folder.lock().unwrap().get(1).unwrap().clone();
        let loaded = Loaded::read(&message).unwrap();
        (dir, loaded)
    }

    fn section(part: &[u32], text: Option<SectionText<'static>>) -> Section<'static> {
        Section {
            part: part.iter().map(|&n| NonZeroU32::new(n).unwrap()).collect(),
            text,
        }
    }

    fn bytes(body: Body) -> Vec<u8> {
        match body {
            Body::Bytes(bytes) => bytes,
            Body::Range { .. } => panic!("a range for a small message"),
        }
    }

    #[test]
    fn sections_of_a_multipart_follow_rfc_3501_section_6_4_5() {
        let (_dir, m) = loaded(MULTIPART);
        assert!(m.whole);
        assert_eq!(bytes(section_body(&m, &section(&[], None))), MULTIPART);
        assert_eq!(bytes(section_body(&m, &section(&[1], None))), b"one\r\ntwo");
        assert_eq!(
            bytes(section_body(&m, &section(&[1], Some(SectionText::Mime)))),
            b"Content-Type: text/plain\r\n\r\n"
        );
        // A message/rfc822 part: HEADER and TEXT of the message inside.
        assert_eq!(
            bytes(section_body(&m, &section(&[2], Some(SectionText::Header)))),
            b"Subject: inner\r\n\r\n"
        );
        assert_eq!(
            bytes(section_body(&m, &section(&[2], Some(SectionText::Text)))),
            b"inner body"
        );
        assert_eq!(bytes(section_body(&m, &section(&[3], None))), b"");
        let fields = SectionText::HeaderFields(vec![AString::from("subject"), AString::from("TO")]);
        assert_eq!(
            bytes(section_body(&m, &section(&[], Some(fields)))),
            b"To: team: a@example.org, b@example.org;\r\nSubject: =?utf-8?q?hi?=\r\n\r\n"
        );
        let not = SectionText::HeaderFieldsNot(vec![AString::from("content-type")]);
        let rest = bytes(section_body(&m, &section(&[], Some(not))));
        assert!(rest.starts_with(b"From:") && !rest.windows(8).any(|w| w == b"Content-"));
        // Partials <o.n>: cut at the end of the data.
        let partial = section_body(&m, &section(&[1], None)).partial(3, 100);
        assert_eq!(bytes(partial), b"\r\ntwo");
        assert_eq!(
            Body::Range { start: 10, len: 5 }.partial(2, 10),
            Body::Range { start: 12, len: 3 }
        );
        assert_eq!(
            Body::Range { start: 10, len: 5 }.partial(9, 1),
            Body::Range { start: 15, len: 0 }
        );
    }

    #[test]
    fn envelope_and_body_structure_of_a_multipart() {
        use mailwire_imap::types::{BodyStructure, Data, FetchItem, Response};
        let (_dir, m) = loaded(MULTIPART);
        let env = envelope(m.head().header());
        let seq = NonZeroU32::MIN;
        let wire = Response::Data(Data::Fetch {
            seq,
            items: vec![FetchItem::Envelope(Box::new(env))],
        })
        .to_bytes()
        .unwrap();
        // RFC 3501 7.4.2: a group as a start and an end marker; the
        // subject as written.
        assert_eq!(
            String::from_utf8(wire).unwrap(),
            "* 1 FETCH (ENVELOPE (\"Sat, 29 Feb 2020 23:30:00 -0500\" \"=?utf-8?q?hi?=\" \
             ((\"Doe, Jane\" NIL \"jane\" \"example.org\")) ((\"Doe, Jane\" NIL \"jane\" \"example.org\")) \
             ((\"Doe, Jane\" NIL \"jane\" \"example.org\")) ((NIL NIL \"team\" NIL)(NIL NIL \"a\" \"example.org\")\
             (NIL NIL \"b\" \"example.org\")(NIL NIL NIL NIL)) NIL NIL NIL NIL))\r\n"
        );
        let BodyStructure::Multipart { parts, subtype, .. } = body_structure(&m, true) else {
            panic!("a multipart");
        };
        assert_eq!(subtype.as_bytes(), b"ALTERNATIVE");
        assert_eq!(parts.len(), 2);
        let body = Response::Data(Data::Fetch {
            seq,
            items: vec![FetchItem::Body(Box::new(body_structure(&m, false)))],
        })
        .to_bytes()
        .unwrap();
        let body = String::from_utf8(body).unwrap();
        assert!(
            body.starts_with(
                "* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 8 1)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 28 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\""
            ),
            "{body}"
        );
    }

    #[test]
    fn a_large_message_is_described_from_its_header_and_its_body_is_a_range() {
        let mut big = b"Subject: big\n\n".to_vec();
        big.resize(super::imap_store::MAX_PARSED as usize + 10, b'x');
        let (_dir, m) = loaded(&big);
        assert!(!m.whole);
        assert_eq!(m.header_bytes(), b"Subject: big\r\n\r\n");
        // Two bare LFs became CRLF, and a final CRLF was added.
        let wire = big.len() as u64 + 4;
        assert_eq!(m.wire_size, wire);
        assert_eq!(
            section_body(&m, &section(&[], None)),
            Body::Range {
                start: 0,
                len: wire
            }
        );
        assert_eq!(
            section_body(&m, &section(&[1], None)),
            Body::Range {
                start: 16,
                len: wire - 16
            }
        );
        assert_eq!(
            bytes(section_body(&m, &section(&[], Some(SectionText::Header)))),
            b"Subject: big\r\n\r\n"
        );
    }

    /// A message with nesting: a multipart/mixed holding a
    /// multipart/alternative, a message/rfc822 with a multipart inside, and
    /// an attachment; preamble and epilogue; bare LF endings.
    const NESTED: &[u8] = b"From: a@example.org\n\
Subject: nested\n\
Content-Type: multipart/mixed; boundary=\"outer\"\n\
\n\
preamble line\n\
--outer\n\
Content-Type: multipart/alternative; boundary=inner\n\
\n\
--inner\n\
Content-Type: text/plain; charset=utf-8\n\
\n\
plain one\n\
plain two\n\
--inner\n\
Content-Type: text/html\n\
\n\
<p>html</p>\n\
--inner--\n\
--outer\n\
Content-Type: message/rfc822\n\
Content-Description: forwarded\n\
\n\
From: b@example.org\n\
Subject: inside\n\
Content-Type: multipart/mixed; boundary=deep\n\
\n\
--deep\n\
\n\
deep text\n\
--deep--\n\
--outer\n\
Content-Type: application/octet-stream; name=x\n\
Content-Disposition: attachment; filename=x\n\
Content-Transfer-Encoding: base64\n\
\n\
AAEC\n\
AwQF\n\
--outer--   \n\
epilogue\n";

    /// The located parts of a message give what the parser of the whole
    /// message gives: the same BODYSTRUCTURE and the same section octets.
    #[test]
    fn located_parts_match_the_parsed_message() {
        use super::imap_store::scan_tree;
        for (name, raw) in [("nested", NESTED), ("multipart", MULTIPART)] {
            let (dir, whole) = loaded(raw);
            assert!(whole.whole);
            let path = fs::read_dir(dir.path().join("cur"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            let tree = scan_tree(&mut fs::File::open(&path).unwrap()).unwrap();
            assert_eq!(tree.end, whole.wire_size, "{name}");
            let located = Loaded {
                bytes: whole.header_bytes().to_vec(),
                whole: false,
                header_len: whole.header_len,
                wire_size: whole.wire_size,
                tree: Some(tree),
            };
            assert_eq!(
                body_structure(&located, true),
                body_structure(&whole, true),
                "{name}"
            );
            let resolve = |body: Body| match body {
                Body::Bytes(bytes) => bytes,
                Body::Range { start, len } => {
                    whole.bytes[start as usize..(start + len) as usize].to_vec()
                }
            };
            let paths: &[&[u32]] = &[&[1], &[2], &[3], &[1, 1], &[1, 2], &[2, 1], &[4], &[1, 3]];
            let texts = [
                None,
                Some(SectionText::Mime),
                Some(SectionText::Header),
                Some(SectionText::Text),
                Some(SectionText::HeaderFields(vec![AString::from("subject")])),
            ];
            for path in paths {
                for text in &texts {
                    let section = section(path, text.clone());
                    assert_eq!(
                        String::from_utf8_lossy(&resolve(section_body(&located, &section))),
                        String::from_utf8_lossy(&resolve(section_body(&whole, &section))),
                        "{name} {path:?} {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn search_keys_follow_rfc_3501_section_6_4_4() {
        let (dir, _) = loaded(MULTIPART);
        let folder = Registry::default().open(dir.path()).unwrap();
        let mut message = folder.lock().unwrap().get(1).unwrap().clone();
        message.flags = Flags::FLAGGED;
        message.mtime =
            system_time(&DateTime::new(Date::new(2021, 3, 4).unwrap(), 12, 0, 0, 0).unwrap());
        let scope = Scope {
            exists: 5,
            max_uid: 9,
        };
        let matches = |keys: &[SearchKey<'_>], recent: bool| {
            Candidate::new(&message, 2, recent)
                .matches_all(keys, &scope)
                .unwrap()
        };
        let date = |y, m, d| Date::new(y, m, d).unwrap();
        let s = |t: &'static str| AString::from(t);
        assert!(matches(
            &[SearchKey::All, SearchKey::Flagged, SearchKey::Unseen],
            false
        ));
        assert!(!matches(&[SearchKey::Seen], false));
        assert!(matches(&[SearchKey::New], true) && !matches(&[SearchKey::New], false));
        assert!(matches(&[SearchKey::Old], false));
        assert!(matches(&[SearchKey::From(s("JANE@example"))], false));
        assert!(matches(&[SearchKey::To(s("b@example.org"))], false));
        assert!(!matches(&[SearchKey::Cc(s("a"))], false));
        // Decoded too: the subject is an encoded word for "hi".
        assert!(matches(&[SearchKey::Subject(s("HI"))], false));
        assert!(matches(
            &[SearchKey::Header(s("content-type"), s("alternative"))],
            false
        ));
        assert!(matches(&[SearchKey::Body(s("INNER body"))], false));
        assert!(!matches(&[SearchKey::Body(s("Subject: =?utf"))], false));
        assert!(matches(&[SearchKey::Text(s("Subject: =?utf"))], false));
        assert!(matches(&[SearchKey::On(date(2021, 3, 4))], false));
        assert!(matches(
            &[
                SearchKey::Since(date(2021, 3, 4)),
                SearchKey::Before(date(2021, 3, 5))
            ],
            false
        ));
        assert!(!matches(&[SearchKey::Before(date(2021, 3, 4))], false));
        // SENT*: the date as written in the Date: field.
        assert!(matches(&[SearchKey::SentOn(date(2020, 2, 29))], false));
        assert!(matches(&[SearchKey::SentBefore(date(2020, 3, 1))], false));
        assert!(!matches(&[SearchKey::SentSince(date(2020, 3, 1))], false));
        let size = message.wire_size;
        assert!(matches(
            &[SearchKey::Larger(size - 1), SearchKey::Smaller(size + 1)],
            false
        ));
        assert!(!matches(&[SearchKey::Larger(size)], false));
        assert!(matches(
            &[SearchKey::Uid(SequenceSet::new("1").unwrap())],
            false
        ));
        assert!(matches(
            &[SearchKey::SequenceSet(SequenceSet::new("2:*").unwrap())],
            false
        ));
        assert!(!matches(
            &[SearchKey::SequenceSet(SequenceSet::new("3:*").unwrap())],
            false
        ));
        let not_flagged = SearchKey::Not(Box::new(SearchKey::Flagged));
        assert!(!matches(std::slice::from_ref(&not_flagged), false));
        assert!(matches(
            &[SearchKey::Or(
                Box::new(not_flagged),
                Box::new(SearchKey::And(vec![
                    SearchKey::Unanswered,
                    SearchKey::Undeleted,
                ]))
            )],
            false
        ));
    }

    #[test]
    fn dates_convert_between_file_times_and_imap() {
        assert_eq!(
            internal_date(UNIX_EPOCH).to_string(),
            "\" 1-Jan-1970 00:00:00 +0000\""
        );
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_723);
        assert_eq!(
            internal_date(leap).to_string(),
            "\"29-Feb-2000 01:02:03 +0000\""
        );
        // A zone is taken off: 10:00 +0200 is 08:00 UTC.
        let local = DateTime::new(Date::new(2020, 1, 1).unwrap(), 10, 0, 0, 120).unwrap();
        assert_eq!(
            internal_date(system_time(&local)).to_string(),
            "\" 1-Jan-2020 08:00:00 +0000\""
        );
    }
}
