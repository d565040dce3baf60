//! The message builder: what it writes parses back to what was given.
//!
//! Bodies are checked by splitting multiparts on their boundaries and
//! decoding with mailwire-core's decoders (a small helper here, until the
//! MIME tree parser lands).

use mailwire_core::encoding::TransferEncoding;
use mailwire_message::Message;
use mailwire_message::address::{Address, AddressList};
use mailwire_message::builder::{BuildError, Disposition, MailAddress, MessageBuilder, Part};
use mailwire_message::params::{ContentDisposition, ContentType};
use proptest::prelude::*;

// ------------------------------------------------------------- helpers

/// A builder with the required fields.
fn base() -> MessageBuilder {
    MessageBuilder::new()
        .from("sender@example.org")
        .date_rfc5322("Mon, 1 Jan 2024 12:00:00 +0000")
}

fn build(b: &MessageBuilder) -> Vec<u8> {
    let bytes = b.build().expect("builds");
    check_lines(&bytes);
    let message = Message::parse(&bytes);
    assert!(message.defects().is_empty(), "{:?}", message.defects());
    bytes
}

/// CRLF only, lines of at most 998 octets; header lines (of the message
/// and of every part) at most 78 where a fold point exists.
fn check_lines(bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at {i}");
        }
        if b == b'\r' {
            assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at {i}");
        }
    }
    for line in bytes.split(|&b| b == b'\n') {
        assert!(line.len() <= 999, "line of {} octets", line.len());
    }
    walk(bytes, &mut |entity| check_header_lines(entity));
}

fn check_header_lines(entity: &[u8]) {
    let message = Message::parse(entity);
    let header = &entity[..message.body_offset()];
    for line in header.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() <= 78 {
            continue;
        }
        // Longer lines only when they hold a single token.
        let mut rest = line;
        if !matches!(rest.first(), Some(b' ' | b'\t')) {
            let colon = rest.iter().position(|&b| b == b':').unwrap();
            rest = &rest[colon + 1..];
        }
        let rest = rest.trim_ascii();
        assert!(
            !rest.iter().any(|&b| b == b' ' || b == b'\t'),
            "foldable line of {} octets: {}",
            line.len(),
            String::from_utf8_lossy(line)
        );
    }
}

/// A header field's raw value.
fn field<'a>(entity: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let message = Message::parse(entity);
    message.header().get(name).map(|f| f.raw_value())
}

fn content_type(entity: &[u8]) -> ContentType<'_> {
    ContentType::parse(field(entity, "Content-Type").expect("Content-Type"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The body parts of a multipart entity, each as written (header, empty
/// line, body). The builder writes no preamble and no epilogue.
fn children(entity: &[u8]) -> Vec<&[u8]> {
    let ct = content_type(entity);
    let boundary = ct.boundary().expect("boundary").into_owned();
    let body = &entity[Message::parse(entity).body_offset()..];
    let delimiter = format!("--{boundary}");
    let separator = format!("\r\n--{boundary}");
    let mut rest = body
        .strip_prefix(delimiter.as_bytes())
        .expect("starts with the delimiter");
    let mut parts = Vec::new();
    loop {
        if let Some(close) = rest.strip_prefix(b"--") {
            assert!(close.is_empty() || close == b"\r\n", "epilogue: {close:?}");
            break;
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .expect("CRLF after the delimiter");
        let end = find(rest, separator.as_bytes()).expect("next delimiter");
        parts.push(&rest[..end]);
        rest = &rest[end + separator.len()..];
    }
    parts
}

/// Calls `f` on `entity` and every part under it.
fn walk(entity: &[u8], f: &mut dyn FnMut(&[u8])) {
    f(entity);
    if field(entity, "Content-Type").is_some() && content_type(entity).is_multipart() {
        for child in children(entity) {
            walk(child, f);
        }
    }
}

/// A leaf's body, transfer-decoded.
fn decoded(entity: &[u8]) -> Vec<u8> {
    let body = &entity[Message::parse(entity).body_offset()..];
    let te = field(entity, "Content-Transfer-Encoding").map_or(TransferEncoding::SevenBit, |v| {
        TransferEncoding::parse(v).expect("known encoding")
    });
    match te {
        TransferEncoding::Base64 => mailwire_core::encoding::base64::decode(body).expect("base64"),
        TransferEncoding::QuotedPrintable => mailwire_core::encoding::qp::decode(body).expect("qp"),
        _ => body.to_vec(),
    }
}

fn encoding_of(entity: &[u8]) -> String {
    String::from_utf8(
        field(entity, "Content-Transfer-Encoding")
            .unwrap()
            .trim_ascii()
            .to_vec(),
    )
    .unwrap()
}

/// The shape of the MIME tree: `type/subtype` with children in brackets.
fn shape(entity: &[u8]) -> String {
    let ct = content_type(entity);
    if ct.is_multipart() {
        let inner: Vec<String> = children(entity).into_iter().map(shape).collect();
        format!("{}[{}]", ct.essence(), inner.join(","))
    } else {
        ct.essence()
    }
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

fn names(bytes: &[u8], name: &str) -> Vec<(Option<String>, String)> {
    AddressList::parse(field(bytes, name).unwrap())
        .mailboxes()
        .map(|m| (m.name().map(|n| n.into_owned()), m.mailbox().to_string()))
        .collect()
}

/// What the builder promises for a display name.
fn expected_name(name: &str) -> Option<String> {
    let trimmed = name.trim_matches([' ', '\t']);
    (!trimmed.trim().is_empty()).then(|| trimmed.to_string())
}

// ------------------------------------------------------------- whole messages

#[test]
fn full_message_round_trip() {
    let png: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let forwarded = b"From: x@example.com\nSubject: old\n\nold body\n".to_vec();
    let b = MessageBuilder::new()
        .from(("Zo\u{eb} Dupont", "zoe@example.org"))
        .to("ann@example.net")
        .to(("Bob \"the builder\" Smith", "bob@example.net"))
        .cc(("\u{5c71}\u{7530} \u{592a}\u{90ce}", "taro@example.jp"))
        .reply_to("list@example.org")
        .subject("R\u{e9}union: ordre du jour \u{2014} vendredi")
        .date_unix(1_700_000_000, 120)
        .message_id("<abc.123@example.org>")
        .in_reply_to("prev.1@example.org")
        .references("root.0@example.org")
        .references("prev.1@example.org")
        .header("X-Tag", "\u{1f600} smile")
        .text_body("Bonjour,\nvoici l'ordre du jour.\n")
        .html_body("<p>Bonjour,<br><img src=\"cid:logo@example.org\"></p>\n")
        .inline("image/png", "logo@example.org", png.clone())
        .attachment(
            "application/pdf",
            "ordre du jour \u{2013} 2024.pdf",
            pdf.clone(),
        )
        .attach_message(forwarded.clone());
    let bytes = build(&b);
    let message = Message::parse(&bytes);
    assert_eq!(
        message.subject().as_deref(),
        Some("R\u{e9}union: ordre du jour \u{2014} vendredi")
    );
    assert_eq!(
        message.unstructured("X-Tag").as_deref(),
        Some("\u{1f600} smile")
    );
    assert_eq!(
        field(&bytes, "Date").unwrap(),
        b" Wed, 15 Nov 2023 00:13:20 +0200"
    );
    assert_eq!(
        field(&bytes, "Message-ID").unwrap(),
        b" <abc.123@example.org>"
    );
    assert_eq!(
        field(&bytes, "In-Reply-To").unwrap(),
        b" <prev.1@example.org>"
    );
    assert_eq!(
        field(&bytes, "References").unwrap(),
        b" <root.0@example.org> <prev.1@example.org>"
    );
    assert_eq!(field(&bytes, "MIME-Version").unwrap(), b" 1.0");
    assert_eq!(
        names(&bytes, "From"),
        [(Some("Zo\u{eb} Dupont".into()), "zoe@example.org".into())]
    );
    assert_eq!(
        names(&bytes, "To"),
        [
            (None, "ann@example.net".into()),
            (
                Some("Bob \"the builder\" Smith".into()),
                "bob@example.net".into()
            )
        ]
    );
    assert_eq!(
        names(&bytes, "Cc")[0].0.as_deref(),
        Some("\u{5c71}\u{7530} \u{592a}\u{90ce}")
    );
    assert_eq!(names(&bytes, "Reply-To")[0].1, "list@example.org");

    assert_eq!(
        shape(&bytes),
        "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,image/png]],application/pdf,message/rfc822]"
    );
    let top = children(&bytes);
    let alternative = children(top[0]);
    let text = alternative[0];
    assert_eq!(decoded(text), crlf("Bonjour,\nvoici l'ordre du jour.\n"));
    assert_eq!(content_type(text).charset().as_deref(), Some("utf-8"));
    let related = children(alternative[1]);
    assert_eq!(
        decoded(related[0]),
        crlf("<p>Bonjour,<br><img src=\"cid:logo@example.org\"></p>\n")
    );
    assert_eq!(decoded(related[1]), png);
    assert_eq!(encoding_of(related[1]), "base64");
    assert_eq!(
        field(related[1], "Content-ID").unwrap(),
        b" <logo@example.org>"
    );
    let cd = ContentDisposition::parse(field(related[1], "Content-Disposition").unwrap());
    assert!(!cd.is_attachment());

    let cd = ContentDisposition::parse(field(top[1], "Content-Disposition").unwrap());
    assert!(cd.is_attachment());
    assert_eq!(
        cd.filename().as_deref(),
        Some("ordre du jour \u{2013} 2024.pdf")
    );
    assert_eq!(
        content_type(top[1]).name().as_deref(),
        Some("ordre du jour \u{2013} 2024.pdf")
    );
    assert_eq!(decoded(top[1]), pdf);

    // message/rfc822 is never encoded; its line endings become CRLF.
    assert_eq!(encoding_of(top[2]), "7bit");
    assert_eq!(
        decoded(top[2]),
        crlf(std::str::from_utf8(&forwarded).unwrap())
    );
    let inner = Message::parse(&top[2][Message::parse(top[2]).body_offset()..]);
    assert_eq!(inner.subject().as_deref(), Some("old"));
}

#[test]
fn simple_text_message_is_not_multipart() {
    let bytes = build(
        &base()
            .to("a@example.net")
            .subject("Hi")
            .text_body("one\ntwo\rthree\r\nfour"),
    );
    assert_eq!(shape(&bytes), "text/plain");
    assert_eq!(decoded(&bytes), b"one\r\ntwo\r\nthree\r\nfour");
    assert_eq!(encoding_of(&bytes), "7bit");
}

#[test]
fn no_body_means_no_mime_fields() {
    let bytes = build(&base().subject("nothing"));
    assert!(field(&bytes, "MIME-Version").is_none());
    assert!(field(&bytes, "Content-Type").is_none());
    assert!(bytes.ends_with(b"Subject: nothing\r\n\r\n"));
}

#[test]
fn html_only_and_inline_without_html() {
    let bytes = build(&base().html_body("<b>x</b>"));
    assert_eq!(shape(&bytes), "text/html");
    let bytes = build(&base().text_body("see picture").inline(
        "image/gif",
        "pic@x.example",
        b"GIF89a".to_vec(),
    ));
    assert_eq!(shape(&bytes), "multipart/related[text/plain,image/gif]");
    let bytes = build(&base().attachment("application/zip", "a.zip", vec![0x50, 0x4b, 3, 4, 0, 0]));
    assert_eq!(shape(&bytes), "multipart/mixed[application/zip]");
}

#[test]
fn write_to_writes_what_build_returns() {
    let b = base().subject("x").text_body("y");
    let mut out = Vec::new();
    b.write_to(&mut out).unwrap();
    assert_eq!(out, b.build().unwrap());
    // And building is deterministic.
    assert_eq!(b.build().unwrap(), b.clone().build().unwrap());
}

#[test]
fn write_to_reports_io_errors() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = base().write_to(&mut Broken).unwrap_err();
    assert!(matches!(err, BuildError::Io(_)));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn bcc_is_hidden_unless_asked() {
    let b = base()
        .to("a@example.net")
        .bcc(("Hidden", "h@example.net"))
        .bcc_group("G", ["g@example.net"]);
    let bytes = build(&b);
    assert!(field(&bytes, "Bcc").is_none());
    assert!(find(&bytes, b"h@example.net").is_none());
    assert_eq!(
        b.envelope_recipients().unwrap(),
        ["a@example.net", "h@example.net", "g@example.net"]
    );
    let bytes = build(&b.write_bcc(true));
    let list = AddressList::parse(field(&bytes, "Bcc").unwrap());
    assert_eq!(list.len(), 2);
    assert!(matches!(&list[1], Address::Group(g) if g.name() == "G" && g.members().len() == 1));
}

#[test]
fn groups_round_trip() {
    let b = base()
        .to_group("undisclosed-recipients", Vec::<MailAddress>::new())
        .to("solo@example.net")
        .cc_group(
            "\u{c9}quipe \u{e9}t\u{e9}",
            [("Ann", "ann@example.net"), ("B\u{f6}b", "bob@example.net")],
        );
    let bytes = build(&b);
    let to = AddressList::parse(field(&bytes, "To").unwrap());
    assert!(
        matches!(&to[0], Address::Group(g) if g.name() == "undisclosed-recipients" && g.members().is_empty())
    );
    assert!(matches!(&to[1], Address::Mailbox(m) if m.mailbox().to_string() == "solo@example.net"));
    let cc = AddressList::parse(field(&bytes, "Cc").unwrap());
    let Address::Group(g) = &cc[0] else {
        panic!("a group")
    };
    assert_eq!(g.name(), "\u{c9}quipe \u{e9}t\u{e9}");
    assert_eq!(g.members()[1].name().as_deref(), Some("B\u{f6}b"));
    assert!(matches!(
        base().to_group(" ", ["a@example.net"]).build(),
        Err(BuildError::EmptyGroupName { .. })
    ));
}

#[test]
fn many_addresses_fold() {
    let mut b = base();
    for i in 0..40 {
        b = b.to((
            format!("Person Number {i}"),
            format!("person{i}@example.net"),
        ));
    }
    let bytes = build(&b);
    let got = names(&bytes, "To");
    assert_eq!(got.len(), 40);
    assert_eq!(
        got[39],
        (
            Some("Person Number 39".into()),
            "person39@example.net".into()
        )
    );
}

#[test]
fn addresses_are_canonical() {
    let bytes = build(
        &base()
            .to("\"joe\"@Example.ORG")
            .to(" jdoe@machine(comment).  example "),
    );
    assert_eq!(
        field(&bytes, "To").unwrap(),
        b" joe@Example.ORG, jdoe@machine.example"
    );
    let bytes = build(&base().to(("J\u{f6}rg", "j\u{f6}rg@b\u{fc}cher.example")));
    assert_eq!(
        names(&bytes, "To"),
        [(
            Some("J\u{f6}rg".into()),
            "j\u{f6}rg@b\u{fc}cher.example".into()
        )]
    );
    let bytes = build(&base().to(("", "a@example.net")).to(("  ", "b@example.net")));
    assert_eq!(
        field(&bytes, "To").unwrap(),
        b" a@example.net, b@example.net"
    );
}

#[test]
fn display_names() {
    for name in [
        "Mary Smith",
        "John Q. Public",
        "a, b <c>",
        "quote\" and \\ backslash",
        "=?utf-8?q?not_encoded?=",
        "J\u{f8}rn",
        "tab\tinside",
        "two  spaces",
        &"x".repeat(200),
        &"\u{e9}".repeat(200),
        &"word ".repeat(40),
    ] {
        let bytes = build(&base().to((name, "a@example.net")));
        assert_eq!(names(&bytes, "To")[0].0, expected_name(name), "{name:?}");
    }
    // Trimmed at both ends.
    let bytes = build(&base().to(("  Ann  ", "a@example.net")));
    assert_eq!(field(&bytes, "To").unwrap(), b" Ann <a@example.net>");
}

#[test]
fn subjects() {
    for subject in [
        "",
        " ",
        "plain",
        " leading and trailing ",
        "\ttabs\tand  double  spaces\t",
        "=?utf-8?q?looks_encoded?=",
        "a=?b?c?=d",
        "?= =? =?? =?x?",
        "Re: [list] caf\u{e9}",
        "\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{4ef6}\u{540d}",
        "\u{1f600}\u{1f601}\u{1f602}",
        "ctl\u{1}\u{7f}chars",
        &"long subject words ".repeat(30),
        &"\u{e9}\u{e8}".repeat(300),
        &"y".repeat(1500),
        &format!("gap{}gap", " ".repeat(200)),
    ] {
        let bytes = build(&base().subject(subject));
        assert_eq!(
            Message::parse(&bytes).subject().as_deref(),
            Some(subject),
            "{subject:?}"
        );
    }
}

#[test]
fn huge_values_are_written_in_linear_time() {
    let subject = "\u{e9}t\u{e9} ".repeat(50_000);
    let start = std::time::Instant::now();
    let bytes = build(
        &base()
            .subject(subject.as_str())
            .to((subject.as_str(), "a@example.org")),
    );
    assert!(start.elapsed().as_secs() < 20);
    assert_eq!(
        Message::parse(&bytes).subject().as_deref(),
        Some(subject.as_str())
    );
}

#[test]
fn encoded_words_stay_short() {
    let bytes = build(&base().subject("\u{1f600} ".repeat(100)));
    let raw = field(&bytes, "Subject").unwrap();
    for word in raw
        .split(|&b| b == b' ' || b == b'\n' || b == b'\r')
        .filter(|w| w.starts_with(b"=?"))
    {
        assert!(word.len() <= 75);
    }
}

#[test]
fn custom_headers() {
    let b = base()
        .header("X-Priority", "1")
        .header("Comments", " \u{e9}t\u{e9} ")
        .raw_header(
            "List-Unsubscribe",
            " <mailto:leave@example.org>, <https://example.org/leave> ",
        )
        .raw_header("X-Long", "token ".repeat(50));
    let bytes = build(&b);
    let message = Message::parse(&bytes);
    assert_eq!(
        message.unstructured("Comments").as_deref(),
        Some(" \u{e9}t\u{e9} ")
    );
    assert_eq!(message.unstructured("X-Priority").as_deref(), Some("1"));
    assert_eq!(
        field(&bytes, "List-Unsubscribe").unwrap(),
        b" <mailto:leave@example.org>, <https://example.org/leave>"
    );
    let long = message.header().get("X-Long").unwrap().unfolded();
    assert_eq!(
        &*long,
        format!(" {}", "token ".repeat(50).trim_end()).as_bytes()
    );
    assert!(matches!(
        base().raw_header("X-Huge", "z".repeat(1000)).build(),
        Err(BuildError::LineTooLong(_))
    ));
}

#[test]
fn many_references_fold() {
    let mut b = base();
    for i in 0..30 {
        b = b.references(format!("message.{i}@example.org"));
    }
    let bytes = build(&b);
    let refs = Message::parse(&bytes)
        .header()
        .get("References")
        .unwrap()
        .unfolded()
        .into_owned();
    assert_eq!(
        refs.split(|&b| b == b' ').filter(|s| !s.is_empty()).count(),
        30
    );
}

// ------------------------------------------------------------- parameters

#[test]
fn filenames() {
    for name in [
        "report.pdf",
        "with space.txt",
        "\u{20ac}.txt",
        "quote\"s and \\.txt",
        "=?utf-8?q?x?=.txt",
        "semi;colon=equals.txt",
        "  spaced  ",
        "",
        &"a".repeat(200),
        &format!("{}.txt", "\u{fc}".repeat(200)),
        &"\u{1f600}".repeat(200),
    ] {
        let bytes = build(&base().attachment("application/octet-stream", name, vec![1, 2, 3]));
        let part = children(&bytes)[0];
        let cd = ContentDisposition::parse(field(part, "Content-Disposition").unwrap());
        assert_eq!(cd.filename().as_deref(), Some(name), "filename {name:?}");
        assert_eq!(
            content_type(part).name().as_deref(),
            Some(name),
            "name {name:?}"
        );
    }
}

#[test]
fn rfc2231_forms() {
    let bytes = build(&base().attachment("text/plain", "\u{20ac}.txt", b"x".to_vec()));
    let part = children(&bytes)[0];
    assert_eq!(
        field(part, "Content-Disposition").unwrap(),
        b" attachment; filename*=utf-8''%E2%82%AC.txt"
    );
    let long = "n".repeat(200);
    let bytes = build(&base().attachment("text/plain", long.as_str(), b"x".to_vec()));
    let part = children(&bytes)[0];
    let cd = field(part, "Content-Disposition").unwrap();
    assert!(find(cd, b"filename*0=\"nnn").is_some());
    assert!(find(cd, b"filename*2=\"nnn").is_some());
}

#[test]
fn custom_params() {
    let part = Part::text_with_type("text/plain", "x")
        .param("format", "flowed")
        .param("title", "\u{e9}t\u{e9} ".repeat(30));
    let bytes = build(&base().body(part));
    let ct = content_type(&bytes);
    assert_eq!(ct.params().get("format").as_deref(), Some("flowed"));
    assert_eq!(
        ct.params().get("title").as_deref(),
        Some("\u{e9}t\u{e9} ".repeat(30).as_str())
    );
    assert_eq!(ct.charset().as_deref(), Some("utf-8"));
    for bad in ["boundary", "charset", "name", "a b", "x*", ""] {
        let r = base().body(Part::text("x").param(bad, "v")).build();
        assert!(matches!(r, Err(BuildError::InvalidParameter(_))), "{bad}");
    }
    // charset is the user's on a binary text part.
    let bytes = build(
        &base()
            .body(Part::binary("text/plain", b"caf\xe9".to_vec()).param("charset", "iso-8859-1")),
    );
    assert_eq!(
        content_type(&bytes).charset().as_deref(),
        Some("iso-8859-1")
    );
    assert_eq!(decoded(&bytes), b"caf\xe9");
}

// ------------------------------------------------------------- bodies

#[test]
fn transfer_encodings_by_content() {
    let cases: [(&str, &str); 4] = [
        ("Hello\nWorld\n", "7bit"),
        (
            "Gr\u{fc}\u{df}e aus K\u{f6}ln, wo es heute regnet.\n",
            "quoted-printable",
        ),
        (
            "\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{30c6}\u{30ad}\u{30b9}\u{30c8}",
            "base64",
        ),
        (&"long line ".repeat(200), "quoted-printable"),
    ];
    for (text, expected) in cases {
        let bytes = build(&base().text_body(text));
        assert_eq!(encoding_of(&bytes), expected, "{text:?}");
        assert_eq!(decoded(&bytes), crlf(text));
    }
}

#[test]
fn binary_is_kept_exactly() {
    let data: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let bytes = build(&base().attachment("application/octet-stream", "x.bin", data.clone()));
    assert_eq!(decoded(children(&bytes)[0]), data);
    // A base64 body alone ends with a line break (which base64 ignores).
    let bytes = build(&base().body(Part::binary("image/png", data.clone())));
    assert!(bytes.ends_with(b"\r\n"));
    assert_eq!(decoded(&bytes), data);
    // Mostly ASCII with bare LF and CR: quoted-printable keeps them.
    let data = b"{\"a\": 1,\n \"b\": \"\xc3\xa9\"}\r\x00\n".repeat(20);
    let bytes = build(&base().attachment("application/json", "x.json", data.clone()));
    let part = children(&bytes)[0];
    assert_eq!(decoded(part), data);
}

#[test]
fn attached_messages_are_never_encoded() {
    let cases: [(&[u8], &str); 3] = [
        (b"Subject: a\r\n\r\nascii\r\n", "7bit"),
        ("Subject: \u{e9}\n\n\u{e9}t\u{e9}\n".as_bytes(), "8bit"),
        (b"Subject: nul\r\n\r\na\x00b\r\n", "binary"),
    ];
    for (raw, expected) in cases {
        let bytes = base().attach_message(raw).build().unwrap();
        let part = children(&bytes)[0];
        assert_eq!(encoding_of(part), expected);
        assert_eq!(
            decoded(part),
            crlf(&String::from_utf8_lossy(raw)).as_slice()
        );
        // The multipart says what it holds.
        match expected {
            "7bit" => assert!(field(&bytes, "Content-Transfer-Encoding").is_none()),
            _ => assert_eq!(encoding_of(&bytes), expected),
        }
    }
}

#[test]
fn boundary_lookalikes_in_content() {
    // Text that holds delimiter-like lines, and nested multiparts: every
    // boundary differs and the tree splits back as built.
    let trap = "--=_mw0000000000000000\n--=_mw\n--\n".repeat(5);
    let tree = Part::multipart(
        "mixed",
        [
            Part::text(trap.clone()),
            Part::multipart(
                "alternative",
                [
                    Part::text(trap.clone()),
                    Part::multipart("related", [Part::html(trap.clone())]),
                ],
            ),
            Part::multipart(
                "digest",
                [Part::message(b"Subject: d\r\n\r\n--=_mw\r\n".to_vec())],
            ),
        ],
    );
    let bytes = build(&base().body(tree));
    assert_eq!(
        shape(&bytes),
        "multipart/mixed[text/plain,multipart/alternative[text/plain,multipart/related[text/html]],multipart/digest[message/rfc822]]"
    );
    let mut boundaries = Vec::new();
    walk(&bytes, &mut |e| {
        let ct = content_type(e);
        if let Some(b) = ct.boundary() {
            boundaries.push(b.into_owned());
        } else if ct.is("text", "plain") || ct.is("text", "html") {
            assert_eq!(decoded(e), crlf(&trap));
        }
    });
    assert_eq!(boundaries.len(), 4);
    for (i, a) in boundaries.iter().enumerate() {
        for b in &boundaries[i + 1..] {
            assert!(!a.starts_with(b.as_str()) && !b.starts_with(a.as_str()));
        }
    }
}

#[test]
fn part_fields() {
    let part = Part::binary("image/jpeg", vec![0xff, 0xd8, 0xff])
        .description("Photo du caf\u{e9}")
        .content_id("photo.1@example.org")
        .header("Content-Language", "fr");
    let bytes = build(&base().body(part));
    let message = Message::parse(&bytes);
    assert_eq!(
        message.unstructured("Content-Description").as_deref(),
        Some("Photo du caf\u{e9}")
    );
    assert_eq!(
        field(&bytes, "Content-ID").unwrap(),
        b" <photo.1@example.org>"
    );
    assert_eq!(field(&bytes, "Content-Language").unwrap(), b" fr");
    // An inline part with a file name stays inline.
    let bytes = build(
        &base().body(
            Part::text("x")
                .filename("x.txt")
                .disposition(Disposition::Inline),
        ),
    );
    let cd = ContentDisposition::parse(field(&bytes, "Content-Disposition").unwrap());
    assert!(!cd.is_attachment());
    assert_eq!(cd.filename().as_deref(), Some("x.txt"));
}

// ------------------------------------------------------------- errors

#[test]
fn required_fields() {
    assert!(matches!(
        MessageBuilder::new().from("a@example.org").build(),
        Err(BuildError::MissingField("Date"))
    ));
    assert!(matches!(
        MessageBuilder::new().date_unix(0, 0).build(),
        Err(BuildError::MissingField("From"))
    ));
    assert!(matches!(
        base().from("b@example.org").build(),
        Err(BuildError::SenderRequired)
    ));
    assert!(
        base()
            .from("b@example.org")
            .sender("b@example.org")
            .build()
            .is_ok()
    );
    for date in [
        "",
        "tomorrow",
        "2024-01-01",
        "Mon, 1 Jan 24 12:00 +0000",
        "Mon, 1 Jan 2024 12:00",
    ] {
        assert!(
            matches!(
                base().date_rfc5322(date).build(),
                Err(BuildError::InvalidDate(_))
            ),
            "{date}"
        );
    }
    assert!(matches!(
        base().date_unix(0, 1440).build(),
        Err(BuildError::InvalidDate(_))
    ));
}

#[test]
fn invalid_values() {
    for address in ["", "no-at", "a@", "@b", "a b@c", "<a@b>", "a@b, c@d"] {
        let r = base().to(address).build();
        assert!(
            matches!(r, Err(BuildError::InvalidAddress { .. })),
            "{address}"
        );
    }
    for id in ["", "noat", "a b@c", "<a@b", "a@b@c", "a@[x]]"] {
        let r = base().message_id(id).build();
        assert!(
            matches!(r, Err(BuildError::InvalidMessageId { .. })),
            "{id}"
        );
    }
    assert!(base().message_id("a.b@[127.0.0.1]").build().is_ok());
    for ct in [
        "text",
        "text/",
        "/plain",
        "te xt/plain",
        "text/plain; charset=x",
    ] {
        let r = base().body(Part::binary(ct, vec![])).build();
        assert!(matches!(r, Err(BuildError::InvalidContentType(_))), "{ct}");
    }
    assert!(matches!(
        base().body(Part::binary("multipart/mixed", vec![])).build(),
        Err(BuildError::InvalidContentType(_))
    ));
    assert!(matches!(
        base().body(Part::multipart("mixed", [])).build(),
        Err(BuildError::EmptyMultipart)
    ));
    assert!(matches!(
        base().text_body("x").body(Part::text("y")).build(),
        Err(BuildError::ConflictingBody)
    ));
    let mut deep = Part::text("leaf");
    for _ in 0..70 {
        deep = Part::multipart("mixed", [deep]);
    }
    assert!(matches!(
        base().body(deep).build(),
        Err(BuildError::TooDeep)
    ));
}

#[test]
fn bad_header_names() {
    for name in [
        "",
        "X Y",
        "X:Y",
        "X-\u{e9}",
        "X\u{7f}",
        "X\tY",
        &"X".repeat(901),
    ] {
        let r = base().header(name, "v").build();
        assert!(
            matches!(r, Err(BuildError::InvalidHeaderName(_))),
            "{name:?}"
        );
        let r = base().body(Part::text("x").header(name, "v")).build();
        assert!(
            matches!(r, Err(BuildError::InvalidHeaderName(_))),
            "{name:?}"
        );
    }
    for name in [
        "from",
        "SUBJECT",
        "Bcc",
        "Content-Type",
        "mime-version",
        "Message-Id",
    ] {
        let r = base().header(name, "v").build();
        assert!(matches!(r, Err(BuildError::ReservedHeader(_))), "{name}");
        let r = base().raw_header(name, "v").build();
        assert!(matches!(r, Err(BuildError::ReservedHeader(_))), "{name}");
    }
    let r = base()
        .body(Part::text("x").header("Content-Transfer-Encoding", "8bit"))
        .build();
    assert!(matches!(r, Err(BuildError::ReservedHeader(_))));
}

/// Every user value, each with CR, LF and NUL.
#[test]
fn injection_is_refused() {
    type Setter = fn(MessageBuilder, &str) -> MessageBuilder;
    let setters: Vec<(&str, Setter)> = vec![
        ("subject", |b, v| b.subject(v)),
        ("header", |b, v| b.header("X-A", v)),
        ("raw_header", |b, v| b.raw_header("X-A", v)),
        ("to address", |b, v| b.to(format!("a{v}@example.org"))),
        ("to name", |b, v| b.to((v, "a@example.org"))),
        ("cc", |b, v| b.cc((v, "a@example.org"))),
        ("bcc", |b, v| b.bcc((v, "a@example.org"))),
        ("reply_to", |b, v| b.reply_to((v, "a@example.org"))),
        ("sender", |b, v| b.sender((v, "a@example.org"))),
        ("from", |b, v| {
            b.from(format!("x{v}y@example.org")).sender("s@example.org")
        }),
        ("group", |b, v| {
            b.to_group(&format!("g{v}"), ["a@example.org"])
        }),
        ("date", |b, v| {
            b.date_rfc5322(format!("Mon, 1 Jan 2024 12:00:00 +0000 (x{v})"))
        }),
        ("message_id", |b, v| b.message_id(format!("a{v}@b"))),
        ("in_reply_to", |b, v| b.in_reply_to(format!("a@b{v}"))),
        ("references", |b, v| b.references(format!("a@b{v}"))),
        ("filename", |b, v| {
            b.attachment("text/plain", format!("a{v}.txt"), vec![])
        }),
        ("content_id", |b, v| {
            b.inline("image/png", format!("a{v}@b"), vec![])
        }),
        ("param", |b, v| b.body(Part::text("x").param("p", v))),
        ("description", |b, v| b.body(Part::text("x").description(v))),
        ("part header", |b, v| {
            b.body(Part::text("x").header("X-B", v))
        }),
    ];
    for (what, set) in &setters {
        for bad in ["a\rb", "a\nb", "a\r\nBcc: x@y", "a\0b", "\n"] {
            let r = set(base(), bad).build();
            assert!(
                matches!(r, Err(BuildError::ForbiddenCharacter { .. })),
                "{what} with {bad:?}: {r:?}"
            );
        }
        assert!(set(base(), "fine").build().is_ok(), "{what}");
    }
    // Bodies may hold anything: they are encoded.
    let bytes = build(&base().text_body("a\rb\0c\n.\r\n"));
    assert_eq!(decoded(&bytes), b"a\r\nb\0c\r\n.\r\n");
}

// ------------------------------------------------------------- properties

/// Text with what makes header writing hard.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("  ".to_string()),
        Just("=?".to_string()),
        Just("?=".to_string()),
        Just("=?utf-8?q?a?=".to_string()),
        Just("_".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        "[a-zA-Z0-9.,;:<>()@]{1,12}",
        "\\PC{1,6}",
        any::<char>()
            .prop_filter("no CR, LF, NUL", |c| !matches!(c, '\r' | '\n' | '\0'))
            .prop_map(String::from),
        "[\u{e0}-\u{ff}\u{4e00}-\u{4e20}\u{1f600}-\u{1f610}]{1,30}",
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn subject_round_trips(subject in tricky_text()) {
        let bytes = build(&base().subject(subject.as_str()));
        let got = Message::parse(&bytes).subject().map(|s| s.into_owned());
        prop_assert_eq!(got.as_deref(), Some(subject.as_str()));
    }

    #[test]
    fn unstructured_header_round_trips(value in tricky_text()) {
        let bytes = build(&base().header("X-Value", value.as_str()));
        let got = Message::parse(&bytes).unstructured("X-Value").map(|s| s.into_owned());
        prop_assert_eq!(got.as_deref(), Some(value.as_str()));
    }

    #[test]
    fn display_name_round_trips(name in tricky_text(), name2 in tricky_text()) {
        let bytes = build(&base().to((name.as_str(), "a@example.org")).to((name2.as_str(), "b@example.org")));
        let got = names(&bytes, "To");
        prop_assert_eq!(got.len(), 2);
        prop_assert_eq!(&got[0].0, &expected_name(&name));
        prop_assert_eq!(&got[1].0, &expected_name(&name2));
        prop_assert_eq!(&got[1].1, "b@example.org");
    }

    #[test]
    fn filename_round_trips(name in tricky_text()) {
        let bytes = build(&base().attachment("application/octet-stream", name.as_str(), vec![0u8; 4]));
        let part = children(&bytes)[0];
        let cd = ContentDisposition::parse(field(part, "Content-Disposition").unwrap());
        let filename = cd.filename().map(|s| s.into_owned());
        prop_assert_eq!(filename.as_deref(), Some(name.as_str()));
        let ct_name = content_type(part).name().map(|s| s.into_owned());
        prop_assert_eq!(ct_name.as_deref(), Some(name.as_str()));
    }

    #[test]
    fn text_bodies_round_trip(text in "(\\PC|[\r\n\t ]){0,400}", html in "\\PC{0,100}") {
        let bytes = build(&base().text_body(text.as_str()).html_body(html.as_str()));
        let parts = children(&bytes);
        prop_assert_eq!(decoded(parts[0]), crlf(&text));
        prop_assert_eq!(decoded(parts[1]), crlf(&html));
    }

    #[test]
    fn binary_bodies_round_trip(data in prop::collection::vec(any::<u8>(), 0..3000), ascii in "[ -~\r\n]{0,2000}") {
        let bytes = build(
            &base()
                .attachment("application/octet-stream", "a.bin", data.clone())
                .attachment("text/plain", "b.txt", ascii.clone().into_bytes()),
        );
        let parts = children(&bytes);
        prop_assert_eq!(decoded(parts[0]), data);
        prop_assert_eq!(decoded(parts[1]), ascii.into_bytes());
    }
}
