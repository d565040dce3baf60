//! SASL mechanisms shared by SMTP `AUTH` (RFC 4954), POP3 `AUTH`
//! (RFC 5034) and IMAP `AUTHENTICATE`: the client responses of `PLAIN`
//! (RFC 4616), `LOGIN`, `XOAUTH2` and `CRAM-MD5` (RFC 2195) decoded into
//! [`Credentials`], and the client side of each.
//!
//! The protocol crates' servers use these to turn the base64 lines of an
//! authentication exchange into credentials for the application to check;
//! their clients use the encoders. Secrets (passwords, tokens, CRAM-MD5
//! digests) are redacted in [`Debug`](core::fmt::Debug) output.
//!
//! ```
//! use mailwire_core::sasl::{self, Credentials};
//!
//! // What a client sends for AUTH PLAIN (RFC 4616 section 4).
//! let line = sasl::encode_plain("", "tim", "tanstaaftanstaaf");
//! assert_eq!(line, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
//!
//! // What a server makes of it.
//! let decoded = sasl::decode_base64(line.as_bytes())?;
//! let Credentials::Password { authzid, username, password } = sasl::parse_plain(&decoded)? else {
//!     unreachable!()
//! };
//! assert_eq!((authzid, username.as_str()), (None, "tim"));
//! assert_eq!(password.expose(), "tanstaaftanstaaf");
//! assert_eq!(format!("{password:?}"), "<redacted>");
//! # Ok::<(), sasl::SaslError>(())
//! ```

use core::fmt;

use crate::encoding::base64::encode_wrapped;
use crate::encoding::{Base64Decoder, Strictness};
use hmac::{Hmac, Mac};
use md5::Md5;

/// A secret string (password, bearer token): its [`Debug`](fmt::Debug)
/// prints `<redacted>`; read it with [`expose`](Self::expose).
///
/// ```
/// use mailwire_core::sasl::Secret;
/// let s = Secret::from("hunter2".to_owned());
/// assert_eq!(s.expose(), "hunter2");
/// assert_eq!(format!("{s:?}"), "<redacted>");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What a client presented to authenticate.
///
/// ```
/// use mailwire_core::sasl::{Credentials, Secret};
/// let c = Credentials::Password {
///     authzid: None,
///     username: "joe".into(),
///     password: Secret::from("pw".to_owned()),
/// };
/// assert_eq!(c.username(), "joe");
/// assert!(!format!("{c:?}").contains("pw\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// `PLAIN` or `LOGIN`: a user name and a password.
    Password {
        /// `PLAIN`'s authorization identity (act as this user), when not
        /// empty. `LOGIN` has none.
        authzid: Option<String>,
        /// The authentication identity.
        username: String,
        /// The password.
        password: Secret,
    },
    /// `XOAUTH2`: a user name and an OAuth 2.0 bearer token.
    Token {
        /// The `user=` field.
        username: String,
        /// The bearer token of the `auth=Bearer` field.
        token: Secret,
    },
    /// `CRAM-MD5`: a user name and a keyed digest of the challenge; check
    /// it with [`CramMd5Response::verify`].
    CramMd5(CramMd5Response),
}

impl Credentials {
    /// The user name, whatever the mechanism.
    #[must_use]
    pub fn username(&self) -> &str {
        match self {
            Self::Password { username, .. } | Self::Token { username, .. } => username,
            Self::CramMd5(response) => &response.username,
        }
    }
}

/// A `CRAM-MD5` response (RFC 2195): the user name, and the HMAC-MD5 of the
/// server's challenge keyed with the user's password.
///
/// The server cannot recover the password; it checks the digest against
/// the password it stores with [`verify`](Self::verify).
///
/// ```
/// use mailwire_core::sasl;
///
/// // RFC 2195 section 2.
/// let challenge = "<1896.697170952@postoffice.reston.mci.net>";
/// let response = sasl::cram_md5_response("tim", "tanstaaftanstaaf", challenge);
/// assert_eq!(response, "tim b913a602c7eda7a495b4e6e7334d3890");
/// let parsed = sasl::parse_cram_md5(response.as_bytes(), challenge)?;
/// assert_eq!(parsed.username(), "tim");
/// assert!(parsed.verify(b"tanstaaftanstaaf"));
/// assert!(!parsed.verify(b"wrong"));
/// # Ok::<(), sasl::SaslError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CramMd5Response {
    username: String,
    challenge: String,
    digest: [u8; 16],
}

impl CramMd5Response {
    /// The user name.
    #[must_use]
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The challenge the server sent (before base64), `<...@host>`.
    #[must_use]
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// Whether the digest is the HMAC-MD5 of the challenge keyed with
    /// `password`. The comparison takes the same time wherever the digests
    /// differ.
    #[must_use]
    pub fn verify(&self, password: &[u8]) -> bool {
        let Ok(mut mac) = Hmac::<Md5>::new_from_slice(password) else {
            return false;
        };
        mac.update(self.challenge.as_bytes());
        mac.verify_slice(&self.digest).is_ok()
    }
}

impl fmt::Debug for CramMd5Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CramMd5Response")
            .field("username", &self.username)
            .field("challenge", &self.challenge)
            .field("digest", &"<redacted>")
            .finish()
    }
}

/// Why a SASL response was refused.
///
/// ```
/// use mailwire_core::sasl::{self, SaslError};
/// assert_eq!(sasl::decode_base64(b"!!"), Err(SaslError::Base64));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The line is not canonical base64 (RFC 4648).
    #[error("response is not valid base64")]
    Base64,
    /// The decoded response breaks the mechanism's grammar; the text says
    /// how.
    #[error("malformed response: {0}")]
    Malformed(&'static str),
}

/// Decodes one base64 response line (without its CRLF), strictly: the
/// alphabet and correct padding only. An empty line decodes to nothing.
///
/// # Errors
///
/// [`SaslError::Base64`].
///
/// ```
/// assert_eq!(mailwire_core::sasl::decode_base64(b"dGlt")?, b"tim");
/// # Ok::<(), mailwire_core::sasl::SaslError>(())
/// ```
pub fn decode_base64(line: &[u8]) -> Result<Vec<u8>, SaslError> {
    if line.contains(&b'\r') || line.contains(&b'\n') {
        return Err(SaslError::Base64);
    }
    let mut decoder = Base64Decoder::with_strictness(Strictness::Strict);
    let mut out = Vec::with_capacity(line.len() / 4 * 3 + 3);
    decoder
        .decode(line, &mut out)
        .and_then(|()| decoder.finish(&mut out))
        .map_err(|_| SaslError::Base64)?;
    Ok(out)
}

/// Encodes `bytes` as one line of base64 (no line breaks).
///
/// ```
/// assert_eq!(mailwire_core::sasl::encode_base64(b"Username:"), "VXNlcm5hbWU6");
/// ```
#[must_use]
pub fn encode_base64(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_wrapped(bytes, 0, &mut out);
    // Base64 output is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

fn utf8(bytes: &[u8], what: &'static str) -> Result<String, SaslError> {
    core::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| SaslError::Malformed(what))
}

/// Reads a decoded `PLAIN` response (RFC 4616 section 2).
///
/// ```text
/// message   = [authzid] UTF8NUL authcid UTF8NUL passwd
/// authcid   = 1*SAFE ; MUST accept up to 255 octets
/// passwd    = 1*SAFE ; MUST accept up to 255 octets
/// ```
///
/// # Errors
///
/// [`SaslError::Malformed`] unless there are exactly three fields, the last
/// two non-empty, all UTF-8.
///
/// ```
/// use mailwire_core::sasl::{self, Credentials};
/// let c = sasl::parse_plain(b"admin\0tim\0secret")?;
/// assert!(matches!(c, Credentials::Password { authzid: Some(ref a), .. } if a == "admin"));
/// assert!(sasl::parse_plain(b"tim\0secret").is_err());
/// # Ok::<(), sasl::SaslError>(())
/// ```
pub fn parse_plain(decoded: &[u8]) -> Result<Credentials, SaslError> {
    let mut fields = decoded.split(|&b| b == 0);
    let (Some(authzid), Some(authcid), Some(passwd), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(SaslError::Malformed(
            "PLAIN needs authzid NUL authcid NUL passwd",
        ));
    };
    if authcid.is_empty() || passwd.is_empty() {
        return Err(SaslError::Malformed("PLAIN user name or password empty"));
    }
    let authzid = utf8(authzid, "PLAIN authzid is not UTF-8")?;
    Ok(Credentials::Password {
        authzid: (!authzid.is_empty()).then_some(authzid),
        username: utf8(authcid, "PLAIN user name is not UTF-8")?,
        password: Secret(utf8(passwd, "PLAIN password is not UTF-8")?),
    })
}

/// Reads a decoded `XOAUTH2` initial response:
///
/// ```text
/// "user=" username ^A "auth=Bearer " token ^A ^A
/// ```
///
/// # Errors
///
/// [`SaslError::Malformed`] when the fields are missing or not UTF-8.
///
/// ```
/// use mailwire_core::sasl::{self, Credentials};
/// let c = sasl::parse_xoauth2(b"user=joe@example.org\x01auth=Bearer ya29.abc\x01\x01")?;
/// let Credentials::Token { username, token } = c else { unreachable!() };
/// assert_eq!((username.as_str(), token.expose()), ("joe@example.org", "ya29.abc"));
/// # Ok::<(), sasl::SaslError>(())
/// ```
pub fn parse_xoauth2(decoded: &[u8]) -> Result<Credentials, SaslError> {
    let mut username = None;
    let mut token = None;
    for field in decoded.split(|&b| b == 1).filter(|f| !f.is_empty()) {
        if let Some(user) = field.strip_prefix(b"user=") {
            username = Some(utf8(user, "XOAUTH2 user is not UTF-8")?);
        } else if let Some(auth) = field.strip_prefix(b"auth=") {
            let Some(bearer) = auth
                .get(..7)
                .filter(|s| s.eq_ignore_ascii_case(b"Bearer "))
                .map(|_| &auth[7..])
            else {
                return Err(SaslError::Malformed("XOAUTH2 auth is not a Bearer token"));
            };
            token = Some(Secret(utf8(bearer, "XOAUTH2 token is not UTF-8")?));
        }
    }
    match (username, token) {
        (Some(username), Some(token)) if !username.is_empty() && !token.0.is_empty() => {
            Ok(Credentials::Token { username, token })
        }
        _ => Err(SaslError::Malformed("XOAUTH2 needs user= and auth=Bearer")),
    }
}

/// Reads a decoded `CRAM-MD5` response (RFC 2195 section 2): the user
/// name, a space and the digest as 32 lower-case hex digits.
///
/// # Errors
///
/// [`SaslError::Malformed`] when the shape is wrong.
///
/// ```
/// use mailwire_core::sasl;
/// assert!(sasl::parse_cram_md5(b"tim 0123", "<1@x>").is_err());
/// ```
pub fn parse_cram_md5(decoded: &[u8], challenge: &str) -> Result<CramMd5Response, SaslError> {
    let Some(space) = decoded.iter().rposition(|&b| b == b' ') else {
        return Err(SaslError::Malformed("CRAM-MD5 needs user name and digest"));
    };
    let (user, hex) = (&decoded[..space], &decoded[space + 1..]);
    if user.is_empty() || hex.len() != 32 {
        return Err(SaslError::Malformed("CRAM-MD5 needs user name and digest"));
    }
    let mut digest = [0u8; 16];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        let nibble = |b: u8| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        };
        let (Some(h), Some(l)) = (nibble(pair[0]), nibble(pair[1])) else {
            return Err(SaslError::Malformed("CRAM-MD5 digest is not hex"));
        };
        digest[i] = h << 4 | l;
    }
    Ok(CramMd5Response {
        username: utf8(user, "CRAM-MD5 user name is not UTF-8")?,
        challenge: challenge.to_owned(),
        digest,
    })
}

/// The `PLAIN` response a client sends, base64-encoded.
///
/// ```
/// assert_eq!(mailwire_core::sasl::encode_plain("", "a", "b"), "AGEAYg==");
/// ```
#[must_use]
pub fn encode_plain(authzid: &str, username: &str, password: &str) -> String {
    let mut raw = Vec::with_capacity(authzid.len() + username.len() + password.len() + 2);
    raw.extend_from_slice(authzid.as_bytes());
    raw.push(0);
    raw.extend_from_slice(username.as_bytes());
    raw.push(0);
    raw.extend_from_slice(password.as_bytes());
    encode_base64(&raw)
}

/// The `CRAM-MD5` response a client computes for `challenge` (the decoded
/// bytes of the server's `334` line; before base64): `username`, a space,
/// and the HMAC-MD5 in lower-case hex (RFC 2195 section 2).
///
/// ```
/// let r = mailwire_core::sasl::cram_md5_response("u", "p", "<1@x>");
/// assert!(r.starts_with("u ") && r.len() == 2 + 32);
/// ```
#[must_use]
pub fn cram_md5_response(username: &str, password: &str, challenge: impl AsRef<[u8]>) -> String {
    let mut out = String::with_capacity(username.len() + 33);
    out.push_str(username);
    out.push(' ');
    // HMAC accepts keys of any length.
    if let Ok(mut mac) = Hmac::<Md5>::new_from_slice(password.as_bytes()) {
        mac.update(challenge.as_ref());
        for b in mac.finalize().into_bytes() {
            out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
    }
    out
}
