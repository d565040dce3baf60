//! Dates of SEARCH and the INTERNALDATE form of APPEND.

use core::fmt;

use crate::encode::EncodeError;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date: `date-text = date-day "-" date-month "-" date-year`
/// (SEARCH's BEFORE, ON, SINCE, SENTBEFORE, ...).
///
/// ```
/// use mailwire_imap::types::Date;
/// let date = Date::new(1994, 2, 1)?;
/// assert_eq!(date.to_string(), "1-Feb-1994");
/// assert!(Date::new(1994, 13, 1).is_err());
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date; the year has four digits, the month is 1 to 12, the day 1
    /// to 31 (the days of each month are not checked: IMAP carries the
    /// date, the server judges it).
    ///
    /// # Errors
    ///
    /// When a field is out of range.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, EncodeError> {
        if year > 9999 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(EncodeError::Invalid {
                field: "date",
                reason: "out of range",
            });
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    #[must_use]
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    #[must_use]
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// Reads `date-text` (a one- or two-digit day).
    pub(crate) fn parse_text(text: &[u8]) -> Option<Self> {
        let mut parts = text.split(|&b| b == b'-');
        let day = parts.next()?;
        let month = parts.next()?;
        let year = parts.next()?;
        if parts.next().is_some() || day.is_empty() || day.len() > 2 || year.len() != 4 {
            return None;
        }
        let month = month_number(month)?;
        Self::new(digits(year)? as u16, month, digits(day)? as u8).ok()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:04}",
            self.day,
            MONTHS[usize::from(self.month - 1)],
            self.year
        )
    }
}

/// A date and time with zone, the INTERNALDATE form:
///
/// ```text
/// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year
///             SP time SP zone DQUOTE
/// time      = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// zone      = ("+" / "-") 4DIGIT
/// ```
///
/// ```
/// use mailwire_imap::types::{Date, DateTime};
/// let dt = DateTime::new(Date::new(1994, 2, 7)?, 21, 52, 25, -480)?;
/// assert_eq!(dt.to_string(), "\" 7-Feb-1994 21:52:25 -0800\"");
/// # Ok::<(), mailwire_imap::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    zone: i16,
}

impl DateTime {
    /// A date-time; `zone` is the offset from UTC in minutes (-5999 to
    /// 5999, that is `-9959` to `+9959`). A leap second (60) is allowed.
    ///
    /// # Errors
    ///
    /// When a field is out of range.
    pub fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        zone: i16,
    ) -> Result<Self, EncodeError> {
        if hour > 23 || minute > 59 || second > 60 || !(-5999..=5999).contains(&zone) {
            return Err(EncodeError::Invalid {
                field: "date-time",
                reason: "out of range",
            });
        }
        Ok(Self {
            date,
            hour,
            minute,
            second,
            zone,
        })
    }

    /// The date.
    #[must_use]
    pub const fn date(&self) -> Date {
        self.date
    }

    /// Hour, minute and second.
    #[must_use]
    pub const fn time(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// The zone's offset from UTC in minutes.
    #[must_use]
    pub const fn zone_minutes(&self) -> i16 {
        self.zone
    }

    /// Reads the text between the quotes: `dd-Mon-yyyy hh:mm:ss +zzzz`
    /// (the day may start with a space).
    pub(crate) fn parse_inner(text: &[u8]) -> Option<Self> {
        if text.len() != 26 || text[11] != b' ' || text[20] != b' ' {
            return None;
        }
        let day = match text[0] {
            b' ' => &text[1..2],
            _ => &text[0..2],
        };
        if text[2] != b'-' || text[6] != b'-' {
            return None;
        }
        let date = Date::new(
            digits(&text[7..11])? as u16,
            month_number(&text[3..6])?,
            digits(day)? as u8,
        )
        .ok()?;
        let time = &text[12..20];
        if time[2] != b':' || time[5] != b':' {
            return None;
        }
        let zone = &text[21..26];
        let sign = match zone[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hh = digits(&zone[1..3])? as i16;
        let mm = digits(&zone[3..5])? as i16;
        if mm > 59 {
            return None;
        }
        Self::new(
            date,
            digits(&time[0..2])? as u8,
            digits(&time[3..5])? as u8,
            digits(&time[6..8])? as u8,
            sign * (hh * 60 + mm),
        )
        .ok()
    }
}

impl fmt::Display for DateTime {
    /// The quoted wire form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.zone < 0 { '-' } else { '+' };
        let zone = self.zone.unsigned_abs();
        write!(
            f,
            "\"{:>2}-{}-{:04} {:02}:{:02}:{:02} {sign}{:02}{:02}\"",
            self.date.day,
            MONTHS[usize::from(self.date.month - 1)],
            self.date.year,
            self.hour,
            self.minute,
            self.second,
            zone / 60,
            zone % 60
        )
    }
}

fn month_number(text: &[u8]) -> Option<u8> {
    MONTHS
        .iter()
        .position(|m| m.as_bytes().eq_ignore_ascii_case(text))
        .map(|i| i as u8 + 1)
}

fn digits(text: &[u8]) -> Option<u32> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')))
}
