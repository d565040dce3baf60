//! RFC 5322 address lists: mailboxes with display names, and groups.
//!
//! [`AddressList::parse`] reads the value of an address header field (`From`,
//! `To`, `Cc`, `Reply-To`, ...) as RFC 5322 section 3.4 and the obsolete
//! forms of section 4.4 define it:
//!
//! ```text
//! address-list    =   (address *("," address)) / obs-addr-list
//! address         =   mailbox / group
//! mailbox         =   name-addr / addr-spec
//! name-addr       =   [display-name] angle-addr
//! angle-addr      =   [CFWS] "<" addr-spec ">" [CFWS] /
//!                     obs-angle-addr
//! group           =   display-name ":" [group-list] ";" [CFWS]
//! display-name    =   phrase
//! obs-angle-addr  =   [CFWS] "<" obs-route addr-spec ">" [CFWS]
//! obs-route       =   obs-domain-list ":"
//! obs-addr-list   =   *([CFWS] ",") address *("," [address / CFWS])
//! obs-mbox-list   =   *([CFWS] ",") mailbox *("," [mailbox / CFWS])
//! ```
//!
//! The `addr-spec` itself is [`mailwire_core::token::addr_spec`] (UTF-8 of
//! RFC 6532 and the obsolete local parts and domains accepted); routes of
//! `obs-route` are checked and dropped.
//!
//! # Leniency
//!
//! Parsing never fails. What does not fit the grammar is recorded as a
//! [`DefectKind::InvalidAddress`] at its byte offset, and:
//!
//! | input | result |
//! |---|---|
//! | an element that does not parse (`foo bar`, `<a@>`, `<local>`) | skipped up to the next `,` outside quotes, comments and routes |
//! | junk after a good address (`<a@b> junk`) | the address is kept, the junk skipped |
//! | a missing `>` (`Joe <a@b, c@d`) | the mailbox is kept |
//! | a missing `;` at the end of a group | the group is kept |
//! | specials in a display name (`Joe @ home <a@b>`) | the name is kept as written |
//! | a name without angle brackets (`John Doe john@example.com`) | the last word is the address, the words before it the name |
//! | a group inside a group | the inner element is skipped |
//!
//! Empty list elements (`a@b, , c@d`, a trailing comma) and obsolete routes
//! are legal obsolete syntax and are no defects, nor is a display name with
//! a `.` (`John Q. Public <jqp@example.com>`, `obs-phrase`).
//!
//! # Comments as names
//!
//! Old software put the name in a comment after the address
//! (`jdoe@example.org (John Doe)`, RFC 5322 appendix A.5). As RFC 8621
//! section 4.1.2.3 advises, when a mailbox has no display name, the first
//! comment right after its `addr-spec` is taken as its name
//! ([`NamedMailbox::name_is_comment`] tells them apart).
//!
//! # Example
//!
//! ```
//! use mailwire_message::address::AddressList;
//!
//! let list = AddressList::parse(
//!     b" Mary Smith <mary@x.test>, jdoe@example.org,\r\n A Group:Ed Jones <c@a.test>,joe@where.test;",
//! );
//! assert_eq!(list.len(), 3);
//! let to: Vec<String> = list.mailboxes().map(|m| m.mailbox().to_string()).collect();
//! assert_eq!(to, ["mary@x.test", "jdoe@example.org", "c@a.test", "joe@where.test"]);
//! assert_eq!(list.mailboxes().next().unwrap().name().as_deref(), Some("Mary Smith"));
//! ```

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use mailwire_core::Mailbox;
use mailwire_core::token::{TokenOptions, addr_spec, domain, is_atext, is_wsp, skip_cfws};

use crate::encoded_word::decode_phrase;
use crate::{Defect, DefectKind};

const OPTS: TokenOptions = TokenOptions::MESSAGE;

/// One element of an address list: a mailbox or a group of mailboxes.
///
/// ```
/// use mailwire_message::address::{Address, AddressList};
///
/// let list = AddressList::parse(b"joe@example.org, Friends: ann@example.org;");
/// assert!(matches!(list[0], Address::Mailbox(_)));
/// assert!(matches!(list[1], Address::Group(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address<'a> {
    /// A single mailbox, with or without a display name.
    Mailbox(NamedMailbox<'a>),
    /// A named group of mailboxes (RFC 5322 section 3.4), possibly empty.
    Group(Group<'a>),
}

impl<'a> Address<'a> {
    /// The mailboxes of this address: the mailbox itself, or the group's
    /// members.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"Team: a@example.org, b@example.org;");
    /// assert_eq!(list[0].mailboxes().len(), 2);
    /// ```
    #[must_use]
    pub fn mailboxes(&self) -> &[NamedMailbox<'a>] {
        match self {
            Self::Mailbox(m) => core::slice::from_ref(m),
            Self::Group(g) => &g.members,
        }
    }
}

impl fmt::Display for Address<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mailbox(m) => m.fmt(f),
            Self::Group(g) => g.fmt(f),
        }
    }
}

/// A mailbox with its optional display name (`name-addr` or `addr-spec`).
///
/// The display name is kept as written (raw bytes of the header, comments,
/// quotes and folds included) and decoded on demand by [`name`](Self::name).
///
/// [`Display`](fmt::Display) writes `"name" <local@domain>` (the decoded
/// name as a quoted string, `"` and `\` escaped, control characters such as
/// CR and LF replaced by spaces, non-ASCII written as UTF-8 as RFC 6532
/// allows), or just `local@domain` without a name.
///
/// ```
/// use mailwire_message::address::NamedMailbox;
/// use mailwire_core::Mailbox;
///
/// let m = NamedMailbox::new(Some(b"\"Joe Q. Public\""), Mailbox::parse_addr_spec(b"jqp@example.com")?);
/// assert_eq!(m.name().as_deref(), Some("Joe Q. Public"));
/// assert_eq!(m.to_string(), "\"Joe Q. Public\" <jqp@example.com>");
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamedMailbox<'a> {
    display_name: Option<&'a [u8]>,
    name_is_comment: bool,
    mailbox: Mailbox<'a>,
}

impl<'a> NamedMailbox<'a> {
    /// A mailbox with a display name given as a raw RFC 5322 `phrase`
    /// (`None` for none).
    ///
    /// ```
    /// use mailwire_message::address::NamedMailbox;
    /// use mailwire_core::Mailbox;
    ///
    /// let m = NamedMailbox::new(None, Mailbox::new("joe", "example.org")?);
    /// assert_eq!(m.name(), None);
    /// assert_eq!(m.to_string(), "joe@example.org");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub const fn new(display_name: Option<&'a [u8]>, mailbox: Mailbox<'a>) -> Self {
        Self {
            display_name,
            name_is_comment: false,
            mailbox,
        }
    }

    /// The address.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"Joe <joe@example.org>");
    /// let joe = list.mailboxes().next().unwrap();
    /// assert_eq!(joe.mailbox().domain().as_str(), "example.org");
    /// ```
    #[must_use]
    pub const fn mailbox(&self) -> &Mailbox<'a> {
        &self.mailbox
    }

    /// The address, without the name.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"Joe <joe@example.org>");
    /// let joe = list.mailboxes().next().unwrap().clone().into_mailbox();
    /// assert_eq!(joe.to_string(), "joe@example.org");
    /// ```
    #[must_use]
    pub fn into_mailbox(self) -> Mailbox<'a> {
        self.mailbox
    }

    /// The display name as written in the header: the `phrase` before the
    /// `<` (white space around it trimmed; comments, quotes and folds
    /// kept), or the content of the comment after the address when
    /// [`name_is_comment`](Self::name_is_comment).
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b" \"Joe\" (work) <joe@example.org>");
    /// let joe = list.mailboxes().next().unwrap();
    /// assert_eq!(joe.display_name_raw(), Some(&b"\"Joe\" (work)"[..]));
    /// ```
    #[must_use]
    pub const fn display_name_raw(&self) -> Option<&'a [u8]> {
        self.display_name
    }

    /// Whether the name comes from a comment after the address
    /// (`joe@example.org (Joe)`) rather than a display name.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"joe@example.org (Joe)");
    /// let joe = list.mailboxes().next().unwrap();
    /// assert!(joe.name_is_comment());
    /// assert_eq!(joe.name().as_deref(), Some("Joe"));
    /// ```
    #[must_use]
    pub const fn name_is_comment(&self) -> bool {
        self.name_is_comment
    }

    /// The display name decoded to text (quotes removed, comments dropped,
    /// RFC 2047 encoded words decoded), or `None` when there is none or it
    /// is empty.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"\"Mary Smith\" <mary@x.test>, <boss@nil.test>");
    /// let names: Vec<_> = list.mailboxes().map(|m| m.name()).collect();
    /// assert_eq!(names[0].as_deref(), Some("Mary Smith"));
    /// assert_eq!(names[1], None);
    /// ```
    #[must_use]
    pub fn name(&self) -> Option<Cow<'a, str>> {
        let raw = self.display_name?;
        let name = if self.name_is_comment {
            decode_comment(raw)
        } else {
            decode_phrase(raw)
        };
        if name.trim().is_empty() {
            None
        } else {
            Some(name)
        }
    }
}

impl fmt::Display for NamedMailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => {
                write_quoted(f, &name)?;
                write!(f, " <{}>", self.mailbox)
            }
            None => self.mailbox.fmt(f),
        }
    }
}

/// A named group of mailboxes: `display-name ":" [group-list] ";"`.
///
/// [`Display`](fmt::Display) writes `"name": member, member;`.
///
/// ```
/// use mailwire_message::address::{Address, AddressList};
///
/// let list = AddressList::parse(b"undisclosed-recipients:;");
/// let Address::Group(group) = &list[0] else { panic!() };
/// assert_eq!(group.name(), "undisclosed-recipients");
/// assert!(group.members().is_empty());
/// assert_eq!(group.to_string(), "\"undisclosed-recipients\":;");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group<'a> {
    display_name: &'a [u8],
    members: Vec<NamedMailbox<'a>>,
}

impl<'a> Group<'a> {
    /// A group with a raw RFC 5322 `phrase` as its name.
    ///
    /// ```
    /// use mailwire_message::address::{Group, NamedMailbox};
    /// use mailwire_core::Mailbox;
    ///
    /// let member = NamedMailbox::new(None, Mailbox::new("ann", "example.org")?);
    /// let group = Group::new(b"Friends", vec![member]);
    /// assert_eq!(group.to_string(), "\"Friends\": ann@example.org;");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub const fn new(display_name: &'a [u8], members: Vec<NamedMailbox<'a>>) -> Self {
        Self {
            display_name,
            members,
        }
    }

    /// The group's name as written (white space around it trimmed).
    ///
    /// ```
    /// use mailwire_message::address::{Address, AddressList};
    ///
    /// let list = AddressList::parse(b"A Group(Some people)\r\n :;");
    /// let Address::Group(group) = &list[0] else { panic!() };
    /// assert_eq!(group.display_name_raw(), b"A Group(Some people)");
    /// ```
    #[must_use]
    pub const fn display_name_raw(&self) -> &'a [u8] {
        self.display_name
    }

    /// The group's name decoded to text, as [`NamedMailbox::name`] does.
    ///
    /// ```
    /// use mailwire_message::address::{Address, AddressList};
    ///
    /// let list = AddressList::parse(b"\"Team A\": a@example.org;");
    /// let Address::Group(group) = &list[0] else { panic!() };
    /// assert_eq!(group.name(), "Team A");
    /// ```
    #[must_use]
    pub fn name(&self) -> Cow<'a, str> {
        decode_phrase(self.display_name)
    }

    /// The members, in order.
    ///
    /// ```
    /// use mailwire_message::address::{Address, AddressList};
    ///
    /// let list = AddressList::parse(b"Team: a@example.org, B <b@example.org>;");
    /// let Address::Group(group) = &list[0] else { panic!() };
    /// assert_eq!(group.members()[1].mailbox().to_string(), "b@example.org");
    /// ```
    #[must_use]
    pub fn members(&self) -> &[NamedMailbox<'a>] {
        &self.members
    }

    /// The members, taken out of the group.
    ///
    /// ```
    /// use mailwire_message::address::{Address, AddressList};
    ///
    /// let list = AddressList::parse(b"Team: a@example.org;").into_vec();
    /// let Some(Address::Group(group)) = list.into_iter().next() else { panic!() };
    /// assert_eq!(group.into_members().len(), 1);
    /// ```
    #[must_use]
    pub fn into_members(self) -> Vec<NamedMailbox<'a>> {
        self.members
    }
}

impl fmt::Display for Group<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_quoted(f, &self.name())?;
        f.write_char(':')?;
        for (i, m) in self.members.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            m.fmt(f)?;
        }
        f.write_char(';')
    }
}

/// A parsed address list: the addresses in order, groups kept.
///
/// It dereferences to `[Address]`; [`mailboxes`](Self::mailboxes) flattens
/// the groups, which is what a mail client wants for `To` or `Cc`.
/// [`Display`](fmt::Display) writes the addresses separated by `, `.
///
/// ```
/// use mailwire_message::address::AddressList;
///
/// let list = AddressList::parse(b"a@example.org,, Team: b@example.org;,");
/// assert_eq!(list.len(), 2);
/// assert_eq!(list.mailboxes().count(), 2);
/// assert_eq!(list.to_string(), "a@example.org, \"Team\": b@example.org;");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AddressList<'a> {
    addresses: Vec<Address<'a>>,
}

impl<'a> AddressList<'a> {
    /// Parses a raw header field value (folds allowed), ignoring defects.
    /// Never fails; see the [module documentation](self) for what is done
    /// with malformed elements.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"not an address, joe@example.org");
    /// assert_eq!(list.len(), 1);
    /// ```
    #[must_use]
    pub fn parse(raw: &'a [u8]) -> Self {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// Parses a raw header field value, recording each deviation in
    /// `defects` at `base_offset` plus its position in `raw` (pass the
    /// field's [`value_offset`](crate::HeaderField::value_offset) to get
    /// offsets in the message).
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    /// use mailwire_message::{Defect, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let list = AddressList::parse_with_defects(b" joe@, ann@example.org", 100, &mut defects);
    /// assert_eq!(list.len(), 1);
    /// assert_eq!(defects, [Defect::new(101, DefectKind::InvalidAddress)]);
    /// ```
    #[must_use]
    pub fn parse_with_defects(
        raw: &'a [u8],
        base_offset: usize,
        defects: &mut Vec<Defect>,
    ) -> Self {
        let mut parser = Parser {
            input: raw,
            base: base_offset,
            defects,
        };
        Self {
            addresses: parser.list(),
        }
    }

    /// Every mailbox in order, group members in place of their group.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"G: a@example.org;, b@example.org, Empty:;");
    /// let all: Vec<String> = list.mailboxes().map(|m| m.to_string()).collect();
    /// assert_eq!(all, ["a@example.org", "b@example.org"]);
    /// ```
    pub fn mailboxes(&self) -> impl Iterator<Item = &NamedMailbox<'a>> + '_ {
        self.addresses.iter().flat_map(Address::mailboxes)
    }

    /// The addresses, groups kept.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// let list = AddressList::parse(b"a@example.org");
    /// assert_eq!(list.as_slice().len(), 1);
    /// ```
    #[must_use]
    pub fn as_slice(&self) -> &[Address<'a>] {
        &self.addresses
    }

    /// The addresses, taken out of the list.
    ///
    /// ```
    /// use mailwire_message::address::AddressList;
    ///
    /// assert!(AddressList::parse(b"").into_vec().is_empty());
    /// ```
    #[must_use]
    pub fn into_vec(self) -> Vec<Address<'a>> {
        self.addresses
    }
}

impl<'a> core::ops::Deref for AddressList<'a> {
    type Target = [Address<'a>];

    fn deref(&self) -> &Self::Target {
        &self.addresses
    }
}

impl<'a> From<Vec<Address<'a>>> for AddressList<'a> {
    fn from(addresses: Vec<Address<'a>>) -> Self {
        Self { addresses }
    }
}

impl<'a> IntoIterator for AddressList<'a> {
    type Item = Address<'a>;
    type IntoIter = std::vec::IntoIter<Address<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.addresses.into_iter()
    }
}

impl<'l, 'a> IntoIterator for &'l AddressList<'a> {
    type Item = &'l Address<'a>;
    type IntoIter = core::slice::Iter<'l, Address<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.addresses.iter()
    }
}

impl fmt::Display for AddressList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.addresses.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            a.fmt(f)?;
        }
        Ok(())
    }
}

/// Parses an address list; the same as
/// [`AddressList::parse_with_defects`].
///
/// ```
/// use mailwire_message::address::parse_address_list;
///
/// let mut defects = Vec::new();
/// let list = parse_address_list(b"Mary Smith <mary@x.test>", 0, &mut defects);
/// assert_eq!(list[0].mailboxes()[0].name().as_deref(), Some("Mary Smith"));
/// assert!(defects.is_empty());
/// ```
#[must_use]
pub fn parse_address_list<'a>(
    raw: &'a [u8],
    base_offset: usize,
    defects: &mut Vec<Defect>,
) -> AddressList<'a> {
    AddressList::parse_with_defects(raw, base_offset, defects)
}

/// Writes `text` as a quoted string: `"` and `\` escaped, controls replaced
/// by spaces (no CR/LF injection).
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            c if c.is_control() => f.write_char(' ')?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// Decodes the content of a comment used as a name. Comments made of words
/// only go through the phrase decoder (for encoded words); others are
/// unescaped, unfolded and their white space collapsed.
fn decode_comment(raw: &[u8]) -> Cow<'_, str> {
    if raw
        .iter()
        .all(|&b| is_atext(b) || is_wsp(b) || b >= 0x80 || matches!(b, b'.' | b'\r' | b'\n'))
    {
        return decode_phrase(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'\\' => {
                if let Some(&next) = raw.get(i + 1) {
                    out.push(next);
                }
                i += 2;
                continue;
            }
            b'\r' | b'\n' => {}
            b' ' | b'\t' => {
                if out.last().is_some_and(|&l| l != b' ') {
                    out.push(b' ');
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    let text = String::from_utf8_lossy(&out);
    Cow::Owned(text.trim().to_owned())
}

/// Skips the quoted string, comment or domain literal starting at `i` (or
/// the one byte there); returns the position after it, or the end of the
/// input if it is not closed. Also returns whether it was closed.
fn skip_token(input: &[u8], i: usize) -> (usize, bool) {
    let Some(&open) = input.get(i) else {
        return (i, true);
    };
    let close = match open {
        b'"' => b'"',
        b'(' => b')',
        b'[' => b']',
        _ => return (i + 1, true),
    };
    let mut depth = 0usize;
    let mut j = i;
    while let Some(&b) = input.get(j) {
        if b == b'\\' {
            j += 2;
            continue;
        }
        if b == close && (open != b'"' || j > i) {
            depth -= 1;
            if depth == 0 {
                return (j + 1, true);
            }
        } else if b == open && (open == b'(' || j == i) {
            depth += 1;
        }
        j += 1;
    }
    (input.len(), false)
}

/// The position of the next list separator at or after `i`: a `,` (or, in
/// a group, a `;`) outside quoted strings, comments, domain literals and
/// obsolete routes (`<@a,@b:`); or the end of the input.
fn skip_to_separator(input: &[u8], mut i: usize, in_group: bool) -> usize {
    let mut in_route = false;
    while let Some(&b) = input.get(i) {
        match b {
            b',' if !in_route => return i,
            b';' if in_group => return i,
            b'<' => {
                let j = i + 1 + skip_cfws_lenient(&input[i + 1..]);
                in_route = input.get(j) == Some(&b'@');
            }
            b':' | b'>' => in_route = false,
            _ => {}
        }
        i = skip_token(input, i).0;
    }
    input.len()
}

/// `skip_cfws`, or only the white space when it fails (an unclosed or too
/// deep comment is left for the caller to trip over).
fn skip_cfws_lenient(input: &[u8]) -> usize {
    skip_cfws(input, OPTS).unwrap_or_else(|_| {
        input
            .iter()
            .position(|&b| !(is_wsp(b) || b == b'\r' || b == b'\n'))
            .unwrap_or(input.len())
    })
}

/// Where a display name scan stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Angle,
    Colon,
    Other,
}

/// The header fields whose value is an address list (RFC 5322 sections
/// 3.6.2, 3.6.3 and 3.6.6), for code that reads every field by name.
///
/// ```
/// use mailwire_message::address::ADDRESS_FIELDS;
/// assert!(ADDRESS_FIELDS.iter().any(|name| name.eq_ignore_ascii_case("reply-to")));
/// ```
pub const ADDRESS_FIELDS: &[&str] = &[
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Resent-From",
    "Resent-Sender",
    "Resent-To",
    "Resent-Cc",
    "Resent-Bcc",
];

/// The result of scanning a `phrase` from the start of an element.
struct PhraseScan {
    stop: usize,
    kind: Stop,
    /// Whether everything before `stop` was a valid `obs-phrase`.
    valid: bool,
    /// The first `@` outside quotes and comments, if any.
    first_at: Option<usize>,
    /// The last white space before `first_at`.
    last_ws: Option<usize>,
}

fn scan_phrase(input: &[u8], mut i: usize) -> PhraseScan {
    let mut valid = true;
    let mut first_at = None;
    let mut last_ws = None;
    while let Some(&b) = input.get(i) {
        let kind = match b {
            b'<' => Stop::Angle,
            b':' => Stop::Colon,
            b',' | b';' => Stop::Other,
            _ => {
                if is_wsp(b) || b == b'\r' || b == b'\n' {
                    if first_at.is_none() {
                        last_ws = Some(i);
                    }
                } else if b == b'@' {
                    valid = false;
                    first_at.get_or_insert(i);
                } else if !(is_atext(b) || b >= 0x80 || matches!(b, b'.' | b'"' | b'(')) {
                    valid = false;
                }
                let (next, closed) = skip_token(input, i);
                valid &= closed;
                i = next;
                continue;
            }
        };
        return PhraseScan {
            stop: i,
            kind,
            valid,
            first_at,
            last_ws,
        };
    }
    PhraseScan {
        stop: input.len(),
        kind: Stop::Other,
        valid,
        first_at,
        last_ws,
    }
}

/// `input[start..end]` without surrounding white space, or `None` if empty.
fn trimmed(input: &[u8], start: usize, end: usize) -> Option<&[u8]> {
    let s = input.get(start..end)?;
    let ws = |b: &u8| is_wsp(*b) || *b == b'\r' || *b == b'\n';
    let first = s.iter().position(|b| !ws(b))?;
    let last = s.iter().rposition(|b| !ws(b))?;
    s.get(first..=last)
}

/// The content of the first comment after the last word of `input[start..end]`
/// (an `addr-spec` with its CFWS), if any.
fn trailing_comment(input: &[u8], start: usize, end: usize) -> Option<&[u8]> {
    let mut found = None;
    let mut i = start;
    while i < end {
        let Some(&b) = input.get(i) else { break };
        let (next, closed) = skip_token(input, i);
        if b == b'(' {
            if found.is_none() && closed {
                found = Some((i + 1, next - 1));
            }
        } else if !(is_wsp(b) || b == b'\r' || b == b'\n') {
            found = None;
        }
        i = next;
    }
    let (s, e) = found?;
    input.get(s..e)
}

struct Parser<'a, 'd> {
    input: &'a [u8],
    base: usize,
    defects: &'d mut Vec<Defect>,
}

impl<'a> Parser<'a, '_> {
    fn defect(&mut self, at: usize) {
        self.defects
            .push(Defect::new(self.base + at, DefectKind::InvalidAddress));
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.input.get(i).copied()
    }

    /// Skips CFWS and empty list elements (`,`); returns where the next
    /// element (or `;`, or the end) starts.
    fn skip_empty(&self, mut i: usize) -> usize {
        loop {
            i += skip_cfws_lenient(&self.input[i..]);
            if self.byte(i) == Some(b',') {
                i += 1;
            } else {
                return i;
            }
        }
    }

    fn list(&mut self) -> Vec<Address<'a>> {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            i = self.skip_empty(i);
            if i >= self.input.len() {
                return out;
            }
            match self.address(i, false) {
                Some((address, end)) => {
                    out.push(address);
                    i = self.after_element(end, false);
                }
                None => {
                    self.defect(i);
                    i = skip_to_separator(self.input, i, false);
                }
            }
        }
    }

    /// After an element ending at `end`: skips CFWS and any junk up to the
    /// next separator, which is returned (or the end).
    fn after_element(&mut self, end: usize, in_group: bool) -> usize {
        let j = end + skip_cfws_lenient(&self.input[end..]);
        match self.byte(j) {
            None | Some(b',') => j,
            Some(b';') if in_group => j,
            Some(_) => {
                self.defect(j);
                skip_to_separator(self.input, j, in_group).max(j + 1)
            }
        }
    }

    /// Parses one address (a mailbox, or a group unless `in_group`) at `i`;
    /// returns it and where it ends.
    fn address(&mut self, i: usize, in_group: bool) -> Option<(Address<'a>, usize)> {
        let input = self.input;
        if let Ok((mailbox, n)) = addr_spec(&input[i..], OPTS) {
            if matches!(self.byte(i + n), None | Some(b',' | b';')) {
                let comment = trailing_comment(input, i, i + n);
                let named = NamedMailbox {
                    display_name: comment,
                    name_is_comment: comment.is_some(),
                    mailbox,
                };
                return Some((Address::Mailbox(named), i + n));
            }
        }
        let scan = scan_phrase(input, i);
        let name = trimmed(input, i, scan.stop);
        match scan.kind {
            Stop::Angle => {
                let (mailbox, end) = self.angle_addr(scan.stop)?;
                if !scan.valid {
                    self.defect(i);
                }
                Some((Address::Mailbox(NamedMailbox::new(name, mailbox)), end))
            }
            Stop::Colon if !in_group => {
                let (group, end) = self.group(i, name, scan.stop);
                if !scan.valid {
                    self.defect(i);
                }
                Some((Address::Group(group), end))
            }
            Stop::Colon => None,
            Stop::Other => {
                // A name without angle brackets: `John Doe john@example.com`.
                scan.first_at?;
                let start = scan.last_ws? + 1;
                let (mailbox, n) = addr_spec(&input[start..], OPTS).ok()?;
                if start + n != scan.stop {
                    return None;
                }
                self.defect(i);
                let name = trimmed(input, i, start);
                Some((
                    Address::Mailbox(NamedMailbox::new(name, mailbox)),
                    scan.stop,
                ))
            }
        }
    }

    /// Parses `"<" [obs-route] addr-spec ">"` with `<` at `lt`.
    fn angle_addr(&mut self, lt: usize) -> Option<(Mailbox<'a>, usize)> {
        let input = self.input;
        let mut j = lt + 1;
        j += skip_cfws(&input[j..], OPTS).ok()?;
        if self.byte(j) == Some(b'@') {
            // obs-route = obs-domain-list ":"
            loop {
                let (_, n) = domain(&input[j + 1..], OPTS).ok()?;
                j += 1 + n;
                loop {
                    j += skip_cfws(&input[j..], OPTS).ok()?;
                    if self.byte(j) != Some(b',') {
                        break;
                    }
                    j += 1;
                }
                match self.byte(j) {
                    Some(b'@') => {}
                    Some(b':') => {
                        j += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let (mailbox, n) = addr_spec(&input[j..], OPTS).ok()?;
        j += n;
        match self.byte(j) {
            Some(b'>') => Some((mailbox, j + 1)),
            None | Some(b',' | b';') => {
                self.defect(j);
                Some((mailbox, j))
            }
            Some(_) => None,
        }
    }

    /// Parses the group whose name ends at `colon`; returns it and where it
    /// ends (after the `;`, or at the end of the input).
    fn group(&mut self, start: usize, name: Option<&'a [u8]>, colon: usize) -> (Group<'a>, usize) {
        if name.is_none() {
            self.defect(start);
        }
        let mut members = Vec::new();
        let mut j = colon + 1;
        loop {
            j = self.skip_empty(j);
            match self.byte(j) {
                None => {
                    self.defect(j);
                    break;
                }
                Some(b';') => {
                    j += 1;
                    break;
                }
                Some(_) => {}
            }
            match self.address(j, true) {
                Some((Address::Mailbox(m), end)) => {
                    members.push(m);
                    j = self.after_element(end, true);
                }
                Some((Address::Group(_), _)) | None => {
                    self.defect(j);
                    j = skip_to_separator(self.input, j, true).max(j + 1);
                }
            }
        }
        let display_name = name.unwrap_or_default();
        (Group::new(display_name, members), j)
    }
}
