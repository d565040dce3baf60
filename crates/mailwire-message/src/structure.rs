//! Finding the MIME structure: every part's header, body bounds and
//! content, in one pass per nesting level (RFC 2046 section 5).
//!
//! Only bounds are found here; no body byte is copied or decoded. A
//! multipart body is split by searching for its `--boundary` with memchr's
//! substring search and keeping the hits that make a delimiter line.

use mailwire_core::Limits;
use memchr::memmem;

use crate::header::parse_header;
use crate::params::ContentType;
use crate::part::{Content, Multipart, Part, strip_comments};
use crate::{Defect, DefectKind};
use mailwire_core::encoding::TransferEncoding;

/// State shared by the whole parse: limits, the part count, defects.
pub(crate) struct Parser<'l> {
    pub(crate) limits: &'l Limits,
    pub(crate) defects: Vec<Defect>,
    parts: usize,
    too_many_parts: bool,
}

/// The media type a part has when it has no valid `Content-Type`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DefaultType {
    /// RFC 2045 section 5.2.
    Text,
    /// Inside `multipart/digest`, RFC 2046 section 5.1.5.
    Message,
}

impl<'l> Parser<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            defects: Vec::new(),
            parts: 0,
            too_many_parts: false,
        }
    }

    /// Parses the entity `input`, found at `base` in the whole input.
    pub(crate) fn message<'a>(&mut self, input: &'a [u8]) -> Part<'a> {
        self.part(input, 0, DefaultType::Text, 0)
    }

    fn part<'a>(
        &mut self,
        input: &'a [u8],
        base: usize,
        default: DefaultType,
        depth: usize,
    ) -> Part<'a> {
        let (header, body_offset) = parse_header(input, base, self.limits, &mut self.defects);
        // The two fields the structure needs, found in one pass.
        let (mut type_field, mut encoding_field) = (None, None);
        for field in header.fields() {
            if type_field.is_none() && field.is("Content-Type") {
                type_field = Some(field);
            } else if encoding_field.is_none() && field.is("Content-Transfer-Encoding") {
                encoding_field = Some(field);
            }
        }
        let transfer_encoding = match encoding_field {
            None => Some(TransferEncoding::SevenBit),
            Some(field) => TransferEncoding::parse(strip_comments(field.raw_value())),
        };
        let declared_type = type_field.is_some();
        let mut content_type = match type_field {
            Some(field) => ContentType::parse_with_defects(
                field.raw_value(),
                field.value_offset(),
                &mut self.defects,
            ),
            None if default == DefaultType::Message => ContentType::message_rfc822(),
            None => ContentType::default_text(),
        };
        let body = &input[body_offset..];
        let body_base = base + body_offset;
        let boundary = content_type.boundary().filter(|b| !b.is_empty());
        if content_type.is_multipart() && boundary.is_none() {
            // RFC 2045 section 5.2: a syntactically invalid Content-Type
            // (here, multipart without its required boundary) means the
            // default type.
            self.defects
                .push(Defect::new(body_base, DefectKind::MissingBoundary));
            content_type = ContentType::default_text();
        }
        let content = if let Some(boundary) = boundary.filter(|_| content_type.is_multipart()) {
            self.multipart(&content_type, &boundary, body, body_base, depth)
        } else if content_type.is("message", "rfc822") || content_type.is("message", "global") {
            self.attached_message(&header, transfer_encoding, body, body_base, depth)
        } else {
            Content::Single
        };
        Part {
            raw: input,
            offset: base,
            header,
            body_offset,
            content_type,
            declared_type,
            transfer_encoding,
            content,
        }
    }

    /// Whether one more level fits under the nesting limit; records the
    /// defect when not.
    fn can_nest(&mut self, depth: usize, at: usize) -> bool {
        if depth < self.limits.max_nesting_depth {
            return true;
        }
        self.defects
            .push(Defect::new(at, DefectKind::NestingTooDeep));
        false
    }

    fn attached_message<'a>(
        &mut self,
        header: &crate::Header<'a>,
        transfer_encoding: Option<TransferEncoding>,
        body: &'a [u8],
        body_base: usize,
        depth: usize,
    ) -> Content<'a> {
        // RFC 2046 section 5.2.1: no encoding other than 7bit, 8bit or
        // binary is permitted. An encoded message is kept as a single body,
        // to be decoded like any other.
        if !matches!(
            transfer_encoding,
            Some(
                TransferEncoding::SevenBit | TransferEncoding::EightBit | TransferEncoding::Binary
            )
        ) {
            let at = header
                .get("Content-Transfer-Encoding")
                .map_or(body_base, crate::HeaderField::value_offset);
            self.defects
                .push(Defect::new(at, DefectKind::EncodedMessage));
            return Content::Single;
        }
        if !self.can_nest(depth, body_base) || !self.count_part(body_base) {
            return Content::Single;
        }
        Content::Message(Box::new(self.part(
            body,
            body_base,
            DefaultType::Text,
            depth + 1,
        )))
    }

    /// Counts one more part against the limit; records the defect once.
    fn count_part(&mut self, at: usize) -> bool {
        if self.parts < self.limits.max_mime_parts {
            self.parts += 1;
            return true;
        }
        if !self.too_many_parts {
            self.too_many_parts = true;
            self.defects.push(Defect::new(at, DefectKind::TooManyParts));
        }
        false
    }

    fn multipart<'a>(
        &mut self,
        content_type: &ContentType<'a>,
        boundary: &str,
        body: &'a [u8],
        body_base: usize,
        depth: usize,
    ) -> Content<'a> {
        if !self.can_nest(depth, body_base) {
            return Content::Single;
        }
        let delimiters = Delimiters::new(body, boundary);
        let mut delimiters = delimiters.peekable();
        let Some(first) = delimiters.next() else {
            // No delimiter at all: nothing to split; the body stays whole.
            self.defects
                .push(Defect::new(body_base, DefectKind::NoDelimiter));
            return Content::Single;
        };
        let default = if content_type.subtype() == "digest" {
            DefaultType::Message
        } else {
            DefaultType::Text
        };
        let mut multipart = Multipart {
            preamble: &body[..first.start],
            parts: Vec::new(),
            epilogue: &[],
            closed: false,
        };
        let mut part_start = first.end;
        let mut last = first;
        loop {
            if last.close {
                if let Some(junk) = last.junk {
                    self.defects.push(Defect::new(
                        body_base + junk,
                        DefectKind::JunkAfterDelimiter,
                    ));
                }
                multipart.closed = true;
                multipart.epilogue = &body[last.end..];
                break;
            }
            let next = delimiters.next();
            let part_end = next.as_ref().map_or(body.len(), |d| d.start);
            if !self.count_part(body_base + part_start) {
                // Over the limit: the rest of the body is not split.
                multipart.epilogue = &body[part_start..];
                break;
            }
            let part = &body[part_start..part_end];
            multipart
                .parts
                .push(self.part(part, body_base + part_start, default, depth + 1));
            match next {
                Some(delimiter) => {
                    part_start = delimiter.end;
                    last = delimiter;
                }
                None => {
                    self.defects.push(Defect::new(
                        body_base + body.len(),
                        DefectKind::MissingCloseDelimiter,
                    ));
                    break;
                }
            }
        }
        Content::Multipart(multipart)
    }
}

/// One delimiter line: `start` is where the line break before it begins
/// (the break belongs to the delimiter), `end` is just past its own line
/// break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Delimiter {
    start: usize,
    end: usize,
    close: bool,
    /// Where text follows a close delimiter on its line.
    junk: Option<usize>,
}

/// The delimiter lines of a multipart body, in order.
///
/// A hit of `--boundary` is a delimiter only at the start of a line, and
/// only when the rest of its line is white space (RFC 2046
/// `transport-padding`): `--boundary-more` on a line is body text. A close
/// delimiter `--boundary--` may be followed by anything.
struct Delimiters<'b> {
    body: &'b [u8],
    finder: memmem::Finder<'static>,
    needle_len: usize,
    pos: usize,
    /// End of the last delimiter found: the next one starts no earlier.
    last_end: usize,
}

impl<'b> Delimiters<'b> {
    fn new(body: &'b [u8], boundary: &str) -> Self {
        let mut needle = Vec::with_capacity(boundary.len() + 2);
        needle.extend_from_slice(b"--");
        needle.extend_from_slice(boundary.as_bytes());
        Self {
            body,
            needle_len: needle.len(),
            finder: memmem::Finder::new(&needle).into_owned(),
            pos: 0,
            last_end: 0,
        }
    }
}

impl Iterator for Delimiters<'_> {
    type Item = Delimiter;

    fn next(&mut self) -> Option<Delimiter> {
        let body = self.body;
        while self.pos < body.len() {
            let at = self.pos + self.finder.find(&body[self.pos..])?;
            self.pos = at + 1;
            if at > 0 && body[at - 1] != b'\n' {
                continue;
            }
            let mut i = at + self.needle_len;
            let close = body[i..].starts_with(b"--");
            if close {
                i += 2;
            }
            while i < body.len() && matches!(body[i], b' ' | b'\t') {
                i += 1;
            }
            let mut junk = None;
            let end = if i == body.len() {
                i
            } else if body[i] == b'\n' {
                i + 1
            } else if body[i..].starts_with(b"\r\n") {
                i + 2
            } else if close {
                // `--boundary--` then junk: still the close delimiter (the
                // implementors' note of RFC 2046 section 5.1.1: the boundary
                // need not be the whole line). The junk is dropped with it.
                junk = Some(i);
                memchr::memchr(b'\n', &body[i..]).map_or(body.len(), |n| i + n + 1)
            } else {
                // `--boundaryX`: not a delimiter by the grammar, which asks
                // for padding and a line break; taking it as one would cut
                // parts at longer boundaries that merely start alike.
                continue;
            };
            // The line break before the delimiter belongs to it, unless the
            // delimiter before took it as its own (an empty part).
            let start = if at == 0 {
                0
            } else if at >= 2 && body[at - 2] == b'\r' {
                at - 2
            } else {
                at - 1
            }
            .max(self.last_end);
            self.pos = end;
            self.last_end = end;
            return Some(Delimiter {
                start,
                end,
                close,
                junk,
            });
        }
        None
    }
}
