//! Size and count limits shared by every mailwire protocol crate.
//!
//! Each buffer a peer can make grow has a bound here. The defaults follow the
//! RFC minimums where an RFC gives one and are generous elsewhere; every field
//! can be changed.

/// Bounds on what a peer may make us buffer or count.
///
/// ```
/// use mailwire_core::Limits;
///
/// let mut limits = Limits::default();
/// assert_eq!(limits.max_command_line, 512);
/// limits.max_message_size = 100 * 1024 * 1024;
/// assert!(limits.max_message_size > Limits::DEFAULT.max_message_size);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command line, line ending included.
    ///
    /// Default 512: RFC 5321 section 4.5.3.1.4 (SMTP command line), also the
    /// POP3 response line of RFC 2449 section 4. Extensions that add
    /// parameters (ESMTP) may want more; Postfix accepts 2048.
    pub max_command_line: usize,
    /// Longest text line (message data, replies, IMAP lines outside
    /// literals), line ending included.
    ///
    /// Default 1000: RFC 5321 section 4.5.3.1.6 and RFC 5322 section 2.1.1.
    /// Real-world mail breaks this; readers that want to be lenient raise it.
    pub max_text_line: usize,
    /// Largest message body in bytes. Default 64 MiB.
    pub max_message_size: u64,
    /// Largest announced literal or payload chunk (IMAP `{n}`, SMTP `BDAT n`)
    /// in bytes. Default 64 MiB. Checked before anything is allocated.
    pub max_literal_size: u64,
    /// Most recipients per message. Default 100: RFC 5321 section 4.5.3.1.8.
    pub max_recipients: usize,
    /// Deepest nesting of parenthesized lists, MIME parts or encapsulated
    /// messages. Default 64.
    pub max_nesting_depth: usize,
    /// Most MIME parts in one message. Default 1000.
    pub max_mime_parts: usize,
    /// Most header fields in one message header. Default 1000.
    pub max_header_fields: usize,
    /// Protocol errors tolerated before the session is closed (SMTP `421`,
    /// IMAP `BYE`, POP3 `-ERR`). Default 10.
    pub max_errors: usize,
}

impl Limits {
    /// The documented defaults, usable in `const` context.
    pub const DEFAULT: Self = Self {
        max_command_line: 512,
        max_text_line: 1000,
        max_message_size: 64 * 1024 * 1024,
        max_literal_size: 64 * 1024 * 1024,
        max_recipients: 100,
        max_nesting_depth: 64,
        max_mime_parts: 1000,
        max_header_fields: 1000,
        max_errors: 10,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
