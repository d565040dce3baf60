//! The server gives the same events and output however the input is cut,
//! and keeps its promises on arbitrary input.

mod server_support;

use mailwire_pop3::server::{Event, Mechanism, ServerConfig};
use proptest::prelude::*;
use server_support::{App, Session, message, plain_config};

fn config() -> ServerConfig {
    let mut config = plain_config("pop.example.org");
    config.apop = true;
    config.sasl = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    config.utf8 = true;
    config
}

fn messages() -> Vec<Vec<u8>> {
    vec![
        message(60, "one"),
        b"Subject: dots\r\n\r\n.a\r\n..b\r\nc\r\n".to_vec(),
        message(90, "three"),
    ]
}

/// A whole session touching every state: errors, SASL with
/// continuations, a refused then an accepted login, listings, retrievals,
/// deletions, RSET, QUIT.
const SESSION: &[u8] = b"CAPA\r\nBOGUS\r\nSTAT\r\nUTF8\r\nAUTH LOGIN\r\nam9l\r\nd3Jvbmc=\r\n\
AUTH PLAIN\r\n*\r\nUSER joe\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nLIST 2\r\nRETR 2\r\n\
TOP 1 1\r\nTOP 3 0\r\nDELE 1\r\nDELE 1\r\nRSET\r\nDELE 3\r\nNOOP\r\nUSER again\r\nCAPA\r\n\
RETR 9\r\nQUIT\r\nNOOP\r\n";

/// Runs a session fed in these pieces; returns the output, the events and
/// the updates.
fn run(pieces: &[&[u8]]) -> (String, Vec<Event>, Vec<Vec<u32>>) {
    let mut s = Session::new(config(), App::new(messages()));
    let mut out = s.start(Some("1896.697170952"));
    for piece in pieces {
        out.push_str(&s.send(piece));
    }
    (out, s.app.events, s.app.updates)
}

#[test]
fn the_reference_session() {
    let (out, events, updates) = run(&[SESSION]);
    assert!(out.starts_with("+OK POP3 server ready <1896.697170952@pop.example.org>\r\n"));
    assert!(
        out.contains("+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n-ERR [AUTH] invalid credentials\r\n")
    );
    assert!(out.contains("+ \r\n-ERR authentication cancelled\r\n"));
    assert!(out.contains("+OK 29 octets\r\nSubject: dots\r\n\r\n..a\r\n...b\r\nc\r\n.\r\n"));
    assert!(out.contains("-ERR message 1 already deleted\r\n"));
    assert!(out.ends_with(
        "-ERR no such message\r\n+OK pop.example.org POP3 server signing off (2 messages left)\r\n"
    ));
    assert_eq!(updates, [vec![3]]);
    assert!(matches!(events.last(), Some(Event::Closed(_))));
}

/// The same session cut in two at every offset, and fed byte by byte.
#[test]
fn split_at_every_offset_gives_the_same_session() {
    let whole = run(&[SESSION]);
    for at in 0..=SESSION.len() {
        let (a, b) = SESSION.split_at(at);
        assert_eq!(run(&[a, b]), whole, "split at {at}");
    }
    let bytes: Vec<&[u8]> = SESSION.chunks(1).collect();
    assert_eq!(run(&bytes), whole);
}

/// Checks the server's output: only CRLF-ended lines, no bare CR or LF.
fn assert_well_formed(out: &str) {
    assert!(out.is_empty() || out.ends_with("\r\n"), "{out:?}");
    let bytes = out.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF in {out:?}");
        }
        if b == b'\r' {
            assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR in {out:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any cutting of the reference session gives the same session.
    #[test]
    fn any_chunking_gives_the_same_session(cuts in proptest::collection::vec(0..SESSION.len(), 0..12)) {
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut from = 0;
        for cut in cuts {
            pieces.push(&SESSION[from..cut]);
            from = cut;
        }
        pieces.push(&SESSION[from..]);
        prop_assert_eq!(run(&pieces), run(&[SESSION]));
    }

    /// Arbitrary command lines: no panic, well-formed output, and
    /// deletions reach the application only after a QUIT.
    #[test]
    fn arbitrary_commands_keep_the_promises(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("USER joe".to_owned()),
                Just("PASS secret".to_owned()),
                Just("QUIT".to_owned()),
                Just("RSET".to_owned()),
                Just("AUTH PLAIN".to_owned()),
                Just("*".to_owned()),
                (0u32..5).prop_map(|n| format!("DELE {n}")),
                (0u32..5).prop_map(|n| format!("RETR {n}")),
                (0u32..5, 0u32..3).prop_map(|(n, l)| format!("TOP {n} {l}")),
                "[ -~]{0,20}",
            ],
            0..30,
        ),
        chunk in 1usize..20,
    ) {
        let input = lines.iter().map(|l| format!("{l}\r\n")).collect::<String>();
        let mut s = Session::new(config(), App::new(messages()));
        let mut out = s.start(Some("1.1"));
        for piece in input.as_bytes().chunks(chunk) {
            out.push_str(&s.send(piece));
        }
        assert_well_formed(&out);
        let quit_after_login = s.app.events.iter().any(|e| matches!(e, Event::Login(_)))
            && lines.iter().any(|l| l.eq_ignore_ascii_case("QUIT"));
        prop_assert!(s.app.updates.len() <= 1);
        if !s.app.updates.is_empty() {
            prop_assert!(quit_after_login);
            prop_assert!(s.server.is_closed());
        }
        for update in &s.app.updates {
            prop_assert!(update.iter().all(|&m| (1..=3).contains(&m)));
            prop_assert!(update.windows(2).all(|w| w[0] < w[1]));
        }
    }
}

/// The lines of a stored message as the server sends them: CRLF, LF and a
/// lone CR each end a line; a last line without an ending still counts.
fn oracle_lines(msg: &[u8]) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line = Vec::new();
    let mut i = 0;
    while i < msg.len() {
        match msg[i] {
            b'\r' if msg.get(i + 1) == Some(&b'\n') => {
                lines.push(std::mem::take(&mut line));
                i += 1;
            }
            b'\r' | b'\n' => lines.push(std::mem::take(&mut line)),
            b => line.push(b),
        }
        i += 1;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// What `TOP 1 n` (or `RETR 1` with `None`) must send, by a naive route.
fn oracle_top(msg: &[u8], n: Option<usize>) -> Vec<u8> {
    let lines = oracle_lines(msg);
    let keep = match n {
        None => lines.len(),
        Some(n) => match lines.iter().position(Vec::is_empty) {
            Some(blank) => (blank + 1 + n).min(lines.len()),
            None => lines.len(),
        },
    };
    let mut out = match n {
        None => format!("+OK {} octets\r\n", msg.len()).into_bytes(),
        Some(_) => b"+OK\r\n".to_vec(),
    };
    for line in &lines[..keep] {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// TOP and RETR against a naive oracle, for messages of line breaks of
    /// every kind, periods and letters, streamed in any chunk size.
    #[test]
    fn top_and_retr_match_the_oracle(
        msg in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'.'), Just(b'\r'), Just(b'\n')], 0..60),
        n in 0usize..6,
        chunk in 1usize..10,
    ) {
        let mut app = App::new(vec![msg.clone()]);
        app.chunk = chunk;
        let mut s = Session::new(plain_config("h"), app);
        s.start(None);
        s.send(b"USER u\r\nPASS secret\r\n");
        let top = s.send(format!("TOP 1 {n}\r\n").as_bytes());
        prop_assert_eq!(top.as_bytes(), &oracle_top(&msg, Some(n))[..]);
        let retr = s.send(b"RETR 1\r\n");
        prop_assert_eq!(retr.as_bytes(), &oracle_top(&msg, None)[..]);
    }
}
