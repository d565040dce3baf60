//! RFC 5322 Internet messages and MIME: zero-copy and lazy.
//!
//! [`Message::parse`] splits a message into its header fields and body
//! without copying or decoding anything; every value is parsed when asked
//! for, from the borrowed input. The parser is lenient (it never refuses a
//! message and never panics) and honest: each deviation from the RFCs is
//! recorded as a [`Defect`] with its byte offset.
//!
//! ```
//! use mailwire_message::Message;
//!
//! let raw = b"From: Keith Moore <moore@cs.utk.edu>\r\n\
//! To: Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>\r\n\
//! Subject: =?ISO-8859-1?Q?Andr=E9?= Pirard\r\n\
//! \r\n\
//! Hello.\r\n";
//! let message = Message::parse(raw);
//! assert_eq!(message.header().get("to").unwrap().raw_value(), " Keld J\u{f8}rn Simonsen <keld@dkuug.dk>".as_bytes());
//! assert_eq!(message.subject().as_deref(), Some("Andr\u{e9} Pirard"));
//! assert_eq!(message.body(), b"Hello.\r\n");
//! assert!(message.defects().is_empty());
//! assert_eq!(message.raw(), raw); // an unmodified message writes back as it came
//! ```
//!
//! | module | RFC | what |
//! |---|---|---|
//! | [`header`] | RFC 5322 2.2, 4.5 | the header block: fields in order, raw values, offsets, unfolding |
//! | [`fields`] | RFC 5322 3.6, RFC 2045 | typed accessors on [`Header`]: addresses, subject, keywords, MIME fields |
//! | [`date`] | RFC 5322 3.3, 4.3 | dates, obsolete forms included, to RFC 3339 and Unix time |
//! | [`ids`] | RFC 5322 3.6.4 | `Message-ID`, `In-Reply-To`, `References`, `Content-ID` |
//! | [`received`] | RFC 5322 3.6.7, RFC 5321 4.4 | trace fields: `Received` clauses and date, `Return-Path` |
//! | [`list`] | RFC 2369, RFC 2919, RFC 8058 | mailing list fields: `List-Id`, `List-Post`, `List-Unsubscribe` and the other URLs |
//! | [`encoded_word`] | RFC 2047, RFC 6532 | encoded words and 8-bit header text to UTF-8 |
//! | [`address`] | RFC 5322 3.4, 4.4 | address lists with groups and display names |
//! | [`params`] | RFC 2045 5.1, RFC 2183, RFC 2231 | `Content-Type` and `Content-Disposition` with parameters |
//! | [`part`] | RFC 2045, RFC 2046 | MIME parts: multipart bodies, attached messages, bodies decoded on demand |
//! | [`views`] | RFC 8621 4.1.4 | text body, HTML body and attachments, as a mail client shows them |
//! | [`charset`] | WHATWG Encoding | charset labels to decoders (encoding_rs) |
//! | `summary` | | a flat JSON summary of a message (feature `serde`) |
//! | [`builder`] | RFC 5322, RFC 2045-2047, RFC 2183, RFC 2231 | writing messages: header fields, MIME trees, encodings |
//!
//! # Leniency and strictness
//!
//! [`Message::parse`] accepts anything with a header block and records each
//! structural deviation in [`Message::defects`]. Typed values are parsed
//! lazily, so their defects appear when asked for: every accessor has a
//! `_with_defects` parser beside it, and [`Message::validate`] runs them all.
//! [`Message::parse_strict`] turns the first defect into an error.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::borrow::Cow;

pub mod address;
pub mod builder;
pub mod charset;
pub mod date;
mod defect;
pub mod encoded_word;
pub mod fields;
pub mod header;
pub mod ids;
pub mod list;
pub mod params;
pub mod part;
pub mod received;
mod structure;
#[cfg(feature = "serde")]
pub mod summary;
mod validate;
pub mod views;

pub use builder::MessageBuilder;
pub use defect::{Defect, DefectKind};
pub use header::{Header, HeaderField};
pub use mailwire_core::Limits;
pub use part::{Content, Multipart, Part};
pub use views::BodyParts;

/// A parsed message, borrowing its input.
///
/// Parsing finds the header fields, and the MIME structure: every part's
/// header and body bounds, down through multiparts and attached messages.
/// Nothing is decoded until an accessor asks. Writing an unmodified message
/// back gives exactly the input bytes ([`raw`](Self::raw),
/// [`write_to`](Self::write_to)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    root: Part<'a>,
    defects: Vec<Defect>,
}

impl<'a> Message<'a> {
    /// Parses `raw` with the default [`Limits`]. Never fails: whatever does
    /// not fit the RFCs is recorded in [`defects`](Self::defects).
    ///
    /// ```
    /// use mailwire_message::{DefectKind, Message};
    ///
    /// // Bare LF line endings and no empty line before the body.
    /// let message = Message::parse(b"Subject: hi\nthis is the body\n");
    /// assert_eq!(message.header().len(), 1);
    /// assert_eq!(message.body(), b"this is the body\n");
    /// let kinds: Vec<_> = message.defects().iter().map(|d| d.kind()).collect();
    /// assert_eq!(kinds, [DefectKind::BareLf, DefectKind::MissingHeaderBodySeparator]);
    /// ```
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Self {
        Self::parse_with_limits(raw, &Limits::DEFAULT)
    }

    /// Parses `raw` with the given limits: header fields per part
    /// ([`Limits::max_header_fields`]), MIME nesting depth
    /// ([`Limits::max_nesting_depth`]) and part count
    /// ([`Limits::max_mime_parts`]).
    ///
    /// ```
    /// use mailwire_message::{DefectKind, Limits, Message};
    ///
    /// let mut limits = Limits::DEFAULT;
    /// limits.max_mime_parts = 1;
    /// let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b--\r\n";
    /// let message = Message::parse_with_limits(raw, &limits);
    /// assert_eq!(message.root().parts().len(), 1);
    /// assert_eq!(message.defects()[0].kind(), DefectKind::TooManyParts);
    /// ```
    #[must_use]
    pub fn parse_with_limits(raw: &'a [u8], limits: &Limits) -> Self {
        let mut parser = structure::Parser::new(limits);
        let root = parser.message(raw);
        let mut defects = parser.defects;
        defects.sort_by_key(Defect::offset);
        Self { root, defects }
    }

    /// Parses `raw` strictly: the first deviation from the RFCs that
    /// [`validate`](Self::validate) finds is an error.
    ///
    /// # Errors
    ///
    /// The first [`Defect`], in input order.
    ///
    /// ```
    /// use mailwire_message::{DefectKind, Message};
    ///
    /// assert!(Message::parse_strict(b"Subject: fine\r\n\r\nbody\r\n").is_ok());
    /// let error = Message::parse_strict(b"Subject: bare LF\n\nbody").unwrap_err();
    /// assert_eq!((error.kind(), error.offset()), (DefectKind::BareLf, 16));
    /// ```
    pub fn parse_strict(raw: &'a [u8]) -> Result<Self, Defect> {
        let message = Self::parse(raw);
        match message.validate().first() {
            Some(defect) => Err(*defect),
            None => Ok(message),
        }
    }

    /// The message as received.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.root.raw
    }

    /// Writes the message back: exactly the bytes it was parsed from.
    ///
    /// # Errors
    ///
    /// Any error of `out`.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let raw = b"Subject:  odd\tspacing \r\n\r\nbody";
    /// let mut out = Vec::new();
    /// Message::parse(raw).write_to(&mut out)?;
    /// assert_eq!(out, raw);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        out.write_all(self.root.raw)
    }

    /// The top-level entity: the message's header and body as a MIME part.
    #[must_use]
    pub fn root(&self) -> &Part<'a> {
        &self.root
    }

    /// The header fields.
    #[must_use]
    pub fn header(&self) -> &Header<'a> {
        &self.root.header
    }

    /// The body: everything after the empty line that ends the header,
    /// still transfer-encoded.
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        self.root.body()
    }

    /// Byte offset of the body in the input.
    #[must_use]
    pub fn body_offset(&self) -> usize {
        self.root.body_offset
    }

    /// The deviations from the RFCs found while parsing the structure, in
    /// input order. Values parsed later (addresses, dates, bodies) report
    /// theirs through their own `_with_defects` functions, or all at once
    /// through [`validate`](Self::validate).
    #[must_use]
    pub fn defects(&self) -> &[Defect] {
        &self.defects
    }

    /// Every deviation from the RFCs in the message, in input order: those
    /// of [`defects`](Self::defects), plus those found by parsing every
    /// structured field the crate knows and checking every part's body
    /// (transfer encoding, charset). This does the work a lazy parse skips;
    /// strict readers call it once.
    ///
    /// ```
    /// use mailwire_message::{DefectKind, Message};
    /// let message = Message::parse(b"Content-Transfer-Encoding: base64\r\n\r\nnot*base64");
    /// assert!(message.defects().is_empty());
    /// assert_eq!(message.validate()[0].kind(), DefectKind::InvalidBase64);
    /// ```
    #[must_use]
    pub fn validate(&self) -> Vec<Defect> {
        let mut defects = self.defects.clone();
        for part in self.root.walk() {
            validate::fields(part.header(), &mut defects);
            part.body_defects(&mut defects);
        }
        defects.sort_by_key(Defect::offset);
        defects.dedup();
        defects
    }

    /// The `Subject` field, unfolded and decoded (RFC 2047 encoded words,
    /// UTF-8 or fallback-decoded 8-bit text), without the leading space.
    #[must_use]
    pub fn subject(&self) -> Option<Cow<'a, str>> {
        self.unstructured("Subject")
    }

    /// The first field called `name`, read as RFC 5322 `unstructured` text:
    /// unfolded, encoded words decoded, the leading white space dropped.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Comments: =?utf-8?B?w6k=?= and more\r\n\r\n");
    /// assert_eq!(message.unstructured("comments").as_deref(), Some("\u{e9} and more"));
    /// ```
    #[must_use]
    pub fn unstructured(&self, name: &str) -> Option<Cow<'a, str>> {
        let field = self.header().get(name)?;
        Some(encoded_word::decode_unstructured(field.raw_value()))
    }
}

/// The README's code examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
