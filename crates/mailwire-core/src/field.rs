//! Checks for values about to be written into a protocol line: the
//! protocol crates' encoders run them before writing anything, so that no
//! value an application or a peer supplies can end a line early or smuggle
//! a command (CR, LF, NUL and the other controls are refused).

/// Why a value cannot be written into a protocol line.
///
/// The protocol crates re-export it as their `encode::EncodeError`.
///
/// ```
/// use mailwire_core::field::{check_word, FieldError};
///
/// let err = check_word("user name", "a\r\nDELE 1").unwrap_err();
/// assert_eq!(err, FieldError::ForbiddenByte { field: "user name", byte: b'\r' });
/// assert_eq!(err.to_string(), "user name holds the forbidden byte 0x0d");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
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

/// Whether `b` is a control character other than horizontal tab (the
/// bytes no text field of a protocol line may hold).
///
/// ```
/// use mailwire_core::field::is_control;
/// assert!(is_control(b'\r') && is_control(0) && is_control(0x7f));
/// assert!(!is_control(b'\t') && !is_control(b'a') && !is_control(0xc3));
/// ```
#[must_use]
pub const fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// Checks that `text` holds no control character but tab.
///
/// # Errors
///
/// [`FieldError::ForbiddenByte`] with the first control character.
///
/// ```
/// use mailwire_core::field::check_text;
/// assert!(check_text("reply text", "Hello\tthere").is_ok());
/// assert!(check_text("reply text", "two\nlines").is_err());
/// ```
pub fn check_text(field: &'static str, text: &str) -> Result<(), FieldError> {
    match text.bytes().find(|&b| is_control(b)) {
        Some(byte) => Err(FieldError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}

/// Checks that `text` is one non-empty word: no white space, no controls.
///
/// # Errors
///
/// [`FieldError::Invalid`] when empty, [`FieldError::ForbiddenByte`] with
/// the first space, tab or control character.
///
/// ```
/// use mailwire_core::field::check_word;
/// assert!(check_word("mechanism", "PLAIN").is_ok());
/// assert!(check_word("mechanism", "").is_err());
/// assert!(check_word("mechanism", "A B").is_err());
/// ```
pub fn check_word(field: &'static str, text: &str) -> Result<(), FieldError> {
    if text.is_empty() {
        return Err(FieldError::Invalid {
            field,
            reason: "empty",
        });
    }
    match text.bytes().find(|&b| b <= 0x20 || b == 0x7f) {
        Some(byte) => Err(FieldError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}
