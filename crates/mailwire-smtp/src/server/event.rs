//! What a [`Server`](super::Server) tells the application.

use bytes::Bytes;

use crate::parse::CommandError;
use crate::sasl::{Credentials, SaslError};
use crate::types::{
    ClientId, Command, ForwardPath, MailParams, Mechanism, RcptParams, ReversePath,
};

/// Something the application must know or decide, from
/// [`Server::poll_event`](super::Server::poll_event).
///
/// Four events wait for a decision, and the server answers no later
/// command until it has it: [`Mail`](Self::Mail),
/// [`Recipient`](Self::Recipient), [`MessageEnd`](Self::MessageEnd) and
/// [`Auth`](Self::Auth). [`StartTls`](Self::StartTls) waits for
/// [`tls_established`](super::Server::tls_established). The others only
/// inform.
///
/// Events own their data without copying it: the command line of `Mail`,
/// `Recipient` and `Hello` is kept as [`Bytes`] sharing the receive buffer,
/// and the parsed values are read from it on demand (a parse of one short
/// line, which allocates nothing), so no address is copied unless the
/// application keeps one (`into_owned`). Message data comes as `Bytes`
/// slices of the receive buffer.
///
/// ```
/// use mailwire_smtp::server::Event;
/// let event = Event::Data(bytes::Bytes::from_static(b"Subject: hi\r\n"));
/// assert!(matches!(event, Event::Data(ref chunk) if chunk.starts_with(b"Subject")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The client greeted with `EHLO`, `HELO` or `LHLO` (answered already).
    /// Any transaction in progress was aborted first.
    Hello(Hello),
    /// `MAIL FROM`: answer with
    /// [`accept_sender`](super::Server::accept_sender) or
    /// [`reject_sender`](super::Server::reject_sender).
    Mail(MailFrom),
    /// `RCPT TO`: answer with
    /// [`accept_recipient`](super::Server::accept_recipient) or
    /// [`reject_recipient`](super::Server::reject_recipient).
    Recipient(RcptTo),
    /// The next piece of the message: dot-unstuffed (`DATA`) or as sent
    /// (`BDAT`), a slice of the receive buffer. The end-of-data line never
    /// appears in it.
    Data(Bytes),
    /// The whole message arrived: answer with
    /// [`accept_message`](super::Server::accept_message) or
    /// [`reject_message`](super::Server::reject_message) (in LMTP mode,
    /// or per recipient with
    /// [`accept_message_for`](super::Server::accept_message_for) /
    /// [`reject_message_for`](super::Server::reject_message_for)).
    MessageEnd(MessageEnd),
    /// The transaction the application was told about (an accepted
    /// sender) ended without a message: forget its envelope and data.
    TransactionAborted(AbortReason),
    /// `STARTTLS` was answered `220`: run the TLS handshake on the
    /// connection now (after sending the output), then call
    /// [`tls_established`](super::Server::tls_established). Input received
    /// in plain text after the command was discarded.
    StartTls,
    /// The client authenticated: check the credentials and answer with
    /// [`accept_auth`](super::Server::accept_auth) or
    /// [`reject_auth`](super::Server::reject_auth).
    Auth(AuthRequest),
    /// The client broke the protocol; the server answered it (and counted
    /// an error). For logs.
    ProtocolError(ProtocolError),
    /// The server closed the session: send the output left, then close the
    /// connection. Nothing follows.
    Closed(CloseReason),
}

/// Re-parses a line that parsed when its event was made.
fn reparse(line: &[u8]) -> Command<'_> {
    match Command::parse(line) {
        Ok(command) => command,
        Err(_) => unreachable!("the line parsed when the event was made"),
    }
}

/// The greeting command ([`Event::Hello`]).
///
/// ```
/// use mailwire_smtp::server::{Hello, HelloKind};
/// let hello = Hello::from_line("EHLO client.example.org".into()).unwrap();
/// assert_eq!(hello.kind(), HelloKind::Ehlo);
/// assert_eq!(hello.client().as_str(), "client.example.org");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    line: Bytes,
    kind: HelloKind,
}

/// Which greeting a client used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HelloKind {
    /// `HELO`: plain SMTP, no extensions.
    Helo,
    /// `EHLO`: extended SMTP.
    Ehlo,
    /// `LHLO`: LMTP.
    Lhlo,
}

impl Hello {
    /// The event for a greeting command line (without CRLF); `None` if the
    /// line is not one.
    #[must_use]
    pub fn from_line(line: Bytes) -> Option<Self> {
        let kind = match Command::parse(&line).ok()? {
            Command::Helo { .. } => HelloKind::Helo,
            Command::Ehlo { .. } => HelloKind::Ehlo,
            Command::Lhlo { .. } => HelloKind::Lhlo,
            _ => return None,
        };
        Some(Self { line, kind })
    }

    /// The greeting used.
    #[must_use]
    pub fn kind(&self) -> HelloKind {
        self.kind
    }

    /// Who the client says it is.
    #[must_use]
    pub fn client(&self) -> ClientId<'_> {
        match reparse(&self.line) {
            Command::Helo { client } | Command::Ehlo { client } | Command::Lhlo { client } => {
                client
            }
            _ => unreachable!("a greeting line"),
        }
    }

    /// The command line as received, without its ending.
    #[must_use]
    pub fn line(&self) -> &Bytes {
        &self.line
    }
}

/// `MAIL FROM` ([`Event::Mail`]): the sender and the parameters, read
/// from the command line.
///
/// ```
/// use mailwire_smtp::server::MailFrom;
/// use mailwire_smtp::types::Body;
///
/// let mail = MailFrom::from_line("MAIL FROM:<joe@example.org> BODY=8BITMIME".into()).unwrap();
/// assert_eq!(mail.reverse_path().to_string(), "<joe@example.org>");
/// assert_eq!(mail.params().body, Some(Body::EightBitMime));
/// // Keep the address beyond the event:
/// let sender = mail.reverse_path().into_owned();
/// # let _ = sender;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFrom {
    line: Bytes,
}

impl MailFrom {
    /// The event for a `MAIL` command line (without CRLF); `None` if the
    /// line is not one.
    #[must_use]
    pub fn from_line(line: Bytes) -> Option<Self> {
        matches!(Command::parse(&line), Ok(Command::Mail { .. })).then_some(Self { line })
    }

    /// For a line the server parsed as `MAIL` already.
    pub(crate) fn from_line_unchecked(line: Bytes) -> Self {
        Self { line }
    }

    /// The sender, or `<>`.
    #[must_use]
    pub fn reverse_path(&self) -> ReversePath<'_> {
        match reparse(&self.line) {
            Command::Mail { reverse_path, .. } => reverse_path,
            _ => unreachable!("a MAIL line"),
        }
    }

    /// The ESMTP parameters (`SIZE`, `BODY`, `SMTPUTF8`, DSN, ...).
    #[must_use]
    pub fn params(&self) -> MailParams<'_> {
        match reparse(&self.line) {
            Command::Mail { params, .. } => params,
            _ => unreachable!("a MAIL line"),
        }
    }

    /// The command line as received, without its ending.
    #[must_use]
    pub fn line(&self) -> &Bytes {
        &self.line
    }
}

/// `RCPT TO` ([`Event::Recipient`]): the recipient and the parameters,
/// read from the command line.
///
/// ```
/// use mailwire_smtp::server::RcptTo;
/// let rcpt = RcptTo::from_line("RCPT TO:<Postmaster>".into()).unwrap();
/// assert_eq!(rcpt.forward_path().to_string(), "<Postmaster>");
/// assert!(rcpt.params().notify.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcptTo {
    line: Bytes,
}

impl RcptTo {
    /// The event for a `RCPT` command line (without CRLF); `None` if the
    /// line is not one.
    #[must_use]
    pub fn from_line(line: Bytes) -> Option<Self> {
        matches!(Command::parse(&line), Ok(Command::Rcpt { .. })).then_some(Self { line })
    }

    /// For a line the server parsed as `RCPT` already.
    pub(crate) fn from_line_unchecked(line: Bytes) -> Self {
        Self { line }
    }

    /// The recipient.
    #[must_use]
    pub fn forward_path(&self) -> ForwardPath<'_> {
        match reparse(&self.line) {
            Command::Rcpt { forward_path, .. } => forward_path,
            _ => unreachable!("a RCPT line"),
        }
    }

    /// The ESMTP parameters (`NOTIFY`, `ORCPT`, ...).
    #[must_use]
    pub fn params(&self) -> RcptParams<'_> {
        match reparse(&self.line) {
            Command::Rcpt { params, .. } => params,
            _ => unreachable!("a RCPT line"),
        }
    }

    /// The command line as received, without its ending.
    #[must_use]
    pub fn line(&self) -> &Bytes {
        &self.line
    }
}

/// The end of a message ([`Event::MessageEnd`]).
///
/// ```
/// use mailwire_smtp::server::MessageEnd;
/// let end = MessageEnd { size: 120, recipients: 2, chunked: false };
/// assert_eq!(end.recipients, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageEnd {
    /// Message bytes handed out in [`Event::Data`].
    pub size: u64,
    /// Accepted recipients. In LMTP mode, one reply is due for each, in
    /// the order they were accepted: index `0..recipients` in
    /// [`accept_message_for`](super::Server::accept_message_for).
    pub recipients: usize,
    /// Sent with `BDAT` (true) or `DATA` (false).
    pub chunked: bool,
}

/// `AUTH` credentials to check ([`Event::Auth`]). Secrets are redacted in
/// `Debug`.
///
/// ```
/// use mailwire_smtp::sasl::{Credentials, Secret};
/// use mailwire_smtp::server::AuthRequest;
/// use mailwire_smtp::types::Mechanism;
///
/// let request = AuthRequest {
///     mechanism: Mechanism::Plain,
///     credentials: Credentials::Password {
///         authzid: None,
///         username: "tim".into(),
///         password: Secret::from("tanstaaftanstaaf".to_owned()),
///     },
/// };
/// assert!(!format!("{request:?}").contains("tanstaaf"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// The mechanism used.
    pub mechanism: Mechanism<'static>,
    /// What the client presented.
    pub credentials: Credentials,
}

/// Why a transaction ended without a message
/// ([`Event::TransactionAborted`]).
///
/// ```
/// use mailwire_smtp::server::AbortReason;
/// assert_ne!(AbortReason::Reset, AbortReason::MessageTooBig);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AbortReason {
    /// `RSET`.
    Reset,
    /// A new `EHLO`/`HELO`/`LHLO`.
    Hello,
    /// The message grew past `limits.max_message_size` (answered
    /// `552 5.3.4`).
    MessageTooBig,
    /// The message held a bare CR or LF refused by the policy (answered
    /// `550 5.6.0`).
    BareLineEnding,
    /// A `BDAT` chunk was refused; the client must start again.
    ChunkRefused,
    /// The session closed.
    Closed,
}

/// How the client broke the protocol ([`Event::ProtocolError`]).
///
/// ```
/// use mailwire_smtp::server::ProtocolError;
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
    /// A command out of sequence, or not available now.
    #[error("{command} out of sequence or not available")]
    BadSequence {
        /// The command verb.
        command: &'static str,
    },
    /// A `MAIL` or `RCPT` parameter not offered or not known.
    #[error("unsupported MAIL/RCPT parameter")]
    UnsupportedParameter,
    /// Input sent ahead of time (see
    /// [`PipeliningPolicy`](super::PipeliningPolicy)).
    #[error("input sent before the reply to {after}")]
    Pipelining {
        /// What the client should have waited for: `"greeting"` or a
        /// command verb.
        after: &'static str,
    },
    /// Bytes sent in plain text after `STARTTLS`, discarded.
    #[error("{discarded} bytes sent after STARTTLS, discarded")]
    InputAfterStartTls {
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
/// use mailwire_smtp::server::AuthFailure;
/// assert_eq!(AuthFailure::Cancelled.to_string(), "cancelled by the client");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The client sent `*` (`501 5.0.0`).
    #[error("cancelled by the client")]
    Cancelled,
    /// The response did not decode or parse (`501 5.5.2`).
    #[error("{0}")]
    Malformed(SaslError),
    /// A response line over 12288 octets (`500 5.5.6`).
    #[error("response line too long")]
    LineTooLong,
    /// The application refused the credentials.
    #[error("credentials refused")]
    Refused,
}

/// Why the session closed ([`Event::Closed`]).
///
/// ```
/// use mailwire_smtp::server::CloseReason;
/// assert_ne!(CloseReason::Quit, CloseReason::Timeout);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// `QUIT` (`221`).
    Quit,
    /// `limits.max_errors` reached (`421 4.7.0`).
    TooManyErrors,
    /// The client (or the application's decision) took too long
    /// (`421 4.4.2`).
    Timeout,
    /// Input sent ahead of time under [`PipeliningPolicy::Disconnect`](super::PipeliningPolicy::Disconnect)
    /// (`554 5.5.0`).
    Pipelining,
    /// The application called [`Server::close`](super::Server::close).
    Application,
}

/// A decision or notice the server was not waiting for (the application
/// called, say, [`accept_sender`](super::Server::accept_sender) with no
/// [`Event::Mail`] pending).
///
/// ```
/// use std::sync::Arc;
/// use std::time::Instant;
/// use mailwire_smtp::server::{Server, ServerConfig};
///
/// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), Instant::now());
/// let err = server.accept_sender().unwrap_err();
/// assert_eq!(err.to_string(), "no sender decision is pending");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("no {expected} is pending")]
pub struct DecisionError {
    pub(crate) expected: &'static str,
}
