//! The sans-IO client and server driving each other in memory, with no
//! socket: every byte the server writes goes to the client and back, in
//! pieces of a chosen size. A small application on each side: a mailbox
//! of messages behind the server (FETCH bodies streamed out of it, APPEND
//! streamed into it), and a client that logs in, selects, fetches every
//! body, appends one, searches, idles until the server reports new mail
//! and logs out. The session must come out the same at every piece size,
//! and every message must cross whole.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Buf, BytesMut};
use mailwire_imap::client::{Client, ClientConfig, CommandId as ClientId, Event as ClientEvent};
use mailwire_imap::server::{CommandId, Event, Server, ServerConfig};
use mailwire_imap::types::{
    CommandBody, Data, FetchAttribute, FetchAttributes, Flag, Mailbox, Response, SearchKey,
    Section, SequenceSet, StatusKind, StreamedItem,
};
use proptest::prelude::*;

/// A message in the server's mailbox.
#[derive(Debug, Clone)]
struct Stored {
    uid: u32,
    flags: Vec<String>,
    body: Vec<u8>,
}

/// A FETCH being streamed: which messages are left, and how far into the
/// current one.
struct Streaming {
    id: CommandId,
    left: VecDeque<usize>,
    current: Option<(usize, usize, mailwire_imap::encode::FetchLiteralWriter)>,
}

/// The server side: the machine and a mailbox.
struct ServerSide {
    server: Server,
    mailbox: Vec<Stored>,
    next_uid: u32,
    appending: Option<(CommandId, Vec<String>, Vec<u8>)>,
    streaming: Option<Streaming>,
    /// Mail to announce while the client idles.
    arriving: Option<Vec<u8>>,
    log: Vec<String>,
}

impl ServerSide {
    fn new(now: Instant, messages: &[Vec<u8>]) -> Self {
        let mailbox = messages
            .iter()
            .enumerate()
            .map(|(i, body)| Stored {
                uid: i as u32 + 1,
                flags: Vec::new(),
                body: body.clone(),
            })
            .collect::<Vec<_>>();
        Self {
            server: Server::new(Arc::new(ServerConfig::default()), now),
            next_uid: mailbox.len() as u32 + 1,
            mailbox,
            appending: None,
            streaming: None,
            arriving: Some(b"Subject: late\r\n\r\nnew mail\r\n".to_vec()),
            log: Vec::new(),
        }
    }

    /// Acts on the machine's events, then moves a streamed FETCH on as far
    /// as the machine's output bound lets it.
    fn work(&mut self) {
        while let Some(event) = self.server.poll_event() {
            self.on_event(event);
        }
        self.stream();
    }

    fn on_event(&mut self, event: Event) {
        let server = &mut self.server;
        match event {
            Event::Login {
                id,
                username,
                password,
                ..
            } => {
                let ok = username == "fred" && password.expose() == "secret";
                self.log.push(format!("login {username} {ok}"));
                let status = if ok { StatusKind::Ok } else { StatusKind::No };
                server.complete(id, status, None, "LOGIN done").unwrap();
            }
            Event::Command { id, command } => {
                self.log.push(format!("command {}", command.body.name()));
                match command.body {
                    CommandBody::Select { .. } => {
                        let exists = Response::Data(Data::Exists(self.mailbox.len() as u32));
                        server.send_untagged(&exists).unwrap();
                        server
                            .send_raw(b"* OK [UIDVALIDITY 1] UIDs valid\r\n")
                            .unwrap();
                        let next = format!("* OK [UIDNEXT {}] next\r\n", self.next_uid);
                        server.send_raw(next.as_bytes()).unwrap();
                        server
                            .complete(id, StatusKind::Ok, None, "SELECT done")
                            .unwrap();
                    }
                    CommandBody::Fetch { .. } => {
                        self.streaming = Some(Streaming {
                            id,
                            left: (0..self.mailbox.len()).collect(),
                            current: None,
                        });
                    }
                    CommandBody::Search { .. } => {
                        let mut line = String::from("* SEARCH");
                        for n in 1..=self.mailbox.len() {
                            line.push_str(&format!(" {n}"));
                        }
                        line.push_str("\r\n");
                        server.send_raw(line.as_bytes()).unwrap();
                        server
                            .complete(id, StatusKind::Ok, None, "SEARCH done")
                            .unwrap();
                    }
                    _ => server.complete(id, StatusKind::Ok, None, "done").unwrap(),
                }
            }
            Event::AppendStart {
                id, flags, size, ..
            } => {
                self.log.push(format!("append {size}"));
                let flags = flags.iter().map(ToString::to_string).collect();
                self.appending = Some((id, flags, Vec::new()));
                server.accept_append(id).unwrap();
            }
            Event::AppendData(chunk) => {
                let (_, _, body) = self.appending.as_mut().expect("an APPEND is open");
                body.extend_from_slice(&chunk);
            }
            Event::AppendEnd { id } => {
                let (_, flags, body) = self.appending.take().expect("an APPEND is open");
                self.mailbox.push(Stored {
                    uid: self.next_uid,
                    flags,
                    body,
                });
                self.next_uid += 1;
                let code = format!("APPEND done (uid {})", self.next_uid - 1);
                server.complete(id, StatusKind::Ok, None, &code).unwrap();
            }
            Event::Idle { .. } => {
                self.log.push("idle".into());
                // New mail arrives while the client idles: announce it.
                if let Some(body) = self.arriving.take() {
                    self.mailbox.push(Stored {
                        uid: self.next_uid,
                        flags: Vec::new(),
                        body,
                    });
                    self.next_uid += 1;
                    let exists = Response::Data(Data::Exists(self.mailbox.len() as u32));
                    server.send_untagged(&exists).unwrap();
                }
            }
            Event::IdleDone { .. } => self.log.push("idle done".into()),
            other => self.log.push(format!("{other:?}")),
        }
    }

    /// Streams the FETCH in pieces of at most 1000 octets while the
    /// machine wants data.
    fn stream(&mut self) {
        let Some(job) = self.streaming.as_mut() else {
            return;
        };
        while self.server.wants_data() {
            match job.current.take() {
                None => match job.left.pop_front() {
                    Some(index) => {
                        let message = &self.mailbox[index];
                        let seq = NonZeroU32::new(index as u32 + 1).unwrap();
                        let uid = NonZeroU32::new(message.uid).unwrap();
                        let item = StreamedItem::BodySection {
                            section: Section::default(),
                            origin: None,
                        };
                        let writer = self
                            .server
                            .fetch_begin(
                                seq,
                                &[mailwire_imap::types::FetchItem::Uid(uid)],
                                &item,
                                message.body.len() as u64,
                            )
                            .unwrap();
                        job.current = Some((index, 0, writer));
                    }
                    None => {
                        let id = job.id;
                        self.streaming = None;
                        self.server
                            .complete(id, StatusKind::Ok, None, "FETCH done")
                            .unwrap();
                        return;
                    }
                },
                Some((index, offset, mut writer)) => {
                    let body = &self.mailbox[index].body;
                    if offset == body.len() {
                        self.server.fetch_finish(writer, &[]).unwrap();
                    } else {
                        let end = body.len().min(offset + 1000);
                        self.server
                            .fetch_chunk(&mut writer, &body[offset..end])
                            .unwrap();
                        job.current = Some((index, end, writer));
                    }
                }
            }
        }
    }
}

/// What the client saw, for comparing sessions.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    /// Completed commands in order: (which, status).
    done: Vec<(&'static str, StatusKind)>,
    /// Untagged lines, as sent.
    untagged: Vec<String>,
    /// Each streamed FETCH body: (seq, uid, octets).
    bodies: Vec<(u32, Option<u32>, Vec<u8>)>,
    closed: bool,
}

/// The client side: the machine, the script, and what it saw.
struct ClientSide {
    client: Client,
    names: Vec<(ClientId, &'static str)>,
    append: Option<(ClientId, Vec<u8>, usize)>,
    idle: Option<ClientId>,
    seen: Seen,
}

impl ClientSide {
    fn new(now: Instant, upload: Vec<u8>) -> Self {
        let mut client = Client::new(ClientConfig::new(7), now);
        let mut names = Vec::new();
        // The whole script is queued at once: the machine sends each
        // command when the one it must wait for has completed.
        names.push((client.login("fred", "secret").unwrap(), "LOGIN"));
        names.push((client.select(Mailbox::Inbox).unwrap(), "SELECT"));
        let body = FetchAttributes::List(vec![
            FetchAttribute::Uid,
            FetchAttribute::BodySection {
                peek: true,
                section: Section::default(),
                partial: None,
            },
        ]);
        let set = SequenceSet::new("1:*").unwrap();
        names.push((client.fetch(set, body, false).unwrap(), "FETCH"));
        let size = upload.len() as u64;
        let append = client
            .append(Mailbox::Inbox, &[Flag::Seen], None, size)
            .unwrap();
        names.push((append, "APPEND"));
        names.push((
            client.search(vec![SearchKey::All], false).unwrap(),
            "SEARCH",
        ));
        let idle = client.idle().unwrap();
        names.push((idle, "IDLE"));
        names.push((client.logout().unwrap(), "LOGOUT"));
        Self {
            client,
            names,
            append: Some((append, upload, 0)),
            idle: Some(idle),
            seen: Seen::default(),
        }
    }

    fn name(&self, id: ClientId) -> &'static str {
        self.names
            .iter()
            .find(|(i, _)| *i == id)
            .map_or("?", |(_, n)| n)
    }

    fn work(&mut self) {
        while let Some(event) = self.client.poll_event() {
            match event {
                ClientEvent::Greeting { .. } => {}
                ClientEvent::Untagged(raw) => {
                    let line = String::from_utf8_lossy(raw.as_bytes())
                        .trim_end()
                        .to_owned();
                    // While idling, new mail is the cue to stop idling.
                    if self.idle.is_some() && line.ends_with("EXISTS") && self.seen.done.len() >= 5
                    {
                        self.client.idle_done().unwrap();
                        self.idle = None;
                    }
                    self.seen.untagged.push(line);
                }
                ClientEvent::FetchLiteral { seq, uid, size, .. } => {
                    assert!(size < 1 << 24);
                    self.seen
                        .bodies
                        .push((seq.get(), uid.map(NonZeroU32::get), Vec::new()));
                }
                ClientEvent::FetchChunk(chunk) => {
                    let (_, _, body) = self.seen.bodies.last_mut().expect("a literal is open");
                    body.extend_from_slice(&chunk);
                }
                ClientEvent::FetchEnd { seq, uid } => {
                    let (s, u, _) = self.seen.bodies.last_mut().expect("a literal ended");
                    assert_eq!(*s, seq.get());
                    if u.is_none() {
                        *u = uid.map(NonZeroU32::get);
                    }
                }
                ClientEvent::AppendReady { id } => {
                    assert_eq!(Some(id), self.append.as_ref().map(|a| a.0));
                }
                ClientEvent::Idling { .. } => {}
                ClientEvent::Done { id, status, .. } => {
                    let name = self.name(id);
                    self.seen.done.push((name, status));
                }
                ClientEvent::Bye(_) => {}
                ClientEvent::Closed => self.seen.closed = true,
                other => panic!("unexpected client event {other:?}"),
            }
        }
        // Stream the APPEND message as far as the machine takes it.
        if let Some((_, data, sent)) = self.append.as_mut() {
            if *sent < data.len() {
                if let Ok(n) = self.client.append_data(&data[*sent..]) {
                    *sent += n;
                }
            }
        }
    }
}

/// Runs the session with every transfer cut to `piece` octets; returns
/// what the client saw, the server's mailbox and log.
fn session(messages: &[Vec<u8>], upload: &[u8], piece: usize) -> (Seen, Vec<Stored>, Vec<String>) {
    let now = Instant::now();
    let mut server = ServerSide::new(now, messages);
    let mut client = ClientSide::new(now, upload.to_vec());
    let (mut to_client, mut to_server) = (BytesMut::new(), BytesMut::new());
    let mut idle_rounds = 0;
    while !(client.seen.closed && to_client.is_empty()) {
        let before = (to_client.len(), to_server.len(), client.seen.clone_len());
        server.work();
        let _ = server.server.poll_output(&mut to_client);
        let n = to_client.len().min(piece);
        let taken = client.client.handle_input(now, &to_client[..n]);
        to_client.advance(taken);
        client.work();
        let _ = client.client.poll_output(&mut to_server);
        let n = to_server.len().min(piece);
        let taken = server.server.handle_input(now, &to_server[..n]);
        to_server.advance(taken);
        if (to_client.len(), to_server.len(), client.seen.clone_len()) == before {
            idle_rounds += 1;
            assert!(
                idle_rounds < 1000,
                "stuck: {:?} {:?}",
                client.seen,
                server.log
            );
        } else {
            idle_rounds = 0;
        }
        // The connection ends once the server closed and everything it
        // wrote has reached the client.
        let _ = server.server.poll_output(&mut to_client);
        if server.server.is_closed() && to_client.is_empty() && !client.seen.closed {
            client.client.handle_eof();
            client.work();
        }
    }
    (client.seen, server.mailbox, server.log)
}

impl Seen {
    /// A measure of progress, to notice a session that is stuck.
    fn clone_len(&self) -> (usize, usize, usize, usize) {
        (
            self.done.len(),
            self.untagged.len(),
            self.bodies.len(),
            self.bodies.last().map_or(0, |b| b.2.len()),
        )
    }
}

/// A message of `size` octets: header, then lines of text, with a dot
/// line and 8-bit text (IMAP literals carry any octet but NUL).
fn message(size: usize, seed: u8) -> Vec<u8> {
    let mut body = format!("Subject: message {seed}\r\n\r\n").into_bytes();
    let line = "Gr\u{fc}\u{df}e . a line of text for the pair test\r\n".as_bytes();
    while body.len() < size {
        body.extend_from_slice(line);
    }
    body.truncate(size.max(24));
    body
}

#[test]
fn the_whole_session_at_every_piece_size() {
    let messages = vec![message(5_000, 1), message(40_000, 2)];
    let upload = message(64 * 1024, 3);
    let (reference, mailbox, log) = session(&messages, &upload, 1 << 20);
    assert_eq!(
        reference.done,
        [
            ("LOGIN", StatusKind::Ok),
            ("SELECT", StatusKind::Ok),
            ("FETCH", StatusKind::Ok),
            ("APPEND", StatusKind::Ok),
            ("SEARCH", StatusKind::Ok),
            ("IDLE", StatusKind::Ok),
            ("LOGOUT", StatusKind::Ok),
        ]
    );
    // Both bodies crossed whole, with their sequence numbers and UIDs.
    assert_eq!(reference.bodies.len(), 2);
    for (i, (seq, uid, body)) in reference.bodies.iter().enumerate() {
        assert_eq!((*seq, *uid), (i as u32 + 1, Some(i as u32 + 1)));
        assert_eq!(body, &messages[i]);
    }
    // The APPEND arrived whole with its flag; SEARCH saw it; IDLE saw the
    // mail that came meanwhile.
    assert_eq!(mailbox.len(), 4);
    assert_eq!(mailbox[2].body, upload);
    assert_eq!(mailbox[2].flags, ["\\Seen"]);
    assert!(reference.untagged.contains(&"* SEARCH 1 2 3".to_owned()));
    assert!(reference.untagged.contains(&"* 4 EXISTS".to_owned()));
    assert!(log.contains(&"idle done".to_owned()), "{log:?}");
    assert!(reference.closed);

    for piece in [1, 2, 3, 7, 64, 1000, 4096, 65_537] {
        let (seen, mailbox_now, log_now) = session(&messages, &upload, piece);
        assert_eq!(seen, reference, "piece size {piece}");
        assert_eq!(log_now, log, "piece size {piece}");
        assert_eq!(mailbox_now[2].body, upload, "piece size {piece}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any message without NUL crosses in both directions unchanged, at
    /// any piece size.
    #[test]
    fn any_message_crosses_both_ways(
        body in proptest::collection::vec(1u8..=255, 0..3000),
        upload in proptest::collection::vec(1u8..=255, 0..3000),
        piece in 1usize..600,
    ) {
        let (seen, mailbox, _) = session(std::slice::from_ref(&body), &upload, piece);
        prop_assert_eq!(seen.bodies.len(), 1);
        prop_assert_eq!(&seen.bodies[0].2, &body);
        prop_assert_eq!(&mailbox[1].body, &upload);
        prop_assert!(seen.closed);
    }
}
