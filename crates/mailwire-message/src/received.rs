//! Trace fields: `Received` and `Return-Path` (RFC 5322 section 3.6.7,
//! RFC 5321 section 4.4).
//!
//! Each relay that handles a message adds a `Received` field at the top of
//! the header, so the fields read top to bottom go from the most recent hop
//! back to the first. RFC 5322 only fixes the outline of a field:
//!
//! ```text
//! received        = "Received:" [1*received-token / CFWS] ";" date-time CRLF
//! received-token  = word / angle-addr / addr-spec / domain
//! ```
//!
//! and RFC 5321 the clauses an SMTP server writes inside it:
//!
//! ```text
//! Stamp           = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
//! From-domain     = "FROM" FWS Extended-Domain
//! By-domain       = CFWS "BY" FWS Extended-Domain
//! Extended-Domain = Domain /
//!                   ( Domain FWS "(" TCP-info ")" ) /
//!                   ( address-literal FWS "(" TCP-info ")" )
//! TCP-info        = address-literal / ( Domain FWS address-literal )
//! Opt-info        = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
//! Via             = CFWS "VIA" FWS Link
//! With            = CFWS "WITH" FWS Protocol
//! ID              = CFWS "ID" FWS ( Atom / msg-id )
//! For             = CFWS "FOR" FWS ( Path / Mailbox )
//! ```
//!
//! [`Received::parse`] reads what real servers write, which is looser:
//!
//! - the clauses (`from`, `by`, `via`, `with`, `id`, `for`, matched without
//!   regard to case) may come in any order, and any may be missing; words
//!   that belong to no known clause (`envelope-from`, `tls ...`) and
//!   comments other than the one after `from` and `by` are skipped;
//! - the value of a clause is the next word, quoted string or `<...>`;
//!   `with` takes every plain word up to the next clause or comment, so
//!   Exchange's `with Microsoft SMTP Server` comes out whole;
//! - the comment right after the `from` and `by` values (the TCP-info,
//!   `(mail.example.com [192.0.2.1])`, or the software, `(Postfix)`) is kept;
//! - the date is what follows the last `;` outside comments and quoted
//!   strings, parsed by [`DateTime::parse_with_defects`].
//!
//! Recorded as [`DefectKind::InvalidReceived`]: no `;` (the date is
//! missing), an unclosed comment, quoted string or `<`, a stray `)` or
//! `>`, a second `;`, a clause without a value or given twice (the first is
//! kept). The date's own defects come from the date parser.
//!
//! ```
//! use mailwire_message::received::Received;
//!
//! let received = Received::parse(concat!(
//!     " from mail.example.com (mail.example.com [192.0.2.1])\r\n",
//!     "\tby mx.example.net (Postfix) with ESMTPS id 4Xyz12\r\n",
//!     "\tfor <bob@example.net>; Tue, 1 Jul 2003 10:52:37 +0200",
//! ).as_bytes());
//! assert_eq!(received.from(), Some("mail.example.com"));
//! assert_eq!(received.from_comment(), Some("mail.example.com [192.0.2.1]"));
//! assert_eq!(received.by(), Some("mx.example.net"));
//! assert_eq!(received.by_comment(), Some("Postfix"));
//! assert_eq!(received.with(), Some("ESMTPS"));
//! assert_eq!(received.id(), Some("4Xyz12"));
//! assert_eq!(received.for_recipient(), Some("bob@example.net"));
//! assert_eq!(received.date().unwrap().to_rfc3339(), "2003-07-01T10:52:37+02:00");
//! ```

use std::borrow::Cow;

use mailwire_core::Mailbox;

use crate::charset::decode_8bit_header;
use crate::date::DateTime;
use crate::{Defect, DefectKind};

/// One `Received` field, its clauses picked out (see the
/// [module documentation](self) for what is accepted).
///
/// Every clause is optional: `Received: (qmail 1234 invoked by uid 0); date`
/// has none at all.
///
/// ```
/// use mailwire_message::received::Received;
///
/// let received = Received::parse(b" (qmail 1234 invoked by uid 0); 1 Jul 2003 10:52:37 -0000");
/// assert_eq!(received.from(), None);
/// assert_eq!(received.by(), None);
/// assert_eq!(received.date().unwrap().unix_timestamp(), 1_057_056_757);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received<'a> {
    raw: &'a [u8],
    from: Option<Cow<'a, str>>,
    from_comment: Option<Cow<'a, str>>,
    by: Option<Cow<'a, str>>,
    by_comment: Option<Cow<'a, str>>,
    via: Option<Cow<'a, str>>,
    with: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    for_recipient: Option<Cow<'a, str>>,
    date: Option<DateTime>,
}

/// The clauses of RFC 5321 section 4.4, in the order of [`Received`]'s
/// value slots.
const CLAUSES: [&str; 6] = ["from", "by", "via", "with", "id", "for"];

impl<'a> Received<'a> {
    /// Parses a `Received` field value (after the colon, folds included).
    /// Never fails: what cannot be read is `None`.
    ///
    /// ```text
    /// received = "Received:" [1*received-token / CFWS] ";" date-time CRLF
    /// ```
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Self {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects at `base` plus their
    /// position in `raw`.
    ///
    /// ```
    /// use mailwire_message::{received::Received, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let received = Received::parse_with_defects(b" from a.example by b.example", 10, &mut defects);
    /// assert_eq!((received.from(), received.by()), (Some("a.example"), Some("b.example")));
    /// assert_eq!(received.date(), None);
    /// assert_eq!((defects[0].kind(), defects[0].offset()), (DefectKind::InvalidReceived, 38));
    /// ```
    #[must_use]
    pub fn parse_with_defects(raw: &'a [u8], base: usize, defects: &mut Vec<Defect>) -> Self {
        let mut lexed = lex(raw, base, defects);
        let semi = match lexed.iter().rposition(|t| t.kind == Kind::Semi) {
            Some(at) => {
                let semi = lexed[at].start;
                lexed.truncate(at);
                Some(semi)
            }
            None => {
                // An unclosed comment or quote may have hidden the `;`:
                // take the last one anywhere, and read the clauses before it.
                let semi = memchr::memrchr(b';', raw);
                if let Some(semi) = semi {
                    lexed = lex(&raw[..semi], base, &mut Vec::new());
                }
                semi
            }
        };
        // A stray `;` stays in the tokens: no clause takes it as a value.
        for stray in lexed.iter().filter(|t| t.kind == Kind::Semi) {
            defects.push(Defect::new(base + stray.start, DefectKind::InvalidReceived));
        }

        let mut received = Self {
            raw,
            from: None,
            from_comment: None,
            by: None,
            by_comment: None,
            via: None,
            with: None,
            id: None,
            for_recipient: None,
            date: None,
        };
        received.clauses(&lexed, base, defects);
        match semi {
            Some(semi) => {
                received.date =
                    DateTime::parse_with_defects(&raw[semi + 1..], base + semi + 1, defects);
            }
            None => defects.push(Defect::new(base + raw.len(), DefectKind::InvalidReceived)),
        }
        received
    }

    /// Picks the clauses out of the tokens before the date.
    fn clauses(&mut self, tokens: &[Token], base: usize, defects: &mut Vec<Defect>) {
        let raw = self.raw;
        let clause = |t: &Token| {
            (t.kind == Kind::Word)
                .then(|| {
                    CLAUSES
                        .iter()
                        .position(|c| c.as_bytes().eq_ignore_ascii_case(&raw[t.start..t.end]))
                })
                .flatten()
        };
        let mut i = 0;
        while i < tokens.len() {
            let Some(which) = clause(&tokens[i]) else {
                i += 1;
                continue;
            };
            let keyword = tokens[i].start;
            i += 1;
            let value = match tokens.get(i) {
                Some(t) if t.kind == Kind::Word && clause(t).is_none() => {
                    i += 1;
                    if CLAUSES[which] == "with" {
                        // A protocol of several words (`Microsoft SMTP Server`).
                        let first = i - 1;
                        while tokens
                            .get(i)
                            .is_some_and(|t| t.kind == Kind::Word && clause(t).is_none())
                        {
                            i += 1;
                        }
                        Some(words(raw, &tokens[first..i], base, defects))
                    } else {
                        Some(text(raw, t.start, t.end, base, defects))
                    }
                }
                Some(t) if t.kind == Kind::Angle => {
                    i += 1;
                    Some(unfolded(inside(raw, t, b'>'), t.start + 1, base, defects))
                }
                _ => None,
            };
            let Some(value) = value else {
                defects.push(Defect::new(base + keyword, DefectKind::InvalidReceived));
                continue;
            };
            // The TCP-info or software comment right after `from` and `by`.
            let comment = match tokens.get(i) {
                Some(t) if t.kind == Kind::Comment && which < 2 => {
                    i += 1;
                    Some(unfolded(inside(raw, t, b')'), t.start + 1, base, defects))
                }
                _ => None,
            };
            let (slot, comment_slot) = match which {
                0 => (&mut self.from, Some(&mut self.from_comment)),
                1 => (&mut self.by, Some(&mut self.by_comment)),
                2 => (&mut self.via, None),
                3 => (&mut self.with, None),
                4 => (&mut self.id, None),
                _ => (&mut self.for_recipient, None),
            };
            if slot.is_some() {
                defects.push(Defect::new(base + keyword, DefectKind::InvalidReceived));
                continue;
            }
            *slot = Some(value);
            if let Some(comment_slot) = comment_slot {
                *comment_slot = comment;
            }
        }
    }

    /// The field value as received.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The `from` clause: the name the sending host gave (its `HELO` or
    /// `EHLO`), or its address literal.
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" from [192.0.2.1] by mx.example.net; 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.from(), Some("[192.0.2.1]"));
    /// ```
    #[must_use]
    pub fn from(&self) -> Option<&str> {
        self.from.as_deref()
    }

    /// The comment right after the `from` value, without its parentheses
    /// and unfolded (RFC 5321 `TCP-info`: usually the reverse DNS name and
    /// the address the receiver saw).
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" from localhost (localhost [127.0.0.1]) by mx; 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.from_comment(), Some("localhost [127.0.0.1]"));
    /// ```
    #[must_use]
    pub fn from_comment(&self) -> Option<&str> {
        self.from_comment.as_deref()
    }

    /// The `by` clause: the host that received the message and wrote the
    /// field.
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" by mx.example.net with SMTP; 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.by(), Some("mx.example.net"));
    /// ```
    #[must_use]
    pub fn by(&self) -> Option<&str> {
        self.by.as_deref()
    }

    /// The comment right after the `by` value (often the software and its
    /// version, `Postfix`, `8.12.10/8.12.10`).
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" by mx.example.net (Postfix); 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.by_comment(), Some("Postfix"));
    /// ```
    #[must_use]
    pub fn by_comment(&self) -> Option<&str> {
        self.by_comment.as_deref()
    }

    /// The `via` clause: the link (`TCP`, or a registered name such as
    /// `UUCP`).
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" from a by b via UUCP; 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.via(), Some("UUCP"));
    /// ```
    #[must_use]
    pub fn via(&self) -> Option<&str> {
        self.via.as_deref()
    }

    /// The `with` clause: the protocol (`SMTP`, `ESMTPSA`, `LMTP`, `HTTP`),
    /// its words joined by single spaces.
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" from a by b with Microsoft SMTP\r\n Server id 15.20.1; 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.with(), Some("Microsoft SMTP Server"));
    /// ```
    #[must_use]
    pub fn with(&self) -> Option<&str> {
        self.with.as_deref()
    }

    /// The `id` clause: the receiver's queue or transaction identifier,
    /// without angle brackets when it was written as a `msg-id`.
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" by b id <x1@b.example>; 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.id(), Some("x1@b.example"));
    /// ```
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The `for` clause: the recipient the message was received for,
    /// without angle brackets.
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" by b for <bob@example.net>; 1 Jul 2003 10:52:37 +0000");
    /// assert_eq!(received.for_recipient(), Some("bob@example.net"));
    /// ```
    #[must_use]
    pub fn for_recipient(&self) -> Option<&str> {
        self.for_recipient.as_deref()
    }

    /// The date after the last `;`: when the message was received. `None`
    /// when missing or not a date.
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let received = Received::parse(b" by b; Tue, 1 Jul 2003 10:52:37 +0200 (CEST)");
    /// assert_eq!(received.date().unwrap().to_rfc3339(), "2003-07-01T10:52:37+02:00");
    /// ```
    #[must_use]
    pub fn date(&self) -> Option<DateTime> {
        self.date
    }

    /// The field with owned copies of its clauses; [`raw`](Self::raw) is
    /// empty afterwards (the input is not copied).
    ///
    /// ```
    /// use mailwire_message::received::Received;
    /// let owned = Received::parse(String::from(" by b; 1 Jul 2003 10:52:37 +0000").as_bytes()).into_owned();
    /// assert_eq!((owned.by(), owned.raw()), (Some("b"), &b""[..]));
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Received<'static> {
        let own = |v: Option<Cow<'a, str>>| v.map(|v| Cow::Owned(v.into_owned()));
        Received {
            raw: &[],
            from: own(self.from),
            from_comment: own(self.from_comment),
            by: own(self.by),
            by_comment: own(self.by_comment),
            via: own(self.via),
            with: own(self.with),
            id: own(self.id),
            for_recipient: own(self.for_recipient),
            date: self.date,
        }
    }
}

/// The `Return-Path` field: the address bounces go to, written by the final
/// delivery from the SMTP `MAIL FROM` (RFC 5321 section 4.4).
///
/// ```text
/// return = "Return-Path:" path CRLF
/// path   = angle-addr / ([CFWS] "<" [CFWS] ">" [CFWS])
/// ```
///
/// Leniency, each use recorded as a [`DefectKind::InvalidReturnPath`]: an
/// address without angle brackets (`Return-Path: bob@example.com`), a
/// source route (`<@relay.example:bob@example.com>`, obsolete syntax of
/// RFC 5322 section 4.4, dropped), doubled brackets (`<<>>`), and text
/// after the `>`. A path that is no mailbox (`<MAILER-DAEMON>`), an empty
/// value and an unclosed `<` give `None`.
///
/// ```
/// use mailwire_message::received::ReturnPath;
///
/// assert_eq!(ReturnPath::parse(b" <>"), Some(ReturnPath::Null));
/// let path = ReturnPath::parse(b" <bob@example.com>").unwrap();
/// assert_eq!(path.mailbox().unwrap().to_string(), "bob@example.com");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReturnPath<'a> {
    /// The null path `<>`: the message is itself a notification (a bounce,
    /// an auto-reply), and no notification may be sent about it.
    Null,
    /// The mailbox notifications go to.
    Mailbox(Mailbox<'a>),
}

impl<'a> ReturnPath<'a> {
    /// Parses a `Return-Path` field value.
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Option<Self> {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects at `base` plus their
    /// position in `raw`.
    ///
    /// ```
    /// use mailwire_message::{received::ReturnPath, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let path = ReturnPath::parse_with_defects(b" bob@example.com", 13, &mut defects).unwrap();
    /// assert_eq!(path.mailbox().unwrap().to_string(), "bob@example.com");
    /// assert_eq!((defects[0].kind(), defects[0].offset()), (DefectKind::InvalidReturnPath, 14));
    /// ```
    #[must_use]
    pub fn parse_with_defects(
        raw: &'a [u8],
        base: usize,
        defects: &mut Vec<Defect>,
    ) -> Option<Self> {
        let bad = |at: usize, defects: &mut Vec<Defect>| {
            defects.push(Defect::new(base + at, DefectKind::InvalidReturnPath));
        };
        let start = skip_cfws(raw, 0);
        if start == raw.len() {
            bad(start, defects);
            return None;
        }
        if raw[start] != b'<' {
            // A bare address: the whole rest must be one addr-spec.
            bad(start, defects);
            return Mailbox::parse_addr_spec(&raw[start..])
                .ok()
                .map(Self::Mailbox);
        }
        let Some(close) = angle_end(raw, start) else {
            bad(start, defects);
            return None;
        };
        let mut inner = &raw[start + 1..close];
        let mut at = start + 1;
        let mut after = close + 1;
        // `<<>>` and `<<a@b>>`: some broken software doubles the brackets.
        let open = skip_cfws(inner, 0);
        if inner.get(open) == Some(&b'<') && raw.get(close + 1) == Some(&b'>') {
            bad(at + open, defects);
            at += open + 1;
            inner = &raw[at..close];
            after += 1;
        }
        if skip_cfws(raw, after) != raw.len() {
            bad(after, defects);
        }
        let first = skip_cfws(inner, 0);
        if first == inner.len() {
            return Some(Self::Null);
        }
        if inner[first] == b'@' {
            // obs-route: `@a,@b:` before the address; the route is dropped.
            bad(at + first, defects);
            let colon = memchr::memchr(b':', inner)?;
            inner = &inner[colon + 1..];
        }
        match Mailbox::parse_addr_spec(inner) {
            Ok(mailbox) => Some(Self::Mailbox(mailbox)),
            Err(_) => {
                bad(at, defects);
                None
            }
        }
    }

    /// Whether this is the null path `<>`.
    ///
    /// ```
    /// use mailwire_message::received::ReturnPath;
    /// assert!(ReturnPath::parse(b" < > (bounce)").unwrap().is_null());
    /// ```
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The mailbox, unless this is the null path.
    ///
    /// ```
    /// use mailwire_message::received::ReturnPath;
    /// assert_eq!(ReturnPath::parse(b"<>").unwrap().mailbox(), None);
    /// ```
    #[must_use]
    pub fn mailbox(&self) -> Option<&Mailbox<'a>> {
        match self {
            Self::Null => None,
            Self::Mailbox(mailbox) => Some(mailbox),
        }
    }

    /// The path with an owned copy of its text.
    #[must_use]
    pub fn into_owned(self) -> ReturnPath<'static> {
        match self {
            Self::Null => ReturnPath::Null,
            Self::Mailbox(mailbox) => ReturnPath::Mailbox(mailbox.into_owned()),
        }
    }
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run of anything but white space, `(`, `<` and `;`; quoted strings
    /// inside it are taken whole.
    Word,
    /// `<...>`, brackets included.
    Angle,
    /// `(...)`, parentheses included, nested comments inside.
    Comment,
    /// `;`
    Semi,
}

/// A lexical token of a trace field: `raw[start..end]`.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// Splits a trace field value into words, `<...>`, comments and `;`,
/// recording unclosed constructs and stray closers. One pass, no
/// recursion.
fn lex(raw: &[u8], base: usize, defects: &mut Vec<Defect>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let start = i;
        let kind = match raw[i] {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b';' => {
                i += 1;
                Kind::Semi
            }
            b'(' => {
                i = comment_end(raw, i).unwrap_or_else(|| {
                    defects.push(Defect::new(base + start, DefectKind::InvalidReceived));
                    raw.len()
                });
                Kind::Comment
            }
            b'<' => {
                i = angle_end(raw, i).map_or_else(
                    || {
                        defects.push(Defect::new(base + start, DefectKind::InvalidReceived));
                        raw.len()
                    },
                    |close| close + 1,
                );
                Kind::Angle
            }
            _ => {
                while i < raw.len() {
                    match raw[i] {
                        b if b.is_ascii_whitespace() => break,
                        b'(' | b'<' | b';' => break,
                        b'"' => {
                            i = quoted_end(raw, i).unwrap_or_else(|| {
                                defects.push(Defect::new(base + i, DefectKind::InvalidReceived));
                                raw.len()
                            });
                        }
                        b')' | b'>' => {
                            defects.push(Defect::new(base + i, DefectKind::InvalidReceived));
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                Kind::Word
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

/// The position after the comment opening at `raw[start]` (a `(`), nested
/// comments and quoted-pairs followed; `None` when it is not closed.
pub(crate) fn comment_end(raw: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < raw.len() {
        match raw[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The position after the quoted string opening at `raw[start]` (a `"`);
/// `None` when it is not closed.
pub(crate) fn quoted_end(raw: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < raw.len() {
        match raw[i] {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// The position of the `>` closing the `<` at `raw[start]`, quoted strings
/// inside followed; `None` when it is not closed.
pub(crate) fn angle_end(raw: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < raw.len() {
        match raw[i] {
            b'>' => return Some(i),
            b'"' => i = quoted_end(raw, i)?,
            _ => i += 1,
        }
    }
    None
}

/// The position after white space and (nested) comments from `i`; an
/// unclosed comment runs to the end.
pub(crate) fn skip_cfws(raw: &[u8], mut i: usize) -> usize {
    while i < raw.len() {
        match raw[i] {
            b if b.is_ascii_whitespace() => i += 1,
            b'(' => i = comment_end(raw, i).unwrap_or(raw.len()),
            _ => break,
        }
    }
    i
}

/// The trimmed content of a bracketed token (an unclosed one runs to its
/// end).
fn inside<'a>(raw: &'a [u8], token: &Token, close: u8) -> &'a [u8] {
    let end = if token.end - 1 > token.start && raw[token.end - 1] == close {
        token.end - 1
    } else {
        token.end
    };
    raw[token.start + 1..end].trim_ascii()
}

/// `raw[start..end]` as text: borrowed when it is UTF-8, else decoded by
/// the fallback charset with a defect.
fn text<'a>(
    raw: &'a [u8],
    start: usize,
    end: usize,
    base: usize,
    defects: &mut Vec<Defect>,
) -> Cow<'a, str> {
    let (text, utf8) = decode_8bit_header(&raw[start..end]);
    if !utf8 {
        defects.push(Defect::new(base + start, DefectKind::NonUtf8Header));
    }
    text
}

/// `bytes` (found at `at` in the value) as text, line breaks removed.
fn unfolded<'a>(
    bytes: &'a [u8],
    at: usize,
    base: usize,
    defects: &mut Vec<Defect>,
) -> Cow<'a, str> {
    if !bytes.iter().any(|&b| b == b'\r' || b == b'\n') {
        return text(bytes, 0, bytes.len(), base + at, defects);
    }
    let kept: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    let (text, utf8) = decode_8bit_header(&kept);
    if !utf8 {
        defects.push(Defect::new(base + at, DefectKind::NonUtf8Header));
    }
    Cow::Owned(text.into_owned())
}

/// Consecutive word tokens as one text, joined by single spaces; borrowed
/// when there is one word.
fn words<'a>(
    raw: &'a [u8],
    tokens: &[Token],
    base: usize,
    defects: &mut Vec<Defect>,
) -> Cow<'a, str> {
    if let [one] = tokens {
        return text(raw, one.start, one.end, base, defects);
    }
    let mut out = String::new();
    for token in tokens {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text(raw, token.start, token.end, base, defects));
    }
    Cow::Owned(out)
}
