//! Parsers for commands, responses and the lines of multi-line responses.
//! Each parser's documentation quotes the grammar it implements. Parsing
//! borrows from the input; parsing a command allocates nothing.
//!
//! The parsers are hand-written: a POP3 line is short and its keyword
//! decides everything after it, so one pass with no backtracking is both
//! the simplest and the fastest shape.

mod command;
mod listing;
mod reader;
mod response;

pub use reader::{ReadError, ResponseReader, ServerFrame};

pub(crate) use response::{is_cchar, is_continuation, is_unique_id};

use core::fmt;

use crate::types::{Response, ResponseCode};

/// Line-length and body-size bounds.
///
/// RFC 2449 section 4: "Commands [...] MUST NOT exceed 255 octets,
/// including the terminating CRLF"; "responses [...] MUST NOT exceed 512
/// octets, including the terminating CRLF". The body bound caps what a
/// client accepts in one multi-line response.
///
/// ```
/// use mailwire_pop3::parse::Limits;
///
/// let mut limits = Limits::DEFAULT;
/// assert_eq!((limits.max_command_line, limits.max_response_line), (255, 512));
/// limits.max_command_line = 1024; // lenient, for long SASL tokens
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command line, CRLF included. Default 255.
    pub max_command_line: usize,
    /// Longest status or continuation line a client reads, CRLF
    /// included. Default 512. The lines of a multi-line body are not
    /// held whole (they stream through as chunks), except when read line
    /// by line ([`ResponseReader::expect_lines`]): then this bounds each.
    pub max_response_line: usize,
    /// Largest multi-line body a client accepts, in octets after
    /// unstuffing. Default 64 MiB.
    pub max_body_size: u64,
}

impl Limits {
    /// The RFC 2449 line limits and a 64 MiB body.
    pub const DEFAULT: Self = Self {
        max_command_line: 255,
        max_response_line: 512,
        max_body_size: 64 * 1024 * 1024,
    };

    /// No limit at all (for re-reading what this crate wrote).
    pub const UNLIMITED: Self = Self {
        max_command_line: usize::MAX,
        max_response_line: usize::MAX,
        max_body_size: u64::MAX,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a command line did not parse, and where.
///
/// A bad command is not the end of the session: answer the `-ERR`
/// [`response`](Self::response) and read the next line.
///
/// ```
/// use mailwire_pop3::parse::CommandErrorKind;
/// use mailwire_pop3::types::Command;
///
/// let err = Command::parse(b"FROB").unwrap_err();
/// assert_eq!(err.kind(), CommandErrorKind::Unrecognized);
/// assert_eq!(err.response().to_bytes()?, b"-ERR unknown command\r\n");
///
/// let err = Command::parse(b"RETR x").unwrap_err();
/// assert_eq!(err.offset(), 5);
/// assert_eq!(err.to_string(), "syntax error, expected message number at byte 5");
/// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandError {
    kind: CommandErrorKind,
    offset: usize,
}

/// What kind of error a [`CommandError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandErrorKind {
    /// The keyword is not a command this crate knows.
    Unrecognized,
    /// The arguments break the command's grammar; the text names what
    /// was expected.
    Syntax(&'static str),
    /// The line is longer than the limit (CRLF included).
    TooLong {
        /// The limit.
        max: usize,
    },
    /// The line is not UTF-8.
    NotUtf8,
}

impl CommandError {
    pub(crate) const fn new(kind: CommandErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> CommandErrorKind {
        self.kind
    }

    /// The byte offset in the line where it went wrong.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The text of the `-ERR` response a server answers with.
    ///
    /// ```
    /// use mailwire_pop3::types::Command;
    /// assert_eq!(Command::parse(b"STAT 1").unwrap_err().err_text(), "syntax error, expected no argument");
    /// ```
    #[must_use]
    pub const fn err_text(&self) -> &'static str {
        match self.kind {
            CommandErrorKind::Unrecognized => "unknown command",
            CommandErrorKind::Syntax(what) => syntax_text(what),
            CommandErrorKind::TooLong { .. } => "command line too long",
            CommandErrorKind::NotUtf8 => "command is not UTF-8",
        }
    }

    /// The `-ERR` response a server answers with. A line that is not
    /// UTF-8 gets the `[UTF8]` code (RFC 6856 section 2).
    #[must_use]
    pub fn response(&self) -> Response<'static> {
        match self.kind {
            CommandErrorKind::NotUtf8 => Response::err_with(ResponseCode::Utf8, self.err_text()),
            _ => Response::err(self.err_text()),
        }
    }
}

/// The `-ERR` texts of syntax errors, one per expectation the parser
/// names (static, so that an error costs no allocation).
const fn syntax_text(what: &'static str) -> &'static str {
    match what.as_bytes() {
        b"message number" => "syntax error, expected message number",
        b"number of lines" => "syntax error, expected number of lines",
        b"no argument" => "syntax error, expected no argument",
        b"no more arguments" => "syntax error, expected no more arguments",
        b"user name" => "syntax error, expected user name",
        b"password" => "syntax error, expected password",
        b"APOP digest" => "syntax error, expected APOP digest",
        b"SASL mechanism" => "syntax error, expected SASL mechanism",
        b"base64 or \"=\"" => "syntax error, expected base64 or \"=\"",
        b"base64 or \"*\"" => "syntax error, expected base64 or \"*\"",
        b"language tag or \"*\"" => "syntax error, expected language tag or \"*\"",
        _ => "syntax error",
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            CommandErrorKind::Unrecognized => f.write_str("command not recognized")?,
            CommandErrorKind::Syntax(what) => write!(f, "syntax error, expected {what}")?,
            CommandErrorKind::TooLong { max } => write!(f, "line longer than {max} octets")?,
            CommandErrorKind::NotUtf8 => f.write_str("line is not UTF-8")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for CommandError {}

/// Why a server's line (status line, continuation, listing or capability)
/// did not parse, and where.
///
/// ```
/// use mailwire_pop3::parse::ResponseErrorKind;
/// use mailwire_pop3::types::Response;
///
/// let err = Response::parse(b"220 smtp.example.org").unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ResponseErrorKind::Status, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ResponseError {
    kind: ResponseErrorKind,
    offset: usize,
}

/// What kind of error a [`ResponseError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseErrorKind {
    /// The line does not start with `+OK` or `-ERR` (or `+ ` for a
    /// continuation).
    #[error("expected \"+OK\" or \"-ERR\"")]
    Status,
    /// The line breaks its grammar; the text names what was expected.
    #[error("syntax error, expected {0}")]
    Syntax(&'static str),
    /// The line is longer than the limit (CRLF included).
    #[error("line longer than {max} octets")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// The line is not UTF-8 where the grammar needs text.
    #[error("line is not UTF-8")]
    NotUtf8,
}

impl ResponseError {
    pub(crate) const fn new(kind: ResponseErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> ResponseErrorKind {
        self.kind
    }

    /// The byte offset in the line where it went wrong.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

/// The line without its final CRLF (or LF).
pub(crate) fn strip_eol(line: &[u8]) -> &[u8] {
    match line {
        [rest @ .., b'\r', b'\n'] | [rest @ .., b'\n'] => rest,
        _ => line,
    }
}

pub(crate) use mailwire_core::field::is_control;

/// The digits at the start of `bytes`: how many there are, and their
/// value if there is at least one and it fits a `u64`. One pass, no
/// second scan (the listings of a large maildrop are hot).
#[inline]
pub(crate) fn leading_number(bytes: &[u8]) -> (usize, Option<u64>) {
    if let Some(found) = short_number(bytes) {
        return found;
    }
    // Nineteen digits always fit a u64: no overflow check on the way.
    let mut value: u64 = 0;
    let mut len = 0;
    while len < bytes.len() && len < 19 {
        let digit = bytes[len].wrapping_sub(b'0');
        if digit > 9 {
            return (len, (len > 0).then_some(value));
        }
        value = value * 10 + u64::from(digit);
        len += 1;
    }
    let mut fits = true;
    while len < bytes.len() {
        let digit = bytes[len].wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit)))
        {
            Some(v) => value = v,
            None => fits = false,
        }
        len += 1;
    }
    (len, (len > 0 && fits).then_some(value))
}

/// [`leading_number`] for a run of fewer than eight digits with at least
/// eight bytes to read: the bytes are classified and the digits converted
/// eight at a time, with no loop (message numbers and sizes in listings
/// are this short). `None` when the input does not fit this case.
#[inline(always)]
pub(crate) fn short_number(bytes: &[u8]) -> Option<(usize, Option<u64>)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    // A digit is 0x30..=0x39: high nibble 3, low nibble at most 9.
    let high_nibble = (word & (ONES * 0xf0)) ^ (ONES * 0x30);
    let low = word & (ONES * 0x0f);
    let above_nine = (low + ONES * 0x06) & (ONES * 0x10);
    // 0x80 in each byte that is not a digit.
    let other = ((((high_nibble & !HIGH) + !HIGH) | high_nibble) | (above_nine << 3)) & HIGH;
    if other == 0 {
        return None; // eight digits or more: the loop takes them
    }
    let len = (other.trailing_zeros() / 8) as usize;
    if len == 0 {
        return Some((0, None));
    }
    // The digits to the top bytes (zeros before them), then pairs, quads
    // and the whole, as in any eight-digit conversion.
    let mut v = low << (8 * (8 - len));
    v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    v = (v * 10_000 + (v >> 32)) & 0xffff_ffff;
    Some((len, Some(v)))
}

/// Parses `1*DIGIT` into a `u32` (no overflow).
#[inline]
pub(crate) fn number(word: &[u8]) -> Option<u32> {
    match leading_number(word) {
        (len, Some(n)) if len == word.len() => u32::try_from(n).ok(),
        _ => None,
    }
}

/// The length of an RFC 2449 response code at the start of `text`
/// (brackets included), if one is there.
///
/// ```text
/// resp-code  = "[" resp-level *("/" resp-level) "]"
/// resp-level = 1*rchar
/// rchar      = %x21-2E / %x30-5C / %x5E-7F
/// ```
pub(crate) fn resp_code_len(text: &[u8]) -> Option<usize> {
    if text.first() != Some(&b'[') {
        return None;
    }
    let end = memchr::memchr(b']', text)?;
    let inner = &text[1..end];
    let valid = inner
        .split(|&b| b == b'/')
        .all(|level| !level.is_empty() && level.iter().all(|&b| is_rchar(b)));
    valid.then_some(end + 1)
}

/// `rchar = %x21-2E / %x30-5C / %x5E-7F`.
pub(crate) const fn is_rchar(b: u8) -> bool {
    matches!(b, 0x21..=0x2E | 0x30..=0x5C | 0x5E..=0x7F)
}

/// `mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE` (RFC 4422;
/// lower case accepted too).
pub(crate) fn is_mechanism(word: &[u8]) -> bool {
    (1..=20).contains(&word.len())
        && word
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The base64 alphabet with padding (RFC 4648 section 4).
pub(crate) fn is_base64(word: &[u8]) -> bool {
    word.iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// `langtag / "*"`, loosely: letters, digits and hyphens, or `*`.
pub(crate) fn is_lang(word: &[u8]) -> bool {
    word == b"*"
        || (!word.is_empty() && word.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// 32 hexadecimal digits.
pub(crate) fn is_digest(word: &[u8]) -> bool {
    word.len() == 32 && word.iter().all(u8::is_ascii_hexdigit)
}

/// A word: one or more characters, none of them space or control.
pub(crate) fn is_word(word: &[u8]) -> bool {
    !word.is_empty()
        && word
            .iter()
            .all(|&b| b != b' ' && !is_control(b) && b != b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One digit at a time, the obvious way.
    fn naive(bytes: &[u8]) -> (usize, Option<u64>) {
        let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let value = bytes[..len].iter().try_fold(0u64, |v, &b| {
            v.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        });
        (len, value.filter(|_| len > 0))
    }

    #[test]
    fn leading_number_takes_every_byte_at_every_position_of_a_word() {
        for b in 0..=255u8 {
            for at in 0..9 {
                let mut input = *b"123456789";
                input[at] = b;
                for len in 0..=input.len() {
                    let bytes = &input[..len];
                    assert_eq!(
                        leading_number(bytes),
                        naive(bytes),
                        "{:?}",
                        bytes.escape_ascii().to_string()
                    );
                }
            }
        }
    }

    #[test]
    fn leading_number_known_answers() {
        for (input, expected) in [
            (&b""[..], (0, None)),
            (b"x1234567890", (0, None)),
            (b"1 120\r\n", (1, Some(1))),
            (b"12345678 ", (8, Some(12_345_678))),
            (b"123456789\r\n", (9, Some(123_456_789))),
            (b"0000000000000000000042", (22, Some(42))),
            (b"18446744073709551615", (20, Some(u64::MAX))),
            (b"18446744073709551616", (20, None)),
            (b"99999999/", (8, Some(99_999_999))),
            (b"7:9999999", (1, Some(7))),
            (b"5\xb0\xb1\xb2\xb3\xb4\xb5\xb6", (1, Some(5))),
        ] {
            assert_eq!(
                leading_number(input),
                expected,
                "{:?}",
                input.escape_ascii().to_string()
            );
            assert_eq!(naive(input), expected);
        }
    }

    proptest! {
        #[test]
        fn leading_number_matches_the_naive_one(
            bytes in proptest::collection::vec(
                prop_oneof![4 => b'0'..=b'9', 1 => any::<u8>()],
                0..30,
            )
        ) {
            prop_assert_eq!(leading_number(&bytes), naive(&bytes));
        }
    }
}
