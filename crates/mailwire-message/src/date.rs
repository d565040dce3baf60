//! Dates: the `Date` and `Resent-Date` fields and the date of a
//! `Received` field (RFC 5322 section 3.3, obsolete forms of section 4.3).
//!
//! ```text
//! date-time   = [ day-of-week "," ] date time [CFWS]
//! day-of-week = ([FWS] day-name) / obs-day-of-week
//! day-name    = "Mon" / "Tue" / "Wed" / "Thu" / "Fri" / "Sat" / "Sun"
//! date        = day month year
//! day         = ([FWS] 1*2DIGIT FWS) / obs-day
//! month       = "Jan" / "Feb" / "Mar" / "Apr" / "May" / "Jun" /
//!               "Jul" / "Aug" / "Sep" / "Oct" / "Nov" / "Dec"
//! year        = (FWS 4*DIGIT FWS) / obs-year
//! time        = time-of-day zone
//! time-of-day = hour ":" minute [ ":" second ]
//! zone        = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone
//!
//! obs-year    = [CFWS] 2*DIGIT [CFWS]
//! obs-zone    = "UT" / "GMT" / "EST" / "EDT" / "CST" / "CDT" /
//!               "MST" / "MDT" / "PST" / "PDT" /
//!               %d65-73 / %d75-90 / %d97-105 / %d107-122   ; military
//! ```
//!
//! The parser is lenient where leniency cannot give a wrong time, and
//! refuses the rest:
//!
//! - comments and folding white space are allowed anywhere between the
//!   tokens (section 4.3); day and month names are case-insensitive, and
//!   the full names (`Tuesday`, `July`) are read too;
//! - obsolete forms are read as section 4.3 says and recorded as
//!   [`DefectKind::ObsoleteDate`]: two-digit years (`00`-`49` are 2000-2049,
//!   `50`-`99` are 1950-1999), three-digit years (plus 1900), the zone names
//!   of the United States (`EST` is `-0500`...), `UT` and `GMT`, and the
//!   military letters, which "SHOULD all be considered equivalent to
//!   -0000" (an unknown offset) because their sign was long used both ways;
//! - a zone that is missing or not known (`CEST`, `EST5EDT`) gives the time
//!   with an unknown offset, as section 4.3 says for unknown alphabetic
//!   zones, and a [`DefectKind::NonStandardDate`];
//! - anything else (a day past the end of its month, hour 25, a zone of
//!   `+2500`, text that is not a date) gives `None` and a
//!   [`DefectKind::InvalidDate`]: no time rather than a wrong one;
//! - a day-of-week that does not match the date keeps the date and
//!   records a [`DefectKind::DayOfWeekMismatch`].
//!
//! ```
//! use mailwire_message::date::DateTime;
//!
//! let date = DateTime::parse(b" Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)").unwrap();
//! assert_eq!(date.to_rfc3339(), "1969-02-13T23:32:00-03:30");
//! assert_eq!(date.unix_timestamp(), -27_723_480); // 1969-02-14T03:02:00Z
//! assert_eq!(date.to_string(), "Thu, 13 Feb 1969 23:32:00 -0330");
//! ```

use core::fmt;

use crate::{Defect, DefectKind};

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Monday first, as RFC 5322 lists them.
const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A date and time with the offset from UTC it was written with.
///
/// ```
/// use mailwire_message::date::DateTime;
///
/// let date = DateTime::new(1997, 11, 21, 9, 55, 6, -6 * 60).unwrap();
/// assert_eq!(date.to_string(), "Fri, 21 Nov 1997 09:55:06 -0600");
/// assert_eq!(DateTime::parse(b"Fri, 21 Nov 1997 09:55:06 -0600"), Some(date));
/// assert_eq!(date.unix_timestamp(), 880_127_706);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    offset_minutes: i16,
    unknown_offset: bool,
}

impl DateTime {
    /// A validated date: month 1-12, a day that exists in that month, hour
    /// 0-23, minute 0-59, second 0-60 (a leap second), year 0-9999, offset
    /// within ±23:59.
    ///
    /// ```
    /// use mailwire_message::date::DateTime;
    /// assert!(DateTime::new(2024, 2, 29, 0, 0, 0, 0).is_some());
    /// assert!(DateTime::new(2023, 2, 29, 0, 0, 0, 0).is_none());
    /// ```
    #[must_use]
    pub fn new(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i32,
    ) -> Option<Self> {
        let valid = (0..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour <= 23
            && minute <= 59
            && second <= 60
            && offset_minutes.abs() < 24 * 60;
        valid.then_some(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            offset_minutes: offset_minutes as i16,
            unknown_offset: false,
        })
    }

    /// The time `secs` seconds after 1970-01-01T00:00:00Z, written at
    /// `offset_minutes` from UTC (what a message writer puts in `Date`).
    /// `None` outside years 0-9999 or an offset beyond ±23:59.
    ///
    /// ```
    /// use mailwire_message::date::DateTime;
    /// let date = DateTime::from_unix(0, 60).unwrap();
    /// assert_eq!(date.to_rfc3339(), "1970-01-01T01:00:00+01:00");
    /// ```
    #[must_use]
    pub fn from_unix(secs: i64, offset_minutes: i32) -> Option<Self> {
        if offset_minutes.abs() >= 24 * 60 {
            return None;
        }
        let local = secs.checked_add(i64::from(offset_minutes) * 60)?;
        let (days, rest) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        let year = i32::try_from(year).ok()?;
        Self::new(
            year,
            month,
            day,
            (rest / 3600) as u8,
            (rest / 60 % 60) as u8,
            (rest % 60) as u8,
            offset_minutes,
        )
    }

    /// Parses a `date-time` field value (see the [module documentation](self)).
    #[must_use]
    pub fn parse(raw: &[u8]) -> Option<Self> {
        Self::parse_with_defects(raw, 0, &mut Vec::new())
    }

    /// [`parse`](Self::parse), recording defects at `base` plus their
    /// position in `raw`.
    ///
    /// ```
    /// use mailwire_message::{date::DateTime, DefectKind};
    ///
    /// let mut defects = Vec::new();
    /// let date = DateTime::parse_with_defects(b"21 Nov 97 09:55:06 GMT", 6, &mut defects).unwrap();
    /// assert_eq!(date.to_rfc3339(), "1997-11-21T09:55:06+00:00");
    /// assert_eq!(defects[0].kind(), DefectKind::ObsoleteDate);
    ///
    /// assert_eq!(DateTime::parse_with_defects(b"32 Jan 2024 00:00 +0000", 0, &mut defects), None);
    /// assert_eq!(defects.last().unwrap().kind(), DefectKind::InvalidDate);
    /// ```
    #[must_use]
    pub fn parse_with_defects(raw: &[u8], base: usize, defects: &mut Vec<Defect>) -> Option<Self> {
        let tokens = tokenize(raw);
        let mut reader = Reader {
            tokens: &tokens,
            at: 0,
            raw,
            base,
            notes: Vec::new(),
        };
        match reader.date_time() {
            Some(date) => {
                defects.extend(reader.notes);
                Some(date)
            }
            None => {
                let at = reader.tokens.get(reader.at).map_or(raw.len(), |t| t.start);
                defects.push(Defect::new(base + at, DefectKind::InvalidDate));
                None
            }
        }
    }

    /// The year (`1997`).
    #[must_use]
    pub const fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1-12.
    #[must_use]
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    #[must_use]
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// The hour, 0-23.
    #[must_use]
    pub const fn hour(&self) -> u8 {
        self.hour
    }

    /// The minute, 0-59.
    #[must_use]
    pub const fn minute(&self) -> u8 {
        self.minute
    }

    /// The second, 0-60.
    #[must_use]
    pub const fn second(&self) -> u8 {
        self.second
    }

    /// The offset from UTC in minutes (`-0330` is -210); 0 when unknown.
    #[must_use]
    pub const fn offset_minutes(&self) -> i32 {
        self.offset_minutes as i32
    }

    /// Whether the offset from UTC is unknown: the zone was `-0000`
    /// (RFC 5322 section 3.3), a military letter, or not known.
    ///
    /// ```
    /// use mailwire_message::date::DateTime;
    /// assert!(DateTime::parse(b"1 Jan 2024 00:00 -0000").unwrap().unknown_offset());
    /// assert!(!DateTime::parse(b"1 Jan 2024 00:00 +0000").unwrap().unknown_offset());
    /// ```
    #[must_use]
    pub const fn unknown_offset(&self) -> bool {
        self.unknown_offset
    }

    /// The day of the week, 0 for Monday to 6 for Sunday.
    ///
    /// ```
    /// use mailwire_message::date::DateTime;
    /// assert_eq!(DateTime::new(1970, 1, 1, 0, 0, 0, 0).unwrap().weekday(), 3); // a Thursday
    /// ```
    #[must_use]
    pub fn weekday(&self) -> u8 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        // 1970-01-01 was a Thursday.
        (days + 3).rem_euclid(7) as u8
    }

    /// Seconds since 1970-01-01T00:00:00Z (an unknown offset counts as
    /// UTC).
    #[must_use]
    pub fn unix_timestamp(&self) -> i64 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// RFC 3339 form, always with a numeric offset (`-00:00` when it is
    /// unknown, RFC 3339 section 4.3).
    ///
    /// ```
    /// use mailwire_message::date::DateTime;
    /// let date = DateTime::parse(b"Tue, 1 Jul 2003 10:52:37 +0200").unwrap();
    /// assert_eq!(date.to_rfc3339(), "2003-07-01T10:52:37+02:00");
    /// ```
    #[must_use]
    pub fn to_rfc3339(&self) -> String {
        let (sign, offset) = self.sign_and_offset();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            offset / 60,
            offset % 60
        )
    }

    fn sign_and_offset(&self) -> (char, i32) {
        let offset = i32::from(self.offset_minutes);
        let sign = if offset < 0 || self.unknown_offset {
            '-'
        } else {
            '+'
        };
        (sign, offset.abs())
    }
}

impl fmt::Display for DateTime {
    /// RFC 5322 form: `Tue, 01 Jul 2003 10:52:37 +0200` (`-0000` for an
    /// unknown offset).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = DAYS[usize::from(self.weekday())];
        let month = MONTHS[usize::from(self.month - 1)];
        let (sign, offset) = self.sign_and_offset();
        write!(
            f,
            "{}{}, {:02} {}{} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            day[..1].to_ascii_uppercase(),
            &day[1..3],
            self.day,
            month[..1].to_ascii_uppercase(),
            &month[1..3],
            self.year,
            self.hour,
            self.minute,
            self.second,
            offset / 60,
            offset % 60
        )
    }
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the era-based
/// civil calendar algorithm).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u8;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A token of a date: a run of letters, a run of digits, or one other
/// printable character. Comments and white space separate tokens.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Number,
    Punct(u8),
}

/// Splits `raw` into tokens, dropping white space and (nested) comments.
/// Linear in the input; a comment left open swallows the rest.
fn tokenize(raw: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if b == b'(' {
            let mut depth = 0usize;
            while i < raw.len() {
                match raw[i] {
                    b'\\' => i += 1,
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        } else {
            let start = i;
            let kind = if b.is_ascii_alphabetic() {
                while i < raw.len() && raw[i].is_ascii_alphabetic() {
                    i += 1;
                }
                Kind::Word
            } else if b.is_ascii_digit() {
                while i < raw.len() && raw[i].is_ascii_digit() {
                    i += 1;
                }
                Kind::Number
            } else {
                i += 1;
                Kind::Punct(b)
            };
            tokens.push(Token {
                start,
                end: i,
                kind,
            });
        }
    }
    tokens
}

struct Reader<'t> {
    tokens: &'t [Token],
    at: usize,
    raw: &'t [u8],
    base: usize,
    /// Defects of a date that parses (dropped when it does not).
    notes: Vec<Defect>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.at).copied()
    }

    fn text(&self, token: Token) -> &[u8] {
        &self.raw[token.start..token.end]
    }

    fn note(&mut self, token_start: usize, kind: DefectKind) {
        self.notes.push(Defect::new(self.base + token_start, kind));
    }

    fn punct(&mut self, c: u8) -> bool {
        if self.peek().is_some_and(|t| t.kind == Kind::Punct(c)) {
            self.at += 1;
            return true;
        }
        false
    }

    /// A number of `min..=max` digits, with its value and token.
    fn number(&mut self, min: usize, max: usize) -> Option<(u32, Token)> {
        let token = self.peek().filter(|t| t.kind == Kind::Number)?;
        let len = token.end - token.start;
        if len < min || len > max {
            return None;
        }
        self.at += 1;
        let value = self
            .text(token)
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        Some((value, token))
    }

    /// A day or month name, abbreviated or in full: its index.
    fn name(&mut self, names: &[&str]) -> Option<(usize, Token)> {
        let token = self.peek().filter(|t| t.kind == Kind::Word)?;
        let word = self.text(token).to_ascii_lowercase();
        let index = names.iter().position(|name| {
            word.len() >= 3
                && name.as_bytes().starts_with(&word)
                && (word.len() == 3 || word.len() == name.len())
        })?;
        self.at += 1;
        Some((index, token))
    }

    fn date_time(&mut self) -> Option<DateTime> {
        let day_of_week = self.name(&DAYS);
        if day_of_week.is_some() {
            self.punct(b',');
        }
        let (day, _) = self.number(1, 2)?;
        let (month, _) = self.name(&MONTHS)?;
        let (year, year_token) = self.number(2, 9)?;
        let year = match year_token.end - year_token.start {
            2 => {
                self.note(year_token.start, DefectKind::ObsoleteDate);
                if year < 50 { 2000 + year } else { 1900 + year }
            }
            3 => {
                self.note(year_token.start, DefectKind::ObsoleteDate);
                1900 + year
            }
            _ => year,
        };
        let (hour, _) = self.number(1, 2)?;
        if !self.punct(b':') {
            return None;
        }
        let (minute, _) = self.number(1, 2)?;
        let second = if self.punct(b':') {
            self.number(1, 2)?.0
        } else {
            0
        };
        let (offset, unknown) = self.zone()?;
        // Anything after the zone but comments and white space: not a date.
        if self.at != self.tokens.len() {
            return None;
        }
        let mut date = DateTime::new(
            i32::try_from(year).ok()?,
            month as u8 + 1,
            u8::try_from(day).ok()?,
            u8::try_from(hour).ok()?,
            u8::try_from(minute).ok()?,
            u8::try_from(second).ok()?,
            offset,
        )?;
        date.unknown_offset = unknown;
        if let Some((weekday, token)) = day_of_week
            && usize::from(date.weekday()) != weekday
        {
            self.note(token.start, DefectKind::DayOfWeekMismatch);
        }
        Some(date)
    }

    /// The zone as (offset in minutes, whether unknown).
    fn zone(&mut self) -> Option<(i32, bool)> {
        let Some(token) = self.peek() else {
            // No zone at all: the local time of somewhere unknown.
            self.note(self.raw.len(), DefectKind::NonStandardDate);
            return Some((0, true));
        };
        match token.kind {
            Kind::Punct(sign @ (b'+' | b'-')) => {
                self.at += 1;
                let (hhmm, _) = self.number(4, 4)?;
                let (hours, minutes) = (hhmm / 100, hhmm % 100);
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let offset = (hours * 60 + minutes) as i32;
                // "-0000": the time is UTC, the local offset unknown.
                let unknown = sign == b'-' && offset == 0;
                Some((if sign == b'-' { -offset } else { offset }, unknown))
            }
            Kind::Word => {
                // The zone is the whole run of adjacent tokens: `EST5EDT` is
                // one (unknown) name, not `EST` and junk.
                let first = self.at;
                self.at += 1;
                while let Some(next) = self.tokens.get(self.at)
                    && next.start == self.tokens[self.at - 1].end
                    && !matches!(next.kind, Kind::Punct(_))
                {
                    self.at += 1;
                }
                let run = self.at - first;
                let name = self.text(token).to_ascii_uppercase();
                let offset = match name.as_slice() {
                    _ if run > 1 => None,
                    b"UT" | b"GMT" => Some(0),
                    b"EDT" => Some(-4),
                    b"EST" | b"CDT" => Some(-5),
                    b"CST" | b"MDT" => Some(-6),
                    b"MST" | b"PDT" => Some(-7),
                    b"PST" => Some(-8),
                    _ => None,
                };
                match offset {
                    Some(hours) => {
                        self.note(token.start, DefectKind::ObsoleteDate);
                        Some((hours * 60, false))
                    }
                    None if run == 1 && name.len() == 1 && name[0] != b'J' => {
                        // Military zones: -0000 (RFC 5322 section 4.3).
                        self.note(token.start, DefectKind::ObsoleteDate);
                        Some((0, true))
                    }
                    None => {
                        // An unknown zone name (`CEST`, `EST5EDT`): offset
                        // unknown, RFC 5322 section 4.3.
                        self.note(token.start, DefectKind::NonStandardDate);
                        Some((0, true))
                    }
                }
            }
            _ => None,
        }
    }
}
