//! Shared helpers of the integration tests: drive a `CommandDecoder`
//! over chunks and record what it says in owned form.
#![allow(dead_code)] // each test binary uses its own subset

use bytes::BytesMut;
use mailwire_imap::parse::{CommandDecoder, Decoded, Limits};
use mailwire_imap::types::Command;

/// An owned record of one `Decoded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ev {
    /// A command: its Debug form and its re-encoding.
    Command(String, Vec<u8>),
    Announced {
        size: u64,
        sync: bool,
        binary: bool,
    },
    Failed {
        tag: Option<String>,
        kind: String,
    },
    AppendStart(String),
    AppendNext(String),
    /// Chunk octets, consecutive chunks joined.
    Chunk(Vec<u8>),
    AppendEnd,
    Line(Vec<u8>),
}

/// Feeds `chunks` one after the other, decoding until `Incomplete` after
/// each. Returns the events (literal announcements included).
pub(crate) fn run(mut decoder: CommandDecoder, chunks: &[&[u8]]) -> Vec<Ev> {
    let mut buf = BytesMut::new();
    let mut events = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            let ev = match decoder.decode(&mut buf) {
                Decoded::Incomplete => break,
                Decoded::Command(cmd) => {
                    assert_eq!(cmd.clone().into_owned(), cmd, "into_owned changed it");
                    Ev::Command(
                        format!("{cmd:?}"),
                        cmd.to_bytes().expect("parsed command encodes"),
                    )
                }
                Decoded::LiteralAnnounced {
                    size, sync, binary, ..
                } => Ev::Announced { size, sync, binary },
                Decoded::Failed { tag, error } => Ev::Failed {
                    tag: tag.map(|t| t.as_str().to_owned()),
                    kind: format!("{:?}", error.kind()),
                },
                Decoded::AppendStart {
                    tag,
                    mailbox,
                    message,
                } => Ev::AppendStart(format!("{tag:?} {mailbox:?} {message:?}")),
                Decoded::AppendNext { message } => Ev::AppendNext(format!("{message:?}")),
                Decoded::LiteralChunk(bytes) => {
                    if let Some(Ev::Chunk(prev)) = events.last_mut() {
                        prev.extend_from_slice(&bytes);
                        continue;
                    }
                    Ev::Chunk(bytes.to_vec())
                }
                Decoded::AppendEnd => Ev::AppendEnd,
                Decoded::Line(line) => Ev::Line(line.to_vec()),
                other => panic!("unexpected {other:?}"),
            };
            events.push(ev);
        }
    }
    events
}

/// The events without literal announcements (which depend on how the
/// input was split).
pub(crate) fn without_announcements(events: Vec<Ev>) -> Vec<Ev> {
    events
        .into_iter()
        .filter(|e| !matches!(e, Ev::Announced { .. }))
        .collect()
}

/// Parses one complete command the three ways (one-shot, decoder whole,
/// decoder byte by byte), checks they agree and that encoding it parses
/// back the same. Returns the one-shot result.
pub(crate) fn parse_ok(input: &[u8]) -> Command<'_> {
    let (cmd, len) = Command::parse(input)
        .unwrap_or_else(|e| panic!("{:?} did not parse: {e}", String::from_utf8_lossy(input)));
    assert_eq!(len, input.len(), "the command did not take all input");
    let expect = vec![Ev::Command(format!("{cmd:?}"), cmd.to_bytes().unwrap())];
    assert_eq!(
        run(CommandDecoder::new(), &[input])
            .into_iter()
            .filter(|e| !matches!(e, Ev::Announced { .. }))
            .collect::<Vec<_>>(),
        expect
    );
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(
        without_announcements(run(CommandDecoder::new(), &bytes)),
        expect
    );
    let encoded = cmd.to_bytes().unwrap();
    let (again, len) = Command::parse_with_limits(&encoded, &Limits::UNLIMITED).unwrap();
    assert_eq!(len, encoded.len());
    assert_eq!(again, cmd, "encode then parse changed the command");
    cmd
}

/// The kind of error a bad command gets, via `Command::parse`.
pub(crate) fn parse_err(input: &[u8]) -> mailwire_imap::parse::CommandErrorKind {
    match Command::parse(input) {
        Ok((cmd, _)) => panic!("{:?} parsed as {cmd:?}", String::from_utf8_lossy(input)),
        Err(e) => e.kind(),
    }
}
