//! A small POP3 server on tokio around the sans-IO `mailwire_pop3::server`:
//! it serves the messages of a Maildir (the ones in `new/` and `cur/`),
//! streaming each from its file, and removes the deleted ones when the
//! client ends the session with `QUIT`.
//!
//! ```text
//! cargo run --example pop3_server -- --listen 127.0.0.1:1110 --maildir /tmp/mail --user joe:secret
//! ```
//!
//! Options:
//!
//! - `--listen ADDR`: where to listen (port 0 picks a free port; the
//!   address is printed as `listening on ADDR`).
//! - `--maildir DIR`: the maildrop. With one `--user` it is that user's;
//!   with several, user NAME's is `DIR/NAME`.
//! - `--user NAME:PASS` (repeatable): the accounts, for `USER`/`PASS`,
//!   `APOP` and `AUTH` (PLAIN, LOGIN, CRAM-MD5). A maildrop serves one
//!   session at a time (`-ERR [IN-USE]` for a second).
//! - `--hostname NAME`: the name in the greeting (default `localhost`).
//! - `--no-tls`: do not offer `STLS` (by default a self-signed certificate
//!   is made at start and `STLS` offered).
//! - `--require-tls`: refuse passwords in the clear (before `STLS`);
//!   `APOP` and CRAM-MD5 stay allowed.
//! - `--verbose`: print protocol errors and deletions.
//!
//! Sizes (`STAT`, `LIST`) count every line ending as CRLF, as the message
//! is sent; the Maildir's `,W=` name attribute gives them without reading
//! the file when present.

#[path = "support/accept.rs"]
mod accept;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/pop3_serve.rs"]
mod pop3_serve;
#[path = "support/tls.rs"]
mod tls;

use std::process::ExitCode;

use pop3_serve::{Options, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match Options::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("pop3_server: {message}");
            eprintln!(
                "usage: pop3_server --listen ADDR --maildir DIR --user NAME:PASS [--user ...] \
                 [--hostname NAME] [--no-tls] [--require-tls] [--verbose]"
            );
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("pop3_server: cannot listen on {}: {error}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("listening on {addr}"),
        Err(error) => {
            eprintln!("pop3_server: {error}");
            return ExitCode::FAILURE;
        }
    }
    match serve(listener, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pop3_server: {error}");
            ExitCode::FAILURE
        }
    }
}
