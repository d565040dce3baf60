//! A sans-IO IMAP client state machine (RFC 3501, RFC 9051).
//!
//! The machine does no I/O, reads no clock and draws no randomness: the
//! application feeds it the server's bytes and the time, and drains
//! events and bytes to send.
//!
//! Call order, in a loop:
//!
//! 1. queue commands (`login`, `select`, `fetch`, ... or [`Client::command`]);
//!    each returns a [`CommandId`];
//! 2. [`Client::poll_output`] and write what it gives to the connection;
//! 3. read from the connection and pass the bytes to
//!    [`Client::handle_input`]; it returns how many it took (the receive
//!    buffer is bounded: pass the rest again after draining events);
//! 4. [`Client::poll_event`] until `None`;
//! 5. on timer expiry [`Client::handle_timeout`] (deadline from
//!    [`Client::poll_timeout`]);
//! 6. stop when [`Client::is_closed`].
//!
//! Tags are a prefix derived from [`ClientConfig::tag_seed`] (pass a
//! random value: unpredictable tags make response injection harder)
//! followed by a counter.
//!
//! Pipelining rule: a queued command is sent without waiting for earlier
//! completions, except that (a) nothing is sent while a command in flight
//! waits for a `+` continuation (synchronizing literal, SASL, IDLE,
//! APPEND data), (b) nothing is sent after a *barrier* command until it
//! completes, and (c) a barrier is only sent when nothing is in flight.
//! Barriers change the connection state or the meaning of what follows:
//! STARTTLS, AUTHENTICATE, LOGIN, SELECT, EXAMINE, CLOSE, UNSELECT,
//! ENABLE, IDLE, APPEND and LOGOUT.
//!
//! STARTTLS: after its `OK` the machine sends nothing until
//! [`Client::tls_established`]; any byte received between the `OK` and the
//! handshake is an injection, reported and the session closed. After the
//! handshake the capabilities are forgotten and CAPABILITY is re-sent.
//!
//! Message data of FETCH (`BODY[...]`, `BINARY[...]`, `RFC822...`)
//! streams as [`Event::FetchChunk`]s: a 100 MiB message never sits in
//! memory whole.
//!
//! ```
//! use mailwire_imap::client::{Client, ClientConfig, Event};
//! use mailwire_imap::types::StatusKind;
//! use bytes::BytesMut;
//! use std::time::Instant;
//!
//! let now = Instant::now();
//! let mut c = Client::new(ClientConfig::new(7), now);
//! let _ = c.handle_input(now, b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
//! assert!(matches!(c.poll_event(), Some(Event::Greeting { kind: StatusKind::Ok, .. })));
//! let id = c.noop().unwrap();
//! let mut out = BytesMut::new();
//! let _ = c.poll_output(&mut out);
//! let tag = std::str::from_utf8(&out).unwrap().split(' ').next().unwrap().to_owned();
//! let _ = c.handle_input(now, format!("{tag} OK done\r\n").as_bytes());
//! match c.poll_event() {
//!     Some(Event::Done { id: done, status: StatusKind::Ok, .. }) => assert_eq!(done, id),
//!     other => panic!("{other:?}"),
//! }
//! ```

mod event;

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use mailwire_core::sasl;

pub use event::{CommandId, Event, ProtocolError, RawResponse};

use crate::encode::{EncodeError, LiteralMode, encode_append_head};
use crate::parse::{ReadFrame, ResponseLimits, ResponseReader};
use crate::types::{
    AString, Atom, Capability, Code, Command, CommandBody, Data, DateTime, FetchAttributes,
    FetchItem, Flag, InitialResponse, Mailbox, Response, SearchKey, Secret, SequenceSet,
    StatusItem, StatusKind, StoreFlags, StreamedItem, Tag,
};

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Seed for the tag prefix (pass something random).
    pub tag_seed: u64,
    /// Limits for parsing responses.
    pub limits: ResponseLimits,
    /// Receive buffer bound in bytes, counting the received bytes held
    /// by events not yet taken with [`Client::poll_event`] (streamed
    /// chunks, untagged responses, completions). Must exceed the largest
    /// non-streamed response; default 1 MiB + 64 KiB.
    pub max_buffer: usize,
    /// No progress for this long while a command is in flight (IDLE
    /// excepted) gives [`Event::TimedOut`]; `None` disables it.
    pub timeout: Option<Duration>,
}

impl ClientConfig {
    /// Defaults with this tag seed: responses up to 1 MiB (literals
    /// inside them up to 512 KiB), streamed literals up to 4 GiB, a
    /// 5 minute timeout.
    #[must_use]
    pub fn new(tag_seed: u64) -> Self {
        Self {
            tag_seed,
            limits: ResponseLimits {
                max_line: 256 * 1024,
                max_literal: 512 * 1024,
                max_response: 1024 * 1024,
                ..ResponseLimits::DEFAULT
            },
            max_buffer: 1024 * 1024 + 64 * 1024,
            timeout: Some(Duration::from_secs(300)),
        }
    }
}

/// Why a command could not be queued or a call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// An argument cannot be written (CR/LF/NUL, bad atom, ...).
    #[error("cannot encode: {0}")]
    Encode(#[from] EncodeError),
    /// The session is closed.
    #[error("session closed")]
    Closed,
    /// No IDLE command is in flight.
    #[error("not idling")]
    NotIdling,
    /// No APPEND is waiting for data, or more than announced was given.
    #[error("no APPEND data expected")]
    NoAppend,
    /// Not waiting for a TLS handshake.
    #[error("no STARTTLS in progress")]
    NoStartTls,
}

/// A SASL mechanism with its credentials (RFC 4422), for
/// [`Client::authenticate`]. Secrets are redacted in `Debug`.
#[derive(Clone)]
#[non_exhaustive]
pub enum Sasl {
    /// `PLAIN` (RFC 4616).
    Plain {
        /// Authorization identity (usually empty).
        authzid: String,
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// `LOGIN` (user name, then password, each after a `+`).
    Login {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// `XOAUTH2` (Google/Microsoft bearer token).
    XOAuth2 {
        /// User name.
        username: String,
        /// Access token.
        token: String,
    },
    /// `CRAM-MD5` (RFC 2195).
    CramMd5 {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
}

impl core::fmt::Debug for Sasl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (m, u) = match self {
            Self::Plain { username, .. } => ("Plain", username),
            Self::Login { username, .. } => ("Login", username),
            Self::XOAuth2 { username, .. } => ("XOAuth2", username),
            Self::CramMd5 { username, .. } => ("CramMd5", username),
        };
        write!(f, "{m} {{ username: {u:?}, secret: <redacted> }}")
    }
}

#[derive(Clone)]
enum AuthStep {
    /// Send this base64 line.
    Line(String),
    /// Answer the challenge with CRAM-MD5.
    Cram { username: String, password: String },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    None,
    Auth,
    Select,
    Deselect,
    StartTls,
    Logout,
    Capability,
}

enum Kind {
    Plain,
    Auth {
        steps: VecDeque<AuthStep>,
        /// What to send when the server asks for more than we have.
        exhausted: &'static [u8],
    },
    Idle {
        idling: bool,
        done_asked: bool,
    },
    Append {
        left: u64,
        ready: bool,
    },
}

struct Pending {
    id: CommandId,
    tag: String,
    kind: Kind,
    effect: Effect,
    barrier: bool,
    /// Pieces still to send; the first is sent when the command starts,
    /// each next one after a `+`.
    segments: VecDeque<Vec<u8>>,
}

impl Pending {
    fn awaits_continuation(&self) -> bool {
        !self.segments.is_empty()
            || match &self.kind {
                Kind::Plain => false,
                Kind::Auth { .. } => true,
                Kind::Idle { idling, .. } => !idling,
                Kind::Append { left, ready } => !ready || *left > 0,
            }
    }
}

/// The connection state (RFC 9051 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Waiting for the greeting.
    Greeting,
    /// Not authenticated.
    NotAuthenticated,
    /// Authenticated, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected,
    /// BYE received or LOGOUT sent.
    Logout,
}

/// The sans-IO IMAP client. See the [module docs](self).
pub struct Client {
    config: ClientConfig,
    reader: ResponseReader,
    inbuf: BytesMut,
    out: BytesMut,
    events: VecDeque<Event>,
    event_bytes: usize,
    queue: VecDeque<Pending>,
    inflight: Vec<Pending>,
    state: State,
    caps: Option<Vec<Capability<'static>>>,
    tls_wait: bool,
    closed: bool,
    prefix: String,
    counter: u64,
    next_id: u64,
    last_progress: Instant,
    /// A command went out while nothing was in flight: the timer
    /// restarts at the next `handle_timeout`/`handle_input`.
    restart_timer: bool,
    fetch_seq: Option<NonZeroU32>,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("state", &self.state)
            .field("in_flight", &self.inflight.len())
            .field("queued", &self.queue.len())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

fn tag_prefix(seed: u64) -> String {
    // splitmix64, then four letters.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (0..4)
        .map(|i| char::from(b'A' + ((z >> (i * 8)) % 26) as u8))
        .collect()
}

fn streamed_owned(item: StreamedItem<'_>) -> StreamedItem<'static> {
    match item {
        StreamedItem::BodySection { section, origin } => StreamedItem::BodySection {
            section: section.into_owned(),
            origin,
        },
        StreamedItem::Binary { part } => StreamedItem::Binary { part },
        StreamedItem::Rfc822 => StreamedItem::Rfc822,
        StreamedItem::Rfc822Header => StreamedItem::Rfc822Header,
        _ => StreamedItem::Rfc822Text,
    }
}

/// The received bytes an event holds.
fn event_size(e: &Event) -> usize {
    match e {
        Event::FetchChunk(b) => b.len(),
        Event::Untagged(r)
        | Event::Bye(r)
        | Event::Greeting { response: r, .. }
        | Event::Done { response: r, .. } => r.as_bytes().len(),
        _ => 0,
    }
}

fn uid_of(items: &[FetchItem<'_>]) -> Option<NonZeroU32> {
    items.iter().find_map(|i| match i {
        FetchItem::Uid(u) => Some(*u),
        _ => None,
    })
}

/// What one response means to the machine, taken out of the borrowed
/// parse so the machine can act on it.
enum Step {
    Greeting(StatusKind, Option<Vec<Capability<'static>>>),
    Tagged {
        tag: String,
        kind: StatusKind,
        text: String,
        caps: Option<Vec<Capability<'static>>>,
    },
    Continuation(Option<Vec<u8>>),
    Bye,
    Untagged(Option<Vec<Capability<'static>>>),
}

fn caps_of(code: Option<&Code<'_>>) -> Option<Vec<Capability<'static>>> {
    match code {
        Some(Code::Capability(c)) => Some(c.iter().cloned().map(Capability::into_owned).collect()),
        _ => None,
    }
}

impl Client {
    /// A client waiting for the server greeting.
    #[must_use]
    pub fn new(config: ClientConfig, now: Instant) -> Self {
        let reader = ResponseReader::with_limits(&config.limits).stream_literals(true);
        Self {
            prefix: tag_prefix(config.tag_seed),
            config,
            reader,
            inbuf: BytesMut::new(),
            out: BytesMut::new(),
            events: VecDeque::new(),
            event_bytes: 0,
            queue: VecDeque::new(),
            inflight: Vec::new(),
            state: State::Greeting,
            caps: None,
            tls_wait: false,
            closed: false,
            counter: 0,
            next_id: 0,
            last_progress: now,
            restart_timer: false,
            fetch_seq: None,
        }
    }

    /// The connection state.
    #[must_use]
    pub fn state(&self) -> State {
        self.state
    }

    /// The capabilities last announced; `None` when unknown (before the
    /// greeting, after STARTTLS until CAPABILITY answers).
    #[must_use]
    pub fn capabilities(&self) -> Option<&[Capability<'static>]> {
        self.caps.as_deref()
    }

    /// Whether the server announced `cap`.
    #[must_use]
    pub fn has_capability(&self, cap: &Capability<'_>) -> bool {
        self.caps
            .as_ref()
            .is_some_and(|c| c.iter().any(|x| x == cap))
    }

    /// The session is over: close the connection.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether reading from the connection is useful now (false while
    /// waiting for the TLS handshake or once closed).
    #[must_use]
    pub fn wants_input(&self) -> bool {
        !self.closed && !self.tls_wait
    }

    /// Queues an event; the bytes it holds count against the receive
    /// buffer bound until the application takes it.
    fn push_event(&mut self, e: Event) {
        self.event_bytes += event_size(&e);
        self.events.push_back(e);
    }

    fn literal_mode(&self) -> LiteralMode {
        if self.has_capability(&Capability::LiteralPlus) {
            LiteralMode::NonSync
        } else if self.has_capability(&Capability::LiteralMinus)
            || self.has_capability(&Capability::Imap4Rev2)
        {
            // RFC 9051 section 4.3: IMAP4rev2 includes LITERAL-.
            LiteralMode::NonSyncUpTo4096
        } else {
            LiteralMode::Sync
        }
    }

    fn next_tag(&mut self) -> (CommandId, String) {
        self.counter += 1;
        self.next_id += 1;
        (
            CommandId(self.next_id),
            format!("{}{}", self.prefix, self.counter),
        )
    }

    fn push(&mut self, p: Pending) -> CommandId {
        let id = p.id;
        self.queue.push_back(p);
        self.pump();
        id
    }

    fn enqueue(&mut self, body: CommandBody<'_>, kind: Kind) -> Result<CommandId, QueueError> {
        if self.closed {
            return Err(QueueError::Closed);
        }
        let (effect, barrier) = match &body {
            CommandBody::StartTls => (Effect::StartTls, true),
            CommandBody::Authenticate { .. } | CommandBody::Login { .. } => (Effect::Auth, true),
            CommandBody::Select { .. } | CommandBody::Examine { .. } => (Effect::Select, true),
            CommandBody::Close | CommandBody::Unselect => (Effect::Deselect, true),
            CommandBody::Logout => (Effect::Logout, true),
            CommandBody::Capability => (Effect::Capability, false),
            CommandBody::Enable { .. } | CommandBody::Idle | CommandBody::Append { .. } => {
                (Effect::None, true)
            }
            _ => (Effect::None, false),
        };
        let (id, tag) = self.next_tag();
        let cmd = Command {
            tag: Tag::new(tag.as_str())?,
            body,
        };
        let enc = cmd.encode_with(self.literal_mode())?;
        let segments = enc.segments().map(<[u8]>::to_vec).collect();
        Ok(self.push(Pending {
            id,
            tag,
            kind,
            effect,
            barrier,
            segments,
        }))
    }

    /// Queues any command (the tag is ours). Commands with their own
    /// method (AUTHENTICATE, IDLE, APPEND) should go through it, so that
    /// continuations are answered.
    pub fn command(&mut self, body: CommandBody<'_>) -> Result<CommandId, QueueError> {
        self.enqueue(body, Kind::Plain)
    }

    /// `CAPABILITY`.
    pub fn capability(&mut self) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Capability)
    }

    /// `NOOP` (also polls for updates).
    pub fn noop(&mut self) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Noop)
    }

    /// `LOGOUT`.
    pub fn logout(&mut self) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Logout)
    }

    /// `STARTTLS`; on its OK, [`Event::StartTls`] asks for the handshake.
    pub fn starttls(&mut self) -> Result<CommandId, QueueError> {
        self.command(CommandBody::StartTls)
    }

    /// `LOGIN user pass` (quoted or as literals as needed).
    pub fn login(&mut self, user: &str, pass: &str) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Login {
            username: AString::new(user.as_bytes()),
            password: Secret::new(AString::new(pass.as_bytes())),
        })
    }

    /// `AUTHENTICATE`, with the initial response on the command line when
    /// the server announced SASL-IR (RFC 4959).
    pub fn authenticate(&mut self, sasl: Sasl) -> Result<CommandId, QueueError> {
        let ir = self.has_capability(&Capability::SaslIr);
        let (mech, initial, mut steps, exhausted): (
            &str,
            Option<String>,
            VecDeque<AuthStep>,
            &[u8],
        ) = match sasl {
            Sasl::Plain {
                authzid,
                username,
                password,
            } => (
                "PLAIN",
                Some(sasl::encode_plain(&authzid, &username, &password)),
                VecDeque::new(),
                b"*\r\n",
            ),
            Sasl::XOAuth2 { username, token } => (
                "XOAUTH2",
                Some(sasl::encode_base64(
                    format!("user={username}\x01auth=Bearer {token}\x01\x01").as_bytes(),
                )),
                VecDeque::new(),
                // RFC 7628 3.2.3: an empty response to the error challenge.
                b"\r\n",
            ),
            Sasl::Login { username, password } => (
                "LOGIN",
                None,
                VecDeque::from([
                    AuthStep::Line(sasl::encode_base64(username.as_bytes())),
                    AuthStep::Line(sasl::encode_base64(password.as_bytes())),
                ]),
                b"*\r\n",
            ),
            Sasl::CramMd5 { username, password } => (
                "CRAM-MD5",
                None,
                VecDeque::from([AuthStep::Cram { username, password }]),
                b"*\r\n",
            ),
        };
        let initial = match initial {
            Some(i) if ir && i.is_empty() => Some(InitialResponse::Empty),
            Some(i) if ir => Some(InitialResponse::Base64(Secret::new(i.into()))),
            Some(i) => {
                steps.push_front(AuthStep::Line(i));
                None
            }
            None => None,
        };
        self.enqueue(
            CommandBody::Authenticate {
                mechanism: Atom::new(mech)?,
                initial,
            },
            Kind::Auth { steps, exhausted },
        )
    }

    /// `ENABLE caps...` (RFC 5161).
    pub fn enable(&mut self, caps: Vec<Capability<'_>>) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Enable { capabilities: caps })
    }

    /// `SELECT mailbox`.
    pub fn select(&mut self, mailbox: Mailbox<'_>) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Select {
            mailbox,
            params: Vec::new(),
        })
    }

    /// `EXAMINE mailbox`.
    pub fn examine(&mut self, mailbox: Mailbox<'_>) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Examine {
            mailbox,
            params: Vec::new(),
        })
    }

    /// `LIST reference pattern`.
    pub fn list(&mut self, reference: Mailbox<'_>, pattern: &str) -> Result<CommandId, QueueError> {
        self.command(CommandBody::List {
            selection: Vec::new(),
            reference,
            patterns: vec![AString::new(pattern.as_bytes())],
            returns: None,
        })
    }

    /// `STATUS mailbox (items)`.
    pub fn status(
        &mut self,
        mailbox: Mailbox<'_>,
        items: Vec<StatusItem>,
    ) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Status { mailbox, items })
    }

    /// `[UID] FETCH set attributes`.
    pub fn fetch(
        &mut self,
        set: SequenceSet<'_>,
        attributes: FetchAttributes<'_>,
        uid: bool,
    ) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Fetch {
            uid,
            set,
            attributes,
            changed_since: None,
            vanished: false,
        })
    }

    /// `[UID] STORE set flags`.
    pub fn store(
        &mut self,
        set: SequenceSet<'_>,
        flags: StoreFlags<'_>,
        uid: bool,
    ) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Store {
            uid,
            set,
            unchanged_since: None,
            flags,
        })
    }

    /// `[UID] SEARCH criteria`.
    pub fn search(
        &mut self,
        criteria: Vec<SearchKey<'_>>,
        uid: bool,
    ) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Search {
            uid,
            returns: None,
            charset: None,
            criteria,
        })
    }

    /// `[UID] COPY set mailbox`.
    pub fn copy(
        &mut self,
        set: SequenceSet<'_>,
        mailbox: Mailbox<'_>,
        uid: bool,
    ) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Copy { uid, set, mailbox })
    }

    /// `[UID] MOVE set mailbox` (RFC 6851).
    pub fn r#move(
        &mut self,
        set: SequenceSet<'_>,
        mailbox: Mailbox<'_>,
        uid: bool,
    ) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Move { uid, set, mailbox })
    }

    /// `EXPUNGE`.
    pub fn expunge(&mut self) -> Result<CommandId, QueueError> {
        self.command(CommandBody::Expunge)
    }

    /// `IDLE` (RFC 2177): [`Event::Idling`] once the server accepts.
    pub fn idle(&mut self) -> Result<CommandId, QueueError> {
        self.enqueue(
            CommandBody::Idle,
            Kind::Idle {
                idling: false,
                done_asked: false,
            },
        )
    }

    /// Ends IDLE (`DONE`); sent at once when idling, else as soon as the
    /// server accepts IDLE.
    pub fn idle_done(&mut self) -> Result<(), QueueError> {
        let mut send = false;
        let found = self
            .inflight
            .iter_mut()
            .chain(self.queue.iter_mut())
            .find_map(|p| match &mut p.kind {
                Kind::Idle { idling, done_asked } if !*done_asked => {
                    *done_asked = true;
                    send = *idling;
                    Some(())
                }
                _ => None,
            });
        if found.is_none() {
            return Err(QueueError::NotIdling);
        }
        if send {
            self.out.extend_from_slice(b"DONE\r\n");
        }
        Ok(())
    }

    /// `APPEND mailbox (flags) date {size}`: the message octets follow
    /// through [`append_data`](Self::append_data) after
    /// [`Event::AppendReady`].
    pub fn append(
        &mut self,
        mailbox: Mailbox<'_>,
        flags: &[Flag<'_>],
        date: Option<DateTime>,
        size: u64,
    ) -> Result<CommandId, QueueError> {
        if self.closed {
            return Err(QueueError::Closed);
        }
        let (id, tag) = self.next_tag();
        let head = encode_append_head(
            &Tag::new(tag.as_str())?,
            &mailbox,
            flags,
            date,
            size,
            false,
            self.literal_mode(),
        )?;
        Ok(self.push(Pending {
            id,
            tag,
            kind: Kind::Append {
                left: size,
                ready: head.waits.is_empty(),
            },
            effect: Effect::None,
            barrier: true,
            segments: VecDeque::from([head.bytes]),
        }))
    }

    /// Sends the next octets of the APPEND message; returns how many
    /// were taken (never more than announced). The final CRLF is added
    /// after the last octet (for an empty message, as soon as it may be
    /// sent: there is nothing to call this for).
    pub fn append_data(&mut self, data: &[u8]) -> Result<usize, QueueError> {
        let Some(p) = self
            .inflight
            .iter_mut()
            .find(|p| matches!(p.kind, Kind::Append { ready: true, left } if left > 0))
        else {
            return Err(QueueError::NoAppend);
        };
        let Kind::Append { left, .. } = &mut p.kind else {
            return Err(QueueError::NoAppend);
        };
        let n = usize::try_from(*left).unwrap_or(usize::MAX).min(data.len());
        self.out.extend_from_slice(&data[..n]);
        *left -= n as u64;
        if *left == 0 {
            self.out.extend_from_slice(b"\r\n");
        }
        Ok(n)
    }

    /// The TLS handshake after STARTTLS is done: output resumes and
    /// CAPABILITY is re-requested (its id is returned).
    pub fn tls_established(&mut self) -> Result<CommandId, QueueError> {
        if !self.tls_wait {
            return Err(QueueError::NoStartTls);
        }
        self.tls_wait = false;
        self.caps = None;
        self.capability()
    }

    /// Bytes to send, moved into `out`; returns how many.
    #[must_use]
    pub fn poll_output(&mut self, out: &mut BytesMut) -> usize {
        let n = self.out.len();
        out.extend_from_slice(&self.out);
        self.out.clear();
        n
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let e = self.events.pop_front()?;
        self.event_bytes -= event_size(&e);
        Some(e)
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called.
    /// The machine reads no clock: after a command goes out on an idle
    /// connection the deadline is in the past once, meaning "call
    /// `handle_timeout` now" to start the timer.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let t = self.config.timeout?;
        if self.closed || self.tls_wait {
            return None;
        }
        let idling = self
            .inflight
            .iter()
            .any(|p| matches!(p.kind, Kind::Idle { idling: true, .. }));
        let busy = self.state == State::Greeting || !self.inflight.is_empty();
        if self.restart_timer {
            return Some(self.last_progress);
        }
        (busy && !idling).then(|| self.last_progress + t)
    }

    /// Time passed: on expiry, [`Event::TimedOut`] and the session closes.
    pub fn handle_timeout(&mut self, now: Instant) {
        if core::mem::take(&mut self.restart_timer) {
            self.last_progress = now;
        }
        if self.poll_timeout().is_some_and(|d| now >= d) {
            self.push_event(Event::TimedOut);
            self.close();
        }
    }

    /// The connection was closed by the peer.
    pub fn handle_eof(&mut self) {
        self.close();
    }

    fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.state = State::Logout;
        for p in self.inflight.drain(..).chain(self.queue.drain(..)) {
            // Holds no received bytes: no accounting needed.
            self.events.push_back(Event::Aborted { id: p.id });
        }
        self.push_event(Event::Closed);
        self.out.clear();
    }

    /// Sends queued commands as the pipelining rule allows.
    fn pump(&mut self) {
        while !self.closed && !self.tls_wait && self.state != State::Greeting {
            if self
                .inflight
                .iter()
                .any(|p| p.barrier || p.awaits_continuation())
            {
                return;
            }
            let Some(next) = self.queue.front() else {
                return;
            };
            if next.barrier && !self.inflight.is_empty() {
                return;
            }
            let Some(mut p) = self.queue.pop_front() else {
                return;
            };
            if let Some(seg) = p.segments.pop_front() {
                self.out.extend_from_slice(&seg);
            }
            if let Kind::Append { ready: true, left } = p.kind {
                // A non-synchronizing literal: no `+` comes. An empty
                // message is complete at once: only its CRLF is left.
                if left == 0 {
                    self.out.extend_from_slice(b"\r\n");
                }
                self.push_event(Event::AppendReady { id: p.id });
            }
            if p.effect == Effect::Logout {
                self.state = State::Logout;
            }
            if self.inflight.is_empty() {
                self.restart_timer = true;
            }
            self.inflight.push(p);
        }
    }

    /// Server bytes; returns how many were taken (fewer when the bounded
    /// receive buffer is full: drain events, then pass the rest again).
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        if self.closed {
            return data.len();
        }
        if self.tls_wait {
            if !data.is_empty() {
                self.push_event(Event::Error(ProtocolError::StartTlsInjection));
                self.close();
            }
            return data.len();
        }
        let room = self
            .config
            .max_buffer
            .saturating_sub(self.inbuf.len() + self.event_bytes);
        let n = room.min(data.len());
        if n > 0 || self.restart_timer {
            self.last_progress = now;
            self.restart_timer = false;
        }
        self.inbuf.extend_from_slice(&data[..n]);
        self.process();
        n
    }

    fn process(&mut self) {
        loop {
            if self.closed || self.tls_wait {
                return;
            }
            let frame = self.reader.read(&mut self.inbuf);
            match frame {
                ReadFrame::Incomplete => {
                    if self.inbuf.len() >= self.config.max_buffer {
                        self.events
                            .push_back(Event::Error(ProtocolError::BufferFull));
                        self.close();
                    }
                    return;
                }
                ReadFrame::Response(_) => {}
                ReadFrame::FetchStart {
                    seq,
                    items,
                    literal,
                } => {
                    let uid = uid_of(&items);
                    let item = streamed_owned(literal.item);
                    let size = literal.size;
                    self.fetch_seq = Some(seq);
                    self.push_event(Event::FetchLiteral {
                        seq,
                        uid,
                        item,
                        size,
                    });
                    continue;
                }
                ReadFrame::FetchNext { items, literal } => {
                    let uid = uid_of(&items);
                    let item = streamed_owned(literal.item);
                    let size = literal.size;
                    if let Some(seq) = self.fetch_seq {
                        self.push_event(Event::FetchLiteral {
                            seq,
                            uid,
                            item,
                            size,
                        });
                    }
                    continue;
                }
                ReadFrame::LiteralChunk(b) => {
                    if !b.is_empty() {
                        self.push_event(Event::FetchChunk(b));
                    }
                    continue;
                }
                ReadFrame::FetchEnd { items } => {
                    let uid = uid_of(&items);
                    if let Some(seq) = self.fetch_seq.take() {
                        self.push_event(Event::FetchEnd { seq, uid });
                    }
                    continue;
                }
                ReadFrame::Failed { error } => {
                    let e = ProtocolError::Malformed(error.to_string());
                    self.push_event(Event::Error(e));
                    if self.state == State::Greeting {
                        self.close();
                        return;
                    }
                    continue;
                }
            }
            // A whole response sits at the start of the buffer until the
            // next read: parse it again to learn its extent and keep it.
            let Ok((resp, len)) = Response::parse_with_limits(&self.inbuf, &self.config.limits)
            else {
                // The reader accepted it, so this does not happen.
                self.push_event(Event::Error(ProtocolError::Malformed(String::new())));
                continue;
            };
            let step = self.classify(resp);
            let raw = RawResponse(Bytes::copy_from_slice(&self.inbuf[..len]));
            let rest = self.inbuf.len() - len;
            self.apply(step, raw, rest);
        }
    }

    fn classify(&self, resp: Response<'_>) -> Step {
        match resp {
            Response::Status(s) if self.state == State::Greeting && s.tag.is_none() => {
                Step::Greeting(s.kind, caps_of(s.code.as_ref()))
            }
            _ if self.state == State::Greeting => Step::Greeting(StatusKind::Bad, None),
            Response::Status(s) => match s.tag {
                Some(tag) => Step::Tagged {
                    tag: tag.as_str().to_owned(),
                    kind: s.kind,
                    text: s.text.into_owned(),
                    caps: caps_of(s.code.as_ref()),
                },
                None if s.kind == StatusKind::Bye => Step::Bye,
                None => Step::Untagged(caps_of(s.code.as_ref())),
            },
            Response::Continuation(c) => Step::Continuation(c.base64()),
            Response::Data(Data::Capability(c)) => {
                Step::Untagged(Some(c.into_iter().map(Capability::into_owned).collect()))
            }
            Response::Data(_) => Step::Untagged(None),
        }
    }

    fn apply(&mut self, step: Step, raw: RawResponse, rest: usize) {
        match step {
            Step::Greeting(kind, caps) => match kind {
                StatusKind::Ok | StatusKind::PreAuth | StatusKind::Bye => {
                    if caps.is_some() {
                        self.caps = caps;
                    }
                    self.push_event(Event::Greeting {
                        kind,
                        response: raw,
                    });
                    self.state = match kind {
                        StatusKind::Ok => State::NotAuthenticated,
                        StatusKind::PreAuth => State::Authenticated,
                        _ => State::Logout,
                    };
                    if kind == StatusKind::Bye {
                        self.close();
                    } else {
                        self.pump();
                    }
                }
                _ => {
                    self.push_event(Event::Error(ProtocolError::BadGreeting));
                    self.close();
                }
            },
            Step::Bye => {
                self.state = State::Logout;
                self.push_event(Event::Bye(raw));
            }
            Step::Untagged(caps) => {
                if caps.is_some() {
                    self.caps = caps;
                }
                self.push_event(Event::Untagged(raw));
            }
            Step::Continuation(b64) => self.continuation(b64),
            Step::Tagged {
                tag,
                kind,
                text,
                caps,
            } => {
                let Some(i) = self.inflight.iter().position(|p| p.tag == tag) else {
                    self.push_event(Event::Error(ProtocolError::UnknownTag(tag)));
                    return;
                };
                let p = self.inflight.remove(i);
                if caps.is_some() {
                    self.caps = caps;
                }
                let ok = kind == StatusKind::Ok;
                match p.effect {
                    Effect::Auth if ok => self.state = State::Authenticated,
                    Effect::Select if ok => self.state = State::Selected,
                    // A failed SELECT leaves no mailbox selected.
                    Effect::Select if self.state == State::Selected => {
                        self.state = State::Authenticated;
                    }
                    Effect::Deselect if ok => self.state = State::Authenticated,
                    _ => {}
                }
                self.push_event(Event::Done {
                    id: p.id,
                    status: kind,
                    text,
                    response: raw,
                });
                if p.effect == Effect::StartTls && ok {
                    if rest > 0 {
                        self.events
                            .push_back(Event::Error(ProtocolError::StartTlsInjection));
                        self.close();
                        return;
                    }
                    self.tls_wait = true;
                    self.caps = None;
                    self.push_event(Event::StartTls);
                    return;
                }
                if p.effect == Effect::Logout {
                    self.close();
                    return;
                }
                self.pump();
            }
        }
    }

    fn continuation(&mut self, b64: Option<Vec<u8>>) {
        let Some(p) = self
            .inflight
            .iter_mut()
            .rev()
            .find(|p| p.awaits_continuation())
        else {
            self.events
                .push_back(Event::Error(ProtocolError::UnexpectedContinuation));
            return;
        };
        if let Some(seg) = p.segments.pop_front() {
            self.out.extend_from_slice(&seg);
            return;
        }
        match &mut p.kind {
            Kind::Auth { steps, exhausted } => match steps.pop_front() {
                Some(AuthStep::Line(l)) => {
                    self.out.extend_from_slice(l.as_bytes());
                    self.out.extend_from_slice(b"\r\n");
                }
                Some(AuthStep::Cram { username, password }) => {
                    let challenge = b64.unwrap_or_default();
                    let r = sasl::cram_md5_response(&username, &password, challenge);
                    self.out
                        .extend_from_slice(sasl::encode_base64(r.as_bytes()).as_bytes());
                    self.out.extend_from_slice(b"\r\n");
                }
                None => self.out.extend_from_slice(exhausted),
            },
            Kind::Idle { idling, done_asked } if !*idling => {
                *idling = true;
                let id = p.id;
                if *done_asked {
                    self.out.extend_from_slice(b"DONE\r\n");
                }
                self.push_event(Event::Idling { id });
            }
            Kind::Append { ready, left } if !*ready => {
                *ready = true;
                // An empty message is complete once the `+` came.
                if *left == 0 {
                    self.out.extend_from_slice(b"\r\n");
                }
                let id = p.id;
                self.push_event(Event::AppendReady { id });
            }
            _ => self
                .events
                .push_back(Event::Error(ProtocolError::UnexpectedContinuation)),
        }
    }
}
