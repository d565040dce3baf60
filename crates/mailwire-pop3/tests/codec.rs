//! The codecs: the client's frames do not depend on how the input is
//! split, bodies end only at `CRLF.CRLF`, memory stays bounded, and what
//! the server codec stuffs the client codec unstuffs.
#![cfg(feature = "tokio")]

use bytes::BytesMut;
use mailwire_pop3::codec::{Body, ClientCodec, ClientFrame, ServerCodec, ServerFrame};
use mailwire_pop3::types::{Command, Response, ResponseKind};
use proptest::prelude::*;
use tokio_util::codec::{Decoder, Encoder};

/// A frame with body chunks joined, so that outputs compare across
/// splits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Response(Response<'static>),
    Continuation(String),
    Body(Vec<u8>),
    Defect,
    End,
}

fn push(out: &mut Vec<Out>, frame: ServerFrame) {
    match frame {
        ServerFrame::Response(r) => out.push(Out::Response(r)),
        ServerFrame::Continuation(c) => out.push(Out::Continuation(c.data().to_owned())),
        ServerFrame::Data(d) => {
            assert!(!d.is_empty(), "empty data frame");
            if let Some(Out::Body(body)) = out.last_mut() {
                body.extend_from_slice(&d);
            } else {
                out.push(Out::Body(d.to_vec()));
            }
        }
        ServerFrame::BodyDefect(_) => out.push(Out::Defect),
        ServerFrame::End => out.push(Out::End),
        other => panic!("{other:?}"),
    }
}

/// Feeds `chunks` one after the other to a client that sent `commands`;
/// checks the buffer stays bounded; returns the frames, and whether
/// decoding failed.
fn decode_chunks(commands: &[Command<'_>], chunks: &[&[u8]]) -> (Vec<Out>, bool) {
    let mut codec = ClientCodec::new();
    let mut sink = BytesMut::new();
    for command in commands {
        codec.encode(command, &mut sink).unwrap();
    }
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(frame)) => push(&mut out, frame),
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
        if codec.in_body() {
            assert!(buf.len() <= 2, "{} bytes held in a body", buf.len());
        } else {
            assert!(buf.len() < codec.max_line(), "{} bytes held", buf.len());
        }
    }
    (out, false)
}

const SESSION: &[u8] = b"+OK POP3 ready <1.2@host>\r\n\
+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n\
+OK 120 octets\r\nSubject: x\r\n\r\n..leading dot\r\n\r\n\n.\n\r\n..\r\n.\r\n\
-ERR no such message\r\n\
+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n\
+OK Capability list follows\r\nTOP\r\nSASL PLAIN\r\n.\r\n\
+ \r\n+ VXNlcm5hbWU6\r\n+OK [AUTH] welcome\r\n\
+OK\r\n.\r\n\
+OK bye\r\n";

fn session_commands() -> Vec<Command<'static>> {
    vec![
        Command::List { msg: None },
        Command::Retr { msg: 1 },
        Command::Top { msg: 9, lines: 0 },
        Command::Uidl { msg: None },
        Command::Capa,
        Command::Auth {
            mechanism: Some("LOGIN"),
            initial_response: None,
        },
        Command::Lang { tag: None },
        Command::Quit,
    ]
}

#[test]
fn session_frames() {
    let (out, failed) = decode_chunks(&session_commands(), &[SESSION]);
    assert!(!failed);
    let bodies: Vec<&[u8]> = out
        .iter()
        .filter_map(|o| match o {
            Out::Body(b) => Some(&b[..]),
            _ => None,
        })
        .collect();
    assert_eq!(
        bodies,
        [
            &b"1 120\r\n2 200\r\n"[..],
            b"Subject: x\r\n\r\n.leading dot\r\n\r\n\n\n\r\n.\r\n",
            b"1 whqtswO00WBw418f9t5JxYwZ\r\n",
            b"TOP\r\nSASL PLAIN\r\n",
        ]
    );
    assert_eq!(out.iter().filter(|o| **o == Out::End).count(), 5);
    assert_eq!(
        out.iter()
            .filter(|o| matches!(o, Out::Continuation(_)))
            .count(),
        2
    );
    let Some(Out::Response(last)) = out.last() else {
        panic!()
    };
    assert_eq!(last.text(), "bye");
}

#[test]
fn client_frames_are_the_same_split_at_every_offset() {
    let commands = session_commands();
    let (whole, failed) = decode_chunks(&commands, &[SESSION]);
    assert!(!failed);
    for split in 0..=SESSION.len() {
        let (parts, failed) = decode_chunks(&commands, &[&SESSION[..split], &SESSION[split..]]);
        assert!(!failed);
        assert_eq!(parts, whole, "split at {split}");
    }
    // And byte by byte.
    let bytes: Vec<&[u8]> = SESSION.chunks(1).collect();
    assert_eq!(decode_chunks(&commands, &bytes).0, whole);
}

#[test]
fn a_body_ends_only_at_crlf_dot_crlf() {
    // LF.LF, CR.CR, LF.CRLF, CRLF.LF are body content.
    let wire = b"+OK hi\r\n+OK\r\na\n.\nb\r.\rc\n.\r\nd\r\n.\ne\r\n.\r\n+OK next\r\n";
    let (out, _) = decode_chunks(&[Command::Retr { msg: 1 }], &[wire]);
    assert_eq!(out[2], Out::Body(b"a\n\nb\r\rc\n\r\nd\r\n\ne\r\n".to_vec()));
    assert_eq!(out[3], Out::End);
    assert!(matches!(&out[4], Out::Response(r) if r.text() == "next"));
}

#[test]
fn pipelined_commands_are_matched_in_order() {
    let mut codec = ClientCodec::new().after_greeting();
    let mut sink = BytesMut::new();
    for c in [
        Command::Stat,
        Command::List { msg: None },
        Command::Retr { msg: 5 },
        Command::Noop,
    ] {
        codec.encode(c, &mut sink).unwrap();
    }
    assert_eq!(codec.pending(), 4);
    let mut buf =
        BytesMut::from(&b"+OK 1 5\r\n+OK\r\n1 5\r\n.\r\n-ERR no message 5\r\n+OK\r\n"[..]);
    let mut out = Vec::new();
    while let Some(f) = codec.decode(&mut buf).unwrap() {
        push(&mut out, f);
    }
    assert_eq!(out.len(), 6, "{out:?}");
    assert_eq!(out[2], Out::Body(b"1 5\r\n".to_vec()));
    assert_eq!(codec.pending(), 0);
    codec.expect(ResponseKind::SingleLine);
    assert_eq!(codec.pending(), 1);
}

#[test]
fn a_one_mib_body_streams_in_bounded_memory() {
    let mut codec = ClientCodec::new().after_greeting();
    codec
        .encode(Command::Retr { msg: 1 }, &mut BytesMut::new())
        .unwrap();
    let line = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n";
    let mut wire = b"+OK\r\n".to_vec();
    while wire.len() < 1 << 20 {
        wire.extend_from_slice(line);
        wire.extend_from_slice(b"..dot\r\n");
    }
    wire.extend_from_slice(b".\r\n");
    let mut buf = BytesMut::new();
    let mut total = 0;
    let mut ended = false;
    for chunk in wire.chunks(4096) {
        buf.extend_from_slice(chunk);
        while let Some(frame) = codec.decode(&mut buf).unwrap() {
            match frame {
                ServerFrame::Data(d) => total += d.len(),
                ServerFrame::End => ended = true,
                ServerFrame::Response(_) => {}
                other => panic!("{other:?}"),
            }
        }
        assert!(buf.len() <= 2);
    }
    assert!(ended);
    let dots = wire.windows(3).filter(|w| w == b"\n..").count();
    assert_eq!(total, wire.len() - 5 - 3 - dots);
}

/// What the server codec sends, unstuffed by the client codec, is the
/// body with bare CR and LF made CRLF and a final CRLF added.
fn normalized(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\r' if body.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b'.'),
            Just(b'\r'),
            Just(b'\n'),
            Just(b'a'),
            Just(b' '),
            any::<u8>()
        ],
        0..200,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn server_stuffs_what_the_client_unstuffs(
        body in body_bytes(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
        read_cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let mut server = ServerCodec::new();
        let mut wire = BytesMut::new();
        server.encode(Response::ok("hello"), &mut wire).unwrap();
        server.encode(Response::ok("here"), &mut wire).unwrap();
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
        points.sort_unstable();
        let mut last = 0;
        for p in points.into_iter().chain([body.len()]) {
            server.encode(Body::Chunk(&body[last..p]), &mut wire).unwrap();
            last = p;
        }
        server.encode(Body::<&[u8]>::End, &mut wire).unwrap();
        server.encode(Response::ok("after"), &mut wire).unwrap();

        let mut points: Vec<usize> = read_cuts.iter().map(|c| c.index(wire.len() + 1)).collect();
        points.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for p in points.into_iter().chain([wire.len()]) {
            chunks.push(&wire[last..p]);
            last = p;
        }
        let (out, failed) = decode_chunks(&[Command::Retr { msg: 1 }], &chunks);
        prop_assert!(!failed);
        let expected = normalized(&body);
        let mut want = vec![
            Out::Response(Response::ok("hello").into_owned()),
            Out::Response(Response::ok("here").into_owned()),
        ];
        if !expected.is_empty() {
            want.push(Out::Body(expected));
        }
        want.push(Out::End);
        want.push(Out::Response(Response::ok("after").into_owned()));
        prop_assert_eq!(out, want);
    }

    #[test]
    fn client_frames_do_not_depend_on_the_split(
        wire in proptest::collection::vec(
            prop_oneof![
                Just(b"+OK\r\n".to_vec()),
                Just(b"-ERR x\r\n".to_vec()),
                Just(b".\r\n".to_vec()),
                Just(b"..\r\n".to_vec()),
                Just(b"+ abc\r\n".to_vec()),
                Just(b"\r\n".to_vec()),
                Just(b"\n".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..8),
            ],
            0..20,
        ),
        kinds in proptest::collection::vec(0u8..3, 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let wire: Vec<u8> = wire.concat();
        let commands: Vec<Command<'_>> = kinds
            .iter()
            .map(|k| match k {
                0 => Command::Noop,
                1 => Command::Retr { msg: 1 },
                _ => Command::Auth { mechanism: Some("X"), initial_response: None },
            })
            .collect();
        let (whole, whole_failed) = decode_chunks(&commands, &[&wire]);
        let at = cut.index(wire.len() + 1);
        let (parts, parts_failed) = decode_chunks(&commands, &[&wire[..at], &wire[at..]]);
        prop_assert_eq!(whole_failed, parts_failed);
        prop_assert_eq!(parts, whole);
    }
}

#[test]
fn server_codec_frames_commands_split_anywhere() {
    let wire = b"USER mrose\r\nPASS secret words\r\nSTAT\r\nRETR 1\r\nQUIT\r\n";
    for split in 0..=wire.len() {
        let mut codec = ServerCodec::new();
        let mut buf = BytesMut::from(&wire[..split]);
        let mut lines = Vec::new();
        while let Some(ClientFrame::Command(line)) = codec.decode(&mut buf).unwrap() {
            lines.push(line);
        }
        buf.extend_from_slice(&wire[split..]);
        while let Some(ClientFrame::Command(line)) = codec.decode(&mut buf).unwrap() {
            lines.push(line);
        }
        let parsed: Vec<Command<'_>> = lines.iter().map(|l| l.parse().unwrap()).collect();
        assert_eq!(parsed.len(), 5, "split at {split}");
        assert_eq!(parsed[3], Command::Retr { msg: 1 });
    }
}
