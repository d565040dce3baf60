//! The `mail_server` example's IMAP service under load while mail
//! arrives: 200 IMAP sessions at once (20 per user) log in, select INBOX
//! and poll with NOOP; whenever the mailbox grows they fetch the new
//! messages' bodies, streamed; meanwhile 50 SMTP sessions deliver 200
//! messages to the ten users through the MX. Every session must end up
//! having fetched every message of its user exactly once, each whole, and
//! every sequence number must hold the message the UID says.
//!
//! The IMAP clients are `mailwire_imap::client::Client` machines on tokio
//! (in this file); the server is the example binary, its own process.

mod support;

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use mailwire_imap::client::{Client, ClientConfig, CommandId, Event};
use mailwire_imap::types::{
    Data, FetchAttribute, FetchAttributes, Mailbox, Response, Section, SequenceSet, StatusKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::mail_server::{Acked, MailServer, load_message, load_session, raise_open_files};
use support::temp_dir;

const USERS: usize = 10;
const IMAP_SESSIONS: usize = 200;
const SMTP_SESSIONS: usize = 50;
const MESSAGES_PER_SMTP_SESSION: usize = 4;
const PER_USER: usize = SMTP_SESSIONS * MESSAGES_PER_SMTP_SESSION / USERS;

/// One IMAP connection driven by the sans-IO client.
struct Conn {
    client: Client,
    stream: TcpStream,
    input: BytesMut,
    output: BytesMut,
}

impl Conn {
    async fn connect(addr: SocketAddr, seed: u64) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            client: Client::new(ClientConfig::new(seed), Instant::now()),
            stream,
            input: BytesMut::with_capacity(64 * 1024),
            output: BytesMut::new(),
        })
    }

    /// Runs the session until command `id` completes, passing every other
    /// event to `on_event`; returns its status.
    async fn finish(
        &mut self,
        id: CommandId,
        mut on_event: impl FnMut(Event),
    ) -> io::Result<StatusKind> {
        loop {
            let _ = self.client.poll_output(&mut self.output);
            if !self.output.is_empty() {
                self.stream.write_all(&self.output).await?;
                self.output.clear();
            }
            let mut progressed = false;
            while let Some(event) = self.client.poll_event() {
                progressed = true;
                match event {
                    Event::Done {
                        id: done,
                        status,
                        text,
                        ..
                    } if done == id => {
                        if status != StatusKind::Ok {
                            return Err(io::Error::other(format!("{status:?} {text}")));
                        }
                        return Ok(status);
                    }
                    Event::Aborted { .. } | Event::Closed | Event::TimedOut => {
                        return Err(io::Error::other(format!("session ended: {event:?}")));
                    }
                    other => on_event(other),
                }
            }
            if !self.input.is_empty() {
                let taken = self.client.handle_input(Instant::now(), &self.input);
                self.input.advance(taken);
                if taken > 0 {
                    continue;
                }
            }
            if progressed {
                continue;
            }
            if self.stream.read_buf(&mut self.input).await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed",
                ));
            }
        }
    }
}

/// What one IMAP session fetched: (UID, load id) per message, and in how
/// many FETCH commands.
type Fetched = (Vec<(u32, String)>, usize);

/// One IMAP session of `user`: log in, select INBOX, then poll; fetch the
/// bodies of new messages as the mailbox grows, until `expected` have been
/// fetched. Each body is checked whole against what the load sent.
async fn imap_session(addr: SocketAddr, seed: u64, user: String) -> io::Result<Fetched> {
    let mut conn = Conn::connect(addr, seed).await?;
    let id = conn
        .client
        .login(&user, "secret")
        .map_err(io::Error::other)?;
    conn.finish(id, |_| {}).await?;
    let mut exists = 0u32;
    let id = conn
        .client
        .select(Mailbox::Inbox)
        .map_err(io::Error::other)?;
    conn.finish(id, |e| note_exists(&e, &mut exists)).await?;

    let to = format!("{user}@example.org");
    let mut fetched = Vec::new();
    let mut rounds = 0;
    let mut have = 0u32;
    let started = Instant::now();
    while fetched.len() < PER_USER {
        if exists > have {
            // New mail: fetch the bodies of the new sequence numbers.
            let range = format!("{}:{}", have + 1, exists);
            let set = SequenceSet::new(&range).map_err(io::Error::other)?;
            let attributes = FetchAttributes::List(vec![
                FetchAttribute::Uid,
                FetchAttribute::BodySection {
                    peek: true,
                    section: Section::default(),
                    partial: None,
                },
            ]);
            let id = conn
                .client
                .fetch(set, attributes, false)
                .map_err(io::Error::other)?;
            rounds += 1;
            let mut bodies: Vec<(u32, Option<u32>, Vec<u8>)> = Vec::new();
            let mut grown = exists;
            conn.finish(id, |event| match event {
                Event::FetchLiteral { seq, uid, .. } => {
                    bodies.push((seq.get(), uid.map(|u| u.get()), Vec::new()));
                }
                Event::FetchChunk(chunk) => {
                    if let Some(last) = bodies.last_mut() {
                        last.2.extend_from_slice(&chunk);
                    }
                }
                Event::FetchEnd { uid, .. } => {
                    if let Some(last) = bodies.last_mut() {
                        last.1 = last.1.or(uid.map(|u| u.get()));
                    }
                }
                other => note_exists(&other, &mut grown),
            })
            .await?;
            for (seq, uid, body) in bodies {
                let uid = uid.ok_or_else(|| io::Error::other(format!("no UID for {seq}")))?;
                let text = String::from_utf8_lossy(&body);
                let load_id = text
                    .lines()
                    .find_map(|l| l.strip_prefix("X-Load-Id: "))
                    .ok_or_else(|| io::Error::other(format!("{user} uid {uid}: no id")))?
                    .trim()
                    .to_owned();
                if !body.ends_with(load_message(&load_id, &to).as_bytes()) {
                    return Err(io::Error::other(format!("{user} uid {uid}: not whole")));
                }
                fetched.push((uid, load_id));
            }
            have = exists;
            exists = grown;
            continue;
        }
        if started.elapsed() > Duration::from_secs(120) {
            return Err(io::Error::other(format!(
                "{user}: {} of {PER_USER} after 120 s",
                fetched.len()
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let id = conn.client.noop().map_err(io::Error::other)?;
        conn.finish(id, |e| note_exists(&e, &mut exists)).await?;
    }
    let id = conn.client.logout().map_err(io::Error::other)?;
    // LOGOUT's OK may come after the BYE closes things on our side.
    let _ = conn.finish(id, |_| {}).await;
    Ok((fetched, rounds))
}

/// Keeps the largest `* n EXISTS` seen.
fn note_exists(event: &Event, exists: &mut u32) {
    if let Event::Untagged(raw) = event {
        if let Some(Response::Data(Data::Exists(n))) = raw.parse() {
            *exists = (*exists).max(n);
        }
    }
}

#[test]
fn two_hundred_imap_sessions_fetch_while_mail_arrives() {
    let limit = raise_open_files(4096);
    assert!(
        limit >= 2 * (IMAP_SESSIONS + SMTP_SESSIONS) as u64 + 256,
        "the open-files limit {limit} is too low"
    );
    let dir = temp_dir();
    let root = dir.path().join("tree");
    let names: Vec<String> = (0..USERS).map(|i| format!("user{i}")).collect();
    let users: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "secret")).collect();
    let server = MailServer::start(&root, &users, &[]);
    let imap = SocketAddr::from(([127, 0, 0, 1], server.imap));
    let smtp = SocketAddr::from(([127, 0, 0, 1], server.smtp));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let acked = Arc::new(Acked::default());
    let started = Instant::now();
    let (readers, senders) = runtime.block_on(async {
        let mut readers = Vec::new();
        for session in 0..IMAP_SESSIONS {
            let user = format!("user{}", session % USERS);
            readers.push(tokio::spawn(async move {
                (
                    user.clone(),
                    imap_session(imap, session as u64 + 1, user).await,
                )
            }));
        }
        // The readers are in and polling; now the mail comes.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut senders = Vec::new();
        for session in 0..SMTP_SESSIONS {
            let acked = Arc::clone(&acked);
            senders.push(tokio::spawn(async move {
                let to = |session: usize, n: usize| {
                    format!(
                        "user{}@example.org",
                        (session * MESSAGES_PER_SMTP_SESSION + n) % USERS
                    )
                };
                load_session(smtp, "i", session, MESSAGES_PER_SMTP_SESSION, to, &acked).await
            }));
        }
        let mut sent = Vec::new();
        for task in senders {
            sent.push(task.await.unwrap());
        }
        let mut read = Vec::new();
        for task in readers {
            read.push(task.await.unwrap());
        }
        (read, sent)
    });
    let elapsed = started.elapsed();
    for result in &senders {
        assert!(
            result.is_ok(),
            "an SMTP session failed: {result:?}\n{}",
            server.child
        );
    }
    assert_eq!(
        acked.count.load(Ordering::Relaxed),
        SMTP_SESSIONS * MESSAGES_PER_SMTP_SESSION
    );

    // What each user was sent, by load id.
    let mut sent: HashMap<String, HashSet<String>> = HashMap::new();
    for (id, to) in acked.ids.lock().unwrap().iter() {
        let user = to.split('@').next().unwrap().to_owned();
        sent.entry(user).or_default().insert(id.clone());
    }
    let mut fetched_total = 0;
    let mut rounds_total = 0;
    let mut uid_of: HashMap<(String, String), u32> = HashMap::new();
    for (user, result) in &readers {
        let (fetched, rounds) = match result {
            Ok((fetched, rounds)) => (fetched, *rounds),
            Err(error) => panic!(
                "an IMAP session of {user} failed: {error}\n{}",
                server.child
            ),
        };
        let ids: Vec<&String> = fetched.iter().map(|(_, id)| id).collect();
        let distinct: HashSet<&String> = ids.iter().copied().collect();
        assert_eq!(ids.len(), distinct.len(), "{user} fetched a message twice");
        let expected: HashSet<&String> = sent[user].iter().collect();
        assert_eq!(
            distinct, expected,
            "{user} fetched other messages than were sent"
        );
        // Every session of a user sees the same UID for the same message.
        for (uid, id) in fetched {
            let first = *uid_of.entry((user.clone(), id.clone())).or_insert(*uid);
            assert_eq!(first, *uid, "{user}: {id} has two UIDs");
        }
        fetched_total += fetched.len();
        rounds_total += rounds;
    }
    // The mail arrived while the sessions were reading: they fetched it
    // in several rounds, not all at the end.
    assert!(
        rounds_total > IMAP_SESSIONS,
        "{rounds_total} FETCH rounds for {IMAP_SESSIONS} sessions"
    );
    assert_eq!(fetched_total, IMAP_SESSIONS * PER_USER);
    eprintln!(
        "{IMAP_SESSIONS} IMAP sessions fetched {fetched_total} bodies in {rounds_total} FETCH rounds while {} messages arrived, in {elapsed:.2?}",
        SMTP_SESSIONS * MESSAGES_PER_SMTP_SESSION
    );
    drop(server);
    drop(dir);
}
