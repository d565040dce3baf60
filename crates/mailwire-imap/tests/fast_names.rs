//! The response parser's name and string fast paths against plain
//! reference versions: LIST attributes (RFC 9051 section 7.3.1) and
//! STATUS items (section 7.3.2) matched by length and letter, quoted
//! strings (section 4.3) scanned by runs.

use mailwire_imap::types::{Atom, Data, ListAttribute, Response, StatusItem};
use proptest::prelude::*;

const LIST_NAMES: [&str; 17] = [
    "Noinferiors",
    "Noselect",
    "Marked",
    "Unmarked",
    "NonExistent",
    "Subscribed",
    "Remote",
    "HasChildren",
    "HasNoChildren",
    "All",
    "Archive",
    "Drafts",
    "Flagged",
    "Junk",
    "Sent",
    "Trash",
    "Important",
];

const STATUS_ITEMS: [StatusItem; 8] = [
    StatusItem::Messages,
    StatusItem::UidNext,
    StatusItem::UidValidity,
    StatusItem::Unseen,
    StatusItem::Recent,
    StatusItem::Deleted,
    StatusItem::Size,
    StatusItem::HighestModSeq,
];

/// A name in random case: known names, near misses and random atoms.
fn name(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    let known_name = prop::sample::select(known).prop_flat_map(|n| {
        prop::collection::vec(any::<bool>(), n.len()).prop_map(move |upper| {
            n.chars()
                .zip(upper)
                .map(|(c, u)| {
                    if u {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect::<String>()
        })
    });
    let near = prop::sample::select(known).prop_flat_map(|n| {
        (0..n.len(), prop::char::range('a', 'z')).prop_map(move |(i, c)| {
            let mut s: Vec<char> = n.chars().collect();
            s[i] = c;
            s.into_iter().collect::<String>()
        })
    });
    prop_oneof![known_name, near, "[A-Za-z-]{1,14}"]
}

/// The reference decoding of a quoted string's inside: `None` when it
/// breaks `*QUOTED-CHAR` (CR, LF, NUL, a lone `"` or `\`).
fn reference_quoted(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut it = raw.iter();
    while let Some(&b) = it.next() {
        match b {
            b'\\' => match it.next() {
                Some(&e @ (b'"' | b'\\')) => out.push(e),
                _ => return None,
            },
            b'"' | b'\r' | b'\n' | 0 => return None,
            _ => out.push(b),
        }
    }
    Some(out)
}

proptest! {
    /// `ListAttribute::from_atom` finds a known name whatever its case,
    /// and makes everything else an extension.
    #[test]
    fn list_attribute_matches_reference(n in name(&LIST_NAMES)) {
        let got = ListAttribute::from_atom(Atom::new(n.as_str()).unwrap());
        let known = LIST_NAMES.iter().any(|k| k.eq_ignore_ascii_case(&n));
        match got {
            ListAttribute::Extension(atom) => {
                prop_assert!(!known, "{} read as an extension", n);
                prop_assert_eq!(atom.as_str(), n.as_str());
            }
            attr => {
                prop_assert!(known, "{} read as {:?}", n, attr);
                prop_assert!(attr.name().eq_ignore_ascii_case(&n));
            }
        }
        // The same through the parser.
        let line = format!("* LIST (\\{n}) \"/\" x\r\n");
        let (Response::Data(Data::List(list)), _) = Response::parse(line.as_bytes()).unwrap() else {
            panic!("not a LIST")
        };
        prop_assert_eq!(list.attributes.len(), 1);
        prop_assert!(list.attributes[0].name().eq_ignore_ascii_case(&n));
        prop_assert_eq!(matches!(list.attributes[0], ListAttribute::Extension(_)), !known);
    }

    /// `StatusItem::from_name` agrees with a search of every item's name.
    #[test]
    fn status_item_matches_reference(n in name(&["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "RECENT", "DELETED", "SIZE", "HIGHESTMODSEQ"])) {
        let reference = STATUS_ITEMS.iter().copied().find(|i| i.as_str().eq_ignore_ascii_case(&n));
        prop_assert_eq!(StatusItem::from_name(n.as_bytes()), reference);
    }

    /// A quoted string (in an ID response) reads as the reference reads
    /// it, or is refused when the reference refuses it.
    #[test]
    fn quoted_matches_reference(raw in prop::collection::vec(prop_oneof![
        4 => prop::sample::select(b"abc \\\"\r\n\0\x7f\xc3\xa9".to_vec()),
        1 => any::<u8>(),
    ], 0..40)) {
        let mut line = b"* ID (\"k\" \"".to_vec();
        line.extend_from_slice(&raw);
        line.extend_from_slice(b"\")\r\n");
        let got = Response::parse(&line);
        match reference_quoted(&raw) {
            Some(want) => {
                let (Response::Data(Data::Id(Some(fields))), len) = got.unwrap() else {
                    panic!("not an ID")
                };
                prop_assert_eq!(len, line.len());
                prop_assert_eq!(fields[0].1.as_ref().unwrap().as_bytes(), &want[..]);
            }
            // Refused, or (a lone quote) read as a shorter string with
            // junk after it: never the reference's value.
            None => prop_assert!(got.is_err()),
        }
    }
}
