//! `tokio_util::codec` framing for both ends of an SMTP connection
//! (feature `tokio`).
//!
//! - [`ServerCodec`] decodes what a client sends, [`ClientFrame`]s:
//!   command lines, then message data as streamed [`Bytes`] chunks
//!   (dot-unstuffed after a `354`, counted out after `BDAT n`), and
//!   encodes [`Reply`]s.
//! - [`ClientCodec`] decodes [`Reply`]s and encodes [`Command`]s and the
//!   message ([`MessageData`], dot-stuffed on the way out).
//!
//! The codecs frame; they do not judge sequencing. For the whole protocol
//! (sequencing, pipelining checks, STARTTLS, AUTH, limits) drive the
//! sans-IO machines of this crate instead, or on top.
//!
//! ```
//! use bytes::BytesMut;
//! use tokio_util::codec::{Decoder, Encoder};
//! use mailwire_smtp::codec::{ClientFrame, ServerCodec};
//! use mailwire_smtp::types::{Command, Reply, ReplyCode};
//!
//! let mut codec = ServerCodec::new();
//! let mut input = BytesMut::from(&b"DATA\r\n..dot\r\n.\r\nQUIT\r\n"[..]);
//! let mut output = BytesMut::new();
//!
//! let Some(ClientFrame::Command(line)) = codec.decode(&mut input)? else { panic!() };
//! assert_eq!(line.parse()?, Command::Data);
//! // Sending 354 switches the decoder to message data.
//! codec.encode(Reply::new(ReplyCode::START_MAIL_INPUT, None, "Go ahead"), &mut output)?;
//! assert_eq!(codec.decode(&mut input)?, Some(ClientFrame::Data(".dot\r\n".into())));
//! assert_eq!(codec.decode(&mut input)?, Some(ClientFrame::DataEnd));
//! let Some(ClientFrame::Command(line)) = codec.decode(&mut input)? else { panic!() };
//! assert_eq!(line.parse()?, Command::Quit);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use bytes::{Buf, Bytes, BytesMut};
use mailwire_core::dot::{DotDecoder, DotEncoder, DotEvent};
use mailwire_core::{Limits, LineFramer};
use tokio_util::codec::{Decoder, Encoder};

use crate::encode::EncodeError;
use crate::parse::{CommandError, ReplyError, ReplyLimits};
use crate::types::{Command, Reply, ReplyCode};

/// Why a codec failed. The line-level problems of a client
/// ([`ClientFrame::LineError`], [`ClientFrame::DataDefect`]) are frames,
/// not errors: the session goes on after them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The transport failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The server's bytes are not a reply.
    #[error(transparent)]
    Reply(#[from] ReplyError),
    /// A command or reply could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// Message data could not be dot-stuffed (a bare CR or LF refused by
    /// the [`DotEncoder`]'s policy).
    #[error(transparent)]
    Data(#[from] mailwire_core::Error),
}

/// A command line received by a server, without its line ending: shared
/// with the receive buffer, parsed on demand.
///
/// ```
/// use mailwire_smtp::codec::CommandLine;
/// use mailwire_smtp::types::Command;
///
/// let line = CommandLine::from_static(b"RSET");
/// assert_eq!(line.parse()?, Command::Rset);
/// # Ok::<(), mailwire_smtp::parse::CommandError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CommandLine(Bytes);

impl CommandLine {
    /// A line from static bytes (for tests and examples).
    #[must_use]
    pub const fn from_static(line: &'static [u8]) -> Self {
        Self(Bytes::from_static(line))
    }

    /// The line's bytes, without the line ending.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The line as `Bytes`.
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// Parses the command, borrowing from the line.
    ///
    /// # Errors
    ///
    /// [`CommandError`], with the reply to give.
    pub fn parse(&self) -> Result<Command<'_>, CommandError> {
        Command::parse(&self.0)
    }
}

impl fmt::Debug for CommandLine {
    /// Shows the verb only: the rest may be an `AUTH` credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = self.0.split(|&b| b == b' ').next().unwrap_or(&[]);
        write!(f, "CommandLine({:?} ..)", String::from_utf8_lossy(verb))
    }
}

/// What a [`ServerCodec`] decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientFrame {
    /// A command line. (After a `BDAT` line the codec counts out its
    /// chunk next, whatever the server will answer: RFC 3030 section 2
    /// says the bytes must be read even when the command fails.)
    Command(CommandLine),
    /// A line the framer refused: longer than the limit (skipped to its
    /// end) or holding a bare CR or LF that the policy rejects. Answer
    /// `500` and go on.
    LineError(mailwire_core::Error),
    /// Message data after a `354`: unstuffed, in order, shared with the
    /// receive buffer.
    Data(Bytes),
    /// The message data breaks a rule of the [`DotDecoder`] (bare CR or
    /// LF under a rejecting policy, or the size limit). Decoding goes on
    /// to the real end; refuse the message when [`DataEnd`](Self::DataEnd)
    /// comes.
    DataDefect(mailwire_core::Error),
    /// The `CRLF.CRLF` ending the message data.
    DataEnd,
    /// Bytes of the current `BDAT` chunk.
    Chunk(Bytes),
    /// The current `BDAT` chunk is complete.
    ChunkEnd {
        /// Whether it was `BDAT ... LAST`.
        last: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Commands,
    Data,
    Chunk { remaining: u64, last: bool },
}

/// The server end: decodes [`ClientFrame`]s, encodes [`Reply`]s.
///
/// Encoding a `354` reply switches decoding to message data, which ends at
/// `CRLF.CRLF` only (never at `LF.LF` or the other SMTP-smuggling
/// variants). Decoding a `BDAT n` line counts out the next `n` bytes as
/// [`ClientFrame::Chunk`]s. Decode one frame at a time and answer it
/// before decoding the next one that depends on the answer (as a
/// `Framed` stream does when polled in turn).
///
/// **STARTTLS**: after sending `220` to `STARTTLS`, take the transport
/// out with `Framed::into_parts` and drop the read buffer: bytes a client
/// pipelined after `STARTTLS` must not be read as commands (RFC 3207
/// section 5; the CVE-2011-0411 class of attacks).
#[derive(Debug, Clone)]
pub struct ServerCodec {
    framer: LineFramer,
    dot: DotDecoder,
    mode: Mode,
}

impl Default for ServerCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerCodec {
    /// A codec with [`Limits::DEFAULT`]: 512-octet command lines, 64 MiB
    /// messages, bare CR and LF in message data reported as defects.
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(&Limits::DEFAULT)
    }

    /// A codec bounded by `limits` (`max_command_line`,
    /// `max_message_size`).
    ///
    /// ```
    /// use mailwire_core::Limits;
    /// use mailwire_smtp::codec::ServerCodec;
    ///
    /// let mut limits = Limits::DEFAULT;
    /// limits.max_message_size = 10 << 20;
    /// let codec = ServerCodec::with_limits(&limits);
    /// # let _ = codec;
    /// ```
    #[must_use]
    pub fn with_limits(limits: &Limits) -> Self {
        Self::with_parts(
            LineFramer::new(limits.max_command_line),
            DotDecoder::new().max_size(limits.max_message_size),
        )
    }

    /// A codec with its own line framer (length limit, bare CR/LF policy
    /// for commands) and dot decoder (policies and size limit for
    /// message data).
    #[must_use]
    pub fn with_parts(framer: LineFramer, dot: DotDecoder) -> Self {
        Self {
            framer,
            dot,
            mode: Mode::Commands,
        }
    }

    /// Starts decoding message data now, as if a `354` had been encoded
    /// (for servers that write replies some other way).
    pub fn start_data(&mut self) {
        self.dot.reset();
        self.mode = Mode::Data;
    }

    /// Whether the codec is reading message data or a chunk.
    #[must_use]
    pub fn in_message(&self) -> bool {
        self.mode != Mode::Commands
    }
}

impl Decoder for ServerCodec {
    type Item = ClientFrame;
    type Error = CodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<ClientFrame>, CodecError> {
        match self.mode {
            Mode::Commands => Ok(self.framer.next_line(buf).map(|line| match line {
                Ok(line) => {
                    let line = line.into_content();
                    if let Ok(Command::Bdat { size, last }) = bdat(&line) {
                        self.mode = Mode::Chunk {
                            remaining: size,
                            last,
                        };
                    }
                    ClientFrame::Command(CommandLine(line))
                }
                Err(error) => ClientFrame::LineError(error),
            })),
            Mode::Data => Ok(self.dot.decode(buf).map(|event| match event {
                DotEvent::Data(bytes) => ClientFrame::Data(bytes),
                DotEvent::Defect(error) => ClientFrame::DataDefect(error),
                DotEvent::End => {
                    self.mode = Mode::Commands;
                    ClientFrame::DataEnd
                }
            })),
            Mode::Chunk { remaining, last } => {
                if remaining == 0 {
                    self.mode = Mode::Commands;
                    return Ok(Some(ClientFrame::ChunkEnd { last }));
                }
                if buf.is_empty() {
                    return Ok(None);
                }
                let n = usize::try_from(remaining).map_or(buf.len(), |r| r.min(buf.len()));
                self.mode = Mode::Chunk {
                    remaining: remaining - n as u64,
                    last,
                };
                // The framer counts stream offsets for its error positions.
                self.framer.advance_offset(n);
                Ok(Some(ClientFrame::Chunk(buf.split_to(n).freeze())))
            }
        }
    }
}

/// Parses a line only if it is a `BDAT` command (cheap check first).
fn bdat(line: &[u8]) -> Result<Command<'_>, ()> {
    match line.get(..5) {
        Some(head) if head.eq_ignore_ascii_case(b"BDAT ") => Command::parse(line).map_err(drop),
        _ => Err(()),
    }
}

impl Encoder<Reply<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, reply: Reply<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&reply, out)
    }
}

impl Encoder<&Reply<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, reply: &Reply<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        reply.encode(out)?;
        if reply.code() == ReplyCode::START_MAIL_INPUT {
            self.start_data();
        }
        Ok(())
    }
}

/// Message data for a [`ClientCodec`] to send after `354`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageData<B> {
    /// Message bytes, in order; dot-stuffed and given CRLF line endings
    /// on the way out.
    Chunk(B),
    /// The end of the message: a final CRLF if needed, then `.CRLF`.
    End,
}

/// The client end: decodes [`Reply`]s, encodes [`Command`]s and
/// [`MessageData`].
///
/// ```
/// use bytes::BytesMut;
/// use tokio_util::codec::{Decoder, Encoder};
/// use mailwire_smtp::codec::{ClientCodec, MessageData};
/// use mailwire_smtp::types::{Command, ReplyCode};
///
/// let mut codec = ClientCodec::new();
/// let mut out = BytesMut::new();
/// codec.encode(Command::Data, &mut out)?;
/// codec.encode(MessageData::Chunk(&b".hi\nthere"[..]), &mut out)?;
/// codec.encode(MessageData::<&[u8]>::End, &mut out)?;
/// assert_eq!(&out[..], b"DATA\r\n..hi\r\nthere\r\n.\r\n");
///
/// let mut input = BytesMut::from(&b"250-first\r\n250 second\r\n"[..]);
/// let reply = codec.decode(&mut input)?.unwrap();
/// assert_eq!((reply.code(), reply.text().as_ref()), (ReplyCode::OK, "first\nsecond"));
/// # Ok::<(), mailwire_smtp::codec::CodecError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientCodec {
    limits: ReplyLimits,
    dot: DotEncoder,
}

impl ClientCodec {
    /// A codec with [`ReplyLimits::DEFAULT`] and a [`DotEncoder`] that
    /// turns bare CR and LF into CRLF.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A codec with other reply limits and dot encoder.
    #[must_use]
    pub fn with_parts(limits: ReplyLimits, dot: DotEncoder) -> Self {
        Self { limits, dot }
    }
}

impl Decoder for ClientCodec {
    type Item = Reply<'static>;
    type Error = CodecError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Reply<'static>>, CodecError> {
        let Some((reply, used)) = Reply::parse_with_limits(buf, self.limits)? else {
            return Ok(None);
        };
        let reply = reply.into_owned();
        buf.advance(used);
        Ok(Some(reply))
    }
}

impl Encoder<Command<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, command: Command<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        command.encode(out)?;
        Ok(())
    }
}

impl Encoder<&Command<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, command: &Command<'_>, out: &mut BytesMut) -> Result<(), CodecError> {
        command.encode(out)?;
        Ok(())
    }
}

impl<B: AsRef<[u8]>> Encoder<MessageData<B>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, data: MessageData<B>, out: &mut BytesMut) -> Result<(), CodecError> {
        match data {
            MessageData::Chunk(bytes) => self.dot.encode(bytes.as_ref(), out)?,
            MessageData::End => {
                self.dot.finish(out)?;
                self.dot.reset();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(
        codec: &mut ServerCodec,
        input: &[u8],
        replies: &[(usize, Reply<'_>)],
    ) -> Vec<ClientFrame> {
        let mut buf = BytesMut::from(input);
        let mut out = BytesMut::new();
        let mut frames = Vec::new();
        while let Some(frame) = codec.decode(&mut buf).unwrap() {
            frames.push(frame);
            for (after, reply) in replies {
                if *after == frames.len() {
                    codec.encode(reply, &mut out).unwrap();
                }
            }
        }
        frames
    }

    #[test]
    fn bdat_chunks_are_counted_out_even_when_they_look_like_commands() {
        let mut codec = ServerCodec::new();
        let got = frames(
            &mut codec,
            b"BDAT 6\r\nQUIT\r\nBDAT 0 LAST\r\nRSET\r\n",
            &[],
        );
        assert_eq!(got.len(), 6);
        assert_eq!(got[1], ClientFrame::Chunk(Bytes::from_static(b"QUIT\r\n")));
        assert_eq!(got[2], ClientFrame::ChunkEnd { last: false });
        assert_eq!(got[4], ClientFrame::ChunkEnd { last: true });
        let ClientFrame::Command(line) = &got[5] else {
            panic!("{got:?}")
        };
        assert_eq!(line.parse().unwrap(), Command::Rset);
    }

    #[test]
    fn smuggled_end_of_data_is_data() {
        let mut codec = ServerCodec::with_parts(
            LineFramer::new(512),
            DotDecoder::new()
                .bare_lf(mailwire_core::BarePolicy::Accept)
                .bare_cr(mailwire_core::BarePolicy::Accept),
        );
        let go = Reply::new(ReplyCode::START_MAIL_INPUT, None, "go");
        let got = frames(
            &mut codec,
            b"DATA\r\nhi\n.\nMAIL FROM:<evil@x>\r\n.\r\n",
            &[(1, go)],
        );
        let data: Vec<u8> = got
            .iter()
            .filter_map(|f| match f {
                ClientFrame::Data(b) => Some(b.to_vec()),
                _ => None,
            })
            .flatten()
            .collect();
        // A bare LF starts a line for unstuffing (the dot goes) but never
        // an end of data: the smuggled command stays message data.
        assert_eq!(data, b"hi\n\nMAIL FROM:<evil@x>\r\n");
        assert_eq!(
            got.iter().filter(|f| **f == ClientFrame::DataEnd).count(),
            1
        );
        assert_eq!(got.last(), Some(&ClientFrame::DataEnd));
    }

    #[test]
    fn long_lines_are_frames_not_errors() {
        let mut codec = ServerCodec::new();
        let mut input = vec![b'A'; 600];
        input.extend_from_slice(b"\r\nNOOP\r\n");
        let got = frames(&mut codec, &input, &[]);
        assert!(matches!(got[0], ClientFrame::LineError(_)), "{got:?}");
        let ClientFrame::Command(line) = &got[1] else {
            panic!()
        };
        assert_eq!(line.parse().unwrap(), Command::Noop { argument: None });
    }

    #[test]
    fn client_reads_replies_split_anywhere() {
        let wire = b"220 hi\r\n250-a\r\n250 b\r\n";
        for split in 0..wire.len() {
            let mut codec = ClientCodec::new();
            let mut buf = BytesMut::from(&wire[..split]);
            let mut got = Vec::new();
            while let Some(r) = codec.decode(&mut buf).unwrap() {
                got.push(r);
            }
            buf.extend_from_slice(&wire[split..]);
            while let Some(r) = codec.decode(&mut buf).unwrap() {
                got.push(r);
            }
            assert_eq!(got.len(), 2, "split at {split}");
            assert_eq!(got[1].text(), "a\nb");
        }
    }
}
