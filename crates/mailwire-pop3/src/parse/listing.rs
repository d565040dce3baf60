//! What the line-by-line body reader does with a run of plain lines: lend
//! each to the application ([`EachLine`]), or parse `LIST` and `UIDL`
//! entries ([`ScanLines`], [`UidLines`]), the common shapes in one pass
//! that finds the fields and the line end together.
//!
//! Every fast path accepts only lines the general parser accepts, and
//! gives the same entry (the tests compare them); anything else goes to
//! the general parser.

use super::reader::{crlf_line, plain_lines};
use super::response::printable_bytes;
use super::{ResponseError, short_number};
use crate::types::{ScanListing, UniqueIdListing};

/// Where body lines go.
pub(crate) trait LineSink {
    /// Takes the plain lines at the front of `input` (each ending in
    /// CRLF within `limit` bytes, holding no other CR or LF, not starting
    /// with a period); returns how many bytes they span. It may stop
    /// early; the reader takes the next line itself.
    fn plain_run(&mut self, input: &[u8], limit: usize) -> usize;

    /// Takes one unstuffed line, line ending included.
    fn line(&mut self, line: &[u8]);
}

/// Lends every line to a closure.
pub(crate) struct EachLine<F>(pub(crate) F);

impl<F: FnMut(&[u8])> LineSink for EachLine<F> {
    #[inline(always)]
    fn plain_run(&mut self, input: &[u8], limit: usize) -> usize {
        plain_lines(input, limit, &mut self.0)
    }

    #[inline(always)]
    fn line(&mut self, line: &[u8]) {
        (self.0)(line);
    }
}

/// Parses every line as a scan listing.
pub(crate) struct ScanLines<F>(pub(crate) F);

impl<F: FnMut(Result<ScanListing, ResponseError>)> LineSink for ScanLines<F> {
    #[inline(always)]
    fn plain_run(&mut self, input: &[u8], limit: usize) -> usize {
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            if let Some((scan, len)) = simple_scan(rest).filter(|&(_, len)| len <= limit) {
                (self.0)(Ok(scan));
                pos += len;
            } else if let Some(len) = plain_line(rest, limit) {
                (self.0)(ScanListing::parse(&rest[..len]));
                pos += len;
            } else {
                return pos;
            }
        }
    }

    #[inline(always)]
    fn line(&mut self, line: &[u8]) {
        (self.0)(ScanListing::parse(line));
    }
}

/// Parses every line as a unique-id listing.
pub(crate) struct UidLines<F>(pub(crate) F);

impl<F: FnMut(Result<UniqueIdListing<'_>, ResponseError>)> LineSink for UidLines<F> {
    #[inline(always)]
    fn plain_run(&mut self, input: &[u8], limit: usize) -> usize {
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            if let Some((uid, len)) = simple_uid(rest).filter(|&(_, len)| len <= limit) {
                (self.0)(Ok(uid));
                pos += len;
            } else if let Some(len) = plain_line(rest, limit) {
                (self.0)(UniqueIdListing::parse(&rest[..len]));
                pos += len;
            } else {
                return pos;
            }
        }
    }

    #[inline(always)]
    fn line(&mut self, line: &[u8]) {
        (self.0)(UniqueIdListing::parse(line));
    }
}

/// The length of a plain line at the front of `input` (see
/// [`LineSink::plain_run`]).
#[inline(always)]
fn plain_line(input: &[u8], limit: usize) -> Option<usize> {
    if input.first() == Some(&b'.') {
        return None;
    }
    crlf_line(input, limit)
}

/// `msg SP size CRLF` with numbers of fewer than eight digits, read eight
/// bytes at a time; the entry and the line's length.
#[inline(always)]
fn simple_scan(line: &[u8]) -> Option<(ScanListing, usize)> {
    let (msg_len, Some(msg)) = short_number(line)? else {
        return None;
    };
    if line.get(msg_len) != Some(&b' ') {
        return None;
    }
    let (size_len, Some(size)) = short_number(&line[msg_len + 1..])? else {
        return None;
    };
    let end = msg_len + 1 + size_len;
    if line.get(end..end + 2) != Some(b"\r\n") {
        return None;
    }
    // Fewer than eight digits always fit a u32.
    let msg = u32::try_from(msg).ok()?;
    Some((ScanListing { msg, size }, end + 2))
}

/// `msg SP unique-id CRLF` with a message number of fewer than eight
/// digits: the id's bytes checked and its end found eight at a time; the
/// entry and the line's length.
#[inline(always)]
fn simple_uid(line: &[u8]) -> Option<(UniqueIdListing<'_>, usize)> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (msg_len, Some(msg)) = short_number(line)? else {
        return None;
    };
    if line.get(msg_len) != Some(&b' ') {
        return None;
    }
    let start = msg_len + 1;
    let mut end = start;
    loop {
        let word = u64::from_le_bytes(line.get(end..end + 8)?.try_into().ok()?);
        let outside = !printable_bytes(word) & HIGH;
        if outside != 0 {
            end += (outside.trailing_zeros() / 8) as usize;
            break;
        }
        end += 8;
        if end - start > 70 {
            return None;
        }
    }
    if !(1..=70).contains(&(end - start)) || line.get(end..end + 2) != Some(b"\r\n") {
        return None;
    }
    // Only bytes 0x21..=0x7E passed: ASCII.
    let uid = core::str::from_utf8(&line[start..end]).ok()?;
    let msg = u32::try_from(msg).ok()?;
    Some((UniqueIdListing { msg, uid }, end + 2))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Lines near the fast paths' edges: digits, spaces, id bytes, bare
    /// CR and LF, periods, bytes out of range.
    fn near_listing() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop::sample::select(vec![
            &b"1"[..],
            b"12345",
            b"1234567",
            b"12345678",
            b"0",
            b" ",
            b"  ",
            b"\r\n",
            b"\r",
            b"\n",
            b".",
            b"abc",
            b"~!",
            b"\x7f",
            b"\x80",
            b"\x20",
            b"x",
            b"=+/:",
        ]);
        prop::collection::vec(pieces, 0..10).prop_map(|p| p.concat())
    }

    proptest! {
        /// The fast paths never take a line the general parsers refuse,
        /// and give the same entry and length when they take one.
        #[test]
        fn fast_paths_agree_with_the_parsers(line in near_listing()) {
            if let Some((scan, len)) = simple_scan(&line) {
                prop_assert!(line[..len].ends_with(b"\r\n"));
                prop_assert_eq!(crlf_line(&line, 512), Some(len));
                prop_assert_eq!(ScanListing::parse(&line[..len]), Ok(scan));
            }
            if let Some((uid, len)) = simple_uid(&line) {
                prop_assert!(line[..len].ends_with(b"\r\n"));
                prop_assert_eq!(crlf_line(&line, 512), Some(len));
                prop_assert_eq!(UniqueIdListing::parse(&line[..len]), Ok(uid));
            }
        }
    }

    #[test]
    fn fast_paths_take_the_common_lines() {
        let scan = b"1234 567890\r\n2 3\r\n";
        assert_eq!(
            simple_scan(scan),
            Some((
                ScanListing {
                    msg: 1234,
                    size: 567_890
                },
                13
            ))
        );
        // Fewer than eight bytes left for the second number: the general way.
        assert_eq!(simple_scan(b"1 2\r\n"), None);
        let uid = b"17 0123abcd4567ef01.000017\r\n........";
        let (entry, len) = simple_uid(uid).unwrap();
        assert_eq!(
            (entry.msg, entry.uid, len),
            (17, "0123abcd4567ef01.000017", 28)
        );
        assert_eq!(simple_uid(b"1 two words\r\n........"), None);
        let long = [&b"1 "[..], &[b'x'; 71], b"\r\n........"].concat();
        assert_eq!(simple_uid(&long), None, "71 characters");
        let ok = [&b"1 "[..], &[b'x'; 70], b"\r\n........"].concat();
        assert_eq!(simple_uid(&ok).map(|(u, _)| u.uid.len()), Some(70));
    }
}
