//! Sends a message file through an SMTP server with the sans-IO
//! `mailwire_smtp::client` on tokio, and prints each recipient's result.
//!
//! ```text
//! cargo run --example smtp_send -- --server 127.0.0.1:2525 \
//!     --from alice@example.org --to bob@example.net [--to carol@example.net ...] \
//!     [--starttls] [--auth NAME:PASS] [--chunking] message.eml
//! ```
//!
//! - The message is streamed from the file in blocks, dot-stuffed (or sent
//!   with `BDAT` under `--chunking` when the server offers `CHUNKING`),
//!   with `SIZE`, `8BITMIME` and `SMTPUTF8` set from its content.
//! - `MAIL`, the `RCPT`s and `DATA` go in one pipelined group when the
//!   server offers `PIPELINING`.
//! - `--starttls` requires `STARTTLS`. This example does **not** verify
//!   the server's certificate (it is meant for loopback tests against
//!   servers with self-signed certificates); a real client checks it
//!   against its trust roots.
//! - Exit status: 0 when every recipient got the message, 1 when some did
//!   not (partial delivery is reported per recipient), 2 for bad usage.

#[path = "support/smtp_submit.rs"]
mod smtp_submit;
#[path = "support/tls.rs"]
mod tls;

use std::process::ExitCode;

use smtp_submit::{Submission, submit};

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Submission, String> {
    let mut server = None;
    let mut from = None;
    let mut file = None;
    let mut submission = Submission {
        server: "127.0.0.1:25".parse().map_err(|_| "address")?,
        from: String::new(),
        to: Vec::new(),
        starttls: false,
        auth: None,
        file: Default::default(),
        chunking: false,
        transcript: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--server" => {
                let text = value("--server")?;
                server = Some(text.parse().map_err(|e| format!("--server {text}: {e}"))?);
            }
            "--from" => from = Some(value("--from")?),
            "--to" => submission.to.push(value("--to")?),
            "--starttls" => submission.starttls = true,
            "--chunking" => submission.chunking = true,
            "--transcript" => submission.transcript = true,
            "--auth" => {
                let text = value("--auth")?;
                let (name, pass) = text
                    .split_once(':')
                    .ok_or(format!("--auth {text}: expected NAME:PASS"))?;
                submission.auth = Some((name.into(), pass.into()));
            }
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            path => file = Some(path.into()),
        }
    }
    submission.server = server.ok_or("--server ADDR is required")?;
    submission.from = from.ok_or("--from ADDRESS is required")?;
    submission.file = file.ok_or("the message FILE is required")?;
    if submission.to.is_empty() {
        return Err("at least one --to ADDRESS is required".into());
    }
    Ok(submission)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let submission = match parse_args(std::env::args().skip(1)) {
        Ok(submission) => submission,
        Err(message) => {
            eprintln!("smtp_send: {message}");
            eprintln!(
                "usage: smtp_send --server ADDR --from A --to B [--to C ...] [--starttls] \
                 [--auth NAME:PASS] [--chunking] [--transcript] FILE"
            );
            return ExitCode::from(2);
        }
    };
    let connector = match tls::insecure_connector() {
        Ok(connector) => connector,
        Err(error) => {
            eprintln!("smtp_send: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match submit(&submission, &connector).await {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("smtp_send: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(failure) = &outcome.failure {
        eprintln!("smtp_send: session failed: {failure}");
    }
    let Some(report) = outcome.report else {
        eprintln!("smtp_send: the message was not sent");
        return ExitCode::FAILURE;
    };
    match &report.result {
        Ok(reply) => println!("message accepted: {} {}", reply.code(), reply.text()),
        Err(error) => println!("message not accepted: {error}"),
    }
    if report.is_success() && report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
