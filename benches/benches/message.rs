//! Parsing whole messages: mailwire-message beside mailparse 0.18 and
//! mail-parser 0.11, on the same inputs, in three workloads:
//!
//! - `message_structure`: find the MIME tree and visit every part;
//! - `message_headers`: that, and every header field of every part read as
//!   a typed value (addresses, decoded text, media types; dates where the
//!   library has a date parser, which mailwire-message has not yet);
//! - `message_full`: that, and every leaf decoded, `text/*` to UTF-8.
//!
//! The inputs: `corpus`, every `.eml` file of mailwire-message's test corpus
//! (`crates/mailwire-message/tests/corpus/`, all of them in each iteration;
//! skipped with a note when the directory is absent), and three generated
//! messages: `attachment_1mib` (a 1 MiB base64 attachment),
//! `multipart_50` (50 parts of mixed kinds, nested multiparts and
//! attached messages) and `received_200` (200 folded `Received` fields).
//! Throughput is the input's size in bytes.
//!
//! The libraries differ in when they work: mailwire-message and mailparse
//! find the structure and decode on demand; mail-parser decodes every body
//! (and by default parses every known header field) while parsing, and has
//! no way to skip that. So its `structure` and `full` figures are the same
//! work: it runs with only the MIME fields parsed (`with_mime_headers`,
//! `default_header_ignore`), its cheapest setting that still finds and
//! decodes the parts, and with its defaults for `headers`, where its
//! `Received` parser also does more than the other two (which read that
//! field as text). The workloads themselves are in
//! `benches/src/message_workloads.rs`; `cargo test -p mailwire-benches`
//! checks that the three see the same parts and decoded sizes.
//!
//! `cargo bench -p mailwire-benches --bench message`
//! (add `-- --warm-up-time 1 --measurement-time 3` for a shorter run)

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mailwire_benches::message_inputs::{self, Input};
use std::hint::black_box;

#[path = "../src/message_workloads.rs"]
mod message_workloads;

use message_workloads::*;

/// The inputs, the corpus first when it is there.
fn inputs() -> Vec<Input> {
    let mut inputs = Vec::new();
    match message_inputs::corpus() {
        Some(corpus) => inputs.push(corpus),
        None => eprintln!(
            "note: no .eml file in {}; the corpus input is skipped",
            message_inputs::corpus_dir().display()
        ),
    }
    inputs.extend(message_inputs::generated());
    inputs
}

/// Runs `work` on every message of `input`, summing what it returns.
fn each(input: &Input, mut work: impl FnMut(&[u8]) -> usize) -> usize {
    input.messages.iter().map(|raw| work(black_box(raw))).sum()
}

fn message(c: &mut Criterion) {
    let inputs = inputs();
    let mime_only = mail_parser_mime_only();
    let all_headers = mail_parser_all_headers();

    let mut group = c.benchmark_group("message_structure");
    for input in &inputs {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("mailwire", input.name), input, |b, i| {
            b.iter(|| each(i, mailwire_structure))
        });
        group.bench_with_input(BenchmarkId::new("mailparse", input.name), input, |b, i| {
            b.iter(|| each(i, mailparse_structure))
        });
        group.bench_with_input(
            BenchmarkId::new("mail-parser", input.name),
            input,
            |b, i| b.iter(|| each(i, |raw| mail_parser_structure(&mime_only, raw))),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("message_headers");
    for input in &inputs {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("mailwire", input.name), input, |b, i| {
            b.iter(|| each(i, mailwire_headers))
        });
        group.bench_with_input(BenchmarkId::new("mailparse", input.name), input, |b, i| {
            b.iter(|| each(i, mailparse_headers))
        });
        group.bench_with_input(
            BenchmarkId::new("mail-parser", input.name),
            input,
            |b, i| b.iter(|| each(i, |raw| mail_parser_headers(&all_headers, raw))),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("message_full");
    for input in &inputs {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("mailwire", input.name), input, |b, i| {
            b.iter(|| each(i, mailwire_full))
        });
        group.bench_with_input(BenchmarkId::new("mailparse", input.name), input, |b, i| {
            b.iter(|| each(i, mailparse_full))
        });
        group.bench_with_input(
            BenchmarkId::new("mail-parser", input.name),
            input,
            |b, i| b.iter(|| each(i, |raw| mail_parser_full(&mime_only, raw))),
        );
    }
    group.finish();
}

criterion_group!(benches, message);
criterion_main!(benches);
