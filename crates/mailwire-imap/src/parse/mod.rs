//! Parsing commands: the one-shot [`Command::parse`](crate::types::Command::parse)
//! for a complete command, and the incremental [`CommandDecoder`] that
//! reads commands off a connection — literals announced before their
//! bytes arrive, bad commands skipped with their literals, APPEND's
//! message streamed as `Bytes` chunks. The error types and [`Limits`]
//! live here too.
//!
//! The parsers are hand-written byte scanners: a command's keyword
//! decides everything after it, so one pass with no backtracking is both
//! the simplest and the fastest shape, and recursion (search keys) is
//! bounded by [`Limits::max_depth`].

mod command;
mod decoder;

pub use decoder::{AppendInfo, CommandDecoder, Decoded};

use core::fmt;

use bytes::BufMut;

use crate::types::Tag;

/// Bounds on what a client may send. Every buffer the parsers keep is
/// bounded by one of them; an announced literal size is checked against
/// them before anything is allocated or read.
///
/// ```
/// use mailwire_imap::parse::Limits;
///
/// let mut limits = Limits::DEFAULT;
/// assert_eq!(limits.max_line, 64 * 1024);
/// limits.max_append = 10 * 1024 * 1024; // this server takes 10 MiB messages
/// limits.literal_minus = true;          // and advertises LITERAL-
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Longest line of a command, CRLF included, literals not counted
    /// (the text between two literals is a line of its own). Default
    /// 64 KiB (RFC 7162 section 4 asks servers to take lines of at least
    /// 8192 octets).
    pub max_line: usize,
    /// Largest literal that is not an APPEND message (a mailbox name, a
    /// search string, a password). Default 64 KiB.
    pub max_literal: u64,
    /// Largest APPEND message. Default 64 MiB. In streaming mode the
    /// message never sits in memory whole, so this may be large; buffered,
    /// it bounds all the messages of one (MULTI)APPEND together.
    pub max_append: u64,
    /// Largest buffered command: all its lines and literals, APPEND
    /// messages not counted. Default 1 MiB.
    pub max_command: usize,
    /// Deepest nesting of search keys (`(`, `NOT`, `OR`). Default 64.
    pub max_depth: usize,
    /// Most items in one command: list elements, search keys, literals,
    /// APPEND messages. Default 10 000.
    pub max_items: usize,
    /// LITERAL- (RFC 7888): a non-synchronizing literal `{n+}` larger
    /// than 4096 octets is refused. Default off (LITERAL+).
    pub literal_minus: bool,
}

impl Limits {
    /// The defaults named on each field.
    pub const DEFAULT: Self = Self {
        max_line: 64 * 1024,
        max_literal: 64 * 1024,
        max_append: 64 * 1024 * 1024,
        max_command: 1024 * 1024,
        max_depth: 64,
        max_items: 10_000,
        literal_minus: false,
    };

    /// No limit but the nesting depth (kept at 256 so that parsing,
    /// encoding and dropping nested search keys stay well inside a
    /// thread's stack, even unoptimized): for re-reading what this crate
    /// wrote.
    pub const UNLIMITED: Self = Self {
        max_line: usize::MAX,
        max_literal: u64::MAX,
        max_append: u64::MAX,
        max_command: usize::MAX,
        max_depth: 256,
        max_items: usize::MAX,
        literal_minus: false,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a command did not parse, and where (byte offset in the command,
/// literals included).
///
/// A bad command is not the end of the session: write the
/// [answer](Self::write_answer) and read the next command.
///
/// ```
/// use mailwire_imap::parse::{CommandError, CommandErrorKind};
/// use mailwire_imap::types::{Command, Tag};
///
/// let err = Command::parse(b"a1 FROB\r\n").unwrap_err();
/// assert_eq!(err.kind(), CommandErrorKind::Unknown);
/// let mut answer = Vec::new();
/// err.write_answer(Some(&Tag::new("a1")?), &mut answer);
/// assert_eq!(answer, b"a1 BAD unknown command\r\n");
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
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
    /// The command name is not one this crate knows (answer `BAD`).
    Unknown,
    /// The arguments break the grammar; the text names what was
    /// expected.
    Syntax(&'static str),
    /// The input ended inside the command (one-shot parsing only; the
    /// decoder waits for more bytes instead).
    Incomplete,
    /// A line is longer than [`Limits::max_line`].
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// The command is larger than [`Limits::max_command`].
    CommandTooLarge {
        /// The limit.
        max: usize,
    },
    /// An announced literal is larger than its limit
    /// ([`Limits::max_literal`], [`Limits::max_append`], or 4096 for a
    /// non-synchronizing literal under LITERAL-).
    LiteralTooLarge {
        /// The announced size.
        size: u64,
        /// The limit.
        max: u64,
        /// The literal is an APPEND message (answer `NO [TOOBIG]`).
        append: bool,
    },
    /// Search keys nest deeper than [`Limits::max_depth`].
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// More items than [`Limits::max_items`].
    TooManyItems {
        /// The limit.
        max: usize,
    },
}

/// The status of the answer to a bad command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerStatus {
    /// `BAD`: the command is wrong.
    Bad,
    /// `NO`: the command is fine, the server will not do it (a message
    /// too large).
    No,
}

impl CommandError {
    pub(crate) const fn new(kind: CommandErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    pub(crate) const fn at(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> CommandErrorKind {
        self.kind
    }

    /// The byte offset in the command where it went wrong.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// `NO` for an APPEND message over the limit, `BAD` for the rest.
    #[must_use]
    pub const fn status(&self) -> AnswerStatus {
        match self.kind {
            CommandErrorKind::LiteralTooLarge { append: true, .. } => AnswerStatus::No,
            _ => AnswerStatus::Bad,
        }
    }

    /// The response code to answer with: `TOOBIG` (RFC 4469, RFC 7888)
    /// for a literal over its limit.
    #[must_use]
    pub const fn code(&self) -> Option<&'static str> {
        match self.kind {
            CommandErrorKind::LiteralTooLarge { .. } => Some("TOOBIG"),
            _ => None,
        }
    }

    /// The text of the answer.
    #[must_use]
    pub const fn text(&self) -> &'static str {
        match self.kind {
            CommandErrorKind::Unknown => "unknown command",
            CommandErrorKind::Syntax(_) => "syntax error",
            CommandErrorKind::Incomplete => "incomplete command",
            CommandErrorKind::LineTooLong { .. } => "line too long",
            CommandErrorKind::CommandTooLarge { .. } => "command too large",
            CommandErrorKind::LiteralTooLarge { append: true, .. } => "message too large",
            CommandErrorKind::LiteralTooLarge { .. } => "literal too large",
            CommandErrorKind::TooDeep { .. } => "nested too deep",
            CommandErrorKind::TooManyItems { .. } => "too many items",
        }
    }

    /// Writes the answer: `tag BAD [code] text` CRLF, or untagged
    /// (`* BAD ...`) when the tag is unknown.
    pub fn write_answer(&self, tag: Option<&Tag<'_>>, out: &mut impl BufMut) {
        match tag {
            Some(tag) => out.put_slice(tag.as_str().as_bytes()),
            None => out.put_u8(b'*'),
        }
        out.put_slice(match self.status() {
            AnswerStatus::Bad => b" BAD ",
            AnswerStatus::No => b" NO ",
        });
        if let Some(code) = self.code() {
            out.put_u8(b'[');
            out.put_slice(code.as_bytes());
            out.put_slice(b"] ");
        }
        out.put_slice(self.text().as_bytes());
        out.put_slice(b"\r\n");
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            CommandErrorKind::Unknown => f.write_str("unknown command")?,
            CommandErrorKind::Syntax(what) => write!(f, "syntax error, expected {what}")?,
            CommandErrorKind::Incomplete => f.write_str("input ends inside the command")?,
            CommandErrorKind::LineTooLong { max } => write!(f, "line longer than {max} octets")?,
            CommandErrorKind::CommandTooLarge { max } => {
                write!(f, "command larger than {max} octets")?;
            }
            CommandErrorKind::LiteralTooLarge { size, max, .. } => {
                write!(f, "literal of {size} octets, more than {max}")?;
            }
            CommandErrorKind::TooDeep { max } => write!(f, "nested deeper than {max}")?,
            CommandErrorKind::TooManyItems { max } => write!(f, "more than {max} items")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for CommandError {}

mod response;
mod response_reader;

pub use response::{ResponseError, ResponseErrorKind, ResponseLimits};
pub(crate) use response::{literal_announcement, response_data_ok, response_value_ok};
pub use response_reader::{ReadFrame, ResponseReader, StreamedLiteral};

/// Whether `data` holds a NUL octet (refused in a `literal`, RFC 9051
/// section 4.3). Literals can be megabytes: the SIMD search of the
/// `memchr` crate is several times faster than `<[u8]>::contains`.
pub(crate) fn has_nul(data: &[u8]) -> bool {
    memchr::memchr(0, data).is_some()
}
