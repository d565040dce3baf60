//! RFC 2047 encoded words and 8-bit header text.
//!
//! An encoded word carries non-ASCII text in a header through 7-bit mail
//! (RFC 2047 section 2, with the RFC 2231 section 5 language suffix):
//!
//! ```text
//! encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="
//! encoding     = "B" / "Q"        ; either case
//! ```
//!
//! The decoders here turn header text into UTF-8:
//!
//! - [`decode_unstructured`] for `unstructured` fields such as `Subject`;
//! - [`decode_phrase`] for display names (RFC 5322 `phrase`);
//! - the `_with_defects` variants report each problem as a [`Defect`].
//!
//! # Rules
//!
//! - Folds are removed (RFC 5322 section 2.2.3).
//! - White space between two encoded words is dropped (RFC 2047 section
//!   6.2); white space between an encoded word and plain text is kept.
//! - The bytes of adjacent encoded words in the same charset are joined
//!   before the charset is decoded, so a multibyte character split over two
//!   words (as many mailers do) decodes correctly.
//! - `B` text is decoded leniently (missing padding, stray bytes); `Q` text
//!   maps `_` to a space and `=XX` to a byte, and keeps a malformed `=`.
//! - A malformed encoded word is kept as it was written
//!   ([`DefectKind::InvalidEncodedWord`]); an unknown charset is decoded as
//!   UTF-8 if valid, else windows-1252 ([`DefectKind::UnknownCharset`]).
//! - The 75-character limit of RFC 2047 section 2 is not enforced (many
//!   mailers exceed it); an encoded word cannot hold white space, though.
//! - Encoded words are recognised inside a word too (`Re:=?utf-8?q?x?=`),
//!   as Thunderbird and Python do, although RFC 2047 section 5 wants them
//!   separated by white space.
//! - Raw 8-bit text is UTF-8 if the whole value is valid UTF-8 (RFC 6532),
//!   else windows-1252 ([`DefectKind::NonUtf8Header`]); see
//!   [`charset::decode_8bit_header`].
//!
//! ```
//! use mailwire_message::encoded_word::decode_unstructured;
//!
//! // RFC 2047 section 8.
//! assert_eq!(
//!     decode_unstructured(b" =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n \
//!                           =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
//!     "If you can read this you understand the example."
//! );
//! // "日本" split between two words in the middle of a character.
//! assert_eq!(decode_unstructured(b"=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKw=?="), "\u{65e5}\u{672c}");
//! ```

use std::borrow::Cow;

use crate::charset;
use crate::{Defect, DefectKind};

/// Decodes an RFC 5322 `unstructured` value (as in `Subject`): unfolds it,
/// drops leading white space, decodes RFC 2047 encoded words and 8-bit text.
///
/// Borrowed when the value needs no change beyond dropping the leading
/// white space. See the [module documentation](self) for the rules.
///
/// ```
/// use std::borrow::Cow;
/// use mailwire_message::encoded_word::decode_unstructured;
///
/// assert!(matches!(decode_unstructured(b" plain text"), Cow::Borrowed("plain text")));
/// assert_eq!(decode_unstructured(b" =?ISO-8859-1?Q?Andr=E9?= Pirard"), "Andr\u{e9} Pirard");
/// assert_eq!(decode_unstructured(b" folded\r\n  line"), "folded  line");
/// ```
#[must_use]
pub fn decode_unstructured(raw: &[u8]) -> Cow<'_, str> {
    decode_unstructured_with_defects(raw, 0, &mut Vec::new())
}

/// [`decode_unstructured`], recording defects in `defects` with offsets
/// counted from `base` (pass the value's offset in the message, such as
/// [`HeaderField::value_offset`](crate::HeaderField::value_offset)).
///
/// ```
/// use mailwire_message::{encoded_word::decode_unstructured_with_defects, DefectKind};
///
/// let mut defects = Vec::new();
/// let text = decode_unstructured_with_defects(b" =?x-mars?Q?hi?= =?utf-8?X?oops?=", 100, &mut defects);
/// assert_eq!(text, "hi =?utf-8?X?oops?=");
/// let found: Vec<_> = defects.iter().map(|d| (d.offset(), d.kind())).collect();
/// assert_eq!(found, [(101, DefectKind::UnknownCharset), (117, DefectKind::InvalidEncodedWord)]);
/// ```
#[must_use]
pub fn decode_unstructured_with_defects<'a>(
    raw: &'a [u8],
    base: usize,
    defects: &mut Vec<Defect>,
) -> Cow<'a, str> {
    let start = raw.iter().position(|&b| !is_space(b)).unwrap_or(raw.len());
    let text = &raw[start..];
    let base = base + start;
    let first = defects.len();
    let utf8 = note_8bit(text, base, defects);
    if !has_pair(text, b'=', b'?') && !text.iter().any(|&b| is_crlf(b)) {
        return charset::decode_8bit_header(text).0;
    }
    let mut out = Out::new(utf8, false, defects);
    out.scan(text, Some(base));
    let text = out.finish();
    // Charset defects are found when a run of words ends: restore input order.
    defects[first..].sort_by_key(Defect::offset);
    Cow::Owned(text)
}

/// Decodes an RFC 5322 `phrase` (a display name) to its text.
///
/// ```text
/// phrase = 1*word / obs-phrase        ; RFC 5322 sections 3.2.5, 4.1
/// word   = atom / quoted-string
/// ```
///
/// Quoted strings are unquoted (quoted-pairs undone), comments are dropped
/// (they are CFWS), runs of white space between words become one space,
/// and the result is trimmed. Encoded words in atoms are decoded (RFC 2047
/// section 5 (3)); leniently, as Python and Thunderbird do, so are encoded
/// words inside quoted strings, which many mailers write. Borrowed when
/// there is nothing to change.
///
/// ```
/// use std::borrow::Cow;
/// use mailwire_message::encoded_word::decode_phrase;
///
/// assert_eq!(decode_phrase(b"\"Joe Q. Public\""), "Joe Q. Public");
/// assert!(matches!(decode_phrase(b" Mary Smith "), Cow::Borrowed("Mary Smith")));
/// assert_eq!(decode_phrase(b"Pete(A nice \\) chap) Resnick"), "Pete Resnick");
/// assert_eq!(decode_phrase(b"=?US-ASCII?Q?Keith_Moore?="), "Keith Moore");
/// assert_eq!(decode_phrase(b"\"=?utf-8?q?J=C3=B8rn?= \\\"K\\\"\""), "J\u{f8}rn \"K\"");
/// ```
#[must_use]
pub fn decode_phrase(raw: &[u8]) -> Cow<'_, str> {
    decode_phrase_with_defects(raw, 0, &mut Vec::new())
}

/// [`decode_phrase`], recording defects in `defects` with offsets counted
/// from `base`. Defects inside a quoted string that had to be unescaped are
/// reported at the string's opening quote.
///
/// ```
/// use mailwire_message::{encoded_word::decode_phrase_with_defects, DefectKind};
///
/// let mut defects = Vec::new();
/// assert_eq!(decode_phrase_with_defects(b"Andr\xe9 P", 7, &mut defects), "Andr\u{e9} P");
/// assert_eq!(defects[0].kind(), DefectKind::NonUtf8Header);
/// assert_eq!(defects[0].offset(), 11);
/// ```
#[must_use]
pub fn decode_phrase_with_defects<'a>(
    raw: &'a [u8],
    base: usize,
    defects: &mut Vec<Defect>,
) -> Cow<'a, str> {
    let first = defects.len();
    let utf8 = note_8bit(raw, base, defects);
    if let Some(simple) = simple_phrase(raw) {
        return charset::decode_8bit_header(simple).0;
    }
    let mut out = Out::new(utf8, true, defects);
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b if is_space(b) => {
                let end = i + raw[i..]
                    .iter()
                    .position(|&b| !is_space(b))
                    .unwrap_or(raw.len() - i);
                out.space(&raw[i..end]);
                i = end;
            }
            b'(' => match comment_end(raw, i) {
                Some(end) => {
                    out.space(b" ");
                    i = end;
                }
                None => {
                    // An unclosed comment: keep the rest as text. (Looking
                    // for a close from every later `(` would be quadratic.)
                    out.text(&raw[i..]);
                    i = raw.len();
                }
            },
            b'"' => {
                let (content, end, escaped) = quoted_content(raw, i);
                if escaped {
                    out.set_fallback_offset(base + i);
                    out.scan(&unescape(content), None);
                } else {
                    out.scan(content, Some(base + i + 1));
                }
                i = end;
            }
            _ => {
                let end = i + raw[i..]
                    .iter()
                    .position(|&b| is_space(b) || b == b'(' || b == b'"')
                    .unwrap_or(raw.len() - i);
                out.scan(&raw[i..end], Some(base + i));
                i = end;
            }
        }
    }
    let text = out.finish();
    defects[first..].sort_by_key(Defect::offset);
    Cow::Owned(text)
}

/// SP, HTAB, CR, LF: white space once folds are undone.
const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

const fn is_crlf(b: u8) -> bool {
    matches!(b, b'\r' | b'\n')
}

/// Records a [`DefectKind::NonUtf8Header`] for 8-bit text that is not
/// UTF-8; returns whether `text` is valid UTF-8.
fn note_8bit(text: &[u8], base: usize, defects: &mut Vec<Defect>) -> bool {
    match core::str::from_utf8(text) {
        Ok(_) => true,
        Err(e) => {
            defects.push(Defect::new(
                base + e.valid_up_to(),
                DefectKind::NonUtf8Header,
            ));
            false
        }
    }
}

/// The text of a phrase that needs nothing but trimming (and the quotes
/// removed): single-spaced atoms, or one quoted string without escapes.
fn simple_phrase(raw: &[u8]) -> Option<&[u8]> {
    let trimmed = trim_space(raw);
    if has_pair(trimmed, b'=', b'?') {
        return None;
    }
    if let Some(inner) = trimmed
        .strip_prefix(b"\"")
        .and_then(|t| t.strip_suffix(b"\""))
    {
        let clean = !inner
            .iter()
            .any(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n'));
        return clean.then(|| trim_space(inner));
    }
    let clean = !trimmed
        .iter()
        .any(|&b| matches!(b, b'"' | b'(' | b'\t' | b'\r' | b'\n'))
        && !has_pair(trimmed, b' ', b' ');
    clean.then_some(trimmed)
}

fn trim_space(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_space(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |e| e + 1);
    &s[start..end]
}

/// The end (just past `)`) of the comment opening at `raw[start]`, nested
/// comments and quoted-pairs included; `None` when it is not closed.
fn comment_end(raw: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < raw.len() {
        match raw[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The content of the quoted string opening at `raw[start]`, the end (just
/// past the closing quote, or the input's end when it is not closed) and
/// whether the content holds quoted-pairs or folds to undo.
fn quoted_content(raw: &[u8], start: usize) -> (&[u8], usize, bool) {
    let mut escaped = false;
    let mut i = start + 1;
    while i < raw.len() {
        match raw[i] {
            b'\\' => {
                escaped = true;
                i += 1;
            }
            b'\r' | b'\n' => escaped = true,
            b'"' => return (&raw[start + 1..i], i + 1, escaped),
            _ => {}
        }
        i += 1;
    }
    (&raw[(start + 1).min(raw.len())..], raw.len(), escaped)
}

/// Undoes quoted-pairs and removes CR and LF (folds).
fn unescape(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len());
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'\\' if i + 1 < content.len() => {
                out.push(content[i + 1]);
                i += 1;
            }
            b'\r' | b'\n' => {}
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// One parsed encoded word.
struct Word<'a> {
    /// The charset label, language suffix removed.
    charset: &'a [u8],
    base64: bool,
    text: &'a [u8],
    /// Length of the whole word, `=?` to `?=`.
    len: usize,
}

/// What [`parse_word`] found at a `=?`.
enum Found<'a> {
    Word(Word<'a>),
    /// Not an attempt at an encoded word (no charset and `?`).
    Nothing,
    /// Looked like an encoded word but is malformed.
    Malformed,
}

/// Parses the encoded word starting at `s` (which starts with `=?`).
fn parse_word(s: &[u8]) -> Found<'_> {
    let Some(q1) = s[2..]
        .iter()
        .position(|&b| !(0x21..0x7f).contains(&b) || b == b'?')
    else {
        return Found::Nothing;
    };
    let q1 = q1 + 2;
    if s[q1] != b'?' {
        return Found::Nothing;
    }
    if q1 == 2 {
        // `=??`: no charset.
        return Found::Malformed;
    }
    let label = &s[2..q1];
    let charset = label
        .iter()
        .position(|&b| b == b'*')
        .map_or(label, |star| &label[..star]);
    let base64 = match s.get(q1 + 1) {
        Some(b'B' | b'b') => true,
        Some(b'Q' | b'q') => false,
        _ => return Found::Malformed,
    };
    if s.get(q1 + 2) != Some(&b'?') || charset.is_empty() {
        return Found::Malformed;
    }
    let text_start = q1 + 3;
    let Some(len) = s[text_start..]
        .iter()
        .position(|&b| !(0x21..0x7f).contains(&b) || b == b'?')
    else {
        return Found::Malformed;
    };
    let q3 = text_start + len;
    if s[q3] != b'?' || s.get(q3 + 1) != Some(&b'=') {
        return Found::Malformed;
    }
    Found::Word(Word {
        charset,
        base64,
        text: &s[text_start..q3],
        len: q3 + 2,
    })
}

/// Decodes the text of `word`, appending to `out`; returns `false` when it
/// was not well-formed (decoded leniently all the same).
fn decode_word(word: &Word<'_>, out: &mut Vec<u8>) -> bool {
    if word.base64 {
        let text = word.text;
        let well_formed = text.len() % 4 == 0
            && text
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        // Lenient base64 never fails.
        let _ = mailwire_core::encoding::base64::decode_to(text, out);
        return well_formed;
    }
    let mut ok = true;
    let text = word.text;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => match (text.get(i + 1).and_then(hex), text.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push((hi << 4) | lo);
                    i += 2;
                }
                _ => {
                    ok = false;
                    out.push(b'=');
                }
            },
            b => out.push(b),
        }
        i += 1;
    }
    ok
}

/// The value of a hexadecimal digit (either case).
pub(crate) fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// The decoded output being built.
struct Out<'d> {
    out: String,
    /// White space seen since the last word or text, not yet written.
    space: Vec<u8>,
    /// Bytes of the run of adjacent encoded words in one charset, not yet
    /// decoded: charset label, bytes, offset of the first word.
    pending: Option<(Vec<u8>, Vec<u8>, usize)>,
    /// The last thing written or pending is an encoded word.
    after_word: bool,
    /// The whole input is valid UTF-8: plain text is UTF-8.
    utf8: bool,
    /// Phrase mode: white space runs collapse to one space and the output is
    /// trimmed.
    phrase: bool,
    /// Offset for defects in text whose exact position is lost.
    fallback_offset: usize,
    defects: &'d mut Vec<Defect>,
}

impl<'d> Out<'d> {
    fn new(utf8: bool, phrase: bool, defects: &'d mut Vec<Defect>) -> Self {
        Self {
            out: String::new(),
            space: Vec::new(),
            pending: None,
            after_word: false,
            utf8,
            phrase,
            fallback_offset: 0,
            defects,
        }
    }

    fn set_fallback_offset(&mut self, offset: usize) {
        self.fallback_offset = offset;
    }

    /// Scans header text: white space, plain text and encoded words.
    /// `base` is the offset of `s` for defects, `None` if unknown.
    fn scan(&mut self, s: &[u8], base: Option<usize>) {
        let at = |i: usize, fallback: usize| base.map_or(fallback, |b| b + i);
        let mut i = 0;
        let mut text_start = 0;
        while i < s.len() {
            if is_space(s[i]) {
                self.text(&s[text_start..i]);
                let end = i + s[i..]
                    .iter()
                    .position(|&b| !is_space(b))
                    .unwrap_or(s.len() - i);
                if self.phrase {
                    // Inside a quoted string white space is kept as is.
                    self.space_verbatim(&s[i..end]);
                } else {
                    self.space(&s[i..end]);
                }
                i = end;
                text_start = i;
                continue;
            }
            if s[i] == b'=' && s.get(i + 1) == Some(&b'?') {
                match parse_word(&s[i..]) {
                    Found::Word(word) => {
                        self.text(&s[text_start..i]);
                        self.word(&word, at(i, self.fallback_offset));
                        i += word.len;
                        text_start = i;
                        continue;
                    }
                    Found::Malformed => {
                        let offset = at(i, self.fallback_offset);
                        self.defects
                            .push(Defect::new(offset, DefectKind::InvalidEncodedWord));
                    }
                    Found::Nothing => {}
                }
                i += 2;
                continue;
            }
            i += 1;
        }
        self.text(&s[text_start..]);
    }

    /// Decodes the pending run of encoded words into the output.
    fn flush_words(&mut self) {
        if let Some((label, bytes, offset)) = self.pending.take() {
            let (text, known) = charset::decode(&label, &bytes);
            if !known {
                self.defects
                    .push(Defect::new(offset, DefectKind::UnknownCharset));
            }
            self.out.push_str(&text);
        }
    }

    /// Writes the pending white space.
    fn flush_space(&mut self) {
        if self.space.is_empty() {
            return;
        }
        if !(self.phrase && self.out.is_empty()) {
            // Unfolding removes the line breaks (CRLF, or a bare LF); a
            // bare CR is not one, and stays as text (RFC 5322 4.1
            // `obs-utext`).
            let space: Vec<u8> = self
                .space
                .iter()
                .enumerate()
                .filter(|&(i, &b)| {
                    !(b == b'\n' || (b == b'\r' && self.space.get(i + 1) == Some(&b'\n')))
                })
                .map(|(_, &b)| b)
                .collect();
            self.out.push_str(&String::from_utf8_lossy(&space));
        }
        self.space.clear();
    }

    /// White space between words (collapsed to one space in a phrase).
    fn space(&mut self, s: &[u8]) {
        if self.phrase {
            if self.space.is_empty() {
                self.space.push(b' ');
            }
        } else {
            self.space.extend_from_slice(s);
        }
    }

    /// White space kept as written (inside a quoted string).
    fn space_verbatim(&mut self, s: &[u8]) {
        self.space.extend_from_slice(s);
    }

    /// Plain text.
    fn text(&mut self, s: &[u8]) {
        if s.is_empty() {
            return;
        }
        self.flush_words();
        self.flush_space();
        if self.utf8 {
            self.out.push_str(&String::from_utf8_lossy(s));
        } else {
            // One decision for the whole value: it is not UTF-8.
            self.out.push_str(&charset::decode(b"windows-1252", s).0);
        }
        self.after_word = false;
    }

    /// An encoded word at `offset`.
    fn word(&mut self, word: &Word<'_>, offset: usize) {
        if self.after_word {
            // RFC 2047 section 6.2: white space between encoded words goes.
            self.space.clear();
        } else {
            self.flush_space();
        }
        let same = self
            .pending
            .as_ref()
            .is_some_and(|(label, _, _)| charset::same_charset(label, word.charset));
        if !same {
            self.flush_words();
            // The space of the first word of a run is written now.
            self.flush_space();
            self.pending = Some((word.charset.to_vec(), Vec::new(), offset));
        }
        if let Some((_, bytes, _)) = self.pending.as_mut() {
            if !decode_word(word, bytes) {
                self.defects
                    .push(Defect::new(offset, DefectKind::InvalidEncodedWord));
            }
        }
        self.after_word = true;
    }

    fn finish(mut self) -> String {
        self.flush_words();
        if !self.phrase {
            self.flush_space();
        }
        self.out
    }
}

/// Whether `first` followed by `second` occurs in `text`. (A one-shot
/// substring search builds a searcher per call; on short header values a
/// byte scan is cheaper.)
pub(crate) fn has_pair(text: &[u8], first: u8, second: u8) -> bool {
    memchr::memchr_iter(first, text).any(|at| text.get(at + 1) == Some(&second))
}
