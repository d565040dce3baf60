//! External SMTP servers for interop tests, each on 127.0.0.1 with its
//! files in a temporary directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use super::{Child, LOOPBACK, Output, TempDir, aiosmtpd_python, require_tool, temp_dir};

/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Options of [`start_smtp_sink`].
#[derive(Clone, Debug, Default)]
pub(crate) struct SinkOptions {
    /// Capture each mail transaction to a file ([`SmtpSink::dumps`]).
    pub(crate) dump: bool,
    /// The name in the greeting and the EHLO reply (`-h`); smtp-sink's
    /// default is `smtp-sink`.
    pub(crate) hostname: Option<String>,
    /// Further smtp-sink options, passed before the address, e.g.
    /// `["-r", "RCPT"]` to reject recipients with a 4xx reply.
    pub(crate) extra_args: Vec<String>,
}

/// A running Postfix `smtp-sink`: accepts mail and throws it away (or
/// dumps it to files). Killed on drop.
pub(crate) struct SmtpSink {
    child: Child,
    port: u16,
    dir: TempDir,
}

/// Starts Postfix's `smtp-sink` on 127.0.0.1:`port` and waits until it
/// listens; `None` (after printing why) when smtp-sink is not installed.
#[track_caller]
pub(crate) fn start_smtp_sink(port: u16, options: &SinkOptions) -> Option<SmtpSink> {
    let program = require_tool("smtp-sink")?;
    let dir = temp_dir();
    let mut command = Command::new(program);
    // smtp-sink refuses to run as root without `-u USER`: it switches to
    // that user after binding. Staying root keeps the dump directory
    // writable; as any other user the option is not needed (nor allowed).
    if effective_uid() == Some(0) {
        command.args(["-u", "root"]);
    }
    if options.dump {
        // The template is expanded with strftime(3) and a random suffix.
        command.arg("-d").arg(dir.path().join("dump."));
    }
    if let Some(hostname) = &options.hostname {
        command.args(["-h", hostname]);
    }
    command.args(&options.extra_args);
    // Listen on IPv4 loopback only, with a backlog of 100.
    command
        .arg("-4")
        .arg(format!("{LOOPBACK}:{port}"))
        .arg("100");
    let mut child = Child::spawn("smtp-sink", &mut command).unwrap_or_else(|e| panic!("{e}"));
    child.wait_for_port(port, START_TIMEOUT);
    Some(SmtpSink { child, port, dir })
}

impl SmtpSink {
    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The dumped transactions (with [`SinkOptions::dump`]), oldest first.
    /// Each holds smtp-sink's own `X-Client-Addr:`, `X-Mail-Args:`,
    /// `X-Rcpt-Args:` and `Received:` lines, then the message with LF line
    /// ends, then an empty line.
    pub(crate) fn dumps(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<_> = read_dir_files(self.dir.path())
            .into_iter()
            .filter(|path| {
                path.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("dump."))
            })
            .map(|path| (fs::metadata(&path).and_then(|m| m.modified()).ok(), path))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| {
                fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
            })
            .collect()
    }

    /// Stops it and returns what it printed.
    pub(crate) fn stop(self) -> Output {
        self.child.kill()
    }
}

/// The effective user id of this process (Linux: from /proc).
pub(crate) fn effective_uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    // Uid: real effective saved filesystem
    line.split_whitespace().nth(2)?.parse().ok()
}

fn read_dir_files(dir: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("read a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// The aiosmtpd server: a handler that stores each message exactly as
/// received (after dot-unstuffing) in a Maildir, `STORE/new/NAME`, written
/// to `STORE/tmp/` first and renamed, with the envelope beside it in
/// `STORE/envelopes/NAME.json`. NAME starts with a zero-padded sequence
/// number, so names sort in arrival order.
const AIOSMTPD_SERVER: &str = r#"
import asyncio, json, os, sys
from aiosmtpd.smtp import SMTP

host, port, store = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for sub in ("tmp", "new", "cur", "envelopes"):
    os.makedirs(os.path.join(store, sub), exist_ok=True)

class Store:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "%06d.P%d.aiosmtpd" % (self.count, os.getpid())
        meta = {
            "helo": session.host_name,
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "rcpt_options": envelope.rcpt_options,
        }
        with open(os.path.join(store, "envelopes", name + ".json"), "w") as f:
            json.dump(meta, f)
        tmp = os.path.join(store, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(store, "new", name))
        return "250 2.0.0 Ok: stored " + name

async def main():
    loop = asyncio.get_running_loop()
    handler = Store()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="aiosmtpd.test", enable_SMTPUTF8=True), host, port)
    print("aiosmtpd listening on %s:%d, storing in %s" % (host, port, store), flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
"#;

/// A running aiosmtpd server (see [`start_aiosmtpd`]). Killed on drop.
pub(crate) struct Aiosmtpd {
    child: Child,
    port: u16,
    store: PathBuf,
}

/// One message as aiosmtpd received it.
#[derive(Debug)]
pub(crate) struct Received {
    /// The name of its file in `STORE/new/`.
    pub(crate) name: String,
    /// The EHLO/HELO argument.
    pub(crate) helo: Option<String>,
    /// The MAIL FROM address, without angle brackets.
    pub(crate) mail_from: String,
    /// The RCPT TO addresses, in order.
    pub(crate) rcpt_tos: Vec<String>,
    /// The MAIL FROM parameters, e.g. `SIZE=123`, `BODY=8BITMIME`.
    pub(crate) mail_options: Vec<String>,
    /// The message bytes exactly as received, dot-unstuffed, with CRLF
    /// line ends, without the final `.` line.
    pub(crate) data: Vec<u8>,
}

/// Starts an aiosmtpd server on 127.0.0.1:`port` that stores each message
/// it accepts in the Maildir `store` (created if needed), and waits until
/// it listens; `None` (after printing why) when aiosmtpd is not installed.
#[track_caller]
pub(crate) fn start_aiosmtpd(port: u16, store: &Path) -> Option<Aiosmtpd> {
    let python = aiosmtpd_python()?;
    let mut command = Command::new(python);
    command
        .arg("-c")
        .arg(AIOSMTPD_SERVER)
        .arg(LOOPBACK.to_string())
        .arg(port.to_string())
        .arg(store)
        // Variables meant for another interpreter (the pyenv python3 on
        // PATH) must not redirect Debian's.
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME");
    let mut child = Child::spawn("aiosmtpd", &mut command).unwrap_or_else(|e| panic!("{e}"));
    child.wait_for_port(port, START_TIMEOUT);
    Some(Aiosmtpd {
        child,
        port,
        store: store.to_path_buf(),
    })
}

impl Aiosmtpd {
    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The Maildir it stores messages in.
    pub(crate) fn store(&self) -> &Path {
        &self.store
    }

    /// The messages stored so far, in arrival order.
    pub(crate) fn messages(&self) -> Vec<Received> {
        let new = self.store.join("new");
        if !new.is_dir() {
            return Vec::new();
        }
        read_dir_files(&new)
            .into_iter()
            .map(|path| self.read(&path))
            .collect()
    }

    /// Waits up to `timeout` until at least `count` messages are stored
    /// and returns them all; panics, quoting the server's output, if they
    /// do not arrive.
    #[track_caller]
    pub(crate) fn wait_for_messages(&mut self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            if let Some(status) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) with {} of {count} messages stored",
                    self.child,
                    messages.len()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "{} stored {} of {count} messages in {timeout:?}",
                    self.child,
                    messages.len()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn read(&self, path: &Path) -> Received {
        let name = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let meta_path = self.store.join("envelopes").join(format!("{name}.json"));
        let meta =
            fs::read(&meta_path).unwrap_or_else(|e| panic!("read {}: {e}", meta_path.display()));
        let meta: serde_json::Value = serde_json::from_slice(&meta).expect("the envelope is JSON");
        let strings = |key: &str| -> Vec<String> {
            meta[key]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        Received {
            helo: meta["helo"].as_str().map(str::to_owned),
            mail_from: meta["mail_from"].as_str().unwrap_or_default().to_owned(),
            rcpt_tos: strings("rcpt_tos"),
            mail_options: strings("mail_options"),
            data: fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
            name,
        }
    }

    /// Stops it and returns what it printed.
    pub(crate) fn stop(self) -> Output {
        self.child.kill()
    }
}
