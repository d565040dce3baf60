//! Byte classes of the IMAP grammar (RFC 3501 section 9, RFC 9051
//! section 9), shared by the parsers, the encoders and the validated
//! newtypes.

/// `CHAR = %x01-7F`, without the atom-specials:
///
/// ```text
/// ATOM-CHAR       = <any CHAR except atom-specials>
/// atom-specials   = "(" / ")" / "{" / SP / CTL / list-wildcards /
///                   quoted-specials / resp-specials
/// list-wildcards  = "%" / "*"
/// quoted-specials = DQUOTE / "\"
/// resp-specials   = "]"
/// ```
#[must_use]
pub const fn is_atom_char(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials`.
#[must_use]
pub const fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// A tag character: `<any ASTRING-CHAR except "+">`.
#[must_use]
pub const fn is_tag_char(b: u8) -> bool {
    is_astring_char(b) && b != b'+'
}

/// `list-char = ATOM-CHAR / list-wildcards / resp-specials`.
#[must_use]
pub const fn is_list_char(b: u8) -> bool {
    is_astring_char(b) || b == b'%' || b == b'*'
}

/// `TEXT-CHAR = <any CHAR except CR and LF>` (and never NUL): what a
/// quoted string may hold, escaping `"` and `\`.
#[must_use]
pub const fn is_quotable(b: u8) -> bool {
    matches!(b, 0x01..=0x7f) && b != b'\r' && b != b'\n'
}
