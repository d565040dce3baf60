//! The response reader's fast path (a whole one-line response parsed
//! where it lies, before any framing) against its general path (framing
//! line by line, then parsing the frame): fed one octet at a time the
//! reader never sees a whole response at once, so it always frames; fed
//! everything at once it takes the fast path wherever it can. Both must
//! give the same frames, for valid and broken input, literals and lines
//! that only look like literal announcements, with default and tight
//! limits, buffered and streaming.

use bytes::BytesMut;
use mailwire_imap::parse::{ReadFrame, ResponseLimits, ResponseReader};
use proptest::prelude::*;

/// Pieces of response lines, valid and not.
const FRAGMENTS: &[&str] = &[
    "* ",
    "a1 ",
    "+ ",
    "+",
    "OK ",
    "NO",
    "BAD ",
    "BYE ",
    "3 EXISTS",
    "0 RECENT",
    "12 FETCH (",
    "UID 7",
    "FLAGS (\\Seen \\Draft)",
    "BODY[] ",
    "BODY[HEADER] ",
    "RFC822.SIZE 44",
    ")",
    "(",
    " ",
    "\"quoted \\\" text\"",
    "\"",
    "{2}\r\nab",
    "{3+}\r\nx\ry",
    "{2}",
    "~{2}\r\n\0\u{1}",
    "NIL",
    "LIST (\\HasNoChildren) \"/\" INBOX",
    "LIST () NIL {4}\r\nname",
    "STATUS x (MESSAGES 2 UIDNEXT 9)",
    "SEARCH 1 2 3",
    "[ALERT] ",
    "[UIDNEXT 4] ",
    "[",
    "]",
    "text",
    "XUNKNOWN raw",
    "99999999999999999999",
    "\r",
    "\0",
    "\r\n",
    "\n",
    "* 1 FETCH (BODY[] {2}\r\nab)\r\n",
    "* 2 FETCH (UID 1 BINARY[1] ~{2}\r\n\0b UID 2)\r\n",
    "* 3 FETCH (ENVELOPE (NIL {1}\r\ns NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
];

fn wire() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 1..30).prop_map(|parts| {
        let mut bytes = parts.concat().into_bytes();
        bytes.extend_from_slice(b"\r\n");
        bytes
    })
}

fn read(input: &[u8], piece: usize, stream: bool, tight: bool) -> Vec<String> {
    let mut limits = ResponseLimits::DEFAULT;
    if tight {
        limits.max_line = 24;
        limits.max_literal = 2;
        limits.max_response = 64;
        limits.max_items = 4;
    }
    let mut reader = ResponseReader::with_limits(&limits).stream_literals(stream);
    let mut buf = BytesMut::new();
    let mut out: Vec<String> = Vec::new();
    for part in input.chunks(piece.max(1)) {
        buf.extend_from_slice(part);
        loop {
            match reader.read(&mut buf) {
                ReadFrame::Incomplete => break,
                // Chunks are joined: their sizes depend on the reads.
                ReadFrame::LiteralChunk(c) => {
                    let hex: String = c.iter().map(|b| format!("{b:02x}")).collect();
                    match out.last_mut() {
                        Some(last) if last.starts_with("chunk ") => last.push_str(&hex),
                        _ => out.push(format!("chunk {hex}")),
                    }
                }
                other => out.push(format!("{other:?}")),
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fast_path_equals_framed_path(
        input in wire(),
        stream in any::<bool>(),
        tight in any::<bool>(),
        piece in 2usize..16,
    ) {
        let framed = read(&input, 1, stream, tight);
        let fast = read(&input, input.len(), stream, tight);
        prop_assert_eq!(&fast, &framed, "whole vs octet by octet");
        prop_assert_eq!(&read(&input, piece, stream, tight), &framed, "pieces of {}", piece);
    }
}
