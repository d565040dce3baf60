//! `into_owned`: every value that borrows its input, as one that
//! outlives it (`'static`), for keeping a command past the receive
//! buffer.

use std::borrow::Cow;

use super::{
    AppendMessage, Command, CommandBody, FetchAttribute, FetchAttributes, InitialResponse,
    ListReturn, ListSelect, SearchKey, Secret, Section, SectionText, SelectParam, StoreFlags,
};

fn owned_vec<T, U>(items: Vec<T>, f: impl FnMut(T) -> U) -> Vec<U> {
    items.into_iter().map(f).collect()
}

impl Command<'_> {
    /// An owned copy that outlives the input.
    ///
    /// ```
    /// use mailwire_imap::types::Command;
    /// let owned: Command<'static> = {
    ///     let line = b"a1 LOGIN fred secret\r\n".to_vec();
    ///     Command::parse(&line)?.0.into_owned()
    /// };
    /// assert_eq!(owned.tag.as_str(), "a1");
    /// # Ok::<(), mailwire_imap::parse::CommandError>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Command<'static> {
        Command {
            tag: self.tag.into_owned(),
            body: self.body.into_owned(),
        }
    }
}

impl SearchKey<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> SearchKey<'static> {
        use SearchKey as S;
        match self {
            S::All => S::All,
            S::Answered => S::Answered,
            S::Bcc(s) => S::Bcc(s.into_owned()),
            S::Before(d) => S::Before(d),
            S::Body(s) => S::Body(s.into_owned()),
            S::Cc(s) => S::Cc(s.into_owned()),
            S::Deleted => S::Deleted,
            S::Draft => S::Draft,
            S::Flagged => S::Flagged,
            S::From(s) => S::From(s.into_owned()),
            S::Header(a, b) => S::Header(a.into_owned(), b.into_owned()),
            S::Keyword(a) => S::Keyword(a.into_owned()),
            S::Larger(n) => S::Larger(n),
            S::New => S::New,
            S::Not(k) => S::Not(Box::new(k.into_owned())),
            S::Old => S::Old,
            S::On(d) => S::On(d),
            S::Or(a, b) => S::Or(Box::new(a.into_owned()), Box::new(b.into_owned())),
            S::Recent => S::Recent,
            S::Seen => S::Seen,
            S::SentBefore(d) => S::SentBefore(d),
            S::SentOn(d) => S::SentOn(d),
            S::SentSince(d) => S::SentSince(d),
            S::Since(d) => S::Since(d),
            S::Smaller(n) => S::Smaller(n),
            S::Subject(s) => S::Subject(s.into_owned()),
            S::Text(s) => S::Text(s.into_owned()),
            S::To(s) => S::To(s.into_owned()),
            S::Uid(set) => S::Uid(set.into_owned()),
            S::Unanswered => S::Unanswered,
            S::Undeleted => S::Undeleted,
            S::Undraft => S::Undraft,
            S::Unflagged => S::Unflagged,
            S::Unkeyword(a) => S::Unkeyword(a.into_owned()),
            S::Unseen => S::Unseen,
            S::SequenceSet(set) => S::SequenceSet(set.into_owned()),
            S::And(keys) => S::And(owned_vec(keys, SearchKey::into_owned)),
            S::ModSeq { entry, modseq } => S::ModSeq {
                entry: entry.map(|(name, kind)| (name.into_owned(), kind)),
                modseq,
            },
            S::Older(n) => S::Older(n),
            S::Younger(n) => S::Younger(n),
        }
    }
}

impl Section<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Section<'static> {
        Section {
            part: self.part,
            text: self.text.map(|text| match text {
                SectionText::Header => SectionText::Header,
                SectionText::Text => SectionText::Text,
                SectionText::Mime => SectionText::Mime,
                SectionText::HeaderFields(names) => {
                    SectionText::HeaderFields(owned_vec(names, |n| n.into_owned()))
                }
                SectionText::HeaderFieldsNot(names) => {
                    SectionText::HeaderFieldsNot(owned_vec(names, |n| n.into_owned()))
                }
            }),
        }
    }
}

impl FetchAttribute<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> FetchAttribute<'static> {
        use FetchAttribute as F;
        match self {
            F::Envelope => F::Envelope,
            F::Flags => F::Flags,
            F::InternalDate => F::InternalDate,
            F::Rfc822 => F::Rfc822,
            F::Rfc822Header => F::Rfc822Header,
            F::Rfc822Size => F::Rfc822Size,
            F::Rfc822Text => F::Rfc822Text,
            F::Body => F::Body,
            F::BodyStructure => F::BodyStructure,
            F::Uid => F::Uid,
            F::ModSeq => F::ModSeq,
            F::BodySection {
                peek,
                section,
                partial,
            } => F::BodySection {
                peek,
                section: section.into_owned(),
                partial,
            },
            F::Binary {
                peek,
                part,
                partial,
            } => F::Binary {
                peek,
                part,
                partial,
            },
            F::BinarySize { part } => F::BinarySize { part },
        }
    }
}

impl FetchAttributes<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> FetchAttributes<'static> {
        match self {
            Self::All => FetchAttributes::All,
            Self::Fast => FetchAttributes::Fast,
            Self::Full => FetchAttributes::Full,
            Self::List(list) => FetchAttributes::List(owned_vec(list, FetchAttribute::into_owned)),
        }
    }
}

impl StoreFlags<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> StoreFlags<'static> {
        StoreFlags {
            mode: self.mode,
            silent: self.silent,
            flags: owned_vec(self.flags, |f| f.into_owned()),
        }
    }
}

impl SelectParam<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> SelectParam<'static> {
        match self {
            Self::CondStore => SelectParam::CondStore,
            Self::QResync {
                uid_validity,
                modseq,
                known_uids,
                seq_match,
            } => SelectParam::QResync {
                uid_validity,
                modseq,
                known_uids: known_uids.map(|s| s.into_owned()),
                seq_match: seq_match.map(|(a, b)| (a.into_owned(), b.into_owned())),
            },
        }
    }
}

impl ListSelect<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> ListSelect<'static> {
        match self {
            Self::Subscribed => ListSelect::Subscribed,
            Self::Remote => ListSelect::Remote,
            Self::RecursiveMatch => ListSelect::RecursiveMatch,
            Self::SpecialUse => ListSelect::SpecialUse,
            Self::Other(a) => ListSelect::Other(a.into_owned()),
        }
    }
}

impl ListReturn<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> ListReturn<'static> {
        match self {
            Self::Subscribed => ListReturn::Subscribed,
            Self::Children => ListReturn::Children,
            Self::SpecialUse => ListReturn::SpecialUse,
            Self::Status(items) => ListReturn::Status(items),
            Self::Other(a) => ListReturn::Other(a.into_owned()),
        }
    }
}

impl AppendMessage<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> AppendMessage<'static> {
        AppendMessage {
            flags: owned_vec(self.flags, |f| f.into_owned()),
            date: self.date,
            data: Cow::Owned(self.data.into_owned()),
            binary: self.binary,
        }
    }
}

impl InitialResponse<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> InitialResponse<'static> {
        match self {
            Self::Empty => InitialResponse::Empty,
            Self::Base64(data) => {
                InitialResponse::Base64(Secret::new(Cow::Owned(data.into_inner().into_owned())))
            }
        }
    }
}

impl CommandBody<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> CommandBody<'static> {
        use CommandBody as C;
        match self {
            C::Capability => C::Capability,
            C::Noop => C::Noop,
            C::Logout => C::Logout,
            C::StartTls => C::StartTls,
            C::Authenticate { mechanism, initial } => C::Authenticate {
                mechanism: mechanism.into_owned(),
                initial: initial.map(InitialResponse::into_owned),
            },
            C::Login { username, password } => C::Login {
                username: username.into_owned(),
                password: Secret::new(password.into_inner().into_owned()),
            },
            C::Enable { capabilities } => C::Enable {
                capabilities: owned_vec(capabilities, |c| c.into_owned()),
            },
            C::Select { mailbox, params } => C::Select {
                mailbox: mailbox.into_owned(),
                params: owned_vec(params, SelectParam::into_owned),
            },
            C::Examine { mailbox, params } => C::Examine {
                mailbox: mailbox.into_owned(),
                params: owned_vec(params, SelectParam::into_owned),
            },
            C::Create { mailbox } => C::Create {
                mailbox: mailbox.into_owned(),
            },
            C::Delete { mailbox } => C::Delete {
                mailbox: mailbox.into_owned(),
            },
            C::Rename { from, to } => C::Rename {
                from: from.into_owned(),
                to: to.into_owned(),
            },
            C::Subscribe { mailbox } => C::Subscribe {
                mailbox: mailbox.into_owned(),
            },
            C::Unsubscribe { mailbox } => C::Unsubscribe {
                mailbox: mailbox.into_owned(),
            },
            C::List {
                selection,
                reference,
                patterns,
                returns,
            } => C::List {
                selection: owned_vec(selection, ListSelect::into_owned),
                reference: reference.into_owned(),
                patterns: owned_vec(patterns, |p| p.into_owned()),
                returns: returns.map(|r| owned_vec(r, ListReturn::into_owned)),
            },
            C::Lsub { reference, pattern } => C::Lsub {
                reference: reference.into_owned(),
                pattern: pattern.into_owned(),
            },
            C::Namespace => C::Namespace,
            C::Status { mailbox, items } => C::Status {
                mailbox: mailbox.into_owned(),
                items,
            },
            C::Append { mailbox, messages } => C::Append {
                mailbox: mailbox.into_owned(),
                messages: owned_vec(messages, AppendMessage::into_owned),
            },
            C::Idle => C::Idle,
            C::Check => C::Check,
            C::Close => C::Close,
            C::Unselect => C::Unselect,
            C::Expunge => C::Expunge,
            C::UidExpunge { set } => C::UidExpunge {
                set: set.into_owned(),
            },
            C::Search {
                uid,
                returns,
                charset,
                criteria,
            } => C::Search {
                uid,
                returns,
                charset: charset.map(|c| c.into_owned()),
                criteria: owned_vec(criteria, SearchKey::into_owned),
            },
            C::Fetch {
                uid,
                set,
                attributes,
                changed_since,
                vanished,
            } => C::Fetch {
                uid,
                set: set.into_owned(),
                attributes: attributes.into_owned(),
                changed_since,
                vanished,
            },
            C::Store {
                uid,
                set,
                unchanged_since,
                flags,
            } => C::Store {
                uid,
                set: set.into_owned(),
                unchanged_since,
                flags: flags.into_owned(),
            },
            C::Copy { uid, set, mailbox } => C::Copy {
                uid,
                set: set.into_owned(),
                mailbox: mailbox.into_owned(),
            },
            C::Move { uid, set, mailbox } => C::Move {
                uid,
                set: set.into_owned(),
                mailbox: mailbox.into_owned(),
            },
            C::Sort {
                uid,
                criteria,
                charset,
                search,
            } => C::Sort {
                uid,
                criteria,
                charset: charset.into_owned(),
                search: owned_vec(search, SearchKey::into_owned),
            },
            C::Thread {
                uid,
                algorithm,
                charset,
                search,
            } => C::Thread {
                uid,
                algorithm: algorithm.into_owned(),
                charset: charset.into_owned(),
                search: owned_vec(search, SearchKey::into_owned),
            },
            C::GetQuota { root } => C::GetQuota {
                root: root.into_owned(),
            },
            C::GetQuotaRoot { mailbox } => C::GetQuotaRoot {
                mailbox: mailbox.into_owned(),
            },
            C::SetQuota { root, limits } => C::SetQuota {
                root: root.into_owned(),
                limits: owned_vec(limits, |(a, n)| (a.into_owned(), n)),
            },
            C::Id { params } => C::Id {
                params: params
                    .map(|p| owned_vec(p, |(k, v)| (k.into_owned(), v.map(|v| v.into_owned())))),
            },
            C::Compress { algorithm } => C::Compress {
                algorithm: algorithm.into_owned(),
            },
        }
    }
}
