//! What a [`Server`](super::Server) offers and how strict it is.

use std::time::Duration;

use mailwire_core::{BarePolicy, Limits};

use crate::types::Mechanism;

/// The configuration of a server, shared by its sessions (wrap it in an
/// [`Arc`](std::sync::Arc)).
///
/// Build one with [`ServerConfig::new`] and change the public fields:
///
/// ```
/// use std::time::Duration;
/// use mailwire_smtp::server::{PipeliningPolicy, ServerConfig};
/// use mailwire_smtp::types::Mechanism;
///
/// let mut config = ServerConfig::new("mx.example.org");
/// config.limits.max_message_size = 25 * 1024 * 1024;
/// config.limits.max_recipients = 50;
/// config.extensions.starttls = true;
/// config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
/// config.auth_requires_tls = true;
/// config.pipelining = PipeliningPolicy::Reject;
/// config.timeouts.command = Duration::from_secs(60);
/// assert_eq!(config.greeting, "ESMTP");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's host name, first word of the greeting and of the EHLO
    /// reply.
    pub hostname: String,
    /// The text after the host name in the `220` greeting. Default
    /// `"ESMTP"` (`"LMTP"` in LMTP mode).
    pub greeting: String,
    /// Speak LMTP (RFC 2033): `LHLO` instead of `EHLO`/`HELO`, and one
    /// reply per accepted recipient after the message. Default `false`.
    pub lmtp: bool,
    /// Buffer and count bounds. Used here: `max_command_line` (the command
    /// line, CRLF included; `AUTH` lines may reach 12288 octets as RFC 4954
    /// section 4 asks), `max_message_size` (announced as `SIZE`, checked at
    /// `MAIL` and while the message arrives), `max_literal_size` (largest
    /// single `BDAT` chunk), `max_recipients` (`452 4.5.3` past it) and
    /// `max_errors` (`421 4.7.0` and close when reached).
    pub limits: Limits,
    /// Bare LF (an LF without CR before it) in command lines and message
    /// data. Default [`BarePolicy::Reject`]: a command line ending in a
    /// bare LF is answered `500 5.5.2`, a message holding one is refused
    /// with `550 5.6.0` after its end (as Postfix's
    /// `smtpd_forbid_bare_newline = reject`). Whatever the policy, the
    /// message data ends only at `CRLF.CRLF`.
    pub bare_lf: BarePolicy,
    /// Bare CR (a CR not followed by LF), as [`bare_lf`](Self::bare_lf).
    /// Default [`BarePolicy::Reject`].
    pub bare_cr: BarePolicy,
    /// The service extensions offered in the EHLO reply.
    pub extensions: Extensions,
    /// SASL mechanisms offered with `AUTH` (RFC 4954), of
    /// [`Mechanism::Plain`], [`Mechanism::Login`], [`Mechanism::XOAuth2`]
    /// and [`Mechanism::CramMd5`] (others are ignored). Empty (the
    /// default): no `AUTH`. `CRAM-MD5` is offered only once the session has
    /// a challenge nonce ([`Server::set_cram_md5_nonce`](super::Server::set_cram_md5_nonce)).
    pub auth_mechanisms: Vec<Mechanism<'static>>,
    /// Offer and accept `AUTH` only over TLS (after `STARTTLS`, or with
    /// [`implicit_tls`](Self::implicit_tls)); before that `AUTH` is answered
    /// `538 5.7.11`. Default `true`.
    pub auth_requires_tls: bool,
    /// `MAIL` needs a successful `AUTH` first (`530 5.7.0` otherwise), as a
    /// submission server wants. Default `false`.
    pub auth_required: bool,
    /// The connection is TLS from its start (port 465): `STARTTLS` is not
    /// offered. Default `false`.
    pub implicit_tls: bool,
    /// What to do with input sent ahead of time (RFC 2920 section 3.1).
    pub pipelining: PipeliningPolicy,
    /// How long to wait for the client (RFC 5321 section 4.5.3.2).
    pub timeouts: Timeouts,
    /// Most bytes of received input held at once (commands waiting to be
    /// processed, message data not yet handed out). Raised to 12288 (the
    /// longest `AUTH` line) or `limits.max_command_line` if below them.
    /// Message data waiting in [`Event::Data`](super::Event::Data) events
    /// not yet polled is bounded by the same amount. Default 64 KiB.
    pub receive_buffer: usize,
}

impl ServerConfig {
    /// The defaults, for a server called `hostname`.
    ///
    /// ```
    /// use mailwire_smtp::server::ServerConfig;
    /// let config = ServerConfig::new("mx.example.org");
    /// assert!(config.extensions.pipelining && config.extensions.chunking);
    /// assert!(!config.extensions.starttls && config.auth_mechanisms.is_empty());
    /// ```
    #[must_use]
    pub fn new(hostname: impl Into<String>) -> Self {
        Self {
            hostname: hostname.into(),
            greeting: "ESMTP".into(),
            lmtp: false,
            limits: Limits::DEFAULT,
            bare_lf: BarePolicy::Reject,
            bare_cr: BarePolicy::Reject,
            extensions: Extensions::default(),
            auth_mechanisms: Vec::new(),
            auth_requires_tls: true,
            auth_required: false,
            implicit_tls: false,
            pipelining: PipeliningPolicy::default(),
            timeouts: Timeouts::default(),
            receive_buffer: 64 * 1024,
        }
    }

    /// The defaults for an LMTP server (RFC 2033) called `hostname`.
    ///
    /// ```
    /// use mailwire_smtp::server::ServerConfig;
    /// let config = ServerConfig::lmtp("lmtp.example.org");
    /// assert!(config.lmtp);
    /// assert_eq!(config.greeting, "LMTP");
    /// ```
    #[must_use]
    pub fn lmtp(hostname: impl Into<String>) -> Self {
        Self {
            lmtp: true,
            greeting: "LMTP".into(),
            ..Self::new(hostname)
        }
    }
}

/// The service extensions a server offers in its EHLO reply. Each one off
/// also refuses the parameters that belong to it (`555 5.5.4`).
///
/// ```
/// use mailwire_smtp::server::Extensions;
/// let ext = Extensions::default();
/// assert!(ext.pipelining && ext.eight_bit_mime && ext.smtputf8 && ext.size);
/// assert!(!ext.dsn && !ext.starttls && !ext.requiretls);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Extensions {
    /// `PIPELINING` (RFC 2920). Default on.
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152): `BODY=8BITMIME`. Default on.
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531): UTF-8 addresses with the `SMTPUTF8`
    /// parameter. Default on.
    pub smtputf8: bool,
    /// `CHUNKING` (RFC 3030): `BDAT`. Default on.
    pub chunking: bool,
    /// `BINARYMIME` (RFC 3030): `BODY=BINARYMIME`, offered only with
    /// `CHUNKING`. Default on.
    pub binary_mime: bool,
    /// `DSN` (RFC 3461): `RET`, `ENVID`, `NOTIFY`, `ORCPT`. Default off:
    /// the application must then produce the notifications.
    pub dsn: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034). Off: replies go out without
    /// their status codes. Default on.
    pub enhanced_status_codes: bool,
    /// `SIZE` (RFC 1870) with `limits.max_message_size`. Default on.
    pub size: bool,
    /// `STARTTLS` (RFC 3207), offered until TLS is up. Default off: the
    /// application must be able to run a TLS handshake.
    pub starttls: bool,
    /// `REQUIRETLS` (RFC 8689), offered once TLS is up. Default off.
    pub requiretls: bool,
}

impl Default for Extensions {
    fn default() -> Self {
        Self {
            pipelining: true,
            eight_bit_mime: true,
            smtputf8: true,
            chunking: true,
            binary_mime: true,
            dsn: false,
            enhanced_status_codes: true,
            size: true,
            starttls: false,
            requiretls: false,
        }
    }
}

/// How long the server waits for the client before it answers
/// `421 4.4.2` and closes.
///
/// Defaults from RFC 5321 section 4.5.3.2.
///
/// ```
/// use std::time::Duration;
/// use mailwire_smtp::server::Timeouts;
/// let t = Timeouts::default();
/// assert_eq!(t.command, Duration::from_secs(300));
/// assert_eq!(t.data_block, Duration::from_secs(180));
/// assert_eq!(t.data_termination, Duration::from_secs(600));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timeouts {
    /// Waiting for the next command (and for each line of an `AUTH`
    /// exchange), and for the application's decision on a command: the
    /// client waits as long for the reply (RFC 5321 section 4.5.3.2.7,
    /// "server timeout"). Default 5 minutes.
    pub command: Duration,
    /// Waiting for the next block of message data (`DATA` or a `BDAT`
    /// chunk) (section 4.5.3.2.5 seen from the server). Default 3 minutes.
    pub data_block: Duration,
    /// After the end of the message, waiting for the application's
    /// decision: the client gives up after as long (section 4.5.3.2.6,
    /// "DATA termination"). Default 10 minutes.
    pub data_termination: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            command: Duration::from_secs(5 * 60),
            data_block: Duration::from_secs(3 * 60),
            data_termination: Duration::from_secs(10 * 60),
        }
    }
}

/// What to do when the client sends input it may not send yet (RFC 2920
/// section 3.1, and Postfix's `smtpd_forbid_unauth_pipelining` /
/// `reject_unauth_pipelining`).
///
/// Input is "ahead of time" when it arrives before the server's greeting
/// was taken by [`poll_output`](super::Server::poll_output), or after a
/// command that must end a group (`EHLO`, `HELO`, `LHLO`, `DATA`, `VRFY`,
/// `EXPN`, `NOOP`, `HELP`, `AUTH` and each line of its exchange) before the
/// reply to that command was taken; and, when the client cannot know that
/// pipelining is allowed (not offered, or no `EHLO` yet), after any command
/// but `QUIT`. Input after `STARTTLS` is always discarded, whatever the
/// policy (RFC 3207 section 4.2).
///
/// ```
/// use mailwire_smtp::server::PipeliningPolicy;
/// assert_eq!(PipeliningPolicy::default(), PipeliningPolicy::Disconnect);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PipeliningPolicy {
    /// No check.
    Allow,
    /// Answer the command sent ahead of time (or the first command of the
    /// input that arrived ahead of time) with
    /// `503 5.5.0 Improper use of SMTP command pipelining` instead of
    /// running it, and count an error.
    Reject,
    /// Answer `554 5.5.0 Error: SMTP protocol synchronization` and close.
    /// The default, as in Postfix 3.9.
    #[default]
    Disconnect,
}
