//! What a [`Server`](super::Server) tells the application.

use mailwire_core::sasl::{Credentials, SaslError, Secret};

use super::Mechanism;
use crate::parse::CommandError;
use crate::types::apop_digest;

/// Something the application must know or decide, from
/// [`Server::poll_event`](super::Server::poll_event).
///
/// Five events wait for the application, and the server answers no later
/// command until it has acted: [`Login`](Self::Login),
/// [`Apop`](Self::Apop) and [`Auth`](Self::Auth) (answer with
/// [`accept_login`](super::Server::accept_login) or
/// [`reject_login`](super::Server::reject_login)),
/// [`Retrieve`](Self::Retrieve) (stream the message with
/// [`send_message`](super::Server::send_message) and
/// [`end_message`](super::Server::end_message), or
/// [`reject_retrieve`](super::Server::reject_retrieve)), and
/// [`Update`](Self::Update) (remove the messages, then
/// [`update_done`](super::Server::update_done) or
/// [`update_failed`](super::Server::update_failed)).
/// [`StartTls`](Self::StartTls) waits for
/// [`tls_established`](super::Server::tls_established). The others only
/// inform.
///
/// ```
/// use mailwire_pop3::server::{Event, Retrieve};
/// let event = Event::Retrieve(Retrieve { msg: 2, top: Some(0), size: 120 });
/// assert!(matches!(event, Event::Retrieve(r) if r.index() == 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `USER` then `PASS`: check the password.
    Login(Login),
    /// `APOP`: check the digest with [`Apop::verify`].
    Apop(Apop),
    /// A SASL exchange (`AUTH`, RFC 5034) ended with credentials to check.
    Auth(AuthRequest),
    /// `RETR` or `TOP` of a message that exists and is not deleted: stream
    /// it whole (the server cuts it for `TOP`).
    Retrieve(Retrieve),
    /// `QUIT` in the TRANSACTION state: the session enters UPDATE. Remove
    /// the messages marked deleted, then answer. This is the only way
    /// deletions reach the application: a session that ends otherwise
    /// (connection lost, timeout, [`close`](super::Server::close)) deletes
    /// nothing (RFC 1939 section 6).
    Update(Update),
    /// `STLS` was answered `+OK`: send the output, run the TLS handshake,
    /// then call [`tls_established`](super::Server::tls_established).
    /// Input received in plain text after the command was discarded.
    StartTls,
    /// The client broke the protocol; the server answered it (and counted
    /// it). For logs.
    ProtocolError(ProtocolError),
    /// The session is over: send the output left, then close the
    /// connection. Nothing follows.
    Closed(CloseReason),
}

/// `USER` and `PASS` ([`Event::Login`]). The password is redacted in
/// `Debug`.
///
/// ```
/// use mailwire_pop3::server::Login;
/// let login = Login { user: "mrose".into(), password: String::from("tanstaaf").into() };
/// assert_eq!(login.password.expose(), "tanstaaf");
/// assert!(!format!("{login:?}").contains("tanstaaf"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The name given with `USER`.
    pub user: String,
    /// The password given with `PASS` (it may hold spaces).
    pub password: Secret,
}

/// `APOP` ([`Event::Apop`]).
///
/// ```
/// use mailwire_pop3::server::Apop;
/// // RFC 1939 section 7.
/// let apop = Apop {
///     user: "mrose".into(),
///     digest: "c4c9334bac560ecc979e58001b3e22fb".into(),
///     timestamp: "<1896.697170952@dbc.mtview.ca.us>".into(),
/// };
/// assert!(apop.verify("tanstaaf"));
/// assert!(!apop.verify("wrong"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apop {
    /// The mailbox name.
    pub user: String,
    /// The client's digest, 32 hexadecimal digits.
    pub digest: String,
    /// The greeting's timestamp the digest covers, angle brackets
    /// included.
    pub timestamp: String,
}

impl Apop {
    /// Whether the digest is the MD5 of the timestamp and `secret`
    /// ([`apop_digest`]); hexadecimal case is ignored, and the comparison
    /// takes the same time wherever the digests differ.
    #[must_use]
    pub fn verify(&self, secret: &str) -> bool {
        let expected = apop_digest(&self.timestamp, secret);
        expected.len() == self.digest.len()
            && expected
                .bytes()
                .zip(self.digest.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b.to_ascii_lowercase()))
                == 0
    }
}

/// SASL credentials to check ([`Event::Auth`]). Secrets are redacted in
/// `Debug`; a `CRAM-MD5` response is checked with
/// [`CramMd5Response::verify`](mailwire_core::sasl::CramMd5Response::verify).
///
/// ```
/// use mailwire_core::sasl::Credentials;
/// use mailwire_pop3::server::{AuthRequest, Mechanism};
/// let request = AuthRequest {
///     mechanism: Mechanism::Plain,
///     credentials: Credentials::Password {
///         authzid: None,
///         username: "test".into(),
///         password: String::from("test").into(),
///     },
/// };
/// assert_eq!(request.credentials.username(), "test");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// The mechanism used.
    pub mechanism: Mechanism,
    /// What the client presented.
    pub credentials: Credentials,
}

/// `RETR msg` or `TOP msg lines` ([`Event::Retrieve`]).
///
/// ```
/// use mailwire_pop3::server::Retrieve;
/// let retr = Retrieve { msg: 1, top: None, size: 120 };
/// assert_eq!(retr.index(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Retrieve {
    /// The message number, from 1.
    pub msg: u32,
    /// `TOP`'s number of body lines; `None` for `RETR`. The application
    /// streams the whole message either way: the server sends the header,
    /// the blank line and this many body lines, and stops asking for data
    /// ([`wants_message_data`](super::Server::wants_message_data)).
    pub top: Option<u32>,
    /// The size given in the [`Maildrop`](super::Maildrop).
    pub size: u64,
}

impl Retrieve {
    /// The message's index in the list given to
    /// [`Maildrop::new`](super::Maildrop::new): `msg - 1`.
    #[must_use]
    pub fn index(&self) -> usize {
        (self.msg as usize).saturating_sub(1)
    }
}

/// The end of a session with `QUIT` ([`Event::Update`]).
///
/// ```
/// use mailwire_pop3::server::Update;
/// let update = Update { deleted: vec![1, 2] };
/// assert_eq!(update.indices().collect::<Vec<_>>(), [0, 1]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Update {
    /// The numbers (from 1) of the messages marked deleted, ascending.
    /// May be empty: the application still releases the maildrop.
    pub deleted: Vec<u32>,
}

impl Update {
    /// The indices of the deleted messages in the list given to
    /// [`Maildrop::new`](super::Maildrop::new).
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.deleted
            .iter()
            .map(|&msg| (msg as usize).saturating_sub(1))
    }
}

/// How the client broke the protocol ([`Event::ProtocolError`]).
///
/// ```
/// use mailwire_pop3::server::ProtocolError;
/// assert!(ProtocolError::LineTooLong.to_string().contains("too long"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A command that did not parse.
    #[error("bad command: {0}")]
    Syntax(CommandError),
    /// A command line over the limit.
    #[error("command line too long")]
    LineTooLong,
    /// A command line with a bare CR or LF, refused by the policy.
    #[error("bare CR or LF in a command line")]
    BareLineEnding,
    /// A command not valid in the session's state, or not offered.
    #[error("{command} not valid now")]
    BadState {
        /// The command keyword.
        command: &'static str,
    },
    /// Bytes sent in plain text after `STLS`, discarded.
    #[error("{discarded} bytes sent after STLS, discarded")]
    InputAfterStls {
        /// How many.
        discarded: usize,
    },
    /// A bad line in an `AUTH` exchange, or the client cancelled it.
    #[error("AUTH exchange failed: {0}")]
    Auth(AuthFailure),
}

/// Why an `AUTH` exchange ended without credentials.
///
/// ```
/// use mailwire_pop3::server::AuthFailure;
/// assert_eq!(AuthFailure::Cancelled.to_string(), "cancelled by the client");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The client sent `*`.
    #[error("cancelled by the client")]
    Cancelled,
    /// The response did not decode or parse.
    #[error("{0}")]
    Malformed(SaslError),
    /// A response line over `limits.max_sasl_line`.
    #[error("response line too long")]
    LineTooLong,
}

/// Why the session closed ([`Event::Closed`]).
///
/// ```
/// use mailwire_pop3::server::CloseReason;
/// assert_ne!(CloseReason::Quit, CloseReason::Timeout);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// `QUIT` (after the update, in the TRANSACTION state).
    Quit,
    /// `limits.max_errors` reached.
    TooManyErrors,
    /// `limits.max_auth_failures` reached.
    TooManyAuthFailures,
    /// The autologout timer expired (no update).
    Timeout,
    /// A retrieval failed after part of the message was sent
    /// ([`reject_retrieve`](super::Server::reject_retrieve)): the
    /// response cannot be completed, so the connection must close.
    RetrieveFailed,
    /// The application called [`Server::close`](super::Server::close).
    Application,
}

/// A decision the server was not waiting for (the application called, say,
/// [`accept_login`](super::Server::accept_login) with no login pending).
///
/// ```
/// use std::sync::Arc;
/// use std::time::Instant;
/// use mailwire_pop3::server::{Maildrop, Server, ServerConfig};
///
/// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
/// let err = server.accept_login(Maildrop::default()).unwrap_err();
/// assert_eq!(err.to_string(), "no login decision is pending");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("no {expected} is pending")]
pub struct DecisionError {
    pub(crate) expected: &'static str,
}
