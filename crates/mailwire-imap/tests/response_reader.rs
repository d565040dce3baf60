//! The incremental ResponseReader: split invariance, streamed literals,
//! limits, bad input.

use bytes::BytesMut;
use mailwire_imap::parse::{ReadFrame, ResponseErrorKind, ResponseLimits, ResponseReader};
use mailwire_imap::types::{Data, FetchItem, Response, StreamedItem};

/// What a frame was, owned: chunks of one literal merged.
#[derive(Debug, PartialEq, Eq)]
enum Ev {
    Frame(String),
    Literal(Vec<u8>),
}

fn feed(reader: &mut ResponseReader, buf: &mut BytesMut, events: &mut Vec<Ev>) {
    loop {
        match reader.read(buf) {
            ReadFrame::Incomplete => break,
            ReadFrame::LiteralChunk(chunk) => {
                assert!(!chunk.is_empty());
                match events.last_mut() {
                    Some(Ev::Literal(data)) => data.extend_from_slice(&chunk),
                    _ => events.push(Ev::Literal(chunk.to_vec())),
                }
            }
            other => events.push(Ev::Frame(format!("{other:?}"))),
        }
    }
}

fn drive(make: &dyn Fn() -> ResponseReader, pieces: &[&[u8]]) -> Vec<Ev> {
    let mut reader = make();
    let mut buf = BytesMut::new();
    let mut events = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        feed(&mut reader, &mut buf, &mut events);
    }
    events
}

const TRANSCRIPT: &[u8] = b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n\
+ go ahead\r\n\
* 3 EXISTS\r\n\
* 1 FETCH (UID 10 FLAGS (\\Seen) BODY[] {12}\r\nHello\r\nWorld RFC822.SIZE 12)\r\n\
* 2 FETCH (ENVELOPE (NIL {5}\r\nS\r\nub NIL NIL NIL NIL NIL NIL NIL NIL) BODY[HEADER] {4}\r\nH: x BODY[TEXT]<0> {0}\r\n BINARY[1] ~{3}\r\na\0b)\r\n\
* BAD broken (\r\n\
* 3 FETCH (BODY[] NIL UID 3)\r\n\
* 4 FETCH (RFC822 {2}\r\nhi)\r\n\
* XODD {3}\r\nabc tail\r\n\
* 5 FETCH (X-FOO (a] {3}\r\nabc) BODY[] {2}\r\nhi)\r\n\
* 6 FETCH (FLAGS (\\Seen) BOGUS)\r\n\
a1 OK done\r\n";

fn streaming() -> ResponseReader {
    ResponseReader::new().stream_literals(true)
}

fn buffered() -> ResponseReader {
    ResponseReader::new()
}

/// The same frames whatever the split, in both modes (two pieces at
/// every offset, and byte by byte).
#[test]
fn split_at_every_offset() {
    for make in [&streaming as &dyn Fn() -> ResponseReader, &buffered] {
        let whole = drive(make, &[TRANSCRIPT]);
        for cut in 0..=TRANSCRIPT.len() {
            let (a, b) = TRANSCRIPT.split_at(cut);
            assert_eq!(drive(make, &[a, b]), whole, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = TRANSCRIPT.chunks(1).collect();
        assert_eq!(drive(make, &bytes), whole);
    }
}

/// What the streaming reader reports for the transcript.
#[test]
fn streaming_frames() {
    let events = drive(&streaming, &[TRANSCRIPT]);
    let frames: Vec<String> = events
        .iter()
        .map(|e| match e {
            Ev::Frame(f) => f.split(['(', ' ']).next().unwrap().to_owned() + "|" + f,
            Ev::Literal(d) => format!("Literal|{}", String::from_utf8_lossy(d)),
        })
        .collect();
    let kinds: Vec<&str> = frames
        .iter()
        .map(|f| f.split('|').next().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Response", // OK greeting
            "Response", // +
            "Response", // EXISTS
            "FetchStart",
            "Literal",
            "FetchEnd",
            "FetchStart", // ENVELOPE literal kept, BODY[HEADER] streamed
            "Literal",
            "FetchNext", // BODY[TEXT]<0> {0}: no chunk
            "FetchNext", // BINARY[1] ~{3}
            "Literal",
            "FetchEnd",
            "Response", // * BAD broken ( (text)
            "Response", // BODY[] NIL
            "FetchStart",
            "Literal",
            "FetchEnd",
            "Response", // XODD kept raw
            "Response", // X-FOO: a false look-alike, kept in memory
            "Failed",   // BOGUS
            "Response", // a1 OK
        ]
    );
    assert_eq!(events[4], Ev::Literal(b"Hello\r\nWorld".to_vec()));
    assert_eq!(events[10], Ev::Literal(b"a\0b".to_vec()));
    assert!(frames[6].contains("S\\r\\nub"), "{}", frames[6]);
    assert!(frames[9].contains("binary: true"));
}

/// Buffered mode: every literal is kept and FETCH comes whole.
#[test]
fn buffered_frames() {
    let mut reader = ResponseReader::new();
    let mut buf = BytesMut::from(TRANSCRIPT);
    let mut fetches = 0;
    let mut failed = 0;
    loop {
        match reader.read(&mut buf) {
            ReadFrame::Incomplete => break,
            ReadFrame::Response(Response::Data(Data::Fetch { items, .. })) => {
                fetches += 1;
                if fetches == 1 {
                    assert!(matches!(
                        &items[2],
                        FetchItem::BodySection { data: Some(d), .. } if d.as_bytes() == b"Hello\r\nWorld"
                    ));
                }
            }
            ReadFrame::Response(_) => {}
            ReadFrame::Failed { .. } => failed += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((fetches, failed), (5, 1));
    assert!(buf.is_empty());
}

/// A 100 MiB literal streams through in bounded memory: the buffer
/// never holds more than one read.
#[test]
fn huge_literal_streams_without_buffering() {
    const SIZE: usize = 100 * 1024 * 1024;
    const READ: usize = 1024 * 1024;
    let mut reader = streaming();
    let mut buf = BytesMut::from(&b"* 1 FETCH (UID 9 BODY[] {104857600}\r\n"[..]);
    let ReadFrame::FetchStart { literal, items, .. } = reader.read(&mut buf) else {
        panic!()
    };
    assert_eq!(literal.size, SIZE as u64);
    assert_eq!(items.len(), 1);
    let block = vec![b'x'; READ];
    let mut total = 0;
    for _ in 0..SIZE / READ {
        buf.extend_from_slice(&block);
        loop {
            match reader.read(&mut buf) {
                ReadFrame::LiteralChunk(chunk) => total += chunk.len(),
                ReadFrame::Incomplete => break,
                other => panic!("{other:?}"),
            }
        }
        assert!(buf.is_empty());
        assert!(buf.capacity() <= 2 * READ, "capacity {}", buf.capacity());
    }
    assert_eq!(total, SIZE);
    assert!(reader.in_fetch());
    buf.extend_from_slice(b")\r\n");
    assert_eq!(reader.read(&mut buf), ReadFrame::FetchEnd { items: vec![] });
}

/// An announced size over the limit is refused before any octet is
/// read or kept; the literal is skipped and the next response reads.
#[test]
fn literal_over_limit_is_refused_and_skipped() {
    for stream in [false, true] {
        let mut limits = ResponseLimits::DEFAULT;
        limits.max_literal = 10;
        limits.max_streamed_literal = 10;
        let mut reader = ResponseReader::with_limits(&limits).stream_literals(stream);
        let mut buf = BytesMut::from(&b"* 1 FETCH (BODY[] {18446744073709551615}\r\n"[..]);
        let ReadFrame::Failed { error } = reader.read(&mut buf) else {
            panic!()
        };
        assert!(matches!(
            error.kind(),
            ResponseErrorKind::LiteralTooLarge {
                size: u64::MAX,
                max: 10
            }
        ));
        let mut buf =
            BytesMut::from(&b"* 1 FETCH (BODY[] {11}\r\nhello world)\r\n* 2 EXISTS\r\n"[..]);
        let mut reader = ResponseReader::with_limits(&limits).stream_literals(stream);
        assert!(matches!(reader.read(&mut buf), ReadFrame::Failed { .. }));
        assert_eq!(
            reader.read(&mut buf),
            ReadFrame::Response(Response::Data(Data::Exists(2)))
        );
    }
}

/// A million "(" is refused at the depth limit, without deep recursion,
/// by the one-shot parser and the reader alike.
#[test]
fn nesting_bomb() {
    for prefix in [
        &b"* 1 FETCH (BODYSTRUCTURE "[..],
        b"* 1 FETCH (X-FOO ",
        b"* THREAD ",
        b"* ESEARCH (TAG \"a\") X-FOO ",
    ] {
        let mut input = prefix.to_vec();
        input.extend(std::iter::repeat_n(b'(', 1_000_000));
        input.extend_from_slice(b"\r\n");
        let err = Response::parse(&input).unwrap_err();
        assert!(
            matches!(err.kind(), ResponseErrorKind::TooDeep { max: 64 }),
            "{err}"
        );
        let mut reader = ResponseReader::new();
        let mut buf = BytesMut::from(&input[..]);
        let ReadFrame::Failed { error } = reader.read(&mut buf) else {
            panic!()
        };
        assert!(matches!(error.kind(), ResponseErrorKind::TooDeep { .. }));
    }
    // Where the grammar allows no list, the first "(" out of place fails.
    let mut input = b"* 1 FETCH (ENVELOPE (NIL NIL ".to_vec();
    input.extend(std::iter::repeat_n(b'(', 1_000_000));
    input.extend_from_slice(b"\r\n");
    assert!(matches!(
        Response::parse(&input).unwrap_err().kind(),
        ResponseErrorKind::Syntax(_)
    ));
    // Unknown data is kept raw without parsing its lists.
    let mut input = b"* XFOO ".to_vec();
    input.extend(std::iter::repeat_n(b'(', 100_000));
    input.extend_from_slice(b"\r\n");
    assert!(matches!(
        Response::parse(&input).unwrap().0,
        Response::Data(Data::Other(_))
    ));
}

/// Lines over the limit fail (even before their end arrives) and are
/// skipped; the next response reads.
#[test]
fn line_too_long() {
    let mut limits = ResponseLimits::DEFAULT;
    limits.max_line = 64;
    let mut reader = ResponseReader::with_limits(&limits);
    let mut buf = BytesMut::from(&[b'x'; 100][..]);
    let ReadFrame::Failed { error } = reader.read(&mut buf) else {
        panic!()
    };
    assert!(matches!(
        error.kind(),
        ResponseErrorKind::LineTooLong { max: 64 }
    ));
    assert_eq!(reader.read(&mut buf), ReadFrame::Incomplete);
    buf.extend_from_slice(&[b'y'; 1000]);
    assert_eq!(reader.read(&mut buf), ReadFrame::Incomplete);
    assert!(buf.len() <= 64, "the skipped line is not kept");
    // The long line ends in a literal: it is skipped too.
    buf.extend_from_slice(b" {3}\r\nabc rest\r\n* 7 RECENT\r\n");
    assert_eq!(
        reader.read(&mut buf),
        ReadFrame::Response(Response::Data(Data::Recent(7)))
    );
}

/// The response size limit counts the kept literals.
#[test]
fn response_too_large() {
    let mut limits = ResponseLimits::DEFAULT;
    limits.max_response = 100;
    let mut reader = ResponseReader::with_limits(&limits);
    let mut buf = BytesMut::from(
        &b"* 1 FETCH (BODY[] {80}\r\n01234567890123456789012345678901234567890123456789012345678901234567890123456789)\r\n* 1 EXISTS\r\n"[..],
    );
    let ReadFrame::Failed { error } = reader.read(&mut buf) else {
        panic!()
    };
    assert!(matches!(
        error.kind(),
        ResponseErrorKind::ResponseTooLarge { max: 100 }
    ));
    assert_eq!(
        reader.read(&mut buf),
        ReadFrame::Response(Response::Data(Data::Exists(1)))
    );
}

/// Streamed items carry their section and origin.
#[test]
fn streamed_item_details() {
    let mut reader = streaming();
    let mut buf =
        BytesMut::from(&b"* 4 FETCH (BODY[1.2.HEADER.FIELDS (SUBJECT)]<100> {3}\r\nabc)\r\n"[..]);
    let ReadFrame::FetchStart { literal, .. } = reader.read(&mut buf) else {
        panic!()
    };
    let StreamedItem::BodySection { section, origin } = &literal.item else {
        panic!()
    };
    assert_eq!(*origin, Some(100));
    assert_eq!(section.part.len(), 2);
    let item = literal.item.clone().with_data(None);
    assert!(matches!(item, FetchItem::BodySection { data: None, .. }));
}

/// A server writes FETCH literals in chunks with FetchLiteralWriter; the
/// streaming reader gives the same octets back, at any split.
#[test]
fn writer_to_reader() {
    use core::num::NonZeroU32;
    use mailwire_imap::encode::FetchLiteralWriter;
    use mailwire_imap::types::Section;

    let mut wire = Vec::new();
    let header = StreamedItem::BodySection {
        section: Section::header(),
        origin: None,
    };
    let binary = StreamedItem::Binary {
        part: vec![NonZeroU32::MIN],
    };
    let mut w = FetchLiteralWriter::begin(
        NonZeroU32::new(7).unwrap(),
        &[FetchItem::Uid(NonZeroU32::new(70).unwrap())],
        &header,
        9,
        &mut wire,
    )
    .unwrap();
    assert!(w.chunk(b"0123456789", &mut wire).is_err(), "past the size");
    w.chunk(b"Subj", &mut wire).unwrap();
    w.chunk(b"ect\r\n", &mut wire).unwrap();
    assert_eq!(w.remaining(), 0);
    let mut w = w
        .next(&[FetchItem::ModSeq(5)], &binary, 3, &mut wire)
        .unwrap();
    w.chunk(b"\0\x01\x02", &mut wire).unwrap();
    w.finish(&[FetchItem::Rfc822Size(100)], &mut wire).unwrap();
    assert_eq!(
        wire,
        b"* 7 FETCH (UID 70 BODY[HEADER] {9}\r\nSubject\r\n MODSEQ (5) BINARY[1] ~{3}\r\n\0\x01\x02 RFC822.SIZE 100)\r\n"
    );
    // Too few octets is refused too.
    let mut out = Vec::new();
    let w = FetchLiteralWriter::begin(NonZeroU32::MIN, &[], &header, 2, &mut out).unwrap();
    assert!(w.finish(&[], &mut out).is_err());
    let mut w = FetchLiteralWriter::begin(NonZeroU32::MIN, &[], &header, 2, &mut out).unwrap();
    assert!(w.chunk(b"\0", &mut out).is_err(), "NUL outside literal8");

    let whole = drive(&streaming, &[&wire]);
    assert_eq!(whole[1], Ev::Literal(b"Subject\r\n".to_vec()));
    assert_eq!(whole[3], Ev::Literal(b"\0\x01\x02".to_vec()));
    for cut in 0..=wire.len() {
        let (a, b) = wire.split_at(cut);
        assert_eq!(drive(&streaming, &[a, b]), whole);
    }
    // Buffered, the same bytes are one FETCH.
    let (response, _) = Response::parse(&wire).unwrap();
    let Response::Data(Data::Fetch { items, .. }) = response else {
        panic!()
    };
    assert_eq!(items.len(), 5);
}

/// A too-long line that has fully arrived fails alone: the response
/// after it is read, whatever the split.
#[test]
fn line_too_long_then_next_response() {
    let mut limits = ResponseLimits::DEFAULT;
    limits.max_line = 16;
    // The third long line announces a literal with many leading zeros:
    // its octets are skipped too, however the announcement is split.
    let input = b"* OK this line is far too long\r\n* 4 EXISTS\r\n* OK {2}\r\nxy too long again and more\r\n* 5 EXISTS\r\n* OK x {0000000000000000000000000000000000000000000000000003}\r\nabc\r\n* 6 EXISTS\r\n";
    let make = || ResponseReader::with_limits(&limits);
    let whole = drive(&make, &[input]);
    assert_eq!(whole.len(), 6, "{whole:?}");
    assert!(matches!(&whole[5], Ev::Frame(f) if f.contains("Exists(6)")));
    assert!(matches!(&whole[1], Ev::Frame(f) if f.contains("Exists(4)")));
    assert!(matches!(&whole[3], Ev::Frame(f) if f.contains("Exists(5)")));
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(drive(&make, &[a, b]), whole, "cut at {cut}");
    }
}

/// In streaming mode the small literals of a BODYSTRUCTURE (a file name
/// sent as a literal) are kept, and the message data after them streams.
#[test]
fn bodystructure_literal_kept_while_streaming() {
    let input = "* 3 FETCH (BODYSTRUCTURE (\"application\" \"pdf\" (\"name\" {8}\r\nRésumé) NIL NIL \"base64\" 4 NIL (\"attachment\" NIL) NIL NIL) BODY[1] {4}\r\nQUJD)\r\n";
    let mut reader = streaming();
    let mut buf = BytesMut::from(input.as_bytes());
    let ReadFrame::FetchStart { items, literal, .. } = reader.read(&mut buf) else {
        panic!()
    };
    let FetchItem::BodyStructure(body) = &items[0] else {
        panic!()
    };
    let mailwire_imap::types::BodyStructure::Single { part, .. } = &**body else {
        panic!()
    };
    assert_eq!(part.params[0].1.to_str(), Some("Résumé"));
    assert_eq!(literal.size, 4);
    assert_eq!(
        reader.read(&mut buf),
        ReadFrame::LiteralChunk(bytes::Bytes::from_static(b"QUJD"))
    );
    assert_eq!(reader.read(&mut buf), ReadFrame::FetchEnd { items: vec![] });
}
