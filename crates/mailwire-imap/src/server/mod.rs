//! The sans-IO IMAP server state machine (RFC 3501, RFC 9051).
//!
//! [`Server`] does no I/O and keeps no mail store: it frames commands with
//! the [`CommandDecoder`], checks each against the connection state (not
//! authenticated, authenticated, selected, logout), answers what it can on
//! its own (CAPABILITY, NOOP before login, LOGOUT, STARTTLS, ID, ENABLE,
//! IDLE, literal continuations, the SASL exchanges of PLAIN, LOGIN,
//! XOAUTH2 and CRAM-MD5 ([`ServerConfig::sasl`], [`Mechanism`])) and hands
//! everything about mailboxes and credentials to the application as
//! [`Event`]s ([`Event::Login`] for a password, [`Event::Authenticate`]
//! for a bearer token or a CRAM-MD5 digest to check). The
//! application answers with [`Server::send_untagged`] and ends each command
//! with [`Server::complete`].
//!
//! Commands are answered in order: while a command waits for the
//! application, later input stays in the bounded input buffer
//! ([`ServerConfig::max_input`]) and [`Server::handle_input`] takes less,
//! which is the back-pressure a driver passes on to the socket.
//!
//! # Call order
//!
//! 1. [`Server::new`] (the greeting is queued as output);
//! 2. loop: write out [`Server::poll_output`]; handle every
//!    [`Server::poll_event`] (decisions may be made right away or later);
//!    feed bytes read from the socket to [`Server::handle_input`] (it
//!    returns how many it took: keep the rest); after TLS is set up call
//!    [`Server::tls_established`]; when [`Server::poll_timeout`] passes,
//!    call [`Server::handle_timeout`];
//! 3. stop when [`Server::is_closed`] and the output is drained.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::BytesMut;
//! use mailwire_imap::server::{Event, Server, ServerConfig};
//! use mailwire_imap::types::StatusKind;
//!
//! let now = Instant::now();
//! let mut server = Server::new(Arc::new(ServerConfig::default()), now);
//! let mut out = BytesMut::new();
//! let _ = server.poll_output(&mut out);
//! assert!(out.starts_with(b"* OK [CAPABILITY IMAP4rev1"));
//! out.clear();
//!
//! let _ = server.handle_input(now, b"a1 LOGIN fred secret\r\n");
//! let Some(Event::Login { id, username, password, .. }) = server.poll_event() else { panic!() };
//! assert_eq!((username.as_str(), password.expose().as_str()), ("fred", "secret"));
//! server.complete(id, StatusKind::Ok, None, "LOGIN completed")?;
//! let _ = server.poll_output(&mut out);
//! assert_eq!(&out[..], b"a1 OK LOGIN completed\r\n");
//! # Ok::<(), mailwire_imap::server::DecisionError>(())
//! ```

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use mailwire_core::sasl;
pub use mailwire_core::sasl::Credentials;

use std::num::NonZeroU32;

use crate::encode::{EncodeError, FetchLiteralWriter};
use crate::parse::{CommandDecoder, CommandError, Decoded, Limits};
use crate::types::{
    Code, Command, CommandBody, DateTime, FetchItem, Flag, Mailbox, Response, Secret, Status,
    StatusKind, StreamedItem, Tag,
};

/// How a server behaves; shared by its connections.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Text of the greeting after its capability code.
    pub greeting: String,
    /// Greet with `PREAUTH` (the connection is authenticated already).
    pub preauth: bool,
    /// Offer STARTTLS (until TLS is set up).
    pub starttls: bool,
    /// Refuse LOGIN and AUTHENTICATE PLAIN before TLS (advertises
    /// `LOGINDISABLED`, RFC 3501 6.2.3).
    pub login_requires_tls: bool,
    /// Connection already under TLS (implicit TLS, port 993).
    pub implicit_tls: bool,
    /// More capabilities to advertise (after the built-in ones).
    pub extra_capabilities: Vec<String>,
    /// Decoder limits (line, literal, APPEND message sizes...). With
    /// `literal_minus` the server advertises `LITERAL-`, else `LITERAL+`.
    pub limits: Limits,
    /// Bad commands (syntax errors, wrong state) before `* BYE` and close.
    /// Default 10.
    pub max_bad_commands: usize,
    /// Autologout after this long without input once logged in.
    /// Default 30 minutes (RFC 9051 5.4 asks for at least that).
    pub autologout: Duration,
    /// The same before login. Default 5 minutes.
    pub login_timeout: Duration,
    /// Input buffer bound. Default `limits.max_command + limits.max_line`
    /// (a buffered command with its literals must fit).
    pub max_input: usize,
    /// Output above which the server stops reading commands and
    /// [`Server::wants_data`] says false. Default 64 KiB.
    pub max_output: usize,
    /// The SASL mechanisms offered (`AUTH=` capabilities), in order.
    /// Default PLAIN and LOGIN. `XOAUTH2` and `CRAM-MD5` come as
    /// [`Event::Authenticate`]; `CRAM-MD5` needs a challenge nonce
    /// ([`Server::set_nonce`]).
    pub sasl: Vec<Mechanism>,
    /// The host name in a CRAM-MD5 challenge, `<nonce@hostname>`
    /// (RFC 2195 section 2). Default `localhost`.
    pub hostname: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let limits = Limits::DEFAULT;
        Self {
            greeting: "mailwire IMAP4rev1 ready".into(),
            preauth: false,
            starttls: false,
            login_requires_tls: false,
            implicit_tls: false,
            extra_capabilities: Vec::new(),
            limits,
            max_bad_commands: 10,
            autologout: Duration::from_secs(30 * 60),
            login_timeout: Duration::from_secs(5 * 60),
            max_input: limits.max_command + limits.max_line,
            max_output: 64 * 1024,
            sasl: vec![Mechanism::Plain, Mechanism::Login],
            hostname: "localhost".into(),
        }
    }
}

/// A SASL mechanism the server runs (RFC 9051 section 6.2.2), with the
/// helpers of [`mailwire_core::sasl`].
///
/// ```
/// use mailwire_imap::server::Mechanism;
/// assert_eq!(Mechanism::CramMd5.as_str(), "CRAM-MD5");
/// assert_eq!(Mechanism::from_name("xoauth2"), Some(Mechanism::XOAuth2));
/// assert!(Mechanism::XOAuth2.is_plaintext() && !Mechanism::CramMd5.is_plaintext());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `PLAIN` (RFC 4616): comes as [`Event::Login`].
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login): user name, then password;
    /// comes as [`Event::Login`].
    Login,
    /// `XOAUTH2`: a user name and an OAuth 2.0 bearer token; comes as
    /// [`Event::Authenticate`] with [`Credentials::Token`].
    XOAuth2,
    /// `CRAM-MD5` (RFC 2195): a keyed digest of the server's challenge;
    /// comes as [`Event::Authenticate`] with [`Credentials::CramMd5`],
    /// checked with [`CramMd5Response::verify`](mailwire_core::sasl::CramMd5Response::verify).
    CramMd5,
}

impl Mechanism {
    /// The mechanism's name as advertised.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::XOAuth2 => "XOAUTH2",
            Self::CramMd5 => "CRAM-MD5",
        }
    }

    /// The mechanism of that name (case-insensitive), if known.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Plain, Self::Login, Self::XOAuth2, Self::CramMd5]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether the client sends its secret in the clear (all but
    /// `CRAM-MD5`): refused before TLS when
    /// [`ServerConfig::login_requires_tls`].
    #[must_use]
    pub const fn is_plaintext(self) -> bool {
        !matches!(self, Self::CramMd5)
    }
}

/// Identifies a command waiting for [`Server::complete`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandId(u64);

/// The connection state (RFC 9051 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Before login.
    NotAuthenticated,
    /// Logged in, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected {
        /// Selected with EXAMINE.
        read_only: bool,
    },
    /// After LOGOUT, BYE or a timeout.
    Logout,
}

/// What the application must act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A command for the application (mailbox operations, NOOP when
    /// logged in, NAMESPACE...). Write untagged data with
    /// [`Server::send_untagged`], then [`Server::complete`] it. A
    /// successful SELECT/EXAMINE selects; a successful CLOSE/UNSELECT
    /// deselects.
    Command {
        /// Pass to [`Server::complete`].
        id: CommandId,
        /// The command.
        command: Command<'static>,
    },
    /// Credentials to check (LOGIN or AUTHENTICATE PLAIN): complete with
    /// `OK` to log in, `NO` to refuse.
    Login {
        /// Pass to [`Server::complete`].
        id: CommandId,
        /// The authorization identity (SASL PLAIN only).
        authzid: Option<String>,
        /// The user name.
        username: String,
        /// The password (redacted in `Debug`).
        password: Secret<String>,
    },
    /// AUTHENTICATE with `XOAUTH2` or `CRAM-MD5`: check the credentials
    /// (a bearer token with its issuer; a CRAM-MD5 digest with
    /// [`CramMd5Response::verify`](mailwire_core::sasl::CramMd5Response::verify)
    /// and the user's stored secret), then complete with `OK` to log in or
    /// `NO` to refuse; a refused XOAUTH2 token may first get its error
    /// challenge with [`Server::reject_xoauth2`].
    Authenticate {
        /// Pass to [`Server::complete`].
        id: CommandId,
        /// The mechanism.
        mechanism: Mechanism,
        /// What the client presented (secrets redacted in `Debug`).
        credentials: Credentials,
    },
    /// STARTTLS accepted (its `OK` is queued): write out the output, do
    /// the TLS handshake, then call [`Server::tls_established`].
    StartTls,
    /// IDLE began; push untagged updates with [`Server::send_untagged`]
    /// until [`Event::IdleDone`].
    Idle {
        /// The IDLE command.
        id: CommandId,
    },
    /// The client ended IDLE with `DONE` (the server answered `OK`).
    IdleDone {
        /// The IDLE command.
        id: CommandId,
    },
    /// An APPEND message is announced: answer with
    /// [`Server::accept_append`] (a synchronizing literal gets its `+`)
    /// or [`Server::reject_append`]; its octets follow as
    /// [`Event::AppendData`]. For MULTIAPPEND this comes once per message.
    AppendStart {
        /// Pass to [`Server::complete`] after [`Event::AppendEnd`].
        id: CommandId,
        /// The mailbox.
        mailbox: Mailbox<'static>,
        /// The flags to set.
        flags: Vec<Flag<'static>>,
        /// The INTERNALDATE to set.
        date: Option<DateTime>,
        /// The message size.
        size: u64,
    },
    /// The next octets of the APPEND message.
    AppendData(Bytes),
    /// The APPEND command ended: store it, then [`Server::complete`].
    AppendEnd {
        /// The APPEND command.
        id: CommandId,
    },
}

/// A decision the machine could not take.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionError {
    /// No command with this id is waiting.
    #[error("no command with this id is waiting for an answer")]
    NotPending,
    /// The APPEND message has not ended yet.
    #[error("the APPEND message has not been read to its end")]
    AppendNotEnded,
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// The response could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    App,
    Login,
    Select {
        read_only: bool,
    },
    Deselect,
    Append,
    /// An APPEND not allowed in this state whose literal is being skipped.
    Refused,
}

#[derive(Debug)]
struct Pending {
    id: CommandId,
    tag: Tag<'static>,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Normal,
    Sasl(Tag<'static>),
    /// AUTHENTICATE LOGIN: the user name once it has come.
    SaslLogin(Tag<'static>, Option<String>),
    /// AUTHENTICATE XOAUTH2: the response line is awaited.
    SaslXOAuth2(Tag<'static>),
    /// AUTHENTICATE CRAM-MD5: the challenge sent, the response awaited.
    SaslCram(Tag<'static>, String),
    /// A failed XOAUTH2 exchange: the client's (empty) line after the
    /// error challenge is awaited, then `tag NO text`.
    SaslFailed(Tag<'static>, String),
    Idle(Tag<'static>, CommandId),
    TlsWait,
}

/// The step of an XOAUTH2 or CRAM-MD5 exchange.
enum SaslStep {
    XOAuth2,
    CramMd5(String),
}

/// The decoder's result, owned (so the machine can act on itself).
enum Step {
    Incomplete,
    Plus(bool),
    Command(Command<'static>),
    Failed(Option<Tag<'static>>, CommandError),
    AppendStart {
        tag: Option<Tag<'static>>,
        mailbox: Option<Mailbox<'static>>,
        flags: Vec<Flag<'static>>,
        date: Option<DateTime>,
        size: u64,
        sync: bool,
    },
    Chunk(Bytes),
    AppendEnd,
    Line(Vec<u8>),
}

/// One server connection. See the [module docs](self) for the call order.
#[derive(Debug)]
pub struct Server {
    config: Arc<ServerConfig>,
    decoder: CommandDecoder,
    buf: BytesMut,
    out: BytesMut,
    events: VecDeque<Event>,
    state: State,
    mode: Mode,
    tls: bool,
    pending: Option<Pending>,
    in_append: bool,
    /// A synchronizing APPEND literal waits for the application's word.
    append_waiting: bool,
    append_mailbox: Option<Mailbox<'static>>,
    next_id: u64,
    bad: usize,
    last_input: Instant,
    closed: bool,
    /// The CRAM-MD5 challenge, `<nonce@hostname>`.
    challenge: Option<String>,
    /// The XOAUTH2 exchange being completed (for `reject_xoauth2`).
    xoauth2: Option<(CommandId, Tag<'static>)>,
}

impl Server {
    /// A connection just accepted: the greeting is queued as output.
    #[must_use]
    pub fn new(config: Arc<ServerConfig>, now: Instant) -> Self {
        let decoder = CommandDecoder::with_limits(&config.limits).stream_append(true);
        let mut server = Self {
            decoder,
            buf: BytesMut::new(),
            out: BytesMut::new(),
            events: VecDeque::new(),
            state: if config.preauth {
                State::Authenticated
            } else {
                State::NotAuthenticated
            },
            mode: Mode::Normal,
            tls: config.implicit_tls,
            pending: None,
            in_append: false,
            append_waiting: false,
            append_mailbox: None,
            next_id: 0,
            bad: 0,
            last_input: now,
            closed: false,
            challenge: None,
            xoauth2: None,
            config,
        };
        let caps = server.capabilities();
        let kind = if server.config.preauth {
            "PREAUTH"
        } else {
            "OK"
        };
        let text = clean(&server.config.greeting);
        server.write(format!("* {kind} [CAPABILITY {caps}] {text}\r\n").as_bytes());
        server
    }

    /// The capabilities advertised now (they change with TLS and login).
    #[must_use]
    pub fn capabilities(&self) -> String {
        let mut caps = String::from("IMAP4rev1");
        if self.state == State::NotAuthenticated {
            if self.config.starttls && !self.tls {
                caps.push_str(" STARTTLS");
            }
            if self.login_disabled() {
                caps.push_str(" LOGINDISABLED");
            }
            let mut any = false;
            for m in &self.config.sasl {
                if !self.mechanism_available(*m) {
                    continue;
                }
                caps.push_str(" AUTH=");
                caps.push_str(m.as_str());
                any = true;
            }
            if any {
                caps.push_str(" SASL-IR");
            }
        }
        caps.push_str(if self.config.limits.literal_minus {
            " LITERAL-"
        } else {
            " LITERAL+"
        });
        caps.push_str(" IDLE ENABLE ID NAMESPACE UNSELECT");
        for extra in &self.config.extra_capabilities {
            caps.push(' ');
            caps.push_str(&clean(extra));
        }
        caps
    }

    fn login_disabled(&self) -> bool {
        self.config.login_requires_tls && !self.tls
    }

    /// Whether AUTHENTICATE with `m` may run now (configured; not a
    /// plaintext one while they need TLS).
    fn mechanism_available(&self, m: Mechanism) -> bool {
        self.config.sasl.contains(&m) && !(m.is_plaintext() && self.login_disabled())
    }

    /// Sets this session's unique, unpredictable value (a random number
    /// and the time, say): the CRAM-MD5 challenge is `<nonce@hostname>`
    /// (RFC 2195 section 2; a nonce holding `@` is the whole challenge,
    /// `<nonce>`). Octets outside 0x21-0x7E and angle brackets are
    /// dropped. Call it before the client authenticates (right after
    /// [`new`](Self::new)); without it AUTHENTICATE CRAM-MD5 is answered
    /// `NO`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Instant;
    /// use bytes::BytesMut;
    /// use mailwire_imap::server::{Mechanism, Server, ServerConfig};
    ///
    /// let mut config = ServerConfig::default();
    /// config.sasl = vec![Mechanism::CramMd5];
    /// config.hostname = "postoffice.reston.mci.net".into();
    /// let mut server = Server::new(Arc::new(config), Instant::now());
    /// server.set_nonce("1896.697170952");
    /// let _ = server.handle_input(Instant::now(), b"a1 AUTHENTICATE CRAM-MD5\r\n");
    /// let mut out = BytesMut::new();
    /// let _ = server.poll_output(&mut out);
    /// // RFC 2195 section 2: "<1896.697170952@postoffice.reston.mci.net>" in base64.
    /// assert!(out.ends_with(b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"));
    /// ```
    pub fn set_nonce(&mut self, nonce: impl Into<String>) {
        let nonce: String = nonce
            .into()
            .chars()
            .filter(|&c| c.is_ascii_graphic() && c != '<' && c != '>')
            .collect();
        self.challenge = if nonce.is_empty() {
            None
        } else if nonce.contains('@') {
            Some(format!("<{nonce}>"))
        } else {
            Some(format!("<{nonce}@{}>", clean(&self.config.hostname)))
        };
    }

    /// Refuses an XOAUTH2 token ([`Event::Authenticate`]) the way
    /// XOAUTH2 servers do: `+ ` and the base64 of `error` (a JSON
    /// object such as `{"status":"401","schemes":"bearer"}`); the
    /// client answers with an empty line, and the command ends with
    /// `tag NO text`. (Completing with `NO` directly is fine too.)
    ///
    /// # Errors
    ///
    /// [`DecisionError::NotPending`] when `id` is not an XOAUTH2
    /// exchange waiting for its answer, [`DecisionError::Closed`].
    pub fn reject_xoauth2(
        &mut self,
        id: CommandId,
        error: &str,
        text: &str,
    ) -> Result<(), DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        match (&self.pending, &self.xoauth2) {
            (Some(p), Some((x, _))) if p.id == id && *x == id => {}
            _ => return Err(DecisionError::NotPending),
        }
        let Some((_, tag)) = self.xoauth2.take() else {
            return Err(DecisionError::NotPending);
        };
        self.pending = None;
        let line = format!("+ {}\r\n", sasl::encode_base64(error.as_bytes()));
        self.write(line.as_bytes());
        self.mode = Mode::SaslFailed(tag, clean(text));
        self.decoder.expect_line();
        self.process();
        Ok(())
    }

    /// The connection state.
    #[must_use]
    pub const fn state(&self) -> State {
        self.state
    }

    /// Takes bytes read from the client; returns how many were taken
    /// (fewer when the input buffer is full: keep the rest and offer it
    /// again after handling events and output).
    #[must_use]
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        if self.closed || self.mode == Mode::TlsWait {
            // Plaintext after STARTTLS (or after close) is never read.
            return data.len();
        }
        let room = self.config.max_input.saturating_sub(self.buf.len());
        let n = room.min(data.len());
        if n > 0 {
            self.last_input = now;
            self.buf.extend_from_slice(&data[..n]);
        }
        self.process();
        n
    }

    /// Whether [`handle_input`](Self::handle_input) would take bytes now.
    #[must_use]
    pub fn wants_input(&self) -> bool {
        !self.closed && self.mode != Mode::TlsWait && self.buf.len() < self.config.max_input
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if self.events.is_empty() {
            self.process();
        }
        event
    }

    /// Moves the pending output into `out`; returns how many bytes.
    #[must_use]
    pub fn poll_output(&mut self, out: &mut BytesMut) -> usize {
        let n = self.out.len();
        out.extend_from_slice(&self.out);
        self.out.clear();
        self.process();
        n
    }

    /// Whether the output is below [`ServerConfig::max_output`]: an
    /// application streaming FETCH data writes while this is true and
    /// drains [`poll_output`](Self::poll_output) otherwise.
    #[must_use]
    pub fn wants_data(&self) -> bool {
        !self.closed && self.out.len() < self.config.max_output
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        let limit = if self.state == State::NotAuthenticated {
            self.config.login_timeout
        } else {
            self.config.autologout
        };
        Some(self.last_input + limit)
    }

    /// Time passed: autologout (`* BYE` and close) when it is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(due) = self.poll_timeout() {
            if now >= due {
                self.write(b"* BYE Autologout; idle for too long\r\n");
                self.close();
            }
        }
    }

    /// TLS is set up after STARTTLS: the decoder starts afresh and the
    /// capabilities change.
    pub fn tls_established(&mut self) {
        self.tls = true;
        if self.mode == Mode::TlsWait {
            self.mode = Mode::Normal;
        }
        self.buf.clear();
        self.decoder = CommandDecoder::with_limits(&self.config.limits).stream_append(true);
    }

    /// Whether the connection is over (drain the output, then close).
    #[must_use]
    pub const fn is_closed(&self) -> bool {
        self.closed
    }

    /// Writes an untagged response (`* ...`): data for the command being
    /// answered, or an update while idling or between commands.
    ///
    /// # Errors
    ///
    /// [`DecisionError::Closed`], or [`DecisionError::Encode`] when the
    /// response cannot be written.
    pub fn send_untagged(&mut self, response: &Response<'_>) -> Result<(), DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        let mut bytes = Vec::new();
        response.encode(&mut bytes)?;
        self.write(&bytes);
        Ok(())
    }

    /// Writes octets as they are: responses the application encoded
    /// itself (whole CRLF-ended lines; the machine does not check them,
    /// so prefer [`send_untagged`](Self::send_untagged) and
    /// [`fetch_begin`](Self::fetch_begin), which cannot inject a line).
    /// Keep [`wants_data`](Self::wants_data) true between calls to bound
    /// the output.
    ///
    /// # Errors
    ///
    /// [`DecisionError::Closed`].
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        self.write(bytes);
        Ok(())
    }

    /// Starts a streamed FETCH response: writes `* seq FETCH (` the
    /// `before` items and the streamed item with its `{size}` CRLF. Then
    /// send the octets with [`fetch_chunk`](Self::fetch_chunk) while
    /// [`wants_data`](Self::wants_data) is true (draining
    /// [`poll_output`](Self::poll_output) otherwise), and end with
    /// [`fetch_finish`](Self::fetch_finish).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use bytes::BytesMut;
    /// # use mailwire_imap::server::{Server, ServerConfig};
    /// use mailwire_imap::types::{FetchItem, Section, StreamedItem};
    /// # let mut server = Server::new(Arc::new(ServerConfig::default()), Instant::now());
    /// # let mut out = BytesMut::new();
    /// # let _ = server.poll_output(&mut out);
    /// # out.clear();
    /// let body = StreamedItem::BodySection { section: Section::default(), origin: None };
    /// let mut writer = server.fetch_begin(1.try_into()?, &[], &body, 11)?;
    /// for piece in [&b"Hello"[..], b" world"] {
    ///     if !server.wants_data() {
    ///         let _ = server.poll_output(&mut out);
    ///     }
    ///     server.fetch_chunk(&mut writer, piece)?;
    /// }
    /// server.fetch_finish(writer, &[])?;
    /// let _ = server.poll_output(&mut out);
    /// assert_eq!(&out[..], b"* 1 FETCH (BODY[] {11}\r\nHello world)\r\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecisionError::Closed`], or [`DecisionError::Encode`] for an
    /// item that cannot be written (nothing is written then).
    pub fn fetch_begin(
        &mut self,
        seq: NonZeroU32,
        before: &[FetchItem<'_>],
        item: &StreamedItem<'_>,
        size: u64,
    ) -> Result<FetchLiteralWriter, DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        Ok(FetchLiteralWriter::begin(
            seq,
            before,
            item,
            size,
            &mut self.out,
        )?)
    }

    /// The next octets of a streamed FETCH literal.
    ///
    /// # Errors
    ///
    /// [`DecisionError::Closed`], or [`DecisionError::Encode`] past the
    /// announced size or for NUL outside `BINARY[]`.
    pub fn fetch_chunk(
        &mut self,
        writer: &mut FetchLiteralWriter,
        data: &[u8],
    ) -> Result<(), DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        Ok(writer.chunk(data, &mut self.out)?)
    }

    /// Ends a streamed FETCH response: the `after` items and `)` CRLF.
    ///
    /// # Errors
    ///
    /// [`DecisionError::Closed`], or [`DecisionError::Encode`] when fewer
    /// octets than announced were written.
    pub fn fetch_finish(
        &mut self,
        writer: FetchLiteralWriter,
        after: &[FetchItem<'_>],
    ) -> Result<(), DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        Ok(writer.finish(after, &mut self.out)?)
    }

    /// Accepts the APPEND message just announced ([`Event::AppendStart`]):
    /// for a synchronizing literal this writes `+ Ready` so the client
    /// sends it. Call it for every message (it does nothing when the
    /// literal was non-synchronizing).
    ///
    /// # Errors
    ///
    /// [`DecisionError::NotPending`] when `id` is not the APPEND being read.
    pub fn accept_append(&mut self, id: CommandId) -> Result<(), DecisionError> {
        self.append_check(id)?;
        if core::mem::take(&mut self.append_waiting) {
            self.write(b"+ Ready for literal data\r\n");
        }
        self.process();
        Ok(())
    }

    /// Refuses the APPEND message just announced before any of its
    /// octets is read (no such mailbox: `Code::TryCreate`; over quota):
    /// writes `tag NO [code] text` and the command ends. Only a
    /// synchronizing literal can be refused; a non-synchronizing one is
    /// on its way, so read it and [`complete`](Self::complete) with `NO`.
    ///
    /// # Errors
    ///
    /// [`DecisionError::NotPending`] when `id` is not an APPEND waiting
    /// for this decision, [`DecisionError::Encode`] for bad text.
    pub fn reject_append(
        &mut self,
        id: CommandId,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), DecisionError> {
        self.append_check(id)?;
        if !self.append_waiting || !self.decoder.reject_literal() {
            return Err(DecisionError::NotPending);
        }
        self.append_waiting = false;
        self.in_append = false;
        let Some(pending) = self.pending.take() else {
            return Err(DecisionError::NotPending);
        };
        let mut response = Status::new(Some(pending.tag), StatusKind::No, text);
        response.code = code;
        let mut bytes = Vec::new();
        response.encode(&mut bytes)?;
        self.write(&bytes);
        self.process();
        Ok(())
    }

    fn append_check(&self, id: CommandId) -> Result<(), DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        match &self.pending {
            Some(p) if p.id == id && p.kind == Kind::Append && self.in_append => Ok(()),
            _ => Err(DecisionError::NotPending),
        }
    }

    /// Ends a command given to the application: writes `tag status
    /// [code] text` and updates the state (a successful login
    /// authenticates, SELECT/EXAMINE select, CLOSE/UNSELECT deselect).
    ///
    /// # Errors
    ///
    /// [`DecisionError::NotPending`] for an id that is not waiting,
    /// [`DecisionError::AppendNotEnded`] before the APPEND message ended,
    /// [`DecisionError::Encode`] for text with CR or LF.
    pub fn complete(
        &mut self,
        id: CommandId,
        status: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), DecisionError> {
        if self.closed {
            return Err(DecisionError::Closed);
        }
        let Some(pending) = self.pending.as_ref().filter(|p| p.id == id) else {
            return Err(DecisionError::NotPending);
        };
        if pending.kind == Kind::Append && self.in_append {
            return Err(DecisionError::AppendNotEnded);
        }
        let mut response = Status::new(Some(pending.tag.clone()), status, text);
        response.code = code;
        let mut bytes = Vec::new();
        response.encode(&mut bytes)?;
        let kind = pending.kind;
        self.pending = None;
        self.xoauth2 = None;
        self.write(&bytes);
        let ok = status == StatusKind::Ok;
        match kind {
            Kind::Login if ok => self.state = State::Authenticated,
            Kind::Select { read_only } => {
                self.state = if ok {
                    State::Selected { read_only }
                } else {
                    State::Authenticated
                };
            }
            Kind::Deselect if ok => self.state = State::Authenticated,
            _ => {}
        }
        self.process();
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) {
        self.out.put_slice(bytes);
    }

    fn close(&mut self) {
        self.closed = true;
        self.append_waiting = false;
        self.state = State::Logout;
        self.buf.clear();
        self.pending = None;
    }

    fn next_id(&mut self) -> CommandId {
        self.next_id += 1;
        CommandId(self.next_id)
    }

    fn bad_command(&mut self) {
        self.bad += 1;
        if self.bad >= self.config.max_bad_commands {
            self.write(b"* BYE Too many invalid commands\r\n");
            self.close();
        }
    }

    fn tagged(&mut self, tag: &Tag<'_>, status: &str, text: &str) {
        let line = format!("{} {status} {text}\r\n", tag.as_str());
        self.write(line.as_bytes());
    }

    fn step(&mut self) -> Step {
        match self.decoder.decode(&mut self.buf) {
            Decoded::Incomplete => Step::Incomplete,
            Decoded::LiteralAnnounced { sync, .. } => Step::Plus(sync),
            Decoded::Command(cmd) => Step::Command(cmd.into_owned()),
            Decoded::Failed { tag, error } => Step::Failed(tag.map(Tag::into_owned), error),
            Decoded::AppendStart {
                tag,
                mailbox,
                message,
            } => Step::AppendStart {
                tag: Some(tag.into_owned()),
                mailbox: Some(mailbox.into_owned()),
                flags: message.flags.into_iter().map(Flag::into_owned).collect(),
                date: message.date,
                size: message.size,
                sync: message.sync,
            },
            Decoded::AppendNext { message } => Step::AppendStart {
                tag: None,
                mailbox: None,
                flags: message.flags.into_iter().map(Flag::into_owned).collect(),
                date: message.date,
                size: message.size,
                sync: message.sync,
            },
            Decoded::LiteralChunk(bytes) => Step::Chunk(bytes),
            Decoded::AppendEnd => Step::AppendEnd,
            Decoded::Line(line) => Step::Line(line.to_vec()),
        }
    }

    /// Reads commands while nothing blocks: no command waiting for the
    /// application, no event unread, output below its bound.
    fn process(&mut self) {
        loop {
            if self.closed
                || self.mode == Mode::TlsWait
                || !self.events.is_empty()
                || self.out.len() >= self.config.max_output
                || (self.pending.is_some() && !self.in_append)
                || self.append_waiting
            {
                return;
            }
            match self.step() {
                Step::Incomplete => return,
                Step::Plus(sync) => {
                    if sync {
                        self.write(b"+ Ready for literal data\r\n");
                    }
                }
                Step::Failed(tag, error) => {
                    if self.in_append {
                        // The APPEND went wrong half way: it ends here.
                        self.in_append = false;
                        self.pending = None;
                    }
                    // A failed SASL or DONE line ends the command waiting for it.
                    let tag = match core::mem::replace(&mut self.mode, Mode::Normal) {
                        Mode::Sasl(t)
                        | Mode::SaslLogin(t, _)
                        | Mode::SaslXOAuth2(t)
                        | Mode::SaslCram(t, _)
                        | Mode::SaslFailed(t, _)
                        | Mode::Idle(t, _) => Some(t),
                        Mode::Normal | Mode::TlsWait => tag,
                    };
                    let mut bytes = Vec::new();
                    error.write_answer(tag.as_ref(), &mut bytes);
                    self.write(&bytes);
                    self.bad_command();
                }
                Step::Command(cmd) => self.dispatch(cmd),
                Step::AppendStart {
                    tag,
                    mailbox,
                    flags,
                    date,
                    size,
                    sync,
                } => self.append_start(tag, mailbox, flags, date, size, sync),
                Step::Chunk(bytes) => {
                    let refused = self
                        .pending
                        .as_ref()
                        .is_some_and(|p| p.kind == Kind::Refused);
                    if self.in_append && !refused {
                        self.events.push_back(Event::AppendData(bytes));
                    }
                }
                Step::AppendEnd => {
                    self.in_append = false;
                    if let Some(p) = self.pending.take() {
                        if p.kind == Kind::Refused {
                            self.tagged(&p.tag, "BAD", "Command not valid in this state");
                            self.bad_command();
                        } else {
                            self.events.push_back(Event::AppendEnd { id: p.id });
                            self.pending = Some(p);
                        }
                    }
                }
                Step::Line(line) => self.line(&line),
            }
        }
    }

    fn append_start(
        &mut self,
        tag: Option<Tag<'static>>,
        mailbox: Option<Mailbox<'static>>,
        flags: Vec<Flag<'static>>,
        date: Option<DateTime>,
        size: u64,
        sync: bool,
    ) {
        let id = if let (Some(tag), Some(mailbox)) = (tag, mailbox) {
            // A new APPEND.
            let refused = self.state == State::NotAuthenticated;
            if refused && sync {
                self.decoder.reject_literal();
                self.tagged(&tag, "BAD", "Command not valid in this state");
                self.bad_command();
                return;
            }
            let id = self.next_id();
            self.pending = Some(Pending {
                id,
                tag,
                // A non-synchronizing literal comes anyway: it is read and
                // dropped, and the command answered BAD at its end.
                kind: if refused { Kind::Refused } else { Kind::Append },
            });
            self.append_mailbox = Some(mailbox);
            id
        } else if let Some(p) = &self.pending {
            p.id
        } else {
            return;
        };
        self.in_append = true;
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.kind == Kind::Refused)
        {
            return;
        }
        // A synchronizing literal waits for accept_append / reject_append.
        self.append_waiting = sync;
        let mailbox = self.append_mailbox.clone().unwrap_or(Mailbox::Inbox);
        self.events.push_back(Event::AppendStart {
            id,
            mailbox,
            flags,
            date,
            size,
        });
    }

    fn line(&mut self, line: &[u8]) {
        match core::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Idle(tag, id) => {
                if line.eq_ignore_ascii_case(b"DONE") {
                    self.tagged(&tag, "OK", "IDLE terminated");
                    self.events.push_back(Event::IdleDone { id });
                } else {
                    self.tagged(&tag, "BAD", "Expected DONE");
                    self.events.push_back(Event::IdleDone { id });
                    self.bad_command();
                }
            }
            Mode::Sasl(tag) => {
                if line == b"*" {
                    self.tagged(&tag, "BAD", "AUTHENTICATE cancelled");
                    return;
                }
                self.sasl_plain(tag, line);
            }
            Mode::SaslLogin(tag, user) => {
                if line == b"*" {
                    self.tagged(&tag, "BAD", "AUTHENTICATE cancelled");
                    return;
                }
                let Ok(value) = sasl::decode_base64(line) else {
                    self.tagged(&tag, "BAD", "Invalid base64");
                    self.bad_command();
                    return;
                };
                let value = String::from_utf8_lossy(&value).into_owned();
                match user {
                    None => {
                        // "Password:" in base64 (draft-murchison-sasl-login).
                        self.write(b"+ UGFzc3dvcmQ6\r\n");
                        self.mode = Mode::SaslLogin(tag, Some(value));
                        self.decoder.expect_line();
                    }
                    Some(username) => {
                        let id = self.next_id();
                        self.pending = Some(Pending {
                            id,
                            tag,
                            kind: Kind::Login,
                        });
                        self.events.push_back(Event::Login {
                            id,
                            authzid: None,
                            username,
                            password: Secret::new(value),
                        });
                    }
                }
            }
            Mode::SaslXOAuth2(tag) => {
                if line == b"*" {
                    self.tagged(&tag, "BAD", "AUTHENTICATE cancelled");
                    return;
                }
                self.sasl_other(tag, SaslStep::XOAuth2, line);
            }
            Mode::SaslCram(tag, challenge) => {
                if line == b"*" {
                    self.tagged(&tag, "BAD", "AUTHENTICATE cancelled");
                    return;
                }
                self.sasl_other(tag, SaslStep::CramMd5(challenge), line);
            }
            Mode::SaslFailed(tag, text) => {
                // Whatever the client sent (an empty line, or "*").
                self.tagged(&tag, "NO", &text);
            }
            Mode::Normal | Mode::TlsWait => {}
        }
    }

    /// A SASL response for XOAUTH2 or CRAM-MD5 (base64): the event, or
    /// `BAD` when it is malformed.
    fn sasl_other(&mut self, tag: Tag<'static>, step: SaslStep, base64: &[u8]) {
        let decoded = match sasl::decode_base64(base64) {
            Ok(d) => d,
            Err(_) => {
                self.tagged(&tag, "BAD", "Invalid base64");
                self.bad_command();
                return;
            }
        };
        let (mechanism, credentials) = match step {
            SaslStep::XOAuth2 => (Mechanism::XOAuth2, sasl::parse_xoauth2(&decoded)),
            SaslStep::CramMd5(challenge) => (
                Mechanism::CramMd5,
                sasl::parse_cram_md5(&decoded, &challenge).map(Credentials::CramMd5),
            ),
        };
        let Ok(credentials) = credentials else {
            self.tagged(&tag, "BAD", "Invalid SASL response");
            self.bad_command();
            return;
        };
        let id = self.next_id();
        if mechanism == Mechanism::XOAuth2 {
            self.xoauth2 = Some((id, tag.clone()));
        }
        self.pending = Some(Pending {
            id,
            tag,
            kind: Kind::Login,
        });
        self.events.push_back(Event::Authenticate {
            id,
            mechanism,
            credentials,
        });
    }

    fn sasl_plain(&mut self, tag: Tag<'static>, base64: &[u8]) {
        let creds = sasl::decode_base64(base64).and_then(|raw| sasl::parse_plain(&raw));
        match creds {
            Ok(Credentials::Password {
                authzid,
                username,
                password,
            }) => {
                let id = self.next_id();
                self.pending = Some(Pending {
                    id,
                    tag,
                    kind: Kind::Login,
                });
                self.events.push_back(Event::Login {
                    id,
                    authzid: authzid.map(|a| a.to_string()),
                    username: username.to_string(),
                    password: Secret::new(password.expose().to_string()),
                });
            }
            _ => {
                self.tagged(&tag, "BAD", "Invalid SASL PLAIN response");
                self.bad_command();
            }
        }
    }

    fn hand_over(&mut self, command: Command<'static>, kind: Kind) {
        let id = self.next_id();
        self.pending = Some(Pending {
            id,
            tag: command.tag.clone(),
            kind,
        });
        self.events.push_back(Event::Command { id, command });
    }

    #[allow(clippy::too_many_lines)]
    fn dispatch(&mut self, cmd: Command<'static>) {
        use CommandBody as B;
        let tag = cmd.tag.clone();
        let authed = matches!(self.state, State::Authenticated | State::Selected { .. });
        let selected = matches!(self.state, State::Selected { .. });
        let allowed = match &cmd.body {
            B::Capability | B::Noop | B::Logout | B::Id { .. } => true,
            B::StartTls | B::Authenticate { .. } | B::Login { .. } => {
                self.state == State::NotAuthenticated
            }
            B::Check
            | B::Close
            | B::Unselect
            | B::Expunge
            | B::UidExpunge { .. }
            | B::Search { .. }
            | B::Fetch { .. }
            | B::Store { .. }
            | B::Copy { .. }
            | B::Move { .. }
            | B::Sort { .. }
            | B::Thread { .. } => selected,
            _ => authed,
        };
        if !allowed {
            self.tagged(&tag, "BAD", "Command not valid in this state");
            self.bad_command();
            return;
        }
        match cmd.body {
            B::Capability => {
                let line = format!("* CAPABILITY {}\r\n", self.capabilities());
                self.write(line.as_bytes());
                self.tagged(&tag, "OK", "CAPABILITY completed");
            }
            B::Noop if !authed => self.tagged(&tag, "OK", "NOOP completed"),
            B::Logout => {
                self.write(b"* BYE IMAP4rev1 Server logging out\r\n");
                self.tagged(&tag, "OK", "LOGOUT completed");
                self.close();
            }
            B::StartTls => {
                if !self.config.starttls || self.tls {
                    self.tagged(&tag, "BAD", "STARTTLS not available");
                    self.bad_command();
                    return;
                }
                self.tagged(&tag, "OK", "Begin TLS negotiation now");
                // Anything pipelined after STARTTLS was sent in plaintext:
                // it is dropped, never read as commands.
                self.buf.clear();
                self.mode = Mode::TlsWait;
                self.events.push_back(Event::StartTls);
            }
            B::Login { username, password } => {
                if self.login_disabled() {
                    self.tagged(
                        &tag,
                        "NO",
                        "[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS",
                    );
                    return;
                }
                let id = self.next_id();
                self.pending = Some(Pending {
                    id,
                    tag,
                    kind: Kind::Login,
                });
                self.events.push_back(Event::Login {
                    id,
                    authzid: None,
                    username: String::from_utf8_lossy(username.as_bytes()).into_owned(),
                    password: Secret::new(
                        String::from_utf8_lossy(password.expose().as_bytes()).into_owned(),
                    ),
                });
            }
            B::Authenticate { mechanism, initial } => {
                let Some(mech) = Mechanism::from_name(mechanism.as_str())
                    .filter(|m| self.config.sasl.contains(m))
                else {
                    self.tagged(&tag, "NO", "Unsupported authentication mechanism");
                    return;
                };
                if !self.mechanism_available(mech) {
                    self.tagged(
                        &tag,
                        "NO",
                        "[PRIVACYREQUIRED] Authentication needs TLS first",
                    );
                    return;
                }
                let login = mech == Mechanism::Login;
                match mech {
                    Mechanism::CramMd5 => {
                        let Some(challenge) = self.challenge.clone() else {
                            self.tagged(&tag, "NO", "[UNAVAILABLE] CRAM-MD5 is not available");
                            return;
                        };
                        if initial.is_some() {
                            // RFC 2195: the server speaks first.
                            self.tagged(&tag, "BAD", "CRAM-MD5 takes no initial response");
                            self.bad_command();
                            return;
                        }
                        let line = format!("+ {}\r\n", sasl::encode_base64(challenge.as_bytes()));
                        self.write(line.as_bytes());
                        self.mode = Mode::SaslCram(tag, challenge);
                        self.decoder.expect_line();
                        return;
                    }
                    Mechanism::XOAuth2 => {
                        match initial {
                            Some(crate::types::InitialResponse::Base64(b64)) => {
                                self.sasl_other(tag, SaslStep::XOAuth2, b64.expose().as_bytes());
                            }
                            Some(crate::types::InitialResponse::Empty) => {
                                self.sasl_other(tag, SaslStep::XOAuth2, b"");
                            }
                            None => {
                                self.write(b"+ \r\n");
                                self.mode = Mode::SaslXOAuth2(tag);
                                self.decoder.expect_line();
                            }
                        }
                        return;
                    }
                    Mechanism::Plain | Mechanism::Login => {}
                }
                if login {
                    // "Username:" in base64; an initial response is the user name.
                    let user = match initial {
                        Some(crate::types::InitialResponse::Base64(b64)) => {
                            sasl::decode_base64(b64.expose().as_bytes())
                                .ok()
                                .map(|u| String::from_utf8_lossy(&u).into_owned())
                        }
                        _ => None,
                    };
                    self.write(if user.is_some() {
                        b"+ UGFzc3dvcmQ6\r\n"
                    } else {
                        b"+ VXNlcm5hbWU6\r\n"
                    });
                    self.mode = Mode::SaslLogin(tag, user);
                    self.decoder.expect_line();
                    return;
                }
                match initial {
                    Some(crate::types::InitialResponse::Base64(b64)) => {
                        self.sasl_plain(tag, b64.expose().as_bytes());
                    }
                    Some(crate::types::InitialResponse::Empty) => {
                        self.sasl_plain(tag, b"");
                    }
                    None => {
                        self.write(b"+ \r\n");
                        self.mode = Mode::Sasl(tag);
                        self.decoder.expect_line();
                    }
                }
            }
            B::Enable { .. } => {
                self.write(b"* ENABLED\r\n");
                self.tagged(&tag, "OK", "ENABLE completed");
            }
            B::Id { .. } => {
                self.write(b"* ID NIL\r\n");
                self.tagged(&tag, "OK", "ID completed");
            }
            B::Idle => {
                let id = self.next_id();
                self.write(b"+ idling\r\n");
                self.mode = Mode::Idle(tag, id);
                self.decoder.expect_line();
                self.events.push_back(Event::Idle { id });
            }
            B::Compress { .. } => self.tagged(&tag, "NO", "COMPRESS is not supported"),
            B::Select { .. } => {
                // RFC 9051 6.3.2: a SELECT deselects first, whatever its outcome.
                self.state = State::Authenticated;
                self.hand_over(cmd, Kind::Select { read_only: false });
            }
            B::Examine { .. } => {
                self.state = State::Authenticated;
                self.hand_over(cmd, Kind::Select { read_only: true });
            }
            B::Close | B::Unselect => self.hand_over(cmd, Kind::Deselect),
            _ => self.hand_over(cmd, Kind::App),
        }
    }
}

/// Text for a status line: CR, LF and NUL replaced.
fn clean(text: &str) -> String {
    text.replace(['\r', '\n', '\0'], " ")
}
