//! The tokio loop around `mailwire_imap::server::Server` for the
//! `imap_server` example: accept connections, move bytes between the
//! socket and the state machine, and act on its events over the Maildir
//! folders of [`imap_store`](crate::imap_store) (check passwords, list,
//! select, fetch with bodies streamed from their files, store flags,
//! search, copy, move, expunge, append streamed into a file, idle).
//!
//! The protocol (states, literals, SASL, STARTTLS injection defence,
//! IDLE framing, limits, timeouts) is all in the state machine; this file
//! is I/O and mailbox policy.
//!
//! Another part of the same process that delivers mail (an SMTP server)
//! only has to write files into `new/` of a user's Maildir (as
//! `maildir.rs` does): sessions find them on their next scan (NOOP,
//! CHECK, SELECT, and every 500 ms while idling).
//!
//! Wiring it into a server over a `ROOT/USER/Maildir` tree (as
//! `mail_server` keeps its accounts):
//!
//! ```ignore
//! let options = imap_serve::Options {
//!     listen,
//!     maildir: root,
//!     users, // (name, password) pairs
//!     hostname,
//!     tls: true,
//!     require_tls: false,
//!     verbose,
//!     max_message: 1 << 30,
//!     layout: imap_serve::Layout::PerUser("Maildir".into()),
//! };
//! tokio::spawn(imap_serve::serve_with_certificate(listener, options, certificate));
//! ```
//!
//! Include `imap_store.rs`, `maildir.rs` and `tls.rs` beside it.

#![allow(dead_code)] // each example uses its own part

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use mailwire_imap::encode::FetchLiteralWriter;
use mailwire_imap::server::{CommandId, Event, Server, ServerConfig};
use mailwire_imap::types::{
    AString, Code, Command, CommandBody, Data, DateTime, FetchAttribute, FetchAttributes,
    FetchItem, Flag, FlagPerm, ListAttribute, ListData, Mailbox, Namespace, Response, SearchKey,
    SeqNumber, SeqRange, SequenceSet, Status, StatusItem, StatusKind, StoreFlags, StoreMode,
    StreamedItem,
};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::either::Either;

use crate::accept;
use crate::imap_store::{
    self, Account, Body, Candidate, Flags, Folder, Loaded, Registry, Scope, StoreError,
    WireConverter, lock,
};
pub(crate) use crate::maildir::Layout;
use crate::maildir::{Delivery, Maildir};
use crate::tls;

/// How much of a message file is read and passed on at a time.
const CHUNK: usize = 64 * 1024;

/// How often an idling session looks for changes.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The server's settings, from the command line.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) listen: SocketAddr,
    pub(crate) maildir: PathBuf,
    pub(crate) users: Vec<(String, String)>,
    pub(crate) hostname: String,
    pub(crate) tls: bool,
    pub(crate) require_tls: bool,
    pub(crate) verbose: bool,
    /// Largest APPEND message, in octets (default 1 GiB; it streams to a
    /// file, so memory does not grow with it).
    pub(crate) max_message: u64,
    /// Where each user's Maildir lies under `maildir`.
    pub(crate) layout: Layout,
}

impl Options {
    /// Reads `--listen ADDR --maildir DIR --user NAME:PASS [--user ...]
    /// [--hostname NAME] [--no-tls] [--require-tls] [--max-message N]
    /// [--verbose]`.
    pub(crate) fn from_args(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut listen = None;
        let mut maildir = None;
        let mut options = Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            maildir: PathBuf::new(),
            users: Vec::new(),
            hostname: "localhost".into(),
            tls: true,
            require_tls: false,
            verbose: false,
            max_message: 1 << 30,
            layout: Layout::Auto,
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--listen" => {
                    let text = value("--listen")?;
                    listen = Some(text.parse().map_err(|e| format!("--listen {text}: {e}"))?);
                }
                "--maildir" => maildir = Some(PathBuf::from(value("--maildir")?)),
                "--user" => {
                    let text = value("--user")?;
                    let (name, pass) = text
                        .split_once(':')
                        .ok_or(format!("--user {text}: expected NAME:PASS"))?;
                    options.users.push((name.into(), pass.into()));
                }
                "--hostname" => options.hostname = value("--hostname")?,
                "--no-tls" => options.tls = false,
                "--require-tls" => options.require_tls = true,
                "--max-message" => {
                    let text = value("--max-message")?;
                    options.max_message = text
                        .parse()
                        .map_err(|e| format!("--max-message {text}: {e}"))?;
                }
                "--verbose" => options.verbose = true,
                other => return Err(format!("unknown option {other}")),
            }
        }
        options.listen = listen.ok_or("--listen ADDR is required")?;
        options.maildir = maildir.ok_or("--maildir DIR is required")?;
        if options.users.is_empty() {
            return Err("at least one --user NAME:PASS is required".into());
        }
        if options.require_tls && !options.tls {
            return Err("--require-tls needs TLS (drop --no-tls)".into());
        }
        Ok(options)
    }

    /// The Maildir (INBOX) of `user`: with [`Layout::Auto`], `DIR` itself
    /// when there is one account, `DIR/NAME` when there are several; with
    /// [`Layout::PerUser`], `DIR/NAME/SUB` always.
    pub(crate) fn maildir_of(&self, user: &str) -> PathBuf {
        self.layout
            .maildir_of(&self.maildir, self.users.len(), user)
    }

    /// The state machine's configuration for these options.
    pub(crate) fn server_config(&self) -> ServerConfig {
        let mut config = ServerConfig::default();
        config.greeting = format!("{} mailwire imap_server ready", self.hostname);
        config.starttls = self.tls;
        config.login_requires_tls = self.require_tls;
        // What this file implements beyond the machine's own list.
        config.extra_capabilities = vec!["UIDPLUS".into(), "MOVE".into(), "CHILDREN".into()];
        config.limits.max_append = self.max_message;
        config
    }
}

/// Everything a connection needs, shared by all of them.
struct Shared {
    config: Arc<ServerConfig>,
    options: Options,
    acceptor: Option<TlsAcceptor>,
    /// One state per folder for all sessions.
    registry: Arc<Registry>,
}

/// Serves connections from `listener` until it fails, with a new
/// self-signed certificate for STARTTLS.
pub(crate) async fn serve(listener: TcpListener, options: Options) -> io::Result<()> {
    serve_with_certificate(listener, options, tls::SelfSigned::generate()?).await
}

/// Serves connections from `listener` until it fails, with `certificate`
/// for STARTTLS (when `options.tls`).
pub(crate) async fn serve_with_certificate(
    listener: TcpListener,
    options: Options,
    certificate: tls::SelfSigned,
) -> io::Result<()> {
    serve_with_registry(listener, options, certificate, Arc::default()).await
}

/// The same with a folder registry the caller may share with other
/// listeners of the process (an implicit-TLS port, say), so that all
/// sessions see one state per folder.
pub(crate) async fn serve_with_registry(
    listener: TcpListener,
    options: Options,
    certificate: tls::SelfSigned,
    registry: Arc<Registry>,
) -> io::Result<()> {
    let acceptor = if options.tls {
        Some(certificate.acceptor()?)
    } else {
        None
    };
    let shared = Arc::new(Shared {
        config: Arc::new(options.server_config()),
        options,
        acceptor,
        registry,
    });
    accept::serve_connections(
        listener,
        "imap_server",
        shared.options.verbose,
        move |stream, peer| {
            let shared = Arc::clone(&shared);
            async move { session(stream, peer, &shared).await }
        },
    )
    .await
}

/// A connection, in plain text or after `STARTTLS`.
type Conn = Either<TcpStream, tokio_rustls::server::TlsStream<TcpStream>>;

/// The socket and the bytes on their way to it.
struct Io {
    conn: Conn,
    output: BytesMut,
}

impl Io {
    /// Writes out everything the machine has queued.
    async fn flush(&mut self, server: &mut Server) -> io::Result<()> {
        while server.poll_output(&mut self.output) > 0 {
            self.conn.write_all(&self.output).await?;
            self.output.clear();
        }
        Ok(())
    }

    /// Makes room in the machine's output before more FETCH data.
    async fn room(&mut self, server: &mut Server) -> io::Result<()> {
        if !server.wants_data() {
            self.flush(server).await?;
        }
        Ok(())
    }
}

/// The selected mailbox as this session sees it.
struct Selected {
    folder: Arc<Mutex<Folder>>,
    read_only: bool,
    /// UIDs by message sequence number (index + 1).
    uids: Vec<u32>,
    /// The flags (and keywords) last told to the client, `\Recent` aside.
    flags: HashMap<u32, Vec<Flag<'static>>>,
    /// The keywords the client was told of (FLAGS).
    keywords: Vec<String>,
    /// The messages `\Recent` in this session.
    recent: HashSet<u32>,
    /// MIME parts of large messages, located by an earlier FETCH.
    trees: HashMap<u32, imap_store::Node>,
}

impl Selected {
    /// `(seq, uid)` of the messages a set names, in sequence order.
    fn resolve(&self, set: &SequenceSet<'_>, uid: bool) -> Vec<(u32, u32)> {
        let largest = if uid {
            self.uids.last().copied().unwrap_or(0)
        } else {
            self.uids.len() as u32
        };
        if largest == 0 {
            return Vec::new();
        }
        self.uids
            .iter()
            .enumerate()
            .map(|(i, &u)| (i as u32 + 1, u))
            .filter(|&(seq, u)| set.contains(if uid { u } else { seq }, largest))
            .collect()
    }

    /// Whether every number of a message sequence set is a message
    /// (RFC 3501 9, `seq-number`: a number beyond the mailbox is invalid;
    /// `*` always names the last one).
    fn valid_seqs(&self, set: &SequenceSet<'_>) -> bool {
        let exists = self.uids.len() as u32;
        set.ranges().all(|r| {
            [r.start, r.end].iter().all(|n| {
                matches!(n, SeqNumber::Value(v) if v.get() <= exists) || *n == SeqNumber::Largest
            })
        })
    }

    fn seq_of(&self, uid: u32) -> Option<usize> {
        self.uids.binary_search(&uid).ok()
    }
}

/// An APPEND being received.
struct Appending {
    id: CommandId,
    folder: Option<(Arc<Mutex<Folder>>, PathBuf)>,
    /// The message being written, with its flags and date.
    delivery: Option<(Delivery, Flags, Vec<String>, Option<DateTime>)>,
    /// UIDs given so far (MULTIAPPEND).
    uids: Vec<u32>,
    /// Why the command fails, once something went wrong.
    failed: Option<(Option<Code<'static>>, String)>,
}

/// Per-session application state.
struct Session<'s> {
    shared: &'s Shared,
    peer: SocketAddr,
    account: Option<Account>,
    selected: Option<Selected>,
    appending: Option<Appending>,
    idling: bool,
}

/// Runs one IMAP session on `stream`.
async fn session(stream: TcpStream, peer: SocketAddr, shared: &Shared) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut io = Io {
        conn: Either::Left(stream),
        output: BytesMut::with_capacity(CHUNK + 1024),
    };
    let mut server = Server::new(Arc::clone(&shared.config), Instant::now());
    let mut app = Session {
        shared,
        peer,
        account: None,
        selected: None,
        appending: None,
        idling: false,
    };
    let mut input = BytesMut::with_capacity(CHUNK);
    let timer = tokio::time::sleep_until(tokio::time::Instant::now());
    tokio::pin!(timer);
    let mut armed: Option<Instant> = None;
    let mut idle_tick = tokio::time::interval(IDLE_POLL);
    idle_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Set by `Event::StartTls`; the handshake starts once the OK is out.
    let mut start_tls = false;
    loop {
        while let Some(event) = server.poll_event() {
            start_tls |= app.handle(&mut server, &mut io, event).await?;
        }
        if server.poll_output(&mut io.output) > 0 {
            io.conn.write_all(&io.output).await?;
            io.output.clear();
            continue;
        }
        if start_tls {
            start_tls = false;
            io.conn = upgrade(io.conn, shared).await?;
            // Bytes sent in plain text after STARTTLS were discarded by
            // the machine; those still in our buffer go too.
            input.clear();
            server.tls_established();
            continue;
        }
        if server.is_closed() {
            io.conn.shutdown().await.ok();
            return Ok(());
        }
        if !input.is_empty() && server.wants_input() {
            let taken = server.handle_input(Instant::now(), &input);
            input.advance(taken);
            if taken > 0 {
                continue;
            }
        }
        let deadline = server.poll_timeout();
        if deadline != armed {
            if let Some(at) = deadline {
                timer.as_mut().reset(at.into());
            }
            armed = deadline;
        }
        input.reserve(CHUNK);
        let reading = server.wants_input();
        tokio::select! {
            read = io.conn.read_buf(&mut input), if reading => {
                if read? == 0 {
                    return Ok(());
                }
                let taken = server.handle_input(Instant::now(), &input);
                input.advance(taken);
            }
            () = &mut timer, if armed.is_some() => {
                armed = None;
                server.handle_timeout(Instant::now());
            }
            _ = idle_tick.tick(), if app.idling => {
                app.sync(&mut server, true).map_err(io::Error::other)?;
            }
        }
    }
}

/// Runs the TLS handshake on a plain connection.
async fn upgrade(conn: Conn, shared: &Shared) -> io::Result<Conn> {
    let (Either::Left(tcp), Some(acceptor)) = (conn, &shared.acceptor) else {
        return Err(io::Error::other(
            "STARTTLS on a TLS connection or without TLS",
        ));
    };
    Ok(Either::Right(acceptor.accept(tcp).await?))
}

/// A decision error of the machine as an I/O error (it ends the session).
fn decided(result: Result<(), mailwire_imap::server::DecisionError>) -> io::Result<()> {
    result.map_err(|e| io::Error::other(e.to_string()))
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// A set of UIDs, consecutive ones written as ranges.
fn uid_set(uids: &[u32]) -> Option<SequenceSet<'static>> {
    let mut ranges: Vec<SeqRange> = Vec::new();
    for &uid in uids {
        if let Some(last) = ranges.last_mut() {
            if let SeqNumber::Value(end) = last.end {
                if end.get().checked_add(1) == Some(uid) {
                    last.end = SeqNumber::Value(nz(uid));
                    continue;
                }
            }
        }
        let n = SeqNumber::Value(nz(uid));
        ranges.push(SeqRange { start: n, end: n });
    }
    SequenceSet::from_ranges(ranges)
}

/// The keywords among flags, by name.
fn keywords_of(flags: &[Flag<'_>]) -> Vec<String> {
    flags
        .iter()
        .filter_map(|f| match f {
            Flag::Keyword(atom) => Some(atom.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

/// `* FLAGS (...)` and `* OK [PERMANENTFLAGS (...)]` for a mailbox with
/// these keywords: any new keyword may be made (`\*`) unless read-only.
fn announce_flags(server: &mut Server, keywords: &[String], read_only: bool) -> io::Result<()> {
    let mut flags = Flags::ALL.to_imap(false);
    flags.extend(
        keywords
            .iter()
            .filter_map(|k| mailwire_imap::types::Atom::new(k.clone()).ok())
            .map(Flag::Keyword),
    );
    decided(server.send_untagged(&Response::Data(Data::Flags(flags.clone()))))?;
    let permanent: Vec<FlagPerm<'static>> = if read_only {
        Vec::new()
    } else {
        flags
            .into_iter()
            .map(FlagPerm::Flag)
            .chain([FlagPerm::Wildcard])
            .collect()
    };
    decided(server.send_untagged(&untagged_ok(
        Code::PermanentFlags(permanent),
        "Flags permitted",
    )))
}

fn untagged_ok<'a>(code: Code<'a>, text: &'a str) -> Response<'a> {
    Response::Status(Status::new(None, StatusKind::Ok, text).with_code(code))
}

/// One item of a FETCH response: known now, or a literal to stream.
enum Piece {
    Item(FetchItem<'static>),
    Stream(StreamedItem<'static>, Body),
}

/// What a command's handler answers.
type Outcome = (StatusKind, Option<Code<'static>>, String);

fn ok(text: &str) -> Outcome {
    (StatusKind::Ok, None, text.to_owned())
}

fn no(text: impl Into<String>) -> Outcome {
    (StatusKind::No, None, text.into())
}

fn store_failure(error: &StoreError) -> Outcome {
    let code = match error {
        StoreError::NotFound => Some(Code::NonExistent),
        StoreError::Exists => Some(Code::AlreadyExists),
        _ => None,
    };
    (StatusKind::No, code, error.to_string())
}

impl Session<'_> {
    /// Acts on one event; returns whether to start TLS now.
    async fn handle(&mut self, server: &mut Server, io: &mut Io, event: Event) -> io::Result<bool> {
        match event {
            Event::Login {
                id,
                authzid,
                username,
                password,
            } => {
                // Acting as another user (a SASL authorization identity)
                // is not offered.
                let as_self = authzid.is_none_or(|a| a.is_empty() || a == username);
                let ok = as_self
                    && self
                        .shared
                        .options
                        .users
                        .iter()
                        .any(|(n, p)| *n == username && p == password.expose());
                if !ok {
                    decided(
                        server.complete(
                            id,
                            StatusKind::No,
                            Some(Code::Other {
                                name: mailwire_imap::types::Atom::new("AUTHENTICATIONFAILED")
                                    .map_err(io::Error::other)?,
                                text: None,
                            }),
                            "Invalid credentials",
                        ),
                    )?;
                    return Ok(false);
                }
                let root = self.shared.options.maildir_of(&username);
                match Account::open(root, Arc::clone(&self.shared.registry)) {
                    Ok(account) => {
                        self.account = Some(account);
                        decided(server.complete(id, StatusKind::Ok, None, "Logged in"))?;
                    }
                    Err(error) => {
                        eprintln!("imap_server: cannot open the Maildir of {username}: {error}");
                        decided(
                            server.complete(
                                id,
                                StatusKind::No,
                                Some(Code::Other {
                                    name: mailwire_imap::types::Atom::new("UNAVAILABLE")
                                        .map_err(io::Error::other)?,
                                    text: None,
                                }),
                                "Mailbox unavailable",
                            ),
                        )?;
                    }
                }
            }
            Event::StartTls => return Ok(true),
            Event::Idle { .. } => {
                self.idling = true;
                self.sync(server, true).map_err(io::Error::other)?;
            }
            Event::IdleDone { .. } => self.idling = false,
            Event::AppendStart {
                id,
                mailbox,
                flags,
                date,
                ..
            } => {
                self.append_start(server, id, &mailbox, &flags, date)
                    .await?
            }
            Event::AppendData(bytes) => {
                if let Some(appending) = self.appending.as_mut() {
                    if let Some((delivery, ..)) = appending.delivery.as_mut() {
                        if let Err(error) = delivery.write_chunk(&bytes).await {
                            eprintln!("imap_server: APPEND: {error}");
                            appending.delivery = None;
                            appending.failed = Some((None, "Cannot store the message".into()));
                        }
                    }
                }
            }
            Event::AppendEnd { id } => self.append_end(server, id).await?,
            Event::Command { id, command } => {
                let (status, code, text) = self.command(server, io, command).await?;
                decided(server.complete(id, status, code, &text))?;
            }
            _ => {}
        }
        Ok(false)
    }

    fn account(&self) -> io::Result<&Account> {
        self.account
            .as_ref()
            .ok_or_else(|| io::Error::other("a mailbox command before login"))
    }

    /// Sends what changed in the selected mailbox since the client last
    /// heard: `EXPUNGE`s (only when `expunges`: never during FETCH, STORE
    /// or SEARCH, RFC 3501 7.4.1), flag changes, `EXISTS` and `RECENT`.
    fn sync(&mut self, server: &mut Server, expunges: bool) -> Result<(), String> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(());
        };
        let (state, taken) = {
            let mut folder = lock(&sel.folder).map_err(|e| e.to_string())?;
            match folder.rescan(!sel.read_only) {
                Ok(taken) => {
                    let state: Vec<(u32, Vec<Flag<'static>>, bool)> = folder
                        .messages
                        .iter()
                        .map(|m| (m.uid, m.imap_flags(false), m.in_new()))
                        .collect();
                    (state, taken)
                }
                // The mailbox was deleted (or renamed) under the session:
                // its messages are gone.
                Err(e) if e.kind() == io::ErrorKind::NotFound => (Vec::new(), Vec::new()),
                Err(e) => return Err(e.to_string()),
            }
        };
        if sel.read_only {
            // EXAMINE takes nothing from new/ (RFC 3501 6.3.2: \Recent is
            // not lost): what is still there is recent.
            sel.recent = state.iter().filter(|s| s.2).map(|s| s.0).collect();
        }
        sel.recent.extend(taken);
        let state: Vec<(u32, Vec<Flag<'static>>)> =
            state.into_iter().map(|(u, f, _)| (u, f)).collect();
        let present: HashMap<u32, &Vec<Flag<'static>>> =
            state.iter().map(|(u, f)| (*u, f)).collect();
        let send = |server: &mut Server, data: Data<'_>| {
            server
                .send_untagged(&Response::Data(data))
                .map_err(|e| e.to_string())
        };
        if expunges {
            for i in (0..sel.uids.len()).rev() {
                let uid = sel.uids[i];
                if !present.contains_key(&uid) {
                    sel.uids.remove(i);
                    sel.flags.remove(&uid);
                    sel.recent.remove(&uid);
                    send(server, Data::Expunge(nz(i as u32 + 1)))?;
                }
            }
        }
        for (i, uid) in sel.uids.iter().enumerate() {
            if let Some(&flags) = present.get(uid) {
                if sel.flags.get(uid) != Some(flags) {
                    sel.flags.insert(*uid, flags.clone());
                    let mut shown = flags.clone();
                    if sel.recent.contains(uid) {
                        shown.push(Flag::Recent);
                    }
                    send(
                        server,
                        Data::Fetch {
                            seq: nz(i as u32 + 1),
                            items: vec![FetchItem::Flags(shown)],
                        },
                    )?;
                }
            }
        }
        let last = sel.uids.last().copied().unwrap_or(0);
        let mut added = false;
        for (uid, flags) in state {
            if uid > last {
                sel.uids.push(uid);
                sel.flags.insert(uid, flags);
                added = true;
            }
        }
        if added {
            send(server, Data::Exists(sel.uids.len() as u32))?;
            let recent = sel.uids.iter().filter(|u| sel.recent.contains(u)).count();
            send(server, Data::Recent(recent as u32))?;
        }
        Ok(())
    }

    /// Runs a command the machine handed over.
    #[allow(clippy::too_many_lines)]
    async fn command(
        &mut self,
        server: &mut Server,
        io: &mut Io,
        command: Command<'static>,
    ) -> io::Result<Outcome> {
        use CommandBody as B;
        let seq_set = match &command.body {
            B::Fetch {
                uid: false, set, ..
            }
            | B::Store {
                uid: false, set, ..
            }
            | B::Copy {
                uid: false, set, ..
            }
            | B::Move {
                uid: false, set, ..
            } => Some(set),
            _ => None,
        };
        if let (Some(set), Some(sel)) = (seq_set, &self.selected) {
            if !sel.valid_seqs(set) {
                return Ok((
                    StatusKind::Bad,
                    None,
                    "Invalid message sequence number".into(),
                ));
            }
        }
        let outcome = match command.body {
            B::Noop => {
                self.sync(server, true).map_err(io::Error::other)?;
                ok("NOOP completed")
            }
            B::Check => {
                self.sync(server, true).map_err(io::Error::other)?;
                ok("CHECK completed")
            }
            B::Select { mailbox, .. } => self.select(server, &mailbox, false)?,
            B::Examine { mailbox, .. } => self.select(server, &mailbox, true)?,
            B::Create { mailbox } => match self.account()?.create(&mailbox) {
                Ok(()) => ok("CREATE completed"),
                Err(error) => store_failure(&error),
            },
            B::Delete { mailbox } => match self.account()?.delete(&mailbox) {
                Ok(()) => ok("DELETE completed"),
                Err(error) => store_failure(&error),
            },
            B::Rename { from, to } => match self.account()?.rename(&from, &to) {
                Ok(()) => ok("RENAME completed"),
                Err(error) => store_failure(&error),
            },
            // Every mailbox counts as subscribed.
            B::Subscribe { .. } => ok("SUBSCRIBE completed"),
            B::Unsubscribe { .. } => ok("UNSUBSCRIBE completed"),
            B::List {
                reference,
                patterns,
                ..
            } => {
                for pattern in &patterns {
                    self.list(server, &reference, pattern.as_bytes(), false)?;
                }
                ok("LIST completed")
            }
            B::Lsub { reference, pattern } => {
                self.list(server, &reference, pattern.as_bytes(), true)?;
                ok("LSUB completed")
            }
            B::Namespace => {
                let personal = Namespace {
                    prefix: AString::from(""),
                    delimiter: Some(imap_store::DELIMITER),
                    extensions: Vec::new(),
                };
                decided(server.send_untagged(&Response::Data(Data::Namespace {
                    personal: Some(vec![personal]),
                    other: None,
                    shared: None,
                })))?;
                ok("NAMESPACE completed")
            }
            B::Status { mailbox, items } => self.status(server, &mailbox, &items)?,
            B::Fetch {
                uid,
                set,
                attributes,
                ..
            } => self.fetch(server, io, uid, &set, &attributes).await?,
            B::Store {
                uid, set, flags, ..
            } => self.store(server, io, uid, &set, &flags).await?,
            B::Search {
                uid,
                returns,
                charset,
                criteria,
            } => self.search(server, uid, returns.is_some(), charset.as_ref(), &criteria)?,
            B::Copy { uid, set, mailbox } => self.copy(server, uid, &set, &mailbox, false)?,
            B::Move { uid, set, mailbox } => self.copy(server, uid, &set, &mailbox, true)?,
            B::Expunge | B::UidExpunge { .. }
                if self.selected.as_ref().is_some_and(|s| s.read_only) =>
            {
                no("The mailbox is read-only")
            }
            B::Expunge => {
                self.expunge(server, None, true)?;
                ok("EXPUNGE completed")
            }
            B::UidExpunge { set } => {
                self.expunge(server, Some(&set), true)?;
                ok("UID EXPUNGE completed")
            }
            B::Close => {
                // RFC 3501 6.4.2: deleted messages go, silently.
                if self.selected.as_ref().is_some_and(|s| !s.read_only) {
                    self.expunge(server, None, false)?;
                }
                self.selected = None;
                ok("CLOSE completed")
            }
            B::Unselect => {
                self.selected = None;
                ok("UNSELECT completed")
            }
            other => no(format!("{} is not supported", other.name())),
        };
        Ok(outcome)
    }

    fn select(
        &mut self,
        server: &mut Server,
        mailbox: &Mailbox<'_>,
        read_only: bool,
    ) -> io::Result<Outcome> {
        // The machine deselected already (RFC 3501 6.3.1).
        self.selected = None;
        let folder = match self.account()?.folder(mailbox) {
            Ok(folder) => folder,
            Err(error) => return Ok(store_failure(&error)),
        };
        let (uids, flags, taken, next) = {
            let mut state = lock(&folder)?;
            let mut taken = state.rescan(!read_only)?;
            if read_only {
                taken = state
                    .messages
                    .iter()
                    .filter(|m| m.in_new())
                    .map(|m| m.uid)
                    .collect();
            }
            let uids: Vec<u32> = state.messages.iter().map(|m| m.uid).collect();
            let first_unseen = state
                .messages
                .iter()
                .position(|m| !m.flags.contains(Flags::SEEN))
                .map(|i| i as u32 + 1);
            let flags: HashMap<u32, Vec<Flag<'static>>> = state
                .messages
                .iter()
                .map(|m| (m.uid, m.imap_flags(false)))
                .collect();
            let keywords = state.defined_keywords();
            (
                uids,
                flags,
                taken,
                (state.uid_validity, state.uid_next, first_unseen, keywords),
            )
        };
        let (validity, next, first_unseen, keywords) = next;
        let recent: HashSet<u32> = taken.into_iter().collect();
        let send = |server: &mut Server, r: Response<'_>| decided(server.send_untagged(&r));
        announce_flags(server, &keywords, read_only)?;
        send(server, Response::Data(Data::Exists(uids.len() as u32)))?;
        send(server, Response::Data(Data::Recent(recent.len() as u32)))?;
        if let Some(seq) = first_unseen {
            send(server, untagged_ok(Code::Unseen(nz(seq)), "First unseen"))?;
        }
        send(
            server,
            untagged_ok(Code::UidValidity(nz(validity)), "UIDs valid"),
        )?;
        send(
            server,
            untagged_ok(Code::UidNext(nz(next)), "Predicted next UID"),
        )?;
        self.selected = Some(Selected {
            folder,
            read_only,
            uids,
            flags,
            keywords,
            recent,
            trees: HashMap::new(),
        });
        Ok(if read_only {
            (
                StatusKind::Ok,
                Some(Code::ReadOnly),
                "EXAMINE completed".into(),
            )
        } else {
            (
                StatusKind::Ok,
                Some(Code::ReadWrite),
                "SELECT completed".into(),
            )
        })
    }

    fn list(
        &mut self,
        server: &mut Server,
        reference: &Mailbox<'_>,
        pattern: &[u8],
        lsub: bool,
    ) -> io::Result<()> {
        let wrap = |data: ListData<'static>| {
            if lsub {
                Data::Lsub(data)
            } else {
                Data::List(data)
            }
        };
        if pattern.is_empty() {
            // RFC 3501 6.3.8: the delimiter and the root of the reference.
            let data = ListData {
                attributes: vec![ListAttribute::NoSelect],
                delimiter: Some(imap_store::DELIMITER),
                mailbox: Mailbox::Other(AString::from("")),
                extended: Vec::new(),
            };
            return decided(server.send_untagged(&Response::Data(wrap(data))));
        }
        let mut full = match reference {
            Mailbox::Inbox => b"INBOX".to_vec(),
            Mailbox::Other(name) => name.as_bytes().to_vec(),
        };
        full.extend_from_slice(pattern);
        let full: Vec<u8> = full
            .iter()
            .map(|&b| if b == b'/' { b'.' } else { b })
            .collect();
        let names = self.account()?.names()?;
        // RFC 3501 6.3.8: with `%` at the end, levels of hierarchy that
        // are no mailbox (Maildir++ keeps `.A.B` without `.A`) are listed
        // too, as \Noselect.
        let mut listed: Vec<(String, bool)> = names.iter().map(|n| (n.clone(), true)).collect();
        if full.ends_with(b"%") {
            for name in &names {
                let mut level = name.as_str();
                while let Some((parent, _)) = level.rsplit_once(imap_store::DELIMITER) {
                    if !listed.iter().any(|(n, _)| n == parent) {
                        listed.push((parent.to_owned(), false));
                    }
                    level = parent;
                }
            }
            listed.sort();
        }
        for (name, selectable) in &listed {
            if !imap_store::list_matches(&full, name.as_bytes()) {
                continue;
            }
            let prefix = format!("{name}.");
            let children = names.iter().any(|n| n.starts_with(&prefix));
            let mut attributes = Vec::new();
            if !selectable {
                attributes.push(ListAttribute::NoSelect);
            }
            attributes.push(if children {
                ListAttribute::HasChildren
            } else {
                ListAttribute::HasNoChildren
            });
            let data = ListData {
                attributes,
                delimiter: Some(imap_store::DELIMITER),
                mailbox: Mailbox::new(AString::from(name.clone())),
                extended: Vec::new(),
            };
            decided(server.send_untagged(&Response::Data(wrap(data))))?;
        }
        Ok(())
    }

    fn status(
        &mut self,
        server: &mut Server,
        mailbox: &Mailbox<'_>,
        items: &[StatusItem],
    ) -> io::Result<Outcome> {
        let folder = match self.account()?.folder(mailbox) {
            Ok(folder) => folder,
            Err(error) => return Ok(store_failure(&error)),
        };
        let mut values = Vec::new();
        {
            let mut state = lock(&folder)?;
            state.rescan(false)?;
            let count = |f: &dyn Fn(&imap_store::Message) -> bool| {
                state.messages.iter().filter(|m| f(m)).count() as u64
            };
            for item in items {
                let value = match item {
                    StatusItem::Messages => state.messages.len() as u64,
                    StatusItem::UidNext => u64::from(state.uid_next),
                    StatusItem::UidValidity => u64::from(state.uid_validity),
                    StatusItem::Unseen => count(&|m| !m.flags.contains(Flags::SEEN)),
                    StatusItem::Deleted => count(&|m| m.flags.contains(Flags::DELETED)),
                    // Not yet seen by any session: still in new/.
                    StatusItem::Recent => count(&|m| m.in_new()),
                    StatusItem::Size => state.messages.iter().map(|m| m.wire_size).sum(),
                    // CONDSTORE is not offered.
                    StatusItem::HighestModSeq => continue,
                };
                values.push((*item, value));
            }
        }
        decided(server.send_untagged(&Response::Data(Data::Status {
            mailbox: mailbox.clone(),
            items: values,
        })))?;
        Ok(ok("STATUS completed"))
    }

    async fn fetch(
        &mut self,
        server: &mut Server,
        io: &mut Io,
        uid: bool,
        set: &SequenceSet<'_>,
        attributes: &FetchAttributes<'_>,
    ) -> io::Result<Outcome> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(no("No mailbox selected"));
        };
        let mut attrs: Vec<FetchAttribute<'static>> = attributes
            .expand()
            .into_iter()
            .map(owned_attribute)
            .collect();
        if attrs.iter().any(|a| {
            matches!(
                a,
                FetchAttribute::Binary { .. }
                    | FetchAttribute::BinarySize { .. }
                    | FetchAttribute::ModSeq
            )
        }) {
            return Ok((
                StatusKind::Bad,
                None,
                "BINARY and MODSEQ are not supported".into(),
            ));
        }
        if uid && !attrs.contains(&FetchAttribute::Uid) {
            // RFC 3501 6.4.8: UID FETCH always returns the UID.
            attrs.insert(0, FetchAttribute::Uid);
        }
        let sets_seen = !sel.read_only
            && attrs.iter().any(|a| {
                matches!(
                    a,
                    FetchAttribute::BodySection { peek: false, .. }
                        | FetchAttribute::Rfc822
                        | FetchAttribute::Rfc822Text
                )
            });
        let needs_file = attrs.iter().any(|a| {
            !matches!(
                a,
                FetchAttribute::Flags
                    | FetchAttribute::Uid
                    | FetchAttribute::Rfc822Size
                    | FetchAttribute::InternalDate
            )
        });
        let needs_tree = attrs.iter().any(|a| match a {
            FetchAttribute::Body | FetchAttribute::BodyStructure => true,
            FetchAttribute::BodySection { section, .. } => !section.part.is_empty(),
            _ => false,
        });
        for (seq, id) in sel.resolve(set, uid) {
            // The file is opened under the lock, so no rename by another
            // session can come between; the open file stays readable.
            let opened = {
                let mut folder = lock(&sel.folder)?;
                if sets_seen {
                    if let Some(m) = folder.get(id) {
                        if !m.flags.contains(Flags::SEEN) {
                            let mut flags = m.flags;
                            flags.insert(Flags::SEEN);
                            folder.set_flags(id, flags)?;
                        }
                    }
                }
                match folder.get(id) {
                    None => None,
                    Some(m) if needs_file => match std::fs::File::open(&m.path) {
                        Ok(file) => Some((m.clone(), Some(file))),
                        // Removed by another Maildir reader: as expunged.
                        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                        Err(e) => return Err(e),
                    },
                    Some(m) => Some((m.clone(), None)),
                }
            };
            // Expunged by another session: nothing to send for it.
            let Some((message, file)) = opened else {
                continue;
            };
            let current = message.imap_flags(false);
            let flags_changed = sel.flags.get(&id) != Some(&current);
            sel.flags.insert(id, current);
            let recent = sel.recent.contains(&id);
            let mut file = file;
            let loaded = match file.as_mut() {
                Some(file) => {
                    let mut loaded = Loaded::from_file(file, &message)?;
                    if needs_tree && !loaded.whole {
                        // A large message's parts, located once per session.
                        if let Some(tree) = sel.trees.get(&id) {
                            loaded.tree = Some(tree.clone());
                        } else {
                            loaded.scan_tree(file)?;
                            if let Some(tree) = &loaded.tree {
                                sel.trees.insert(id, tree.clone());
                            }
                        }
                    }
                    Some(loaded)
                }
                None => None,
            };
            let mut pieces = Vec::new();
            for attr in &attrs {
                pieces.push(piece(attr, &message, recent, loaded.as_ref()));
            }
            if flags_changed && !attrs.contains(&FetchAttribute::Flags) {
                // RFC 3501 6.4.5: a \Seen set by the fetch is reported.
                pieces.push(Piece::Item(FetchItem::Flags(message.imap_flags(recent))));
            }
            send_fetch(server, io, nz(seq), pieces, &message, file).await?;
        }
        Ok(ok(if uid {
            "UID FETCH completed"
        } else {
            "FETCH completed"
        }))
    }

    async fn store(
        &mut self,
        server: &mut Server,
        io: &mut Io,
        uid: bool,
        set: &SequenceSet<'_>,
        change: &StoreFlags<'_>,
    ) -> io::Result<Outcome> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(no("No mailbox selected"));
        };
        if sel.read_only {
            return Ok(no("The mailbox is read-only"));
        }
        let wanted = Flags::from_imap(&change.flags);
        let wanted_keywords = keywords_of(&change.flags);
        for (seq, id) in sel.resolve(set, uid) {
            let (flags, defined) = {
                let mut folder = lock(&sel.folder)?;
                let Some(m) = folder.get(id) else {
                    continue;
                };
                let mut flags = m.flags;
                let mut keywords = m.keywords.clone();
                let named = |k: &String| wanted_keywords.iter().any(|w| w.eq_ignore_ascii_case(k));
                match change.mode {
                    StoreMode::Replace => {
                        flags = wanted;
                        keywords = wanted_keywords.clone();
                    }
                    StoreMode::Add => {
                        flags.insert(wanted);
                        for w in &wanted_keywords {
                            if !keywords.iter().any(|k| k.eq_ignore_ascii_case(w)) {
                                keywords.push(w.clone());
                            }
                        }
                    }
                    StoreMode::Remove => {
                        flags.remove(wanted);
                        keywords.retain(|k| !named(k));
                    }
                }
                if !folder.set_info(id, flags, Some(&keywords))? {
                    continue;
                }
                let flags = folder
                    .get(id)
                    .map(|m| m.imap_flags(false))
                    .unwrap_or_default();
                (flags, folder.defined_keywords())
            };
            if defined != sel.keywords {
                // A new keyword: the client hears of it first (RFC 3501 7.2.6).
                announce_flags(server, &defined, false)?;
                sel.keywords = defined;
            }
            sel.flags.insert(id, flags.clone());
            if !change.silent {
                // One answer per message: the output stays bounded.
                io.room(server).await?;
                let mut flags = flags;
                if sel.recent.contains(&id) {
                    flags.push(Flag::Recent);
                }
                let mut items = vec![FetchItem::Flags(flags)];
                if uid {
                    items.push(FetchItem::Uid(nz(id)));
                }
                decided(server.send_untagged(&Response::Data(Data::Fetch {
                    seq: nz(seq),
                    items,
                })))?;
            }
        }
        Ok(ok(if uid {
            "UID STORE completed"
        } else {
            "STORE completed"
        }))
    }

    fn search(
        &mut self,
        server: &mut Server,
        uid: bool,
        esearch: bool,
        charset: Option<&AString<'_>>,
        criteria: &[SearchKey<'_>],
    ) -> io::Result<Outcome> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(no("No mailbox selected"));
        };
        if esearch {
            return Ok(no("SEARCH RETURN (ESEARCH) is not supported"));
        }
        if let Some(charset) = charset {
            let name = charset.as_bytes();
            if !name.eq_ignore_ascii_case(b"US-ASCII") && !name.eq_ignore_ascii_case(b"UTF-8") {
                return Ok((
                    StatusKind::No,
                    Some(Code::BadCharset(vec![
                        AString::from("US-ASCII"),
                        AString::from("UTF-8"),
                    ])),
                    "Unsupported charset".into(),
                ));
            }
        }
        let messages: Vec<(u32, imap_store::Message)> = {
            let folder = lock(&sel.folder)?;
            sel.uids
                .iter()
                .enumerate()
                .filter_map(|(i, &u)| folder.get(u).map(|m| (i as u32 + 1, m.clone())))
                .collect()
        };
        let scope = Scope {
            exists: sel.uids.len() as u32,
            max_uid: sel.uids.last().copied().unwrap_or(0),
        };
        let mut ids = Vec::new();
        for (seq, message) in &messages {
            let mut candidate = Candidate::new(message, *seq, sel.recent.contains(&message.uid));
            match candidate.matches_all(criteria, &scope) {
                Ok(true) => ids.push(nz(if uid { message.uid } else { *seq })),
                Ok(false) => {}
                // Gone meanwhile (another session expunged it).
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        decided(server.send_untagged(&Response::Data(Data::Search { ids, modseq: None })))?;
        Ok(ok(if uid {
            "UID SEARCH completed"
        } else {
            "SEARCH completed"
        }))
    }

    fn copy(
        &mut self,
        server: &mut Server,
        uid: bool,
        set: &SequenceSet<'_>,
        mailbox: &Mailbox<'_>,
        moving: bool,
    ) -> io::Result<Outcome> {
        let target = match self.account()?.folder(mailbox) {
            Ok(folder) => folder,
            Err(StoreError::NotFound) => {
                return Ok((
                    StatusKind::No,
                    Some(Code::TryCreate),
                    "No such mailbox".into(),
                ));
            }
            Err(error) => return Ok(store_failure(&error)),
        };
        let Some(sel) = self.selected.as_ref() else {
            return Ok(no("No mailbox selected"));
        };
        if moving && sel.read_only {
            return Ok(no("The mailbox is read-only"));
        }
        let messages: Vec<imap_store::Message> = {
            let folder = lock(&sel.folder)?;
            sel.resolve(set, uid)
                .into_iter()
                .filter_map(|(_, u)| folder.get(u).cloned())
                .collect()
        };
        let same = Arc::ptr_eq(&target, &sel.folder);
        let mut sources = Vec::new();
        let mut copies = Vec::new();
        let validity = {
            let mut folder = lock(&target)?;
            for message in &messages {
                copies.push(folder.add_copy(message, message.flags)?);
                sources.push(message.uid);
            }
            folder.uid_validity
        };
        let code = match (uid_set(&sources), uid_set(&copies)) {
            (Some(source), Some(target)) => Some(Code::CopyUid {
                uid_validity: nz(validity),
                source,
                target,
            }),
            _ => None,
        };
        if !moving {
            if same {
                self.sync(server, false).map_err(io::Error::other)?;
            }
            let text = if uid {
                "UID COPY completed"
            } else {
                "COPY completed"
            };
            return Ok((StatusKind::Ok, code, text.into()));
        }
        // RFC 6851 4.3: COPYUID comes untagged before the EXPUNGEs.
        if let Some(code) = code {
            decided(server.send_untagged(&untagged_ok(code, "Moved")))?;
        }
        self.remove(server, &sources, true)?;
        if same {
            self.sync(server, false).map_err(io::Error::other)?;
        }
        Ok(ok(if uid {
            "UID MOVE completed"
        } else {
            "MOVE completed"
        }))
    }

    /// Expunges the selected mailbox's `\Deleted` messages (those in
    /// `only`, a UID set, for UID EXPUNGE), telling the client when
    /// `tell`.
    fn expunge(
        &mut self,
        server: &mut Server,
        only: Option<&SequenceSet<'_>>,
        tell: bool,
    ) -> io::Result<()> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        if sel.read_only {
            return Ok(());
        }
        let max_uid = sel.uids.last().copied().unwrap_or(0);
        let deleted: Vec<u32> = {
            let folder = lock(&sel.folder)?;
            sel.uids
                .iter()
                .copied()
                .filter(|&u| {
                    folder
                        .get(u)
                        .is_some_and(|m| m.flags.contains(Flags::DELETED))
                        && only.is_none_or(|set| set.contains(u, max_uid))
                })
                .collect()
        };
        self.remove(server, &deleted, tell)?;
        if tell {
            self.sync(server, true).map_err(io::Error::other)?;
        }
        Ok(())
    }

    /// Removes messages of the selected mailbox and from the session's
    /// view, sending `EXPUNGE` for each when `tell`.
    fn remove(&mut self, server: &mut Server, uids: &[u32], tell: bool) -> io::Result<()> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(());
        };
        let removed = lock(&sel.folder)?.expunge(uids)?;
        let mut seqs: Vec<usize> = removed.iter().filter_map(|&u| sel.seq_of(u)).collect();
        seqs.sort_unstable();
        // Highest first: each EXPUNGE renumbers only the messages after it.
        for &i in seqs.iter().rev() {
            let uid = sel.uids.remove(i);
            sel.flags.remove(&uid);
            sel.recent.remove(&uid);
            if tell {
                decided(server.send_untagged(&Response::Data(Data::Expunge(nz(i as u32 + 1)))))?;
            }
        }
        Ok(())
    }

    async fn append_start(
        &mut self,
        server: &mut Server,
        id: CommandId,
        mailbox: &Mailbox<'_>,
        flags: &[Flag<'_>],
        date: Option<DateTime>,
    ) -> io::Result<()> {
        if self.appending.as_ref().is_none_or(|a| a.id != id) {
            let folder = match self.account()?.folder(mailbox) {
                Ok(folder) => {
                    let dir = lock(&folder)?.dir().to_path_buf();
                    Ok((folder, dir))
                }
                Err(StoreError::NotFound) => {
                    Err((Some(Code::TryCreate), "No such mailbox".to_owned()))
                }
                Err(error) => Err((None, error.to_string())),
            };
            match folder {
                Ok(folder) => {
                    self.appending = Some(Appending {
                        id,
                        folder: Some(folder),
                        delivery: None,
                        uids: Vec::new(),
                        failed: None,
                    });
                }
                Err((code, text)) => {
                    // A synchronizing literal is refused before it comes;
                    // a non-synchronizing one is read and dropped.
                    if server.reject_append(id, code.clone(), &text).is_ok() {
                        self.appending = None;
                        return Ok(());
                    }
                    self.appending = Some(Appending {
                        id,
                        folder: None,
                        delivery: None,
                        uids: Vec::new(),
                        failed: Some((code, text)),
                    });
                }
            }
        }
        // MULTIAPPEND: the previous message is complete.
        self.commit_append().await;
        if let Some(appending) = self.appending.as_mut() {
            if appending.failed.is_none() {
                if let Some((_, dir)) = &appending.folder {
                    let begun = match Maildir::create(dir.clone()).await {
                        Ok(maildir) => maildir.begin().await,
                        Err(error) => Err(error),
                    };
                    match begun {
                        Ok(delivery) => {
                            appending.delivery =
                                Some((delivery, Flags::from_imap(flags), keywords_of(flags), date));
                        }
                        Err(error) => {
                            eprintln!("imap_server: APPEND: {error}");
                            appending.failed = Some((None, "Cannot store the message".into()));
                        }
                    }
                }
            }
        }
        decided(server.accept_append(id))
    }

    /// Finishes the message being appended: into `new/`, then given its
    /// UID, flags and date.
    async fn commit_append(&mut self) {
        let Some(appending) = self.appending.as_mut() else {
            return;
        };
        let Some((delivery, flags, keywords, date)) = appending.delivery.take() else {
            return;
        };
        let Some((folder, _)) = appending.folder.as_ref() else {
            return;
        };
        let result = match delivery.commit().await {
            Ok(path) => {
                let key = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let time = date.as_ref().map(imap_store::system_time);
                lock(folder).and_then(|mut f| f.take_in(&key, flags, &keywords, time))
            }
            Err(error) => Err(error),
        };
        match result {
            Ok(uid) => appending.uids.push(uid),
            Err(error) => {
                eprintln!("imap_server: APPEND: {error}");
                appending.failed = Some((None, "Cannot store the message".into()));
            }
        }
    }

    async fn append_end(&mut self, server: &mut Server, id: CommandId) -> io::Result<()> {
        self.commit_append().await;
        let Some(appending) = self.appending.take() else {
            return decided(server.complete(id, StatusKind::No, None, "APPEND failed"));
        };
        if let Some((code, text)) = appending.failed {
            return decided(server.complete(id, StatusKind::No, code, &text));
        }
        let validity = match &appending.folder {
            Some((folder, _)) => lock(folder)?.uid_validity,
            None => 0,
        };
        let code = uid_set(&appending.uids).map(|uids| Code::AppendUid {
            uid_validity: nz(validity),
            uids,
        });
        // The selected mailbox got a message: EXISTS now.
        let same = match (&appending.folder, &self.selected) {
            (Some((folder, _)), Some(sel)) => Arc::ptr_eq(folder, &sel.folder),
            _ => false,
        };
        if same {
            self.sync(server, false).map_err(io::Error::other)?;
        }
        decided(server.complete(id, StatusKind::Ok, code, "APPEND completed"))
    }
}

/// An attribute with owned data.
fn owned_attribute(attr: FetchAttribute<'_>) -> FetchAttribute<'static> {
    use mailwire_imap::types::{Section, SectionText};
    let owned_names =
        |names: Vec<AString<'_>>| names.into_iter().map(AString::into_owned).collect();
    match attr {
        FetchAttribute::BodySection {
            peek,
            section,
            partial,
        } => FetchAttribute::BodySection {
            peek,
            section: Section {
                part: section.part,
                text: section.text.map(|t| match t {
                    SectionText::Header => SectionText::Header,
                    SectionText::Text => SectionText::Text,
                    SectionText::Mime => SectionText::Mime,
                    SectionText::HeaderFields(n) => SectionText::HeaderFields(owned_names(n)),
                    SectionText::HeaderFieldsNot(n) => SectionText::HeaderFieldsNot(owned_names(n)),
                }),
            },
            partial,
        },
        FetchAttribute::Envelope => FetchAttribute::Envelope,
        FetchAttribute::Flags => FetchAttribute::Flags,
        FetchAttribute::InternalDate => FetchAttribute::InternalDate,
        FetchAttribute::Rfc822 => FetchAttribute::Rfc822,
        FetchAttribute::Rfc822Header => FetchAttribute::Rfc822Header,
        FetchAttribute::Rfc822Size => FetchAttribute::Rfc822Size,
        FetchAttribute::Rfc822Text => FetchAttribute::Rfc822Text,
        FetchAttribute::Body => FetchAttribute::Body,
        FetchAttribute::BodyStructure => FetchAttribute::BodyStructure,
        FetchAttribute::Uid => FetchAttribute::Uid,
        FetchAttribute::ModSeq => FetchAttribute::ModSeq,
        FetchAttribute::Binary {
            peek,
            part,
            partial,
        } => FetchAttribute::Binary {
            peek,
            part,
            partial,
        },
        FetchAttribute::BinarySize { part } => FetchAttribute::BinarySize { part },
    }
}

/// One FETCH item of a message.
fn piece(
    attr: &FetchAttribute<'static>,
    message: &imap_store::Message,
    recent: bool,
    loaded: Option<&Loaded>,
) -> Piece {
    use mailwire_imap::types::{Section, SectionText};
    let section_of = |section: &Section<'_>| {
        loaded.map_or(Body::Bytes(Vec::new()), |l| {
            imap_store::section_body(l, section)
        })
    };
    let text = |t: SectionText<'static>| Section {
        part: Vec::new(),
        text: Some(t),
    };
    match attr {
        FetchAttribute::Flags => Piece::Item(FetchItem::Flags(message.imap_flags(recent))),
        FetchAttribute::Uid => Piece::Item(FetchItem::Uid(nz(message.uid))),
        FetchAttribute::Rfc822Size => Piece::Item(FetchItem::Rfc822Size(message.wire_size)),
        FetchAttribute::InternalDate => Piece::Item(FetchItem::InternalDate(
            imap_store::internal_date(message.mtime),
        )),
        FetchAttribute::Envelope => Piece::Item(FetchItem::Envelope(Box::new(
            loaded.map_or_else(Default::default, |l| {
                imap_store::envelope(l.head().header())
            }),
        ))),
        FetchAttribute::Body | FetchAttribute::BodyStructure => {
            let ext = *attr == FetchAttribute::BodyStructure;
            let structure = loaded.map_or_else(
                || mailwire_imap::types::BodyStructure::Single {
                    part: mailwire_imap::types::SinglePart::new(
                        "TEXT",
                        "PLAIN",
                        "7BIT",
                        0,
                        mailwire_imap::types::SinglePartKind::Text { lines: 0 },
                    ),
                    ext: None,
                },
                |l| imap_store::body_structure(l, ext),
            );
            if ext {
                Piece::Item(FetchItem::BodyStructure(Box::new(structure)))
            } else {
                Piece::Item(FetchItem::Body(Box::new(structure)))
            }
        }
        FetchAttribute::BodySection {
            section, partial, ..
        } => {
            let body = section_of(section);
            let (origin, body) = match partial {
                Some((offset, count)) => (Some(*offset), body.partial(*offset, count.get())),
                None => (None, body),
            };
            Piece::Stream(
                StreamedItem::BodySection {
                    section: section.clone(),
                    origin,
                },
                body,
            )
        }
        FetchAttribute::Rfc822 => {
            Piece::Stream(StreamedItem::Rfc822, section_of(&Section::default()))
        }
        FetchAttribute::Rfc822Header => Piece::Stream(
            StreamedItem::Rfc822Header,
            section_of(&text(SectionText::Header)),
        ),
        FetchAttribute::Rfc822Text => Piece::Stream(
            StreamedItem::Rfc822Text,
            section_of(&text(SectionText::Text)),
        ),
        // Refused before any message (see `fetch`).
        FetchAttribute::Binary { .. }
        | FetchAttribute::BinarySize { .. }
        | FetchAttribute::ModSeq => Piece::Item(FetchItem::Uid(nz(message.uid))),
    }
}

/// Writes one message's FETCH response, streaming its literals in
/// chunks (file ranges read as the socket takes them).
async fn send_fetch(
    server: &mut Server,
    io: &mut Io,
    seq: NonZeroU32,
    pieces: Vec<Piece>,
    message: &imap_store::Message,
    file: Option<std::fs::File>,
) -> io::Result<()> {
    // Each message's response waits for room: the output stays bounded
    // however many messages the set names.
    io.room(server).await?;
    if pieces.iter().all(|p| matches!(p, Piece::Item(_))) {
        let items = pieces
            .into_iter()
            .filter_map(|p| match p {
                Piece::Item(item) => Some(item),
                Piece::Stream(..) => None,
            })
            .collect();
        return decided(server.send_untagged(&Response::Data(Data::Fetch { seq, items })));
    }
    let mut file = file.map(tokio::fs::File::from_std);
    let mut items: Vec<FetchItem<'static>> = Vec::new();
    let mut writer: Option<FetchLiteralWriter> = None;
    for piece in pieces {
        match piece {
            Piece::Item(item) => items.push(item),
            Piece::Stream(item, body) => {
                io.room(server).await?;
                let size = body.len();
                let mut w = match writer.take() {
                    None => server
                        .fetch_begin(seq, &items, &item, size)
                        .map_err(|e| io::Error::other(e.to_string()))?,
                    Some(w) => {
                        let mut bytes = Vec::new();
                        let w = w
                            .next(&items, &item, size, &mut bytes)
                            .map_err(io::Error::other)?;
                        decided(server.send_raw(&bytes))?;
                        w
                    }
                };
                items.clear();
                match body {
                    Body::Bytes(bytes) => {
                        for chunk in bytes.chunks(CHUNK) {
                            io.room(server).await?;
                            chunk_out(server, &mut w, chunk)?;
                        }
                    }
                    Body::Range { start, len } => {
                        let file = file
                            .as_mut()
                            .ok_or_else(|| io::Error::other("no message file"))?;
                        stream_range(server, io, &mut w, file, message.is_clean(), start, len)
                            .await?;
                    }
                }
                writer = Some(w);
            }
        }
    }
    if let Some(w) = writer {
        decided(server.fetch_finish(w, &items))?;
    }
    Ok(())
}

/// Passes literal octets on; a NUL (which IMAP text cannot carry outside
/// BINARY) is sent as a space.
fn chunk_out(server: &mut Server, w: &mut FetchLiteralWriter, chunk: &[u8]) -> io::Result<()> {
    if chunk.contains(&0) {
        let clean: Vec<u8> = chunk
            .iter()
            .map(|&b| if b == 0 { b' ' } else { b })
            .collect();
        return decided(server.fetch_chunk(w, &clean));
    }
    decided(server.fetch_chunk(w, chunk))
}

/// Streams `len` wire octets from wire offset `start` of the message file.
async fn stream_range(
    server: &mut Server,
    io: &mut Io,
    w: &mut FetchLiteralWriter,
    file: &mut tokio::fs::File,
    clean: bool,
    start: u64,
    len: u64,
) -> io::Result<()> {
    let mut buf = vec![0; CHUNK];
    let mut left = len;
    if clean {
        // The file is its wire form: wire offsets are file offsets.
        file.seek(io::SeekFrom::Start(start)).await?;
        while left > 0 {
            let want = CHUNK.min(usize::try_from(left).unwrap_or(CHUNK));
            let n = file.read(&mut buf[..want]).await?;
            if n == 0 {
                break;
            }
            io.room(server).await?;
            chunk_out(server, w, &buf[..n])?;
            left -= n as u64;
        }
    } else {
        file.seek(io::SeekFrom::Start(0)).await?;
        let mut conv = WireConverter::default();
        let mut skip = start;
        let mut out = Vec::with_capacity(2 * CHUNK);
        while left > 0 {
            let n = file.read(&mut buf).await?;
            out.clear();
            if n == 0 {
                conv.finish(&mut out);
            } else {
                conv.feed(&buf[..n], &mut out);
            }
            let skipped = usize::try_from(skip).unwrap_or(usize::MAX).min(out.len());
            skip -= skipped as u64;
            let data = &out[skipped..];
            let take = usize::try_from(left).unwrap_or(usize::MAX).min(data.len());
            if take > 0 {
                io.room(server).await?;
                chunk_out(server, w, &data[..take])?;
                left -= take as u64;
            }
            if n == 0 {
                break;
            }
        }
    }
    if left > 0 {
        return Err(io::Error::other("a message file shrank while it was sent"));
    }
    Ok(())
}
