//! Zero-copy, shown: a counting global allocator proves that parsing every
//! command of a realistic pipelined session allocates nothing. (In its own
//! test binary, since a `#[global_allocator]` applies to the whole binary.)

use mailwire_testkit::{CountingAllocator, allocations};

use mailwire_smtp::types::Command;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// A pipelined submission session (RFC 2920), every command this crate
/// knows, with the ESMTP parameters real clients send.
fn session() -> Vec<u8> {
    let mut s = String::new();
    s.push_str("EHLO client.example.org\r\n");
    s.push_str("STARTTLS\r\n");
    s.push_str("EHLO client.example.org\r\n");
    s.push_str("AUTH PLAIN AGpvZUBleGFtcGxlLm9yZwBzM2NyM3QtcGFzc3dvcmQ=\r\n");
    s.push_str(
        "MAIL FROM:<joe@example.org> SIZE=123456 BODY=8BITMIME SMTPUTF8 RET=HDRS \
         ENVID=QQ314159+2Bx AUTH=joe@example.org REQUIRETLS MT-PRIORITY=3 HOLDFOR=60 BY=120;RT X-TRACE=abc\r\n",
    );
    for i in 0..20 {
        s.push_str(&format!(
            "RCPT TO:<user{i}@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user{i}+2B@example.net\r\n"
        ));
    }
    s.push_str("RCPT TO:<@relay.example,@hop.example:routed@example.com>\r\n");
    s.push_str("RCPT TO:<Postmaster>\r\n");
    s.push_str("RCPT TO:<\"john doe\"@[192.0.2.1]>\r\n");
    s.push_str("RCPT TO:<jörg@bücher.example>\r\n");
    s.push_str("DATA\r\n");
    s.push_str("RSET\r\n");
    s.push_str("MAIL FROM:<> BODY=BINARYMIME HOLDUNTIL=2030-01-01T00:00:00Z\r\n");
    s.push_str("RCPT TO:<a@example.net>\r\n");
    s.push_str("BDAT 1000\r\n");
    s.push_str("BDAT 0 LAST\r\n");
    s.push_str("LHLO lmtp.example.org\r\n");
    s.push_str("HELO my_host\r\n");
    s.push_str("VRFY Smith\r\n");
    s.push_str("EXPN staff\r\n");
    s.push_str("HELP MAIL\r\n");
    s.push_str("NOOP\r\n");
    s.push_str("AUTH LOGIN\r\n");
    s.push_str("AUTH EXTERNAL =\r\n");
    s.push_str("QUIT\r\n");
    s.into_bytes()
}

#[test]
fn parsing_a_pipelined_session_allocates_nothing() {
    let session = session();
    // Split first: the lines are the receive buffer's frames.
    let lines: Vec<&[u8]> = session.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 44);
    let (allocs, (parsed, verbs)) = allocations(|| {
        let mut parsed = 0;
        let mut verbs = 0usize;
        for line in &lines {
            let cmd = Command::parse(line).expect("every line is valid");
            // Use the result so nothing is optimized away.
            verbs += cmd.verb().len();
            parsed += 1;
        }
        (parsed, verbs)
    });
    assert_eq!(parsed, lines.len());
    assert!(verbs > 0);
    assert_eq!(
        allocs, 0,
        "parsing {parsed} commands allocated {allocs} times"
    );
}

#[test]
fn rejecting_bad_commands_allocates_nothing() {
    let bad: [&[u8]; 8] = [
        b"FROB x\r\n",
        b"MAIL FROM:<joe@>\r\n",
        b"RCPT TO:<a@example.org> NOTIFY=SOMETIMES\r\n",
        b"MAIL FROM:<a@example.org> SIZE=1 SIZE=2\r\n",
        b"BDAT\r\n",
        b"DATA now\r\n",
        b"MAIL FROM:<j\xf6rg@example.org>\r\n",
        b"AUTH PLAIN a$b\r\n",
    ];
    let (allocs, errors) = allocations(|| {
        bad.iter()
            .map(|line| Command::parse(line).is_err() as usize)
            .sum::<usize>()
    });
    assert_eq!(errors, bad.len());
    assert_eq!(allocs, 0);
}

#[test]
fn encoding_into_a_reserved_buffer_allocates_nothing() {
    let session = session();
    let commands: Vec<Command<'_>> = session
        .split_inclusive(|&b| b == b'\n')
        .map(|line| Command::parse(line).unwrap())
        .collect();
    let mut out = Vec::with_capacity(session.len() * 2);
    let (allocs, ()) = allocations(|| {
        for cmd in &commands {
            cmd.encode(&mut out).unwrap();
        }
    });
    assert_eq!(allocs, 0);
    assert!(out.len() < session.len());
}
