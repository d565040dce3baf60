//! Drives a `Server` in memory for the server tests: an application that
//! decides by rules, a log of events, transcripts in `C:`/`S:` form.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use mailwire_smtp::sasl::Credentials;
use mailwire_smtp::server::{Event, Server, ServerConfig};
use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};

/// The application's rules.
pub type Decide = Box<dyn FnMut(&mut Server, &Event)>;

/// Accepts everything; refuses recipients whose address holds "unknown",
/// and credentials whose password is not "tanstaaftanstaaf".
pub fn default_app() -> Decide {
    Box::new(|server, event| match event {
        Event::Mail(_) => server.accept_sender().unwrap(),
        Event::Recipient(rcpt) => {
            if rcpt.forward_path().to_string().contains("unknown") {
                server
                    .reject_recipient(Reply::new(
                        ReplyCode::MAILBOX_UNAVAILABLE,
                        Some(EnhancedStatus::BAD_DESTINATION),
                        "No such user here",
                    ))
                    .unwrap();
            } else {
                server.accept_recipient().unwrap();
            }
        }
        Event::MessageEnd(_) => server.accept_message().unwrap(),
        Event::Auth(request) => {
            let ok = match &request.credentials {
                Credentials::Password { password, .. } => {
                    matches!(password.expose(), "tanstaaftanstaaf" | "1234")
                }
                Credentials::Token { token, .. } => token.expose() == "ya29.token",
                Credentials::CramMd5(response) => response.verify(b"tanstaaftanstaaf"),
                _ => false,
            };
            if ok {
                server.accept_auth().unwrap();
            } else {
                server
                    .reject_auth(Reply::new(
                        ReplyCode::AUTH_INVALID,
                        Some(EnhancedStatus::AUTH_INVALID),
                        "Authentication credentials invalid",
                    ))
                    .unwrap();
            }
        }
        Event::StartTls => server.tls_established().unwrap(),
        _ => {}
    })
}

/// Accepts everything but the recipients whose address contains one of
/// `names` (550 5.1.1 No such user here).
pub fn app_rejecting(names: &'static [&'static str]) -> Decide {
    let mut inner = default_app();
    Box::new(move |server, event| match event {
        Event::Recipient(rcpt)
            if names
                .iter()
                .any(|n| rcpt.forward_path().to_string().contains(n)) =>
        {
            server
                .reject_recipient(Reply::new(
                    ReplyCode::MAILBOX_UNAVAILABLE,
                    Some(EnhancedStatus::BAD_DESTINATION),
                    "No such user here",
                ))
                .unwrap();
        }
        _ => inner(server, event),
    })
}

/// One session and what came out of it.
pub struct Session {
    pub server: Server,
    pub now: Instant,
    pub out: BytesMut,
    /// Events, consecutive `Data` merged (their split depends on reads).
    pub events: Vec<String>,
    /// Message data received, all messages.
    pub data: Vec<u8>,
    pub app: Decide,
}

impl Session {
    pub fn new(config: ServerConfig) -> Self {
        Self::with_app(config, default_app())
    }

    pub fn with_app(config: ServerConfig, app: Decide) -> Self {
        let now = Instant::now();
        let mut session = Self {
            server: Server::new(Arc::new(config), now),
            now,
            out: BytesMut::new(),
            events: Vec::new(),
            data: Vec::new(),
            app,
        };
        session.drive();
        session
    }

    /// Polls events (deciding) and output until both are empty.
    pub fn drive(&mut self) {
        loop {
            while let Some(event) = self.server.poll_event() {
                match &event {
                    Event::Data(chunk) => {
                        self.data.extend_from_slice(chunk);
                        if self.events.last().is_some_and(|e| e.starts_with("Data(")) {
                            let last = self.events.pop().unwrap();
                            let n: usize = last[5..last.len() - 1].parse().unwrap();
                            self.events.push(format!("Data({})", n + chunk.len()));
                        } else {
                            self.events.push(format!("Data({})", chunk.len()));
                        }
                    }
                    other => self.events.push(format!("{other:?}")),
                }
                (self.app)(&mut self.server, &event);
            }
            if self.server.poll_output(&mut self.out) == 0 {
                break;
            }
        }
    }

    /// Feeds `input` whole (as far as the server takes it, draining in
    /// between).
    pub fn feed(&mut self, input: &[u8]) {
        let mut rest = input;
        loop {
            let n = self.server.handle_input(self.now, rest);
            rest = &rest[n..];
            self.drive();
            if rest.is_empty() {
                return;
            }
            assert!(
                n > 0 || self.server.wants_input(),
                "server stuck with {} bytes left",
                rest.len()
            );
        }
    }

    /// Takes the output so far as text.
    pub fn take_output(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.out).into_owned();
        self.out.clear();
        text
    }

    /// Feeds `input`, returns the output it produced.
    pub fn exchange(&mut self, input: &str) -> String {
        self.feed(input.as_bytes());
        self.take_output()
    }

    /// Whether an event's Debug text contains `needle`.
    pub fn saw(&self, needle: &str) -> bool {
        self.events.iter().any(|e| e.contains(needle))
    }
}

/// Runs a transcript: `S:` lines are what the server must send, `C:`
/// lines what the client sends. Consecutive `C:` lines go out as one
/// write; the `S:` lines after them must be exactly the output that
/// write produced. Lines are joined with CRLF; `<CRLF>`-less raw input
/// can be written with `R:` (no line ending added).
pub fn transcript(session: &mut Session, script: &str) {
    let mut client = String::new();
    let mut server = String::new();
    let flush = |session: &mut Session, client: &mut String, server: &mut String| {
        if !client.is_empty() {
            session.feed(client.as_bytes());
            client.clear();
        }
        let got = session.take_output();
        assert_eq!(got, *server, "after the client's lines");
        server.clear();
    };
    let mut last_was_server = true;
    for line in script
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty())
    {
        // An empty client line may have lost its trailing space.
        let line = if line.len() == 2 { "C: " } else { line };
        let (who, text) = line.split_at(3);
        match who {
            "S: " => {
                server.push_str(text);
                server.push_str("\r\n");
                last_was_server = true;
            }
            "C: " | "R: " => {
                if last_was_server {
                    flush(session, &mut client, &mut server);
                }
                client.push_str(text);
                if who == "C: " {
                    client.push_str("\r\n");
                }
                last_was_server = false;
            }
            _ => panic!("bad transcript line {line:?}"),
        }
    }
    flush(session, &mut client, &mut server);
}
