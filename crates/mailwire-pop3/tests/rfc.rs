//! The examples of RFC 1939 (sections 5, 7 and 10), RFC 2449 (CAPA),
//! RFC 5034 (AUTH), RFC 2595 (STLS), RFC 3206 and RFC 6856, played through
//! the parsers, the encoders and both codecs.
#![cfg(feature = "tokio")]

use bytes::BytesMut;
use mailwire_pop3::codec::{Body, ClientCodec, ClientFrame, ServerCodec, ServerFrame};
use mailwire_pop3::types::{
    Capability, Command, Continuation, InitialResponse, Response, ResponseCode, SaslResponse,
    ScanListing, Secret, Status, UniqueIdListing, apop_digest,
};
use tokio_util::codec::{Decoder, Encoder};

/// What a server sends in a transcript: a status line, maybe a body.
enum Answer<'a> {
    Line(&'a str),
    Multi(&'a str, &'a [&'a str]),
    Challenge(&'a str),
}

/// Plays a transcript: the client encodes each command, the server codec
/// reads it back; the server codec writes each answer, the client codec
/// reads it back. Returns the client's frames per step, bodies joined.
fn play(greeting: &str, steps: &[(Option<Command<'_>>, Answer<'_>)]) -> Vec<Vec<Frame>> {
    let mut client = ClientCodec::new();
    let mut server = ServerCodec::new();
    let mut wire_up = BytesMut::new();
    let mut wire_down = BytesMut::new();
    let mut transcript = Vec::new();

    server
        .encode(
            Response::parse(greeting.as_bytes()).unwrap(),
            &mut wire_down,
        )
        .unwrap();
    transcript.push(drain(&mut client, &mut wire_down));

    for (command, answer) in steps {
        if let Some(command) = command {
            client.encode(command, &mut wire_up).unwrap();
            let Some(ClientFrame::Command(line)) = server.decode(&mut wire_up).unwrap() else {
                panic!("no command line")
            };
            assert_eq!(&line.parse().unwrap(), command);
        }
        match answer {
            Answer::Line(line) => {
                let response = Response::parse(line.as_bytes()).unwrap();
                assert_eq!(
                    response.to_bytes().unwrap(),
                    format!("{line}\r\n").into_bytes(),
                    "RFC text reads and writes back the same"
                );
                server.encode(&response, &mut wire_down).unwrap();
            }
            Answer::Multi(line, body) => {
                server
                    .encode(Response::parse(line.as_bytes()).unwrap(), &mut wire_down)
                    .unwrap();
                for body_line in *body {
                    server
                        .encode(Body::Chunk(format!("{body_line}\r\n")), &mut wire_down)
                        .unwrap();
                }
                server.encode(Body::<&[u8]>::End, &mut wire_down).unwrap();
            }
            Answer::Challenge(data) => server
                .encode(Continuation::new(data), &mut wire_down)
                .unwrap(),
        }
        transcript.push(drain(&mut client, &mut wire_down));
    }
    assert!(wire_up.is_empty() && wire_down.is_empty());
    transcript
}

#[derive(Debug, PartialEq, Eq)]
enum Frame {
    Response(Response<'static>),
    Continuation(String),
    Body(Vec<u8>),
}

fn drain(client: &mut ClientCodec, wire: &mut BytesMut) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut body: Option<Vec<u8>> = None;
    while let Some(frame) = client.decode(wire).unwrap() {
        match frame {
            ServerFrame::Response(r) => {
                frames.push(Frame::Response(r));
                if client.in_body() {
                    body = Some(Vec::new());
                }
            }
            ServerFrame::Continuation(c) => frames.push(Frame::Continuation(c.data().to_owned())),
            ServerFrame::Data(d) => body.as_mut().unwrap().extend_from_slice(&d),
            ServerFrame::End => frames.push(Frame::Body(body.take().unwrap())),
            other => panic!("{other:?}"),
        }
    }
    assert!(body.is_none(), "body not ended");
    frames
}

fn ok(text: &str) -> Frame {
    Frame::Response(Response::ok(text).into_owned())
}

fn err(text: &str) -> Frame {
    Frame::Response(Response::err(text).into_owned())
}

fn body(lines: &[&str]) -> Frame {
    Frame::Body(
        lines
            .iter()
            .flat_map(|l| format!("{l}\r\n").into_bytes())
            .collect(),
    )
}

/// RFC 1939 section 10, the example POP3 session (message bodies stand
/// in for "<the POP3 server sends message N>", one starting with a
/// period to exercise the stuffing).
#[test]
fn rfc1939_section10_example_session() {
    let msg1: &[&str] = &["Subject: one", "", ".a line with a dot", "bye"];
    let msg2: &[&str] = &["Subject: two", "", "..", "."];
    let t = play(
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
        &[
            (
                Some(Command::Apop {
                    name: "mrose",
                    digest: "c4c9334bac560ecc979e58001b3e22fb",
                }),
                Answer::Line("+OK mrose's maildrop has 2 messages (320 octets)"),
            ),
            (Some(Command::Stat), Answer::Line("+OK 2 320")),
            (
                Some(Command::List { msg: None }),
                Answer::Multi("+OK 2 messages (320 octets)", &["1 120", "2 200"]),
            ),
            (
                Some(Command::Retr { msg: 1 }),
                Answer::Multi("+OK 120 octets", msg1),
            ),
            (
                Some(Command::Dele { msg: 1 }),
                Answer::Line("+OK message 1 deleted"),
            ),
            (
                Some(Command::Retr { msg: 2 }),
                Answer::Multi("+OK 200 octets", msg2),
            ),
            (
                Some(Command::Dele { msg: 2 }),
                Answer::Line("+OK message 2 deleted"),
            ),
            (
                Some(Command::Quit),
                Answer::Line("+OK dewey POP3 server signing off (maildrop empty)"),
            ),
        ],
    );
    let Frame::Response(greeting) = &t[0][0] else {
        panic!()
    };
    let stamp = greeting.apop_timestamp().unwrap();
    assert_eq!(stamp, "<1896.697170952@dbc.mtview.ca.us>");
    assert_eq!(
        apop_digest(stamp, "tanstaaf"),
        "c4c9334bac560ecc979e58001b3e22fb"
    );
    let Frame::Response(stat) = &t[2][0] else {
        panic!()
    };
    assert_eq!(stat.drop_listing(), Some((2, 320)));
    assert_eq!(
        t[3],
        [ok("2 messages (320 octets)"), body(&["1 120", "2 200"])]
    );
    let Frame::Body(listing) = &t[3][1] else {
        panic!()
    };
    let scans: Vec<ScanListing> = listing
        .split_inclusive(|&b| b == b'\n')
        .map(|l| ScanListing::parse(l).unwrap())
        .collect();
    assert_eq!(
        scans,
        [
            ScanListing { msg: 1, size: 120 },
            ScanListing { msg: 2, size: 200 }
        ]
    );
    assert_eq!(t[4], [ok("120 octets"), body(msg1)]);
    assert_eq!(t[6], [ok("200 octets"), body(msg2)]);
    assert_eq!(t[8], [ok("dewey POP3 server signing off (maildrop empty)")]);
}

/// The wire bytes of section 10's LIST exchange, exactly.
#[test]
fn rfc1939_section10_list_bytes() {
    let mut server = ServerCodec::new();
    let mut out = BytesMut::new();
    server
        .encode(Response::ok("2 messages (320 octets)"), &mut out)
        .unwrap();
    for scan in [
        ScanListing { msg: 1, size: 120 },
        ScanListing { msg: 2, size: 200 },
    ] {
        server
            .encode(Body::Chunk(scan.to_bytes()), &mut out)
            .unwrap();
    }
    server.encode(Body::<&[u8]>::End, &mut out).unwrap();
    assert_eq!(
        &out[..],
        b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n"
    );
}

/// RFC 1939 section 5: STAT, LIST, RETR, DELE, NOOP, RSET examples.
#[test]
fn rfc1939_section5_examples() {
    let t = play(
        "+OK POP3 server ready",
        &[
            (Some(Command::Stat), Answer::Line("+OK 2 320")),
            (
                Some(Command::List { msg: Some(2) }),
                Answer::Line("+OK 2 200"),
            ),
            (
                Some(Command::List { msg: Some(3) }),
                Answer::Line("-ERR no such message, only 2 messages in maildrop"),
            ),
            (
                Some(Command::Retr { msg: 1 }),
                Answer::Multi("+OK 120 octets", &["x"]),
            ),
            (
                Some(Command::Dele { msg: 1 }),
                Answer::Line("+OK message 1 deleted"),
            ),
            (
                Some(Command::Dele { msg: 2 }),
                Answer::Line("-ERR message 2 already deleted"),
            ),
            (Some(Command::Noop), Answer::Line("+OK")),
            (
                Some(Command::Rset),
                Answer::Line("+OK maildrop has 2 messages (320 octets)"),
            ),
        ],
    );
    let Frame::Response(list2) = &t[2][0] else {
        panic!()
    };
    assert_eq!(
        list2.scan_listing(),
        Some(ScanListing { msg: 2, size: 200 })
    );
    // A -ERR to a multi-line command has no body.
    assert_eq!(t[3], [err("no such message, only 2 messages in maildrop")]);
    assert_eq!(t[4], [ok("120 octets"), body(&["x"])]);
    assert_eq!(t[7], [ok("")]);
}

/// RFC 1939 section 7: TOP, UIDL, USER, PASS, APOP examples.
#[test]
fn rfc1939_section7_examples() {
    let t = play(
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
        &[
            (
                Some(Command::User { name: "frated" }),
                Answer::Line("-ERR sorry, no mailbox for frated here"),
            ),
            (
                Some(Command::User { name: "mrose" }),
                Answer::Line("+OK mrose is a real hoopy frood"),
            ),
            (
                Some(Command::Pass {
                    password: Secret::new("secret"),
                }),
                Answer::Line("-ERR maildrop already locked"),
            ),
            (
                Some(Command::Pass {
                    password: Secret::new("secret"),
                }),
                Answer::Line("+OK mrose's maildrop has 2 messages (320 octets)"),
            ),
            (
                Some(Command::Top { msg: 1, lines: 10 }),
                Answer::Multi("+OK", &["Subject: x", "", "line 1"]),
            ),
            (
                Some(Command::Top { msg: 100, lines: 3 }),
                Answer::Line("-ERR no such message"),
            ),
            (
                Some(Command::Uidl { msg: None }),
                Answer::Multi(
                    "+OK",
                    &["1 whqtswO00WBw418f9t5JxYwZ", "2 QhdPYR:00WBw1Ph7x7"],
                ),
            ),
            (
                Some(Command::Uidl { msg: Some(2) }),
                Answer::Line("+OK 2 QhdPYR:00WBw1Ph7x7"),
            ),
            (
                Some(Command::Uidl { msg: Some(3) }),
                Answer::Line("-ERR no such message, only 2 messages in maildrop"),
            ),
        ],
    );
    assert_eq!(t[5], [ok(""), body(&["Subject: x", "", "line 1"])]);
    assert_eq!(t[6], [err("no such message")]);
    let Frame::Body(uids) = &t[7][1] else {
        panic!()
    };
    let uids: Vec<_> = uids
        .split_inclusive(|&b| b == b'\n')
        .map(|l| UniqueIdListing::parse(l).unwrap().uid.to_owned())
        .collect();
    assert_eq!(uids, ["whqtswO00WBw418f9t5JxYwZ", "QhdPYR:00WBw1Ph7x7"]);
    let Frame::Response(one) = &t[8][0] else {
        panic!()
    };
    assert_eq!(one.unique_id().unwrap().uid, "QhdPYR:00WBw1Ph7x7");

    // The APOP example, on the wire.
    assert_eq!(
        Command::parse(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n").unwrap(),
        Command::Apop {
            name: "mrose",
            digest: "c4c9334bac560ecc979e58001b3e22fb"
        }
    );
    assert_eq!(
        apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"),
        "c4c9334bac560ecc979e58001b3e22fb"
    );
}

/// RFC 2449 section 5, the CAPA example.
#[test]
fn rfc2449_capa_example() {
    let capa: &[&str] = &[
        "TOP",
        "USER",
        "SASL CRAM-MD5 KERBEROS_V4",
        "RESP-CODES",
        "LOGIN-DELAY 900",
        "PIPELINING",
        "EXPIRE 60",
        "UIDL",
        "IMPLEMENTATION Shlemazle-Plotz-v302",
    ];
    let t = play(
        "+OK",
        &[(
            Some(Command::Capa),
            Answer::Multi("+OK Capability list follows", capa),
        )],
    );
    let Frame::Body(list) = &t[1][1] else {
        panic!()
    };
    let caps: Vec<Capability<'_>> = list
        .split_inclusive(|&b| b == b'\n')
        .map(|l| Capability::parse(l).unwrap())
        .collect();
    assert_eq!(caps.len(), 9);
    assert!(caps[2].is("SASL"));
    assert_eq!(
        caps[2].params().collect::<Vec<_>>(),
        ["CRAM-MD5", "KERBEROS_V4"]
    );
    assert_eq!(caps[4].params().next(), Some("900"));
    for (cap, text) in caps.iter().zip(capa) {
        assert_eq!(cap.to_bytes().unwrap(), format!("{text}\r\n").into_bytes());
    }
}

/// RFC 2449 section 8 and RFC 3206: extended response codes.
#[test]
fn rfc2449_rfc3206_response_codes() {
    for (line, code) in [
        (
            "-ERR [IN-USE] Do you have another POP session running?",
            ResponseCode::InUse,
        ),
        (
            "-ERR [LOGIN-DELAY] minimum time between logins is 15 minutes",
            ResponseCode::LoginDelay,
        ),
        (
            "-ERR [SYS/TEMP] Problem accessing mailbox",
            ResponseCode::SysTemp,
        ),
        (
            "-ERR [SYS/PERM] Mailbox permanently unavailable",
            ResponseCode::SysPerm,
        ),
        ("-ERR [AUTH] Invalid password", ResponseCode::Auth),
        ("-ERR [UTF8] UTF8 mode required", ResponseCode::Utf8),
        (
            "-ERR [X-VENDOR/THING] other",
            ResponseCode::Other("X-VENDOR/THING".into()),
        ),
    ] {
        let r = Response::parse(line.as_bytes()).unwrap();
        assert_eq!(r.status(), Status::Err);
        assert_eq!(r.code(), Some(&code), "{line}");
        assert_eq!(r.to_bytes().unwrap(), format!("{line}\r\n").into_bytes());
    }
}

/// RFC 5034 section 6 examples: AUTH PLAIN with and without an initial
/// response, the empty challenge `+`, and a cancelled exchange.
#[test]
fn rfc5034_auth_examples() {
    let t = play(
        "+OK pop.example.com BlurdyBlurp POP3 server ready",
        &[
            (
                Some(Command::Capa),
                Answer::Multi(
                    "+OK List of capabilities follows",
                    &[
                        "SASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS",
                        "STLS",
                        "IMPLEMENTATION BlurdyBlurp POP3 server",
                    ],
                ),
            ),
            (
                Some(Command::Auth {
                    mechanism: Some("PLAIN"),
                    initial_response: None,
                }),
                Answer::Challenge(""),
            ),
            (None, Answer::Line("+OK Maildrop locked and ready")),
            (Some(Command::Quit), Answer::Line("+OK bye")),
        ],
    );
    assert_eq!(t[2], [Frame::Continuation(String::new())]);
    assert_eq!(t[3], [ok("Maildrop locked and ready")]);
    assert_eq!(t[4], [ok("bye")]);

    // The client's answer to the challenge, and the exact bytes.
    let line = b"dGVzdAB0ZXN0AHRlc3Q=\r\n";
    let response = SaslResponse::parse(line).unwrap();
    assert_eq!(
        response,
        SaslResponse::Data(Secret::new("dGVzdAB0ZXN0AHRlc3Q="))
    );
    assert_eq!(response.to_bytes().unwrap(), line);
    // The server's bare "+" reads as an empty challenge.
    assert_eq!(
        Continuation::parse(b"S: +".get(3..).unwrap())
            .unwrap()
            .data(),
        ""
    );

    // With an initial response, and with "=" for an empty one.
    let cmd = Command::parse(b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n").unwrap();
    assert_eq!(
        cmd,
        Command::Auth {
            mechanism: Some("PLAIN"),
            initial_response: Some(InitialResponse::Base64(Secret::new("dGVzdAB0ZXN0AHRlc3Q="))),
        }
    );
    assert_eq!(
        cmd.to_bytes().unwrap(),
        b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"
    );
    let empty = Command::parse(b"AUTH EXTERNAL =").unwrap();
    assert_eq!(
        empty,
        Command::Auth {
            mechanism: Some("EXTERNAL"),
            initial_response: Some(InitialResponse::Empty)
        }
    );
    assert_eq!(empty.to_bytes().unwrap(), b"AUTH EXTERNAL =\r\n");

    // A DIGEST-MD5-style exchange with a challenge, cancelled by "*".
    let mut client = ClientCodec::new().after_greeting();
    let mut out = BytesMut::new();
    client
        .encode(
            Command::Auth {
                mechanism: Some("DIGEST-MD5"),
                initial_response: None,
            },
            &mut out,
        )
        .unwrap();
    client.encode(SaslResponse::Cancel, &mut out).unwrap();
    assert_eq!(&out[..], b"AUTH DIGEST-MD5\r\n*\r\n");
    let mut input = BytesMut::from(
        &b"+ cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCI=\r\n-ERR [AUTH] cancelled\r\n"[..],
    );
    let Some(ServerFrame::Continuation(c)) = client.decode(&mut input).unwrap() else {
        panic!()
    };
    assert!(c.data().starts_with("cmVhbG09"));
    assert_eq!(
        client.pending(),
        1,
        "a continuation does not end the exchange"
    );
    let Some(ServerFrame::Response(r)) = client.decode(&mut input).unwrap() else {
        panic!()
    };
    assert_eq!(r.code(), Some(&ResponseCode::Auth));
    assert_eq!(client.pending(), 0);

    // A bare AUTH lists mechanisms in a multi-line response.
    let t = play(
        "+OK",
        &[(
            Some(Command::Auth {
                mechanism: None,
                initial_response: None,
            }),
            Answer::Multi("+OK", &["PLAIN", "LOGIN"]),
        )],
    );
    assert_eq!(t[1], [ok(""), body(&["PLAIN", "LOGIN"])]);
}

/// RFC 2595 section 4: STLS, announced in CAPA, answered `+OK`; pipelined
/// bytes after it stay in the buffer for the caller to drop.
#[test]
fn rfc2595_stls() {
    let t = play(
        "+OK POP3 server ready",
        &[
            (Some(Command::Capa), Answer::Multi("+OK", &["STLS", "USER"])),
            (
                Some(Command::Stls),
                Answer::Line("+OK Begin TLS negotiation"),
            ),
        ],
    );
    let Frame::Body(caps) = &t[1][1] else {
        panic!()
    };
    assert!(
        Capability::parse(caps.split(|&b| b == b'\r').next().unwrap())
            .unwrap()
            .is("stls")
    );
    assert_eq!(t[2], [ok("Begin TLS negotiation")]);
    assert_eq!(Command::parse(b"stls").unwrap(), Command::Stls);
    assert_eq!(Command::Stls.to_bytes().unwrap(), b"STLS\r\n");

    // A client that pipelines a command after STLS: the server codec
    // hands out the STLS line and leaves the rest untouched in the
    // buffer, which the application drops before TLS starts.
    let mut server = ServerCodec::new();
    let mut input = BytesMut::from(&b"STLS\r\nUSER evil\r\n"[..]);
    let Some(ClientFrame::Command(line)) = server.decode(&mut input).unwrap() else {
        panic!()
    };
    assert_eq!(line.parse().unwrap(), Command::Stls);
    assert_eq!(&input[..], b"USER evil\r\n");
    input.clear();
    assert_eq!(server.decode(&mut input).unwrap(), None);
}

/// RFC 6856: UTF8, LANG, UTF-8 user names, the language listing.
#[test]
fn rfc6856_utf8_and_lang() {
    assert_eq!(Command::parse(b"UTF8\r\n").unwrap(), Command::Utf8);
    assert_eq!(
        Command::parse(b"LANG").unwrap(),
        Command::Lang { tag: None }
    );
    assert_eq!(
        Command::parse(b"LANG fr").unwrap(),
        Command::Lang { tag: Some("fr") }
    );
    assert_eq!(
        Command::parse(b"LANG *").unwrap(),
        Command::Lang { tag: Some("*") }
    );
    let user = Command::parse("USER jörg".as_bytes()).unwrap();
    assert_eq!(user, Command::User { name: "jörg" });
    assert_eq!(user.to_bytes().unwrap(), "USER jörg\r\n".as_bytes());
    let t = play(
        "+OK",
        &[
            (Some(Command::Utf8), Answer::Line("+OK I only speak UTF-8")),
            (
                Some(Command::Lang { tag: None }),
                Answer::Multi(
                    "+OK Language listing follows",
                    &["en English", "fr Français"],
                ),
            ),
            (
                Some(Command::Lang { tag: Some("fr") }),
                Answer::Line("+OK Les réponses sont en français"),
            ),
        ],
    );
    assert_eq!(
        t[2],
        [
            ok("Language listing follows"),
            body(&["en English", "fr Français"])
        ]
    );
    assert_eq!(t[3], [ok("Les réponses sont en français")]);
}
