//! Memory stays bounded whatever the server sends: a large RETR streams
//! through the client without its buffer passing the limit.

use bytes::BytesMut;
use mailwire_pop3::client::{Client, ClientError, Config, Event};

/// An 8 MiB message of lines of varying lengths, a fifth of them starting
/// with a dot: (what the server sends after `+OK`, the message itself).
fn big_message() -> (Vec<u8>, Vec<u8>) {
    let mut message = Vec::with_capacity(8 << 20);
    let mut wire = Vec::with_capacity((8 << 20) + (1 << 20));
    let mut n: u32 = 0;
    while message.len() < 8 << 20 {
        n = n.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let len = (n >> 16) as usize % 300;
        let mut line = Vec::with_capacity(len + 2);
        if n % 5 == 0 {
            line.push(b'.');
        }
        line.extend((0..len).map(|i| b'a' + (i % 26) as u8));
        line.extend_from_slice(b"\r\n");
        message.extend_from_slice(&line);
        if line[0] == b'.' {
            wire.push(b'.');
        }
        wire.extend_from_slice(&line);
    }
    wire.extend_from_slice(b".\r\n");
    (wire, message)
}

fn logged_in(config: Config) -> Client {
    let mut client = Client::new(config);
    client.login_user_pass("joe", "pw").unwrap();
    for read in [&b"+OK\r\n"[..], b"+OK\r\n", b"+OK\r\n"] {
        assert_eq!(client.handle_input(read), read.len());
        while client.poll_event().is_some() {}
    }
    assert!(client.is_logged_in());
    assert_eq!(
        client.poll_transmit().as_deref(),
        Some(&b"USER joe\r\nPASS pw\r\n"[..])
    );
    client
}

/// Feeds `wire` in reads of `read_size`, checking the bound after every
/// call; returns the message bytes received.
fn retr(config: Config, wire: &[u8], read_size: usize) -> Vec<u8> {
    let max = config.max_buffered;
    let mut client = logged_in(config);
    let id = client.retr(1).unwrap();
    let mut out = BytesMut::new();
    let _ = client.poll_output(&mut out);
    assert_eq!(&out[..], b"RETR 1\r\n");
    let mut received = Vec::new();
    let mut ended = false;
    let mut answer = b"+OK 8 MiB\r\n".to_vec();
    answer.extend_from_slice(wire);
    for read in answer.chunks(read_size) {
        let mut rest = read;
        while !rest.is_empty() {
            let taken = client.handle_input(rest);
            rest = &rest[taken..];
            assert!(client.buffered_len() <= max, "{}", client.buffered_len());
            while let Some(event) = client.poll_event() {
                assert!(client.buffered_len() <= max);
                match event {
                    Event::MessageStart { id: i, msg: 1 } => assert_eq!(i, id),
                    Event::MessageData { id: i, data } => {
                        assert_eq!(i, id);
                        assert!(data.len() <= max);
                        received.extend_from_slice(&data);
                    }
                    Event::MessageEnd { id: i } => {
                        assert_eq!(i, id);
                        ended = true;
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    }
    assert!(ended);
    assert_eq!(client.buffered_len(), 0);
    received
}

#[test]
fn large_retr_stays_within_the_buffer() {
    let (wire, message) = big_message();
    // Reads smaller and larger than the buffer.
    for (max_buffered, read_size) in [(64 * 1024, 16 * 1024), (64 * 1024, 1 << 20), (4096, 65536)] {
        let mut config = Config::default();
        config.max_buffered = max_buffered;
        let received = retr(config, &wire, read_size);
        assert!(
            received == message,
            "body differs ({} bytes)",
            received.len()
        );
    }
}

/// A message larger than `max_message_size` is cut, read to its end, and
/// the session goes on.
#[test]
fn message_size_limit() {
    let mut config = Config::default();
    config.max_message_size = 10;
    let mut client = logged_in(config);
    let id = client.retr(1).unwrap();
    let noop = client.noop().unwrap();
    let mut events = Vec::new();
    let _ = client.handle_input(b"+OK\r\n0123456789abcdef\r\n.\r\n");
    while let Some(event) = client.poll_event() {
        events.push(event);
    }
    assert!(events.contains(&Event::MessageTruncated { id }));
    assert!(events.contains(&Event::MessageEnd { id }));
    let data: usize = events
        .iter()
        .map(|e| match e {
            Event::MessageData { data, .. } => data.len(),
            _ => 0,
        })
        .sum();
    assert!(data <= 10);
    let _ = client.handle_input(b"+OK\r\n");
    assert!(matches!(client.poll_event(), Some(Event::Done { id, .. }) if id == noop));
}

/// A server that never ends a line cannot make the client buffer more
/// than a response line.
#[test]
fn endless_line_fails() {
    let mut client = Client::new(Config::default());
    let flood = vec![b'x'; 1 << 20];
    let mut events = Vec::new();
    let mut rest = &flood[..];
    while !rest.is_empty() && !client.is_closed() {
        let taken = client.handle_input(rest);
        rest = &rest[taken..];
        assert!(client.buffered_len() <= 64 * 1024);
        while let Some(event) = client.poll_event() {
            events.push(event);
        }
    }
    assert!(matches!(events[0], Event::Failed(ClientError::Protocol(_))));
    assert!(client.is_closed());
}
