//! A test application driving a `Server` in memory.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use mailwire_core::sasl::Credentials;
use mailwire_pop3::server::{Event, Maildrop, MessageInfo, Server, ServerConfig};
use mailwire_pop3::types::{Response, ResponseCode};

/// A message of exactly `size` octets, CRLF lines, starting with a
/// `Subject` header and a blank line.
pub(crate) fn message(size: usize, tag: &str) -> Vec<u8> {
    let mut m = format!("Subject: {tag}\r\n\r\n").into_bytes();
    assert!(m.len() <= size);
    while size - m.len() > 2 {
        let remaining = size - m.len();
        let mut n = (remaining - 2).min(40);
        if remaining - (n + 2) == 1 {
            n -= 1;
        }
        m.extend(std::iter::repeat_n(b'a', n));
        m.extend_from_slice(b"\r\n");
    }
    if size - m.len() == 2 {
        m.extend_from_slice(b"\r\n");
    }
    assert_eq!(m.len(), size);
    m
}

/// The application side: a maildrop, one password, and a record of what
/// it was told.
pub(crate) struct App {
    pub(crate) messages: Vec<Vec<u8>>,
    pub(crate) password: String,
    /// Bytes per `send_message` call.
    pub(crate) chunk: usize,
    pub(crate) events: Vec<Event>,
    pub(crate) updates: Vec<Vec<u32>>,
    /// Unique ids, one per message.
    pub(crate) uids: Vec<String>,
}

impl App {
    pub(crate) fn new(messages: Vec<Vec<u8>>) -> Self {
        Self {
            password: "secret".into(),
            chunk: 7,
            events: Vec::new(),
            updates: Vec::new(),
            uids: (0..messages.len()).map(|i| format!("uid-{i}")).collect(),
            messages,
        }
    }

    fn maildrop(&self) -> Maildrop {
        Maildrop::new(
            self.messages
                .iter()
                .enumerate()
                .map(|(i, m)| MessageInfo::new(m.len() as u64, self.uids[i].clone()).unwrap())
                .collect(),
        )
        .unwrap()
    }

    fn login(&self, server: &mut Server, ok: bool) {
        if ok {
            server.accept_login(self.maildrop()).unwrap();
        } else {
            server
                .reject_login(Response::err_with(
                    ResponseCode::Auth,
                    "invalid credentials",
                ))
                .unwrap();
        }
    }

    /// Answers every event; returns when nothing is left to do.
    pub(crate) fn drive(&mut self, server: &mut Server, out: &mut BytesMut) {
        loop {
            while let Some(event) = server.poll_event() {
                self.events.push(event.clone());
                match event {
                    Event::Login(login) => {
                        self.login(server, login.password.expose() == self.password);
                    }
                    Event::Apop(apop) => self.login(server, apop.verify(&self.password)),
                    Event::Auth(request) => {
                        let ok = match &request.credentials {
                            Credentials::Password { password, .. } => {
                                password.expose() == self.password
                            }
                            Credentials::CramMd5(response) => {
                                response.verify(self.password.as_bytes())
                            }
                            Credentials::Token { token, .. } => token.expose() == self.password,
                            _ => false,
                        };
                        self.login(server, ok);
                    }
                    Event::Retrieve(retr) => {
                        let body = self.messages[retr.index()].clone();
                        let mut rest = &body[..];
                        while !rest.is_empty() {
                            if !server.wants_message_data() {
                                if server.message_cut() {
                                    break;
                                }
                                // Drain output to make room.
                                let _ = server.poll_output(out);
                                continue;
                            }
                            let n = self.chunk.min(rest.len());
                            server.send_message(&rest[..n]).unwrap();
                            rest = &rest[n..];
                        }
                        server.end_message().unwrap();
                    }
                    Event::Update(update) => {
                        self.updates.push(update.deleted.clone());
                        server.update_done().unwrap();
                    }
                    Event::StartTls => server.tls_established().unwrap(),
                    _ => {}
                }
            }
            if server.poll_output(out) == 0 {
                break;
            }
        }
    }
}

/// A server and its application, fed input and read back.
pub(crate) struct Session {
    pub(crate) server: Server,
    pub(crate) app: App,
    pub(crate) out: BytesMut,
    pub(crate) now: Instant,
}

impl Session {
    pub(crate) fn new(config: ServerConfig, app: App) -> Self {
        let now = Instant::now();
        let server = Server::new(Arc::new(config), now);
        Self {
            server,
            app,
            out: BytesMut::new(),
            now,
        }
    }

    /// Sets the nonce, then takes the greeting.
    pub(crate) fn start(&mut self, nonce: Option<&str>) -> String {
        if let Some(nonce) = nonce {
            self.server.set_nonce(nonce).unwrap();
        }
        self.app.drive(&mut self.server, &mut self.out);
        self.take()
    }

    /// Feeds `input` whole (driving the application when the server holds
    /// input back) and returns the output it caused.
    pub(crate) fn send(&mut self, input: &[u8]) -> String {
        self.feed(input);
        self.take()
    }

    pub(crate) fn feed(&mut self, input: &[u8]) {
        let mut rest = input;
        loop {
            let n = self.server.handle_input(self.now, rest);
            rest = &rest[n..];
            self.app.drive(&mut self.server, &mut self.out);
            if rest.is_empty() {
                break;
            }
            assert!(n > 0 || self.server.wants_input(), "server stuck");
        }
    }

    pub(crate) fn take(&mut self) -> String {
        String::from_utf8(self.out.split().to_vec()).unwrap()
    }
}

/// A config without the TLS requirement for passwords.
pub(crate) fn plain_config(hostname: &str) -> ServerConfig {
    let mut config = ServerConfig::new(hostname);
    config.plaintext_needs_tls = false;
    config
}
