//! The RFC example sessions, replayed against the server. The server's
//! reply texts are its own; codes, enhanced codes, order and grouping are
//! those of each example.

mod server_harness;

use mailwire_smtp::server::{Event, Extensions, PipeliningPolicy, ServerConfig};
use mailwire_smtp::types::{EnhancedStatus, Mechanism, Reply, ReplyCode};
use server_harness::{Session, app_rejecting, transcript};

/// No extension at all: a server as RFC 5321 alone describes.
fn bare_extensions() -> Extensions {
    let mut ext = Extensions::default();
    ext.pipelining = false;
    ext.eight_bit_mime = false;
    ext.smtputf8 = false;
    ext.chunking = false;
    ext.binary_mime = false;
    ext.enhanced_status_codes = false;
    ext.size = false;
    ext
}

/// The server of RFC 5321 appendix D: `foo.com` offering 8BITMIME, SIZE,
/// DSN, without enhanced status codes.
fn appendix_d_config() -> ServerConfig {
    let mut config = ServerConfig::new("foo.com");
    config.greeting = "Simple Mail Transfer Service Ready".into();
    config.extensions = bare_extensions();
    config.extensions.eight_bit_mime = true;
    config.extensions.size = true;
    config.extensions.dsn = true;
    config
}

const D_EHLO: &str = "
    S: 250-foo.com Hello
    S: 250-SIZE 67108864
    S: 250-8BITMIME
    S: 250 DSN
";

/// RFC 5321 appendix D.1: a typical SMTP transaction.
#[test]
fn rfc5321_d1_typical_transaction() {
    let mut s = Session::with_app(appendix_d_config(), app_rejecting(&["Green@"]));
    transcript(
        &mut s,
        &format!(
            "S: 220 foo.com Simple Mail Transfer Service Ready
             C: EHLO bar.com
             {D_EHLO}
             C: MAIL FROM:<Smith@bar.com>
             S: 250 Sender OK
             C: RCPT TO:<Jones@foo.com>
             S: 250 Recipient OK
             C: RCPT TO:<Green@foo.com>
             S: 550 No such user here
             C: RCPT TO:<Brown@foo.com>
             S: 250 Recipient OK
             C: DATA
             S: 354 End data with <CR><LF>.<CR><LF>
             C: Blah blah blah...
             C: ...etc. etc. etc.
             C: .
             S: 250 Message accepted
             C: QUIT
             S: 221 foo.com closing connection"
        ),
    );
    // The client did not stuff the leading period: one is removed.
    assert_eq!(s.data, b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
    assert!(s.server.is_closed());
    assert!(s.saw("Closed(Quit)"));
}

/// RFC 5321 appendix D.2: the relay's side of a relayed message.
#[test]
fn rfc5321_d2_relayed_mail() {
    let mut s = Session::new(appendix_d_config());
    transcript(
        &mut s,
        &format!(
            "S: 220 foo.com Simple Mail Transfer Service Ready
             C: EHLO bar.com
             {D_EHLO}
             C: MAIL FROM:<JQP@bar.com>
             S: 250 Sender OK
             C: RCPT TO:<@foo.com:Jones@XYZ.COM>
             S: 250 Recipient OK
             C: DATA
             S: 354 End data with <CR><LF>.<CR><LF>
             C: Date: Thu, 21 May 1998 05:33:29 -0700
             C: From: John Q. Public <JQP@bar.com>
             C: Subject: The Next Meeting of the Board
             C: To: Jones@xyz.com
             C:
             C: Bill:
             C: The next meeting of the board of directors will be
             C: on Tuesday.
             C: John.
             C: .
             S: 250 Message accepted
             C: QUIT
             S: 221 foo.com closing connection"
        ),
    );
    assert!(
        s.data
            .starts_with(b"Date: Thu, 21 May 1998 05:33:29 -0700\r\n")
    );
    assert!(s.data.ends_with(b"\r\n\r\nBill:\r\nThe next meeting of the board of directors will be\r\non Tuesday.\r\nJohn.\r\n"));
    // The source route is accepted and ignored (RFC 5321 section 4.1.2).
    assert!(
        s.events
            .iter()
            .any(|e| e.contains("RCPT TO:<@foo.com:Jones@XYZ.COM>"))
    );
}

/// RFC 5321 appendix D.4: an aborted transaction.
#[test]
fn rfc5321_d4_aborted_transaction() {
    let mut s = Session::with_app(appendix_d_config(), app_rejecting(&["Green@"]));
    transcript(
        &mut s,
        &format!(
            "S: 220 foo.com Simple Mail Transfer Service Ready
             C: EHLO bar.com
             {D_EHLO}
             C: MAIL FROM:<Smith@bar.com>
             S: 250 Sender OK
             C: RCPT TO:<Jones@foo.com>
             S: 250 Recipient OK
             C: RCPT TO:<Green@foo.com>
             S: 550 No such user here
             C: RSET
             S: 250 OK
             C: QUIT
             S: 221 foo.com closing connection"
        ),
    );
    assert!(s.saw("TransactionAborted(Reset)"));
}

fn innosoft() -> ServerConfig {
    let mut config = ServerConfig::new("innosoft.com");
    config.greeting = "SMTP service ready".into();
    config.extensions = bare_extensions();
    config.extensions.pipelining = true;
    config
}

/// RFC 2920 section 3.2: a pipelined transaction, the end of data and
/// QUIT in one write.
#[test]
fn rfc2920_pipelined_transaction() {
    let mut s = Session::new(innosoft());
    transcript(
        &mut s,
        "S: 220 innosoft.com SMTP service ready
         C: EHLO dbc.mtview.ca.us
         S: 250-innosoft.com Hello
         S: 250 PIPELINING
         C: MAIL FROM:<mrose@dbc.mtview.ca.us>
         C: RCPT TO:<ned@innosoft.com>
         C: RCPT TO:<dan@innosoft.com>
         C: RCPT TO:<kvc@innosoft.com>
         C: DATA
         S: 250 Sender OK
         S: 250 Recipient OK
         S: 250 Recipient OK
         S: 250 Recipient OK
         S: 354 End data with <CR><LF>.<CR><LF>
         C: Hi all,
         C: .
         C: QUIT
         S: 250 Message accepted
         S: 221 innosoft.com closing connection",
    );
    assert_eq!(s.data, b"Hi all,\r\n");
    assert!(!s.saw("Pipelining"), "{:?}", s.events);
}

/// RFC 2920 section 3.2, with refused recipients: replies in command
/// order, and `554` for DATA when none was accepted.
#[test]
fn rfc2920_pipelined_refusals() {
    let mut s = Session::with_app(innosoft(), app_rejecting(&["ned@", "dan@"]));
    transcript(
        &mut s,
        "S: 220 innosoft.com SMTP service ready
         C: EHLO dbc.mtview.ca.us
         S: 250-innosoft.com Hello
         S: 250 PIPELINING
         C: MAIL FROM:<mrose@dbc.mtview.ca.us>
         C: RCPT TO:<ned@innosoft.com>
         C: RCPT TO:<dan@innosoft.com>
         C: DATA
         S: 250 Sender OK
         S: 550 No such user here
         S: 550 No such user here
         S: 554 Error: no valid recipients
         C: QUIT
         S: 221 innosoft.com closing connection",
    );
}

fn chunking_config() -> ServerConfig {
    let mut config = ServerConfig::new("cnri.reston.va.us");
    config.greeting = "SMTP service ready".into();
    config.extensions = bare_extensions();
    config.extensions.chunking = true;
    config
}

/// RFC 3030 section 4.1: a simple chunked message.
#[test]
fn rfc3030_simple_chunking() {
    let mut s = Session::new(chunking_config());
    transcript(
        &mut s,
        "S: 220 cnri.reston.va.us SMTP service ready
         C: EHLO ymir.claremont.edu
         S: 250-cnri.reston.va.us Hello
         S: 250 CHUNKING
         C: MAIL FROM:<Sam@Random.com>
         S: 250 Sender OK
         C: RCPT TO:<Susan@Random.com>
         S: 250 Recipient OK
         C: BDAT 86 LAST
         C: To: Susan@random.com
         C: From: Sam@random.com
         C: Subject: This is a bodyless test message
         S: 250 Message accepted
         C: QUIT
         S: 221 cnri.reston.va.us closing connection",
    );
    assert_eq!(s.data.len(), 86);
    assert!(s.saw("MessageEnd(MessageEnd { size: 86, recipients: 1, chunked: true })"));
}

/// RFC 3030 section 4.2: pipelined BINARYMIME chunks.
#[test]
fn rfc3030_pipelined_binarymime() {
    let mut config = chunking_config();
    config.extensions.pipelining = true;
    config.extensions.binary_mime = true;
    let mut s = Session::new(config);
    transcript(
        &mut s,
        "S: 220 cnri.reston.va.us SMTP service ready
         C: EHLO ymir.claremont.edu
         S: 250-cnri.reston.va.us Hello
         S: 250-PIPELINING
         S: 250-BINARYMIME
         S: 250 CHUNKING",
    );
    let mut client = b"MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME\r\n\
        RCPT TO:<gvaudre@cnri.reston.va.us>\r\nBDAT 100000\r\n"
        .to_vec();
    // Binary data, CR LF and dots included.
    let binary: Vec<u8> = (0..100_324u32).map(|i| (i * 7 % 256) as u8).collect();
    client.extend_from_slice(&binary[..100_000]);
    client.extend_from_slice(b"BDAT 324 LAST\r\n");
    client.extend_from_slice(&binary[100_000..]);
    s.feed(&client);
    assert_eq!(
        s.take_output(),
        "250 Sender OK\r\n250 Recipient OK\r\n250 100000 octets received\r\n250 Message accepted\r\n"
    );
    assert_eq!(s.data, binary);
    transcript(
        &mut s,
        "C: QUIT\nS: 221 cnri.reston.va.us closing connection",
    );
}

fn auth_config(host: &str) -> ServerConfig {
    let mut config = ServerConfig::new(host);
    config.greeting = "ESMTP Server".into();
    config.extensions = bare_extensions();
    config.extensions.enhanced_status_codes = true;
    config.extensions.starttls = true;
    config.auth_mechanisms = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::XOAuth2,
    ];
    config
}

/// RFC 4954 section 8 with RFC 3207: STARTTLS, then AUTH PLAIN with an
/// initial response.
#[test]
fn rfc4954_starttls_then_auth_plain() {
    let mut s = Session::new(auth_config("smtp.example.com"));
    transcript(
        &mut s,
        "S: 220 smtp.example.com ESMTP Server
         C: EHLO client.example.com
         S: 250-smtp.example.com Hello
         S: 250-STARTTLS
         S: 250 ENHANCEDSTATUSCODES
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         S: 538 5.7.11 Encryption required for requested authentication mechanism
         C: STARTTLS
         S: 220 2.0.0 Ready to start TLS
         C: EHLO client.example.com
         S: 250-smtp.example.com Hello
         S: 250-ENHANCEDSTATUSCODES
         S: 250 AUTH PLAIN LOGIN XOAUTH2
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         S: 235 2.7.0 Authentication successful
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         S: 503 5.5.1 Error: already authenticated",
    );
    assert!(s.server.is_tls() && s.server.is_authenticated());
    let auth = s.events.iter().find(|e| e.starts_with("Auth(")).unwrap();
    assert!(
        auth.contains("authzid: Some(\"test\"), username: \"test\""),
        "{auth}"
    );
    assert!(!auth.contains("1234"), "password in Debug: {auth}");
}

fn tls_auth_session(host: &str) -> Session {
    let mut config = auth_config(host);
    config.implicit_tls = true;
    let mut s = Session::new(config);
    s.server.set_cram_md5_nonce("1896.697170952");
    s.take_output();
    assert!(
        s.exchange("EHLO client.example.com\r\n")
            .ends_with("250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n")
    );
    s
}

/// RFC 4954 section 4: PLAIN without an initial response (an empty 334),
/// a failure, then success.
#[test]
fn rfc4954_auth_plain_challenge() {
    let mut s = tls_auth_session("smtp.example.com");
    transcript(
        &mut s,
        "C: AUTH PLAIN
         S: 334 \n\
         C: dGVzdAB0ZXN0AHdyb25n
         S: 535 5.7.8 Authentication credentials invalid
         C: AUTH PLAIN
         S: 334 \n\
         C: dGVzdAB0ZXN0ADEyMzQ=
         S: 235 2.7.0 Authentication successful
         C: MAIL FROM:<test@example.com>
         S: 250 2.1.0 Sender OK",
    );
    assert!(s.saw("Auth(Refused)"));
}

/// LOGIN: user name and password prompts.
#[test]
fn auth_login() {
    let mut s = tls_auth_session("smtp.example.com");
    transcript(
        &mut s,
        "C: AUTH LOGIN
         S: 334 VXNlcm5hbWU6
         C: dGlt
         S: 334 UGFzc3dvcmQ6
         C: dGFuc3RhYWZ0YW5zdGFhZg==
         S: 235 2.7.0 Authentication successful",
    );
    // With the user name as initial response.
    let mut s = tls_auth_session("smtp.example.com");
    transcript(
        &mut s,
        "C: AUTH LOGIN dGlt
         S: 334 UGFzc3dvcmQ6
         C: dGFuc3RhYWZ0YW5zdGFhZg==
         S: 235 2.7.0 Authentication successful",
    );
}

/// RFC 2195 section 2: the CRAM-MD5 example exchange.
#[test]
fn rfc2195_cram_md5() {
    let mut s = tls_auth_session("postoffice.reston.mci.net");
    transcript(
        &mut s,
        "C: AUTH CRAM-MD5
         S: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
         C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
         S: 235 2.7.0 Authentication successful",
    );
    let auth = s.events.iter().find(|e| e.starts_with("Auth(")).unwrap();
    assert!(
        auth.contains("username: \"tim\"") && auth.contains("<redacted>"),
        "{auth}"
    );
}

/// XOAUTH2 with an initial response.
#[test]
fn auth_xoauth2() {
    let mut s = tls_auth_session("smtp.example.com");
    let ir = mailwire_smtp::sasl::encode_base64(
        b"user=joe@example.com\x01auth=Bearer ya29.token\x01\x01",
    );
    transcript(
        &mut s,
        &format!(
            "C: AUTH XOAUTH2 {ir}
             S: 235 2.7.0 Authentication successful"
        ),
    );
    assert!(s.saw("Token { username: \"joe@example.com\", token: <redacted> }"));
}

/// RFC 4954 section 4: `*` cancels (501), undecodable base64 (501 5.5.2),
/// unknown mechanism (504), AUTH before EHLO (503).
#[test]
fn rfc4954_auth_errors() {
    let mut s = tls_auth_session("smtp.example.com");
    transcript(
        &mut s,
        "C: AUTH PLAIN
         S: 334 \n\
         C: *
         S: 501 5.0.0 Authentication cancelled
         C: AUTH PLAIN !!!!
         S: 501 5.5.4 Error: syntax error, expected base64 or '=' at byte 11
         C: AUTH LOGIN
         S: 334 VXNlcm5hbWU6
         C: not base64!
         S: 501 5.5.2 Error: malformed authentication response
         C: AUTH PLAIN =
         S: 501 5.5.2 Error: malformed authentication response
         C: AUTH GSSAPI
         S: 504 5.5.4 Error: unrecognized authentication type
         C: AUTH CRAM-MD5 dGlt
         S: 501 5.5.2 Error: CRAM-MD5 takes no initial response",
    );
    assert!(s.saw("Auth(Cancelled)"));
    let mut s = Session::new(auth_config("smtp.example.com"));
    s.take_output();
    assert_eq!(
        s.exchange("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n"),
        "503 5.5.1 Error: send EHLO first\r\n"
    );
}

/// A submission server: MAIL needs AUTH.
#[test]
fn auth_required_for_mail() {
    let mut config = auth_config("smtp.example.com");
    config.implicit_tls = true;
    config.auth_required = true;
    let mut s = Session::new(config);
    s.take_output();
    s.exchange("EHLO client.example.com\r\n");
    transcript(
        &mut s,
        "C: MAIL FROM:<test@example.com>
         S: 530 5.7.0 Error: authentication required
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         S: 235 2.7.0 Authentication successful
         C: MAIL FROM:<test@example.com>
         S: 250 2.1.0 Sender OK",
    );
}

/// RFC 2033 section 4.2: LMTP, one reply per accepted recipient after the
/// data.
#[test]
fn rfc2033_lmtp_per_recipient_replies() {
    let mut config = ServerConfig::lmtp("foo.edu");
    config.greeting = "LMTP server ready".into();
    config.extensions = bare_extensions();
    config.extensions.pipelining = true;
    config.extensions.size = true;
    let mut inner = app_rejecting(&["jones@"]);
    let app = Box::new(
        move |server: &mut mailwire_smtp::server::Server, event: &Event| match event {
            Event::MessageEnd(end) => {
                assert_eq!(end.recipients, 2);
                // Decided out of order: the replies still go out in order.
                server
                    .reject_message_for(
                        1,
                        Reply::new(
                            ReplyCode::INSUFFICIENT_STORAGE,
                            EnhancedStatus::new(4, 2, 2),
                            "<green@foo.edu> is temporarily over quota",
                        ),
                    )
                    .unwrap();
                assert!(server.accept_message_for(1).is_err());
                server.accept_message_for(0).unwrap();
            }
            _ => inner(server, event),
        },
    );
    let mut s = Session::with_app(config, app);
    transcript(
        &mut s,
        "S: 220 foo.edu LMTP server ready
         C: LHLO foo.edu
         S: 250-foo.edu Hello
         S: 250-SIZE 67108864
         S: 250 PIPELINING
         C: MAIL FROM:<chris@bar.com>
         S: 250 Sender OK
         C: RCPT TO:<pat@foo.edu>
         S: 250 Recipient OK
         C: RCPT TO:<jones@foo.edu>
         S: 550 No such user here
         C: RCPT TO:<green@foo.edu>
         S: 250 Recipient OK
         C: DATA
         S: 354 End data with <CR><LF>.<CR><LF>
         C: Blah blah blah...
         C: ...etc. etc. etc.
         C: .
         S: 250 Delivered
         S: 452 <green@foo.edu> is temporarily over quota
         C: EHLO foo.edu
         S: 500 Error: this is LMTP, send LHLO
         C: QUIT
         S: 221 foo.edu closing connection",
    );
}

/// RFC 3207 section 4: STARTTLS, and no STARTTLS offered after it.
#[test]
fn rfc3207_starttls() {
    let mut config = ServerConfig::new("mail.imc.org");
    config.greeting = "SMTP service ready".into();
    config.extensions = bare_extensions();
    config.extensions.eight_bit_mime = true;
    config.extensions.starttls = true;
    config.extensions.dsn = true;
    let mut s = Session::new(config);
    transcript(
        &mut s,
        "S: 220 mail.imc.org SMTP service ready
         C: EHLO mail.example.com
         S: 250-mail.imc.org Hello
         S: 250-8BITMIME
         S: 250-STARTTLS
         S: 250 DSN
         C: STARTTLS
         S: 220 Ready to start TLS
         C: MAIL FROM:<a@example.com>
         S: 503 Error: send HELO/EHLO first
         C: EHLO mail.example.com
         S: 250-mail.imc.org Hello
         S: 250-8BITMIME
         S: 250 DSN
         C: STARTTLS
         S: 503 Error: TLS already active",
    );
    assert!(s.saw("StartTls"));
}

/// The policy is read at each command: Reject answers 503 5.5.0.
#[test]
fn pipelining_policy_reject_answers_503() {
    let mut config = innosoft();
    config.pipelining = PipeliningPolicy::Reject;
    config.extensions.enhanced_status_codes = true;
    let mut s = Session::new(config);
    transcript(
        &mut s,
        "S: 220 innosoft.com SMTP service ready
         C: EHLO dbc.mtview.ca.us
         C: MAIL FROM:<mrose@dbc.mtview.ca.us>
         S: 503 5.5.0 Improper use of SMTP command pipelining
         S: 503 5.5.1 Error: send HELO/EHLO first",
    );
    assert!(s.saw("Pipelining { after: \"EHLO\" }"));
    assert!(!s.server.is_closed());
}
