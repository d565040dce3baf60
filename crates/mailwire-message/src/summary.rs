//! A flat, serializable summary of a message: the fields a mail client
//! lists and every leaf part, decoded (feature `serde`).
//!
//! Its JSON form is stable; tools and tests rely on it:
//!
//! ```text
//! {"subject": str|null,
//!  "from": [{"name": str|null, "address": str}], "to": [..], "cc": [..],
//!  "date": RFC 3339 str|null, "message_id": str|null (without <>),
//!  "parts": [{"content_type": "type/subtype" (lowercase), "charset": str|null,
//!             "filename": str|null, "disposition": "inline"|"attachment"|null,
//!             "size": decoded byte count,
//!             "text": decoded text for text/* leaves, else null}],
//!  "defects": [str]}
//! ```
//!
//! `parts` lists every leaf in depth-first order, descending into attached
//! messages. Group members stand in for their group in the address lists.
//!
//! ```
//! use mailwire_message::{Message, summary::Summary};
//!
//! let raw = concat!(
//!     "From: =?utf-8?q?Andr=C3=A9?= <andre@example.org>\r\n",
//!     "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n",
//!     "Message-ID: <1234@local.machine.example>\r\n",
//!     "\r\n",
//!     "Hi.\r\n",
//! );
//! let summary = Summary::of(&Message::parse(raw.as_bytes()));
//! assert_eq!(summary.from[0].name.as_deref(), Some("Andr\u{e9}"));
//! assert_eq!(summary.date.as_deref(), Some("1997-11-21T09:55:06-06:00"));
//! assert_eq!(summary.message_id.as_deref(), Some("1234@local.machine.example"));
//! assert_eq!(summary.parts[0].text.as_deref(), Some("Hi.\r\n"));
//! ```

use serde::Serialize;

use crate::address::AddressList;
use crate::params::DispositionKind;
use crate::{Message, Part};

/// The summary of one message; see the [module documentation](self).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// `Subject`, decoded.
    pub subject: Option<String>,
    /// The mailboxes of `From`.
    pub from: Vec<MailboxSummary>,
    /// The mailboxes of `To`.
    pub to: Vec<MailboxSummary>,
    /// The mailboxes of `Cc`.
    pub cc: Vec<MailboxSummary>,
    /// `Date` in RFC 3339 form (`-00:00` when the zone is unknown); `None`
    /// when absent or invalid.
    pub date: Option<String>,
    /// `Message-ID` without its angle brackets.
    pub message_id: Option<String>,
    /// Every leaf part, depth-first, attached messages included.
    pub parts: Vec<PartSummary>,
    /// Every defect of [`Message::validate`], as text.
    pub defects: Vec<String>,
}

/// One mailbox of an address list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailboxSummary {
    /// The display name, decoded; `None` when there is none.
    pub name: Option<String>,
    /// The address (`local@domain`).
    pub address: String,
}

/// One leaf part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartSummary {
    /// `type/subtype`, lowercase.
    pub content_type: String,
    /// The `charset` parameter, lowercase.
    pub charset: Option<String>,
    /// The file name ([`Part::filename`]).
    pub filename: Option<String>,
    /// `inline` or `attachment`, from `Content-Disposition`.
    pub disposition: Option<&'static str>,
    /// The size of the decoded body in bytes.
    pub size: usize,
    /// The decoded text of a `text/*` part ([`Part::text`]).
    pub text: Option<String>,
}

impl Summary {
    /// Summarises `message`, decoding every leaf.
    #[must_use]
    pub fn of(message: &Message<'_>) -> Self {
        let header = message.header();
        Self {
            subject: header.subject().map(|s| s.into_owned()),
            from: mailboxes(header.from()),
            to: mailboxes(header.to()),
            cc: mailboxes(header.cc()),
            date: header.date().map(|date| date.to_rfc3339()),
            message_id: header.message_id().map(|id| id.as_str().to_owned()),
            parts: message.root().leaves().map(PartSummary::of).collect(),
            defects: message.validate().iter().map(ToString::to_string).collect(),
        }
    }
}

impl PartSummary {
    /// Summarises one part, decoding its body.
    #[must_use]
    pub fn of(part: &Part<'_>) -> Self {
        let content_type = part.content_type();
        // RFC 2045 section 6.4: an entity with an unknown transfer encoding
        // is treated as application/octet-stream.
        let opaque = part.transfer_encoding().is_none();
        let is_text = content_type.main_type() == "text" && !opaque;
        let text = if is_text {
            part.text().map(|t| t.into_owned())
        } else {
            None
        };
        Self {
            content_type: if opaque {
                "application/octet-stream".to_owned()
            } else {
                content_type.essence()
            },
            charset: part
                .header()
                .content_type()
                .and_then(|ct| ct.charset())
                .map(|c| c.to_ascii_lowercase()),
            filename: part.filename().map(|f| f.into_owned()),
            disposition: part.content_disposition().and_then(|d| match d.kind() {
                DispositionKind::Inline => Some("inline"),
                DispositionKind::Attachment => Some("attachment"),
                DispositionKind::Other(_) => None,
            }),
            size: part.decoded_body().len(),
            text,
        }
    }
}

fn mailboxes(list: Option<AddressList<'_>>) -> Vec<MailboxSummary> {
    list.iter()
        .flat_map(AddressList::mailboxes)
        .map(|mailbox| MailboxSummary {
            name: mailbox.name().map(|n| n.into_owned()),
            address: mailbox.mailbox().to_string(),
        })
        .collect()
}
