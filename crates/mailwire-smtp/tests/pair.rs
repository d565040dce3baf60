//! The sans-IO client and server driving each other in memory: every byte
//! one machine writes is handed to the other in pieces of varying size,
//! with no sockets and no clock. Sessions cover pipelining, STARTTLS (the
//! handshake is a no-op here: both sides are told it happened), AUTH,
//! DATA and BDAT, a refused recipient, connection reuse, 8-bit and
//! dot-heavy bodies, and a message streamed in blocks.

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use mailwire_smtp::client::{self, Client, Credentials, Envelope, Tls, TransactionReport};
use mailwire_smtp::server::{self, Server, ServerConfig};
use mailwire_smtp::types::{EnhancedStatus, Mechanism, Reply, ReplyCode};

/// What the server side's application saw.
#[derive(Debug, Default)]
struct Mailbox {
    senders: Vec<String>,
    recipients: Vec<String>,
    messages: Vec<Vec<u8>>,
    current: Vec<u8>,
    users: Vec<String>,
    /// The client's `Failed` events.
    failures: Vec<String>,
}

/// A tiny deterministic generator for piece sizes.
struct Pieces(u64);

impl Pieces {
    fn next(&mut self, max: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        1 + (self.0 as usize) % max
    }
}

/// Runs the two machines until both are closed; returns the client's
/// transaction reports and what the server's application received.
fn run(
    client: &mut Client,
    server_config: ServerConfig,
    streamed: Option<&[u8]>,
    seed: u64,
) -> (Vec<TransactionReport>, Mailbox) {
    let now = Instant::now();
    let mut server = Server::new(Arc::new(server_config), now);
    server.set_cram_md5_nonce("4711.0815");
    client.handle_timeout(now);
    let mut pieces = Pieces(seed | 1);
    let (mut to_server, mut to_client) = (BytesMut::new(), BytesMut::new());
    let mut mailbox = Mailbox::default();
    let mut reports = Vec::new();
    let mut stream_at = 0;
    let mut server_tls = false;
    let mut client_tls = false;
    for _round in 0..100_000 {
        let mut progress = false;
        // The server's application.
        while let Some(event) = server.poll_event() {
            progress = true;
            match event {
                server::Event::Mail(mail) => {
                    mailbox.senders.push(mail.reverse_path().to_string());
                    server.accept_sender().unwrap();
                }
                server::Event::Recipient(rcpt) => {
                    let to = rcpt.forward_path().to_string();
                    if to.contains("nobody") {
                        server
                            .reject_recipient(Reply::new(
                                ReplyCode::MAILBOX_UNAVAILABLE,
                                Some(EnhancedStatus::BAD_DESTINATION),
                                "No such user",
                            ))
                            .unwrap();
                    } else {
                        mailbox.recipients.push(to);
                        server.accept_recipient().unwrap();
                    }
                }
                server::Event::Data(chunk) => mailbox.current.extend_from_slice(&chunk),
                server::Event::MessageEnd(end) => {
                    assert_eq!(end.size, mailbox.current.len() as u64);
                    mailbox.messages.push(std::mem::take(&mut mailbox.current));
                    server.accept_message().unwrap();
                }
                server::Event::TransactionAborted(_) => mailbox.current.clear(),
                server::Event::Auth(request) => {
                    let ok = match &request.credentials {
                        mailwire_smtp::sasl::Credentials::Password {
                            username, password, ..
                        } => username == "joe" && password.expose() == "secret",
                        mailwire_smtp::sasl::Credentials::CramMd5(response) => {
                            response.username() == "joe" && response.verify(b"secret")
                        }
                        _ => false,
                    };
                    mailbox
                        .users
                        .push(request.credentials.username().to_owned());
                    if ok {
                        server.accept_auth().unwrap();
                    } else {
                        server
                            .reject_auth(Reply::new(
                                ReplyCode::AUTH_INVALID,
                                Some(EnhancedStatus::AUTH_INVALID),
                                "No",
                            ))
                            .unwrap();
                    }
                }
                server::Event::StartTls => server_tls = true,
                _ => {}
            }
        }
        progress |= server.poll_output(&mut to_client) > 0;
        if server_tls && to_client.is_empty() {
            // The 220 is out: the handshake "happens" now.
            server_tls = false;
            server.tls_established().unwrap();
            progress = true;
        }
        // The client's application: events, then output, until neither
        // gives anything (taking output can raise events).
        loop {
            let mut client_progress = client.poll_output(&mut to_server) > 0;
            while let Some(event) = client.poll_event() {
                client_progress = true;
                progress = true;
                if std::env::var_os("PAIR_TRACE").is_some() {
                    eprintln!("client event: {event:?}");
                }
                match event {
                    client::Event::StartTls => client_tls = true,
                    client::Event::MessageWanted { .. } => {
                        let data = streamed.expect("a streamed message");
                        while stream_at < data.len() {
                            let n = pieces.next(9000).min(data.len() - stream_at);
                            let taken = client.write_message(&data[stream_at..stream_at + n]);
                            stream_at += taken;
                            if taken < n {
                                break;
                            }
                        }
                        if stream_at == data.len() {
                            client.end_message();
                        }
                    }
                    client::Event::TransactionDone(report) => reports.push(report),
                    client::Event::Failed(error) => mailbox.failures.push(error.to_string()),
                    _ => {}
                }
            }
            progress |= client_progress;
            if !client_progress {
                break;
            }
        }
        if client_tls {
            client_tls = false;
            client.tls_established();
            progress = true;
        }
        // Done when both are closed, nothing is in flight and no event is
        // left (taking output may have raised some).
        if client.is_closed()
            && server.is_closed()
            && to_server.is_empty()
            && to_client.is_empty()
            && !progress
        {
            return (reports, mailbox);
        }
        // The wire, in pieces.
        if !to_server.is_empty() {
            let n = pieces.next(700).min(to_server.len());
            if std::env::var_os("PAIR_TRACE").is_some() {
                eprint!("C: {}", String::from_utf8_lossy(&to_server[..n]));
            }
            let taken = server.handle_input(now, &to_server[..n]);
            let _ = to_server.split_to(taken);
            progress |= taken > 0;
        }
        if !to_client.is_empty() {
            let n = pieces.next(700).min(to_client.len());
            if std::env::var_os("PAIR_TRACE").is_some() {
                eprint!("S: {}", String::from_utf8_lossy(&to_client[..n]));
            }
            client.handle_input(&to_client[..n]);
            let _ = to_client.split_to(n);
            progress = true;
        }
        assert!(
            progress || !to_server.is_empty(),
            "stuck: neither side can go on"
        );
    }
    panic!("the session did not end");
}

fn server_config() -> ServerConfig {
    let mut config = ServerConfig::new("mx.example.org");
    config.extensions.starttls = true;
    config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    config.auth_required = true;
    config
}

fn client_config() -> client::Config {
    let mut config = client::Config::new("client.example.net");
    config.tls = Tls::Required;
    config.credentials = Some(Credentials::password("joe", "secret"));
    config
}

const BODY: &[u8] = b"From: Joe <joe@example.net>\r\n\
Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\
\r\n\
.a dot line\r\n\
..two\r\n\
.\r\n\
Gr\xc3\xbc\xc3\x9fe\r\n";

#[test]
fn starttls_auth_pipelining_and_a_refused_recipient() {
    for seed in 1..40 {
        let mut client = Client::new(client_config()).unwrap();
        let envelope = Envelope::from_addresses(
            "joe@example.net",
            &["ann@example.org", "nobody@example.org", "bob@example.org"],
        )
        .unwrap();
        client.send(&envelope, BODY).unwrap();
        client.quit();
        let (reports, mailbox) = run(&mut client, server_config(), None, seed);
        assert!(
            mailbox.failures.is_empty(),
            "seed {seed}: {:?}",
            mailbox.failures
        );
        assert_eq!(reports.len(), 1, "seed {seed}");
        let report = &reports[0];
        assert!(report.is_success(), "seed {seed}: {report:?}");
        assert_eq!(report.accepted, [0, 2]);
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(report.rejected[0].0, 1);
        assert_eq!(
            report.rejected[0].1.status(),
            Some(EnhancedStatus::BAD_DESTINATION)
        );
        assert_eq!(mailbox.users, ["joe"], "CRAM-MD5, the strongest offered");
        assert_eq!(
            mailbox.recipients,
            ["<ann@example.org>", "<bob@example.org>"]
        );
        assert_eq!(mailbox.messages, [BODY.to_vec()], "seed {seed}");
    }
}

#[test]
fn bdat_and_connection_reuse() {
    for seed in 1..20 {
        let mut config = client_config();
        config.chunking = true;
        let mut client = Client::new(config).unwrap();
        let first = Envelope::from_addresses("joe@example.net", &["ann@example.org"]).unwrap();
        let second = Envelope::from_addresses("joe@example.net", &["bob@example.org"]).unwrap();
        let big: Vec<u8> = (0..3000)
            .flat_map(|i| format!("{}line {i}\r\n", if i % 7 == 0 { "." } else { "" }).into_bytes())
            .collect();
        client.send(&first, BODY).unwrap();
        client.send(&second, big.clone()).unwrap();
        client.quit();
        let (reports, mailbox) = run(&mut client, server_config(), None, seed);
        assert_eq!(reports.len(), 2);
        assert!(reports.iter().all(TransactionReport::is_success));
        assert_eq!(mailbox.senders.len(), 2);
        // BDAT carries the bytes as they are: no stuffing to undo.
        assert_eq!(mailbox.messages, [BODY.to_vec(), big], "seed {seed}");
    }
}

#[test]
fn a_streamed_message_of_two_mib() {
    let message: Vec<u8> = (0..40_000)
        .flat_map(|i| format!("{}{:050}\r\n", if i % 3 == 0 { "." } else { "" }, i).into_bytes())
        .collect();
    let mut client = Client::new(client_config()).unwrap();
    let mut envelope = Envelope::from_addresses("joe@example.net", &["ann@example.org"]).unwrap();
    envelope.params.size = Some(message.len() as u64);
    client.send_stream(&envelope).unwrap();
    client.quit();
    let (reports, mailbox) = run(&mut client, server_config(), Some(&message), 7);
    assert!(reports[0].is_success(), "{:?}", reports[0]);
    assert_eq!(mailbox.messages.len(), 1);
    assert!(
        mailbox.messages[0] == message,
        "the message changed on the way"
    );
}

#[test]
fn a_wrong_password_fails_the_session_and_sends_nothing() {
    let mut config = client_config();
    config.credentials = Some(Credentials::password("joe", "wrong"));
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("joe@example.net", &["ann@example.org"]).unwrap();
    client.send(&envelope, BODY).unwrap();
    client.quit();
    let (reports, mailbox) = run(&mut client, server_config(), None, 3);
    assert_eq!(mailbox.failures.len(), 1, "{mailbox:?}");
    assert!(reports.iter().all(|r| !r.is_success()), "{reports:?}");
    assert!(mailbox.messages.is_empty());
    assert!(mailbox.senders.is_empty());
}
