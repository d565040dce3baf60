//! EHLO capabilities (RFC 5321 section 4.1.1.1 and the extensions).

use core::fmt::Write as _;

use super::command::Mechanism;
use super::reply::Reply;
use super::status::ReplyCode;

/// What a server announces in its EHLO reply, read by clients
/// ([`from_ehlo`](Self::from_ehlo)) and written by servers
/// ([`to_reply`](Self::to_reply)).
///
/// RFC 5321 section 4.1.1.1:
///
/// ```text
/// ehlo-ok-rsp    = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
///                  / ( "250-" Domain [ SP ehlo-greet ] CRLF
///                  *( "250-" ehlo-line CRLF )
///                  "250" SP ehlo-line CRLF )
/// ehlo-line      = ehlo-keyword *( SP ehlo-param )
/// ehlo-keyword   = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// ehlo-param     = 1*(%d33-126)
/// ```
///
/// Keywords are matched in any case. The old `AUTH=PLAIN LOGIN` form is
/// read as `AUTH`; empty lines (some servers end with `250 `) are
/// skipped; keywords this crate does not know are kept in
/// [`other`](Self::other).
///
/// ```
/// use mailwire_smtp::types::{Capabilities, Mechanism, Reply};
///
/// let (reply, _) = Reply::parse(concat!(
///     "250-mx.example.org Hello\r\n",
///     "250-SIZE 35882577\r\n",
///     "250-8BITMIME\r\n",
///     "250-PIPELINING\r\n",
///     "250-AUTH PLAIN LOGIN\r\n",
///     "250-X-EXPS GSSAPI\r\n",
///     "250 CHUNKING\r\n",
/// ).as_bytes())?.unwrap();
/// let caps = Capabilities::from_ehlo(&reply);
/// assert_eq!(caps.domain, "mx.example.org");
/// assert_eq!(caps.size, Some(35_882_577));
/// assert!(caps.pipelining && caps.chunking && caps.eight_bit_mime && !caps.starttls);
/// assert!(caps.supports_auth(Mechanism::Plain));
/// assert_eq!(caps.other[0].keyword, "X-EXPS");
///
/// // A server writes its own the same way.
/// let again = caps.to_reply().to_bytes()?;
/// assert!(again.starts_with(b"250-mx.example.org Hello\r\n250-SIZE 35882577\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities<'a> {
    /// The server's name: the first word of the first line.
    pub domain: &'a str,
    /// The rest of the first line.
    pub greeting: &'a str,
    /// `SIZE` (RFC 1870): the largest message accepted; `Some(0)` when
    /// announced without a number (no fixed limit).
    pub size: Option<u64>,
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `BINARYMIME` (RFC 3030).
    pub binary_mime: bool,
    /// `CHUNKING` (RFC 3030): `BDAT`.
    pub chunking: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `STARTTLS` (RFC 3207).
    pub starttls: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    pub enhanced_status_codes: bool,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// `AUTH` (RFC 4954): the SASL mechanisms offered.
    pub auth: Vec<Mechanism<'a>>,
    /// `DELIVERBY` (RFC 2852) with its minimum `by-time` in seconds
    /// (0 when not given).
    pub deliver_by: Option<u32>,
    /// `MT-PRIORITY` (RFC 6710) with its priority profile (empty when not
    /// given).
    pub mt_priority: Option<&'a str>,
    /// `FUTURERELEASE` (RFC 4865): the longest hold in seconds and the
    /// latest release date-time.
    pub future_release: Option<(u32, &'a str)>,
    /// `VRFY`.
    pub vrfy: bool,
    /// `EXPN`.
    pub expn: bool,
    /// `ETRN` (RFC 1985): remote queue starting.
    pub etrn: bool,
    /// `HELP`.
    pub help: bool,
    /// Keywords this crate does not know, in order.
    pub other: Vec<Extension<'a>>,
}

/// `text` without `prefix` (ASCII, any case), if it starts with it.
fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// An EHLO keyword this crate does not know, with its parameters.
///
/// ```
/// use mailwire_smtp::types::Extension;
/// let x = Extension { keyword: "X-EXPS", params: "GSSAPI NTLM" };
/// assert_eq!(x.params().collect::<Vec<_>>(), ["GSSAPI", "NTLM"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extension<'a> {
    /// The keyword, as written.
    pub keyword: &'a str,
    /// The parameters, as written (space separated; empty if none).
    pub params: &'a str,
}

impl<'a> Extension<'a> {
    /// The parameters one by one.
    pub fn params(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.params.split(' ').filter(|p| !p.is_empty())
    }
}

impl<'a> Capabilities<'a> {
    /// Reads the capabilities of an EHLO (or LHLO) reply. A reply that is
    /// not positive yields the defaults (nothing offered).
    #[must_use]
    pub fn from_ehlo(reply: &'a Reply<'_>) -> Self {
        let mut caps = Self::default();
        if !reply.is_positive() {
            return caps;
        }
        let mut lines = reply.lines();
        let first = lines.next().unwrap_or("").trim_ascii();
        let (domain, greeting) = first.split_once(' ').unwrap_or((first, ""));
        caps.domain = domain;
        caps.greeting = greeting.trim_ascii_start();
        for line in lines {
            caps.read_line(line.trim_ascii());
        }
        caps
    }

    fn read_line(&mut self, line: &'a str) {
        if line.is_empty() {
            return;
        }
        let (keyword, params) = line.split_once(' ').unwrap_or((line, ""));
        let params = params.trim_ascii_start();
        // Keywords are short: upper-case into a stack buffer and match the
        // bytes, one comparison per candidate of the same length.
        let mut upper = [0u8; 20];
        let key = match upper.get_mut(..keyword.len()) {
            Some(key) => {
                key.copy_from_slice(keyword.as_bytes());
                key.make_ascii_uppercase();
                &*key
            }
            None => &[][..],
        };
        match key {
            b"SIZE" => self.size = Some(params.parse().unwrap_or(0)),
            b"PIPELINING" => self.pipelining = true,
            b"8BITMIME" => self.eight_bit_mime = true,
            b"BINARYMIME" => self.binary_mime = true,
            b"CHUNKING" => self.chunking = true,
            b"SMTPUTF8" => self.smtputf8 = true,
            b"STARTTLS" => self.starttls = true,
            b"DSN" => self.dsn = true,
            b"ENHANCEDSTATUSCODES" => self.enhanced_status_codes = true,
            b"REQUIRETLS" => self.requiretls = true,
            b"AUTH" => self.add_mechanisms(params),
            b"DELIVERBY" => self.deliver_by = Some(params.parse().unwrap_or(0)),
            b"MT-PRIORITY" => self.mt_priority = Some(params),
            b"FUTURERELEASE" => {
                let (interval, until) = params.split_once(' ').unwrap_or((params, ""));
                self.future_release = Some((interval.parse().unwrap_or(0), until.trim_ascii()));
            }
            b"VRFY" => self.vrfy = true,
            b"EXPN" => self.expn = true,
            b"ETRN" => self.etrn = true,
            b"HELP" => self.help = true,
            _ => match strip_prefix_ignore_case(line, "AUTH=") {
                // The pre-standard form: `AUTH=PLAIN LOGIN`.
                Some(names) => self.add_mechanisms(names),
                None => self.other.push(Extension { keyword, params }),
            },
        }
    }

    fn add_mechanisms(&mut self, names: &'a str) {
        if self.auth.capacity() == 0 {
            // One allocation for the usual lists (a provider offers ~6).
            self.auth.reserve_exact(8);
        }
        for name in names.split(' ').filter(|n| !n.is_empty()) {
            let mechanism = Mechanism::from_name(name);
            if !self.auth.contains(&mechanism) {
                self.auth.push(mechanism);
            }
        }
    }

    /// Whether `AUTH` offers `mechanism` (names compared in any case).
    #[must_use]
    pub fn supports_auth(&self, mechanism: Mechanism<'_>) -> bool {
        self.auth
            .iter()
            .any(|m| m.as_str().eq_ignore_ascii_case(mechanism.as_str()))
    }

    /// Whether the server announced `keyword`, known or not (any case).
    ///
    /// ```
    /// use mailwire_smtp::types::{Capabilities, Extension};
    /// let mut caps = Capabilities::default();
    /// caps.pipelining = true;
    /// caps.other.push(Extension { keyword: "XCLIENT", params: "NAME ADDR" });
    /// assert!(caps.has("pipelining") && caps.has("XCLIENT") && !caps.has("DSN"));
    /// ```
    #[must_use]
    pub fn has(&self, keyword: &str) -> bool {
        self.keywords()
            .iter()
            .any(|(k, on)| *on && k.eq_ignore_ascii_case(keyword))
            || self
                .other
                .iter()
                .any(|x| x.keyword.eq_ignore_ascii_case(keyword))
    }

    /// The known keywords and whether each is on (parameters aside).
    fn keywords(&self) -> [(&'static str, bool); 18] {
        [
            ("SIZE", self.size.is_some()),
            ("PIPELINING", self.pipelining),
            ("8BITMIME", self.eight_bit_mime),
            ("BINARYMIME", self.binary_mime),
            ("CHUNKING", self.chunking),
            ("SMTPUTF8", self.smtputf8),
            ("STARTTLS", self.starttls),
            ("DSN", self.dsn),
            ("ENHANCEDSTATUSCODES", self.enhanced_status_codes),
            ("REQUIRETLS", self.requiretls),
            ("AUTH", !self.auth.is_empty()),
            ("DELIVERBY", self.deliver_by.is_some()),
            ("MT-PRIORITY", self.mt_priority.is_some()),
            ("FUTURERELEASE", self.future_release.is_some()),
            ("VRFY", self.vrfy),
            ("EXPN", self.expn),
            ("HELP", self.help),
            ("ETRN", self.etrn),
        ]
    }

    /// The EHLO reply announcing these capabilities: the domain and
    /// greeting, then one line per keyword in the order of the fields,
    /// then [`other`](Self::other).
    #[must_use]
    pub fn to_reply(&self) -> Reply<'static> {
        let mut text = String::with_capacity(256);
        text.push_str(self.domain);
        if !self.greeting.is_empty() {
            text.push(' ');
            text.push_str(self.greeting);
        }
        for (keyword, on) in self.keywords() {
            if !on {
                continue;
            }
            text.push('\n');
            text.push_str(keyword);
            match keyword {
                "SIZE" => {
                    let _ = write!(text, " {}", self.size.unwrap_or(0));
                }
                "AUTH" => {
                    for m in &self.auth {
                        text.push(' ');
                        text.push_str(m.as_str());
                    }
                }
                "DELIVERBY" => {
                    if let Some(min) = self.deliver_by.filter(|&m| m > 0) {
                        let _ = write!(text, " {min}");
                    }
                }
                "MT-PRIORITY" => {
                    if let Some(profile) = self.mt_priority.filter(|p| !p.is_empty()) {
                        text.push(' ');
                        text.push_str(profile);
                    }
                }
                "FUTURERELEASE" => {
                    if let Some((interval, until)) = self.future_release {
                        let _ = write!(text, " {interval} {until}");
                    }
                }
                _ => {}
            }
        }
        for x in &self.other {
            text.push('\n');
            text.push_str(x.keyword);
            if !x.params.is_empty() {
                text.push(' ');
                text.push_str(x.params);
            }
        }
        Reply::new(ReplyCode::OK, None, text)
    }
}
