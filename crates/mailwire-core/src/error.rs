//! The one error type of `mailwire-core`.
//!
//! Every failure carries the byte offset where it was found and what went
//! wrong, phrased as what was *expected* where that makes sense. Offsets count
//! from the start of the input handed to the function that failed; for the
//! streaming framers they count from the start of the stream (or body).

use core::fmt;

/// An error found in e-mail protocol bytes: where, and what was wrong.
///
/// ```
/// use mailwire_core::{Error, ErrorKind};
///
/// let err = Error::expected(7, "'@'");
/// assert_eq!(err.offset(), 7);
/// assert_eq!(err.kind(), ErrorKind::Expected("'@'"));
/// assert_eq!(err.to_string(), "expected '@' at byte 7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct Error {
    offset: usize,
    kind: ErrorKind,
}

/// What went wrong. Part of every [`Error`].
///
/// New kinds may be added in minor releases, so match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The grammar wanted something else here; the text names it
    /// (an ABNF rule such as `"atext"`, or a literal such as `"'>'"`).
    #[error("expected {0}")]
    Expected(&'static str),
    /// The input ended while a token was still open (a quoted string without
    /// its closing quote, a truncated escape). More bytes may complete it.
    #[error("unexpected end of input, expected {0}")]
    Incomplete(&'static str),
    /// A line grew past the configured maximum (line ending included).
    #[error("line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// A CR not followed by LF, refused by the configured [`BarePolicy`](crate::BarePolicy).
    #[error("bare CR")]
    BareCr,
    /// An LF not preceded by CR, refused by the configured [`BarePolicy`](crate::BarePolicy).
    #[error("bare LF")]
    BareLf,
    /// A NUL byte where the grammar forbids it.
    #[error("NUL byte")]
    Nul,
    /// A size or count went past a configured limit.
    #[error("{what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was counted (`"message size"`, `"nesting depth"`, ...).
        what: &'static str,
        /// The limit in force.
        limit: u64,
    },
    /// Bytes that are not valid base64 (RFC 2045 section 6.8).
    #[error("invalid base64")]
    InvalidBase64,
    /// Bytes that are not valid quoted-printable (RFC 2045 section 6.7).
    #[error("invalid quoted-printable")]
    InvalidQuotedPrintable,
}

impl Error {
    /// An error of `kind` at byte `offset`.
    ///
    /// ```
    /// use mailwire_core::{Error, ErrorKind};
    /// let err = Error::new(3, ErrorKind::BareLf);
    /// assert_eq!(err.to_string(), "bare LF at byte 3");
    /// ```
    #[must_use]
    pub const fn new(offset: usize, kind: ErrorKind) -> Self {
        Self { offset, kind }
    }

    /// A syntax error: `what` was expected at byte `offset`.
    ///
    /// ```
    /// use mailwire_core::Error;
    /// assert_eq!(Error::expected(0, "atext").to_string(), "expected atext at byte 0");
    /// ```
    #[must_use]
    pub const fn expected(offset: usize, what: &'static str) -> Self {
        Self::new(offset, ErrorKind::Expected(what))
    }

    /// The input ended while `what` was still expected.
    ///
    /// ```
    /// use mailwire_core::{Error, ErrorKind};
    /// let err = Error::incomplete(5, "'\"'");
    /// assert!(err.is_incomplete());
    /// ```
    #[must_use]
    pub const fn incomplete(offset: usize, what: &'static str) -> Self {
        Self::new(offset, ErrorKind::Incomplete(what))
    }

    /// The byte offset of the error.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What the grammar expected, for syntax errors.
    ///
    /// ```
    /// use mailwire_core::Error;
    /// assert_eq!(Error::expected(0, "'<'").expected_what(), Some("'<'"));
    /// ```
    #[must_use]
    pub const fn expected_what(&self) -> Option<&'static str> {
        match self.kind {
            ErrorKind::Expected(what) | ErrorKind::Incomplete(what) => Some(what),
            _ => None,
        }
    }

    /// Whether more input could have completed the token.
    #[must_use]
    pub const fn is_incomplete(&self) -> bool {
        matches!(self.kind, ErrorKind::Incomplete(_))
    }

    /// The same error with its offset moved `base` bytes further, for a parser
    /// that ran on a sub-slice starting at `base`.
    ///
    /// ```
    /// use mailwire_core::Error;
    /// assert_eq!(Error::expected(2, "'>'").shifted(10).offset(), 12);
    /// ```
    #[must_use]
    pub const fn shifted(self, base: usize) -> Self {
        Self {
            offset: self.offset.saturating_add(base),
            kind: self.kind,
        }
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Formats a byte string for error messages and `Debug`: printable ASCII as
/// is, everything else escaped.
pub(crate) struct Escaped<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("b\"")?;
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    c if c.is_control() => write!(f, "{}", c.escape_default())?,
                    c => write!(f, "{c}")?,
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_str("\"")
    }
}
