//! MIME entities (RFC 2045, RFC 2046): parts with their own header, their
//! content (a single body, a multipart body or an attached message), and
//! body decoding on demand.
//!
//! A [`Part`] borrows the input like the [`Message`](crate::Message) it
//! belongs to. Parsing a message finds every part's header and body bounds
//! once; nothing is decoded until [`Part::decoded_body`] or [`Part::text`]
//! is called.
//!
//! ```
//! use mailwire_message::{Content, Message};
//!
//! let raw = concat!(
//!     "Content-Type: multipart/mixed; boundary=frontier\r\n",
//!     "\r\n",
//!     "This is the preamble.\r\n",
//!     "--frontier\r\n",
//!     "Content-Type: text/plain; charset=utf-8\r\n",
//!     "Content-Transfer-Encoding: quoted-printable\r\n",
//!     "\r\n",
//!     "Caf=C3=A9\r\n",
//!     "--frontier\r\n",
//!     "Content-Type: application/octet-stream\r\n",
//!     "Content-Transfer-Encoding: base64\r\n",
//!     "\r\n",
//!     "AAEC\r\n",
//!     "--frontier--\r\n",
//! );
//! let message = Message::parse(raw.as_bytes());
//! let Content::Multipart(multipart) = message.root().content() else { panic!() };
//! assert_eq!(multipart.preamble(), b"This is the preamble.");
//! let [text, data] = multipart.parts() else { panic!() };
//! assert_eq!(text.text().as_deref(), Some("Caf\u{e9}"));
//! assert_eq!(&*data.decoded_body(), &[0, 1, 2]);
//! assert!(message.defects().is_empty());
//! ```

use std::borrow::Cow;

use mailwire_core::encoding::{Base64Decoder, QpDecoder, Strictness, TransferEncoding};

use crate::params::{ContentDisposition, ContentType};
use crate::{Defect, DefectKind, Header, charset};

/// One MIME entity: a header and a body, borrowed from the input.
///
/// The top of a message is a part too ([`Message::root`](crate::Message::root)),
/// and so is the message inside a `message/rfc822` part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) offset: usize,
    pub(crate) header: Header<'a>,
    pub(crate) body_offset: usize,
    pub(crate) content_type: ContentType<'a>,
    /// Whether `content_type` comes from a Content-Type field (not a default).
    pub(crate) declared_type: bool,
    /// The Content-Transfer-Encoding, read once (see `transfer_encoding`).
    pub(crate) transfer_encoding: Option<TransferEncoding>,
    pub(crate) content: Content<'a>,
}

/// What a part holds, by its media type (RFC 2046).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content<'a> {
    /// A single body: text, an image, anything not multipart. Also a
    /// multipart whose body holds no delimiter line, and any part past the
    /// nesting limit (both recorded as defects).
    Single,
    /// A `multipart/*` body split into its parts (RFC 2046 section 5.1).
    Multipart(Multipart<'a>),
    /// A `message/rfc822` (or `message/global`, RFC 6532) body parsed as a
    /// message of its own (RFC 2046 section 5.2.1).
    Message(Box<Part<'a>>),
}

/// A multipart body: preamble, parts and epilogue (RFC 2046 section 5.1.1).
///
/// ```text
/// multipart-body := [preamble CRLF]
///                   dash-boundary transport-padding CRLF
///                   body-part *encapsulation
///                   close-delimiter transport-padding
///                   [CRLF epilogue]
/// encapsulation  := delimiter transport-padding CRLF body-part
/// delimiter      := CRLF dash-boundary
/// dash-boundary  := "--" boundary
/// ```
///
/// The line break before a delimiter belongs to the delimiter, so it is in
/// neither the part before it nor the preamble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart<'a> {
    pub(crate) preamble: &'a [u8],
    pub(crate) parts: Vec<Part<'a>>,
    pub(crate) epilogue: &'a [u8],
    pub(crate) closed: bool,
}

impl<'a> Multipart<'a> {
    /// The text before the first delimiter (usually ignored by readers).
    #[must_use]
    pub fn preamble(&self) -> &'a [u8] {
        self.preamble
    }

    /// The body parts, in order.
    #[must_use]
    pub fn parts(&self) -> &[Part<'a>] {
        &self.parts
    }

    /// What follows the close delimiter's line (empty when there was no
    /// close delimiter).
    #[must_use]
    pub fn epilogue(&self) -> &'a [u8] {
        self.epilogue
    }

    /// Whether the body ended with a close delimiter (`--boundary--`). A
    /// missing one is tolerated: the last part runs to the end of the body.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed
    }
}

impl<'a> Part<'a> {
    /// The part as it appears in the input: header, empty line and body.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Byte offset of the part in the parsed input.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The part's header fields.
    #[must_use]
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The body as it appears in the input, still transfer-encoded.
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        &self.raw[self.body_offset..]
    }

    /// Byte offset of the body in the parsed input.
    #[must_use]
    pub fn body_offset(&self) -> usize {
        self.offset + self.body_offset
    }

    /// The media type: the `Content-Type` field, or the default of its
    /// context when there is none or it is invalid (RFC 2045 section 5.2:
    /// `text/plain; charset=us-ascii`; inside `multipart/digest`:
    /// `message/rfc822`, RFC 2046 section 5.1.5).
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Subject: no type\r\n\r\nhi");
    /// assert!(message.root().content_type().is("text", "plain"));
    /// ```
    #[must_use]
    pub fn content_type(&self) -> &ContentType<'a> {
        &self.content_type
    }

    /// The `Content-Disposition` field, parsed, if there is one.
    ///
    /// ```
    /// use mailwire_message::{Message, params::DispositionKind};
    /// let message = Message::parse(b"Content-Disposition: attachment; filename=a.txt\r\n\r\n");
    /// let disposition = message.root().content_disposition().unwrap();
    /// assert_eq!(disposition.kind(), DispositionKind::Attachment);
    /// ```
    #[must_use]
    pub fn content_disposition(&self) -> Option<ContentDisposition<'a>> {
        let field = self.header.get("Content-Disposition")?;
        Some(ContentDisposition::parse(field.raw_value()))
    }

    /// The file name: the `filename` parameter of `Content-Disposition`,
    /// else the `name` parameter of `Content-Type` (older mailers), decoded
    /// (RFC 2231 or RFC 2047). Callers that save a file must sanitise it.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Content-Type: image/png; name=\"dot.png\"\r\n\r\n");
    /// assert_eq!(message.root().filename().as_deref(), Some("dot.png"));
    /// ```
    #[must_use]
    pub fn filename(&self) -> Option<Cow<'a, str>> {
        self.content_disposition()
            .and_then(|cd| cd.filename())
            .or_else(|| self.content_type.name())
    }

    /// The `Content-Transfer-Encoding` (RFC 2045 section 6): `7bit` when
    /// the field is absent, `None` for a value that is not one of the five
    /// standard mechanisms (the body is then left as it is, RFC 2045
    /// section 6.4).
    ///
    /// ```
    /// use mailwire_core::encoding::TransferEncoding;
    /// use mailwire_message::Message;
    ///
    /// let message = Message::parse(b"Content-Transfer-Encoding: BASE64\r\n\r\n");
    /// assert_eq!(message.root().transfer_encoding(), Some(TransferEncoding::Base64));
    /// let message = Message::parse(b"Content-Transfer-Encoding: x-uuencode\r\n\r\n");
    /// assert_eq!(message.root().transfer_encoding(), None);
    /// ```
    #[must_use]
    pub fn transfer_encoding(&self) -> Option<TransferEncoding> {
        self.transfer_encoding
    }

    /// What the part holds: a single body, a multipart body or a message.
    #[must_use]
    pub fn content(&self) -> &Content<'a> {
        &self.content
    }

    /// The parts of a multipart body (empty for any other part).
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\n";
    /// let message = Message::parse(raw);
    /// let bodies: Vec<_> = message.root().parts().iter().map(|p| p.body()).collect();
    /// assert_eq!(bodies, [b"one", b"two"]);
    /// ```
    #[must_use]
    pub fn parts(&self) -> &[Part<'a>] {
        match &self.content {
            Content::Multipart(multipart) => &multipart.parts,
            _ => &[],
        }
    }

    /// The attached message of a `message/rfc822` part.
    #[must_use]
    pub fn attached_message(&self) -> Option<&Part<'a>> {
        match &self.content {
            Content::Message(message) => Some(message),
            _ => None,
        }
    }

    /// Whether the part holds a single body (no multipart, no message).
    #[must_use]
    pub fn is_single(&self) -> bool {
        matches!(self.content, Content::Single)
    }

    /// Every part in depth-first order, this one first, descending into
    /// multiparts and attached messages.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b--\r\n";
    /// let message = Message::parse(raw);
    /// assert_eq!(message.root().walk().count(), 2);
    /// assert_eq!(message.root().leaves().count(), 1);
    /// ```
    pub fn walk(&self) -> Walk<'_, 'a> {
        Walk { stack: vec![self] }
    }

    /// The single-body parts, depth-first ([`walk`](Self::walk) without the
    /// containers).
    pub fn leaves(&self) -> impl Iterator<Item = &Part<'a>> {
        self.walk().filter(|part| part.is_single())
    }

    /// The body with its transfer encoding removed. Borrowed for `7bit`,
    /// `8bit`, `binary` and unknown encodings; decoded leniently (RFC 2045:
    /// characters outside the alphabet are skipped, bad escapes kept) for
    /// base64 and quoted-printable.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Content-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n");
    /// assert_eq!(&*message.root().decoded_body(), b"hello");
    /// ```
    #[must_use]
    pub fn decoded_body(&self) -> Cow<'a, [u8]> {
        match self.transfer_encoding() {
            Some(encoding) => encoding.decode(self.body()),
            None => Cow::Borrowed(self.body()),
        }
    }

    /// Appends the decoded body to `out` (to reuse one buffer for many
    /// parts) and returns how many bytes were added.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db");
    /// let mut out = Vec::new();
    /// assert_eq!(message.root().decode_body_into(&mut out), 3);
    /// assert_eq!(out, b"a=b");
    /// ```
    pub fn decode_body_into(&self, out: &mut Vec<u8>) -> usize {
        let before = out.len();
        let body = self.body();
        match self.transfer_encoding() {
            Some(TransferEncoding::Base64) => {
                // Lenient decoding never fails.
                let _ = mailwire_core::encoding::base64::decode_to(body, out);
            }
            Some(TransferEncoding::QuotedPrintable) => {
                let _ = mailwire_core::encoding::qp::decode_to(body, out);
            }
            _ => out.extend_from_slice(body),
        }
        out.len() - before
    }

    /// The body decoded to text: transfer encoding removed, then the
    /// `charset` parameter applied through encoding_rs (WHATWG labels, so
    /// `us-ascii` and `iso-8859-1` read as windows-1252). With no charset
    /// parameter, UTF-8 when the bytes are valid UTF-8, else windows-1252.
    /// An unknown charset falls back the same way. Malformed sequences
    /// become U+FFFD. Line endings are kept as they are.
    ///
    /// Meant for `text/*` parts, but works on any single part; `None` for
    /// multipart and message parts.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let raw = b"Content-Type: text/plain; charset=iso-8859-1\r\n\
    ///             Content-Transfer-Encoding: quoted-printable\r\n\r\nd=E9j=E0 vu";
    /// let message = Message::parse(raw);
    /// assert_eq!(message.root().text().as_deref(), Some("d\u{e9}j\u{e0} vu"));
    /// ```
    #[must_use]
    pub fn text(&self) -> Option<Cow<'a, str>> {
        if !self.is_single() {
            return None;
        }
        let label = self
            .declared_type
            .then(|| self.content_type.charset())
            .flatten();
        Some(decode_text(label.as_deref(), self.decoded_body()))
    }

    /// Every defect this part's content holds that parsing the structure
    /// does not look for: an unknown transfer encoding, base64 or
    /// quoted-printable that a strict decoder refuses, an unknown charset.
    /// Used by [`Message::validate`](crate::Message::validate).
    pub(crate) fn body_defects(&self, defects: &mut Vec<Defect>) {
        let field = self.header.get("Content-Transfer-Encoding");
        let encoding = self.transfer_encoding();
        match (field, encoding) {
            (Some(field), None) => defects.push(Defect::new(
                field.value_offset(),
                DefectKind::UnknownTransferEncoding,
            )),
            (_, Some(TransferEncoding::Base64)) if self.is_single() => {
                let mut decoder = Base64Decoder::with_strictness(Strictness::Strict);
                let result = strict_decode(self.body(), |chunk, out| decoder.decode(chunk, out))
                    .and_then(|mut sink| decoder.finish(&mut sink));
                self.note_decode_error(result, DefectKind::InvalidBase64, defects);
            }
            (_, Some(TransferEncoding::QuotedPrintable)) if self.is_single() => {
                let mut decoder = QpDecoder::with_strictness(Strictness::Strict);
                let result = strict_decode(self.body(), |chunk, out| decoder.decode(chunk, out))
                    .and_then(|mut sink| decoder.finish(&mut sink));
                self.note_decode_error(result, DefectKind::InvalidQuotedPrintable, defects);
            }
            _ => {}
        }
        if let Some(label) = self.content_type.charset()
            && self.content_type.main_type() == "text"
            && !charset::is_known(label.as_bytes())
        {
            let at = self
                .header
                .get("Content-Type")
                .map_or(self.offset, |f| f.value_offset());
            defects.push(Defect::new(at, DefectKind::UnknownCharset));
        }
    }
}

impl Part<'_> {
    /// Records a strict decoder's error as a defect at its place in the body.
    fn note_decode_error(
        &self,
        result: Result<(), mailwire_core::Error>,
        kind: DefectKind,
        defects: &mut Vec<Defect>,
    ) {
        if let Err(error) = result {
            defects.push(Defect::new(self.body_offset() + error.offset(), kind));
        }
    }
}

/// Runs a strict decoder over `body`, returning its output buffer.
fn strict_decode(
    body: &[u8],
    mut decode: impl FnMut(&[u8], &mut Vec<u8>) -> Result<(), mailwire_core::Error>,
) -> Result<Vec<u8>, mailwire_core::Error> {
    let mut sink = Vec::new();
    decode(body, &mut sink)?;
    Ok(sink)
}

/// Decodes body bytes to text with an optional charset label (see
/// [`Part::text`]). An owned buffer that already is the text (UTF-8, or
/// ASCII under an ASCII-compatible charset) becomes the `String` without a
/// second copy.
fn decode_text<'a>(label: Option<&str>, bytes: Cow<'a, [u8]>) -> Cow<'a, str> {
    let encoding = label.and_then(|label| charset::lookup(label.as_bytes()));
    let decode = |bytes: &[u8]| match encoding {
        Some(encoding) => encoding.decode_without_bom_handling(bytes).0.into_owned(),
        None => charset::decode_8bit_header(bytes).0.into_owned(),
    };
    match bytes {
        Cow::Borrowed(bytes) => match encoding {
            Some(encoding) => encoding.decode_without_bom_handling(bytes).0,
            None => charset::decode_8bit_header(bytes).0,
        },
        Cow::Owned(bytes) => {
            let is_text = encoding.is_none_or(|encoding| {
                encoding == encoding_rs::UTF_8
                    || (encoding.is_ascii_compatible() && bytes.is_ascii())
            });
            if !is_text {
                return Cow::Owned(decode(&bytes));
            }
            match String::from_utf8(bytes) {
                Ok(text) => Cow::Owned(text),
                Err(error) => Cow::Owned(decode(error.as_bytes())),
            }
        }
    }
}

/// A structured value without its comments and white space, for the
/// one-token fields such as `Content-Transfer-Encoding: base64 (note)`.
pub(crate) fn strip_comments(value: &[u8]) -> &[u8] {
    let end = value
        .iter()
        .position(|&b| b == b'(' || b == b';')
        .unwrap_or(value.len());
    value[..end].trim_ascii()
}

/// Depth-first iterator over a part and everything inside it; see
/// [`Part::walk`].
#[derive(Debug, Clone)]
pub struct Walk<'p, 'a> {
    stack: Vec<&'p Part<'a>>,
}

impl<'p, 'a> Iterator for Walk<'p, 'a> {
    type Item = &'p Part<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let part = self.stack.pop()?;
        match &part.content {
            Content::Single => {}
            Content::Multipart(multipart) => self.stack.extend(multipart.parts.iter().rev()),
            Content::Message(message) => self.stack.push(message),
        }
        Some(part)
    }
}
