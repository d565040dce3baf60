//! The command-line parser (RFC 1939, 2449, 2595, 5034, 6856).

use super::{
    CommandError, CommandErrorKind, Limits, is_base64, is_digest, is_lang, is_mechanism, is_word,
    number, strip_eol,
};
use crate::types::{Command, InitialResponse, SaslResponse, Secret};

type Result<T> = core::result::Result<T, CommandError>;

/// Packs a keyword of three or four bytes, upper-cased. Only ASCII
/// letters and digits meet the keywords' bytes under the mask, so no
/// other byte aliases; a three-letter keyword has a zero fourth byte.
const fn key(b: &[u8]) -> u32 {
    let mut k = [0u8; 4];
    let mut i = 0;
    while i < b.len() && i < 4 {
        k[i] = b[i];
        i += 1;
    }
    u32::from_be_bytes(k) & 0xDFDF_DFDF
}

const USER: u32 = key(b"USER");
const PASS: u32 = key(b"PASS");
const APOP: u32 = key(b"APOP");
const AUTH: u32 = key(b"AUTH");
const STAT: u32 = key(b"STAT");
const LIST: u32 = key(b"LIST");
const RETR: u32 = key(b"RETR");
const DELE: u32 = key(b"DELE");
const NOOP: u32 = key(b"NOOP");
const RSET: u32 = key(b"RSET");
const QUIT: u32 = key(b"QUIT");
const TOP: u32 = key(b"TOP");
const UIDL: u32 = key(b"UIDL");
const CAPA: u32 = key(b"CAPA");
const STLS: u32 = key(b"STLS");
const UTF8: u32 = key(b"UTF8");
const LANG: u32 = key(b"LANG");

/// The space-separated arguments after the keyword, with their offsets.
/// Only arguments handed out as text are checked for UTF-8.
struct Args<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Args<'a> {
    /// The next word and its offset in the line.
    #[inline]
    fn next(&mut self) -> Option<(&'a [u8], usize)> {
        let bytes = self.bytes;
        while self.pos < bytes.len() && bytes[self.pos] == b' ' {
            self.pos += 1;
        }
        if self.pos == bytes.len() {
            return None;
        }
        let start = self.pos;
        // Arguments are short: a plain loop beats a vectorized search.
        let len = bytes[start..]
            .iter()
            .position(|&b| b == b' ')
            .unwrap_or(bytes.len() - start);
        self.pos = start + len;
        Some((&bytes[start..start + len], start))
    }

    /// A required word, checked by `valid`.
    #[inline]
    fn word(&mut self, what: &'static str, valid: fn(&[u8]) -> bool) -> Result<&'a str> {
        match self.next() {
            Some((word, at)) if valid(word) => text(word, at),
            Some((_, at)) => Err(syntax(what, at)),
            None => Err(syntax(what, self.bytes.len())),
        }
    }

    /// An optional word, checked by `valid`.
    #[inline]
    fn optional(
        &mut self,
        what: &'static str,
        valid: fn(&[u8]) -> bool,
    ) -> Result<Option<&'a str>> {
        match self.next() {
            Some((word, at)) if valid(word) => text(word, at).map(Some),
            Some((_, at)) => Err(syntax(what, at)),
            None => Ok(None),
        }
    }

    /// A required message number (or other count).
    #[inline]
    fn number(&mut self, what: &'static str) -> Result<u32> {
        match self.next() {
            Some((word, at)) => number(word).ok_or(syntax(what, at)),
            None => Err(syntax(what, self.bytes.len())),
        }
    }

    /// An optional message number.
    #[inline]
    fn optional_number(&mut self) -> Result<Option<u32>> {
        match self.next() {
            Some((word, at)) => number(word).map(Some).ok_or(syntax("message number", at)),
            None => Ok(None),
        }
    }

    /// Nothing more on the line.
    #[inline]
    fn end<T>(&mut self, value: T) -> Result<T> {
        match self.next() {
            None => Ok(value),
            Some((_, at)) => Err(syntax("no more arguments", at)),
        }
    }
}

/// `bytes` (found at offset `at`) as text.
#[inline]
fn text(bytes: &[u8], at: usize) -> Result<&str> {
    core::str::from_utf8(bytes)
        .map_err(|e| CommandError::new(CommandErrorKind::NotUtf8, at + e.valid_up_to()))
}

const fn syntax(what: &'static str, at: usize) -> CommandError {
    CommandError::new(CommandErrorKind::Syntax(what), at)
}

impl<'a> Command<'a> {
    /// Parses one command line under [`Limits::DEFAULT`] (255 octets,
    /// CRLF included). A final CRLF (or LF) may be included or left out.
    ///
    /// RFC 2449 section 9:
    ///
    /// ```text
    /// command = keyword *(SP param) CRLF    ;255 octets maximum
    /// keyword = 3*4VCHAR
    /// param   = 1*VCHAR
    /// ```
    ///
    /// The grammar of each command is on its [`Command`] variant. Beyond
    /// it, keywords are read in any case, several spaces between
    /// arguments and spaces at the end of the line are accepted, and
    /// UTF-8 is allowed in text arguments (RFC 6856; other bytes there are
    /// [`CommandErrorKind::NotUtf8`], numbers are checked as numbers only).
    /// `PASS` takes the rest of
    /// the line after one space, spaces included (RFC 1939 section 7).
    /// Parsing borrows from `line` and allocates nothing.
    ///
    /// # Errors
    ///
    /// A [`CommandError`] with the offset and the `-ERR` text to answer.
    ///
    /// ```
    /// use mailwire_pop3::types::{Command, Secret};
    ///
    /// assert_eq!(Command::parse(b"list\r\n")?, Command::List { msg: None });
    /// assert_eq!(Command::parse(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb")?,
    ///     Command::Apop { name: "mrose", digest: "c4c9334bac560ecc979e58001b3e22fb" });
    /// assert_eq!(Command::parse(b"PASS two words ")?,
    ///     Command::Pass { password: Secret::new("two words ") });
    /// # Ok::<(), mailwire_pop3::parse::CommandError>(())
    /// ```
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        Self::parse_with_limits(line, &Limits::DEFAULT)
    }

    /// Parses one command line, no longer than
    /// [`limits.max_command_line`](Limits::max_command_line) octets
    /// (CRLF included, counted even if left out).
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse); [`CommandErrorKind::TooLong`] at the
    /// limit.
    ///
    /// ```
    /// use mailwire_pop3::parse::{CommandErrorKind, Limits};
    /// use mailwire_pop3::types::Command;
    ///
    /// let line = format!("USER {}", "x".repeat(300));
    /// let err = Command::parse(line.as_bytes()).unwrap_err();
    /// assert_eq!(err.kind(), CommandErrorKind::TooLong { max: 255 });
    /// assert!(Command::parse_with_limits(line.as_bytes(), &Limits::UNLIMITED).is_ok());
    /// ```
    pub fn parse_with_limits(line: &'a [u8], limits: &Limits) -> Result<Self> {
        let line = strip_eol(line);
        if line.len().saturating_add(2) > limits.max_command_line {
            return Err(CommandError::new(
                CommandErrorKind::TooLong {
                    max: limits.max_command_line,
                },
                limits.max_command_line.saturating_sub(2).min(line.len()),
            ));
        }
        let bytes = line;
        let end = bytes
            .iter()
            .take(5)
            .position(|&b| b == b' ')
            .unwrap_or(bytes.len().min(5));
        if !(3..=4).contains(&end) || !bytes[..end].iter().all(u8::is_ascii_alphanumeric) {
            return Err(CommandError::new(CommandErrorKind::Unrecognized, 0));
        }
        let verb = key(&bytes[..end]);
        if verb == PASS {
            // The password is the rest of the line after one space.
            return match bytes.get(5..) {
                Some(password) if !password.is_empty() => {
                    match password.iter().position(|&b| super::is_control(b)) {
                        Some(at) => Err(syntax("password", 5 + at)),
                        None => Ok(Command::Pass {
                            password: Secret::new(text(password, 5)?),
                        }),
                    }
                }
                _ => Err(syntax("password", bytes.len())),
            };
        }
        let mut args = Args { bytes, pos: end };
        match verb {
            USER => {
                let name = args.word("user name", is_word)?;
                args.end(Command::User { name })
            }
            APOP => {
                let name = args.word("user name", is_word)?;
                let digest = args.word("APOP digest", is_digest)?;
                args.end(Command::Apop { name, digest })
            }
            AUTH => {
                let mechanism = args.optional("SASL mechanism", is_mechanism)?;
                let initial_response = match mechanism {
                    None => None,
                    Some(_) => args.optional("base64 or \"=\"", is_base64)?.map(|ir| {
                        if ir == "=" {
                            InitialResponse::Empty
                        } else {
                            InitialResponse::Base64(Secret::new(ir))
                        }
                    }),
                };
                args.end(Command::Auth {
                    mechanism,
                    initial_response,
                })
            }
            LIST => {
                let msg = args.optional_number()?;
                args.end(Command::List { msg })
            }
            UIDL => {
                let msg = args.optional_number()?;
                args.end(Command::Uidl { msg })
            }
            RETR => {
                let msg = args.number("message number")?;
                args.end(Command::Retr { msg })
            }
            DELE => {
                let msg = args.number("message number")?;
                args.end(Command::Dele { msg })
            }
            TOP if end == 3 => {
                let msg = args.number("message number")?;
                let lines = args.number("number of lines")?;
                args.end(Command::Top { msg, lines })
            }
            LANG => {
                let tag = args.optional("language tag or \"*\"", is_lang)?;
                args.end(Command::Lang { tag })
            }
            STAT => no_argument(&mut args, Command::Stat),
            NOOP => no_argument(&mut args, Command::Noop),
            RSET => no_argument(&mut args, Command::Rset),
            QUIT => no_argument(&mut args, Command::Quit),
            CAPA => no_argument(&mut args, Command::Capa),
            STLS => no_argument(&mut args, Command::Stls),
            UTF8 => no_argument(&mut args, Command::Utf8),
            _ => Err(CommandError::new(CommandErrorKind::Unrecognized, 0)),
        }
    }
}

fn no_argument<'a>(args: &mut Args<'a>, command: Command<'a>) -> Result<Command<'a>> {
    match args.next() {
        None => Ok(command),
        Some((_, at)) => Err(syntax("no argument", at)),
    }
}

impl<'a> SaslResponse<'a> {
    /// Parses a client's line in a SASL exchange (RFC 5034 section 4). A
    /// final CRLF (or LF) may be included or left out.
    ///
    /// ```text
    /// *(CRLF [base64]) [CRLF cancel-response]
    /// cancel-response = "*"
    /// ```
    ///
    /// # Errors
    ///
    /// [`CommandErrorKind::Syntax`] when the line is neither base64 nor
    /// `*` (answer `-ERR` and end the exchange).
    ///
    /// ```
    /// use mailwire_pop3::types::{SaslResponse, Secret};
    ///
    /// assert_eq!(SaslResponse::parse(b"\r\n")?, SaslResponse::Data(Secret::new("")));
    /// assert!(SaslResponse::parse(b"not base64!").is_err());
    /// # Ok::<(), mailwire_pop3::parse::CommandError>(())
    /// ```
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        let line = strip_eol(line);
        if line == b"*" {
            return Ok(SaslResponse::Cancel);
        }
        match line
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
        {
            Some(at) => Err(syntax("base64 or \"*\"", at)),
            // Only ASCII bytes passed the check.
            None => Ok(SaslResponse::Data(Secret::new(
                core::str::from_utf8(line).unwrap_or_default(),
            ))),
        }
    }
}
