//! POP3 commands (RFC 1939 sections 4-7, RFC 2449, RFC 2595, RFC 5034,
//! RFC 6856).

use core::fmt;

use md5::{Digest, Md5};

/// One POP3 command, borrowing the line it was parsed from.
///
/// Parse with [`Command::parse`]; write with [`Command::encode`]. The
/// grammar of each command is on its variant (RFC 2449 section 3 gives the
/// general shape: `command = keyword *(SP param) CRLF`, 255 octets at
/// most). Keywords are case-insensitive and written in upper case.
///
/// ```
/// use mailwire_pop3::types::Command;
///
/// let cmd = Command::parse(b"top 1 10\r\n")?;
/// assert_eq!(cmd, Command::Top { msg: 1, lines: 10 });
/// assert_eq!(cmd.to_bytes()?, b"TOP 1 10\r\n");
///
/// // Passwords stay out of logs.
/// let pass = Command::parse(b"PASS secret")?;
/// assert_eq!(format!("{pass:?}"), "Pass { password: <redacted> }");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command<'a> {
    /// RFC 1939 section 7.
    ///
    /// ```text
    /// USER name
    /// ```
    User {
        /// The mailbox name (UTF-8 allowed after `UTF8`, RFC 6856).
        name: &'a str,
    },
    /// RFC 1939 section 7. The argument runs to the end of the line,
    /// spaces included ("a POP3 server may treat spaces in the argument
    /// as part of the password").
    ///
    /// ```text
    /// PASS string
    /// ```
    Pass {
        /// The password (redacted in `Debug`).
        password: Secret<'a>,
    },
    /// RFC 1939 section 7.
    ///
    /// ```text
    /// APOP name digest
    /// ```
    Apop {
        /// The mailbox name.
        name: &'a str,
        /// The MD5 digest of the greeting's timestamp and the shared
        /// secret: 32 hexadecimal digits (see [`apop_digest`]).
        digest: &'a str,
    },
    /// SASL authentication, RFC 5034 section 4. Without a mechanism it
    /// asks for the list of mechanisms (RFC 1734; answered by a
    /// multi-line response).
    ///
    /// ```text
    /// auth-command     = "AUTH" SP mech-name [SP initial-response]
    ///                    *(CRLF [base64]) [CRLF cancel-response] CRLF
    /// initial-response = base64 / "="
    /// mech-name        = 1*20mech-char        ; RFC 4422
    /// ```
    Auth {
        /// The SASL mechanism (`1*20` of `A-Z 0-9 - _`, written as
        /// received), or `None` for a bare `AUTH`.
        mechanism: Option<&'a str>,
        /// The initial response, if given.
        initial_response: Option<InitialResponse<'a>>,
    },
    /// RFC 1939 section 5.
    ///
    /// ```text
    /// STAT
    /// ```
    Stat,
    /// RFC 1939 section 5: a scan listing of one message, or of all of
    /// them (multi-line).
    ///
    /// ```text
    /// LIST [msg]
    /// ```
    List {
        /// The message number, if given.
        msg: Option<u32>,
    },
    /// RFC 1939 section 5 (multi-line).
    ///
    /// ```text
    /// RETR msg
    /// ```
    Retr {
        /// The message number.
        msg: u32,
    },
    /// RFC 1939 section 5.
    ///
    /// ```text
    /// DELE msg
    /// ```
    Dele {
        /// The message number.
        msg: u32,
    },
    /// RFC 1939 section 5.
    ///
    /// ```text
    /// NOOP
    /// ```
    Noop,
    /// RFC 1939 section 5.
    ///
    /// ```text
    /// RSET
    /// ```
    Rset,
    /// RFC 1939 sections 4 and 6.
    ///
    /// ```text
    /// QUIT
    /// ```
    Quit,
    /// RFC 1939 section 7: the header and the first `lines` lines of the
    /// body (multi-line).
    ///
    /// ```text
    /// TOP msg n
    /// ```
    Top {
        /// The message number.
        msg: u32,
        /// Lines of the body to send.
        lines: u32,
    },
    /// RFC 1939 section 7: the unique-id listing of one message, or of
    /// all of them (multi-line).
    ///
    /// ```text
    /// UIDL [msg]
    /// ```
    Uidl {
        /// The message number, if given.
        msg: Option<u32>,
    },
    /// RFC 2449 section 5 (multi-line).
    ///
    /// ```text
    /// CAPA
    /// ```
    Capa,
    /// RFC 2595 section 4: start TLS.
    ///
    /// ```text
    /// STLS
    /// ```
    Stls,
    /// RFC 6856 section 2: UTF-8 mode.
    ///
    /// ```text
    /// utf8-command = "UTF8" CRLF
    /// ```
    Utf8,
    /// RFC 6856 section 3: choose the language of responses, or list the
    /// languages (multi-line) when no argument is given.
    ///
    /// ```text
    /// lang-command = "LANG" [SP lang-or-wild] CRLF
    /// lang-or-wild = langtag / "*"
    /// ```
    Lang {
        /// The language tag or `*`, if given.
        tag: Option<&'a str>,
    },
}

impl Command<'_> {
    /// The command's keyword, in upper case.
    ///
    /// ```
    /// use mailwire_pop3::types::Command;
    /// assert_eq!(Command::Uidl { msg: None }.keyword(), "UIDL");
    /// ```
    #[must_use]
    pub const fn keyword(&self) -> &'static str {
        match self {
            Self::User { .. } => "USER",
            Self::Pass { .. } => "PASS",
            Self::Apop { .. } => "APOP",
            Self::Auth { .. } => "AUTH",
            Self::Stat => "STAT",
            Self::List { .. } => "LIST",
            Self::Retr { .. } => "RETR",
            Self::Dele { .. } => "DELE",
            Self::Noop => "NOOP",
            Self::Rset => "RSET",
            Self::Quit => "QUIT",
            Self::Top { .. } => "TOP",
            Self::Uidl { .. } => "UIDL",
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
            Self::Utf8 => "UTF8",
            Self::Lang { .. } => "LANG",
        }
    }

    /// What shape of response answers this command: a client reading
    /// responses must know it, because a multi-line `+OK` looks like a
    /// single-line one.
    ///
    /// ```
    /// use mailwire_pop3::types::{Command, ResponseKind};
    ///
    /// assert_eq!(Command::List { msg: None }.response_kind(), ResponseKind::MultiLine);
    /// assert_eq!(Command::List { msg: Some(1) }.response_kind(), ResponseKind::SingleLine);
    /// assert_eq!(
    ///     Command::Auth { mechanism: Some("PLAIN"), initial_response: None }.response_kind(),
    ///     ResponseKind::Sasl
    /// );
    /// ```
    #[must_use]
    pub const fn response_kind(&self) -> ResponseKind {
        match self {
            Self::List { msg: None }
            | Self::Uidl { msg: None }
            | Self::Retr { .. }
            | Self::Top { .. }
            | Self::Capa
            | Self::Lang { tag: None }
            | Self::Auth {
                mechanism: None, ..
            } => ResponseKind::MultiLine,
            Self::Auth { .. } => ResponseKind::Sasl,
            _ => ResponseKind::SingleLine,
        }
    }
}

/// The shape of the response a command gets (see
/// [`Command::response_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseKind {
    /// One status line.
    SingleLine,
    /// A status line; after `+OK`, a dot-stuffed body ending with `.CRLF`
    /// (RFC 1939 section 3).
    MultiLine,
    /// SASL continuations (`+ base64`) until the status line (RFC 5034).
    Sasl,
}

/// A credential: a password or a SASL response. Its `Debug` shows
/// `<redacted>`; [`expose`](Self::expose) gives the text.
///
/// ```
/// use mailwire_pop3::types::Secret;
///
/// let secret = Secret::new("tanstaaf");
/// assert_eq!(format!("{secret:?}"), "<redacted>");
/// assert_eq!(secret.expose(), "tanstaaf");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Secret<'a>(&'a str);

impl<'a> Secret<'a> {
    /// Wraps a credential.
    #[must_use]
    pub const fn new(text: &'a str) -> Self {
        Self(text)
    }

    /// The credential's text.
    #[must_use]
    pub const fn expose(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The initial response of `AUTH` (RFC 5034 section 4).
///
/// ```text
/// initial-response = base64 / "="
/// ```
///
/// Its `Debug` hides the data: it holds credentials.
///
/// ```
/// use mailwire_pop3::types::{Command, InitialResponse, Secret};
///
/// let cmd = Command::parse(b"AUTH PLAIN =")?;
/// assert_eq!(
///     cmd,
///     Command::Auth { mechanism: Some("PLAIN"), initial_response: Some(InitialResponse::Empty) }
/// );
/// let cmd = Command::parse(b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=")?;
/// assert!(format!("{cmd:?}").contains("Base64(<redacted>)"));
/// # Ok::<(), mailwire_pop3::parse::CommandError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum InitialResponse<'a> {
    /// `=`: an empty initial response.
    Empty,
    /// Base64 data.
    Base64(Secret<'a>),
}

impl fmt::Debug for InitialResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Base64(_) => f.write_str("Base64(<redacted>)"),
        }
    }
}

/// A client's line in a SASL exchange, answering a continuation
/// (RFC 5034 section 4).
///
/// ```text
/// *(CRLF [base64]) [CRLF cancel-response]
/// cancel-response = "*"
/// ```
///
/// ```
/// use mailwire_pop3::types::SaslResponse;
///
/// assert_eq!(SaslResponse::parse(b"*\r\n")?, SaslResponse::Cancel);
/// let data = SaslResponse::parse(b"dGVzdA==")?;
/// assert_eq!(format!("{data:?}"), "Data(<redacted>)");
/// assert_eq!(data.to_bytes()?, b"dGVzdA==\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaslResponse<'a> {
    /// Base64 data, possibly empty.
    Data(Secret<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

impl fmt::Debug for SaslResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Data(_) => f.write_str("Data(<redacted>)"),
            Self::Cancel => f.write_str("Cancel"),
        }
    }
}

/// The `APOP` digest (RFC 1939 section 7): MD5 of the greeting's
/// timestamp (angle brackets included) followed by the shared secret,
/// as 32 lower-case hexadecimal digits.
///
/// ```
/// use mailwire_pop3::types::apop_digest;
///
/// // RFC 1939 section 7.
/// assert_eq!(
///     apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"),
///     "c4c9334bac560ecc979e58001b3e22fb"
/// );
/// ```
#[must_use]
pub fn apop_digest(timestamp: &str, secret: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(secret.as_bytes());
    let sum = md5.finalize();
    let mut out = String::with_capacity(32);
    for byte in sum {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 15)]));
    }
    out
}
