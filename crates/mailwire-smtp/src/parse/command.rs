//! The command-line parser (RFC 5321 section 4.1 and the extensions).
//!
//! Hand-written over byte tables and the `mailwire-core` tokens: a command
//! line is short and the verb decides everything after it, so one pass
//! with no backtracking is both the simplest and the fastest shape.

use core::fmt;

use mailwire_core::token::{TokenOptions, smtp_domain, smtp_mailbox, smtp_mailbox_str};

use crate::types::{
    Body, ClientId, Command, DeliverBy, ForwardPath, Hold, InitialResponse, MailAuth, MailParams,
    Mechanism, Notify, OriginalRecipient, Path, RcptParams, Ret, ReversePath, XText,
};

/// Why a command line did not parse, and where.
///
/// Each error knows the reply a server gives for it
/// ([`reply_code`](Self::reply_code), [`enhanced_status`](Self::enhanced_status));
/// the session goes on after it.
///
/// ```
/// use mailwire_smtp::parse::CommandErrorKind;
/// use mailwire_smtp::types::Command;
///
/// let err = Command::parse(b"FROB x").unwrap_err();
/// assert_eq!(err.kind(), CommandErrorKind::Unrecognized);
/// assert_eq!((err.reply_code(), err.enhanced_status()), (500, "5.5.2"));
///
/// let err = Command::parse(b"MAIL FROM:<joe@> SIZE=1").unwrap_err();
/// assert_eq!(err.offset(), 15);
/// assert_eq!((err.reply_code(), err.enhanced_status()), (501, "5.1.7"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandError {
    kind: CommandErrorKind,
    offset: usize,
}

/// What kind of error a [`CommandError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandErrorKind {
    /// The verb is not a command this crate knows.
    Unrecognized,
    /// The line breaks the command's grammar; the text names what was
    /// expected.
    Syntax(&'static str),
    /// The sender address is malformed.
    BadSender,
    /// The recipient address is malformed.
    BadRecipient,
    /// A known ESMTP parameter has a malformed value.
    BadParameter(&'static str),
    /// A known ESMTP parameter appears twice.
    DuplicateParameter(&'static str),
    /// The line, after a known verb, is not UTF-8 (answered 501: the
    /// command is known, its arguments are not). Bad bytes inside a
    /// `MAIL`/`RCPT` address are reported as [`BadSender`](Self::BadSender)
    /// / [`BadRecipient`](Self::BadRecipient) instead.
    NotUtf8,
}

impl CommandError {
    const fn new(kind: CommandErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> CommandErrorKind {
        self.kind
    }

    /// The byte offset in the line where it went wrong.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The reply code a server answers with: 500 for an unknown command,
    /// 501 for bad arguments (RFC 5321 section 4.2.4).
    #[must_use]
    pub const fn reply_code(&self) -> u16 {
        match self.kind {
            CommandErrorKind::Unrecognized => 500,
            _ => 501,
        }
    }

    /// The RFC 3463 enhanced status code that goes with
    /// [`reply_code`](Self::reply_code).
    #[must_use]
    pub const fn enhanced_status(&self) -> &'static str {
        match self.kind {
            CommandErrorKind::Unrecognized => "5.5.2",
            CommandErrorKind::BadSender => "5.1.7",
            CommandErrorKind::BadRecipient => "5.1.3",
            _ => "5.5.4",
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            CommandErrorKind::Unrecognized => f.write_str("command not recognized")?,
            CommandErrorKind::Syntax(what) => write!(f, "syntax error, expected {what}")?,
            CommandErrorKind::BadSender => f.write_str("bad sender address syntax")?,
            CommandErrorKind::BadRecipient => f.write_str("bad recipient address syntax")?,
            CommandErrorKind::BadParameter(name) => write!(f, "bad value for {name}")?,
            CommandErrorKind::DuplicateParameter(name) => write!(f, "{name} given twice")?,
            CommandErrorKind::NotUtf8 => f.write_str("line is not UTF-8")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for CommandError {}

type Result<T> = core::result::Result<T, CommandError>;

/// Options for the address tokens: UTF-8 is accepted (RFC 6531); whether a
/// transaction may use it is the server's call, made with `SMTPUTF8`.
const OPTS: TokenOptions = TokenOptions::SMTP_UTF8;

/// Packs the first four bytes of a verb, upper-cased. Only ASCII letters
/// meet the verbs' letters under the mask, so no other byte aliases.
const fn verb4(b: &[u8; 4]) -> u32 {
    u32::from_be_bytes(*b) & 0xDFDF_DFDF
}

const HELO: u32 = verb4(b"HELO");
const EHLO: u32 = verb4(b"EHLO");
const LHLO: u32 = verb4(b"LHLO");
const MAIL: u32 = verb4(b"MAIL");
const RCPT: u32 = verb4(b"RCPT");
const DATA: u32 = verb4(b"DATA");
const BDAT: u32 = verb4(b"BDAT");
const RSET: u32 = verb4(b"RSET");
const VRFY: u32 = verb4(b"VRFY");
const EXPN: u32 = verb4(b"EXPN");
const HELP: u32 = verb4(b"HELP");
const NOOP: u32 = verb4(b"NOOP");
const QUIT: u32 = verb4(b"QUIT");
const AUTH: u32 = verb4(b"AUTH");
const STAR: u32 = verb4(b"STAR");
const TTLS: u32 = verb4(b"TTLS");

impl<'a> Command<'a> {
    /// Parses one command line. A final CRLF (or LF) may be included or
    /// left out; spaces before it are ignored.
    ///
    /// The grammars are on the [`Command`] variants. Beyond them, this
    /// parser accepts what real clients send: verbs and keywords in any
    /// case, spaces after `FROM:` / `TO:`, several spaces between
    /// parameters, UTF-8 in addresses (RFC 6531; the server decides
    /// whether the transaction may use it) and any one word after
    /// `HELO`/`EHLO` ([`ClientId::Other`]). Unknown ESMTP parameters are
    /// kept ([`MailParams::unknown`]).
    ///
    /// # Errors
    ///
    /// A [`CommandError`] with the offset and the reply to give.
    ///
    /// ```
    /// use mailwire_smtp::types::{Command, ReversePath};
    ///
    /// let cmd = Command::parse(b"mail from: <> BODY=8bitmime\r\n")?;
    /// assert!(matches!(cmd, Command::Mail { reverse_path: ReversePath::Null, .. }));
    /// assert_eq!(Command::parse(b"BDAT 1000 LAST")?, Command::Bdat { size: 1000, last: true });
    /// # Ok::<(), mailwire_smtp::parse::CommandError>(())
    /// ```
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        let line = trim_end(line);
        let Some(head) = line.first_chunk::<4>() else {
            return Err(CommandError::new(CommandErrorKind::Unrecognized, 0));
        };
        // The verb is recognized on the bytes, so that an unknown command
        // is answered 500 whatever follows it; only then must the rest be
        // UTF-8 (RFC 6531 allows it in addresses and parameters).
        let verb = verb4(head);
        let verb_len = if verb == STAR
            && line.len() >= 8
            && verb4(line[4..8].try_into().unwrap_or(&[0; 4])) == TTLS
        {
            8
        } else {
            4
        };
        // Every verb ends at a space or the end of the line.
        if line.len() > verb_len && line[verb_len] != b' ' {
            return Err(CommandError::new(CommandErrorKind::Unrecognized, 0));
        }
        if !matches!(
            verb,
            MAIL | RCPT
                | EHLO
                | HELO
                | LHLO
                | DATA
                | BDAT
                | RSET
                | QUIT
                | NOOP
                | HELP
                | VRFY
                | EXPN
                | AUTH
        ) && verb_len == 4
        {
            return Err(CommandError::new(CommandErrorKind::Unrecognized, 0));
        }
        // A MAIL or RCPT line that is not UTF-8 is still parsed piecewise,
        // so that a bad address gets its own reply (501 5.1.7 / 5.1.3).
        let text = core::str::from_utf8(line);
        match verb {
            MAIL => return parse_mail(line, text.ok()),
            RCPT => return parse_rcpt(line, text.ok()),
            _ => {}
        }
        let text = match text {
            Ok(text) => text,
            Err(e) => {
                return Err(CommandError::new(
                    CommandErrorKind::NotUtf8,
                    e.valid_up_to(),
                ));
            }
        };
        match verb {
            _ if verb_len == 8 => no_argument(text, 8, Command::StartTls),
            EHLO => client_id(text).map(|client| Command::Ehlo { client }),
            HELO => client_id(text).map(|client| Command::Helo { client }),
            LHLO => client_id(text).map(|client| Command::Lhlo { client }),
            DATA => no_argument(text, 4, Command::Data),
            BDAT => parse_bdat(text),
            RSET => no_argument(text, 4, Command::Rset),
            QUIT => no_argument(text, 4, Command::Quit),
            NOOP => optional_argument(text).map(|argument| Command::Noop { argument }),
            HELP => optional_argument(text).map(|argument| Command::Help { argument }),
            VRFY => required_argument(text).map(|argument| Command::Vrfy { argument }),
            EXPN => required_argument(text).map(|argument| Command::Expn { argument }),
            AUTH => parse_auth(text),
            _ => Err(CommandError::new(CommandErrorKind::Unrecognized, 0)),
        }
    }
}

/// The line without its line ending and trailing spaces.
fn trim_end(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n' | b' ' | b'\t'] = line {
        line = rest;
    }
    line
}

/// Index of the first byte after `at` that is not a space.
fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

fn syntax(what: &'static str, at: usize) -> CommandError {
    CommandError::new(CommandErrorKind::Syntax(what), at)
}

fn no_argument<'a>(text: &str, verb_len: usize, command: Command<'a>) -> Result<Command<'a>> {
    if text.len() == verb_len {
        Ok(command)
    } else {
        Err(syntax("end of line (no argument)", verb_len))
    }
}

/// The free text after the verb (`String` of VRFY, EXPN, HELP and NOOP),
/// if any.
///
/// ```text
/// String         = Atom / Quoted-string
/// ```
///
/// Taken leniently as the rest of the line after the white space that
/// follows the verb, but refusing control
/// characters other than tab, so that nothing parsed here could break a
/// line when written back.
fn optional_argument(text: &str) -> Result<Option<&str>> {
    let bytes = text.as_bytes();
    let mut at = 4;
    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    if at == text.len() {
        return Ok(None);
    }
    let arg = &text[at..];
    match arg.bytes().position(mailwire_core::field::is_control) {
        Some(bad) => Err(syntax("printable text", at + bad)),
        None => Ok(Some(arg)),
    }
}

fn required_argument(text: &str) -> Result<&str> {
    optional_argument(text)?.ok_or_else(|| syntax("an argument", text.len()))
}

/// ```text
/// helo = "HELO" SP Domain CRLF
/// ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
/// ```
fn client_id(text: &str) -> Result<ClientId<'_>> {
    let at = skip_spaces(text.as_bytes(), 4);
    let arg = &text[at..];
    if arg.is_empty() {
        return Err(syntax("a domain", at));
    }
    if let Some(bad) = arg.bytes().position(|b| b <= b' ' || b == 0x7f) {
        return Err(syntax("one word", at + bad));
    }
    match smtp_domain(arg.as_bytes(), OPTS) {
        Ok((domain, n)) if n == arg.len() => Ok(ClientId::Domain(domain)),
        _ => Ok(ClientId::Other(arg)),
    }
}

/// The index after the verb and the spaces that follow it; at least one
/// space is required (several are accepted, as some clients send them).
fn after_verb(line: &[u8]) -> Result<usize> {
    match skip_spaces(line, 4) {
        4 => Err(syntax("' '", 4)),
        at => Ok(at),
    }
}

/// Checks that `line[at..]` starts with `word` (any case); returns the
/// index after it.
fn keyword(line: &[u8], at: usize, word: &'static str) -> Result<usize> {
    let end = at + word.len();
    match line.get(at..end) {
        Some(got) if got.eq_ignore_ascii_case(word.as_bytes()) => Ok(end),
        _ => Err(syntax(word, at)),
    }
}

/// ```text
/// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
/// Reverse-path   = Path / "<>"
/// ```
fn parse_mail<'a>(line: &'a [u8], text: Option<&'a str>) -> Result<Command<'a>> {
    let at = keyword(line, after_verb(line)?, "FROM:")?;
    let at = skip_spaces(line, at);
    let (reverse_path, at) = if line[at..].starts_with(b"<>") {
        (ReversePath::Null, at + 2)
    } else {
        let (path, at) = path(line, text, at, CommandErrorKind::BadSender)?;
        (ReversePath::Path(path), at)
    };
    let (raw, base) = params_text(line, text, at)?;
    let params = mail_params(raw, base)?;
    Ok(Command::Mail {
        reverse_path,
        params,
    })
}

/// ```text
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///             Forward-path ) [SP Rcpt-parameters] CRLF
/// ```
fn parse_rcpt<'a>(line: &'a [u8], text: Option<&'a str>) -> Result<Command<'a>> {
    if let Some(command) = text.and_then(plain_rcpt) {
        return Ok(command);
    }
    general_rcpt(line, text)
}

/// [`parse_rcpt`] for any line.
fn general_rcpt<'a>(line: &'a [u8], text: Option<&'a str>) -> Result<Command<'a>> {
    let at = keyword(line, after_verb(line)?, "TO:")?;
    let at = skip_spaces(line, at);
    let (forward_path, at) = match line.get(at..at + 12) {
        Some(p) if p.eq_ignore_ascii_case(b"<Postmaster>") => (ForwardPath::Postmaster, at + 12),
        _ => {
            let (path, at) = path(line, text, at, CommandErrorKind::BadRecipient)?;
            (ForwardPath::Path(path), at)
        }
    };
    let (raw, base) = params_text(line, text, at)?;
    let params = rcpt_params(raw, base)?;
    Ok(Command::Rcpt {
        forward_path,
        params,
    })
}

/// The common RCPT line in one pass: `RCPT TO:<` a plain mailbox `>`,
/// then plain parameters (see [`plain_rcpt_params`]), the Command built in
/// place. `None` means "not this simple": [`parse_rcpt`] then parses the
/// line the general way, which decides and makes the error.
#[inline]
fn plain_rcpt(text: &str) -> Option<Command<'_>> {
    let bytes = text.as_bytes();
    if !bytes.get(4..8)?.eq_ignore_ascii_case(b" TO:") {
        return None;
    }
    let open = skip_spaces(bytes, 8);
    if bytes.get(open) != Some(&b'<') {
        return None;
    }
    let (mailbox, n) = smtp_mailbox_str(text.get(open + 1..)?, OPTS).ok()?;
    let close = open + 1 + n;
    if bytes.get(close) != Some(&b'>') {
        return None;
    }
    let params = match bytes.get(close + 1) {
        None => RcptParams::default(),
        Some(b' ') => plain_rcpt_params(text.get(skip_spaces(bytes, close + 1)..)?)?,
        Some(_) => return None,
    };
    Some(Command::Rcpt {
        forward_path: ForwardPath::Path(Path::new(mailbox)),
        params,
    })
}

/// The parameter text after a path (empty, or a space and the rest) and
/// its offset in the line; it must be UTF-8. `text` is the line as text,
/// if it is UTF-8 as a whole.
fn params_text<'a>(line: &'a [u8], text: Option<&'a str>, at: usize) -> Result<(&'a str, usize)> {
    let start = match line.get(at) {
        None => return Ok(("", at)),
        Some(b' ') => skip_spaces(line, at),
        Some(_) => return Err(syntax("' ' or end of line after the path", at)),
    };
    if let Some(raw) = text.and_then(|text| text.get(start..)) {
        return Ok((raw, start));
    }
    match core::str::from_utf8(&line[start..]) {
        Ok(raw) => Ok((raw, start)),
        Err(e) => Err(CommandError::new(
            CommandErrorKind::NotUtf8,
            start + e.valid_up_to(),
        )),
    }
}

/// ```text
/// Path           = "<" [ A-d-l ":" ] Mailbox ">"
/// A-d-l          = At-domain *( "," At-domain )
/// At-domain      = "@" Domain
/// ```
///
/// `text` is `bytes` as text, if they are UTF-8 as a whole.
fn path<'a>(
    bytes: &'a [u8],
    text: Option<&'a str>,
    at: usize,
    bad: CommandErrorKind,
) -> Result<(Path<'a>, usize)> {
    if bytes.get(at) != Some(&b'<') {
        return Err(syntax("'<'", at));
    }
    let mut i = at + 1;
    let mut route = None;
    if bytes.get(i) == Some(&b'@') {
        let start = i;
        loop {
            // One At-domain.
            let (_, n) = smtp_domain(&bytes[i + 1..], OPTS)
                .map_err(|e| CommandError::new(bad, i + 1 + e.offset()))?;
            i += 1 + n;
            match bytes.get(i) {
                Some(b',') if bytes.get(i + 1) == Some(&b'@') => i += 1,
                Some(b':') => break,
                _ => return Err(CommandError::new(bad, i)),
            }
        }
        // The domains were checked, so this holds: ASCII or U-labels.
        route = Some(
            core::str::from_utf8(&bytes[start..i]).map_err(|_| CommandError::new(bad, start))?,
        );
        i += 1;
    }
    let mailbox = match text.and_then(|text| text.get(i..)) {
        Some(rest) => smtp_mailbox_str(rest, OPTS),
        None => smtp_mailbox(&bytes[i..], OPTS),
    };
    let (mailbox, n) = mailbox.map_err(|e| CommandError::new(bad, i + e.offset()))?;
    i += n;
    if bytes.get(i) != Some(&b'>') {
        return Err(CommandError::new(bad, i));
    }
    let path = match route {
        Some(route) => Path::with_source_route(mailbox, route),
        None => Path::new(mailbox),
    };
    Ok((path, i + 1))
}

/// Byte classes of the parameter grammar, one table lookup per byte.
///
/// ```text
/// esmtp-keyword  = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value    = 1*(%d33-60 / %d62-126)      ; RFC 6531 adds UTF8-non-ascii
/// ```
const KEYWORD: u8 = 1;
const VALUE: u8 = 2;
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'-' {
            table[b] |= KEYWORD;
        }
        if (c >= 33 && c <= 126 && c != b'=') || c >= 0x80 {
            table[b] |= VALUE;
        }
        b += 1;
    }
    table
};

/// The space-separated parameters of the raw text, each as keyword,
/// value and offset in the line, checked against `esmtp-param`. One pass
/// over the bytes.
struct Params<'a> {
    raw: &'a str,
    at: usize,
    base: usize,
}

impl<'a> Params<'a> {
    const fn new(raw: &'a str, base: usize) -> Self {
        Self { raw, at: 0, base }
    }

    fn next_param(&mut self) -> Result<Option<(&'a str, Option<&'a str>, usize)>> {
        let b = self.raw.as_bytes();
        let mut i = self.at;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i == b.len() {
            self.at = i;
            return Ok(None);
        }
        let start = i;
        let at = self.base + start;
        if !b[i].is_ascii_alphanumeric() {
            return Err(syntax("esmtp-keyword", at));
        }
        while i < b.len() && CLASS[usize::from(b[i])] & KEYWORD != 0 {
            i += 1;
        }
        let keyword = &self.raw[start..i];
        let value = match b.get(i) {
            None | Some(b' ') => None,
            Some(b'=') => {
                i += 1;
                let value_start = i;
                while i < b.len() && CLASS[usize::from(b[i])] & VALUE != 0 {
                    i += 1;
                }
                if i < b.len() && b[i] != b' ' {
                    return Err(syntax("esmtp-value", self.base + i));
                }
                if i == value_start {
                    return Err(syntax("esmtp-value", self.base + i));
                }
                Some(&self.raw[value_start..i])
            }
            Some(_) => return Err(syntax("esmtp-keyword", at)),
        };
        self.at = i;
        Ok(Some((keyword, value, at)))
    }
}

/// Puts `value` in `slot`, refusing a second one.
fn set<T>(slot: &mut Option<T>, value: T, name: &'static str, at: usize) -> Result<()> {
    if slot.is_some() {
        return Err(CommandError::new(
            CommandErrorKind::DuplicateParameter(name),
            at,
        ));
    }
    *slot = Some(value);
    Ok(())
}

fn set_flag(flag: &mut bool, value: Option<&str>, name: &'static str, at: usize) -> Result<()> {
    if value.is_some() {
        return Err(bad_parameter(name, at));
    }
    if *flag {
        return Err(CommandError::new(
            CommandErrorKind::DuplicateParameter(name),
            at,
        ));
    }
    *flag = true;
    Ok(())
}

fn bad_parameter(name: &'static str, at: usize) -> CommandError {
    CommandError::new(CommandErrorKind::BadParameter(name), at)
}

/// The MAIL parameters this crate knows.
#[derive(Clone, Copy)]
enum MailKeyword {
    Size,
    Body,
    SmtpUtf8,
    RequireTls,
    Ret,
    EnvId,
    Auth,
    MtPriority,
    HoldFor,
    HoldUntil,
    By,
    Unknown,
}

/// Which MAIL parameter `kw` is (any case): dispatched on the length, so
/// an unknown keyword costs at most three comparisons.
fn mail_keyword(kw: &str) -> MailKeyword {
    let is = |name: &str| kw.eq_ignore_ascii_case(name);
    match kw.len() {
        2 if is("BY") => MailKeyword::By,
        3 if is("RET") => MailKeyword::Ret,
        4 if is("SIZE") => MailKeyword::Size,
        4 if is("BODY") => MailKeyword::Body,
        4 if is("AUTH") => MailKeyword::Auth,
        5 if is("ENVID") => MailKeyword::EnvId,
        7 if is("HOLDFOR") => MailKeyword::HoldFor,
        8 if is("SMTPUTF8") => MailKeyword::SmtpUtf8,
        9 if is("HOLDUNTIL") => MailKeyword::HoldUntil,
        10 if is("REQUIRETLS") => MailKeyword::RequireTls,
        11 if is("MT-PRIORITY") => MailKeyword::MtPriority,
        _ => MailKeyword::Unknown,
    }
}

/// The MAIL parameters of RFC 1870, 6152, 3030, 6531, 3461, 4954, 8689,
/// 6710, 4865 and 2852; see [`MailParams`] for each one's grammar.
fn mail_params(raw: &str, base: usize) -> Result<MailParams<'_>> {
    let mut params = MailParams {
        raw,
        ..MailParams::default()
    };
    let mut all = Params::new(raw, base);
    while let Some((kw, value, at)) = all.next_param()? {
        match mail_keyword(kw) {
            MailKeyword::Size => {
                let size = value.and_then(number).ok_or(bad_parameter("SIZE", at))?;
                set(&mut params.size, size, "SIZE", at)?;
            }
            MailKeyword::Body => {
                let body = match value {
                    Some(v) if v.eq_ignore_ascii_case("8BITMIME") => Body::EightBitMime,
                    Some(v) if v.eq_ignore_ascii_case("7BIT") => Body::SevenBit,
                    Some(v) if v.eq_ignore_ascii_case("BINARYMIME") => Body::BinaryMime,
                    _ => return Err(bad_parameter("BODY", at)),
                };
                set(&mut params.body, body, "BODY", at)?;
            }
            MailKeyword::SmtpUtf8 => set_flag(&mut params.smtputf8, value, "SMTPUTF8", at)?,
            MailKeyword::RequireTls => {
                set_flag(&mut params.requiretls, value, "REQUIRETLS", at)?;
            }
            MailKeyword::Ret => {
                let ret = match value {
                    Some(v) if v.eq_ignore_ascii_case("FULL") => Ret::Full,
                    Some(v) if v.eq_ignore_ascii_case("HDRS") => Ret::Headers,
                    _ => return Err(bad_parameter("RET", at)),
                };
                set(&mut params.ret, ret, "RET", at)?;
            }
            MailKeyword::EnvId => {
                // RFC 3461 section 4.4: at most 100 characters.
                let envid = value
                    .filter(|v| v.len() <= 100)
                    .and_then(XText::new)
                    .ok_or(bad_parameter("ENVID", at))?;
                set(&mut params.envid, envid, "ENVID", at)?;
            }
            MailKeyword::Auth => {
                let auth = match value {
                    Some("<>") => MailAuth::Unknown,
                    Some(v) => MailAuth::Address(XText::new(v).ok_or(bad_parameter("AUTH", at))?),
                    None => return Err(bad_parameter("AUTH", at)),
                };
                set(&mut params.auth, auth, "AUTH", at)?;
            }
            MailKeyword::MtPriority => {
                let priority = value
                    .and_then(signed)
                    .filter(|p| (-9..=9).contains(p))
                    .ok_or(bad_parameter("MT-PRIORITY", at))?;
                set(&mut params.mt_priority, priority as i8, "MT-PRIORITY", at)?;
            }
            MailKeyword::HoldFor => {
                let seconds = value
                    .filter(|v| v.len() <= 9)
                    .and_then(number)
                    .ok_or(bad_parameter("HOLDFOR", at))?;
                set(&mut params.hold, Hold::For(seconds as u32), "HOLDFOR", at)?;
            }
            MailKeyword::HoldUntil => {
                let until = value
                    .filter(|v| is_date_time(v))
                    .ok_or(bad_parameter("HOLDUNTIL", at))?;
                set(&mut params.hold, Hold::Until(until), "HOLDUNTIL", at)?;
            }
            MailKeyword::By => {
                let by = value.and_then(deliver_by).ok_or(bad_parameter("BY", at))?;
                set(&mut params.by, by, "BY", at)?;
            }
            MailKeyword::Unknown => {}
        }
    }
    Ok(params)
}

/// The RCPT parameters of RFC 3461; see [`RcptParams`].
fn rcpt_params(raw: &str, base: usize) -> Result<RcptParams<'_>> {
    if let Some(params) = plain_rcpt_params(raw) {
        return Ok(params);
    }
    general_rcpt_params(raw, base)
}

/// [`rcpt_params`] for any parameter text.
fn general_rcpt_params(raw: &str, base: usize) -> Result<RcptParams<'_>> {
    let mut params = RcptParams {
        raw,
        ..RcptParams::default()
    };
    let mut all = Params::new(raw, base);
    while let Some((kw, value, at)) = all.next_param()? {
        if kw.len() == 6 && kw.eq_ignore_ascii_case("NOTIFY") {
            let notify = value.and_then(notify).ok_or(bad_parameter("NOTIFY", at))?;
            set(&mut params.notify, notify, "NOTIFY", at)?;
        } else if kw.len() == 5 && kw.eq_ignore_ascii_case("ORCPT") {
            let orcpt = value.and_then(orcpt).ok_or(bad_parameter("ORCPT", at))?;
            set(&mut params.orcpt, orcpt, "ORCPT", at)?;
        }
    }
    Ok(params)
}

/// The common RCPT parameters, `NOTIFY=` and `ORCPT=` (each at most once,
/// nothing else), in one pass that finds each value's end with memchr.
/// `None` means "not this simple", never "invalid": [`rcpt_params`] then
/// parses the text the general way and makes the error. Each value is
/// checked by the same functions as there.
fn plain_rcpt_params(raw: &str) -> Option<RcptParams<'_>> {
    let mut params = RcptParams {
        raw,
        ..RcptParams::default()
    };
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let end = i + memchr::memchr(b' ', rest).unwrap_or(rest.len());
        if rest.len() > 7 && rest[..7].eq_ignore_ascii_case(b"NOTIFY=") && params.notify.is_none() {
            params.notify = Some(notify(&raw[i + 7..end])?);
        } else if rest.len() > 6
            && rest[..6].eq_ignore_ascii_case(b"ORCPT=")
            && params.orcpt.is_none()
        {
            params.orcpt = Some(orcpt(&raw[i + 6..end])?);
        } else {
            return None;
        }
        i = skip_spaces(bytes, end);
    }
    Some(params)
}

/// `1*20DIGIT` as a `u64`, refusing overflow.
fn number(text: &str) -> Option<u64> {
    let digits = text.as_bytes();
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(n)
}

/// `["-" / "+"] 1*9DIGIT`.
fn signed(text: &str) -> Option<i32> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.len() > 9 {
        return None;
    }
    let n = number(digits)? as i32;
    Some(if negative { -n } else { n })
}

/// ```text
/// notify-esmtp-value  = "NEVER" / 1#notify-list-element
/// notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
/// ```
fn notify(text: &str) -> Option<Notify> {
    let text = text.as_bytes();
    if text.eq_ignore_ascii_case(b"NEVER") {
        return Some(Notify::NEVER);
    }
    let mut notify = Notify::NEVER;
    for item in text.split(|&b| b == b',') {
        // The length and first letter pick the one word to compare.
        // Clients write the words in capitals: compare those exactly first.
        let flag = match item {
            b"SUCCESS" => &mut notify.success,
            b"FAILURE" => &mut notify.failure,
            b"DELAY" => &mut notify.delay,
            _ => match (item.len(), item.first().map(u8::to_ascii_uppercase)) {
                (7, Some(b'S')) if item.eq_ignore_ascii_case(b"SUCCESS") => &mut notify.success,
                (7, Some(b'F')) if item.eq_ignore_ascii_case(b"FAILURE") => &mut notify.failure,
                (5, Some(b'D')) if item.eq_ignore_ascii_case(b"DELAY") => &mut notify.delay,
                _ => return None,
            },
        };
        if *flag {
            return None;
        }
        *flag = true;
    }
    Some(notify)
}

/// ```text
/// original-recipient-address = addr-type ";" xtext
/// addr-type = atom
/// ```
fn orcpt(text: &str) -> Option<OriginalRecipient<'_>> {
    // addr-type runs to the first byte that is not atext, which must be
    // `;`; `=` is atext but cannot appear in an esmtp-value.
    let semi = text
        .bytes()
        .position(|b| !mailwire_core::token::is_atext(b) || b == b'=')?;
    if semi == 0 || text.as_bytes()[semi] != b';' {
        return None;
    }
    let (addr_type, address) = (&text[..semi], &text[semi + 1..]);
    Some(OriginalRecipient {
        addr_type,
        address: XText::new(address).filter(|x| !x.as_str().is_empty())?,
    })
}

/// ```text
/// by-value = by-time ";" by-mode [ by-trace ]
/// by-time  = ["-" / "+"] 1*9digit
/// by-mode  = "N" / "R"
/// by-trace = "T"
/// ```
fn deliver_by(text: &str) -> Option<DeliverBy> {
    let (time, mode) = text.split_once(';')?;
    let seconds = signed(time)?;
    let mode = mode.as_bytes();
    let (return_if_late, trace) = match mode {
        [m] => (*m, false),
        [m, t] if t.eq_ignore_ascii_case(&b'T') => (*m, true),
        _ => return None,
    };
    let return_if_late = match return_if_late.to_ascii_uppercase() {
        b'R' => true,
        b'N' => false,
        _ => return None,
    };
    Some(DeliverBy {
        seconds,
        return_if_late,
        trace,
    })
}

/// A loose RFC 3339 `date-time` check: `YYYY-MM-DDTHH:MM:SS` then
/// fraction and zone characters.
pub(crate) fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: core::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10].eq_ignore_ascii_case(&b'T')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19..]
            .iter()
            .all(|&c| c.is_ascii_digit() || matches!(c, b'.' | b'+' | b'-' | b':' | b'Z' | b'z'))
}

/// ```text
/// bdat-cmd   ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF
/// chunk-size ::= 1*DIGIT
/// end-marker ::= "LAST"
/// ```
fn parse_bdat(text: &str) -> Result<Command<'_>> {
    let at = skip_spaces(text.as_bytes(), 4);
    let rest = &text[at..];
    let (size, last) = match rest.split_once(' ') {
        Some((size, marker)) => {
            let marker = marker.trim_start_matches(' ');
            if !marker.eq_ignore_ascii_case("LAST") {
                return Err(syntax("LAST", text.len() - marker.len()));
            }
            (size, true)
        }
        None => (rest, false),
    };
    let size = number(size).ok_or(syntax("chunk-size", at))?;
    Ok(Command::Bdat { size, last })
}

/// ```text
/// auth-command = "AUTH" SP sasl-mech [SP initial-response] CRLF
/// sasl-mech    = 1*20mech-char
/// mech-char    = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// initial-response = base64 / "="
/// ```
///
/// Mechanism names are accepted in any case.
fn parse_auth(text: &str) -> Result<Command<'_>> {
    let at = skip_spaces(text.as_bytes(), 4);
    let rest = &text[at..];
    let (mech, response) = match rest.split_once(' ') {
        Some((mech, response)) => (mech, Some(response.trim_start_matches(' '))),
        None => (rest, None),
    };
    let mech_ok = (1..=20).contains(&mech.len())
        && mech
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !mech_ok {
        return Err(syntax("sasl-mech", at));
    }
    let initial_response = match response {
        None => None,
        Some("=") => Some(InitialResponse::Empty),
        Some(r) if is_base64(r) => Some(InitialResponse::Base64(r)),
        Some(r) => return Err(syntax("base64 or '='", text.len() - r.len())),
    };
    Ok(Command::Auth {
        mechanism: Mechanism::from_name(mech),
        initial_response,
    })
}

/// `base64` of RFC 4954: the alphabet, at most two `=` of padding at the
/// end, and a length a base64 encoder can produce (a multiple of four when
/// padded; unpadded text is accepted, as some clients send it).
///
/// ```text
/// base64          = base64-terminal /
///                   ( 1*(4base64-char) [base64-terminal] )
/// base64-terminal = (2base64-char "==") / (3base64-char "=")
/// ```
pub(crate) fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    !body.is_empty()
        && padding <= 2
        && if padding == 0 {
            body.len() % 4 != 1
        } else {
            text.len() % 4 == 0
        }
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// RCPT lines near the edges of the plain path.
    fn near_rcpt() -> impl Strategy<Value = String> {
        let address = prop::collection::vec(
            prop::sample::select(vec![
                "a",
                "b.c",
                "@",
                "example.net",
                "-",
                ".",
                "[1.2.3.4]",
                "\"q\"",
                "é",
                "Postmaster",
                "@r.example:",
                " ",
            ]),
            0..6,
        )
        .prop_map(|p| p.concat());
        let param = prop::sample::select(vec![
            "NOTIFY=SUCCESS",
            "notify=failure,delay",
            "NOTIFY=NEVER",
            "NOTIFY=",
            "NOTIFY=SUCCESS,SUCCESS",
            "ORCPT=rfc822;a@b.c",
            "ORCPT=rfc822;a+2Bb@c",
            "ORCPT=;x",
            "ORCPT=utf-8;x+ZZ",
            "ORCPT=a=b;c",
            "RRVS=2026-01-01T00:00:00Z",
            "X-Y",
            "é=1",
            "NOTIFY=DELAY ",
            "",
        ]);
        let params = prop::collection::vec(param, 0..4).prop_map(|p| p.join(" "));
        (
            prop::sample::select(vec!["RCPT TO:", "rcpt to:", "RCPT  TO:", "RCPT TO: "]),
            address,
            prop::sample::select(vec![">", "> ", ">x", ""]),
            params,
        )
            .prop_map(|(verb, address, close, params)| format!("{verb}<{address}{close}{params}"))
    }

    proptest! {
        /// The plain path never accepts what the general parser refuses,
        /// and builds the same command when it accepts.
        #[test]
        fn plain_rcpt_agrees_with_general(line in near_rcpt()) {
            let line = trim_end(line.as_bytes());
            let text = core::str::from_utf8(line).unwrap();
            if let Some(plain) = plain_rcpt(text) {
                prop_assert_eq!(Ok(plain), general_rcpt(line, Some(text)));
            }
            prop_assert_eq!(Command::parse(line), general_rcpt(line, Some(text)));
        }

        #[test]
        fn plain_rcpt_params_agree_with_general(raw in "[A-Za-z=;,+@. 0-9-]{0,40}") {
            let raw = raw.trim_start_matches(' ').trim_end_matches(' ');
            if let Some(plain) = plain_rcpt_params(raw) {
                prop_assert_eq!(Ok(plain), general_rcpt_params(raw, 0));
            }
        }

        /// The same from pieces of real parameters, so that most inputs
        /// get past the keywords.
        #[test]
        fn plain_rcpt_params_agree_on_near_misses(
            pieces in prop::collection::vec(prop::sample::select(vec![
                "NOTIFY=", "ORCPT=", "SUCCESS", "FAILURE", "DELAY", "NEVER", ",", ";", "=", "+2B",
                "+", "rfc822", "a@b.c", " ", "x", "\u{e9}", "\t", "~",
            ]), 0..12)
        ) {
            let raw = pieces.concat();
            let raw = raw.trim_start_matches(' ').trim_end_matches(' ');
            if let Some(plain) = plain_rcpt_params(raw) {
                prop_assert_eq!(Ok(plain), general_rcpt_params(raw, 0));
            }
        }
    }

    #[test]
    fn plain_rcpt_takes_the_common_case() {
        let line =
            "RCPT TO:<alice.0@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice.0@example.net";
        assert!(plain_rcpt(line).is_some());
        assert!(plain_rcpt("RCPT TO:<Postmaster>").is_none());
        assert!(plain_rcpt("RCPT TO:<a@b> RRVS=2026-01-01T00:00:00Z").is_none());
        // `=` is atext, but no esmtp-value holds one (found by fuzzing).
        assert!(plain_rcpt("RCPT TO:<a@b> ORCPT=rPT=rf822;x").is_none());
        assert!(Command::parse(b"RCPT TO:<a@b> ORCPT=rPT=rf822;x").is_err());
    }
}
