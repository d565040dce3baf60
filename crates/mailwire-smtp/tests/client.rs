//! The sans-IO client against scripted servers: RFC transcripts, every
//! extension it negotiates, and the quirks of real servers.

use std::time::{Duration, Instant};

use bytes::Bytes;
use mailwire_smtp::client::{
    Client, ClientError, Config, Credentials, DsnFallback, Envelope, Event, SendError, Tls,
    TransactionError, TransactionId, TransactionReport,
};
use mailwire_smtp::parse::ReplyErrorKind;
use mailwire_smtp::types::{
    Body, ForwardPath, Mechanism, Notify, RcptParams, ReplyCode, Ret, XText,
};

/// One step of a session: what the server sends, what the client must
/// have sent by then, or the TLS handshake.
enum Step<'a> {
    S(&'a [u8]),
    C(&'a [u8]),
    Tls,
}
use Step::{C, S, Tls as Handshake};

fn config() -> Config {
    let mut config = Config::new("bar.com");
    config.tls = Tls::Never;
    config
}

fn drain(client: &mut Client) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(piece) = client.poll_transmit() {
        out.extend_from_slice(&piece);
    }
    out
}

fn events(client: &mut Client, into: &mut Vec<Event>) {
    while let Some(event) = client.poll_event() {
        into.push(event);
    }
}

/// Runs `script`; returns every event. Fails if the client sends anything
/// the script does not expect.
fn run(client: &mut Client, script: &[Step<'_>]) -> Vec<Event> {
    let mut all = Vec::new();
    for (n, step) in script.iter().enumerate() {
        match step {
            S(bytes) => client.handle_input(bytes),
            C(expected) => {
                let sent = drain(client);
                assert_eq!(
                    String::from_utf8_lossy(&sent),
                    String::from_utf8_lossy(expected),
                    "step {n}"
                );
            }
            Handshake => {
                assert!(
                    all.contains(&Event::StartTls),
                    "step {n}: no StartTls in {all:#?}"
                );
                client.tls_established();
            }
        }
        events(client, &mut all);
    }
    let rest = drain(client);
    assert!(
        rest.is_empty(),
        "unexpected output {:?}",
        String::from_utf8_lossy(&rest)
    );
    events(client, &mut all);
    all
}

fn reports(events: &[Event]) -> Vec<TransactionReport> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::TransactionDone(report) => Some(report.clone()),
            _ => None,
        })
        .collect()
}

fn only_report(events: &[Event]) -> TransactionReport {
    let all = reports(events);
    assert_eq!(all.len(), 1, "{events:#?}");
    all.into_iter().next().unwrap()
}

fn closed(events: &[Event]) -> Option<u16> {
    match events.last() {
        Some(Event::Closed { reply }) => Some(reply.as_ref().map_or(0, |r| r.code().get())),
        _ => None,
    }
}

const EHLO_BASIC: &[u8] = b"250-foo.com\r\n250 8BITMIME\r\n";
const EHLO_PIPE: &[u8] = b"250-foo.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n";

// ---- RFC 5321 appendix D.1 ------------------------------------------------

#[test]
fn rfc5321_d1_typical_transaction() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses(
        "Smith@bar.com",
        &["Jones@foo.com", "Green@foo.com", "Brown@foo.com"],
    )
    .unwrap();
    let id = client
        .send(&envelope, "Blah blah blah...\r\n...etc. etc. etc.\r\n")
        .unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com Simple Mail Transfer Service Ready\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n"),
            // SIZE is offered, so the client announces the size (RFC 1870).
            C(b"MAIL FROM:<Smith@bar.com> SIZE=38\r\n"),
            S(b"250 OK\r\n"),
            C(b"RCPT TO:<Jones@foo.com>\r\n"),
            S(b"250 OK\r\n"),
            C(b"RCPT TO:<Green@foo.com>\r\n"),
            S(b"550 No such user here\r\n"),
            C(b"RCPT TO:<Brown@foo.com>\r\n"),
            S(b"250 OK\r\n"),
            C(b"DATA\r\n"),
            S(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n"),
            C(b"Blah blah blah...\r\n....etc. etc. etc.\r\n.\r\n"),
            S(b"250 OK\r\n"),
            C(b"QUIT\r\n"),
            S(b"221 foo.com Service closing transmission channel\r\n"),
        ],
    );
    assert_eq!(events[0], Event::Ready);
    let recipients: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Recipient {
                transaction,
                index,
                reply,
            } => Some((*transaction, *index, reply.code().get())),
            _ => None,
        })
        .collect();
    assert_eq!(recipients, [(id, 0, 250), (id, 1, 550), (id, 2, 250)]);
    let report = only_report(&events);
    assert_eq!(report.transaction, id);
    assert_eq!(report.accepted, [0, 2]);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].0, 1);
    assert_eq!(report.rejected[0].1.text(), "No such user here");
    assert_eq!(report.result.as_ref().unwrap().text(), "OK");
    assert_eq!(closed(&events), Some(221));
    assert!(client.is_closed());
}

// ---- RFC 2920 section 3.2 ------------------------------------------------------

#[test]
fn rfc2920_pipelined_group() {
    let mut config = Config::new("dbc.mtview.ca.us");
    config.tls = Tls::Never;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses(
        "mrose@dbc.mtview.ca.us",
        &["ned@innosoft.com", "dan@innosoft.com", "kvc@innosoft.com"],
    )
    .unwrap();
    client.send(&envelope, "Hi\r\n").unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 innosoft.com SMTP service ready\r\n"),
            C(b"EHLO dbc.mtview.ca.us\r\n"),
            S(b"250-innosoft.com\r\n250 PIPELINING\r\n"),
            C(b"MAIL FROM:<mrose@dbc.mtview.ca.us>\r\n\
                RCPT TO:<ned@innosoft.com>\r\n\
                RCPT TO:<dan@innosoft.com>\r\n\
                RCPT TO:<kvc@innosoft.com>\r\n\
                DATA\r\n"),
            S(b"250 sender <mrose@dbc.mtview.ca.us> OK\r\n\
                250 recipient <ned@innosoft.com> OK\r\n\
                250 recipient <dan@innosoft.com> OK\r\n\
                250 recipient <kvc@innosoft.com> OK\r\n\
                354 enter mail, end with line containing only \".\"\r\n"),
            // The end of the data and QUIT in one group, as in the RFC.
            C(b"Hi\r\n.\r\nQUIT\r\n"),
            S(b"250 message sent\r\n221 goodbye\r\n"),
        ],
    );
    let report = only_report(&events);
    assert_eq!(report.accepted, [0, 1, 2]);
    assert!(report.is_success());
    assert_eq!(closed(&events), Some(221));
}

#[test]
fn pipelined_partial_failure_and_reuse_without_rset() {
    let mut client = Client::new(config()).unwrap();
    let one = Envelope::from_addresses("a@bar.com", &["x@foo.com", "y@foo.com"]).unwrap();
    let two = Envelope::from_addresses("b@bar.com", &["z@foo.com"]).unwrap();
    let first = client.send(&one, "one\r\n").unwrap();
    let second = client.send(&two, "two\r\n").unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_PIPE),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nRCPT TO:<y@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n550 5.1.1 unknown\r\n250 ok\r\n354 go\r\n"),
            C(b"one\r\n.\r\n"),
            // A completed transaction needs no RSET (RFC 5321 section 4.1.4).
            S(b"250 2.0.0 queued as 1\r\n"),
            C(b"MAIL FROM:<b@bar.com>\r\nRCPT TO:<z@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n250 ok\r\n354 go\r\n"),
            C(b"two\r\n.\r\nQUIT\r\n"),
            S(b"250 2.0.0 queued as 2\r\n221 bye\r\n"),
        ],
    );
    let all = reports(&events);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].transaction, first);
    assert_eq!(all[0].accepted, [1]);
    assert_eq!(all[0].rejected[0].0, 0);
    assert_eq!(all[0].rejected[0].1.status().unwrap().to_string(), "5.1.1");
    assert_eq!(all[0].result.as_ref().unwrap().text(), "queued as 1");
    assert_eq!(all[1].transaction, second);
    assert!(all[1].is_success());
    assert_eq!(closed(&events), Some(221));
}

// ---- all recipients refused --------------------------------------------------

#[test]
fn all_recipients_refused_without_pipelining_sends_rset() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com", "y@foo.com"]).unwrap();
    client.send(&envelope, "body\r\n").unwrap();
    let next = Envelope::from_addresses("a@bar.com", &["z@foo.com"]).unwrap();
    client.send(&next, "body\r\n").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_BASIC),
            C(b"MAIL FROM:<a@bar.com>\r\n"),
            S(b"250 ok\r\n"),
            C(b"RCPT TO:<x@foo.com>\r\n"),
            S(b"550 no\r\n"),
            C(b"RCPT TO:<y@foo.com>\r\n"),
            S(b"551 not here\r\n"),
            C(b"RSET\r\n"),
            S(b"250 reset\r\n"),
            C(b"MAIL FROM:<a@bar.com>\r\n"),
            S(b"250 ok\r\n"),
            C(b"RCPT TO:<z@foo.com>\r\n"),
            S(b"250 ok\r\n"),
            C(b"DATA\r\n"),
            S(b"354 go\r\n"),
            C(b"body\r\n.\r\n"),
            S(b"250 ok\r\n"),
        ],
    );
    let all = reports(&events);
    assert_eq!(all[0].result, Err(TransactionError::NoRecipients));
    assert!(all[0].accepted.is_empty());
    assert_eq!(all[0].rejected.len(), 2);
    assert!(all[1].is_success());
}

#[test]
fn all_recipients_refused_pipelined_data_refused() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "body\r\n").unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_PIPE),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n550 no\r\n554 no valid recipients\r\n"),
            // MAIL was accepted: the transaction is still open. RSET and
            // QUIT may go in one group.
            C(b"RSET\r\nQUIT\r\n"),
            S(b"250 ok\r\n221 bye\r\n"),
        ],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::NoRecipients)
    );
    assert_eq!(closed(&events), Some(221));
}

#[test]
fn all_recipients_refused_pipelined_data_accepted_sends_lone_dot() {
    // RFC 2920 section 3.1: "if the DATA command was accepted the client
    // SMTP should send a single dot".
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "secret body\r\n").unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_PIPE),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n550 no\r\n354 go ahead anyway\r\n"),
            C(b".\r\n"),
            S(b"554 no valid recipients\r\n"),
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::NoRecipients)
    );
}

#[test]
fn sender_refused_pipelined() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "body\r\n").unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_PIPE),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"),
            S(b"550 5.7.1 sender blocked\r\n503 no sender\r\n503 no sender\r\n"),
            // MAIL failed, no transaction is open: no RSET.
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    let report = only_report(&events);
    let Err(TransactionError::Sender(reply)) = &report.result else {
        panic!("{report:?}")
    };
    assert_eq!(reply.text(), "sender blocked");
}

#[test]
fn data_refused_then_rset() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "body\r\n").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_BASIC),
            C(b"MAIL FROM:<a@bar.com>\r\n"),
            S(b"250 ok\r\n"),
            C(b"RCPT TO:<x@foo.com>\r\n"),
            S(b"250 ok\r\n"),
            C(b"DATA\r\n"),
            S(b"451 try later\r\n"),
            C(b"RSET\r\n"),
            S(b"250 ok\r\n"),
        ],
    );
    assert!(matches!(
        only_report(&events).result,
        Err(TransactionError::Data(_))
    ));
}

#[test]
fn message_refused_after_data() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "spam\r\n").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_PIPE),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n250 ok\r\n354 go\r\n"),
            C(b"spam\r\n.\r\n"),
            S(b"554 5.7.1 looks like spam\r\n"),
        ],
    );
    let report = only_report(&events);
    assert_eq!(report.accepted, [0]);
    let Err(TransactionError::Message(reply)) = report.result else {
        panic!()
    };
    assert_eq!(reply.code(), ReplyCode::TRANSACTION_FAILED);
}

// ---- HELO fallback -----------------------------------------------------------

#[test]
fn helo_fallback_after_500_and_502() {
    for code in ["500", "502"] {
        let mut client = Client::new(config()).unwrap();
        let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
        client.send(&envelope, "old school\r\n").unwrap();
        client.quit();
        let refusal = format!("{code} command not recognized\r\n");
        let events = run(
            &mut client,
            &[
                S(b"220 old.foo.com\r\n"),
                C(b"EHLO bar.com\r\n"),
                S(refusal.as_bytes()),
                C(b"HELO bar.com\r\n"),
                S(b"250 old.foo.com\r\n"),
                C(b"MAIL FROM:<a@bar.com>\r\n"),
                S(b"250 ok\r\n"),
                C(b"RCPT TO:<x@foo.com>\r\n"),
                S(b"250 ok\r\n"),
                C(b"DATA\r\n"),
                S(b"354 go\r\n"),
                C(b"old school\r\n.\r\n"),
                S(b"250 ok\r\n"),
                C(b"QUIT\r\n"),
                S(b"221 bye\r\n"),
            ],
        );
        assert!(only_report(&events).is_success());
        assert!(client.capabilities().is_none());
    }
}

#[test]
fn helo_refused_fails_the_session() {
    let mut client = Client::new(config()).unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"502 no\r\n"),
            C(b"HELO bar.com\r\n"),
            S(b"550 go away\r\n"),
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    assert!(matches!(events[0], Event::Failed(ClientError::Hello(_))));
    assert_eq!(closed(&events), Some(221));
}

#[test]
fn greeting_554_fails_then_quit() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    let id = client.send(&envelope, "x").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"554-foo.com no SMTP service here\r\n554 really\r\n"),
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    let Event::Failed(ClientError::Rejected(reply)) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(reply.code().get(), 554);
    let report = only_report(&events);
    assert_eq!(report.transaction, id);
    assert_eq!(report.result, Err(TransactionError::SessionClosed));
    assert_eq!(closed(&events), Some(221));
}

// ---- STARTTLS ----------------------------------------------------------------

#[test]
fn starttls_discards_early_bytes_and_rereads_capabilities() {
    let mut config = config();
    config.tls = Tls::Required;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "hi\r\n").unwrap();
    assert!(!client.is_secure());
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250-SIZE 10\r\n250-8BITMIME\r\n250 STARTTLS\r\n"),
            C(b"STARTTLS\r\n"),
            // A man in the middle appends replies after the 220 (the
            // CVE-2011-0411 class): they must be dropped.
            S(b"220 2.0.0 ready\r\n250 injected\r\n"),
            S(b"250 injected too\r\n"),
            C(b""),
            Handshake,
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
            // New capabilities only: SIZE 10 is forgotten (the message is
            // larger), PIPELINING is new.
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n250 ok\r\n354 go\r\n"),
            C(b"hi\r\n.\r\n"),
            S(b"250 ok\r\n"),
        ],
    );
    assert_eq!(events[0], Event::StartTls);
    assert_eq!(events[1], Event::Ready);
    assert!(only_report(&events).is_success());
    assert!(client.is_secure());
    let caps = client.capabilities().unwrap();
    assert!(caps.pipelining && !caps.starttls && caps.size.is_none());
}

#[test]
fn starttls_required_but_not_offered() {
    let mut config = config();
    config.tls = Tls::Required;
    let mut client = Client::new(config).unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_PIPE),
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    assert_eq!(events[0], Event::Failed(ClientError::TlsUnavailable));
    assert_eq!(closed(&events), Some(221));
}

#[test]
fn starttls_refused() {
    for (tls, ok) in [(Tls::Required, false), (Tls::Opportunistic, true)] {
        let mut config = config();
        config.tls = tls;
        let mut client = Client::new(config).unwrap();
        client.quit();
        let events = run(
            &mut client,
            &[
                S(b"220 foo.com\r\n"),
                C(b"EHLO bar.com\r\n"),
                S(b"250-foo.com\r\n250 STARTTLS\r\n"),
                C(b"STARTTLS\r\n"),
                S(b"454 4.7.0 TLS not available\r\n"),
                C(b"QUIT\r\n"),
                S(b"221 bye\r\n"),
            ],
        );
        assert_eq!(events[0] == Event::Ready, ok, "{events:?}");
        assert_eq!(closed(&events), Some(221));
    }
}

#[test]
fn opportunistic_tls_not_offered_goes_on() {
    let mut config = config();
    config.tls = Tls::Opportunistic;
    let mut client = Client::new(config).unwrap();
    let events = run(
        &mut client,
        &[S(b"220 foo.com\r\n"), C(b"EHLO bar.com\r\n"), S(EHLO_BASIC)],
    );
    assert_eq!(events, [Event::Ready]);
}

// ---- AUTH --------------------------------------------------------------------

fn auth_config(credentials: Credentials) -> Config {
    let mut config = config();
    config.credentials = Some(credentials);
    config.allow_plaintext_auth = true;
    config
}

fn auth_session(config: Config, ehlo: &[u8], exchange: &[Step<'_>]) -> Vec<Event> {
    let mut client = Client::new(config).unwrap();
    let mut script = vec![S(b"220 foo.com\r\n"), C(b"EHLO bar.com\r\n"), S(ehlo)];
    script.extend(exchange.iter().map(|s| match s {
        S(b) => S(b),
        C(b) => C(b),
        Handshake => Handshake,
    }));
    run(&mut client, &script)
}

#[test]
fn auth_plain_rfc4616() {
    let mut config = auth_config(Credentials::password("tim", "tanstaaftanstaaf"));
    config.mechanisms = vec![Mechanism::Plain];
    let events = auth_session(
        config,
        b"250-foo.com\r\n250 AUTH LOGIN PLAIN CRAM-MD5\r\n",
        &[
            C(b"AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"),
            S(b"235 2.7.0 Authentication successful\r\n"),
        ],
    );
    assert_eq!(
        events,
        [
            Event::Authenticated {
                mechanism: Mechanism::Plain
            },
            Event::Ready
        ]
    );
}

#[test]
fn auth_login() {
    let mut config = auth_config(Credentials::password("tim", "tanstaaftanstaaf"));
    config.mechanisms = vec![Mechanism::Login];
    let events = auth_session(
        config,
        b"250-foo.com\r\n250 AUTH LOGIN PLAIN\r\n",
        &[
            C(b"AUTH LOGIN\r\n"),
            S(b"334 VXNlcm5hbWU6\r\n"),
            C(b"dGlt\r\n"),
            S(b"334 UGFzc3dvcmQ6\r\n"),
            C(b"dGFuc3RhYWZ0YW5zdGFhZg==\r\n"),
            S(b"235 ok\r\n"),
        ],
    );
    assert_eq!(events[1], Event::Ready);
}

#[test]
fn auth_cram_md5_rfc2195_and_strongest_first() {
    // Every mechanism allowed: CRAM-MD5 is the strongest offered.
    let config = auth_config(Credentials::password("tim", "tanstaaftanstaaf"));
    let events = auth_session(
        config,
        b"250-foo.com\r\n250 AUTH LOGIN PLAIN CRAM-MD5\r\n",
        &[
            C(b"AUTH CRAM-MD5\r\n"),
            S(b"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
            // base64("tim b913a602c7eda7a495b4e6e7334d3890")
            C(b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"),
            S(b"235 ok\r\n"),
        ],
    );
    assert_eq!(
        events[0],
        Event::Authenticated {
            mechanism: Mechanism::CramMd5
        }
    );
}

#[test]
fn auth_xoauth2() {
    let config = auth_config(Credentials::oauth2(
        "someuser@example.com",
        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
    ));
    // The form Google documents for its XOAUTH2 SASL mechanism.
    let events = auth_session(
        config,
        b"250-foo.com\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n",
        &[
            C(b"AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n"),
            S(b"235 2.7.0 Accepted\r\n"),
        ],
    );
    assert_eq!(events[1], Event::Ready);
}

#[test]
fn auth_xoauth2_error_challenge() {
    let config = auth_config(Credentials::oauth2("u@example.com", "expired"));
    let events = auth_session(
        config,
        b"250-foo.com\r\n250 AUTH XOAUTH2\r\n",
        &[
            C(b"AUTH XOAUTH2 dXNlcj11QGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIGV4cGlyZWQBAQ==\r\n"),
            S(b"334 eyJzdGF0dXMiOiI0MDEifQ==\r\n"),
            C(b"\r\n"),
            S(b"535 5.7.8 Username and Password not accepted\r\n"),
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    assert!(matches!(events[0], Event::Failed(ClientError::Auth(_))));
}

#[test]
fn auth_535_is_an_error_event() {
    let mut config = auth_config(Credentials::password("tim", "wrong"));
    config.mechanisms = vec![Mechanism::Plain];
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "x").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250 AUTH PLAIN\r\n"),
            C(b"AUTH PLAIN AHRpbQB3cm9uZw==\r\n"),
            S(b"535 5.7.8 Authentication credentials invalid\r\n"),
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    let Event::Failed(ClientError::Auth(reply)) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(reply.code(), ReplyCode::AUTH_INVALID);
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::SessionClosed)
    );
}

#[test]
fn auth_old_form_and_unexpected_challenge_cancelled() {
    let mut config = auth_config(Credentials::password("tim", "pw"));
    config.mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    // `AUTH=LOGIN` only (pre-RFC 2554 servers).
    let events = auth_session(
        config,
        b"250-foo.com\r\n250 AUTH=LOGIN\r\n",
        &[
            C(b"AUTH LOGIN\r\n"),
            S(b"334 VXNlcm5hbWU6\r\n"),
            C(b"dGlt\r\n"),
            S(b"334 UGFzc3dvcmQ6\r\n"),
            C(b"cHc=\r\n"),
            S(b"334 what now?\r\n"),
            C(b"*\r\n"),
            S(b"501 cancelled\r\n"),
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    assert!(matches!(events[0], Event::Failed(ClientError::Auth(_))));
}

#[test]
fn auth_no_clear_text_password_without_tls() {
    let mut config = config();
    config.credentials = Some(Credentials::password("tim", "pw"));
    // allow_plaintext_auth stays false: PLAIN and LOGIN are out.
    let events = auth_session(
        config,
        b"250-foo.com\r\n250 AUTH PLAIN LOGIN\r\n",
        &[C(b"QUIT\r\n"), S(b"221 bye\r\n")],
    );
    assert_eq!(events[0], Event::Failed(ClientError::NoAuthMechanism));
}

#[test]
fn credentials_are_redacted() {
    let config = auth_config(Credentials::password("tim", "tanstaaftanstaaf"));
    let mut client = Client::new(config.clone()).unwrap();
    client.handle_input(b"220 foo.com\r\n");
    let _ = drain(&mut client);
    // The AUTH PLAIN line waits in the output: Debug must not show it.
    client.handle_input(b"250-foo.com\r\n250 AUTH PLAIN\r\n");
    for text in [format!("{config:?}"), format!("{client:?}")] {
        assert!(!text.contains("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"), "{text}");
        assert!(!text.contains("tanstaaf"), "{text}");
        assert!(text.contains("<redacted>"));
    }
}

// ---- 8BITMIME, SMTPUTF8, SIZE, DSN ---------------------------------------------

#[test]
fn eight_bit_message_gets_body_8bitmime() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client
        .send(&envelope, "Grüße\r\n".as_bytes().to_vec())
        .unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"),
            C(b"MAIL FROM:<a@bar.com> SIZE=9 BODY=8BITMIME\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n250 ok\r\n354 go\r\n"),
            C("Grüße\r\n.\r\n".as_bytes()),
            S(b"250 ok\r\n"),
        ],
    );
    assert!(only_report(&events).is_success());
}

#[test]
fn eight_bit_message_refused_without_8bitmime() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client
        .send(&envelope, "Grüße\r\n".as_bytes().to_vec())
        .unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250 PIPELINING\r\n"),
            // Nothing of the transaction goes out.
            C(b"QUIT\r\n"),
            S(b"221 bye\r\n"),
        ],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::Needs8BitMime)
    );
}

#[test]
fn smtputf8_when_an_address_is_not_ascii() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("jörg@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "hi\r\n").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"),
            C("MAIL FROM:<jörg@bar.com> SMTPUTF8\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n".as_bytes()),
            S(b"250 ok\r\n250 ok\r\n354 go\r\n"),
            C(b"hi\r\n.\r\n"),
            S(b"250 ok\r\n"),
        ],
    );
    assert!(only_report(&events).is_success());

    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["jörg@foo.com"]).unwrap();
    client.send(&envelope, "hi\r\n").unwrap();
    let events = run(
        &mut client,
        &[S(b"220 foo.com\r\n"), C(b"EHLO bar.com\r\n"), S(EHLO_PIPE)],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::NeedsSmtpUtf8)
    );
}

#[test]
fn size_over_the_server_limit() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, vec![b'a'; 100]).unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250 SIZE 50\r\n"),
        ],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::TooLarge {
            size: 102,
            limit: 50
        })
    );
}

fn dsn_envelope() -> Envelope<'static> {
    let mut envelope = Envelope::from_addresses("a@bar.com", &[]).unwrap();
    envelope.params.ret = Some(Ret::Headers);
    envelope.params.envid = XText::new("QQ314159");
    let mut params = RcptParams::default();
    params.notify = Some(Notify {
        failure: true,
        delay: true,
        ..Notify::NEVER
    });
    envelope.recipient_with(
        ForwardPath::Path(mailwire_smtp::types::Path::new(
            mailwire_core::Mailbox::parse_smtp(b"x@foo.com").unwrap(),
        )),
        params,
    )
}

#[test]
fn dsn_parameters_only_when_offered() {
    let script_with = |ehlo: &'static [u8], mail: &'static [u8]| {
        let mut client = Client::new(config()).unwrap();
        client.send(&dsn_envelope(), "hi\r\n").unwrap();
        run(
            &mut client,
            &[
                S(b"220 foo.com\r\n"),
                C(b"EHLO bar.com\r\n"),
                S(ehlo),
                C(mail),
                S(b"250 ok\r\n250 ok\r\n354 go\r\n"),
                C(b"hi\r\n.\r\n"),
                S(b"250 ok\r\n"),
            ],
        )
    };
    script_with(
        b"250-foo.com\r\n250-PIPELINING\r\n250 DSN\r\n",
        b"MAIL FROM:<a@bar.com> RET=HDRS ENVID=QQ314159\r\n\
          RCPT TO:<x@foo.com> NOTIFY=FAILURE,DELAY\r\nDATA\r\n",
    );
    script_with(
        EHLO_PIPE,
        b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n",
    );

    let mut config = config();
    config.dsn_fallback = DsnFallback::Fail;
    let mut client = Client::new(config).unwrap();
    client.send(&dsn_envelope(), "hi\r\n").unwrap();
    let events = run(
        &mut client,
        &[S(b"220 foo.com\r\n"), C(b"EHLO bar.com\r\n"), S(EHLO_PIPE)],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::DsnUnsupported)
    );
}

// ---- dot-stuffing ------------------------------------------------------------------

fn data_bytes(message: &'static [u8]) -> Vec<u8> {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, message).unwrap();
    client.handle_input(b"220 foo.com\r\n");
    client.handle_input(EHLO_PIPE);
    let _ = drain(&mut client);
    client.handle_input(b"250 ok\r\n250 ok\r\n354 go\r\n");
    drain(&mut client)
}

#[test]
fn dot_stuffing_exact_bytes() {
    assert_eq!(
        data_bytes(b".hidden\r\nnormal\r\n.\r\n..two\r\n"),
        b"..hidden\r\nnormal\r\n..\r\n...two\r\n.\r\n"
    );
    // Bare LF and bare CR become CRLF; a period after them is stuffed.
    assert_eq!(data_bytes(b"a\n.b\rc\r\n"), b"a\r\n..b\r\nc\r\n.\r\n");
    // No final line break: CRLF is added before the final dot.
    assert_eq!(data_bytes(b"no newline"), b"no newline\r\n.\r\n");
    assert_eq!(data_bytes(b""), b".\r\n");
    // The smuggling sequences are made harmless.
    assert_eq!(
        data_bytes(b"x\n.\nMAIL FROM:<evil@x>\r\n"),
        b"x\r\n..\r\nMAIL FROM:<evil@x>\r\n.\r\n"
    );
}

#[test]
fn large_message_goes_out_in_bounded_blocks() {
    let mut config = config();
    config.block_size = 1024;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    let line = b"0123456789012345678901234567890123456789012345678901234567890123456789\r\n";
    let message: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(line.len() * 10_000)
        .collect();
    client.send(&envelope, message.clone()).unwrap();
    client.handle_input(b"220 foo.com\r\n");
    client.handle_input(EHLO_PIPE);
    let _ = drain(&mut client);
    client.handle_input(b"250 ok\r\n250 ok\r\n354 go\r\n");
    let mut sent = Vec::new();
    while let Some(piece) = client.poll_transmit() {
        assert!(piece.len() <= 2 * 1024 + 5, "{}", piece.len());
        assert!(client.buffered_output() <= 2 * 1024 + 5);
        sent.extend_from_slice(&piece);
    }
    let mut expected = message;
    expected.extend_from_slice(b".\r\n");
    assert_eq!(sent, expected);
}

// ---- BDAT ------------------------------------------------------------------------

const EHLO_CHUNKING: &[u8] =
    b"250-foo.com\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250 CHUNKING\r\n";

fn chunking_config() -> Config {
    let mut config = config();
    config.chunking = true;
    config
}

#[test]
fn bdat_single_chunk_no_stuffing() {
    let mut client = Client::new(chunking_config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, ".dot\nline\r\n").unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_CHUNKING),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\n"),
            S(b"250 ok\r\n250 ok\r\n"),
            // Bare LF normalized, no stuffing, no terminator.
            C(b"BDAT 12 LAST\r\n.dot\r\nline\r\nQUIT\r\n"),
            S(b"250 ok\r\n221 bye\r\n"),
        ],
    );
    assert!(only_report(&events).is_success());
}

#[test]
fn bdat_chunks_without_pipelining_wait_for_each_reply() {
    let mut config = chunking_config();
    config.block_size = 4;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "abcdefghij").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(b"250-foo.com\r\n250 CHUNKING\r\n"),
            C(b"MAIL FROM:<a@bar.com>\r\n"),
            S(b"250 ok\r\n"),
            C(b"RCPT TO:<x@foo.com>\r\n"),
            S(b"250 ok\r\n"),
            C(b"BDAT 4\r\nabcd"),
            S(b"250 4 octets\r\n"),
            C(b"BDAT 4\r\nefgh"),
            S(b"250 4 octets\r\n"),
            C(b"BDAT 2 LAST\r\nij"),
            S(b"250 message ok\r\n"),
        ],
    );
    assert_eq!(
        only_report(&events).result.as_ref().unwrap().text(),
        "message ok"
    );
}

#[test]
fn bdat_chunks_pipelined_and_failed_chunk() {
    let mut config = chunking_config();
    config.block_size = 4;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "abcdefghij").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_CHUNKING),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\n"),
            S(b"250 ok\r\n250 ok\r\n"),
            C(b"BDAT 4\r\nabcdBDAT 4\r\nefghBDAT 2 LAST\r\nij"),
            S(b"250 ok\r\n552 too much\r\n503 no\r\n"),
            // RFC 3030: after a failed chunk, RSET.
            C(b"RSET\r\n"),
            S(b"250 ok\r\n"),
        ],
    );
    let Err(TransactionError::Data(reply)) = &only_report(&events).result else {
        panic!("{events:?}")
    };
    assert_eq!(reply.code().get(), 552);
}

#[test]
fn bdat_binarymime() {
    let mut client = Client::new(chunking_config()).unwrap();
    let mut envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    envelope.params.body = Some(Body::BinaryMime);
    client.send(&envelope, &b"\0\r\xff\n"[..]).unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_CHUNKING),
            C(b"MAIL FROM:<a@bar.com> BODY=BINARYMIME\r\nRCPT TO:<x@foo.com>\r\n"),
            S(b"250 ok\r\n250 ok\r\n"),
            C(b"BDAT 4 LAST\r\n\0\r\xff\n"),
            S(b"250 ok\r\n"),
        ],
    );
    assert!(only_report(&events).is_success());

    // Without CHUNKING configured, BINARYMIME cannot be used.
    let mut client = Client::new(config()).unwrap();
    client.send(&envelope, &b"\0"[..]).unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_CHUNKING),
        ],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::NeedsBinaryMime)
    );
}

#[test]
fn bdat_all_recipients_refused() {
    let mut client = Client::new(chunking_config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "hi").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_CHUNKING),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\n"),
            S(b"250 ok\r\n550 no\r\n"),
            C(b"RSET\r\n"),
            S(b"250 ok\r\n"),
        ],
    );
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::NoRecipients)
    );
}

// ---- streaming -----------------------------------------------------------------

#[test]
fn streamed_message_over_data_keeps_memory_bounded() {
    let mut config = config();
    config.max_buffered = 4096;
    let mut client = Client::new(config).unwrap();
    let mut envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    envelope.params.size = Some(1_000_000);
    let id = client.send_stream(&envelope).unwrap();
    client.handle_input(b"220 foo.com\r\n");
    client.handle_input(b"250-foo.com\r\n250-PIPELINING\r\n250 SIZE 2000000\r\n");
    assert_eq!(
        drain(&mut client),
        b"EHLO bar.com\r\nMAIL FROM:<a@bar.com> SIZE=1000000\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"
    );
    client.handle_input(b"250 ok\r\n250 ok\r\n354 go\r\n");
    let mut all = Vec::new();
    events(&mut client, &mut all);
    assert!(all.contains(&Event::MessageWanted { transaction: id }));

    let line = b".starts with a dot\n";
    let mut remaining = 1_000_000usize;
    let mut at = 0;
    let mut sent = Vec::new();
    while remaining > 0 {
        let chunk = &line[at..line.len().min(at + remaining)];
        let n = client.write_message(chunk);
        remaining -= n;
        at = (at + n) % line.len();
        assert!(client.buffered_output() <= 2 * 4096);
        if n < chunk.len() {
            // Full: the application sends, then waits for the event.
            sent.extend_from_slice(&drain(&mut client));
            let mut evs = Vec::new();
            events(&mut client, &mut evs);
            assert_eq!(evs, [Event::MessageWanted { transaction: id }]);
        }
    }
    assert!(client.end_message());
    sent.extend_from_slice(&drain(&mut client));
    assert!(sent.ends_with(b"\r\n.\r\n"));
    assert!(sent.starts_with(b"..starts with a dot\r\n..starts"));
    client.handle_input(b"250 ok\r\n");
    let mut evs = Vec::new();
    events(&mut client, &mut evs);
    assert!(only_report(&evs).is_success());
}

#[test]
fn streamed_message_over_bdat() {
    let mut config = chunking_config();
    config.block_size = 8;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    let id = client.send_stream(&envelope).unwrap();
    client.handle_input(b"220 foo.com\r\n");
    client.handle_input(EHLO_CHUNKING);
    let _ = drain(&mut client);
    client.handle_input(b"250 ok\r\n250 ok\r\n");
    let mut evs = Vec::new();
    events(&mut client, &mut evs);
    assert!(evs.contains(&Event::MessageWanted { transaction: id }));
    assert_eq!(client.write_message(b"Subject: x\n\nbody"), 16);
    assert_eq!(
        drain(&mut client),
        b"BDAT 8\r\nSubject:BDAT 8\r\n x\r\n\r\nbo"
    );
    assert!(client.end_message());
    assert_eq!(drain(&mut client), b"BDAT 2 LAST\r\ndy");
    client.handle_input(b"250 ok\r\n250 ok\r\n250 done\r\n");
    let mut evs = Vec::new();
    events(&mut client, &mut evs);
    assert!(only_report(&evs).is_success());
}

// ---- LMTP ----------------------------------------------------------------------------

#[test]
fn lmtp_reply_per_recipient() {
    let mut config = config();
    config.lmtp = true;
    let mut client = Client::new(config).unwrap();
    let envelope =
        Envelope::from_addresses("a@bar.com", &["x@foo.com", "y@foo.com", "z@foo.com"]).unwrap();
    client.send(&envelope, "hi\r\n").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com LMTP\r\n"),
            C(b"LHLO bar.com\r\n"),
            S(EHLO_PIPE),
            C(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<x@foo.com>\r\nRCPT TO:<y@foo.com>\r\nRCPT TO:<z@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\r\n250 ok\r\n550 unknown\r\n250 ok\r\n354 go\r\n"),
            C(b"hi\r\n.\r\n"),
            S(b"250 delivered to x\r\n452 z over quota\r\n"),
        ],
    );
    let report = only_report(&events);
    assert_eq!(report.accepted, [0, 2]);
    assert_eq!(report.deliveries.len(), 2);
    assert_eq!(report.deliveries[0].0, 0);
    assert_eq!(report.deliveries[1].0, 2);
    assert_eq!(report.deliveries[1].1.code().get(), 452);
    assert_eq!(report.result.as_ref().unwrap().text(), "delivered to x");
}

// ---- 421 and closing ------------------------------------------------------------

#[test]
fn service_closing_mid_session() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    let first = client.send(&envelope, "hi\r\n").unwrap();
    let second = client.send(&envelope, "hi\r\n").unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_BASIC),
            C(b"MAIL FROM:<a@bar.com>\r\n"),
            S(b"421 4.3.2 System shutting down\r\n"),
        ],
    );
    let all = reports(&events);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].transaction, first);
    assert_eq!(all[1].transaction, second);
    assert!(
        all.iter()
            .all(|r| r.result == Err(TransactionError::SessionClosed))
    );
    assert_eq!(closed(&events), Some(421));
    assert!(!events.iter().any(|e| matches!(e, Event::Failed(_))));
    client.handle_input(b"250 too late\r\n");
    assert!(client.poll_event().is_none());
    assert_eq!(client.send(&envelope, "x"), Err(SendError::Closed));
}

#[test]
fn service_closing_instead_of_greeting() {
    let mut client = Client::new(config()).unwrap();
    let events = run(&mut client, &[S(b"421 too busy\r\n")]);
    assert_eq!(closed(&events), Some(421));
}

#[test]
fn connection_lost_mid_transaction() {
    let mut client = Client::new(config()).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "hi\r\n").unwrap();
    let mut events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_BASIC),
            C(b"MAIL FROM:<a@bar.com>\r\n"),
        ],
    );
    client.connection_closed();
    self::events(&mut client, &mut events);
    assert!(events.contains(&Event::Failed(ClientError::ConnectionLost)));
    assert_eq!(
        only_report(&events).result,
        Err(TransactionError::SessionClosed)
    );
    assert_eq!(closed(&events), Some(0));
}

#[test]
fn unexpected_reply_fails() {
    let mut client = Client::new(config()).unwrap();
    let events = run(
        &mut client,
        &[
            S(b"220 foo.com\r\n"),
            C(b"EHLO bar.com\r\n"),
            S(EHLO_BASIC),
            S(b"250 what?\r\n"),
        ],
    );
    assert!(matches!(
        events[1],
        Event::Failed(ClientError::UnexpectedReply(_))
    ));
    assert_eq!(closed(&events), Some(0));
}

// ---- quirks of real servers ----------------------------------------------------------

#[test]
fn quirky_server() {
    let mut config = auth_config(Credentials::password("tim", "pw"));
    config.mechanisms = vec![Mechanism::Login];
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "hi\r\n").unwrap();
    client.quit();
    let events = run(
        &mut client,
        &[
            // Multi-line greeting, bare LF line endings.
            S(b"220-foo.com ESMTP\n220-no UCE\n220 really\n"),
            C(b"EHLO bar.com\r\n"),
            // Lowercase keywords, the old AUTH= form, an empty last line.
            S(b"250-foo.com hello\n250-pipelining\r\n250-size 100\r\n250-AUTH=LOGIN\r\n250 \r\n"),
            C(b"AUTH LOGIN\r\n"),
            S(b"334 VXNlcm5hbWU6\n"),
            C(b"dGlt\r\n"),
            S(b"334 UGFzc3dvcmQ6\n"),
            C(b"cHc=\r\n"),
            S(b"235 ok\n"),
            C(b"MAIL FROM:<a@bar.com> SIZE=4\r\nRCPT TO:<x@foo.com>\r\nDATA\r\n"),
            S(b"250 ok\n250 ok\n354 go\n"),
            C(b"hi\r\n.\r\nQUIT\r\n"),
            // A multi-line, chatty answer to the end of the data.
            S(b"250-2.0.0 Ok: queued as 4F1B2\r\n250 2.0.0 have a nice day (and extra text)\r\n221 bye\r\n"),
        ],
    );
    let report = only_report(&events);
    assert!(report.is_success());
    assert_eq!(report.result.unwrap().code(), ReplyCode::OK);
    assert_eq!(closed(&events), Some(221));
}

// ---- bounds --------------------------------------------------------------------------

#[test]
fn flood_without_line_end_is_an_error() {
    let mut client = Client::new(config()).unwrap();
    let flood = vec![b'2'; 300];
    let mut events = Vec::new();
    for _ in 0..10 {
        client.handle_input(&flood);
        assert!(client.buffered_input() <= 1000);
    }
    self::events(&mut client, &mut events);
    let Event::Failed(ClientError::Protocol(error)) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(error.kind(), ReplyErrorKind::LineTooLong);
    assert!(client.is_closed());
}

#[test]
fn flood_of_continuation_lines_is_an_error() {
    let mut client = Client::new(config()).unwrap();
    let mut events = Vec::new();
    for _ in 0..300 {
        client.handle_input(b"220-more\r\n");
        assert!(client.buffered_input() <= 256 * 10 + 10);
    }
    self::events(&mut client, &mut events);
    let Event::Failed(ClientError::Protocol(error)) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(error.kind(), ReplyErrorKind::TooManyLines);
}

#[test]
fn garbage_reply_is_an_error() {
    let mut client = Client::new(config()).unwrap();
    client.handle_input(b"HTTP/1.1 400 Bad Request\r\n");
    assert!(matches!(
        client.poll_event(),
        Some(Event::Failed(ClientError::Protocol(_)))
    ));
}

// ---- timeouts ------------------------------------------------------------------------

#[test]
fn timeouts_follow_rfc5321() {
    let start = Instant::now();
    let mut config = config();
    config.block_size = 4;
    let mut client = Client::new(config).unwrap();
    let envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    client.send(&envelope, "hello world\r\n").unwrap();
    client.handle_timeout(start);
    assert_eq!(
        client.poll_timeout(),
        Some(start + Duration::from_secs(300))
    );
    client.handle_input(b"220 foo.com\r\n");
    let _ = drain(&mut client);
    client.handle_input(EHLO_PIPE);
    let _ = drain(&mut client);
    // MAIL: 5 minutes.
    assert_eq!(
        client.poll_timeout(),
        Some(start + Duration::from_secs(300))
    );
    let t = start + Duration::from_secs(10);
    client.handle_timeout(t);
    client.handle_input(b"250 ok\r\n250 ok\r\n");
    // DATA initiation: 2 minutes.
    assert_eq!(client.poll_timeout(), Some(t + Duration::from_secs(120)));
    client.handle_input(b"354 go\r\n");
    // A data block: 3 minutes.
    assert_eq!(client.poll_timeout(), Some(t + Duration::from_secs(180)));
    let _ = drain(&mut client);
    // After the final dot: 10 minutes.
    assert_eq!(client.poll_timeout(), Some(t + Duration::from_secs(600)));
    client.handle_timeout(t + Duration::from_secs(599));
    assert!(
        client
            .poll_event()
            .is_some_and(|e| matches!(e, Event::Ready))
    );
    assert!(
        client
            .poll_event()
            .is_some_and(|e| matches!(e, Event::Recipient { .. }))
    );
    assert!(client.poll_event().is_none());
    client.handle_timeout(t + Duration::from_secs(600));
    let mut evs = Vec::new();
    events(&mut client, &mut evs);
    assert_eq!(
        evs[0],
        Event::Failed(ClientError::Timeout("the reply to the end of the data"))
    );
    assert_eq!(
        only_report(&evs).result,
        Err(TransactionError::SessionClosed)
    );
    assert_eq!(closed(&evs), Some(0));
    assert_eq!(client.poll_timeout(), None);
}

#[test]
fn send_errors() {
    let mut client = Client::new(config()).unwrap();
    let mut envelope = Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap();
    envelope.params.raw = "X-BAD=a\r\nRSET";
    assert!(matches!(
        client.send(&envelope, "x"),
        Err(SendError::Encode(_))
    ));
    assert_eq!(client.pending_transactions(), 0);
    let id = client
        .send(
            &Envelope::from_addresses("a@bar.com", &["x@foo.com"]).unwrap(),
            Bytes::from_static(b"x"),
        )
        .unwrap();
    assert_eq!(id, TransactionId(0));
}

#[test]
fn non_ascii_ehlo_keywords_do_not_crash() {
    // Found by fuzzing: a multi-byte character across byte 5 of a keyword.
    let mut client = Client::new(config()).unwrap();
    client.handle_input(b"220 foo.com\r\n");
    let _ = drain(&mut client);
    client.handle_input(
        b"250-foo.com\r\n250-8bit\xca\xcamime\r\n250-AUTH=\xc3\xa9X\r\n250 PIPELINING\r\n",
    );
    assert_eq!(client.poll_event(), Some(Event::Ready));
    let caps = client.capabilities().unwrap();
    assert!(caps.pipelining && !caps.eight_bit_mime);
}
