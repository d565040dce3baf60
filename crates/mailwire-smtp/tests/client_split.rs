//! The client gives the same events and the same bytes however the
//! server's replies are split between reads.

use mailwire_smtp::client::{Client, Config, Credentials, Envelope, Event, Tls};
use proptest::prelude::*;

/// A session: how to set the client up, and everything the server says.
struct Case {
    name: &'static str,
    setup: fn() -> Client,
    server: &'static [u8],
}

fn plain(chunking: bool, block: usize) -> Config {
    let mut config = Config::new("bar.com");
    config.tls = Tls::Never;
    config.chunking = chunking;
    config.block_size = block;
    config
}

fn d1() -> Client {
    let mut client = Client::new(plain(false, 1024)).unwrap();
    let envelope = Envelope::from_addresses(
        "Smith@bar.com",
        &["Jones@foo.com", "Green@foo.com", "Brown@foo.com"],
    )
    .unwrap();
    client
        .send(&envelope, "Blah blah blah...\r\n...etc. etc. etc.\r\n")
        .unwrap();
    client.quit();
    client
}

fn pipelined_two() -> Client {
    let mut client = Client::new(plain(false, 1024)).unwrap();
    let one = Envelope::from_addresses("a@bar.com", &["x@foo.com", "y@foo.com"]).unwrap();
    let two = Envelope::from_addresses("b@bar.com", &["z@foo.com"]).unwrap();
    client.send(&one, "one\n.two\n").unwrap();
    client.send(&two, "three").unwrap();
    client.quit();
    client
}

fn auth_bdat() -> Client {
    let mut config = plain(true, 4);
    config.credentials = Some(Credentials::password("tim", "tanstaaftanstaaf"));
    config.allow_plaintext_auth = true;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "abcdefghij").unwrap();
    client.quit();
    client
}

fn all_rejected() -> Client {
    let mut client = Client::new(plain(false, 1024)).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "secret\r\n").unwrap();
    client.send(&envelope, "again\r\n").unwrap();
    client.quit();
    client
}

fn lmtp() -> Client {
    let mut config = plain(false, 1024);
    config.lmtp = true;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com", "y@foo.com"]).unwrap();
    client.send(&envelope, "hi\r\n").unwrap();
    client.quit();
    client
}

fn data_blocks() -> Client {
    let mut client = Client::new(plain(false, 8)).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client
        .send(&envelope, "line one\n.line two\nline three\r\n.\r\nend")
        .unwrap();
    client.quit();
    client
}

const CASES: &[Case] = &[
    Case {
        name: "DATA in many blocks",
        setup: data_blocks,
        server: b"220 foo.com\r\n250-foo.com\r\n250-SIZE 100\r\n250 PIPELINING\r\n\
            250 ok\r\n250 ok\r\n354 go\r\n250 done\r\n221 bye\r\n",
    },
    Case {
        name: "RFC 5321 D.1",
        setup: d1,
        server: b"220 foo.com Simple Mail Transfer Service Ready\r\n\
            250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n\
            250 OK\r\n250 OK\r\n550 No such user here\r\n250 OK\r\n\
            354 Start mail input; end with <CRLF>.<CRLF>\r\n\
            250 OK\r\n221 foo.com Service closing transmission channel\r\n",
    },
    Case {
        name: "pipelined, two transactions",
        setup: pipelined_two,
        server: b"220-foo.com\n220 ESMTP\n250-foo.com\r\n250-pipelining\r\n250 \r\n\
            250 ok\r\n550 5.1.1 no\r\n250 ok\r\n354 go\r\n\
            250-2.0.0 queued\r\n250 2.0.0 as 1\r\n\
            250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n221 bye\r\n",
    },
    Case {
        name: "AUTH CRAM-MD5, BDAT chunks",
        setup: auth_bdat,
        server: b"220 foo.com\r\n\
            250-foo.com\r\n250-AUTH LOGIN CRAM-MD5\r\n250-CHUNKING\r\n250 PIPELINING\r\n\
            334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n235 ok\r\n\
            250 ok\r\n250 ok\r\n250 4\r\n250 4\r\n250 done\r\n221 bye\r\n",
    },
    Case {
        name: "every recipient refused, then 421",
        setup: all_rejected,
        server: b"220 foo.com\r\n250-foo.com\r\n250 PIPELINING\r\n\
            250 ok\r\n550 no\r\n354 go anyway\r\n554 no recipients\r\n\
            250 ok\r\n250 ok\r\n421 4.3.2 shutting down\r\n",
    },
    Case {
        name: "LMTP",
        setup: lmtp,
        server: b"220 foo.com LMTP\r\n250-foo.com\r\n250 PIPELINING\r\n\
            250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 x ok\r\n452 y full\r\n221 bye\r\n",
    },
];

/// Feeds `pieces` one after the other, draining output and events after
/// each; returns everything the client said and sent.
fn drive(setup: fn() -> Client, pieces: &[&[u8]]) -> (Vec<Event>, Vec<u8>) {
    let mut client = setup();
    let mut events = Vec::new();
    let mut sent = Vec::new();
    let settle = |client: &mut Client, events: &mut Vec<Event>, sent: &mut Vec<u8>| loop {
        let mut progressed = false;
        while let Some(piece) = client.poll_transmit() {
            sent.extend_from_slice(&piece);
            progressed = true;
        }
        while let Some(event) = client.poll_event() {
            events.push(event);
            progressed = true;
        }
        if !progressed {
            break;
        }
    };
    settle(&mut client, &mut events, &mut sent);
    for piece in pieces {
        client.handle_input(piece);
        settle(&mut client, &mut events, &mut sent);
    }
    (events, sent)
}

fn split_at<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut start = 0;
    for cut in cuts {
        pieces.push(&data[start..cut]);
        start = cut;
    }
    pieces.push(&data[start..]);
    pieces
}

/// The session fed a byte at a time, the output drained after each: the
/// most the client can send. Any other split gives the same events and a
/// prefix of these bytes (the client drops unsent output when the server
/// closes the session, so fewer bytes go out when replies come early).
fn reference(case: &Case) -> (Vec<Event>, Vec<u8>) {
    let pieces: Vec<&[u8]> = case.server.chunks(1).collect();
    drive(case.setup, &pieces)
}

fn check(case: &Case, pieces: &[&[u8]], reference: &(Vec<Event>, Vec<u8>)) {
    let (events, sent) = drive(case.setup, pieces);
    assert_eq!(events, reference.0, "{}: {pieces:?}", case.name);
    assert!(
        reference.1.starts_with(&sent),
        "{}: {pieces:?}\n{}",
        case.name,
        String::from_utf8_lossy(&sent)
    );
}

#[test]
fn reference_sessions_end_well() {
    for case in CASES {
        let (events, sent) = reference(case);
        assert!(
            matches!(events.last(), Some(Event::Closed { reply: Some(_) })),
            "{}: {events:#?}",
            case.name
        );
        assert!(
            !events.iter().any(|e| matches!(e, Event::Failed(_))),
            "{}: {events:#?}",
            case.name
        );
        let text = String::from_utf8_lossy(&sent);
        assert!(
            text.starts_with("EHLO bar.com\r\n") || text.starts_with("LHLO"),
            "{text}"
        );
    }
    let (_, sent) = reference(&CASES[3]);
    assert!(
        String::from_utf8_lossy(&sent)
            .ends_with("BDAT 4\r\nabcdBDAT 4\r\nefghBDAT 2 LAST\r\nijQUIT\r\n")
    );
    let (_, sent) = reference(&CASES[0]);
    assert!(
        String::from_utf8_lossy(&sent).ends_with(
            "DATA\r\nline one\r\n..line two\r\nline three\r\n..\r\nend\r\n.\r\nQUIT\r\n"
        )
    );
}

#[test]
fn split_at_every_offset() {
    for case in CASES {
        let reference = reference(case);
        check(case, &[case.server], &reference);
        for k in 0..=case.server.len() {
            check(case, &split_at(case.server, &[k]), &reference);
        }
    }
}

proptest! {
    #[test]
    fn split_anywhere(case in 0..CASES.len(), cuts in proptest::collection::vec(0usize..600, 0..12)) {
        let case = &CASES[case];
        check(case, &split_at(case.server, &cuts), &reference(case));
    }
}
