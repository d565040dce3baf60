//! MIME structure: RFC 2046 multipart bodies, attached messages, limits,
//! and the bodies decoded on demand.

use mailwire_core::encoding::TransferEncoding;
use mailwire_message::{Content, DefectKind, Limits, Message, Part};
use proptest::prelude::*;

fn kinds(message: &Message<'_>) -> Vec<DefectKind> {
    message.defects().iter().map(|d| d.kind()).collect()
}

fn bodies<'a>(part: &Part<'a>) -> Vec<&'a [u8]> {
    part.parts().iter().map(Part::body).collect()
}

fn essences(message: &Message<'_>) -> Vec<String> {
    message
        .root()
        .walk()
        .map(|p| p.content_type().essence())
        .collect()
}

/// RFC 2046 section 5.1.1, the example body (with preamble and epilogue).
const RFC2046_EXAMPLE: &str = concat!(
    "From: Nathaniel Borenstein <nsb@bellcore.com>\r\n",
    "To: Ned Freed <ned@innosoft.com>\r\n",
    "Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)\r\n",
    "Subject: Sample message\r\n",
    "MIME-Version: 1.0\r\n",
    "Content-type: multipart/mixed; boundary=\"simple boundary\"\r\n",
    "\r\n",
    "This is the preamble.  It is to be ignored, though it\r\n",
    "is a handy place for composition agents to include an\r\n",
    "explanatory note to non-MIME conformant readers.\r\n",
    "\r\n",
    "--simple boundary\r\n",
    "\r\n",
    "This is implicitly typed plain US-ASCII text.\r\n",
    "It does NOT end with a linebreak.\r\n",
    "--simple boundary\r\n",
    "Content-type: text/plain; charset=us-ascii\r\n",
    "\r\n",
    "This is explicitly typed plain US-ASCII text.\r\n",
    "It DOES end with a linebreak.\r\n",
    "\r\n",
    "--simple boundary--\r\n",
    "\r\n",
    "This is the epilogue.  It is also to be ignored.\r\n",
);

#[test]
fn rfc2046_multipart_example() {
    let message = Message::parse(RFC2046_EXAMPLE.as_bytes());
    assert!(message.defects().is_empty(), "{:?}", message.defects());
    let Content::Multipart(multipart) = message.root().content() else {
        panic!("not split");
    };
    assert!(multipart.is_closed());
    assert_eq!(
        multipart.preamble(),
        concat!(
            "This is the preamble.  It is to be ignored, though it\r\n",
            "is a handy place for composition agents to include an\r\n",
            "explanatory note to non-MIME conformant readers.\r\n",
        )
        .as_bytes()
    );
    assert_eq!(
        multipart.epilogue(),
        b"\r\nThis is the epilogue.  It is also to be ignored.\r\n"
    );
    assert_eq!(
        bodies(message.root()),
        [
            &b"This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak."
                [..],
            b"This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n",
        ]
    );
    let [first, second] = multipart.parts() else {
        panic!()
    };
    assert!(first.header().is_empty());
    assert!(first.content_type().is("text", "plain"));
    assert_eq!(second.header().len(), 1);
    // Offsets point into the input.
    let raw = RFC2046_EXAMPLE.as_bytes();
    for part in message.root().walk() {
        assert_eq!(
            &raw[part.offset()..part.offset() + part.raw().len()],
            part.raw()
        );
        assert_eq!(&raw[part.body_offset()..][..part.body().len()], part.body());
    }
    assert_eq!(message.raw(), raw);
}

#[test]
fn a_delimiter_is_a_whole_line() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=b\r\n",
        "\r\n",
        "--b\r\n",
        "\r\n",
        "text --b in a line\r\n",
        "--bogus is not a delimiter\r\n",
        "--b  \t\r\n",
        "\r\n",
        "second\r\n",
        "--b-- \r\n",
        "epilogue",
    );
    let message = Message::parse(raw.as_bytes());
    assert!(message.defects().is_empty());
    assert_eq!(
        bodies(message.root()),
        [
            &b"text --b in a line\r\n--bogus is not a delimiter"[..],
            b"second"
        ]
    );
    let Content::Multipart(multipart) = message.root().content() else {
        panic!()
    };
    assert_eq!(multipart.epilogue(), b"epilogue");
}

#[test]
fn a_close_delimiter_may_carry_junk() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=b\r\n",
        "\r\n",
        "--b\r\n",
        "\r\n",
        "one\r\n",
        "--b--junk\r\n",
        "epilogue\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(kinds(&message), [DefectKind::JunkAfterDelimiter]);
    assert_eq!(message.defects()[0].offset(), raw.find("junk").unwrap());
    let Content::Multipart(multipart) = message.root().content() else {
        panic!()
    };
    assert!(multipart.is_closed());
    assert_eq!(bodies(message.root()), [b"one"]);
    assert_eq!(multipart.epilogue(), b"epilogue\r\n");
}

#[test]
fn missing_close_delimiter_is_tolerated() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
        "\r\n",
        "--b\r\n",
        "\r\n",
        "one\r\n",
        "--b\r\n",
        "\r\n",
        "two, cut short\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(kinds(&message), [DefectKind::MissingCloseDelimiter]);
    assert_eq!(message.defects()[0].offset(), raw.len());
    assert_eq!(bodies(message.root()), [&b"one"[..], b"two, cut short\r\n"]);
}

#[test]
fn multipart_without_boundary_or_delimiter_stays_whole() {
    let message = Message::parse(b"Content-Type: multipart/mixed\r\n\r\nno parts\r\n");
    assert_eq!(kinds(&message), [DefectKind::MissingBoundary]);
    assert!(message.root().is_single());
    assert!(message.root().content_type().is("text", "plain"));
    assert_eq!(message.root().text().as_deref(), Some("no parts\r\n"));

    let message = Message::parse(b"Content-Type: multipart/mixed; boundary=x\r\n\r\nno parts\r\n");
    assert_eq!(kinds(&message), [DefectKind::NoDelimiter]);
    assert!(message.root().is_single());
    assert!(message.root().content_type().is("multipart", "mixed"));
}

#[test]
fn empty_parts_and_parts_without_header() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=b\r\n",
        "\r\n",
        "--b\r\n",
        "--b\r\n",
        "\r\n",
        "--b\r\n",
        "Content-Type: text/html\r\n",
        "--b--\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert!(message.defects().is_empty(), "{:?}", message.defects());
    let parts = message.root().parts();
    assert_eq!(parts.len(), 3);
    assert!(parts.iter().all(|p| p.body().is_empty()));
    assert!(parts[0].header().is_empty() && parts[1].header().is_empty());
    assert!(parts[2].content_type().is("text", "html"));
}

#[test]
fn part_header_without_empty_line() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=b\r\n",
        "\r\n",
        "--b\r\n",
        "Content-Type: text/plain\r\n",
        "body right after the header\r\n",
        "--b--\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(kinds(&message), [DefectKind::MissingHeaderBodySeparator]);
    assert_eq!(bodies(message.root()), [b"body right after the header"]);
}

#[test]
fn bare_lf_multipart() {
    let raw = "Content-Type: multipart/alternative; boundary=\"=_x\"\n\n--=_x\nContent-Type: text/plain\n\nplain\n--=_x\nContent-Type: text/html\n\n<p>html</p>\n--=_x--\n";
    let message = Message::parse(raw.as_bytes());
    assert!(kinds(&message).iter().all(|k| *k == DefectKind::BareLf));
    assert_eq!(bodies(message.root()), [&b"plain"[..], b"<p>html</p>"]);
}

#[test]
fn unquoted_boundary_with_tspecials() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=----=_Part_0_123.456\r\n",
        "\r\n",
        "------=_Part_0_123.456\r\n",
        "\r\n",
        "one\r\n",
        "------=_Part_0_123.456--\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(bodies(message.root()), [b"one"]);
}

const NESTED: &str = concat!(
    "From: a@example.com\r\n",
    "Content-Type: multipart/mixed; boundary=outer\r\n",
    "\r\n",
    "--outer\r\n",
    "Content-Type: multipart/alternative; boundary=inner\r\n",
    "\r\n",
    "--inner\r\n",
    "Content-Type: text/plain; charset=utf-8\r\n",
    "\r\n",
    "plain\r\n",
    "--inner\r\n",
    "Content-Type: text/html; charset=utf-8\r\n",
    "\r\n",
    "<b>html</b>\r\n",
    "--inner--\r\n",
    "--outer\r\n",
    "Content-Type: message/rfc822\r\n",
    "\r\n",
    "Subject: attached\r\n",
    "Content-Type: multipart/mixed; boundary=deep\r\n",
    "\r\n",
    "--deep\r\n",
    "\r\n",
    "inside the attached message\r\n",
    "--deep--\r\n",
    "--outer\r\n",
    "Content-Type: multipart/digest; boundary=d\r\n",
    "\r\n",
    "--d\r\n",
    "\r\n",
    "Subject: digest entry\r\n",
    "\r\n",
    "entry body\r\n",
    "--d--\r\n",
    "--outer--\r\n",
);

#[test]
fn nested_multiparts_messages_and_digests() {
    let message = Message::parse(NESTED.as_bytes());
    assert!(message.defects().is_empty(), "{:?}", message.defects());
    assert_eq!(
        essences(&message),
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "message/rfc822",
            "multipart/mixed",
            "text/plain",
            "multipart/digest",
            // The digest's part has no Content-Type: message/rfc822.
            "message/rfc822",
            "text/plain",
        ]
    );
    let attached = message.root().parts()[1].attached_message().unwrap();
    assert_eq!(
        attached.header().get("subject").unwrap().raw_value(),
        b" attached"
    );
    let leaves: Vec<_> = message
        .root()
        .leaves()
        .map(|p| p.text().unwrap().into_owned())
        .collect();
    assert_eq!(
        leaves,
        [
            "plain",
            "<b>html</b>",
            "inside the attached message",
            "entry body"
        ]
    );
}

#[test]
fn outer_boundary_ends_an_unclosed_inner_multipart() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=outer\r\n",
        "\r\n",
        "--outer\r\n",
        "Content-Type: multipart/mixed; boundary=inner\r\n",
        "\r\n",
        "--inner\r\n",
        "\r\n",
        "inner part, never closed\r\n",
        "--outer\r\n",
        "\r\n",
        "second outer part\r\n",
        "--outer--\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(kinds(&message), [DefectKind::MissingCloseDelimiter]);
    let leaves: Vec<_> = message.root().leaves().map(Part::body).collect();
    assert_eq!(
        leaves,
        [&b"inner part, never closed"[..], b"second outer part"]
    );
}

#[test]
fn an_inner_boundary_that_extends_the_outer_one() {
    // RFC 2046 forbids it, but it must not confuse the split.
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=ab\r\n",
        "\r\n",
        "--ab\r\n",
        "Content-Type: multipart/mixed; boundary=abc\r\n",
        "\r\n",
        "--abc\r\n",
        "\r\n",
        "x\r\n",
        "--abc--\r\n",
        "--ab--\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert!(message.defects().is_empty());
    assert_eq!(
        message.root().leaves().map(Part::body).collect::<Vec<_>>(),
        [b"x"]
    );
}

#[test]
fn encoded_message_rfc822_stays_single() {
    let raw = concat!(
        "Content-Type: message/rfc822\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        "\r\n",
        "U3ViamVjdDogaGkNCg0KYm9keQ==\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(kinds(&message), [DefectKind::EncodedMessage]);
    assert!(message.root().is_single());
    assert_eq!(&*message.root().decoded_body(), b"Subject: hi\r\n\r\nbody");
}

fn nested_multiparts(depth: usize) -> String {
    let mut raw = String::new();
    for level in 0..depth {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n--b{level}\r\n"
        ));
    }
    raw.push_str("\r\ncore\r\n");
    for level in (0..depth).rev() {
        raw.push_str(&format!("--b{level}--\r\n"));
    }
    raw
}

#[test]
fn nesting_limit() {
    let raw = nested_multiparts(30);
    let message = Message::parse(raw.as_bytes());
    assert!(message.defects().is_empty());
    assert_eq!(message.root().walk().count(), 31);
    assert_eq!(message.root().leaves().next().unwrap().body(), b"core");

    let raw = nested_multiparts(10_000);
    let message = Message::parse(raw.as_bytes());
    assert_eq!(kinds(&message), [DefectKind::NestingTooDeep]);
    assert_eq!(
        message.root().walk().count(),
        Limits::DEFAULT.max_nesting_depth + 1
    );

    let mut limits = Limits::DEFAULT;
    limits.max_nesting_depth = 2;
    let message = Message::parse_with_limits(NESTED.as_bytes(), &limits);
    assert!(kinds(&message).contains(&DefectKind::NestingTooDeep));
}

#[test]
fn part_limit() {
    let mut raw = String::from("Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for i in 0..5000 {
        raw.push_str(&format!("--b\r\n\r\npart {i}\r\n"));
    }
    raw.push_str("--b--\r\n");
    let message = Message::parse(raw.as_bytes());
    assert_eq!(kinds(&message), [DefectKind::TooManyParts]);
    assert_eq!(message.root().parts().len(), Limits::DEFAULT.max_mime_parts);
    let Content::Multipart(multipart) = message.root().content() else {
        panic!()
    };
    assert!(multipart.epilogue().starts_with(b"\r\npart 1000\r\n"));
}

#[test]
fn bodies_decode_on_demand() {
    let raw = concat!(
        "Content-Type: multipart/mixed; boundary=b\r\n",
        "\r\n",
        "--b\r\n",
        "Content-Type: text/plain; charset=\"ISO-8859-1\"\r\n",
        "Content-Transfer-Encoding: Quoted-Printable (it is)\r\n",
        "\r\n",
        "Andr=E9 a =\r\n",
        "dit =3D\r\n",
        "--b\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        "\r\n",
        "w6nDqMOg\r\n",
        "--b\r\n",
        "Content-Type: text/plain\r\n",
        "Content-Transfer-Encoding: 8bit\r\n",
        "\r\n",
        "caf\u{e9} (UTF-8, no charset)\r\n",
        "--b\r\n",
        "Content-Type: text/plain\r\n",
        "Content-Transfer-Encoding: x-unknown\r\n",
        "\r\n",
        "=E9 kept as is\r\n",
        "--b\r\n",
        "Content-Type: text/plain; charset=x-klingon\r\n",
        "\r\n",
        "plain ASCII\r\n",
        "--b--\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    let parts = message.root().parts();
    let texts: Vec<_> = parts
        .iter()
        .map(|p| p.text().unwrap().into_owned())
        .collect();
    assert_eq!(
        texts,
        [
            "Andr\u{e9} a dit =",
            "\u{e9}\u{e8}\u{e0}",
            "caf\u{e9} (UTF-8, no charset)",
            "=E9 kept as is",
            "plain ASCII",
        ]
    );
    assert_eq!(
        parts[0].transfer_encoding(),
        Some(TransferEncoding::QuotedPrintable)
    );
    assert_eq!(parts[3].transfer_encoding(), None);
    // Identity encodings borrow.
    assert!(matches!(
        parts[2].decoded_body(),
        std::borrow::Cow::Borrowed(_)
    ));
    let mut buffer = Vec::new();
    let sizes: Vec<_> = parts
        .iter()
        .map(|p| p.decode_body_into(&mut buffer))
        .collect();
    assert_eq!(sizes, [13, 6, 25, 14, 11]);
    // Lazy: none of this is a structure defect, all of it is found by validate.
    assert!(message.defects().is_empty());
    let found: Vec<_> = message.validate().iter().map(|d| d.kind()).collect();
    assert_eq!(
        found,
        [
            DefectKind::UnknownTransferEncoding,
            DefectKind::UnknownCharset
        ]
    );
}

#[test]
fn strict_mode_refuses_what_lenient_mode_records() {
    let ok = concat!(
        "From: a@example.com\r\n",
        "Subject: =?utf-8?q?caf=C3=A9?=\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n",
        "\r\n",
        "hi\r\n"
    );
    assert!(Message::parse_strict(ok.as_bytes()).is_ok());
    for (raw, kind) in [
        (
            "Content-Transfer-Encoding: quoted-printable\r\n\r\nbad =ZZ\r\n",
            DefectKind::InvalidQuotedPrintable,
        ),
        ("From: not an address\r\n\r\n", DefectKind::InvalidAddress),
        (
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n",
            DefectKind::MissingCloseDelimiter,
        ),
    ] {
        let error = Message::parse_strict(raw.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), kind, "{raw:?}");
        assert!(error.offset() <= raw.len());
    }
}

/// A random MIME tree, written out, for the structure properties.
#[derive(Debug, Clone)]
enum Tree {
    Leaf(Vec<u8>),
    Multi(Vec<Tree>),
    Message(Box<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = proptest::collection::vec(
        prop_oneof![Just(b'a'), Just(b'-'), Just(b'\r'), Just(b'\n'), Just(b' ')],
        0..40,
    )
    .prop_map(Tree::Leaf);
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(Tree::Multi),
            inner.prop_map(|t| Tree::Message(Box::new(t))),
        ]
    })
}

fn write_tree(tree: &Tree, level: &mut usize, out: &mut Vec<u8>) {
    match tree {
        Tree::Leaf(body) => {
            out.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
            out.extend_from_slice(body);
        }
        Tree::Multi(parts) => {
            *level += 1;
            let boundary = format!("=_{level}");
            out.extend_from_slice(
                format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n")
                    .as_bytes(),
            );
            for part in parts {
                out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
                write_tree(part, level, out);
            }
            out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        }
        Tree::Message(inner) => {
            out.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
            write_tree(inner, level, out);
        }
    }
}

fn same_shape(tree: &Tree, part: &Part<'_>) -> bool {
    match (tree, part.content()) {
        (Tree::Leaf(body), Content::Single) => part.body() == body.as_slice(),
        (Tree::Multi(trees), Content::Multipart(multipart)) => {
            trees.len() == multipart.parts().len()
                && trees
                    .iter()
                    .zip(multipart.parts())
                    .all(|(t, p)| same_shape(t, p))
        }
        (Tree::Message(inner), Content::Message(message)) => same_shape(inner, message),
        _ => false,
    }
}

proptest! {
    #[test]
    fn written_trees_parse_back(tree in tree()) {
        // Leaf bodies cannot hold a delimiter: they have no '=' and boundaries start with "=_".
        let mut raw = Vec::new();
        write_tree(&tree, &mut 0, &mut raw);
        let message = Message::parse(&raw);
        prop_assert!(same_shape(&tree, message.root()), "{:?}", String::from_utf8_lossy(&raw));
    }

    #[test]
    fn any_input_keeps_every_offset_inside(raw in proptest::collection::vec(
        prop_oneof![
            Just(b'-'), Just(b'b'), Just(b'\r'), Just(b'\n'), Just(b':'), Just(b' '),
            Just(b'C'), any::<u8>(),
        ],
        0..300,
    )) {
        let mut input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        input.extend_from_slice(&raw);
        for input in [&input[..], &raw[..]] {
            let message = Message::parse(input);
            prop_assert_eq!(message.raw(), input);
            for part in message.root().walk() {
                let end = part.offset() + part.raw().len();
                prop_assert!(end <= input.len());
                prop_assert_eq!(&input[part.offset()..end], part.raw());
                prop_assert!(part.body_offset() <= end);
                let _ = part.text();
            }
            for defect in message.validate() {
                prop_assert!(defect.offset() <= input.len());
            }
        }
    }
}
