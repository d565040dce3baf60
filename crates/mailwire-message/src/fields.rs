//! Typed accessors for the header fields of RFC 5322, RFC 2045 and their
//! companions, on [`Header`]: each finds its field and parses the raw value
//! when called, nothing before.
//!
//! Each accessor reads the first field of its name (RFC 5322 section 3.6
//! allows most of them once; for the trace and resent fields the first is
//! the most recent). Use [`Header::get_all`] with the parsers of the other
//! modules to read every occurrence, and their `_with_defects` forms to
//! learn what was wrong with a value.
//!
//! ```
//! use mailwire_message::Message;
//!
//! let raw = concat!(
//!     "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n",
//!     "To: Mary Smith <mary@x.test>, jdoe@example.org\r\n",
//!     "Cc: Undisclosed recipients:;\r\n",
//!     "Subject: =?utf-8?q?Caf=C3=A9?= tonight\r\n",
//!     "Keywords: coffee, \"late night\"\r\n",
//!     "MIME-Version: 1.0 (produced by hand)\r\n",
//!     "\r\n",
//! );
//! let message = Message::parse(raw.as_bytes());
//! let header = message.header();
//! let from = header.from().unwrap();
//! let sender = from.mailboxes().next().unwrap();
//! assert_eq!(sender.name().as_deref(), Some("Joe Q. Public"));
//! assert_eq!(sender.mailbox().to_string(), "john.q.public@example.com");
//! assert_eq!(header.to().unwrap().mailboxes().count(), 2);
//! assert_eq!(header.cc().unwrap().mailboxes().count(), 0);
//! assert_eq!(header.subject().as_deref(), Some("Caf\u{e9} tonight"));
//! assert_eq!(header.keywords(), ["coffee", "late night"]);
//! assert_eq!(header.mime_version(), Some((1, 0)));
//! ```

use std::borrow::Cow;

use mailwire_core::encoding::TransferEncoding;

use crate::address::AddressList;
use crate::date::DateTime;
use crate::encoded_word;
use crate::ids::{MessageId, parse_ids};
use crate::list::{ListId, ListPost, parse_list_urls};
use crate::params::{ContentDisposition, ContentType};
use crate::received::{Received, ReturnPath};
use crate::{Header, HeaderField};

impl<'a> Header<'a> {
    fn value(&self, name: &str) -> Option<&'a [u8]> {
        self.get(name).map(HeaderField::raw_value)
    }

    /// The address list of the first field called `name`.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"X-Original-To: a@example.com\r\n\r\n");
    /// assert_eq!(message.header().addresses("x-original-to").unwrap().len(), 1);
    /// ```
    #[must_use]
    pub fn addresses(&self, name: &str) -> Option<AddressList<'a>> {
        self.value(name).map(AddressList::parse)
    }

    /// `From` (RFC 5322 section 3.6.2): the authors.
    #[must_use]
    pub fn from(&self) -> Option<AddressList<'a>> {
        self.addresses("From")
    }

    /// `Sender` (RFC 5322 section 3.6.2): who sent it for the authors.
    #[must_use]
    pub fn sender(&self) -> Option<AddressList<'a>> {
        self.addresses("Sender")
    }

    /// `Reply-To` (RFC 5322 section 3.6.2).
    #[must_use]
    pub fn reply_to(&self) -> Option<AddressList<'a>> {
        self.addresses("Reply-To")
    }

    /// `To` (RFC 5322 section 3.6.3).
    #[must_use]
    pub fn to(&self) -> Option<AddressList<'a>> {
        self.addresses("To")
    }

    /// `Cc` (RFC 5322 section 3.6.3).
    #[must_use]
    pub fn cc(&self) -> Option<AddressList<'a>> {
        self.addresses("Cc")
    }

    /// `Bcc` (RFC 5322 section 3.6.3). May be present but empty.
    #[must_use]
    pub fn bcc(&self) -> Option<AddressList<'a>> {
        self.addresses("Bcc")
    }

    /// `Resent-From` of the most recent resending (RFC 5322 section 3.6.6).
    #[must_use]
    pub fn resent_from(&self) -> Option<AddressList<'a>> {
        self.addresses("Resent-From")
    }

    /// `Resent-Sender` of the most recent resending.
    #[must_use]
    pub fn resent_sender(&self) -> Option<AddressList<'a>> {
        self.addresses("Resent-Sender")
    }

    /// `Resent-To` of the most recent resending.
    #[must_use]
    pub fn resent_to(&self) -> Option<AddressList<'a>> {
        self.addresses("Resent-To")
    }

    /// `Resent-Cc` of the most recent resending.
    #[must_use]
    pub fn resent_cc(&self) -> Option<AddressList<'a>> {
        self.addresses("Resent-Cc")
    }

    /// `Resent-Bcc` of the most recent resending.
    #[must_use]
    pub fn resent_bcc(&self) -> Option<AddressList<'a>> {
        self.addresses("Resent-Bcc")
    }

    /// `Date` (RFC 5322 section 3.6.1), parsed; `None` when absent or not
    /// a date (see [`date`](crate::date) for what is accepted).
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n\r\n");
    /// assert_eq!(message.header().date().unwrap().to_rfc3339(), "1997-11-21T09:55:06-06:00");
    /// ```
    #[must_use]
    pub fn date(&self) -> Option<DateTime> {
        self.value("Date").and_then(DateTime::parse)
    }

    /// `Resent-Date` of the most recent resending (RFC 5322 section 3.6.6).
    #[must_use]
    pub fn resent_date(&self) -> Option<DateTime> {
        self.value("Resent-Date").and_then(DateTime::parse)
    }

    /// `Message-ID` (RFC 5322 section 3.6.4).
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Message-ID: <1234@local.machine.example>\r\n\r\n");
    /// assert_eq!(message.header().message_id().unwrap().as_str(), "1234@local.machine.example");
    /// ```
    #[must_use]
    pub fn message_id(&self) -> Option<MessageId<'a>> {
        self.value("Message-ID").and_then(MessageId::parse)
    }

    /// `Resent-Message-ID` of the most recent resending.
    #[must_use]
    pub fn resent_message_id(&self) -> Option<MessageId<'a>> {
        self.value("Resent-Message-ID").and_then(MessageId::parse)
    }

    /// `In-Reply-To` (RFC 5322 section 3.6.4): the identifiers of the
    /// messages this one answers; empty when absent.
    #[must_use]
    pub fn in_reply_to(&self) -> Vec<MessageId<'a>> {
        self.value("In-Reply-To").map(parse_ids).unwrap_or_default()
    }

    /// `References` (RFC 5322 section 3.6.4): the thread, oldest first;
    /// empty when absent.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"References: <a@x> <b@y>\r\n\r\n");
    /// let thread: Vec<_> = message.header().references().iter().map(|id| id.to_string()).collect();
    /// assert_eq!(thread, ["<a@x>", "<b@y>"]);
    /// ```
    #[must_use]
    pub fn references(&self) -> Vec<MessageId<'a>> {
        self.value("References").map(parse_ids).unwrap_or_default()
    }

    /// `Content-ID` (RFC 2045 section 7), the target of `cid:` URLs.
    #[must_use]
    pub fn content_id(&self) -> Option<MessageId<'a>> {
        self.value("Content-ID").and_then(MessageId::parse)
    }

    /// The first field called `name` as `unstructured` text (RFC 5322
    /// section 3.2.5): unfolded, RFC 2047 encoded words and raw UTF-8 or
    /// 8-bit text decoded, leading white space dropped.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"X-Note: =?iso-8859-1?q?caf=E9?=\r\n\r\n");
    /// assert_eq!(message.header().text("x-note").as_deref(), Some("caf\u{e9}"));
    /// ```
    #[must_use]
    pub fn text(&self, name: &str) -> Option<Cow<'a, str>> {
        self.value(name).map(encoded_word::decode_unstructured)
    }

    /// `Subject` (RFC 5322 section 3.6.5), decoded.
    #[must_use]
    pub fn subject(&self) -> Option<Cow<'a, str>> {
        self.text("Subject")
    }

    /// `Comments` (RFC 5322 section 3.6.5), decoded.
    #[must_use]
    pub fn comments(&self) -> Option<Cow<'a, str>> {
        self.text("Comments")
    }

    /// `Keywords` (RFC 5322 section 3.6.5): the phrases of every Keywords
    /// field, in order, decoded, empty ones dropped.
    ///
    /// ```text
    /// keywords = "Keywords:" phrase *("," phrase) CRLF
    /// ```
    #[must_use]
    pub fn keywords(&self) -> Vec<Cow<'a, str>> {
        self.get_all("Keywords")
            .flat_map(|field| split_phrases(field.raw_value()))
            .map(encoded_word::decode_phrase)
            .filter(|keyword| !keyword.is_empty())
            .collect()
    }

    /// `Content-Type` (RFC 2045 section 5), parsed; `None` when absent
    /// (see [`Part::content_type`](crate::Part::content_type) for the type
    /// that applies then).
    #[must_use]
    pub fn content_type(&self) -> Option<ContentType<'a>> {
        self.value("Content-Type").map(ContentType::parse)
    }

    /// `Content-Disposition` (RFC 2183), parsed.
    #[must_use]
    pub fn content_disposition(&self) -> Option<ContentDisposition<'a>> {
        self.value("Content-Disposition")
            .map(ContentDisposition::parse)
    }

    /// `Content-Transfer-Encoding` (RFC 2045 section 6): `None` when absent,
    /// `Some(None)` for a mechanism that is not one of the standard five.
    #[must_use]
    pub fn content_transfer_encoding(&self) -> Option<Option<TransferEncoding>> {
        self.value("Content-Transfer-Encoding")
            .map(|value| TransferEncoding::parse(strip_comment(value)))
    }

    /// `Content-Description` (RFC 2045 section 8), decoded as text.
    #[must_use]
    pub fn content_description(&self) -> Option<Cow<'a, str>> {
        self.text("Content-Description")
    }

    /// Every `Received` field (RFC 5322 section 3.6.7), parsed, in header
    /// order: the most recent hop first, the first hop last.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let raw = concat!(
    ///     "Received: from mx.example.net by mail.example.org; 1 Jul 2003 10:53:00 +0000\r\n",
    ///     "Received: from laptop by mx.example.net; 1 Jul 2003 10:52:37 +0000\r\n",
    ///     "\r\n",
    /// );
    /// let message = Message::parse(raw.as_bytes());
    /// let hops: Vec<_> = message.header().received().iter().map(|r| r.by().unwrap().to_owned()).collect();
    /// assert_eq!(hops, ["mail.example.org", "mx.example.net"]);
    /// ```
    #[must_use]
    pub fn received(&self) -> Vec<Received<'a>> {
        self.get_all("Received")
            .map(|field| Received::parse(field.raw_value()))
            .collect()
    }

    /// `Return-Path` (RFC 5322 section 3.6.7): where delivery failures go,
    /// the null path `<>` for a message that is itself a notification. The
    /// first field, written at final delivery.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Return-Path: <bounce@example.com>\r\n\r\n");
    /// let path = message.header().return_path().unwrap();
    /// assert_eq!(path.mailbox().unwrap().to_string(), "bounce@example.com");
    /// ```
    #[must_use]
    pub fn return_path(&self) -> Option<ReturnPath<'a>> {
        self.value("Return-Path").and_then(ReturnPath::parse)
    }

    /// `List-Id` (RFC 2919).
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"List-Id: Users <users.lists.example.org>\r\n\r\n");
    /// assert_eq!(message.header().list_id().unwrap().id(), "users.lists.example.org");
    /// ```
    #[must_use]
    pub fn list_id(&self) -> Option<ListId<'a>> {
        self.value("List-Id").and_then(ListId::parse)
    }

    /// The URLs of the first field called `name`, read as an RFC 2369 list
    /// field; empty when absent. Only the first field counts: a message
    /// relayed through two lists carries the fields of both, the most
    /// recent list on top.
    fn list_urls(&self, name: &str) -> Vec<Cow<'a, str>> {
        self.value(name).map(parse_list_urls).unwrap_or_default()
    }

    /// `List-Unsubscribe` (RFC 2369 section 3.2): the URLs, preferred
    /// first; empty when absent.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"List-Unsubscribe: <mailto:leave@example.org>,\r\n <https://example.org/u/1>\r\n\r\n");
    /// assert_eq!(message.header().list_unsubscribe(), ["mailto:leave@example.org", "https://example.org/u/1"]);
    /// ```
    #[must_use]
    pub fn list_unsubscribe(&self) -> Vec<Cow<'a, str>> {
        self.list_urls("List-Unsubscribe")
    }

    /// `List-Subscribe` (RFC 2369 section 3.3): the URLs; empty when absent.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"List-Subscribe: <mailto:join@example.org>\r\n\r\n");
    /// assert_eq!(message.header().list_subscribe(), ["mailto:join@example.org"]);
    /// ```
    #[must_use]
    pub fn list_subscribe(&self) -> Vec<Cow<'a, str>> {
        self.list_urls("List-Subscribe")
    }

    /// `List-Help` (RFC 2369 section 3.1): the URLs; empty when absent.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"List-Help: <mailto:list@host.com?subject=help> (List Instructions)\r\n\r\n");
    /// assert_eq!(message.header().list_help(), ["mailto:list@host.com?subject=help"]);
    /// ```
    #[must_use]
    pub fn list_help(&self) -> Vec<Cow<'a, str>> {
        self.list_urls("List-Help")
    }

    /// `List-Owner` (RFC 2369 section 3.5): the URLs; empty when absent.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"List-Owner: <mailto:listmom@host.com> (Contact Person for Help)\r\n\r\n");
    /// assert_eq!(message.header().list_owner(), ["mailto:listmom@host.com"]);
    /// ```
    #[must_use]
    pub fn list_owner(&self) -> Vec<Cow<'a, str>> {
        self.list_urls("List-Owner")
    }

    /// `List-Archive` (RFC 2369 section 3.6): the URLs; empty when absent.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"List-Archive: <http://www.host.com/list/archive/>\r\n\r\n");
    /// assert_eq!(message.header().list_archive(), ["http://www.host.com/list/archive/"]);
    /// ```
    #[must_use]
    pub fn list_archive(&self) -> Vec<Cow<'a, str>> {
        self.list_urls("List-Archive")
    }

    /// `List-Post` (RFC 2369 section 3.4): where to post, or
    /// [`ListPost::No`].
    ///
    /// ```
    /// use mailwire_message::{list::ListPost, Message};
    /// let message = Message::parse(b"List-Post: NO (posting not allowed on this list)\r\n\r\n");
    /// assert_eq!(message.header().list_post(), Some(ListPost::No));
    /// ```
    #[must_use]
    pub fn list_post(&self) -> Option<ListPost<'a>> {
        self.value("List-Post").map(ListPost::parse)
    }

    /// Whether the message offers one-click unsubscription (RFC 8058): a
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` field (compared
    /// without regard to case, white space and comments around it ignored)
    /// and an `https:` URL in `List-Unsubscribe` to send the POST to, as
    /// section 3.1 requires of the sender.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let raw = concat!(
    ///     "List-Unsubscribe: <mailto:u@example.com>, <https://example.com/unsubscribe/opaque>\r\n",
    ///     "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
    ///     "\r\n",
    /// );
    /// assert!(Message::parse(raw.as_bytes()).header().list_unsubscribe_one_click());
    /// ```
    #[must_use]
    pub fn list_unsubscribe_one_click(&self) -> bool {
        let Some(post) = self.value("List-Unsubscribe-Post") else {
            return false;
        };
        let post = post
            .split(|&b| b == b'(')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        post.eq_ignore_ascii_case(b"List-Unsubscribe=One-Click")
            && self.list_unsubscribe().iter().any(|url| {
                url.get(..6)
                    .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https:"))
            })
    }

    /// `MIME-Version` (RFC 2045 section 4) as `(major, minor)`; comments
    /// and white space are allowed around the numbers.
    ///
    /// ```text
    /// version := "MIME-Version" ":" 1*DIGIT "." 1*DIGIT
    /// ```
    #[must_use]
    pub fn mime_version(&self) -> Option<(u32, u32)> {
        let value = self.value("MIME-Version")?;
        let mut digits = value
            .split(|&b| b == b'(')
            .next()
            .unwrap_or_default()
            .split(|&b| b == b'.')
            .map(|n| core::str::from_utf8(n.trim_ascii()).ok()?.parse().ok());
        let major = digits.next()??;
        let minor = digits.next()??;
        digits.next().is_none().then_some((major, minor))
    }
}

/// A one-token value without a trailing comment.
fn strip_comment(value: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'(', value).unwrap_or(value.len());
    value[..end].trim_ascii()
}

/// Splits a list of phrases at the commas outside quoted strings and
/// comments.
fn split_phrases(value: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let (mut start, mut depth, mut quoted, mut escaped) = (0, 0usize, false, false);
    for (i, &b) in value.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' if quoted || depth > 0 => escaped = true,
            b'"' if depth == 0 => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            b',' if !quoted && depth == 0 => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}
