//! The incremental command reader of a server.

use bytes::{Buf, Bytes, BytesMut};

use super::command::{Parser, check_literal_size};
use super::{CommandError, CommandErrorKind as K, Limits};
use crate::types::chars::is_tag_char;
use crate::types::{Command, DateTime, Flag, Mailbox, Tag};

/// One message of an APPEND whose octets are about to stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendInfo<'b> {
    /// The flags to set.
    pub flags: Vec<Flag<'b>>,
    /// The INTERNALDATE to set.
    pub date: Option<DateTime>,
    /// The message size, as announced (already checked against
    /// [`Limits::max_append`]).
    pub size: u64,
    /// A synchronizing literal: answer `+` before the octets come (or
    /// call [`CommandDecoder::reject_literal`] and answer `NO`).
    pub sync: bool,
    /// A `literal8` (`~{n}`, RFC 3516).
    pub binary: bool,
}

impl AppendInfo<'_> {
    /// An owned copy that outlives the receive buffer.
    ///
    /// ```
    /// use mailwire_imap::parse::AppendInfo;
    /// use mailwire_imap::types::Flag;
    /// let info = AppendInfo { flags: vec![Flag::Seen], date: None, size: 5, sync: true, binary: false };
    /// let owned: AppendInfo<'static> = info.clone().into_owned();
    /// assert_eq!(owned, info);
    /// ```
    #[must_use]
    pub fn into_owned(self) -> AppendInfo<'static> {
        AppendInfo {
            flags: self.flags.into_iter().map(Flag::into_owned).collect(),
            date: self.date,
            size: self.size,
            sync: self.sync,
            binary: self.binary,
        }
    }
}

/// What [`CommandDecoder::decode`] found in the buffer.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decoded<'b> {
    /// More bytes are needed: read from the connection, append them to
    /// the buffer and call again. Nothing is re-scanned.
    Incomplete,
    /// A synchronizing literal is announced and its octets are not here
    /// yet: answer `+ ...` so that the client sends it, or call
    /// [`CommandDecoder::reject_literal`] and answer `tag NO`/`BAD`.
    /// (A non-synchronizing literal needs no answer and is not
    /// announced.) The size is within its limit (a literal over it is
    /// [`Decoded::Failed`] before any of its octets is read).
    LiteralAnnounced {
        /// The command's tag, if it is one.
        tag: Option<Tag<'b>>,
        /// The announced size.
        size: u64,
        /// `{n}` (true) or `{n+}` (false).
        sync: bool,
        /// `~{n}`.
        binary: bool,
    },
    /// A complete command. Its bytes leave the buffer at the next call.
    Command(Command<'b>),
    /// A bad command: answer with
    /// [`error.write_answer(tag.as_ref(), ...)`](CommandError::write_answer). Its
    /// bytes are skipped, literals included (a literal's octets are
    /// never read as commands), and the next command follows.
    Failed {
        /// The command's tag, when it has one.
        tag: Option<Tag<'b>>,
        /// What is wrong.
        error: CommandError,
    },
    /// Streaming mode: an APPEND's first message is announced. Its
    /// octets follow as [`Decoded::LiteralChunk`]s.
    AppendStart {
        /// The tag.
        tag: Tag<'b>,
        /// The mailbox.
        mailbox: Mailbox<'b>,
        /// The message.
        message: AppendInfo<'b>,
    },
    /// Streaming mode: another message of a MULTIAPPEND (RFC 3502).
    AppendNext {
        /// The message.
        message: AppendInfo<'b>,
    },
    /// Streaming mode: the next octets of the current APPEND message.
    LiteralChunk(Bytes),
    /// Streaming mode: the APPEND command ended (its final CRLF).
    AppendEnd,
    /// The line asked for with [`CommandDecoder::expect_line`], without
    /// its CRLF.
    Line(&'b [u8]),
}

/// A literal announced at the end of a line.
#[derive(Debug, Clone, Copy)]
struct Announce {
    /// Where `{` (or `~`) is in the line's buffer.
    open: usize,
    size: u64,
    non_sync: bool,
    binary: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No literal seen yet.
    Unknown,
    /// An APPEND: whether its mailbox literal is behind us / its first
    /// message literal has been seen.
    Append {
        messages: bool,
    },
    Other,
}

#[derive(Debug, Clone)]
enum State {
    /// Framing a command that starts at the buffer's start.
    Frame {
        /// Where the search for LF resumes.
        scan: usize,
        /// Where the current line starts (after the last literal).
        line_start: usize,
        /// A literal whose octets are awaited: (start, announce).
        literal: Option<(usize, Announce)>,
        /// `LiteralAnnounced` was reported for that literal.
        announced: bool,
        /// Octets of APPEND messages inside the frame.
        append_bytes: usize,
        kind: Kind,
        literals: usize,
        /// Early grammar checks done at sync literals.
        checks: u8,
    },
    /// Skipping the rest of a failed command (`literals`: the lines it
    /// skips may announce literals; false for a raw line).
    Discard {
        literal_left: u64,
        scan: usize,
        literals: bool,
    },
    /// Streaming an APPEND message.
    /// Streaming an APPEND message (`messages`: this one and those before).
    AppendData { left: u64, messages: usize },
    /// After an APPEND message: CRLF, or another message.
    AppendTail { scan: usize, messages: usize },
    /// A raw line was asked for.
    Line { scan: usize },
}

impl State {
    const fn frame() -> Self {
        Self::Frame {
            scan: 0,
            line_start: 0,
            literal: None,
            announced: false,
            append_bytes: 0,
            kind: Kind::Unknown,
            literals: 0,
            checks: 0,
        }
    }
}

/// Reads commands off a server's receive buffer, literals and all, in
/// bounded memory and O(n) over the stream.
///
/// Call [`decode`](Self::decode) with the buffer each time bytes arrive,
/// until it says [`Decoded::Incomplete`]. The decoder remembers how far
/// it scanned, so the buffer is never re-scanned from its start; the
/// bytes of what it returned leave the buffer at the next call.
///
/// In [streaming mode](Self::stream_append), an APPEND's message never
/// sits in the buffer whole: it comes out as `Bytes` chunks between
/// [`Decoded::AppendStart`] and [`Decoded::AppendEnd`].
///
/// Memory: the buffer holds at most one command being framed — its
/// lines and literals up to [`Limits::max_command`], plus one line up to
/// [`Limits::max_line`] and one literal up to [`Limits::max_literal`]
/// (buffered APPEND messages up to [`Limits::max_append`] on top). A
/// command over a limit is answered at once and the rest of it is
/// dropped as it arrives, never buffered.
///
/// Time: each byte is scanned once for line ends; a complete command is
/// parsed once; an APPEND's head at most twice, and up to four
/// synchronizing literals of a command are checked early (so that a bad
/// command is refused before its client sends a literal for nothing).
///
/// ```
/// use bytes::BytesMut;
/// use mailwire_imap::parse::{CommandDecoder, Decoded};
/// use mailwire_imap::types::CommandBody;
///
/// let mut decoder = CommandDecoder::new();
/// let mut buf = BytesMut::from(&b"A001 LOGIN {11}\r\n"[..]);
/// // RFC 9051 section 4.3: the server answers "+" to a synchronizing literal.
/// assert!(matches!(decoder.decode(&mut buf), Decoded::LiteralAnnounced { size: 11, sync: true, .. }));
/// buf.extend_from_slice(b"FRED FOOBAR {7}\r\n");
/// assert!(matches!(decoder.decode(&mut buf), Decoded::LiteralAnnounced { size: 7, .. }));
/// buf.extend_from_slice(b"fat man\r\nA002 NOOP\r\n");
/// let Decoded::Command(cmd) = decoder.decode(&mut buf) else { panic!() };
/// let CommandBody::Login { username, .. } = cmd.body else { panic!() };
/// assert_eq!(username.as_bytes(), b"FRED FOOBAR");
/// let Decoded::Command(cmd) = decoder.decode(&mut buf) else { panic!() };
/// assert_eq!(cmd.body, CommandBody::Noop);
/// assert_eq!(decoder.decode(&mut buf), Decoded::Incomplete);
/// assert!(buf.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct CommandDecoder {
    limits: Limits,
    stream_append: bool,
    state: State,
    /// Bytes of the last result, dropped at the next call.
    consume: usize,
    /// End of the last announcement line (for `reject_literal`).
    announce_end: Option<usize>,
    /// The tag of the APPEND being streamed.
    append_tag: String,
}

impl Default for CommandDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl CommandDecoder {
    /// A decoder with [`Limits::DEFAULT`], APPEND buffered.
    #[must_use]
    pub fn new() -> Self {
        Self::with_limits(&Limits::DEFAULT)
    }

    /// A decoder with other limits.
    #[must_use]
    pub fn with_limits(limits: &Limits) -> Self {
        Self {
            limits: *limits,
            stream_append: false,
            state: State::frame(),
            consume: 0,
            announce_end: None,
            append_tag: String::new(),
        }
    }

    /// Streaming mode: APPEND messages come out as chunks instead of
    /// inside a buffered [`Command`].
    #[must_use]
    pub fn stream_append(mut self, on: bool) -> Self {
        self.stream_append = on;
        self
    }

    /// The limits.
    #[must_use]
    pub const fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Refuses the synchronizing literal just announced
    /// ([`Decoded::LiteralAnnounced`], or an APPEND message in streaming
    /// mode): the client will not send it, so the command ends at the
    /// announcement. Answer the command's tag with `NO` or `BAD`.
    /// Returns false (and does nothing) when no literal is pending.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use mailwire_imap::parse::{CommandDecoder, Decoded};
    ///
    /// let mut decoder = CommandDecoder::new().stream_append(true);
    /// let mut buf = BytesMut::from(&b"a1 APPEND INBOX {5000000}\r\n"[..]);
    /// let Decoded::AppendStart { tag, message, .. } = decoder.decode(&mut buf) else { panic!() };
    /// // Over this user's quota: copy what the answer needs, then refuse.
    /// let answer = format!("{tag} NO [OVERQUOTA] {} octets is too much\r\n", message.size);
    /// assert!(decoder.reject_literal());
    /// assert_eq!(answer, "a1 NO [OVERQUOTA] 5000000 octets is too much\r\n");
    /// // The client sends no literal; its next command follows.
    /// buf.extend_from_slice(b"a2 NOOP\r\n");
    /// assert!(matches!(decoder.decode(&mut buf), Decoded::Command(_)));
    /// ```
    pub fn reject_literal(&mut self) -> bool {
        let Some(end) = self.announce_end.take() else {
            return false;
        };
        let pending = match self.state {
            State::Frame {
                literal: Some((start, a)),
                ..
            } => !a.non_sync && start == end,
            // Before the first octet of the message (or the line after an
            // empty one) is read.
            State::AppendData { .. } | State::AppendTail { .. } => true,
            _ => false,
        };
        if !pending {
            return false;
        }
        if matches!(self.state, State::Frame { .. }) {
            self.consume = end;
        }
        self.state = State::frame();
        true
    }

    /// Asks for the next line raw (a SASL response after `+`, `DONE`
    /// after IDLE): the next [`decode`](Self::decode) returns
    /// [`Decoded::Line`] (or `Failed` when it is longer than
    /// [`Limits::max_line`]). Call it between commands (after the
    /// command that asks for the line, before or after `decode` said
    /// `Incomplete`); while a command with literals is half read, it
    /// does nothing.
    pub fn expect_line(&mut self) {
        // Between commands: what the buffer holds (if anything) is the
        // start of the next line, already scanned up to `scan`.
        if let State::Frame {
            scan,
            line_start: 0,
            literal: None,
            ..
        } = self.state
        {
            self.state = State::Line { scan };
        }
    }

    /// Reads what the buffer holds. See [`Decoded`] for what to do with
    /// each result.
    ///
    /// Pass the same buffer every time, appending what arrives: the
    /// decoder keeps offsets into it, and drops the bytes of its last
    /// result from its front at the next call.
    pub fn decode<'b>(&'b mut self, buf: &'b mut BytesMut) -> Decoded<'b> {
        let consume = core::mem::take(&mut self.consume).min(buf.len());
        buf.advance(consume);
        loop {
            match self.state {
                State::Discard { .. } => {
                    if !self.discard(buf) {
                        return Decoded::Incomplete;
                    }
                }
                State::AppendData { left, messages } => {
                    if buf.is_empty() {
                        return Decoded::Incomplete;
                    }
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                    let chunk = buf.split_to(n).freeze();
                    let left = left - n as u64;
                    self.announce_end = None;
                    self.state = if left == 0 {
                        State::AppendTail { scan: 0, messages }
                    } else {
                        State::AppendData { left, messages }
                    };
                    return Decoded::LiteralChunk(chunk);
                }
                State::AppendTail { .. } => return self.append_tail(buf),
                State::Line { scan } => {
                    let Some(i) = memchr::memchr(b'\n', &buf[scan..]).map(|i| i + scan) else {
                        if buf.len() > self.limits.max_line {
                            return self.fail_discard(
                                buf,
                                K::LineTooLong {
                                    max: self.limits.max_line,
                                },
                                self.limits.max_line,
                                false,
                            );
                        }
                        self.state = State::Line { scan: buf.len() };
                        return Decoded::Incomplete;
                    };
                    if i + 1 > self.limits.max_line {
                        self.consume = i + 1;
                        self.state = State::frame();
                        let error = CommandError::new(
                            K::LineTooLong {
                                max: self.limits.max_line,
                            },
                            self.limits.max_line,
                        );
                        return Decoded::Failed { tag: None, error };
                    }
                    self.consume = i + 1;
                    self.state = State::frame();
                    let line = &buf[..i];
                    return Decoded::Line(line.strip_suffix(b"\r").unwrap_or(line));
                }
                State::Frame { .. } => return self.frame(buf),
            }
        }
    }

    /// Skips a failed command's rest; true when done (state is `Frame`).
    fn discard(&mut self, buf: &mut BytesMut) -> bool {
        loop {
            let State::Discard {
                literal_left,
                scan,
                literals,
            } = &mut self.state
            else {
                return true;
            };
            if *literal_left > 0 {
                let n = usize::try_from(*literal_left)
                    .unwrap_or(usize::MAX)
                    .min(buf.len());
                buf.advance(n);
                *literal_left -= n as u64;
                if *literal_left > 0 {
                    return false;
                }
                *scan = 0;
            }
            let Some(i) = memchr::memchr(b'\n', &buf[*scan..]).map(|i| i + *scan) else {
                // Keep a short tail: a literal announcement may straddle.
                const TAIL: usize = 32;
                if buf.len() > TAIL {
                    buf.advance(buf.len() - TAIL);
                }
                *scan = buf.len();
                return false;
            };
            let announce = if *literals {
                literal_announcement(&buf[..=i])
            } else {
                None
            };
            buf.advance(i + 1);
            match announce {
                // A non-synchronizing literal comes whatever we answer.
                Some(a) if a.non_sync => {
                    *literal_left = a.size;
                    *scan = 0;
                }
                // The client waits for a "+" it will not get: the command
                // ends here.
                _ => {
                    self.state = State::frame();
                    return true;
                }
            }
        }
    }

    /// Fails the command being framed (no LF yet) and skips the rest of
    /// its line, and what that line announces.
    fn fail_discard<'b>(
        &mut self,
        buf: &'b mut BytesMut,
        kind: K,
        offset: usize,
        literals: bool,
    ) -> Decoded<'b> {
        self.consume = 0;
        self.state = State::Discard {
            literal_left: 0,
            scan: buf.len(),
            literals,
        };
        self.announce_end = None;
        Decoded::Failed {
            tag: if literals {
                leading_tag(buf, self.limits.max_line)
            } else {
                None
            },
            error: CommandError::new(kind, offset),
        }
    }

    fn frame<'b>(&mut self, buf: &'b mut BytesMut) -> Decoded<'b> {
        let State::Frame {
            mut scan,
            mut line_start,
            mut literal,
            mut announced,
            mut append_bytes,
            mut kind,
            mut literals,
            mut checks,
        } = self.state
        else {
            return Decoded::Incomplete;
        };
        let limits = self.limits;
        let result = loop {
            if let Some((start, a)) = literal {
                let size = usize::try_from(a.size).unwrap_or(usize::MAX);
                if buf.len() - start < size {
                    if !a.non_sync && !announced {
                        announced = true;
                        self.announce_end = Some(start);
                        break Some(Decoded::LiteralAnnounced {
                            tag: None,
                            size: a.size,
                            sync: true,
                            binary: a.binary,
                        });
                    }
                    break None;
                }
                literal = None;
                announced = false;
                line_start = start + size;
                scan = line_start;
                continue;
            }
            let Some(i) = memchr::memchr(b'\n', &buf[scan..]).map(|i| i + scan) else {
                if buf.len() - line_start > limits.max_line {
                    return self.fail_discard(
                        buf,
                        K::LineTooLong {
                            max: limits.max_line,
                        },
                        line_start + limits.max_line,
                        true,
                    );
                }
                scan = buf.len();
                break None;
            };
            let end = i + 1;
            if end - line_start > limits.max_line {
                let a = literal_announcement(&buf[line_start..end]);
                return self.fail_line_end(
                    buf,
                    end,
                    a,
                    K::LineTooLong {
                        max: limits.max_line,
                    },
                    line_start + limits.max_line,
                );
            }
            if end - append_bytes > limits.max_command {
                let a = literal_announcement(&buf[line_start..end]);
                return self.fail_line_end(
                    buf,
                    end,
                    a,
                    K::CommandTooLarge {
                        max: limits.max_command,
                    },
                    end,
                );
            }
            let Some(mut a) = literal_announcement(&buf[line_start..end]) else {
                // The command is complete.
                self.consume = end;
                self.announce_end = None;
                self.state = State::frame();
                let frame = &buf[..end];
                let mut parser = Parser::new(frame, &limits);
                return match parser.command() {
                    Ok(command) if parser.pos() == end => Decoded::Command(command),
                    Ok(_) => Decoded::Failed {
                        tag: leading_tag(frame, limits.max_line),
                        error: CommandError::new(K::Syntax("CRLF"), parser.pos()),
                    },
                    Err(error) => {
                        let error = if error.kind() == K::Incomplete {
                            CommandError::new(K::Syntax("more arguments"), error.offset())
                        } else {
                            error
                        };
                        Decoded::Failed {
                            tag: leading_tag(frame, limits.max_line),
                            error,
                        }
                    }
                };
            };
            a.open += line_start;
            literals += 1;
            if literals > limits.max_items {
                return self.fail_line_end(
                    buf,
                    end,
                    Some(a),
                    K::TooManyItems {
                        max: limits.max_items,
                    },
                    a.open,
                );
            }
            // Which literal is it: an APPEND message or an argument?
            if kind == Kind::Unknown {
                kind = command_kind(&buf[..a.open]);
            }
            let is_message = match kind {
                Kind::Append { messages: true } => true,
                Kind::Append { messages: false } => {
                    // Parsed at most twice per command (the mailbox may
                    // be a literal itself), so framing stays O(n).
                    let mut parser = Parser::new(&buf[..a.open], &limits);
                    match parser.append_head().and_then(|_| parser.append_meta()) {
                        Ok(_) if parser.at_end() => {
                            kind = Kind::Append { messages: true };
                            true
                        }
                        // The literal is the mailbox name.
                        Err(error) if error.kind() == K::Incomplete => false,
                        Ok(_) => {
                            let at = parser.pos();
                            return self.fail_line_end(buf, end, Some(a), K::Syntax("literal"), at);
                        }
                        Err(error) => {
                            let at = error.offset();
                            return self.fail_line_end(buf, end, Some(a), error.kind(), at);
                        }
                    }
                }
                _ => false,
            };
            if let Err(error) = check_literal_size(&limits, a.size, a.non_sync, is_message) {
                return self.fail_line_end(buf, end, Some(a), error.kind(), a.open);
            }
            // Buffered, all the messages of a MULTIAPPEND together are
            // held to max_append.
            if is_message && !self.stream_append {
                let total = (append_bytes as u64).saturating_add(a.size);
                if total > limits.max_append {
                    let kind = K::LiteralTooLarge {
                        size: total,
                        max: limits.max_append,
                        append: true,
                    };
                    return self.fail_line_end(buf, end, Some(a), kind, a.open);
                }
            }
            // Refuse a bad command before its client waits and sends a
            // literal for nothing (whether or not the octets are here:
            // the result must not depend on how the input was cut).
            if !a.non_sync && checks < 4 {
                checks += 1;
                let mut parser = Parser::new(&buf[..a.open], &limits);
                if let Err(error) = parser.command() {
                    if error.kind() != K::Incomplete {
                        return self.fail_line_end(buf, end, Some(a), error.kind(), a.open);
                    }
                }
            }
            if is_message && self.stream_append {
                let valid = {
                    let mut parser = Parser::new(&buf[..a.open], &limits);
                    parser.append_head().is_ok() && parser.append_meta().is_ok()
                };
                if !valid {
                    return self.fail_line_end(buf, end, Some(a), K::Syntax("APPEND"), a.open);
                }
                self.consume = end;
                self.announce_end = (!a.non_sync).then_some(end);
                self.state = if a.size == 0 {
                    State::AppendTail {
                        scan: 0,
                        messages: 1,
                    }
                } else {
                    State::AppendData {
                        left: a.size,
                        messages: 1,
                    }
                };
                let buf: &'b BytesMut = buf;
                let mut parser = Parser::new(&buf[..a.open], &limits);
                let (Ok((tag, mailbox)), Ok((flags, date))) =
                    (parser.append_head(), parser.append_meta())
                else {
                    return Decoded::Incomplete;
                };
                self.append_tag.clear();
                self.append_tag.push_str(tag.as_str());
                return Decoded::AppendStart {
                    tag,
                    mailbox,
                    message: AppendInfo {
                        flags,
                        date,
                        size: a.size,
                        sync: !a.non_sync,
                        binary: a.binary,
                    },
                };
            }
            if is_message {
                append_bytes = append_bytes.saturating_add(a.size as usize);
            }
            literal = Some((end, a));
            announced = false;
            scan = end;
        };
        self.state = State::Frame {
            scan,
            line_start,
            literal,
            announced,
            append_bytes,
            kind,
            literals,
            checks,
        };
        match result {
            Some(Decoded::LiteralAnnounced {
                size, sync, binary, ..
            }) => Decoded::LiteralAnnounced {
                tag: leading_tag(buf, self.limits.max_line),
                size,
                sync,
                binary,
            },
            Some(other) => other,
            None => Decoded::Incomplete,
        }
    }

    /// Fails the command at the end of a complete line (`end`) that may
    /// announce a literal: a synchronizing one will not come (the client
    /// waits for `+`), a non-synchronizing one is skipped.
    fn fail_line_end<'b>(
        &mut self,
        buf: &'b mut BytesMut,
        end: usize,
        announce: Option<Announce>,
        kind: K,
        offset: usize,
    ) -> Decoded<'b> {
        let tag = leading_tag(buf, self.limits.max_line);
        self.consume = end;
        self.announce_end = None;
        self.state = match announce {
            // A non-synchronizing literal comes anyway, and the command
            // goes on after it (even after an empty one).
            Some(a) if a.non_sync => State::Discard {
                literal_left: a.size,
                scan: 0,
                literals: true,
            },
            _ => State::frame(),
        };
        Decoded::Failed {
            tag,
            error: CommandError::new(kind, offset),
        }
    }

    fn append_tail<'b>(&'b mut self, buf: &'b mut BytesMut) -> Decoded<'b> {
        let State::AppendTail { scan, messages } = self.state else {
            return Decoded::Incomplete;
        };
        let limits = self.limits;
        let Some(i) = memchr::memchr(b'\n', &buf[scan..]).map(|i| i + scan) else {
            if buf.len() > limits.max_line {
                let error = CommandError::new(
                    K::LineTooLong {
                        max: limits.max_line,
                    },
                    limits.max_line,
                );
                self.state = State::Discard {
                    literal_left: 0,
                    scan: buf.len(),
                    literals: true,
                };
                return Decoded::Failed {
                    tag: Some(Tag::new_unchecked(&self.append_tag)),
                    error,
                };
            }
            self.state = State::AppendTail {
                scan: buf.len(),
                messages,
            };
            return Decoded::Incomplete;
        };
        let end = i + 1;
        // The line after the message: too late to refuse the message.
        self.announce_end = None;
        let line = &buf[..end];
        if line == b"\r\n" || line == b"\n" {
            self.consume = end;
            self.state = State::frame();
            return Decoded::AppendEnd;
        }
        let announce = literal_announcement(line);
        let fail = |this: &'b mut Self, kind: K, offset: usize| {
            this.consume = end;
            this.state = match announce {
                Some(a) if a.non_sync => State::Discard {
                    literal_left: a.size,
                    scan: 0,
                    literals: true,
                },
                _ => State::frame(),
            };
            Decoded::Failed {
                tag: Some(Tag::new_unchecked(&this.append_tag)),
                error: CommandError::new(kind, offset),
            }
        };
        if end > limits.max_line {
            return fail(
                self,
                K::LineTooLong {
                    max: limits.max_line,
                },
                limits.max_line,
            );
        }
        let Some(a) = announce else {
            return fail(self, K::Syntax("CRLF or another message"), 0);
        };
        if messages >= limits.max_items {
            return fail(
                self,
                K::TooManyItems {
                    max: limits.max_items,
                },
                a.open,
            );
        }
        if let Err(error) = check_literal_size(&limits, a.size, a.non_sync, true) {
            return fail(self, error.kind(), a.open);
        }
        let mut parser = Parser::new(&buf[..a.open], &limits);
        let meta = parser.append_meta();
        let (flags, date) = match meta {
            Ok(meta) if parser.at_end() => meta,
            Ok(_) => return fail(self, K::Syntax("message literal"), parser.pos()),
            Err(error) => return fail(self, error.kind(), error.offset()),
        };
        self.consume = end;
        self.announce_end = (!a.non_sync).then_some(end);
        self.state = if a.size == 0 {
            State::AppendTail {
                scan: 0,
                messages: messages + 1,
            }
        } else {
            State::AppendData {
                left: a.size,
                messages: messages + 1,
            }
        };
        Decoded::AppendNext {
            message: AppendInfo {
                flags,
                date,
                size: a.size,
                sync: !a.non_sync,
                binary: a.binary,
            },
        }
    }
}

/// The tag at the start of a command, if it has one (tag chars then SP)
/// within the first line's limit (the same answer whatever has arrived).
fn leading_tag(buf: &[u8], max_line: usize) -> Option<Tag<'_>> {
    let buf = &buf[..buf.len().min(max_line)];
    let len = buf.iter().take_while(|&&b| is_tag_char(b)).count();
    if len == 0 || buf.get(len) != Some(&b' ') {
        return None;
    }
    core::str::from_utf8(&buf[..len])
        .ok()
        .map(Tag::new_unchecked)
}

/// Whether the command before its first literal is an APPEND.
fn command_kind(head: &[u8]) -> Kind {
    let Some(tag) = leading_tag(head, usize::MAX) else {
        return Kind::Other;
    };
    let rest = &head[tag.as_str().len() + 1..];
    if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"APPEND ") {
        Kind::Append { messages: false }
    } else {
        Kind::Other
    }
}

/// The most digits of a literal size (more is no announcement).
const MAX_DIGITS: usize = 24;

/// The literal a line announces at its end: `["~"] "{" number ["+"] "}"
/// CRLF` (a bare LF accepted).
fn literal_announcement(line: &[u8]) -> Option<Announce> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_suffix(b"}")?;
    let (line, non_sync) = match line.strip_suffix(b"+") {
        Some(l) => (l, true),
        None => (line, false),
    };
    let digits = line.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    // At most 24 digits, so that an announcement always fits the tail a
    // discarded line keeps (whatever the split, the same verdict).
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    let number_at = line.len() - digits;
    let open = number_at.checked_sub(1)?;
    if line[open] != b'{' {
        return None;
    }
    // An overflowing size is as good as infinite: over every limit.
    let size = line[number_at..].iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    let binary = open > 0 && line[open - 1] == b'~';
    Some(Announce {
        open: if binary { open - 1 } else { open },
        size: size.unwrap_or(u64::MAX),
        non_sync,
        binary,
    })
}
