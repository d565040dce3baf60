//! The incremental response reader of a client.

use core::num::NonZeroU32;

use bytes::{Buf, Bytes, BytesMut};

use super::response::{
    P, ResponseError, ResponseErrorKind as K, ResponseLimits, literal_announcement,
};
use crate::types::{FetchItem, Response, StreamedItem};

/// A FETCH literal whose octets follow as [`ReadFrame::LiteralChunk`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedLiteral<'b> {
    /// The item the octets belong to.
    pub item: StreamedItem<'b>,
    /// The announced size (already checked against
    /// [`ResponseLimits::max_streamed_literal`]).
    pub size: u64,
    /// A `literal8` (`~{n}`, RFC 3516 BINARY).
    pub binary: bool,
}

impl StreamedLiteral<'_> {
    /// An owned copy that outlives the receive buffer.
    #[must_use]
    pub fn into_owned(self) -> StreamedLiteral<'static> {
        StreamedLiteral {
            item: self.item.into_owned(),
            size: self.size,
            binary: self.binary,
        }
    }
}

/// What [`ResponseReader::read`] found in the buffer.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadFrame<'b> {
    /// More bytes are needed: read from the connection, append them to
    /// the buffer and call again. Nothing is re-scanned.
    Incomplete,
    /// A complete response. Its bytes leave the buffer at the next call.
    Response(Response<'b>),
    /// Streaming mode: a FETCH whose message data is a literal. `items`
    /// are those before it; the literal's octets follow as
    /// [`LiteralChunk`](Self::LiteralChunk)s, then
    /// [`FetchNext`](Self::FetchNext) or [`FetchEnd`](Self::FetchEnd).
    FetchStart {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The items before the literal.
        items: Vec<FetchItem<'b>>,
        /// The literal.
        literal: StreamedLiteral<'b>,
    },
    /// Streaming mode: after a streamed literal, the items up to the
    /// next streamed literal of the same FETCH.
    FetchNext {
        /// The items between the two literals.
        items: Vec<FetchItem<'b>>,
        /// The next literal.
        literal: StreamedLiteral<'b>,
    },
    /// Streaming mode: the next octets of the current literal.
    LiteralChunk(Bytes),
    /// Streaming mode: the items after the last streamed literal; the
    /// FETCH response is complete.
    FetchEnd {
        /// The remaining items.
        items: Vec<FetchItem<'b>>,
    },
    /// A response that breaks the grammar or a limit. Its bytes are
    /// skipped (literals included) and the next response follows; a
    /// client usually treats this as fatal for the session.
    Failed {
        /// What is wrong.
        error: ResponseError,
    },
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Framing a response (or the rest of a streamed FETCH, `tail`)
    /// that starts at the buffer's start.
    Frame {
        /// Where the search for LF resumes.
        scan: usize,
        /// Where the current line starts (after the last literal).
        line_start: usize,
        /// The end of a kept literal whose octets are awaited.
        literal_end: Option<usize>,
        /// The rest of a streamed FETCH.
        tail: bool,
        /// A literal of this frame looked streamable and was not: keep
        /// the rest in memory (no second look, so framing stays O(n)).
        no_stream: bool,
    },
    /// Streaming a literal's octets.
    Stream { left: u64 },
    /// Skipping the rest of a failed response.
    Discard { literal_left: u64, tail: Tail },
}

impl State {
    const fn frame(tail: bool) -> Self {
        Self::Frame {
            scan: 0,
            line_start: 0,
            literal_end: None,
            tail,
            no_stream: false,
        }
    }
}

/// Reads responses off a client's receive buffer, literals and all, in
/// bounded memory and O(n) over the stream.
///
/// Call [`read`](Self::read) with the buffer each time bytes arrive,
/// until it says [`ReadFrame::Incomplete`]. The reader remembers how far
/// it scanned; the bytes of what it returned leave the buffer at the
/// next call.
///
/// In [streaming mode](Self::stream_literals), the literal of a FETCH's
/// message data (`BODY[...]`, `BINARY[...]`, `RFC822...`) never sits in
/// the buffer whole: it comes out as `Bytes` chunks. Other literals (a
/// subject inside an ENVELOPE) are kept, up to
/// [`ResponseLimits::max_literal`].
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_imap::parse::{ReadFrame, ResponseReader};
/// use mailwire_imap::types::{FetchItem, StreamedItem};
///
/// let mut reader = ResponseReader::new().stream_literals(true);
/// let mut buf = BytesMut::from(&b"* 12 FETCH (FLAGS (\\Seen) BODY[] {11}\r\nHello"[..]);
/// let ReadFrame::FetchStart { seq, items, literal } = reader.read(&mut buf) else { panic!() };
/// assert_eq!(seq.get(), 12);
/// assert_eq!(items.len(), 1);
/// assert_eq!(literal.size, 11);
/// assert!(matches!(literal.item, StreamedItem::BodySection { .. }));
/// let ReadFrame::LiteralChunk(chunk) = reader.read(&mut buf) else { panic!() };
/// assert_eq!(&chunk[..], b"Hello");
/// assert_eq!(reader.read(&mut buf), ReadFrame::Incomplete);
/// buf.extend_from_slice(b" world UID 4)\r\n");
/// let ReadFrame::LiteralChunk(chunk) = reader.read(&mut buf) else { panic!() };
/// assert_eq!(&chunk[..], b" world");
/// let ReadFrame::FetchEnd { items } = reader.read(&mut buf) else { panic!() };
/// assert_eq!(items, [FetchItem::Uid(4.try_into()?)]);
/// assert_eq!(reader.read(&mut buf), ReadFrame::Incomplete);
/// assert!(buf.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ResponseReader {
    limits: ResponseLimits,
    stream: bool,
    state: State,
    /// Bytes of the last result, dropped at the next call.
    consume: usize,
}

impl Default for ResponseReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseReader {
    /// A reader with [`ResponseLimits::DEFAULT`], literals kept in
    /// memory.
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(&ResponseLimits::DEFAULT)
    }

    /// A reader with other limits.
    #[must_use]
    pub fn with_limits(limits: &ResponseLimits) -> Self {
        Self {
            limits: *limits,
            stream: false,
            state: State::frame(false),
            consume: 0,
        }
    }

    /// Streaming mode: FETCH message data literals come out as chunks.
    #[must_use]
    pub fn stream_literals(mut self, on: bool) -> Self {
        self.stream = on;
        self
    }

    /// The limits.
    #[must_use]
    pub const fn limits(&self) -> &ResponseLimits {
        &self.limits
    }

    /// Whether the reader is inside a streamed FETCH (between
    /// [`ReadFrame::FetchStart`] and [`ReadFrame::FetchEnd`]).
    #[must_use]
    pub fn in_fetch(&self) -> bool {
        matches!(
            self.state,
            State::Stream { .. } | State::Frame { tail: true, .. }
        )
    }

    /// Reads what the buffer holds. See [`ReadFrame`] for what to do
    /// with each result.
    pub fn read<'b>(&'b mut self, buf: &'b mut BytesMut) -> ReadFrame<'b> {
        let consume = core::mem::take(&mut self.consume).min(buf.len());
        buf.advance(consume);
        loop {
            match self.state {
                State::Stream { left } => {
                    if buf.is_empty() {
                        return ReadFrame::Incomplete;
                    }
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                    let chunk = buf.split_to(n).freeze();
                    let left = left - n as u64;
                    self.state = if left == 0 {
                        State::frame(true)
                    } else {
                        State::Stream { left }
                    };
                    return ReadFrame::LiteralChunk(chunk);
                }
                State::Discard { .. } => {
                    if !discard(&mut self.state, buf) {
                        return ReadFrame::Incomplete;
                    }
                }
                State::Frame { .. } => return self.frame(buf),
            }
        }
    }

    /// Fails the response being framed: its bytes up to `end` (the end
    /// of a line) go at the next call; when that line announced a
    /// literal, its octets and the rest of the response go too.
    fn fail(
        &mut self,
        kind: K,
        offset: usize,
        end: usize,
        literal: Option<u64>,
    ) -> ReadFrame<'static> {
        self.consume = end;
        self.state = match literal {
            Some(literal_left) => State::Discard {
                literal_left,
                tail: Tail::Other,
            },
            None => State::frame(false),
        };
        ReadFrame::Failed {
            error: ResponseError::new(kind, offset),
        }
    }

    fn frame<'b>(&mut self, buf: &'b [u8]) -> ReadFrame<'b> {
        let State::Frame {
            mut scan,
            mut line_start,
            mut literal_end,
            tail,
            mut no_stream,
        } = self.state
        else {
            return ReadFrame::Incomplete;
        };
        let limits = self.limits;
        if scan == 0 && line_start == 0 && literal_end.is_none() && !tail && !no_stream {
            // A fresh response: parse it where it lies first. Most are
            // one line and whole in the buffer, and then the parse is the
            // only pass over them. The result is the framed one's: no
            // literal means no LF before the one that ends it (CR, LF
            // and NUL are refused outside literals), within the limits,
            // unless the line ends as if it announced one.
            // Anything else (incomplete, literals, errors, limits) is
            // framed below, and the frame is not tried this way again.
            let mut p = P::one_line(buf, &limits);
            if let Ok(response) = p.response() {
                let n = p.pos();
                if !p.saw_literal()
                    && n <= limits.max_line
                    && n <= limits.max_response
                    && buf.get(..n).is_some_and(|line| {
                        // A line ending like a literal announcement (a
                        // status text "{2}") is framed as one: leave it
                        // to the framer.
                        line.ends_with(b"\n") && literal_announcement(line).is_none()
                    })
                {
                    self.consume = n;
                    return ReadFrame::Response(response);
                }
            }
        }
        loop {
            if let Some(end) = literal_end {
                if buf.len() < end {
                    break;
                }
                literal_end = None;
                line_start = end;
                scan = end;
            }
            let Some(i) = memchr::memchr(b'\n', &buf[scan..]).map(|i| i + scan) else {
                if buf.len() - line_start > limits.max_line {
                    // Skip the whole buffer and what follows up to the
                    // line's end.
                    let max = limits.max_line;
                    // The line's end may announce a literal: remember how
                    // the skipped part ends, not its octets.
                    self.consume = buf.len();
                    self.state = State::Discard {
                        literal_left: 0,
                        tail: Tail::Other.feed(&buf[line_start..]),
                    };
                    return ReadFrame::Failed {
                        error: ResponseError::new(K::LineTooLong { max }, line_start + max),
                    };
                }
                scan = buf.len();
                break;
            };
            let end = i + 1;
            let announce = literal_announcement(&buf[line_start..end]);
            let literal_left = announce.map(|a| a.size);
            if end - line_start > limits.max_line {
                let max = limits.max_line;
                return self.fail(K::LineTooLong { max }, line_start + max, end, literal_left);
            }
            if end > limits.max_response {
                let max = limits.max_response;
                return self.fail(K::ResponseTooLarge { max }, max, end, literal_left);
            }
            let Some(a) = announce else {
                // The response (or the FETCH's tail) is complete.
                self.consume = end;
                self.state = State::frame(false);
                return parse_frame(&buf[..end], &limits, tail);
            };
            let open = line_start + a.open;
            if self.stream && !no_stream && stream_hint(&buf[..open], tail) {
                match stream_head(&buf[..open], &limits, tail) {
                    Some((seq, items, item)) => {
                        if a.size > limits.max_streamed_literal {
                            let max = limits.max_streamed_literal;
                            return self.fail(
                                K::LiteralTooLarge { size: a.size, max },
                                open,
                                end,
                                Some(a.size),
                            );
                        }
                        self.consume = end;
                        self.state = if a.size == 0 {
                            State::frame(true)
                        } else {
                            State::Stream { left: a.size }
                        };
                        let literal = StreamedLiteral {
                            item,
                            size: a.size,
                            binary: a.binary,
                        };
                        return match seq {
                            Some(seq) => ReadFrame::FetchStart {
                                seq,
                                items,
                                literal,
                            },
                            None => ReadFrame::FetchNext { items, literal },
                        };
                    }
                    None => no_stream = true,
                }
            }
            if a.size > limits.max_literal {
                let max = limits.max_literal;
                return self.fail(
                    K::LiteralTooLarge { size: a.size, max },
                    open,
                    end,
                    Some(a.size),
                );
            }
            let size = usize::try_from(a.size).unwrap_or(usize::MAX);
            if size > limits.max_response.saturating_sub(end) {
                let max = limits.max_response;
                return self.fail(K::ResponseTooLarge { max }, max, end, Some(a.size));
            }
            literal_end = Some(end + size);
        }
        self.state = State::Frame {
            scan,
            line_start,
            literal_end,
            tail,
            no_stream,
        };
        ReadFrame::Incomplete
    }
}

/// Parses a framed response (or the tail of a streamed FETCH).
fn parse_frame<'b>(frame: &'b [u8], limits: &ResponseLimits, tail: bool) -> ReadFrame<'b> {
    let mut p = P::new(frame, limits);
    if !tail {
        // The common case, kept apart so that the response is built
        // where the frame returns it (moving a large enum through
        // `Result`s of other layouts costs store-forwarding stalls).
        return match p.response() {
            Ok(response) if p.done() => ReadFrame::Response(response),
            Ok(_) => ReadFrame::Failed {
                error: ResponseError::new(K::Syntax("end of response"), p.pos()),
            },
            Err(error) => ReadFrame::Failed {
                error: whole(error),
            },
        };
    }
    let result = if tail {
        match p.fetch_tail() {
            Ok((items, None)) => Ok(ReadFrame::FetchEnd { items }),
            Ok((_, Some(_))) => Err(ResponseError::new(K::Syntax("FETCH value"), p.pos())),
            Err(e) => Err(e),
        }
    } else {
        p.response().map(ReadFrame::Response)
    };
    match result {
        Ok(frame) if p.done() => frame,
        Ok(_) => ReadFrame::Failed {
            error: ResponseError::new(K::Syntax("end of response"), p.pos()),
        },
        Err(error) => ReadFrame::Failed {
            error: whole(error),
        },
    }
}

/// A framed response is whole: "incomplete" means malformed.
fn whole(error: ResponseError) -> ResponseError {
    if error.kind() == K::Incomplete {
        ResponseError::new(K::Syntax("complete response"), error.offset())
    } else {
        error
    }
}

/// A cheap look at the octets before a literal: could it be the value
/// of a FETCH's message data (`BODY[...]`, `BODY[...]<n>`, `BINARY[...]`,
/// `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`)?
fn stream_hint(before: &[u8], tail: bool) -> bool {
    if !tail {
        // "* " nz-number " FETCH "
        let Some(rest) = before.strip_prefix(b"* ") else {
            return false;
        };
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = &rest[digits..];
        if digits == 0 || rest.len() < 8 || !rest[..8].eq_ignore_ascii_case(b" FETCH (") {
            return false;
        }
    }
    let ends_with = |suffix: &[u8]| {
        before.len() >= suffix.len()
            && before[before.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    ends_with(b"] ")
        || ends_with(b"> ")
        || ends_with(b"RFC822 ")
        || ends_with(b"RFC822.HEADER ")
        || ends_with(b"RFC822.TEXT ")
}

/// Parses the octets before a streamed literal: `Some` when they end
/// exactly where a message-data value starts.
#[allow(clippy::type_complexity)]
fn stream_head<'b>(
    head: &'b [u8],
    limits: &ResponseLimits,
    tail: bool,
) -> Option<(Option<NonZeroU32>, Vec<FetchItem<'b>>, StreamedItem<'b>)> {
    let mut p = P::new(head, limits);
    let (seq, items, item) = if tail {
        let (items, item) = p.fetch_items(false).ok()?;
        (None, items, item?)
    } else {
        let (seq, items, item) = p.fetch_head().ok()?;
        (Some(seq), items, item?)
    };
    p.done().then_some((seq, items, item))
}

/// How the skipped part of a line ends, as far as a literal
/// announcement (`{n}` / `{n+}` before CRLF or LF) is concerned: the
/// skipped octets need not be kept, however many digits the
/// announcement has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    Other,
    /// After `{` and `digits` digits, the size so far (saturating: an
    /// overflowing size is as good as infinite).
    Open {
        digits: bool,
        size: u64,
    },
    /// After `{n+`.
    Plus {
        size: u64,
    },
    /// After `{n}`.
    Closed {
        size: u64,
    },
    /// After `{n}` CR.
    ClosedCr {
        size: u64,
    },
}

impl Tail {
    fn push(self, b: u8) -> Self {
        match (self, b) {
            (_, b'{') => Self::Open {
                digits: false,
                size: 0,
            },
            (Self::Open { size, .. }, b'0'..=b'9') => Self::Open {
                digits: true,
                size: size.saturating_mul(10).saturating_add(u64::from(b - b'0')),
            },
            (Self::Open { digits: true, size }, b'+') => Self::Plus { size },
            (Self::Open { digits: true, size } | Self::Plus { size }, b'}') => {
                Self::Closed { size }
            }
            (Self::Closed { size }, b'\r') => Self::ClosedCr { size },
            _ => Self::Other,
        }
    }

    fn feed(self, bytes: &[u8]) -> Self {
        bytes.iter().fold(self, |tail, &b| tail.push(b))
    }

    /// At LF: the announced size, if the line announced a literal.
    fn announced(self) -> Option<u64> {
        match self {
            Self::Closed { size } | Self::ClosedCr { size } => Some(size),
            _ => None,
        }
    }
}

/// Skips a failed response's rest; true when done (state is `Frame`).
fn discard(state: &mut State, buf: &mut BytesMut) -> bool {
    loop {
        let State::Discard { literal_left, tail } = state else {
            return true;
        };
        if *literal_left > 0 {
            let n = usize::try_from(*literal_left)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            buf.advance(n);
            *literal_left -= n as u64;
            if *literal_left > 0 {
                return false;
            }
            *tail = Tail::Other;
        }
        let Some(i) = memchr::memchr(b'\n', buf) else {
            *tail = tail.feed(buf);
            buf.clear();
            return false;
        };
        let announced = tail.feed(&buf[..i]).announced();
        buf.advance(i + 1);
        match announced {
            Some(size) => {
                *literal_left = size;
                *tail = Tail::Other;
            }
            None => {
                *state = State::frame(false);
                return true;
            }
        }
    }
}
