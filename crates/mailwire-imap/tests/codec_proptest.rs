//! The two codecs against each other: any sequence of commands a
//! `ClientCodec` encodes (pipelined, strings going out as atoms, quoted
//! strings or literals as their octets need) reaches a `ServerCodec`
//! unchanged, whatever the sizes of the reads, with synchronizing
//! literals (each waiting for the server's `+`, RFC 9051 section 4.3)
//! and with LITERAL+ (RFC 7888).
#![cfg(feature = "tokio")]

use bytes::BytesMut;
use mailwire_imap::codec::{ClientCodec, ClientFrame, ContinueLiteral, ServerCodec, ServerFrame};
use mailwire_imap::encode::LiteralMode;
use mailwire_imap::types::{
    AString, Command, CommandBody, Continuation, Response, SearchKey, Secret, Status, StatusKind,
    Tag,
};
use proptest::prelude::*;
use tokio_util::codec::{Decoder, Encoder};

fn octets() -> impl Strategy<Value = AString<'static>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(b"ab \"\\\r\n{}~*%\xc3\xa9".to_vec()),
            1 => 1u8..=255,
        ],
        0..24,
    )
    .prop_map(|v| AString::new(std::borrow::Cow::Owned(v)))
}

fn command() -> impl Strategy<Value = CommandBody<'static>> {
    prop_oneof![
        Just(CommandBody::Noop),
        (octets(), octets()).prop_map(|(username, password)| CommandBody::Login {
            username,
            password: Secret::new(password),
        }),
        prop::collection::vec(octets(), 1..4).prop_map(|subjects| CommandBody::Search {
            uid: false,
            returns: None,
            charset: None,
            criteria: subjects.into_iter().map(SearchKey::Subject).collect(),
        }),
    ]
}

/// Runs the exchange, the server refusing the synchronizing literals of
/// the commands whose bit is set in `refuse` (`tag NO`, RFC 9051 section
/// 4.3); returns the commands the server decoded and the tags refused.
fn exchange(
    bodies: &[CommandBody<'static>],
    mode: LiteralMode,
    piece: usize,
    refuse: u8,
) -> (Vec<Command<'static>>, Vec<String>) {
    let mut client = ClientCodec::new().with_literal_mode(mode);
    let mut server = ServerCodec::new();
    let (mut c2s, mut s2c, mut server_buf) = (BytesMut::new(), BytesMut::new(), BytesMut::new());
    for (i, body) in bodies.iter().enumerate() {
        let cmd = Command {
            tag: Tag::new(format!("t{i}")).unwrap().into_owned(),
            body: body.clone(),
        };
        client.encode(&cmd, &mut c2s).unwrap();
    }
    let mut received = Vec::new();
    let mut refused = Vec::new();
    let mut idle_rounds = 0;
    while received.len() + refused.len() < bodies.len() {
        let n = piece.min(c2s.len());
        server_buf.extend_from_slice(&c2s.split_to(n));
        let mut progress = n > 0;
        while let Some(frame) = server.decode(&mut server_buf).unwrap() {
            progress = true;
            match frame {
                ClientFrame::Command(cmd) => received.push(cmd),
                ClientFrame::LiteralAnnounced {
                    sync: true,
                    tag: Some(tag),
                    ..
                } if refuse & (1 << tag.as_str()[1..].parse::<u32>().unwrap()) != 0 => {
                    assert!(server.reject_literal());
                    let no = Status::new(Some(tag.clone()), StatusKind::No, "refused");
                    server.encode(Response::Status(no), &mut s2c).unwrap();
                    refused.push(tag.as_str().to_owned());
                }
                ClientFrame::LiteralAnnounced { sync: true, .. } => {
                    let go = Continuation {
                        code: None,
                        text: "go".into(),
                    };
                    server.encode(go, &mut s2c).unwrap();
                }
                other => panic!("{other:?}"),
            }
        }
        while let Some(frame) = client.decode(&mut s2c).unwrap() {
            progress = true;
            match frame {
                ServerFrame::Response(Response::Continuation(_)) => {
                    client.encode(ContinueLiteral, &mut c2s).unwrap();
                }
                // A refusal: what was queued behind the command goes now.
                ServerFrame::Response(Response::Status(no)) => {
                    assert_eq!(no.kind, StatusKind::No);
                    if client.waits_for_continuation() {
                        client.encode(ContinueLiteral, &mut c2s).unwrap();
                    }
                }
                other => panic!("{other:?}"),
            }
        }
        if progress {
            idle_rounds = 0;
        } else {
            idle_rounds += 1;
            assert!(idle_rounds < 3, "stalled after {} commands", received.len());
        }
    }
    assert!(c2s.is_empty() && server_buf.is_empty() && s2c.is_empty());
    assert!(!client.waits_for_continuation());
    (received, refused)
}

proptest! {
    #[test]
    fn client_codec_to_server_codec(
        bodies in prop::collection::vec(command(), 1..8),
        sync in any::<bool>(),
        piece in 1usize..64,
        refuse in any::<u8>(),
    ) {
        let mode = if sync { LiteralMode::Sync } else { LiteralMode::NonSync };
        let (received, refused) = exchange(&bodies, mode, piece, refuse);
        if !sync {
            prop_assert!(refused.is_empty());
        }
        let got: Vec<_> = received.iter().map(|c| (c.tag.as_str().to_owned(), c.body.clone())).collect();
        let want: Vec<_> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("t{i}"), b.clone()))
            .filter(|(t, _)| !refused.contains(t))
            .collect();
        prop_assert_eq!(got, want);
    }
}
