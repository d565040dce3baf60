//! The base64 Content-Transfer-Encoding (RFC 2045 section 6.8, RFC 4648
//! section 4), standard alphabet with `=` padding.
//!
//! Decoding is hand-written: complete groups of four alphabet characters go
//! through a table-driven loop that checks 32 input bytes at a time, and
//! everything else (line breaks, a group split by a line break or a chunk
//! boundary, padding, junk) through a byte-at-a-time state machine. It is
//! faster than `base64::engine::general_purpose::STANDARD.decode` on
//! unwrapped input and needs no copy to strip line breaks from MIME input.
//! Encoding uses the `base64` crate's engine line by line, writing straight
//! into the output.
//!
//! ```
//! use mailwire_core::encoding::base64;
//!
//! let mut wire = Vec::new();
//! base64::encode_wrapped(b"any bytes \x00\xff", 76, &mut wire);
//! assert_eq!(wire, b"YW55IGJ5dGVzIAD/");
//! assert_eq!(base64::decode(&wire)?, b"any bytes \x00\xff");
//! # Ok::<(), mailwire_core::Error>(())
//! ```

use ::base64::Engine as _;
use ::base64::engine::general_purpose::STANDARD;

use super::Strictness;
use crate::{Error, ErrorKind};

/// The line length RFC 2045 section 6.8 requires at most: 76 characters.
pub const LINE_LEN: usize = 76;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Marks a non-alphabet byte in [`DECODE`].
const INVALID: u8 = 0xff;
/// Set in the `D*` tables for a non-alphabet byte; never set by valid ones.
const BAD: u32 = 0x8000_0000;

/// The 6-bit value of each alphabet byte, [`INVALID`] for the others.
static DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The value of a byte in position `pos` (0..4) of a group, already shifted
/// into place in the 24-bit group value, or [`BAD`].
const fn shifted_table(pos: u32) -> [u32; 256] {
    let mut t = [BAD; 256];
    let mut i = 0;
    while i < 256 {
        if DECODE[i] != INVALID {
            t[i] = (DECODE[i] as u32) << (18 - 6 * pos);
        }
        i += 1;
    }
    t
}

static D0: [u32; 256] = shifted_table(0);
static D1: [u32; 256] = shifted_table(1);
static D2: [u32; 256] = shifted_table(2);
static D3: [u32; 256] = shifted_table(3);

/// Decodes base64 in chunks of any size (RFC 2045 section 6.8).
///
/// Call [`decode`](Self::decode) for each chunk of the encoded body, then
/// [`finish`](Self::finish) once. The output is the same for every way of
/// splitting the input; at most three characters of an incomplete group are
/// held between calls.
///
/// [`Strictness::Lenient`] (the default) never fails:
///
/// - every byte outside the base64 alphabet is skipped (RFC 2045: "any
///   characters outside of the base64 alphabet are to be ignored"), so line
///   breaks of any kind, spaces and junk do no harm;
/// - the first `=` ends the data: a pending group of two or three characters
///   gives its one or two bytes and everything after it is ignored;
/// - missing padding is accepted at the end; a final lone character (six
///   bits, not a byte) is dropped; non-zero bits after the last byte are
///   ignored.
///
/// [`Strictness::Strict`] accepts only the alphabet, CRLF line breaks
/// (anywhere, any line length) and correct padding (RFC 4648 section 3.5,
/// including zero pad bits) followed by nothing but CRLFs. Anything else is an
/// [`ErrorKind::InvalidBase64`] at the offset of the offending byte, counted
/// from the start of the stream; a group left incomplete is reported at the
/// end of the stream by `finish`.
///
/// After an error the decoder keeps returning that error until `finish`,
/// which returns it too and resets the decoder.
///
/// ```
/// use mailwire_core::encoding::{Base64Decoder, Strictness};
///
/// let mut decoder = Base64Decoder::new();
/// let mut out = Vec::new();
/// decoder.decode(b"SGVsbG8g\r\nV29y", &mut out)?;
/// decoder.decode(b"bGQ", &mut out)?;
/// decoder.finish(&mut out)?; // no padding: fine when lenient
/// assert_eq!(out, b"Hello World");
///
/// let mut strict = Base64Decoder::with_strictness(Strictness::Strict);
/// let mut out = Vec::new();
/// strict.decode(b"SGVsbG8g\r\nV29y", &mut out)?;
/// strict.decode(b"bGQ", &mut out)?;
/// let err = strict.finish(&mut out).unwrap_err();
/// assert_eq!(err.offset(), 17);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Base64Decoder {
    strictness: Strictness,
    /// 6-bit values of the characters of the current incomplete group.
    quad: [u8; 4],
    quad_len: usize,
    /// Strict: one `=` seen after two characters, a second one must follow.
    pad_pending: bool,
    /// The padding was seen: the data is over.
    done: bool,
    /// Strict: the offset of a CR whose LF has not been seen yet.
    cr_at: Option<usize>,
    /// Stream offset of the start of the next chunk.
    offset: usize,
    /// Stream offset of the last alphabet character fed to `quad`.
    last_at: usize,
    error: Option<Error>,
}

impl Base64Decoder {
    /// A lenient decoder ([`Strictness::Lenient`]).
    ///
    /// ```
    /// use mailwire_core::encoding::Base64Decoder;
    /// let mut out = Vec::new();
    /// let mut decoder = Base64Decoder::new();
    /// decoder.decode(b"YW Jj\t!", &mut out)?;
    /// decoder.finish(&mut out)?;
    /// assert_eq!(out, b"abc");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with the given strictness.
    ///
    /// ```
    /// use mailwire_core::encoding::{Base64Decoder, Strictness};
    /// let decoder = Base64Decoder::with_strictness(Strictness::Strict);
    /// assert_eq!(decoder.strictness(), Strictness::Strict);
    /// ```
    #[must_use]
    pub fn with_strictness(strictness: Strictness) -> Self {
        Self {
            strictness,
            ..Self::default()
        }
    }

    /// The strictness this decoder was made with.
    ///
    /// ```
    /// use mailwire_core::encoding::{Base64Decoder, Strictness};
    /// assert_eq!(Base64Decoder::new().strictness(), Strictness::Lenient);
    /// ```
    #[must_use]
    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// Decodes the next chunk of the stream, appending to `out`.
    ///
    /// # Errors
    ///
    /// Only in [`Strictness::Strict`] mode: [`ErrorKind::InvalidBase64`] at
    /// the stream offset of the first byte that is not allowed. `out` then
    /// holds the bytes decoded before it.
    ///
    /// ```
    /// use mailwire_core::encoding::Base64Decoder;
    /// let mut decoder = Base64Decoder::new();
    /// let mut out = Vec::new();
    /// decoder.decode(b"Zm9v", &mut out)?;
    /// assert_eq!(out, b"foo");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let start = out.len();
        // Pending characters plus the input, in whole groups of 3 bytes, plus
        // room for the 8-byte stores of the fast loop.
        let bound = (input.len() / 4 + 1)
            .saturating_mul(3)
            .saturating_add(start)
            .saturating_add(SLACK);
        out.resize(bound, 0);
        let (written, result) = self.decode_into(input, &mut out[start..]);
        out.truncate(start + written);
        self.offset = self.offset.saturating_add(input.len());
        if let Err(err) = result {
            self.error = Some(err);
        }
        result
    }

    /// Ends the stream: decodes what is left of the last group and resets the
    /// decoder for a new stream (same strictness).
    ///
    /// # Errors
    ///
    /// Only in [`Strictness::Strict`] mode: [`ErrorKind::InvalidBase64`] when
    /// the last group is incomplete or the padding unfinished (at the offset
    /// of the end of the stream), or a CR ends the stream (at its offset), or
    /// an earlier error was returned.
    ///
    /// ```
    /// use mailwire_core::encoding::Base64Decoder;
    /// let mut decoder = Base64Decoder::new();
    /// let mut out = Vec::new();
    /// decoder.decode(b"Zm9vYg", &mut out)?;
    /// assert_eq!(out, b"foo");
    /// decoder.finish(&mut out)?;
    /// assert_eq!(out, b"foob");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let this = core::mem::replace(self, Self::with_strictness(self.strictness));
        if let Some(err) = this.error {
            return Err(err);
        }
        if this.strictness.is_strict() {
            if let Some(cr) = this.cr_at {
                return Err(invalid(cr));
            }
            if this.pad_pending || this.quad_len != 0 {
                return Err(invalid(this.offset));
            }
            return Ok(());
        }
        let q = this.quad;
        match this.quad_len {
            2 => out.push(q[0] << 2 | q[1] >> 4),
            3 => out.extend_from_slice(&[q[0] << 2 | q[1] >> 4, q[1] << 4 | q[2] >> 2]),
            _ => {}
        }
        Ok(())
    }

    /// Decodes `input` into `out`, which has room for every byte it can
    /// produce plus [`SLACK`]. Returns the number of bytes written, and the
    /// error that stopped decoding, if any.
    fn decode_into(&mut self, input: &[u8], out: &mut [u8]) -> (usize, Result<(), Error>) {
        let mut i = 0;
        let mut o = 0;
        // MIME input is lines of one length: once a CRLF ended a line of
        // whole groups, expect the next CRLF as far on, and decode the line
        // between without looking for it.
        let mut line = 0;
        let mut line_start = 0;
        while i < input.len() {
            if self.quad_len == 0 && !self.done && self.cr_at.is_none() && !self.pad_pending {
                loop {
                    let end = i + line;
                    if line > 0 && input.get(end..end + 2) == Some(b"\r\n") {
                        (i, o) = fast_groups(&input[..end], i, out, o);
                        if i == end {
                            i += 2;
                            continue;
                        }
                        line = 0;
                        break;
                    }
                    (i, o) = fast_groups(input, i, out, o);
                    if input.get(i..i + 2) == Some(b"\r\n") {
                        let len = i - line_start;
                        line = if len % 4 == 0 { len } else { 0 };
                        i += 2;
                        line_start = i;
                        continue;
                    }
                    break;
                }
                if i >= input.len() {
                    break;
                }
            }
            let at = self.offset.saturating_add(i);
            if let Err(err) = self.slow_byte(input[i], at, out, &mut o) {
                return (o, Err(err));
            }
            i += 1;
        }
        (o, Ok(()))
    }

    /// One byte the fast loop could not take.
    fn slow_byte(&mut self, b: u8, at: usize, out: &mut [u8], o: &mut usize) -> Result<(), Error> {
        let strict = self.strictness.is_strict();
        if strict {
            if let Some(cr) = self.cr_at {
                if b == b'\n' {
                    self.cr_at = None;
                    return Ok(());
                }
                return Err(invalid(cr));
            }
            match b {
                b'\r' => {
                    self.cr_at = Some(at);
                    return Ok(());
                }
                b'\n' => return Err(invalid(at)),
                _ => {}
            }
        }
        if self.done {
            return if strict { Err(invalid(at)) } else { Ok(()) };
        }
        let v = DECODE[b as usize];
        if v != INVALID {
            if self.pad_pending {
                return Err(invalid(at));
            }
            self.quad[self.quad_len] = v;
            self.quad_len += 1;
            self.last_at = at;
            if self.quad_len == 4 {
                let q = self.quad;
                put(
                    out,
                    o,
                    &[
                        q[0] << 2 | q[1] >> 4,
                        q[1] << 4 | q[2] >> 2,
                        q[2] << 6 | q[3],
                    ],
                );
                self.quad_len = 0;
            }
            return Ok(());
        }
        if b != b'=' {
            return if strict { Err(invalid(at)) } else { Ok(()) };
        }
        // Padding.
        let q = self.quad;
        if !strict {
            match self.quad_len {
                2 => put(out, o, &[q[0] << 2 | q[1] >> 4]),
                3 => put(out, o, &[q[0] << 2 | q[1] >> 4, q[1] << 4 | q[2] >> 2]),
                _ => {}
            }
            self.quad_len = 0;
            self.done = true;
            return Ok(());
        }
        if self.pad_pending {
            self.pad_pending = false;
            self.done = true;
            return Ok(());
        }
        match self.quad_len {
            2 if q[1] & 0x0f == 0 => {
                put(out, o, &[q[0] << 2 | q[1] >> 4]);
                self.pad_pending = true;
            }
            3 if q[2] & 0x03 == 0 => {
                put(out, o, &[q[0] << 2 | q[1] >> 4, q[1] << 4 | q[2] >> 2]);
                self.done = true;
            }
            // Non-zero pad bits: the last character is wrong.
            2 | 3 => return Err(invalid(self.last_at)),
            _ => return Err(invalid(at)),
        }
        self.quad_len = 0;
        Ok(())
    }
}

/// Extra room the fast loop needs after the last decoded byte.
const SLACK: usize = 8;

/// Decodes complete groups of four alphabet bytes from `input[i..]` into
/// `out[o..]` until a group holds another byte or fewer than four bytes are
/// left. Returns the new positions.
#[inline(always)]
fn fast_groups(input: &[u8], i: usize, out: &mut [u8], o: usize) -> (usize, usize) {
    // Vector blocks first where the CPU has them, then the portable loops.
    let (mut i, mut o) = super::base64_simd::decode_blocks(input, i, out, o);
    // 32 bytes in, 24 out, one check.
    while let (Some(src), Some(dst)) = (
        input.get(i..).and_then(<[u8]>::first_chunk::<32>),
        out.get_mut(o..).and_then(<[u8]>::first_chunk_mut::<26>),
    ) {
        let [
            a0,
            a1,
            a2,
            a3,
            b0,
            b1,
            b2,
            b3,
            c0,
            c1,
            c2,
            c3,
            d0,
            d1,
            d2,
            d3,
            e0,
            e1,
            e2,
            e3,
            f0,
            f1,
            f2,
            f3,
            g0,
            g1,
            g2,
            g3,
            h0,
            h1,
            h2,
            h3,
        ] = *src;
        let a = group4(a0, a1, a2, a3);
        let b = group4(b0, b1, b2, b3);
        let c = group4(c0, c1, c2, c3);
        let d = group4(d0, d1, d2, d3);
        let e = group4(e0, e1, e2, e3);
        let f = group4(f0, f1, f2, f3);
        let g = group4(g0, g1, g2, g3);
        let h = group4(h0, h1, h2, h3);
        if (a | b | c | d | e | f | g | h) & BAD != 0 {
            break;
        }
        dst[0..8].copy_from_slice(&pair(a, b));
        dst[6..14].copy_from_slice(&pair(c, d));
        dst[12..20].copy_from_slice(&pair(e, f));
        dst[18..26].copy_from_slice(&pair(g, h));
        i += 32;
        o += 24;
    }
    // Then group by group up to the first byte that is not in the alphabet.
    while let (Some(&[b0, b1, b2, b3]), Some(dst)) = (
        input.get(i..).and_then(<[u8]>::first_chunk::<4>),
        out.get_mut(o..).and_then(<[u8]>::first_chunk_mut::<4>),
    ) {
        let v = group4(b0, b1, b2, b3);
        if v & BAD != 0 {
            break;
        }
        *dst = (v << 8).to_be_bytes();
        i += 4;
        o += 3;
    }
    (i, o)
}

/// The 24-bit value of four alphabet bytes, with [`BAD`] set if any is not.
#[inline(always)]
fn group4(b0: u8, b1: u8, b2: u8, b3: u8) -> u32 {
    D0[usize::from(b0)] | D1[usize::from(b1)] | D2[usize::from(b2)] | D3[usize::from(b3)]
}

/// Two decoded groups as the first six of eight bytes.
#[inline(always)]
fn pair(a: u32, b: u32) -> [u8; 8] {
    ((u64::from(a) << 40) | (u64::from(b) << 16)).to_be_bytes()
}

/// Writes `bytes` at `out[*o..]`. The caller sized `out` so that they fit.
#[inline]
fn put(out: &mut [u8], o: &mut usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(*o..*o + bytes.len()) {
        dst.copy_from_slice(bytes);
        *o += bytes.len();
    }
}

fn invalid(at: usize) -> Error {
    Error::new(at, ErrorKind::InvalidBase64)
}

/// Decodes a whole base64 body leniently (see [`Base64Decoder`]).
///
/// # Errors
///
/// None in practice: lenient decoding never fails. The `Result` leaves room
/// for limits in a future version.
///
/// ```
/// use mailwire_core::encoding::base64;
/// assert_eq!(base64::decode(b"TWFu\r\nTWE=\r\n")?, b"ManMa");
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn decode(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut decoder = Base64Decoder::new();
    let mut out = vec![
        0;
        (input.len() / 4 + 1)
            .saturating_mul(3)
            .saturating_add(SLACK)
    ];
    let (written, result) = decoder.decode_into(input, &mut out);
    out.truncate(written);
    decoder.offset = input.len();
    result?;
    decoder.finish(&mut out)?;
    Ok(out)
}

/// Decodes a whole base64 body leniently, appending to `out`.
///
/// # Errors
///
/// None in practice, as for [`decode`].
///
/// ```
/// use mailwire_core::encoding::base64;
/// let mut out = b"> ".to_vec();
/// base64::decode_to(b"aGk=", &mut out)?;
/// assert_eq!(out, b"> hi");
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn decode_to(input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let mut decoder = Base64Decoder::new();
    decoder.decode(input, out)?;
    decoder.finish(out)
}

/// The effective line length for a requested one: rounded down to a
/// multiple of 4, at least 4; 0 stays 0 (no wrapping).
const fn effective_line_len(line_len: usize) -> usize {
    if line_len == 0 {
        0
    } else if line_len < 4 {
        4
    } else {
        line_len / 4 * 4
    }
}

/// The exact length of [`encode_wrapped`]`(input, line_len, _)` for an input
/// of `n` bytes. Saturates at `usize::MAX`.
///
/// ```
/// use mailwire_core::encoding::base64::{encoded_len, LINE_LEN};
/// assert_eq!(encoded_len(0, LINE_LEN), 0);
/// assert_eq!(encoded_len(57, LINE_LEN), 76);
/// assert_eq!(encoded_len(58, LINE_LEN), 76 + 2 + 4);
/// assert_eq!(encoded_len(58, 0), 80);
/// ```
#[must_use]
pub const fn encoded_len(n: usize, line_len: usize) -> usize {
    let chars = (n / 3 + (n % 3 != 0) as usize).saturating_mul(4);
    let line_len = effective_line_len(line_len);
    if line_len == 0 || chars == 0 {
        chars
    } else {
        chars.saturating_add(((chars - 1) / line_len).saturating_mul(2))
    }
}

/// Encodes `input` as base64 with padding, appending to `out`, with a CRLF
/// after every `line_len` characters (use [`LINE_LEN`], 76, for MIME).
///
/// `line_len` is rounded down to a multiple of 4 (at least 4); 0 means one
/// unbroken line. Lines are separated by CRLF: there is no CRLF after the
/// last line, so the caller adds the line ending its framing needs.
///
/// ```
/// use mailwire_core::encoding::base64::encode_wrapped;
///
/// let mut out = Vec::new();
/// encode_wrapped(b"Many hands make light work.", 18, &mut out);
/// assert_eq!(out, b"TWFueSBoYW5kcyBt\r\nYWtlIGxpZ2h0IHdv\r\ncmsu");
/// ```
pub fn encode_wrapped(input: &[u8], line_len: usize, out: &mut Vec<u8>) {
    let mut encoder = Base64Encoder::new(line_len);
    encoder.encode(input, out);
    encoder.finish(out);
}

/// Encodes base64 in chunks of any size, wrapping lines like
/// [`encode_wrapped`]: the concatenated output is the same bytes as
/// `encode_wrapped` on the concatenated input.
///
/// At most two input bytes are held between calls.
///
/// ```
/// use mailwire_core::encoding::base64::{encode_wrapped, Base64Encoder};
///
/// let data: Vec<u8> = (0..200u8).collect();
/// let mut encoder = Base64Encoder::new(76);
/// let mut streamed = Vec::new();
/// for chunk in data.chunks(7) {
///     encoder.encode(chunk, &mut streamed);
/// }
/// encoder.finish(&mut streamed);
///
/// let mut whole = Vec::new();
/// encode_wrapped(&data, 76, &mut whole);
/// assert_eq!(streamed, whole);
/// ```
#[derive(Debug, Clone)]
pub struct Base64Encoder {
    /// Effective line length, 0 for none.
    line_len: usize,
    /// Characters on the current output line.
    col: usize,
    tail: [u8; 3],
    tail_len: usize,
}

impl Default for Base64Encoder {
    /// An encoder wrapping at [`LINE_LEN`] (76).
    fn default() -> Self {
        Self::new(LINE_LEN)
    }
}

impl Base64Encoder {
    /// An encoder with a CRLF after every `line_len` characters (rounded
    /// down to a multiple of 4, at least 4; 0 for no wrapping).
    ///
    /// ```
    /// use mailwire_core::encoding::Base64Encoder;
    /// let mut encoder = Base64Encoder::new(0);
    /// let mut out = Vec::new();
    /// encoder.encode(b"hi", &mut out);
    /// encoder.finish(&mut out);
    /// assert_eq!(out, b"aGk=");
    /// ```
    #[must_use]
    pub const fn new(line_len: usize) -> Self {
        Self {
            line_len: effective_line_len(line_len),
            col: 0,
            tail: [0; 3],
            tail_len: 0,
        }
    }

    /// Encodes the next chunk, appending to `out`. Up to two bytes are held
    /// for the next call or [`finish`](Self::finish).
    ///
    /// ```
    /// use mailwire_core::encoding::Base64Encoder;
    /// let mut encoder = Base64Encoder::default();
    /// let mut out = Vec::new();
    /// encoder.encode(b"abcd", &mut out);
    /// assert_eq!(out, b"YWJj");
    /// ```
    pub fn encode(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        if self.tail_len > 0 {
            let take = (3 - self.tail_len).min(input.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&input[..take]);
            self.tail_len += take;
            input = &input[take..];
            if self.tail_len < 3 {
                return;
            }
            let tail = self.tail;
            self.tail_len = 0;
            self.encode_triples(&tail, out);
        }
        let whole = input.len() / 3 * 3;
        self.encode_triples(&input[..whole], out);
        let rest = &input[whole..];
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    /// Encodes the last one or two held bytes with padding and resets the
    /// encoder for a new stream.
    ///
    /// ```
    /// use mailwire_core::encoding::Base64Encoder;
    /// let mut encoder = Base64Encoder::default();
    /// let mut out = Vec::new();
    /// encoder.encode(b"abcd", &mut out);
    /// encoder.finish(&mut out);
    /// assert_eq!(out, b"YWJjZA==");
    /// ```
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.tail_len > 0 {
            if self.line_len != 0 && self.col == self.line_len {
                out.extend_from_slice(b"\r\n");
            }
            let mut quad = [0; 4];
            let n = STANDARD
                .encode_slice(&self.tail[..self.tail_len], &mut quad)
                .unwrap_or(0);
            out.extend_from_slice(&quad[..n]);
        }
        *self = Self::new(self.line_len);
    }

    /// Encodes `data` (a multiple of 3 bytes long), breaking lines.
    ///
    /// The engine runs fastest on long inputs, so the data is encoded a few
    /// KiB at a time into a scratch buffer and the lines are then copied out
    /// with their CRLFs (measured: faster than one engine call per line).
    fn encode_triples(&mut self, data: &[u8], out: &mut Vec<u8>) {
        let quads = data.len() / 3;
        if quads == 0 {
            return;
        }
        if self.line_len == 0 {
            let start = out.len();
            out.resize(start + quads * 4, 0);
            let _ = STANDARD.encode_slice(data, &mut out[start..]);
            return;
        }
        let breaks = (self.col + quads * 4 - 1) / self.line_len;
        out.reserve(quads * 4 + breaks * 2);
        const SCRATCH: usize = 8192;
        let mut scratch = [0u8; SCRATCH];
        for piece in data.chunks(SCRATCH / 4 * 3) {
            let n = STANDARD.encode_slice(piece, &mut scratch).unwrap_or(0);
            let mut chars = &scratch[..n];
            while !chars.is_empty() {
                if self.col == self.line_len {
                    out.extend_from_slice(b"\r\n");
                    self.col = 0;
                }
                let take = (self.line_len - self.col).min(chars.len());
                out.extend_from_slice(&chars[..take]);
                self.col += take;
                chars = &chars[take..];
            }
        }
    }
}
