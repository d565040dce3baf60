//! The zero-copy byte core shared by the mailwire e-mail crates.
//!
//! Every mail protocol frames CRLF lines, undoes and applies dot-stuffing,
//! parses the same RFC 5321 / RFC 5322 tokens and slices received bytes
//! without copying. This crate holds that machinery once, bounded and safe:
//!
//! | module | what it does |
//! |---|---|
//! | [`line`](mod@line) | CRLF line framing over a `BytesMut` receive buffer, with a length limit and a bare CR/LF policy |
//! | [`dot`] | dot-stuffing: a streaming decoder that ends a body only on `CRLF.CRLF`, and an encoder |
//! | [`token`] | RFC 5234/5321/5322 tokens: atom, dot-atom, quoted-string, CFWS, domain, address literals, [`Mailbox`] |
//! | [`encoding`] | base64 and quoted-printable, streaming decoders and line-wrapping encoders |
//! | [`field`] | checks that a value can go into a protocol line (no CR, LF, NUL or other controls) |
//! | [`sasl`] | SASL mechanisms (PLAIN, LOGIN, XOAUTH2, CRAM-MD5) for both ends of SMTP, POP3 and IMAP authentication |
//! | [`Limits`] | the bounds every buffer obeys |
//! | [`Error`] | the one error type: a byte offset and what was expected |
//! | `codec` | `tokio_util::codec` framing (feature `tokio`) |
//!
//! No I/O happens here: the types take bytes and give bytes, so the same code
//! serves blocking, async and sans-IO state machines.
// unsafe only in `encoding::base64_simd` (SIMD intrinsics), allowed there.
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "tokio")]
pub mod codec;
pub mod dot;
pub mod encoding;
mod error;
pub mod field;
mod limits;
pub mod line;
pub mod sasl;
pub mod token;

pub use error::{Error, ErrorKind, Result};
pub use limits::Limits;
pub use line::{BarePolicy, Line, LineEnding, LineFramer, LineRef, Lines};
pub use token::Mailbox;

/// The README's code examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
