//! Encoders: commands into bytes. Every value goes out in a form its
//! grammar allows — an atom when it can, a quoted string when it is
//! printable ASCII, a literal otherwise — so nothing an application or a
//! peer supplies can put CR, LF or NUL outside a literal. A refused value
//! writes nothing.
//!
//! Literals are where a client must stop: after `{n}` CRLF it waits for
//! the server's `+` continuation. [`Command::encode_with`](crate::types::Command::encode_with)
//! says where ([`Encoded::segments`]); [`LiteralMode`] picks
//! synchronizing or non-synchronizing literals (RFC 7888).

mod command;

pub use command::{Encoded, LiteralMode, encode_append_head, encode_append_next};

/// Why a value could not be encoded: the one error of every mailwire
/// encoder, [`mailwire_core::field::FieldError`].
///
/// ```
/// use mailwire_imap::types::Tag;
/// let err = Tag::new("a\r\n").unwrap_err();
/// assert_eq!(err.to_string(), "tag holds the forbidden byte 0x0d");
/// ```
pub use mailwire_core::field::FieldError as EncodeError;

mod response;

pub use response::FetchLiteralWriter;
