//! The shared types and the encoder's choices: string forms, refusals,
//! literal modes, mailbox names, flags, sets, dates, capabilities.

use std::borrow::Cow;

use mailwire_imap::encode::{EncodeError, LiteralMode};
use mailwire_imap::types::*;

fn login(user: &[u8]) -> Command<'_> {
    Command {
        tag: Tag::new("a").unwrap(),
        body: CommandBody::Login {
            username: AString::from(user),
            password: Secret::new(AString::from("pw")),
        },
    }
}

#[test]
fn the_encoder_picks_atom_quoted_or_literal() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"fred", b"a LOGIN fred pw\r\n"),
        (b"a]b", b"a LOGIN a]b pw\r\n"),
        (b"", b"a LOGIN \"\" pw\r\n"),
        (b"two words", b"a LOGIN \"two words\" pw\r\n"),
        (b"q\"b\\s", b"a LOGIN \"q\\\"b\\\\s\" pw\r\n"),
        (b"NIL", b"a LOGIN NIL pw\r\n"),
        (
            b"line\r\nA1 DELETE INBOX",
            b"a LOGIN {21}\r\nline\r\nA1 DELETE INBOX pw\r\n",
        ),
        ("jörg".as_bytes(), b"a LOGIN {5}\r\nj\xc3\xb6rg pw\r\n"),
    ];
    for (user, wire) in cases {
        assert_eq!(
            login(user).to_bytes().unwrap(),
            *wire,
            "{:?}",
            String::from_utf8_lossy(user)
        );
    }
    // A long printable value goes as a literal rather than a long quoted.
    let long = vec![b' '; 2000];
    assert!(
        login(&long)
            .to_bytes()
            .unwrap()
            .starts_with(b"a LOGIN {2000}\r\n")
    );
}

#[test]
fn nul_is_refused_outside_a_literal8() {
    assert_eq!(
        login(b"a\0b").to_bytes(),
        Err(EncodeError::ForbiddenByte {
            field: "literal",
            byte: 0
        })
    );
    let append = |binary| Command {
        tag: Tag::new("a").unwrap(),
        body: CommandBody::Append {
            mailbox: Mailbox::Inbox,
            messages: vec![AppendMessage {
                flags: vec![],
                date: None,
                data: Cow::Borrowed(b"\0"),
                binary,
            }],
        },
    };
    assert!(append(false).to_bytes().is_err());
    assert_eq!(
        append(true).to_bytes().unwrap(),
        b"a APPEND INBOX ~{1}\r\n\0\r\n"
    );
}

#[test]
fn empty_lists_where_the_grammar_wants_items_are_refused() {
    let cmd = |body| Command {
        tag: Tag::new("a").unwrap(),
        body,
    };
    for body in [
        CommandBody::Enable {
            capabilities: vec![],
        },
        CommandBody::Status {
            mailbox: Mailbox::Inbox,
            items: vec![],
        },
        CommandBody::Search {
            uid: false,
            returns: None,
            charset: None,
            criteria: vec![],
        },
        CommandBody::Fetch {
            uid: false,
            set: SequenceSet::new("1").unwrap(),
            attributes: FetchAttributes::List(vec![]),
            changed_since: None,
            vanished: false,
        },
        CommandBody::Append {
            mailbox: Mailbox::Inbox,
            messages: vec![],
        },
        CommandBody::Search {
            uid: false,
            returns: None,
            charset: None,
            criteria: vec![SearchKey::And(vec![])],
        },
    ] {
        let err = cmd(body).to_bytes().unwrap_err();
        assert!(
            matches!(
                err,
                EncodeError::Invalid {
                    reason: "empty",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn literal_modes_and_waits() {
    let cmd = login(b"a\r\nb");
    let sync = cmd.encode_with(LiteralMode::Sync).unwrap();
    assert_eq!(sync.waits, [13]);
    let segments: Vec<&[u8]> = sync.segments().collect();
    assert_eq!(segments, [&b"a LOGIN {4}\r\n"[..], b"a\r\nb pw\r\n"]);
    let plus = cmd.encode_with(LiteralMode::NonSync).unwrap();
    assert_eq!(plus.bytes, b"a LOGIN {4+}\r\na\r\nb pw\r\n");
    assert!(plus.waits.is_empty());
    let minus = cmd.encode_with(LiteralMode::NonSyncUpTo4096).unwrap();
    assert_eq!(minus.bytes, plus.bytes);
    let big = vec![b'\n'; 5000];
    let minus = login(&big)
        .encode_with(LiteralMode::NonSyncUpTo4096)
        .unwrap();
    assert!(minus.bytes.starts_with(b"a LOGIN {5000}\r\n"));
    assert_eq!(minus.waits.len(), 1);
}

#[test]
fn rfc3501_5_1_3_modified_utf7() {
    // The example of RFC 3501 section 5.1.3.
    assert_eq!(
        encode_utf7("~peter/mail/台北/日本語"),
        "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
    );
    assert_eq!(
        decode_utf7(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").as_deref(),
        Some("~peter/mail/台北/日本語")
    );
    // Not modified UTF-7: an unterminated shift, "/" in base64, a shifted
    // printable character, 8-bit octets, an empty shift other than "&-".
    for bad in [
        &b"&U,BTFw"[..],
        b"&U/BTFw-",
        b"&AGE-",
        b"caf\xc3\xa9",
        b"&&-",
    ] {
        assert_eq!(decode_utf7(bad), None, "{:?}", String::from_utf8_lossy(bad));
    }
    // A name in modified UTF-7 round-trips through Mailbox.
    let mailbox = Mailbox::from_utf8("Корзина");
    assert_eq!(mailbox.to_utf8().as_deref(), Some("Корзина"));
    assert_eq!(Mailbox::from_utf8("INBOX"), Mailbox::Inbox);
}

#[test]
fn flags_tags_atoms() {
    assert_eq!(Flag::parse("\\DELETED"), Some(Flag::Deleted));
    assert_eq!(Flag::parse("\\"), None);
    assert_eq!(Flag::parse("a b"), None);
    assert_eq!(Flag::Extension(Atom::new("X").unwrap()).to_string(), "\\X");
    assert_eq!(FlagPerm::parse("\\*"), Some(FlagPerm::Wildcard));
    for bad in ["", "a+b", "a b", "a*", "a%", "a(", "a\"", "a{", "é"] {
        assert!(Tag::new(bad).is_err(), "{bad:?}");
    }
    assert!(Tag::new("a]").is_ok());
    assert!(Atom::new("a]").is_err());
}

#[test]
fn sequence_sets() {
    let set = SequenceSet::new("1,3:5,10:*").unwrap();
    assert!(set.contains(4, 20) && set.contains(10, 20) && set.contains(20, 20));
    assert!(!set.contains(2, 20) && !set.contains(21, 20));
    assert!(SequenceSet::new("*").unwrap().contains(7, 7));
    assert!(SequenceSet::new("4294967295").is_ok());
    for bad in [
        "",
        "0",
        "1:",
        ":1",
        "1,,2",
        "4294967296",
        "1:2:3",
        "01",
        "$,1",
    ] {
        assert!(SequenceSet::new(bad).is_err(), "{bad:?}");
    }
    let huge = SequenceSet::new("1:4294967295").unwrap();
    assert_eq!(huge.ranges().count(), 1, "ranges are never expanded");
}

#[test]
fn dates() {
    let dt = DateTime::new(Date::new(2024, 12, 31).unwrap(), 23, 59, 60, 0).unwrap();
    assert_eq!(dt.to_string(), "\"31-Dec-2024 23:59:60 +0000\"");
    assert!(DateTime::new(Date::new(2024, 1, 1).unwrap(), 24, 0, 0, 0).is_err());
    assert!(DateTime::new(Date::new(2024, 1, 1).unwrap(), 0, 0, 0, 6000).is_err());
    assert!(Date::new(2024, 0, 1).is_err() && Date::new(2024, 1, 32).is_err());
}

#[test]
fn capabilities() {
    assert_eq!(Capability::parse("IMAP4REV2"), Some(Capability::Imap4Rev2));
    assert_eq!(Capability::parse("literal+"), Some(Capability::LiteralPlus));
    assert_eq!(
        Capability::parse("auth=xoauth2"),
        Some(Capability::Auth(Atom::new("xoauth2").unwrap()))
    );
    assert_eq!(
        Capability::parse("THREAD=REFERENCES"),
        Some(Capability::Thread(Atom::new("REFERENCES").unwrap()))
    );
    assert_eq!(
        Capability::parse("AUTH="),
        Some(Capability::Other(Atom::new("AUTH=").unwrap()))
    );
    assert_eq!(Capability::parse("a b"), None);
    assert_eq!(Capability::Utf8Accept.to_string(), "UTF8=ACCEPT");
}

#[test]
fn a_streamed_append_head_matches_the_whole_command() {
    use mailwire_imap::encode::{encode_append_head, encode_append_next};
    let date = DateTime::new(Date::new(1994, 2, 7).unwrap(), 21, 52, 25, -480).unwrap();
    let whole = Command {
        tag: Tag::new("A1").unwrap(),
        body: CommandBody::Append {
            mailbox: Mailbox::from("a\r\nb"),
            messages: vec![
                AppendMessage {
                    flags: vec![Flag::Seen],
                    date: Some(date),
                    data: Cow::Borrowed(b"hello"),
                    binary: false,
                },
                AppendMessage {
                    flags: vec![],
                    date: None,
                    data: Cow::Borrowed(b"\0x"),
                    binary: true,
                },
            ],
        },
    };
    for mode in [
        LiteralMode::Sync,
        LiteralMode::NonSync,
        LiteralMode::NonSyncUpTo4096,
    ] {
        let expect = whole.encode_with(mode).unwrap();
        let head = encode_append_head(
            &Tag::new("A1").unwrap(),
            &Mailbox::from("a\r\nb"),
            &[Flag::Seen],
            Some(date),
            5,
            false,
            mode,
        )
        .unwrap();
        let next = encode_append_next(&[], None, 2, true, mode);
        let mut bytes = head.bytes.clone();
        let mut waits = head.waits.clone();
        bytes.extend_from_slice(b"hello");
        waits.extend(next.waits.iter().map(|w| w + bytes.len()));
        bytes.extend_from_slice(&next.bytes);
        bytes.extend_from_slice(b"\0x\r\n");
        assert_eq!(bytes, expect.bytes);
        assert_eq!(waits, expect.waits);
    }
}
