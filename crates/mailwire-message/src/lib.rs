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
//! | [`encoded_word`] | RFC 2047, RFC 6532 | encoded words and 8-bit header text to UTF-8 |
//! | [`address`] | RFC 5322 3.4, 4.4 | address lists with groups and display names |
//! | [`params`] | RFC 2045 5.1, RFC 2183, RFC 2231 | `Content-Type` and `Content-Disposition` with parameters |
//! | [`charset`] | WHATWG Encoding | charset labels to decoders (encoding_rs) |
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::borrow::Cow;

pub mod address;
pub mod charset;
mod defect;
pub mod encoded_word;
pub mod header;
pub mod params;

pub use defect::{Defect, DefectKind};
pub use header::{Header, HeaderField};
pub use mailwire_core::Limits;

/// A parsed message, borrowing its input.
///
/// Parsing finds the header fields and the body; nothing else is done until
/// an accessor asks. Writing an unmodified message back gives exactly the
/// input bytes ([`raw`](Self::raw)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    raw: &'a [u8],
    header: Header<'a>,
    body_offset: usize,
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

    /// Parses `raw` with the given limits (header field count).
    #[must_use]
    pub fn parse_with_limits(raw: &'a [u8], limits: &Limits) -> Self {
        let mut defects = Vec::new();
        let (header, body_offset) = header::parse_header(raw, 0, limits, &mut defects);
        Self {
            raw,
            header,
            body_offset,
            defects,
        }
    }

    /// The message as received.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The header fields.
    #[must_use]
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The body: everything after the empty line that ends the header.
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        &self.raw[self.body_offset..]
    }

    /// Byte offset of the body in the input.
    #[must_use]
    pub fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// The deviations from the RFCs found while parsing, in input order.
    #[must_use]
    pub fn defects(&self) -> &[Defect] {
        &self.defects
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
        let field = self.header.get(name)?;
        Some(encoded_word::decode_unstructured(field.raw_value()))
    }
}
