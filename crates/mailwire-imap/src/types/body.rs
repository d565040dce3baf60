//! BODY and BODYSTRUCTURE (RFC 3501 section 7.4.2, RFC 9051 section
//! 7.5.2): the MIME tree of a message.

use super::{AString, Envelope, NString};

/// The MIME structure of a message or part.
///
/// ```text
/// body       = "(" (body-type-1part / body-type-mpart) ")"
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
///                   [SP body-ext-1part]
/// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
/// ```
///
/// Nesting is bounded by the parser's depth limit.
///
/// ```
/// use mailwire_imap::types::{AString, BodyStructure, SinglePart, SinglePartKind};
/// let text = BodyStructure::Single {
///     part: SinglePart::new("TEXT", "PLAIN", "7BIT", 3028, SinglePartKind::Text { lines: 92 }),
///     ext: None,
/// };
/// let mixed = BodyStructure::Multipart { parts: vec![text], subtype: AString::from("MIXED"), ext: None };
/// assert_eq!(mixed.parts().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyStructure<'a> {
    /// A single (leaf or message/rfc822) part.
    Single {
        /// The part's fields.
        part: SinglePart<'a>,
        /// The extension data (BODYSTRUCTURE only).
        ext: Option<BodyExt<'a>>,
    },
    /// A multipart: its parts and subtype.
    Multipart {
        /// The parts (at least one on the wire).
        parts: Vec<BodyStructure<'a>>,
        /// `media-subtype` (`MIXED`, `ALTERNATIVE`, ...).
        subtype: AString<'a>,
        /// The extension data (BODYSTRUCTURE only); its `md5` is unused.
        ext: Option<BodyExt<'a>>,
    },
}

impl<'a> BodyStructure<'a> {
    /// The sub-parts of a multipart (none for a single part).
    #[must_use]
    pub fn parts(&self) -> &[BodyStructure<'a>] {
        match self {
            Self::Multipart { parts, .. } => parts,
            Self::Single { .. } => &[],
        }
    }
}

/// The fields of a single part.
///
/// ```text
/// body-type-basic = media-basic SP body-fields
/// body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
/// body-type-text  = media-text SP body-fields SP body-fld-lines
/// body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP
///                   body-fld-enc SP body-fld-octets
/// body-fld-param  = "(" string SP string *(SP string SP string) ")" / nil
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinglePart<'a> {
    /// The media type (`TEXT`, `IMAGE`, `MESSAGE`, ...).
    pub media_type: AString<'a>,
    /// The media subtype.
    pub subtype: AString<'a>,
    /// `Content-Type` parameters (`NIL` is empty).
    pub params: Vec<(AString<'a>, AString<'a>)>,
    /// `Content-ID`.
    pub id: NString<'a>,
    /// `Content-Description`.
    pub description: NString<'a>,
    /// `Content-Transfer-Encoding`.
    pub encoding: AString<'a>,
    /// Size in octets (as transferred).
    pub size: u64,
    /// What the media type adds.
    pub kind: SinglePartKind<'a>,
}

impl<'a> SinglePart<'a> {
    /// A part with no parameters, id or description.
    #[must_use]
    pub fn new(
        media_type: &'a str,
        subtype: &'a str,
        encoding: &'a str,
        size: u64,
        kind: SinglePartKind<'a>,
    ) -> Self {
        Self {
            media_type: AString::from(media_type),
            subtype: AString::from(subtype),
            params: Vec::new(),
            id: None,
            description: None,
            encoding: AString::from(encoding),
            size,
            kind,
        }
    }
}

/// What a single part's media type adds to its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinglePartKind<'a> {
    /// Any other type: nothing.
    Basic,
    /// `TEXT/*`: the size in lines.
    Text {
        /// `body-fld-lines`.
        lines: u64,
    },
    /// `MESSAGE/RFC822` (and `MESSAGE/GLOBAL`): the enclosed message.
    Message {
        /// Its envelope.
        envelope: Box<Envelope<'a>>,
        /// Its structure.
        body: Box<BodyStructure<'a>>,
        /// `body-fld-lines`.
        lines: u64,
    },
}

/// Extension data of BODYSTRUCTURE.
///
/// ```text
/// body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang
///                  [SP body-fld-loc *(SP body-extension)]]]
/// body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang
///                  [SP body-fld-loc *(SP body-extension)]]]
/// body-fld-lang  = nstring / "(" string *(SP string) ")"
/// ```
///
/// Fields the server left out read as `None`/empty; the encoder writes
/// every field up to the location (`NIL` where empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BodyExt<'a> {
    /// `body-fld-md5` (single parts only).
    pub md5: NString<'a>,
    /// `body-fld-param` (multiparts only; `NIL` is empty).
    pub params: Vec<(AString<'a>, AString<'a>)>,
    /// `Content-Disposition`.
    pub disposition: Option<Disposition<'a>>,
    /// `Content-Language` (`NIL` is empty).
    pub language: Vec<AString<'a>>,
    /// `Content-Location`.
    pub location: NString<'a>,
    /// Further extension data.
    pub extensions: Vec<BodyExtension<'a>>,
}

/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition<'a> {
    /// `inline`, `attachment`, ...
    pub kind: AString<'a>,
    /// Its parameters (`filename`, ...).
    pub params: Vec<(AString<'a>, AString<'a>)>,
}

/// `body-extension = nstring / number / "(" body-extension *(SP
/// body-extension) ")"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyExtension<'a> {
    /// A string or `NIL`.
    NString(NString<'a>),
    /// A number.
    Number(u64),
    /// A list (never empty on the wire).
    List(Vec<BodyExtension<'a>>),
}
