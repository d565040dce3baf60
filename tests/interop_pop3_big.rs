//! A 100 MiB message from the `pop3_server` example to the `pop3_fetch`
//! example (the sans-IO POP3 server and client on tokio): each side's
//! peak resident memory must stay under 32 MiB, as the message streams
//! file -> server machine -> socket -> client machine -> file in bounded
//! chunks, and the copy must be byte for byte. A binary of its own, so
//! that its load runs alone.

mod support;

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Child, ExampleServer as Server, example, peak_rss_of, temp_dir};

const SIZE: usize = 100 << 20;

/// A message of about `SIZE` octets: a header, then lines of varying
/// length, some starting with a dot (stuffed on the wire).
fn write_big_message(maildir: &Path) {
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let mut out = BufWriter::new(File::create(maildir.join("new/1700000000.big.test")).unwrap());
    out.write_all(b"Subject: big\r\n\r\n").unwrap();
    let mut written = 0;
    let mut n = 0u64;
    while written < SIZE {
        let len = 1 + (n * 7919 % 997) as usize;
        let first = if n % 13 == 0 {
            b'.'
        } else {
            b'a' + (n % 26) as u8
        };
        let mut line = vec![first; len];
        line.extend_from_slice(b"\r\n");
        out.write_all(&line).unwrap();
        written += line.len();
        n += 1;
    }
    out.flush().unwrap();
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

#[test]
fn a_100_mib_message_streams_through_server_and_client_in_bounded_memory() {
    let server = Server::start_example(
        "pop3_server",
        &["--user", "joe:secret", "--no-tls"],
        write_big_message,
    );
    let out = temp_dir();
    let mut command = Command::new(example("pop3_fetch"));
    command
        .args(["--server", &format!("127.0.0.1:{}", server.port)])
        .args(["--user", "joe:secret", "--out"])
        .arg(out.path());
    let mut client = Child::spawn("pop3_fetch", &mut command).unwrap();
    // VmHWM only grows: its last reading before the exit is the peak, up
    // to the last few milliseconds.
    let mut client_peak = 0;
    let started = Instant::now();
    let status = loop {
        if let Some(peak) = peak_rss_of(client.id()) {
            client_peak = client_peak.max(peak);
        }
        if let Some(status) = client.try_wait() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "pop3_fetch is still running: {client}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(status.success(), "{client}");
    let stdout = client.stdout();
    assert!(stdout.contains("1 message(s)"), "{client}");

    let fetched = out.path().join("1700000000.big.test.eml");
    let original = server.maildir.join("new/1700000000.big.test");
    assert!(same_files(&original, &fetched), "the copy differs");
    let server_peak = server.peak_rss();
    eprintln!(
        "100 MiB RETR: pop3_fetch peak RSS {:.1} MiB, pop3_server peak RSS {:.1} MiB",
        client_peak as f64 / 1048576.0,
        server_peak as f64 / 1048576.0
    );
    assert!(
        client_peak > 0 && client_peak < 32 << 20,
        "client peak {} MiB",
        client_peak >> 20
    );
    assert!(
        server_peak < 32 << 20,
        "server peak {} MiB",
        server_peak >> 20
    );
}
