//! SMTP command parsing: every line of a realistic pipelined session (see
//! `mailwire_benches::smtp_inputs`), parsed by mailwire-smtp and by
//! smtp-proto from the same `&[u8]` slices. Each side does the least that
//! gives it a typed command: `Command::parse(line)` and
//! `Request::parse(&mut line.iter())`.
//!
//! `cargo bench -p mailwire-benches --bench smtp_command`

use std::borrow::Cow;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire_benches::smtp_inputs::{lines, session};
use mailwire_smtp::types::Command;
use smtp_proto::Request;

fn smtp_command(c: &mut Criterion) {
    let session = session();
    let lines = lines(&session);

    let mut group = c.benchmark_group("smtp_command");
    group.throughput(Throughput::Bytes(session.len() as u64));
    group.bench_function("mailwire-smtp Command::parse", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(Command::parse(black_box(line)).unwrap());
            }
        })
    });
    group.bench_function("smtp-proto Request::parse", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(Request::<Cow<'_, str>>::parse(&mut black_box(line).iter()).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, smtp_command);
criterion_main!(benches);
