//! The command encoder.

use bytes::BufMut;

use super::EncodeError;
use crate::types::chars::{is_astring_char, is_list_char, is_quotable};
use crate::types::{
    AString, AppendMessage, Command, CommandBody, DateTime, FetchAttribute, FetchAttributes, Flag,
    InitialResponse, ListReturn, ListSelect, Mailbox, SearchKey, Section, SectionText, SelectParam,
    StatusItem, StoreMode, Tag,
};

type Result<T = ()> = core::result::Result<T, EncodeError>;

/// Longest string written quoted; longer ones go as literals.
const MAX_QUOTED: usize = 1024;

/// How literals are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LiteralMode {
    /// `{n}`: the client waits for `+` before sending the octets. Works
    /// with every server.
    #[default]
    Sync,
    /// `{n+}` (LITERAL+, IMAP4rev2 for up to 4096 octets): no waiting.
    NonSync,
    /// LITERAL- (RFC 7888): `{n+}` up to 4096 octets, `{n}` above.
    NonSyncUpTo4096,
}

/// An encoded command and the places where a client must wait for the
/// server's continuation (`+`) before sending on.
///
/// ```
/// use mailwire_imap::encode::LiteralMode;
/// use mailwire_imap::types::{AString, Command, CommandBody, Secret, Tag};
///
/// let cmd = Command {
///     tag: Tag::new("a1")?,
///     body: CommandBody::Login {
///         username: AString::from("fred"),
///         password: Secret::new(AString::from("pass\"word\r\n")),
///     },
/// };
/// let encoded = cmd.encode_with(LiteralMode::Sync)?;
/// let segments: Vec<&[u8]> = encoded.segments().collect();
/// assert_eq!(segments, [&b"a1 LOGIN fred {11}\r\n"[..], b"pass\"word\r\n\r\n"]);
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoded {
    /// The whole command.
    pub bytes: Vec<u8>,
    /// Offsets into `bytes` after which the client waits for `+`.
    pub waits: Vec<usize>,
}

impl Encoded {
    /// The pieces to send, a continuation awaited between each two.
    pub fn segments(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.waits
            .iter()
            .copied()
            .chain(core::iter::once(self.bytes.len()))
            .map(move |end| {
                let segment = &self.bytes[start..end];
                start = end;
                segment
            })
    }
}

struct Enc {
    out: Vec<u8>,
    waits: Vec<usize>,
    mode: LiteralMode,
}

impl Enc {
    fn put(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    fn sp(&mut self) {
        self.out.push(b' ');
    }

    fn number(&mut self, n: u64) {
        self.put(n.to_string().as_bytes());
    }

    fn literal(&mut self, data: &[u8], binary: bool) -> Result {
        if !binary && crate::parse::has_nul(data) {
            return Err(EncodeError::ForbiddenByte {
                field: "literal",
                byte: 0,
            });
        }
        self.announce(data.len() as u64, binary);
        self.put(data);
        Ok(())
    }

    /// `["~"] "{" size ["+"] "}" CRLF`, noting the wait.
    fn announce(&mut self, size: u64, binary: bool) {
        let non_sync = match self.mode {
            LiteralMode::Sync => false,
            LiteralMode::NonSync => true,
            LiteralMode::NonSyncUpTo4096 => size <= 4096,
        };
        if binary {
            self.out.push(b'~');
        }
        self.out.push(b'{');
        self.number(size);
        if non_sync {
            self.out.push(b'+');
        }
        self.put(b"}\r\n");
        if !non_sync {
            self.waits.push(self.out.len());
        }
    }

    /// `quoted`, for octets that are all [`is_quotable`].
    fn quoted(&mut self, data: &[u8]) {
        self.out.push(b'"');
        for &b in data {
            if b == b'"' || b == b'\\' {
                self.out.push(b'\\');
            }
            self.out.push(b);
        }
        self.out.push(b'"');
    }

    /// `string = quoted / literal`.
    fn string(&mut self, data: &[u8]) -> Result {
        if data.len() <= MAX_QUOTED && data.iter().all(|&b| is_quotable(b)) {
            self.quoted(data);
            Ok(())
        } else {
            self.literal(data, false)
        }
    }

    /// `astring`: an atom when it can be one.
    fn astring(&mut self, s: &AString<'_>) -> Result {
        let data = s.as_bytes();
        if !data.is_empty() && data.iter().all(|&b| is_astring_char(b)) {
            self.put(data);
            Ok(())
        } else {
            self.string(data)
        }
    }

    /// `list-mailbox = 1*list-char / string`.
    fn list_mailbox(&mut self, s: &AString<'_>) -> Result {
        let data = s.as_bytes();
        if !data.is_empty() && data.iter().all(|&b| is_list_char(b)) {
            self.put(data);
            Ok(())
        } else {
            self.string(data)
        }
    }

    fn mailbox(&mut self, m: &Mailbox<'_>) -> Result {
        match m {
            Mailbox::Inbox => {
                self.put(b"INBOX");
                Ok(())
            }
            Mailbox::Other(name) => self.astring(name),
        }
    }

    fn flag(&mut self, flag: &Flag<'_>) {
        flag.write_to(&mut |bytes| self.out.extend_from_slice(bytes));
    }

    fn flag_list(&mut self, flags: &[Flag<'_>]) {
        self.out.push(b'(');
        for (i, flag) in flags.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            self.flag(flag);
        }
        self.out.push(b')');
    }

    fn list<T>(
        &mut self,
        items: &[T],
        empty_ok: bool,
        field: &'static str,
        mut item: impl FnMut(&mut Self, &T) -> Result,
    ) -> Result {
        if items.is_empty() && !empty_ok {
            return Err(empty(field));
        }
        self.out.push(b'(');
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            item(self, it)?;
        }
        self.out.push(b')');
        Ok(())
    }

    fn status_items(&mut self, items: &[StatusItem]) -> Result {
        self.list(items, false, "status items", |e, item| {
            e.put(item.as_str().as_bytes());
            Ok(())
        })
    }

    fn command(&mut self, cmd: &Command<'_>) -> Result {
        self.put(cmd.tag.as_str().as_bytes());
        self.sp();
        self.put(cmd.body.name().as_bytes());
        self.body(&cmd.body)?;
        self.put(b"\r\n");
        Ok(())
    }

    fn body(&mut self, body: &CommandBody<'_>) -> Result {
        use CommandBody as C;
        match body {
            C::Capability
            | C::Noop
            | C::Logout
            | C::StartTls
            | C::Namespace
            | C::Idle
            | C::Check
            | C::Close
            | C::Unselect
            | C::Expunge => {}
            C::Authenticate { mechanism, initial } => {
                self.sp();
                self.put(mechanism.as_str().as_bytes());
                match initial {
                    None => {}
                    Some(InitialResponse::Empty) => self.put(b" ="),
                    Some(InitialResponse::Base64(data)) => {
                        let data = data.expose().as_bytes();
                        let valid = !data.is_empty()
                            && data.iter().all(|&b| {
                                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
                            });
                        if !valid {
                            return Err(EncodeError::Invalid {
                                field: "initial response",
                                reason: "not base64",
                            });
                        }
                        self.sp();
                        self.put(data);
                    }
                }
            }
            C::Login { username, password } => {
                self.sp();
                self.astring(username)?;
                self.sp();
                self.astring(password.expose())?;
            }
            C::Enable { capabilities } => {
                if capabilities.is_empty() {
                    return Err(empty("capabilities"));
                }
                for cap in capabilities {
                    self.sp();
                    self.put(cap.to_string().as_bytes());
                }
            }
            C::Select { mailbox, params } | C::Examine { mailbox, params } => {
                self.sp();
                self.mailbox(mailbox)?;
                if !params.is_empty() {
                    self.sp();
                    self.list(params, false, "select parameters", Self::select_param)?;
                }
            }
            C::Create { mailbox }
            | C::Delete { mailbox }
            | C::Subscribe { mailbox }
            | C::Unsubscribe { mailbox }
            | C::GetQuotaRoot { mailbox } => {
                self.sp();
                self.mailbox(mailbox)?;
            }
            C::Rename { from, to } => {
                self.sp();
                self.mailbox(from)?;
                self.sp();
                self.mailbox(to)?;
            }
            C::List {
                selection,
                reference,
                patterns,
                returns,
            } => {
                self.sp();
                if !selection.is_empty() {
                    self.list(selection, true, "selection", |e, s| {
                        match s {
                            ListSelect::Subscribed => e.put(b"SUBSCRIBED"),
                            ListSelect::Remote => e.put(b"REMOTE"),
                            ListSelect::RecursiveMatch => e.put(b"RECURSIVEMATCH"),
                            ListSelect::SpecialUse => e.put(b"SPECIAL-USE"),
                            ListSelect::Other(a) => e.put(a.as_str().as_bytes()),
                        }
                        Ok(())
                    })?;
                    self.sp();
                }
                self.mailbox(reference)?;
                self.sp();
                match patterns.as_slice() {
                    [] => return Err(empty("patterns")),
                    [one] => self.list_mailbox(one)?,
                    many => self.list(many, false, "patterns", Self::list_mailbox)?,
                }
                if let Some(returns) = returns {
                    self.put(b" RETURN ");
                    self.list(returns, true, "return options", |e, r| {
                        match r {
                            ListReturn::Subscribed => e.put(b"SUBSCRIBED"),
                            ListReturn::Children => e.put(b"CHILDREN"),
                            ListReturn::SpecialUse => e.put(b"SPECIAL-USE"),
                            ListReturn::Status(items) => {
                                e.put(b"STATUS ");
                                e.status_items(items)?;
                            }
                            ListReturn::Other(a) => e.put(a.as_str().as_bytes()),
                        }
                        Ok(())
                    })?;
                }
            }
            C::Lsub { reference, pattern } => {
                self.sp();
                self.mailbox(reference)?;
                self.sp();
                self.list_mailbox(pattern)?;
            }
            C::Status { mailbox, items } => {
                self.sp();
                self.mailbox(mailbox)?;
                self.sp();
                self.status_items(items)?;
            }
            C::Append { mailbox, messages } => {
                self.sp();
                self.mailbox(mailbox)?;
                if messages.is_empty() {
                    return Err(empty("messages"));
                }
                for message in messages {
                    self.append_message(message)?;
                }
            }
            C::UidExpunge { set } => {
                self.sp();
                self.put(set.as_str().as_bytes());
            }
            C::Search {
                returns,
                charset,
                criteria,
                ..
            } => {
                if let Some(returns) = returns {
                    self.put(b" RETURN ");
                    self.list(returns, true, "return options", |e, r| {
                        e.put(r.as_str().as_bytes());
                        Ok(())
                    })?;
                }
                if let Some(charset) = charset {
                    self.put(b" CHARSET ");
                    self.astring(charset)?;
                }
                self.search_keys(criteria)?;
            }
            C::Fetch {
                set,
                attributes,
                changed_since,
                vanished,
                ..
            } => {
                self.sp();
                self.put(set.as_str().as_bytes());
                self.sp();
                match attributes {
                    FetchAttributes::All => self.put(b"ALL"),
                    FetchAttributes::Fast => self.put(b"FAST"),
                    FetchAttributes::Full => self.put(b"FULL"),
                    FetchAttributes::List(list) => match list.as_slice() {
                        [one] => self.fetch_att(one)?,
                        many => self.list(many, false, "fetch attributes", Self::fetch_att)?,
                    },
                }
                match (changed_since, vanished) {
                    (None, false) => {}
                    (Some(n), false) => {
                        self.put(b" (CHANGEDSINCE ");
                        self.number(*n);
                        self.put(b")");
                    }
                    (None, true) => self.put(b" (VANISHED)"),
                    (Some(n), true) => {
                        self.put(b" (CHANGEDSINCE ");
                        self.number(*n);
                        self.put(b" VANISHED)");
                    }
                }
            }
            C::Store {
                set,
                unchanged_since,
                flags,
                ..
            } => {
                self.sp();
                self.put(set.as_str().as_bytes());
                self.sp();
                if let Some(n) = unchanged_since {
                    self.put(b"(UNCHANGEDSINCE ");
                    self.number(*n);
                    self.put(b") ");
                }
                self.put(match flags.mode {
                    StoreMode::Replace => b"FLAGS",
                    StoreMode::Add => b"+FLAGS",
                    StoreMode::Remove => b"-FLAGS",
                });
                if flags.silent {
                    self.put(b".SILENT");
                }
                self.sp();
                self.flag_list(&flags.flags);
            }
            C::Copy { set, mailbox, .. } | C::Move { set, mailbox, .. } => {
                self.sp();
                self.put(set.as_str().as_bytes());
                self.sp();
                self.mailbox(mailbox)?;
            }
            C::Sort {
                criteria,
                charset,
                search,
                ..
            } => {
                self.sp();
                self.list(criteria, false, "sort criteria", |e, c| {
                    if c.reverse {
                        e.put(b"REVERSE ");
                    }
                    e.put(c.key.as_str().as_bytes());
                    Ok(())
                })?;
                self.sp();
                self.astring(charset)?;
                self.search_keys(search)?;
            }
            C::Thread {
                algorithm,
                charset,
                search,
                ..
            } => {
                self.sp();
                self.put(algorithm.as_str().as_bytes());
                self.sp();
                self.astring(charset)?;
                self.search_keys(search)?;
            }
            C::GetQuota { root } => {
                self.sp();
                self.astring(root)?;
            }
            C::SetQuota { root, limits } => {
                self.sp();
                self.astring(root)?;
                self.sp();
                self.list(limits, true, "quota limits", |e, (name, n)| {
                    e.put(name.as_str().as_bytes());
                    e.sp();
                    e.number(*n);
                    Ok(())
                })?;
            }
            C::Id { params } => {
                self.sp();
                match params {
                    None => self.put(b"NIL"),
                    Some(params) => self.list(params, true, "ID parameters", |e, (k, v)| {
                        e.string(k.as_bytes())?;
                        e.sp();
                        match v {
                            None => e.put(b"NIL"),
                            Some(v) => e.string(v.as_bytes())?,
                        }
                        Ok(())
                    })?,
                }
            }
            C::Compress { algorithm } => {
                self.sp();
                self.put(algorithm.as_str().as_bytes());
            }
        }
        Ok(())
    }

    fn select_param(&mut self, param: &SelectParam<'_>) -> Result {
        match param {
            SelectParam::CondStore => self.put(b"CONDSTORE"),
            SelectParam::QResync {
                uid_validity,
                modseq,
                known_uids,
                seq_match,
            } => {
                if *uid_validity == 0 {
                    return Err(EncodeError::Invalid {
                        field: "UIDVALIDITY",
                        reason: "zero",
                    });
                }
                self.put(b"QRESYNC (");
                self.number(u64::from(*uid_validity));
                self.sp();
                self.number(*modseq);
                if let Some(uids) = known_uids {
                    self.sp();
                    self.put(uids.as_str().as_bytes());
                }
                if let Some((seqs, uids)) = seq_match {
                    self.put(b" (");
                    self.put(seqs.as_str().as_bytes());
                    self.sp();
                    self.put(uids.as_str().as_bytes());
                    self.put(b")");
                }
                self.put(b")");
            }
        }
        Ok(())
    }

    fn append_message(&mut self, message: &AppendMessage<'_>) -> Result {
        self.append_meta(&message.flags, message.date);
        self.literal(&message.data, message.binary)
    }

    /// `SP [flag-list SP] [date-time SP]`.
    fn append_meta(&mut self, flags: &[Flag<'_>], date: Option<DateTime>) {
        self.sp();
        if !flags.is_empty() {
            self.flag_list(flags);
            self.sp();
        }
        if let Some(date) = date {
            self.put(date.to_string().as_bytes());
            self.sp();
        }
    }

    fn search_keys(&mut self, keys: &[SearchKey<'_>]) -> Result {
        if keys.is_empty() {
            return Err(empty("search keys"));
        }
        for key in keys {
            self.sp();
            self.search_key(key)?;
        }
        Ok(())
    }

    fn search_key(&mut self, key: &SearchKey<'_>) -> Result {
        // The nesting keys here, the rest out of line, so that each level
        // of nesting costs a small stack frame.
        match key {
            SearchKey::Not(inner) => {
                self.put(b"NOT ");
                self.search_key(inner)
            }
            SearchKey::Or(a, b) => {
                self.put(b"OR ");
                self.search_key(a)?;
                self.sp();
                self.search_key(b)
            }
            SearchKey::And(keys) => {
                if keys.is_empty() {
                    return Err(empty("search keys"));
                }
                self.out.push(b'(');
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.search_key(key)?;
                }
                self.out.push(b')');
                Ok(())
            }
            leaf => self.search_leaf(leaf),
        }
    }

    #[inline(never)]
    fn search_leaf(&mut self, key: &SearchKey<'_>) -> Result {
        use SearchKey as S;
        let simple: &[u8] = match key {
            S::All => b"ALL",
            S::Answered => b"ANSWERED",
            S::Deleted => b"DELETED",
            S::Draft => b"DRAFT",
            S::Flagged => b"FLAGGED",
            S::New => b"NEW",
            S::Old => b"OLD",
            S::Recent => b"RECENT",
            S::Seen => b"SEEN",
            S::Unanswered => b"UNANSWERED",
            S::Undeleted => b"UNDELETED",
            S::Undraft => b"UNDRAFT",
            S::Unflagged => b"UNFLAGGED",
            S::Unseen => b"UNSEEN",
            _ => b"",
        };
        if !simple.is_empty() {
            self.put(simple);
            return Ok(());
        }
        match key {
            S::Bcc(s) => self.key_astring(b"BCC ", s)?,
            S::Body(s) => self.key_astring(b"BODY ", s)?,
            S::Cc(s) => self.key_astring(b"CC ", s)?,
            S::From(s) => self.key_astring(b"FROM ", s)?,
            S::Subject(s) => self.key_astring(b"SUBJECT ", s)?,
            S::Text(s) => self.key_astring(b"TEXT ", s)?,
            S::To(s) => self.key_astring(b"TO ", s)?,
            S::Header(field, value) => {
                self.key_astring(b"HEADER ", field)?;
                self.sp();
                self.astring(value)?;
            }
            S::Before(d) => self.key_text(b"BEFORE ", &d.to_string()),
            S::On(d) => self.key_text(b"ON ", &d.to_string()),
            S::Since(d) => self.key_text(b"SINCE ", &d.to_string()),
            S::SentBefore(d) => self.key_text(b"SENTBEFORE ", &d.to_string()),
            S::SentOn(d) => self.key_text(b"SENTON ", &d.to_string()),
            S::SentSince(d) => self.key_text(b"SENTSINCE ", &d.to_string()),
            S::Keyword(a) => self.key_text(b"KEYWORD ", a.as_str()),
            S::Unkeyword(a) => self.key_text(b"UNKEYWORD ", a.as_str()),
            S::Larger(n) => self.key_text(b"LARGER ", &n.to_string()),
            S::Smaller(n) => self.key_text(b"SMALLER ", &n.to_string()),
            S::Older(n) | S::Younger(n) if *n == 0 => {
                return Err(EncodeError::Invalid {
                    field: "OLDER/YOUNGER",
                    reason: "zero",
                });
            }
            S::Older(n) => self.key_text(b"OLDER ", &n.to_string()),
            S::Younger(n) => self.key_text(b"YOUNGER ", &n.to_string()),
            S::Uid(set) => self.key_text(b"UID ", set.as_str()),
            S::SequenceSet(set) => self.put(set.as_str().as_bytes()),
            S::ModSeq { entry, modseq } => {
                self.put(b"MODSEQ ");
                if let Some((name, kind)) = entry {
                    // entry-name is a quoted string in the grammar.
                    let data = name.as_bytes();
                    if !data.iter().all(|&b| is_quotable(b)) {
                        return Err(EncodeError::Invalid {
                            field: "MODSEQ entry name",
                            reason: "not quotable",
                        });
                    }
                    self.quoted(data);
                    self.sp();
                    self.put(kind.as_str().as_bytes());
                    self.sp();
                }
                self.number(*modseq);
            }
            _ => {}
        }
        Ok(())
    }

    fn key_astring(&mut self, name: &[u8], value: &AString<'_>) -> Result {
        self.put(name);
        self.astring(value)
    }

    fn key_text(&mut self, name: &[u8], text: &str) {
        self.put(name);
        self.put(text.as_bytes());
    }

    fn fetch_att(&mut self, att: &FetchAttribute<'_>) -> Result {
        use FetchAttribute as F;
        match att {
            F::Envelope => self.put(b"ENVELOPE"),
            F::Flags => self.put(b"FLAGS"),
            F::InternalDate => self.put(b"INTERNALDATE"),
            F::Rfc822 => self.put(b"RFC822"),
            F::Rfc822Header => self.put(b"RFC822.HEADER"),
            F::Rfc822Size => self.put(b"RFC822.SIZE"),
            F::Rfc822Text => self.put(b"RFC822.TEXT"),
            F::Body => self.put(b"BODY"),
            F::BodyStructure => self.put(b"BODYSTRUCTURE"),
            F::Uid => self.put(b"UID"),
            F::ModSeq => self.put(b"MODSEQ"),
            F::BodySection {
                peek,
                section,
                partial,
            } => {
                self.put(if *peek { b"BODY.PEEK[" } else { b"BODY[" });
                self.section(section)?;
                self.put(b"]");
                self.partial(*partial);
            }
            F::Binary {
                peek,
                part,
                partial,
            } => {
                self.put(if *peek { b"BINARY.PEEK[" } else { b"BINARY[" });
                self.part(part);
                self.put(b"]");
                self.partial(*partial);
            }
            F::BinarySize { part } => {
                self.put(b"BINARY.SIZE[");
                self.part(part);
                self.put(b"]");
            }
        }
        Ok(())
    }

    fn part(&mut self, part: &[core::num::NonZeroU32]) {
        for (i, n) in part.iter().enumerate() {
            if i > 0 {
                self.put(b".");
            }
            self.number(u64::from(n.get()));
        }
    }

    fn partial(&mut self, partial: Option<(u32, core::num::NonZeroU32)>) {
        if let Some((offset, len)) = partial {
            self.put(b"<");
            self.number(u64::from(offset));
            self.put(b".");
            self.number(u64::from(len.get()));
            self.put(b">");
        }
    }

    fn section(&mut self, section: &Section<'_>) -> Result {
        self.part(&section.part);
        let Some(text) = &section.text else {
            return Ok(());
        };
        if !section.part.is_empty() {
            self.put(b".");
        }
        match text {
            SectionText::Header => self.put(b"HEADER"),
            SectionText::Text => self.put(b"TEXT"),
            SectionText::Mime if section.part.is_empty() => {
                return Err(EncodeError::Invalid {
                    field: "section",
                    reason: "MIME needs a part number",
                });
            }
            SectionText::Mime => self.put(b"MIME"),
            SectionText::HeaderFields(names) => {
                self.put(b"HEADER.FIELDS ");
                self.list(names, false, "header fields", Self::astring)?;
            }
            SectionText::HeaderFieldsNot(names) => {
                self.put(b"HEADER.FIELDS.NOT ");
                self.list(names, false, "header fields", Self::astring)?;
            }
        }
        Ok(())
    }
}

fn empty(field: &'static str) -> EncodeError {
    EncodeError::Invalid {
        field,
        reason: "empty",
    }
}

impl Command<'_> {
    /// Writes the command with synchronizing literals (`{n}`).
    ///
    /// A server-side reader of these bytes sees exactly what a client
    /// sends after each `+`. A client must stop after each literal's
    /// announcement: use [`encode_with`](Self::encode_with) for where.
    ///
    /// # Errors
    ///
    /// When a value cannot be written (NUL outside a `literal8`, an
    /// empty list where the grammar wants one item, ...). Nothing is
    /// written then.
    ///
    /// ```
    /// use mailwire_imap::types::{Command, CommandBody, Mailbox, Tag};
    /// let cmd = Command { tag: Tag::new("A003")?, body: CommandBody::Create { mailbox: Mailbox::from("owatagusiam/") } };
    /// let mut out = Vec::new();
    /// cmd.encode(&mut out)?;
    /// assert_eq!(out, b"A003 CREATE owatagusiam/\r\n");
    /// # Ok::<(), mailwire_imap::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result {
        let encoded = self.encode_with(LiteralMode::Sync)?;
        out.put_slice(&encoded.bytes);
        Ok(())
    }

    /// The command's bytes with synchronizing literals.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.encode_with(LiteralMode::Sync)?.bytes)
    }

    /// Encodes with the given literal form, returning the bytes and
    /// where the client must wait for `+`.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    pub fn encode_with(&self, mode: LiteralMode) -> Result<Encoded> {
        let mut enc = Enc {
            out: Vec::with_capacity(64),
            waits: Vec::new(),
            mode,
        };
        enc.command(self)?;
        Ok(Encoded {
            bytes: enc.out,
            waits: enc.waits,
        })
    }
}

/// The head of an APPEND whose message a client streams itself, without
/// holding it in memory: `tag APPEND mailbox [flags] [date] {size}` CRLF.
///
/// Send the head's [segments](Encoded::segments) (its last wait, for a
/// synchronizing literal, is before the message), then the message's
/// `size` octets, then either CRLF to end the command or the head of the
/// next message ([`encode_append_next`], MULTIAPPEND). The octets are the
/// caller's to check: no NUL unless `binary` (a `literal8`, RFC 3516).
///
/// # Errors
///
/// When the mailbox name cannot be written.
///
/// ```
/// use mailwire_imap::encode::{LiteralMode, encode_append_head};
/// use mailwire_imap::types::{Flag, Mailbox, Tag};
///
/// let head = encode_append_head(&Tag::new("A003")?, &Mailbox::from("saved-messages"),
///     &[Flag::Seen], None, 310, false, LiteralMode::Sync)?;
/// assert_eq!(head.bytes, b"A003 APPEND saved-messages (\\Seen) {310}\r\n");
/// assert_eq!(head.waits, [head.bytes.len()]); // wait for "+", then send the 310 octets
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
pub fn encode_append_head(
    tag: &Tag<'_>,
    mailbox: &Mailbox<'_>,
    flags: &[Flag<'_>],
    date: Option<DateTime>,
    size: u64,
    binary: bool,
    mode: LiteralMode,
) -> Result<Encoded> {
    let mut enc = Enc {
        out: Vec::with_capacity(64),
        waits: Vec::new(),
        mode,
    };
    enc.put(tag.as_str().as_bytes());
    enc.put(b" APPEND ");
    enc.mailbox(mailbox)?;
    enc.append_meta(flags, date);
    enc.announce(size, binary);
    Ok(Encoded {
        bytes: enc.out,
        waits: enc.waits,
    })
}

/// The head of the next message of a MULTIAPPEND (RFC 3502), written
/// right after the previous message's octets: `SP [flags] [date] {size}`
/// CRLF. See [`encode_append_head`].
///
/// ```
/// use mailwire_imap::encode::{LiteralMode, encode_append_next};
/// let next = encode_append_next(&[], None, 5, false, LiteralMode::NonSync);
/// assert_eq!(next.bytes, b" {5+}\r\n");
/// assert!(next.waits.is_empty());
/// ```
#[must_use]
pub fn encode_append_next(
    flags: &[Flag<'_>],
    date: Option<DateTime>,
    size: u64,
    binary: bool,
    mode: LiteralMode,
) -> Encoded {
    let mut enc = Enc {
        out: Vec::with_capacity(32),
        waits: Vec::new(),
        mode,
    };
    enc.append_meta(flags, date);
    enc.announce(size, binary);
    Encoded {
        bytes: enc.out,
        waits: enc.waits,
    }
}
