//! Encoders: commands and replies into bytes. They refuse CR, LF and NUL
//! inside any field, so nothing a peer or an application supplies can
//! inject a line. A refused value writes nothing.

mod command;
mod reply;

/// Why a value could not be encoded.
///
/// ```
/// use mailwire_smtp::types::Command;
///
/// let err = Command::Noop { argument: Some("a\r\nRCPT TO:<x@y>") }
///     .encode(&mut Vec::new())
///     .unwrap_err();
/// assert_eq!(err.to_string(), "NOOP argument holds the forbidden byte 0x0d");
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

/// Checks that `text` holds no CR, LF, NUL, nor any other control
/// character except horizontal tab.
pub(crate) fn check_text(field: &'static str, text: &str) -> Result<(), EncodeError> {
    match text
        .bytes()
        .find(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
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
