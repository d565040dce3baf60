//! Every error: what is refused, where, and what a server answers.

use mailwire_pop3::encode::EncodeError;
use mailwire_pop3::parse::{CommandErrorKind, Limits, ResponseErrorKind};
use mailwire_pop3::types::{
    Capability, Command, Continuation, InitialResponse, Response, ResponseCode, SaslResponse,
    ScanListing, Secret, Status, UniqueIdListing,
};

fn command_error(line: &str) -> (CommandErrorKind, usize, &'static str) {
    let err = Command::parse(line.as_bytes()).expect_err(line);
    let response = err.response();
    assert_eq!(response.status(), Status::Err);
    assert_eq!(response.text(), err.err_text());
    assert!(
        err.offset() <= line.len(),
        "{line}: offset {}",
        err.offset()
    );
    assert!(
        err.to_string()
            .ends_with(&format!("at byte {}", err.offset()))
    );
    (err.kind(), err.offset(), err.err_text())
}

#[test]
fn unknown_commands() {
    for line in [
        "", " ", "X", "XY", "FROB", "FROBS", "HELO x", "STAT\tx", "ST", "LISTX", "-ERR", "TOPS 1",
        " STAT", "ST@T",
    ] {
        let (kind, offset, text) = command_error(line);
        assert_eq!(kind, CommandErrorKind::Unrecognized, "{line:?}");
        assert_eq!((offset, text), (0, "unknown command"));
    }
}

#[test]
fn syntax_errors_name_what_was_expected() {
    let cases: &[(&str, &str, usize)] = &[
        ("USER", "user name", 4),
        ("USER a b", "no more arguments", 7),
        ("USER a\u{1}b", "user name", 5),
        ("PASS", "password", 4),
        ("PASS ", "password", 5),
        ("PASS a\u{0}b", "password", 6),
        ("APOP mrose", "APOP digest", 10),
        ("APOP mrose xyz", "APOP digest", 11),
        (
            "APOP mrose c4c9334bac560ecc979e58001b3e22fbX",
            "APOP digest",
            11,
        ),
        (
            "APOP mrose c4c9334bac560ecc979e58001b3e22fb x",
            "no more arguments",
            44,
        ),
        ("APOP", "user name", 4),
        ("AUTH PL@IN", "SASL mechanism", 5),
        ("AUTH ABCDEFGHIJKLMNOPQRSTU", "SASL mechanism", 5),
        ("AUTH PLAIN a!b", "base64 or \"=\"", 11),
        ("AUTH PLAIN = x", "no more arguments", 13),
        ("STAT 1", "no argument", 5),
        ("NOOP x", "no argument", 5),
        ("RSET x", "no argument", 5),
        ("QUIT now", "no argument", 5),
        ("CAPA x", "no argument", 5),
        ("STLS x", "no argument", 5),
        ("UTF8 x", "no argument", 5),
        ("LIST x", "message number", 5),
        ("LIST 1 2", "no more arguments", 7),
        ("LIST -1", "message number", 5),
        ("LIST 4294967296", "message number", 5),
        ("LIST 12345678901", "message number", 5),
        ("UIDL +1", "message number", 5),
        ("RETR", "message number", 4),
        ("RETR 1x", "message number", 5),
        ("DELE", "message number", 4),
        ("TOP", "message number", 3),
        ("TOP 1", "number of lines", 5),
        ("TOP 1 x", "number of lines", 6),
        ("TOP 1 2 3", "no more arguments", 8),
        ("LANG en_US", "language tag or \"*\"", 5),
        ("LANG en fr", "no more arguments", 8),
    ];
    for &(line, what, at) in cases {
        let (kind, offset, text) = command_error(line);
        assert_eq!(kind, CommandErrorKind::Syntax(what), "{line:?}");
        assert_eq!(offset, at, "{line:?}");
        assert_eq!(text, format!("syntax error, expected {what}"), "{line:?}");
    }
}

#[test]
fn the_largest_message_number_is_u32_max() {
    assert_eq!(
        Command::parse(b"RETR 4294967295").unwrap(),
        Command::Retr { msg: u32::MAX }
    );
    assert_eq!(
        Command::parse(b"RETR 0007").unwrap(),
        Command::Retr { msg: 7 }
    );
}

#[test]
fn long_and_non_utf8_lines() {
    let long = format!("USER {}", "a".repeat(249)); // 254 + CRLF = 256
    let (kind, offset, text) = command_error(&long);
    assert_eq!(kind, CommandErrorKind::TooLong { max: 255 });
    assert_eq!((offset, text), (253, "command line too long"));
    let fits = format!("USER {}", "a".repeat(248));
    assert!(Command::parse(fits.as_bytes()).is_ok());
    let mut limits = Limits::DEFAULT;
    limits.max_command_line = 10;
    let err = Command::parse_with_limits(b"USER abcdef", &limits).unwrap_err();
    assert_eq!(err.kind(), CommandErrorKind::TooLong { max: 10 });

    let err = Command::parse(b"USER j\xf6rg").unwrap_err();
    assert_eq!((err.kind(), err.offset()), (CommandErrorKind::NotUtf8, 6));
    assert_eq!(err.response().code(), Some(&ResponseCode::Utf8));
    assert_eq!(
        err.response().to_bytes().unwrap(),
        b"-ERR [UTF8] command is not UTF-8\r\n"
    );
}

#[test]
fn sasl_response_errors() {
    let err = SaslResponse::parse(b"dGVz dA==").unwrap_err();
    assert_eq!(
        (err.kind(), err.offset()),
        (CommandErrorKind::Syntax("base64 or \"*\""), 4)
    );
    assert!(SaslResponse::parse(b"**").is_err());
    assert!(SaslResponse::parse(b"\xff").is_err());
}

#[test]
fn response_errors() {
    let cases: &[(&[u8], ResponseErrorKind, usize)] = &[
        (b"", ResponseErrorKind::Status, 0),
        (b"OK", ResponseErrorKind::Status, 0),
        (b"+O", ResponseErrorKind::Status, 0),
        (b"-ER", ResponseErrorKind::Status, 0),
        (b"250 ok", ResponseErrorKind::Status, 0),
        (b"+ challenge", ResponseErrorKind::Status, 0),
        (
            b"+OKAY",
            ResponseErrorKind::Syntax("space after the status"),
            3,
        ),
        (
            b"-ERRor",
            ResponseErrorKind::Syntax("space after the status"),
            4,
        ),
        (
            b"+OK a\x00b",
            ResponseErrorKind::Syntax("text without control characters"),
            5,
        ),
        (
            b"+OK a\rb",
            ResponseErrorKind::Syntax("text without control characters"),
            5,
        ),
        (
            b"-ERR [IN-USE] \x1b[31m",
            ResponseErrorKind::Syntax("text without control characters"),
            14,
        ),
    ];
    for &(line, kind, at) in cases {
        let err = Response::parse(line).expect_err(&String::from_utf8_lossy(line));
        assert_eq!((err.kind(), err.offset()), (kind, at), "{line:?}");
        assert!(err.to_string().ends_with(&format!("at byte {at}")));
    }
    let long = format!("+OK {}", "x".repeat(507)); // 511 + CRLF = 513
    let err = Response::parse(long.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ResponseErrorKind::TooLong { max: 512 });
    assert!(Response::parse(&long.as_bytes()[1..]).is_err()); // no status
    assert!(Response::parse(format!("+OK {}", "x".repeat(506)).as_bytes()).is_ok());

    // Malformed codes stay text.
    for text in ["[]", "[IN-USE", "[A//B] x", "[/A]", "[A B] c", "[A]"] {
        let line = format!("-ERR {text}");
        let r = Response::parse(line.as_bytes()).unwrap();
        if text == "[A]" {
            assert_eq!(r.code(), Some(&ResponseCode::Other("A".into())));
        } else {
            assert_eq!((r.code(), r.text()), (None, text), "{text}");
        }
    }
}

#[test]
fn continuation_errors() {
    for line in [&b"+OK"[..], b"+x", b"", b"-", b"++"] {
        let err = Continuation::parse(line).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ResponseErrorKind::Status, 0));
    }
    let err = Continuation::parse(b"+ a\x00").unwrap_err();
    assert_eq!(err.offset(), 3);
    let long = format!("+ {}", "A".repeat(600));
    assert_eq!(
        Continuation::parse(long.as_bytes()).unwrap_err().kind(),
        ResponseErrorKind::TooLong { max: 512 }
    );
    assert!(Continuation::parse_with_limits(long.as_bytes(), &Limits::UNLIMITED).is_ok());
}

#[test]
fn listing_errors() {
    for line in [
        &b""[..],
        b"1",
        b"x 1",
        b"1 x",
        b"1  2",
        b"-1 2",
        b"4294967296 1",
        b"1 ",
    ] {
        assert!(ScanListing::parse(line).is_err(), "{line:?}");
    }
    assert_eq!(
        ScanListing::parse(b"1 120 extra info\r\n").unwrap(),
        ScanListing { msg: 1, size: 120 }
    );
    let long_uid = format!("1 {}", "u".repeat(71));
    for line in [
        &b"1"[..],
        b"1 ",
        b"1 a b",
        b"x a",
        b"1 \x7f",
        b"1 \xc3\xa9",
        long_uid.as_bytes(),
    ] {
        let err = UniqueIdListing::parse(line).unwrap_err();
        assert!(
            matches!(err.kind(), ResponseErrorKind::Syntax(_)),
            "{line:?}"
        );
    }
    assert!(UniqueIdListing::parse(format!("1 {}", "u".repeat(70)).as_bytes()).is_ok());
}

#[test]
fn capability_errors() {
    let cases: &[(&[u8], ResponseErrorKind, usize)] = &[
        (b"", ResponseErrorKind::Syntax("capability name"), 0),
        (b" TOP", ResponseErrorKind::Syntax("capability name"), 0),
        (b".", ResponseErrorKind::Syntax("capability name"), 0),
        (b"X.Y", ResponseErrorKind::Syntax("capability name"), 1),
        (b"TOP\x01", ResponseErrorKind::Syntax("capability name"), 3),
        (
            b"SASL PLAIN\tLOGIN",
            ResponseErrorKind::Syntax("capability parameter"),
            10,
        ),
        (b"IMPLEMENTATION \xff", ResponseErrorKind::NotUtf8, 15),
    ];
    for &(line, kind, at) in cases {
        let err = Capability::parse(line).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (kind, at), "{line:?}");
    }
}

fn refused(result: Result<Vec<u8>, EncodeError>) -> EncodeError {
    result.expect_err("should be refused")
}

#[test]
fn command_encoders_refuse_injection_and_bad_fields() {
    let forbidden = |field, byte| EncodeError::ForbiddenByte { field, byte };
    let cases: Vec<(Command<'_>, EncodeError)> = vec![
        (
            Command::User {
                name: "a\r\nDELE 1",
            },
            forbidden("user name", b'\r'),
        ),
        (
            Command::User { name: "a\nb" },
            forbidden("user name", b'\n'),
        ),
        (Command::User { name: "a\0" }, forbidden("user name", 0)),
        (Command::User { name: "a b" }, forbidden("user name", b' ')),
        (
            Command::User { name: "" },
            EncodeError::Invalid {
                field: "user name",
                reason: "empty",
            },
        ),
        (
            Command::Pass {
                password: Secret::new("x\r\nDELE 1"),
            },
            forbidden("password", b'\r'),
        ),
        (
            Command::Pass {
                password: Secret::new(""),
            },
            EncodeError::Invalid {
                field: "password",
                reason: "empty",
            },
        ),
        (
            Command::Apop {
                name: "a",
                digest: "abc",
            },
            EncodeError::Invalid {
                field: "APOP digest",
                reason: "not 32 hex digits",
            },
        ),
        (
            Command::Apop {
                name: "a",
                digest: "c4c9334bac560ecc979e58001b3e22f\n",
            },
            forbidden("APOP digest", b'\n'),
        ),
        (
            Command::Auth {
                mechanism: Some("PL AIN"),
                initial_response: None,
            },
            EncodeError::Invalid {
                field: "SASL mechanism",
                reason: "not 1 to 20 of A-Z 0-9 - _",
            },
        ),
        (
            Command::Auth {
                mechanism: Some("PLAIN\r\n"),
                initial_response: None,
            },
            forbidden("SASL mechanism", b'\r'),
        ),
        (
            Command::Auth {
                mechanism: Some("PLAIN"),
                initial_response: Some(InitialResponse::Base64(Secret::new("a\nb"))),
            },
            forbidden("AUTH initial response", b'\n'),
        ),
        (
            Command::Auth {
                mechanism: Some("PLAIN"),
                initial_response: Some(InitialResponse::Base64(Secret::new(""))),
            },
            EncodeError::Invalid {
                field: "AUTH initial response",
                reason: "not base64",
            },
        ),
        (
            Command::Auth {
                mechanism: Some("PLAIN"),
                initial_response: Some(InitialResponse::Base64(Secret::new("="))),
            },
            EncodeError::Invalid {
                field: "AUTH initial response",
                reason: "not base64",
            },
        ),
        (
            Command::Auth {
                mechanism: None,
                initial_response: Some(InitialResponse::Empty),
            },
            EncodeError::Invalid {
                field: "AUTH initial response",
                reason: "given without a mechanism",
            },
        ),
        (
            Command::Lang {
                tag: Some("en\r\n"),
            },
            forbidden("language tag", b'\r'),
        ),
        (
            Command::Lang { tag: Some("en us") },
            EncodeError::Invalid {
                field: "language tag",
                reason: "not a language tag or \"*\"",
            },
        ),
    ];
    for (command, expected) in cases {
        let mut out = b"kept".to_vec();
        let err = command.encode(&mut out).unwrap_err();
        assert_eq!(err, expected, "{command:?}");
        assert_eq!(out, b"kept", "a refused value writes nothing");
    }
}

#[test]
fn response_encoders_refuse_injection_and_bad_fields() {
    assert_eq!(
        refused(Response::ok("a\r\n+OK b").to_bytes()),
        EncodeError::ForbiddenByte {
            field: "response text",
            byte: b'\r'
        }
    );
    assert_eq!(
        refused(Response::err("\0").to_bytes()),
        EncodeError::ForbiddenByte {
            field: "response text",
            byte: 0
        }
    );
    assert!(matches!(
        refused(Response::ok("[SYS/TEMP] spoofed").to_bytes()),
        EncodeError::Invalid {
            field: "response text",
            ..
        }
    ));
    assert!(Response::ok("[not a code").to_bytes().is_ok());
    for bad in ["", "A]B", "A B", "A//B", "/", "A\r"] {
        let r = Response::new(Status::Err, Some(ResponseCode::Other(bad.into())), "x");
        assert!(r.to_bytes().is_err(), "{bad:?}");
    }
    assert_eq!(
        refused(Continuation::new("a\nb").to_bytes()),
        EncodeError::ForbiddenByte {
            field: "continuation",
            byte: b'\n'
        }
    );
    assert_eq!(
        refused(SaslResponse::Data(Secret::new("a b")).to_bytes()),
        EncodeError::Invalid {
            field: "SASL response",
            reason: "not base64"
        }
    );
    assert_eq!(
        refused(SaslResponse::Data(Secret::new("a\r\n")).to_bytes()),
        EncodeError::ForbiddenByte {
            field: "SASL response",
            byte: b'\r'
        }
    );
    assert_eq!(
        refused(
            UniqueIdListing {
                msg: 1,
                uid: "a\r\n2 b"
            }
            .to_bytes()
        ),
        EncodeError::ForbiddenByte {
            field: "unique id",
            byte: b'\r'
        }
    );
    assert!(UniqueIdListing { msg: 1, uid: "" }.to_bytes().is_err());
    assert!(UniqueIdListing { msg: 1, uid: "é" }.to_bytes().is_err());
    assert_eq!(
        refused(Capability::new("TOP\r\n.", "").to_bytes()),
        EncodeError::ForbiddenByte {
            field: "capability name",
            byte: b'\r'
        }
    );
    assert_eq!(
        refused(Capability::new("SASL", "PLAIN\r\n.\r\n").to_bytes()),
        EncodeError::ForbiddenByte {
            field: "capability parameter",
            byte: b'\r'
        }
    );
    assert!(Capability::new("", "x").to_bytes().is_err());
    assert!(Capability::new("A B", "").to_bytes().is_err());
}

#[test]
fn debug_never_shows_credentials() {
    let secret = "hunter2";
    let values: Vec<String> = vec![
        format!(
            "{:?}",
            Command::Pass {
                password: Secret::new(secret)
            }
        ),
        format!(
            "{:?}",
            Command::Auth {
                mechanism: Some("PLAIN"),
                initial_response: Some(InitialResponse::Base64(Secret::new(secret))),
            }
        ),
        format!("{:?}", SaslResponse::Data(Secret::new(secret))),
        format!("{:?}", Command::parse(b"PASS hunter2").unwrap()),
        format!("{:?}", SaslResponse::parse(b"hunter2").unwrap()),
    ];
    for text in values {
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}

#[cfg(feature = "tokio")]
mod codec {
    use bytes::BytesMut;
    use mailwire_core::{BarePolicy, ErrorKind, dot::DotEncoder};
    use mailwire_pop3::codec::{
        Body, ClientCodec, ClientFrame, CodecError, CommandLine, ServerCodec, ServerFrame,
    };
    use mailwire_pop3::parse::Limits;
    use mailwire_pop3::types::{Command, ResponseKind};
    use tokio_util::codec::{Decoder, Encoder};

    #[test]
    fn server_codec_reports_bad_lines_as_frames_and_goes_on() {
        let mut codec = ServerCodec::new();
        let mut input = BytesMut::new();
        input.extend_from_slice(&[b'A'; 300]);
        input.extend_from_slice(b"\r\nNOOP\nSTAT\r\nFROB\r\n");
        let Some(ClientFrame::LineError(e)) = codec.decode(&mut input).unwrap() else {
            panic!()
        };
        assert!(matches!(e.kind(), ErrorKind::LineTooLong { .. }));
        let Some(ClientFrame::LineError(e)) = codec.decode(&mut input).unwrap() else {
            panic!()
        };
        assert_eq!(e.kind(), ErrorKind::BareLf);
        let Some(ClientFrame::Command(line)) = codec.decode(&mut input).unwrap() else {
            panic!()
        };
        assert_eq!(line.parse().unwrap(), Command::Stat);
        let Some(ClientFrame::Command(line)) = codec.decode(&mut input).unwrap() else {
            panic!()
        };
        assert_eq!(line.parse().unwrap_err().err_text(), "unknown command");
        assert_eq!(codec.decode(&mut input).unwrap(), None);
        assert_eq!(format!("{line:?}"), "CommandLine(\"FROB\" ..)");
        assert_eq!(CommandLine::from_static(b"X").into_bytes(), "X");
    }

    #[test]
    fn server_codec_refuses_bad_output() {
        let mut codec = ServerCodec::with_parts(
            mailwire_core::LineFramer::new(255),
            DotEncoder::new().bare_lf(BarePolicy::Reject),
        );
        let mut out = BytesMut::new();
        let err = codec
            .encode(Body::Chunk(&b"a\nb"[..]), &mut out)
            .unwrap_err();
        assert!(matches!(err, CodecError::Body(_)));
        let err = codec
            .encode(mailwire_pop3::types::Response::ok("\r"), &mut out)
            .unwrap_err();
        assert!(matches!(err, CodecError::Encode(_)));
        assert_eq!(codec.max_line(), 255);
        codec.set_max_line(4096);
        assert_eq!(codec.max_line(), 4096);
    }

    #[test]
    fn client_codec_fails_on_what_is_not_a_response() {
        let mut codec = ClientCodec::new();
        let mut input = BytesMut::from(&b"220 smtp.example.org ESMTP\r\n"[..]);
        assert!(matches!(
            codec.decode(&mut input),
            Err(CodecError::Response(_))
        ));
        let mut input = BytesMut::new();
        input.extend_from_slice(b"+OK ");
        input.extend_from_slice(&[b'x'; 600]);
        let err = codec.decode(&mut input).unwrap_err();
        assert!(matches!(err, CodecError::Line(_)), "{err:?}");
        assert!(err.to_string().starts_with("response line:"));
        let mut codec = ClientCodec::new();
        let mut input = BytesMut::from(&b"+OK a\rb\r\n"[..]);
        assert!(codec.decode(&mut input).is_err());
    }

    #[test]
    fn client_codec_reports_an_oversized_body_and_reads_to_its_end() {
        let mut limits = Limits::DEFAULT;
        limits.max_body_size = 10;
        let mut codec = ClientCodec::with_limits(&limits).after_greeting();
        codec.expect(ResponseKind::MultiLine);
        let mut input =
            BytesMut::from(&b"+OK\r\n0123456789abcdef\r\nmore\r\n.\r\n+OK next\r\n"[..]);
        let mut data = Vec::new();
        let mut defects = 0;
        let mut ends = 0;
        let mut responses = 0;
        while let Some(frame) = codec.decode(&mut input).unwrap() {
            match frame {
                ServerFrame::Data(d) => data.extend_from_slice(&d),
                ServerFrame::BodyDefect(e) => {
                    assert!(matches!(e.kind(), ErrorKind::LimitExceeded { .. }));
                    defects += 1;
                }
                ServerFrame::End => ends += 1,
                ServerFrame::Response(_) => responses += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((defects, ends, responses), (1, 1, 2));
        assert_eq!(data, b"0123456789");
    }

    #[test]
    fn client_codec_refuses_bad_commands_without_expecting_a_response() {
        let mut codec = ClientCodec::new();
        let mut out = BytesMut::new();
        assert!(
            codec
                .encode(Command::User { name: "a\r\nb" }, &mut out)
                .is_err()
        );
        assert_eq!(codec.pending(), 0);
        assert!(out.is_empty());
    }
}
