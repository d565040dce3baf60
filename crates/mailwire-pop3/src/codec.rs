//! `tokio_util::codec` framing for both ends of a POP3 connection
//! (feature `tokio`).
//!
//! - [`ServerCodec`] decodes what a client sends, [`ClientFrame`]s
//!   (command lines, SASL response lines), and encodes [`Response`]s,
//!   [`Continuation`]s and multi-line [`Body`] bytes, dot-stuffed on the
//!   way out.
//! - [`ClientCodec`] decodes what a server sends, [`ServerFrame`]s: status
//!   lines, continuations, and multi-line bodies as unstuffed [`Bytes`]
//!   chunks ending only at `CRLF.CRLF` (through a
//!   [`ResponseReader`], usable without tokio); it encodes [`Command`]s
//!   and [`SaslResponse`]s. A multi-line `+OK` looks like a single-line
//!   one, so the codec remembers what each command it encoded expects
//!   ([`Command::response_kind`]); commands sent some other way are
//!   announced with [`ClientCodec::expect`].
//!
//! The codecs frame; they do not judge sequencing (which commands are
//! allowed in which state). That is the job of a state machine on top.
//!
//! ```
//! use bytes::BytesMut;
//! use tokio_util::codec::{Decoder, Encoder};
//! use mailwire_pop3::codec::{Body, ClientCodec, ClientFrame, ServerCodec, ServerFrame};
//! use mailwire_pop3::types::{Command, Response};
//!
//! let mut client = ClientCodec::new().after_greeting();
//! let mut server = ServerCodec::new();
//! let (mut to_server, mut to_client) = (BytesMut::new(), BytesMut::new());
//!
//! client.encode(Command::Retr { msg: 1 }, &mut to_server)?;
//! let Some(ClientFrame::Command(line)) = server.decode(&mut to_server)? else { panic!() };
//! assert_eq!(line.parse()?, Command::Retr { msg: 1 });
//!
//! server.encode(Response::ok("120 octets"), &mut to_client)?;
//! server.encode(Body::Chunk(&b"Subject: hi\r\n\r\n.dot first\r\n"[..]), &mut to_client)?;
//! server.encode(Body::<&[u8]>::End, &mut to_client)?;
//! assert_eq!(&to_client[..], b"+OK 120 octets\r\nSubject: hi\r\n\r\n..dot first\r\n.\r\n");
//!
//! let Some(ServerFrame::Response(ok)) = client.decode(&mut to_client)? else { panic!() };
//! assert!(ok.is_ok());
//! let mut body = Vec::new();
//! while let Some(ServerFrame::Data(chunk)) = client.decode(&mut to_client)? {
//!     body.extend_from_slice(&chunk); // stops at ServerFrame::End
//! }
//! assert_eq!(body, b"Subject: hi\r\n\r\n.dot first\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use bytes::{Bytes, BytesMut};
use mailwire_core::LineFramer;
use mailwire_core::dot::DotEncoder;
use tokio_util::codec::{Decoder, Encoder};

use crate::encode::EncodeError;
pub use crate::parse::ServerFrame;
use crate::parse::{CommandError, Limits, ReadError, ResponseError, ResponseReader};
use crate::types::{Command, Continuation, Response, ResponseKind, SaslResponse};

/// Why a codec failed. A client's bad command line is a frame
/// ([`ClientFrame::LineError`], or a [`CommandError`] from
/// [`CommandLine::parse`]), not an error: the session goes on after it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The transport failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The server's line is not a response or a continuation.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The server's line is longer than the limit, or holds a bare CR.
    #[error("response line: {0}")]
    Line(#[source] mailwire_core::Error),
    /// A command or response could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A body could not be dot-stuffed (a bare CR or LF refused by the
    /// [`DotEncoder`]'s policy).
    #[error(transparent)]
    Body(#[from] mailwire_core::Error),
}

impl From<ReadError> for CodecError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::Response(e) => Self::Response(e),
            ReadError::Line(e) => Self::Line(e),
        }
    }
}

/// A line received by a server, without its line ending: shared with the
/// receive buffer, parsed on demand as a command or, during `AUTH`, as a
/// SASL response.
///
/// Its `Debug` shows the keyword only: the rest may be a credential.
///
/// ```
/// use mailwire_pop3::codec::CommandLine;
/// use mailwire_pop3::types::Command;
///
/// let line = CommandLine::from_static(b"PASS secret");
/// assert!(matches!(line.parse()?, Command::Pass { .. }));
/// assert_eq!(format!("{line:?}"), "CommandLine(\"PASS\" ..)");
/// # Ok::<(), mailwire_pop3::parse::CommandError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CommandLine(Bytes);

impl CommandLine {
    /// A line from static bytes (for tests and examples).
    #[must_use]
    pub const fn from_static(line: &'static [u8]) -> Self {
        Self(Bytes::from_static(line))
    }

    /// The line's bytes, without the line ending.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The line as `Bytes`.
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// Parses the command, borrowing from the line. The codec's framer
    /// has already bounded the line's length.
    ///
    /// # Errors
    ///
    /// [`CommandError`], with the `-ERR` response to give.
    pub fn parse(&self) -> Result<Command<'_>, CommandError> {
        Command::parse_with_limits(&self.0, &Limits::UNLIMITED)
    }

    /// Parses the line as a client's SASL response (after `AUTH`).
    ///
    /// # Errors
    ///
    /// [`CommandError`] when it is neither base64 nor `*`.
    ///
    /// ```
    /// use mailwire_pop3::codec::CommandLine;
    /// use mailwire_pop3::types::SaslResponse;
    /// assert_eq!(CommandLine::from_static(b"*").parse_sasl()?, SaslResponse::Cancel);
    /// # Ok::<(), mailwire_pop3::parse::CommandError>(())
    /// ```
    pub fn parse_sasl(&self) -> Result<SaslResponse<'_>, CommandError> {
        SaslResponse::parse(&self.0)
    }
}

impl fmt::Debug for CommandLine {
    /// Shows the keyword only: the rest may be a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = self.0.split(|&b| b == b' ').next().unwrap_or(&[]);
        write!(f, "CommandLine({:?} ..)", String::from_utf8_lossy(verb))
    }
}

/// What a [`ServerCodec`] decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientFrame {
    /// A command line (or, during `AUTH`, a SASL response line).
    Command(CommandLine),
    /// A line the framer refused: longer than the limit (skipped to its
    /// end) or holding a bare CR or LF. Answer `-ERR` and go on.
    LineError(mailwire_core::Error),
}

/// A piece of a multi-line response body, for a [`ServerCodec`] to send
/// after the `+OK` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<B> {
    /// Body bytes (a message, or listing / capability lines), in order;
    /// dot-stuffed and given CRLF line endings on the way out.
    Chunk(B),
    /// The end of the body: a final CRLF if needed, then `.CRLF`.
    End,
}

/// The server end: decodes [`ClientFrame`]s; encodes [`Response`]s,
/// [`Continuation`]s and [`Body`] pieces.
///
/// **STLS**: after sending `+OK` to `STLS`, take the transport out with
/// `Framed::into_parts` and drop the read buffer: bytes a client
/// pipelined after `STLS` must not be read as commands (RFC 2595 section
/// 4; the CVE-2011-0411 class of attacks).
///
/// **AUTH**: SASL response lines are framed with the same limit as
/// commands; raise it with [`set_max_line`](Self::set_max_line) for the
/// exchange if your mechanisms need longer lines.
///
/// ```
/// use bytes::BytesMut;
/// use tokio_util::codec::{Decoder, Encoder};
/// use mailwire_pop3::codec::{ClientFrame, ServerCodec};
///
/// let mut codec = ServerCodec::new();
/// let mut input = BytesMut::from(&b"FROB\r\nQUIT\r\n"[..]);
/// let Some(ClientFrame::Command(line)) = codec.decode(&mut input)? else { panic!() };
/// let err = line.parse().unwrap_err();
/// let mut out = BytesMut::new();
/// codec.encode(err.response(), &mut out)?; // and go on
/// assert_eq!(&out[..], b"-ERR unknown command\r\n");
/// assert!(matches!(codec.decode(&mut input)?, Some(ClientFrame::Command(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServerCodec {
    framer: LineFramer,
    dot: DotEncoder,
}

impl Default for ServerCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerCodec {
    /// A codec with [`Limits::DEFAULT`] (255-octet command lines), bare
    /// CR and LF in command lines refused, bare CR and LF in bodies
    /// written as CRLF.
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(&Limits::DEFAULT)
    }

    /// A codec bounded by `limits.max_command_line`.
    ///
    /// ```
    /// use mailwire_pop3::codec::ServerCodec;
    /// use mailwire_pop3::parse::Limits;
    ///
    /// let mut limits = Limits::DEFAULT;
    /// limits.max_command_line = 1024;
    /// assert_eq!(ServerCodec::with_limits(&limits).max_line(), 1024);
    /// ```
    #[must_use]
    pub fn with_limits(limits: &Limits) -> Self {
        Self::with_parts(LineFramer::new(limits.max_command_line), DotEncoder::new())
    }

    /// A codec with its own line framer (length limit, bare CR/LF
    /// policy) and dot encoder (bare CR/LF policy for bodies).
    #[must_use]
    pub fn with_parts(framer: LineFramer, dot: DotEncoder) -> Self {
        Self { framer, dot }
    }

    /// The longest line accepted, CRLF included.
    #[must_use]
    pub fn max_line(&self) -> usize {
        self.framer.max_length()
    }

    /// Changes the longest line accepted (for a SASL exchange, say).
    pub fn set_max_line(&mut self, max: usize) {
        self.framer.set_max_length(max);
    }
}

impl Decoder for ServerCodec {
    type Item = ClientFrame;
    type Error = CodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<ClientFrame>, CodecError> {
        Ok(self.framer.next_line(buf).map(|line| match line {
            Ok(line) => ClientFrame::Command(CommandLine(line.into_content())),
            Err(error) => ClientFrame::LineError(error),
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
        response.encode(out)?;
        Ok(())
    }
}

impl Encoder<Continuation<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Continuation<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        item.encode(out)?;
        Ok(())
    }
}

impl Encoder<&Continuation<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &Continuation<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        item.encode(out)?;
        Ok(())
    }
}

impl<B: AsRef<[u8]>> Encoder<Body<B>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, body: Body<B>, out: &mut BytesMut) -> Result<(), CodecError> {
        match body {
            Body::Chunk(bytes) => self.dot.encode(bytes.as_ref(), out)?,
            Body::End => self.dot.finish(out)?,
        }
        Ok(())
    }
}

/// The client end: decodes [`ServerFrame`]s through a
/// [`ResponseReader`]; encodes [`Command`]s (announcing the shape of
/// response each expects to the reader) and [`SaslResponse`]s.
///
/// Memory stays bounded whatever the size of a body: a status line is
/// held to [`Limits::max_response_line`], and body bytes are handed out
/// as they arrive (at most two bytes wait in the buffer for what follows
/// them).
///
/// ```
/// use bytes::BytesMut;
/// use tokio_util::codec::{Decoder, Encoder};
/// use mailwire_pop3::codec::{ClientCodec, ServerFrame};
/// use mailwire_pop3::types::{Command, ScanListing};
///
/// let mut codec = ClientCodec::new();
/// let mut input = BytesMut::from(&b"+OK ready\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"[..]);
/// codec.encode(Command::List { msg: None }, &mut BytesMut::new())?;
/// assert!(matches!(codec.decode(&mut input)?, Some(ServerFrame::Response(_)))); // greeting
/// assert!(matches!(codec.decode(&mut input)?, Some(ServerFrame::Response(_))));
/// let mut body = Vec::new();
/// while let Some(ServerFrame::Data(chunk)) = codec.decode(&mut input)? {
///     body.extend_from_slice(&chunk); // until ServerFrame::End
/// }
/// let sizes: Vec<_> = body
///     .split_inclusive(|&b| b == b'\n')
///     .map(|line| ScanListing::parse(line).unwrap().size)
///     .collect();
/// assert_eq!(sizes, [120, 200]);
/// assert!(!codec.in_body());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientCodec {
    reader: ResponseReader,
}

impl ClientCodec {
    /// A codec with [`Limits::DEFAULT`] (512-octet response lines,
    /// 64 MiB bodies): see [`ResponseReader::new`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A codec bounded by `limits.max_response_line` and
    /// `limits.max_body_size`.
    ///
    /// ```
    /// use mailwire_pop3::codec::ClientCodec;
    /// use mailwire_pop3::parse::Limits;
    ///
    /// let mut limits = Limits::DEFAULT;
    /// limits.max_body_size = 1 << 20;
    /// let codec = ClientCodec::with_limits(&limits);
    /// # let _ = codec;
    /// ```
    #[must_use]
    pub fn with_limits(limits: &Limits) -> Self {
        Self::with_reader(ResponseReader::with_limits(limits))
    }

    /// A codec around `reader` (its own framer, dot decoder, limits).
    #[must_use]
    pub fn with_reader(reader: ResponseReader) -> Self {
        Self { reader }
    }

    /// A codec for a connection whose greeting was read already.
    ///
    /// ```
    /// use mailwire_pop3::codec::ClientCodec;
    /// assert!(!ClientCodec::new().after_greeting().reader().awaits_greeting());
    /// ```
    #[must_use]
    pub fn after_greeting(self) -> Self {
        Self {
            reader: self.reader.after_greeting(),
        }
    }

    /// The reader inside.
    #[must_use]
    pub fn reader(&self) -> &ResponseReader {
        &self.reader
    }

    /// Announces a command sent without this codec: its response has the
    /// shape `kind` (see [`ResponseReader::expect`]). Commands encoded by
    /// this codec are announced already.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use tokio_util::codec::Decoder;
    /// use mailwire_pop3::codec::{ClientCodec, ServerFrame};
    /// use mailwire_pop3::types::ResponseKind;
    ///
    /// let mut codec = ClientCodec::new().after_greeting();
    /// codec.expect(ResponseKind::MultiLine);
    /// let mut input = BytesMut::from(&b"+OK\r\n.\r\n"[..]);
    /// assert!(matches!(codec.decode(&mut input)?, Some(ServerFrame::Response(_))));
    /// assert_eq!(codec.decode(&mut input)?, Some(ServerFrame::End));
    /// # Ok::<(), mailwire_pop3::codec::CodecError>(())
    /// ```
    pub fn expect(&mut self, kind: ResponseKind) {
        self.reader.expect(kind);
    }

    /// Responses announced and not yet read.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.reader.pending()
    }

    /// Whether the codec is reading a multi-line body.
    #[must_use]
    pub fn in_body(&self) -> bool {
        self.reader.in_body()
    }

    /// The longest status line accepted, CRLF included.
    #[must_use]
    pub fn max_line(&self) -> usize {
        self.reader.max_line()
    }
}

impl Decoder for ClientCodec {
    type Item = ServerFrame;
    type Error = CodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<ServerFrame>, CodecError> {
        Ok(self.reader.read(buf)?)
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
        command.encode(out)?;
        self.reader.expect(command.response_kind());
        Ok(())
    }
}

impl Encoder<SaslResponse<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, response: SaslResponse<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        response.encode(out)?;
        Ok(())
    }
}

impl Encoder<&SaslResponse<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(
        &mut self,
        response: &SaslResponse<'_>,
        out: &mut BytesMut,
    ) -> Result<(), CodecError> {
        response.encode(out)?;
        Ok(())
    }
}
