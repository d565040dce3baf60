//! The relay's delivery worker: takes due entries from the queue
//! (`relay_queue.rs`), sends each to the next hop of its recipients'
//! domains (`relay_route.rs`) with the sans-IO SMTP client
//! (`smtp_submit.rs`), and records each recipient's outcome:
//!
//! | reply | outcome |
//! |---|---|
//! | `2xx` after the data | delivered; never sent again |
//! | `4xx` (a `421` greeting too), connection refused, timeout, lost connection | tried again after a backoff ([`RetryPolicy`]) until it is too old |
//! | `5xx`, no route, too old | failed for good; the sender gets a bounce |
//!
//! A bounce is a delivery status notification (RFC 3464 in a
//! multipart/report, RFC 6522) queued with the null sender `<>`; a
//! message with that sender is never bounced itself (RFC 5321 section
//! 6.1), so two relays cannot bounce a message back and forth.
//!
//! What happens is reported as [`RelayEvent`]s on a
//! `tokio::sync::mpsc` channel, so an example can print
//! "421 -> queued -> retry in 200 ms -> delivered".
//!
//! Entries are worked one at a time, oldest first, and one worker per
//! queue directory: two would send the same entry twice.
//!
//! Include it with `#[path = "support/relay_worker.rs"] mod relay_worker;`
//! beside `relay_queue`, `relay_route`, `smtp_submit` and `tls`.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailwire_message::date::DateTime;
use mailwire_smtp::client::{ClientError, Tls, TransactionError};
use mailwire_smtp::types::Reply;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio_rustls::TlsConnector;

use crate::relay_queue::{Entry, Envelope, Queue, Status};
use crate::relay_route::{RetryPolicy, Routes, domain_of};
use crate::smtp_submit::{Note, Outcome, Transfer, transfer};

/// The most of a message's header copied into its bounce.
const MAX_BOUNCE_HEADER: usize = 32 * 1024;

/// What the worker reports, in the order it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RelayEvent {
    /// The worker saw a new entry.
    Queued {
        id: String,
        /// Empty for the null sender.
        from: String,
        recipients: Vec<String>,
    },
    /// A session to `route` starts for these recipients of entry `id`.
    Attempt {
        id: String,
        attempt: u32,
        route: SocketAddr,
        recipients: Vec<String>,
    },
    /// A line of that session, `C: ...` or `S: ...` (with
    /// [`RelayConfig::transcript`]), reported when the session is over;
    /// message data is summed up in one line.
    Transcript { id: String, line: String },
    /// The destination took the message for `recipient`.
    Delivered {
        id: String,
        recipient: String,
        reply: String,
    },
    /// A temporary failure; the next attempt is in `retry_in`.
    Deferred {
        id: String,
        recipient: String,
        reply: String,
        retry_in: Duration,
    },
    /// A permanent failure.
    Failed {
        id: String,
        recipient: String,
        reply: String,
    },
    /// A bounce for these recipients of entry `id` is queued as `bounce`.
    Bounced {
        id: String,
        bounce: String,
        recipients: Vec<String>,
    },
    /// Entry `id` is finished and left the queue.
    Done { id: String },
}

/// One line for a person, as the exchange example prints it:
///
/// ```text
/// queued 1732860000123.42.0: <alice@example.org> -> <bob@example.net>
/// attempt 1 of 1732860000123.42.0 via 127.0.0.1:2525 for <bob@example.net>
/// deferred <bob@example.net>: 421 4.3.2 Service temporarily unavailable; retry in 200 ms
/// ```
impl std::fmt::Display for RelayEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |addresses: &[String]| {
            addresses
                .iter()
                .map(|a| format!("<{a}>"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Queued {
                id,
                from,
                recipients,
            } => write!(f, "queued {id}: <{from}> -> {}", list(recipients)),
            Self::Attempt {
                id,
                attempt,
                route,
                recipients,
            } => write!(
                f,
                "attempt {attempt} of {id} via {route} for {}",
                list(recipients)
            ),
            Self::Transcript { line, .. } => write!(f, "    {line}"),
            Self::Delivered {
                recipient, reply, ..
            } => write!(f, "delivered <{recipient}>: {reply}"),
            Self::Deferred {
                recipient,
                reply,
                retry_in,
                ..
            } => write!(
                f,
                "deferred <{recipient}>: {reply}; retry in {} ms",
                retry_in.as_millis()
            ),
            Self::Failed {
                recipient, reply, ..
            } => write!(f, "failed <{recipient}>: {reply}"),
            Self::Bounced {
                id,
                bounce,
                recipients,
            } => write!(
                f,
                "bounce {bounce} queued for the sender of {id} about {}",
                list(recipients)
            ),
            Self::Done { id } => write!(f, "{id} done, removed from the queue"),
        }
    }
}

/// How the worker talks to the next hops.
#[derive(Clone)]
pub(crate) struct RelayConfig {
    /// The name in `EHLO` and in bounces (`Reporting-MTA`, `From:`).
    pub(crate) hostname: String,
    /// `STARTTLS` use; relay-to-MX is usually opportunistic. Without a
    /// connector it is treated as [`Tls::Never`].
    pub(crate) tls: Tls,
    /// Checks the next hops' certificates.
    pub(crate) connector: Option<TlsConnector>,
    /// Report each session's lines as [`RelayEvent::Transcript`].
    pub(crate) transcript: bool,
    /// The longest a whole session may take (the client's own RFC 5321
    /// timeouts are minutes long).
    pub(crate) session_timeout: Duration,
}

impl RelayConfig {
    /// No TLS, no transcript, sessions of at most 60 s.
    pub(crate) fn new(hostname: impl Into<String>) -> Self {
        Self {
            hostname: hostname.into(),
            tls: Tls::Never,
            connector: None,
            transcript: false,
            session_timeout: Duration::from_secs(60),
        }
    }
}

impl std::fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayConfig")
            .field("hostname", &self.hostname)
            .field("tls", &self.tls)
            .field("connector", &self.connector.is_some())
            .field("transcript", &self.transcript)
            .field("session_timeout", &self.session_timeout)
            .finish()
    }
}

/// Delivers the queue's entries until an I/O error on the queue itself
/// (or forever; abort the task to stop it). Safe to stop at any await:
/// the queue on disk stays consistent, and a new `run` on the same
/// directory carries on.
///
/// The worker waits for room on `events`: drain the receiver, or drop it
/// (then events are dropped and delivery goes on).
pub(crate) async fn run(
    queue: Queue,
    routes: Routes,
    policy: RetryPolicy,
    config: RelayConfig,
    events: mpsc::Sender<RelayEvent>,
) -> io::Result<()> {
    let worker = Worker {
        queue,
        routes,
        policy,
        config,
        events,
    };
    loop {
        let next = worker.run_due().await?;
        let wait = next.map(|at| at.duration_since(SystemTime::now()).unwrap_or_default());
        match wait {
            Some(wait) => {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = worker.queue.committed() => {}
                }
            }
            None => worker.queue.committed().await,
        }
    }
}

/// One recipient's outcome of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Delivered(String),
    Deferred(String),
    Failed(String),
}

impl Verdict {
    /// The verdict a reply gives: by its class (RFC 5321 section 4.2.1).
    pub(crate) fn of_reply(reply: &Reply<'_>) -> Self {
        let text = reply_text(reply);
        let code = reply.code();
        if code.is_positive() {
            Self::Delivered(text)
        } else if code.is_permanent() {
            Self::Failed(text)
        } else {
            Self::Deferred(text)
        }
    }
}

/// `250 2.0.0 text` for a reply (its lines joined with spaces).
pub(crate) fn reply_text(reply: &Reply<'_>) -> String {
    let text = reply.text().replace('\n', " ");
    match reply.status() {
        Some(status) => format!("{} {status} {text}", reply.code()),
        None => format!("{} {text}", reply.code()),
    }
}

/// Each of `count` recipients' verdict after a session that left
/// `outcome` (and `error`, if it ended in an I/O error or a timeout).
pub(crate) fn classify(outcome: &Outcome, error: Option<&str>, count: usize) -> Vec<Verdict> {
    let Some(report) = &outcome.report else {
        return vec![session_verdict(outcome, error); count];
    };
    let data = match &report.result {
        Ok(reply) => Verdict::of_reply(reply),
        // The session ended first (a 421 greeting, a lost connection):
        // the session's reason is the better one.
        Err(TransactionError::SessionClosed) => session_verdict(outcome, error),
        Err(error) => transaction_verdict(error),
    };
    let mut verdicts = vec![None; count];
    for (index, reply) in &report.rejected {
        if let Some(slot) = verdicts.get_mut(*index) {
            *slot = Some(Verdict::of_reply(reply));
        }
    }
    for index in &report.accepted {
        if let Some(slot) = verdicts.get_mut(*index) {
            *slot = Some(data.clone());
        }
    }
    // Recipients the server never answered (the sender was refused) share
    // the transaction's fate, but are never counted as delivered.
    let unanswered = match data {
        Verdict::Delivered(_) => Verdict::Deferred("451 4.4.0 recipient not answered".into()),
        other => other,
    };
    verdicts
        .into_iter()
        .map(|v| v.unwrap_or_else(|| unanswered.clone()))
        .collect()
}

/// The verdict for every recipient of a session that ended before its
/// transaction did.
fn session_verdict(outcome: &Outcome, error: Option<&str>) -> Verdict {
    let reply = match &outcome.error {
        Some(
            ClientError::Rejected(reply)
            | ClientError::Hello(reply)
            | ClientError::StartTls(reply)
            | ClientError::Auth(reply)
            | ClientError::UnexpectedReply(reply),
        ) => Some(reply),
        _ => outcome.closed.as_ref(),
    };
    match reply {
        // A positive reply here is no delivery: try again.
        Some(reply) if !reply.is_positive() => Verdict::of_reply(reply),
        _ => {
            let why = error
                .map(str::to_owned)
                .or_else(|| outcome.failure.clone())
                .unwrap_or_else(|| "the session ended early".into());
            Verdict::Deferred(format!("451 4.4.1 {why}"))
        }
    }
}

/// The verdict for the accepted recipients of a transaction that failed.
fn transaction_verdict(error: &TransactionError) -> Verdict {
    match error {
        TransactionError::Sender(reply)
        | TransactionError::Data(reply)
        | TransactionError::Message(reply) => match Verdict::of_reply(reply) {
            Verdict::Delivered(text) => Verdict::Deferred(text),
            other => other,
        },
        TransactionError::SessionClosed | TransactionError::NoRecipients => {
            Verdict::Deferred(format!("451 4.4.2 {error}"))
        }
        TransactionError::Needs8BitMime => Verdict::Failed(format!("554 5.6.3 {error}")),
        TransactionError::NeedsSmtpUtf8 => Verdict::Failed(format!("553 5.6.7 {error}")),
        TransactionError::TooLarge { .. } => Verdict::Failed(format!("552 5.3.4 {error}")),
        other => Verdict::Failed(format!("554 5.5.0 {other}")),
    }
}

/// The worker's state: what [`run`] was given.
struct Worker {
    queue: Queue,
    routes: Routes,
    policy: RetryPolicy,
    config: RelayConfig,
    events: mpsc::Sender<RelayEvent>,
}

impl Worker {
    /// Works every entry that needs it; returns when the earliest
    /// remaining one is due.
    async fn run_due(&self) -> io::Result<Option<SystemTime>> {
        let mut next: Option<SystemTime> = None;
        for mut entry in self.queue.entries().await? {
            if entry.attempts == 0 {
                self.emit(RelayEvent::Queued {
                    id: entry.id.clone(),
                    from: entry.from.clone(),
                    recipients: entry.recipients.iter().map(|r| r.address.clone()).collect(),
                })
                .await;
            }
            let attempted = entry.is_due(SystemTime::now());
            if attempted {
                self.attempt(&mut entry).await?;
            }
            if let Some(due) = self.settle(entry, attempted).await? {
                next = Some(next.map_or(due, |n| n.min(due)));
            }
        }
        Ok(next)
    }

    /// One attempt at every pending recipient of `entry`: a session per
    /// next hop, the outcome saved after each.
    async fn attempt(&self, entry: &mut Entry) -> io::Result<()> {
        entry.attempts += 1;
        let mut by_route: BTreeMap<SocketAddr, Vec<usize>> = BTreeMap::new();
        for (index, recipient) in entry.recipients.iter_mut().enumerate() {
            if recipient.status != Status::Pending {
                continue;
            }
            match self.routes.lookup(&recipient.address) {
                Some(route) => by_route.entry(route).or_default().push(index),
                None => {
                    recipient.status = Status::Failed;
                    recipient.reply = format!(
                        "550 5.4.4 no route to {}",
                        domain_of(&recipient.address).unwrap_or("that domain")
                    );
                }
            }
        }
        for (route, indexes) in by_route {
            let verdicts = self.deliver(entry, route, &indexes).await;
            for (&index, verdict) in indexes.iter().zip(&verdicts) {
                let recipient = &mut entry.recipients[index];
                (recipient.status, recipient.reply) = match verdict.clone() {
                    Verdict::Delivered(reply) => (Status::Delivered, reply),
                    Verdict::Deferred(reply) => (Status::Pending, reply),
                    Verdict::Failed(reply) => (Status::Failed, reply),
                };
            }
            // Durable before anything else happens: a restart must not
            // send to these recipients again.
            self.queue.save(entry).await?;
            for &index in &indexes {
                let recipient = &entry.recipients[index];
                if recipient.status == Status::Delivered {
                    self.emit(RelayEvent::Delivered {
                        id: entry.id.clone(),
                        recipient: recipient.address.clone(),
                        reply: recipient.reply.clone(),
                    })
                    .await;
                }
            }
        }
        Ok(())
    }

    /// After an attempt (or on finding an entry a crash left half done):
    /// gives up on recipients pending too long, bounces the failed ones,
    /// and removes the entry when nothing is left to do, or schedules its
    /// next attempt. Returns when it is due, if it stays.
    async fn settle(&self, mut entry: Entry, attempted: bool) -> io::Result<Option<SystemTime>> {
        let now = SystemTime::now();
        if attempted && self.too_old(&entry, now) {
            for recipient in &mut entry.recipients {
                if recipient.status == Status::Pending {
                    recipient.status = Status::Failed;
                    recipient.reply = format!(
                        "{} (gave up after {} attempts)",
                        recipient.reply, entry.attempts
                    );
                }
            }
        }
        self.report_failures(&mut entry).await?;
        if !entry.has_pending() {
            self.queue.remove(&entry.id).await?;
            self.emit(RelayEvent::Done { id: entry.id }).await;
            return Ok(None);
        }
        if attempted {
            let retry_in = self.policy.delay(entry.attempts);
            entry.next_attempt = now + retry_in;
            self.queue.save(&entry).await?;
            for recipient in entry.with_status(Status::Pending) {
                self.emit(RelayEvent::Deferred {
                    id: entry.id.clone(),
                    recipient: recipient.address.clone(),
                    reply: recipient.reply.clone(),
                    retry_in,
                })
                .await;
            }
        }
        Ok(Some(entry.next_attempt))
    }

    fn too_old(&self, entry: &Entry, now: SystemTime) -> bool {
        now.duration_since(entry.created)
            .is_ok_and(|age| age >= self.policy.give_up_after)
    }

    /// Records the failed recipients (saved first, so a crash cannot lose
    /// them), queues one bounce for them unless the message is a bounce
    /// itself, then marks them reported. A crash between the bounce and
    /// the mark sends the bounce twice rather than never.
    async fn report_failures(&self, entry: &mut Entry) -> io::Result<()> {
        let failed: Vec<usize> = (0..entry.recipients.len())
            .filter(|&i| entry.recipients[i].status == Status::Failed)
            .collect();
        if failed.is_empty() {
            return Ok(());
        }
        self.queue.save(entry).await?;
        for &index in &failed {
            let recipient = &entry.recipients[index];
            self.emit(RelayEvent::Failed {
                id: entry.id.clone(),
                recipient: recipient.address.clone(),
                reply: recipient.reply.clone(),
            })
            .await;
        }
        if !entry.is_bounce() {
            let bounce = self.bounce(entry, &failed).await?;
            self.emit(RelayEvent::Bounced {
                id: entry.id.clone(),
                bounce,
                recipients: failed
                    .iter()
                    .map(|&i| entry.recipients[i].address.clone())
                    .collect(),
            })
            .await;
        }
        for &index in &failed {
            entry.recipients[index].status = Status::Reported;
        }
        self.queue.save(entry).await
    }

    /// Queues a delivery status notification to the sender of `entry` for
    /// the recipients at `failed`; returns its id.
    async fn bounce(&self, entry: &Entry, failed: &[usize]) -> io::Result<String> {
        // The header is a courtesy: a bounce goes out without it when the
        // message cannot be read (its file lost, say).
        let header = original_header(&self.queue.message_path(&entry.id))
            .await
            .unwrap_or_default();
        let text = dsn(
            &self.config.hostname,
            entry,
            failed,
            &header,
            SystemTime::now(),
        );
        let envelope = Envelope::new("", &[entry.from.as_str()]);
        self.queue.enqueue(envelope, text.as_bytes()).await
    }

    /// One session to `route` for the recipients of `entry` at `indexes`;
    /// a verdict for each. Never fails: every error is a verdict.
    async fn deliver(&self, entry: &Entry, route: SocketAddr, indexes: &[usize]) -> Vec<Verdict> {
        let to: Vec<String> = indexes
            .iter()
            .map(|&i| entry.recipients[i].address.clone())
            .collect();
        self.emit(RelayEvent::Attempt {
            id: entry.id.clone(),
            attempt: entry.attempts,
            route,
            recipients: to.clone(),
        })
        .await;
        let message = self.queue.message_path(&entry.id);
        let spec = Transfer {
            server: route,
            helo: &self.config.hostname,
            tls: match self.config.connector {
                Some(_) => self.config.tls,
                None => Tls::Never,
            },
            auth: None,
            from: &entry.from,
            to: &to,
            file: &message,
            chunking: false,
            scanned: Some((entry.size, entry.eight_bit)),
        };
        let mut outcome = Outcome::default();
        let mut transcript = Transcript::new(self.config.transcript);
        let mut note = |note: Note<'_>| transcript.note(&note);
        let session = transfer(
            &spec,
            self.config.connector.as_ref(),
            &mut outcome,
            &mut note,
        );
        let error = match tokio::time::timeout(self.config.session_timeout, session).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some(format!(
                "no answer within {:?}",
                self.config.session_timeout
            )),
        };
        for line in transcript.into_lines() {
            self.emit(RelayEvent::Transcript {
                id: entry.id.clone(),
                line,
            })
            .await;
        }
        classify(&outcome, error.as_deref(), to.len())
    }

    /// Reports `event`; a receiver that went away is no reason to stop
    /// delivering mail.
    async fn emit(&self, event: RelayEvent) {
        let _ = self.events.send(event).await;
    }
}

/// A session's lines as `C: ` / `S: ` text; the message data the client
/// sends after `354` is summed up in one line, so a large message makes a
/// short transcript.
struct Transcript {
    on: bool,
    lines: Vec<String>,
    /// Octets of message data sent since the `354`, when in the data.
    data: Option<u64>,
    /// The last few bytes of data sent (at most 4).
    tail: Vec<u8>,
    /// Who sent the unfinished line, and that line.
    partial: (&'static str, Vec<u8>),
}

/// Where in `bytes` the data ends (just after `CRLF.CRLF`), the marker
/// perhaps begun in `tail`, the bytes sent before.
fn data_end(tail: &[u8], bytes: &[u8]) -> Option<usize> {
    const END: &[u8] = b"\r\n.\r\n";
    // Across the boundary: the tail and the first bytes.
    let mut joined = tail.to_vec();
    joined.extend_from_slice(&bytes[..bytes.len().min(4)]);
    if let Some(at) = joined.windows(END.len()).position(|w| w == END) {
        return Some(at + END.len() - tail.len());
    }
    bytes
        .windows(END.len())
        .position(|w| w == END)
        .map(|at| at + END.len())
}

impl Transcript {
    fn new(on: bool) -> Self {
        Self {
            on,
            lines: Vec::new(),
            data: None,
            tail: Vec::new(),
            partial: ("C:", Vec::new()),
        }
    }

    fn note(&mut self, note: &Note<'_>) {
        if !self.on {
            return;
        }
        match note {
            Note::Sent(bytes) => self.sent(bytes),
            Note::Received(bytes) => self.push("S:", bytes),
            Note::TlsDone => {
                self.flush();
                self.lines.push("   (TLS handshake done)".into());
            }
            Note::Recipient { .. } => {}
        }
    }

    /// Bytes the client sent: commands, or message data up to its
    /// `CRLF.CRLF` (which, dot-stuffed, appears only at its end), then
    /// maybe commands (a pipelined `QUIT`).
    fn sent(&mut self, bytes: &[u8]) {
        let Some(count) = self.data else {
            return self.push("C:", bytes);
        };
        match data_end(&self.tail, bytes) {
            Some(end) => {
                self.data = None;
                self.flush();
                self.lines.push(format!(
                    "C: <{} octets of message data, ending CRLF.CRLF>",
                    count + end as u64
                ));
                self.push("C:", &bytes[end..]);
            }
            None => {
                self.data = Some(count + bytes.len() as u64);
                // The last 4 bytes, for a marker split between two writes.
                self.tail.extend_from_slice(bytes);
                let keep = self.tail.len().saturating_sub(4);
                self.tail.drain(..keep);
            }
        }
    }

    /// Adds the whole lines of `bytes` (after what `who` left unfinished
    /// before); keeps an unfinished last line for the next call. A line
    /// longer than a reply line may be (RFC 5321 section 4.5.3.1.5) is cut.
    fn push(&mut self, who: &'static str, bytes: &[u8]) {
        if self.partial.0 != who {
            self.flush();
            self.partial.0 = who;
        }
        for piece in bytes.split_inclusive(|&b| b == b'\n') {
            let room = 512usize.saturating_sub(self.partial.1.len());
            self.partial
                .1
                .extend_from_slice(&piece[..piece.len().min(room)]);
            if piece.ends_with(b"\n") {
                self.flush();
            }
        }
    }

    /// Ends the unfinished line, if any.
    fn flush(&mut self) {
        let (who, line) = &mut self.partial;
        if !line.is_empty() {
            let text = String::from_utf8_lossy(line);
            let text = text.trim_end_matches(['\r', '\n']);
            // After the last line of a 354 the client sends the message.
            if *who == "S:" && text.starts_with("354 ") {
                self.data = Some(0);
                // As if the data followed a line end: an empty message is
                // `.CRLF` alone.
                self.tail = b"\r\n".to_vec();
            }
            self.lines.push(format!("{who} {text}"));
            line.clear();
        }
    }

    /// The lines, the last one finished.
    fn into_lines(mut self) -> Vec<String> {
        self.flush();
        self.lines
    }
}

/// The header of the message at `path` (up to and without the empty
/// line), at most [`MAX_BOUNCE_HEADER`] octets cut at a line end.
async fn original_header(path: &std::path::Path) -> io::Result<String> {
    let file = tokio::fs::File::open(path).await?;
    let mut head = Vec::with_capacity(4096);
    file.take(MAX_BOUNCE_HEADER as u64)
        .read_to_end(&mut head)
        .await?;
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 2)
        .or_else(|| head.windows(2).position(|w| w == b"\n\n").map(|p| p + 1))
        .or_else(|| head.iter().rposition(|&b| b == b'\n').map(|p| p + 1))
        .unwrap_or(0);
    head.truncate(end);
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// A delivery status notification (RFC 3464) for the recipients of
/// `entry` at `failed`, as a multipart/report (RFC 6522): a human
/// readable part, the `message/delivery-status` part, and the original
/// header (`text/rfc822-headers`).
pub(crate) fn dsn(
    hostname: &str,
    entry: &Entry,
    failed: &[usize],
    header: &str,
    now: SystemTime,
) -> String {
    let boundary = format!("=_mailwire-dsn-{}", entry.id);
    let date = rfc5322_date(now);
    let mut human = String::new();
    let mut status = String::new();
    for &index in failed {
        let recipient = &entry.recipients[index];
        human.push_str(&format!("<{}>: {}\r\n", recipient.address, recipient.reply));
        status.push_str(&format!(
            "\r\nFinal-Recipient: rfc822; {}\r\nAction: failed\r\nStatus: {}\r\nDiagnostic-Code: smtp; {}\r\nLast-Attempt-Date: {date}\r\n",
            recipient.address,
            status_code(&recipient.reply),
            recipient.reply
        ));
    }
    let mut header = header.replace("\r\n", "\n").replace('\n', "\r\n");
    if !header.is_empty() && !header.ends_with("\r\n") {
        header.push_str("\r\n");
    }
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@{hostname}>\r\n\
         To: <{from}>\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Date: {date}\r\n\
         Message-ID: <{id}.dsn@{hostname}>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status;\r\n\
         \tboundary=\"{boundary}\"\r\n\
         \r\n\
         This is a MIME-encapsulated delivery status notification.\r\n\
         \r\n\
         --{boundary}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         This is the mail system at {hostname}.\r\n\
         \r\n\
         Your message could not be delivered to one or more recipients.\r\n\
         \r\n\
         {human}\
         \r\n\
         --{boundary}\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; {hostname}\r\n\
         Arrival-Date: {arrival}\r\n\
         {status}\
         \r\n\
         --{boundary}\r\n\
         Content-Type: text/rfc822-headers\r\n\
         \r\n\
         {header}\
         \r\n\
         --{boundary}--\r\n",
        from = entry.from,
        id = entry.id,
        arrival = rfc5322_date(entry.created),
    )
}

/// The RFC 3463 status of a reply such as `550 5.1.1 text`: its enhanced
/// code if it has one, else `class.0.0`.
fn status_code(reply: &str) -> String {
    let mut words = reply.split(' ');
    let code = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let enhanced = second.split('.').count() == 3
        && second
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if enhanced {
        second.to_owned()
    } else {
        match code.as_bytes().first() {
            Some(b'4') => "4.0.0".into(),
            _ => "5.0.0".into(),
        }
    }
}

fn rfc5322_date(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    DateTime::from_unix(i64::try_from(seconds).unwrap_or(0), 0)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay_queue::Recipient;
    use mailwire_smtp::types::{EnhancedStatus, ReplyCode};

    #[test]
    fn events_read_as_one_line_each() {
        let id = "1.2.3".to_owned();
        let bob = vec!["bob@example.net".to_owned()];
        let lines: Vec<String> = [
            RelayEvent::Queued {
                id: id.clone(),
                from: String::new(),
                recipients: bob.clone(),
            },
            RelayEvent::Attempt {
                id: id.clone(),
                attempt: 2,
                route: "127.0.0.1:2525".parse().unwrap(),
                recipients: bob.clone(),
            },
            RelayEvent::Transcript {
                id: id.clone(),
                line: "S: 220 hi".into(),
            },
            RelayEvent::Deferred {
                id: id.clone(),
                recipient: bob[0].clone(),
                reply: "421 4.3.2 Busy".into(),
                retry_in: Duration::from_millis(200),
            },
            RelayEvent::Delivered {
                id: id.clone(),
                recipient: bob[0].clone(),
                reply: "250 2.0.0 OK".into(),
            },
            RelayEvent::Failed {
                id: id.clone(),
                recipient: bob[0].clone(),
                reply: "550 5.1.1 No".into(),
            },
            RelayEvent::Bounced {
                id: id.clone(),
                bounce: "4.5.6".into(),
                recipients: bob.clone(),
            },
            RelayEvent::Done { id },
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            lines,
            [
                "queued 1.2.3: <> -> <bob@example.net>",
                "attempt 2 of 1.2.3 via 127.0.0.1:2525 for <bob@example.net>",
                "    S: 220 hi",
                "deferred <bob@example.net>: 421 4.3.2 Busy; retry in 200 ms",
                "delivered <bob@example.net>: 250 2.0.0 OK",
                "failed <bob@example.net>: 550 5.1.1 No",
                "bounce 4.5.6 queued for the sender of 1.2.3 about <bob@example.net>",
                "1.2.3 done, removed from the queue",
            ]
        );
    }

    #[test]
    fn replies_sort_by_class() {
        let reply = |code, status, text| Reply::new(ReplyCode::new(code).unwrap(), status, text);
        assert_eq!(
            Verdict::of_reply(&reply(250, EnhancedStatus::new(2, 0, 0), "OK")),
            Verdict::Delivered("250 2.0.0 OK".into())
        );
        assert_eq!(
            Verdict::of_reply(&reply(421, EnhancedStatus::new(4, 3, 2), "Busy")),
            Verdict::Deferred("421 4.3.2 Busy".into())
        );
        assert_eq!(
            Verdict::of_reply(&reply(550, None, "No\nsuch user")),
            Verdict::Failed("550 No such user".into())
        );
    }

    #[test]
    fn a_session_that_ends_early_defers_unless_the_server_said_5xx() {
        let count = 2;
        // Connection refused: no reply at all.
        let outcome = Outcome::default();
        let verdicts = classify(&outcome, Some("Connection refused (os error 111)"), count);
        assert_eq!(
            verdicts,
            vec![Verdict::Deferred("451 4.4.1 Connection refused (os error 111)".into()); 2]
        );
        // A 421 greeting (RFC 5321 section 3.1).
        let busy = Reply::new(
            ReplyCode::SERVICE_NOT_AVAILABLE,
            EnhancedStatus::new(4, 3, 2),
            "Busy",
        );
        let outcome = Outcome {
            error: Some(ClientError::Rejected(busy.clone())),
            closed: Some(busy),
            ..Outcome::default()
        };
        assert_eq!(
            classify(&outcome, None, 1),
            [Verdict::Deferred("421 4.3.2 Busy".into())]
        );
        // A 554 greeting: nobody here wants mail.
        let outcome = Outcome {
            error: Some(ClientError::Rejected(Reply::new(
                ReplyCode::TRANSACTION_FAILED,
                None,
                "No SMTP service here",
            ))),
            ..Outcome::default()
        };
        assert_eq!(
            classify(&outcome, None, 1),
            [Verdict::Failed("554 No SMTP service here".into())]
        );
        // A timeout or a lost connection is temporary.
        let outcome = Outcome {
            error: Some(ClientError::ConnectionLost),
            failure: Some("the connection closed unexpectedly".into()),
            ..Outcome::default()
        };
        assert_eq!(
            classify(&outcome, None, 1),
            [Verdict::Deferred(
                "451 4.4.1 the connection closed unexpectedly".into()
            )]
        );
    }

    #[test]
    fn transaction_errors_that_retrying_cannot_fix_are_permanent() {
        assert!(matches!(
            transaction_verdict(&TransactionError::Needs8BitMime),
            Verdict::Failed(text) if text.starts_with("554 5.6.3")
        ));
        assert!(matches!(
            transaction_verdict(&TransactionError::TooLarge { size: 10, limit: 5 }),
            Verdict::Failed(text) if text.starts_with("552 5.3.4")
        ));
        assert!(matches!(
            transaction_verdict(&TransactionError::SessionClosed),
            Verdict::Deferred(text) if text.starts_with("451 4.4.2")
        ));
        let later = Reply::new(ReplyCode::LOCAL_ERROR, None, "try later");
        assert_eq!(
            transaction_verdict(&TransactionError::Message(later)),
            Verdict::Deferred("451 try later".into())
        );
    }

    #[test]
    fn dsn_statuses_come_from_the_enhanced_code_or_the_class() {
        assert_eq!(status_code("550 5.1.1 No such user"), "5.1.1");
        assert_eq!(status_code("550 No such user"), "5.0.0");
        assert_eq!(status_code("451 4.4.1 refused (gave up)"), "4.4.1");
        assert_eq!(status_code("421 busy"), "4.0.0");
        assert_eq!(status_code("550 5.x.1 odd"), "5.0.0");
        assert_eq!(status_code(""), "5.0.0");
    }

    #[test]
    fn the_data_end_is_found_across_writes() {
        let data = b"a\r\n..b\r\n.\r\nQUIT\r\n";
        for split in 0..data.len() {
            let mut transcript = Transcript::new(true);
            // The 354 itself may come in two reads.
            transcript.note(&Note::Received(b"35"));
            transcript.note(&Note::Received(b"4 go ahead\r\n"));
            transcript.note(&Note::Sent(&data[..split]));
            transcript.note(&Note::Sent(&data[split..]));
            assert_eq!(
                transcript.into_lines(),
                [
                    "S: 354 go ahead",
                    "C: <11 octets of message data, ending CRLF.CRLF>",
                    "C: QUIT"
                ],
                "split at {split}"
            );
        }
        // An empty message is the end marker alone.
        let mut transcript = Transcript::new(true);
        transcript.note(&Note::Received(b"354 go ahead\r\n"));
        transcript.note(&Note::Sent(b".\r\nQUIT\r\n"));
        transcript.note(&Note::Received(b"250 OK\r\n221 B"));
        transcript.note(&Note::Received(b"ye\r\n"));
        assert_eq!(
            transcript.into_lines(),
            [
                "S: 354 go ahead",
                "C: <3 octets of message data, ending CRLF.CRLF>",
                "C: QUIT",
                "S: 250 OK",
                "S: 221 Bye"
            ]
        );
    }

    #[test]
    fn a_dsn_is_a_well_formed_multipart_report() {
        let entry = Entry {
            id: "1732860000123.42.7".into(),
            from: "alice@example.org".into(),
            size: 10,
            eight_bit: false,
            created: UNIX_EPOCH + Duration::from_secs(1_732_860_000),
            attempts: 1,
            next_attempt: UNIX_EPOCH,
            recipients: vec![
                Recipient {
                    address: "bob@example.net".into(),
                    status: Status::Delivered,
                    reply: "250 2.0.0 OK".into(),
                },
                Recipient {
                    address: "dave@example.net".into(),
                    status: Status::Failed,
                    reply: "550 5.1.1 No such user".into(),
                },
            ],
        };
        // A header with LF line ends is given CRLF.
        let header = "Subject: lunch\nMessage-ID: <l@example.org>\n";
        let text = dsn("relay.example.org", &entry, &[1], header, entry.created);
        let message = mailwire_message::Message::parse(text.as_bytes());
        assert!(message.validate().is_empty(), "{:?}", message.validate());
        let root = message.root();
        assert!(root.content_type().is("multipart", "report"));
        assert_eq!(
            root.content_type().params().get("report-type").as_deref(),
            Some("delivery-status")
        );
        let parts = root.parts();
        assert_eq!(parts.len(), 3);
        assert!(parts[0].content_type().is("text", "plain"));
        assert!(parts[1].content_type().is("message", "delivery-status"));
        assert!(parts[2].content_type().is("text", "rfc822-headers"));
        let status = String::from_utf8_lossy(parts[1].body()).into_owned();
        // RFC 3464 section 2.2 (per message) and 2.3 (per recipient).
        assert!(status.starts_with("Reporting-MTA: dns; relay.example.org\r\nArrival-Date: "));
        assert!(status.contains(
            "\r\n\r\nFinal-Recipient: rfc822; dave@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 No such user\r\n"
        ));
        assert!(!status.contains("bob@"), "only the failed recipient");
        assert_eq!(
            parts[2].body(),
            // The CRLF before the closing delimiter belongs to it (RFC
            // 2046 section 5.1.1).
            b"Subject: lunch\r\nMessage-ID: <l@example.org>\r\n".as_slice()
        );
        assert_eq!(
            message.subject().as_deref(),
            Some("Undelivered Mail Returned to Sender")
        );
    }
}
