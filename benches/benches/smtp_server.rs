//! The sans-IO SMTP server machine in memory: whole sessions (EHLO, MAIL,
//! RCPT, DATA with a dot-stuffed message, QUIT) fed in 16 KiB reads, every
//! sender, recipient and message accepted, output drained. Measures the
//! protocol work per byte a real server does around its I/O.
//!
//! `cargo bench -p mailwire-benches --bench smtp_server`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire_benches::mail_text;
use mailwire_smtp::server::{Event, Server, ServerConfig};

/// One client session in the steps a client waits between (RFC 2920:
/// EHLO and DATA end a pipelined group): `recipients` RCPTs and a message
/// of about `size` bytes (CRLF lines, some starting with a dot).
fn session(recipients: usize, size: usize) -> Vec<Vec<u8>> {
    let mut envelope = b"MAIL FROM:<alice@example.net> SIZE=100000\r\n".to_vec();
    for i in 0..recipients {
        envelope.extend_from_slice(format!("RCPT TO:<user{i}@example.org>\r\n").as_bytes());
    }
    envelope.extend_from_slice(b"DATA\r\n");
    let mut message = Vec::with_capacity(size + size / 32);
    let mut at_line_start = true;
    for b in mail_text(size) {
        if at_line_start && b == b'.' {
            message.push(b'.');
        }
        message.push(b);
        at_line_start = b == b'\n';
    }
    if !message.ends_with(b"\r\n") {
        message.extend_from_slice(b"\r\n");
    }
    message.extend_from_slice(b".\r\n");
    vec![
        b"EHLO client.example.net\r\n".to_vec(),
        envelope,
        message,
        b"QUIT\r\n".to_vec(),
    ]
}

/// Runs the session through a new server, each step fed in 16 KiB reads
/// after the replies to the one before were taken; returns the message
/// bytes the application saw.
fn run(config: &Arc<ServerConfig>, steps: &[Vec<u8>]) -> usize {
    let now = Instant::now();
    let mut server = Server::new(Arc::clone(config), now);
    let mut out = BytesMut::with_capacity(4096);
    let mut data = 0;
    for step in steps {
        let mut rest = &step[..];
        loop {
            while let Some(event) = server.poll_event() {
                match event {
                    Event::Mail(_) => server.accept_sender().unwrap(),
                    Event::Recipient(_) => server.accept_recipient().unwrap(),
                    Event::Data(chunk) => data += black_box(chunk).len(),
                    Event::MessageEnd(_) => server.accept_message().unwrap(),
                    _ => {}
                }
            }
            if server.poll_output(&mut out) > 0 {
                out.clear();
                continue;
            }
            if rest.is_empty() {
                break;
            }
            let n = rest.len().min(16 * 1024);
            let taken = server.handle_input(now, &rest[..n]);
            rest = &rest[taken..];
        }
    }
    assert!(server.is_closed());
    data
}

fn server(c: &mut Criterion) {
    let config = Arc::new(ServerConfig::new("mx.example.org"));
    for (name, recipients, size) in [
        ("1 KiB, 1 rcpt", 1, 1024),
        ("64 KiB, 20 rcpt", 20, 64 * 1024),
    ] {
        let input = session(recipients, size);
        assert!(run(&config, &input) >= size - 2, "the message got through");
        let mut group = c.benchmark_group(format!("smtp_server/{name}"));
        group.throughput(Throughput::Bytes(
            input.iter().map(|s| s.len() as u64).sum(),
        ));
        group.bench_function("mailwire server session", |b| {
            b.iter(|| run(&config, black_box(&input)))
        });
        group.finish();
    }
}

criterion_group!(benches, server);
criterion_main!(benches);
