//! POP3 for Rust: a zero-copy command and response codec, dot-stuffed
//! multi-line bodies streamed as `Bytes`, and tokio codecs for both ends.
//!
//! | module | what it holds |
//! |---|---|
//! | [`types`] | commands, responses with their extended codes, SASL continuations and responses, scan / unique-id listings, capabilities, [`apop_digest`](types::apop_digest) |
//! | [`parse`] | the parsers' error types, [`Limits`](parse::Limits), and the client side's incremental [`ResponseReader`](parse::ResponseReader) (parsing a line is [`Command::parse`](types::Command::parse), [`Response::parse`](types::Response::parse), ...) |
//! | [`encode`] | the encoders' error type (encoding is `Command::encode`, `Response::encode`, ...) |
//! | [`server`] | the sans-IO server state machine: AUTHORIZATION (USER/PASS, APOP, SASL, STLS, UTF8), TRANSACTION answered from a [`Maildrop`](server::Maildrop), messages streamed dot-stuffed (TOP cut by the server), deletions only through [`Event::Update`](server::Event::Update) after QUIT |
//! | [`client`] | the sans-IO client state machine: commands queued and matched to answers, pipelining, STLS, SASL, RETR streamed as chunks |
//! | `codec` | `tokio_util::codec` framing for both ends, multi-line bodies dot-stuffed and unstuffed (feature `tokio`) |
//!
//! Parsing a command line borrows from it and allocates nothing; encoders
//! refuse CR, LF and NUL inside fields; passwords and SASL data are
//! redacted in `Debug`.
//!
//! ```
//! use mailwire_pop3::types::{Command, Response, ResponseCode, apop_digest};
//!
//! // The greeting carries the APOP timestamp (RFC 1939 section 7).
//! let greeting = Response::parse(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n")?;
//! let stamp = greeting.apop_timestamp().unwrap();
//! let digest = apop_digest(stamp, "tanstaaf");
//! let apop = Command::Apop { name: "mrose", digest: &digest };
//! assert_eq!(apop.to_bytes()?, b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
//!
//! // A server reads commands; a bad one tells what to answer.
//! assert_eq!(Command::parse(b"RETR 1\r\n")?, Command::Retr { msg: 1 });
//! let err = Command::parse(b"RETR one").unwrap_err();
//! assert_eq!(err.response().to_bytes()?, b"-ERR syntax error, expected message number\r\n");
//!
//! // Extended response codes (RFC 2449, RFC 3206).
//! let busy = Response::parse(b"-ERR [LOGIN-DELAY] wait 15 minutes")?;
//! assert_eq!(busy.code(), Some(&ResponseCode::LoginDelay));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # RFC coverage
//!
//! | RFC | what | where |
//! |---|---|---|
//! | [1939](https://www.rfc-editor.org/rfc/rfc1939) | POP3: USER, PASS, APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL; `+OK`/`-ERR`; multi-line responses with dot-stuffing | [`types::Command`], [`types::Response`], [`types::ScanListing`], [`types::UniqueIdListing`], `codec` |
//! | [2449](https://www.rfc-editor.org/rfc/rfc2449) | CAPA, extended response codes (`[IN-USE]`, `[LOGIN-DELAY]`), 255/512-octet line limits | [`types::Capability`], [`types::ResponseCode`], [`parse::Limits`] |
//! | [2595](https://www.rfc-editor.org/rfc/rfc2595) | STLS (the codec docs say how to drop pipelined input) | [`types::Command::Stls`] |
//! | [3206](https://www.rfc-editor.org/rfc/rfc3206) | `[SYS/TEMP]`, `[SYS/PERM]`, `[AUTH]` | [`types::ResponseCode`] |
//! | [5034](https://www.rfc-editor.org/rfc/rfc5034) | AUTH with SASL, initial response (`=` for empty), `+ ` continuations, `*` cancel | [`types::Command::Auth`], [`types::Continuation`], [`types::SaslResponse`] |
//! | [6856](https://www.rfc-editor.org/rfc/rfc6856) | UTF8, LANG, `[UTF8]`; UTF-8 in arguments and text | [`types::Command::Utf8`], [`types::Command::Lang`] |
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "tokio")]
pub mod codec;

pub mod client;
pub mod encode;
pub mod parse;
pub mod server;
pub mod types;

/// The README's code examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
