//! ENVELOPE and BODYSTRUCTURE in the shapes real servers send (Dovecot,
//! Gmail, Cyrus), and the encoder's choices of string form.

use core::num::NonZeroU32;

use mailwire_imap::types::{
    AString, Address, BodyExtension, BodyStructure, Code, Data, Envelope, FetchItem, Response,
    SinglePartKind, Status, StatusKind, Tag,
};

fn fetch_items(input: &[u8]) -> Vec<FetchItem<'_>> {
    let (response, len) = Response::parse(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(len, input.len());
    // Written back and re-read: the same value.
    let bytes = response.to_bytes().unwrap();
    assert_eq!(Response::parse(&bytes).unwrap().0, response);
    let Response::Data(Data::Fetch { items, .. }) = response else {
        panic!()
    };
    items
}

fn structure(input: &[u8]) -> BodyStructure<'_> {
    let mut items = fetch_items(input);
    match items.remove(0) {
        FetchItem::BodyStructure(b) | FetchItem::Body(b) => *b,
        other => panic!("{other:?}"),
    }
}

fn s(text: &str) -> AString<'_> {
    AString::from(text)
}

/// Dovecot: multipart/mixed of a multipart/alternative and a PDF
/// attachment, lower-case names, full extension data.
#[test]
fn dovecot_mixed_alternative_attachment() {
    let body = structure(
        b"* 1 FETCH (BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 1234 40 NIL NIL NIL NIL)\
(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 5678 120 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"b2\") NIL NIL NIL)\
(\"application\" \"pdf\" (\"name\" \"report.pdf\") NIL NIL \"base64\" 102400 NIL (\"attachment\" (\"filename\" \"report.pdf\")) NIL NIL) \
\"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))\r\n",
    );
    let BodyStructure::Multipart {
        parts,
        subtype,
        ext,
    } = &body
    else {
        panic!()
    };
    assert_eq!(subtype, &s("mixed"));
    assert_eq!(ext.as_ref().unwrap().params, [(s("boundary"), s("b1"))]);
    assert_eq!(parts.len(), 2);
    let BodyStructure::Multipart {
        parts: alt,
        subtype,
        ..
    } = &parts[0]
    else {
        panic!()
    };
    assert_eq!(subtype, &s("alternative"));
    let BodyStructure::Single { part, ext } = &alt[1] else {
        panic!()
    };
    assert_eq!(part.subtype, s("html"));
    assert_eq!(part.kind, SinglePartKind::Text { lines: 120 });
    assert!(ext.as_ref().unwrap().md5.is_none());
    let BodyStructure::Single { part, ext } = &parts[1] else {
        panic!()
    };
    assert_eq!(part.kind, SinglePartKind::Basic);
    assert_eq!(part.size, 102_400);
    let disposition = ext.as_ref().unwrap().disposition.as_ref().unwrap();
    assert_eq!(disposition.kind, s("attachment"));
    assert_eq!(disposition.params, [(s("filename"), s("report.pdf"))]);
}

/// Gmail: upper-case names, multipart/related with an inline image,
/// extension data cut short (no location), a Content-ID.
#[test]
fn gmail_related_inline_image() {
    let body = structure(
        b"* 7 FETCH (BODYSTRUCTURE ((\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 2048 41 NIL NIL NIL)\
(\"IMAGE\" \"PNG\" (\"NAME\" \"logo.png\") \"<ii_18c>\" NIL \"BASE64\" 9000 NIL (\"INLINE\" (\"FILENAME\" \"logo.png\")) NIL) \
\"RELATED\" (\"BOUNDARY\" \"000000000000abc\" \"TYPE\" \"text/html\") NIL NIL))\r\n",
    );
    let BodyStructure::Multipart { parts, ext, .. } = &body else {
        panic!()
    };
    assert_eq!(ext.as_ref().unwrap().params.len(), 2);
    let BodyStructure::Single { part, ext } = &parts[1] else {
        panic!()
    };
    assert_eq!(part.id, Some(s("<ii_18c>")));
    let ext = ext.as_ref().unwrap();
    assert_eq!(ext.disposition.as_ref().unwrap().kind, s("INLINE"));
    assert!(ext.language.is_empty() && ext.location.is_none());
}

/// Cyrus: a forwarded message/rfc822 with its own envelope and body,
/// a disposition with NIL parameters, a language list, extensions.
#[test]
fn cyrus_message_rfc822_nesting() {
    let body = structure(
        b"* 5 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 50 2 NIL NIL (\"en\" \"de\") NIL)\
(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 800 (\"Mon, 7 Feb 1994 21:52:25 -0800\" \"fwd\" ((\"A\" NIL \"a\" \"x.org\")) \
((\"A\" NIL \"a\" \"x.org\")) ((\"A\" NIL \"a\" \"x.org\")) ((NIL NIL \"b\" \"y.org\")) NIL NIL NIL \"<1@x.org>\") \
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 300 10 NIL NIL NIL NIL) 20 NIL (\"inline\" NIL) NIL NIL 42 (\"x\" 1)) \
\"MIXED\" (\"BOUNDARY\" \"=_b\") NIL NIL NIL))\r\n",
    );
    let parts = body.parts();
    let BodyStructure::Single { ext, .. } = &parts[0] else {
        panic!()
    };
    assert_eq!(ext.as_ref().unwrap().language, [s("en"), s("de")]);
    let BodyStructure::Single { part, ext } = &parts[1] else {
        panic!()
    };
    let SinglePartKind::Message {
        envelope,
        body,
        lines,
    } = &part.kind
    else {
        panic!()
    };
    assert_eq!(*lines, 20);
    assert_eq!(envelope.subject, Some(s("fwd")));
    assert_eq!(envelope.to[0].mailbox, Some(s("b")));
    assert!(matches!(**body, BodyStructure::Single { .. }));
    let ext = ext.as_ref().unwrap();
    assert_eq!(ext.disposition.as_ref().unwrap().params, []);
    assert_eq!(
        ext.extensions,
        [
            BodyExtension::Number(42),
            BodyExtension::List(vec![
                BodyExtension::NString(Some(s("x"))),
                BodyExtension::Number(1)
            ])
        ]
    );
}

/// A subject sent as a literal inside ENVELOPE (8-bit text), and
/// address lists with group syntax.
#[test]
fn envelope_with_literal_and_groups() {
    let items = fetch_items(
        "* 9 FETCH (ENVELOPE (NIL {12}\r\nGrüße 🎉 NIL NIL NIL ((NIL NIL \"team\" NIL)(\"B\" NIL \"b\" \"x.org\")(NIL NIL NIL NIL)) NIL NIL NIL NIL))\r\n"
            .as_bytes(),
    );
    let FetchItem::Envelope(env) = &items[0] else {
        panic!()
    };
    assert_eq!(env.subject.as_ref().unwrap().to_str(), Some("Grüße 🎉"));
    assert!(env.to[0].is_group_start());
    assert!(env.to[2].is_group_end());
    assert!(env.from.is_empty());
}

/// Lenient reading of shapes some servers send: an empty parameter
/// list `()`, spaces between addresses, lower-case `nil`.
#[test]
fn lenient_shapes() {
    let body = structure(b"* 1 FETCH (BODY (\"text\" \"plain\" () nil nil \"7bit\" 1 1))\r\n");
    let BodyStructure::Single { part, ext: None } = body else {
        panic!()
    };
    assert!(part.params.is_empty() && part.id.is_none());
    let items = fetch_items(
        b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
    );
    let FetchItem::Envelope(env) = &items[0] else {
        panic!()
    };
    assert_eq!(env.from.len(), 2);
}

/// The encoder picks the string form: quoted for text, a literal for
/// CR/LF or 8-bit octets, NIL for none; atoms for mailbox names.
#[test]
fn encoder_string_forms() {
    let env = Envelope {
        subject: Some(AString::from("line\r\nbreak")),
        date: Some(AString::from("say \"hi\" \\o/")),
        from: vec![Address::new(Some("Ünïcode"), "u", "x.org")],
        ..Envelope::default()
    };
    let response = Response::Data(Data::Fetch {
        seq: NonZeroU32::MIN,
        items: vec![FetchItem::Envelope(Box::new(env.clone()))],
    });
    let bytes = response.to_bytes().unwrap();
    assert_eq!(
        bytes,
        "* 1 FETCH (ENVELOPE (\"say \\\"hi\\\" \\\\o/\" {11}\r\nline\r\nbreak ((\"Ünïcode\" NIL \"u\" \"x.org\")) NIL NIL NIL NIL NIL NIL NIL))\r\n"
            .replace("\"Ünïcode\"", "{9}\r\nÜnïcode")
            .as_bytes()
    );
    let (again, _) = Response::parse(&bytes).unwrap();
    assert_eq!(again, response);
}

/// Text and codes never carry CR/LF; NUL only in BINARY literal8;
/// PREAUTH/BYE are untagged.
#[test]
fn encoder_refuses_injection() {
    let mut out = Vec::new();
    let bad = Status::new(None, StatusKind::Ok, "hi\r\na2 OK fake");
    assert!(bad.encode(&mut out).is_err());
    assert!(out.is_empty(), "a refused value writes nothing");
    let bad = Status::new(None, StatusKind::Ok, "x").with_code(Code::Other {
        name: mailwire_imap::types::Atom::new("X").unwrap(),
        text: Some("a]b".into()),
    });
    assert!(bad.to_bytes().is_err());
    let bad = Status::new(Some(Tag::new("a1").unwrap()), StatusKind::Bye, "x");
    assert!(bad.to_bytes().is_err());
    let nul = Response::Data(Data::Fetch {
        seq: NonZeroU32::MIN,
        items: vec![FetchItem::Rfc822(Some(AString::from(&b"a\0b"[..])))],
    });
    assert!(nul.to_bytes().is_err());
    let binary = Response::Data(Data::Fetch {
        seq: NonZeroU32::MIN,
        items: vec![FetchItem::Binary {
            part: vec![],
            data: Some(AString::from(&b"a\0b"[..])),
        }],
    });
    assert_eq!(
        binary.to_bytes().unwrap(),
        b"* 1 FETCH (BINARY[] ~{3}\r\na\0b)\r\n"
    );
    assert!(
        Response::Data(Data::Other((&b"X\r\nY"[..]).into()))
            .to_bytes()
            .is_err()
    );
    assert!(
        Response::Data(Data::Other((&b"X {1}\r\nY"[..]).into()))
            .to_bytes()
            .is_ok()
    );
    let other = Response::Data(Data::Fetch {
        seq: NonZeroU32::MIN,
        items: vec![FetchItem::Other {
            name: "X-A".into(),
            value: (&b"(unbalanced"[..]).into(),
        }],
    });
    assert!(other.to_bytes().is_err());
}
