//! The client side's incremental reader of what a server sends: status
//! lines, continuations and multi-line bodies.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use mailwire_core::dot::{DotDecoder, DotEvent};
use mailwire_core::{BarePolicy, LineFramer};

use super::{Limits, ResponseError, is_continuation};
use crate::types::{Continuation, Response, ResponseKind};

/// What a [`ResponseReader`] (or the client codec) reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerFrame {
    /// A status line (the greeting, or the answer to the oldest command
    /// still waiting). After a `+OK` to a multi-line command, the body
    /// follows as [`Data`](Self::Data) and [`End`](Self::End).
    Response(Response<'static>),
    /// A SASL challenge (`+ base64`) during `AUTH`.
    Continuation(Continuation<'static>),
    /// Body bytes of a multi-line response, unstuffed, in order, shared
    /// with the receive buffer.
    Data(Bytes),
    /// The body grew past [`Limits::max_body_size`]. Reading goes on,
    /// dropping the rest, to the real end of the body.
    BodyDefect(mailwire_core::Error),
    /// The `CRLF.CRLF` that ends the body.
    End,
}

/// Why a [`ResponseReader`] stopped: the server broke the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The server's line is not a status line or a continuation.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The server's line is longer than the limit, or holds a bare CR.
    #[error("response line: {0}")]
    Line(#[source] mailwire_core::Error),
}

/// Reads a server's lines incrementally from a receive buffer, without
/// I/O: status lines, SASL continuations, and multi-line bodies as
/// unstuffed [`Bytes`] chunks ending only at `CRLF.CRLF`.
///
/// A multi-line `+OK` looks like a single-line one, so the reader must be
/// told what each command sent expects ([`expect`](Self::expect), with
/// [`Command::response_kind`](crate::types::Command::response_kind));
/// responses are matched to commands in order (RFC 2449 PIPELINING). The
/// first status line is the greeting, which answers no command.
///
/// Memory stays bounded whatever the size of a body: a status line is
/// held to [`Limits::max_response_line`], and body bytes are handed out
/// as they arrive (at most two bytes wait in the buffer for what follows
/// them). The frames are the same however the input is split.
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_pop3::parse::{ResponseReader, ServerFrame};
/// use mailwire_pop3::types::Command;
///
/// let mut reader = ResponseReader::new();
/// reader.expect(Command::Uidl { msg: None }.response_kind());
/// let mut buf = BytesMut::from(&b"+OK hello\r\n+OK\r\n1 abc\r\n.\r\n"[..]);
/// let mut frames = Vec::new();
/// while let Some(frame) = reader.read(&mut buf)? {
///     frames.push(frame);
/// }
/// assert_eq!(frames.len(), 4); // greeting, +OK, body, end
/// assert_eq!(frames[2], ServerFrame::Data("1 abc\r\n".into()));
/// assert_eq!(frames[3], ServerFrame::End);
/// # Ok::<(), mailwire_pop3::parse::ReadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ResponseReader {
    framer: LineFramer,
    dot: DotDecoder,
    expected: VecDeque<ResponseKind>,
    in_body: bool,
    greeting: bool,
}

impl Default for ResponseReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseReader {
    /// A reader with [`Limits::DEFAULT`] (512-octet response lines,
    /// 64 MiB bodies). A bare LF ends a status line; bare CR and LF pass
    /// through in bodies (never ending one).
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(&Limits::DEFAULT)
    }

    /// A reader bounded by `limits.max_response_line` and
    /// `limits.max_body_size`.
    ///
    /// ```
    /// use mailwire_pop3::parse::{Limits, ResponseReader};
    ///
    /// let mut limits = Limits::DEFAULT;
    /// limits.max_body_size = 1 << 20;
    /// assert_eq!(ResponseReader::with_limits(&limits).max_line(), 512);
    /// ```
    #[must_use]
    pub fn with_limits(limits: &Limits) -> Self {
        Self::with_parts(
            LineFramer::new(limits.max_response_line).bare_lf(BarePolicy::Accept),
            DotDecoder::new()
                .bare_lf(BarePolicy::Accept)
                .bare_cr(BarePolicy::Accept)
                .max_size(limits.max_body_size),
        )
    }

    /// A reader with its own line framer (status lines) and dot decoder
    /// (bodies: bare CR/LF policies, size limit).
    #[must_use]
    pub fn with_parts(framer: LineFramer, dot: DotDecoder) -> Self {
        Self {
            framer,
            dot,
            expected: VecDeque::new(),
            in_body: false,
            greeting: true,
        }
    }

    /// A reader for a connection whose greeting was read already (the
    /// first status line is then the answer to the first command).
    ///
    /// ```
    /// use mailwire_pop3::parse::ResponseReader;
    /// assert!(!ResponseReader::new().after_greeting().awaits_greeting());
    /// ```
    #[must_use]
    pub fn after_greeting(mut self) -> Self {
        self.greeting = false;
        self
    }

    /// Whether the next status line is the server's greeting, which
    /// answers no command. Commands may be announced before it arrives.
    #[must_use]
    pub fn awaits_greeting(&self) -> bool {
        self.greeting
    }

    /// Announces a command sent: its response has the shape `kind`.
    /// Responses are matched to commands in order, after the greeting; a
    /// status line with nothing announced is single-line.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::parse::{ResponseReader, ServerFrame};
    /// use mailwire_pop3::types::ResponseKind;
    ///
    /// let mut reader = ResponseReader::new().after_greeting();
    /// reader.expect(ResponseKind::MultiLine);
    /// let mut input = BytesMut::from(&b"+OK\r\n.\r\n"[..]);
    /// assert!(matches!(reader.read(&mut input)?, Some(ServerFrame::Response(_))));
    /// assert_eq!(reader.read(&mut input)?, Some(ServerFrame::End));
    /// # Ok::<(), mailwire_pop3::parse::ReadError>(())
    /// ```
    pub fn expect(&mut self, kind: ResponseKind) {
        self.expected.push_back(kind);
    }

    /// Responses announced and not yet read.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.expected.len()
    }

    /// Whether the reader is inside a multi-line body.
    #[must_use]
    pub fn in_body(&self) -> bool {
        self.in_body
    }

    /// The longest status line accepted, CRLF included. Between calls,
    /// the part of a line not yet ended stays in the caller's buffer,
    /// bounded by this limit (a longer line fails); a body leaves at most
    /// two bytes there.
    #[must_use]
    pub fn max_line(&self) -> usize {
        self.framer.max_length()
    }

    /// Reads the next frame from the front of `buf`, removing the bytes
    /// it used. Returns `None` when more bytes are needed; call it in a
    /// loop after every read from the transport.
    ///
    /// # Errors
    ///
    /// [`ReadError`] when a line is too long or not a response. The line
    /// is consumed; the server broke the protocol, and the connection
    /// should be closed.
    pub fn read(&mut self, buf: &mut BytesMut) -> Result<Option<ServerFrame>, ReadError> {
        if self.in_body {
            return Ok(self.dot.decode(buf).map(|event| match event {
                DotEvent::Data(bytes) => ServerFrame::Data(bytes),
                DotEvent::Defect(error) => ServerFrame::BodyDefect(error),
                DotEvent::End => {
                    self.in_body = false;
                    ServerFrame::End
                }
            }));
        }
        let line = match self.framer.next_line(buf) {
            None => return Ok(None),
            Some(Err(error)) => return Err(ReadError::Line(error)),
            Some(Ok(line)) => line,
        };
        let content = line.content();
        if is_continuation(content) {
            let continuation = Continuation::parse_with_limits(content, &Limits::UNLIMITED)?;
            return Ok(Some(ServerFrame::Continuation(continuation.into_owned())));
        }
        let response = Response::parse_with_limits(content, &Limits::UNLIMITED)?.into_owned();
        let kind = if self.greeting {
            self.greeting = false;
            ResponseKind::SingleLine
        } else {
            self.expected
                .pop_front()
                .unwrap_or(ResponseKind::SingleLine)
        };
        if response.is_ok() && kind == ResponseKind::MultiLine {
            self.dot.reset();
            self.in_body = true;
        }
        Ok(Some(ServerFrame::Response(response)))
    }
}
