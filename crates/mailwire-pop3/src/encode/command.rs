//! Commands and SASL responses into bytes.

use bytes::BufMut;

use super::{EncodeError, check_text, check_with, check_word, put_number};
use crate::parse::{is_base64, is_digest, is_lang, is_mechanism};
use crate::types::{Command, InitialResponse, SaslResponse};

impl Command<'_> {
    /// Checks every field, then writes the command line, CRLF included,
    /// into `out`: the keyword in upper case, arguments separated by one
    /// space.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ForbiddenByte`] for CR, LF, NUL or another control
    /// character in a field (a space in a one-word field);
    /// [`EncodeError::Invalid`] for a field that breaks its grammar (an
    /// APOP digest that is not 32 hex digits, a bad SASL mechanism name,
    /// an initial response that is not base64, an empty password).
    /// Nothing is written then.
    ///
    /// ```
    /// use mailwire_pop3::types::{Command, InitialResponse, Secret};
    ///
    /// let mut out = Vec::new();
    /// Command::Auth {
    ///     mechanism: Some("PLAIN"),
    ///     initial_response: Some(InitialResponse::Base64(Secret::new("dGVzdAB0ZXN0AHRlc3Q="))),
    /// }
    /// .encode(&mut out)?;
    /// assert_eq!(out, b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    /// assert!(Command::Pass { password: Secret::new("x\0y") }.encode(&mut out).is_err());
    /// assert_eq!(out.len(), 33); // nothing written for the refused one
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        self.check()?;
        out.put_slice(self.keyword().as_bytes());
        fn word(out: &mut impl BufMut, w: &[u8]) {
            out.put_u8(b' ');
            out.put_slice(w);
        }
        fn number(out: &mut impl BufMut, n: u32) {
            out.put_u8(b' ');
            put_number(out, u64::from(n));
        }
        match self {
            Command::User { name } => word(out, name.as_bytes()),
            Command::Pass { password } => word(out, password.expose().as_bytes()),
            Command::Apop { name, digest } => {
                word(out, name.as_bytes());
                word(out, digest.as_bytes());
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                if let Some(mechanism) = mechanism {
                    word(out, mechanism.as_bytes());
                    match initial_response {
                        Some(InitialResponse::Empty) => word(out, b"="),
                        Some(InitialResponse::Base64(data)) => {
                            word(out, data.expose().as_bytes());
                        }
                        None => {}
                    }
                }
            }
            Command::List { msg } | Command::Uidl { msg } => {
                if let Some(msg) = msg {
                    number(out, *msg);
                }
            }
            Command::Retr { msg } | Command::Dele { msg } => number(out, *msg),
            Command::Top { msg, lines } => {
                number(out, *msg);
                number(out, *lines);
            }
            Command::Lang { tag } => {
                if let Some(tag) = tag {
                    word(out, tag.as_bytes());
                }
            }
            Command::Stat
            | Command::Noop
            | Command::Rset
            | Command::Quit
            | Command::Capa
            | Command::Stls
            | Command::Utf8 => {}
        }
        out.put_slice(b"\r\n");
        Ok(())
    }

    /// The command line as bytes, CRLF included.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    ///
    /// ```
    /// use mailwire_pop3::types::Command;
    /// assert_eq!(Command::Lang { tag: Some("*") }.to_bytes()?, b"LANG *\r\n");
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(32);
        self.encode(&mut out)?;
        Ok(out)
    }

    fn check(&self) -> Result<(), EncodeError> {
        match self {
            Command::User { name } => check_word("user name", name),
            Command::Pass { password } => {
                let password = password.expose();
                if password.is_empty() {
                    return Err(EncodeError::Invalid {
                        field: "password",
                        reason: "empty",
                    });
                }
                check_text("password", password)
            }
            Command::Apop { name, digest } => {
                check_word("user name", name)?;
                check_with("APOP digest", digest, is_digest, "not 32 hex digits")
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                let Some(mechanism) = mechanism else {
                    return match initial_response {
                        Some(_) => Err(EncodeError::Invalid {
                            field: "AUTH initial response",
                            reason: "given without a mechanism",
                        }),
                        None => Ok(()),
                    };
                };
                check_with(
                    "SASL mechanism",
                    mechanism,
                    is_mechanism,
                    "not 1 to 20 of A-Z 0-9 - _",
                )?;
                match initial_response {
                    Some(InitialResponse::Base64(data)) => check_with(
                        "AUTH initial response",
                        data.expose(),
                        |w| !w.is_empty() && w != b"=" && is_base64(w),
                        "not base64",
                    ),
                    _ => Ok(()),
                }
            }
            Command::Lang { tag: Some(tag) } => {
                check_with("language tag", tag, is_lang, "not a language tag or \"*\"")
            }
            _ => Ok(()),
        }
    }
}

impl SaslResponse<'_> {
    /// Writes the line, CRLF included: the base64 data, or `*`.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ForbiddenByte`] / [`EncodeError::Invalid`] when the
    /// data is not base64. Nothing is written then.
    ///
    /// ```
    /// use mailwire_pop3::types::{SaslResponse, Secret};
    ///
    /// let mut out = Vec::new();
    /// SaslResponse::Cancel.encode(&mut out)?;
    /// assert_eq!(out, b"*\r\n");
    /// assert!(SaslResponse::Data(Secret::new("a\r\nQUIT")).encode(&mut out).is_err());
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        match self {
            SaslResponse::Cancel => out.put_slice(b"*"),
            SaslResponse::Data(data) => {
                check_with("SASL response", data.expose(), is_base64, "not base64")?;
                out.put_slice(data.expose().as_bytes());
            }
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
    /// use mailwire_pop3::types::{SaslResponse, Secret};
    /// assert_eq!(SaslResponse::Data(Secret::new("")).to_bytes()?, b"\r\n");
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(32);
        self.encode(&mut out)?;
        Ok(out)
    }
}
