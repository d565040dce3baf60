//! What a mail client shows: the text body, the HTML body and the
//! attachments, chosen from the MIME tree by the rules of RFC 8621 (JMAP
//! Mail) section 4.1.4.
//!
//! In short: inside `multipart/alternative` the `text/plain` parts form the
//! text body and the `text/html` parts the HTML body; elsewhere an inline
//! text part belongs to both, and when one alternative is missing the other
//! stands in for it. Parts marked `attachment`, parts of other types, text
//! parts with a file name after the first part of a multipart, and every
//! part of `multipart/related` after the first are attachments. Inline
//! images, audio and video inside a body are in the body lists and, where a
//! client that shows only one alternative would lose them, in the
//! attachments too. An attached `message/rfc822` is one attachment; its own
//! parts are not looked into.

use crate::Message;
use crate::params::DispositionKind;
use crate::part::{Content, Part};

/// The three lists of [`Message::body_parts`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyParts<'p, 'a> {
    /// The parts to show, in order, to a reader who wants plain text.
    pub text: Vec<&'p Part<'a>>,
    /// The parts to show, in order, to a reader who wants HTML.
    pub html: Vec<&'p Part<'a>>,
    /// The parts to offer as attachments.
    pub attachments: Vec<&'p Part<'a>>,
}

impl<'a> Message<'a> {
    /// The text body, HTML body and attachments (RFC 8621 section 4.1.4).
    ///
    /// ```
    /// use mailwire_message::Message;
    ///
    /// let raw = concat!(
    ///     "Content-Type: multipart/mixed; boundary=m\r\n\r\n",
    ///     "--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n",
    ///     "--a\r\nContent-Type: text/plain\r\n\r\nHello\r\n",
    ///     "--a\r\nContent-Type: text/html\r\n\r\n<p>Hello</p>\r\n",
    ///     "--a--\r\n",
    ///     "--m\r\nContent-Type: application/pdf; name=report.pdf\r\n\r\n%PDF\r\n",
    ///     "--m--\r\n",
    /// );
    /// let message = Message::parse(raw.as_bytes());
    /// let body = message.body_parts();
    /// assert_eq!(body.text[0].text().as_deref(), Some("Hello"));
    /// assert_eq!(body.html[0].text().as_deref(), Some("<p>Hello</p>"));
    /// assert_eq!(body.attachments[0].filename().as_deref(), Some("report.pdf"));
    /// ```
    #[must_use]
    pub fn body_parts(&self) -> BodyParts<'_, 'a> {
        let mut lists = BodyParts::default();
        walk(
            std::slice::from_ref(self.root()),
            Level {
                kind: Kind::Mixed,
                in_alternative: false,
                text_on: true,
                html_on: true,
            },
            &mut lists,
        );
        lists
    }

    /// The text body as one string: the decoded text of every `text/*`
    /// part of the text body list of [`body_parts`](Self::body_parts),
    /// joined; `None` when there is none. HTML parts that stand in for a missing plain
    /// text part are included as they are.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Content-Type: text/plain; charset=utf-8\r\n\r\nHi \xc3\xa9");
    /// assert_eq!(message.text_body().as_deref(), Some("Hi \u{e9}"));
    /// ```
    #[must_use]
    pub fn text_body(&self) -> Option<String> {
        join(&self.body_parts().text)
    }

    /// The HTML body as one string (see [`text_body`](Self::text_body)).
    /// A plain text part that stands in for a missing HTML part is
    /// included as it is, not converted.
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let message = Message::parse(b"Content-Type: text/html\r\n\r\n<p>Hi</p>");
    /// assert_eq!(message.html_body().as_deref(), Some("<p>Hi</p>"));
    /// ```
    #[must_use]
    pub fn html_body(&self) -> Option<String> {
        join(&self.body_parts().html)
    }

    /// The attachments (see [`body_parts`](Self::body_parts)).
    ///
    /// ```
    /// use mailwire_message::Message;
    /// let raw = concat!(
    ///     "Content-Type: multipart/mixed; boundary=m\r\n\r\n",
    ///     "--m\r\n\r\nSee attached.\r\n",
    ///     "--m\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nnotes\r\n",
    ///     "--m--\r\n",
    /// );
    /// let message = Message::parse(raw.as_bytes());
    /// let names: Vec<_> = message.attachments().iter().map(|p| p.filename()).collect();
    /// assert_eq!(names, [Some("notes.txt".into())]);
    /// ```
    #[must_use]
    pub fn attachments(&self) -> Vec<&Part<'a>> {
        self.body_parts().attachments
    }
}

/// The text of the `text/*` parts of a body list, joined; `None` when
/// there are none (inline images are shown, not read as text).
fn join(parts: &[&Part<'_>]) -> Option<String> {
    let mut texts = parts
        .iter()
        .filter(|part| part.content_type().main_type() == "text")
        .filter_map(|part| part.text())
        .peekable();
    texts.peek()?;
    Some(texts.collect())
}

/// The multipart subtypes the algorithm tells apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Mixed,
    Alternative,
    Related,
}

fn is_inline_media(part: &Part<'_>) -> bool {
    let main = part.content_type().main_type();
    matches!(&*main, "image" | "audio" | "video")
}

/// Where the walk is: the multipart kind, whether inside an alternative,
/// and which body lists this level still adds to (the algorithm's `null`).
#[derive(Clone, Copy)]
struct Level {
    kind: Kind,
    in_alternative: bool,
    text_on: bool,
    html_on: bool,
}

/// RFC 8621 section 4.1.4 `parseStructure`.
fn walk<'p, 'a>(parts: &'p [Part<'a>], mut level: Level, lists: &mut BodyParts<'p, 'a>) {
    let (text_start, html_start) = (lists.text.len(), lists.html.len());
    for (i, part) in parts.iter().enumerate() {
        let content_type = part.content_type();
        let is_plain = content_type.is("text", "plain");
        let is_html = content_type.is("text", "html");
        let is_attachment = part
            .content_disposition()
            .is_some_and(|d| d.kind() == DispositionKind::Attachment);
        // A body part, not an attachment: an allowed type, not marked as an
        // attachment, and first in its multipart unless it is media or has
        // no file name (in `multipart/related` only the first part).
        let is_inline = !is_attachment
            && (is_plain || is_html || is_inline_media(part))
            && (i == 0
                || (level.kind != Kind::Related
                    && (is_inline_media(part) || part.filename().is_none())));
        match part.content() {
            Content::Multipart(multipart) => {
                let kind = match &*content_type.subtype() {
                    "alternative" => Kind::Alternative,
                    "related" => Kind::Related,
                    _ => Kind::Mixed,
                };
                let inner = Level {
                    kind,
                    in_alternative: level.in_alternative || kind == Kind::Alternative,
                    ..level
                };
                walk(multipart.parts(), inner, lists);
            }
            _ if is_inline => {
                if level.kind == Kind::Alternative {
                    if is_plain && level.text_on {
                        lists.text.push(part);
                    } else if is_html && level.html_on {
                        lists.html.push(part);
                    } else if !is_plain && !is_html {
                        lists.attachments.push(part);
                    }
                    continue;
                }
                if level.in_alternative {
                    // This branch of an alternative is for readers of one
                    // kind only, from here on.
                    if is_plain {
                        level.html_on = false;
                    }
                    if is_html {
                        level.text_on = false;
                    }
                }
                if level.text_on {
                    lists.text.push(part);
                }
                if level.html_on {
                    lists.html.push(part);
                }
                if (!level.text_on || !level.html_on) && is_inline_media(part) {
                    lists.attachments.push(part);
                }
            }
            _ => lists.attachments.push(part),
        }
    }
    // An alternative that offered one kind only: it stands in for the other.
    if level.kind == Kind::Alternative && level.text_on && level.html_on {
        let (text_added, html_added) = (
            lists.text.len() != text_start,
            lists.html.len() != html_start,
        );
        if !text_added && html_added {
            let added = lists.html[html_start..].to_vec();
            lists.text.extend(added);
        } else if !html_added && text_added {
            let added = lists.text[text_start..].to_vec();
            lists.html.extend(added);
        }
    }
}
