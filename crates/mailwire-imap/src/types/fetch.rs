//! FETCH attributes (RFC 3501 section 6.4.5, RFC 9051 section 6.4.5,
//! RFC 3516 BINARY, RFC 7162 MODSEQ) and the other item lists: STORE,
//! STATUS.

use core::num::NonZeroU32;

use super::{AString, Flag};

/// What FETCH asks for: a macro or a list of attributes.
///
/// ```text
/// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
///         fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttributes<'a> {
    /// `ALL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    All,
    /// `FAST` = `(FLAGS INTERNALDATE RFC822.SIZE)`.
    Fast,
    /// `FULL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    Full,
    /// Attributes (one is written without parentheses). Never empty.
    List(Vec<FetchAttribute<'a>>),
}

impl<'a> FetchAttributes<'a> {
    /// The attributes, with the macros expanded.
    ///
    /// ```
    /// use mailwire_imap::types::{FetchAttribute, FetchAttributes};
    /// assert_eq!(FetchAttributes::Fast.expand().len(), 3);
    /// assert_eq!(FetchAttributes::Full.expand()[4], FetchAttribute::Body);
    /// ```
    #[must_use]
    pub fn expand(&self) -> Vec<FetchAttribute<'a>> {
        use FetchAttribute as F;
        match self {
            Self::All => vec![F::Flags, F::InternalDate, F::Rfc822Size, F::Envelope],
            Self::Fast => vec![F::Flags, F::InternalDate, F::Rfc822Size],
            Self::Full => vec![
                F::Flags,
                F::InternalDate,
                F::Rfc822Size,
                F::Envelope,
                F::Body,
            ],
            Self::List(list) => list.clone(),
        }
    }
}

/// One FETCH attribute.
///
/// ```text
/// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
///             "BODY" ["STRUCTURE"] / "UID" /
///             "BODY" section [partial] / "BODY.PEEK" section [partial] /
///             "BINARY" [".PEEK"] section-binary [partial] /
///             "BINARY.SIZE" section-binary / "MODSEQ"
/// partial   = "<" number "." nz-number ">"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttribute<'a> {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822` (IMAP4rev1).
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1).
    Rfc822Header,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822.TEXT` (IMAP4rev1).
    Rfc822Text,
    /// `BODY` (the non-extensible BODYSTRUCTURE).
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `MODSEQ` (RFC 7162).
    ModSeq,
    /// `BODY[section]<partial>` or `BODY.PEEK[...]`.
    BodySection {
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
        /// The section.
        section: Section<'a>,
        /// `<offset.length>`.
        partial: Option<(u32, NonZeroU32)>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[...]` (RFC 3516).
    Binary {
        /// `.PEEK`.
        peek: bool,
        /// `section-binary = "[" [section-part] "]"`.
        part: Vec<NonZeroU32>,
        /// `<offset.length>`.
        partial: Option<(u32, NonZeroU32)>,
    },
    /// `BINARY.SIZE[part]` (RFC 3516).
    BinarySize {
        /// The part.
        part: Vec<NonZeroU32>,
    },
}

/// A body section: `section-spec = section-msgtext / (section-part ["."
/// section-text])`.
///
/// ```
/// use mailwire_imap::types::{Section, SectionText};
/// let header = Section { part: vec![], text: Some(SectionText::Header) };
/// assert_eq!(header, Section::header());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section<'a> {
    /// `section-part = nz-number *("." nz-number)`; empty for the whole
    /// message.
    pub part: Vec<NonZeroU32>,
    /// What of the part; `None` for all of it.
    pub text: Option<SectionText<'a>>,
}

impl Section<'_> {
    /// `[HEADER]`.
    #[must_use]
    pub fn header() -> Section<'static> {
        Section {
            part: Vec::new(),
            text: Some(SectionText::Header),
        }
    }
}

/// `section-text = section-msgtext / "MIME"`, `section-msgtext = "HEADER"
/// / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText<'a> {
    /// `HEADER`.
    Header,
    /// `HEADER.FIELDS (names)`. Never empty.
    HeaderFields(Vec<AString<'a>>),
    /// `HEADER.FIELDS.NOT (names)`. Never empty.
    HeaderFieldsNot(Vec<AString<'a>>),
    /// `TEXT`.
    Text,
    /// `MIME` (only after a part number).
    Mime,
}

/// How STORE changes the flags:
/// `store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreMode {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// The flags part of STORE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFlags<'a> {
    /// Replace, add or remove.
    pub mode: StoreMode,
    /// `.SILENT`: no untagged FETCH back.
    pub silent: bool,
    /// The flags (may be empty for `FLAGS ()`).
    pub flags: Vec<Flag<'a>>,
}

/// A STATUS item (RFC 3501 6.3.10, RFC 9051 6.3.11, RFC 7162
/// HIGHESTMODSEQ).
///
/// `status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" /
/// "DELETED" / "SIZE" / "RECENT" / "HIGHESTMODSEQ"`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant is the item of the same name
pub enum StatusItem {
    Messages,
    UidNext,
    UidValidity,
    Unseen,
    Recent,
    Deleted,
    Size,
    HighestModSeq,
}

impl StatusItem {
    pub(crate) const ALL_ITEMS: [(&'static str, Self); 8] = [
        ("MESSAGES", Self::Messages),
        ("UIDNEXT", Self::UidNext),
        ("UIDVALIDITY", Self::UidValidity),
        ("UNSEEN", Self::Unseen),
        ("RECENT", Self::Recent),
        ("DELETED", Self::Deleted),
        ("SIZE", Self::Size),
        ("HIGHESTMODSEQ", Self::HighestModSeq),
    ];

    /// The item's name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        Self::ALL_ITEMS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("MESSAGES", |(s, _)| s)
    }

    /// The item named `name` (case-insensitive).
    #[must_use]
    pub fn from_name(name: &[u8]) -> Option<Self> {
        // One candidate by length and first letter, then one compare
        // (STATUS responses are mostly these names).
        let (text, item) = match (name.len(), name.first()?.to_ascii_uppercase()) {
            (8, b'M') => ("messages", Self::Messages),
            (7, b'U') => ("uidnext", Self::UidNext),
            (11, b'U') => ("uidvalidity", Self::UidValidity),
            (6, b'U') => ("unseen", Self::Unseen),
            (6, b'R') => ("recent", Self::Recent),
            (7, b'D') => ("deleted", Self::Deleted),
            (4, b'S') => ("size", Self::Size),
            (13, b'H') => ("highestmodseq", Self::HighestModSeq),
            _ => return None,
        };
        super::chars::eq_letters_ignore_case(name, text.as_bytes()).then_some(item)
    }
}
