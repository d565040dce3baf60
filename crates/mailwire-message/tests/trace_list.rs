//! Trace fields (RFC 5322 section 3.6.7, RFC 5321 section 4.4) and mailing
//! list fields (RFC 2369, RFC 2919, RFC 8058).

use std::borrow::Cow;
use std::time::{Duration, Instant};

use mailwire_message::list::{ListId, ListPost, parse_list_urls, parse_list_urls_with_defects};
use mailwire_message::received::{Received, ReturnPath};
use mailwire_message::{Defect, DefectKind, Message};
use proptest::prelude::*;

/// The clauses of a `Received` field, for one-line comparisons.
#[derive(Debug, PartialEq, Eq, Default)]
struct Clauses<'s> {
    from: Option<&'s str>,
    from_comment: Option<&'s str>,
    by: Option<&'s str>,
    by_comment: Option<&'s str>,
    via: Option<&'s str>,
    with: Option<&'s str>,
    id: Option<&'s str>,
    for_recipient: Option<&'s str>,
    date: Option<&'s str>,
}

/// Parses `raw` and checks every clause against `expected`; returns the
/// defects.
fn check(raw: &str, expected: &Clauses<'_>) -> Vec<Defect> {
    let mut defects = Vec::new();
    let received = Received::parse_with_defects(raw.as_bytes(), 0, &mut defects);
    let date = received.date().map(|d| d.to_rfc3339());
    let got = Clauses {
        from: received.from(),
        from_comment: received.from_comment(),
        by: received.by(),
        by_comment: received.by_comment(),
        via: received.via(),
        with: received.with(),
        id: received.id(),
        for_recipient: received.for_recipient(),
        date: date.as_deref(),
    };
    assert_eq!(&got, expected, "{raw:?}");
    assert_eq!(received.raw(), raw.as_bytes());
    defects
}

fn kinds(defects: &[Defect]) -> Vec<DefectKind> {
    defects.iter().map(Defect::kind).collect()
}

#[test]
fn rfc5322_appendix_a4_trace_fields() {
    let raw = concat!(
        "Received: from x.y.test\r\n",
        "   by example.net\r\n",
        "   via TCP\r\n",
        "   with ESMTP\r\n",
        "   id ABC12345\r\n",
        "   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\r\n",
        "Received: from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600\r\n",
        "From: John Doe <jdoe@node.example>\r\n",
        "To: Mary Smith <mary@example.net>\r\n",
        "Subject: Saying Hello\r\n",
        "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n",
        "Message-ID: <1234@local.node.example>\r\n",
        "\r\n",
        "This is a message just to say hello.\r\n",
        "So, \"Hello\".\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    let received = message.header().received();
    assert_eq!(received.len(), 2);
    let top = &received[0];
    assert_eq!(top.from(), Some("x.y.test"));
    assert_eq!(top.by(), Some("example.net"));
    assert_eq!(top.via(), Some("TCP"));
    assert_eq!(top.with(), Some("ESMTP"));
    assert_eq!(top.id(), Some("ABC12345"));
    assert_eq!(top.for_recipient(), Some("mary@example.net"));
    assert_eq!((top.from_comment(), top.by_comment()), (None, None));
    assert_eq!(
        top.date().unwrap().to_rfc3339(),
        "1997-11-21T10:05:43-06:00"
    );
    let first = &received[1];
    assert_eq!(
        (first.from(), first.by()),
        (Some("node.example"), Some("x.y.test"))
    );
    assert_eq!(
        first.date().unwrap().to_rfc3339(),
        "1997-11-21T10:01:22-06:00"
    );
    // The hops in time order: the bottom field is the first.
    assert!(first.date().unwrap().unix_timestamp() < top.date().unwrap().unix_timestamp());
    assert_eq!(message.header().return_path(), None);
    assert!(message.validate().is_empty(), "{:?}", message.validate());
}

#[test]
fn return_path_with_trace() {
    let raw = concat!(
        "Return-Path: <mary@example.net>\r\n",
        "Received: from x.y.test by example.net; 21 Nov 1997 10:05:43 -0600\r\n",
        "\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    let path = message.header().return_path().unwrap();
    assert!(!path.is_null());
    assert_eq!(path.mailbox().unwrap().to_string(), "mary@example.net");
    assert!(message.validate().is_empty());

    let bounce = Message::parse(b"Return-Path: <>\r\n\r\n");
    assert_eq!(bounce.header().return_path(), Some(ReturnPath::Null));
}

#[test]
fn postfix() {
    let defects = check(
        " from [127.0.0.1] (localhost [127.0.0.1]) by mx.example.com (Postfix) with ESMTPS id 4Xyz for <bob@example.com>; Tue, 1 Jul 2003 10:52:37 +0200",
        &Clauses {
            from: Some("[127.0.0.1]"),
            from_comment: Some("localhost [127.0.0.1]"),
            by: Some("mx.example.com"),
            by_comment: Some("Postfix"),
            with: Some("ESMTPS"),
            id: Some("4Xyz"),
            for_recipient: Some("bob@example.com"),
            date: Some("2003-07-01T10:52:37+02:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
}

#[test]
fn postfix_tls_folded() {
    let raw = concat!(
        " from mail.example.org (mail.example.org [203.0.113.5])\r\n",
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n",
        "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n",
        "\t(No client certificate requested)\r\n",
        "\tby mx.example.com (Postfix) with ESMTPS id 4R1xYz2Hk9z9sWq\r\n",
        "\tfor <alice@example.com>; Wed, 12 Jul 2023 14:03:11 +0000 (UTC)",
    );
    let defects = check(
        raw,
        &Clauses {
            from: Some("mail.example.org"),
            from_comment: Some("mail.example.org [203.0.113.5]"),
            by: Some("mx.example.com"),
            by_comment: Some("Postfix"),
            with: Some("ESMTPS"),
            id: Some("4R1xYz2Hk9z9sWq"),
            for_recipient: Some("alice@example.com"),
            date: Some("2023-07-12T14:03:11+00:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
}

#[test]
fn exim() {
    let raw = concat!(
        " from [198.51.100.7] (helo=client.example.net)\r\n",
        "\tby smtp.example.org with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n",
        "\t(Exim 4.96)\r\n",
        "\t(envelope-from <carol@example.net>)\r\n",
        "\tid 1qJkLm-0003Ab-2C\r\n",
        "\tfor dave@example.org;\r\n",
        "\tMon, 10 Jul 2023 09:15:42 +0100",
    );
    let defects = check(
        raw,
        &Clauses {
            from: Some("[198.51.100.7]"),
            from_comment: Some("helo=client.example.net"),
            by: Some("smtp.example.org"),
            with: Some("esmtpsa"),
            id: Some("1qJkLm-0003Ab-2C"),
            for_recipient: Some("dave@example.org"),
            date: Some("2023-07-10T09:15:42+01:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
}

#[test]
fn sendmail_relay_and_submit() {
    let relay = concat!(
        " from host.example.com (host.example.com [192.0.2.10])\r\n",
        "\tby relay.example.net (8.15.2/8.15.2) with ESMTP id 2AB3cD4e012345\r\n",
        "\tfor <eve@example.net>; Thu, 2 Mar 2017 08:30:00 -0500",
    );
    check(
        relay,
        &Clauses {
            from: Some("host.example.com"),
            from_comment: Some("host.example.com [192.0.2.10]"),
            by: Some("relay.example.net"),
            by_comment: Some("8.15.2/8.15.2"),
            with: Some("ESMTP"),
            id: Some("2AB3cD4e012345"),
            for_recipient: Some("eve@example.net"),
            date: Some("2017-03-02T08:30:00-05:00"),
            ..Clauses::default()
        },
    );
    // Local submission: the sender in a comment, no `from` clause.
    let submit = concat!(
        " (from root@localhost)\r\n",
        "\tby host.example.com (8.14.4/8.14.4/Submit) id s23DU0Xk004321;\r\n",
        "\tFri, 3 Mar 2017 08:30:00 -0500",
    );
    let defects = check(
        submit,
        &Clauses {
            by: Some("host.example.com"),
            by_comment: Some("8.14.4/8.14.4/Submit"),
            id: Some("s23DU0Xk004321"),
            date: Some("2017-03-03T08:30:00-05:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
}

#[test]
fn qmail() {
    let defects = check(
        " (qmail 1234 invoked by uid 0); 1 Jul 2003 10:52:37 -0000",
        &Clauses {
            date: Some("2003-07-01T10:52:37-00:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
    check(
        " (qmail 12345 invoked from network); 1 Jul 2003 10:52:37 -0000",
        &Clauses {
            date: Some("2003-07-01T10:52:37-00:00"),
            ..Clauses::default()
        },
    );
    check(
        " from unknown (HELO mail.example.com) (192.0.2.1)\r\n  by mx.example.net with SMTP; 1 Jul 2003 10:52:37 -0000",
        &Clauses {
            from: Some("unknown"),
            from_comment: Some("HELO mail.example.com"),
            by: Some("mx.example.net"),
            with: Some("SMTP"),
            date: Some("2003-07-01T10:52:37-00:00"),
            ..Clauses::default()
        },
    );
}

#[test]
fn gmail() {
    let inbound = concat!(
        " from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n",
        "        by mx.google.com with SMTPS id x1sor1234567wrb.45.2019.01.01.00.00.00\r\n",
        "        for <bob@example.com>\r\n",
        "        (Google Transport Security);\r\n",
        "        Tue, 01 Jan 2019 00:00:00 -0800 (PST)",
    );
    check(
        inbound,
        &Clauses {
            from: Some("mail-sor-f41.google.com"),
            from_comment: Some("mail-sor-f41.google.com. [209.85.220.41]"),
            by: Some("mx.google.com"),
            with: Some("SMTPS"),
            id: Some("x1sor1234567wrb.45.2019.01.01.00.00.00"),
            for_recipient: Some("bob@example.com"),
            date: Some("2019-01-01T00:00:00-08:00"),
            ..Clauses::default()
        },
    );
    let internal = concat!(
        " by 2002:a05:6a10:8c0d:b0:3f1:2a3b:4c5d with SMTP id ab12csp345678pxb;\r\n",
        "        Tue, 1 Jan 2019 00:00:01 -0800 (PST)",
    );
    let defects = check(
        internal,
        &Clauses {
            by: Some("2002:a05:6a10:8c0d:b0:3f1:2a3b:4c5d"),
            with: Some("SMTP"),
            id: Some("ab12csp345678pxb"),
            date: Some("2019-01-01T00:00:01-08:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
}

#[test]
fn exchange() {
    check(
        " from AM0PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:208:12::34)\r\n by DB9PR01MB5678.eurprd01.prod.exchangelabs.com with HTTPS; Tue, 4 Jul 2023\r\n 09:00:00 +0000",
        &Clauses {
            from: Some("AM0PR01MB1234.eurprd01.prod.exchangelabs.com"),
            from_comment: Some("2603:10a6:208:12::34"),
            by: Some("DB9PR01MB5678.eurprd01.prod.exchangelabs.com"),
            with: Some("HTTPS"),
            date: Some("2023-07-04T09:00:00+00:00"),
            ..Clauses::default()
        },
    );
    check(
        " from VI1PR01MB1111.eurprd01.prod.exchangelabs.com\r\n ([fe80::1234:5678:9abc:def0]) by VI1PR01MB1111.eurprd01.prod.exchangelabs.com\r\n ([fe80::1234:5678:9abc:def0%6]) with mapi id 15.20.6565.028; Tue, 4 Jul 2023\r\n 09:00:00 +0000",
        &Clauses {
            from: Some("VI1PR01MB1111.eurprd01.prod.exchangelabs.com"),
            from_comment: Some("[fe80::1234:5678:9abc:def0]"),
            by: Some("VI1PR01MB1111.eurprd01.prod.exchangelabs.com"),
            by_comment: Some("[fe80::1234:5678:9abc:def0%6]"),
            with: Some("mapi"),
            id: Some("15.20.6565.028"),
            date: Some("2023-07-04T09:00:00+00:00"),
            ..Clauses::default()
        },
    );
    let defects = check(
        " from mail.contoso.com (10.0.0.5) by EXCH01.contoso.local (10.0.0.6) with\r\n Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id 15.1.2507.27; Tue, 4 Jul\r\n 2023 11:00:00 +0200",
        &Clauses {
            from: Some("mail.contoso.com"),
            from_comment: Some("10.0.0.5"),
            by: Some("EXCH01.contoso.local"),
            by_comment: Some("10.0.0.6"),
            with: Some("Microsoft SMTP Server"),
            id: Some("15.1.2507.27"),
            date: Some("2023-07-04T11:00:00+02:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
}

#[test]
fn dovecot_lmtp() {
    let raw = concat!(
        " from mx.example.com\r\n",
        "\tby imap.example.com with LMTP\r\n",
        "\tid kMpQB8a3pGTVYgAAs4w6Rw\r\n",
        "\t(envelope-from <alice@example.org>)\r\n",
        "\tfor <bob@example.com>; Tue, 04 Jul 2023 21:02:19 +0200",
    );
    let defects = check(
        raw,
        &Clauses {
            from: Some("mx.example.com"),
            by: Some("imap.example.com"),
            with: Some("LMTP"),
            id: Some("kMpQB8a3pGTVYgAAs4w6Rw"),
            for_recipient: Some("bob@example.com"),
            date: Some("2023-07-04T21:02:19+02:00"),
            ..Clauses::default()
        },
    );
    assert!(defects.is_empty());
}

#[test]
fn keywords_any_case_and_order() {
    check(
        " BY mx.example.net FROM client.example.org WITH SMTP ID <q1@mx.example.net>; 1 Jul 2003 10:52:37 +0000",
        &Clauses {
            from: Some("client.example.org"),
            by: Some("mx.example.net"),
            with: Some("SMTP"),
            id: Some("q1@mx.example.net"),
            date: Some("2003-07-01T10:52:37+00:00"),
            ..Clauses::default()
        },
    );
}

#[test]
fn quoted_strings_and_comments_hold_semicolons() {
    // The `;` inside a comment or quoted string is not the date separator;
    // nor is the one in the comment after the date.
    check(
        " from a.example (x; y (nested; z)) by b.example for \"john; doe\"@b.example; Tue, 1 Jul 2003 10:52:37 +0200 (CEST; summer)",
        &Clauses {
            from: Some("a.example"),
            from_comment: Some("x; y (nested; z)"),
            by: Some("b.example"),
            for_recipient: Some("\"john; doe\"@b.example"),
            date: Some("2003-07-01T10:52:37+02:00"),
            ..Clauses::default()
        },
    );
}

#[test]
fn received_defects() {
    // No `;`: the obsolete form without a date.
    let mut defects = Vec::new();
    let r = Received::parse_with_defects(b" from a by b", 100, &mut defects);
    assert_eq!(r.by(), Some("b"));
    assert_eq!(r.date(), None);
    assert_eq!(defects, [Defect::new(112, DefectKind::InvalidReceived)]);

    // An unclosed comment hides the `;`: the last one is taken anyway.
    defects.clear();
    let r = Received::parse_with_defects(
        b" from a (oops by b; 1 Jul 2003 10:52:37 +0000",
        0,
        &mut defects,
    );
    assert_eq!(r.from(), Some("a"));
    assert_eq!(r.date().unwrap().unix_timestamp(), 1_057_056_757);
    assert_eq!(defects, [Defect::new(8, DefectKind::InvalidReceived)]);

    // A clause twice (the first kept), a clause without value, a stray `;`.
    defects.clear();
    let r = Received::parse_with_defects(
        b" from a from b by; x; 1 Jul 2003 10:52:37 +0000",
        0,
        &mut defects,
    );
    assert_eq!((r.from(), r.by()), (Some("a"), None));
    assert!(r.date().is_some());
    let found: Vec<_> = defects.iter().map(|d| (d.offset(), d.kind())).collect();
    assert_eq!(
        found,
        [
            (17, DefectKind::InvalidReceived), // the stray `;`
            (8, DefectKind::InvalidReceived),  // the second `from`
            (15, DefectKind::InvalidReceived), // `by` without a value
        ]
    );

    // A bad date is the date parser's defect.
    defects.clear();
    let r = Received::parse_with_defects(b" by b; yesterday", 0, &mut defects);
    assert_eq!(r.date(), None);
    assert_eq!(kinds(&defects), [DefectKind::InvalidDate]);

    // 8-bit text that is not UTF-8.
    defects.clear();
    let r = Received::parse_with_defects(
        b" from caf\xe9.example by b; 1 Jul 2003 10:52:37 +0000",
        0,
        &mut defects,
    );
    assert_eq!(r.from(), Some("caf\u{e9}.example"));
    assert_eq!(defects, [Defect::new(6, DefectKind::NonUtf8Header)]);

    // Empty.
    let r = Received::parse(b"");
    assert_eq!((r.from(), r.date()), (None, None));
}

#[test]
fn received_into_owned() {
    let text = String::from(" from a by b (x); 1 Jul 2003 10:52:37 +0000");
    let owned = Received::parse(text.as_bytes()).into_owned();
    drop(text);
    assert_eq!((owned.from(), owned.by_comment()), (Some("a"), Some("x")));
    assert!(owned.date().is_some());
}

#[test]
fn validate_reports_trace_defects_at_message_offsets() {
    let raw = b"Received: from a by b\r\nReturn-Path: bob@example.com\r\n\r\n";
    let message = Message::parse(raw);
    let found: Vec<_> = message
        .validate()
        .iter()
        .map(|d| (d.offset(), d.kind()))
        .collect();
    assert_eq!(
        found,
        [
            (21, DefectKind::InvalidReceived),
            (36, DefectKind::InvalidReturnPath),
        ]
    );
}

#[test]
fn return_path_forms() {
    let mailbox = |raw: &[u8]| {
        let mut defects = Vec::new();
        let path = ReturnPath::parse_with_defects(raw, 0, &mut defects);
        (
            path.map(|p| p.mailbox().map_or("<>".to_owned(), ToString::to_string)),
            kinds(&defects),
        )
    };
    let ok = |s: &str| (Some(s.to_owned()), vec![]);
    let lenient = |s: &str| (Some(s.to_owned()), vec![DefectKind::InvalidReturnPath]);
    let refused = (None, vec![DefectKind::InvalidReturnPath]);

    assert_eq!(mailbox(b" <bob@example.com>"), ok("bob@example.com"));
    assert_eq!(mailbox(b" <>"), ok("<>"));
    assert_eq!(mailbox(b" (bounce) < (nothing) > "), ok("<>"));
    assert_eq!(
        mailbox(b"\r\n <bob@example.com> (final)"),
        ok("bob@example.com")
    );
    assert_eq!(mailbox(b" < bob @ example.com >"), ok("bob@example.com"));
    assert_eq!(
        mailbox(b" <\"john doe\"@example.com>"),
        ok("\"john doe\"@example.com")
    );
    assert_eq!(mailbox(b" bob@example.com"), lenient("bob@example.com"));
    assert_eq!(mailbox(b" <<>>"), lenient("<>"));
    assert_eq!(mailbox(b" <<bob@example.com>>"), lenient("bob@example.com"));
    assert_eq!(
        mailbox(b" <@relay.example,@hub.example:bob@example.com>"),
        lenient("bob@example.com")
    );
    assert_eq!(
        mailbox(b" <bob@example.com> junk"),
        lenient("bob@example.com")
    );
    assert_eq!(mailbox(b" <MAILER-DAEMON>"), refused);
    assert_eq!(mailbox(b""), refused);
    assert_eq!(mailbox(b"  "), refused);
    assert_eq!(mailbox(b" <bob@example.com"), refused);

    let mut defects = Vec::new();
    let _ = ReturnPath::parse_with_defects(b" <a@b> x", 40, &mut defects);
    assert_eq!(defects, [Defect::new(46, DefectKind::InvalidReturnPath)]);

    let owned = ReturnPath::parse(String::from("<a@b.example>").as_bytes())
        .unwrap()
        .into_owned();
    assert_eq!(owned.mailbox().unwrap().to_string(), "a@b.example");
}

#[test]
fn rfc2369_examples() {
    let urls = |raw: &str| {
        let mut defects = Vec::new();
        let urls = parse_list_urls_with_defects(raw.as_bytes(), 0, &mut defects);
        assert!(defects.is_empty(), "{raw:?}: {defects:?}");
        urls.into_iter().map(Cow::into_owned).collect::<Vec<_>>()
    };
    // Section 3.1, List-Help.
    assert_eq!(
        urls(" <mailto:list@host.com?subject=help> (List Instructions)"),
        ["mailto:list@host.com?subject=help"]
    );
    assert_eq!(
        urls(" <mailto:list-manager@host.com?body=info>"),
        ["mailto:list-manager@host.com?body=info"]
    );
    assert_eq!(
        urls(" <mailto:list-info@host.com> (Info about the list)"),
        ["mailto:list-info@host.com"]
    );
    assert_eq!(
        urls(" <http://www.host.com/list/>, <mailto:list-info@host.com>"),
        ["http://www.host.com/list/", "mailto:list-info@host.com"]
    );
    assert_eq!(
        urls(concat!(
            " <ftp://ftp.host.com/list.txt> (FTP),\r\n",
            "    <mailto:list@host.com?subject=help> (List Instructions)",
        )),
        [
            "ftp://ftp.host.com/list.txt",
            "mailto:list@host.com?subject=help"
        ]
    );
    // Section 3.2, List-Unsubscribe.
    assert_eq!(
        urls(concat!(
            " (Use this command to get off the list)\r\n",
            "     <mailto:list-manager@host.com?body=unsubscribe%20list>",
        )),
        ["mailto:list-manager@host.com?body=unsubscribe%20list"]
    );
    assert_eq!(
        urls(concat!(
            " <http://www.host.com/list.cgi?cmd=unsub&lst=list>,\r\n",
            "    <mailto:list-request@host.com?subject=unsubscribe>",
        )),
        [
            "http://www.host.com/list.cgi?cmd=unsub&lst=list",
            "mailto:list-request@host.com?subject=unsubscribe"
        ]
    );
    // Section 3.3, List-Subscribe.
    assert_eq!(
        urls(concat!(
            " (Use this command to join the list)\r\n",
            "     <mailto:list-manager@host.com?body=subscribe%20list>",
        )),
        ["mailto:list-manager@host.com?body=subscribe%20list"]
    );
    // Sections 3.5 and 3.6, List-Owner and List-Archive.
    assert_eq!(
        urls(" <mailto:grant@foo.bar> (Grant A. Friend)"),
        ["mailto:grant@foo.bar"]
    );
    assert_eq!(
        urls(" <mailto:josh@foo.bar?Subject=list>"),
        ["mailto:josh@foo.bar?Subject=list"]
    );
    assert_eq!(
        urls(" <ftp://ftp.host.com/pub/list/archive/>"),
        ["ftp://ftp.host.com/pub/list/archive/"]
    );
    assert_eq!(
        urls(" <http://www.host.com/list/archive/> (Web Archive)"),
        ["http://www.host.com/list/archive/"]
    );

    // Section 3.4, List-Post.
    assert_eq!(
        ListPost::parse(b" <mailto:list@host.com>").urls(),
        ["mailto:list@host.com"]
    );
    assert_eq!(
        ListPost::parse(b" <mailto:moderator@host.com> (Postings are Moderated)").urls(),
        ["mailto:moderator@host.com"]
    );
    assert_eq!(
        ListPost::parse(b" <mailto:moderator@host.com?subject=list%20posting>").urls(),
        ["mailto:moderator@host.com?subject=list%20posting"]
    );
    let no = ListPost::parse(b" NO (posting not allowed on this list)");
    assert_eq!(no, ListPost::No);
    assert!(!no.is_allowed() && no.urls().is_empty());
    assert_eq!(
        ListPost::parse(b"\r\n (announcements only) no"),
        ListPost::No
    );
    // `NOT` is not `NO`.
    assert_eq!(ListPost::parse(b" NOT"), ListPost::Urls(vec![]));
}

#[test]
fn list_url_white_space_is_ignored() {
    // RFC 2369 section 2: white space in the brackets MUST be ignored.
    let urls = parse_list_urls(b" <http://www.host.com/list/\r\n    archive/ index.html>");
    assert_eq!(urls, ["http://www.host.com/list/archive/index.html"]);
    assert!(matches!(urls[0], Cow::Owned(_)));
    let urls = parse_list_urls(b" <mailto:a@b.example>");
    assert!(matches!(urls[0], Cow::Borrowed("mailto:a@b.example")));
}

#[test]
fn list_url_leniency() {
    let run = |raw: &[u8]| {
        let mut defects = Vec::new();
        let urls = parse_list_urls_with_defects(raw, 0, &mut defects);
        let urls: Vec<String> = urls.into_iter().map(Cow::into_owned).collect();
        let found: Vec<_> = defects.iter().map(|d| (d.offset(), d.kind())).collect();
        (urls, found)
    };
    let bad = DefectKind::InvalidListHeader;
    // No comma between two URLs.
    assert_eq!(
        run(b" <mailto:a@x> <mailto:b@x>"),
        (
            vec!["mailto:a@x".into(), "mailto:b@x".into()],
            vec![(14, bad)]
        )
    );
    // A bare URL.
    assert_eq!(
        run(b" mailto:a@x, <https://x/u>"),
        (
            vec!["mailto:a@x".into(), "https://x/u".into()],
            vec![(1, bad)]
        )
    );
    // Stray words and empty brackets.
    assert_eq!(
        run(b" click <> here <https://x/u>"),
        (
            vec!["https://x/u".into()],
            vec![(1, bad), (7, bad), (10, bad)]
        )
    );
    // Unclosed bracket.
    assert_eq!(
        run(b" <https://x/u>, <mailto:a@x"),
        (vec!["https://x/u".into()], vec![(16, bad)])
    );
    // Empty elements and empty value.
    assert_eq!(run(b" , <a:b> ,, "), (vec!["a:b".into()], vec![]));
    assert_eq!(run(b""), (vec![], vec![]));
    // 8-bit text that is not UTF-8.
    assert_eq!(
        run(b" <http://x/caf\xe9>"),
        (
            vec!["http://x/caf\u{e9}".into()],
            vec![(2, DefectKind::NonUtf8Header)]
        )
    );
}

#[test]
fn rfc2919_examples() {
    fn parse(raw: &str) -> (Option<String>, &str) {
        let mut defects = Vec::new();
        let id = ListId::parse_with_defects(raw.as_bytes(), 0, &mut defects).unwrap();
        assert!(defects.is_empty(), "{raw:?}: {defects:?}");
        (id.description().map(Cow::into_owned), id.id())
    }
    assert_eq!(
        parse(" List Header Mailing List <list-header.nagory.com>"),
        (
            Some("List Header Mailing List".into()),
            "list-header.nagory.com"
        )
    );
    assert_eq!(
        parse(" <commonspace-users.list-id.within.com>"),
        (None, "commonspace-users.list-id.within.com")
    );
    assert_eq!(
        parse(
            " \"Lena's Personal Joke List\"\r\n         <lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost>"
        ),
        (
            Some("Lena's Personal Joke List".into()),
            "lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost"
        )
    );
    assert_eq!(
        parse(" \"An internal CMU List\" <0Jks9449.list-id.cmu.edu>"),
        (
            Some("An internal CMU List".into()),
            "0Jks9449.list-id.cmu.edu"
        )
    );
    assert_eq!(
        parse(" <da39efc25c530ad145d41b86f7420c3b.052000.localhost>"),
        (None, "da39efc25c530ad145d41b86f7420c3b.052000.localhost")
    );
    // A `<` in the quoted description is not the identifier's.
    assert_eq!(
        parse(" \"a <b> list\" (and <c>) <real.example.org>"),
        (Some("a <b> list".into()), "real.example.org")
    );
}

#[test]
fn list_id_leniency() {
    fn run(raw: &[u8]) -> (Option<&str>, Vec<(usize, DefectKind)>) {
        let mut defects = Vec::new();
        let id = ListId::parse_with_defects(raw, 0, &mut defects).map(|id| id.id());
        (id, defects.iter().map(|d| (d.offset(), d.kind())).collect())
    }
    let bad = DefectKind::InvalidListHeader;
    assert_eq!(
        run(b" users.example.org"),
        (Some("users.example.org"), vec![(1, bad)])
    );
    assert_eq!(
        run(b" < users.example.org >"),
        (Some("users.example.org"), vec![])
    );
    assert_eq!(run(b" <no dot>"), (Some("no dot"), vec![(2, bad)]));
    assert_eq!(run(b" <a..b>"), (Some("a..b"), vec![(2, bad)]));
    assert_eq!(run(b" <a.b> trailing"), (Some("a.b"), vec![(6, bad)]));
    assert_eq!(run(b" <>"), (None, vec![(1, bad)]));
    assert_eq!(run(b" <a.b"), (None, vec![(1, bad)]));
    assert_eq!(run(b" two words"), (None, vec![(1, bad)]));
    assert_eq!(run(b""), (None, vec![(0, bad)]));
    assert_eq!(run(b" <a\xff.b>"), (None, vec![(2, bad)]));
}

#[test]
fn header_accessors() {
    let raw = concat!(
        "Return-Path: <list-bounces+bob=example.com@lists.example.org>\r\n",
        "Received: from lists.example.org (lists.example.org [203.0.113.9])\r\n",
        "\tby mx.example.com (Postfix) with ESMTP id 4Abc; Tue, 4 Jul 2023 10:00:00 +0000\r\n",
        "Received: from author.example.net by lists.example.org with ESMTPSA id 1x2y;\r\n",
        "\tTue, 4 Jul 2023 09:59:58 +0000\r\n",
        "List-Id: =?utf-8?q?Caf=C3=A9?= lovers <cafe.lists.example.org>\r\n",
        "List-Unsubscribe: <mailto:cafe-leave@lists.example.org>,\r\n",
        " <https://lists.example.org/unsub/cafe/opaque-token>\r\n",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        "List-Subscribe: <mailto:cafe-join@lists.example.org>\r\n",
        "List-Help: <mailto:cafe-request@lists.example.org?subject=help>\r\n",
        "List-Owner: <mailto:cafe-owner@lists.example.org>\r\n",
        "List-Archive: <https://lists.example.org/archives/cafe>\r\n",
        "List-Post: <mailto:cafe@lists.example.org>\r\n",
        "\r\n",
        "body\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    let header = message.header();
    assert_eq!(
        header.return_path().unwrap().mailbox().unwrap().to_string(),
        "list-bounces+bob=example.com@lists.example.org"
    );
    let hops = header.received();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0].by(), Some("mx.example.com"));
    assert_eq!(hops[1].with(), Some("ESMTPSA"));
    let list_id = header.list_id().unwrap();
    assert_eq!(list_id.id(), "cafe.lists.example.org");
    assert_eq!(list_id.description().as_deref(), Some("Caf\u{e9} lovers"));
    assert_eq!(
        header.list_unsubscribe(),
        [
            "mailto:cafe-leave@lists.example.org",
            "https://lists.example.org/unsub/cafe/opaque-token"
        ]
    );
    assert!(header.list_unsubscribe_one_click());
    assert_eq!(
        header.list_subscribe(),
        ["mailto:cafe-join@lists.example.org"]
    );
    assert_eq!(
        header.list_help(),
        ["mailto:cafe-request@lists.example.org?subject=help"]
    );
    assert_eq!(header.list_owner(), ["mailto:cafe-owner@lists.example.org"]);
    assert_eq!(
        header.list_archive(),
        ["https://lists.example.org/archives/cafe"]
    );
    assert_eq!(
        header.list_post().unwrap().urls(),
        ["mailto:cafe@lists.example.org"]
    );
    assert!(message.validate().is_empty(), "{:?}", message.validate());

    // Absent fields.
    let bare = Message::parse(b"Subject: x\r\n\r\n");
    let header = bare.header();
    assert!(header.received().is_empty());
    assert!(header.return_path().is_none() && header.list_id().is_none());
    assert!(header.list_unsubscribe().is_empty() && header.list_post().is_none());
    assert!(!header.list_unsubscribe_one_click());
}

#[test]
fn one_click_needs_https_and_the_exact_value() {
    let one_click = |fields: &str| {
        let raw = format!("{fields}\r\n");
        Message::parse(raw.as_bytes())
            .header()
            .list_unsubscribe_one_click()
    };
    assert!(one_click(
        "List-Unsubscribe: <HTTPS://x.example/u>\r\nList-Unsubscribe-Post: list-unsubscribe=one-click (RFC 8058)\r\n"
    ));
    assert!(!one_click(
        "List-Unsubscribe: <mailto:u@x.example>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    ));
    assert!(!one_click(
        "List-Unsubscribe: <http://x.example/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    ));
    assert!(!one_click(
        "List-Unsubscribe: <https://x.example/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=Yes\r\n"
    ));
    assert!(!one_click("List-Unsubscribe: <https://x.example/u>\r\n"));
}

#[test]
fn validate_reports_list_defects() {
    let raw = b"List-Id: =?utf-8?X?bad?= <x>\r\nList-Post: maybe\r\nList-Help: help\r\n\r\n";
    let message = Message::parse(raw);
    let found: Vec<_> = message
        .validate()
        .iter()
        .map(|d| (d.offset(), d.kind()))
        .collect();
    assert_eq!(
        found,
        [
            (9, DefectKind::InvalidEncodedWord),
            (26, DefectKind::InvalidListHeader),
            (41, DefectKind::InvalidListHeader),
            (59, DefectKind::InvalidListHeader),
        ]
    );
}

/// Runs every parser of this file over `raw` and checks it took no longer
/// than `limit` (generous for debug builds; quadratic work would take
/// minutes).
fn runs_fast(raw: &[u8], limit: Duration) {
    let start = Instant::now();
    let mut defects = Vec::new();
    let _ = Received::parse_with_defects(raw, 0, &mut defects);
    let _ = ReturnPath::parse_with_defects(raw, 0, &mut defects);
    let _ = parse_list_urls_with_defects(raw, 0, &mut defects);
    let _ = ListPost::parse_with_defects(raw, 0, &mut defects);
    if let Some(id) = ListId::parse_with_defects(raw, 0, &mut defects) {
        let _ = id.description();
    }
    assert!(
        start.elapsed() < limit,
        "{:?} for {} bytes",
        start.elapsed(),
        raw.len()
    );
    assert!(defects.iter().all(|d| d.offset() <= raw.len()));
}

#[test]
fn hostile_input_runs_fast() {
    let limit = Duration::from_secs(5);
    runs_fast(&vec![b'('; 100_000], limit);
    runs_fast(&vec![b' '; 1_000_000], limit);
    runs_fast(&vec![b'<'; 100_000], limit);
    runs_fast(&vec![b'"'; 100_000], limit);
    runs_fast(&vec![b';'; 100_000], limit);
    runs_fast(&vec![b'>'; 100_000], limit);
    runs_fast(&vec![b'\\'; 100_000], limit);
    runs_fast(&b"()".repeat(50_000), limit);
    runs_fast(&b"<>,".repeat(50_000), limit);
    runs_fast(&b"from ".repeat(50_000), limit);
    runs_fast(&b"with a ".repeat(50_000), limit);
    runs_fast(&b"x (".repeat(50_000), limit);
    runs_fast(&b"\r\n ".repeat(100_000), limit);
    let mut deep = vec![b'('; 100_000];
    deep.extend_from_slice(b"; 1 Jul 2003 10:52:37 +0000");
    runs_fast(&deep, limit);
}

/// Bytes that matter to these grammars, to reach deeper than random bytes.
fn syntax_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"(",
        b")",
        b"<",
        b">",
        b"\"",
        b"\\",
        b";",
        b",",
        b"@",
        b":",
        b" ",
        b"\r\n ",
        b"\t",
        b"from",
        b"by",
        b"via",
        b"with",
        b"id",
        b"for",
        b"NO",
        b"a.b",
        b"[1.2.3.4]",
        b"mailto:x@y",
        b"\xe9",
        b"1 Jul 2003 10:52:37 +0000",
        b"=?utf-8?q?x?=",
    ];
    proptest::collection::vec(proptest::sample::select(pieces), 0..40)
        .prop_map(|pieces| pieces.concat())
}

fn offsets_in_range(raw: &[u8], base: usize) -> Result<(), TestCaseError> {
    let mut defects = Vec::new();
    let received = Received::parse_with_defects(raw, base, &mut defects);
    let _ = received.into_owned();
    let _ = ReturnPath::parse_with_defects(raw, base, &mut defects);
    let _ = parse_list_urls_with_defects(raw, base, &mut defects);
    let _ = ListPost::parse_with_defects(raw, base, &mut defects);
    if let Some(id) = ListId::parse_with_defects(raw, base, &mut defects) {
        let _ = id.description();
    }
    for defect in defects {
        prop_assert!(
            defect.offset() >= base && defect.offset() <= base + raw.len(),
            "{:?} outside {}..={}",
            defect,
            base,
            base + raw.len()
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..300), base in 0usize..1000) {
        offsets_in_range(&raw, base)?;
    }

    #[test]
    fn syntax_soup_never_panics(raw in syntax_bytes(), base in 0usize..1000) {
        offsets_in_range(&raw, base)?;
    }

    #[test]
    fn written_received_parses_back(
        from in "[a-z]{1,10}(\\.[a-z]{1,10}){0,2}",
        by in "[a-z]{1,10}\\.example",
        id in "[A-Za-z0-9]{1,16}",
        user in "[a-z]{1,8}",
        secs in 0i64..4_000_000_000,
    ) {
        // A clause keyword as a value would start a new clause instead.
        let keyword = |w: &str| ["from", "by", "via", "with", "id", "for"].contains(&w.to_ascii_lowercase().as_str());
        prop_assume!(!keyword(&from) && !keyword(&id));
        let date = mailwire_message::date::DateTime::from_unix(secs, 60).unwrap();
        let raw = format!(" from {from} ({from} [192.0.2.1])\r\n\tby {by} (Postfix) with ESMTP id {id}\r\n\tfor <{user}@{by}>; {date}");
        let mut defects = Vec::new();
        let received = Received::parse_with_defects(raw.as_bytes(), 0, &mut defects);
        prop_assert!(defects.is_empty(), "{:?}", defects);
        prop_assert_eq!(received.from(), Some(from.as_str()));
        let comment = format!("{from} [192.0.2.1]");
        prop_assert_eq!(received.from_comment(), Some(comment.as_str()));
        prop_assert_eq!(received.by(), Some(by.as_str()));
        prop_assert_eq!(received.id(), Some(id.as_str()));
        let recipient = format!("{user}@{by}");
        prop_assert_eq!(received.for_recipient(), Some(recipient.as_str()));
        prop_assert_eq!(received.date(), Some(date));
    }
}
