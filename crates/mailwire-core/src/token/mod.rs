//! RFC 5234 / RFC 5321 / RFC 5322 tokens, shared by the SMTP and message
//! crates.
//!
//! Everything here is a hand-written scanner over `&[u8]` driven by byte
//! class tables. Parsing allocates nothing: values borrow from the input, and
//! only content that must be rewritten to be used (a quoted string with `\`
//! escapes or folds, an obsolete address with comments between its dots)
//! is copied into an owned `Cow`.
//!
//! | item | grammar |
//! |---|---|
//! | [`is_atext`], [`is_vchar`], [`is_wsp`], [`is_ctext`], [`is_qtext`], [`is_dtext`], [`is_special`], [`is_obs_no_ws_ctl`], [`is_let_dig`], [`is_ldh`], [`is_qtext_smtp`], [`is_dcontent`], [`utf8_non_ascii`] | byte classes of RFC 5234, 5321, 5322 (+ RFC 6531/6532 UTF-8) |
//! | [`fws`], [`comment`], [`cfws`], [`skip_cfws`], [`skip_cfws_with_comments`] | RFC 5322 3.2.2 folding white space and (nested) comments |
//! | [`atom`], [`dot_atom`], [`dot_atom_text`] | RFC 5322 3.2.3, RFC 5321 `Atom`/`Dot-string` |
//! | [`quoted_string`], [`smtp_quoted_string`], [`QuotedString`] | RFC 5322 3.2.4, RFC 5321 `Quoted-string` |
//! | [`smtp_domain`], [`smtp_domain_name`], [`address_literal`], [`domain`], [`domain_literal`] | RFC 5321 `Domain` / `address-literal` (4.1.2, 4.1.3), RFC 5322 `domain` (3.4.1, 4.4) |
//! | [`Domain`], [`DomainName`], [`DomainLiteral`], [`AddressLiteral`] | the values |
//! | [`smtp_local_part`], [`local_part`], [`LocalPart`] | RFC 5321 `Local-part`, RFC 5322 `local-part` |
//! | [`Mailbox`], [`smtp_mailbox`], [`smtp_mailbox_str`], [`addr_spec`] | RFC 5321 `Mailbox`, RFC 5322 `addr-spec`: one validated type for both |
//! | [`TokenOptions`] | UTF-8 (RFC 6531/6532), obsolete syntax, nesting and length limits |
//!
//! # Parser shape
//!
//! The prefix parsers have one shape: `fn name(input: &[u8], opts:
//! TokenOptions) -> Result<(T, usize), Error>`. They parse a prefix of
//! `input` and return the value and the number of bytes consumed; the caller
//! goes on at `input[n..]`. (The white-space parsers return only the
//! count.) On failure the [`Error`] offset points at the
//! offending byte, relative to `input`, and names what was expected; if the
//! input ended inside a token (an unclosed quote, comment or literal, a
//! trailing `\`) the error is [`Error::incomplete`].
//!
//! Parsers of RFC 5322 syntax include the surrounding `[CFWS]` that their
//! ABNF rule names (an `atom` is `[CFWS] 1*atext [CFWS]`); parsers of RFC
//! 5321 syntax and `dot_atom_text` take none.
//!
//! # UTF-8
//!
//! With [`TokenOptions::utf8`] on, the classes that RFC 6531 (SMTPUTF8) and
//! RFC 6532 (internationalized headers) extend with `UTF8-non-ascii` accept
//! non-ASCII characters, which must be well-formed UTF-8 (RFC 3629); a
//! malformed sequence is an error at its first byte. With it off, any byte
//! above 127 ends the token. Every returned `&str` is therefore valid UTF-8
//! without a lossy conversion.
//!
//! # Example
//!
//! ```
//! use mailwire_core::token::{addr_spec, Mailbox, TokenOptions};
//!
//! // The envelope: RFC 5321, no comments, no white space.
//! let mailbox = Mailbox::parse_smtp(b"postmaster@example.org")?;
//! assert_eq!(mailbox.local_part().as_str(), "postmaster");
//! assert_eq!(mailbox.domain().as_str(), "example.org");
//!
//! // A message header: RFC 5322, with comments and obsolete forms.
//! let (header, n) = addr_spec(b"pete(his account)@silly.test(his host)>", TokenOptions::MESSAGE)?;
//! assert_eq!(n, 38);
//! assert_eq!(header.to_string(), "pete@silly.test");
//!
//! // The same type either way; domains compare case-insensitively.
//! assert_eq!(Mailbox::parse_smtp(b"pete@SILLY.test")?, header);
//! # Ok::<(), mailwire_core::Error>(())
//! ```

mod atom;
mod cfws;
mod class;
mod domain;
mod local;
mod mailbox;
mod quoted;

pub use atom::{atom, dot_atom, dot_atom_text};
pub use cfws::{cfws, comment, fws, skip_cfws, skip_cfws_with_comments};
pub use class::{
    is_atext, is_ctext, is_dcontent, is_dtext, is_ldh, is_let_dig, is_obs_no_ws_ctl, is_qtext,
    is_qtext_smtp, is_special, is_vchar, is_wsp, utf8_non_ascii,
};
pub use domain::{
    AddressLiteral, Domain, DomainLiteral, DomainName, address_literal, domain, domain_literal,
    smtp_domain, smtp_domain_name,
};
pub use local::{LocalPart, LocalPartForm, local_part, smtp_local_part};
pub use mailbox::{Mailbox, addr_spec, smtp_mailbox, smtp_mailbox_str};
pub use quoted::{QuotedString, quoted_string, smtp_quoted_string};

use crate::{Error, Limits, Result};
use class::{Utf8Seq, utf8_seq};

/// Which grammar extensions and limits the token parsers apply.
///
/// Start from one of the constants and adjust fields or use the `with_*`
/// methods:
///
/// | constant | `utf8` | `obsolete` | `max_local_part_len` | for |
/// |---|---|---|---|---|
/// | [`SMTP`](Self::SMTP) | no | no | 64 | RFC 5321 envelopes |
/// | [`SMTP_UTF8`](Self::SMTP_UTF8) | yes | no | 64 | RFC 6531 (`SMTPUTF8`) envelopes |
/// | [`MESSAGE`](Self::MESSAGE) | yes | yes | unlimited | RFC 5322 + RFC 6532 headers |
///
/// ```
/// use mailwire_core::token::TokenOptions;
/// use mailwire_core::Limits;
///
/// let mut opts = TokenOptions::SMTP.with_utf8(true);
/// assert_eq!(opts, TokenOptions::SMTP_UTF8);
/// opts.max_local_part_len = 128; // accept long SRS/VERP local parts
/// assert_eq!(TokenOptions::MESSAGE.max_nesting_depth, Limits::DEFAULT.max_nesting_depth);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TokenOptions {
    /// Accept `UTF8-non-ascii` where RFC 6531 (SMTP) and RFC 6532 (message
    /// headers) allow it: in `atext`, `qtext`, `qtextSMTP`, `ctext`, `dtext`,
    /// after `\` in RFC 5322 quoted-pairs, and as U-labels in RFC 5321
    /// domains. The bytes must be well-formed UTF-8.
    pub utf8: bool,
    /// Accept the obsolete syntax of RFC 5322 section 4 in the RFC 5322
    /// parsers: `obs-FWS`, `obs-ctext`/`obs-qtext`/`obs-dtext` controls,
    /// `obs-qp`, `obs-local-part` and `obs-domain` (CFWS and quoted words
    /// between the dots). RFC 5322 requires readers to accept it. No effect
    /// on the RFC 5321 parsers.
    pub obsolete: bool,
    /// Deepest comment nesting accepted. Default
    /// [`Limits::DEFAULT.max_nesting_depth`](Limits::max_nesting_depth).
    pub max_nesting_depth: usize,
    /// Longest local part in octets, as written (quotes and escapes
    /// included). RFC 5321 section 4.5.3.1.1 sets 64; some real senders
    /// (SRS, VERP) exceed it, so it can be raised.
    pub max_local_part_len: usize,
}

impl TokenOptions {
    /// RFC 5321 envelopes: ASCII only, local parts of at most 64 octets.
    pub const SMTP: Self = Self {
        utf8: false,
        obsolete: false,
        max_nesting_depth: Limits::DEFAULT.max_nesting_depth,
        max_local_part_len: 64,
    };

    /// RFC 6531 (`SMTPUTF8`) envelopes: [`SMTP`](Self::SMTP) plus UTF-8.
    pub const SMTP_UTF8: Self = Self {
        utf8: true,
        ..Self::SMTP
    };

    /// RFC 5322 message headers as RFC 6532 extends them: UTF-8 and the
    /// obsolete syntax accepted, no local-part length limit.
    pub const MESSAGE: Self = Self {
        utf8: true,
        obsolete: true,
        max_nesting_depth: Limits::DEFAULT.max_nesting_depth,
        max_local_part_len: usize::MAX,
    };

    /// These options with [`utf8`](Self::utf8) set.
    ///
    /// ```
    /// use mailwire_core::token::TokenOptions;
    /// assert!(!TokenOptions::MESSAGE.with_utf8(false).utf8);
    /// ```
    #[must_use]
    pub const fn with_utf8(mut self, utf8: bool) -> Self {
        self.utf8 = utf8;
        self
    }

    /// These options with [`obsolete`](Self::obsolete) set.
    ///
    /// ```
    /// use mailwire_core::token::{local_part, TokenOptions};
    /// let strict = TokenOptions::MESSAGE.with_obsolete(false);
    /// assert!(local_part(b"a . b@", TokenOptions::MESSAGE).is_ok());
    /// assert_eq!(local_part(b"a . b@", strict).unwrap().1, 2); // stops before "."
    /// ```
    #[must_use]
    pub const fn with_obsolete(mut self, obsolete: bool) -> Self {
        self.obsolete = obsolete;
        self
    }

    /// These options with [`max_nesting_depth`](Self::max_nesting_depth)
    /// set.
    ///
    /// ```
    /// use mailwire_core::token::{comment, TokenOptions};
    /// let flat = TokenOptions::MESSAGE.with_max_nesting_depth(1);
    /// assert!(comment(b"(a)", flat).is_ok());
    /// assert!(comment(b"(a(b))", flat).is_err());
    /// ```
    #[must_use]
    pub const fn with_max_nesting_depth(mut self, depth: usize) -> Self {
        self.max_nesting_depth = depth;
        self
    }

    /// These options with [`max_local_part_len`](Self::max_local_part_len)
    /// set.
    ///
    /// ```
    /// use mailwire_core::token::{smtp_local_part, TokenOptions};
    /// let long = "a".repeat(100);
    /// assert!(smtp_local_part(long.as_bytes(), TokenOptions::SMTP).is_err());
    /// let lenient = TokenOptions::SMTP.with_max_local_part_len(256);
    /// assert!(smtp_local_part(long.as_bytes(), lenient).is_ok());
    /// ```
    #[must_use]
    pub const fn with_max_local_part_len(mut self, len: usize) -> Self {
        self.max_local_part_len = len;
        self
    }
}

/// "Expected `what` at `i`", or "incomplete" when `i` is past the input.
#[inline]
pub(crate) fn err_at(input: &[u8], i: usize, what: &'static str) -> Error {
    if i >= input.len() {
        Error::incomplete(i, what)
    } else {
        Error::expected(i, what)
    }
}

/// Checks the non-ASCII character at `i`; returns its length. `what` names
/// the class expected when UTF-8 is not allowed.
#[inline]
pub(crate) fn non_ascii(
    input: &[u8],
    i: usize,
    opts: TokenOptions,
    what: &'static str,
) -> Result<usize> {
    if !opts.utf8 {
        return Err(Error::expected(i, what));
    }
    match utf8_seq(input.get(i..).unwrap_or_default()) {
        Utf8Seq::Ok(n) => Ok(n),
        Utf8Seq::Invalid => Err(Error::expected(i, "well-formed UTF-8")),
        Utf8Seq::Truncated => Err(Error::incomplete(i, "well-formed UTF-8")),
    }
}

/// `input[start..end]` as `&str`; the scanners only pass validated ranges,
/// but a failure is still an error rather than a panic.
#[inline]
pub(crate) fn str_at(input: &[u8], start: usize, end: usize) -> Result<&str> {
    let bytes = input
        .get(start..end)
        .ok_or(Error::expected(start, "token"))?;
    core::str::from_utf8(bytes)
        .map_err(|e| Error::expected(start + e.valid_up_to(), "well-formed UTF-8"))
}
