//! The response grammar (RFC 3501 section 9, RFC 9051 section 9), one
//! byte cursor over a complete response (its lines and literals), plus
//! the limits and errors of the response side.

use core::fmt;
use core::num::NonZeroU32;
use std::borrow::Cow;

use super::has_nul;
use crate::types::chars::{
    is_astring_char, is_atom_char, is_name_char, is_quoted_stop, is_tag_char,
};
use crate::types::{
    AString, Address, Atom, BodyExt, BodyExtension, BodyStructure, Capability, Code, Continuation,
    Data, DateTime, Disposition, ESearch, ESearchData, Envelope, FetchItem, Flag, FlagPerm,
    ListAttribute, ListData, ListExtended, Mailbox, NString, Namespace, QuotaResource, Response,
    Section, SectionText, SequenceSet, SinglePart, SinglePartKind, Status, StatusItem, StatusKind,
    StreamedItem, Tag, Thread,
};

/// Bounds on what a server may send to a client. Every buffer the
/// [`ResponseReader`](super::ResponseReader) keeps is bounded by one of
/// them; an announced literal size is checked before anything is
/// allocated or read.
///
/// ```
/// use mailwire_imap::parse::ResponseLimits;
/// let mut limits = ResponseLimits::DEFAULT;
/// assert_eq!(limits.max_depth, 64);
/// limits.max_streamed_literal = 50 * 1024 * 1024; // refuse messages over 50 MiB
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ResponseLimits {
    /// Longest line of a response, CRLF included, literals not counted.
    /// Default 1 MiB (a SEARCH answer of a large mailbox is long).
    pub max_line: usize,
    /// Largest literal kept in memory (a subject inside an ENVELOPE, or
    /// a whole `BODY[]` when literals are not streamed). Default 16 MiB.
    pub max_literal: u64,
    /// Largest literal streamed as chunks (FETCH `BODY[]`, `BINARY[]`,
    /// `RFC822`). Default 4 GiB.
    pub max_streamed_literal: u64,
    /// Largest buffered response: all its lines and kept literals.
    /// Default 32 MiB.
    pub max_response: usize,
    /// Deepest nesting of parenthesised lists (BODYSTRUCTURE, THREAD,
    /// extension data). Default 64. Parsing recurses at most this deep.
    pub max_depth: usize,
    /// Most items in one response (list elements, numbers of a SEARCH
    /// answer, FETCH items). Default 1 000 000.
    pub max_items: usize,
}

impl ResponseLimits {
    /// The defaults named on each field.
    pub const DEFAULT: Self = Self {
        max_line: 1024 * 1024,
        max_literal: 16 * 1024 * 1024,
        max_streamed_literal: 4 * 1024 * 1024 * 1024,
        max_response: 32 * 1024 * 1024,
        max_depth: 64,
        max_items: 1_000_000,
    };
}

impl Default for ResponseLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a response did not parse, and where (byte offset in the
/// response, literals included).
///
/// ```
/// use mailwire_imap::parse::ResponseErrorKind;
/// use mailwire_imap::types::Response;
/// let err = Response::parse(b"* 3 EXISTS extra\r\n").unwrap_err();
/// assert!(matches!(err.kind(), ResponseErrorKind::Syntax(_)));
/// assert_eq!(err.offset(), 11);
/// assert_eq!(Response::parse(b"* 3 EXI").unwrap_err().kind(), ResponseErrorKind::Incomplete);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseError {
    kind: ResponseErrorKind,
    offset: usize,
}

/// What kind of error a [`ResponseError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseErrorKind {
    /// The response breaks the grammar; the text names what was
    /// expected.
    Syntax(&'static str),
    /// The input ended inside the response (one-shot parsing only).
    Incomplete,
    /// A line is longer than [`ResponseLimits::max_line`].
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// The response is larger than [`ResponseLimits::max_response`].
    ResponseTooLarge {
        /// The limit.
        max: usize,
    },
    /// An announced literal is larger than its limit.
    LiteralTooLarge {
        /// The announced size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Lists nest deeper than [`ResponseLimits::max_depth`].
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// More items than [`ResponseLimits::max_items`].
    TooManyItems {
        /// The limit.
        max: usize,
    },
}

impl ResponseError {
    pub(crate) const fn new(kind: ResponseErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> ResponseErrorKind {
        self.kind
    }

    /// The byte offset in the response where it went wrong.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ResponseErrorKind as K;
        match self.kind {
            K::Syntax(what) => write!(f, "syntax error, expected {what}")?,
            K::Incomplete => f.write_str("input ends inside the response")?,
            K::LineTooLong { max } => write!(f, "line longer than {max} octets")?,
            K::ResponseTooLarge { max } => write!(f, "response larger than {max} octets")?,
            K::LiteralTooLarge { size, max } => {
                write!(f, "literal of {size} octets, more than {max}")?;
            }
            K::TooDeep { max } => write!(f, "nested deeper than {max}")?,
            K::TooManyItems { max } => write!(f, "more than {max} items")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for ResponseError {}

type Result<T> = core::result::Result<T, ResponseError>;
use ResponseErrorKind as K;

/// A cursor over one response.
pub(crate) struct P<'a> {
    input: &'a [u8],
    pos: usize,
    limits: ResponseLimits,
    depth: usize,
    items: usize,
    /// A literal was read or skipped (a response holding one spans
    /// several lines).
    saw_literal: bool,
    /// Stop at the first literal (a one-line attempt: a response with
    /// a literal is framed instead, and its octets are not scanned
    /// twice).
    one_line: bool,
}

impl<'a> P<'a> {
    pub(crate) fn new(input: &'a [u8], limits: &ResponseLimits) -> Self {
        Self {
            input,
            pos: 0,
            limits: *limits,
            depth: 0,
            items: 0,
            saw_literal: false,
            one_line: false,
        }
    }

    /// A cursor that fails at the first literal (see `one_line`).
    pub(crate) fn one_line(input: &'a [u8], limits: &ResponseLimits) -> Self {
        let mut p = Self::new(input, limits);
        p.one_line = true;
        p
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn rest(&self) -> &'a [u8] {
        &self.input[self.pos.min(self.input.len())..]
    }

    fn err(&self, what: &'static str) -> ResponseError {
        if self.at_end() {
            ResponseError::new(K::Incomplete, self.pos)
        } else {
            ResponseError::new(K::Syntax(what), self.pos)
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8, what: &'static str) -> Result<()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn sp(&mut self) -> Result<()> {
        self.expect(b' ', "SP")
    }

    fn item(&mut self) -> Result<()> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(ResponseError::new(
                K::TooManyItems {
                    max: self.limits.max_items,
                },
                self.pos,
            ));
        }
        Ok(())
    }

    /// Opens a list: `(`, one level deeper.
    fn open(&mut self) -> Result<()> {
        self.expect(b'(', "(")?;
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(ResponseError::new(
                K::TooDeep {
                    max: self.limits.max_depth,
                },
                self.pos - 1,
            ));
        }
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        self.expect(b')', ")")?;
        self.depth -= 1;
        Ok(())
    }

    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes()) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, class: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        let rest = self.rest();
        let len = rest.iter().position(|&b| !class(b)).unwrap_or(rest.len());
        self.pos += len;
        &self.input[start..start + len]
    }

    fn str_of(bytes: &'a [u8]) -> &'a str {
        // Callers pass runs of ASCII classes only.
        core::str::from_utf8(bytes).unwrap_or_default()
    }

    /// CRLF (a bare LF accepted), trailing spaces before it tolerated.
    fn crlf(&mut self) -> Result<()> {
        while self.eat(b' ') {}
        self.eat(b'\r');
        self.expect(b'\n', "CRLF")
    }

    /// `atom = 1*ATOM-CHAR`.
    fn atom(&mut self) -> Result<Atom<'a>> {
        let atom = self.take_while(is_atom_char);
        if atom.is_empty() {
            return Err(self.err("atom"));
        }
        Ok(Atom::new_unchecked(Self::str_of(atom)))
    }

    /// `number64 = 1*DIGIT`.
    fn number64(&mut self) -> Result<u64> {
        // One pass: digits are read and accumulated together (numbers
        // are most of a SEARCH or STATUS response). Up to 19 digits
        // cannot overflow 64 bits, so the common case needs no checks.
        let start = self.pos;
        let mut n: u64 = 0;
        let mut end = start;
        while let Some(&b) = self.input.get(end) {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            n = n.wrapping_mul(10).wrapping_add(u64::from(d));
            end += 1;
        }
        self.pos = end;
        if end == start {
            return Err(self.err("number"));
        }
        if end - start > 19 {
            // Recount with checks: leading zeros may still fit.
            let mut checked: Option<u64> = Some(0);
            for &b in &self.input[start..end] {
                checked = checked
                    .and_then(|n| n.checked_mul(10))
                    .and_then(|n| n.checked_add(u64::from(b - b'0')));
            }
            return checked.ok_or(ResponseError::new(K::Syntax("number"), start));
        }
        Ok(n)
    }

    /// `number` (32-bit).
    fn number(&mut self) -> Result<u32> {
        let start = self.pos;
        let n = self.number64()?;
        u32::try_from(n).map_err(|_| ResponseError::new(K::Syntax("32-bit number"), start))
    }

    /// `nz-number`.
    fn nz_number(&mut self) -> Result<NonZeroU32> {
        let start = self.pos;
        let n = self.number()?;
        NonZeroU32::new(n).ok_or(ResponseError::new(K::Syntax("non-zero number"), start))
    }

    /// `quoted = DQUOTE *QUOTED-CHAR DQUOTE` (8-bit octets accepted, RFC
    /// 9051; CR, LF and NUL refused).
    fn quoted(&mut self) -> Result<Cow<'a, [u8]>> {
        self.expect(b'"', "quoted string")?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Jump over the plain run (one table lookup per byte), then
            // look at what stopped it.
            let run = self
                .rest()
                .iter()
                .position(|&b| is_quoted_stop(b))
                .unwrap_or(self.rest().len());
            self.pos += run;
            match self.peek() {
                None => return Err(self.err("closing quote")),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\') => self.pos += 1,
                        _ => return Err(self.err("\\\" or \\\\")),
                    }
                }
                Some(_) => return Err(self.err("quoted character")),
            }
        }
        let raw = &self.input[start..self.pos];
        self.pos += 1;
        if !escaped {
            return Ok(Cow::Borrowed(raw));
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut bytes = raw.iter();
        while let Some(&b) = bytes.next() {
            if b == b'\\' {
                if let Some(&next) = bytes.next() {
                    out.push(next);
                }
            } else {
                out.push(b);
            }
        }
        Ok(Cow::Owned(out))
    }

    /// `literal = "{" number64 ["+"] "}" CRLF *CHAR8`, `literal8 = "~{"
    /// number64 "}" CRLF *OCTET`. Returns the octets and whether it was
    /// a `literal8`.
    fn literal(&mut self) -> Result<(&'a [u8], bool)> {
        self.saw_literal = true;
        if self.one_line {
            return Err(ResponseError::new(K::Syntax("one line"), self.pos));
        }
        let binary = self.eat(b'~');
        self.expect(b'{', "literal")?;
        let start = self.pos;
        let size = self.number64()?;
        self.eat(b'+');
        self.expect(b'}', "}")?;
        self.eat(b'\r');
        self.expect(b'\n', "CRLF after literal")?;
        if size > self.limits.max_literal {
            return Err(ResponseError::new(
                K::LiteralTooLarge {
                    size,
                    max: self.limits.max_literal,
                },
                start,
            ));
        }
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if self.rest().len() < size {
            return Err(ResponseError::new(K::Incomplete, self.input.len()));
        }
        let data = &self.input[self.pos..self.pos + size];
        self.pos += size;
        if !binary && has_nul(data) {
            return Err(ResponseError::new(K::Syntax("literal without NUL"), start));
        }
        Ok((data, binary))
    }

    /// `string = quoted / literal`.
    fn string(&mut self) -> Result<AString<'a>> {
        match self.peek() {
            Some(b'"') => self.quoted().map(AString::new),
            Some(b'{') => self.literal().map(|(d, _)| AString::new(d)),
            _ => Err(self.err("string")),
        }
    }

    /// `astring = 1*ASTRING-CHAR / string`.
    fn astring(&mut self) -> Result<AString<'a>> {
        match self.peek() {
            Some(b'"' | b'{') => self.string(),
            _ => {
                let atom = self.take_while(is_astring_char);
                if atom.is_empty() {
                    return Err(self.err("astring"));
                }
                Ok(AString::new(atom))
            }
        }
    }

    fn nil(&mut self) -> bool {
        let rest = self.rest();
        if rest.len() >= 3
            && rest[..3].eq_ignore_ascii_case(b"NIL")
            && rest.get(3).is_none_or(|&b| !is_atom_char(b))
        {
            self.pos += 3;
            true
        } else {
            false
        }
    }

    /// `nstring = string / nil`.
    fn nstring(&mut self) -> Result<NString<'a>> {
        if self.nil() {
            Ok(None)
        } else {
            self.string().map(Some)
        }
    }

    /// `nstring / literal8` (BINARY data).
    fn nstring8(&mut self) -> Result<NString<'a>> {
        if self.peek() == Some(b'~') {
            return self.literal().map(|(d, _)| Some(AString::new(d)));
        }
        self.nstring()
    }

    fn mailbox(&mut self) -> Result<Mailbox<'a>> {
        self.astring().map(Mailbox::new)
    }

    /// `flag` / `flag-perm` text: `"\" atom / "\*" / atom`.
    fn flag_text(&mut self) -> Result<&'a str> {
        let start = self.pos;
        self.eat(b'\\');
        if self.pos > start && self.eat(b'*') {
            return Ok("\\*");
        }
        let atom = self.take_while(is_atom_char);
        if atom.is_empty() {
            return Err(self.err("flag"));
        }
        Ok(Self::str_of(&self.input[start..self.pos]))
    }

    fn flag(&mut self) -> Result<Flag<'a>> {
        let start = self.pos;
        let text = self.flag_text()?;
        Flag::parse(text).ok_or(ResponseError::new(K::Syntax("flag"), start))
    }

    /// `"(" [x *(SP x)] ")"`.
    fn paren_list<T>(&mut self, mut one: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        self.open()?;
        let mut out = Vec::new();
        if self.eat(b')') {
            self.depth -= 1;
            return Ok(out);
        }
        loop {
            self.item()?;
            out.push(one(self)?);
            if self.eat(b' ') {
                // Some servers leave a space before ")".
                if self.peek() == Some(b')') {
                    break;
                }
                continue;
            }
            break;
        }
        self.close()?;
        Ok(out)
    }

    fn flag_list(&mut self) -> Result<Vec<Flag<'a>>> {
        self.paren_list(Self::flag)
    }

    fn sequence_set(&mut self) -> Result<SequenceSet<'a>> {
        let start = self.pos;
        let text = self.take_while(|b| b.is_ascii_digit() || matches!(b, b':' | b',' | b'*'));
        if crate::types::valid_set(text) {
            Ok(SequenceSet::new_unchecked(Self::str_of(text)))
        } else {
            Err(ResponseError::new(K::Syntax("sequence-set"), start))
        }
    }

    /// Text up to CR or LF, read lossily as UTF-8.
    fn text(&mut self) -> Cow<'a, str> {
        let text = self.take_while(|b| !matches!(b, b'\r' | b'\n' | 0));
        String::from_utf8_lossy(text)
    }

    /// A quoted delimiter character or `NIL`.
    fn delimiter(&mut self) -> Result<Option<char>> {
        if self.nil() {
            return Ok(None);
        }
        let start = self.pos;
        let quoted = self.quoted()?;
        let text = core::str::from_utf8(&quoted)
            .map_err(|_| ResponseError::new(K::Syntax("delimiter"), start))?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Some(c)),
            _ => Err(ResponseError::new(
                K::Syntax("one delimiter character"),
                start,
            )),
        }
    }

    /// A generic value: atom-like token, string, literal or list of
    /// values; returns its raw octets.
    ///
    /// ```text
    /// tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"
    /// ```
    fn raw_value(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        self.value()?;
        Ok(&self.input[start..self.pos])
    }

    fn value(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'(') => {
                self.open()?;
                if !self.eat(b')') {
                    loop {
                        self.item()?;
                        self.value()?;
                        if !self.eat(b' ') {
                            break;
                        }
                    }
                    self.expect(b')', ")")?;
                }
                self.depth -= 1;
                Ok(())
            }
            Some(b'"') => self.quoted().map(drop),
            Some(b'{' | b'~') => self.literal().map(drop),
            _ => {
                let token = self.take_while(|b| {
                    b > b' ' && b < 0x7f && !matches!(b, b'(' | b')' | b'"' | b'{')
                });
                if token.is_empty() {
                    return Err(self.err("value"));
                }
                Ok(())
            }
        }
    }

    // ---------------------------------------------------------------
    // Responses

    /// ```text
    /// response = *(continue-req / response-data) response-done
    /// continue-req  = "+" SP (resp-text / base64) CRLF
    /// response-data = "*" SP (resp-cond-state / resp-cond-bye /
    ///                 mailbox-data / message-data / capability-data /
    ///                 enable-data) CRLF
    /// response-done = response-tagged / response-fatal
    /// ```
    pub(crate) fn response(&mut self) -> Result<Response<'a>> {
        let response = match self.peek() {
            Some(b'+') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'\r' | b'\n')) {
                    // A bare "+" CRLF, sent by some servers.
                    Response::Continuation(Continuation {
                        code: None,
                        text: Cow::Borrowed(""),
                    })
                } else {
                    self.sp()?;
                    let (code, text) = self.resp_text()?;
                    Response::Continuation(Continuation { code, text })
                }
            }
            Some(b'*') => {
                self.pos += 1;
                self.sp()?;
                self.untagged()?
            }
            _ => {
                let tag = self.take_while(is_tag_char);
                if tag.is_empty() {
                    return Err(self.err("tag, * or +"));
                }
                let tag = Tag::new_unchecked(Self::str_of(tag));
                self.sp()?;
                let start = self.pos;
                let kind = match self.take_while(|b| b.is_ascii_alphabetic()) {
                    w if w.eq_ignore_ascii_case(b"OK") => StatusKind::Ok,
                    w if w.eq_ignore_ascii_case(b"NO") => StatusKind::No,
                    w if w.eq_ignore_ascii_case(b"BAD") => StatusKind::Bad,
                    _ => return Err(ResponseError::new(K::Syntax("OK, NO or BAD"), start)),
                };
                let (code, text) = self.status_rest()?;
                Response::Status(Status {
                    tag: Some(tag),
                    kind,
                    code,
                    text,
                })
            }
        };
        self.crlf()?;
        Ok(response)
    }

    /// After a status keyword: `[SP resp-text]`.
    fn status_rest(&mut self) -> Result<(Option<Code<'a>>, Cow<'a, str>)> {
        if matches!(self.peek(), Some(b'\r' | b'\n')) {
            return Ok((None, Cow::Borrowed("")));
        }
        self.sp()?;
        self.resp_text()
    }

    /// `resp-text = ["[" resp-text-code "]" SP] [text]`. A bracket that
    /// does not open a well-formed code is read as text.
    fn resp_text(&mut self) -> Result<(Option<Code<'a>>, Cow<'a, str>)> {
        if self.peek() == Some(b'[') {
            let start = self.pos;
            self.pos += 1;
            let depth = self.depth;
            let code = match self.code() {
                Ok(code) if self.eat(b']') => Some(code),
                _ => {
                    self.pos = start + 1;
                    self.depth = depth;
                    self.other_code()
                }
            };
            if let Some(code) = code {
                self.eat(b' ');
                return Ok((Some(code), self.text()));
            }
            self.pos = start;
        }
        Ok((None, self.text()))
    }

    /// `atom [SP 1*<any TEXT-CHAR except "]">] "]"`, or `None`.
    fn other_code(&mut self) -> Option<Code<'a>> {
        let name = self.atom().ok()?;
        let text = if self.eat(b' ') {
            let text = self.take_while(|b| !matches!(b, b']' | b'\r' | b'\n' | 0));
            if text.is_empty() {
                return None;
            }
            Some(String::from_utf8_lossy(text))
        } else {
            None
        };
        self.eat(b']').then_some(Code::Other { name, text })
    }

    /// One `resp-text-code` (without the brackets).
    fn code(&mut self) -> Result<Code<'a>> {
        let start = self.pos;
        let name = self.atom()?;
        let name_up = name.as_str();
        let is = |n: &str| name_up.eq_ignore_ascii_case(n);
        let code = if is("ALERT") {
            Code::Alert
        } else if is("PARSE") {
            Code::Parse
        } else if is("READ-ONLY") {
            Code::ReadOnly
        } else if is("READ-WRITE") {
            Code::ReadWrite
        } else if is("TRYCREATE") {
            Code::TryCreate
        } else if is("UIDNOTSTICKY") {
            Code::UidNotSticky
        } else if is("NOMODSEQ") {
            Code::NoModSeq
        } else if is("CLOSED") {
            Code::Closed
        } else if is("TOOBIG") {
            Code::TooBig
        } else if is("OVERQUOTA") {
            Code::OverQuota
        } else if is("ALREADYEXISTS") {
            Code::AlreadyExists
        } else if is("NONEXISTENT") {
            Code::NonExistent
        } else if is("BADCHARSET") {
            let mut charsets = Vec::new();
            if self.eat(b' ') {
                charsets = self.paren_list(Self::astring)?;
            }
            Code::BadCharset(charsets)
        } else if is("CAPABILITY") {
            Code::Capability(self.capabilities()?)
        } else if is("PERMANENTFLAGS") {
            self.sp()?;
            Code::PermanentFlags(self.paren_list(|p| {
                let at = p.pos;
                let text = p.flag_text()?;
                FlagPerm::parse(text).ok_or(ResponseError::new(K::Syntax("flag"), at))
            })?)
        } else if is("UIDNEXT") {
            self.sp()?;
            Code::UidNext(self.nz_number()?)
        } else if is("UIDVALIDITY") {
            self.sp()?;
            Code::UidValidity(self.nz_number()?)
        } else if is("UNSEEN") {
            self.sp()?;
            Code::Unseen(self.nz_number()?)
        } else if is("APPENDUID") {
            self.sp()?;
            let uid_validity = self.nz_number()?;
            self.sp()?;
            Code::AppendUid {
                uid_validity,
                uids: self.sequence_set()?,
            }
        } else if is("COPYUID") {
            self.sp()?;
            let uid_validity = self.nz_number()?;
            self.sp()?;
            let source = self.sequence_set()?;
            self.sp()?;
            Code::CopyUid {
                uid_validity,
                source,
                target: self.sequence_set()?,
            }
        } else if is("HIGHESTMODSEQ") {
            self.sp()?;
            Code::HighestModSeq(self.number64()?)
        } else if is("MODIFIED") {
            self.sp()?;
            Code::Modified(self.sequence_set()?)
        } else {
            self.pos = start;
            return Err(self.err("known code"));
        };
        Ok(code)
    }

    /// `*(SP capability)`.
    fn capabilities(&mut self) -> Result<Vec<Capability<'a>>> {
        let mut caps = Vec::new();
        while self.peek() == Some(b' ') && self.rest().get(1).is_some_and(|&b| is_atom_char(b)) {
            self.pos += 1;
            self.item()?;
            caps.push(Capability::from_atom(self.atom()?));
        }
        Ok(caps)
    }

    /// Everything after `* `.
    fn untagged(&mut self) -> Result<Response<'a>> {
        let start = self.pos;
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            let n = self.number()?;
            self.sp()?;
            let word = self.take_while(|b| b.is_ascii_alphabetic());
            let data = if word.eq_ignore_ascii_case(b"EXISTS") {
                Data::Exists(n)
            } else if word.eq_ignore_ascii_case(b"RECENT") {
                Data::Recent(n)
            } else if word.eq_ignore_ascii_case(b"EXPUNGE") {
                Data::Expunge(
                    NonZeroU32::new(n)
                        .ok_or(ResponseError::new(K::Syntax("non-zero number"), start))?,
                )
            } else if word.eq_ignore_ascii_case(b"FETCH") {
                let seq = NonZeroU32::new(n)
                    .ok_or(ResponseError::new(K::Syntax("non-zero number"), start))?;
                self.sp()?;
                self.open()?;
                let (items, streamed) = self.fetch_items(true)?;
                if streamed.is_some() {
                    return Err(self.err("FETCH value"));
                }
                Data::Fetch { seq, items }
            } else {
                self.pos = start;
                return Ok(Response::Data(Data::Other(Cow::Borrowed(
                    self.rest_of_response()?,
                ))));
            };
            return Ok(Response::Data(data));
        }
        let word = self.take_while(is_name_char);
        let is = |n: &str| word.eq_ignore_ascii_case(n.as_bytes());
        let status = |kind| (kind, ());
        let kind = if is("OK") {
            Some(status(StatusKind::Ok))
        } else if is("NO") {
            Some(status(StatusKind::No))
        } else if is("BAD") {
            Some(status(StatusKind::Bad))
        } else if is("PREAUTH") {
            Some(status(StatusKind::PreAuth))
        } else if is("BYE") {
            Some(status(StatusKind::Bye))
        } else {
            None
        };
        if let Some((kind, ())) = kind {
            let (code, text) = self.status_rest()?;
            return Ok(Response::Status(Status {
                tag: None,
                kind,
                code,
                text,
            }));
        }
        let data = if is("CAPABILITY") {
            Data::Capability(self.capabilities()?)
        } else if is("ENABLED") {
            Data::Enabled(self.capabilities()?)
        } else if is("LIST") {
            self.sp()?;
            Data::List(self.mailbox_list()?)
        } else if is("LSUB") {
            self.sp()?;
            Data::Lsub(self.mailbox_list()?)
        } else if is("STATUS") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            self.sp()?;
            let items = self.paren_list(|p| {
                let at = p.pos;
                let name = p.take_while(is_name_char);
                let item = StatusItem::from_name(name)
                    .ok_or(ResponseError::new(K::Syntax("status item"), at))?;
                p.sp()?;
                Ok((item, p.number64()?))
            })?;
            Data::Status { mailbox, items }
        } else if is("SEARCH") {
            let (ids, modseq) = self.id_list()?;
            Data::Search { ids, modseq }
        } else if is("SORT") {
            let (ids, modseq) = self.id_list()?;
            Data::Sort { ids, modseq }
        } else if is("ESEARCH") {
            Data::ESearch(self.esearch()?)
        } else if is("FLAGS") {
            self.sp()?;
            Data::Flags(self.flag_list()?)
        } else if is("VANISHED") {
            self.sp()?;
            let earlier = self.keyword("(EARLIER)");
            if earlier {
                self.sp()?;
            }
            Data::Vanished {
                earlier,
                uids: self.sequence_set()?,
            }
        } else if is("NAMESPACE") {
            self.sp()?;
            let personal = self.namespaces()?;
            self.sp()?;
            let other = self.namespaces()?;
            self.sp()?;
            let shared = self.namespaces()?;
            Data::Namespace {
                personal,
                other,
                shared,
            }
        } else if is("ID") {
            self.sp()?;
            if self.nil() {
                Data::Id(None)
            } else {
                Data::Id(Some(self.paren_list(|p| {
                    let name = p.string()?;
                    p.sp()?;
                    Ok((name, p.nstring()?))
                })?))
            }
        } else if is("QUOTA") {
            self.sp()?;
            let root = self.astring()?;
            self.sp()?;
            let resources = self.paren_list(|p| {
                let name = p.atom()?;
                p.sp()?;
                let usage = p.number64()?;
                p.sp()?;
                Ok(QuotaResource {
                    name,
                    usage,
                    limit: p.number64()?,
                })
            })?;
            Data::Quota { root, resources }
        } else if is("QUOTAROOT") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            let mut roots = Vec::new();
            while self.peek() == Some(b' ') && !matches!(self.rest().get(1), Some(b'\r' | b'\n')) {
                self.pos += 1;
                self.item()?;
                roots.push(self.astring()?);
            }
            Data::QuotaRoot { mailbox, roots }
        } else if is("THREAD") {
            let mut threads = Vec::new();
            if self.eat(b' ') {
                while self.peek() == Some(b'(') {
                    self.item()?;
                    threads.push(self.thread()?);
                }
            }
            Data::Thread(threads)
        } else {
            self.pos = start;
            Data::Other(Cow::Borrowed(self.rest_of_response()?))
        };
        Ok(Response::Data(data))
    }

    /// The raw rest of a response: up to the CRLF that ends it (lines
    /// ending in a literal announcement continue after the literal).
    fn rest_of_response(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        loop {
            let Some(lf) = memchr::memchr(b'\n', self.rest()) else {
                return Err(ResponseError::new(K::Incomplete, self.input.len()));
            };
            let line_end = self.pos + lf + 1;
            let line = &self.input[self.pos..line_end];
            match literal_announcement(line) {
                Some(a) => {
                    self.saw_literal = true;
                    if self.one_line {
                        return Err(ResponseError::new(K::Syntax("one line"), self.pos));
                    }
                    if a.size > self.limits.max_literal {
                        return Err(ResponseError::new(
                            K::LiteralTooLarge {
                                size: a.size,
                                max: self.limits.max_literal,
                            },
                            self.pos + a.open,
                        ));
                    }
                    let size = usize::try_from(a.size).unwrap_or(usize::MAX);
                    if self.input.len() - line_end < size {
                        return Err(ResponseError::new(K::Incomplete, self.input.len()));
                    }
                    self.pos = line_end + size;
                }
                None => {
                    let end = if lf > 0 && line[lf - 1] == b'\r' {
                        line_end - 2
                    } else {
                        line_end - 1
                    };
                    self.pos = end;
                    let raw = &self.input[start..end];
                    if has_nul(raw) || !response_data_ok(raw) {
                        return Err(ResponseError::new(K::Syntax("response data"), start));
                    }
                    return Ok(raw);
                }
            }
        }
    }

    /// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]`.
    fn id_list(&mut self) -> Result<(Vec<NonZeroU32>, Option<u64>)> {
        let mut ids = Vec::new();
        let mut modseq = None;
        while self.peek() == Some(b' ') {
            match self.rest().get(1) {
                Some(b) if b.is_ascii_digit() => {
                    self.pos += 1;
                    self.item()?;
                    ids.push(self.nz_number()?);
                }
                Some(b'(') => {
                    self.pos += 1;
                    self.open()?;
                    if !self.keyword("MODSEQ") {
                        return Err(self.err("MODSEQ"));
                    }
                    self.sp()?;
                    modseq = Some(self.number64()?);
                    self.close()?;
                    break;
                }
                _ => break,
            }
        }
        Ok((ids, modseq))
    }

    /// After `ESEARCH`.
    fn esearch(&mut self) -> Result<ESearch<'a>> {
        let mut out = ESearch::default();
        if self.rest().starts_with(b" (") {
            self.pos += 1;
            self.open()?;
            if !self.keyword("TAG") {
                return Err(self.err("TAG"));
            }
            self.sp()?;
            out.tag = Some(self.string()?);
            self.close()?;
        }
        while self.peek() == Some(b' ') && self.rest().get(1).is_some_and(|&b| is_atom_char(b)) {
            self.pos += 1;
            let at = self.pos;
            let name = self.atom()?;
            let is = |n: &str| name.eq_ignore_case(n);
            if is("UID") && out.data.is_empty() && !out.uid {
                out.uid = true;
                continue;
            }
            self.sp()?;
            self.item()?;
            out.data.push(if is("MIN") {
                ESearchData::Min(self.nz_number()?)
            } else if is("MAX") {
                ESearchData::Max(self.nz_number()?)
            } else if is("ALL") {
                ESearchData::All(self.sequence_set()?)
            } else if is("COUNT") {
                ESearchData::Count(self.number()?)
            } else if is("MODSEQ") {
                ESearchData::ModSeq(self.number64()?)
            } else if is("UID") {
                return Err(ResponseError::new(K::Syntax("return data"), at));
            } else {
                ESearchData::Other {
                    name,
                    value: Cow::Borrowed(self.raw_value()?),
                }
            });
        }
        Ok(out)
    }

    /// `"(" 1*Namespace ")" / nil`.
    fn namespaces(&mut self) -> Result<Option<Vec<Namespace<'a>>>> {
        if self.nil() {
            return Ok(None);
        }
        self.open()?;
        let mut out = Vec::new();
        while self.peek() == Some(b'(') {
            self.item()?;
            self.open()?;
            let prefix = self.string()?;
            self.sp()?;
            let delimiter = self.delimiter()?;
            let mut extensions = Vec::new();
            while self.eat(b' ') {
                self.item()?;
                let name = self.string()?;
                self.sp()?;
                extensions.push((name, self.paren_list(Self::string)?));
            }
            self.close()?;
            out.push(Namespace {
                prefix,
                delimiter,
                extensions,
            });
            self.eat(b' ');
        }
        self.close()?;
        if out.is_empty() {
            return Err(self.err("namespace"));
        }
        Ok(Some(out))
    }

    /// `thread-list`, recursion bounded by the depth limit.
    fn thread(&mut self) -> Result<Thread> {
        self.open()?;
        let mut thread = Thread::default();
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_digit() => {
                    if !thread.children.is_empty() {
                        return Err(self.err(")"));
                    }
                    self.item()?;
                    thread.ids.push(self.nz_number()?);
                    self.eat(b' ');
                }
                Some(b'(') => {
                    self.item()?;
                    thread.children.push(self.thread()?);
                    self.eat(b' ');
                }
                _ => break,
            }
        }
        self.close()?;
        if thread.ids.is_empty() && thread.children.is_empty() {
            return Err(self.err("thread members"));
        }
        Ok(thread)
    }

    /// ```text
    /// mailbox-list = "(" [mbx-list-flags] ")" SP
    ///                (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
    ///                [SP mbox-list-extended]
    /// ```
    #[inline(always)]
    fn mailbox_list(&mut self) -> Result<ListData<'a>> {
        let attributes = self.paren_list(|p| {
            p.expect(b'\\', "\\")?;
            let name = p.take_while(is_atom_char);
            if name.is_empty() {
                return Err(p.err("atom"));
            }
            // The known names are matched on the octets: only an
            // extension needs its text as an atom.
            Ok(ListAttribute::from_name(name).unwrap_or_else(|| {
                ListAttribute::Extension(Atom::new_unchecked(Self::str_of(name)))
            }))
        })?;
        self.sp()?;
        let delimiter = self.delimiter()?;
        self.sp()?;
        let mailbox = self.mailbox()?;
        let mut extended = Vec::new();
        if self.rest().starts_with(b" (") {
            self.pos += 1;
            extended = self.paren_list(|p| {
                let tag = p.astring()?;
                p.sp()?;
                if tag.as_bytes().eq_ignore_ascii_case(b"CHILDINFO") {
                    Ok(ListExtended::ChildInfo(p.paren_list(Self::astring)?))
                } else if tag.as_bytes().eq_ignore_ascii_case(b"OLDNAME") {
                    p.open()?;
                    let name = p.mailbox()?;
                    p.close()?;
                    Ok(ListExtended::OldName(name))
                } else {
                    Ok(ListExtended::Other {
                        tag,
                        value: Cow::Borrowed(p.raw_value()?),
                    })
                }
            })?;
        }
        Ok(ListData {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
    }

    // ---------------------------------------------------------------
    // FETCH

    /// The items of a FETCH after `(` (`first`) or after a streamed
    /// literal. Stops at `)` (returning no streamed item) or, when the
    /// input ends right where a message-data value starts, returns that
    /// item for the reader to stream.
    ///
    /// ```text
    /// msg-att = "(" (msg-att-dynamic / msg-att-static)
    ///           *(SP (msg-att-dynamic / msg-att-static)) ")"
    /// ```
    pub(crate) fn fetch_items(
        &mut self,
        first: bool,
    ) -> Result<(Vec<FetchItem<'a>>, Option<StreamedItem<'a>>)> {
        let mut items = Vec::new();
        let mut need_sp = !first;
        loop {
            if self.eat(b')') {
                self.depth = self.depth.saturating_sub(1);
                return Ok((items, None));
            }
            if need_sp {
                self.sp()?;
            }
            need_sp = true;
            self.item()?;
            match self.fetch_item()? {
                Ok(item) => items.push(item),
                Err(streamed) => return Ok((items, Some(streamed))),
            }
        }
    }

    /// The head of a streamed FETCH: `"*" SP nz-number SP "FETCH" SP "("`
    /// and the items up to the streamed literal.
    #[allow(clippy::type_complexity)]
    pub(crate) fn fetch_head(
        &mut self,
    ) -> Result<(NonZeroU32, Vec<FetchItem<'a>>, Option<StreamedItem<'a>>)> {
        self.expect(b'*', "*")?;
        self.sp()?;
        let seq = self.nz_number()?;
        self.sp()?;
        if !self.keyword("FETCH") {
            return Err(self.err("FETCH"));
        }
        self.sp()?;
        self.open()?;
        let (items, streamed) = self.fetch_items(true)?;
        Ok((seq, items, streamed))
    }

    /// The rest of a streamed FETCH after a literal: items, then `)`
    /// CRLF (or the next streamed literal).
    #[allow(clippy::type_complexity)]
    pub(crate) fn fetch_tail(&mut self) -> Result<(Vec<FetchItem<'a>>, Option<StreamedItem<'a>>)> {
        let (items, streamed) = self.fetch_items(false)?;
        if streamed.is_none() {
            self.crlf()?;
        }
        Ok((items, streamed))
    }

    /// Whether the cursor consumed the whole input.
    /// Whether a literal was read or skipped.
    pub(crate) const fn saw_literal(&self) -> bool {
        self.saw_literal
    }

    pub(crate) fn done(&self) -> bool {
        self.at_end()
    }

    /// One `msg-att` item; `Err(item)` when its value is to be streamed
    /// (the input ends where the value starts).
    #[allow(clippy::type_complexity)]
    fn fetch_item(&mut self) -> Result<core::result::Result<FetchItem<'a>, StreamedItem<'a>>> {
        let start = self.pos;
        let name = self.take_while(|b| is_atom_char(b) && b != b'[');
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let streamed = if is("BODY") && self.peek() == Some(b'[') {
            let section = self.section()?;
            let origin = if self.eat(b'<') {
                let n = self.number()?;
                self.expect(b'>', ">")?;
                Some(n)
            } else {
                None
            };
            Some(StreamedItem::BodySection { section, origin })
        } else if is("BINARY") && self.peek() == Some(b'[') {
            Some(StreamedItem::Binary {
                part: self.binary_part()?,
            })
        } else if is("RFC822") {
            Some(StreamedItem::Rfc822)
        } else if is("RFC822.HEADER") {
            Some(StreamedItem::Rfc822Header)
        } else if is("RFC822.TEXT") {
            Some(StreamedItem::Rfc822Text)
        } else {
            None
        };
        if let Some(item) = streamed {
            self.sp()?;
            if self.at_end() {
                return Ok(Err(item));
            }
            let data = if matches!(item, StreamedItem::Binary { .. }) {
                self.nstring8()?
            } else {
                self.nstring()?
            };
            return Ok(Ok(item.with_data(data)));
        }
        let item = if is("FLAGS") {
            self.sp()?;
            FetchItem::Flags(self.flag_list()?)
        } else if is("UID") {
            self.sp()?;
            FetchItem::Uid(self.nz_number()?)
        } else if is("RFC822.SIZE") {
            self.sp()?;
            FetchItem::Rfc822Size(self.number64()?)
        } else if is("INTERNALDATE") {
            self.sp()?;
            let at = self.pos;
            let text = self.quoted()?;
            FetchItem::InternalDate(
                DateTime::parse_inner(&text)
                    .ok_or(ResponseError::new(K::Syntax("date-time"), at))?,
            )
        } else if is("ENVELOPE") {
            self.sp()?;
            FetchItem::Envelope(Box::new(self.envelope()?))
        } else if is("BODYSTRUCTURE") {
            self.sp()?;
            FetchItem::BodyStructure(Box::new(self.body()?))
        } else if is("BODY") {
            self.sp()?;
            FetchItem::Body(Box::new(self.body()?))
        } else if is("BINARY.SIZE") && self.peek() == Some(b'[') {
            let part = self.binary_part()?;
            self.sp()?;
            FetchItem::BinarySize {
                part,
                size: self.number64()?,
            }
        } else if is("MODSEQ") {
            self.sp()?;
            self.open()?;
            let n = self.number64()?;
            self.close()?;
            FetchItem::ModSeq(n)
        } else if !name.is_empty() && self.peek() == Some(b' ') && !is_known_item(name) {
            self.pos += 1;
            FetchItem::Other {
                name: Cow::Borrowed(Self::str_of(name)),
                value: Cow::Borrowed(self.raw_value()?),
            }
        } else {
            self.pos = start;
            return Err(self.err("FETCH item"));
        };
        Ok(Ok(item))
    }

    /// `section-part = nz-number *("." nz-number)` (maybe empty).
    fn section_part(&mut self) -> Result<Vec<NonZeroU32>> {
        let mut part = Vec::new();
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.item()?;
            part.push(self.nz_number()?);
            if !(self.peek() == Some(b'.') && self.rest().get(1).is_some_and(u8::is_ascii_digit)) {
                break;
            }
            self.pos += 1;
        }
        Ok(part)
    }

    /// `section-binary = "[" [section-part] "]"`.
    fn binary_part(&mut self) -> Result<Vec<NonZeroU32>> {
        self.expect(b'[', "[")?;
        let part = self.section_part()?;
        self.expect(b']', "]")?;
        Ok(part)
    }

    /// ```text
    /// section         = "[" [section-spec] "]"
    /// section-spec    = section-msgtext / (section-part ["." section-text])
    /// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    /// section-text    = section-msgtext / "MIME"
    /// header-list     = "(" header-fld-name *(SP header-fld-name) ")"
    /// ```
    fn section(&mut self) -> Result<Section<'a>> {
        self.expect(b'[', "[")?;
        let part = self.section_part()?;
        let text = if self.peek() == Some(b']') {
            None
        } else {
            if !part.is_empty() {
                self.expect(b'.', ".")?;
            }
            Some(if self.keyword("HEADER.FIELDS.NOT") {
                self.sp()?;
                SectionText::HeaderFieldsNot(self.header_list()?)
            } else if self.keyword("HEADER.FIELDS") {
                self.sp()?;
                SectionText::HeaderFields(self.header_list()?)
            } else if self.keyword("HEADER") {
                SectionText::Header
            } else if self.keyword("TEXT") {
                SectionText::Text
            } else if !part.is_empty() && self.keyword("MIME") {
                SectionText::Mime
            } else {
                return Err(self.err("section text"));
            })
        };
        self.expect(b']', "]")?;
        Ok(Section { part, text })
    }

    /// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`.
    fn header_list(&mut self) -> Result<Vec<AString<'a>>> {
        let at = self.pos;
        let names = self.paren_list(Self::astring)?;
        if names.is_empty() {
            return Err(ResponseError::new(K::Syntax("header field name"), at + 1));
        }
        Ok(names)
    }

    /// ```text
    /// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP
    ///            env-reply-to SP env-to SP env-cc SP env-bcc SP
    ///            env-in-reply-to SP env-message-id ")"
    /// ```
    fn envelope(&mut self) -> Result<Envelope<'a>> {
        self.open()?;
        let date = self.nstring()?;
        self.sp()?;
        let subject = self.nstring()?;
        let mut lists: [Vec<Address<'a>>; 6] = Default::default();
        for list in &mut lists {
            self.sp()?;
            *list = self.address_list()?;
        }
        self.sp()?;
        let in_reply_to = self.nstring()?;
        self.sp()?;
        let message_id = self.nstring()?;
        self.close()?;
        let [from, sender, reply_to, to, cc, bcc] = lists;
        Ok(Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        })
    }

    /// `"(" 1*address ")" / nil` (spaces between addresses tolerated).
    fn address_list(&mut self) -> Result<Vec<Address<'a>>> {
        if self.nil() {
            return Ok(Vec::new());
        }
        self.open()?;
        let mut out = Vec::new();
        while self.peek() == Some(b'(') {
            self.item()?;
            self.open()?;
            let name = self.nstring()?;
            self.sp()?;
            let adl = self.nstring()?;
            self.sp()?;
            let mailbox = self.nstring()?;
            self.sp()?;
            let host = self.nstring()?;
            self.close()?;
            out.push(Address {
                name,
                adl,
                mailbox,
                host,
            });
            self.eat(b' ');
        }
        self.close()?;
        Ok(out)
    }

    /// ```text
    /// body = "(" (body-type-1part / body-type-mpart) ")"
    /// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    /// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
    ///                   [SP body-ext-1part]
    /// ```
    fn body(&mut self) -> Result<BodyStructure<'a>> {
        self.open()?;
        let body = if self.peek() == Some(b'(') {
            let mut parts = Vec::new();
            while self.peek() == Some(b'(') {
                self.item()?;
                parts.push(self.body()?);
                // Some servers separate the parts with a space.
                if self.rest().starts_with(b" (") {
                    self.pos += 1;
                }
            }
            self.sp()?;
            let subtype = self.string()?;
            let ext = if self.eat(b' ') {
                let params = self.params()?;
                Some(self.ext_rest(BodyExt {
                    params,
                    ..BodyExt::default()
                })?)
            } else {
                None
            };
            BodyStructure::Multipart {
                parts,
                subtype,
                ext,
            }
        } else {
            let media_type = self.string()?;
            self.sp()?;
            let subtype = self.string()?;
            self.sp()?;
            let params = self.params()?;
            self.sp()?;
            let id = self.nstring()?;
            self.sp()?;
            let description = self.nstring()?;
            self.sp()?;
            let encoding = self.string()?;
            self.sp()?;
            let size = self.number64()?;
            let ty = media_type.as_bytes();
            let sub = subtype.as_bytes();
            let kind = if ty.eq_ignore_ascii_case(b"TEXT") {
                self.sp()?;
                SinglePartKind::Text {
                    lines: self.number64()?,
                }
            } else if ty.eq_ignore_ascii_case(b"MESSAGE")
                && (sub.eq_ignore_ascii_case(b"RFC822") || sub.eq_ignore_ascii_case(b"GLOBAL"))
                && self.rest().starts_with(b" (")
            {
                self.sp()?;
                let envelope = Box::new(self.envelope()?);
                self.sp()?;
                let body = Box::new(self.body()?);
                self.sp()?;
                SinglePartKind::Message {
                    envelope,
                    body,
                    lines: self.number64()?,
                }
            } else {
                SinglePartKind::Basic
            };
            let ext = if self.eat(b' ') {
                let md5 = self.nstring()?;
                Some(self.ext_rest(BodyExt {
                    md5,
                    ..BodyExt::default()
                })?)
            } else {
                None
            };
            BodyStructure::Single {
                part: SinglePart {
                    media_type,
                    subtype,
                    params,
                    id,
                    description,
                    encoding,
                    size,
                    kind,
                },
                ext,
            }
        };
        self.close()?;
        Ok(body)
    }

    /// `body-fld-param = "(" string SP string *(SP string SP string) ")"
    /// / nil` (an empty list tolerated).
    fn params(&mut self) -> Result<Vec<(AString<'a>, AString<'a>)>> {
        if self.nil() {
            return Ok(Vec::new());
        }
        self.paren_list(|p| {
            let name = p.string()?;
            p.sp()?;
            Ok((name, p.string()?))
        })
    }

    /// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP
    /// body-extension)]]]`.
    fn ext_rest(&mut self, mut ext: BodyExt<'a>) -> Result<BodyExt<'a>> {
        if !self.eat(b' ') {
            return Ok(ext);
        }
        ext.disposition = if self.nil() {
            None
        } else {
            self.open()?;
            let kind = self.string()?;
            self.sp()?;
            let params = self.params()?;
            self.close()?;
            Some(Disposition { kind, params })
        };
        if !self.eat(b' ') {
            return Ok(ext);
        }
        ext.language = if self.nil() {
            Vec::new()
        } else if self.peek() == Some(b'(') {
            self.paren_list(Self::string)?
        } else {
            vec![self.string()?]
        };
        if !self.eat(b' ') {
            return Ok(ext);
        }
        ext.location = self.nstring()?;
        while self.eat(b' ') {
            self.item()?;
            ext.extensions.push(self.body_extension()?);
        }
        Ok(ext)
    }

    /// `body-extension = nstring / number / "(" body-extension *(SP
    /// body-extension) ")"`.
    fn body_extension(&mut self) -> Result<BodyExtension<'a>> {
        match self.peek() {
            Some(b'(') => Ok(BodyExtension::List(self.paren_list(Self::body_extension)?)),
            Some(b) if b.is_ascii_digit() => Ok(BodyExtension::Number(self.number64()?)),
            _ => Ok(BodyExtension::NString(self.nstring()?)),
        }
    }
}

/// A literal announced at the end of a line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Announce {
    /// Where `{` (or `~`) is in the line.
    pub(crate) open: usize,
    pub(crate) size: u64,
    pub(crate) binary: bool,
}

/// `literal = "{" number64 ["+"] "}" CRLF` at the end of `line` (which
/// ends with LF).
pub(crate) fn literal_announcement(line: &[u8]) -> Option<Announce> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_suffix(b"}")?;
    let line = line.strip_suffix(b"+").unwrap_or(line);
    let digits = line.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let number_at = line.len() - digits;
    let open = number_at.checked_sub(1)?;
    if line[open] != b'{' {
        return None;
    }
    // An overflowing size is as good as infinite: over every limit.
    let size = line[number_at..].iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    let binary = open > 0 && line[open - 1] == b'~';
    Some(Announce {
        open: if binary { open - 1 } else { open },
        size: size.unwrap_or(u64::MAX),
        binary,
    })
}

impl<'a> Response<'a> {
    /// Parses one complete response (its literals included) from the
    /// start of `input`, with [`ResponseLimits::DEFAULT`]. Returns the
    /// response and the number of bytes it took, CRLF included. Lines
    /// are not length-checked here (the
    /// [`ResponseReader`](super::ResponseReader) does that while
    /// framing).
    ///
    /// ```text
    /// response = continue-req / response-data / response-done
    /// ```
    ///
    /// # Errors
    ///
    /// [`ResponseErrorKind::Incomplete`] when `input` ends inside the
    /// response; another kind when it breaks the grammar or a limit.
    ///
    /// ```
    /// use mailwire_imap::types::{Data, FetchItem, Response};
    /// let input = b"* 12 FETCH (UID 7 BODY[] {5}\r\nHello)\r\n";
    /// let (response, len) = Response::parse(input)?;
    /// assert_eq!(len, input.len());
    /// let Response::Data(Data::Fetch { items, .. }) = response else { panic!() };
    /// let FetchItem::BodySection { data: Some(data), .. } = &items[1] else { panic!() };
    /// assert_eq!(data.as_bytes(), b"Hello");
    /// # Ok::<(), mailwire_imap::parse::ResponseError>(())
    /// ```
    pub fn parse(input: &'a [u8]) -> core::result::Result<(Self, usize), ResponseError> {
        Self::parse_with_limits(input, &ResponseLimits::DEFAULT)
    }

    /// [`parse`](Self::parse) with other limits.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    pub fn parse_with_limits(
        input: &'a [u8],
        limits: &ResponseLimits,
    ) -> core::result::Result<(Self, usize), ResponseError> {
        let mut p = P::new(input, limits);
        let response = p.response()?;
        Ok((response, p.pos()))
    }
}

/// Whether `value` is exactly one well-formed value (atom-like token,
/// string, literal or list of values).
pub(crate) fn response_value_ok(value: &[u8], limits: &ResponseLimits) -> bool {
    let mut p = P::new(value, limits);
    p.value().is_ok() && p.done()
}

/// Whether `raw` may follow `* ` as one response: CR, LF and NUL only
/// inside literals (each line break preceded by a literal announcement).
pub(crate) fn response_data_ok(raw: &[u8]) -> bool {
    if raw.is_empty() {
        return false;
    }
    let mut rest = raw;
    loop {
        let Some(lf) = memchr::memchr(b'\n', rest) else {
            return !rest.iter().any(|&b| matches!(b, b'\r' | 0));
        };
        let line = &rest[..=lf];
        let Some(a) = literal_announcement(line) else {
            return false;
        };
        // The announcement line: "{n}" CRLF (or a bare LF, as read).
        let head = line.strip_suffix(b"\n").unwrap_or(line);
        let head = head.strip_suffix(b"\r").unwrap_or(head);
        if head.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            return false;
        }
        let after = &rest[lf + 1..];
        let Ok(size) = usize::try_from(a.size) else {
            return false;
        };
        if after.len() < size || (!a.binary && has_nul(&after[..size])) {
            return false;
        }
        rest = &after[size..];
    }
}

/// The FETCH item names this crate reads (an unknown item may not take
/// one of them).
fn is_known_item(name: &[u8]) -> bool {
    [
        "FLAGS",
        "UID",
        "RFC822.SIZE",
        "INTERNALDATE",
        "ENVELOPE",
        "BODYSTRUCTURE",
        "BODY",
        "BINARY.SIZE",
        "MODSEQ",
        "RFC822",
        "RFC822.HEADER",
        "RFC822.TEXT",
        "BINARY",
    ]
    .iter()
    .any(|k| k.as_bytes().eq_ignore_ascii_case(name))
}
