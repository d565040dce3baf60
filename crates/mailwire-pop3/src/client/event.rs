//! What the client hands the application: events, command ids and errors.

use core::fmt;

use bytes::Bytes;

use crate::encode::EncodeError;
use crate::parse::ReadError;
use crate::types::{Capabilities, Response, ScanListing};

/// Names one command queued with a [`Client`](super::Client) method
/// (`capa`, `retr`, ...); ids count up from 0 in the order of queueing.
/// Every event about a command carries its id.
///
/// ```
/// use mailwire_pop3::client::CommandId;
/// assert_eq!(CommandId(3).to_string(), "#3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub u64);

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Something the application must act on or may want to know, from
/// [`Client::poll_event`](super::Client::poll_event).
///
/// Every queued command ends with exactly one of: its result event
/// ([`Capabilities`](Self::Capabilities), [`StartTls`](Self::StartTls),
/// [`LoggedIn`](Self::LoggedIn), [`Stat`](Self::Stat), the `last`
/// [`Listing`](Self::Listing) / [`UniqueIds`](Self::UniqueIds),
/// [`MessageEnd`](Self::MessageEnd), [`Deleted`](Self::Deleted),
/// [`Done`](Self::Done), [`Closed`](Self::Closed) for `QUIT`),
/// [`Error`](Self::Error) or [`Cancelled`](Self::Cancelled).
///
/// ```
/// use mailwire_pop3::client::{Client, Config, Event};
///
/// let mut client = Client::new(Config::default());
/// let _ = client.handle_input(b"+OK POP3 ready <1.2@example.org>\r\n");
/// let Some(Event::Greeting { response }) = client.poll_event() else { panic!() };
/// assert_eq!(response.text(), "POP3 ready <1.2@example.org>");
/// assert_eq!(client.apop_timestamp(), Some("<1.2@example.org>"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server's `+OK` greeting (its APOP timestamp, if any, is kept:
    /// [`Client::apop_timestamp`](super::Client::apop_timestamp)).
    Greeting {
        /// The greeting line.
        response: Response<'static>,
    },
    /// The answer to `CAPA`. The client keeps a copy
    /// ([`Client::capabilities`](super::Client::capabilities)) and
    /// pipelines when it holds `PIPELINING`.
    Capabilities {
        /// The command.
        id: CommandId,
        /// What the server announced.
        capabilities: Capabilities,
    },
    /// The server accepted `STLS`: run the TLS handshake on the
    /// connection now, then call
    /// [`Client::tls_established`](super::Client::tls_established). The
    /// client writes nothing until then.
    StartTls {
        /// The command.
        id: CommandId,
    },
    /// `USER`/`PASS`, `APOP` or `AUTH` succeeded: the session is in the
    /// TRANSACTION state.
    LoggedIn {
        /// The command.
        id: CommandId,
        /// The server's `+OK` line.
        response: Response<'static>,
    },
    /// The answer to `STAT`: the drop listing.
    Stat {
        /// The command.
        id: CommandId,
        /// The number of messages.
        count: u32,
        /// Their total size in octets.
        size: u64,
    },
    /// Scan listings answering `LIST`, in batches of at most
    /// [`Config::listing_batch`](super::Config::listing_batch) entries so
    /// that a huge maildrop does not grow memory without bound. The last
    /// batch (possibly empty) has `last` set. `LIST msg` gives one batch
    /// of one entry.
    Listing {
        /// The command.
        id: CommandId,
        /// The entries of this batch.
        entries: Vec<ScanListing>,
        /// Whether this is the end of the answer.
        last: bool,
    },
    /// Unique-id listings answering `UIDL`, batched like
    /// [`Listing`](Self::Listing): message number and unique id.
    UniqueIds {
        /// The command.
        id: CommandId,
        /// The entries of this batch.
        entries: Vec<(u32, String)>,
        /// Whether this is the end of the answer.
        last: bool,
    },
    /// `RETR` or `TOP` succeeded: the message follows as
    /// [`MessageData`](Self::MessageData) chunks, then
    /// [`MessageEnd`](Self::MessageEnd).
    MessageStart {
        /// The command.
        id: CommandId,
        /// The message number.
        msg: u32,
    },
    /// Message bytes, dot-unstuffed, in order; the chunks share the
    /// receive buffer (no copy). Concatenated, they are the message
    /// exactly as the server stores it (CRLF line endings).
    MessageData {
        /// The command.
        id: CommandId,
        /// The bytes.
        data: Bytes,
    },
    /// The body grew past
    /// [`Config::max_message_size`](super::Config::max_message_size):
    /// the rest is dropped (read and discarded) up to the real end,
    /// which still comes as [`MessageEnd`](Self::MessageEnd).
    MessageTruncated {
        /// The command.
        id: CommandId,
    },
    /// The end of a message.
    MessageEnd {
        /// The command.
        id: CommandId,
    },
    /// `DELE` succeeded: the message is marked deleted.
    Deleted {
        /// The command.
        id: CommandId,
        /// The message number.
        msg: u32,
    },
    /// `NOOP`, `RSET` or `UTF8` succeeded.
    Done {
        /// The command.
        id: CommandId,
        /// The server's `+OK` line.
        response: Response<'static>,
    },
    /// The server answered `-ERR` (with its extended code, if any). The
    /// session goes on. After a failed login, commands queued for the
    /// TRANSACTION state are [`Cancelled`](Self::Cancelled).
    Error {
        /// The command.
        id: CommandId,
        /// The `-ERR` line.
        response: Response<'static>,
    },
    /// The command was never answered: a login before it failed, or the
    /// session ended.
    Cancelled {
        /// The command.
        id: CommandId,
    },
    /// The server did not answer within
    /// [`Config::timeout`](super::Config::timeout);
    /// [`Closed`](Self::Closed) follows.
    Timeout,
    /// The session failed: the server broke the protocol or the
    /// connection was lost. [`Closed`](Self::Closed) follows.
    Failed(ClientError),
    /// The session is over: close the connection. `response` is the
    /// answer to `QUIT` (a `-ERR` there means some deletions were not
    /// done, RFC 1939 section 6), or the `-ERR` greeting, if any.
    Closed {
        /// The server's last line, if any.
        response: Option<Response<'static>>,
    },
}

/// Why a session failed ([`Event::Failed`]).
///
/// ```
/// use mailwire_pop3::client::{Client, ClientError, Config, Event};
///
/// let mut client = Client::new(Config::default());
/// let _ = client.handle_input(b"* OK IMAP4rev1 ready\r\n");
/// assert!(matches!(client.poll_event(), Some(Event::Failed(ClientError::Protocol(_)))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A line from the server is not a response, or is too long.
    #[error("server broke the protocol: {0}")]
    Protocol(#[from] ReadError),
    /// The greeting was `-ERR`.
    #[error("server refused the session: {}", .0.text())]
    Refused(Response<'static>),
    /// The server answered when no command was waiting, sent a SASL
    /// challenge outside `AUTH`, or a line of an answer that does not
    /// parse (a bad scan listing or drop listing).
    #[error("unexpected answer from the server: {0}")]
    Unexpected(&'static str),
    /// A line of a `CAPA`, `LIST` or `UIDL` answer is longer than
    /// [`Config::max_listing_line`](super::Config::max_listing_line).
    #[error("listing line longer than {max} octets")]
    ListingLineTooLong {
        /// The limit.
        max: usize,
    },
    /// The server (or someone in the middle) sent bytes after the `+OK`
    /// to `STLS` and before the TLS handshake. They are discarded
    /// unread, and the session ends: this is a command injection attack
    /// (RFC 2595 section 4, CVE-2011-0411 for SMTP).
    #[error("{discarded} bytes received after STLS and before TLS")]
    StlsInjection {
        /// How many bytes were discarded.
        discarded: usize,
    },
    /// The connection ended before the session did.
    #[error("connection lost")]
    ConnectionLost,
}

/// A command asked for at the wrong time or with arguments that cannot be
/// sent: a mistake in the application, reported instead of sent.
///
/// ```
/// use mailwire_pop3::client::{Client, Config, UsageError};
///
/// let mut client = Client::new(Config::default());
/// // STAT needs a login first (RFC 1939 section 5).
/// assert_eq!(client.stat().unwrap_err(), UsageError::WrongState("STAT"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The command is not allowed in the state the session will be in
    /// when it is sent (AUTHORIZATION: `USER`, `APOP`, `AUTH`, `STLS`,
    /// `UTF8`; TRANSACTION: `STAT`, `LIST`, `UIDL`, `RETR`, `TOP`,
    /// `DELE`, `RSET`, `NOOP`; `CAPA` and `QUIT` in both).
    #[error("{0} is not allowed in this state")]
    WrongState(&'static str),
    /// `APOP` needs the greeting's timestamp: the greeting has not been
    /// read yet, or had none.
    #[error("no APOP timestamp in the greeting")]
    NoApopTimestamp,
    /// `STLS` on a connection that is already under TLS (or asked for
    /// twice).
    #[error("TLS is already active")]
    TlsActive,
    /// `QUIT` was queued, or the session is over.
    #[error("the session is closing")]
    Closed,
    /// An argument cannot be sent (CR, LF, NUL, a space in a user name, an
    /// empty password, ...).
    #[error("invalid argument: {0}")]
    Invalid(#[from] EncodeError),
}
