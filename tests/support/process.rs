//! Child processes that cannot outlive their test.

use std::fmt;
use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::LOOPBACK;

/// How often the waits below look again.
const POLL: Duration = Duration::from_millis(20);

/// A running child process: killed (SIGKILL) and reaped on drop, its
/// stdout and stderr drained by two threads into buffers that failure
/// messages quote, so a full pipe never blocks it.
pub(crate) struct Child {
    name: String,
    child: std::process::Child,
    stdout: Captured,
    stderr: Captured,
    exited: Option<ExitStatus>,
}

#[derive(Clone, Default)]
struct Captured {
    bytes: Arc<Mutex<Vec<u8>>>,
    reader: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Captured {
    fn start(mut pipe: impl Read + Send + 'static) -> Self {
        let captured = Self::default();
        let bytes = Arc::clone(&captured.bytes);
        let reader = thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                bytes.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        *captured.reader.lock().unwrap() = Some(reader);
        captured
    }

    /// Waits for the pipe's end; only after the process (and anything it
    /// passed the pipe to) has exited.
    fn join(&self) {
        if let Some(reader) = self.reader.lock().unwrap().take() {
            let _ = reader.join();
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned()
    }
}

impl Child {
    /// Starts `command` with stdin closed and stdout/stderr captured.
    /// `name` appears in every message about it.
    pub(crate) fn spawn(name: impl Into<String>, command: &mut Command) -> io::Result<Self> {
        let name = name.into();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("start {name} ({command:?}): {e}")))?;
        let stdout = Captured::start(child.stdout.take().expect("piped stdout"));
        let stderr = Captured::start(child.stderr.take().expect("piped stderr"));
        Ok(Self {
            name,
            child,
            stdout,
            stderr,
            exited: None,
        })
    }

    /// The process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Everything the process wrote to stdout so far.
    pub(crate) fn stdout(&self) -> String {
        self.stdout.text()
    }

    /// Everything the process wrote to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.text()
    }

    /// The exit status, if the process has exited (never blocks).
    pub(crate) fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// Waits up to `timeout` for the process to exit by itself.
    pub(crate) fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(POLL);
        }
    }

    /// Waits until the process accepts TCP connections on 127.0.0.1:`port`.
    /// Panics, quoting its output, if it exits first or `timeout` passes.
    pub(crate) fn wait_for_port(&mut self, port: u16, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                panic!("{self} exited ({status}) before listening on port {port}");
            }
            if try_connect(port) {
                return;
            }
            if Instant::now() >= deadline {
                panic!("{self} is not listening on port {port} after {timeout:?}");
            }
            thread::sleep(POLL);
        }
    }

    /// Kills the process (if still running), reaps it and returns its
    /// output.
    pub(crate) fn kill(mut self) -> Output {
        self.stop();
        Output {
            name: self.name.clone(),
            status: self.exited,
            stdout: self.stdout.text(),
            stderr: self.stderr.text(),
        }
    }

    fn stop(&mut self) {
        if self.try_wait().is_none() {
            let _ = self.child.kill();
            self.exited = self.child.wait().ok();
        }
        self.stdout.join();
        self.stderr.join();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Display for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.name, self.child.id())?;
        write_streams(f, &self.stdout.text(), &self.stderr.text())
    }
}

/// What a finished process left: its exit status and its output.
#[derive(Debug)]
pub(crate) struct Output {
    /// The name given to [`Child::spawn`].
    pub(crate) name: String,
    /// `None` if it could not be reaped.
    pub(crate) status: Option<ExitStatus>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Output {
    /// Runs `command` to its end, killing it after `timeout`, and returns
    /// its output (whatever its exit status).
    pub(crate) fn run(name: &str, command: &mut Command, timeout: Duration) -> Self {
        let mut child = Child::spawn(name, command).unwrap_or_else(|e| panic!("{e}"));
        if child.wait_timeout(timeout).is_none() {
            panic!("{child} did not finish within {timeout:?}");
        }
        child.kill()
    }

    /// Whether the process exited with status 0.
    pub(crate) fn success(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }

    /// Panics, quoting the output, unless the process exited with status 0.
    #[track_caller]
    pub(crate) fn assert_success(&self) -> &Self {
        assert!(self.success(), "{self}");
        self
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} ({status})", self.name)?,
            None => write!(f, "{} (status unknown)", self.name)?,
        }
        write_streams(f, &self.stdout, &self.stderr)
    }
}

fn write_streams(f: &mut fmt::Formatter<'_>, stdout: &str, stderr: &str) -> fmt::Result {
    for (label, text) in [("stdout", stdout), ("stderr", stderr)] {
        if !text.trim().is_empty() {
            write!(f, "\n--- {label} ---\n{}", text.trim_end())?;
        }
    }
    Ok(())
}

fn try_connect(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from((LOOPBACK, port)), POLL * 5).is_ok()
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`;
/// `false` if nothing does within `timeout`. Prefer [`Child::wait_for_port`]
/// for a process of ours: it also notices the process exiting early.
pub(crate) fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if try_connect(port) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(POLL);
    }
}
