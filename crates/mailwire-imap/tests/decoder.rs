//! The incremental `CommandDecoder`: literals announced before their
//! octets, limits checked before anything is read, bad commands skipped
//! with their literals, streaming APPEND, and the same results whatever
//! the split of the input.

mod common;

use bytes::BytesMut;
use common::{Ev, run, without_announcements};
use mailwire_imap::parse::{AnswerStatus, CommandDecoder, CommandErrorKind, Decoded, Limits};
use mailwire_imap::types::{Command, CommandBody, Tag};

fn failed(tag: Option<&str>, kind: &str) -> Ev {
    Ev::Failed {
        tag: tag.map(str::to_owned),
        kind: kind.to_owned(),
    }
}

fn command(line: &[u8]) -> Ev {
    let (cmd, _) = Command::parse(line).unwrap();
    Ev::Command(format!("{cmd:?}"), cmd.to_bytes().unwrap())
}

/// A session mixing every kind of framing a server sees.
const SESSION: &[u8] = b"a1 CAPABILITY\r\n\
a2 LOGIN {4}\r\nfred {7+}\r\nfat man\r\n\
a3 FROB {5+}\r\nb NOO\r\n\
a4 SELECT \"Sent Items\"\r\n\
a5 APPEND Drafts (\\Draft) {13}\r\nc NOOP\r\nx y\r\n\r\n\
a6 SEARCH (OR FROM {3}\r\nabc TO bob) NOT\r\n\
a7 UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (From)])\r\n\
a8 APPEND {5}\r\nInbox ~{3}\r\nabc (\\Seen) {2+}\r\nxy\r\n\
a9 LOGOUT\r\n";

fn session_events(stream: bool) -> Vec<Ev> {
    without_announcements(run(CommandDecoder::new().stream_append(stream), &[SESSION]))
}

#[test]
fn a_session_decodes_as_expected() {
    let events = session_events(false);
    assert_eq!(events.len(), 9, "{events:#?}");
    assert_eq!(events[0], command(b"a1 CAPABILITY\r\n"));
    assert!(matches!(&events[1], Ev::Command(debug, _) if debug.contains("fred")));
    // The bad command's literal is not read as a command.
    assert_eq!(events[2], failed(Some("a3"), "Unknown"));
    assert_eq!(events[3], command(b"a4 SELECT \"Sent Items\"\r\n"));
    assert!(matches!(&events[4], Ev::Command(debug, _) if debug.contains("Append")));
    assert!(matches!(&events[5], Ev::Failed { tag: Some(t), .. } if t == "a6"));
    assert!(matches!(&events[6], Ev::Command(debug, _) if debug.contains("Fetch")));
    assert!(matches!(&events[7], Ev::Command(debug, _) if debug.contains("binary: true")));
    assert_eq!(events[8], command(b"a9 LOGOUT\r\n"));
}

#[test]
fn a_session_streams_append_messages() {
    let events = session_events(true);
    let appends: Vec<&Ev> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Ev::AppendStart(_) | Ev::AppendNext(_) | Ev::Chunk(_) | Ev::AppendEnd
            )
        })
        .collect();
    assert_eq!(appends.len(), 8, "{events:#?}");
    assert!(
        matches!(appends[0], Ev::AppendStart(s) if s.contains("Drafts") && s.contains("Draft") && s.contains("size: 13"))
    );
    assert_eq!(appends[1], &Ev::Chunk(b"c NOOP\r\nx y\r\n".to_vec()));
    assert_eq!(appends[2], &Ev::AppendEnd);
    assert!(
        matches!(appends[3], Ev::AppendStart(s) if s.contains("Inbox") && s.contains("binary: true"))
    );
    assert_eq!(appends[4], &Ev::Chunk(b"abc".to_vec()));
    assert!(
        matches!(appends[5], Ev::AppendNext(s) if s.contains("Seen") && s.contains("sync: false"))
    );
    assert_eq!(appends[6], &Ev::Chunk(b"xy".to_vec()));
    assert_eq!(appends[7], &Ev::AppendEnd);
    // The rest is the same as buffered.
    assert_eq!(events.len(), 7 + 8);
}

#[test]
fn split_at_every_offset_gives_the_same_events() {
    for stream in [false, true] {
        let whole = session_events(stream);
        for cut in 0..=SESSION.len() {
            let (a, b) = SESSION.split_at(cut);
            let split =
                without_announcements(run(CommandDecoder::new().stream_append(stream), &[a, b]));
            assert_eq!(split, whole, "stream {stream}, cut at {cut}");
        }
        for cut1 in (0..SESSION.len()).step_by(7) {
            for cut2 in (cut1..=SESSION.len()).step_by(11) {
                let parts = [&SESSION[..cut1], &SESSION[cut1..cut2], &SESSION[cut2..]];
                let split =
                    without_announcements(run(CommandDecoder::new().stream_append(stream), &parts));
                assert_eq!(split, whole, "stream {stream}, cuts at {cut1}, {cut2}");
            }
        }
        let bytes: Vec<&[u8]> = SESSION.chunks(1).collect();
        assert_eq!(
            without_announcements(run(CommandDecoder::new().stream_append(stream), &bytes)),
            whole
        );
    }
}

#[test]
fn a_sync_literal_is_announced_before_its_octets() {
    let mut decoder = CommandDecoder::new();
    let mut buf = BytesMut::from(&b"A001 LOGIN {11}\r\n"[..]);
    let Decoded::LiteralAnnounced {
        tag,
        size,
        sync,
        binary,
    } = decoder.decode(&mut buf)
    else {
        panic!()
    };
    assert_eq!(
        (tag.as_ref().map(|t| t.as_str()), size, sync, binary),
        (Some("A001"), 11, true, false)
    );
    // Asked again without new bytes: no second announcement.
    assert_eq!(decoder.decode(&mut buf), Decoded::Incomplete);
    buf.extend_from_slice(b"FRED FOOBAR {7+}\r\nfat man\r\n");
    assert!(matches!(
        decoder.decode(&mut buf),
        Decoded::Command(Command {
            body: CommandBody::Login { .. },
            ..
        })
    ));
}

#[test]
fn a_non_sync_literal_is_not_announced() {
    let events = run(CommandDecoder::new(), &[b"a LOGIN {3+}\r\n", b"abc x\r\n"]);
    assert_eq!(events.len(), 1);
    assert!(matches!(&events[0], Ev::Command(..)));
}

#[test]
fn a_huge_announced_literal_is_refused_before_any_allocation() {
    for announce in [
        &b"a LOGIN {18446744073709551615}\r\n"[..],
        b"a LOGIN {999999999999999999999999}\r\n",
        b"a LOGIN {65537}\r\n",
    ] {
        let mut decoder = CommandDecoder::new();
        let mut buf = BytesMut::from(announce);
        let capacity = buf.capacity();
        let Decoded::Failed { tag, error } = decoder.decode(&mut buf) else {
            panic!()
        };
        assert_eq!(tag, Some(Tag::new("a").unwrap()));
        assert!(matches!(
            error.kind(),
            CommandErrorKind::LiteralTooLarge { append: false, .. }
        ));
        assert_eq!(error.status(), AnswerStatus::Bad);
        assert_eq!(error.code(), Some("TOOBIG"));
        assert_eq!(
            buf.capacity(),
            capacity,
            "nothing was reserved for the literal"
        );
        // The client does not send a refused synchronizing literal: the
        // next command follows.
        buf.extend_from_slice(b"b NOOP\r\n");
        assert!(matches!(decoder.decode(&mut buf), Decoded::Command(c) if c.tag.as_str() == "b"));
    }
}

#[test]
fn a_too_large_append_is_answered_no() {
    let mut limits = Limits::DEFAULT;
    limits.max_append = 1000;
    let mut decoder = CommandDecoder::with_limits(&limits);
    let mut buf = BytesMut::from(&b"a APPEND INBOX (\\Seen) {1001}\r\n"[..]);
    let Decoded::Failed { tag, error } = decoder.decode(&mut buf) else {
        panic!()
    };
    assert_eq!(error.status(), AnswerStatus::No);
    let mut answer = Vec::new();
    error.write_answer(tag.as_ref(), &mut answer);
    assert_eq!(answer, b"a NO [TOOBIG] message too large\r\n");
    // A mailbox name literal is an argument, held to max_literal.
    let events = run(
        CommandDecoder::with_limits(&limits),
        &[b"a APPEND {70000}\r\n"],
    );
    assert_eq!(
        events,
        [failed(
            Some("a"),
            "LiteralTooLarge { size: 70000, max: 65536, append: false }"
        )]
    );
}

#[test]
fn a_refused_non_sync_literal_is_skipped_not_parsed() {
    // 100 000 octets of what looks like commands, inside a literal.
    let mut input = b"a LOGIN {100000+}\r\n".to_vec();
    while input.len() < 19 + 100_000 {
        input.extend_from_slice(b"b NOOP\r\n");
    }
    input.truncate(19 + 100_000);
    input.extend_from_slice(b" x\r\nc NOOP\r\n");
    let mut decoder = CommandDecoder::new();
    let mut buf = BytesMut::new();
    let mut events = Vec::new();
    let mut most = 0;
    for chunk in input.chunks(4096) {
        buf.extend_from_slice(chunk);
        most = most.max(buf.len());
        loop {
            match decoder.decode(&mut buf) {
                Decoded::Incomplete => break,
                Decoded::Failed { error, .. } => events.push(format!("failed {:?}", error.kind())),
                Decoded::Command(c) => events.push(format!("command {}", c.tag)),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(
        events,
        [
            "failed LiteralTooLarge { size: 100000, max: 65536, append: false }",
            "command c"
        ]
    );
    assert!(
        most <= 4096 + 64,
        "the skipped literal was buffered: {most}"
    );
}

#[test]
fn literal_minus_refuses_non_sync_literals_over_4096() {
    let mut limits = Limits::DEFAULT;
    limits.literal_minus = true;
    let mut input = b"a LOGIN {5000+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend_from_slice(b" pw\r\nb LOGIN {4096+}\r\n");
    input.extend(std::iter::repeat_n(b'y', 4096));
    input.extend_from_slice(b" pw\r\n");
    let events = run(CommandDecoder::with_limits(&limits), &[&input]);
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0],
        failed(
            Some("a"),
            "LiteralTooLarge { size: 5000, max: 4096, append: false }"
        )
    );
    assert!(matches!(&events[1], Ev::Command(..)));
}

#[test]
fn a_bad_command_with_a_sync_literal_fails_before_the_literal() {
    let mut decoder = CommandDecoder::new();
    let mut buf = BytesMut::from(&b"a FROB {5}\r\n"[..]);
    let Decoded::Failed { tag, error } = decoder.decode(&mut buf) else {
        panic!()
    };
    assert_eq!(tag.unwrap().as_str(), "a");
    assert_eq!(error.kind(), CommandErrorKind::Unknown);
    buf.extend_from_slice(b"b NOOP\r\n");
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(c) if c.body == CommandBody::Noop));
}

#[test]
fn a_bad_command_found_after_its_literals_is_skipped_whole() {
    // The error shows only at the end: the literal's octets (which look
    // like a command) are part of the bad command.
    let events = without_announcements(run(
        CommandDecoder::new(),
        &[b"a LOGIN {8}\r\nb NOOP\r\n\r\nc NOOP\r\n"],
    ));
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(&events[0], Ev::Failed { tag: Some(t), .. } if t == "a"));
    assert_eq!(events[1], command(b"c NOOP\r\n"));
}

#[test]
fn a_rejected_literal_ends_the_command() {
    let mut decoder = CommandDecoder::new();
    let mut buf = BytesMut::from(&b"a APPEND INBOX {100}\r\n"[..]);
    assert!(matches!(
        decoder.decode(&mut buf),
        Decoded::LiteralAnnounced { size: 100, .. }
    ));
    assert!(decoder.reject_literal());
    assert!(!decoder.reject_literal(), "only once");
    buf.extend_from_slice(b"b NOOP\r\n");
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(c) if c.tag.as_str() == "b"));
}

#[test]
fn a_streamed_append_can_be_rejected() {
    let mut decoder = CommandDecoder::new().stream_append(true);
    let mut buf = BytesMut::from(&b"a APPEND INBOX {100}\r\n"[..]);
    assert!(matches!(
        decoder.decode(&mut buf),
        Decoded::AppendStart { .. }
    ));
    assert!(decoder.reject_literal());
    buf.extend_from_slice(b"b NOOP\r\n");
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(c) if c.tag.as_str() == "b"));
}

#[test]
fn streaming_append_yields_chunks_in_bounded_memory() {
    let size = 1_000_000usize;
    let mut decoder = CommandDecoder::new().stream_append(true);
    let mut buf = BytesMut::new();
    buf.extend_from_slice(
        format!("A1 APPEND Sent (\\Seen $Sent) \"14-Jul-2024 10:00:00 +0200\" {{{size}}}\r\n")
            .as_bytes(),
    );
    let Decoded::AppendStart {
        tag,
        mailbox,
        message,
    } = decoder.decode(&mut buf)
    else {
        panic!()
    };
    assert_eq!(tag.as_str(), "A1");
    assert_eq!(mailbox.as_bytes(), b"Sent");
    assert_eq!(message.flags.len(), 2);
    assert_eq!(message.date.unwrap().zone_minutes(), 120);
    assert_eq!(
        (message.size, message.sync, message.binary),
        (size as u64, true, false)
    );
    let mut received = 0;
    let mut sent = 0;
    let block = vec![b'm'; 8192];
    let mut ended = false;
    while !ended {
        if sent < size {
            let n = block.len().min(size - sent);
            buf.extend_from_slice(&block[..n]);
            sent += n;
            if sent == size {
                buf.extend_from_slice(b"\r\nA2 NOOP\r\n");
            }
        }
        assert!(buf.len() <= 8192 + 128, "{}", buf.len());
        loop {
            match decoder.decode(&mut buf) {
                Decoded::Incomplete => break,
                Decoded::LiteralChunk(chunk) => {
                    assert!(chunk.iter().all(|&b| b == b'm'));
                    received += chunk.len();
                }
                Decoded::AppendEnd => {
                    ended = true;
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(received, size);
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(c) if c.tag.as_str() == "A2"));
}

#[test]
fn streaming_multiappend_and_a_bad_tail() {
    let events = run(
        CommandDecoder::new().stream_append(true),
        &[b"a APPEND x {3+}\r\nabc (\\Flagged) ~{2+}\r\n\0z\r\nb APPEND y {1+}\r\nq junk\r\nc NOOP\r\n"],
    );
    assert_eq!(events.len(), 9, "{events:#?}");
    assert!(matches!(&events[0], Ev::AppendStart(s) if s.contains("size: 3")));
    assert_eq!(events[1], Ev::Chunk(b"abc".to_vec()));
    assert!(
        matches!(&events[2], Ev::AppendNext(s) if s.contains("Flagged") && s.contains("binary: true"))
    );
    assert_eq!(events[3], Ev::Chunk(b"\0z".to_vec()));
    assert_eq!(events[4], Ev::AppendEnd);
    assert!(matches!(&events[5], Ev::AppendStart(s) if s.contains("\"y\"")));
    assert_eq!(events[6], Ev::Chunk(b"q".to_vec()));
    // The server must drop the message it was storing.
    assert!(matches!(&events[7], Ev::Failed { tag: Some(t), .. } if t == "b"));
    assert_eq!(events[8], command(b"c NOOP\r\n"));
}

#[test]
fn a_million_open_parentheses_are_refused_cheaply() {
    let mut bomb = b"a SEARCH ".to_vec();
    bomb.extend(std::iter::repeat_n(b'(', 1_000_000));
    bomb.extend_from_slice(b"ALL\r\n");
    // One-shot parsing with no line limit: refused at the depth limit,
    // without recursing a million times.
    let mut limits = Limits::UNLIMITED;
    limits.max_depth = 64;
    let err = Command::parse_with_limits(&bomb, &limits).unwrap_err();
    assert_eq!(err.kind(), CommandErrorKind::TooDeep { max: 64 });
    assert_eq!(err.offset(), 9 + 64);
    // The decoder with its default limits refuses the line for its length
    // first, then goes on with the next command.
    let mut input = bomb.clone();
    input.extend_from_slice(b"b NOOP\r\n");
    let events = run(CommandDecoder::new(), &[&input]);
    assert_eq!(
        events,
        [
            failed(Some("a"), "LineTooLong { max: 65536 }"),
            command(b"b NOOP\r\n")
        ]
    );
    // With a long enough line, the depth limit.
    limits.max_line = 2_000_000;
    limits.max_command = 2_000_000;
    let events = run(CommandDecoder::with_limits(&limits), &[&input]);
    assert_eq!(
        events,
        [
            failed(Some("a"), "TooDeep { max: 64 }"),
            command(b"b NOOP\r\n")
        ]
    );
    // NOT and OR nest too.
    let mut nots = b"a SEARCH ".to_vec();
    for _ in 0..100_000 {
        nots.extend_from_slice(b"NOT ");
    }
    nots.extend_from_slice(b"ALL\r\n");
    let err = Command::parse_with_limits(&nots, &limits).unwrap_err();
    assert_eq!(err.kind(), CommandErrorKind::TooDeep { max: 64 });
}

#[test]
fn too_many_items_are_refused() {
    let mut limits = Limits::DEFAULT;
    limits.max_items = 10;
    let line = b"a SEARCH 1 2 3 4 5 6 7 8 9 10 11\r\n";
    let err = Command::parse_with_limits(line, &limits).unwrap_err();
    assert_eq!(err.kind(), CommandErrorKind::TooManyItems { max: 10 });
}

#[test]
fn a_long_line_is_refused_and_skipped() {
    let mut limits = Limits::DEFAULT;
    limits.max_line = 100;
    let mut input = b"a LOGIN ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 10_000));
    input.extend_from_slice(b" pw\r\nb NOOP\r\n");
    let whole = run(CommandDecoder::with_limits(&limits), &[&input]);
    assert_eq!(
        whole,
        [
            failed(Some("a"), "LineTooLong { max: 100 }"),
            command(b"b NOOP\r\n")
        ]
    );
    let chunks: Vec<&[u8]> = input.chunks(37).collect();
    assert_eq!(run(CommandDecoder::with_limits(&limits), &chunks), whole);
}

#[test]
fn a_raw_line_after_a_continuation() {
    let mut decoder = CommandDecoder::new();
    let mut buf = BytesMut::from(&b"a AUTHENTICATE PLAIN\r\n"[..]);
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(_)));
    decoder.expect_line();
    buf.extend_from_slice(b"dGVzdAB0ZXN0AHRlc3Q=\r\nb IDLE\r\n");
    assert_eq!(
        decoder.decode(&mut buf),
        Decoded::Line(b"dGVzdAB0ZXN0AHRlc3Q=")
    );
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(c) if c.body == CommandBody::Idle));
    decoder.expect_line();
    buf.extend_from_slice(b"DONE\r\n");
    let Decoded::Line(line) = decoder.decode(&mut buf) else {
        panic!()
    };
    assert!(mailwire_imap::types::IdleDone::parse(line).is_ok());
}

#[test]
fn untagged_garbage_is_answered_untagged() {
    let events = run(CommandDecoder::new(), &[b"\r\n+++\r\nb NOOP\r\n"]);
    assert_eq!(events.len(), 3);
    assert!(matches!(&events[0], Ev::Failed { tag: None, .. }));
    assert!(matches!(&events[1], Ev::Failed { tag: None, .. }));
    let mut answer = Vec::new();
    Command::parse(b"+++\r\n")
        .unwrap_err()
        .write_answer(None, &mut answer);
    assert_eq!(answer, b"* BAD syntax error\r\n");
}

#[test]
fn a_malformed_append_fails_at_its_first_literal() {
    // Garbage before the message literal: refused before the literal is
    // read, the non-synchronizing octets skipped.
    let events = run(
        CommandDecoder::new(),
        &[b"a APPEND x junk {3+}\r\nb N\r\nc NOOP\r\n"],
    );
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(&events[0], Ev::Failed { tag: Some(t), .. } if t == "a"));
    assert_eq!(events[1], command(b"c NOOP\r\n"));
}

#[test]
fn buffered_multiappend_is_bounded_as_a_whole() {
    let mut limits = Limits::DEFAULT;
    limits.max_append = 10;
    let events = run(
        CommandDecoder::with_limits(&limits),
        &[b"a APPEND x {6+}\r\n123456 {6+}\r\n123456\r\nb NOOP\r\n"],
    );
    assert_eq!(
        events,
        [
            failed(
                Some("a"),
                "LiteralTooLarge { size: 12, max: 10, append: true }"
            ),
            command(b"b NOOP\r\n")
        ]
    );
    // Streaming, each message is bounded on its own.
    let events = run(
        CommandDecoder::with_limits(&limits).stream_append(true),
        &[b"a APPEND x {6+}\r\n123456 {6+}\r\n123456\r\nb NOOP\r\n"],
    );
    assert_eq!(events.len(), 6, "{events:?}");
    assert_eq!(events[4], Ev::AppendEnd);
}

#[test]
fn the_deepest_nesting_unlimited_allows_fits_the_stack() {
    // Limits::UNLIMITED keeps a depth bound; that depth parses (and
    // encodes, and drops) on a test thread's stack, debug build included.
    let depth = Limits::UNLIMITED.max_depth;
    for (open, close) in [(&b"("[..], &b")"[..]), (b"NOT ", b"")] {
        let mut line = b"a SEARCH ".to_vec();
        for _ in 0..depth - 1 {
            line.extend_from_slice(open);
        }
        line.extend_from_slice(b"ALL");
        for _ in 0..depth - 1 {
            line.extend_from_slice(close);
        }
        line.extend_from_slice(b"\r\n");
        let (cmd, _) = Command::parse_with_limits(&line, &Limits::UNLIMITED).unwrap();
        assert_eq!(cmd.to_bytes().unwrap(), line);
        // One more level is refused.
        let mut deeper = b"a SEARCH ".to_vec();
        deeper.extend_from_slice(open);
        deeper.extend_from_slice(&line[9..]);
        deeper.truncate(deeper.len() - 2);
        deeper.extend_from_slice(close);
        deeper.extend_from_slice(b"\r\n");
        let err = Command::parse_with_limits(&deeper, &Limits::UNLIMITED).unwrap_err();
        assert_eq!(err.kind(), CommandErrorKind::TooDeep { max: depth });
    }
}

/// Runs `input` through a decoder that asks for a raw line first, whole
/// and split at every offset.
fn raw_line_events(limits: &Limits, input: &[u8]) -> Vec<Vec<Ev>> {
    let mut all = Vec::new();
    for cut in 0..=input.len() {
        let mut decoder = CommandDecoder::with_limits(limits);
        decoder.expect_line();
        let (a, b) = input.split_at(cut);
        all.push(run(decoder, &[a, b]));
    }
    all
}

#[test]
fn an_overlong_raw_line_is_skipped_whatever_the_split() {
    let mut limits = Limits::DEFAULT;
    limits.max_line = 16;
    // A raw line announces no literal, even when it looks like it.
    let input = b"0123456789abcdefghij {3+}\r\nb NOOP\r\n";
    let all = raw_line_events(&limits, input);
    for (cut, e) in all.iter().enumerate() {
        assert_eq!(e, &all[0], "cut at {cut}");
    }
    assert_eq!(all[0].len(), 2);
    assert_eq!(all[0][1], command(b"b NOOP\r\n"));
}

#[test]
fn a_literal_size_of_more_than_24_digits_is_no_announcement() {
    let input = b"a LOGIN {0000000000000000000000000003}\r\nabc x\r\nb NOOP\r\n";
    let whole = run(CommandDecoder::new(), &[input]);
    assert_eq!(whole.len(), 3, "{whole:?}");
    assert!(matches!(&whole[0], Ev::Failed { tag: Some(t), .. } if t == "a"));
    let mut limits = Limits::DEFAULT;
    limits.max_line = 20;
    let whole = run(CommandDecoder::with_limits(&limits), &[input]);
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(
            run(CommandDecoder::with_limits(&limits), &[a, b]),
            whole,
            "cut at {cut}"
        );
    }
}

#[test]
fn streaming_multiappend_counts_its_messages() {
    let mut limits = Limits::DEFAULT;
    limits.max_items = 2;
    let events = run(
        CommandDecoder::with_limits(&limits).stream_append(true),
        &[b"a APPEND x {1+}\r\n1 {1+}\r\n2 {1+}\r\n3\r\nb NOOP\r\n"],
    );
    assert_eq!(events.len(), 6, "{events:#?}");
    assert_eq!(events[3], Ev::Chunk(b"2".to_vec()));
    assert_eq!(events[4], failed(Some("a"), "TooManyItems { max: 2 }"));
    assert_eq!(events[5], command(b"b NOOP\r\n"));
}

#[test]
fn an_empty_streamed_message_can_be_rejected() {
    let mut decoder = CommandDecoder::new().stream_append(true);
    let mut buf = BytesMut::from(&b"a APPEND x {0}\r\n"[..]);
    assert!(matches!(
        decoder.decode(&mut buf),
        Decoded::AppendStart { .. }
    ));
    assert!(decoder.reject_literal());
    buf.extend_from_slice(b"b NOOP\r\n");
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(c) if c.tag.as_str() == "b"));
    // Once the message has begun, it is too late. (The same buffer: the
    // decoder drops the last command's bytes from it at the next call.)
    buf.extend_from_slice(b"c APPEND x {3}\r\n");
    assert!(matches!(
        decoder.decode(&mut buf),
        Decoded::AppendStart { .. }
    ));
    buf.extend_from_slice(b"ab");
    assert!(matches!(decoder.decode(&mut buf), Decoded::LiteralChunk(_)));
    assert!(!decoder.reject_literal());
}

#[test]
fn expect_line_after_the_line_began_to_arrive() {
    let mut decoder = CommandDecoder::new();
    let mut buf = BytesMut::from(&b"a AUTHENTICATE PLAIN\r\ndGVz"[..]);
    assert!(matches!(decoder.decode(&mut buf), Decoded::Command(_)));
    // The server drains the buffer before it answers "+".
    assert_eq!(decoder.decode(&mut buf), Decoded::Incomplete);
    decoder.expect_line();
    buf.extend_from_slice(b"dAB0ZXN0AHRlc3Q=\r\n");
    assert_eq!(
        decoder.decode(&mut buf),
        Decoded::Line(b"dGVzdAB0ZXN0AHRlc3Q=")
    );
}

#[test]
fn one_shot_parsing_agrees_on_long_literal_sizes() {
    let input = b"a LOGIN {0000000000000000000000000003}\r\nabc x\r\n";
    assert!(matches!(
        Command::parse(input).unwrap_err().kind(),
        CommandErrorKind::Syntax("literal size")
    ));
    let ok = b"a LOGIN {000000000000000000000003}\r\nabc x\r\n";
    assert!(Command::parse(ok).is_ok());
    assert!(matches!(
        run(CommandDecoder::new(), &[ok]).as_slice(),
        [Ev::Command(..)]
    ));
}
