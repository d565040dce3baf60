//! `tokio_util::codec` framing on top of [`LineFramer`] and the
//! [`dot`](crate::dot) coders (feature `tokio`).
//!
//! The codecs are thin: all the logic lives in the sans-IO types, so what
//! holds for them (bounded buffers, one report per over-long line, end of
//! data only at `CRLF.CRLF`) holds here. A bad line is an *item*
//! (`Err(Error)` inside `Ok`), not a stream error, so a server reading a
//! `FramedRead` answers it and goes on.
//!
//! ```
//! use futures::StreamExt;
//! use mailwire_core::codec::LineCodec;
//! use tokio_util::codec::FramedRead;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let input: &[u8] = b"HELO a.example\r\nNOOP\r\n";
//! let mut lines = FramedRead::new(input, LineCodec::new(512));
//! let first = lines.next().await.unwrap().unwrap().unwrap();
//! assert_eq!(first.content(), b"HELO a.example");
//! let second = lines.next().await.unwrap().unwrap().unwrap();
//! assert_eq!(second.content(), b"NOOP");
//! assert!(lines.next().await.is_none());
//! # });
//! ```

use std::io;

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::dot::{DotDecoder, DotEncoder, DotEvent};
use crate::{Error, ErrorKind, Line, LineFramer};

/// Reads lines with a [`LineFramer`]; writes lines, adding CRLF.
///
/// Decoding yields `Ok(Ok(line))` for a line and `Ok(Err(error))` for a bad
/// line the session can survive (too long, bare CR/LF refused, or a last
/// line cut off by the end of the stream). Encoding refuses CR, LF and NUL
/// inside a line and lines longer than the limit, so nothing can be
/// injected into the protocol stream.
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_core::codec::LineCodec;
/// use tokio_util::codec::Encoder;
///
/// let mut codec = LineCodec::new(512);
/// let mut out = BytesMut::new();
/// codec.encode(&b"250 OK"[..], &mut out).unwrap();
/// assert_eq!(&out[..], b"250 OK\r\n");
/// assert!(codec.encode(&b"250 OK\r\nRCPT TO:<x@y>"[..], &mut out).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct LineCodec {
    framer: LineFramer,
}

impl LineCodec {
    /// A codec for lines of at most `max_length` bytes (CRLF included), with
    /// bare CR and bare LF rejected.
    #[must_use]
    pub fn new(max_length: usize) -> Self {
        Self::with_framer(LineFramer::new(max_length))
    }

    /// A codec around a configured framer.
    ///
    /// ```
    /// use mailwire_core::{BarePolicy, LineFramer, codec::LineCodec};
    /// let codec = LineCodec::with_framer(LineFramer::new(1000).bare_lf(BarePolicy::Accept));
    /// assert_eq!(codec.framer().max_length(), 1000);
    /// ```
    #[must_use]
    pub fn with_framer(framer: LineFramer) -> Self {
        Self { framer }
    }

    /// The framer, to read its configuration.
    #[must_use]
    pub fn framer(&self) -> &LineFramer {
        &self.framer
    }

    /// The framer, to change its limit or reset it.
    pub fn framer_mut(&mut self) -> &mut LineFramer {
        &mut self.framer
    }
}

impl Decoder for LineCodec {
    type Item = Result<Line, Error>;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<Self::Item>> {
        Ok(self.framer.next_line(src))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> io::Result<Option<Self::Item>> {
        if let Some(item) = self.framer.next_line(src) {
            return Ok(Some(item));
        }
        if src.is_empty() {
            return Ok(None);
        }
        // A last line without its ending: report it once, drop it.
        let offset = self.framer.stream_offset();
        let discarding = self.framer.is_discarding();
        self.framer.advance_offset(src.len());
        src.clear();
        if discarding {
            return Ok(None);
        }
        Ok(Some(Err(Error::incomplete(offset, "line ending"))))
    }
}

impl<T: AsRef<[u8]>> Encoder<T> for LineCodec {
    type Error = io::Error;

    fn encode(&mut self, line: T, dst: &mut BytesMut) -> io::Result<()> {
        let line = line.as_ref();
        if let Some(at) = memchr::memchr3(b'\r', b'\n', 0, line) {
            let kind = match line[at] {
                b'\r' => ErrorKind::BareCr,
                b'\n' => ErrorKind::BareLf,
                _ => ErrorKind::Nul,
            };
            return Err(invalid_input(Error::new(at, kind)));
        }
        let limit = self.framer.max_length();
        if line.len() + 2 > limit {
            return Err(invalid_input(Error::new(
                limit.saturating_sub(2),
                ErrorKind::LineTooLong { limit },
            )));
        }
        dst.reserve(line.len() + 2);
        dst.extend_from_slice(line);
        dst.extend_from_slice(b"\r\n");
        Ok(())
    }
}

/// A piece of a dot-stuffed body to write with [`DotCodec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DotItem<T> {
    /// Body bytes, stuffed on the way out.
    Data(T),
    /// The end of the body: writes the final `CRLF.CRLF`.
    End,
}

/// Reads a dot-stuffed body as [`DotEvent`]s; writes one from [`DotItem`]s.
///
/// After [`DotEvent::End`] the decoder yields nothing more until
/// [`reset`](Self::reset): the bytes after the body belong to the next
/// command, so switch codecs with `FramedRead::map_decoder` or take the
/// read buffer back.
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_core::codec::{DotCodec, DotItem};
/// use mailwire_core::dot::DotEvent;
/// use tokio_util::codec::{Decoder, Encoder};
///
/// let mut codec = DotCodec::default();
/// let mut wire = BytesMut::new();
/// codec.encode(DotItem::Data(&b".dot\r\n"[..]), &mut wire).unwrap();
/// codec.encode(DotItem::<&[u8]>::End, &mut wire).unwrap();
/// assert_eq!(&wire[..], b"..dot\r\n.\r\n");
///
/// assert_eq!(codec.decode(&mut wire).unwrap(), Some(DotEvent::Data(".dot\r\n".into())));
/// assert_eq!(codec.decode(&mut wire).unwrap(), Some(DotEvent::End));
/// ```
#[derive(Debug, Clone, Default)]
pub struct DotCodec {
    decoder: DotDecoder,
    encoder: DotEncoder,
}

impl DotCodec {
    /// A codec from a configured decoder and encoder.
    #[must_use]
    pub fn new(decoder: DotDecoder, encoder: DotEncoder) -> Self {
        Self { decoder, encoder }
    }

    /// Readies the codec for the next body.
    pub fn reset(&mut self) {
        self.decoder.reset();
        self.encoder.reset();
    }
}

impl Decoder for DotCodec {
    type Item = DotEvent;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<DotEvent>> {
        Ok(self.decoder.decode(src))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> io::Result<Option<DotEvent>> {
        match self.decoder.decode(src) {
            Some(event) => Ok(Some(event)),
            None if self.decoder.is_done() => Ok(None),
            None => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                Error::incomplete(self.decoder.consumed() + src.len(), "CRLF.CRLF"),
            )),
        }
    }
}

impl<T: AsRef<[u8]>> Encoder<DotItem<T>> for DotCodec {
    type Error = io::Error;

    fn encode(&mut self, item: DotItem<T>, dst: &mut BytesMut) -> io::Result<()> {
        match item {
            DotItem::Data(data) => self.encoder.encode(data.as_ref(), dst),
            DotItem::End => self.encoder.finish(dst),
        }
        .map_err(invalid_input)
    }
}

fn invalid_input(error: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, error)
}
