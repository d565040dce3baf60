//! Known-answer tests: the client commands of the RFCs' examples, each
//! parsed one-shot, by the decoder whole and byte by byte, and re-encoded
//! (see `common::parse_ok`). Section numbers cite where the example is.

mod common;

use core::num::NonZeroU32;
use std::borrow::Cow;

use common::{parse_err, parse_ok};
use mailwire_imap::parse::CommandErrorKind;
use mailwire_imap::types::*;

fn body(input: &[u8]) -> CommandBody<'_> {
    parse_ok(input).body
}

fn a(s: &str) -> AString<'_> {
    AString::from(s)
}

fn set(s: &str) -> SequenceSet<'_> {
    SequenceSet::new(s).unwrap()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

// RFC 3501 section 6.1: any state.

#[test]
fn rfc3501_6_1_capability_noop_logout() {
    let cmd = parse_ok(b"abcd CAPABILITY\r\n");
    assert_eq!(cmd.tag.as_str(), "abcd");
    assert_eq!(cmd.body, CommandBody::Capability);
    assert_eq!(body(b"a002 NOOP\r\n"), CommandBody::Noop);
    assert_eq!(body(b"A023 LOGOUT\r\n"), CommandBody::Logout);
    // Command names are case-insensitive.
    assert_eq!(body(b"a1 logout\r\n"), CommandBody::Logout);
}

// RFC 3501 section 6.2: not authenticated state.

#[test]
fn rfc3501_6_2_1_starttls() {
    assert_eq!(body(b"a002 STARTTLS\r\n"), CommandBody::StartTls);
}

#[test]
fn rfc3501_6_2_2_authenticate() {
    assert_eq!(
        body(b"A001 AUTHENTICATE GSSAPI\r\n"),
        CommandBody::Authenticate {
            mechanism: Atom::new("GSSAPI").unwrap(),
            initial: None
        }
    );
}

#[test]
fn rfc4959_sasl_ir_initial_response() {
    // RFC 4959 section 3.
    let CommandBody::Authenticate { mechanism, initial } =
        body(b"a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n")
    else {
        panic!()
    };
    assert!(mechanism.eq_ignore_case("plain"));
    let Some(InitialResponse::Base64(data)) = initial else {
        panic!()
    };
    assert_eq!(*data.expose(), "dGVzdAB0ZXN0AHRlc3Q=");
    assert!(!format!("{:?}", InitialResponse::Base64(data)).contains("dGVz"));
    assert_eq!(
        body(b"a02 AUTHENTICATE EXTERNAL =\r\n"),
        CommandBody::Authenticate {
            mechanism: Atom::new("EXTERNAL").unwrap(),
            initial: Some(InitialResponse::Empty)
        }
    );
    assert!(matches!(
        parse_err(b"a03 AUTHENTICATE PLAIN abc\r\n"),
        CommandErrorKind::Syntax(_)
    ));
}

#[test]
fn rfc3501_6_2_3_login() {
    let CommandBody::Login { username, password } = body(b"a001 LOGIN SMITH SESAME\r\n") else {
        panic!()
    };
    assert_eq!(username, a("SMITH"));
    assert_eq!(password.expose(), &a("SESAME"));
    let cmd = parse_ok(b"a001 LOGIN SMITH SESAME\r\n");
    assert!(!format!("{cmd:?}").contains("SESAME"), "password redacted");
}

#[test]
fn rfc9051_4_3_login_with_literals() {
    // RFC 9051 section 4.3 (a synchronizing literal each) and RFC 7888
    // section 3 (LITERAL+).
    for input in [
        &b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n"[..],
        b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
    ] {
        let CommandBody::Login { username, password } = body(input) else {
            panic!()
        };
        assert_eq!(username.as_bytes(), b"FRED FOOBAR");
        assert_eq!(password.expose().as_bytes(), b"fat man");
    }
}

#[test]
fn quoted_strings_unescape() {
    let CommandBody::Login { username, password } =
        body(b"a LOGIN \"fred \\\"the\\\" \\\\ man\" \"\"\r\n")
    else {
        panic!()
    };
    assert_eq!(username.as_bytes(), b"fred \"the\" \\ man");
    assert_eq!(password.expose().as_bytes(), b"");
}

// RFC 3501 section 6.3: authenticated state.

#[test]
fn rfc3501_6_3_1_select_and_6_3_2_examine() {
    assert_eq!(
        body(b"A142 SELECT INBOX\r\n"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: vec![]
        }
    );
    assert_eq!(
        body(b"A932 EXAMINE blurdybloop\r\n"),
        CommandBody::Examine {
            mailbox: Mailbox::Other(a("blurdybloop")),
            params: vec![]
        }
    );
    // INBOX is case-insensitive (RFC 3501 section 5.1).
    assert_eq!(
        body(b"a SELECT \"iNbOx\"\r\n"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: vec![]
        }
    );
}

#[test]
fn rfc7162_select_condstore_and_qresync() {
    // RFC 7162 section 3.1.8 and 3.2.5.1.
    assert_eq!(
        body(b"a SELECT INBOX (CONDSTORE)\r\n"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::CondStore]
        }
    );
    assert_eq!(
        body(b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::QResync {
                uid_validity: 67890007,
                modseq: 20050715194045000,
                known_uids: Some(set("41,43:211,214:541")),
                seq_match: None
            }]
        }
    );
    let CommandBody::Select { params, .. } = body(
        b"B02 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
    ) else {
        panic!()
    };
    let [
        SelectParam::QResync {
            seq_match: Some((seqs, uids)),
            ..
        },
    ] = params.as_slice()
    else {
        panic!()
    };
    assert_eq!(seqs.as_str(), "5000,7500,9000,9990:9999");
    assert_eq!(uids.ranges().count(), 13);
}

#[test]
fn rfc3501_6_3_3_create_6_3_4_delete_6_3_5_rename() {
    assert_eq!(
        body(b"A003 CREATE owatagusiam/\r\n"),
        CommandBody::Create {
            mailbox: Mailbox::from("owatagusiam/")
        }
    );
    assert_eq!(
        body(b"A685 DELETE foo/bar\r\n"),
        CommandBody::Delete {
            mailbox: Mailbox::from("foo/bar")
        }
    );
    assert_eq!(
        body(b"Z433 RENAME INBOX old-mail\r\n"),
        CommandBody::Rename {
            from: Mailbox::Inbox,
            to: Mailbox::from("old-mail")
        }
    );
}

#[test]
fn rfc3501_6_3_6_subscribe_6_3_7_unsubscribe() {
    assert_eq!(
        body(b"A002 SUBSCRIBE #news.comp.mail.mime\r\n"),
        CommandBody::Subscribe {
            mailbox: Mailbox::from("#news.comp.mail.mime")
        }
    );
    assert_eq!(
        body(b"A002 UNSUBSCRIBE #news.comp.mail.mime\r\n"),
        CommandBody::Unsubscribe {
            mailbox: Mailbox::from("#news.comp.mail.mime")
        }
    );
}

fn list(
    selection: Vec<ListSelect<'static>>,
    reference: &'static str,
    patterns: &[&'static str],
    returns: Option<Vec<ListReturn<'static>>>,
) -> CommandBody<'static> {
    CommandBody::List {
        selection,
        reference: Mailbox::from(reference),
        patterns: patterns.iter().map(|p| AString::from(*p)).collect(),
        returns,
    }
}

#[test]
fn rfc3501_6_3_8_list() {
    assert_eq!(
        body(b"A101 LIST \"\" \"\"\r\n"),
        list(vec![], "", &[""], None)
    );
    assert_eq!(
        body(b"A682 LIST \"\" *\r\n"),
        list(vec![], "", &["*"], None)
    );
    assert_eq!(
        body(b"A102 LIST #news.comp.mail.misc \"\"\r\n"),
        list(vec![], "#news.comp.mail.misc", &[""], None)
    );
    assert_eq!(
        body(b"A202 LIST ~/Mail/ %\r\n"),
        list(vec![], "~/Mail/", &["%"], None)
    );
    assert_eq!(
        body(b"A687 LIST \"\" foo/%\r\n"),
        list(vec![], "", &["foo/%"], None)
    );
}

#[test]
fn rfc9051_6_3_9_list_extended() {
    // RFC 9051 section 6.3.9.7 (RFC 5258 section 5).
    assert_eq!(
        body(b"A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"),
        list(vec![ListSelect::Subscribed], "", &["*"], None)
    );
    assert_eq!(
        body(b"A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n"),
        list(vec![], "", &["%"], Some(vec![ListReturn::Children]))
    );
    assert_eq!(
        body(b"A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n"),
        list(
            vec![ListSelect::Remote, ListSelect::Subscribed],
            "",
            &["*"],
            None
        )
    );
    assert_eq!(
        body(b"A06 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n"),
        list(
            vec![ListSelect::Subscribed, ListSelect::RecursiveMatch],
            "",
            &["%"],
            Some(vec![ListReturn::Children])
        )
    );
    assert_eq!(
        body(b"BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n"),
        list(vec![], "", &["INBOX", "Drafts", "Sent/%"], None)
    );
}

#[test]
fn rfc5819_list_status_and_rfc6154_special_use() {
    // RFC 5819 section 2, RFC 6154 section 5.1.
    assert_eq!(
        body(b"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n"),
        list(
            vec![],
            "",
            &["%"],
            Some(vec![ListReturn::Status(vec![
                StatusItem::Messages,
                StatusItem::Unseen
            ])])
        )
    );
    assert_eq!(
        body(b"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n"),
        list(vec![], "", &["%"], Some(vec![ListReturn::SpecialUse]))
    );
    assert_eq!(
        body(b"t3 LIST (SPECIAL-USE) \"\" \"*\"\r\n"),
        list(vec![ListSelect::SpecialUse], "", &["*"], None)
    );
}

#[test]
fn rfc3501_6_3_9_lsub() {
    assert_eq!(
        body(b"A002 LSUB \"#news.\" \"comp.mail.*\"\r\n"),
        CommandBody::Lsub {
            reference: Mailbox::from("#news."),
            pattern: a("comp.mail.*")
        }
    );
}

#[test]
fn rfc2342_namespace() {
    assert_eq!(body(b"A001 NAMESPACE\r\n"), CommandBody::Namespace);
}

#[test]
fn rfc3501_6_3_10_status() {
    assert_eq!(
        body(b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n"),
        CommandBody::Status {
            mailbox: Mailbox::from("blurdybloop"),
            items: vec![StatusItem::UidNext, StatusItem::Messages]
        }
    );
    let CommandBody::Status { items, .. } = body(
        b"a STATUS x (MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT DELETED SIZE HIGHESTMODSEQ)\r\n",
    ) else {
        panic!()
    };
    assert_eq!(items.len(), 8);
}

const RFC3501_MESSAGE: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagusiam.org\r\n\
Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

#[test]
fn rfc3501_6_3_11_append() {
    // The RFC announces {310}; the text as printed there is 309 octets
    // with CRLF line ends, so the size is the text's own.
    let mut input = format!(
        "A003 APPEND saved-messages (\\Seen) {{{}}}\r\n",
        RFC3501_MESSAGE.len()
    )
    .into_bytes();
    input.extend_from_slice(RFC3501_MESSAGE);
    input.extend_from_slice(b"\r\n");
    let CommandBody::Append { mailbox, messages } = body(&input) else {
        panic!()
    };
    assert_eq!(mailbox, Mailbox::from("saved-messages"));
    assert_eq!(
        messages,
        [AppendMessage {
            flags: vec![Flag::Seen],
            date: None,
            data: Cow::Borrowed(RFC3501_MESSAGE),
            binary: false
        }]
    );
}

#[test]
fn rfc3502_multiappend_with_dates_and_rfc3516_literal8() {
    let mut input =
        b"A003 APPEND saved-messages (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {309}\r\n".to_vec();
    input.extend_from_slice(RFC3501_MESSAGE);
    input.extend_from_slice(b" ~{5}\r\nab\0cd ($Junk) {0}\r\n\r\n");
    let CommandBody::Append { messages, .. } = body(&input) else {
        panic!()
    };
    assert_eq!(messages.len(), 3);
    let date = messages[0].date.unwrap();
    assert_eq!(date.date(), Date::new(1994, 2, 7).unwrap());
    assert_eq!(date.time(), (21, 52, 25));
    assert_eq!(date.zone_minutes(), -480);
    assert!(messages[1].binary);
    assert_eq!(&*messages[1].data, b"ab\0cd");
    assert_eq!(
        messages[2].flags,
        [Flag::Keyword(Atom::new("$Junk").unwrap())]
    );
    assert!(messages[2].data.is_empty());
    // NUL only in a literal8.
    assert!(matches!(
        parse_err(b"a APPEND x {3}\r\na\0b\r\n"),
        CommandErrorKind::Syntax(_)
    ));
}

#[test]
fn rfc2177_idle_and_done() {
    assert_eq!(body(b"A002 IDLE\r\n"), CommandBody::Idle);
    assert_eq!(IdleDone::parse(b"DONE\r\n"), Ok(IdleDone));
}

#[test]
fn rfc5161_enable() {
    // RFC 5161 section 3.1.
    assert_eq!(
        body(b"t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n"),
        CommandBody::Enable {
            capabilities: vec![
                Capability::CondStore,
                Capability::Other(Atom::new("X-GOOD-IDEA").unwrap())
            ]
        }
    );
}

// RFC 3501 section 6.4: selected state.

#[test]
fn rfc3501_6_4_check_close_expunge_and_unselect() {
    assert_eq!(body(b"FXXZ CHECK\r\n"), CommandBody::Check);
    assert_eq!(body(b"A341 CLOSE\r\n"), CommandBody::Close);
    assert_eq!(body(b"A202 EXPUNGE\r\n"), CommandBody::Expunge);
    // RFC 3691 section 3.
    assert_eq!(body(b"A342 UNSELECT\r\n"), CommandBody::Unselect);
    // RFC 4315 section 2.1.
    assert_eq!(
        body(b"A003 UID EXPUNGE 3000:3002\r\n"),
        CommandBody::UidExpunge {
            set: set("3000:3002")
        }
    );
}

#[test]
fn rfc3501_6_4_4_search() {
    assert_eq!(
        body(b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n"),
        CommandBody::Search {
            uid: false,
            returns: None,
            charset: None,
            criteria: vec![
                SearchKey::Flagged,
                SearchKey::Since(Date::new(1994, 2, 1).unwrap()),
                SearchKey::Not(Box::new(SearchKey::From(a("Smith"))))
            ]
        }
    );
    assert_eq!(
        body(b"A283 SEARCH TEXT \"string not in mailbox\"\r\n"),
        CommandBody::Search {
            uid: false,
            returns: None,
            charset: None,
            criteria: vec![SearchKey::Text(a("string not in mailbox"))]
        }
    );
    let CommandBody::Search {
        charset, criteria, ..
    } = body(b"A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n")
    else {
        panic!()
    };
    assert_eq!(charset, Some(a("UTF-8")));
    assert_eq!(criteria, [SearchKey::Text(a("XXXXXX"))]);
}

#[test]
fn every_search_key() {
    let CommandBody::Search { criteria, uid, .. } = body(
        b"a UID SEARCH ALL ANSWERED BCC x BEFORE 1-Feb-1994 BODY y CC z DELETED DRAFT FLAGGED FROM f \
HEADER Message-ID <x@y> KEYWORD $Junk LARGER 100 NEW NOT OLD ON \"5-Mar-2000\" OR SEEN RECENT \
SENTBEFORE 1-Jan-2000 SENTON 2-Jan-2000 SENTSINCE 3-Jan-2000 SINCE 4-Jan-2000 SMALLER 5 SUBJECT s \
TEXT t TO u UID 1:* UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $Old UNSEEN 2,4:7 $ (ALL (SEEN)) \
MODSEQ \"/flags/\\\\draft\" all 620162338 MODSEQ 5 OLDER 3600 YOUNGER 60\r\n",
    ) else {
        panic!()
    };
    assert!(uid);
    assert_eq!(criteria.len(), 39);
    assert_eq!(
        criteria[35],
        SearchKey::ModSeq {
            entry: Some((a("/flags/\\draft"), EntryType::All)),
            modseq: 620162338
        }
    );
    assert_eq!(criteria[33], SearchKey::SequenceSet(SequenceSet::saved()));
    assert_eq!(
        criteria[34],
        SearchKey::And(vec![SearchKey::All, SearchKey::And(vec![SearchKey::Seen])])
    );
}

#[test]
fn rfc9051_6_4_4_esearch_return_and_save() {
    // RFC 9051 section 6.4.4 (RFC 4731 section 3.1) and 6.4.4.1 (RFC 5182).
    let CommandBody::Search { returns, .. } =
        body(b"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n")
    else {
        panic!()
    };
    assert_eq!(returns, Some(vec![SearchReturn::Min, SearchReturn::Count]));
    let CommandBody::Search { returns, .. } =
        body(b"A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n")
    else {
        panic!()
    };
    assert_eq!(returns, Some(vec![]));
    let CommandBody::Search { returns, .. } =
        body(b"A282 SEARCH RETURN (SAVE MAX ALL) FLAGGED\r\n")
    else {
        panic!()
    };
    assert_eq!(
        returns,
        Some(vec![
            SearchReturn::Save,
            SearchReturn::Max,
            SearchReturn::All
        ])
    );
    let CommandBody::Fetch { set, .. } =
        body(b"A283 FETCH $ (UID INTERNALDATE FLAGS RFC822.SIZE)\r\n")
    else {
        panic!()
    };
    assert!(set.is_saved());
}

#[test]
fn rfc3501_6_4_5_fetch() {
    let CommandBody::Fetch {
        set, attributes, ..
    } = body(b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n")
    else {
        panic!()
    };
    assert_eq!(set.as_str(), "2:4");
    assert_eq!(
        attributes,
        FetchAttributes::List(vec![
            FetchAttribute::Flags,
            FetchAttribute::BodySection {
                peek: false,
                section: Section {
                    part: vec![],
                    text: Some(SectionText::HeaderFields(vec![a("DATE"), a("FROM")]))
                },
                partial: None
            }
        ])
    );
    for (input, expect) in [
        (&b"a FETCH 1 ALL\r\n"[..], FetchAttributes::All),
        (b"a FETCH 1 fast\r\n", FetchAttributes::Fast),
        (b"a FETCH 1 FULL\r\n", FetchAttributes::Full),
        (
            b"a FETCH 1 BODYSTRUCTURE\r\n",
            FetchAttributes::List(vec![FetchAttribute::BodyStructure]),
        ),
    ] {
        let CommandBody::Fetch { attributes, .. } = body(input) else {
            panic!()
        };
        assert_eq!(attributes, expect);
    }
}

#[test]
fn every_fetch_attribute() {
    let CommandBody::Fetch { attributes: FetchAttributes::List(list), .. } = body(
        b"a FETCH 1:* (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY \
BODYSTRUCTURE UID MODSEQ BODY[] BODY.PEEK[1.2.MIME]<0.1024> BODY[HEADER.FIELDS.NOT (Received)] \
BODY[3.TEXT] BODY[4.HEADER] BINARY[1] BINARY.PEEK[1.2]<5.10> BINARY.SIZE[] BINARY.SIZE[3])\r\n",
    ) else {
        panic!()
    };
    assert_eq!(list.len(), 20);
    assert_eq!(
        list[12],
        FetchAttribute::BodySection {
            peek: true,
            section: Section {
                part: vec![nz(1), nz(2)],
                text: Some(SectionText::Mime)
            },
            partial: Some((0, nz(1024)))
        }
    );
    assert_eq!(
        list[17],
        FetchAttribute::Binary {
            peek: true,
            part: vec![nz(1), nz(2)],
            partial: Some((5, nz(10)))
        }
    );
    assert_eq!(list[18], FetchAttribute::BinarySize { part: vec![] });
    // MIME needs a part number.
    assert!(matches!(
        parse_err(b"a FETCH 1 BODY[MIME]\r\n"),
        CommandErrorKind::Syntax(_)
    ));
}

#[test]
fn rfc7162_fetch_changedsince_vanished_and_store_unchangedsince() {
    // RFC 7162 sections 3.1.4.1 and 3.2.6.
    let CommandBody::Fetch {
        uid,
        changed_since,
        vanished,
        ..
    } = body(b"s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n")
    else {
        panic!()
    };
    assert!(uid && !vanished);
    assert_eq!(changed_since, Some(12345));
    let CommandBody::Fetch {
        changed_since,
        vanished,
        ..
    } = body(b"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n")
    else {
        panic!()
    };
    assert!(vanished);
    assert_eq!(changed_since, Some(12345));
    assert_eq!(
        body(b"a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n"),
        CommandBody::Store {
            uid: true,
            set: set("6,4,8"),
            unchanged_since: Some(12121230045),
            flags: StoreFlags {
                mode: StoreMode::Add,
                silent: true,
                flags: vec![Flag::Deleted]
            }
        }
    );
}

#[test]
fn rfc3501_6_4_6_store() {
    assert_eq!(
        body(b"A003 STORE 2:4 +FLAGS (\\Deleted)\r\n"),
        CommandBody::Store {
            uid: false,
            set: set("2:4"),
            unchanged_since: None,
            flags: StoreFlags {
                mode: StoreMode::Add,
                silent: false,
                flags: vec![Flag::Deleted]
            }
        }
    );
    // Flags without parentheses, every system flag, a keyword.
    let CommandBody::Store { flags, .. } = body(
        b"a STORE 1 -FLAGS \\Seen \\answered \\Flagged \\Draft \\Deleted $Forwarded \\X-Ext\r\n",
    ) else {
        panic!()
    };
    assert_eq!(flags.mode, StoreMode::Remove);
    assert_eq!(flags.flags.len(), 7);
    assert_eq!(flags.flags[6], Flag::Extension(Atom::new("X-Ext").unwrap()));
    let CommandBody::Store { flags, .. } = body(b"a STORE 1 FLAGS ()\r\n") else {
        panic!()
    };
    assert_eq!((flags.mode, flags.flags.len()), (StoreMode::Replace, 0));
}

#[test]
fn rfc3501_6_4_7_copy_6_4_8_uid_and_rfc6851_move() {
    assert_eq!(
        body(b"A003 COPY 2:4 MEETING\r\n"),
        CommandBody::Copy {
            uid: false,
            set: set("2:4"),
            mailbox: Mailbox::from("MEETING")
        }
    );
    let CommandBody::Fetch {
        uid,
        set: s,
        attributes,
        ..
    } = body(b"A999 UID FETCH 4827313:4828442 FLAGS\r\n")
    else {
        panic!()
    };
    assert!(uid);
    assert_eq!(s.as_str(), "4827313:4828442");
    assert_eq!(
        attributes,
        FetchAttributes::List(vec![FetchAttribute::Flags])
    );
    // RFC 6851 section 4.1.
    assert_eq!(
        body(b"a UID MOVE 42:69 foo\r\n"),
        CommandBody::Move {
            uid: true,
            set: set("42:69"),
            mailbox: Mailbox::from("foo")
        }
    );
    assert_eq!(
        body(b"a MOVE 1 Archive\r\n"),
        CommandBody::Move {
            uid: false,
            set: set("1"),
            mailbox: Mailbox::from("Archive")
        }
    );
}

#[test]
fn rfc5256_sort_and_thread() {
    // RFC 5256 sections 3 and 4 examples.
    assert_eq!(
        body(b"A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n"),
        CommandBody::Sort {
            uid: false,
            criteria: vec![SortCriterion {
                reverse: false,
                key: SortKey::Subject
            }],
            charset: a("UTF-8"),
            search: vec![SearchKey::Since(Date::new(1994, 2, 1).unwrap())]
        }
    );
    let CommandBody::Sort { criteria, .. } =
        body(b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n")
    else {
        panic!()
    };
    assert_eq!(
        criteria[1],
        SortCriterion {
            reverse: true,
            key: SortKey::Date
        }
    );
    assert_eq!(
        body(b"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n"),
        CommandBody::Thread {
            uid: false,
            algorithm: Atom::new("ORDEREDSUBJECT").unwrap(),
            charset: a("UTF-8"),
            search: vec![SearchKey::Since(Date::new(2000, 3, 5).unwrap())]
        }
    );
    let CommandBody::Thread { uid, .. } =
        body(b"A284 UID THREAD REFERENCES US-ASCII TEXT \"gewp\"\r\n")
    else {
        panic!()
    };
    assert!(uid);
}

#[test]
fn rfc9208_quota() {
    // RFC 9208 sections 4.2.1, 4.2.2, 4.2.3.
    assert_eq!(
        body(b"G0001 GETQUOTA \"!partition/sda4\"\r\n"),
        CommandBody::GetQuota {
            root: a("!partition/sda4")
        }
    );
    assert_eq!(
        body(b"G0002 GETQUOTAROOT INBOX\r\n"),
        CommandBody::GetQuotaRoot {
            mailbox: Mailbox::Inbox
        }
    );
    assert_eq!(
        body(b"S0001 SETQUOTA \"\" (STORAGE 512)\r\n"),
        CommandBody::SetQuota {
            root: a(""),
            limits: vec![(Atom::new("STORAGE").unwrap(), 512)]
        }
    );
}

#[test]
fn rfc2971_id() {
    // RFC 2971 section 3.3.
    let CommandBody::Id { params: Some(params) } = body(
        b"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n",
    ) else {
        panic!()
    };
    assert_eq!(params.len(), 3);
    assert_eq!(
        params[2],
        (a("vendor"), Some(a("Pink Floyd Music Limited")))
    );
    assert_eq!(body(b"a ID NIL\r\n"), CommandBody::Id { params: None });
    let CommandBody::Id {
        params: Some(params),
    } = body(b"a ID (\"os\" NIL)\r\n")
    else {
        panic!()
    };
    assert_eq!(params, [(a("os"), None)]);
}

#[test]
fn rfc4978_compress() {
    assert_eq!(
        body(b"a COMPRESS DEFLATE\r\n"),
        CommandBody::Compress {
            algorithm: Atom::new("DEFLATE").unwrap()
        }
    );
}

#[test]
fn rfc3501_6_5_1_x_commands_are_unknown() {
    assert_eq!(parse_err(b"a442 XPIG-LATIN\r\n"), CommandErrorKind::Unknown);
    assert_eq!(parse_err(b"a FROB\r\n"), CommandErrorKind::Unknown);
    assert_eq!(parse_err(b"a UID FROB 1\r\n"), CommandErrorKind::Unknown);
}

#[test]
fn bad_commands() {
    use CommandErrorKind as K;
    for (input, kind) in [
        (&b"+a NOOP\r\n"[..], "tag"),
        (b"a NOOP extra\r\n", "CRLF"),
        (b"a SELECT\r\n", "SP"),
        (b"a FETCH 0 FLAGS\r\n", "sequence set"),
        (b"a FETCH 1 (FLAGS\r\n", "SP"),
        (b"a STORE 1 FLAGZ (\\Seen)\r\n", "FLAGS"),
        (b"a SEARCH BEFORE 31-Foo-2000\r\n", "date"),
        (b"a STATUS x (BOGUS)\r\n", "status item"),
        (b"a LOGIN \"a\rb\" c\r\n", "quoted character"),
        (b"a APPEND x (\\Seen)\r\n", "SP"),
    ] {
        match Command::parse(input) {
            Err(e) => assert_eq!(
                e.kind(),
                K::Syntax(kind),
                "{:?}",
                String::from_utf8_lossy(input)
            ),
            Ok(c) => panic!("{c:?}"),
        }
    }
    assert_eq!(parse_err(b"a NOOP"), K::Incomplete);
    assert_eq!(parse_err(b"a LOGIN {5}\r\nab"), K::Incomplete);
}

#[test]
fn rfc9051_examples_beyond_rfc3501() {
    // RFC 9051 section 6.3.9.7: LIST with REMOTE and RETURN (CHILDREN).
    assert_eq!(
        body(b"A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n"),
        list(
            vec![ListSelect::Remote],
            "",
            &["%"],
            Some(vec![ListReturn::Children])
        )
    );
    // RFC 9051 section 6.3.6: RENAME.
    assert_eq!(
        body(b"A683 RENAME blurdybloop sarasoop\r\n"),
        CommandBody::Rename {
            from: Mailbox::from("blurdybloop"),
            to: Mailbox::from("sarasoop")
        }
    );
    // RFC 9051 section 6.4.4: a UTF-8 search string in a literal (the
    // octets of a Cyrillic word here).
    let word = "мама".as_bytes();
    let mut input = format!("A285 SEARCH CHARSET UTF-8 TEXT {{{}}}\r\n", word.len()).into_bytes();
    input.extend_from_slice(word);
    input.extend_from_slice(b"\r\n");
    let CommandBody::Search { criteria, .. } = body(&input) else {
        panic!()
    };
    assert_eq!(criteria, [SearchKey::Text(AString::from(word))]);
    // RFC 9051 allows UTF-8 in quoted strings (QUOTED-CHAR =/ UTF8-2..4).
    let CommandBody::Search { criteria, .. } = body("a SEARCH SUBJECT \"Grüße\"\r\n".as_bytes())
    else {
        panic!()
    };
    assert_eq!(criteria, [SearchKey::Subject(AString::from("Grüße"))]);
    // RFC 9051 section 6.4.5: BINARY.PEEK with a partial.
    let CommandBody::Fetch { attributes, .. } =
        body(b"A1 UID FETCH 25 (BINARY.PEEK[1]<0.4096> BINARY.SIZE[1])\r\n")
    else {
        panic!()
    };
    assert_eq!(
        attributes,
        FetchAttributes::List(vec![
            FetchAttribute::Binary {
                peek: true,
                part: vec![nz(1)],
                partial: Some((0, nz(4096)))
            },
            FetchAttribute::BinarySize { part: vec![nz(1)] }
        ])
    );
    // RFC 9051 section 6.4.4.1: SAVE, then $ in a later command.
    assert_eq!(
        body(b"A301 COPY $ SavedMessages\r\n"),
        CommandBody::Copy {
            uid: false,
            set: SequenceSet::saved(),
            mailbox: Mailbox::from("SavedMessages")
        }
    );
    let CommandBody::Search { criteria, .. } = body(b"E282 SEARCH RETURN (SAVE) OR $ 1:3\r\n")
    else {
        panic!()
    };
    assert_eq!(
        criteria,
        [SearchKey::Or(
            Box::new(SearchKey::SequenceSet(SequenceSet::saved())),
            Box::new(SearchKey::SequenceSet(set("1:3")))
        )]
    );
}
