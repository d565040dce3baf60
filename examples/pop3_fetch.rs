//! Downloads every message of a POP3 maildrop with the sans-IO
//! `mailwire_pop3::client` on tokio: one line per message (number, unique
//! id, size, subject), each streamed to `DIR/<unique id>.eml` with
//! `--out`, deleted with `--delete`.
//!
//! ```text
//! cargo run --example pop3_fetch -- --server 127.0.0.1:1110 --user joe:secret --out /tmp/fetched
//! cargo run --example pop3_fetch -- --server 127.0.0.1:1110 --user joe:secret --starttls --delete
//! ```
//!
//! Options:
//!
//! - `--server ADDR`: the server (`IP:PORT`).
//! - `--user NAME:PASS`: the account.
//! - `--starttls`: upgrade with `STLS` before logging in. The server's
//!   certificate is not checked (this example talks to test servers with
//!   self-signed certificates); a real client must check it.
//! - `--login user|apop|plain|cram-md5`: how to log in (default `user`:
//!   `USER`/`PASS`; `apop` and `cram-md5` never send the password).
//! - `--delete`: delete each message once it is downloaded (applied when
//!   the session ends with `QUIT`).
//! - `--out DIR`: write the messages there; without it they are counted
//!   and dropped.
//! - `--transcript`: print the session as `C:` / `S:` lines.
//!
//! Exits 0 when every message was downloaded (and, with `--delete`,
//! deleted), 1 otherwise. A message whose size differs from the one the
//! server listed is reported on its line.

#[path = "support/pop3_fetch.rs"]
mod pop3_fetch;
#[path = "support/tls.rs"]
mod tls;

use std::process::ExitCode;

use pop3_fetch::{Fetch, LoginMethod, fetch};

fn options(mut args: impl Iterator<Item = String>) -> Result<Fetch, String> {
    let mut server = None;
    let mut account = None;
    let mut options = Fetch {
        server: "127.0.0.1:110".parse().expect("an address"),
        user: String::new(),
        password: String::new(),
        starttls: false,
        login: LoginMethod::UserPass,
        delete: false,
        out: None,
        transcript: false,
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
                    .ok_or(format!("--user {text}: expected NAME:PASS"))?;
                account = Some((name.to_owned(), pass.to_owned()));
            }
            "--starttls" => options.starttls = true,
            "--login" => {
                let text = value("--login")?;
                options.login = LoginMethod::from_name(&text).ok_or(format!(
                    "--login {text}: expected user, apop, plain or cram-md5"
                ))?;
            }
            "--delete" => options.delete = true,
            "--out" => options.out = Some(value("--out")?.into()),
            "--transcript" => options.transcript = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    options.server = server.ok_or("--server ADDR is required")?;
    (options.user, options.password) = account.ok_or("--user NAME:PASS is required")?;
    Ok(options)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("pop3_fetch: {message}");
            eprintln!(
                "usage: pop3_fetch --server ADDR --user NAME:PASS [--starttls] \
                 [--login user|apop|plain|cram-md5] [--delete] [--out DIR] [--transcript]"
            );
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &options.out {
        if let Err(error) = tokio::fs::create_dir_all(dir).await {
            eprintln!("pop3_fetch: cannot create {}: {error}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let connector = match tls::insecure_connector() {
        Ok(connector) => connector,
        Err(error) => {
            eprintln!("pop3_fetch: {error}");
            return ExitCode::FAILURE;
        }
    };
    let fetched = match fetch(&options, &connector).await {
        Ok(fetched) => fetched,
        Err(error) => {
            eprintln!("pop3_fetch: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut whole = true;
    for m in &fetched {
        let complete = m.received == m.listed_size;
        whole &= m.deleted || !options.delete;
        println!(
            "{} {} {} octets{}{}{}: {}",
            m.msg,
            m.unique_id,
            m.received,
            if complete {
                ""
            } else {
                " (listed with another size)"
            },
            m.path
                .as_ref()
                .map(|p| format!(" -> {}", p.display()))
                .unwrap_or_default(),
            if m.deleted { ", deleted" } else { "" },
            m.subject.as_deref().unwrap_or("(no subject)")
        );
    }
    println!("{} message(s)", fetched.len());
    if whole {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
