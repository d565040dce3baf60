//! The lines of multi-line responses: scan listings (`LIST`), unique-id
//! listings (`UIDL`) and capabilities (`CAPA`).

/// One line of a `LIST` answer, or the text of a `LIST msg` answer
/// (RFC 1939 section 5).
///
/// ```text
/// scan-listing = msg SP size [SP *CHAR]
/// ```
///
/// ```
/// use mailwire_pop3::types::ScanListing;
///
/// let line = ScanListing::parse(b"1 120\r\n")?;
/// assert_eq!(line, ScanListing { msg: 1, size: 120 });
/// assert_eq!(line.to_bytes(), b"1 120\r\n");
/// # Ok::<(), mailwire_pop3::parse::ResponseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanListing {
    /// The message number.
    pub msg: u32,
    /// The message's exact size in octets.
    pub size: u64,
}

/// One line of a `UIDL` answer, or the text of a `UIDL msg` answer
/// (RFC 1939 section 7).
///
/// ```text
/// unique-id-listing = msg SP unique-id
/// unique-id         = 1*70 %x21-7E
/// ```
///
/// ```
/// use mailwire_pop3::types::UniqueIdListing;
///
/// let line = UniqueIdListing::parse(b"1 whqtswO00WBw418f9t5JxYwZ")?;
/// assert_eq!(line.uid, "whqtswO00WBw418f9t5JxYwZ");
/// assert_eq!(line.to_bytes()?, b"1 whqtswO00WBw418f9t5JxYwZ\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UniqueIdListing<'a> {
    /// The message number.
    pub msg: u32,
    /// The message's unique id.
    pub uid: &'a str,
}

/// One line of a `CAPA` answer (RFC 2449 section 5).
///
/// ```text
/// capability = capa-tag *(SP param) CRLF
/// capa-tag   = 1*cchar
/// param      = 1*pchar
/// cchar      = %x21-2D / %x2F-7F  ;printable ASCII, excluding "."
/// pchar      = %x21-7F            ;printable ASCII
/// ```
///
/// ```
/// use mailwire_pop3::types::Capability;
///
/// let capa = Capability::parse(b"SASL CRAM-MD5 KERBEROS_V4\r\n")?;
/// assert_eq!(capa.name(), "SASL");
/// assert_eq!(capa.params().collect::<Vec<_>>(), ["CRAM-MD5", "KERBEROS_V4"]);
/// assert!(capa.is("sasl"));
/// assert_eq!(Capability::new("TOP", "").to_bytes()?, b"TOP\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capability<'a> {
    pub(crate) name: &'a str,
    pub(crate) params: &'a str,
}

impl<'a> Capability<'a> {
    /// A capability `name` with `params`, the parameters separated by
    /// single spaces (empty for none).
    #[must_use]
    pub const fn new(name: &'a str, params: &'a str) -> Self {
        Self { name, params }
    }

    /// The capability's name (`TOP`, `USER`, `SASL`, `RESP-CODES`,
    /// `LOGIN-DELAY`, `PIPELINING`, `EXPIRE`, `UIDL`, `IMPLEMENTATION`,
    /// `STLS`, `UTF8`, `LANG`, ...), as written.
    #[must_use]
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// Whether the name is `name`, in any case.
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The parameters.
    pub fn params(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.params.split(' ').filter(|p| !p.is_empty())
    }

    /// The parameters as written after the name.
    #[must_use]
    pub const fn params_str(&self) -> &'a str {
        self.params
    }
}
