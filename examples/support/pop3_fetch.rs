//! The tokio loop around `mailwire_pop3::client::Client` shared by the
//! `pop3_fetch` and `pop3_exchange` examples: connect, upgrade with STLS
//! when asked, log in, list the maildrop with its unique ids, download
//! every message (streamed chunk by chunk into a file, so memory stays
//! bounded whatever the size), delete them when asked, and `QUIT`.
//!
//! With `transcript` on, every line the client sends and receives is
//! printed as `C: ...` / `S: ...` (in plain text, also after STLS;
//! message bodies shortened).

#![allow(dead_code)] // each example uses its own part

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use bytes::{Buf, BytesMut};
use mailwire_message::Message;
use mailwire_pop3::client::{Client, CommandId, Config, Event, Sasl};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_util::either::Either;

use crate::tls;

/// How to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginMethod {
    /// `USER` and `PASS`.
    UserPass,
    /// `APOP` with the greeting's timestamp (the password never travels).
    Apop,
    /// `AUTH PLAIN`.
    Plain,
    /// `AUTH CRAM-MD5`.
    CramMd5,
}

impl LoginMethod {
    /// Reads `user`, `apop`, `plain` or `cram-md5`.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "user" => Some(Self::UserPass),
            "apop" => Some(Self::Apop),
            "plain" => Some(Self::Plain),
            "cram-md5" => Some(Self::CramMd5),
            _ => None,
        }
    }
}

/// What to fetch, from where, and how.
#[derive(Debug, Clone)]
pub(crate) struct Fetch {
    pub(crate) server: SocketAddr,
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) starttls: bool,
    pub(crate) login: LoginMethod,
    /// Delete each message once it is downloaded whole.
    pub(crate) delete: bool,
    /// Where to write the messages (`<unique id>.eml`); `None` counts
    /// their bytes only.
    pub(crate) out: Option<PathBuf>,
    /// Print the session as `C:` / `S:` lines.
    pub(crate) transcript: bool,
}

/// One downloaded message.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    /// Its number in the session.
    pub(crate) msg: u32,
    /// Its unique id (`UIDL`).
    pub(crate) unique_id: String,
    /// Its size as the server listed it.
    pub(crate) listed_size: u64,
    /// The bytes received.
    pub(crate) received: u64,
    /// Its subject, if it has one.
    pub(crate) subject: Option<String>,
    /// The file it went to.
    pub(crate) path: Option<PathBuf>,
    /// Whether the server confirmed its deletion (applied at `QUIT`).
    pub(crate) deleted: bool,
}

/// A connection, in plain text or after `STLS`.
type Conn = Either<TcpStream, tokio_rustls::client::TlsStream<TcpStream>>;

/// The header part of a message kept to read its subject.
const HEAD: usize = 64 * 1024;

/// A session: the client machine and its connection.
struct Session<'f> {
    client: Client,
    conn: Conn,
    input: BytesMut,
    output: BytesMut,
    fetch: &'f Fetch,
}

impl Session<'_> {
    /// The next event, doing the I/O it waits for.
    async fn next_event(&mut self) -> io::Result<Event> {
        loop {
            if let Some(event) = self.client.poll_event() {
                return Ok(event);
            }
            if self.client.poll_output(&mut self.output) > 0 {
                if self.fetch.transcript {
                    print_lines("C:", &self.output);
                }
                self.conn.write_all(&self.output).await?;
                self.output.clear();
                continue;
            }
            if !self.input.is_empty() && self.client.wants_input() {
                let taken = self.client.handle_input(&self.input);
                self.input.advance(taken);
                if taken > 0 {
                    continue;
                }
            }
            if self.client.is_closed() {
                return Err(io::Error::other("the session ended"));
            }
            let deadline = self.client.poll_timeout();
            let timeout = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            self.input.reserve(16 * 1024);
            tokio::select! {
                read = self.conn.read_buf(&mut self.input) => {
                    let n = read?;
                    self.client.handle_timeout(Instant::now());
                    if n == 0 {
                        self.client.connection_closed();
                    } else if self.fetch.transcript {
                        let start = self.input.len() - n;
                        print_lines("S:", &self.input[start..]);
                    }
                }
                () = timeout => self.client.handle_timeout(Instant::now()),
            }
        }
    }

    /// Waits for the end of command `id`: `Ok(true)` for a success,
    /// `Ok(false)` with the server's `-ERR` printed.
    async fn finish(&mut self, id: CommandId) -> io::Result<bool> {
        loop {
            match self.next_event().await? {
                Event::Error {
                    id: failed,
                    response,
                } if failed == id => {
                    eprintln!("pop3_fetch: {}", response_text(&response));
                    return Ok(false);
                }
                Event::LoggedIn { id: done, .. }
                | Event::Done { id: done, .. }
                | Event::Deleted { id: done, .. }
                | Event::Capabilities { id: done, .. }
                | Event::StartTls { id: done }
                    if done == id =>
                {
                    return Ok(true);
                }
                event => self.unexpected(event)?,
            }
        }
    }

    /// Fails on events that end the session; others are ignored.
    fn unexpected(&self, event: Event) -> io::Result<()> {
        match event {
            Event::Failed(error) => Err(io::Error::other(error.to_string())),
            Event::Timeout => Err(io::Error::new(io::ErrorKind::TimedOut, "server timeout")),
            Event::Closed { response } => Err(io::Error::other(format!(
                "the server closed the session{}",
                response
                    .map(|r| format!(": {}", response_text(&r)))
                    .unwrap_or_default()
            ))),
            _ => Ok(()),
        }
    }
}

fn response_text(response: &mailwire_pop3::types::Response<'_>) -> String {
    String::from_utf8_lossy(&response.to_bytes().unwrap_or_default())
        .trim_end()
        .to_owned()
}

fn usage(error: mailwire_pop3::client::UsageError) -> io::Error {
    io::Error::other(error.to_string())
}

/// Downloads every message of the maildrop; with STLS, `connector`
/// checks the server's certificate.
pub(crate) async fn fetch(fetch: &Fetch, connector: &TlsConnector) -> io::Result<Vec<Fetched>> {
    let stream = TcpStream::connect(fetch.server).await?;
    let _ = stream.set_nodelay(true);
    let mut client = Client::new(Config::default());
    client.handle_timeout(Instant::now());
    let mut session = Session {
        client,
        conn: Either::Left(stream),
        input: BytesMut::with_capacity(16 * 1024),
        output: BytesMut::with_capacity(1024),
        fetch,
    };
    loop {
        match session.next_event().await? {
            Event::Greeting { .. } => break,
            event => session.unexpected(event)?,
        }
    }
    let capa = session.client.capa().map_err(usage)?;
    session.finish(capa).await?;

    if fetch.starttls {
        let stls = session.client.stls().map_err(usage)?;
        if !session.finish(stls).await? {
            return Err(io::Error::other("STLS refused"));
        }
        let Either::Left(tcp) = session.conn else {
            return Err(io::Error::other("STLS twice"));
        };
        let name = tls::server_name(&fetch.server.ip().to_string())?;
        session.conn = Either::Right(connector.connect(name, tcp).await?);
        if fetch.transcript {
            println!("   (TLS handshake done)");
        }
        // The capabilities may differ under TLS: the client asks again.
        if let Some(capa) = session.client.tls_established() {
            session.finish(capa).await?;
        }
    }

    let (user, pass) = (fetch.user.as_str(), fetch.password.as_str());
    let login = match fetch.login {
        LoginMethod::UserPass => session.client.login_user_pass(user, pass),
        LoginMethod::Apop => session.client.login_apop(user, pass),
        LoginMethod::Plain => session.client.authenticate(Sasl::plain(user, pass)),
        LoginMethod::CramMd5 => session.client.authenticate(Sasl::cram_md5(user, pass)),
    }
    .map_err(usage)?;
    if !session.finish(login).await? {
        return Err(io::Error::other("login refused"));
    }

    // The listing: unique ids and sizes (pipelined when offered).
    let uidl = session.client.uidl(None).map_err(usage)?;
    let list = session.client.list(None).map_err(usage)?;
    let mut fetched: Vec<Fetched> = Vec::new();
    let mut pending = 2;
    while pending > 0 {
        match session.next_event().await? {
            Event::UniqueIds { id, entries, last } if id == uidl => {
                for (msg, unique_id) in entries {
                    fetched.push(Fetched {
                        msg,
                        unique_id,
                        listed_size: 0,
                        received: 0,
                        subject: None,
                        path: None,
                        deleted: false,
                    });
                }
                pending -= usize::from(last);
            }
            Event::Listing { id, entries, last } if id == list => {
                for entry in entries {
                    if let Some(m) = fetched.iter_mut().find(|m| m.msg == entry.msg) {
                        m.listed_size = entry.size;
                    }
                }
                pending -= usize::from(last);
            }
            Event::Error { id, response } if id == uidl || id == list => {
                return Err(io::Error::other(format!(
                    "listing refused: {}",
                    response_text(&response)
                )));
            }
            event => session.unexpected(event)?,
        }
    }

    // Every message, streamed to its file; DELE after a whole one.
    for m in &mut fetched {
        let msg = m.msg;
        let retr = session.client.retr(msg).map_err(usage)?;
        let mut file = None;
        let mut head = Vec::new();
        let mut received = 0u64;
        loop {
            match session.next_event().await? {
                Event::MessageStart { id, .. } if id == retr => {
                    if let Some(dir) = &fetch.out {
                        let path = dir.join(format!("{}.eml", file_name(&m.unique_id)));
                        file = Some(tokio::fs::File::create(&path).await?);
                        m.path = Some(path);
                    }
                }
                Event::MessageData { id, data } if id == retr => {
                    received += data.len() as u64;
                    if head.len() < HEAD {
                        let room = HEAD - head.len();
                        head.extend_from_slice(&data[..data.len().min(room)]);
                    }
                    if let Some(file) = file.as_mut() {
                        file.write_all(&data).await?;
                    }
                }
                Event::MessageEnd { id } if id == retr => break,
                Event::Error { id, response } if id == retr => {
                    return Err(io::Error::other(format!(
                        "RETR {msg} refused: {}",
                        response_text(&response)
                    )));
                }
                event => session.unexpected(event)?,
            }
        }
        if let Some(mut file) = file {
            file.flush().await?;
            file.sync_all().await?;
        }
        m.received = received;
        m.subject = subject_of(&head);
        if fetch.delete {
            let dele = session.client.dele(msg).map_err(usage)?;
            m.deleted = session.finish(dele).await?;
        }
    }

    let quit = session.client.quit().map_err(usage)?;
    loop {
        match session.next_event().await {
            Ok(Event::Done { id, .. }) if id == quit => {}
            Ok(Event::Error { id, response }) if id == quit => {
                // The deletions were not all made (RFC 2449 [SYS/TEMP]).
                return Err(io::Error::other(format!(
                    "QUIT: {}",
                    response_text(&response)
                )));
            }
            Ok(Event::Closed { .. }) => break,
            Ok(event) => session.unexpected(event)?,
            Err(error) if session.client.is_closed() => {
                let _ = error;
                break;
            }
            Err(error) => return Err(error),
        }
    }
    session.conn.shutdown().await.ok();
    Ok(fetched)
}

/// The subject in the header at the start of `head`, if any.
fn subject_of(head: &[u8]) -> Option<String> {
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(head.len(), |at| at + 4);
    Message::parse(&head[..end])
        .subject()
        .map(|s| s.trim().to_owned())
}

/// A unique id as a file name: characters that a file system may not
/// take are replaced.
fn file_name(unique_id: &str) -> String {
    unique_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.,=+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Prints each line of `bytes` after `who`, long runs of message data
/// shortened and the argument of `PASS` hidden (transcripts get pasted
/// into bug reports).
pub(crate) fn print_lines(who: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    for (i, line) in lines.iter().enumerate() {
        if lines.len() > 12 && i == 6 {
            println!("{who} ... ({} more lines)", lines.len() - 10);
        }
        if lines.len() > 12 && (6..lines.len() - 4).contains(&i) {
            continue;
        }
        match line.get(..5) {
            Some(verb) if who == "C:" && verb.eq_ignore_ascii_case("PASS ") => {
                println!("{who} {verb}********");
            }
            _ => println!("{who} {line}"),
        }
    }
}
