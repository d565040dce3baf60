//! SMTP replies (RFC 5321 section 4.2).

use std::borrow::Cow;

use super::status::{EnhancedStatus, ReplyCode};

/// A reply: a code, an optional RFC 3463 enhanced status code, and one or
/// more lines of text.
///
/// RFC 5321 section 4.2:
///
/// ```text
/// Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
///                  Reply-code [ SP textstring ] CRLF
/// textstring     = 1*(%d09 / %d32-126) ; HT, SP, Printable US-ASCII
/// ```
///
/// Build one with [`Reply::new`] (lines separated by `\n`), write it with
/// [`Reply::encode`]; read one with [`Reply::parse`], which borrows the
/// received lines. The enhanced status code, when present, is written on
/// every line and taken off every line when read (RFC 2034 section 4).
///
/// ```
/// use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};
///
/// let reply = Reply::new(ReplyCode::OK, Some(EnhancedStatus::SENDER_OK), "Originator\nok");
/// let bytes = reply.to_bytes()?;
/// assert_eq!(bytes, b"250-2.1.0 Originator\r\n250 2.1.0 ok\r\n");
///
/// let (read, used) = Reply::parse(&bytes)?.unwrap();
/// assert_eq!(used, bytes.len());
/// assert_eq!(read.code(), ReplyCode::OK);
/// assert_eq!(read.status(), Some(EnhancedStatus::SENDER_OK));
/// assert_eq!(read.lines().collect::<Vec<_>>(), ["Originator", "ok"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reply<'a> {
    code: ReplyCode,
    status: Option<EnhancedStatus>,
    text: Text<'a>,
}

/// Replies are equal when their codes, status codes and lines are,
/// however each was made.
impl PartialEq for Reply<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.status == other.status && self.lines().eq(other.lines())
    }
}

impl Eq for Reply<'_> {}

impl core::hash::Hash for Reply<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.code.hash(state);
        self.status.hash(state);
        for line in self.lines() {
            line.hash(state);
        }
    }
}

/// Where a reply's text lives.
#[derive(Debug, Clone)]
pub(crate) enum Text<'a> {
    /// Lines separated by `\n`, without codes.
    Plain(Cow<'a, str>),
    /// The reply as received (UTF-8 checked): every line still carries its
    /// `NNN-` / `NNN ` prefix, the enhanced status code when the reply
    /// has one, and its line ending.
    Wire(&'a str),
}

impl<'a> Reply<'a> {
    /// A reply with `text` (lines separated by `\n`; a final `\n` is
    /// ignored).
    ///
    /// ```
    /// use mailwire_smtp::types::{Reply, ReplyCode};
    /// let r = Reply::new(ReplyCode::SERVICE_READY, None, "mx.example.org ESMTP");
    /// assert_eq!(r.to_bytes()?, b"220 mx.example.org ESMTP\r\n");
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn new(
        code: ReplyCode,
        status: Option<EnhancedStatus>,
        text: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            code,
            status,
            text: Text::Plain(text.into()),
        }
    }

    pub(crate) const fn from_wire(
        code: ReplyCode,
        status: Option<EnhancedStatus>,
        wire: &'a str,
    ) -> Self {
        Self {
            code,
            status,
            text: Text::Wire(wire),
        }
    }

    /// The reply code.
    #[must_use]
    pub const fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code, if the reply has one.
    #[must_use]
    pub const fn status(&self) -> Option<EnhancedStatus> {
        self.status
    }

    /// 2yz: the command succeeded.
    #[must_use]
    pub const fn is_positive(&self) -> bool {
        self.code.is_positive()
    }

    /// The lines of text, without codes or line endings.
    ///
    /// ```
    /// use mailwire_smtp::types::Reply;
    /// let (r, _) = Reply::parse(b"250-mx.example.org\r\n250-SIZE 100\r\n250 8BITMIME\r\n")?.unwrap();
    /// assert_eq!(r.lines().collect::<Vec<_>>(), ["mx.example.org", "SIZE 100", "8BITMIME"]);
    /// # Ok::<(), mailwire_smtp::parse::ReplyError>(())
    /// ```
    pub fn lines(&self) -> impl Iterator<Item = &str> + '_ {
        let (plain, wire) = match &self.text {
            Text::Plain(text) => {
                let text = text.strip_suffix('\n').unwrap_or(text);
                (Some(text.split('\n')), None)
            }
            Text::Wire(wire) => (None, Some(wire_lines(wire, self.status))),
        };
        plain
            .into_iter()
            .flatten()
            .chain(wire.into_iter().flatten())
    }

    /// The text, lines joined with `\n`. Borrowed for one line.
    ///
    /// ```
    /// use mailwire_smtp::types::Reply;
    /// let (r, _) = Reply::parse(b"550 5.1.1 No such user\r\n")?.unwrap();
    /// assert_eq!(r.text(), "No such user");
    /// # Ok::<(), mailwire_smtp::parse::ReplyError>(())
    /// ```
    #[must_use]
    pub fn text(&self) -> Cow<'_, str> {
        match &self.text {
            Text::Plain(text) => Cow::Borrowed(text.strip_suffix('\n').unwrap_or(text)),
            Text::Wire(_) => {
                let mut lines = self.lines();
                let first = lines.next().unwrap_or("");
                match lines.next() {
                    None => Cow::Borrowed(first),
                    Some(second) => {
                        let mut all = format!("{first}\n{second}");
                        for line in lines {
                            all.push('\n');
                            all.push_str(line);
                        }
                        Cow::Owned(all)
                    }
                }
            }
        }
    }

    /// The same reply, owning its text.
    #[must_use]
    pub fn into_owned(self) -> Reply<'static> {
        let text = match self.text {
            Text::Plain(text) => Cow::Owned(text.into_owned()),
            Text::Wire(_) => Cow::Owned(self.text().into_owned()),
        };
        Reply {
            code: self.code,
            status: self.status,
            text: Text::Plain(text),
        }
    }
}

/// The text of each received line: after the code and separator, and
/// after the enhanced status code when the reply has one and the line
/// carries it.
fn wire_lines(wire: &str, status: Option<EnhancedStatus>) -> impl Iterator<Item = &str> + '_ {
    wire.split_terminator('\n').map(move |line| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let text = line.get(4..).unwrap_or("");
        match status {
            Some(_) => match EnhancedStatus::parse_prefix(text.as_bytes()) {
                Some((_, n)) => text[n..].strip_prefix(' ').unwrap_or(&text[n..]),
                None => text,
            },
            None => text,
        }
    })
}
