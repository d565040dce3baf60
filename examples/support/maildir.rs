//! Maildir delivery that streams: a message is written to `tmp/` chunk by
//! chunk as it arrives (memory stays bounded whatever its size), then
//! fsynced and renamed into `new/` in one atomic step, so a reader of
//! `new/` never sees a partial message. An aborted or dropped delivery
//! removes its file from `tmp/`.
//!
//! File names follow the Maildir convention (<https://cr.yp.to/proto/maildir.html>):
//! `SECONDS.M<MICROSECONDS>P<PID>Q<COUNTER>.HOSTNAME`, unique per host
//! as long as the clock does not go back and the counter does not wrap.
//!
//! It is async on tokio::fs. The callers are the examples' connection
//! tasks, which receive a message body as a stream of chunks from the
//! socket; tokio::fs::File already hands each write to the blocking pool
//! and keeps at most one chunk in flight, so a blocking std::fs writer
//! wrapped in spawn_blocking by hand would only rebuild that.
//!
//! Committed names carry the Maildir++ size attributes `,S=<octets on
//! disk>,W=<octets on the wire>` (the wire size counts every line ending
//! as CRLF), so a POP3 or IMAP reader knows a message's size without
//! reading it. [`Maildir::messages`] is that reader's view: the messages
//! in `new/` and `cur/` with a stable unique id and their wire size.
//!
//! Include it with `#[path = "support/maildir.rs"] mod maildir;`.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::fs;
use tokio::io::AsyncWriteExt;

/// Makes the Q part of file names unique within the process.
static DELIVERIES: AtomicU64 = AtomicU64::new(0);

/// Where each user's Maildir lies under a server's `--maildir` directory
/// (`pop3_serve.rs`, `imap_serve.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One account: the directory itself; several: `DIR/NAME` (the
    /// `pop3_server` and `imap_server` command lines).
    #[default]
    Auto,
    /// `DIR/NAME/SUB` for every account, as `mail_server` keeps its tree
    /// (`ROOT/USER/Maildir`).
    PerUser(String),
}

impl Layout {
    /// The Maildir of `user` under `dir`, for a server with `accounts`
    /// accounts: with [`Layout::Auto`], `dir` itself when there is one,
    /// `dir/NAME` when there are several; with [`Layout::PerUser`],
    /// `dir/NAME/SUB` always.
    pub(crate) fn maildir_of(&self, dir: &Path, accounts: usize, user: &str) -> PathBuf {
        match self {
            Self::Auto if accounts == 1 => dir.to_path_buf(),
            Self::Auto => dir.join(user),
            Self::PerUser(sub) => dir.join(user).join(sub),
        }
    }
}

/// A Maildir: a directory with `tmp/`, `new/` and `cur/`.
#[derive(Clone, Debug)]
pub(crate) struct Maildir {
    root: PathBuf,
    hostname: String,
}

impl Maildir {
    /// Opens the Maildir at `root`, creating `root` and its `tmp/`, `new/`
    /// and `cur/` as needed.
    pub(crate) async fn create(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(root.join(sub)).await?;
        }
        Ok(Self {
            root,
            hostname: hostname().await,
        })
    }

    /// The Maildir's directory.
    pub(crate) fn path(&self) -> &Path {
        &self.root
    }

    /// Starts a delivery: creates a new, uniquely named file in `tmp/`.
    pub(crate) async fn begin(&self) -> io::Result<Delivery> {
        // A name can only be taken if the clock went back or another
        // process with our pid wrote here: take the next counter value.
        let mut attempts = 0;
        loop {
            let name = self.unique_name();
            let tmp = self.root.join("tmp").join(&name);
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .await
            {
                Ok(file) => {
                    return Ok(Delivery {
                        file: Some(file),
                        new: self.root.join("new"),
                        name,
                        tmp,
                        written: 0,
                        wire: WireSize::default(),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 16 => {
                    attempts += 1
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The messages in `new/`, sorted by file name (which, for names this
    /// module makes, is the order of delivery within a second).
    pub(crate) async fn new_messages(&self) -> io::Result<Vec<PathBuf>> {
        let mut entries = fs::read_dir(self.root.join("new")).await?;
        let mut paths = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            if entry.file_type().await?.is_file() {
                paths.push(entry.path());
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// The messages in `new/` and `cur/` as a reader sees them, oldest
    /// first (by name, which for names this module makes is delivery
    /// order), each with its unique id and wire size. Files whose names
    /// carry no `,W=` are read once to count their size.
    pub(crate) async fn messages(&self) -> io::Result<Vec<StoredMessage>> {
        let mut messages = Vec::new();
        for sub in ["new", "cur"] {
            let mut entries = fs::read_dir(self.root.join(sub)).await?;
            while let Some(entry) = entries.next_entry().await? {
                if !entry.file_type().await?.is_file() {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                let wire_size = match size_attribute(&name, "W") {
                    Some(size) => size,
                    None => wire_size_of(&path).await?,
                };
                messages.push(StoredMessage {
                    unique_id: unique_id(&name),
                    name,
                    path,
                    wire_size,
                });
            }
        }
        messages.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(messages)
    }

    fn unique_name(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let counter = DELIVERIES.fetch_add(1, Ordering::Relaxed);
        format!(
            "{}.M{}P{}Q{}.{}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            counter,
            self.hostname
        )
    }
}

/// A message in `new/` or `cur/`, as [`Maildir::messages`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredMessage {
    /// The file.
    pub(crate) path: PathBuf,
    /// The file name, flags included.
    pub(crate) name: String,
    /// An id that stays the same while the message lives, whatever its
    /// flags or directory: the name up to its first `,` or `:`, fit for
    /// POP3's UIDL (1 to 70 characters from `!` to `~`).
    pub(crate) unique_id: String,
    /// Octets as sent to a client: every line ending a CRLF, and a final
    /// CRLF if the file lacks one.
    pub(crate) wire_size: u64,
}

impl StoredMessage {
    /// Removes the message's file; one that is already gone is no error
    /// (another session may have removed it).
    pub(crate) async fn remove(&self) -> io::Result<()> {
        match fs::remove_file(&self.path).await {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// The unique part of a Maildir name: up to the first `,` (size
/// attributes) or `:` (flags). A part that does not fit POP3's unique-id
/// syntax is replaced by a hash of it.
fn unique_id(name: &str) -> String {
    let base = name.split([',', ':']).next().unwrap_or(name);
    if (1..=70).contains(&base.len()) && base.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return base.to_owned();
    }
    // FNV-1a: stable across runs and platforms, unlike std's hasher.
    let hash = base.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("h{hash:016x}")
}

/// The value of a Maildir++ attribute such as `,W=1234` in `name`.
fn size_attribute(name: &str, key: &str) -> Option<u64> {
    let base = name.split(':').next().unwrap_or(name);
    base.split(',')
        .skip(1)
        .find_map(|attribute| attribute.strip_prefix(key)?.strip_prefix('='))
        .and_then(|value| value.parse().ok())
}

/// The wire size of a file, read in pieces (memory stays bounded).
async fn wire_size_of(path: &Path) -> io::Result<u64> {
    use tokio::io::AsyncReadExt;
    let mut file = fs::File::open(path).await?;
    let mut buf = vec![0; 64 * 1024];
    let mut size = WireSize::default();
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(size.finish());
        }
        size.feed(&buf[..n]);
    }
}

/// Counts the octets of a message as sent on the wire: a bare LF or a bare
/// CR counts as CRLF, and a message that does not end with a line ending
/// gets one. Fed in pieces; a CR at the end of one piece waits for the next.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WireSize {
    octets: u64,
    /// The last byte fed, if any.
    last: Option<u8>,
}

impl WireSize {
    /// Counts `chunk`.
    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            self.octets += 1;
            match (self.last, b) {
                (Some(b'\r'), b'\n') => {}
                // A bare CR: its LF is added.
                (Some(b'\r'), _) => self.octets += 1,
                // A bare LF: its CR is added.
                (_, b'\n') => self.octets += 1,
                _ => {}
            }
            self.last = Some(b);
        }
    }

    /// The total, with the final line ending made whole.
    pub(crate) fn finish(self) -> u64 {
        match self.last {
            None | Some(b'\n') => self.octets,
            Some(b'\r') => self.octets + 1,
            Some(_) => self.octets + 2,
        }
    }
}

/// A message being delivered: a file in `tmp/`. [`Delivery::commit`]
/// moves it to `new/`; [`Delivery::abort`] or dropping it removes it.
#[derive(Debug)]
pub(crate) struct Delivery {
    /// `None` once committed or aborted.
    file: Option<fs::File>,
    tmp: PathBuf,
    /// The `new/` directory.
    new: PathBuf,
    name: String,
    written: u64,
    wire: WireSize,
}

impl Delivery {
    /// Appends `chunk` to the message.
    pub(crate) async fn write_chunk(&mut self, chunk: &[u8]) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("delivery already finished"))?;
        file.write_all(chunk).await?;
        self.written += chunk.len() as u64;
        self.wire.feed(chunk);
        Ok(())
    }

    /// The bytes written so far.
    pub(crate) fn len(&self) -> u64 {
        self.written
    }

    /// Whether nothing has been written yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.written == 0
    }

    /// The file in `tmp/` being written.
    pub(crate) fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    /// Finishes the delivery: writes out and fsyncs the file, renames it
    /// from `tmp/` into `new/` (atomic: readers see all of it or nothing)
    /// under its name plus `,S=<size>,W=<wire size>`, and fsyncs `new/` so
    /// the rename survives a crash. Returns the path in `new/`. On error
    /// the file in `tmp/` is removed.
    pub(crate) async fn commit(mut self) -> io::Result<PathBuf> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("delivery already finished"))?;
        // flush() surfaces the error of a write still in flight.
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let name = format!("{},S={},W={}", self.name, self.written, self.wire.finish());
        let path = self.new.join(name);
        fs::rename(&self.tmp, &path).await?;
        let new_dir = self.new.clone();
        tokio::task::spawn_blocking(move || std::fs::File::open(new_dir)?.sync_all())
            .await
            .map_err(io::Error::other)??;
        Ok(path)
    }

    /// Gives the delivery up and removes its file from `tmp/`.
    pub(crate) async fn abort(mut self) -> io::Result<()> {
        drop(self.file.take());
        fs::remove_file(&self.tmp).await
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        // Neither committed nor aborted: remove the partial file. Drop cannot
        // await; unlinking is one short system call.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// This host's name for file names, with `/` and `:` written as `\057`
/// and `\072` as the Maildir convention asks.
async fn hostname() -> String {
    let name = match fs::read_to_string("/proc/sys/kernel/hostname").await {
        Ok(name) => name,
        Err(_) => fs::read_to_string("/etc/hostname")
            .await
            .unwrap_or_default(),
    };
    escape_hostname(name.trim())
}

fn escape_hostname(name: &str) -> String {
    if name.is_empty() {
        return "localhost".to_owned();
    }
    name.replace('/', "\\057").replace(':', "\\072")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn maildir() -> (tempfile::TempDir, Maildir) {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::create(dir.path().join("Maildir")).await.unwrap();
        (dir, maildir)
    }

    fn files_in(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    }

    #[tokio::test]
    async fn create_makes_the_three_directories_and_is_idempotent() {
        let (_dir, maildir) = maildir().await;
        for sub in ["tmp", "new", "cur"] {
            assert!(maildir.path().join(sub).is_dir(), "{sub}/");
        }
        let again = Maildir::create(maildir.path()).await.unwrap();
        assert!(again.new_messages().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn chunks_stream_into_tmp_and_commit_moves_to_new() {
        let (_dir, maildir) = maildir().await;
        let mut delivery = maildir.begin().await.unwrap();
        assert!(delivery.is_empty());
        let tmp = delivery.tmp_path().to_path_buf();
        assert_eq!(files_in(&maildir.path().join("tmp")), [tmp.as_path()]);

        let chunks: [&[u8]; 3] = [b"Subject: hi\r\n", b"\r\n", b"body\r\n"];
        for chunk in chunks {
            delivery.write_chunk(chunk).await.unwrap();
        }
        assert_eq!(delivery.len(), 21);
        assert!(
            maildir.new_messages().await.unwrap().is_empty(),
            "nothing in new/ before commit"
        );

        let path = delivery.commit().await.unwrap();
        assert_eq!(maildir.new_messages().await.unwrap(), [path.as_path()]);
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            format!("{},S=21,W=21", tmp.file_name().unwrap().to_str().unwrap()),
            "the name in tmp/ plus the sizes"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"Subject: hi\r\n\r\nbody\r\n"
        );
        assert!(files_in(&maildir.path().join("tmp")).is_empty());
    }

    #[tokio::test]
    async fn names_follow_the_convention_and_are_unique() {
        let (_dir, maildir) = maildir().await;
        let mut names = Vec::new();
        for _ in 0..50 {
            let delivery = maildir.begin().await.unwrap();
            names.push(
                delivery
                    .commit()
                    .await
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());

        let pid = std::process::id();
        for name in &names {
            // SECONDS.M<micros>P<pid>Q<counter>.HOSTNAME
            let (seconds, rest) = name.split_once(".M").unwrap();
            let (micros, rest) = rest.split_once('P').unwrap();
            let (p, rest) = rest.split_once('Q').unwrap();
            let (counter, host) = rest.split_once('.').unwrap();
            let (host, sizes) = host.split_once(',').unwrap();
            assert_eq!(sizes, "S=0,W=0", "{name}");
            assert!(seconds.parse::<u64>().unwrap() > 1_600_000_000, "{name}");
            assert!(micros.parse::<u32>().unwrap() < 1_000_000, "{name}");
            assert_eq!(p.parse::<u32>().unwrap(), pid, "{name}");
            counter.parse::<u64>().unwrap();
            assert!(
                !host.is_empty() && !host.contains('/') && !host.contains(':'),
                "{name}"
            );
        }
    }

    #[test]
    fn hostname_escapes_slash_and_colon() {
        assert_eq!(escape_hostname("mx1.example.org"), "mx1.example.org");
        assert_eq!(escape_hostname("a/b:c"), "a\\057b\\072c");
        assert_eq!(escape_hostname(""), "localhost");
    }

    #[tokio::test]
    async fn abort_and_drop_remove_the_tmp_file() {
        let (_dir, maildir) = maildir().await;
        let mut delivery = maildir.begin().await.unwrap();
        delivery.write_chunk(b"partial").await.unwrap();
        delivery.abort().await.unwrap();

        let mut delivery = maildir.begin().await.unwrap();
        delivery.write_chunk(b"partial").await.unwrap();
        drop(delivery);

        assert!(files_in(&maildir.path().join("tmp")).is_empty());
        assert!(maildir.new_messages().await.unwrap().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_message_streams_through_and_deliveries_run_concurrently() {
        let (_dir, maildir) = maildir().await;
        const CHUNK: usize = 64 * 1024;
        const CHUNKS: usize = 64; // 4 MiB per message
        let mut tasks = Vec::new();
        for id in 0..4u8 {
            let maildir = maildir.clone();
            tasks.push(tokio::spawn(async move {
                let chunk = vec![b'a' + id; CHUNK];
                let mut delivery = maildir.begin().await?;
                for _ in 0..CHUNKS {
                    delivery.write_chunk(&chunk).await?;
                }
                delivery.commit().await
            }));
        }
        for task in tasks {
            let path = task.await.unwrap().unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(bytes.len(), CHUNK * CHUNKS);
            assert!(bytes.iter().all(|&b| b == bytes[0]), "no interleaving");
        }
        assert_eq!(maildir.new_messages().await.unwrap().len(), 4);
    }

    #[test]
    fn wire_size_counts_line_endings_as_crlf_whatever_the_pieces() {
        let cases: [(&[u8], u64); 8] = [
            (b"", 0),
            (b"a\r\n", 3),
            (b"a\n", 3),
            (b"a\r", 3),
            (b"a", 3),
            (b"a\r\rb\n\nc", 13),
            (b"\r\n.\r\n", 5),
            (b"x\r\ny", 6),
        ];
        for (input, expected) in cases {
            for split in 0..=input.len() {
                let mut size = WireSize::default();
                size.feed(&input[..split]);
                size.feed(&input[split..]);
                assert_eq!(size.finish(), expected, "{input:?} split at {split}");
            }
        }
    }

    #[test]
    fn unique_ids_fit_uidl_and_ignore_sizes_and_flags() {
        assert_eq!(unique_id("1.M2P3Q4.host,S=5,W=6:2,S"), "1.M2P3Q4.host");
        assert_eq!(unique_id("1.M2P3Q4.host:2,RS"), "1.M2P3Q4.host");
        let long = unique_id(&"x".repeat(100));
        assert_eq!(long.len(), 17);
        assert_eq!(long, unique_id(&"x".repeat(100)), "stable");
        assert!(unique_id("has space").starts_with('h'));
        assert_eq!(size_attribute("n,S=5,W=6:2,S", "W"), Some(6));
        assert_eq!(size_attribute("n,S=5,W=6:2,S", "S"), Some(5));
        assert_eq!(
            size_attribute("n:2,W=6", "W"),
            None,
            "flags are not attributes"
        );
    }

    #[tokio::test]
    async fn messages_lists_new_and_cur_with_wire_sizes() {
        let (_dir, maildir) = maildir().await;
        let mut delivery = maildir.begin().await.unwrap();
        delivery
            .write_chunk(b"Subject: lf only\n\nbody\n")
            .await
            .unwrap();
        let first = delivery.commit().await.unwrap();
        // A file another program left in cur/, flags and no sizes.
        let other = maildir.path().join("cur/9999999999.other.host:2,S");
        std::fs::write(&other, b"Subject: x\r\n\r\nno final newline").unwrap();

        let messages = maildir.messages().await.unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].path, first);
        assert_eq!(messages[0].wire_size, 26);
        assert_eq!(messages[1].path, other);
        assert_eq!(messages[1].unique_id, "9999999999.other.host");
        assert_eq!(messages[1].wire_size, 32);

        messages[0].remove().await.unwrap();
        messages[0].remove().await.unwrap();
        assert_eq!(maildir.messages().await.unwrap().len(), 1);
    }
}
