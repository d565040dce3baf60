//! Quoted strings, RFC 5322 section 3.2.4 and RFC 5321 section 4.1.2.

use std::borrow::Cow;

use super::cfws::{quoted_pair, skip_cfws_quiet, skip_fws};
use super::class::{is_obs_no_ws_ctl, is_qtext, is_qtext_smtp};
use super::{TokenOptions, err_at, non_ascii, str_at};
use crate::{Error, Result};

/// A parsed quoted string: the bytes between its double quotes, still
/// escaped and folded.
///
/// Produced by [`quoted_string`] (RFC 5322) and [`smtp_quoted_string`]
/// (RFC 5321). The content is always valid UTF-8 (ASCII unless UTF-8 was
/// allowed), so it is kept as `&str`.
///
/// ```
/// use mailwire_core::token::{quoted_string, TokenOptions};
///
/// let (q, _) = quoted_string(br#""Joe \"Q\" Public""#, TokenOptions::MESSAGE).unwrap();
/// assert_eq!(q.raw(), r#"Joe \"Q\" Public"#);
/// assert_eq!(q.unescaped(), r#"Joe "Q" Public"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuotedString<'a> {
    raw: &'a str,
    escaped: bool,
    folded: bool,
}

impl<'a> QuotedString<'a> {
    /// The text between the quotes as it appeared in the input: quoted-pairs
    /// and folds still in place.
    ///
    /// ```
    /// use mailwire_core::token::{smtp_quoted_string, TokenOptions};
    /// let (q, _) = smtp_quoted_string(br#""a\\b""#, TokenOptions::SMTP).unwrap();
    /// assert_eq!(q.raw(), r"a\\b");
    /// ```
    #[must_use]
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// The content: quoted-pairs replaced by the character they quote and
    /// the CRLF of each fold removed (RFC 5322 section 3.2.4: the CRLF in
    /// FWS is "semantically invisible"; the white space stays).
    ///
    /// Borrowed from the input when there is nothing to undo; only an
    /// actually escaped or folded string allocates.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use mailwire_core::token::{quoted_string, TokenOptions};
    ///
    /// let opts = TokenOptions::MESSAGE;
    /// let (plain, _) = quoted_string(b"\"a b\"", opts).unwrap();
    /// assert!(matches!(plain.unescaped(), Cow::Borrowed("a b")));
    /// let (folded, _) = quoted_string(b"\"a\r\n b\\\\\"", opts).unwrap();
    /// assert_eq!(folded.unescaped(), "a b\\");
    /// ```
    #[must_use]
    pub fn unescaped(&self) -> Cow<'a, str> {
        if self.escaped || self.folded {
            Cow::Owned(unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// Whether the content holds a quoted-pair (a `\` escape).
    ///
    /// ```
    /// use mailwire_core::token::{quoted_string, TokenOptions};
    /// let (q, _) = quoted_string(br#""\a""#, TokenOptions::MESSAGE).unwrap();
    /// assert!(q.has_escapes());
    /// ```
    #[must_use]
    pub const fn has_escapes(&self) -> bool {
        self.escaped
    }

    /// Whether the content holds a fold (CRLF followed by white space).
    ///
    /// ```
    /// use mailwire_core::token::{quoted_string, TokenOptions};
    /// let (q, _) = quoted_string(b"\"a\r\n b\"", TokenOptions::MESSAGE).unwrap();
    /// assert!(q.is_folded());
    /// ```
    #[must_use]
    pub const fn is_folded(&self) -> bool {
        self.folded
    }
}

/// Undoes quoted-pairs and folds of validated quoted-string content.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(q) = chars.next() {
                    out.push(q);
                }
            }
            // A raw CR only occurs as the start of a fold: drop CR LF.
            '\r' if chars.as_str().starts_with('\n') => {
                chars.next();
            }
            c => out.push(c),
        }
    }
    out
}

/// Parses RFC 5322 quoted-string content from `i` (which must hold `"`).
pub(crate) fn quoted_5322_at(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
) -> Result<(QuotedString<'_>, usize)> {
    if input.get(i) != Some(&b'"') {
        return Err(err_at(input, i, "'\"'"));
    }
    let start = i + 1;
    let mut j = start;
    let (mut escaped, mut folded) = (false, false);
    loop {
        let Some(&b) = input.get(j) else {
            return Err(Error::incomplete(j, "'\"'"));
        };
        match b {
            b'"' => break,
            b'\\' => {
                j += quoted_pair(input, j, opts)?;
                escaped = true;
            }
            b' ' | b'\t' | b'\r' => {
                let (k, f) = skip_fws(input, j, opts.obsolete);
                if k == j {
                    return Err(err_at(input, j, "qtext"));
                }
                folded |= f;
                j = k;
            }
            _ if is_qtext(b) || (opts.obsolete && is_obs_no_ws_ctl(b)) => j += 1,
            0x80.. => j += non_ascii(input, j, opts, "qtext")?,
            _ => return Err(Error::expected(j, "qtext")),
        }
    }
    let raw = str_at(input, start, j)?;
    Ok((
        QuotedString {
            raw,
            escaped,
            folded,
        },
        j + 1,
    ))
}

/// Parses RFC 5321 `Quoted-string` from `i` (which must hold `"`).
pub(crate) fn quoted_smtp_at(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
) -> Result<(QuotedString<'_>, usize)> {
    if input.get(i) != Some(&b'"') {
        return Err(err_at(input, i, "'\"'"));
    }
    let start = i + 1;
    let mut j = start;
    let mut escaped = false;
    loop {
        let Some(&b) = input.get(j) else {
            return Err(Error::incomplete(j, "'\"'"));
        };
        match b {
            b'"' => break,
            b'\\' => match input.get(j + 1) {
                Some(32..=126) => {
                    j += 2;
                    escaped = true;
                }
                Some(_) => return Err(Error::expected(j + 1, "quoted-pairSMTP")),
                None => return Err(Error::incomplete(j + 1, "quoted-pairSMTP")),
            },
            _ if is_qtext_smtp(b) => j += 1,
            0x80.. => j += non_ascii(input, j, opts, "qtextSMTP")?,
            _ => return Err(Error::expected(j, "qtextSMTP")),
        }
    }
    let raw = str_at(input, start, j)?;
    Ok((
        QuotedString {
            raw,
            escaped,
            folded: false,
        },
        j + 1,
    ))
}

/// Parses an RFC 5322 `quoted-string` at the start of `input`, surrounding
/// CFWS included; returns it and the number of bytes consumed.
///
/// RFC 5322 section 3.2.4 (with `obs-qtext` and `obs-qp` of section 4.1
/// when [`TokenOptions::obsolete`] is on, and RFC 6532's `qtext =/
/// UTF8-non-ascii` when [`TokenOptions::utf8`] is on):
///
/// ```text
/// qtext           =   %d33 /             ; Printable US-ASCII
///                     %d35-91 /          ;  characters not including
///                     %d93-126 /         ;  "\" or the quote character
///                     obs-qtext
///
/// qcontent        =   qtext / quoted-pair
///
/// quoted-string   =   [CFWS]
///                     DQUOTE *([FWS] qcontent) [FWS] DQUOTE
///                     [CFWS]
/// ```
///
/// and section 3.2.1:
///
/// ```text
/// quoted-pair     =   ("\" (VCHAR / WSP)) / obs-qp
/// ```
///
/// A missing closing quote is an [`Error::incomplete`] error.
///
/// ```
/// use mailwire_core::token::{quoted_string, TokenOptions};
///
/// let (q, n) = quoted_string(b" \"John Doe\" <", TokenOptions::MESSAGE).unwrap();
/// assert_eq!((q.raw(), n), ("John Doe", 12));
/// assert!(quoted_string(b"\"open", TokenOptions::MESSAGE).unwrap_err().is_incomplete());
/// ```
pub fn quoted_string(input: &[u8], opts: TokenOptions) -> Result<(QuotedString<'_>, usize)> {
    let start = skip_cfws_quiet(input, 0, opts)?;
    let (q, end) = quoted_5322_at(input, start, opts)?;
    Ok((q, skip_cfws_quiet(input, end, opts)?))
}

/// Parses an RFC 5321 `Quoted-string` at the start of `input` (no CFWS, no
/// folding); returns it and the number of bytes consumed.
///
/// RFC 5321 section 4.1.2 (with RFC 6531 section 3.3 `qtextSMTP =/
/// UTF8-non-ascii` when [`TokenOptions::utf8`] is on):
///
/// ```text
/// Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
///
/// QcontentSMTP   = qtextSMTP / quoted-pairSMTP
///
/// quoted-pairSMTP  = %d92 %d32-126
///                  ; i.e., backslash followed by any ASCII
///                  ; graphic (including itself) or SPace
///
/// qtextSMTP      = %d32-33 / %d35-91 / %d93-126
///                ; i.e., within a quoted string, any
///                ; ASCII graphic or space is permitted
///                ; without blackslash-quoting except
///                ; double-quote and the backslash itself.
/// ```
///
/// ```
/// use mailwire_core::token::{smtp_quoted_string, TokenOptions};
///
/// let (q, n) = smtp_quoted_string(br#""Abc@def"@example.com"#, TokenOptions::SMTP).unwrap();
/// assert_eq!((q.raw(), n), ("Abc@def", 9));
/// assert!(smtp_quoted_string(b"\"tab\there\"", TokenOptions::SMTP).is_err());
/// ```
pub fn smtp_quoted_string(input: &[u8], opts: TokenOptions) -> Result<(QuotedString<'_>, usize)> {
    quoted_smtp_at(input, 0, opts)
}
