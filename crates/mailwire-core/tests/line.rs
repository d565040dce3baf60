//! Line framing: known answers, a naive oracle, and split-at-every-offset
//! invariance.

mod harness;

use bytes::BytesMut;
use harness::{Framed, frame, split_at_points};
use mailwire_core::{BarePolicy, ErrorKind, LineEnding, LineFramer};
use proptest::prelude::*;

/// The naive oracle: the same framing rules applied byte by byte with the
/// whole input known.
fn naive(input: &[u8], max: usize, lf: BarePolicy, cr: BarePolicy) -> Vec<Framed> {
    let n = input.len();
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        // Find this line's end: Some((end, ending)), or None if the input
        // ends first.
        let mut bare_cr = None;
        let mut i = start;
        let mut end = None;
        while i < n {
            match input[i] {
                b'\n' => {
                    end = Some((i + 1, LineEnding::Lf));
                    break;
                }
                b'\r' if i + 1 == n => break,
                b'\r' if input[i + 1] == b'\n' => {
                    end = Some((i + 2, LineEnding::CrLf));
                    break;
                }
                b'\r' => match cr {
                    BarePolicy::Normalize => {
                        end = Some((i + 1, LineEnding::Cr));
                        break;
                    }
                    BarePolicy::Reject => {
                        bare_cr.get_or_insert(i);
                    }
                    BarePolicy::Accept => {}
                },
                _ => {}
            }
            i += 1;
        }
        let Some((end, ending)) = end else {
            let len = n - start;
            // Only a bare CR may end a line right at the limit; where it
            // cannot, a full window without an ending is already too long.
            let cr_may_end = cr == BarePolicy::Normalize && input[n - 1] == b'\r';
            if len > max || (len == max && !cr_may_end) {
                out.push(Framed::Bad(ErrorKind::LineTooLong { limit: max }, start));
            }
            break;
        };
        if end - start > max {
            out.push(Framed::Bad(ErrorKind::LineTooLong { limit: max }, start));
        } else if let Some(at) = bare_cr {
            out.push(Framed::Bad(ErrorKind::BareCr, at));
        } else if ending == LineEnding::Lf && lf == BarePolicy::Reject {
            out.push(Framed::Bad(ErrorKind::BareLf, end - 1));
        } else {
            out.push(Framed::Line(
                input[start..end - ending.len()].to_vec(),
                ending,
            ));
        }
        start = end;
    }
    out
}

fn framer(max: usize, lf: BarePolicy, cr: BarePolicy) -> LineFramer {
    LineFramer::new(max).bare_lf(lf).bare_cr(cr)
}

const POLICIES: [BarePolicy; 3] = [
    BarePolicy::Reject,
    BarePolicy::Accept,
    BarePolicy::Normalize,
];

#[test]
fn rfc5321_session_lines() {
    // RFC 5321 appendix D.1, client side.
    let input = b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\n\
RCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n";
    let lines = frame(&LineFramer::new(512), &[input]);
    let expected: Vec<Framed> = [
        "EHLO bar.com",
        "MAIL FROM:<Smith@bar.com>",
        "RCPT TO:<Jones@foo.com>",
        "RCPT TO:<Green@foo.com>",
        "RCPT TO:<Brown@foo.com>",
        "DATA",
    ]
    .iter()
    .map(|l| Framed::Line(l.as_bytes().to_vec(), LineEnding::CrLf))
    .collect();
    assert_eq!(lines, expected);
}

#[test]
fn exact_limit_fits_and_one_more_does_not() {
    let f = LineFramer::new(6);
    assert_eq!(
        frame(&f, &[b"ABCD\r\n"]),
        vec![Framed::Line(b"ABCD".to_vec(), LineEnding::CrLf)]
    );
    assert_eq!(
        frame(&f, &[b"ABCDE\r\nOK\r\n"]),
        vec![
            Framed::Bad(ErrorKind::LineTooLong { limit: 6 }, 0),
            Framed::Line(b"OK".to_vec(), LineEnding::CrLf)
        ]
    );
}

#[test]
fn long_line_is_reported_once_and_skipped_across_reads() {
    let f = LineFramer::new(8);
    let mut chunks: Vec<&[u8]> = vec![b"0123456789"; 100];
    chunks.push(b"\r\nNEXT\r\n");
    assert_eq!(
        frame(&f, &chunks),
        vec![
            Framed::Bad(ErrorKind::LineTooLong { limit: 8 }, 0),
            Framed::Line(b"NEXT".to_vec(), LineEnding::CrLf)
        ]
    );
}

#[test]
fn bare_lf_policies() {
    let input: &[u8] = b"A\nB\r\n";
    assert_eq!(
        frame(&LineFramer::new(100), &[input]),
        vec![
            Framed::Bad(ErrorKind::BareLf, 1),
            Framed::Line(b"B".to_vec(), LineEnding::CrLf)
        ]
    );
    for policy in [BarePolicy::Accept, BarePolicy::Normalize] {
        assert_eq!(
            frame(&LineFramer::new(100).bare_lf(policy), &[input]),
            vec![
                Framed::Line(b"A".to_vec(), LineEnding::Lf),
                Framed::Line(b"B".to_vec(), LineEnding::CrLf)
            ]
        );
    }
}

#[test]
fn bare_cr_policies() {
    let input: &[u8] = b"A\rB\r\nC\r\n";
    assert_eq!(
        frame(&LineFramer::new(100), &[input]),
        vec![
            Framed::Bad(ErrorKind::BareCr, 1),
            Framed::Line(b"C".to_vec(), LineEnding::CrLf)
        ]
    );
    assert_eq!(
        frame(&LineFramer::new(100).bare_cr(BarePolicy::Accept), &[input]),
        vec![
            Framed::Line(b"A\rB".to_vec(), LineEnding::CrLf),
            Framed::Line(b"C".to_vec(), LineEnding::CrLf)
        ]
    );
    assert_eq!(
        frame(
            &LineFramer::new(100).bare_cr(BarePolicy::Normalize),
            &[input]
        ),
        vec![
            Framed::Line(b"A".to_vec(), LineEnding::Cr),
            Framed::Line(b"B".to_vec(), LineEnding::CrLf),
            Framed::Line(b"C".to_vec(), LineEnding::CrLf)
        ]
    );
}

#[test]
fn cr_at_end_of_read_waits_for_next_byte() {
    let f = LineFramer::new(100).bare_cr(BarePolicy::Normalize);
    assert_eq!(
        frame(&f, &[b"AB\r", b"\nC\r", b"D\r\n"]),
        vec![
            Framed::Line(b"AB".to_vec(), LineEnding::CrLf),
            Framed::Line(b"C".to_vec(), LineEnding::Cr),
            Framed::Line(b"D".to_vec(), LineEnding::CrLf)
        ]
    );
}

#[test]
fn lines_share_the_receive_buffer() {
    let mut buf = BytesMut::from(&b"ONE\r\nTWO\r\n"[..]);
    let start = buf.as_ptr() as usize;
    let mut framer = LineFramer::new(100);
    let one = framer.next_line(&mut buf).unwrap().unwrap().into_content();
    let two = framer.next_line(&mut buf).unwrap().unwrap().into_content();
    assert_eq!(one.as_ptr() as usize, start);
    assert_eq!(two.as_ptr() as usize, start + 5);
}

#[test]
fn byte_at_a_time_is_linear() {
    // A 1 MiB line without an ending, fed one byte at a time, must not be
    // rescanned from the start on each byte (that would take minutes).
    let mut framer = LineFramer::new(2 * 1024 * 1024);
    let mut buf = BytesMut::with_capacity(2 * 1024 * 1024);
    for _ in 0..1024 * 1024 {
        buf.extend_from_slice(b"x");
        assert!(framer.next_line(&mut buf).is_none());
    }
    buf.extend_from_slice(b"\r\n");
    let line = framer.next_line(&mut buf).unwrap().unwrap();
    assert_eq!(line.content().len(), 1024 * 1024);
}

#[test]
fn oracle_agrees_at_every_split_on_tricky_inputs() {
    let inputs: &[&[u8]] = &[
        b"",
        b"\r\n",
        b"\r\r\n\n\r",
        b"abc\rdef\r\nghi\njkl\r",
        b"0123456789\r\n012345678\r\n01234567\r\n0123456\r\n",
        b"0123456789\n\r012\r3456789\r\r\n",
        b"aaaaaaaaa\r",
        b"aaaaaaaaaa",
        b"aaaaaaa\r\raaaaa\r\nb\n",
    ];
    for input in inputs {
        for max in [1, 2, 3, 8, 9, 10, 11, 64] {
            for lf in POLICIES {
                for cr in POLICIES {
                    let f = framer(max, lf, cr);
                    let expected = naive(input, max, lf, cr);
                    for split in 0..=input.len() {
                        let (a, b) = input.split_at(split);
                        assert_eq!(
                            frame(&f, &[a, b]),
                            expected,
                            "input {input:?} max {max} lf {lf:?} cr {cr:?} split {split}"
                        );
                    }
                    let bytes: Vec<&[u8]> = input.chunks(1).collect();
                    assert_eq!(frame(&f, &bytes), expected, "byte at a time {input:?}");
                }
            }
        }
    }
}

fn policy() -> impl Strategy<Value = BarePolicy> {
    prop_oneof![
        Just(BarePolicy::Reject),
        Just(BarePolicy::Accept),
        Just(BarePolicy::Normalize)
    ]
}

/// Bytes rich in CR, LF and dots.
fn wire_bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(b'\r'),
            3 => Just(b'\n'),
            2 => Just(b'.'),
            4 => b'a'..=b'e',
            1 => any::<u8>(),
        ],
        0..max_len,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn framing_matches_oracle_for_any_chunking(
        input in wire_bytes(200),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        max in 1usize..40,
        lf in policy(),
        cr in policy(),
    ) {
        let chunks = split_at_points(&input, cuts.iter().map(|c| c.index(input.len() + 1)));
        prop_assert_eq!(frame(&framer(max, lf, cr), &chunks), naive(&input, max, lf, cr));
    }

    #[test]
    fn every_split_of_a_small_input_agrees(input in wire_bytes(40), lf in policy(), cr in policy()) {
        let f = framer(12, lf, cr);
        let whole = frame(&f, &[&input]);
        for split in 0..=input.len() {
            let (a, b) = input.split_at(split);
            prop_assert_eq!(&frame(&f, &[a, b]), &whole);
        }
    }
}
