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

use bytes::{Bytes, BytesMut};

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
    /// First refused bare CR in the line in progress, relative to the buffer.
    bare_cr_at: Option<usize>,
    /// Skipping the rest of an over-long line.
    discarding: bool,
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

/// What one scan step found.
enum Scan {
    /// A complete line of `len` bytes (ending included).
    Line { len: usize, ending: LineEnding },
    /// More bytes are needed.
    Partial,
    /// The line has no ending within the limit.
    TooLong,
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
            bare_cr_at: None,
            discarding: false,
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
        self.bare_cr_at = None;
        self.discarding = false;
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
    /// Error offsets count from the start of the stream.
    #[must_use = "a returned line is removed from the buffer"]
    pub fn next_line(&mut self, buf: &mut BytesMut) -> Option<Result<Line, Error>> {
        if self.discarding && !self.skip_long_line(buf) {
            return None;
        }
        match self.scan(buf) {
            Scan::Partial => None,
            Scan::TooLong => {
                let err = Error::new(
                    self.offset,
                    ErrorKind::LineTooLong {
                        limit: self.max_length,
                    },
                );
                let dropped = self.max_length.min(buf.len());
                let _ = buf.split_to(dropped);
                self.offset = self.offset.saturating_add(dropped);
                self.reset();
                self.discarding = true;
                Some(Err(err))
            }
            Scan::Line { len, ending } => {
                let start = self.offset;
                let bare_cr_at = self.bare_cr_at;
                let raw = buf.split_to(len).freeze();
                self.offset = self.offset.saturating_add(len);
                self.scanned = 0;
                self.bare_cr_at = None;
                if let Some(at) = bare_cr_at {
                    return Some(Err(Error::new(start + at, ErrorKind::BareCr)));
                }
                if ending == LineEnding::Lf && self.bare_lf == BarePolicy::Reject {
                    return Some(Err(Error::new(start + len - 1, ErrorKind::BareLf)));
                }
                Some(Ok(Line { raw, ending }))
            }
        }
    }

    /// Looks for the end of the line at the front of `buf`, resuming at
    /// `self.scanned`.
    fn scan(&mut self, buf: &[u8]) -> Scan {
        let max = self.max_length;
        loop {
            // Only the first `max` bytes can hold the ending of a line that
            // fits; the byte after them is looked at only to tell CRLF from a
            // bare CR.
            let window = &buf[..buf.len().min(max)];
            let Some(found) = memchr::memchr2(CR, LF, &window[self.scanned..]) else {
                self.scanned = window.len();
                return if window.len() == max {
                    Scan::TooLong
                } else {
                    Scan::Partial
                };
            };
            let at = self.scanned + found;
            if buf[at] == LF {
                // A CR before it was seen (and kept pending) by the CR arm.
                let ending = if at > 0 && buf[at - 1] == CR {
                    LineEnding::CrLf
                } else {
                    LineEnding::Lf
                };
                return Scan::Line {
                    len: at + 1,
                    ending,
                };
            }
            // A CR: CRLF or bare, the next byte tells.
            let Some(&next) = buf.get(at + 1) else {
                self.scanned = at;
                return Scan::Partial;
            };
            if next == LF {
                return if at + 2 <= max {
                    Scan::Line {
                        len: at + 2,
                        ending: LineEnding::CrLf,
                    }
                } else {
                    Scan::TooLong
                };
            }
            match self.bare_cr {
                BarePolicy::Normalize => {
                    return Scan::Line {
                        len: at + 1,
                        ending: LineEnding::Cr,
                    };
                }
                BarePolicy::Reject => {
                    self.bare_cr_at.get_or_insert(at);
                }
                BarePolicy::Accept => {}
            }
            self.scanned = at + 1;
        }
    }

    /// Drops bytes up to and including the end of the over-long line.
    /// Returns whether the end was found.
    fn skip_long_line(&mut self, buf: &mut BytesMut) -> bool {
        let normalize_cr = self.bare_cr == BarePolicy::Normalize;
        let found = if normalize_cr {
            memchr::memchr2(CR, LF, buf)
        } else {
            memchr::memchr(LF, buf)
        };
        let (drop, done) = match found {
            None => (buf.len(), false),
            Some(at) if buf[at] == LF => (at + 1, true),
            // A CR under `Normalize`: the byte after it tells CRLF from bare CR.
            Some(at) => match buf.get(at + 1) {
                None => (at, false),
                Some(&LF) => (at + 2, true),
                Some(_) => (at + 1, true),
            },
        };
        let _ = buf.split_to(drop);
        self.offset = self.offset.saturating_add(drop);
        self.discarding = !done;
        done
    }
}
