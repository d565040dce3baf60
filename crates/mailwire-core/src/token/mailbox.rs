//! [`Mailbox`]: the address shared by SMTP envelopes and message headers.

use core::fmt;

use super::domain::{Domain, domain_5322_at, expect_end, smtp_domain_at};
use super::local::{LocalPart, local_part_5322_at, local_part_smtp_at};
use super::{TokenOptions, err_at};
use crate::Result;

/// A validated e-mail address, `local-part@domain`: the one type the SMTP
/// envelope (RFC 5321 `Mailbox`) and message headers (RFC 5322 `addr-spec`)
/// share.
///
/// - Parse it with [`parse_smtp`](Self::parse_smtp),
///   [`parse_smtp_utf8`](Self::parse_smtp_utf8) or
///   [`parse_addr_spec`](Self::parse_addr_spec) (the whole input), or with
///   the prefix parsers [`smtp_mailbox`] and [`addr_spec`] inside a larger
///   grammar; build it with [`new`](Self::new) or
///   [`from_parts`](Self::from_parts).
/// - [`Display`](fmt::Display) writes the canonical form: the local part's
///   content, quoted only if it is not a dot-atom, `@`, the domain. Comments,
///   folds and needless quotes of the input are gone.
/// - Equality and hashing follow RFC 5321 section 2.4: the local part is
///   case-sensitive (and compared by content, so `"joe"` equals `joe`), the
///   domain is not.
/// - It borrows from the input; [`into_owned`](Self::into_owned) detaches
///   it.
///
/// The grammars differ, and a mailbox remembers none of its origin: one read
/// from a header may hold what SMTP cannot carry (a domain with `_`, a
/// domain-literal that is no address literal, a tab in a quoted local part,
/// a local part over 64 octets). Re-parse its [`Display`](fmt::Display) form
/// with [`parse_smtp_utf8`](Self::parse_smtp_utf8) before putting it in an
/// envelope.
///
/// ```
/// use mailwire_core::token::Mailbox;
///
/// let m = Mailbox::parse_smtp(b"postmaster@example.org")?;
/// assert_eq!(m.domain().as_str(), "example.org");
/// assert_eq!(m.to_string(), "postmaster@example.org");
///
/// let h = Mailbox::parse_addr_spec(b" \"postmaster\" @ Example.ORG (the boss) ")?;
/// assert_eq!(h, m);
/// assert_eq!(h.to_string(), "postmaster@Example.ORG");
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    local: LocalPart<'a>,
    domain: Domain<'a>,
}

impl<'a> Mailbox<'a> {
    /// Parses an RFC 5321 `Mailbox` (ASCII only, as without `SMTPUTF8`):
    /// the whole input must match, with no white space or comments.
    ///
    /// RFC 5321 section 4.1.2:
    ///
    /// ```text
    /// Mailbox        = Local-part "@" ( Domain / address-literal )
    /// ```
    ///
    /// Uses [`TokenOptions::SMTP`]: the local part is limited to 64 octets.
    /// See [`smtp_mailbox`] for other options.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    ///
    /// assert_eq!(Mailbox::parse_smtp(b"postmaster@example.org")?.domain().as_str(), "example.org");
    /// assert!(Mailbox::parse_smtp(b"john doe@example.org").is_err());
    /// assert!(Mailbox::parse_smtp("jörg@example.org".as_bytes()).is_err());
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn parse_smtp(input: &'a [u8]) -> Result<Self> {
        whole(input, smtp_mailbox(input, TokenOptions::SMTP))
    }

    /// Parses an RFC 5321 `Mailbox` as RFC 6531 (`SMTPUTF8`) extends it:
    /// UTF-8 in the local part and U-labels in the domain. The whole input
    /// must match.
    ///
    /// RFC 6531 section 3.3:
    ///
    /// ```text
    /// sub-domain   =/  U-label
    /// atext   =/  UTF8-non-ascii
    /// qtextSMTP  =/ UTF8-non-ascii
    /// ```
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    ///
    /// let m = Mailbox::parse_smtp_utf8("jörg@bücher.example".as_bytes())?;
    /// assert_eq!(m.local_part().as_str(), "jörg");
    /// assert_eq!(m.domain().as_str(), "bücher.example");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn parse_smtp_utf8(input: &'a [u8]) -> Result<Self> {
        whole(input, smtp_mailbox(input, TokenOptions::SMTP_UTF8))
    }

    /// Parses an RFC 5322 `addr-spec`, with CFWS, the obsolete forms of
    /// section 4.4 and RFC 6532 UTF-8 ([`TokenOptions::MESSAGE`]). The whole
    /// input must match (surrounding CFWS allowed).
    ///
    /// RFC 5322 section 3.4.1:
    ///
    /// ```text
    /// addr-spec       =   local-part "@" domain
    /// ```
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    ///
    /// // RFC 5322 appendix A.6.3
    /// let m = Mailbox::parse_addr_spec(b"jdoe@machine(comment).  example")?;
    /// assert_eq!(m.to_string(), "jdoe@machine.example");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn parse_addr_spec(input: &'a [u8]) -> Result<Self> {
        whole(input, addr_spec(input, TokenOptions::MESSAGE))
    }

    /// Builds a mailbox from a local part's content and a domain (a name,
    /// U-labels allowed, or a bracketed address literal), checking both.
    ///
    /// The local part is quoted as needed when written (see
    /// [`LocalPart::new`]); the domain must be an RFC 5321 `Domain /
    /// address-literal` (see [`Domain::new`]). Error offsets count as if the
    /// two were written `local@domain`.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    ///
    /// let m = Mailbox::new("john doe", "example.org")?;
    /// assert_eq!(m.to_string(), "\"john doe\"@example.org");
    /// assert_eq!(Mailbox::new("x", "ex ample.org").unwrap_err().offset(), 4);
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn new(local: &'a str, domain: &'a str) -> Result<Self> {
        let local_part = LocalPart::new(local)?;
        let domain = Domain::new(domain).map_err(|e| e.shifted(local.len() + 1))?;
        Ok(Self::from_parts(local_part, domain))
    }

    /// Joins an already validated local part and domain.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// use mailwire_core::token::{Domain, LocalPart, Mailbox};
    ///
    /// let m = Mailbox::from_parts(LocalPart::new("root")?, Domain::from(Ipv4Addr::LOCALHOST));
    /// assert_eq!(m.to_string(), "root@[127.0.0.1]");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub const fn from_parts(local: LocalPart<'a>, domain: Domain<'a>) -> Self {
        Self { local, domain }
    }

    /// The part before the `@`.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    /// assert_eq!(Mailbox::parse_smtp(b"a.b@example.org")?.local_part().as_str(), "a.b");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub const fn local_part(&self) -> &LocalPart<'a> {
        &self.local
    }

    /// The part after the `@`.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    /// assert_eq!(Mailbox::parse_smtp(b"postmaster@example.org")?.domain().as_str(), "example.org");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub const fn domain(&self) -> &Domain<'a> {
        &self.domain
    }

    /// The local part and the domain.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    /// let (local, domain) = Mailbox::parse_smtp(b"a@b.example")?.into_parts();
    /// assert_eq!((local.as_str(), domain.as_str()), ("a", "b.example"));
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn into_parts(self) -> (LocalPart<'a>, Domain<'a>) {
        (self.local, self.domain)
    }

    /// The same mailbox, owning its text.
    ///
    /// ```
    /// use mailwire_core::token::Mailbox;
    ///
    /// let owned: Mailbox<'static> = {
    ///     let line = b"postmaster@example.org".to_vec();
    ///     Mailbox::parse_smtp(&line)?.into_owned()
    /// };
    /// assert_eq!(owned.to_string(), "postmaster@example.org");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local: self.local.into_owned(),
            domain: self.domain.into_owned(),
        }
    }
}

impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

fn whole<'a>(input: &[u8], parsed: Result<(Mailbox<'a>, usize)>) -> Result<Mailbox<'a>> {
    let (m, n) = parsed?;
    expect_end(input, n)?;
    Ok(m)
}

/// Parses an RFC 5321 `Mailbox` at the start of `input` (no CFWS); returns
/// it and the number of bytes consumed. For use inside larger grammars, such
/// as the `Path` of `MAIL FROM:<...>`.
///
/// RFC 5321 section 4.1.2:
///
/// ```text
/// Mailbox        = Local-part "@" ( Domain / address-literal )
/// ```
///
/// See [`smtp_local_part`](super::smtp_local_part) and
/// [`smtp_domain`](super::smtp_domain) for the parts and the options that
/// apply.
///
/// ```
/// use mailwire_core::token::{smtp_mailbox, TokenOptions};
///
/// let (m, n) = smtp_mailbox(b"user@example.com> SIZE=100", TokenOptions::SMTP)?;
/// assert_eq!((m.to_string().as_str(), n), ("user@example.com", 16));
/// assert!(smtp_mailbox(b"user@", TokenOptions::SMTP).unwrap_err().is_incomplete());
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn smtp_mailbox(input: &[u8], opts: TokenOptions) -> Result<(Mailbox<'_>, usize)> {
    let (local, at) = local_part_smtp_at(input, 0, opts)?;
    if input.get(at) != Some(&b'@') {
        return Err(err_at(input, at, "'@'"));
    }
    let (domain, end) = smtp_domain_at(input, at + 1, opts)?;
    Ok((Mailbox { local, domain }, end))
}

/// Parses an RFC 5322 `addr-spec` at the start of `input`, surrounding CFWS
/// included; returns it and the number of bytes consumed. For use inside
/// larger grammars, such as `angle-addr` or an address list.
///
/// RFC 5322 section 3.4.1:
///
/// ```text
/// addr-spec       =   local-part "@" domain
/// ```
///
/// See [`local_part`](super::local_part) and [`domain`](super::domain) for
/// the parts and the options that apply.
///
/// ```
/// use mailwire_core::token::{addr_spec, TokenOptions};
///
/// // RFC 5322 appendix A.1.2
/// let (m, n) = addr_spec(b"boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>", TokenOptions::MESSAGE)?;
/// assert_eq!((m.to_string().as_str(), n), ("boss@nil.test", 13));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn addr_spec(input: &[u8], opts: TokenOptions) -> Result<(Mailbox<'_>, usize)> {
    let (local, at) = local_part_5322_at(input, 0, opts)?;
    if input.get(at) != Some(&b'@') {
        return Err(err_at(input, at, "'@'"));
    }
    let (domain, end) = domain_5322_at(input, at + 1, opts)?;
    Ok((Mailbox { local, domain }, end))
}
