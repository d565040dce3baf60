//! SASL for SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN, CRAM-MD5
//! (RFC 2195), XOAUTH2.

use super::config::Credentials;
use crate::sasl::{cram_md5_response, decode_base64, encode_base64, encode_plain};
use crate::types::Mechanism;

/// The mechanisms this client speaks, strongest first within each kind of
/// credentials.
const PASSWORD_ORDER: [Mechanism<'static>; 3] =
    [Mechanism::CramMd5, Mechanism::Plain, Mechanism::Login];

/// Picks the mechanism: allowed by the configuration, offered by the
/// server, usable with the credentials, and not sending the secret in
/// clear unless `clear_ok`.
pub(super) fn choose(
    credentials: &Credentials,
    allowed: &[Mechanism<'_>],
    offered: &[Mechanism<'_>],
    clear_ok: bool,
) -> Option<Mechanism<'static>> {
    let candidates: &[Mechanism<'static>] = match credentials {
        Credentials::Password { .. } => &PASSWORD_ORDER,
        Credentials::OAuth2 { .. } => &[Mechanism::XOAuth2],
    };
    let has = |list: &[Mechanism<'_>], m: Mechanism<'_>| {
        list.iter()
            .any(|x| x.as_str().eq_ignore_ascii_case(m.as_str()))
    };
    candidates
        .iter()
        .copied()
        .find(|&m| has(allowed, m) && has(offered, m) && (clear_ok || m == Mechanism::CramMd5))
}

/// The initial response sent with `AUTH`, base64 (`None`: wait for a
/// challenge). `Err` when the credentials cannot be written.
pub(super) fn initial_response(
    mechanism: Mechanism<'_>,
    credentials: &Credentials,
) -> Result<Option<String>, ()> {
    match (mechanism, credentials) {
        (Mechanism::Plain, Credentials::Password { username, password }) => {
            // RFC 4616 section 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
            if username.contains('\0') || password.contains('\0') || username.is_empty() {
                return Err(());
            }
            Ok(Some(encode_plain("", username, password)))
        }
        (Mechanism::XOAuth2, Credentials::OAuth2 { username, token }) => {
            if username.contains('\x01') || token.contains('\x01') {
                return Err(());
            }
            let raw = format!("user={username}\x01auth=Bearer {token}\x01\x01");
            Ok(Some(encode_base64(raw.as_bytes())))
        }
        _ => Ok(None),
    }
}

/// The answer to the `step`th `334` challenge (counting from 0), base64,
/// or `None` to cancel with `*` (RFC 4954 section 4).
pub(super) fn respond(
    mechanism: Mechanism<'_>,
    credentials: &Credentials,
    step: usize,
    challenge: &str,
) -> Option<String> {
    match (mechanism, credentials, step) {
        (Mechanism::Login, Credentials::Password { username, .. }, 0) => {
            Some(encode_base64(username.as_bytes()))
        }
        (Mechanism::Login, Credentials::Password { password, .. }, 1) => {
            Some(encode_base64(password.as_bytes()))
        }
        (Mechanism::CramMd5, Credentials::Password { username, password }, 0) => {
            let challenge = decode_base64(challenge.trim().as_bytes()).ok()?;
            Some(encode_base64(
                cram_md5_response(username, password, challenge).as_bytes(),
            ))
        }
        // XOAUTH2 sends an error as a 334 challenge: an empty response
        // gets the final 535.
        (Mechanism::XOAuth2, _, 0) => Some(String::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2195_example() {
        assert_eq!(
            cram_md5_response(
                "tim",
                "tanstaaftanstaaf",
                b"<1896.697170952@postoffice.reston.mci.net>"
            ),
            "tim b913a602c7eda7a495b4e6e7334d3890"
        );
    }

    #[test]
    fn strongest_allowed_and_offered() {
        let creds = Credentials::password("a", "b");
        let all = [
            Mechanism::CramMd5,
            Mechanism::Plain,
            Mechanism::Login,
            Mechanism::XOAuth2,
        ];
        let offered = [Mechanism::Login, Mechanism::Plain, Mechanism::CramMd5];
        assert_eq!(
            choose(&creds, &all, &offered, true),
            Some(Mechanism::CramMd5)
        );
        assert_eq!(
            choose(
                &creds,
                &[Mechanism::Login, Mechanism::Plain],
                &offered,
                true
            ),
            Some(Mechanism::Plain)
        );
        assert_eq!(choose(&creds, &[Mechanism::Plain], &offered, false), None);
        let token = Credentials::oauth2("a", "t");
        assert_eq!(choose(&token, &all, &offered, true), None);
        assert_eq!(
            choose(&token, &all, &[Mechanism::Other("xoauth2")], true),
            Some(Mechanism::XOAuth2)
        );
    }
}
