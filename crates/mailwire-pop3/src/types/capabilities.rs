//! The whole answer to `CAPA` (RFC 2449 section 6), owned, with typed
//! accessors for the capabilities the RFCs define.

use core::fmt;

use super::Capability;

/// Everything a server announced in its answer to `CAPA` (RFC 2449
/// section 5), owned.
///
/// ```text
/// capa-resp  = "+OK" *CHAR CRLF *capability "." CRLF
/// capability = capa-tag *(SP param) CRLF
/// ```
///
/// Names are matched without regard to case. Capabilities this crate does
/// not know are kept, in the order the server sent them, and can be read
/// with [`get`](Self::get) or [`iter`](Self::iter). Lines that break the
/// grammar are skipped by [`parse`](Self::parse) rather than failing the
/// whole answer: a client still wants the rest.
///
/// ```
/// use mailwire_pop3::types::{Capabilities, Expire};
///
/// // RFC 2449 section 5, the example answer.
/// let caps = Capabilities::parse(
///     b"TOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\n\
///       PIPELINING\r\nEXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n",
/// );
/// assert!(caps.top() && caps.user() && caps.uidl() && caps.pipelining() && caps.resp_codes());
/// assert!(!caps.stls());
/// assert_eq!(caps.sasl_mechanisms().collect::<Vec<_>>(), ["CRAM-MD5", "KERBEROS_V4"]);
/// assert_eq!(caps.login_delay().map(|d| d.seconds), Some(900));
/// assert_eq!(caps.expire(), Some(Expire::Days { days: 60, per_user: false }));
/// assert_eq!(caps.implementation(), Some("Shlemazle-Plotz-v302"));
/// assert_eq!(caps.len(), 9);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Capabilities {
    /// Name and parameters (as written after the name) of each line.
    entries: Vec<(String, String)>,
}

/// The `EXPIRE` capability: how long the server keeps messages that were
/// retrieved (RFC 2449 section 6.7).
///
/// ```text
/// expire-capa   = "EXPIRE" SP expire-policy [SP "USER"]
/// expire-policy = "NEVER" / 1*DIGIT
/// ```
///
/// In the AUTHORIZATION state a server whose policy differs between
/// users may answer `EXPIRE USER` ([`Expire::PerUser`]); after login it
/// gives the user's policy, `USER` marking it as the user's own.
///
/// ```
/// use mailwire_pop3::types::{Capabilities, Expire};
///
/// assert_eq!(Capabilities::parse(b"EXPIRE NEVER").expire(), Some(Expire::Never { per_user: false }));
/// assert_eq!(Capabilities::parse(b"expire user").expire(), Some(Expire::PerUser));
/// assert_eq!(
///     Capabilities::parse(b"EXPIRE 0 USER").expire(),
///     Some(Expire::Days { days: 0, per_user: true })
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expire {
    /// `NEVER`: messages are never deleted by the server.
    Never {
        /// `USER` followed: the policy is this user's own.
        per_user: bool,
    },
    /// Messages are deleted this many days after they were retrieved
    /// (0: the server may delete them at the end of the session, even
    /// without `DELE`).
    Days {
        /// The number of days.
        days: u32,
        /// `USER` followed: the policy is this user's own.
        per_user: bool,
    },
    /// `USER` alone: the policy depends on the user; ask again after
    /// login.
    PerUser,
}

/// The `LOGIN-DELAY` capability: the minimum time between logins, in
/// seconds (RFC 2449 section 6.5).
///
/// ```text
/// login-delay-capa = "LOGIN-DELAY" SP delay-secs [SP "USER"]
/// delay-secs       = 1*DIGIT
/// ```
///
/// ```
/// use mailwire_pop3::types::{Capabilities, LoginDelay};
///
/// assert_eq!(
///     Capabilities::parse(b"LOGIN-DELAY 900 USER").login_delay(),
///     Some(LoginDelay { seconds: 900, per_user: true })
/// );
/// assert_eq!(Capabilities::parse(b"LOGIN-DELAY soon").login_delay(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoginDelay {
    /// The minimum number of seconds between logins.
    pub seconds: u32,
    /// `USER` followed: the delay is this user's own (or, before login,
    /// differs between users).
    pub per_user: bool,
}

impl Capabilities {
    /// No capabilities at all (what a client knows before `CAPA`).
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    /// assert!(Capabilities::new().is_empty());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// The capabilities in the body of a `CAPA` answer, the lines after
    /// the `+OK` line (unstuffed, without the final `.` line; a final `.`
    /// line is ignored if left in). Lines end with CRLF or a bare LF; empty
    /// lines and lines that break the grammar are skipped.
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    ///
    /// // Gmail's answer.
    /// let caps = Capabilities::parse(
    ///     b"USER\r\nRESP-CODES\r\nEXPIRE 0\r\nLOGIN-DELAY 300\r\nTOP\r\nUIDL\r\nX-GOOGLE-RICO\r\n\
    ///       SASL PLAIN XOAUTH2 OAUTHBEARER\r\n.\r\n",
    /// );
    /// assert!(caps.has("x-google-rico"));
    /// assert!(caps.sasl_mechanisms().any(|m| m == "XOAUTH2"));
    /// assert!(!caps.has("."));
    /// ```
    #[must_use]
    pub fn parse(body: &[u8]) -> Self {
        let mut caps = Self::new();
        for line in body.split(|&b| b == b'\n') {
            let _ = caps.push_line(line);
        }
        caps
    }

    /// Adds the capability on one line of a `CAPA` answer (CRLF or LF
    /// may end it). Empty lines and the final `.` line are ignored.
    ///
    /// # Errors
    ///
    /// [`ResponseError`](crate::parse::ResponseError) when the line is
    /// not a capability (nothing is added).
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    ///
    /// let mut caps = Capabilities::new();
    /// caps.push_line(b"STLS\r\n")?;
    /// assert!(caps.push_line(b"BAD\x01NAME\r\n").is_err());
    /// assert!(caps.stls());
    /// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
    /// ```
    pub fn push_line(&mut self, line: &[u8]) -> Result<(), crate::parse::ResponseError> {
        let line = crate::parse::strip_eol(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line == b"." {
            return Ok(());
        }
        let capability = Capability::parse(line)?;
        self.push(capability);
        Ok(())
    }

    /// Adds a capability.
    ///
    /// ```
    /// use mailwire_pop3::types::{Capabilities, Capability};
    ///
    /// let mut caps = Capabilities::new();
    /// caps.push(Capability::new("SASL", "PLAIN  LOGIN"));
    /// assert_eq!(caps.sasl_mechanisms().collect::<Vec<_>>(), ["PLAIN", "LOGIN"]);
    /// ```
    pub fn push(&mut self, capability: Capability<'_>) {
        self.entries.push((
            capability.name().to_owned(),
            capability.params_str().to_owned(),
        ));
    }

    /// How many capabilities (lines) there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All capabilities in the order the server sent them, unknown ones
    /// included.
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    ///
    /// let caps = Capabilities::parse(b"TOP\r\nX-FOO bar baz\r\n");
    /// let names: Vec<_> = caps.iter().map(|c| c.name()).collect();
    /// assert_eq!(names, ["TOP", "X-FOO"]);
    /// assert_eq!(caps.iter().nth(1).unwrap().params().collect::<Vec<_>>(), ["bar", "baz"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Capability<'_>> + '_ {
        self.entries
            .iter()
            .map(|(name, params)| Capability::new(name, params))
    }

    /// The first capability named `name` (any case).
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    /// let caps = Capabilities::parse(b"LANG en fr\r\n");
    /// assert_eq!(caps.get("lang").unwrap().params_str(), "en fr");
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Capability<'_>> {
        self.iter().find(|c| c.is(name))
    }

    /// Whether a capability named `name` (any case) was announced.
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    /// assert!(Capabilities::parse(b"Pipelining\r\n").has("PIPELINING"));
    /// ```
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The parameters of every `SASL` line (RFC 2449 section 6.3), in
    /// order: the SASL mechanisms offered.
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    /// let caps = Capabilities::parse(b"SASL PLAIN LOGIN\r\n");
    /// assert!(caps.sasl_mechanisms().any(|m| m.eq_ignore_ascii_case("plain")));
    /// ```
    pub fn sasl_mechanisms(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter()
            .filter(|c| c.is("SASL"))
            .flat_map(|c| c.params())
    }

    /// Whether `mechanism` (any case) is among the SASL mechanisms.
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    /// assert!(Capabilities::parse(b"SASL PLAIN\r\n").has_sasl("plain"));
    /// ```
    #[must_use]
    pub fn has_sasl(&self, mechanism: &str) -> bool {
        self.sasl_mechanisms()
            .any(|m| m.eq_ignore_ascii_case(mechanism))
    }

    /// `PIPELINING` (RFC 2449 section 6.6): the client may send commands
    /// without waiting for each answer.
    #[must_use]
    pub fn pipelining(&self) -> bool {
        self.has("PIPELINING")
    }

    /// `STLS` (RFC 2595 section 4).
    #[must_use]
    pub fn stls(&self) -> bool {
        self.has("STLS")
    }

    /// `USER` (RFC 2449 section 6.2): `USER`/`PASS` are accepted.
    #[must_use]
    pub fn user(&self) -> bool {
        self.has("USER")
    }

    /// `TOP` (RFC 2449 section 6.1).
    #[must_use]
    pub fn top(&self) -> bool {
        self.has("TOP")
    }

    /// `UIDL` (RFC 2449 section 6.8).
    #[must_use]
    pub fn uidl(&self) -> bool {
        self.has("UIDL")
    }

    /// `UTF8` (RFC 6856 section 2): the `UTF8` command is accepted.
    /// [`utf8_user`](Self::utf8_user) says whether `USER`/`PASS` take
    /// UTF-8 as well.
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    /// let caps = Capabilities::parse(b"UTF8 USER\r\n");
    /// assert!(caps.utf8() && caps.utf8_user());
    /// ```
    #[must_use]
    pub fn utf8(&self) -> bool {
        self.has("UTF8")
    }

    /// `UTF8 USER` (RFC 6856 section 2).
    #[must_use]
    pub fn utf8_user(&self) -> bool {
        self.get("UTF8")
            .is_some_and(|c| c.params().any(|p| p.eq_ignore_ascii_case("USER")))
    }

    /// `RESP-CODES` (RFC 2449 section 6.4): `-ERR` lines carry extended
    /// response codes.
    #[must_use]
    pub fn resp_codes(&self) -> bool {
        self.has("RESP-CODES")
    }

    /// `AUTH-RESP-CODE` (RFC 3206 section 6): failed logins carry
    /// `[AUTH]` or `[SYS/...]`.
    #[must_use]
    pub fn auth_resp_code(&self) -> bool {
        self.has("AUTH-RESP-CODE")
    }

    /// The `EXPIRE` policy (RFC 2449 section 6.7); `None` when not
    /// announced or unreadable.
    #[must_use]
    pub fn expire(&self) -> Option<Expire> {
        let capa = self.get("EXPIRE")?;
        let mut params = capa.params();
        let policy = params.next()?;
        let per_user = params
            .next()
            .is_some_and(|p| p.eq_ignore_ascii_case("USER"));
        if policy.eq_ignore_ascii_case("NEVER") {
            Some(Expire::Never { per_user })
        } else if policy.eq_ignore_ascii_case("USER") {
            Some(Expire::PerUser)
        } else {
            let days = policy.parse().ok()?;
            Some(Expire::Days { days, per_user })
        }
    }

    /// The `LOGIN-DELAY` (RFC 2449 section 6.5); `None` when not
    /// announced or unreadable.
    #[must_use]
    pub fn login_delay(&self) -> Option<LoginDelay> {
        let capa = self.get("LOGIN-DELAY")?;
        let mut params = capa.params();
        let seconds = params.next()?.parse().ok()?;
        let per_user = params
            .next()
            .is_some_and(|p| p.eq_ignore_ascii_case("USER"));
        Some(LoginDelay { seconds, per_user })
    }

    /// The `IMPLEMENTATION` text (RFC 2449 section 6.9), as written after
    /// the name.
    ///
    /// ```
    /// use mailwire_pop3::types::Capabilities;
    /// let caps = Capabilities::parse(b"IMPLEMENTATION Courier Mail Server\r\n");
    /// assert_eq!(caps.implementation(), Some("Courier Mail Server"));
    /// ```
    #[must_use]
    pub fn implementation(&self) -> Option<&str> {
        self.get("IMPLEMENTATION").map(|c| c.params_str())
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(name, params)| {
                if params.is_empty() {
                    name.clone()
                } else {
                    format!("{name} {params}")
                }
            }))
            .finish()
    }
}

impl<'a> FromIterator<Capability<'a>> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability<'a>>>(iter: I) -> Self {
        let mut caps = Self::new();
        for capability in iter {
            caps.push(capability);
        }
        caps
    }
}

impl<'a> Extend<Capability<'a>> for Capabilities {
    fn extend<I: IntoIterator<Item = Capability<'a>>>(&mut self, iter: I) {
        for capability in iter {
            self.push(capability);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dovecot_answer() {
        // Dovecot 2.3 before login, with STLS and SASL.
        let caps = Capabilities::parse(
            b"CAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n\
              USER\r\nSASL PLAIN LOGIN\r\n",
        );
        assert!(caps.has("CAPA") && caps.top() && caps.uidl() && caps.resp_codes());
        assert!(caps.pipelining() && caps.auth_resp_code() && caps.stls() && caps.user());
        assert!(caps.has_sasl("login") && !caps.has_sasl("CRAM-MD5"));
        assert_eq!(caps.implementation(), None);
        assert_eq!(caps.expire(), None);
        assert_eq!(caps.len(), 9);
    }

    #[test]
    fn courier_answer() {
        let caps = Capabilities::parse(
            b"TOP\nUSER\nLOGIN-DELAY 10\nPIPELINING\nUIDL\nIMPLEMENTATION Courier Mail Server\n\
              UTF8 USER\nSTLS\nSASL CRAM-MD5 CRAM-SHA1 CRAM-SHA256 LOGIN PLAIN\n",
        );
        assert_eq!(
            caps.login_delay(),
            Some(LoginDelay {
                seconds: 10,
                per_user: false
            })
        );
        assert_eq!(caps.implementation(), Some("Courier Mail Server"));
        assert!(caps.utf8() && caps.utf8_user() && caps.stls());
        assert_eq!(caps.sasl_mechanisms().count(), 5);
    }

    #[test]
    fn case_unknown_and_bad_lines() {
        let caps = Capabilities::parse(
            b"top\r\n\r\nx-unknown  a b\r\nBAD\x7fNAME\r\nsasl plain\r\nSASL xoauth2\r\n",
        );
        assert!(caps.top() && caps.has("X-UNKNOWN"));
        assert_eq!(
            caps.get("X-Unknown").unwrap().params().collect::<Vec<_>>(),
            ["a", "b"]
        );
        // Both SASL lines count; the bad line is skipped.
        assert_eq!(
            caps.sasl_mechanisms().collect::<Vec<_>>(),
            ["plain", "xoauth2"]
        );
        assert_eq!(caps.len(), 4);
        assert_eq!(
            format!("{caps:?}"),
            "[\"top\", \"x-unknown  a b\", \"sasl plain\", \"SASL xoauth2\"]"
        );
    }

    #[test]
    fn expire_forms() {
        let e = |s: &[u8]| Capabilities::parse(s).expire();
        assert_eq!(
            e(b"EXPIRE 60"),
            Some(Expire::Days {
                days: 60,
                per_user: false
            })
        );
        assert_eq!(
            e(b"EXPIRE never USER"),
            Some(Expire::Never { per_user: true })
        );
        assert_eq!(e(b"EXPIRE USER"), Some(Expire::PerUser));
        assert_eq!(e(b"EXPIRE"), None);
        assert_eq!(e(b"EXPIRE 99999999999"), None);
    }

    #[test]
    fn collect_and_extend() {
        let mut caps: Capabilities = [Capability::new("TOP", "")].into_iter().collect();
        caps.extend([Capability::new("STLS", "")]);
        assert!(caps.top() && caps.stls());
        assert_eq!(caps.iter().len(), 2);
    }
}
