//! Encoders: commands, responses and the lines of multi-line responses
//! into bytes. They refuse CR, LF and NUL inside any field, so nothing a
//! peer or an application supplies can inject a line. A refused value
//! writes nothing.

mod command;
mod response;

use bytes::BufMut;

/// Why a value could not be encoded.
///
/// ```
/// use mailwire_pop3::types::Command;
///
/// let err = Command::User { name: "a\r\nDELE 1" }.to_bytes().unwrap_err();
/// assert_eq!(err.to_string(), "user name holds the forbidden byte 0x0d");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A field holds CR, LF, NUL or another byte its grammar forbids.
    #[error("{field} holds the forbidden byte 0x{byte:02x}")]
    ForbiddenByte {
        /// The field.
        field: &'static str,
        /// The first forbidden byte.
        byte: u8,
    },
    /// A field's value breaks its grammar in another way.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Checks that `text` holds no control character but tab.
pub(crate) fn check_text(field: &'static str, text: &str) -> Result<(), EncodeError> {
    match text.bytes().find(|&b| crate::parse::is_control(b)) {
        Some(byte) => Err(EncodeError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}

/// Checks that `text` is one non-empty word: no white space, no controls.
pub(crate) fn check_word(field: &'static str, text: &str) -> Result<(), EncodeError> {
    if text.is_empty() {
        return Err(EncodeError::Invalid {
            field,
            reason: "empty",
        });
    }
    match text.bytes().find(|&b| b <= 0x20 || b == 0x7f) {
        Some(byte) => Err(EncodeError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}

/// Checks `text` against a grammar `valid`: a forbidden control byte is
/// named, any other mismatch is `Invalid` with `reason`.
pub(crate) fn check_with(
    field: &'static str,
    text: &str,
    valid: fn(&[u8]) -> bool,
    reason: &'static str,
) -> Result<(), EncodeError> {
    if let Some(byte) = text.bytes().find(|&b| b < 0x20 || b == 0x7f) {
        return Err(EncodeError::ForbiddenByte { field, byte });
    }
    if valid(text.as_bytes()) {
        Ok(())
    } else {
        Err(EncodeError::Invalid { field, reason })
    }
}

/// Writes `n` in decimal.
pub(crate) fn put_number(out: &mut impl BufMut, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(&digits[i..]);
}
