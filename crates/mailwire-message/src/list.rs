//! Mailing list fields: `List-Help`, `List-Unsubscribe`, `List-Subscribe`,
//! `List-Post`, `List-Owner`, `List-Archive` (RFC 2369), `List-Id`
//! (RFC 2919) and `List-Unsubscribe-Post` (RFC 8058).
//!
//! The RFC 2369 fields hold URLs in angle brackets, separated by commas,
//! comments allowed around them; the first URL is the preferred one, the
//! others alternatives:
//!
//! ```text
//! List-Help: <mailto:list@host.com?subject=help> (List Instructions)
//! List-Help: <http://www.host.com/list/>, <mailto:list-info@host.com>
//! List-Post: NO (posting not allowed on this list)
//! ```
//!
//! RFC 2369 section 2 says white space inside the brackets (a long URL
//! folded over lines) "MUST be ignored", so a URL is a [`Cow`]: borrowed
//! unless white space had to be removed.
//!
//! Leniency, each use recorded as a [`DefectKind::InvalidListHeader`]: a
//! URL without angle brackets is taken when it has a scheme (a `:`), other
//! stray text is skipped, a missing comma between two URLs is allowed, and
//! empty brackets `<>` and an unclosed `<` give no URL.
//!
//! ```
//! use mailwire_message::list::{parse_list_urls, ListId};
//!
//! let urls = parse_list_urls(b" <http://www.host.com/list/>, <mailto:list-info@host.com>");
//! assert_eq!(urls, ["http://www.host.com/list/", "mailto:list-info@host.com"]);
//!
//! let id = ListId::parse(b" List Header Mailing List <list-header.nagory.com>").unwrap();
//! assert_eq!(id.id(), "list-header.nagory.com");
//! assert_eq!(id.description().as_deref(), Some("List Header Mailing List"));
//! ```

use std::borrow::Cow;

use mailwire_core::token::is_atext;

use crate::charset::decode_8bit_header;
use crate::encoded_word::decode_phrase;
use crate::received::{comment_end, quoted_end, skip_cfws};
use crate::{Defect, DefectKind};

/// The URLs of an RFC 2369 field (`List-Help`, `List-Unsubscribe`,
/// `List-Subscribe`, `List-Owner`, `List-Archive`, or `List-Post` other than
/// `NO`), in order, white space inside the brackets removed.
///
/// ```text
/// ; RFC 2369 section 2 (prose): a comma-separated list of
/// ; "<" URL ">", each optionally followed by a comment
/// List-Unsubscribe: <mailto:list@host.com?subject=unsubscribe>
/// ```
///
/// ```
/// use std::borrow::Cow;
/// use mailwire_message::list::parse_list_urls;
///
/// let urls = parse_list_urls(b" <mailto:list@host.com?subject=help> (List Instructions)");
/// assert!(matches!(urls[0], Cow::Borrowed("mailto:list@host.com?subject=help")));
/// let folded = parse_list_urls(b" <http://www.host.com/list/very/\r\n long/path>");
/// assert_eq!(folded, ["http://www.host.com/list/very/long/path"]);
/// ```
#[must_use]
pub fn parse_list_urls(raw: &[u8]) -> Vec<Cow<'_, str>> {
    parse_list_urls_with_defects(raw, 0, &mut Vec::new())
}

/// [`parse_list_urls`], recording defects at `base` plus their position in
/// `raw`.
///
/// ```
/// use mailwire_message::{list::parse_list_urls_with_defects, DefectKind};
///
/// let mut defects = Vec::new();
/// let urls = parse_list_urls_with_defects(b" https://x.example/u", 20, &mut defects);
/// assert_eq!(urls, ["https://x.example/u"]);
/// assert_eq!((defects[0].kind(), defects[0].offset()), (DefectKind::InvalidListHeader, 21));
/// ```
#[must_use]
pub fn parse_list_urls_with_defects<'a>(
    raw: &'a [u8],
    base: usize,
    defects: &mut Vec<Defect>,
) -> Vec<Cow<'a, str>> {
    let bad = |at: usize, defects: &mut Vec<Defect>| {
        defects.push(Defect::new(base + at, DefectKind::InvalidListHeader));
    };
    let mut urls = Vec::new();
    // Whether a URL was read since the last comma.
    let mut need_comma = false;
    let mut i = skip_cfws(raw, 0);
    while i < raw.len() {
        match raw[i] {
            b',' => {
                need_comma = false;
                i += 1;
            }
            b'<' => {
                if need_comma {
                    bad(i, defects);
                }
                let Some(close) = memchr::memchr(b'>', &raw[i + 1..]).map(|n| i + 1 + n) else {
                    bad(i, defects);
                    break;
                };
                match url(&raw[i + 1..close], base + i + 1, defects) {
                    Some(url) => {
                        urls.push(url);
                        need_comma = true;
                    }
                    None => bad(i, defects),
                }
                i = close + 1;
            }
            _ => {
                // Stray text; a bare URL (it has a scheme) is kept.
                bad(i, defects);
                let end = raw[i..]
                    .iter()
                    .position(|&b| b.is_ascii_whitespace() || matches!(b, b',' | b'(' | b'<'))
                    .map_or(raw.len(), |n| i + n);
                let word = &raw[i..end];
                if memchr::memchr(b':', word).is_some() && !need_comma {
                    if let Some(url) = url(word, base + i, defects) {
                        urls.push(url);
                        need_comma = true;
                    }
                }
                i = end.max(i + 1);
            }
        }
        i = skip_cfws(raw, i);
    }
    urls
}

/// The text between the brackets as a URL, white space removed; `None`
/// when empty.
fn url<'a>(inner: &'a [u8], at: usize, defects: &mut Vec<Defect>) -> Option<Cow<'a, str>> {
    let spaced = inner.iter().any(u8::is_ascii_whitespace);
    let kept: Cow<'a, [u8]> = if spaced {
        Cow::Owned(
            inner
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect(),
        )
    } else {
        Cow::Borrowed(inner)
    };
    if kept.is_empty() {
        return None;
    }
    let text = match kept {
        Cow::Borrowed(bytes) => decode_8bit_header(bytes),
        Cow::Owned(bytes) => {
            let (text, utf8) = decode_8bit_header(&bytes);
            (Cow::Owned(text.into_owned()), utf8)
        }
    };
    if !text.1 {
        defects.push(Defect::new(at, DefectKind::NonUtf8Header));
    }
    Some(text.0)
}

/// The `List-Post` field (RFC 2369 section 3.4): where to post, or `NO`
/// for a list that does not take posts (an announcement list).
///
/// ```text
/// List-Post: <mailto:list@host.com>
/// List-Post: NO (posting not allowed on this list)
/// ```
///
/// ```
/// use mailwire_message::list::ListPost;
///
/// assert_eq!(ListPost::parse(b" NO (posting not allowed on this list)"), ListPost::No);
/// let post = ListPost::parse(b" <mailto:list@host.com>");
/// assert_eq!(post.urls(), ["mailto:list@host.com"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListPost<'a> {
    /// `NO`: posting is not allowed.
    No,
    /// The URLs to post to, the preferred first (may be empty when none
    /// could be read).
    Urls(Vec<Cow<'a, str>>),
}

impl<'a> ListPost<'a> {
    /// Parses a `List-Post` field value.
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Self {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects at `base` plus their
    /// position in `raw`.
    ///
    /// ```
    /// use mailwire_message::{list::ListPost, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// assert_eq!(ListPost::parse_with_defects(b" no", 0, &mut defects), ListPost::No);
    /// assert!(defects.is_empty());
    /// let post = ListPost::parse_with_defects(b" maybe", 0, &mut defects);
    /// assert_eq!(post, ListPost::Urls(vec![]));
    /// assert_eq!(defects[0].kind(), DefectKind::InvalidListHeader);
    /// ```
    #[must_use]
    pub fn parse_with_defects(raw: &'a [u8], base: usize, defects: &mut Vec<Defect>) -> Self {
        let start = skip_cfws(raw, 0);
        let rest = &raw[start..];
        if rest.len() >= 2
            && rest[..2].eq_ignore_ascii_case(b"no")
            && skip_cfws(raw, start + 2) == raw.len()
        {
            return Self::No;
        }
        Self::Urls(parse_list_urls_with_defects(raw, base, defects))
    }

    /// Whether posting is allowed (the field is not `NO`).
    ///
    /// ```
    /// use mailwire_message::list::ListPost;
    /// assert!(!ListPost::parse(b" NO").is_allowed());
    /// ```
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        !matches!(self, Self::No)
    }

    /// The URLs to post to; empty for `NO`.
    ///
    /// ```
    /// use mailwire_message::list::ListPost;
    /// assert!(ListPost::parse(b" NO").urls().is_empty());
    /// ```
    #[must_use]
    pub fn urls(&self) -> &[Cow<'a, str>] {
        match self {
            Self::No => &[],
            Self::Urls(urls) => urls,
        }
    }
}

/// The `List-Id` field (RFC 2919): a list's identifier, which stays the
/// same when the list moves from host to host, and an optional description.
///
/// ```text
/// list-id-header = "List-ID:" [phrase] "<" list-id ">" CRLF
/// list-id        = list-label "." list-id-namespace
/// list-label     = dot-atom-text
/// list-id-namespace = domain-name / unmanaged-list-id-namespace
/// unmanaged-list-id-namespace = "localhost"
/// domain-name    = dot-atom-text
/// ```
///
/// Leniency, each use recorded as a [`DefectKind::InvalidListHeader`]: an
/// identifier that is not a dot-atom-text with a dot in it is kept as
/// written (white space at its ends dropped); one without angle brackets
/// is taken when it is a single word; text after the `>` is ignored. An
/// empty or unclosed `<`, an identifier that is not UTF-8, or no identifier
/// at all give `None`.
///
/// ```
/// use mailwire_message::list::ListId;
///
/// let id = ListId::parse(b" \"Lena's Personal Joke List\"\r\n <lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost>").unwrap();
/// assert_eq!(id.description().as_deref(), Some("Lena's Personal Joke List"));
/// assert_eq!(id.id(), "lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListId<'a> {
    phrase: &'a [u8],
    id: &'a str,
}

impl<'a> ListId<'a> {
    /// Parses a `List-Id` field value.
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Option<Self> {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects at `base` plus their
    /// position in `raw`. The description's encoded words are checked by
    /// [`decode_phrase_with_defects`](crate::encoded_word::decode_phrase_with_defects).
    ///
    /// ```
    /// use mailwire_message::{list::ListId, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let id = ListId::parse_with_defects(b" <nodot>", 9, &mut defects).unwrap();
    /// assert_eq!(id.id(), "nodot");
    /// assert_eq!((defects[0].kind(), defects[0].offset()), (DefectKind::InvalidListHeader, 11));
    /// ```
    #[must_use]
    pub fn parse_with_defects(
        raw: &'a [u8],
        base: usize,
        defects: &mut Vec<Defect>,
    ) -> Option<Self> {
        let bad = |at: usize, defects: &mut Vec<Defect>| {
            defects.push(Defect::new(base + at, DefectKind::InvalidListHeader));
        };
        let Some(open) = top_level_angle(raw) else {
            // No brackets: a single word is taken as the identifier.
            let start = skip_cfws(raw, 0);
            bad(start, defects);
            let word = raw[start..].trim_ascii_end();
            if word.is_empty() || word.iter().any(|&b| b.is_ascii_whitespace() || b == b'(') {
                return None;
            }
            let id = core::str::from_utf8(word).ok()?;
            return Some(Self { phrase: &[], id });
        };
        let Some(close) = memchr::memchr(b'>', &raw[open..]).map(|n| open + n) else {
            bad(open, defects);
            return None;
        };
        let inner = raw[open + 1..close].trim_ascii();
        let at =
            open + 1 + raw[open + 1..close].len() - raw[open + 1..close].trim_ascii_start().len();
        let Ok(id) = core::str::from_utf8(inner) else {
            bad(at, defects);
            return None;
        };
        if id.is_empty() {
            bad(open, defects);
            return None;
        }
        if !is_list_id(inner) {
            bad(at, defects);
        }
        if skip_cfws(raw, close + 1) != raw.len() {
            bad(close + 1, defects);
        }
        Some(Self {
            phrase: &raw[..open],
            id,
        })
    }

    /// The identifier, without angle brackets (`list-header.nagory.com`).
    #[must_use]
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// The description before the identifier, decoded (RFC 2047 encoded
    /// words, quoted strings; comments dropped); `None` when there is none.
    ///
    /// ```
    /// use mailwire_message::list::ListId;
    /// let id = ListId::parse(b" =?utf-8?q?Caf=C3=A9_talk?= <cafe.example.org>").unwrap();
    /// assert_eq!(id.description().as_deref(), Some("Caf\u{e9} talk"));
    /// assert_eq!(ListId::parse(b" <cafe.example.org>").unwrap().description(), None);
    /// ```
    #[must_use]
    pub fn description(&self) -> Option<Cow<'a, str>> {
        let text = decode_phrase(self.phrase);
        (!text.is_empty()).then_some(text)
    }

    /// The description as received, before the `<` (crate use: checking
    /// its encoded words).
    pub(crate) fn raw_description(&self) -> &'a [u8] {
        self.phrase
    }
}

/// The first `<` outside quoted strings and comments.
fn top_level_angle(raw: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'<' => return Some(i),
            b'"' => i = quoted_end(raw, i)?,
            b'(' => i = comment_end(raw, i)?,
            _ => i += 1,
        }
    }
    None
}

/// Whether `id` is an RFC 2919 `list-id`: dot-atom-text with at least one
/// dot.
fn is_list_id(id: &[u8]) -> bool {
    id.contains(&b'.')
        && id
            .split(|&b| b == b'.')
            .all(|label| !label.is_empty() && label.iter().all(|&b| is_atext(b)))
}
