//! Responses, continuations and the lines of multi-line responses into
//! bytes.

use bytes::BufMut;

use super::{EncodeError, check_text, put_number};
use crate::parse::{is_rchar, resp_code_len};
use crate::types::{
    Capability, Continuation, Response, ResponseCode, ScanListing, UniqueIdListing,
};

impl Response<'_> {
    /// Checks the code and text, then writes the status line, CRLF
    /// included: the status, then ` [CODE]` if there is a code, then
    /// ` text` if there is text.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ForbiddenByte`] for CR, LF, NUL or another control
    /// character in the text; [`EncodeError::Invalid`] for a code that
    /// breaks `resp-code`, or for text without a code that would read
    /// back as one (it starts with `[CODE]`). Nothing is written then.
    ///
    /// ```
    /// use mailwire_pop3::types::{Response, ResponseCode};
    ///
    /// let mut out = Vec::new();
    /// Response::err_with(ResponseCode::InUse, "locked").encode(&mut out)?;
    /// assert_eq!(out, b"-ERR [IN-USE] locked\r\n");
    /// assert!(Response::ok("a\r\n+OK b").encode(&mut out).is_err());
    /// assert!(Response::ok("[AUTH] spoofed").encode(&mut out).is_err());
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        check_text("response text", self.text())?;
        match &self.code {
            Some(code) => check_code(code)?,
            None if resp_code_len(self.text().as_bytes()).is_some() => {
                return Err(EncodeError::Invalid {
                    field: "response text",
                    reason: "starts with a response code, but none is set",
                });
            }
            None => {}
        }
        out.put_slice(self.status().as_str().as_bytes());
        if let Some(code) = &self.code {
            out.put_slice(b" [");
            out.put_slice(code.as_str().as_bytes());
            out.put_u8(b']');
        }
        if !self.text().is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.text().as_bytes());
        }
        out.put_slice(b"\r\n");
        Ok(())
    }

    /// The status line as bytes, CRLF included.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    ///
    /// ```
    /// use mailwire_pop3::types::Response;
    /// assert_eq!(Response::ok("").to_bytes()?, b"+OK\r\n");
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(16 + self.text().len());
        self.encode(&mut out)?;
        Ok(out)
    }
}

fn check_code(code: &ResponseCode<'_>) -> Result<(), EncodeError> {
    let name = code.as_str();
    if let Some(byte) = name.bytes().find(|&b| b < 0x20 || b == 0x7f) {
        return Err(EncodeError::ForbiddenByte {
            field: "response code",
            byte,
        });
    }
    let valid = name
        .as_bytes()
        .split(|&b| b == b'/')
        .all(|level| !level.is_empty() && level.iter().all(|&b| is_rchar(b)));
    if valid {
        Ok(())
    } else {
        Err(EncodeError::Invalid {
            field: "response code",
            reason: "not resp-level *(\"/\" resp-level) of printable ASCII but \"]\"",
        })
    }
}

impl Continuation<'_> {
    /// Writes `+ data`, CRLF included.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ForbiddenByte`] for a control character in the
    /// data. Nothing is written then.
    ///
    /// ```
    /// use mailwire_pop3::types::Continuation;
    /// let mut out = Vec::new();
    /// Continuation::new("UGFzc3dvcmQ6").encode(&mut out)?;
    /// assert_eq!(out, b"+ UGFzc3dvcmQ6\r\n");
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        check_text("continuation", self.data())?;
        out.put_slice(b"+ ");
        out.put_slice(self.data().as_bytes());
        out.put_slice(b"\r\n");
        Ok(())
    }

    /// The continuation as bytes, CRLF included.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    ///
    /// ```
    /// use mailwire_pop3::types::Continuation;
    /// assert!(Continuation::new("\r").to_bytes().is_err());
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(4 + self.data().len());
        self.encode(&mut out)?;
        Ok(out)
    }
}

impl ScanListing {
    /// Writes `msg size`, CRLF included (a line of a `LIST` body, before
    /// dot-stuffing, which cannot change it).
    ///
    /// ```
    /// use mailwire_pop3::types::ScanListing;
    /// let mut out = Vec::new();
    /// ScanListing { msg: 2, size: 200 }.encode(&mut out);
    /// assert_eq!(out, b"2 200\r\n");
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) {
        put_number(out, u64::from(self.msg));
        out.put_u8(b' ');
        put_number(out, self.size);
        out.put_slice(b"\r\n");
    }

    /// The line as bytes, CRLF included.
    ///
    /// ```
    /// use mailwire_pop3::types::ScanListing;
    /// assert_eq!(ScanListing { msg: 1, size: 0 }.to_bytes(), b"1 0\r\n");
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        self.encode(&mut out);
        out
    }
}

impl UniqueIdListing<'_> {
    /// Writes `msg unique-id`, CRLF included.
    ///
    /// # Errors
    ///
    /// [`EncodeError::Invalid`] when the id is not 1 to 70 printable
    /// ASCII characters (RFC 1939 section 7). Nothing is written then.
    ///
    /// ```
    /// use mailwire_pop3::types::UniqueIdListing;
    /// let mut out = Vec::new();
    /// assert!(UniqueIdListing { msg: 1, uid: "a b" }.encode(&mut out).is_err());
    /// assert!(out.is_empty());
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        if let Some(byte) = self.uid.bytes().find(|&b| b < 0x20 || b == 0x7f) {
            return Err(EncodeError::ForbiddenByte {
                field: "unique id",
                byte,
            });
        }
        if !crate::parse::is_unique_id(self.uid.as_bytes()) {
            return Err(EncodeError::Invalid {
                field: "unique id",
                reason: "not 1 to 70 printable ASCII characters",
            });
        }
        put_number(out, u64::from(self.msg));
        out.put_u8(b' ');
        out.put_slice(self.uid.as_bytes());
        out.put_slice(b"\r\n");
        Ok(())
    }

    /// The line as bytes, CRLF included.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    ///
    /// ```
    /// use mailwire_pop3::types::UniqueIdListing;
    /// assert_eq!(UniqueIdListing { msg: 3, uid: "x" }.to_bytes()?, b"3 x\r\n");
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(16 + self.uid.len());
        self.encode(&mut out)?;
        Ok(out)
    }
}

impl Capability<'_> {
    /// Writes `name [SP params]`, CRLF included.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ForbiddenByte`] for a control character;
    /// [`EncodeError::Invalid`] for a name that is empty or holds a
    /// space or a period. Nothing is written then.
    ///
    /// ```
    /// use mailwire_pop3::types::Capability;
    /// let mut out = Vec::new();
    /// Capability::new("SASL", "PLAIN LOGIN").encode(&mut out)?;
    /// assert_eq!(out, b"SASL PLAIN LOGIN\r\n");
    /// assert!(Capability::new("X.Y", "").encode(&mut out).is_err());
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        for (field, text) in [
            ("capability name", self.name),
            ("capability parameter", self.params),
        ] {
            if let Some(byte) = text.bytes().find(|&b| b < 0x20 || b == 0x7f) {
                return Err(EncodeError::ForbiddenByte { field, byte });
            }
        }
        if self.name.is_empty() || !self.name.bytes().all(crate::parse::is_cchar) {
            return Err(EncodeError::Invalid {
                field: "capability name",
                reason: "not 1*cchar (printable ASCII but \".\")",
            });
        }
        out.put_slice(self.name.as_bytes());
        if !self.params.is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.params.as_bytes());
        }
        out.put_slice(b"\r\n");
        Ok(())
    }

    /// The line as bytes, CRLF included.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    ///
    /// ```
    /// use mailwire_pop3::types::Capability;
    /// assert_eq!(Capability::new("UIDL", "").to_bytes()?, b"UIDL\r\n");
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(8 + self.name.len() + self.params.len());
        self.encode(&mut out)?;
        Ok(out)
    }
}
