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
    CLASSES[b as usize] & ATOM != 0
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials`.
#[must_use]
pub const fn is_astring_char(b: u8) -> bool {
    CLASSES[b as usize] & ASTRING != 0
}

/// A tag character: `<any ASTRING-CHAR except "+">`.
#[must_use]
pub const fn is_tag_char(b: u8) -> bool {
    CLASSES[b as usize] & TAG != 0
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

// The classes as one table, looked up once per byte in the scanners'
// hot loops (a match on ranges costs several compares per byte).
const ATOM: u8 = 1;
const ASTRING: u8 = 2;
const TAG: u8 = 4;
const QUOTED_STOP: u8 = 8;
const NAME: u8 = 16;

const fn atom_rule(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut class = 0;
        if atom_rule(b) {
            class |= ATOM;
        }
        if atom_rule(b) || b == b']' {
            class |= ASTRING;
            if b != b'+' {
                class |= TAG;
            }
        }
        if matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0) {
            class |= QUOTED_STOP;
        }
        if b.is_ascii_alphanumeric() || b == b'-' {
            class |= NAME;
        }
        table[i] = class;
        i += 1;
    }
    table
};

/// Where a run of quoted-string characters stops: `"`, `\`, CR, LF or
/// NUL.
pub(crate) const fn is_quoted_stop(b: u8) -> bool {
    CLASSES[b as usize] & QUOTED_STOP != 0
}

/// Whether `input` equals `lower` ignoring ASCII case, where `lower`
/// holds lowercase ASCII letters only. Setting bit 0x20 maps an octet
/// onto a lowercase letter only when it is that letter in either case,
/// so one OR per octet and no early exit (the compiler unrolls it) is
/// exact for such names.
pub(crate) fn eq_letters_ignore_case(input: &[u8], lower: &[u8]) -> bool {
    input.len() == lower.len()
        && input
            .iter()
            .zip(lower)
            .fold(0u8, |acc, (&a, &b)| acc | ((a | 0x20) ^ b))
            == 0
}

/// A keyword or item name octet: a letter, a digit or `-`.
pub(crate) const fn is_name_char(b: u8) -> bool {
    CLASSES[b as usize] & NAME != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folded compare agrees with `eq_ignore_ascii_case` for
    /// every octet against every lowercase letter.
    #[test]
    fn letters_compare_is_exact() {
        for b in 0..=255u8 {
            for l in b'a'..=b'z' {
                assert_eq!(
                    eq_letters_ignore_case(&[b], &[l]),
                    b.eq_ignore_ascii_case(&l),
                    "{b} {l}"
                );
            }
        }
        assert!(eq_letters_ignore_case(b"UidNext", b"uidnext"));
        assert!(!eq_letters_ignore_case(b"UidNex", b"uidnext"));
    }

    /// The table agrees with the grammar's rules for every octet.
    #[test]
    fn table_matches_rules() {
        for b in 0..=255u8 {
            assert_eq!(is_atom_char(b), atom_rule(b), "{b}");
            assert_eq!(is_astring_char(b), atom_rule(b) || b == b']', "{b}");
            assert_eq!(
                is_tag_char(b),
                (atom_rule(b) || b == b']') && b != b'+',
                "{b}"
            );
            assert_eq!(is_name_char(b), b.is_ascii_alphanumeric() || b == b'-');
            assert_eq!(
                is_quoted_stop(b),
                matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0),
                "{b}"
            );
        }
    }
}
