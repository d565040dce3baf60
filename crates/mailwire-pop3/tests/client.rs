//! The sans-IO client against scripted servers: RFC transcripts,
//! pipelining, STLS, SASL, multi-line answers, errors and misuse.

use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwire_pop3::client::{Client, ClientError, CommandId, Config, Event, Sasl, UsageError};
use mailwire_pop3::types::{Expire, ResponseCode, ScanListing};

/// Feeds `bytes` whole (offering the rest again while the client takes
/// less), collecting the events.
fn feed(client: &mut Client, bytes: &[u8], events: &mut Vec<Event>) {
    let mut rest = bytes;
    loop {
        let taken = client.handle_input(rest);
        rest = &rest[taken..];
        while let Some(event) = client.poll_event() {
            events.push(event);
        }
        if rest.is_empty() {
            break;
        }
        assert!(taken > 0 || !client.is_closed(), "client stuck");
    }
}

/// What the client has to send, as text.
fn sent(client: &mut Client) -> String {
    let mut out = BytesMut::new();
    let _ = client.poll_output(&mut out);
    String::from_utf8(out.to_vec()).unwrap()
}

/// The message bytes of command `id`, chunks joined.
fn body(events: &[Event], id: CommandId) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MessageData { id: i, data } if *i == id => Some(data.to_vec()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// A client past the greeting (no timestamp).
fn greeted(config: Config) -> (Client, Vec<Event>) {
    let mut client = Client::new(config);
    let mut events = Vec::new();
    feed(&mut client, b"+OK POP3 ready\r\n", &mut events);
    assert!(matches!(events[0], Event::Greeting { .. }));
    (client, events)
}

/// A client logged in with USER/PASS, after `CAPA` answered with `capa`.
fn logged_in(capa: &[u8]) -> Client {
    let (mut client, mut events) = greeted(Config::default());
    client.capa().unwrap();
    assert_eq!(sent(&mut client), "CAPA\r\n");
    feed(&mut client, capa, &mut events);
    client.login_user_pass("joe", "secret").unwrap();
    assert_eq!(sent(&mut client), "USER joe\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert_eq!(sent(&mut client), "PASS secret\r\n");
    feed(&mut client, b"+OK logged in\r\n", &mut events);
    assert!(client.is_logged_in());
    assert!(matches!(events.last(), Some(Event::LoggedIn { .. })));
    client
}

/// RFC 1939 section 10: the example session, answer by answer. Without
/// CAPA the client sends one command at a time.
#[test]
fn rfc1939_section10_session() {
    let mut client = Client::new(Config::default());
    let mut events = Vec::new();
    feed(
        &mut client,
        b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        &mut events,
    );
    assert_eq!(
        client.apop_timestamp(),
        Some("<1896.697170952@dbc.mtview.ca.us>")
    );
    let apop = client.login_apop("mrose", "tanstaaf").unwrap();
    let stat = client.stat().unwrap();
    let list = client.list(None).unwrap();
    let retr1 = client.retr(1).unwrap();
    let dele1 = client.dele(1).unwrap();
    let retr2 = client.retr(2).unwrap();
    let dele2 = client.dele(2).unwrap();
    let quit = client.quit().unwrap();
    assert_eq!(quit, CommandId(7));

    let script: [(&str, &[u8]); 8] = [
        (
            "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
        ),
        ("STAT\r\n", b"+OK 2 320\r\n"),
        (
            "LIST\r\n",
            b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
        ),
        ("RETR 1\r\n", b"+OK 120 octets\r\nmessage one\r\n.\r\n"),
        ("DELE 1\r\n", b"+OK message 1 deleted\r\n"),
        ("RETR 2\r\n", b"+OK 200 octets\r\nmessage two\r\n.\r\n"),
        ("DELE 2\r\n", b"+OK message 2 deleted\r\n"),
        (
            "QUIT\r\n",
            b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
        ),
    ];
    for (expected, answer) in script {
        assert_eq!(sent(&mut client), expected);
        feed(&mut client, answer, &mut events);
    }
    assert_eq!(sent(&mut client), "");
    assert!(client.is_closed());

    assert!(matches!(&events[1], Event::LoggedIn { id, .. } if *id == apop));
    assert_eq!(
        events[2],
        Event::Stat {
            id: stat,
            count: 2,
            size: 320
        }
    );
    assert_eq!(
        events[3],
        Event::Listing {
            id: list,
            entries: vec![
                ScanListing { msg: 1, size: 120 },
                ScanListing { msg: 2, size: 200 }
            ],
            last: true
        }
    );
    assert_eq!(events[4], Event::MessageStart { id: retr1, msg: 1 });
    assert_eq!(body(&events, retr1), b"message one\r\n");
    assert_eq!(body(&events, retr2), b"message two\r\n");
    assert!(events.contains(&Event::MessageEnd { id: retr1 }));
    assert!(events.contains(&Event::Deleted { id: dele1, msg: 1 }));
    assert!(events.contains(&Event::Deleted { id: dele2, msg: 2 }));
    let Some(Event::Closed {
        response: Some(bye),
    }) = events.last()
    else {
        panic!("{events:#?}")
    };
    assert_eq!(bye.text(), "dewey POP3 server signing off (maildrop empty)");
}

/// RFC 2449 section 5: the CAPA example.
#[test]
fn rfc2449_capa_example() {
    let (mut client, mut events) = greeted(Config::default());
    let id = client.capa().unwrap();
    assert_eq!(sent(&mut client), "CAPA\r\n");
    feed(
        &mut client,
        b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\n\
          RESP-CODES\r\nLOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60\r\nUIDL\r\n\
          IMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n",
        &mut events,
    );
    let Some(Event::Capabilities {
        id: got,
        capabilities,
    }) = events.last()
    else {
        panic!("{events:#?}")
    };
    assert_eq!(*got, id);
    assert!(capabilities.top() && capabilities.user() && capabilities.pipelining());
    assert!(capabilities.resp_codes() && capabilities.uidl() && !capabilities.stls());
    assert_eq!(
        capabilities.sasl_mechanisms().collect::<Vec<_>>(),
        ["CRAM-MD5", "KERBEROS_V4"]
    );
    assert_eq!(capabilities.login_delay().unwrap().seconds, 900);
    assert_eq!(
        capabilities.expire(),
        Some(Expire::Days {
            days: 60,
            per_user: false
        })
    );
    assert_eq!(capabilities.implementation(), Some("Shlemazle-Plotz-v302"));
    assert_eq!(client.capabilities(), Some(capabilities));
}

/// RFC 5034 section 6: AUTH PLAIN with an initial response, after STLS
/// and a new CAPA (RFC 2595 section 4: capabilities read before TLS are
/// forgotten).
#[test]
fn rfc5034_plain_initial_response_after_stls() {
    let (mut client, mut events) = greeted(Config::default());
    client.capa().unwrap();
    assert_eq!(sent(&mut client), "CAPA\r\n");
    feed(
        &mut client,
        b"+OK\r\nSTLS\r\nPIPELINING\r\n.\r\n",
        &mut events,
    );
    assert!(client.capabilities().unwrap().stls());
    let stls = client.stls().unwrap();
    assert_eq!(sent(&mut client), "STLS\r\n");
    feed(&mut client, b"+OK Begin TLS negotiation\r\n", &mut events);
    assert_eq!(events.last(), Some(&Event::StartTls { id: stls }));
    assert_eq!(sent(&mut client), "");
    // Commands queued during the handshake wait for it.
    let auth = client
        .authenticate(Sasl::Plain {
            authzid: "test".into(),
            username: "test".into(),
            password: "test".into(),
        })
        .unwrap();
    assert_eq!(sent(&mut client), "");
    let capa = client.tls_established().unwrap();
    assert!(client.is_tls());
    assert_eq!(client.capabilities(), None);
    assert_eq!(sent(&mut client), "CAPA\r\n");
    feed(&mut client, b"+OK\r\nSASL PLAIN\r\n.\r\n", &mut events);
    assert!(matches!(events.last(), Some(Event::Capabilities { id, .. }) if *id == capa));
    assert!(!client.capabilities().unwrap().stls());
    assert_eq!(sent(&mut client), "AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    feed(
        &mut client,
        b"+OK Maildrop locked and ready\r\n",
        &mut events,
    );
    assert!(matches!(events.last(), Some(Event::LoggedIn { id, .. }) if *id == auth));
    assert!(client.is_logged_in());
}

/// RFC 5034 section 4: an initial response that would make the line
/// longer than 255 octets waits for the server's empty challenge.
#[test]
fn rfc5034_long_initial_response_waits_for_challenge() {
    let (mut client, mut events) = greeted(Config::default());
    let token = "t".repeat(300);
    client
        .authenticate(Sasl::xoauth2("joe@example.org", &token))
        .unwrap();
    assert_eq!(sent(&mut client), "AUTH XOAUTH2\r\n");
    feed(&mut client, b"+ \r\n", &mut events);
    let line = sent(&mut client);
    let decoded = mailwire_core::sasl::decode_base64(line.trim_end().as_bytes()).unwrap();
    assert_eq!(
        decoded,
        format!("user=joe@example.org\x01auth=Bearer {token}\x01\x01").as_bytes()
    );
    // XOAUTH2 reports a bad token as a challenge: an empty answer gets
    // the -ERR.
    feed(&mut client, b"+ eyJzdGF0dXMiOiI0MDEifQ==\r\n", &mut events);
    assert_eq!(sent(&mut client), "\r\n");
    feed(&mut client, b"-ERR [AUTH] invalid token\r\n", &mut events);
    let Some(Event::Error { response, .. }) = events.last() else {
        panic!("{events:#?}")
    };
    assert_eq!(response.code(), Some(&ResponseCode::Auth));
    assert!(!client.is_logged_in());
    // A failed login leaves the session in AUTHORIZATION: try again.
    client.login_user_pass("joe", "pw").unwrap();
}

/// RFC 2195 section 2's challenge through POP3 AUTH (RFC 5034).
#[test]
fn cram_md5_and_login() {
    let (mut client, mut events) = greeted(Config::default());
    client
        .authenticate(Sasl::cram_md5("tim", "tanstaaftanstaaf"))
        .unwrap();
    assert_eq!(sent(&mut client), "AUTH CRAM-MD5\r\n");
    feed(
        &mut client,
        b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n",
        &mut events,
    );
    assert_eq!(
        sent(&mut client),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"
    );
    // A challenge the mechanism has no answer for is cancelled.
    feed(&mut client, b"+ more?\r\n", &mut events);
    assert_eq!(sent(&mut client), "*\r\n");
    feed(
        &mut client,
        b"-ERR authentication cancelled\r\n",
        &mut events,
    );
    assert!(matches!(events.last(), Some(Event::Error { .. })));

    client.authenticate(Sasl::login("tim", "pw")).unwrap();
    assert_eq!(sent(&mut client), "AUTH LOGIN\r\n");
    feed(&mut client, b"+ VXNlcm5hbWU6\r\n", &mut events);
    assert_eq!(sent(&mut client), "dGlt\r\n");
    feed(&mut client, b"+ UGFzc3dvcmQ6\r\n", &mut events);
    assert_eq!(sent(&mut client), "cHc=\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert!(client.is_logged_in());
}

/// RFC 2449 section 6.6: with PIPELINING the TRANSACTION commands go out
/// together, and the answers, read in one piece, match in order.
#[test]
fn pipelined_after_capa_pipelining() {
    let mut client = logged_in(b"+OK\r\nUSER\r\nPIPELINING\r\n.\r\n");
    let stat = client.stat().unwrap();
    let list = client.list(Some(2)).unwrap();
    let retr = client.retr(2).unwrap();
    let dele = client.dele(2).unwrap();
    let noop = client.noop().unwrap();
    assert_eq!(
        sent(&mut client),
        "STAT\r\nLIST 2\r\nRETR 2\r\nDELE 2\r\nNOOP\r\n"
    );
    let quit = client.quit().unwrap();
    // QUIT waits for everything before it.
    assert_eq!(sent(&mut client), "");
    let mut events = Vec::new();
    feed(
        &mut client,
        b"+OK 2 320\r\n+OK 2 200\r\n+OK\r\nbody\r\n.\r\n-ERR [SYS/TEMP] later\r\n+OK\r\n",
        &mut events,
    );
    assert_eq!(sent(&mut client), "QUIT\r\n");
    assert_eq!(
        events,
        [
            Event::Stat {
                id: stat,
                count: 2,
                size: 320
            },
            Event::Listing {
                id: list,
                entries: vec![ScanListing { msg: 2, size: 200 }],
                last: true
            },
            Event::MessageStart { id: retr, msg: 2 },
            Event::MessageData {
                id: retr,
                data: "body\r\n".into()
            },
            Event::MessageEnd { id: retr },
            Event::Error {
                id: dele,
                response: mailwire_pop3::types::Response::parse(b"-ERR [SYS/TEMP] later")
                    .unwrap()
                    .into_owned()
            },
            Event::Done {
                id: noop,
                response: mailwire_pop3::types::Response::parse(b"+OK")
                    .unwrap()
                    .into_owned()
            },
        ]
    );
    feed(&mut client, b"+OK bye\r\n", &mut events);
    assert!(client.is_closed());
    let _ = quit;
}

/// Without PIPELINING (or with it turned off), one command at a time.
#[test]
fn sequential_without_pipelining() {
    for (capa, pipelining) in [
        (&b"+OK\r\nUSER\r\n.\r\n"[..], true),
        (&b"+OK\r\nUSER\r\nPIPELINING\r\n.\r\n"[..], false),
    ] {
        let (mut client, mut events) = greeted({
            let mut config = Config::default();
            config.pipelining = pipelining;
            config
        });
        client.capa().unwrap();
        let _ = sent(&mut client);
        feed(&mut client, capa, &mut events);
        client.login_user_pass("joe", "pw").unwrap();
        let _ = sent(&mut client);
        feed(&mut client, b"+OK\r\n", &mut events);
        let _ = sent(&mut client);
        // Queued before the login is answered: they wait for it.
        client.stat().unwrap();
        client.uidl(None).unwrap();
        assert_eq!(sent(&mut client), "");
        feed(&mut client, b"+OK\r\n", &mut events);
        assert_eq!(sent(&mut client), "STAT\r\n");
        feed(&mut client, b"+OK 1 10\r\n", &mut events);
        assert_eq!(sent(&mut client), "UIDL\r\n");
        feed(&mut client, b"+OK\r\n1 abc\r\n.\r\n", &mut events);
        assert!(matches!(
            events.last(),
            Some(Event::UniqueIds { entries, last: true, .. }) if entries == &[(1, "abc".to_owned())]
        ));
    }
}

/// Login commands are never pipelined, even with PIPELINING: PASS waits
/// for the +OK to USER, and the TRANSACTION commands for the login.
#[test]
fn login_is_a_barrier() {
    let (mut client, mut events) = greeted(Config::default());
    client.capa().unwrap();
    let _ = sent(&mut client);
    feed(&mut client, b"+OK\r\nPIPELINING\r\n.\r\n", &mut events);
    let login = client.login_user_pass("joe", "pw").unwrap();
    let stat = client.stat().unwrap();
    let capa = client.capa().unwrap();
    assert_eq!(sent(&mut client), "USER joe\r\n");
    feed(
        &mut client,
        b"-ERR [IN-USE] maildrop locked\r\n",
        &mut events,
    );
    // The login failed: STAT is cancelled, CAPA (allowed anywhere) goes.
    let n = events.len();
    assert!(matches!(&events[n - 2], Event::Error { id, response }
        if *id == login && response.code() == Some(&ResponseCode::InUse)));
    assert_eq!(events[n - 1], Event::Cancelled { id: stat });
    assert_eq!(sent(&mut client), "CAPA\r\n");
    feed(&mut client, b"+OK\r\n.\r\n", &mut events);
    assert!(matches!(events.last(), Some(Event::Capabilities { id, .. }) if *id == capa));
    assert_eq!(client.stat().unwrap_err(), UsageError::WrongState("STAT"));
}

/// RFC 2449 section 8.1.2: [LOGIN-DELAY] on PASS.
#[test]
fn login_delay_on_pass() {
    let (mut client, mut events) = greeted(Config::default());
    let login = client.login_user_pass("joe", "pw").unwrap();
    assert_eq!(sent(&mut client), "USER joe\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert_eq!(sent(&mut client), "PASS pw\r\n");
    feed(
        &mut client,
        b"-ERR [LOGIN-DELAY] wait 15 minutes\r\n",
        &mut events,
    );
    let Some(Event::Error { id, response }) = events.last() else {
        panic!("{events:#?}")
    };
    assert_eq!(*id, login);
    assert_eq!(response.code(), Some(&ResponseCode::LoginDelay));
    assert_eq!(response.text(), "wait 15 minutes");
    assert!(!client.is_closed() && !client.is_logged_in());
}

/// RFC 2595 section 4 (and the rule of every crate here): bytes after
/// the +OK to STLS, before TLS, are an injection. Discarded, and the
/// session ends, whether they came in the same read or a later one.
#[test]
fn stls_injection_refused() {
    for reads in [
        &[&b"+OK Begin TLS\r\n+OK fake\r\n"[..]][..],
        &[&b"+OK Begin TLS\r\n"[..], &b"+OK fake\r\n"[..]][..],
    ] {
        let (mut client, mut events) = greeted(Config::default());
        client.stls().unwrap();
        let login = client.login_user_pass("joe", "pw").unwrap();
        assert_eq!(sent(&mut client), "STLS\r\n");
        for read in reads {
            feed(&mut client, read, &mut events);
        }
        let tail = &events[events.len() - 3..];
        assert_eq!(
            tail,
            [
                Event::Failed(ClientError::StlsInjection { discarded: 10 }),
                Event::Cancelled { id: login },
                Event::Closed { response: None },
            ]
        );
        assert_eq!(client.tls_established(), None);
        assert_eq!(sent(&mut client), "");
        assert!(client.is_closed());
    }
}

/// RFC 1939 section 3: dot-stuffed lines come out unstuffed, byte for
/// byte; the body ends only at CRLF.CRLF.
#[test]
fn retr_unstuffs_exactly() {
    let mut client = logged_in(b"+OK\r\n.\r\n");
    let id = client.retr(1).unwrap();
    assert_eq!(sent(&mut client), "RETR 1\r\n");
    let mut events = Vec::new();
    feed(
        &mut client,
        b"+OK 99 octets\r\nSubject: dots\r\n\r\n..\r\n...\r\n.. leading\r\nx.\r\n\
          .\rnot the end\r\n\n.\n\r\n..\r\n.\r\n+OK stray\r\n",
        &mut events,
    );
    assert_eq!(
        body(&events, id),
        // A bare LF passes through, and ends a line for unstuffing (the
        // reader's lenient policy): the dot after it is taken away.
        b"Subject: dots\r\n\r\n.\r\n..\r\n. leading\r\nx.\r\n\rnot the end\r\n\n\n\r\n.\r\n"
    );
    assert!(events.contains(&Event::MessageEnd { id }));
    // What followed the end is an answer with no command: a protocol error.
    assert!(matches!(
        events[events.len() - 2],
        Event::Failed(ClientError::Unexpected(_))
    ));
}

/// RFC 1939 section 7: TOP gives the header and the first lines.
#[test]
fn top_header_and_lines() {
    let mut client = logged_in(b"+OK\r\nTOP\r\n.\r\n");
    let id = client.top(3, 1).unwrap();
    assert_eq!(sent(&mut client), "TOP 3 1\r\n");
    let mut events = Vec::new();
    feed(
        &mut client,
        b"+OK top of message follows\r\nFrom: a@b\r\n\r\nfirst line\r\n.\r\n",
        &mut events,
    );
    assert_eq!(events[0], Event::MessageStart { id, msg: 3 });
    assert_eq!(body(&events, id), b"From: a@b\r\n\r\nfirst line\r\n");
    assert_eq!(events.last(), Some(&Event::MessageEnd { id }));
}

/// A -ERR to RETR is a result; the session goes on.
#[test]
fn err_is_a_result() {
    let mut client = logged_in(b"+OK\r\n.\r\n");
    let retr = client.retr(9).unwrap();
    let mut events = Vec::new();
    let _ = sent(&mut client);
    feed(&mut client, b"-ERR no such message\r\n", &mut events);
    assert!(
        matches!(&events[0], Event::Error { id, response } if *id == retr && response.code().is_none())
    );
    let rset = client.rset().unwrap();
    assert_eq!(sent(&mut client), "RSET\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert!(matches!(&events[1], Event::Done { id, .. } if *id == rset));
}

/// A huge LIST comes in bounded batches.
#[test]
fn list_in_batches() {
    let mut client = logged_in(b"+OK\r\n.\r\n");
    let id = client.list(None).unwrap();
    let _ = sent(&mut client);
    let mut answer = b"+OK 1000 messages\r\n".to_vec();
    for n in 1..=1000 {
        answer.extend_from_slice(format!("{n} {}\r\n", n * 7).as_bytes());
    }
    answer.extend_from_slice(b".\r\n");
    let mut events = Vec::new();
    feed(&mut client, &answer, &mut events);
    let batches: Vec<_> = events
        .iter()
        .map(|e| match e {
            Event::Listing {
                id: i,
                entries,
                last,
            } if *i == id => (entries.clone(), *last),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(batches.len(), 4);
    assert!(batches.iter().all(|(e, _)| e.len() <= 256));
    assert_eq!(
        batches.iter().map(|(_, last)| *last).collect::<Vec<_>>(),
        [false, false, false, true]
    );
    let all: Vec<ScanListing> = batches.into_iter().flat_map(|(e, _)| e).collect();
    assert_eq!(all.len(), 1000);
    assert_eq!(
        all[999],
        ScanListing {
            msg: 1000,
            size: 7000
        }
    );
}

/// Listing lines are bounded; a bad one fails the session.
#[test]
fn listing_lines_checked() {
    let mut client = logged_in(b"+OK\r\n.\r\n");
    client.uidl(None).unwrap();
    let mut events = Vec::new();
    let mut answer = b"+OK\r\n1 ".to_vec();
    answer.extend(std::iter::repeat_n(b'x', 600));
    feed(&mut client, &answer, &mut events);
    assert_eq!(
        events[0],
        Event::Failed(ClientError::ListingLineTooLong { max: 512 })
    );
    assert!(client.is_closed());

    let mut client = logged_in(b"+OK\r\n.\r\n");
    client.list(None).unwrap();
    let mut events = Vec::new();
    feed(&mut client, b"+OK\r\n1 one\r\n.\r\n", &mut events);
    assert!(matches!(
        events[0],
        Event::Failed(ClientError::Unexpected(_))
    ));
}

/// An -ERR greeting ends the session; so does a line that is not POP3.
#[test]
fn refused_and_garbage() {
    let mut client = Client::new(Config::default());
    let capa = client.capa().unwrap();
    let mut events = Vec::new();
    feed(&mut client, b"-ERR [SYS/TEMP] too busy\r\n", &mut events);
    assert!(
        matches!(&events[0], Event::Failed(ClientError::Refused(r)) if r.code() == Some(&ResponseCode::SysTemp))
    );
    assert_eq!(events[1], Event::Cancelled { id: capa });
    assert!(matches!(&events[2], Event::Closed { response: Some(_) }));

    let mut client = Client::new(Config::default());
    let mut events = Vec::new();
    feed(&mut client, b"220 smtp.example.org\r\n", &mut events);
    assert!(matches!(events[0], Event::Failed(ClientError::Protocol(_))));
    let mut client = Client::new(Config::default());
    let mut events = Vec::new();
    feed(&mut client, &[b'+'; 600], &mut events);
    assert!(matches!(events[0], Event::Failed(ClientError::Protocol(_))));
}

/// Misuse is reported, not sent.
#[test]
fn usage_errors() {
    let mut client = Client::new(Config::default());
    assert_eq!(client.retr(1).unwrap_err(), UsageError::WrongState("RETR"));
    assert_eq!(
        client.login_apop("a", "b").unwrap_err(),
        UsageError::NoApopTimestamp
    );
    assert!(matches!(
        client.login_user_pass("joe\r\nDELE 1", "x"),
        Err(UsageError::Invalid(_))
    ));
    assert!(matches!(
        client.login_user_pass("joe", ""),
        Err(UsageError::Invalid(_))
    ));
    assert!(matches!(
        client.authenticate(Sasl::plain("a\0b", "c")),
        Err(UsageError::Invalid(_))
    ));
    client.utf8().unwrap();
    client.login_user_pass("joe", "pw").unwrap();
    assert_eq!(client.utf8().unwrap_err(), UsageError::WrongState("UTF8"));
    assert_eq!(client.stls().unwrap_err(), UsageError::WrongState("STLS"));
    client.top(1, 0).unwrap();
    client.quit().unwrap();
    assert_eq!(client.noop().unwrap_err(), UsageError::Closed);

    let mut config = Config::default();
    config.implicit_tls = true;
    let mut client = Client::new(config);
    assert!(client.is_tls());
    assert_eq!(client.stls().unwrap_err(), UsageError::TlsActive);
}

/// RFC 1939 section 6: a -ERR to QUIT (deletions not done) still ends
/// the session, and says so.
#[test]
fn quit_err_closes() {
    let mut client = logged_in(b"+OK\r\n.\r\n");
    client.quit().unwrap();
    assert_eq!(sent(&mut client), "QUIT\r\n");
    let mut events = Vec::new();
    feed(
        &mut client,
        b"-ERR some deleted messages not removed\r\n",
        &mut events,
    );
    assert!(matches!(&events[0], Event::Closed { response: Some(r) } if !r.is_ok()));
    assert!(client.is_closed());
    // Bytes after the end are dropped.
    assert_eq!(client.handle_input(b"junk"), 4);
    assert!(client.poll_event().is_none());
}

/// The deadline counts from the last thing heard; on expiry the pending
/// commands are cancelled and the session closes.
#[test]
fn timeout() {
    let mut config = Config::default();
    config.timeout = Duration::from_secs(30);
    let mut client = Client::new(config);
    let start = Instant::now();
    client.handle_timeout(start);
    assert_eq!(client.poll_timeout(), Some(start + Duration::from_secs(30)));
    let mut events = Vec::new();
    client.handle_timeout(start + Duration::from_secs(10));
    feed(&mut client, b"+OK hi\r\n", &mut events);
    // Nothing in flight: no deadline.
    assert_eq!(client.poll_timeout(), None);
    let noop_less = client.capa().unwrap();
    assert_eq!(client.poll_timeout(), Some(start + Duration::from_secs(40)));
    client.handle_timeout(start + Duration::from_secs(39));
    assert!(client.poll_event().is_none());
    client.handle_timeout(start + Duration::from_secs(40));
    assert_eq!(client.poll_event(), Some(Event::Timeout));
    assert_eq!(
        client.poll_event(),
        Some(Event::Cancelled { id: noop_less })
    );
    assert_eq!(client.poll_event(), Some(Event::Closed { response: None }));
    assert_eq!(client.poll_timeout(), None);
}

/// EOF: what was buffered is read first, then the rest is cancelled.
#[test]
fn connection_lost() {
    let mut client = logged_in(b"+OK\r\n.\r\n");
    let stat = client.stat().unwrap();
    let mut events = Vec::new();
    client.connection_closed();
    while let Some(event) = client.poll_event() {
        events.push(event);
    }
    assert_eq!(
        events,
        [
            Event::Failed(ClientError::ConnectionLost),
            Event::Cancelled { id: stat },
            Event::Closed { response: None }
        ]
    );
}

/// Credentials never show in Debug.
#[test]
fn debug_redacts() {
    let mut client = Client::new(Config::default());
    client.login_user_pass("joe", "hunter2").unwrap();
    client
        .authenticate(Sasl::plain("a", "hunter3"))
        .unwrap_err();
    let text = format!("{client:?}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("USER"), "{text}");
    assert!(!format!("{:?}", Sasl::xoauth2("a", "tok3n")).contains("tok3n"));
}

/// Pipelining stops at `max_in_flight` commands; each answer lets one
/// more go.
#[test]
fn pipelining_window() {
    let (mut client, mut events) = greeted({
        let mut config = Config::default();
        config.max_in_flight = 2;
        config
    });
    client.capa().unwrap();
    let _ = sent(&mut client);
    feed(&mut client, b"+OK\r\nPIPELINING\r\n.\r\n", &mut events);
    client.login_user_pass("joe", "pw").unwrap();
    for _ in 0..4 {
        client.noop().unwrap();
    }
    assert_eq!(sent(&mut client), "USER joe\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert_eq!(sent(&mut client), "PASS pw\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert_eq!(sent(&mut client), "NOOP\r\nNOOP\r\n");
    assert_eq!(client.pending(), 4);
    feed(&mut client, b"+OK\r\n", &mut events);
    assert_eq!(sent(&mut client), "NOOP\r\n");
    // Three answers in one read: the last NOOP goes after the first.
    feed(&mut client, b"+OK\r\n+OK\r\n+OK\r\n", &mut events);
    assert_eq!(sent(&mut client), "NOOP\r\n");
    assert_eq!(client.pending(), 0);
    assert!(!client.wants_input());
    let done = events
        .iter()
        .filter(|e| matches!(e, Event::Done { .. }))
        .count();
    assert_eq!(done, 4);
}

/// RFC 6856 section 2: UTF8 in the AUTHORIZATION state, then a login with
/// a UTF-8 user name.
#[test]
fn utf8_then_login() {
    let (mut client, mut events) = greeted(Config::default());
    let utf8 = client.utf8().unwrap();
    client.login_user_pass("jörg", "pässword").unwrap();
    assert_eq!(sent(&mut client), "UTF8\r\n");
    feed(&mut client, b"+OK UTF8 enabled\r\n", &mut events);
    assert!(matches!(events.last(), Some(Event::Done { id, .. }) if *id == utf8));
    assert_eq!(sent(&mut client), "USER jörg\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert_eq!(sent(&mut client), "PASS pässword\r\n");
    feed(&mut client, b"+OK\r\n", &mut events);
    assert!(client.is_logged_in());
}

/// `UIDL msg` and `LIST msg` answer on the status line.
#[test]
fn single_listings() {
    let mut client = logged_in(b"+OK\r\n.\r\n");
    let uidl = client.uidl(Some(2)).unwrap();
    let _ = sent(&mut client);
    let mut events = Vec::new();
    feed(&mut client, b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n", &mut events);
    assert_eq!(
        events[0],
        Event::UniqueIds {
            id: uidl,
            entries: vec![(2, "QhdPYR:00WBw1Ph7x7".to_owned())],
            last: true
        }
    );
    client.list(Some(9)).unwrap();
    let _ = sent(&mut client);
    feed(&mut client, b"+OK nonsense\r\n", &mut events);
    assert!(matches!(
        events[1],
        Event::Failed(ClientError::Unexpected(_))
    ));
}
