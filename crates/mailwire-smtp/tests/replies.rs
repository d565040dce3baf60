//! Replies, enhanced status codes and EHLO capabilities: RFC examples,
//! real servers' quirks, limits and round trips.

use mailwire_smtp::parse::{ReplyErrorKind, ReplyLimits};
use mailwire_smtp::types::{Capabilities, EnhancedStatus, Extension, Mechanism, Reply, ReplyCode};
use proptest::prelude::*;

fn parse_all(mut input: &[u8]) -> Vec<Reply<'static>> {
    let mut replies = Vec::new();
    while let Some((reply, n)) = Reply::parse(input).unwrap() {
        replies.push(reply.into_owned());
        input = &input[n..];
    }
    assert!(
        input.is_empty(),
        "left over: {:?}",
        String::from_utf8_lossy(input)
    );
    replies
}

/// RFC 5321 appendix D.1, the server's side of a typical session.
#[test]
fn rfc5321_d1_server_replies() {
    let wire = concat!(
        "220 foo.com Simple Mail Transfer Service Ready\r\n",
        "250-foo.com greets bar.com\r\n",
        "250-8BITMIME\r\n",
        "250-SIZE\r\n",
        "250-DSN\r\n",
        "250 HELP\r\n",
        "250 OK\r\n",
        "250 OK\r\n",
        "550 No such user here\r\n",
        "250 OK\r\n",
        "354 Start mail input; end with <CRLF>.<CRLF>\r\n",
        "250 OK\r\n",
        "221 foo.com Service closing transmission channel\r\n",
    );
    let replies = parse_all(wire.as_bytes());
    let codes: Vec<u16> = replies.iter().map(|r| r.code().get()).collect();
    assert_eq!(codes, [220, 250, 250, 250, 550, 250, 354, 250, 221]);
    assert_eq!(replies[4].text(), "No such user here");
    assert!(replies[4].code().is_permanent());
    assert!(replies[6].code().is_intermediate());

    let caps = Capabilities::from_ehlo(&replies[1]);
    assert_eq!(caps.domain, "foo.com");
    assert_eq!(caps.greeting, "greets bar.com");
    assert!(caps.eight_bit_mime && caps.dsn && caps.help);
    assert_eq!(caps.size, Some(0), "SIZE without a number: no fixed limit");
    assert!(!caps.pipelining);

    // Written back, the replies are the same bytes.
    let again: Vec<u8> = replies.iter().flat_map(|r| r.to_bytes().unwrap()).collect();
    assert_eq!(again, wire.as_bytes());
}

#[test]
fn enhanced_status_codes_are_read_from_every_line() {
    // RFC 2034 section 4: the code on every line of a multi-line reply.
    let (reply, _) = Reply::parse(
        b"550-5.1.1 The email account that you tried\r\n550 5.1.1 does not exist.\r\n",
    )
    .unwrap()
    .unwrap();
    assert_eq!(reply.status(), Some(EnhancedStatus::BAD_DESTINATION));
    assert_eq!(
        reply.text(),
        "The email account that you tried\ndoes not exist."
    );

    // A status of another class than the code is text, not a status.
    let (reply, _) = Reply::parse(b"250 5.1.1 odd\r\n").unwrap().unwrap();
    assert_eq!(reply.status(), None);
    assert_eq!(reply.text(), "5.1.1 odd");

    // Digits that merely start like one are text too.
    let (reply, _) = Reply::parse(b"250 2.0.0.1 version\r\n").unwrap().unwrap();
    assert_eq!(reply.status(), None);

    // The status alone on the line.
    let (reply, _) = Reply::parse(b"250 2.0.0\r\n").unwrap().unwrap();
    assert_eq!(reply.status(), Some(EnhancedStatus::OK));
    assert_eq!(reply.text(), "");
    assert_eq!(reply.to_bytes().unwrap(), b"250 2.0.0\r\n");
}

#[test]
fn enhanced_status_grammar() {
    for ok in ["2.0.0", "4.4.2", "5.7.11", "5.999.999", "2.01.001"] {
        assert!(EnhancedStatus::parse(ok).is_some(), "{ok}");
    }
    for bad in [
        "", "1.0.0", "3.0.0", "6.0.0", "2..0", "2.0", "2.0.", "2.1000.0", "2.0.0 ", "a.b.c",
        "25.0.0",
    ] {
        assert_eq!(EnhancedStatus::parse(bad), None, "{bad:?}");
    }
    assert_eq!(EnhancedStatus::new(3, 0, 0), None);
    assert_eq!(EnhancedStatus::new(5, 1000, 0), None);
    assert_eq!(EnhancedStatus::TOO_MANY_RECIPIENTS.to_string(), "4.5.3");
}

#[test]
fn reply_code_grammar() {
    // Reply-code = %x32-35 %x30-35 %x30-39
    assert!(ReplyCode::new(200).is_some());
    assert!(ReplyCode::new(559).is_some());
    for bad in [0, 199, 260, 600, 999, 1250] {
        assert_eq!(ReplyCode::new(bad), None, "{bad}");
    }
    for bad in ["199 x\r\n", "600 x\r\n", "2x0 x\r\n", "260 x\r\n"] {
        let err = Reply::parse(bad.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ReplyErrorKind::BadCode, "{bad:?}");
    }
}

#[test]
fn quirks_of_real_servers() {
    // An empty last line after EHLO.
    let (reply, _) = Reply::parse(b"250-mx.example.org\r\n250-PIPELINING\r\n250 \r\n")
        .unwrap()
        .unwrap();
    let caps = Capabilities::from_ehlo(&reply);
    assert!(caps.pipelining);
    assert!(caps.other.is_empty());

    // A code with nothing after it.
    let (reply, n) = Reply::parse(b"250\r\n").unwrap().unwrap();
    assert_eq!(
        (reply.code(), reply.text().as_ref(), n),
        (ReplyCode::OK, "", 5)
    );

    // Bare LF line endings.
    let replies = parse_all(b"220 hi\n250-a\n250 b\n");
    assert_eq!(replies[1].text(), "a\nb");

    // Latin-1 text is decoded lossily, not refused.
    let (reply, _) = Reply::parse(b"220 caf\xe9 ready\r\n").unwrap().unwrap();
    assert_eq!(reply.text(), "caf\u{fffd} ready");

    // The old `AUTH=` form, lowercase keywords, repeated mechanisms.
    let (reply, _) = Reply::parse(
        b"250-mx\r\n250-auth LOGIN PLAIN\r\n250-AUTH=LOGIN PLAIN XOAUTH2\r\n250 starttls\r\n",
    )
    .unwrap()
    .unwrap();
    let caps = Capabilities::from_ehlo(&reply);
    assert_eq!(
        caps.auth,
        [Mechanism::Login, Mechanism::Plain, Mechanism::XOAuth2]
    );
    assert!(caps.starttls);
    assert!(caps.supports_auth(Mechanism::XOAuth2));
    assert!(!caps.supports_auth(Mechanism::CramMd5));
}

#[test]
fn malformed_and_oversized_replies_fail() {
    let err = Reply::parse(b"250-a\r\n251 b\r\n").unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ReplyErrorKind::CodeChanged, 7));
    let err = Reply::parse(b"250*a\r\n").unwrap_err();
    assert_eq!(
        (err.kind(), err.offset()),
        (ReplyErrorKind::BadSeparator, 3)
    );
    // Garbage fails before its line ends.
    let err = Reply::parse(b"HTTP/1.1 400").unwrap_err();
    assert_eq!(err.kind(), ReplyErrorKind::BadCode);

    let long = format!("250 {}", "x".repeat(2000));
    let err = Reply::parse(long.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ReplyErrorKind::LineTooLong);
    let err = Reply::parse(format!("{long}\r\n").as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ReplyErrorKind::LineTooLong);

    let many = "250-x\r\n".repeat(300);
    let err = Reply::parse(many.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ReplyErrorKind::TooManyLines);

    let mut limits = ReplyLimits::DEFAULT;
    limits.max_line = 12;
    assert!(
        Reply::parse_with_limits(b"250 short\r\n", limits)
            .unwrap()
            .is_some()
    );
    assert!(Reply::parse_with_limits(b"250 much longer\r\n", limits).is_err());
}

#[test]
fn incremental_parsing_gives_the_same_replies_at_every_split() {
    let wire = b"220 mx ESMTP\r\n250-mx\r\n250-SIZE 10\r\n250 8BITMIME\r\n550 5.1.1 no\r\n";
    let whole = parse_all(wire);
    for split in 0..=wire.len() {
        let mut buf = wire[..split].to_vec();
        let mut got = Vec::new();
        let mut drain = |buf: &mut Vec<u8>| {
            while let Some((reply, n)) = Reply::parse(buf).unwrap() {
                got.push(reply.into_owned());
                buf.drain(..n);
            }
        };
        drain(&mut buf);
        buf.extend_from_slice(&wire[split..]);
        drain(&mut buf);
        assert_eq!(got, whole, "split at {split}");
    }
}

#[test]
fn encoder_refuses_injection() {
    for text in ["a\rb", "a\0b", "a\x1bb", "a\x7fb"] {
        let reply = Reply::new(ReplyCode::OK, None, text);
        assert!(reply.to_bytes().is_err(), "{text:?}");
    }
    // LF separates lines; it never reaches the wire bare.
    let bytes = Reply::new(ReplyCode::OK, None, "one\ntwo\n")
        .to_bytes()
        .unwrap();
    assert_eq!(bytes, b"250-one\r\n250 two\r\n");
}

#[test]
fn capabilities_round_trip_through_a_reply() {
    let mut caps = Capabilities::default();
    caps.domain = "mx.example.org";
    caps.greeting = "at your service";
    caps.size = Some(10_485_760);
    caps.pipelining = true;
    caps.eight_bit_mime = true;
    caps.binary_mime = true;
    caps.chunking = true;
    caps.smtputf8 = true;
    caps.starttls = true;
    caps.dsn = true;
    caps.enhanced_status_codes = true;
    caps.requiretls = true;
    caps.auth = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::Other("SCRAM-SHA-256"),
    ];
    caps.deliver_by = Some(60);
    caps.mt_priority = Some("MIXER");
    caps.future_release = Some((604_800, "2026-12-31T00:00:00Z"));
    caps.vrfy = true;
    caps.etrn = true;
    caps.other = vec![Extension {
        keyword: "XCLIENT",
        params: "NAME ADDR",
    }];
    let bytes = caps.to_reply().to_bytes().unwrap();
    let (reply, _) = Reply::parse(&bytes).unwrap().unwrap();
    assert_eq!(Capabilities::from_ehlo(&reply), caps);
    assert!(caps.has("xclient") && caps.has("SMTPUTF8") && !caps.has("EXPN"));

    // A negative reply offers nothing.
    let (reply, _) = Reply::parse(b"502 5.5.1 EHLO not supported\r\n")
        .unwrap()
        .unwrap();
    assert_eq!(Capabilities::from_ehlo(&reply), Capabilities::default());
}

fn reply_text() -> impl Strategy<Value = String> {
    // Printable ASCII and tab lines, each may be empty; at least one line.
    prop::collection::vec("[ -~\t]{0,40}", 1..6).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #[test]
    fn value_encode_parse_is_identity(
        code in 200u16..560,
        status in prop::option::of((prop::sample::select(vec![2u8, 4, 5]), 0u16..1000, 0u16..1000)),
        text in reply_text(),
    ) {
        prop_assume!(ReplyCode::new(code).is_some());
        let code = ReplyCode::new(code).unwrap();
        // The status is read back only when its class matches the code.
        let status = status
            .and_then(|(c, s, d)| EnhancedStatus::new(c, s, d))
            .filter(|s| u16::from(s.class()) == code.get() / 100);
        // Texts that would read as a status code are out of scope here.
        prop_assume!(status.is_some() || text.split('\n').all(|l| EnhancedStatus::parse(l.split(' ').next().unwrap_or("")).is_none()));
        let reply = Reply::new(code, status, text.clone());
        let bytes = reply.to_bytes().unwrap();
        let (read, n) = Reply::parse(&bytes).unwrap().unwrap();
        prop_assert_eq!(n, bytes.len());
        prop_assert_eq!(read.code(), code);
        prop_assert_eq!(read.status(), status);
        // Leading spaces after a status are folded into the separator.
        if status.is_none() {
            // A final `\n` ends the text; it is not an empty last line.
            prop_assert_eq!(read.text(), text.strip_suffix('\n').unwrap_or(&text));
        }
        prop_assert_eq!(read.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(Some((reply, n))) = Reply::parse(&bytes) {
            prop_assert!(n <= bytes.len());
            let _ = Capabilities::from_ehlo(&reply);
            let _ = reply.text();
        }
    }
}
