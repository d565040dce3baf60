//! The header block: fields in order, with raw names, raw values and
//! offsets.
//!
//! RFC 5322 section 2.2:
//!
//! ```text
//! field        = field-name ":" unstructured CRLF   ; in general
//! field-name   = 1*ftext
//! ftext        = %d33-57 / %d59-126   ; printable US-ASCII except ":"
//! obs-optional = field-name *WSP ":" unstructured CRLF   ; section 4.5
//! ```
//!
//! A field may be folded: a line that starts with white space continues the
//! field before it (section 2.2.3). The header ends at the first empty line
//! (section 2.1); what follows is the body.
//!
//! Parsing splits the block into fields and nothing more: no value is
//! unfolded, decoded or interpreted until asked for, and nothing is copied.

use std::borrow::Cow;

use mailwire_core::Limits;

use crate::{Defect, DefectKind};

/// RFC 5322 section 2.1.1: at most 998 characters before the CRLF.
const MAX_LINE: usize = 998;

/// One header field, borrowed from the message.
///
/// ```
/// use mailwire_message::Message;
///
/// let message = Message::parse(b"Subject: Hello\r\n  world\r\n\r\nbody");
/// let field = &message.header().fields()[0];
/// assert_eq!(field.name(), "Subject");
/// assert_eq!(field.raw_value(), b" Hello\r\n  world");
/// assert_eq!(field.unfolded(), &b" Hello  world"[..]);
/// assert_eq!((field.offset(), field.value_offset()), (0, 8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderField<'a> {
    /// `ftext` only (checked by the parser), so always ASCII.
    name: &'a [u8],
    value: &'a [u8],
    raw: &'a [u8],
    offset: usize,
    value_offset: usize,
}

impl<'a> HeaderField<'a> {
    /// The field name as written (`ftext` only, so always ASCII).
    #[must_use]
    pub fn name(&self) -> &'a str {
        core::str::from_utf8(self.name).unwrap_or_default()
    }

    /// Whether the name is `name`, ignoring ASCII case (RFC 5322 field
    /// names are case-insensitive).
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"MESSAGE-ID: <a@b>\r\n\r\n");
    /// assert!(message.header().fields()[0].is("Message-Id"));
    /// ```
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }

    /// The value as received: everything after the colon up to the field's
    /// final line ending, folds included.
    #[must_use]
    pub fn raw_value(&self) -> &'a [u8] {
        self.value
    }

    /// The whole field as received, final line ending included.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Byte offset of the field (its name) in the parsed input.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Byte offset of the value (just after the colon) in the parsed input.
    #[must_use]
    pub fn value_offset(&self) -> usize {
        self.value_offset
    }

    /// The value unfolded (RFC 5322 section 2.2.3): each line break that is
    /// followed by white space is removed. Borrowed when the value was not
    /// folded.
    #[must_use]
    pub fn unfolded(&self) -> Cow<'a, [u8]> {
        unfold(self.value)
    }
}

/// Removes folding line breaks (CRLF or bare LF before white space).
///
/// ```
/// use mailwire_message::header::unfold;
/// assert_eq!(unfold(b"a\r\n b\n\tc"), &b"a b\tc"[..]);
/// assert!(matches!(unfold(b"plain"), std::borrow::Cow::Borrowed(_)));
/// ```
#[must_use]
pub fn unfold(value: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\n', value).is_none() {
        return Cow::Borrowed(value);
    }
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = memchr::memchr(b'\n', rest) {
        let line_end = if at > 0 && rest[at - 1] == b'\r' {
            at - 1
        } else {
            at
        };
        out.extend_from_slice(&rest[..line_end]);
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    Cow::Owned(out)
}

/// The header block of a message: its fields in order.
///
/// ```
/// use mailwire_message::Message;
///
/// let message = Message::parse(b"Received: a\r\nReceived: b\r\nTo: x@y\r\n\r\n");
/// let header = message.header();
/// assert_eq!(header.len(), 3);
/// assert_eq!(header.get("received").unwrap().raw_value(), b" a");
/// assert_eq!(header.get_all("Received").count(), 2);
/// assert!(header.get("Cc").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header<'a> {
    fields: Vec<HeaderField<'a>>,
}

impl<'a> Header<'a> {
    /// The fields, in the order they appear.
    #[must_use]
    pub fn fields(&self) -> &[HeaderField<'a>] {
        &self.fields
    }

    /// The number of fields.
    #[must_use]
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The first field called `name` (ASCII case ignored).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&HeaderField<'a>> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// Every field called `name` (ASCII case ignored), in order.
    pub fn get_all<'h>(&'h self, name: &'h str) -> impl Iterator<Item = &'h HeaderField<'a>> {
        self.fields.iter().filter(move |f| f.is(name))
    }
}

/// Splits the header block at the start of `input` into fields, recording
/// defects, and returns it with the offset in `input` of the first body byte
/// (after the empty line, if any). Defect and field offsets are relative to
/// `input` plus `base`.
pub(crate) fn parse_header<'a>(
    input: &'a [u8],
    base: usize,
    limits: &Limits,
    defects: &mut Vec<Defect>,
) -> (Header<'a>, usize) {
    // Most header blocks have a few fields; start with room for them.
    let mut fields: Vec<HeaderField<'a>> = Vec::with_capacity(8);
    let mut too_many = false;
    let mut pos = 0;
    // The field being gathered: start offset and value start.
    let mut open: Option<(usize, usize, usize)> = None; // (start, name_end, value_start)
    let close = |open: &mut Option<(usize, usize, usize)>,
                 end: usize,
                 fields: &mut Vec<HeaderField<'a>>,
                 too_many: &mut bool,
                 defects: &mut Vec<Defect>| {
        let Some((start, name_end, value_start)) = open.take() else {
            return;
        };
        if fields.len() >= limits.max_header_fields {
            if !*too_many {
                *too_many = true;
                defects.push(Defect::new(base + start, DefectKind::TooManyFields));
            }
            return;
        }
        let raw = &input[start..end];
        let value_end = trim_line_ending(&input[..end]).len().max(value_start);
        let name = &input[start..name_end];
        fields.push(HeaderField {
            name,
            value: &input[value_start..value_end],
            raw,
            offset: base + start,
            value_offset: base + value_start,
        });
    };

    // An mbox separator, not `From : ...` (obsolete space before the colon).
    if input.starts_with(b"From ")
        && field_name(trim_line_ending(&input[..line_end(input, 0)])).is_none()
    {
        defects.push(Defect::new(base, DefectKind::MboxFromLine));
        pos = line_end(input, 0);
    }
    while pos < input.len() {
        let scan = scan_line(input, pos);
        let end = scan.end;
        let line = &input[pos..end];
        let content = trim_line_ending(line);
        let name = field_name(content);
        let is_header_line =
            content.is_empty() || matches!(content[0], b' ' | b'\t') || name.is_some();
        if is_header_line {
            // (A line that starts the body is the body's business.)
            check_line(&scan, content, line, base + pos, defects);
        }
        if content.is_empty() {
            // The empty line: the header ends, the body follows it.
            close(&mut open, pos, &mut fields, &mut too_many, defects);
            return (Header { fields }, end);
        }
        if matches!(content[0], b' ' | b'\t') {
            if open.is_none() {
                defects.push(Defect::new(base + pos, DefectKind::LeadingContinuation));
            }
            pos = end;
            continue;
        }
        match name {
            Some((name_end, colon)) => {
                close(&mut open, pos, &mut fields, &mut too_many, defects);
                if name_end == 0 {
                    defects.push(Defect::new(base + pos, DefectKind::EmptyFieldName));
                }
                if colon > name_end {
                    defects.push(Defect::new(
                        base + pos + name_end,
                        DefectKind::SpaceBeforeColon,
                    ));
                }
                open = Some((pos, pos + name_end, pos + colon + 1));
            }
            None => {
                // Not a field: the body starts here (what Python's `email`
                // and most readers do).
                close(&mut open, pos, &mut fields, &mut too_many, defects);
                defects.push(Defect::new(
                    base + pos,
                    DefectKind::MissingHeaderBodySeparator,
                ));
                return (Header { fields }, pos);
            }
        }
        pos = end;
    }
    close(&mut open, input.len(), &mut fields, &mut too_many, defects);
    (Header { fields }, input.len())
}

/// End of the line starting at `pos`: just past its LF, or the input's end.
fn line_end(input: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &input[pos..]).map_or(input.len(), |at| pos + at + 1)
}

/// `line` without its CRLF or LF.
fn trim_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// One line found by [`scan_line`].
struct LineScan {
    /// Just past the LF, or the input's end.
    end: usize,
    /// Offsets, from the line start, of the first bare CR and the first NUL.
    bare_cr: Option<usize>,
    nul: Option<usize>,
}

/// Finds the end of the line starting at `pos`, noting bare CRs and NULs on
/// the way: one memchr3 pass, where a line of ordinary text stops only at
/// its CRLF.
fn scan_line(input: &[u8], pos: usize) -> LineScan {
    let mut scan = LineScan {
        end: input.len(),
        bare_cr: None,
        nul: None,
    };
    let mut at = pos;
    while let Some(found) = memchr::memchr3(b'\n', b'\r', 0, &input[at..]) {
        let i = at + found;
        match input[i] {
            b'\n' => {
                scan.end = i + 1;
                return scan;
            }
            b'\r' if input.get(i + 1) == Some(&b'\n') => {
                scan.end = i + 2;
                return scan;
            }
            b'\r' => {
                // At the very end of the input a CR has no LF to pair with.
                scan.bare_cr.get_or_insert(i - pos);
            }
            _ => {
                scan.nul.get_or_insert(i - pos);
            }
        }
        at = i + 1;
    }
    scan
}

/// Records the defects of one header line.
fn check_line(
    scan: &LineScan,
    content: &[u8],
    line: &[u8],
    offset: usize,
    defects: &mut Vec<Defect>,
) {
    if line.ends_with(b"\n") && !line.ends_with(b"\r\n") {
        defects.push(Defect::new(offset + line.len() - 1, DefectKind::BareLf));
    }
    if let Some(at) = scan.bare_cr {
        defects.push(Defect::new(offset + at, DefectKind::BareCr));
    }
    if let Some(at) = scan.nul {
        defects.push(Defect::new(offset + at, DefectKind::Nul));
    }
    if content.len() > MAX_LINE {
        defects.push(Defect::new(offset + MAX_LINE, DefectKind::LineTooLong));
    }
}

/// The field name at the start of `content`: `(name_end, colon)` when the
/// line is `1*ftext *WSP ":"...` (the name may be empty), else `None`.
fn field_name(content: &[u8]) -> Option<(usize, usize)> {
    let mut name_end = 0;
    while name_end < content.len() && FTEXT[usize::from(content[name_end])] {
        name_end += 1;
    }
    let mut colon = name_end;
    while colon < content.len() && matches!(content[colon], b' ' | b'\t') {
        colon += 1;
    }
    (content.get(colon) == Some(&b':')).then_some((name_end, colon))
}

/// RFC 5322 `ftext`: printable US-ASCII except ":", as a table (the name
/// scan is the header parser's inner loop).
static FTEXT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 33;
    while b <= 126 {
        table[b] = b != b':' as usize;
        b += 1;
    }
    table
};
