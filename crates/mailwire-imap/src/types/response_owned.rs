//! `into_owned` for the response side: a response that outlives the
//! receive buffer it was read from (to queue it, or keep it in a client
//! state machine).

use std::borrow::Cow;

use super::{
    Address, BodyExt, BodyExtension, BodyStructure, Code, Continuation, Data, Disposition, ESearch,
    ESearchData, Envelope, FetchItem, ListAttribute, ListData, ListExtended, NString, Namespace,
    QuotaResource, Response, SinglePart, SinglePartKind, Status, StreamedItem,
};

fn vec<T, U>(items: Vec<T>, f: impl FnMut(T) -> U) -> Vec<U> {
    items.into_iter().map(f).collect()
}

fn nstring(s: NString<'_>) -> NString<'static> {
    s.map(super::AString::into_owned)
}

fn cow_str(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

fn cow_bytes(s: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
    Cow::Owned(s.into_owned())
}

impl Response<'_> {
    /// An owned copy that outlives the input.
    ///
    /// ```
    /// use mailwire_imap::types::{Data, Response};
    /// let owned: Response<'static> = {
    ///     let line = b"* 1 FETCH (UID 7 BODY[] \"hi\")\r\n".to_vec();
    ///     Response::parse(&line)?.0.into_owned()
    /// };
    /// assert!(matches!(owned, Response::Data(Data::Fetch { .. })));
    /// # Ok::<(), mailwire_imap::parse::ResponseError>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Response<'static> {
        match self {
            Self::Status(s) => Response::Status(s.into_owned()),
            Self::Continuation(c) => Response::Continuation(c.into_owned()),
            Self::Data(d) => Response::Data(d.into_owned()),
        }
    }
}

impl Status<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Status<'static> {
        Status {
            tag: self.tag.map(super::Tag::into_owned),
            kind: self.kind,
            code: self.code.map(Code::into_owned),
            text: cow_str(self.text),
        }
    }
}

impl Continuation<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Continuation<'static> {
        Continuation {
            code: self.code.map(Code::into_owned),
            text: cow_str(self.text),
        }
    }
}

impl Code<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Code<'static> {
        match self {
            Self::Alert => Code::Alert,
            Self::BadCharset(c) => Code::BadCharset(vec(c, super::AString::into_owned)),
            Self::Capability(c) => Code::Capability(vec(c, super::Capability::into_owned)),
            Self::Parse => Code::Parse,
            Self::PermanentFlags(f) => Code::PermanentFlags(vec(f, super::FlagPerm::into_owned)),
            Self::ReadOnly => Code::ReadOnly,
            Self::ReadWrite => Code::ReadWrite,
            Self::TryCreate => Code::TryCreate,
            Self::UidNext(n) => Code::UidNext(n),
            Self::UidValidity(n) => Code::UidValidity(n),
            Self::Unseen(n) => Code::Unseen(n),
            Self::AppendUid { uid_validity, uids } => Code::AppendUid {
                uid_validity,
                uids: uids.into_owned(),
            },
            Self::CopyUid {
                uid_validity,
                source,
                target,
            } => Code::CopyUid {
                uid_validity,
                source: source.into_owned(),
                target: target.into_owned(),
            },
            Self::UidNotSticky => Code::UidNotSticky,
            Self::HighestModSeq(n) => Code::HighestModSeq(n),
            Self::NoModSeq => Code::NoModSeq,
            Self::Modified(s) => Code::Modified(s.into_owned()),
            Self::Closed => Code::Closed,
            Self::TooBig => Code::TooBig,
            Self::OverQuota => Code::OverQuota,
            Self::AlreadyExists => Code::AlreadyExists,
            Self::NonExistent => Code::NonExistent,
            Self::Other { name, text } => Code::Other {
                name: name.into_owned(),
                text: text.map(cow_str),
            },
        }
    }
}

impl Data<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Data<'static> {
        let namespaces =
            |ns: Option<Vec<Namespace<'_>>>| ns.map(|ns| vec(ns, Namespace::into_owned));
        match self {
            Self::Capability(c) => Data::Capability(vec(c, super::Capability::into_owned)),
            Self::Enabled(c) => Data::Enabled(vec(c, super::Capability::into_owned)),
            Self::List(l) => Data::List(l.into_owned()),
            Self::Lsub(l) => Data::Lsub(l.into_owned()),
            Self::Status { mailbox, items } => Data::Status {
                mailbox: mailbox.into_owned(),
                items,
            },
            Self::Search { ids, modseq } => Data::Search { ids, modseq },
            Self::ESearch(e) => Data::ESearch(e.into_owned()),
            Self::Flags(f) => Data::Flags(vec(f, super::Flag::into_owned)),
            Self::Exists(n) => Data::Exists(n),
            Self::Recent(n) => Data::Recent(n),
            Self::Expunge(n) => Data::Expunge(n),
            Self::Vanished { earlier, uids } => Data::Vanished {
                earlier,
                uids: uids.into_owned(),
            },
            Self::Fetch { seq, items } => Data::Fetch {
                seq,
                items: vec(items, FetchItem::into_owned),
            },
            Self::Namespace {
                personal,
                other,
                shared,
            } => Data::Namespace {
                personal: namespaces(personal),
                other: namespaces(other),
                shared: namespaces(shared),
            },
            Self::Id(fields) => {
                Data::Id(fields.map(|f| vec(f, |(k, v)| (k.into_owned(), nstring(v)))))
            }
            Self::Quota { root, resources } => Data::Quota {
                root: root.into_owned(),
                resources: vec(resources, QuotaResource::into_owned),
            },
            Self::QuotaRoot { mailbox, roots } => Data::QuotaRoot {
                mailbox: mailbox.into_owned(),
                roots: vec(roots, super::AString::into_owned),
            },
            Self::Sort { ids, modseq } => Data::Sort { ids, modseq },
            Self::Thread(t) => Data::Thread(t),
            Self::Other(raw) => Data::Other(cow_bytes(raw)),
        }
    }
}

impl ListData<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> ListData<'static> {
        ListData {
            attributes: vec(self.attributes, ListAttribute::into_owned),
            delimiter: self.delimiter,
            mailbox: self.mailbox.into_owned(),
            extended: vec(self.extended, |e| match e {
                ListExtended::ChildInfo(o) => {
                    ListExtended::ChildInfo(vec(o, super::AString::into_owned))
                }
                ListExtended::OldName(m) => ListExtended::OldName(m.into_owned()),
                ListExtended::Other { tag, value } => ListExtended::Other {
                    tag: tag.into_owned(),
                    value: cow_bytes(value),
                },
            }),
        }
    }
}

impl ListAttribute<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> ListAttribute<'static> {
        match self {
            Self::Extension(atom) => ListAttribute::Extension(atom.into_owned()),
            // Every other variant is one of the names, which borrow
            // nothing.
            known => Self::NAMES
                .iter()
                .find(|(_, attr)| *attr == known)
                .map_or(ListAttribute::Marked, |(_, attr)| attr.clone()),
        }
    }
}

impl ESearch<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> ESearch<'static> {
        ESearch {
            tag: self.tag.map(super::AString::into_owned),
            uid: self.uid,
            data: vec(self.data, |d| match d {
                ESearchData::Min(n) => ESearchData::Min(n),
                ESearchData::Max(n) => ESearchData::Max(n),
                ESearchData::All(s) => ESearchData::All(s.into_owned()),
                ESearchData::Count(n) => ESearchData::Count(n),
                ESearchData::ModSeq(n) => ESearchData::ModSeq(n),
                ESearchData::Other { name, value } => ESearchData::Other {
                    name: name.into_owned(),
                    value: cow_bytes(value),
                },
            }),
        }
    }
}

impl Namespace<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Namespace<'static> {
        Namespace {
            prefix: self.prefix.into_owned(),
            delimiter: self.delimiter,
            extensions: vec(self.extensions, |(n, v)| {
                (n.into_owned(), vec(v, super::AString::into_owned))
            }),
        }
    }
}

impl QuotaResource<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> QuotaResource<'static> {
        QuotaResource {
            name: self.name.into_owned(),
            usage: self.usage,
            limit: self.limit,
        }
    }
}

impl FetchItem<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> FetchItem<'static> {
        match self {
            Self::Flags(f) => FetchItem::Flags(vec(f, super::Flag::into_owned)),
            Self::Uid(n) => FetchItem::Uid(n),
            Self::Rfc822Size(n) => FetchItem::Rfc822Size(n),
            Self::InternalDate(d) => FetchItem::InternalDate(d),
            Self::Envelope(e) => FetchItem::Envelope(Box::new(e.into_owned())),
            Self::BodyStructure(b) => FetchItem::BodyStructure(Box::new(b.into_owned())),
            Self::Body(b) => FetchItem::Body(Box::new(b.into_owned())),
            Self::BodySection {
                section,
                origin,
                data,
            } => FetchItem::BodySection {
                section: section.into_owned(),
                origin,
                data: nstring(data),
            },
            Self::Binary { part, data } => FetchItem::Binary {
                part,
                data: nstring(data),
            },
            Self::BinarySize { part, size } => FetchItem::BinarySize { part, size },
            Self::ModSeq(n) => FetchItem::ModSeq(n),
            Self::Rfc822(d) => FetchItem::Rfc822(nstring(d)),
            Self::Rfc822Header(d) => FetchItem::Rfc822Header(nstring(d)),
            Self::Rfc822Text(d) => FetchItem::Rfc822Text(nstring(d)),
            Self::Other { name, value } => FetchItem::Other {
                name: cow_str(name),
                value: cow_bytes(value),
            },
        }
    }
}

impl StreamedItem<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> StreamedItem<'static> {
        match self {
            Self::BodySection { section, origin } => StreamedItem::BodySection {
                section: section.into_owned(),
                origin,
            },
            Self::Binary { part } => StreamedItem::Binary { part },
            Self::Rfc822 => StreamedItem::Rfc822,
            Self::Rfc822Header => StreamedItem::Rfc822Header,
            Self::Rfc822Text => StreamedItem::Rfc822Text,
        }
    }
}

impl Envelope<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Envelope<'static> {
        let list = |l: Vec<Address<'_>>| vec(l, Address::into_owned);
        Envelope {
            date: nstring(self.date),
            subject: nstring(self.subject),
            from: list(self.from),
            sender: list(self.sender),
            reply_to: list(self.reply_to),
            to: list(self.to),
            cc: list(self.cc),
            bcc: list(self.bcc),
            in_reply_to: nstring(self.in_reply_to),
            message_id: nstring(self.message_id),
        }
    }
}

impl Address<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Address<'static> {
        Address {
            name: nstring(self.name),
            adl: nstring(self.adl),
            mailbox: nstring(self.mailbox),
            host: nstring(self.host),
        }
    }
}

fn params(
    p: Vec<(super::AString<'_>, super::AString<'_>)>,
) -> Vec<(super::AString<'static>, super::AString<'static>)> {
    vec(p, |(k, v)| (k.into_owned(), v.into_owned()))
}

impl BodyStructure<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> BodyStructure<'static> {
        match self {
            Self::Single { part, ext } => BodyStructure::Single {
                part: part.into_owned(),
                ext: ext.map(BodyExt::into_owned),
            },
            Self::Multipart {
                parts,
                subtype,
                ext,
            } => BodyStructure::Multipart {
                parts: vec(parts, BodyStructure::into_owned),
                subtype: subtype.into_owned(),
                ext: ext.map(BodyExt::into_owned),
            },
        }
    }
}

impl SinglePart<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> SinglePart<'static> {
        SinglePart {
            media_type: self.media_type.into_owned(),
            subtype: self.subtype.into_owned(),
            params: params(self.params),
            id: nstring(self.id),
            description: nstring(self.description),
            encoding: self.encoding.into_owned(),
            size: self.size,
            kind: match self.kind {
                SinglePartKind::Basic => SinglePartKind::Basic,
                SinglePartKind::Text { lines } => SinglePartKind::Text { lines },
                SinglePartKind::Message {
                    envelope,
                    body,
                    lines,
                } => SinglePartKind::Message {
                    envelope: Box::new(envelope.into_owned()),
                    body: Box::new(body.into_owned()),
                    lines,
                },
            },
        }
    }
}

impl BodyExt<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> BodyExt<'static> {
        BodyExt {
            md5: nstring(self.md5),
            params: params(self.params),
            disposition: self.disposition.map(|d| Disposition {
                kind: d.kind.into_owned(),
                params: params(d.params),
            }),
            language: vec(self.language, super::AString::into_owned),
            location: nstring(self.location),
            extensions: vec(self.extensions, BodyExtension::into_owned),
        }
    }
}

impl BodyExtension<'_> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> BodyExtension<'static> {
        match self {
            Self::NString(s) => BodyExtension::NString(nstring(s)),
            Self::Number(n) => BodyExtension::Number(n),
            Self::List(l) => BodyExtension::List(vec(l, BodyExtension::into_owned)),
        }
    }
}
