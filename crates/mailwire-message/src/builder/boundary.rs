//! Multipart boundaries that cannot collide with the content.
//!
//! A boundary is `=_mw` followed by 16 hexadecimal digits: a 64-bit FNV-1a
//! hash of the encapsulated parts mixed with an attempt counter, so the
//! output is deterministic (no random numbers). `=_` cannot occur in
//! quoted-printable (`=` is followed by two hexadecimal digits or a line
//! break) nor in base64 (whose alphabet has no `_`), which RFC 2045 section
//! 6.7 suggests for exactly this purpose; the content is checked all the
//! same, since `7bit` parts and nested headers are written as they are,
//! and a new boundary is tried until none of the parts holds a line that
//! starts with `--` and the boundary. The same check keeps nested
//! multiparts apart: an outer boundary is checked against the inner
//! delimiter lines.

/// FNV-1a, 64 bits.
fn fnv1a(seed: u64, data: &[u8]) -> u64 {
    let mut hash = seed;
    for &b in data {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Whether a line of `content` starts with `--` and `boundary`.
fn collides(content: &[u8], boundary: &[u8]) -> bool {
    let finder = memchr::memmem::Finder::new(boundary);
    finder.find_iter(content).any(|at| {
        at >= 2
            && &content[at - 2..at] == b"--"
            && (at == 2 || matches!(content[at - 3], b'\n' | b'\r'))
    })
}

/// A boundary for a multipart holding `parts` (each as written, headers
/// and body).
pub(crate) fn boundary(parts: &[Vec<u8>]) -> String {
    let seed = parts
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |seed, part| fnv1a(seed, part));
    pick(seed, parts)
}

/// The boundary of attempt `attempt` from `seed`.
fn candidate(seed: u64, attempt: u64) -> String {
    format!("=_mw{:016x}", fnv1a(seed, &attempt.to_le_bytes()))
}

/// The first candidate from `seed` that no part collides with.
fn pick(seed: u64, parts: &[Vec<u8>]) -> String {
    (0u64..)
        .map(|attempt| candidate(seed, attempt))
        .find(|c| !parts.iter().any(|p| collides(p, c.as_bytes())))
        .expect("a 64-bit space of boundaries is never exhausted by finite content")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_delimiter_lines_only() {
        assert!(collides(b"--abc", b"abc"));
        assert!(collides(b"x\r\n--abc--\r\n", b"abc"));
        assert!(!collides(b"x --abc", b"abc"));
        assert!(!collides(b"x\r\n-abc", b"abc"));
    }

    #[test]
    fn retries_on_collision() {
        let first = candidate(7, 0);
        let second = candidate(7, 1);
        let trap = format!("hello\r\n--{first}\r\n").into_bytes();
        assert_eq!(pick(7, &[b"hello".to_vec()]), first);
        assert_eq!(pick(7, std::slice::from_ref(&trap)), second);
        let both = format!("--{second}--\r\n").into_bytes();
        assert_eq!(pick(7, &[trap, both]), candidate(7, 2));
        let b = boundary(&[b"x".to_vec()]);
        assert!(b.starts_with("=_mw") && b.len() == 20);
    }
}
