//! An on-disk store-and-forward queue for the relay examples: a message is
//! written to disk, durably, before the receiving server answers `250`,
//! and stays there, with the state of each of its recipients, until every
//! recipient has either been delivered or been given up on (and its
//! sender told). The delivery side lives in `relay_worker.rs`; routes and
//! the retry schedule in `relay_route.rs`.
//!
//! # Layout on disk
//!
//! ```text
//! QUEUE/tmp/         files being written; whatever is here on open is
//!                    the leftover of a crash and is removed
//! QUEUE/msg/ID       the message exactly as received; never changed
//! QUEUE/state/ID     the envelope and each recipient's state (text, below)
//! ```
//!
//! `ID` is `<unix milliseconds, 13 digits>.<pid>.<counter>`, so names sort
//! in arrival order.
//!
//! A state file is UTF-8 text, one field a line:
//!
//! ```text
//! mailwire-relay-queue 1
//! from alice@example.org          (empty for the null sender <>)
//! size 1234
//! eight-bit 0
//! created 1732860000123           (unix milliseconds)
//! attempts 1
//! next 1732860000323              (unix milliseconds)
//! rcpt<TAB>pending<TAB>bob@example.net<TAB>421 4.3.2 Busy
//! rcpt<TAB>delivered<TAB>carol@example.net<TAB>250 2.0.0 OK
//! rcpt<TAB>failed<TAB>dave@example.net<TAB>550 5.1.1 No such user
//! ```
//!
//! The last field of a `rcpt` line is the latest reply (or local error)
//! for that recipient; RFC 5321 addresses cannot hold a TAB, CR or LF, and
//! such bytes in a reply are replaced by spaces.
//!
//! # Guarantees
//!
//! - **Enqueue is durable before it returns.** The message streams into
//!   `tmp/` chunk by chunk (memory stays bounded whatever its size), is
//!   fsynced and renamed into `msg/`, and `msg/` is fsynced; then the state
//!   file goes the same way into `state/`. Only then does
//!   [`Enqueue::commit`] return, and only then may the server say `250`.
//! - **An entry exists exactly when its state file does.** The message
//!   goes in first and out last, so a state file always has its message;
//!   a message without a state file (a crash between the two renames, when
//!   no `250` was sent) is removed on [`Queue::open`].
//! - **State updates are atomic.** A new state file is written to `tmp/`,
//!   fsynced and renamed over the old one: after a crash a reader sees the
//!   old state or the new, never a mix.
//! - **No recipient gets a message twice because of a restart**, as far as
//!   this side can tell: the worker records a recipient as delivered (and
//!   fsyncs that) before it goes on to anything else. What it cannot
//!   close is the window SMTP itself leaves open (RFC 5321 section 6.1): a
//!   crash after the server's `250` and before that record is written.
//!
//! Include it with `#[path = "support/relay_queue.rs"] mod relay_queue;`.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::fs;
use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;

/// The first line of every state file; a change of format bumps it.
const MAGIC: &str = "mailwire-relay-queue 1";

/// The largest state file read back (a bound for a damaged file): room
/// for thousands of recipients.
const MAX_STATE_FILE: u64 = 4 << 20;

/// Makes the counter part of ids unique within the process.
static ENQUEUED: AtomicU64 = AtomicU64::new(0);

/// The envelope of a queued message: who sent it and who still wants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Envelope {
    /// The reverse-path without angle brackets; empty for the null sender
    /// `<>` (bounces).
    pub(crate) from: String,
    /// The forward-paths without angle brackets.
    pub(crate) to: Vec<String>,
}

impl Envelope {
    /// An envelope from addresses with or without angle brackets (as the
    /// server's events print them, `<bob@example.net>`).
    pub(crate) fn new<S: AsRef<str>>(from: &str, to: &[S]) -> Self {
        Self {
            from: bare(from).to_owned(),
            to: to.iter().map(|t| bare(t.as_ref()).to_owned()).collect(),
        }
    }

    /// Whether the sender is `<>`: the message is a bounce, and is never
    /// bounced itself.
    pub(crate) fn is_bounce(&self) -> bool {
        self.from.is_empty()
    }

    /// Refuses what the state file could not hold.
    fn check(&self) -> io::Result<()> {
        if self.to.is_empty() {
            return Err(invalid_input("an envelope needs a recipient"));
        }
        let unfit = |a: &str| a.contains(['\t', '\r', '\n']) || a.trim() != a;
        if unfit(&self.from) || self.to.iter().any(|t| t.is_empty() || unfit(t)) {
            return Err(invalid_input(
                "an address is empty or holds a TAB, CR, LF or edge space",
            ));
        }
        Ok(())
    }
}

/// An address without its angle brackets.
pub(crate) fn bare(address: &str) -> &str {
    let address = address.trim();
    address
        .strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(address)
}

/// Where one recipient of an entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Not delivered yet; tried again at the entry's next attempt.
    Pending,
    /// The destination accepted it (`250`). Never sent again.
    Delivered,
    /// Given up on (a `5xx`, no route, or too long in the queue); the
    /// sender has not been told yet.
    Failed,
    /// Given up on, and the bounce is queued (or none was due: the message
    /// was itself a bounce).
    Reported,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Reported => "reported",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            "reported" => Self::Reported,
            _ => return None,
        })
    }
}

/// One recipient of an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Recipient {
    pub(crate) address: String,
    pub(crate) status: Status,
    /// The latest reply (`421 4.3.2 Busy`) or local error; empty before the
    /// first attempt.
    pub(crate) reply: String,
}

/// A queued message's state, as its state file holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) id: String,
    /// Empty for the null sender.
    pub(crate) from: String,
    /// The message's size in octets.
    pub(crate) size: u64,
    /// Whether the message holds bytes above 127 (for `BODY=8BITMIME`).
    pub(crate) eight_bit: bool,
    pub(crate) created: SystemTime,
    /// Delivery attempts made so far.
    pub(crate) attempts: u32,
    /// When the pending recipients are due again.
    pub(crate) next_attempt: SystemTime,
    pub(crate) recipients: Vec<Recipient>,
}

impl Entry {
    /// Whether the message is a bounce (sender `<>`).
    pub(crate) fn is_bounce(&self) -> bool {
        self.from.is_empty()
    }

    /// The recipients with `status`.
    pub(crate) fn with_status(&self, status: Status) -> impl Iterator<Item = &Recipient> + '_ {
        self.recipients.iter().filter(move |r| r.status == status)
    }

    /// Whether some recipient is still to be delivered.
    pub(crate) fn has_pending(&self) -> bool {
        self.with_status(Status::Pending).next().is_some()
    }

    /// Whether the pending recipients are due at `now`.
    pub(crate) fn is_due(&self, now: SystemTime) -> bool {
        self.has_pending() && self.next_attempt <= now
    }

    /// The state file's text.
    fn to_text(&self) -> String {
        let mut text = String::with_capacity(256 + 64 * self.recipients.len());
        // Writing to a String cannot fail.
        let _ = writeln!(text, "{MAGIC}");
        let _ = writeln!(text, "from {}", self.from);
        let _ = writeln!(text, "size {}", self.size);
        let _ = writeln!(text, "eight-bit {}", u8::from(self.eight_bit));
        let _ = writeln!(text, "created {}", unix_millis(self.created));
        let _ = writeln!(text, "attempts {}", self.attempts);
        let _ = writeln!(text, "next {}", unix_millis(self.next_attempt));
        for r in &self.recipients {
            let _ = writeln!(
                text,
                "rcpt\t{}\t{}\t{}",
                r.status.as_str(),
                r.address,
                one_line(&r.reply)
            );
        }
        text
    }

    /// Reads a state file's text; `id` is its file name.
    fn parse(id: &str, text: &str) -> io::Result<Self> {
        let bad = |what: &str| invalid_data(format!("state file {id}: {what}"));
        let mut lines = text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(bad("not a relay queue state file"));
        }
        let mut entry = Self {
            id: id.to_owned(),
            from: String::new(),
            size: 0,
            eight_bit: false,
            created: UNIX_EPOCH,
            attempts: 0,
            next_attempt: UNIX_EPOCH,
            recipients: Vec::new(),
        };
        let number = |value: &str| value.parse::<u64>().map_err(|_| bad(value));
        for line in lines {
            if let Some(rest) = line.strip_prefix("rcpt\t") {
                let mut fields = rest.splitn(3, '\t');
                let status = fields.next().and_then(Status::parse);
                let (Some(status), Some(address)) = (status, fields.next()) else {
                    return Err(bad(line));
                };
                entry.recipients.push(Recipient {
                    address: address.to_owned(),
                    status,
                    reply: fields.next().unwrap_or_default().to_owned(),
                });
                continue;
            }
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "from" => entry.from = value.to_owned(),
                "size" => entry.size = number(value)?,
                "eight-bit" => entry.eight_bit = number(value)? != 0,
                "created" => entry.created = from_unix_millis(number(value)?),
                "attempts" => {
                    entry.attempts = u32::try_from(number(value)?).map_err(|_| bad(value))?;
                }
                "next" => entry.next_attempt = from_unix_millis(number(value)?),
                // Fields a later version may add.
                _ => {}
            }
        }
        if entry.recipients.is_empty() {
            return Err(bad("no recipients"));
        }
        Ok(entry)
    }
}

/// The queue: a directory (see the module docs for its layout).
///
/// Cheap to clone; clones share the wake-up signal that tells a worker in
/// this process about new entries.
#[derive(Clone, Debug)]
pub(crate) struct Queue {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    /// Signalled on every commit; `notify_one` keeps a permit when no one
    /// waits, so a worker that looks between two commits misses nothing.
    wake: Notify,
}

impl Queue {
    /// Opens the queue at `root`, creating it as needed, and clears what
    /// a crash left behind: files in `tmp/`, and messages whose state file
    /// was never committed (no `250` was sent for them).
    pub(crate) async fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        for sub in ["tmp", "msg", "state"] {
            fs::create_dir_all(root.join(sub)).await?;
        }
        for leftover in list_dir(&root.join("tmp")).await? {
            remove_if_present(&root.join("tmp").join(leftover)).await?;
        }
        let states = list_dir(&root.join("state")).await?;
        for message in list_dir(&root.join("msg")).await? {
            if states.binary_search(&message).is_err() {
                remove_if_present(&root.join("msg").join(message)).await?;
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                root,
                wake: Notify::new(),
            }),
        })
    }

    /// The queue's directory.
    pub(crate) fn path(&self) -> &Path {
        &self.inner.root
    }

    /// The file holding the message of entry `id`.
    pub(crate) fn message_path(&self, id: &str) -> PathBuf {
        self.inner.root.join("msg").join(id)
    }

    fn state_path(&self, id: &str) -> PathBuf {
        self.inner.root.join("state").join(id)
    }

    /// Starts an entry: its message is then streamed in with
    /// [`Enqueue::write_chunk`] and made durable by [`Enqueue::commit`].
    pub(crate) async fn begin(&self, envelope: Envelope) -> io::Result<Enqueue> {
        envelope.check()?;
        let mut attempts = 0;
        loop {
            let id = new_id();
            let tmp = self.inner.root.join("tmp").join(format!("{id}.msg"));
            // A taken name means the clock went back within this process:
            // the next counter value gives another.
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .await
            {
                Ok(file) => {
                    return Ok(Enqueue {
                        queue: self.clone(),
                        envelope,
                        id,
                        tmp,
                        file: Some(file),
                        size: 0,
                        eight_bit: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 16 => {
                    attempts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Queues a message held in memory; returns its id.
    pub(crate) async fn enqueue(&self, envelope: Envelope, message: &[u8]) -> io::Result<String> {
        let mut enqueue = self.begin(envelope).await?;
        enqueue.write_chunk(message).await?;
        enqueue.commit().await
    }

    /// Every entry, oldest first. An entry removed while this runs is
    /// left out, and so is a damaged state file (with a message on
    /// stderr): one bad file must not stop the delivery of the others,
    /// and it stays on disk for a human to look at.
    pub(crate) async fn entries(&self) -> io::Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for id in list_dir(&self.inner.root.join("state")).await? {
            match self.load(&id).await {
                Ok(entry) => entries.push(entry),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    eprintln!("relay queue: skipping {id}: {e}");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(entries)
    }

    /// The entry `id`.
    pub(crate) async fn load(&self, id: &str) -> io::Result<Entry> {
        let path = self.state_path(id);
        let size = fs::metadata(&path).await?.len();
        if size > MAX_STATE_FILE {
            return Err(invalid_data(format!(
                "state file {id} is {size} octets, over {MAX_STATE_FILE}"
            )));
        }
        let text = fs::read_to_string(&path).await?;
        Entry::parse(id, &text)
    }

    /// Replaces the state of `entry` atomically and durably.
    pub(crate) async fn save(&self, entry: &Entry) -> io::Result<()> {
        self.write_state(entry).await
    }

    /// Removes the entry `id`: its state first (from then on the entry is
    /// gone), then its message.
    pub(crate) async fn remove(&self, id: &str) -> io::Result<()> {
        remove_if_present(&self.state_path(id)).await?;
        sync_dir(self.inner.root.join("state")).await?;
        remove_if_present(&self.message_path(id)).await
    }

    /// Waits until an entry is committed (in this process) after the last
    /// call, or returns at once if one was.
    pub(crate) async fn committed(&self) {
        self.inner.wake.notified().await;
    }

    /// Writes `tmp/ID.state`, fsyncs it, renames it to `state/ID` and
    /// fsyncs `state/`.
    async fn write_state(&self, entry: &Entry) -> io::Result<()> {
        let tmp = self
            .inner
            .root
            .join("tmp")
            .join(format!("{}.state", entry.id));
        let mut file = fs::File::create(&tmp).await?;
        file.write_all(entry.to_text().as_bytes()).await?;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        fs::rename(&tmp, self.state_path(&entry.id)).await?;
        sync_dir(self.inner.root.join("state")).await
    }
}

/// A message being queued: a file in `tmp/`. [`Enqueue::commit`] makes
/// it an entry; [`Enqueue::abort`] or dropping it removes the file.
#[derive(Debug)]
pub(crate) struct Enqueue {
    queue: Queue,
    envelope: Envelope,
    id: String,
    tmp: PathBuf,
    /// `None` once committed or aborted.
    file: Option<fs::File>,
    size: u64,
    eight_bit: bool,
}

impl Enqueue {
    /// The id the entry will have.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Appends `chunk` to the message.
    pub(crate) async fn write_chunk(&mut self, chunk: &[u8]) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("enqueue already finished"))?;
        file.write_all(chunk).await?;
        self.size += chunk.len() as u64;
        self.eight_bit |= !chunk.is_ascii();
        Ok(())
    }

    /// The octets written so far.
    pub(crate) fn len(&self) -> u64 {
        self.size
    }

    /// Whether nothing has been written yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Makes the entry durable (see the module docs for the order of
    /// steps) and wakes the worker; returns its id. Answer `250` only
    /// after this returned `Ok`. On error nothing is queued.
    pub(crate) async fn commit(mut self) -> io::Result<String> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("enqueue already finished"))?;
        let queue = self.queue.clone();
        let result = async {
            // flush() surfaces the error of a write still in flight.
            file.flush().await?;
            file.sync_all().await?;
            drop(file);
            let message = queue.message_path(&self.id);
            fs::rename(&self.tmp, &message).await?;
            sync_dir(queue.inner.root.join("msg")).await?;
            let now = SystemTime::now();
            let entry = Entry {
                id: self.id.clone(),
                from: self.envelope.from.clone(),
                size: self.size,
                eight_bit: self.eight_bit,
                created: now,
                attempts: 0,
                next_attempt: now,
                recipients: self
                    .envelope
                    .to
                    .iter()
                    .map(|address| Recipient {
                        address: address.clone(),
                        status: Status::Pending,
                        reply: String::new(),
                    })
                    .collect(),
            };
            if let Err(e) = queue.write_state(&entry).await {
                // No state, no entry: take the message back out.
                let _ = remove_if_present(&message).await;
                return Err(e);
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                queue.inner.wake.notify_one();
                Ok(self.id.clone())
            }
            Err(e) => {
                let _ = remove_if_present(&self.tmp).await;
                Err(e)
            }
        }
    }

    /// Gives the message up and removes its file.
    pub(crate) async fn abort(mut self) -> io::Result<()> {
        drop(self.file.take());
        remove_if_present(&self.tmp).await
    }
}

impl Drop for Enqueue {
    fn drop(&mut self) {
        // Neither committed nor aborted: remove the partial file. Drop
        // cannot await; unlinking is one short system call.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A new entry id: `<ms, 13 digits>.<pid>.<counter>`.
fn new_id() -> String {
    let counter = ENQUEUED.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:013}.{}.{}",
        unix_millis(SystemTime::now()),
        std::process::id(),
        counter
    )
}

/// Milliseconds since the Unix epoch (0 before it).
pub(crate) fn unix_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn from_unix_millis(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(millis)
}

/// `text` on one line: TAB, CR and LF (which would break the state file's
/// format) become spaces.
fn one_line(text: &str) -> String {
    text.replace(['\t', '\r', '\n'], " ")
}

/// The names of the files in `dir` (dot files left out), sorted.
async fn list_dir(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut entries = fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.file_type().await?.is_file() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Removes a file; one already gone is no error.
async fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path).await {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Fsyncs a directory, so the renames and unlinks in it survive a crash.
async fn sync_dir(dir: PathBuf) -> io::Result<()> {
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(io::Error::other)?
}

fn invalid_input(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

fn invalid_data(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            id: "1732860000123.42.7".into(),
            from: "alice@example.org".into(),
            size: 1234,
            eight_bit: true,
            created: from_unix_millis(1_732_860_000_123),
            attempts: 2,
            next_attempt: from_unix_millis(1_732_860_000_523),
            recipients: vec![
                Recipient {
                    address: "bob@example.net".into(),
                    status: Status::Pending,
                    reply: "421 4.3.2 Busy\tnow\r\nreally".into(),
                },
                Recipient {
                    address: "\"carol smith\"@example.net".into(),
                    status: Status::Delivered,
                    reply: "250 2.0.0 OK".into(),
                },
                Recipient {
                    address: "dave@example.net".into(),
                    status: Status::Failed,
                    reply: "550 5.1.1 No such user".into(),
                },
                Recipient {
                    address: "erin@example.net".into(),
                    status: Status::Reported,
                    reply: String::new(),
                },
            ],
        }
    }

    #[test]
    fn a_state_file_reads_back_as_written() {
        let entry = entry();
        let text = entry.to_text();
        assert!(text.starts_with("mailwire-relay-queue 1\nfrom alice@example.org\n"));
        assert!(text.contains("rcpt\tpending\tbob@example.net\t421 4.3.2 Busy now  really\n"));
        let back = Entry::parse(&entry.id, &text).unwrap();
        let mut expected = entry.clone();
        // Control characters in a reply are flattened, nothing else changes.
        expected.recipients[0].reply = "421 4.3.2 Busy now  really".into();
        assert_eq!(back, expected);
        assert!(back.is_due(from_unix_millis(1_732_860_000_523)));
        assert!(!back.is_due(from_unix_millis(1_732_860_000_522)));
    }

    #[test]
    fn the_null_sender_is_an_empty_from_line() {
        let mut entry = entry();
        entry.from = String::new();
        let back = Entry::parse(&entry.id, &entry.to_text()).unwrap();
        assert!(back.is_bounce());
        assert_eq!(back.from, "");
    }

    #[test]
    fn damaged_state_files_are_errors_not_panics() {
        for text in [
            "",
            "something else\n",
            "mailwire-relay-queue 1\nfrom a@b\n",
            "mailwire-relay-queue 1\nrcpt\tlost\tb@c\t\n",
            "mailwire-relay-queue 1\nrcpt\tpending\n",
            "mailwire-relay-queue 1\nsize many\nrcpt\tpending\tb@c\t\n",
            "mailwire-relay-queue 1\nattempts 99999999999\nrcpt\tpending\tb@c\t\n",
        ] {
            let error = Entry::parse("x", text).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{text:?}");
        }
        // Unknown fields (a later version's) are skipped.
        let text = "mailwire-relay-queue 1\npriority 3\nrcpt\tpending\tb@c\t\n";
        assert_eq!(Entry::parse("x", text).unwrap().recipients.len(), 1);
    }

    #[test]
    fn every_truncation_and_byte_change_of_a_state_file_is_handled() {
        // No panic whatever a crash or a disk did to the file: an entry or
        // an InvalidData error.
        let text = entry().to_text().into_bytes();
        for cut in 0..text.len() {
            let _ = Entry::parse("x", &String::from_utf8_lossy(&text[..cut]));
        }
        for at in 0..text.len() {
            for byte in [b'\t', b'\n', b' ', b'9', 0xff] {
                let mut changed = text.clone();
                changed[at] = byte;
                if let Err(e) = Entry::parse("x", &String::from_utf8_lossy(&changed)) {
                    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
                }
            }
        }
    }

    #[test]
    fn envelopes_lose_their_angle_brackets() {
        let envelope = Envelope::new("<>", &["<b@example.net>", "c@example.net"]);
        assert!(envelope.is_bounce());
        assert_eq!(envelope.to, ["b@example.net", "c@example.net"]);
        assert_eq!(bare(" <a@b> "), "a@b");
        assert_eq!(bare("<a@b"), "<a@b");
    }

    #[test]
    fn ids_sort_in_creation_order() {
        let ids: Vec<String> = (0..20).map(|_| new_id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        // Within one millisecond the counter decides; it only grows.
        for pair in ids.windows(2) {
            assert_ne!(pair[0], pair[1]);
        }
        assert_eq!(ids[0].split('.').next().unwrap().len(), 13);
        assert_eq!(sorted.len(), 20);
    }

    #[tokio::test]
    async fn a_save_replaces_the_state_atomically_and_remove_takes_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(dir.path()).await.unwrap();
        let id = queue
            .enqueue(
                Envelope::new("a@example.org", &["b@example.net"]),
                b"Subject: x\r\n\r\n\xc3\xa4\r\n",
            )
            .await
            .unwrap();
        let mut entry = queue.load(&id).await.unwrap();
        assert_eq!((entry.size, entry.eight_bit, entry.attempts), (18, true, 0));
        entry.attempts = 1;
        entry.recipients[0].reply = "421 4.3.2 busy".into();
        queue.save(&entry).await.unwrap();
        assert_eq!(queue.load(&id).await.unwrap(), entry);
        assert!(
            std::fs::read_dir(dir.path().join("tmp"))
                .unwrap()
                .next()
                .is_none()
        );
        queue.remove(&id).await.unwrap();
        assert!(queue.entries().await.unwrap().is_empty());
        assert!(!queue.message_path(&id).exists());
        // Removing twice is fine (a restart may repeat it).
        queue.remove(&id).await.unwrap();
    }

    #[tokio::test]
    async fn a_damaged_state_file_is_skipped_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(dir.path()).await.unwrap();
        let good = queue
            .enqueue(Envelope::new("a@example.org", &["b@example.net"]), b"x")
            .await
            .unwrap();
        let bad = dir.path().join("state/0000000000001.1.1");
        std::fs::write(&bad, b"\xff\xfe not a state file").unwrap();
        std::fs::write(dir.path().join("msg/0000000000001.1.1"), b"y").unwrap();
        let entries = queue.entries().await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].id, good);
        // Reopening keeps it: its message has a state file.
        Queue::open(dir.path()).await.unwrap();
        assert!(bad.exists());
        assert!(dir.path().join("msg/0000000000001.1.1").exists());
    }

    #[tokio::test]
    async fn a_commit_wakes_a_waiting_worker_even_if_it_looks_later() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(dir.path()).await.unwrap();
        queue
            .enqueue(Envelope::new("a@example.org", &["b@example.net"]), b"x")
            .await
            .unwrap();
        // The permit is kept: this returns at once.
        tokio::time::timeout(Duration::from_secs(10), queue.committed())
            .await
            .unwrap();
    }
}
