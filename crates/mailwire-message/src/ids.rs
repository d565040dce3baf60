//! Message identifiers: `Message-ID`, `In-Reply-To`, `References`,
//! `Content-ID`, `Resent-Message-ID` (RFC 5322 sections 3.6.4 and 4.5.4,
//! RFC 2045 section 7).
//!
//! ```text
//! msg-id       = [CFWS] "<" id-left "@" id-right ">" [CFWS]
//! id-left      = dot-atom-text / obs-id-left
//! id-right     = dot-atom-text / no-fold-literal / obs-id-right
//! no-fold-literal = "[" *dtext "]"
//! in-reply-to  = "In-Reply-To:" 1*msg-id CRLF
//! references   = "References:" 1*msg-id CRLF
//! obs-in-reply-to = "In-Reply-To:" *(phrase / msg-id) CRLF
//! obs-references  = "References:" *(phrase / msg-id) CRLF
//! ```
//!
//! The identifier is the text between the angle brackets. Leniency, each
//! use recorded as a [`DefectKind::InvalidMessageId`]:
//!
//! - white space and comments inside the brackets (the obsolete forms of
//!   section 4.5.4) are removed: `<1234 @ local(x).machine .example>` is
//!   `1234@local.machine.example`;
//! - an identifier without `@` (`<1234>`, common in real mail) is kept;
//! - a value without angle brackets (`Message-ID: abc@example.com`) is taken
//!   whole when it is one word;
//! - an unclosed `<` or an empty `<>` is refused (`None`).
//!
//! ```
//! use mailwire_message::ids::{parse_ids, MessageId};
//!
//! let id = MessageId::parse(b" <1234@local.machine.example>").unwrap();
//! assert_eq!(id.as_str(), "1234@local.machine.example");
//! assert_eq!((id.left(), id.right()), ("1234", Some("local.machine.example")));
//! assert_eq!(id.to_string(), "<1234@local.machine.example>");
//!
//! let refs = parse_ids(b" <1234@local.machine.example>\r\n <3456@example.net>");
//! assert_eq!(refs.len(), 2);
//! ```

use std::borrow::Cow;

use core::fmt;

use crate::{Defect, DefectKind};

/// One message identifier, without its angle brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId<'a> {
    id: Cow<'a, str>,
}

impl<'a> MessageId<'a> {
    /// Parses a field holding one identifier (`Message-ID`, `Content-ID`).
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Option<Self> {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects at `base` plus their
    /// position in `raw`.
    ///
    /// ```
    /// use mailwire_message::{ids::MessageId, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let id = MessageId::parse_with_defects(b" abc@example.com", 12, &mut defects).unwrap();
    /// assert_eq!(id.as_str(), "abc@example.com");
    /// assert_eq!((defects[0].kind(), defects[0].offset()), (DefectKind::InvalidMessageId, 13));
    /// ```
    #[must_use]
    pub fn parse_with_defects(
        raw: &'a [u8],
        base: usize,
        defects: &mut Vec<Defect>,
    ) -> Option<Self> {
        let start = skip_cfws(raw, 0);
        if raw.get(start) == Some(&b'<') {
            let (id, end) = bracketed(raw, start, base, defects)?;
            if skip_cfws(raw, end) != raw.len() {
                defects.push(Defect::new(base + end, DefectKind::InvalidMessageId));
            }
            return Some(id);
        }
        // No brackets: one word is taken as the identifier.
        let word = raw[start..].trim_ascii();
        let text = core::str::from_utf8(word).ok();
        match text {
            Some(text)
                if !text.is_empty()
                    && !text
                        .bytes()
                        .any(|b| b.is_ascii_whitespace() || b == b'<' || b == b'>') =>
            {
                defects.push(Defect::new(base + start, DefectKind::InvalidMessageId));
                Some(Self {
                    id: Cow::Borrowed(text),
                })
            }
            _ => {
                defects.push(Defect::new(base + start, DefectKind::InvalidMessageId));
                None
            }
        }
    }

    /// The identifier, without angle brackets.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The part before the last `@` (all of it when there is none).
    #[must_use]
    pub fn left(&self) -> &str {
        self.id.rsplit_once('@').map_or(&*self.id, |(left, _)| left)
    }

    /// The part after the last `@`.
    #[must_use]
    pub fn right(&self) -> Option<&str> {
        self.id.rsplit_once('@').map(|(_, right)| right)
    }

    /// The identifier with an owned copy of its text.
    #[must_use]
    pub fn into_owned(self) -> MessageId<'static> {
        MessageId {
            id: Cow::Owned(self.id.into_owned()),
        }
    }
}

impl fmt::Display for MessageId<'_> {
    /// The identifier in angle brackets, as a header writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.id)
    }
}

/// Every identifier in a `References` or `In-Reply-To` value, in order;
/// the words between them (obsolete phrases) are skipped.
#[must_use]
pub fn parse_ids(raw: &[u8]) -> Vec<MessageId<'_>> {
    parse_ids_with_defects(raw, 0, &mut Vec::new())
}

/// [`parse_ids`], recording defects at `base` plus their position in `raw`.
///
/// ```
/// use mailwire_message::ids::parse_ids_with_defects;
///
/// let mut defects = Vec::new();
/// let ids = parse_ids_with_defects(b"Your message <a@b> and (see) <c@d>", 0, &mut defects);
/// let ids: Vec<_> = ids.iter().map(|id| id.as_str()).collect();
/// assert_eq!(ids, ["a@b", "c@d"]);
/// ```
#[must_use]
pub fn parse_ids_with_defects<'a>(
    raw: &'a [u8],
    base: usize,
    defects: &mut Vec<Defect>,
) -> Vec<MessageId<'a>> {
    let mut ids = Vec::new();
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &raw[at..]) {
        let start = at + found;
        match bracketed(raw, start, base, defects) {
            Some((id, end)) => {
                ids.push(id);
                at = end;
            }
            None => at = start + 1,
        }
    }
    if ids.is_empty() {
        // No brackets at all: one word may still be an identifier.
        if let Some(id) = MessageId::parse_with_defects(raw, base, defects) {
            ids.push(id);
        }
    }
    ids
}

/// The identifier in the brackets starting at `raw[start]` (a `<`), and
/// the position after the `>`.
fn bracketed<'a>(
    raw: &'a [u8],
    start: usize,
    base: usize,
    defects: &mut Vec<Defect>,
) -> Option<(MessageId<'a>, usize)> {
    let close = start
        + 1
        + memchr::memchr(b'>', &raw[start + 1..]).or_else(|| {
            defects.push(Defect::new(base + start, DefectKind::InvalidMessageId));
            None
        })?;
    let inner = &raw[start + 1..close];
    let clean = !inner
        .iter()
        .any(|&b| b.is_ascii_whitespace() || b == b'(' || b == b'"' || b == b'<');
    let id: Cow<'a, str> = if clean {
        match core::str::from_utf8(inner) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => Cow::Owned(String::from_utf8_lossy(inner).into_owned()),
        }
    } else {
        // Obsolete CFWS inside: keep the text, drop comments and spaces.
        let mut text = Vec::with_capacity(inner.len());
        let mut i = 0;
        while i < inner.len() {
            match inner[i] {
                b'(' => i = skip_cfws(inner, i),
                b if b.is_ascii_whitespace() || b == b'"' => i += 1,
                b => {
                    text.push(b);
                    i += 1;
                }
            }
        }
        Cow::Owned(String::from_utf8_lossy(&text).into_owned())
    };
    if id.is_empty() {
        defects.push(Defect::new(base + start, DefectKind::InvalidMessageId));
        return None;
    }
    if !clean || !id.contains('@') {
        defects.push(Defect::new(base + start, DefectKind::InvalidMessageId));
    }
    Some((MessageId { id }, close + 1))
}

/// The position after white space and (nested) comments from `i`.
fn skip_cfws(raw: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < raw.len() {
        match raw[i] {
            b'(' => depth += 1,
            b')' if depth > 0 => depth -= 1,
            b'\\' if depth > 0 => i += 1,
            b if b.is_ascii_whitespace() => {}
            _ if depth > 0 => {}
            _ => break,
        }
        i += 1;
    }
    i.min(raw.len())
}
