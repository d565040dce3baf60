//! The relay queue of the examples (`examples/support/relay_*.rs`): a
//! message queued on disk is delivered by the worker to in-process
//! `smtp_serve` destinations (Maildirs in temporary directories) and to
//! Postfix's `smtp-sink`, with retries after `421`, bounces after `550`,
//! two routes, a restart in the middle, and a 20 MiB message. Loopback
//! only; every wait is bounded.

#[path = "../examples/support/accept.rs"]
mod accept;
#[path = "../examples/support/maildir.rs"]
mod maildir;
#[path = "../examples/support/relay_queue.rs"]
mod relay_queue;
#[path = "../examples/support/relay_route.rs"]
mod relay_route;
#[path = "../examples/support/relay_spool.rs"]
mod relay_spool;
#[path = "../examples/support/relay_worker.rs"]
mod relay_worker;
#[path = "../examples/support/smtp_serve.rs"]
mod smtp_serve;
#[path = "../examples/support/smtp_submit.rs"]
mod smtp_submit;
mod support;
#[path = "../examples/support/tls.rs"]
mod tls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mailwire_smtp::client::Tls;
use relay_queue::{Envelope, Queue};
use relay_route::{RetryPolicy, Routes};
use relay_worker::{RelayConfig, RelayEvent, run};
use smtp_serve::{Options, Store};
use support::{ExampleServer, MESSAGE, SinkOptions, TempDir, free_port, start_smtp_sink, temp_dir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The longest any test waits for the worker.
const PATIENCE: Duration = Duration::from_secs(30);

/// An in-process destination: `smtp_serve` storing into a Maildir.
struct Destination {
    addr: SocketAddr,
    maildir: PathBuf,
    task: JoinHandle<std::io::Result<()>>,
}

impl Destination {
    /// Messages stored so far, oldest first.
    fn messages(&self) -> Vec<Vec<u8>> {
        let new = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }
}

impl Drop for Destination {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn destination_options(maildir: &Path) -> Options {
    Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        store: Store::Maildir(maildir.to_path_buf()),
        users: Vec::new(),
        hostname: "mx.example.net".into(),
        tls: false,
        max_size: 64 << 20,
        verbose: false,
        busy_connections: 0,
        reject_recipients: Vec::new(),
    }
}

/// Starts a destination on `listen` (port 0: any) with `options` changed
/// by `tweak`.
async fn start_destination(
    dir: &TempDir,
    name: &str,
    listen: SocketAddr,
    tweak: impl FnOnce(&mut Options),
) -> Destination {
    let maildir = dir.path().join(name);
    let mut options = destination_options(&maildir);
    options.listen = listen;
    tweak(&mut options);
    let listener = tokio::net::TcpListener::bind(options.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(smtp_serve::serve(listener, options));
    Destination {
        addr,
        maildir,
        task,
    }
}

/// A worker on `queue`, its events on the returned receiver.
fn start_worker(
    queue: &Queue,
    routes: Routes,
    config: RelayConfig,
) -> (JoinHandle<std::io::Result<()>>, mpsc::Receiver<RelayEvent>) {
    let (sender, receiver) = mpsc::channel(1024);
    let task = tokio::spawn(run(
        queue.clone(),
        routes,
        RetryPolicy::default(),
        config,
        sender,
    ));
    (task, receiver)
}

fn relay_config() -> RelayConfig {
    RelayConfig::new("relay.example.org")
}

/// Events (each with when it arrived) until `done` says the last one
/// ends the wait; panics with those seen if that takes too long.
async fn events_until(
    events: &mut mpsc::Receiver<RelayEvent>,
    mut done: impl FnMut(&[RelayEvent]) -> bool,
) -> Vec<(Instant, RelayEvent)> {
    let mut seen: Vec<(Instant, RelayEvent)> = Vec::new();
    let mut plain: Vec<RelayEvent> = Vec::new();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(event)) => {
                plain.push(event.clone());
                seen.push((Instant::now(), event));
                if done(&plain) {
                    return seen;
                }
            }
            Ok(None) => panic!("the worker stopped; events: {plain:#?}"),
            Err(_) => panic!("waited {PATIENCE:?}; events: {plain:#?}"),
        }
    }
}

/// How many `Done` events are in `events`.
fn done_count(events: &[RelayEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Done { .. }))
        .count()
}

/// The file names in `dir`.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Queues [`MESSAGE`] in small chunks, as a server receiving it would.
async fn enqueue_in_chunks(queue: &Queue, from: &str, to: &[&str]) -> String {
    let mut enqueue = queue.begin(Envelope::new(from, to)).await.unwrap();
    for chunk in MESSAGE.chunks(7) {
        enqueue.write_chunk(chunk).await.unwrap();
    }
    enqueue.commit().await.unwrap()
}

/// Splits what a destination stored into its trace fields and the message.
fn split_trace(stored: &[u8], message_len: usize) -> (String, &[u8]) {
    let cut = stored.len() - message_len;
    (
        String::from_utf8(stored[..cut].to_vec()).unwrap(),
        &stored[cut..],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_message_arrives_byte_for_byte() {
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(
        &queue,
        "<alice@example.org>",
        &["bob@example.net", "carol@example.net"],
    )
    .await;
    // Durable before the worker runs: message and state are on disk.
    assert_eq!(files_in(&queue.path().join("msg")), [id.as_str()]);
    assert_eq!(files_in(&queue.path().join("state")), [id.as_str()]);
    assert_eq!(std::fs::read(queue.message_path(&id)).unwrap(), MESSAGE);

    let routes: Routes = format!("example.net={}", dest.addr).parse().unwrap();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    let seen = events_until(&mut events, |e| done_count(e) == 1).await;
    worker.abort();
    let kinds: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
    assert_eq!(
        kinds[..2],
        [
            RelayEvent::Queued {
                id: id.clone(),
                from: "alice@example.org".into(),
                recipients: vec!["bob@example.net".into(), "carol@example.net".into()],
            },
            RelayEvent::Attempt {
                id: id.clone(),
                attempt: 1,
                route: dest.addr,
                recipients: vec!["bob@example.net".into(), "carol@example.net".into()],
            },
        ]
    );
    for recipient in ["bob@example.net", "carol@example.net"] {
        assert!(
            kinds.iter().any(|e| matches!(e,
                RelayEvent::Delivered { recipient: r, reply, .. }
                    if r == recipient && reply.starts_with("250 2.6.0"))),
            "{recipient}: {kinds:#?}"
        );
    }

    let stored = dest.messages();
    assert_eq!(stored.len(), 1, "one transaction for both recipients");
    let (trace, message) = split_trace(&stored[0], MESSAGE.len());
    assert_eq!(message, MESSAGE, "the message arrives unchanged");
    assert!(
        trace.starts_with("Return-Path: <alice@example.org>\r\nReceived: from relay.example.org"),
        "{trace}"
    );
    // The entry left the queue entirely.
    assert!(queue.entries().await.unwrap().is_empty());
    for sub in ["tmp", "msg", "state"] {
        assert!(files_in(&queue.path().join(sub)).is_empty(), "{sub}/");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_to_the_relay_then_421_then_delivery() {
    // The whole path of the exchange example: client -> relay server
    // (STARTTLS, AUTH; the message queued before its 250) -> queue ->
    // worker -> destination busy at first -> delivered.
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |o| {
        o.busy_connections = 1;
    })
    .await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let certificate = tls::SelfSigned::generate().unwrap();
    let connector = certificate.connector().unwrap();
    let relay_options = Options {
        store: Store::Spool(std::sync::Arc::new(relay_spool::QueueSpool(queue.clone()))),
        users: vec![("alice".into(), "wonderland".into())],
        hostname: "relay.example.org".into(),
        tls: true,
        ..destination_options(dir.path())
    };
    let listener = tokio::net::TcpListener::bind(relay_options.listen)
        .await
        .unwrap();
    let relay_addr = listener.local_addr().unwrap();
    let relay = tokio::spawn(smtp_serve::serve_with_certificate(
        listener,
        relay_options,
        certificate,
    ));
    let routes: Routes = format!("example.net={}", dest.addr).parse().unwrap();
    let mut config = relay_config();
    config.transcript = true;
    let (worker, mut events) = start_worker(&queue, routes, config);

    let file = dir.path().join("message.eml");
    std::fs::write(&file, MESSAGE).unwrap();
    let submission = smtp_submit::Submission {
        server: relay_addr,
        from: "alice@example.org".into(),
        to: vec!["bob@example.net".into()],
        starttls: true,
        auth: Some(("alice".into(), "wonderland".into())),
        file,
        chunking: false,
        transcript: false,
    };
    let outcome = smtp_submit::submit(&submission, &connector).await.unwrap();
    let report = outcome.report.expect("a transaction report");
    assert!(report.is_success(), "{report:?}");

    let seen = events_until(&mut events, |e| done_count(e) == 1).await;
    worker.abort();
    relay.abort();
    // What the exchange example prints (shown with --nocapture).
    for (_, event) in &seen {
        println!("{event}");
    }
    let story: Vec<String> = seen
        .iter()
        .filter(|(_, e)| !matches!(e, RelayEvent::Transcript { .. }))
        .map(|(_, e)| match e {
            RelayEvent::Queued { .. } => "queued".to_owned(),
            RelayEvent::Attempt { attempt, .. } => format!("attempt {attempt}"),
            RelayEvent::Deferred {
                reply, retry_in, ..
            } => format!("{} -> retry in {retry_in:?}", &reply[..3]),
            RelayEvent::Delivered { reply, .. } => format!("delivered {}", &reply[..3]),
            RelayEvent::Done { .. } => "done".to_owned(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        story,
        [
            "queued",
            "attempt 1",
            "421 -> retry in 200ms",
            "attempt 2",
            "delivered 250",
            "done"
        ]
    );
    let stored = dest.messages();
    assert_eq!(stored.len(), 1);
    let (trace, message) = split_trace(&stored[0], MESSAGE.len());
    assert_eq!(message, MESSAGE);
    // The destination adds Return-Path and its Received; the relay added
    // its own Received only.
    assert!(
        trace.starts_with("Return-Path: <alice@example.org>\r\nReceived: from relay.example.org"),
        "{trace}"
    );
    assert_eq!(trace.matches("Received: ").count(), 2, "{trace}");
    assert_eq!(trace.matches("Return-Path: ").count(), 1, "{trace}");
    assert!(
        trace.contains("Received: from client.localhost ([127.0.0.1])\r\n\tby relay.example.org"),
        "{trace}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_cannot_queue_answers_451_not_250() {
    let dir = temp_dir();
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let relay_options = Options {
        store: Store::Spool(std::sync::Arc::new(relay_spool::QueueSpool(queue.clone()))),
        ..destination_options(dir.path())
    };
    let listener = tokio::net::TcpListener::bind(relay_options.listen)
        .await
        .unwrap();
    let relay_addr = listener.local_addr().unwrap();
    let relay = tokio::spawn(smtp_serve::serve(listener, relay_options));
    let file = dir.path().join("message.eml");
    std::fs::write(&file, MESSAGE).unwrap();
    let submission = smtp_submit::Submission {
        server: relay_addr,
        from: "alice@example.org".into(),
        to: vec!["bob@example.net".into()],
        starttls: false,
        auth: None,
        file,
        chunking: false,
        transcript: false,
    };
    let connector = tls::SelfSigned::generate().unwrap().connector().unwrap();

    // The queue cannot write: the message is refused with a 4xx, so the
    // client keeps it (RFC 5321 section 4.2.5: no 250 without taking
    // responsibility).
    std::fs::remove_dir(queue.path().join("tmp")).unwrap();
    let outcome = smtp_submit::submit(&submission, &connector).await.unwrap();
    let report = outcome.report.unwrap();
    match &report.result {
        Err(mailwire_smtp::client::TransactionError::Message(reply)) => {
            assert_eq!(reply.code().get(), 451, "{reply:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(queue.entries().await.unwrap().is_empty());

    std::fs::create_dir(queue.path().join("tmp")).unwrap();
    let outcome = smtp_submit::submit(&submission, &connector).await.unwrap();
    assert!(outcome.report.unwrap().is_success());
    let entries = queue.entries().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].from, "alice@example.org");
    let queued = std::fs::read(queue.message_path(&entries[0].id)).unwrap();
    assert!(queued.starts_with(b"Received: from client.localhost"));
    assert!(queued.ends_with(MESSAGE));
    relay.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_destination_is_retried_with_backoff_until_it_accepts() {
    // RFC 5321 section 3.1: a server may answer the connection with 421
    // and close it; the relay keeps the message and tries again.
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |o| {
        o.busy_connections = 2;
    })
    .await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(&queue, "alice@example.org", &["bob@example.net"]).await;
    let routes: Routes = format!("*={}", dest.addr).parse().unwrap();
    let started = Instant::now();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    let seen = events_until(&mut events, |e| done_count(e) == 1).await;
    let finished = Instant::now();
    worker.abort();

    let attempts = seen
        .iter()
        .filter(|(_, e)| matches!(e, RelayEvent::Attempt { .. }))
        .count();
    let deferrals: Vec<(&str, Duration)> = seen
        .iter()
        .filter_map(|(_, e)| match e {
            RelayEvent::Deferred {
                reply, retry_in, ..
            } => Some((reply.as_str(), *retry_in)),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, 3, "{seen:#?}");
    assert_eq!(deferrals.len(), 2, "{seen:#?}");
    for (reply, _) in &deferrals {
        assert!(reply.starts_with("421 4.3.2"), "{reply}");
    }
    // Exponential backoff: 200 ms, then 400 ms (RetryPolicy::default).
    assert_eq!(deferrals[0].1, Duration::from_millis(200));
    assert_eq!(deferrals[1].1, Duration::from_millis(400));
    // The worker did wait: delivery came no sooner than both backoffs
    // (a lower bound only; the state file keeps milliseconds, hence the
    // small slack).
    let waited = finished - started;
    assert!(
        waited + Duration::from_millis(5) >= Duration::from_millis(600),
        "{waited:?}"
    );
    assert!(
        matches!(&seen.last().unwrap().1, RelayEvent::Done { id: done } if *done == id),
        "{seen:#?}"
    );
    assert_eq!(dest.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_recipient_is_bounced_to_the_sender_with_a_null_sender() {
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |o| {
        o.reject_recipients = vec!["dave@example.net".into()];
    })
    .await;
    // The sender's domain routes to the same server: the bounce comes
    // back there.
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(
        &queue,
        "alice@example.org",
        &["bob@example.net", "dave@example.net"],
    )
    .await;
    let routes: Routes = format!("*={}", dest.addr).parse().unwrap();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    let seen = events_until(&mut events, |e| done_count(e) == 2).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();

    assert!(events.iter().any(|e| matches!(e,
        RelayEvent::Delivered { id: i, recipient, .. } if *i == id && recipient == "bob@example.net")));
    assert!(
        events.iter().any(|e| matches!(e,
            RelayEvent::Failed { id: i, recipient, reply }
                if *i == id && recipient == "dave@example.net" && reply.starts_with("550 5.1.1"))),
        "{events:#?}"
    );
    let bounce = events
        .iter()
        .find_map(|e| match e {
            RelayEvent::Bounced {
                id: i,
                bounce,
                recipients,
            } if *i == id => {
                assert_eq!(recipients, &["dave@example.net"]);
                Some(bounce.clone())
            }
            _ => None,
        })
        .expect("a bounce");
    // The bounce is an entry of its own, from <>, to the sender.
    assert!(events.contains(&RelayEvent::Queued {
        id: bounce.clone(),
        from: String::new(),
        recipients: vec!["alice@example.org".into()],
    }));
    assert!(events.iter().any(|e| matches!(e,
        RelayEvent::Delivered { id: i, recipient, .. } if *i == bounce && recipient == "alice@example.org")));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, RelayEvent::Deferred { .. })),
        "a 5xx is final: {events:#?}"
    );

    let stored = dest.messages();
    assert_eq!(stored.len(), 2, "the message for bob and the bounce");
    let bounce_text = stored
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .find(|m| m.starts_with("Return-Path: <>\r\n"))
        .expect("a stored message from <>");
    for expected in [
        "To: <alice@example.org>\r\n",
        "Auto-Submitted: auto-replied\r\n",
        "Content-Type: multipart/report; report-type=delivery-status;",
        "<dave@example.net>: 550 5.1.1 No such user here\r\n",
        "Content-Type: message/delivery-status\r\n",
        "Reporting-MTA: dns; relay.example.org\r\n",
        "Final-Recipient: rfc822; dave@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n",
        "Diagnostic-Code: smtp; 550 5.1.1 No such user here\r\n",
        "Content-Type: text/rfc822-headers\r\n",
        // The original header, so the sender knows which message it was.
        "Subject: interop test\r\nMessage-ID: <interop-1@example.org>\r\n",
    ] {
        assert!(
            bounce_text.contains(expected),
            "{expected:?} in\n{bounce_text}"
        );
    }
    assert!(
        !bounce_text.contains("First line."),
        "the body is not sent back"
    );
    assert!(queue.entries().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounce_that_fails_is_not_bounced_again() {
    // RFC 5321 section 6.1: no notification for a message from <>.
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |o| {
        o.reject_recipients = vec!["dave@example.net".into(), "alice@example.org".into()];
    })
    .await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    enqueue_in_chunks(&queue, "alice@example.org", &["dave@example.net"]).await;
    let routes: Routes = format!("*={}", dest.addr).parse().unwrap();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    let seen = events_until(&mut events, |e| done_count(e) == 2).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
    let failed = events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Failed { .. }))
        .count();
    let bounced = events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Bounced { .. }))
        .count();
    assert_eq!((failed, bounced), (2, 1), "{events:#?}");
    assert!(dest.messages().is_empty());
    assert!(queue.entries().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_deferred_too_long_is_given_up_and_bounced() {
    let dir = temp_dir();
    let home = start_destination(&dir, "home", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let down: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(&queue, "alice@example.org", &["bob@down.example"]).await;
    let routes: Routes = format!("down.example={down}, example.org={}", home.addr)
        .parse()
        .unwrap();
    let policy = RetryPolicy {
        first: Duration::from_millis(50),
        factor: 2,
        max_delay: Duration::from_millis(100),
        give_up_after: Duration::from_millis(400),
    };
    let (sender, mut events) = mpsc::channel(1024);
    let worker = tokio::spawn(run(queue.clone(), routes, policy, relay_config(), sender));
    let seen = events_until(&mut events, |e| done_count(e) == 2).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
    let deferrals = events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Deferred { .. }))
        .count();
    assert!(deferrals >= 2, "{events:#?}");
    let failed = events
        .iter()
        .find_map(|e| match e {
            RelayEvent::Failed { id: i, reply, .. } if *i == id => Some(reply.clone()),
            _ => None,
        })
        .expect("a failure");
    assert!(
        failed.starts_with("451 4.4.1 ")
            && failed.ends_with(&format!("(gave up after {} attempts)", deferrals + 1)),
        "{failed}"
    );
    let bounces = home.messages();
    assert_eq!(bounces.len(), 1);
    let bounce = String::from_utf8_lossy(&bounces[0]);
    assert!(bounce.starts_with("Return-Path: <>\r\n"), "{bounce}");
    assert!(bounce.contains("Status: 4.4.1\r\n"), "{bounce}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_message_file_fails_its_entry_and_the_worker_goes_on() {
    let dir = temp_dir();
    let home = start_destination(&dir, "home", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let lost = enqueue_in_chunks(&queue, "alice@example.org", &["bob@example.net"]).await;
    std::fs::remove_file(queue.message_path(&lost)).unwrap();
    let fine = enqueue_in_chunks(&queue, "alice@example.org", &["carol@example.net"]).await;
    let routes: Routes = format!("*={}", home.addr).parse().unwrap();
    // Give up at the first temporary failure.
    let policy = RetryPolicy {
        give_up_after: Duration::ZERO,
        ..RetryPolicy::default()
    };
    let (sender, mut events) = mpsc::channel(1024);
    let worker = tokio::spawn(run(queue.clone(), routes, policy, relay_config(), sender));
    let seen = events_until(&mut events, |e| done_count(e) == 3).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
    assert!(
        events.iter().any(|e| matches!(e,
            RelayEvent::Failed { id, reply, .. } if *id == lost && reply.starts_with("451 4.4.1 "))),
        "{events:#?}"
    );
    assert!(events.iter().any(|e| matches!(e,
        RelayEvent::Delivered { id, .. } if *id == fine)));
    // The bounce went out, without the original header it could not read.
    let stored: Vec<String> = home
        .messages()
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .collect();
    assert_eq!(stored.len(), 2);
    let bounce = stored
        .iter()
        .find(|m| m.starts_with("Return-Path: <>"))
        .expect("a bounce");
    assert!(bounce.contains("Final-Recipient: rfc822; bob@example.net\r\n"));
    assert!(queue.entries().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_a_crash_left_unreported_are_bounced_on_restart() {
    // A crash after a failure was recorded and before its bounce was
    // queued: the next worker bounces it, and delivers nothing again.
    let dir = temp_dir();
    let home = start_destination(&dir, "home", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(
        &queue,
        "alice@example.org",
        &["bob@example.net", "dave@example.net"],
    )
    .await;
    let mut entry = queue.load(&id).await.unwrap();
    entry.attempts = 1;
    entry.recipients[0].status = relay_queue::Status::Delivered;
    entry.recipients[0].reply = "250 2.0.0 OK".into();
    entry.recipients[1].status = relay_queue::Status::Failed;
    entry.recipients[1].reply = "550 5.1.1 No such user".into();
    queue.save(&entry).await.unwrap();

    let routes: Routes = format!("*={}", home.addr).parse().unwrap();
    let (worker, mut events) = start_worker(
        &Queue::open(queue.path()).await.unwrap(),
        routes,
        relay_config(),
    );
    let seen = events_until(&mut events, |e| done_count(e) == 2).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
    let attempts: Vec<&RelayEvent> = events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Attempt { .. }))
        .collect();
    assert_eq!(attempts.len(), 1, "only the bounce is sent: {events:#?}");
    assert!(
        matches!(attempts[0], RelayEvent::Attempt { recipients, .. } if recipients == &["alice@example.org"])
    );
    let stored = home.messages();
    assert_eq!(stored.len(), 1);
    assert!(
        String::from_utf8_lossy(&stored[0])
            .contains("Final-Recipient: rfc822; dave@example.net\r\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipients_on_two_routes_get_one_session_each() {
    let dir = temp_dir();
    let net = start_destination(&dir, "net", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let com = start_destination(&dir, "com", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(
        &queue,
        "alice@example.org",
        &[
            "bob@example.net",
            "erin@Example.COM",
            "carol@example.net",
            "frank@nowhere.test",
        ],
    )
    .await;
    let routes: Routes = format!("example.net={}, example.com.={}", net.addr, com.addr)
        .parse()
        .unwrap();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    // The entry and the bounce for the unroutable recipient (which has no
    // route back to example.org either, so it fails in its turn).
    let seen = events_until(&mut events, |e| done_count(e) == 2).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();

    let mut sessions: Vec<(SocketAddr, Vec<String>)> = events
        .iter()
        .filter_map(|e| match e {
            RelayEvent::Attempt {
                id: i,
                route,
                recipients,
                ..
            } if *i == id => Some((*route, recipients.clone())),
            _ => None,
        })
        .collect();
    sessions.sort();
    let mut expected = vec![
        (
            net.addr,
            vec!["bob@example.net".to_owned(), "carol@example.net".to_owned()],
        ),
        (com.addr, vec!["erin@Example.COM".to_owned()]),
    ];
    expected.sort();
    assert_eq!(sessions, expected);
    assert!(
        events.iter().any(|e| matches!(e,
            RelayEvent::Failed { recipient, reply, .. }
                if recipient == "frank@nowhere.test" && reply.starts_with("550 5.4.4"))),
        "{events:#?}"
    );
    assert_eq!(net.messages().len(), 1);
    assert_eq!(com.messages().len(), 1);
    for stored in net.messages().iter().chain(&com.messages()) {
        assert!(stored.ends_with(MESSAGE));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_delivers_everything_exactly_once() {
    let dir = temp_dir();
    let up = start_destination(&dir, "up", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    // A port nobody listens on yet: connection refused, a temporary
    // failure.
    let down_port = free_port();
    let down_addr: SocketAddr = format!("127.0.0.1:{down_port}").parse().unwrap();
    let routes: Routes = format!("up.example={}, down.example={down_addr}", up.addr)
        .parse()
        .unwrap();
    let queue_dir = dir.path().join("queue");
    const MESSAGES: usize = 3;

    {
        let queue = Queue::open(&queue_dir).await.unwrap();
        for _ in 0..MESSAGES {
            enqueue_in_chunks(
                &queue,
                "alice@example.org",
                &["a@up.example", "b@down.example"],
            )
            .await;
        }
        let (worker, mut events) = start_worker(&queue, routes.clone(), relay_config());
        let count =
            |e: &[RelayEvent], f: fn(&RelayEvent) -> bool| e.iter().filter(|e| f(e)).count();
        let seen = events_until(&mut events, |e| {
            count(e, |e| matches!(e, RelayEvent::Delivered { .. })) == MESSAGES
                && count(e, |e| matches!(e, RelayEvent::Deferred { .. })) >= MESSAGES
        })
        .await;
        // The worker stops in the middle: every message half delivered.
        worker.abort();
        let _ = worker.await;
        for (_, event) in &seen {
            if let RelayEvent::Deferred { reply, .. } = event {
                assert!(reply.starts_with("451 4.4.1"), "{reply}");
            }
        }
    }
    assert_eq!(up.messages().len(), MESSAGES);

    // What a crash in the middle of receiving leaves: a partial message in
    // tmp/, and a message whose state was never written. Neither was
    // answered 250; both go on open.
    std::fs::write(queue_dir.join("tmp/9999999999999.1.1.msg"), b"partial").unwrap();
    std::fs::write(queue_dir.join("msg/9999999999999.1.2"), MESSAGE).unwrap();

    let down = start_destination(&dir, "down", down_addr, |_| {}).await;
    let queue = Queue::open(&queue_dir).await.unwrap();
    assert!(files_in(&queue_dir.join("tmp")).is_empty());
    let entries = queue.entries().await.unwrap();
    assert_eq!(entries.len(), MESSAGES);
    assert_eq!(files_in(&queue_dir.join("msg")).len(), MESSAGES);
    for entry in &entries {
        // One attempt, or two if the first worker began another round
        // before it was stopped; either way only b is left.
        assert!(entry.attempts >= 1);
        let pending: Vec<&str> = entry
            .with_status(relay_queue::Status::Pending)
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(pending, ["b@down.example"]);
    }

    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    let seen = events_until(&mut events, |e| done_count(e) == MESSAGES).await;
    worker.abort();
    for (_, event) in &seen {
        if let RelayEvent::Attempt { route, .. } = event {
            assert_eq!(*route, down_addr, "only the pending recipient is tried");
        }
    }
    assert_eq!(up.messages().len(), MESSAGES, "nothing twice");
    assert_eq!(down.messages().len(), MESSAGES);
    assert!(queue.entries().await.unwrap().is_empty());
    assert!(files_in(&queue_dir.join("msg")).is_empty());
}

/// A deterministic 20 MiB message, produced block by block.
struct Big {
    blocks: usize,
}

impl Big {
    const BLOCK: usize = 64 * 1024;

    fn header() -> &'static [u8] {
        b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: big\r\n\r\n"
    }

    /// Block `n` of the body: lines of 62 characters and CRLF, some
    /// starting with a dot (dot-stuffed on the wire).
    fn block(n: usize) -> Vec<u8> {
        let mut block = Vec::with_capacity(Self::BLOCK);
        let mut line = 0;
        while block.len() < Self::BLOCK {
            let first = if line % 7 == 0 {
                b'.'
            } else {
                b'a' + (n % 26) as u8
            };
            block.push(first);
            block.extend(std::iter::repeat_n(b'a' + (line % 26) as u8, 61));
            block.extend_from_slice(b"\r\n");
            line += 1;
        }
        block
    }

    fn len(&self) -> usize {
        Self::header().len()
            + (0..self.blocks)
                .map(|n| Self::block(n).len())
                .sum::<usize>()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mib_message_streams_through_the_queue() {
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let big = Big { blocks: 320 }; // 320 * 64 KiB = 20 MiB of body
    let mut enqueue = queue
        .begin(Envelope::new("alice@example.org", &["bob@example.net"]))
        .await
        .unwrap();
    enqueue.write_chunk(Big::header()).await.unwrap();
    for n in 0..big.blocks {
        enqueue.write_chunk(&Big::block(n)).await.unwrap();
    }
    assert_eq!(enqueue.len(), big.len() as u64);
    let id = enqueue.commit().await.unwrap();
    let entry = queue.load(&id).await.unwrap();
    assert_eq!(entry.size, big.len() as u64);
    assert!(!entry.eight_bit);

    let routes: Routes = format!("*={}", dest.addr).parse().unwrap();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    events_until(&mut events, |e| done_count(e) == 1).await;
    worker.abort();

    let trace = stored_big(&dest.maildir, &big).await;
    assert!(trace.starts_with("Return-Path: <alice@example.org>\r\n"));
}

/// Compares the one message stored in `maildir` with `big` block by
/// block, never holding it whole; returns the trace fields in front.
async fn stored_big(maildir: &Path, big: &Big) -> String {
    let maildir = maildir::Maildir::create(maildir).await.unwrap();
    let stored = maildir.new_messages().await.unwrap();
    assert_eq!(stored.len(), 1);
    let mut file = tokio::fs::File::open(&stored[0]).await.unwrap();
    let total = file.metadata().await.unwrap().len() as usize;
    let trace_len = total - big.len();
    let mut trace = vec![0; trace_len];
    file.read_exact(&mut trace).await.unwrap();
    let mut expected = Big::header().to_vec();
    let mut got = vec![0; expected.len()];
    file.read_exact(&mut got).await.unwrap();
    assert_eq!(got, expected);
    for n in 0..big.blocks {
        expected = Big::block(n);
        got.resize(expected.len(), 0);
        file.read_exact(&mut got).await.unwrap();
        assert!(got == expected, "block {n} differs");
    }
    assert_eq!(file.read(&mut got).await.unwrap(), 0, "nothing more");
    String::from_utf8(trace).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mib_message_streams_from_the_client_through_the_relay_server() {
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let relay_options = Options {
        store: Store::Spool(std::sync::Arc::new(relay_spool::QueueSpool(queue.clone()))),
        hostname: "relay.example.org".into(),
        ..destination_options(dir.path())
    };
    let listener = tokio::net::TcpListener::bind(relay_options.listen)
        .await
        .unwrap();
    let relay_addr = listener.local_addr().unwrap();
    let relay = tokio::spawn(smtp_serve::serve(listener, relay_options));
    let routes: Routes = format!("*={}", dest.addr).parse().unwrap();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());

    // The client's file, written block by block.
    let big = Big { blocks: 320 };
    let file = dir.path().join("big.eml");
    {
        let mut out = tokio::fs::File::create(&file).await.unwrap();
        out.write_all(Big::header()).await.unwrap();
        for n in 0..big.blocks {
            out.write_all(&Big::block(n)).await.unwrap();
        }
        out.flush().await.unwrap();
    }
    let submission = smtp_submit::Submission {
        server: relay_addr,
        from: "alice@example.org".into(),
        to: vec!["bob@example.net".into()],
        starttls: false,
        auth: None,
        file,
        chunking: false,
        transcript: false,
    };
    let connector = tls::SelfSigned::generate().unwrap().connector().unwrap();
    let outcome = smtp_submit::submit(&submission, &connector).await.unwrap();
    assert!(outcome.report.unwrap().is_success());
    events_until(&mut events, |e| done_count(e) == 1).await;
    worker.abort();
    relay.abort();
    let trace = stored_big(&dest.maildir, &big).await;
    assert_eq!(trace.matches("Received: from ").count(), 2, "{trace}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_sink_as_the_destination() {
    // Postfix's smtp-sink: a server we did not write. It dumps each
    // transaction with its own headers and LF line ends.
    let options = SinkOptions {
        dump: true,
        hostname: Some("sink.example.net".into()),
        ..SinkOptions::default()
    };
    let Some(sink) = start_smtp_sink(free_port(), &options) else {
        return;
    };
    let dir = temp_dir();
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(
        &queue,
        "alice@example.org",
        &["bob@example.net", "carol@example.net"],
    )
    .await;
    let routes: Routes = format!("example.net=127.0.0.1:{}", sink.port())
        .parse()
        .unwrap();
    let mut config = relay_config();
    config.transcript = true;
    let (worker, mut events) = start_worker(&queue, routes, config);
    let seen = events_until(&mut events, |e| done_count(e) == 1).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
    let delivered = events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Delivered { id: i, reply, .. } if *i == id && reply.starts_with("250")))
        .count();
    assert_eq!(delivered, 2, "{events:#?}");
    let transcript: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            RelayEvent::Transcript { line, .. } => Some(line.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        transcript[0].starts_with("S: 220 sink.example.net"),
        "{transcript:#?}"
    );
    for line in [
        "C: EHLO relay.example.org",
        // smtp-sink offers 8BITMIME, not SIZE.
        "C: MAIL FROM:<alice@example.org> BODY=8BITMIME",
        "C: RCPT TO:<bob@example.net>",
        "C: DATA",
        "C: QUIT",
    ] {
        assert!(transcript.contains(&line), "{line} in {transcript:#?}");
    }
    assert!(
        transcript
            .iter()
            .any(|l| l.starts_with("C: <") && l.contains("octets of message data")),
        "{transcript:#?}"
    );

    let dumps = sink.dumps();
    assert_eq!(dumps.len(), 1);
    let dump = String::from_utf8_lossy(&dumps[0]);
    let body = String::from_utf8_lossy(MESSAGE).replace("\r\n", "\n");
    assert!(dump.contains(&body), "{dump}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_sink_refusing_recipients_softly_then_hard() {
    // smtp-sink -r RCPT answers every RCPT with a 4xx; -f RCPT with a 5xx.
    let dir = temp_dir();
    let home = start_destination(&dir, "home", "127.0.0.1:0".parse().unwrap(), |_| {}).await;
    for (flag, permanent) in [("-r", false), ("-f", true)] {
        let options = SinkOptions {
            extra_args: vec![flag.into(), "RCPT".into()],
            ..SinkOptions::default()
        };
        let Some(sink) = start_smtp_sink(free_port(), &options) else {
            return;
        };
        let queue = Queue::open(dir.path().join(format!("queue{flag}")))
            .await
            .unwrap();
        let id = enqueue_in_chunks(&queue, "alice@example.org", &["bob@example.net"]).await;
        let routes: Routes = format!(
            "example.net=127.0.0.1:{}, example.org={}",
            sink.port(),
            home.addr
        )
        .parse()
        .unwrap();
        let (worker, mut events) = start_worker(&queue, routes, relay_config());
        let seen = events_until(&mut events, |e| {
            e.iter().any(|e| {
                matches!(e, RelayEvent::Deferred { id: i, .. } | RelayEvent::Done { id: i } if *i == id)
            })
        })
        .await;
        worker.abort();
        let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
        if permanent {
            assert!(
                events.iter().any(|e| matches!(e,
                    RelayEvent::Failed { reply, .. } if reply.starts_with('5'))),
                "{events:#?}"
            );
            assert!(
                events
                    .iter()
                    .any(|e| matches!(e, RelayEvent::Bounced { .. })),
                "{events:#?}"
            );
        } else {
            assert!(
                events.iter().any(|e| matches!(e,
                    RelayEvent::Deferred { reply, retry_in, .. }
                        if reply.starts_with('4') && *retry_in == Duration::from_millis(200))),
                "{events:#?}"
            );
            // Still queued, still pending.
            assert!(queue.load(&id).await.unwrap().has_pending());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smtp_server_example_busy_and_refusing_as_the_destination() {
    // The example binary with the switches the exchange example uses.
    let server = ExampleServer::start(&[
        "--no-tls",
        "--busy",
        "1",
        "--reject-rcpt",
        "Dave@Example.NET",
    ]);
    let dir = temp_dir();
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    let id = enqueue_in_chunks(&queue, "<>", &["bob@example.net", "dave@example.net"]).await;
    let routes: Routes = format!("*=127.0.0.1:{}", server.port).parse().unwrap();
    let (worker, mut events) = start_worker(&queue, routes, relay_config());
    let seen = events_until(&mut events, |e| done_count(e) == 1).await;
    worker.abort();
    let events: Vec<RelayEvent> = seen.into_iter().map(|(_, e)| e).collect();
    let outcomes: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match e {
            RelayEvent::Deferred {
                recipient, reply, ..
            } => Some((recipient.as_str(), &reply[..3])),
            RelayEvent::Delivered {
                recipient, reply, ..
            } => Some((recipient.as_str(), &reply[..3])),
            RelayEvent::Failed {
                recipient, reply, ..
            } => Some((recipient.as_str(), &reply[..3])),
            _ => None,
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("bob@example.net", "421"),
            ("dave@example.net", "421"),
            ("bob@example.net", "250"),
            ("dave@example.net", "550"),
        ],
        "{events:#?}"
    );
    // From <>: the failure is not bounced.
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, RelayEvent::Bounced { .. }))
    );
    assert!(matches!(events.last(), Some(RelayEvent::Done { id: done }) if *done == id));
    let stored = std::fs::read_dir(server.maildir.join("new"))
        .unwrap()
        .count();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn busy_connections_get_a_421_greeting_then_normal_service() {
    let dir = temp_dir();
    let dest = start_destination(&dir, "mx", "127.0.0.1:0".parse().unwrap(), |o| {
        o.busy_connections = 1;
    })
    .await;
    let greeting = |addr| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut line = vec![0; 200];
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut line))
            .await
            .unwrap()
            .unwrap();
        line.truncate(n);
        (stream, String::from_utf8(line).unwrap())
    };
    let (mut first, text) = greeting(dest.addr).await;
    assert!(text.starts_with("421 4.3.2 mx.example.net "), "{text}");
    // ... and the server closed the connection.
    let mut rest = Vec::new();
    tokio::time::timeout(PATIENCE, first.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert!(rest.is_empty());
    let (mut second, text) = greeting(dest.addr).await;
    assert!(text.starts_with("220 mx.example.net"), "{text}");
    second.write_all(b"QUIT\r\n").await.unwrap();
}

#[tokio::test]
async fn routes_and_retry_policy() {
    let routes: Routes = "example.net=127.0.0.1:2525 *=127.0.0.1:25".parse().unwrap();
    assert_eq!(routes.len(), 2);
    let net: SocketAddr = "127.0.0.1:2525".parse().unwrap();
    let default: SocketAddr = "127.0.0.1:25".parse().unwrap();
    assert_eq!(routes.lookup("bob@example.net"), Some(net));
    assert_eq!(routes.lookup("<Bob@EXAMPLE.NET>"), Some(net));
    assert_eq!(routes.lookup("\"a@b\"@example.net"), Some(net));
    assert_eq!(routes.lookup("bob@sub.example.net"), Some(default));
    assert_eq!(routes.lookup("no-domain"), None);
    let exact_only: Routes = "example.net=127.0.0.1:2525".parse().unwrap();
    assert_eq!(exact_only.lookup("bob@example.org"), None);
    for bad in [
        "example.net",
        "example.net=nowhere",
        "=127.0.0.1:25",
        "a@b=127.0.0.1:1",
    ] {
        assert!(bad.parse::<Routes>().is_err(), "{bad}");
    }

    let policy = RetryPolicy::default();
    let delays: Vec<u128> = (1..=7).map(|n| policy.delay(n).as_millis()).collect();
    assert_eq!(delays, [200, 400, 800, 1600, 3200, 5000, 5000]);
    assert_eq!(policy.delay(1000), Duration::from_secs(5), "no overflow");
}

#[tokio::test]
async fn the_queue_refuses_envelopes_its_state_file_cannot_hold() {
    let dir = temp_dir();
    let queue = Queue::open(dir.path()).await.unwrap();
    for envelope in [
        Envelope::new("a@example.org", &[] as &[&str]),
        Envelope::new("a@example.org", &["b\t@example.net"]),
        Envelope::new("a@example.org\r\nrcpt", &["b@example.net"]),
        Envelope::new("a@example.org", &[""]),
    ] {
        let error = queue.begin(envelope.clone()).await.unwrap_err();
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::InvalidInput,
            "{envelope:?}"
        );
    }
    assert!(files_in(&dir.path().join("tmp")).is_empty());
}

#[tokio::test]
async fn an_enqueue_dropped_or_aborted_leaves_nothing() {
    let dir = temp_dir();
    let queue = Queue::open(dir.path()).await.unwrap();
    let mut dropped = queue
        .begin(Envelope::new("a@example.org", &["b@example.net"]))
        .await
        .unwrap();
    dropped.write_chunk(b"Subject: x\r\n").await.unwrap();
    assert_eq!(files_in(&dir.path().join("tmp")).len(), 1);
    drop(dropped);
    let mut aborted = queue
        .begin(Envelope::new("a@example.org", &["b@example.net"]))
        .await
        .unwrap();
    aborted.write_chunk(b"Subject: y\r\n").await.unwrap();
    aborted.abort().await.unwrap();
    for sub in ["tmp", "msg", "state"] {
        assert!(files_in(&dir.path().join(sub)).is_empty(), "{sub}/");
    }
    assert!(queue.entries().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_uses_starttls_when_given_a_connector() {
    let dir = temp_dir();
    let maildir = dir.path().join("mx");
    let mut options = destination_options(&maildir);
    options.tls = true;
    let certificate = tls::SelfSigned::generate().unwrap();
    let connector = certificate.connector().unwrap();
    let listener = tokio::net::TcpListener::bind(options.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(smtp_serve::serve_with_certificate(
        listener,
        options,
        certificate,
    ));
    let queue = Queue::open(dir.path().join("queue")).await.unwrap();
    enqueue_in_chunks(&queue, "alice@example.org", &["bob@example.net"]).await;
    let mut config = relay_config();
    config.tls = Tls::Required;
    config.connector = Some(connector);
    config.transcript = true;
    let routes: Routes = format!("*={addr}").parse().unwrap();
    let (worker, mut events) = start_worker(&queue, routes, config);
    let seen = events_until(&mut events, |e| done_count(e) == 1).await;
    worker.abort();
    server.abort();
    let lines: Vec<String> = seen
        .into_iter()
        .filter_map(|(_, e)| match e {
            RelayEvent::Transcript { line, .. } => Some(line),
            _ => None,
        })
        .collect();
    let handshake = lines
        .iter()
        .position(|l| l == "   (TLS handshake done)")
        .expect("a TLS handshake");
    assert_eq!(lines[handshake - 1], "S: 220 2.0.0 Ready to start TLS");
    assert_eq!(lines[handshake + 1], "C: EHLO relay.example.org");
    let stored = std::fs::read_dir(maildir.join("new")).unwrap().count();
    assert_eq!(stored, 1);
}
