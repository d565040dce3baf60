//! MIME entities: [`Part`], and how each is written.

use mailwire_core::encoding::{self, TransferEncoding, qp};

use super::fold::Folder;
use super::rfc2047::write_unstructured;
use super::rfc2231::{Style, is_token, write_params};
use super::{BuildError, boundary, check_name, check_value, msg_id};

/// Whether a part is shown in line or offered as an attachment (RFC 2183
/// `Content-Disposition`).
///
/// ```
/// use mailwire_message::builder::{Disposition, Part};
///
/// let logo = Part::binary("image/png", vec![0x89, b'P', b'N', b'G'])
///     .disposition(Disposition::Inline)
///     .content_id("logo@example.org");
/// # let _ = logo;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// `inline`: displayed with the message.
    Inline,
    /// `attachment`: kept apart, for the reader to open or save.
    Attachment,
}

impl Disposition {
    fn as_str(self) -> &'static str {
        match self {
            Self::Inline => "inline",
            Self::Attachment => "attachment",
        }
    }
}

/// What a part holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    /// Text, written in UTF-8 with CRLF line endings.
    Text(String),
    /// Bytes, written exactly.
    Bytes(Vec<u8>),
    /// An encapsulated message (`message/*`): never base64 or
    /// quoted-printable.
    Message(Vec<u8>),
    /// Subparts.
    Multipart(Vec<Part>),
}

/// One MIME entity: a leaf (text, bytes or an encapsulated message) or a
/// multipart holding other parts, to build trees that
/// [`MessageBuilder`](super::MessageBuilder)'s shortcuts do not cover.
///
/// The transfer encoding is chosen by content (see the [module
/// documentation](super#bodies)); the `Content-Type`, `Content-Transfer-Encoding`,
/// `Content-Disposition`, `Content-ID` and `Content-Description` fields are
/// written from what is set here.
///
/// ```
/// use mailwire_message::builder::{MessageBuilder, Part};
///
/// // A signed-style tree: multipart/mixed holding text and a calendar invite.
/// let body = Part::multipart(
///     "mixed",
///     [
///         Part::text("See the invitation.\n"),
///         Part::text_with_type("text/calendar", "BEGIN:VCALENDAR\nEND:VCALENDAR\n")
///             .param("method", "REQUEST"),
///     ],
/// );
/// let bytes = MessageBuilder::new()
///     .from("ann@example.org")
///     .date_rfc5322("Mon, 1 Jan 2024 09:00:00 +0000")
///     .body(body)
///     .build()?;
/// let text = String::from_utf8(bytes).unwrap();
/// assert!(text.contains("Content-Type: text/calendar; method=REQUEST; charset=utf-8\r\n"));
/// # Ok::<(), mailwire_message::builder::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    content_type: String,
    body: Body,
    params: Vec<(String, String)>,
    disposition: Option<Disposition>,
    filename: Option<String>,
    content_id: Option<String>,
    description: Option<String>,
    headers: Vec<(String, String)>,
}

impl Part {
    fn new(content_type: impl Into<String>, body: Body) -> Self {
        Self {
            content_type: content_type.into(),
            body,
            params: Vec::new(),
            disposition: None,
            filename: None,
            content_id: None,
            description: None,
            headers: Vec::new(),
        }
    }

    /// A `text/plain; charset=utf-8` part. Line endings (LF, CR or CRLF)
    /// are written as CRLF.
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::text("Hello\n");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self::new("text/plain", Body::Text(text.into()))
    }

    /// A `text/html; charset=utf-8` part, line endings written as CRLF.
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::html("<p>Hello</p>");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn html(html: impl Into<String>) -> Self {
        Self::new("text/html", Body::Text(html.into()))
    }

    /// A text part of another type (`text/calendar`, `text/csv`, ...),
    /// line endings written as CRLF; `charset=utf-8` is added when the
    /// type is `text/*`. `content_type` is `type/subtype` only: add
    /// parameters with [`param`](Self::param).
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::text_with_type("text/csv", "a,b\n1,2\n").param("header", "present");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn text_with_type(content_type: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(content_type, Body::Text(text.into()))
    }

    /// A part holding `data` exactly (`image/png`, `application/pdf`, ...).
    /// No line endings are changed and no charset is added.
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::binary("application/octet-stream", vec![0, 1, 2]).filename("data.bin");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn binary(content_type: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        Self::new(content_type, Body::Bytes(data.into()))
    }

    /// A `message/rfc822` part: a whole message, headers and body, as
    /// bytes (bare LF or CR line endings are written as CRLF).
    ///
    /// RFC 2046 section 5.2.1 forbids base64 and quoted-printable here, so
    /// the message is written as it is, labelled `7bit` (ASCII, lines of at
    /// most 998 octets), `8bit` (octets above 127) or `binary` (NUL or
    /// longer lines; the only case where the output can hold a line longer
    /// than 998 octets).
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::message(&b"From: a@example.org\nSubject: hi\n\nbody\n"[..]);
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn message(raw: impl Into<Vec<u8>>) -> Self {
        Self::new("message/rfc822", Body::Message(raw.into()))
    }

    /// A `multipart/<subtype>` part (`mixed`, `alternative`, `related`,
    /// `digest`, `parallel`, `signed`, ...) holding `parts`, in order. Its
    /// boundary is chosen when it is written.
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::multipart("alternative", [Part::text("hi"), Part::html("<b>hi</b>")]);
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn multipart(subtype: &str, parts: impl IntoIterator<Item = Part>) -> Self {
        Self::new(
            format!("multipart/{subtype}"),
            Body::Multipart(parts.into_iter().collect()),
        )
    }

    /// Adds a `Content-Type` parameter (written with RFC 2231 when its
    /// value is long or not ASCII). `charset` (set by text parts),
    /// `boundary` and `name` (set from [`filename`](Self::filename)) are
    /// the builder's own.
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::text("flowed text").param("format", "flowed");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// The file name, written as the `filename` parameter of
    /// `Content-Disposition` (RFC 2183, with RFC 2231 for long or non-ASCII
    /// names) and, for readers that only look there, as the `name`
    /// parameter of `Content-Type` (with RFC 2047 encoded words when it is
    /// not short ASCII). Without a [`disposition`](Self::disposition), a
    /// part with a file name is an attachment.
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::binary("application/pdf", b"%PDF-1.7".to_vec()).filename("r\u{e9}sum\u{e9}.pdf");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// The `Content-Disposition` type.
    ///
    /// ```
    /// use mailwire_message::builder::{Disposition, Part};
    /// let part = Part::text("notes").disposition(Disposition::Attachment);
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn disposition(mut self, disposition: Disposition) -> Self {
        self.disposition = Some(disposition);
        self
    }

    /// The `Content-ID` (RFC 2045 section 7), with or without the angle
    /// brackets, for `cid:` references from HTML (RFC 2392).
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::binary("image/png", vec![1, 2, 3]).content_id("<logo@example.org>");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn content_id(mut self, id: impl Into<String>) -> Self {
        self.content_id = Some(id.into());
        self
    }

    /// The `Content-Description`, unstructured text.
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::binary("image/jpeg", vec![0xff, 0xd8]).description("Photo of the caf\u{e9}");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Adds a header field to the part, its value unstructured text (RFC
    /// 2047 encoded where needed). The `Content-*` fields this type writes
    /// and `MIME-Version` are refused ([`BuildError::ReservedHeader`]).
    ///
    /// ```
    /// use mailwire_message::builder::Part;
    /// let part = Part::text("x").header("Content-Language", "en");
    /// # let _ = part;
    /// ```
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Whether this is a multipart.
    pub(crate) fn is_multipart(&self) -> bool {
        matches!(self.body, Body::Multipart(_))
    }
}

/// The identity encodings, in order of what they allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Seven,
    Eight,
    Binary,
}

impl Level {
    fn encoding(self) -> TransferEncoding {
        match self {
            Self::Seven => TransferEncoding::SevenBit,
            Self::Eight => TransferEncoding::EightBit,
            Self::Binary => TransferEncoding::Binary,
        }
    }
}

/// A part as written: its `Content-*` fields and its body.
pub(crate) struct Rendered {
    pub(crate) header: Vec<u8>,
    pub(crate) body: Vec<u8>,
    pub(crate) encoding: TransferEncoding,
    pub(crate) level: Level,
}

/// Fields the part writes itself (and `MIME-Version`).
pub(crate) const PART_FIELDS: [&str; 6] = [
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Disposition",
    "Content-ID",
    "Content-Description",
    "MIME-Version",
];

/// Line endings to CRLF.
pub(crate) fn crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if data.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// `type/subtype` split and checked (RFC 2045 tokens).
fn split_type(content_type: &str) -> Result<(&str, &str), BuildError> {
    let bad = || BuildError::InvalidContentType(content_type.to_string());
    let (main, sub) = content_type.split_once('/').ok_or_else(bad)?;
    let token = |s: &str| !s.is_empty() && s.bytes().all(is_token);
    if token(main) && token(sub) {
        Ok((main, sub))
    } else {
        Err(bad())
    }
}

/// The encoding of an encapsulated message.
fn message_level(data: &[u8]) -> Level {
    let long_line = data.split(|&b| b == b'\n').any(|l| l.len() > 999);
    if long_line || data.contains(&0) {
        Level::Binary
    } else if data.is_ascii() {
        Level::Seven
    } else {
        Level::Eight
    }
}

impl Part {
    /// Writes the part: its fields and body, children first.
    pub(crate) fn render(&self, depth: usize) -> Result<Rendered, BuildError> {
        const MAX_DEPTH: usize = 64;
        if depth > MAX_DEPTH {
            return Err(BuildError::TooDeep);
        }
        let (main, sub) = split_type(&self.content_type)?;
        let is_text = main.eq_ignore_ascii_case("text");
        let is_message = main.eq_ignore_ascii_case("message");
        let is_multipart = main.eq_ignore_ascii_case("multipart");
        let multipart_body = matches!(self.body, Body::Multipart(_));
        if is_multipart != multipart_body
            || is_message && !matches!(self.body, Body::Message(_) | Body::Bytes(_))
        {
            return Err(BuildError::InvalidContentType(self.content_type.clone()));
        }
        let mut params: Vec<(&str, &str, Style)> = Vec::new();
        for (name, value) in &self.params {
            let reserved = ["boundary", "name"]
                .iter()
                .chain(if matches!(self.body, Body::Text(_)) && is_text {
                    &["charset"][..]
                } else {
                    &[]
                })
                .any(|r| r.eq_ignore_ascii_case(name));
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| is_token(b) && !matches!(b, b'*' | b'\'' | b'%'))
                || reserved
            {
                return Err(BuildError::InvalidParameter(name.clone()));
            }
            check_value("Content-Type", value)?;
            params.push((name, value, Style::Rfc2231));
        }
        let boundary_value;
        let (body, encoding, level) = match &self.body {
            Body::Text(text) => {
                if is_text {
                    params.push(("charset", "utf-8", Style::Rfc2231));
                }
                let data = crlf(text.as_bytes());
                let mode = qp::Mode::Text;
                let te = encoding::choose(&data);
                (encode(&data, te, mode), te, Level::Seven)
            }
            Body::Bytes(data) if !is_message => {
                let mode = if is_text {
                    qp::Mode::Text
                } else {
                    qp::Mode::Binary
                };
                let te = encoding::choose(data);
                (encode(data, te, mode), te, Level::Seven)
            }
            Body::Bytes(data) | Body::Message(data) => {
                let data = crlf(data);
                let level = message_level(&data);
                (data, level.encoding(), level)
            }
            Body::Multipart(parts) => {
                if parts.is_empty() {
                    return Err(BuildError::EmptyMultipart);
                }
                let mut children = Vec::with_capacity(parts.len());
                let mut level = Level::Seven;
                for part in parts {
                    let r = part.render(depth + 1)?;
                    level = level.max(r.level);
                    let mut bytes = r.header;
                    bytes.extend_from_slice(b"\r\n");
                    bytes.extend_from_slice(&r.body);
                    children.push(bytes);
                }
                boundary_value = boundary::boundary(&children);
                params.push(("boundary", &boundary_value, Style::Rfc2231));
                let mut body = Vec::with_capacity(children.iter().map(|c| c.len() + 30).sum());
                for child in &children {
                    body.extend_from_slice(b"--");
                    body.extend_from_slice(boundary_value.as_bytes());
                    body.extend_from_slice(b"\r\n");
                    body.extend_from_slice(child);
                    body.extend_from_slice(b"\r\n");
                }
                body.extend_from_slice(b"--");
                body.extend_from_slice(boundary_value.as_bytes());
                body.extend_from_slice(b"--");
                (body, level.encoding(), level)
            }
        };
        if let Some(name) = &self.filename {
            check_value("Content-Type", name)?;
            params.push(("name", name, Style::Rfc2047));
        }
        let mut header = Vec::new();
        let mut f = Folder::new(&mut header, "Content-Type");
        write_params(&mut f, &format!("{main}/{sub}"), &params);
        f.finish();
        if !(multipart_body && encoding == TransferEncoding::SevenBit) {
            header
                .extend_from_slice(format!("Content-Transfer-Encoding: {encoding}\r\n").as_bytes());
        }
        let disposition = self
            .disposition
            .or(self.filename.as_ref().map(|_| Disposition::Attachment));
        if let Some(disposition) = disposition {
            let mut f = Folder::new(&mut header, "Content-Disposition");
            let filename: Vec<(&str, &str, Style)> = self
                .filename
                .iter()
                .map(|n| ("filename", n.as_str(), Style::Rfc2231))
                .collect();
            write_params(&mut f, disposition.as_str(), &filename);
            f.finish();
        }
        if let Some(id) = &self.content_id {
            let id = msg_id("Content-ID", id)?;
            let mut f = Folder::new(&mut header, "Content-ID");
            f.token(b" ", id.as_bytes());
            f.finish();
        }
        if let Some(text) = &self.description {
            check_value("Content-Description", text)?;
            let mut f = Folder::new(&mut header, "Content-Description");
            write_unstructured(&mut f, text);
            f.finish();
        }
        for (name, value) in &self.headers {
            check_name(name)?;
            if PART_FIELDS.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(BuildError::ReservedHeader(name.clone()));
            }
            check_value(name, value)?;
            let mut f = Folder::new(&mut header, name);
            write_unstructured(&mut f, value);
            f.finish();
        }
        Ok(Rendered {
            header,
            body,
            encoding,
            level,
        })
    }
}

/// `data` in transfer encoding `te` (7bit, quoted-printable or base64).
fn encode(data: &[u8], te: TransferEncoding, mode: qp::Mode) -> Vec<u8> {
    match te {
        TransferEncoding::QuotedPrintable => {
            let mut out = Vec::with_capacity(data.len() + data.len() / 4);
            qp::encode(data, mode, &mut out);
            out
        }
        TransferEncoding::Base64 => {
            let mut out = Vec::with_capacity(encoding::base64::encoded_len(data.len(), 76));
            encoding::base64::encode_wrapped(data, 76, &mut out);
            out
        }
        _ => data.to_vec(),
    }
}
