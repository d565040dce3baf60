//! Known-answer tests: the server responses of RFC 3501 sections 7 and
//! 8, RFC 9051 and the extension RFCs, parsed, checked, written back
//! and re-read.

use core::num::NonZeroU32;

use mailwire_imap::types::{
    AString, BodyStructure, Capability, Code, Data, ESearchData, FetchItem, Flag, FlagPerm,
    ListAttribute, ListExtended, Mailbox, Response, SectionText, SinglePartKind, StatusItem,
    StatusKind, Thread,
};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// Parses a whole response, writes it back, re-parses the output and
/// checks both reads agree.
fn rt(input: &[u8]) -> Response<'_> {
    let (response, len) = Response::parse(input)
        .unwrap_or_else(|e| panic!("{e} in {:?}", String::from_utf8_lossy(input)));
    assert_eq!(len, input.len(), "{:?}", String::from_utf8_lossy(input));
    let bytes = response.to_bytes().expect("encodes");
    let (again, len2) = Response::parse(&bytes).expect("re-parses");
    assert_eq!(len2, bytes.len());
    assert_eq!(again, response, "{:?}", String::from_utf8_lossy(&bytes));
    response
}

fn status(input: &[u8]) -> (Option<String>, StatusKind, Option<Code<'_>>, String) {
    match rt(input) {
        Response::Status(s) => (
            s.tag.map(|t| t.as_str().to_owned()),
            s.kind,
            s.code,
            s.text.into_owned(),
        ),
        other => panic!("not a status: {other:?}"),
    }
}

fn data(input: &[u8]) -> Data<'_> {
    match rt(input) {
        Response::Data(d) => d,
        other => panic!("not data: {other:?}"),
    }
}

/// RFC 3501 section 7.1.1 to 7.1.5: status responses.
#[test]
fn rfc3501_7_1_status_responses() {
    assert_eq!(
        status(b"* OK IMAP4rev1 server ready\r\n"),
        (None, StatusKind::Ok, None, "IMAP4rev1 server ready".into())
    );
    assert_eq!(
        status(b"A001 OK LOGIN completed\r\n"),
        (
            Some("A001".into()),
            StatusKind::Ok,
            None,
            "LOGIN completed".into()
        )
    );
    assert_eq!(
        status(b"* OK [ALERT] System shutdown in 10 minutes\r\n").2,
        Some(Code::Alert)
    );
    assert_eq!(
        status(b"* NO Disk is 98% full, please delete unnecessary data\r\n").1,
        StatusKind::No
    );
    assert_eq!(
        status(b"A223 NO COPY failed: disk is full\r\n").3,
        "COPY failed: disk is full"
    );
    assert_eq!(
        status(b"* BAD Command line too long\r\n").1,
        StatusKind::Bad
    );
    assert_eq!(
        status(b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n").1,
        StatusKind::PreAuth
    );
    assert_eq!(
        status(b"* BYE Autologout; idle for too long\r\n").1,
        StatusKind::Bye
    );
    // Tagged PREAUTH/BYE do not exist.
    assert!(Response::parse(b"a1 BYE no\r\n").is_err());
}

/// RFC 3501 section 7.1 response codes (and RFC 9051 section 7.1).
#[test]
fn rfc3501_7_1_response_codes() {
    let (_, _, code, text) = status(b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n");
    assert_eq!(
        code,
        Some(Code::PermanentFlags(vec![
            FlagPerm::Flag(Flag::Deleted),
            FlagPerm::Flag(Flag::Seen),
            FlagPerm::Wildcard
        ]))
    );
    assert_eq!(text, "Limited");
    assert_eq!(
        status(b"* OK [UNSEEN 17] Message 17 is the first unseen message\r\n").2,
        Some(Code::Unseen(nz(17)))
    );
    assert_eq!(
        status(b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n").2,
        Some(Code::UidValidity(nz(3_857_529_045)))
    );
    assert_eq!(
        status(b"* OK [UIDNEXT 4392] Predicted next UID\r\n").2,
        Some(Code::UidNext(nz(4392)))
    );
    assert_eq!(
        status(b"A142 OK [READ-WRITE] SELECT completed\r\n").2,
        Some(Code::ReadWrite)
    );
    assert_eq!(
        status(b"A932 OK [READ-ONLY] EXAMINE completed\r\n").2,
        Some(Code::ReadOnly)
    );
    assert_eq!(
        status(b"A003 NO [TRYCREATE] No such mailbox\r\n").2,
        Some(Code::TryCreate)
    );
    assert_eq!(
        status(b"A283 NO [BADCHARSET (UTF-8 \"x y\")] charset\r\n").2,
        Some(Code::BadCharset(vec![
            AString::from("UTF-8"),
            AString::from("x y")
        ]))
    );
    assert_eq!(status(b"* NO [PARSE] bad header\r\n").2, Some(Code::Parse));
    // RFC 9051 section 7.1: codes without text.
    assert_eq!(status(b"* OK [CLOSED] \r\n").2, Some(Code::Closed));
    assert_eq!(status(b"* OK [CLOSED]\r\n").3, "");
    for (input, code) in [
        (&b"a1 NO [TOOBIG] too big\r\n"[..], Code::TooBig),
        (b"a1 NO [OVERQUOTA] full\r\n", Code::OverQuota),
        (b"a1 NO [ALREADYEXISTS] exists\r\n", Code::AlreadyExists),
        (b"a1 NO [NONEXISTENT] none\r\n", Code::NonExistent),
        (b"a1 OK [UIDNOTSTICKY] no\r\n", Code::UidNotSticky),
        (b"a1 OK [NOMODSEQ] no\r\n", Code::NoModSeq),
    ] {
        assert_eq!(status(input).2, Some(code));
    }
    // RFC 3501 section 7.2.1: CAPABILITY as a code in the greeting.
    let (_, _, code, _) =
        status(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.\r\n");
    let Some(Code::Capability(caps)) = code else {
        panic!()
    };
    assert_eq!(caps.len(), 3);
    assert_eq!(caps[2].to_string(), "AUTH=PLAIN");
    // Unknown codes are kept (RFC 9051 section 7.1: "atom [SP 1*<any
    // TEXT-CHAR except "]">]").
    let (_, _, code, text) = status(b"a1 NO [AUTHENTICATIONFAILED] nope\r\n");
    let Some(Code::Other { name, text: None }) = code else {
        panic!()
    };
    assert_eq!(name.as_str(), "AUTHENTICATIONFAILED");
    assert_eq!(text, "nope");
    let (_, _, code, _) = status(b"* OK [X-FOO a b c] hi\r\n");
    let Some(Code::Other { text: Some(t), .. }) = code else {
        panic!()
    };
    assert_eq!(t, "a b c");
    // A known code with bad arguments is kept as an unknown one.
    let (_, _, code, _) = status(b"* OK [UIDNEXT abc] hi\r\n");
    assert!(matches!(code, Some(Code::Other { .. })));
    // An unclosed bracket is text (which the encoder will not write:
    // it would read back as a code).
    let (response, _) = Response::parse(b"* OK [oops\r\n").unwrap();
    let Response::Status(s) = &response else {
        panic!()
    };
    assert_eq!((&s.code, &*s.text), (&None, "[oops"));
    assert!(response.to_bytes().is_err());
}

/// RFC 4315 section 3 (UIDPLUS), RFC 7162 section 3 (CONDSTORE).
#[test]
fn uidplus_and_condstore_codes() {
    assert_eq!(
        status(b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n").2,
        Some(Code::AppendUid {
            uid_validity: nz(38505),
            uids: mailwire_imap::types::SequenceSet::new("3955").unwrap()
        })
    );
    let Some(Code::CopyUid {
        uid_validity,
        source,
        target,
    }) = status(b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n").2
    else {
        panic!()
    };
    assert_eq!(uid_validity, nz(38505));
    assert_eq!(source.as_str(), "304,319:320");
    assert_eq!(target.as_str(), "3956:3958");
    assert_eq!(
        status(b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n").2,
        Some(Code::HighestModSeq(715_194_045_007))
    );
    let Some(Code::Modified(set)) =
        status(b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n").2
    else {
        panic!()
    };
    assert_eq!(set.as_str(), "7,9");
}

/// RFC 3501 section 7.2: server and mailbox status.
#[test]
fn rfc3501_7_2_data() {
    let Data::Capability(caps) =
        data(b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN\r\n")
    else {
        panic!()
    };
    assert_eq!(caps[0], Capability::Imap4Rev1);
    assert_eq!(caps[1], Capability::StartTls);
    assert_eq!(caps[2].to_string(), "AUTH=GSSAPI");
    assert_eq!(caps[3].to_string(), "XPIG-LATIN");

    let Data::List(list) = data(b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n") else {
        panic!()
    };
    assert_eq!(list.attributes, [ListAttribute::NoSelect]);
    assert_eq!(list.delimiter, Some('/'));
    assert_eq!(list.mailbox.as_bytes(), b"~/Mail/foo");

    let Data::Lsub(list) = data(b"* LSUB () \".\" #news.comp.mail.misc\r\n") else {
        panic!()
    };
    assert!(list.attributes.is_empty());
    assert_eq!(list.mailbox.as_bytes(), b"#news.comp.mail.misc");

    assert_eq!(
        data(b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"),
        Data::Status {
            mailbox: Mailbox::from("blurdybloop"),
            items: vec![(StatusItem::Messages, 231), (StatusItem::UidNext, 44292)]
        }
    );
    assert_eq!(
        data(b"* SEARCH 2 3 6\r\n"),
        Data::Search {
            ids: vec![nz(2), nz(3), nz(6)],
            modseq: None
        }
    );
    assert_eq!(
        data(b"* SEARCH\r\n"),
        Data::Search {
            ids: vec![],
            modseq: None
        }
    );
    assert_eq!(
        data(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        Data::Flags(vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft
        ])
    );
    // RFC 3501 section 6.3.8: NIL delimiter, empty name, INBOX.
    let Data::List(list) = data(b"* LIST (\\Noselect) NIL \"\"\r\n") else {
        panic!()
    };
    assert_eq!(list.delimiter, None);
    assert_eq!(list.mailbox.as_bytes(), b"");
    let Data::List(list) = data(b"* LIST () \"\\\\\" inbox\r\n") else {
        panic!()
    };
    assert_eq!(list.delimiter, Some('\\'));
    assert_eq!(list.mailbox, Mailbox::Inbox);
}

/// RFC 3501 sections 7.3 and 7.4: message status and message data.
#[test]
fn rfc3501_7_3_and_7_4() {
    assert_eq!(data(b"* 23 EXISTS\r\n"), Data::Exists(23));
    assert_eq!(data(b"* 5 RECENT\r\n"), Data::Recent(5));
    assert_eq!(data(b"* 44 EXPUNGE\r\n"), Data::Expunge(nz(44)));
    assert!(Response::parse(b"* 0 EXPUNGE\r\n").is_err());
    assert_eq!(
        data(b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n"),
        Data::Fetch {
            seq: nz(23),
            items: vec![
                FetchItem::Flags(vec![Flag::Seen]),
                FetchItem::Rfc822Size(44827)
            ]
        }
    );
}

/// RFC 3501 section 7.5: continuation requests (and section 6.2.2's
/// base64 challenge).
#[test]
fn rfc3501_7_5_continuation() {
    let Response::Continuation(c) = rt(b"+ Ready for additional command text\r\n") else {
        panic!()
    };
    assert_eq!(c.text, "Ready for additional command text");
    assert!(c.base64().is_none());
    let Response::Continuation(c) = rt(b"+ \r\n") else {
        panic!()
    };
    assert_eq!(c.text, "");
    let Response::Continuation(c) = rt(b"+\r\n") else {
        panic!()
    };
    assert_eq!(c.text, "");
    // RFC 4616 style challenge carried as base64.
    let Response::Continuation(c) =
        rt(b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n")
    else {
        panic!()
    };
    assert_eq!(
        c.base64().unwrap(),
        b"<1896.697170952@postoffice.reston.mci.net>"
    );
}

/// RFC 3501 section 8: every server line of the sample session.
#[test]
fn rfc3501_8_sample_session() {
    let session: &[&[u8]] = &[
        b"* OK IMAP4rev1 Service Ready\r\n",
        b"a001 OK LOGIN completed\r\n",
        b"* 18 EXISTS\r\n",
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        b"* 2 RECENT\r\n",
        b"* OK [UNSEEN 17] Message 17 is the first unseen message\r\n",
        b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
        b"a002 OK [READ-WRITE] SELECT completed\r\n",
        b"a003 OK FETCH completed\r\n",
        b"a004 OK FETCH completed\r\n",
        b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n",
        b"a005 OK +FLAGS completed\r\n",
        b"* BYE IMAP4rev1 server terminating connection\r\n",
        b"a006 OK LOGOUT completed\r\n",
    ];
    for line in session {
        rt(line);
    }
    let fetch = b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev1 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n";
    let Data::Fetch { seq, items } = data(fetch) else {
        panic!()
    };
    assert_eq!(seq, nz(12));
    assert_eq!(items.len(), 5);
    let FetchItem::InternalDate(date) = &items[1] else {
        panic!()
    };
    assert_eq!(date.zone_minutes(), -420);
    assert_eq!(date.time(), (2, 44, 25));
    let FetchItem::Envelope(env) = &items[3] else {
        panic!()
    };
    assert_eq!(
        env.subject.as_ref().unwrap().as_bytes(),
        b"IMAP4rev1 WG mtg summary and minutes"
    );
    assert_eq!(env.cc.len(), 2);
    assert_eq!(env.cc[1].name.as_ref().unwrap().as_bytes(), b"John Klensin");
    assert!(env.bcc.is_empty() && env.in_reply_to.is_none());
    let FetchItem::Body(body) = &items[4] else {
        panic!()
    };
    let BodyStructure::Single { part, ext: None } = &**body else {
        panic!()
    };
    assert_eq!(part.size, 3028);
    assert_eq!(part.kind, SinglePartKind::Text { lines: 92 });
    assert_eq!(
        part.params,
        [(AString::from("CHARSET"), AString::from("US-ASCII"))]
    );

    let mut header = b"* 12 FETCH (BODY[HEADER] {342}\r\n".to_vec();
    let start = header.len();
    header.extend(std::iter::repeat_n(b'h', 340));
    header.extend_from_slice(b"\r\n)\r\n");
    let Data::Fetch { items, .. } = data(&header) else {
        panic!()
    };
    let FetchItem::BodySection {
        section,
        origin: None,
        data: Some(d),
    } = &items[0]
    else {
        panic!()
    };
    assert_eq!(section.text, Some(SectionText::Header));
    assert_eq!(d.as_bytes(), &header[start..start + 342]);
}

/// RFC 9051 section 7.3.4 (ESEARCH examples of section 6.4.4).
#[test]
fn rfc9051_esearch() {
    let Data::ESearch(es) = data(b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n") else {
        panic!()
    };
    assert_eq!(es.tag.unwrap().as_bytes(), b"A282");
    assert!(!es.uid);
    assert_eq!(es.data, [ESearchData::Min(nz(2)), ESearchData::Count(3)]);
    let Data::ESearch(es) = data(b"* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n") else {
        panic!()
    };
    let ESearchData::All(set) = &es.data[0] else {
        panic!()
    };
    assert_eq!(set.as_str(), "2,10:11");
    let Data::ESearch(es) = data(b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n") else {
        panic!()
    };
    assert!(es.uid);
    assert_eq!(
        es.data,
        [ESearchData::Min(nz(7)), ESearchData::Max(nz(3800))]
    );
    let Data::ESearch(es) = data(b"* ESEARCH UID\r\n") else {
        panic!()
    };
    assert!(es.uid && es.tag.is_none() && es.data.is_empty());
    let Data::ESearch(es) = data(b"* ESEARCH (TAG \"a\") UID PARTIAL (1:10 1,5) MODSEQ 9\r\n")
    else {
        panic!()
    };
    assert!(
        matches!(&es.data[0], ESearchData::Other { value, .. } if value[..] == b"(1:10 1,5)"[..])
    );
    assert_eq!(es.data[1], ESearchData::ModSeq(9));
}

/// RFC 9051 section 6.3.9 / RFC 5258 / RFC 6154 LIST answers.
#[test]
fn rfc9051_list_extended() {
    let Data::List(list) = data(b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n")
    else {
        panic!()
    };
    assert_eq!(
        list.attributes,
        [ListAttribute::Subscribed, ListAttribute::NonExistent]
    );
    let Data::List(list) = data(b"* LIST () \"/\" \"Fruit\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n")
    else {
        panic!()
    };
    assert_eq!(
        list.extended,
        [ListExtended::ChildInfo(vec![AString::from("SUBSCRIBED")])]
    );
    let Data::List(list) = data(b"* LIST () \"/\" \"NewName\" (\"OLDNAME\" (\"OldName\"))\r\n")
    else {
        panic!()
    };
    assert_eq!(
        list.extended,
        [ListExtended::OldName(Mailbox::from("OldName"))]
    );
    // RFC 6154 section 5.1.
    let Data::List(list) = data(b"* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n") else {
        panic!()
    };
    assert_eq!(
        list.attributes,
        [ListAttribute::HasNoChildren, ListAttribute::Drafts]
    );
    let Data::List(list) =
        data(b"* LIST (\\HasNoChildren \\X-Custom) \".\" \"[Gmail]/All Mail\"\r\n")
    else {
        panic!()
    };
    assert_eq!(list.attributes[1].name(), "X-Custom");
    assert_eq!(list.mailbox.as_bytes(), b"[Gmail]/All Mail");
    // A modified UTF-7 name.
    let Data::List(list) = data(b"* LIST () \"/\" \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"\r\n") else {
        panic!()
    };
    assert_eq!(
        list.mailbox.to_utf8().as_deref(),
        Some("~peter/mail/台北/日本語")
    );
}

/// RFC 7162 (CONDSTORE/QRESYNC) data; RFC 5161 ENABLED.
#[test]
fn rfc7162_data() {
    let Data::Vanished { earlier, uids } =
        data(b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n")
    else {
        panic!()
    };
    assert!(earlier);
    assert_eq!(uids.as_str(), "41,43:116,118,120:211,214:540");
    assert!(matches!(
        data(b"* VANISHED 405,407,410\r\n"),
        Data::Vanished { earlier: false, .. }
    ));
    assert_eq!(
        data(b"* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))\r\n"),
        Data::Fetch {
            seq: nz(1),
            items: vec![
                FetchItem::Uid(nz(4)),
                FetchItem::ModSeq(65402),
                FetchItem::Flags(vec![Flag::Seen])
            ]
        }
    );
    assert_eq!(
        data(b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n"),
        Data::Search {
            ids: [2, 5, 6, 7, 11, 12, 18, 19, 20, 23].map(nz).to_vec(),
            modseq: Some(917_162_500)
        }
    );
    assert_eq!(
        data(b"* ENABLED CONDSTORE QRESYNC\r\n"),
        Data::Enabled(vec![Capability::CondStore, Capability::QResync])
    );
}

/// RFC 2342 NAMESPACE, RFC 2971 ID, RFC 9208 QUOTA.
#[test]
fn namespace_id_quota() {
    let Data::Namespace {
        personal,
        other,
        shared,
    } = data(b"* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n")
    else {
        panic!()
    };
    assert_eq!(personal.unwrap()[0].delimiter, Some('/'));
    assert!(other.is_none());
    assert_eq!(shared.unwrap()[0].prefix.as_bytes(), b"Public Folders/");
    let Data::Namespace { personal, .. } =
        data(b"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n")
    else {
        panic!()
    };
    assert_eq!(personal.unwrap()[0].extensions[0].1.len(), 2);

    let Data::Id(Some(fields)) = data(
        b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n",
    ) else {
        panic!()
    };
    assert_eq!(fields.len(), 5);
    assert_eq!(fields[0].1.as_ref().unwrap().as_bytes(), b"Cyrus");
    assert_eq!(data(b"* ID NIL\r\n"), Data::Id(None));

    let Data::QuotaRoot { mailbox, roots } = data(b"* QUOTAROOT INBOX \"\"\r\n") else {
        panic!()
    };
    assert_eq!(mailbox, Mailbox::Inbox);
    assert_eq!(roots, [AString::from("")]);
    let Data::Quota { root, resources } = data(b"* QUOTA \"\" (STORAGE 10 512)\r\n") else {
        panic!()
    };
    assert_eq!(root.as_bytes(), b"");
    assert_eq!(
        (
            resources[0].name.as_str(),
            resources[0].usage,
            resources[0].limit
        ),
        ("STORAGE", 10, 512)
    );
    assert!(matches!(
        data(b"* QUOTAROOT comp.mail.mime\r\n"),
        Data::QuotaRoot { roots, .. } if roots.is_empty()
    ));
}

/// RFC 5256 SORT and THREAD.
#[test]
fn rfc5256_sort_thread() {
    assert_eq!(
        data(b"* SORT 2 84 882\r\n"),
        Data::Sort {
            ids: vec![nz(2), nz(84), nz(882)],
            modseq: None
        }
    );
    let Data::Thread(threads) = data(b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n") else {
        panic!()
    };
    assert_eq!(
        threads,
        [
            Thread {
                ids: vec![nz(2)],
                children: vec![]
            },
            Thread {
                ids: vec![nz(3), nz(6)],
                children: vec![
                    Thread {
                        ids: vec![nz(4), nz(23)],
                        children: vec![]
                    },
                    Thread {
                        ids: vec![nz(44), nz(7), nz(96)],
                        children: vec![]
                    },
                ]
            }
        ]
    );
    let Data::Thread(threads) = data(b"* THREAD ((3)(5))\r\n") else {
        panic!()
    };
    assert!(threads[0].ids.is_empty());
    assert_eq!(threads[0].children.len(), 2);
    assert_eq!(data(b"* THREAD\r\n"), Data::Thread(vec![]));
}

/// RFC 3516 BINARY: `literal8` with NUL, BINARY.SIZE.
#[test]
fn rfc3516_binary() {
    let input = b"* 3 FETCH (UID 4 BINARY[1] ~{5}\r\n\x00abcd BINARY.SIZE[1] 5)\r\n";
    let Data::Fetch { items, .. } = data(input) else {
        panic!()
    };
    assert_eq!(
        items[1],
        FetchItem::Binary {
            part: vec![nz(1)],
            data: Some(AString::from(&b"\x00abcd"[..]))
        }
    );
    assert_eq!(
        items[2],
        FetchItem::BinarySize {
            part: vec![nz(1)],
            size: 5
        }
    );
    // NUL in a plain literal is refused.
    assert!(Response::parse(b"* 3 FETCH (BODY[] {1}\r\n\x00)\r\n").is_err());
}

/// Unknown untagged data and unknown FETCH items are kept, not errors.
#[test]
fn unknown_data_is_kept() {
    assert_eq!(
        data(b"* XFOO bar (baz)\r\n"),
        Data::Other((&b"XFOO bar (baz)"[..]).into())
    );
    assert_eq!(
        data(b"* 3 XBAR (a b)\r\n"),
        Data::Other((&b"3 XBAR (a b)"[..]).into())
    );
    assert_eq!(
        data(b"* XLIT {3}\r\nabc done\r\n"),
        Data::Other((&b"XLIT {3}\r\nabc done"[..]).into())
    );
    let Data::Fetch { items, .. } = data(
        b"* 1 FETCH (X-GM-LABELS (\\Inbox \"Work stuff\") X-GM-MSGID 1278455344230334865 UID 5)\r\n",
    ) else {
        panic!()
    };
    assert_eq!(
        items[0],
        FetchItem::Other {
            name: "X-GM-LABELS".into(),
            value: (&b"(\\Inbox \"Work stuff\")"[..]).into()
        }
    );
    assert_eq!(
        items[1],
        FetchItem::Other {
            name: "X-GM-MSGID".into(),
            value: (&b"1278455344230334865"[..]).into()
        }
    );
    assert_eq!(items[2], FetchItem::Uid(nz(5)));
}

/// FETCH body sections: partial origin, HEADER.FIELDS, MIME, NIL.
#[test]
fn fetch_sections() {
    let Data::Fetch { items, .. } = data(
        b"* 2 FETCH (BODY[1.2.MIME] NIL BODY[HEADER.FIELDS (From \"X Y\")] {4}\r\nab\r\n BODY[]<0> \"hi\" BODY[TEXT] \"\")\r\n",
    ) else {
        panic!()
    };
    let FetchItem::BodySection {
        section,
        data: None,
        ..
    } = &items[0]
    else {
        panic!()
    };
    assert_eq!(section.part, [nz(1), nz(2)]);
    assert_eq!(section.text, Some(SectionText::Mime));
    let FetchItem::BodySection { section, .. } = &items[1] else {
        panic!()
    };
    assert_eq!(
        section.text,
        Some(SectionText::HeaderFields(vec![
            AString::from("From"),
            AString::from("X Y")
        ]))
    );
    assert!(matches!(
        &items[2],
        FetchItem::BodySection {
            origin: Some(0),
            ..
        }
    ));
    assert!(matches!(
        &items[3],
        FetchItem::BodySection { data: Some(d), .. } if d.as_bytes().is_empty()
    ));
    // RFC 3501 RFC822.* items.
    let Data::Fetch { items, .. } =
        data(b"* 2 FETCH (RFC822.HEADER {2}\r\nab RFC822.TEXT NIL RFC822 \"x\")\r\n")
    else {
        panic!()
    };
    assert_eq!(items.len(), 3);
    assert!(matches!(&items[1], FetchItem::Rfc822Text(None)));
}

/// RFC 9051 (IMAP4rev2): the SELECT answer of section 6.3.2 (with its
/// untagged LIST), CLOSED of section 7.1, MOVE's COPYUID and EXPUNGE of
/// section 6.4.8, and the greeting of section 8.
#[test]
fn rfc9051_examples() {
    let select: &[&[u8]] = &[
        b"* 172 EXISTS\r\n",
        b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
        b"* OK [UIDNEXT 4392] Predicted next UID\r\n",
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
        b"* LIST () \"/\" INBOX\r\n",
        b"A142 OK [READ-WRITE] SELECT completed\r\n",
    ];
    for line in select {
        rt(line);
    }
    let Data::List(list) = data(select[5]) else {
        panic!()
    };
    assert_eq!(list.mailbox, Mailbox::Inbox);
    assert_eq!(
        status(b"* OK [CLOSED] Previous mailbox is now closed\r\n").2,
        Some(Code::Closed)
    );
    let Some(Code::CopyUid { source, target, .. }) =
        status(b"* OK [COPYUID 432432 42:69 1202:1229]\r\n").2
    else {
        panic!()
    };
    assert_eq!((source.as_str(), target.as_str()), ("42:69", "1202:1229"));
    assert_eq!(data(b"* 22 EXPUNGE\r\n"), Data::Expunge(nz(22)));
    let (_, _, code, _) = status(
        b"* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n",
    );
    let Some(Code::Capability(caps)) = code else {
        panic!()
    };
    assert_eq!(caps[3], Capability::Imap4Rev2);
    assert_eq!(caps[2], Capability::LoginDisabled);
    // RFC 9051 section 7.5.2: STATUS with the IMAP4rev2 items.
    assert_eq!(
        data(b"* STATUS Drafts (MESSAGES 3 SIZE 6012 DELETED 1 HIGHESTMODSEQ 7)\r\n"),
        Data::Status {
            mailbox: Mailbox::from("Drafts"),
            items: vec![
                (StatusItem::Messages, 3),
                (StatusItem::Size, 6012),
                (StatusItem::Deleted, 1),
                (StatusItem::HighestModSeq, 7)
            ]
        }
    );
    // RFC 9051 section 7.1: the codes it adds are kept by name.
    for name in [
        "AUTHENTICATIONFAILED",
        "NOPERM",
        "INUSE",
        "EXPUNGEISSUED",
        "HASCHILDREN",
    ] {
        let line = format!("a1 NO [{name}] x\r\n");
        let (response, _) = Response::parse(line.as_bytes()).unwrap();
        let Response::Status(s) = response else {
            panic!()
        };
        assert_eq!(s.code.unwrap().name(), name);
    }
}
