//! Reply codes (RFC 5321 section 4.2) and enhanced status codes (RFC 3463).

use core::fmt;

/// A three-digit SMTP reply code.
///
/// RFC 5321 section 4.2:
///
/// ```text
/// Reply-code     = %x32-35 %x30-35 %x30-39
/// ```
///
/// ```
/// use mailwire_smtp::types::ReplyCode;
///
/// let code = ReplyCode::new(452).unwrap();
/// assert!(code.is_transient());
/// assert_eq!(code.get(), 452);
/// assert_eq!(ReplyCode::new(199), None);
/// assert_eq!(ReplyCode::OK.to_string(), "250");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// 211 System status, or system help reply.
    pub const SYSTEM_STATUS: Self = Self(211);
    /// 214 Help message.
    pub const HELP: Self = Self(214);
    /// 220 Service ready.
    pub const SERVICE_READY: Self = Self(220);
    /// 221 Service closing transmission channel.
    pub const CLOSING: Self = Self(221);
    /// 235 Authentication succeeded (RFC 4954).
    pub const AUTH_SUCCEEDED: Self = Self(235);
    /// 250 Requested mail action okay, completed.
    pub const OK: Self = Self(250);
    /// 251 User not local; will forward.
    pub const USER_NOT_LOCAL: Self = Self(251);
    /// 252 Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VERIFY: Self = Self(252);
    /// 334 Server challenge (RFC 4954).
    pub const AUTH_CHALLENGE: Self = Self(334);
    /// 354 Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: Self = Self(354);
    /// 421 Service not available, closing transmission channel.
    pub const SERVICE_NOT_AVAILABLE: Self = Self(421);
    /// 450 Mailbox unavailable (busy or temporarily blocked).
    pub const MAILBOX_BUSY: Self = Self(450);
    /// 451 Local error in processing.
    pub const LOCAL_ERROR: Self = Self(451);
    /// 452 Insufficient system storage (also: too many recipients).
    pub const INSUFFICIENT_STORAGE: Self = Self(452);
    /// 454 TLS or temporary authentication failure.
    pub const TEMPORARY_FAILURE: Self = Self(454);
    /// 455 Server unable to accommodate parameters.
    pub const PARAMETERS_NOT_ACCOMMODATED: Self = Self(455);
    /// 500 Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: Self = Self(500);
    /// 501 Syntax error in parameters or arguments.
    pub const PARAMETER_SYNTAX_ERROR: Self = Self(501);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: Self = Self(502);
    /// 503 Bad sequence of commands.
    pub const BAD_SEQUENCE: Self = Self(503);
    /// 504 Command parameter not implemented.
    pub const PARAMETER_NOT_IMPLEMENTED: Self = Self(504);
    /// 530 Authentication required (RFC 4954) or must issue STARTTLS (RFC 3207).
    pub const AUTH_REQUIRED: Self = Self(530);
    /// 535 Authentication credentials invalid (RFC 4954).
    pub const AUTH_INVALID: Self = Self(535);
    /// 550 Mailbox unavailable (not found, no access, policy).
    pub const MAILBOX_UNAVAILABLE: Self = Self(550);
    /// 552 Exceeded storage allocation (message too big).
    pub const EXCEEDED_STORAGE: Self = Self(552);
    /// 553 Mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: Self = Self(553);
    /// 554 Transaction failed.
    pub const TRANSACTION_FAILED: Self = Self(554);
    /// 555 MAIL FROM/RCPT TO parameters not recognized or not implemented.
    pub const PARAMETERS_NOT_RECOGNIZED: Self = Self(555);

    /// The code `n`, if it is a valid reply code.
    #[must_use]
    pub const fn new(n: u16) -> Option<Self> {
        let (a, b) = (n / 100, n / 10 % 10);
        if a >= 2 && a <= 5 && b <= 5 {
            Some(Self(n))
        } else {
            None
        }
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> u16 {
        self.0
    }

    /// 2yz: the action completed.
    #[must_use]
    pub const fn is_positive(self) -> bool {
        self.0 / 100 == 2
    }

    /// 3yz: more input is wanted (354, 334).
    #[must_use]
    pub const fn is_intermediate(self) -> bool {
        self.0 / 100 == 3
    }

    /// 4yz: a transient failure; trying again later may work.
    #[must_use]
    pub const fn is_transient(self) -> bool {
        self.0 / 100 == 4
    }

    /// 5yz: a permanent failure.
    #[must_use]
    pub const fn is_permanent(self) -> bool {
        self.0 / 100 == 5
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An RFC 3463 enhanced mail system status code, `class.subject.detail`.
///
/// RFC 3463 section 2 and RFC 2034 section 4:
///
/// ```text
/// status-code ::= class "." subject "." detail
/// class       ::= "2" / "4" / "5"
/// subject     ::= 1*3digit
/// detail      ::= 1*3digit
/// ```
///
/// ```
/// use mailwire_smtp::types::EnhancedStatus;
///
/// let s = EnhancedStatus::parse("5.1.1").unwrap();
/// assert_eq!((s.class(), s.subject(), s.detail()), (5, 1, 1));
/// assert_eq!(s.to_string(), "5.1.1");
/// assert_eq!(EnhancedStatus::parse("3.0.0"), None);
/// assert_eq!(EnhancedStatus::new(2, 0, 0), Some(EnhancedStatus::OK));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedStatus {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedStatus {
    /// 2.0.0 Other undefined status (success).
    pub const OK: Self = Self::known(2, 0, 0);
    /// 2.1.0 Other address status (sender accepted).
    pub const SENDER_OK: Self = Self::known(2, 1, 0);
    /// 2.1.5 Destination address valid (recipient accepted).
    pub const RECIPIENT_OK: Self = Self::known(2, 1, 5);
    /// 2.6.0 Other or undefined media error (message accepted).
    pub const MESSAGE_OK: Self = Self::known(2, 6, 0);
    /// 2.7.0 Other or undefined security status (authentication succeeded).
    pub const SECURITY_OK: Self = Self::known(2, 7, 0);
    /// 4.3.0 Other or undefined mail system status (temporary).
    pub const TEMPORARY_SYSTEM: Self = Self::known(4, 3, 0);
    /// 4.4.2 Bad connection (timeout).
    pub const BAD_CONNECTION: Self = Self::known(4, 4, 2);
    /// 4.5.3 Too many recipients.
    pub const TOO_MANY_RECIPIENTS: Self = Self::known(4, 5, 3);
    /// 4.7.0 Other or undefined security status (temporary).
    pub const TEMPORARY_SECURITY: Self = Self::known(4, 7, 0);
    /// 5.1.1 Bad destination mailbox address.
    pub const BAD_DESTINATION: Self = Self::known(5, 1, 1);
    /// 5.1.3 Bad destination mailbox address syntax.
    pub const BAD_DESTINATION_SYNTAX: Self = Self::known(5, 1, 3);
    /// 5.1.7 Bad sender's mailbox address syntax.
    pub const BAD_SENDER_SYNTAX: Self = Self::known(5, 1, 7);
    /// 5.3.4 Message too big for system.
    pub const MESSAGE_TOO_BIG: Self = Self::known(5, 3, 4);
    /// 5.5.1 Invalid command.
    pub const INVALID_COMMAND: Self = Self::known(5, 5, 1);
    /// 5.5.2 Syntax error.
    pub const SYNTAX_ERROR: Self = Self::known(5, 5, 2);
    /// 5.5.4 Invalid command arguments.
    pub const INVALID_ARGUMENTS: Self = Self::known(5, 5, 4);
    /// 5.5.6 Authentication exchange line is too long (RFC 4954).
    pub const AUTH_LINE_TOO_LONG: Self = Self::known(5, 5, 6);
    /// 5.6.7 Non-ASCII addresses not permitted for that sender/recipient (RFC 6531).
    pub const NON_ASCII_ADDRESS: Self = Self::known(5, 6, 7);
    /// 5.7.0 Other or undefined security status.
    pub const SECURITY: Self = Self::known(5, 7, 0);
    /// 5.7.8 Authentication credentials invalid (RFC 4954).
    pub const AUTH_INVALID: Self = Self::known(5, 7, 8);
    /// 5.7.11 Encryption required for requested authentication mechanism (RFC 5248).
    pub const ENCRYPTION_REQUIRED: Self = Self::known(5, 7, 11);

    const fn known(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }

    /// The code `class.subject.detail`, if the class is 2, 4 or 5 and the
    /// other parts have at most three digits.
    #[must_use]
    pub const fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        if matches!(class, 2 | 4 | 5) && subject <= 999 && detail <= 999 {
            Some(Self::known(class, subject, detail))
        } else {
            None
        }
    }

    /// Parses `class.subject.detail` (the whole text).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match Self::parse_prefix(text.as_bytes()) {
            Some((status, n)) if n == text.len() => Some(status),
            _ => None,
        }
    }

    /// Parses a status code at the start of `bytes`; returns it and its
    /// length.
    pub(crate) fn parse_prefix(bytes: &[u8]) -> Option<(Self, usize)> {
        let class = match bytes.first()? {
            c @ (b'2' | b'4' | b'5') => c - b'0',
            _ => return None,
        };
        if bytes.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, n) = digits(&bytes[2..])?;
        let at = 2 + n;
        if bytes.get(at) != Some(&b'.') {
            return None;
        }
        let (detail, m) = digits(&bytes[at + 1..])?;
        Some((Self::known(class, subject, detail), at + 1 + m))
    }

    /// The class: 2 (success), 4 (persistent transient failure) or 5
    /// (permanent failure).
    #[must_use]
    pub const fn class(self) -> u8 {
        self.class
    }

    /// The subject (1 addressing, 2 mailbox, 3 mail system, 4 network,
    /// 5 protocol, 6 content, 7 security).
    #[must_use]
    pub const fn subject(self) -> u16 {
        self.subject
    }

    /// The detail within the subject.
    #[must_use]
    pub const fn detail(self) -> u16 {
        self.detail
    }
}

/// `1*3digit`: the value and how many digits.
fn digits(bytes: &[u8]) -> Option<(u16, usize)> {
    let n = bytes
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n == 0 || n > 3 {
        return None;
    }
    let value = bytes[..n]
        .iter()
        .fold(0u16, |v, &b| v * 10 + u16::from(b - b'0'));
    Some((value, n))
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}
