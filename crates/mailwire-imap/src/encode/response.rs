//! The response encoder (server side).

use core::num::NonZeroU32;

use bytes::BufMut;

use super::EncodeError;
use crate::parse::ResponseLimits;
use crate::types::chars::{is_astring_char, is_atom_char, is_quotable};
use crate::types::{
    AString, Address, BodyExt, BodyExtension, BodyStructure, Code, Continuation, Data, Envelope,
    FetchItem, FlagPerm, ListExtended, Mailbox, Namespace, Response, Section, SectionText,
    SinglePartKind, Status, StreamedItem, Thread,
};

type Result<T = ()> = core::result::Result<T, EncodeError>;

/// Longest string written quoted; longer ones go as literals.
const MAX_QUOTED: usize = 1024;

fn invalid(field: &'static str, reason: &'static str) -> EncodeError {
    EncodeError::Invalid { field, reason }
}

/// The writer: a scratch buffer, copied out only when the whole value
/// encoded (a refused value writes nothing).
struct W {
    out: Vec<u8>,
}

impl W {
    fn put(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    fn sp(&mut self) {
        self.out.push(b' ');
    }

    fn num(&mut self, n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.put(&digits[i..]);
    }

    fn nz(&mut self, n: NonZeroU32) {
        self.num(u64::from(n.get()));
    }

    /// `literal` (or `literal8` when `binary`, the only form that may
    /// hold NUL).
    fn literal(&mut self, data: &[u8], binary: bool) -> Result {
        if !binary && crate::parse::has_nul(data) {
            return Err(EncodeError::ForbiddenByte {
                field: "literal",
                byte: 0,
            });
        }
        if binary {
            self.out.push(b'~');
        }
        self.out.push(b'{');
        self.num(data.len() as u64);
        self.put(b"}\r\n");
        self.put(data);
        Ok(())
    }

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

    /// `string`: quoted when the octets are 7-bit text, a literal
    /// otherwise.
    fn string(&mut self, data: &[u8]) -> Result {
        if data.len() <= MAX_QUOTED && data.iter().all(|&b| is_quotable(b)) {
            self.quoted(data);
            Ok(())
        } else {
            self.literal(data, false)
        }
    }

    fn nstring(&mut self, s: Option<&AString<'_>>) -> Result {
        match s {
            None => {
                self.put(b"NIL");
                Ok(())
            }
            Some(s) => self.string(s.as_bytes()),
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

    fn mailbox(&mut self, m: &Mailbox<'_>) -> Result {
        match m {
            Mailbox::Inbox => {
                self.put(b"INBOX");
                Ok(())
            }
            Mailbox::Other(name) => self.astring(name),
        }
    }

    /// `text`: no CR, LF or NUL.
    fn text(&mut self, text: &str) -> Result {
        if let Some(&byte) = text
            .as_bytes()
            .iter()
            .find(|&&b| matches!(b, b'\r' | b'\n' | 0))
        {
            return Err(EncodeError::ForbiddenByte {
                field: "text",
                byte,
            });
        }
        self.put(text.as_bytes());
        Ok(())
    }

    fn delimiter(&mut self, c: Option<char>) -> Result {
        match c {
            None => self.put(b"NIL"),
            Some(c) => {
                let mut bytes = [0u8; 4];
                let s = c.encode_utf8(&mut bytes);
                if s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                    return Err(invalid("delimiter", "control character"));
                }
                self.quoted(s.as_bytes());
            }
        }
        Ok(())
    }

    /// A raw value kept by the parser (or built by hand): checked to be
    /// one well-formed value.
    fn raw_value(&mut self, field: &'static str, value: &[u8]) -> Result {
        let limits = ResponseLimits::DEFAULT;
        if !crate::parse::response_value_ok(value, &limits) {
            return Err(invalid(field, "not one well-formed value"));
        }
        self.put(value);
        Ok(())
    }

    fn list<T>(&mut self, items: &[T], mut one: impl FnMut(&mut Self, &T) -> Result) -> Result {
        self.out.push(b'(');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            one(self, item)?;
        }
        self.out.push(b')');
        Ok(())
    }

    fn resp_text(&mut self, code: Option<&Code<'_>>, text: &str) -> Result {
        if let Some(code) = code {
            self.out.push(b'[');
            self.code(code)?;
            self.put(b"] ");
        } else if text.starts_with('[') {
            return Err(invalid("text", "starts with [ but has no code"));
        }
        // A line that ends in `{n}` reads as a literal announcement to
        // every client that frames by line ends (this crate's reader,
        // Python's imaplib): the response would swallow the next one.
        // Only text ending in `}` can; the common case costs one compare.
        if text.ends_with('}') {
            let mut line = text.as_bytes().to_vec();
            line.extend_from_slice(b"\r\n");
            if crate::parse::literal_announcement(&line).is_some() {
                return Err(invalid("text", "ends like a literal announcement"));
            }
        }
        self.text(text)
    }

    fn code(&mut self, code: &Code<'_>) -> Result {
        match code {
            Code::Alert => self.put(b"ALERT"),
            Code::BadCharset(charsets) => {
                self.put(b"BADCHARSET");
                if !charsets.is_empty() {
                    self.sp();
                    self.list(charsets, |w, c| w.astring(c))?;
                }
            }
            Code::Capability(caps) => {
                self.put(b"CAPABILITY");
                for cap in caps {
                    self.sp();
                    self.put(cap.to_string().as_bytes());
                }
            }
            Code::Parse => self.put(b"PARSE"),
            Code::PermanentFlags(flags) => {
                self.put(b"PERMANENTFLAGS ");
                self.list(flags, |w, f| {
                    match f {
                        FlagPerm::Wildcard => w.put(b"\\*"),
                        FlagPerm::Flag(flag) => flag.write_to(&mut |b| w.put(b)),
                    }
                    Ok(())
                })?;
            }
            Code::ReadOnly => self.put(b"READ-ONLY"),
            Code::ReadWrite => self.put(b"READ-WRITE"),
            Code::TryCreate => self.put(b"TRYCREATE"),
            Code::UidNext(n) => {
                self.put(b"UIDNEXT ");
                self.nz(*n);
            }
            Code::UidValidity(n) => {
                self.put(b"UIDVALIDITY ");
                self.nz(*n);
            }
            Code::Unseen(n) => {
                self.put(b"UNSEEN ");
                self.nz(*n);
            }
            Code::AppendUid { uid_validity, uids } => {
                self.put(b"APPENDUID ");
                self.nz(*uid_validity);
                self.sp();
                self.set(uids.as_str())?;
            }
            Code::CopyUid {
                uid_validity,
                source,
                target,
            } => {
                self.put(b"COPYUID ");
                self.nz(*uid_validity);
                self.sp();
                self.set(source.as_str())?;
                self.sp();
                self.set(target.as_str())?;
            }
            Code::UidNotSticky => self.put(b"UIDNOTSTICKY"),
            Code::HighestModSeq(n) => {
                self.put(b"HIGHESTMODSEQ ");
                self.num(*n);
            }
            Code::NoModSeq => self.put(b"NOMODSEQ"),
            Code::Modified(set) => {
                self.put(b"MODIFIED ");
                self.set(set.as_str())?;
            }
            Code::Closed => self.put(b"CLOSED"),
            Code::TooBig => self.put(b"TOOBIG"),
            Code::OverQuota => self.put(b"OVERQUOTA"),
            Code::AlreadyExists => self.put(b"ALREADYEXISTS"),
            Code::NonExistent => self.put(b"NONEXISTENT"),
            Code::Other { name, text } => {
                self.put(name.as_str().as_bytes());
                if let Some(text) = text {
                    if text.is_empty()
                        || text.bytes().any(|b| matches!(b, b']' | b'\r' | b'\n' | 0))
                    {
                        return Err(invalid("response code", "text holds ] or a control"));
                    }
                    self.sp();
                    self.put(text.as_bytes());
                }
            }
        }
        Ok(())
    }

    /// A sequence set (never `$` in a response).
    fn set(&mut self, text: &str) -> Result {
        if text == "$" {
            return Err(invalid("sequence set", "$ in a response"));
        }
        self.put(text.as_bytes());
        Ok(())
    }

    fn response(&mut self, response: &Response<'_>) -> Result {
        match response {
            Response::Status(status) => self.status(status),
            Response::Continuation(cont) => self.continuation(cont),
            Response::Data(data) => {
                self.put(b"* ");
                self.data(data)?;
                self.put(b"\r\n");
                Ok(())
            }
        }
    }

    fn status(&mut self, status: &Status<'_>) -> Result {
        use crate::types::StatusKind;
        match &status.tag {
            Some(tag) => {
                if matches!(status.kind, StatusKind::PreAuth | StatusKind::Bye) {
                    return Err(invalid("status", "PREAUTH and BYE are untagged"));
                }
                self.put(tag.as_str().as_bytes());
            }
            None => self.out.push(b'*'),
        }
        self.sp();
        self.put(status.kind.as_str().as_bytes());
        self.sp();
        self.resp_text(status.code.as_ref(), &status.text)?;
        self.put(b"\r\n");
        Ok(())
    }

    fn continuation(&mut self, cont: &Continuation<'_>) -> Result {
        self.put(b"+ ");
        self.resp_text(cont.code.as_ref(), &cont.text)?;
        self.put(b"\r\n");
        Ok(())
    }

    fn ids(&mut self, name: &[u8], ids: &[NonZeroU32], modseq: Option<u64>) {
        self.put(name);
        for id in ids {
            self.sp();
            self.nz(*id);
        }
        if let Some(m) = modseq {
            self.put(b" (MODSEQ ");
            self.num(m);
            self.out.push(b')');
        }
    }

    #[allow(clippy::too_many_lines)]
    fn data(&mut self, data: &Data<'_>) -> Result {
        match data {
            Data::Capability(caps) | Data::Enabled(caps) => {
                self.put(if matches!(data, Data::Capability(_)) {
                    b"CAPABILITY"
                } else {
                    b"ENABLED"
                });
                for cap in caps {
                    self.sp();
                    self.put(cap.to_string().as_bytes());
                }
            }
            Data::List(list) | Data::Lsub(list) => {
                self.put(if matches!(data, Data::List(_)) {
                    b"LIST "
                } else {
                    b"LSUB "
                });
                self.list(&list.attributes, |w, a| {
                    w.out.push(b'\\');
                    w.put(a.name().as_bytes());
                    Ok(())
                })?;
                self.sp();
                self.delimiter(list.delimiter)?;
                self.sp();
                self.mailbox(&list.mailbox)?;
                if !list.extended.is_empty() {
                    self.sp();
                    self.list(&list.extended, |w, item| match item {
                        ListExtended::ChildInfo(opts) => {
                            w.put(b"\"CHILDINFO\" ");
                            w.list(opts, |w, o| w.string(o.as_bytes()))
                        }
                        ListExtended::OldName(name) => {
                            w.put(b"\"OLDNAME\" (");
                            w.mailbox(name)?;
                            w.out.push(b')');
                            Ok(())
                        }
                        ListExtended::Other { tag, value } => {
                            w.string(tag.as_bytes())?;
                            w.sp();
                            w.raw_value("LIST extended item", value)
                        }
                    })?;
                }
            }
            Data::Status { mailbox, items } => {
                self.put(b"STATUS ");
                self.mailbox(mailbox)?;
                self.sp();
                self.list(items, |w, (item, n)| {
                    w.put(item.as_str().as_bytes());
                    w.sp();
                    w.num(*n);
                    Ok(())
                })?;
            }
            Data::Search { ids, modseq } => self.ids(b"SEARCH", ids, *modseq),
            Data::Sort { ids, modseq } => self.ids(b"SORT", ids, *modseq),
            Data::ESearch(es) => {
                self.put(b"ESEARCH");
                if let Some(tag) = &es.tag {
                    self.put(b" (TAG ");
                    self.string(tag.as_bytes())?;
                    self.out.push(b')');
                }
                if es.uid {
                    self.put(b" UID");
                }
                for item in &es.data {
                    use crate::types::ESearchData as E;
                    self.sp();
                    match item {
                        E::Min(n) => {
                            self.put(b"MIN ");
                            self.nz(*n);
                        }
                        E::Max(n) => {
                            self.put(b"MAX ");
                            self.nz(*n);
                        }
                        E::All(set) => {
                            self.put(b"ALL ");
                            self.set(set.as_str())?;
                        }
                        E::Count(n) => {
                            self.put(b"COUNT ");
                            self.num(u64::from(*n));
                        }
                        E::ModSeq(n) => {
                            self.put(b"MODSEQ ");
                            self.num(*n);
                        }
                        E::Other { name, value } => {
                            if name.eq_ignore_case("UID") {
                                return Err(invalid("ESEARCH item", "UID is not return data"));
                            }
                            self.put(name.as_str().as_bytes());
                            self.sp();
                            self.raw_value("ESEARCH item", value)?;
                        }
                    }
                }
            }
            Data::Flags(flags) => {
                self.put(b"FLAGS ");
                self.list(flags, |w, f| {
                    f.write_to(&mut |b| w.put(b));
                    Ok(())
                })?;
            }
            Data::Exists(n) => {
                self.num(u64::from(*n));
                self.put(b" EXISTS");
            }
            Data::Recent(n) => {
                self.num(u64::from(*n));
                self.put(b" RECENT");
            }
            Data::Expunge(n) => {
                self.nz(*n);
                self.put(b" EXPUNGE");
            }
            Data::Vanished { earlier, uids } => {
                self.put(b"VANISHED ");
                if *earlier {
                    self.put(b"(EARLIER) ");
                }
                self.set(uids.as_str())?;
            }
            Data::Fetch { seq, items } => {
                self.nz(*seq);
                self.put(b" FETCH (");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.sp();
                    }
                    self.fetch_item(item)?;
                }
                self.out.push(b')');
            }
            Data::Namespace {
                personal,
                other,
                shared,
            } => {
                self.put(b"NAMESPACE");
                for ns in [personal, other, shared] {
                    self.sp();
                    self.namespaces(ns.as_deref())?;
                }
            }
            Data::Id(fields) => {
                self.put(b"ID ");
                match fields {
                    None => self.put(b"NIL"),
                    Some(fields) => self.list(fields, |w, (k, v)| {
                        w.string(k.as_bytes())?;
                        w.sp();
                        w.nstring(v.as_ref())
                    })?,
                }
            }
            Data::Quota { root, resources } => {
                self.put(b"QUOTA ");
                self.astring(root)?;
                self.sp();
                self.list(resources, |w, r| {
                    w.put(r.name.as_str().as_bytes());
                    w.sp();
                    w.num(r.usage);
                    w.sp();
                    w.num(r.limit);
                    Ok(())
                })?;
            }
            Data::QuotaRoot { mailbox, roots } => {
                self.put(b"QUOTAROOT ");
                self.mailbox(mailbox)?;
                for root in roots {
                    self.sp();
                    self.astring(root)?;
                }
            }
            Data::Thread(threads) => {
                self.put(b"THREAD");
                if !threads.is_empty() {
                    self.sp();
                    for t in threads {
                        self.thread(t)?;
                    }
                }
            }
            Data::Other(raw) => {
                if !crate::parse::response_data_ok(raw) {
                    return Err(invalid("untagged data", "not one well-formed response"));
                }
                self.put(raw);
            }
        }
        Ok(())
    }

    fn namespaces(&mut self, ns: Option<&[Namespace<'_>]>) -> Result {
        match ns {
            None => self.put(b"NIL"),
            Some([]) => return Err(invalid("namespace", "empty list (write NIL)")),
            Some(list) => {
                self.out.push(b'(');
                for n in list {
                    self.out.push(b'(');
                    self.string(n.prefix.as_bytes())?;
                    self.sp();
                    self.delimiter(n.delimiter)?;
                    for (name, values) in &n.extensions {
                        self.sp();
                        self.string(name.as_bytes())?;
                        self.sp();
                        self.list(values, |w, v| w.string(v.as_bytes()))?;
                    }
                    self.out.push(b')');
                }
                self.out.push(b')');
            }
        }
        Ok(())
    }

    fn thread(&mut self, t: &Thread) -> Result {
        if t.ids.is_empty() && t.children.is_empty() {
            return Err(invalid("thread", "empty"));
        }
        self.out.push(b'(');
        for (i, id) in t.ids.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            self.nz(*id);
        }
        if !t.children.is_empty() && !t.ids.is_empty() {
            self.sp();
        }
        for child in &t.children {
            self.thread(child)?;
        }
        self.out.push(b')');
        Ok(())
    }

    fn part(&mut self, part: &[NonZeroU32]) {
        for (i, n) in part.iter().enumerate() {
            if i > 0 {
                self.out.push(b'.');
            }
            self.nz(*n);
        }
    }

    fn section(&mut self, section: &Section<'_>) -> Result {
        self.out.push(b'[');
        self.part(&section.part);
        if let Some(text) = &section.text {
            if !section.part.is_empty() {
                self.out.push(b'.');
            }
            match text {
                SectionText::Header => self.put(b"HEADER"),
                SectionText::Text => self.put(b"TEXT"),
                SectionText::Mime => {
                    if section.part.is_empty() {
                        return Err(invalid("section", "MIME needs a part number"));
                    }
                    self.put(b"MIME");
                }
                SectionText::HeaderFields(names) | SectionText::HeaderFieldsNot(names) => {
                    self.put(if matches!(text, SectionText::HeaderFields(_)) {
                        b"HEADER.FIELDS "
                    } else {
                        b"HEADER.FIELDS.NOT "
                    });
                    if names.is_empty() {
                        return Err(invalid("section", "empty header list"));
                    }
                    self.list(names, |w, n| w.astring(n))?;
                }
            }
        }
        self.out.push(b']');
        Ok(())
    }

    /// The name of a streamed item, up to and including the SP before
    /// its value.
    fn streamed_name(&mut self, item: &StreamedItem<'_>) -> Result {
        match item {
            StreamedItem::BodySection { section, origin } => {
                self.put(b"BODY");
                self.section(section)?;
                if let Some(o) = origin {
                    self.out.push(b'<');
                    self.num(u64::from(*o));
                    self.out.push(b'>');
                }
            }
            StreamedItem::Binary { part } => {
                self.put(b"BINARY[");
                self.part(part);
                self.out.push(b']');
            }
            StreamedItem::Rfc822 => self.put(b"RFC822"),
            StreamedItem::Rfc822Header => self.put(b"RFC822.HEADER"),
            StreamedItem::Rfc822Text => self.put(b"RFC822.TEXT"),
        }
        self.sp();
        Ok(())
    }

    fn fetch_item(&mut self, item: &FetchItem<'_>) -> Result {
        match item {
            FetchItem::Flags(flags) => {
                self.put(b"FLAGS ");
                self.list(flags, |w, f| {
                    f.write_to(&mut |b| w.put(b));
                    Ok(())
                })?;
            }
            FetchItem::Uid(n) => {
                self.put(b"UID ");
                self.nz(*n);
            }
            FetchItem::Rfc822Size(n) => {
                self.put(b"RFC822.SIZE ");
                self.num(*n);
            }
            FetchItem::InternalDate(dt) => {
                self.put(b"INTERNALDATE ");
                self.put(dt.to_string().as_bytes());
            }
            FetchItem::Envelope(env) => {
                self.put(b"ENVELOPE ");
                self.envelope(env)?;
            }
            FetchItem::BodyStructure(body) => {
                self.put(b"BODYSTRUCTURE ");
                self.body(body)?;
            }
            FetchItem::Body(body) => {
                self.put(b"BODY ");
                self.body(body)?;
            }
            FetchItem::BodySection {
                section,
                origin,
                data,
            } => {
                self.streamed_name(&StreamedItem::BodySection {
                    section: section.clone(),
                    origin: *origin,
                })?;
                self.nstring(data.as_ref())?;
            }
            FetchItem::Binary { part, data } => {
                self.put(b"BINARY[");
                self.part(part);
                self.put(b"] ");
                // RFC 3516: the decoded octets go as a literal8, which
                // may carry NUL (the same form FetchLiteralWriter uses).
                match data {
                    Some(d) => self.literal(d.as_bytes(), true)?,
                    None => self.put(b"NIL"),
                }
            }
            FetchItem::BinarySize { part, size } => {
                self.put(b"BINARY.SIZE[");
                self.part(part);
                self.put(b"] ");
                self.num(*size);
            }
            FetchItem::ModSeq(n) => {
                self.put(b"MODSEQ (");
                self.num(*n);
                self.out.push(b')');
            }
            FetchItem::Rfc822(d) => {
                self.put(b"RFC822 ");
                self.nstring(d.as_ref())?;
            }
            FetchItem::Rfc822Header(d) => {
                self.put(b"RFC822.HEADER ");
                self.nstring(d.as_ref())?;
            }
            FetchItem::Rfc822Text(d) => {
                self.put(b"RFC822.TEXT ");
                self.nstring(d.as_ref())?;
            }
            FetchItem::Other { name, value } => {
                let known = [
                    "FLAGS",
                    "UID",
                    "RFC822.SIZE",
                    "INTERNALDATE",
                    "ENVELOPE",
                    "BODYSTRUCTURE",
                    "BODY",
                    "BINARY.SIZE",
                    "MODSEQ",
                    "RFC822",
                    "RFC822.HEADER",
                    "RFC822.TEXT",
                    "BINARY",
                ];
                if name.is_empty()
                    || !name.bytes().all(|b| is_atom_char(b) && b != b'[')
                    || known.iter().any(|k| k.eq_ignore_ascii_case(name))
                {
                    return Err(invalid("FETCH item", "name is not an unknown atom"));
                }
                self.put(name.as_bytes());
                self.sp();
                self.raw_value("FETCH item", value)?;
            }
        }
        Ok(())
    }

    fn addresses(&mut self, list: &[Address<'_>]) -> Result {
        if list.is_empty() {
            self.put(b"NIL");
            return Ok(());
        }
        self.out.push(b'(');
        for a in list {
            self.out.push(b'(');
            self.nstring(a.name.as_ref())?;
            self.sp();
            self.nstring(a.adl.as_ref())?;
            self.sp();
            self.nstring(a.mailbox.as_ref())?;
            self.sp();
            self.nstring(a.host.as_ref())?;
            self.out.push(b')');
        }
        self.out.push(b')');
        Ok(())
    }

    fn envelope(&mut self, env: &Envelope<'_>) -> Result {
        self.out.push(b'(');
        self.nstring(env.date.as_ref())?;
        self.sp();
        self.nstring(env.subject.as_ref())?;
        for list in [
            &env.from,
            &env.sender,
            &env.reply_to,
            &env.to,
            &env.cc,
            &env.bcc,
        ] {
            self.sp();
            self.addresses(list)?;
        }
        self.sp();
        self.nstring(env.in_reply_to.as_ref())?;
        self.sp();
        self.nstring(env.message_id.as_ref())?;
        self.out.push(b')');
        Ok(())
    }

    fn params(&mut self, params: &[(AString<'_>, AString<'_>)]) -> Result {
        if params.is_empty() {
            self.put(b"NIL");
            return Ok(());
        }
        self.list(params, |w, (k, v)| {
            w.string(k.as_bytes())?;
            w.sp();
            w.string(v.as_bytes())
        })
    }

    fn body(&mut self, body: &BodyStructure<'_>) -> Result {
        self.out.push(b'(');
        match body {
            BodyStructure::Multipart {
                parts,
                subtype,
                ext,
            } => {
                if parts.is_empty() {
                    return Err(invalid("body", "multipart without parts"));
                }
                for part in parts {
                    self.body(part)?;
                }
                self.sp();
                self.string(subtype.as_bytes())?;
                if let Some(ext) = ext {
                    self.sp();
                    self.params(&ext.params)?;
                    self.ext_rest(ext)?;
                }
            }
            BodyStructure::Single { part, ext } => {
                self.string(part.media_type.as_bytes())?;
                self.sp();
                self.string(part.subtype.as_bytes())?;
                self.sp();
                self.params(&part.params)?;
                self.sp();
                self.nstring(part.id.as_ref())?;
                self.sp();
                self.nstring(part.description.as_ref())?;
                self.sp();
                self.string(part.encoding.as_bytes())?;
                self.sp();
                self.num(part.size);
                let text = part.media_type.as_bytes().eq_ignore_ascii_case(b"TEXT");
                match &part.kind {
                    SinglePartKind::Basic => {
                        if text {
                            return Err(invalid("body", "TEXT part without lines"));
                        }
                    }
                    SinglePartKind::Text { lines } => {
                        if !text {
                            return Err(invalid("body", "lines on a non-TEXT part"));
                        }
                        self.sp();
                        self.num(*lines);
                    }
                    SinglePartKind::Message {
                        envelope,
                        body,
                        lines,
                    } => {
                        let sub = part.subtype.as_bytes();
                        if !part.media_type.as_bytes().eq_ignore_ascii_case(b"MESSAGE")
                            || !(sub.eq_ignore_ascii_case(b"RFC822")
                                || sub.eq_ignore_ascii_case(b"GLOBAL"))
                        {
                            return Err(invalid("body", "envelope on a non-message part"));
                        }
                        self.sp();
                        self.envelope(envelope)?;
                        self.sp();
                        self.body(body)?;
                        self.sp();
                        self.num(*lines);
                    }
                }
                if let Some(ext) = ext {
                    self.sp();
                    self.nstring(ext.md5.as_ref())?;
                    self.ext_rest(ext)?;
                }
            }
        }
        self.out.push(b')');
        Ok(())
    }

    fn ext_rest(&mut self, ext: &BodyExt<'_>) -> Result {
        self.sp();
        match &ext.disposition {
            None => self.put(b"NIL"),
            Some(d) => {
                self.out.push(b'(');
                self.string(d.kind.as_bytes())?;
                self.sp();
                self.params(&d.params)?;
                self.out.push(b')');
            }
        }
        self.sp();
        match ext.language.as_slice() {
            [] => self.put(b"NIL"),
            [one] => self.string(one.as_bytes())?,
            many => self.list(many, |w, l| w.string(l.as_bytes()))?,
        }
        self.sp();
        self.nstring(ext.location.as_ref())?;
        for e in &ext.extensions {
            self.sp();
            self.body_extension(e)?;
        }
        Ok(())
    }

    fn body_extension(&mut self, e: &BodyExtension<'_>) -> Result {
        match e {
            BodyExtension::NString(s) => self.nstring(s.as_ref()),
            BodyExtension::Number(n) => {
                self.num(*n);
                Ok(())
            }
            BodyExtension::List(list) => self.list(list, Self::body_extension),
        }
    }
}

fn with_writer(out: &mut impl BufMut, f: impl FnOnce(&mut W) -> Result) -> Result {
    let mut w = W { out: Vec::new() };
    f(&mut w)?;
    out.put_slice(&w.out);
    Ok(())
}

impl Response<'_> {
    /// Writes the response, CRLF included. Strings go out as atoms,
    /// quoted strings or literals as their octets allow; nothing puts
    /// CR, LF or NUL outside a literal. A refused value writes nothing.
    ///
    /// # Errors
    ///
    /// When a value breaks its grammar: text with CR/LF/NUL, text that
    /// starts with `[` without a code, an empty list where the grammar
    /// needs one item, a raw value that is not well-formed, NUL outside
    /// a `BINARY` literal, `PREAUTH`/`BYE` with a tag.
    ///
    /// ```
    /// use mailwire_imap::types::{AString, Data, ListAttribute, ListData, Mailbox, Response};
    /// let list = Response::Data(Data::List(ListData {
    ///     attributes: vec![ListAttribute::HasNoChildren, ListAttribute::Sent],
    ///     delimiter: Some('/'),
    ///     mailbox: Mailbox::from("Sent Items"),
    ///     extended: vec![],
    /// }));
    /// let mut out = Vec::new();
    /// list.encode(&mut out)?;
    /// assert_eq!(out, b"* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n");
    /// # Ok::<(), mailwire_imap::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result {
        with_writer(out, |w| w.response(self))
    }

    /// The encoded response as bytes.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = W { out: Vec::new() };
        w.response(self)?;
        Ok(w.out)
    }
}

impl Status<'_> {
    /// Writes the status response, CRLF included.
    ///
    /// # Errors
    ///
    /// As [`Response::encode`].
    pub fn encode(&self, out: &mut impl BufMut) -> Result {
        with_writer(out, |w| w.status(self))
    }

    /// The encoded status response as bytes.
    ///
    /// # Errors
    ///
    /// As [`Response::encode`].
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = W { out: Vec::new() };
        w.status(self)?;
        Ok(w.out)
    }
}

/// Writes a FETCH response whose message data is too large to hold:
/// the head up to and including `{n}` CRLF, then the octets in chunks,
/// then the rest. The writer counts the octets, so the literal is
/// exactly as long as announced.
///
/// ```
/// use mailwire_imap::encode::FetchLiteralWriter;
/// use mailwire_imap::types::{FetchItem, Section, StreamedItem};
///
/// let mut out = Vec::new();
/// let seq = 12.try_into()?;
/// let body = StreamedItem::BodySection { section: Section::default(), origin: None };
/// let mut writer = FetchLiteralWriter::begin(seq, &[FetchItem::Uid(4.try_into()?)], &body, 11, &mut out)?;
/// writer.chunk(b"Hello", &mut out)?;
/// writer.chunk(b" world", &mut out)?;
/// writer.finish(&[FetchItem::Rfc822Size(11)], &mut out)?;
/// assert_eq!(out, b"* 12 FETCH (UID 4 BODY[] {11}\r\nHello world RFC822.SIZE 11)\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchLiteralWriter {
    left: u64,
    binary: bool,
}

impl FetchLiteralWriter {
    /// Writes `* seq FETCH (` the `before` items and the streamed item's
    /// name with `{size}` CRLF (`~{size}` for `BINARY[]`, which may
    /// carry NUL).
    ///
    /// # Errors
    ///
    /// When an item cannot be encoded (nothing is written then).
    pub fn begin(
        seq: NonZeroU32,
        before: &[FetchItem<'_>],
        item: &StreamedItem<'_>,
        size: u64,
        out: &mut impl BufMut,
    ) -> Result<Self> {
        let binary = matches!(item, StreamedItem::Binary { .. });
        with_writer(out, |w| {
            w.put(b"* ");
            w.nz(seq);
            w.put(b" FETCH (");
            for i in before {
                w.fetch_item(i)?;
                w.sp();
            }
            w.streamed_name(item)?;
            Self::announce(w, size, binary);
            Ok(())
        })?;
        Ok(Self { left: size, binary })
    }

    fn announce(w: &mut W, size: u64, binary: bool) {
        if binary {
            w.out.push(b'~');
        }
        w.out.push(b'{');
        w.num(size);
        w.put(b"}\r\n");
    }

    /// The octets still to write.
    #[must_use]
    pub const fn remaining(&self) -> u64 {
        self.left
    }

    /// Writes the next octets of the literal.
    ///
    /// # Errors
    ///
    /// When `data` goes past the announced size, or holds NUL in a
    /// non-`BINARY` literal (nothing is written then).
    pub fn chunk(&mut self, data: &[u8], out: &mut impl BufMut) -> Result {
        if data.len() as u64 > self.left {
            return Err(invalid("literal", "more octets than announced"));
        }
        if !self.binary && crate::parse::has_nul(data) {
            return Err(EncodeError::ForbiddenByte {
                field: "literal",
                byte: 0,
            });
        }
        out.put_slice(data);
        self.left -= data.len() as u64;
        Ok(())
    }

    /// Ends the literal and starts the next streamed item of the same
    /// FETCH: ` ` the `between` items and the item's name with `{size}`.
    ///
    /// # Errors
    ///
    /// When octets are missing from the current literal or an item
    /// cannot be encoded.
    pub fn next(
        self,
        between: &[FetchItem<'_>],
        item: &StreamedItem<'_>,
        size: u64,
        out: &mut impl BufMut,
    ) -> Result<Self> {
        if self.left > 0 {
            return Err(invalid("literal", "fewer octets than announced"));
        }
        let binary = matches!(item, StreamedItem::Binary { .. });
        with_writer(out, |w| {
            for i in between {
                w.sp();
                w.fetch_item(i)?;
            }
            w.sp();
            w.streamed_name(item)?;
            Self::announce(w, size, binary);
            Ok(())
        })?;
        Ok(Self { left: size, binary })
    }

    /// Ends the literal and the FETCH: the `after` items, `)` CRLF.
    ///
    /// # Errors
    ///
    /// When octets are missing from the literal or an item cannot be
    /// encoded.
    pub fn finish(self, after: &[FetchItem<'_>], out: &mut impl BufMut) -> Result {
        if self.left > 0 {
            return Err(invalid("literal", "fewer octets than announced"));
        }
        with_writer(out, |w| {
            for i in after {
                w.sp();
                w.fetch_item(i)?;
            }
            w.put(b")\r\n");
            Ok(())
        })
    }
}
