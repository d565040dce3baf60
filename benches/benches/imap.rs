//! IMAP parsing, mailwire-imap beside imap-codec (commands and responses)
//! and imap-proto (responses) on the same bytes: a session's commands,
//! FETCH responses with ENVELOPE and BODYSTRUCTURE, LIST/STATUS/SEARCH
//! responses, and a FETCH with a 1 MiB BODY[] literal. A last group feeds
//! the server's `CommandDecoder` APPENDs of 1, 4 and 16 MiB in 16 KiB
//! pieces, to show that the time grows linearly with the size: streamed
//! (the message leaves as chunks), buffered (the whole command is held;
//! the receive buffer grows by doubling, so at 16 MiB the time is mostly
//! the allocator's copies and the kernel's page faults, not the
//! decoder's), and buffered into a buffer reserved up front (the
//! decoder's own cost).
//!
//! Each side produces its typed values and nothing more: mailwire
//! `Command`s / `Response`s that borrow the input (a server holds a
//! command's bytes, literals included, before parsing it with
//! `Command::parse`; the client side copies the responses into a
//! `BytesMut` receive buffer inside the timed loop and reads them with
//! `parse::ResponseReader`, literals kept in memory), imap-codec its
//! `Command` / `Response` from `Decoder::decode`, imap-proto its
//! `Response` from `Response::parse`. The `mailwire-in-place` rows parse
//! the responses where they lie with `Response::parse`, without the
//! receive-buffer copy, as the peers do.
//!
//! `cargo bench -p mailwire-benches --bench imap`

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::decode::Decoder;
use imap_codec::{CommandCodec, ResponseCodec};
use mailwire_benches::imap_inputs::{
    append_stream, fetch_body_response, fetch_envelope_responses, list_status_responses,
    session_commands,
};
use mailwire_imap::parse::{CommandDecoder, Decoded, ReadFrame, ResponseReader};
use mailwire_imap::types::{Command, Response};

/// Reads every response in `input` with mailwire's client-side reader;
/// returns how many there were.
fn mailwire_responses(input: &[u8]) -> usize {
    let mut reader = ResponseReader::new();
    let mut buf = BytesMut::from(input);
    let mut n = 0;
    loop {
        match reader.read(&mut buf) {
            ReadFrame::Response(r) => {
                black_box(r);
                n += 1;
            }
            ReadFrame::Incomplete => return n,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Parses every response in `input` in place with `Response::parse`
/// (no receive buffer, as the peers do).
fn mailwire_parse(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        let (response, len) = Response::parse(rest).unwrap();
        black_box(response);
        rest = &rest[len..];
        n += 1;
    }
    n
}

fn codec_responses(input: &[u8]) -> usize {
    let codec = ResponseCodec::new();
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        let (r, response) = codec.decode(rest).unwrap();
        black_box(response);
        rest = r;
        n += 1;
    }
    n
}

fn proto_responses(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        let (r, response) = imap_proto::Response::parse(rest).unwrap();
        black_box(response);
        rest = r;
        n += 1;
    }
    n
}

fn commands(c: &mut Criterion) {
    let session = session_commands();
    for cmd in &session {
        let (_, len) = Command::parse(cmd).unwrap();
        assert_eq!(len, cmd.len());
        let (rest, _) = CommandCodec::new().decode(cmd).unwrap();
        assert!(rest.is_empty());
    }
    let bytes: u64 = session.iter().map(|l| l.len() as u64).sum();
    let mut group = c.benchmark_group("imap/commands");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("mailwire", |b| {
        b.iter(|| {
            for cmd in &session {
                black_box(Command::parse(black_box(cmd)).unwrap());
            }
        })
    });
    group.bench_function("imap-codec", |b| {
        let codec = CommandCodec::new();
        b.iter(|| {
            for cmd in &session {
                black_box(codec.decode(black_box(cmd)).unwrap());
            }
        })
    });
    group.finish();
}

fn responses(c: &mut Criterion) {
    let inputs = [
        (
            "imap/responses_fetch_envelope",
            fetch_envelope_responses(200),
        ),
        ("imap/responses_list_status", list_status_responses(300)),
        ("imap/responses_body_1mib", fetch_body_response(1 << 20)),
    ];
    for (name, input) in &inputs {
        let n = mailwire_responses(input);
        assert_eq!(n, mailwire_parse(input), "{name}");
        assert_eq!(n, codec_responses(input), "{name}");
        assert_eq!(n, proto_responses(input), "{name}");
        let mut group = c.benchmark_group(*name);
        group.throughput(Throughput::Bytes(input.len() as u64));
        if input.len() > 1 << 20 {
            group.sample_size(20);
        }
        group.bench_function("mailwire", |b| {
            b.iter(|| mailwire_responses(black_box(input)))
        });
        group.bench_function("mailwire-in-place", |b| {
            b.iter(|| mailwire_parse(black_box(input)))
        });
        group.bench_function("imap-codec", |b| {
            b.iter(|| codec_responses(black_box(input)))
        });
        group.bench_function("imap-proto", |b| {
            b.iter(|| proto_responses(black_box(input)))
        });
        group.finish();
    }
}

/// Feeds `input` to a server's decoder in 16 KiB pieces, as reads from
/// a socket would, into a receive buffer of `capacity` bytes at first
/// (it grows as needed); returns the message octets seen.
fn decode_in_pieces(input: &[u8], stream: bool, capacity: usize) -> usize {
    let mut decoder = CommandDecoder::new().stream_append(stream);
    let mut buf = BytesMut::with_capacity(capacity);
    let mut octets = 0;
    let mut commands = 0;
    for piece in input.chunks(16 * 1024) {
        buf.extend_from_slice(piece);
        loop {
            match decoder.decode(&mut buf) {
                Decoded::Incomplete => break,
                Decoded::LiteralChunk(chunk) => octets += chunk.len(),
                Decoded::Command(cmd) => {
                    black_box(cmd);
                    commands += 1;
                }
                Decoded::LiteralAnnounced { .. } | Decoded::AppendStart { .. } => {}
                Decoded::AppendEnd => commands += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(commands, 2);
    octets
}

fn append_linear(c: &mut Criterion) {
    let mut group = c.benchmark_group("imap/append_decoder_16k_pieces");
    group.sample_size(10);
    for mib in [1usize, 4, 16] {
        let input = append_stream(mib << 20);
        group.throughput(Throughput::Bytes(input.len() as u64));
        for (mode, stream, capacity) in [
            ("stream", true, 64 * 1024),
            ("buffered", false, 64 * 1024),
            ("buffered-reserved", false, input.len()),
        ] {
            group.bench_with_input(
                BenchmarkId::new(mode, format!("{mib}MiB")),
                &input,
                |b, i| b.iter(|| decode_in_pieces(black_box(i), stream, capacity)),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, commands, responses, append_linear);
criterion_main!(benches);
