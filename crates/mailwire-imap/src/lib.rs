//! IMAP for Rust: IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) commands
//! and responses with their common extensions — zero-copy parsers,
//! encoders that cannot inject a line, an incremental decoder for servers
//! and a streaming response reader for clients that frame literals in
//! bounded memory and stream APPEND and FETCH bodies as `Bytes`, and the
//! sans-IO client and server state machines.
//!
//! | module | what it holds |
//! |---|---|
//! | [`types`] | [`Command`](types::Command) / [`CommandBody`](types::CommandBody), [`Response`](types::Response) (status, continuation and data responses; [`Envelope`](types::Envelope), [`BodyStructure`](types::BodyStructure)), and the pieces both share: [`Tag`](types::Tag), [`Atom`](types::Atom), [`AString`](types::AString), [`Mailbox`](types::Mailbox) (INBOX folding, modified UTF-7), [`Flag`](types::Flag), [`SequenceSet`](types::SequenceSet), [`Date`](types::Date) / [`DateTime`](types::DateTime), [`SearchKey`](types::SearchKey), [`FetchAttribute`](types::FetchAttribute), [`StatusItem`](types::StatusItem), [`Capability`](types::Capability) |
//! | [`parse`] | [`Limits`](parse::Limits), [`CommandError`](parse::CommandError) (with the `BAD`/`NO` answer to write), the server's incremental [`CommandDecoder`](parse::CommandDecoder), the client's streaming [`ResponseReader`](parse::ResponseReader) with [`ResponseLimits`](parse::ResponseLimits); one-shot parsing is [`Command::parse`](types::Command::parse) and [`Response::parse`](types::Response::parse) |
//! | [`encode`] | [`EncodeError`](encode::EncodeError), [`LiteralMode`](encode::LiteralMode) and [`Encoded`](encode::Encoded) (where a client waits for `+`), [`encode_append_head`](encode::encode_append_head) for a client that streams its message, [`FetchLiteralWriter`](encode::FetchLiteralWriter) for a server that streams a FETCH body; encoding is [`Command::encode`](types::Command::encode) and [`Response::encode`](types::Response::encode) |
//! | [`client`] | the sans-IO client state machine [`Client`](client::Client): greeting, tagged completions as [`Event::Done`](client::Event::Done), literal waits and LITERAL+/-, SASL with SASL-IR, STARTTLS injection guard, streamed FETCH literals, IDLE, streamed APPEND, pipelining |
//! | [`codec`] | `tokio_util::codec` framing (feature `tokio`): [`ServerCodec`](codec::ServerCodec) (commands in, literal announcements, bad commands as frames, APPEND messages streamed as `Bytes`; responses and streamed FETCH literals out) and [`ClientCodec`](codec::ClientCodec) (responses in, FETCH literals streamed as `Bytes`; commands with synchronizing literals, streamed APPEND, SASL lines out) |
//! | [`server`] | the sans-IO server state machine [`Server`](server::Server): connection states, literals, LOGIN / AUTHENTICATE PLAIN, LOGIN, XOAUTH2 and CRAM-MD5, STARTTLS, IDLE, streamed APPEND; mailbox work handed to the application as [`Event`](server::Event)s |
//!
//! Parsing a command borrows from the input: a command without a list
//! argument allocates nothing, and neither does a bad one. Strings are
//! octets whichever form carried them; the encoder picks atom, quoted or
//! literal by itself, so CR, LF and NUL never appear outside a literal.
//! Passwords and SASL data are redacted in `Debug`.
//!
//! # A server reads commands
//!
//! ```
//! use bytes::BytesMut;
//! use mailwire_imap::parse::{CommandDecoder, Decoded};
//! use mailwire_imap::types::{CommandBody, Mailbox};
//!
//! let mut decoder = CommandDecoder::new().stream_append(true);
//! let mut buf = BytesMut::from(&b"a1 SELECT inbox\r\na2 APPEND Drafts (\\Draft) {11}\r\n"[..]);
//! let mut out = Vec::new();
//! loop {
//!     match decoder.decode(&mut buf) {
//!         Decoded::Incomplete => break,
//!         Decoded::Command(cmd) => {
//!             assert_eq!(cmd.body, CommandBody::Select { mailbox: Mailbox::Inbox, params: vec![] });
//!         }
//!         // A synchronizing literal: answer "+" before the client sends it.
//!         Decoded::AppendStart { tag, mailbox, message } => {
//!             assert_eq!((tag.as_str(), message.size, message.sync), ("a2", 11, true));
//!             out.extend_from_slice(b"+ Ready for literal data\r\n");
//!         }
//!         // A bad command: answer BAD (or NO) and go on.
//!         Decoded::Failed { tag, error } => error.write_answer(tag.as_ref(), &mut out),
//!         other => panic!("{other:?}"),
//!     }
//! }
//! assert_eq!(out, b"+ Ready for literal data\r\n");
//! // The message streams through as chunks, never held whole.
//! buf.extend_from_slice(b"Hello Joe!\n\r\n");
//! let Decoded::LiteralChunk(chunk) = decoder.decode(&mut buf) else { panic!() };
//! assert_eq!(&chunk[..], b"Hello Joe!\n");
//! assert_eq!(decoder.decode(&mut buf), Decoded::AppendEnd);
//! ```
//!
//! # A client writes commands
//!
//! ```
//! use mailwire_imap::encode::LiteralMode;
//! use mailwire_imap::types::{AString, Command, CommandBody, FetchAttribute, FetchAttributes, SearchKey, Secret, SequenceSet, Tag};
//!
//! let fetch = Command {
//!     tag: Tag::new("a3")?,
//!     body: CommandBody::Fetch {
//!         uid: true,
//!         set: SequenceSet::new("1:*")?,
//!         attributes: FetchAttributes::List(vec![FetchAttribute::Flags, FetchAttribute::Uid]),
//!         changed_since: None,
//!         vanished: false,
//!     },
//! };
//! assert_eq!(fetch.to_bytes()?, b"a3 UID FETCH 1:* (FLAGS UID)\r\n");
//!
//! // A string with CR LF goes as a literal; the client stops after its
//! // announcement until the server says "+".
//! let search = Command {
//!     tag: Tag::new("a4")?,
//!     body: CommandBody::Search {
//!         uid: false,
//!         returns: None,
//!         charset: None,
//!         criteria: vec![SearchKey::Subject(AString::from("two\r\nlines"))],
//!     },
//! };
//! let encoded = search.encode_with(LiteralMode::Sync)?;
//! let segments: Vec<&[u8]> = encoded.segments().collect();
//! assert_eq!(segments, [&b"a4 SEARCH SUBJECT {10}\r\n"[..], b"two\r\nlines\r\n"]);
//! # Ok::<(), mailwire_imap::encode::EncodeError>(())
//! ```
//!
//! # RFC coverage
//!
//! | RFC | what | where |
//! |---|---|---|
//! | [3501](https://www.rfc-editor.org/rfc/rfc3501) | IMAP4rev1: every client command, tags, atoms, strings, literals, INBOX, modified UTF-7 names (5.1.3), flags, sequence sets, SEARCH keys, FETCH attributes and macros, STORE, LSUB, CHECK | [`types::CommandBody`], [`types::Mailbox`], [`parse::CommandDecoder`] |
//! | [9051](https://www.rfc-editor.org/rfc/rfc9051) | IMAP4rev2: ENABLE, NAMESPACE, UNSELECT, MOVE, UID EXPUNGE, ESEARCH `RETURN`, `$`, BINARY, LIST-EXTENDED/LIST-STATUS/SPECIAL-USE, UTF-8 in quoted strings, 64-bit numbers | [`types::CommandBody`], [`types::SearchReturn`] |
//! | [7888](https://www.rfc-editor.org/rfc/rfc7888) | LITERAL+ / LITERAL-: `{n+}`, the 4096-octet bound | [`parse::Limits::literal_minus`], [`encode::LiteralMode`] |
//! | [2177](https://www.rfc-editor.org/rfc/rfc2177) | IDLE and `DONE` | [`types::CommandBody::Idle`], [`types::IdleDone`], [`parse::CommandDecoder::expect_line`] |
//! | [4959](https://www.rfc-editor.org/rfc/rfc4959) | SASL-IR initial responses (`=` for empty) | [`types::InitialResponse`] |
//! | [2195](https://www.rfc-editor.org/rfc/rfc2195), [4616](https://www.rfc-editor.org/rfc/rfc4616) | AUTHENTICATE CRAM-MD5 (challenge from the session's nonce), PLAIN; LOGIN and XOAUTH2 too | [`server::Mechanism`], [`server::Server::set_nonce`] |
//! | [5161](https://www.rfc-editor.org/rfc/rfc5161) | ENABLE | [`types::CommandBody::Enable`] |
//! | [7162](https://www.rfc-editor.org/rfc/rfc7162) | CONDSTORE / QRESYNC: SELECT parameters, CHANGEDSINCE, VANISHED, UNCHANGEDSINCE, MODSEQ search key and fetch item, HIGHESTMODSEQ | [`types::SelectParam`], [`types::CommandBody::Fetch`], [`types::CommandBody::Store`] |
//! | [4731](https://www.rfc-editor.org/rfc/rfc4731), [5182](https://www.rfc-editor.org/rfc/rfc5182) | ESEARCH return options, SEARCHRES `$` | [`types::SearchReturn`], [`types::SequenceSet::saved`] |
//! | [3502](https://www.rfc-editor.org/rfc/rfc3502) | MULTIAPPEND | [`types::CommandBody::Append`], [`parse::Decoded::AppendNext`] |
//! | [3516](https://www.rfc-editor.org/rfc/rfc3516) | BINARY: `~{n}` literal8, BINARY[.PEEK], BINARY.SIZE | [`types::AppendMessage::binary`], [`types::FetchAttribute::Binary`] |
//! | [5258](https://www.rfc-editor.org/rfc/rfc5258), [5819](https://www.rfc-editor.org/rfc/rfc5819), [6154](https://www.rfc-editor.org/rfc/rfc6154) | LIST selection and return options, `RETURN (STATUS ...)`, SPECIAL-USE | [`types::ListSelect`], [`types::ListReturn`] |
//! | [5256](https://www.rfc-editor.org/rfc/rfc5256), [5957](https://www.rfc-editor.org/rfc/rfc5957) | SORT, THREAD, DISPLAYFROM/DISPLAYTO | [`types::CommandBody::Sort`], [`types::CommandBody::Thread`] |
//! | [9208](https://www.rfc-editor.org/rfc/rfc9208) | GETQUOTA, GETQUOTAROOT, SETQUOTA | [`types::CommandBody::SetQuota`] |
//! | [2971](https://www.rfc-editor.org/rfc/rfc2971) | ID | [`types::CommandBody::Id`] |
//! | [4978](https://www.rfc-editor.org/rfc/rfc4978) | COMPRESS (syntax only) | [`types::CommandBody::Compress`] |
//! | [3691](https://www.rfc-editor.org/rfc/rfc3691), [6851](https://www.rfc-editor.org/rfc/rfc6851), [4315](https://www.rfc-editor.org/rfc/rfc4315), [2342](https://www.rfc-editor.org/rfc/rfc2342), [5032](https://www.rfc-editor.org/rfc/rfc5032) | UNSELECT, MOVE, UID EXPUNGE, NAMESPACE, OLDER/YOUNGER | [`types::CommandBody`], [`types::SearchKey`] |
//! | [4469](https://www.rfc-editor.org/rfc/rfc4469) / [5530](https://www.rfc-editor.org/rfc/rfc5530) | the `TOOBIG` code for a literal over its limit | [`parse::CommandError::code`] |
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod codec;
pub mod encode;
pub mod parse;
pub mod server;
pub mod types;

/// The README's code examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
