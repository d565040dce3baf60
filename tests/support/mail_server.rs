//! The `mail_server` example as a test subject: started as a process on
//! free loopback ports over a Maildir tree in a temporary directory, and
//! a small SMTP load generator (plain TCP lines on tokio) whose messages
//! each carry a unique id, so the tree can be checked for lost,
//! duplicated and partial messages.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::{Child, example};

/// A running `mail_server`.
pub(crate) struct MailServer {
    pub(crate) child: Child,
    pub(crate) smtp: u16,
    pub(crate) submission: u16,
    pub(crate) imap: u16,
    pub(crate) pop3: u16,
    /// The Maildir tree (`ROOT/USER/Maildir`).
    pub(crate) root: PathBuf,
    /// The certificate it presents, PEM.
    pub(crate) certificate: PathBuf,
}

impl MailServer {
    /// Starts `mail_server` on free ports of 127.0.0.1 over the tree at
    /// `root` with the accounts in `users` (written to `root/../users`),
    /// plus `extra` arguments, and waits for its four addresses.
    pub(crate) fn start(root: &Path, users: &[(&str, &str)], extra: &[&str]) -> Self {
        let users_file = root.with_extension("users");
        let text: String = users.iter().map(|(n, p)| format!("{n}:{p}\n")).collect();
        fs::write(&users_file, text).expect("write the users file");
        let mut command = Command::new(example("mail_server"));
        command
            .args(["--smtp", "127.0.0.1:0"])
            .args(["--submission", "127.0.0.1:0"])
            .args(["--imap", "127.0.0.1:0"])
            .args(["--pop3", "127.0.0.1:0"])
            .arg("--maildir")
            .arg(root)
            .arg("--users")
            .arg(&users_file)
            .args(extra);
        let mut child = Child::spawn("mail_server", &mut command).expect("start mail_server");
        let started = Instant::now();
        let port = |out: &str, name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("{name} listening on ")))
                .and_then(|addr| addr.trim().parse::<SocketAddr>().ok())
                .map(|addr| addr.port())
        };
        loop {
            let out = child.stdout();
            if let (Some(smtp), Some(submission), Some(imap), Some(pop3)) = (
                port(&out, "smtp"),
                port(&out, "submission"),
                port(&out, "imap"),
                port(&out, "pop3"),
            ) {
                return Self {
                    child,
                    smtp,
                    submission,
                    imap,
                    pop3,
                    root: root.to_path_buf(),
                    certificate: root.join(".certificate.pem"),
                };
            }
            assert!(child.try_wait().is_none(), "mail_server exited: {child}");
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no addresses: {child}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The Maildir of `user`.
    pub(crate) fn maildir(&self, user: &str) -> PathBuf {
        self.root.join(user).join("Maildir")
    }
}

/// Raises this process's soft limit on open files to `want` (or its hard
/// limit, if lower) with util-linux `prlimit`, so that children started
/// afterwards inherit it too; returns the soft limit now in force.
pub(crate) fn raise_open_files(want: u64) -> u64 {
    let (soft, hard) = open_files_limits();
    if soft >= want {
        return soft;
    }
    let target = want.min(hard);
    let status = Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--nofile={target}:"))
        .status();
    if let Err(error) = status {
        eprintln!("prlimit: {error}");
    }
    open_files_limits().0
}

/// The soft and hard limits on open files, from `/proc/self/limits`.
fn open_files_limits() -> (u64, u64) {
    let limits = fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap_or_default();
    let mut numbers = line.split_whitespace().filter_map(|word| {
        word.parse::<u64>()
            .ok()
            .or((word == "unlimited").then_some(u64::MAX))
    });
    (
        numbers.next().unwrap_or(1024),
        numbers.next().unwrap_or(1024),
    )
}

/// The message with id `id` for `to`, as the client sends it (CRLF lines,
/// nothing to dot-stuff): the id in a header field and on every body line,
/// so a file cut short or mixed with another shows.
pub(crate) fn load_message(id: &str, to: &str) -> String {
    let mut message = format!(
        "From: Load <load@example.net>\r\nTo: <{to}>\r\nSubject: load {id}\r\n\
         Message-ID: <{id}@load.example.net>\r\nX-Load-Id: {id}\r\n\r\n"
    );
    for line in 0..24 {
        message.push_str(&format!(
            "{id} line {line:02} the quick brown fox jumps over\r\n"
        ));
    }
    message
}

/// Reads one SMTP reply (all its lines); returns its code.
async fn reply(reader: &mut BufReader<TcpStream>, line: &mut String) -> io::Result<u16> {
    loop {
        line.clear();
        if reader.read_line(line).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        let code = line
            .get(..3)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| io::Error::other(format!("bad reply line {line:?}")))?;
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(code);
        }
    }
}

/// Sends `command` and reads the reply; an unexpected code is an error.
async fn step(
    reader: &mut BufReader<TcpStream>,
    line: &mut String,
    command: &str,
    expect: u16,
) -> io::Result<()> {
    reader.get_mut().write_all(command.as_bytes()).await?;
    let code = reply(reader, line).await?;
    if code == expect {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{} -> {}",
            command.trim_end(),
            line.trim_end()
        )))
    }
}

/// What a load run saw.
#[derive(Default)]
pub(crate) struct Acked {
    /// The ids of the messages that got `250` at the end of data, with
    /// their recipient.
    pub(crate) ids: Mutex<Vec<(String, String)>>,
    pub(crate) count: AtomicUsize,
}

impl Acked {
    fn push(&self, id: String, to: String) {
        self.ids.lock().unwrap().push((id, to));
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

/// One SMTP session to `addr`: up to `messages` messages, one after the
/// other, message `n` with id `{prefix}{session}-{n}` for `to(session, n)`
/// (a bare address); each `250` recorded in `acked`. Stops at the first
/// error, which it returns.
pub(crate) async fn load_session(
    addr: SocketAddr,
    prefix: &str,
    session: usize,
    messages: usize,
    to: impl Fn(usize, usize) -> String,
    acked: &Acked,
) -> io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let greeting = reply(&mut reader, &mut line).await?;
    if greeting != 220 {
        return Err(io::Error::other(format!("greeting {}", line.trim_end())));
    }
    step(&mut reader, &mut line, "EHLO load.example.net\r\n", 250).await?;
    for n in 0..messages {
        let id = format!("{prefix}{session}-{n}");
        let rcpt = to(session, n);
        step(
            &mut reader,
            &mut line,
            "MAIL FROM:<load@example.net>\r\n",
            250,
        )
        .await?;
        step(
            &mut reader,
            &mut line,
            &format!("RCPT TO:<{rcpt}>\r\n"),
            250,
        )
        .await?;
        step(&mut reader, &mut line, "DATA\r\n", 354).await?;
        let mut data = load_message(&id, &rcpt);
        data.push_str(".\r\n");
        step(&mut reader, &mut line, &data, 250).await?;
        acked.push(id, rcpt);
    }
    step(&mut reader, &mut line, "QUIT\r\n", 221).await
}

/// A message file found in the tree.
pub(crate) struct Found {
    pub(crate) user: String,
    pub(crate) path: PathBuf,
    pub(crate) content: Vec<u8>,
}

/// The files in `new/` and `cur/` of every `ROOT/USER/Maildir`, by the id
/// in their `X-Load-Id` field (files without one under `""`).
pub(crate) fn messages_by_id(root: &Path) -> HashMap<String, Vec<Found>> {
    let mut found: HashMap<String, Vec<Found>> = HashMap::new();
    for user in fs::read_dir(root).expect("read the tree").flatten() {
        let name = user.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !user.path().is_dir() {
            continue;
        }
        for sub in ["new", "cur"] {
            let dir = user.path().join("Maildir").join(sub);
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let content = fs::read(entry.path()).expect("read a message file");
                let text = String::from_utf8_lossy(&content);
                let id = text
                    .lines()
                    .find_map(|l| l.strip_prefix("X-Load-Id: "))
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                found.entry(id).or_default().push(Found {
                    user: name.clone(),
                    path: entry.path(),
                    content,
                });
            }
        }
    }
    found
}

/// Whether `found` holds exactly the message `id` for `to` as sent, after
/// the trace fields the server puts in front.
pub(crate) fn is_whole(found: &Found, id: &str, to: &str) -> bool {
    let expected = load_message(id, to);
    found
        .content
        .starts_with(b"Return-Path: <load@example.net>\r\nReceived: ")
        && found.content.ends_with(expected.as_bytes())
        && found.user == to.split('@').next().unwrap_or_default()
}

/// The files left in `tmp/` of every `ROOT/USER/Maildir`.
pub(crate) fn tmp_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for user in fs::read_dir(root).expect("read the tree").flatten() {
        if let Ok(entries) = fs::read_dir(user.path().join("Maildir").join("tmp")) {
            files.extend(entries.flatten().map(|e| e.path()));
        }
    }
    files
}
