//! What the client machine reports to the application.

use core::num::NonZeroU32;

use bytes::Bytes;

use crate::parse::ResponseLimits;
use crate::types::{Code, Response, StatusKind, StreamedItem};

/// Names one queued command; every id gets exactly one completion:
/// [`Event::Done`] or [`Event::Aborted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub u64);

/// The bytes of one complete server response (literals included), kept
/// so that the parsed view can borrow them.
///
/// ```
/// use mailwire_imap::client::RawResponse;
/// use mailwire_imap::types::{Data, Response};
/// let raw = RawResponse::from_static(b"* 3 EXISTS\r\n");
/// assert_eq!(raw.parse(), Some(Response::Data(Data::Exists(3))));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RawResponse(pub(crate) Bytes);

impl RawResponse {
    /// Wraps bytes (for tests and replay).
    #[must_use]
    pub fn from_static(bytes: &'static [u8]) -> Self {
        Self(Bytes::from_static(bytes))
    }

    /// The wire bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The parsed response, borrowing these bytes. `None` only when the
    /// client was configured with limits above
    /// [`ResponseLimits::DEFAULT`] and the response exceeds the default.
    #[must_use]
    pub fn parse(&self) -> Option<Response<'_>> {
        Response::parse_with_limits(&self.0, &ResponseLimits::DEFAULT)
            .ok()
            .map(|(r, _)| r)
    }
}

impl RawResponse {
    /// The response code of a status response or continuation
    /// (`[READ-WRITE]`, `[APPENDUID ...]`, ...), if any.
    ///
    /// ```
    /// use mailwire_imap::client::RawResponse;
    /// use mailwire_imap::types::Code;
    /// let raw = RawResponse::from_static(b"a1 OK [READ-WRITE] SELECT completed\r\n");
    /// assert_eq!(raw.code(), Some(Code::ReadWrite));
    /// ```
    #[must_use]
    pub fn code(&self) -> Option<Code<'_>> {
        match self.parse()? {
            Response::Status(s) => s.code,
            Response::Continuation(c) => c.code,
            Response::Data(_) => None,
        }
    }
}

impl core::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RawResponse({:?})", String::from_utf8_lossy(&self.0))
    }
}

/// Why the session or a command failed, as reported in
/// [`Event::Error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The first response was not an untagged OK, PREAUTH or BYE.
    #[error("bad greeting")]
    BadGreeting,
    /// A response broke the grammar or a limit (it was skipped).
    #[error("malformed response: {0}")]
    Malformed(String),
    /// A tagged response for no command in flight.
    #[error("tagged response for unknown tag {0:?}")]
    UnknownTag(String),
    /// A `+` continuation no command was waiting for.
    #[error("unexpected continuation request")]
    UnexpectedContinuation,
    /// Bytes arrived after the STARTTLS OK and before the TLS handshake
    /// (a response injection, CVE-2011-0411 style): the session is closed.
    #[error("bytes received before the TLS handshake")]
    StartTlsInjection,
    /// A non-streamed response outgrew the receive buffer.
    #[error("response larger than the receive buffer")]
    BufferFull,
}

/// What the application must act on; see [`Client::poll_event`](super::Client::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The greeting: `OK` (not authenticated), `PREAUTH` (authenticated)
    /// or `BYE` (the server refuses the session).
    Greeting {
        /// `Ok`, `PreAuth` or `Bye`.
        kind: StatusKind,
        /// The whole response (capabilities may be in its code).
        response: RawResponse,
    },
    /// Untagged data or an untagged `OK`/`NO`/`BAD` (EXISTS, EXPUNGE,
    /// FETCH without streamed literal, LIST, STATUS, SEARCH, ESEARCH,
    /// FLAGS, CAPABILITY, ...), delivered as it arrives.
    Untagged(RawResponse),
    /// A FETCH whose message data streams: [`FetchChunk`](Self::FetchChunk)s
    /// follow, then another `FetchLiteral` of the same FETCH or
    /// [`FetchEnd`](Self::FetchEnd).
    FetchLiteral {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The UID, when it came before the literal.
        uid: Option<NonZeroU32>,
        /// The item the literal is (`BODY[...]`, `BINARY[...]`, ...).
        item: StreamedItem<'static>,
        /// The announced size.
        size: u64,
    },
    /// The next octets of the streamed literal.
    FetchChunk(Bytes),
    /// The streamed FETCH is complete.
    FetchEnd {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The UID, when it came after the last literal.
        uid: Option<NonZeroU32>,
    },
    /// The server accepted IDLE (`+ idling`): untagged updates follow as
    /// events until [`Client::idle_done`](super::Client::idle_done).
    Idling {
        /// The IDLE command.
        id: CommandId,
    },
    /// The server wants the APPEND message octets: call
    /// [`Client::append_data`](super::Client::append_data).
    AppendReady {
        /// The APPEND command.
        id: CommandId,
    },
    /// STARTTLS succeeded: do the TLS handshake, then call
    /// [`Client::tls_established`](super::Client::tls_established).
    StartTls,
    /// A command completed (tagged `OK`/`NO`/`BAD`).
    Done {
        /// The command.
        id: CommandId,
        /// `Ok`, `No` or `Bad`.
        status: StatusKind,
        /// The text after the code.
        text: String,
        /// The whole response (for the response code).
        response: RawResponse,
    },
    /// A command never completed: the session closed first.
    Aborted {
        /// The command.
        id: CommandId,
    },
    /// Untagged `BYE`: the server is closing the connection.
    Bye(RawResponse),
    /// A protocol error; fatal ones close the session.
    Error(ProtocolError),
    /// No progress within [`ClientConfig::timeout`](super::ClientConfig::timeout).
    TimedOut,
    /// The session is over: close the connection.
    Closed,
}
