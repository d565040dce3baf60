//! Defects: every place a message departs from the RFCs.
//!
//! The parser is lenient: it accepts any message that has a header block and
//! records each deviation here, with its byte offset in the input, instead
//! of refusing the message.

use core::fmt;

/// One deviation from the RFCs, found at byte `offset` of the input.
///
/// ```
/// use mailwire_message::{Defect, DefectKind};
///
/// let defect = Defect::new(12, DefectKind::BareLf);
/// assert_eq!(defect.offset(), 12);
/// assert_eq!(defect.to_string(), "bare LF line ending at byte 12");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Defect {
    offset: usize,
    kind: DefectKind,
}

impl Defect {
    /// A defect of `kind` at byte `offset`.
    #[must_use]
    pub const fn new(offset: usize, kind: DefectKind) -> Self {
        Self { offset, kind }
    }

    /// Where it was found, in bytes from the start of the parsed input.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// What it is.
    #[must_use]
    pub const fn kind(&self) -> DefectKind {
        self.kind
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

/// The kinds of [`Defect`]. New kinds may be added in minor releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DefectKind {
    /// A line ended with a bare LF instead of CRLF (RFC 5322 section 2.1).
    BareLf,
    /// A bare CR inside a line (RFC 5322 section 2.1).
    BareCr,
    /// A NUL byte in the header (RFC 5322 section 4.1 obsoletes it).
    Nul,
    /// An mbox `From ` separator line before the header.
    MboxFromLine,
    /// A continuation line (starting with white space) before any field.
    LeadingContinuation,
    /// White space between a field name and its colon (obsolete syntax,
    /// RFC 5322 section 4.5).
    SpaceBeforeColon,
    /// A field with an empty name (`: value`).
    EmptyFieldName,
    /// A line that is neither a field nor a continuation: the header ended
    /// there without the empty line RFC 5322 section 2.1 requires, and the
    /// line was taken as the start of the body.
    MissingHeaderBodySeparator,
    /// A header line longer than 998 characters (RFC 5322 section 2.1.1).
    LineTooLong,
    /// More header fields than [`Limits::max_header_fields`](mailwire_core::Limits);
    /// the rest were skipped.
    TooManyFields,
    /// 8-bit bytes in a header field that are not valid UTF-8 (RFC 6532
    /// allows UTF-8 only); they were decoded by a fallback charset.
    NonUtf8Header,
    /// A malformed RFC 2047 encoded word, left as it was.
    InvalidEncodedWord,
    /// A charset label that is not known; the text was decoded as Latin-1.
    UnknownCharset,
    /// An address that does not parse (RFC 5322 section 3.4).
    InvalidAddress,
    /// A malformed MIME parameter (RFC 2045 section 5.1, RFC 2231).
    InvalidParameter,
    /// A `multipart` part without a `boundary` parameter (RFC 2046
    /// section 5.1.1): the Content-Type is invalid, so the part is taken as
    /// `text/plain` (RFC 2045 section 5.2) and its body kept whole.
    MissingBoundary,
    /// A `multipart` body with no delimiter line; it is kept whole.
    NoDelimiter,
    /// A `multipart` body that ends without its close delimiter
    /// (`--boundary--`); the last part runs to the end of the body.
    MissingCloseDelimiter,
    /// Multiparts or attached messages nested deeper than
    /// [`Limits::max_nesting_depth`](mailwire_core::Limits); the deepest
    /// part is kept as a single body.
    NestingTooDeep,
    /// More parts than [`Limits::max_mime_parts`](mailwire_core::Limits);
    /// the rest of the body is not split.
    TooManyParts,
    /// A `message/rfc822` part with a transfer encoding other than 7bit,
    /// 8bit or binary (RFC 2046 section 5.2.1); kept as a single body.
    EncodedMessage,
    /// A `Content-Transfer-Encoding` that is none of the five of RFC 2045
    /// section 6.1; the body is left as it is.
    UnknownTransferEncoding,
    /// A base64 body that a strict decoder refuses (RFC 2045 section 6.8).
    InvalidBase64,
    /// A quoted-printable body that a strict decoder refuses (RFC 2045
    /// section 6.7).
    InvalidQuotedPrintable,
    /// Text after a close delimiter on its line (`--boundary--junk`); the
    /// line still closes the multipart.
    JunkAfterDelimiter,
    /// A date that is not a date (RFC 5322 section 3.3): no time is given
    /// rather than a wrong one.
    InvalidDate,
    /// A date in the obsolete syntax of RFC 5322 section 4.3 (two- or
    /// three-digit year, zone name, military zone), read as it says.
    ObsoleteDate,
    /// A date without a zone or with an unknown zone name: read with an
    /// unknown offset.
    NonStandardDate,
    /// A day-of-week that does not match the date; the date is kept.
    DayOfWeekMismatch,
    /// A malformed message identifier (RFC 5322 section 3.6.4).
    InvalidMessageId,
    /// A malformed `Received` field (RFC 5322 section 3.6.7, RFC 5321
    /// section 4.4): no `;` before the date, an unclosed comment, quoted
    /// string or `<`, a clause without a value or given twice.
    InvalidReceived,
    /// A malformed `Return-Path` field (RFC 5322 section 3.6.7): no angle
    /// brackets, a source route, text after the path, or no mailbox.
    InvalidReturnPath,
    /// A malformed mailing list field (RFC 2369, RFC 2919): a URL without
    /// angle brackets, stray text, a missing comma, or a `List-Id` that is
    /// not `list-label.namespace` in brackets.
    InvalidListHeader,
}

impl fmt::Display for DefectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BareLf => "bare LF line ending",
            Self::BareCr => "bare CR",
            Self::Nul => "NUL byte in header",
            Self::MboxFromLine => "mbox From line",
            Self::LeadingContinuation => "continuation line before the first field",
            Self::SpaceBeforeColon => "white space before the colon",
            Self::EmptyFieldName => "empty field name",
            Self::MissingHeaderBodySeparator => "missing empty line between header and body",
            Self::LineTooLong => "header line longer than 998 characters",
            Self::TooManyFields => "too many header fields",
            Self::NonUtf8Header => "8-bit header text that is not UTF-8",
            Self::InvalidEncodedWord => "invalid RFC 2047 encoded word",
            Self::UnknownCharset => "unknown charset",
            Self::InvalidAddress => "invalid address",
            Self::InvalidParameter => "invalid MIME parameter",
            Self::MissingBoundary => "multipart without boundary parameter",
            Self::NoDelimiter => "multipart body without delimiter",
            Self::MissingCloseDelimiter => "multipart without close delimiter",
            Self::NestingTooDeep => "MIME nesting too deep",
            Self::TooManyParts => "too many MIME parts",
            Self::EncodedMessage => "encoded message/rfc822 part",
            Self::UnknownTransferEncoding => "unknown Content-Transfer-Encoding",
            Self::InvalidBase64 => "invalid base64",
            Self::InvalidQuotedPrintable => "invalid quoted-printable",
            Self::JunkAfterDelimiter => "text after a close delimiter",
            Self::InvalidDate => "invalid date",
            Self::ObsoleteDate => "obsolete date syntax",
            Self::NonStandardDate => "date without a known zone",
            Self::DayOfWeekMismatch => "day of week does not match the date",
            Self::InvalidMessageId => "invalid message identifier",
            Self::InvalidReceived => "invalid Received field",
            Self::InvalidReturnPath => "invalid Return-Path field",
            Self::InvalidListHeader => "invalid mailing list field",
        })
    }
}
