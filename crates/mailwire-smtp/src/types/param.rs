//! ESMTP parameters of `MAIL FROM` and `RCPT TO`.
//!
//! The parameters this crate knows are parsed into the fields of
//! [`MailParams`] and [`RcptParams`]; the others stay in the raw text and
//! come out of [`MailParams::unknown`] / [`RcptParams::unknown`], so a
//! server can answer `555` for them or a relay pass them on.

use std::borrow::Cow;

/// One `esmtp-param` as written: a keyword and an optional value.
///
/// RFC 5321 section 4.1.2:
///
/// ```text
/// esmtp-param    = esmtp-keyword ["=" esmtp-value]
/// esmtp-keyword  = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value    = 1*(%d33-60 / %d62-126)
///                ; any CHAR excluding "=", SP, and control
///                ; characters.  If this string is an email address,
///                ; i.e., a Mailbox, then the "xtext" syntax [32]
///                ; SHOULD be used.
/// ```
///
/// ```
/// use mailwire_smtp::types::Parameter;
/// let p = Parameter { keyword: "X-TRACE", value: Some("abc") };
/// assert_eq!(p.to_string(), "X-TRACE=abc");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Parameter<'a> {
    /// The keyword, as written (keywords compare case-insensitively).
    pub keyword: &'a str,
    /// The value after `=`, if any.
    pub value: Option<&'a str>,
}

impl core::fmt::Display for Parameter<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.keyword)?;
        if let Some(value) = self.value {
            write!(f, "={value}")?;
        }
        Ok(())
    }
}

/// Iterates over the space-separated parameters of `raw`.
///
/// ```
/// use mailwire_smtp::types::{parameters, Parameter};
/// let all: Vec<_> = parameters("SIZE=10  SMTPUTF8").collect();
/// assert_eq!(all, [
///     Parameter { keyword: "SIZE", value: Some("10") },
///     Parameter { keyword: "SMTPUTF8", value: None },
/// ]);
/// ```
pub fn parameters(raw: &str) -> impl Iterator<Item = Parameter<'_>> + '_ {
    raw.split(' ')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((keyword, value)) => Parameter {
                keyword,
                value: Some(value),
            },
            None => Parameter {
                keyword: p,
                value: None,
            },
        })
}

/// `BODY=` of `MAIL FROM`: what the content holds.
///
/// ```text
/// body-value = "7BIT" / "8BITMIME" / "BINARYMIME"    ; RFC 6152, RFC 3030
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `7BIT`: lines of at most 998 ASCII octets.
    SevenBit,
    /// `8BITMIME` (RFC 6152): octets above 127 allowed, still in lines.
    EightBitMime,
    /// `BINARYMIME` (RFC 3030): any octets; needs `BDAT`.
    BinaryMime,
}

impl Body {
    /// The keyword value as written on the wire.
    ///
    /// ```
    /// assert_eq!(mailwire_smtp::types::Body::EightBitMime.as_str(), "8BITMIME");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SevenBit => "7BIT",
            Self::EightBitMime => "8BITMIME",
            Self::BinaryMime => "BINARYMIME",
        }
    }
}

/// `RET=` of `MAIL FROM` (DSN, RFC 3461 section 4.3): how much of the
/// message a failure report returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `RET=FULL`: the whole message.
    Full,
    /// `RET=HDRS`: the header only.
    Headers,
}

impl Ret {
    /// The keyword value as written on the wire.
    ///
    /// ```
    /// assert_eq!(mailwire_smtp::types::Ret::Headers.as_str(), "HDRS");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Headers => "HDRS",
        }
    }
}

/// Text in the `xtext` encoding of RFC 3461 section 4, as written: the
/// form of `ENVID=`, `ORCPT=` and `AUTH=` values.
///
/// ```text
/// xtext = *( xchar / hexchar )
/// xchar = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
///         except for "+" and "=".
/// hexchar = ASCII "+" immediately followed by two upper case
///         hexadecimal digits
/// ```
///
/// ```
/// use mailwire_smtp::types::XText;
///
/// let x = XText::encode("a b+c=d");
/// assert_eq!(x, "a+20b+2Bc+3Dd");
/// assert_eq!(XText::new(&x).unwrap().decode(), "a b+c=d".as_bytes());
/// assert!(XText::new("bad+2").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct XText<'a>(&'a str);

impl<'a> XText<'a> {
    /// Checks that `text` is well-formed xtext.
    #[must_use]
    pub fn new(text: &'a str) -> Option<Self> {
        let mut rest = text.as_bytes();
        loop {
            // Runs of plain xchar are the common case: scan them as a slice.
            let run = rest
                .iter()
                .position(|&b| !XCHAR[usize::from(b)])
                .unwrap_or(rest.len());
            rest = &rest[run..];
            match rest {
                [] => return Some(Self(text)),
                [b'+', h, l, tail @ ..] if is_upper_hex(*h) && is_upper_hex(*l) => rest = tail,
                _ => return None,
            }
        }
    }

    /// The text as written, still encoded.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    /// The decoded bytes: `+XX` becomes the octet `XX`. Borrowed when
    /// there is nothing to decode.
    #[must_use]
    pub fn decode(&self) -> Cow<'a, [u8]> {
        let bytes = self.0.as_bytes();
        if !bytes.contains(&b'+') {
            return Cow::Borrowed(bytes);
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'+' {
                let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        Cow::Owned(out)
    }

    /// Encodes `text` as xtext: `+`, `=`, and every octet outside `!`..`~`
    /// become `+XX`.
    #[must_use]
    pub fn encode(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for &b in text.as_bytes() {
            if b == b'+' || b == b'=' || !(b'!'..=b'~').contains(&b) {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('+');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            } else {
                out.push(b as char);
            }
        }
        out
    }
}

/// `xchar`: `!` to `~` except `+` and `=`.
static XCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b'!';
    while b <= b'~' {
        table[b as usize] = b != b'+' && b != b'=';
        b += 1;
    }
    table
};

const fn is_upper_hex(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'A'..=b'F')
}

/// `AUTH=` of `MAIL FROM` (RFC 4954 section 5): who submitted the message
/// originally, as vouched for by an authenticated client.
///
/// ```text
/// auth-param = "AUTH=" ("<>" / xtext)   ; xtext of an addr-spec
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailAuth<'a> {
    /// `AUTH=<>`: the submitter is not known or not trusted.
    Unknown,
    /// The submitter's address, xtext-encoded.
    Address(XText<'a>),
}

/// `HOLDFOR=` or `HOLDUNTIL=` of `MAIL FROM` (FUTURERELEASE, RFC 4865).
///
/// ```text
/// holdfor-param   = "HOLDFOR=" 1*9DIGIT        ; seconds
/// holduntil-param = "HOLDUNTIL=" date-time     ; RFC 3339
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hold<'a> {
    /// Release after this many seconds.
    For(u32),
    /// Release at this RFC 3339 date-time, as written.
    Until(&'a str),
}

/// `BY=` of `MAIL FROM` (DELIVERBY, RFC 2852 section 4).
///
/// ```text
/// by-param = "BY=" by-time ";" by-mode [ by-trace ]
/// by-time  = ["-" / "+"] 1*9digit ; seconds
/// by-mode  = "N" / "R"
/// by-trace = "T"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliverBy {
    /// Seconds from now by which the message should be delivered.
    pub seconds: i32,
    /// `R`: return the message if it is late; `N`: only notify.
    pub return_if_late: bool,
    /// `T`: trace the delivery (DSN for every relay).
    pub trace: bool,
}

/// The parameters of `MAIL FROM`.
///
/// Known parameters are fields; [`raw`](Self::raw) holds the text as
/// received, from which [`unknown`](Self::unknown) yields the rest. To
/// send a parameter this crate does not know, put it in `raw`: the encoder
/// writes the fields, then the unknown parameters of `raw`.
///
/// ```
/// use mailwire_smtp::types::{Body, MailParams};
///
/// let mut params = MailParams::default();
/// params.size = Some(1_000);
/// params.body = Some(Body::EightBitMime);
/// params.raw = "X-TRACE=abc";
/// assert_eq!(params.unknown().next().unwrap().keyword, "X-TRACE");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MailParams<'a> {
    /// `SIZE=` (RFC 1870): the message size the client announces.
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// `SMTPUTF8` (RFC 6531): the envelope or header holds UTF-8.
    pub smtputf8: bool,
    /// `RET=` (DSN, RFC 3461).
    pub ret: Option<Ret>,
    /// `ENVID=` (DSN, RFC 3461): the sender's envelope identifier, xtext.
    pub envid: Option<XText<'a>>,
    /// `AUTH=` (RFC 4954).
    pub auth: Option<MailAuth<'a>>,
    /// `REQUIRETLS` (RFC 8689): relay only over verified TLS.
    pub requiretls: bool,
    /// `MT-PRIORITY=` (RFC 6710): -9 (lowest) to 9 (highest).
    pub mt_priority: Option<i8>,
    /// `HOLDFOR=` / `HOLDUNTIL=` (FUTURERELEASE, RFC 4865).
    pub hold: Option<Hold<'a>>,
    /// `BY=` (DELIVERBY, RFC 2852).
    pub by: Option<DeliverBy>,
    /// The parameter text as received (empty when there was none).
    pub raw: &'a str,
}

impl<'a> MailParams<'a> {
    /// The parameters of [`raw`](Self::raw) this crate does not know.
    pub fn unknown(&self) -> impl Iterator<Item = Parameter<'a>> + 'a {
        parameters(self.raw).filter(|p| !is_known_mail_keyword(p.keyword))
    }

    /// Whether a `MAIL` parameter keyword is one this crate parses.
    ///
    /// ```
    /// use mailwire_smtp::types::MailParams;
    /// assert!(MailParams::is_known("size"));
    /// assert!(!MailParams::is_known("X-FOO"));
    /// ```
    #[must_use]
    pub fn is_known(keyword: &str) -> bool {
        is_known_mail_keyword(keyword)
    }
}

fn is_known_mail_keyword(keyword: &str) -> bool {
    MAIL_KEYWORDS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(keyword))
}

/// Keywords parsed into [`MailParams`] fields.
pub(crate) const MAIL_KEYWORDS: &[&str] = &[
    "SIZE",
    "BODY",
    "SMTPUTF8",
    "RET",
    "ENVID",
    "AUTH",
    "REQUIRETLS",
    "MT-PRIORITY",
    "HOLDFOR",
    "HOLDUNTIL",
    "BY",
];

/// `NOTIFY=` of `RCPT TO` (DSN, RFC 3461 section 4.1): when to report.
///
/// ```text
/// notify-esmtp-value  = "NEVER" / 1#notify-list-element
/// notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
/// ```
///
/// `NEVER` is all flags false.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Notify {
    /// Report successful delivery.
    pub success: bool,
    /// Report failure.
    pub failure: bool,
    /// Report delay.
    pub delay: bool,
}

impl Notify {
    /// `NOTIFY=NEVER`.
    pub const NEVER: Self = Self {
        success: false,
        failure: false,
        delay: false,
    };

    /// Whether this is `NEVER`.
    ///
    /// ```
    /// assert!(mailwire_smtp::types::Notify::NEVER.is_never());
    /// ```
    #[must_use]
    pub const fn is_never(&self) -> bool {
        !self.success && !self.failure && !self.delay
    }
}

/// `ORCPT=` of `RCPT TO` (DSN, RFC 3461 section 4.2): the recipient as the
/// sender first gave it.
///
/// ```text
/// orcpt-parameter = "ORCPT=" original-recipient-address
/// original-recipient-address = addr-type ";" xtext
/// addr-type = atom
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OriginalRecipient<'a> {
    /// The address type, usually `rfc822` (or `utf-8`, RFC 6533).
    pub addr_type: &'a str,
    /// The address, xtext-encoded.
    pub address: XText<'a>,
}

/// The parameters of `RCPT TO`, in the same shape as [`MailParams`].
///
/// ```
/// use mailwire_smtp::types::{Notify, RcptParams};
///
/// let mut params = RcptParams::default();
/// params.notify = Some(Notify { failure: true, ..Notify::NEVER });
/// assert!(params.unknown().next().is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RcptParams<'a> {
    /// `NOTIFY=` (DSN, RFC 3461).
    pub notify: Option<Notify>,
    /// `ORCPT=` (DSN, RFC 3461).
    pub orcpt: Option<OriginalRecipient<'a>>,
    /// The parameter text as received (empty when there was none).
    pub raw: &'a str,
}

impl<'a> RcptParams<'a> {
    /// The parameters of [`raw`](Self::raw) this crate does not know.
    pub fn unknown(&self) -> impl Iterator<Item = Parameter<'a>> + 'a {
        parameters(self.raw).filter(|p| !is_known_rcpt_keyword(p.keyword))
    }

    /// Whether a `RCPT` parameter keyword is one this crate parses.
    ///
    /// ```
    /// use mailwire_smtp::types::RcptParams;
    /// assert!(RcptParams::is_known("NOTIFY"));
    /// ```
    #[must_use]
    pub fn is_known(keyword: &str) -> bool {
        is_known_rcpt_keyword(keyword)
    }
}

fn is_known_rcpt_keyword(keyword: &str) -> bool {
    keyword.eq_ignore_ascii_case("NOTIFY") || keyword.eq_ignore_ascii_case("ORCPT")
}
