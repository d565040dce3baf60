//! SMTP (RFC 5321) and its extensions for Rust: a zero-copy command and
//! reply codec, and sans-IO client and server state machines.
//!
//! | module | what it holds |
//! |---|---|
//! | [`types`] | commands, paths, ESMTP parameters, replies, enhanced status codes, EHLO capabilities |
//! | [`parse`] | the parsers' error types (parsing is [`Command::parse`](types::Command::parse) and [`Reply::parse`](types::Reply::parse)) |
//! | [`encode`] | the encoders' error type (encoding is `Command::encode` and `Reply::encode`) |
//! | [`client`] | the sans-IO client state machine (SMTP and LMTP): greeting, EHLO, STARTTLS, AUTH, pipelined transactions, BDAT |
//! | [`server`] | the sans-IO SMTP/LMTP server state machine: sequencing, pipelining checks, DATA/BDAT, STARTTLS, AUTH, timeouts |
//! | [`sasl`] | SASL responses of `AUTH` (PLAIN, LOGIN, XOAUTH2, CRAM-MD5) into credentials |
//! | `codec` | `tokio_util::codec` framing for both ends (feature `tokio`) |
//!
//! Parsing a command line borrows from it and allocates nothing; encoders
//! refuse CR, LF and NUL inside fields.
//!
//! ```
//! use mailwire_smtp::types::Command;
//!
//! let cmd = Command::parse(b"MAIL FROM:<joe@example.org> SIZE=1024 BODY=8BITMIME")?;
//! let Command::Mail { reverse_path, params } = &cmd else { unreachable!() };
//! assert_eq!(reverse_path.to_string(), "<joe@example.org>");
//! assert_eq!(params.size, Some(1024));
//! # Ok::<(), mailwire_smtp::parse::CommandError>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "tokio")]
pub mod codec;

pub mod client;
pub mod encode;
pub mod parse;
/// SASL mechanisms for `AUTH`, shared with the other protocol crates
/// (the same module as `mailwire_core::sasl`).
pub use mailwire_core::sasl;
pub mod server;
pub mod types;

/// The README's code examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
