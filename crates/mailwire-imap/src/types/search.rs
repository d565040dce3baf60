//! SEARCH keys (RFC 3501 section 6.4.4, RFC 9051 section 6.4.4, RFC 7162
//! MODSEQ, RFC 5032 OLDER/YOUNGER) and ESEARCH return options (RFC 4731).

use super::{AString, Atom, Date, SequenceSet};

/// A search key. Keys in sequence are ANDed; `(...)` groups them
/// ([`SearchKey::And`]).
///
/// ```text
/// search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date /
///              "BODY" SP astring / "CC" SP astring / "DELETED" / "FLAGGED" /
///              "FROM" SP astring / "KEYWORD" SP flag-keyword / "NEW" /
///              "OLD" / "ON" SP date / "RECENT" / "SEEN" / "SINCE" SP date /
///              "SUBJECT" SP astring / "TEXT" SP astring / "TO" SP astring /
///              "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
///              "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" /
///              "HEADER" SP header-fld-name SP astring / "LARGER" SP number /
///              "NOT" SP search-key / "OR" SP search-key SP search-key /
///              "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date /
///              "SMALLER" SP number / "UID" SP sequence-set / "UNDRAFT" /
///              sequence-set / "(" search-key *(SP search-key) ")"
/// search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the key of the same name
pub enum SearchKey<'a> {
    All,
    Answered,
    Bcc(AString<'a>),
    Before(Date),
    Body(AString<'a>),
    Cc(AString<'a>),
    Deleted,
    Draft,
    Flagged,
    From(AString<'a>),
    /// `HEADER field value`.
    Header(AString<'a>, AString<'a>),
    Keyword(Atom<'a>),
    Larger(u64),
    New,
    Not(Box<SearchKey<'a>>),
    Old,
    On(Date),
    Or(Box<SearchKey<'a>>, Box<SearchKey<'a>>),
    Recent,
    Seen,
    SentBefore(Date),
    SentOn(Date),
    SentSince(Date),
    Since(Date),
    Smaller(u64),
    Subject(AString<'a>),
    Text(AString<'a>),
    To(AString<'a>),
    Uid(SequenceSet<'a>),
    Unanswered,
    Undeleted,
    Undraft,
    Unflagged,
    Unkeyword(Atom<'a>),
    Unseen,
    /// Message sequence numbers.
    SequenceSet(SequenceSet<'a>),
    /// `( key key ... )`: all of them.
    And(Vec<SearchKey<'a>>),
    /// `MODSEQ [entry-name entry-type] modseq` (RFC 7162 section 3.1.5).
    ModSeq {
        /// The metadata item and its type (`"/flags/\\draft" all`).
        entry: Option<(AString<'a>, EntryType)>,
        /// The mod-sequence.
        modseq: u64,
    },
    /// `OLDER seconds` (RFC 5032).
    Older(u32),
    /// `YOUNGER seconds` (RFC 5032).
    Younger(u32),
}

/// `entry-type-req = entry-type-resp / "all"` (RFC 7162).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryType {
    /// `priv`.
    Private,
    /// `shared`.
    Shared,
    /// `all`.
    All,
}

impl EntryType {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Private => "priv",
            Self::Shared => "shared",
            Self::All => "all",
        }
    }
}

/// An ESEARCH return option (RFC 4731, RFC 5182 SAVE, RFC 9051):
/// `search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchReturn {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (keep the result for `$`).
    Save,
}

impl SearchReturn {
    pub(crate) const ALL_OPTIONS: [(&'static str, Self); 5] = [
        ("MIN", Self::Min),
        ("MAX", Self::Max),
        ("ALL", Self::All),
        ("COUNT", Self::Count),
        ("SAVE", Self::Save),
    ];

    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Min => "MIN",
            Self::Max => "MAX",
            Self::All => "ALL",
            Self::Count => "COUNT",
            Self::Save => "SAVE",
        }
    }
}

/// A SORT criterion (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO).
///
/// `sort-criterion = ["REVERSE" SP] sort-key`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortCriterion {
    /// `REVERSE`.
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

/// `sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" /
/// "TO" / "DISPLAYFROM" / "DISPLAYTO"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant is the key of the same name
pub enum SortKey {
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

impl SortKey {
    pub(crate) const ALL_KEYS: [(&'static str, Self); 9] = [
        ("ARRIVAL", Self::Arrival),
        ("CC", Self::Cc),
        ("DATE", Self::Date),
        ("FROM", Self::From),
        ("SIZE", Self::Size),
        ("SUBJECT", Self::Subject),
        ("TO", Self::To),
        ("DISPLAYFROM", Self::DisplayFrom),
        ("DISPLAYTO", Self::DisplayTo),
    ];

    pub(crate) fn as_str(self) -> &'static str {
        Self::ALL_KEYS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("ARRIVAL", |(s, _)| s)
    }
}
