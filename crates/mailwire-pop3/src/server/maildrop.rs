//! The list of messages a session serves.

/// One message of a [`Maildrop`]: its size and unique id.
///
/// ```
/// use mailwire_pop3::server::MessageInfo;
/// let info = MessageInfo::new(120, "whqtswO00WBw418f9t5JxYwZ")?;
/// assert_eq!((info.size(), info.unique_id()), (120, "whqtswO00WBw418f9t5JxYwZ"));
/// assert!(MessageInfo::new(1, "has space").is_err());
/// # Ok::<(), mailwire_pop3::server::MaildropError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageInfo {
    size: u64,
    unique_id: String,
}

impl MessageInfo {
    /// A message of `size` octets as sent (lines ending in CRLF, before
    /// dot-stuffing: what `LIST` and `STAT` report, RFC 1939 section 5)
    /// with a unique id (RFC 1939 section 7:
    ///
    /// ```text
    /// unique-id = 1*70 %x21-7E
    /// ```
    ///
    /// constant across sessions, unique within the maildrop).
    ///
    /// # Errors
    ///
    /// [`MaildropError::InvalidUniqueId`] if `unique_id` is empty, longer
    /// than 70 octets or holds a byte outside 0x21-0x7E.
    pub fn new(size: u64, unique_id: impl Into<String>) -> Result<Self, MaildropError> {
        let unique_id = unique_id.into();
        if !crate::parse::is_unique_id(unique_id.as_bytes()) {
            return Err(MaildropError::InvalidUniqueId);
        }
        Ok(Self { size, unique_id })
    }

    /// The size in octets.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The unique id.
    #[must_use]
    pub fn unique_id(&self) -> &str {
        &self.unique_id
    }
}

/// The messages of a mailbox as the session starts, given to
/// [`accept_login`](super::Server::accept_login). Message `n` is the
/// `n - 1`th entry. The server keeps the deletion marks; the application
/// keeps the messages.
///
/// ```
/// use mailwire_pop3::server::{Maildrop, MessageInfo};
/// let drop = Maildrop::new(vec![MessageInfo::new(120, "a1")?, MessageInfo::new(200, "b2")?])?;
/// assert_eq!((drop.len(), drop.total_size()), (2, 320));
/// assert_eq!(drop.get(2).map(MessageInfo::size), Some(200));
/// assert!(drop.get(0).is_none() && drop.get(3).is_none());
/// # Ok::<(), mailwire_pop3::server::MaildropError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Maildrop {
    messages: Vec<MessageInfo>,
}

impl Maildrop {
    /// The maildrop of these messages, in order.
    ///
    /// # Errors
    ///
    /// [`MaildropError::TooManyMessages`] past `u32::MAX` messages (the
    /// message numbers of the protocol).
    pub fn new(messages: Vec<MessageInfo>) -> Result<Self, MaildropError> {
        if u32::try_from(messages.len()).is_err() {
            return Err(MaildropError::TooManyMessages);
        }
        Ok(Self { messages })
    }

    /// How many messages.
    #[must_use]
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The size of all messages.
    #[must_use]
    pub fn total_size(&self) -> u64 {
        self.messages
            .iter()
            .fold(0u64, |sum, m| sum.saturating_add(m.size))
    }

    /// Message `msg` (from 1).
    #[must_use]
    pub fn get(&self, msg: u32) -> Option<&MessageInfo> {
        self.messages.get((msg as usize).checked_sub(1)?)
    }

    /// The messages, in order.
    #[must_use]
    pub fn messages(&self) -> &[MessageInfo] {
        &self.messages
    }
}

/// A [`Maildrop`] or [`MessageInfo`] that cannot be built.
///
/// ```
/// use mailwire_pop3::server::{MaildropError, MessageInfo};
/// assert_eq!(MessageInfo::new(1, "").unwrap_err(), MaildropError::InvalidUniqueId);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MaildropError {
    /// A unique id that is not 1 to 70 octets of 0x21-0x7E.
    #[error("unique id must be 1 to 70 printable ASCII characters")]
    InvalidUniqueId,
    /// More messages than message numbers.
    #[error("more than 4294967295 messages")]
    TooManyMessages,
}
