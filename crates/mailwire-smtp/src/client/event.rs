//! What the client hands the application: events, reports and errors.

use core::fmt;

use crate::encode::EncodeError;
use crate::parse::ReplyError;
use crate::types::{Mechanism, Reply};

/// Names one transaction queued with [`Client::send`](super::Client::send)
/// or [`Client::send_stream`](super::Client::send_stream); ids count up
/// from 0 in the order of queueing.
///
/// ```
/// use mailwire_smtp::client::TransactionId;
/// assert_eq!(TransactionId(3).to_string(), "#3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId(pub u64);

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Something the application must act on or may want to know, from
/// [`Client::poll_event`](super::Client::poll_event).
///
/// ```
/// use mailwire_smtp::client::{Client, Config, Event, Tls};
///
/// let mut config = Config::new("client.example");
/// config.tls = Tls::Never;
/// let mut client = Client::new(config)?;
/// client.handle_input(b"554 go away\r\n");
/// assert!(matches!(client.poll_event(), Some(Event::Failed(_))));
/// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server accepted `STARTTLS`: run the TLS handshake on the
    /// connection now, then call
    /// [`Client::tls_established`](super::Client::tls_established). Every
    /// byte received before the handshake has been discarded.
    StartTls,
    /// Authentication succeeded with this mechanism.
    Authenticated {
        /// The mechanism used.
        mechanism: Mechanism<'static>,
    },
    /// The session is set up (greeting, `EHLO`, TLS, AUTH done):
    /// [`Client::capabilities`](super::Client::capabilities) tells what the
    /// server offers, and queued transactions start.
    Ready,
    /// The server answered one `RCPT TO`.
    Recipient {
        /// The transaction.
        transaction: TransactionId,
        /// The recipient's index in the envelope.
        index: usize,
        /// The reply: positive (2yz) when the recipient was accepted.
        reply: Reply<'static>,
    },
    /// A streamed message may take (more) bytes: call
    /// [`Client::write_message`](super::Client::write_message) until it
    /// takes less than offered, then wait for this event again; call
    /// [`Client::end_message`](super::Client::end_message) after the last
    /// byte.
    MessageWanted {
        /// The transaction.
        transaction: TransactionId,
    },
    /// A transaction ended, well or not.
    TransactionDone(TransactionReport),
    /// The session failed; [`Event::Closed`] follows once the client is
    /// done (after `QUIT` when the session is still in step).
    Failed(ClientError),
    /// The session is over: close the connection. `reply` is the server's
    /// last word (`221` after `QUIT`, or a `421`), if any.
    Closed {
        /// The `221` or `421` reply, if there was one.
        reply: Option<Reply<'static>>,
    },
}

/// The outcome of one transaction.
///
/// Partial success is success: the message went to the
/// [`accepted`](Self::accepted) recipients and not to the
/// [`rejected`](Self::rejected) ones.
///
/// ```
/// use mailwire_smtp::client::{Event, TransactionReport};
///
/// fn log(event: &Event) {
///     if let Event::TransactionDone(report) = event {
///         for &i in &report.accepted {
///             println!("{}: recipient {i} accepted", report.transaction);
///         }
///         for (i, reply) in &report.rejected {
///             println!("{}: recipient {i} refused: {}", report.transaction, reply.text());
///         }
///         match &report.result {
///             Ok(reply) => println!("queued: {}", reply.text()),
///             Err(error) => println!("not sent: {error}"),
///         }
///     }
/// }
/// # let _ = log;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransactionReport {
    /// The transaction.
    pub transaction: TransactionId,
    /// Indices of the recipients the server accepted, in order.
    pub accepted: Vec<usize>,
    /// Indices of the recipients the server refused, with its replies.
    pub rejected: Vec<(usize, Reply<'static>)>,
    /// LMTP only: the delivery reply for each accepted recipient (RFC 2033
    /// section 4.2), in order.
    pub deliveries: Vec<(usize, Reply<'static>)>,
    /// The server's positive reply to the end of the data (for LMTP the
    /// first positive delivery reply), or why the message was not taken.
    pub result: Result<Reply<'static>, TransactionError>,
}

impl TransactionReport {
    /// Whether the server took the message for at least one recipient.
    ///
    /// ```
    /// use mailwire_smtp::client::TransactionReport;
    ///
    /// fn retry_later(report: &TransactionReport) -> bool {
    ///     !report.is_success()
    /// }
    /// # let _ = retry_later;
    /// ```
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.result.is_ok()
    }
}

/// Why a transaction failed; the session goes on (except for
/// [`SessionClosed`](Self::SessionClosed)).
///
/// ```
/// use mailwire_smtp::client::TransactionError;
/// assert_eq!(
///     TransactionError::Needs8BitMime.to_string(),
///     "the message has 8-bit data and the server does not offer 8BITMIME (RFC 6152)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// The server refused `MAIL FROM`.
    #[error("sender refused: {}", .0.text())]
    Sender(Reply<'static>),
    /// The server refused every recipient (see the report's `rejected`).
    #[error("every recipient was refused")]
    NoRecipients,
    /// The server refused `DATA` (or a `BDAT` chunk).
    #[error("data refused: {}", .0.text())]
    Data(Reply<'static>),
    /// The server refused the message after receiving it.
    #[error("message refused: {}", .0.text())]
    Message(Reply<'static>),
    /// The message holds 8-bit octets and the server lacks `8BITMIME`.
    #[error("the message has 8-bit data and the server does not offer 8BITMIME (RFC 6152)")]
    Needs8BitMime,
    /// An address is not ASCII (or `SMTPUTF8` was asked for) and the
    /// server lacks `SMTPUTF8`.
    #[error("the envelope needs SMTPUTF8 and the server does not offer it (RFC 6531)")]
    NeedsSmtpUtf8,
    /// `BODY=BINARYMIME` was asked for and the server lacks `BINARYMIME`
    /// or `CHUNKING` (or chunking is not configured).
    #[error("BODY=BINARYMIME needs BINARYMIME and CHUNKING (RFC 3030)")]
    NeedsBinaryMime,
    /// `REQUIRETLS` was asked for and the server lacks it (RFC 8689).
    #[error("REQUIRETLS was asked for and the server does not offer it (RFC 8689)")]
    RequireTlsUnsupported,
    /// DSN parameters were given, the server lacks `DSN` and the
    /// configuration says to fail.
    #[error("DSN parameters given and the server does not offer DSN (RFC 3461)")]
    DsnUnsupported,
    /// The message is larger than the server's `SIZE` (RFC 1870).
    #[error("message of {size} octets exceeds the server's limit of {limit}")]
    TooLarge {
        /// The message size.
        size: u64,
        /// The server's announced limit.
        limit: u64,
    },
    /// The envelope could not be written for this server.
    #[error("envelope cannot be encoded: {0}")]
    Encode(EncodeError),
    /// The session ended before the transaction did.
    #[error("the session ended before the transaction completed")]
    SessionClosed,
}

/// Why the session failed.
///
/// ```
/// use mailwire_smtp::client::ClientError;
/// assert_eq!(
///     ClientError::TlsUnavailable.to_string(),
///     "TLS is required and the server does not offer STARTTLS"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The greeting was not `220` (RFC 5321 section 3.1: often `554`).
    #[error("server refused the session: {} {}", .0.code(), .0.text())]
    Rejected(Reply<'static>),
    /// `EHLO`/`HELO`/`LHLO` was refused.
    #[error("greeting command refused: {} {}", .0.code(), .0.text())]
    Hello(Reply<'static>),
    /// TLS is required and the server does not offer `STARTTLS`.
    #[error("TLS is required and the server does not offer STARTTLS")]
    TlsUnavailable,
    /// TLS is required and the server refused `STARTTLS`.
    #[error("STARTTLS refused: {} {}", .0.code(), .0.text())]
    StartTls(Reply<'static>),
    /// Credentials are set and no mechanism both sides allow is left.
    #[error("no SASL mechanism both the server and the configuration allow")]
    NoAuthMechanism,
    /// The credentials cannot be written in the chosen mechanism (a NUL in
    /// a `PLAIN` user name or password, `^A` in `XOAUTH2`).
    #[error("the credentials hold a character the SASL mechanism cannot carry")]
    BadCredentials,
    /// Authentication failed (`535` and the like).
    #[error("authentication failed: {} {}", .0.code(), .0.text())]
    Auth(Reply<'static>),
    /// The server's bytes are not a valid reply, or a reply broke a limit.
    #[error("bad reply from the server: {0}")]
    Protocol(ReplyError),
    /// A reply came when none was expected (or during the message data).
    #[error("unexpected reply from the server: {} {}", .0.code(), .0.text())]
    UnexpectedReply(Reply<'static>),
    /// No reply (or no progress sending data) in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// The connection closed before the session was over.
    #[error("the connection closed unexpectedly")]
    ConnectionLost,
}

/// Why [`Client::send`](super::Client::send) refused a transaction.
///
/// ```
/// use mailwire_smtp::client::{Client, Config, Envelope, SendError};
///
/// let mut client = Client::new(Config::new("c.example"))?;
/// let envelope = Envelope::from_addresses("a@example.org", &[])?;
/// assert_eq!(client.send(&envelope, "Hi\r\n").unwrap_err(), SendError::NoRecipients);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The envelope has no recipient.
    #[error("the envelope has no recipient")]
    NoRecipients,
    /// A command of the envelope cannot be written (CR, LF or NUL in a
    /// parameter, and the like).
    #[error("envelope cannot be encoded: {0}")]
    Encode(#[from] EncodeError),
    /// The session is closed or quitting.
    #[error("the session is closed")]
    Closed,
}
