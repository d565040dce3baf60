//! The tokio loop around `mailwire_imap::client::Client` of the
//! `imap_fetch` example: connect, upgrade with STARTTLS when asked, log in
//! (`LOGIN` or `AUTHENTICATE PLAIN`), list the folders, select a mailbox,
//! list its messages (`UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)`),
//! download each one with `UID FETCH n BODY.PEEK[]` streamed chunk by
//! chunk into a file (so memory stays bounded whatever the size), mark
//! them `\Seen` or delete them when asked, and `LOGOUT`.
//!
//! With `transcript` on, the session is printed as `C: ...` / `S: ...`
//! lines (in plain text, also after STARTTLS): a literal longer than
//! [`SHOWN_LITERAL`] octets is printed as one `(N octets)` line, and the
//! client's lines while a login is in flight are redacted.

#![allow(dead_code)] // each user takes the part it needs

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use mailwire_imap::client::{Client, ClientConfig, CommandId, Event, RawResponse, Sasl};
use mailwire_imap::types::{
    Capability, CommandBody, Data, FetchAttribute, FetchAttributes, FetchItem, Flag, Mailbox,
    Response, Section, SequenceSet, StatusKind, StoreFlags, StoreMode, StreamedItem,
};
use mailwire_message::encoded_word::decode_unstructured;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_util::either::Either;

use crate::tls;

/// How to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginMethod {
    /// `LOGIN user password`.
    Login,
    /// `AUTHENTICATE PLAIN` (RFC 4616; the initial response on the
    /// command line when the server offers SASL-IR).
    Plain,
}

impl LoginMethod {
    /// Reads `login` or `plain`.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "login" => Some(Self::Login),
            "plain" => Some(Self::Plain),
            _ => None,
        }
    }
}

/// What to fetch, from where, and how.
#[derive(Clone)]
pub(crate) struct Fetch {
    pub(crate) server: SocketAddr,
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) starttls: bool,
    pub(crate) login: LoginMethod,
    /// The mailbox to fetch from (Unicode; sent in modified UTF-7).
    pub(crate) mailbox: String,
    /// Open it read-only with `EXAMINE` instead of `SELECT`.
    pub(crate) examine: bool,
    /// Mark each message `\Seen` once it is downloaded whole.
    pub(crate) seen: bool,
    /// Flag each message `\Deleted` once it is downloaded whole, and
    /// expunge them at the end.
    pub(crate) delete: bool,
    /// Where to write the messages (`<uid>.eml`); `None` counts their
    /// bytes only.
    pub(crate) out: Option<PathBuf>,
    /// Print the session as `C:` / `S:` lines.
    pub(crate) transcript: bool,
    /// After the downloads, wait this long with `IDLE` for new mail, and
    /// download what arrives.
    pub(crate) idle: Option<Duration>,
}

impl core::fmt::Debug for Fetch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Fetch")
            .field("server", &self.server)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("starttls", &self.starttls)
            .field("login", &self.login)
            .field("mailbox", &self.mailbox)
            .field("examine", &self.examine)
            .field("seen", &self.seen)
            .field("delete", &self.delete)
            .field("out", &self.out)
            .field("transcript", &self.transcript)
            .field("idle", &self.idle)
            .finish()
    }
}

/// One downloaded message.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    /// Its UID in the mailbox.
    pub(crate) uid: NonZeroU32,
    /// Its flags as listed before the download (`\Seen`, keywords, ...).
    pub(crate) flags: Vec<String>,
    /// Its size as the server listed it (`RFC822.SIZE`).
    pub(crate) size: u64,
    /// The octets received for `BODY[]`.
    pub(crate) received: u64,
    /// Its subject from the ENVELOPE, RFC 2047 encoded words decoded.
    pub(crate) subject: Option<String>,
    /// The file it went to.
    pub(crate) path: Option<PathBuf>,
    /// Whether the server confirmed `\Seen` (with `seen`).
    pub(crate) marked_seen: bool,
    /// Whether it was expunged (with `delete`).
    pub(crate) deleted: bool,
}

/// What a session found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// The folders `LIST "" "*"` returned, decoded from modified UTF-7.
    pub(crate) folders: Vec<String>,
    /// The messages of the mailbox, in UID order.
    pub(crate) messages: Vec<Fetched>,
}

/// A literal of at most this many octets is printed in the transcript;
/// a longer one (a message body) as one `(N octets)` line.
pub(crate) const SHOWN_LITERAL: u64 = 256;

/// A line of the transcript is cut after this many octets.
const SHOWN_LINE: usize = 2048;

/// The socket is read in pieces of this size.
const READ_SIZE: usize = 16 * 1024;

/// Received bytes waiting for the machine beyond this mean it is stuck
/// (it takes input until its own bounded buffer is full of events, which
/// the loop always drains first).
const MAX_UNTAKEN: usize = 4 * READ_SIZE;

/// Each message file is written through a buffer of this size.
const FILE_BUFFER: usize = 64 * 1024;

/// A connection, in plain text or after `STARTTLS`.
type Conn = Either<TcpStream, tokio_rustls::client::TlsStream<TcpStream>>;

/// A session: the client machine, its connection and the transcript.
struct Session<'f> {
    client: Client,
    conn: Conn,
    input: BytesMut,
    output: BytesMut,
    fetch: &'f Fetch,
    server_lines: ServerTranscript,
    /// A login is in flight: the client's lines are redacted.
    redact: bool,
    /// The text of an untagged `BYE`, reported if the session ends.
    bye: Option<String>,
    /// The number of messages in the selected mailbox, as last reported
    /// (`* N EXISTS`, less each `* n EXPUNGE` since).
    exists: u32,
}

impl Session<'_> {
    /// The next event, doing the I/O it waits for.
    async fn next_event(&mut self) -> io::Result<Event> {
        loop {
            if let Some(event) = self.next_event_by(None).await? {
                return Ok(event);
            }
        }
    }

    /// The next event, or `None` once `wake` has passed with none (the
    /// wait is given up only while reading, so no output is ever cut).
    async fn next_event_by(&mut self, wake: Option<Instant>) -> io::Result<Option<Event>> {
        loop {
            if let Some(event) = self.client.poll_event() {
                if let Event::Untagged(raw) = &event {
                    match raw.parse() {
                        Some(Response::Data(Data::Exists(n))) => self.exists = n,
                        Some(Response::Data(Data::Expunge(_))) => {
                            self.exists = self.exists.saturating_sub(1);
                        }
                        _ => {}
                    }
                }
                return Ok(Some(event));
            }
            if self.client.poll_output(&mut self.output) > 0 {
                if self.fetch.transcript {
                    for line in client_lines(&self.output, self.redact) {
                        println!("{line}");
                    }
                }
                self.conn.write_all(&self.output).await?;
                self.conn.flush().await?;
                self.output.clear();
                continue;
            }
            if self.client.is_closed() {
                return Err(self.ended());
            }
            if !self.input.is_empty() && self.client.wants_input() {
                let taken = self.client.handle_input(Instant::now(), &self.input);
                self.input.advance(taken);
                if taken > 0 {
                    continue;
                }
            }
            let now = Instant::now();
            let deadline = self.client.poll_timeout();
            if deadline.is_some_and(|at| at <= now) {
                // Starts the timer after a command left an idle
                // connection, or reports the expiry.
                self.client.handle_timeout(now);
                if self.client.poll_timeout() != deadline || self.client.is_closed() {
                    continue;
                }
            }
            if !self.client.wants_input() {
                return Err(io::Error::other(
                    "the client waits for a TLS handshake it was not given",
                ));
            }
            if self.input.len() >= MAX_UNTAKEN {
                return Err(io::Error::other("the client takes no more input"));
            }
            let timeout = sleep_until(deadline);
            let woken = sleep_until(wake);
            self.input.reserve(READ_SIZE);
            tokio::select! {
                read = self.conn.read_buf(&mut self.input) => {
                    let n = read?;
                    if n == 0 {
                        self.client.handle_eof();
                    } else if self.fetch.transcript {
                        let start = self.input.len() - n;
                        for line in self.server_lines.feed(&self.input[start..]) {
                            println!("{line}");
                        }
                    }
                }
                () = timeout => self.client.handle_timeout(Instant::now()),
                () = woken => return Ok(None),
            }
        }
    }

    /// The error for a session that ended before its work was done.
    fn ended(&self) -> io::Error {
        match &self.bye {
            Some(text) => io::Error::other(format!("the server closed the session: {text}")),
            None => io::Error::other("the session ended"),
        }
    }

    /// Fails on events that end the session; others are ignored
    /// (unsolicited updates such as `* 3 EXISTS` change nothing here).
    fn other(&mut self, event: Event) -> io::Result<()> {
        match event {
            Event::Error(error) => Err(io::Error::other(format!("protocol error: {error}"))),
            Event::TimedOut => Err(io::Error::new(io::ErrorKind::TimedOut, "server timeout")),
            Event::Closed => Err(self.ended()),
            Event::Bye(response) => {
                self.bye = Some(status_text(&response));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Waits for the completion of command `id`, handing the untagged
    /// responses before it to `untagged`; returns its status and the
    /// response text (code included).
    async fn finish(
        &mut self,
        id: CommandId,
        mut untagged: impl FnMut(Response<'_>),
    ) -> io::Result<(StatusKind, String)> {
        loop {
            match self.next_event().await? {
                Event::Done {
                    id: done,
                    status,
                    response,
                    ..
                } if done == id => return Ok((status, status_text(&response))),
                Event::Aborted { id: aborted } if aborted == id => return Err(self.ended()),
                Event::Untagged(raw) => {
                    if let Some(response) = raw.parse() {
                        untagged(response);
                    }
                }
                event => self.other(event)?,
            }
        }
    }

    /// Like [`Self::finish`] without untagged data, failing unless `OK`.
    async fn expect_ok(&mut self, id: CommandId, what: &str) -> io::Result<()> {
        match self.finish(id, |_| {}).await? {
            (StatusKind::Ok, _) => Ok(()),
            (_, text) => Err(io::Error::other(format!("{what} refused: {text}"))),
        }
    }

    /// `STARTTLS` up to the moment the handshake may begin.
    async fn starttls(&mut self) -> io::Result<()> {
        if !self.client.has_capability(&Capability::StartTls) {
            return Err(io::Error::other("the server does not offer STARTTLS"));
        }
        let id = self.client.starttls().map_err(queue)?;
        self.expect_ok(id, "STARTTLS").await?;
        loop {
            match self.next_event().await? {
                Event::StartTls => break,
                event => self.other(event)?,
            }
        }
        if !self.input.is_empty() {
            // Bytes after the OK, before the handshake: an injection.
            return Err(io::Error::other("bytes received before the TLS handshake"));
        }
        Ok(())
    }
}

/// Sleeps until `at`, or forever.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

fn queue(error: mailwire_imap::client::QueueError) -> io::Error {
    io::Error::other(error.to_string())
}

/// A status response without its tag and line end: `NO [CODE] text`.
fn status_text(response: &RawResponse) -> String {
    let text = String::from_utf8_lossy(response.as_bytes());
    let text = text.trim_end();
    text.split_once(' ')
        .map_or(text, |(_tag, rest)| rest)
        .to_owned()
}

/// A tag prefix seed the server cannot guess (std's per-process random
/// hash keys).
fn tag_seed() -> u64 {
    RandomState::new().hash_one(std::process::id())
}

/// Downloads every message of the mailbox; see [`fetch_all`].
pub(crate) async fn fetch(fetch: &Fetch, connector: &TlsConnector) -> io::Result<Vec<Fetched>> {
    fetch_all(fetch, connector).await.map(|o| o.messages)
}

/// Runs the whole session: the folders and every message of
/// `fetch.mailbox`; with STARTTLS, `connector` checks the server's
/// certificate.
pub(crate) async fn fetch_all(fetch: &Fetch, connector: &TlsConnector) -> io::Result<Outcome> {
    let stream = TcpStream::connect(fetch.server).await?;
    let _ = stream.set_nodelay(true);
    let client = Client::new(ClientConfig::new(tag_seed()), Instant::now());
    let mut session = Session {
        client,
        conn: Either::Left(stream),
        input: BytesMut::with_capacity(READ_SIZE),
        output: BytesMut::with_capacity(1024),
        fetch,
        server_lines: ServerTranscript::default(),
        redact: false,
        bye: None,
        exists: 0,
    };
    let preauth = loop {
        match session.next_event().await? {
            Event::Greeting { kind, response } => match kind {
                StatusKind::Ok => break false,
                StatusKind::PreAuth => break true,
                _ => {
                    return Err(io::Error::other(format!(
                        "the server refused the session: {}",
                        status_text(&response)
                    )));
                }
            },
            event => session.other(event)?,
        }
    };
    let capability = session.client.capability().map_err(queue)?;
    session.expect_ok(capability, "CAPABILITY").await?;

    if fetch.starttls {
        if preauth {
            return Err(io::Error::other("PREAUTH greeting: STARTTLS is too late"));
        }
        session.starttls().await?;
        let Either::Left(tcp) = session.conn else {
            return Err(io::Error::other("STARTTLS twice"));
        };
        let name = tls::server_name(&fetch.server.ip().to_string())?;
        session.conn = Either::Right(connector.connect(name, tcp).await?);
        if fetch.transcript {
            println!("   (TLS handshake done)");
        }
        // The capabilities may differ under TLS: the client asks again.
        let capability = session.client.tls_established().map_err(queue)?;
        session.expect_ok(capability, "CAPABILITY").await?;
    }

    if !preauth {
        // RFC 3501 section 6.2.3: no LOGIN while the server says
        // LOGINDISABLED (usually: not before STARTTLS).
        if fetch.login == LoginMethod::Login
            && session.client.has_capability(&Capability::LoginDisabled)
        {
            return Err(io::Error::other(
                "the server disabled LOGIN here (LOGINDISABLED); try --starttls or --login plain",
            ));
        }
        let (user, password) = (fetch.user.as_str(), fetch.password.as_str());
        let login = match fetch.login {
            LoginMethod::Login => session.client.login(user, password),
            LoginMethod::Plain => session.client.authenticate(Sasl::Plain {
                authzid: String::new(),
                username: user.to_owned(),
                password: password.to_owned(),
            }),
        }
        .map_err(queue)?;
        session.redact = true;
        let (status, text) = session.finish(login, |_| {}).await?;
        session.redact = false;
        if status != StatusKind::Ok {
            return Err(io::Error::other(format!("login refused: {text}")));
        }
    }

    let mut outcome = Outcome::default();
    let list = session.client.list(Mailbox::from(""), "*").map_err(queue)?;
    let folders = &mut outcome.folders;
    let (status, text) = session
        .finish(list, |response| {
            if let Response::Data(Data::List(entry)) = response {
                let name = entry.mailbox.to_utf8().map_or_else(
                    || String::from_utf8_lossy(entry.mailbox.as_bytes()).into_owned(),
                    |name| name.into_owned(),
                );
                folders.push(name);
            }
        })
        .await?;
    if status != StatusKind::Ok {
        return Err(io::Error::other(format!("LIST refused: {text}")));
    }

    let mailbox = Mailbox::from_utf8(&fetch.mailbox);
    let open = if fetch.examine {
        session.client.examine(mailbox)
    } else {
        session.client.select(mailbox)
    }
    .map_err(queue)?;
    let (status, text) = session.finish(open, |_| {}).await?;
    if status != StatusKind::Ok {
        return Err(io::Error::other(format!(
            "cannot open {}: {text}",
            fetch.mailbox
        )));
    }

    if session.exists > 0 {
        outcome.messages = list_messages(&mut session, None).await?;
    }
    for m in &mut outcome.messages {
        download(&mut session, m).await?;
        mark(&mut session, m).await?;
    }
    if let Some(limit) = fetch.idle {
        // Mail that arrived meanwhile needs no wait.
        if session.exists as usize <= outcome.messages.len() {
            idle_until_exists(&mut session, outcome.messages.len(), limit).await?;
        }
        let after = outcome.messages.last().map(|m| m.uid);
        let mut new = list_messages(&mut session, after).await?;
        for m in &mut new {
            download(&mut session, m).await?;
            mark(&mut session, m).await?;
        }
        outcome.messages.extend(new);
    }
    if fetch.delete && !outcome.messages.is_empty() {
        expunge(&mut session, &mut outcome.messages).await?;
    }

    let logout = session.client.logout().map_err(queue)?;
    loop {
        match session.next_event().await {
            Ok(Event::Done { id, .. }) if id == logout => {}
            Ok(Event::Bye(_)) => {}
            Ok(Event::Closed) | Ok(Event::Aborted { .. }) => break,
            Ok(event) => session.other(event)?,
            Err(_) if session.client.is_closed() => break,
            Err(error) => return Err(error),
        }
    }
    session.conn.shutdown().await.ok();
    Ok(outcome)
}

/// `UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)`: the messages with
/// their flags, sizes and subjects, in UID order; with `after`, only
/// those with a greater UID (`UID FETCH after+1:*`).
async fn list_messages(
    session: &mut Session<'_>,
    after: Option<NonZeroU32>,
) -> io::Result<Vec<Fetched>> {
    let first = after.map_or(1, |uid| u64::from(uid.get()) + 1);
    if first > u64::from(u32::MAX) {
        return Ok(Vec::new());
    }
    let all = SequenceSet::new(&format!("{first}:*"))
        .map_err(|e| io::Error::other(e.to_string()))?
        .into_owned();
    let attributes = FetchAttributes::List(vec![
        FetchAttribute::Uid,
        FetchAttribute::Flags,
        FetchAttribute::Rfc822Size,
        FetchAttribute::Envelope,
    ]);
    let id = session.client.fetch(all, attributes, true).map_err(queue)?;
    let mut messages: Vec<Fetched> = Vec::new();
    let (status, text) = session
        .finish(id, |response| {
            let Response::Data(Data::Fetch { items, .. }) = response else {
                return;
            };
            let Some(uid) = items.iter().find_map(|item| match item {
                FetchItem::Uid(uid) => Some(*uid),
                _ => None,
            }) else {
                return;
            };
            let mut m = Fetched {
                uid,
                flags: Vec::new(),
                size: 0,
                received: 0,
                subject: None,
                path: None,
                marked_seen: false,
                deleted: false,
            };
            let mut listed = false;
            for item in items {
                match item {
                    FetchItem::Flags(flags) => {
                        m.flags = flags.iter().map(ToString::to_string).collect();
                    }
                    FetchItem::Rfc822Size(size) => {
                        m.size = size;
                        listed = true;
                    }
                    FetchItem::Envelope(envelope) => {
                        m.subject = envelope
                            .subject
                            .as_ref()
                            .map(|s| decode_unstructured(s.as_bytes()).trim().to_owned());
                    }
                    _ => {}
                }
            }
            // Unsolicited FETCH updates (flags only) change no listing;
            // `n:*` names the last message even when its UID is below n
            // (RFC 3501 section 6.4.8).
            if listed && u64::from(uid.get()) >= first {
                match messages.iter_mut().find(|x| x.uid == uid) {
                    Some(known) => *known = m,
                    None => messages.push(m),
                }
            }
        })
        .await?;
    if status != StatusKind::Ok {
        return Err(io::Error::other(format!("UID FETCH refused: {text}")));
    }
    messages.sort_by_key(|m| m.uid);
    Ok(messages)
}

/// `IDLE` (RFC 2177) until the mailbox holds more than `known` messages
/// or `limit` has passed, then `DONE`.
async fn idle_until_exists(
    session: &mut Session<'_>,
    known: usize,
    limit: Duration,
) -> io::Result<()> {
    if !session.client.has_capability(&Capability::Idle) {
        return Err(io::Error::other("the server does not offer IDLE"));
    }
    let id = session.client.idle().map_err(queue)?;
    let wake = Instant::now() + limit;
    let mut done = false;
    loop {
        let event = session.next_event_by((!done).then_some(wake)).await?;
        let grown = session.exists as usize > known;
        if !done && (grown || event.is_none()) {
            session.client.idle_done().map_err(queue)?;
            done = true;
        }
        match event {
            None | Some(Event::Idling { .. }) | Some(Event::Untagged(_)) => {}
            Some(Event::Done {
                id: finished,
                status,
                response,
                ..
            }) if finished == id => {
                if status != StatusKind::Ok {
                    return Err(io::Error::other(format!(
                        "IDLE refused: {}",
                        status_text(&response)
                    )));
                }
                return Ok(());
            }
            Some(Event::Aborted { id: aborted }) if aborted == id => return Err(session.ended()),
            Some(event) => session.other(event)?,
        }
    }
}

/// Whether a streamed item is the whole message, `BODY[]`.
fn is_whole_message(item: &StreamedItem<'_>) -> bool {
    matches!(item, StreamedItem::BodySection { section, origin: None } if *section == Section::default())
        || matches!(item, StreamedItem::Rfc822)
}

/// `UID FETCH uid BODY.PEEK[]`, streamed into `out/<uid>.eml.part` (or
/// counted), which is flushed, synced and renamed to `out/<uid>.eml` once
/// the message is whole; on failure the partial file is removed.
async fn download(session: &mut Session<'_>, m: &mut Fetched) -> io::Result<()> {
    let Some(dir) = session.fetch.out.clone() else {
        return receive(session, m, None).await;
    };
    let path = dir.join(format!("{}.eml", m.uid));
    let part = dir.join(format!("{}.eml.part", m.uid));
    let file = tokio::fs::File::create(&part).await?;
    let mut file = BufWriter::with_capacity(FILE_BUFFER, file);
    let mut done = receive(session, m, Some(&mut file)).await;
    if done.is_ok() {
        done = async {
            file.flush().await?;
            file.get_mut().sync_all().await?;
            tokio::fs::rename(&part, &path).await
        }
        .await;
    }
    if done.is_err() {
        drop(file);
        let _ = tokio::fs::remove_file(&part).await;
        return done;
    }
    m.path = Some(path);
    Ok(())
}

/// The `UID FETCH uid BODY.PEEK[]` exchange: the body's octets go to
/// `file` (or are only counted) as they arrive.
async fn receive(
    session: &mut Session<'_>,
    m: &mut Fetched,
    mut file: Option<&mut BufWriter<tokio::fs::File>>,
) -> io::Result<()> {
    let attributes = FetchAttributes::List(vec![FetchAttribute::BodySection {
        peek: true,
        section: Section::default(),
        partial: None,
    }]);
    let id = session
        .client
        .fetch(SequenceSet::single(m.uid), attributes, true)
        .map_err(queue)?;
    // Whether the chunks now arriving are this message's BODY[].
    let mut ours = false;
    let mut whole = false;
    let mut received = 0u64;
    loop {
        match session.next_event().await? {
            Event::FetchLiteral { uid, item, .. } => {
                ours = (uid.is_none() || uid == Some(m.uid)) && is_whole_message(&item);
                whole |= ours;
            }
            Event::FetchChunk(data) => {
                if ours {
                    received += data.len() as u64;
                    if let Some(file) = file.as_mut() {
                        file.write_all(&data).await?;
                    }
                }
            }
            Event::FetchEnd { .. } => ours = false,
            // A body sent as a quoted string or NIL is not streamed.
            Event::Untagged(raw) => {
                if let Some(Response::Data(Data::Fetch { items, .. })) = raw.parse() {
                    let uid = items.iter().find_map(|i| match i {
                        FetchItem::Uid(u) => Some(*u),
                        _ => None,
                    });
                    for item in items {
                        if let FetchItem::BodySection {
                            section,
                            origin: None,
                            data,
                        } = item
                        {
                            if uid == Some(m.uid) && section == Section::default() {
                                let data = data.as_ref().map_or(&[][..], |d| d.as_bytes());
                                received += data.len() as u64;
                                whole = true;
                                if let Some(file) = file.as_mut() {
                                    file.write_all(data).await?;
                                }
                            }
                        }
                    }
                }
            }
            Event::Done {
                id: done,
                status,
                response,
                ..
            } if done == id => {
                if status != StatusKind::Ok {
                    return Err(io::Error::other(format!(
                        "UID FETCH {} BODY.PEEK[] refused: {}",
                        m.uid,
                        status_text(&response)
                    )));
                }
                break;
            }
            Event::Aborted { id: aborted } if aborted == id => return Err(session.ended()),
            event => session.other(event)?,
        }
    }
    if !whole {
        return Err(io::Error::other(format!(
            "UID FETCH {}: the server sent no BODY[]",
            m.uid
        )));
    }
    m.received = received;
    Ok(())
}

/// `UID STORE uid +FLAGS.SILENT (...)` for `seen` and `delete`.
async fn mark(session: &mut Session<'_>, m: &mut Fetched) -> io::Result<()> {
    let mut flags = Vec::new();
    if session.fetch.seen {
        flags.push(Flag::Seen);
    }
    if session.fetch.delete {
        flags.push(Flag::Deleted);
    }
    if flags.is_empty() {
        return Ok(());
    }
    let store = StoreFlags {
        mode: StoreMode::Add,
        silent: true,
        flags,
    };
    let id = session
        .client
        .store(SequenceSet::single(m.uid), store, true)
        .map_err(queue)?;
    session
        .expect_ok(id, &format!("UID STORE {}", m.uid))
        .await?;
    m.marked_seen = session.fetch.seen;
    Ok(())
}

/// Removes the messages flagged `\Deleted`: `UID EXPUNGE` of exactly
/// ours with UIDPLUS, else `EXPUNGE`.
async fn expunge(session: &mut Session<'_>, messages: &mut [Fetched]) -> io::Result<()> {
    let id = if session.client.has_capability(&Capability::UidPlus) {
        let ranges = messages
            .iter()
            .map(|m| m.uid.to_string())
            .collect::<Vec<_>>();
        let set = SequenceSet::new(&ranges.join(","))
            .map_err(|e| io::Error::other(e.to_string()))?
            .into_owned();
        session.client.command(CommandBody::UidExpunge { set })
    } else {
        session.client.expunge()
    }
    .map_err(queue)?;
    let mut expunged = 0usize;
    let (status, text) = session
        .finish(id, |response| {
            if let Response::Data(Data::Expunge(_)) = response {
                expunged += 1;
            }
        })
        .await?;
    if status != StatusKind::Ok {
        return Err(io::Error::other(format!("EXPUNGE refused: {text}")));
    }
    if expunged < messages.len() {
        return Err(io::Error::other(format!(
            "EXPUNGE removed {expunged} of {} messages",
            messages.len()
        )));
    }
    for m in messages {
        m.deleted = true;
    }
    Ok(())
}

/// A connector that trusts only the certificates in the PEM file `ca`
/// (e.g. a test server's self-signed certificate).
pub(crate) fn ca_connector(ca: &Path) -> io::Result<TlsConnector> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(ca)?;
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        let certificate = certificate.map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", ca.display()))
        })?;
        roots.add(certificate).map_err(io::Error::other)?;
    }
    if roots.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no certificate", ca.display()),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The client's bytes as `C:` lines; with `redact`, everything after
/// `LOGIN` or `AUTHENTICATE mechanism`, and every other line
/// (continuation answers, literals), is replaced by `<redacted>`.
pub(crate) fn client_lines(bytes: &[u8], redact: bool) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split_terminator("\r\n")
        .map(|line| {
            if !redact {
                return format!("C: {}", shorten(line));
            }
            let words: Vec<&str> = line.splitn(4, ' ').collect();
            match words.as_slice() {
                [tag, command, ..] if command.eq_ignore_ascii_case("LOGIN") => {
                    format!("C: {tag} {command} <redacted>")
                }
                [tag, command, mechanism] if command.eq_ignore_ascii_case("AUTHENTICATE") => {
                    format!("C: {tag} {command} {mechanism}")
                }
                [tag, command, mechanism, ..] if command.eq_ignore_ascii_case("AUTHENTICATE") => {
                    format!("C: {tag} {command} {mechanism} <redacted>")
                }
                _ => "C: <redacted>".to_owned(),
            }
        })
        .collect()
}

fn shorten(line: &str) -> &str {
    match line.char_indices().nth(SHOWN_LINE) {
        Some((at, _)) => &line[..at],
        None => line,
    }
}

/// The server's bytes as `S:` lines as they arrive: a line once
/// complete, a literal of up to [`SHOWN_LITERAL`] octets inside its line,
/// a longer one as one `(N octets)` line. Holds at most one shortened
/// line.
#[derive(Default)]
pub(crate) struct ServerTranscript {
    /// The start of the current line (up to [`SHOWN_LINE`] octets).
    line: Vec<u8>,
    /// Octets of the current line beyond what `line` keeps.
    cut: usize,
    /// The last octets of the current line, to spot `{N}` at its end.
    tail: Vec<u8>,
    /// Literal octets still to come.
    literal_left: u64,
    /// The literal is too long to show.
    skipping: bool,
}

impl ServerTranscript {
    /// Takes the next bytes received; returns the lines they complete.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> Vec<String> {
        let mut lines = Vec::new();
        while !bytes.is_empty() {
            if self.literal_left > 0 {
                let n = usize::try_from(self.literal_left)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                if !self.skipping {
                    self.keep(&bytes[..n]);
                }
                self.literal_left -= n as u64;
                bytes = &bytes[n..];
                if self.literal_left == 0 {
                    self.tail.clear();
                }
                continue;
            }
            match bytes.iter().position(|&b| b == b'\n') {
                Some(at) => {
                    self.keep(&bytes[..=at]);
                    bytes = &bytes[at + 1..];
                    self.end_of_line(&mut lines);
                }
                None => {
                    self.keep(bytes);
                    bytes = &[];
                }
            }
        }
        lines
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = SHOWN_LINE.saturating_sub(self.line.len());
        let n = room.min(bytes.len());
        self.line.extend_from_slice(&bytes[..n]);
        self.cut += bytes.len() - n;
        self.tail
            .extend_from_slice(&bytes[bytes.len().saturating_sub(32)..]);
        let excess = self.tail.len().saturating_sub(32);
        self.tail.drain(..excess);
    }

    /// A line ended: a literal announcement continues it, else print it.
    fn end_of_line(&mut self, out: &mut Vec<String>) {
        if let Some(size) = literal_size(&self.tail) {
            self.literal_left = size;
            self.skipping = size > SHOWN_LITERAL;
            if self.skipping {
                self.flush(out);
                out.push(format!("S: ({size} octets)"));
            }
            return;
        }
        self.flush(out);
    }

    fn flush(&mut self, out: &mut Vec<String>) {
        let text = String::from_utf8_lossy(&self.line);
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        for (i, line) in lines.iter().enumerate() {
            let more = i + 1 == lines.len() && self.cut > 0;
            if more {
                out.push(format!("S: {line}... ({} more octets)", self.cut));
            } else {
                out.push(format!("S: {line}"));
            }
        }
        self.line.clear();
        self.tail.clear();
        self.cut = 0;
    }
}

/// The size announced by a line ending in `{N}`, `{N+}` or `~{N}` CRLF.
fn literal_size(tail: &[u8]) -> Option<u64> {
    let body = tail.strip_suffix(b"}\r\n")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits
        .strip_suffix(b"+")
        .or_else(|| digits.strip_suffix(b"-"))
        .unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_announcements_at_the_end_of_a_line() {
        // RFC 3501 section 4.3 `{N}`, RFC 7888 `{N+}` / `{N-}`, RFC 3516 `~{N}`.
        assert_eq!(literal_size(b"* 1 FETCH (BODY[] {12}\r\n"), Some(12));
        assert_eq!(literal_size(b"a LOGIN {5+}\r\n"), Some(5));
        assert_eq!(literal_size(b"a LOGIN {5-}\r\n"), Some(5));
        assert_eq!(literal_size(b"* 1 FETCH (BINARY[1] ~{0}\r\n"), Some(0));
        assert_eq!(literal_size(b"* OK {x}\r\n"), None);
        assert_eq!(literal_size(b"* OK {}\r\n"), None);
        assert_eq!(literal_size(b"* OK done\r\n"), None);
        assert_eq!(literal_size(b"* OK {12}"), None);
    }

    /// A FETCH with a small literal (an ENVELOPE subject) and one with a
    /// message body, as Dovecot sends them.
    const SESSION: &[u8] = b"* 1 FETCH (UID 7 ENVELOPE (NIL {5}\r\nhello NIL))\r\n\
* 1 FETCH (UID 7 BODY[] {300}\r\n";

    fn session() -> Vec<u8> {
        let mut bytes = SESSION.to_vec();
        bytes.extend_from_slice(&[b'x'; 298]);
        bytes.extend_from_slice(b"\r\n)\r\nA3 OK done\r\n");
        bytes
    }

    #[test]
    fn the_server_transcript_shows_small_literals_and_sizes_of_long_ones() {
        let lines = ServerTranscript::default().feed(&session());
        assert_eq!(
            lines,
            [
                "S: * 1 FETCH (UID 7 ENVELOPE (NIL {5}",
                "S: hello NIL))",
                "S: * 1 FETCH (UID 7 BODY[] {300}",
                "S: (300 octets)",
                "S: )",
                "S: A3 OK done",
            ]
        );
    }

    #[test]
    fn the_server_transcript_is_the_same_however_the_bytes_are_split() {
        let bytes = session();
        let whole = ServerTranscript::default().feed(&bytes);
        for at in 0..=bytes.len() {
            let mut t = ServerTranscript::default();
            let mut lines = t.feed(&bytes[..at]);
            lines.extend(t.feed(&bytes[at..]));
            assert_eq!(lines, whole, "split at {at}");
        }
        let mut t = ServerTranscript::default();
        let lines: Vec<String> = bytes.chunks(1).flat_map(|b| t.feed(b)).collect();
        assert_eq!(lines, whole, "byte by byte");
    }

    #[test]
    fn a_long_line_is_cut_and_its_literal_still_found() {
        let mut line = b"* 1 FETCH (UID 7 X-LONG \"".to_vec();
        line.extend_from_slice(&[b'y'; 5000]);
        line.extend_from_slice(b"\" BODY[] {1000}\r\n");
        let mut t = ServerTranscript::default();
        let lines = t.feed(&line);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].ends_with(" more octets)"), "{}", lines[0]);
        assert!(lines[0].len() < SHOWN_LINE + 40);
        assert_eq!(lines[1], "S: (1000 octets)");
        // The body, whatever it holds, prints nothing.
        assert!(t.feed(&[b'\n'; 1000]).is_empty());
        assert_eq!(t.feed(b")\r\n"), ["S: )"]);
    }

    #[test]
    fn the_client_transcript_redacts_the_login() {
        let login = client_lines(b"AB1 LOGIN alice \"s3cret pass\"\r\n", true);
        assert_eq!(login, ["C: AB1 LOGIN <redacted>"]);
        let plain = client_lines(b"AB2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n", true);
        assert_eq!(plain, ["C: AB2 AUTHENTICATE PLAIN <redacted>"]);
        // Without SASL-IR the response follows the server's "+".
        let asked = client_lines(b"AB2 AUTHENTICATE PLAIN\r\n", true);
        assert_eq!(asked, ["C: AB2 AUTHENTICATE PLAIN"]);
        let answer = client_lines(b"AGFsaWNlAHNlY3JldA==\r\n", true);
        assert_eq!(answer, ["C: <redacted>"]);
        // A password sent as a literal.
        let literal = client_lines(b"AB3 LOGIN alice {8+}\r\np\xc3\xa4ssword\r\n", true);
        assert_eq!(literal, ["C: AB3 LOGIN <redacted>", "C: <redacted>"]);
        let select = client_lines(b"AB4 SELECT INBOX\r\n", false);
        assert_eq!(select, ["C: AB4 SELECT INBOX"]);
    }

    #[test]
    fn status_text_drops_the_tag() {
        let raw =
            RawResponse::from_static(b"AB1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
        assert_eq!(
            status_text(&raw),
            "NO [AUTHENTICATIONFAILED] Authentication failed."
        );
    }

    #[test]
    fn the_options_never_show_the_password() {
        let fetch = Fetch {
            server: "127.0.0.1:143".parse().unwrap(),
            user: "alice".to_owned(),
            password: "s3cret".to_owned(),
            starttls: false,
            login: LoginMethod::Login,
            mailbox: "INBOX".to_owned(),
            examine: false,
            seen: false,
            delete: false,
            out: None,
            transcript: false,
            idle: None,
        };
        let debug = format!("{fetch:?}");
        assert!(
            debug.contains("alice") && !debug.contains("s3cret"),
            "{debug}"
        );
        assert_eq!(LoginMethod::from_name("PLAIN"), Some(LoginMethod::Plain));
        assert_eq!(LoginMethod::from_name("cram-md5"), None);
    }
}
