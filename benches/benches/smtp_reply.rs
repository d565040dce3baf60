//! SMTP reply parsing, mailwire-smtp beside smtp-proto on the same bytes:
//! the replies of a whole delivery session, and multi-line EHLO replies
//! read into capabilities.
//!
//! Each side produces its typed value and nothing more: mailwire a `Reply`
//! that borrows the text (and `Capabilities` for EHLO), smtp-proto a
//! `Response<String>` (an `EhloResponse<String>` for EHLO).
//!
//! `cargo bench -p mailwire-benches --bench smtp_reply`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire_benches::smtp_replies::{postfix_ehlo, provider_ehlo, session_replies};
use mailwire_smtp::types::{Capabilities, Reply};
use smtp_proto::EhloResponse;
use smtp_proto::response::parser::ResponseReceiver;

fn replies(c: &mut Criterion) {
    let session = session_replies();
    let bytes: u64 = session.iter().map(|r| r.len() as u64).sum();
    let mut group = c.benchmark_group("smtp_reply/session");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("mailwire", |b| {
        b.iter(|| {
            for reply in &session {
                let (reply, n) = Reply::parse(black_box(reply)).unwrap().unwrap();
                black_box((reply.code(), reply.status(), n));
                black_box(reply);
            }
        })
    });
    group.bench_function("smtp-proto", |b| {
        b.iter(|| {
            for reply in &session {
                let response = ResponseReceiver::default()
                    .parse(&mut black_box(reply).iter())
                    .unwrap();
                black_box(response);
            }
        })
    });
    group.finish();

    for (name, ehlo) in [("postfix", postfix_ehlo()), ("provider", provider_ehlo())] {
        let mut group = c.benchmark_group(format!("smtp_reply/ehlo_{name}"));
        group.throughput(Throughput::Bytes(ehlo.len() as u64));
        group.bench_function("mailwire", |b| {
            b.iter(|| {
                let (reply, _) = Reply::parse(black_box(&ehlo)).unwrap().unwrap();
                let caps = Capabilities::from_ehlo(&reply);
                black_box((caps.size, caps.pipelining, caps.auth.len()));
            })
        });
        group.bench_function("mailwire reply only", |b| {
            b.iter(|| {
                let (reply, _) = Reply::parse(black_box(&ehlo)).unwrap().unwrap();
                black_box(reply.lines().count());
            })
        });
        group.bench_function("smtp-proto", |b| {
            b.iter(|| {
                let ehlo = EhloResponse::parse(&mut black_box(&ehlo).iter()).unwrap();
                black_box((ehlo.size, ehlo.capabilities, ehlo.auth_mechanisms));
            })
        });
        group.finish();
    }
}

criterion_group!(benches, replies);
criterion_main!(benches);
