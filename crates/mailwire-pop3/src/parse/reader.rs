//! The client side's incremental reader of what a server sends: status
//! lines, continuations and multi-line bodies (as chunks, or line by line).

use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};
use mailwire_core::dot::{DotDecoder, DotEvent};
use mailwire_core::{BarePolicy, ErrorKind, LineFramer};

use super::listing::{EachLine, LineSink, ScanLines, UidLines};
use super::{Limits, ResponseError, is_continuation};
use crate::types::{Continuation, Response, ResponseKind, ScanListing, UniqueIdListing};

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
    /// One line of a multi-line body announced with
    /// [`ResponseReader::expect_lines`]: unstuffed, its line ending
    /// included, shared with the receive buffer. The lines of a body put
    /// together are the bytes that [`Data`](Self::Data) chunks would have
    /// held.
    Line(Bytes),
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
/// unstuffed [`Bytes`] chunks ending only at `CRLF.CRLF` — or, for the
/// listings (`LIST`, `UIDL`, `CAPA`), line by line
/// ([`expect_lines`](Self::expect_lines), [`read_lines`](Self::read_lines)).
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
    expected: VecDeque<Expected>,
    body: Body,
    lines: LineState,
    greeting: bool,
}

/// What an announced command's response looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Kind(ResponseKind),
    /// Multi-line, its body read line by line.
    Lines,
}

/// Which body, if any, the reader is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    /// Unstuffed by the [`DotDecoder`], handed out as chunks.
    Chunks,
    /// Framed line by line ([`LineState`]).
    Lines,
}

/// Where the line-by-line body reader stands.
#[derive(Debug, Clone, Copy, Default)]
struct LineState {
    /// The last line ended with CRLF (or the body just began): a `.CRLF`
    /// here ends the body. After a bare CR or LF it does not.
    after_crlf: bool,
    /// Skipping the rest of an over-long line.
    discarding: bool,
    /// Bytes of the line in progress already scanned without finding its
    /// end (a CR at this position may still be waiting for its LF).
    scanned: usize,
    /// Raw body bytes consumed so far (offsets of defects).
    consumed: usize,
}

/// One step of the line-by-line body reader over the unconsumed input.
/// The caller consumes exactly what it says before the next step.
enum LineStep {
    /// No complete line: wait for more bytes.
    NeedMore,
    /// Drop `n` bytes (of an over-long line) and step again.
    Skip(usize),
    /// A line of `len` raw bytes; its first byte is a stuffed period to
    /// drop when `dot`.
    Line { len: usize, dot: bool },
    /// The final `.CRLF` (3 bytes).
    End,
    /// A line is longer than the limit; nothing consumed, the rest of
    /// the line is skipped next.
    TooLong(mailwire_core::Error),
}

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const DOT: u8 = b'.';

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
            body: Body::None,
            lines: LineState::default(),
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
        self.expected.push_back(Expected::Kind(kind));
    }

    /// Announces a multi-line command whose body is to be read line by
    /// line (the listings: `LIST`, `UIDL`, `CAPA`): after its `+OK`,
    /// [`read`](Self::read) yields each body line as a
    /// [`ServerFrame::Line`], and [`read_lines`](Self::read_lines) lends
    /// each one to a closure, borrowed from the buffer, without even a
    /// reference count. (A [`ServerFrame::Line`] costs one, like any
    /// [`Bytes`] cut from the buffer: for a listing of thousands of short
    /// lines that is most of the time spent; prefer `read_lines` there.) Either way the line is unstuffed (RFC 1939
    /// section 3: a leading period of a line that is not the final `.CRLF`
    /// is removed) and keeps its line ending.
    ///
    /// The same rules as for bodies read in chunks (by
    /// [`ResponseReader::new`]'s decoder) hold, so the lines put together
    /// are the bytes the chunks would have held:
    ///
    /// - the body ends only at `CRLF.CRLF`;
    /// - a bare LF (or a bare CR) ends a line, and the line after it is
    ///   unstuffed, but a `.CRLF` after it does not end the body;
    /// - the bare bytes are kept, whatever policy a decoder given to
    ///   [`with_parts`](Self::with_parts) has.
    ///
    /// A line (line ending included) is held whole, so it is bounded by
    /// [`max_line`](Self::max_line): a longer one is reported once as a
    /// [`ServerFrame::BodyDefect`] (`LineTooLong`, offset from the start of
    /// the body) and skipped up to its end; reading goes on with the next
    /// line. The body's total size is not bounded here: lines are handed
    /// out as they come.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::parse::{ResponseReader, ServerFrame};
    ///
    /// let mut reader = ResponseReader::new().after_greeting();
    /// reader.expect_lines(); // UIDL
    /// let mut input = BytesMut::from(&b"+OK\r\n1 abc\r\n2 ..x\r\n..y\r\n.\r\n"[..]);
    /// assert!(matches!(reader.read(&mut input)?, Some(ServerFrame::Response(_))));
    /// assert_eq!(reader.read(&mut input)?, Some(ServerFrame::Line("1 abc\r\n".into())));
    /// assert_eq!(reader.read(&mut input)?, Some(ServerFrame::Line("2 ..x\r\n".into())));
    /// assert_eq!(reader.read(&mut input)?, Some(ServerFrame::Line(".y\r\n".into())));
    /// assert_eq!(reader.read(&mut input)?, Some(ServerFrame::End));
    /// # Ok::<(), mailwire_pop3::parse::ReadError>(())
    /// ```
    pub fn expect_lines(&mut self) {
        self.expected.push_back(Expected::Lines);
    }

    /// Responses announced and not yet read.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.expected.len()
    }

    /// Whether the reader is inside a multi-line body.
    #[must_use]
    pub fn in_body(&self) -> bool {
        self.body != Body::None
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
        match self.body {
            Body::None => {}
            Body::Chunks => {
                return Ok(self.dot.decode(buf).map(|event| match event {
                    DotEvent::Data(bytes) => ServerFrame::Data(bytes),
                    DotEvent::Defect(error) => ServerFrame::BodyDefect(error),
                    DotEvent::End => {
                        self.body = Body::None;
                        ServerFrame::End
                    }
                }));
            }
            Body::Lines => loop {
                return Ok(Some(match self.line_step(buf) {
                    LineStep::NeedMore => return Ok(None),
                    LineStep::Skip(n) => {
                        buf.advance(n);
                        continue;
                    }
                    LineStep::Line { len, dot } => {
                        let dot = usize::from(dot);
                        buf.advance(dot);
                        ServerFrame::Line(buf.split_to(len - dot).freeze())
                    }
                    LineStep::End => {
                        buf.advance(3);
                        ServerFrame::End
                    }
                    LineStep::TooLong(error) => ServerFrame::BodyDefect(error),
                }));
            },
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
        let expected = if self.greeting {
            self.greeting = false;
            Expected::Kind(ResponseKind::SingleLine)
        } else {
            self.expected
                .pop_front()
                .unwrap_or(Expected::Kind(ResponseKind::SingleLine))
        };
        if response.is_ok() {
            match expected {
                Expected::Kind(ResponseKind::MultiLine) => {
                    self.dot.reset();
                    self.body = Body::Chunks;
                }
                Expected::Lines => {
                    self.lines = LineState {
                        after_crlf: true,
                        ..LineState::default()
                    };
                    self.body = Body::Lines;
                }
                Expected::Kind(_) => {}
            }
        }
        Ok(Some(ServerFrame::Response(response)))
    }

    /// Like [`read`](Self::read), except in a body announced with
    /// [`expect_lines`](Self::expect_lines): there it hands every complete
    /// line now in `buf` to `each`, borrowed from the buffer (unstuffed,
    /// line ending included), removes them from `buf` in one go, and
    /// returns `None` (more bytes needed), [`ServerFrame::End`], or a
    /// [`ServerFrame::BodyDefect`] for an over-long line (after the lines
    /// before it). No line is copied, counted or allocated: the fastest
    /// way to parse a listing.
    ///
    /// Outside such a body it is [`read`](Self::read) (and `each` is not
    /// called): status lines, continuations, [`ServerFrame::Data`] chunks.
    ///
    /// # Errors
    ///
    /// As for [`read`](Self::read); body lines never fail.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::parse::{ResponseReader, ServerFrame};
    /// use mailwire_pop3::types::ScanListing;
    ///
    /// let mut reader = ResponseReader::new().after_greeting();
    /// reader.expect_lines(); // LIST
    /// let mut input = BytesMut::from(&b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"[..]);
    /// let mut scans = Vec::new();
    /// loop {
    ///     let frame = reader.read_lines(&mut input, |line| {
    ///         scans.extend(ScanListing::parse(line).ok());
    ///     })?;
    ///     match frame {
    ///         Some(ServerFrame::End) | None => break,
    ///         Some(_) => {} // the +OK
    ///     }
    /// }
    /// assert_eq!(scans, [ScanListing { msg: 1, size: 120 }, ScanListing { msg: 2, size: 200 }]);
    /// # Ok::<(), mailwire_pop3::parse::ReadError>(())
    /// ```
    pub fn read_lines(
        &mut self,
        buf: &mut BytesMut,
        each: impl FnMut(&[u8]),
    ) -> Result<Option<ServerFrame>, ReadError> {
        self.read_lines_into(buf, &mut EachLine(each))
    }

    /// [`read_lines`](Self::read_lines) for a `LIST` answer: each body
    /// line parsed as a [`ScanListing`], or the error that says why it is
    /// none. The common lines (`msg SP size CRLF`) are read in one pass
    /// that finds the numbers and the line end together.
    ///
    /// # Errors
    ///
    /// As for [`read`](Self::read); body lines never fail here (a bad one
    /// is an `Err` given to `each`).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::parse::{ResponseReader, ServerFrame};
    /// use mailwire_pop3::types::ScanListing;
    ///
    /// let mut reader = ResponseReader::new().after_greeting();
    /// reader.expect_lines(); // LIST
    /// let mut input = BytesMut::from(&b"+OK 2 messages\r\n1 120\r\n2 200 extra\r\nbad\r\n.\r\n"[..]);
    /// let (mut scans, mut bad) = (Vec::new(), 0);
    /// while let Some(frame) = reader.read_scan_listings(&mut input, |entry| match entry {
    ///     Ok(scan) => scans.push(scan),
    ///     Err(_) => bad += 1,
    /// })? {
    ///     if frame == ServerFrame::End {
    ///         break;
    ///     }
    /// }
    /// assert_eq!(scans, [ScanListing { msg: 1, size: 120 }, ScanListing { msg: 2, size: 200 }]);
    /// assert_eq!(bad, 1);
    /// # Ok::<(), mailwire_pop3::parse::ReadError>(())
    /// ```
    pub fn read_scan_listings(
        &mut self,
        buf: &mut BytesMut,
        each: impl FnMut(Result<ScanListing, ResponseError>),
    ) -> Result<Option<ServerFrame>, ReadError> {
        self.read_lines_into(buf, &mut ScanLines(each))
    }

    /// [`read_lines`](Self::read_lines) for a `UIDL` answer: each body
    /// line parsed as a [`UniqueIdListing`] (borrowed from `buf`), or the
    /// error that says why it is none. The common lines (`msg SP
    /// unique-id CRLF`) are read in one pass that checks the id and finds
    /// the line end together.
    ///
    /// # Errors
    ///
    /// As for [`read_scan_listings`](Self::read_scan_listings).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::parse::{ResponseReader, ServerFrame};
    ///
    /// let mut reader = ResponseReader::new().after_greeting();
    /// reader.expect_lines(); // UIDL
    /// let mut input = BytesMut::from(&b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"[..]);
    /// let mut ids = Vec::new();
    /// while let Some(frame) = reader.read_unique_ids(&mut input, |entry| {
    ///     let entry = entry.unwrap();
    ///     ids.push((entry.msg, entry.uid.to_owned()));
    /// })? {
    ///     if frame == ServerFrame::End {
    ///         break;
    ///     }
    /// }
    /// assert_eq!(ids[1], (2, "QhdPYR:00WBw1Ph7x7".to_owned()));
    /// # Ok::<(), mailwire_pop3::parse::ReadError>(())
    /// ```
    pub fn read_unique_ids(
        &mut self,
        buf: &mut BytesMut,
        each: impl FnMut(Result<UniqueIdListing<'_>, ResponseError>),
    ) -> Result<Option<ServerFrame>, ReadError> {
        self.read_lines_into(buf, &mut UidLines(each))
    }

    /// The loop of [`read_lines`](Self::read_lines) and its parsing
    /// variants: runs of plain lines go to `sink` in bulk, any other line
    /// through [`line_step`](Self::line_step).
    fn read_lines_into(
        &mut self,
        buf: &mut BytesMut,
        sink: &mut impl LineSink,
    ) -> Result<Option<ServerFrame>, ReadError> {
        if self.body != Body::Lines {
            return self.read(buf);
        }
        let mut pos = 0;
        let frame = loop {
            if !self.lines.discarding && self.lines.scanned == 0 {
                let n = sink.plain_run(&buf[pos..], self.framer.max_length());
                if n > 0 {
                    self.lines.after_crlf = true;
                    self.lines.consumed = self.lines.consumed.saturating_add(n);
                    pos += n;
                }
            }
            match self.line_step(&buf[pos..]) {
                LineStep::NeedMore => break None,
                LineStep::Skip(n) => pos += n,
                LineStep::Line { len, dot } => {
                    sink.line(&buf[pos + usize::from(dot)..pos + len]);
                    pos += len;
                }
                LineStep::End => {
                    pos += 3;
                    break Some(ServerFrame::End);
                }
                LineStep::TooLong(error) => break Some(ServerFrame::BodyDefect(error)),
            }
        };
        buf.advance(pos);
        Ok(frame)
    }

    /// One step of the line-by-line body reader over `input`, the
    /// unconsumed bytes; updates the state as if the caller consumed what
    /// the step says (which it must).
    #[inline]
    fn line_step(&mut self, input: &[u8]) -> LineStep {
        let state = &mut self.lines;
        let limit = self.framer.max_length();
        if state.discarding {
            let (n, end) = match find_line_end(input, state.scanned, usize::MAX) {
                LineEnd::Found { len, crlf } => {
                    state.discarding = false;
                    state.after_crlf = crlf;
                    (len, true)
                }
                // Keep a last CR: its LF may follow.
                LineEnd::NotYet { scanned } => (scanned, false),
            };
            state.scanned = 0;
            state.consumed = state.consumed.saturating_add(n);
            return match (n, end) {
                (0, false) => LineStep::NeedMore,
                _ => LineStep::Skip(n),
            };
        }
        let Some(&first) = input.first() else {
            return LineStep::NeedMore;
        };
        // The common case, first: a whole CRLF line, no period to look at.
        if first != DOT && state.scanned == 0 {
            if let Some(len) = crlf_line(input, limit) {
                state.after_crlf = true;
                state.consumed = state.consumed.saturating_add(len);
                return LineStep::Line { len, dot: false };
            }
        }
        if first == DOT && state.after_crlf {
            match input.get(..3) {
                Some(b".\r\n") => {
                    state.consumed = state.consumed.saturating_add(3);
                    self.body = Body::None;
                    return LineStep::End;
                }
                None if b".\r\n".starts_with(input) => return LineStep::NeedMore,
                _ => {}
            }
        }
        match find_line_end(input, state.scanned, limit) {
            LineEnd::Found { len, crlf } => {
                state.after_crlf = crlf;
                state.scanned = 0;
                state.consumed = state.consumed.saturating_add(len);
                LineStep::Line {
                    len,
                    dot: first == DOT,
                }
            }
            LineEnd::NotYet { scanned } if scanned < limit => {
                state.scanned = scanned;
                LineStep::NeedMore
            }
            LineEnd::NotYet { .. } => {
                state.discarding = true;
                state.scanned = 0;
                let offset = state.consumed.saturating_add(limit);
                LineStep::TooLong(mailwire_core::Error::new(
                    offset,
                    ErrorKind::LineTooLong { limit },
                ))
            }
        }
    }
}

/// Where the line at the front of the input ends.
enum LineEnd {
    /// After `len` bytes: a CRLF (`crlf`), a bare LF or a bare CR.
    Found { len: usize, crlf: bool },
    /// Not within the first `scanned` bytes (a CR right after them may
    /// still be followed by its LF), nor within the limit if `scanned`
    /// reached it.
    NotYet { scanned: usize },
}

/// Hands the run of plain lines at the front of `input` to `each` and
/// returns their length: lines that end with CRLF within `limit` bytes,
/// hold no other CR or LF and do not start with a period. It stops at the
/// first other line (a period, a bare CR or LF, too long, incomplete),
/// which [`ResponseReader::line_step`] then reads.
///
/// Listing lines are short and come by the thousand: one pass over the
/// input eight bytes at a time, with bit masks of where the CRs and LFs
/// are, finds all their ends instead of a search per line; comparing the
/// masks checks that every CR and LF is part of a CRLF.
#[inline(always)]
pub(super) fn plain_lines(input: &[u8], limit: usize, each: &mut impl FnMut(&[u8])) -> usize {
    const LO: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const CRS: u64 = 0x0d0d_0d0d_0d0d_0d0d;
    const LFS: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    /// 0x80 in each byte of `x` that is zero, nothing elsewhere.
    #[inline(always)]
    fn zeros(x: u64) -> u64 {
        !(((x & LO).wrapping_add(LO)) | x | LO)
    }
    let mut start = 0;
    let mut at = 0;
    // 0x80 in the lowest byte if the last byte of the previous word is a CR.
    let mut carry = 0;
    while at < input.len() {
        let word = match input.get(at..at + 8) {
            Some(chunk) => u64::from_le_bytes(chunk.try_into().unwrap_or_default()),
            None => {
                // The last few bytes, padded with zeros (neither CR nor LF).
                let mut word = [0u8; 8];
                word[..input.len() - at].copy_from_slice(&input[at..]);
                u64::from_le_bytes(word)
            }
        };
        let crs = zeros(word ^ CRS);
        let mut lfs = zeros(word ^ LFS);
        // Every LF right after a CR and every CR right before an LF (the
        // CR in the previous word's last byte included; one in this word's
        // last byte is checked with the next word) — or stop here.
        if lfs != (crs << 8 | carry) {
            return start;
        }
        carry = crs >> 56;
        while lfs != 0 {
            let end = at + (lfs.trailing_zeros() / 8) as usize + 1;
            lfs &= lfs - 1;
            if end - start > limit || input[start] == DOT {
                return start;
            }
            each(&input[start..end]);
            start = end;
        }
        at += 8;
        if at.saturating_sub(start) > limit {
            break;
        }
    }
    start
}

/// The length of the line at the front of `input` if it ends with CRLF
/// within `limit` bytes and holds no other CR or LF; `None` for anything
/// else (no end yet, a bare CR or LF, too long), which
/// [`find_line_end`] then sorts out.
///
/// Listing lines are short: a plain loop finds their end sooner than a
/// vectorized search can start; longer lines go on with `memchr2`.
#[inline]
pub(super) fn crlf_line(input: &[u8], limit: usize) -> Option<usize> {
    const SHORT: usize = 32;
    let window = &input[..input.len().min(limit)];
    let at = match window.iter().take(SHORT).position(|&b| b == CR || b == LF) {
        Some(at) => at,
        None if window.len() > SHORT => SHORT + memchr::memchr2(CR, LF, &window[SHORT..])?,
        None => return None,
    };
    // `window` ends at the limit: a CRLF found in it fits.
    (window[at] == CR && window.get(at + 1) == Some(&LF)).then_some(at + 2)
}

/// Finds the end of the line at the front of `input`, resuming the scan at
/// `from`, looking no further than `limit` bytes (line ending included).
/// A line ends at CRLF, at a bare LF, or at a bare CR (the dot decoder's
/// line starts, for unstuffing).
#[inline]
fn find_line_end(input: &[u8], from: usize, limit: usize) -> LineEnd {
    let window = &input[..input.len().min(limit)];
    let Some(found) = window
        .get(from..)
        .and_then(|rest| memchr::memchr2(CR, LF, rest))
    else {
        return LineEnd::NotYet {
            scanned: window.len(),
        };
    };
    let at = from + found;
    if input[at] == LF {
        return LineEnd::Found {
            len: at + 1,
            crlf: false,
        };
    }
    match input.get(at + 1) {
        // CRLF, the line ending included, must fit within the limit.
        Some(&LF) if at + 2 <= limit => LineEnd::Found {
            len: at + 2,
            crlf: true,
        },
        Some(&LF) => LineEnd::NotYet { scanned: limit },
        Some(_) => LineEnd::Found {
            len: at + 1,
            crlf: false,
        },
        // Wait for the byte that tells CRLF from a bare CR.
        None => LineEnd::NotYet { scanned: at },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every frame of `input` read with `read`, the body announced with
    /// `expect_lines` (`lines`) or `expect(MultiLine)`; fed in the pieces
    /// given by `splits` (offsets), and what is left in the buffer.
    fn frames(
        input: &[u8],
        lines: bool,
        limits: &Limits,
        splits: &[usize],
    ) -> (Vec<ServerFrame>, Vec<u8>) {
        let mut reader = ResponseReader::with_limits(limits).after_greeting();
        if lines {
            reader.expect_lines();
        } else {
            reader.expect(ResponseKind::MultiLine);
        }
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        let mut start = 0;
        for end in splits.iter().copied().chain([input.len()]) {
            buf.extend_from_slice(&input[start..end]);
            start = end;
            while !matches!(out.last(), Some(ServerFrame::End)) {
                match reader.read(&mut buf).unwrap() {
                    Some(frame) => out.push(frame),
                    None => break,
                }
            }
        }
        (out, buf.to_vec())
    }

    /// The same with `read_lines`; lines become `ServerFrame::Line`.
    fn lent(input: &[u8], limits: &Limits, splits: &[usize]) -> (Vec<ServerFrame>, Vec<u8>) {
        let mut reader = ResponseReader::with_limits(limits).after_greeting();
        reader.expect_lines();
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        let mut start = 0;
        for end in splits.iter().copied().chain([input.len()]) {
            buf.extend_from_slice(&input[start..end]);
            start = end;
            while !matches!(out.last(), Some(ServerFrame::End)) {
                let mut lines = Vec::new();
                let frame = reader
                    .read_lines(&mut buf, |line| {
                        lines.push(ServerFrame::Line(Bytes::copy_from_slice(line)));
                    })
                    .unwrap();
                out.append(&mut lines);
                match frame {
                    Some(frame) => out.push(frame),
                    None => break,
                }
            }
        }
        (out, buf.to_vec())
    }

    fn line(text: &[u8]) -> ServerFrame {
        ServerFrame::Line(Bytes::copy_from_slice(text))
    }

    /// The body bytes of `frames`, Data or Line, put together.
    fn body(frames: &[ServerFrame]) -> Vec<u8> {
        frames
            .iter()
            .flat_map(|frame| match frame {
                ServerFrame::Data(bytes) | ServerFrame::Line(bytes) => bytes.to_vec(),
                _ => Vec::new(),
            })
            .collect()
    }

    fn ok(text: &str) -> ServerFrame {
        ServerFrame::Response(Response::parse(text.as_bytes()).unwrap().into_owned())
    }

    /// RFC 1939 section 7, the UIDL example; the next response pipelined
    /// behind the body stays in the buffer.
    #[test]
    fn rfc1939_uidl_listing_line_by_line() {
        let input =
            b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n+OK bye\r\n";
        let expected = vec![
            ok("+OK"),
            line(b"1 whqtswO00WBw418f9t5JxYwZ\r\n"),
            line(b"2 QhdPYR:00WBw1Ph7x7\r\n"),
            ServerFrame::End,
        ];
        let (read, rest) = frames(input, true, &Limits::DEFAULT, &[]);
        assert_eq!(read, expected);
        assert_eq!(rest, b"+OK bye\r\n");
        assert_eq!(lent(input, &Limits::DEFAULT, &[]), (expected, rest));
    }

    /// RFC 1939 section 3: "..", a stuffed period, and a line that is a
    /// lone period once unstuffed.
    #[test]
    fn stuffed_lines_are_unstuffed() {
        let input = b"+OK\r\n..\r\n...\r\n..signature\r\n. not the end\r\n.\r\n";
        let expected = vec![
            ok("+OK"),
            line(b".\r\n"),
            line(b"..\r\n"),
            line(b".signature\r\n"),
            line(b" not the end\r\n"),
            ServerFrame::End,
        ];
        assert_eq!(frames(input, true, &Limits::DEFAULT, &[]).0, expected);
        assert_eq!(lent(input, &Limits::DEFAULT, &[]).0, expected);
    }

    #[test]
    fn err_has_no_body_and_empty_body_ends_at_once() {
        let mut reader = ResponseReader::new().after_greeting();
        reader.expect_lines();
        let mut buf = BytesMut::from(&b"-ERR no\r\n.\r\n"[..]);
        let frame = reader.read(&mut buf).unwrap();
        assert!(
            matches!(&frame, Some(ServerFrame::Response(r)) if !r.is_ok()),
            "{frame:?}"
        );
        assert!(!reader.in_body());
        assert_eq!(&buf[..], b".\r\n");
        let (read, rest) = frames(b"+OK\r\n.\r\n", true, &Limits::DEFAULT, &[]);
        assert_eq!(read, [ok("+OK"), ServerFrame::End]);
        assert!(rest.is_empty());
    }

    /// Bare LF and bare CR: kept, they end a line and the period after
    /// them is unstuffed, but `.CRLF` after them is no end (the dot
    /// decoder's rules).
    #[test]
    fn bare_line_ends_follow_the_body_rules() {
        let input = b"+OK\r\na\n.\r\n.b\rc\r.\r\nd\r\n.\r\n";
        let (read, _) = frames(input, true, &Limits::DEFAULT, &[]);
        assert_eq!(
            read,
            [
                ok("+OK"),
                line(b"a\n"),
                line(b"\r\n"),
                line(b"b\r"),
                line(b"c\r"),
                line(b"\r\n"),
                line(b"d\r\n"),
                ServerFrame::End,
            ]
        );
        let (chunks, _) = frames(input, false, &Limits::DEFAULT, &[]);
        assert_eq!(body(&read), body(&chunks));
    }

    #[test]
    fn over_long_line_is_reported_once_and_skipped() {
        let mut limits = Limits::DEFAULT;
        limits.max_response_line = 8;
        // 8 bytes with the CRLF fit; 9 do not, nor does a line without an
        // end in sight.
        let input = b"+OK\r\n123456\r\n1234567\r\n12345678901234567890\r\nnext\r\n.\r\n";
        let defect = |offset| {
            ServerFrame::BodyDefect(mailwire_core::Error::new(
                offset,
                ErrorKind::LineTooLong { limit: 8 },
            ))
        };
        let expected = vec![
            ok("+OK"),
            line(b"123456\r\n"),
            defect(8 + 8),
            defect(8 + 9 + 8),
            line(b"next\r\n"),
            ServerFrame::End,
        ];
        let (read, rest) = frames(input, true, &limits, &[]);
        assert_eq!(read, expected);
        assert!(rest.is_empty());
        assert_eq!(lent(input, &limits, &[]).0, expected);
        // Bytes in the buffer stay bounded by the limit, however they come.
        let every: Vec<usize> = (1..input.len()).collect();
        assert_eq!(frames(input, true, &limits, &every).0, expected);
        assert_eq!(lent(input, &limits, &every).0, expected);
    }

    #[test]
    fn over_long_line_keeps_the_buffer_small() {
        let mut reader = ResponseReader::new().after_greeting();
        reader.expect_lines();
        let mut buf = BytesMut::from(&b"+OK\r\n"[..]);
        assert!(matches!(
            reader.read(&mut buf),
            Ok(Some(ServerFrame::Response(_)))
        ));
        let mut defects = 0;
        for _ in 0..100 {
            buf.extend_from_slice(&[b'x'; 100]);
            while let Some(frame) = reader.read(&mut buf).unwrap() {
                assert!(matches!(frame, ServerFrame::BodyDefect(_)), "{frame:?}");
                defects += 1;
            }
            assert!(buf.len() <= reader.max_line(), "{}", buf.len());
        }
        assert_eq!(defects, 1);
        buf.extend_from_slice(b"\r\n1 2\r\n.\r\n");
        assert_eq!(reader.read(&mut buf).unwrap(), Some(line(b"1 2\r\n")));
        assert_eq!(reader.read(&mut buf).unwrap(), Some(ServerFrame::End));
    }

    #[test]
    fn split_at_every_offset_gives_the_same_frames() {
        let input: &[u8] =
            b"+OK 3 messages\r\n1 120\r\n..2 200\r\n.\n3 x\r\r\n..\r\n\r\n.\r\n-ERR x\r\n";
        let whole = frames(input, true, &Limits::DEFAULT, &[]);
        assert_eq!(lent(input, &Limits::DEFAULT, &[]), whole);
        for split in 0..=input.len() {
            assert_eq!(
                frames(input, true, &Limits::DEFAULT, &[split]),
                whole,
                "split at {split}"
            );
            assert_eq!(
                lent(input, &Limits::DEFAULT, &[split]),
                whole,
                "split at {split}"
            );
        }
        let every: Vec<usize> = (1..input.len()).collect();
        assert_eq!(frames(input, true, &Limits::DEFAULT, &every), whole);
        assert_eq!(lent(input, &Limits::DEFAULT, &every), whole);
    }

    #[test]
    fn read_lines_outside_a_line_body_is_read() {
        let input = b"+OK\r\nbody\r\n.\r\n";
        let mut reader = ResponseReader::new().after_greeting();
        reader.expect(ResponseKind::MultiLine);
        let mut buf = BytesMut::from(&input[..]);
        let mut called = false;
        let mut read = Vec::new();
        while let Some(frame) = reader.read_lines(&mut buf, |_| called = true).unwrap() {
            read.push(frame);
        }
        assert!(!called);
        assert_eq!(read, frames(input, false, &Limits::DEFAULT, &[]).0);
    }

    /// Runs of plain lines of every length, so that line ends fall on
    /// every position of the eight-byte words the fast path reads, and a
    /// stray CR, LF or period put at every position of such a run: the
    /// lines are still those of the chunked reader.
    #[test]
    fn plain_runs_and_strays_at_every_position() {
        let mut run = Vec::new();
        for len in 0..40 {
            run.extend((0..len).map(|i| b'a' + (i % 26) as u8));
            run.extend_from_slice(b"\r\n");
        }
        let wrap = |body: &[u8]| [&b"+OK\r\n"[..], body, b"\r\n.\r\n"].concat();
        let (read, rest) = frames(&wrap(&run), true, &Limits::DEFAULT, &[]);
        assert_eq!(read.len(), 1 + 41 + 1);
        assert_eq!(body(&read), [&run[..], b"\r\n"].concat());
        assert!(rest.is_empty());
        for at in 0..run.len() {
            for stray in [b'\r', b'\n', b'.'] {
                let mut body_bytes = run.clone();
                body_bytes[at] = stray;
                let input = wrap(&body_bytes);
                let (chunks, chunk_rest) = frames(&input, false, &Limits::DEFAULT, &[]);
                let (read, rest) = lent(&input, &Limits::DEFAULT, &[]);
                assert_eq!(body(&read), body(&chunks), "{at} {stray}");
                assert_eq!(rest, chunk_rest, "{at} {stray}");
                assert_eq!(frames(&input, true, &Limits::DEFAULT, &[]), (read, rest));
            }
        }
    }

    fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(prop::sample::select(&b"a.\r\n"[..]), 0..60)
    }

    proptest! {
        /// Line by line and in chunks, a body gives the same bytes and
        /// ends at the same place; a line never exceeds the limit and
        /// ends at CRLF, LF or CR, only its last byte a line break (but a
        /// CR before the LF).
        #[test]
        fn lines_agree_with_chunks(mut raw in body_bytes(), split in 0usize..80, limit in 5usize..20) {
            let mut input = b"+OK\r\n".to_vec();
            input.append(&mut raw);
            input.extend_from_slice(b"\r\n.\r\n+OK\r\n");
            let split = split.min(input.len());
            let mut limits = Limits::DEFAULT;
            limits.max_response_line = usize::MAX;
            let (chunks, chunk_rest) = frames(&input, false, &limits, &[split]);
            let (read, rest) = frames(&input, true, &limits, &[split]);
            prop_assert_eq!(body(&read), body(&chunks));
            prop_assert_eq!(&rest, &chunk_rest);
            prop_assert_eq!(lent(&input, &limits, &[split]), (read.clone(), rest));
            prop_assert_eq!(frames(&input, true, &limits, &[]).0, read);

            // With a small limit: the same lines where they fit.
            limits.max_response_line = limit;
            let (small, small_rest) = frames(&input, true, &limits, &[split]);
            prop_assert_eq!(&small_rest, &chunk_rest);
            prop_assert_eq!(lent(&input, &limits, &[split]), (small.clone(), small_rest));
            for frame in &small {
                if let ServerFrame::Line(bytes) = frame {
                    prop_assert!(bytes.len() <= limit);
                    let last = *bytes.last().unwrap();
                    prop_assert!(last == b'\n' || last == b'\r');
                    let inner = &bytes[..bytes.len() - 1];
                    let inner = inner.strip_suffix(b"\r").filter(|_| last == b'\n').unwrap_or(inner);
                    prop_assert!(!inner.contains(&b'\n') && !inner.contains(&b'\r'), "{:?}", bytes);
                }
            }
        }
    }
}
