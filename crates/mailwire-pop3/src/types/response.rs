//! Server responses: status lines with their extended response codes
//! (RFC 1939 section 3, RFC 2449 section 8, RFC 3206), and SASL
//! continuations (RFC 5034).

use std::borrow::Cow;

/// The status indicator of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `+OK`
    Ok,
    /// `-ERR`
    Err,
}

impl Status {
    /// `"+OK"` or `"-ERR"`.
    ///
    /// ```
    /// use mailwire_pop3::types::Status;
    /// assert_eq!(Status::Err.as_str(), "-ERR");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "+OK",
            Self::Err => "-ERR",
        }
    }
}

/// An extended response code (RFC 2449 section 8), the bracketed word
/// after the status.
///
/// ```text
/// resp-code  = "[" resp-level *("/" resp-level) "]"
/// resp-level = 1*rchar
/// rchar      = %x21-2E / %x30-5C / %x5E-7F
///                 ;printable ASCII, excluding "/" and "]"
/// ```
///
/// Known codes are matched without regard to case; others are kept as
/// written.
///
/// ```
/// use mailwire_pop3::types::ResponseCode;
///
/// assert_eq!(ResponseCode::from_name("sys/temp"), ResponseCode::SysTemp);
/// assert_eq!(ResponseCode::from_name("X-FOO/BAR").as_str(), "X-FOO/BAR");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseCode<'a> {
    /// `[IN-USE]`: the maildrop is locked by another session (RFC 2449
    /// section 8.1.1).
    InUse,
    /// `[LOGIN-DELAY]`: logged in too recently (RFC 2449 section 8.1.2).
    LoginDelay,
    /// `[SYS/TEMP]`: a temporary system problem (RFC 3206 section 4).
    SysTemp,
    /// `[SYS/PERM]`: a permanent system problem (RFC 3206 section 4).
    SysPerm,
    /// `[AUTH]`: bad credentials (RFC 3206 section 5).
    Auth,
    /// `[UTF8]`: the command needs UTF-8 mode (RFC 6856 section 2).
    Utf8,
    /// Any other code, without its brackets. Build codes with
    /// [`from_name`](Self::from_name): an `Other` holding a known name
    /// reads back as the known variant.
    Other(Cow<'a, str>),
}

impl<'a> ResponseCode<'a> {
    /// The code named `name` (without brackets).
    #[must_use]
    pub fn from_name(name: &'a str) -> Self {
        const KNOWN: [(&str, ResponseCode<'static>); 6] = [
            ("IN-USE", ResponseCode::InUse),
            ("LOGIN-DELAY", ResponseCode::LoginDelay),
            ("SYS/TEMP", ResponseCode::SysTemp),
            ("SYS/PERM", ResponseCode::SysPerm),
            ("AUTH", ResponseCode::Auth),
            ("UTF8", ResponseCode::Utf8),
        ];
        for (known, code) in KNOWN {
            if known.eq_ignore_ascii_case(name) {
                return code;
            }
        }
        Self::Other(Cow::Borrowed(name))
    }

    /// The code without brackets.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::InUse => "IN-USE",
            Self::LoginDelay => "LOGIN-DELAY",
            Self::SysTemp => "SYS/TEMP",
            Self::SysPerm => "SYS/PERM",
            Self::Auth => "AUTH",
            Self::Utf8 => "UTF8",
            Self::Other(name) => name,
        }
    }

    /// The code, owning its text.
    #[must_use]
    pub fn into_owned(self) -> ResponseCode<'static> {
        match self {
            Self::InUse => ResponseCode::InUse,
            Self::LoginDelay => ResponseCode::LoginDelay,
            Self::SysTemp => ResponseCode::SysTemp,
            Self::SysPerm => ResponseCode::SysPerm,
            Self::Auth => ResponseCode::Auth,
            Self::Utf8 => ResponseCode::Utf8,
            Self::Other(name) => ResponseCode::Other(Cow::Owned(name.into_owned())),
        }
    }
}

/// A status line: `+OK` or `-ERR`, an optional extended response code and
/// text. The greeting is one too ([`apop_timestamp`](Self::apop_timestamp)
/// finds its timestamp).
///
/// RFC 2449 section 9 (the line is 512 octets at most):
///
/// ```text
/// single-line = status [SP text] CRLF
/// status      = "+OK" / "-ERR"
/// text        = *schar / resp-code *CHAR
/// schar       = %x21-5A / %x5C-7F     ;printable ASCII, excluding "["
/// greeting    = "+OK" [resp-code] *gchar [timestamp] *gchar CRLF
/// timestamp   = "<" *VCHAR ">"
/// ```
///
/// Whether a multi-line body follows is not written on the line: it
/// depends on the command (see
/// [`Command::response_kind`](crate::types::Command::response_kind)).
///
/// ```
/// use mailwire_pop3::types::{Response, ResponseCode, Status};
///
/// let response = Response::parse(b"-ERR [IN-USE] maildrop locked\r\n")?;
/// assert_eq!(response.status(), Status::Err);
/// assert_eq!(response.code(), Some(&ResponseCode::InUse));
/// assert_eq!(response.text(), "maildrop locked");
///
/// let ok = Response::ok("2 320");
/// assert_eq!(ok.to_bytes()?, b"+OK 2 320\r\n");
/// assert_eq!(ok.drop_listing(), Some((2, 320)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Response<'a> {
    pub(crate) status: Status,
    pub(crate) code: Option<ResponseCode<'a>>,
    pub(crate) text: Cow<'a, str>,
}

impl<'a> Response<'a> {
    /// A response with `status`, `code` and `text`.
    #[must_use]
    pub fn new(status: Status, code: Option<ResponseCode<'a>>, text: &'a str) -> Self {
        Self {
            status,
            code,
            text: Cow::Borrowed(text),
        }
    }

    /// `+OK text`.
    #[must_use]
    pub fn ok(text: &'a str) -> Self {
        Self::new(Status::Ok, None, text)
    }

    /// `-ERR text`.
    #[must_use]
    pub fn err(text: &'a str) -> Self {
        Self::new(Status::Err, None, text)
    }

    /// `-ERR [code] text`.
    ///
    /// ```
    /// use mailwire_pop3::types::{Response, ResponseCode};
    /// let r = Response::err_with(ResponseCode::SysTemp, "try later");
    /// assert_eq!(r.to_bytes()?, b"-ERR [SYS/TEMP] try later\r\n");
    /// # Ok::<(), mailwire_pop3::encode::EncodeError>(())
    /// ```
    #[must_use]
    pub fn err_with(code: ResponseCode<'a>, text: &'a str) -> Self {
        Self::new(Status::Err, Some(code), text)
    }

    /// `+OK` or `-ERR`.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    /// Whether the status is `+OK`.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The extended response code, if any.
    #[must_use]
    pub fn code(&self) -> Option<&ResponseCode<'a>> {
        self.code.as_ref()
    }

    /// The text after the status and code (8-bit text read lossily as
    /// UTF-8).
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The `APOP` timestamp of a greeting, angle brackets included
    /// (RFC 1939 section 7: `timestamp = "<" *VCHAR ">"`).
    ///
    /// ```
    /// use mailwire_pop3::types::Response;
    ///
    /// let greeting = Response::parse(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")?;
    /// assert_eq!(greeting.apop_timestamp(), Some("<1896.697170952@dbc.mtview.ca.us>"));
    /// assert_eq!(Response::ok("no stamp <here").apop_timestamp(), None);
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    #[must_use]
    pub fn apop_timestamp(&self) -> Option<&str> {
        let text = self.text();
        let start = text.find('<')?;
        let len = text[start..].find('>')?;
        let stamp = &text[start..=start + len];
        stamp[1..stamp.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_graphic())
            .then_some(stamp)
    }

    /// The drop listing of a `STAT` answer: `nn mm`, the number of
    /// messages and their size in octets (RFC 1939 section 5).
    #[must_use]
    pub fn drop_listing(&self) -> Option<(u32, u64)> {
        let mut words = self.text().split(' ');
        let count = words.next()?.parse().ok()?;
        let size = words.next()?.parse().ok()?;
        Some((count, size))
    }

    /// The scan listing of a `LIST msg` answer: `msg size`.
    ///
    /// ```
    /// use mailwire_pop3::types::{Response, ScanListing};
    /// let r = Response::parse(b"+OK 2 200")?;
    /// assert_eq!(r.scan_listing(), Some(ScanListing { msg: 2, size: 200 }));
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    #[must_use]
    pub fn scan_listing(&self) -> Option<super::ScanListing> {
        super::ScanListing::parse(self.text().as_bytes()).ok()
    }

    /// The unique-id listing of a `UIDL msg` answer: `msg unique-id`.
    ///
    /// ```
    /// use mailwire_pop3::types::Response;
    /// let r = Response::parse(b"+OK 2 QhdPYR:00WBw1Ph7x7")?;
    /// let uid = r.unique_id().unwrap();
    /// assert_eq!((uid.msg, uid.uid), (2, "QhdPYR:00WBw1Ph7x7"));
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    #[must_use]
    pub fn unique_id(&self) -> Option<super::UniqueIdListing<'_>> {
        super::UniqueIdListing::parse(self.text().as_bytes()).ok()
    }

    /// The response, owning its text.
    #[must_use]
    pub fn into_owned(self) -> Response<'static> {
        Response {
            status: self.status,
            code: self.code.map(ResponseCode::into_owned),
            text: Cow::Owned(self.text.into_owned()),
        }
    }
}

/// A SASL continuation from the server (RFC 5034 section 4).
///
/// ```text
/// continue-req = "+" SP [base64] CRLF
/// ```
///
/// ```
/// use mailwire_pop3::types::Continuation;
///
/// let c = Continuation::parse(b"+ VXNlcm5hbWU6\r\n")?;
/// assert_eq!(c.data(), "VXNlcm5hbWU6");
/// assert_eq!(Continuation::new("").to_bytes()?, b"+ \r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Continuation<'a> {
    pub(crate) data: Cow<'a, str>,
}

impl<'a> Continuation<'a> {
    /// A continuation carrying `data` (base64, possibly empty).
    #[must_use]
    pub fn new(data: &'a str) -> Self {
        Self {
            data: Cow::Borrowed(data),
        }
    }

    /// The data after `+ ` (normally base64; empty for an empty
    /// challenge).
    #[must_use]
    pub fn data(&self) -> &str {
        &self.data
    }

    /// The continuation, owning its text.
    #[must_use]
    pub fn into_owned(self) -> Continuation<'static> {
        Continuation {
            data: Cow::Owned(self.data.into_owned()),
        }
    }
}
