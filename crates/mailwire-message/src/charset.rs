//! Charset labels to text, through encoding_rs (WHATWG Encoding Standard
//! labels, which cover the IANA names mail uses).
//!
//! Labels are looked up as the WHATWG Encoding Standard says, which is what
//! browsers and most mail readers do: ASCII case and surrounding white space
//! are ignored, `us-ascii` and `iso-8859-1` mean windows-1252 (a superset),
//! `gb2312` means GBK, `ks_c_5601-1987` means EUC-KR, and so on.
//!
//! Two departures, both made for mail:
//!
//! - The WHATWG "replacement" labels (`iso-2022-kr`, `hz-gb-2312`, ...) are
//!   treated as unknown, so the text is still readable instead of becoming
//!   a single U+FFFD.
//! - An unknown label is reported, and the bytes are decoded as UTF-8 when
//!   they are valid UTF-8, else as windows-1252 (Latin-1 with printable
//!   characters in 0x80-0x9F), which never fails.

use std::borrow::Cow;

use encoding_rs::{Encoding, REPLACEMENT, WINDOWS_1252};

/// The encoding for `label`, or `None` when the label is unknown (or one of
/// the WHATWG "replacement" labels).
pub(crate) fn lookup(label: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_label(label).filter(|e| *e != REPLACEMENT)
}

/// Whether `label` names a charset that [`decode`] knows.
///
/// ```
/// use mailwire_message::charset::is_known;
/// assert!(is_known(b"ISO-8859-1"));
/// assert!(is_known(b" utf-8 "));
/// assert!(!is_known(b"x-unknown"));
/// ```
#[must_use]
pub fn is_known(label: &[u8]) -> bool {
    lookup(label).is_some()
}

/// Whether two labels name the same charset (for unknown labels: the same
/// label, ASCII case ignored).
///
/// ```
/// use mailwire_message::charset::same_charset;
/// assert!(same_charset(b"utf-8", b"UTF8"));
/// assert!(same_charset(b"latin1", b"ISO-8859-1"));
/// assert!(!same_charset(b"utf-8", b"iso-8859-1"));
/// assert!(same_charset(b"x-foo", b"X-FOO"));
/// ```
#[must_use]
pub fn same_charset(a: &[u8], b: &[u8]) -> bool {
    match (lookup(a), lookup(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.trim_ascii().eq_ignore_ascii_case(b.trim_ascii()),
        _ => false,
    }
}

/// Decodes `bytes` in the charset named by `label`; returns the text and
/// whether the label was known.
///
/// Malformed sequences become U+FFFD. The text is borrowed from `bytes`
/// when no conversion is needed: the bytes are ASCII and the charset is
/// ASCII-compatible, or the charset is UTF-8 and the bytes are valid UTF-8.
///
/// An unknown label gives `false` and the fallback described in the
/// [module documentation](self): UTF-8 if valid, else windows-1252.
///
/// ```
/// use std::borrow::Cow;
/// use mailwire_message::charset::decode;
///
/// assert_eq!(decode(b"ISO-8859-1", b"Andr\xe9"), (Cow::Borrowed("Andr\u{e9}"), true));
/// let (text, known) = decode(b"utf-8", "caf\u{e9}".as_bytes());
/// assert!(matches!(text, Cow::Borrowed("caf\u{e9}")) && known);
/// assert_eq!(decode(b"shift_jis", b"\x93\xfa\x96\x7b"), (Cow::Borrowed("\u{65e5}\u{672c}"), true));
/// assert_eq!(decode(b"x-klingon", b"Andr\xe9"), (Cow::Borrowed("Andr\u{e9}"), false));
/// ```
#[must_use]
pub fn decode<'a>(label: &[u8], bytes: &'a [u8]) -> (Cow<'a, str>, bool) {
    match lookup(label) {
        Some(encoding) => (encoding.decode_without_bom_handling(bytes).0, true),
        None => (decode_8bit_header(bytes).0, false),
    }
}

/// Decodes raw 8-bit header text: UTF-8 when it is valid UTF-8 (RFC 6532),
/// else windows-1252 (the usual legacy fallback). Returns the text and
/// whether it was valid UTF-8. Borrowed when it was.
///
/// ```
/// use std::borrow::Cow;
/// use mailwire_message::charset::decode_8bit_header;
///
/// let (text, utf8) = decode_8bit_header("J\u{f8}rn".as_bytes());
/// assert!(matches!(text, Cow::Borrowed("J\u{f8}rn")) && utf8);
/// assert_eq!(decode_8bit_header(b"J\xf8rn \x80"), (Cow::Owned("J\u{f8}rn \u{20ac}".to_owned()), false));
/// ```
#[must_use]
pub fn decode_8bit_header(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match core::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), true),
        Err(_) => (WINDOWS_1252.decode_without_bom_handling(bytes).0, false),
    }
}
