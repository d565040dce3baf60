//! The tokio loop around `mailwire_pop3::server::Server` shared by the
//! `pop3_server` and `pop3_exchange` examples: accept connections, move
//! bytes between the socket and the state machine, and make the
//! application's decisions (check passwords, list a Maildir as the
//! maildrop, stream messages from their files, remove the deleted ones).
//!
//! The protocol (states, sequencing, pipelining, dot-stuffing, `TOP`,
//! STLS injection defence, SASL, limits, timeouts) is all in the state
//! machine; this file is only I/O and policy.

#![allow(dead_code)] // each example uses its own part

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::{Buf, BytesMut};
use mailwire_core::sasl::Credentials;
use mailwire_pop3::server::{
    Event, Maildrop, Mechanism, MessageInfo, Retrieve, Server, ServerConfig,
};
use mailwire_pop3::types::{Response, ResponseCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::either::Either;

use crate::accept;
pub(crate) use crate::maildir::Layout;
use crate::maildir::{Maildir, StoredMessage};
use crate::tls;

/// How much of a message file is read and passed on at a time.
const CHUNK: usize = 64 * 1024;

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
    /// Where each user's Maildir lies under `maildir`.
    pub(crate) layout: Layout,
}

impl Options {
    /// Reads `--listen ADDR --maildir DIR --user NAME:PASS [--user ...]
    /// [--hostname NAME] [--no-tls] [--require-tls] [--verbose]`.
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

    /// The Maildir of `user`: with [`Layout::Auto`], `DIR` itself when
    /// there is one account, `DIR/NAME` when there are several; with
    /// [`Layout::PerUser`], `DIR/NAME/SUB` always.
    pub(crate) fn maildir_of(&self, user: &str) -> PathBuf {
        self.layout
            .maildir_of(&self.maildir, self.users.len(), user)
    }

    /// The state machine's configuration for these options.
    pub(crate) fn server_config(&self) -> ServerConfig {
        let mut config = ServerConfig::new(self.hostname.clone());
        config.apop = true;
        config.sasl = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
        config.stls = self.tls;
        // Passwords in the clear only when asked for: by default this is an
        // example for loopback tests, where the clients use USER/PASS.
        config.plaintext_needs_tls = self.require_tls;
        config.implementation = Some("mailwire pop3_server example".into());
        config
    }
}

/// Everything a connection needs, shared by all of them.
struct Shared {
    config: Arc<ServerConfig>,
    options: Options,
    acceptor: Option<TlsAcceptor>,
    /// Maildrops in a session now (RFC 1939 section 8: exclusive access).
    locked: Mutex<HashSet<String>>,
}

/// Serves connections from `listener` until it fails, with a new
/// self-signed certificate for STLS.
pub(crate) async fn serve(listener: TcpListener, options: Options) -> io::Result<()> {
    serve_with_certificate(listener, options, tls::SelfSigned::generate()?).await
}

/// Serves connections from `listener` until it fails, with `certificate`
/// for STLS (when `options.tls`).
pub(crate) async fn serve_with_certificate(
    listener: TcpListener,
    options: Options,
    certificate: tls::SelfSigned,
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
        locked: Mutex::new(HashSet::new()),
    });
    accept::serve_connections(
        listener,
        "pop3_server",
        shared.options.verbose,
        move |stream, peer| {
            let shared = Arc::clone(&shared);
            async move { session(stream, peer, &shared).await }
        },
    )
    .await
}

/// A connection, in plain text or after `STLS`.
type Conn = Either<TcpStream, tokio_rustls::server::TlsStream<TcpStream>>;

/// Per-session application state.
struct Session<'s> {
    shared: &'s Shared,
    peer: SocketAddr,
    /// The user whose maildrop is locked, once logged in.
    user: Option<String>,
    /// The maildrop's messages, numbered from 1 in this order.
    messages: Vec<StoredMessage>,
    /// The message being sent.
    sending: Option<tokio::fs::File>,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let Some(user) = self.user.take() {
            if let Ok(mut locked) = self.shared.locked.lock() {
                locked.remove(&user);
            }
        }
    }
}

/// Runs one POP3 session on `stream`.
async fn session(stream: TcpStream, peer: SocketAddr, shared: &Shared) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut conn: Conn = Either::Left(stream);
    let mut server = Server::new(Arc::clone(&shared.config), Instant::now());
    // The APOP timestamp and CRAM-MD5 challenge: unpredictable per session.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    server
        .set_nonce(format!("{}.{}", std::process::id(), now.as_nanos()))
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut app = Session {
        shared,
        peer,
        user: None,
        messages: Vec::new(),
        sending: None,
    };
    let mut input = BytesMut::with_capacity(4096);
    let mut output = BytesMut::with_capacity(CHUNK + 1024);
    let mut chunk = vec![0; CHUNK];
    let timer = tokio::time::sleep_until(tokio::time::Instant::now());
    tokio::pin!(timer);
    let mut armed: Option<Instant> = None;
    // Set by `Event::StartTls`; the handshake starts once the +OK is out.
    let mut start_tls = false;
    loop {
        while let Some(event) = server.poll_event() {
            start_tls |= app.handle(&mut server, event).await?;
        }
        if server.poll_output(&mut output) > 0 {
            conn.write_all(&output).await?;
            output.clear();
            continue;
        }
        // A message streams from its file as fast as the socket takes it.
        if app.send_more(&mut server, &mut chunk).await? {
            continue;
        }
        if start_tls {
            start_tls = false;
            conn = upgrade(conn, shared).await?;
            // Bytes sent in plain text after STLS were discarded by the
            // machine; those still in our buffer go too.
            input.clear();
            server
                .tls_established()
                .map_err(|e| io::Error::other(e.to_string()))?;
            continue;
        }
        if server.is_closed() {
            conn.shutdown().await.ok();
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
        input.reserve(1024);
        tokio::select! {
            read = conn.read_buf(&mut input) => {
                if read? == 0 {
                    // A dropped connection: nothing is deleted (RFC 1939
                    // section 6: only QUIT enters the UPDATE state).
                    return Ok(());
                }
                let taken = server.handle_input(Instant::now(), &input);
                input.advance(taken);
            }
            () = &mut timer, if armed.is_some() => {
                armed = None;
                server.handle_timeout(Instant::now());
            }
        }
    }
}

/// Runs the TLS handshake on a plain connection.
async fn upgrade(conn: Conn, shared: &Shared) -> io::Result<Conn> {
    let (Either::Left(tcp), Some(acceptor)) = (conn, &shared.acceptor) else {
        return Err(io::Error::other("STLS on a TLS connection or without TLS"));
    };
    Ok(Either::Right(acceptor.accept(tcp).await?))
}

impl Session<'_> {
    /// Acts on one event; returns whether to start TLS now.
    async fn handle(&mut self, server: &mut Server, event: Event) -> io::Result<bool> {
        let decided = match event {
            Event::Login(login) => {
                let ok = self.password_of(&login.user) == Some(login.password.expose());
                self.login(server, &login.user, ok).await?
            }
            Event::Apop(apop) => {
                let ok = self
                    .password_of(&apop.user)
                    .is_some_and(|pass| apop.verify(pass));
                self.login(server, &apop.user, ok).await?
            }
            Event::Auth(request) => {
                let (user, ok) = self.check(&request.credentials);
                self.login(server, &user, ok).await?
            }
            Event::Retrieve(retrieve) => self.start_sending(server, &retrieve).await,
            Event::Update(update) => {
                let mut failed = 0;
                for index in update.indices() {
                    if let Some(message) = self.messages.get(index) {
                        if let Err(error) = message.remove().await {
                            eprintln!("pop3_server: cannot remove {}: {error}", message.name);
                            failed += 1;
                        }
                    }
                }
                if self.shared.options.verbose {
                    eprintln!(
                        "pop3_server: {}: {} message(s) deleted",
                        self.peer,
                        update.deleted.len() - failed
                    );
                }
                if failed == 0 {
                    server.update_done()
                } else {
                    server.update_failed()
                }
            }
            Event::StartTls => return Ok(true),
            Event::ProtocolError(error) => {
                if self.shared.options.verbose {
                    eprintln!("pop3_server: {}: {error}", self.peer);
                }
                Ok(())
            }
            _ => Ok(()),
        };
        decided.map_err(|e| io::Error::other(e.to_string()))?;
        Ok(false)
    }

    fn password_of(&self, user: &str) -> Option<&str> {
        self.shared
            .options
            .users
            .iter()
            .find(|(name, _)| name == user)
            .map(|(_, pass)| pass.as_str())
    }

    /// The user the credentials name, and whether they are right.
    fn check(&self, credentials: &Credentials) -> (String, bool) {
        match credentials {
            Credentials::Password {
                username, password, ..
            } => (
                username.clone(),
                self.password_of(username) == Some(password.expose()),
            ),
            Credentials::CramMd5(response) => (
                response.username().to_owned(),
                self.password_of(response.username())
                    .is_some_and(|pass| response.verify(pass.as_bytes())),
            ),
            _ => (String::new(), false),
        }
    }

    /// Accepts a login with the right password whose maildrop is free and
    /// readable; refuses it otherwise, with the code that says why.
    async fn login(
        &mut self,
        server: &mut Server,
        user: &str,
        password_ok: bool,
    ) -> io::Result<Result<(), mailwire_pop3::server::DecisionError>> {
        if !password_ok {
            return Ok(server.reject_login(Response::err_with(
                ResponseCode::Auth,
                "invalid user name or password",
            )));
        }
        let newly_locked = self
            .shared
            .locked
            .lock()
            .map_err(|_| io::Error::other("lock poisoned"))?
            .insert(user.to_owned());
        if !newly_locked {
            return Ok(server.reject_login(Response::err_with(
                ResponseCode::InUse,
                "maildrop already in use",
            )));
        }
        self.user = Some(user.to_owned());
        let listed = match Maildir::create(self.shared.options.maildir_of(user)).await {
            Ok(maildir) => maildir.messages().await,
            Err(error) => Err(error),
        };
        let messages = match listed {
            Ok(messages) => messages,
            Err(error) => {
                eprintln!("pop3_server: cannot read the maildrop of {user}: {error}");
                return Ok(server.reject_login(Response::err_with(
                    ResponseCode::SysTemp,
                    "maildrop unavailable",
                )));
            }
        };
        let infos: Result<Vec<_>, _> = messages
            .iter()
            .map(|m| MessageInfo::new(m.wire_size, m.unique_id.clone()))
            .collect();
        let maildrop = infos
            .and_then(Maildrop::new)
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.messages = messages;
        Ok(server.accept_login(maildrop))
    }

    /// Opens the file of a `RETR` or `TOP`; the chunks follow in
    /// [`send_more`](Self::send_more).
    async fn start_sending(
        &mut self,
        server: &mut Server,
        retrieve: &Retrieve,
    ) -> Result<(), mailwire_pop3::server::DecisionError> {
        let opened = match self.messages.get(retrieve.index()) {
            Some(message) => tokio::fs::File::open(&message.path).await,
            None => Err(io::Error::other("no such message")),
        };
        match opened {
            Ok(file) => {
                self.sending = Some(file);
                Ok(())
            }
            Err(error) => {
                eprintln!("pop3_server: cannot open message {}: {error}", retrieve.msg);
                server.reject_retrieve(Response::err_with(
                    ResponseCode::SysTemp,
                    "message unavailable",
                ))
            }
        }
    }

    /// Passes the next piece of the message being sent, or ends it;
    /// returns whether it did either.
    async fn send_more(&mut self, server: &mut Server, chunk: &mut [u8]) -> io::Result<bool> {
        let Some(file) = self.sending.as_mut() else {
            return Ok(false);
        };
        let decided = if server.message_cut() {
            // `TOP` has its lines: the rest of the file is not needed.
            self.sending = None;
            server.end_message()
        } else if server.wants_message_data() {
            match file.read(chunk).await {
                Ok(0) => {
                    self.sending = None;
                    server.end_message()
                }
                Ok(n) => server.send_message(&chunk[..n]),
                Err(error) => {
                    eprintln!("pop3_server: cannot read a message: {error}");
                    self.sending = None;
                    server.reject_retrieve(Response::err_with(
                        ResponseCode::SysTemp,
                        "message unavailable",
                    ))
                }
            }
        } else {
            return Ok(false);
        };
        decided.map_err(|e| io::Error::other(e.to_string()))?;
        Ok(true)
    }
}
