//! Local parts: RFC 5321 section 4.1.2 and RFC 5322 sections 3.4.1 and 4.4.

use core::fmt;
use core::hash::{Hash, Hasher};
use std::borrow::Cow;

use super::atom::{atext_run, dot_atom_text_at};
use super::cfws::skip_cfws_quiet;
use super::class::is_atext;
use super::quoted::{QuotedString, quoted_5322_at, quoted_smtp_at};
use super::{TokenOptions, err_at, str_at};
use crate::{Error, ErrorKind, Result};

/// How a local part was written.
///
/// ```
/// use mailwire_core::token::{LocalPart, LocalPartForm};
/// assert_eq!(LocalPart::new("john.doe")?.form(), LocalPartForm::DotAtom);
/// assert_eq!(LocalPart::new("john doe")?.form(), LocalPartForm::Quoted);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalPartForm {
    /// A `dot-atom-text` / RFC 5321 `Dot-string`: `john.doe`.
    DotAtom,
    /// One quoted string: `"john doe"`.
    Quoted,
    /// RFC 5322 `obs-local-part`: words joined by dots with CFWS or quoted
    /// words among them, `"john".doe` or `john . doe`.
    Obsolete,
}

/// The part of a mailbox before the `@`.
///
/// Keeps both the text as written ([`raw`](Self::raw)) and the content
/// with quotes, escapes, folds and comments removed
/// ([`as_str`](Self::as_str)). RFC 5321 section 4.1.2 and RFC 5322 section
/// 3.4.1 make `"abc"` and `abc` the same local part, so equality and hashing
/// use the content, case-sensitively (RFC 5321 section 2.4: a local part
/// may be case-sensitive). [`Display`](fmt::Display) writes the canonical
/// form: the content, quoted only when it is not a dot-atom.
///
/// A local part never holds NUL, CR or LF in its content: the `obs-qp`
/// escapes that could produce them are refused, so a parsed address cannot
/// smuggle a line break into an envelope.
///
/// ```
/// use mailwire_core::token::{local_part, LocalPartForm, TokenOptions};
///
/// let (lp, _) = local_part(br#""Abc\@def""#, TokenOptions::MESSAGE)?;
/// assert_eq!(lp.raw(), r#""Abc\@def""#);
/// assert_eq!(lp.as_str(), "Abc@def");
/// assert_eq!(lp.form(), LocalPartForm::Quoted);
/// assert_eq!(lp.to_string(), r#""Abc@def""#);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Clone)]
pub struct LocalPart<'a> {
    raw: Cow<'a, str>,
    content: Cow<'a, str>,
    form: LocalPartForm,
}

impl<'a> LocalPart<'a> {
    /// A dot-atom local part the caller has already checked, borrowed.
    #[inline]
    pub(crate) const fn checked_dot_atom(text: &'a str) -> Self {
        Self {
            raw: Cow::Borrowed(text),
            content: Cow::Borrowed(text),
            form: LocalPartForm::DotAtom,
        }
    }

    /// A local part with the given content, for applications building
    /// addresses. The content may hold printable ASCII, spaces and (for
    /// SMTPUTF8 / RFC 6532) non-ASCII characters; it is quoted when written
    /// if it is not a dot-atom. Error offsets count in `content`.
    ///
    /// The 64-octet limit of RFC 5321 is not applied here; see
    /// [`TokenOptions::max_local_part_len`] for parsed input.
    ///
    /// ```
    /// use mailwire_core::token::LocalPart;
    ///
    /// assert_eq!(LocalPart::new("john.doe")?.to_string(), "john.doe");
    /// assert_eq!(LocalPart::new(r#"say "hi""#)?.to_string(), r#""say \"hi\"""#);
    /// assert_eq!(LocalPart::new("")?.to_string(), r#""""#);
    /// assert!(LocalPart::new("tab\there").is_err());
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn new(content: &'a str) -> Result<Self> {
        if let Some(bad) = content.bytes().position(|b| b < 0x20 || b == 0x7f) {
            return Err(Error::expected(bad, "printable character or space"));
        }
        Ok(if needs_quoting(content) {
            let mut raw = String::with_capacity(content.len() + 2);
            // Writing to a String cannot fail.
            let _ = write_canonical(content, &mut raw);
            Self {
                raw: Cow::Owned(raw),
                content: Cow::Borrowed(content),
                form: LocalPartForm::Quoted,
            }
        } else {
            Self {
                raw: Cow::Borrowed(content),
                content: Cow::Borrowed(content),
                form: LocalPartForm::DotAtom,
            }
        })
    }

    /// The content: quotes, escapes, folds and comments removed.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    /// let m = Mailbox::parse_smtp(br#""john\ doe"@example.org"#)?;
    /// assert_eq!(m.local_part().as_str(), "john doe");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.content
    }

    /// The content as a `Cow` with the input's lifetime: borrowed unless
    /// escapes, folds or obsolete syntax had to be removed.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use mailwire_core::token::Mailbox;
    /// let m = Mailbox::parse_smtp(br#""john doe"@example.org"#)?;
    /// assert!(matches!(m.local_part().unescaped(), Cow::Borrowed("john doe")));
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn unescaped(&self) -> Cow<'a, str> {
        self.content.clone()
    }

    /// The local part as written in the input, quotes and escapes included
    /// (for the obsolete form, comments and folds between the words too).
    /// For a constructed local part, the canonical form.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    /// let m = Mailbox::parse_smtp(br#""john"@example.org"#)?;
    /// assert_eq!(m.local_part().raw(), r#""john""#);
    /// assert_eq!(m.local_part().to_string(), "john");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// How the local part was written.
    ///
    /// ```
    /// use mailwire_core::token::{LocalPart, LocalPartForm};
    /// assert_eq!(LocalPart::new("a")?.form(), LocalPartForm::DotAtom);
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub const fn form(&self) -> LocalPartForm {
        self.form
    }

    /// Whether it was written as one quoted string.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    /// assert!(Mailbox::parse_smtp(br#""a"@example.org"#)?.local_part().is_quoted());
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub const fn is_quoted(&self) -> bool {
        matches!(self.form, LocalPartForm::Quoted)
    }

    /// Whether the content must be quoted to be written (it is not a
    /// `dot-atom-text`, counting non-ASCII characters as `atext`).
    ///
    /// ```
    /// use mailwire_core::token::LocalPart;
    /// assert!(!LocalPart::new("a.b")?.needs_quoting());
    /// assert!(LocalPart::new("a..b")?.needs_quoting());
    /// assert!(LocalPart::new("a b")?.needs_quoting());
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn needs_quoting(&self) -> bool {
        needs_quoting(&self.content)
    }

    /// The same local part, owning its text.
    ///
    /// ```
    /// use mailwire_core::token::LocalPart;
    /// let lp: LocalPart<'static> = LocalPart::new(&String::from("x"))?.into_owned();
    /// assert_eq!(lp.as_str(), "x");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> LocalPart<'static> {
        LocalPart {
            raw: Cow::Owned(self.raw.into_owned()),
            content: Cow::Owned(self.content.into_owned()),
            form: self.form,
        }
    }
}

impl fmt::Debug for LocalPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalPart")
            .field("content", &self.as_str())
            .field("raw", &self.raw())
            .field("form", &self.form)
            .finish()
    }
}

impl fmt::Display for LocalPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_canonical(&self.content, f)
    }
}

impl PartialEq for LocalPart<'_> {
    fn eq(&self, other: &LocalPart<'_>) -> bool {
        self.content == other.content
    }
}

impl Eq for LocalPart<'_> {}

impl Hash for LocalPart<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.content.hash(state);
    }
}

/// Whether `s` is not a dot-atom-text (non-ASCII counted as atext).
pub(crate) fn needs_quoting(s: &str) -> bool {
    s.split('.')
        .any(|w| w.is_empty() || !w.bytes().all(|b| is_atext(b) || b >= 0x80))
}

/// Writes `s` as a dot-atom if it is one, else as a quoted string with `"`
/// and `\` escaped.
pub(crate) fn write_canonical(s: &str, out: &mut impl fmt::Write) -> fmt::Result {
    if !needs_quoting(s) {
        return out.write_str(s);
    }
    out.write_char('"')?;
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

/// Refuses quoted-pairs of NUL, CR or LF in `input[start..end]`.
pub(crate) fn refuse_ctl_pairs(input: &[u8], start: usize, end: usize) -> Result<()> {
    let mut i = start;
    while i < end {
        if input.get(i) == Some(&b'\\') {
            match input.get(i + 1) {
                Some(0) => return Err(Error::new(i + 1, ErrorKind::Nul)),
                Some(b'\r') => return Err(Error::new(i + 1, ErrorKind::BareCr)),
                Some(b'\n') => return Err(Error::new(i + 1, ErrorKind::BareLf)),
                _ => i += 2,
            }
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// The result of scanning dot-separated words.
pub(crate) struct Words<'a> {
    /// Start and end of the words (outer CFWS excluded).
    pub(crate) raw: (usize, usize),
    /// The content, words joined by dots.
    pub(crate) content: Cow<'a, str>,
    pub(crate) form: LocalPartForm,
}

struct Scan<'a> {
    last_end: usize,
    end: usize,
    words: usize,
    first_quoted: Option<QuotedString<'a>>,
    any_quoted: bool,
    interior: bool,
}

fn scan_words<'a>(
    input: &'a [u8],
    start: usize,
    opts: TokenOptions,
    allow_quoted: bool,
    mut sink: Option<&mut String>,
) -> Result<Scan<'a>> {
    let mut s = Scan {
        last_end: start,
        end: start,
        words: 0,
        first_quoted: None,
        any_quoted: false,
        interior: false,
    };
    let mut j = start;
    loop {
        let word_end;
        if allow_quoted && input.get(j) == Some(&b'"') && (opts.obsolete || s.words == 0) {
            let (q, e) = quoted_5322_at(input, j, opts)?;
            if let Some(out) = sink.as_deref_mut() {
                out.push_str(&q.unescaped());
            }
            if s.words == 0 {
                s.first_quoted = Some(q);
            }
            s.any_quoted = true;
            word_end = e;
        } else {
            let e = atext_run(input, j, opts)?;
            if e == j {
                let what = if allow_quoted && (opts.obsolete || s.words == 0) {
                    "atext or quoted-string"
                } else {
                    "atext"
                };
                return Err(err_at(input, j, what));
            }
            if let Some(out) = sink.as_deref_mut() {
                out.push_str(str_at(input, j, e)?);
            }
            word_end = e;
        }
        s.words += 1;
        let k = skip_cfws_quiet(input, word_end, opts)?;
        let dot =
            input.get(k) == Some(&b'.') && (opts.obsolete || (k == word_end && !s.any_quoted));
        if !dot {
            s.last_end = word_end;
            s.end = k;
            return Ok(s);
        }
        s.interior |= k != word_end;
        j = k + 1;
        if opts.obsolete {
            let m = skip_cfws_quiet(input, j, opts)?;
            s.interior |= m != j;
            j = m;
        }
        if let Some(out) = sink.as_deref_mut() {
            out.push('.');
        }
    }
}

/// Parses `word *("." word)` (or `atom *("." atom)` without
/// `allow_quoted`) from `start`, which must be past any leading CFWS; the
/// returned end includes trailing CFWS. Without `opts.obsolete`, only a
/// `dot-atom-text` or a single quoted string is accepted.
pub(crate) fn dotted_words_at(
    input: &[u8],
    start: usize,
    opts: TokenOptions,
    allow_quoted: bool,
) -> Result<(Words<'_>, usize)> {
    let scan = scan_words(input, start, opts, allow_quoted, None)?;
    let (content, form) = match scan.first_quoted {
        Some(q) if scan.words == 1 => (q.unescaped(), LocalPartForm::Quoted),
        _ if !scan.any_quoted && !scan.interior => (
            Cow::Borrowed(str_at(input, start, scan.last_end)?),
            LocalPartForm::DotAtom,
        ),
        _ => {
            let mut out = String::new();
            scan_words(input, start, opts, allow_quoted, Some(&mut out))?;
            (Cow::Owned(out), LocalPartForm::Obsolete)
        }
    };
    Ok((
        Words {
            raw: (start, scan.last_end),
            content,
            form,
        },
        scan.end,
    ))
}

fn check_len(start: usize, end: usize, opts: TokenOptions) -> Result<()> {
    if end - start > opts.max_local_part_len {
        return Err(Error::new(
            start.saturating_add(opts.max_local_part_len),
            ErrorKind::LimitExceeded {
                what: "local-part length",
                limit: opts.max_local_part_len as u64,
            },
        ));
    }
    Ok(())
}

/// RFC 5322 `local-part` from `i`, CFWS included.
pub(crate) fn local_part_5322_at(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
) -> Result<(LocalPart<'_>, usize)> {
    let start = skip_cfws_quiet(input, i, opts)?;
    let (words, end) = dotted_words_at(input, start, opts, true)?;
    let (raw_start, raw_end) = words.raw;
    if words.content.contains(['\0', '\r', '\n']) {
        refuse_ctl_pairs(input, raw_start, raw_end)?;
        return Err(Error::new(raw_start, ErrorKind::Nul));
    }
    check_len(raw_start, raw_end, opts)?;
    let raw = Cow::Borrowed(str_at(input, raw_start, raw_end)?);
    Ok((
        LocalPart {
            raw,
            content: words.content,
            form: words.form,
        },
        end,
    ))
}

/// RFC 5321 `Local-part` from `i`.
pub(crate) fn local_part_smtp_at(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
) -> Result<(LocalPart<'_>, usize)> {
    let (content, end, form) = if input.get(i) == Some(&b'"') {
        let (q, end) = quoted_smtp_at(input, i, opts)?;
        (q.unescaped(), end, LocalPartForm::Quoted)
    } else {
        let end = dot_atom_text_at(input, i, opts)?;
        (
            Cow::Borrowed(str_at(input, i, end)?),
            end,
            LocalPartForm::DotAtom,
        )
    };
    check_len(i, end, opts)?;
    let raw = Cow::Borrowed(str_at(input, i, end)?);
    Ok((LocalPart { raw, content, form }, end))
}

/// Parses an RFC 5321 `Local-part` at the start of `input` (no CFWS);
/// returns it and the number of bytes consumed.
///
/// RFC 5321 section 4.1.2 (with RFC 6531 section 3.3 `atext` and
/// `qtextSMTP` extended by `UTF8-non-ascii` when [`TokenOptions::utf8`] is
/// on):
///
/// ```text
/// Local-part     = Dot-string / Quoted-string
///                ; MAY be case-sensitive
///
/// Dot-string     = Atom *("."  Atom)
///
/// Atom           = 1*atext
/// ```
///
/// See [`smtp_quoted_string`](super::smtp_quoted_string) for
/// `Quoted-string`. A local part longer than
/// [`TokenOptions::max_local_part_len`] octets as written (64 in
/// [`TokenOptions::SMTP`], RFC 5321 section 4.5.3.1.1) is refused with
/// [`ErrorKind::LimitExceeded`] at the first octet past the limit.
///
/// ```
/// use mailwire_core::token::{smtp_local_part, TokenOptions};
///
/// let (lp, n) = smtp_local_part(b"customer/department=shipping@example.com", TokenOptions::SMTP)?;
/// assert_eq!((lp.as_str(), n), ("customer/department=shipping", 28));
/// let err = smtp_local_part("a".repeat(65).as_bytes(), TokenOptions::SMTP).unwrap_err();
/// assert_eq!(err.offset(), 64);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn smtp_local_part(input: &[u8], opts: TokenOptions) -> Result<(LocalPart<'_>, usize)> {
    local_part_smtp_at(input, 0, opts)
}

/// Parses an RFC 5322 `local-part` at the start of `input`, surrounding
/// CFWS included; returns it and the number of bytes consumed.
///
/// RFC 5322 sections 3.4.1 and 4.4 (`obs-local-part` when
/// [`TokenOptions::obsolete`] is on; RFC 6532 UTF-8 when
/// [`TokenOptions::utf8`] is on):
///
/// ```text
/// local-part      =   dot-atom / quoted-string / obs-local-part
///
/// obs-local-part  =   word *("." word)
/// ```
///
/// and section 3.2.5:
///
/// ```text
/// word            =   atom / quoted-string
/// ```
///
/// The content of an obsolete local part joins its words' contents with
/// dots (`"john".doe` gives `john.doe`), which allocates. Quoted-pairs of
/// NUL, CR or LF (`obs-qp`) are refused ([`ErrorKind::Nul`],
/// [`ErrorKind::BareCr`], [`ErrorKind::BareLf`]).
///
/// ```
/// use mailwire_core::token::{local_part, LocalPartForm, TokenOptions};
///
/// let (lp, n) = local_part(b"joe.q.public @", TokenOptions::MESSAGE)?;
/// assert_eq!((lp.as_str(), n), ("joe.q.public", 13));
/// let (lp, _) = local_part(b"\"joe\" . q (middle) .public@", TokenOptions::MESSAGE)?;
/// assert_eq!((lp.as_str(), lp.form()), ("joe.q.public", LocalPartForm::Obsolete));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn local_part(input: &[u8], opts: TokenOptions) -> Result<(LocalPart<'_>, usize)> {
    local_part_5322_at(input, 0, opts)
}
