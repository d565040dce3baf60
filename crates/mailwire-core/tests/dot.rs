//! Dot-stuffing: SMTP smuggling vectors, RFC examples, a naive oracle,
//! split-at-every-offset invariance and stuff/unstuff round trips.

mod harness;

use bytes::BytesMut;
use harness::{Unstuffed, split_at_points, unstuff};
use mailwire_core::dot::{DotDecoder, DotEncoder, DotEvent};
use mailwire_core::{BarePolicy, ErrorKind};
use proptest::prelude::*;

/// The naive oracle: RFC 5321 section 4.5.2 applied byte by byte, with the
/// end of data only at CRLF "." CRLF.
fn naive(input: &[u8], lf: BarePolicy, cr: BarePolicy) -> Unstuffed {
    #[derive(PartialEq)]
    enum Pos {
        AfterCrLf,
        AfterBare,
        InLine,
    }
    let mut out = Unstuffed::default();
    let n = input.len();
    let mut pos = Pos::AfterCrLf;
    let mut i = 0;
    while i < n {
        if pos != Pos::InLine {
            if input[i] == b'.' {
                if pos == Pos::AfterCrLf {
                    let after = &input[i + 1..];
                    if after.starts_with(b"\r\n") {
                        out.ended = true;
                        out.rest = input[i + 3..].to_vec();
                        return out;
                    }
                    if b"\r\n".starts_with(after) {
                        out.rest = input[i..].to_vec();
                        return out;
                    }
                }
                i += 1;
            }
            pos = Pos::InLine;
            continue;
        }
        let (policy, kind) = match input[i] {
            b'\r' if i + 1 == n => {
                out.rest = input[i..].to_vec();
                return out;
            }
            b'\r' if input[i + 1] == b'\n' => {
                out.body.extend_from_slice(b"\r\n");
                i += 2;
                pos = Pos::AfterCrLf;
                continue;
            }
            b'\r' => (cr, ErrorKind::BareCr),
            b'\n' => (lf, ErrorKind::BareLf),
            b => {
                out.body.push(b);
                i += 1;
                continue;
            }
        };
        match policy {
            BarePolicy::Reject => {
                out.body.push(input[i]);
                out.defects.push((kind, i));
            }
            BarePolicy::Accept => out.body.push(input[i]),
            BarePolicy::Normalize => out.body.extend_from_slice(b"\r\n"),
        }
        pos = Pos::AfterBare;
        i += 1;
    }
    out
}

const POLICIES: [BarePolicy; 3] = [
    BarePolicy::Reject,
    BarePolicy::Accept,
    BarePolicy::Normalize,
];

fn decoder(lf: BarePolicy, cr: BarePolicy) -> DotDecoder {
    DotDecoder::new().bare_lf(lf).bare_cr(cr)
}

fn encode(encoder: DotEncoder, chunks: &[&[u8]]) -> Vec<u8> {
    let mut encoder = encoder;
    let mut out = BytesMut::new();
    for chunk in chunks {
        encoder.encode(chunk, &mut out).unwrap();
    }
    encoder.finish(&mut out).unwrap();
    out.to_vec()
}

/// Every way software has been seen to end DATA other than CRLF.CRLF
/// (SMTP smuggling, 2023), and a few more.
const SMUGGLING_VECTORS: &[&[u8]] = &[
    b"\n.\n",
    b"\n.\r\n",
    b"\r\n.\n",
    b"\r.\r",
    b"\r.\r\n",
    b"\r\n.\r",
    b"\n.\r",
    b"\r.\n",
    b"\n\n.\n\n",
    b"\r\r.\r\r",
    b"\r\n.\r\r\n",
    b"\r\n\x00.\r\n",
    b"\r\n .\r\n",
    b"\r\n.\x00\r\n",
    b"\r\n..\r\n",
    b"\r\n\r.\r\n",
    b"\n\r\n.\n\r\n",
];

#[test]
fn smuggling_vectors_never_end_the_body() {
    let head: &[u8] = b"From: a@example.org\r\nSubject: test\r\n\r\nHello";
    let smuggled: &[u8] = b"MAIL FROM:<admin@example.org>\r\nRCPT TO:<victim@example.net>\r\n\
DATA\r\nFrom: admin@example.org\r\n\r\nsmuggled";
    for vector in SMUGGLING_VECTORS {
        let mut input = head.to_vec();
        input.extend_from_slice(vector);
        input.extend_from_slice(smuggled);
        input.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
        for lf in POLICIES {
            for cr in POLICIES {
                let d = decoder(lf, cr);
                // Whole, byte at a time, and at every split.
                let whole = unstuff(&d, &[&input]);
                assert!(whole.ended, "{vector:?}: no end");
                assert_eq!(whole.rest, b"QUIT\r\n", "{vector:?} {lf:?} {cr:?}");
                assert!(
                    memchr::memmem::find(&whole.body, b"MAIL FROM:<admin@").is_some(),
                    "{vector:?}: smuggled command left the body"
                );
                let bytes: Vec<&[u8]> = input.chunks(1).collect();
                assert_eq!(unstuff(&d, &bytes), whole, "{vector:?} byte at a time");
                for split in 0..=input.len() {
                    let (a, b) = input.split_at(split);
                    assert_eq!(unstuff(&d, &[a, b]), whole, "{vector:?} split {split}");
                }
                assert_eq!(whole, naive(&input, lf, cr), "{vector:?} oracle");
            }
        }
    }
}

#[test]
fn only_crlf_dot_crlf_ends() {
    for (input, ended) in [
        (&b".\r\n"[..], true),
        (b"\r\n.\r\n", true),
        (b"a\r\n.\r\n", true),
        (b"a\r\r\n.\r\n", true),
        (b"a\n.\n", false),
        (b"a\n.\r\n", false),
        (b"a\r.\r", false),
        (b"a\r\n.\n", false),
        (b"a\r\n. \r\n", false),
        (b"a\r\n.\r", false),
    ] {
        for lf in POLICIES {
            for cr in POLICIES {
                assert_eq!(
                    unstuff(&decoder(lf, cr), &[input]).ended,
                    ended,
                    "{input:?} {lf:?} {cr:?}"
                );
            }
        }
    }
}

#[test]
fn rfc5321_transparency_example() {
    // RFC 5321 section 4.5.2: a line starting with a period gets one more.
    let body: &[u8] = b"Line one\r\n.Line two starts with a dot\r\n..two dots\r\n.\r\n";
    let mut wire = BytesMut::new();
    DotEncoder::new().encode_all(body, &mut wire).unwrap();
    assert_eq!(
        &wire[..],
        b"Line one\r\n..Line two starts with a dot\r\n...two dots\r\n..\r\n.\r\n"
    );
    let decoded = unstuff(&DotDecoder::new(), &[&wire]);
    assert!(decoded.ended);
    assert_eq!(decoded.body, body);
}

#[test]
fn pop3_multiline_example() {
    // RFC 1939 section 7, the RETR example (body after the "+OK" line).
    let wire: &[u8] = b"<the POP3 server sends the entire message here>\r\n.\r\n";
    let decoded = unstuff(&DotDecoder::new(), &[wire]);
    assert!(decoded.ended);
    assert_eq!(
        decoded.body,
        b"<the POP3 server sends the entire message here>\r\n"
    );
}

#[test]
fn empty_body() {
    let decoded = unstuff(&DotDecoder::new(), &[b".\r\nNOOP\r\n"]);
    assert_eq!((decoded.body.as_slice(), decoded.ended), (&b""[..], true));
    assert_eq!(decoded.rest, b"NOOP\r\n");
    assert_eq!(encode(DotEncoder::new(), &[]), b".\r\n");
}

#[test]
fn reject_reports_offsets_and_keeps_going() {
    let decoded = unstuff(&DotDecoder::new(), &[b"ab\ncd\re\r\n.\r\n"]);
    assert_eq!(
        decoded.defects,
        vec![(ErrorKind::BareLf, 2), (ErrorKind::BareCr, 5)]
    );
    assert_eq!(decoded.body, b"ab\ncd\re\r\n");
    assert!(decoded.ended);
}

#[test]
fn size_limit_reports_once_and_consumes_to_the_end() {
    let mut input = b"x".repeat(10_000);
    input.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
    let mut buf = BytesMut::new();
    let mut decoder = DotDecoder::new().max_size(1000);
    let mut defects = 0;
    let mut data = 0;
    let mut ended = false;
    for chunk in input.chunks(333) {
        buf.extend_from_slice(chunk);
        while let Some(event) = decoder.decode(&mut buf) {
            match event {
                DotEvent::Data(d) => data += d.len(),
                DotEvent::Defect(e) => {
                    assert!(matches!(e.kind(), ErrorKind::LimitExceeded { .. }));
                    defects += 1;
                }
                DotEvent::End => ended = true,
            }
        }
    }
    assert_eq!(defects, 1);
    assert!(data <= 1000);
    assert!(ended);
    assert_eq!(&buf[..], b"QUIT\r\n");
    assert_eq!(decoder.body_size(), 10_002);
}

#[test]
fn stuffed_dots_are_cut_not_copied() {
    let mut buf = BytesMut::from(&b"a\r\n..b\r\n.\r\n"[..]);
    let base = buf.as_ptr() as usize;
    let mut decoder = DotDecoder::new();
    let Some(DotEvent::Data(first)) = decoder.decode(&mut buf) else {
        panic!()
    };
    let Some(DotEvent::Data(second)) = decoder.decode(&mut buf) else {
        panic!()
    };
    assert_eq!((&first[..], &second[..]), (&b"a\r\n"[..], &b".b\r\n"[..]));
    assert_eq!(first.as_ptr() as usize, base);
    assert_eq!(second.as_ptr() as usize, base + 4);
    assert_eq!(decoder.decode(&mut buf), Some(DotEvent::End));
}

#[test]
fn encoder_policies() {
    let input: &[u8] = b"a\n.b\r.c\r\n.";
    assert_eq!(
        encode(DotEncoder::new(), &[input]),
        b"a\r\n..b\r\n..c\r\n..\r\n.\r\n"
    );
    assert_eq!(
        encode(
            DotEncoder::new()
                .bare_lf(BarePolicy::Accept)
                .bare_cr(BarePolicy::Accept),
            &[input]
        ),
        b"a\n..b\r..c\r\n..\r\n.\r\n"
    );
    // A CR at the end of a chunk waits for the next byte before judging.
    let mut out = BytesMut::new();
    let mut encoder = DotEncoder::new().bare_cr(BarePolicy::Reject);
    encoder.encode(b"ab\r", &mut out).unwrap();
    let err = encoder.finish(&mut out).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::BareCr, 2));
}

#[test]
fn encoder_output_is_the_same_for_any_chunking() {
    let input: &[u8] = b".a\r\n.\r\n\r.\n\n.x\r\r\n..";
    for lf in [BarePolicy::Accept, BarePolicy::Normalize] {
        for cr in [BarePolicy::Accept, BarePolicy::Normalize] {
            let e = DotEncoder::new().bare_lf(lf).bare_cr(cr);
            let whole = encode(e.clone(), &[input]);
            for split in 0..=input.len() {
                let (a, b) = input.split_at(split);
                assert_eq!(encode(e.clone(), &[a, b]), whole);
            }
        }
    }
}

/// What the decoder gives back for a body: the body with a CRLF added when
/// it does not already end with one.
fn completed(body: &[u8]) -> Vec<u8> {
    let mut expected = body.to_vec();
    if !body.is_empty() && !body.ends_with(b"\r\n") {
        expected.extend_from_slice(b"\r\n");
    }
    expected
}

/// Body bytes rich in CR, LF and dots.
fn body_bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(b'\r'),
            3 => Just(b'\n'),
            3 => Just(b'.'),
            3 => b'a'..=b'c',
            1 => any::<u8>(),
        ],
        0..max_len,
    )
}

fn policy() -> impl Strategy<Value = BarePolicy> {
    prop_oneof![
        Just(BarePolicy::Reject),
        Just(BarePolicy::Accept),
        Just(BarePolicy::Normalize)
    ]
}

fn chunked<'a>(input: &'a [u8], cuts: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    split_at_points(input, cuts.iter().map(|c| c.index(input.len() + 1)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Stuffing then unstuffing gives the body back, for any bytes: exactly
    /// when it ends with CRLF, else with the CRLF the encoder had to add.
    #[test]
    fn stuff_then_unstuff_is_identity(
        body in body_bytes(300),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
        wire_cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
    ) {
        let accept = |e: DotEncoder| e.bare_lf(BarePolicy::Accept).bare_cr(BarePolicy::Accept);
        let wire = encode(accept(DotEncoder::new()), &chunked(&body, &cuts));
        let d = DotDecoder::new().bare_lf(BarePolicy::Accept).bare_cr(BarePolicy::Accept);
        let decoded = unstuff(&d, &chunked(&wire, &wire_cuts));
        prop_assert!(decoded.ended);
        prop_assert!(decoded.rest.is_empty());
        prop_assert_eq!(decoded.body, completed(&body));

        let mut with_crlf = body.clone();
        with_crlf.extend_from_slice(b"\r\n");
        let wire = encode(accept(DotEncoder::new()), &[&with_crlf]);
        prop_assert_eq!(unstuff(&d, &[&wire]).body, with_crlf);
    }

    /// The normalizing encoder's output decodes strictly: no bare CR or LF
    /// is left, and the body is the normalized input.
    #[test]
    fn normalized_wire_is_clean(body in body_bytes(300), lf in policy(), cr in policy()) {
        let wire = encode(DotEncoder::new(), &[&body]);
        let decoded = unstuff(&decoder(lf, cr), &[&wire]);
        prop_assert!(decoded.ended);
        prop_assert!(decoded.defects.is_empty());
        let mut normalized = Vec::new();
        let mut i = 0;
        while i < body.len() {
            match body[i] {
                b'\r' if body.get(i + 1) == Some(&b'\n') => { normalized.extend_from_slice(b"\r\n"); i += 1; }
                b'\r' | b'\n' => normalized.extend_from_slice(b"\r\n"),
                b => normalized.push(b),
            }
            i += 1;
        }
        prop_assert_eq!(decoded.body, completed(&normalized));
    }

    /// The streaming decoder agrees with the byte-by-byte oracle at any
    /// chunking, on arbitrary (mostly hostile) input.
    #[test]
    fn unstuffing_matches_oracle_for_any_chunking(
        input in body_bytes(300),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        lf in policy(),
        cr in policy(),
    ) {
        let d = decoder(lf, cr);
        prop_assert_eq!(unstuff(&d, &chunked(&input, &cuts)), naive(&input, lf, cr));
    }

    /// Split-at-every-offset: any two-piece split gives what one piece gives.
    #[test]
    fn every_split_agrees(input in body_bytes(60), lf in policy(), cr in policy()) {
        let d = decoder(lf, cr);
        let whole = unstuff(&d, &[&input]);
        for split in 0..=input.len() {
            let (a, b) = input.split_at(split);
            prop_assert_eq!(&unstuff(&d, &[a, b]), &whole);
        }
    }

    /// With a size limit, the bytes handed out and the defect's offset do
    /// not depend on how reads were split either.
    #[test]
    fn size_limit_is_split_invariant(input in body_bytes(80), limit in 0u64..40, lf in policy(), cr in policy()) {
        let d = decoder(lf, cr).max_size(limit);
        let whole = unstuff(&d, &[&input]);
        prop_assert!(whole.body.len() as u64 <= limit);
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(&unstuff(&d, &bytes), &whole);
        for split in 0..=input.len() {
            let (a, b) = input.split_at(split);
            prop_assert_eq!(&unstuff(&d, &[a, b]), &whole);
        }
    }

    /// The body ends exactly at the first CRLF.CRLF (or a leading .CRLF).
    #[test]
    fn end_is_exactly_the_first_crlf_dot_crlf(input in body_bytes(200)) {
        let decoded = unstuff(&DotDecoder::new().bare_lf(BarePolicy::Accept).bare_cr(BarePolicy::Accept), &[&input]);
        let first_end = if input.starts_with(b".\r\n") {
            Some(3)
        } else {
            memchr::memmem::find(&input, b"\r\n.\r\n").map(|at| at + 5)
        };
        let consumed = input.len() - decoded.rest.len();
        match first_end {
            Some(end) => prop_assert_eq!((decoded.ended, consumed), (true, end)),
            None => prop_assert!(!decoded.ended),
        }
    }
}
