//! The journey of a message, in one process, with mailwire alone.
//!
//! ```text
//! cargo run --example exchange
//! ```
//!
//! Two mail servers start on free loopback ports, each over its own
//! Maildir tree in a temporary directory:
//!
//! - `relay.example.org`, Alice's provider: SMTP submission (STARTTLS, then
//!   AUTH), an on-disk store-and-forward queue and a relay worker whose
//!   route table (standing in for an MX lookup) sends `example.net` to the
//!   next server, retrying with backoff when it cannot deliver;
//! - `mx.example.net`, Bob's provider: an SMTP MX delivering into Bob's
//!   Maildir, and IMAP and POP3 over the same Maildir. Its first
//!   connection is answered `421` (busy), as a loaded server would.
//!
//! Alice's client builds a message with `mailwire-message` (a UTF-8
//! subject and an attachment) and submits it; the relay queues it, adds
//! its `Received:` field, is turned away with `421`, waits and retries,
//! and hands the message to the MX, which stores it. Bob lists his
//! folders and reads the message over IMAP (which marks it `\Seen`), then
//! downloads and deletes it over POP3. Every hop is printed as `C:` /
//! `S:` lines (bodies shortened, passwords hidden). The message Bob
//! received, both times, is parsed and compared with what Alice sent; the
//! example exits 0 when every check holds and 1, with the reason, when
//! one does not.
//!
//! Everything around the sans-IO machines is in `examples/support/`, the
//! same modules `mail_server` runs on.

#[path = "support/accept.rs"]
mod accept;
#[path = "support/imap_fetch.rs"]
mod imap_fetch;
#[path = "support/imap_serve.rs"]
mod imap_serve;
#[path = "support/imap_store.rs"]
mod imap_store;
#[path = "support/mail_store.rs"]
mod mail_store;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/pop3_fetch.rs"]
mod pop3_fetch;
#[path = "support/pop3_serve.rs"]
mod pop3_serve;
#[path = "support/relay_queue.rs"]
mod relay_queue;
#[path = "support/relay_route.rs"]
mod relay_route;
#[path = "support/relay_worker.rs"]
mod relay_worker;
#[path = "support/smtp_serve.rs"]
mod smtp_serve;
#[path = "support/smtp_submit.rs"]
mod smtp_submit;
#[path = "support/tls.rs"]
mod tls;

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailwire_message::Message;
use mailwire_message::builder::MessageBuilder;
use mailwire_smtp::client::Tls;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use mail_store::{Accounts, MailStore};
use relay_route::{RetryPolicy, Routes};
use relay_worker::{RelayConfig, RelayEvent};

const ALICE: (&str, &str) = ("alice", "wonderland");
const BOB: (&str, &str) = ("bob", "builder");
const SUBJECT: &str = "Grüße aus Köln: the minutes, attached";
const BODY: &str = "Hello Bob,\n\nthe minutes of Tuesday's meeting are attached.\n\
.A line that starts with a dot travels dot-stuffed.\n\nAlice\n";
const ATTACHMENT_NAME: &str = "minutes-2026-11.txt";
/// How long the whole route may take before the example gives up.
const DEADLINE: Duration = Duration::from_secs(60);

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    match tokio::time::timeout(DEADLINE, run()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(reason)) => {
            eprintln!("\nexchange FAILED: {reason}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("\nexchange FAILED: the route took longer than {DEADLINE:?}");
            ExitCode::FAILURE
        }
    }
}

/// The servers of one provider, started.
struct Provider {
    root: std::path::PathBuf,
    store: MailStore,
}

impl Provider {
    async fn open(root: &Path, user: (&str, &str), domain: &str) -> Result<Self, Failure> {
        tokio::fs::create_dir_all(root).await?;
        let accounts = Accounts::new(
            vec![(user.0.into(), user.1.into())],
            vec![domain.to_owned()],
        )?;
        let store = MailStore::open(root, accounts, false).await?;
        Ok(Self {
            root: root.to_path_buf(),
            store,
        })
    }
}

async fn listener() -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

fn smtp_options(
    listen: SocketAddr,
    store: smtp_serve::Store,
    users: Vec<(String, String)>,
    hostname: &str,
    busy_connections: usize,
) -> smtp_serve::Options {
    smtp_serve::Options {
        listen,
        store,
        users,
        hostname: hostname.into(),
        tls: true,
        max_size: 10 << 20,
        verbose: false,
        busy_connections,
        reject_recipients: Vec::new(),
    }
}

fn heading(text: &str) {
    println!("\n=== {text}\n");
}

async fn run() -> Result<(), Failure> {
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("mailwire-exchange-")
        .tempdir()?;
    // One self-signed certificate for every server; every client trusts it.
    let certificate = tls::SelfSigned::generate()?;
    let connector = certificate.connector()?;

    // --- mx.example.net: Bob's MX (busy at first), IMAP and POP3.
    let bob_provider =
        Provider::open(&dir.path().join("mx.example.net"), BOB, "example.net").await?;
    let (mx, mx_addr) = listener().await?;
    tokio::spawn(smtp_serve::serve_with_certificate(
        mx,
        smtp_options(
            mx_addr,
            smtp_serve::Store::Spool(Arc::new(bob_provider.store.clone())),
            Vec::new(),
            "mx.example.net",
            1,
        ),
        certificate.clone(),
    ));
    let (imap, imap_addr) = listener().await?;
    tokio::spawn(imap_serve::serve_with_certificate(
        imap,
        imap_serve::Options {
            listen: imap_addr,
            maildir: bob_provider.root.clone(),
            users: vec![(BOB.0.into(), BOB.1.into())],
            hostname: "mx.example.net".into(),
            tls: true,
            require_tls: false,
            verbose: false,
            max_message: 10 << 20,
            layout: imap_serve::Layout::PerUser(mail_store::MAILDIR.into()),
        },
        certificate.clone(),
    ));
    let (pop3, pop3_addr) = listener().await?;
    tokio::spawn(pop3_serve::serve_with_certificate(
        pop3,
        pop3_serve::Options {
            listen: pop3_addr,
            maildir: bob_provider.root.clone(),
            users: vec![(BOB.0.into(), BOB.1.into())],
            hostname: "mx.example.net".into(),
            tls: true,
            require_tls: false,
            verbose: false,
            layout: pop3_serve::Layout::PerUser(mail_store::MAILDIR.into()),
        },
        certificate.clone(),
    ));

    // --- relay.example.org: Alice's submission server, queue and relay.
    let alice_provider =
        Provider::open(&dir.path().join("relay.example.org"), ALICE, "example.org").await?;
    let queue = relay_queue::Queue::open(alice_provider.root.join(mail_store::QUEUE)).await?;
    let (submission, submission_addr) = listener().await?;
    tokio::spawn(smtp_serve::serve_with_certificate(
        submission,
        smtp_options(
            submission_addr,
            smtp_serve::Store::Spool(Arc::new(alice_provider.store.relaying_to(queue.clone()))),
            vec![(ALICE.0.into(), ALICE.1.into())],
            "relay.example.org",
            0,
        ),
        certificate.clone(),
    ));
    // The route table stands in for the MX lookup of example.net.
    let mut routes = Routes::new();
    routes.insert("example.net", mx_addr);
    let policy = RetryPolicy {
        first: Duration::from_millis(500),
        factor: 2,
        max_delay: Duration::from_secs(4),
        give_up_after: Duration::from_secs(40),
    };
    let mut relay_config = RelayConfig::new("relay.example.org");
    relay_config.tls = Tls::Opportunistic;
    relay_config.connector = Some(connector.clone());
    relay_config.transcript = true;
    // Room for every event of the route, so the worker never waits on
    // this example printing the submission first.
    let (events, mut relay_events) = mpsc::channel(1024);
    tokio::spawn(relay_worker::run(
        queue,
        routes,
        policy,
        relay_config,
        events,
    ));

    println!("relay.example.org: submission on {submission_addr} (STARTTLS, AUTH)");
    println!("mx.example.net:    SMTP MX on {mx_addr} (first connection: 421)");
    println!("                   IMAP on {imap_addr}, POP3 on {pop3_addr}");
    println!("route table:       example.net -> {mx_addr}");
    println!("Maildir trees in   {}", dir.path().display());

    // --- 1. Alice's client builds the message and submits it.
    let attachment = attachment_bytes();
    let message = MessageBuilder::new()
        .from(("Alice", "alice@example.org"))
        .to(("Bob", "bob@example.net"))
        .subject(SUBJECT)
        .date_rfc5322("Sun, 29 Nov 2026 09:00:00 +0100")
        .message_id("minutes.2026-11@example.org")
        .text_body(BODY)
        .attachment("text/plain", ATTACHMENT_NAME, attachment.clone())
        .build()?;
    let file = dir.path().join("outgoing.eml");
    tokio::fs::write(&file, &message).await?;
    heading(&format!(
        "1. Alice submits a {}-byte message to relay.example.org (STARTTLS, AUTH)",
        message.len()
    ));
    let outcome = smtp_submit::submit(
        &smtp_submit::Submission {
            server: submission_addr,
            from: "alice@example.org".into(),
            to: vec!["bob@example.net".into()],
            starttls: true,
            auth: Some((ALICE.0.into(), ALICE.1.into())),
            file,
            chunking: false,
            transcript: true,
        },
        &connector,
    )
    .await?;
    let report = outcome
        .report
        .ok_or_else(|| format!("submission failed: {:?}", outcome.failure))?;
    if report.accepted.len() != 1 || report.result.is_err() {
        return Err(format!("submission was not accepted: {report:?}").into());
    }

    // --- 2. The relay forwards it: 421, a wait, then delivery.
    heading("2. relay.example.org forwards it to mx.example.net (store and forward)");
    let mut deferred = 0;
    let mut delivered = false;
    while let Some(event) = relay_events.recv().await {
        match &event {
            RelayEvent::Attempt { .. } => println!(),
            RelayEvent::Deferred { .. } => deferred += 1,
            RelayEvent::Delivered { .. } => delivered = true,
            RelayEvent::Failed { reply, .. } => {
                println!("relay: {event}");
                return Err(format!("the relay gave up: {reply}").into());
            }
            _ => {}
        }
        println!("relay: {event}");
        if let RelayEvent::Done { .. } = event {
            break;
        }
    }
    if !delivered {
        return Err("the relay finished without delivering".into());
    }
    if deferred == 0 {
        return Err("the busy MX's 421 did not make the relay wait".into());
    }

    // --- 3. Bob reads it over IMAP.
    heading("3. Bob reads it over IMAP (STARTTLS, AUTHENTICATE PLAIN)");
    let imap_downloads = dir.path().join("bob-imap");
    tokio::fs::create_dir_all(&imap_downloads).await?;
    let read = imap_fetch::fetch_all(
        &imap_fetch::Fetch {
            server: imap_addr,
            user: BOB.0.into(),
            password: BOB.1.into(),
            starttls: true,
            login: imap_fetch::LoginMethod::Plain,
            mailbox: "INBOX".into(),
            examine: false,
            seen: true,
            delete: false,
            out: Some(imap_downloads),
            transcript: true,
            idle: None,
        },
        &connector,
    )
    .await?;
    let [over_imap] = read.messages.as_slice() else {
        return Err(format!("IMAP: expected one message, found {}", read.messages.len()).into());
    };
    if !over_imap.marked_seen {
        return Err("IMAP: the message was not marked \\Seen".into());
    }
    let imap_path = over_imap
        .path
        .as_ref()
        .ok_or("IMAP: the message was not saved")?;
    let imap_bytes = tokio::fs::read(imap_path).await?;
    println!(
        "\nIMAP: folders {:?}; UID {} {:?}, {} octets, subject {:?}",
        read.folders,
        over_imap.uid,
        over_imap.flags,
        over_imap.received,
        over_imap.subject.as_deref().unwrap_or_default()
    );

    // --- 4. Bob downloads it over POP3 and deletes it.
    heading("4. Bob downloads and deletes it over POP3 (STLS, USER/PASS)");
    let downloads = dir.path().join("bob-pop3");
    tokio::fs::create_dir_all(&downloads).await?;
    let fetched = pop3_fetch::fetch(
        &pop3_fetch::Fetch {
            server: pop3_addr,
            user: BOB.0.into(),
            password: BOB.1.into(),
            starttls: true,
            login: pop3_fetch::LoginMethod::UserPass,
            delete: true,
            out: Some(downloads.clone()),
            transcript: true,
        },
        &connector,
    )
    .await?;
    let [one] = fetched.as_slice() else {
        return Err(format!("POP3: expected one message, found {}", fetched.len()).into());
    };
    if !one.deleted {
        return Err("POP3: the message was not deleted".into());
    }
    let path = one.path.as_ref().ok_or("POP3: the message was not saved")?;
    let received = tokio::fs::read(path).await?;

    // --- 5. The checks.
    heading("5. checks");
    println!("subject:    {SUBJECT}");
    println!("attachment: {ATTACHMENT_NAME} ({} bytes)", attachment.len());
    check_same_content(&message, &imap_bytes, &attachment)?;
    println!("IMAP: the message Bob read parses to what Alice sent");
    check_same_content(&message, &received, &attachment)?;
    println!("POP3: the message Bob downloaded parses to what Alice sent");
    if imap_bytes != received {
        return Err("IMAP and POP3 gave different bytes for the same message".into());
    }
    println!("IMAP and POP3 gave the same {} octets", received.len());
    let left = bob_provider
        .store
        .maildir(BOB.0)
        .ok_or("no Maildir for bob")?
        .messages()
        .await?;
    if !left.is_empty() {
        return Err(format!("{} message(s) left after POP3 DELE + QUIT", left.len()).into());
    }
    println!("POP3: after QUIT, Bob's Maildir is empty");
    println!(
        "\nthe route held: submission -> queue -> 421 -> retry -> MX -> Maildir -> IMAP -> POP3 ({} ms)",
        started.elapsed().as_millis()
    );
    Ok(())
}

/// An attachment of a few lines, one of them 8-bit, so the builder
/// gives it a 7-bit transfer encoding.
fn attachment_bytes() -> Vec<u8> {
    let mut bytes = Vec::new();
    for n in 1..=20 {
        bytes.extend_from_slice(format!("{n:02}. agenda item, decided: yes\n").as_bytes());
    }
    bytes.extend_from_slice("Protokoll geprüft.\n".as_bytes());
    bytes
}

/// The message that arrived reads as the one sent: same subject, sender,
/// text and attachment (same bytes), plus the relay's and the MX's trace
/// fields.
fn check_same_content(sent: &[u8], received: &[u8], attachment: &[u8]) -> Result<(), Failure> {
    let sent = Message::parse(sent);
    let got = Message::parse(received);
    if got.subject() != sent.subject() {
        return Err(format!("subject {:?} != {:?}", got.subject(), sent.subject()).into());
    }
    let from = |m: &Message<'_>| {
        m.header()
            .from()
            .and_then(|list| list.mailboxes().next().map(|mb| mb.mailbox().to_string()))
    };
    if from(&got) != from(&sent) {
        return Err(format!("From {:?} != {:?}", from(&got), from(&sent)).into());
    }
    if got.text_body() != sent.text_body() {
        return Err(format!("text {:?} != {:?}", got.text_body(), sent.text_body()).into());
    }
    let attachments = got.attachments();
    let [file] = attachments.as_slice() else {
        return Err(format!("{} attachments, expected 1", attachments.len()).into());
    };
    if file.filename().as_deref() != Some(ATTACHMENT_NAME) || &*file.decoded_body() != attachment {
        return Err(format!("attachment {:?} differs", file.filename()).into());
    }
    let text = String::from_utf8_lossy(received);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    for (what, needle) in [
        ("the relay's Received field", "by relay.example.org"),
        ("the MX's Received field", "by mx.example.net"),
        ("the Return-Path", "Return-Path: <alice@example.org>"),
    ] {
        if !head.contains(needle) {
            return Err(format!("{what} ({needle:?}) is missing").into());
        }
    }
    Ok(())
}
