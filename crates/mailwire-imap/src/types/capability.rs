//! Capability names (CAPABILITY responses, ENABLE arguments).

use core::fmt;
use std::borrow::Cow;

use super::Atom;

macro_rules! capabilities {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// A capability: `capability = ("AUTH=" auth-type) / atom`.
        ///
        /// Known names compare case-insensitively on parse and are written
        /// in upper case; others are kept as [`Capability::Other`].
        ///
        /// ```
        /// use mailwire_imap::types::Capability;
        /// assert_eq!(Capability::parse("condstore"), Some(Capability::CondStore));
        /// assert_eq!(Capability::parse("AUTH=PLAIN").unwrap().to_string(), "AUTH=PLAIN");
        /// assert_eq!(Capability::parse("X-GM-EXT-1").unwrap().to_string(), "X-GM-EXT-1");
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Capability<'a> {
            $(#[doc = $doc] $variant,)*
            /// `AUTH=mechanism`.
            Auth(Atom<'a>),
            /// `THREAD=algorithm` (RFC 5256).
            Thread(Atom<'a>),
            /// `COMPRESS=algorithm` (RFC 4978).
            Compress(Atom<'a>),
            /// Any other capability.
            Other(Atom<'a>),
        }

        impl<'a> Capability<'a> {
            const NAMES: &'static [(&'static str, Capability<'static>)] = &[
                $(($name, Capability::$variant),)*
            ];

            /// Reads a capability atom; `None` if `text` is not an atom.
            #[must_use]
            pub fn parse(text: &'a str) -> Option<Self> {
                let atom = Atom::new(text).ok()?;
                Some(Self::from_atom(atom))
            }

            pub(crate) fn from_atom(atom: Atom<'a>) -> Self {
                let text = atom.as_str();
                for (name, cap) in Self::NAMES {
                    if name.eq_ignore_ascii_case(text) {
                        return cap.clone();
                    }
                }
                for (prefix, make) in [
                    ("AUTH=", Self::Auth as fn(Atom<'a>) -> Self),
                    ("THREAD=", Self::Thread),
                    ("COMPRESS=", Self::Compress),
                ] {
                    let n = prefix.len();
                    if text.len() > n && text.as_bytes()[..n].eq_ignore_ascii_case(prefix.as_bytes()) {
                        let rest = match atom.into_cow() {
                            Cow::Borrowed(s) => Cow::Borrowed(&s[n..]),
                            Cow::Owned(s) => Cow::Owned(s[n..].to_owned()),
                        };
                        return make(Atom::from_cow_unchecked(rest));
                    }
                }
                Self::Other(atom)
            }

            /// An owned copy that outlives the input.
            #[must_use]
            pub fn into_owned(self) -> Capability<'static> {
                match self {
                    $(Self::$variant => Capability::$variant,)*
                    Self::Auth(a) => Capability::Auth(a.into_owned()),
                    Self::Thread(a) => Capability::Thread(a.into_owned()),
                    Self::Compress(a) => Capability::Compress(a.into_owned()),
                    Self::Other(a) => Capability::Other(a.into_owned()),
                }
            }
        }

        impl fmt::Display for Capability<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Self::$variant => f.write_str($name),)*
                    Self::Auth(m) => write!(f, "AUTH={m}"),
                    Self::Thread(a) => write!(f, "THREAD={a}"),
                    Self::Compress(a) => write!(f, "COMPRESS={a}"),
                    Self::Other(a) => write!(f, "{a}"),
                }
            }
        }
    };
}

capabilities! {
    Imap4Rev1 => "IMAP4rev1", "`IMAP4rev1` (RFC 3501).";
    Imap4Rev2 => "IMAP4rev2", "`IMAP4rev2` (RFC 9051).";
    StartTls => "STARTTLS", "`STARTTLS`.";
    LoginDisabled => "LOGINDISABLED", "`LOGINDISABLED`.";
    SaslIr => "SASL-IR", "`SASL-IR` (RFC 4959).";
    Idle => "IDLE", "`IDLE` (RFC 2177).";
    LiteralPlus => "LITERAL+", "`LITERAL+` (RFC 7888).";
    LiteralMinus => "LITERAL-", "`LITERAL-` (RFC 7888).";
    Enable => "ENABLE", "`ENABLE` (RFC 5161).";
    CondStore => "CONDSTORE", "`CONDSTORE` (RFC 7162).";
    QResync => "QRESYNC", "`QRESYNC` (RFC 7162).";
    Move => "MOVE", "`MOVE` (RFC 6851).";
    Unselect => "UNSELECT", "`UNSELECT` (RFC 3691).";
    UidPlus => "UIDPLUS", "`UIDPLUS` (RFC 4315).";
    Namespace => "NAMESPACE", "`NAMESPACE` (RFC 2342).";
    Id => "ID", "`ID` (RFC 2971).";
    Quota => "QUOTA", "`QUOTA` (RFC 9208).";
    Sort => "SORT", "`SORT` (RFC 5256).";
    SpecialUse => "SPECIAL-USE", "`SPECIAL-USE` (RFC 6154).";
    ListExtended => "LIST-EXTENDED", "`LIST-EXTENDED` (RFC 5258).";
    ListStatus => "LIST-STATUS", "`LIST-STATUS` (RFC 5819).";
    ESearch => "ESEARCH", "`ESEARCH` (RFC 4731).";
    SearchRes => "SEARCHRES", "`SEARCHRES` (RFC 5182).";
    Binary => "BINARY", "`BINARY` (RFC 3516).";
    MultiAppend => "MULTIAPPEND", "`MULTIAPPEND` (RFC 3502).";
    Within => "WITHIN", "`WITHIN` (RFC 5032).";
    Utf8Accept => "UTF8=ACCEPT", "`UTF8=ACCEPT` (RFC 6855).";
    Children => "CHILDREN", "`CHILDREN` (RFC 3348).";
}
