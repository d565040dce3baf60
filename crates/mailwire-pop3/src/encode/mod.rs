//! Encoders: commands, responses and the lines of multi-line responses
//! into bytes. They refuse CR, LF and NUL inside any field, so nothing a
//! peer or an application supplies can inject a line. A refused value
//! writes nothing.

mod command;
mod response;

use bytes::BufMut;

/// Why a value could not be encoded: the one error of every mailwire
/// encoder, [`mailwire_core::field::FieldError`].
///
/// ```
/// use mailwire_pop3::types::Command;
///
/// let err = Command::User { name: "a\r\nDELE 1" }.to_bytes().unwrap_err();
/// assert_eq!(err.to_string(), "user name holds the forbidden byte 0x0d");
/// ```
pub use mailwire_core::field::FieldError as EncodeError;
pub(crate) use mailwire_core::field::{check_text, check_word};

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
