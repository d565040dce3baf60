//! A small SMTP server on tokio around the sans-IO `mailwire_smtp::server`:
//! it receives mail into a Maildir, or accepts and discards it like
//! Postfix's `smtp-sink` (for load tests).
//!
//! ```text
//! cargo run --example smtp_server -- --listen 127.0.0.1:2525 --maildir /tmp/mail
//! cargo run --example smtp_server -- --listen 127.0.0.1:2525 --sink
//! cargo run --example smtp_server -- --listen 127.0.0.1:2525 --maildir DIR --user joe:secret
//! ```
//!
//! Options:
//!
//! - `--listen ADDR`: where to listen (port 0 picks a free port; the
//!   address is printed as `listening on ADDR`).
//! - `--maildir DIR` or `--sink`: where messages go. Each accepted message
//!   is streamed to `DIR/tmp/` chunk by chunk, with `Return-Path` and
//!   `Received` fields in front, and renamed into `DIR/new/` when the
//!   client's final dot arrives, so memory stays bounded whatever the size.
//! - `--user NAME:PASS` (repeatable): accounts for `AUTH` (PLAIN, LOGIN,
//!   CRAM-MD5); with any, `MAIL` needs authentication.
//! - `--hostname NAME`: the name in the greeting (default `localhost`).
//! - `--no-tls`: do not offer `STARTTLS` (by default a self-signed
//!   certificate is made at start and `STARTTLS` offered).
//! - `--max-size BYTES`: the largest message accepted (default 64 MiB).
//! - `--verbose`: print protocol errors and deliveries.
//! - `--busy N`: answer the first N connections with a `421 4.3.2`
//!   greeting and close them (RFC 5321 section 3.1), to show a relay's
//!   retries.
//! - `--reject-rcpt ADDR` (repeatable): refuse this recipient with
//!   `550 5.1.1`, to show bounces.

#[path = "support/accept.rs"]
mod accept;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/smtp_serve.rs"]
mod smtp_serve;
#[path = "support/tls.rs"]
mod tls;

use std::process::ExitCode;

use smtp_serve::{Options, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match Options::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("smtp_server: {message}");
            eprintln!(
                "usage: smtp_server --listen ADDR [--maildir DIR | --sink] [--user NAME:PASS ...] \
                 [--hostname NAME] [--no-tls] [--max-size BYTES] [--verbose] [--busy N] \
                 [--reject-rcpt ADDR ...]"
            );
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("smtp_server: cannot listen on {}: {error}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("listening on {addr}"),
        Err(error) => {
            eprintln!("smtp_server: {error}");
            return ExitCode::FAILURE;
        }
    }
    match serve(listener, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("smtp_server: {error}");
            ExitCode::FAILURE
        }
    }
}
