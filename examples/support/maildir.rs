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
                        new: self.root.join("new").join(&name),
                        tmp,
                        written: 0,
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

/// A message being delivered: a file in `tmp/`. [`Delivery::commit`]
/// moves it to `new/`; [`Delivery::abort`] or dropping it removes it.
#[derive(Debug)]
pub(crate) struct Delivery {
    /// `None` once committed or aborted.
    file: Option<fs::File>,
    tmp: PathBuf,
    new: PathBuf,
    written: u64,
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
    /// and fsyncs `new/` so the rename survives a crash. Returns the path
    /// in `new/`. On error the file in `tmp/` is removed.
    pub(crate) async fn commit(mut self) -> io::Result<PathBuf> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("delivery already finished"))?;
        // flush() surfaces the error of a write still in flight.
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        fs::rename(&self.tmp, &self.new).await?;
        let new_dir = self.new.parent().expect("new/ has a parent").to_path_buf();
        tokio::task::spawn_blocking(move || std::fs::File::open(new_dir)?.sync_all())
            .await
            .map_err(io::Error::other)??;
        Ok(self.new.clone())
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
            path.file_name(),
            tmp.file_name(),
            "same name in new/ as in tmp/"
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
}
