//! A small IMAP server on tokio around the sans-IO `mailwire_imap::server`:
//! it serves the folders of a Maildir++ tree (INBOX is the Maildir, folder
//! `Foo` is `.Foo/`), keeps UIDs in a small file per folder and flags and
//! keywords in the file names, streams message bodies from their files, streams
//! APPENDed messages into files, and pushes new mail to idling clients.
//!
//! ```text
//! cargo run --example imap_server -- --listen 127.0.0.1:1143 --maildir /tmp/mail --user joe:secret
//! ```
//!
//! Options:
//!
//! - `--listen ADDR`: where to listen (port 0 picks a free port; the
//!   address is printed as `imap listening on ADDR`).
//! - `--maildir DIR`: the mail. With one `--user` it is that user's INBOX;
//!   with several, user NAME's is `DIR/NAME`.
//! - `--user NAME:PASS` (repeatable): the accounts, for `LOGIN` and
//!   `AUTHENTICATE PLAIN` / `LOGIN`.
//! - `--hostname NAME`: the name in the greeting (default `localhost`).
//! - `--no-tls`: do not offer `STARTTLS` (by default a self-signed
//!   certificate is made at start and `STARTTLS` offered).
//! - `--require-tls`: refuse passwords before `STARTTLS` (`LOGINDISABLED`).
//! - `--max-message N`: the largest APPEND, in octets (default 1 GiB).
//! - `--verbose`: print session errors.
//!
//! Beyond IMAP4rev1 it offers UIDPLUS (APPENDUID, COPYUID, UID EXPUNGE),
//! MOVE, IDLE, UNSELECT, NAMESPACE, CHILDREN, LITERAL+ and SASL-IR.
//!
//! Keywords are kept as Dovecot keeps them: info letters `a` to `z` named
//! in the folder's `dovecot-keywords` (26 per folder at most).
//!
//! Limits, by choice of a small example: no CONDSTORE,
//! ESEARCH, BINARY, SORT or THREAD (answered NO or BAD); copies and
//! appended messages go straight to `cur/`, so they are not `\Recent`;
//! other sessions learn of changes at NOOP, CHECK, SELECT and IDLE (not
//! after every command); a message over 8 MiB is never held in memory:
//! its MIME parts are located by one scan of its file when a FETCH needs
//! them. Where one CRLF sits between a nested multipart's close delimiter
//! and the outer delimiter, it is the outer delimiter's (RFC 2046 5.1.1),
//! so that part's size is 2 octets less than Dovecot reports.

#[path = "support/accept.rs"]
mod accept;
#[path = "support/imap_serve.rs"]
mod imap_serve;
#[path = "support/imap_store.rs"]
mod imap_store;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/tls.rs"]
mod tls;

use std::process::ExitCode;

use imap_serve::{Options, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match Options::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("imap_server: {message}");
            eprintln!(
                "usage: imap_server --listen ADDR --maildir DIR --user NAME:PASS [--user ...] \
                 [--hostname NAME] [--no-tls] [--require-tls] [--max-message N] [--verbose]"
            );
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("imap_server: cannot listen on {}: {error}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("imap listening on {addr}"),
        Err(error) => {
            eprintln!("imap_server: {error}");
            return ExitCode::FAILURE;
        }
    }
    match serve(listener, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("imap_server: {error}");
            ExitCode::FAILURE
        }
    }
}
