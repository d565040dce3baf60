//! Inputs shared by the mailwire benches; the benches themselves live in
//! `benches/benches/`. Run them with `cargo bench -p mailwire-benches`.

pub mod imap_inputs;
pub mod message_inputs;
pub mod pop3_inputs;
pub mod smtp_inputs;
pub mod smtp_replies;

#[cfg(test)]
mod smtp_tests;

#[cfg(test)]
#[path = "message_workloads.rs"]
mod message_workloads;

#[cfg(test)]
mod message_tests;

/// Roughly `len` bytes of realistic mail text: header-like lines, prose
/// wrapped at 60-78 columns, quoted replies, blank lines, a few lines that
/// start with a dot (so dot-stuffing has work to do), CRLF line endings.
pub fn mail_text(len: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "message",
        "relay",
        "queue",
        "mailbox",
        "delivery",
        "server",
        "client",
        "header",
        "body",
        "Received:",
        "from",
        "by",
        "with",
        "ESMTP",
        "id",
        "for",
        "<user@example.org>",
        "hello,",
        "regards",
        "thanks",
        "attachment",
        "meeting",
        "tomorrow",
        "at",
        "10:00",
        "UTC",
    ];
    let mut out = Vec::with_capacity(len + 100);
    let mut rng = XorShift::new();
    let mut next = || rng.next_u32();
    while out.len() < len {
        let kind = next() % 20;
        match kind {
            0 => out.extend_from_slice(b"\r\n"),
            1 => out.extend_from_slice(b"."),
            2 | 3 => out.extend_from_slice(b"> "),
            _ => {}
        }
        let width = 60 + (next() % 19) as usize;
        let start = out.len();
        while out.len() - start < width {
            let w = WORDS[(next() as usize) % WORDS.len()];
            out.extend_from_slice(w.as_bytes());
            out.push(b' ');
        }
        out.pop();
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A tiny deterministic xorshift generator, so every run benches the same
/// bytes without a dependency.
#[derive(Debug, Clone)]
pub struct XorShift(u32);

impl XorShift {
    /// A generator with a fixed seed.
    pub fn new() -> Self {
        Self(0x9e37_79b9)
    }

    /// The next pseudo-random number.
    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}

impl Default for XorShift {
    fn default() -> Self {
        Self::new()
    }
}
