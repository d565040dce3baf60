//! SMTP commands (RFC 5321 section 4.1.1 and the extensions).

use core::fmt;

use mailwire_core::token::Domain;

use super::param::{MailParams, RcptParams};
use super::path::{ForwardPath, ReversePath};

/// One SMTP command, borrowing the line it was parsed from.
///
/// Parse with [`Command::parse`]; write with [`Command::encode`]. The
/// grammar of each command is on its variant.
///
/// ```
/// use mailwire_smtp::types::{Command, ForwardPath};
///
/// let cmd = Command::parse(b"RCPT TO:<joe@example.org> NOTIFY=FAILURE")?;
/// let Command::Rcpt { forward_path: ForwardPath::Path(path), params } = &cmd else { panic!() };
/// assert_eq!(path.mailbox().to_string(), "joe@example.org");
/// assert!(params.notify.unwrap().failure);
///
/// let mut out = Vec::new();
/// cmd.encode(&mut out)?;
/// assert_eq!(out, b"RCPT TO:<joe@example.org> NOTIFY=FAILURE\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command<'a> {
    /// ```text
    /// helo = "HELO" SP Domain CRLF
    /// ```
    Helo {
        /// Who the client says it is.
        client: ClientId<'a>,
    },
    /// ```text
    /// ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
    /// ```
    Ehlo {
        /// Who the client says it is.
        client: ClientId<'a>,
    },
    /// LMTP's greeting (RFC 2033 section 4.1), shaped as `EHLO`.
    ///
    /// ```text
    /// lhlo = "LHLO" SP ( Domain / address-literal ) CRLF
    /// ```
    Lhlo {
        /// Who the client says it is.
        client: ClientId<'a>,
    },
    /// ```text
    /// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
    /// Mail-parameters  = esmtp-param *(SP esmtp-param)
    /// ```
    Mail {
        /// The sender, or `<>`.
        reverse_path: ReversePath<'a>,
        /// `SIZE`, `BODY`, DSN and the other parameters.
        params: MailParams<'a>,
    },
    /// ```text
    /// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
    ///             Forward-path ) [SP Rcpt-parameters] CRLF
    /// Rcpt-parameters  = esmtp-param *(SP esmtp-param)
    /// ```
    Rcpt {
        /// The recipient.
        forward_path: ForwardPath<'a>,
        /// `NOTIFY`, `ORCPT` and the other parameters.
        params: RcptParams<'a>,
    },
    /// ```text
    /// data = "DATA" CRLF
    /// ```
    Data,
    /// A chunk of the message (CHUNKING, RFC 3030 section 2); the chunk's
    /// bytes follow the line.
    ///
    /// ```text
    /// bdat-cmd   ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF
    /// chunk-size ::= 1*DIGIT
    /// end-marker ::= "LAST"
    /// ```
    Bdat {
        /// Octets in the chunk.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// ```text
    /// rset = "RSET" CRLF
    /// ```
    Rset,
    /// ```text
    /// vrfy = "VRFY" SP String CRLF
    /// ```
    Vrfy {
        /// The user or mailbox to verify, as written (quotes kept).
        argument: &'a str,
    },
    /// ```text
    /// expn = "EXPN" SP String CRLF
    /// ```
    Expn {
        /// The mailing list to expand, as written (quotes kept).
        argument: &'a str,
    },
    /// ```text
    /// help = "HELP" [ SP String ] CRLF
    /// ```
    Help {
        /// The topic, if any.
        argument: Option<&'a str>,
    },
    /// ```text
    /// noop = "NOOP" [ SP String ] CRLF
    /// ```
    Noop {
        /// Ignored text, if any.
        argument: Option<&'a str>,
    },
    /// ```text
    /// quit = "QUIT" CRLF
    /// ```
    Quit,
    /// RFC 3207 section 4:
    ///
    /// ```text
    /// STARTTLS = "STARTTLS" CRLF
    /// ```
    StartTls,
    /// RFC 4954 section 4:
    ///
    /// ```text
    /// auth-command = "AUTH" SP sasl-mech [SP initial-response] CRLF
    /// initial-response = base64 / "="
    /// ```
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The initial response, if given.
        initial_response: Option<InitialResponse<'a>>,
    },
}

impl Command<'_> {
    /// The command verb as written on the wire (`"MAIL"` for
    /// `MAIL FROM:`).
    ///
    /// ```
    /// use mailwire_smtp::types::Command;
    /// assert_eq!(Command::StartTls.verb(), "STARTTLS");
    /// ```
    #[must_use]
    pub const fn verb(&self) -> &'static str {
        match self {
            Self::Helo { .. } => "HELO",
            Self::Ehlo { .. } => "EHLO",
            Self::Lhlo { .. } => "LHLO",
            Self::Mail { .. } => "MAIL",
            Self::Rcpt { .. } => "RCPT",
            Self::Data => "DATA",
            Self::Bdat { .. } => "BDAT",
            Self::Rset => "RSET",
            Self::Vrfy { .. } => "VRFY",
            Self::Expn { .. } => "EXPN",
            Self::Help { .. } => "HELP",
            Self::Noop { .. } => "NOOP",
            Self::Quit => "QUIT",
            Self::StartTls => "STARTTLS",
            Self::Auth { .. } => "AUTH",
        }
    }
}

/// The argument of `HELO`, `EHLO` and `LHLO`: a domain or address
/// literal, or, because real clients send all sorts (`localhost`,
/// host names with `_`, bare words), the text as written.
///
/// ```
/// use mailwire_smtp::types::{ClientId, Command};
///
/// let Command::Ehlo { client } = Command::parse(b"EHLO mail.example.org")? else { panic!() };
/// assert!(matches!(client, ClientId::Domain(_)));
/// let Command::Ehlo { client } = Command::parse(b"EHLO my_host")? else { panic!() };
/// assert_eq!(client, ClientId::Other("my_host"));
/// assert_eq!(client.as_str(), "my_host");
/// # Ok::<(), mailwire_smtp::parse::CommandError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientId<'a> {
    /// A valid RFC 5321 `Domain` or `address-literal`.
    Domain(Domain<'a>),
    /// Anything else: one word of printable text (no white space).
    Other(&'a str),
}

impl ClientId<'_> {
    /// The text as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Domain(domain) => domain.as_str(),
            Self::Other(text) => text,
        }
    }
}

impl fmt::Display for ClientId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SASL mechanism name (RFC 4422 section 3.1).
///
/// ```text
/// sasl-mech    = 1*20mech-char
/// mech-char    = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// ```
///
/// Names are compared case-insensitively on input.
///
/// ```
/// use mailwire_smtp::types::Mechanism;
/// assert_eq!(Mechanism::from_name("plain"), Mechanism::Plain);
/// assert_eq!(Mechanism::from_name("SCRAM-SHA-256"), Mechanism::Other("SCRAM-SHA-256"));
/// assert_eq!(Mechanism::CramMd5.as_str(), "CRAM-MD5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism<'a> {
    /// `PLAIN` (RFC 4616).
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login).
    Login,
    /// `CRAM-MD5` (RFC 2195).
    CramMd5,
    /// `XOAUTH2` (Google's OAuth 2.0 bearer mechanism).
    XOAuth2,
    /// Any other mechanism, as written.
    Other(&'a str),
}

impl<'a> Mechanism<'a> {
    /// The mechanism called `name` (any case).
    #[must_use]
    pub fn from_name(name: &'a str) -> Self {
        if name.eq_ignore_ascii_case("PLAIN") {
            Self::Plain
        } else if name.eq_ignore_ascii_case("LOGIN") {
            Self::Login
        } else if name.eq_ignore_ascii_case("CRAM-MD5") {
            Self::CramMd5
        } else if name.eq_ignore_ascii_case("XOAUTH2") {
            Self::XOAuth2
        } else {
            Self::Other(name)
        }
    }

    /// The name as written on the wire.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::CramMd5 => "CRAM-MD5",
            Self::XOAuth2 => "XOAUTH2",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for Mechanism<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The initial response of `AUTH` (RFC 4954 section 4).
///
/// Its [`Debug`](fmt::Debug) hides the text: it holds credentials.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum InitialResponse<'a> {
    /// `=`: an empty response.
    Empty,
    /// Base64 text, not yet decoded.
    Base64(&'a str),
}

impl fmt::Debug for InitialResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Base64(_) => f.write_str("Base64(<redacted>)"),
        }
    }
}
