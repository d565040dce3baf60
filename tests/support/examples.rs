//! The examples of the umbrella crate as test subjects: their binaries,
//! which `cargo test` builds beside the test binaries, started as
//! processes of their own.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::{Child, TempDir, temp_dir};

/// The example binary `name`, built by `cargo test` next to this test's
/// own binary (`target/<profile>/deps/..` -> `target/<profile>/examples/`).
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds the examples",
        path.display()
    );
    path
}

/// A running example server (`smtp_server`, `pop3_server`) on a free
/// port, with its Maildir in a temporary directory.
pub(crate) struct ExampleServer {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) maildir: PathBuf,
    name: &'static str,
    _dir: TempDir,
}

impl ExampleServer {
    /// Starts `smtp_server --listen 127.0.0.1:0 --maildir DIR EXTRA...`
    /// and waits for the address it prints.
    pub(crate) fn start(extra: &[&str]) -> Self {
        Self::start_example("smtp_server", extra, |_| {})
    }

    /// Starts the example `name` with `--listen 127.0.0.1:0 --maildir DIR
    /// EXTRA...`, after `prepare` has filled the Maildir directory, and
    /// waits for the `listening on ADDR` line it prints.
    pub(crate) fn start_example(
        name: &'static str,
        extra: &[&str],
        prepare: impl FnOnce(&Path),
    ) -> Self {
        let dir = temp_dir();
        let maildir = dir.path().join("Maildir");
        prepare(&maildir);
        let mut command = Command::new(example(name));
        command
            .args(["--listen", "127.0.0.1:0", "--maildir"])
            .arg(&maildir)
            .args(extra);
        let mut child = Child::spawn(name, &mut command).expect("start the example");
        let started = Instant::now();
        let port = loop {
            let out = child.stdout();
            // `listening on ADDR`, or `imap listening on ADDR`.
            let found = out
                .lines()
                .find_map(|l| l.split_once("listening on ").map(|(_, addr)| addr));
            if let Some(addr) = found {
                break addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse::<u16>().ok())
                    .expect("a port");
            }
            assert!(child.try_wait().is_none(), "{name} exited: {child}");
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no address: {child}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Self {
            child,
            port,
            maildir,
            name,
            _dir: dir,
        }
    }

    /// The messages in `new/`, oldest first, waiting up to 5 s for `count`.
    pub(crate) fn messages(&mut self, count: usize) -> Vec<Vec<u8>> {
        let started = Instant::now();
        loop {
            let mut paths: Vec<_> = fs::read_dir(self.maildir.join("new"))
                .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                .unwrap_or_default();
            if paths.len() >= count || started.elapsed() > Duration::from_secs(5) {
                paths.sort();
                return paths.iter().map(|p| fs::read(p).unwrap()).collect();
            }
            assert!(
                self.child.try_wait().is_none(),
                "{} exited: {}",
                self.name,
                self.child
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's peak resident memory so far (`VmHWM`), in bytes.
    pub(crate) fn peak_rss(&self) -> u64 {
        peak_rss_of(self.child.id()).expect("VmHWM in /proc/PID/status")
    }
}

/// The peak resident memory so far (`VmHWM`) of process `pid`, in bytes;
/// `None` once it has exited.
pub(crate) fn peak_rss_of(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
    Some(kib * 1024)
}
