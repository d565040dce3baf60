//! The server against hostile input: SMTP smuggling, STARTTLS command
//! injection, pipelining violations, bare line endings, split-anywhere
//! invariance, and memory that stays bounded.

mod server_harness;

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use mailwire_core::BarePolicy;
use mailwire_smtp::server::{Event, PipeliningPolicy, Server, ServerConfig};
use mailwire_smtp::types::Mechanism;
use server_harness::{Session, app_rejecting, transcript};

/// The SMTP smuggling end-of-data variants (Longin, 2023) and a few more;
/// the same list as `mailwire-core`'s dot-stuffing tests.
const SMUGGLING_VECTORS: &[&[u8]] = &[
    b"\n.\n",
    b"\n.\r\n",
    b"\r\n.\n",
    b"\r.\r",
    b"\r.\r\n",
    b"\r\n.\r",
    b"\n.\r",
    b"\r.\n",
    b"\n\n.\n\n",
    b"\r\r.\r\r",
    b"\r\n.\r\r\n",
    b"\r\n\x00.\r\n",
    b"\r\n .\r\n",
    b"\r\n.\x00\r\n",
    b"\r\n..\r\n",
    b"\r\n\r.\r\n",
    b"\n\r\n.\n\r\n",
];

const POLICIES: [BarePolicy; 3] = [
    BarePolicy::Reject,
    BarePolicy::Accept,
    BarePolicy::Normalize,
];

fn config() -> ServerConfig {
    let mut config = ServerConfig::new("mx.example.org");
    config.pipelining = PipeliningPolicy::Allow;
    config
}

fn count(events: &[String], prefix: &str) -> usize {
    events.iter().filter(|e| e.starts_with(prefix)).count()
}

#[test]
fn smuggling_vectors_never_end_the_data() {
    let head: &[u8] = b"From: a@example.org\r\nSubject: test\r\n\r\nHello";
    let smuggled: &[u8] = b"MAIL FROM:<admin@example.org>\r\nRCPT TO:<victim@example.net>\r\n\
DATA\r\nFrom: admin@example.org\r\n\r\nsmuggled";
    for vector in SMUGGLING_VECTORS {
        for lf in POLICIES {
            for cr in POLICIES {
                for bytewise in [false, true] {
                    let mut config = config();
                    config.bare_lf = lf;
                    config.bare_cr = cr;
                    let mut s = Session::new(config);
                    s.exchange("EHLO client.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
                    let mut body = head.to_vec();
                    body.extend_from_slice(vector);
                    body.extend_from_slice(smuggled);
                    body.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
                    if bytewise {
                        for b in &body {
                            s.feed(std::slice::from_ref(b));
                        }
                    } else {
                        s.feed(&body);
                    }
                    let what =
                        format!("vector {vector:?}, LF {lf:?}, CR {cr:?}, bytewise {bytewise}");
                    // One transaction: the smuggled commands never ran.
                    assert_eq!(count(&s.events, "Mail("), 1, "{what}");
                    assert_eq!(count(&s.events, "Recipient("), 1, "{what}");
                    let ended = count(&s.events, "MessageEnd(");
                    let refused = count(&s.events, "TransactionAborted(BareLineEnding)");
                    assert_eq!(ended + refused, 1, "{what}: {:?}", s.events);
                    let out = s.take_output();
                    if ended == 1 {
                        // Accepted: the smuggled text is message data.
                        assert!(
                            s.data.windows(smuggled.len()).any(|w| w == smuggled),
                            "{what}"
                        );
                        assert!(out.ends_with("250 2.6.0 Message accepted\r\n221 2.0.0 mx.example.org closing connection\r\n"), "{what}: {out}");
                    } else {
                        // Refused by the bare CR/LF policy, after the real end.
                        assert!(
                            lf == BarePolicy::Reject || cr == BarePolicy::Reject,
                            "{what}"
                        );
                        assert!(out.ends_with("550 5.6.0 Error: bare CR or LF in message data\r\n221 2.0.0 mx.example.org closing connection\r\n"), "{what}: {out}");
                    }
                    assert!(!out.contains("Sender OK\r\n250 2.1.0"), "{what}");
                    assert!(s.server.is_closed(), "{what}");
                }
            }
        }
    }
}

/// Postfix's default: a message with a bare LF is refused after its end,
/// and the session goes on; `Normalize` turns it into CRLF.
#[test]
fn bare_lf_in_data_by_policy() {
    let mut s = Session::new(config());
    s.exchange("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(
        s.exchange("line one\nline two\r\n.\r\n"),
        "550 5.6.0 Error: bare CR or LF in message data\r\n"
    );
    assert!(s.saw("TransactionAborted(BareLineEnding)"));
    assert!(!s.saw("MessageEnd"));
    // The transaction is over; a new one works.
    assert_eq!(
        s.exchange("RCPT TO:<b@example.org>\r\n"),
        "503 5.5.1 Error: need MAIL command\r\n"
    );

    let mut config = config();
    config.bare_lf = BarePolicy::Normalize;
    let mut s = Session::new(config);
    s.exchange("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(
        s.exchange("line one\nline two\r\n.\r\n"),
        "250 2.6.0 Message accepted\r\n"
    );
    assert_eq!(s.data, b"line one\r\nline two\r\n");
}

#[test]
fn bare_lf_in_command_line() {
    let mut s = Session::new(config());
    s.take_output();
    assert_eq!(
        s.exchange("NOOP\n"),
        "500 5.5.2 Error: bare <LF> received\r\n"
    );
    assert_eq!(s.exchange("NOOP\r\n"), "250 2.0.0 OK\r\n");
    let mut config = config();
    config.bare_lf = BarePolicy::Accept;
    let mut s = Session::new(config);
    s.take_output();
    assert_eq!(s.exchange("NOOP\n"), "250 2.0.0 OK\r\n");
}

fn starttls_config() -> ServerConfig {
    let mut config = ServerConfig::new("mx.example.org");
    config.extensions.starttls = true;
    config
}

/// CVE-2011-0411: commands pipelined after STARTTLS in the same packet
/// are discarded, never run after the handshake.
#[test]
fn starttls_discards_injected_commands() {
    // The application runs the handshake later, by hand.
    let app = Box::new(|server: &mut Server, event: &Event| match event {
        Event::StartTls => {}
        _ => server_harness::default_app()(server, event),
    });
    let mut s = Session::with_app(starttls_config(), app);
    s.take_output();
    s.exchange("EHLO client.example.org\r\n");
    assert_eq!(
        s.exchange("STARTTLS\r\nRSET\r\n"),
        "220 2.0.0 Ready to start TLS\r\n"
    );
    assert!(s.saw("StartTls"));
    assert!(s.saw("InputAfterStartTls { discarded: 6 }"));
    // Bytes passed during the handshake are not commands either.
    assert_eq!(s.exchange("MAIL FROM:<evil@example.org>\r\n"), "");
    assert!(s.saw("InputAfterStartTls { discarded: 30 }"));
    assert_eq!(s.server.poll_timeout(), None);
    s.server.tls_established().unwrap();
    assert!(s.server.tls_established().is_err());
    // Back to before EHLO; STARTTLS no longer offered.
    assert_eq!(
        s.exchange("MAIL FROM:<a@example.org>\r\n"),
        "503 5.5.1 Error: send HELO/EHLO first\r\n"
    );
    let ehlo = s.exchange("EHLO client.example.org\r\n");
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert_eq!(
        s.exchange("STARTTLS\r\n"),
        "503 5.5.1 Error: TLS already active\r\n"
    );
    assert!(!s.saw("Mail("));
}

#[test]
fn starttls_refused_in_a_transaction_or_when_not_offered() {
    let mut s = Session::new(starttls_config());
    s.take_output();
    s.exchange("EHLO c\r\n");
    s.exchange("MAIL FROM:<a@example.org>\r\n");
    assert_eq!(
        s.exchange("STARTTLS\r\n"),
        "503 5.5.1 Error: MAIL transaction in progress\r\n"
    );
    let mut s = Session::new(config());
    s.take_output();
    assert_eq!(
        s.exchange("STARTTLS\r\n"),
        "502 5.5.1 Error: command not implemented\r\n"
    );
}

/// Input before the greeting was sent (an early talker): 554 and close.
#[test]
fn early_talker_disconnected() {
    let now = Instant::now();
    let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), now);
    assert_eq!(server.handle_input(now, b"EHLO spam.example\r\n"), 19);
    let mut out = BytesMut::new();
    let _ = server.poll_output(&mut out);
    assert_eq!(
        &out[..],
        b"220 mx.example.org ESMTP\r\n554 5.5.0 Error: SMTP protocol synchronization\r\n"
    );
    assert!(server.is_closed());
    let mut events = Vec::new();
    while let Some(event) = server.poll_event() {
        events.push(format!("{event:?}"));
    }
    assert_eq!(
        events,
        [
            "ProtocolError(Pipelining { after: \"greeting\" })",
            "Closed(Pipelining)"
        ]
    );
}

/// A command that must end a group, with input behind it.
#[test]
fn pipelining_after_ehlo_or_data_disconnected() {
    for (setup, input, after) in [
        ("", "EHLO c\r\nMAIL FROM:<a@example.org>\r\n", "EHLO"),
        (
            "EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n",
            "DATA\r\nSubject: early\r\n",
            "DATA",
        ),
        ("EHLO c\r\n", "NOOP\r\nNOOP\r\n", "NOOP"),
    ] {
        let mut s = Session::new(ServerConfig::new("mx.example.org"));
        s.take_output();
        for line in setup.split_inclusive("\r\n") {
            s.exchange(line);
        }
        assert_eq!(
            s.exchange(input),
            "554 5.5.0 Error: SMTP protocol synchronization\r\n",
            "{input}"
        );
        assert!(
            s.saw(&format!("Pipelining {{ after: \"{after}\" }}")),
            "{:?}",
            s.events
        );
        assert!(s.server.is_closed());
    }
}

/// Input arriving in a later read, before the reply was taken.
#[test]
fn pipelining_before_the_reply_was_taken() {
    let now = Instant::now();
    let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), now);
    let mut out = BytesMut::new();
    let _ = server.poll_output(&mut out);
    assert_eq!(server.handle_input(now, b"EHLO c\r\n"), 8);
    // The EHLO reply is still in the server: the client cannot have seen it.
    assert_eq!(server.handle_input(now, b"MAIL FROM:<a@b.example>\r\n"), 25);
    assert!(server.is_closed());
}

/// Without PIPELINING (or before EHLO), every command waits for its reply.
#[test]
fn pipelining_not_offered() {
    let mut config = ServerConfig::new("mx.example.org");
    config.extensions.pipelining = false;
    let mut s = Session::new(config);
    s.take_output();
    s.exchange("EHLO c\r\n");
    assert_eq!(
        s.exchange("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"),
        "554 5.5.0 Error: SMTP protocol synchronization\r\n"
    );
    // HELO: the client does not know about pipelining.
    let mut s = Session::new(ServerConfig::new("mx.example.org"));
    s.take_output();
    s.exchange("HELO c\r\n");
    assert_eq!(
        s.exchange("RSET\r\nNOOP\r\n"),
        "554 5.5.0 Error: SMTP protocol synchronization\r\n"
    );
    // Allowed groups pass.
    let mut s = Session::new(ServerConfig::new("mx.example.org"));
    s.take_output();
    s.exchange("EHLO c\r\n");
    assert_eq!(
        s.exchange("RSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nNOOP\r\n"),
        "250 2.0.0 OK\r\n250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.0.0 OK\r\n"
    );
    assert!(!s.saw("Pipelining"));
}

/// A whole session with every kind of step, the same events and output
/// whatever the split of its input.
#[test]
fn split_at_every_offset_gives_the_same_session() {
    let mut config = config();
    config.implicit_tls = true;
    config.auth_mechanisms = vec![Mechanism::Login, Mechanism::Plain];
    config.limits.max_command_line = 80;
    let input: &[u8] = b"EHLO client.example.org\r\n\
AUTH LOGIN\r\ndGlt\r\ndGFuc3RhYWZ0YW5zdGFhZg==\r\n\
MAIL FROM:<alice@example.org> BODY=8BITMIME SIZE=200\r\n\
RCPT TO:<bob@example.org>\r\nRCPT TO:<unknown@example.org>\r\nRCPT TO:<carol@example.org>\r\n\
DATA\r\nSubject: split\r\n\r\n..dot\r\n.\r\n\
FROB\r\nNOOP this line is much longer than the eighty byte command line limit of the test\r\n\
MAIL FROM:<alice@example.org> BODY=BINARYMIME\r\nRCPT TO:<bob@example.org>\r\n\
BDAT 5\r\n\r\n.\r\nBDAT 3 LAST\r\nabcRSET\r\n\
MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 4\r\nxyzwRSET\r\nVRFY x\r\nQUIT\r\n";
    let run = |pieces: &[&[u8]]| {
        let mut s = Session::with_app(config.clone(), app_rejecting(&["unknown@"]));
        for piece in pieces {
            s.feed(piece);
        }
        let out = s.take_output();
        (s.events, out, s.data)
    };
    let whole = run(&[input]);
    assert!(whole.1.contains("235 2.7.0"), "{}", whole.1);
    assert!(
        whole
            .1
            .ends_with("221 2.0.0 mx.example.org closing connection\r\n"),
        "{}",
        whole.1
    );
    assert_eq!(whole.2, b"Subject: split\r\n\r\n.dot\r\n\r\n.\r\nabcxyzw");
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(&bytes), whole, "byte by byte");
    for at in 1..input.len() {
        let (a, b) = input.split_at(at);
        assert_eq!(run(&[a, b]), whole, "split at {at}");
    }
    for (i, j) in [(3, 50), (17, 200), (100, 101), (260, 400)] {
        let (a, rest) = input.split_at(i);
        let (b, c) = rest.split_at(j - i);
        assert_eq!(run(&[a, b, c]), whole, "split at {i} and {j}");
    }
}

/// 100 MiB of DATA in 64 KiB reads: everything flows through, and the
/// server's buffers stay small.
#[test]
fn hundred_mib_of_data_with_bounded_buffers() {
    let mut config = config();
    config.limits.max_message_size = 200 * 1024 * 1024;
    let now = Instant::now();
    let mut server = Server::new(Arc::new(config), now);
    let mut out = BytesMut::new();
    let mut received = 0u64;
    let drain = |server: &mut Server, out: &mut BytesMut, received: &mut u64| loop {
        while let Some(event) = server.poll_event() {
            match event {
                Event::Mail(_) => server.accept_sender().unwrap(),
                Event::Recipient(_) => server.accept_recipient().unwrap(),
                Event::Data(chunk) => *received += chunk.len() as u64,
                Event::MessageEnd(_) => server.accept_message().unwrap(),
                _ => {}
            }
        }
        out.clear();
        if server.poll_output(out) == 0 {
            break;
        }
    };
    drain(&mut server, &mut out, &mut received);
    let setup = b"EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";
    assert_eq!(server.handle_input(now, setup), setup.len());
    drain(&mut server, &mut out, &mut received);
    // 64 KiB of 64-byte lines, some starting with a period.
    let mut block = Vec::with_capacity(64 * 1024);
    for i in 0..1024 {
        let lead = if i % 7 == 0 { b'.' } else { b'x' };
        block.push(lead);
        block.extend_from_slice(&[b'a' + (i % 26) as u8; 61]);
        block.extend_from_slice(b"\r\n");
    }
    let stuffed_per_block: u64 = (0..1024).filter(|i| i % 7 == 0).count() as u64;
    let blocks = 1600; // 100 MiB
    let mut max_capacity = 0;
    for _ in 0..blocks {
        let mut rest = &block[..];
        while !rest.is_empty() {
            let n = server.handle_input(now, rest);
            rest = &rest[n..];
            drain(&mut server, &mut out, &mut received);
            max_capacity = max_capacity.max(server.buffer_capacity());
        }
    }
    assert_eq!(server.handle_input(now, b".\r\n"), 3);
    drain(&mut server, &mut out, &mut received);
    assert_eq!(&out[..], b"");
    let expected = (block.len() as u64 - stuffed_per_block) * blocks;
    assert_eq!(received, expected);
    assert!(max_capacity < 256 * 1024, "buffers grew to {max_capacity}");
}

/// An application that does not take its events: the server stops taking
/// input instead of growing.
#[test]
fn back_pressure_when_events_are_not_taken() {
    let now = Instant::now();
    let mut server = Server::new(Arc::new(config()), now);
    let _ = server.poll_output(&mut BytesMut::new());
    let setup = b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n";
    assert_eq!(server.handle_input(now, setup), setup.len());
    while let Some(event) = server.poll_event() {
        if let Event::Mail(_) = event {
            server.accept_sender().unwrap();
        }
    }
    let _ = server.handle_input(now, b"RCPT TO:<b@example.org>\r\n");
    while server.poll_event().is_some() {}
    server.accept_recipient().unwrap();
    let _ = server.handle_input(now, b"DATA\r\n");
    let block = vec![b'x'; 1024 * 1024];
    let taken = server.handle_input(now, &block);
    assert!(taken < block.len(), "took {taken}");
    assert!(server.buffer_capacity() < 256 * 1024);
    assert!(!server.wants_input());
    // Taking the events lets it go on.
    let mut seen = 0;
    while let Some(event) = server.poll_event() {
        if let Event::Data(chunk) = event {
            seen += chunk.len();
        }
    }
    assert_eq!(seen, taken);
    assert!(server.wants_input());
}

/// A BDAT size far beyond memory allocates nothing and is read as it
/// comes.
#[test]
fn huge_bdat_size_allocates_nothing() {
    let mut s = Session::new(config());
    s.take_output();
    s.exchange("EHLO c\r\n");
    assert_eq!(s.exchange("BDAT 18446744073709551615\r\n"), "");
    let junk = vec![b'Q'; 4 * 1024 * 1024];
    s.feed(&junk);
    assert_eq!(s.take_output(), "");
    assert!(s.server.buffer_capacity() < 256 * 1024);
    assert!(s.data.is_empty());
    assert!(!s.saw("Data("));
}

#[test]
fn transcript_with_ahead_of_time_rset_after_noop_under_reject() {
    let mut config = ServerConfig::new("mx.example.org");
    config.pipelining = PipeliningPolicy::Reject;
    let mut s = Session::new(config);
    transcript(
        &mut s,
        "S: 220 mx.example.org ESMTP
         C: EHLO c
         S: 250-mx.example.org Hello
         S: 250-SIZE 67108864
         S: 250-PIPELINING
         S: 250-8BITMIME
         S: 250-BINARYMIME
         S: 250-CHUNKING
         S: 250-SMTPUTF8
         S: 250 ENHANCEDSTATUSCODES
         C: NOOP
         C: RSET
         S: 503 5.5.0 Improper use of SMTP command pipelining
         S: 250 2.0.0 OK",
    );
}
