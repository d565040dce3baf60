//! A sans-IO POP3 server state machine (RFC 1939 with CAPA, STLS, SASL
//! and UTF8: RFC 2449, 2595, 5034, 6856, and the codes of RFC 3206).
//!
//! [`Server`] holds one session's protocol state and does no I/O: the
//! application feeds it the bytes it receives and the time, takes the
//! bytes it must send, and does what needs its knowledge: checking
//! passwords, listing the maildrop, reading messages, removing the deleted
//! ones. The TRANSACTION commands that need only the maildrop's list
//! (`STAT`, `LIST`, `UIDL`, `DELE`, `RSET`, `NOOP`) are answered inside the
//! machine.
//!
//! # Call order
//!
//! 1. [`Server::new`]; then, if APOP or CRAM-MD5 is offered,
//!    [`set_nonce`](Server::set_nonce) with an unpredictable value before
//!    the first `poll_output` (the greeting is built then and carries the
//!    APOP timestamp).
//! 2. Loop:
//!    - [`poll_event`](Server::poll_event) until `None`, acting on each
//!      [`Event`]. A login ([`Event::Login`], [`Event::Apop`],
//!      [`Event::Auth`]) is answered with
//!      [`accept_login`](Server::accept_login) (giving the [`Maildrop`])
//!      or [`reject_login`](Server::reject_login); a
//!      [`Event::Retrieve`] with [`send_message`](Server::send_message)
//!      chunks and [`end_message`](Server::end_message) (or
//!      [`reject_retrieve`](Server::reject_retrieve)); an
//!      [`Event::Update`] with [`update_done`](Server::update_done) or
//!      [`update_failed`](Server::update_failed). Decisions may come now
//!      or later: the server answers no later command until then, so
//!      responses keep the order of the commands (RFC 2449 PIPELINING);
//!    - [`poll_output`](Server::poll_output) and send what it gives; if it
//!      gave something, go back to `poll_event` (taking output may let the
//!      server go on with input it held back);
//!    - while a message streams, write the next chunk only when
//!      [`wants_message_data`](Server::wants_message_data) (output is
//!      drained below a high-water mark, and `TOP` has not got its lines);
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
//! - Messages are deleted only through [`Event::Update`], which comes only
//!   after `QUIT` in the TRANSACTION state. A connection that drops (the
//!   application simply stops driving the machine), the autologout timer
//!   and [`close`](Server::close) never produce it (RFC 1939 sections 3
//!   and 6).
//! - Commands are answered in order, pipelined or not, and the same input
//!   split anywhere gives the same events and output (but for what `STLS`
//!   discards: the plain text that arrived with it).
//! - Input sent in plain text after `STLS` is discarded (RFC 2595
//!   section 4).
//! - Message bodies are dot-stuffed and their line endings made CRLF on
//!   the way out, copied once, into the output buffer; `TOP` is cut by the
//!   server after the header, the blank line and the asked number of body
//!   lines.
//! - Memory is bounded: received input held is at most
//!   [`ServerLimits::receive_buffer`]; the server stops processing
//!   commands while more than 16 KiB of output wait, and asks for message
//!   data only below that. A `LIST` or `UIDL` answer is written whole:
//!   its size follows the maildrop's.
//! - Time is passed in, never read; nothing is random (the nonce comes
//!   from the application).
//!
//! # Example: a whole session in memory
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::BytesMut;
//! use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
//!
//! let mut config = ServerConfig::new("pop.example.org");
//! config.plaintext_needs_tls = false; // a test, not the Internet
//! let now = Instant::now();
//! let mut server = Server::new(Arc::new(config), now);
//! let mut out = BytesMut::new();
//!
//! let messages: Vec<&[u8]> = vec![b"Subject: one\r\n\r\n.dot\r\n", b"Subject: two\r\n\r\nbody\r\n"];
//! let mut removed = Vec::new();
//! let mut drive = |server: &mut Server, out: &mut BytesMut| loop {
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             Event::Login(login) if login.password.expose() == "secret" => {
//!                 let infos = messages.iter().enumerate().map(|(i, m)| {
//!                     MessageInfo::new(m.len() as u64, format!("uid{i}")).unwrap()
//!                 });
//!                 server.accept_login(Maildrop::new(infos.collect()).unwrap()).unwrap();
//!             }
//!             Event::Retrieve(retr) => {
//!                 server.send_message(messages[retr.index()]).unwrap();
//!                 server.end_message().unwrap();
//!             }
//!             Event::Update(update) => {
//!                 removed.extend(update.indices());
//!                 server.update_done().unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//!     if server.poll_output(out) == 0 {
//!         break;
//!     }
//! };
//!
//! drive(&mut server, &mut out);
//! assert_eq!(&out[..], b"+OK POP3 server ready\r\n");
//! out.clear();
//!
//! for (input, response) in [
//!     (&b"USER joe\r\n"[..], &b"+OK send PASS\r\n"[..]),
//!     (b"PASS secret\r\n", b"+OK joe's maildrop has 2 messages (44 octets)\r\n"),
//!     (b"RETR 1\r\n", b"+OK 22 octets\r\nSubject: one\r\n\r\n..dot\r\n.\r\n"),
//!     (b"DELE 1\r\n", b"+OK message 1 deleted\r\n"),
//!     (b"QUIT\r\n", b"+OK pop.example.org POP3 server signing off (1 message left)\r\n"),
//! ] {
//!     assert_eq!(server.handle_input(now, input), input.len());
//!     drive(&mut server, &mut out);
//!     assert_eq!(&out[..], response, "{:?}", String::from_utf8_lossy(&out));
//!     out.clear();
//! }
//! assert!(server.is_closed());
//! assert_eq!(removed, [0]);
//! ```

mod config;
mod event;
mod maildrop;

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use mailwire_core::dot::DotEncoder;
use mailwire_core::sasl::{self, Credentials, SaslError};
use mailwire_core::{ErrorKind, Line, LineFramer};

pub use config::{Mechanism, ServerConfig, ServerLimits};
pub use event::{
    Apop, AuthFailure, AuthRequest, CloseReason, DecisionError, Event, Login, ProtocolError,
    Retrieve, Update,
};
pub use maildrop::{Maildrop, MaildropError, MessageInfo};

use crate::parse::Limits;
use crate::types::{Command, Continuation, InitialResponse, Response, ResponseCode, Status};

/// Output held before the server stops processing commands and asking
/// for message data.
const OUTPUT_HIGH_WATER: usize = 16 * 1024;
/// Events held before the server stops processing commands.
const MAX_EVENTS: usize = 64;

/// Where the input is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// Command lines.
    Command,
    /// Client lines of an `AUTH` exchange.
    AuthLine,
    /// The TLS handshake: the application owns the connection.
    Tls,
    /// Nothing more is read (after `QUIT`, or closed).
    Closed,
}

/// The session state of RFC 1939 section 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Authorization,
    Transaction,
    Update,
}

/// A decision the server waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Login,
    Update,
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

/// A message being streamed to the client.
#[derive(Debug, Clone)]
struct Retrieval {
    size: u64,
    top: Option<TopCut>,
    /// The `+OK` line is out.
    started: bool,
    /// `TOP` has its lines: further data is dropped.
    cut: bool,
    encoder: DotEncoder,
}

/// Finds where `TOP msg n` ends: after the header, the blank line, and
/// `n` body lines. Line ends are counted as the dot-stuffer writes them
/// (LF, CRLF or a bare CR each end one line), across chunk boundaries.
#[derive(Debug, Clone, Copy)]
struct TopCut {
    in_header: bool,
    line_empty: bool,
    pending_cr: bool,
    lines_left: u32,
}

impl TopCut {
    fn new(lines: u32) -> Self {
        Self {
            in_header: true,
            line_empty: true,
            pending_cr: false,
            lines_left: lines,
        }
    }

    /// How many bytes of `input` go out, and whether the cut was reached.
    fn scan(&mut self, input: &[u8]) -> (usize, bool) {
        if input.is_empty() {
            return (0, false);
        }
        let mut i = 0;
        if self.pending_cr {
            self.pending_cr = false;
            if input[0] == b'\n' {
                i = 1;
            }
            // A CR then something else: the CR alone ended the line.
            if self.line_end() {
                return (i, true);
            }
        }
        while i < input.len() {
            let Some(at) = memchr::memchr2(b'\r', b'\n', &input[i..]) else {
                self.line_empty = false;
                return (input.len(), false);
            };
            if at > 0 {
                self.line_empty = false;
            }
            let pos = i + at;
            if input[pos] == b'\n' {
                i = pos + 1;
            } else if pos + 1 == input.len() {
                self.pending_cr = true;
                return (input.len(), false);
            } else if input[pos + 1] == b'\n' {
                i = pos + 2;
            } else {
                i = pos + 1;
            }
            if self.line_end() {
                return (i, true);
            }
        }
        (input.len(), false)
    }

    /// A line ended; whether that was the last one to send.
    fn line_end(&mut self) -> bool {
        let was_empty = std::mem::replace(&mut self.line_empty, true);
        if self.in_header {
            if was_empty {
                self.in_header = false;
                return self.lines_left == 0;
            }
            false
        } else {
            self.lines_left = self.lines_left.saturating_sub(1);
            self.lines_left == 0
        }
    }
}

/// One POP3 server session. See the [module docs](self) for the call
/// order and a complete example.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Instant;
/// use bytes::BytesMut;
/// use mailwire_pop3::server::{Server, ServerConfig};
///
/// let mut config = ServerConfig::new("pop.example.org");
/// config.apop = true;
/// let mut server = Server::new(Arc::new(config), Instant::now());
/// server.set_nonce("1896.697170952")?;
/// let mut out = BytesMut::new();
/// let _ = server.poll_output(&mut out);
/// assert_eq!(&out[..], b"+OK POP3 server ready <1896.697170952@pop.example.org>\r\n");
/// # Ok::<(), mailwire_pop3::server::DecisionError>(())
/// ```
#[derive(Debug)]
pub struct Server {
    config: Arc<ServerConfig>,
    rx: BytesMut,
    rx_limit: usize,
    framer: LineFramer,
    input: Input,
    state: State,
    out: BytesMut,
    events: VecDeque<Event>,
    pending: Option<Pending>,
    retrieval: Option<Retrieval>,
    greeted: bool,
    /// `<nonce@hostname>`: the APOP timestamp and CRAM-MD5 challenge.
    timestamp: Option<String>,
    tls: bool,
    utf8: bool,
    /// The name given with `USER`, waiting for `PASS`.
    user: Option<String>,
    /// Who is logging in, for the `+OK` text.
    login_user: String,
    auth: Option<(Mechanism, AuthStep)>,
    maildrop: Maildrop,
    deleted: Vec<bool>,
    errors: usize,
    auth_failures: usize,
    /// The time the current wait started; `None`: the next time passed in.
    anchor: Option<Instant>,
    last_now: Instant,
    closed: Option<CloseReason>,
}

impl Server {
    /// A session on a new connection at time `now`. The greeting is built
    /// when first asked for (by [`poll_output`](Self::poll_output),
    /// [`handle_input`](Self::handle_input) or
    /// [`handle_timeout`](Self::handle_timeout)), so that
    /// [`set_nonce`](Self::set_nonce) can come first.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(!server.is_closed() && !server.is_authenticated());
    /// ```
    #[must_use]
    pub fn new(config: Arc<ServerConfig>, now: Instant) -> Self {
        let limits = &config.limits;
        let rx_limit = limits
            .receive_buffer
            .max(limits.max_command_line)
            .max(limits.max_sasl_line)
            .max(64);
        let framer = Self::make_framer(&config);
        Self {
            rx: BytesMut::with_capacity(rx_limit.min(1024)),
            rx_limit,
            framer,
            input: Input::Command,
            state: State::Authorization,
            out: BytesMut::with_capacity(512),
            events: VecDeque::new(),
            pending: None,
            retrieval: None,
            greeted: false,
            timestamp: None,
            tls: config.implicit_tls,
            utf8: false,
            user: None,
            login_user: String::new(),
            auth: None,
            maildrop: Maildrop::default(),
            deleted: Vec::new(),
            errors: 0,
            auth_failures: 0,
            anchor: Some(now),
            last_now: now,
            closed: None,
            config,
        }
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
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert_eq!(server.config().hostname, "pop.example.org");
    /// ```
    #[must_use]
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Sets this session's unique, unpredictable value (a random number
    /// and the time, say): the APOP timestamp of the greeting is
    /// `<nonce@hostname>` (RFC 1939 section 7), also the CRAM-MD5
    /// challenge (RFC 2195). A nonce holding `@` is used as the whole
    /// timestamp, `<nonce>`. Bytes outside 0x21-0x7E and angle brackets
    /// are dropped. APOP and CRAM-MD5 are offered only with a nonce.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    ///
    /// let mut config = ServerConfig::new("dewey");
    /// config.apop = true;
    /// let mut server = Server::new(Arc::new(config), Instant::now());
    /// server.set_nonce("1896.697170952@dbc.mtview.ca.us")?;
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert_eq!(&out[..], b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    /// assert!(server.set_nonce("too late").is_err());
    /// # Ok::<(), mailwire_pop3::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] once the greeting is built.
    pub fn set_nonce(&mut self, nonce: impl Into<String>) -> Result<(), DecisionError> {
        if self.greeted {
            return Err(DecisionError {
                expected: "greeting",
            });
        }
        let nonce: String = nonce
            .into()
            .chars()
            .filter(|&c| c.is_ascii_graphic() && c != '<' && c != '>')
            .collect();
        if nonce.is_empty() {
            return Ok(());
        }
        self.timestamp = Some(if nonce.contains('@') {
            format!("<{nonce}>")
        } else {
            format!("<{nonce}@{}>", self.config.hostname)
        });
        Ok(())
    }

    fn ensure_greeting(&mut self) {
        if self.greeted {
            return;
        }
        self.greeted = true;
        let mut text = self.config.greeting.clone();
        if let Some(stamp) = self.timestamp.as_ref().filter(|_| self.apop_available()) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(stamp);
        }
        self.ok(&text);
    }

    // ------------------------------------------------------------------
    // Inputs
    // ------------------------------------------------------------------

    /// Hands the server bytes received at time `now`; returns how many it
    /// took. The rest must be passed again after the application has
    /// drained [`poll_event`](Self::poll_event) and
    /// [`poll_output`](Self::poll_output) and made the decision asked for
    /// (back-pressure: the server holds at most
    /// [`ServerLimits::receive_buffer`] unprocessed bytes). Once the
    /// session is closed, after `QUIT`, or during the TLS handshake, input
    /// is discarded (and counted as taken).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), now);
    /// assert_eq!(server.handle_input(now, b"CAPA\r\n"), 6);
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.starts_with(b"+OK POP3 server ready\r\n+OK Capability list follows\r\nTOP\r\n"));
    /// assert!(out.ends_with(b"UIDL\r\nAUTH-RESP-CODE\r\n.\r\n"));
    /// ```
    #[must_use = "bytes not taken must be passed again"]
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        self.ensure_greeting();
        self.last_now = self.last_now.max(now);
        self.anchor = Some(now);
        let mut taken = 0;
        loop {
            match self.input {
                Input::Closed => return data.len(),
                Input::Tls => {
                    // Plain text after STLS (or handshake bytes passed by
                    // mistake): never commands.
                    self.report_discarded(data.len() - taken);
                    return data.len();
                }
                Input::Command | Input::AuthLine => {}
            }
            if taken == data.len() {
                return taken;
            }
            let room = self.rx_limit.saturating_sub(self.rx.len());
            if room == 0 {
                return taken;
            }
            let n = room.min(data.len() - taken);
            self.rx.extend_from_slice(&data[taken..taken + n]);
            taken += n;
            self.process();
        }
    }

    /// Tells the server the time. Past the deadline of
    /// [`poll_timeout`](Self::poll_timeout) (the autologout timer) it
    /// closes the session without entering UPDATE: nothing is deleted
    /// (RFC 1939 section 3). A `-ERR` line says why, unless a message was
    /// being sent. After a decision or the TLS handshake, the first call
    /// only restarts the timer from `now`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Server, ServerConfig, CloseReason};
    ///
    /// let start = Instant::now();
    /// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), start);
    /// assert_eq!(server.poll_timeout(), Some(start + Duration::from_secs(600)));
    /// server.handle_timeout(start + Duration::from_secs(600));
    /// assert!(server.is_closed());
    /// assert_eq!(server.poll_event(), Some(Event::Closed(CloseReason::Timeout)));
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"-ERR autologout timer expired\r\n"));
    /// ```
    pub fn handle_timeout(&mut self, now: Instant) {
        self.ensure_greeting();
        self.last_now = self.last_now.max(now);
        if self.anchor.is_none() {
            self.anchor = Some(now);
            return;
        }
        if self.poll_timeout().is_some_and(|deadline| now >= deadline) {
            if !self.retrieval.as_ref().is_some_and(|r| r.started) {
                self.err(None, "autologout timer expired");
            }
            self.shut(CloseReason::Timeout);
        }
    }

    /// The TLS handshake asked for by [`Event::StartTls`] succeeded: the
    /// session starts again in the AUTHORIZATION state, and `STLS` is no
    /// longer offered (RFC 2595 section 4; `CAPA` may now list more).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("pop.example.org");
    /// config.stls = true;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let _ = server.handle_input(now, b"STLS\r\n");
    /// assert_eq!(server.poll_event(), Some(Event::StartTls));
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"+OK Begin TLS negotiation\r\n"));
    /// // ... the TLS handshake on the connection ...
    /// server.tls_established()?;
    /// assert!(server.is_tls() && server.wants_input());
    /// # Ok::<(), mailwire_pop3::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no handshake was asked for.
    pub fn tls_established(&mut self) -> Result<(), DecisionError> {
        if self.input != Input::Tls || self.closed.is_some() {
            return Err(DecisionError {
                expected: "TLS handshake",
            });
        }
        self.tls = true;
        self.user = None;
        self.auth = None;
        self.rx.clear();
        self.framer = Self::make_framer(&self.config);
        self.input = Input::Command;
        self.anchor = None;
        self.process();
        Ok(())
    }

    /// Closes the session from the application's side (shutting down,
    /// say), after queuing `response` (typically
    /// `-ERR [SYS/TEMP] shutting down`; left out if a message was being
    /// sent). Nothing is deleted, and any pending decision is dropped.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// use mailwire_pop3::types::{Response, ResponseCode};
    ///
    /// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// server.close(Response::err_with(ResponseCode::SysTemp, "shutting down"));
    /// assert!(server.is_closed());
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"-ERR [SYS/TEMP] shutting down\r\n"));
    /// ```
    pub fn close(&mut self, response: Response<'_>) {
        if self.closed.is_none() {
            self.ensure_greeting();
            if !self.retrieval.as_ref().is_some_and(|r| r.started) {
                self.respond(&response);
            }
            self.shut(CloseReason::Application);
        }
    }

    // ------------------------------------------------------------------
    // Decisions
    // ------------------------------------------------------------------

    fn take_pending(&mut self, kind: Pending, name: &'static str) -> Result<(), DecisionError> {
        if self.pending != Some(kind) || self.closed.is_some() {
            return Err(DecisionError { expected: name });
        }
        self.pending = None;
        self.anchor = None;
        Ok(())
    }

    /// Accepts the login of [`Event::Login`], [`Event::Apop`] or
    /// [`Event::Auth`]: the session enters the TRANSACTION state with
    /// `maildrop` (RFC 1939 section 4: the application has locked it),
    /// answering `+OK user's maildrop has n messages (size octets)`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("pop.example.org");
    /// config.plaintext_needs_tls = false;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let _ = server.handle_input(now, b"USER mrose\r\nPASS tanstaaf\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     if let Event::Login(login) = event {
    ///         assert_eq!((login.user.as_str(), login.password.expose()), ("mrose", "tanstaaf"));
    ///         let drop = Maildrop::new(vec![MessageInfo::new(120, "a")?, MessageInfo::new(200, "b")?])?;
    ///         server.accept_login(drop)?;
    ///     }
    /// }
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"+OK mrose's maildrop has 2 messages (320 octets)\r\n"));
    /// assert!(server.is_authenticated());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no login decision is pending.
    pub fn accept_login(&mut self, maildrop: Maildrop) -> Result<(), DecisionError> {
        self.take_pending(Pending::Login, "login decision")?;
        self.state = State::Transaction;
        self.deleted = vec![false; maildrop.len()];
        self.maildrop = maildrop;
        let text = format!(
            "{}'s maildrop has {} ({} octets)",
            self.login_user,
            messages(self.maildrop.len()),
            self.maildrop.total_size()
        );
        if !self.try_respond(&Response::ok(&text)) {
            self.ok("maildrop ready");
        }
        self.process();
        Ok(())
    }

    /// Refuses the login with `response` (a `-ERR`, with a code such as
    /// `[AUTH]` for bad credentials, `[IN-USE]` for a locked maildrop,
    /// `[LOGIN-DELAY]` or `[SYS/TEMP]`; a `+OK` is replaced by
    /// `-ERR [AUTH] invalid credentials`). The session stays in the
    /// AUTHORIZATION state; after `limits.max_auth_failures` refusals it
    /// closes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// use mailwire_pop3::types::{Response, ResponseCode};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("pop.example.org");
    /// config.plaintext_needs_tls = false;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let _ = server.handle_input(now, b"USER mrose\r\nPASS tanstaaf\r\n");
    /// while server.poll_event().is_some() {}
    /// server.reject_login(Response::err_with(ResponseCode::InUse, "maildrop already locked"))?;
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"-ERR [IN-USE] maildrop already locked\r\n"));
    /// # Ok::<(), mailwire_pop3::server::DecisionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no login decision is pending.
    pub fn reject_login(&mut self, response: Response<'_>) -> Result<(), DecisionError> {
        self.take_pending(Pending::Login, "login decision")?;
        if response.is_ok() {
            self.err(Some(ResponseCode::Auth), "invalid credentials");
        } else {
            self.respond(&response);
        }
        self.auth_failures += 1;
        let max = self.config.limits.max_auth_failures;
        if max > 0 && self.auth_failures >= max {
            self.shut(CloseReason::TooManyAuthFailures);
        }
        self.process();
        Ok(())
    }

    /// Sends the next piece of the message asked for by
    /// [`Event::Retrieve`], as stored (any line endings; they go out as
    /// CRLF, dot-stuffed). The first call sends the `+OK` line. For `TOP`,
    /// data past the asked lines is dropped. Write the next piece only
    /// while [`wants_message_data`](Self::wants_message_data) is true, so
    /// output stays bounded.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("pop.example.org");
    /// config.plaintext_needs_tls = false;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let message = b"Subject: x\n\nline 1\n.line 2\nline 3\n";
    /// let _ = server.handle_input(now, b"USER a\r\nPASS b\r\nTOP 1 2\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     match event {
    ///         Event::Login(_) => server.accept_login(Maildrop::new(vec![MessageInfo::new(40, "x")?])?)?,
    ///         Event::Retrieve(retr) => {
    ///             assert_eq!(retr.top, Some(2));
    ///             for piece in message.chunks(5) {
    ///                 if !server.wants_message_data() { break; }
    ///                 server.send_message(piece)?;
    ///             }
    ///             server.end_message()?;
    ///         }
    ///         _ => {}
    ///     }
    /// }
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"+OK\r\nSubject: x\r\n\r\nline 1\r\n..line 2\r\n.\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no retrieval is in progress.
    pub fn send_message(&mut self, data: &[u8]) -> Result<(), DecisionError> {
        self.start_retrieval()?;
        self.anchor = None;
        let Some(r) = self.retrieval.as_mut() else {
            return Err(DecisionError {
                expected: "retrieval",
            });
        };
        if r.cut {
            return Ok(());
        }
        let (n, cut) = match &mut r.top {
            Some(top) => top.scan(data),
            None => (data.len(), false),
        };
        r.cut = cut;
        // The encoder normalizes bare CR and LF, which cannot fail.
        let _ = r.encoder.encode(&data[..n], &mut self.out);
        Ok(())
    }

    /// Ends the message of [`Event::Retrieve`]: the final `.` line (after
    /// a CRLF if the message did not end with a line break). The server
    /// then goes on with the next command.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("pop.example.org");
    /// config.plaintext_needs_tls = false;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let _ = server.handle_input(now, b"USER a\r\nPASS b\r\nRETR 1\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     match event {
    ///         Event::Login(_) => server.accept_login(Maildrop::new(vec![MessageInfo::new(0, "x")?])?)?,
    ///         Event::Retrieve(_) => server.end_message()?,
    ///         _ => {}
    ///     }
    /// }
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"+OK 0 octets\r\n.\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no retrieval is in progress.
    pub fn end_message(&mut self) -> Result<(), DecisionError> {
        self.start_retrieval()?;
        if let Some(mut r) = self.retrieval.take() {
            let _ = r.encoder.finish(&mut self.out);
        }
        self.anchor = None;
        self.process();
        Ok(())
    }

    /// Refuses the retrieval of [`Event::Retrieve`] (the message could not
    /// be read) with `response` (a `+OK` is replaced by
    /// `-ERR [SYS/TEMP] message unavailable`). If part of the message was
    /// sent already, the response cannot be completed: the session closes
    /// ([`CloseReason::RetrieveFailed`]), without deleting anything.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
    /// use mailwire_pop3::types::{Response, ResponseCode};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("pop.example.org");
    /// config.plaintext_needs_tls = false;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let _ = server.handle_input(now, b"USER a\r\nPASS b\r\nRETR 1\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     match event {
    ///         Event::Login(_) => server.accept_login(Maildrop::new(vec![MessageInfo::new(9, "x")?])?)?,
    ///         Event::Retrieve(_) => server.reject_retrieve(Response::err_with(ResponseCode::SysTemp, "I/O error"))?,
    ///         _ => {}
    ///     }
    /// }
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"-ERR [SYS/TEMP] I/O error\r\n"));
    /// assert!(!server.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no retrieval is in progress.
    pub fn reject_retrieve(&mut self, response: Response<'_>) -> Result<(), DecisionError> {
        let Some(r) = self.retrieval.take().filter(|_| self.closed.is_none()) else {
            return Err(DecisionError {
                expected: "retrieval",
            });
        };
        self.anchor = None;
        if r.started {
            self.shut(CloseReason::RetrieveFailed);
            return Ok(());
        }
        if response.is_ok() {
            self.err(Some(ResponseCode::SysTemp), "message unavailable");
        } else {
            self.respond(&response);
        }
        self.process();
        Ok(())
    }

    fn start_retrieval(&mut self) -> Result<(), DecisionError> {
        let Some(r) = self.retrieval.as_ref().filter(|_| self.closed.is_none()) else {
            return Err(DecisionError {
                expected: "retrieval",
            });
        };
        if !r.started {
            let text = match r.top {
                Some(_) => String::new(),
                None => format!("{} octets", r.size),
            };
            self.ok(&text);
            if let Some(r) = self.retrieval.as_mut() {
                r.started = true;
            }
        }
        Ok(())
    }

    /// Whether to pass the next piece of the message now: a retrieval is
    /// in progress, `TOP` has not got all its lines yet, and less than
    /// 16 KiB of output wait in the server. When it is false during a
    /// retrieval, drain [`poll_output`](Self::poll_output) (and send it)
    /// first, or call [`end_message`](Self::end_message) if the message
    /// is cut.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(!server.wants_message_data());
    /// ```
    #[must_use]
    pub fn wants_message_data(&self) -> bool {
        self.closed.is_none()
            && self.out.len() < OUTPUT_HIGH_WATER
            && self.retrieval.as_ref().is_some_and(|r| !r.cut)
    }

    /// Whether the message of a `TOP` has all its lines: further
    /// [`send_message`](Self::send_message) data is dropped, and the
    /// application should call [`end_message`](Self::end_message).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(!server.message_cut());
    /// ```
    #[must_use]
    pub fn message_cut(&self) -> bool {
        self.retrieval.as_ref().is_some_and(|r| r.cut)
    }

    /// The deleted messages of [`Event::Update`] were removed:
    /// `+OK hostname POP3 server signing off (n messages left)` (or
    /// `(maildrop empty)`), and the session closes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("dewey");
    /// config.plaintext_needs_tls = false;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let _ = server.handle_input(now, b"USER a\r\nPASS b\r\nDELE 1\r\nQUIT\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     match event {
    ///         Event::Login(_) => server.accept_login(Maildrop::new(vec![MessageInfo::new(9, "x")?])?)?,
    ///         Event::Update(update) => {
    ///             assert_eq!(update.deleted, [1]);
    ///             server.update_done()?;
    ///         }
    ///         _ => {}
    ///     }
    /// }
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"+OK dewey POP3 server signing off (maildrop empty)\r\n"));
    /// assert!(server.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no update is pending.
    pub fn update_done(&mut self) -> Result<(), DecisionError> {
        self.take_pending(Pending::Update, "update")?;
        let left = self.deleted.iter().filter(|d| !**d).count();
        let detail = if left == 0 {
            "maildrop empty".to_owned()
        } else {
            format!("{} left", messages(left))
        };
        let text = format!(
            "{} POP3 server signing off ({detail})",
            self.config.hostname
        );
        if !self.try_respond(&Response::ok(&text)) {
            self.ok("signing off");
        }
        self.shut(CloseReason::Quit);
        Ok(())
    }

    /// Some deleted messages of [`Event::Update`] could not be removed
    /// (RFC 1939 section 6, RFC 3206):
    /// `-ERR [SYS/TEMP] some deleted messages not removed`, and the session
    /// closes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
    ///
    /// let now = Instant::now();
    /// let mut config = ServerConfig::new("pop.example.org");
    /// config.plaintext_needs_tls = false;
    /// let mut server = Server::new(Arc::new(config), now);
    /// let _ = server.handle_input(now, b"USER a\r\nPASS b\r\nDELE 1\r\nQUIT\r\n");
    /// while let Some(event) = server.poll_event() {
    ///     match event {
    ///         Event::Login(_) => server.accept_login(Maildrop::new(vec![MessageInfo::new(9, "x")?])?)?,
    ///         Event::Update(_) => server.update_failed()?,
    ///         _ => {}
    ///     }
    /// }
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// assert!(out.ends_with(b"-ERR [SYS/TEMP] some deleted messages not removed\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError`] if no update is pending.
    pub fn update_failed(&mut self) -> Result<(), DecisionError> {
        self.take_pending(Pending::Update, "update")?;
        self.err(
            Some(ResponseCode::SysTemp),
            "some deleted messages not removed",
        );
        self.shut(CloseReason::Quit);
        Ok(())
    }

    // ------------------------------------------------------------------
    // Outputs and queries
    // ------------------------------------------------------------------

    /// The next event, if any. Taking events lets the server go on with
    /// input it held back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(server.poll_event().is_none());
    /// ```
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front()?;
        self.process();
        Some(event)
    }

    /// Appends the bytes to send to `buf`; returns how many. The first
    /// call builds the greeting. Into an empty `buf` the bytes move
    /// without a copy. Taking output lets the server go on with input it
    /// held back, which may produce more events: poll them again when
    /// this returned more than 0.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// let mut out = BytesMut::new();
    /// assert_eq!(server.poll_output(&mut out), 23);
    /// assert_eq!(server.poll_output(&mut out), 0);
    /// ```
    #[must_use = "the bytes must be sent"]
    pub fn poll_output(&mut self, buf: &mut BytesMut) -> usize {
        self.ensure_greeting();
        let n = self.out.len();
        if n > 0 {
            buf.unsplit(self.out.split());
            self.process();
        }
        n
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next:
    /// the autologout deadline, or a time already past after a decision,
    /// to restart the timer. `None` once closed, during the TLS handshake,
    /// and while an update is pending (the client waits for it).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// let now = Instant::now();
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), now);
    /// assert_eq!(server.poll_timeout(), Some(now + Duration::from_secs(600)));
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed.is_some()
            || self.input == Input::Tls
            || self.pending == Some(Pending::Update)
        {
            return None;
        }
        let Some(anchor) = self.anchor else {
            return Some(self.last_now);
        };
        anchor.checked_add(self.config.autologout)
    }

    /// Whether the session is over: send the output left, then close the
    /// connection.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use mailwire_pop3::server::{Server, ServerConfig};
    /// let now = Instant::now();
    /// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), now);
    /// let _ = server.handle_input(now, b"QUIT\r\n");
    /// assert!(server.is_closed());
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Whether the connection is TLS (implicit, or after `STLS`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(!server.is_tls());
    /// ```
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the client logged in (the TRANSACTION or UPDATE state).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(!server.is_authenticated());
    /// ```
    #[must_use]
    pub fn is_authenticated(&self) -> bool {
        self.state != State::Authorization
    }

    /// Whether the client enabled UTF-8 with the `UTF8` command
    /// (RFC 6856): user names, passwords and messages may be UTF-8.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(!server.is_utf8());
    /// ```
    #[must_use]
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// Whether message `msg` (from 1) is marked deleted.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(!server.is_deleted(1));
    /// ```
    #[must_use]
    pub fn is_deleted(&self, msg: u32) -> bool {
        (msg as usize)
            .checked_sub(1)
            .and_then(|i| self.deleted.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The maildrop given to [`accept_login`](Self::accept_login) (empty
    /// before).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(server.maildrop().is_empty());
    /// ```
    #[must_use]
    pub fn maildrop(&self) -> &Maildrop {
        &self.maildrop
    }

    /// Whether to read more from the connection now: false when the
    /// receive buffer is full (drain events and output, make the decision
    /// asked for), after `QUIT`, during the TLS handshake and once closed.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// assert!(server.wants_input());
    /// ```
    #[must_use]
    pub fn wants_input(&self) -> bool {
        match self.input {
            Input::Closed | Input::Tls => false,
            Input::Command | Input::AuthLine => {
                self.closed.is_none() && self.rx.len() < self.rx_limit
            }
        }
    }

    /// Bytes held: received input not yet processed plus output not yet
    /// taken.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_pop3::server::{Server, ServerConfig};
    /// let mut server = Server::new(Arc::new(ServerConfig::new("pop.example.org")), Instant::now());
    /// let _ = server.poll_output(&mut BytesMut::new());
    /// assert_eq!(server.buffered_len(), 0);
    /// ```
    #[must_use]
    pub fn buffered_len(&self) -> usize {
        self.rx.len() + self.out.len()
    }

    // ------------------------------------------------------------------
    // Processing
    // ------------------------------------------------------------------

    fn can_progress(&self) -> bool {
        self.pending.is_none()
            && self.retrieval.is_none()
            && self.closed.is_none()
            && matches!(self.input, Input::Command | Input::AuthLine)
            && self.out.len() < OUTPUT_HIGH_WATER
            && self.events.len() < MAX_EVENTS
    }

    /// Works through the received input until it is used up or something
    /// blocks (a decision, a retrieval, undrained output or events).
    fn process(&mut self) {
        if !self.greeted {
            return;
        }
        while self.can_progress() {
            let limit = if self.input == Input::AuthLine {
                self.config.limits.max_sasl_line
            } else {
                self.config.limits.max_command_line
            };
            self.framer.set_max_length(limit);
            let Some(line) = self.framer.next_line(&mut self.rx) else {
                break;
            };
            match line {
                Ok(line) if self.input == Input::AuthLine => self.on_auth_line(&line),
                Ok(line) => self.on_command(&line),
                Err(error) => {
                    let too_long = matches!(error.kind(), ErrorKind::LineTooLong { .. });
                    if self.input == Input::AuthLine {
                        self.end_auth();
                        let failure = if too_long {
                            AuthFailure::LineTooLong
                        } else {
                            AuthFailure::Malformed(SaslError::Base64)
                        };
                        self.bad_command(
                            Response::err("authentication line refused"),
                            ProtocolError::Auth(failure),
                        );
                    } else if too_long {
                        self.bad_command(
                            Response::err("command line too long"),
                            ProtocolError::LineTooLong,
                        );
                    } else {
                        self.bad_command(
                            Response::err("bare CR or LF in command line"),
                            ProtocolError::BareLineEnding,
                        );
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------
    // Responses, errors, closing
    // ------------------------------------------------------------------

    /// Queues a response; `false` if the encoder refused it (nothing
    /// written).
    fn try_respond(&mut self, response: &Response<'_>) -> bool {
        let before = self.out.len();
        if response.encode(&mut self.out).is_ok() {
            true
        } else {
            self.out.truncate(before);
            false
        }
    }

    /// Queues a response; one the encoder refuses (CR in the text, say)
    /// goes out as its status alone.
    fn respond(&mut self, response: &Response<'_>) {
        if !self.try_respond(response) {
            let fallback = Response::new(response.status(), response.code().cloned(), "");
            if !self.try_respond(&fallback) {
                self.out
                    .extend_from_slice(response.status().as_str().as_bytes());
                self.out.extend_from_slice(b"\r\n");
            }
        }
    }

    fn ok(&mut self, text: &str) {
        self.respond(&Response::ok(text));
    }

    fn err(&mut self, code: Option<ResponseCode<'_>>, text: &str) {
        self.respond(&Response::new(Status::Err, code, text));
    }

    /// Answers a client mistake and counts it; at `limits.max_errors`
    /// answers `-ERR too many errors` instead and closes.
    fn bad_command(&mut self, response: Response<'_>, error: ProtocolError) {
        self.errors += 1;
        self.events.push_back(Event::ProtocolError(error));
        let max = self.config.limits.max_errors;
        if max > 0 && self.errors >= max {
            self.err(None, "too many errors, closing connection");
            self.shut(CloseReason::TooManyErrors);
        } else {
            self.respond(&response);
        }
    }

    fn bad_state(&mut self, command: &'static str, text: &str) {
        self.bad_command(Response::err(text), ProtocolError::BadState { command });
    }

    fn shut(&mut self, reason: CloseReason) {
        if self.closed.is_some() {
            return;
        }
        self.pending = None;
        self.retrieval = None;
        self.auth = None;
        self.user = None;
        self.input = Input::Closed;
        self.rx.clear();
        self.closed = Some(reason);
        self.events.push_back(Event::Closed(reason));
    }

    fn report_discarded(&mut self, discarded: usize) {
        if discarded > 0 {
            self.events
                .push_back(Event::ProtocolError(ProtocolError::InputAfterStls {
                    discarded,
                }));
        }
    }

    // ------------------------------------------------------------------
    // Commands
    // ------------------------------------------------------------------

    fn plaintext_allowed(&self) -> bool {
        !self.config.plaintext_needs_tls || self.tls
    }

    fn apop_available(&self) -> bool {
        self.config.apop && self.timestamp.is_some()
    }

    fn stls_available(&self) -> bool {
        self.config.stls && !self.tls && self.state == State::Authorization
    }

    /// The SASL mechanisms offered now.
    fn offered_mechanisms(&self) -> impl Iterator<Item = Mechanism> + '_ {
        self.config.sasl.iter().copied().filter(|m| match m {
            Mechanism::CramMd5 => self.timestamp.is_some(),
            m => !m.is_plaintext() || self.plaintext_allowed(),
        })
    }

    fn on_command(&mut self, line: &Line) {
        // The framer bounds the line; parse without a second limit.
        let limits = Limits {
            max_command_line: usize::MAX,
            ..Limits::DEFAULT
        };
        let command = match Command::parse_with_limits(line.content(), &limits) {
            Ok(command) => command,
            Err(error) => {
                self.bad_command(error.response(), ProtocolError::Syntax(error));
                return;
            }
        };
        let authorization = self.state == State::Authorization;
        match command {
            Command::Capa => self.capa(),
            Command::Quit => self.quit(),
            Command::User { name } if authorization => self.on_user(name),
            Command::Pass { password } if authorization => match self.user.take() {
                Some(user) => {
                    self.login_user.clone_from(&user);
                    self.pending = Some(Pending::Login);
                    self.events.push_back(Event::Login(Login {
                        user,
                        password: password.expose().to_owned().into(),
                    }));
                }
                None => self.bad_state("PASS", "send USER first"),
            },
            Command::Apop { name, digest } if authorization => {
                self.user = None;
                match self.timestamp.clone().filter(|_| self.config.apop) {
                    Some(timestamp) => {
                        self.login_user = name.to_owned();
                        self.pending = Some(Pending::Login);
                        self.events.push_back(Event::Apop(Apop {
                            user: name.to_owned(),
                            digest: digest.to_owned(),
                            timestamp,
                        }));
                    }
                    None => self.bad_state("APOP", "APOP not available"),
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } if authorization => {
                self.user = None;
                match mechanism {
                    None => self.list_mechanisms(),
                    Some(name) => self.on_auth(name, initial_response),
                }
            }
            Command::Stls if authorization => self.on_stls(),
            Command::Utf8 if authorization && self.config.utf8 => {
                self.utf8 = true;
                self.ok("UTF8 enabled");
            }
            Command::Stat if !authorization => {
                let (count, size) = self.live();
                self.ok(&format!("{count} {size}"));
            }
            Command::List { msg } if !authorization => self.list(msg),
            Command::Uidl { msg } if !authorization => self.uidl(msg),
            Command::Dele { msg } if !authorization => self.dele(msg),
            Command::Rset if !authorization => {
                self.deleted.fill(false);
                let (count, size) = self.live();
                self.ok(&format!("maildrop has {} ({size} octets)", messages(count)));
            }
            Command::Noop if !authorization => self.ok(""),
            Command::Retr { msg } if !authorization => self.retrieve(msg, None),
            Command::Top { msg, lines } if !authorization => self.retrieve(msg, Some(lines)),
            other => {
                let command = other.keyword();
                let text = match other {
                    Command::Lang { .. } => "LANG not supported",
                    Command::Utf8 if authorization => "UTF8 not supported",
                    _ if authorization => "command not valid before login",
                    _ => "command not valid after login",
                };
                self.bad_state(command, text);
            }
        }
    }

    fn on_user(&mut self, name: &str) {
        if !self.config.user_pass {
            self.user = None;
            self.bad_state("USER", "USER not available");
        } else if !self.plaintext_allowed() {
            self.user = None;
            self.bad_command(
                Response::err_with(
                    ResponseCode::Auth,
                    "Plaintext authentication disallowed without TLS",
                ),
                ProtocolError::BadState { command: "USER" },
            );
        } else {
            self.user = Some(name.to_owned());
            self.ok("send PASS");
        }
    }

    fn quit(&mut self) {
        if self.state == State::Transaction {
            // RFC 1939 section 6: only QUIT from TRANSACTION enters UPDATE.
            self.state = State::Update;
            self.input = Input::Closed;
            self.rx.clear();
            self.pending = Some(Pending::Update);
            let deleted = (1..)
                .zip(&self.deleted)
                .filter(|(_, d)| **d)
                .map(|(msg, _)| msg)
                .collect();
            self.events.push_back(Event::Update(Update { deleted }));
        } else {
            let text = format!("{} POP3 server signing off", self.config.hostname);
            if !self.try_respond(&Response::ok(&text)) {
                self.ok("signing off");
            }
            self.shut(CloseReason::Quit);
        }
    }

    /// Count and size of the messages not marked deleted.
    fn live(&self) -> (usize, u64) {
        self.maildrop
            .messages()
            .iter()
            .zip(&self.deleted)
            .filter(|(_, d)| !**d)
            .fold((0, 0u64), |(n, size), (m, _)| {
                (n + 1, size.saturating_add(m.size()))
            })
    }

    /// Message `msg` if it exists and is not deleted.
    fn live_message(&self, msg: u32) -> Option<&MessageInfo> {
        self.maildrop.get(msg).filter(|_| !self.is_deleted(msg))
    }

    fn no_such_message(&mut self) {
        self.err(None, "no such message");
    }

    fn list(&mut self, msg: Option<u32>) {
        match msg {
            Some(msg) => match self.live_message(msg).map(MessageInfo::size) {
                Some(size) => self.ok(&format!("{msg} {size}")),
                None => self.no_such_message(),
            },
            None => {
                let (count, size) = self.live();
                self.ok(&format!("{} ({size} octets)", messages(count)));
                for (msg, (info, deleted)) in
                    (1u32..).zip(self.maildrop.messages().iter().zip(&self.deleted))
                {
                    if !deleted {
                        let _ = write!(self.out, "{msg} {}\r\n", info.size());
                    }
                }
                self.out.extend_from_slice(b".\r\n");
            }
        }
    }

    fn uidl(&mut self, msg: Option<u32>) {
        match msg {
            Some(msg) => match self.live_message(msg).map(|m| m.unique_id().to_owned()) {
                Some(uid) => self.ok(&format!("{msg} {uid}")),
                None => self.no_such_message(),
            },
            None => {
                self.ok("");
                for (msg, (info, deleted)) in
                    (1u32..).zip(self.maildrop.messages().iter().zip(&self.deleted))
                {
                    if !deleted {
                        let _ = write!(self.out, "{msg} {}\r\n", info.unique_id());
                    }
                }
                self.out.extend_from_slice(b".\r\n");
            }
        }
    }

    fn dele(&mut self, msg: u32) {
        if self.maildrop.get(msg).is_none() {
            self.no_such_message();
        } else if self.is_deleted(msg) {
            self.err(None, &format!("message {msg} already deleted"));
        } else {
            if let Some(d) = (msg as usize)
                .checked_sub(1)
                .and_then(|i| self.deleted.get_mut(i))
            {
                *d = true;
            }
            self.ok(&format!("message {msg} deleted"));
        }
    }

    fn retrieve(&mut self, msg: u32, top: Option<u32>) {
        let Some(size) = self.live_message(msg).map(MessageInfo::size) else {
            self.no_such_message();
            return;
        };
        self.retrieval = Some(Retrieval {
            size,
            top: top.map(TopCut::new),
            started: false,
            cut: false,
            encoder: DotEncoder::new(),
        });
        self.events
            .push_back(Event::Retrieve(Retrieve { msg, top, size }));
    }

    fn capa(&mut self) {
        let authorization = self.state == State::Authorization;
        self.ok("Capability list follows");
        let mut lines: Vec<String> = vec!["TOP".into()];
        if authorization && self.config.user_pass && self.plaintext_allowed() {
            lines.push("USER".into());
        }
        if authorization {
            let mut sasl = String::new();
            for m in self.offered_mechanisms() {
                sasl.push(' ');
                sasl.push_str(m.as_str());
            }
            if !sasl.is_empty() {
                lines.push(format!("SASL{sasl}"));
            }
        }
        lines.push("RESP-CODES".into());
        if let Some(delay) = self.config.login_delay {
            lines.push(format!("LOGIN-DELAY {delay}"));
        }
        if self.config.pipelining {
            lines.push("PIPELINING".into());
        }
        if let Some(expire) = &self.config.expire {
            lines.push(format!("EXPIRE {expire}"));
        }
        lines.push("UIDL".into());
        if let Some(implementation) = &self.config.implementation {
            lines.push(format!("IMPLEMENTATION {implementation}"));
        }
        if self.config.auth_resp_code {
            lines.push("AUTH-RESP-CODE".into());
        }
        if self.stls_available() {
            lines.push("STLS".into());
        }
        if authorization && self.config.utf8 {
            lines.push("UTF8".into());
        }
        for line in lines {
            // Configured text with control bytes, or a leading period,
            // would break the listing: leave such a line out.
            if line.bytes().all(|b| (0x20..0x7f).contains(&b) || b >= 0x80) {
                self.out.extend_from_slice(line.as_bytes());
                self.out.extend_from_slice(b"\r\n");
            }
        }
        self.out.extend_from_slice(b".\r\n");
    }

    fn on_stls(&mut self) {
        self.user = None;
        if !self.stls_available() {
            let text = if self.tls {
                "TLS already active"
            } else {
                "STLS not available"
            };
            self.bad_state("STLS", text);
            return;
        }
        self.ok("Begin TLS negotiation");
        // RFC 2595 section 4 and CVE-2011-0411: nothing sent in plain text
        // after STLS may be taken as a command.
        let discarded = self.rx.len();
        self.rx.clear();
        self.framer.reset();
        self.report_discarded(discarded);
        self.input = Input::Tls;
        self.events.push_back(Event::StartTls);
    }

    // ------------------------------------------------------------------
    // AUTH (RFC 5034)
    // ------------------------------------------------------------------

    /// `AUTH` without a mechanism: the mechanisms offered, one a line (a
    /// common extension: the form RFC 1734 left undefined).
    fn list_mechanisms(&mut self) {
        let names: Vec<&'static str> = self.offered_mechanisms().map(Mechanism::as_str).collect();
        self.ok("");
        for name in names {
            self.out.extend_from_slice(name.as_bytes());
            self.out.extend_from_slice(b"\r\n");
        }
        self.out.extend_from_slice(b".\r\n");
    }

    fn on_auth(&mut self, name: &str, initial: Option<InitialResponse<'_>>) {
        let Some(mechanism) = Mechanism::from_name(name).filter(|m| self.config.sasl.contains(m))
        else {
            self.bad_state("AUTH", "unsupported authentication mechanism");
            return;
        };
        if mechanism.is_plaintext() && !self.plaintext_allowed() {
            self.bad_command(
                Response::err_with(
                    ResponseCode::Auth,
                    "Plaintext authentication disallowed without TLS",
                ),
                ProtocolError::BadState { command: "AUTH" },
            );
            return;
        }
        let step = match mechanism {
            Mechanism::Plain => AuthStep::Plain,
            Mechanism::Login => AuthStep::LoginUser,
            Mechanism::XOAuth2 => AuthStep::XOAuth2,
            Mechanism::CramMd5 => match &self.timestamp {
                Some(challenge) => AuthStep::CramMd5(challenge.clone()),
                None => {
                    self.bad_state("AUTH", "unsupported authentication mechanism");
                    return;
                }
            },
        };
        self.auth = Some((mechanism, step));
        match initial {
            // The server speaks first in CRAM-MD5.
            Some(_) if mechanism == Mechanism::CramMd5 => {
                self.auth_malformed(SaslError::Malformed("CRAM-MD5 takes no initial response"))
            }
            Some(InitialResponse::Empty) => self.auth_response(Vec::new()),
            Some(InitialResponse::Base64(text)) => {
                match sasl::decode_base64(text.expose().as_bytes()) {
                    Ok(decoded) => self.auth_response(decoded),
                    Err(error) => self.auth_malformed(error),
                }
            }
            None => self.challenge(),
        }
    }

    /// Sends the `+ ` continuation for the current step.
    fn challenge(&mut self) {
        let Some((_, step)) = &self.auth else {
            return;
        };
        let data = match step {
            AuthStep::Plain | AuthStep::XOAuth2 => String::new(),
            AuthStep::LoginUser => sasl::encode_base64(b"Username:"),
            AuthStep::LoginPassword(_) => sasl::encode_base64(b"Password:"),
            AuthStep::CramMd5(challenge) => sasl::encode_base64(challenge.as_bytes()),
        };
        let _ = Continuation::new(&data).encode(&mut self.out);
        self.input = Input::AuthLine;
    }

    fn on_auth_line(&mut self, line: &Line) {
        self.input = Input::Command;
        let content = line.content();
        if content == b"*" {
            self.end_auth();
            self.bad_command(
                Response::err("authentication cancelled"),
                ProtocolError::Auth(AuthFailure::Cancelled),
            );
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

    fn auth_malformed(&mut self, error: SaslError) {
        self.end_auth();
        self.bad_command(
            Response::err("malformed authentication response"),
            ProtocolError::Auth(AuthFailure::Malformed(error)),
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
                credentials.username().clone_into(&mut self.login_user);
                self.pending = Some(Pending::Login);
                self.events.push_back(Event::Auth(AuthRequest {
                    mechanism,
                    credentials,
                }));
            }
            Err(error) => self.auth_malformed(error),
        }
    }
}

/// `n messages`, or `1 message`.
fn messages(n: usize) -> String {
    if n == 1 {
        "1 message".to_owned()
    } else {
        format!("{n} messages")
    }
}
