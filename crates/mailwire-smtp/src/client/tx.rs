//! One mail transaction: the envelope commands, the body, the replies.

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};
use mailwire_core::dot::DotEncoder;

use super::body::{Normalizer, has_8bit, normalized_len};
use super::config::DsnFallback;
use super::event::{Event, TransactionError, TransactionId, TransactionReport};
use crate::encode::EncodeError;
use crate::types::{Body, Command, Reply, ReplyCode};

/// What the client waits for, in the order the commands went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt(usize),
    Data,
    BdatChunk,
    /// The reply after the data; LMTP: one per accepted recipient.
    DataEnd(Option<usize>),
    Rset,
    Quit,
}

/// The output side shared by the session and the transaction: bytes to
/// send, replies awaited, events for the application. Its `Debug` shows
/// sizes, not bytes: the output may hold an `AUTH` response.
#[derive(Default)]
pub(super) struct Io {
    /// Commands and stuffed data not yet cut into a piece.
    pub(super) cmd: BytesMut,
    pub(super) pieces: VecDeque<Bytes>,
    /// Bytes in `pieces`.
    pub(super) queued: usize,
    pub(super) expect: VecDeque<Expect>,
    pub(super) events: VecDeque<Event>,
}

impl core::fmt::Debug for Io {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Io")
            .field("pending_bytes", &self.pending())
            .field("expect", &self.expect)
            .field("events", &self.events.len())
            .finish()
    }
}

impl Io {
    /// Writes a command this crate built (it cannot fail to encode) and
    /// awaits its reply.
    pub(super) fn command(&mut self, command: &Command<'_>, expect: Expect) {
        let written = command.encode(&mut self.cmd);
        debug_assert!(written.is_ok(), "{written:?}");
        self.expect.push_back(expect);
    }

    /// Writes raw bytes (a line already built, CRLF included).
    pub(super) fn raw(&mut self, bytes: &[u8], expect: Option<Expect>) {
        self.cmd.extend_from_slice(bytes);
        self.expect.extend(expect);
    }

    /// Queues a piece of output after what is written so far.
    pub(super) fn piece(&mut self, piece: Bytes) {
        self.flush();
        if !piece.is_empty() {
            self.queued += piece.len();
            self.pieces.push_back(piece);
        }
    }

    /// Cuts the written bytes into a piece.
    pub(super) fn flush(&mut self) {
        if !self.cmd.is_empty() {
            let piece = self.cmd.split().freeze();
            self.queued += piece.len();
            self.pieces.push_back(piece);
        }
    }

    /// Bytes waiting to be handed out.
    pub(super) fn pending(&self) -> usize {
        self.queued + self.cmd.len()
    }

    pub(super) fn clear_output(&mut self) {
        self.cmd.clear();
        self.pieces.clear();
        self.queued = 0;
    }
}

/// Where the message comes from.
pub(super) enum Source {
    /// The whole message, cut into blocks as output drains.
    Whole {
        data: Bytes,
        pos: usize,
        /// No bare CR or LF: `BDAT` chunks can be slices of `data`.
        clean: bool,
    },
    /// Written by the application piece by piece.
    Stream {
        /// `BDAT` mode: data waiting to become a chunk.
        buf: BytesMut,
        ended: bool,
    },
}

impl core::fmt::Debug for Source {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Whole { data, pos, .. } => f
                .debug_struct("Whole")
                .field("len", &data.len())
                .field("pos", pos)
                .finish(),
            Self::Stream { buf, ended } => f
                .debug_struct("Stream")
                .field("buffered", &buf.len())
                .field("ended", ended)
                .finish(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// Queued, not started.
    Queued,
    /// `MAIL`, `RCPT` (and `DATA`) sent; reading their replies.
    Envelope,
    /// Sending the message.
    Body,
    /// The end of the data is sent; awaiting the final reply.
    Final,
}

/// What the server offers, as far as a transaction cares.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TxCaps {
    pub(super) size: Option<u64>,
    pub(super) pipelining: bool,
    pub(super) eight_bit_mime: bool,
    pub(super) binary_mime: bool,
    pub(super) chunking: bool,
    pub(super) smtputf8: bool,
    pub(super) dsn: bool,
    pub(super) requiretls: bool,
    pub(super) auth: bool,
}

/// The settings a transaction reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct TxConfig {
    pub(super) pipelining: bool,
    pub(super) chunking: bool,
    pub(super) lmtp: bool,
    pub(super) dsn_fallback: DsnFallback,
    pub(super) block_size: usize,
    pub(super) bdat_window: usize,
}

/// Whether a transaction goes on or is over.
#[derive(Debug)]
pub(super) enum Step {
    Continue,
    /// Over: the result, and whether `RSET` must follow.
    Done(Result<Reply<'static>, TransactionError>, bool),
}

#[derive(Debug)]
pub(super) struct Tx {
    pub(super) id: TransactionId,
    /// `MAIL FROM:...` without CRLF, as the application gave it.
    mail_line: String,
    /// `RCPT TO:...` lines without CRLF.
    rcpt_lines: Vec<String>,
    /// The prepared commands, CRLF included.
    rcpt_cmds: Vec<Bytes>,
    pub(super) source: Source,
    pub(super) stage: Stage,
    pub(super) bdat: bool,
    binary: bool,
    pub(super) pipelined: bool,
    mail_ok: Option<bool>,
    rcpt_sent: usize,
    rcpt_done: usize,
    data_sent: bool,
    accepted: Vec<usize>,
    rejected: Vec<(usize, Reply<'static>)>,
    deliveries: Vec<(usize, Reply<'static>)>,
    final_reply: Option<Reply<'static>>,
    finals_pending: usize,
    /// The failure found while replies of the group are still due.
    pub(super) aborted: Option<TransactionError>,
    /// `RSET` after the final reply (a `BDAT` chunk failed).
    rset_after: bool,
    pub(super) bdat_outstanding: usize,
    dot: DotEncoder,
    norm: Normalizer,
}

/// Encodes `command` into a line without CRLF, checking that it reads
/// back, so that [`Tx::prepare`] can parse it again.
pub(super) fn line_of(command: &Command<'_>) -> Result<String, EncodeError> {
    let mut out = command.to_bytes()?;
    out.truncate(out.len() - 2);
    let back = EncodeError::Invalid {
        field: "envelope",
        reason: "does not read back as the same command",
    };
    let line = String::from_utf8(out).map_err(|_| back)?;
    match Command::parse(line.as_bytes()) {
        Ok(again) if again.verb() == command.verb() => Ok(line),
        _ => Err(back),
    }
}

impl Tx {
    pub(super) fn new(
        id: TransactionId,
        mail_line: String,
        rcpt_lines: Vec<String>,
        source: Source,
    ) -> Self {
        Self {
            id,
            mail_line,
            rcpt_lines,
            rcpt_cmds: Vec::new(),
            source,
            stage: Stage::Queued,
            bdat: false,
            binary: false,
            pipelined: false,
            mail_ok: None,
            rcpt_sent: 0,
            rcpt_done: 0,
            data_sent: false,
            accepted: Vec::new(),
            rejected: Vec::new(),
            deliveries: Vec::new(),
            final_reply: None,
            finals_pending: 0,
            aborted: None,
            rset_after: false,
            bdat_outstanding: 0,
            dot: DotEncoder::new(),
            norm: Normalizer::default(),
        }
    }

    /// The report of this transaction.
    pub(super) fn report(
        self,
        result: Result<Reply<'static>, TransactionError>,
    ) -> TransactionReport {
        TransactionReport {
            transaction: self.id,
            accepted: self.accepted,
            rejected: self.rejected,
            deliveries: self.deliveries,
            result,
        }
    }

    fn recipients(&self) -> usize {
        self.rcpt_lines.len()
    }

    pub(super) fn is_stream(&self) -> bool {
        matches!(self.source, Source::Stream { .. })
    }

    /// Decides the parameters from what the server offers and writes
    /// `MAIL FROM` (with pipelining, the whole group up to `DATA`).
    pub(super) fn start(
        &mut self,
        io: &mut Io,
        caps: &TxCaps,
        config: &TxConfig,
    ) -> Result<(), TransactionError> {
        self.bdat = config.chunking && caps.chunking;
        self.pipelined = config.pipelining && caps.pipelining;
        let mail = self.prepare(caps, config)?;
        io.raw(&mail, Some(Expect::Mail));
        self.stage = Stage::Envelope;
        if self.pipelined {
            // RFC 2920 section 3.1: MAIL and RCPT anywhere in a group,
            // DATA last.
            for i in 0..self.recipients() {
                io.raw(&self.rcpt_cmds[i], Some(Expect::Rcpt(i)));
            }
            self.rcpt_sent = self.recipients();
            if !self.bdat {
                io.raw(b"DATA\r\n", Some(Expect::Data));
                self.data_sent = true;
            }
        }
        Ok(())
    }

    /// Builds the `MAIL` and `RCPT` commands for this server.
    fn prepare(&mut self, caps: &TxCaps, config: &TxConfig) -> Result<Vec<u8>, TransactionError> {
        // Not reached: `line_of` checked that the lines read back.
        let reread = |()| {
            TransactionError::Encode(EncodeError::Invalid {
                field: "envelope",
                reason: "does not read back",
            })
        };
        let Command::Mail {
            reverse_path,
            mut params,
        } = Command::parse(self.mail_line.as_bytes()).map_err(|_| reread(()))?
        else {
            return Err(reread(()));
        };
        let mut rcpts = Vec::with_capacity(self.rcpt_lines.len());
        for line in &self.rcpt_lines {
            match Command::parse(line.as_bytes()).map_err(|_| reread(()))? {
                Command::Rcpt {
                    forward_path,
                    params,
                } => rcpts.push((forward_path, params)),
                _ => return Err(reread(())),
            }
        }

        // Body: what the message holds, what the server takes.
        let binary = params.body == Some(Body::BinaryMime);
        let (eight_bit, size) = match &mut self.source {
            Source::Whole { data, clean, .. } => {
                let (len, ends_line) = normalized_len(data);
                *clean = len == data.len() as u64;
                let size = if binary {
                    data.len() as u64
                } else if self.bdat || len == 0 || ends_line {
                    len
                } else {
                    len + 2 // DATA ends the last line with CRLF
                };
                (has_8bit(data), Some(size))
            }
            Source::Stream { .. } => (false, params.size),
        };
        if params.body == Some(Body::BinaryMime) {
            if !(self.bdat && caps.binary_mime) {
                return Err(TransactionError::NeedsBinaryMime);
            }
            self.binary = true;
        } else if eight_bit || params.body == Some(Body::EightBitMime) {
            if !caps.eight_bit_mime {
                return Err(TransactionError::Needs8BitMime);
            }
            params.body = Some(Body::EightBitMime);
        } else if params.body.is_some() && !caps.eight_bit_mime {
            params.body = None; // BODY=7BIT is an 8BITMIME parameter
        }
        let non_ascii =
            !self.mail_line.is_ascii() || self.rcpt_lines.iter().any(|line| !line.is_ascii());
        if params.smtputf8 || non_ascii {
            if !caps.smtputf8 {
                return Err(TransactionError::NeedsSmtpUtf8);
            }
            params.smtputf8 = true;
        }
        if params.requiretls && !caps.requiretls {
            return Err(TransactionError::RequireTlsUnsupported);
        }
        if !caps.auth {
            params.auth = None; // RFC 4954 section 5: only with AUTH
        }
        let dsn_given = params.ret.is_some()
            || params.envid.is_some()
            || rcpts
                .iter()
                .any(|(_, p)| p.notify.is_some() || p.orcpt.is_some());
        if dsn_given && !caps.dsn {
            if config.dsn_fallback == DsnFallback::Fail {
                return Err(TransactionError::DsnUnsupported);
            }
            params.ret = None;
            params.envid = None;
            for (_, p) in &mut rcpts {
                p.notify = None;
                p.orcpt = None;
            }
        }
        params.size = None;
        if let (Some(limit), Some(size)) = (caps.size, size) {
            if limit > 0 && size > limit {
                return Err(TransactionError::TooLarge { size, limit });
            }
            params.size = Some(size);
        }

        let mut mail = Vec::with_capacity(self.mail_line.len() + 40);
        Command::Mail {
            reverse_path,
            params,
        }
        .encode(&mut mail)
        .map_err(TransactionError::Encode)?;
        self.rcpt_cmds.clear();
        for (forward_path, params) in rcpts {
            let mut line = Vec::with_capacity(64);
            Command::Rcpt {
                forward_path,
                params,
            }
            .encode(&mut line)
            .map_err(TransactionError::Encode)?;
            self.rcpt_cmds.push(line.into());
        }
        Ok(mail)
    }

    pub(super) fn on_mail(&mut self, io: &mut Io, reply: &Reply<'_>) -> Step {
        let ok = reply.is_positive();
        self.mail_ok = Some(ok);
        if !ok {
            self.aborted = Some(TransactionError::Sender(reply.clone().into_owned()));
        }
        self.envelope_step(io)
    }

    pub(super) fn on_rcpt(&mut self, io: &mut Io, index: usize, reply: &Reply<'_>) -> Step {
        self.rcpt_done += 1;
        let reply = reply.clone().into_owned();
        if reply.is_positive() {
            self.accepted.push(index);
        } else {
            self.rejected.push((index, reply.clone()));
        }
        io.events.push_back(Event::Recipient {
            transaction: self.id,
            index,
            reply,
        });
        self.envelope_step(io)
    }

    fn envelope_step(&mut self, io: &mut Io) -> Step {
        if self.pipelined {
            if self.rcpt_done < self.recipients() || self.data_sent {
                return Step::Continue; // the rest of the group's replies first
            }
            return self.after_recipients(io);
        }
        match self.mail_ok {
            None => return Step::Continue,
            Some(false) => return Step::Done(Err(self.take_abort()), false),
            Some(true) => {}
        }
        if self.rcpt_done < self.rcpt_sent {
            return Step::Continue;
        }
        if self.rcpt_sent < self.recipients() {
            let i = self.rcpt_sent;
            io.raw(&self.rcpt_cmds[i], Some(Expect::Rcpt(i)));
            self.rcpt_sent += 1;
            return Step::Continue;
        }
        self.after_recipients(io)
    }

    /// Every `RCPT` is answered (and `DATA` was not sent).
    fn after_recipients(&mut self, io: &mut Io) -> Step {
        if self.mail_ok != Some(true) {
            return Step::Done(Err(self.take_abort()), false);
        }
        if self.accepted.is_empty() {
            // The transaction is open on the server: RSET.
            return Step::Done(Err(TransactionError::NoRecipients), true);
        }
        if self.bdat {
            self.stage = Stage::Body;
        } else {
            io.raw(b"DATA\r\n", Some(Expect::Data));
            self.data_sent = true;
        }
        Step::Continue
    }

    fn take_abort(&mut self) -> TransactionError {
        self.aborted
            .take()
            .unwrap_or(TransactionError::NoRecipients)
    }

    pub(super) fn on_data(&mut self, io: &mut Io, reply: &Reply<'_>) -> Step {
        let ready = self.mail_ok == Some(true) && !self.accepted.is_empty();
        if reply.code() == ReplyCode::START_MAIL_INPUT {
            if ready {
                self.stage = Stage::Body;
                return Step::Continue;
            }
            // RFC 2920 section 3.1: DATA accepted after every recipient
            // failed; "if the DATA command was accepted the client SMTP
            // should send a single dot".
            if self.aborted.is_none() {
                self.aborted = Some(TransactionError::NoRecipients);
            }
            io.raw(b".\r\n", Some(Expect::DataEnd(None)));
            self.finals_pending = 1;
            self.stage = Stage::Final;
            return Step::Continue;
        }
        if self.mail_ok != Some(true) {
            return Step::Done(Err(self.take_abort()), false);
        }
        if self.accepted.is_empty() {
            return Step::Done(Err(TransactionError::NoRecipients), true);
        }
        Step::Done(
            Err(TransactionError::Data(reply.clone().into_owned())),
            true,
        )
    }

    pub(super) fn on_bdat_chunk(&mut self, reply: &Reply<'_>) -> Step {
        self.bdat_outstanding = self.bdat_outstanding.saturating_sub(1);
        if !reply.is_positive() && self.aborted.is_none() {
            // RFC 3030 section 2: no more chunks; RSET.
            self.aborted = Some(TransactionError::Data(reply.clone().into_owned()));
            self.rset_after = true;
        }
        if self.stage == Stage::Body && self.aborted.is_some() && self.bdat_outstanding == 0 {
            return Step::Done(Err(self.take_abort()), true);
        }
        Step::Continue
    }

    pub(super) fn on_final(&mut self, rcpt: Option<usize>, reply: &Reply<'_>) -> Step {
        let reply = reply.clone().into_owned();
        match rcpt {
            Some(i) => self.deliveries.push((i, reply)),
            None => self.final_reply = Some(reply),
        }
        self.finals_pending = self.finals_pending.saturating_sub(1);
        if self.finals_pending > 0 {
            return Step::Continue;
        }
        let rset = self.rset_after;
        if let Some(error) = self.aborted.take() {
            return Step::Done(Err(error), rset);
        }
        let result = match self.final_reply.take() {
            Some(reply) if reply.is_positive() => Ok(reply),
            Some(reply) => Err(TransactionError::Message(reply)),
            None => match self.deliveries.iter().find(|(_, r)| r.is_positive()) {
                Some((_, reply)) => Ok(reply.clone()),
                None => Err(TransactionError::Message(
                    self.deliveries
                        .first()
                        .map(|(_, r)| r.clone())
                        .unwrap_or_else(|| Reply::new(ReplyCode::TRANSACTION_FAILED, None, "")),
                )),
            },
        };
        Step::Done(result, rset)
    }

    /// After the end of the data: the final replies to await.
    fn push_finals(&mut self, io: &mut Io, lmtp: bool) {
        if lmtp {
            for &i in &self.accepted {
                io.expect.push_back(Expect::DataEnd(Some(i)));
            }
            self.finals_pending = self.accepted.len();
        } else {
            io.expect.push_back(Expect::DataEnd(None));
            self.finals_pending = 1;
        }
        self.stage = Stage::Final;
    }

    /// `BDAT` chunks of a whole message in flight at most: one without
    /// pipelining (RFC 3030 section 4.2), else as many as fit in the output
    /// bound.
    fn window(&self, config: &TxConfig) -> usize {
        if self.pipelined {
            config.bdat_window
        } else {
            1
        }
    }

    /// Whether another `BDAT` may go out now.
    fn may_send_chunk(&self) -> bool {
        self.pipelined || self.bdat_outstanding == 0
    }

    /// Writes a `BDAT` command and its chunk.
    fn write_chunk(&mut self, io: &mut Io, chunk: Bytes, last: bool, lmtp: bool) {
        let size = chunk.len() as u64;
        let written = Command::Bdat { size, last }.encode(&mut io.cmd);
        debug_assert!(written.is_ok());
        if !last {
            io.expect.push_back(Expect::BdatChunk);
        }
        io.piece(chunk);
        if last {
            self.push_finals(io, lmtp);
        } else {
            self.bdat_outstanding += 1;
        }
    }

    /// Produces message output while the queue is short: the next block
    /// of a whole message, or a full `BDAT` chunk of a stream. With
    /// `force`, goes on until a reply is awaited: the application has not
    /// drained the output yet, but the bytes are committed, so the replies
    /// that arrive are theirs.
    pub(super) fn fill(&mut self, io: &mut Io, config: &TxConfig, force: bool) {
        let block = config.block_size.max(1);
        while self.stage == Stage::Body && self.aborted.is_none() {
            let more = match (&self.source, self.bdat) {
                // A fixed number of chunks in flight, whenever the output
                // is drained: what is sent before a refused chunk's reply
                // comes back does not depend on timing.
                (Source::Whole { .. }, true) => self.bdat_outstanding < self.window(config),
                (Source::Stream { .. }, true) => self.may_send_chunk() && io.pending() < block,
                (_, false) => io.pending() < block || (force && io.expect.is_empty()),
            };
            if !more {
                return;
            }
            match &mut self.source {
                Source::Whole { data, pos, clean } => {
                    let end = data.len().min(*pos + block);
                    let last = end == data.len();
                    let start = *pos;
                    *pos = end;
                    if self.bdat {
                        let chunk = if *clean || self.binary {
                            data.slice(start..end)
                        } else {
                            let mut out = BytesMut::with_capacity(end - start + 64);
                            self.norm.feed(&data[start..end], &mut out);
                            if last {
                                self.norm.finish(&mut out);
                            }
                            out.freeze()
                        };
                        if chunk.is_empty() && !last {
                            continue; // only a held-back CR
                        }
                        self.write_chunk(io, chunk, last, config.lmtp);
                    } else {
                        let data = data.clone();
                        let stuffed = self.dot.encode(&data[start..end], &mut io.cmd);
                        debug_assert!(stuffed.is_ok());
                        if last {
                            let done = self.dot.finish(&mut io.cmd);
                            debug_assert!(done.is_ok());
                            self.push_finals(io, config.lmtp);
                        }
                    }
                }
                Source::Stream { buf, ended } => {
                    if !self.bdat {
                        return; // DATA: written straight by `write`
                    }
                    let last = *ended && buf.len() <= block;
                    if !last && buf.len() < block {
                        return;
                    }
                    let n = buf.len().min(block);
                    let chunk = buf.split_to(n).freeze();
                    self.write_chunk(io, chunk, last, config.lmtp);
                }
            }
        }
    }

    /// Takes up to `room` bytes of a streamed message; returns how many.
    pub(super) fn write(&mut self, io: &mut Io, data: &[u8], room: usize) -> usize {
        let Source::Stream { buf, ended } = &mut self.source else {
            return 0;
        };
        if self.stage != Stage::Body || *ended || self.aborted.is_some() {
            return 0;
        }
        let n = data.len().min(room);
        if self.bdat {
            if self.binary {
                buf.put_slice(&data[..n]);
            } else {
                self.norm.feed(&data[..n], buf);
            }
        } else {
            let stuffed = self.dot.encode(&data[..n], &mut io.cmd);
            debug_assert!(stuffed.is_ok());
        }
        n
    }

    /// Bytes of a streamed message held for a `BDAT` chunk.
    pub(super) fn buffered(&self) -> usize {
        match &self.source {
            Source::Stream { buf, .. } => buf.len(),
            Source::Whole { .. } => 0,
        }
    }

    /// Ends a streamed message; `false` if none is being written.
    pub(super) fn end(&mut self, io: &mut Io, config: &TxConfig) -> bool {
        let Source::Stream { buf, ended } = &mut self.source else {
            return false;
        };
        if self.stage != Stage::Body || *ended {
            return false;
        }
        *ended = true;
        if self.aborted.is_some() {
            return true;
        }
        if self.bdat {
            if !self.binary {
                self.norm.finish(buf);
            }
            self.fill(io, config, false);
        } else {
            let done = self.dot.finish(&mut io.cmd);
            debug_assert!(done.is_ok());
            self.push_finals(io, config.lmtp);
        }
        true
    }

    /// Whether the streamed message can take bytes now.
    pub(super) fn wants_data(&self) -> bool {
        matches!(self.source, Source::Stream { ended: false, .. })
            && self.stage == Stage::Body
            && self.aborted.is_none()
    }
}
