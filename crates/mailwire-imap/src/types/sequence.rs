//! Sequence sets and UIDs (RFC 3501 section 9 `sequence-set`, RFC 5182 /
//! RFC 9051 `$`).

use core::fmt;
use core::num::NonZeroU32;
use std::borrow::Cow;

use crate::encode::EncodeError;

/// A unique identifier or message sequence number: `nz-number`.
pub type Uid = NonZeroU32;

/// One end of a range: `seq-number = nz-number / "*"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqNumber {
    /// A number.
    Value(NonZeroU32),
    /// `*`: the largest number in use.
    Largest,
}

impl SeqNumber {
    /// The number, with `*` standing for `largest`.
    #[must_use]
    pub fn resolve(self, largest: u32) -> u32 {
        match self {
            Self::Value(n) => n.get(),
            Self::Largest => largest,
        }
    }
}

/// One element of a set: a single number (`start == end`) or a range
/// `start:end`, in either order (`5:2` is `2:5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeqRange {
    /// As written first.
    pub start: SeqNumber,
    /// As written second (the same as `start` for a single number).
    pub end: SeqNumber,
}

impl SeqRange {
    /// The range as `low..=high` with `*` standing for `largest`.
    #[must_use]
    pub fn resolve(self, largest: u32) -> core::ops::RangeInclusive<u32> {
        let (a, b) = (self.start.resolve(largest), self.end.resolve(largest));
        a.min(b)..=a.max(b)
    }
}

/// A set of message numbers or UIDs, kept as the ranges it was written
/// with (never expanded: `1:4294967295` costs nothing).
///
/// ```text
/// sequence-set = (seq-number / seq-range) ["," sequence-set]
///              / "$"                        ; RFC 5182, RFC 9051
/// seq-range    = seq-number ":" seq-number
/// seq-number   = nz-number / "*"
/// ```
///
/// ```
/// use mailwire_imap::types::{SequenceSet, SeqRange, SeqNumber};
/// let set = SequenceSet::new("2,4:7,9,12:*")?;
/// assert_eq!(set.ranges().count(), 4);
/// assert!(set.contains(5, 20) && set.contains(15, 20) && !set.contains(8, 20));
/// assert!(SequenceSet::new("5:2")?.contains(3, 10)); // reversed range
/// assert!(SequenceSet::new("$")?.is_saved());
/// assert!(SequenceSet::new("0").is_err());
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SequenceSet<'a>(Cow<'a, str>);

impl<'a> SequenceSet<'a> {
    /// Validates a set's text.
    ///
    /// # Errors
    ///
    /// When `text` is not a `sequence-set` (or `$`).
    pub fn new(text: &'a str) -> Result<Self, EncodeError> {
        if text == "$" || valid_set(text.as_bytes()) {
            Ok(Self(Cow::Borrowed(text)))
        } else {
            Err(EncodeError::Invalid {
                field: "sequence set",
                reason: "not a sequence-set",
            })
        }
    }

    pub(crate) fn new_unchecked(text: &'a str) -> Self {
        Self(Cow::Borrowed(text))
    }

    /// A set of the given ranges (`None` for no range: a set is never
    /// empty).
    ///
    /// ```
    /// use core::num::NonZeroU32;
    /// use mailwire_imap::types::{SequenceSet, SeqRange, SeqNumber};
    /// let one = SeqNumber::Value(NonZeroU32::MIN);
    /// let set = SequenceSet::from_ranges([SeqRange { start: one, end: SeqNumber::Largest }]).unwrap();
    /// assert_eq!(set.as_str(), "1:*");
    /// ```
    #[must_use]
    pub fn from_ranges(ranges: impl IntoIterator<Item = SeqRange>) -> Option<SequenceSet<'static>> {
        use fmt::Write as _;
        let mut text = String::new();
        for range in ranges {
            if !text.is_empty() {
                text.push(',');
            }
            let _ = write!(text, "{}", Num(range.start));
            if range.end != range.start {
                let _ = write!(text, ":{}", Num(range.end));
            }
        }
        (!text.is_empty()).then_some(SequenceSet(Cow::Owned(text)))
    }

    /// A set of one number.
    #[must_use]
    pub fn single(n: NonZeroU32) -> SequenceSet<'static> {
        SequenceSet(Cow::Owned(n.to_string()))
    }

    /// `$`: the result saved by an earlier `SEARCH RETURN (SAVE)`.
    #[must_use]
    pub const fn saved() -> SequenceSet<'static> {
        SequenceSet(Cow::Borrowed("$"))
    }

    /// Whether this is `$`.
    #[must_use]
    pub fn is_saved(&self) -> bool {
        &*self.0 == "$"
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ranges as written (none for `$`).
    pub fn ranges(&self) -> impl Iterator<Item = SeqRange> + '_ {
        let text = if self.is_saved() { "" } else { &*self.0 };
        text.split(',').filter(|s| !s.is_empty()).map(|part| {
            let (a, b) = part.split_once(':').unwrap_or((part, part));
            SeqRange {
                start: number(a),
                end: number(b),
            }
        })
    }

    /// Whether `n` is in the set, with `*` standing for `largest`
    /// (always false for `$`).
    #[must_use]
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.ranges().any(|r| r.resolve(largest).contains(&n))
    }

    /// An owned copy.
    #[must_use]
    pub fn into_owned(self) -> SequenceSet<'static> {
        SequenceSet(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for SequenceSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SequenceSet({:?})", self.0)
    }
}

impl fmt::Display for SequenceSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

struct Num(SeqNumber);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SeqNumber::Value(n) => write!(f, "{n}"),
            SeqNumber::Largest => f.write_str("*"),
        }
    }
}

fn number(text: &str) -> SeqNumber {
    // The text was validated: `*` or an nz-number that fits.
    match text.parse::<u32>().ok().and_then(NonZeroU32::new) {
        Some(n) => SeqNumber::Value(n),
        None => SeqNumber::Largest,
    }
}

/// Whether `text` is an `nz-number` that fits a `u32`.
pub(crate) fn valid_nz_number(text: &[u8]) -> bool {
    !text.is_empty()
        && text.len() <= 10
        && text[0] != b'0'
        && text.iter().all(u8::is_ascii_digit)
        && text.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')) <= u64::from(u32::MAX)
}

fn valid_seq_number(text: &[u8]) -> bool {
    text == b"*" || valid_nz_number(text)
}

/// Whether `text` is a `sequence-set` (without `$`).
pub(crate) fn valid_set(text: &[u8]) -> bool {
    !text.is_empty()
        && text.split(|&b| b == b',').all(|part| {
            let mut ends = part.splitn(2, |&b| b == b':');
            let a = ends.next().unwrap_or_default();
            valid_seq_number(a) && ends.next().is_none_or(valid_seq_number)
        })
}
