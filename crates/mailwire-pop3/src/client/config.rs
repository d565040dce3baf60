//! The client's settings and the SASL credentials it can present.

use core::fmt;
use core::time::Duration;

use crate::parse::Limits;

/// How a [`Client`](super::Client) behaves: limits, pipelining, timeout.
///
/// ```
/// use std::time::Duration;
/// use mailwire_pop3::client::Config;
///
/// let mut config = Config::default();
/// config.timeout = Duration::from_secs(60);
/// config.max_buffered = 256 * 1024;
/// assert_eq!(config.max_response_line, 512);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Longest status or continuation line accepted from the server, CRLF
    /// included. Default 512 (RFC 2449 section 4).
    pub max_response_line: usize,
    /// Longest line of a `CAPA`, `LIST` or `UIDL` answer, CRLF included.
    /// Default 512. (Message lines have no limit: they stream through.)
    pub max_listing_line: usize,
    /// Most entries of one [`Event::Listing`](super::Event::Listing) or
    /// [`Event::UniqueIds`](super::Event::UniqueIds) batch. Default 256.
    pub listing_batch: usize,
    /// Most `CAPA` lines kept; further lines are read and dropped.
    /// Default 256.
    pub max_capabilities: usize,
    /// Largest message (`RETR`/`TOP` body, after unstuffing) passed on;
    /// past it, [`Event::MessageTruncated`](super::Event::MessageTruncated)
    /// and the rest is dropped. Default unlimited: the body streams
    /// through in chunks, so its size costs no memory.
    pub max_message_size: u64,
    /// Most bytes the client holds: received bytes not yet read plus
    /// message bytes in events not yet polled. Default 64 KiB; at least
    /// twice `max_response_line` (raised to that if lower).
    /// [`Client::handle_input`](super::Client::handle_input) takes no
    /// more than fits.
    pub max_buffered: usize,
    /// Pipeline commands when the server announced `PIPELINING` in its
    /// answer to `CAPA` (RFC 2449 section 6.6). Default `true`.
    pub pipelining: bool,
    /// Most commands in flight when pipelining. Default 32.
    pub max_in_flight: usize,
    /// How long to wait for the greeting and for each answer (reset
    /// whenever the server sends something). Default 10 minutes
    /// (RFC 1939 section 3 gives servers at least that before they drop
    /// an idle client).
    pub timeout: Duration,
    /// The connection is under TLS from the start (POP3S, port 995):
    /// `STLS` is refused as [`UsageError::TlsActive`](super::UsageError::TlsActive).
    /// Default `false`.
    pub implicit_tls: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_response_line: Limits::DEFAULT.max_response_line,
            max_listing_line: 512,
            listing_batch: 256,
            max_capabilities: 256,
            max_message_size: u64::MAX,
            max_buffered: 64 * 1024,
            pipelining: true,
            max_in_flight: 32,
            timeout: Duration::from_secs(600),
            implicit_tls: false,
        }
    }
}

/// The SASL mechanism and credentials for
/// [`Client::authenticate`](super::Client::authenticate) (RFC 5034).
/// Its `Debug` never shows the password or token.
///
/// ```
/// use mailwire_pop3::client::Sasl;
///
/// let sasl = Sasl::plain("tim", "tanstaaftanstaaf");
/// assert_eq!(sasl.mechanism(), "PLAIN");
/// assert!(!format!("{sasl:?}").contains("tanstaaf"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sasl {
    /// `PLAIN` (RFC 4616), sent as an initial response when the line fits
    /// in 255 octets (RFC 5034 section 4), else after the server's `+ `.
    Plain {
        /// The authorization identity (empty: the same as `username`).
        authzid: String,
        /// The authentication identity.
        username: String,
        /// The password.
        password: String,
    },
    /// `LOGIN`: the user name, then the password, each answering a
    /// challenge.
    Login {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// `XOAUTH2`: a user name and an OAuth 2.0 bearer token. An error
    /// comes as a challenge, answered with an empty line.
    XOAuth2 {
        /// The user name.
        username: String,
        /// The bearer token.
        token: String,
    },
    /// `CRAM-MD5` (RFC 2195): the password never crosses the wire.
    CramMd5 {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
}

impl Sasl {
    /// `PLAIN` with no authorization identity.
    #[must_use]
    pub fn plain(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Plain {
            authzid: String::new(),
            username: username.into(),
            password: password.into(),
        }
    }

    /// `LOGIN`.
    #[must_use]
    pub fn login(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Login {
            username: username.into(),
            password: password.into(),
        }
    }

    /// `XOAUTH2`.
    #[must_use]
    pub fn xoauth2(username: impl Into<String>, token: impl Into<String>) -> Self {
        Self::XOAuth2 {
            username: username.into(),
            token: token.into(),
        }
    }

    /// `CRAM-MD5`.
    #[must_use]
    pub fn cram_md5(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::CramMd5 {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The mechanism's name as sent after `AUTH`.
    ///
    /// ```
    /// use mailwire_pop3::client::Sasl;
    /// assert_eq!(Sasl::cram_md5("u", "p").mechanism(), "CRAM-MD5");
    /// ```
    #[must_use]
    pub fn mechanism(&self) -> &'static str {
        match self {
            Self::Plain { .. } => "PLAIN",
            Self::Login { .. } => "LOGIN",
            Self::XOAuth2 { .. } => "XOAUTH2",
            Self::CramMd5 { .. } => "CRAM-MD5",
        }
    }

    /// The user name.
    #[must_use]
    pub fn username(&self) -> &str {
        match self {
            Self::Plain { username, .. }
            | Self::Login { username, .. }
            | Self::XOAuth2 { username, .. }
            | Self::CramMd5 { username, .. } => username,
        }
    }
}

impl fmt::Debug for Sasl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sasl")
            .field("mechanism", &self.mechanism())
            .field("username", &self.username())
            .finish_non_exhaustive()
    }
}
