//! Header field lines: `Name:` then tokens, folded at white space.
//!
//! RFC 5322 section 2.1.1: a line SHOULD be at most 78 characters and MUST
//! be at most 998, CRLF excluded. Section 2.2.3: a field is folded by
//! putting a CRLF before white space; unfolding removes just the CRLF, so
//! folding changes nothing in the value.
//!
//! The writer here only ever folds *before* white space that is already
//! part of the value (or that the caller put there as a separator that the
//! grammar ignores), never inside a token.

/// RFC 5322 section 2.1.1: the line length to keep to where possible.
pub(crate) const SOFT_LIMIT: usize = 78;
/// RFC 5322 section 2.1.1: the line length never to pass.
pub(crate) const HARD_LIMIT: usize = 998;

/// Writes one header field, folding as it goes.
pub(crate) struct Folder<'o> {
    out: &'o mut Vec<u8>,
    /// Characters (octets) on the current line.
    col: usize,
    /// Whether the current line holds a token of the value, so that a fold
    /// before the next one leaves no line of white space only.
    has_token: bool,
}

impl<'o> Folder<'o> {
    /// Starts a field: writes `name:`.
    pub(crate) fn new(out: &'o mut Vec<u8>, name: &str) -> Self {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        Self {
            col: name.len() + 1,
            out,
            has_token: false,
        }
    }

    /// The current column.
    pub(crate) fn col(&self) -> usize {
        self.col
    }

    /// Whether a fold is possible before the next token.
    pub(crate) fn can_fold(&self) -> bool {
        self.has_token
    }

    /// Ends the current line; the next token starts the continuation line
    /// (its separator must be white space).
    pub(crate) fn fold(&mut self) {
        self.out.extend_from_slice(b"\r\n");
        self.col = 0;
        self.has_token = false;
    }

    /// Writes the separator `sep` (white space, or empty) and `token`,
    /// folding before `sep` first when the token would pass the soft limit
    /// and a fold is possible.
    pub(crate) fn token(&mut self, sep: &[u8], token: &[u8]) {
        if !sep.is_empty() && self.has_token && self.col + sep.len() + token.len() > SOFT_LIMIT {
            self.fold();
        }
        self.out.extend_from_slice(sep);
        self.out.extend_from_slice(token);
        self.col += sep.len() + token.len();
        self.has_token = true;
    }

    /// Ends the field with CRLF.
    pub(crate) fn finish(self) {
        self.out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_before_white_space_only_when_needed() {
        let mut out = Vec::new();
        let mut f = Folder::new(&mut out, "To");
        for _ in 0..10 {
            f.token(b" ", b"abcdefghij,");
        }
        f.finish();
        let text = String::from_utf8(out).unwrap();
        for line in text.split_terminator("\r\n") {
            assert!(line.len() <= SOFT_LIMIT, "{line:?}");
        }
        assert_eq!(
            text.replace("\r\n", ""),
            format!("To:{}", " abcdefghij,".repeat(10))
        );
    }

    #[test]
    fn never_folds_into_an_empty_line() {
        let mut out = Vec::new();
        let mut f = Folder::new(&mut out, &"X".repeat(70));
        f.token(b" ", &[b'a'; 20]);
        f.token(b" ", &[b'b'; 90]);
        f.finish();
        let expected = format!(
            "{}: {}\r\n {}\r\n",
            "X".repeat(70),
            "a".repeat(20),
            "b".repeat(90)
        );
        assert_eq!(out, expected.as_bytes());
    }
}
