//! The sans-IO POP3 server: RFC example sessions, deletion rules, STLS,
//! limits, TOP and dot-stuffing.

mod server_support;

use std::time::Duration;

use mailwire_core::sasl::{self, Credentials};
use mailwire_pop3::server::{
    AuthFailure, CloseReason, Event, Maildrop, MaildropError, Mechanism, MessageInfo,
    ProtocolError, Retrieve, ServerConfig,
};
use mailwire_pop3::types::{Response, ResponseCode, apop_digest};
use server_support::{App, Session, message, plain_config};

/// RFC 1939 section 10: the example session, byte for byte (the sign-off
/// host "dewey" is the server's host name, the APOP timestamp's domain the
/// one of the example).
#[test]
fn rfc1939_section10_example_session() {
    let mut config = ServerConfig::new("dewey");
    config.apop = true;
    let mut app = App::new(vec![message(120, "one"), message(200, "two")]);
    app.password = "tanstaaf".into();
    let (m1, m2) = (app.messages[0].clone(), app.messages[1].clone());
    let mut s = Session::new(config, app);

    assert_eq!(
        s.start(Some("1896.697170952@dbc.mtview.ca.us")),
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"
    );
    assert_eq!(
        s.send(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"),
        "+OK mrose's maildrop has 2 messages (320 octets)\r\n"
    );
    assert_eq!(s.send(b"STAT\r\n"), "+OK 2 320\r\n");
    assert_eq!(
        s.send(b"LIST\r\n"),
        "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n"
    );
    let retr1 = s.send(b"RETR 1\r\n");
    assert_eq!(
        retr1,
        format!("+OK 120 octets\r\n{}.\r\n", String::from_utf8(m1).unwrap())
    );
    assert_eq!(s.send(b"DELE 1\r\n"), "+OK message 1 deleted\r\n");
    assert_eq!(
        s.send(b"RETR 2\r\n"),
        format!("+OK 200 octets\r\n{}.\r\n", String::from_utf8(m2).unwrap())
    );
    assert_eq!(s.send(b"DELE 2\r\n"), "+OK message 2 deleted\r\n");
    assert_eq!(
        s.send(b"QUIT\r\n"),
        "+OK dewey POP3 server signing off (maildrop empty)\r\n"
    );
    assert!(s.server.is_closed());
    assert_eq!(s.app.updates, [vec![1, 2]]);
    // The APOP event carried the timestamp the digest covers.
    let apop = s.app.events.iter().find_map(|e| match e {
        Event::Apop(apop) => Some(apop.clone()),
        _ => None,
    });
    let apop = apop.unwrap();
    assert_eq!(apop.timestamp, "<1896.697170952@dbc.mtview.ca.us>");
    assert_eq!(
        apop.digest,
        apop_digest(&apop.timestamp, "tanstaaf").as_str()
    );
}

/// RFC 1939 sections 5 and 7: the STAT, LIST, DELE, RSET, TOP and UIDL
/// examples (the `-ERR` texts are the server's own).
#[test]
fn rfc1939_transaction_examples() {
    let mut app = App::new(vec![message(120, "one"), message(200, "two")]);
    app.uids = vec![
        "whqtswO00WBw418f9t5JxYwZ".into(),
        "QhdPYR:00WBw1Ph7x7".into(),
    ];
    let mut s = Session::new(plain_config("pop.example.org"), app);
    s.start(None);
    s.send(b"USER mrose\r\nPASS secret\r\n");
    assert_eq!(s.send(b"LIST 2\r\n"), "+OK 2 200\r\n");
    assert_eq!(s.send(b"LIST 3\r\n"), "-ERR no such message\r\n");
    assert_eq!(
        s.send(b"UIDL\r\n"),
        "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
    );
    assert_eq!(s.send(b"UIDL 2\r\n"), "+OK 2 QhdPYR:00WBw1Ph7x7\r\n");
    assert_eq!(s.send(b"UIDL 3\r\n"), "-ERR no such message\r\n");
    assert_eq!(s.send(b"DELE 2\r\n"), "+OK message 2 deleted\r\n");
    assert_eq!(s.send(b"DELE 2\r\n"), "-ERR message 2 already deleted\r\n");
    // Deleted messages vanish from every listing and from STAT.
    assert_eq!(s.send(b"STAT\r\n"), "+OK 1 120\r\n");
    assert_eq!(
        s.send(b"LIST\r\n"),
        "+OK 1 message (120 octets)\r\n1 120\r\n.\r\n"
    );
    assert_eq!(s.send(b"LIST 2\r\n"), "-ERR no such message\r\n");
    assert_eq!(s.send(b"UIDL 2\r\n"), "-ERR no such message\r\n");
    assert_eq!(s.send(b"RETR 2\r\n"), "-ERR no such message\r\n");
    assert_eq!(s.send(b"TOP 2 1\r\n"), "-ERR no such message\r\n");
    assert_eq!(
        s.send(b"UIDL\r\n"),
        "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n"
    );
    assert_eq!(
        s.send(b"RSET\r\n"),
        "+OK maildrop has 2 messages (320 octets)\r\n"
    );
    assert_eq!(s.send(b"STAT\r\n"), "+OK 2 320\r\n");
    assert_eq!(s.send(b"NOOP\r\n"), "+OK\r\n");
    assert_eq!(s.send(b"TOP 100 3\r\n"), "-ERR no such message\r\n");
    assert_eq!(s.send(b"RETR 0\r\n"), "-ERR no such message\r\n");
    assert_eq!(
        s.send(b"QUIT\r\n"),
        "+OK pop.example.org POP3 server signing off (2 messages left)\r\n"
    );
    assert_eq!(s.app.updates, [Vec::<u32>::new()]);
    // None of those answers counted as a protocol error.
    assert!(
        !s.app
            .events
            .iter()
            .any(|e| matches!(e, Event::ProtocolError(_)))
    );
}

/// RFC 2449 section 5: the CAPA example, as far as this server offers the
/// same things (no KERBEROS_V4, and AUTH-RESP-CODE turned off).
#[test]
fn rfc2449_capa_example() {
    let mut config = plain_config("pop.example.org");
    config.sasl = vec![Mechanism::CramMd5];
    config.login_delay = Some(900);
    config.expire = Some("60".into());
    config.implementation = Some("Shlemazle-Plotz-v302".into());
    config.auth_resp_code = false;
    let mut s = Session::new(config, App::new(vec![message(50, "x")]));
    s.start(Some("1.2"));
    assert_eq!(
        s.send(b"CAPA\r\n"),
        "+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL CRAM-MD5\r\nRESP-CODES\r\n\
         LOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60\r\nUIDL\r\n\
         IMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n"
    );
    // After login: no USER or SASL (RFC 2449 section 5: capabilities may
    // change with the state).
    s.send(b"USER joe\r\nPASS secret\r\n");
    assert!(s.server.is_authenticated());
    assert_eq!(
        s.send(b"CAPA\r\n"),
        "+OK Capability list follows\r\nTOP\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\n\
         PIPELINING\r\nEXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n"
    );
}

fn sasl_config() -> ServerConfig {
    let mut config = plain_config("pop.example.org");
    config.sasl = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::XOAuth2,
        Mechanism::CramMd5,
    ];
    config
}

fn auth_credentials(events: &[Event]) -> Vec<Credentials> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Auth(request) => Some(request.credentials.clone()),
            _ => None,
        })
        .collect()
}

/// RFC 5034 section 6: AUTH PLAIN with the continuation, then with an
/// initial response.
#[test]
fn rfc5034_auth_plain_examples() {
    let mut app = App::new(vec![]);
    app.password = "test".into();
    let mut s = Session::new(sasl_config(), app);
    s.start(None);
    assert_eq!(s.send(b"AUTH PLAIN\r\n"), "+ \r\n");
    assert_eq!(
        s.send(b"dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        "+OK test's maildrop has 0 messages (0 octets)\r\n"
    );
    let creds = auth_credentials(&s.app.events);
    let [
        Credentials::Password {
            authzid,
            username,
            password,
        },
    ] = &creds[..]
    else {
        panic!("{creds:?}");
    };
    assert_eq!(
        (authzid.as_deref(), username.as_str(), password.expose()),
        (Some("test"), "test", "test")
    );

    let mut app = App::new(vec![]);
    app.password = "test".into();
    let mut s = Session::new(sasl_config(), app);
    s.start(None);
    assert_eq!(
        s.send(b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        "+OK test's maildrop has 0 messages (0 octets)\r\n"
    );
    assert!(s.server.is_authenticated());
}

/// RFC 5034 section 4: the client cancels with `*`; `=` is an empty
/// initial response (which PLAIN cannot use).
#[test]
fn rfc5034_cancel_and_empty_initial_response() {
    let mut s = Session::new(sasl_config(), App::new(vec![]));
    s.start(None);
    assert_eq!(
        s.send(b"AUTH PLAIN\r\n*\r\n"),
        "+ \r\n-ERR authentication cancelled\r\n"
    );
    assert!(
        s.app
            .events
            .contains(&Event::ProtocolError(ProtocolError::Auth(
                AuthFailure::Cancelled
            )))
    );
    assert_eq!(
        s.send(b"AUTH PLAIN =\r\n"),
        "-ERR malformed authentication response\r\n"
    );
    assert_eq!(
        s.send(b"AUTH PLAIN\r\n!!!!\r\n"),
        "+ \r\n-ERR malformed authentication response\r\n"
    );
    assert!(!s.server.is_authenticated());
    // The session goes on.
    assert_eq!(
        s.send(b"AUTH FOO\r\n"),
        "-ERR unsupported authentication mechanism\r\n"
    );
    assert_eq!(
        s.send(b"AUTH\r\n"),
        "+OK\r\nPLAIN\r\nLOGIN\r\nXOAUTH2\r\n.\r\n"
    );
}

/// LOGIN (two continuations) and CRAM-MD5 with the RFC 2195 section 2
/// example challenge and response.
#[test]
fn auth_login_and_cram_md5() {
    let mut s = Session::new(sasl_config(), App::new(vec![]));
    s.start(None);
    assert_eq!(s.send(b"AUTH LOGIN\r\n"), "+ VXNlcm5hbWU6\r\n");
    assert_eq!(s.send(b"am9l\r\n"), "+ UGFzc3dvcmQ6\r\n");
    assert_eq!(
        s.send(b"c2VjcmV0\r\n"),
        "+OK joe's maildrop has 0 messages (0 octets)\r\n"
    );

    let mut config = sasl_config();
    config.hostname = "postoffice.reston.mci.net".into();
    let mut app = App::new(vec![]);
    app.password = "tanstaaftanstaaf".into();
    let mut s = Session::new(config, app);
    s.start(Some("1896.697170952"));
    let challenge = sasl::encode_base64(b"<1896.697170952@postoffice.reston.mci.net>");
    assert_eq!(s.send(b"AUTH CRAM-MD5\r\n"), format!("+ {challenge}\r\n"));
    let response = sasl::encode_base64(b"tim b913a602c7eda7a495b4e6e7334d3890");
    assert_eq!(
        s.send(format!("{response}\r\n").as_bytes()),
        "+OK tim's maildrop has 0 messages (0 octets)\r\n"
    );
}

#[test]
fn plaintext_needs_tls_by_default() {
    let mut config = ServerConfig::new("pop.example.org");
    config.apop = true;
    config.sasl = vec![Mechanism::Plain, Mechanism::CramMd5];
    let mut s = Session::new(config, App::new(vec![]));
    s.start(Some("42.1"));
    let capa = s.send(b"CAPA\r\n");
    assert!(!capa.contains("\r\nUSER\r\n"), "{capa}");
    assert!(capa.contains("\r\nSASL CRAM-MD5\r\n"), "{capa}");
    assert_eq!(
        s.send(b"USER joe\r\n"),
        "-ERR [AUTH] Plaintext authentication disallowed without TLS\r\n"
    );
    assert_eq!(
        s.send(b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        "-ERR [AUTH] Plaintext authentication disallowed without TLS\r\n"
    );
    // APOP does not send the secret.
    let digest = apop_digest("<42.1@pop.example.org>", "secret");
    assert_eq!(
        s.send(format!("APOP joe {digest}\r\n").as_bytes()),
        "+OK joe's maildrop has 0 messages (0 octets)\r\n"
    );
}

#[test]
fn login_refusals_and_failure_limit() {
    let mut config = plain_config("pop.example.org");
    config.apop = true;
    config.limits.max_auth_failures = 2;
    let mut s = Session::new(config, App::new(vec![]));
    let greeting = s.start(Some("7.7"));
    assert_eq!(greeting, "+OK POP3 server ready <7.7@pop.example.org>\r\n");
    assert_eq!(s.send(b"PASS secret\r\n"), "-ERR send USER first\r\n");
    assert_eq!(
        s.send(b"USER joe\r\nPASS wrong\r\n"),
        "+OK send PASS\r\n-ERR [AUTH] invalid credentials\r\n"
    );
    assert!(!s.server.is_closed());
    assert_eq!(
        s.send(b"APOP joe 00000000000000000000000000000000\r\n"),
        "-ERR [AUTH] invalid credentials\r\n"
    );
    assert!(s.server.is_closed());
    assert_eq!(
        s.app.events.last(),
        Some(&Event::Closed(CloseReason::TooManyAuthFailures))
    );
}

/// A `[IN-USE]` refusal goes out as the application wrote it.
#[test]
fn reject_login_with_codes() {
    use std::sync::Arc;
    use std::time::Instant;

    let now = Instant::now();
    let mut server =
        mailwire_pop3::server::Server::new(Arc::new(plain_config("pop.example.org")), now);
    let mut out = bytes::BytesMut::new();
    let _ = server.handle_input(now, b"USER joe\r\nPASS x\r\nSTAT\r\n");
    assert!(matches!(server.poll_event(), Some(Event::Login(_))));
    // Nothing after PASS is answered until the decision.
    let _ = server.poll_output(&mut out);
    assert_eq!(&out[..], b"+OK POP3 server ready\r\n+OK send PASS\r\n");
    out.clear();
    server
        .reject_login(Response::err_with(ResponseCode::InUse, "maildrop locked"))
        .unwrap();
    assert!(server.accept_login(Maildrop::default()).is_err());
    let _ = server.poll_output(&mut out);
    assert_eq!(
        &out[..],
        b"-ERR [IN-USE] maildrop locked\r\n-ERR command not valid before login\r\n"
    );
}

#[test]
fn deletions_only_reported_after_quit() {
    let msgs = vec![message(30, "a"), message(40, "b"), message(50, "c")];

    // RSET restores: QUIT reports nothing deleted.
    let mut s = Session::new(plain_config("h"), App::new(msgs.clone()));
    s.start(None);
    s.send(b"USER u\r\nPASS secret\r\nDELE 1\r\nDELE 3\r\nRSET\r\nDELE 2\r\n");
    assert!(s.app.updates.is_empty());
    assert!(s.server.is_deleted(2) && !s.server.is_deleted(1));
    s.send(b"QUIT\r\n");
    assert_eq!(s.app.updates, [vec![2]]);

    // The connection drops: the application stops driving the machine.
    let mut s = Session::new(plain_config("h"), App::new(msgs.clone()));
    s.start(None);
    s.send(b"USER u\r\nPASS secret\r\nDELE 1\r\n");
    drop(s.server);
    assert!(s.app.updates.is_empty());
    assert!(!s.app.events.iter().any(|e| matches!(e, Event::Update(_))));

    // The autologout timer: closed, nothing deleted (RFC 1939 section 3).
    let mut s = Session::new(plain_config("h"), App::new(msgs.clone()));
    s.start(None);
    s.send(b"USER u\r\nPASS secret\r\nDELE 1\r\n");
    // After the login decision the timer restarts with the next time
    // passed in.
    assert_eq!(s.server.poll_timeout(), Some(s.now));
    s.server.handle_timeout(s.now);
    let deadline = s.server.poll_timeout().unwrap();
    assert_eq!(deadline, s.now + Duration::from_secs(600));
    s.server.handle_timeout(deadline - Duration::from_secs(1));
    assert!(!s.server.is_closed());
    s.server.handle_timeout(deadline);
    s.app.drive(&mut s.server, &mut s.out);
    assert_eq!(s.take(), "-ERR autologout timer expired\r\n");
    assert!(s.server.is_closed());
    assert_eq!(
        s.app.events.last(),
        Some(&Event::Closed(CloseReason::Timeout))
    );
    assert!(s.app.updates.is_empty());
    // Input after closing is ignored, QUIT included.
    s.send(b"QUIT\r\n");
    assert!(s.app.updates.is_empty());

    // The application closes.
    let mut s = Session::new(plain_config("h"), App::new(msgs.clone()));
    s.start(None);
    s.send(b"USER u\r\nPASS secret\r\nDELE 1\r\n");
    s.server
        .close(Response::err_with(ResponseCode::SysTemp, "shutting down"));
    s.app.drive(&mut s.server, &mut s.out);
    assert_eq!(s.take(), "-ERR [SYS/TEMP] shutting down\r\n");
    assert!(s.app.updates.is_empty());

    // QUIT before login: no update at all.
    let mut s = Session::new(plain_config("h"), App::new(msgs));
    s.start(None);
    assert_eq!(s.send(b"QUIT\r\n"), "+OK h POP3 server signing off\r\n");
    assert!(s.server.is_closed());
    assert!(s.app.updates.is_empty());
}

#[test]
fn update_failure_and_decision_errors() {
    use std::sync::Arc;
    use std::time::Instant;

    let now = Instant::now();
    let mut server = mailwire_pop3::server::Server::new(Arc::new(plain_config("h")), now);
    let mut out = bytes::BytesMut::new();
    assert!(server.update_done().is_err());
    assert!(server.end_message().is_err());
    assert!(server.send_message(b"x").is_err());
    let _ = server.handle_input(now, b"USER u\r\nPASS p\r\n");
    let _ = server.poll_event();
    server
        .accept_login(Maildrop::new(vec![MessageInfo::new(3, "a").unwrap()]).unwrap())
        .unwrap();
    let _ = server.handle_input(now, b"DELE 1\r\nQUIT\r\nNOOP\r\n");
    assert_eq!(
        server.poll_event(),
        Some(Event::Update(mailwire_pop3::server::Update {
            deleted: vec![1]
        }))
    );
    // The client waits for the update: no timeout meanwhile.
    assert_eq!(server.poll_timeout(), None);
    assert!(!server.wants_input());
    server.update_failed().unwrap();
    assert!(server.is_closed());
    let _ = server.poll_output(&mut out);
    assert!(out.ends_with(
        b"+OK message 1 deleted\r\n-ERR [SYS/TEMP] some deleted messages not removed\r\n"
    ));
}

/// RFC 2595 section 4: input pipelined after STLS is discarded, never
/// taken as a command.
#[test]
fn stls_discards_pipelined_plaintext() {
    let mut config = ServerConfig::new("pop.example.org");
    config.stls = true;
    let mut s = Session::new(config, App::new(vec![message(20, "x")]));
    s.start(None);
    let capa = s.send(b"CAPA\r\n");
    assert!(capa.contains("\r\nSTLS\r\n") && !capa.contains("\r\nUSER\r\n"));
    // The test application completes the handshake at once.
    assert_eq!(
        s.send(b"STLS\r\nUSER evil\r\n"),
        "+OK Begin TLS negotiation\r\n"
    );
    assert!(s.server.is_tls());
    assert!(
        s.app
            .events
            .contains(&Event::ProtocolError(ProtocolError::InputAfterStls {
                discarded: 11
            }))
    );
    assert!(s.app.events.contains(&Event::StartTls));
    // USER evil was never processed: PASS finds no user.
    assert_eq!(s.send(b"PASS secret\r\n"), "-ERR send USER first\r\n");
    // After TLS: STLS gone, USER offered, STLS refused.
    let capa = s.send(b"CAPA\r\n");
    assert!(
        !capa.contains("STLS") && capa.contains("\r\nUSER\r\n"),
        "{capa}"
    );
    assert_eq!(s.send(b"STLS\r\n"), "-ERR TLS already active\r\n");
    s.send(b"USER u\r\nPASS secret\r\n");
    assert!(s.server.is_authenticated());
}

#[test]
fn stls_input_during_handshake_and_after_login() {
    use std::sync::Arc;
    use std::time::Instant;

    let mut config = plain_config("pop.example.org");
    config.stls = true;
    let now = Instant::now();
    let mut server = mailwire_pop3::server::Server::new(Arc::new(config.clone()), now);
    let _ = server.handle_input(now, b"STLS\r\n");
    assert_eq!(server.poll_event(), Some(Event::StartTls));
    assert!(!server.wants_input() && server.poll_timeout().is_none());
    // Bytes passed during the handshake are discarded.
    assert_eq!(server.handle_input(now, b"USER evil\r\n"), 11);
    assert_eq!(
        server.poll_event(),
        Some(Event::ProtocolError(ProtocolError::InputAfterStls {
            discarded: 11
        }))
    );
    server.tls_established().unwrap();
    assert!(server.tls_established().is_err());

    // STLS is an AUTHORIZATION command.
    let mut s = Session::new(config, App::new(vec![]));
    s.start(None);
    s.send(b"USER u\r\nPASS secret\r\n");
    assert_eq!(
        s.send(b"STLS\r\n"),
        "-ERR command not valid after login\r\n"
    );
}

#[test]
fn bad_command_limit() {
    let mut config = plain_config("h");
    config.limits.max_errors = 3;
    let mut s = Session::new(config, App::new(vec![]));
    s.start(None);
    assert_eq!(s.send(b"FOO\r\n"), "-ERR unknown command\r\n");
    assert_eq!(
        s.send(b"RETR x\r\n"),
        "-ERR syntax error, expected message number\r\n"
    );
    assert_eq!(
        s.send(b"NOOP\r\n"),
        "-ERR too many errors, closing connection\r\n"
    );
    assert!(s.server.is_closed());
    assert_eq!(
        s.app.events.last(),
        Some(&Event::Closed(CloseReason::TooManyErrors))
    );
}

#[test]
fn over_long_line_is_refused_and_skipped() {
    let mut s = Session::new(plain_config("h"), App::new(vec![]));
    s.start(None);
    let mut long = b"USER ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 400));
    long.extend_from_slice(b"\r\nCAPA\r\n");
    let out = s.send(&long);
    assert!(
        out.starts_with("-ERR command line too long\r\n+OK Capability list follows\r\n"),
        "{out}"
    );
    assert!(
        s.app
            .events
            .contains(&Event::ProtocolError(ProtocolError::LineTooLong))
    );
    // 255 octets with CRLF is within the limit (RFC 2449 section 4).
    let mut line = b"USER ".to_vec();
    line.extend(std::iter::repeat_n(b'y', 248));
    line.extend_from_slice(b"\r\n");
    assert_eq!(line.len(), 255);
    assert_eq!(s.send(&line), "+OK send PASS\r\n");
}

#[test]
fn commands_in_the_wrong_state() {
    let mut config = plain_config("h");
    config.limits.max_errors = 0;
    let mut s = Session::new(config, App::new(vec![message(20, "x")]));
    s.start(None);
    for cmd in [
        "STAT", "LIST", "RETR 1", "DELE 1", "RSET", "NOOP", "TOP 1 1", "UIDL",
    ] {
        assert_eq!(
            s.send(format!("{cmd}\r\n").as_bytes()),
            "-ERR command not valid before login\r\n",
            "{cmd}"
        );
    }
    s.send(b"USER u\r\nPASS secret\r\n");
    for cmd in [
        "USER u",
        "PASS p",
        "APOP u 0123456789abcdef0123456789abcdef",
        "AUTH PLAIN",
    ] {
        assert_eq!(
            s.send(format!("{cmd}\r\n").as_bytes()),
            "-ERR command not valid after login\r\n",
            "{cmd}"
        );
    }
    assert_eq!(s.send(b"LANG\r\n"), "-ERR LANG not supported\r\n");
    let bad = s
        .app
        .events
        .iter()
        .filter(|e| matches!(e, Event::ProtocolError(ProtocolError::BadState { .. })))
        .count();
    assert_eq!(bad, 8 + 4 + 1);
}

#[test]
fn utf8_command() {
    let mut config = plain_config("h");
    config.utf8 = true;
    let mut s = Session::new(config, App::new(vec![]));
    s.start(None);
    assert!(s.send(b"CAPA\r\n").contains("\r\nUTF8\r\n"));
    assert_eq!(s.send(b"UTF8\r\n"), "+OK UTF8 enabled\r\n");
    assert!(s.server.is_utf8());
    assert_eq!(
        s.send("USER jöe\r\nPASS secret\r\n".as_bytes()),
        "+OK send PASS\r\n+OK jöe's maildrop has 0 messages (0 octets)\r\n"
    );
    assert_eq!(
        s.send(b"UTF8\r\n"),
        "-ERR command not valid after login\r\n"
    );

    let mut s = Session::new(plain_config("h"), App::new(vec![]));
    s.start(None);
    assert_eq!(s.send(b"UTF8\r\n"), "-ERR UTF8 not supported\r\n");
}

fn top_session(msg: &[u8], chunk: usize) -> Session {
    let mut app = App::new(vec![msg.to_vec()]);
    app.chunk = chunk;
    let mut s = Session::new(plain_config("h"), app);
    s.start(None);
    s.send(b"USER u\r\nPASS secret\r\n");
    s
}

#[test]
fn top_counts_body_lines() {
    let msg = b"From: a\r\nSubject: b\r\n\r\nline 1\r\n.line 2\r\n\r\nline 4\r\n";
    for chunk in [1, 2, 3, 5, 100] {
        let mut s = top_session(msg, chunk);
        assert_eq!(
            s.send(b"TOP 1 0\r\n"),
            "+OK\r\nFrom: a\r\nSubject: b\r\n\r\n.\r\n",
            "chunk {chunk}"
        );
        assert_eq!(
            s.send(b"TOP 1 2\r\n"),
            "+OK\r\nFrom: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\n.\r\n"
        );
        // An empty body line counts as a line.
        assert_eq!(
            s.send(b"TOP 1 3\r\n"),
            "+OK\r\nFrom: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\n\r\n.\r\n"
        );
        assert_eq!(
            s.send(b"TOP 1 99\r\n"),
            "+OK\r\nFrom: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\n\r\nline 4\r\n.\r\n"
        );
        let retrieves: Vec<_> = s
            .app
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Retrieve(r) => Some(*r),
                _ => None,
            })
            .collect();
        assert_eq!(
            retrieves[0],
            Retrieve {
                msg: 1,
                top: Some(0),
                size: msg.len() as u64
            }
        );
    }
}

#[test]
fn top_with_bare_line_endings_and_no_body() {
    // Bare LF and bare CR line ends count as the CRLF they become.
    let msg = b"A: 1\nB: 2\r\rbody 1\rbody 2\nbody 3";
    for chunk in [1, 2, 4, 64] {
        let mut s = top_session(msg, chunk);
        assert_eq!(
            s.send(b"TOP 1 0\r\n"),
            "+OK\r\nA: 1\r\nB: 2\r\n\r\n.\r\n",
            "chunk {chunk}"
        );
        assert_eq!(
            s.send(b"TOP 1 1\r\n"),
            "+OK\r\nA: 1\r\nB: 2\r\n\r\nbody 1\r\n.\r\n"
        );
        // The last line without an ending gets a CRLF before the dot.
        assert_eq!(
            s.send(b"RETR 1\r\n"),
            format!(
                "+OK {} octets\r\nA: 1\r\nB: 2\r\n\r\nbody 1\r\nbody 2\r\nbody 3\r\n.\r\n",
                msg.len()
            )
        );
    }
    // A message that is all header: TOP sends it whole.
    let mut s = top_session(b"A: 1\r\nB: 2\r\n", 3);
    assert_eq!(s.send(b"TOP 1 0\r\n"), "+OK\r\nA: 1\r\nB: 2\r\n.\r\n");
}

#[test]
fn retr_dot_stuffs_lines_starting_with_a_period() {
    let msg = b"Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nmid.dle\r\n.";
    for chunk in [1, 3, 1000] {
        let mut s = top_session(msg, chunk);
        assert_eq!(
            s.send(b"RETR 1\r\n"),
            format!(
                "+OK {} octets\r\nSubject: dots\r\n\r\n..\r\n...\r\n..x\r\nmid.dle\r\n..\r\n.\r\n",
                msg.len()
            ),
            "chunk {chunk}"
        );
    }
}

#[test]
fn large_message_streams_with_bounded_output() {
    use std::sync::Arc;
    use std::time::Instant;

    let now = Instant::now();
    let mut server = mailwire_pop3::server::Server::new(Arc::new(plain_config("h")), now);
    let body: Vec<u8> = b"0123456789abcdef012345678901234567890123456789012345678901234567890\r\n"
        .repeat(16 * 1024);
    let _ = server.handle_input(now, b"USER u\r\nPASS p\r\nRETR 1\r\nNOOP\r\n");
    let _ = server.poll_event();
    server
        .accept_login(
            Maildrop::new(vec![MessageInfo::new(body.len() as u64, "big").unwrap()]).unwrap(),
        )
        .unwrap();
    assert!(matches!(server.poll_event(), Some(Event::Retrieve(_))));
    let mut sent = Vec::new();
    let mut rest = &body[..];
    let mut max_buffered = 0;
    while !rest.is_empty() {
        if server.wants_message_data() {
            let n = 4096.min(rest.len());
            server.send_message(&rest[..n]).unwrap();
            rest = &rest[n..];
            max_buffered = max_buffered.max(server.buffered_len());
        } else {
            let mut out = bytes::BytesMut::new();
            let _ = server.poll_output(&mut out);
            sent.extend_from_slice(&out);
        }
    }
    server.end_message().unwrap();
    let mut out = bytes::BytesMut::new();
    let _ = server.poll_output(&mut out);
    sent.extend_from_slice(&out);
    assert!(max_buffered < 16 * 1024 + 4096 + 64, "{max_buffered}");
    let head = format!(
        "+OK POP3 server ready\r\n+OK send PASS\r\n+OK u's maildrop has 1 message ({} octets)\r\n+OK {} octets\r\n",
        body.len(),
        body.len()
    );
    assert!(sent.starts_with(head.as_bytes()));
    assert!(sent.ends_with(b"\r\n.\r\n+OK\r\n"));
    assert_eq!(sent.len(), head.len() + body.len() + 3 + 5);
}

#[test]
fn reject_retrieve_before_and_after_data() {
    use std::sync::Arc;
    use std::time::Instant;

    let now = Instant::now();
    let mut server = mailwire_pop3::server::Server::new(Arc::new(plain_config("h")), now);
    let _ = server.handle_input(now, b"USER u\r\nPASS p\r\nRETR 1\r\n");
    let _ = server.poll_event();
    server
        .accept_login(Maildrop::new(vec![MessageInfo::new(10, "a").unwrap()]).unwrap())
        .unwrap();
    let _ = server.poll_event();
    server
        .reject_retrieve(Response::ok("wrong status"))
        .unwrap();
    assert!(server.reject_retrieve(Response::err("again")).is_err());
    let mut out = bytes::BytesMut::new();
    let _ = server.poll_output(&mut out);
    assert!(out.ends_with(b"-ERR [SYS/TEMP] message unavailable\r\n"));

    let _ = server.handle_input(now, b"RETR 1\r\n");
    assert!(matches!(server.poll_event(), Some(Event::Retrieve(_))));
    server.send_message(b"Subject: half").unwrap();
    server.reject_retrieve(Response::err("I/O error")).unwrap();
    assert!(server.is_closed());
    assert_eq!(
        server.poll_event(),
        Some(Event::Closed(CloseReason::RetrieveFailed))
    );
    out.clear();
    let _ = server.poll_output(&mut out);
    assert_eq!(&out[..], b"+OK 10 octets\r\nSubject: half");
}

#[test]
fn pipelined_batch_in_one_read() {
    let msgs = vec![message(25, "a"), message(35, "b")];
    let script: &[&[u8]] = &[
        b"CAPA\r\n",
        b"USER u\r\n",
        b"PASS secret\r\n",
        b"STAT\r\n",
        b"LIST\r\n",
        b"UIDL\r\n",
        b"RETR 1\r\n",
        b"TOP 2 0\r\n",
        b"DELE 1\r\n",
        b"LIST 1\r\n",
        b"QUIT\r\n",
    ];
    let mut one_by_one = Session::new(plain_config("h"), App::new(msgs.clone()));
    one_by_one.start(None);
    let mut expected = String::new();
    for line in script {
        expected.push_str(&one_by_one.send(line));
    }
    let mut batch = Session::new(plain_config("h"), App::new(msgs));
    batch.start(None);
    assert_eq!(batch.send(&script.concat()), expected);
    assert_eq!(batch.app.events, one_by_one.app.events);
    assert_eq!(batch.app.updates, [vec![1]]);
    assert!(batch.server.is_closed());
}

#[test]
fn maildrop_validates_unique_ids() {
    assert_eq!(
        MessageInfo::new(1, "").unwrap_err(),
        MaildropError::InvalidUniqueId
    );
    assert!(MessageInfo::new(1, "a".repeat(70)).is_ok());
    assert!(MessageInfo::new(1, "a".repeat(71)).is_err());
    assert!(MessageInfo::new(1, "tab\there").is_err());
    assert!(MessageInfo::new(1, "é").is_err());
    assert!(MessageInfo::new(1, "!~").is_ok());
}

#[test]
fn greeting_text_is_configurable_and_nonce_sanitized() {
    let mut config = plain_config("mail.example");
    config.greeting = "Hello".into();
    config.apop = true;
    let mut s = Session::new(config, App::new(vec![]));
    assert_eq!(
        s.start(Some("<12 3\r\n>")),
        "+OK Hello <123@mail.example>\r\n"
    );
    // Without a nonce, APOP is not offered.
    let mut config = plain_config("mail.example");
    config.apop = true;
    let mut s = Session::new(config, App::new(vec![]));
    assert_eq!(s.start(None), "+OK POP3 server ready\r\n");
    assert_eq!(
        s.send(b"APOP u 0123456789abcdef0123456789abcdef\r\n"),
        "-ERR APOP not available\r\n"
    );
}

/// The crate's client-side reader reads a whole server session: every
/// status line parses, every body unstuffs to the message as stored (line
/// endings made CRLF), cut for TOP.
#[test]
fn the_client_reader_reads_the_server_output() {
    use bytes::BytesMut;
    use mailwire_pop3::parse::{ResponseReader, ServerFrame};
    use mailwire_pop3::types::{Command, Status};

    let msgs = vec![
        b"Subject: a\n\n.one\n..two\nthree".to_vec(),
        b"Subject: b\r\n\r\n.\r\nend\r\n".to_vec(),
    ];
    let mut config = plain_config("h");
    config.sasl = vec![Mechanism::Plain];
    let mut s = Session::new(config, App::new(msgs));
    let mut output = s.start(None);
    let commands = [
        "CAPA",
        "AUTH",
        "AUTH PLAIN",
        "AGpvZQBzZWNyZXQ=",
        "STAT",
        "LIST",
        "UIDL",
        "RETR 1",
        "TOP 1 1",
        "RETR 2",
        "TOP 2 0",
        "RETR 3",
        "QUIT",
    ];
    let mut reader = ResponseReader::new();
    for command in commands {
        output.push_str(&s.send(format!("{command}\r\n").as_bytes()));
        // The SASL response line is not a command.
        if let Ok(parsed) = Command::parse(command.as_bytes()) {
            reader.expect(parsed.response_kind());
        }
    }
    let mut buf = BytesMut::from(output.as_bytes());
    let mut statuses = Vec::new();
    let mut bodies = Vec::new();
    let mut body = Vec::new();
    while let Some(frame) = reader.read(&mut buf).unwrap() {
        match frame {
            ServerFrame::Response(r) => statuses.push(r.status()),
            ServerFrame::Continuation(c) => assert_eq!(c.data(), ""),
            ServerFrame::Data(d) => body.extend_from_slice(&d),
            ServerFrame::End => bodies.push(std::mem::take(&mut body)),
            other => panic!("{other:?}"),
        }
    }
    assert!(buf.is_empty());
    assert_eq!(
        statuses.iter().filter(|s| **s == Status::Err).count(),
        1,
        "only RETR 3 fails"
    );
    let bodies: Vec<String> = bodies
        .into_iter()
        .map(|b| String::from_utf8(b).unwrap())
        .collect();
    // The sizes are the application's (here: as stored).
    assert_eq!(bodies[2], "1 28\r\n2 22\r\n");
    assert_eq!(bodies[3], "1 uid-0\r\n2 uid-1\r\n");
    assert_eq!(bodies[4], "Subject: a\r\n\r\n.one\r\n..two\r\nthree\r\n");
    assert_eq!(bodies[5], "Subject: a\r\n\r\n.one\r\n");
    assert_eq!(bodies[6], "Subject: b\r\n\r\n.\r\nend\r\n");
    assert_eq!(bodies[7], "Subject: b\r\n\r\n");
    assert_eq!(bodies.len(), 8);
}

#[test]
fn xoauth2_initial_response() {
    let mut config = sasl_config();
    config.plaintext_needs_tls = false;
    let mut s = Session::new(config, App::new(vec![]));
    s.start(None);
    let ir = sasl::encode_base64(b"user=joe\x01auth=Bearer secret\x01\x01");
    assert_eq!(
        s.send(format!("AUTH XOAUTH2 {ir}\r\n").as_bytes()),
        "+OK joe's maildrop has 0 messages (0 octets)\r\n"
    );
    assert!(matches!(
        &auth_credentials(&s.app.events)[..],
        [Credentials::Token { username, .. }] if username == "joe"
    ));
}

#[test]
fn input_back_pressure_while_a_decision_is_pending() {
    use std::sync::Arc;
    use std::time::Instant;

    let mut config = plain_config("h");
    config.limits.receive_buffer = 300;
    config.limits.max_sasl_line = 100;
    let now = Instant::now();
    let mut server = mailwire_pop3::server::Server::new(Arc::new(config), now);
    let mut input = b"USER u\r\nPASS p\r\n".to_vec();
    for _ in 0..100 {
        input.extend_from_slice(b"NOOP\r\n");
    }
    let taken = server.handle_input(now, &input);
    assert!(taken < input.len() && taken <= 16 + 300, "{taken}");
    assert!(!server.wants_input());
    assert!(matches!(server.poll_event(), Some(Event::Login(_))));
    assert_eq!(server.handle_input(now, &input[taken..]), 0);
    server.accept_login(Maildrop::default()).unwrap();
    // The decision let the server work through what it held.
    assert!(server.wants_input());
    let mut rest = &input[taken..];
    while !rest.is_empty() {
        let n = server.handle_input(now, rest);
        assert!(n > 0);
        rest = &rest[n..];
    }
    let mut out = bytes::BytesMut::new();
    let _ = server.poll_output(&mut out);
    let text = std::str::from_utf8(&out).unwrap();
    assert_eq!(text.split("\r\n").filter(|l| *l == "+OK").count(), 100);
    assert!(text.contains("(0 octets)\r\n+OK\r\n"));
}

#[test]
fn timeout_during_a_retrieval_sends_no_line() {
    use std::sync::Arc;
    use std::time::Instant;

    let now = Instant::now();
    let mut server = mailwire_pop3::server::Server::new(Arc::new(plain_config("h")), now);
    let _ = server.handle_input(now, b"USER u\r\nPASS p\r\nRETR 1\r\n");
    let _ = server.poll_event();
    server
        .accept_login(Maildrop::new(vec![MessageInfo::new(10, "a").unwrap()]).unwrap())
        .unwrap();
    let _ = server.poll_event();
    server.send_message(b"Subject:").unwrap();
    let mut out = bytes::BytesMut::new();
    let _ = server.poll_output(&mut out);
    out.clear();
    server.handle_timeout(now);
    server.handle_timeout(now + Duration::from_secs(600));
    assert!(server.is_closed());
    assert_eq!(server.poll_output(&mut out), 0);
    assert!(server.end_message().is_err());
}

#[test]
fn bare_line_endings_in_commands() {
    // The default takes a bare LF as a line end.
    let mut s = Session::new(plain_config("h"), App::new(vec![]));
    s.start(None);
    assert_eq!(
        s.send(b"USER u\nPASS secret\n"),
        "+OK send PASS\r\n+OK u's maildrop has 0 messages (0 octets)\r\n"
    );
    assert_eq!(
        s.send(b"NO\rOP\r\nSTAT\r\n"),
        "-ERR bare CR or LF in command line\r\n+OK 0 0\r\n"
    );

    let mut config = plain_config("h");
    config.bare_lf = mailwire_core::BarePolicy::Reject;
    let mut s = Session::new(config, App::new(vec![]));
    s.start(None);
    assert_eq!(
        s.send(b"USER u\nCAPA\r\n").lines().next(),
        Some("-ERR bare CR or LF in command line")
    );
    assert!(
        s.app
            .events
            .contains(&Event::ProtocolError(ProtocolError::BareLineEnding))
    );
}
