//! The sans-IO client against scripted server transcripts.

use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwire_imap::client::{Client, ClientConfig, CommandId, Event, ProtocolError, Sasl, State};
use mailwire_imap::types::{
    Capability, Data, FetchAttribute, FetchAttributes, Flag, Mailbox, Response, Section,
    SequenceSet, StatusKind, StoreFlags, StoreMode, StreamedItem,
};

struct T {
    c: Client,
    now: Instant,
}

impl T {
    fn new(seed: u64) -> Self {
        let now = Instant::now();
        Self {
            c: Client::new(ClientConfig::new(seed), now),
            now,
        }
    }

    fn with(config: ClientConfig) -> Self {
        let now = Instant::now();
        Self {
            c: Client::new(config, now),
            now,
        }
    }

    /// Feeds all of `bytes` (draining events when the buffer is full)
    /// and returns the events.
    fn feed(&mut self, mut bytes: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        loop {
            let n = self.c.handle_input(self.now, bytes);
            bytes = &bytes[n..];
            while let Some(e) = self.c.poll_event() {
                events.push(e);
            }
            if bytes.is_empty() || (n == 0 && self.c.is_closed()) {
                return events;
            }
            assert!(n > 0 || !events.is_empty(), "stuck");
        }
    }

    fn sent(&mut self) -> String {
        let mut out = BytesMut::new();
        let _ = self.c.poll_output(&mut out);
        String::from_utf8(out.to_vec()).unwrap()
    }
}

fn tag(line: &str) -> &str {
    line.split(' ').next().unwrap()
}

fn done(e: &Event) -> Option<(CommandId, StatusKind)> {
    match e {
        Event::Done { id, status, .. } => Some((*id, *status)),
        _ => None,
    }
}

fn untagged_data(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Untagged(r) => Some(String::from_utf8_lossy(r.as_bytes()).into_owned()),
            _ => None,
        })
        .collect()
}

/// RFC 3501 section 8: the sample session, client side.
#[test]
fn rfc3501_section8_sample_session() {
    let mut t = T::new(1);
    let ev = t.feed(b"* OK IMAP4rev1 Service Ready\r\n");
    assert!(matches!(
        ev[0],
        Event::Greeting {
            kind: StatusKind::Ok,
            ..
        }
    ));
    assert_eq!(t.c.state(), State::NotAuthenticated);

    let login = t.c.login("mrc", "secret").unwrap();
    let out = t.sent();
    assert!(out.ends_with(" LOGIN mrc secret\r\n"), "{out}");
    let a1 = tag(&out).to_owned();
    assert!(a1.len() > 4 && a1.chars().take(4).all(|c| c.is_ascii_uppercase()));
    let ev = t.feed(format!("{a1} OK LOGIN completed\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((login, StatusKind::Ok)));
    assert_eq!(t.c.state(), State::Authenticated);

    let select = t.c.select(Mailbox::Inbox).unwrap();
    let out = t.sent();
    assert!(out.ends_with(" SELECT INBOX\r\n"), "{out}");
    let a2 = tag(&out).to_owned();
    assert_ne!(a1, a2);
    let ev = t.feed(
        format!(
            "* 18 EXISTS\r\n\
             * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
             * 2 RECENT\r\n\
             * OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
             * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
             {a2} OK [READ-WRITE] SELECT completed\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(ev.len(), 6);
    assert_eq!(
        match &ev[0] {
            Event::Untagged(r) => r.parse(),
            _ => None,
        },
        Some(Response::Data(Data::Exists(18)))
    );
    assert_eq!(done(&ev[5]), Some((select, StatusKind::Ok)));
    assert_eq!(t.c.state(), State::Selected);

    let fetch =
        t.c.fetch(
            SequenceSet::new("12").unwrap(),
            FetchAttributes::Full,
            false,
        )
        .unwrap();
    let out = t.sent();
    assert!(out.ends_with(" FETCH 12 FULL\r\n"), "{out}");
    let a3 = tag(&out).to_owned();
    let ev = t.feed(
        format!(
            "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
             RFC822.SIZE 4286 BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
             {a3} OK FETCH completed\r\n"
        )
        .as_bytes(),
    );
    assert!(
        matches!(&ev[0], Event::Untagged(r) if matches!(r.parse(), Some(Response::Data(Data::Fetch { .. }))))
    );
    assert_eq!(done(&ev[1]), Some((fetch, StatusKind::Ok)));

    let header =
        t.c.fetch(
            SequenceSet::new("12").unwrap(),
            FetchAttributes::List(vec![FetchAttribute::BodySection {
                peek: false,
                section: Section::header(),
                partial: None,
            }]),
            false,
        )
        .unwrap();
    let a4 = tag(&t.sent()).to_owned();
    let hdr =
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nSubject: IMAP4rev1 WG mtg summary\r\n\r\n";
    let ev = t.feed(
        format!(
            "* 12 FETCH (BODY[HEADER] {{{}}}\r\n{hdr})\r\n{a4} OK FETCH completed\r\n",
            hdr.len()
        )
        .as_bytes(),
    );
    let Event::FetchLiteral {
        seq, size, item, ..
    } = &ev[0]
    else {
        panic!("{ev:?}")
    };
    assert_eq!((seq.get(), *size), (12, hdr.len() as u64));
    assert!(matches!(item, StreamedItem::BodySection { .. }));
    let body: Vec<u8> = ev
        .iter()
        .filter_map(|e| match e {
            Event::FetchChunk(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(body, hdr.as_bytes());
    assert!(ev.iter().any(|e| matches!(e, Event::FetchEnd { .. })));
    assert_eq!(done(ev.last().unwrap()), Some((header, StatusKind::Ok)));

    let store =
        t.c.store(
            SequenceSet::new("12").unwrap(),
            StoreFlags {
                mode: StoreMode::Add,
                silent: false,
                flags: vec![Flag::Deleted],
            },
            false,
        )
        .unwrap();
    let out = t.sent();
    assert!(out.ends_with(" STORE 12 +FLAGS (\\Deleted)\r\n"), "{out}");
    let a5 = tag(&out).to_owned();
    let ev = t.feed(
        format!("* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n{a5} OK +FLAGS completed\r\n").as_bytes(),
    );
    assert_eq!(done(&ev[1]), Some((store, StatusKind::Ok)));

    let logout = t.c.logout().unwrap();
    let a6 = tag(&t.sent()).to_owned();
    let ev = t.feed(
        format!("* BYE IMAP4rev1 server terminating connection\r\n{a6} OK LOGOUT completed\r\n")
            .as_bytes(),
    );
    assert!(matches!(ev[0], Event::Bye(_)));
    assert_eq!(done(&ev[1]), Some((logout, StatusKind::Ok)));
    assert!(matches!(ev[2], Event::Closed));
    assert!(t.c.is_closed());
}

#[test]
fn tags_differ_by_seed_and_count_up() {
    let mut a = T::new(1);
    let mut b = T::new(2);
    let _ = a.feed(b"* OK hi\r\n");
    let _ = b.feed(b"* OK hi\r\n");
    a.c.noop().unwrap();
    a.c.noop().unwrap();
    b.c.noop().unwrap();
    let sa = a.sent();
    let sb = b.sent();
    let ta: Vec<&str> = sa.lines().map(tag).collect();
    assert_eq!(ta.len(), 2, "NOOPs pipeline");
    assert_eq!(&ta[0][..4], &ta[1][..4]);
    assert_ne!(ta[0], ta[1]);
    assert_ne!(&ta[0][..4], &tag(&sb)[..4]);
}

/// RFC 3501 section 4.3 / 7.5: a synchronizing literal waits for `+`.
#[test]
fn literal_waits_for_continuation() {
    let mut t = T::new(3);
    let _ = t.feed(b"* OK ready\r\n");
    let id = t.c.login("fred", "p\u{e4}ss").unwrap();
    let out = t.sent();
    assert!(out.ends_with(" LOGIN fred {5}\r\n"), "{out}");
    let a = tag(&out).to_owned();
    assert_eq!(t.sent(), "", "nothing before the continuation");
    let ev = t.feed(b"+ Ready for literal data\r\n");
    assert!(ev.is_empty(), "{ev:?}");
    assert_eq!(t.sent(), "p\u{e4}ss\r\n");
    let ev = t.feed(format!("{a} OK done\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
}

#[test]
fn no_instead_of_continuation_fails_the_command() {
    let mut t = T::new(4);
    let _ = t.feed(b"* OK ready\r\n");
    let id = t.c.login("fred", "p\u{e4}ss").unwrap();
    let next = t.c.noop().unwrap();
    let a = tag(&t.sent()).to_owned();
    let ev = t.feed(format!("{a} NO literal too big\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::No)));
    let out = t.sent();
    assert!(!out.contains("p\u{e4}ss"), "literal never sent: {out}");
    assert!(out.ends_with(" NOOP\r\n"), "queue goes on: {out}");
    let b = tag(&out).to_owned();
    let ev = t.feed(format!("{b} OK\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((next, StatusKind::Ok)));
}

/// RFC 7888: with LITERAL+ the literal goes without waiting.
#[test]
fn literal_plus_skips_the_wait() {
    let mut t = T::new(5);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    assert!(t.c.has_capability(&Capability::LiteralPlus));
    t.c.login("fred", "p\u{e4}ss").unwrap();
    let out = t.sent();
    assert!(out.ends_with(" LOGIN fred {5+}\r\np\u{e4}ss\r\n"), "{out}");
}

/// RFC 4959: AUTHENTICATE PLAIN with the initial response on the line.
#[test]
fn authenticate_plain_with_sasl_ir() {
    let mut t = T::new(6);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
    let id =
        t.c.authenticate(Sasl::Plain {
            authzid: String::new(),
            username: "tim".into(),
            password: "tanstaaftanstaaf".into(),
        })
        .unwrap();
    let out = t.sent();
    assert!(
        out.ends_with(" AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"),
        "{out}"
    );
    let a = tag(&out).to_owned();
    let ev = t.feed(format!("{a} OK [CAPABILITY IMAP4rev1 IDLE] done\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
    assert_eq!(t.c.state(), State::Authenticated);
    assert!(t.c.has_capability(&Capability::Idle));
}

/// RFC 3501 section 6.2.2: without SASL-IR the response follows `+`.
#[test]
fn authenticate_plain_with_continuation() {
    let mut t = T::new(7);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    let id =
        t.c.authenticate(Sasl::Plain {
            authzid: String::new(),
            username: "tim".into(),
            password: "tanstaaftanstaaf".into(),
        })
        .unwrap();
    let out = t.sent();
    assert!(out.ends_with(" AUTHENTICATE PLAIN\r\n"), "{out}");
    let a = tag(&out).to_owned();
    let _ = t.feed(b"+ \r\n");
    assert_eq!(t.sent(), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    // A second challenge: nothing left to say, so cancel.
    let _ = t.feed(b"+ \r\n");
    assert_eq!(t.sent(), "*\r\n");
    let ev = t.feed(format!("{a} BAD cancelled\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Bad)));
    assert_eq!(t.c.state(), State::NotAuthenticated);
    assert!(
        !format!(
            "{:?}",
            Sasl::Login {
                username: "u".into(),
                password: "hunter2".into()
            }
        )
        .contains("hunter2")
    );
}

/// RFC 2195: CRAM-MD5 answers the challenge.
#[test]
fn authenticate_cram_md5() {
    let mut t = T::new(8);
    let _ = t.feed(b"* OK ready\r\n");
    t.c.authenticate(Sasl::CramMd5 {
        username: "tim".into(),
        password: "tanstaaftanstaaf".into(),
    })
    .unwrap();
    let _ = t.sent();
    let _ = t.feed(b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
    assert_eq!(
        t.sent(),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"
    );
}

/// RFC 3501 section 6.2.1, RFC 2595 section 3.1: bytes after the OK and
/// before the handshake are refused.
#[test]
fn starttls_refuses_injected_bytes() {
    let mut t = T::new(9);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    let id = t.c.starttls().unwrap();
    let queued = t.c.noop().unwrap();
    let out = t.sent();
    assert!(
        out.ends_with(" STARTTLS\r\n") && !out.contains("NOOP"),
        "{out}"
    );
    let a = tag(&out).to_owned();
    let ev = t.feed(
        format!("{a} OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] x\r\n").as_bytes(),
    );
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
    assert_eq!(ev[1], Event::Error(ProtocolError::StartTlsInjection));
    assert!(ev.contains(&Event::Aborted { id: queued }));
    assert!(t.c.is_closed());
    assert_eq!(t.sent(), "");
}

#[test]
fn starttls_then_capabilities_forgotten_and_rerequested() {
    let mut t = T::new(10);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    t.c.starttls().unwrap();
    let a = tag(&t.sent()).to_owned();
    let ev = t.feed(format!("{a} OK begin TLS\r\n").as_bytes());
    assert_eq!(ev.last(), Some(&Event::StartTls));
    assert!(t.c.capabilities().is_none());
    assert!(!t.c.wants_input());
    // An injection arriving in a later read is refused too... but here
    // the handshake completes first.
    let cap = t.c.tls_established().unwrap();
    let out = t.sent();
    assert!(out.ends_with(" CAPABILITY\r\n"), "{out}");
    let b = tag(&out).to_owned();
    let ev = t.feed(format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{b} OK\r\n").as_bytes());
    assert_eq!(done(&ev[1]), Some((cap, StatusKind::Ok)));
    assert!(!t.c.has_capability(&Capability::LoginDisabled));
    assert!(
        t.c.capabilities()
            .unwrap()
            .iter()
            .any(|c| matches!(c, Capability::Auth(a) if a.as_str() == "PLAIN"))
    );
}

#[test]
fn starttls_injection_in_a_later_read() {
    let mut t = T::new(11);
    let _ = t.feed(b"* OK ready\r\n");
    t.c.starttls().unwrap();
    let a = tag(&t.sent()).to_owned();
    let _ = t.feed(format!("{a} OK begin TLS\r\n").as_bytes());
    let ev = t.feed(b"* BYE x\r\n");
    assert_eq!(ev[0], Event::Error(ProtocolError::StartTlsInjection));
    assert!(t.c.is_closed());
}

/// An 8 MiB BODY[] streams through a 256 KiB receive buffer.
#[test]
fn fetch_streams_8mib_within_the_bound() {
    let mut config = ClientConfig::new(12);
    config.max_buffer = 256 * 1024;
    let mut t = T::with(config);
    let _ = t.feed(b"* PREAUTH ready\r\n");
    let id =
        t.c.fetch(
            SequenceSet::new("1").unwrap(),
            FetchAttributes::List(vec![FetchAttribute::BodySection {
                peek: true,
                section: Section::default(),
                partial: None,
            }]),
            true,
        )
        .unwrap();
    let a = tag(&t.sent()).to_owned();
    let size = 8 * 1024 * 1024;
    let mut wire = format!("* 1 FETCH (UID 7 BODY[] {{{size}}}\r\n").into_bytes();
    wire.extend((0..size).map(|i| b"abcdefghijklmnopqrstuvwxyz\r\n"[i % 28]));
    wire.extend_from_slice(format!(" FLAGS (\\Seen))\r\n{a} OK done\r\n").as_bytes());

    let mut got = 0usize;
    let mut ok = true;
    let mut completions = 0;
    let mut input = &wire[..];
    while !input.is_empty() {
        let chunk = &input[..input.len().min(100_000)];
        let n = t.c.handle_input(t.now, chunk);
        assert!(n <= 256 * 1024);
        input = &input[n..];
        let mut any = false;
        while let Some(e) = t.c.poll_event() {
            any = true;
            match e {
                Event::FetchLiteral { uid, size: s, .. } => {
                    assert_eq!(uid.map(|u| u.get()), Some(7));
                    assert_eq!(s, size as u64);
                }
                Event::FetchChunk(b) => {
                    assert!(b.len() <= 256 * 1024);
                    for (k, x) in b.iter().enumerate() {
                        ok &= *x == b"abcdefghijklmnopqrstuvwxyz\r\n"[(got + k) % 28];
                    }
                    got += b.len();
                }
                Event::Done { id: d, status, .. } => {
                    assert_eq!((d, status), (id, StatusKind::Ok));
                    completions += 1;
                }
                _ => {}
            }
        }
        assert!(n > 0 || any, "stuck");
    }
    assert!(ok);
    assert_eq!(got, size);
    assert_eq!(completions, 1);
}

/// A full receive buffer refuses input until events are drained.
#[test]
fn back_pressure_until_events_are_taken() {
    let mut config = ClientConfig::new(13);
    config.max_buffer = 1024;
    let mut t = T::with(config);
    let _ = t.feed(b"* PREAUTH ready\r\n");
    let mut wire = b"* 1 FETCH (BODY[] {5000}\r\n".to_vec();
    wire.extend(std::iter::repeat_n(b'x', 5000));
    let mut taken = 0;
    loop {
        let n = t.c.handle_input(t.now, &wire[taken..]);
        if n == 0 {
            break;
        }
        taken += n;
    }
    // The 26-octet FETCH head was parsed away; the chunks held in
    // events count against the bound.
    assert!(taken <= 1024 + 26, "{taken}");
    assert!(taken < wire.len());
    while t.c.poll_event().is_some() {}
    assert!(t.c.handle_input(t.now, &wire[taken..]) > 0);
}

/// RFC 2177: IDLE, updates, DONE.
#[test]
fn idle_with_updates() {
    let mut t = T::new(14);
    let _ = t.feed(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    let id = t.c.idle().unwrap();
    let out = t.sent();
    assert!(out.ends_with(" IDLE\r\n"), "{out}");
    let a = tag(&out).to_owned();
    let later = t.c.noop().unwrap();
    assert_eq!(t.sent(), "", "nothing pipelined behind IDLE");
    let ev = t.feed(b"+ idling\r\n* 4 EXISTS\r\n* 2 EXPUNGE\r\n");
    assert_eq!(ev[0], Event::Idling { id });
    assert_eq!(untagged_data(&ev), ["* 4 EXISTS\r\n", "* 2 EXPUNGE\r\n"]);
    assert_eq!(t.c.poll_timeout(), None, "no timeout while idling");
    t.c.idle_done().unwrap();
    assert_eq!(t.sent(), "DONE\r\n");
    let ev = t.feed(format!("{a} OK IDLE terminated\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
    let out = t.sent();
    assert!(out.ends_with(" NOOP\r\n"), "{out}");
    let b = tag(&out).to_owned();
    let ev = t.feed(format!("{b} OK\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((later, StatusKind::Ok)));
    assert_eq!(
        t.c.idle_done(),
        Err(mailwire_imap::client::QueueError::NotIdling)
    );
}

/// RFC 3501 section 7: untagged data may come at any time.
#[test]
fn unsolicited_untagged_responses() {
    let mut t = T::new(15);
    let ev =
        t.feed(b"* OK ready\r\n* CAPABILITY IMAP4rev1 MOVE\r\n* OK [ALERT] maintenance soon\r\n");
    assert_eq!(ev.len(), 3);
    assert!(t.c.has_capability(&Capability::Move));
    assert_eq!(
        untagged_data(&ev),
        [
            "* CAPABILITY IMAP4rev1 MOVE\r\n",
            "* OK [ALERT] maintenance soon\r\n"
        ]
    );
}

/// RFC 3501 section 7.1.5: BYE, then the connection ends.
#[test]
fn bye_then_eof_aborts_what_is_in_flight() {
    let mut t = T::new(16);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let id = t.c.noop().unwrap();
    let ev = t.feed(b"* BYE autologout; idle for too long\r\n");
    assert!(matches!(ev[0], Event::Bye(_)));
    assert_eq!(t.c.state(), State::Logout);
    t.c.handle_eof();
    let ev: Vec<Event> = std::iter::from_fn(|| t.c.poll_event()).collect();
    assert_eq!(ev, [Event::Aborted { id }, Event::Closed]);
    assert!(t.c.noop().is_err());
}

#[test]
fn bye_greeting_closes() {
    let mut t = T::new(17);
    let ev = t.feed(b"* BYE too busy\r\n");
    assert!(matches!(
        ev[0],
        Event::Greeting {
            kind: StatusKind::Bye,
            ..
        }
    ));
    assert!(t.c.is_closed());
}

#[test]
fn bad_greeting_and_unknown_tag() {
    let mut t = T::new(18);
    let ev = t.feed(b"a1 OK what\r\n");
    assert_eq!(ev[0], Event::Error(ProtocolError::BadGreeting));
    let mut t = T::new(18);
    let _ = t.feed(b"* OK hi\r\n");
    let ev = t.feed(b"zz9 OK stray\r\n");
    assert_eq!(ev[0], Event::Error(ProtocolError::UnknownTag("zz9".into())));
}

#[test]
fn timeout_while_waiting() {
    let mut t = T::new(19);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let id = t.c.noop().unwrap();
    // The command went out on a quiet connection: the timer starts at the
    // next call, not at the last input.
    let later = t.now + Duration::from_secs(3600);
    assert!(t.c.poll_timeout().unwrap() <= later);
    t.c.handle_timeout(later);
    assert!(!t.c.is_closed());
    let deadline = t.c.poll_timeout().unwrap();
    assert_eq!(deadline, later + Duration::from_secs(300));
    t.c.handle_timeout(deadline - Duration::from_secs(1));
    assert!(!t.c.is_closed());
    t.c.handle_timeout(deadline);
    let ev: Vec<Event> = std::iter::from_fn(|| t.c.poll_event()).collect();
    assert_eq!(ev, [Event::TimedOut, Event::Aborted { id }, Event::Closed]);
}

/// RFC 3501 section 6.3.11: APPEND with the message streamed after `+`.
#[test]
fn append_streams_after_continuation() {
    let mut t = T::new(20);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let msg = b"Subject: hi\r\n\r\nbody\r\n";
    let id =
        t.c.append(
            Mailbox::from("saved"),
            &[Flag::Seen],
            None,
            msg.len() as u64,
        )
        .unwrap();
    let out = t.sent();
    assert!(
        out.ends_with(&format!(" APPEND saved (\\Seen) {{{}}}\r\n", msg.len())),
        "{out}"
    );
    let a = tag(&out).to_owned();
    assert!(t.c.append_data(msg).is_err(), "not before +");
    let ev = t.feed(b"+ go\r\n");
    assert_eq!(ev, [Event::AppendReady { id }]);
    assert_eq!(t.c.append_data(&msg[..5]).unwrap(), 5);
    assert_eq!(t.c.append_data(&msg[5..]).unwrap(), msg.len() - 5);
    let out = t.sent();
    assert_eq!(out.as_bytes(), [&msg[..], b"\r\n"].concat());
    let ev = t.feed(format!("{a} OK [APPENDUID 1 2] done\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
}

/// An empty APPEND message (`{0}`) ends with its CRLF as soon as the `+`
/// comes: there are no octets to pass to `append_data`. Found by the
/// in-memory pair's proptest (tests/pair.rs), where it hung the session.
#[test]
fn empty_append_completes_after_continuation() {
    let mut t = T::new(21);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let id = t.c.append(Mailbox::from("saved"), &[], None, 0).unwrap();
    let out = t.sent();
    assert!(out.ends_with(" APPEND saved {0}\r\n"), "{out}");
    let a = tag(&out).to_owned();
    let ev = t.feed(b"+ go\r\n");
    assert_eq!(ev, [Event::AppendReady { id }]);
    assert_eq!(t.sent(), "\r\n");
    let ev = t.feed(format!("{a} OK done\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
}

fn session_events(chunks: &[&[u8]]) -> Vec<Event> {
    let mut t = T::new(99);
    t.c.select(Mailbox::Inbox).unwrap();
    t.c.fetch(
        SequenceSet::new("1:2").unwrap(),
        FetchAttributes::List(vec![
            FetchAttribute::Uid,
            FetchAttribute::BodySection {
                peek: true,
                section: Section::default(),
                partial: None,
            },
        ]),
        false,
    )
    .unwrap();
    t.c.idle().unwrap();
    t.c.logout().unwrap();
    let mut ev = Vec::new();
    for c in chunks {
        ev.extend(t.feed(c));
        if ev.contains(&Event::Idling { id: CommandId(3) })
            && !ev
                .iter()
                .any(|e| done(e).is_some_and(|d| d.0 == CommandId(3)))
        {
            let _ = t.c.idle_done();
        }
    }
    // Merge chunk events so that chunk boundaries do not matter.
    let mut merged: Vec<Event> = Vec::new();
    for e in ev {
        if let (Some(Event::FetchChunk(a)), Event::FetchChunk(b)) = (merged.last_mut(), &e) {
            let mut v = a.to_vec();
            v.extend_from_slice(b);
            *a = v.into();
            continue;
        }
        merged.push(e);
    }
    merged
}

/// The same session split at every offset gives the same events.
#[test]
fn split_at_every_offset_gives_the_same_events() {
    let mut probe = T::new(99);
    let _ = probe.feed(b"* PREAUTH x\r\n");
    probe.c.noop().unwrap();
    let p = tag(&probe.sent())[..4].to_owned();
    let wire = format!(
        "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n\
         * 2 EXISTS\r\n* OK [UIDVALIDITY 9] x\r\n{p}1 OK [READ-WRITE] selected\r\n\
         * 1 FETCH (UID 5 BODY[] {{7}}\r\nhello\r\n)\r\n\
         * 2 FETCH (BODY[] {{3}}\r\nabc UID 6)\r\n{p}2 OK fetched\r\n\
         + idling\r\n* 3 EXISTS\r\n{p}3 OK done\r\n\
         * BYE bye\r\n{p}4 OK logout\r\n"
    );
    let wire = wire.as_bytes();
    let whole = session_events(&[wire]);
    assert!(whole.contains(&Event::Closed), "{whole:#?}");
    assert_eq!(
        whole.iter().filter(|e| done(e).is_some()).count(),
        4,
        "{whole:#?}"
    );
    for i in 0..=wire.len() {
        assert_eq!(
            session_events(&[&wire[..i], &wire[i..]]),
            whole,
            "split at {i}"
        );
    }
}

#[test]
fn tag_prefix_for_seed_zero() {
    let mut t = T::new(0);
    let _ = t.feed(b"* PREAUTH x\r\n");
    t.c.noop().unwrap();
    // The fuzz seeds (fuzz/corpus/imap_client) script this prefix.
    assert_eq!(&tag(&t.sent())[..4], "JJXV");
}

/// RFC 7628 section 3.2.3: XOAUTH2 on the command line with SASL-IR; an
/// error challenge is answered with an empty line.
#[test]
fn authenticate_xoauth2_error_challenge() {
    let mut t = T::new(21);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n");
    let id =
        t.c.authenticate(Sasl::XOAuth2 {
            username: "someuser@example.com".into(),
            token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg".into(),
        })
        .unwrap();
    let out = t.sent();
    assert!(
        out.ends_with(" AUTHENTICATE XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n"),
        "{out}"
    );
    let a = tag(&out).to_owned();
    let _ = t.feed(b"+ eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    assert_eq!(t.sent(), "\r\n");
    let ev = t.feed(format!("{a} NO SASL authentication failed\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::No)));
}

/// AUTHENTICATE LOGIN: user name, then password, each after a `+`.
#[test]
fn authenticate_login_two_steps() {
    let mut t = T::new(22);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=LOGIN] ready\r\n");
    let id =
        t.c.authenticate(Sasl::Login {
            username: "tim".into(),
            password: "pw".into(),
        })
        .unwrap();
    let out = t.sent();
    assert!(out.ends_with(" AUTHENTICATE LOGIN\r\n"), "{out}");
    let a = tag(&out).to_owned();
    let _ = t.feed(b"+ VXNlcm5hbWU6\r\n");
    assert_eq!(t.sent(), "dGlt\r\n");
    let _ = t.feed(b"+ UGFzc3dvcmQ6\r\n");
    assert_eq!(t.sent(), "cHc=\r\n");
    let ev = t.feed(format!("{a} OK hello\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
    assert_eq!(t.c.state(), State::Authenticated);
}

/// The pipelining rule: plain commands go together; SELECT waits for
/// them and goes alone; what follows waits for SELECT.
#[test]
fn pipelining_stops_at_barriers() {
    let mut t = T::new(23);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let n1 = t.c.noop().unwrap();
    let s1 =
        t.c.status(
            Mailbox::from("a"),
            vec![mailwire_imap::types::StatusItem::Messages],
        )
        .unwrap();
    let sel = t.c.select(Mailbox::Inbox).unwrap();
    let n2 = t.c.noop().unwrap();
    let out = t.sent();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].ends_with(" NOOP") && lines[1].ends_with(" STATUS a (MESSAGES)"));
    let (a, b) = (tag(lines[0]).to_owned(), tag(lines[1]).to_owned());
    // Completions may come in any order.
    let ev = t.feed(format!("{b} OK\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((s1, StatusKind::Ok)));
    assert_eq!(t.sent(), "", "SELECT waits for the NOOP");
    let ev = t.feed(format!("{a} OK\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((n1, StatusKind::Ok)));
    let out = t.sent();
    assert!(
        out.ends_with(" SELECT INBOX\r\n") && out.lines().count() == 1,
        "{out}"
    );
    let c = tag(&out).to_owned();
    let ev = t.feed(format!("{c} NO no such mailbox\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((sel, StatusKind::No)));
    assert_eq!(t.c.state(), State::Authenticated);
    let out = t.sent();
    assert!(out.ends_with(" NOOP\r\n"), "{out}");
    let d = tag(&out).to_owned();
    let ev = t.feed(format!("{d} OK\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((n2, StatusKind::Ok)));
}

#[test]
fn malformed_response_is_reported_and_skipped() {
    let mut t = T::new(24);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let id = t.c.noop().unwrap();
    let a = tag(&t.sent()).to_owned();
    let ev = t.feed(format!("* 1 FETCH (((\r\n{a} OK\r\n").as_bytes());
    assert!(
        matches!(ev[0], Event::Error(ProtocolError::Malformed(_))),
        "{ev:?}"
    );
    assert_eq!(done(&ev[1]), Some((id, StatusKind::Ok)));
}

#[test]
fn an_oversized_response_closes_instead_of_stalling() {
    let mut config = ClientConfig::new(25);
    config.max_buffer = 100;
    let mut t = T::with(config);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let id = t.c.noop().unwrap();
    let ev = t.feed(&[b'*'; 300]);
    assert!(
        ev.contains(&Event::Error(ProtocolError::BufferFull)),
        "{ev:?}"
    );
    assert!(ev.contains(&Event::Aborted { id }));
    assert!(t.c.is_closed());
}

#[test]
fn done_carries_the_response_code() {
    let mut t = T::new(26);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    t.c.examine(Mailbox::Inbox).unwrap();
    let a = tag(&t.sent()).to_owned();
    let ev = t.feed(format!("{a} OK [READ-ONLY] EXAMINE completed\r\n").as_bytes());
    let Event::Done { response, text, .. } = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(response.code(), Some(mailwire_imap::types::Code::ReadOnly));
    assert_eq!(text, "EXAMINE completed");
}

proptest::proptest! {
    /// Any three-way chunking of a session gives the same events.
    #[test]
    fn any_chunking_gives_the_same_events(a in 0usize..400, b in 0usize..400) {
        let mut probe = T::new(99);
        let _ = probe.feed(b"* PREAUTH x\r\n");
        probe.c.noop().unwrap();
        let p = tag(&probe.sent())[..4].to_owned();
        let wire = format!(
            "* PREAUTH hi\r\n* 2 EXISTS\r\n{p}1 OK [READ-WRITE] selected\r\n\
             * 1 FETCH (UID 5 ENVELOPE (NIL {{3}}\r\nsub NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {{7}}\r\nhello\r\n)\r\n\
             {p}2 OK fetched\r\n+ idling\r\n* 1 EXPUNGE\r\n{p}3 OK done\r\n* BYE\r\n{p}4 OK\r\n"
        );
        let w = wire.as_bytes();
        let (x, y) = (a.min(b).min(w.len()), a.max(b).min(w.len()));
        let whole = session_events(&[w]);
        proptest::prop_assert_eq!(whole.iter().filter(|e| done(e).is_some()).count(), 4);
        proptest::prop_assert!(!whole.iter().any(|e| matches!(e, Event::Error(_))));
        proptest::prop_assert_eq!(session_events(&[&w[..x], &w[x..y], &w[y..]]), whole);
    }
}

/// Untagged responses not yet taken count against the receive bound too.
#[test]
fn untaken_untagged_events_count_against_the_bound() {
    let mut config = ClientConfig::new(27);
    config.max_buffer = 200;
    let mut t = T::with(config);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let wire = b"* 1 EXISTS\r\n".repeat(100);
    let mut taken = 0;
    loop {
        let n = t.c.handle_input(t.now, &wire[taken..]);
        if n == 0 {
            break;
        }
        taken += n;
    }
    assert!(taken <= 200, "{taken}");
    let mut count = 0;
    while t.c.poll_event().is_some() {
        count += 1;
    }
    assert_eq!(count, taken / 12, "the rest is a partial line");
    assert!(t.c.handle_input(t.now, &wire[taken..]) > 0);
}

/// RFC 7888: APPEND with LITERAL+ is ready at once.
#[test]
fn append_with_literal_plus_needs_no_continuation() {
    let mut t = T::new(28);
    let _ = t.feed(b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
    let id = t.c.append(Mailbox::Inbox, &[], None, 3).unwrap();
    assert_eq!(t.c.poll_event(), Some(Event::AppendReady { id }));
    assert_eq!(t.c.append_data(b"abcdef").unwrap(), 3);
    let out = t.sent();
    assert!(out.ends_with(" APPEND INBOX {3+}\r\nabc\r\n"), "{out}");
}

/// RFC 9051 section 4.3: an IMAP4rev2 server takes LITERAL- literals.
#[test]
fn imap4rev2_uses_literal_minus() {
    let mut t = T::new(29);
    let _ = t.feed(b"* OK [CAPABILITY IMAP4rev2] hi\r\n");
    t.c.login("fred", "p\u{e4}ss").unwrap();
    assert!(t.sent().ends_with(" LOGIN fred {5+}\r\np\u{e4}ss\r\n"));
}

/// DONE asked before the server's `+` goes right after it.
#[test]
fn idle_done_before_continuation() {
    let mut t = T::new(30);
    let _ = t.feed(b"* PREAUTH hi\r\n");
    let id = t.c.idle().unwrap();
    let a = tag(&t.sent()).to_owned();
    t.c.idle_done().unwrap();
    assert_eq!(t.sent(), "");
    let ev = t.feed(b"+ idling\r\n");
    assert_eq!(ev, [Event::Idling { id }]);
    assert_eq!(t.sent(), "DONE\r\n");
    let ev = t.feed(format!("{a} OK\r\n").as_bytes());
    assert_eq!(done(&ev[0]), Some((id, StatusKind::Ok)));
}
