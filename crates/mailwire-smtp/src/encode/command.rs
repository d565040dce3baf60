//! Commands into bytes.

use bytes::BufMut;

use super::{EncodeError, check_text, check_word};
use crate::parse::{is_base64, is_date_time};
use crate::types::{
    ClientId, Command, ForwardPath, Hold, InitialResponse, MailAuth, MailParams, Parameter,
    RcptParams, ReversePath,
};

impl Command<'_> {
    /// Writes the command line, CRLF included, into `out`.
    ///
    /// Paths are written in canonical form (no source route); the
    /// parameters known to this crate come from the fields, in a fixed
    /// order, then the unknown ones of `raw` as they were.
    ///
    /// # Errors
    ///
    /// [`EncodeError`] when a field holds CR, LF, NUL or anything else its
    /// grammar forbids; nothing is written then.
    ///
    /// ```
    /// use mailwire_smtp::types::{Command, MailParams, ReversePath};
    ///
    /// let mut params = MailParams::default();
    /// params.size = Some(4096);
    /// params.smtputf8 = true;
    /// let mut out = Vec::new();
    /// Command::Mail { reverse_path: ReversePath::Null, params }.encode(&mut out)?;
    /// assert_eq!(out, b"MAIL FROM:<> SIZE=4096 SMTPUTF8\r\n");
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) -> Result<(), EncodeError> {
        self.check()?;
        self.write(out);
        Ok(())
    }

    /// The command line as bytes, CRLF included.
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode).
    ///
    /// ```
    /// use mailwire_smtp::types::Command;
    /// assert_eq!(Command::Quit.to_bytes()?, b"QUIT\r\n");
    /// # Ok::<(), mailwire_smtp::encode::EncodeError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(64);
        self.encode(&mut out)?;
        Ok(out)
    }

    fn check(&self) -> Result<(), EncodeError> {
        match self {
            Self::Helo { client } | Self::Ehlo { client } | Self::Lhlo { client } => {
                if let ClientId::Other(text) = client {
                    check_word("client name", text)?;
                }
            }
            Self::Mail { params, .. } => check_mail_params(params)?,
            Self::Rcpt { params, .. } => check_rcpt_params(params)?,
            Self::Vrfy { argument } => nonempty_text("VRFY argument", argument)?,
            Self::Expn { argument } => nonempty_text("EXPN argument", argument)?,
            Self::Help { argument } => check_optional("HELP argument", *argument)?,
            Self::Noop { argument } => check_optional("NOOP argument", *argument)?,
            Self::Auth {
                mechanism,
                initial_response,
            } => {
                let name = mechanism.as_str();
                let ok = (1..=20).contains(&name.len())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !ok {
                    return Err(EncodeError::Invalid {
                        field: "SASL mechanism",
                        reason: "not 1 to 20 of A-Z, 0-9, '-', '_'",
                    });
                }
                if let Some(InitialResponse::Base64(text)) = initial_response {
                    if !is_base64(text) {
                        return Err(EncodeError::Invalid {
                            field: "AUTH initial response",
                            reason: "not base64",
                        });
                    }
                }
            }
            Self::Data | Self::Bdat { .. } | Self::Rset | Self::Quit | Self::StartTls => {}
        }
        Ok(())
    }

    fn write(&self, out: &mut impl BufMut) {
        out.put_slice(self.verb().as_bytes());
        match self {
            Self::Helo { client } | Self::Ehlo { client } | Self::Lhlo { client } => {
                out.put_u8(b' ');
                out.put_slice(client.as_str().as_bytes());
            }
            Self::Mail {
                reverse_path,
                params,
            } => {
                out.put_slice(b" FROM:");
                match reverse_path {
                    ReversePath::Null => out.put_slice(b"<>"),
                    ReversePath::Path(path) => put_display(out, path),
                }
                write_mail_params(out, params);
            }
            Self::Rcpt {
                forward_path,
                params,
            } => {
                out.put_slice(b" TO:");
                match forward_path {
                    ForwardPath::Postmaster => out.put_slice(b"<Postmaster>"),
                    ForwardPath::Path(path) => put_display(out, path),
                }
                write_rcpt_params(out, params);
            }
            Self::Bdat { size, last } => {
                out.put_u8(b' ');
                put_number(out, *size);
                if *last {
                    out.put_slice(b" LAST");
                }
            }
            Self::Vrfy { argument } | Self::Expn { argument } => {
                out.put_u8(b' ');
                out.put_slice(argument.as_bytes());
            }
            Self::Help { argument } | Self::Noop { argument } => {
                if let Some(argument) = argument {
                    out.put_u8(b' ');
                    out.put_slice(argument.as_bytes());
                }
            }
            Self::Auth {
                mechanism,
                initial_response,
            } => {
                out.put_u8(b' ');
                out.put_slice(mechanism.as_str().as_bytes());
                match initial_response {
                    None => {}
                    Some(InitialResponse::Empty) => out.put_slice(b" ="),
                    Some(InitialResponse::Base64(text)) => {
                        out.put_u8(b' ');
                        out.put_slice(text.as_bytes());
                    }
                }
            }
            Self::Data | Self::Rset | Self::Quit | Self::StartTls => {}
        }
        out.put_slice(b"\r\n");
    }
}

/// Free text (`VRFY`, `EXPN`, `HELP`, `NOOP`): not empty, no control
/// characters but tab, no white space at either end (the parser would drop
/// it, so the line would not read back as written).
fn nonempty_text(field: &'static str, text: &str) -> Result<(), EncodeError> {
    check_text(field, text)?;
    let is_wsp = |b: &u8| matches!(b, b' ' | b'\t');
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err(EncodeError::Invalid {
            field,
            reason: "empty",
        });
    }
    if bytes.first().is_some_and(is_wsp) || bytes.last().is_some_and(is_wsp) {
        return Err(EncodeError::Invalid {
            field,
            reason: "white space at the start or end",
        });
    }
    Ok(())
}

fn check_optional(field: &'static str, text: Option<&str>) -> Result<(), EncodeError> {
    text.map_or(Ok(()), |text| nonempty_text(field, text))
}

/// Checks an `esmtp-param` from the raw text.
fn check_unknown(param: Parameter<'_>) -> Result<(), EncodeError> {
    if let Some(&byte) = param
        .keyword
        .as_bytes()
        .iter()
        .find(|&&b| b < 0x20 || b == 0x7f)
    {
        return Err(EncodeError::ForbiddenByte {
            field: "ESMTP parameter keyword",
            byte,
        });
    }
    let kw = param.keyword.as_bytes();
    if !kw.first().is_some_and(u8::is_ascii_alphanumeric)
        || !kw.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(EncodeError::Invalid {
            field: "ESMTP parameter",
            reason: "keyword is not (ALPHA / DIGIT) *(ALPHA / DIGIT / '-')",
        });
    }
    if let Some(value) = param.value {
        check_word("ESMTP parameter value", value)?;
        if value.contains('=') {
            return Err(EncodeError::ForbiddenByte {
                field: "ESMTP parameter value",
                byte: b'=',
            });
        }
    }
    Ok(())
}

/// An xtext value that must not be empty (RFC 3461 `ENVID`, `ORCPT`,
/// RFC 4954 `AUTH=`), of at most `max` octets.
fn check_xtext(field: &'static str, text: &str, max: usize) -> Result<(), EncodeError> {
    if text.is_empty() {
        return Err(EncodeError::Invalid {
            field,
            reason: "empty",
        });
    }
    if text.len() > max {
        return Err(EncodeError::Invalid {
            field,
            reason: "too long",
        });
    }
    Ok(())
}

fn check_mail_params(params: &MailParams<'_>) -> Result<(), EncodeError> {
    if params.mt_priority.is_some_and(|p| !(-9..=9).contains(&p)) {
        return Err(EncodeError::Invalid {
            field: "MT-PRIORITY",
            reason: "not in -9..=9",
        });
    }
    match params.hold {
        Some(Hold::Until(text)) => {
            check_word("HOLDUNTIL", text)?;
            if !is_date_time(text) {
                return Err(EncodeError::Invalid {
                    field: "HOLDUNTIL",
                    reason: "not an RFC 3339 date-time",
                });
            }
        }
        Some(Hold::For(seconds)) if seconds > 999_999_999 => {
            return Err(EncodeError::Invalid {
                field: "HOLDFOR",
                reason: "more than 9 digits",
            });
        }
        _ => {}
    }
    if let Some(envid) = params.envid {
        // RFC 3461 section 4.4: at most 100 characters.
        check_xtext("ENVID", envid.as_str(), 100)?;
    }
    if let Some(MailAuth::Address(address)) = params.auth {
        check_xtext("AUTH", address.as_str(), usize::MAX)?;
    }
    if let Some(by) = params.by {
        if by.seconds.unsigned_abs() > 999_999_999 {
            return Err(EncodeError::Invalid {
                field: "BY",
                reason: "more than 9 digits",
            });
        }
    }
    params.unknown().try_for_each(check_unknown)
}

fn check_rcpt_params(params: &RcptParams<'_>) -> Result<(), EncodeError> {
    if let Some(orcpt) = params.orcpt {
        if orcpt.addr_type.is_empty()
            || !orcpt
                .addr_type
                .bytes()
                .all(|b| mailwire_core::token::is_atext(b) && b != b'=')
        {
            return Err(EncodeError::Invalid {
                field: "ORCPT",
                reason: "address type is not an atom (without '=')",
            });
        }
        check_xtext("ORCPT", orcpt.address.as_str(), usize::MAX)?;
    }
    params.unknown().try_for_each(check_unknown)
}

fn write_mail_params(out: &mut impl BufMut, params: &MailParams<'_>) {
    if let Some(size) = params.size {
        out.put_slice(b" SIZE=");
        put_number(out, size);
    }
    if let Some(body) = params.body {
        out.put_slice(b" BODY=");
        out.put_slice(body.as_str().as_bytes());
    }
    if params.smtputf8 {
        out.put_slice(b" SMTPUTF8");
    }
    if let Some(ret) = params.ret {
        out.put_slice(b" RET=");
        out.put_slice(ret.as_str().as_bytes());
    }
    if let Some(envid) = params.envid {
        out.put_slice(b" ENVID=");
        out.put_slice(envid.as_str().as_bytes());
    }
    if let Some(auth) = params.auth {
        out.put_slice(b" AUTH=");
        match auth {
            MailAuth::Unknown => out.put_slice(b"<>"),
            MailAuth::Address(x) => out.put_slice(x.as_str().as_bytes()),
        }
    }
    if params.requiretls {
        out.put_slice(b" REQUIRETLS");
    }
    if let Some(priority) = params.mt_priority {
        out.put_slice(b" MT-PRIORITY=");
        if priority < 0 {
            out.put_u8(b'-');
        }
        put_number(out, u64::from(priority.unsigned_abs()));
    }
    match params.hold {
        Some(Hold::For(seconds)) => {
            out.put_slice(b" HOLDFOR=");
            put_number(out, u64::from(seconds));
        }
        Some(Hold::Until(text)) => {
            out.put_slice(b" HOLDUNTIL=");
            out.put_slice(text.as_bytes());
        }
        None => {}
    }
    if let Some(by) = params.by {
        out.put_slice(b" BY=");
        if by.seconds < 0 {
            out.put_u8(b'-');
        }
        put_number(out, u64::from(by.seconds.unsigned_abs()));
        out.put_slice(if by.return_if_late { b";R" } else { b";N" });
        if by.trace {
            out.put_u8(b'T');
        }
    }
    for param in params.unknown() {
        put_parameter(out, param);
    }
}

fn write_rcpt_params(out: &mut impl BufMut, params: &RcptParams<'_>) {
    if let Some(notify) = params.notify {
        out.put_slice(b" NOTIFY=");
        if notify.is_never() {
            out.put_slice(b"NEVER");
        } else {
            let mut sep = "";
            for (on, name) in [
                (notify.success, "SUCCESS"),
                (notify.failure, "FAILURE"),
                (notify.delay, "DELAY"),
            ] {
                if on {
                    out.put_slice(sep.as_bytes());
                    out.put_slice(name.as_bytes());
                    sep = ",";
                }
            }
        }
    }
    if let Some(orcpt) = params.orcpt {
        out.put_slice(b" ORCPT=");
        out.put_slice(orcpt.addr_type.as_bytes());
        out.put_u8(b';');
        out.put_slice(orcpt.address.as_str().as_bytes());
    }
    for param in params.unknown() {
        put_parameter(out, param);
    }
}

fn put_parameter(out: &mut impl BufMut, param: Parameter<'_>) {
    out.put_u8(b' ');
    out.put_slice(param.keyword.as_bytes());
    if let Some(value) = param.value {
        out.put_u8(b'=');
        out.put_slice(value.as_bytes());
    }
}

/// Writes a decimal number without allocating.
pub(crate) fn put_number(out: &mut impl BufMut, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(&digits[i..]);
}

/// Writes a value's `Display` form without an intermediate `String`.
fn put_display(out: &mut impl BufMut, value: &impl core::fmt::Display) {
    struct Writer<'b, B>(&'b mut B);
    impl<B: BufMut> core::fmt::Write for Writer<'_, B> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            self.0.put_slice(s.as_bytes());
            Ok(())
        }
    }
    let _ = core::fmt::write(&mut Writer(out), format_args!("{value}"));
}
