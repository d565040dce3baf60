//! Commands (RFC 3501 section 6, RFC 9051 section 6, and extensions).

use std::borrow::Cow;

use super::{
    AString, Atom, Capability, DateTime, FetchAttributes, Flag, Mailbox, NString, SearchKey,
    SearchReturn, Secret, SequenceSet, SortCriterion, StatusItem, StoreFlags, Tag,
};

/// A command: `command = tag SP (command-any / command-auth /
/// command-nonauth / command-select) CRLF`.
///
/// Parse a complete command with [`Command::parse`]; read commands off a
/// connection (literals, streaming APPEND) with
/// [`CommandDecoder`](crate::parse::CommandDecoder); write with
/// [`Command::encode`].
///
/// ```
/// use mailwire_imap::types::{Command, CommandBody, Mailbox};
/// let (cmd, len) = Command::parse(b"A142 SELECT INBOX\r\n")?;
/// assert_eq!(len, 19);
/// assert_eq!(cmd.tag.as_str(), "A142");
/// assert_eq!(cmd.body, CommandBody::Select { mailbox: Mailbox::Inbox, params: vec![] });
/// # Ok::<(), mailwire_imap::parse::CommandError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The tag.
    pub tag: Tag<'a>,
    /// The command and its arguments.
    pub body: CommandBody<'a>,
}

/// A SASL initial response (RFC 4959): base64, or `=` for an empty one.
/// Redacted in `Debug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialResponse<'a> {
    /// `=`: an empty initial response.
    Empty,
    /// The base64 text.
    Base64(Secret<Cow<'a, str>>),
}

/// A SELECT / EXAMINE parameter (RFC 7162 section 3.1.8, 3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectParam<'a> {
    /// `CONDSTORE`.
    CondStore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [(seqs uids)])`.
    QResync {
        /// The UIDVALIDITY the client knows.
        uid_validity: u32,
        /// The last known mod-sequence.
        modseq: u64,
        /// The UIDs the client knows.
        known_uids: Option<SequenceSet<'a>>,
        /// `seq-match-data`: message numbers and the UIDs they match.
        seq_match: Option<(SequenceSet<'a>, SequenceSet<'a>)>,
    },
}

/// A LIST selection option (RFC 5258, RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListSelect<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `REMOTE`.
    Remote,
    /// `RECURSIVEMATCH`.
    RecursiveMatch,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// Another option name.
    Other(Atom<'a>),
}

/// A LIST return option (RFC 5258, RFC 5819 STATUS, RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListReturn<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `CHILDREN`.
    Children,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// `STATUS (items)` (LIST-STATUS).
    Status(Vec<StatusItem>),
    /// Another option name.
    Other(Atom<'a>),
}

/// One message of APPEND: `append-message = [SP flag-list] [SP
/// date-time] SP (literal / literal8)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage<'a> {
    /// The flags to set.
    pub flags: Vec<Flag<'a>>,
    /// The INTERNALDATE to set.
    pub date: Option<DateTime>,
    /// The message.
    pub data: Cow<'a, [u8]>,
    /// Sent as `~{n}` (a `literal8`: any octet but the message is not
    /// transfer-encoded, RFC 3516).
    pub binary: bool,
}

/// What a command does and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandBody<'a> {
    /// `CAPABILITY` (RFC 9051 6.1.1).
    Capability,
    /// `NOOP` (RFC 9051 6.1.2).
    Noop,
    /// `LOGOUT` (RFC 9051 6.1.3).
    Logout,
    /// `STARTTLS` (RFC 9051 6.2.1).
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 9051 6.2.2, RFC
    /// 4959 SASL-IR).
    Authenticate {
        /// The SASL mechanism.
        mechanism: Atom<'a>,
        /// The initial response.
        initial: Option<InitialResponse<'a>>,
    },
    /// `LOGIN userid password` (RFC 9051 6.2.3).
    Login {
        /// The user name.
        username: AString<'a>,
        /// The password.
        password: Secret<AString<'a>>,
    },
    /// `ENABLE capability...` (RFC 5161, RFC 9051 6.3.1).
    Enable {
        /// What to enable. Never empty.
        capabilities: Vec<Capability<'a>>,
    },
    /// `SELECT mailbox [(params)]` (RFC 9051 6.3.2).
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// CONDSTORE / QRESYNC parameters.
        params: Vec<SelectParam<'a>>,
    },
    /// `EXAMINE mailbox [(params)]` (RFC 9051 6.3.3).
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// CONDSTORE / QRESYNC parameters.
        params: Vec<SelectParam<'a>>,
    },
    /// `CREATE mailbox` (RFC 9051 6.3.4).
    Create {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `DELETE mailbox` (RFC 9051 6.3.5).
    Delete {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `RENAME from to` (RFC 9051 6.3.6).
    Rename {
        /// The existing name.
        from: Mailbox<'a>,
        /// The new name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox` (RFC 9051 6.3.7).
    Subscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `UNSUBSCRIBE mailbox` (RFC 9051 6.3.8).
    Unsubscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `LIST [(selection)] reference pattern(s) [RETURN (options)]` (RFC
    /// 9051 6.3.9, RFC 5258, RFC 5819, RFC 6154).
    List {
        /// Selection options (`LIST (SUBSCRIBED) ...`).
        selection: Vec<ListSelect<'a>>,
        /// The reference name.
        reference: Mailbox<'a>,
        /// The patterns (`%` and `*` are wildcards). Never empty.
        patterns: Vec<AString<'a>>,
        /// Return options; `None` when `RETURN` is absent.
        returns: Option<Vec<ListReturn<'a>>>,
    },
    /// `LSUB reference pattern` (RFC 3501 6.3.9; IMAP4rev1 only).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: AString<'a>,
    },
    /// `NAMESPACE` (RFC 2342, RFC 9051 6.3.10).
    Namespace,
    /// `STATUS mailbox (items)` (RFC 9051 6.3.11).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The items. Never empty.
        items: Vec<StatusItem>,
    },
    /// `APPEND mailbox message...` (RFC 9051 6.3.12, RFC 3502
    /// MULTIAPPEND when more than one).
    Append {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The messages. Never empty.
        messages: Vec<AppendMessage<'a>>,
    },
    /// `IDLE` (RFC 2177, RFC 9051 6.3.13); the client ends it with
    /// [`IdleDone`](super::IdleDone).
    Idle,
    /// `CHECK` (RFC 3501 6.4.1; IMAP4rev1 only).
    Check,
    /// `CLOSE` (RFC 9051 6.4.1).
    Close,
    /// `UNSELECT` (RFC 3691, RFC 9051 6.4.2).
    Unselect,
    /// `EXPUNGE` (RFC 9051 6.4.3).
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315, RFC 9051 6.4.9).
    UidExpunge {
        /// The UIDs.
        set: SequenceSet<'a>,
    },
    /// `[UID] SEARCH [RETURN (opts)] [CHARSET c] keys` (RFC 9051 6.4.4,
    /// RFC 4731 ESEARCH).
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `RETURN (...)`; `None` when absent.
        returns: Option<Vec<SearchReturn>>,
        /// `CHARSET name`.
        charset: Option<AString<'a>>,
        /// The keys, ANDed. Never empty.
        criteria: Vec<SearchKey<'a>>,
    },
    /// `[UID] FETCH set attributes [(CHANGEDSINCE n [VANISHED])]` (RFC
    /// 9051 6.4.5, RFC 7162).
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        set: SequenceSet<'a>,
        /// What to fetch.
        attributes: FetchAttributes<'a>,
        /// `CHANGEDSINCE modseq`.
        changed_since: Option<u64>,
        /// `VANISHED` (QRESYNC, with `UID FETCH` and `CHANGEDSINCE`).
        vanished: bool,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] flags` (RFC 9051 6.4.6, RFC
    /// 7162).
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        set: SequenceSet<'a>,
        /// `UNCHANGEDSINCE modseq`.
        unchanged_since: Option<u64>,
        /// The flag change.
        flags: StoreFlags<'a>,
    },
    /// `[UID] COPY set mailbox` (RFC 9051 6.4.7).
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        set: SequenceSet<'a>,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851, RFC 9051 6.4.8).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        set: SequenceSet<'a>,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] SORT (criteria) charset keys` (RFC 5256).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// Sort criteria. Never empty.
        criteria: Vec<SortCriterion>,
        /// The charset of the search strings.
        charset: AString<'a>,
        /// The search keys. Never empty.
        search: Vec<SearchKey<'a>>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// `ORDEREDSUBJECT`, `REFERENCES`, ...
        algorithm: Atom<'a>,
        /// The charset of the search strings.
        charset: AString<'a>,
        /// The search keys. Never empty.
        search: Vec<SearchKey<'a>>,
    },
    /// `GETQUOTA root` (RFC 9208).
    GetQuota {
        /// The quota root.
        root: AString<'a>,
    },
    /// `GETQUOTAROOT mailbox` (RFC 9208).
    GetQuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `SETQUOTA root (resource limit ...)` (RFC 9208).
    SetQuota {
        /// The quota root.
        root: AString<'a>,
        /// Resource names (`STORAGE`, `MESSAGE`, ...) and limits.
        limits: Vec<(Atom<'a>, u64)>,
    },
    /// `ID (field value ...)` or `ID NIL` (RFC 2971).
    Id {
        /// The fields; `None` for `NIL`.
        params: Option<Vec<(AString<'a>, NString<'a>)>>,
    },
    /// `COMPRESS algorithm` (RFC 4978; syntax only).
    Compress {
        /// `DEFLATE`.
        algorithm: Atom<'a>,
    },
}

impl CommandBody<'_> {
    /// The command's name as written on the wire (`UID FETCH`, ...).
    ///
    /// ```
    /// use mailwire_imap::types::Command;
    /// let (cmd, _) = Command::parse(b"a UID EXPUNGE 1:3\r\n")?;
    /// assert_eq!(cmd.body.name(), "UID EXPUNGE");
    /// # Ok::<(), mailwire_imap::parse::CommandError>(())
    /// ```
    #[must_use]
    pub fn name(&self) -> &'static str {
        macro_rules! uid {
            ($uid:expr, $name:literal) => {
                if *$uid { concat!("UID ", $name) } else { $name }
            };
        }
        match self {
            Self::Capability => "CAPABILITY",
            Self::Noop => "NOOP",
            Self::Logout => "LOGOUT",
            Self::StartTls => "STARTTLS",
            Self::Authenticate { .. } => "AUTHENTICATE",
            Self::Login { .. } => "LOGIN",
            Self::Enable { .. } => "ENABLE",
            Self::Select { .. } => "SELECT",
            Self::Examine { .. } => "EXAMINE",
            Self::Create { .. } => "CREATE",
            Self::Delete { .. } => "DELETE",
            Self::Rename { .. } => "RENAME",
            Self::Subscribe { .. } => "SUBSCRIBE",
            Self::Unsubscribe { .. } => "UNSUBSCRIBE",
            Self::List { .. } => "LIST",
            Self::Lsub { .. } => "LSUB",
            Self::Namespace => "NAMESPACE",
            Self::Status { .. } => "STATUS",
            Self::Append { .. } => "APPEND",
            Self::Idle => "IDLE",
            Self::Check => "CHECK",
            Self::Close => "CLOSE",
            Self::Unselect => "UNSELECT",
            Self::Expunge => "EXPUNGE",
            Self::UidExpunge { .. } => "UID EXPUNGE",
            Self::Search { uid, .. } => uid!(uid, "SEARCH"),
            Self::Fetch { uid, .. } => uid!(uid, "FETCH"),
            Self::Store { uid, .. } => uid!(uid, "STORE"),
            Self::Copy { uid, .. } => uid!(uid, "COPY"),
            Self::Move { uid, .. } => uid!(uid, "MOVE"),
            Self::Sort { uid, .. } => uid!(uid, "SORT"),
            Self::Thread { uid, .. } => uid!(uid, "THREAD"),
            Self::GetQuota { .. } => "GETQUOTA",
            Self::GetQuotaRoot { .. } => "GETQUOTAROOT",
            Self::SetQuota { .. } => "SETQUOTA",
            Self::Id { .. } => "ID",
            Self::Compress { .. } => "COMPRESS",
        }
    }
}

/// The client's line that ends IDLE: `idle = "IDLE" CRLF "DONE"` (RFC
/// 2177, RFC 9051 6.3.13).
///
/// ```
/// use mailwire_imap::types::IdleDone;
/// assert!(IdleDone::parse(b"DONE\r\n").is_ok());
/// assert!(IdleDone::parse(b"done\r\n").is_ok());
/// assert!(IdleDone::parse(b"DONE x\r\n").is_err());
/// assert_eq!(IdleDone::BYTES, b"DONE\r\n");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdleDone;

impl IdleDone {
    /// What a client sends.
    pub const BYTES: &'static [u8] = b"DONE\r\n";

    /// Reads the line (case-insensitive, CRLF or LF).
    ///
    /// # Errors
    ///
    /// When the line is not `DONE`.
    pub fn parse(line: &[u8]) -> Result<Self, crate::parse::CommandError> {
        let text = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(line);
        if text.eq_ignore_ascii_case(b"DONE") {
            Ok(Self)
        } else {
            Err(crate::parse::CommandError::new(
                crate::parse::CommandErrorKind::Syntax("DONE"),
                0,
            ))
        }
    }
}
