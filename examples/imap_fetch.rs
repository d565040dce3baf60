//! Downloads every message of an IMAP mailbox with the sans-IO
//! `mailwire_imap::client` on tokio: prints the folders, then one line per
//! message (UID, flags, size, subject), each message streamed to
//! `DIR/<uid>.eml` with `--out`, marked `\Seen` with `--seen`, deleted
//! with `--delete`.
//!
//! ```text
//! cargo run --example imap_fetch -- --server 127.0.0.1:1143 --user joe:secret --out /tmp/fetched
//! cargo run --example imap_fetch -- --server 127.0.0.1:1143 --user joe:secret --starttls --login plain --delete
//! ```
//!
//! Options:
//!
//! - `--server ADDR`: the server (`IP:PORT`).
//! - `--user NAME:PASS`: the account.
//! - `--starttls`: upgrade with `STARTTLS` before logging in. Without
//!   `--ca` the server's certificate is not checked (this example talks
//!   to test servers with self-signed certificates); a real client must
//!   check it.
//! - `--ca PEM`: trust only the certificates in this PEM file (checked
//!   against the server's IP address).
//! - `--login login|plain`: `LOGIN` (the default) or `AUTHENTICATE PLAIN`.
//! - `--mailbox NAME`: the mailbox to fetch (default `INBOX`).
//! - `--examine`: open it read-only (`EXAMINE`).
//! - `--seen`: mark each message `\Seen` once downloaded.
//! - `--delete`: flag each message `\Deleted` once downloaded, and
//!   expunge them before logging out.
//! - `--out DIR`: write the messages there; without it they are counted
//!   and dropped.
//! - `--idle SECS`: after the downloads, wait up to SECS seconds with
//!   `IDLE` (RFC 2177) for new mail and download what arrives (once).
//! - `--transcript`: print the session as `C:` / `S:` lines (message
//!   bodies as their size, the login redacted).
//!
//! Exits 0 when every message was downloaded (and, with `--delete`,
//! expunged), 1 otherwise (a refused login prints the server's `NO`
//! text), 2 for bad options. A message whose size differs from the one
//! the server listed is reported on its line.

#[path = "support/imap_fetch.rs"]
mod imap_fetch;
#[path = "support/tls.rs"]
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use imap_fetch::{Fetch, LoginMethod, ca_connector, fetch_all};

fn options(mut args: impl Iterator<Item = String>) -> Result<(Fetch, Option<PathBuf>), String> {
    let mut server = None;
    let mut account = None;
    let mut ca = None;
    let mut options = Fetch {
        server: "127.0.0.1:143".parse().expect("an address"),
        user: String::new(),
        password: String::new(),
        starttls: false,
        login: LoginMethod::Login,
        mailbox: "INBOX".to_owned(),
        examine: false,
        seen: false,
        delete: false,
        out: None,
        transcript: false,
        idle: None,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--server" => {
                let text = value("--server")?;
                server = Some(text.parse().map_err(|e| format!("--server {text}: {e}"))?);
            }
            "--user" => {
                let text = value("--user")?;
                let (name, pass) = text
                    .split_once(':')
                    .ok_or("--user: expected NAME:PASS".to_owned())?;
                account = Some((name.to_owned(), pass.to_owned()));
            }
            "--starttls" => options.starttls = true,
            "--ca" => ca = Some(PathBuf::from(value("--ca")?)),
            "--login" => {
                let text = value("--login")?;
                options.login = LoginMethod::from_name(&text)
                    .ok_or(format!("--login {text}: expected login or plain"))?;
            }
            "--mailbox" => options.mailbox = value("--mailbox")?,
            "--examine" => options.examine = true,
            "--seen" => options.seen = true,
            "--delete" => options.delete = true,
            "--out" => options.out = Some(value("--out")?.into()),
            "--transcript" => options.transcript = true,
            "--idle" => {
                let text = value("--idle")?;
                let seconds: u64 = text.parse().map_err(|e| format!("--idle {text}: {e}"))?;
                options.idle = Some(Duration::from_secs(seconds));
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    options.server = server.ok_or("--server ADDR is required")?;
    (options.user, options.password) = account.ok_or("--user NAME:PASS is required")?;
    if options.examine && (options.delete || options.seen) {
        return Err("--examine opens the mailbox read-only: no --seen or --delete".to_owned());
    }
    Ok((options, ca))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (options, ca) = match options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("imap_fetch: {message}");
            eprintln!(
                "usage: imap_fetch --server ADDR --user NAME:PASS [--starttls] [--ca PEM] \
                 [--login login|plain] [--mailbox NAME] [--examine] [--seen] [--delete] \
                 [--out DIR] [--idle SECS] [--transcript]"
            );
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &options.out {
        if let Err(error) = tokio::fs::create_dir_all(dir).await {
            eprintln!("imap_fetch: cannot create {}: {error}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let connector = match &ca {
        Some(ca) => ca_connector(ca),
        None => tls::insecure_connector(),
    };
    let connector = match connector {
        Ok(connector) => connector,
        Err(error) => {
            eprintln!("imap_fetch: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match fetch_all(&options, &connector).await {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("imap_fetch: {error}");
            return ExitCode::FAILURE;
        }
    };
    for folder in &outcome.folders {
        println!("folder: {folder}");
    }
    let mut whole = true;
    for m in &outcome.messages {
        whole &= m.deleted || !options.delete;
        println!(
            "{} ({}) {} octets{}{}{}{}: {}",
            m.uid,
            m.flags.join(" "),
            m.received,
            if m.received == m.size {
                ""
            } else {
                " (listed with another size)"
            },
            m.path
                .as_ref()
                .map(|p| format!(" -> {}", p.display()))
                .unwrap_or_default(),
            if m.marked_seen { ", marked seen" } else { "" },
            if m.deleted { ", deleted" } else { "" },
            m.subject.as_deref().unwrap_or("(no subject)")
        );
    }
    println!(
        "{} message(s) in {}",
        outcome.messages.len(),
        options.mailbox
    );
    if whole {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
