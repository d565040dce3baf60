//! A 100 MiB message through the `smtp_server` example into its Maildir:
//! the server's peak resident memory must stay under 32 MiB (the message
//! streams from the socket through the state machine to the file in
//! bounded chunks). A binary of its own, so that its load runs alone.

mod support;

use support::{ExampleServer as Server, python};

const BIG_SENDER: &str = r#"
import socket, sys
port, size = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if line[3:4] != b"-":
            return line
reply()
s.sendall(b"EHLO client.test\r\n"); reply()
s.sendall(b"MAIL FROM:<big@example.org> SIZE=%d\r\n" % size); print(reply())
s.sendall(b"RCPT TO:<bob@example.net>\r\n"); print(reply())
s.sendall(b"DATA\r\n"); print(reply())
line = b"x" * 998 + b"\r\n"
block = line * 1024
sent = 0
s.sendall(b"Subject: big\r\n\r\n")
while sent + len(block) <= size:
    s.sendall(block)
    sent += len(block)
s.sendall(b".\r\n"); print(reply())
s.sendall(b"QUIT\r\n"); print(reply())
"#;

#[test]
fn a_100_mib_message_passes_in_bounded_memory() {
    const SIZE: u64 = 100 << 20;
    let mut server = Server::start(&["--max-size", "200000000", "--no-tls"]);
    let Some(out) = python(BIG_SENDER, &[&server.port.to_string(), &SIZE.to_string()]) else {
        return;
    };
    out.assert_success();
    assert!(out.stdout.contains("250"), "{out}");
    let stored = server.messages(1);
    let len = stored[0].len() as u64;
    assert!(
        len > SIZE - (2 << 20) && len < SIZE + (1 << 20),
        "stored {len} bytes"
    );
    let peak = server.peak_rss();
    assert!(peak < 32 << 20, "peak RSS {} MiB", peak >> 20);
    eprintln!(
        "100 MiB message: server peak RSS {:.1} MiB",
        peak as f64 / 1048576.0
    );
}
