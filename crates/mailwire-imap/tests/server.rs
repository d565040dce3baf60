//! Tests of the sans-IO IMAP server state machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwire_imap::server::{Event, Server, ServerConfig, State};
use mailwire_imap::types::{CommandBody, Section, StatusKind, StreamedItem};

fn server(config: ServerConfig) -> (Server, Instant) {
    let now = Instant::now();
    (Server::new(Arc::new(config), now), now)
}

fn out(server: &mut Server) -> String {
    let mut buf = BytesMut::new();
    let _ = server.poll_output(&mut buf);
    String::from_utf8(buf.to_vec()).unwrap()
}

/// A scripted application: every command succeeds with `<NAME> completed`,
/// logins succeed unless the password is "wrong", appends are counted.
/// Returns a log of events.
fn app(server: &mut Server, log: &mut Vec<String>, appended: &mut u64) {
    while let Some(event) = server.poll_event() {
        match event {
            Event::Command { id, command } => {
                log.push(format!("command {}", command.body.name()));
                if matches!(command.body, CommandBody::Select { .. }) {
                    server.send_raw(b"* 0 EXISTS\r\n").unwrap();
                }
                let text = format!("{} completed", command.body.name());
                server.complete(id, StatusKind::Ok, None, &text).unwrap();
            }
            Event::Login {
                id,
                username,
                password,
                ..
            } => {
                log.push(format!("login {username}"));
                if password.expose() == "wrong" {
                    server
                        .complete(id, StatusKind::No, None, "bad password")
                        .unwrap();
                } else {
                    server
                        .complete(id, StatusKind::Ok, None, "LOGIN completed")
                        .unwrap();
                }
            }
            Event::AppendStart { id, size, .. } => {
                log.push(format!("append {size}"));
                server.accept_append(id).unwrap();
            }
            Event::AppendData(bytes) => *appended += bytes.len() as u64,
            Event::AppendEnd { id } => {
                log.push("append end".into());
                server
                    .complete(id, StatusKind::Ok, None, "APPEND completed")
                    .unwrap();
            }
            Event::Idle { .. } => log.push("idle".into()),
            Event::IdleDone { .. } => log.push("idle done".into()),
            Event::StartTls => log.push("starttls".into()),
            other => log.push(format!("{other:?}")),
        }
    }
}

/// Feeds `input` in chunks of `chunk` bytes; returns (events, output).
fn run(config: ServerConfig, input: &[u8], chunk: usize) -> (Vec<String>, String) {
    let (mut s, now) = server(config);
    let mut log = Vec::new();
    let mut appended = 0;
    let mut output = out(&mut s);
    let mut rest = input;
    while !rest.is_empty() && !s.is_closed() {
        let n = rest.len().min(chunk);
        let taken = s.handle_input(now, &rest[..n]);
        rest = &rest[taken..];
        app(&mut s, &mut log, &mut appended);
        output.push_str(&out(&mut s));
        assert!(taken > 0 || s.wants_input(), "stuck");
    }
    app(&mut s, &mut log, &mut appended);
    output.push_str(&out(&mut s));
    (log, output)
}

#[test]
fn greeting_capabilities_and_preauth() {
    let (mut s, _) = server(ServerConfig::default());
    let g = out(&mut s);
    assert!(
        g.starts_with("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN SASL-IR LITERAL+"),
        "{g}"
    );
    assert!(g.ends_with("\r\n"));
    let mut config = ServerConfig::default();
    config.preauth = true;
    let (mut s, _) = server(config);
    assert!(out(&mut s).starts_with("* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+"));
    assert_eq!(s.state(), State::Authenticated);
}

/// RFC 3501 section 8: the sample session, server side with a scripted
/// application writing the mailbox data.
#[test]
fn rfc3501_section8_session() {
    let (mut s, now) = server(ServerConfig::default());
    let _ = out(&mut s);
    let _ = s.handle_input(now, b"a001 login mrc secret\r\n");
    let Some(Event::Login { id, username, .. }) = s.poll_event() else {
        panic!()
    };
    assert_eq!(username, "mrc");
    s.complete(id, StatusKind::Ok, None, "LOGIN completed")
        .unwrap();
    assert_eq!(out(&mut s), "a001 OK LOGIN completed\r\n");

    let _ = s.handle_input(now, b"a002 select inbox\r\n");
    let Some(Event::Command { id, command }) = s.poll_event() else {
        panic!()
    };
    assert_eq!(command.body.name(), "SELECT");
    s.send_raw(
        b"* 18 EXISTS\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 2 RECENT\r\n",
    )
    .unwrap();
    let code = mailwire_imap::types::Code::ReadWrite;
    s.complete(id, StatusKind::Ok, Some(code), "SELECT completed")
        .unwrap();
    assert_eq!(
        out(&mut s),
        "* 18 EXISTS\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 2 RECENT\r\na002 OK [READ-WRITE] SELECT completed\r\n"
    );
    assert_eq!(s.state(), State::Selected { read_only: false });

    let _ = s.handle_input(
        now,
        b"a004 fetch 12 body[header]\r\na005 store 12 +flags \\deleted\r\n",
    );
    let Some(Event::Command { id, command }) = s.poll_event() else {
        panic!()
    };
    assert_eq!(command.body.name(), "FETCH");
    // a005 waits: commands are answered in order.
    assert!(s.poll_event().is_none());
    s.send_raw(b"* 12 FETCH (BODY[HEADER] {5}\r\nab\r\n\r\n)\r\n")
        .unwrap();
    s.complete(id, StatusKind::Ok, None, "FETCH completed")
        .unwrap();
    let Some(Event::Command { id, command }) = s.poll_event() else {
        panic!()
    };
    assert_eq!(command.body.name(), "STORE");
    s.send_raw(b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n")
        .unwrap();
    s.complete(id, StatusKind::Ok, None, "+FLAGS completed")
        .unwrap();
    assert_eq!(
        out(&mut s),
        "* 12 FETCH (BODY[HEADER] {5}\r\nab\r\n\r\n)\r\na004 OK FETCH completed\r\n* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n"
    );
    let _ = s.handle_input(now, b"a006 logout\r\n");
    assert_eq!(
        out(&mut s),
        "* BYE IMAP4rev1 Server logging out\r\na006 OK LOGOUT completed\r\n"
    );
    assert!(s.is_closed());
    assert_eq!(s.state(), State::Logout);
}

#[test]
fn state_rules() {
    let input = b"a1 SELECT inbox\r\na2 FETCH 1 FLAGS\r\na3 LOGIN u p\r\na4 LOGIN u p\r\na5 FETCH 1 FLAGS\r\na6 EXAMINE inbox\r\na7 FETCH 1 FLAGS\r\na8 CLOSE\r\na9 FETCH 1 FLAGS\r\n";
    let (log, output) = run(ServerConfig::default(), input, input.len());
    assert_eq!(
        log,
        [
            "login u",
            "command EXAMINE",
            "command FETCH",
            "command CLOSE"
        ]
    );
    for tag in ["a1", "a2", "a4", "a5", "a9"] {
        assert!(
            output.contains(&format!("{tag} BAD Command not valid in this state\r\n")),
            "{tag}: {output}"
        );
    }
    assert!(output.contains("a8 OK CLOSE completed\r\n"));
}

#[test]
fn literal_accepted_and_huge_literal_refused_before_reading() {
    let (mut s, now) = server(ServerConfig::default());
    let _ = out(&mut s);
    let _ = s.handle_input(now, b"a1 LOGIN {4}\r\n");
    assert_eq!(out(&mut s), "+ Ready for literal data\r\n");
    let _ = s.handle_input(now, b"fred {6}\r\n");
    assert_eq!(out(&mut s), "+ Ready for literal data\r\n");
    let _ = s.handle_input(now, b"secret\r\n");
    let Some(Event::Login {
        username, password, ..
    }) = s.poll_event()
    else {
        panic!()
    };
    assert_eq!(
        (username.as_str(), password.expose().as_str()),
        ("fred", "secret")
    );

    // An announced 90 GB literal is refused without a "+" and nothing is
    // allocated for it: the next command follows at once.
    let (mut s, now) = server(ServerConfig::default());
    let _ = out(&mut s);
    let _ = s.handle_input(now, b"a2 LOGIN {99999999999}\r\na3 NOOP\r\n");
    let o = out(&mut s);
    assert!(o.starts_with("a2 "), "{o}");
    assert!(o.contains("TOOBIG"), "{o}");
    assert!(!o.contains('+'));
    assert!(o.ends_with("a3 OK NOOP completed\r\n"), "{o}");
}

#[test]
fn literal_plus_needs_no_continuation() {
    let (log, output) = run(
        ServerConfig::default(),
        b"a1 LOGIN {4+}\r\nfred {6+}\r\nsecret\r\n",
        3,
    );
    assert_eq!(log, ["login fred"]);
    assert!(!output.contains("+ Ready"));
    assert!(output.ends_with("a1 OK LOGIN completed\r\n"));
}

#[test]
fn authenticate_plain() {
    // "\0tim\0tanstaaftanstaaf" (RFC 4616 section 4) with SASL-IR.
    let (log, output) = run(
        ServerConfig::default(),
        b"a1 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n",
        100,
    );
    assert_eq!(log, ["login tim"]);
    assert!(output.ends_with("a1 OK LOGIN completed\r\n"));
    // Without: the server asks with "+ ".
    let (log, output) = run(
        ServerConfig::default(),
        b"a1 AUTHENTICATE PLAIN\r\nAHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\na2 NOOP\r\n",
        1,
    );
    assert_eq!(log, ["login tim", "command NOOP"]);
    assert!(
        output.contains("\r\n+ \r\na1 OK LOGIN completed\r\na2 OK NOOP completed\r\n"),
        "{output}"
    );
    // Cancelled with "*".
    let (log, output) = run(
        ServerConfig::default(),
        b"a1 AUTHENTICATE PLAIN\r\n*\r\na2 NOOP\r\n",
        7,
    );
    assert!(log.is_empty());
    assert!(
        output.ends_with("+ \r\na1 BAD AUTHENTICATE cancelled\r\na2 OK NOOP completed\r\n"),
        "{output}"
    );
}

#[test]
fn starttls_drops_pipelined_plaintext() {
    let mut config = ServerConfig::default();
    config.starttls = true;
    config.login_requires_tls = true;
    let (mut s, now) = server(config);
    let g = out(&mut s);
    assert!(g.contains("STARTTLS LOGINDISABLED"));
    let _ = s.handle_input(now, b"a1 LOGIN x y\r\n");
    assert!(out(&mut s).starts_with("a1 NO [PRIVACYREQUIRED]"));
    let _ = s.handle_input(now, b"a STARTTLS\r\nb LOGIN x y\r\n");
    assert!(matches!(s.poll_event(), Some(Event::StartTls)));
    assert!(s.poll_event().is_none());
    assert_eq!(out(&mut s), "a OK Begin TLS negotiation now\r\n");
    assert!(!s.wants_input());
    // More plaintext before the handshake is dropped as well.
    assert_eq!(s.handle_input(now, b"c LOGIN x y\r\n"), 13);
    s.tls_established();
    assert!(s.poll_event().is_none());
    assert_eq!(out(&mut s), "");
    let _ = s.handle_input(now, b"d CAPABILITY\r\n");
    let o = out(&mut s);
    assert!(o.starts_with("* CAPABILITY IMAP4rev1 AUTH=PLAIN"), "{o}");
    assert!(!o.contains("STARTTLS") && !o.contains("LOGINDISABLED"));
}

#[test]
fn idle_with_pushed_updates() {
    let (mut s, now) = server(ServerConfig::default());
    let _ = out(&mut s);
    let _ = s.handle_input(now, b"a1 LOGIN u p\r\n");
    let Some(Event::Login { id, .. }) = s.poll_event() else {
        panic!()
    };
    s.complete(id, StatusKind::Ok, None, "ok").unwrap();
    let _ = s.handle_input(now, b"a2 IDLE\r\n");
    assert!(matches!(s.poll_event(), Some(Event::Idle { .. })));
    s.send_raw(b"* 4 EXISTS\r\n").unwrap();
    assert_eq!(out(&mut s), "a1 OK ok\r\n+ idling\r\n* 4 EXISTS\r\n");
    let _ = s.handle_input(now, b"DO");
    let _ = s.handle_input(now, b"NE\r\na3 NOOP\r\n");
    assert!(matches!(s.poll_event(), Some(Event::IdleDone { .. })));
    let Some(Event::Command { id, .. }) = s.poll_event() else {
        panic!()
    };
    s.complete(id, StatusKind::Ok, None, "NOOP completed")
        .unwrap();
    assert_eq!(
        out(&mut s),
        "a2 OK IDLE terminated\r\na3 OK NOOP completed\r\n"
    );
}

#[test]
fn pipelined_commands_answered_in_order() {
    let (mut s, now) = server(ServerConfig::default());
    let _ = out(&mut s);
    let _ = s.handle_input(
        now,
        b"a1 LOGIN u p\r\na2 CAPABILITY\r\na3 LIST \"\" *\r\na4 NOOP\r\n",
    );
    let Some(Event::Login { id, .. }) = s.poll_event() else {
        panic!()
    };
    // CAPABILITY is answered by the machine, but not before a1.
    assert_eq!(out(&mut s), "");
    s.complete(id, StatusKind::Ok, None, "ok").unwrap();
    let Some(Event::Command { id: list, .. }) = s.poll_event() else {
        panic!()
    };
    let o = out(&mut s);
    assert!(
        o.starts_with("a1 OK ok\r\n* CAPABILITY ") && o.ends_with("a2 OK CAPABILITY completed\r\n"),
        "{o}"
    );
    assert!(s.poll_event().is_none());
    s.complete(list, StatusKind::Ok, None, "LIST completed")
        .unwrap();
    let Some(Event::Command { id, command }) = s.poll_event() else {
        panic!()
    };
    assert_eq!(command.body, CommandBody::Noop);
    s.complete(id, StatusKind::Ok, None, "NOOP completed")
        .unwrap();
    assert_eq!(
        out(&mut s),
        "a3 OK LIST completed\r\na4 OK NOOP completed\r\n"
    );
    // A stale id is refused.
    assert!(s.complete(id, StatusKind::Ok, None, "again").is_err());
}

#[test]
fn streaming_append_of_8_mib_with_bounded_buffers() {
    let mut config = ServerConfig::default();
    config.max_input = 64 * 1024 + 1024;
    let (mut s, now) = server(config);
    let _ = out(&mut s);
    let _ = s.handle_input(now, b"a1 LOGIN u p\r\n");
    let Some(Event::Login { id, .. }) = s.poll_event() else {
        panic!()
    };
    s.complete(id, StatusKind::Ok, None, "ok").unwrap();
    let size = 8 * 1024 * 1024;
    let head = format!("a2 APPEND inbox {{{size}}}\r\n");
    let _ = s.handle_input(now, head.as_bytes());
    let Some(Event::AppendStart {
        size: announced,
        id,
        ..
    }) = s.poll_event()
    else {
        panic!()
    };
    assert_eq!(announced, size as u64);
    // No "+" before the application accepts.
    assert!(!out(&mut s).contains('+'));
    s.accept_append(id).unwrap();
    assert_eq!(out(&mut s), "+ Ready for literal data\r\n");
    let chunk = vec![b'x'; 100_000];
    let mut sent = 0;
    let mut received = 0u64;
    while sent < size {
        let n = (size - sent).min(chunk.len());
        let taken = s.handle_input(now, &chunk[..n]);
        assert!(taken <= 64 * 1024 + 1024);
        sent += taken;
        while let Some(event) = s.poll_event() {
            let Event::AppendData(bytes) = event else {
                panic!("{event:?}")
            };
            assert!(bytes.len() <= 64 * 1024 + 1024);
            received += bytes.len() as u64;
        }
    }
    let _ = s.handle_input(now, b"\r\n");
    while let Some(event) = s.poll_event() {
        match event {
            Event::AppendData(bytes) => received += bytes.len() as u64,
            Event::AppendEnd { id: end } => assert_eq!(end, id),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(received, size as u64);
    s.complete(id, StatusKind::Ok, None, "APPEND completed")
        .unwrap();
    assert_eq!(out(&mut s), "a2 OK APPEND completed\r\n");
}

#[test]
fn streaming_fetch_output_bounded() {
    let mut config = ServerConfig::default();
    config.max_output = 4096;
    config.preauth = true;
    let (mut s, now) = server(config);
    let _ = out(&mut s);
    let _ = s.handle_input(now, b"a1 SELECT inbox\r\n");
    let Some(Event::Command { id, .. }) = s.poll_event() else {
        panic!()
    };
    s.complete(id, StatusKind::Ok, None, "ok").unwrap();
    let _ = s.handle_input(now, b"a2 FETCH 1 BODY[]\r\n");
    let Some(Event::Command { id, .. }) = s.poll_event() else {
        panic!()
    };
    assert_eq!(out(&mut s), "a1 OK ok\r\n");
    let size = 1_000_000;
    let body = StreamedItem::BodySection {
        section: Section::default(),
        origin: None,
    };
    let mut writer = s
        .fetch_begin(1.try_into().unwrap(), &[], &body, size as u64)
        .unwrap();
    let mut total = String::new();
    total.push_str(&out(&mut s));
    let mut written = 0;
    let piece = [b'y'; 1000];
    while written < size {
        while s.wants_data() && written < size {
            s.fetch_chunk(&mut writer, &piece).unwrap();
            written += piece.len();
        }
        let chunk = out(&mut s);
        assert!(chunk.len() <= 4096 + 1000);
        total.push_str(&chunk);
    }
    // Past the announced size is refused.
    assert!(s.fetch_chunk(&mut writer, b"z").is_err());
    s.fetch_finish(writer, &[]).unwrap();
    s.complete(id, StatusKind::Ok, None, "FETCH completed")
        .unwrap();
    total.push_str(&out(&mut s));
    assert!(total.ends_with("yy)\r\na2 OK FETCH completed\r\n"));
    assert!(total.starts_with(&format!("* 1 FETCH (BODY[] {{{size}}}\r\nyyy")));
    assert_eq!(
        total.len(),
        format!("* 1 FETCH (BODY[] {{{size}}}\r\n)\r\na2 OK FETCH completed\r\n").len() + size
    );
}

#[test]
fn bad_command_limit_closes() {
    let mut config = ServerConfig::default();
    config.max_bad_commands = 3;
    let (log, output) = run(config, b"a1 FOO\r\n\r\nbad\r\na4 NOOP\r\n", 100);
    assert!(log.is_empty());
    assert_eq!(output.matches(" BAD ").count(), 3, "{output}");
    assert!(
        output.ends_with("* BYE Too many invalid commands\r\n"),
        "{output}"
    );
    assert!(!output.contains("a4"));
}

#[test]
fn autologout() {
    let (mut s, now) = server(ServerConfig::default());
    let _ = out(&mut s);
    assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(300)));
    s.handle_timeout(now + Duration::from_secs(299));
    assert!(!s.is_closed());
    let _ = s.handle_input(now, b"a LOGIN u p\r\n");
    let Some(Event::Login { id, .. }) = s.poll_event() else {
        panic!()
    };
    s.complete(id, StatusKind::Ok, None, "ok").unwrap();
    assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(1800)));
    s.handle_timeout(now + Duration::from_secs(1800));
    assert!(s.is_closed());
    assert!(out(&mut s).ends_with("* BYE Autologout; idle for too long\r\n"));
}

/// A whole session (synchronizing literals only for APPEND, whose "+" is
/// written whether or not its octets have come already).
const SESSION: &[u8] = b"a0 CAPABILITY\r\na1 LOGIN {4+}\r\nfred {6+}\r\nsecret\r\na2 SELECT inbox\r\na3 FETCH 1:* FLAGS\r\nbogus\r\na4 IDLE\r\nDONE\r\na5 APPEND inbox (\\Seen) {11}\r\nHello Joe!\n\r\na6 AUTHENTICATE PLAIN\r\na7 ID NIL\r\na8 CLOSE\r\na9 LOGOUT\r\n";

#[test]
fn split_at_every_offset_gives_the_same_session() {
    let (log, output) = run(ServerConfig::default(), SESSION, SESSION.len());
    assert!(output.ends_with("a9 OK LOGOUT completed\r\n"), "{output}");
    assert!(log.contains(&"append 11".to_string()));
    for chunk in 1..SESSION.len() {
        let (l, o) = run(ServerConfig::default(), SESSION, chunk);
        assert_eq!((&l, &o), (&log, &output), "chunk {chunk}");
    }
    for split in 1..SESSION.len() {
        let (mut s, now) = server(ServerConfig::default());
        let mut l = Vec::new();
        let mut appended = 0;
        let mut o = out(&mut s);
        for part in [&SESSION[..split], &SESSION[split..]] {
            assert_eq!(s.handle_input(now, part), part.len());
            app(&mut s, &mut l, &mut appended);
            o.push_str(&out(&mut s));
        }
        assert_eq!((&l, &o), (&log, &output), "split {split}");
    }
}

#[test]
fn authenticate_login_and_bad_sasl_line() {
    // "fred" and "secret" in base64.
    let (log, output) = run(
        ServerConfig::default(),
        b"a1 AUTHENTICATE LOGIN\r\nZnJlZA==\r\nc2VjcmV0\r\n",
        5,
    );
    assert_eq!(log, ["login fred"]);
    assert!(
        output.ends_with("+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\na1 OK LOGIN completed\r\n"),
        "{output}"
    );
    let (_, output) = run(
        ServerConfig::default(),
        b"a1 AUTHENTICATE PLAIN\r\n!!!\r\na2 NOOP\r\n",
        4,
    );
    assert!(
        output.ends_with("a1 BAD Invalid SASL PLAIN response\r\na2 OK NOOP completed\r\n"),
        "{output}"
    );
    let (_, output) = run(ServerConfig::default(), b"a1 AUTHENTICATE CRAM-MD5\r\n", 4);
    assert!(
        output.ends_with("a1 NO Unsupported authentication mechanism\r\n"),
        "{output}"
    );
}

#[test]
fn oversized_append_refused_before_any_octet() {
    let mut config = ServerConfig::default();
    config.preauth = true;
    let (log, output) = run(config, b"a1 APPEND inbox {99999999999}\r\na2 NOOP\r\n", 6);
    assert_eq!(log, ["command NOOP"]);
    assert!(!output.contains("+ Ready"), "{output}");
    assert!(output.contains("a1 NO [TOOBIG]"), "{output}");
    assert!(output.ends_with("a2 OK NOOP completed\r\n"));
}

#[test]
fn append_before_login_is_refused_and_its_literal_skipped() {
    let (log, output) = run(
        ServerConfig::default(),
        b"a1 APPEND inbox {3}\r\na2 APPEND inbox {3+}\r\nabc\r\na3 NOOP\r\n",
        4,
    );
    assert!(log.is_empty(), "{log:?}");
    assert!(
        output.contains("a1 BAD Command not valid in this state\r\n"),
        "{output}"
    );
    assert!(
        output.contains("a2 BAD Command not valid in this state\r\n"),
        "{output}"
    );
    assert!(output.ends_with("a3 OK NOOP completed\r\n"), "{output}");
}

/// RFC 7888 section 5: with LITERAL- a non-synchronizing literal over
/// 4096 octets is refused.
#[test]
fn literal_minus_advertised_and_enforced() {
    let mut config = ServerConfig::default();
    config.limits.literal_minus = true;
    // The client sends the literal anyway: its octets are skipped, never
    // read as commands.
    let mut input = b"a1 LOGIN {5000+}\r\n".to_vec();
    input.extend_from_slice(&[b'a'; 5000]);
    input.extend_from_slice(b" y\r\na2 LOGIN {4+}\r\nfred {1+}\r\nx\r\n");
    let (log, output) = run(config, &input, 9);
    assert!(
        output.starts_with("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN SASL-IR LITERAL- "),
        "{output}"
    );
    assert!(
        output.contains("a1 NO [TOOBIG]") || output.contains("a1 BAD"),
        "{output}"
    );
    assert_eq!(log, ["login fred"]);
    assert!(output.ends_with("a2 OK LOGIN completed\r\n"), "{output}");
}

#[test]
fn id_enable_and_namespace() {
    let mut config = ServerConfig::default();
    config.preauth = true;
    let (log, output) = run(
        config,
        b"a1 ID NIL\r\na2 ENABLE CONDSTORE\r\na3 NAMESPACE\r\n",
        64,
    );
    assert_eq!(log, ["command NAMESPACE"]);
    assert!(output.contains("* ID NIL\r\na1 OK ID completed\r\n* ENABLED\r\na2 OK ENABLE completed\r\na3 OK NAMESPACE completed\r\n"), "{output}");
}

/// RFC 9051 6.3.12: a server refuses an APPEND to a mailbox that does not
/// exist with `NO [TRYCREATE]`, before the client sends the message.
#[test]
fn append_refused_before_the_continuation() {
    let mut config = ServerConfig::default();
    config.preauth = true;
    let (mut s, now) = server(config);
    let _ = out(&mut s);
    let _ = s.handle_input(now, b"a1 APPEND nosuch {11}\r\n");
    let Some(Event::AppendStart { id, mailbox, .. }) = s.poll_event() else {
        panic!()
    };
    assert!(format!("{mailbox:?}").contains("nosuch"));
    s.reject_append(
        id,
        Some(mailwire_imap::types::Code::TryCreate),
        "no such mailbox",
    )
    .unwrap();
    assert_eq!(out(&mut s), "a1 NO [TRYCREATE] no such mailbox\r\n");
    assert!(s.accept_append(id).is_err());
    let _ = s.handle_input(now, b"a2 NOOP\r\n");
    let Some(Event::Command { command, .. }) = s.poll_event() else {
        panic!()
    };
    assert_eq!(command.body, CommandBody::Noop);
}
