//! `tokio_util::codec` framing for both ends of an IMAP connection
//! (feature `tokio`).
//!
//! - [`ServerCodec`] decodes what a client sends as [`ClientFrame`]s
//!   through a [`CommandDecoder`]: whole commands, the announcement of a
//!   synchronizing literal (the server decides: `+` or refuse), bad
//!   commands to answer, and APPEND messages streamed as [`Bytes`]
//!   chunks. It encodes [`Response`]s, [`Continuation`]s, answers to bad
//!   commands ([`Rejection`]) and FETCH literals streamed piece by piece
//!   ([`FetchPart`]).
//! - [`ClientCodec`] decodes what a server sends as [`ServerFrame`]s
//!   through a [`ResponseReader`]: responses, and FETCH message data
//!   (`BODY[]`, `BINARY[]`, `RFC822`) streamed as `Bytes` chunks. It
//!   encodes [`Command`]s (holding back what follows a synchronizing
//!   literal until the server's `+`, see [`ContinueLiteral`]), streamed
//!   APPENDs ([`AppendPart`]), SASL lines ([`AuthenticateLine`]) and
//!   [`IdleDone`].
//!
//! Frames are owned (`'static`): the borrowed values the parsers return
//! cannot outlive the receive buffer, so the codecs copy the small parts
//! out with `into_owned`; literal octets stream as `Bytes` split off the
//! buffer, never copied. Memory stays bounded by the [`Limits`] and
//! [`ResponseLimits`] whatever the size of a message.
//!
//! The codecs frame; they do not judge sequencing (which command is
//! allowed in which state). That is the job of the state machines in
//! [`server`](crate::server) and [`client`](crate::client).
//!
//! ```
//! use bytes::BytesMut;
//! use tokio_util::codec::{Decoder, Encoder};
//! use mailwire_imap::codec::{ClientCodec, ClientFrame, ServerCodec, ServerFrame};
//! use mailwire_imap::types::{Command, CommandBody, Mailbox, Response, Status, StatusKind, Tag};
//!
//! let mut client = ClientCodec::new();
//! let mut server = ServerCodec::new();
//! let (mut to_server, mut to_client) = (BytesMut::new(), BytesMut::new());
//!
//! let select = Command { tag: Tag::new("a1")?, body: CommandBody::Select { mailbox: Mailbox::Inbox, params: vec![] } };
//! client.encode(&select, &mut to_server)?;
//! let Some(ClientFrame::Command(command)) = server.decode(&mut to_server)? else { panic!() };
//! assert_eq!(command, select);
//!
//! let done = Response::Status(Status::new(Some(command.tag), StatusKind::Ok, "SELECT completed"));
//! server.encode(&done, &mut to_client)?;
//! let Some(ServerFrame::Response(response)) = client.decode(&mut to_client)? else { panic!() };
//! assert_eq!(response, done);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::num::NonZeroU32;

use bytes::{BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::encode::{
    EncodeError, FetchLiteralWriter, LiteralMode, encode_append_head, encode_append_next,
};
use crate::parse::{
    AppendInfo, CommandDecoder, CommandError, Decoded, Limits, ReadFrame, ResponseError,
    ResponseLimits, ResponseReader, StreamedLiteral,
};
use crate::types::{
    Command, Continuation, DateTime, FetchItem, Flag, IdleDone, Mailbox, Response, StreamedItem,
    Tag,
};

/// Why a codec failed. A client's bad command is a frame
/// ([`ClientFrame::Failed`]) and so is a server's bad response
/// ([`ServerFrame::Failed`]): the session goes on after either.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The transport failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A command or response could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// An item was given out of order (a FETCH chunk before its
    /// [`FetchPart::Begin`], a response inside a streamed FETCH, APPEND
    /// octets before the server's `+`, a command inside a streamed
    /// APPEND, [`ContinueLiteral`] with nothing waiting). Nothing was
    /// written.
    #[error("out of order: {0}")]
    Sequence(&'static str),
}

/// A bad command and the answer it gets: `tag BAD text`, `tag NO
/// [TOOBIG] text` for a literal over its limit, or `* BAD ...` when the
/// tag is unknown. Encode it with a [`ServerCodec`] (or
/// [`write`](Self::write) it) and read on.
///
/// ```
/// use mailwire_imap::codec::Rejection;
/// use mailwire_imap::types::{Command, Tag};
/// let rejection = Rejection { tag: Some(Tag::new("a1")?), error: Command::parse(b"a1 FROB\r\n").unwrap_err() };
/// let mut out = Vec::new();
/// rejection.write(&mut out);
/// assert_eq!(out, b"a1 BAD unknown command\r\n");
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection<'a> {
    /// The command's tag, when it had one.
    pub tag: Option<Tag<'a>>,
    /// What is wrong.
    pub error: CommandError,
}

impl Rejection<'_> {
    /// Writes the answer ([`CommandError::write_answer`]).
    pub fn write(&self, out: &mut impl BufMut) {
        self.error.write_answer(self.tag.as_ref(), out);
    }

    /// An owned copy.
    #[must_use]
    pub fn into_owned(self) -> Rejection<'static> {
        Rejection {
            tag: self.tag.map(Tag::into_owned),
            error: self.error,
        }
    }
}

/// A raw line asked for with [`ServerCodec::expect_line`] (a SASL
/// response after `+`, or `DONE` after IDLE), without its CRLF. Its
/// `Debug` shows only its length: it may hold credentials.
///
/// ```
/// use mailwire_imap::codec::RawLine;
/// let line = RawLine::from_static(b"AGZyZWQAc2VjcmV0");
/// assert_eq!(format!("{line:?}"), "RawLine(16 octets)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RawLine(Bytes);

impl RawLine {
    /// A line from static bytes (for tests and examples).
    #[must_use]
    pub const fn from_static(line: &'static [u8]) -> Self {
        Self(Bytes::from_static(line))
    }

    /// The line's octets, without CRLF.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The line as `Bytes`.
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl fmt::Debug for RawLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawLine({} octets)", self.0.len())
    }
}

/// What a [`ServerCodec`] decodes: [`Decoded`], owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientFrame {
    /// A complete command (its literals included).
    Command(Command<'static>),
    /// A synchronizing literal is announced (`{n}` CRLF) and the client
    /// waits: send a [`Continuation`] (`+ ...`) so that it sends the
    /// octets, or call [`ServerCodec::reject_literal`] and answer the
    /// tag with `NO` or `BAD`. Non-synchronizing literals are not
    /// announced. The size is within its limit already.
    LiteralAnnounced {
        /// The command's tag, if it is one.
        tag: Option<Tag<'static>>,
        /// The announced size.
        size: u64,
        /// `{n}` (true) or `{n+}` (false).
        sync: bool,
        /// `~{n}` (RFC 3516).
        binary: bool,
    },
    /// A bad command: encode the [`Rejection`] and read on. Its bytes
    /// are skipped, literals included.
    Failed(Rejection<'static>),
    /// Streaming APPEND: the first message is announced; when
    /// `message.sync`, answer `+` (or [`ServerCodec::reject_literal`]
    /// and `NO`) before its octets come as
    /// [`LiteralChunk`](Self::LiteralChunk)s.
    AppendStart {
        /// The tag.
        tag: Tag<'static>,
        /// The mailbox.
        mailbox: Mailbox<'static>,
        /// The message.
        message: AppendInfo<'static>,
    },
    /// Streaming APPEND: the next message of a MULTIAPPEND (RFC 3502);
    /// `+` as for [`AppendStart`](Self::AppendStart).
    AppendNext {
        /// The message.
        message: AppendInfo<'static>,
    },
    /// Streaming APPEND: the next octets of the current message, shared
    /// with the receive buffer (not copied).
    LiteralChunk(Bytes),
    /// Streaming APPEND: the command ended.
    AppendEnd,
    /// The line asked for with [`ServerCodec::expect_line`].
    Line(RawLine),
}

impl ClientFrame {
    /// Whether the client waits for a continuation (`+`) after this
    /// frame: a synchronizing literal announced, or an APPEND message
    /// announced with `{n}`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use tokio_util::codec::Decoder;
    /// use mailwire_imap::codec::ServerCodec;
    ///
    /// let mut codec = ServerCodec::new();
    /// let mut buf = BytesMut::from(&b"a1 LOGIN {4}\r\n"[..]);
    /// assert!(codec.decode(&mut buf)?.unwrap().wants_continuation());
    /// let mut buf = BytesMut::from(&b"a2 LOGIN {4+}\r\nfred {6+}\r\nsecret\r\n"[..]);
    /// assert!(!codec.decode(&mut buf)?.unwrap().wants_continuation());
    /// # Ok::<(), mailwire_imap::codec::CodecError>(())
    /// ```
    #[must_use]
    pub const fn wants_continuation(&self) -> bool {
        match self {
            Self::LiteralAnnounced { sync, .. } => *sync,
            Self::AppendStart { message, .. } | Self::AppendNext { message } => message.sync,
            _ => false,
        }
    }
}

/// A FETCH response whose message data streams out in pieces, for a
/// [`ServerCodec`] (through a [`FetchLiteralWriter`] it keeps): `Begin`,
/// any number of `Chunk`s adding up to the announced size, optionally
/// `Next` for another streamed item of the same FETCH, then `Finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchPart<'a, B> {
    /// `* seq FETCH (` the `before` items, the item's name and `{size}`
    /// CRLF.
    Begin {
        /// The message sequence number.
        seq: NonZeroU32,
        /// Items before the literal.
        before: &'a [FetchItem<'a>],
        /// The streamed item (`BODY[...]`, `BINARY[...]`, `RFC822`...).
        item: &'a StreamedItem<'a>,
        /// The literal's size.
        size: u64,
    },
    /// The next octets of the literal.
    Chunk(B),
    /// Ends the literal; starts another streamed item of the same FETCH.
    Next {
        /// Items between the two literals.
        between: &'a [FetchItem<'a>],
        /// The next streamed item.
        item: &'a StreamedItem<'a>,
        /// Its size.
        size: u64,
    },
    /// Ends the literal and the FETCH: the `after` items, `)` CRLF.
    Finish {
        /// Items after the literal.
        after: &'a [FetchItem<'a>],
    },
}

/// The server end: decodes [`ClientFrame`]s; encodes [`Response`]s,
/// [`Continuation`]s, [`Rejection`]s and [`FetchPart`]s.
///
/// APPEND messages stream by default (see
/// [`CommandDecoder::stream_append`]); [`with_decoder`](Self::with_decoder)
/// takes a decoder that buffers them instead.
///
/// **STARTTLS**: after sending `OK` to `STARTTLS`, take the transport out
/// with `Framed::into_parts` and drop the read buffer: bytes a client
/// pipelined after it must not be read as commands (RFC 9051 section
/// 11.1; the CVE-2011-0411 class of attacks).
///
/// ```
/// use bytes::BytesMut;
/// use tokio_util::codec::{Decoder, Encoder};
/// use mailwire_imap::codec::{ClientFrame, ServerCodec};
/// use mailwire_imap::types::{CommandBody, Continuation};
///
/// let mut codec = ServerCodec::new();
/// let mut input = BytesMut::from(&b"a1 FROB\r\na2 APPEND INBOX {11}\r\n"[..]);
/// let mut out = BytesMut::new();
/// // A bad command is answered, and the next one follows.
/// let Some(ClientFrame::Failed(rejection)) = codec.decode(&mut input)? else { panic!() };
/// codec.encode(rejection, &mut out)?;
/// // The APPEND's client waits for "+".
/// let Some(frame @ ClientFrame::AppendStart { .. }) = codec.decode(&mut input)? else { panic!() };
/// assert!(frame.wants_continuation());
/// codec.encode(Continuation { code: None, text: "Ready".into() }, &mut out)?;
/// assert_eq!(&out[..], b"a1 BAD unknown command\r\n+ Ready\r\n");
/// input.extend_from_slice(b"Hello Joe!\n\r\n");
/// assert_eq!(codec.decode(&mut input)?, Some(ClientFrame::LiteralChunk("Hello Joe!\n".into())));
/// assert_eq!(codec.decode(&mut input)?, Some(ClientFrame::AppendEnd));
/// assert_eq!(codec.decode(&mut input)?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServerCodec {
    decoder: CommandDecoder,
    fetch: Option<FetchLiteralWriter>,
}

impl Default for ServerCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerCodec {
    /// A codec with [`Limits::DEFAULT`], APPEND messages streamed.
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(&Limits::DEFAULT)
    }

    /// A codec with other limits, APPEND messages streamed.
    ///
    /// ```
    /// use mailwire_imap::codec::ServerCodec;
    /// use mailwire_imap::parse::Limits;
    /// let mut limits = Limits::DEFAULT;
    /// limits.max_append = 1 << 20;
    /// assert_eq!(ServerCodec::with_limits(&limits).decoder().limits().max_append, 1 << 20);
    /// ```
    #[must_use]
    pub fn with_limits(limits: &Limits) -> Self {
        Self::with_decoder(CommandDecoder::with_limits(limits).stream_append(true))
    }

    /// A codec around `decoder` (its limits and APPEND mode).
    #[must_use]
    pub fn with_decoder(decoder: CommandDecoder) -> Self {
        Self {
            decoder,
            fetch: None,
        }
    }

    /// The decoder inside.
    #[must_use]
    pub const fn decoder(&self) -> &CommandDecoder {
        &self.decoder
    }

    /// Refuses the synchronizing literal just announced
    /// ([`ClientFrame::LiteralAnnounced`], or an APPEND message): the
    /// client will not send it, and the command ends at the
    /// announcement. Answer the tag with `NO` or `BAD`. Returns false
    /// when no literal is pending. See [`CommandDecoder::reject_literal`].
    pub fn reject_literal(&mut self) -> bool {
        self.decoder.reject_literal()
    }

    /// Asks for the next line raw, as [`ClientFrame::Line`]: after
    /// sending `+` to AUTHENTICATE, or to IDLE. See
    /// [`CommandDecoder::expect_line`].
    pub fn expect_line(&mut self) {
        self.decoder.expect_line();
    }

    /// Whether a FETCH literal is being streamed out.
    #[must_use]
    pub const fn in_fetch(&self) -> bool {
        self.fetch.is_some()
    }
}

impl Decoder for ServerCodec {
    type Item = ClientFrame;
    type Error = CodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<ClientFrame>, CodecError> {
        Ok(Some(match self.decoder.decode(buf) {
            Decoded::Incomplete => return Ok(None),
            Decoded::LiteralAnnounced {
                tag,
                size,
                sync,
                binary,
            } => ClientFrame::LiteralAnnounced {
                tag: tag.map(Tag::into_owned),
                size,
                sync,
                binary,
            },
            Decoded::Command(command) => ClientFrame::Command(command.into_owned()),
            Decoded::Failed { tag, error } => ClientFrame::Failed(Rejection {
                tag: tag.map(Tag::into_owned),
                error,
            }),
            Decoded::AppendStart {
                tag,
                mailbox,
                message,
            } => ClientFrame::AppendStart {
                tag: tag.into_owned(),
                mailbox: mailbox.into_owned(),
                message: message.into_owned(),
            },
            Decoded::AppendNext { message } => ClientFrame::AppendNext {
                message: message.into_owned(),
            },
            Decoded::LiteralChunk(chunk) => ClientFrame::LiteralChunk(chunk),
            Decoded::AppendEnd => ClientFrame::AppendEnd,
            Decoded::Line(line) => ClientFrame::Line(RawLine(Bytes::copy_from_slice(line))),
        }))
    }
}

impl Encoder<Response<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, response: Response<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&response, out)
    }
}

impl Encoder<&Response<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, response: &Response<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        if self.fetch.is_some() {
            return Err(CodecError::Sequence("a response inside a streamed FETCH"));
        }
        response.encode(out)?;
        Ok(())
    }
}

impl Encoder<Continuation<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Continuation<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&Response::Continuation(item), out)
    }
}

impl Encoder<Rejection<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Rejection<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&item, out)
    }
}

impl Encoder<&Rejection<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &Rejection<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        if self.fetch.is_some() {
            return Err(CodecError::Sequence("a response inside a streamed FETCH"));
        }
        item.write(out);
        Ok(())
    }
}

impl<B: AsRef<[u8]>> Encoder<FetchPart<'_, B>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, part: FetchPart<'_, B>, out: &mut BytesMut) -> Result<(), CodecError> {
        match part {
            FetchPart::Begin {
                seq,
                before,
                item,
                size,
            } => {
                if self.fetch.is_some() {
                    return Err(CodecError::Sequence("FETCH begun twice"));
                }
                self.fetch = Some(FetchLiteralWriter::begin(seq, before, item, size, out)?);
            }
            FetchPart::Chunk(data) => {
                let writer = self
                    .fetch
                    .as_mut()
                    .ok_or(CodecError::Sequence("FETCH chunk before Begin"))?;
                writer.chunk(data.as_ref(), out)?;
            }
            FetchPart::Next {
                between,
                item,
                size,
            } => {
                let writer = self
                    .fetch
                    .take()
                    .ok_or(CodecError::Sequence("FETCH Next before Begin"))?;
                let remaining = writer.clone();
                match writer.next(between, item, size, out) {
                    Ok(next) => self.fetch = Some(next),
                    Err(e) => {
                        self.fetch = Some(remaining);
                        return Err(e.into());
                    }
                }
            }
            FetchPart::Finish { after } => {
                let writer = self
                    .fetch
                    .take()
                    .ok_or(CodecError::Sequence("FETCH Finish before Begin"))?;
                let remaining = writer.clone();
                if let Err(e) = writer.finish(after, out) {
                    self.fetch = Some(remaining);
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }
}

/// What a [`ClientCodec`] decodes: [`ReadFrame`], owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerFrame {
    /// A complete response.
    Response(Response<'static>),
    /// A FETCH whose message data streams: the items before the literal;
    /// the octets follow as [`LiteralChunk`](Self::LiteralChunk)s.
    FetchStart {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The items before the literal.
        items: Vec<FetchItem<'static>>,
        /// The literal.
        literal: StreamedLiteral<'static>,
    },
    /// After a streamed literal, the items up to the next one of the same
    /// FETCH.
    FetchNext {
        /// The items between the two literals.
        items: Vec<FetchItem<'static>>,
        /// The next literal.
        literal: StreamedLiteral<'static>,
    },
    /// The next octets of the streamed literal, split off the receive
    /// buffer (not copied).
    LiteralChunk(Bytes),
    /// The items after the last streamed literal: the FETCH is complete.
    FetchEnd {
        /// The remaining items.
        items: Vec<FetchItem<'static>>,
    },
    /// A response that breaks the grammar or a limit; its bytes were
    /// skipped. A client usually ends the session.
    Failed(ResponseError),
}

/// For a [`ClientCodec`]: the server answered `+`, send what waits for
/// it (the octets of a synchronizing literal, the rest of the command,
/// and commands queued behind it).
///
/// ```
/// use bytes::BytesMut;
/// use tokio_util::codec::{Decoder, Encoder};
/// use mailwire_imap::codec::{ClientCodec, ContinueLiteral, ServerFrame};
/// use mailwire_imap::types::{AString, Command, CommandBody, Response, Secret, Tag};
///
/// let mut codec = ClientCodec::new();
/// let mut out = BytesMut::new();
/// let login = Command { tag: Tag::new("a1")?, body: CommandBody::Login {
///     username: AString::from("fred"), password: Secret::new(AString::from("two\r\nlines")) } };
/// codec.encode(&login, &mut out)?;
/// assert_eq!(&out[..], b"a1 LOGIN fred {10}\r\n");
/// assert!(codec.waits_for_continuation());
/// let mut input = BytesMut::from(&b"+ go ahead\r\n"[..]);
/// let Some(ServerFrame::Response(Response::Continuation(_))) = codec.decode(&mut input)? else { panic!() };
/// codec.encode(ContinueLiteral, &mut out)?;
/// assert_eq!(&out[..], b"a1 LOGIN fred {10}\r\ntwo\r\nlines\r\n");
/// assert!(!codec.waits_for_continuation());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContinueLiteral;

/// An APPEND whose messages a [`ClientCodec`] streams without holding
/// them: `Head`, the message's octets as `Data` (after the server's `+`
/// when the literal is synchronizing), optionally `Next` for another
/// message (MULTIAPPEND, RFC 3502), then `End`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendPart<'a, B> {
    /// `tag APPEND mailbox [flags] [date] {size}` CRLF.
    Head {
        /// The tag.
        tag: &'a Tag<'a>,
        /// The mailbox.
        mailbox: &'a Mailbox<'a>,
        /// The flags to set.
        flags: &'a [Flag<'a>],
        /// The INTERNALDATE to set.
        date: Option<DateTime>,
        /// The message size.
        size: u64,
        /// A `literal8` (`~{n}`, RFC 3516), which may hold NUL.
        binary: bool,
    },
    /// The next octets of the message.
    Data(B),
    /// The next message: `SP [flags] [date] {size}` CRLF.
    Next {
        /// The flags to set.
        flags: &'a [Flag<'a>],
        /// The INTERNALDATE to set.
        date: Option<DateTime>,
        /// The message size.
        size: u64,
        /// A `literal8`.
        binary: bool,
    },
    /// The end of the command: CRLF.
    End,
}

/// A client's line in an AUTHENTICATE exchange (RFC 9051 section
/// 6.2.2), for a [`ClientCodec`].
#[derive(Clone, PartialEq, Eq)]
pub enum AuthenticateLine<'a> {
    /// Response data, base64-encoded by the codec (empty gives an empty
    /// line).
    Data(&'a [u8]),
    /// `*`: cancel the exchange.
    Cancel,
}

impl fmt::Debug for AuthenticateLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Data(_) => f.write_str("Data(..)"),
            Self::Cancel => f.write_str("Cancel"),
        }
    }
}

/// A streamed APPEND message being written.
#[derive(Debug, Clone, Copy)]
struct AppendOut {
    left: u64,
    binary: bool,
    /// Its announcement waits for `+`.
    waiting: bool,
}

/// A command whose literals wait for `+`.
#[derive(Debug, Clone)]
struct Queued {
    tag: String,
    /// The next segments to send, a `+` awaited before each.
    segments: VecDeque<Vec<u8>>,
}

/// The client end: decodes [`ServerFrame`]s through a
/// [`ResponseReader`] (FETCH message data streamed by default);
/// encodes [`Command`]s, [`ContinueLiteral`], [`AppendPart`]s,
/// [`AuthenticateLine`]s and [`IdleDone`].
///
/// Literals are written in the codec's [`LiteralMode`]: synchronizing
/// by default, so a command with a literal goes out up to its first
/// `{n}` CRLF and the rest waits in the codec until the server's `+`
/// arrives and [`ContinueLiteral`] is encoded; commands encoded
/// meanwhile queue behind it. With LITERAL+ advertised, use
/// [`with_literal_mode`](Self::with_literal_mode)`(LiteralMode::NonSync)`
/// and nothing waits. When the server refuses a literal (a tagged
/// response instead of `+`), the rest of that command is dropped and
/// the commands queued behind it go out with the next item encoded
/// (encode [`ContinueLiteral`] to send them at once).
///
/// ```
/// use bytes::BytesMut;
/// use tokio_util::codec::Decoder;
/// use mailwire_imap::codec::{ClientCodec, ServerFrame};
///
/// let mut codec = ClientCodec::new();
/// let mut input = BytesMut::from(&b"* 1 FETCH (UID 9 BODY[] {11}\r\nHello"[..]);
/// let Some(ServerFrame::FetchStart { literal, .. }) = codec.decode(&mut input)? else { panic!() };
/// assert_eq!(literal.size, 11);
/// assert_eq!(codec.decode(&mut input)?, Some(ServerFrame::LiteralChunk("Hello".into())));
/// input.extend_from_slice(b" world)\r\n");
/// assert_eq!(codec.decode(&mut input)?, Some(ServerFrame::LiteralChunk(" world".into())));
/// assert_eq!(codec.decode(&mut input)?, Some(ServerFrame::FetchEnd { items: vec![] }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientCodec {
    reader: ResponseReader,
    mode: LiteralMode,
    queue: VecDeque<Queued>,
    /// `+` came for the head of the queue.
    go: bool,
    /// The head of the queue was refused: drop it at the next encode.
    refused: bool,
    append: Option<AppendOut>,
}

impl Default for ClientCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientCodec {
    /// A codec with [`ResponseLimits::DEFAULT`], FETCH message data
    /// streamed, synchronizing literals.
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(&ResponseLimits::DEFAULT)
    }

    /// A codec with other limits, FETCH message data streamed.
    #[must_use]
    pub fn with_limits(limits: &ResponseLimits) -> Self {
        Self::with_reader(ResponseReader::with_limits(limits).stream_literals(true))
    }

    /// A codec around `reader` (its limits and streaming mode).
    #[must_use]
    pub fn with_reader(reader: ResponseReader) -> Self {
        Self {
            reader,
            mode: LiteralMode::Sync,
            queue: VecDeque::new(),
            go: false,
            refused: false,
            append: None,
        }
    }

    /// Writes literals in `mode` (`NonSync` once the server advertised
    /// LITERAL+, `NonSyncUpTo4096` for LITERAL-).
    #[must_use]
    pub fn with_literal_mode(mut self, mode: LiteralMode) -> Self {
        self.mode = mode;
        self
    }

    /// The reader inside.
    #[must_use]
    pub const fn reader(&self) -> &ResponseReader {
        &self.reader
    }

    /// Whether encoded bytes wait for the server's `+` (a command's
    /// literal, or a streamed APPEND message).
    #[must_use]
    pub fn waits_for_continuation(&self) -> bool {
        !self.queue.is_empty() || self.append.is_some_and(|a| a.waiting)
    }

    /// Writes what may go now: after `+`, the next segment of the head
    /// command; after a refusal, nothing of it; then the commands behind
    /// it up to the next wait.
    fn drain(&mut self, out: &mut BytesMut) {
        // The head of the queue has sent its first segment; the others
        // hold all of theirs.
        let Some(head) = self.queue.front_mut() else {
            self.go = false;
            self.refused = false;
            return;
        };
        if self.refused {
            self.queue.pop_front();
        } else if self.go {
            if let Some(segment) = head.segments.pop_front() {
                out.extend_from_slice(&segment);
            }
            if head.segments.is_empty() {
                self.queue.pop_front();
            } else {
                self.go = false;
                return;
            }
        } else {
            return;
        }
        self.go = false;
        self.refused = false;
        // The commands behind it go out, each up to its first wait.
        while let Some(next) = self.queue.front_mut() {
            if let Some(first) = next.segments.pop_front() {
                out.extend_from_slice(&first);
            }
            if !next.segments.is_empty() {
                return;
            }
            self.queue.pop_front();
        }
    }

    fn note_response(&mut self, response: &Response<'_>) {
        match response {
            Response::Continuation(_) => {
                if let Some(append) = self.append.as_mut().filter(|a| a.waiting) {
                    append.waiting = false;
                } else if !self.queue.is_empty() {
                    self.go = true;
                }
            }
            Response::Status(status) => {
                let Some(tag) = &status.tag else {
                    return;
                };
                if self.append.is_some_and(|a| a.waiting) {
                    // The APPEND message was refused before its octets.
                    self.append = None;
                }
                if self.queue.front().is_some_and(|q| q.tag == tag.as_str()) {
                    self.refused = true;
                }
            }
            Response::Data(_) => {}
        }
    }
}

impl Decoder for ClientCodec {
    type Item = ServerFrame;
    type Error = CodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<ServerFrame>, CodecError> {
        let frame = match self.reader.read(buf) {
            ReadFrame::Incomplete => return Ok(None),
            ReadFrame::Response(response) => ServerFrame::Response(response.into_owned()),
            ReadFrame::FetchStart {
                seq,
                items,
                literal,
            } => ServerFrame::FetchStart {
                seq,
                items: items.into_iter().map(FetchItem::into_owned).collect(),
                literal: literal.into_owned(),
            },
            ReadFrame::FetchNext { items, literal } => ServerFrame::FetchNext {
                items: items.into_iter().map(FetchItem::into_owned).collect(),
                literal: literal.into_owned(),
            },
            ReadFrame::LiteralChunk(chunk) => ServerFrame::LiteralChunk(chunk),
            ReadFrame::FetchEnd { items } => ServerFrame::FetchEnd {
                items: items.into_iter().map(FetchItem::into_owned).collect(),
            },
            ReadFrame::Failed { error } => ServerFrame::Failed(error),
        };
        if let ServerFrame::Response(response) = &frame {
            self.note_response(response);
        }
        Ok(Some(frame))
    }
}

impl Encoder<Command<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, command: Command<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&command, out)
    }
}

impl Encoder<&Command<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, command: &Command<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        if self.append.is_some() {
            // Its octets would land inside the message.
            return Err(CodecError::Sequence("a command inside a streamed APPEND"));
        }
        let encoded = command.encode_with(self.mode)?;
        self.drain(out);
        let mut segments: VecDeque<Vec<u8>> = encoded.segments().map(<[u8]>::to_vec).collect();
        if self.queue.is_empty() {
            if let Some(first) = segments.pop_front() {
                out.extend_from_slice(&first);
            }
            if segments.is_empty() {
                return Ok(());
            }
        }
        self.queue.push_back(Queued {
            tag: command.tag.as_str().to_owned(),
            segments,
        });
        Ok(())
    }
}

impl Encoder<ContinueLiteral> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, _: ContinueLiteral, out: &mut BytesMut) -> Result<(), CodecError> {
        if !self.go && !self.refused {
            return Err(CodecError::Sequence(
                "no continuation received for a literal",
            ));
        }
        self.drain(out);
        Ok(())
    }
}

impl<B: AsRef<[u8]>> Encoder<AppendPart<'_, B>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, part: AppendPart<'_, B>, out: &mut BytesMut) -> Result<(), CodecError> {
        self.drain(out);
        match part {
            AppendPart::Head {
                tag,
                mailbox,
                flags,
                date,
                size,
                binary,
            } => {
                if self.append.is_some() || !self.queue.is_empty() {
                    return Err(CodecError::Sequence(
                        "APPEND head while another command is being sent",
                    ));
                }
                let head = encode_append_head(tag, mailbox, flags, date, size, binary, self.mode)?;
                out.extend_from_slice(&head.bytes);
                self.append = Some(AppendOut {
                    left: size,
                    binary,
                    waiting: !head.waits.is_empty(),
                });
            }
            AppendPart::Data(data) => {
                let data = data.as_ref();
                let append = self
                    .append
                    .as_mut()
                    .ok_or(CodecError::Sequence("APPEND data without a head"))?;
                if append.waiting {
                    return Err(CodecError::Sequence(
                        "APPEND data before the server's continuation",
                    ));
                }
                if data.len() as u64 > append.left {
                    return Err(EncodeError::Invalid {
                        field: "literal",
                        reason: "more octets than announced",
                    }
                    .into());
                }
                if !append.binary && memchr::memchr(0, data).is_some() {
                    return Err(EncodeError::ForbiddenByte {
                        field: "literal",
                        byte: 0,
                    }
                    .into());
                }
                out.extend_from_slice(data);
                append.left -= data.len() as u64;
            }
            AppendPart::Next {
                flags,
                date,
                size,
                binary,
            } => {
                let append = self
                    .append
                    .as_mut()
                    .ok_or(CodecError::Sequence("APPEND next without a head"))?;
                if append.waiting || append.left > 0 {
                    return Err(CodecError::Sequence("APPEND next before the message ended"));
                }
                let next = encode_append_next(flags, date, size, binary, self.mode);
                out.extend_from_slice(&next.bytes);
                *append = AppendOut {
                    left: size,
                    binary,
                    waiting: !next.waits.is_empty(),
                };
            }
            AppendPart::End => {
                let append = self
                    .append
                    .ok_or(CodecError::Sequence("APPEND end without a head"))?;
                if append.waiting || append.left > 0 {
                    return Err(CodecError::Sequence("APPEND end before the message ended"));
                }
                out.extend_from_slice(b"\r\n");
                self.append = None;
            }
        }
        Ok(())
    }
}

impl Encoder<AuthenticateLine<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, line: AuthenticateLine<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        if self.append.is_some() {
            return Err(CodecError::Sequence("a SASL line inside a streamed APPEND"));
        }
        self.drain(out);
        match line {
            AuthenticateLine::Data(data) => {
                out.extend_from_slice(mailwire_core::sasl::encode_base64(data).as_bytes());
            }
            AuthenticateLine::Cancel => out.extend_from_slice(b"*"),
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }
}

impl Encoder<IdleDone> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, _: IdleDone, out: &mut BytesMut) -> Result<(), CodecError> {
        if self.append.is_some() {
            return Err(CodecError::Sequence("DONE inside a streamed APPEND"));
        }
        self.drain(out);
        out.extend_from_slice(IdleDone::BYTES);
        Ok(())
    }
}
