//! Zero-copy, shown: a counting global allocator proves that parsing a
//! simple command line allocates nothing (nor does a bad one), and that
//! the decoder framing commands from a buffer allocates nothing either.
//! Commands holding a list (FETCH attribute lists, STORE flags, STATUS
//! items, SEARCH keys, LIST patterns) allocate the list's `Vec`.
//! (Its own test binary: a global allocator applies to the whole binary.)

use mailwire_testkit::{CountingAllocator, allocations};

use bytes::BytesMut;
use mailwire_imap::parse::{CommandDecoder, Decoded};
use mailwire_imap::types::Command;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Simple commands (no list argument) and some bad lines.
const LINES: &[&[u8]] = &[
    b"a1 CAPABILITY\r\n",
    b"a2 NOOP\r\n",
    b"a3 LOGOUT\r\n",
    b"a4 STARTTLS\r\n",
    b"a5 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
    b"a6 LOGIN fred \"fat man\"\r\n",
    b"a7 LOGIN {4+}\r\nfred {7+}\r\nfat man\r\n",
    b"a8 SELECT INBOX\r\n",
    b"a9 EXAMINE \"Sent Items\"\r\n",
    b"b1 CREATE owatagusiam/\r\n",
    b"b2 DELETE foo\r\n",
    b"b3 RENAME foo bar\r\n",
    b"b4 SUBSCRIBE #news.comp.mail.mime\r\n",
    b"b5 UNSUBSCRIBE x\r\n",
    b"b6 NAMESPACE\r\n",
    b"b7 IDLE\r\n",
    b"b8 CHECK\r\n",
    b"b9 CLOSE\r\n",
    b"c1 UNSELECT\r\n",
    b"c2 EXPUNGE\r\n",
    b"c3 UID EXPUNGE 3000:3002\r\n",
    b"c4 FETCH 1:* ALL\r\n",
    b"c5 UID FETCH 4827313:4828442 FAST\r\n",
    b"c6 COPY 2:4 MEETING\r\n",
    b"c7 UID MOVE 42:69 foo\r\n",
    b"c8 GETQUOTAROOT INBOX\r\n",
    b"c9 GETQUOTA \"\"\r\n",
    b"d1 ID NIL\r\n",
    b"d2 COMPRESS DEFLATE\r\n",
    b"d3 LSUB \"#news.\" \"comp.mail.*\"\r\n",
    b"e1 FROB\r\n",
    b"e2 SELECT\r\n",
    b"e3 FETCH 0 ALL\r\n",
];

#[test]
fn parsing_simple_commands_allocates_nothing() {
    let (allocs, parsed) = allocations(|| {
        let mut parsed = 0;
        for _ in 0..500 {
            for line in LINES {
                match Command::parse(line) {
                    Ok(command) => {
                        std::hint::black_box(&command);
                        parsed += 1;
                    }
                    Err(error) => {
                        std::hint::black_box(error.text());
                    }
                }
            }
        }
        parsed
    });
    assert_eq!(parsed, 500 * (LINES.len() - 3));
    assert_eq!(allocs, 0, "{allocs} allocations parsing {parsed} commands");
}

#[test]
fn decoding_simple_commands_allocates_nothing() {
    let mut input = Vec::new();
    for line in LINES {
        input.extend_from_slice(line);
    }
    let mut buf = BytesMut::with_capacity(input.len());
    let mut decoder = CommandDecoder::new();
    let (allocs, (commands, failed)) = allocations(|| {
        let (mut commands, mut failed) = (0, 0);
        buf.extend_from_slice(&input);
        loop {
            match decoder.decode(&mut buf) {
                Decoded::Incomplete => break,
                Decoded::Command(c) => {
                    std::hint::black_box(&c);
                    commands += 1;
                }
                Decoded::Failed { .. } => failed += 1,
                other => panic!("{other:?}"),
            }
        }
        (commands, failed)
    });
    assert_eq!((commands, failed), (LINES.len() - 3, 3));
    assert_eq!(allocs, 0, "{allocs} allocations decoding");
}

#[test]
fn a_list_costs_its_vec() {
    let (allocs, _) = allocations(|| {
        std::hint::black_box(Command::parse(b"a FETCH 1 (FLAGS UID)\r\n").unwrap());
    });
    assert_eq!(allocs, 1, "one Vec for the attribute list");
}
