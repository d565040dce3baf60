//! A 100 MiB message through the `imap_server` example (the sans-IO IMAP
//! server on tokio) in bounded memory: a raw Python socket client APPENDs
//! it as one synchronizing literal sent in pieces, the stored file must be
//! byte for byte the message, and a FETCH BODY.PEEK[] of it streamed to a
//! file by the same client must be too. The server's peak resident memory
//! must stay under 32 MiB throughout: the message streams socket ->
//! state machine -> file and file -> state machine -> socket in chunks. A
//! binary of its own, so that its load runs alone.

mod support;

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use support::{ExampleServer as Server, python, temp_dir};

const SIZE: usize = 100 << 20;

/// A message of about `SIZE` octets with CRLF line endings: a header,
/// then lines of varying length.
fn write_big_message(path: &Path) -> u64 {
    let mut out = BufWriter::new(File::create(path).unwrap());
    out.write_all(b"Subject: big\r\nFrom: big@example.org\r\n\r\n")
        .unwrap();
    let mut written = 0;
    let mut n = 0u64;
    while written < SIZE {
        let len = 1 + (n * 7919 % 997) as usize;
        let mut line = vec![b'a' + (n % 26) as u8; len];
        line.extend_from_slice(b"\r\n");
        out.write_all(&line).unwrap();
        written += line.len();
        n += 1;
    }
    out.flush().unwrap();
    fs::metadata(path).unwrap().len()
}

fn same_files(a: &Path, b: &Path) -> bool {
    let (mut a, mut b) = (File::open(a).unwrap(), File::open(b).unwrap());
    let (mut x, mut y) = (vec![0; 1 << 20], vec![0; 1 << 20]);
    loop {
        let n = a.read(&mut x).unwrap();
        if n == 0 {
            return b.read(&mut y).unwrap() == 0;
        }
        if b.read_exact(&mut y[..n]).is_err() || x[..n] != y[..n] {
            return false;
        }
    }
}

/// The stored messages of the INBOX (new/ and cur/).
fn stored(maildir: &Path) -> Vec<PathBuf> {
    ["new", "cur"]
        .iter()
        .flat_map(|sub| fs::read_dir(maildir.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .collect()
}

/// A raw IMAP client: `append PATH` sends the file as a synchronizing
/// literal in 1 MiB pieces; `fetch PATH` fetches message 1's BODY.PEEK[]
/// and streams the literal into the file. Prints the tagged lines.
const CLIENT: &str = r#"
import socket, sys
port, mode, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=120)
f = s.makefile("rb")
def line():
    l = f.readline()
    if not l:
        raise SystemExit("connection closed")
    return l
def until(tag):
    while True:
        l = line()
        if l.startswith(tag + b" "):
            print(l.decode().strip())
            return l
        if mode == "fetch" and l.startswith(b"* ") and b"FETCH" in l and l.rstrip().endswith(b"}"):
            size = int(l[l.rindex(b"{") + 1:l.rindex(b"}")])
            with open(path, "wb") as out:
                left = size
                while left:
                    chunk = f.read(min(left, 1 << 20))
                    if not chunk:
                        raise SystemExit("short literal")
                    out.write(chunk)
                    left -= len(chunk)
            print("literal", size, line().decode().strip())
line()
s.sendall(b"a1 LOGIN joe secret\r\n")
until(b"a1")
if mode == "append":
    import os
    size = os.path.getsize(path)
    s.sendall(b"a2 APPEND INBOX (\\Seen) {%d}\r\n" % size)
    l = line()
    if not l.startswith(b"+"):
        raise SystemExit("no continuation: %r" % l)
    with open(path, "rb") as src:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            s.sendall(chunk)
    s.sendall(b"\r\n")
    until(b"a2")
else:
    s.sendall(b"a2 SELECT INBOX\r\n")
    until(b"a2")
    s.sendall(b"a3 UID FETCH 1 (RFC822.SIZE BODY.PEEK[])\r\n")
    until(b"a3")
    s.sendall(b"a4 FETCH 1 (BODYSTRUCTURE)\r\n")
    print(line().decode().strip())
    until(b"a4")
s.sendall(b"a9 LOGOUT\r\n")
until(b"a9")
"#;

#[test]
fn a_100_mib_append_and_fetch_stream_in_bounded_memory() {
    let server =
        Server::start_example("imap_server", &["--user", "joe:secret", "--no-tls"], |_| {});
    let work = temp_dir();
    let source = work.path().join("big.eml");
    let size = write_big_message(&source);
    let port = server.port.to_string();

    let Some(out) = python(CLIENT, &[port.as_str(), "append", source.to_str().unwrap()]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("a2 OK [APPENDUID "), "{out}");
    let files = stored(&server.maildir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(same_files(&source, &files[0]), "the stored message differs");
    assert!(
        files[0].to_string_lossy().ends_with(":2,S"),
        "flags kept: {files:?}"
    );
    let after_append = server.peak_rss();

    let fetched = work.path().join("fetched.eml");
    let out = python(CLIENT, &[port.as_str(), "fetch", fetched.to_str().unwrap()]).unwrap();
    out.assert_success();
    assert!(out.stdout.contains(&format!("literal {size} )")), "{out}");
    assert!(out.stdout.contains("a3 OK"), "{out}");
    // The structure comes from one streaming scan of the file: the lines
    // counted, not estimated.
    let header = b"Subject: big\r\nFrom: big@example.org\r\n\r\n".len() as u64;
    let lines = fs::read(&source)
        .unwrap()
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        - 3;
    assert!(
        out.stdout.contains(&format!(
            r#"* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" {} {lines} NIL NIL NIL NIL))"#,
            size - header
        )),
        "{out}"
    );
    assert!(out.stdout.contains("a4 OK"), "{out}");
    assert!(same_files(&source, &fetched), "the fetched message differs");
    let peak = server.peak_rss();
    eprintln!(
        "100 MiB APPEND then FETCH: imap_server peak RSS {:.1} MiB after APPEND, {:.1} MiB after FETCH",
        after_append as f64 / 1048576.0,
        peak as f64 / 1048576.0
    );
    assert!(after_append < 32 << 20, "peak {} MiB", after_append >> 20);
    assert!(peak < 32 << 20, "peak {} MiB", peak >> 20);
}
