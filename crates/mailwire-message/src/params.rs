//! MIME header parameters: `Content-Type` (RFC 2045 section 5.1) and
//! `Content-Disposition` (RFC 2183), with RFC 2231 parameter value
//! continuations, charsets and languages.
//!
//! ```text
//! content     := "Content-Type" ":" type "/" subtype *(";" parameter)
//! parameter   := attribute "=" value
//! attribute   := token                    ; case-insensitive
//! value       := token / quoted-string
//! token       := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>
//!
//! disposition := "Content-Disposition" ":" disposition-type *(";" disposition-parm)
//!
//! ; RFC 2231
//! name*0="...";  name*1*=%E9...          ; continuations
//! name*=charset'language'percent-encoded ; extended value
//! ```
//!
//! Parsing keeps the parameters as borrowed raw text; [`Params::get`]
//! joins continuations and decodes a value only when asked. The parser is
//! lenient: comments and white space anywhere between the parts, missing or
//! doubled semicolons, unquoted values holding `tspecials` (such as
//! `boundary=----=_Part_1`) and junk are accepted, and each problem is
//! recorded as a [`DefectKind::InvalidParameter`] defect.
//!
//! ```
//! use mailwire_message::params::ContentType;
//!
//! let ct = ContentType::parse(b" Multipart/Mixed; boundary=\"gc0p4Jq0M2Yt08jU534c0p\"");
//! assert!(ct.is("multipart", "mixed"));
//! assert_eq!(ct.subtype(), "mixed");
//! assert_eq!(ct.boundary().as_deref(), Some("gc0p4Jq0M2Yt08jU534c0p"));
//!
//! // RFC 2231 section 4.1: continuations, charset and language.
//! let ct = ContentType::parse(b"application/x-stuff;\r\n \
//!     title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n \
//!     title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n \
//!     title*2=\"isn't it!\"");
//! assert_eq!(ct.params().get("title").as_deref(), Some("This is even more ***fun*** isn't it!"));
//! ```

use std::borrow::Cow;

use crate::{Defect, DefectKind, charset, encoded_word};

/// The most continuation segments (`name*0` to `name*99`) joined into one
/// value; later segments are ignored.
pub const MAX_SEGMENTS: usize = 100;

/// One raw parameter, as written.
///
/// ```
/// use mailwire_message::params::ContentType;
///
/// let ct = ContentType::parse(b"text/plain; Format=\"flowed\"");
/// let param = ct.params().iter().next().unwrap();
/// assert_eq!(param.name(), "Format");
/// assert_eq!(param.raw_value(), b"flowed");
/// assert!(param.is_quoted());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    name: &'a str,
    value: &'a [u8],
    quoted: bool,
    offset: usize,
}

impl<'a> Param<'a> {
    /// The attribute as written, RFC 2231 suffixes (`*0*`) included.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::parse(b"text/plain; title*0*=us-ascii''a");
    /// assert_eq!(ct.params().iter().next().unwrap().name(), "title*0*");
    /// ```
    #[must_use]
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The value as written: a token, or the content of a quoted string
    /// with its quoted-pairs still in place.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::parse(br#"text/plain; a="x\"y""#);
    /// assert_eq!(ct.params().iter().next().unwrap().raw_value(), br#"x\"y"#);
    /// ```
    #[must_use]
    pub fn raw_value(&self) -> &'a [u8] {
        self.value
    }

    /// Whether the value was a quoted string.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::parse(b"text/plain; charset=utf-8");
    /// assert!(!ct.params().iter().next().unwrap().is_quoted());
    /// ```
    #[must_use]
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// Byte offset of the attribute in the parsed input (plus the base given
    /// to the parser).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::parse_with_defects(b"text/plain; charset=utf-8", 100, &mut Vec::new());
    /// assert_eq!(ct.params().iter().next().unwrap().offset(), 112);
    /// ```
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The value with quoted-pairs undone and folds removed.
    fn unquoted(&self) -> Cow<'a, [u8]> {
        if self.quoted
            && self
                .value
                .iter()
                .any(|&b| matches!(b, b'\\' | b'\r' | b'\n'))
        {
            let mut out = Vec::with_capacity(self.value.len());
            let mut i = 0;
            while i < self.value.len() {
                match self.value[i] {
                    b'\\' if i + 1 < self.value.len() => {
                        out.push(self.value[i + 1]);
                        i += 1;
                    }
                    b'\r' | b'\n' => {}
                    b => out.push(b),
                }
                i += 1;
            }
            Cow::Owned(out)
        } else {
            Cow::Borrowed(self.value)
        }
    }

    /// Splits the name into the base name, the continuation index and
    /// whether the value is extended (RFC 2231 `*`).
    fn parts(&self) -> (&'a str, Option<&'a str>, bool) {
        let (name, extended) = match self.name.strip_suffix('*') {
            Some(name) => (name, true),
            None => (self.name, false),
        };
        match name.split_once('*') {
            Some((base, index)) => (base, Some(index), extended),
            None => (name, None, extended),
        }
    }
}

/// The parameters of a `Content-Type` or `Content-Disposition` value.
///
/// ```
/// use mailwire_message::params::ContentDisposition;
///
/// let cd = ContentDisposition::parse(b"attachment; filename=genome.jpeg;\r\n modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"");
/// let params = cd.params();
/// assert_eq!(params.len(), 2);
/// assert_eq!(params.get("Modification-Date").as_deref(), Some("Wed, 12 Feb 1997 16:29:51 -0500"));
/// assert_eq!(params.get("size"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params<'a> {
    /// Borrowed for the built-in defaults, so they cost no allocation.
    list: Cow<'a, [Param<'a>]>,
}

impl<'a> Params<'a> {
    /// The number of raw parameters (each continuation segment counts).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert_eq!(ContentType::parse(b"text/plain; a*0=x; a*1=y").params().len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are no parameters.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert!(ContentType::parse(b"image/png").params().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The raw parameters, in order.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::parse(b"text/plain; format=flowed; delsp=yes");
    /// let names: Vec<_> = ct.params().iter().map(|p| p.name()).collect();
    /// assert_eq!(names, ["format", "delsp"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &Param<'a>> {
        self.list.iter()
    }

    /// The value of parameter `name` (ASCII case ignored), unquoted, RFC
    /// 2231 continuations joined and percent-decoded, and decoded to text.
    ///
    /// When a name appears in several forms, an RFC 2231 extended value
    /// (`name*`) wins over continuations (`name*0`...), which win over a
    /// plain `name`; among duplicates the first wins. Continuation
    /// segments are joined in index order (at most [`MAX_SEGMENTS`]);
    /// missing ones are skipped. The charset of an extended value is the one
    /// given in its first segment; text without a charset is UTF-8 if valid,
    /// else windows-1252. Leniently, a plain value that is a single RFC 2047
    /// encoded word (as Outlook writes file names) is decoded too.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    ///
    /// // RFC 2231 section 3 and 4.
    /// let ct = ContentType::parse(b"message/external-body; access-type=URL;\r\n \
    ///     URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
    /// assert_eq!(ct.params().get("url").as_deref(), Some("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"));
    /// let ct = ContentType::parse(b"application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    /// assert_eq!(ct.params().get("TITLE").as_deref(), Some("This is ***fun***"));
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        let mut plain = None;
        let mut single = None;
        let mut segments: Vec<Option<&Param<'a>>> = Vec::new();
        for param in self.list.iter() {
            let (base, index, extended) = param.parts();
            if !base.eq_ignore_ascii_case(name) {
                continue;
            }
            match index {
                None if extended => {
                    single = single.or(Some(param));
                }
                None => plain = plain.or(Some(param)),
                Some(index) => {
                    let Some(n) = segment_index(index) else {
                        continue;
                    };
                    if segments.len() <= n {
                        segments.resize(n + 1, None);
                    }
                    if segments[n].is_none() {
                        segments[n] = Some(param);
                    }
                }
            }
        }
        if let Some(param) = single {
            return Some(decode_extended(&[param]));
        }
        let segments: Vec<&Param<'a>> = segments.into_iter().flatten().collect();
        if !segments.is_empty() {
            return Some(decode_extended(&segments));
        }
        let param = plain?;
        Some(match param.unquoted() {
            Cow::Borrowed(value) => decode_plain(value),
            Cow::Owned(value) => Cow::Owned(decode_plain(&value).into_owned()),
        })
    }
}

/// A continuation index: decimal, below [`MAX_SEGMENTS`].
fn segment_index(index: &str) -> Option<usize> {
    if index.is_empty() || index.len() > 3 || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    index.parse().ok().filter(|&n| n < MAX_SEGMENTS)
}

/// A plain (not RFC 2231) value to text: an RFC 2047 encoded word is
/// decoded, 8-bit text is UTF-8 or windows-1252.
fn decode_plain(value: &[u8]) -> Cow<'_, str> {
    if encoded_word::has_pair(value, b'=', b'?') {
        encoded_word::decode_unstructured(value)
    } else {
        charset::decode_8bit_header(value).0
    }
}

/// Joins the segments of an RFC 2231 value (already in order) and decodes
/// it.
fn decode_extended<'a>(segments: &[&Param<'a>]) -> Cow<'a, str> {
    let mut label: Vec<u8> = Vec::new();
    let mut bytes = Vec::new();
    for (i, param) in segments.iter().enumerate() {
        let (_, _, extended) = param.parts();
        let value = param.unquoted();
        if !extended {
            bytes.extend_from_slice(&value);
            continue;
        }
        let mut text: &[u8] = &value;
        if i == 0 {
            // charset'language'text (the language is ignored).
            let mut split = text.splitn(3, |&b| b == b'\'');
            if let (Some(cs), Some(_), Some(rest)) = (split.next(), split.next(), split.next()) {
                label = cs.to_vec();
                text = rest;
            }
        }
        percent_decode(text, &mut bytes);
    }
    let (text, _) = if label.is_empty() {
        charset::decode_8bit_header(&bytes)
    } else {
        charset::decode(&label, &bytes)
    };
    Cow::Owned(text.into_owned())
}

/// Appends `text` with its `%XX` escapes decoded; a malformed `%` is kept.
fn percent_decode(text: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%' {
            if let (Some(hi), Some(lo)) = (
                text.get(i + 1).and_then(encoded_word::hex),
                text.get(i + 2).and_then(encoded_word::hex),
            ) {
                out.push((hi << 4) | lo);
                i += 3;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
}

/// The parameters of the default `text/plain; charset=us-ascii`.
static US_ASCII: [Param<'static>; 1] = [Param {
    name: "charset",
    value: b"us-ascii",
    quoted: false,
    offset: 0,
}];

/// A parsed `Content-Type` value (RFC 2045 section 5.1).
///
/// When the field is absent or its value has no valid `type/subtype`, RFC
/// 2045 section 5.2 says to assume `text/plain; charset=us-ascii`: see
/// [`default_text`](Self::default_text).
///
/// ```
/// use mailwire_message::params::ContentType;
///
/// let ct = ContentType::parse(b"text/plain; charset=\"ISO-8859-1\" (Latin-1)");
/// assert_eq!((ct.main_type().as_ref(), ct.subtype().as_ref()), ("text", "plain"));
/// assert_eq!(ct.charset().as_deref(), Some("ISO-8859-1"));
/// assert_eq!(ct.essence(), "text/plain");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType<'a> {
    main: &'a str,
    sub: &'a str,
    params: Params<'a>,
}

impl<'a> ContentType<'a> {
    /// `text/plain; charset=us-ascii`, the default of RFC 2045 section 5.2.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::default_text();
    /// assert!(ct.is("text", "plain"));
    /// assert_eq!(ct.charset().as_deref(), Some("us-ascii"));
    /// ```
    #[must_use]
    pub fn default_text() -> Self {
        Self {
            main: "text",
            sub: "plain",
            params: Params {
                list: Cow::Borrowed(&US_ASCII),
            },
        }
    }

    /// `message/rfc822`, the default inside `multipart/digest` (RFC 2046
    /// section 5.1.5).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert!(ContentType::message_rfc822().is("message", "rfc822"));
    /// ```
    #[must_use]
    pub fn message_rfc822() -> Self {
        Self {
            main: "message",
            sub: "rfc822",
            params: Params {
                list: Cow::Borrowed(&[]),
            },
        }
    }

    /// Parses a `Content-Type` value (what follows the colon). Never fails:
    /// an invalid value gives [`default_text`](Self::default_text).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert!(ContentType::parse(b"text/html").is("TEXT", "HTML"));
    /// assert_eq!(ContentType::parse(b"garbage"), ContentType::default_text());
    /// ```
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Self {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects with offsets counted from
    /// `base`.
    ///
    /// ```
    /// use mailwire_message::{params::ContentType, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let ct = ContentType::parse_with_defects(b"text/plain charset=utf-8", 10, &mut defects);
    /// assert_eq!(ct.charset().as_deref(), Some("utf-8"));
    /// assert_eq!(defects[0].kind(), DefectKind::InvalidParameter);
    /// assert_eq!(defects[0].offset(), 21);
    /// ```
    #[must_use]
    pub fn parse_with_defects(raw: &'a [u8], base: usize, defects: &mut Vec<Defect>) -> Self {
        let mut p = Parser { raw, pos: 0, base };
        p.skip_cfws();
        let main_start = p.pos;
        let main = p.token();
        p.skip_cfws();
        let slash = p.eat(b'/');
        p.skip_cfws();
        let sub = p.token();
        match (main, slash, sub) {
            (Some(main), true, Some(sub)) => Self {
                main,
                sub,
                params: p.params(defects),
            },
            _ => {
                defects.push(Defect::new(base + main_start, DefectKind::InvalidParameter));
                Self::default_text()
            }
        }
    }

    /// The media type (`text` in `text/plain`), lowercased; borrowed when
    /// already lowercase.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert_eq!(ContentType::parse(b"Text/HTML").main_type(), "text");
    /// ```
    #[must_use]
    pub fn main_type(&self) -> Cow<'a, str> {
        lowercase(self.main)
    }

    /// The subtype (`plain` in `text/plain`), lowercased; borrowed when
    /// already lowercase.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert_eq!(ContentType::parse(b"Text/HTML").subtype(), "html");
    /// ```
    #[must_use]
    pub fn subtype(&self) -> Cow<'a, str> {
        lowercase(self.sub)
    }

    /// `type/subtype`, lowercased.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert_eq!(ContentType::parse(b"Application/PDF; name=x").essence(), "application/pdf");
    /// ```
    #[must_use]
    pub fn essence(&self) -> String {
        format!("{}/{}", self.main_type(), self.subtype())
    }

    /// Whether this is `main/sub`, ASCII case ignored.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert!(ContentType::parse(b"Message/RFC822").is("message", "rfc822"));
    /// ```
    #[must_use]
    pub fn is(&self, main: &str, sub: &str) -> bool {
        self.main.eq_ignore_ascii_case(main) && self.sub.eq_ignore_ascii_case(sub)
    }

    /// Whether the media type is `multipart` (any subtype).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert!(ContentType::parse(b"multipart/alternative; boundary=x").is_multipart());
    /// ```
    #[must_use]
    pub fn is_multipart(&self) -> bool {
        self.main.eq_ignore_ascii_case("multipart")
    }

    /// The parameters.
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert_eq!(ContentType::parse(b"text/plain; a=1").params().get("A").as_deref(), Some("1"));
    /// ```
    #[must_use]
    pub fn params(&self) -> &Params<'a> {
        &self.params
    }

    /// The `charset` parameter (RFC 2046 section 4.1.2).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// assert_eq!(ContentType::parse(b"text/plain; CHARSET=\"utf-8\"").charset().as_deref(), Some("utf-8"));
    /// ```
    #[must_use]
    pub fn charset(&self) -> Option<Cow<'a, str>> {
        self.params.get("charset")
    }

    /// The `boundary` parameter (RFC 2046 section 5.1.1).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::parse(b"multipart/mixed; boundary=simple");
    /// assert_eq!(ct.boundary().as_deref(), Some("simple"));
    /// ```
    #[must_use]
    pub fn boundary(&self) -> Option<Cow<'a, str>> {
        self.params.get("boundary")
    }

    /// The `name` parameter (a file name that predates RFC 2183).
    ///
    /// ```
    /// use mailwire_message::params::ContentType;
    /// let ct = ContentType::parse(b"application/pdf; name=\"=?utf-8?q?r=C3=A9sum=C3=A9.pdf?=\"");
    /// assert_eq!(ct.name().as_deref(), Some("r\u{e9}sum\u{e9}.pdf"));
    /// ```
    #[must_use]
    pub fn name(&self) -> Option<Cow<'a, str>> {
        self.params.get("name")
    }
}

impl Default for ContentType<'_> {
    /// [`ContentType::default_text`].
    fn default() -> Self {
        Self::default_text()
    }
}

fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// The disposition type of a `Content-Disposition` value (RFC 2183
/// section 2).
///
/// ```
/// use mailwire_message::params::{ContentDisposition, DispositionKind};
/// assert_eq!(ContentDisposition::parse(b"INLINE").kind(), DispositionKind::Inline);
/// assert_eq!(ContentDisposition::parse(b"x-special").kind(), DispositionKind::Other("x-special"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispositionKind<'a> {
    /// `inline`: shown as part of the message.
    Inline,
    /// `attachment`: kept apart, shown on request.
    Attachment,
    /// Any other type, as written (empty when missing). RFC 2183 section
    /// 2.8 says to treat unknown types as `attachment`.
    Other(&'a str),
}

/// A parsed `Content-Disposition` value (RFC 2183).
///
/// ```
/// use mailwire_message::params::{ContentDisposition, DispositionKind};
///
/// let cd = ContentDisposition::parse(b"attachment; filename*=UTF-8''na%C3%AFve.txt");
/// assert_eq!(cd.kind(), DispositionKind::Attachment);
/// assert!(cd.is_attachment());
/// assert_eq!(cd.filename().as_deref(), Some("na\u{ef}ve.txt"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDisposition<'a> {
    kind: DispositionKind<'a>,
    params: Params<'a>,
}

impl<'a> ContentDisposition<'a> {
    /// Parses a `Content-Disposition` value (what follows the colon).
    /// Never fails; a missing type gives [`DispositionKind::Other`]`("")`.
    ///
    /// ```
    /// use mailwire_message::params::{ContentDisposition, DispositionKind};
    /// assert_eq!(ContentDisposition::parse(b"").kind(), DispositionKind::Other(""));
    /// ```
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Self {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects with offsets counted from
    /// `base`.
    ///
    /// ```
    /// use mailwire_message::{params::{ContentDisposition, DispositionKind}, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let cd = ContentDisposition::parse_with_defects(b"; filename=a.txt", 0, &mut defects);
    /// assert_eq!(cd.kind(), DispositionKind::Other(""));
    /// assert_eq!(cd.filename().as_deref(), Some("a.txt"));
    /// assert_eq!(defects[0].kind(), DefectKind::InvalidParameter);
    /// ```
    #[must_use]
    pub fn parse_with_defects(raw: &'a [u8], base: usize, defects: &mut Vec<Defect>) -> Self {
        let mut p = Parser { raw, pos: 0, base };
        p.skip_cfws();
        let start = p.pos;
        let kind = match p.token() {
            Some(t) if t.eq_ignore_ascii_case("inline") => DispositionKind::Inline,
            Some(t) if t.eq_ignore_ascii_case("attachment") => DispositionKind::Attachment,
            Some(t) => DispositionKind::Other(t),
            None => {
                defects.push(Defect::new(base + start, DefectKind::InvalidParameter));
                DispositionKind::Other("")
            }
        };
        Self {
            kind,
            params: p.params(defects),
        }
    }

    /// The disposition type.
    ///
    /// ```
    /// use mailwire_message::params::{ContentDisposition, DispositionKind};
    /// assert_eq!(ContentDisposition::parse(b"attachment").kind(), DispositionKind::Attachment);
    /// ```
    #[must_use]
    pub fn kind(&self) -> DispositionKind<'a> {
        self.kind
    }

    /// Whether the part should be treated as an attachment: `attachment`
    /// and, per RFC 2183 section 2.8, any unknown type.
    ///
    /// ```
    /// use mailwire_message::params::ContentDisposition;
    /// assert!(ContentDisposition::parse(b"attachment").is_attachment());
    /// assert!(!ContentDisposition::parse(b"inline").is_attachment());
    /// ```
    #[must_use]
    pub fn is_attachment(&self) -> bool {
        self.kind != DispositionKind::Inline
    }

    /// The parameters.
    ///
    /// ```
    /// use mailwire_message::params::ContentDisposition;
    /// assert_eq!(ContentDisposition::parse(b"inline; size=12").params().get("size").as_deref(), Some("12"));
    /// ```
    #[must_use]
    pub fn params(&self) -> &Params<'a> {
        &self.params
    }

    /// The `filename` parameter (RFC 2183 section 2.3), decoded. It is
    /// returned as written: callers saving a file must still sanitise it
    /// (no path separators, RFC 2183 section 5).
    ///
    /// ```
    /// use mailwire_message::params::ContentDisposition;
    /// let cd = ContentDisposition::parse(b"attachment; filename=\"a b.txt\"");
    /// assert_eq!(cd.filename().as_deref(), Some("a b.txt"));
    /// ```
    #[must_use]
    pub fn filename(&self) -> Option<Cow<'a, str>> {
        self.params.get("filename")
    }
}

/// RFC 2045 `tspecials`.
const fn is_tspecial(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
    )
}

/// RFC 2045 `token` characters.
const fn is_token(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !is_tspecial(b)
}

struct Parser<'a> {
    raw: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.raw.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Skips white space, folds and comments (an unclosed comment runs to
    /// the end).
    fn skip_cfws(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b'\\' if depth > 0 => self.pos += 1,
                b' ' | b'\t' | b'\r' | b'\n' => {}
                _ if depth > 0 => {}
                _ => return,
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.raw.len());
    }

    /// A token, possibly empty (then `None`).
    fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(is_token) {
            self.pos += 1;
        }
        // Token bytes are ASCII.
        let t = core::str::from_utf8(&self.raw[start..self.pos]).ok()?;
        (!t.is_empty()).then_some(t)
    }

    fn defect(&self, at: usize, defects: &mut Vec<Defect>) {
        defects.push(Defect::new(self.base + at, DefectKind::InvalidParameter));
    }

    /// Skips to the next `;` (outside quoted strings) or the end.
    fn skip_junk(&mut self) {
        let mut quoted = false;
        while let Some(b) = self.peek() {
            match b {
                b'\\' if quoted => self.pos += 1,
                b'"' => quoted = !quoted,
                b';' if !quoted => return,
                _ => {}
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.raw.len());
    }

    /// `*(";" parameter)`, leniently.
    fn params(&mut self, defects: &mut Vec<Defect>) -> Params<'a> {
        let mut list = Vec::new();
        // Whether a `;` was seen since the last parameter (or the type).
        let mut separated = false;
        loop {
            self.skip_cfws();
            let Some(b) = self.peek() else { break };
            if b == b';' {
                if separated {
                    // An empty parameter: `;;`.
                    self.defect(self.pos, defects);
                }
                separated = true;
                self.pos += 1;
                continue;
            }
            let start = self.pos;
            if !separated {
                self.defect(start, defects);
            }
            separated = false;
            let Some(name) = self.token() else {
                self.defect(start, defects);
                self.pos += 1;
                self.skip_junk();
                continue;
            };
            self.skip_cfws();
            if !self.eat(b'=') {
                self.defect(start, defects);
                self.skip_junk();
                continue;
            }
            self.skip_cfws();
            let (value, quoted) = if self.eat(b'"') {
                let value_start = self.pos;
                let mut closed = false;
                while let Some(b) = self.peek() {
                    match b {
                        b'\\' => self.pos += 1,
                        b'"' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                self.pos = self.pos.min(self.raw.len());
                let value = &self.raw[value_start..self.pos];
                if closed {
                    self.pos += 1;
                } else {
                    self.defect(value_start - 1, defects);
                }
                (value, true)
            } else {
                let value_start = self.pos;
                while self.peek().is_some_and(|b| {
                    !matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'(')
                }) {
                    self.pos += 1;
                }
                if self.pos == value_start {
                    self.defect(value_start, defects);
                }
                (&self.raw[value_start..self.pos], false)
            };
            let param = Param {
                name,
                value,
                quoted,
                offset: self.base + start,
            };
            check_param(&param, defects);
            list.push(param);
        }
        Params {
            list: Cow::Owned(list),
        }
    }
}

/// Records defects in the RFC 2231 form of a parameter.
fn check_param(param: &Param<'_>, defects: &mut Vec<Defect>) {
    let (_, index, extended) = param.parts();
    let bad_index = index.is_some_and(|i| segment_index(i).is_none());
    let first = index.is_none_or(|i| i == "0");
    let value = param.value;
    let bad_value = extended
        && ((first && value.iter().filter(|&&b| b == b'\'').count() < 2)
            || value.iter().enumerate().any(|(i, &b)| {
                b == b'%'
                    && !(value.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                        && value.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            }));
    if bad_index || bad_value {
        defects.push(Defect::new(param.offset, DefectKind::InvalidParameter));
    }
    if extended && first {
        let label = value.split(|&b| b == b'\'').next().unwrap_or_default();
        if value.contains(&b'\'') && !label.is_empty() && !charset::is_known(label) {
            defects.push(Defect::new(param.offset, DefectKind::UnknownCharset));
        }
    }
}
