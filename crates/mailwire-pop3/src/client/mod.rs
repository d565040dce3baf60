//! The sans-IO POP3 client: a state machine that reads the server's bytes
//! and the application's commands and says what to send.
//!
//! The [`Client`] never touches a socket or a clock. The application
//! moves bytes and time in and out:
//!
//! | direction | call |
//! |---|---|
//! | server bytes in | [`Client::handle_input`] (takes what fits in the bounded buffer) |
//! | connection ended | [`Client::connection_closed`] |
//! | time in | [`Client::handle_timeout`] (also the clock the deadline counts from) |
//! | commands in | [`Client::capa`], [`Client::stls`], [`Client::login_user_pass`], [`Client::login_apop`], [`Client::authenticate`], [`Client::stat`], [`Client::list`], [`Client::uidl`], [`Client::retr`], [`Client::top`], [`Client::dele`], [`Client::rset`], [`Client::noop`], [`Client::utf8`], [`Client::quit`] |
//! | TLS done | [`Client::tls_established`], after [`Event::StartTls`] |
//! | events out | [`Client::poll_event`] |
//! | bytes out | [`Client::poll_output`] (appended to a buffer) or [`Client::poll_transmit`] |
//! | next deadline | [`Client::poll_timeout`] |
//!
//! # Call order
//!
//! 1. Connect, make the client with [`Client::new`] and give it the time
//!    with [`handle_timeout`](Client::handle_timeout). Commands may be
//!    queued at once; they go out after the greeting.
//! 2. Loop:
//!    - pass received bytes to [`handle_input`](Client::handle_input). It
//!      returns how many it took: the client holds at most
//!      [`Config::max_buffered`] bytes, so when it takes less, drain the
//!      events and offer the rest again;
//!    - drain [`poll_event`](Client::poll_event) and act on each event
//!      ([`Event::StartTls`]: run the handshake, then
//!      [`tls_established`](Client::tls_established)). Events are made
//!      from the buffered input as they are polled, so draining them is
//!      what frees room for more input;
//!    - then drain [`poll_output`](Client::poll_output) and write the
//!      bytes. Output follows from input and from the commands queued;
//!      taking output never raises an event;
//!    - pass the time to [`handle_timeout`](Client::handle_timeout) when
//!      [`poll_timeout`](Client::poll_timeout)'s deadline passes;
//!    - stop after [`Event::Closed`] and close the connection.
//!
//! The events are the same however the server's bytes are split between
//! calls to `handle_input`, except that message bytes may come in
//! different [`Event::MessageData`] chunks.
//!
//! # What it does
//!
//! - Reads the greeting and keeps its APOP timestamp (RFC 1939 section
//!   7); a `-ERR` greeting ends the session.
//! - Checks each command against the state the session will be in when it
//!   is sent (AUTHORIZATION or TRANSACTION); a command out of place is a
//!   [`UsageError`], never sent.
//! - Matches answers to commands in order. With `PIPELINING` in the
//!   server's answer to `CAPA` (RFC 2449 section 6.6) it writes the
//!   TRANSACTION commands (`STAT`, `LIST`, `UIDL`, `RETR`, `TOP`, `DELE`,
//!   `RSET`, `NOOP`) without waiting, up to [`Config::max_in_flight`];
//!   otherwise one at a time. `CAPA`, `STLS`, `USER`/`PASS`, `APOP`,
//!   `AUTH`, `UTF8` and `QUIT` always go alone: their outcome changes
//!   what may follow (RFC 2449 allows pipelining `USER` and `PASS`, but a
//!   `PASS` sent after a refused `USER` would be wasted, so the client
//!   waits).
//! - `STLS` (RFC 2595): after the `+OK`, [`Event::StartTls`] and no
//!   output until [`tls_established`](Client::tls_established), which
//!   forgets the old capabilities and sends `CAPA` again. Any byte that
//!   arrives after the `+OK` and before the handshake is discarded and
//!   ends the session ([`ClientError::StlsInjection`]).
//! - SASL (RFC 5034) with `PLAIN`, `LOGIN`, `XOAUTH2` and `CRAM-MD5`
//!   ([`Sasl`]), an initial response when the line stays within 255
//!   octets, `*` to cancel a challenge it cannot answer.
//! - Message bodies (`RETR`, `TOP`) are dot-unstuffed and handed out as
//!   [`Event::MessageData`] chunks that share the receive buffer; the end
//!   is only `CRLF.CRLF`. Memory stays bounded whatever the message size.
//!   `LIST` and `UIDL` answers come in batches, `CAPA` lines are capped.
//! - A `-ERR` answers one command ([`Event::Error`], with its extended
//!   code); the session goes on. A failed login cancels the commands
//!   queued behind it for the TRANSACTION state.
//!
//! # Example
//!
//! The session of RFC 1939 section 10:
//!
//! ```
//! use bytes::BytesMut;
//! use mailwire_pop3::client::{Client, Config, Event};
//!
//! let mut client = Client::new(Config::default());
//! let server: [&[u8]; 6] = [
//!     b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
//!     b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
//!     b"+OK 2 320\r\n",
//!     b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
//!     b"+OK 120 octets\r\nHello\r\n..dot\r\n.\r\n",
//!     b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
//! ];
//! let mut sent = BytesMut::new();
//! let mut events = Vec::new();
//! for (i, read) in server.into_iter().enumerate() {
//!     let mut rest = read;
//!     while !rest.is_empty() {
//!         let taken = client.handle_input(rest);
//!         rest = &rest[taken..];
//!         while let Some(event) = client.poll_event() {
//!             events.push(event);
//!         }
//!     }
//!     if i == 0 {
//!         // After the greeting: its timestamp is known.
//!         client.login_apop("mrose", "tanstaaf")?;
//!         client.stat()?;
//!         client.list(None)?;
//!         client.retr(1)?;
//!         client.quit()?;
//!     }
//!     let _ = client.poll_output(&mut sent); // a real client writes these to the socket
//! }
//! assert_eq!(
//!     &sent[..],
//!     b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\nRETR 1\r\nQUIT\r\n"
//! );
//! let body: Vec<u8> = events
//!     .iter()
//!     .filter_map(|e| match e {
//!         Event::MessageData { data, .. } => Some(data.to_vec()),
//!         _ => None,
//!     })
//!     .flatten()
//!     .collect();
//! assert_eq!(body, b"Hello\r\n.dot\r\n");
//! assert!(events.iter().any(|e| matches!(e, Event::Stat { count: 2, size: 320, .. })));
//! assert!(matches!(events.last(), Some(Event::Closed { response: Some(_) })));
//! # Ok::<(), mailwire_pop3::client::UsageError>(())
//! ```

mod config;
mod event;

pub use config::{Config, Sasl};
pub use event::{ClientError, CommandId, Event, UsageError};

use std::collections::VecDeque;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use mailwire_core::dot::DotDecoder;
use mailwire_core::sasl::{cram_md5_response, decode_base64, encode_base64, encode_plain};
use mailwire_core::{BarePolicy, LineFramer};

use crate::encode::EncodeError;
use crate::parse::{ResponseReader, ServerFrame};
use crate::types::{
    Capabilities, Command, Continuation, InitialResponse, Response, ResponseKind, ScanListing,
    Secret, UniqueIdListing, apop_digest,
};

/// Events made ahead of the application's polling: past this many, the
/// client stops reading its buffer until they are polled.
const MAX_EVENTS: usize = 32;

/// The longest command line (RFC 2449 section 4); an `AUTH` initial
/// response that would exceed it waits for the server's `+ `
/// (RFC 5034 section 4).
const MAX_COMMAND_LINE: usize = 255;

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Greeting,
    Authorization,
    Transaction,
    /// The application runs the TLS handshake; input is refused.
    TlsHandshake,
    Closed,
}

/// Which state a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Any,
    Authorization,
    Transaction,
}

/// A command, with what the client needs to finish it.
#[derive(Clone)]
enum Kind {
    Capa,
    Stls,
    /// `USER`, then `PASS` after its `+OK`.
    UserPass {
        password: String,
        user_done: bool,
    },
    Apop,
    Auth {
        sasl: Sasl,
        initial_sent: bool,
        step: usize,
    },
    Stat,
    List {
        single: bool,
    },
    Uidl {
        single: bool,
    },
    Retr {
        msg: u32,
    },
    Top {
        msg: u32,
    },
    Dele {
        msg: u32,
    },
    Rset,
    Noop,
    Utf8,
    Quit,
}

impl Kind {
    const fn name(&self) -> &'static str {
        match self {
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
            Self::UserPass { .. } => "USER",
            Self::Apop => "APOP",
            Self::Auth { .. } => "AUTH",
            Self::Stat => "STAT",
            Self::List { .. } => "LIST",
            Self::Uidl { .. } => "UIDL",
            Self::Retr { .. } => "RETR",
            Self::Top { .. } => "TOP",
            Self::Dele { .. } => "DELE",
            Self::Rset => "RSET",
            Self::Noop => "NOOP",
            Self::Utf8 => "UTF8",
            Self::Quit => "QUIT",
        }
    }

    const fn need(&self) -> Need {
        match self {
            Self::Capa | Self::Quit => Need::Any,
            Self::Stls | Self::UserPass { .. } | Self::Apop | Self::Auth { .. } | Self::Utf8 => {
                Need::Authorization
            }
            _ => Need::Transaction,
        }
    }

    const fn is_login(&self) -> bool {
        matches!(self, Self::UserPass { .. } | Self::Apop | Self::Auth { .. })
    }

    /// Sent alone: nothing goes out with it in flight, nor it with others.
    const fn is_barrier(&self) -> bool {
        !matches!(self.need(), Need::Transaction)
    }

    const fn response_kind(&self) -> ResponseKind {
        match self {
            Self::Capa
            | Self::List { single: false }
            | Self::Uidl { single: false }
            | Self::Retr { .. }
            | Self::Top { .. } => ResponseKind::MultiLine,
            Self::Auth { .. } => ResponseKind::Sasl,
            _ => ResponseKind::SingleLine,
        }
    }
}

/// A queued or sent command.
struct Pending {
    id: CommandId,
    kind: Kind,
    /// The encoded line (may hold a secret: never printed).
    line: Vec<u8>,
}

impl core::fmt::Debug for Pending {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.id, self.kind.name())
    }
}

/// The multi-line answer being read.
#[derive(Debug)]
enum Body {
    None,
    Capa(Capabilities),
    List(Vec<ScanListing>),
    Uidl(Vec<(u32, String)>),
    Message,
}

/// A sans-IO POP3 client session.
///
/// See the [module documentation](self) for the call order and a whole
/// session. Its `Debug` shows the state and buffer sizes, never the
/// credentials.
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_pop3::client::{Client, Config, Event};
///
/// let mut client = Client::new(Config::default());
/// let capa = client.capa()?;
/// let _ = client.handle_input(b"+OK ready\r\n");
/// assert!(matches!(client.poll_event(), Some(Event::Greeting { .. })));
/// let mut out = BytesMut::new();
/// let _ = client.poll_output(&mut out);
/// assert_eq!(&out[..], b"CAPA\r\n");
///
/// let _ = client.handle_input(b"+OK\r\nUSER\r\nPIPELINING\r\n.\r\n");
/// let Some(Event::Capabilities { id, capabilities }) = client.poll_event() else { panic!() };
/// assert_eq!(id, capa);
/// assert!(capabilities.pipelining());
/// # Ok::<(), mailwire_pop3::client::UsageError>(())
/// ```
pub struct Client {
    config: Config,
    phase: Phase,
    reader: ResponseReader,
    /// Received bytes not yet read.
    input: BytesMut,
    /// Bytes to send.
    out: BytesMut,
    events: VecDeque<Event>,
    /// Message bytes held by events not yet polled.
    queued_data: usize,
    waiting: VecDeque<Pending>,
    in_flight: VecDeque<Pending>,
    body: Body,
    /// The listing line being assembled from body chunks.
    line: Vec<u8>,
    next_id: u64,
    /// The session will be in TRANSACTION once the queued logins succeed.
    projected_transaction: bool,
    quit_queued: bool,
    stls_queued: bool,
    tls_active: bool,
    capabilities: Option<Capabilities>,
    timestamp: Option<String>,
    clock: Option<Instant>,
    deadline: Option<Instant>,
    /// A wait started before any time was given: anchored at the next
    /// `handle_timeout`.
    unanchored: bool,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("phase", &self.phase)
            .field("tls_active", &self.tls_active)
            .field("input_bytes", &self.input.len())
            .field("output_bytes", &self.out.len())
            .field("events", &self.events.len())
            .field("in_flight", &self.in_flight)
            .field("waiting", &self.waiting)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client at the start of a session, waiting for the greeting.
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config};
    ///
    /// let client = Client::new(Config::default());
    /// assert!(!client.is_closed());
    /// assert_eq!(client.buffered_len(), 0);
    /// ```
    #[must_use]
    pub fn new(mut config: Config) -> Self {
        config.max_response_line = config.max_response_line.max(16);
        config.max_buffered = config.max_buffered.max(2 * config.max_response_line);
        config.listing_batch = config.listing_batch.max(1);
        config.max_in_flight = config.max_in_flight.max(1);
        let reader = ResponseReader::with_parts(
            LineFramer::new(config.max_response_line).bare_lf(BarePolicy::Accept),
            DotDecoder::new()
                .bare_lf(BarePolicy::Accept)
                .bare_cr(BarePolicy::Accept)
                .max_size(config.max_message_size),
        );
        let mut client = Self {
            tls_active: config.implicit_tls,
            input: BytesMut::with_capacity(config.max_buffered),
            config,
            phase: Phase::Greeting,
            reader,
            out: BytesMut::new(),
            events: VecDeque::new(),
            queued_data: 0,
            waiting: VecDeque::new(),
            in_flight: VecDeque::new(),
            body: Body::None,
            line: Vec::new(),
            next_id: 0,
            projected_transaction: false,
            quit_queued: false,
            stls_queued: false,
            capabilities: None,
            timestamp: None,
            clock: None,
            deadline: None,
            unanchored: false,
        };
        client.arm();
        client
    }

    // ----- commands --------------------------------------------------

    /// Queues `CAPA` (RFC 2449 section 5); the answer comes as
    /// [`Event::Capabilities`]. Allowed in both states.
    ///
    /// # Errors
    ///
    /// [`UsageError::Closed`] after [`quit`](Self::quit).
    pub fn capa(&mut self) -> Result<CommandId, UsageError> {
        self.queue(Kind::Capa, &Command::Capa)
    }

    /// Queues `STLS` (RFC 2595 section 4); on `+OK` comes
    /// [`Event::StartTls`].
    ///
    /// # Errors
    ///
    /// [`UsageError::TlsActive`] under TLS or when `STLS` is queued
    /// already; [`UsageError::WrongState`] after a login.
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config, UsageError};
    ///
    /// let mut client = Client::new(Config::default());
    /// client.stls()?;
    /// assert_eq!(client.stls().unwrap_err(), UsageError::TlsActive);
    /// # Ok::<(), UsageError>(())
    /// ```
    pub fn stls(&mut self) -> Result<CommandId, UsageError> {
        if self.tls_active || self.stls_queued {
            self.check(&Kind::Stls)?;
            return Err(UsageError::TlsActive);
        }
        self.queue(Kind::Stls, &Command::Stls)
    }

    /// Queues a login with `USER` and `PASS` (RFC 1939 section 7): `PASS`
    /// goes out after the `+OK` to `USER`. The result is
    /// [`Event::LoggedIn`] or [`Event::Error`] (for either line).
    ///
    /// # Errors
    ///
    /// [`UsageError::Invalid`] for a user name with a space or a control
    /// character, an empty password or one with a control character;
    /// [`UsageError::WrongState`] after another login.
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config, UsageError};
    ///
    /// let mut client = Client::new(Config::default());
    /// assert!(matches!(client.login_user_pass("a b", "pw"), Err(UsageError::Invalid(_))));
    /// client.login_user_pass("mrose", "secret")?;
    /// assert_eq!(client.login_user_pass("x", "y").unwrap_err(), UsageError::WrongState("USER"));
    /// # Ok::<(), UsageError>(())
    /// ```
    pub fn login_user_pass(&mut self, user: &str, password: &str) -> Result<CommandId, UsageError> {
        let kind = Kind::UserPass {
            password: password.to_owned(),
            user_done: false,
        };
        self.check(&kind)?;
        Command::Pass {
            password: Secret::new(password),
        }
        .encode(&mut Vec::new())?;
        self.queue(kind, &Command::User { name: user })
    }

    /// Queues `APOP` (RFC 1939 section 7) with the digest of the
    /// greeting's timestamp and `secret`.
    ///
    /// # Errors
    ///
    /// [`UsageError::NoApopTimestamp`] before the greeting is read, or
    /// when it had no timestamp; as [`login_user_pass`](Self::login_user_pass).
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config, UsageError};
    ///
    /// let mut client = Client::new(Config::default());
    /// let _ = client.handle_input(b"+OK no timestamp here\r\n");
    /// assert_eq!(client.login_apop("mrose", "tanstaaf").unwrap_err(), UsageError::NoApopTimestamp);
    /// ```
    pub fn login_apop(&mut self, user: &str, secret: &str) -> Result<CommandId, UsageError> {
        self.check(&Kind::Apop)?;
        let Some(timestamp) = &self.timestamp else {
            return Err(UsageError::NoApopTimestamp);
        };
        let digest = apop_digest(timestamp, secret);
        self.queue(
            Kind::Apop,
            &Command::Apop {
                name: user,
                digest: &digest,
            },
        )
    }

    /// Queues `AUTH` with a SASL mechanism (RFC 5034); the client answers
    /// the server's challenges itself. The result is
    /// [`Event::LoggedIn`] or [`Event::Error`].
    ///
    /// # Errors
    ///
    /// [`UsageError::Invalid`] for credentials the mechanism cannot carry
    /// (a NUL in `PLAIN`, a `^A` in `XOAUTH2`, an empty user name);
    /// [`UsageError::WrongState`] after another login.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::client::{Client, Config, Sasl};
    ///
    /// let mut client = Client::new(Config::default());
    /// client.authenticate(Sasl::plain("tim", "tanstaaftanstaaf"))?;
    /// let _ = client.handle_input(b"+OK ready\r\n");
    /// while client.poll_event().is_some() {}
    /// let mut out = BytesMut::new();
    /// let _ = client.poll_output(&mut out);
    /// assert_eq!(&out[..], b"AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    /// # Ok::<(), mailwire_pop3::client::UsageError>(())
    /// ```
    pub fn authenticate(&mut self, sasl: Sasl) -> Result<CommandId, UsageError> {
        let probe = Kind::Auth {
            sasl: sasl.clone(),
            initial_sent: false,
            step: 0,
        };
        self.check(&probe)?;
        let invalid = |reason| {
            UsageError::Invalid(EncodeError::Invalid {
                field: "SASL credentials",
                reason,
            })
        };
        if sasl.username().is_empty() {
            return Err(invalid("empty user name"));
        }
        let initial = match &sasl {
            Sasl::Plain {
                authzid,
                username,
                password,
            } => {
                if [authzid, username, password]
                    .iter()
                    .any(|s| s.contains('\0'))
                {
                    return Err(invalid("NUL in PLAIN credentials"));
                }
                Some(encode_plain(authzid, username, password))
            }
            Sasl::XOAuth2 { username, token } => {
                if username.contains('\x01') || token.contains('\x01') {
                    return Err(invalid("^A in XOAUTH2 credentials"));
                }
                Some(xoauth2(username, token))
            }
            Sasl::Login { .. } | Sasl::CramMd5 { .. } => None,
        };
        let mechanism = sasl.mechanism();
        let with_initial = initial.as_deref().map(|data| {
            Command::Auth {
                mechanism: Some(mechanism),
                initial_response: Some(InitialResponse::Base64(Secret::new(data))),
            }
            .to_bytes()
        });
        let (line, initial_sent) = match with_initial {
            Some(Ok(line)) if line.len() <= MAX_COMMAND_LINE => (line, true),
            _ => (
                Command::Auth {
                    mechanism: Some(mechanism),
                    initial_response: None,
                }
                .to_bytes()?,
                false,
            ),
        };
        let kind = Kind::Auth {
            sasl,
            initial_sent,
            step: 0,
        };
        Ok(self.push(kind, line))
    }

    /// Queues `STAT` (RFC 1939 section 5); the answer comes as
    /// [`Event::Stat`].
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn stat(&mut self) -> Result<CommandId, UsageError> {
        self.queue(Kind::Stat, &Command::Stat)
    }

    /// Queues `LIST` or `LIST msg` (RFC 1939 section 5); the answer comes
    /// as [`Event::Listing`] batches.
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn list(&mut self, msg: Option<u32>) -> Result<CommandId, UsageError> {
        let kind = Kind::List {
            single: msg.is_some(),
        };
        self.queue(kind, &Command::List { msg })
    }

    /// Queues `UIDL` or `UIDL msg` (RFC 1939 section 7); the answer comes
    /// as [`Event::UniqueIds`] batches.
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn uidl(&mut self, msg: Option<u32>) -> Result<CommandId, UsageError> {
        let kind = Kind::Uidl {
            single: msg.is_some(),
        };
        self.queue(kind, &Command::Uidl { msg })
    }

    /// Queues `RETR msg` (RFC 1939 section 5); the message comes as
    /// [`Event::MessageStart`], [`Event::MessageData`] chunks and
    /// [`Event::MessageEnd`].
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn retr(&mut self, msg: u32) -> Result<CommandId, UsageError> {
        self.queue(Kind::Retr { msg }, &Command::Retr { msg })
    }

    /// Queues `TOP msg lines` (RFC 1939 section 7): the header and the
    /// first `lines` lines of the body, as for [`retr`](Self::retr).
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn top(&mut self, msg: u32, lines: u32) -> Result<CommandId, UsageError> {
        self.queue(Kind::Top { msg }, &Command::Top { msg, lines })
    }

    /// Queues `DELE msg` (RFC 1939 section 5); the answer comes as
    /// [`Event::Deleted`].
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn dele(&mut self, msg: u32) -> Result<CommandId, UsageError> {
        self.queue(Kind::Dele { msg }, &Command::Dele { msg })
    }

    /// Queues `RSET` (RFC 1939 section 5); the answer comes as
    /// [`Event::Done`].
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn rset(&mut self) -> Result<CommandId, UsageError> {
        self.queue(Kind::Rset, &Command::Rset)
    }

    /// Queues `NOOP` (RFC 1939 section 5); the answer comes as
    /// [`Event::Done`].
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] before a login is queued.
    pub fn noop(&mut self) -> Result<CommandId, UsageError> {
        self.queue(Kind::Noop, &Command::Noop)
    }

    /// Queues `UTF8` (RFC 6856 section 2, AUTHORIZATION state only); the
    /// answer comes as [`Event::Done`].
    ///
    /// # Errors
    ///
    /// [`UsageError::WrongState`] after a login.
    pub fn utf8(&mut self) -> Result<CommandId, UsageError> {
        self.queue(Kind::Utf8, &Command::Utf8)
    }

    /// Queues `QUIT` (RFC 1939 sections 4 and 6), after every command
    /// queued before it; its answer comes with [`Event::Closed`]. No
    /// command can be queued after it.
    ///
    /// # Errors
    ///
    /// [`UsageError::Closed`] when `QUIT` is queued already or the
    /// session is over.
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config, UsageError};
    ///
    /// let mut client = Client::new(Config::default());
    /// client.quit()?;
    /// assert_eq!(client.capa().unwrap_err(), UsageError::Closed);
    /// # Ok::<(), UsageError>(())
    /// ```
    pub fn quit(&mut self) -> Result<CommandId, UsageError> {
        self.queue(Kind::Quit, &Command::Quit)
    }

    /// Says the TLS handshake asked for by [`Event::StartTls`] is done.
    /// The client forgets the capabilities read before (RFC 2595 section
    /// 4: they may change) and queues `CAPA` ahead of everything else;
    /// returns its id. `None` (and nothing done) at any other time.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::client::{Client, Config, Event};
    ///
    /// let mut client = Client::new(Config::default());
    /// client.stls()?;
    /// let _ = client.handle_input(b"+OK ready\r\n");
    /// let mut out = BytesMut::new();
    /// while client.poll_event().is_some() {}
    /// let _ = client.poll_output(&mut out);
    /// let _ = client.handle_input(b"+OK begin TLS\r\n");
    /// assert!(matches!(client.poll_event(), Some(Event::StartTls { .. })));
    /// let capa = client.tls_established().unwrap();
    /// out.clear();
    /// let _ = client.poll_output(&mut out);
    /// assert_eq!(&out[..], b"CAPA\r\n");
    /// # let _ = capa;
    /// # Ok::<(), mailwire_pop3::client::UsageError>(())
    /// ```
    pub fn tls_established(&mut self) -> Option<CommandId> {
        if self.phase != Phase::TlsHandshake {
            return None;
        }
        self.phase = Phase::Authorization;
        self.tls_active = true;
        self.capabilities = None;
        let id = self.next_id();
        self.waiting.push_front(Pending {
            id,
            kind: Kind::Capa,
            line: b"CAPA\r\n".to_vec(),
        });
        self.pump();
        self.arm();
        Some(id)
    }

    // ----- I/O -------------------------------------------------------

    /// Takes bytes received from the server; returns how many it took.
    ///
    /// The client holds at most [`Config::max_buffered`] bytes (input not
    /// yet read plus message bytes in events not yet polled); when it
    /// takes less than offered, poll the events and offer the rest again.
    /// Bytes after the session is over are taken and dropped; bytes
    /// during the TLS handshake end it ([`ClientError::StlsInjection`]).
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::default());
    /// assert_eq!(client.handle_input(b"+OK rea"), 7);
    /// assert!(client.poll_event().is_none()); // half a greeting
    /// assert_eq!(client.handle_input(b"dy\r\n"), 4);
    /// assert!(client.poll_event().is_some());
    /// ```
    pub fn handle_input(&mut self, data: &[u8]) -> usize {
        match self.phase {
            Phase::Closed => return data.len(),
            Phase::TlsHandshake => {
                if !data.is_empty() {
                    self.fail(ClientError::StlsInjection {
                        discarded: data.len(),
                    });
                }
                return data.len();
            }
            _ => {}
        }
        let room = self.config.max_buffered.saturating_sub(self.buffered_len());
        let take = room.min(data.len());
        self.input.extend_from_slice(&data[..take]);
        self.process();
        take
    }

    /// Says the connection ended (EOF or error). Unless the session is
    /// over already, [`ClientError::ConnectionLost`], the pending commands
    /// cancelled and [`Event::Closed`] follow.
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, ClientError, Config, Event};
    ///
    /// let mut client = Client::new(Config::default());
    /// client.connection_closed();
    /// assert_eq!(client.poll_event(), Some(Event::Failed(ClientError::ConnectionLost)));
    /// assert_eq!(client.poll_event(), Some(Event::Closed { response: None }));
    /// ```
    pub fn connection_closed(&mut self) {
        if self.phase != Phase::Closed {
            // What is buffered was sent before the end: read it first.
            self.process_all();
            if self.phase != Phase::Closed {
                self.fail(ClientError::ConnectionLost);
            }
        }
    }

    /// Gives the current time: fires the deadline if it has passed, and is
    /// the clock new deadlines count from.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use mailwire_pop3::client::{Client, Config, Event};
    ///
    /// let mut client = Client::new(Config::default());
    /// let start = Instant::now();
    /// client.handle_timeout(start);
    /// assert_eq!(client.poll_timeout(), Some(start + Duration::from_secs(600)));
    /// client.handle_timeout(start + Duration::from_secs(600));
    /// assert_eq!(client.poll_event(), Some(Event::Timeout));
    /// assert_eq!(client.poll_event(), Some(Event::Closed { response: None }));
    /// ```
    pub fn handle_timeout(&mut self, now: Instant) {
        self.clock = Some(now);
        if self.unanchored {
            self.unanchored = false;
            self.deadline = Some(now + self.config.timeout);
        }
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            self.events.push_back(Event::Timeout);
            self.close(None);
        }
    }

    /// The next event for the application, if any. Events are made from
    /// the buffered input as they are polled; drain them all after each
    /// [`handle_input`](Self::handle_input).
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::default());
    /// assert!(client.poll_event().is_none());
    /// ```
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        if self.events.is_empty() {
            self.process();
        }
        let event = self.events.pop_front()?;
        if let Event::MessageData { data, .. } = &event {
            self.queued_data -= data.len();
        }
        Some(event)
    }

    /// Appends the bytes to send to `out`; returns how many.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_pop3::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::default());
    /// client.capa()?;
    /// let mut out = BytesMut::new();
    /// assert_eq!(client.poll_output(&mut out), 0); // the server speaks first
    /// let _ = client.handle_input(b"+OK\r\n");
    /// assert_eq!(client.poll_output(&mut out), 6);
    /// # Ok::<(), mailwire_pop3::client::UsageError>(())
    /// ```
    #[must_use]
    pub fn poll_output(&mut self, out: &mut BytesMut) -> usize {
        let n = self.out.len();
        out.extend_from_slice(&self.out);
        self.out.clear();
        n
    }

    /// The bytes to send, if any, in one piece.
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config};
    ///
    /// let mut client = Client::new(Config::default());
    /// client.capa()?;
    /// let _ = client.handle_input(b"+OK\r\n");
    /// assert_eq!(client.poll_transmit().as_deref(), Some(&b"CAPA\r\n"[..]));
    /// # Ok::<(), mailwire_pop3::client::UsageError>(())
    /// ```
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.out.is_empty()).then(|| self.out.split().freeze())
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next,
    /// if the client waits for anything. `None` also before the first
    /// `handle_timeout`, which starts the clock.
    ///
    /// ```
    /// use mailwire_pop3::client::{Client, Config};
    ///
    /// let client = Client::new(Config::default());
    /// assert_eq!(client.poll_timeout(), None);
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    // ----- state -----------------------------------------------------

    /// What the server announced in its last answer to `CAPA` (forgotten
    /// after `STLS`).
    #[must_use]
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// The greeting's APOP timestamp, angle brackets included.
    #[must_use]
    pub fn apop_timestamp(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }

    /// Whether the connection is under TLS (implicit, or after `STLS`).
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.tls_active
    }

    /// Whether a login succeeded (the TRANSACTION state).
    #[must_use]
    pub fn is_logged_in(&self) -> bool {
        self.phase == Phase::Transaction
    }

    /// Whether the session is over ([`Event::Closed`] was queued).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// Whether the client is waiting for bytes from the server.
    #[must_use]
    pub fn wants_input(&self) -> bool {
        matches!(
            self.phase,
            Phase::Greeting | Phase::Authorization | Phase::Transaction
        ) && (self.phase == Phase::Greeting || !self.in_flight.is_empty())
    }

    /// The bytes the client holds: received and not yet read, plus message
    /// bytes in events not yet polled. Never more than
    /// [`Config::max_buffered`].
    #[must_use]
    pub fn buffered_len(&self) -> usize {
        self.input.len() + self.queued_data
    }

    /// Commands queued or sent and not yet answered.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.waiting.len() + self.in_flight.len()
    }

    // ----- inside ----------------------------------------------------

    fn next_id(&mut self) -> CommandId {
        let id = CommandId(self.next_id);
        self.next_id += 1;
        id
    }

    fn check(&self, kind: &Kind) -> Result<(), UsageError> {
        if self.quit_queued || self.phase == Phase::Closed {
            return Err(UsageError::Closed);
        }
        match kind.need() {
            Need::Authorization if self.projected_transaction => {
                Err(UsageError::WrongState(kind.name()))
            }
            Need::Transaction if !self.projected_transaction => {
                Err(UsageError::WrongState(kind.name()))
            }
            _ => Ok(()),
        }
    }

    fn queue(&mut self, kind: Kind, command: &Command<'_>) -> Result<CommandId, UsageError> {
        self.check(&kind)?;
        let line = command.to_bytes()?;
        Ok(self.push(kind, line))
    }

    fn push(&mut self, kind: Kind, line: Vec<u8>) -> CommandId {
        if kind.is_login() {
            self.projected_transaction = true;
        }
        match kind {
            Kind::Quit => self.quit_queued = true,
            Kind::Stls => self.stls_queued = true,
            _ => {}
        }
        let id = self.next_id();
        self.waiting.push_back(Pending { id, kind, line });
        if self.phase != Phase::Greeting {
            let was_idle = self.in_flight.is_empty();
            self.pump();
            if was_idle {
                self.arm();
            }
        }
        id
    }

    /// Writes the queued commands that may go now.
    fn pump(&mut self) {
        if !matches!(self.phase, Phase::Authorization | Phase::Transaction) {
            return;
        }
        let pipelining = self.config.pipelining
            && self
                .capabilities
                .as_ref()
                .is_some_and(Capabilities::pipelining);
        while let Some(next) = self.waiting.front() {
            if let Some(last) = self.in_flight.back()
                && (!pipelining
                    || last.kind.is_barrier()
                    || next.kind.is_barrier()
                    || self.in_flight.len() >= self.config.max_in_flight)
            {
                break;
            }
            let Some(pending) = self.waiting.pop_front() else {
                break;
            };
            self.out.extend_from_slice(&pending.line);
            self.reader.expect(pending.kind.response_kind());
            self.in_flight.push_back(pending);
        }
    }

    /// Restarts the deadline if the client waits for the server, clears it
    /// if not.
    fn arm(&mut self) {
        let waiting = match self.phase {
            Phase::Greeting => true,
            Phase::Authorization | Phase::Transaction => !self.in_flight.is_empty(),
            Phase::TlsHandshake | Phase::Closed => false,
        };
        self.deadline = None;
        self.unanchored = false;
        if waiting {
            match self.clock {
                Some(now) => self.deadline = Some(now + self.config.timeout),
                None => self.unanchored = true,
            }
        }
    }

    /// Reads frames from the buffer while the event queue has room.
    fn process(&mut self) {
        let budget = self.config.max_buffered / 2;
        let mut progress = false;
        while matches!(
            self.phase,
            Phase::Greeting | Phase::Authorization | Phase::Transaction
        ) && self.events.len() < MAX_EVENTS
            && self.queued_data < budget
        {
            let frame = match self.reader.read(&mut self.input) {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(error) => {
                    self.fail(ClientError::Protocol(error));
                    return;
                }
            };
            progress = true;
            self.on_frame(frame);
            // Commit what may go now before reading on: answers are
            // matched to commands in the order they were committed.
            self.pump();
        }
        if progress {
            self.arm();
        }
    }

    /// Reads everything buffered, whatever the events queued (the
    /// connection is gone: no more input will come to wait for room).
    fn process_all(&mut self) {
        while matches!(
            self.phase,
            Phase::Greeting | Phase::Authorization | Phase::Transaction
        ) {
            match self.reader.read(&mut self.input) {
                Ok(Some(frame)) => {
                    self.on_frame(frame);
                    self.pump();
                }
                Ok(None) => break,
                Err(error) => self.fail(ClientError::Protocol(error)),
            }
        }
    }

    fn on_frame(&mut self, frame: ServerFrame) {
        match frame {
            ServerFrame::Response(response) => self.on_response(response),
            ServerFrame::Continuation(continuation) => self.on_continuation(&continuation),
            ServerFrame::Data(data) => self.on_data(data),
            ServerFrame::BodyDefect(_) => {
                if let (Body::Message, Some(front)) = (&self.body, self.in_flight.front()) {
                    self.events
                        .push_back(Event::MessageTruncated { id: front.id });
                }
            }
            ServerFrame::End => self.on_end(),
            // A frame kind added later: nothing to do with it here.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    fn on_response(&mut self, response: Response<'static>) {
        if self.phase == Phase::Greeting {
            if response.is_ok() {
                self.timestamp = response.apop_timestamp().map(str::to_owned);
                self.phase = Phase::Authorization;
                self.events.push_back(Event::Greeting { response });
            } else {
                self.events
                    .push_back(Event::Failed(ClientError::Refused(response.clone())));
                self.close(Some(response));
            }
            return;
        }
        let Some(front) = self.in_flight.front_mut() else {
            self.fail(ClientError::Unexpected(
                "a response with no command waiting",
            ));
            return;
        };
        let id = front.id;
        if !response.is_ok() {
            let Some(pending) = self.in_flight.pop_front() else {
                return;
            };
            match pending.kind {
                Kind::Quit => self.close(Some(response)),
                Kind::Stls => {
                    self.stls_queued = false;
                    self.events.push_back(Event::Error { id, response });
                }
                kind => {
                    self.events.push_back(Event::Error { id, response });
                    if kind.is_login() {
                        self.login_failed();
                    }
                }
            }
            return;
        }
        match &mut front.kind {
            Kind::Capa => self.body = Body::Capa(Capabilities::new()),
            Kind::List { single: false } => self.body = Body::List(Vec::new()),
            Kind::Uidl { single: false } => self.body = Body::Uidl(Vec::new()),
            &mut (Kind::Retr { msg } | Kind::Top { msg }) => {
                self.body = Body::Message;
                self.events.push_back(Event::MessageStart { id, msg });
            }
            Kind::UserPass {
                password,
                user_done: user_done @ false,
            } => {
                *user_done = true;
                // Checked when queued: encodes.
                let _ = Command::Pass {
                    password: Secret::new(password),
                }
                .encode(&mut self.out);
                self.reader.expect(ResponseKind::SingleLine);
            }
            Kind::Stls => {
                self.in_flight.pop_front();
                self.phase = Phase::TlsHandshake;
                if self.input.is_empty() {
                    self.events.push_back(Event::StartTls { id });
                } else {
                    let discarded = self.input.len();
                    self.input.clear();
                    self.fail(ClientError::StlsInjection { discarded });
                }
            }
            kind => {
                let kind = kind.clone();
                self.in_flight.pop_front();
                self.on_single_ok(id, kind, response);
            }
        }
    }

    /// A `+OK` that ends its command.
    fn on_single_ok(&mut self, id: CommandId, kind: Kind, response: Response<'static>) {
        let event = match kind {
            Kind::UserPass { .. } | Kind::Apop | Kind::Auth { .. } => {
                self.phase = Phase::Transaction;
                Event::LoggedIn { id, response }
            }
            Kind::Stat => match response.drop_listing() {
                Some((count, size)) => Event::Stat { id, count, size },
                None => {
                    return self.fail(ClientError::Unexpected("a STAT answer without counts"));
                }
            },
            Kind::List { .. } => match response.scan_listing() {
                Some(entry) => Event::Listing {
                    id,
                    entries: vec![entry],
                    last: true,
                },
                None => {
                    return self.fail(ClientError::Unexpected("a LIST answer without a listing"));
                }
            },
            Kind::Uidl { .. } => match response.unique_id() {
                Some(entry) => Event::UniqueIds {
                    id,
                    entries: vec![(entry.msg, entry.uid.to_owned())],
                    last: true,
                },
                None => {
                    return self.fail(ClientError::Unexpected("a UIDL answer without a unique id"));
                }
            },
            Kind::Dele { msg } => Event::Deleted { id, msg },
            Kind::Quit => return self.close(Some(response)),
            _ => Event::Done { id, response },
        };
        self.events.push_back(event);
    }

    /// A login failed: the session stays in AUTHORIZATION, and what was
    /// queued for TRANSACTION is cancelled.
    fn login_failed(&mut self) {
        self.projected_transaction = false;
        let mut kept = VecDeque::with_capacity(self.waiting.len());
        for pending in self.waiting.drain(..) {
            if pending.kind.need() == Need::Transaction {
                self.events.push_back(Event::Cancelled { id: pending.id });
            } else {
                kept.push_back(pending);
            }
        }
        self.waiting = kept;
    }

    fn on_continuation(&mut self, continuation: &Continuation<'_>) {
        let Some(Pending {
            kind:
                Kind::Auth {
                    sasl,
                    initial_sent,
                    step,
                },
            ..
        }) = self.in_flight.front_mut()
        else {
            self.fail(ClientError::Unexpected("a SASL challenge outside AUTH"));
            return;
        };
        let answer = sasl_answer(sasl, *initial_sent, *step, continuation.data());
        *step += 1;
        match answer {
            Some(data) => self.out.extend_from_slice(data.as_bytes()),
            None => self.out.extend_from_slice(b"*"),
        }
        self.out.extend_from_slice(b"\r\n");
    }

    fn on_data(&mut self, data: Bytes) {
        let Some(id) = self.in_flight.front().map(|p| p.id) else {
            return;
        };
        if matches!(self.body, Body::Message) {
            self.queued_data += data.len();
            self.events.push_back(Event::MessageData { id, data });
            return;
        }
        let mut rest = &data[..];
        while !rest.is_empty() {
            let (part, complete) = match memchr::memchr(b'\n', rest) {
                Some(at) => (&rest[..=at], true),
                None => (rest, false),
            };
            rest = &rest[part.len()..];
            if self.line.len() + part.len() > self.config.max_listing_line {
                let max = self.config.max_listing_line;
                self.fail(ClientError::ListingLineTooLong { max });
                return;
            }
            self.line.extend_from_slice(part);
            if complete {
                let line = core::mem::take(&mut self.line);
                self.on_listing_line(id, &line);
                if self.phase == Phase::Closed {
                    return;
                }
                self.line = line;
                self.line.clear();
            }
        }
    }

    fn on_listing_line(&mut self, id: CommandId, line: &[u8]) {
        let text = crate::parse::strip_eol(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.is_empty() {
            return;
        }
        let batch = self.config.listing_batch;
        match &mut self.body {
            Body::Capa(caps) => {
                if caps.len() < self.config.max_capabilities {
                    // A line that breaks the grammar is skipped: the rest
                    // is still worth having.
                    let _ = caps.push_line(text);
                }
            }
            Body::List(entries) => match ScanListing::parse(text) {
                Ok(entry) => {
                    entries.push(entry);
                    if entries.len() >= batch {
                        let entries = core::mem::take(entries);
                        self.events.push_back(Event::Listing {
                            id,
                            entries,
                            last: false,
                        });
                    }
                }
                Err(_) => self.fail(ClientError::Unexpected("a bad scan listing")),
            },
            Body::Uidl(entries) => match UniqueIdListing::parse(text) {
                Ok(entry) => {
                    entries.push((entry.msg, entry.uid.to_owned()));
                    if entries.len() >= batch {
                        let entries = core::mem::take(entries);
                        self.events.push_back(Event::UniqueIds {
                            id,
                            entries,
                            last: false,
                        });
                    }
                }
                Err(_) => self.fail(ClientError::Unexpected("a bad unique-id listing")),
            },
            Body::Message | Body::None => {}
        }
    }

    fn on_end(&mut self) {
        let Some(id) = self.in_flight.front().map(|p| p.id) else {
            return;
        };
        if !self.line.is_empty() {
            // The body always ends with CRLF before the dot; keep a stray
            // unterminated line anyway.
            let line = core::mem::take(&mut self.line);
            self.on_listing_line(id, &line);
            if self.phase == Phase::Closed {
                return;
            }
        }
        self.in_flight.pop_front();
        let event = match core::mem::replace(&mut self.body, Body::None) {
            Body::Capa(capabilities) => {
                self.capabilities = Some(capabilities.clone());
                Event::Capabilities { id, capabilities }
            }
            Body::List(entries) => Event::Listing {
                id,
                entries,
                last: true,
            },
            Body::Uidl(entries) => Event::UniqueIds {
                id,
                entries,
                last: true,
            },
            Body::Message | Body::None => Event::MessageEnd { id },
        };
        self.events.push_back(event);
    }

    /// The session failed: say why, then close.
    fn fail(&mut self, error: ClientError) {
        if self.phase == Phase::Closed {
            return;
        }
        self.events.push_back(Event::Failed(error));
        self.close(None);
    }

    /// Ends the session: every command left is cancelled, then
    /// [`Event::Closed`].
    fn close(&mut self, response: Option<Response<'static>>) {
        if self.phase == Phase::Closed {
            return;
        }
        self.phase = Phase::Closed;
        for pending in self.in_flight.drain(..).chain(self.waiting.drain(..)) {
            self.events.push_back(Event::Cancelled { id: pending.id });
        }
        self.events.push_back(Event::Closed { response });
        self.input = BytesMut::new();
        self.line = Vec::new();
        self.body = Body::None;
        self.deadline = None;
        self.unanchored = false;
    }
}

/// The `XOAUTH2` client response, base64.
fn xoauth2(username: &str, token: &str) -> String {
    encode_base64(format!("user={username}\x01auth=Bearer {token}\x01\x01").as_bytes())
}

/// The answer to the `step`th challenge (from 0), base64, or `None` to
/// cancel with `*` (RFC 5034 section 4).
fn sasl_answer(sasl: &Sasl, initial_sent: bool, step: usize, challenge: &str) -> Option<String> {
    match sasl {
        Sasl::Plain {
            authzid,
            username,
            password,
        } => (!initial_sent && step == 0).then(|| encode_plain(authzid, username, password)),
        Sasl::Login { username, password } => match step {
            0 => Some(encode_base64(username.as_bytes())),
            1 => Some(encode_base64(password.as_bytes())),
            _ => None,
        },
        Sasl::CramMd5 { username, password } => {
            if step != 0 {
                return None;
            }
            let challenge = decode_base64(challenge.trim().as_bytes()).ok()?;
            Some(encode_base64(
                cram_md5_response(username, password, challenge).as_bytes(),
            ))
        }
        Sasl::XOAuth2 { username, token } => {
            let first = usize::from(!initial_sent);
            if !initial_sent && step == 0 {
                Some(xoauth2(username, token))
            } else if step == first {
                // The server's error, as a challenge: an empty answer gets
                // the final -ERR.
                Some(String::new())
            } else {
                None
            }
        }
    }
}
