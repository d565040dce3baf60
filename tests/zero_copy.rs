//! Zero-copy, shown: a counting global allocator proves that framing lines
//! and parsing tokens allocate nothing, that unstuffing a body costs at most
//! one allocation (the receive buffer's shared header) however long it is,
//! and that parsing a message's structure allocates in proportion to its
//! header fields, never to its body bytes.

use mailwire_testkit::{CountingAllocator, allocations};

use bytes::BytesMut;
use mailwire_core::LineFramer;
use mailwire_core::dot::{DotDecoder, DotEvent};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn session(lines: usize) -> BytesMut {
    let mut buf = BytesMut::with_capacity(lines * 40);
    for i in 0..lines {
        buf.extend_from_slice(format!("RCPT TO:<user{i}@example.org>\r\n").as_bytes());
    }
    buf
}

#[test]
fn framing_lines_in_place_allocates_nothing() {
    let mut buf = session(1000);
    let mut framer = LineFramer::new(512);
    let (allocs, count) = allocations(|| {
        let mut count = 0;
        let mut lines = framer.lines(&mut buf);
        while let Some(line) = lines.next_line() {
            assert!(line.unwrap().content().starts_with(b"RCPT TO:<"));
            count += 1;
        }
        count
    });
    assert_eq!(count, 1000);
    assert_eq!(allocs, 0, "framing 1000 lines in place allocated");
}

#[test]
fn lines_as_bytes_share_the_buffer() {
    let mut buf = session(1000);
    let mut framer = LineFramer::new(512);
    let (allocs, kept) = allocations(|| {
        let mut kept = Vec::with_capacity(1000);
        while let Some(line) = framer.next_line(&mut buf) {
            kept.push(line.unwrap().into_content());
        }
        kept
    });
    assert_eq!(kept.len(), 1000);
    // One for `kept`'s storage, one for the buffer's shared header the
    // first time it is split; none per line.
    assert!(allocs <= 2, "{allocs} allocations for 1000 lines");
}

#[test]
fn unstuffing_a_body_does_not_copy_it() {
    let mut body = BytesMut::new();
    for i in 0..2000 {
        let line = format!(
            "{}line {i} of a long message body\r\n",
            if i % 7 == 0 { ".." } else { "" }
        );
        body.extend_from_slice(line.as_bytes());
    }
    body.extend_from_slice(b".\r\n");
    let mut decoder = DotDecoder::new();
    let (allocs, size) = allocations(|| {
        let mut size = 0;
        while let Some(event) = decoder.decode(&mut body) {
            match event {
                DotEvent::Data(chunk) => size += chunk.len(),
                DotEvent::Defect(e) => panic!("{e}"),
                DotEvent::End => break,
            }
        }
        size
    });
    assert!(size > 60_000);
    assert!(allocs <= 1, "{allocs} allocations unstuffing {size} bytes");
}

#[test]
fn parsing_tokens_allocates_nothing() {
    use mailwire_core::Mailbox;
    use mailwire_core::token::{self, TokenOptions};

    let smtp: &[&[u8]] = &[
        b"postmaster@example.org",
        b"\"quoted local\"@[192.0.2.1]",
        b"user.name+tag@[IPv6:2001:db8::1]",
        "j\u{f6}rg@b\u{fc}cher.example".as_bytes(),
    ];
    let headers: &[&[u8]] = &[
        b"(comment) john.doe (another) @ (c) example.com (last)",
        b"pete(his account)@silly.test(his host)",
        b"\"Joe Q. Public\"@example.com",
    ];
    let nested = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    let (allocs, ()) = allocations(|| {
        for input in smtp {
            let mailbox = Mailbox::parse_smtp_utf8(input).unwrap();
            assert!(!mailbox.domain().as_str().is_empty());
        }
        for input in headers {
            Mailbox::parse_addr_spec(input).unwrap();
        }
        token::dot_atom(b" atom.text ", TokenOptions::MESSAGE).unwrap();
        token::quoted_string(b"\"no escapes here\"", TokenOptions::MESSAGE).unwrap();
        token::smtp_domain(b"mail.example.org", TokenOptions::SMTP).unwrap();
        // A nesting bomb is refused without allocating (or recursing).
        assert!(token::cfws(nested.as_bytes(), TokenOptions::MESSAGE).is_err());
    });
    assert_eq!(allocs, 0, "token parsing allocated");
}

/// A message with `fields` header fields and a body of `body_len` bytes.
fn message(fields: usize, body_len: usize) -> Vec<u8> {
    let mut raw = Vec::new();
    for i in 0..fields {
        raw.extend_from_slice(format!("Received: from hop{i}.example by hop{}.example\r\n\t; Thu, 1 Jan 2026 00:00:00 +0000\r\n", i + 1).as_bytes());
    }
    raw.extend_from_slice(b"Subject: sizes\r\n\r\n");
    while raw.len() < body_len {
        raw.extend_from_slice(b"body line of the message, long enough to matter\r\n");
    }
    raw
}

#[test]
fn message_structure_allocates_per_field_not_per_body_byte() {
    use mailwire_message::Message;

    let count = |raw: &[u8]| {
        allocations(|| {
            let message = Message::parse(raw);
            assert!(message.defects().is_empty());
            message.header().len()
        })
    };
    let (small_body, fields) = count(&message(200, 1_000));
    let (large_body, same_fields) = count(&message(200, 4 * 1024 * 1024));
    assert_eq!((fields, same_fields), (201, 201));
    assert_eq!(small_body, large_body, "allocations grew with the body");
    // The field vector grows by doubling: a handful of allocations.
    assert!(small_body <= 12, "{small_body} allocations for 201 fields");
    let (few, _) = count(&message(2, 1_000));
    assert!(few <= 4, "{few} allocations for 3 fields");
}

/// A multipart message with `parts` parts of `part_len` body bytes each,
/// one of them an attached message with its own multipart body.
fn multipart(parts: usize, part_len: usize) -> Vec<u8> {
    let line = "body line of the part, long enough to matter\r\n";
    let body = line.repeat(part_len / line.len() + 1);
    let mut raw = b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=\"=_outer\"\r\n\r\npreamble\r\n".to_vec();
    for i in 0..parts {
        raw.extend_from_slice(b"--=_outer\r\n");
        if i == 0 {
            raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\n");
            raw.extend_from_slice(body.as_bytes());
            raw.extend_from_slice(b"\r\n--inner--\r\n");
        } else {
            raw.extend_from_slice(b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
            raw.extend_from_slice(body.as_bytes());
            raw.extend_from_slice(b"\r\n");
        }
    }
    raw.extend_from_slice(b"--=_outer--\r\n");
    raw
}

#[test]
fn mime_structure_allocates_per_part_not_per_body_byte() {
    use mailwire_message::Message;

    let count = |raw: &[u8]| {
        allocations(|| {
            let message = Message::parse(raw);
            assert!(message.defects().is_empty(), "{:?}", message.defects());
            message.root().walk().count()
        })
    };
    let (small, parts) = count(&multipart(20, 100));
    let (large, same_parts) = count(&multipart(20, 256 * 1024));
    // 20 parts, the root, the attached message and its one inner part.
    assert_eq!((parts, same_parts), (23, 23));
    assert_eq!(small, large, "allocations grew with the body");
    // Per part: a field vector, a parameter vector; per multipart: a part
    // vector (grown by doubling) and a boundary searcher.
    let (double, _) = count(&multipart(40, 100));
    assert!(small <= 8 * parts, "{small} allocations for {parts} parts");
    assert!(
        double <= 2 * small + 16,
        "{double} allocations for 43 parts vs {small} for 23"
    );
}

#[test]
fn identity_encoded_text_is_borrowed_not_copied() {
    use mailwire_message::Message;
    use std::borrow::Cow;

    let raw = multipart(5, 64 * 1024);
    let message = Message::parse(&raw);
    let parts = &message.root().parts()[1..];
    let (allocs, borrowed) = allocations(|| {
        parts.iter().all(|p| {
            matches!(p.text(), Some(Cow::Borrowed(_)))
                && matches!(p.decoded_body(), Cow::Borrowed(_))
        })
    });
    assert!(borrowed);
    assert_eq!(allocs, 0, "reading 8bit UTF-8 parts as text allocated");
}
