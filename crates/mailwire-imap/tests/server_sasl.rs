//! AUTHENTICATE CRAM-MD5 (RFC 2195) and XOAUTH2 in the sans-IO server:
//! RFC exchanges, the credentials the application gets to check,
//! refusals, TLS rules and split-at-every-offset invariance.

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use mailwire_core::sasl;
use mailwire_imap::server::{Credentials, Event, Mechanism, Server, ServerConfig, State};
use mailwire_imap::types::{Atom, Code, StatusKind};

fn config(mechanisms: &[Mechanism]) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sasl = mechanisms.to_vec();
    config.hostname = "postoffice.reston.mci.net".into();
    config
}

fn start(config: ServerConfig) -> (Server, Instant) {
    let now = Instant::now();
    let mut server = Server::new(Arc::new(config), now);
    let _ = out(&mut server);
    (server, now)
}

fn out(server: &mut Server) -> String {
    let mut buf = BytesMut::new();
    let _ = server.poll_output(&mut buf);
    String::from_utf8(buf.to_vec()).unwrap()
}

fn send(server: &mut Server, now: Instant, input: &str) {
    assert_eq!(server.handle_input(now, input.as_bytes()), input.len());
}

/// The challenge of a `+ base64` line.
fn challenge(line: &str) -> String {
    let b64 = line.strip_prefix("+ ").unwrap().trim_end();
    String::from_utf8(sasl::decode_base64(b64.as_bytes()).unwrap()).unwrap()
}

/// RFC 2195 section 2: the server's challenge is `<nonce@hostname>`,
/// the client answers `user digest`; the application checks the digest
/// with the stored secret and logs the user in.
#[test]
fn cram_md5_rfc2195_exchange() {
    let (mut server, now) = start(config(&[Mechanism::Plain, Mechanism::CramMd5]));
    server.set_nonce("1896.697170952");
    assert!(
        server
            .capabilities()
            .contains("AUTH=PLAIN AUTH=CRAM-MD5 SASL-IR")
    );
    send(&mut server, now, "a1 AUTHENTICATE CRAM-MD5\r\n");
    let line = out(&mut server);
    assert_eq!(
        line,
        "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"
    );
    assert_eq!(
        challenge(&line),
        "<1896.697170952@postoffice.reston.mci.net>"
    );
    // "tim b913a602c7eda7a495b4e6e7334d3890" in base64, from the RFC.
    send(
        &mut server,
        now,
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n",
    );
    let Some(Event::Authenticate {
        id,
        mechanism,
        credentials,
    }) = server.poll_event()
    else {
        panic!("no event")
    };
    assert_eq!(mechanism, Mechanism::CramMd5);
    let Credentials::CramMd5(response) = credentials else {
        panic!("{credentials:?}")
    };
    assert_eq!(response.username(), "tim");
    assert_eq!(
        response.challenge(),
        "<1896.697170952@postoffice.reston.mci.net>"
    );
    assert!(response.verify(b"tanstaaftanstaaf"));
    assert!(!response.verify(b"tanstaaf"));
    server
        .complete(
            id,
            StatusKind::Ok,
            None,
            "CRAM-MD5 authentication successful",
        )
        .unwrap();
    assert_eq!(
        out(&mut server),
        "a1 OK CRAM-MD5 authentication successful\r\n"
    );
    assert_eq!(server.state(), State::Authenticated);
}

/// A wrong digest: the application refuses, the user stays logged out
/// and may try again.
#[test]
fn cram_md5_wrong_digest_refused() {
    let (mut server, now) = start(config(&[Mechanism::CramMd5]));
    server.set_nonce("42.17@mail.example.org");
    send(&mut server, now, "a1 AUTHENTICATE CRAM-MD5\r\n");
    let chal = challenge(&out(&mut server));
    assert_eq!(chal, "<42.17@mail.example.org>");
    let answer = sasl::cram_md5_response("tim", "guess", &chal);
    send(
        &mut server,
        now,
        &format!("{}\r\n", sasl::encode_base64(answer.as_bytes())),
    );
    let Some(Event::Authenticate {
        id,
        credentials: Credentials::CramMd5(response),
        ..
    }) = server.poll_event()
    else {
        panic!("no event")
    };
    assert!(!response.verify(b"tanstaaftanstaaf"));
    server
        .complete(
            id,
            StatusKind::No,
            Some(Code::Other {
                name: Atom::new("AUTHENTICATIONFAILED").unwrap(),
                text: None,
            }),
            "Authentication failed",
        )
        .unwrap();
    assert_eq!(
        out(&mut server),
        "a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n"
    );
    assert_eq!(server.state(), State::NotAuthenticated);
    send(&mut server, now, "a2 NOOP\r\n");
    assert_eq!(out(&mut server), "a2 OK NOOP completed\r\n");
}

/// Without a nonce CRAM-MD5 cannot run; with an initial response it is
/// malformed (the server speaks first); `*` cancels; garbage is BAD.
#[test]
fn cram_md5_refusals() {
    let (mut server, now) = start(config(&[Mechanism::CramMd5]));
    send(&mut server, now, "a1 AUTHENTICATE CRAM-MD5\r\n");
    assert_eq!(
        out(&mut server),
        "a1 NO [UNAVAILABLE] CRAM-MD5 is not available\r\n"
    );
    server.set_nonce("1.2");
    send(&mut server, now, "a2 AUTHENTICATE CRAM-MD5 dGlt\r\n");
    assert_eq!(
        out(&mut server),
        "a2 BAD CRAM-MD5 takes no initial response\r\n"
    );
    send(&mut server, now, "a3 AUTHENTICATE CRAM-MD5\r\n");
    let _ = out(&mut server);
    send(&mut server, now, "*\r\n");
    assert_eq!(out(&mut server), "a3 BAD AUTHENTICATE cancelled\r\n");
    send(&mut server, now, "a4 AUTHENTICATE CRAM-MD5\r\n");
    let _ = out(&mut server);
    // "tim 1234" in base64: no 32-digit digest.
    send(&mut server, now, "dGltIDEyMzQ=\r\n");
    assert_eq!(out(&mut server), "a4 BAD Invalid SASL response\r\n");
    assert!(server.poll_event().is_none());
    // A mechanism not configured.
    send(&mut server, now, "a5 AUTHENTICATE XOAUTH2\r\n");
    assert_eq!(
        out(&mut server),
        "a5 NO Unsupported authentication mechanism\r\n"
    );
}

/// RFC 3501 6.2.3 / RFC 9051 11.1: with `login_requires_tls`, plaintext
/// mechanisms (XOAUTH2 among them) wait for TLS; CRAM-MD5 sends no
/// secret and stays offered.
#[test]
fn tls_rules() {
    let mut cfg = config(&[Mechanism::Plain, Mechanism::XOAuth2, Mechanism::CramMd5]);
    cfg.login_requires_tls = true;
    cfg.starttls = true;
    let (mut server, now) = start(cfg);
    server.set_nonce("7.7");
    let caps = server.capabilities();
    assert!(
        caps.contains("LOGINDISABLED AUTH=CRAM-MD5 SASL-IR"),
        "{caps}"
    );
    assert!(!caps.contains("AUTH=XOAUTH2") && !caps.contains("AUTH=PLAIN"));
    send(&mut server, now, "a1 AUTHENTICATE XOAUTH2\r\n");
    assert_eq!(
        out(&mut server),
        "a1 NO [PRIVACYREQUIRED] Authentication needs TLS first\r\n"
    );
    send(&mut server, now, "a2 AUTHENTICATE CRAM-MD5\r\n");
    assert!(out(&mut server).starts_with("+ "));
    send(&mut server, now, "*\r\n");
    let _ = out(&mut server);
    server.tls_established();
    let caps = server.capabilities();
    assert!(
        caps.contains("AUTH=PLAIN AUTH=XOAUTH2 AUTH=CRAM-MD5 SASL-IR"),
        "{caps}"
    );
}

const TOKEN_IR: &str = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";

/// XOAUTH2 with an initial response (SASL-IR, RFC 4959), as in Google's
/// XOAUTH2 protocol document: the application gets user and token.
#[test]
fn xoauth2_with_initial_response() {
    let (mut server, now) = start(config(&[Mechanism::XOAuth2]));
    assert!(server.capabilities().contains("AUTH=XOAUTH2 SASL-IR"));
    send(
        &mut server,
        now,
        &format!("a1 AUTHENTICATE XOAUTH2 {TOKEN_IR}\r\n"),
    );
    let event = server.poll_event().unwrap();
    let debug = format!("{event:?}");
    assert!(!debug.contains("ya29"), "{debug}");
    let Event::Authenticate {
        id,
        mechanism: Mechanism::XOAuth2,
        credentials: Credentials::Token { username, token },
    } = event
    else {
        panic!("{event:?}")
    };
    assert_eq!(username, "someuser@example.com");
    assert_eq!(
        token.expose(),
        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
    );
    server
        .complete(id, StatusKind::Ok, None, "Success")
        .unwrap();
    assert_eq!(out(&mut server), "a1 OK Success\r\n");
    assert_eq!(server.state(), State::Authenticated);
}

/// XOAUTH2 without an initial response: an empty challenge, then the
/// response line.
#[test]
fn xoauth2_after_empty_challenge() {
    let (mut server, now) = start(config(&[Mechanism::XOAuth2]));
    send(&mut server, now, "a1 AUTHENTICATE XOAUTH2\r\n");
    assert_eq!(out(&mut server), "+ \r\n");
    send(&mut server, now, &format!("{TOKEN_IR}\r\n"));
    let Some(Event::Authenticate { id, .. }) = server.poll_event() else {
        panic!("no event")
    };
    server
        .complete(id, StatusKind::Ok, None, "Success")
        .unwrap();
    assert_eq!(out(&mut server), "a1 OK Success\r\n");
}

/// A refused token: the error challenge (base64 JSON), the client's
/// empty line, then `NO`; the session goes on.
#[test]
fn xoauth2_refused_with_error_challenge() {
    let (mut server, now) = start(config(&[Mechanism::XOAuth2, Mechanism::Plain]));
    send(
        &mut server,
        now,
        &format!("a1 AUTHENTICATE XOAUTH2 {TOKEN_IR}\r\n"),
    );
    let Some(Event::Authenticate { id, .. }) = server.poll_event() else {
        panic!("no event")
    };
    let error = r#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#;
    server
        .reject_xoauth2(id, error, "Invalid credentials")
        .unwrap();
    let line = out(&mut server);
    assert_eq!(challenge(&line), error);
    // The exchange is no longer waiting for a decision.
    assert!(server.complete(id, StatusKind::Ok, None, "x").is_err());
    send(&mut server, now, "\r\n");
    assert_eq!(out(&mut server), "a1 NO Invalid credentials\r\n");
    assert_eq!(server.state(), State::NotAuthenticated);
    send(&mut server, now, "a2 NOOP\r\n");
    assert_eq!(out(&mut server), "a2 OK NOOP completed\r\n");
    // Not for a CRAM-MD5 or PLAIN exchange.
    send(
        &mut server,
        now,
        "a3 AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n",
    );
    let _ = out(&mut server);
    let id = match server.poll_event() {
        Some(Event::Login { id, .. }) => id,
        other => panic!("{other:?}"),
    };
    assert!(server.reject_xoauth2(id, "{}", "no").is_err());
}

/// A malformed XOAUTH2 response is BAD.
#[test]
fn xoauth2_malformed() {
    let (mut server, now) = start(config(&[Mechanism::XOAuth2]));
    let bad = sasl::encode_base64(b"user=joe\x01auth=Basic abc\x01\x01");
    send(
        &mut server,
        now,
        &format!("a1 AUTHENTICATE XOAUTH2 {bad}\r\n"),
    );
    assert_eq!(out(&mut server), "a1 BAD Invalid SASL response\r\n");
    send(&mut server, now, "a2 AUTHENTICATE XOAUTH2 !!!\r\n");
    let answer = out(&mut server);
    assert!(answer.starts_with("a2 BAD"), "{answer}");
    assert!(server.poll_event().is_none());
}

/// The same session split at every offset gives the same output and
/// events.
#[test]
fn split_invariance() {
    let chal = "<3.4@postoffice.reston.mci.net>";
    let cram = sasl::encode_base64(sasl::cram_md5_response("tim", "pw", chal).as_bytes());
    let input = format!(
        "a1 AUTHENTICATE XOAUTH2\r\n{TOKEN_IR}\r\n\r\na2 AUTHENTICATE CRAM-MD5\r\n{cram}\r\na3 NOOP\r\n"
    );
    let run = |piece: usize| {
        let (mut server, now) = start(config(&[Mechanism::XOAuth2, Mechanism::CramMd5]));
        server.set_nonce("3.4");
        let mut output = String::new();
        let mut events = Vec::new();
        for part in input.as_bytes().chunks(piece) {
            let mut rest = part;
            while !rest.is_empty() {
                let n = server.handle_input(now, rest);
                rest = &rest[n..];
                while let Some(event) = server.poll_event() {
                    match event {
                        Event::Authenticate {
                            id,
                            mechanism: Mechanism::XOAuth2,
                            ..
                        } => {
                            events.push("xoauth2".to_owned());
                            server.reject_xoauth2(id, "{}", "no").unwrap();
                        }
                        Event::Authenticate {
                            id,
                            credentials: Credentials::CramMd5(r),
                            ..
                        } => {
                            events.push(format!("cram {}", r.verify(b"pw")));
                            server.complete(id, StatusKind::Ok, None, "ok").unwrap();
                        }
                        Event::Command { id, command } => {
                            events.push(command.body.name().to_owned());
                            server
                                .complete(id, StatusKind::Ok, None, "NOOP completed")
                                .unwrap();
                        }
                        other => panic!("{other:?}"),
                    }
                }
                output.push_str(&out(&mut server));
            }
        }
        (output, events)
    };
    let whole = run(input.len());
    assert_eq!(whole.1, ["xoauth2", "cram true", "NOOP"]);
    assert!(
        whole.0.ends_with("a2 OK ok\r\na3 OK NOOP completed\r\n"),
        "{}",
        whole.0
    );
    for piece in 1..input.len() {
        assert_eq!(run(piece), whole, "pieces of {piece}");
    }
}
