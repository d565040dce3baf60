//! The quoted-printable Content-Transfer-Encoding (RFC 2045 section 6.7).
//!
//! The decoder copies runs of literal text in bulk between the bytes that
//! matter (`=`, CR, LF, found with `memchr`), so mostly-ASCII text decodes at
//! close to memory speed.
//!
//! ```
//! use mailwire_core::encoding::qp;
//!
//! let mut wire = Vec::new();
//! qp::encode("½ = 0.5\r\n".as_bytes(), qp::Mode::Text, &mut wire);
//! assert_eq!(wire, b"=C2=BD =3D 0.5\r\n");
//! assert_eq!(qp::decode(&wire)?, "½ = 0.5\r\n".as_bytes());
//! # Ok::<(), mailwire_core::Error>(())
//! ```

use super::Strictness;
use crate::{Error, ErrorKind};

/// The longest encoded line RFC 2045 allows, CRLF not counted: 76.
pub const LINE_LEN: usize = 76;

/// How much trailing whitespace the decoder drops before a line break: at
/// most the last 128 spaces and tabs of a run; the ones before them are
/// kept. This bounds what [`QpDecoder`] holds between chunks. Legal lines
/// are at most 76 characters, so any trailing whitespace of a legal line is
/// dropped.
pub const MAX_TRAILING_WHITESPACE: usize = 128;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

#[inline]
fn hex_value(b: u8, strict: bool) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' if !strict => Some(b - b'a' + 10),
        _ => None,
    }
}

#[inline]
const fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Bytes strict mode allows in literal text (besides `=`, CR and LF, which
/// have their own rules): printable US-ASCII, space and tab.
#[inline]
const fn is_strict_literal(b: u8) -> bool {
    matches!(b, b' '..=b'~' | b'\t')
}

fn invalid(at: usize) -> Error {
    Error::new(at, ErrorKind::InvalidQuotedPrintable)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// Literal text; `ws` may hold whitespace not yet known to be trailing.
    #[default]
    Text,
    /// After a CR in text.
    Cr,
    /// After `=`.
    Eq,
    /// After `=` and one hex digit.
    EqHex(u8),
    /// After `=` CR.
    EqCr,
    /// After `=` and whitespace (held in `ws`).
    EqWs,
}

/// Decodes quoted-printable in chunks of any size (RFC 2045 section 6.7).
///
/// Call [`decode`](Self::decode) for each chunk of the encoded body, then
/// [`finish`](Self::finish) once. The output is the same for every way of
/// splitting the input. Between calls the decoder holds at most an `=` and
/// one more byte, or a CR, or up to [`MAX_TRAILING_WHITESPACE`] spaces and
/// tabs.
///
/// In both modes:
///
/// - `=XX` gives the byte with hex value `XX`;
/// - `=` at the end of a line is a soft line break and vanishes with its
///   line break; so does an `=` that ends the input;
/// - whitespace at the end of a line (before CR, LF or the end of the input)
///   is dropped (rule 3), up to [`MAX_TRAILING_WHITESPACE`] bytes; so is
///   whitespace between a soft-break `=` and its line break;
/// - CRLF stays CRLF; other bytes are copied.
///
/// [`Strictness::Lenient`] (the default) never fails. It also accepts
/// lowercase hex, `=` LF and `=` CR as soft breaks, keeps bare CR and LF,
/// control characters and 8-bit bytes as they are (unlike some decoders,
/// which drop them), and keeps a malformed `=` sequence (`=G1`, `=4` at the
/// end) literally.
///
/// [`Strictness::Strict`] fails with [`ErrorKind::InvalidQuotedPrintable`]
/// at the offset of the first offending byte, counted from the start of the
/// stream: a malformed or lowercase `=` sequence (at the `=`), a bare CR or
/// LF, a byte other than printable US-ASCII, space and tab, or a line longer
/// than [`LINE_LEN`] (at its 77th character). After an error the decoder
/// keeps returning it until `finish`, which returns it too and resets the
/// decoder.
///
/// ```
/// use mailwire_core::encoding::{QpDecoder, Strictness};
///
/// let mut decoder = QpDecoder::new();
/// let mut out = Vec::new();
/// decoder.decode(b"Caf=C3=A9 au lait, ", &mut out)?;
/// decoder.decode(b"s'il vous pla=", &mut out)?;
/// decoder.decode(b"\r\n=C3=AEt  \r\n", &mut out)?;
/// decoder.finish(&mut out)?;
/// assert_eq!(out, "Café au lait, s'il vous plaît\r\n".as_bytes());
///
/// let mut strict = QpDecoder::with_strictness(Strictness::Strict);
/// let err = strict.decode(b"50 =e2=82=ac", &mut Vec::new()).unwrap_err();
/// assert_eq!(err.offset(), 3);
/// # Ok::<(), mailwire_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct QpDecoder {
    strictness: Strictness,
    state: State,
    /// Held whitespace: trailing if a line break follows, else kept.
    ws: [u8; MAX_TRAILING_WHITESPACE],
    ws_len: usize,
    /// Stream offset of the pending `=`.
    eq_at: usize,
    /// Stream offset of the pending CR.
    cr_at: usize,
    /// Stream offset of the start of the next chunk.
    offset: usize,
    /// Strict: stream offset of the first byte of the current encoded line.
    line_start: usize,
    error: Option<Error>,
}

impl Default for QpDecoder {
    fn default() -> Self {
        Self::with_strictness(Strictness::Lenient)
    }
}

impl QpDecoder {
    /// A lenient decoder ([`Strictness::Lenient`]).
    ///
    /// ```
    /// use mailwire_core::encoding::QpDecoder;
    /// let mut decoder = QpDecoder::new();
    /// let mut out = Vec::new();
    /// decoder.decode(b"a=3db=XY", &mut out)?;
    /// decoder.finish(&mut out)?;
    /// assert_eq!(out, b"a=b=XY");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with the given strictness.
    ///
    /// ```
    /// use mailwire_core::encoding::{QpDecoder, Strictness};
    /// let decoder = QpDecoder::with_strictness(Strictness::Strict);
    /// assert_eq!(decoder.strictness(), Strictness::Strict);
    /// ```
    #[must_use]
    pub const fn with_strictness(strictness: Strictness) -> Self {
        Self {
            strictness,
            state: State::Text,
            ws: [0; MAX_TRAILING_WHITESPACE],
            ws_len: 0,
            eq_at: 0,
            cr_at: 0,
            offset: 0,
            line_start: 0,
            error: None,
        }
    }

    /// The strictness this decoder was made with.
    ///
    /// ```
    /// use mailwire_core::encoding::{QpDecoder, Strictness};
    /// assert_eq!(QpDecoder::new().strictness(), Strictness::Lenient);
    /// ```
    #[must_use]
    pub const fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// Decodes the next chunk of the stream, appending to `out`.
    ///
    /// # Errors
    ///
    /// Only in [`Strictness::Strict`] mode: [`ErrorKind::InvalidQuotedPrintable`]
    /// at the stream offset of the first offending byte. `out` then holds
    /// what was decoded before it.
    ///
    /// ```
    /// use mailwire_core::encoding::QpDecoder;
    /// let mut decoder = QpDecoder::new();
    /// let mut out = Vec::new();
    /// decoder.decode(b"x =3D y", &mut out)?;
    /// assert_eq!(out, b"x = y");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        if let Some(err) = self.error {
            return Err(err);
        }
        out.reserve(input.len() + self.ws_len + 2);
        let mut i = 0;
        let mut result = Ok(());
        while i < input.len() {
            let step = if self.state == State::Text {
                self.text(input, i, out)
            } else {
                self.step(input[i], self.offset.saturating_add(i), out)
                    .map(|consumed| i + usize::from(consumed))
            };
            match step {
                Ok(next) => i = next,
                Err(err) => {
                    result = Err(err);
                    break;
                }
            }
        }
        self.offset = self.offset.saturating_add(input.len());
        if let Err(err) = result {
            self.error = Some(err);
        }
        result
    }

    /// Ends the stream: settles what is held (see the type's docs for the
    /// end of input) and resets the decoder for a new stream (same
    /// strictness).
    ///
    /// # Errors
    ///
    /// Only in [`Strictness::Strict`] mode: [`ErrorKind::InvalidQuotedPrintable`]
    /// for an incomplete `=X` (at the `=`), a final bare CR (at the CR), or
    /// an earlier error.
    ///
    /// ```
    /// use mailwire_core::encoding::QpDecoder;
    /// let mut decoder = QpDecoder::new();
    /// let mut out = Vec::new();
    /// decoder.decode(b"tail \t", &mut out)?;
    /// decoder.finish(&mut out)?;
    /// assert_eq!(out, b"tail");
    /// # Ok::<(), mailwire_core::Error>(())
    /// ```
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let this = core::mem::replace(self, Self::with_strictness(self.strictness));
        if let Some(err) = this.error {
            return Err(err);
        }
        let strict = this.strictness.is_strict();
        match this.state {
            // Trailing whitespace of the last line, or a soft break at the end.
            State::Text | State::Eq | State::EqWs => {}
            State::Cr | State::EqCr if strict => return Err(invalid(this.cr_at)),
            State::Cr => out.push(b'\r'),
            State::EqCr => {}
            State::EqHex(_) if strict => return Err(invalid(this.eq_at)),
            State::EqHex(h) => out.extend_from_slice(&[b'=', h]),
        }
        Ok(())
    }

    /// Strict: the byte at `at` is on the current line; fails past 76.
    #[inline]
    fn check_col(&self, at: usize) -> Result<(), Error> {
        if at.saturating_sub(self.line_start) >= LINE_LEN {
            Err(invalid(self.line_start.saturating_add(LINE_LEN)))
        } else {
            Ok(())
        }
    }

    /// Text state from `input[i]`: copies literal runs up to the next `=`,
    /// CR or LF and handles those bytes, until the end of the input or a
    /// byte that needs another state. Returns where to go on.
    fn text(&mut self, input: &[u8], mut i: usize, out: &mut Vec<u8>) -> Result<usize, Error> {
        let strict = self.strictness.is_strict();
        while i < input.len() {
            let rest = &input[i..];
            let k = memchr::memchr3(b'=', b'\r', b'\n', rest).unwrap_or(rest.len());
            let run = &rest[..k];
            if strict && !run.is_empty() {
                if let Err((pos, err)) = self.check_run(run, self.offset.saturating_add(i)) {
                    // What comes before the offending byte is decoded text.
                    self.flush_ws(out);
                    out.extend_from_slice(&run[..pos]);
                    return Err(err);
                }
            }
            let body = run.len() - run.iter().rev().take_while(|&&b| is_ws(b)).count();
            if body > 0 {
                self.flush_ws(out);
                out.extend_from_slice(&run[..body]);
            }
            if body < run.len() {
                self.hold_ws(&run[body..], out);
            }
            let mut j = i + k;
            let Some(&b) = input.get(j) else {
                return Ok(j);
            };
            let at = self.offset.saturating_add(j);
            match b {
                b'=' => {
                    self.flush_ws(out);
                    // The common cases inline: escapes (often several in a
                    // row, for UTF-8) and soft line breaks.
                    while let Some(&[b'=', h, l]) = input.get(j..j + 3) {
                        if let (Some(h), Some(l)) = (hex_value(h, strict), hex_value(l, strict)) {
                            if strict {
                                self.check_col(self.offset.saturating_add(j + 2))?;
                            }
                            out.push(h << 4 | l);
                            j += 3;
                        } else {
                            break;
                        }
                    }
                    if j > i + k {
                        i = j;
                        continue;
                    }
                    if strict {
                        self.check_col(at)?;
                    }
                    if input.get(j + 1..j + 3) == Some(b"\r\n") {
                        self.line_start = at + 3;
                        i = j + 3;
                        continue;
                    }
                    self.eq_at = at;
                    self.state = State::Eq;
                    return Ok(j + 1);
                }
                b'\r' => {
                    self.ws_len = 0;
                    if input.get(j + 1) == Some(&b'\n') {
                        out.extend_from_slice(b"\r\n");
                        self.line_start = at + 2;
                        i = j + 2;
                        continue;
                    }
                    self.cr_at = at;
                    self.state = State::Cr;
                    return Ok(j + 1);
                }
                _ => {
                    // LF
                    if strict {
                        return Err(invalid(at));
                    }
                    self.ws_len = 0;
                    out.push(b'\n');
                    self.line_start = at + 1;
                    i = j + 1;
                }
            }
        }
        Ok(i)
    }

    /// Strict: checks a literal run starting at stream offset `base`;
    /// returns the position in `run` of the first offending byte.
    fn check_run(&self, run: &[u8], base: usize) -> Result<(), (usize, Error)> {
        let bad = run.iter().position(|&b| !is_strict_literal(b));
        let too_long = (self.line_start.saturating_add(LINE_LEN))
            .checked_sub(base)
            .filter(|&p| p < run.len());
        let pos = match (bad, too_long) {
            (Some(b), Some(l)) => b.min(l),
            (Some(p), None) | (None, Some(p)) => p,
            (None, None) => return Ok(()),
        };
        Err((pos, invalid(base + pos)))
    }

    /// One byte in a state other than text. Returns whether it was consumed
    /// (if not, the state is now text and the byte is looked at again).
    fn step(&mut self, b: u8, at: usize, out: &mut Vec<u8>) -> Result<bool, Error> {
        let strict = self.strictness.is_strict();
        if strict && b != b'\r' && b != b'\n' && self.state != State::Cr {
            self.check_col(at)?;
        }
        match self.state {
            State::Text => return Ok(false),
            State::Cr => {
                self.state = State::Text;
                if b == b'\n' {
                    out.extend_from_slice(b"\r\n");
                    self.line_start = at + 1;
                    return Ok(true);
                }
                if strict {
                    return Err(invalid(self.cr_at));
                }
                out.push(b'\r');
                return Ok(false);
            }
            State::Eq => match b {
                b'\r' => {
                    self.cr_at = at;
                    self.state = State::EqCr;
                }
                b'\n' => {
                    if strict {
                        return Err(invalid(at));
                    }
                    self.line_start = at + 1;
                    self.state = State::Text;
                }
                b' ' | b'\t' => {
                    self.ws[0] = b;
                    self.ws_len = 1;
                    self.state = State::EqWs;
                }
                _ if hex_value(b, strict).is_some() => self.state = State::EqHex(b),
                _ => return self.malformed(out),
            },
            State::EqHex(h) => {
                let Some(l) = hex_value(b, strict) else {
                    if strict {
                        return Err(invalid(self.eq_at));
                    }
                    out.extend_from_slice(&[b'=', h]);
                    self.state = State::Text;
                    return Ok(false);
                };
                let h = hex_value(h, strict).unwrap_or(0);
                out.push(h << 4 | l);
                self.state = State::Text;
            }
            State::EqCr => {
                self.state = State::Text;
                if b == b'\n' {
                    self.line_start = at + 1;
                    return Ok(true);
                }
                if strict {
                    return Err(invalid(self.cr_at));
                }
                // `=` CR: a soft break too.
                return Ok(false);
            }
            State::EqWs => match b {
                b' ' | b'\t' if self.ws_len < MAX_TRAILING_WHITESPACE => {
                    self.ws[self.ws_len] = b;
                    self.ws_len += 1;
                }
                b' ' | b'\t' => {
                    // Too much whitespace for a soft break: the `=` is literal
                    // and the whitespace goes on as text.
                    if strict {
                        return Err(invalid(self.eq_at));
                    }
                    out.push(b'=');
                    self.state = State::Text;
                    return Ok(false);
                }
                b'\r' => {
                    self.ws_len = 0;
                    self.cr_at = at;
                    self.state = State::EqCr;
                }
                b'\n' => {
                    if strict {
                        return Err(invalid(at));
                    }
                    self.ws_len = 0;
                    self.line_start = at + 1;
                    self.state = State::Text;
                }
                _ => {
                    if strict {
                        return Err(invalid(self.eq_at));
                    }
                    out.push(b'=');
                    self.flush_ws(out);
                    self.state = State::Text;
                    return Ok(false);
                }
            },
        }
        Ok(true)
    }

    /// An `=` followed by something that makes no sense.
    fn malformed(&mut self, out: &mut Vec<u8>) -> Result<bool, Error> {
        if self.strictness.is_strict() {
            return Err(invalid(self.eq_at));
        }
        out.push(b'=');
        self.state = State::Text;
        Ok(false)
    }

    /// Whitespace that turned out not to be trailing.
    #[inline]
    fn flush_ws(&mut self, out: &mut Vec<u8>) {
        if self.ws_len > 0 {
            out.extend_from_slice(&self.ws[..self.ws_len]);
            self.ws_len = 0;
        }
    }

    /// Holds `run` (spaces and tabs), keeping only the last
    /// [`MAX_TRAILING_WHITESPACE`] held bytes and writing out older ones.
    fn hold_ws(&mut self, run: &[u8], out: &mut Vec<u8>) {
        const MAX: usize = MAX_TRAILING_WHITESPACE;
        let total = self.ws_len + run.len();
        if total <= MAX {
            self.ws[self.ws_len..total].copy_from_slice(run);
            self.ws_len = total;
            return;
        }
        let excess = total - MAX;
        if excess <= self.ws_len {
            out.extend_from_slice(&self.ws[..excess]);
            self.ws.copy_within(excess..self.ws_len, 0);
            let kept = self.ws_len - excess;
            self.ws[kept..].copy_from_slice(run);
        } else {
            out.extend_from_slice(&self.ws[..self.ws_len]);
            let k = excess - self.ws_len;
            out.extend_from_slice(&run[..k]);
            self.ws.copy_from_slice(&run[k..]);
        }
        self.ws_len = MAX;
    }
}

/// Decodes a whole quoted-printable body leniently (see [`QpDecoder`]).
///
/// # Errors
///
/// None in practice: lenient decoding never fails. The `Result` leaves room
/// for limits in a future version.
///
/// ```
/// use mailwire_core::encoding::qp;
/// assert_eq!(qp::decode(b"J'interdis aux marchands de vanter trop leurs marchandises. Car ils se font =\r\nvite p=C3=A9dagogues et t'enseignent comme but ce qui n'est par essence qu'=\r\nun moyen")?,
///     "J'interdis aux marchands de vanter trop leurs marchandises. Car ils se font vite pédagogues et t'enseignent comme but ce qui n'est par essence qu'un moyen".as_bytes());
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn decode(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(input.len());
    decode_to(input, &mut out)?;
    Ok(out)
}

/// Decodes a whole quoted-printable body leniently, appending to `out`.
///
/// # Errors
///
/// None in practice, as for [`decode`].
///
/// ```
/// use mailwire_core::encoding::qp;
/// let mut out = b"> ".to_vec();
/// qp::decode_to(b"caf=E9", &mut out)?;
/// assert_eq!(out, b"> caf\xe9");
/// # Ok::<(), mailwire_core::Error>(())
/// ```
pub fn decode_to(input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let mut decoder = QpDecoder::new();
    decoder.decode(input, out)?;
    decoder.finish(out)
}

/// What CR and LF in the input mean to the encoder.
///
/// ```
/// use mailwire_core::encoding::qp::{encode, Mode};
///
/// let mut text = Vec::new();
/// encode(b"a\r\nb\n", Mode::Text, &mut text);
/// assert_eq!(text, b"a\r\nb=0A");
///
/// let mut binary = Vec::new();
/// encode(b"a\r\nb\n", Mode::Binary, &mut binary);
/// assert_eq!(binary, b"a=0D=0Ab=0A");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Line-oriented text: a CRLF in the input is a hard line break and is
    /// written as CRLF; a bare CR or LF is escaped.
    #[default]
    Text,
    /// Any bytes: every CR and LF is escaped, so the decoded bytes are
    /// exactly the input whatever the transport does to line breaks.
    Binary,
}

/// Byte classes for the encoder.
const SAFE: u8 = 0;
const ESCAPE: u8 = 1;
const WS: u8 = 2;
const CR: u8 = 3;

static CLASS: [u8; 256] = {
    let mut t = [ESCAPE; 256];
    let mut b = 33;
    while b <= 126 {
        t[b] = SAFE;
        b += 1;
    }
    t[b'=' as usize] = ESCAPE;
    t[b' ' as usize] = WS;
    t[b'\t' as usize] = WS;
    t[b'\r' as usize] = CR;
    t
};

/// The length of the prefix of `input` made of bytes that are literal or
/// whitespace (`CLASS` is `SAFE` or `WS`).
#[inline]
fn literal_prefix(input: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut j = 0;
    // Eight bytes at a time while all are printable ASCII other than '='.
    while let Some(chunk) = input.get(j..).and_then(<[u8]>::first_chunk::<8>) {
        let x = u64::from_le_bytes(*chunk);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x;
        // Adding 1 sets the high bit of 0x7f (and keeps it on 0x80..).
        let above_tilde = x.wrapping_add(ONES) | x;
        let eq = x ^ (ONES * u64::from(b'='));
        let has_eq = eq.wrapping_sub(ONES) & !eq;
        if (below_space | above_tilde | has_eq) & HIGH != 0 {
            break;
        }
        j += 8;
    }
    while let Some(&b) = input.get(j) {
        if CLASS[usize::from(b)] != SAFE && CLASS[usize::from(b)] != WS {
            break;
        }
        j += 1;
    }
    j
}

/// Encodes `input` as quoted-printable, appending to `out`.
///
/// - Printable US-ASCII except `=` is written as is; `=`, controls and bytes
///   above 126 as `=XX` with uppercase hex.
/// - Space and tab are written as is, except before a line break or at the
///   end of the input, where they are escaped (rule 3). In [`Mode::Text`] any
///   whitespace followed by CR or LF is escaped.
/// - Line breaks follow `mode`.
/// - Encoded lines are at most [`LINE_LEN`] (76) characters: a soft line
///   break (`=` CRLF) is inserted when a line would grow past 75 characters
///   of content; an `=XX` is never split.
///
/// No soft break is added at the end: the output ends where the input does.
///
/// ```
/// use mailwire_core::encoding::qp::{encode, Mode};
///
/// let mut out = Vec::new();
/// encode("Zoë's tab\t\r\nend ".as_bytes(), Mode::Text, &mut out);
/// assert_eq!(out, b"Zo=C3=AB's tab=09\r\nend=20");
/// ```
pub fn encode(input: &[u8], mode: Mode, out: &mut Vec<u8>) {
    let mut encoder = QpEncoder::new(mode);
    encoder.encode(input, out);
    encoder.finish(out);
}

/// Encodes quoted-printable in chunks of any size, like [`encode`]: the
/// concatenated output is the same bytes as `encode` on the concatenated
/// input. At most one byte (a space, a tab or a CR) is held between calls.
///
/// ```
/// use mailwire_core::encoding::qp::{encode, Mode, QpEncoder};
///
/// let text = "Ceci n'est pas une pipe. ".repeat(10);
/// let mut encoder = QpEncoder::new(Mode::Text);
/// let mut streamed = Vec::new();
/// for chunk in text.as_bytes().chunks(9) {
///     encoder.encode(chunk, &mut streamed);
/// }
/// encoder.finish(&mut streamed);
///
/// let mut whole = Vec::new();
/// encode(text.as_bytes(), Mode::Text, &mut whole);
/// assert_eq!(streamed, whole);
/// assert!(whole.split(|&b| b == b'\n').all(|line| line.len() <= 77));
/// ```
#[derive(Debug, Clone, Default)]
pub struct QpEncoder {
    mode: Mode,
    /// Characters on the current output line.
    col: usize,
    /// A space, tab or (text mode) CR whose fate depends on the next byte.
    pending: Option<u8>,
}

/// Content characters per line, leaving room for the soft break `=`.
const CONTENT_LEN: usize = LINE_LEN - 1;

impl QpEncoder {
    /// An encoder treating line breaks as `mode` says.
    ///
    /// ```
    /// use mailwire_core::encoding::qp::{Mode, QpEncoder};
    /// let mut encoder = QpEncoder::new(Mode::Binary);
    /// let mut out = Vec::new();
    /// encoder.encode(b"\r\n", &mut out);
    /// encoder.finish(&mut out);
    /// assert_eq!(out, b"=0D=0A");
    /// ```
    #[must_use]
    pub const fn new(mode: Mode) -> Self {
        Self {
            mode,
            col: 0,
            pending: None,
        }
    }

    /// Encodes the next chunk, appending to `out`.
    ///
    /// ```
    /// use mailwire_core::encoding::qp::{Mode, QpEncoder};
    /// let mut encoder = QpEncoder::new(Mode::Text);
    /// let mut out = Vec::new();
    /// encoder.encode(b"1+1=2 ", &mut out);
    /// assert_eq!(out, b"1+1=3D2"); // the space waits for the next byte
    /// ```
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len() + input.len() / 8 + 8);
        let mut i = 0;
        while i < input.len() {
            if self.pending.is_none() {
                let mut run = &input[i..i + self.literal_run(&input[i..])];
                i += run.len();
                while !run.is_empty() {
                    if self.col == CONTENT_LEN {
                        self.soft_break(out);
                    }
                    let n = (CONTENT_LEN - self.col).min(run.len());
                    out.extend_from_slice(&run[..n]);
                    self.col += n;
                    run = &run[n..];
                }
                if i == input.len() {
                    break;
                }
            }
            self.byte(input[i], out);
            i += 1;
        }
    }

    /// Writes what is held (escaped, as it ends the input) and resets the
    /// encoder for a new stream.
    ///
    /// ```
    /// use mailwire_core::encoding::qp::{Mode, QpEncoder};
    /// let mut encoder = QpEncoder::new(Mode::Text);
    /// let mut out = Vec::new();
    /// encoder.encode(b"1+1=2 ", &mut out);
    /// encoder.finish(&mut out);
    /// assert_eq!(out, b"1+1=3D2=20");
    /// ```
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if let Some(p) = self.pending.take() {
            self.escaped(p, out);
        }
        *self = Self::new(self.mode);
    }

    /// How many bytes at the start of `input` are written as they are:
    /// safe bytes, and spaces and tabs followed by a byte that does not make
    /// them trailing.
    #[inline]
    fn literal_run(&self, input: &[u8]) -> usize {
        let mut j = literal_prefix(input);
        // Whitespace inside the run is followed by a literal byte; only the
        // last byte of the run may be trailing, or wait for the next chunk.
        if let Some(&last) = j.checked_sub(1).and_then(|k| input.get(k)) {
            if is_ws(last) {
                match input.get(j) {
                    None => j -= 1,
                    Some(b'\r' | b'\n') if self.mode == Mode::Text => j -= 1,
                    Some(_) => {}
                }
            }
        }
        j
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        let text = self.mode == Mode::Text;
        if let Some(p) = self.pending.take() {
            if p == b'\r' {
                if b == b'\n' {
                    out.extend_from_slice(b"\r\n");
                    self.col = 0;
                    return;
                }
                self.escaped(p, out);
            } else if text && (b == b'\r' || b == b'\n') {
                self.escaped(p, out);
            } else {
                self.literal(p, out);
            }
        }
        match CLASS[b as usize] {
            SAFE => self.literal(b, out),
            WS => self.pending = Some(b),
            CR if text => self.pending = Some(b),
            _ => self.escaped(b, out),
        }
    }

    #[inline]
    fn soft_break(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"=\r\n");
        self.col = 0;
    }

    #[inline]
    fn literal(&mut self, b: u8, out: &mut Vec<u8>) {
        if self.col + 1 > CONTENT_LEN {
            self.soft_break(out);
        }
        out.push(b);
        self.col += 1;
    }

    #[inline]
    fn escaped(&mut self, b: u8, out: &mut Vec<u8>) {
        if self.col + 3 > CONTENT_LEN {
            self.soft_break(out);
        }
        out.extend_from_slice(&[
            b'=',
            HEX_UPPER[usize::from(b >> 4)],
            HEX_UPPER[usize::from(b & 0x0f)],
        ]);
        self.col += 3;
    }
}
