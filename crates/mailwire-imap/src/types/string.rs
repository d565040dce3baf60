//! Tags, atoms and the string forms of arguments.

use core::fmt;
use std::borrow::Cow;

use super::chars::{is_atom_char, is_tag_char};
use crate::encode::EncodeError;

/// A command tag: `tag = 1*<any ASTRING-CHAR except "+">`.
///
/// ```
/// use mailwire_imap::types::Tag;
/// assert_eq!(Tag::new("a001")?.as_str(), "a001");
/// assert!(Tag::new("a+1").is_err());
/// assert!(Tag::new("").is_err());
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag<'a>(Cow<'a, str>);

impl<'a> Tag<'a> {
    /// Validates a tag.
    ///
    /// # Errors
    ///
    /// When `tag` is empty or holds a byte outside the tag grammar.
    pub fn new(tag: impl Into<Cow<'a, str>>) -> Result<Self, EncodeError> {
        let tag = tag.into();
        check_class("tag", tag.as_bytes(), is_tag_char)?;
        Ok(Self(tag))
    }

    pub(crate) const fn new_unchecked(tag: &'a str) -> Self {
        Self(Cow::Borrowed(tag))
    }

    /// The tag's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Tag<'static> {
        Tag(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:?})", self.0)
    }
}

impl fmt::Display for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An atom: `atom = 1*ATOM-CHAR` (capability names, SASL mechanisms,
/// keywords, extension names). Comparison is exact; use
/// [`eq_ignore_case`](Self::eq_ignore_case) for IMAP's case-insensitive
/// names.
///
/// ```
/// use mailwire_imap::types::Atom;
/// let atom = Atom::new("CONDSTORE")?;
/// assert!(atom.eq_ignore_case("condstore"));
/// assert!(Atom::new("a b").is_err());
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom<'a>(Cow<'a, str>);

impl<'a> Atom<'a> {
    /// Validates an atom.
    ///
    /// # Errors
    ///
    /// When `atom` is empty or holds a byte outside `ATOM-CHAR`.
    pub fn new(atom: impl Into<Cow<'a, str>>) -> Result<Self, EncodeError> {
        let atom = atom.into();
        check_class("atom", atom.as_bytes(), is_atom_char)?;
        Ok(Self(atom))
    }

    pub(crate) const fn new_unchecked(atom: &'a str) -> Self {
        Self(Cow::Borrowed(atom))
    }

    pub(crate) fn from_cow_unchecked(atom: Cow<'a, str>) -> Self {
        Self(atom)
    }

    pub(crate) fn into_cow(self) -> Cow<'a, str> {
        self.0
    }

    /// The atom's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> Atom<'static> {
        Atom(Cow::Owned(self.0.into_owned()))
    }

    /// ASCII case-insensitive comparison.
    #[must_use]
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl fmt::Debug for Atom<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atom({:?})", self.0)
    }
}

impl fmt::Display for Atom<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string argument: `astring = 1*ASTRING-CHAR / string`, `string =
/// quoted / literal`.
///
/// The value is the string's octets, whichever form carried them; the
/// encoder picks the form (atom when it can, quoted when the octets are
/// printable ASCII without CR/LF, a literal otherwise), so a value never
/// puts CR, LF or NUL outside a literal. Parsing borrows the octets
/// unless a quoted string holds an escape (`\"`, `\\`).
///
/// ```
/// use mailwire_imap::types::AString;
/// let s = AString::from("Fred Foobar");
/// assert_eq!(s.as_bytes(), b"Fred Foobar");
/// assert_eq!(s.to_str(), Some("Fred Foobar"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AString<'a>(Cow<'a, [u8]>);

impl<'a> AString<'a> {
    /// A string of any octets (NUL is refused when encoding: only a
    /// `literal8` may carry it).
    #[must_use]
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Self {
        Self(bytes.into())
    }

    /// The octets.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The octets as text, if they are UTF-8.
    #[must_use]
    pub fn to_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.0).ok()
    }

    /// An owned copy that outlives the input.
    #[must_use]
    pub fn into_owned(self) -> AString<'static> {
        AString(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> From<&'a str> for AString<'a> {
    fn from(value: &'a str) -> Self {
        Self(Cow::Borrowed(value.as_bytes()))
    }
}

impl<'a> From<&'a [u8]> for AString<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self(Cow::Borrowed(value))
    }
}

impl From<String> for AString<'static> {
    fn from(value: String) -> Self {
        Self(Cow::Owned(value.into_bytes()))
    }
}

impl fmt::Debug for AString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match core::str::from_utf8(&self.0) {
            Ok(text) => write!(f, "{text:?}"),
            Err(_) => write!(f, "{:?}", self.0.escape_ascii().to_string()),
        }
    }
}

/// `nstring = string / nil`: a string or `NIL`.
pub type NString<'a> = Option<AString<'a>>;

/// A password (or SASL data): compared and encoded like any string,
/// redacted in `Debug`.
///
/// ```
/// use mailwire_imap::types::{AString, Secret};
/// let secret = Secret::new(AString::from("hunter2"));
/// assert_eq!(format!("{secret:?}"), "<redacted>");
/// assert_eq!(secret.expose().as_bytes(), b"hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    #[must_use]
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value.
    #[must_use]
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// The value, unwrapped.
    #[must_use]
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Checks that `bytes` is non-empty and every byte is in `class`.
pub(crate) fn check_class(
    field: &'static str,
    bytes: &[u8],
    class: fn(u8) -> bool,
) -> Result<(), EncodeError> {
    if bytes.is_empty() {
        return Err(EncodeError::Invalid {
            field,
            reason: "empty",
        });
    }
    match bytes.iter().find(|&&b| !class(b)) {
        Some(&byte) => Err(EncodeError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}
