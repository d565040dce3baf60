//! Tests of `mailwire_core::encoding`: RFC vectors, known answers, and
//! properties (round trips, chunking invariance, agreement with the `base64`
//! crate and with a naive quoted-printable oracle, no panics).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailwire_core::encoding::{
    Base64Decoder, Base64Encoder, QpDecoder, QpEncoder, Strictness, TransferEncoding,
    base64 as b64, choose, qp,
};
use mailwire_core::{Error, ErrorKind};
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

type Outcome = (Vec<u8>, Result<(), Error>);

/// Decodes `chunks` with a fresh base64 decoder, stopping at the first error.
fn b64_chunks(strictness: Strictness, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = Base64Decoder::with_strictness(strictness);
    let mut out = Vec::new();
    for chunk in chunks {
        if let Err(err) = decoder.decode(chunk, &mut out) {
            return (out, Err(err));
        }
    }
    let result = decoder.finish(&mut out);
    (out, result)
}

/// Decodes `chunks` with a fresh quoted-printable decoder.
fn qp_chunks(strictness: Strictness, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = QpDecoder::with_strictness(strictness);
    let mut out = Vec::new();
    for chunk in chunks {
        if let Err(err) = decoder.decode(chunk, &mut out) {
            return (out, Err(err));
        }
    }
    let result = decoder.finish(&mut out);
    (out, result)
}

fn b64_strict(input: &[u8]) -> Outcome {
    b64_chunks(Strictness::Strict, &[input])
}

fn qp_strict(input: &[u8]) -> Outcome {
    qp_chunks(Strictness::Strict, &[input])
}

fn qp_lenient(input: &[u8]) -> Vec<u8> {
    qp::decode(input).expect("lenient never fails")
}

fn err_at(offset: usize, kind: ErrorKind) -> Result<(), Error> {
    Err(Error::new(offset, kind))
}

/// Every split of `input` into two and three chunks gives `expected`.
fn assert_split_invariant(decode: fn(Strictness, &[&[u8]]) -> Outcome, input: &[u8]) {
    for strictness in [Strictness::Lenient, Strictness::Strict] {
        let whole = decode(strictness, &[input]);
        for i in 0..=input.len() {
            let (a, rest) = input.split_at(i);
            assert_eq!(
                decode(strictness, &[a, rest]),
                whole,
                "{strictness:?} split at {i}"
            );
            for j in i..=input.len() {
                let (b, c) = input[i..].split_at(j - i);
                assert_eq!(
                    decode(strictness, &[a, b, c]),
                    whole,
                    "{strictness:?} at {i},{j}"
                );
            }
        }
    }
}

fn b64_encode_chunks(data: &[u8], line_len: usize, chunks: &[usize]) -> Vec<u8> {
    let mut encoder = Base64Encoder::new(line_len);
    let mut out = Vec::new();
    let mut rest = data;
    for &n in chunks {
        let (a, b) = rest.split_at(n.min(rest.len()));
        encoder.encode(a, &mut out);
        rest = b;
    }
    encoder.encode(rest, &mut out);
    encoder.finish(&mut out);
    out
}

fn qp_encode_chunks(data: &[u8], mode: qp::Mode, chunks: &[usize]) -> Vec<u8> {
    let mut encoder = QpEncoder::new(mode);
    let mut out = Vec::new();
    let mut rest = data;
    for &n in chunks {
        let (a, b) = rest.split_at(n.min(rest.len()));
        encoder.encode(a, &mut out);
        rest = b;
    }
    encoder.encode(rest, &mut out);
    encoder.finish(&mut out);
    out
}

/// The naive quoted-printable oracle: the lenient rules of `QpDecoder`,
/// written out over the whole input with lookahead instead of states.
fn oracle_qp(input: &[u8]) -> Vec<u8> {
    const MAX: usize = qp::MAX_TRAILING_WHITESPACE;
    let len = input.len();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let is_ws = |b: u8| b == b' ' || b == b'\t';
    let ends_line = |j: usize| j == len || input[j] == b'\r' || input[j] == b'\n';
    let ws_end = |mut j: usize| {
        while j < len && is_ws(input[j]) {
            j += 1;
        }
        j
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < len {
        let b = input[i];
        if is_ws(b) {
            let j = ws_end(i);
            let run = &input[i..j];
            if ends_line(j) {
                out.extend_from_slice(&run[..run.len().saturating_sub(MAX)]);
            } else {
                out.extend_from_slice(run);
            }
            i = j;
        } else if b == b'=' {
            match (input.get(i + 1).copied(), input.get(i + 2).copied()) {
                (None, _) => i += 1,
                (Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                    out.push(hex(h).unwrap() << 4 | hex(l).unwrap());
                    i += 3;
                }
                (Some(h), _) if hex(h).is_some() => {
                    out.extend_from_slice(&[b'=', h]);
                    i += 2;
                }
                (Some(b'\r'), Some(b'\n')) => i += 3,
                (Some(b'\r' | b'\n'), _) => i += 2,
                (Some(w), _) if is_ws(w) => {
                    let j = ws_end(i + 1);
                    if ends_line(j) && j - (i + 1) <= MAX {
                        i = if j == len {
                            j
                        } else if input[j] == b'\r' && input.get(j + 1) == Some(&b'\n') {
                            j + 2
                        } else {
                            j + 1
                        };
                    } else {
                        out.push(b'=');
                        i += 1;
                    }
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            }
        } else if b == b'\r' && input.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(b"\r\n");
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------- base64

/// RFC 4648 section 10.
const RFC4648: &[(&[u8], &[u8])] = &[
    (b"", b""),
    (b"f", b"Zg=="),
    (b"fo", b"Zm8="),
    (b"foo", b"Zm9v"),
    (b"foob", b"Zm9vYg=="),
    (b"fooba", b"Zm9vYmE="),
    (b"foobar", b"Zm9vYmFy"),
];

#[test]
fn base64_rfc4648_vectors() {
    for &(plain, encoded) in RFC4648 {
        let mut out = Vec::new();
        b64::encode_wrapped(plain, b64::LINE_LEN, &mut out);
        assert_eq!(out, encoded);
        assert_eq!(b64::encoded_len(plain.len(), b64::LINE_LEN), encoded.len());
        assert_eq!(b64::decode(encoded).unwrap(), plain);
        assert_eq!(b64_strict(encoded), (plain.to_vec(), Ok(())));
    }
}

#[test]
fn base64_mime_line_breaks() {
    // 57 input bytes per 76-character line (RFC 2045 section 6.8).
    let data: Vec<u8> = (0..=255).collect();
    let mut out = Vec::new();
    b64::encode_wrapped(&data, 76, &mut out);
    let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 5);
    for line in &lines[..4] {
        assert_eq!(line.len(), 77);
        assert!(line.ends_with(b"\r"));
    }
    assert!(!out.ends_with(b"\n"));
    assert_eq!(out.len(), b64::encoded_len(data.len(), 76));
    assert_eq!(b64::decode(&out).unwrap(), data);
    assert_eq!(b64_strict(&out), (data.clone(), Ok(())));
    // Lines not a multiple of 4 long, LF only, spaces: lenient copes.
    let odd: Vec<u8> = STANDARD
        .encode(&data)
        .into_bytes()
        .chunks(13)
        .flat_map(|c| c.iter().copied().chain(*b" \n"))
        .collect();
    assert_eq!(b64::decode(&odd).unwrap(), data);
    // Line length rounding.
    let mut out = Vec::new();
    b64::encode_wrapped(b"foobarfoobar", 10, &mut out);
    assert_eq!(out, b"Zm9vYmFy\r\nZm9vYmFy");
    let mut out = Vec::new();
    b64::encode_wrapped(b"foobar", 1, &mut out);
    assert_eq!(out, b"Zm9v\r\nYmFy");
    let mut out = Vec::new();
    b64::encode_wrapped(&[0; 300], 0, &mut out);
    assert_eq!(out.len(), 400);
    assert!(!out.contains(&b'\r'));
}

#[test]
fn base64_lenient_rules() {
    // Junk and whitespace skipped; missing padding accepted.
    assert_eq!(b64::decode(b" Zm9v\tYm\x00Fy ").unwrap(), b"foobar");
    assert_eq!(b64::decode(b"Zm9vYg").unwrap(), b"foob");
    assert_eq!(b64::decode(b"Zm9vYmE").unwrap(), b"fooba");
    // A lone final character is dropped.
    assert_eq!(b64::decode(b"Zm9vY").unwrap(), b"foo");
    // The first '=' ends the data.
    assert_eq!(b64::decode(b"Zm9vYg==Zm9v").unwrap(), b"foob");
    assert_eq!(b64::decode(b"Zm9v=Zm9v").unwrap(), b"foo");
    assert_eq!(b64::decode(b"=Zm9v").unwrap(), b"");
    // Non-zero pad bits ignored.
    assert_eq!(b64::decode(b"Zm9vYh==").unwrap(), b"foob");
    let mut out = Vec::new();
    b64::decode_to(b"Zm9v", &mut out).unwrap();
    b64::decode_to(b"YmFy", &mut out).unwrap();
    assert_eq!(out, b"foobar");
}

#[test]
fn base64_strict_errors() {
    use ErrorKind::InvalidBase64 as K;
    assert_eq!(b64_strict(b"Zm9v\r\nYmFy"), (b"foobar".to_vec(), Ok(())));
    assert_eq!(b64_strict(b"Zm9v\nYmFy"), (b"foo".to_vec(), err_at(4, K)));
    assert_eq!(b64_strict(b"Zm9v\rYmFy"), (b"foo".to_vec(), err_at(4, K)));
    assert_eq!(b64_strict(b"Zm9v YmFy"), (b"foo".to_vec(), err_at(4, K)));
    assert_eq!(b64_strict(b"Zm9vYg"), (b"foo".to_vec(), err_at(6, K)));
    assert_eq!(b64_strict(b"Zm9vYg="), (b"foob".to_vec(), err_at(7, K)));
    assert_eq!(b64_strict(b"Zm9vYh=="), (b"foo".to_vec(), err_at(5, K)));
    assert_eq!(b64_strict(b"Zm9vYmF="), (b"foo".to_vec(), err_at(6, K)));
    assert_eq!(b64_strict(b"Zm9v="), (b"foo".to_vec(), err_at(4, K)));
    assert_eq!(b64_strict(b"Zm9vY==="), (b"foo".to_vec(), err_at(5, K)));
    assert_eq!(b64_strict(b"Zm9vYg==\r\n"), (b"foob".to_vec(), Ok(())));
    assert_eq!(b64_strict(b"Zm9vYg=\r\n="), (b"foob".to_vec(), Ok(())));
    assert_eq!(
        b64_strict(b"Zm9vYg==\r\nZm9v"),
        (b"foob".to_vec(), err_at(10, K))
    );
    assert_eq!(b64_strict(b"Zm9vYg=A"), (b"foob".to_vec(), err_at(7, K)));
    assert_eq!(b64_strict(b"Zm9v\r"), (b"foo".to_vec(), err_at(4, K)));
    // Offsets count across chunks.
    assert_eq!(
        b64_chunks(Strictness::Strict, &[b"Zm9v\r\n", b"Ym!y"]),
        (b"foo".to_vec(), err_at(8, K))
    );
    // The error sticks until finish, which resets.
    let mut decoder = Base64Decoder::with_strictness(Strictness::Strict);
    let mut out = Vec::new();
    assert!(decoder.decode(b"Zm9v!", &mut out).is_err());
    assert_eq!(decoder.decode(b"Zm9v", &mut out), err_at(4, K));
    assert_eq!(decoder.finish(&mut out), err_at(4, K));
    decoder.decode(b"Zm9v", &mut out).unwrap();
    decoder.finish(&mut out).unwrap();
    assert_eq!(out, b"foofoo");
}

#[test]
fn base64_split_everywhere() {
    let inputs: &[&[u8]] = &[
        b"Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9v\r\nYmE=",
        b"Zm9v\r\nYmFy\r\nYg==\r\n",
        b"Zm9vY\r\nmFyY\r\ng=\r\n=",
        b"Zm 9v\nYm\r\rFy=x",
        b"Zm9vYg==Zm9v",
        b"Zm9vYh==",
        b"\r\n\r\nZm9vYmFyZm9vYmFy\r",
    ];
    for input in inputs {
        assert_split_invariant(b64_chunks, input);
    }
}

/// The vector path (32-character blocks, AVX2 where the CPU has it) and the
/// portable one must agree on every byte value at every block position:
/// whole-input decoding takes the vector path, one byte per call never does.
#[test]
fn base64_vector_blocks_agree_with_byte_at_a_time() {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    // 128: whole blocks; 100: blocks and a short tail of whole groups.
    for (len, strictness) in [
        (128, Strictness::Lenient),
        (128, Strictness::Strict),
        (100, Strictness::Lenient),
    ] {
        let valid: Vec<u8> = (0..len).map(|i| alphabet[(i * 7) % 64]).collect();
        for byte in 0..=255u8 {
            for at in 0..72 {
                let mut input = valid.clone();
                input[at] = byte;
                let mut whole = Base64Decoder::with_strictness(strictness);
                let mut expected_out = Vec::new();
                let whole_result = whole
                    .decode(&input, &mut expected_out)
                    .and_then(|()| whole.finish(&mut expected_out));
                let mut single = Base64Decoder::with_strictness(strictness);
                let mut out = Vec::new();
                let mut result = Ok(());
                for b in &input {
                    result = result.and_then(|()| single.decode(std::slice::from_ref(b), &mut out));
                }
                let result = result.and_then(|()| single.finish(&mut out));
                assert_eq!(
                    out, expected_out,
                    "byte {byte:#04x} at {at}, {strictness:?}"
                );
                assert_eq!(
                    result, whole_result,
                    "byte {byte:#04x} at {at}, {strictness:?}"
                );
            }
        }
    }
}

#[test]
fn base64_reuse_after_finish() {
    let mut encoder = Base64Encoder::new(8);
    let mut out = Vec::new();
    encoder.encode(b"foobarf", &mut out);
    encoder.finish(&mut out);
    encoder.encode(b"f", &mut out);
    encoder.finish(&mut out);
    assert_eq!(out, b"Zm9vYmFy\r\nZg==Zg==");
}

// ---------------------------------------------------------------- quoted-printable

#[test]
fn qp_rfc2045_examples() {
    // RFC 2045 section 6.7, rule 5 (soft line breaks).
    let encoded = b"Now's the time =\r\nfor all folk to come=\r\n to the aid of their country.";
    let plain = b"Now's the time for all folk to come to the aid of their country.";
    assert_eq!(qp_lenient(encoded), plain);
    assert_eq!(qp_strict(encoded), (plain.to_vec(), Ok(())));
    // Rule 1: "=3D" for "=", uppercase hex.
    assert_eq!(qp_lenient(b"a=3Db"), b"a=b");
    // Rule 3: trailing whitespace is dropped, before CRLF and at the end.
    assert_eq!(qp_lenient(b"a \t \r\nb  "), b"a\r\nb");
    assert_eq!(qp_strict(b"a \t \r\nb  "), (b"a\r\nb".to_vec(), Ok(())));
    // Whitespace inside a line and before a soft break is kept.
    assert_eq!(qp_lenient(b"a  b =\r\nc"), b"a  b c");
}

#[test]
fn qp_known_answers() {
    assert_eq!(qp_lenient(b""), b"");
    assert_eq!(qp_lenient(b"caf=C3=A9"), "café".as_bytes());
    assert_eq!(qp_lenient(b"caf=c3=a9"), "café".as_bytes());
    assert_eq!(qp_lenient(b"=E2=80=99=E2=80=99"), "’’".as_bytes());
    // Soft breaks: CRLF, LF and CR (lenient), whitespace after the '='.
    assert_eq!(qp_lenient(b"ab=\r\ncd=\nef=\rgh= \t\r\nij"), b"abcdefghij");
    // '=' at the very end is a soft break; so is '=' with whitespace.
    assert_eq!(qp_lenient(b"abc="), b"abc");
    assert_eq!(qp_lenient(b"abc= "), b"abc");
    // Malformed '=' kept literally.
    assert_eq!(qp_lenient(b"abc=4"), b"abc=4");
    assert_eq!(qp_lenient(b"=G1 =4x =="), b"=G1 =4x =");
    assert_eq!(qp_lenient(b"a= b"), b"a= b");
    assert_eq!(qp_lenient(b"1=3d=3D"), b"1==");
    // Line breaks, bare CR and LF, 8-bit bytes and controls kept.
    assert_eq!(qp_lenient(b"a\r\nb\nc\rd\xff\x01"), b"a\r\nb\nc\rd\xff\x01");
    assert_eq!(qp_lenient(b"a \rb"), b"a\rb");
    // Chunked: "=\r" split from its LF; '=' split from its hex digits.
    assert_eq!(
        qp_chunks(Strictness::Strict, &[b"ab=\r", b"\ncd"]),
        (b"abcd".to_vec(), Ok(()))
    );
    assert_eq!(
        qp_chunks(
            Strictness::Lenient,
            &[b"x=", b"C", b"3=A", b"9 ", b" ", b"\r", b"\n"]
        ),
        ("xé\r\n".as_bytes().to_vec(), Ok(()))
    );
    assert_eq!(
        qp_chunks(Strictness::Lenient, &[b"x ", b" ", b"y"]),
        (b"x  y".to_vec(), Ok(()))
    );
}

#[test]
fn qp_trailing_whitespace_bound() {
    const MAX: usize = qp::MAX_TRAILING_WHITESPACE;
    let mut input = b"a".to_vec();
    input.extend(std::iter::repeat_n(b' ', MAX + 5));
    input.extend_from_slice(b"\r\nb");
    let mut expected = b"a".to_vec();
    expected.extend(std::iter::repeat_n(b' ', 5));
    expected.extend_from_slice(b"\r\nb");
    assert_eq!(qp_lenient(&input), expected);
    assert_eq!(oracle_qp(&input), expected);
    for chunk in [1, 7, MAX, MAX + 1] {
        let chunks: Vec<&[u8]> = input.chunks(chunk).collect();
        assert_eq!(qp_chunks(Strictness::Lenient, &chunks).0, expected);
    }
    // After '=': up to MAX is still a soft break, more is not.
    let soft = [b"=".as_slice(), &[b'\t'; MAX], b"\r\nx"].concat();
    assert_eq!(qp_lenient(&soft), b"x");
    let hard = [b"=".as_slice(), &[b'\t'; MAX + 2], b"\r\nx"].concat();
    assert_eq!(qp_lenient(&hard), b"=\t\t\r\nx");
    assert_eq!(oracle_qp(&hard), b"=\t\t\r\nx");
}

#[test]
fn qp_strict_errors() {
    use ErrorKind::InvalidQuotedPrintable as K;
    assert_eq!(qp_strict(b"ab=3d"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab=4"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab=G1"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab= x"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab\ncd"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab\rcd"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab=\ncd"), (b"ab".to_vec(), err_at(3, K)));
    assert_eq!(qp_strict(b"ab=\rcd"), (b"ab".to_vec(), err_at(3, K)));
    assert_eq!(qp_strict(b"ab\r"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab\xe9"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"ab\x00"), (b"ab".to_vec(), err_at(2, K)));
    assert_eq!(qp_strict(b"abc="), (b"abc".to_vec(), Ok(())));
    // 76 characters are fine, 77 are not.
    let line = [b'x'; 76];
    assert_eq!(qp_strict(&line).1, Ok(()));
    let long = [b"ok\r\n".as_slice(), &[b'x'; 77]].concat();
    assert_eq!(qp_strict(&long).1, err_at(4 + 76, K));
    let long = [&[b'x'; 74][..], b"=41=42"].concat();
    assert_eq!(qp_strict(&long).1, err_at(76, K));
    // Offsets count across chunks.
    assert_eq!(
        qp_chunks(Strictness::Strict, &[b"abc\r\n", b"d=", b"x"]),
        (b"abc\r\nd".to_vec(), err_at(6, K))
    );
}

#[test]
fn qp_split_everywhere() {
    let inputs: &[&[u8]] = &[
        b"Now's the time =\r\nfor all folk to come=\r\n to the aid",
        b"caf=C3=A9  \r\n=E2=80=99 \t=\r\nend  ",
        b"a=\r\n=\nb=\rc=G1=4x==3d \r \n",
        b"x= \t \r\ny=  z=",
        b"\t\t\r\r\n\n==",
        b"ab=3",
    ];
    for input in inputs {
        assert_split_invariant(qp_chunks, input);
        assert_eq!(qp_lenient(input), oracle_qp(input), "{input:?}");
    }
}

#[test]
fn qp_encode_known_answers() {
    let enc = |input: &[u8], mode| {
        let mut out = Vec::new();
        qp::encode(input, mode, &mut out);
        out
    };
    use qp::Mode::{Binary, Text};
    assert_eq!(enc(b"", Text), b"");
    assert_eq!(enc(b"a=b", Text), b"a=3Db");
    assert_eq!(enc(b"a \r\nb\t", Text), b"a=20\r\nb=09");
    assert_eq!(enc(b"a \nb", Text), b"a=20=0Ab");
    assert_eq!(enc(b"a \nb", Binary), b"a =0Ab");
    assert_eq!(enc(b"\r\r\n\n", Text), b"=0D\r\n=0A");
    assert_eq!(enc(b"\x00\x7f\x80\xff~!", Binary), b"=00=7F=80=FF~!");
    // Soft breaks keep lines at most 76 characters, escapes whole.
    let long = enc(&[b'a'; 200], Text);
    assert_eq!(&long[..78], [&[b'a'; 75][..], b"=\r\n"].concat());
    let mixed = enc(&[b'a', 0xff].repeat(60), Text);
    for line in mixed.split(|&b| b == b'\n') {
        assert!(line.len() <= 77);
    }
    assert_eq!(qp_strict(&mixed), ([b'a', 0xff].repeat(60), Ok(())));
}

// ---------------------------------------------------------------- TransferEncoding

#[test]
fn transfer_encoding_names() {
    for te in [
        TransferEncoding::SevenBit,
        TransferEncoding::EightBit,
        TransferEncoding::Binary,
        TransferEncoding::QuotedPrintable,
        TransferEncoding::Base64,
    ] {
        assert_eq!(TransferEncoding::parse(te.as_str().as_bytes()), Some(te));
        let upper = te.as_str().to_ascii_uppercase();
        assert_eq!(TransferEncoding::parse(upper.as_bytes()), Some(te));
    }
    assert_eq!(TransferEncoding::parse(b""), None);
    assert_eq!(TransferEncoding::parse(b"x-uuencode"), None);
    assert_eq!(
        TransferEncoding::parse(b"\tBase64\r\n"),
        Some(TransferEncoding::Base64)
    );
}

#[test]
fn choose_rule() {
    assert_eq!(choose(b""), TransferEncoding::SevenBit);
    assert_eq!(choose(b"plain = text\r\n"), TransferEncoding::SevenBit);
    assert_eq!(choose(&[b'a'; 998]), TransferEncoding::SevenBit);
    assert_eq!(choose(&[b'a'; 999]), TransferEncoding::QuotedPrintable);
    assert_eq!(choose(b"a\0"), TransferEncoding::Base64);
    let mut text = vec![b'a'; 60];
    text.extend_from_slice(&[0xc3; 12]);
    assert_eq!(choose(&text), TransferEncoding::QuotedPrintable);
    text.push(0xc3);
    assert_eq!(choose(&text), TransferEncoding::Base64);
}

// ---------------------------------------------------------------- properties

/// Bytes that exercise quoted-printable: whitespace, line breaks, '=', hex
/// digits of both cases, other text, 8-bit.
fn qp_ish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop::sample::select(&b" \t\r\n===AaFf09Gg.x\xff\x00"[..]);
    prop::collection::vec(byte, 0..120)
}

/// Bytes that exercise base64: alphabet, padding, line breaks, junk.
fn b64_ish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop::sample::select(&b"AQgw+/09Zz===\r\n\r\n -\xff"[..]);
    prop::collection::vec(byte, 0..120)
}

const WS_TAILS: &[&[u8]] = &[b"\r\nx", b"x", b"", b"\n", b"=41"];

fn splits(len: usize, a: usize, b: usize) -> (usize, usize) {
    let (a, b) = (a % (len + 1), b % (len + 1));
    (a.min(b), a.max(b))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn base64_round_trip(data in prop::collection::vec(any::<u8>(), 0..600), line_len in 0usize..100, cut in any::<(usize, usize)>()) {
        let mut encoded = Vec::new();
        b64::encode_wrapped(&data, line_len, &mut encoded);
        prop_assert_eq!(encoded.len(), b64::encoded_len(data.len(), line_len));
        prop_assert_eq!(b64::decode(&encoded).unwrap(), data.clone());
        prop_assert_eq!(b64_strict(&encoded), (data.clone(), Ok(())));
        let effective = if line_len == 0 { usize::MAX } else { (line_len / 4 * 4).max(4) };
        for line in encoded.split(|&b| b == b'\n') {
            prop_assert!(line.strip_suffix(b"\r").unwrap_or(line).len() <= effective);
        }
        // Streaming encoder, any chunks.
        let (i, j) = splits(data.len(), cut.0, cut.1);
        prop_assert_eq!(b64_encode_chunks(&data, line_len, &[i, j - i]), encoded.clone());
        // Streaming decoder, any chunks.
        let (i, j) = splits(encoded.len(), cut.0, cut.1);
        let chunks = [&encoded[..i], &encoded[i..j], &encoded[j..]];
        prop_assert_eq!(b64_chunks(Strictness::Strict, &chunks), (data.clone(), Ok(())));
    }

    #[test]
    fn base64_agrees_with_base64_crate(data in prop::collection::vec(any::<u8>(), 0..2000)) {
        let encoded = STANDARD.encode(&data);
        prop_assert_eq!(b64::decode(encoded.as_bytes()).unwrap(), data.clone());
        prop_assert_eq!(b64_strict(encoded.as_bytes()), (data.clone(), Ok(())));
        let mut ours = Vec::new();
        b64::encode_wrapped(&data, 0, &mut ours);
        prop_assert_eq!(ours, encoded.into_bytes());
    }

    #[test]
    fn base64_agrees_on_any_valid_input(quads in prop::collection::vec(
        prop::collection::vec(prop::sample::select(&b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[..]), 4), 0..100)) {
        let input = quads.concat();
        let expected = STANDARD.decode(&input).unwrap();
        prop_assert_eq!(b64::decode(&input).unwrap(), expected.clone());
        prop_assert_eq!(b64_strict(&input), (expected, Ok(())));
    }

    #[test]
    fn base64_chunking_invariant(input in b64_ish(), cut in any::<(usize, usize)>()) {
        let (i, j) = splits(input.len(), cut.0, cut.1);
        for strictness in [Strictness::Lenient, Strictness::Strict] {
            let whole = b64_chunks(strictness, &[&input]);
            if strictness == Strictness::Lenient {
                prop_assert!(whole.1.is_ok());
            }
            prop_assert_eq!(b64_chunks(strictness, &[&input[..i], &input[i..]]), whole.clone());
            prop_assert_eq!(b64_chunks(strictness, &[&input[..i], &input[i..j], &input[j..]]), whole);
        }
    }

    #[test]
    fn base64_no_panic_on_any_bytes(input in prop::collection::vec(any::<u8>(), 0..400), cut in any::<usize>()) {
        let cut = cut % (input.len() + 1);
        for strictness in [Strictness::Lenient, Strictness::Strict] {
            let whole = b64_chunks(strictness, &[&input]);
            prop_assert_eq!(b64_chunks(strictness, &[&input[..cut], &input[cut..]]), whole);
        }
    }

    #[test]
    fn qp_round_trip(data in prop::collection::vec(any::<u8>(), 0..400), text in qp_ish(), cut in any::<(usize, usize)>()) {
        for input in [&data, &text] {
            for mode in [qp::Mode::Text, qp::Mode::Binary] {
                let mut encoded = Vec::new();
                qp::encode(input, mode, &mut encoded);
                prop_assert_eq!(qp_lenient(&encoded), input.clone());
                prop_assert_eq!(qp_strict(&encoded), (input.clone(), Ok(())));
                prop_assert_eq!(oracle_qp(&encoded), input.clone());
                let (i, j) = splits(input.len(), cut.0, cut.1);
                prop_assert_eq!(qp_encode_chunks(input, mode, &[i, j - i]), encoded.clone());
                let (i, j) = splits(encoded.len(), cut.0, cut.1);
                let chunks = [&encoded[..i], &encoded[i..j], &encoded[j..]];
                prop_assert_eq!(qp_chunks(Strictness::Strict, &chunks), (input.clone(), Ok(())));
            }
        }
    }

    #[test]
    fn qp_agrees_with_oracle(input in qp_ish(), cut in any::<(usize, usize)>()) {
        let expected = oracle_qp(&input);
        prop_assert_eq!(qp_lenient(&input), expected.clone());
        let (i, j) = splits(input.len(), cut.0, cut.1);
        prop_assert_eq!(
            qp_chunks(Strictness::Lenient, &[&input[..i], &input[i..j], &input[j..]]),
            (expected, Ok(()))
        );
    }

    #[test]
    fn qp_chunking_invariant(input in qp_ish(), cut in any::<(usize, usize)>()) {
        let (i, j) = splits(input.len(), cut.0, cut.1);
        for strictness in [Strictness::Lenient, Strictness::Strict] {
            let whole = qp_chunks(strictness, &[&input]);
            prop_assert_eq!(qp_chunks(strictness, &[&input[..i], &input[i..]]), whole.clone());
            prop_assert_eq!(qp_chunks(strictness, &[&input[..i], &input[i..j], &input[j..]]), whole);
        }
    }

    #[test]
    fn qp_no_panic_on_any_bytes(input in prop::collection::vec(any::<u8>(), 0..400), cut in any::<usize>()) {
        let cut = cut % (input.len() + 1);
        prop_assert_eq!(qp_lenient(&input), oracle_qp(&input));
        for strictness in [Strictness::Lenient, Strictness::Strict] {
            let whole = qp_chunks(strictness, &[&input]);
            prop_assert_eq!(qp_chunks(strictness, &[&input[..cut], &input[cut..]]), whole);
        }
    }

    #[test]
    fn qp_long_whitespace_runs(ws in prop::collection::vec(prop::sample::select(&b" \t"[..]), 100..300), tail in prop::sample::select(WS_TAILS), eq in any::<bool>(), cut in any::<usize>()) {
        let input = [if eq { &b"a="[..] } else { b"a" }, &ws, tail].concat();
        let expected = oracle_qp(&input);
        prop_assert_eq!(qp_lenient(&input), expected.clone());
        let cut = cut % (input.len() + 1);
        prop_assert_eq!(qp_chunks(Strictness::Lenient, &[&input[..cut], &input[cut..]]), (expected, Ok(())));
    }
}
