//! The ENVELOPE of a message (RFC 3501 section 7.4.2, RFC 9051 section
//! 7.5.2).

use super::{AString, NString};

/// A message's envelope: the parsed header fields a FETCH ENVELOPE
/// returns.
///
/// ```text
/// envelope = "(" env-date SP env-subject SP env-from SP
///            env-sender SP env-reply-to SP env-to SP env-cc SP
///            env-bcc SP env-in-reply-to SP env-message-id ")"
/// env-from = "(" 1*address ")" / nil      ; likewise sender, reply-to, to, cc, bcc
/// ```
///
/// An address list written `NIL` is an empty `Vec` here.
///
/// ```
/// use mailwire_imap::types::{AString, Address, Envelope};
/// let env = Envelope {
///     subject: Some(AString::from("IMAP4rev2 WG mtg summary and minutes")),
///     from: vec![Address::new(Some("Terry Gray"), "gray", "cac.washington.edu")],
///     ..Envelope::default()
/// };
/// assert_eq!(env.from[0].mailbox.as_ref().unwrap().as_bytes(), b"gray");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope<'a> {
    /// `Date:`.
    pub date: NString<'a>,
    /// `Subject:`.
    pub subject: NString<'a>,
    /// `From:`.
    pub from: Vec<Address<'a>>,
    /// `Sender:`.
    pub sender: Vec<Address<'a>>,
    /// `Reply-To:`.
    pub reply_to: Vec<Address<'a>>,
    /// `To:`.
    pub to: Vec<Address<'a>>,
    /// `Cc:`.
    pub cc: Vec<Address<'a>>,
    /// `Bcc:`.
    pub bcc: Vec<Address<'a>>,
    /// `In-Reply-To:`.
    pub in_reply_to: NString<'a>,
    /// `Message-ID:`.
    pub message_id: NString<'a>,
}

/// One address of an envelope.
///
/// ```text
/// address  = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
/// addr-name = nstring  ; addr-adl, addr-mailbox, addr-host likewise
/// ```
///
/// RFC 5322 groups are written as an address with a `NIL` host and the
/// group name as mailbox (start), then one with `NIL` mailbox and host
/// (end); see [`is_group_start`](Self::is_group_start).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address<'a> {
    /// The display name.
    pub name: NString<'a>,
    /// The source route (obsolete; usually `NIL`).
    pub adl: NString<'a>,
    /// The local part (or the group name).
    pub mailbox: NString<'a>,
    /// The domain.
    pub host: NString<'a>,
}

impl<'a> Address<'a> {
    /// An address from its display name, local part and domain.
    #[must_use]
    pub fn new(name: Option<&'a str>, mailbox: &'a str, host: &'a str) -> Self {
        Self {
            name: name.map(AString::from),
            adl: None,
            mailbox: Some(AString::from(mailbox)),
            host: Some(AString::from(host)),
        }
    }

    /// Whether this address opens a group (`NIL` host, a mailbox).
    ///
    /// ```
    /// use mailwire_imap::types::{AString, Address};
    /// let start = Address { mailbox: Some(AString::from("team")), ..Address::default() };
    /// assert!(start.is_group_start() && !start.is_group_end());
    /// assert!(Address::default().is_group_end());
    /// ```
    #[must_use]
    pub fn is_group_start(&self) -> bool {
        self.host.is_none() && self.mailbox.is_some()
    }

    /// Whether this address closes a group (`NIL` host and mailbox).
    #[must_use]
    pub fn is_group_end(&self) -> bool {
        self.host.is_none() && self.mailbox.is_none()
    }
}
