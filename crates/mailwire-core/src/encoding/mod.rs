//! Content-Transfer-Encodings (RFC 2045 section 6): base64 and
//! quoted-printable, streaming decoders and line-wrapping encoders.
//!
//! | module | what it does |
//! |---|---|
//! | [`base64`] | [`Base64Decoder`] (RFC 2045 section 6.8, RFC 4648), [`Base64Encoder`], one-shot [`base64::decode`] and [`encode_wrapped`](self::base64::encode_wrapped) |
//! | [`qp`] | [`QpDecoder`] and [`QpEncoder`] (RFC 2045 section 6.7), one-shot [`qp::decode`] and [`qp::encode`] |
//! | this module | the [`TransferEncoding`] header value, [`choose`] (which encoding a writer should use), [`Strictness`] |
//!
//! # Decoding
//!
//! Mail in the wild is often slightly broken, so the decoders are
//! [`Strictness::Lenient`] by default: they never fail, they skip what
//! RFC 2045 tells a robust decoder to skip and keep what they cannot
//! understand. [`Strictness::Strict`] reports the first deviation from the
//! RFC as an [`Error`](crate::Error) with its byte offset instead.
//!
//! The streaming decoders take the body in chunks of any size, such as the
//! `Bytes` chunks of an SMTP `DATA` payload or an IMAP literal: the output is
//! the same however the input is split, and memory stays bounded.
//!
//! ```
//! use mailwire_core::encoding::{Base64Decoder, QpDecoder, TransferEncoding};
//!
//! // The whole body at once; borrowed when there is nothing to decode.
//! let te = TransferEncoding::parse(b"Quoted-Printable").unwrap();
//! assert_eq!(&*te.decode(b"caf=C3=A9 cr=C3=A8me=\r\n br=C3=BBl=C3=A9e"), "café crème brûlée".as_bytes());
//!
//! // A body that arrives in pieces.
//! let mut decoder = Base64Decoder::new();
//! let mut text = Vec::new();
//! for chunk in [&b"SGVsbG8s"[..], b"IHdv\r", b"\ncmxkIQ="] {
//!     decoder.decode(chunk, &mut text)?;
//! }
//! decoder.finish(&mut text)?;
//! assert_eq!(text, b"Hello, world!");
//!
//! let mut qp = QpDecoder::new();
//! let mut out = Vec::new();
//! qp.decode(b"na=", &mut out)?;
//! qp.decode(b"C3=AFve", &mut out)?;
//! qp.finish(&mut out)?;
//! assert_eq!(out, "naïve".as_bytes());
//! # Ok::<(), mailwire_core::Error>(())
//! ```
//!
//! # Encoding
//!
//! ```
//! use mailwire_core::encoding::{self, qp, TransferEncoding};
//!
//! let body = "Grüße aus Köln\r\n".as_bytes();
//! let mut out = Vec::new();
//! qp::encode(body, qp::Mode::Text, &mut out);
//! assert_eq!(out, b"Gr=C3=BC=C3=9Fe aus K=C3=B6ln\r\n");
//!
//! let mut out = Vec::new();
//! encoding::base64::encode_wrapped(&[0xff; 60], 76, &mut out);
//! assert_eq!(out.len(), 76 + 2 + 4);
//!
//! // Which one? Mostly-ASCII text reads best as quoted-printable.
//! let text = "Liebe Grüße aus Köln, wo es heute regnet.\r\n".as_bytes();
//! assert_eq!(encoding::choose(text), TransferEncoding::QuotedPrintable);
//! assert_eq!(encoding::choose(&[0x80; 64]), TransferEncoding::Base64);
//! ```

pub mod base64;
mod base64_simd;
pub mod qp;

use std::borrow::Cow;
use std::fmt;

pub use self::base64::{Base64Decoder, Base64Encoder};
pub use self::qp::{QpDecoder, QpEncoder};

/// How a decoder treats input that breaks the rules.
///
/// ```
/// use mailwire_core::encoding::{Base64Decoder, Strictness};
///
/// assert_eq!(Strictness::default(), Strictness::Lenient);
/// let mut strict = Base64Decoder::with_strictness(Strictness::Strict);
/// let err = strict.decode(b"QUJD RA==", &mut Vec::new()).unwrap_err();
/// assert_eq!(err.offset(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Strictness {
    /// Never fail: skip or keep what is malformed, as RFC 2045 advises a
    /// robust decoder to do. Each decoder documents exactly what it does.
    #[default]
    Lenient,
    /// Fail with the offset of the first byte that RFC 2045 does not allow.
    Strict,
}

impl Strictness {
    #[inline]
    pub(crate) const fn is_strict(self) -> bool {
        matches!(self, Self::Strict)
    }
}

/// A `Content-Transfer-Encoding` mechanism (RFC 2045 section 6.1).
///
/// The default is [`SevenBit`](Self::SevenBit), the value to assume when the
/// header is absent.
///
/// ```
/// use mailwire_core::encoding::TransferEncoding;
///
/// let te = TransferEncoding::parse(b" BASE64 ").unwrap();
/// assert_eq!(te, TransferEncoding::Base64);
/// assert_eq!(te.to_string(), "base64");
/// assert_eq!(TransferEncoding::parse(b"x-uuencode"), None);
/// assert_eq!(TransferEncoding::default(), TransferEncoding::SevenBit);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TransferEncoding {
    /// `7bit`: short lines of US-ASCII, no encoding applied.
    #[default]
    SevenBit,
    /// `8bit`: short lines that may hold octets above 127, no encoding applied.
    EightBit,
    /// `binary`: any octets, no encoding applied.
    Binary,
    /// `quoted-printable` (RFC 2045 section 6.7).
    QuotedPrintable,
    /// `base64` (RFC 2045 section 6.8).
    Base64,
}

impl TransferEncoding {
    /// Parses a mechanism name, ignoring ASCII case and surrounding
    /// whitespace. Returns `None` for `x-token`s and unknown names, which
    /// RFC 2045 section 6.4 says to treat as `application/octet-stream`.
    ///
    /// ```
    /// use mailwire_core::encoding::TransferEncoding;
    ///
    /// assert_eq!(TransferEncoding::parse(b"7BIT"), Some(TransferEncoding::SevenBit));
    /// assert_eq!(TransferEncoding::parse(b"8bit"), Some(TransferEncoding::EightBit));
    /// assert_eq!(TransferEncoding::parse(b"binary"), Some(TransferEncoding::Binary));
    /// assert_eq!(
    ///     TransferEncoding::parse(b"quoted-printable"),
    ///     Some(TransferEncoding::QuotedPrintable)
    /// );
    /// assert_eq!(TransferEncoding::parse(b"quoted printable"), None);
    /// ```
    #[must_use]
    pub fn parse(name: &[u8]) -> Option<Self> {
        let name = name.trim_ascii();
        [
            Self::SevenBit,
            Self::EightBit,
            Self::Binary,
            Self::QuotedPrintable,
            Self::Base64,
        ]
        .into_iter()
        .find(|te| te.as_str().as_bytes().eq_ignore_ascii_case(name))
    }

    /// The canonical (lowercase) mechanism name.
    ///
    /// ```
    /// use mailwire_core::encoding::TransferEncoding;
    /// assert_eq!(TransferEncoding::QuotedPrintable.as_str(), "quoted-printable");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SevenBit => "7bit",
            Self::EightBit => "8bit",
            Self::Binary => "binary",
            Self::QuotedPrintable => "quoted-printable",
            Self::Base64 => "base64",
        }
    }

    /// Whether the body is carried as is (`7bit`, `8bit`, `binary`).
    ///
    /// ```
    /// use mailwire_core::encoding::TransferEncoding;
    /// assert!(TransferEncoding::EightBit.is_identity());
    /// assert!(!TransferEncoding::Base64.is_identity());
    /// ```
    #[must_use]
    pub const fn is_identity(self) -> bool {
        matches!(self, Self::SevenBit | Self::EightBit | Self::Binary)
    }

    /// Decodes a whole body leniently ([`Strictness::Lenient`], which never
    /// fails). Identity encodings borrow the input.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use mailwire_core::encoding::TransferEncoding;
    ///
    /// assert!(matches!(TransferEncoding::SevenBit.decode(b"hi"), Cow::Borrowed(b"hi")));
    /// assert_eq!(&*TransferEncoding::Base64.decode(b"aGk="), b"hi");
    /// assert_eq!(&*TransferEncoding::QuotedPrintable.decode(b"h=69"), b"hi");
    /// ```
    #[must_use]
    pub fn decode(self, body: &[u8]) -> Cow<'_, [u8]> {
        match self {
            Self::SevenBit | Self::EightBit | Self::Binary => Cow::Borrowed(body),
            Self::QuotedPrintable => {
                let mut out = Vec::with_capacity(body.len());
                let mut decoder = QpDecoder::new();
                // Lenient decoders never fail.
                let _ = decoder.decode(body, &mut out);
                let _ = decoder.finish(&mut out);
                Cow::Owned(out)
            }
            Self::Base64 => Cow::Owned(self::base64::decode(body).unwrap_or_default()),
        }
    }
}

impl fmt::Display for TransferEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Picks the encoding a writer should use for `content` on a 7-bit
/// transport: [`SevenBit`](TransferEncoding::SevenBit),
/// [`QuotedPrintable`](TransferEncoding::QuotedPrintable) or
/// [`Base64`](TransferEncoding::Base64).
///
/// The rule, in one pass over the bytes:
///
/// 1. `7bit` when the content already is 7bit data (RFC 2045 section 2.7):
///    no octet above 127, no NUL, CR and LF only as CRLF pairs, lines of at
///    most 998 octets. Empty content is `7bit`.
/// 2. Otherwise quoted-printable when at most one byte in six must be
///    escaped (three bytes each instead of one), else base64. With `e`
///    escaped bytes out of `n`, QP costs about `n + 2e` and base64 `4n/3`, so
///    QP is chosen while it is no bigger than base64 and stays readable.
///    Escaped bytes are those [`qp::encode`] in [`qp::Mode::Text`] escapes
///    for their value: `=`, octets above 126, controls other than TAB, and CR
///    or LF not part of a CRLF pair.
///
/// ```
/// use mailwire_core::encoding::{choose, TransferEncoding};
///
/// assert_eq!(choose(b"Hello\r\nWorld\r\n"), TransferEncoding::SevenBit);
/// assert_eq!(choose("Prix : 10 € TTC, livraison comprise.\r\n".as_bytes()), TransferEncoding::QuotedPrintable);
/// assert_eq!(choose(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), TransferEncoding::Base64);
/// assert_eq!(choose(b"bare\nLF"), TransferEncoding::QuotedPrintable);
/// ```
#[must_use]
pub fn choose(content: &[u8]) -> TransferEncoding {
    let mut escaped = 0usize;
    let mut seven_bit = true;
    let mut line_len = 0usize;
    let mut i = 0;
    while i < content.len() {
        let b = content[i];
        match b {
            b'\r' if content.get(i + 1) == Some(&b'\n') => {
                line_len = 0;
                i += 2;
                continue;
            }
            b'\t' | b' ' => line_len += 1,
            b'=' => {
                escaped += 1;
                line_len += 1;
            }
            33..=126 => line_len += 1,
            1..=127 => {
                // Other controls, bare CR and bare LF.
                escaped += 1;
                line_len += 1;
                if b == b'\r' || b == b'\n' {
                    seven_bit = false;
                }
            }
            _ => {
                escaped += 1;
                seven_bit = false;
            }
        }
        if line_len > 998 {
            seven_bit = false;
        }
        i += 1;
    }
    if seven_bit {
        TransferEncoding::SevenBit
    } else if escaped <= content.len() / 6 {
        TransferEncoding::QuotedPrintable
    } else {
        TransferEncoding::Base64
    }
}
