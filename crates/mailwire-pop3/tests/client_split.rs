//! The client gives the same events and sends the same bytes however the
//! server's bytes are split between reads (message bytes may come in
//! other chunks; joined they are the same).

use bytes::BytesMut;
use mailwire_pop3::client::{Client, Config, Event};

/// The server's side of a whole session: CAPA with PIPELINING, USER/PASS,
/// then STAT, LIST, UIDL, RETR, TOP, DELE, NOOP pipelined, and QUIT.
fn transcript() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"+OK POP3 ready <1.2@example.org>\r\n");
    s.extend_from_slice(b"+OK\r\nUSER\r\nPIPELINING\r\nTOP\r\nUIDL\r\nSASL PLAIN\r\n.\r\n");
    s.extend_from_slice(b"+OK\r\n+OK maildrop locked\r\n");
    s.extend_from_slice(b"+OK 2 3000\r\n");
    s.extend_from_slice(b"+OK\r\n1 2900\r\n2 100\r\n.\r\n");
    s.extend_from_slice(b"+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n");
    s.extend_from_slice(b"+OK 2900 octets\r\nSubject: split\r\n\r\n");
    for n in 0..60 {
        s.extend_from_slice(format!("..line {n} with a stuffed dot\r\nplain {n}\r\n").as_bytes());
    }
    s.extend_from_slice(b".\r\n");
    s.extend_from_slice(b"+OK\r\nSubject: two\r\n\r\n.\r\n");
    s.extend_from_slice(b"-ERR [SYS/TEMP] cannot delete now\r\n");
    s.extend_from_slice(b"+OK\r\n");
    s.extend_from_slice(b"+OK bye\r\n");
    s
}

fn client(config: Config) -> Client {
    let mut client = Client::new(config);
    client.capa().unwrap();
    client.login_user_pass("joe", "secret").unwrap();
    client.stat().unwrap();
    client.list(None).unwrap();
    client.uidl(None).unwrap();
    client.retr(1).unwrap();
    client.top(2, 0).unwrap();
    client.dele(1).unwrap();
    client.noop().unwrap();
    client.quit().unwrap();
    client
}

/// Feeds the reads; returns the events with message chunks joined, and
/// every byte sent. Checks the buffer bound on the way.
fn run(config: &Config, reads: &[&[u8]]) -> (Vec<Event>, Vec<u8>) {
    let mut client = client(config.clone());
    let mut events: Vec<Event> = Vec::new();
    let mut out = BytesMut::new();
    let push = |events: &mut Vec<Event>, event: Event| {
        if let (
            Some(Event::MessageData {
                id: last,
                data: prev,
            }),
            Event::MessageData { id, data },
        ) = (events.last_mut(), &event)
            && last == id
        {
            let mut joined = prev.to_vec();
            joined.extend_from_slice(data);
            *prev = joined.into();
            return;
        }
        events.push(event);
    };
    for read in reads {
        let mut rest = *read;
        loop {
            let taken = client.handle_input(rest);
            rest = &rest[taken..];
            assert!(client.buffered_len() <= config.max_buffered);
            while let Some(event) = client.poll_event() {
                assert!(client.buffered_len() <= config.max_buffered);
                push(&mut events, event);
            }
            let _ = client.poll_output(&mut out);
            if rest.is_empty() {
                break;
            }
        }
    }
    (events, out.to_vec())
}

fn check_all_splits(config: &Config) {
    let t = transcript();
    let (whole, sent) = run(config, &[&t]);
    assert!(
        matches!(whole.last(), Some(Event::Closed { response: Some(r) }) if r.is_ok()),
        "{whole:#?}"
    );
    assert_eq!(
        String::from_utf8(sent.clone()).unwrap(),
        "CAPA\r\nUSER joe\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 0\r\n\
         DELE 1\r\nNOOP\r\nQUIT\r\n"
    );
    assert!(whole.iter().any(|e| matches!(e, Event::Error { .. })));
    for at in 0..=t.len() {
        let (a, b) = t.split_at(at);
        assert_eq!(
            run(config, &[a, b]),
            (whole.clone(), sent.clone()),
            "split at {at}"
        );
    }
    for size in [1, 2, 3, 7, 64, 511] {
        let reads: Vec<&[u8]> = t.chunks(size).collect();
        assert_eq!(
            run(config, &reads),
            (whole.clone(), sent.clone()),
            "chunks of {size}"
        );
    }
}

#[test]
fn same_events_at_every_split() {
    check_all_splits(&Config::default());
}

/// With the smallest buffer the client allows, the input must wait for
/// the events to be polled: the events are still the same.
#[test]
fn same_events_with_a_small_buffer() {
    let mut config = Config::default();
    config.max_buffered = 1024; // the least: twice the response line
    config.listing_batch = 1;
    check_all_splits(&config);
}
