//! Dot-stuffing: SMTP `DATA` bodies and POP3 multi-line responses.
//!
//! RFC 5321 section 4.5.2: the sender doubles a period at the start of a
//! line, and ends the data with a line holding a single period, the sequence
//! `CRLF.CRLF` (the first CRLF ends the last line of the body). The receiver
//! removes the extra period and stops at that line. POP3 (RFC 1939 section 3)
//! uses the same rule for its multi-line responses.
//!
//! [`DotDecoder`] undoes the stuffing as bytes arrive and **ends the body only
//! at `CRLF.CRLF`**. `LF.LF`, `LF.CRLF`, `CRLF.LF`, `CR.CR`, `CRLF.CR` and the
//! other variants that some software takes as an end of data are the SMTP
//! smuggling vectors: here they are body content, whatever the
//! [`BarePolicy`]. [`DotEncoder`] stuffs after every line break and always
//! ends with `CRLF.CRLF`.
//!
//! ```
//! use bytes::{BufMut, BytesMut};
//! use mailwire_core::dot::{DotDecoder, DotEncoder, DotEvent};
//!
//! // Sender side.
//! let mut wire = BytesMut::new();
//! let mut encoder = DotEncoder::new();
//! encoder.encode(b"Hi,\r\n.signature\r\n", &mut wire).unwrap();
//! encoder.finish(&mut wire).unwrap();
//! assert_eq!(&wire[..], b"Hi,\r\n..signature\r\n.\r\n");
//!
//! // Receiver side: the body comes out as `Bytes` cut from the buffer.
//! wire.put_slice(b"QUIT\r\n"); // pipelined after the body
//! let mut decoder = DotDecoder::new();
//! let mut body = Vec::new();
//! while let Some(event) = decoder.decode(&mut wire) {
//!     match event {
//!         DotEvent::Data(chunk) => body.extend_from_slice(&chunk),
//!         DotEvent::Defect(error) => panic!("{error}"),
//!         DotEvent::End => break,
//!     }
//! }
//! assert_eq!(body, b"Hi,\r\n.signature\r\n");
//! assert_eq!(&wire[..], b"QUIT\r\n"); // left for the command parser
//! ```

use bytes::{Bytes, BytesMut};

use crate::{BarePolicy, Error, ErrorKind};

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const DOT: u8 = b'.';
const CRLF: &[u8] = b"\r\n";

/// What [`DotDecoder::decode`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DotEvent {
    /// Body bytes, unstuffed, in order. Shares the receive buffer.
    Data(Bytes),
    /// Something the configuration refuses: a bare CR or LF under
    /// [`BarePolicy::Reject`], or the body growing past the size limit.
    /// Decoding goes on to the real end of the body, so the session stays in
    /// step; the application should refuse the message once
    /// [`DotEvent::End`] arrives (SMTP `550`/`552`). After a size defect no
    /// more `Data` is handed out.
    Defect(Error),
    /// The `CRLF.CRLF` that ends the body was consumed. Bytes after it are
    /// left in the buffer.
    End,
}

/// Where the decoder stands relative to the line structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// At the start of a line that follows a CRLF (or at the start of the
    /// body): a `.CRLF` here ends the body.
    AfterCrLf,
    /// At the start of a line that follows a bare CR or bare LF: a leading
    /// period is removed, but `.CRLF` here does **not** end the body.
    AfterBare,
    /// Inside a line.
    InLine,
}

/// Streaming dot-unstuffer that ends only at `CRLF.CRLF`.
///
/// Feed it the receive buffer after each read and call
/// [`decode`](Self::decode) until it returns `None` (more bytes needed) or
/// [`DotEvent::End`]. It removes from the buffer exactly the bytes it
/// consumed, never more: what follows the end of the body stays there for
/// the next command. The output is the same however the input is split
/// between reads.
///
/// Body bytes are handed out as `Bytes` split from the buffer: a stuffed
/// period is dropped by cutting around it, so nothing is copied. Under
/// [`BarePolicy::Normalize`] each bare CR or LF is replaced by a static
/// `CRLF` chunk.
///
/// | input after the body start | result |
/// |---|---|
/// | `CRLF . CRLF` | end of body |
/// | `CRLF .. text` | `CRLF . text` |
/// | `LF . CRLF`, `CR . CR`, `CRLF . LF`, `LF . LF`, ... | body content, never an end |
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_core::dot::{DotDecoder, DotEvent};
///
/// // The classic smuggling attempt: `LF.LF` inside the body.
/// let mut buf = BytesMut::from(&b"a\n.\nMAIL FROM:<x@y>\r\n.\r\n"[..]);
/// let mut decoder = DotDecoder::new().bare_lf(mailwire_core::BarePolicy::Accept);
/// assert_eq!(
///     decoder.decode(&mut buf),
///     Some(DotEvent::Data("a\n".into()))
/// );
/// // ...the period after the bare LF is removed, and the body goes on.
/// assert_eq!(
///     decoder.decode(&mut buf),
///     Some(DotEvent::Data("\nMAIL FROM:<x@y>\r\n".into()))
/// );
/// assert_eq!(decoder.decode(&mut buf), Some(DotEvent::End));
/// ```
#[derive(Debug, Clone)]
pub struct DotDecoder {
    bare_lf: BarePolicy,
    bare_cr: BarePolicy,
    max_size: Option<u64>,
    position: Position,
    /// An event found together with the data before it, handed out next.
    pending: Option<DotEvent>,
    /// The size-limit defect, handed out before `pending`.
    pending_limit: Option<DotEvent>,
    /// Stream offset of the source of the last `Data` chunk, and whether
    /// that chunk maps byte for byte onto the stream (a static CRLF standing
    /// for a bare CR or LF does not).
    last_chunk: (usize, bool),
    /// Raw bytes consumed from the stream (offsets of defects).
    consumed: usize,
    /// Body bytes handed out (or dropped for being over the limit).
    size: u64,
    over_limit: bool,
    done: bool,
}

impl Default for DotDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DotDecoder {
    /// A decoder at the start of a body, rejecting bare CR and bare LF (they
    /// are reported as [`DotEvent::Defect`] and kept in the body), with no
    /// size limit.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            bare_lf: BarePolicy::Reject,
            bare_cr: BarePolicy::Reject,
            max_size: None,
            position: Position::AfterCrLf,
            pending: None,
            pending_limit: None,
            last_chunk: (0, true),
            consumed: 0,
            size: 0,
            over_limit: false,
            done: false,
        }
    }

    /// Sets the policy for bare LF in the body.
    ///
    /// `Reject` reports each one as a defect and keeps it; `Accept` keeps it
    /// silently; `Normalize` replaces it with CRLF. In every case a bare LF
    /// starts a new line for unstuffing, and never begins the end of data.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_core::{BarePolicy, dot::{DotDecoder, DotEvent}};
    ///
    /// let mut buf = BytesMut::from(&b"a\nb\r\n.\r\n"[..]);
    /// let mut decoder = DotDecoder::new().bare_lf(BarePolicy::Normalize);
    /// let mut body = Vec::new();
    /// while let Some(DotEvent::Data(chunk)) = decoder.decode(&mut buf) {
    ///     body.extend_from_slice(&chunk);
    /// }
    /// assert_eq!(body, b"a\r\nb\r\n");
    /// ```
    #[must_use]
    pub const fn bare_lf(mut self, policy: BarePolicy) -> Self {
        self.bare_lf = policy;
        self
    }

    /// Sets the policy for bare CR in the body; see
    /// [`bare_lf`](Self::bare_lf).
    ///
    /// ```
    /// use mailwire_core::{BarePolicy, dot::DotDecoder};
    /// let decoder = DotDecoder::new().bare_cr(BarePolicy::Accept);
    /// # let _ = decoder;
    /// ```
    #[must_use]
    pub const fn bare_cr(mut self, policy: BarePolicy) -> Self {
        self.bare_cr = policy;
        self
    }

    /// Sets the largest body, in unstuffed bytes. The body is handed out up
    /// to the limit; then one [`DotEvent::Defect`] with
    /// [`ErrorKind::LimitExceeded`] is reported (its offset is that of the
    /// first byte over the limit) and the rest of the body is consumed and
    /// dropped, up to the end of data.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_core::{ErrorKind, dot::{DotDecoder, DotEvent}};
    ///
    /// let mut buf = BytesMut::from(&b"0123456789\r\n.\r\n"[..]);
    /// let mut decoder = DotDecoder::new().max_size(4);
    /// assert_eq!(decoder.decode(&mut buf), Some(DotEvent::Data("0123".into())));
    /// let Some(DotEvent::Defect(err)) = decoder.decode(&mut buf) else { panic!() };
    /// assert_eq!(err.offset(), 4);
    /// assert!(matches!(err.kind(), ErrorKind::LimitExceeded { limit: 4, .. }));
    /// assert_eq!(decoder.decode(&mut buf), Some(DotEvent::End));
    /// ```
    #[must_use]
    pub const fn max_size(mut self, limit: u64) -> Self {
        self.max_size = Some(limit);
        self
    }

    /// Whether the end of the body was consumed.
    #[must_use]
    pub const fn is_done(&self) -> bool {
        self.done
    }

    /// Body bytes so far (after unstuffing, counting those dropped past the
    /// size limit).
    #[must_use]
    pub const fn body_size(&self) -> u64 {
        self.size
    }

    /// Raw bytes consumed from the stream so far, the final `.CRLF`
    /// included once done.
    #[must_use]
    pub const fn consumed(&self) -> usize {
        self.consumed
    }

    /// Readies the decoder for the next body, keeping its configuration.
    pub fn reset(&mut self) {
        *self = Self {
            bare_lf: self.bare_lf,
            bare_cr: self.bare_cr,
            max_size: self.max_size,
            ..Self::new()
        };
    }

    /// Consumes body bytes from the front of `buf` and reports what they
    /// hold.
    ///
    /// Returns `None` when more bytes are needed (at most two bytes are left
    /// in `buf`: a CR waiting for its LF, or the start of a possible final
    /// `.CRLF`), and after [`DotEvent::End`]. Call it in a loop after every
    /// read.
    #[must_use = "decoded events carry the body"]
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<DotEvent> {
        loop {
            let event = if let Some(event) = self.pending_limit.take() {
                event
            } else if let Some(event) = self.pending.take() {
                if matches!(event, DotEvent::Data(_)) {
                    // The static CRLF standing for the bare byte just skipped.
                    self.last_chunk = (self.consumed - 1, false);
                }
                event
            } else {
                self.step(buf)?
            };
            let DotEvent::Data(chunk) = event else {
                return Some(event);
            };
            let before = self.size;
            self.size = before.saturating_add(chunk.len() as u64);
            let Some(limit) = self.max_size.filter(|&limit| self.size > limit) else {
                return Some(DotEvent::Data(chunk));
            };
            if self.over_limit {
                continue; // past the limit: consume and drop
            }
            // Cut the chunk at the limit so that the bytes handed out, and
            // the offset reported, do not depend on how reads were split.
            self.over_limit = true;
            let keep = usize::try_from(limit.saturating_sub(before)).unwrap_or(usize::MAX);
            let (source, one_to_one) = self.last_chunk;
            let offset = if one_to_one { source + keep } else { source };
            let kind = ErrorKind::LimitExceeded {
                what: "message size",
                limit,
            };
            let defect = DotEvent::Defect(Error::new(offset, kind));
            if keep == 0 {
                return Some(defect);
            }
            self.pending_limit = Some(defect);
            return Some(DotEvent::Data(chunk.slice(..keep)));
        }
    }

    /// Splits the first `len` bytes off `buf` as body data.
    fn take(&mut self, buf: &mut BytesMut, len: usize) -> DotEvent {
        self.last_chunk = (self.consumed, true);
        self.consumed = self.consumed.saturating_add(len);
        DotEvent::Data(buf.split_to(len).freeze())
    }

    /// Drops `len` bytes (a stuffed period, the final `.CRLF`, a bare CR or
    /// LF being normalized) from the front of `buf`.
    fn skip(&mut self, buf: &mut BytesMut, len: usize) {
        let _ = buf.split_to(len);
        self.consumed = self.consumed.saturating_add(len);
    }

    /// One event's worth of work, `pending` aside.
    fn step(&mut self, buf: &mut BytesMut) -> Option<DotEvent> {
        if self.done {
            return None;
        }
        // Invariant: `self.position` describes the position at `buf[i]`;
        // `buf[..i]` is plain body data not handed out yet.
        let mut i = 0;
        loop {
            if self.position != Position::InLine {
                let Some(&first) = buf.get(i) else {
                    break;
                };
                if first == DOT {
                    if self.position == Position::AfterCrLf {
                        match buf.get(i + 1..i + 3) {
                            Some(b"\r\n") => {
                                if i > 0 {
                                    return Some(self.take(buf, i));
                                }
                                self.skip(buf, 3);
                                self.done = true;
                                return Some(DotEvent::End);
                            }
                            // `.` or `.CR` so far: the next bytes decide.
                            None if buf[i + 1..].iter().eq(&CRLF[..buf.len() - i - 1]) => {
                                return (i > 0).then(|| self.take(buf, i));
                            }
                            _ => {}
                        }
                    }
                    // A stuffed period: hand out what precedes it, drop it.
                    if i > 0 {
                        return Some(self.take(buf, i));
                    }
                    self.skip(buf, 1);
                }
                self.position = Position::InLine;
            }
            let Some(found) = memchr::memchr2(CR, LF, &buf[i..]) else {
                i = buf.len();
                break;
            };
            let at = i + found;
            let (policy, kind, len) = if buf[at] == LF {
                (self.bare_lf, ErrorKind::BareLf, 1)
            } else {
                match buf.get(at + 1) {
                    Some(&LF) => {
                        i = at + 2;
                        self.position = Position::AfterCrLf;
                        continue;
                    }
                    Some(_) => (self.bare_cr, ErrorKind::BareCr, 1),
                    // Wait for the byte that tells CRLF from bare CR.
                    None => {
                        i = at;
                        break;
                    }
                }
            };
            self.position = Position::AfterBare;
            match policy {
                BarePolicy::Accept => i = at + len,
                BarePolicy::Reject => {
                    let offset = self.consumed + at;
                    self.pending = Some(DotEvent::Defect(Error::new(offset, kind)));
                    return Some(self.take(buf, at + len));
                }
                BarePolicy::Normalize => {
                    let crlf = DotEvent::Data(Bytes::from_static(CRLF));
                    if at == 0 {
                        self.last_chunk = (self.consumed, false);
                        self.skip(buf, len);
                        return Some(crlf);
                    }
                    // Hand out the data now and the CRLF next; `skip` runs
                    // first, so the CRLF's source is the bare byte.
                    let data = self.take(buf, at);
                    self.skip(buf, len);
                    self.pending = Some(crlf);
                    return Some(data);
                }
            }
        }
        (i > 0).then(|| self.take(buf, i))
    }
}

/// Streaming dot-stuffer: stuffs a period after every line break and always
/// ends with `CRLF.CRLF`.
///
/// Bare CR and bare LF in the input follow the [`BarePolicy`]: `Normalize`
/// (the default here, as senders should) writes them as CRLF, `Accept` keeps
/// them (still stuffing after them), `Reject` refuses them with an error.
/// A body that does not end with a line break gets a CRLF before the final
/// `.CRLF`, so the decoder returns it with that CRLF added.
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_core::dot::DotEncoder;
///
/// let mut out = BytesMut::new();
/// let mut encoder = DotEncoder::new();
/// encoder.encode(b".hidden\nlast line", &mut out).unwrap();
/// encoder.finish(&mut out).unwrap();
/// assert_eq!(&out[..], b"..hidden\r\nlast line\r\n.\r\n");
/// ```
#[derive(Debug, Clone)]
pub struct DotEncoder {
    bare_lf: BarePolicy,
    bare_cr: BarePolicy,
    /// At the start of a line (a period there gets doubled).
    line_start: bool,
    /// The last bytes written were a CRLF, or nothing was written.
    after_crlf: bool,
    /// The previous chunk ended with a CR whose meaning the next byte tells.
    pending_cr: bool,
    /// Input bytes consumed (error offsets).
    consumed: usize,
}

impl Default for DotEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DotEncoder {
    /// An encoder that writes bare CR and bare LF as CRLF.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            bare_lf: BarePolicy::Normalize,
            bare_cr: BarePolicy::Normalize,
            line_start: true,
            after_crlf: true,
            pending_cr: false,
            consumed: 0,
        }
    }

    /// Sets the policy for bare LF in the input.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_core::{BarePolicy, ErrorKind, dot::DotEncoder};
    ///
    /// let mut encoder = DotEncoder::new().bare_lf(BarePolicy::Reject);
    /// let err = encoder.encode(b"a\nb", &mut BytesMut::new()).unwrap_err();
    /// assert_eq!((err.kind(), err.offset()), (ErrorKind::BareLf, 1));
    /// ```
    #[must_use]
    pub const fn bare_lf(mut self, policy: BarePolicy) -> Self {
        self.bare_lf = policy;
        self
    }

    /// Sets the policy for bare CR in the input.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_core::{BarePolicy, dot::DotEncoder};
    ///
    /// let mut out = BytesMut::new();
    /// let mut encoder = DotEncoder::new().bare_cr(BarePolicy::Accept);
    /// encoder.encode(b"a\r.b\r\n", &mut out).unwrap();
    /// encoder.finish(&mut out).unwrap();
    /// assert_eq!(&out[..], b"a\r..b\r\n.\r\n");
    /// ```
    #[must_use]
    pub const fn bare_cr(mut self, policy: BarePolicy) -> Self {
        self.bare_cr = policy;
        self
    }

    /// Readies the encoder for the next body, keeping its configuration.
    pub fn reset(&mut self) {
        *self = Self {
            bare_lf: self.bare_lf,
            bare_cr: self.bare_cr,
            ..Self::new()
        };
    }

    /// Stuffs `input`, the next piece of the body, into `out`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BareLf`] or [`ErrorKind::BareCr`] under
    /// [`BarePolicy::Reject`], with the offset in the body; what came before
    /// it has been written.
    pub fn encode(&mut self, input: &[u8], out: &mut BytesMut) -> Result<(), Error> {
        let mut rest = input;
        if self.pending_cr && !rest.is_empty() {
            self.pending_cr = false;
            if rest[0] == LF {
                self.line_break(out, CRLF, true);
                rest = &rest[1..];
                self.consumed += 1;
            } else {
                self.bare(out, self.bare_cr, ErrorKind::BareCr, b"\r", 1)?;
            }
        }
        while !rest.is_empty() {
            if self.line_start && rest[0] == DOT {
                out.extend_from_slice(b".");
            }
            self.line_start = false;
            let Some(at) = memchr::memchr2(CR, LF, rest) else {
                self.write(out, rest);
                self.consumed += rest.len();
                return Ok(());
            };
            self.write(out, &rest[..at]);
            self.consumed += at;
            if rest[at] == LF {
                self.consumed += 1;
                self.bare(out, self.bare_lf, ErrorKind::BareLf, b"\n", 1)?;
                rest = &rest[at + 1..];
            } else if at + 1 == rest.len() {
                self.consumed += 1;
                self.pending_cr = true;
                return Ok(());
            } else if rest[at + 1] == LF {
                self.consumed += 2;
                self.line_break(out, CRLF, true);
                rest = &rest[at + 2..];
            } else {
                self.consumed += 1;
                self.bare(out, self.bare_cr, ErrorKind::BareCr, b"\r", 1)?;
                rest = &rest[at + 1..];
            }
        }
        Ok(())
    }

    /// Ends the body: a CRLF if the last line was not ended by one, then
    /// `.CRLF`. The encoder is then ready for another body.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BareCr`] if the body ended with a bare CR under
    /// [`BarePolicy::Reject`].
    pub fn finish(&mut self, out: &mut BytesMut) -> Result<(), Error> {
        if self.pending_cr {
            self.pending_cr = false;
            self.bare(out, self.bare_cr, ErrorKind::BareCr, b"\r", 1)?;
        }
        if !self.after_crlf {
            out.extend_from_slice(CRLF);
        }
        out.extend_from_slice(b".\r\n");
        self.reset();
        Ok(())
    }

    /// Stuffs a whole body into `out`, final `.CRLF` included.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_core::dot::DotEncoder;
    ///
    /// let mut out = BytesMut::new();
    /// DotEncoder::new().encode_all(b"", &mut out).unwrap();
    /// assert_eq!(&out[..], b".\r\n");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`encode`](Self::encode) and [`finish`](Self::finish).
    pub fn encode_all(&mut self, body: &[u8], out: &mut BytesMut) -> Result<(), Error> {
        self.encode(body, out)?;
        self.finish(out)
    }

    fn write(&mut self, out: &mut BytesMut, bytes: &[u8]) {
        if !bytes.is_empty() {
            out.extend_from_slice(bytes);
            self.after_crlf = false;
        }
    }

    fn line_break(&mut self, out: &mut BytesMut, ending: &[u8], is_crlf: bool) {
        out.extend_from_slice(ending);
        self.line_start = true;
        self.after_crlf = is_crlf;
    }

    /// A bare CR or LF (already counted in `consumed`) under `policy`.
    fn bare(
        &mut self,
        out: &mut BytesMut,
        policy: BarePolicy,
        kind: ErrorKind,
        byte: &[u8],
        len: usize,
    ) -> Result<(), Error> {
        match policy {
            BarePolicy::Reject => Err(Error::new(self.consumed - len, kind)),
            BarePolicy::Accept => {
                self.line_break(out, byte, false);
                Ok(())
            }
            BarePolicy::Normalize => {
                self.line_break(out, CRLF, true);
                Ok(())
            }
        }
    }
}
