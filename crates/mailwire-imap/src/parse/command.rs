//! The command grammar, one byte cursor over a complete command (its
//! lines and literals).

use core::num::NonZeroU32;
use std::borrow::Cow;

use super::{CommandError, CommandErrorKind as K, Limits, has_nul};
use crate::types::chars::{is_astring_char, is_atom_char, is_list_char, is_tag_char};
use crate::types::{
    AString, AppendMessage, Atom, Capability, Command, CommandBody, Date, DateTime, EntryType,
    FetchAttribute, FetchAttributes, Flag, InitialResponse, ListReturn, ListSelect, Mailbox,
    NString, SearchKey, SearchReturn, Secret, Section, SectionText, SelectParam, SequenceSet,
    SortCriterion, SortKey, StatusItem, StoreFlags, StoreMode, Tag,
};

type Result<T> = core::result::Result<T, CommandError>;

/// A cursor over one command.
pub(crate) struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    limits: Limits,
    depth: usize,
    items: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(input: &'a [u8], limits: &Limits) -> Self {
        Self {
            input,
            pos: 0,
            limits: *limits,
            depth: 0,
            items: 0,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn rest(&self) -> &'a [u8] {
        &self.input[self.pos.min(self.input.len())..]
    }

    /// A syntax error here, or `Incomplete` when the input has ended.
    fn err(&self, what: &'static str) -> CommandError {
        if self.at_end() {
            CommandError::new(K::Incomplete, self.pos)
        } else {
            CommandError::new(K::Syntax(what), self.pos)
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8, what: &'static str) -> Result<()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn sp(&mut self) -> Result<()> {
        self.expect(b' ', "SP")
    }

    /// One more item, against the limit.
    fn item(&mut self) -> Result<()> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(CommandError::new(
                K::TooManyItems {
                    max: self.limits.max_items,
                },
                self.pos,
            ));
        }
        Ok(())
    }

    /// Whether the rest starts with `word` (ASCII case-insensitive),
    /// consuming it if so.
    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes()) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// The run of bytes matching `class` (maybe empty).
    fn take_while(&mut self, class: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        let len = self.rest().iter().take_while(|&&b| class(b)).count();
        self.pos += len;
        &self.input[start..start + len]
    }

    /// `CRLF` (a bare LF accepted) at the end of the command.
    pub(crate) fn crlf(&mut self) -> Result<()> {
        self.eat(b'\r');
        self.expect(b'\n', "CRLF")
    }

    fn str_of(bytes: &'a [u8]) -> &'a str {
        // Callers pass runs of ASCII classes only.
        core::str::from_utf8(bytes).unwrap_or_default()
    }

    /// `tag = 1*<any ASTRING-CHAR except "+">`.
    pub(crate) fn tag(&mut self) -> Result<Tag<'a>> {
        let tag = self.take_while(is_tag_char);
        if tag.is_empty() {
            return Err(self.err("tag"));
        }
        Ok(Tag::new_unchecked(Self::str_of(tag)))
    }

    /// `atom = 1*ATOM-CHAR`.
    fn atom(&mut self) -> Result<Atom<'a>> {
        let atom = self.take_while(is_atom_char);
        if atom.is_empty() {
            return Err(self.err("atom"));
        }
        Ok(Atom::new_unchecked(Self::str_of(atom)))
    }

    /// A keyword-like word: letters, digits, `.`, `-`, `+`.
    fn word(&mut self) -> &'a [u8] {
        self.take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'))
    }

    /// `number = 1*DIGIT` (a `u64`, "number64" in RFC 9051).
    fn number64(&mut self) -> Result<u64> {
        let start = self.pos;
        let digits = self.take_while(|b| b.is_ascii_digit());
        if digits.is_empty() {
            return Err(self.err("number"));
        }
        let mut n: u64 = 0;
        for &d in digits {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or(CommandError::new(K::Syntax("number"), start))?;
        }
        Ok(n)
    }

    /// `number` that fits a `u32`.
    fn number(&mut self) -> Result<u32> {
        let start = self.pos;
        let n = self.number64()?;
        u32::try_from(n).map_err(|_| CommandError::new(K::Syntax("32-bit number"), start))
    }

    /// `nz-number`.
    fn nz_number(&mut self) -> Result<NonZeroU32> {
        let start = self.pos;
        let n = self.number()?;
        NonZeroU32::new(n).ok_or(CommandError::new(K::Syntax("non-zero number"), start))
    }

    /// `quoted = DQUOTE *QUOTED-CHAR DQUOTE`; `QUOTED-CHAR = <any
    /// TEXT-CHAR except quoted-specials> / "\" quoted-specials /
    /// UTF8-2 / UTF8-3 / UTF8-4` (8-bit octets accepted, RFC 9051).
    fn quoted(&mut self) -> Result<Cow<'a, [u8]>> {
        self.expect(b'"', "quoted string")?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.peek() {
                None => return Err(self.err("closing quote")),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\') => self.pos += 1,
                        _ => return Err(self.err("\\\" or \\\\")),
                    }
                }
                Some(0 | b'\r' | b'\n') => return Err(self.err("quoted character")),
                Some(_) => self.pos += 1,
            }
        }
        let raw = &self.input[start..self.pos];
        self.pos += 1;
        if !escaped {
            return Ok(Cow::Borrowed(raw));
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut bytes = raw.iter();
        while let Some(&b) = bytes.next() {
            if b == b'\\' {
                if let Some(&next) = bytes.next() {
                    out.push(next);
                }
            } else {
                out.push(b);
            }
        }
        Ok(Cow::Owned(out))
    }

    /// `literal = "{" number64 ["+"] "}" CRLF *CHAR8`, `literal8 = "~{"
    /// number64 ["+"] "}" CRLF *OCTET` (when `binary_ok`). Returns the
    /// octets and whether it was a `literal8`. The size is checked
    /// against its limit before the octets are looked at.
    fn literal(&mut self, append: bool) -> Result<(&'a [u8], bool)> {
        let start = self.pos;
        let binary = append && self.eat(b'~');
        self.expect(b'{', "literal")?;
        // As the decoder frames: more than 24 digits is no literal.
        let digits = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 24 {
            return Err(CommandError::new(K::Syntax("literal size"), self.pos));
        }
        let size = self.number64()?;
        let non_sync = self.eat(b'+');
        self.expect(b'}', "}")?;
        self.expect(b'\r', "CRLF after literal size")?;
        self.expect(b'\n', "CRLF after literal size")?;
        check_literal_size(&self.limits, size, non_sync, append).map_err(|e| e.at(start))?;
        self.item()?;
        let available = self.input.len() - self.pos;
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if size > available {
            return Err(CommandError::new(K::Incomplete, self.input.len()));
        }
        let data = &self.input[self.pos..self.pos + size];
        self.pos += size;
        if !binary && has_nul(data) {
            return Err(CommandError::new(K::Syntax("no NUL in a literal"), start));
        }
        Ok((data, binary))
    }

    /// `string = quoted / literal`.
    fn string(&mut self) -> Result<Cow<'a, [u8]>> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{') => Ok(Cow::Borrowed(self.literal(false)?.0)),
            _ => Err(self.err("string")),
        }
    }

    /// `astring = 1*ASTRING-CHAR / string`.
    fn astring(&mut self) -> Result<AString<'a>> {
        match self.peek() {
            Some(b'"' | b'{') => Ok(AString::new(self.string()?)),
            _ => {
                let atom = self.take_while(is_astring_char);
                if atom.is_empty() {
                    return Err(self.err("astring"));
                }
                Ok(AString::new(atom))
            }
        }
    }

    /// `nstring = string / nil`.
    fn nstring(&mut self) -> Result<NString<'a>> {
        if self.keyword("NIL") {
            Ok(None)
        } else {
            Ok(Some(AString::new(self.string()?)))
        }
    }

    /// `mailbox = "INBOX" / astring`.
    fn mailbox(&mut self) -> Result<Mailbox<'a>> {
        Ok(Mailbox::new(self.astring()?))
    }

    /// `list-mailbox = 1*list-char / string`.
    fn list_mailbox(&mut self) -> Result<AString<'a>> {
        match self.peek() {
            Some(b'"' | b'{') => Ok(AString::new(self.string()?)),
            _ => {
                let pattern = self.take_while(is_list_char);
                if pattern.is_empty() {
                    return Err(self.err("list-mailbox"));
                }
                Ok(AString::new(pattern))
            }
        }
    }

    /// `flag = "\" atom / atom` (`flag-keyword`, `flag-extension`).
    fn flag(&mut self) -> Result<Flag<'a>> {
        if self.eat(b'\\') {
            Ok(Flag::system(self.atom()?))
        } else {
            Ok(Flag::Keyword(self.atom()?))
        }
    }

    /// `flag-list = "(" [flag *(SP flag)] ")"`.
    fn flag_list(&mut self) -> Result<Vec<Flag<'a>>> {
        self.expect(b'(', "flag list")?;
        let mut flags = Vec::new();
        if self.eat(b')') {
            return Ok(flags);
        }
        loop {
            self.item()?;
            flags.push(self.flag()?);
            if self.eat(b')') {
                return Ok(flags);
            }
            self.sp()?;
        }
    }

    /// `sequence-set` or `$`.
    fn sequence_set(&mut self) -> Result<SequenceSet<'a>> {
        let start = self.pos;
        if self.eat(b'$') {
            return Ok(SequenceSet::new_unchecked("$"));
        }
        let text = self.take_while(|b| b.is_ascii_digit() || matches!(b, b'*' | b':' | b','));
        if !crate::types::valid_set(text) {
            self.pos = start;
            return Err(CommandError::new(K::Syntax("sequence set"), start));
        }
        Ok(SequenceSet::new_unchecked(Self::str_of(text)))
    }

    /// `date = date-text / DQUOTE date-text DQUOTE`.
    fn date(&mut self) -> Result<Date> {
        let start = self.pos;
        let quoted = self.eat(b'"');
        let text = self.take_while(|b| b.is_ascii_alphanumeric() || b == b'-');
        if quoted {
            self.expect(b'"', "closing quote")?;
        }
        Date::parse_text(text).ok_or(CommandError::new(K::Syntax("date"), start))
    }

    /// `date-time` (quoted).
    fn date_time(&mut self) -> Result<DateTime> {
        let start = self.pos;
        self.expect(b'"', "date-time")?;
        let rest = self.rest();
        if rest.len() < 27 {
            return Err(self.err("date-time"));
        }
        let dt = DateTime::parse_inner(&rest[..26])
            .ok_or(CommandError::new(K::Syntax("date-time"), start))?;
        self.pos += 26;
        self.expect(b'"', "closing quote")?;
        Ok(dt)
    }

    /// A parenthesized list of `item`s: `"(" item *(SP item) ")"`, empty
    /// allowed when `empty_ok`.
    fn paren_list<T>(
        &mut self,
        empty_ok: bool,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.expect(b'(', "(")?;
        let mut list = Vec::new();
        if empty_ok && self.eat(b')') {
            return Ok(list);
        }
        loop {
            self.item()?;
            list.push(item(self)?);
            if self.eat(b')') {
                return Ok(list);
            }
            self.sp()?;
        }
    }

    /// The whole command: `tag SP command-name ... CRLF`.
    pub(crate) fn command(&mut self) -> Result<Command<'a>> {
        let tag = self.tag()?;
        self.sp()?;
        let body = self.body()?;
        self.crlf()?;
        Ok(Command { tag, body })
    }

    fn name(&mut self) -> Result<&'a [u8]> {
        let name = self.take_while(|b| b.is_ascii_alphanumeric());
        if name.is_empty() {
            return Err(self.err("command name"));
        }
        Ok(name)
    }

    fn body(&mut self) -> Result<CommandBody<'a>> {
        let name_at = self.pos;
        let name = self.name()?;
        let mut upper = [0u8; 16];
        if name.len() > upper.len() {
            return Err(CommandError::new(K::Unknown, name_at));
        }
        upper[..name.len()].copy_from_slice(name);
        upper[..name.len()].make_ascii_uppercase();
        let body = match &upper[..name.len()] {
            b"CAPABILITY" => CommandBody::Capability,
            b"NOOP" => CommandBody::Noop,
            b"LOGOUT" => CommandBody::Logout,
            b"STARTTLS" => CommandBody::StartTls,
            b"NAMESPACE" => CommandBody::Namespace,
            b"IDLE" => CommandBody::Idle,
            b"CHECK" => CommandBody::Check,
            b"CLOSE" => CommandBody::Close,
            b"UNSELECT" => CommandBody::Unselect,
            b"EXPUNGE" => CommandBody::Expunge,
            b"AUTHENTICATE" => self.authenticate()?,
            b"LOGIN" => {
                self.sp()?;
                let username = self.astring()?;
                self.sp()?;
                let password = Secret::new(self.astring()?);
                CommandBody::Login { username, password }
            }
            b"ENABLE" => {
                let mut capabilities = Vec::new();
                while self.eat(b' ') {
                    self.item()?;
                    capabilities.push(Capability::from_atom(self.atom()?));
                }
                if capabilities.is_empty() {
                    return Err(self.err("capability"));
                }
                CommandBody::Enable { capabilities }
            }
            b"SELECT" | b"EXAMINE" => {
                self.sp()?;
                let mailbox = self.mailbox()?;
                let params = if self.peek() == Some(b' ') {
                    self.sp()?;
                    self.paren_list(false, Self::select_param)?
                } else {
                    Vec::new()
                };
                if upper[0] == b'S' {
                    CommandBody::Select { mailbox, params }
                } else {
                    CommandBody::Examine { mailbox, params }
                }
            }
            b"CREATE" => CommandBody::Create {
                mailbox: self.sp_mailbox()?,
            },
            b"DELETE" => CommandBody::Delete {
                mailbox: self.sp_mailbox()?,
            },
            b"SUBSCRIBE" => CommandBody::Subscribe {
                mailbox: self.sp_mailbox()?,
            },
            b"UNSUBSCRIBE" => CommandBody::Unsubscribe {
                mailbox: self.sp_mailbox()?,
            },
            b"GETQUOTAROOT" => CommandBody::GetQuotaRoot {
                mailbox: self.sp_mailbox()?,
            },
            b"RENAME" => {
                let from = self.sp_mailbox()?;
                let to = self.sp_mailbox()?;
                CommandBody::Rename { from, to }
            }
            b"LIST" => self.list()?,
            b"LSUB" => {
                let reference = self.sp_mailbox()?;
                self.sp()?;
                let pattern = self.list_mailbox()?;
                CommandBody::Lsub { reference, pattern }
            }
            b"STATUS" => {
                let mailbox = self.sp_mailbox()?;
                self.sp()?;
                let items = self.paren_list(false, Self::status_item)?;
                CommandBody::Status { mailbox, items }
            }
            b"APPEND" => self.append()?,
            b"SEARCH" => self.search(false)?,
            b"FETCH" => self.fetch(false)?,
            b"STORE" => self.store(false)?,
            b"COPY" => self.copy(false, false)?,
            b"MOVE" => self.copy(false, true)?,
            b"SORT" => self.sort(false)?,
            b"THREAD" => self.thread(false)?,
            b"UID" => {
                self.sp()?;
                let sub_at = self.pos;
                let sub = self.name()?;
                let upper = sub.to_ascii_uppercase_array();
                match upper.as_ref().map(|u| &u[..sub.len()]) {
                    Some(b"SEARCH") => self.search(true)?,
                    Some(b"FETCH") => self.fetch(true)?,
                    Some(b"STORE") => self.store(true)?,
                    Some(b"COPY") => self.copy(true, false)?,
                    Some(b"MOVE") => self.copy(true, true)?,
                    Some(b"SORT") => self.sort(true)?,
                    Some(b"THREAD") => self.thread(true)?,
                    Some(b"EXPUNGE") => {
                        self.sp()?;
                        CommandBody::UidExpunge {
                            set: self.sequence_set()?,
                        }
                    }
                    _ => return Err(CommandError::new(K::Unknown, sub_at)),
                }
            }
            b"GETQUOTA" => {
                self.sp()?;
                CommandBody::GetQuota {
                    root: self.astring()?,
                }
            }
            b"SETQUOTA" => {
                self.sp()?;
                let root = self.astring()?;
                self.sp()?;
                let limits = self.paren_list(true, |p| {
                    let name = p.atom()?;
                    p.sp()?;
                    Ok((name, p.number64()?))
                })?;
                CommandBody::SetQuota { root, limits }
            }
            b"ID" => {
                self.sp()?;
                let params = if self.keyword("NIL") {
                    None
                } else {
                    Some(self.paren_list(true, |p| {
                        let field = AString::new(p.string()?);
                        p.sp()?;
                        Ok((field, p.nstring()?))
                    })?)
                };
                CommandBody::Id { params }
            }
            b"COMPRESS" => {
                self.sp()?;
                CommandBody::Compress {
                    algorithm: self.atom()?,
                }
            }
            _ => return Err(CommandError::new(K::Unknown, name_at)),
        };
        Ok(body)
    }

    fn sp_mailbox(&mut self) -> Result<Mailbox<'a>> {
        self.sp()?;
        self.mailbox()
    }

    /// `authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]`.
    fn authenticate(&mut self) -> Result<CommandBody<'a>> {
        self.sp()?;
        let mechanism = self.atom()?;
        let initial = if self.eat(b' ') {
            if self.eat(b'=') {
                Some(InitialResponse::Empty)
            } else {
                let start = self.pos;
                let text = self
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
                if text.is_empty() || !valid_base64(text) {
                    return Err(CommandError::new(K::Syntax("base64"), start));
                }
                Some(InitialResponse::Base64(Secret::new(Cow::Borrowed(
                    Self::str_of(text),
                ))))
            }
        } else {
            None
        };
        Ok(CommandBody::Authenticate { mechanism, initial })
    }

    /// `select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP
    /// mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`.
    fn select_param(&mut self) -> Result<SelectParam<'a>> {
        if self.keyword("CONDSTORE") {
            return Ok(SelectParam::CondStore);
        }
        if !self.keyword("QRESYNC") {
            return Err(self.err("CONDSTORE or QRESYNC"));
        }
        self.sp()?;
        self.expect(b'(', "(")?;
        let uid_validity = self.nz_number()?.get();
        self.sp()?;
        let modseq = self.number64()?;
        let mut known_uids = None;
        let mut seq_match = None;
        if self.eat(b' ') {
            if self.peek() != Some(b'(') {
                known_uids = Some(self.sequence_set()?);
                if self.eat(b' ') {
                    seq_match = Some(self.seq_match()?);
                }
            } else {
                seq_match = Some(self.seq_match()?);
            }
        }
        self.expect(b')', ")")?;
        Ok(SelectParam::QResync {
            uid_validity,
            modseq,
            known_uids,
            seq_match,
        })
    }

    fn seq_match(&mut self) -> Result<(SequenceSet<'a>, SequenceSet<'a>)> {
        self.expect(b'(', "(")?;
        let seqs = self.sequence_set()?;
        self.sp()?;
        let uids = self.sequence_set()?;
        self.expect(b')', ")")?;
        Ok((seqs, uids))
    }

    fn status_item(&mut self) -> Result<StatusItem> {
        let start = self.pos;
        let word = self.word();
        StatusItem::from_name(word).ok_or(CommandError::new(K::Syntax("status item"), start))
    }

    /// ```text
    /// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat
    ///        [SP list-return-opts]
    /// mbox-or-pat = list-mailbox / patterns
    /// patterns = "(" list-mailbox *(SP list-mailbox) ")"
    /// ```
    fn list(&mut self) -> Result<CommandBody<'a>> {
        self.sp()?;
        let selection = if self.peek() == Some(b'(') {
            let selection = self.paren_list(true, |p| {
                let atom = p.atom()?;
                Ok(match atom.as_str().to_ascii_uppercase().as_str() {
                    "SUBSCRIBED" => ListSelect::Subscribed,
                    "REMOTE" => ListSelect::Remote,
                    "RECURSIVEMATCH" => ListSelect::RecursiveMatch,
                    "SPECIAL-USE" => ListSelect::SpecialUse,
                    _ => ListSelect::Other(atom),
                })
            })?;
            self.sp()?;
            selection
        } else {
            Vec::new()
        };
        let reference = self.mailbox()?;
        self.sp()?;
        let patterns = if self.peek() == Some(b'(') {
            self.paren_list(false, Self::list_mailbox)?
        } else {
            vec![self.list_mailbox()?]
        };
        let returns = if self.eat(b' ') {
            if !self.keyword("RETURN") {
                return Err(self.err("RETURN"));
            }
            self.sp()?;
            Some(self.paren_list(true, |p| {
                if p.keyword("STATUS ") {
                    return Ok(ListReturn::Status(p.paren_list(false, Self::status_item)?));
                }
                let atom = p.atom()?;
                Ok(match atom.as_str().to_ascii_uppercase().as_str() {
                    "SUBSCRIBED" => ListReturn::Subscribed,
                    "CHILDREN" => ListReturn::Children,
                    "SPECIAL-USE" => ListReturn::SpecialUse,
                    _ => ListReturn::Other(atom),
                })
            })?)
        } else {
            None
        };
        Ok(CommandBody::List {
            selection,
            reference,
            patterns,
            returns,
        })
    }

    /// ```text
    /// append         = "APPEND" SP mailbox 1*append-message
    /// append-message = [SP flag-list] [SP date-time] SP (literal / literal8)
    /// ```
    fn append(&mut self) -> Result<CommandBody<'a>> {
        let mailbox = self.sp_mailbox()?;
        let mut messages = Vec::new();
        while self.peek() == Some(b' ') {
            let (flags, date) = self.append_meta()?;
            let (data, binary) = self.literal(true)?;
            messages.push(AppendMessage {
                flags,
                date,
                data: Cow::Borrowed(data),
                binary,
            });
        }
        if messages.is_empty() {
            return Err(self.err("message literal"));
        }
        Ok(CommandBody::Append { mailbox, messages })
    }

    /// `[SP flag-list] [SP date-time] SP`, up to the message literal.
    pub(crate) fn append_meta(&mut self) -> Result<(Vec<Flag<'a>>, Option<DateTime>)> {
        self.sp()?;
        let mut flags = Vec::new();
        let mut date = None;
        if self.peek() == Some(b'(') {
            flags = self.flag_list()?;
            self.sp()?;
        }
        if self.peek() == Some(b'"') {
            date = Some(self.date_time()?);
            self.sp()?;
        }
        Ok((flags, date))
    }

    /// The head of an APPEND up to its first message literal:
    /// `tag SP "APPEND" SP mailbox [SP flag-list] [SP date-time] SP`.
    pub(crate) fn append_head(&mut self) -> Result<(Tag<'a>, Mailbox<'a>)> {
        let tag = self.tag()?;
        self.sp()?;
        if !self.keyword("APPEND") {
            return Err(self.err("APPEND"));
        }
        let mailbox = self.sp_mailbox()?;
        Ok((tag, mailbox))
    }

    /// ```text
    /// search = "SEARCH" [search-return-opts] SP search-program
    /// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
    /// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
    /// ```
    fn search(&mut self, uid: bool) -> Result<CommandBody<'a>> {
        self.sp()?;
        let returns = if self.keyword("RETURN ") {
            let returns = self.paren_list(true, |p| {
                let start = p.pos;
                let word = p.word();
                SearchReturn::ALL_OPTIONS
                    .iter()
                    .find(|(s, _)| s.as_bytes().eq_ignore_ascii_case(word))
                    .map(|(_, r)| *r)
                    .ok_or(CommandError::new(K::Syntax("search return option"), start))
            })?;
            self.sp()?;
            Some(returns)
        } else {
            None
        };
        let charset = if self.keyword("CHARSET ") {
            let charset = self.astring()?;
            self.sp()?;
            Some(charset)
        } else {
            None
        };
        let criteria = self.search_keys()?;
        Ok(CommandBody::Search {
            uid,
            returns,
            charset,
            criteria,
        })
    }

    /// `search-key *(SP search-key)`.
    fn search_keys(&mut self) -> Result<Vec<SearchKey<'a>>> {
        let mut keys = Vec::new();
        loop {
            self.item()?;
            keys.push(self.search_key()?);
            if !self.eat(b' ') {
                return Ok(keys);
            }
        }
    }

    fn nested(&mut self) -> Result<Box<SearchKey<'a>>> {
        Ok(Box::new(self.search_key()?))
    }

    fn search_key(&mut self) -> Result<SearchKey<'a>> {
        // Recursion goes through here only: checked before it deepens.
        if self.depth >= self.limits.max_depth {
            return Err(CommandError::new(
                K::TooDeep {
                    max: self.limits.max_depth,
                },
                self.pos,
            ));
        }
        self.depth += 1;
        let key = self.search_key_inner();
        self.depth -= 1;
        key
    }

    fn search_key_inner(&mut self) -> Result<SearchKey<'a>> {
        use SearchKey as S;
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                let mut keys = Vec::new();
                loop {
                    self.item()?;
                    keys.push(self.search_key()?);
                    if self.eat(b')') {
                        return Ok(S::And(keys));
                    }
                    self.sp()?;
                }
            }
            Some(b'0'..=b'9' | b'*' | b'$') => return Ok(S::SequenceSet(self.sequence_set()?)),
            _ => {}
        }
        let start = self.pos;
        let word = self.word();
        if word.eq_ignore_ascii_case(b"NOT") {
            self.sp()?;
            return Ok(SearchKey::Not(self.nested()?));
        }
        if word.eq_ignore_ascii_case(b"OR") {
            self.sp()?;
            let a = self.nested()?;
            self.sp()?;
            return Ok(SearchKey::Or(a, self.nested()?));
        }
        self.search_leaf(start, word)
    }

    /// The keys that do not nest. Kept out of the recursive path so that
    /// each level of nesting costs a small stack frame.
    #[inline(never)]
    fn search_leaf(&mut self, start: usize, word: &[u8]) -> Result<SearchKey<'a>> {
        use SearchKey as S;
        let mut upper = [0u8; 12];
        if word.is_empty() || word.len() > upper.len() {
            return Err(CommandError::new(K::Syntax("search key"), start));
        }
        upper[..word.len()].copy_from_slice(word);
        upper[..word.len()].make_ascii_uppercase();
        let key = match &upper[..word.len()] {
            b"ALL" => S::All,
            b"ANSWERED" => S::Answered,
            b"DELETED" => S::Deleted,
            b"DRAFT" => S::Draft,
            b"FLAGGED" => S::Flagged,
            b"NEW" => S::New,
            b"OLD" => S::Old,
            b"RECENT" => S::Recent,
            b"SEEN" => S::Seen,
            b"UNANSWERED" => S::Unanswered,
            b"UNDELETED" => S::Undeleted,
            b"UNDRAFT" => S::Undraft,
            b"UNFLAGGED" => S::Unflagged,
            b"UNSEEN" => S::Unseen,
            b"BCC" => S::Bcc(self.sp_astring()?),
            b"BODY" => S::Body(self.sp_astring()?),
            b"CC" => S::Cc(self.sp_astring()?),
            b"FROM" => S::From(self.sp_astring()?),
            b"SUBJECT" => S::Subject(self.sp_astring()?),
            b"TEXT" => S::Text(self.sp_astring()?),
            b"TO" => S::To(self.sp_astring()?),
            b"HEADER" => {
                let field = self.sp_astring()?;
                S::Header(field, self.sp_astring()?)
            }
            b"BEFORE" => S::Before(self.sp_date()?),
            b"ON" => S::On(self.sp_date()?),
            b"SINCE" => S::Since(self.sp_date()?),
            b"SENTBEFORE" => S::SentBefore(self.sp_date()?),
            b"SENTON" => S::SentOn(self.sp_date()?),
            b"SENTSINCE" => S::SentSince(self.sp_date()?),
            b"KEYWORD" => {
                self.sp()?;
                S::Keyword(self.atom()?)
            }
            b"UNKEYWORD" => {
                self.sp()?;
                S::Unkeyword(self.atom()?)
            }
            b"LARGER" => {
                self.sp()?;
                S::Larger(self.number64()?)
            }
            b"SMALLER" => {
                self.sp()?;
                S::Smaller(self.number64()?)
            }
            b"OLDER" => {
                self.sp()?;
                S::Older(self.nz_number()?.get())
            }
            b"YOUNGER" => {
                self.sp()?;
                S::Younger(self.nz_number()?.get())
            }
            b"UID" => {
                self.sp()?;
                S::Uid(self.sequence_set()?)
            }
            b"MODSEQ" => {
                self.sp()?;
                let entry = if self.peek() == Some(b'"') {
                    let at = self.pos;
                    let name = self.quoted()?;
                    // entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE: ASCII.
                    if !name.iter().all(|&b| crate::types::is_quotable(b)) {
                        return Err(CommandError::new(K::Syntax("ASCII entry name"), at));
                    }
                    let name = AString::new(name);
                    self.sp()?;
                    let at = self.pos;
                    let kind = match self.word().to_ascii_lowercase().as_slice() {
                        b"priv" => EntryType::Private,
                        b"shared" => EntryType::Shared,
                        b"all" => EntryType::All,
                        _ => return Err(CommandError::new(K::Syntax("priv, shared or all"), at)),
                    };
                    self.sp()?;
                    Some((name, kind))
                } else {
                    None
                };
                S::ModSeq {
                    entry,
                    modseq: self.number64()?,
                }
            }
            _ => return Err(CommandError::new(K::Syntax("search key"), start)),
        };
        Ok(key)
    }

    fn sp_astring(&mut self) -> Result<AString<'a>> {
        self.sp()?;
        self.astring()
    }

    fn sp_date(&mut self) -> Result<Date> {
        self.sp()?;
        self.date()
    }

    /// ```text
    /// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
    ///         fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
    /// fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
    /// fetch-modifier  = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"
    /// ```
    fn fetch(&mut self, uid: bool) -> Result<CommandBody<'a>> {
        self.sp()?;
        let set = self.sequence_set()?;
        self.sp()?;
        let attributes = if self.peek() == Some(b'(') {
            FetchAttributes::List(self.paren_list(false, Self::fetch_att)?)
        } else if self.keyword_word("ALL") {
            FetchAttributes::All
        } else if self.keyword_word("FAST") {
            FetchAttributes::Fast
        } else if self.keyword_word("FULL") {
            FetchAttributes::Full
        } else {
            FetchAttributes::List(vec![self.fetch_att()?])
        };
        let mut changed_since = None;
        let mut vanished = false;
        if self.eat(b' ') {
            self.paren_list(false, |p| {
                if p.keyword("CHANGEDSINCE ") {
                    changed_since = Some(p.number64()?);
                    Ok(())
                } else if p.keyword_word("VANISHED") {
                    vanished = true;
                    Ok(())
                } else {
                    Err(p.err("CHANGEDSINCE or VANISHED"))
                }
            })?;
        }
        Ok(CommandBody::Fetch {
            uid,
            set,
            attributes,
            changed_since,
            vanished,
        })
    }

    /// `keyword` when a delimiter (or the end) follows it.
    fn keyword_word(&mut self, word: &str) -> bool {
        let start = self.pos;
        if self.keyword(word) {
            if matches!(self.peek(), None | Some(b' ' | b')' | b'\r' | b'\n')) {
                return true;
            }
            self.pos = start;
        }
        false
    }

    fn fetch_att(&mut self) -> Result<FetchAttribute<'a>> {
        use FetchAttribute as F;
        let start = self.pos;
        let word = self.take_while(|b| b.is_ascii_alphanumeric() || b == b'.');
        let mut upper = [0u8; 16];
        if word.is_empty() || word.len() > upper.len() {
            return Err(CommandError::new(K::Syntax("fetch attribute"), start));
        }
        upper[..word.len()].copy_from_slice(word);
        upper[..word.len()].make_ascii_uppercase();
        let section_follows = self.peek() == Some(b'[');
        Ok(match (&upper[..word.len()], section_follows) {
            (b"ENVELOPE", false) => F::Envelope,
            (b"FLAGS", false) => F::Flags,
            (b"INTERNALDATE", false) => F::InternalDate,
            (b"RFC822", false) => F::Rfc822,
            (b"RFC822.HEADER", false) => F::Rfc822Header,
            (b"RFC822.SIZE", false) => F::Rfc822Size,
            (b"RFC822.TEXT", false) => F::Rfc822Text,
            (b"BODY", false) => F::Body,
            (b"BODYSTRUCTURE", false) => F::BodyStructure,
            (b"UID", false) => F::Uid,
            (b"MODSEQ", false) => F::ModSeq,
            (b"BODY", true) | (b"BODY.PEEK", true) => {
                let peek = word.len() > 4;
                let section = self.section()?;
                let partial = self.partial()?;
                F::BodySection {
                    peek,
                    section,
                    partial,
                }
            }
            (b"BINARY", true) | (b"BINARY.PEEK", true) => {
                let peek = word.len() > 6;
                let part = self.binary_section()?;
                let partial = self.partial()?;
                F::Binary {
                    peek,
                    part,
                    partial,
                }
            }
            (b"BINARY.SIZE", true) => F::BinarySize {
                part: self.binary_section()?,
            },
            _ => return Err(CommandError::new(K::Syntax("fetch attribute"), start)),
        })
    }

    /// `section-part = nz-number *("." nz-number)`, stopping before a
    /// `.` that is not followed by a digit.
    fn section_part(&mut self) -> Result<Vec<NonZeroU32>> {
        let mut part = Vec::new();
        if !matches!(self.peek(), Some(b'1'..=b'9')) {
            return Ok(part);
        }
        loop {
            self.item()?;
            part.push(self.nz_number()?);
            let rest = self.rest();
            if rest.len() >= 2 && rest[0] == b'.' && rest[1].is_ascii_digit() {
                self.pos += 1;
            } else {
                return Ok(part);
            }
        }
    }

    /// `section = "[" [section-spec] "]"`.
    fn section(&mut self) -> Result<Section<'a>> {
        self.expect(b'[', "[")?;
        let part = self.section_part()?;
        let text = if self.peek() == Some(b']') {
            None
        } else {
            if !part.is_empty() {
                self.expect(b'.', ".")?;
            }
            let start = self.pos;
            let word = self.take_while(|b| b.is_ascii_alphabetic() || b == b'.');
            let upper = word.to_ascii_uppercase();
            Some(match upper.as_slice() {
                b"HEADER" => SectionText::Header,
                b"TEXT" => SectionText::Text,
                b"MIME" if !part.is_empty() => SectionText::Mime,
                b"HEADER.FIELDS" => {
                    self.sp()?;
                    SectionText::HeaderFields(self.paren_list(false, Self::astring)?)
                }
                b"HEADER.FIELDS.NOT" => {
                    self.sp()?;
                    SectionText::HeaderFieldsNot(self.paren_list(false, Self::astring)?)
                }
                _ => return Err(CommandError::new(K::Syntax("section text"), start)),
            })
        };
        self.expect(b']', "]")?;
        Ok(Section { part, text })
    }

    /// `section-binary = "[" [section-part] "]"`.
    fn binary_section(&mut self) -> Result<Vec<NonZeroU32>> {
        self.expect(b'[', "[")?;
        let part = self.section_part()?;
        self.expect(b']', "]")?;
        Ok(part)
    }

    /// `partial = "<" number "." nz-number ">"`.
    fn partial(&mut self) -> Result<Option<(u32, NonZeroU32)>> {
        if !self.eat(b'<') {
            return Ok(None);
        }
        let offset = self.number()?;
        self.expect(b'.', ".")?;
        let len = self.nz_number()?;
        self.expect(b'>', ">")?;
        Ok(Some((offset, len)))
    }

    /// ```text
    /// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
    /// store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"
    /// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    /// ```
    fn store(&mut self, uid: bool) -> Result<CommandBody<'a>> {
        self.sp()?;
        let set = self.sequence_set()?;
        self.sp()?;
        let unchanged_since = if self.eat(b'(') {
            if !self.keyword("UNCHANGEDSINCE ") {
                return Err(self.err("UNCHANGEDSINCE"));
            }
            let n = self.number64()?;
            self.expect(b')', ")")?;
            self.sp()?;
            Some(n)
        } else {
            None
        };
        let mode = if self.eat(b'+') {
            StoreMode::Add
        } else if self.eat(b'-') {
            StoreMode::Remove
        } else {
            StoreMode::Replace
        };
        if !self.keyword("FLAGS") {
            return Err(self.err("FLAGS"));
        }
        let silent = self.keyword(".SILENT");
        self.sp()?;
        let flags = if self.peek() == Some(b'(') {
            self.flag_list()?
        } else {
            let mut flags = Vec::new();
            loop {
                self.item()?;
                flags.push(self.flag()?);
                if !self.eat(b' ') {
                    break flags;
                }
            }
        };
        Ok(CommandBody::Store {
            uid,
            set,
            unchanged_since,
            flags: StoreFlags {
                mode,
                silent,
                flags,
            },
        })
    }

    /// `copy = "COPY" SP sequence-set SP mailbox`, the same for MOVE.
    fn copy(&mut self, uid: bool, is_move: bool) -> Result<CommandBody<'a>> {
        self.sp()?;
        let set = self.sequence_set()?;
        let mailbox = self.sp_mailbox()?;
        Ok(if is_move {
            CommandBody::Move { uid, set, mailbox }
        } else {
            CommandBody::Copy { uid, set, mailbox }
        })
    }

    /// `sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria`,
    /// `search-criteria = charset 1*(SP search-key)`.
    fn sort(&mut self, uid: bool) -> Result<CommandBody<'a>> {
        self.sp()?;
        let criteria = self.paren_list(false, |p| {
            let reverse = p.keyword("REVERSE ");
            let start = p.pos;
            let word = p.word();
            let key = SortKey::ALL_KEYS
                .iter()
                .find(|(s, _)| s.as_bytes().eq_ignore_ascii_case(word))
                .map(|(_, k)| *k)
                .ok_or(CommandError::new(K::Syntax("sort key"), start))?;
            Ok(SortCriterion { reverse, key })
        })?;
        self.sp()?;
        let charset = self.astring()?;
        self.sp()?;
        let search = self.search_keys()?;
        Ok(CommandBody::Sort {
            uid,
            criteria,
            charset,
            search,
        })
    }

    /// `thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria`.
    fn thread(&mut self, uid: bool) -> Result<CommandBody<'a>> {
        self.sp()?;
        let algorithm = self.atom()?;
        self.sp()?;
        let charset = self.astring()?;
        self.sp()?;
        let search = self.search_keys()?;
        Ok(CommandBody::Thread {
            uid,
            algorithm,
            charset,
            search,
        })
    }
}

/// Checks an announced literal size against its limit.
pub(crate) fn check_literal_size(
    limits: &Limits,
    size: u64,
    non_sync: bool,
    append: bool,
) -> core::result::Result<(), CommandError> {
    let mut max = if append {
        limits.max_append
    } else {
        limits.max_literal
    };
    if non_sync && limits.literal_minus {
        max = max.min(4096);
    }
    if size > max {
        return Err(CommandError::new(
            K::LiteralTooLarge { size, max, append },
            0,
        ));
    }
    Ok(())
}

/// `base64 = *(4base64-char) [base64-terminal]`.
fn valid_base64(text: &[u8]) -> bool {
    let body = text.iter().position(|&b| b == b'=').unwrap_or(text.len());
    let padding = &text[body..];
    text.len() % 4 == 0 && padding.len() <= 2 && padding.iter().all(|&b| b == b'=')
}

trait UpperArray {
    fn to_ascii_uppercase_array(&self) -> Option<[u8; 16]>;
}

impl UpperArray for [u8] {
    fn to_ascii_uppercase_array(&self) -> Option<[u8; 16]> {
        let mut upper = [0u8; 16];
        if self.len() > upper.len() {
            return None;
        }
        upper[..self.len()].copy_from_slice(self);
        upper[..self.len()].make_ascii_uppercase();
        Some(upper)
    }
}

impl<'a> Command<'a> {
    /// Parses one complete command at the start of `input` (its
    /// literals inline, as a client sends them after each `+`), with
    /// [`Limits::DEFAULT`]. Returns the command and how many bytes it
    /// took: what follows may be the next command.
    ///
    /// The literal, depth and item limits apply; line and command sizes
    /// are the [`CommandDecoder`](super::CommandDecoder)'s to bound (the
    /// input here is already in memory).
    ///
    /// # Errors
    ///
    /// A [`CommandError`]; [`Incomplete`](super::CommandErrorKind::Incomplete)
    /// when `input` ends inside the command.
    ///
    /// ```
    /// use mailwire_imap::types::{Command, CommandBody, AString};
    /// let (cmd, len) = Command::parse(b"a LOGIN {3}\r\nfoo bar\r\nb NOOP\r\n")?;
    /// assert_eq!(len, 22);
    /// let CommandBody::Login { username, password } = cmd.body else { panic!() };
    /// assert_eq!(username, AString::from("foo"));
    /// assert_eq!(password.expose().as_bytes(), b"bar");
    /// # Ok::<(), mailwire_imap::parse::CommandError>(())
    /// ```
    pub fn parse(input: &'a [u8]) -> core::result::Result<(Self, usize), CommandError> {
        Self::parse_with_limits(input, &Limits::DEFAULT)
    }

    /// [`Command::parse`] with other limits.
    ///
    /// # Errors
    ///
    /// As [`Command::parse`].
    pub fn parse_with_limits(
        input: &'a [u8],
        limits: &Limits,
    ) -> core::result::Result<(Self, usize), CommandError> {
        let mut parser = Parser::new(input, limits);
        let command = parser.command()?;
        Ok((command, parser.pos()))
    }
}
