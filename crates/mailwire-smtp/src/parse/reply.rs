//! The reply parser (RFC 5321 section 4.2), incremental over a receive
//! buffer.

use core::fmt;

use memchr::memchr;

use crate::types::{EnhancedStatus, Reply, ReplyCode};

/// Bounds on what [`Reply::parse_with_limits`] accepts.
///
/// ```
/// use mailwire_smtp::parse::ReplyLimits;
/// assert_eq!(ReplyLimits::DEFAULT.max_line, 1000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ReplyLimits {
    /// Longest reply line, line ending included. RFC 5321 section
    /// 4.5.3.1.5 sets 512; real servers send longer, so the default is
    /// [`Limits::DEFAULT.max_text_line`](mailwire_core::Limits::max_text_line).
    pub max_line: usize,
    /// Most lines in one reply.
    pub max_lines: usize,
}

impl ReplyLimits {
    /// 1000-octet lines, 256 lines.
    pub const DEFAULT: Self = Self {
        max_line: mailwire_core::Limits::DEFAULT.max_text_line,
        max_lines: 256,
    };
}

impl Default for ReplyLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why reply bytes did not parse, and where.
///
/// ```
/// use mailwire_smtp::parse::ReplyErrorKind;
/// use mailwire_smtp::types::Reply;
///
/// let err = Reply::parse(b"250-a\r\n251 b\r\n").unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ReplyErrorKind::CodeChanged, 7));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplyError {
    kind: ReplyErrorKind,
    offset: usize,
}

/// What kind of error a [`ReplyError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplyErrorKind {
    /// A line does not start with a valid three-digit reply code.
    BadCode,
    /// The code is not followed by `-`, a space or the end of the line.
    BadSeparator,
    /// A line of a multi-line reply has another code than the first.
    CodeChanged,
    /// A line is longer than [`ReplyLimits::max_line`].
    LineTooLong,
    /// The reply has more lines than [`ReplyLimits::max_lines`].
    TooManyLines,
}

impl ReplyError {
    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> ReplyErrorKind {
        self.kind
    }

    /// The byte offset in the input where it went wrong.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ReplyErrorKind::BadCode => "invalid reply code",
            ReplyErrorKind::BadSeparator => "expected '-', ' ' or end of line after the reply code",
            ReplyErrorKind::CodeChanged => "reply code changed within a multi-line reply",
            ReplyErrorKind::LineTooLong => "reply line too long",
            ReplyErrorKind::TooManyLines => "too many reply lines",
        };
        write!(f, "{what} at byte {}", self.offset)
    }
}

impl std::error::Error for ReplyError {}

impl<'a> Reply<'a> {
    /// Parses one whole reply from the start of `input` with
    /// [`ReplyLimits::DEFAULT`].
    ///
    /// Returns `Ok(None)` while the reply is incomplete (read more and
    /// call again with the whole buffer), or the reply and the number of
    /// bytes it used.
    ///
    /// Lines may end in CRLF or a bare LF; a code alone on a line is a
    /// line with no text (some servers end an EHLO reply with `250 `).
    /// Text that is not UTF-8 is decoded lossily (the reply then owns its
    /// text); UTF-8 text is borrowed.
    ///
    /// # Errors
    ///
    /// [`ReplyError`] for a line that breaks the grammar or a limit. A
    /// client should treat it as a protocol failure and close.
    ///
    /// ```
    /// use mailwire_smtp::types::Reply;
    ///
    /// assert!(Reply::parse(b"250-first\r\n250 sec")?.is_none());
    /// let (reply, n) = Reply::parse(b"354 Go ahead\r\nextra")?.unwrap();
    /// assert_eq!((reply.code().get(), n), (354, 14));
    /// # Ok::<(), mailwire_smtp::parse::ReplyError>(())
    /// ```
    pub fn parse(input: &'a [u8]) -> Result<Option<(Self, usize)>, ReplyError> {
        Self::parse_with_limits(input, ReplyLimits::DEFAULT)
    }

    /// [`parse`](Self::parse) with other limits.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    ///
    /// ```
    /// use mailwire_smtp::parse::{ReplyErrorKind, ReplyLimits};
    /// use mailwire_smtp::types::Reply;
    ///
    /// let mut limits = ReplyLimits::DEFAULT;
    /// limits.max_lines = 2;
    /// let err = Reply::parse_with_limits(b"250-a\r\n250-b\r\n250-c\r\n", limits).unwrap_err();
    /// assert_eq!(err.kind(), ReplyErrorKind::TooManyLines);
    /// ```
    pub fn parse_with_limits(
        input: &'a [u8],
        limits: ReplyLimits,
    ) -> Result<Option<(Self, usize)>, ReplyError> {
        let mut at = 0;
        let mut code = None;
        let mut lines = 0;
        loop {
            let rest = &input[at..];
            let Some(lf) = memchr(b'\n', rest) else {
                if rest.len() >= limits.max_line {
                    return Err(error(ReplyErrorKind::LineTooLong, at + limits.max_line));
                }
                // Check what has arrived so that garbage fails early.
                check_prefix(rest, at, code)?;
                return Ok(None);
            };
            if lf + 1 > limits.max_line {
                return Err(error(ReplyErrorKind::LineTooLong, at + limits.max_line));
            }
            lines += 1;
            if lines > limits.max_lines {
                return Err(error(ReplyErrorKind::TooManyLines, at));
            }
            let line = &rest[..lf];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let (this, last) = check_prefix(line, at, code)?;
            let last = last.unwrap_or(true);
            code = Some(this);
            at += lf + 1;
            if last {
                return Ok(Some((finish(&input[..at], this), at)));
            }
        }
    }
}

fn error(kind: ReplyErrorKind, offset: usize) -> ReplyError {
    ReplyError { kind, offset }
}

/// Checks the code and separator of a (possibly partial) line at `at`;
/// returns the code and whether it is the last line (`None` if the line
/// is too short to say).
fn check_prefix(
    line: &[u8],
    at: usize,
    expected: Option<ReplyCode>,
) -> Result<(ReplyCode, Option<bool>), ReplyError> {
    let digits = line
        .iter()
        .take(3)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits < line.len().min(3) {
        return Err(error(ReplyErrorKind::BadCode, at + digits));
    }
    if line.len() < 3 {
        // Too short to judge; only reachable for a partial line.
        return Ok((expected.unwrap_or(ReplyCode::OK), None));
    }
    let n = line[..3]
        .iter()
        .fold(0u16, |n, &b| n * 10 + u16::from(b - b'0'));
    let code = ReplyCode::new(n).ok_or(error(ReplyErrorKind::BadCode, at))?;
    if expected.is_some_and(|e| e != code) {
        return Err(error(ReplyErrorKind::CodeChanged, at));
    }
    let last = match line.get(3) {
        Some(b'-') => false,
        Some(b' ') | None => true,
        Some(_) => return Err(error(ReplyErrorKind::BadSeparator, at + 3)),
    };
    Ok((code, Some(last)))
}

/// Makes the reply from its complete lines.
fn finish(wire: &[u8], code: ReplyCode) -> Reply<'_> {
    // The enhanced status code goes with the reply when the first line
    // has one of the code's class (RFC 3463 section 2).
    let first_text = wire.get(4..).unwrap_or(&[]);
    let status = EnhancedStatus::parse_prefix(first_text)
        .filter(|(s, n)| {
            u16::from(s.class()) == code.get() / 100
                && matches!(first_text.get(*n), Some(b' ' | b'\r' | b'\n') | None)
        })
        .map(|(s, _)| s);
    match core::str::from_utf8(wire) {
        Ok(text) => Reply::from_wire(code, status, text),
        Err(_) => {
            let lossy = String::from_utf8_lossy(wire);
            let wire_reply = Reply::from_wire(code, status, &lossy);
            let text: String = wire_reply.lines().collect::<Vec<_>>().join("\n");
            Reply::new(code, status, text)
        }
    }
}
