//! [`Mailbox`]: the address shared by SMTP envelopes and message headers.

use core::fmt;

use super::class::{is_atext, is_ldh, is_let_dig};
use super::domain::{Domain, MAX_DOMAIN, MAX_LABEL, domain_5322_at, expect_end, smtp_domain_at};
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
#[inline]
pub fn smtp_mailbox(input: &[u8], opts: TokenOptions) -> Result<(Mailbox<'_>, usize)> {
    if let Some(found) = plain_smtp_mailbox(input, opts) {
        return Ok(found);
    }
    general_smtp_mailbox(input, opts)
}

/// [`smtp_mailbox`] for any input, token by token.
fn general_smtp_mailbox(input: &[u8], opts: TokenOptions) -> Result<(Mailbox<'_>, usize)> {
    let (local, at) = local_part_smtp_at(input, 0, opts)?;
    if input.get(at) != Some(&b'@') {
        return Err(err_at(input, at, "'@'"));
    }
    let (domain, end) = smtp_domain_at(input, at + 1, opts)?;
    Ok((Mailbox { local, domain }, end))
}

/// The common case of [`smtp_mailbox`] in one pass: an ASCII `Dot-string`,
/// `@`, and a domain name of ASCII labels. `None` means "not this simple",
/// never "invalid": the general parser then decides, and makes the error.
/// Every check here is one the general parser makes too (a property test
/// compares the two), so both give the same mailbox for the same input.
#[inline]
fn plain_smtp_mailbox(input: &[u8], opts: TokenOptions) -> Option<(Mailbox<'_>, usize)> {
    let (at, end) = plain_smtp_mailbox_bounds(input, opts)?;
    // All ASCII, so this cannot fail; one check for both halves.
    let text = core::str::from_utf8(&input[..end]).ok()?;
    Some((plain_mailbox_at(text, at), end))
}

/// A mailbox from `text` that [`plain_smtp_mailbox_bounds`] accepted,
/// `@` at `at`.
#[inline(always)]
fn plain_mailbox_at(text: &str, at: usize) -> Mailbox<'_> {
    Mailbox {
        local: LocalPart::checked_dot_atom(&text[..at]),
        domain: Domain::checked_name(&text[at + 1..]),
    }
}

/// Where the `@` is and where the mailbox ends, if `input` starts with a
/// plain mailbox (see [`plain_smtp_mailbox`]).
#[inline]
fn plain_smtp_mailbox_bounds(input: &[u8], opts: TokenOptions) -> Option<(usize, usize)> {
    // Dot-string = Atom *("." Atom); Atom = 1*atext
    let mut i = 0;
    let at = loop {
        let atom = i;
        while i < input.len() && is_atext(input[i]) {
            i += 1;
        }
        match input.get(i) {
            Some(b'.') if i > atom => i += 1,
            Some(b'@') if i > atom => break i,
            _ => return None,
        }
    };
    if at > opts.max_local_part_len {
        return None;
    }
    // Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]
    let start = at + 1;
    i = start;
    loop {
        let label = i;
        if !input.get(i).copied().is_some_and(is_let_dig) {
            return None;
        }
        while i < input.len() && is_ldh(input[i]) {
            i += 1;
        }
        if input[i - 1] == b'-' || i - label > MAX_LABEL {
            return None;
        }
        if input.get(i) == Some(&b'.') {
            i += 1;
        } else {
            break;
        }
    }
    // A non-ASCII byte next would continue a U-label under SMTPUTF8.
    if i - start > MAX_DOMAIN || input.get(i).is_some_and(|&b| b >= 0x80) {
        return None;
    }
    Some((at, i))
}

/// [`smtp_mailbox`] for input already known to be UTF-8 (a line the caller
/// has checked once): the same result, without checking the mailbox's bytes
/// again.
///
/// ```
/// use mailwire_core::token::{smtp_mailbox_str, TokenOptions};
///
/// let (m, n) = smtp_mailbox_str("user@example.com> SIZE=10", TokenOptions::SMTP)?;
/// assert_eq!((m.to_string().as_str(), n), ("user@example.com", 16));
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[inline(always)] // lets the caller build the Mailbox in place
pub fn smtp_mailbox_str(input: &str, opts: TokenOptions) -> Result<(Mailbox<'_>, usize)> {
    match plain_smtp_mailbox_bounds(input.as_bytes(), opts) {
        Some((at, end)) => Ok((plain_mailbox_at(&input[..end], at), end)),
        None => smtp_mailbox(input.as_bytes(), opts),
    }
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Inputs near the edges of the plain path: atext, dots, `@`, hyphens,
    /// brackets, quotes, UTF-8 and what may follow a mailbox.
    fn near_mailbox() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop::sample::select(vec![
            "a", "Z", "0", "9", "-", ".", "@", "_", "+", "=", "!", "[", "]", "\"", " ", ">", "é",
            "example", "com", "x1-y2",
        ]);
        prop::collection::vec(pieces, 0..24).prop_map(|p| p.concat().into_bytes())
    }

    fn long_labels() -> impl Strategy<Value = Vec<u8>> {
        (1usize..80, 1usize..80, 1usize..4).prop_map(|(local, label, labels)| {
            let mut s = "l".repeat(local);
            s.push('@');
            s.push_str(&vec!["d".repeat(label); labels].join("."));
            s.push('>');
            s.into_bytes()
        })
    }

    fn same_as_general(input: &[u8]) {
        for opts in [TokenOptions::SMTP, TokenOptions::SMTP_UTF8] {
            if let Some((plain, n)) = plain_smtp_mailbox(input, opts) {
                let (general, m) = general_smtp_mailbox(input, opts).expect("general accepts");
                assert_eq!((&plain, n), (&general, m));
                assert_eq!(plain.local_part().raw(), general.local_part().raw());
                assert_eq!(plain.local_part().form(), general.local_part().form());
                assert_eq!(plain.domain().as_str(), general.domain().as_str());
                let text = core::str::from_utf8(input).unwrap();
                assert_eq!(smtp_mailbox_str(text, opts).unwrap(), (plain, n));
            }
        }
    }

    proptest! {
        /// The plain path never accepts what the general parser refuses,
        /// and gives the same mailbox and length when it accepts.
        #[test]
        fn plain_path_agrees_with_general(input in near_mailbox()) {
            same_as_general(&input);
        }

        #[test]
        fn plain_path_agrees_on_lengths(input in long_labels()) {
            same_as_general(&input);
        }
    }

    #[test]
    fn plain_path_takes_the_common_case() {
        assert!(plain_smtp_mailbox(b"joe.sender@example.org>", TokenOptions::SMTP).is_some());
        assert!(plain_smtp_mailbox(b"\"joe\"@example.org>", TokenOptions::SMTP).is_none());
        assert!(plain_smtp_mailbox(b"joe@[192.0.2.1]>", TokenOptions::SMTP).is_none());
        assert!(plain_smtp_mailbox("jo@exämple.org".as_bytes(), TokenOptions::SMTP_UTF8).is_none());
    }
}
