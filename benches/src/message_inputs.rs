//! Messages for the `message` bench: the test corpus of `mailwire-message`
//! when it is present, and three generated messages that stress one thing
//! each (a large base64 body, many parts, a long header).
//!
//! Everything generated here is deterministic (the shared [`XorShift`]),
//! CRLF-terminated and valid MIME, so all three parsers in the bench agree
//! on its structure; `message_workloads`' tests check that they do.

use std::path::{Path, PathBuf};

use crate::{XorShift, mail_text};

/// One bench input: one or more whole messages, parsed one after the other
/// in each iteration.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name criterion shows.
    pub name: &'static str,
    /// The raw messages.
    pub messages: Vec<Vec<u8>>,
}

impl Input {
    /// Total bytes of all messages (the throughput unit).
    pub fn len(&self) -> usize {
        self.messages.iter().map(Vec::len).sum()
    }

    /// Whether there is no byte to parse.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where the corpus of `mailwire-message`'s tests lives.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/mailwire-message/tests/corpus")
}

/// Every `.eml` file of the corpus, in file name order, as one input; `None`
/// when the directory does not exist or holds no `.eml` file.
///
/// # Panics
///
/// When a file that is listed cannot be read.
pub fn corpus() -> Option<Input> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    if paths.is_empty() {
        return None;
    }
    paths.sort();
    let messages = paths
        .iter()
        .map(|path| {
            std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        })
        .collect();
    Some(Input {
        name: "corpus",
        messages,
    })
}

/// The three generated inputs: [`attachment_1mib`], [`multipart_50`],
/// [`received_200`].
pub fn generated() -> Vec<Input> {
    vec![
        Input {
            name: "attachment_1mib",
            messages: vec![attachment_1mib()],
        },
        Input {
            name: "multipart_50",
            messages: vec![multipart_50()],
        },
        Input {
            name: "received_200",
            messages: vec![received_200()],
        },
    ]
}

/// Size of the attachment of [`attachment_1mib`], before encoding.
pub const ATTACHMENT_SIZE: usize = 1024 * 1024;

/// A `multipart/mixed` message: a short text part and a 1 MiB attachment
/// of pseudo-random bytes in base64 (76-character lines, CRLF).
pub fn attachment_1mib() -> Vec<u8> {
    let mut rng = XorShift::new();
    let data: Vec<u8> = (0..ATTACHMENT_SIZE)
        .map(|_| (rng.next_u32() >> 24) as u8)
        .collect();
    let mut out = Vec::with_capacity(ATTACHMENT_SIZE * 14 / 10);
    top_header(&mut out, "Quarterly figures", 1);
    out.extend_from_slice(
        b"MIME-Version: 1.0\r\n\
          Content-Type: multipart/mixed; boundary=\"=_mw_attach_1\"\r\n\
          \r\n\
          This is a multi-part message in MIME format.\r\n\
          --=_mw_attach_1\r\n\
          Content-Type: text/plain; charset=utf-8\r\n\
          Content-Transfer-Encoding: 7bit\r\n\
          \r\n",
    );
    out.extend_from_slice(&mail_text(1500));
    out.extend_from_slice(
        b"\r\n--=_mw_attach_1\r\n\
          Content-Type: application/octet-stream; name=\"figures.bin\"\r\n\
          Content-Disposition: attachment; filename=\"figures.bin\"\r\n\
          Content-Transfer-Encoding: base64\r\n\
          \r\n",
    );
    base64_lines(&data, &mut out);
    out.extend_from_slice(b"\r\n--=_mw_attach_1--\r\n");
    out
}

/// Top-level parts of [`multipart_50`].
pub const MULTIPART_PARTS: usize = 50;

/// A `multipart/mixed` message with [`MULTIPART_PARTS`] parts of mixed
/// kinds, in turn: `text/plain` in quoted-printable (UTF-8, or ISO-8859-1
/// every other time), `text/html`, a small base64 PNG, a nested
/// `multipart/alternative` (plain and HTML) and a `message/rfc822`.
pub fn multipart_50() -> Vec<u8> {
    let mut rng = XorShift::new();
    let mut out = Vec::with_capacity(256 * 1024);
    top_header(&mut out, "Minutes, slides and photos", 2);
    out.extend_from_slice(
        b"MIME-Version: 1.0\r\n\
          Content-Type: multipart/mixed; boundary=\"=_mw_mixed_50\"\r\n\
          \r\n",
    );
    for i in 0..MULTIPART_PARTS {
        out.extend_from_slice(b"--=_mw_mixed_50\r\n");
        match i % 5 {
            0 => {
                let latin1 = i % 10 == 5;
                let charset = if latin1 { "iso-8859-1" } else { "utf-8" };
                out.extend_from_slice(
                    format!(
                        "Content-Type: text/plain; charset={charset}; format=flowed\r\n\
                         Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                    )
                    .as_bytes(),
                );
                let text = accented_text(1500 + 100 * i, latin1);
                qp_encode(&text, &mut out);
            }
            1 => {
                out.extend_from_slice(
                    b"Content-Type: text/html; charset=us-ascii\r\n\
                      Content-Transfer-Encoding: 7bit\r\n\r\n",
                );
                html(2000 + 50 * i, &mut out);
            }
            2 => {
                out.extend_from_slice(
                    format!(
                        "Content-Type: image/png; name=\"photo-{i}.png\"\r\n\
                         Content-Disposition: inline; filename=\"photo-{i}.png\"\r\n\
                         Content-ID: <photo-{i}@bench.mailwire.example>\r\n\
                         Content-Transfer-Encoding: base64\r\n\r\n"
                    )
                    .as_bytes(),
                );
                let size = 2048 + (rng.next_u32() % 4096) as usize;
                let data: Vec<u8> = (0..size).map(|_| (rng.next_u32() >> 24) as u8).collect();
                base64_lines(&data, &mut out);
            }
            3 => {
                out.extend_from_slice(
                    format!(
                        "Content-Type: multipart/alternative; boundary=\"=_mw_alt_{i}\"\r\n\r\n\
                         --=_mw_alt_{i}\r\n\
                         Content-Type: text/plain; charset=utf-8\r\n\
                         Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                    )
                    .as_bytes(),
                );
                qp_encode(&accented_text(1200, false), &mut out);
                out.extend_from_slice(
                    format!(
                        "\r\n--=_mw_alt_{i}\r\n\
                         Content-Type: text/html; charset=utf-8\r\n\
                         Content-Transfer-Encoding: 8bit\r\n\r\n"
                    )
                    .as_bytes(),
                );
                html(1500, &mut out);
                out.extend_from_slice(format!("\r\n--=_mw_alt_{i}--").as_bytes());
            }
            _ => {
                out.extend_from_slice(
                    b"Content-Type: message/rfc822\r\n\
                      Content-Disposition: attachment\r\n\r\n",
                );
                top_header(&mut out, "Fwd: the earlier thread", 100 + i as u32);
                out.extend_from_slice(
                    b"MIME-Version: 1.0\r\n\
                      Content-Type: text/plain; charset=utf-8\r\n\
                      Content-Transfer-Encoding: 8bit\r\n\r\n",
                );
                let text = accented_text(1000, false);
                out.extend_from_slice(&text[..text.len() - 2]);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--=_mw_mixed_50--\r\n");
    out
}

/// `Received` fields in [`received_200`].
pub const RECEIVED_FIELDS: usize = 200;

/// A message with [`RECEIVED_FIELDS`] `Received` fields, folded as Postfix
/// and Exim write them, then the usual originator fields and a short text
/// body.
pub fn received_200() -> Vec<u8> {
    let mut rng = XorShift::new();
    let mut out = Vec::with_capacity(64 * 1024);
    for i in 0..RECEIVED_FIELDS {
        let r = rng.next_u32();
        let [a, b, c, d] = r.to_be_bytes();
        let hop = RECEIVED_FIELDS - i;
        let (min, sec) = ((hop / 60) % 60, hop % 60);
        let id: String = (0..12)
            .map(|_| {
                let k = (rng.next_u32() % 36) as u8;
                char::from(if k < 10 { b'0' + k } else { b'A' + k - 10 })
            })
            .collect();
        let field = if i % 2 == 0 {
            format!(
                "Received: from relay{a}.example.net (relay{a}.example.net [198.51.{b}.{c}])\r\n\
                 \tby mx{d}.example.org (Postfix) with ESMTPS id 4X{id}\r\n\
                 \tfor <bob@example.org>; Tue, 12 Mar 2024 10:{min:02}:{sec:02} +0000 (UTC)\r\n"
            )
        } else {
            format!(
                "Received: from [203.0.{a}.{b}] (helo=smtp{c}.example.com)\r\n\
                 \tby hub{d}.example.net with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n\
                 \t(Exim 4.96)\r\n\
                 \t(envelope-from <alice@example.com>)\r\n\
                 \tid 1r{}-00{}-{}\r\n\
                 \tfor bob@example.org;\r\n\
                 \tTue, 12 Mar 2024 10:{min:02}:{sec:02} +0100\r\n",
                &id[..4],
                &id[4..10],
                &id[10..]
            )
        };
        out.extend_from_slice(field.as_bytes());
    }
    top_header(&mut out, "Re: the relay loop", 3);
    out.extend_from_slice(
        b"MIME-Version: 1.0\r\n\
          Content-Type: text/plain; charset=utf-8\r\n\
          Content-Transfer-Encoding: 7bit\r\n\r\n",
    );
    out.extend_from_slice(&mail_text(600));
    out
}

/// The originator fields every generated message starts with.
fn top_header(out: &mut Vec<u8>, subject: &str, n: u32) {
    out.extend_from_slice(
        format!(
            "From: \"Alice Example\" <alice@example.com>\r\n\
             Sender: =?utf-8?q?Secr=C3=A9tariat?= <office@example.com>\r\n\
             To: Bob <bob@example.org>, \"Carol, M.\" <carol@example.org>,\r\n \
             dave@example.net (Dave), Team: erin@example.org, frank@example.org;\r\n\
             Cc: =?iso-8859-1?q?Andr=E9?= Pirard <andre@example.be>\r\n\
             Reply-To: list@example.org\r\n\
             Subject: {subject} =?utf-8?b?4oCUIMOpdMOp?=\r\n\
             Date: Tue, 12 Mar 2024 10:{n:02}:00 +0100\r\n\
             Message-ID: <bench.{n}@example.com>\r\n\
             In-Reply-To: <bench.{}@example.com>\r\n\
             References: <bench.0@example.com>\r\n \
             <bench.{}@example.com>\r\n\
             X-Mailer: mailwire-bench\r\n",
            n.saturating_sub(1),
            n.saturating_sub(1)
        )
        .as_bytes(),
    );
}

/// Mail text with accented letters, UTF-8 (or ISO-8859-1 when `latin1`),
/// CRLF line endings, about `len` bytes.
fn accented_text(len: usize, latin1: bool) -> Vec<u8> {
    let text = String::from_utf8(mail_text(len)).expect("mail_text is ASCII");
    let text = text
        .replace("meeting", "réunion")
        .replace("thanks", "merci à vous")
        .replace("regards", "amitiés");
    let text = if latin1 {
        text
    } else {
        text.replace("10:00", "10:00 €")
    };
    if latin1 {
        text.chars().map(|c| c as u32 as u8).collect()
    } else {
        text.into_bytes()
    }
}

/// A small HTML document of about `len` bytes.
fn html(len: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<html><head><title>Minutes</title></head><body>\r\n");
    let text = mail_text(len);
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        out.extend_from_slice(b"<p>");
        for &b in line {
            match b {
                b'<' => out.extend_from_slice(b"&lt;"),
                b'>' => out.extend_from_slice(b"&gt;"),
                _ => out.push(b),
            }
        }
        out.extend_from_slice(b"</p>\r\n");
    }
    out.extend_from_slice(b"</body></html>");
}

/// `data` in base64, 76 characters a line, each line ending in CRLF except
/// the last.
pub fn base64_lines(data: &[u8], out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (i, chunk) in data.chunks(57).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        for group in chunk.chunks(3) {
            let n = (u32::from(group[0]) << 16)
                | (u32::from(*group.get(1).unwrap_or(&0)) << 8)
                | u32::from(*group.get(2).unwrap_or(&0));
            out.push(ALPHABET[(n >> 18) as usize & 63]);
            out.push(ALPHABET[(n >> 12) as usize & 63]);
            out.push(if group.len() > 1 {
                ALPHABET[(n >> 6) as usize & 63]
            } else {
                b'='
            });
            out.push(if group.len() > 2 {
                ALPHABET[n as usize & 63]
            } else {
                b'='
            });
        }
    }
}

/// `text` (CRLF lines) in quoted-printable: `=`, non-ASCII bytes and
/// trailing white space escaped, soft line breaks before column 76. No
/// final line break.
pub fn qp_encode(text: &[u8], out: &mut Vec<u8>) {
    let text = text.strip_suffix(b"\r\n").unwrap_or(text);
    for (n, line) in text.split(|&b| b == b'\n').enumerate() {
        if n > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut column = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let escape = b == b'=' || !(b == b' ' || b.is_ascii_graphic()) || (last && b == b' ');
            let width = if escape { 3 } else { 1 };
            if column + width > 75 {
                out.extend_from_slice(b"=\r\n");
                column = 0;
            }
            if escape {
                out.extend_from_slice(format!("={b:02X}").as_bytes());
            } else {
                out.push(b);
            }
            column += width;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lines_are_76_columns() {
        let mut out = Vec::new();
        base64_lines(&[0xff; 100], &mut out);
        let lines: Vec<_> = out.split(|&b| b == b'\n').collect();
        assert_eq!(lines[0].len(), 77);
        assert!(lines[0].ends_with(b"\r"));
        assert!(lines[1].ends_with(b"/w=="));
    }

    #[test]
    fn qp_lines_fit() {
        let mut out = Vec::new();
        qp_encode(&accented_text(5000, false), &mut out);
        for line in out.split(|&b| b == b'\n') {
            assert!(line.len() <= 77, "{}", String::from_utf8_lossy(line));
            assert!(line.is_ascii());
        }
    }

    #[test]
    fn inputs_have_their_sizes() {
        let attachment = attachment_1mib();
        assert!(attachment.len() > ATTACHMENT_SIZE * 4 / 3);
        assert_eq!(
            multipart_50()
                .windows(b"--=_mw_mixed_50\r\n".len())
                .filter(|w| *w == b"--=_mw_mixed_50\r\n")
                .count(),
            MULTIPART_PARTS
        );
        let received = received_200();
        let count = received
            .split(|&b| b == b'\n')
            .filter(|line| line.starts_with(b"Received:"))
            .count();
        assert_eq!(count, RECEIVED_FIELDS);
    }
}
