//! What a [`Server`](super::Server) offers and how strict it is.

use std::time::Duration;

use mailwire_core::BarePolicy;

/// The configuration of a server, shared by its sessions (wrap it in an
/// [`Arc`](std::sync::Arc)).
///
/// Build one with [`ServerConfig::new`] and change the public fields:
///
/// ```
/// use std::time::Duration;
/// use mailwire_pop3::server::{Mechanism, ServerConfig};
///
/// let mut config = ServerConfig::new("pop.example.org");
/// config.apop = true;
/// config.sasl = vec![Mechanism::Plain, Mechanism::CramMd5];
/// config.stls = true;
/// config.expire = Some("NEVER".into());
/// config.limits.max_errors = 5;
/// config.autologout = Duration::from_secs(15 * 60);
/// assert!(config.user_pass && config.plaintext_needs_tls);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's host name: the domain of the APOP timestamp and
    /// CRAM-MD5 challenge, and the first word of the `QUIT` answer.
    pub hostname: String,
    /// The text of the `+OK` greeting, before the APOP timestamp.
    /// Default `"POP3 server ready"`.
    pub greeting: String,
    /// Offer `USER`/`PASS` (RFC 1939 section 7). Default `true`.
    pub user_pass: bool,
    /// Offer `APOP` (RFC 1939 section 7): the greeting carries a timestamp
    /// once the session has a nonce
    /// ([`Server::set_nonce`](super::Server::set_nonce)). Default `false`.
    pub apop: bool,
    /// SASL mechanisms offered with `AUTH` (RFC 5034). Empty (the default):
    /// no `AUTH`. `CRAM-MD5` is offered only once the session has a nonce.
    pub sasl: Vec<Mechanism>,
    /// Offer `STLS` (RFC 2595) until TLS is up. Default `false`: the
    /// application must be able to run a TLS handshake.
    pub stls: bool,
    /// The connection is TLS from its start (port 995): `STLS` is not
    /// offered. Default `false`.
    pub implicit_tls: bool,
    /// Passwords in the clear (`USER`/`PASS`, SASL `PLAIN`, `LOGIN` and
    /// `XOAUTH2`) only over TLS (RFC 2595 section 2.1): before TLS they
    /// are not advertised and are answered
    /// `-ERR [AUTH] Plaintext authentication disallowed without TLS`.
    /// `APOP` and `CRAM-MD5` stay available. Default `true`.
    pub plaintext_needs_tls: bool,
    /// Offer and accept `UTF8` (RFC 6856). Default `false`.
    pub utf8: bool,
    /// Advertise `PIPELINING` (RFC 2449 section 6.6). Commands are always
    /// answered in order, whether or not it is advertised. Default `true`.
    pub pipelining: bool,
    /// Advertise `AUTH-RESP-CODE` (RFC 3206 section 6): the server uses
    /// the `[AUTH]` and `[SYS/...]` codes. Default `true`.
    pub auth_resp_code: bool,
    /// The `EXPIRE` capability's argument (RFC 2449 section 6.7), as
    /// `"NEVER"`, `"30"` or `"0 USER"`; `None` (the default): not
    /// advertised. The application keeps the promise.
    pub expire: Option<String>,
    /// The `LOGIN-DELAY` capability's seconds (RFC 2449 section 6.5);
    /// `None` (the default): not advertised. The application enforces it
    /// by refusing early logins with `[LOGIN-DELAY]`.
    pub login_delay: Option<u32>,
    /// The `IMPLEMENTATION` capability's text (RFC 2449 section 6.9);
    /// `None` (the default): not advertised.
    pub implementation: Option<String>,
    /// Size and count bounds.
    pub limits: ServerLimits,
    /// Bare LF ending a command line: [`BarePolicy::Accept`] (the default)
    /// takes it as a line end, as many POP3 servers do for hand-typed
    /// sessions; [`BarePolicy::Reject`] answers `-ERR`.
    pub bare_lf: BarePolicy,
    /// Bare CR in a command line. Default [`BarePolicy::Reject`].
    pub bare_cr: BarePolicy,
    /// The inactivity autologout timer (RFC 1939 section 3: at least 10
    /// minutes). On expiry the session closes without entering UPDATE.
    /// Default 10 minutes.
    pub autologout: Duration,
}

impl ServerConfig {
    /// The defaults, for a server called `hostname`.
    ///
    /// ```
    /// use mailwire_pop3::server::ServerConfig;
    /// let config = ServerConfig::new("pop.example.org");
    /// assert_eq!(config.greeting, "POP3 server ready");
    /// assert_eq!(config.limits.max_command_line, 255);
    /// assert_eq!(config.autologout.as_secs(), 600);
    /// ```
    #[must_use]
    pub fn new(hostname: impl Into<String>) -> Self {
        Self {
            hostname: hostname.into(),
            greeting: "POP3 server ready".into(),
            user_pass: true,
            apop: false,
            sasl: Vec::new(),
            stls: false,
            implicit_tls: false,
            plaintext_needs_tls: true,
            utf8: false,
            pipelining: true,
            auth_resp_code: true,
            expire: None,
            login_delay: None,
            implementation: None,
            limits: ServerLimits::default(),
            bare_lf: BarePolicy::Accept,
            bare_cr: BarePolicy::Reject,
            autologout: Duration::from_secs(10 * 60),
        }
    }
}

/// The bounds of a session.
///
/// ```
/// use mailwire_pop3::server::ServerLimits;
/// let limits = ServerLimits::default();
/// assert_eq!(limits.max_command_line, 255);
/// assert_eq!(limits.max_sasl_line, 12288);
/// assert_eq!((limits.max_errors, limits.max_auth_failures), (10, 3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ServerLimits {
    /// Longest command line, CRLF included (RFC 2449 section 4: 255).
    /// Longer lines are answered `-ERR` and skipped. Default 255.
    pub max_command_line: usize,
    /// Longest line of an `AUTH` exchange after the command (a base64
    /// client response, CRLF included). Default 12288.
    pub max_sasl_line: usize,
    /// Bad commands (unknown, malformed, too long, or in the wrong state)
    /// before the server answers `-ERR too many errors` and closes;
    /// 0: no limit. Default 10.
    pub max_errors: usize,
    /// Refused logins before the server closes after the refusal;
    /// 0: no limit. Default 3.
    pub max_auth_failures: usize,
    /// Most bytes of received input held at once (commands not yet
    /// processed); raised to `max_command_line` and `max_sasl_line` if
    /// below. Default 16 KiB.
    pub receive_buffer: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_command_line: 255,
            max_sasl_line: 12288,
            max_errors: 10,
            max_auth_failures: 3,
            receive_buffer: 16 * 1024,
        }
    }
}

/// A SASL mechanism the server can run (RFC 5034), with the helpers of
/// [`mailwire_core::sasl`].
///
/// ```
/// use mailwire_pop3::server::Mechanism;
/// assert_eq!(Mechanism::CramMd5.as_str(), "CRAM-MD5");
/// assert_eq!(Mechanism::from_name("plain"), Some(Mechanism::Plain));
/// assert!(Mechanism::Login.is_plaintext() && !Mechanism::CramMd5.is_plaintext());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `PLAIN` (RFC 4616).
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login): user name, then password.
    Login,
    /// `XOAUTH2`: an OAuth 2.0 bearer token.
    XOAuth2,
    /// `CRAM-MD5` (RFC 2195): a keyed digest of the server's challenge.
    CramMd5,
}

impl Mechanism {
    /// The mechanism's name as advertised.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::XOAuth2 => "XOAUTH2",
            Self::CramMd5 => "CRAM-MD5",
        }
    }

    /// The mechanism of that name (case-insensitive), if known.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Plain, Self::Login, Self::XOAuth2, Self::CramMd5]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether the client sends its secret in the clear (everything but
    /// `CRAM-MD5`).
    #[must_use]
    pub const fn is_plaintext(self) -> bool {
        !matches!(self, Self::CramMd5)
    }
}
