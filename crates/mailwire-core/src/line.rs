//! CRLF line framing over a receive buffer.
//!
//! Mail protocols are line based: SMTP and POP3 commands and replies, IMAP
//! lines between literals, message header lines. [`LineFramer`] cuts complete
//! lines off the front of a [`BytesMut`] receive buffer and hands each out as
//! a [`Line`] holding a [`Bytes`] split from that buffer: no byte is copied.
//!
//! It is built to be fed by a network:
//!
//! - the scan for the line ending uses `memchr` and **resumes where the last
//!   call stopped**, so input trickling in one byte at a time costs O(n), not
//!   O(n²);
//! - a line longer than the configured maximum is reported **once**, as soon
//!   as the limit is crossed (the buffer never holds more than the limit),
//!   and the rest of it is then skipped up to its line ending;
//! - a bare CR or a bare LF is handled by an explicit [`BarePolicy`], set
//!   separately for each of the two.
//!
//! ```
//! use bytes::BytesMut;
//! use mailwire_core::{LineEnding, LineFramer};
//!
//! let mut framer = LineFramer::new(512);
//! let mut buf = BytesMut::from(&b"EHLO client.example\r\nMAIL FR"[..]);
//!
//! let line = framer.next_line(&mut buf).unwrap().unwrap();
//! assert_eq!(line.content(), b"EHLO client.example");
//! assert_eq!(line.ending(), LineEnding::CrLf);
//!
//! // The second line is not complete yet: more bytes are needed.
//! assert!(framer.next_line(&mut buf).is_none());
//! buf.extend_from_slice(b"OM:<a@example.org>\r\n");
//! let line = framer.next_line(&mut buf).unwrap().unwrap();
//! assert_eq!(line.content(), b"MAIL FROM:<a@example.org>");
//! ```

use bytes::{Buf, Bytes, BytesMut};

use crate::{Error, ErrorKind};

const CR: u8 = b'\r';
const LF: u8 = b'\n';

/// What to do with a bare CR (a CR not followed by LF) or a bare LF (an LF
/// not preceded by CR).
///
/// The RFCs allow neither outside of `CRLF`; real software sends both, and
/// disagreement between two hops about them is what SMTP smuggling exploits.
/// Each component of mailwire takes the policy explicitly, separately for CR
/// and for LF.
///
/// | policy | [`LineFramer`], bare LF | [`LineFramer`], bare CR | [`dot`](crate::dot) decoder and encoder |
/// |---|---|---|---|
/// | `Reject` | ends the line, which is returned as an error ([`ErrorKind::BareLf`]) | the line is returned as an error ([`ErrorKind::BareCr`]) when it ends | reported (decoder) or refused (encoder); the byte is kept |
/// | `Accept` | ends the line ([`LineEnding::Lf`]) | kept inside the line as data | kept as it is |
/// | `Normalize` | ends the line ([`LineEnding::Lf`]) | ends the line ([`LineEnding::Cr`]) | rewritten as CRLF |
///
/// Whatever the policy, a body framed by the dot decoder ends only at
/// `CRLF.CRLF`.
///
/// ```
/// use mailwire_core::BarePolicy;
/// assert_eq!(BarePolicy::default(), BarePolicy::Reject);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BarePolicy {
    /// Refuse it: report an error carrying its offset. The default.
    #[default]
    Reject,
    /// Let it through unchanged.
    Accept,
    /// Treat it as if it were CRLF.
    Normalize,
}

/// How a [`Line`] ended.
///
/// ```
/// use mailwire_core::LineEnding;
/// assert_eq!(LineEnding::CrLf.len(), 2);
/// assert_eq!(LineEnding::CrLf.as_bytes(), b"\r\n");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// `CRLF`, the only ending the RFCs allow.
    CrLf,
    /// A bare LF, let through by [`BarePolicy::Accept`] or
    /// [`BarePolicy::Normalize`].
    Lf,
    /// A bare CR, turned into a line ending by [`BarePolicy::Normalize`].
    Cr,
}

impl LineEnding {
    /// The ending's length in bytes.
    #[must_use]
    #[allow(clippy::len_without_is_empty)] // an ending is never empty
    pub const fn len(self) -> usize {
        match self {
            Self::CrLf => 2,
            Self::Lf | Self::Cr => 1,
        }
    }

    /// The ending's bytes.
    #[must_use]
    pub const fn as_bytes(self) -> &'static [u8] {
        match self {
            Self::CrLf => b"\r\n",
            Self::Lf => b"\n",
            Self::Cr => b"\r",
        }
    }
}

/// One line cut from the receive buffer, without copying.
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_core::LineFramer;
///
/// let mut buf = BytesMut::from(&b"NOOP\r\n"[..]);
/// let line = LineFramer::new(512).next_line(&mut buf).unwrap().unwrap();
/// assert_eq!(line.raw(), b"NOOP\r\n");
/// assert_eq!(line.content(), b"NOOP");
/// assert_eq!(line.into_content(), "NOOP");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Line {
    raw: Bytes,
    ending: LineEnding,
}

impl Line {
    /// The line without its ending.
    #[must_use]
    pub fn content(&self) -> &[u8] {
        &self.raw[..self.raw.len() - self.ending.len()]
    }

    /// The line as received, ending included.
    #[must_use]
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// How the line ended.
    #[must_use]
    pub fn ending(&self) -> LineEnding {
        self.ending
    }

    /// The line without its ending, as `Bytes` sharing the receive buffer.
    #[must_use]
    pub fn into_content(self) -> Bytes {
        let mut raw = self.raw;
        raw.truncate(raw.len() - self.ending.len());
        raw
    }

    /// The line as received, ending included, as `Bytes` sharing the
    /// receive buffer.
    #[must_use]
    pub fn into_raw(self) -> Bytes {
        self.raw
    }
}

impl core::fmt::Debug for Line {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Line")
            .field("content", &crate::error::Escaped(self.content()))
            .field("ending", &self.ending)
            .finish()
    }
}

/// Cuts CRLF-terminated lines off the front of a receive buffer.
///
/// Call [`next_line`](Self::next_line) after each read until it returns
/// `None`, which means "need more bytes". `Some(Err(_))` is not fatal: it
/// reports one bad line (too long, or refused by the bare CR/LF policy) and
/// the next call goes on with the following line, so a server can answer
/// with its protocol's error reply and keep the session.
///
/// The framer remembers how far it scanned, so it must keep seeing the same
/// buffer (bytes appended at the back, lines removed only by the framer) for
/// as long as a line is in progress. [`reset`](Self::reset) forgets the scan,
/// for when the buffer is taken for something else (an IMAP literal, an SMTP
/// `BDAT` chunk, a TLS handshake).
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_core::{BarePolicy, ErrorKind, LineEnding, LineFramer};
///
/// let mut framer = LineFramer::new(16).bare_lf(BarePolicy::Accept);
/// let mut buf = BytesMut::from(&b"QUIT\nTHIS LINE IS FAR TOO LONG\r\nNOOP\r\n"[..]);
///
/// let line = framer.next_line(&mut buf).unwrap().unwrap();
/// assert_eq!((line.content(), line.ending()), (&b"QUIT"[..], LineEnding::Lf));
///
/// let err = framer.next_line(&mut buf).unwrap().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::LineTooLong { limit: 16 });
/// assert_eq!(err.offset(), 5);
///
/// // The rest of the long line is skipped; framing goes on after it.
/// let line = framer.next_line(&mut buf).unwrap().unwrap();
/// assert_eq!(line.content(), b"NOOP");
/// assert!(framer.next_line(&mut buf).is_none());
/// ```
#[derive(Debug, Clone)]
pub struct LineFramer {
    max_length: usize,
    bare_lf: BarePolicy,
    bare_cr: BarePolicy,
    /// Bytes at the front of the buffer already scanned: no line ending in
    /// them (a CR at `scanned` may still be waiting for its LF).
    scanned: usize,
    /// Skipping the rest of an over-long line.
    discarding: bool,
    /// The line in progress holds a refused bare CR.
    saw_bare_cr: bool,
    /// Stream offset of the front of the buffer, for error offsets.
    offset: usize,
}

impl Default for LineFramer {
    /// A framer for text lines: [`Limits::DEFAULT`](crate::Limits::DEFAULT)
    /// `.max_text_line` (1000), both bare CR and bare LF rejected.
    fn default() -> Self {
        Self::new(crate::Limits::DEFAULT.max_text_line)
    }
}

impl LineFramer {
    /// A framer for lines of at most `max_length` bytes, line ending
    /// included; bare CR and bare LF are rejected until set otherwise.
    ///
    /// A `max_length` below 1 is taken as 1.
    ///
    /// ```
    /// use mailwire_core::LineFramer;
    /// let framer = LineFramer::new(512);
    /// assert_eq!(framer.max_length(), 512);
    /// ```
    #[must_use]
    pub fn new(max_length: usize) -> Self {
        Self {
            max_length: max_length.max(1),
            bare_lf: BarePolicy::Reject,
            bare_cr: BarePolicy::Reject,
            scanned: 0,
            discarding: false,
            saw_bare_cr: false,
            offset: 0,
        }
    }

    /// Sets the policy for bare LF.
    ///
    /// ```
    /// use mailwire_core::{BarePolicy, LineFramer};
    /// let framer = LineFramer::new(512).bare_lf(BarePolicy::Accept);
    /// assert_eq!(framer.bare_lf_policy(), BarePolicy::Accept);
    /// ```
    #[must_use]
    pub fn bare_lf(mut self, policy: BarePolicy) -> Self {
        self.bare_lf = policy;
        self
    }

    /// Sets the policy for bare CR.
    ///
    /// ```
    /// use mailwire_core::{BarePolicy, LineFramer};
    /// let framer = LineFramer::new(512).bare_cr(BarePolicy::Normalize);
    /// assert_eq!(framer.bare_cr_policy(), BarePolicy::Normalize);
    /// ```
    #[must_use]
    pub fn bare_cr(mut self, policy: BarePolicy) -> Self {
        self.bare_cr = policy;
        self
    }

    /// The maximum line length, line ending included.
    #[must_use]
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// Changes the maximum line length (for example after SMTP `EHLO`
    /// announced extensions that lengthen command lines). Takes effect from
    /// the line in progress on.
    ///
    /// ```
    /// use mailwire_core::LineFramer;
    /// let mut framer = LineFramer::new(512);
    /// framer.set_max_length(2048);
    /// assert_eq!(framer.max_length(), 2048);
    /// ```
    pub fn set_max_length(&mut self, max_length: usize) {
        self.max_length = max_length.max(1);
    }

    /// The policy for bare LF.
    #[must_use]
    pub fn bare_lf_policy(&self) -> BarePolicy {
        self.bare_lf
    }

    /// The policy for bare CR.
    #[must_use]
    pub fn bare_cr_policy(&self) -> BarePolicy {
        self.bare_cr
    }

    /// Whether the framer is skipping the rest of an over-long line.
    #[must_use]
    pub fn is_discarding(&self) -> bool {
        self.discarding
    }

    /// Bytes consumed from the stream so far (lines handed out and bytes
    /// skipped).
    #[must_use]
    pub fn stream_offset(&self) -> usize {
        self.offset
    }

    /// Forgets the line in progress, for when the caller takes bytes off the
    /// buffer itself. Policies, limit and stream offset are kept.
    pub fn reset(&mut self) {
        self.scanned = 0;
        self.discarding = false;
        self.saw_bare_cr = false;
    }

    /// Tells the framer the caller consumed `n` bytes of the stream itself
    /// (a literal, a chunk), so error offsets stay true. Also
    /// [`reset`](Self::reset)s the scan.
    pub fn advance_offset(&mut self, n: usize) {
        self.reset();
        self.offset = self.offset.saturating_add(n);
    }

    /// Cuts the next line off the front of `buf`.
    ///
    /// - `None`: no complete line yet; call again when more bytes arrived.
    /// - `Some(Ok(line))`: a line, removed from `buf`.
    /// - `Some(Err(e))`: a bad line, removed from `buf` (or, for
    ///   [`ErrorKind::LineTooLong`], its first `max_length` bytes removed and
    ///   the rest to be skipped). Not fatal: call again for the next line.
    ///
    /// Error offsets count from the start of the stream. Each line costs a
    /// reference count on the buffer's storage; to parse lines in place
    /// without even that, use [`lines`](Self::lines).
    #[must_use = "a returned line is removed from the buffer"]
    #[inline]
    pub fn next_line(&mut self, buf: &mut BytesMut) -> Option<Result<Line, Error>> {
        loop {
            match self.step(buf) {
                Step::NeedMore => return None,
                Step::Skip(n) => buf.advance(n),
                Step::Line { len, ending } => {
                    let raw = buf.split_to(len).freeze();
                    return Some(Ok(Line { raw, ending }));
                }
                Step::Bad { len, error } => {
                    buf.advance(len);
                    return Some(Err(error));
                }
            }
        }
    }

    /// Frames the complete lines now in `buf` in place, lending each one as
    /// a [`LineRef`] borrowed from the buffer: no reference counting, no
    /// copy. The bytes framed are removed from `buf` when the returned
    /// [`Lines`] is dropped.
    ///
    /// This is the path for parsers that borrow from the line (a command
    /// parser returning `Command<'a>`); [`next_line`](Self::next_line) is the
    /// one for keeping lines as `Bytes`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_core::LineFramer;
    ///
    /// let mut framer = LineFramer::new(512);
    /// let mut buf = BytesMut::from(&b"USER alice\r\nPASS secret\r\nST"[..]);
    /// let mut commands = Vec::new();
    /// let mut lines = framer.lines(&mut buf);
    /// while let Some(line) = lines.next_line() {
    ///     commands.push(line.unwrap().content().to_vec());
    /// }
    /// drop(lines);
    /// assert_eq!(commands, [&b"USER alice"[..], b"PASS secret"]);
    /// assert_eq!(&buf[..], b"ST"); // the partial line stays
    /// ```
    pub fn lines<'a>(&'a mut self, buf: &'a mut BytesMut) -> Lines<'a> {
        Lines {
            framer: self,
            buf,
            pos: 0,
        }
    }

    /// One framing step over the unconsumed input. The caller must consume
    /// exactly what the step says before the next step.
    #[inline]
    fn step(&mut self, input: &[u8]) -> Step {
        let step = if self.discarding {
            self.skip_long_line(input)
        } else {
            self.scan(input)
        };
        let consumed = match step {
            Step::NeedMore => 0,
            Step::Skip(n) => n,
            Step::Line { len, .. } | Step::Bad { len, .. } => len,
        };
        self.offset = self.offset.saturating_add(consumed);
        step
    }

    /// Looks for the end of the line at the front of `input`, resuming at
    /// `self.scanned`.
    #[inline]
    fn scan(&mut self, input: &[u8]) -> Step {
        let (len, ending, bare_cr) = match self.find_end(input) {
            End::Found {
                len,
                ending,
                bare_cr,
            } => (len, ending, bare_cr),
            End::NotYet => return Step::NeedMore,
            End::TooLong => {
                self.scanned = 0;
                self.saw_bare_cr = false;
                self.discarding = true;
                let limit = self.max_length;
                return Step::Bad {
                    len: limit.min(input.len()),
                    error: Error::new(self.offset, ErrorKind::LineTooLong { limit }),
                };
            }
        };
        self.scanned = 0;
        self.saw_bare_cr = false;
        let error = if let Some(at) = bare_cr {
            Error::new(self.offset + at, ErrorKind::BareCr)
        } else if ending == LineEnding::Lf && self.bare_lf == BarePolicy::Reject {
            Error::new(self.offset + len - 1, ErrorKind::BareLf)
        } else {
            return Step::Line { len, ending };
        };
        Step::Bad { len, error }
    }

    /// Finds where the line at the front of `input` ends.
    #[inline]
    fn find_end(&mut self, input: &[u8]) -> End {
        // Only the first `max` bytes can hold the ending of a line that fits.
        let max = self.max_length;
        let window = &input[..input.len().min(max)];
        if self.bare_cr == BarePolicy::Accept {
            // CR is plain data: only LF can end a line.
            let Some(found) = memchr::memchr(LF, &window[self.scanned..]) else {
                return self.not_found(window.len());
            };
            let at = self.scanned + found;
            let ending = if at > 0 && input[at - 1] == CR {
                LineEnding::CrLf
            } else {
                LineEnding::Lf
            };
            return End::Found {
                len: at + 1,
                ending,
                bare_cr: None,
            };
        }
        // CR matters (it is refused, or it ends a line): one pass for both,
        // telling CRLF from bare CR by the byte after the CR, which may lie
        // just past the window.
        loop {
            let Some(found) = memchr::memchr2(CR, LF, &window[self.scanned..]) else {
                return self.not_found(window.len());
            };
            let at = self.scanned + found;
            let (len, ending) = if input[at] == LF {
                (at + 1, LineEnding::Lf)
            } else {
                match input.get(at + 1) {
                    Some(&LF) if at + 2 > max => return End::TooLong,
                    Some(&LF) => (at + 2, LineEnding::CrLf),
                    Some(_) if self.bare_cr == BarePolicy::Normalize => (at + 1, LineEnding::Cr),
                    Some(_) => {
                        // Refused, reported when the line ends.
                        self.saw_bare_cr = true;
                        self.scanned = at + 1;
                        continue;
                    }
                    // Only a CR that may end the line can wait at the limit.
                    None if at + 1 == max && self.bare_cr != BarePolicy::Normalize => {
                        return End::TooLong;
                    }
                    None => {
                        // Wait for the byte that tells CRLF from bare CR.
                        self.scanned = at;
                        return End::NotYet;
                    }
                }
            };
            // The first bare CR is looked up again only in the rare line
            // that has one.
            let bare_cr = if self.saw_bare_cr {
                memchr::memchr(CR, &input[..at])
            } else {
                None
            };
            return End::Found {
                len,
                ending,
                bare_cr,
            };
        }
    }

    /// No line ending in the `seen` bytes of the window.
    fn not_found(&mut self, seen: usize) -> End {
        self.scanned = seen;
        if seen == self.max_length {
            End::TooLong
        } else {
            End::NotYet
        }
    }

    /// Skips the rest of an over-long line, up to and including its ending.
    fn skip_long_line(&mut self, input: &[u8]) -> Step {
        let normalize_cr = self.bare_cr == BarePolicy::Normalize;
        let found = if normalize_cr {
            memchr::memchr2(CR, LF, input)
        } else {
            memchr::memchr(LF, input)
        };
        let (skip, done) = match found {
            None => (input.len(), false),
            Some(at) if input[at] == LF => (at + 1, true),
            // A CR under `Normalize`: the byte after it tells CRLF from bare CR.
            Some(at) => match input.get(at + 1) {
                None => (at, false),
                Some(&LF) => (at + 2, true),
                Some(_) => (at + 1, true),
            },
        };
        self.discarding = !done;
        if skip == 0 {
            Step::NeedMore
        } else {
            Step::Skip(skip)
        }
    }
}

/// One framing step: what to consume from the front of the input, and why.
enum Step {
    /// Nothing complete: wait for more bytes.
    NeedMore,
    /// Drop `n` bytes of an over-long line and step again.
    Skip(usize),
    /// A good line of `len` bytes, ending included.
    Line { len: usize, ending: LineEnding },
    /// Drop `len` bytes and report `error`.
    Bad { len: usize, error: Error },
}

/// Where the line at the front of the input ends.
enum End {
    /// After `len` bytes; `bare_cr` is the first refused bare CR in it.
    Found {
        len: usize,
        ending: LineEnding,
        bare_cr: Option<usize>,
    },
    /// Not within the bytes seen so far.
    NotYet,
    /// Not within the limit.
    TooLong,
}

/// The complete lines of a receive buffer, framed in place; see
/// [`LineFramer::lines`].
///
/// Dropping it removes the bytes it framed from the buffer.
#[derive(Debug)]
pub struct Lines<'a> {
    framer: &'a mut LineFramer,
    buf: &'a mut BytesMut,
    pos: usize,
}

impl Lines<'_> {
    /// The next line, borrowed from the buffer, or a bad line's error (not
    /// fatal, as for [`LineFramer::next_line`]); `None` once no complete
    /// line is left.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_core::{ErrorKind, LineFramer};
    ///
    /// let mut framer = LineFramer::new(512);
    /// let mut buf = BytesMut::from(&b"BAD\nNOOP\r\n"[..]);
    /// let mut lines = framer.lines(&mut buf);
    /// assert_eq!(lines.next_line().unwrap().unwrap_err().kind(), ErrorKind::BareLf);
    /// assert_eq!(lines.next_line().unwrap().unwrap().content(), b"NOOP");
    /// assert!(lines.next_line().is_none());
    /// ```
    #[must_use]
    #[inline]
    pub fn next_line(&mut self) -> Option<Result<LineRef<'_>, Error>> {
        loop {
            let input = &self.buf[self.pos..];
            match self.framer.step(input) {
                Step::NeedMore => return None,
                Step::Skip(n) => self.pos += n,
                Step::Line { len, ending } => {
                    self.pos += len;
                    let raw = &input[..len];
                    return Some(Ok(LineRef { raw, ending }));
                }
                Step::Bad { len, error } => {
                    self.pos += len;
                    return Some(Err(error));
                }
            }
        }
    }
}

impl Drop for Lines<'_> {
    fn drop(&mut self) {
        self.buf.advance(self.pos);
    }
}

/// One line framed in place, borrowed from the receive buffer.
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_core::{LineEnding, LineFramer};
///
/// let mut framer = LineFramer::new(512);
/// let mut buf = BytesMut::from(&b"DATA\r\n"[..]);
/// let mut lines = framer.lines(&mut buf);
/// let line = lines.next_line().unwrap().unwrap();
/// assert_eq!((line.content(), line.raw(), line.ending()), (&b"DATA"[..], &b"DATA\r\n"[..], LineEnding::CrLf));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineRef<'a> {
    raw: &'a [u8],
    ending: LineEnding,
}

impl<'a> LineRef<'a> {
    /// The line without its ending.
    #[must_use]
    pub fn content(&self) -> &'a [u8] {
        &self.raw[..self.raw.len() - self.ending.len()]
    }

    /// The line as received, ending included.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// How the line ended.
    #[must_use]
    pub fn ending(&self) -> LineEnding {
        self.ending
    }
}

impl core::fmt::Debug for LineRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LineRef")
            .field("content", &crate::error::Escaped(self.content()))
            .field("ending", &self.ending)
            .finish()
    }
}
