//! A sans-IO SMTP (RFC 5321) and LMTP (RFC 2033) server state machine.
//!
//! [`Server`] holds one session's protocol state and does no I/O: the
//! application feeds it the bytes it receives and the time, takes the
//! bytes it must send, and makes the decisions that need its knowledge
//! (who may send, who receives, what to do with a message, whose password
//! is right). The same machine runs under tokio, a thread per connection,
//! or a test that drives a whole session in memory.
//!
//! # Call order
//!
//! 1. [`Server::new`] queues the `220` greeting.
//! 2. Loop:
//!    - [`poll_event`](Server::poll_event) until `None`, acting on each
//!      [`Event`]; a decision event ([`Event::Mail`],
//!      [`Event::Recipient`], [`Event::MessageEnd`], [`Event::Auth`]) is
//!      answered with the matching `accept_*`/`reject_*` call, now or
//!      later (the server answers nothing after it until then, so replies
//!      keep the order of the commands);
//!    - [`poll_output`](Server::poll_output) and send what it gives; if it
//!      gave something, go back to `poll_event` (taking output may let the
//!      server go on with input it held back);
//!    - if [`is_closed`](Server::is_closed), close the connection;
//!    - wait for input or for [`poll_timeout`](Server::poll_timeout);
//!      pass input to [`handle_input`](Server::handle_input) (with the
//!      current time) and keep the bytes it did not take for the next call
//!      (back-pressure), or call [`handle_timeout`](Server::handle_timeout).
//! 3. On [`Event::StartTls`], send the output, run the TLS handshake, call
//!    [`tls_established`](Server::tls_established), and from then on pass
//!    decrypted input.
//!
//! # Guarantees
//!
//! - Commands are answered in order, pipelined or not (RFC 2920), and the
//!   same input split anywhere gives the same events and output.
//! - Message data ends only at `CRLF.CRLF` (SMTP smuggling); dot-stuffing
//!   and the end line never reach [`Event::Data`]; bare CR and LF follow
//!   [`ServerConfig::bare_lf`] / [`bare_cr`](ServerConfig::bare_cr).
//! - Input sent in plain text after `STARTTLS` is discarded.
//! - Memory is bounded whatever the client sends: received input held is
//!   at most [`ServerConfig::receive_buffer`] (raised to 12288 octets, the
//!   longest `AUTH` line, if below), message data waiting in events at
//!   most as much again; when the application does
//!   not drain events or output, `handle_input` takes fewer bytes. A
//!   `BDAT` size is never allocated.
//! - Time is passed in, never read. Timeouts follow RFC 5321 section
//!   4.5.3.2 ([`Timeouts`]).
//!
//! # Example: a whole session in memory
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::BytesMut;
//! use mailwire_smtp::server::{Event, Server, ServerConfig};
//!
//! let config = Arc::new(ServerConfig::new("mx.example.org"));
//! let now = Instant::now();
//! let mut server = Server::new(config, now);
//! let mut out = BytesMut::new();
//!
//! // The application's side of the session: what it was told, and the
//! // message it received.
//! let mut envelope = Vec::new();
//! let mut message = Vec::new();
//! let mut drive = |server: &mut Server, out: &mut BytesMut| loop {
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             Event::Mail(mail) => {
//!                 envelope.push(mail.reverse_path().to_string());
//!                 server.accept_sender().unwrap();
//!             }
//!             Event::Recipient(rcpt) => {
//!                 let to = rcpt.forward_path().to_string();
//!                 if to.ends_with("@example.org>") {
//!                     envelope.push(to);
//!                     server.accept_recipient().unwrap();
//!                 } else {
//!                     server
//!                         .reject_recipient(mailwire_smtp::types::Reply::new(
//!                             mailwire_smtp::types::ReplyCode::MAILBOX_UNAVAILABLE,
//!                             Some(mailwire_smtp::types::EnhancedStatus::new(5, 7, 1).unwrap()),
//!                             "Relay access denied",
//!                         ))
//!                         .unwrap();
//!                 }
//!             }
//!             Event::Data(chunk) => message.extend_from_slice(&chunk),
//!             Event::MessageEnd(_) => server.accept_message().unwrap(),
//!             _ => {}
//!         }
//!     }
//!     if server.poll_output(out) == 0 {
//!         break;
//!     }
//! };
//!
//! drive(&mut server, &mut out);
//! assert_eq!(&out[..], b"220 mx.example.org ESMTP\r\n");
//! out.clear();
//!
//! for (input, reply) in [
//!     (&b"EHLO client.example.net\r\n"[..], &b"250-mx.example.org Hello\r\n"[..]),
//!     (b"MAIL FROM:<alice@example.net>\r\n", b"250 2.1.0 Sender OK\r\n"),
//!     (b"RCPT TO:<bob@example.org>\r\n", b"250 2.1.5 Recipient OK\r\n"),
//!     (b"RCPT TO:<eve@elsewhere.example>\r\n", b"550 5.7.1 Relay access denied\r\n"),
//!     (b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
//!     (b"Subject: hi\r\n\r\n..leading dot\r\n.\r\n", b"250 2.6.0 Message accepted\r\n"),
//!     (b"QUIT\r\n", b"221 2.0.0 mx.example.org closing connection\r\n"),
//! ] {
//!     let taken = server.handle_input(now, input);
//!     assert_eq!(taken, input.len());
//!     drive(&mut server, &mut out);
//!     assert!(out.starts_with(reply), "{:?}", String::from_utf8_lossy(&out));
//!     out.clear();
//! }
//! assert!(server.is_closed());
//! assert_eq!(envelope, ["<alice@example.net>", "<bob@example.org>"]);
//! assert_eq!(message, b"Subject: hi\r\n\r\n.leading dot\r\n");
//! ```

mod config;
mod event;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use mailwire_core::dot::{DotDecoder, DotEvent};
use mailwire_core::{ErrorKind, Line, LineFramer, Mailbox};

pub use config::{Extensions, PipeliningPolicy, ServerConfig, Timeouts};
pub use event::{
    AbortReason, AuthFailure, AuthRequest, CloseReason, DecisionError, Event, Hello, HelloKind,
    MailFrom, MessageEnd, ProtocolError, RcptTo,
};

use crate::sasl::{self, Credentials, SaslError};
use crate::types::{
    Body, Capabilities, Command, EnhancedStatus, ForwardPath, InitialResponse, MailParams,
    Mechanism, RcptParams, Reply, ReplyCode, ReversePath,
};

/// Longest line of an `AUTH` exchange, the `AUTH` command with its
/// initial response included (RFC 4954 section 4).
const AUTH_LINE_MAX: usize = 12288;
/// Output held before the server stops taking on input.
const OUTPUT_HIGH_WATER: usize = 16 * 1024;
/// Events held before the server stops taking on input.
const MAX_EVENTS: usize = 64;

const fn status(class: u8, subject: u16, detail: u16) -> EnhancedStatus {
    match EnhancedStatus::new(class, subject, detail) {
        Some(status) => status,
        None => panic!("invalid enhanced status code"),
    }
}

const S_OK: EnhancedStatus = status(2, 0, 0);
const S_INVALID_COMMAND: EnhancedStatus = status(5, 5, 1);
const S_SYNTAX: EnhancedStatus = status(5, 5, 2);
const S_PIPELINING: EnhancedStatus = status(5, 5, 0);
const S_BAD_ARGS: EnhancedStatus = status(5, 5, 4);
const S_OTHER: EnhancedStatus = status(5, 0, 0);

/// Where the input is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// Command lines.
    Command,
    /// Response lines of an `AUTH` exchange.
    AuthLine,
    /// Message data after `DATA`, up to `CRLF.CRLF`.
    Data,
    /// The bytes of a `BDAT` chunk.
    Bdat {
        remaining: u64,
        size: u64,
        last: bool,
    },
    /// The TLS handshake: the application owns the connection.
    Tls,
    /// The session is over.
    Closed,
}

/// A decision the server waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Sender,
    Recipient,
    Message,
    Auth,
}

/// The step of an `AUTH` exchange waiting for a client line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AuthStep {
    Plain,
    LoginUser,
    LoginPassword(String),
    XOAuth2,
    CramMd5(String),
}

/// The mail transaction.
#[derive(Debug, Clone, Default)]
struct Transaction {
    /// `MAIL` accepted: the application knows of the transaction.
    active: bool,
    smtputf8: bool,
    binary: bool,
    /// A `RCPT` was answered (accepted or not).
    rcpt_tried: bool,
    /// Accepted recipients.
    recipients: usize,
    /// `BDAT` chunks so far.
    chunked: bool,
    /// Message bytes so far.
    size: u64,
}

/// The reply to a command sent ahead of time is not yet taken.
#[derive(Debug, Clone, Copy)]
struct SyncPoint {
    after: &'static str,
    /// Output position the client must have seen; `None` while the reply
    /// is not queued yet.
    mark: Option<u64>,
}

/// One SMTP or LMTP server session. See the [module docs](self) for the
/// call order and a complete example.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Instant;
/// use bytes::BytesMut;
/// use mailwire_smtp::server::{Server, ServerConfig};
///
/// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), Instant::now());
/// let mut out = BytesMut::new();
/// let _ = server.poll_output(&mut out);
/// assert_eq!(&out[..], b"220 mx.example.org ESMTP\r\n");
/// ```
#[derive(Debug)]
pub struct Server {
    config: Arc<ServerConfig>,
    rx: BytesMut,
    rx_limit: usize,
    framer: LineFramer,
    dot: DotDecoder,
    input: Input,
    out: BytesMut,
    out_total: u64,
    out_taken: u64,
    events: VecDeque<Event>,
    /// Bytes of `Event::Data` queued and not yet polled.
    queued_data: usize,
    pending: Option<Pending>,
    greeted: Option<HelloKind>,
    tls: bool,
    authenticated: bool,
    auth: Option<(Mechanism<'static>, AuthStep)>,
    cram_nonce: Option<String>,
    txn: Transaction,
    /// The refused bare line ending or size found in the message data.
    defect: Option<AbortReason>,
    /// LMTP replies decided per recipient, sent in order.
    lmtp_replies: Vec<Option<Reply<'static>>>,
    lmtp_sent: usize,
    errors: usize,
    sync: Option<SyncPoint>,
    reject_next: bool,
    /// The time the current wait started; `None`: the next time passed in.
    anchor: Option<Instant>,
    last_now: Instant,
    closed: Option<CloseReason>,
    /// The reply for a `BDAT` chunk refused when its command was read.
    bdat_error: Option<Reply<'static>>,
    /// Input bytes taken into the receive buffer.
    received: u64,
}

impl Server {
    /// A session on a new connection at time `now`; the greeting is
    /// queued for [`poll_output`](Self::poll_output).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_smtp::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::lmtp("lmtp.local")), Instant::now());
    /// assert!(!server.is_closed());
    /// ```
    #[must_use]
    pub fn new(config: Arc<ServerConfig>, now: Instant) -> Self {
        let rx_limit = config
            .receive_buffer
            .max(config.limits.max_command_line)
            .max(AUTH_LINE_MAX)
            .max(64);
        let framer = Self::make_framer(&config);
        let mut server = Self {
            // Most sessions are a few short lines: start small, grow up to
            // `rx_limit` while a message streams in.
            rx: BytesMut::with_capacity(rx_limit.min(4 * 1024)),
            rx_limit,
            framer,
            dot: DotDecoder::new(),
            input: Input::Command,
            out: BytesMut::with_capacity(1024),
            out_total: 0,
            out_taken: 0,
            events: VecDeque::new(),
            queued_data: 0,
            pending: None,
            greeted: None,
            tls: config.implicit_tls,
            authenticated: false,
            auth: None,
            cram_nonce: None,
            txn: Transaction::default(),
            defect: None,
            lmtp_replies: Vec::new(),
            lmtp_sent: 0,
            errors: 0,
            sync: None,
            reject_next: false,
            anchor: Some(now),
            last_now: now,
            closed: None,
            bdat_error: None,
            received: 0,
            config,
        };
        if server.config.pipelining != PipeliningPolicy::Allow {
            server.sync = Some(SyncPoint {
                after: "greeting",
                mark: None,
            });
        }
        let text = format!("{} {}", server.config.hostname, server.config.greeting);
        server.reply(&Reply::new(ReplyCode::SERVICE_READY, None, text.trim_end()));
        server
    }

    fn make_framer(config: &ServerConfig) -> LineFramer {
        LineFramer::new(config.limits.max_command_line)
            .bare_lf(config.bare_lf)
            .bare_cr(config.bare_cr)
    }

    /// The configuration.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// assert_eq!(server.config().hostname, "mx.example.org");
    /// ```
    #[must_use]
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Sets the unique part of this session's `CRAM-MD5` challenge
    /// (`<nonce@hostname>`, RFC 2195 section 2), for example a random
    /// number and a time stamp. `CRAM-MD5` is offered only once it is set,
    /// since a challenge must never repeat.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_smtp::server::{Server, ServerConfig};
    /// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), Instant::now());
    /// server.set_cram_md5_nonce("1896.697170952");
    /// ```
    pub fn set_cram_md5_nonce(&mut self, nonce: impl Into<String>) {
        self.cram_nonce = Some(nonce.into());
    }

    // ------------------------------------------------------------------
    // Inputs
    // ------------------------------------------------------------------

    /// Hands the server bytes received at time `now`; returns how many it
    /// took. The rest must be passed again after the application has
    /// drained [`poll_event`](Self::poll_event) and
    /// [`poll_output`](Self::poll_output) (back-pressure: the server holds
    /// at most [`ServerConfig::receive_buffer`] unprocessed bytes). Once the
    /// session is closed, or during the TLS handshake, input is discarded
    /// (and counted as taken).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_smtp::server::{Event, Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), now);
    /// let _ = server.poll_output(&mut bytes::BytesMut::new());
    /// assert_eq!(server.handle_input(now, b"EHLO client.example\r\n"), 21);
    /// assert!(matches!(server.poll_event(), Some(Event::Hello(_))));
    /// ```
    #[must_use = "bytes not taken must be passed again"]
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        self.last_now = self.last_now.max(now);
        self.anchor = Some(now);
        let mut taken = 0;
        loop {
            if matches!(self.input, Input::Closed) {
                self.received += (data.len() - taken) as u64;
                return data.len();
            }
            if matches!(self.input, Input::Tls) {
                // Plain text after STARTTLS, or handshake bytes the
                // application should not have passed: never commands.
                self.received += (data.len() - taken) as u64;
                self.report_discarded(data.len() - taken);
                return data.len();
            }
            if taken == data.len() {
                return taken;
            }
            if self.sync_blocks_input() {
                let after = self.sync.map_or("greeting", |s| s.after);
                self.pipelining_violation(after);
                continue;
            }
            let room = self.rx_limit.saturating_sub(self.rx.len());
            if room == 0 {
                return taken;
            }
            let n = room.min(data.len() - taken);
            self.rx.extend_from_slice(&data[taken..taken + n]);
            self.received += n as u64;
            taken += n;
            self.process();
        }
    }

    /// Tells the server the time. Past the deadline of
    /// [`poll_timeout`](Self::poll_timeout) it answers `421 4.4.2` and
    /// closes. After a decision or the TLS handshake, the first call only
    /// restarts the timer from `now`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use bytes::BytesMut;
    /// use mailwire_smtp::server::{Server, ServerConfig};
    ///
    /// let start = Instant::now();
    /// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), start);
    /// let _ = server.poll_output(&mut BytesMut::new());
    /// assert_eq!(server.poll_timeout(), Some(start + Duration::from_secs(300)));
    /// server.handle_timeout(start + Duration::from_secs(301));
    /// assert!(server.is_closed());
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert_eq!(&out[..], b"421 4.4.2 mx.example.org Error: timeout exceeded\r\n");
    /// ```
    pub fn handle_timeout(&mut self, now: Instant) {
        self.last_now = self.last_now.max(now);
        if self.anchor.is_none() {
            self.anchor = Some(now);
            return;
        }
        if self.poll_timeout().is_some_and(|deadline| now >= deadline) {
            let text = format!("{} Error: timeout exceeded", self.config.hostname);
            self.reply(&Reply::new(
                ReplyCode::SERVICE_NOT_AVAILABLE,
                Some(EnhancedStatus::BAD_CONNECTION),
                text,
            ));
            self.shut(CloseReason::Timeout);
        }
    }

    /// The TLS handshake asked for by [`Event::StartTls`] succeeded: the
    /// session starts again as after the greeting (RFC 3207 section 4.2:
    /// the client's `EHLO` and any authentication are forgotten), and
    /// `STARTTLS` is no longer offered.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # config.extensions.starttls = true;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nSTARTTLS\r\n");
    /// let mut starttls = false;
    /// while let Some(event) = server.poll_event() {
    ///     starttls |= event == Event::StartTls;
    /// }
    /// assert!(starttls && !server.wants_input());
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"220 2.0.0 Ready to start TLS\r\n"));
    /// // ... the TLS handshake on the connection ...
    /// server.tls_established()?;
    /// assert!(server.is_tls() && server.wants_input());
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no handshake was asked for.
    pub fn tls_established(&mut self) -> Result<(), DecisionError> {
        if self.input != Input::Tls {
            return Err(DecisionError {
                expected: "TLS handshake",
            });
        }
        self.tls = true;
        self.greeted = None;
        self.authenticated = false;
        self.auth = None;
        self.txn = Transaction::default();
        self.rx.clear();
        self.framer = Self::make_framer(&self.config);
        self.input = Input::Command;
        self.sync = None;
        self.reject_next = false;
        self.anchor = None;
        self.process();
        Ok(())
    }

    /// Closes the session from the application's side (shutting down, say)
    /// after queuing `reply` (typically `421 4.3.2`). Any pending decision
    /// is dropped.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_smtp::server::{Server, ServerConfig};
    /// use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    ///
    /// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), Instant::now());
    /// server.close(Reply::new(ReplyCode::SERVICE_NOT_AVAILABLE, EnhancedStatus::new(4, 3, 2), "Shutting down"));
    /// assert!(server.is_closed());
    /// ```
    pub fn close(&mut self, reply: Reply<'_>) {
        if self.closed.is_none() {
            self.reply(&reply);
            self.shut(CloseReason::Application);
        }
    }

    // ------------------------------------------------------------------
    // Decisions
    // ------------------------------------------------------------------

    fn take_pending(&mut self, kind: Pending, name: &'static str) -> Result<(), DecisionError> {
        if self.pending != Some(kind) {
            return Err(DecisionError { expected: name });
        }
        self.pending = None;
        self.anchor = None;
        Ok(())
    }

    /// Accepts the sender of [`Event::Mail`]: `250 2.1.0 Sender OK`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     if let Event::Mail(mail) = event {
    ///         assert_eq!(mail.reverse_path().to_string(), "<a@example.org>");
    ///         server.accept_sender()?;
    ///     }
    /// }
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"250 2.1.0 Sender OK\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no sender decision is pending.
    pub fn accept_sender(&mut self) -> Result<(), DecisionError> {
        self.take_pending(Pending::Sender, "sender decision")?;
        self.txn.active = true;
        self.reply(&Reply::new(
            ReplyCode::OK,
            Some(EnhancedStatus::SENDER_OK),
            "Sender OK",
        ));
        self.process();
        Ok(())
    }

    /// Refuses the sender of [`Event::Mail`] with `reply` (a 4yz or 5yz
    /// reply; another code is replaced by `550 5.7.1`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<spam@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.reject_sender(Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, EnhancedStatus::new(5, 7, 1), "Go away"))?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"550 5.7.1 Go away\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no sender decision is pending.
    pub fn reject_sender(&mut self, reply: Reply<'_>) -> Result<(), DecisionError> {
        self.take_pending(Pending::Sender, "sender decision")?;
        self.txn = Transaction::default();
        self.reply(&refusal(
            reply,
            ReplyCode::MAILBOX_UNAVAILABLE,
            status(5, 7, 1),
        ));
        self.process();
        Ok(())
    }

    /// Accepts the recipient of [`Event::Recipient`]:
    /// `250 2.1.5 Recipient OK`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_sender()?;
    /// let _ = server.handle_input(now, b"RCPT TO:<b@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_recipient()?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"250 2.1.5 Recipient OK\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no recipient decision is pending.
    pub fn accept_recipient(&mut self) -> Result<(), DecisionError> {
        self.take_pending(Pending::Recipient, "recipient decision")?;
        self.txn.recipients += 1;
        self.reply(&Reply::new(
            ReplyCode::OK,
            Some(EnhancedStatus::RECIPIENT_OK),
            "Recipient OK",
        ));
        self.process();
        Ok(())
    }

    /// Refuses the recipient of [`Event::Recipient`] with `reply` (4yz or
    /// 5yz; another code is replaced by `550 5.1.1`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_sender()?;
    /// let _ = server.handle_input(now, b"RCPT TO:<nobody@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.reject_recipient(Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, Some(EnhancedStatus::BAD_DESTINATION), "No such user"))?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"550 5.1.1 No such user\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no recipient decision is pending.
    pub fn reject_recipient(&mut self, reply: Reply<'_>) -> Result<(), DecisionError> {
        self.take_pending(Pending::Recipient, "recipient decision")?;
        self.reply(&refusal(
            reply,
            ReplyCode::MAILBOX_UNAVAILABLE,
            EnhancedStatus::BAD_DESTINATION,
        ));
        self.process();
        Ok(())
    }

    /// Accepts the message of [`Event::MessageEnd`]:
    /// `250 2.6.0 Message accepted`; in LMTP mode, for every recipient not
    /// yet answered with `accept_message_for`/`reject_message_for`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_sender()?;
    /// let _ = server.handle_input(now, b"RCPT TO:<b@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_recipient()?;
    /// let _ = server.handle_input(now, b"DATA\r\nhi\r\n.\r\n");
    /// let mut end = None;
    /// while let Some(event) = server.poll_event() {
    ///     if let Event::MessageEnd(e) = event { end = Some(e); }
    /// }
    /// assert_eq!(end.unwrap().size, 4);
    /// server.accept_message()?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"250 2.6.0 Message accepted\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no message decision is pending.
    pub fn accept_message(&mut self) -> Result<(), DecisionError> {
        self.decide_all(None)
    }

    /// Refuses the message of [`Event::MessageEnd`] with `reply` (4yz or
    /// 5yz; another code is replaced by `554 5.6.0`); in LMTP mode, for
    /// every recipient not yet answered.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_sender()?;
    /// let _ = server.handle_input(now, b"RCPT TO:<b@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_recipient()?;
    /// let _ = server.handle_input(now, b"DATA\r\nhi\r\n.\r\n");
    /// let mut end = None;
    /// while let Some(event) = server.poll_event() {
    ///     if let Event::MessageEnd(e) = event { end = Some(e); }
    /// }
    /// assert_eq!(end.unwrap().size, 4);
    /// server.reject_message(Reply::new(ReplyCode::TRANSACTION_FAILED, EnhancedStatus::new(5, 7, 1), "Spam"))?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"554 5.7.1 Spam\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no message decision is pending.
    pub fn reject_message(&mut self, reply: Reply<'_>) -> Result<(), DecisionError> {
        let reply = refusal(reply, ReplyCode::TRANSACTION_FAILED, status(5, 6, 0)).into_owned();
        self.decide_all(Some(reply))
    }

    /// LMTP: accepts the message for recipient `index` (`0..` in the order
    /// the recipients were accepted; see [`MessageEnd::recipients`]). The
    /// replies go out in recipient order as soon as the ones before are
    /// decided. In SMTP mode, for index 0, the same as
    /// [`accept_message`](Self::accept_message).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_sender()?;
    /// let _ = server.handle_input(now, b"RCPT TO:<b@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_recipient()?;
    /// let _ = server.handle_input(now, b"DATA\r\nhi\r\n.\r\n");
    /// let mut end = None;
    /// while let Some(event) = server.poll_event() {
    ///     if let Event::MessageEnd(e) = event { end = Some(e); }
    /// }
    /// assert_eq!(end.unwrap().size, 4);
    /// // In SMTP mode there is one reply, index 0.
    /// assert!(server.accept_message_for(1).is_err());
    /// server.accept_message_for(0)?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"250 2.6.0 Message accepted\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no message decision is pending, or `index` is
    /// out of range or already decided.
    pub fn accept_message_for(&mut self, index: usize) -> Result<(), DecisionError> {
        self.decide_one(index, None)
    }

    /// LMTP: refuses the message for recipient `index` with `reply`; see
    /// [`accept_message_for`](Self::accept_message_for).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_sender()?;
    /// let _ = server.handle_input(now, b"RCPT TO:<b@example.org>\r\n");
    /// while server.poll_event().is_some() {}
    /// server.accept_recipient()?;
    /// let _ = server.handle_input(now, b"DATA\r\nhi\r\n.\r\n");
    /// let mut end = None;
    /// while let Some(event) = server.poll_event() {
    ///     if let Event::MessageEnd(e) = event { end = Some(e); }
    /// }
    /// assert_eq!(end.unwrap().size, 4);
    /// server.reject_message_for(0, Reply::new(ReplyCode::INSUFFICIENT_STORAGE, EnhancedStatus::new(4, 2, 2), "Over quota"))?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"452 4.2.2 Over quota\r\n"));
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`accept_message_for`](Self::accept_message_for).
    pub fn reject_message_for(
        &mut self,
        index: usize,
        reply: Reply<'_>,
    ) -> Result<(), DecisionError> {
        let reply = refusal(reply, ReplyCode::TRANSACTION_FAILED, status(5, 6, 0)).into_owned();
        self.decide_one(index, Some(reply))
    }

    fn message_accepted_reply(&self) -> Reply<'static> {
        if self.config.lmtp {
            Reply::new(
                ReplyCode::OK,
                Some(EnhancedStatus::RECIPIENT_OK),
                "Delivered",
            )
        } else {
            Reply::new(
                ReplyCode::OK,
                Some(EnhancedStatus::MESSAGE_OK),
                "Message accepted",
            )
        }
    }

    fn decide_all(&mut self, reply: Option<Reply<'static>>) -> Result<(), DecisionError> {
        if self.pending != Some(Pending::Message) {
            return Err(DecisionError {
                expected: "message decision",
            });
        }
        let reply = reply.unwrap_or_else(|| self.message_accepted_reply());
        for slot in &mut self.lmtp_replies {
            if slot.is_none() {
                *slot = Some(reply.clone());
            }
        }
        self.flush_message_replies();
        Ok(())
    }

    fn decide_one(
        &mut self,
        index: usize,
        reply: Option<Reply<'static>>,
    ) -> Result<(), DecisionError> {
        let free = self.pending == Some(Pending::Message)
            && self.lmtp_replies.get(index).is_some_and(Option::is_none);
        if !free {
            return Err(DecisionError {
                expected: "message decision for this recipient",
            });
        }
        self.lmtp_replies[index] = Some(reply.unwrap_or_else(|| self.message_accepted_reply()));
        self.flush_message_replies();
        Ok(())
    }

    /// Sends the message replies decided so far, in order; ends the
    /// transaction once all are out.
    fn flush_message_replies(&mut self) {
        while let Some(Some(reply)) = self.lmtp_replies.get(self.lmtp_sent) {
            let reply = reply.clone();
            self.reply(&reply);
            self.lmtp_sent += 1;
        }
        if self.lmtp_sent == self.lmtp_replies.len() {
            self.lmtp_replies.clear();
            self.lmtp_sent = 0;
            self.pending = None;
            self.anchor = None;
            self.txn = Transaction::default();
            self.process();
        }
    }

    /// Accepts the credentials of [`Event::Auth`]:
    /// `235 2.7.0 Authentication successful`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # config.implicit_tls = true;
    /// # config.auth_mechanisms = vec![mailwire_smtp::types::Mechanism::Plain];
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// use mailwire_smtp::sasl::Credentials;
    /// let _ = server.handle_input(now, b"EHLO c\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     if let Event::Auth(request) = event {
    ///         let Credentials::Password { username, password, .. } = request.credentials else { panic!() };
    ///         assert_eq!((username.as_str(), password.expose()), ("tim", "tanstaaftanstaaf"));
    ///         server.accept_auth()?;
    ///     }
    /// }
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"235 2.7.0 Authentication successful\r\n"));
    /// assert!(server.is_authenticated());
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no authentication decision is pending.
    pub fn accept_auth(&mut self) -> Result<(), DecisionError> {
        self.take_pending(Pending::Auth, "authentication decision")?;
        self.authenticated = true;
        self.reply(&Reply::new(
            ReplyCode::AUTH_SUCCEEDED,
            Some(EnhancedStatus::SECURITY_OK),
            "Authentication successful",
        ));
        self.process();
        Ok(())
    }

    /// Refuses the credentials of [`Event::Auth`] with `reply` (usually
    /// `535 5.7.8`, or `454 4.7.0` for a temporary failure; a code other
    /// than 4yz/5yz is replaced by `535 5.7.8`). Counts as an error
    /// towards `limits.max_errors`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # config.implicit_tls = true;
    /// # config.auth_mechanisms = vec![mailwire_smtp::types::Mechanism::Plain];
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"EHLO c\r\nAUTH PLAIN AHRpbQB3cm9uZw==\r\n");
    /// while server.poll_event().is_some() {}
    /// server.reject_auth(Reply::new(ReplyCode::AUTH_INVALID, Some(EnhancedStatus::AUTH_INVALID), "Bad credentials"))?;
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"535 5.7.8 Bad credentials\r\n"));
    /// assert!(!server.is_authenticated());
    /// # Ok::<(), mailwire_smtp::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no authentication decision is pending.
    pub fn reject_auth(&mut self, reply: Reply<'_>) -> Result<(), DecisionError> {
        self.take_pending(Pending::Auth, "authentication decision")?;
        let reply = refusal(reply, ReplyCode::AUTH_INVALID, EnhancedStatus::AUTH_INVALID);
        self.client_error(&reply, ProtocolError::Auth(AuthFailure::Refused));
        self.process();
        Ok(())
    }

    // ------------------------------------------------------------------
    // Outputs
    // ------------------------------------------------------------------

    /// The next event, if any. Taking events lets the server go on with
    /// input it held back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_smtp::server::{Server, ServerConfig};
    /// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), Instant::now());
    /// assert!(server.poll_event().is_none());
    /// ```
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front()?;
        if let Event::Data(chunk) = &event {
            self.queued_data -= chunk.len();
        }
        self.process();
        Some(event)
    }

    /// Appends the bytes to send to `buf`; returns how many. Taking output
    /// lets the server go on with input it held back, which may produce
    /// more events: poll them again when this returned more than 0.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_smtp::server::{Server, ServerConfig};
    /// let mut server = Server::new(Arc::new(ServerConfig::new("mx.example.org")), Instant::now());
    /// let mut out = BytesMut::new();
    /// assert_eq!(server.poll_output(&mut out), 26);
    /// assert_eq!(server.poll_output(&mut out), 0);
    /// ```
    #[must_use = "the bytes must be sent"]
    pub fn poll_output(&mut self, buf: &mut BytesMut) -> usize {
        let n = self.out.len();
        if n > 0 {
            buf.extend_from_slice(&self.out);
            self.out.clear();
            self.out_taken += n as u64;
            if let Some(SyncPoint {
                mark: Some(mark), ..
            }) = self.sync
                && mark <= self.out_taken
            {
                self.sync = None;
            }
            self.process();
        }
        n
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next:
    /// the deadline of the current wait (for the client, or for the
    /// application's decision, which the client waits for as long), or a
    /// time already past after a decision, to restart the timer. `None`
    /// once closed and during the TLS handshake.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// assert_eq!(server.poll_timeout(), Some(now + std::time::Duration::from_secs(300)));
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if matches!(self.input, Input::Closed | Input::Tls) {
            return None;
        }
        let Some(anchor) = self.anchor else {
            return Some(self.last_now);
        };
        let t = &self.config.timeouts;
        let wait = match (self.pending, self.input) {
            (Some(Pending::Message), _) => t.data_termination,
            (Some(_), _) => t.command,
            (None, Input::Data | Input::Bdat { .. }) => t.data_block,
            (None, _) => t.command,
        };
        anchor.checked_add(wait)
    }

    /// Whether the session is over: send the output left, then close the
    /// connection.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"QUIT\r\n");
    /// assert!(server.is_closed());
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Whether the connection is TLS (implicit, or after `STARTTLS`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// assert!(!server.is_tls());
    /// ```
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the client authenticated.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// assert!(!server.is_authenticated());
    /// ```
    #[must_use]
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Whether to read more from the connection now: false when the
    /// receive buffer is full (drain events and output first), during the
    /// TLS handshake and once closed.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// assert!(server.wants_input());
    /// ```
    #[must_use]
    pub fn wants_input(&self) -> bool {
        match self.input {
            Input::Closed | Input::Tls => false,
            _ => self.rx.len() < self.rx_limit,
        }
    }

    /// Bytes held: received input not yet processed plus output not yet
    /// taken.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// assert_eq!(server.buffered_len(), 26); // the greeting
    /// let _ = server.poll_output(&mut out);
    /// assert_eq!(server.buffered_len(), 0);
    /// ```
    #[must_use]
    pub fn buffered_len(&self) -> usize {
        self.rx.len() + self.out.len()
    }

    /// Memory reserved by the receive and output buffers (their
    /// capacities), for checking that it stays bounded.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// assert!(server.buffer_capacity() <= 128 * 1024);
    /// ```
    #[must_use]
    pub fn buffer_capacity(&self) -> usize {
        self.rx.capacity() + self.out.capacity()
    }

    /// Input bytes processed (or discarded) so far, counted over every
    /// [`handle_input`](Self::handle_input) call: the stream position of
    /// the next byte to be processed.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_smtp::server::{Event, Server, ServerConfig};
    /// # use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    /// # let now = Instant::now();
    /// # let mut config = ServerConfig::new("mx.example.org");
    /// # config.pipelining = mailwire_smtp::server::PipeliningPolicy::Allow;
    /// # let mut server = Server::new(Arc::new(config), now);
    /// # let mut out = BytesMut::new();
    /// let _ = server.handle_input(now, b"NOOP\r\nNO");
    /// assert_eq!(server.input_processed(), 6);
    /// ```
    #[must_use]
    pub fn input_processed(&self) -> u64 {
        self.received - self.rx.len() as u64
    }

    // ------------------------------------------------------------------
    // Processing
    // ------------------------------------------------------------------

    fn can_progress(&self) -> bool {
        self.pending.is_none()
            && self.closed.is_none()
            && self.out.len() < OUTPUT_HIGH_WATER
            && self.events.len() < MAX_EVENTS
            && self.queued_data < self.rx_limit
    }

    /// Works through the received input until it is used up or something
    /// blocks (a decision, undrained output or events).
    fn process(&mut self) {
        while self.can_progress() {
            let progressed = match self.input {
                Input::Command | Input::AuthLine => self.step_line(),
                Input::Data => self.step_data(),
                Input::Bdat { .. } => self.step_bdat(),
                Input::Tls | Input::Closed => {
                    self.rx.clear();
                    false
                }
            };
            if !progressed {
                break;
            }
        }
    }

    fn line_limit(&self) -> usize {
        let command = self.config.limits.max_command_line;
        if self.input == Input::AuthLine || self.auth_available() {
            command.max(AUTH_LINE_MAX)
        } else {
            command
        }
    }

    fn step_line(&mut self) -> bool {
        let limit = self.line_limit();
        self.framer.set_max_length(limit);
        let Some(line) = self.framer.next_line(&mut self.rx) else {
            return false;
        };
        match line {
            Ok(line) if self.input == Input::AuthLine => self.on_auth_line(&line),
            Ok(line) => self.on_command(line),
            Err(error) if self.input == Input::AuthLine => {
                let (reply, failure) = if matches!(error.kind(), ErrorKind::LineTooLong { .. }) {
                    (
                        Reply::new(
                            ReplyCode::SYNTAX_ERROR,
                            Some(EnhancedStatus::AUTH_LINE_TOO_LONG),
                            "Error: authentication line too long",
                        ),
                        AuthFailure::LineTooLong,
                    )
                } else {
                    (
                        Reply::new(
                            ReplyCode::PARAMETER_SYNTAX_ERROR,
                            Some(S_SYNTAX),
                            "Error: bare CR or LF in authentication line",
                        ),
                        AuthFailure::Malformed(SaslError::Base64),
                    )
                };
                self.end_auth();
                self.client_error(&reply, ProtocolError::Auth(failure));
            }
            Err(error) => {
                let (text, err) = if matches!(error.kind(), ErrorKind::LineTooLong { .. }) {
                    ("Error: line too long", ProtocolError::LineTooLong)
                } else if error.kind() == ErrorKind::BareLf {
                    ("Error: bare <LF> received", ProtocolError::BareLineEnding)
                } else {
                    ("Error: bare <CR> received", ProtocolError::BareLineEnding)
                };
                let reply = Reply::new(ReplyCode::SYNTAX_ERROR, Some(S_SYNTAX), text);
                self.client_error(&reply, err);
            }
        }
        true
    }

    fn step_data(&mut self) -> bool {
        let Some(event) = self.dot.decode(&mut self.rx) else {
            return false;
        };
        match event {
            DotEvent::Data(chunk) => {
                if self.defect.is_none() {
                    self.txn.size += chunk.len() as u64;
                    self.emit_data(chunk);
                }
            }
            DotEvent::Defect(error) => {
                if self.defect.is_none() {
                    self.defect = Some(match error.kind() {
                        ErrorKind::LimitExceeded { .. } => AbortReason::MessageTooBig,
                        _ => AbortReason::BareLineEnding,
                    });
                }
            }
            DotEvent::End => {
                self.input = Input::Command;
                self.framer.reset();
                match self.defect.take() {
                    Some(reason) => {
                        let reply = match reason {
                            AbortReason::MessageTooBig => Reply::new(
                                ReplyCode::EXCEEDED_STORAGE,
                                Some(EnhancedStatus::MESSAGE_TOO_BIG),
                                "Error: message too big",
                            ),
                            _ => Reply::new(
                                ReplyCode::MAILBOX_UNAVAILABLE,
                                Some(status(5, 6, 0)),
                                "Error: bare CR or LF in message data",
                            ),
                        };
                        self.reply(&reply);
                        self.abort_transaction(reason);
                    }
                    None => self.message_end(false),
                }
            }
        }
        true
    }

    fn step_bdat(&mut self) -> bool {
        let Input::Bdat {
            remaining,
            size,
            last,
        } = self.input
        else {
            return false;
        };
        if remaining > 0 {
            if self.rx.is_empty() {
                return false;
            }
            let n = usize::try_from(remaining).map_or(self.rx.len(), |r| r.min(self.rx.len()));
            let chunk = self.rx.split_to(n).freeze();
            self.framer.advance_offset(n);
            let remaining = remaining - n as u64;
            self.input = Input::Bdat {
                remaining,
                size,
                last,
            };
            if self.defect.is_none() {
                self.emit_data(chunk);
            }
            if remaining > 0 {
                return true;
            }
        }
        self.input = Input::Command;
        self.framer.reset();
        match self.defect.take() {
            Some(reason) => self.bdat_refused(reason),
            None if last => {
                self.txn.size += size;
                self.message_end(true);
            }
            None => {
                self.txn.size += size;
                let text = format!("{size} octets received");
                self.reply(&Reply::new(ReplyCode::OK, Some(S_OK), text));
            }
        }
        true
    }

    /// Answers a refused chunk after its bytes were consumed.
    fn bdat_refused(&mut self, reason: AbortReason) {
        if reason == AbortReason::MessageTooBig {
            self.reply(&Reply::new(
                ReplyCode::EXCEEDED_STORAGE,
                Some(EnhancedStatus::MESSAGE_TOO_BIG),
                "Error: message too big",
            ));
            self.abort_transaction(AbortReason::MessageTooBig);
        } else {
            // The sequence error chosen when the command was read.
            let reply = self.bdat_error.take().unwrap_or_else(|| {
                Reply::new(
                    ReplyCode::BAD_SEQUENCE,
                    Some(S_INVALID_COMMAND),
                    "Error: BDAT refused",
                )
            });
            self.client_error(&reply, ProtocolError::BadSequence { command: "BDAT" });
            self.abort_transaction(AbortReason::ChunkRefused);
        }
    }

    fn emit_data(&mut self, chunk: Bytes) {
        if !chunk.is_empty() {
            self.queued_data += chunk.len();
            self.events.push_back(Event::Data(chunk));
        }
    }

    fn message_end(&mut self, chunked: bool) {
        let recipients = self.txn.recipients;
        let slots = if self.config.lmtp { recipients } else { 1 };
        self.lmtp_replies = vec![None; slots];
        self.lmtp_sent = 0;
        self.pending = Some(Pending::Message);
        self.events.push_back(Event::MessageEnd(MessageEnd {
            size: self.txn.size,
            recipients,
            chunked,
        }));
    }

    /// Ends the transaction; tells the application if it knew of it.
    fn abort_transaction(&mut self, reason: AbortReason) {
        if self.txn.active {
            self.events.push_back(Event::TransactionAborted(reason));
        }
        self.txn = Transaction::default();
    }

    // ------------------------------------------------------------------
    // Replies, errors, closing
    // ------------------------------------------------------------------

    /// Queues a reply; strips enhanced status codes when they are not
    /// offered.
    fn reply(&mut self, reply: &Reply<'_>) {
        let before = self.out.len();
        let stripped;
        let reply = if reply.status().is_some() && !self.config.extensions.enhanced_status_codes {
            stripped = Reply::new(reply.code(), None, reply.text());
            &stripped
        } else {
            reply
        };
        if reply.encode(&mut self.out).is_err() {
            // Text the encoder refuses (CR, NUL, ...): the code alone.
            let text = if reply.code().is_positive() {
                "OK"
            } else {
                "Error"
            };
            let fallback = Reply::new(reply.code(), reply.status(), text);
            let _ = fallback.encode(&mut self.out);
        }
        self.out_total += (self.out.len() - before) as u64;
        if let Some(sync) = &mut self.sync
            && sync.mark.is_none()
        {
            sync.mark = Some(self.out_total);
        }
    }

    /// Answers a client mistake and counts it; closes with `421 4.7.0` at
    /// `limits.max_errors`.
    fn client_error(&mut self, reply: &Reply<'_>, error: ProtocolError) {
        self.reply(reply);
        self.errors += 1;
        self.events.push_back(Event::ProtocolError(error));
        if self.errors >= self.config.limits.max_errors && self.closed.is_none() {
            let text = format!("{} Error: too many errors", self.config.hostname);
            self.reply(&Reply::new(
                ReplyCode::SERVICE_NOT_AVAILABLE,
                Some(EnhancedStatus::TEMPORARY_SECURITY),
                text,
            ));
            self.shut(CloseReason::TooManyErrors);
        }
    }

    fn shut(&mut self, reason: CloseReason) {
        if self.closed.is_some() {
            return;
        }
        self.abort_transaction(AbortReason::Closed);
        self.pending = None;
        self.auth = None;
        self.sync = None;
        self.input = Input::Closed;
        self.rx.clear();
        self.closed = Some(reason);
        self.events.push_back(Event::Closed(reason));
    }

    fn report_discarded(&mut self, discarded: usize) {
        if discarded > 0 {
            self.events
                .push_back(Event::ProtocolError(ProtocolError::InputAfterStartTls {
                    discarded,
                }));
        }
    }

    // ------------------------------------------------------------------
    // Pipelining synchronization (RFC 2920 section 3.1)
    // ------------------------------------------------------------------

    /// Whether input arriving now comes ahead of time.
    fn sync_blocks_input(&self) -> bool {
        match self.sync {
            None => false,
            Some(SyncPoint { mark: None, .. }) => true,
            Some(SyncPoint {
                mark: Some(mark), ..
            }) => self.out_taken < mark,
        }
    }

    fn pipelining_allowed(&self) -> bool {
        self.config.extensions.pipelining
            && matches!(self.greeted, Some(HelloKind::Ehlo | HelloKind::Lhlo))
    }

    /// Input arrived ahead of time: record it and apply the policy.
    fn pipelining_violation(&mut self, after: &'static str) {
        self.sync = None;
        self.events
            .push_back(Event::ProtocolError(ProtocolError::Pipelining { after }));
        match self.config.pipelining {
            PipeliningPolicy::Allow => {}
            PipeliningPolicy::Reject => self.reject_next = true,
            PipeliningPolicy::Disconnect => {
                self.reply(&Reply::new(
                    ReplyCode::TRANSACTION_FAILED,
                    Some(S_PIPELINING),
                    "Error: SMTP protocol synchronization",
                ));
                self.shut(CloseReason::Pipelining);
            }
        }
    }

    /// For a command that must end a group: was more input already
    /// received? Returns true when the command must not run.
    fn check_sync(&mut self, verb: &'static str, must_be_last: bool) -> bool {
        if self.config.pipelining == PipeliningPolicy::Allow {
            return false;
        }
        if self.reject_next {
            self.reject_next = false;
            self.improper_pipelining();
            return true;
        }
        if !must_be_last {
            return false;
        }
        if !self.rx.is_empty() {
            self.events
                .push_back(Event::ProtocolError(ProtocolError::Pipelining {
                    after: verb,
                }));
            match self.config.pipelining {
                PipeliningPolicy::Reject => self.improper_pipelining(),
                _ => {
                    self.reply(&Reply::new(
                        ReplyCode::TRANSACTION_FAILED,
                        Some(S_PIPELINING),
                        "Error: SMTP protocol synchronization",
                    ));
                    self.shut(CloseReason::Pipelining);
                }
            }
            return true;
        }
        self.sync = Some(SyncPoint {
            after: verb,
            mark: None,
        });
        false
    }

    fn improper_pipelining(&mut self) {
        let reply = Reply::new(
            ReplyCode::BAD_SEQUENCE,
            Some(S_PIPELINING),
            "Improper use of SMTP command pipelining",
        );
        self.client_error(
            &reply,
            ProtocolError::BadSequence {
                command: "pipelining",
            },
        );
    }

    // ------------------------------------------------------------------
    // Commands
    // ------------------------------------------------------------------

    fn bad_sequence(&mut self, command: &'static str, code: ReplyCode, text: &str) {
        let reply = Reply::new(code, Some(S_INVALID_COMMAND), text);
        self.client_error(&reply, ProtocolError::BadSequence { command });
    }

    fn unsupported_parameter(&mut self) {
        let reply = Reply::new(
            ReplyCode::PARAMETERS_NOT_RECOGNIZED,
            Some(S_BAD_ARGS),
            "Error: unsupported MAIL/RCPT parameter",
        );
        self.client_error(&reply, ProtocolError::UnsupportedParameter);
    }

    fn hello_first(&self) -> &'static str {
        if self.config.lmtp {
            "Error: send LHLO first"
        } else {
            "Error: send HELO/EHLO first"
        }
    }

    fn on_command(&mut self, line: Line) {
        let content = line.into_content();
        // An AUTH line may be long (with its initial response); no other.
        let is_auth = content
            .get(..5)
            .is_some_and(|v| v.eq_ignore_ascii_case(b"AUTH "));
        if !is_auth && content.len() + 2 > self.config.limits.max_command_line {
            let reply = Reply::new(
                ReplyCode::SYNTAX_ERROR,
                Some(S_SYNTAX),
                "Error: line too long",
            );
            self.client_error(&reply, ProtocolError::LineTooLong);
            return;
        }
        let command = match Command::parse(&content) {
            Ok(command) => command,
            Err(error) => {
                let code = ReplyCode::new(error.reply_code()).unwrap_or(ReplyCode::SYNTAX_ERROR);
                let text = format!("Error: {error}");
                let reply = Reply::new(code, EnhancedStatus::parse(error.enhanced_status()), text);
                self.client_error(&reply, ProtocolError::Syntax(error));
                return;
            }
        };
        let verb = command.verb();
        let must_be_last = match command {
            // A chunk follows BDAT at once (RFC 3030 section 2).
            Command::Quit | Command::StartTls | Command::Bdat { .. } => false,
            Command::Helo { .. }
            | Command::Ehlo { .. }
            | Command::Lhlo { .. }
            | Command::Data
            | Command::Vrfy { .. }
            | Command::Expn { .. }
            | Command::Noop { .. }
            | Command::Help { .. }
            | Command::Auth { .. } => true,
            _ => !self.pipelining_allowed(),
        };
        let exempt = matches!(command, Command::Quit | Command::StartTls);
        if !exempt && self.check_sync(verb, must_be_last) {
            return;
        }
        match command {
            Command::Helo { .. } | Command::Ehlo { .. } | Command::Lhlo { .. } => {
                self.on_hello(content.clone());
            }
            Command::Mail {
                reverse_path,
                params,
            } => {
                if self.mail_allowed(&reverse_path, &params) {
                    self.pending = Some(Pending::Sender);
                    self.events
                        .push_back(Event::Mail(MailFrom::from_line_unchecked(content.clone())));
                }
            }
            Command::Rcpt {
                forward_path,
                params,
            } => {
                if self.rcpt_allowed(&forward_path, &params) {
                    self.txn.rcpt_tried = true;
                    self.pending = Some(Pending::Recipient);
                    self.events
                        .push_back(Event::Recipient(RcptTo::from_line_unchecked(
                            content.clone(),
                        )));
                }
            }
            Command::Data => self.on_data(),
            Command::Bdat { size, last } => self.on_bdat(size, last),
            Command::Rset => {
                self.abort_transaction(AbortReason::Reset);
                self.reply(&Reply::new(ReplyCode::OK, Some(S_OK), "OK"));
            }
            Command::Noop { .. } => self.reply(&Reply::new(ReplyCode::OK, Some(S_OK), "OK")),
            Command::Help { .. } => self.reply(&Reply::new(
                ReplyCode::HELP,
                Some(S_OK),
                "See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)",
            )),
            Command::Vrfy { .. } => self.reply(&Reply::new(
                ReplyCode::CANNOT_VERIFY,
                Some(S_OK),
                "Cannot VRFY user, but will accept message and attempt delivery",
            )),
            Command::Expn { .. } => self.reply(&Reply::new(
                ReplyCode::NOT_IMPLEMENTED,
                Some(S_INVALID_COMMAND),
                "Error: EXPN not available",
            )),
            Command::Quit => {
                let text = format!("{} closing connection", self.config.hostname);
                self.reply(&Reply::new(ReplyCode::CLOSING, Some(S_OK), text));
                self.shut(CloseReason::Quit);
            }
            Command::StartTls => self.on_starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.on_auth(mechanism, initial_response),
            // Command is non-exhaustive for the crate's own future verbs.
            #[allow(unreachable_patterns)]
            _ => {
                let reply = Reply::new(
                    ReplyCode::NOT_IMPLEMENTED,
                    Some(S_INVALID_COMMAND),
                    "Error: command not implemented",
                );
                self.client_error(&reply, ProtocolError::BadSequence { command: verb });
            }
        }
    }

    fn on_hello(&mut self, line: Bytes) {
        let Some(hello) = Hello::from_line(line) else {
            return;
        };
        let kind = hello.kind();
        if self.config.lmtp != (kind == HelloKind::Lhlo) {
            let (code, text) = if self.config.lmtp {
                (ReplyCode::SYNTAX_ERROR, "Error: this is LMTP, send LHLO")
            } else {
                (ReplyCode::SYNTAX_ERROR, "Error: command not recognized")
            };
            let reply = Reply::new(code, Some(S_INVALID_COMMAND), text);
            self.client_error(
                &reply,
                ProtocolError::BadSequence {
                    command: match kind {
                        HelloKind::Helo => "HELO",
                        HelloKind::Ehlo => "EHLO",
                        HelloKind::Lhlo => "LHLO",
                    },
                },
            );
            return;
        }
        self.abort_transaction(AbortReason::Hello);
        self.greeted = Some(kind);
        if kind == HelloKind::Helo {
            let reply = Reply::new(ReplyCode::OK, None, self.config.hostname.clone());
            self.reply(&reply);
        } else {
            let reply = self.capabilities();
            self.reply(&reply);
        }
        self.events.push_back(Event::Hello(hello));
    }

    fn auth_available(&self) -> bool {
        !self.authenticated
            && (!self.config.auth_requires_tls || self.tls)
            && self.offered_mechanisms().next().is_some()
    }

    fn offered_mechanisms(&self) -> impl Iterator<Item = Mechanism<'static>> + '_ {
        self.config
            .auth_mechanisms
            .iter()
            .copied()
            .filter(|m| match m {
                Mechanism::Plain | Mechanism::Login | Mechanism::XOAuth2 => true,
                Mechanism::CramMd5 => self.cram_nonce.is_some(),
                _ => false,
            })
    }

    fn capabilities(&self) -> Reply<'static> {
        let ext = &self.config.extensions;
        let mut caps = Capabilities {
            domain: &self.config.hostname,
            greeting: "Hello",
            ..Capabilities::default()
        };
        caps.pipelining = ext.pipelining;
        caps.size = ext.size.then_some(self.config.limits.max_message_size);
        caps.eight_bit_mime = ext.eight_bit_mime;
        caps.chunking = ext.chunking;
        caps.binary_mime = ext.binary_mime && ext.chunking;
        caps.smtputf8 = ext.smtputf8;
        caps.dsn = ext.dsn;
        caps.enhanced_status_codes = ext.enhanced_status_codes;
        caps.starttls = ext.starttls && !self.tls;
        caps.requiretls = ext.requiretls && self.tls;
        if self.auth_available() {
            caps.auth = self.offered_mechanisms().collect();
        }
        caps.to_reply()
    }

    /// Checks a `MAIL` command; answers it when it is refused.
    fn mail_allowed(&mut self, reverse_path: &ReversePath<'_>, params: &MailParams<'_>) -> bool {
        if self.greeted.is_none() {
            let text = self.hello_first();
            self.bad_sequence("MAIL", ReplyCode::BAD_SEQUENCE, text);
            return false;
        }
        if self.config.auth_required && !self.authenticated {
            let reply = Reply::new(
                ReplyCode::AUTH_REQUIRED,
                Some(EnhancedStatus::SECURITY),
                "Error: authentication required",
            );
            self.client_error(&reply, ProtocolError::BadSequence { command: "MAIL" });
            return false;
        }
        if self.txn.active {
            self.bad_sequence(
                "MAIL",
                ReplyCode::BAD_SEQUENCE,
                "Error: nested MAIL command",
            );
            return false;
        }
        if !self.mail_params_supported(params) {
            self.unsupported_parameter();
            return false;
        }
        if params
            .size
            .is_some_and(|size| size > self.config.limits.max_message_size)
        {
            self.reply(&Reply::new(
                ReplyCode::EXCEEDED_STORAGE,
                Some(EnhancedStatus::MESSAGE_TOO_BIG),
                "Error: message too big",
            ));
            return false;
        }
        if !params.smtputf8 && reverse_path.mailbox().is_some_and(|m| !is_ascii(m)) {
            self.non_ascii();
            return false;
        }
        self.txn = Transaction {
            smtputf8: params.smtputf8,
            binary: params.body == Some(Body::BinaryMime),
            ..Transaction::default()
        };
        true
    }

    fn non_ascii(&mut self) {
        self.reply(&Reply::new(
            ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
            Some(EnhancedStatus::NON_ASCII_ADDRESS),
            "Error: non-ASCII address needs SMTPUTF8",
        ));
    }

    fn esmtp(&self) -> bool {
        matches!(self.greeted, Some(HelloKind::Ehlo | HelloKind::Lhlo))
    }

    fn mail_params_supported(&self, p: &MailParams<'_>) -> bool {
        let ext = &self.config.extensions;
        if p.raw.is_empty() {
            return true;
        }
        self.esmtp()
            && p.unknown().next().is_none()
            && (p.size.is_none() || ext.size)
            && match p.body {
                None | Some(Body::SevenBit) => true,
                Some(Body::EightBitMime) => ext.eight_bit_mime,
                Some(Body::BinaryMime) => ext.binary_mime && ext.chunking,
            }
            && (!p.smtputf8 || ext.smtputf8)
            && (p.ret.is_none() && p.envid.is_none() || ext.dsn)
            && (p.auth.is_none() || !self.config.auth_mechanisms.is_empty())
            && (!p.requiretls || ext.requiretls && self.tls)
            && p.mt_priority.is_none()
            && p.hold.is_none()
            && p.by.is_none()
    }

    fn rcpt_params_supported(&self, p: &RcptParams<'_>) -> bool {
        p.raw.is_empty()
            || self.esmtp()
                && p.unknown().next().is_none()
                && (p.notify.is_none() && p.orcpt.is_none() || self.config.extensions.dsn)
    }

    /// Checks a `RCPT` command; answers it when it is refused.
    fn rcpt_allowed(&mut self, forward_path: &ForwardPath<'_>, params: &RcptParams<'_>) -> bool {
        if !self.txn.active {
            self.bad_sequence("RCPT", ReplyCode::BAD_SEQUENCE, "Error: need MAIL command");
            return false;
        }
        if self.txn.chunked {
            self.bad_sequence("RCPT", ReplyCode::BAD_SEQUENCE, "Error: BDAT in progress");
            return false;
        }
        if !self.rcpt_params_supported(params) {
            self.unsupported_parameter();
            return false;
        }
        if self.txn.recipients >= self.config.limits.max_recipients {
            self.txn.rcpt_tried = true;
            self.reply(&Reply::new(
                ReplyCode::INSUFFICIENT_STORAGE,
                Some(EnhancedStatus::TOO_MANY_RECIPIENTS),
                "Error: too many recipients",
            ));
            return false;
        }
        if !self.txn.smtputf8 && forward_path.mailbox().is_some_and(|m| !is_ascii(m)) {
            self.txn.rcpt_tried = true;
            self.non_ascii();
            return false;
        }
        true
    }

    /// Why the transaction cannot take message data now, if it cannot.
    fn data_refusal(&self, bdat: bool) -> Option<(ReplyCode, &'static str)> {
        if !self.txn.active {
            Some((ReplyCode::BAD_SEQUENCE, "Error: need MAIL command"))
        } else if !bdat && self.txn.chunked {
            Some((ReplyCode::BAD_SEQUENCE, "Error: DATA after BDAT"))
        } else if !bdat && self.txn.binary {
            Some((ReplyCode::BAD_SEQUENCE, "Error: BODY=BINARYMIME needs BDAT"))
        } else if self.txn.recipients == 0 && !self.txn.rcpt_tried {
            Some((ReplyCode::BAD_SEQUENCE, "Error: need RCPT command"))
        } else if self.txn.recipients == 0 {
            Some((ReplyCode::TRANSACTION_FAILED, "Error: no valid recipients"))
        } else {
            None
        }
    }

    fn on_data(&mut self) {
        if let Some((code, text)) = self.data_refusal(false) {
            self.bad_sequence("DATA", code, text);
            return;
        }
        self.reply(&Reply::new(
            ReplyCode::START_MAIL_INPUT,
            None,
            "End data with <CR><LF>.<CR><LF>",
        ));
        let limit = self
            .config
            .limits
            .max_message_size
            .saturating_sub(self.txn.size);
        self.dot = DotDecoder::new()
            .bare_lf(self.config.bare_lf)
            .bare_cr(self.config.bare_cr)
            .max_size(limit);
        self.defect = None;
        self.input = Input::Data;
    }

    fn on_bdat(&mut self, size: u64, last: bool) {
        // The chunk's bytes are read whatever the answer, so that they are
        // never taken for commands (RFC 3030 section 2).
        self.input = Input::Bdat {
            remaining: size,
            size,
            last,
        };
        self.defect = None;
        self.bdat_error = None;
        let refusal = if !self.config.extensions.chunking {
            Some((ReplyCode::NOT_IMPLEMENTED, "Error: BDAT not available"))
        } else if size == 0 && !last {
            Some((
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                "Error: BDAT 0 needs LAST",
            ))
        } else {
            self.data_refusal(true)
        };
        if let Some((code, text)) = refusal {
            let status = if code == ReplyCode::PARAMETER_SYNTAX_ERROR {
                S_BAD_ARGS
            } else {
                S_INVALID_COMMAND
            };
            self.bdat_error = Some(Reply::new(code, Some(status), text));
            self.defect = Some(AbortReason::ChunkRefused);
        } else if size > self.config.limits.max_literal_size
            || self.txn.size.saturating_add(size) > self.config.limits.max_message_size
        {
            self.defect = Some(AbortReason::MessageTooBig);
        } else {
            self.txn.chunked = true;
        }
        self.framer.reset();
    }

    fn on_starttls(&mut self) {
        if !self.config.extensions.starttls || self.config.implicit_tls {
            let reply = Reply::new(
                ReplyCode::NOT_IMPLEMENTED,
                Some(S_INVALID_COMMAND),
                "Error: command not implemented",
            );
            self.client_error(
                &reply,
                ProtocolError::BadSequence {
                    command: "STARTTLS",
                },
            );
            return;
        }
        if self.tls {
            self.bad_sequence(
                "STARTTLS",
                ReplyCode::BAD_SEQUENCE,
                "Error: TLS already active",
            );
            return;
        }
        if self.txn.active {
            self.bad_sequence(
                "STARTTLS",
                ReplyCode::BAD_SEQUENCE,
                "Error: MAIL transaction in progress",
            );
            return;
        }
        self.reply(&Reply::new(
            ReplyCode::SERVICE_READY,
            Some(S_OK),
            "Ready to start TLS",
        ));
        // RFC 3207 section 4.2 and CVE-2011-0411: nothing sent in plain
        // text after STARTTLS may be taken as a command.
        let discarded = self.rx.len();
        self.rx.clear();
        self.report_discarded(discarded);
        self.input = Input::Tls;
        self.sync = None;
        self.events.push_back(Event::StartTls);
    }

    // ------------------------------------------------------------------
    // AUTH (RFC 4954)
    // ------------------------------------------------------------------

    fn on_auth(&mut self, mechanism: Mechanism<'_>, initial: Option<InitialResponse<'_>>) {
        let configured = !self.config.auth_mechanisms.is_empty();
        if !configured {
            self.bad_sequence(
                "AUTH",
                ReplyCode::BAD_SEQUENCE,
                "Error: authentication not enabled",
            );
            return;
        }
        if self.authenticated {
            self.bad_sequence(
                "AUTH",
                ReplyCode::BAD_SEQUENCE,
                "Error: already authenticated",
            );
            return;
        }
        if !self.esmtp() {
            self.bad_sequence("AUTH", ReplyCode::BAD_SEQUENCE, "Error: send EHLO first");
            return;
        }
        if self.txn.active {
            self.bad_sequence(
                "AUTH",
                ReplyCode::BAD_SEQUENCE,
                "Error: MAIL transaction in progress",
            );
            return;
        }
        if self.config.auth_requires_tls && !self.tls {
            let reply = Reply::new(
                ReplyCode::new(538).unwrap_or(ReplyCode::AUTH_REQUIRED),
                Some(EnhancedStatus::ENCRYPTION_REQUIRED),
                "Encryption required for requested authentication mechanism",
            );
            self.client_error(&reply, ProtocolError::BadSequence { command: "AUTH" });
            return;
        }
        let Some(mechanism) = self
            .offered_mechanisms()
            .find(|m| m.as_str().eq_ignore_ascii_case(mechanism.as_str()))
        else {
            let reply = Reply::new(
                ReplyCode::PARAMETER_NOT_IMPLEMENTED,
                Some(S_BAD_ARGS),
                "Error: unrecognized authentication type",
            );
            self.client_error(&reply, ProtocolError::BadSequence { command: "AUTH" });
            return;
        };
        let step = match mechanism {
            Mechanism::Login => AuthStep::LoginUser,
            Mechanism::XOAuth2 => AuthStep::XOAuth2,
            Mechanism::CramMd5 => {
                let nonce = self.cram_nonce.as_deref().unwrap_or_default();
                AuthStep::CramMd5(format!("<{nonce}@{}>", self.config.hostname))
            }
            _ => AuthStep::Plain,
        };
        self.auth = Some((mechanism, step));
        match initial {
            // CRAM-MD5 has no initial response (RFC 4954 section 4: the
            // server starts): refuse one.
            Some(_) if mechanism == Mechanism::CramMd5 => {
                self.auth_failed(
                    ReplyCode::PARAMETER_SYNTAX_ERROR,
                    S_SYNTAX,
                    "Error: CRAM-MD5 takes no initial response",
                    AuthFailure::Malformed(SaslError::Malformed("initial response")),
                );
            }
            Some(InitialResponse::Empty) => self.auth_response(Vec::new()),
            Some(InitialResponse::Base64(text)) => match sasl::decode_base64(text.as_bytes()) {
                Ok(decoded) => self.auth_response(decoded),
                Err(error) => self.auth_malformed(error),
            },
            None => self.challenge(),
        }
    }

    /// Sends the `334` challenge for the current step.
    fn challenge(&mut self) {
        let Some((_, step)) = &self.auth else {
            return;
        };
        let text = match step {
            AuthStep::Plain | AuthStep::XOAuth2 => String::new(),
            AuthStep::LoginUser => sasl::encode_base64(b"Username:"),
            AuthStep::LoginPassword(_) => sasl::encode_base64(b"Password:"),
            AuthStep::CramMd5(challenge) => sasl::encode_base64(challenge.as_bytes()),
        };
        self.reply(&Reply::new(ReplyCode::AUTH_CHALLENGE, None, text));
        self.input = Input::AuthLine;
        self.sync = (self.config.pipelining != PipeliningPolicy::Allow).then_some(SyncPoint {
            after: "AUTH",
            mark: Some(self.out_total),
        });
    }

    fn on_auth_line(&mut self, line: &Line) {
        self.input = Input::Command;
        let content = line.content();
        if content == b"*" {
            self.auth_failed(
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                S_OTHER,
                "Authentication cancelled",
                AuthFailure::Cancelled,
            );
            return;
        }
        if self.config.pipelining != PipeliningPolicy::Allow && !self.rx.is_empty() {
            // Nothing may follow a response before the server's answer.
            self.end_auth();
            self.check_sync("AUTH", true);
            return;
        }
        match sasl::decode_base64(content) {
            Ok(decoded) => self.auth_response(decoded),
            Err(error) => self.auth_malformed(error),
        }
    }

    fn end_auth(&mut self) {
        self.auth = None;
        if self.input == Input::AuthLine {
            self.input = Input::Command;
        }
    }

    fn auth_failed(
        &mut self,
        code: ReplyCode,
        status: EnhancedStatus,
        text: &str,
        failure: AuthFailure,
    ) {
        self.end_auth();
        self.client_error(
            &Reply::new(code, Some(status), text),
            ProtocolError::Auth(failure),
        );
    }

    fn auth_malformed(&mut self, error: SaslError) {
        self.auth_failed(
            ReplyCode::PARAMETER_SYNTAX_ERROR,
            S_SYNTAX,
            "Error: malformed authentication response",
            AuthFailure::Malformed(error),
        );
    }

    /// A decoded client response for the current step.
    fn auth_response(&mut self, decoded: Vec<u8>) {
        let Some((mechanism, step)) = self.auth.take() else {
            return;
        };
        let credentials = match step {
            AuthStep::Plain => sasl::parse_plain(&decoded),
            AuthStep::XOAuth2 => sasl::parse_xoauth2(&decoded),
            AuthStep::CramMd5(challenge) => {
                sasl::parse_cram_md5(&decoded, &challenge).map(Credentials::CramMd5)
            }
            AuthStep::LoginUser => match String::from_utf8(decoded) {
                Ok(user) if !user.is_empty() => {
                    self.auth = Some((mechanism, AuthStep::LoginPassword(user)));
                    self.challenge();
                    return;
                }
                _ => Err(SaslError::Malformed("LOGIN user name empty or not UTF-8")),
            },
            AuthStep::LoginPassword(username) => match String::from_utf8(decoded) {
                Ok(password) => Ok(Credentials::Password {
                    authzid: None,
                    username,
                    password: password.into(),
                }),
                Err(_) => Err(SaslError::Malformed("LOGIN password is not UTF-8")),
            },
        };
        match credentials {
            Ok(credentials) => {
                self.input = Input::Command;
                self.pending = Some(Pending::Auth);
                if self.config.pipelining != PipeliningPolicy::Allow {
                    self.sync = Some(SyncPoint {
                        after: "AUTH",
                        mark: None,
                    });
                }
                self.events.push_back(Event::Auth(AuthRequest {
                    mechanism,
                    credentials,
                }));
            }
            Err(error) => self.auth_malformed(error),
        }
    }
}

/// `reply` if it is a refusal (4yz or 5yz), else a default one.
fn refusal(reply: Reply<'_>, code: ReplyCode, status: EnhancedStatus) -> Reply<'_> {
    if reply.code().is_transient() || reply.code().is_permanent() {
        reply
    } else {
        Reply::new(code, Some(status), "Rejected")
    }
}

fn is_ascii(mailbox: &Mailbox<'_>) -> bool {
    mailbox.local_part().as_str().is_ascii() && mailbox.domain().as_str().is_ascii()
}
