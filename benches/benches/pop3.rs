//! POP3 parsing, mailwire-pop3 beside pop3-codec on the same bytes: the
//! command lines of a session, the multi-line LIST and UIDL answers of a
//! 2000-message maildrop, and a 1 MiB RETR answer.
//!
//! Each side produces its typed values: mailwire `Command`s that borrow
//! the line, `ScanListing`s / `UniqueIdListing`s collected into a `Vec`,
//! and a RETR body unstuffed into `Bytes` chunks shared with the receive
//! buffer (through `parse::ResponseReader`, the client side's reader: the
//! listings parsed as they are read by `read_scan_listings` /
//! `read_unique_ids` — "mailwire" —, or lent line by line in place by
//! `read_lines` to the parsers — "mailwire-read_lines" —, or as
//! `ServerFrame::Line`s from `read` — "mailwire-frames");
//! pop3-codec its owned `Command`, `Response<MultiLine<ScanListing>>`,
//! `Response<MultiLine<UniqueIdListing>>` and `Response<MultiLine<String>>`.
//! The mailwire side copies each answer into a `BytesMut` receive buffer
//! first, inside the timed loop, as a client reading a socket would.
//!
//! `cargo bench -p mailwire-benches --bench pop3`

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire_benches::pop3_inputs::{
    list_response, retr_response, session_commands, uidl_response,
};
use mailwire_pop3::parse::{ResponseReader, ServerFrame};
use mailwire_pop3::types::{Command, ResponseKind, ScanListing, UniqueIdListing};

/// Reads a multi-line answer with mailwire's reader line by line
/// (`expect_lines` + `read_lines`), lending each unstuffed body line, in
/// place in the receive buffer, to `line`.
fn read_listing(input: &[u8], mut line: impl FnMut(&[u8])) {
    let mut reader = ResponseReader::new().after_greeting();
    reader.expect_lines();
    let mut buf = BytesMut::from(input);
    while let Some(frame) = reader.read_lines(&mut buf, &mut line).unwrap() {
        match frame {
            ServerFrame::End => break,
            other => {
                black_box(other);
            }
        }
    }
}

/// Reads a LIST answer with `read_scan_listings` into `scans`.
fn read_scans(input: &[u8], scans: &mut Vec<ScanListing>) {
    let mut reader = ResponseReader::new().after_greeting();
    reader.expect_lines();
    let mut buf = BytesMut::from(input);
    while let Some(frame) = reader
        .read_scan_listings(&mut buf, |entry| scans.push(entry.unwrap()))
        .unwrap()
    {
        if frame == ServerFrame::End {
            break;
        }
        black_box(frame);
    }
}

/// Reads a UIDL answer with `read_unique_ids`, keeping each number and
/// the length of its id (the id itself borrows the receive buffer).
fn read_uids(input: &[u8], uids: &mut Vec<(u32, usize)>) {
    let mut reader = ResponseReader::new().after_greeting();
    reader.expect_lines();
    let mut buf = BytesMut::from(input);
    while let Some(frame) = reader
        .read_unique_ids(&mut buf, |entry| {
            let u = entry.unwrap();
            uids.push((u.msg, u.uid.len()));
        })
        .unwrap()
    {
        if frame == ServerFrame::End {
            break;
        }
        black_box(frame);
    }
}

/// The same through `read`: each line a `ServerFrame::Line` (`Bytes`
/// shared with the receive buffer).
fn read_listing_frames(input: &[u8], mut line: impl FnMut(&[u8])) {
    let mut reader = ResponseReader::new().after_greeting();
    reader.expect_lines();
    let mut buf = BytesMut::from(input);
    while let Some(frame) = reader.read(&mut buf).unwrap() {
        match frame {
            ServerFrame::Line(bytes) => line(&bytes),
            ServerFrame::End => break,
            other => {
                black_box(other);
            }
        }
    }
}

fn commands(c: &mut Criterion) {
    let session = session_commands();
    let bytes: u64 = session.iter().map(|l| l.len() as u64).sum();
    let mut group = c.benchmark_group("pop3/commands");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("mailwire", |b| {
        b.iter(|| {
            for line in &session {
                black_box(Command::parse(black_box(line)).unwrap());
            }
        })
    });
    group.bench_function("pop3-codec", |b| {
        b.iter(|| {
            for line in &session {
                black_box(pop3_codec::parse::command(black_box(line)).unwrap());
            }
        })
    });
    group.finish();
}

fn listings(c: &mut Criterion) {
    let list = list_response(2000);
    let mut group = c.benchmark_group("pop3/list_2000");
    group.throughput(Throughput::Bytes(list.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| {
            let mut scans = Vec::new();
            read_scans(black_box(&list), &mut scans);
            black_box(scans);
        })
    });
    group.bench_function("mailwire-read_lines", |b| {
        b.iter(|| {
            let mut scans = Vec::new();
            read_listing(black_box(&list), |l| {
                scans.push(ScanListing::parse(l).unwrap())
            });
            black_box(scans);
        })
    });
    group.bench_function("mailwire-frames", |b| {
        b.iter(|| {
            let mut scans = Vec::new();
            read_listing_frames(black_box(&list), |l| {
                scans.push(ScanListing::parse(l).unwrap())
            });
            black_box(scans);
        })
    });
    group.bench_function("pop3-codec", |b| {
        b.iter(|| black_box(pop3_codec::parse::response_list_all(black_box(&list)).unwrap()))
    });
    group.finish();

    let uidl = uidl_response(2000);
    let mut group = c.benchmark_group("pop3/uidl_2000");
    group.throughput(Throughput::Bytes(uidl.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| {
            let mut uids: Vec<(u32, usize)> = Vec::new();
            read_uids(black_box(&uidl), &mut uids);
            black_box(uids);
        })
    });
    group.bench_function("mailwire-read_lines", |b| {
        b.iter(|| {
            let mut uids: Vec<(u32, usize)> = Vec::new();
            read_listing(black_box(&uidl), |l| {
                let u = UniqueIdListing::parse(l).unwrap();
                uids.push((u.msg, u.uid.len()));
            });
            black_box(uids);
        })
    });
    group.bench_function("mailwire-frames", |b| {
        b.iter(|| {
            let mut uids: Vec<(u32, usize)> = Vec::new();
            read_listing_frames(black_box(&uidl), |l| {
                let u = UniqueIdListing::parse(l).unwrap();
                uids.push((u.msg, u.uid.len()));
            });
            black_box(uids);
        })
    });
    group.bench_function("pop3-codec", |b| {
        b.iter(|| black_box(pop3_codec::parse::response_uidl_all(black_box(&uidl)).unwrap()))
    });
    group.finish();
}

fn retr(c: &mut Criterion) {
    let retr = retr_response(1 << 20);
    let mut group = c.benchmark_group("pop3/retr_1mib");
    group.throughput(Throughput::Bytes(retr.len() as u64));
    group.sample_size(20);
    group.bench_function("mailwire", |b| {
        b.iter(|| {
            let mut reader = ResponseReader::new().after_greeting();
            reader.expect(ResponseKind::MultiLine);
            let mut buf = BytesMut::from(black_box(&retr[..]));
            let mut size = 0;
            while let Some(frame) = reader.read(&mut buf).unwrap() {
                match frame {
                    ServerFrame::Data(chunk) => size += chunk.len(),
                    ServerFrame::End => break,
                    other => {
                        black_box(other);
                    }
                }
            }
            black_box(size)
        })
    });
    group.bench_function("pop3-codec", |b| {
        b.iter(|| black_box(pop3_codec::parse::response_retr(black_box(&retr)).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, commands, listings, retr);
criterion_main!(benches);
