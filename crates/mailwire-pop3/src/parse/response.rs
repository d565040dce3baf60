//! Parsers for the server's lines: status lines, continuations, and the
//! lines of multi-line responses.

use std::borrow::Cow;

use super::{
    Limits, ResponseError, ResponseErrorKind, is_control, leading_number, resp_code_len, strip_eol,
};
use crate::types::{
    Capability, Continuation, Response, ResponseCode, ScanListing, Status, UniqueIdListing,
};

type Result<T> = core::result::Result<T, ResponseError>;

const fn syntax(what: &'static str, at: usize) -> ResponseError {
    ResponseError::new(ResponseErrorKind::Syntax(what), at)
}

/// Text without control characters (tab allowed), read lossily as UTF-8.
fn text(bytes: &[u8], offset: usize) -> Result<Cow<'_, str>> {
    match bytes.iter().position(|&b| is_control(b)) {
        Some(at) => Err(syntax("text without control characters", offset + at)),
        None => Ok(String::from_utf8_lossy(bytes)),
    }
}

impl<'a> Response<'a> {
    /// Parses a status line under [`Limits::DEFAULT`] (512 octets, CRLF
    /// included). A final CRLF (or LF) may be included or left out.
    ///
    /// RFC 2449 section 9:
    ///
    /// ```text
    /// single-line = status [SP text] CRLF       ;512 octets maximum
    /// status      = "+OK" / "-ERR"
    /// text        = *schar / resp-code *CHAR
    /// resp-code   = "[" resp-level *("/" resp-level) "]"
    /// greeting    = "+OK" [resp-code] *gchar [timestamp] *gchar CRLF
    /// ```
    ///
    /// The status is read in any case. Text that starts with `[` but is
    /// not a well-formed code stays text. 8-bit text is read lossily as
    /// UTF-8 (borrowed when it is UTF-8 already).
    ///
    /// # Errors
    ///
    /// [`ResponseErrorKind::Status`] when the line starts with neither
    /// status; [`ResponseErrorKind::Syntax`] for a control character in
    /// the text; [`ResponseErrorKind::TooLong`].
    ///
    /// ```
    /// use mailwire_pop3::types::{Response, ResponseCode};
    ///
    /// let r = Response::parse(b"-ERR [SYS/PERM] mailbox gone\r\n")?;
    /// assert_eq!(r.code(), Some(&ResponseCode::SysPerm));
    /// assert!(Response::parse(b"+OK")?.text().is_empty());
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        Self::parse_with_limits(line, &Limits::DEFAULT)
    }

    /// Parses a status line no longer than
    /// [`limits.max_response_line`](Limits::max_response_line).
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    ///
    /// ```
    /// use mailwire_pop3::parse::{Limits, ResponseErrorKind};
    /// use mailwire_pop3::types::Response;
    ///
    /// let line = format!("+OK {}", "x".repeat(600));
    /// let err = Response::parse(line.as_bytes()).unwrap_err();
    /// assert_eq!(err.kind(), ResponseErrorKind::TooLong { max: 512 });
    /// assert!(Response::parse_with_limits(line.as_bytes(), &Limits::UNLIMITED).is_ok());
    /// ```
    pub fn parse_with_limits(line: &'a [u8], limits: &Limits) -> Result<Self> {
        let line = strip_eol(line);
        check_length(line, limits)?;
        let (status, rest) = if line.len() >= 3 && line[..3].eq_ignore_ascii_case(b"+OK") {
            (Status::Ok, 3)
        } else if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"-ERR") {
            (Status::Err, 4)
        } else {
            return Err(ResponseError::new(ResponseErrorKind::Status, 0));
        };
        let after = &line[rest..];
        let body = match after.split_first() {
            None => {
                return Ok(Self {
                    status,
                    code: None,
                    text: Cow::Borrowed(""),
                });
            }
            Some((b' ', body)) => body,
            Some(_) => return Err(syntax("space after the status", rest)),
        };
        let start = rest + 1;
        let (code, text_start) = match resp_code_len(body) {
            Some(len) => {
                let name = text(&body[1..len - 1], start + 1)?;
                let name = match name {
                    Cow::Borrowed(name) => ResponseCode::from_name(name),
                    Cow::Owned(name) => ResponseCode::from_name(&name).into_owned(),
                };
                let skip = usize::from(body.get(len) == Some(&b' '));
                (Some(name), len + skip)
            }
            None => (None, 0),
        };
        Ok(Self {
            status,
            code,
            text: text(&body[text_start..], start + text_start)?,
        })
    }
}

fn check_length(line: &[u8], limits: &Limits) -> Result<()> {
    if line.len().saturating_add(2) > limits.max_response_line {
        return Err(ResponseError::new(
            ResponseErrorKind::TooLong {
                max: limits.max_response_line,
            },
            limits.max_response_line.saturating_sub(2).min(line.len()),
        ));
    }
    Ok(())
}

impl<'a> Continuation<'a> {
    /// Parses a SASL continuation under [`Limits::DEFAULT`]. A final CRLF
    /// (or LF) may be included or left out.
    ///
    /// RFC 5034 section 4:
    ///
    /// ```text
    /// continue-req = "+" SP [base64] CRLF
    /// ```
    ///
    /// A lone `+` is read as an empty challenge; the data is not checked
    /// against the base64 alphabet (some servers send text), only for
    /// control characters.
    ///
    /// # Errors
    ///
    /// [`ResponseErrorKind::Status`] when the line is not `+` or `+ ...`.
    ///
    /// ```
    /// use mailwire_pop3::types::Continuation;
    /// assert_eq!(Continuation::parse(b"+")?.data(), "");
    /// assert!(Continuation::parse(b"+OK").is_err());
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        Self::parse_with_limits(line, &Limits::DEFAULT)
    }

    /// Parses a SASL continuation no longer than
    /// [`limits.max_response_line`](Limits::max_response_line).
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse), and [`ResponseErrorKind::TooLong`].
    ///
    /// ```
    /// use mailwire_pop3::parse::Limits;
    /// use mailwire_pop3::types::Continuation;
    /// assert_eq!(Continuation::parse_with_limits(b"+ YQ==", &Limits::DEFAULT)?.data(), "YQ==");
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    pub fn parse_with_limits(line: &'a [u8], limits: &Limits) -> Result<Self> {
        let line = strip_eol(line);
        check_length(line, limits)?;
        match line {
            [b'+'] => Ok(Self {
                data: Cow::Borrowed(""),
            }),
            [b'+', b' ', data @ ..] => Ok(Self {
                data: text(data, 2)?,
            }),
            _ => Err(ResponseError::new(ResponseErrorKind::Status, 0)),
        }
    }
}

/// Whether a server's line is a SASL continuation (`+` alone or `+ `
/// first) rather than a status line.
pub(crate) fn is_continuation(line: &[u8]) -> bool {
    matches!(strip_eol(line), [b'+'] | [b'+', b' ', ..])
}

/// Splits `msg SP rest` into the message number and the rest (the line
/// without its line ending).
#[inline(always)]
fn msg_and_rest(line: &[u8]) -> Result<(u32, &[u8])> {
    let (len, msg) = leading_number(line);
    let msg = msg
        .and_then(|n| u32::try_from(n).ok())
        .ok_or(syntax("message number", 0))?;
    match line.get(len) {
        Some(b' ') => Ok((msg, &line[len + 1..])),
        _ => Err(syntax("message number and space", len)),
    }
}

impl ScanListing {
    /// Parses a scan listing. A final CRLF (or LF) may be included or
    /// left out; what follows the size is ignored (RFC 1939 section 5
    /// lets servers add it).
    ///
    /// ```text
    /// scan-listing = msg SP size [SP *CHAR]
    /// ```
    ///
    /// # Errors
    ///
    /// [`ResponseErrorKind::Syntax`] naming the bad field.
    ///
    /// ```
    /// use mailwire_pop3::types::ScanListing;
    /// assert!(ScanListing::parse(b"1 x").is_err());
    /// ```
    #[inline(always)] // one call per line of a listing: inlined into the loop
    pub fn parse(line: &[u8]) -> Result<Self> {
        // The numbers are read from the whole line, line ending included,
        // so that eight bytes are there to read at once; a digit run
        // never reaches into the line ending.
        let whole = line;
        let line = strip_eol(line);
        let (msg, rest) = msg_and_rest(line)?;
        let at = line.len() - rest.len();
        match leading_number(&whole[at..]) {
            (len, Some(size)) if rest.get(len).is_none_or(|&b| b == b' ') => Ok(Self { msg, size }),
            _ => Err(syntax("message size", at)),
        }
    }
}

impl<'a> UniqueIdListing<'a> {
    /// Parses a unique-id listing. A final CRLF (or LF) may be included
    /// or left out.
    ///
    /// ```text
    /// unique-id-listing = msg SP unique-id
    /// unique-id         = 1*70 %x21-7E    ; RFC 1939 section 7
    /// ```
    ///
    /// # Errors
    ///
    /// [`ResponseErrorKind::Syntax`] naming the bad field.
    ///
    /// ```
    /// use mailwire_pop3::types::UniqueIdListing;
    /// assert!(UniqueIdListing::parse(b"1 two words").is_err());
    /// ```
    #[inline(always)] // one call per line of a listing: inlined into the loop
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        let line = strip_eol(line);
        let (msg, rest) = msg_and_rest(line)?;
        let at = line.len() - rest.len();
        if !is_unique_id(rest) {
            return Err(syntax("unique id of 1 to 70 printable characters", at));
        }
        // Only ASCII bytes passed the check.
        let uid = core::str::from_utf8(rest).unwrap_or_default();
        Ok(Self { msg, uid })
    }
}

/// 0x80 in each byte of `word` (eight bytes, little-endian) that is
/// within 0x21..=0x7E, the bytes of a unique id; 0 in the others.
#[inline(always)]
pub(crate) fn printable_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low = word & !HIGH;
    // The high bit of each byte: set iff low >= 0x21, and iff low >= 0x7F.
    let at_least_21 = low + ONES * (0x80 - 0x21);
    let at_least_7f = low + ONES; // + (0x80 - 0x7F) in each byte
    at_least_21 & !at_least_7f & !word & HIGH
}

/// `unique-id = 1*70 %x21-7E`.
///
/// Eight bytes at a time: ids are checked once per line of every `UIDL`
/// answer, and a byte-by-byte loop with an early exit does not vectorize.
#[inline]
pub(crate) fn is_unique_id(uid: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let in_range = printable_bytes;
    if !(1..=70).contains(&uid.len()) {
        return false;
    }
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or_default());
    let mut ok = HIGH;
    if uid.len() >= 8 {
        for chunk in uid.chunks_exact(8) {
            ok &= in_range(word(chunk));
        }
        // The last eight bytes, overlapping the chunks if need be.
        ok &= in_range(word(&uid[uid.len() - 8..]));
    } else {
        // Fewer than eight: the missing bytes are taken as `!`, in range.
        let mut padded = ONES * 0x21;
        for (i, &b) in uid.iter().enumerate() {
            padded = padded & !(0xff << (8 * i)) | u64::from(b) << (8 * i);
        }
        ok &= in_range(padded);
    }
    ok == HIGH
}

/// `cchar = %x21-2D / %x2F-7F`, less DEL (0x7F), a control character
/// that no encoder here writes.
pub(crate) const fn is_cchar(b: u8) -> bool {
    matches!(b, 0x21..=0x2D | 0x2F..=0x7E)
}

impl<'a> Capability<'a> {
    /// Parses one line of a `CAPA` answer. A final CRLF (or LF) may be
    /// included or left out.
    ///
    /// ```text
    /// capability = capa-tag *(SP param) CRLF
    /// capa-tag   = 1*cchar
    /// param      = 1*pchar
    /// cchar      = %x21-2D / %x2F-7F
    /// pchar      = %x21-7F
    /// ```
    ///
    /// Parameters may carry UTF-8 (`IMPLEMENTATION` texts do); they are
    /// kept as written after the first space. DEL (0x7F), which the
    /// grammar lets through, is refused as the control character it is.
    ///
    /// # Errors
    ///
    /// [`ResponseErrorKind::Syntax`] for a bad tag or a control
    /// character; [`ResponseErrorKind::NotUtf8`].
    ///
    /// ```
    /// use mailwire_pop3::types::Capability;
    /// assert!(Capability::parse(b".TOP").is_err());
    /// assert_eq!(Capability::parse(b"EXPIRE 60 USER")?.params_str(), "60 USER");
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        let line = strip_eol(line);
        let text = core::str::from_utf8(line)
            .map_err(|e| ResponseError::new(ResponseErrorKind::NotUtf8, e.valid_up_to()))?;
        let end = memchr::memchr(b' ', line).unwrap_or(line.len());
        if end == 0 {
            return Err(syntax("capability name", 0));
        }
        if let Some(at) = line[..end].iter().position(|&b| !is_cchar(b)) {
            return Err(syntax("capability name", at));
        }
        let params = text.get(end + 1..).unwrap_or("");
        if let Some(at) = params.bytes().position(|b| b < 0x20 || b == 0x7f) {
            return Err(syntax("capability parameter", end + 1 + at));
        }
        Ok(Self {
            name: &text[..end],
            params,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::is_unique_id;

    fn naive(uid: &[u8]) -> bool {
        (1..=70).contains(&uid.len()) && uid.iter().all(|&b| (0x21..=0x7e).contains(&b))
    }

    #[test]
    fn unique_id_check_takes_every_byte_at_every_position() {
        for b in 0..=255u8 {
            for len in 1..=17 {
                for at in 0..len {
                    let mut uid = vec![b'a'; len];
                    uid[at] = b;
                    assert_eq!(is_unique_id(&uid), naive(&uid), "{b:#x} at {at} of {len}");
                }
            }
        }
        for len in [0, 1, 69, 70, 71, 200] {
            let uid = vec![b'~'; len];
            assert_eq!(is_unique_id(&uid), naive(&uid), "length {len}");
        }
    }

    proptest! {
        #[test]
        fn unique_id_check_matches_the_naive_one(
            uid in proptest::collection::vec(prop_oneof![8 => 0x21u8..=0x7e, 1 => any::<u8>()], 0..80)
        ) {
            prop_assert_eq!(is_unique_id(&uid), naive(&uid));
        }
    }
}
