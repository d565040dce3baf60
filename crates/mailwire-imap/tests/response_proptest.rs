//! Property tests: value -> encode -> parse == value; bytes -> parse ->
//! encode -> parse is stable; the encoder never puts CR/LF/NUL outside
//! a literal; the reader frames the same whatever the split.

use core::num::NonZeroU32;
use std::borrow::Cow;

use bytes::BytesMut;
use mailwire_imap::parse::{ReadFrame, ResponseReader};
use mailwire_imap::types::{
    AString, Address, Atom, BodyExt, BodyExtension, BodyStructure, Capability, Code, Continuation,
    Data, Date, DateTime, Disposition, ESearch, ESearchData, Envelope, FetchItem, Flag, FlagPerm,
    ListAttribute, ListData, ListExtended, Mailbox, Namespace, QuotaResource, Response, Section,
    SectionText, SequenceSet, SinglePart, SinglePartKind, Status, StatusItem, StatusKind, Tag,
    Thread,
};
use proptest::prelude::*;

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn leak_bytes(b: Vec<u8>) -> &'static [u8] {
    Box::leak(b.into_boxed_slice())
}

fn nz() -> impl Strategy<Value = NonZeroU32> {
    (1u32..=u32::MAX).prop_map(|n| NonZeroU32::new(n).unwrap())
}

/// Any octets but NUL (strings that are not BINARY data).
fn octets() -> impl Strategy<Value = AString<'static>> {
    prop_oneof![
        "[ -~]{0,12}".prop_map(|s| AString::from(leak(s))),
        prop::collection::vec(1u8..=255, 0..24).prop_map(|b| AString::from(leak_bytes(b))),
    ]
}

fn nstring() -> impl Strategy<Value = Option<AString<'static>>> {
    prop::option::of(octets())
}

fn atom() -> impl Strategy<Value = Atom<'static>> {
    "X-[A-Z0-9]{1,8}".prop_map(|s| Atom::new(leak(s)).unwrap())
}

fn text() -> impl Strategy<Value = Cow<'static, str>> {
    "([ -Z\\\\^-~][ -~]{0,20})?"
        .prop_filter("text the encoder refuses", |s| !ends_like_literal(s))
        .prop_map(|s| Cow::Borrowed(leak(s)))
}

/// Whether `text` ends as a literal announcement would (`{12}`, `{12+}`),
/// which the encoder refuses at the end of a line.
fn ends_like_literal(text: &str) -> bool {
    let Some(rest) = text.strip_suffix('}') else {
        return false;
    };
    let rest = rest.strip_suffix('+').unwrap_or(rest);
    let digits = rest.bytes().rev().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest[..rest.len() - digits].ends_with('{')
}

fn set() -> impl Strategy<Value = SequenceSet<'static>> {
    prop::collection::vec((1u32..100, prop::option::of(1u32..100)), 1..4).prop_map(|parts| {
        let text: Vec<String> = parts
            .iter()
            .map(|(a, b)| match b {
                Some(b) => format!("{a}:{b}"),
                None => a.to_string(),
            })
            .collect();
        SequenceSet::new(leak(text.join(","))).unwrap()
    })
}

fn flag() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        Just(Flag::Recent),
        "\\$?[A-Za-z]{1,8}".prop_map(|s| Flag::parse(leak(s)).unwrap()),
        "\\\\X[A-Za-z]{1,8}".prop_map(|s| Flag::parse(leak(s)).unwrap()),
    ]
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop::sample::select(vec![
        "IMAP4rev1",
        "IMAP4rev2",
        "STARTTLS",
        "AUTH=PLAIN",
        "AUTH=XOAUTH2",
        "X-GM-EXT-1",
        "THREAD=REFERENCES",
        "LITERAL+",
    ])
    .prop_map(|s| Capability::parse(s).unwrap())
}

fn code() -> impl Strategy<Value = Code<'static>> {
    prop_oneof![
        Just(Code::Alert),
        Just(Code::Parse),
        Just(Code::ReadOnly),
        Just(Code::ReadWrite),
        Just(Code::TryCreate),
        Just(Code::Closed),
        Just(Code::NoModSeq),
        prop::collection::vec("[A-Z0-9-]{1,8}".prop_map(|s| AString::from(leak(s))), 0..3)
            .prop_map(Code::BadCharset),
        prop::collection::vec(capability(), 0..4).prop_map(Code::Capability),
        prop::collection::vec(
            prop_oneof![flag().prop_map(FlagPerm::Flag), Just(FlagPerm::Wildcard)],
            0..4
        )
        .prop_map(Code::PermanentFlags),
        nz().prop_map(Code::UidNext),
        nz().prop_map(Code::UidValidity),
        nz().prop_map(Code::Unseen),
        (nz(), set()).prop_map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids }),
        (nz(), set(), set()).prop_map(|(uid_validity, source, target)| Code::CopyUid {
            uid_validity,
            source,
            target
        }),
        any::<u64>().prop_map(Code::HighestModSeq),
        set().prop_map(Code::Modified),
        (atom(), prop::option::of("[!-\\\\^-~][ !-\\\\^-~]{0,10}")).prop_map(|(name, text)| {
            Code::Other {
                name,
                text: text.map(|t| Cow::Borrowed(leak(t))),
            }
        }),
    ]
}

fn status() -> impl Strategy<Value = Status<'static>> {
    (
        prop::option::of("[A-Za-z0-9]{1,6}"),
        0usize..5,
        prop::option::of(code()),
        text(),
    )
        .prop_map(|(tag, kind, code, text)| {
            let tag = tag.map(|t| Tag::new(leak(t)).unwrap());
            let kinds = if tag.is_some() {
                &[StatusKind::Ok, StatusKind::No, StatusKind::Bad][..]
            } else {
                &[
                    StatusKind::Ok,
                    StatusKind::No,
                    StatusKind::Bad,
                    StatusKind::PreAuth,
                    StatusKind::Bye,
                ][..]
            };
            Status {
                tag,
                kind: kinds[kind % kinds.len()],
                code,
                text,
            }
        })
}

fn address() -> impl Strategy<Value = Address<'static>> {
    (nstring(), nstring(), nstring(), nstring()).prop_map(|(name, adl, mailbox, host)| Address {
        name,
        adl,
        mailbox,
        host,
    })
}

fn addresses() -> impl Strategy<Value = Vec<Address<'static>>> {
    prop::collection::vec(address(), 0..3)
}

fn envelope() -> impl Strategy<Value = Envelope<'static>> {
    (
        (nstring(), nstring(), addresses(), addresses(), addresses()),
        (addresses(), addresses(), addresses(), nstring(), nstring()),
    )
        .prop_map(
            |((date, subject, from, sender, reply_to), (to, cc, bcc, in_reply_to, message_id))| {
                Envelope {
                    date,
                    subject,
                    from,
                    sender,
                    reply_to,
                    to,
                    cc,
                    bcc,
                    in_reply_to,
                    message_id,
                }
            },
        )
}

fn params() -> impl Strategy<Value = Vec<(AString<'static>, AString<'static>)>> {
    prop::collection::vec((octets(), octets()), 0..3)
}

fn body_extension() -> impl Strategy<Value = BodyExtension<'static>> {
    let leaf = prop_oneof![
        nstring().prop_map(BodyExtension::NString),
        any::<u64>().prop_map(BodyExtension::Number),
    ];
    leaf.prop_recursive(3, 8, 3, |inner| {
        prop::collection::vec(inner, 1..3).prop_map(BodyExtension::List)
    })
}

fn body_ext(single: bool) -> impl Strategy<Value = BodyExt<'static>> {
    (
        nstring(),
        params(),
        prop::option::of(
            (octets(), params()).prop_map(|(kind, params)| Disposition { kind, params }),
        ),
        prop::collection::vec(octets(), 0..3),
        nstring(),
        prop::collection::vec(body_extension(), 0..3),
    )
        .prop_map(
            move |(md5, params, disposition, language, location, extensions)| BodyExt {
                md5: if single { md5 } else { None },
                params: if single { Vec::new() } else { params },
                disposition,
                language,
                location,
                extensions,
            },
        )
}

fn single(
    kind: SinglePartKind<'static>,
    media: &'static str,
    sub: &'static str,
) -> impl Strategy<Value = SinglePart<'static>> {
    (params(), nstring(), nstring(), octets(), any::<u64>()).prop_map(
        move |(params, id, description, encoding, size)| SinglePart {
            media_type: AString::from(media),
            subtype: AString::from(sub),
            params,
            id,
            description,
            encoding,
            size,
            kind: kind.clone(),
        },
    )
}

fn body() -> impl Strategy<Value = BodyStructure<'static>> {
    let leaf = prop_oneof![
        (
            single(SinglePartKind::Basic, "IMAGE", "PNG"),
            prop::option::of(body_ext(true))
        )
            .prop_map(|(part, ext)| BodyStructure::Single { part, ext }),
        (
            any::<u64>(),
            single(SinglePartKind::Basic, "text", "plain"),
            prop::option::of(body_ext(true))
        )
            .prop_map(|(lines, mut part, ext)| {
                part.kind = SinglePartKind::Text { lines };
                BodyStructure::Single { part, ext }
            }),
    ];
    leaf.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            (
                prop::collection::vec(inner.clone(), 1..3),
                octets(),
                prop::option::of(body_ext(false))
            )
                .prop_map(|(parts, subtype, ext)| BodyStructure::Multipart {
                    parts,
                    subtype,
                    ext
                }),
            (
                inner,
                envelope(),
                any::<u64>(),
                single(SinglePartKind::Basic, "MESSAGE", "RFC822")
            )
                .prop_map(|(body, envelope, lines, mut part)| {
                    part.kind = SinglePartKind::Message {
                        envelope: Box::new(envelope),
                        body: Box::new(body),
                        lines,
                    };
                    BodyStructure::Single { part, ext: None }
                }),
        ]
    })
}

fn part() -> impl Strategy<Value = Vec<NonZeroU32>> {
    prop::collection::vec(nz(), 0..3)
}

fn section() -> impl Strategy<Value = Section<'static>> {
    let names = prop::collection::vec(
        prop_oneof![
            "[A-Za-z-]{1,8}".prop_map(|s| AString::from(leak(s))),
            octets().prop_filter("non-empty", |s| !s.as_bytes().is_empty())
        ],
        1..3,
    );
    (
        part(),
        prop::option::of(prop_oneof![
            Just(SectionText::Header),
            Just(SectionText::Text),
            Just(SectionText::Mime),
            names.clone().prop_map(SectionText::HeaderFields),
            names.prop_map(SectionText::HeaderFieldsNot),
        ]),
    )
        .prop_map(|(part, text)| {
            let text = match text {
                Some(SectionText::Mime) if part.is_empty() => Some(SectionText::Text),
                other => other,
            };
            Section { part, text }
        })
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (
        1000u16..=9999,
        1u8..=12,
        1u8..=31,
        0u8..24,
        0u8..60,
        0u8..=60,
        -5999i16..=5999,
    )
        .prop_map(|(y, mo, d, h, mi, s, z)| {
            DateTime::new(Date::new(y, mo, d).unwrap(), h, mi, s, z).unwrap()
        })
}

fn fetch_item() -> impl Strategy<Value = FetchItem<'static>> {
    prop_oneof![
        prop::collection::vec(flag(), 0..4).prop_map(FetchItem::Flags),
        nz().prop_map(FetchItem::Uid),
        any::<u64>().prop_map(FetchItem::Rfc822Size),
        date_time().prop_map(FetchItem::InternalDate),
        envelope().prop_map(|e| FetchItem::Envelope(Box::new(e))),
        body().prop_map(|b| FetchItem::BodyStructure(Box::new(b))),
        (section(), prop::option::of(any::<u32>()), nstring()).prop_map(
            |(section, origin, data)| FetchItem::BodySection {
                section,
                origin,
                data
            }
        ),
        (
            part(),
            prop::option::of(prop::collection::vec(any::<u8>(), 0..10))
        )
            .prop_map(|(part, data)| FetchItem::Binary {
                part,
                data: data.map(|d| AString::from(leak_bytes(d)))
            }),
        (part(), any::<u64>()).prop_map(|(part, size)| FetchItem::BinarySize { part, size }),
        any::<u64>().prop_map(FetchItem::ModSeq),
        nstring().prop_map(FetchItem::Rfc822),
        nstring().prop_map(FetchItem::Rfc822Text),
        Just(FetchItem::Other {
            name: "X-GM-LABELS".into(),
            value: (&b"(\\Inbox \"a b\" {1}\r\nx)"[..]).into()
        }),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![Just(Mailbox::Inbox), octets().prop_map(Mailbox::new)]
}

fn thread() -> impl Strategy<Value = Thread> {
    let leaf = prop::collection::vec(nz(), 1..3).prop_map(|ids| Thread {
        ids,
        children: vec![],
    });
    leaf.prop_recursive(4, 12, 3, |inner| {
        (
            prop::collection::vec(nz(), 0..3),
            prop::collection::vec(inner, 2..3),
        )
            .prop_map(|(ids, children)| Thread { ids, children })
    })
}

fn namespaces() -> impl Strategy<Value = Option<Vec<Namespace<'static>>>> {
    prop::option::of(prop::collection::vec(
        (
            octets(),
            prop::option::of(prop::sample::select(vec!['/', '.', '\\', '"'])),
            prop::collection::vec((octets(), prop::collection::vec(octets(), 1..3)), 0..2),
        )
            .prop_map(|(prefix, delimiter, extensions)| Namespace {
                prefix,
                delimiter,
                extensions,
            }),
        1..3,
    ))
}

fn list_data() -> impl Strategy<Value = ListData<'static>> {
    (
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["Noselect", "HasChildren", "Sent", "Trash", "Marked"]),
                "X[a-z]{1,5}".prop_map(leak)
            ]
            .prop_map(|s| ListAttribute::from_atom(Atom::new(s).unwrap())),
            0..3,
        ),
        prop::option::of(prop::sample::select(vec!['/', '.', '\\', '"'])),
        mailbox(),
        prop::collection::vec(
            prop_oneof![
                prop::collection::vec(octets(), 1..3).prop_map(ListExtended::ChildInfo),
                mailbox().prop_map(ListExtended::OldName),
            ],
            0..2,
        ),
    )
        .prop_map(|(attributes, delimiter, mailbox, extended)| ListData {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
}

fn data() -> impl Strategy<Value = Data<'static>> {
    prop_oneof![
        prop::collection::vec(capability(), 0..4).prop_map(Data::Capability),
        prop::collection::vec(capability(), 0..4).prop_map(Data::Enabled),
        list_data().prop_map(Data::List),
        list_data().prop_map(Data::Lsub),
        (
            mailbox(),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        StatusItem::Messages,
                        StatusItem::UidNext,
                        StatusItem::Unseen,
                        StatusItem::HighestModSeq
                    ]),
                    any::<u64>()
                ),
                0..4
            )
        )
            .prop_map(|(mailbox, items)| Data::Status { mailbox, items }),
        (
            prop::collection::vec(nz(), 0..5),
            prop::option::of(any::<u64>())
        )
            .prop_map(|(ids, modseq)| Data::Search { ids, modseq }),
        (
            prop::collection::vec(nz(), 0..5),
            prop::option::of(any::<u64>())
        )
            .prop_map(|(ids, modseq)| Data::Sort { ids, modseq }),
        (
            prop::option::of(octets()),
            any::<bool>(),
            prop::collection::vec(
                prop_oneof![
                    nz().prop_map(ESearchData::Min),
                    nz().prop_map(ESearchData::Max),
                    set().prop_map(ESearchData::All),
                    any::<u32>().prop_map(ESearchData::Count),
                    any::<u64>().prop_map(ESearchData::ModSeq),
                ],
                0..4
            )
        )
            .prop_map(|(tag, uid, data)| Data::ESearch(ESearch { tag, uid, data })),
        prop::collection::vec(flag(), 0..4).prop_map(Data::Flags),
        any::<u32>().prop_map(Data::Exists),
        any::<u32>().prop_map(Data::Recent),
        nz().prop_map(Data::Expunge),
        (any::<bool>(), set()).prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
        (nz(), prop::collection::vec(fetch_item(), 0..4))
            .prop_map(|(seq, items)| Data::Fetch { seq, items }),
        (namespaces(), namespaces(), namespaces()).prop_map(|(personal, other, shared)| {
            Data::Namespace {
                personal,
                other,
                shared,
            }
        }),
        prop::option::of(prop::collection::vec((octets(), nstring()), 0..3)).prop_map(Data::Id),
        (
            octets(),
            prop::collection::vec(
                ("[A-Z]{1,8}", any::<u64>(), any::<u64>()).prop_map(|(n, usage, limit)| {
                    QuotaResource {
                        name: Atom::new(leak(n)).unwrap(),
                        usage,
                        limit,
                    }
                }),
                0..3
            )
        )
            .prop_map(|(root, resources)| Data::Quota { root, resources }),
        (mailbox(), prop::collection::vec(octets(), 0..3))
            .prop_map(|(mailbox, roots)| Data::QuotaRoot { mailbox, roots }),
        prop::collection::vec(thread(), 0..3).prop_map(Data::Thread),
    ]
}

fn response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        status().prop_map(Response::Status),
        (prop::option::of(code()), text())
            .prop_map(|(code, text)| Response::Continuation(Continuation { code, text })),
        data().prop_map(Response::Data),
    ]
}

/// CR, LF and NUL appear only inside literals (walks `{n}` CRLF).
fn only_in_literals(bytes: &[u8]) -> bool {
    let Some(body) = bytes.strip_suffix(b"\r\n") else {
        return false;
    };
    let mut rest = body;
    loop {
        let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
            return !rest.iter().any(|&b| matches!(b, b'\r' | 0));
        };
        let line = &rest[..lf];
        let Some(head) = line.strip_suffix(b"}\r") else {
            return false;
        };
        if head.iter().any(|&b| matches!(b, b'\r' | 0)) {
            return false;
        }
        let open = head.iter().rposition(|&b| b == b'{').unwrap();
        let size: usize = std::str::from_utf8(&head[open + 1..])
            .unwrap()
            .parse()
            .unwrap();
        rest = &rest[lf + 1 + size..];
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn value_encode_parse(response in response()) {
        let bytes = response.to_bytes().expect("generated values encode");
        prop_assert!(only_in_literals(&bytes), "{:?}", String::from_utf8_lossy(&bytes));
        let (parsed, len) = Response::parse(&bytes)
            .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&bytes)));
        prop_assert_eq!(len, bytes.len());
        prop_assert_eq!(parsed, response);

        // The streaming reader reads the same, split anywhere.
        let cut = bytes.len() / 2;
        let mut reader = ResponseReader::new();
        let mut buf = BytesMut::from(&bytes[..cut]);
        prop_assert_eq!(reader.read(&mut buf), ReadFrame::Incomplete);
        buf.extend_from_slice(&bytes[cut..]);
        let ReadFrame::Response(read) = reader.read(&mut buf) else { panic!() };
        prop_assert_eq!(&read, &Response::parse(&bytes).unwrap().0);
    }

    #[test]
    fn bytes_parse_encode_parse(
        head in prop::sample::select(vec!["* ", "* 1 FETCH (", "a1 ", "+ ", "* OK [", "* LIST ", "* 2 FETCH (BODYSTRUCTURE ("]),
        body in "[ -~]{0,40}",
        tail in prop::sample::select(vec!["\r\n", ")\r\n", "))\r\n", "] x\r\n"]),
    ) {
        let input = format!("{head}{body}{tail}");
        if let Ok((parsed, _)) = Response::parse(input.as_bytes()) {
            match parsed.to_bytes() {
                Ok(bytes) => {
                    prop_assert!(only_in_literals(&bytes));
                    let (again, _) = Response::parse(&bytes).unwrap();
                    prop_assert_eq!(again, parsed);
                }
                Err(_) => {
                    // Only text that looks like a code without being
                    // one, or that ends like a literal announcement.
                    let (code, text) = match &parsed {
                        Response::Status(s) => (s.code.is_some(), &s.text),
                        Response::Continuation(c) => (c.code.is_some(), &c.text),
                        _ => panic!("{parsed:?} does not encode"),
                    };
                    prop_assert!(
                        (!code && text.starts_with('[')) || ends_like_literal(text),
                        "{:?} does not encode", parsed
                    );
                }
            }
        }
    }
}

/// Reads `wire` with the streaming reader in pieces and writes every
/// frame straight back: complete responses with `encode`, streamed
/// FETCHes with `FetchLiteralWriter`.
fn stream_and_rewrite(wire: &[u8], cuts: &[usize]) -> Vec<u8> {
    use mailwire_imap::encode::FetchLiteralWriter;

    let mut reader = ResponseReader::new().stream_literals(true);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut writer: Option<FetchLiteralWriter> = None;
    let mut start = 0;
    for &cut in cuts.iter().chain(core::iter::once(&wire.len())) {
        let cut = cut.clamp(start, wire.len());
        buf.extend_from_slice(&wire[start..cut]);
        start = cut;
        loop {
            match reader.read(&mut buf) {
                ReadFrame::Incomplete => break,
                ReadFrame::Response(r) => r.encode(&mut out).unwrap(),
                ReadFrame::FetchStart {
                    seq,
                    items,
                    literal,
                } => {
                    assert!(writer.is_none());
                    writer = Some(
                        FetchLiteralWriter::begin(
                            seq,
                            &items,
                            &literal.item,
                            literal.size,
                            &mut out,
                        )
                        .unwrap(),
                    );
                }
                ReadFrame::LiteralChunk(chunk) => {
                    writer.as_mut().unwrap().chunk(&chunk, &mut out).unwrap();
                }
                ReadFrame::FetchNext { items, literal } => {
                    let w = writer.take().unwrap();
                    writer = Some(
                        w.next(&items, &literal.item, literal.size, &mut out)
                            .unwrap(),
                    );
                }
                ReadFrame::FetchEnd { items } => {
                    writer.take().unwrap().finish(&items, &mut out).unwrap();
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(writer.is_none() && buf.is_empty());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Our wire form read by the streaming reader and written back frame
    /// by frame is the same wire form, wherever the reads split it.
    #[test]
    fn stream_then_rewrite_is_identity(
        responses in prop::collection::vec(response(), 1..4),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let mut wire = Vec::new();
        for r in &responses {
            r.encode(&mut wire).unwrap();
        }
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
        cuts.sort_unstable();
        prop_assert_eq!(stream_and_rewrite(&wire, &cuts), wire);
    }
}

/// Status and continuation text that ends like a literal announcement is
/// refused: a client framing by line ends (ours, Python's imaplib) would
/// wait for literal octets and swallow the next response.
#[test]
fn text_ending_like_a_literal_is_refused() {
    use mailwire_imap::types::{Status, StatusKind};
    for text in ["a{0}", "see {12}", "{5+}", "x ~{3}"] {
        let status = Response::Status(Status::new(None, StatusKind::Ok, text));
        assert!(status.to_bytes().is_err(), "{text}");
        let cont = Response::Continuation(Continuation {
            code: None,
            text: text.into(),
        });
        assert!(cont.to_bytes().is_err(), "{text}");
    }
    // Braces elsewhere are text like any other.
    for text in ["{5} apples", "a{b}", "{}", "{12x}"] {
        let status = Response::Status(Status::new(None, StatusKind::Ok, text));
        let bytes = status.to_bytes().unwrap();
        assert_eq!(Response::parse(&bytes).unwrap().0, status, "{text}");
    }
}
