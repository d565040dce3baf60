//! Atoms and dot-atoms, RFC 5322 section 3.2.3 (and RFC 5321 `Atom`,
//! `Dot-string`).

use super::cfws::skip_cfws_quiet;
use super::class::is_atext;
use super::{TokenOptions, err_at, non_ascii, str_at};
use crate::Result;

/// Skips `*atext` (with `UTF8-non-ascii` when allowed) from `i`.
#[inline]
pub(crate) fn atext_run(input: &[u8], mut i: usize, opts: TokenOptions) -> Result<usize> {
    while let Some(&b) = input.get(i) {
        if is_atext(b) {
            i += 1;
        } else if b >= 0x80 && opts.utf8 {
            i += non_ascii(input, i, opts, "atext")?;
        } else {
            break;
        }
    }
    Ok(i)
}

/// Parses `1*atext *("." 1*atext)` from `i`; returns the end.
pub(crate) fn dot_atom_text_at(input: &[u8], i: usize, opts: TokenOptions) -> Result<usize> {
    let mut j = atext_run(input, i, opts)?;
    if j == i {
        return Err(err_at(input, i, "atext"));
    }
    while input.get(j) == Some(&b'.') {
        let k = atext_run(input, j + 1, opts)?;
        if k == j + 1 {
            return Err(err_at(input, k, "atext"));
        }
        j = k;
    }
    Ok(j)
}

/// Parses an `atom` at the start of `input`, surrounding CFWS included;
/// returns the atom's text (without the CFWS) and the number of bytes
/// consumed (CFWS included).
///
/// RFC 5322 section 3.2.3, with RFC 6532 section 3.2 `atext =/
/// UTF8-non-ascii` when [`TokenOptions::utf8`] is on:
///
/// ```text
/// atom            =   [CFWS] 1*atext [CFWS]
/// ```
///
/// The RFC 5321 `Atom = 1*atext` has no CFWS; parse it with
/// [`dot_atom_text`] and reject a `.` in the result, or use
/// [`TokenOptions::SMTP`] with this function on input without white space.
///
/// ```
/// use mailwire_core::token::{atom, TokenOptions};
///
/// let (text, n) = atom(b" (c) hello (d) world", TokenOptions::MESSAGE).unwrap();
/// assert_eq!((text, n), ("hello", 15));
/// assert!(atom(b"@", TokenOptions::MESSAGE).is_err());
/// ```
pub fn atom(input: &[u8], opts: TokenOptions) -> Result<(&str, usize)> {
    let start = skip_cfws_quiet(input, 0, opts)?;
    let end = atext_run(input, start, opts)?;
    if end == start {
        return Err(err_at(input, start, "atext"));
    }
    let text = str_at(input, start, end)?;
    Ok((text, skip_cfws_quiet(input, end, opts)?))
}

/// Parses a `dot-atom-text` at the start of `input` (no CFWS); returns the
/// text and the number of bytes consumed.
///
/// RFC 5322 section 3.2.3 (RFC 6532 adds `UTF8-non-ascii` to `atext` when
/// [`TokenOptions::utf8`] is on):
///
/// ```text
/// dot-atom-text   =   1*atext *("." 1*atext)
/// ```
///
/// This is also RFC 5321's `Dot-string` (section 4.1.2, with RFC 6531's
/// `atext =/ UTF8-non-ascii`):
///
/// ```text
/// Dot-string     = Atom *("."  Atom)
/// Atom           = 1*atext
/// ```
///
/// A `.` must be followed by `atext`: `a..b` and a trailing `a.` are errors
/// (at the byte after the dot; [`Error::incomplete`](crate::Error::incomplete)
/// if the input ends there), not a shorter match.
///
/// ```
/// use mailwire_core::token::{dot_atom_text, TokenOptions};
///
/// let opts = TokenOptions::SMTP;
/// assert_eq!(dot_atom_text(b"john.q.public@x", opts).unwrap(), ("john.q.public", 13));
/// assert_eq!(dot_atom_text(b"a..b", opts).unwrap_err().offset(), 2);
/// assert!(dot_atom_text(b"a.", opts).unwrap_err().is_incomplete());
/// assert!(dot_atom_text("jörg".as_bytes(), opts).is_ok_and(|(t, _)| t == "j"));
/// assert_eq!(dot_atom_text("jörg".as_bytes(), TokenOptions::SMTP_UTF8).unwrap().0, "jörg");
/// ```
pub fn dot_atom_text(input: &[u8], opts: TokenOptions) -> Result<(&str, usize)> {
    let end = dot_atom_text_at(input, 0, opts)?;
    Ok((str_at(input, 0, end)?, end))
}

/// Parses a `dot-atom` at the start of `input`, surrounding CFWS included;
/// returns the `dot-atom-text` and the number of bytes consumed (CFWS
/// included).
///
/// RFC 5322 section 3.2.3:
///
/// ```text
/// dot-atom        =   [CFWS] dot-atom-text [CFWS]
/// ```
///
/// CFWS is allowed only around the whole, not around the dots; that
/// obsolete form is accepted by [`local_part`](super::local_part) and
/// [`domain`](super::domain).
///
/// ```
/// use mailwire_core::token::{dot_atom, TokenOptions};
///
/// let (text, n) = dot_atom(b" example.org (the host)>", TokenOptions::MESSAGE).unwrap();
/// assert_eq!((text, n), ("example.org", 23));
/// ```
pub fn dot_atom(input: &[u8], opts: TokenOptions) -> Result<(&str, usize)> {
    let start = skip_cfws_quiet(input, 0, opts)?;
    let end = dot_atom_text_at(input, start, opts)?;
    let text = str_at(input, start, end)?;
    Ok((text, skip_cfws_quiet(input, end, opts)?))
}
