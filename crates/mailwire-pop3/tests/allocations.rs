//! Zero-copy, shown: a counting global allocator proves that parsing a
//! command line allocates nothing (nor does a bad one), that parsing a
//! UTF-8 status line allocates nothing, that streaming a body through the
//! client codec costs a bounded number of allocations whatever its size,
//! and that reading a listing line by line allocates nothing. (Its own
//! test binary: a global allocator applies to the whole binary.)

use mailwire_testkit::{CountingAllocator, allocations};

use mailwire_pop3::types::{Command, Response, ScanListing, UniqueIdListing};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Every command of the crate, as a client sends it, and some bad lines.
const LINES: &[&[u8]] = &[
    b"CAPA\r\n",
    b"STLS\r\n",
    b"AUTH\r\n",
    b"AUTH PLAIN\r\n",
    b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
    b"AUTH EXTERNAL =\r\n",
    b"USER mrose\r\n",
    b"PASS tanstaaf with spaces\r\n",
    b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
    b"UTF8\r\n",
    b"LANG\r\n",
    b"LANG fr-CA\r\n",
    b"STAT\r\n",
    b"LIST\r\n",
    b"LIST 2\r\n",
    b"UIDL\r\n",
    b"UIDL 2\r\n",
    b"TOP 1 10\r\n",
    b"RETR 1\r\n",
    b"DELE 1\r\n",
    b"NOOP\r\n",
    b"RSET\r\n",
    b"QUIT\r\n",
    b"FROB\r\n",
    b"RETR x\r\n",
    b"USER j\xf6rg\r\n",
];

#[test]
fn parsing_commands_allocates_nothing() {
    let (allocs, parsed) = allocations(|| {
        let mut parsed = 0;
        for _ in 0..1000 {
            for line in LINES {
                match Command::parse(line) {
                    Ok(command) => {
                        std::hint::black_box(&command);
                        parsed += 1;
                    }
                    Err(error) => {
                        std::hint::black_box(error.err_text());
                    }
                }
            }
        }
        parsed
    });
    assert_eq!(parsed, 23_000);
    assert_eq!(allocs, 0, "{allocs} allocations parsing {parsed} commands");
}

#[test]
fn parsing_status_and_listing_lines_allocates_nothing() {
    let lines: &[&[u8]] = &[
        b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        b"-ERR [IN-USE] maildrop locked\r\n",
        b"-ERR [X-VENDOR/CODE] other\r\n",
        b"+OK 2 320\r\n",
    ];
    let (allocs, ()) = allocations(|| {
        for _ in 0..1000 {
            for line in lines {
                let response = Response::parse(line).unwrap();
                std::hint::black_box(response.apop_timestamp());
                std::hint::black_box(response.drop_listing());
            }
            std::hint::black_box(ScanListing::parse(b"1 120\r\n").unwrap());
            std::hint::black_box(
                UniqueIdListing::parse(b"1 whqtswO00WBw418f9t5JxYwZ\r\n").unwrap(),
            );
        }
    });
    assert_eq!(allocs, 0, "{allocs} allocations parsing status lines");
}

#[cfg(feature = "tokio")]
#[test]
fn streaming_a_body_allocates_a_bounded_amount() {
    use bytes::BytesMut;
    use mailwire_pop3::codec::{ClientCodec, ServerFrame};
    use tokio_util::codec::{Decoder, Encoder};

    fn run(lines: usize) -> usize {
        let mut wire = BytesMut::with_capacity(lines * 40 + 64);
        wire.extend_from_slice(b"+OK message follows\r\n");
        for i in 0..lines {
            if i % 5 == 0 {
                wire.extend_from_slice(b"..a stuffed line of the message body\r\n");
            } else {
                wire.extend_from_slice(b"a plain line of the message body....\r\n");
            }
        }
        wire.extend_from_slice(b".\r\n");
        let mut codec = ClientCodec::new().after_greeting();
        codec
            .encode(Command::Retr { msg: 1 }, &mut BytesMut::new())
            .unwrap();
        let (allocs, size) = allocations(|| {
            let mut size = 0;
            while let Some(frame) = codec.decode(&mut wire).unwrap() {
                if let ServerFrame::Data(chunk) = frame {
                    size += chunk.len();
                }
            }
            size
        });
        assert!(size > lines * 30);
        allocs
    }
    let small = run(100);
    let large = run(100_000);
    // The status line costs a few (its owned text, the shared buffer
    // header); the body's bytes cost none.
    assert!(
        large <= small,
        "{small} allocations for 100 lines, {large} for 100000"
    );
    assert!(large <= 4, "{large} allocations");
}

/// A `LIST` answer of `lines` entries, as a server sends it.
fn listing(lines: usize) -> bytes::BytesMut {
    let mut wire = bytes::BytesMut::with_capacity(lines * 16 + 64);
    wire.extend_from_slice(b"+OK\r\n");
    for i in 1..=lines {
        wire.extend_from_slice(format!("{i} {}\r\n", 1000 + i * 7).as_bytes());
    }
    wire.extend_from_slice(b".\r\n");
    wire
}

/// A reader that has read the `+OK` of a `LIST` announced line by line.
fn after_ok(wire: &mut bytes::BytesMut) -> mailwire_pop3::parse::ResponseReader {
    use mailwire_pop3::parse::{ResponseReader, ServerFrame};
    let mut reader = ResponseReader::new().after_greeting();
    reader.expect_lines();
    let frame = reader.read(wire).unwrap();
    assert!(matches!(frame, Some(ServerFrame::Response(_))), "{frame:?}");
    reader
}

#[test]
fn reading_a_listing_line_by_line_allocates_nothing() {
    use mailwire_pop3::parse::ServerFrame;
    let mut wire = listing(2000);
    let mut reader = after_ok(&mut wire);
    let (allocs, (count, total)) = allocations(|| {
        let (mut count, mut total) = (0, 0);
        loop {
            let frame = reader
                .read_lines(&mut wire, |line| {
                    let scan = ScanListing::parse(line).unwrap();
                    count += 1;
                    total += scan.size;
                })
                .unwrap();
            if frame == Some(ServerFrame::End) {
                break;
            }
            assert!(frame.is_none(), "{frame:?}");
        }
        (count, total)
    });
    assert_eq!(count, 2000);
    assert_eq!(total, (1..=2000u64).map(|i| 1000 + i * 7).sum::<u64>());
    assert_eq!(allocs, 0, "{allocs} allocations reading 2000 listing lines");
}

#[test]
fn listing_lines_as_frames_allocate_a_bounded_amount() {
    use mailwire_pop3::parse::ServerFrame;
    fn run(lines: usize) -> usize {
        let mut wire = listing(lines);
        let mut reader = after_ok(&mut wire);
        let (allocs, count) = allocations(|| {
            let mut count = 0;
            while let Some(frame) = reader.read(&mut wire).unwrap() {
                match frame {
                    ServerFrame::Line(line) => {
                        std::hint::black_box(ScanListing::parse(&line).unwrap());
                        count += 1;
                    }
                    ServerFrame::End => break,
                    other => panic!("{other:?}"),
                }
            }
            count
        });
        assert_eq!(count, lines);
        allocs
    }
    let (small, large) = (run(10), run(100_000));
    // Each line is a `Bytes` sharing the receive buffer: reference counts,
    // no copies, no allocation per line.
    assert!(
        large <= small && large <= 1,
        "{small} allocations for 10 lines, {large} for 100000"
    );
}
