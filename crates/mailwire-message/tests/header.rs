//! The header block: RFC 5322 examples, real-world damage, offsets and
//! byte-exact raw slices.

use mailwire_message::{DefectKind, Limits, Message};
use proptest::prelude::*;

fn names<'a>(message: &'a Message<'_>) -> Vec<&'a str> {
    message.header().fields().iter().map(|f| f.name()).collect()
}

fn kinds(message: &Message<'_>) -> Vec<DefectKind> {
    message.defects().iter().map(|d| d.kind()).collect()
}

#[test]
fn rfc5322_a_1_1_simple_addressing() {
    let raw = b"From: John Doe <jdoe@machine.example>\r\n\
To: Mary Smith <mary@example.net>\r\n\
Subject: Saying Hello\r\n\
Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n\
Message-ID: <1234@local.machine.example>\r\n\
\r\n\
This is a message just to say hello.\r\n\
So, \"Hello\".\r\n";
    let message = Message::parse(raw);
    assert_eq!(
        names(&message),
        ["From", "To", "Subject", "Date", "Message-ID"]
    );
    assert_eq!(message.subject().as_deref(), Some("Saying Hello"));
    assert_eq!(
        message.body(),
        b"This is a message just to say hello.\r\nSo, \"Hello\".\r\n"
    );
    assert!(message.defects().is_empty());
    let date = message.header().get("date").unwrap();
    assert_eq!(&raw[date.value_offset()..][..6], b" Fri, ");
}

#[test]
fn rfc5322_a_5_white_space_and_folding() {
    // Appendix A.5, with its folded fields.
    // (`concat!` keeps the leading white space of continuation lines.)
    let raw = concat!(
        "From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\r\n",
        "To:A Group(Some people)\r\n",
        "     :Chris Jones <c@(Chris's host.)public.example>,\r\n",
        "         joe@example.org,\r\n",
        "  John <jdoe@one.test> (my dear friend); (the end of the group)\r\n",
        "Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;\r\n",
        "Date: Thu,\r\n",
        "      13\r\n",
        "        Feb\r\n",
        "          1969\r\n",
        "      23:32\r\n",
        "               -0330 (Newfoundland Time)\r\n",
        "Message-ID:              <testabcd.1234@silly.test>\r\n",
        "\r\n",
        "Testing.\r\n"
    )
    .as_bytes();
    let message = Message::parse(raw);
    assert_eq!(names(&message), ["From", "To", "Cc", "Date", "Message-ID"]);
    let date = message.header().get("Date").unwrap();
    assert_eq!(
        date.unfolded(),
        &b" Thu,      13        Feb          1969      23:32               -0330 (Newfoundland Time)"[..]
    );
    assert_eq!(message.body(), b"Testing.\r\n");
    assert!(message.defects().is_empty());
}

#[test]
fn rfc5322_a_6_3_obsolete_white_space_before_colon() {
    let raw = b"From  : John Doe <jdoe@machine(comment).  example>\r\n\
Subject     : Saying Hello\r\n\r\nbody\r\n";
    let message = Message::parse(raw);
    assert_eq!(names(&message), ["From", "Subject"]);
    assert_eq!(kinds(&message), [DefectKind::SpaceBeforeColon; 2]);
    assert_eq!(message.defects()[0].offset(), 4);
    assert_eq!(message.subject().as_deref(), Some("Saying Hello"));
}

#[test]
fn raw_fields_tile_the_header() {
    let raw = b"A: 1\r\nB: 2\r\n\tcontinued\r\nC:\r\n\r\nbody";
    let message = Message::parse(raw);
    let mut rebuilt = Vec::new();
    for field in message.header().fields() {
        assert_eq!(&raw[field.offset()..][..field.raw().len()], field.raw());
        rebuilt.extend_from_slice(field.raw());
    }
    rebuilt.extend_from_slice(b"\r\n");
    rebuilt.extend_from_slice(message.body());
    assert_eq!(rebuilt, raw);
    assert_eq!(message.header().get("C").unwrap().raw_value(), b"");
}

#[test]
fn damaged_headers_are_recorded_not_refused() {
    let raw = concat!(
        "From sender@example.org Thu Jan  1 00:00:00 1970\n",
        " leading continuation\n",
        "Subject: one\rtwo\n",
        ": empty name\n",
        "X-Nul: a\0b\n",
        "not a header line\n",
        "rest of body\n"
    )
    .as_bytes();
    let message = Message::parse(raw);
    assert_eq!(names(&message), ["Subject", "", "X-Nul"]);
    assert_eq!(
        kinds(&message),
        [
            // In input order: a line's bare LF comes after its other defects.
            DefectKind::MboxFromLine,
            DefectKind::LeadingContinuation,
            DefectKind::BareLf,
            DefectKind::BareCr,
            DefectKind::BareLf,
            DefectKind::EmptyFieldName,
            DefectKind::BareLf,
            DefectKind::Nul,
            DefectKind::BareLf,
            DefectKind::MissingHeaderBodySeparator,
        ]
    );
    assert_eq!(message.body(), b"not a header line\nrest of body\n");
}

#[test]
fn header_without_body_and_empty_input() {
    let message = Message::parse(b"Subject: only a header");
    assert_eq!(message.subject().as_deref(), Some("only a header"));
    assert_eq!(message.body(), b"");
    let empty = Message::parse(b"");
    assert!(empty.header().is_empty() && empty.body().is_empty());
    let body_only = Message::parse(b"\r\njust a body");
    assert!(body_only.header().is_empty());
    assert_eq!(body_only.body(), b"just a body");
}

#[test]
fn field_count_is_bounded() {
    let mut raw = Vec::new();
    for i in 0..50 {
        raw.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    raw.extend_from_slice(b"\r\nbody");
    let mut limits = Limits::default();
    limits.max_header_fields = 10;
    let message = Message::parse_with_limits(&raw, &limits);
    assert_eq!(message.header().len(), 10);
    assert_eq!(kinds(&message), [DefectKind::TooManyFields]);
    assert_eq!(message.body(), b"body");
}

#[test]
fn overlong_line_is_a_defect() {
    let mut raw = b"Subject: ".to_vec();
    raw.extend(std::iter::repeat_n(b'x', 2000));
    raw.extend_from_slice(b"\r\n\r\n");
    let message = Message::parse(&raw);
    assert_eq!(kinds(&message), [DefectKind::LineTooLong]);
    assert_eq!(message.defects()[0].offset(), 998);
}

fn header_ish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(b'\r'),
            4 => Just(b'\n'),
            3 => Just(b':'),
            3 => Just(b' '),
            1 => Just(b'\t'),
            6 => b'a'..=b'e',
            1 => any::<u8>(),
        ],
        0..300,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any bytes parse; fields are in order, inside the input and their raw
    /// slices are where their offsets say; the body is a suffix.
    #[test]
    fn any_input_parses_consistently(raw in header_ish()) {
        let message = Message::parse(&raw);
        let mut last_end = 0;
        for field in message.header().fields() {
            prop_assert!(field.offset() >= last_end);
            prop_assert_eq!(&raw[field.offset()..field.offset() + field.raw().len()], field.raw());
            prop_assert_eq!(
                &raw[field.value_offset()..field.value_offset() + field.raw_value().len()],
                field.raw_value()
            );
            prop_assert!(!field.unfolded().contains(&b'\n'));
            last_end = field.offset() + field.raw().len();
        }
        prop_assert!(message.body_offset() >= last_end && message.body_offset() <= raw.len());
        prop_assert_eq!(message.raw(), &raw[..]);
        for defect in message.defects() {
            prop_assert!(defect.offset() <= raw.len());
        }
        let _ = message.subject();
    }
}
