//! Shared helpers of the root integration tests (`mod support;`): free
//! loopback ports, temporary directories, child processes that are killed
//! on drop; starters for external SMTP software (Postfix `smtp-sink`,
//! Python `aiosmtpd`) and runners for external SMTP clients (`swaks`,
//! `curl`, Python scripts); and a private Dovecot per test, the POP3 and
//! IMAP server for our clients ([`dovecot`]).
//!
//! Tools come from the machine (`.ci/run` installs them). When one is
//! missing, a test that needs it prints why and returns early, unless
//! `MAILWIRE_REQUIRE_INTEROP=1` is set (CI sets it): then it panics.
//!
//! Every server is bound to 127.0.0.1 only.

// Each test binary that includes this module uses a different subset of it.
#![allow(dead_code, unused_imports)]

pub(crate) mod dovecot;
mod examples;
pub(crate) mod mail_server;
mod process;
mod servers;
mod tools;

pub(crate) use examples::{ExampleServer, example, peak_rss_of};
pub(crate) use process::{Child, Output, wait_for_port};
pub(crate) use servers::{SinkOptions, effective_uid, start_aiosmtpd, start_smtp_sink};
pub(crate) use tools::{aiosmtpd_python, curl, python, require_tool, swaks};

pub(crate) use tempfile::TempDir;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

/// A message with CRLF line ends, a line that needs dot-stuffing, a line
/// that is a lone dot once unstuffed, and an 8-bit (UTF-8) body line.
pub(crate) const MESSAGE: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: interop test\r\n\
Message-ID: <interop-1@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
First line.\r\n\
.leading dot, stuffed on the wire\r\n\
.\r\n\
..two dots\r\n\
Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\r\n";

/// The loopback address every test server binds to.
pub(crate) const LOOPBACK: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// A TCP port on 127.0.0.1 that was free a moment ago: bound, read, released.
///
/// Another process may take it before the caller binds it again; the
/// starters below fail with the server's own message when that happens.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind(SocketAddr::from((LOOPBACK, 0)))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("bind 127.0.0.1:0")
}

/// A new temporary directory, removed with everything in it on drop.
pub(crate) fn temp_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("mailwire-test-")
        .tempdir()
        .expect("create a temporary directory")
}
