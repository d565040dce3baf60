//! The sans-IO client and server driving each other in memory: no
//! sockets, no clock, the bytes one side writes are the bytes the other
//! reads, in pieces of a chosen size. Whole sessions (pipelined, STLS,
//! every login, RETR/TOP/DELE/RSET/QUIT) and, by proptest, any message
//! content and piece size: what the client receives is what the
//! application gave the server, with line endings made CRLF.

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use mailwire_pop3::client::{Client, CommandId, Config, Event as ClientEvent, Sasl};
use mailwire_pop3::server::{
    Event as ServerEvent, Maildrop, Mechanism, MessageInfo, Server, ServerConfig,
};
use mailwire_pop3::types::Response;
use proptest::prelude::*;

/// The server's application: a maildrop in memory and one account.
struct Store {
    messages: Vec<Vec<u8>>,
    removed: Vec<usize>,
}

/// The message as sent on the wire (and so as the client receives it):
/// every line ending CRLF, a final one added.
fn on_the_wire(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 2);
    let mut i = 0;
    while i < message.len() {
        match message[i] {
            b'\r' if message.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Both machines and what passes between them.
struct Pair {
    client: Client,
    server: Server,
    store: Store,
    piece: usize,
    /// What the client's application saw, in order.
    events: Vec<ClientEvent>,
    /// Set when both ends said STLS; the "handshake" happens in `run`.
    tls: (bool, bool),
    now: Instant,
}

impl Pair {
    fn new(config: ServerConfig, messages: Vec<Vec<u8>>, piece: usize) -> Self {
        let now = Instant::now();
        let mut server = Server::new(Arc::new(config), now);
        server.set_nonce("4711.1700000000@pop.test").unwrap();
        let mut client = Client::new(Config::default());
        client.handle_timeout(now);
        Self {
            client,
            server,
            store: Store {
                messages,
                removed: Vec::new(),
            },
            piece,
            events: Vec::new(),
            tls: (false, false),
            now,
        }
    }

    /// Moves bytes both ways, in pieces, answering the server's events,
    /// until neither side has anything more to say.
    fn run(&mut self) {
        for _ in 0..1_000_000 {
            let mut progress = false;
            // The server's application decides.
            while let Some(event) = self.server.poll_event() {
                progress = true;
                self.serve(event);
            }
            let mut to_client = BytesMut::new();
            while self.server.poll_output(&mut to_client) > 0 {
                while let Some(event) = self.server.poll_event() {
                    self.serve(event);
                }
            }
            for piece in to_client.chunks(self.piece) {
                progress = true;
                let mut rest = piece;
                while !rest.is_empty() {
                    let taken = self.client.handle_input(rest);
                    rest = &rest[taken..];
                    self.drain_client();
                }
            }
            self.drain_client();
            let mut to_server = BytesMut::new();
            let _ = self.client.poll_output(&mut to_server);
            for piece in to_server.chunks(self.piece) {
                progress = true;
                let mut rest = piece;
                while !rest.is_empty() {
                    let taken = self.server.handle_input(self.now, rest);
                    assert!(
                        taken > 0 || self.server.poll_event().is_some() || {
                            let mut out = BytesMut::new();
                            self.server.poll_output(&mut out) > 0
                        },
                        "the server is stuck"
                    );
                    rest = &rest[taken..];
                    while let Some(event) = self.server.poll_event() {
                        self.serve(event);
                    }
                }
            }
            // STLS: both ends agreed and every byte before it was read;
            // the handshake itself is outside both machines.
            if self.tls == (true, true) {
                self.tls = (false, false);
                self.server.tls_established().unwrap();
                let _ = self.client.tls_established();
                progress = true;
            }
            if !progress {
                return;
            }
        }
        panic!("the session does not end");
    }

    fn drain_client(&mut self) {
        while let Some(event) = self.client.poll_event() {
            if matches!(event, ClientEvent::StartTls { .. }) {
                self.tls.0 = true;
            }
            self.events.push(event);
        }
    }

    fn serve(&mut self, event: ServerEvent) {
        let login = |server: &mut Server, store: &Store, ok: bool| {
            if ok {
                let infos = store
                    .messages
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        MessageInfo::new(on_the_wire(m).len() as u64, format!("uid-{i}")).unwrap()
                    })
                    .collect();
                server.accept_login(Maildrop::new(infos).unwrap()).unwrap();
            } else {
                server.reject_login(Response::err("no")).unwrap();
            }
        };
        match event {
            ServerEvent::Login(l) => {
                let ok = l.user == "joe" && l.password.expose() == "secret";
                login(&mut self.server, &self.store, ok);
            }
            ServerEvent::Apop(a) => {
                let ok = a.user == "joe" && a.verify("secret");
                login(&mut self.server, &self.store, ok);
            }
            ServerEvent::Auth(a) => {
                let ok = match &a.credentials {
                    mailwire_core::sasl::Credentials::Password {
                        username, password, ..
                    } => username == "joe" && password.expose() == "secret",
                    mailwire_core::sasl::Credentials::CramMd5(r) => {
                        r.username() == "joe" && r.verify(b"secret")
                    }
                    _ => false,
                };
                login(&mut self.server, &self.store, ok);
            }
            ServerEvent::Retrieve(r) => {
                // Handed over in small pieces, as an application reading a
                // file would, while the server wants more.
                let message = self.store.messages[r.index()].clone();
                for piece in message.chunks(7) {
                    if self.server.message_cut() {
                        break;
                    }
                    self.server.send_message(piece).unwrap();
                }
                self.server.end_message().unwrap();
            }
            ServerEvent::Update(u) => {
                self.store.removed.extend(u.indices());
                self.server.update_done().unwrap();
            }
            ServerEvent::StartTls => self.tls.1 = true,
            _ => {}
        }
    }

    /// The bytes of the message command `id` brought, joined.
    fn body(&self, id: CommandId) -> Vec<u8> {
        let mut body = Vec::new();
        for event in &self.events {
            if let ClientEvent::MessageData { id: of, data } = event {
                if *of == id {
                    body.extend_from_slice(data);
                }
            }
        }
        body
    }

    fn ended_ok(&self, id: CommandId) -> bool {
        self.events.iter().any(|e| match e {
            ClientEvent::MessageEnd { id: of }
            | ClientEvent::Deleted { id: of, .. }
            | ClientEvent::Done { id: of, .. }
            | ClientEvent::LoggedIn { id: of, .. }
            | ClientEvent::Capabilities { id: of, .. }
            | ClientEvent::StartTls { id: of } => *of == id,
            _ => false,
        })
    }
}

fn config() -> ServerConfig {
    let mut config = ServerConfig::new("pop.test");
    config.apop = true;
    config.stls = true;
    config.sasl = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    config
}

fn messages() -> Vec<Vec<u8>> {
    vec![
        b"Subject: one\r\n\r\n.starts with a dot\r\n.\r\n..\r\nend\r\n".to_vec(),
        b"Subject: two\n\nbare LF lines\nand no final newline".to_vec(),
        b"Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\n".to_vec(),
    ]
}

/// A whole session in memory: CAPA, STLS, CAPA again, a login of each
/// kind, pipelined listing and retrievals, TOP, DELE, RSET, DELE, QUIT.
fn whole_session(login: &str, piece: usize) {
    let mut pair = Pair::new(config(), messages(), piece);
    pair.run();
    assert!(matches!(pair.events[0], ClientEvent::Greeting { .. }));

    let capa = pair.client.capa().unwrap();
    pair.run();
    assert!(pair.ended_ok(capa));
    assert!(pair.client.capabilities().unwrap().stls());
    // Passwords in the clear need TLS by default: not offered yet.
    assert!(!pair.client.capabilities().unwrap().user());

    let stls = pair.client.stls().unwrap();
    pair.run();
    assert!(pair.client.is_tls() && pair.server.is_tls(), "{login}");
    assert!(pair.ended_ok(stls));
    let caps = pair.client.capabilities().expect("CAPA again after STLS");
    assert!(caps.user() && !caps.stls() && caps.pipelining());

    let login_id = match login {
        "user" => pair.client.login_user_pass("joe", "secret"),
        "apop" => pair.client.login_apop("joe", "secret"),
        "plain" => pair.client.authenticate(Sasl::plain("joe", "secret")),
        "login" => pair.client.authenticate(Sasl::login("joe", "secret")),
        "cram" => pair.client.authenticate(Sasl::cram_md5("joe", "secret")),
        other => panic!("{other}"),
    }
    .unwrap();
    // Queued at once: the client pipelines them after the login.
    let stat = pair.client.stat().unwrap();
    let uidl = pair.client.uidl(None).unwrap();
    let retr: Vec<CommandId> = (1..=3).map(|n| pair.client.retr(n).unwrap()).collect();
    let top = pair.client.top(3, 2).unwrap();
    let dele1 = pair.client.dele(1).unwrap();
    let rset = pair.client.rset().unwrap();
    let dele2 = pair.client.dele(2).unwrap();
    pair.client.quit().unwrap();
    pair.run();

    assert!(pair.ended_ok(login_id), "{login}: {:?}", pair.events);
    let sizes: u64 = messages().iter().map(|m| on_the_wire(m).len() as u64).sum();
    assert!(pair.events.iter().any(|e| matches!(e,
        ClientEvent::Stat { id, count: 3, size } if *id == stat && *size == sizes)));
    assert!(pair.events.iter().any(|e| matches!(e,
        ClientEvent::UniqueIds { id, entries, last: true }
            if *id == uidl && entries.iter().map(|(_, u)| u.as_str()).eq(["uid-0", "uid-1", "uid-2"]))));
    for (n, id) in retr.iter().enumerate() {
        assert_eq!(
            pair.body(*id),
            on_the_wire(&messages()[n]),
            "{login}: RETR {}",
            n + 1
        );
    }
    assert_eq!(
        pair.body(top),
        b"Subject: three\r\n\r\nl1\r\nl2\r\n",
        "TOP 3 2: the header, the blank line, two body lines"
    );
    for id in [dele1, rset, dele2] {
        assert!(pair.ended_ok(id));
    }
    // QUIT's answer ends the session: its event is `Closed`, with the +OK.
    assert!(
        matches!(pair.events.last(), Some(ClientEvent::Closed { response: Some(r) }) if r.is_ok())
    );
    assert!(pair.server.is_closed() && pair.client.is_closed());
    // RSET undid the first DELE: only message 2 goes.
    assert_eq!(pair.store.removed, [1]);
}

#[test]
fn whole_sessions_with_every_login() {
    for login in ["user", "apop", "plain", "login", "cram"] {
        whole_session(login, 4096);
    }
}

#[test]
fn whole_session_in_small_pieces() {
    for piece in [1, 2, 3, 7, 64] {
        whole_session("apop", piece);
    }
}

#[test]
fn a_wrong_password_then_the_right_one() {
    let mut config = config();
    config.plaintext_needs_tls = false;
    let mut pair = Pair::new(config, messages(), 512);
    pair.run();
    let bad = pair.client.login_user_pass("joe", "wrong").unwrap();
    let stat = pair.client.stat().unwrap();
    pair.run();
    assert!(
        pair.events
            .iter()
            .any(|e| matches!(e, ClientEvent::Error { id, .. } if *id == bad))
    );
    // The STAT queued behind the failed login is cancelled, never sent.
    assert!(
        pair.events
            .iter()
            .any(|e| matches!(e, ClientEvent::Cancelled { id } if *id == stat))
    );
    let good = pair.client.login_user_pass("joe", "secret").unwrap();
    pair.client.quit().unwrap();
    pair.run();
    assert!(pair.ended_ok(good));
    assert!(
        matches!(pair.events.last(), Some(ClientEvent::Closed { response: Some(r) }) if r.is_ok())
    );
    assert!(pair.store.removed.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any message content, any piece size: RETR gives the message with
    /// CRLF line endings, byte for byte, and the size the server listed.
    #[test]
    fn any_message_round_trips(
        lines in prop::collection::vec(
            prop::collection::vec(prop::sample::select(b"a.\r\n \t\x00\xff".to_vec()), 0..40),
            0..20,
        ),
        piece in 1usize..300,
    ) {
        let message: Vec<u8> = lines.concat();
        let mut config = config();
        config.plaintext_needs_tls = false;
        let mut pair = Pair::new(config, vec![message.clone()], piece);
        pair.run();
        let _ = pair.client.login_user_pass("joe", "secret").unwrap();
        let list = pair.client.list(Some(1)).unwrap();
        let retr = pair.client.retr(1).unwrap();
        let _ = pair.client.quit().unwrap();
        pair.run();
        let wire = on_the_wire(&message);
        prop_assert_eq!(pair.body(retr), wire.clone());
        let listed = pair.events.iter().find_map(|e| match e {
            ClientEvent::Listing { id, entries, .. } if *id == list => entries.first().map(|l| l.size),
            _ => None,
        });
        prop_assert_eq!(listed, Some(wire.len() as u64));
    }
}
