//! What the application decides before the session starts.

use core::fmt;
use core::time::Duration;

use crate::parse::ReplyLimits;
use crate::types::Mechanism;

/// Whether and how the session is protected by TLS.
///
/// ```
/// use mailwire_smtp::client::{Config, Tls};
///
/// let mut config = Config::new("client.example.org");
/// assert_eq!(config.tls, Tls::Required);
/// config.tls = Tls::Opportunistic;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Tls {
    /// Use `STARTTLS` (RFC 3207); fail the session if the server does not
    /// offer it or refuses it. The default.
    #[default]
    Required,
    /// Use `STARTTLS` when offered; go on in clear text when it is not
    /// offered or the server refuses it (`454`).
    Opportunistic,
    /// Never use `STARTTLS`.
    Never,
    /// The connection is already TLS (SMTPS, RFC 8314 implicit TLS, port
    /// 465): no `STARTTLS`, and the session counts as protected.
    Implicit,
}

/// What to do with DSN parameters (RFC 3461: `RET`, `ENVID`, `NOTIFY`,
/// `ORCPT`) when the server does not offer `DSN`.
///
/// ```
/// use mailwire_smtp::client::{Config, DsnFallback};
/// assert_eq!(Config::new("c.example").dsn_fallback, DsnFallback::Drop);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DsnFallback {
    /// Send the message without them. The default.
    #[default]
    Drop,
    /// Fail the transaction with
    /// [`TransactionError::DsnUnsupported`](super::TransactionError::DsnUnsupported).
    Fail,
}

/// Credentials for SMTP AUTH (RFC 4954). Their [`Debug`](fmt::Debug)
/// hides the secret.
///
/// ```
/// use mailwire_smtp::client::Credentials;
///
/// let creds = Credentials::password("tim", "tanstaaftanstaaf");
/// assert_eq!(format!("{creds:?}"), r#"Password { username: "tim", password: <redacted> }"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// A user name and password: for `PLAIN` (RFC 4616), `LOGIN` and
    /// `CRAM-MD5` (RFC 2195).
    Password {
        /// The authentication identity.
        username: String,
        /// The password.
        password: String,
    },
    /// A user name and an OAuth 2.0 bearer token: for `XOAUTH2`.
    OAuth2 {
        /// The user's address.
        username: String,
        /// The access token.
        token: String,
    },
}

impl Credentials {
    /// A user name and password.
    ///
    /// ```
    /// let creds = mailwire_smtp::client::Credentials::password("joe", "secret");
    /// # let _ = creds;
    /// ```
    #[must_use]
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Password {
            username: username.into(),
            password: password.into(),
        }
    }

    /// A user name and OAuth 2.0 access token.
    ///
    /// ```
    /// let creds = mailwire_smtp::client::Credentials::oauth2("joe@example.org", "ya29.token");
    /// assert!(!format!("{creds:?}").contains("ya29"));
    /// ```
    #[must_use]
    pub fn oauth2(username: impl Into<String>, token: impl Into<String>) -> Self {
        Self::OAuth2 {
            username: username.into(),
            token: token.into(),
        }
    }

    /// The user name.
    ///
    /// ```
    /// let creds = mailwire_smtp::client::Credentials::password("joe", "secret");
    /// assert_eq!(creds.username(), "joe");
    /// ```
    #[must_use]
    pub fn username(&self) -> &str {
        match self {
            Self::Password { username, .. } | Self::OAuth2 { username, .. } => username,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
        match self {
            Self::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &Redacted)
                .finish(),
            Self::OAuth2 { username, .. } => f
                .debug_struct("OAuth2")
                .field("username", username)
                .field("token", &Redacted)
                .finish(),
        }
    }
}

/// How long the client waits, after RFC 5321 section 4.5.3.2.
///
/// ```
/// use core::time::Duration;
/// use mailwire_smtp::client::Timeouts;
///
/// assert_eq!(Timeouts::RFC5321.data_end, Duration::from_secs(600));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timeouts {
    /// The `220` greeting: 5 minutes.
    pub greeting: Duration,
    /// The reply to `MAIL`: 5 minutes.
    pub mail: Duration,
    /// The reply to each `RCPT`: 5 minutes.
    pub rcpt: Duration,
    /// The `354` to `DATA`: 2 minutes.
    pub data_init: Duration,
    /// Each block of message data handed out for sending (and each `BDAT`
    /// chunk's reply): 3 minutes.
    pub data_block: Duration,
    /// The reply after the final `.` or `BDAT ... LAST`: 10 minutes.
    pub data_end: Duration,
    /// Every other command (`EHLO`, `STARTTLS`, `AUTH`, `RSET`, `QUIT`):
    /// 5 minutes.
    pub command: Duration,
}

impl Timeouts {
    /// The values RFC 5321 section 4.5.3.2 recommends.
    pub const RFC5321: Self = Self {
        greeting: Duration::from_secs(300),
        mail: Duration::from_secs(300),
        rcpt: Duration::from_secs(300),
        data_init: Duration::from_secs(120),
        data_block: Duration::from_secs(180),
        data_end: Duration::from_secs(600),
        command: Duration::from_secs(300),
    };
}

impl Default for Timeouts {
    fn default() -> Self {
        Self::RFC5321
    }
}

/// The client's configuration.
///
/// ```
/// use mailwire_smtp::client::{Config, Credentials, Tls};
///
/// let mut config = Config::new("client.example.org");
/// config.tls = Tls::Opportunistic;
/// config.credentials = Some(Credentials::password("joe", "secret"));
/// config.chunking = true;
/// assert!(config.pipelining);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The name given in `EHLO`/`HELO`/`LHLO`: the client's domain or an
    /// address literal such as `[192.0.2.1]`.
    pub client_id: String,
    /// Speak LMTP (RFC 2033): `LHLO`, and one reply per recipient after
    /// the data.
    pub lmtp: bool,
    /// `STARTTLS` policy. Default [`Tls::Required`].
    pub tls: Tls,
    /// Authenticate with these, if set. The session fails when no
    /// mechanism both sides allow is left.
    pub credentials: Option<Credentials>,
    /// The SASL mechanisms the application allows. The client picks the
    /// strongest one the server offers: `CRAM-MD5`, then `PLAIN`, then
    /// `LOGIN` for a password, `XOAUTH2` for a token. Default: all four.
    pub mechanisms: Vec<Mechanism<'static>>,
    /// Allow mechanisms that send the password in clear (`PLAIN`, `LOGIN`,
    /// `XOAUTH2`) on a connection without TLS. Default `false`.
    pub allow_plaintext_auth: bool,
    /// Use `PIPELINING` (RFC 2920) when offered. Default `true`.
    pub pipelining: bool,
    /// Use `BDAT` (RFC 3030 `CHUNKING`) instead of `DATA` when offered.
    /// Default `false`. Needed for `BODY=BINARYMIME`.
    pub chunking: bool,
    /// What to do with DSN parameters the server cannot take.
    pub dsn_fallback: DsnFallback,
    /// How long to wait for each reply.
    pub timeouts: Timeouts,
    /// Bounds on the server's replies.
    pub reply_limits: ReplyLimits,
    /// Size of the blocks the message is cut into for output (and the
    /// size of `BDAT` chunks). Default 64 KiB.
    pub block_size: usize,
    /// Most bytes of message data held in the client's output: a streamed
    /// message's before [`Client::write_message`](super::Client::write_message)
    /// takes no more, and the pipelined `BDAT` chunks in flight
    /// (`max_buffered / block_size` of them, at least one). Default 256 KiB.
    pub max_buffered: usize,
}

impl Config {
    /// The defaults, with `client_id` as the name given in `EHLO`.
    ///
    /// ```
    /// let config = mailwire_smtp::client::Config::new("[192.0.2.1]");
    /// assert_eq!(config.block_size, 64 * 1024);
    /// ```
    #[must_use]
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            lmtp: false,
            tls: Tls::Required,
            credentials: None,
            mechanisms: vec![
                Mechanism::CramMd5,
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::XOAuth2,
            ],
            allow_plaintext_auth: false,
            pipelining: true,
            chunking: false,
            dsn_fallback: DsnFallback::Drop,
            timeouts: Timeouts::RFC5321,
            reply_limits: ReplyLimits::DEFAULT,
            block_size: 64 * 1024,
            max_buffered: 256 * 1024,
        }
    }
}
