//! Sequencing, limits, parameters, BDAT errors, LMTP and timeouts.

mod server_harness;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwire_smtp::server::{Event, PipeliningPolicy, Server, ServerConfig};
use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
use server_harness::{Session, transcript};

fn config() -> ServerConfig {
    let mut config = ServerConfig::new("mx.example.org");
    config.pipelining = PipeliningPolicy::Allow;
    config
}

fn greeted(config: ServerConfig) -> Session {
    let mut s = Session::new(config);
    s.take_output();
    assert!(
        s.exchange("EHLO client.example.org\r\n")
            .starts_with("250-")
    );
    s
}

#[test]
fn sequencing_errors() {
    let mut s = Session::new(config());
    transcript(
        &mut s,
        "S: 220 mx.example.org ESMTP
         C: MAIL FROM:<a@example.org>
         S: 503 5.5.1 Error: send HELO/EHLO first
         C: RCPT TO:<b@example.org>
         S: 503 5.5.1 Error: need MAIL command
         C: DATA
         S: 503 5.5.1 Error: need MAIL command
         C: HELO client.example.org
         S: 250 mx.example.org
         C: MAIL FROM:<a@example.org>
         S: 250 2.1.0 Sender OK
         C: MAIL FROM:<a@example.org>
         S: 503 5.5.1 Error: nested MAIL command
         C: DATA
         S: 503 5.5.1 Error: need RCPT command
         C: RCPT TO:<b@example.org>
         S: 250 2.1.5 Recipient OK
         C: VRFY b
         S: 252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery
         C: EXPN list
         S: 502 5.5.1 Error: EXPN not available
         C: HELP
         S: 214 2.0.0 See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)
         C: NOOP
         S: 250 2.0.0 OK
         C: EHLO client.example.org
         S: 250-mx.example.org Hello
         S: 250-SIZE 67108864
         S: 250-PIPELINING
         S: 250-8BITMIME
         S: 250-BINARYMIME
         S: 250-CHUNKING
         S: 250-SMTPUTF8
         S: 250 ENHANCEDSTATUSCODES
         C: RCPT TO:<b@example.org>
         S: 503 5.5.1 Error: need MAIL command
         C: LHLO client.example.org
         S: 500 5.5.1 Error: command not recognized",
    );
    // EHLO aborted the transaction the application knew of.
    assert!(s.saw("TransactionAborted(Hello)"));
}

#[test]
fn syntax_errors_answered_and_session_goes_on() {
    let mut s = greeted(config());
    transcript(
        &mut s,
        "C: FROB
         S: 500 5.5.2 Error: command not recognized at byte 0
         C: MAIL FROM:<joe@>
         S: 501 5.1.7 Error: bad sender address syntax at byte 15
         C: RCPT TO:<>
         S: 501 5.1.3 Error: bad recipient address syntax at byte 9
         C: RSET now
         S: 501 5.5.4 Error: syntax error, expected end of line (no argument) at byte 4
         C: NOOP
         S: 250 2.0.0 OK",
    );
    assert!(s.saw("ProtocolError(Syntax("));
}

#[test]
fn error_limit_closes_with_421() {
    let mut config = config();
    config.limits.max_errors = 3;
    let mut s = greeted(config);
    transcript(
        &mut s,
        "C: FROB
         S: 500 5.5.2 Error: command not recognized at byte 0
         C: NOOP
         S: 250 2.0.0 OK
         C: FROB
         S: 500 5.5.2 Error: command not recognized at byte 0
         C: FROB
         C: NOOP
         S: 500 5.5.2 Error: command not recognized at byte 0
         S: 421 4.7.0 mx.example.org Error: too many errors",
    );
    assert!(s.server.is_closed());
    assert!(s.saw("Closed(TooManyErrors)"));
    // Closed: input is discarded.
    assert_eq!(s.exchange("NOOP\r\n"), "");
}

#[test]
fn over_long_lines_skipped() {
    let mut s = greeted(config());
    let long = format!("NOOP {}\r\nNOOP\r\n", "x".repeat(600));
    assert_eq!(
        s.exchange(&long),
        "500 5.5.2 Error: line too long\r\n250 2.0.0 OK\r\n"
    );
    assert!(s.saw("ProtocolError(LineTooLong)"));
    // Also when AUTH lengthens lines: only AUTH may be long.
    let mut config = config();
    config.implicit_tls = true;
    config.auth_mechanisms = vec![mailwire_smtp::types::Mechanism::Plain];
    let mut s = greeted(config);
    let long = format!("MAIL FROM:<a@example.org> X={}\r\n", "x".repeat(1000));
    assert_eq!(s.exchange(&long), "500 5.5.2 Error: line too long\r\n");
    let huge = format!("AUTH PLAIN {}\r\nNOOP\r\n", "A".repeat(20000));
    assert_eq!(
        s.exchange(&huge),
        "500 5.5.2 Error: line too long\r\n250 2.0.0 OK\r\n"
    );
}

#[test]
fn recipient_limit() {
    let mut config = config();
    config.limits.max_recipients = 2;
    let mut s = greeted(config);
    transcript(
        &mut s,
        "C: MAIL FROM:<a@example.org>
         C: RCPT TO:<b@example.org>
         C: RCPT TO:<c@example.org>
         C: RCPT TO:<d@example.org>
         S: 250 2.1.0 Sender OK
         S: 250 2.1.5 Recipient OK
         S: 250 2.1.5 Recipient OK
         S: 452 4.5.3 Error: too many recipients
         C: DATA
         S: 354 End data with <CR><LF>.<CR><LF>
         C: .
         S: 250 2.6.0 Message accepted",
    );
    assert!(s.saw("MessageEnd(MessageEnd { size: 0, recipients: 2, chunked: false })"));
}

#[test]
fn size_at_mail_and_during_data() {
    let mut config = config();
    config.limits.max_message_size = 10;
    let mut s = greeted(config);
    transcript(
        &mut s,
        "C: MAIL FROM:<a@example.org> SIZE=11
         S: 552 5.3.4 Error: message too big
         C: MAIL FROM:<a@example.org> SIZE=10
         S: 250 2.1.0 Sender OK
         C: RCPT TO:<b@example.org>
         S: 250 2.1.5 Recipient OK
         C: DATA
         S: 354 End data with <CR><LF>.<CR><LF>
         C: 0123456789abcdef
         C: more
         C: .
         S: 552 5.3.4 Error: message too big
         C: MAIL FROM:<a@example.org>
         S: 250 2.1.0 Sender OK",
    );
    // Only the bytes under the limit were handed out.
    assert_eq!(s.data, b"0123456789");
    assert!(s.saw("TransactionAborted(MessageTooBig)"));
    assert!(!s.saw("MessageEnd"));
}

#[test]
fn size_across_bdat_chunks() {
    let mut config = config();
    config.limits.max_message_size = 10;
    let mut s = greeted(config);
    s.exchange("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n");
    assert_eq!(
        s.exchange("BDAT 6\r\n012345"),
        "250 2.0.0 6 octets received\r\n"
    );
    assert_eq!(
        s.exchange("BDAT 6 LAST\r\n6789ab"),
        "552 5.3.4 Error: message too big\r\n"
    );
    assert_eq!(s.data, b"012345");
    assert!(s.saw("TransactionAborted(MessageTooBig)"));
    assert_eq!(s.exchange("NOOP\r\n"), "250 2.0.0 OK\r\n");
}

#[test]
fn size_parameter_only_when_offered() {
    let mut config = config();
    config.extensions.size = false;
    let mut s = greeted(config);
    assert_eq!(
        s.exchange("MAIL FROM:<a@example.org> SIZE=10\r\n"),
        "555 5.5.4 Error: unsupported MAIL/RCPT parameter\r\n"
    );
}

#[test]
fn bdat_errors_consume_the_chunk() {
    let mut s = greeted(config());
    transcript(
        &mut s,
        "C: BDAT 10
         R: MAIL FROM:
         C: NOOP
         S: 503 5.5.1 Error: need MAIL command
         S: 250 2.0.0 OK
         C: MAIL FROM:<a@example.org>
         C: BDAT 4 LAST
         R: RSET
         S: 250 2.1.0 Sender OK
         S: 503 5.5.1 Error: need RCPT command
         C: BDAT 0
         S: 501 5.5.4 Error: BDAT 0 needs LAST
         C: MAIL FROM:<a@example.org>
         C: RCPT TO:<b@example.org>
         C: BDAT 3
         R: abc
         C: DATA
         S: 250 2.1.0 Sender OK
         S: 250 2.1.5 Recipient OK
         S: 250 2.0.0 3 octets received
         S: 503 5.5.1 Error: DATA after BDAT
         C: BDAT 0 LAST
         S: 250 2.6.0 Message accepted",
    );
    assert!(s.saw("TransactionAborted(ChunkRefused)"));
    assert!(s.saw("MessageEnd(MessageEnd { size: 3, recipients: 1, chunked: true })"));
    // CHUNKING not offered: BDAT refused, its bytes still read.
    let mut config = config();
    config.extensions.chunking = false;
    let mut s = greeted(config);
    assert_eq!(
        s.exchange("BDAT 6\r\nNOOP\r\nRSET\r\n"),
        "502 5.5.1 Error: BDAT not available\r\n250 2.0.0 OK\r\n"
    );
}

#[test]
fn parameters_checked() {
    let mut s = greeted(config());
    transcript(
        &mut s,
        "C: MAIL FROM:<a@example.org> X-FOO=bar
         S: 555 5.5.4 Error: unsupported MAIL/RCPT parameter
         C: MAIL FROM:<a@example.org> RET=HDRS
         S: 555 5.5.4 Error: unsupported MAIL/RCPT parameter
         C: MAIL FROM:<jöe@example.org>
         S: 553 5.6.7 Error: non-ASCII address needs SMTPUTF8
         C: MAIL FROM:<jöe@example.org> SMTPUTF8
         S: 250 2.1.0 Sender OK
         C: RCPT TO:<ü@example.org> NOTIFY=FAILURE
         S: 555 5.5.4 Error: unsupported MAIL/RCPT parameter
         C: RCPT TO:<ü@example.org>
         S: 250 2.1.5 Recipient OK
         C: RSET
         S: 250 2.0.0 OK
         C: MAIL FROM:<a@example.org>
         S: 250 2.1.0 Sender OK
         C: RCPT TO:<ü@example.org>
         S: 553 5.6.7 Error: non-ASCII address needs SMTPUTF8
         C: RSET
         S: 250 2.0.0 OK
         C: MAIL FROM:<a@example.org> BODY=BINARYMIME
         S: 250 2.1.0 Sender OK
         C: RCPT TO:<b@example.org>
         S: 250 2.1.5 Recipient OK
         C: DATA
         S: 503 5.5.1 Error: BODY=BINARYMIME needs BDAT",
    );
    // Extensions off refuse their parameters; HELO refuses all.
    let mut config = config();
    config.extensions.smtputf8 = false;
    config.extensions.chunking = false;
    config.extensions.dsn = true;
    let mut s = greeted(config.clone());
    transcript(
        &mut s,
        "C: MAIL FROM:<a@example.org> SMTPUTF8
         S: 555 5.5.4 Error: unsupported MAIL/RCPT parameter
         C: MAIL FROM:<a@example.org> BODY=BINARYMIME
         S: 555 5.5.4 Error: unsupported MAIL/RCPT parameter
         C: MAIL FROM:<a@example.org> RET=HDRS ENVID=x
         S: 250 2.1.0 Sender OK
         C: RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org
         S: 250 2.1.5 Recipient OK",
    );
    let mut s = Session::new(config);
    s.take_output();
    s.exchange("HELO c\r\n");
    assert_eq!(
        s.exchange("MAIL FROM:<a@example.org> BODY=8BITMIME\r\n"),
        "555 5.5.4 Error: unsupported MAIL/RCPT parameter\r\n"
    );
}

#[test]
fn application_replies_and_decision_errors() {
    let app = Box::new(|server: &mut Server, event: &Event| match event {
        Event::Mail(mail) if mail.reverse_path().to_string().contains("spam") => {
            // A positive code is not a refusal: replaced.
            server
                .reject_sender(Reply::new(ReplyCode::OK, None, "fine"))
                .unwrap();
        }
        Event::MessageEnd(_) => {
            assert!(server.accept_sender().is_err());
            server
                .reject_message(Reply::new(
                    ReplyCode::TRANSACTION_FAILED,
                    EnhancedStatus::new(5, 7, 1),
                    "Spam detected\nGo away",
                ))
                .unwrap();
        }
        _ => server_harness::default_app()(server, event),
    });
    let mut s = Session::with_app(config(), app);
    s.take_output();
    s.exchange("EHLO c\r\n");
    transcript(
        &mut s,
        "C: MAIL FROM:<spam@example.org>
         S: 550 5.7.1 Rejected
         C: MAIL FROM:<a@example.org>
         C: RCPT TO:<b@example.org>
         C: DATA
         S: 250 2.1.0 Sender OK
         S: 250 2.1.5 Recipient OK
         S: 354 End data with <CR><LF>.<CR><LF>
         C: hi
         C: .
         S: 554-5.7.1 Spam detected
         S: 554 5.7.1 Go away",
    );
    assert!(s.server.accept_message().is_err());
    assert!(
        s.server
            .reject_recipient(Reply::new(ReplyCode::OK, None, ""))
            .is_err()
    );
}

#[test]
fn lmtp_bdat_last_gets_one_reply_per_recipient() {
    let mut config = ServerConfig::lmtp("lmtp.example.org");
    config.pipelining = PipeliningPolicy::Allow;
    let mut s = Session::new(config);
    s.take_output();
    s.exchange("LHLO c\r\n");
    assert_eq!(
        s.exchange("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nBDAT 2 LAST\r\nhi"),
        "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.1.5 Recipient OK\r\n\
250 2.1.5 Delivered\r\n250 2.1.5 Delivered\r\n"
    );
    assert_eq!(
        s.exchange("HELO c\r\n"),
        "500 5.5.1 Error: this is LMTP, send LHLO\r\n"
    );
}

fn timed() -> (Server, Instant, BytesMut) {
    let now = Instant::now();
    let mut server = Server::new(Arc::new(config()), now);
    let mut out = BytesMut::new();
    let _ = server.poll_output(&mut out);
    out.clear();
    (server, now, out)
}

const MIN: Duration = Duration::from_secs(60);

#[test]
fn command_timeout() {
    let (mut server, start, mut out) = timed();
    assert_eq!(server.poll_timeout(), Some(start + 5 * MIN));
    server.handle_timeout(start + 4 * MIN);
    assert!(!server.is_closed());
    // Input restarts the timer.
    let t = start + 4 * MIN;
    assert_eq!(server.handle_input(t, b"NOOP\r\n"), 6);
    assert_eq!(server.poll_timeout(), Some(t + 5 * MIN));
    server.handle_timeout(t + 5 * MIN);
    assert!(server.is_closed());
    let _ = server.poll_output(&mut out);
    assert_eq!(
        &out[..],
        b"250 2.0.0 OK\r\n421 4.4.2 mx.example.org Error: timeout exceeded\r\n"
    );
    assert_eq!(server.poll_timeout(), None);
    let mut events = Vec::new();
    while let Some(e) = server.poll_event() {
        events.push(e);
    }
    assert_eq!(
        events,
        [Event::Closed(mailwire_smtp::server::CloseReason::Timeout)]
    );
}

#[test]
fn data_block_and_decision_timeouts() {
    let (mut server, start, mut out) = timed();
    let _ = server.handle_input(start, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    while server.poll_event().is_some() {}
    // Waiting for the sender decision: the client waits 5 minutes.
    assert_eq!(server.poll_timeout(), Some(start + 5 * MIN));
    server.accept_sender().unwrap();
    // After a decision the timer restarts at the next time passed in.
    assert_eq!(server.poll_timeout(), Some(start));
    let t = start + 2 * MIN;
    server.handle_timeout(t);
    assert!(!server.is_closed());
    assert_eq!(server.poll_timeout(), Some(t + 5 * MIN));
    let _ = server.handle_input(t, b"RCPT TO:<b@example.org>\r\n");
    while server.poll_event().is_some() {}
    server.accept_recipient().unwrap();
    let _ = server.handle_input(t, b"DATA\r\nsome data\r\n");
    while server.poll_event().is_some() {}
    // Receiving data: 3 minutes per block.
    assert_eq!(server.poll_timeout(), Some(t + 3 * MIN));
    let _ = server.handle_input(t, b".\r\n");
    while server.poll_event().is_some() {}
    // The message decision: 10 minutes.
    assert_eq!(server.poll_timeout(), Some(t + 10 * MIN));
    server.handle_timeout(t + 10 * MIN);
    assert!(server.is_closed());
    assert!(server.accept_message().is_err());
    let _ = server.poll_output(&mut out);
    assert!(out.ends_with(b"354 End data with <CR><LF>.<CR><LF>\r\n421 4.4.2 mx.example.org Error: timeout exceeded\r\n"));
    let mut events = Vec::new();
    while let Some(e) = server.poll_event() {
        events.push(format!("{e:?}"));
    }
    assert_eq!(events, ["TransactionAborted(Closed)", "Closed(Timeout)"]);
}

#[test]
fn application_close() {
    let (mut server, _, mut out) = timed();
    server.close(Reply::new(
        ReplyCode::SERVICE_NOT_AVAILABLE,
        EnhancedStatus::new(4, 3, 2),
        "Shutting down",
    ));
    let _ = server.poll_output(&mut out);
    assert_eq!(&out[..], b"421 4.3.2 Shutting down\r\n");
    assert!(server.is_closed());
}
