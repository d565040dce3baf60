//! Domains and address literals: RFC 5321 sections 4.1.2 and 4.1.3, RFC
//! 5322 sections 3.4.1 and 4.4.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::borrow::Cow;

use super::cfws::{quoted_pair, skip_cfws_quiet, skip_fws};
use super::class::{is_dcontent, is_dtext, is_ldh, is_let_dig, is_obs_no_ws_ctl, is_wsp};
use super::local::{dotted_words_at, refuse_ctl_pairs};
use super::{TokenOptions, err_at, non_ascii, str_at};
use crate::{Error, ErrorKind, Result};

/// Longest domain name or literal, RFC 5321 section 4.5.3.1.2.
pub(crate) const MAX_DOMAIN: usize = 255;
/// Longest label, RFC 1035 section 2.3.4.
pub(crate) const MAX_LABEL: usize = 63;

fn limit(offset: usize, what: &'static str, limit: usize) -> Error {
    Error::new(
        offset,
        ErrorKind::LimitExceeded {
            what,
            limit: limit as u64,
        },
    )
}

// ---------------------------------------------------------------------------
// DomainName

/// A domain name: labels separated by dots, without a trailing dot.
///
/// From the RFC 5321 parsers ([`smtp_domain_name`], [`DomainName::new`]) it
/// is an LDH name (letters, digits, hyphens; labels not starting or ending
/// with `-`), or with UTF-8 allowed may hold U-labels; labels are at most 63
/// octets and the name at most 255. From the RFC 5322 parser ([`domain`])
/// it is any `dot-atom-text` (obsolete comments between labels removed),
/// without length checks.
///
/// Equality and hashing ignore ASCII case (`Example.ORG == example.org`,
/// RFC 5321 section 2.4). Non-ASCII letters are compared exactly: U-labels
/// are not case-folded or mapped to A-labels (full IDNA processing,
/// RFC 5890/5891, is out of scope).
///
/// ```
/// use mailwire_core::token::DomainName;
///
/// let name = DomainName::new("Mail.Example.ORG")?;
/// assert_eq!(name.as_str(), "Mail.Example.ORG");
/// assert_eq!(name, DomainName::new("mail.example.org")?);
/// assert_eq!(name.labels().collect::<Vec<_>>(), ["Mail", "Example", "ORG"]);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Clone)]
pub struct DomainName<'a>(Cow<'a, str>);

impl<'a> DomainName<'a> {
    /// Validates `name` as an RFC 5321 `Domain`, U-labels allowed (RFC 6531
    /// section 3.3). The whole string must match; error offsets count in
    /// `name`.
    ///
    /// ```
    /// use mailwire_core::token::DomainName;
    ///
    /// assert!(DomainName::new("bücher.example").is_ok());
    /// assert!(DomainName::new("-bad.example").is_err());
    /// assert!(DomainName::new("example.org.").is_err());
    /// ```
    pub fn new(name: &'a str) -> Result<Self> {
        let input = name.as_bytes();
        let end = domain_name_at(input, 0, TokenOptions::SMTP_UTF8)?;
        expect_end(input, end)?;
        Ok(Self(Cow::Borrowed(name)))
    }

    /// The name as text.
    ///
    /// ```
    /// use mailwire_core::token::DomainName;
    /// assert_eq!(DomainName::new("example.org")?.as_str(), "example.org");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The labels, left to right.
    ///
    /// ```
    /// use mailwire_core::token::DomainName;
    /// assert_eq!(DomainName::new("a.b")?.labels().count(), 2);
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> + '_ {
        self.0.split('.')
    }

    /// Whether the name is all ASCII (no U-labels).
    ///
    /// ```
    /// use mailwire_core::token::DomainName;
    /// assert!(DomainName::new("xn--bcher-kva.example")?.is_ascii());
    /// assert!(!DomainName::new("bücher.example")?.is_ascii());
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }

    /// The same name, owning its text.
    ///
    /// ```
    /// use mailwire_core::token::DomainName;
    /// let owned: DomainName<'static> = DomainName::new(&String::from("a.example"))?.into_owned();
    /// assert_eq!(owned.as_str(), "a.example");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> DomainName<'static> {
        DomainName(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for DomainName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DomainName").field(&self.as_str()).finish()
    }
}

impl fmt::Display for DomainName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq for DomainName<'_> {
    fn eq(&self, other: &DomainName<'_>) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for DomainName<'_> {}

impl Hash for DomainName<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

// ---------------------------------------------------------------------------
// DomainLiteral

/// What a domain literal holds, found while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum LiteralKind {
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    /// Byte ranges of the tag and the content within the literal text
    /// (`u32` keeps `Domain`, and so every `Mailbox`, small).
    General {
        tag: (u32, u32),
        content: (u32, u32),
    },
    /// An RFC 5322 `domain-literal` that is no RFC 5321 address literal.
    Other,
}

/// A bracketed domain literal: an RFC 5321 `address-literal`
/// (`[192.0.2.1]`, `[IPv6:2001:db8::1]`, `[tag:content]`) or an RFC 5322
/// `domain-literal`.
///
/// [`as_str`](Self::as_str) gives the text with its brackets, as written
/// (RFC 5322 folds removed); [`address`](Self::address) gives the parsed
/// address. Equality and hashing compare addresses (`[IPv6:::1]` equals
/// `[IPv6:0::1]`; tags ignore ASCII case), or the text for literals that are
/// no RFC 5321 address literal.
///
/// ```
/// use std::net::Ipv4Addr;
/// use mailwire_core::token::{AddressLiteral, DomainLiteral};
///
/// let lit = DomainLiteral::new("[192.0.2.1]")?;
/// assert_eq!(lit.as_str(), "[192.0.2.1]");
/// assert_eq!(lit.address(), Some(AddressLiteral::Ipv4(Ipv4Addr::new(192, 0, 2, 1))));
/// assert_eq!(lit, DomainLiteral::from(Ipv4Addr::new(192, 0, 2, 1)));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Clone)]
pub struct DomainLiteral<'a> {
    text: Cow<'a, str>,
    kind: LiteralKind,
}

/// The address in an RFC 5321 address literal (section 4.1.3), borrowed
/// from a [`DomainLiteral`].
///
/// ```
/// use mailwire_core::token::{AddressLiteral, DomainLiteral};
///
/// let lit = DomainLiteral::new("[x-tag:some-content]")?;
/// assert_eq!(lit.address(), Some(AddressLiteral::General { tag: "x-tag", content: "some-content" }));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressLiteral<'b> {
    /// `IPv4-address-literal`.
    Ipv4(Ipv4Addr),
    /// `IPv6-address-literal` (`"IPv6:" IPv6-addr`).
    Ipv6(Ipv6Addr),
    /// `General-address-literal`: `Standardized-tag ":" 1*dcontent`.
    General {
        /// The `Standardized-tag`.
        tag: &'b str,
        /// The `1*dcontent` after the colon.
        content: &'b str,
    },
}

impl<'a> DomainLiteral<'a> {
    /// Validates `text` as an RFC 5321 `address-literal`, brackets
    /// included. The whole string must match; error offsets count in `text`.
    ///
    /// ```
    /// use mailwire_core::token::DomainLiteral;
    ///
    /// assert!(DomainLiteral::new("[IPv6:2001:db8::192.0.2.1]").is_ok());
    /// assert!(DomainLiteral::new("[256.0.0.1]").is_err());
    /// assert!(DomainLiteral::new("192.0.2.1").is_err());
    /// ```
    pub fn new(text: &'a str) -> Result<Self> {
        let input = text.as_bytes();
        let (lit, end) = address_literal_at(input, 0)?;
        expect_end(input, end)?;
        Ok(lit)
    }

    /// The literal text, brackets included.
    ///
    /// ```
    /// use mailwire_core::token::DomainLiteral;
    /// assert_eq!(DomainLiteral::new("[IPv6:::1]")?.as_str(), "[IPv6:::1]");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The RFC 5321 address, or `None` for an RFC 5322 `domain-literal`
    /// that is none of the three address-literal forms.
    ///
    /// ```
    /// use mailwire_core::token::{domain_literal, AddressLiteral, TokenOptions};
    ///
    /// let (lit, _) = domain_literal(b"[ 192.0.2.1 ]", TokenOptions::MESSAGE)?;
    /// assert!(matches!(lit.address(), Some(AddressLiteral::Ipv4(_))));
    /// let (odd, _) = domain_literal(b"[not an address]", TokenOptions::MESSAGE)?;
    /// assert_eq!(odd.address(), None);
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn address(&self) -> Option<AddressLiteral<'_>> {
        match self.kind {
            LiteralKind::Ipv4(a) => Some(AddressLiteral::Ipv4(a)),
            LiteralKind::Ipv6(a) => Some(AddressLiteral::Ipv6(a)),
            LiteralKind::General { tag, content } => Some(AddressLiteral::General {
                tag: self.text.get(tag.0 as usize..tag.1 as usize)?,
                content: self.text.get(content.0 as usize..content.1 as usize)?,
            }),
            LiteralKind::Other => None,
        }
    }

    /// The same literal, owning its text.
    ///
    /// ```
    /// use mailwire_core::token::DomainLiteral;
    /// let lit = DomainLiteral::new(&String::from("[192.0.2.1]"))?.into_owned();
    /// assert_eq!(lit.as_str(), "[192.0.2.1]");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> DomainLiteral<'static> {
        DomainLiteral {
            text: Cow::Owned(self.text.into_owned()),
            kind: self.kind,
        }
    }
}

impl From<Ipv4Addr> for DomainLiteral<'static> {
    /// `[a.b.c.d]`.
    fn from(addr: Ipv4Addr) -> Self {
        Self {
            text: Cow::Owned(format!("[{addr}]")),
            kind: LiteralKind::Ipv4(addr),
        }
    }
}

impl From<Ipv6Addr> for DomainLiteral<'static> {
    /// `[IPv6:…]`, in the RFC 5952 text form.
    fn from(addr: Ipv6Addr) -> Self {
        Self {
            text: Cow::Owned(format!("[IPv6:{addr}]")),
            kind: LiteralKind::Ipv6(addr),
        }
    }
}

impl From<IpAddr> for DomainLiteral<'static> {
    fn from(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(a) => a.into(),
            IpAddr::V6(a) => a.into(),
        }
    }
}

impl fmt::Debug for DomainLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DomainLiteral")
            .field(&self.as_str())
            .finish()
    }
}

impl fmt::Display for DomainLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for DomainLiteral<'_> {
    fn eq(&self, other: &DomainLiteral<'_>) -> bool {
        match (self.address(), other.address()) {
            (
                Some(AddressLiteral::General { tag, content }),
                Some(AddressLiteral::General {
                    tag: tag2,
                    content: content2,
                }),
            ) => tag.eq_ignore_ascii_case(tag2) && content == content2,
            (Some(a), Some(b)) => a == b,
            (None, None) => self.text == other.text,
            _ => false,
        }
    }
}

impl Eq for DomainLiteral<'_> {}

impl Hash for DomainLiteral<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.address() {
            Some(AddressLiteral::Ipv4(a)) => (0u8, a).hash(state),
            Some(AddressLiteral::Ipv6(a)) => (1u8, a).hash(state),
            Some(AddressLiteral::General { tag, content }) => {
                state.write_u8(2);
                for b in tag.bytes() {
                    state.write_u8(b.to_ascii_lowercase());
                }
                content.hash(state);
            }
            None => (3u8, &*self.text).hash(state),
        }
    }
}

// ---------------------------------------------------------------------------
// Domain

/// The domain of a [`Mailbox`](super::Mailbox): a name or a bracketed
/// literal.
///
/// ```
/// use mailwire_core::token::Domain;
///
/// assert_eq!(Domain::new("example.org")?.as_str(), "example.org");
/// let lit = Domain::new("[192.0.2.1]")?;
/// assert_eq!(lit.as_str(), "[192.0.2.1]");
/// assert!(matches!(lit, Domain::Literal(_)));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Domain<'a> {
    /// A domain name (compared without regard to ASCII case).
    Name(DomainName<'a>),
    /// A bracketed address or domain literal.
    Literal(DomainLiteral<'a>),
}

impl<'a> Domain<'a> {
    /// A domain name the caller has already checked, borrowed.
    #[inline]
    pub(crate) const fn checked_name(text: &'a str) -> Self {
        Self::Name(DomainName(Cow::Borrowed(text)))
    }

    /// Validates `text` as RFC 5321 `Domain / address-literal`, U-labels
    /// allowed. The whole string must match; error offsets count in `text`.
    ///
    /// ```
    /// use mailwire_core::token::Domain;
    /// assert!(Domain::new("[IPv6:2001:db8::1]").is_ok());
    /// assert!(Domain::new("exa mple.org").is_err());
    /// ```
    pub fn new(text: &'a str) -> Result<Self> {
        let input = text.as_bytes();
        let (d, end) = smtp_domain_at(input, 0, TokenOptions::SMTP_UTF8)?;
        expect_end(input, end)?;
        Ok(d)
    }

    /// The domain as text: the name, or the literal with its brackets.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    /// let m = Mailbox::parse_smtp(b"postmaster@[192.0.2.1]")?;
    /// assert_eq!(m.domain().as_str(), "[192.0.2.1]");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Name(n) => n.as_str(),
            Self::Literal(l) => l.as_str(),
        }
    }

    /// The same domain, owning its text.
    ///
    /// ```
    /// use mailwire_core::token::Domain;
    /// let d: Domain<'static> = Domain::new(&String::from("example.org"))?.into_owned();
    /// assert_eq!(d.as_str(), "example.org");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Domain<'static> {
        match self {
            Self::Name(n) => Domain::Name(n.into_owned()),
            Self::Literal(l) => Domain::Literal(l.into_owned()),
        }
    }
}

impl fmt::Display for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> From<DomainName<'a>> for Domain<'a> {
    fn from(name: DomainName<'a>) -> Self {
        Self::Name(name)
    }
}

impl<'a> From<DomainLiteral<'a>> for Domain<'a> {
    fn from(lit: DomainLiteral<'a>) -> Self {
        Self::Literal(lit)
    }
}

impl From<IpAddr> for Domain<'static> {
    fn from(addr: IpAddr) -> Self {
        Self::Literal(addr.into())
    }
}

impl From<Ipv4Addr> for Domain<'static> {
    fn from(addr: Ipv4Addr) -> Self {
        Self::Literal(addr.into())
    }
}

impl From<Ipv6Addr> for Domain<'static> {
    fn from(addr: Ipv6Addr) -> Self {
        Self::Literal(addr.into())
    }
}

// ---------------------------------------------------------------------------
// Scanners

/// Errors unless `end` is the end of `input`.
pub(crate) fn expect_end(input: &[u8], end: usize) -> Result<()> {
    if end == input.len() {
        Ok(())
    } else {
        Err(Error::expected(end, "end of input"))
    }
}

/// RFC 5321 `Domain` (with U-labels when allowed) from `start`; returns the
/// end.
pub(crate) fn domain_name_at(input: &[u8], start: usize, opts: TokenOptions) -> Result<usize> {
    let mut j = start;
    loop {
        let label = j;
        match input.get(j) {
            Some(&b) if is_let_dig(b) => {}
            Some(&b) if b >= 0x80 && opts.utf8 => {}
            _ => return Err(err_at(input, j, "Let-dig")),
        }
        while let Some(&b) = input.get(j) {
            if is_ldh(b) {
                j += 1;
            } else if b >= 0x80 && opts.utf8 {
                j += non_ascii(input, j, opts, "Let-dig")?;
            } else {
                break;
            }
        }
        if input.get(j - 1) == Some(&b'-') {
            return Err(Error::expected(j - 1, "Let-dig"));
        }
        if j - label > MAX_LABEL {
            return Err(limit(label + MAX_LABEL, "domain label length", MAX_LABEL));
        }
        if j - start > MAX_DOMAIN {
            return Err(limit(start + MAX_DOMAIN, "domain length", MAX_DOMAIN));
        }
        if input.get(j) == Some(&b'.') {
            j += 1;
        } else {
            return Ok(j);
        }
    }
}

/// Parses `Snum 3("." Snum)` at the start of `s`; returns the address and
/// the bytes used, or the offset and expectation of the error.
fn ipv4_prefix(s: &[u8]) -> core::result::Result<(Ipv4Addr, usize), (usize, &'static str)> {
    let mut octets = [0u8; 4];
    let mut p = 0;
    for (n, octet) in octets.iter_mut().enumerate() {
        if n > 0 {
            if s.get(p) != Some(&b'.') {
                return Err((p, "'.'"));
            }
            p += 1;
        }
        let digits = p;
        let mut v = 0u32;
        while p - digits < 3 {
            match s.get(p) {
                Some(&d) if d.is_ascii_digit() => {
                    v = v * 10 + u32::from(d - b'0');
                    p += 1;
                }
                _ => break,
            }
        }
        if p == digits {
            return Err((p, "Snum"));
        }
        *octet = u8::try_from(v).map_err(|_| (digits, "Snum (0-255)"))?;
    }
    Ok((Ipv4Addr::from(octets), p))
}

/// Parses one side of an IPv6 address (colon-separated groups, the last
/// possibly an IPv4 address when `last`) into `out`.
fn ipv6_groups(part: &[u8], last: bool, out: &mut [u16; 8], n: &mut usize) -> Option<()> {
    if part.is_empty() {
        return Some(());
    }
    let pieces = part.split(|&b| b == b':');
    let count = part.iter().filter(|&&b| b == b':').count() + 1;
    for (k, piece) in pieces.enumerate() {
        if last && k + 1 == count && piece.contains(&b'.') {
            let (v4, used) = ipv4_prefix(piece).ok()?;
            if used != piece.len() || *n + 2 > 8 {
                return None;
            }
            let o = v4.octets();
            out[*n] = u16::from_be_bytes([o[0], o[1]]);
            out[*n + 1] = u16::from_be_bytes([o[2], o[3]]);
            *n += 2;
            continue;
        }
        if piece.is_empty() || piece.len() > 4 || *n >= 8 {
            return None;
        }
        let mut v = 0u16;
        for &b in piece {
            v = (v << 4) | u16::from(char::from(b).to_digit(16)? as u8);
        }
        out[*n] = v;
        *n += 1;
    }
    Some(())
}

/// RFC 5321 `IPv6-addr`: all of `s` must match. `::` may stand for one or
/// more zero groups (RFC 4291 section 2.2; RFC 5321 asks for at least two).
fn ipv6(s: &[u8]) -> Option<Ipv6Addr> {
    let dbl = s.windows(2).position(|w| w == b"::");
    let mut head = [0u16; 8];
    let mut tail = [0u16; 8];
    let (mut h, mut t) = (0, 0);
    match dbl {
        None => {
            ipv6_groups(s, true, &mut head, &mut h)?;
            if h != 8 {
                return None;
            }
            Some(Ipv6Addr::from(head))
        }
        Some(d) => {
            let rest = s.get(d + 2..)?;
            if rest.windows(2).any(|w| w == b"::") || rest.first() == Some(&b':') {
                return None;
            }
            ipv6_groups(s.get(..d)?, false, &mut head, &mut h)?;
            ipv6_groups(rest, true, &mut tail, &mut t)?;
            if h + t > 7 {
                return None;
            }
            let mut segs = head;
            segs[8 - t..].copy_from_slice(&tail[..t]);
            Some(Ipv6Addr::from(segs))
        }
    }
}

/// Classifies the content of a literal (between the brackets, `inner`);
/// `base` is the offset of `inner` in the literal text, for ranges. Error
/// offsets count in `inner`.
fn classify(inner: &[u8], base: usize) -> Result<LiteralKind> {
    if inner.len() >= 5 && inner[..5].eq_ignore_ascii_case(b"IPv6:") {
        return ipv6(&inner[5..])
            .map(LiteralKind::Ipv6)
            .ok_or(Error::expected(5, "IPv6-addr"));
    }
    if let Some(colon) = inner.iter().position(|&b| b == b':') {
        let tag = &inner[..colon];
        if let Some(bad) = tag.iter().position(|&b| !is_ldh(b)) {
            return Err(Error::expected(bad, "Standardized-tag"));
        }
        match tag.last() {
            Some(&b) if is_let_dig(b) => {}
            _ => return Err(Error::expected(colon, "Let-dig")),
        }
        let content = &inner[colon + 1..];
        if content.is_empty() {
            return Err(Error::expected(colon + 1, "dcontent"));
        }
        if let Some(bad) = content.iter().position(|&b| !is_dcontent(b)) {
            return Err(Error::expected(colon + 1 + bad, "dcontent"));
        }
        let offset = |n: usize| u32::try_from(base + n).ok();
        return Ok(
            match (
                offset(0),
                offset(colon),
                offset(colon + 1),
                offset(inner.len()),
            ) {
                (Some(t0), Some(t1), Some(c0), Some(c1)) => LiteralKind::General {
                    tag: (t0, t1),
                    content: (c0, c1),
                },
                // Past 4 GiB: kept as text only.
                _ => LiteralKind::Other,
            },
        );
    }
    match ipv4_prefix(inner) {
        Ok((addr, used)) if used == inner.len() => Ok(LiteralKind::Ipv4(addr)),
        Ok((_, used)) => Err(Error::expected(used, "']'")),
        Err((at, what)) => Err(Error::expected(at, what)),
    }
}

/// RFC 5321 `address-literal` from `i` (which must hold `[`).
pub(crate) fn address_literal_at(input: &[u8], i: usize) -> Result<(DomainLiteral<'_>, usize)> {
    if input.get(i) != Some(&b'[') {
        return Err(err_at(input, i, "'['"));
    }
    let c = i + 1;
    let mut j = c;
    while input.get(j).is_some_and(|&b| is_dcontent(b)) {
        j += 1;
    }
    match input.get(j) {
        Some(b']') => {}
        Some(_) => return Err(Error::expected(j, "dcontent or ']'")),
        None => return Err(Error::incomplete(j, "']'")),
    }
    let kind = classify(&input[c..j], 1).map_err(|e| e.shifted(c))?;
    let end = j + 1;
    if end - i > MAX_DOMAIN {
        return Err(limit(i + MAX_DOMAIN, "domain length", MAX_DOMAIN));
    }
    let text = Cow::Borrowed(str_at(input, i, end)?);
    Ok((DomainLiteral { text, kind }, end))
}

/// RFC 5321 `Domain / address-literal` from `i`.
pub(crate) fn smtp_domain_at(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
) -> Result<(Domain<'_>, usize)> {
    if input.get(i) == Some(&b'[') {
        let (lit, end) = address_literal_at(input, i)?;
        Ok((Domain::Literal(lit), end))
    } else {
        let end = domain_name_at(input, i, opts)?;
        let name = DomainName(Cow::Borrowed(str_at(input, i, end)?));
        Ok((Domain::Name(name), end))
    }
}

/// RFC 5322 `domain-literal` without its CFWS, from `i` (which must hold
/// `[`).
fn domain_literal_5322_at(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
) -> Result<(DomainLiteral<'_>, usize)> {
    if input.get(i) != Some(&b'[') {
        return Err(err_at(input, i, "'['"));
    }
    let mut j = i + 1;
    let (mut escaped, mut folded) = (false, false);
    loop {
        let Some(&b) = input.get(j) else {
            return Err(Error::incomplete(j, "']'"));
        };
        match b {
            b']' => break,
            b'\\' if opts.obsolete => {
                j += quoted_pair(input, j, opts)?;
                escaped = true;
            }
            b' ' | b'\t' | b'\r' => {
                let (k, f) = skip_fws(input, j, opts.obsolete);
                if k == j {
                    return Err(err_at(input, j, "dtext"));
                }
                folded |= f;
                j = k;
            }
            _ if is_dtext(b) || (opts.obsolete && is_obs_no_ws_ctl(b)) => j += 1,
            0x80.. => j += non_ascii(input, j, opts, "dtext")?,
            _ => return Err(Error::expected(j, "dtext")),
        }
    }
    let end = j + 1;
    if escaped {
        refuse_ctl_pairs(input, i, end)?;
    }
    let raw = str_at(input, i, end)?;
    let text = if folded {
        Cow::Owned(raw.replace("\r\n", ""))
    } else {
        Cow::Borrowed(raw)
    };
    let kind = if escaped {
        LiteralKind::Other
    } else {
        let inner = text.get(1..text.len() - 1).unwrap_or_default().as_bytes();
        let lead = inner.iter().take_while(|&&b| is_wsp(b)).count();
        let trail = inner.iter().rev().take_while(|&&b| is_wsp(b)).count();
        let trimmed = inner
            .get(lead..inner.len().saturating_sub(trail))
            .unwrap_or_default();
        classify(trimmed, 1 + lead).unwrap_or(LiteralKind::Other)
    };
    Ok((DomainLiteral { text, kind }, end))
}

/// RFC 5322 `domain` from `i`, CFWS included.
pub(crate) fn domain_5322_at(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
) -> Result<(Domain<'_>, usize)> {
    let start = skip_cfws_quiet(input, i, opts)?;
    if input.get(start) == Some(&b'[') {
        let (lit, end) = domain_literal_5322_at(input, start, opts)?;
        Ok((Domain::Literal(lit), skip_cfws_quiet(input, end, opts)?))
    } else {
        let (words, end) = dotted_words_at(input, start, opts, false)?;
        Ok((Domain::Name(DomainName(words.content)), end))
    }
}

/// Parses an RFC 5321 `Domain` at the start of `input`; returns it and the
/// number of bytes consumed.
///
/// RFC 5321 section 4.1.2, with RFC 6531 section 3.3 when
/// [`TokenOptions::utf8`] is on:
///
/// ```text
/// Domain         = sub-domain *("." sub-domain)
///
/// sub-domain     = Let-dig [Ldh-str]
///
/// Let-dig        = ALPHA / DIGIT
///
/// Ldh-str        = *( ALPHA / DIGIT / "-" ) Let-dig
///
/// sub-domain   =/  U-label
/// ```
///
/// A U-label is taken to be any well-formed UTF-8 label of letters, digits,
/// hyphens and non-ASCII characters that does not start or end with `-`;
/// the IDNA rules of RFC 5890/5891 (permitted code points, normalization,
/// bidi, the A-label length) are **not** checked. Labels are limited to 63
/// octets (RFC 1035 section 2.3.4, counted in UTF-8 for U-labels) and the
/// name to 255 (RFC 5321 section 4.5.3.1.2), reported as
/// [`ErrorKind::LimitExceeded`]. A trailing dot is an error.
///
/// ```
/// use mailwire_core::token::{smtp_domain_name, TokenOptions};
///
/// let (name, n) = smtp_domain_name(b"mail.example.org>", TokenOptions::SMTP)?;
/// assert_eq!((name.as_str(), n), ("mail.example.org", 16));
/// assert!(smtp_domain_name("例え.jp".as_bytes(), TokenOptions::SMTP).is_err());
/// assert!(smtp_domain_name("例え.jp".as_bytes(), TokenOptions::SMTP_UTF8).is_ok());
/// assert!(smtp_domain_name(b"a-.example", TokenOptions::SMTP).is_err());
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn smtp_domain_name(input: &[u8], opts: TokenOptions) -> Result<(DomainName<'_>, usize)> {
    let end = domain_name_at(input, 0, opts)?;
    Ok((DomainName(Cow::Borrowed(str_at(input, 0, end)?)), end))
}

/// Parses an RFC 5321 `address-literal` at the start of `input`; returns it
/// and the number of bytes consumed.
///
/// RFC 5321 sections 4.1.2 and 4.1.3:
///
/// ```text
/// address-literal  = "[" ( IPv4-address-literal /
///                  IPv6-address-literal /
///                  General-address-literal ) "]"
///                  ; See Section 4.1.3
///
/// IPv4-address-literal  = Snum 3("."  Snum)
///
/// IPv6-address-literal  = "IPv6:" IPv6-addr
///
/// General-address-literal  = Standardized-tag ":" 1*dcontent
///
/// Standardized-tag  = Ldh-str
///                   ; Standardized-tag MUST be specified in a
///                   ; Standards-Track RFC and registered with IANA
///
/// dcontent       = %d33-90 / ; Printable US-ASCII
///                %d94-126 ; excl. "[", "\", "]"
///
/// Snum           = 1*3DIGIT
///                ; representing a decimal integer
///                ; value in the range 0 through 255
///
/// IPv6-addr      = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
///
/// IPv6-hex       = 1*4HEXDIG
///
/// IPv6-full      = IPv6-hex 7(":" IPv6-hex)
///
/// IPv6-comp      = [IPv6-hex *5(":" IPv6-hex)] "::"
///                [IPv6-hex *5(":" IPv6-hex)]
///                ; The "::" represents at least 2 16-bit groups of
///                ; zeros.  No more than 6 groups in addition to the
///                ; "::" may be present.
///
/// IPv6v4-full    = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
///
/// IPv6v4-comp    = [IPv6-hex *3(":" IPv6-hex)] "::"
///                [IPv6-hex *3(":" IPv6-hex ":")]
///                IPv4-address-literal
///                ; The "::" represents at least 2 16-bit groups of
///                ; zeros.  No more than 4 groups in addition to the
///                ; "::" may be present.
/// ```
///
/// Leniency: `::` may also stand for a single zero group, as RFC 4291
/// section 2.2 allows. The tag `IPv6` (any case) is reserved: a literal
/// `[IPv6:…]` must hold a valid IPv6 address. Snums may have leading zeros,
/// as the ABNF allows. The whole literal is limited to 255 octets.
///
/// ```
/// use std::net::Ipv6Addr;
/// use mailwire_core::token::{address_literal, AddressLiteral};
///
/// let (lit, n) = address_literal(b"[IPv6:2001:db8::1]>")?;
/// assert_eq!(n, 18);
/// assert_eq!(lit.address(), Some(AddressLiteral::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap())));
/// assert!(address_literal(b"[1.2.3]").is_err());
/// assert!(address_literal(b"[1.2.3.4").unwrap_err().is_incomplete());
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn address_literal(input: &[u8]) -> Result<(DomainLiteral<'_>, usize)> {
    address_literal_at(input, 0)
}

/// Parses RFC 5321 `Domain / address-literal` at the start of `input` (the
/// domain of a `Mailbox`, or the argument of `EHLO`); returns it and the
/// number of bytes consumed.
///
/// RFC 5321 section 4.1.2:
///
/// ```text
/// Mailbox        = Local-part "@" ( Domain / address-literal )
/// ```
///
/// See [`smtp_domain_name`] and [`address_literal`] for the parts.
///
/// ```
/// use mailwire_core::token::{smtp_domain, Domain, TokenOptions};
///
/// let (d, _) = smtp_domain(b"[192.0.2.1]", TokenOptions::SMTP)?;
/// assert!(matches!(d, Domain::Literal(_)));
/// let (d, _) = smtp_domain(b"example.org", TokenOptions::SMTP)?;
/// assert!(matches!(d, Domain::Name(_)));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn smtp_domain(input: &[u8], opts: TokenOptions) -> Result<(Domain<'_>, usize)> {
    smtp_domain_at(input, 0, opts)
}

/// Parses an RFC 5322 `domain` at the start of `input`, surrounding CFWS
/// included; returns it and the number of bytes consumed.
///
/// RFC 5322 sections 3.4.1 and 4.4 (obsolete forms when
/// [`TokenOptions::obsolete`] is on; RFC 6532 UTF-8 when
/// [`TokenOptions::utf8`] is on):
///
/// ```text
/// domain          =   dot-atom / domain-literal / obs-domain
///
/// obs-domain      =   atom *("." atom)
/// ```
///
/// A name is returned without its comments: `machine(comment).  example`
/// (appendix A.6.3) gives `machine.example` (the only case that
/// allocates). No label or length limits apply. See [`domain_literal`] for
/// the bracketed form.
///
/// ```
/// use mailwire_core::token::{domain, TokenOptions};
///
/// let (d, n) = domain(b"machine(comment).  example>", TokenOptions::MESSAGE)?;
/// assert_eq!((d.as_str(), n), ("machine.example", 26));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn domain(input: &[u8], opts: TokenOptions) -> Result<(Domain<'_>, usize)> {
    domain_5322_at(input, 0, opts)
}

/// Parses an RFC 5322 `domain-literal` at the start of `input`, surrounding
/// CFWS included; returns it and the number of bytes consumed.
///
/// RFC 5322 sections 3.4.1 and 4.4:
///
/// ```text
/// domain-literal  =   [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]
///
/// dtext           =   %d33-90 /          ; Printable US-ASCII
///                     %d94-126 /         ;  characters not including
///                     obs-dtext          ;  "[", "]", or "\"
///
/// obs-dtext       =   obs-NO-WS-CTL / quoted-pair
/// ```
///
/// The text keeps its white space and quoted-pairs; folds are removed
/// (which allocates). If the content, white space trimmed, is an RFC 5321
/// address literal, [`DomainLiteral::address`] returns it. For safety a
/// quoted-pair of NUL, CR or LF (allowed by `obs-qp`) is refused.
///
/// ```
/// use mailwire_core::token::{domain_literal, TokenOptions};
///
/// let (lit, n) = domain_literal(b" [IPv6:::1] (loopback)", TokenOptions::MESSAGE)?;
/// assert_eq!((lit.as_str(), n), ("[IPv6:::1]", 22));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn domain_literal(input: &[u8], opts: TokenOptions) -> Result<(DomainLiteral<'_>, usize)> {
    let start = skip_cfws_quiet(input, 0, opts)?;
    let (lit, end) = domain_literal_5322_at(input, start, opts)?;
    Ok((lit, skip_cfws_quiet(input, end, opts)?))
}
