//! Replies into bytes.

use bytes::BufMut;

use super::EncodeError;
use crate::types::Reply;

impl Reply<'_> {
    /// Writes the reply, each line ending in CRLF, into `out`: every line
    /// but the last as `NNN-`, the last as `NNN `, the enhanced status
    /// code (if any) at the start of every line.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ForbiddenByte`] when the text holds CR, NUL or
    /// another control character (LF separates lines; tab is allowed).
    /// Nothing is written then.
    ///
    /// ```
    /// use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
    ///
    /// let mut out = Vec::new();
    /// Reply::new(ReplyCode::OK, Some(EnhancedStatus::OK), "").encode(&mut out)?;
    /// assert_eq!(out, b"250 2.0.0\r\n");
    /// assert!(Reply::new(ReplyCode::OK, None, "a\rb").encode(&mut out).is_err());
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        for line in self.lines() {
            super::check_text("reply text", line)?;
        }
        let mut code = [0u8; 3];
        let n = self.code().get();
        code[0] = b'0' + (n / 100) as u8;
        code[1] = b'0' + (n / 10 % 10) as u8;
        code[2] = b'0' + (n % 10) as u8;
        let mut lines = self.lines().peekable();
        while let Some(line) = lines.next() {
            out.put_slice(&code);
            out.put_u8(if lines.peek().is_some() { b'-' } else { b' ' });
            if let Some(status) = self.status() {
                super::command::put_number(out, u64::from(status.class()));
                out.put_u8(b'.');
                super::command::put_number(out, u64::from(status.subject()));
                out.put_u8(b'.');
                super::command::put_number(out, u64::from(status.detail()));
                if !line.is_empty() {
                    out.put_u8(b' ');
                }
            }
            out.put_slice(line.as_bytes());
            out.put_slice(b"\r\n");
        }
        Ok(())
    }

    /// The reply as bytes.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    ///
    /// ```
    /// use mailwire_smtp::types::{Reply, ReplyCode};
    /// assert_eq!(Reply::new(ReplyCode::CLOSING, None, "Bye").to_bytes()?, b"221 Bye\r\n");
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(64);
        self.encode(&mut out)?;
        Ok(out)
    }
}
