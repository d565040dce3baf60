//! Content-Transfer-Encoding codecs: `mailwire_core::encoding` beside the
//! `base64` and `quoted_printable` crates on the same inputs.
//!
//! Run with `cargo bench -p mailwire-benches --bench transfer_encoding`.

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire_benches::XorShift;
use mailwire_core::encoding::{base64 as b64, qp};

const MIB: usize = 1 << 20;

/// Deterministic pseudo-random bytes.
fn binary(len: usize) -> Vec<u8> {
    let mut rng = XorShift::new();
    (0..len).map(|_| (rng.next_u32() >> 11) as u8).collect()
}

/// Wraps `encoded` MIME-style: CRLF after every 76 characters.
fn wrap76(encoded: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for (i, line) in encoded.chunks(76).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(line);
    }
    out
}

/// The fair peer pipeline for MIME input: strip CR/LF, then decode.
fn peer_strip_decode(wrapped: &[u8]) -> Vec<u8> {
    let mut stripped = Vec::with_capacity(wrapped.len());
    let mut rest = wrapped;
    while let Some(i) = memchr::memchr2(b'\r', b'\n', rest) {
        stripped.extend_from_slice(&rest[..i]);
        rest = &rest[i + 1..];
    }
    stripped.extend_from_slice(rest);
    STANDARD.decode(&stripped).expect("valid base64")
}

/// About `len` bytes of prose with typographic quotes and accented words,
/// in CRLF-terminated paragraphs (as a text/plain part would be).
fn prose(len: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "message",
        "we",
        "don’t",
        "know",
        "café",
        "naïve",
        "résumé",
        "and",
        "it’s",
        "“quoted”",
        "delivery",
        "tomorrow",
        "meeting",
        "at",
        "10:00",
        "—",
        "with",
        "a",
        "very",
        "long",
        "paragraph",
        "of",
        "text",
        "that",
        "goes",
        "on",
        "and",
        "on",
        "so",
        "lines",
        "must",
        "be",
        "wrapped",
        "by",
        "the",
        "encoder",
        "using",
        "soft",
        "breaks",
        "50%",
        "discount",
        "x=1",
        "Grüße",
        "from",
        "Zürich",
    ];
    let mut out = String::with_capacity(len + 100);
    let mut rng = XorShift::new();
    while out.len() < len {
        let seed = rng.next_u32();
        out.push_str(WORDS[seed as usize % WORDS.len()]);
        if seed % 97 == 0 {
            out.push_str(".\r\n\r\n");
        } else {
            out.push(' ');
        }
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn base64_decode(c: &mut Criterion) {
    let data = binary(MIB);
    let unwrapped = STANDARD.encode(&data).into_bytes();
    let wrapped = wrap76(&unwrapped);
    assert_eq!(b64::decode(&unwrapped).unwrap(), data);
    assert_eq!(b64::decode(&wrapped).unwrap(), data);
    assert_eq!(peer_strip_decode(&wrapped), data);

    let mut g = c.benchmark_group("base64_decode_unwrapped");
    g.throughput(Throughput::Bytes(unwrapped.len() as u64));
    g.bench_function("mailwire", |b| {
        b.iter(|| b64::decode(black_box(&unwrapped)).unwrap())
    });
    g.bench_function("base64_crate", |b| {
        b.iter(|| STANDARD.decode(black_box(&unwrapped)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("base64_decode_mime76");
    g.throughput(Throughput::Bytes(wrapped.len() as u64));
    g.bench_function("mailwire", |b| {
        b.iter(|| b64::decode(black_box(&wrapped)).unwrap())
    });
    g.bench_function("mailwire_streaming_16k", |b| {
        let mut out = Vec::with_capacity(data.len() + 64);
        b.iter(|| {
            out.clear();
            let mut decoder = b64::Base64Decoder::new();
            for chunk in black_box(&wrapped).chunks(16 * 1024) {
                decoder.decode(chunk, &mut out).unwrap();
            }
            decoder.finish(&mut out).unwrap();
            out.len()
        })
    });
    g.bench_function("base64_crate_strip_then_decode", |b| {
        b.iter(|| peer_strip_decode(black_box(&wrapped)))
    });
    g.finish();
}

fn base64_encode(c: &mut Criterion) {
    let data = binary(MIB);
    let mut ours = Vec::new();
    b64::encode_wrapped(&data, 76, &mut ours);
    assert_eq!(ours, wrap76(STANDARD.encode(&data).as_bytes()));

    let mut g = c.benchmark_group("base64_encode_mime76");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("mailwire", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(b64::encoded_len(data.len(), 76));
            b64::encode_wrapped(black_box(&data), 76, &mut out);
            out
        })
    });
    g.bench_function("base64_crate_encode_then_wrap", |b| {
        b.iter(|| wrap76(STANDARD.encode(black_box(&data)).as_bytes()))
    });
    g.finish();

    let mut g = c.benchmark_group("base64_encode_unwrapped");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("mailwire", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(b64::encoded_len(data.len(), 0));
            b64::encode_wrapped(black_box(&data), 0, &mut out);
            out
        })
    });
    g.bench_function("base64_crate", |b| {
        b.iter(|| STANDARD.encode(black_box(&data)))
    });
    g.finish();
}

fn qp_codec(c: &mut Criterion) {
    let text = prose(MIB);
    let encoded = quoted_printable::encode(&text);
    let ours = qp::decode(&encoded).unwrap();
    assert_eq!(ours, text);
    assert_eq!(
        quoted_printable::decode(&encoded, quoted_printable::ParseMode::Robust).unwrap(),
        text
    );

    let mut g = c.benchmark_group("qp_decode");
    g.throughput(Throughput::Bytes(encoded.len() as u64));
    g.bench_function("mailwire", |b| {
        b.iter(|| qp::decode(black_box(&encoded)).unwrap())
    });
    g.bench_function("quoted_printable_robust", |b| {
        b.iter(|| {
            quoted_printable::decode(black_box(&encoded), quoted_printable::ParseMode::Robust)
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("qp_encode");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("mailwire", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            qp::encode(black_box(&text), qp::Mode::Text, &mut out);
            out
        })
    });
    g.bench_function("quoted_printable", |b| {
        b.iter(|| quoted_printable::encode(black_box(&text)))
    });
    g.finish();
}

criterion_group!(benches, base64_decode, base64_encode, qp_codec);
criterion_main!(benches);
