//! Envelope paths: the `<...>` of `MAIL FROM` and `RCPT TO`.

use core::fmt;

use mailwire_core::Mailbox;

/// A mailbox in angle brackets, with the obsolete source route that may
/// precede it.
///
/// RFC 5321 section 4.1.2:
///
/// ```text
/// Path           = "<" [ A-d-l ":" ] Mailbox ">"
/// A-d-l          = At-domain *( "," At-domain )
///                ; Note that this form, the so-called "source
///                ; route", MUST BE accepted, SHOULD NOT be
///                ; generated, and SHOULD be ignored.
/// At-domain      = "@" Domain
/// ```
///
/// The source route is kept as written (`@a.example,@b.example`) so that a
/// relay can log it; [`Display`](fmt::Display) and the encoder leave it out.
///
/// ```
/// use mailwire_core::Mailbox;
/// use mailwire_smtp::types::Path;
///
/// let path = Path::new(Mailbox::parse_smtp(b"joe@example.org")?);
/// assert_eq!(path.to_string(), "<joe@example.org>");
/// assert_eq!(path.source_route(), None);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path<'a> {
    mailbox: Mailbox<'a>,
    source_route: Option<&'a str>,
}

impl<'a> Path<'a> {
    /// A path to `mailbox`, with no source route.
    #[must_use]
    pub const fn new(mailbox: Mailbox<'a>) -> Self {
        Self {
            mailbox,
            source_route: None,
        }
    }

    /// A path with the source route `route` as written between `<` and `:`
    /// (`@a.example,@b.example`). The route is not validated here; the
    /// parser only produces valid ones and the encoder never writes it.
    #[must_use]
    pub const fn with_source_route(mailbox: Mailbox<'a>, route: &'a str) -> Self {
        Self {
            mailbox,
            source_route: Some(route),
        }
    }

    /// The mailbox.
    #[must_use]
    pub const fn mailbox(&self) -> &Mailbox<'a> {
        &self.mailbox
    }

    /// The obsolete source route as received (`@a.example,@b.example`),
    /// if there was one. RFC 5321 says to ignore it.
    #[must_use]
    pub const fn source_route(&self) -> Option<&'a str> {
        self.source_route
    }

    /// The mailbox, dropping the route.
    #[must_use]
    pub fn into_mailbox(self) -> Mailbox<'a> {
        self.mailbox
    }

    /// The same path, owning its text (the source route is dropped).
    #[must_use]
    pub fn into_owned(self) -> Path<'static> {
        Path::new(self.mailbox.into_owned())
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.mailbox)
    }
}

/// The sender of `MAIL FROM`: a path, or the null path `<>` of delivery
/// status notifications (RFC 5321 section 4.5.5).
///
/// ```text
/// Reverse-path   = Path / "<>"
/// ```
///
/// ```
/// use mailwire_smtp::types::ReversePath;
/// assert_eq!(ReversePath::Null.to_string(), "<>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath<'a> {
    /// `<>`: no address to return errors to.
    Null,
    /// A mailbox.
    Path(Path<'a>),
}

impl ReversePath<'_> {
    /// The mailbox, or `None` for the null path.
    #[must_use]
    pub const fn mailbox(&self) -> Option<&Mailbox<'_>> {
        match self {
            Self::Null => None,
            Self::Path(path) => Some(path.mailbox()),
        }
    }

    /// The same path, owning its text.
    #[must_use]
    pub fn into_owned(self) -> ReversePath<'static> {
        match self {
            Self::Null => ReversePath::Null,
            Self::Path(path) => ReversePath::Path(path.into_owned()),
        }
    }
}

impl fmt::Display for ReversePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("<>"),
            Self::Path(path) => path.fmt(f),
        }
    }
}

/// The recipient of `RCPT TO`: a path, or the special `<Postmaster>`
/// without a domain that every server must accept (RFC 5321 section 4.5.1).
///
/// ```text
/// Forward-path   = Path
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///             Forward-path ) [SP Rcpt-parameters] CRLF
/// ```
///
/// `<Postmaster@domain>` is an ordinary [`Path`](Self::Path).
///
/// ```
/// use mailwire_smtp::types::ForwardPath;
/// assert_eq!(ForwardPath::Postmaster.to_string(), "<Postmaster>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` (any case), with no domain.
    Postmaster,
    /// A mailbox.
    Path(Path<'a>),
}

impl ForwardPath<'_> {
    /// The mailbox, or `None` for `<Postmaster>`.
    #[must_use]
    pub const fn mailbox(&self) -> Option<&Mailbox<'_>> {
        match self {
            Self::Postmaster => None,
            Self::Path(path) => Some(path.mailbox()),
        }
    }

    /// The same path, owning its text.
    #[must_use]
    pub fn into_owned(self) -> ForwardPath<'static> {
        match self {
            Self::Postmaster => ForwardPath::Postmaster,
            Self::Path(path) => ForwardPath::Path(path.into_owned()),
        }
    }
}

impl fmt::Display for ForwardPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postmaster => f.write_str("<Postmaster>"),
            Self::Path(path) => path.fmt(f),
        }
    }
}
