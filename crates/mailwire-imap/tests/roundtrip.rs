//! Property tests: value -> encode -> parse gives the value back; bytes ->
//! parse -> encode -> parse is stable; the encoder never writes CR, LF or
//! NUL outside a literal; the decoder gives the same commands whatever
//! the split.

mod common;

use core::num::NonZeroU32;
use std::borrow::Cow;

use proptest::prelude::*;

use mailwire_imap::encode::LiteralMode;
use mailwire_imap::parse::{CommandDecoder, Limits};
use mailwire_imap::types::*;

fn tag() -> impl Strategy<Value = Tag<'static>> {
    prop::sample::select(vec!["a", "A001", "x.1", "tag]", "t-1", "9"])
        .prop_map(|t| Tag::new(t).unwrap())
}

fn atom() -> impl Strategy<Value = Atom<'static>> {
    prop::sample::select(vec![
        "PLAIN",
        "X-GOOD-IDEA",
        "$Junk",
        "a.b",
        "STORAGE",
        "Q1",
        "DEFLATE",
    ])
    .prop_map(|t| Atom::new(t).unwrap())
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Mostly text with the characters that matter.
        prop::collection::vec(
            prop::sample::select(b"aZ09 \"\\(){}%*]+-~\r\n\t\x7f\xc3\xa9".to_vec()),
            0..12
        ),
        // Any octet but NUL.
        prop::collection::vec(1u8..=255, 0..12),
    ]
}

fn astring() -> impl Strategy<Value = AString<'static>> {
    bytes().prop_map(AString::from_vec)
}

trait FromVec {
    fn from_vec(v: Vec<u8>) -> Self;
}

impl FromVec for AString<'static> {
    fn from_vec(v: Vec<u8>) -> Self {
        AString::new(Cow::Owned(v))
    }
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![
        Just(Mailbox::Inbox),
        Just(Mailbox::from("inbox").into_owned()),
        astring().prop_map(Mailbox::new),
    ]
}

fn flag() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        Just(Flag::Recent),
        atom().prop_map(Flag::Keyword),
        Just(Flag::Extension(Atom::new("XExt").unwrap())),
    ]
}

fn nz() -> impl Strategy<Value = NonZeroU32> {
    (1u32..=u32::MAX).prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn seq_number() -> impl Strategy<Value = SeqNumber> {
    prop_oneof![Just(SeqNumber::Largest), nz().prop_map(SeqNumber::Value)]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet<'static>> {
    prop_oneof![
        1 => Just(SequenceSet::saved()),
        9 => prop::collection::vec((seq_number(), seq_number()), 1..4).prop_map(|ranges| {
            SequenceSet::from_ranges(ranges.into_iter().map(|(start, end)| SeqRange { start, end }))
                .unwrap()
        }),
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 1u8..=12, 1u8..=31).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..=60, -5999i16..=5999)
        .prop_map(|(d, h, m, s, z)| DateTime::new(d, h, m, s, z).unwrap())
}

fn search_key() -> impl Strategy<Value = SearchKey<'static>> {
    use SearchKey as S;
    let leaf = prop_oneof![
        Just(S::All),
        Just(S::Answered),
        Just(S::Deleted),
        Just(S::Draft),
        Just(S::Flagged),
        Just(S::New),
        Just(S::Old),
        Just(S::Recent),
        Just(S::Seen),
        Just(S::Unanswered),
        Just(S::Undeleted),
        Just(S::Undraft),
        Just(S::Unflagged),
        Just(S::Unseen),
        astring().prop_map(S::Bcc),
        astring().prop_map(S::Body),
        astring().prop_map(S::Cc),
        astring().prop_map(S::From),
        astring().prop_map(S::Subject),
        astring().prop_map(S::Text),
        astring().prop_map(S::To),
        (astring(), astring()).prop_map(|(a, b)| S::Header(a, b)),
        date().prop_map(S::Before),
        date().prop_map(S::On),
        date().prop_map(S::Since),
        date().prop_map(S::SentBefore),
        date().prop_map(S::SentOn),
        date().prop_map(S::SentSince),
        atom().prop_map(S::Keyword),
        atom().prop_map(S::Unkeyword),
        any::<u64>().prop_map(S::Larger),
        any::<u64>().prop_map(S::Smaller),
        nz().prop_map(|n| S::Older(n.get())),
        nz().prop_map(|n| S::Younger(n.get())),
        sequence_set().prop_map(S::Uid),
        sequence_set().prop_map(S::SequenceSet),
        (
            any::<u64>(),
            prop::option::of(prop::sample::select(vec![
                EntryType::Private,
                EntryType::Shared,
                EntryType::All
            ]))
        )
            .prop_map(|(modseq, kind)| S::ModSeq {
                entry: kind.map(|k| (AString::from("/flags/\\draft"), k)),
                modseq
            }),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| S::Not(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| S::Or(Box::new(a), Box::new(b))),
            prop::collection::vec(inner, 1..4).prop_map(S::And),
        ]
    })
}

fn part() -> impl Strategy<Value = Vec<NonZeroU32>> {
    prop::collection::vec(nz(), 0..3)
}

fn partial() -> impl Strategy<Value = Option<(u32, NonZeroU32)>> {
    prop::option::of((any::<u32>(), nz()))
}

fn section() -> impl Strategy<Value = Section<'static>> {
    let names = prop::collection::vec(astring(), 1..3);
    (
        part(),
        prop_oneof![
            Just(None),
            Just(Some(SectionText::Header)),
            Just(Some(SectionText::Text)),
            Just(Some(SectionText::Mime)),
            prop::collection::vec(astring(), 1..3).prop_map(|n| Some(SectionText::HeaderFields(n))),
            names.prop_map(|n| Some(SectionText::HeaderFieldsNot(n))),
        ],
    )
        .prop_map(|(part, text)| {
            // MIME needs a part number.
            let text = match text {
                Some(SectionText::Mime) if part.is_empty() => Some(SectionText::Header),
                other => other,
            };
            Section { part, text }
        })
}

fn fetch_attribute() -> impl Strategy<Value = FetchAttribute<'static>> {
    use FetchAttribute as F;
    prop_oneof![
        Just(F::Envelope),
        Just(F::Flags),
        Just(F::InternalDate),
        Just(F::Rfc822),
        Just(F::Rfc822Header),
        Just(F::Rfc822Size),
        Just(F::Rfc822Text),
        Just(F::Body),
        Just(F::BodyStructure),
        Just(F::Uid),
        Just(F::ModSeq),
        (any::<bool>(), section(), partial()).prop_map(|(peek, section, partial)| F::BodySection {
            peek,
            section,
            partial
        }),
        (any::<bool>(), part(), partial()).prop_map(|(peek, part, partial)| F::Binary {
            peek,
            part,
            partial
        }),
        part().prop_map(|part| F::BinarySize { part }),
    ]
}

fn status_items() -> impl Strategy<Value = Vec<StatusItem>> {
    prop::collection::vec(
        prop::sample::select(vec![
            StatusItem::Messages,
            StatusItem::UidNext,
            StatusItem::UidValidity,
            StatusItem::Unseen,
            StatusItem::Recent,
            StatusItem::Deleted,
            StatusItem::Size,
            StatusItem::HighestModSeq,
        ]),
        1..4,
    )
}

fn body() -> impl Strategy<Value = CommandBody<'static>> {
    use CommandBody as C;
    let simple = prop::sample::select(vec![
        C::Capability,
        C::Noop,
        C::Logout,
        C::StartTls,
        C::Namespace,
        C::Idle,
        C::Check,
        C::Close,
        C::Unselect,
        C::Expunge,
    ]);
    let mailbox_commands = (0u8..6, mailbox()).prop_map(|(k, mailbox)| match k {
        0 => C::Create { mailbox },
        1 => C::Delete { mailbox },
        2 => C::Subscribe { mailbox },
        3 => C::Unsubscribe { mailbox },
        4 => C::GetQuotaRoot { mailbox },
        _ => C::Select {
            mailbox,
            params: vec![],
        },
    });
    let select = (
        any::<bool>(),
        mailbox(),
        any::<u32>(),
        any::<u64>(),
        prop::option::of(sequence_set()),
        prop::option::of((sequence_set(), sequence_set())),
        any::<bool>(),
    )
        .prop_map(
            |(examine, mailbox, uv, modseq, known_uids, seq_match, condstore)| {
                let mut params = vec![SelectParam::QResync {
                    uid_validity: uv.max(1),
                    modseq,
                    known_uids,
                    seq_match,
                }];
                if condstore {
                    params.insert(0, SelectParam::CondStore);
                }
                if examine {
                    C::Examine { mailbox, params }
                } else {
                    C::Select { mailbox, params }
                }
            },
        );
    let login = (astring(), astring()).prop_map(|(u, p)| C::Login {
        username: u,
        password: Secret::new(p),
    });
    let auth = (
        atom(),
        prop::option::of(prop_oneof![
            Just(InitialResponse::Empty),
            Just(InitialResponse::Base64(Secret::new("dGVzdA==".into()))),
        ]),
    )
        .prop_map(|(mechanism, initial)| C::Authenticate { mechanism, initial });
    // Capabilities as parsed: known names fold, AUTH= and friends split.
    let enable = prop::collection::vec(
        prop::sample::select(vec![
            "CONDSTORE",
            "X-GOOD-IDEA",
            "AUTH=PLAIN",
            "UTF8=ACCEPT",
            "QRESYNC",
        ]),
        1..3,
    )
    .prop_map(|names| C::Enable {
        capabilities: names
            .into_iter()
            .map(|n| Capability::parse(n).unwrap())
            .collect(),
    });
    let rename = (mailbox(), mailbox()).prop_map(|(from, to)| C::Rename { from, to });
    let list = (
        prop::collection::vec(
            prop::sample::select(vec![
                ListSelect::Subscribed,
                ListSelect::Remote,
                ListSelect::RecursiveMatch,
                ListSelect::SpecialUse,
            ]),
            0..3,
        ),
        mailbox(),
        prop::collection::vec(astring(), 1..3),
        prop::option::of(prop::collection::vec(
            prop_oneof![
                Just(ListReturn::Subscribed),
                Just(ListReturn::Children),
                Just(ListReturn::SpecialUse),
                status_items().prop_map(ListReturn::Status),
            ],
            0..3,
        )),
    )
        .prop_map(|(selection, reference, patterns, returns)| C::List {
            selection,
            reference,
            patterns,
            returns,
        });
    let lsub =
        (mailbox(), astring()).prop_map(|(reference, pattern)| C::Lsub { reference, pattern });
    let status =
        (mailbox(), status_items()).prop_map(|(mailbox, items)| C::Status { mailbox, items });
    let append = (
        mailbox(),
        prop::collection::vec(
            (
                prop::collection::vec(flag(), 0..3),
                prop::option::of(date_time()),
                prop::collection::vec(any::<u8>(), 0..40),
                any::<bool>(),
            ),
            1..3,
        ),
    )
        .prop_map(|(mailbox, messages)| C::Append {
            mailbox,
            messages: messages
                .into_iter()
                .map(|(flags, date, mut data, binary)| {
                    if !binary {
                        data.retain(|&b| b != 0);
                    }
                    AppendMessage {
                        flags,
                        date,
                        data: Cow::Owned(data),
                        binary,
                    }
                })
                .collect(),
        });
    let search = (
        any::<bool>(),
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec![
                SearchReturn::Min,
                SearchReturn::Max,
                SearchReturn::All,
                SearchReturn::Count,
                SearchReturn::Save,
            ]),
            0..3,
        )),
        prop::option::of(astring()),
        prop::collection::vec(search_key(), 1..4),
    )
        .prop_map(|(uid, returns, charset, criteria)| C::Search {
            uid,
            returns,
            charset,
            criteria,
        });
    let fetch = (
        any::<bool>(),
        sequence_set(),
        prop_oneof![
            Just(FetchAttributes::All),
            Just(FetchAttributes::Fast),
            Just(FetchAttributes::Full),
            prop::collection::vec(fetch_attribute(), 1..4).prop_map(FetchAttributes::List),
        ],
        prop::option::of(any::<u64>()),
        any::<bool>(),
    )
        .prop_map(|(uid, set, attributes, changed_since, vanished)| C::Fetch {
            uid,
            set,
            attributes,
            changed_since,
            vanished,
        });
    let store = (
        any::<bool>(),
        sequence_set(),
        prop::option::of(any::<u64>()),
        prop::sample::select(vec![StoreMode::Replace, StoreMode::Add, StoreMode::Remove]),
        any::<bool>(),
        prop::collection::vec(flag(), 0..4),
    )
        .prop_map(
            |(uid, set, unchanged_since, mode, silent, flags)| C::Store {
                uid,
                set,
                unchanged_since,
                flags: StoreFlags {
                    mode,
                    silent,
                    flags,
                },
            },
        );
    let copy = (any::<bool>(), any::<bool>(), sequence_set(), mailbox()).prop_map(
        |(uid, mv, set, mailbox)| {
            if mv {
                C::Move { uid, set, mailbox }
            } else {
                C::Copy { uid, set, mailbox }
            }
        },
    );
    let uid_expunge = sequence_set().prop_map(|set| C::UidExpunge { set });
    let sort = (
        any::<bool>(),
        prop::collection::vec(
            (
                any::<bool>(),
                prop::sample::select(vec![
                    SortKey::Arrival,
                    SortKey::Cc,
                    SortKey::Date,
                    SortKey::From,
                    SortKey::Size,
                    SortKey::Subject,
                    SortKey::To,
                    SortKey::DisplayFrom,
                    SortKey::DisplayTo,
                ]),
            ),
            1..3,
        ),
        astring(),
        prop::collection::vec(search_key(), 1..3),
    )
        .prop_map(|(uid, criteria, charset, search)| C::Sort {
            uid,
            criteria: criteria
                .into_iter()
                .map(|(reverse, key)| SortCriterion { reverse, key })
                .collect(),
            charset,
            search,
        });
    let thread = (
        any::<bool>(),
        atom(),
        astring(),
        prop::collection::vec(search_key(), 1..3),
    )
        .prop_map(|(uid, algorithm, charset, search)| C::Thread {
            uid,
            algorithm,
            charset,
            search,
        });
    let quota = prop_oneof![
        astring().prop_map(|root| C::GetQuota { root }),
        (
            astring(),
            prop::collection::vec((atom(), any::<u64>()), 0..3)
        )
            .prop_map(|(root, limits)| C::SetQuota { root, limits }),
    ];
    let id = prop::option::of(prop::collection::vec(
        (astring(), prop::option::of(astring())),
        0..3,
    ))
    .prop_map(|params| C::Id { params });
    let compress = atom().prop_map(|algorithm| C::Compress { algorithm });
    prop_oneof![
        simple,
        mailbox_commands,
        select,
        login,
        auth,
        enable,
        rename,
        list,
        lsub,
        status,
        append,
        search,
        fetch,
        store,
        copy,
        uid_expunge,
        sort,
        thread,
        quota,
        id,
        compress,
    ]
}

fn command() -> impl Strategy<Value = Command<'static>> {
    (tag(), body()).prop_map(|(tag, body)| Command { tag, body })
}

/// Checks that CR, LF and NUL appear only inside literals, in literal
/// announcements' CRLF, and in the final CRLF (synchronizing literals:
/// each one's octets start at a wait).
fn assert_no_stray_controls(encoded: &mailwire_imap::encode::Encoded) {
    let bytes = &encoded.bytes;
    let mut text = Vec::new();
    let mut from = 0;
    for &w in &encoded.waits {
        let line = &bytes[from..w];
        let line = line
            .strip_suffix(b"}\r\n")
            .expect("a wait follows an announcement");
        let digits = line.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        let size: usize = std::str::from_utf8(&line[line.len() - digits..])
            .unwrap()
            .parse()
            .unwrap();
        text.extend_from_slice(line);
        from = w + size;
    }
    text.extend_from_slice(&bytes[from..]);
    let body = text.strip_suffix(b"\r\n").expect("ends with CRLF");
    assert!(
        !body.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0),
        "stray control in {:?}",
        String::from_utf8_lossy(bytes)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn encode_then_parse_gives_the_value_back(cmd in command()) {
        let encoded = cmd.encode_with(LiteralMode::Sync).unwrap();
        assert_no_stray_controls(&encoded);
        prop_assert_eq!(&cmd.clone().into_owned(), &cmd);
        let (parsed, len) = Command::parse_with_limits(&encoded.bytes, &Limits::UNLIMITED).unwrap();
        prop_assert_eq!(len, encoded.bytes.len());
        prop_assert_eq!(&parsed, &cmd);
        // Each wait is right after a synchronizing literal's CRLF.
        for &w in &encoded.waits {
            prop_assert!(encoded.bytes[..w].ends_with(b"}\r\n"), "wait at {}", w);
        }
        // Non-synchronizing literals: no waits, same value.
        let plus = cmd.encode_with(LiteralMode::NonSync).unwrap();
        prop_assert!(plus.waits.is_empty());
        prop_assert_eq!(Command::parse_with_limits(&plus.bytes, &Limits::UNLIMITED).unwrap().0, cmd);
    }

    #[test]
    fn the_decoder_agrees_with_one_shot_parsing_at_any_split(cmd in command(), other in command(), cut in any::<prop::sample::Index>(), stream in any::<bool>()) {
        let mut input = cmd.to_bytes().unwrap();
        input.extend_from_slice(&other.to_bytes().unwrap());
        let whole = common::without_announcements(common::run(CommandDecoder::with_limits(&Limits::UNLIMITED).stream_append(stream), &[&input]));
        let at = cut.index(input.len() + 1);
        let (a, b) = input.split_at(at);
        let split = common::without_announcements(common::run(CommandDecoder::with_limits(&Limits::UNLIMITED).stream_append(stream), &[a, b]));
        prop_assert_eq!(&split, &whole);
        if !stream {
            prop_assert_eq!(whole.len(), 2);
            let expect = common::Ev::Command(format!("{cmd:?}"), cmd.to_bytes().unwrap());
            prop_assert_eq!(&whole[0], &expect);
        }
    }

    #[test]
    fn parse_encode_parse_is_stable(cmd in command(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        // A mutated encoding: when it parses, its encoding parses back
        // to the same command.
        let mut bytes = cmd.to_bytes().unwrap();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok((parsed, _)) = Command::parse_with_limits(&bytes, &Limits::UNLIMITED) {
            let again = parsed.to_bytes().unwrap();
            let (reparsed, len) = Command::parse_with_limits(&again, &Limits::UNLIMITED).unwrap();
            prop_assert_eq!(len, again.len());
            prop_assert_eq!(reparsed, parsed);
        }
    }

    #[test]
    fn modified_utf7_round_trips(name in "\\PC{0,12}") {
        let encoded = encode_utf7(&name);
        prop_assert!(encoded.bytes().all(|b| (0x20..0x7f).contains(&b)));
        let decoded = decode_utf7(encoded.as_bytes());
        prop_assert_eq!(decoded.as_deref(), Some(name.as_str()));
    }

    #[test]
    fn sequence_sets_keep_their_ranges(ranges in prop::collection::vec((seq_number(), seq_number()), 1..5)) {
        let ranges: Vec<SeqRange> = ranges.into_iter().map(|(start, end)| SeqRange { start, end }).collect();
        let set = SequenceSet::from_ranges(ranges.clone()).unwrap();
        let back: Vec<SeqRange> = set.ranges().collect();
        prop_assert_eq!(back, ranges);
        prop_assert_eq!(&SequenceSet::new(set.as_str()).unwrap(), &set);
    }
}
