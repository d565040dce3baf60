//! Building messages: RFC 5322 header fields and MIME bodies, written as
//! bytes ready for SMTP `DATA` (CRLF line endings throughout).
//!
//! [`MessageBuilder`] takes the usual fields and bodies and arranges the
//! MIME tree itself; [`Part`] builds any other tree.
//!
//! ```
//! use mailwire_message::builder::MessageBuilder;
//! use mailwire_message::Message;
//!
//! let bytes = MessageBuilder::new()
//!     .from((Some("Zo\u{eb} Dupont"), "zoe@example.org"))
//!     .to("ann@example.net")
//!     .to(("Bob Smith", "bob@example.net"))
//!     .bcc("archive@example.org") // not written: see `MessageBuilder::bcc`
//!     .subject("Caf\u{e9} menu for Friday")
//!     .date_rfc5322("Fri, 21 Nov 1997 09:55:06 -0600")
//!     .message_id("menu.1234@example.org")
//!     .text_body("Here is the menu.\nSee you!\n")
//!     .html_body("<p>Here is the menu.</p>")
//!     .attachment("application/pdf", "menu \u{2013} vendredi.pdf", b"%PDF-1.7 ...".to_vec())
//!     .build()?;
//!
//! let message = Message::parse(&bytes);
//! assert!(message.validate().is_empty());
//! let header = message.header();
//! assert_eq!(message.subject().as_deref(), Some("Caf\u{e9} menu for Friday"));
//! let from = header.from().unwrap();
//! let zoe = from.mailboxes().next().unwrap();
//! assert_eq!(zoe.name().as_deref(), Some("Zo\u{eb} Dupont"));
//! assert_eq!(zoe.mailbox().to_string(), "zoe@example.org");
//! assert!(header.bcc().is_none());
//!
//! // multipart/mixed [ multipart/alternative [ text, html ], the PDF ]
//! assert!(message.root().content_type().is("multipart", "mixed"));
//! assert_eq!(message.text_body().as_deref(), Some("Here is the menu.\r\nSee you!\r\n"));
//! assert_eq!(message.html_body().as_deref(), Some("<p>Here is the menu.</p>"));
//! let pdf = message.attachments()[0];
//! assert_eq!(pdf.filename().as_deref(), Some("menu \u{2013} vendredi.pdf"));
//! assert_eq!(&*pdf.decoded_body(), b"%PDF-1.7 ...");
//! assert!(String::from_utf8(bytes).unwrap().lines().all(|l| l.len() <= 78));
//! # Ok::<(), mailwire_message::builder::BuildError>(())
//! ```
//!
//! # Header fields
//!
//! - Fields are written in this order: `Date`, `From`, `Sender`,
//!   `Reply-To`, `To`, `Cc`, `Bcc` (only when asked), `Subject`,
//!   `Message-ID`, `In-Reply-To`, `References`, the fields added with
//!   [`header`](MessageBuilder::header) and
//!   [`raw_header`](MessageBuilder::raw_header) in the order given, then
//!   `MIME-Version` and the `Content-*` fields of the body.
//! - Lines are folded at white space to stay within 78 characters where a
//!   fold point exists, and never pass 998 (RFC 5322 section 2.1.1): text
//!   that could not be folded otherwise is put in encoded words, which can.
//! - Text (`Subject`, [`header`](MessageBuilder::header), display names)
//!   that is not printable ASCII is written as RFC 2047 encoded words in
//!   UTF-8, `Q` or `B`, whichever is shorter; each word is at most 75
//!   characters and holds whole characters. So is text that merely looks
//!   like an encoded word (`=?a?b?c?=`), so that it reads back literally.
//! - **White space.** Unstructured text (`Subject`, `header`, a part's
//!   description) reads back *exactly*, white space included: runs of
//!   spaces and tabs, and white space at the start or end (which decoders
//!   would drop) are carried inside encoded words. Display names are
//!   trimmed of spaces and tabs at both ends (RFC 5322 gives them no
//!   meaning there); inside, their white space is kept. A name that is
//!   empty after trimming, or only Unicode white space, is written as no
//!   name.
//! - Display names are written as atoms (`Mary Smith`) when they are
//!   single-spaced `atext` words, else as a quoted string when printable
//!   ASCII and short, else as encoded words with the restricted `Q`
//!   alphabet of RFC 2047 section 5 (3).
//! - Addresses are checked as RFC 5322 `addr-spec`
//!   ([`Mailbox::parse_addr_spec`](mailwire_core::Mailbox::parse_addr_spec))
//!   and written in canonical form (comments and needless quotes dropped).
//!   Non-ASCII addresses are written in UTF-8 (RFC 6532), which needs an
//!   `SMTPUTF8` transport.
//!
//! # Bodies
//!
//! - Text is written in UTF-8 with CRLF line endings and `charset=utf-8`
//!   (also for pure ASCII: it is a superset, and it is what readers
//!   assume for new mail); no final line break is added (a message whose
//!   body is a single `7bit` or quoted-printable part ends where the text
//!   does; SMTP clients add the CRLF that `DATA` needs).
//! - The transfer encoding is chosen by content with
//!   [`mailwire_core::encoding::choose`]: `7bit` for ASCII with lines of at
//!   most 998 octets, quoted-printable for mostly-ASCII content, base64
//!   otherwise. Quoted-printable and base64 lines are at most 76
//!   characters. Binary parts keep their bytes exactly (quoted-printable
//!   escapes their CR and LF); `message/*` parts are never encoded
//!   ([`Part::message`]).
//! - With a text and an HTML body the message is `multipart/alternative`;
//!   inline parts ([`inline`](MessageBuilder::inline)) make the HTML (or
//!   the only body) the root of a `multipart/related`; attachments wrap
//!   all of it in `multipart/mixed`:
//!
//!   ```text
//!   multipart/mixed
//!   ├── multipart/alternative
//!   │   ├── text/plain
//!   │   └── multipart/related
//!   │       ├── text/html
//!   │       └── image/png (inline, Content-ID)
//!   └── application/pdf (attachment)
//!   ```
//!
//! # Parameters
//!
//! `Content-Type` and `Content-Disposition` parameters are tokens when
//! they can be, quoted strings when short printable ASCII, and RFC 2231
//! otherwise: `filename*=utf-8''%E2%82%AC.txt` for non-ASCII, and
//! continuations (`filename*0*=...; filename*1*=...`) to keep lines short.
//! A file name is also written as the `name` parameter of `Content-Type`,
//! with RFC 2047 encoded words inside the quotes when it is not short
//! ASCII: RFC 2047 section 5 does not allow that, but older Outlook and
//! other readers only look there, the RFC 2231 `filename` is what
//! conforming readers use, and the parser of this crate reads both.
//!
//! # Boundaries
//!
//! Boundaries are `=_mw` and 16 hexadecimal digits, derived from a hash
//! of the parts they separate: the output is deterministic. `=_` cannot
//! occur in quoted-printable or base64 text, and every part is checked
//! all the same: no line in it starts with `--` and the boundary (a new
//! one is tried until none does), which also keeps nested boundaries
//! apart.
//!
//! # Errors
//!
//! [`build`](MessageBuilder::build) checks everything and returns the
//! first problem as a [`BuildError`]. CR, LF and NUL are refused in every
//! value given (no header injection), field names must be RFC 5322
//! `ftext`, and `Date` and `From` are required (RFC 5322 section 3.6).

mod boundary;
mod fold;
mod part;
mod rfc2047;
mod rfc2231;

use std::fmt;
use std::io;

use crate::date::DateTime;
use mailwire_core::Mailbox;

pub use part::{Disposition, Part};

use fold::{Folder, HARD_LIMIT};
use rfc2047::{write_phrase, write_unstructured};

/// Why a message could not be built.
///
/// ```
/// use mailwire_message::builder::{BuildError, MessageBuilder};
///
/// let err = MessageBuilder::new()
///     .from("ann@example.org")
///     .date_rfc5322("Mon, 1 Jan 2024 00:00:00 +0000")
///     .subject("hi\r\nBcc: victim@example.net")
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, BuildError::ForbiddenCharacter { ref field, .. } if field == "Subject"));
/// assert_eq!(err.to_string(), "Subject: value holds a CR, LF or NUL (0x0d)");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// A header field name is empty, too long, or holds a character outside
    /// RFC 5322 `ftext` (printable ASCII except `:`).
    InvalidHeaderName(String),
    /// A field the builder writes itself was given to `header` or
    /// `raw_header`: use the typed method.
    ReservedHeader(String),
    /// A value holds CR, LF or NUL (`byte`): header injection.
    ForbiddenCharacter {
        /// The field (or part) the value was for.
        field: String,
        /// The byte found.
        byte: u8,
    },
    /// An address is not an RFC 5322 `addr-spec`.
    InvalidAddress {
        /// The field the address was for.
        field: String,
        /// The address as given.
        address: String,
    },
    /// A group has an empty name.
    EmptyGroupName {
        /// The field the group was for.
        field: String,
    },
    /// A message identifier is not `id-left "@" id-right` (RFC 5322
    /// section 3.6.4).
    InvalidMessageId {
        /// The field the identifier was for.
        field: String,
        /// The identifier as given.
        id: String,
    },
    /// The date is not an RFC 5322 `date-time`, or a Unix time or offset
    /// out of range.
    InvalidDate(String),
    /// A content type is not `type/subtype`, or does not fit the part
    /// (`multipart/*` only for [`Part::multipart`]).
    InvalidContentType(String),
    /// A parameter name is not an RFC 2045 token, or is one the builder
    /// sets itself (`boundary`, `name`, `charset` of text parts).
    InvalidParameter(String),
    /// A required field is missing (`Date`, `From`).
    MissingField(&'static str),
    /// `From` has several mailboxes and no `Sender` is set (RFC 5322
    /// section 3.6.2).
    SenderRequired,
    /// [`MessageBuilder::body`] was used together with the text, HTML,
    /// inline or attachment shortcuts.
    ConflictingBody,
    /// A multipart has no parts.
    EmptyMultipart,
    /// Parts are nested deeper than 64 levels.
    TooDeep,
    /// A raw header line would pass 998 octets.
    LineTooLong(String),
    /// Writing failed ([`MessageBuilder::write_to`]).
    Io(io::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidHeaderName(name) => write!(f, "invalid header field name {name:?}"),
            Self::ReservedHeader(name) => {
                write!(f, "{name} is written by the builder; use its own method")
            }
            Self::ForbiddenCharacter { field, byte } => {
                write!(f, "{field}: value holds a CR, LF or NUL (0x{byte:02x})")
            }
            Self::InvalidAddress { field, address } => {
                write!(f, "{field}: invalid address {address:?}")
            }
            Self::EmptyGroupName { field } => write!(f, "{field}: a group needs a name"),
            Self::InvalidMessageId { field, id } => {
                write!(f, "{field}: invalid message identifier {id:?}")
            }
            Self::InvalidDate(date) => write!(f, "invalid date {date:?}"),
            Self::InvalidContentType(ct) => write!(f, "invalid content type {ct:?}"),
            Self::InvalidParameter(name) => write!(f, "invalid or reserved parameter {name:?}"),
            Self::MissingField(name) => write!(f, "the {name} field is required"),
            Self::SenderRequired => f.write_str("From has several mailboxes: Sender is required"),
            Self::ConflictingBody => {
                f.write_str("body() cannot be combined with text, html, inline or attachments")
            }
            Self::EmptyMultipart => f.write_str("a multipart needs at least one part"),
            Self::TooDeep => f.write_str("parts are nested too deep"),
            Self::LineTooLong(name) => write!(f, "{name}: line longer than 998 octets"),
            Self::Io(e) => write!(f, "write failed: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for BuildError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// A mailbox to write: an optional display name and an address
/// (`addr-spec`), checked when the message is built.
///
/// Converts from `"addr@example.org"`, `("Name", "addr@example.org")` and
/// `(Some("Name"), "addr@example.org")`.
///
/// ```
/// use mailwire_message::builder::MailAddress;
///
/// let a = MailAddress::from(("Mary Smith", "mary@example.net"));
/// assert_eq!(a.name(), Some("Mary Smith"));
/// assert_eq!(a.address(), "mary@example.net");
/// assert_eq!(MailAddress::from("joe@example.org").name(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailAddress {
    name: Option<String>,
    address: String,
}

impl MailAddress {
    /// A mailbox from a display name and an address.
    ///
    /// ```
    /// use mailwire_message::builder::MailAddress;
    /// let a = MailAddress::new(Some("J\u{f8}rn"), "jorn@example.dk");
    /// assert_eq!(a.name(), Some("J\u{f8}rn"));
    /// ```
    #[must_use]
    pub fn new(name: Option<&str>, address: &str) -> Self {
        Self {
            name: name.map(str::to_string),
            address: address.to_string(),
        }
    }

    /// The display name as given.
    ///
    /// ```
    /// use mailwire_message::builder::MailAddress;
    /// assert_eq!(MailAddress::from(("Ann", "ann@example.org")).name(), Some("Ann"));
    /// ```
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The address as given.
    ///
    /// ```
    /// use mailwire_message::builder::MailAddress;
    /// assert_eq!(MailAddress::from("ann@example.org").address(), "ann@example.org");
    /// ```
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl From<&str> for MailAddress {
    fn from(address: &str) -> Self {
        Self::new(None, address)
    }
}

impl From<String> for MailAddress {
    fn from(address: String) -> Self {
        Self {
            name: None,
            address,
        }
    }
}

impl From<(&str, &str)> for MailAddress {
    fn from((name, address): (&str, &str)) -> Self {
        Self::new(Some(name), address)
    }
}

impl From<(Option<&str>, &str)> for MailAddress {
    fn from((name, address): (Option<&str>, &str)) -> Self {
        Self::new(name, address)
    }
}

impl From<(String, String)> for MailAddress {
    fn from((name, address): (String, String)) -> Self {
        Self {
            name: Some(name),
            address,
        }
    }
}

/// One element of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AddressItem {
    Mailbox(MailAddress),
    Group(String, Vec<MailAddress>),
}

/// The `Date` as given.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DateInput {
    Typed(DateTime),
    Rfc5322(String),
    Unix(i64, i32),
}

/// A header field added by the user.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExtraField {
    name: String,
    value: String,
    raw: bool,
}

/// Fields with a typed method of [`MessageBuilder`].
const TYPED_FIELDS: [&str; 11] = [
    "Date",
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
];

/// Builds an RFC 5322 message with a MIME body.
///
/// Setters take the builder by value and return it, so calls chain;
/// nothing is checked until [`build`](Self::build) (or
/// [`write_to`](Self::write_to)), which returns the first problem. The
/// builder can build any number of times, always with the same output. See
/// the [module documentation](self) for how things are written.
///
/// ```
/// use mailwire_message::builder::MessageBuilder;
/// use mailwire_message::Message;
///
/// let bytes = MessageBuilder::new()
///     .from("ann@example.org")
///     .to("bob@example.net")
///     .subject("Hello")
///     .date_unix(1_700_000_000, 60)
///     .text_body("Hi Bob\n")
///     .build()?;
/// assert_eq!(
///     String::from_utf8(bytes).unwrap(),
///     "Date: Tue, 14 Nov 2023 23:13:20 +0100\r\n\
///      From: ann@example.org\r\n\
///      To: bob@example.net\r\n\
///      Subject: Hello\r\n\
///      MIME-Version: 1.0\r\n\
///      Content-Type: text/plain; charset=utf-8\r\n\
///      Content-Transfer-Encoding: 7bit\r\n\
///      \r\n\
///      Hi Bob\r\n"
/// );
/// # Ok::<(), mailwire_message::builder::BuildError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageBuilder {
    date: Option<DateInput>,
    from: Vec<MailAddress>,
    sender: Option<MailAddress>,
    reply_to: Vec<AddressItem>,
    to: Vec<AddressItem>,
    cc: Vec<AddressItem>,
    bcc: Vec<AddressItem>,
    write_bcc: bool,
    subject: Option<String>,
    message_id: Option<String>,
    in_reply_to: Vec<String>,
    references: Vec<String>,
    extra: Vec<ExtraField>,
    text: Option<String>,
    html: Option<String>,
    inline: Vec<Part>,
    attachments: Vec<Part>,
    body: Option<Part>,
}

impl MessageBuilder {
    /// An empty builder.
    ///
    /// ```
    /// use mailwire_message::builder::{BuildError, MessageBuilder};
    /// assert!(matches!(MessageBuilder::new().build(), Err(BuildError::MissingField("Date"))));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an author (`From`, required). With several authors a
    /// [`sender`](Self::sender) is required too.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().from(("Ann", "ann@example.org"));
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn from(mut self, mailbox: impl Into<MailAddress>) -> Self {
        self.from.push(mailbox.into());
        self
    }

    /// Sets the `Sender`: who sent the message on the authors' behalf.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().from("ann@example.org").from("bob@example.org").sender("ann@example.org");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn sender(mut self, mailbox: impl Into<MailAddress>) -> Self {
        self.sender = Some(mailbox.into());
        self
    }

    /// Adds a `Reply-To` address.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().reply_to("list@example.org");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn reply_to(mut self, mailbox: impl Into<MailAddress>) -> Self {
        self.reply_to.push(AddressItem::Mailbox(mailbox.into()));
        self
    }

    /// Adds a `To` recipient.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().to("bob@example.net").to(("Carol", "carol@example.net"));
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn to(mut self, mailbox: impl Into<MailAddress>) -> Self {
        self.to.push(AddressItem::Mailbox(mailbox.into()));
        self
    }

    /// Adds a `Cc` recipient.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().cc("team@example.net");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn cc(mut self, mailbox: impl Into<MailAddress>) -> Self {
        self.cc.push(AddressItem::Mailbox(mailbox.into()));
        self
    }

    /// Adds a `Bcc` recipient. The `Bcc` field is **not written** unless
    /// [`write_bcc`](Self::write_bcc) asks for it: the recipients go in the
    /// SMTP envelope ([`envelope_recipients`](Self::envelope_recipients)),
    /// and the copy the others receive must not name them (RFC 5322
    /// section 3.6.3).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new()
    ///     .from("a@example.org")
    ///     .date_rfc5322("1 Jan 2024 00:00 +0000")
    ///     .bcc("hidden@example.net");
    /// let bytes = b.build()?;
    /// assert!(!String::from_utf8(bytes).unwrap().contains("hidden"));
    /// assert_eq!(b.envelope_recipients()?, ["hidden@example.net"]);
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    #[must_use]
    pub fn bcc(mut self, mailbox: impl Into<MailAddress>) -> Self {
        self.bcc.push(AddressItem::Mailbox(mailbox.into()));
        self
    }

    /// Whether to write the `Bcc` field (default `false`), as for the
    /// sender's own saved copy.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let bytes = MessageBuilder::new()
    ///     .from("a@example.org")
    ///     .date_rfc5322("1 Jan 2024 00:00 +0000")
    ///     .bcc("hidden@example.net")
    ///     .write_bcc(true)
    ///     .build()?;
    /// assert!(String::from_utf8(bytes).unwrap().contains("Bcc: hidden@example.net\r\n"));
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    #[must_use]
    pub fn write_bcc(mut self, yes: bool) -> Self {
        self.write_bcc = yes;
        self
    }

    /// Adds a group (`name: member, member;`, RFC 5322 section 3.4) to
    /// `To`; with no members it is the usual way to hide the recipients
    /// (`undisclosed-recipients:;`).
    ///
    /// ```
    /// use mailwire_message::builder::{MailAddress, MessageBuilder};
    /// let bytes = MessageBuilder::new()
    ///     .from("a@example.org")
    ///     .date_rfc5322("1 Jan 2024 00:00 +0000")
    ///     .to_group("undisclosed-recipients", Vec::<MailAddress>::new())
    ///     .cc_group("Friends", ["ann@example.net", "bob@example.net"])
    ///     .build()?;
    /// let text = String::from_utf8(bytes).unwrap();
    /// assert!(text.contains("To: undisclosed-recipients:;\r\n"));
    /// assert!(text.contains("Cc: Friends: ann@example.net, bob@example.net;\r\n"));
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    #[must_use]
    pub fn to_group<M: Into<MailAddress>>(
        mut self,
        name: &str,
        members: impl IntoIterator<Item = M>,
    ) -> Self {
        self.to.push(group(name, members));
        self
    }

    /// Adds a group to `Cc`; see [`to_group`](Self::to_group).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().cc_group("Team", ["a@example.org"]);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn cc_group<M: Into<MailAddress>>(
        mut self,
        name: &str,
        members: impl IntoIterator<Item = M>,
    ) -> Self {
        self.cc.push(group(name, members));
        self
    }

    /// Adds a group to `Bcc` (not written by default, see
    /// [`bcc`](Self::bcc)); see [`to_group`](Self::to_group).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().bcc_group("Auditors", ["x@example.org"]);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn bcc_group<M: Into<MailAddress>>(
        mut self,
        name: &str,
        members: impl IntoIterator<Item = M>,
    ) -> Self {
        self.bcc.push(group(name, members));
        self
    }

    /// Sets the `Subject`: any text without CR, LF or NUL; it reads back
    /// exactly (see [White space](self#header-fields)).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().subject("R\u{e9}union \u{2014} ordre du jour");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the `Date` (required by RFC 5322 section 3.6).
    ///
    /// ```
    /// use mailwire_message::{builder::MessageBuilder, date::DateTime, Message};
    /// let date = DateTime::new(1997, 11, 21, 9, 55, 6, -360).unwrap();
    /// let bytes = MessageBuilder::new().from("a@example.org").date(date).build()?;
    /// assert_eq!(Message::parse(&bytes).header().date(), Some(date));
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    #[must_use]
    pub fn date(mut self, date: DateTime) -> Self {
        self.date = Some(DateInput::Typed(date));
        self
    }

    /// Sets the `Date` from text in RFC 5322 form. It must parse as a date
    /// without defects ([`DateTime::parse_with_defects`]: no obsolete or
    /// unknown zone); it is written back in canonical form.
    ///
    /// ```
    /// use mailwire_message::builder::{BuildError, MessageBuilder};
    /// let ok = MessageBuilder::new().from("a@example.org").date_rfc5322("Fri, 21 Nov 1997 09:55:06 -0600");
    /// assert!(ok.build().is_ok());
    /// let bad = MessageBuilder::new().from("a@example.org").date_rfc5322("1997-11-21");
    /// assert!(matches!(bad.build(), Err(BuildError::InvalidDate(_))));
    /// ```
    #[must_use]
    pub fn date_rfc5322(mut self, date: impl Into<String>) -> Self {
        self.date = Some(DateInput::Rfc5322(date.into()));
        self
    }

    /// Sets the `Date` from seconds since the Unix epoch, shown in the time
    /// zone `offset_minutes` east of UTC (within ±23:59; years 1900 to 9999).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let bytes = MessageBuilder::new().from("a@example.org").date_unix(0, -210).build()?;
    /// assert!(bytes.starts_with(b"Date: Wed, 31 Dec 1969 20:30:00 -0330\r\n"));
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    #[must_use]
    pub fn date_unix(mut self, secs: i64, offset_minutes: i32) -> Self {
        self.date = Some(DateInput::Unix(secs, offset_minutes));
        self
    }

    /// Sets the `Message-ID` (`left@right`, angle brackets optional). The
    /// builder does not make one up: RFC 5322 says it SHOULD be present,
    /// and only the application knows a unique left part and its domain.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().message_id("<20240101.1234@example.org>");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Adds a message identifier to `In-Reply-To`.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().in_reply_to("orig.1@example.org");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn in_reply_to(mut self, id: impl Into<String>) -> Self {
        self.in_reply_to.push(id.into());
        self
    }

    /// Adds a message identifier to `References`.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().references("root.1@example.org").references("orig.1@example.org");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn references(mut self, id: impl Into<String>) -> Self {
        self.references.push(id.into());
        self
    }

    /// Adds a header field whose value is unstructured text (RFC 2047
    /// encoded where needed, folded, read back exactly). The name must be
    /// `ftext`; the fields with a method of their own and those of the MIME
    /// body are refused ([`BuildError::ReservedHeader`]).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().header("X-Mailer", "mailwire").header("Comments", "d\u{e9}j\u{e0} vu");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push(ExtraField {
            name: name.into(),
            value: value.into(),
            raw: false,
        });
        self
    }

    /// Adds a header field whose value is written as given (for structured
    /// fields such as `List-Unsubscribe`): white space at its ends is
    /// trimmed, it is folded at its white space, and nothing is encoded.
    /// CR, LF and NUL are refused, as are words too long for a line.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().raw_header("List-Unsubscribe", "<mailto:leave@example.org>");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn raw_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push(ExtraField {
            name: name.into(),
            value: value.into(),
            raw: true,
        });
        self
    }

    /// Sets the plain text body (`text/plain; charset=utf-8`).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().text_body("Hello\n");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn text_body(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the HTML body (`text/html; charset=utf-8`); with a text body
    /// too, the two are a `multipart/alternative`.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().text_body("Hello").html_body("<p>Hello</p>");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn html_body(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// Adds an attachment: `content_type` (`type/subtype`), a file name
    /// and the bytes (kept exactly).
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().attachment("text/csv", "data.csv", b"a,b\n1,2\n".to_vec());
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn attachment(
        self,
        content_type: impl Into<String>,
        filename: impl Into<String>,
        data: impl Into<Vec<u8>>,
    ) -> Self {
        self.attach(
            Part::binary(content_type, data)
                .filename(filename)
                .disposition(Disposition::Attachment),
        )
    }

    /// Adds an inline part (an image the HTML shows as `cid:content_id`):
    /// the bodies become the root of a `multipart/related`.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new()
    ///     .html_body("<img src=\"cid:logo@example.org\">")
    ///     .inline("image/png", "logo@example.org", vec![0x89, b'P', b'N', b'G']);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn inline(
        mut self,
        content_type: impl Into<String>,
        content_id: impl Into<String>,
        data: impl Into<Vec<u8>>,
    ) -> Self {
        self.inline.push(
            Part::binary(content_type, data)
                .content_id(content_id)
                .disposition(Disposition::Inline),
        );
        self
    }

    /// Attaches a whole message (`message/rfc822`, see [`Part::message`]),
    /// as when forwarding.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().attach_message(&b"From: x@example.org\r\n\r\nhi\r\n"[..]);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn attach_message(self, raw: impl Into<Vec<u8>>) -> Self {
        self.attach(Part::message(raw).disposition(Disposition::Attachment))
    }

    /// Adds any part to the attachments (the `multipart/mixed` list).
    ///
    /// ```
    /// use mailwire_message::builder::{MessageBuilder, Part};
    /// let b = MessageBuilder::new().attach(Part::text("notes").filename("notes.txt"));
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn attach(mut self, part: Part) -> Self {
        self.attachments.push(part);
        self
    }

    /// Sets the whole body to `part`, for trees the shortcuts do not make.
    /// It cannot be combined with [`text_body`](Self::text_body),
    /// [`html_body`](Self::html_body), [`inline`](Self::inline) or the
    /// attachments ([`BuildError::ConflictingBody`]).
    ///
    /// ```
    /// use mailwire_message::builder::{MessageBuilder, Part};
    /// let b = MessageBuilder::new().body(Part::multipart("parallel", [Part::text("a"), Part::text("b")]));
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn body(mut self, part: Part) -> Self {
        self.body = Some(part);
        self
    }

    /// The addresses of every `To`, `Cc` and `Bcc` recipient, group members
    /// included, in canonical form and in order, duplicates removed: the
    /// SMTP envelope recipients.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let b = MessageBuilder::new().to("a@example.org").cc(("A", "a@example.org")).bcc("b@example.org");
    /// assert_eq!(b.envelope_recipients()?, ["a@example.org", "b@example.org"]);
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    pub fn envelope_recipients(&self) -> Result<Vec<String>, BuildError> {
        let mut out: Vec<String> = Vec::new();
        for (field, items) in [("To", &self.to), ("Cc", &self.cc), ("Bcc", &self.bcc)] {
            for item in items {
                let members = match item {
                    AddressItem::Mailbox(m) => std::slice::from_ref(m),
                    AddressItem::Group(_, members) => members.as_slice(),
                };
                for m in members {
                    let address = addr_spec(field, &m.address)?;
                    if !out.contains(&address) {
                        out.push(address);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Builds the message.
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`BuildError`].
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let bytes = MessageBuilder::new().from("a@example.org").date_unix(0, 0).build()?;
    /// assert_eq!(bytes, b"Date: Thu, 01 Jan 1970 00:00:00 +0000\r\nFrom: a@example.org\r\n\r\n");
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    pub fn build(&self) -> Result<Vec<u8>, BuildError> {
        let mut out = Vec::new();
        self.write_header(&mut out)?;
        match self.root()? {
            None => out.extend_from_slice(b"\r\n"),
            Some(root) => {
                let rendered = root.render(0)?;
                out.extend_from_slice(b"MIME-Version: 1.0\r\n");
                out.extend_from_slice(&rendered.header);
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(&rendered.body);
                // End with a line break where it changes nothing: after the
                // close delimiter, or after base64 (which ignores it).
                let base64 = rendered.body.last().is_some_and(|&b| b != b'\n')
                    && rendered.encoding == mailwire_core::encoding::TransferEncoding::Base64;
                if root.is_multipart() || base64 {
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
        Ok(out)
    }

    /// Builds the message and writes it to `writer`.
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build), and [`BuildError::Io`] when writing fails.
    ///
    /// ```
    /// use mailwire_message::builder::MessageBuilder;
    /// let mut out = Vec::new();
    /// MessageBuilder::new().from("a@example.org").date_unix(0, 0).write_to(&mut out)?;
    /// assert!(out.ends_with(b"\r\n\r\n"));
    /// # Ok::<(), mailwire_message::builder::BuildError>(())
    /// ```
    pub fn write_to(&self, writer: &mut impl io::Write) -> Result<(), BuildError> {
        let bytes = self.build()?;
        writer.write_all(&bytes)?;
        Ok(())
    }

    /// The body tree the shortcuts describe, or the one given.
    fn root(&self) -> Result<Option<Part>, BuildError> {
        if let Some(body) = &self.body {
            if self.text.is_some()
                || self.html.is_some()
                || !self.inline.is_empty()
                || !self.attachments.is_empty()
            {
                return Err(BuildError::ConflictingBody);
            }
            return Ok(Some(body.clone()));
        }
        let text = self.text.as_ref().map(|t| Part::text(t.clone()));
        let mut html = self.html.as_ref().map(|h| Part::html(h.clone()));
        let mut text = text;
        if !self.inline.is_empty() {
            // The HTML (or the only body) is the root of the related parts.
            let target = if html.is_some() { &mut html } else { &mut text };
            let root = target.take().into_iter();
            *target = Some(Part::multipart(
                "related",
                root.chain(self.inline.iter().cloned()),
            ));
        }
        let main = match (text, html) {
            (Some(t), Some(h)) => Some(Part::multipart("alternative", [t, h])),
            (t, h) => t.or(h),
        };
        if self.attachments.is_empty() {
            return Ok(main);
        }
        Ok(Some(Part::multipart(
            "mixed",
            main.into_iter().chain(self.attachments.iter().cloned()),
        )))
    }

    /// Writes the message's own fields.
    fn write_header(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        let date = match &self.date {
            None => return Err(BuildError::MissingField("Date")),
            Some(DateInput::Typed(date)) => *date,
            Some(DateInput::Rfc5322(text)) => {
                check_value("Date", text)?;
                let mut defects = Vec::new();
                match DateTime::parse_with_defects(text.as_bytes(), 0, &mut defects) {
                    Some(date) if defects.is_empty() => date,
                    _ => return Err(BuildError::InvalidDate(text.clone())),
                }
            }
            Some(DateInput::Unix(secs, offset)) => DateTime::from_unix(*secs, *offset)
                .ok_or_else(|| BuildError::InvalidDate(format!("{secs} {offset:+}")))?,
        };
        let date = date.to_string();
        raw_field(out, "Date", &date)?;
        if self.from.is_empty() {
            return Err(BuildError::MissingField("From"));
        }
        if self.from.len() > 1 && self.sender.is_none() {
            return Err(BuildError::SenderRequired);
        }
        let from: Vec<AddressItem> = self
            .from
            .iter()
            .cloned()
            .map(AddressItem::Mailbox)
            .collect();
        write_addresses(out, "From", &from)?;
        if let Some(sender) = &self.sender {
            write_addresses(out, "Sender", &[AddressItem::Mailbox(sender.clone())])?;
        }
        write_addresses(out, "Reply-To", &self.reply_to)?;
        write_addresses(out, "To", &self.to)?;
        write_addresses(out, "Cc", &self.cc)?;
        if self.write_bcc {
            write_addresses(out, "Bcc", &self.bcc)?;
        } else {
            // Checked all the same.
            write_addresses(&mut Vec::new(), "Bcc", &self.bcc)?;
        }
        if let Some(subject) = &self.subject {
            check_value("Subject", subject)?;
            let mut f = Folder::new(out, "Subject");
            write_unstructured(&mut f, subject);
            f.finish();
        }
        if let Some(id) = &self.message_id {
            let id = msg_id("Message-ID", id)?;
            raw_field(out, "Message-ID", &id)?;
        }
        for (name, ids) in [
            ("In-Reply-To", &self.in_reply_to),
            ("References", &self.references),
        ] {
            if ids.is_empty() {
                continue;
            }
            let mut f = Folder::new(out, name);
            for id in ids {
                f.token(b" ", msg_id(name, id)?.as_bytes());
            }
            f.finish();
        }
        for field in &self.extra {
            check_name(&field.name)?;
            if TYPED_FIELDS
                .iter()
                .chain(part::PART_FIELDS.iter())
                .any(|r| r.eq_ignore_ascii_case(&field.name))
            {
                return Err(BuildError::ReservedHeader(field.name.clone()));
            }
            check_value(&field.name, &field.value)?;
            if field.raw {
                raw_field(out, &field.name, &field.value)?;
            } else {
                let mut f = Folder::new(out, &field.name);
                write_unstructured(&mut f, &field.value);
                f.finish();
            }
        }
        Ok(())
    }
}

fn group<M: Into<MailAddress>>(name: &str, members: impl IntoIterator<Item = M>) -> AddressItem {
    AddressItem::Group(
        name.to_string(),
        members.into_iter().map(Into::into).collect(),
    )
}

/// Refuses CR, LF and NUL in a value for `field`.
pub(crate) fn check_value(field: &str, value: &str) -> Result<(), BuildError> {
    match value.bytes().find(|&b| matches!(b, b'\r' | b'\n' | 0)) {
        Some(byte) => Err(BuildError::ForbiddenCharacter {
            field: field.to_string(),
            byte,
        }),
        None => Ok(()),
    }
}

/// Longest field name: leaves room for a value on the first line.
const MAX_NAME: usize = 900;

/// Checks a field name: `1*ftext` (RFC 5322 section 2.2), at most
/// [`MAX_NAME`] characters.
pub(crate) fn check_name(name: &str) -> Result<(), BuildError> {
    let ftext = |b: u8| (33..=126).contains(&b) && b != b':';
    if name.is_empty() || name.len() > MAX_NAME || !name.bytes().all(ftext) {
        return Err(BuildError::InvalidHeaderName(name.to_string()));
    }
    Ok(())
}

/// A field written as given, folded at its white space.
fn raw_field(out: &mut Vec<u8>, name: &str, value: &str) -> Result<(), BuildError> {
    check_value(name, value)?;
    let value = value.trim_matches([' ', '\t']);
    let mut f = Folder::new(out, name);
    let mut rest = value;
    let mut sep = " ";
    while !rest.is_empty() {
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        let word = &rest[..end];
        if name.len().max(sep.len()) + 2 + word.len() > HARD_LIMIT {
            return Err(BuildError::LineTooLong(name.to_string()));
        }
        f.token(sep.as_bytes(), word.as_bytes());
        rest = &rest[end..];
        let ws_end = rest.find(|c| c != ' ' && c != '\t').unwrap_or(rest.len());
        sep = &rest[..ws_end];
        if sep.len() > 40 {
            // No line of white space only, nor one too long.
            sep = " ";
        }
        rest = &rest[ws_end..];
    }
    f.finish();
    Ok(())
}

/// Longest address or message identifier written.
const MAX_ADDRESS: usize = 900;

/// The canonical form of `address`, checked as an `addr-spec`.
fn addr_spec(field: &str, address: &str) -> Result<String, BuildError> {
    check_value(field, address)?;
    let bad = || BuildError::InvalidAddress {
        field: field.to_string(),
        address: address.to_string(),
    };
    let mailbox = Mailbox::parse_addr_spec(address.as_bytes()).map_err(|_| bad())?;
    let canonical = mailbox.to_string();
    if canonical.len() > MAX_ADDRESS {
        return Err(bad());
    }
    Ok(canonical)
}

/// A display name as written: trimmed, `None` when nothing is left.
fn display_name(name: Option<&str>) -> Option<&str> {
    let name = name?.trim_matches([' ', '\t']);
    (!name.trim().is_empty()).then_some(name)
}

/// `<left@right>` from `id` (angle brackets optional), checked as RFC 5322
/// `msg-id` (`dot-atom-text "@" (dot-atom-text / no-fold-literal)`).
pub(crate) fn msg_id(field: &str, id: &str) -> Result<String, BuildError> {
    check_value(field, id)?;
    let bad = || BuildError::InvalidMessageId {
        field: field.to_string(),
        id: id.to_string(),
    };
    let inner = id.trim_matches([' ', '\t']);
    let inner = inner
        .strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(inner);
    let (left, right) = inner.rsplit_once('@').ok_or_else(bad)?;
    let atext = |b: u8| mailwire_core::token::is_atext(b) && b.is_ascii();
    let dot_atom =
        |s: &str| !s.is_empty() && s.split('.').all(|a| !a.is_empty() && a.bytes().all(atext));
    let literal = |s: &str| {
        s.strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .is_some_and(|d| {
                d.bytes()
                    .all(|b| (33..=126).contains(&b) && !matches!(b, b'[' | b']' | b'\\'))
            })
    };
    if !dot_atom(left) || !(dot_atom(right) || literal(right)) || inner.len() > MAX_ADDRESS {
        return Err(bad());
    }
    Ok(format!("<{inner}>"))
}

/// Writes an address field (nothing when `items` is empty).
fn write_addresses(
    out: &mut Vec<u8>,
    field: &str,
    items: &[AddressItem],
) -> Result<(), BuildError> {
    if items.is_empty() {
        return Ok(());
    }
    let mut f = Folder::new(out, field);
    for (n, item) in items.iter().enumerate() {
        let comma: &[u8] = if n + 1 < items.len() { b"," } else { b"" };
        match item {
            AddressItem::Mailbox(m) => write_mailbox(&mut f, field, m, comma)?,
            AddressItem::Group(name, members) => {
                check_value(field, name)?;
                let name = display_name(Some(name)).ok_or_else(|| BuildError::EmptyGroupName {
                    field: field.to_string(),
                })?;
                if members.is_empty() {
                    write_phrase(&mut f, b" ", name, &[b":;", comma].concat());
                    continue;
                }
                write_phrase(&mut f, b" ", name, b":");
                for (k, m) in members.iter().enumerate() {
                    let end = if k + 1 < members.len() {
                        b",".to_vec()
                    } else {
                        [b";", comma].concat()
                    };
                    write_mailbox(&mut f, field, m, &end)?;
                }
            }
        }
    }
    f.finish();
    Ok(())
}

/// Writes `name <address>` or `address`, then `suffix`.
fn write_mailbox(
    f: &mut Folder<'_>,
    field: &str,
    m: &MailAddress,
    suffix: &[u8],
) -> Result<(), BuildError> {
    let address = addr_spec(field, &m.address)?;
    if let Some(name) = &m.name {
        check_value(field, name)?;
    }
    match display_name(m.name.as_deref()) {
        Some(name) => {
            write_phrase(f, b" ", name, b"");
            f.token(b" ", &[b"<", address.as_bytes(), b">", suffix].concat());
        }
        None => f.token(b" ", &[address.as_bytes(), suffix].concat()),
    }
    Ok(())
}
