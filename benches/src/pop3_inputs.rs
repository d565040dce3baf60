//! Inputs for the `pop3` bench: a session's worth of command lines, the
//! multi-line LIST and UIDL answers of a large maildrop, and a 1 MiB RETR
//! answer, each as the bytes on the wire.

/// The command lines a client sends in one session that downloads and
/// deletes 20 messages, CRLF included, one `Vec` per line.
#[must_use]
pub fn session_commands() -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = vec![
        b"CAPA\r\n".to_vec(),
        b"USER mrose\r\n".to_vec(),
        b"PASS tanstaaf\r\n".to_vec(),
        b"STAT\r\n".to_vec(),
        b"LIST\r\n".to_vec(),
        b"UIDL\r\n".to_vec(),
    ];
    for i in 1..=20 {
        lines.push(format!("LIST {i}\r\n").into_bytes());
        lines.push(format!("TOP {i} 10\r\n").into_bytes());
        lines.push(format!("RETR {i}\r\n").into_bytes());
        lines.push(format!("DELE {i}\r\n").into_bytes());
        lines.push(format!("UIDL {i}\r\n").into_bytes());
    }
    lines.push(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n".to_vec());
    lines.push(b"NOOP\r\n".to_vec());
    lines.push(b"RSET\r\n".to_vec());
    lines.push(b"QUIT\r\n".to_vec());
    lines
}

/// The answer to `LIST` for a maildrop of `messages` messages.
#[must_use]
pub fn list_response(messages: u32) -> Vec<u8> {
    let mut rng = crate::XorShift::new();
    let mut out = format!("+OK {messages} messages\r\n").into_bytes();
    for i in 1..=messages {
        let size = 1000 + rng.next_u32() % 200_000;
        out.extend_from_slice(format!("{i} {size}\r\n").as_bytes());
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The answer to `UIDL` for a maildrop of `messages` messages, with
/// Dovecot-like unique ids.
#[must_use]
pub fn uidl_response(messages: u32) -> Vec<u8> {
    let mut rng = crate::XorShift::new();
    let mut out = b"+OK\r\n".to_vec();
    for i in 1..=messages {
        let (a, b) = (rng.next_u32(), rng.next_u32());
        out.extend_from_slice(format!("{i} {a:08x}{b:08x}.{i:06}\r\n").as_bytes());
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The answer to `RETR` with a dot-stuffed message body of about `len`
/// bytes.
#[must_use]
pub fn retr_response(len: usize) -> Vec<u8> {
    let body = crate::mail_text(len);
    let mut out = format!("+OK {} octets\r\n", body.len()).into_bytes();
    let mut at_line_start = true;
    for &b in &body {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    out.extend_from_slice(b".\r\n");
    out
}
