//! mailwire: e-mail protocol crates for Rust.
//!
//! This umbrella crate re-exports the mailwire family behind features:
//!
//! | feature | module | crate |
//! |---|---|---|
//! | `core` (default) | [`core`] | `mailwire-core`: line framing, dot-stuffing, RFC 5321/5322 tokens, base64 / quoted-printable, SASL |
//! | `message` (default) | [`message`] | `mailwire-message`: RFC 5322 + MIME messages: parse, decode, summarise, build |
//! | `smtp` (default) | [`smtp`] | `mailwire-smtp`: SMTP/LMTP commands, replies, codecs, client and server state machines |
//! | `imap` (default) | [`imap`] | `mailwire-imap`: IMAP4rev1/rev2 commands and responses, streamed literals, codecs, client and server state machines |
//! | `pop3` (default) | [`pop3`] | `mailwire-pop3`: POP3 commands, responses, multi-line bodies, codecs, client and server state machines |
//! | `serde` | | `Serialize` for `mailwire::message::summary` |
//! | `tokio` | | `tokio_util::codec` codecs in every re-exported crate |
//!
//! # A tour
//!
//! Every protocol crate has the same rooms: `types` (commands, replies or
//! responses, and what they carry), `parse` (zero-copy parsers and their
//! limits), `encode` (encoders that cannot inject a line), `codec` (tokio
//! framing, feature `tokio`), and the sans-IO `server` and `client`
//! state machines, which take bytes and the time and give events and
//! bytes, so that the same machine runs under any runtime or in a test.
//!
//! The byte core, shared by all: a mailbox parsed by the RFC 5321 grammar,
//! and message data that ends only at `CRLF.CRLF`.
//!
//! ```
//! # #[cfg(feature = "core")] {
//! use bytes::BytesMut;
//! use mailwire::core::dot::{DotDecoder, DotEvent};
//! use mailwire::core::token::Mailbox;
//!
//! let mailbox = Mailbox::parse_smtp(b"postmaster@example.org").unwrap();
//! assert_eq!(mailbox.domain().as_str(), "example.org");
//!
//! let mut data = BytesMut::from(&b"Hi\r\n..dot\r\n.\r\n"[..]);
//! let mut body = DotDecoder::new();
//! let mut got = Vec::new();
//! let end = loop {
//!     match body.decode(&mut data) {
//!         Some(DotEvent::Data(chunk)) => got.extend_from_slice(&chunk),
//!         other => break other,
//!     }
//! };
//! // Unstuffed, up to the CRLF.CRLF that ends it.
//! assert_eq!(got, b"Hi\r\n.dot\r\n");
//! assert_eq!(end, Some(DotEvent::End));
//! # }
//! ```
//!
//! Messages: built with the builder, read back lazily.
//!
//! ```
//! # #[cfg(feature = "message")] {
//! use mailwire::message::Message;
//! use mailwire::message::builder::MessageBuilder;
//!
//! let bytes = MessageBuilder::new()
//!     .from("alice@example.org")
//!     .to("bob@example.net")
//!     .subject("Gr\u{fc}\u{df}e")
//!     .date_rfc5322("Sun, 29 Nov 2026 09:00:00 +0100")
//!     .text_body("Hello Bob.\n")
//!     .build()
//!     .unwrap();
//! let message = Message::parse(&bytes);
//! assert_eq!(message.subject().as_deref(), Some("Gr\u{fc}\u{df}e"));
//! assert_eq!(message.text_body().as_deref(), Some("Hello Bob.\r\n"));
//! # }
//! ```
//!
//! A protocol machine: an IMAP server session in memory.
//!
//! ```
//! # #[cfg(feature = "imap")] {
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::BytesMut;
//! use mailwire::imap::server::{Event, Server, ServerConfig};
//! use mailwire::imap::types::StatusKind;
//!
//! let now = Instant::now();
//! let mut server = Server::new(Arc::new(ServerConfig::default()), now);
//! let mut out = BytesMut::new();
//! let _ = server.poll_output(&mut out); // the greeting
//! let _ = server.handle_input(now, b"a1 LOGIN bob builder\r\n");
//! // The application checks the password and answers.
//! let Some(Event::Login { id, username, .. }) = server.poll_event() else { panic!() };
//! assert_eq!(username, "bob");
//! server.complete(id, StatusKind::Ok, None, "welcome").unwrap();
//! out.clear();
//! let _ = server.poll_output(&mut out);
//! assert_eq!(&out[..], b"a1 OK welcome\r\n");
//! # }
//! ```
//!
//! The repository's examples put the pieces together on tokio and rustls:
//! `cargo run --example exchange` follows one message from a client's
//! submission through a store-and-forward relay (a `421`, a retry) to the
//! recipient's server and out over IMAP and POP3, printing every hop;
//! `cargo run --example mail_server` is a small mail server (MX,
//! submission, IMAP, POP3 over one Maildir tree) to point real clients
//! at. The protocol crates' own docs carry their RFC coverage tables.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "core")]
#[doc(inline)]
pub use mailwire_core as core;

#[cfg(feature = "message")]
#[doc(inline)]
pub use mailwire_message as message;

#[cfg(feature = "smtp")]
#[doc(inline)]
pub use mailwire_smtp as smtp;

#[cfg(feature = "imap")]
#[doc(inline)]
pub use mailwire_imap as imap;

#[cfg(feature = "pop3")]
#[doc(inline)]
pub use mailwire_pop3 as pop3;

/// The README's code examples, compiled and run as doc tests (they use
/// every crate).
#[cfg(all(
    doctest,
    feature = "core",
    feature = "message",
    feature = "smtp",
    feature = "imap",
    feature = "pop3"
))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
