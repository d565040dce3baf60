//! The sans-IO SMTP (and LMTP) client: a state machine that reads the
//! server's bytes and the application's requests and says what to send.
//!
//! The [`Client`] never touches a socket or a clock. The application
//! moves bytes and time in and out:
//!
//! | direction | call |
//! |---|---|
//! | server bytes in | [`Client::handle_input`] |
//! | connection ended | [`Client::connection_closed`] |
//! | time in | [`Client::handle_timeout`] (also the clock the deadlines count from) |
//! | requests in | [`Client::send`], [`Client::send_stream`] + [`Client::write_message`] / [`Client::end_message`], [`Client::quit`] |
//! | TLS done | [`Client::tls_established`], after [`Event::StartTls`] |
//! | bytes out | [`Client::poll_transmit`] (one `Bytes` at a time) or [`Client::poll_output`] (appended to a buffer) |
//! | events out | [`Client::poll_event`] |
//! | next deadline | [`Client::poll_timeout`] |
//!
//! # Call order
//!
//! 1. Connect, make the client with [`Client::new`], and give it the time
//!    with [`handle_timeout(Instant::now())`](Client::handle_timeout).
//!    Queue transactions with [`send`](Client::send) whenever you like;
//!    they run in order once the session is set up.
//! 2. Loop:
//!    - pass received bytes to [`handle_input`](Client::handle_input)
//!      (and the time to [`handle_timeout`](Client::handle_timeout) when
//!      [`poll_timeout`](Client::poll_timeout)'s deadline passes, and
//!      before `handle_input` so that new deadlines count from now);
//!    - drain [`poll_event`](Client::poll_event) and act on each event
//!      ([`Event::StartTls`]: run the handshake, then
//!      [`tls_established`](Client::tls_established));
//!    - drain [`poll_transmit`](Client::poll_transmit) /
//!      [`poll_output`](Client::poll_output) and write the bytes; message
//!      data is produced block by block as you drain, so memory stays
//!      bounded whatever the message size. Handing out output can raise
//!      [`Event::MessageWanted`], so poll events again after it;
//!    - stop after [`Event::Closed`] and close the connection.
//!
//! The events are the same however the server's bytes are split between
//! calls to `handle_input`: replies are matched to commands in the order
//! the client committed to send them, so a reply to message data not yet
//! handed out makes the client produce that data first (bounded by the
//! message already given; a streamed message cannot be answered early,
//! and such a reply fails the session).
//!
//! # What it does
//!
//! - Reads the `220` greeting (anything else fails the session, then
//!   `QUIT`), sends `EHLO` (`LHLO` for LMTP) and falls back to `HELO` on a
//!   5yz (RFC 5321 section 4.1.4).
//! - `STARTTLS` (RFC 3207) per [`Tls`]: after the `220` it asks the
//!   application for the handshake ([`Event::StartTls`]), discards every
//!   byte received before it, sends `EHLO` again and forgets the old
//!   capabilities.
//! - AUTH (RFC 4954) with `CRAM-MD5`, `PLAIN`, `LOGIN` or `XOAUTH2`,
//!   picking the strongest both sides allow; no mechanism sending the
//!   secret in clear without TLS unless [`Config::allow_plaintext_auth`].
//! - Transactions: `SIZE`, `BODY=8BITMIME`, `SMTPUTF8` set from what the
//!   message holds and the server offers (or the transaction fails with a
//!   clear [`TransactionError`]); DSN parameters only when `DSN` is
//!   offered; `MAIL`, every `RCPT` and `DATA` in one group with
//!   `PIPELINING` (RFC 2920); a reply per recipient ([`Event::Recipient`])
//!   and a report per transaction ([`Event::TransactionDone`]) where
//!   partial success is success; `RSET` only after a transaction that was
//!   left open; `BDAT` with `CHUNKING` when configured (RFC 3030).
//! - `DATA` bodies are dot-stuffed with [`DotEncoder`](mailwire_core::dot::DotEncoder),
//!   bare CR and LF become CRLF, and the body always ends with
//!   `CRLF.CRLF`.
//! - A `421` at any time closes the session ([`Event::Closed`]); replies
//!   that break the grammar or the [`ReplyLimits`](crate::parse::ReplyLimits)
//!   fail it, so a flooding server cannot make the client buffer without
//!   bound.
//! - Timeouts of RFC 5321 section 4.5.3.2 ([`Timeouts`]).
//!
//! # Example
//!
//! A whole session against a server whose replies are scripted in memory
//! (RFC 5321 appendix D.1, with `PIPELINING`):
//!
//! ```
//! use std::time::Instant;
//! use bytes::BytesMut;
//! use mailwire_smtp::client::{Client, Config, Envelope, Event, Tls};
//!
//! let mut config = Config::new("bar.com");
//! config.tls = Tls::Never; // a real client keeps the default, Tls::Required
//! let mut client = Client::new(config)?;
//! client.handle_timeout(Instant::now());
//!
//! let envelope = Envelope::from_addresses("Smith@bar.com", &["Jones@foo.com", "Green@foo.com"])?;
//! let id = client.send(&envelope, "Subject: hi\r\n\r\n.signature\r\n")?;
//! client.quit();
//!
//! // What the server says, one read at a time.
//! let server: [&[u8]; 4] = [
//!     b"220 foo.com Simple Mail Transfer Service Ready\r\n",
//!     b"250-foo.com greets bar.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
//!     b"250 OK\r\n250 OK\r\n550 No such user here\r\n354 Go ahead\r\n",
//!     b"250 OK\r\n221 foo.com closing\r\n",
//! ];
//! let mut sent = BytesMut::new();
//! let mut events = Vec::new();
//! for read in server {
//!     client.handle_timeout(Instant::now());
//!     client.handle_input(read);
//!     while client.poll_output(&mut sent) > 0 {} // a real client writes these to the socket
//!     while let Some(event) = client.poll_event() {
//!         events.push(event);
//!     }
//! }
//! assert_eq!(
//!     &sent[..],
//!     &b"EHLO bar.com\r\n\
//!        MAIL FROM:<Smith@bar.com>\r\n\
//!        RCPT TO:<Jones@foo.com>\r\n\
//!        RCPT TO:<Green@foo.com>\r\n\
//!        DATA\r\n\
//!        Subject: hi\r\n\r\n..signature\r\n.\r\n\
//!        QUIT\r\n"[..]
//! );
//! let Some(Event::TransactionDone(report)) =
//!     events.iter().find(|e| matches!(e, Event::TransactionDone(_))).cloned()
//! else { panic!() };
//! assert_eq!(report.transaction, id);
//! assert_eq!(report.accepted, [0]); // Jones got it,
//! assert_eq!(report.rejected[0].0, 1); // Green did not,
//! assert!(report.is_success()); // and that is a success.
//! assert!(matches!(events.last(), Some(Event::Closed { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod body;
mod config;
mod envelope;
mod event;
mod tx;

pub use config::{Config, Credentials, DsnFallback, Timeouts, Tls};
pub use envelope::{Envelope, Recipient};
pub use event::{
    ClientError, Event, SendError, TransactionError, TransactionId, TransactionReport,
};

use std::collections::VecDeque;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use core::time::Duration;
use memchr::memchr;

use crate::encode::EncodeError;
use crate::parse::ReplyError;
use crate::types::{Capabilities, ClientId, Command, InitialResponse, Mechanism, Reply, ReplyCode};
use tx::{Expect, Io, Source, Stage, Step, Tx, TxCaps, TxConfig, line_of};

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Greeting,
    Hello,
    StartTls,
    /// The application runs the TLS handshake; input is discarded.
    TlsHandshake,
    Auth,
    Ready,
    Quitting,
    Closed,
}

/// A sans-IO SMTP or LMTP client session.
///
/// See the [module documentation](self) for the call order and a whole
/// session. Its `Debug` shows the state and buffer sizes, never the
/// credentials or the bytes waiting to be sent.
///
/// ```
/// use mailwire_smtp::client::{Client, Config, Tls};
///
/// let mut config = Config::new("client.example.org");
/// config.tls = Tls::Never;
/// let mut client = Client::new(config)?;
/// client.handle_input(b"220 mx.example.net ESMTP\r\n");
/// assert_eq!(client.poll_transmit().as_deref(), Some(&b"EHLO client.example.org\r\n"[..]));
/// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
/// ```
pub struct Client {
    config: Config,
    tx_config: TxConfig,
    state: State,
    io: Io,
    /// Received bytes not yet part of a whole reply.
    input: BytesMut,
    /// Where the search for the next LF resumes.
    scan: usize,
    /// Start of the line being read.
    line_start: usize,
    /// Complete lines of the reply being read.
    lines: usize,
    /// The last `EHLO` reply (none after `HELO`).
    ehlo: Option<Reply<'static>>,
    caps: TxCaps,
    auth_offered: Vec<Mechanism<'static>>,
    starttls_offered: bool,
    tls_active: bool,
    did_starttls: bool,
    starttls_refused: bool,
    /// The SASL exchange: mechanism and challenges answered.
    auth: Option<(Mechanism<'static>, usize)>,
    current: Option<Tx>,
    queue: VecDeque<Tx>,
    next_id: u64,
    quit_requested: bool,
    quit_sent: bool,
    /// `write_message` took less than offered: say `MessageWanted` when
    /// there is room again.
    blocked: bool,
    clock: Option<Instant>,
    deadline: Option<Instant>,
    /// A wait started before any time was given: anchored at the next
    /// `handle_timeout`.
    unanchored: Option<Duration>,
    waiting_for: &'static str,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("state", &self.state)
            .field("config", &self.config)
            .field("tls_active", &self.tls_active)
            .field("io", &self.io)
            .field("input_bytes", &self.input.len())
            .field("current", &self.current)
            .field("queued", &self.queue.len())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client at the start of a session, waiting for the greeting.
    ///
    /// # Errors
    ///
    /// [`EncodeError`] when [`Config::client_id`] cannot be sent (empty,
    /// white space, control characters).
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// assert!(Client::new(Config::new("client.example.org")).is_ok());
    /// assert!(Client::new(Config::new("bad name\r\nQUIT")).is_err());
    /// ```
    pub fn new(config: Config) -> Result<Self, EncodeError> {
        Command::Ehlo {
            client: ClientId::Other(&config.client_id),
        }
        .encode(&mut Vec::new())?;
        let tx_config = TxConfig {
            pipelining: config.pipelining,
            chunking: config.chunking,
            lmtp: config.lmtp,
            dsn_fallback: config.dsn_fallback,
            block_size: config.block_size.max(1),
            bdat_window: (config.max_buffered / config.block_size.max(1)).max(1),
        };
        let mut io = Io::default();
        io.expect.push_back(Expect::Greeting);
        let mut client = Self {
            tls_active: config.tls == Tls::Implicit,
            config,
            tx_config,
            state: State::Greeting,
            io,
            input: BytesMut::new(),
            scan: 0,
            line_start: 0,
            lines: 0,
            ehlo: None,
            caps: TxCaps::default(),
            auth_offered: Vec::new(),
            starttls_offered: false,
            did_starttls: false,
            starttls_refused: false,
            auth: None,
            current: None,
            queue: VecDeque::new(),
            next_id: 0,
            quit_requested: false,
            quit_sent: false,
            blocked: false,
            clock: None,
            deadline: None,
            unanchored: None,
            waiting_for: "",
        };
        client.rearm();
        Ok(client)
    }

    // ----- application requests -------------------------------------

    /// Queues a transaction sending `message` (the whole RFC 5322
    /// message: header, blank line, body) to `envelope`'s recipients.
    ///
    /// Line endings are normalized to CRLF and the data dot-stuffed as it
    /// is handed out; `SIZE`, `BODY=8BITMIME` and `SMTPUTF8` are added as
    /// the message and the server call for. The result comes as
    /// [`Event::TransactionDone`] with the returned id.
    ///
    /// # Errors
    ///
    /// [`SendError`] for an envelope without recipients or with a value
    /// that cannot be encoded, or after [`quit`](Self::quit).
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config, Envelope, TransactionId};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// let envelope = Envelope::from_addresses("joe@example.org", &["ann@example.net"])?;
    /// assert_eq!(client.send(&envelope, "Subject: hi\r\n\r\nHello\r\n")?, TransactionId(0));
    /// assert_eq!(client.send(&envelope, "Subject: again\r\n\r\nHello\r\n")?, TransactionId(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(
        &mut self,
        envelope: &Envelope<'_>,
        message: impl Into<Bytes>,
    ) -> Result<TransactionId, SendError> {
        let source = Source::Whole {
            data: message.into(),
            pos: 0,
            clean: false,
        };
        self.queue_tx(envelope, source)
    }

    /// Queues a transaction whose message the application writes piece by
    /// piece with [`write_message`](Self::write_message) once
    /// [`Event::MessageWanted`] asks for it, then ends with
    /// [`end_message`](Self::end_message).
    ///
    /// The `MAIL FROM` parameters go out before the data is seen, so give
    /// them in the envelope: `params.body = Some(Body::EightBitMime)` for
    /// 8-bit data (`BinaryMime` for binary with `BDAT`), `params.size`
    /// if known.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config, Envelope};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// let envelope = Envelope::from_addresses("joe@example.org", &["ann@example.net"])?;
    /// let id = client.send_stream(&envelope)?;
    /// // Nothing is taken before the server is ready for the data.
    /// assert_eq!(client.write_message(b"Subject: hi\r\n"), 0);
    /// # let _ = id;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_stream(&mut self, envelope: &Envelope<'_>) -> Result<TransactionId, SendError> {
        let source = Source::Stream {
            buf: BytesMut::new(),
            ended: false,
        };
        self.queue_tx(envelope, source)
    }

    fn queue_tx(
        &mut self,
        envelope: &Envelope<'_>,
        source: Source,
    ) -> Result<TransactionId, SendError> {
        if self.quit_requested || matches!(self.state, State::Quitting | State::Closed) {
            return Err(SendError::Closed);
        }
        if envelope.recipients.is_empty() {
            return Err(SendError::NoRecipients);
        }
        let mail = line_of(&Command::Mail {
            reverse_path: envelope.reverse_path.clone(),
            params: envelope.params.clone(),
        })?;
        let rcpts = envelope
            .recipients
            .iter()
            .map(|r| {
                line_of(&Command::Rcpt {
                    forward_path: r.forward_path.clone(),
                    params: r.params.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let id = TransactionId(self.next_id);
        self.next_id += 1;
        self.queue.push_back(Tx::new(id, mail, rcpts, source));
        self.pump();
        Ok(id)
    }

    /// Writes the next bytes of the streamed message; returns how many were
    /// taken (0 when no streamed message is being sent, or the output is
    /// full: wait for [`Event::MessageWanted`]).
    ///
    /// At most [`Config::max_buffered`] bytes wait in the client.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// assert_eq!(client.write_message(b"no transaction"), 0);
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn write_message(&mut self, data: &[u8]) -> usize {
        let used = self.io.pending() + self.current.as_ref().map_or(0, Tx::buffered);
        let room = self.config.max_buffered.saturating_sub(used);
        let n = match self.current.as_mut() {
            Some(tx) => tx.write(&mut self.io, data, room),
            None => 0,
        };
        if n < data.len() {
            self.blocked = true;
        }
        self.fill();
        n
    }

    /// Ends the streamed message; `false` when no streamed message is
    /// being sent.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// assert!(!client.end_message());
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn end_message(&mut self) -> bool {
        let ended = match self.current.as_mut() {
            Some(tx) => tx.end(&mut self.io, &self.tx_config),
            None => false,
        };
        self.maybe_pipeline_quit();
        ended
    }

    /// Ends the session with `QUIT` once the queued transactions are done.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config, Envelope, SendError};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// client.quit();
    /// let envelope = Envelope::from_addresses("a@example.org", &["b@example.org"])?;
    /// assert_eq!(client.send(&envelope, "x").unwrap_err(), SendError::Closed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quit(&mut self) {
        self.quit_requested = true;
        self.pump();
    }

    /// Says the TLS handshake asked for by [`Event::StartTls`] is done:
    /// the client sends `EHLO` again. Ignored at any other time.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config, Event};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// client.handle_input(b"220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 go ahead\r\n");
    /// let mut out = bytes::BytesMut::new();
    /// let _ = client.poll_output(&mut out);
    /// assert_eq!(client.poll_event(), Some(Event::StartTls));
    /// client.tls_established();
    /// assert_eq!(client.poll_transmit().as_deref(), Some(&b"EHLO client.example.org\r\n"[..]));
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn tls_established(&mut self) {
        if self.state != State::TlsHandshake {
            return;
        }
        self.tls_active = true;
        self.did_starttls = true;
        self.forget_capabilities();
        self.reset_input();
        self.send_hello();
        self.rearm();
    }

    // ----- inputs ------------------------------------------------------

    /// Takes bytes received from the server.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// client.handle_input(b"220 mx.exa");
    /// assert!(client.poll_transmit().is_none()); // half a greeting
    /// client.handle_input(b"mple.net\r\n");
    /// assert!(client.poll_transmit().is_some());
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn handle_input(&mut self, data: &[u8]) {
        if matches!(self.state, State::Closed | State::TlsHandshake) {
            return; // RFC 3207 section 4.2: nothing from before the handshake
        }
        self.input.extend_from_slice(data);
        while !matches!(self.state, State::Closed | State::TlsHandshake) {
            match self.next_frame() {
                Ok(Some(frame)) => self.on_frame(&frame),
                Ok(None) => break,
                Err(error) => {
                    self.fail_desync(ClientError::Protocol(error));
                    break;
                }
            }
        }
        if matches!(self.state, State::Closed | State::TlsHandshake) {
            self.reset_input();
        }
        self.check_wanted();
    }

    /// Says the connection closed (EOF or error). Pending transactions are
    /// reported as failed and [`Event::Closed`] follows.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, ClientError, Config, Event};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// client.connection_closed();
    /// assert_eq!(client.poll_event(), Some(Event::Failed(ClientError::ConnectionLost)));
    /// assert_eq!(client.poll_event(), Some(Event::Closed { reply: None }));
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn connection_closed(&mut self) {
        match self.state {
            State::Closed => {}
            State::Quitting => self.close(None),
            _ => self.fail_desync(ClientError::ConnectionLost),
        }
    }

    /// Gives the current time: fires the deadline if it has passed, and is
    /// the clock new deadlines count from.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use mailwire_smtp::client::{Client, ClientError, Config, Event};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// let start = Instant::now();
    /// client.handle_timeout(start);
    /// assert_eq!(client.poll_timeout(), Some(start + Duration::from_secs(300)));
    /// client.handle_timeout(start + Duration::from_secs(300));
    /// assert_eq!(client.poll_event(), Some(Event::Failed(ClientError::Timeout("the greeting"))));
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn handle_timeout(&mut self, now: Instant) {
        self.clock = Some(now);
        if let Some(wait) = self.unanchored.take() {
            self.deadline = Some(now + wait);
        }
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            self.deadline = None;
            let what = self.waiting_for;
            self.fail_desync(ClientError::Timeout(what));
        }
    }

    // ----- outputs -----------------------------------------------------

    /// The next event for the application, if any.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// assert!(client.poll_event().is_none());
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use = "events tell the application what to do"]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.io.events.pop_front()
    }

    /// The next piece of bytes to send, if any. Message data is cut from
    /// the message as it is asked for, block by block.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// assert!(client.poll_transmit().is_none()); // the server speaks first
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use = "the bytes must be sent to the server"]
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.fill();
        self.io.flush();
        let piece = self.io.pieces.pop_front()?;
        self.io.queued -= piece.len();
        self.handed_out();
        Some(piece)
    }

    /// Appends the bytes to send to `out` (at most about one block of
    /// message data per call); returns how many. Call until it returns 0.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("client.example.org"))?;
    /// client.handle_input(b"220 mx ESMTP\r\n");
    /// let mut out = BytesMut::new();
    /// assert_eq!(client.poll_output(&mut out), 25);
    /// assert_eq!(&out[..], b"EHLO client.example.org\r\n");
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use = "the bytes must be sent to the server"]
    pub fn poll_output(&mut self, out: &mut BytesMut) -> usize {
        self.fill();
        self.io.flush();
        let mut n = 0;
        while let Some(piece) = self.io.pieces.pop_front() {
            out.extend_from_slice(&piece);
            n += piece.len();
        }
        self.io.queued = 0;
        if n > 0 {
            self.handed_out();
        }
        n
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next,
    /// if the client waits for anything. `None` also before the first
    /// `handle_timeout`, which starts the clock.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let client = Client::new(Config::new("client.example.org"))?;
    /// assert_eq!(client.poll_timeout(), None); // no time given yet
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use = "the deadline must be waited for"]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    // ----- state ------------------------------------------------------

    /// What the server announced in its last `EHLO`/`LHLO` reply (after
    /// `STARTTLS`, the new one only); `None` before it and after a `HELO`
    /// fallback.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config, Tls};
    ///
    /// let mut config = Config::new("client.example.org");
    /// config.tls = Tls::Never;
    /// let mut client = Client::new(config)?;
    /// client.handle_input(b"220 mx\r\n250-mx\r\n250 SIZE 1000\r\n");
    /// assert_eq!(client.capabilities().unwrap().size, Some(1000));
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn capabilities(&self) -> Option<Capabilities<'_>> {
        self.ehlo.as_ref().map(Capabilities::from_ehlo)
    }

    /// Whether the connection is protected by TLS (after `STARTTLS`, or
    /// [`Tls::Implicit`]).
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config, Tls};
    ///
    /// let mut config = Config::new("client.example.org");
    /// config.tls = Tls::Implicit;
    /// assert!(Client::new(config)?.is_secure());
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn is_secure(&self) -> bool {
        self.tls_active
    }

    /// Whether the session is set up and not yet quitting or closed.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    /// assert!(!Client::new(Config::new("c.example"))?.is_ready());
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.state == State::Ready
    }

    /// Whether the session is over ([`Event::Closed`] was raised).
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("c.example"))?;
    /// client.handle_input(b"421 busy\r\n");
    /// assert!(client.is_closed());
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Transactions queued or running.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    /// assert_eq!(Client::new(Config::new("c.example"))?.pending_transactions(), 0);
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn pending_transactions(&self) -> usize {
        self.queue.len() + usize::from(self.current.is_some())
    }

    /// Bytes received and not yet part of a whole reply (bounded by the
    /// [`ReplyLimits`](crate::parse::ReplyLimits)).
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::new("c.example"))?;
    /// client.handle_input(b"220-mx");
    /// assert_eq!(client.buffered_input(), 6);
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn buffered_input(&self) -> usize {
        self.input.len()
    }

    /// Bytes produced and not yet handed out by the polls.
    ///
    /// ```
    /// use mailwire_smtp::client::{Client, Config};
    /// assert_eq!(Client::new(Config::new("c.example"))?.buffered_output(), 0);
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn buffered_output(&self) -> usize {
        self.io.pending() + self.current.as_ref().map_or(0, Tx::buffered)
    }

    // ----- reading replies --------------------------------------------

    /// Cuts the next whole reply from the input, scanning each byte once.
    fn next_frame(&mut self) -> Result<Option<Bytes>, ReplyError> {
        let limits = self.config.reply_limits;
        loop {
            let Some(lf) = memchr(b'\n', &self.input[self.scan..]) else {
                self.scan = self.input.len();
                if self.input.len() - self.line_start >= limits.max_line {
                    return Err(self.reply_error());
                }
                return Ok(None);
            };
            let end = self.scan + lf + 1;
            self.lines += 1;
            let line = &self.input[self.line_start..end];
            let continued = line.get(3) == Some(&b'-');
            if !continued || line.len() > limits.max_line || self.lines > limits.max_lines {
                match Reply::parse_with_limits(&self.input[..end], limits) {
                    Err(error) => return Err(error),
                    Ok(Some((_, used))) => {
                        let frame = self.input.split_to(used).freeze();
                        self.scan = 0;
                        self.line_start = 0;
                        self.lines = 0;
                        return Ok(Some(frame));
                    }
                    Ok(None) => {}
                }
            }
            self.scan = end;
            self.line_start = end;
        }
    }

    /// The parser's error for input the scan found over a limit.
    fn reply_error(&self) -> ReplyError {
        match Reply::parse_with_limits(&self.input, self.config.reply_limits) {
            Err(error) => error,
            // Not reached: the scan and the parser apply the same limits.
            Ok(_) => Reply::parse(b"?").err().unwrap_or_else(|| unreachable!()),
        }
    }

    fn reset_input(&mut self) {
        self.input.clear();
        self.scan = 0;
        self.line_start = 0;
        self.lines = 0;
    }

    fn on_frame(&mut self, frame: &Bytes) {
        let Ok(Some((reply, _))) = Reply::parse_with_limits(frame, self.config.reply_limits) else {
            return; // not reached: `next_frame` cut it after a good parse
        };
        self.on_reply(&reply);
    }

    fn on_reply(&mut self, reply: &Reply<'_>) {
        if reply.code() == ReplyCode::SERVICE_NOT_AVAILABLE {
            // RFC 5321 section 3.8: 421 may come at any time.
            self.close(Some(reply.clone().into_owned()));
            return;
        }
        if self.io.expect.is_empty() {
            // A reply to message data not handed out yet: it is committed,
            // so produce it (the same events however the input is split).
            if let Some(tx) = self.current.as_mut() {
                tx.fill(&mut self.io, &self.tx_config, true);
            }
        }
        let Some(expect) = self.io.expect.pop_front() else {
            self.fail_desync(ClientError::UnexpectedReply(reply.clone().into_owned()));
            return;
        };
        match expect {
            Expect::Greeting => self.on_greeting(reply),
            Expect::Ehlo => self.on_ehlo(reply),
            Expect::Helo => self.on_helo(reply),
            Expect::StartTls => self.on_starttls(reply),
            Expect::Auth => self.on_auth(reply),
            Expect::Rset => self.pump(),
            Expect::Quit => self.close(Some(reply.clone().into_owned())),
            Expect::Mail
            | Expect::Rcpt(_)
            | Expect::Data
            | Expect::BdatChunk
            | Expect::DataEnd(_) => self.on_tx_reply(expect, reply),
        }
        self.rearm();
    }

    // ----- session setup ------------------------------------------------

    fn on_greeting(&mut self, reply: &Reply<'_>) {
        if reply.code() == ReplyCode::SERVICE_READY {
            self.send_hello();
        } else {
            // RFC 5321 section 3.1: after a 554 greeting the client
            // should send QUIT.
            self.fail_quit(ClientError::Rejected(reply.clone().into_owned()));
        }
    }

    fn send_hello(&mut self) {
        let client = ClientId::Other(&self.config.client_id);
        let (command, expect) = if self.config.lmtp {
            (Command::Lhlo { client }, Expect::Ehlo)
        } else {
            (Command::Ehlo { client }, Expect::Ehlo)
        };
        self.io.command(&command, expect);
        self.state = State::Hello;
    }

    fn forget_capabilities(&mut self) {
        self.ehlo = None;
        self.caps = TxCaps::default();
        self.auth_offered.clear();
        self.starttls_offered = false;
    }

    fn on_ehlo(&mut self, reply: &Reply<'_>) {
        if reply.is_positive() {
            let owned = reply.clone().into_owned();
            self.learn(&Capabilities::from_ehlo(&owned));
            self.ehlo = Some(owned);
            self.after_hello();
        } else if reply.code().is_permanent() && !self.config.lmtp && !self.did_starttls {
            // RFC 5321 section 4.1.4: an old server; try HELO.
            let client = ClientId::Other(&self.config.client_id);
            self.io.command(&Command::Helo { client }, Expect::Helo);
        } else {
            self.fail_quit(ClientError::Hello(reply.clone().into_owned()));
        }
    }

    fn on_helo(&mut self, reply: &Reply<'_>) {
        if reply.is_positive() {
            self.forget_capabilities();
            self.after_hello();
        } else {
            self.fail_quit(ClientError::Hello(reply.clone().into_owned()));
        }
    }

    fn learn(&mut self, caps: &Capabilities<'_>) {
        self.caps = TxCaps {
            size: caps.size,
            pipelining: caps.pipelining,
            eight_bit_mime: caps.eight_bit_mime,
            binary_mime: caps.binary_mime,
            chunking: caps.chunking,
            smtputf8: caps.smtputf8,
            dsn: caps.dsn,
            requiretls: caps.requiretls,
            auth: !caps.auth.is_empty(),
        };
        self.auth_offered = caps
            .auth
            .iter()
            .filter_map(|m| match m {
                Mechanism::Plain => Some(Mechanism::Plain),
                Mechanism::Login => Some(Mechanism::Login),
                Mechanism::CramMd5 => Some(Mechanism::CramMd5),
                Mechanism::XOAuth2 => Some(Mechanism::XOAuth2),
                Mechanism::Other(_) => None,
            })
            .collect();
        self.starttls_offered = caps.starttls;
    }

    fn after_hello(&mut self) {
        let want_tls = matches!(self.config.tls, Tls::Required | Tls::Opportunistic)
            && !self.tls_active
            && !self.starttls_refused;
        if want_tls {
            if self.starttls_offered {
                self.io.command(&Command::StartTls, Expect::StartTls);
                self.state = State::StartTls;
                return;
            }
            if self.config.tls == Tls::Required {
                self.fail_quit(ClientError::TlsUnavailable);
                return;
            }
        }
        if self.config.credentials.is_some() {
            self.start_auth();
        } else {
            self.ready();
        }
    }

    fn on_starttls(&mut self, reply: &Reply<'_>) {
        if reply.code() == ReplyCode::SERVICE_READY {
            self.state = State::TlsHandshake;
            self.reset_input();
            self.io.events.push_back(Event::StartTls);
        } else if self.config.tls == Tls::Required {
            self.fail_quit(ClientError::StartTls(reply.clone().into_owned()));
        } else {
            // RFC 3207 section 4: the client may go on without TLS.
            self.starttls_refused = true;
            self.after_hello();
        }
    }

    fn start_auth(&mut self) {
        let Some(credentials) = self.config.credentials.as_ref() else {
            return;
        };
        let clear_ok = self.tls_active || self.config.allow_plaintext_auth;
        let Some(mechanism) = auth::choose(
            credentials,
            &self.config.mechanisms,
            &self.auth_offered,
            clear_ok,
        ) else {
            self.fail_quit(ClientError::NoAuthMechanism);
            return;
        };
        let Ok(initial) = auth::initial_response(mechanism, credentials) else {
            self.fail_quit(ClientError::BadCredentials);
            return;
        };
        let initial_response = initial.as_deref().map(|text| {
            if text.is_empty() {
                InitialResponse::Empty
            } else {
                InitialResponse::Base64(text)
            }
        });
        self.io.command(
            &Command::Auth {
                mechanism,
                initial_response,
            },
            Expect::Auth,
        );
        self.auth = Some((mechanism, 0));
        self.state = State::Auth;
    }

    fn on_auth(&mut self, reply: &Reply<'_>) {
        let Some((mechanism, step)) = self.auth else {
            return;
        };
        if reply.is_positive() {
            self.auth = None;
            self.io.events.push_back(Event::Authenticated { mechanism });
            self.ready();
        } else if reply.code() == ReplyCode::AUTH_CHALLENGE {
            let answer =
                self.config.credentials.as_ref().and_then(|credentials| {
                    auth::respond(mechanism, credentials, step, &reply.text())
                });
            match answer {
                Some(mut line) => {
                    line.push_str("\r\n");
                    self.io.raw(line.as_bytes(), Some(Expect::Auth));
                }
                // RFC 4954 section 4: "*" cancels the exchange.
                None => self.io.raw(b"*\r\n", Some(Expect::Auth)),
            }
            self.auth = Some((mechanism, step + 1));
        } else {
            self.auth = None;
            self.fail_quit(ClientError::Auth(reply.clone().into_owned()));
        }
    }

    fn ready(&mut self) {
        self.state = State::Ready;
        self.io.events.push_back(Event::Ready);
        self.pump();
    }

    // ----- transactions ---------------------------------------------------

    fn pipelining(&self) -> bool {
        self.config.pipelining && self.caps.pipelining
    }

    /// Starts the next transaction, or `QUIT`, when the session is idle.
    fn pump(&mut self) {
        while self.state == State::Ready && self.current.is_none() {
            if self.quit_sent {
                self.state = State::Quitting;
                return;
            }
            // Only RSETs in flight: with pipelining the next MAIL may
            // follow them in the same group (RFC 2920 section 3.1).
            let idle = self.io.expect.is_empty()
                || (self.pipelining() && self.io.expect.iter().all(|e| *e == Expect::Rset));
            if !idle {
                return;
            }
            if let Some(mut tx) = self.queue.pop_front() {
                match tx.start(&mut self.io, &self.caps, &self.tx_config) {
                    Ok(()) => self.current = Some(tx),
                    Err(error) => {
                        let report = tx.report(Err(error));
                        self.io.events.push_back(Event::TransactionDone(report));
                    }
                }
                continue;
            }
            if self.quit_requested {
                self.io.command(&Command::Quit, Expect::Quit);
                self.quit_sent = true;
                self.state = State::Quitting;
            }
            return;
        }
    }

    fn on_tx_reply(&mut self, expect: Expect, reply: &Reply<'_>) {
        let Some(tx) = self.current.as_mut() else {
            self.fail_desync(ClientError::UnexpectedReply(reply.clone().into_owned()));
            return;
        };
        let was_body = tx.stage == Stage::Body;
        let step = match expect {
            Expect::Mail => tx.on_mail(&mut self.io, reply),
            Expect::Rcpt(i) => tx.on_rcpt(&mut self.io, i, reply),
            Expect::Data => tx.on_data(&mut self.io, reply),
            Expect::BdatChunk => tx.on_bdat_chunk(reply),
            _ => tx.on_final(expect_rcpt(expect), reply),
        };
        let now_body = tx.stage == Stage::Body;
        match step {
            Step::Continue => {
                if !was_body && now_body {
                    self.enter_body();
                } else {
                    self.fill();
                }
                self.maybe_pipeline_quit();
            }
            Step::Done(result, rset) => self.finish(result, rset),
        }
    }

    fn enter_body(&mut self) {
        let Some(tx) = self.current.as_ref() else {
            return;
        };
        if tx.is_stream() {
            self.blocked = false;
            let transaction = tx.id;
            self.io
                .events
                .push_back(Event::MessageWanted { transaction });
        }
        // The first block goes out at once, so that what follows does not
        // depend on when the application drains the output.
        self.fill();
        self.maybe_pipeline_quit();
    }

    fn fill(&mut self) {
        if let Some(tx) = self.current.as_mut() {
            tx.fill(&mut self.io, &self.tx_config, false);
        }
    }

    /// RFC 2920 section 3.2: `QUIT` may follow the end of the data in the
    /// same group.
    fn maybe_pipeline_quit(&mut self) {
        let last = self
            .current
            .as_ref()
            .is_some_and(|tx| tx.stage == Stage::Final && tx.pipelined && tx.aborted.is_none());
        if last && self.quit_requested && !self.quit_sent && self.queue.is_empty() {
            self.io.command(&Command::Quit, Expect::Quit);
            self.quit_sent = true;
        }
    }

    fn finish(&mut self, result: Result<Reply<'static>, TransactionError>, rset: bool) {
        if let Some(tx) = self.current.take() {
            let report = tx.report(result);
            self.io.events.push_back(Event::TransactionDone(report));
        }
        if rset && !self.quit_sent {
            self.io.command(&Command::Rset, Expect::Rset);
        }
        self.pump();
    }

    /// After output was handed out: restart the wait, and ask for more of
    /// a streamed message when there is room.
    fn handed_out(&mut self) {
        self.rearm();
        self.check_wanted();
    }

    fn check_wanted(&mut self) {
        if !self.blocked {
            return;
        }
        let Some(tx) = self.current.as_ref() else {
            return;
        };
        if tx.wants_data() && self.buffered_output() < self.config.max_buffered / 2 + 1 {
            self.blocked = false;
            let transaction = tx.id;
            self.io
                .events
                .push_back(Event::MessageWanted { transaction });
        }
    }

    // ----- ending ------------------------------------------------------------

    /// Reports every transaction not done as failed.
    fn fail_transactions(&mut self) {
        let current = self.current.take();
        for tx in current.into_iter().chain(self.queue.drain(..)) {
            let report = tx.report(Err(TransactionError::SessionClosed));
            self.io.events.push_back(Event::TransactionDone(report));
        }
    }

    /// A failure with the session still in step: `QUIT`, then close.
    fn fail_quit(&mut self, error: ClientError) {
        self.io.events.push_back(Event::Failed(error));
        self.fail_transactions();
        self.io.expect.clear();
        self.io.command(&Command::Quit, Expect::Quit);
        self.quit_sent = true;
        self.state = State::Quitting;
    }

    /// A failure out of step with the server: close at once.
    fn fail_desync(&mut self, error: ClientError) {
        self.io.events.push_back(Event::Failed(error));
        self.close(None);
    }

    fn close(&mut self, reply: Option<Reply<'static>>) {
        self.fail_transactions();
        self.io.clear_output();
        self.io.expect.clear();
        self.reset_input();
        self.state = State::Closed;
        self.deadline = None;
        self.unanchored = None;
        self.io.events.push_back(Event::Closed { reply });
    }

    // ----- time -----------------------------------------------------------

    /// What the client waits for now, and for how long.
    fn wait(&self) -> Option<(Duration, &'static str)> {
        let t = &self.config.timeouts;
        if matches!(self.state, State::Closed | State::TlsHandshake) {
            return None;
        }
        if let Some(tx) = self.current.as_ref() {
            if tx.stage == Stage::Body && tx.aborted.is_none() {
                let waiting_on_app =
                    tx.is_stream() && self.io.pending() == 0 && tx.bdat_outstanding == 0;
                return (!waiting_on_app).then_some((t.data_block, "a block of message data"));
            }
        }
        let expect = *self.io.expect.front()?;
        Some(match expect {
            Expect::Greeting => (t.greeting, "the greeting"),
            Expect::Ehlo | Expect::Helo => (t.command, "the EHLO/HELO reply"),
            Expect::StartTls => (t.command, "the STARTTLS reply"),
            Expect::Auth => (t.command, "the AUTH reply"),
            Expect::Mail => (t.mail, "the MAIL reply"),
            Expect::Rcpt(_) => (t.rcpt, "the RCPT reply"),
            Expect::Data => (t.data_init, "the DATA reply"),
            Expect::BdatChunk => (t.data_block, "the BDAT reply"),
            Expect::DataEnd(_) => (t.data_end, "the reply to the end of the data"),
            Expect::Rset => (t.command, "the RSET reply"),
            Expect::Quit => (t.command, "the QUIT reply"),
        })
    }

    /// Restarts the timer for what the client waits for now.
    fn rearm(&mut self) {
        match self.wait() {
            None => {
                self.deadline = None;
                self.unanchored = None;
            }
            Some((wait, what)) => {
                self.waiting_for = what;
                match self.clock {
                    Some(now) => {
                        self.deadline = Some(now + wait);
                        self.unanchored = None;
                    }
                    None => self.unanchored = Some(wait),
                }
            }
        }
    }
}

fn expect_rcpt(expect: Expect) -> Option<usize> {
    match expect {
        Expect::DataEnd(rcpt) => rcpt,
        _ => None,
    }
}
