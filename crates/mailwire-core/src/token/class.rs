//! Byte classes of RFC 5234, RFC 5321 and RFC 5322, as one lookup table.

/// `atext`, RFC 5322 section 3.2.3.
const ATEXT: u16 = 1 << 0;
/// `ctext` without `obs-ctext`, RFC 5322 section 3.2.2.
const CTEXT: u16 = 1 << 1;
/// `qtext` without `obs-qtext`, RFC 5322 section 3.2.4.
const QTEXT: u16 = 1 << 2;
/// `dtext` without `obs-dtext`, RFC 5322 section 3.4.1.
const DTEXT: u16 = 1 << 3;
/// `VCHAR`, RFC 5234 appendix B.1.
const VCHAR: u16 = 1 << 4;
/// `WSP`, RFC 5234 appendix B.1.
const WSP: u16 = 1 << 5;
/// `Let-dig`, RFC 5321 section 4.1.2.
const LET_DIG: u16 = 1 << 6;
/// `ALPHA / DIGIT / "-"`, the characters of `Ldh-str`.
const LDH: u16 = 1 << 7;
/// `qtextSMTP`, RFC 5321 section 4.1.2.
const QTEXT_SMTP: u16 = 1 << 8;
/// `dcontent`, RFC 5321 section 4.1.3.
const DCONTENT: u16 = 1 << 9;
/// `obs-NO-WS-CTL`, RFC 5322 section 4.1.
const OBS_NO_WS_CTL: u16 = 1 << 10;
/// `specials`, RFC 5322 section 3.2.3.
const SPECIALS: u16 = 1 << 11;

const fn class_of(b: u8) -> u16 {
    let mut c = 0;
    let alpha = b.is_ascii_alphabetic();
    let digit = b.is_ascii_digit();
    if alpha
        || digit
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        )
    {
        c |= ATEXT;
    }
    if matches!(b, 33..=39 | 42..=91 | 93..=126) {
        c |= CTEXT;
    }
    if matches!(b, 33 | 35..=91 | 93..=126) {
        c |= QTEXT;
    }
    if matches!(b, 33..=90 | 94..=126) {
        c |= DTEXT | DCONTENT;
    }
    if matches!(b, 0x21..=0x7e) {
        c |= VCHAR;
    }
    if matches!(b, b' ' | b'\t') {
        c |= WSP;
    }
    if alpha || digit {
        c |= LET_DIG | LDH;
    }
    if b == b'-' {
        c |= LDH;
    }
    if matches!(b, 32..=33 | 35..=91 | 93..=126) {
        c |= QTEXT_SMTP;
    }
    if matches!(b, 1..=8 | 11 | 12 | 14..=31 | 127) {
        c |= OBS_NO_WS_CTL;
    }
    if matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b':' | b';' | b'@' | b'\\' | b',' | b'.' | b'"'
    ) {
        c |= SPECIALS;
    }
    c
}

const fn build() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
}

static CLASS: [u16; 256] = build();

#[inline]
const fn has(b: u8, flag: u16) -> bool {
    CLASS[b as usize] & flag != 0
}

/// `atext` (RFC 5322 section 3.2.3), ASCII part: letters, digits and
/// ``!#$%&'*+-/=?^_`{|}~``.
///
/// ```text
/// atext           =   ALPHA / DIGIT /    ; Printable US-ASCII
///                     "!" / "#" /        ;  characters not including
///                     "$" / "%" /        ;  specials.  Used for atoms.
///                     "&" / "'" /
///                     "*" / "+" /
///                     "-" / "/" /
///                     "=" / "?" /
///                     "^" / "_" /
///                     "`" / "{" /
///                     "|" / "}" /
///                     "~"
/// ```
///
/// RFC 6532 section 3.2 and RFC 6531 section 3.3 add `atext =/
/// UTF8-non-ascii`; test that with [`utf8_non_ascii`].
///
/// ```
/// use mailwire_core::token::is_atext;
/// assert!(is_atext(b'a') && is_atext(b'!') && is_atext(b'~'));
/// assert!(!is_atext(b'.') && !is_atext(b'@') && !is_atext(b' ') && !is_atext(0xc3));
/// ```
#[must_use]
#[inline]
pub const fn is_atext(b: u8) -> bool {
    has(b, ATEXT)
}

/// `specials` (RFC 5322 section 3.2.3): the printable characters that are
/// not `atext`.
///
/// ```text
/// specials        =   "(" / ")" /        ; Special characters that do
///                     "<" / ">" /        ;  not appear in atext
///                     "[" / "]" /
///                     ":" / ";" /
///                     "@" / "\" /
///                     "," / "." /
///                     DQUOTE
/// ```
///
/// ```
/// use mailwire_core::token::is_special;
/// assert!(is_special(b'@') && is_special(b'"') && !is_special(b'a'));
/// ```
#[must_use]
#[inline]
pub const fn is_special(b: u8) -> bool {
    has(b, SPECIALS)
}

/// `VCHAR` (RFC 5234 appendix B.1): visible (printing) ASCII characters.
///
/// ```text
/// VCHAR          =  %x21-7E
///                        ; visible (printing) characters
/// ```
///
/// RFC 6532 section 3.2 adds `VCHAR =/ UTF8-non-ascii` (see
/// [`utf8_non_ascii`]).
///
/// ```
/// use mailwire_core::token::is_vchar;
/// assert!(is_vchar(b'!') && is_vchar(b'~') && !is_vchar(b' ') && !is_vchar(0x7f));
/// ```
#[must_use]
#[inline]
pub const fn is_vchar(b: u8) -> bool {
    has(b, VCHAR)
}

/// `WSP` (RFC 5234 appendix B.1): space or horizontal tab.
///
/// ```text
/// WSP            =  SP / HTAB
///                        ; white space
/// ```
///
/// ```
/// use mailwire_core::token::is_wsp;
/// assert!(is_wsp(b' ') && is_wsp(b'\t') && !is_wsp(b'\r'));
/// ```
#[must_use]
#[inline]
pub const fn is_wsp(b: u8) -> bool {
    has(b, WSP)
}

/// `ctext` (RFC 5322 section 3.2.2) without `obs-ctext`: printable ASCII
/// except `(`, `)` and `\`.
///
/// ```text
/// ctext           =   %d33-39 /          ; Printable US-ASCII
///                     %d42-91 /          ;  characters not including
///                     %d93-126 /         ;  "(", ")", or "\"
///                     obs-ctext
/// ```
///
/// `obs-ctext = obs-NO-WS-CTL` (section 4.1) is [`is_obs_no_ws_ctl`]; RFC
/// 6532 adds `ctext =/ UTF8-non-ascii` ([`utf8_non_ascii`]).
///
/// ```
/// use mailwire_core::token::is_ctext;
/// assert!(is_ctext(b'a') && !is_ctext(b'(') && !is_ctext(b')') && !is_ctext(b'\\'));
/// ```
#[must_use]
#[inline]
pub const fn is_ctext(b: u8) -> bool {
    has(b, CTEXT)
}

/// `qtext` (RFC 5322 section 3.2.4) without `obs-qtext`: printable ASCII
/// except `"` and `\`.
///
/// ```text
/// qtext           =   %d33 /             ; Printable US-ASCII
///                     %d35-91 /          ;  characters not including
///                     %d93-126 /         ;  "\" or the quote character
///                     obs-qtext
/// ```
///
/// `obs-qtext = obs-NO-WS-CTL` (section 4.1) is [`is_obs_no_ws_ctl`]; RFC
/// 6532 adds `qtext =/ UTF8-non-ascii` ([`utf8_non_ascii`]).
///
/// ```
/// use mailwire_core::token::is_qtext;
/// assert!(is_qtext(b'@') && !is_qtext(b'"') && !is_qtext(b'\\') && !is_qtext(b' '));
/// ```
#[must_use]
#[inline]
pub const fn is_qtext(b: u8) -> bool {
    has(b, QTEXT)
}

/// `dtext` (RFC 5322 section 3.4.1) without `obs-dtext`: printable ASCII
/// except `[`, `]` and `\`.
///
/// ```text
/// dtext           =   %d33-90 /          ; Printable US-ASCII
///                     %d94-126 /         ;  characters not including
///                     obs-dtext          ;  "[", "]", or "\"
/// ```
///
/// `obs-dtext = obs-NO-WS-CTL / quoted-pair` (section 4.4); RFC 6532 adds
/// `dtext =/ UTF8-non-ascii` ([`utf8_non_ascii`]).
///
/// ```
/// use mailwire_core::token::is_dtext;
/// assert!(is_dtext(b'1') && is_dtext(b':') && !is_dtext(b'[') && !is_dtext(b']'));
/// ```
#[must_use]
#[inline]
pub const fn is_dtext(b: u8) -> bool {
    has(b, DTEXT)
}

/// `obs-NO-WS-CTL` (RFC 5322 section 4.1): ASCII controls other than NUL,
/// CR, LF and HTAB. They form `obs-ctext`, `obs-qtext` and part of
/// `obs-dtext`.
///
/// ```text
/// obs-NO-WS-CTL   =   %d1-8 /            ; US-ASCII control
///                     %d11 /             ;  characters that do not
///                     %d12 /             ;  include the carriage
///                     %d14-31 /          ;  return, line feed, and
///                     %d127              ;  white space characters
/// ```
///
/// ```
/// use mailwire_core::token::is_obs_no_ws_ctl;
/// assert!(is_obs_no_ws_ctl(0x01) && is_obs_no_ws_ctl(0x7f));
/// assert!(!is_obs_no_ws_ctl(0) && !is_obs_no_ws_ctl(b'\r') && !is_obs_no_ws_ctl(b'\t'));
/// ```
#[must_use]
#[inline]
pub const fn is_obs_no_ws_ctl(b: u8) -> bool {
    has(b, OBS_NO_WS_CTL)
}

/// `Let-dig` (RFC 5321 section 4.1.2): an ASCII letter or digit.
///
/// ```text
/// Let-dig        = ALPHA / DIGIT
/// ```
///
/// ```
/// use mailwire_core::token::is_let_dig;
/// assert!(is_let_dig(b'a') && is_let_dig(b'7') && !is_let_dig(b'-'));
/// ```
#[must_use]
#[inline]
pub const fn is_let_dig(b: u8) -> bool {
    has(b, LET_DIG)
}

/// A character of `Ldh-str` (RFC 5321 section 4.1.2): letter, digit or `-`.
///
/// ```text
/// Ldh-str        = *( ALPHA / DIGIT / "-" ) Let-dig
/// ```
///
/// ```
/// use mailwire_core::token::is_ldh;
/// assert!(is_ldh(b'a') && is_ldh(b'-') && !is_ldh(b'_') && !is_ldh(b'.'));
/// ```
#[must_use]
#[inline]
pub const fn is_ldh(b: u8) -> bool {
    has(b, LDH)
}

/// `qtextSMTP` (RFC 5321 section 4.1.2): printable ASCII and space, except
/// `"` and `\`.
///
/// ```text
/// qtextSMTP      = %d32-33 / %d35-91 / %d93-126
///                ; i.e., within a quoted string, any
///                ; ASCII graphic or space is permitted
///                ; without blackslash-quoting except
///                ; double-quote and the backslash itself.
/// ```
///
/// RFC 6531 section 3.3 adds `qtextSMTP =/ UTF8-non-ascii`
/// ([`utf8_non_ascii`]).
///
/// ```
/// use mailwire_core::token::is_qtext_smtp;
/// assert!(is_qtext_smtp(b' ') && is_qtext_smtp(b'@') && !is_qtext_smtp(b'"') && !is_qtext_smtp(b'\t'));
/// ```
#[must_use]
#[inline]
pub const fn is_qtext_smtp(b: u8) -> bool {
    has(b, QTEXT_SMTP)
}

/// `dcontent` (RFC 5321 section 4.1.3): printable ASCII except `[`, `\`
/// and `]`.
///
/// ```text
/// dcontent       = %d33-90 / ; Printable US-ASCII
///                %d94-126 ; excl. "[", "\", "]"
/// ```
///
/// ```
/// use mailwire_core::token::is_dcontent;
/// assert!(is_dcontent(b'x') && !is_dcontent(b']') && !is_dcontent(b' '));
/// ```
#[must_use]
#[inline]
pub const fn is_dcontent(b: u8) -> bool {
    has(b, DCONTENT)
}

/// The result of looking for one `UTF8-non-ascii` sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Utf8Seq {
    /// A well-formed sequence of this many bytes (2 to 4).
    Ok(usize),
    /// Not a well-formed sequence (or not a non-ASCII lead byte).
    Invalid,
    /// A valid beginning cut short by the end of the input.
    Truncated,
}

/// Classifies the `UTF8-non-ascii` sequence at the start of `input`.
pub(crate) const fn utf8_seq(input: &[u8]) -> Utf8Seq {
    if input.is_empty() {
        return Utf8Seq::Truncated;
    }
    let lead = input[0];
    // (length, allowed range of the second byte) per RFC 3629 section 4.
    let (len, lo, hi) = match lead {
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xe1..=0xec | 0xee..=0xef => (3, 0x80, 0xbf),
        0xed => (3, 0x80, 0x9f),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return Utf8Seq::Invalid,
    };
    let mut i = 1;
    while i < len {
        if i >= input.len() {
            return Utf8Seq::Truncated;
        }
        let b = input[i];
        let ok = if i == 1 {
            b >= lo && b <= hi
        } else {
            b >= 0x80 && b <= 0xbf
        };
        if !ok {
            return Utf8Seq::Invalid;
        }
        i += 1;
    }
    Utf8Seq::Ok(len)
}

/// The length of the `UTF8-non-ascii` sequence (RFC 6532 section 3.1,
/// RFC 3629 section 4) at the start of `input`, or `None` if `input` does
/// not start with one (ASCII, a malformed sequence, or a truncated one).
///
/// ```text
/// UTF8-non-ascii  =   UTF8-2 / UTF8-3 / UTF8-4
/// ```
///
/// This is the extension RFC 6532 (`atext`, `qtext`, `ctext`, `dtext`,
/// `VCHAR`) and RFC 6531 (`atext`, `qtextSMTP`) make to the ASCII classes.
///
/// ```
/// use mailwire_core::token::utf8_non_ascii;
/// assert_eq!(utf8_non_ascii("é!".as_bytes()), Some(2));
/// assert_eq!(utf8_non_ascii("€".as_bytes()), Some(3));
/// assert_eq!(utf8_non_ascii(b"a"), None);
/// assert_eq!(utf8_non_ascii(b"\xc0\xaf"), None); // overlong
/// assert_eq!(utf8_non_ascii(b"\xe2\x82"), None); // truncated
/// ```
#[must_use]
pub const fn utf8_non_ascii(input: &[u8]) -> Option<usize> {
    match utf8_seq(input) {
        Utf8Seq::Ok(n) => Some(n),
        Utf8Seq::Invalid | Utf8Seq::Truncated => None,
    }
}
