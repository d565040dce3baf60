//! Line framing and dot-unstuffing on 1 MiB of realistic mail text, beside a
//! raw `memchr` scan of the same bytes (the ceiling) and tokio-util's
//! `LinesCodec` (the usual peer).
//!
//! `cargo bench -p mailwire-benches --bench framing`

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mailwire_benches::mail_text;
use mailwire_core::LineFramer;
use mailwire_core::dot::{DotDecoder, DotEncoder, DotEvent};
use std::hint::black_box;
use tokio_util::codec::{Decoder, LinesCodec};

const SIZE: usize = 1024 * 1024;

/// The ceiling: find every line ending with one `memchr` call per line and
/// touch nothing else. (`memchr_iter(..).count()` is faster still, but it
/// counts without visiting each line, which no framer can do.)
fn memchr_line_scan(bytes: &[u8]) -> usize {
    let mut at = 0;
    let mut lines = 0;
    while let Some(found) = memchr::memchr(b'\n', &bytes[at..]) {
        at += found + 1;
        lines += 1;
        black_box(at);
    }
    lines
}

fn framing(c: &mut Criterion) {
    let text = mail_text(SIZE);
    let mut group = c.benchmark_group("line_framing");
    group.throughput(Throughput::Bytes(text.len() as u64));

    group.bench_function("memchr line scan (ceiling)", |b| {
        b.iter(|| memchr_line_scan(black_box(&text)))
    });
    group.bench_function("mailwire LineFramer::next_line (Bytes)", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&text[..]),
            |buf| {
                let mut framer = LineFramer::new(1000);
                let mut lines = 0usize;
                while let Some(line) = framer.next_line(buf) {
                    black_box(line.unwrap());
                    lines += 1;
                }
                lines
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("mailwire LineFramer::lines (borrowed)", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&text[..]),
            |buf| {
                let mut framer = LineFramer::new(1000);
                let mut count = 0usize;
                let mut lines = framer.lines(buf);
                while let Some(line) = lines.next_line() {
                    black_box(line.unwrap());
                    count += 1;
                }
                count
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("tokio-util LinesCodec", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&text[..]),
            |buf| {
                let mut codec = LinesCodec::new_with_max_length(1000);
                let mut lines = 0usize;
                while let Some(line) = codec.decode(buf).unwrap() {
                    black_box(line);
                    lines += 1;
                }
                lines
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn dot_stuffing(c: &mut Criterion) {
    let text = mail_text(SIZE);
    let mut wire = BytesMut::new();
    DotEncoder::new().encode_all(&text, &mut wire).unwrap();
    let wire = wire.freeze();

    let mut group = c.benchmark_group("dot_unstuffing");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("memchr line scan (ceiling)", |b| {
        b.iter(|| memchr_line_scan(black_box(&wire)))
    });
    group.bench_function("mailwire DotDecoder", |b| {
        b.iter_batched_ref(
            || BytesMut::from(&wire[..]),
            |buf| {
                let mut decoder = DotDecoder::new();
                let mut size = 0usize;
                while let Some(event) = decoder.decode(buf) {
                    match event {
                        DotEvent::Data(chunk) => size += black_box(chunk).len(),
                        DotEvent::Defect(e) => panic!("{e}"),
                        DotEvent::End => break,
                    }
                }
                size
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("dot_stuffing");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("mailwire DotEncoder", |b| {
        let mut out = BytesMut::with_capacity(2 * SIZE);
        b.iter(|| {
            out.clear();
            DotEncoder::new()
                .encode_all(black_box(&text), &mut out)
                .unwrap();
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, framing, dot_stuffing);
criterion_main!(benches);
