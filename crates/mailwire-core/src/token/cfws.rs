//! Folding white space and comments, RFC 5322 section 3.2.2.

use core::ops::Range;

use super::class::{is_ctext, is_obs_no_ws_ctl, is_vchar, is_wsp};
use super::{TokenOptions, err_at, non_ascii};
use crate::{Error, ErrorKind, Result};

/// Skips `*WSP` from `i`.
#[inline]
pub(crate) fn skip_wsp(input: &[u8], mut i: usize) -> usize {
    while input.get(i).is_some_and(|&b| is_wsp(b)) {
        i += 1;
    }
    i
}

/// Whether `input[i..]` starts with a fold: CRLF followed by WSP.
#[inline]
fn fold_at(input: &[u8], i: usize) -> bool {
    input.get(i) == Some(&b'\r')
        && input.get(i + 1) == Some(&b'\n')
        && input.get(i + 2).is_some_and(|&b| is_wsp(b))
}

/// Skips an optional `FWS` from `i`; returns the end and whether a CRLF was
/// folded. `FWS = ([*WSP CRLF] 1*WSP) / obs-FWS`; with `obsolete`, any
/// number of folds are taken.
#[inline]
pub(crate) fn skip_fws(input: &[u8], i: usize, obsolete: bool) -> (usize, bool) {
    let mut j = skip_wsp(input, i);
    let mut folded = false;
    while fold_at(input, j) {
        j = skip_wsp(input, j + 2);
        folded = true;
        if !obsolete {
            break;
        }
    }
    (j, folded)
}

/// Checks the quoted-pair at `i` (which holds `\`); returns its length.
///
/// `quoted-pair = ("\" (VCHAR / WSP)) / obs-qp`, with RFC 6532's
/// `VCHAR =/ UTF8-non-ascii` when UTF-8 is allowed.
pub(crate) fn quoted_pair(input: &[u8], i: usize, opts: TokenOptions) -> Result<usize> {
    let Some(&b) = input.get(i + 1) else {
        return Err(Error::incomplete(i + 1, "quoted-pair"));
    };
    if is_vchar(b) || is_wsp(b) {
        return Ok(2);
    }
    if opts.obsolete && (b == 0 || b == b'\r' || b == b'\n' || is_obs_no_ws_ctl(b)) {
        return Ok(2);
    }
    if b >= 0x80 && opts.utf8 {
        return Ok(1 + non_ascii(input, i + 1, opts, "quoted-pair")?);
    }
    Err(Error::expected(i + 1, "quoted-pair"))
}

/// Parses the comment starting at `start` (which holds `(`), iteratively.
/// Returns the end. Calls `on_comment` with the content range of this
/// (outermost) comment.
pub(crate) fn comment_at(
    input: &[u8],
    start: usize,
    opts: TokenOptions,
    on_comment: &mut dyn FnMut(Range<usize>),
) -> Result<usize> {
    if input.get(start) != Some(&b'(') {
        return Err(err_at(input, start, "'('"));
    }
    let mut depth = 0usize;
    let mut i = start;
    loop {
        let Some(&b) = input.get(i) else {
            return Err(Error::incomplete(i, "')'"));
        };
        match b {
            b'(' => {
                depth += 1;
                if depth > opts.max_nesting_depth {
                    return Err(Error::new(
                        i,
                        ErrorKind::LimitExceeded {
                            what: "comment nesting depth",
                            limit: opts.max_nesting_depth as u64,
                        },
                    ));
                }
                i += 1;
            }
            b')' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    on_comment(start + 1..i - 1);
                    return Ok(i);
                }
            }
            b'\\' => i += quoted_pair(input, i, opts)?,
            b' ' | b'\t' | b'\r' => {
                let (j, _) = skip_fws(input, i, opts.obsolete);
                if j == i {
                    return Err(err_at(input, i, "ctext"));
                }
                i = j;
            }
            _ if is_ctext(b) || (opts.obsolete && is_obs_no_ws_ctl(b)) => i += 1,
            0x80.. => i += non_ascii(input, i, opts, "ctext")?,
            _ => return Err(Error::expected(i, "ctext")),
        }
    }
}

/// Skips an optional `CFWS` from `i`; returns the end (== `i` if none).
pub(crate) fn skip_cfws_at(
    input: &[u8],
    mut i: usize,
    opts: TokenOptions,
    on_comment: &mut dyn FnMut(Range<usize>),
) -> Result<usize> {
    loop {
        i = skip_fws(input, i, opts.obsolete).0;
        if input.get(i) == Some(&b'(') {
            i = comment_at(input, i, opts, on_comment)?;
        } else {
            return Ok(i);
        }
    }
}

/// Skips optional CFWS without reporting comments.
#[inline]
pub(crate) fn skip_cfws_quiet(input: &[u8], i: usize, opts: TokenOptions) -> Result<usize> {
    skip_cfws_at(input, i, opts, &mut |_| {})
}

/// Parses folding white space at the start of `input`; returns the number
/// of bytes consumed (at least 1).
///
/// RFC 5322 section 3.2.2 and, with [`TokenOptions::obsolete`], section 4.2:
///
/// ```text
/// FWS             =   ([*WSP CRLF] 1*WSP) /  obs-FWS
///                                        ; Folding white space
///
/// obs-FWS         =   1*WSP *(CRLF 1*WSP)
/// ```
///
/// A CRLF not followed by WSP is not part of FWS and is left unconsumed.
/// With `obsolete` on, any run of WSP and folds is taken at once.
///
/// ```
/// use mailwire_core::token::{fws, TokenOptions};
///
/// assert_eq!(fws(b" \t\r\n x", TokenOptions::MESSAGE).unwrap(), 5);
/// assert_eq!(fws(b" \r\nx", TokenOptions::MESSAGE).unwrap(), 1); // no WSP after CRLF
/// assert!(fws(b"x", TokenOptions::MESSAGE).is_err());
/// ```
pub fn fws(input: &[u8], opts: TokenOptions) -> Result<usize> {
    match skip_fws(input, 0, opts.obsolete).0 {
        0 => Err(err_at(input, 0, "FWS")),
        n => Ok(n),
    }
}

/// Parses one comment, nested comments included, at the start of `input`;
/// returns the number of bytes consumed.
///
/// RFC 5322 section 3.2.2 (with `obs-ctext` and `obs-qp` of section 4.1
/// when [`TokenOptions::obsolete`] is on, and RFC 6532's `ctext =/
/// UTF8-non-ascii` when [`TokenOptions::utf8`] is on):
///
/// ```text
/// ctext           =   %d33-39 /          ; Printable US-ASCII
///                     %d42-91 /          ;  characters not including
///                     %d93-126 /         ;  "(", ")", or "\"
///                     obs-ctext
///
/// ccontent        =   ctext / quoted-pair / comment
///
/// comment         =   "(" *([FWS] ccontent) [FWS] ")"
/// ```
///
/// Nesting is followed with a counter, not recursion: a comment deeper than
/// [`TokenOptions::max_nesting_depth`] is refused with
/// [`ErrorKind::LimitExceeded`] at the `(` that went too deep. An unclosed
/// comment is an [`Error::incomplete`] error.
///
/// ```
/// use mailwire_core::token::{comment, TokenOptions};
///
/// let opts = TokenOptions::MESSAGE;
/// assert_eq!(comment(b"(a (nested \\) one))rest", opts).unwrap(), 19);
/// assert!(comment(b"(unclosed", opts).unwrap_err().is_incomplete());
/// let deep = vec![b'('; 1_000_000];
/// assert!(comment(&deep, opts).is_err());
/// ```
pub fn comment(input: &[u8], opts: TokenOptions) -> Result<usize> {
    comment_at(input, 0, opts, &mut |_| {})
}

/// Parses `CFWS` at the start of `input`; returns the number of bytes
/// consumed (at least 1).
///
/// RFC 5322 section 3.2.2:
///
/// ```text
/// CFWS            =   (1*([FWS] comment) [FWS]) / FWS
/// ```
///
/// See [`comment`] and [`fws`] for the parts; [`skip_cfws`] accepts the
/// empty string too.
///
/// ```
/// use mailwire_core::token::{cfws, TokenOptions};
///
/// assert_eq!(cfws(b" (hi) (there) x", TokenOptions::MESSAGE).unwrap(), 14);
/// assert!(cfws(b"x", TokenOptions::MESSAGE).is_err());
/// ```
pub fn cfws(input: &[u8], opts: TokenOptions) -> Result<usize> {
    match skip_cfws_quiet(input, 0, opts)? {
        0 => Err(err_at(input, 0, "CFWS")),
        n => Ok(n),
    }
}

/// Skips an optional `[CFWS]` at the start of `input`; returns the number
/// of bytes consumed, possibly 0.
///
/// The grammar is that of [`cfws`]; an opened comment must still be valid
/// and closed.
///
/// ```
/// use mailwire_core::token::{skip_cfws, TokenOptions};
///
/// assert_eq!(skip_cfws(b"x", TokenOptions::MESSAGE).unwrap(), 0);
/// assert_eq!(skip_cfws(b"\r\n (c)x", TokenOptions::MESSAGE).unwrap(), 6);
/// assert!(skip_cfws(b"(c", TokenOptions::MESSAGE).is_err());
/// ```
pub fn skip_cfws(input: &[u8], opts: TokenOptions) -> Result<usize> {
    skip_cfws_quiet(input, 0, opts)
}

/// Like [`skip_cfws`], and calls `on_comment` with the byte range of the
/// content of each outermost comment (between its parentheses, still
/// escaped and folded), in order.
///
/// Useful to recover the comments that old software put after addresses as
/// display names (RFC 5322 appendix A.5).
///
/// ```
/// use mailwire_core::token::{skip_cfws_with_comments, TokenOptions};
///
/// let input = b" (his account) (x(y))@";
/// let mut found = Vec::new();
/// let n = skip_cfws_with_comments(input, TokenOptions::MESSAGE, |r| found.push(r)).unwrap();
/// assert_eq!(n, 21);
/// assert_eq!(&input[found[0].clone()], b"his account");
/// assert_eq!(&input[found[1].clone()], b"x(y)");
/// ```
pub fn skip_cfws_with_comments(
    input: &[u8],
    opts: TokenOptions,
    mut on_comment: impl FnMut(Range<usize>),
) -> Result<usize> {
    skip_cfws_at(input, 0, opts, &mut on_comment)
}
