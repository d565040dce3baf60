//! Message bytes: line-ending normalization for `BDAT`, sizes, 8-bit scan.

use bytes::BytesMut;
use memchr::memchr2_iter;

const CRLF: &[u8] = b"\r\n";

/// Rewrites bare CR and bare LF as CRLF, streaming (a CR at the end of one
/// piece waits for the next).
#[derive(Debug, Clone, Default)]
pub(super) struct Normalizer {
    pending_cr: bool,
}

impl Normalizer {
    pub(super) fn feed(&mut self, mut input: &[u8], out: &mut BytesMut) {
        if self.pending_cr && !input.is_empty() {
            self.pending_cr = false;
            out.extend_from_slice(CRLF);
            if input[0] == b'\n' {
                input = &input[1..];
            }
        }
        let mut start = 0;
        let mut skip = usize::MAX;
        for at in memchr2_iter(b'\r', b'\n', input) {
            if at == skip {
                start = at + 1; // the LF of a CRLF, written with the CR
                continue;
            }
            out.extend_from_slice(&input[start..at]);
            out.extend_from_slice(CRLF);
            start = at + 1;
            if input[at] == b'\r' {
                if at + 1 == input.len() {
                    // Held back: `finish` or the next piece says what it is.
                    out.truncate(out.len() - 2);
                    self.pending_cr = true;
                    return;
                }
                if input[at + 1] == b'\n' {
                    skip = at + 1;
                }
            }
        }
        out.extend_from_slice(&input[start..]);
    }

    pub(super) fn finish(&mut self, out: &mut BytesMut) {
        if self.pending_cr {
            self.pending_cr = false;
            out.extend_from_slice(CRLF);
        }
    }
}

/// The length of `data` once bare CR and bare LF are CRLF, and whether it
/// then ends with a line break.
pub(super) fn normalized_len(data: &[u8]) -> (u64, bool) {
    let mut extra = 0u64;
    let mut skip = usize::MAX;
    for at in memchr2_iter(b'\r', b'\n', data) {
        if at == skip {
            continue; // the LF of a CRLF
        }
        if data[at] == b'\r' && data.get(at + 1) == Some(&b'\n') {
            skip = at + 1;
        } else {
            extra += 1; // a bare CR or LF becomes two octets
        }
    }
    let ends_line = matches!(data.last(), Some(b'\r' | b'\n'));
    (data.len() as u64 + extra, ends_line)
}

/// Whether `data` holds an octet above 127.
pub(super) fn has_8bit(data: &[u8]) -> bool {
    data.iter().any(|&b| b >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalize(pieces: &[&[u8]]) -> Vec<u8> {
        let mut n = Normalizer::default();
        let mut out = BytesMut::new();
        for piece in pieces {
            n.feed(piece, &mut out);
        }
        n.finish(&mut out);
        out.to_vec()
    }

    #[test]
    fn normalizes_bare_endings_across_pieces() {
        assert_eq!(normalize(&[b"a\nb\rc\r\nd"]), b"a\r\nb\r\nc\r\nd");
        assert_eq!(normalize(&[b"a\r", b"\nb\r", b"c\r"]), b"a\r\nb\r\nc\r\n");
        assert_eq!(normalize(&[b"\r\r\n\n"]), b"\r\n\r\n\r\n");
        assert_eq!(normalize(&[b"\r", b"\r", b"\n"]), b"\r\n\r\n");
    }

    #[test]
    fn normalized_len_matches_normalizer() {
        for case in [
            &b""[..],
            b"a",
            b"a\n",
            b"a\r",
            b"a\r\n",
            b"\r\r\n\n",
            b"x\ry\nz\r\n",
            b"\r\r",
            b"\n\r",
            b"a\r\rb",
        ] {
            let out = normalize(&[case]);
            let (len, ends) = normalized_len(case);
            assert_eq!(len, out.len() as u64, "{case:?}");
            assert_eq!(ends, out.ends_with(b"\r\n"), "{case:?}");
        }
    }
}
