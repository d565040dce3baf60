//! The parsers' fast paths against plain reference versions: numbers read
//! in one pass (digits and value together) and the SIMD search for NUL
//! in literals (refused outside `literal8`, RFC 9051 section 4.3).

use bytes::BytesMut;
use mailwire_imap::parse::{CommandDecoder, Decoded};
use mailwire_imap::types::{Command, CommandBody, Data, FetchItem, Response};
use proptest::prelude::*;

/// The reference: the value of a run of digits, `None` when it does not
/// fit 64 bits.
fn reference_number(digits: &str) -> Option<u64> {
    digits.parse::<u64>().ok()
}

proptest! {
    /// `* SEARCH n...`: each number, however many digits (leading zeros
    /// and values past 32 or 64 bits included), is read as the
    /// reference reads it, or refused when it does not fit.
    #[test]
    fn search_numbers_match_reference(numbers in prop::collection::vec("[0-9]{1,22}", 1..20)) {
        let line = format!("* SEARCH {}\r\n", numbers.join(" "));
        let expected: Option<Vec<u32>> = numbers
            .iter()
            .map(|d| reference_number(d).and_then(|n| u32::try_from(n).ok()).filter(|&n| n != 0))
            .collect();
        match (Response::parse(line.as_bytes()), expected) {
            (Ok((Response::Data(Data::Search { ids, modseq: None }), len)), Some(want)) => {
                prop_assert_eq!(len, line.len());
                let got: Vec<u32> = ids.iter().map(|n| n.get()).collect();
                prop_assert_eq!(got, want);
            }
            (Err(_), None) => {}
            (other, want) => prop_assert!(false, "{:?} for {:?}", other, want),
        }
    }

    /// A 64-bit number (`* STATUS` values) is read as the reference
    /// reads it, and one past 64 bits is refused.
    #[test]
    fn status_numbers_match_reference(digits in "[0-9]{1,24}") {
        let line = format!("* STATUS INBOX (HIGHESTMODSEQ {digits})\r\n");
        match (Response::parse(line.as_bytes()), reference_number(&digits)) {
            (Ok((Response::Data(Data::Status { items, .. }), _)), Some(n)) => {
                prop_assert_eq!(items.len(), 1);
                prop_assert_eq!(items[0].1, n);
            }
            (Err(_), None) => {}
            (other, want) => prop_assert!(false, "{:?} for {:?}", other, want),
        }
    }

    /// A FETCH literal is taken exactly when it holds no NUL, wherever
    /// the NUL is (the SIMD search checks in blocks; the edges matter).
    #[test]
    fn response_literal_nul_matches_reference(
        mut data in prop::collection::vec(1u8..=255, 0..200),
        nul in prop::option::of(any::<prop::sample::Index>()),
    ) {
        if let (Some(at), false) = (nul, data.is_empty()) {
            let i = at.index(data.len());
            data[i] = 0;
        }
        let mut input = format!("* 1 FETCH (BODY[] {{{}}}\r\n", data.len()).into_bytes();
        input.extend_from_slice(&data);
        input.extend_from_slice(b")\r\n");
        let parsed = Response::parse(&input);
        if data.contains(&0) {
            prop_assert!(parsed.is_err());
        } else {
            let Ok((Response::Data(Data::Fetch { items, .. }), _)) = parsed else {
                return Err(TestCaseError::fail(format!("{parsed:?}")));
            };
            let FetchItem::BodySection { data: Some(got), .. } = &items[0] else {
                return Err(TestCaseError::fail(format!("{items:?}")));
            };
            prop_assert_eq!(got.as_bytes(), &data[..]);
        }
    }

    /// A command literal is taken exactly when it holds no NUL, by the
    /// one-shot parser and by the decoder alike.
    #[test]
    fn command_literal_nul_matches_reference(
        mut data in prop::collection::vec(1u8..=255, 1..200),
        nul in prop::option::of(any::<prop::sample::Index>()),
    ) {
        if let Some(at) = nul {
            let i = at.index(data.len());
            data[i] = 0;
        }
        let mut input = format!("a1 APPEND INBOX {{{}+}}\r\n", data.len()).into_bytes();
        input.extend_from_slice(&data);
        input.extend_from_slice(b"\r\n");
        let has_nul = data.contains(&0);
        let parsed = Command::parse(&input);
        prop_assert_eq!(parsed.is_err(), has_nul);
        if let Ok((Command { body: CommandBody::Append { .. }, .. }, len)) = parsed {
            prop_assert_eq!(len, input.len());
        } else {
            prop_assert!(has_nul, "{:?}", parsed);
        }
        let mut decoder = CommandDecoder::new();
        let mut buf = BytesMut::from(&input[..]);
        let decoded = decoder.decode(&mut buf);
        match decoded {
            Decoded::Command(_) => prop_assert!(!has_nul),
            Decoded::Failed { .. } => prop_assert!(has_nul),
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
