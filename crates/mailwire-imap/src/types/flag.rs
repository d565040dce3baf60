//! Message flags (RFC 3501 section 2.3.2, RFC 9051 section 2.3.2).

use super::Atom;

/// A message flag: `flag = "\Answered" / "\Flagged" / "\Deleted" /
/// "\Seen" / "\Draft" / flag-keyword / flag-extension`.
///
/// System flag names are case-insensitive. `\Recent` (IMAP4rev1 only) is
/// kept so that it can be read and refused; a client cannot set it.
///
/// ```
/// use mailwire_imap::types::{Atom, Flag};
/// assert_eq!(Flag::parse("\\seen"), Some(Flag::Seen));
/// assert_eq!(Flag::parse("$Forwarded"), Some(Flag::Keyword(Atom::new("$Forwarded")?)));
/// assert_eq!(Flag::Deleted.to_string(), "\\Deleted");
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Flag<'a> {
    /// `\Seen`.
    Seen,
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Draft`.
    Draft,
    /// `\Recent` (IMAP4rev1; session flag the server sets).
    Recent,
    /// A keyword: `flag-keyword = "$MDNSent" / "$Forwarded" / ... / atom`.
    Keyword(Atom<'a>),
    /// Another backslash flag: `flag-extension = "\" atom` (the atom
    /// here, without the backslash).
    Extension(Atom<'a>),
}

impl<'a> Flag<'a> {
    /// Reads one flag from its text; `None` if it is not one.
    #[must_use]
    pub fn parse(text: &'a str) -> Option<Self> {
        match text.strip_prefix('\\') {
            Some(name) => {
                let atom = Atom::new(name).ok()?;
                Some(Self::system(atom))
            }
            None => Atom::new(text).ok().map(Self::Keyword),
        }
    }

    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Flag<'static> {
        match self {
            Self::Seen => Flag::Seen,
            Self::Answered => Flag::Answered,
            Self::Flagged => Flag::Flagged,
            Self::Deleted => Flag::Deleted,
            Self::Draft => Flag::Draft,
            Self::Recent => Flag::Recent,
            Self::Keyword(a) => Flag::Keyword(a.into_owned()),
            Self::Extension(a) => Flag::Extension(a.into_owned()),
        }
    }

    /// A backslash flag from its name (without the backslash).
    pub(crate) fn system(name: Atom<'a>) -> Self {
        let s = name.as_str();
        for (text, flag) in [
            ("Seen", Self::Seen),
            ("Answered", Self::Answered),
            ("Flagged", Self::Flagged),
            ("Deleted", Self::Deleted),
            ("Draft", Self::Draft),
            ("Recent", Self::Recent),
        ] {
            if s.eq_ignore_ascii_case(text) {
                return flag;
            }
        }
        Self::Extension(name)
    }

    /// The text of the flag, borrowed from the value's atoms.
    pub(crate) fn write_to(&self, out: &mut impl FnMut(&[u8])) {
        match self {
            Self::Seen => out(b"\\Seen"),
            Self::Answered => out(b"\\Answered"),
            Self::Flagged => out(b"\\Flagged"),
            Self::Deleted => out(b"\\Deleted"),
            Self::Draft => out(b"\\Draft"),
            Self::Recent => out(b"\\Recent"),
            Self::Keyword(atom) => out(atom.as_str().as_bytes()),
            Self::Extension(atom) => {
                out(b"\\");
                out(atom.as_str().as_bytes());
            }
        }
    }
}

impl core::fmt::Display for Flag<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut result = Ok(());
        self.write_to(&mut |bytes| {
            if result.is_ok() {
                result = f.write_str(core::str::from_utf8(bytes).unwrap_or(""));
            }
        });
        result
    }
}

/// A flag in a `PERMANENTFLAGS` response code: `flag-perm = flag / "\*"`
/// (`\*`: the client may create new keywords).
///
/// ```
/// use mailwire_imap::types::{Flag, FlagPerm};
/// assert_eq!(FlagPerm::parse("\\*"), Some(FlagPerm::Wildcard));
/// assert_eq!(FlagPerm::parse("\\Seen"), Some(FlagPerm::Flag(Flag::Seen)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FlagPerm<'a> {
    /// A flag.
    Flag(Flag<'a>),
    /// `\*`.
    Wildcard,
}

impl<'a> FlagPerm<'a> {
    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> FlagPerm<'static> {
        match self {
            Self::Flag(f) => FlagPerm::Flag(f.into_owned()),
            Self::Wildcard => FlagPerm::Wildcard,
        }
    }

    /// Reads one `flag-perm`.
    #[must_use]
    pub fn parse(text: &'a str) -> Option<Self> {
        if text == "\\*" {
            Some(Self::Wildcard)
        } else {
            Flag::parse(text).map(Self::Flag)
        }
    }
}
