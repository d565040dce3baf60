//! The tokio codecs over an in-memory duplex pipe: both ends framed with
//! `tokio_util::codec::Framed`, messages of several MiB streamed through
//! in bounded pieces, limits, refused literals and bad commands answered
//! while the stream goes on.
#![cfg(feature = "tokio")]

use bytes::{Bytes, BytesMut};
use futures::{SinkExt, StreamExt};
use mailwire_imap::codec::{
    AppendPart, AuthenticateLine, ClientCodec, ClientFrame, CodecError, ContinueLiteral, FetchPart,
    Rejection, ServerCodec, ServerFrame,
};
use mailwire_imap::encode::LiteralMode;
use mailwire_imap::parse::{CommandErrorKind, Limits, ResponseErrorKind, ResponseLimits};
use mailwire_imap::types::{
    AString, Command, CommandBody, Continuation, FetchItem, Flag, Mailbox, Response, Secret,
    Section, Status, StatusKind, StreamedItem, Tag,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};
use tokio_util::codec::{Decoder, Encoder, Framed};

/// A message of `len` octets with CRLF lines and no NUL.
fn message(len: usize) -> Vec<u8> {
    let line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit 0123456789\r\n";
    line.iter().copied().cycle().take(len).collect()
}

fn ok<'a>(tag: &Tag<'a>, text: &'a str) -> Response<'a> {
    Response::Status(Status::new(Some(tag.clone()), StatusKind::Ok, text))
}

fn ready() -> Continuation<'static> {
    Continuation {
        code: None,
        text: "Ready for literal data".into(),
    }
}

fn tag(s: &str) -> Tag<'static> {
    Tag::new(s).unwrap().into_owned()
}

/// RFC 9051 section 6.3.12 (APPEND) with a 6 MiB message streamed from a
/// client's codec to a server's, 64 KiB at a time, through a 16 KiB pipe:
/// the server sees it as chunks, none larger than what one read gave.
#[tokio::test]
async fn streamed_append_of_several_mib() {
    const SIZE: usize = 6 << 20;
    let (client_io, server_io) = duplex(16 * 1024);
    let body = message(SIZE);

    let server = tokio::spawn(async move {
        let mut framed = Framed::new(server_io, ServerCodec::new());
        let Some(Ok(frame)) = framed.next().await else {
            panic!("no frame")
        };
        assert!(frame.wants_continuation());
        let ClientFrame::AppendStart {
            tag,
            mailbox,
            message,
        } = frame
        else {
            panic!("{frame:?}")
        };
        assert_eq!(mailbox, Mailbox::from("Drafts"));
        assert_eq!(message.flags, [Flag::Draft]);
        assert_eq!(message.size, SIZE as u64);
        framed.send(ready()).await.unwrap();
        let mut received = Vec::with_capacity(SIZE);
        let mut largest = 0;
        loop {
            match framed.next().await.unwrap().unwrap() {
                ClientFrame::LiteralChunk(chunk) => {
                    largest = largest.max(chunk.len());
                    received.extend_from_slice(&chunk);
                }
                ClientFrame::AppendEnd => break,
                other => panic!("{other:?}"),
            }
        }
        framed.send(&ok(&tag, "APPEND completed")).await.unwrap();
        (received, largest)
    });

    let mut framed = Framed::new(client_io, ClientCodec::new());
    let t = tag("A003");
    let drafts = Mailbox::from("Drafts");
    let head: AppendPart<'_, &[u8]> = AppendPart::Head {
        tag: &t,
        mailbox: &drafts,
        flags: &[Flag::Draft],
        date: None,
        size: SIZE as u64,
        binary: false,
    };
    framed.send(head).await.unwrap();
    assert!(framed.codec().waits_for_continuation());
    // Octets before the "+" are refused by the codec, and so is a
    // command whose bytes would land inside the message.
    let early = framed.send(AppendPart::Data(&body[..1])).await;
    assert!(matches!(early, Err(CodecError::Sequence(_))), "{early:?}");
    let noop = Command {
        tag: tag("A004"),
        body: CommandBody::Noop,
    };
    let inside = framed.send(&noop).await;
    assert!(matches!(inside, Err(CodecError::Sequence(_))), "{inside:?}");
    let Some(Ok(ServerFrame::Response(Response::Continuation(_)))) = framed.next().await else {
        panic!("no continuation")
    };
    for piece in body.chunks(64 * 1024) {
        framed.send(AppendPart::Data(piece)).await.unwrap();
    }
    framed.send(AppendPart::<'_, &[u8]>::End).await.unwrap();
    let Some(Ok(ServerFrame::Response(Response::Status(done)))) = framed.next().await else {
        panic!("no completion")
    };
    assert_eq!(done.kind, StatusKind::Ok);
    assert_eq!(done.tag, Some(t));

    let (received, largest) = server.await.unwrap();
    assert!(received == body, "the message changed on the way");
    assert!(largest < SIZE / 4, "one chunk of {largest} octets");
}

/// RFC 9051 section 7.5.2 (FETCH BODY[]): a 5 MiB literal streamed by a
/// server's codec with `FetchPart` and read by a client's codec as
/// chunks, with items before and after it.
#[tokio::test]
async fn streamed_fetch_literal_of_several_mib() {
    const SIZE: usize = 5 << 20;
    let (client_io, server_io) = duplex(16 * 1024);
    let body = message(SIZE);
    let sent = body.clone();

    let server = tokio::spawn(async move {
        let mut framed = Framed::new(server_io, ServerCodec::new());
        let Some(Ok(ClientFrame::Command(cmd))) = framed.next().await else {
            panic!("no command")
        };
        assert!(matches!(cmd.body, CommandBody::Fetch { uid: true, .. }));
        let item = StreamedItem::BodySection {
            section: Section::default(),
            origin: None,
        };
        let before = [FetchItem::Uid(7.try_into().unwrap())];
        let begin: FetchPart<'_, &[u8]> = FetchPart::Begin {
            seq: 1.try_into().unwrap(),
            before: &before,
            item: &item,
            size: SIZE as u64,
        };
        framed.send(begin).await.unwrap();
        // A response in the middle of the literal is refused.
        let inside = framed.send(&ok(&cmd.tag, "too early")).await;
        assert!(matches!(inside, Err(CodecError::Sequence(_))), "{inside:?}");
        for piece in sent.chunks(100_000) {
            framed.send(FetchPart::Chunk(piece)).await.unwrap();
        }
        let after = [FetchItem::Rfc822Size(SIZE as u64)];
        let finish: FetchPart<'_, &[u8]> = FetchPart::Finish { after: &after };
        framed.send(finish).await.unwrap();
        framed.send(&ok(&cmd.tag, "FETCH completed")).await.unwrap();
    });

    let mut framed = Framed::new(client_io, ClientCodec::new());
    let fetch = Command::parse(b"a5 UID FETCH 7 (BODY.PEEK[] RFC822.SIZE)\r\n")
        .unwrap()
        .0
        .into_owned();
    framed.send(&fetch).await.unwrap();
    let Some(Ok(ServerFrame::FetchStart {
        seq,
        items,
        literal,
    })) = framed.next().await
    else {
        panic!("no FETCH")
    };
    assert_eq!(seq.get(), 1);
    assert_eq!(items, [FetchItem::Uid(7.try_into().unwrap())]);
    assert_eq!(literal.size, SIZE as u64);
    let mut received = Vec::with_capacity(SIZE);
    let mut largest = 0;
    let after = loop {
        match framed.next().await.unwrap().unwrap() {
            ServerFrame::LiteralChunk(chunk) => {
                largest = largest.max(chunk.len());
                received.extend_from_slice(&chunk);
            }
            ServerFrame::FetchEnd { items } => break items,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(after, [FetchItem::Rfc822Size(SIZE as u64)]);
    assert!(received == body, "the literal changed on the way");
    assert!(largest < SIZE / 4, "one chunk of {largest} octets");
    let Some(Ok(ServerFrame::Response(Response::Status(done)))) = framed.next().await else {
        panic!("no completion")
    };
    assert_eq!(done.tag.unwrap().as_str(), "a5");
    server.await.unwrap();
}

/// RFC 9051 section 4.3: a synchronizing literal in LOGIN. The client's
/// codec holds the octets until the server's `+`; the server's codec
/// announces the literal before it comes.
#[tokio::test]
async fn synchronizing_literal_waits_for_continuation() {
    let (client_io, server_io) = duplex(4096);
    let server = tokio::spawn(async move {
        let mut framed = Framed::new(server_io, ServerCodec::new());
        let frame = framed.next().await.unwrap().unwrap();
        assert_eq!(
            frame,
            ClientFrame::LiteralAnnounced {
                tag: Some(tag("a1")),
                size: 12,
                sync: true,
                binary: false
            }
        );
        assert!(frame.wants_continuation());
        framed.send(ready()).await.unwrap();
        let Some(Ok(ClientFrame::Command(cmd))) = framed.next().await else {
            panic!("no command")
        };
        let CommandBody::Login { username, password } = cmd.body else {
            panic!("{cmd:?}")
        };
        assert_eq!(username.as_bytes(), b"fred");
        assert_eq!(password.expose().as_bytes(), b"pass\r\nphrase");
        framed.send(&ok(&cmd.tag, "LOGIN completed")).await.unwrap();
        // The NOOP pipelined behind the literal comes next.
        let Some(Ok(ClientFrame::Command(noop))) = framed.next().await else {
            panic!("no NOOP")
        };
        assert_eq!(noop.body, CommandBody::Noop);
        framed.send(&ok(&noop.tag, "NOOP completed")).await.unwrap();
    });

    let mut framed = Framed::new(client_io, ClientCodec::new());
    let login = Command {
        tag: tag("a1"),
        body: CommandBody::Login {
            username: AString::from("fred"),
            password: Secret::new(AString::from("pass\r\nphrase")),
        },
    };
    framed.send(&login).await.unwrap();
    framed
        .send(Command {
            tag: tag("a2"),
            body: CommandBody::Noop,
        })
        .await
        .unwrap();
    assert!(framed.codec().waits_for_continuation());
    let Some(Ok(ServerFrame::Response(Response::Continuation(_)))) = framed.next().await else {
        panic!("no continuation")
    };
    framed.send(ContinueLiteral).await.unwrap();
    assert!(!framed.codec().waits_for_continuation());
    for expected in ["a1", "a2"] {
        let Some(Ok(ServerFrame::Response(Response::Status(s)))) = framed.next().await else {
            panic!("no completion")
        };
        assert_eq!(
            (s.tag.unwrap().as_str(), s.kind),
            (expected, StatusKind::Ok)
        );
    }
    server.await.unwrap();
}

/// A server refuses a synchronizing literal (RFC 9051 section 4.3: "the
/// server ... responds with a tagged BAD/NO"); the client's codec drops
/// the rest of that command and sends the one queued behind it.
#[tokio::test]
async fn refused_literal_then_queued_command() {
    let (client_io, server_io) = duplex(4096);
    let server = tokio::spawn(async move {
        let mut framed = Framed::new(server_io, ServerCodec::new());
        let Some(Ok(ClientFrame::LiteralAnnounced { tag: Some(t), .. })) = framed.next().await
        else {
            panic!("no announcement")
        };
        assert!(framed.codec_mut().reject_literal());
        framed
            .send(Response::Status(Status::new(
                Some(t),
                StatusKind::No,
                "not this one",
            )))
            .await
            .unwrap();
        let Some(Ok(ClientFrame::Command(cmd))) = framed.next().await else {
            panic!("no command")
        };
        assert_eq!(cmd.tag.as_str(), "a2");
        framed.send(&ok(&cmd.tag, "NOOP completed")).await.unwrap();
    });
    let mut framed = Framed::new(client_io, ClientCodec::new());
    let create = Command {
        tag: tag("a1"),
        body: CommandBody::Create {
            mailbox: Mailbox::from("two\r\nlines"),
        },
    };
    framed.send(&create).await.unwrap();
    framed
        .send(Command {
            tag: tag("a2"),
            body: CommandBody::Noop,
        })
        .await
        .unwrap();
    let Some(Ok(ServerFrame::Response(Response::Status(no)))) = framed.next().await else {
        panic!("no answer")
    };
    assert_eq!(no.kind, StatusKind::No);
    framed.send(ContinueLiteral).await.unwrap();
    let Some(Ok(ServerFrame::Response(Response::Status(s)))) = framed.next().await else {
        panic!("no completion")
    };
    assert_eq!(s.tag.unwrap().as_str(), "a2");
    server.await.unwrap();
}

/// Bad commands and commands over the limits are answered (`BAD`, `NO
/// [TOOBIG]`, RFC 7888 section 4 / RFC 4469) while the stream goes on:
/// the client here writes raw bytes, as a broken or hostile one would.
#[tokio::test]
async fn bad_commands_and_limits_answered_while_the_stream_goes_on() {
    let (mut client_io, server_io) = duplex(64 * 1024);
    let mut limits = Limits::DEFAULT;
    limits.max_literal = 100;
    limits.max_append = 1000;
    limits.max_line = 200;
    let server = tokio::spawn(async move {
        let mut framed = Framed::new(server_io, ServerCodec::with_limits(&limits));
        let mut kinds = Vec::new();
        let mut commands = Vec::new();
        while let Some(frame) = framed.next().await {
            match frame.unwrap() {
                ClientFrame::Failed(rejection) => {
                    kinds.push(rejection.error.kind());
                    framed.send(rejection).await.unwrap();
                }
                ClientFrame::Command(cmd) => {
                    let done = cmd.body == CommandBody::Logout;
                    framed.send(&ok(&cmd.tag, "done")).await.unwrap();
                    commands.push(cmd.tag.as_str().to_owned());
                    if done {
                        break;
                    }
                }
                other => panic!("{other:?}"),
            }
        }
        (kinds, commands)
    });
    let long = format!("a5 SELECT {}\r\n", "x".repeat(300));
    let input = [
        &b"a1 FROB\r\n"[..],
        b"a2 LOGIN fred {101+}\r\n",
        &[b'x'; 101],
        b"\r\n",
        b"a3 NOOP\r\n",
        b"a4 APPEND INBOX {1001+}\r\n",
        &[b'y'; 1001],
        b"\r\n",
        long.as_bytes(),
        b"a6 LOGOUT\r\n",
    ]
    .concat();
    client_io.write_all(&input).await.unwrap();
    let (kinds, commands) = server.await.unwrap();
    assert_eq!(commands, ["a3", "a6"]);
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert_eq!(kinds[0], CommandErrorKind::Unknown);
    assert!(matches!(
        kinds[1],
        CommandErrorKind::LiteralTooLarge {
            size: 101,
            append: false,
            ..
        }
    ));
    assert!(matches!(
        kinds[2],
        CommandErrorKind::LiteralTooLarge {
            size: 1001,
            append: true,
            ..
        }
    ));
    assert!(matches!(kinds[3], CommandErrorKind::LineTooLong { .. }));
    let mut answers = Vec::new();
    client_io.read_to_end(&mut answers).await.unwrap();
    let answers = String::from_utf8(answers).unwrap();
    assert_eq!(
        answers,
        "a1 BAD unknown command\r\n\
         a2 BAD [TOOBIG] literal too large\r\n\
         a3 OK done\r\n\
         a4 NO [TOOBIG] message too large\r\n\
         a5 BAD line too long\r\n\
         a6 OK done\r\n"
    );
}

/// A client's codec: a response over the line limit is a `Failed` frame
/// and the responses after it are read.
#[test]
fn client_codec_failed_response_then_next() {
    let mut limits = ResponseLimits::DEFAULT;
    limits.max_line = 64;
    let mut codec = ClientCodec::with_limits(&limits);
    let mut input = BytesMut::new();
    input.extend_from_slice(format!("* OK {}\r\n", "x".repeat(100)).as_bytes());
    input.extend_from_slice(b"* 3 EXISTS\r\n* 4 FETCH (UID x)\r\n");
    let Some(ServerFrame::Failed(error)) = codec.decode(&mut input).unwrap() else {
        panic!()
    };
    assert!(matches!(
        error.kind(),
        ResponseErrorKind::LineTooLong { .. }
    ));
    let Some(ServerFrame::Response(Response::Data(_))) = codec.decode(&mut input).unwrap() else {
        panic!()
    };
    assert!(matches!(
        codec.decode(&mut input).unwrap(),
        Some(ServerFrame::Failed(_))
    ));
    assert_eq!(codec.decode(&mut input).unwrap(), None);
}

/// RFC 9051 section 6.2.2: AUTHENTICATE PLAIN with the response line read
/// raw by the server's codec (`expect_line`); its `Debug` hides it.
#[test]
fn authenticate_line_through_both_codecs() {
    let mut client = ClientCodec::new();
    let mut server = ServerCodec::new();
    let mut wire = BytesMut::new();
    client
        .encode(
            Command::parse(b"a1 AUTHENTICATE PLAIN\r\n")
                .unwrap()
                .0
                .into_owned(),
            &mut wire,
        )
        .unwrap();
    let Some(ClientFrame::Command(cmd)) = server.decode(&mut wire).unwrap() else {
        panic!()
    };
    assert!(matches!(cmd.body, CommandBody::Authenticate { .. }));
    server.expect_line();
    client
        .encode(AuthenticateLine::Data(b"\0fred\0secret"), &mut wire)
        .unwrap();
    let Some(ClientFrame::Line(line)) = server.decode(&mut wire).unwrap() else {
        panic!()
    };
    assert_eq!(line.as_bytes(), b"AGZyZWQAc2VjcmV0");
    assert!(!format!("{line:?}").contains("AGZy"));
    client.encode(AuthenticateLine::Cancel, &mut wire).unwrap();
    server.expect_line();
    let Some(ClientFrame::Line(line)) = server.decode(&mut wire).unwrap() else {
        panic!()
    };
    assert_eq!(line.as_bytes(), b"*");
}

/// LITERAL+ (RFC 7888): with `LiteralMode::NonSync` nothing waits.
#[test]
fn non_synchronizing_literals_go_at_once() {
    let mut client = ClientCodec::new().with_literal_mode(LiteralMode::NonSync);
    let mut wire = BytesMut::new();
    let create = Command {
        tag: tag("a1"),
        body: CommandBody::Create {
            mailbox: Mailbox::from("two\r\nlines"),
        },
    };
    client.encode(&create, &mut wire).unwrap();
    assert!(!client.waits_for_continuation());
    assert_eq!(&wire[..], b"a1 CREATE {10+}\r\ntwo\r\nlines\r\n");
    let mut server = ServerCodec::new();
    let Some(ClientFrame::Command(cmd)) = server.decode(&mut wire).unwrap() else {
        panic!()
    };
    assert_eq!(cmd, create);
    // ContinueLiteral with nothing waiting is a mistake.
    assert!(matches!(
        client.encode(ContinueLiteral, &mut wire),
        Err(CodecError::Sequence(_))
    ));
}

/// The same bytes fed in pieces of every size give the same frames (the
/// chunks of a streamed literal joined).
#[test]
fn server_codec_split_invariance() {
    let input = b"a1 LOGIN {4}\r\nfred {6}\r\nsecret\r\na2 FROB\r\n\
        a3 APPEND INBOX (\\Seen) {12}\r\nHello world!\r\na4 NOOP\r\n";
    let frames = |piece: usize| {
        let mut codec = ServerCodec::new();
        let mut buf = BytesMut::new();
        let mut frames: Vec<ClientFrame> = Vec::new();
        for part in input.chunks(piece) {
            buf.extend_from_slice(part);
            while let Some(frame) = codec.decode(&mut buf).unwrap() {
                if let (Some(ClientFrame::LiteralChunk(prev)), ClientFrame::LiteralChunk(next)) =
                    (frames.last_mut(), &frame)
                {
                    *prev = Bytes::from([&prev[..], &next[..]].concat());
                    continue;
                }
                frames.push(frame);
            }
        }
        frames
    };
    let whole = frames(input.len());
    assert_eq!(whole.len(), 6, "{whole:?}");
    assert!(matches!(whole[0], ClientFrame::Command(_)));
    assert!(matches!(whole[1], ClientFrame::Failed(Rejection { .. })));
    assert_eq!(whole[3], ClientFrame::LiteralChunk("Hello world!".into()));
    for piece in 1..input.len() {
        let split = frames(piece);
        // Announcements depend on where the input stops: compare the rest.
        let strip = |f: &Vec<ClientFrame>| -> Vec<ClientFrame> {
            f.iter()
                .filter(|f| !matches!(f, ClientFrame::LiteralAnnounced { .. }))
                .cloned()
                .collect()
        };
        assert_eq!(strip(&split), strip(&whole), "pieces of {piece}");
    }
}

/// The same for the client's codec over a FETCH with a streamed literal
/// between other responses.
#[test]
fn client_codec_split_invariance() {
    let input = b"* 2 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen) BODY[] {11}\r\nHello world UID 3)\r\n\
        + go\r\na1 OK [READ-WRITE] done\r\n";
    let frames = |piece: usize| {
        let mut codec = ClientCodec::new();
        let mut buf = BytesMut::new();
        let mut frames: Vec<ServerFrame> = Vec::new();
        for part in input.chunks(piece) {
            buf.extend_from_slice(part);
            while let Some(frame) = codec.decode(&mut buf).unwrap() {
                if let (Some(ServerFrame::LiteralChunk(prev)), ServerFrame::LiteralChunk(next)) =
                    (frames.last_mut(), &frame)
                {
                    *prev = Bytes::from([&prev[..], &next[..]].concat());
                    continue;
                }
                frames.push(frame);
            }
        }
        frames
    };
    let whole = frames(input.len());
    assert_eq!(whole.len(), 6, "{whole:?}");
    assert_eq!(whole[2], ServerFrame::LiteralChunk("Hello world".into()));
    for piece in 1..input.len() {
        assert_eq!(frames(piece), whole, "pieces of {piece}");
    }
}

/// RFC 2177 / RFC 9051 section 6.3.13: IDLE, the server's `+`, updates,
/// then the client's `DONE` read as a raw line.
#[test]
fn idle_and_done_through_both_codecs() {
    let mut client = ClientCodec::new();
    let mut server = ServerCodec::new();
    let (mut to_server, mut to_client) = (BytesMut::new(), BytesMut::new());
    client
        .encode(
            Command {
                tag: tag("a9"),
                body: CommandBody::Idle,
            },
            &mut to_server,
        )
        .unwrap();
    let Some(ClientFrame::Command(idle)) = server.decode(&mut to_server).unwrap() else {
        panic!()
    };
    assert_eq!(idle.body, CommandBody::Idle);
    server.expect_line();
    server
        .encode(
            Continuation {
                code: None,
                text: "idling".into(),
            },
            &mut to_client,
        )
        .unwrap();
    server
        .encode(
            Response::Data(mailwire_imap::types::Data::Exists(4)),
            &mut to_client,
        )
        .unwrap();
    let Some(ServerFrame::Response(Response::Continuation(_))) =
        client.decode(&mut to_client).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        client.decode(&mut to_client).unwrap(),
        Some(ServerFrame::Response(Response::Data(
            mailwire_imap::types::Data::Exists(4)
        )))
    );
    client
        .encode(mailwire_imap::types::IdleDone, &mut to_server)
        .unwrap();
    let Some(ClientFrame::Line(line)) = server.decode(&mut to_server).unwrap() else {
        panic!()
    };
    assert!(mailwire_imap::types::IdleDone::parse(line.as_bytes()).is_ok());
    server
        .encode(&ok(&idle.tag, "IDLE terminated"), &mut to_client)
        .unwrap();
    let Some(ServerFrame::Response(Response::Status(done))) =
        client.decode(&mut to_client).unwrap()
    else {
        panic!()
    };
    assert_eq!(done.tag.unwrap().as_str(), "a9");
}

/// RFC 3502 MULTIAPPEND through both codecs: two messages, the second a
/// `literal8` (RFC 3516) holding NUL, each announced and accepted with
/// `+`; a message longer than announced is refused by the codec.
#[test]
fn multiappend_through_both_codecs() {
    let mut client = ClientCodec::new();
    let mut server = ServerCodec::new();
    let (mut to_server, mut to_client) = (BytesMut::new(), BytesMut::new());
    let t = tag("a7");
    let inbox = Mailbox::Inbox;
    let head: AppendPart<'_, &[u8]> = AppendPart::Head {
        tag: &t,
        mailbox: &inbox,
        flags: &[Flag::Seen],
        date: None,
        size: 5,
        binary: false,
    };
    client.encode(head, &mut to_server).unwrap();
    assert_eq!(&to_server[..], b"a7 APPEND INBOX (\\Seen) {5}\r\n");
    let Some(ClientFrame::AppendStart { message, .. }) = server.decode(&mut to_server).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (message.size, message.sync, message.binary),
        (5, true, false)
    );
    server.encode(ready(), &mut to_client).unwrap();
    assert!(client.decode(&mut to_client).unwrap().is_some());
    let long = client.encode(AppendPart::Data(&b"123456"[..]), &mut to_server);
    assert!(matches!(long, Err(CodecError::Encode(_))), "{long:?}");
    let nul = client.encode(AppendPart::Data(&b"a\0"[..]), &mut to_server);
    assert!(matches!(nul, Err(CodecError::Encode(_))), "{nul:?}");
    client
        .encode(AppendPart::Data(&b"one\r\n"[..]), &mut to_server)
        .unwrap();
    let next: AppendPart<'_, &[u8]> = AppendPart::Next {
        flags: &[],
        date: None,
        size: 3,
        binary: true,
    };
    client.encode(next, &mut to_server).unwrap();
    assert_eq!(
        server.decode(&mut to_server).unwrap(),
        Some(ClientFrame::LiteralChunk("one\r\n".into()))
    );
    let Some(ClientFrame::AppendNext { message }) = server.decode(&mut to_server).unwrap() else {
        panic!()
    };
    assert_eq!(
        (message.size, message.sync, message.binary),
        (3, true, true)
    );
    server.encode(ready(), &mut to_client).unwrap();
    assert!(client.decode(&mut to_client).unwrap().is_some());
    client
        .encode(AppendPart::Data(&b"\0\x01\x02"[..]), &mut to_server)
        .unwrap();
    client
        .encode(AppendPart::<'_, &[u8]>::End, &mut to_server)
        .unwrap();
    assert_eq!(
        server.decode(&mut to_server).unwrap(),
        Some(ClientFrame::LiteralChunk(Bytes::from_static(b"\0\x01\x02")))
    );
    assert_eq!(
        server.decode(&mut to_server).unwrap(),
        Some(ClientFrame::AppendEnd)
    );
    assert_eq!(server.decode(&mut to_server).unwrap(), None);
    assert!(!client.waits_for_continuation());
}
