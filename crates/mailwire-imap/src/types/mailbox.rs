//! Mailbox names: `INBOX` case-insensitivity and modified UTF-7
//! (RFC 3501 section 5.1.3).

use std::borrow::Cow;

use super::AString;

/// A mailbox name: `mailbox = "INBOX" / astring`.
///
/// RFC 3501 section 5.1: "The case-insensitive mailbox name INBOX is a
/// special name reserved to mean 'the primary mailbox for this user'", so
/// any casing of `INBOX` parses as [`Mailbox::Inbox`]. Other names keep
/// their octets as written (modified UTF-7 for IMAP4rev1, UTF-8 under
/// IMAP4rev2 / `UTF8=ACCEPT`); see [`Mailbox::from_utf8`] and
/// [`Mailbox::to_utf8`].
///
/// ```
/// use mailwire_imap::types::Mailbox;
/// assert_eq!(Mailbox::from("inbox"), Mailbox::Inbox);
/// let name = Mailbox::from_utf8("Entwürfe");
/// assert_eq!(name.as_bytes(), b"Entw&APw-rfe");
/// assert_eq!(name.to_utf8().as_deref(), Some("Entwürfe"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mailbox<'a> {
    /// `INBOX`, whatever its case on the wire.
    Inbox,
    /// Any other name, as octets on the wire.
    Other(AString<'a>),
}

impl<'a> Mailbox<'a> {
    /// A mailbox from its wire octets (`INBOX` folded).
    #[must_use]
    pub fn new(name: AString<'a>) -> Self {
        if name.as_bytes().eq_ignore_ascii_case(b"INBOX") {
            Self::Inbox
        } else {
            Self::Other(name)
        }
    }

    /// A mailbox from a Unicode name, written in modified UTF-7 (the
    /// IMAP4rev1 form).
    #[must_use]
    pub fn from_utf8(name: &str) -> Mailbox<'static> {
        Mailbox::new(AString::from(encode_utf7(name)))
    }

    /// The wire octets (`INBOX` for the inbox).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inbox => b"INBOX",
            Self::Other(name) => name.as_bytes(),
        }
    }

    /// The name decoded from modified UTF-7; `None` when the octets are
    /// not valid modified UTF-7 (a name written as UTF-8 under
    /// IMAP4rev2 can be read with [`AString::to_str`]).
    #[must_use]
    pub fn to_utf8(&self) -> Option<Cow<'_, str>> {
        decode_utf7(self.as_bytes())
    }

    /// An owned copy.
    #[must_use]
    pub fn into_owned(self) -> Mailbox<'static> {
        match self {
            Self::Inbox => Mailbox::Inbox,
            Self::Other(name) => Mailbox::Other(name.into_owned()),
        }
    }
}

impl<'a> From<&'a str> for Mailbox<'a> {
    fn from(value: &'a str) -> Self {
        Self::new(AString::from(value))
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn b64_value(b: u8) -> Option<u32> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b',' => 63,
        _ => return None,
    } as u32)
}

/// Writes `name` in modified UTF-7 (RFC 3501 section 5.1.3): printable
/// ASCII stands for itself, `&` becomes `&-`, anything else is UTF-16
/// in modified base64 between `&` and `-`.
///
/// ```
/// use mailwire_imap::types::encode_utf7;
/// assert_eq!(encode_utf7("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
/// assert_eq!(encode_utf7("A&B"), "A&-B");
/// ```
#[must_use]
pub fn encode_utf7(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut units: Vec<u16> = Vec::new();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        if units.is_empty() {
            return;
        }
        out.push('&');
        let mut bits: u32 = 0;
        let mut nbits = 0;
        for &unit in units.iter() {
            bits = (bits << 16) | u32::from(unit);
            nbits += 16;
            while nbits >= 6 {
                nbits -= 6;
                out.push(B64[((bits >> nbits) & 63) as usize] as char);
            }
            bits &= (1 << nbits) - 1;
        }
        if nbits > 0 {
            out.push(B64[((bits << (6 - nbits)) & 63) as usize] as char);
        }
        out.push('-');
        units.clear();
    };
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut units, &mut out);
            out.push(ch);
            if ch == '&' {
                out.push('-');
            }
        } else {
            let mut buf = [0u16; 2];
            units.extend_from_slice(ch.encode_utf16(&mut buf));
        }
    }
    flush(&mut units, &mut out);
    out
}

/// Reads a modified UTF-7 name (RFC 3501 section 5.1.3). Borrowed when
/// it holds no `&` shift; `None` when it is not valid modified UTF-7
/// (a non-printable or 8-bit octet, a bad shift, a shift that encodes
/// printable ASCII, broken surrogates, non-zero padding bits).
///
/// ```
/// use mailwire_imap::types::decode_utf7;
/// assert_eq!(decode_utf7(b"&U,BTFw-").as_deref(), Some("台北"));
/// assert_eq!(decode_utf7(b"Sent").as_deref(), Some("Sent"));
/// assert_eq!(decode_utf7(b"&-").as_deref(), Some("&"));
/// assert!(decode_utf7(b"&AGE-").is_none()); // "a" must be written plainly
/// ```
#[must_use]
pub fn decode_utf7(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return None;
    }
    if !bytes.contains(&b'&') {
        return core::str::from_utf8(bytes).ok().map(Cow::Borrowed);
    }
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let end = i + 1 + memchr::memchr(b'-', &bytes[i + 1..])?;
        let run = &bytes[i + 1..end];
        if run.is_empty() {
            out.push('&');
        } else {
            let mut units = Vec::with_capacity(run.len() * 6 / 16);
            let mut bits: u32 = 0;
            let mut nbits = 0;
            for &c in run {
                bits = (bits << 6) | b64_value(c)?;
                nbits += 6;
                if nbits >= 16 {
                    nbits -= 16;
                    units.push((bits >> nbits) as u16);
                    bits &= (1 << nbits) - 1;
                }
            }
            // Leftover bits are padding: fewer than 6 and all zero.
            if nbits >= 6 || bits != 0 || units.is_empty() {
                return None;
            }
            for ch in char::decode_utf16(units.iter().copied()) {
                let ch = ch.ok()?;
                if (' '..='~').contains(&ch) {
                    return None;
                }
                out.push(ch);
            }
        }
        i = end + 1;
    }
    Some(Cow::Owned(out))
}
