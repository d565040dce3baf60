//! Server responses (RFC 3501 section 7, RFC 9051 section 7, and
//! extensions).

use core::num::NonZeroU32;
use std::borrow::Cow;

use super::{
    AString, Atom, BodyStructure, Capability, DateTime, Envelope, Flag, FlagPerm, Mailbox, NString,
    Section, SequenceSet, StatusItem, Tag,
};

/// A server response: `response = continue-req / response-data /
/// response-done`.
///
/// Parse one complete response with [`Response::parse`]; read responses
/// off a connection (literals streamed) with
/// [`ResponseReader`](crate::parse::ResponseReader); write one with
/// [`Response::encode`].
///
/// ```
/// use mailwire_imap::types::{Code, Data, Response, Status, StatusKind};
/// let (response, len) = Response::parse(b"* 172 EXISTS\r\n")?;
/// assert_eq!(len, 14);
/// assert_eq!(response, Response::Data(Data::Exists(172)));
///
/// let (response, _) = Response::parse(b"A142 OK [READ-WRITE] SELECT completed\r\n")?;
/// let Response::Status(status) = response else { panic!() };
/// assert_eq!(status.kind, StatusKind::Ok);
/// assert_eq!(status.code, Some(Code::ReadWrite));
/// assert_eq!(status.text, "SELECT completed");
/// # Ok::<(), mailwire_imap::parse::ResponseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response<'a> {
    /// A status response, tagged or untagged (`OK`, `NO`, `BAD`,
    /// `PREAUTH`, `BYE`).
    Status(Status<'a>),
    /// A continuation request: `continue-req = "+" SP (resp-text /
    /// base64) CRLF`.
    Continuation(Continuation<'a>),
    /// Untagged data (`* ...`).
    Data(Data<'a>),
}

/// A status response.
///
/// ```text
/// response-tagged = tag SP resp-cond-state CRLF
/// resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
/// resp-cond-auth  = ("OK" / "PREAUTH") SP resp-text
/// resp-cond-bye   = "BYE" SP resp-text
/// resp-text       = ["[" resp-text-code "]" SP] [text]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status<'a> {
    /// The tag of the completed command; `None` for `*`.
    pub tag: Option<Tag<'a>>,
    /// The condition.
    pub kind: StatusKind,
    /// The response code in brackets.
    pub code: Option<Code<'a>>,
    /// The human-readable text (may be empty). Text that is not UTF-8
    /// is read lossily.
    pub text: Cow<'a, str>,
}

impl<'a> Status<'a> {
    /// A status response without a code.
    ///
    /// ```
    /// use mailwire_imap::types::{Status, StatusKind, Tag};
    /// let done = Status::new(Some(Tag::new("a1")?), StatusKind::Ok, "LOGIN completed");
    /// assert_eq!(done.to_bytes()?, b"a1 OK LOGIN completed\r\n");
    /// # Ok::<(), mailwire_imap::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn new(tag: Option<Tag<'a>>, kind: StatusKind, text: &'a str) -> Self {
        Self {
            tag,
            kind,
            code: None,
            text: Cow::Borrowed(text),
        }
    }

    /// The same with a response code.
    #[must_use]
    pub fn with_code(mut self, code: Code<'a>) -> Self {
        self.code = Some(code);
        self
    }
}

/// The condition of a status response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `OK`.
    Ok,
    /// `NO`.
    No,
    /// `BAD`.
    Bad,
    /// `PREAUTH` (untagged greeting only).
    PreAuth,
    /// `BYE` (untagged only).
    Bye,
}

impl StatusKind {
    /// The keyword.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::No => "NO",
            Self::Bad => "BAD",
            Self::PreAuth => "PREAUTH",
            Self::Bye => "BYE",
        }
    }
}

/// A continuation request (`+ ...`). The text is either human-readable
/// (`+ Ready for literal data`) or base64 SASL data
/// (`+ PDE4OTYuNjk3...`); [`Continuation::base64`] decodes the latter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continuation<'a> {
    /// A response code, if the text starts with one.
    pub code: Option<Code<'a>>,
    /// The text (may be empty).
    pub text: Cow<'a, str>,
}

impl Continuation<'_> {
    /// The text decoded as base64 (`None` when it is not base64).
    ///
    /// ```
    /// use mailwire_imap::types::Response;
    /// let (response, _) = Response::parse(b"+ YWJj\r\n")?;
    /// let Response::Continuation(cont) = response else { panic!() };
    /// assert_eq!(cont.base64().as_deref(), Some(&b"abc"[..]));
    /// # Ok::<(), mailwire_imap::parse::ResponseError>(())
    /// ```
    #[must_use]
    pub fn base64(&self) -> Option<Vec<u8>> {
        if self.code.is_some() {
            return None;
        }
        mailwire_core::sasl::decode_base64(self.text.as_bytes()).ok()
    }
}

/// A response code: `"[" resp-text-code "]"`.
///
/// ```text
/// resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")"] /
///                  capability-data / "PARSE" /
///                  "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" /
///                  "READ-ONLY" / "READ-WRITE" / "TRYCREATE" /
///                  "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number /
///                  "UNSEEN" SP nz-number /
///                  "APPENDUID" SP nz-number SP append-uid /      ; RFC 4315
///                  "COPYUID" SP nz-number SP uid-set SP uid-set /
///                  "UIDNOTSTICKY" /
///                  "HIGHESTMODSEQ" SP mod-sequence-value /       ; RFC 7162
///                  "NOMODSEQ" / "MODIFIED" SP sequence-set /
///                  "CLOSED" / "TOOBIG" / "OVERQUOTA" /
///                  "ALREADYEXISTS" / "NONEXISTENT" /
///                  atom [SP 1*<any TEXT-CHAR except "]">]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code<'a> {
    /// `ALERT`: show the text to the user.
    Alert,
    /// `BADCHARSET`, with the charsets the server supports.
    BadCharset(Vec<AString<'a>>),
    /// `CAPABILITY ...`.
    Capability(Vec<Capability<'a>>),
    /// `PARSE`: a message's header could not be parsed.
    Parse,
    /// `PERMANENTFLAGS (...)`.
    PermanentFlags(Vec<FlagPerm<'a>>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`: the target mailbox does not exist.
    TryCreate,
    /// `UIDNEXT n`.
    UidNext(NonZeroU32),
    /// `UIDVALIDITY n`.
    UidValidity(NonZeroU32),
    /// `UNSEEN n` (IMAP4rev1).
    Unseen(NonZeroU32),
    /// `APPENDUID uidvalidity uids` (RFC 4315).
    AppendUid {
        /// The target mailbox's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The appended messages' UIDs.
        uids: SequenceSet<'a>,
    },
    /// `COPYUID uidvalidity source target` (RFC 4315).
    CopyUid {
        /// The target mailbox's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The source UIDs.
        source: SequenceSet<'a>,
        /// The UIDs in the target, in the same order.
        target: SequenceSet<'a>,
    },
    /// `UIDNOTSTICKY` (RFC 4315).
    UidNotSticky,
    /// `HIGHESTMODSEQ n` (RFC 7162).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162).
    NoModSeq,
    /// `MODIFIED set` (RFC 7162): messages a conditional STORE left alone.
    Modified(SequenceSet<'a>),
    /// `CLOSED` (RFC 7162, RFC 9051).
    Closed,
    /// `TOOBIG` (RFC 4469, RFC 9051).
    TooBig,
    /// `OVERQUOTA` (RFC 9208).
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530).
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530).
    NonExistent,
    /// Any other code, kept: its name and the raw text after it.
    Other {
        /// The code's name.
        name: Atom<'a>,
        /// What follows the name up to `]`, without the space.
        text: Option<Cow<'a, str>>,
    },
}

impl Code<'_> {
    /// The code's name, upper case for the known ones (`Other` keeps
    /// its spelling): match the codes this type has no variant for
    /// (RFC 9051's `AUTHENTICATIONFAILED`, `NOPERM`, `INUSE`, ...).
    ///
    /// ```
    /// use mailwire_imap::types::{Code, Response};
    /// let (response, _) = Response::parse(b"a1 NO [NOPERM] Access denied\r\n")?;
    /// let Response::Status(status) = response else { panic!() };
    /// assert_eq!(status.code.as_ref().map(Code::name), Some("NOPERM"));
    /// assert_eq!(Code::ReadWrite.name(), "READ-WRITE");
    /// # Ok::<(), mailwire_imap::parse::ResponseError>(())
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Alert => "ALERT",
            Self::BadCharset(_) => "BADCHARSET",
            Self::Capability(_) => "CAPABILITY",
            Self::Parse => "PARSE",
            Self::PermanentFlags(_) => "PERMANENTFLAGS",
            Self::ReadOnly => "READ-ONLY",
            Self::ReadWrite => "READ-WRITE",
            Self::TryCreate => "TRYCREATE",
            Self::UidNext(_) => "UIDNEXT",
            Self::UidValidity(_) => "UIDVALIDITY",
            Self::Unseen(_) => "UNSEEN",
            Self::AppendUid { .. } => "APPENDUID",
            Self::CopyUid { .. } => "COPYUID",
            Self::UidNotSticky => "UIDNOTSTICKY",
            Self::HighestModSeq(_) => "HIGHESTMODSEQ",
            Self::NoModSeq => "NOMODSEQ",
            Self::Modified(_) => "MODIFIED",
            Self::Closed => "CLOSED",
            Self::TooBig => "TOOBIG",
            Self::OverQuota => "OVERQUOTA",
            Self::AlreadyExists => "ALREADYEXISTS",
            Self::NonExistent => "NONEXISTENT",
            Self::Other { name, .. } => name.as_str(),
        }
    }
}

/// Untagged data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Data<'a> {
    /// `CAPABILITY ...`.
    Capability(Vec<Capability<'a>>),
    /// `ENABLED ...` (RFC 5161).
    Enabled(Vec<Capability<'a>>),
    /// `LIST (attributes) delimiter mailbox [extended items]`.
    List(ListData<'a>),
    /// `LSUB ...` (IMAP4rev1).
    Lsub(ListData<'a>),
    /// `STATUS mailbox (item value ...)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The items and their values.
        items: Vec<(StatusItem, u64)>,
    },
    /// `SEARCH n ...` (with `(MODSEQ n)`, RFC 7162).
    Search {
        /// The matching numbers or UIDs.
        ids: Vec<NonZeroU32>,
        /// The highest mod-sequence of the matches.
        modseq: Option<u64>,
    },
    /// `ESEARCH ...` (RFC 4731, RFC 9051).
    ESearch(ESearch<'a>),
    /// `FLAGS (...)`.
    Flags(Vec<Flag<'a>>),
    /// `n EXISTS`.
    Exists(u32),
    /// `n RECENT` (IMAP4rev1).
    Recent(u32),
    /// `n EXPUNGE`.
    Expunge(NonZeroU32),
    /// `VANISHED [(EARLIER)] uids` (RFC 7162 QRESYNC).
    Vanished {
        /// `(EARLIER)`: an answer to a FETCH/SELECT, not a new expunge.
        earlier: bool,
        /// The UIDs.
        uids: SequenceSet<'a>,
    },
    /// `n FETCH (items)`.
    Fetch {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The items.
        items: Vec<FetchItem<'a>>,
    },
    /// `NAMESPACE personal other shared` (RFC 2342); `None` for `NIL`.
    Namespace {
        /// Personal namespaces.
        personal: Option<Vec<Namespace<'a>>>,
        /// Other users' namespaces.
        other: Option<Vec<Namespace<'a>>>,
        /// Shared namespaces.
        shared: Option<Vec<Namespace<'a>>>,
    },
    /// `ID (field value ...)` / `ID NIL` (RFC 2971).
    Id(Option<Vec<(AString<'a>, NString<'a>)>>),
    /// `QUOTA root (resource usage limit ...)` (RFC 9208).
    Quota {
        /// The quota root.
        root: AString<'a>,
        /// The resources.
        resources: Vec<QuotaResource<'a>>,
    },
    /// `QUOTAROOT mailbox root ...` (RFC 9208).
    QuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Its quota roots.
        roots: Vec<AString<'a>>,
    },
    /// `SORT n ...` (RFC 5256, with `(MODSEQ n)` RFC 7162).
    Sort {
        /// The numbers or UIDs in order.
        ids: Vec<NonZeroU32>,
        /// The highest mod-sequence.
        modseq: Option<u64>,
    },
    /// `THREAD (...)...` (RFC 5256).
    Thread(Vec<Thread>),
    /// Untagged data this crate does not know, kept raw: the octets
    /// after `* ` up to the final CRLF (literals included).
    Other(Cow<'a, [u8]>),
}

/// A LIST or LSUB answer.
///
/// ```text
/// mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
///                SP mailbox [SP mbox-list-extended]
/// mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
/// mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListData<'a> {
    /// The name attributes.
    pub attributes: Vec<ListAttribute<'a>>,
    /// The hierarchy delimiter; `None` for `NIL` (a flat namespace).
    pub delimiter: Option<char>,
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// Extended data (RFC 5258: `CHILDINFO`, `OLDNAME`, ...).
    pub extended: Vec<ListExtended<'a>>,
}

/// A mailbox name attribute (RFC 3501, RFC 5258 LIST-EXTENDED, RFC 3348
/// CHILDREN, RFC 6154 SPECIAL-USE). Names compare case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the attribute of the same name
pub enum ListAttribute<'a> {
    NoInferiors,
    NoSelect,
    Marked,
    Unmarked,
    NonExistent,
    Subscribed,
    Remote,
    HasChildren,
    HasNoChildren,
    All,
    Archive,
    Drafts,
    Flagged,
    Junk,
    Sent,
    Trash,
    Important,
    /// Another `\name` (the atom, without the backslash).
    Extension(Atom<'a>),
}

impl<'a> ListAttribute<'a> {
    pub(crate) const NAMES: [(&'static str, ListAttribute<'static>); 17] = [
        ("Noinferiors", ListAttribute::NoInferiors),
        ("Noselect", ListAttribute::NoSelect),
        ("Marked", ListAttribute::Marked),
        ("Unmarked", ListAttribute::Unmarked),
        ("NonExistent", ListAttribute::NonExistent),
        ("Subscribed", ListAttribute::Subscribed),
        ("Remote", ListAttribute::Remote),
        ("HasChildren", ListAttribute::HasChildren),
        ("HasNoChildren", ListAttribute::HasNoChildren),
        ("All", ListAttribute::All),
        ("Archive", ListAttribute::Archive),
        ("Drafts", ListAttribute::Drafts),
        ("Flagged", ListAttribute::Flagged),
        ("Junk", ListAttribute::Junk),
        ("Sent", ListAttribute::Sent),
        ("Trash", ListAttribute::Trash),
        ("Important", ListAttribute::Important),
    ];

    /// The attribute named `name` (without the backslash).
    #[must_use]
    pub fn from_atom(name: Atom<'a>) -> Self {
        Self::from_name(name.as_str().as_bytes()).unwrap_or(Self::Extension(name))
    }

    /// The known attribute named `name` (case-insensitive), or `None`.
    /// One candidate is picked by length and a letter, then compared:
    /// LIST responses are mostly these names.
    pub(crate) fn from_name(name: &[u8]) -> Option<ListAttribute<'static>> {
        use ListAttribute as L;
        let first = name.first()?.to_ascii_lowercase();
        let (text, attr) = match (name.len(), first) {
            (11, b'n') => match name.get(2)?.to_ascii_lowercase() {
                b'i' => ("noinferiors", L::NoInferiors),
                _ => ("nonexistent", L::NonExistent),
            },
            (8, b'n') => ("noselect", L::NoSelect),
            (6, b'm') => ("marked", L::Marked),
            (8, b'u') => ("unmarked", L::Unmarked),
            (10, b's') => ("subscribed", L::Subscribed),
            (6, b'r') => ("remote", L::Remote),
            (11, b'h') => ("haschildren", L::HasChildren),
            (13, b'h') => ("hasnochildren", L::HasNoChildren),
            (3, b'a') => ("all", L::All),
            (7, b'a') => ("archive", L::Archive),
            (6, b'd') => ("drafts", L::Drafts),
            (7, b'f') => ("flagged", L::Flagged),
            (4, b'j') => ("junk", L::Junk),
            (4, b's') => ("sent", L::Sent),
            (5, b't') => ("trash", L::Trash),
            (9, b'i') => ("important", L::Important),
            _ => return None,
        };
        super::chars::eq_letters_ignore_case(name, text.as_bytes()).then_some(attr)
    }

    /// The name, without the backslash.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Extension(atom) => atom.as_str(),
            other => Self::NAMES
                .iter()
                .find(|(_, attr)| attr == other)
                .map_or("", |(text, _)| text),
        }
    }
}

/// An extended LIST item (RFC 5258 section 9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListExtended<'a> {
    /// `"CHILDINFO" (selection options)`: a child matches them.
    ChildInfo(Vec<AString<'a>>),
    /// `"OLDNAME" (mailbox)` (RFC 9051): the mailbox was renamed.
    OldName(Mailbox<'a>),
    /// Another item: its tag and the raw `tagged-ext-val`.
    Other {
        /// The item's tag.
        tag: AString<'a>,
        /// The raw value (well-formed, checked by the parser).
        value: Cow<'a, [u8]>,
    },
}

/// An ESEARCH response (RFC 4731, RFC 9051 section 7.3.4).
///
/// ```text
/// esearch-response  = "ESEARCH" [search-correlator] [SP "UID"]
///                     *(SP search-return-data)
/// search-correlator = SP "(" "TAG" SP tag-string ")"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ESearch<'a> {
    /// The tag of the SEARCH command this answers.
    pub tag: Option<AString<'a>>,
    /// The numbers are UIDs.
    pub uid: bool,
    /// The returned data.
    pub data: Vec<ESearchData<'a>>,
}

/// One `search-return-data` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ESearchData<'a> {
    /// `MIN n`.
    Min(NonZeroU32),
    /// `MAX n`.
    Max(NonZeroU32),
    /// `ALL set`.
    All(SequenceSet<'a>),
    /// `COUNT n`.
    Count(u32),
    /// `MODSEQ n` (RFC 7162).
    ModSeq(u64),
    /// Another item: its name and the raw `tagged-ext-val`.
    Other {
        /// The name.
        name: Atom<'a>,
        /// The raw value.
        value: Cow<'a, [u8]>,
    },
}

/// One namespace (RFC 2342): `"(" string SP (DQUOTE QUOTED-CHAR DQUOTE /
/// nil) *(Namespace-Response-Extension) ")"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace<'a> {
    /// The prefix.
    pub prefix: AString<'a>,
    /// The hierarchy delimiter.
    pub delimiter: Option<char>,
    /// `Namespace-Response-Extension = SP string SP "(" string *(SP
    /// string) ")"`.
    pub extensions: Vec<(AString<'a>, Vec<AString<'a>>)>,
}

/// One resource of a QUOTA response: `quota-resource = resource-name SP
/// resource-usage SP resource-limit`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaResource<'a> {
    /// `STORAGE`, `MESSAGE`, ...
    pub name: Atom<'a>,
    /// Current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

/// A THREAD tree node (RFC 5256 section 4):
///
/// ```text
/// thread-list    = "(" (thread-members / thread-nested) ")"
/// thread-members = nz-number *(SP nz-number) [SP thread-nested]
/// thread-nested  = 2*thread-list
/// ```
///
/// `ids` is the chain of messages, each the parent of the next; the last
/// one's replies are the `children` (two or more, or none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Thread {
    /// The chain of messages (may be empty only with children).
    pub ids: Vec<NonZeroU32>,
    /// The branches after the chain.
    pub children: Vec<Thread>,
}

/// One item of a FETCH response (`msg-att`).
///
/// ```text
/// msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
/// msg-att-static  = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time /
///                   "RFC822" [".HEADER" / ".TEXT"] SP nstring /
///                   "RFC822.SIZE" SP number64 / "BODY" ["STRUCTURE"] SP body /
///                   "BODY" section ["<" number ">"] SP nstring /
///                   "BINARY" section-binary SP (nstring / literal8) /
///                   "BINARY.SIZE" section-binary SP number / "UID" SP uniqueid
/// fetch-mod-resp  = "MODSEQ" SP "(" permsg-modsequence ")"   ; RFC 7162
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchItem<'a> {
    /// `FLAGS (...)`.
    Flags(Vec<Flag<'a>>),
    /// `UID n`.
    Uid(NonZeroU32),
    /// `RFC822.SIZE n`.
    Rfc822Size(u64),
    /// `INTERNALDATE "..."`.
    InternalDate(DateTime),
    /// `ENVELOPE (...)`.
    Envelope(Box<Envelope<'a>>),
    /// `BODYSTRUCTURE (...)`.
    BodyStructure(Box<BodyStructure<'a>>),
    /// `BODY (...)` (no extension data).
    Body(Box<BodyStructure<'a>>),
    /// `BODY[section]<origin> data`.
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `<origin>`: the data starts at this offset (a partial fetch).
        origin: Option<u32>,
        /// The octets; `None` for `NIL`.
        data: NString<'a>,
    },
    /// `BINARY[part] data` (RFC 3516); NUL octets allowed (`literal8`).
    Binary {
        /// The part.
        part: Vec<NonZeroU32>,
        /// The decoded octets; `None` for `NIL`.
        data: NString<'a>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516).
    BinarySize {
        /// The part.
        part: Vec<NonZeroU32>,
        /// The decoded size.
        size: u64,
    },
    /// `MODSEQ (n)` (RFC 7162).
    ModSeq(u64),
    /// `RFC822 data` (IMAP4rev1).
    Rfc822(NString<'a>),
    /// `RFC822.HEADER data` (IMAP4rev1).
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT data` (IMAP4rev1).
    Rfc822Text(NString<'a>),
    /// An item this crate does not know (`X-GM-LABELS`, ...), kept: its
    /// name and the raw value (well-formed: atoms, strings, literals,
    /// lists).
    Other {
        /// The item name.
        name: Cow<'a, str>,
        /// The raw value.
        value: Cow<'a, [u8]>,
    },
}

/// A FETCH item whose value is a literal the
/// [`ResponseReader`](crate::parse::ResponseReader) streams (or a server
/// writes in chunks with [`FetchLiteralWriter`](crate::encode::FetchLiteralWriter)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamedItem<'a> {
    /// `BODY[section]<origin>`.
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `<origin>`.
        origin: Option<u32>,
    },
    /// `BINARY[part]`.
    Binary {
        /// The part.
        part: Vec<NonZeroU32>,
    },
    /// `RFC822`.
    Rfc822,
    /// `RFC822.HEADER`.
    Rfc822Header,
    /// `RFC822.TEXT`.
    Rfc822Text,
}

impl<'a> StreamedItem<'a> {
    /// The complete item once its data is known.
    #[must_use]
    pub fn with_data(self, data: NString<'a>) -> FetchItem<'a> {
        match self {
            Self::BodySection { section, origin } => FetchItem::BodySection {
                section,
                origin,
                data,
            },
            Self::Binary { part } => FetchItem::Binary { part, data },
            Self::Rfc822 => FetchItem::Rfc822(data),
            Self::Rfc822Header => FetchItem::Rfc822Header(data),
            Self::Rfc822Text => FetchItem::Rfc822Text(data),
        }
    }
}
