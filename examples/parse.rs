//! Parses message files and prints, per message, one JSON object on one
//! line: subject, addresses, date, Message-ID, every leaf part decoded, and
//! the defects found (see `mailwire_message::summary` for the shape).
//!
//! ```text
//! cargo run --example parse -- FILE...
//! ```
//!
//! A file that cannot be read is reported on stderr and the exit status is
//! 1; every other file is still printed.

use std::io::Write;
use std::process::ExitCode;

use mailwire::message::Message;
use mailwire::message::summary::Summary;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: parse FILE...");
        return ExitCode::from(2);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut status = ExitCode::SUCCESS;
    for file in &files {
        let raw = match std::fs::read(file) {
            Ok(raw) => raw,
            Err(error) => {
                eprintln!("{file}: {error}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        let summary = Summary::of(&Message::parse(&raw));
        let line = serde_json::to_string(&summary).expect("a summary always serializes");
        if writeln!(out, "{line}").is_err() {
            // stdout closed (e.g. piped into `head`): nothing more to do.
            return status;
        }
    }
    status
}
