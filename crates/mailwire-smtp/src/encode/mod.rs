//! Encoders: commands and replies into bytes. They refuse CR, LF and NUL
//! inside any field, so nothing a peer or an application supplies can
//! inject a line. A refused value writes nothing.

mod command;
mod reply;

/// Why a value could not be encoded: the one error of every mailwire
/// encoder, [`mailwire_core::field::FieldError`].
///
/// ```
/// use mailwire_smtp::types::Command;
///
/// let err = Command::Noop { argument: Some("a\r\nRCPT TO:<x@y>") }
///     .encode(&mut Vec::new())
///     .unwrap_err();
/// assert_eq!(err.to_string(), "NOOP argument holds the forbidden byte 0x0d");
/// ```
pub use mailwire_core::field::FieldError as EncodeError;
pub(crate) use mailwire_core::field::{check_text, check_word};
