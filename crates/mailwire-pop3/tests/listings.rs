//! `ResponseReader::read_scan_listings` and `read_unique_ids` (one-pass
//! fast paths for the common lines) against `read_lines` followed by the
//! general parsers: the same entries and errors, in the same order,
//! whatever the lines, the limit and the way the input is split.

use bytes::BytesMut;
use mailwire_pop3::parse::{Limits, ResponseReader, ServerFrame};
use mailwire_pop3::types::{ScanListing, UniqueIdListing};
use proptest::prelude::*;

/// The outcome of reading a whole answer: each line's result (as text, so
/// that both readers compare), and the frames other than End.
type Outcome = (Vec<String>, Vec<String>);

fn read_all(
    input: &[u8],
    limit: usize,
    splits: &[usize],
    mut step: impl FnMut(&mut ResponseReader, &mut BytesMut, &mut Vec<String>) -> Option<ServerFrame>,
) -> Outcome {
    let mut limits = Limits::DEFAULT;
    limits.max_response_line = limit;
    let mut reader = ResponseReader::with_limits(&limits).after_greeting();
    reader.expect_lines();
    let mut buf = BytesMut::new();
    let (mut entries, mut frames) = (Vec::new(), Vec::new());
    let mut fed = 0;
    let mut cuts: Vec<usize> = splits.iter().map(|&s| s % (input.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(input.len());
    for cut in cuts {
        buf.extend_from_slice(&input[fed..cut.max(fed)]);
        fed = cut.max(fed);
        while let Some(frame) = step(&mut reader, &mut buf, &mut entries) {
            if frame == ServerFrame::End {
                return (entries, frames);
            }
            frames.push(format!("{frame:?}"));
        }
    }
    (entries, frames)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let line = prop::sample::select(vec![
        &b"1 120\r\n"[..],
        b"1234 567890\r\n",
        b"12345678 1\r\n",
        b"7 99999999999\r\n",
        b"3 200 extra text\r\n",
        b"x 1\r\n",
        b"4\r\n",
        b"..5 6\r\n",
        b"8 whqtswO00WBw418f9t5JxYwZ\r\n",
        b"9 two words\r\n",
        b"10 \x80bad\r\n",
        b"11 bare\n",
        b"12 cr\rx\r\n",
        b"13 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456\r\n",
    ]);
    prop::collection::vec(line, 0..30).prop_map(|lines| {
        let mut out = b"+OK\r\n".to_vec();
        for l in lines {
            out.extend_from_slice(l);
        }
        out.extend_from_slice(b".\r\n");
        out
    })
}

proptest! {
    #[test]
    fn scan_listings_match_read_lines_and_parse(
        input in body(),
        limit in prop::sample::select(vec![8usize, 16, 30, 512]),
        splits in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let fast = read_all(&input, limit, &splits, |r, b, out| {
            r.read_scan_listings(b, |e| out.push(format!("{e:?}"))).unwrap()
        });
        let general = read_all(&input, limit, &splits, |r, b, out| {
            r.read_lines(b, |l| out.push(format!("{:?}", ScanListing::parse(l)))).unwrap()
        });
        prop_assert_eq!(fast, general);
    }

    #[test]
    fn unique_ids_match_read_lines_and_parse(
        input in body(),
        limit in prop::sample::select(vec![8usize, 16, 30, 512]),
        splits in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let fast = read_all(&input, limit, &splits, |r, b, out| {
            r.read_unique_ids(b, |e| out.push(format!("{e:?}"))).unwrap()
        });
        let general = read_all(&input, limit, &splits, |r, b, out| {
            r.read_lines(b, |l| out.push(format!("{:?}", UniqueIdListing::parse(l)))).unwrap()
        });
        prop_assert_eq!(fast, general);
    }
}
