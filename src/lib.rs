//! mailwire: e-mail protocol crates for Rust.
//!
//! This umbrella crate re-exports the mailwire family behind features:
//!
//! | feature | module | crate |
//! |---|---|---|
//! | `core` (default) | [`core`] | `mailwire-core`: line framing, dot-stuffing, RFC 5321/5322 tokens, base64 / quoted-printable |
//! | `message` (default) | [`message`] | `mailwire-message`: RFC 5322 + MIME messages: parse, decode, summarise |
//! | `smtp` (default) | [`smtp`] | `mailwire-smtp`: SMTP/LMTP commands, replies, codecs, client and server state machines |
//! | `imap` (default) | [`imap`] | `mailwire-imap`: IMAP4rev1/rev2 commands and responses, streaming literals |
//! | `pop3` (default) | [`pop3`] | `mailwire-pop3`: POP3 commands, responses, multi-line bodies, codecs |
//! | `serde` | | `Serialize` for `mailwire::message::summary` |
//! | `tokio` | | `tokio_util::codec` codecs in every re-exported crate |
//!
//! ```
//! # #[cfg(feature = "core")] {
//! use mailwire::core::token::Mailbox;
//!
//! let mailbox = Mailbox::parse_smtp(b"postmaster@example.org").unwrap();
//! assert_eq!(mailbox.domain().as_str(), "example.org");
//! # }
//! ```
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

/// The README's code examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
