//! The tokio loop around `mailwire_smtp::server::Server` shared by the
//! `smtp_server` and `smtp_exchange` examples: accept connections, move
//! bytes between the socket and the state machine, and make the
//! application's decisions (accept every sender and recipient, check
//! passwords, store messages in a Maildir, hand them to a spool such as
//! the relay queue, or drop them). For demonstrations it can also turn
//! the first connections away with `421` and refuse chosen recipients.
//!
//! The protocol itself (sequencing, pipelining checks, dot-unstuffing,
//! STARTTLS injection defence, SASL, limits, timeouts) is all in the state
//! machine; this file is only I/O and policy.

#![allow(dead_code)] // each example uses its own part

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::{Buf, BytesMut};
use mailwire_message::date::DateTime;
use mailwire_smtp::sasl::Credentials;
use mailwire_smtp::server::{Event, Server, ServerConfig};
use mailwire_smtp::types::{EnhancedStatus, Mechanism, Reply, ReplyCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::either::Either;

use crate::accept;
use crate::maildir::{Delivery, Maildir};
use crate::tls;

/// Where accepted messages go.
#[derive(Debug, Clone)]
pub(crate) enum Store {
    /// Streamed into a Maildir.
    Maildir(PathBuf),
    /// Read and dropped (as Postfix's `smtp-sink`).
    Sink,
    /// Streamed into the application's spool: a relay queue, say
    /// (`relay_spool.rs`). The message gets a `Received` field but no
    /// `Return-Path`, which only the final delivery adds (RFC 5321
    /// section 4.4). Every recipient is accepted, so give `users`: then
    /// only authenticated clients can relay.
    Spool(Arc<dyn Spool>),
}

/// A future in a box, so [`Spool`] can be a trait object.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Takes messages the server accepts, streamed chunk by chunk.
pub(crate) trait Spool: Send + Sync + std::fmt::Debug {
    /// Starts a message from `from` (`<a@example.org>`, or `<>`) for `to`
    /// (`<b@example.net>` each).
    fn begin<'a>(
        &'a self,
        from: &'a str,
        to: &'a [String],
    ) -> BoxFuture<'a, io::Result<Box<dyn SpoolWriter>>>;

    /// Decides on a recipient (`<b@example.net>`) as its `RCPT` arrives:
    /// `Err(reply)` refuses it with that reply (a `550 5.1.1` for an
    /// unknown local user, a `550 5.7.1` where relaying is denied). The
    /// default takes every recipient.
    fn check_recipient(&self, address: &str) -> Result<(), Reply<'static>> {
        let _ = address;
        Ok(())
    }

    /// Decides on the sender (`<a@example.org>`, or `<>`) as its `MAIL`
    /// arrives, knowing who logged in (`None`: nobody did). `Err(reply)`
    /// refuses it with that reply: a submission server lets a user send
    /// only as themselves (RFC 6409 section 6.1). The default takes any.
    fn check_sender(&self, address: &str, user: Option<&str>) -> Result<(), Reply<'static>> {
        let _ = (address, user);
        Ok(())
    }
}

/// One message going into a [`Spool`]; dropping it gives the message up.
pub(crate) trait SpoolWriter: Send {
    /// Appends `chunk` to the message.
    fn write_chunk<'a>(&'a mut self, chunk: &'a [u8]) -> BoxFuture<'a, io::Result<()>>;

    /// Makes the message durable; the server answers `250` only after
    /// this returned `Ok`. Returns a name for the log (a queue id).
    fn commit(self: Box<Self>) -> BoxFuture<'static, io::Result<String>>;
}

/// The server's settings, from the command line.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) listen: SocketAddr,
    pub(crate) store: Store,
    pub(crate) users: Vec<(String, String)>,
    pub(crate) hostname: String,
    pub(crate) tls: bool,
    pub(crate) max_size: u64,
    pub(crate) verbose: bool,
    /// The first this many connections get `421 4.3.2` as their greeting
    /// and are closed (RFC 5321 section 3.1): a destination that is busy
    /// at first, for showing a relay's retries. 0: never busy.
    pub(crate) busy_connections: usize,
    /// Recipients refused with `550 5.1.1` (compared without regard to
    /// case), for showing bounces; every other recipient is accepted.
    pub(crate) reject_recipients: Vec<String>,
}

impl Options {
    /// Reads `--listen ADDR [--maildir DIR | --sink] [--user NAME:PASS ...]
    /// [--hostname NAME] [--no-tls] [--max-size BYTES] [--verbose]
    /// [--busy N] [--reject-rcpt ADDR ...]`.
    pub(crate) fn from_args(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut listen = None;
        let mut store = None;
        let mut options = Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            store: Store::Sink,
            users: Vec::new(),
            hostname: "localhost".into(),
            tls: true,
            max_size: 64 << 20,
            verbose: false,
            busy_connections: 0,
            reject_recipients: Vec::new(),
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--listen" => {
                    let text = value("--listen")?;
                    listen = Some(text.parse().map_err(|e| format!("--listen {text}: {e}"))?);
                }
                "--maildir" => store = Some(Store::Maildir(value("--maildir")?.into())),
                "--sink" => store = Some(Store::Sink),
                "--user" => {
                    let text = value("--user")?;
                    let (name, pass) = text
                        .split_once(':')
                        .ok_or(format!("--user {text}: expected NAME:PASS"))?;
                    options.users.push((name.into(), pass.into()));
                }
                "--hostname" => options.hostname = value("--hostname")?,
                "--no-tls" => options.tls = false,
                "--max-size" => {
                    let text = value("--max-size")?;
                    options.max_size = text
                        .parse()
                        .map_err(|e| format!("--max-size {text}: {e}"))?;
                }
                "--verbose" => options.verbose = true,
                "--busy" => {
                    let text = value("--busy")?;
                    options.busy_connections =
                        text.parse().map_err(|e| format!("--busy {text}: {e}"))?;
                }
                "--reject-rcpt" => options.reject_recipients.push(value("--reject-rcpt")?),
                other => return Err(format!("unknown option {other}")),
            }
        }
        options.listen = listen.ok_or("--listen ADDR is required")?;
        options.store = store.ok_or("--maildir DIR or --sink is required")?;
        Ok(options)
    }

    /// The state machine's configuration for these options.
    pub(crate) fn server_config(&self) -> ServerConfig {
        let mut config = ServerConfig::new(self.hostname.clone());
        config.limits.max_message_size = self.max_size;
        config.extensions.starttls = self.tls;
        config.extensions.dsn = true;
        config.extensions.enhanced_status_codes = true;
        if !self.users.is_empty() {
            config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
            config.auth_required = true;
            // Without TLS on offer, passwords may go in the clear: this is
            // an example for loopback tests.
            config.auth_requires_tls = self.tls;
        }
        config
    }
}

/// Everything a connection needs, shared by all of them.
struct Shared {
    config: Arc<ServerConfig>,
    options: Options,
    maildir: Option<Maildir>,
    acceptor: Option<TlsAcceptor>,
    /// How many more connections are turned away with `421`.
    busy_left: AtomicUsize,
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
    let maildir = match &options.store {
        Store::Maildir(dir) => Some(Maildir::create(dir.clone()).await?),
        Store::Sink | Store::Spool(_) => None,
    };
    let acceptor = if options.tls {
        Some(certificate.acceptor()?)
    } else {
        None
    };
    let shared = Arc::new(Shared {
        config: Arc::new(options.server_config()),
        maildir,
        acceptor,
        busy_left: AtomicUsize::new(options.busy_connections),
        options,
    });
    accept::serve_connections(
        listener,
        "smtp_server",
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

/// Per-session application state.
struct Session<'s> {
    shared: &'s Shared,
    peer: SocketAddr,
    helo: String,
    sender: String,
    recipients: Vec<String>,
    delivery: Option<Delivery>,
    /// The message going into a [`Store::Spool`].
    spooled: Option<Box<dyn SpoolWriter>>,
    /// Why the spool could not take the message (answered at its end).
    spool_error: Option<io::Error>,
    /// The account that logged in with `AUTH`.
    user: Option<String>,
}

/// Whether to turn this connection away, counting it if so.
fn take_busy(shared: &Shared) -> bool {
    shared
        .busy_left
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// Answers a connection with a `421` greeting and closes it. Written here,
/// not by the state machine: `Server::new` has already queued its `220`.
async fn turn_away(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    let line = format!(
        "421 4.3.2 {} Service temporarily unavailable, try again later\r\n",
        shared.options.hostname
    );
    stream.write_all(line.as_bytes()).await?;
    stream.shutdown().await
}

/// Runs one SMTP session on `stream`.
async fn session(stream: TcpStream, peer: SocketAddr, shared: &Shared) -> io::Result<()> {
    if take_busy(shared) {
        if shared.options.verbose {
            eprintln!("smtp_server: {peer}: busy, answered 421");
        }
        return turn_away(stream, shared).await;
    }
    let _ = stream.set_nodelay(true);
    let mut conn: Conn = Either::Left(stream);
    let mut server = Server::new(Arc::clone(&shared.config), Instant::now());
    if shared.config.auth_mechanisms.contains(&Mechanism::CramMd5) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        server.set_cram_md5_nonce(format!("{}.{}", std::process::id(), now.as_nanos()));
    }
    let mut app = Session {
        shared,
        peer,
        helo: String::new(),
        sender: String::new(),
        recipients: Vec::new(),
        delivery: None,
        spooled: None,
        spool_error: None,
        user: None,
    };
    // Small at first (most sessions are short); grown while a message
    // streams in.
    let mut input = BytesMut::with_capacity(4096);
    let mut output = BytesMut::with_capacity(1024);
    // One timer for the session, moved when the machine's deadline moves
    // (registering a new one per read costs more than the protocol work).
    let timer = tokio::time::sleep_until(tokio::time::Instant::now());
    tokio::pin!(timer);
    let mut armed: Option<Instant> = None;
    // Set by `Event::StartTls`; the handshake starts once the 220 is out.
    let mut start_tls = false;
    loop {
        // Events first: they may hold back input until decided.
        while let Some(event) = server.poll_event() {
            start_tls |= app.handle(&mut server, event).await?;
        }
        if server.poll_output(&mut output) > 0 {
            conn.write_all(&output).await?;
            output.clear();
            continue;
        }
        if start_tls {
            start_tls = false;
            conn = upgrade(conn, shared).await?;
            // Bytes sent in plain text after STARTTLS were discarded by
            // the machine; those still in our buffer go too.
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
        // Hand over buffered input first; read only when the machine took
        // all of it (back-pressure keeps both buffers bounded).
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
        if input.capacity() - input.len() < 1024 {
            input.reserve(if input.capacity() < 64 * 1024 {
                16 * 1024
            } else {
                64 * 1024
            });
        }
        tokio::select! {
            read = conn.read_buf(&mut input) => {
                if read? == 0 {
                    app.abort().await;
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
        return Err(io::Error::other(
            "STARTTLS on a TLS connection or without TLS",
        ));
    };
    Ok(Either::Right(acceptor.accept(tcp).await?))
}

impl Session<'_> {
    /// Acts on one event; returns whether to start TLS now.
    async fn handle(&mut self, server: &mut Server, event: Event) -> io::Result<bool> {
        let decided = match event {
            // The envelope is kept only for the trace fields of a stored
            // message (or the log); a sink needs none of it.
            Event::Hello(hello) => {
                if self.keeps_envelope() {
                    self.helo = hello.client().as_str().to_owned();
                }
                Ok(())
            }
            Event::Mail(mail) => {
                if let Store::Spool(spool) = &self.shared.options.store {
                    let from = mail.reverse_path().to_string();
                    if let Err(reply) = spool.check_sender(&from, self.user.as_deref()) {
                        return server
                            .reject_sender(reply)
                            .map(|()| false)
                            .map_err(|e| io::Error::other(e.to_string()));
                    }
                }
                if self.keeps_envelope() {
                    self.sender = mail.reverse_path().to_string();
                    self.recipients.clear();
                }
                server.accept_sender()
            }
            Event::Recipient(rcpt) => {
                let address = rcpt.forward_path().to_string();
                if self.refuses(&address) {
                    return server
                        .reject_recipient(Reply::new(
                            ReplyCode::MAILBOX_UNAVAILABLE,
                            Some(EnhancedStatus::BAD_DESTINATION),
                            "No such user here",
                        ))
                        .map(|()| false)
                        .map_err(|e| io::Error::other(e.to_string()));
                }
                if let Store::Spool(spool) = &self.shared.options.store {
                    if let Err(reply) = spool.check_recipient(&address) {
                        return server
                            .reject_recipient(reply)
                            .map(|()| false)
                            .map_err(|e| io::Error::other(e.to_string()));
                    }
                }
                if self.keeps_envelope() {
                    self.recipients.push(address);
                }
                server.accept_recipient()
            }
            Event::Data(chunk) => {
                let shared = self.shared;
                if let Store::Spool(spool) = &shared.options.store {
                    self.spool_chunk(spool, &chunk).await;
                }
                if let Some(maildir) = &self.shared.maildir {
                    if self.delivery.is_none() {
                        let mut delivery = maildir.begin().await?;
                        delivery.write_chunk(self.trace_fields().as_bytes()).await?;
                        self.delivery = Some(delivery);
                    }
                    if let Some(delivery) = &mut self.delivery {
                        delivery.write_chunk(&chunk).await?;
                    }
                }
                Ok(())
            }
            Event::MessageEnd(end) => {
                let shared = self.shared;
                if let Store::Spool(spool) = &shared.options.store {
                    let spooled = self.finish_spool(spool).await;
                    return self.answer_spooled(server, spooled, end.size);
                }
                let stored = match (self.delivery.take(), &self.shared.maildir) {
                    (Some(delivery), _) => delivery.commit().await.map(Some),
                    // An empty message still gets its file.
                    (None, Some(maildir)) => {
                        let mut delivery = maildir.begin().await?;
                        delivery.write_chunk(self.trace_fields().as_bytes()).await?;
                        delivery.commit().await.map(Some)
                    }
                    (None, None) => Ok(None),
                };
                match stored {
                    Ok(path) => {
                        if self.shared.options.verbose {
                            eprintln!(
                                "smtp_server: {} bytes from {} for {} recipient(s){}",
                                end.size,
                                self.sender,
                                end.recipients,
                                path.map(|p| format!(" in {}", p.display()))
                                    .unwrap_or_default()
                            );
                        }
                        server.accept_message()
                    }
                    Err(error) => {
                        eprintln!("smtp_server: cannot store a message: {error}");
                        server.reject_message(Reply::new(
                            ReplyCode::LOCAL_ERROR,
                            Some(EnhancedStatus::TEMPORARY_SYSTEM),
                            "Cannot store the message now",
                        ))
                    }
                }
            }
            Event::TransactionAborted(_) => {
                self.abort().await;
                Ok(())
            }
            Event::StartTls => return Ok(true),
            Event::Auth(request) => {
                if let Some(user) = self.check(&request.credentials) {
                    self.user = Some(user);
                    server.accept_auth()
                } else {
                    server.reject_auth(Reply::new(
                        ReplyCode::AUTH_INVALID,
                        Some(EnhancedStatus::AUTH_INVALID),
                        "Authentication credentials invalid",
                    ))
                }
            }
            Event::ProtocolError(error) => {
                if self.shared.options.verbose {
                    eprintln!("smtp_server: {}: {error}", self.peer);
                }
                Ok(())
            }
            Event::Closed(_) => {
                self.abort().await;
                Ok(())
            }
            _ => Ok(()),
        };
        decided.map_err(|e| io::Error::other(e.to_string()))?;
        Ok(false)
    }

    /// Whether `address` (as `<local@domain>`) is one to refuse.
    fn refuses(&self, address: &str) -> bool {
        let bare = address.trim_start_matches('<').trim_end_matches('>');
        self.shared
            .options
            .reject_recipients
            .iter()
            .any(|refused| refused.eq_ignore_ascii_case(bare))
    }

    /// Whether the envelope is needed: for stored messages and the log.
    fn keeps_envelope(&self) -> bool {
        !matches!(self.shared.options.store, Store::Sink) || self.shared.options.verbose
    }

    /// Streams `chunk` into the spool, starting the message (with its
    /// `Received` field) on the first one. An error is kept for the
    /// message's end, so the client gets a `451` rather than a reset.
    async fn spool_chunk(&mut self, spool: &Arc<dyn Spool>, chunk: &[u8]) {
        if self.spool_error.is_some() {
            return;
        }
        let result = async {
            if self.spooled.is_none() {
                let mut writer = spool.begin(&self.sender, &self.recipients).await?;
                writer.write_chunk(self.received_field().as_bytes()).await?;
                self.spooled = Some(writer);
            }
            match &mut self.spooled {
                Some(writer) => writer.write_chunk(chunk).await,
                None => Ok(()),
            }
        }
        .await;
        if let Err(error) = result {
            self.spooled = None;
            self.spool_error = Some(error);
        }
    }

    /// Commits the spooled message (an empty one too).
    async fn finish_spool(&mut self, spool: &Arc<dyn Spool>) -> io::Result<String> {
        if self.spooled.is_none() && self.spool_error.is_none() {
            self.spool_chunk(spool, b"").await;
        }
        if let Some(error) = self.spool_error.take() {
            return Err(error);
        }
        match self.spooled.take() {
            Some(writer) => writer.commit().await,
            None => Err(io::Error::other("no message to commit")),
        }
    }

    /// `250` once the spool has the message, `451` if it could not take it.
    fn answer_spooled(
        &mut self,
        server: &mut Server,
        spooled: io::Result<String>,
        size: u64,
    ) -> io::Result<bool> {
        let decided = match spooled {
            Ok(id) => {
                if self.shared.options.verbose {
                    eprintln!(
                        "smtp_server: {size} bytes from {} queued as {id}",
                        self.sender
                    );
                }
                server.accept_message()
            }
            Err(error) => {
                eprintln!("smtp_server: cannot queue a message: {error}");
                server.reject_message(Reply::new(
                    ReplyCode::LOCAL_ERROR,
                    Some(EnhancedStatus::TEMPORARY_SYSTEM),
                    "Cannot queue the message now",
                ))
            }
        };
        decided.map_err(|e| io::Error::other(e.to_string()))?;
        Ok(false)
    }

    /// The account the credentials match, if one does.
    fn check(&self, credentials: &Credentials) -> Option<String> {
        let users = &self.shared.options.users;
        let (name, _) = match credentials {
            Credentials::Password {
                username, password, ..
            } => users
                .iter()
                .find(|(name, pass)| name == username && pass == password.expose())?,
            Credentials::CramMd5(response) => users.iter().find(|(name, pass)| {
                name == response.username() && response.verify(pass.as_bytes())
            })?,
            _ => return None,
        };
        Some(name.clone())
    }

    /// The `Return-Path` and `Received` fields put in front of a stored
    /// message (RFC 5321 section 4.4).
    fn trace_fields(&self) -> String {
        format!("Return-Path: {}\r\n{}", self.sender, self.received_field())
    }

    /// The `Received` field a relay adds (RFC 5321 section 4.4).
    fn received_field(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let date = DateTime::from_unix(now.as_secs() as i64, 0)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let rcpt = match self.recipients.as_slice() {
            [one] => format!("\r\n\tfor {one}"),
            _ => String::new(),
        };
        format!(
            "Received: from {} ([{}])\r\n\tby {} (mailwire smtp_server) with ESMTP{};\r\n\t{}\r\n",
            self.helo,
            self.peer.ip(),
            self.shared.options.hostname,
            rcpt,
            date
        )
    }

    /// Drops a delivery in progress.
    async fn abort(&mut self) {
        self.spooled = None;
        self.spool_error = None;
        if let Some(delivery) = self.delivery.take() {
            let _ = delivery.abort().await;
        }
    }
}
