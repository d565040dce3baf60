//! Clients we did not write against the server: Python's `poplib` and
//! curl's POP3 support, over a loopback TCP connection driven by a small
//! blocking loop around the sans-IO machine. Skipped (with a note) when the
//! client program is missing.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwire_core::sasl::Credentials;
use mailwire_pop3::server::{Event, Maildrop, Mechanism, MessageInfo, Server, ServerConfig};
use mailwire_pop3::types::{Response, ResponseCode};

const MESSAGES: [&[u8]; 2] = [
    b"Subject: first\r\n\r\nHello\r\n.dotted line\r\n",
    b"Subject: second\r\nX-Long: yes\r\n\r\nline 1\r\nline 2\r\nline 3\r\n",
];

fn available(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// Serves one connection; returns the deleted messages of the update, if
/// there was one.
fn serve(stream: TcpStream, config: ServerConfig) -> Option<Vec<u32>> {
    let mut stream = stream;
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut server = Server::new(Arc::new(config), Instant::now());
    server.set_nonce("4242.1700000000").unwrap();
    let mut out = BytesMut::new();
    let mut update = None;
    let mut buf = [0u8; 4096];
    let mut pending: Vec<u8> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        while let Some(event) = server.poll_event() {
            match event {
                Event::Login(login) => {
                    if login.password.expose() == "secret" {
                        server.accept_login(maildrop()).unwrap();
                    } else {
                        server
                            .reject_login(Response::err_with(ResponseCode::Auth, "bad password"))
                            .unwrap();
                    }
                }
                Event::Apop(apop) => {
                    assert!(apop.verify("secret"));
                    server.accept_login(maildrop()).unwrap();
                }
                Event::Auth(request) => {
                    let Credentials::Password { password, .. } = request.credentials else {
                        panic!("unexpected credentials");
                    };
                    assert_eq!(password.expose(), "secret");
                    server.accept_login(maildrop()).unwrap();
                }
                Event::Retrieve(retr) => {
                    server.send_message(MESSAGES[retr.index()]).unwrap();
                    server.end_message().unwrap();
                }
                Event::Update(u) => {
                    update = Some(u.deleted);
                    server.update_done().unwrap();
                }
                _ => {}
            }
        }
        if server.poll_output(&mut out) > 0 {
            stream.write_all(&out).unwrap();
            out.clear();
            continue;
        }
        if server.is_closed() {
            return update;
        }
        assert!(Instant::now() < deadline, "session took too long");
        if pending.is_empty() {
            match stream.read(&mut buf) {
                Ok(0) => return update,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    continue;
                }
                Err(e) => panic!("{e}"),
            }
        }
        let n = server.handle_input(Instant::now(), &pending);
        pending.drain(..n);
    }
}

fn maildrop() -> Maildrop {
    Maildrop::new(
        MESSAGES
            .iter()
            .enumerate()
            .map(|(i, m)| MessageInfo::new(m.len() as u64, format!("uid-{i}")).unwrap())
            .collect(),
    )
    .unwrap()
}

fn config() -> ServerConfig {
    let mut config = ServerConfig::new("localhost");
    config.plaintext_needs_tls = false;
    config.apop = true;
    config.sasl = vec![Mechanism::Plain, Mechanism::Login];
    config.implementation = Some("mailwire-test".into());
    config
}

/// Runs `client` (given the port) against one served connection.
fn with_client(client: impl FnOnce(u16) -> std::process::Output) -> Option<Vec<u32>> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        serve(stream, config())
    });
    let output = client(port);
    assert!(
        output.status.success(),
        "client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    handle.join().unwrap()
}

const POPLIB_SCRIPT: &str = r#"
import poplib, sys
port = int(sys.argv[1])
mode = sys.argv[2]
p = poplib.POP3("127.0.0.1", port, timeout=10)
assert p.getwelcome().startswith(b"+OK POP3 server ready <4242.1700000000@localhost>"), p.getwelcome()
caps = p.capa()
assert "UIDL" in caps and "TOP" in caps and caps["IMPLEMENTATION"] == ["mailwire-test"], caps
if mode == "apop":
    p.apop("joe", "secret")
else:
    p.user("joe")
    try:
        p.pass_("wrong")
        raise SystemExit("wrong password accepted")
    except poplib.error_proto as e:
        assert b"[AUTH]" in e.args[0], e
    p.user("joe")
    p.pass_("secret")
count, size = p.stat()
assert (count, size) == (2, 95), (count, size)
resp, listing, _ = p.list()
assert listing == [b"1 39", b"2 56"], listing
resp, uids, _ = p.uidl()
assert uids == [b"1 uid-0", b"2 uid-1"], uids
resp, lines, _ = p.retr(1)
assert lines == [b"Subject: first", b"", b"Hello", b".dotted line"], lines
resp, lines, _ = p.top(2, 1)
assert lines == [b"Subject: second", b"X-Long: yes", b"", b"line 1"], lines
p.dele(1)
try:
    p.retr(1)
    raise SystemExit("deleted message retrieved")
except poplib.error_proto:
    pass
p.noop()
p.quit()
"#;

#[test]
fn python_poplib_session() {
    if !available("python3") {
        eprintln!("python3 not found: skipped");
        return;
    }
    for mode in ["user", "apop"] {
        let update = with_client(|port| {
            Command::new("python3")
                .args(["-c", POPLIB_SCRIPT, &port.to_string(), mode])
                .output()
                .unwrap()
        });
        assert_eq!(update, Some(vec![1]), "{mode}");
    }
}

#[test]
fn curl_lists_the_maildrop() {
    if !available("curl") {
        eprintln!("curl not found: skipped");
        return;
    }
    // Without a message number in the URL, curl sends LIST.
    let mut stdout = Vec::new();
    let update = with_client(|port| {
        let output = Command::new("curl")
            .args([
                "-s",
                "--max-time",
                "10",
                "--user",
                "joe:secret",
                &format!("pop3://127.0.0.1:{port}/"),
            ])
            .output()
            .unwrap();
        stdout.clone_from(&output.stdout);
        output
    });
    assert_eq!(stdout, b"1 39\r\n2 56\r\n");
    assert_eq!(update, Some(vec![]));
}

#[test]
fn curl_retrieves_the_message_unstuffed() {
    if !available("curl") {
        eprintln!("curl not found: skipped");
        return;
    }
    let mut stdout = Vec::new();
    let update = with_client(|port| {
        let output = Command::new("curl")
            .args([
                "-s",
                "--max-time",
                "10",
                "--login-options",
                "AUTH=PLAIN",
                "--user",
                "joe:secret",
                &format!("pop3://127.0.0.1:{port}/1"),
            ])
            .output()
            .unwrap();
        stdout.clone_from(&output.stdout);
        output
    });
    assert_eq!(stdout, MESSAGES[0]);
    assert_eq!(update, Some(vec![]));
}
