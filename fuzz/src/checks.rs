//! Properties every fuzz input must satisfy. Each `check_*` function takes
//! the raw fuzz input and panics if a property fails.
//!
//! Inputs start with a few control bytes (configuration, split points); the
//! rest is the data under test.

#[path = "../../crates/mailwire-core/tests/harness/mod.rs"]
mod harness;

use bytes::BytesMut;
use harness::{frame, split_at_points, unstuff};
use mailwire_core::dot::{DotDecoder, DotEncoder};
use mailwire_core::{BarePolicy, LineFramer};

/// A policy from two bits of a control byte.
fn policy(bits: u8) -> BarePolicy {
    match bits % 3 {
        0 => BarePolicy::Reject,
        1 => BarePolicy::Accept,
        _ => BarePolicy::Normalize,
    }
}

/// Splits `data` into chunks at the cut points `cuts` describes.
fn chunks<'a>(data: &'a [u8], cuts: &[u8]) -> Vec<&'a [u8]> {
    split_at_points(
        data,
        cuts.iter()
            .map(|&c| usize::from(c) * (data.len() + 1) / 256),
    )
}

/// Line framer: the same lines whatever the chunking, through both the
/// owned and the borrowed path; buffer bounded by the limit (checked inside
/// `harness::frame`).
///
/// Input: `[max, policies, cut, cut, cut, data...]`.
pub fn check_line_framer(input: &[u8]) {
    let [max, policies, c1, c2, c3, data @ ..] = input else {
        return;
    };
    let framer = LineFramer::new(usize::from(*max) + 1)
        .bare_lf(policy(*policies))
        .bare_cr(policy(*policies / 3));
    // `frame` runs the owned and the borrowed path and compares them.
    let whole = frame(&framer, &[data]);
    assert_eq!(frame(&framer, &chunks(data, &[*c1, *c2, *c3])), whole);
}

/// Dot-unstuffer: identical output for any chunking; the body ends exactly
/// at the first `CRLF.CRLF` (or a leading `.CRLF`), never elsewhere.
///
/// Input: `[policies, max_size, cut, cut, cut, data...]`.
pub fn check_dot_unstuff(input: &[u8]) {
    let [policies, max_size, c1, c2, c3, data @ ..] = input else {
        return;
    };
    let mut decoder = DotDecoder::new()
        .bare_lf(policy(*policies))
        .bare_cr(policy(*policies / 3));
    if *max_size < 128 {
        decoder = decoder.max_size(u64::from(*max_size) * 4);
    }
    let whole = unstuff(&decoder, &[data]);
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    assert_eq!(unstuff(&decoder, &bytes), whole);
    assert_eq!(unstuff(&decoder, &chunks(data, &[*c1, *c2, *c3])), whole);

    let first_end = if data.starts_with(b".\r\n") {
        Some(3)
    } else {
        find(data, b"\r\n.\r\n").map(|at| at + 5)
    };
    let consumed = data.len() - whole.rest.len();
    match first_end {
        Some(end) => assert_eq!((whole.ended, consumed), (true, end)),
        None => assert!(!whole.ended),
    }
}

/// Dot-stuffing round trip: decode(encode(body)) is the body (with a CRLF
/// added when it does not end with one), for any bytes and chunking.
///
/// Input: `[cut, cut, data...]`.
pub fn check_dot_roundtrip(input: &[u8]) {
    let [c1, c2, data @ ..] = input else {
        return;
    };
    let mut encoder = DotEncoder::new()
        .bare_lf(BarePolicy::Accept)
        .bare_cr(BarePolicy::Accept);
    let mut wire = BytesMut::new();
    for chunk in chunks(data, &[*c1]) {
        encoder
            .encode(chunk, &mut wire)
            .expect("Accept never fails");
    }
    encoder.finish(&mut wire).expect("Accept never fails");
    let decoder = DotDecoder::new()
        .bare_lf(BarePolicy::Accept)
        .bare_cr(BarePolicy::Accept);
    let decoded = unstuff(&decoder, &chunks(&wire, &[*c2]));
    assert!(decoded.ended && decoded.rest.is_empty());
    let mut expected = data.to_vec();
    if !data.is_empty() && !data.ends_with(b"\r\n") {
        expected.extend_from_slice(b"\r\n");
    }
    assert_eq!(decoded.body, expected);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Tokens: no parser panics; a parsed mailbox displays to text that parses
/// back to the same mailbox; prefix parsers consume no more than the input.
///
/// Input: `[options, data...]`.
pub fn check_tokens(input: &[u8]) {
    use mailwire_core::Mailbox;
    use mailwire_core::token::{self, TokenOptions};

    let [options, data @ ..] = input else {
        return;
    };
    let opts = match options % 3 {
        0 => TokenOptions::SMTP,
        1 => TokenOptions::SMTP_UTF8,
        _ => TokenOptions::MESSAGE,
    };
    let parsed = [
        Mailbox::parse_smtp(data),
        Mailbox::parse_smtp_utf8(data),
        Mailbox::parse_addr_spec(data),
    ];
    for mailbox in parsed.into_iter().flatten() {
        let shown = mailbox.to_string();
        let again = Mailbox::parse_addr_spec(shown.as_bytes())
            .unwrap_or_else(|e| panic!("{shown:?} does not parse back: {e}"));
        assert_eq!(again, mailbox, "{shown:?}");
    }
    let consumed = [
        token::smtp_mailbox(data, opts).map(|(_, n)| n),
        token::addr_spec(data, opts).map(|(_, n)| n),
        token::dot_atom(data, opts).map(|(_, n)| n),
        token::quoted_string(data, opts).map(|(_, n)| n),
        token::domain(data, opts).map(|(_, n)| n),
        token::smtp_domain(data, opts).map(|(_, n)| n),
        token::cfws(data, opts),
    ];
    for n in consumed.into_iter().flatten() {
        assert!(n <= data.len());
    }
}

/// What a streaming transfer-encoding decoder produced: the output and the
/// first error, if any.
type Decoded = (Vec<u8>, Option<mailwire_core::Error>);

/// A streaming decoder's `decode` step and its `finish` step.
type DecodeFn<D> = fn(&mut D, &[u8], &mut Vec<u8>) -> Result<(), mailwire_core::Error>;
type FinishFn<D> = fn(&mut D, &mut Vec<u8>) -> Result<(), mailwire_core::Error>;

/// Runs a `decode`/`finish` pair over `chunks`, stopping at the first error.
fn decode_stream<D>(
    mut decoder: D,
    chunks: &[&[u8]],
    decode: DecodeFn<D>,
    finish: FinishFn<D>,
) -> Decoded {
    let mut out = Vec::new();
    for chunk in chunks {
        if let Err(e) = decode(&mut decoder, chunk, &mut out) {
            return (out, Some(e));
        }
    }
    let error = finish(&mut decoder, &mut out).err();
    (out, error)
}

/// base64: lenient decoding never fails; both modes give the same output
/// (and the same first error) at any chunking; encode then decode is
/// identity at any line length.
///
/// Input: `[line_len, cut, cut, data...]`.
pub fn check_base64(input: &[u8]) {
    use mailwire_core::encoding::Strictness;
    use mailwire_core::encoding::base64::{self, Base64Decoder};

    let [line_len, c1, c2, data @ ..] = input else {
        return;
    };
    for strictness in [Strictness::Lenient, Strictness::Strict] {
        let run = |chunks: &[&[u8]]| {
            decode_stream(
                Base64Decoder::with_strictness(strictness),
                chunks,
                Base64Decoder::decode,
                Base64Decoder::finish,
            )
        };
        let whole = run(&[data]);
        if strictness == Strictness::Lenient {
            assert!(whole.1.is_none(), "lenient base64 failed: {:?}", whole.1);
        }
        assert_eq!(run(&chunks(data, &[*c1, *c2])), whole);
    }
    let mut encoded = Vec::new();
    base64::encode_wrapped(data, usize::from(*line_len), &mut encoded);
    assert_eq!(
        encoded.len(),
        base64::encoded_len(data.len(), usize::from(*line_len))
    );
    assert_eq!(base64::decode(&encoded).expect("our own output"), data);
}

/// quoted-printable: lenient decoding never fails; both modes give the same
/// output (and the same first error) at any chunking; encode then decode is
/// identity in text and binary mode.
///
/// Input: `[cut, cut, data...]`.
pub fn check_qp(input: &[u8]) {
    use mailwire_core::encoding::Strictness;
    use mailwire_core::encoding::qp::{self, Mode, QpDecoder};

    let [c1, c2, data @ ..] = input else {
        return;
    };
    for strictness in [Strictness::Lenient, Strictness::Strict] {
        let run = |chunks: &[&[u8]]| {
            decode_stream(
                QpDecoder::with_strictness(strictness),
                chunks,
                QpDecoder::decode,
                QpDecoder::finish,
            )
        };
        let whole = run(&[data]);
        if strictness == Strictness::Lenient {
            assert!(whole.1.is_none(), "lenient QP failed: {:?}", whole.1);
        }
        assert_eq!(run(&chunks(data, &[*c1, *c2])), whole);
    }
    for mode in [Mode::Text, Mode::Binary] {
        let mut encoded = Vec::new();
        qp::encode(data, mode, &mut encoded);
        assert_eq!(qp::decode(&encoded).expect("our own output"), data);
        let strict = decode_stream(
            QpDecoder::with_strictness(Strictness::Strict),
            &[&encoded],
            QpDecoder::decode,
            QpDecoder::finish,
        );
        assert_eq!(strict, (data.to_vec(), None), "strict rejects our output");
    }
}

/// Message parsing: never panics; every field, value, body and defect
/// offset lies inside the input and points at the bytes it names; the
/// parsed message writes back byte-exact.
///
/// Input: the raw message.
pub fn check_message(input: &[u8]) {
    let message = mailwire_message::Message::parse(input);
    assert_eq!(message.raw(), input);
    let mut written = Vec::new();
    message.write_to(&mut written).unwrap();
    assert_eq!(written, input);
    for part in message.root().walk() {
        check_part(input, part);
    }
    for defect in message.validate() {
        assert!(defect.offset() <= input.len());
    }
    let _ = message.subject();
    let body = message.body_parts();
    for part in body.text.iter().chain(&body.html).chain(&body.attachments) {
        let _ = part.filename();
    }
    let _ = (message.text_body(), message.html_body());
    let header = message.header();
    for list in [header.from(), header.to(), header.cc(), header.reply_to()]
        .into_iter()
        .flatten()
    {
        for mailbox in list.mailboxes() {
            let _ = (mailbox.name(), mailbox.to_string());
        }
    }
    let _ = (
        header.keywords(),
        header.mime_version(),
        header.content_transfer_encoding(),
    );
    let _ = (
        header.date(),
        header.message_id(),
        header.references(),
        header.in_reply_to(),
    );
    for received in header.received() {
        let _ = (
            received.from(),
            received.by(),
            received.for_recipient(),
            received.date(),
        );
    }
    let _ = (
        header.return_path(),
        header.list_id(),
        header.list_post(),
        header.list_unsubscribe(),
    );
}

/// One part: fields in order and inside the part, body inside the part,
/// decoding never panics.
fn check_part(input: &[u8], part: &mailwire_message::Part<'_>) {
    let part_end = part.offset() + part.raw().len();
    assert_eq!(&input[part.offset()..part_end], part.raw());
    let mut last_end = part.offset();
    for field in part.header().fields() {
        assert!(field.offset() >= last_end);
        let end = field.offset() + field.raw().len();
        assert!(end <= part_end);
        assert_eq!(&input[field.offset()..end], field.raw());
        let value = field.value_offset()..field.value_offset() + field.raw_value().len();
        assert_eq!(&input[value], field.raw_value());
        last_end = end;
        let _ = field.unfolded();
    }
    assert!(part.body_offset() >= last_end);
    assert_eq!(&input[part.body_offset()..part_end], part.body());
    if let mailwire_message::Content::Multipart(multipart) = part.content() {
        for inner in multipart.parts() {
            assert!(inner.offset() >= part.body_offset());
            assert!(inner.offset() + inner.raw().len() <= part_end);
        }
    }
    let decoded = part.decoded_body();
    let mut into = Vec::new();
    assert_eq!(part.decode_body_into(&mut into), decoded.len());
    assert_eq!(into, &*decoded);
    let _ = (part.text(), part.filename(), part.content_type().essence());
}

/// Message building: whatever text and bytes go in, the built message
/// parses back without a defect and gives every field and body back.
///
/// Input: fields separated by `0xFF` bytes: subject, display name, file
/// name, text body, binary attachment. Text fields lose their control
/// characters first (the builder refuses CR, LF and NUL by design).
pub fn check_builder(input: &[u8]) {
    use mailwire_message::Message;
    use mailwire_message::builder::MessageBuilder;

    let mut fields = input.splitn(5, |&b| b == 0xff);
    let mut text = || {
        let raw = fields.next().unwrap_or_default();
        String::from_utf8_lossy(raw)
            .chars()
            .filter(|c| !c.is_control() || *c == '\t' || *c == '\n')
            .collect::<String>()
    };
    let (subject, name, filename, body) = (text(), text(), text(), text());
    let (name, filename) = (name.replace('\n', " "), filename.replace('\n', " "));
    let subject = subject.replace('\n', " ");
    let binary = input
        .rsplit(|&b| b == 0xff)
        .next()
        .unwrap_or_default()
        .to_vec();
    let filename = if filename.trim().is_empty() {
        "file.bin".to_owned()
    } else {
        filename
    };
    let bytes = MessageBuilder::new()
        .from((Some(name.as_str()), "sender@example.org"))
        .to("rcpt@example.net")
        .subject(subject.clone())
        .date_unix(1_700_000_000, 60)
        .text_body(body.clone())
        .attachment("application/octet-stream", filename.clone(), binary.clone())
        .build()
        .expect("valid input builds");
    let message = Message::parse(&bytes);
    assert!(message.validate().is_empty(), "{:?}", message.validate());
    assert_eq!(message.subject().as_deref(), Some(subject.as_str()));
    let from = message.header().from().unwrap();
    let mailbox = from.mailboxes().next().unwrap();
    let trimmed = name.trim_matches([' ', '\t']);
    let expected_name = (!trimmed.trim().is_empty()).then_some(trimmed);
    assert_eq!(mailbox.name().as_deref(), expected_name);
    let text_body = message.text_body().unwrap_or_default();
    assert_eq!(text_body, body.replace("\r\n", "\n").replace('\n', "\r\n"));
    let attachment = message.attachments()[0];
    assert_eq!(attachment.filename().as_deref(), Some(filename.as_str()));
    assert_eq!(&*attachment.decoded_body(), binary.as_slice());
    assert_eq!(message.raw(), bytes.as_slice());
}

/// SMTP replies: the incremental parser gives the same replies however the
/// input is split; error offsets stay inside the input; every reply read
/// writes back to bytes that read back the same; capabilities never panic
/// and write a reply that reads back the same capabilities.
pub fn check_smtp_reply(data: &[u8]) {
    use mailwire_smtp::types::{Capabilities, Reply};

    let Some((&cut, input)) = data.split_first() else {
        return;
    };
    let whole = read_replies(input);
    // The same input in two pieces, the first one parsed as far as it goes.
    let split = usize::from(cut) * (input.len() + 1) / 256;
    let mut buf = input[..split].to_vec();
    let mut pieces = Vec::new();
    let mut failed = drain_replies(&mut buf, &mut pieces);
    if failed.is_none() {
        buf.extend_from_slice(&input[split..]);
        failed = drain_replies(&mut buf, &mut pieces);
    }
    if whole.1.is_none() && failed.is_none() {
        assert_eq!(whole.0, pieces, "replies depend on the split");
    }
    // Lossy decoding of 8-bit text can lengthen a line past the limit, so
    // the write-back is read without limits.
    let mut unlimited = mailwire_smtp::parse::ReplyLimits::DEFAULT;
    unlimited.max_line = usize::MAX;
    unlimited.max_lines = usize::MAX;
    for reply in &whole.0 {
        if let Ok(bytes) = reply.to_bytes() {
            let (again, n) = Reply::parse_with_limits(&bytes, unlimited)
                .expect("an encoded reply parses")
                .expect("an encoded reply is complete");
            assert_eq!(n, bytes.len());
            assert_eq!(&again, reply, "encode then parse changed the reply");
        }
        let caps = Capabilities::from_ehlo(reply);
        if let Ok(bytes) = caps.to_reply().to_bytes() {
            let (reply, _) = Reply::parse_with_limits(&bytes, unlimited)
                .unwrap()
                .unwrap();
            let _ = Capabilities::from_ehlo(&reply);
        }
    }
}

/// Reads replies from `input` one after the other; returns them and the
/// error that stopped the reading, if any.
fn read_replies(mut input: &[u8]) -> (Vec<mailwire_smtp::types::Reply<'static>>, Option<usize>) {
    let total = input.len();
    let mut replies = Vec::new();
    loop {
        match mailwire_smtp::types::Reply::parse(input) {
            Ok(Some((reply, n))) => {
                assert!(n > 0 && n <= input.len());
                replies.push(reply.into_owned());
                input = &input[n..];
            }
            Ok(None) => return (replies, None),
            Err(e) => {
                assert!(
                    e.offset() <= input.len(),
                    "offset {} past {}",
                    e.offset(),
                    total
                );
                return (replies, Some(e.offset()));
            }
        }
    }
}

/// Parses and removes every complete reply at the front of `buf`.
fn drain_replies(
    buf: &mut Vec<u8>,
    out: &mut Vec<mailwire_smtp::types::Reply<'static>>,
) -> Option<usize> {
    loop {
        match mailwire_smtp::types::Reply::parse(buf) {
            Ok(Some((reply, n))) => {
                out.push(reply.into_owned());
                buf.drain(..n);
            }
            Ok(None) => return None,
            Err(e) => return Some(e.offset()),
        }
    }
}

/// SMTP server: arbitrary input in arbitrary pieces, an application that
/// accepts everything. No panic; the output is a sequence of well-formed
/// replies; a `DATA` message ends only where the input processed ends with
/// `CRLF.CRLF` (or, when bare line endings end command lines, right after
/// the `DATA` line with an empty body); message sizes match the data
/// handed out; buffers stay bounded; with pipelining checks off and no
/// `STARTTLS`, the split does not change events or output.
///
/// Input: `[config, config2, cut, cut, cut, data...]`.
pub fn check_smtp_server(input: &[u8]) {
    let [c1, c2, k1, k2, k3, data @ ..] = input else {
        return;
    };
    let config = smtp_server_config(*c1, *c2);
    let strict = config.bare_lf == BarePolicy::Reject && config.bare_cr == BarePolicy::Reject;
    let allow = config.pipelining == mailwire_smtp::server::PipeliningPolicy::Allow;
    let config = std::sync::Arc::new(config);
    let whole = run_smtp_server(&config, &[data], data, strict);
    let pieces = chunks(data, &[*k1, *k2, *k3]);
    let split = run_smtp_server(&config, &pieces, data, strict);
    // STARTTLS discards what came in the same read: split-dependent by design.
    let tls = |run: &ServerRun| run.events.iter().any(|e| e == "StartTls");
    if allow && !tls(&whole) && !tls(&split) {
        assert_eq!(split, whole);
    }
}

fn smtp_server_config(c1: u8, c2: u8) -> mailwire_smtp::server::ServerConfig {
    use mailwire_smtp::server::{PipeliningPolicy, ServerConfig};
    use mailwire_smtp::types::Mechanism;
    let mut config = if c1 & 1 == 0 {
        ServerConfig::new("mx.example.org")
    } else {
        ServerConfig::lmtp("lmtp.example.org")
    };
    config.pipelining = match (c1 >> 1) % 3 {
        0 => PipeliningPolicy::Allow,
        1 => PipeliningPolicy::Reject,
        _ => PipeliningPolicy::Disconnect,
    };
    config.extensions.chunking = c1 & 0x08 == 0;
    config.extensions.pipelining = c1 & 0x10 == 0;
    config.extensions.starttls = c1 & 0x20 == 0;
    config.extensions.enhanced_status_codes = c1 & 0x40 == 0;
    config.extensions.dsn = c1 & 0x80 == 0;
    config.bare_lf = policy(c2);
    config.bare_cr = policy(c2 / 3);
    if c2 & 0x10 != 0 {
        config.limits.max_message_size = 64;
        config.limits.max_literal_size = 48;
    }
    if c2 & 0x20 != 0 {
        config.limits.max_errors = 3;
        config.limits.max_recipients = 2;
        config.limits.max_command_line = 40;
    }
    config.implicit_tls = c2 & 0x40 != 0;
    config.auth_requires_tls = c2 & 0x80 == 0;
    config.auth_mechanisms = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::XOAuth2,
    ];
    config.receive_buffer = 1024;
    config
}

/// What a session produced: events (consecutive data merged) and output.
#[derive(Debug, PartialEq, Eq)]
struct ServerRun {
    events: Vec<String>,
    output: Vec<u8>,
}

fn run_smtp_server(
    config: &std::sync::Arc<mailwire_smtp::server::ServerConfig>,
    pieces: &[&[u8]],
    data: &[u8],
    strict: bool,
) -> ServerRun {
    use mailwire_smtp::server::{Event, Server};
    let now = std::time::Instant::now();
    let mut server = Server::new(config.clone(), now);
    server.set_cram_md5_nonce("1.2");
    let mut run = ServerRun {
        events: Vec::new(),
        output: Vec::new(),
    };
    let mut out = BytesMut::new();
    // Data handed out since the transaction started.
    let mut body = 0u64;
    let mut drive = |server: &mut Server, run: &mut ServerRun, body: &mut u64| loop {
        while let Some(event) = server.poll_event() {
            match &event {
                Event::Data(chunk) => {
                    assert!(!chunk.is_empty());
                    *body += chunk.len() as u64;
                }
                Event::Mail(_) => {
                    *body = 0;
                    server.accept_sender().unwrap();
                }
                Event::Recipient(_) => server.accept_recipient().unwrap(),
                Event::MessageEnd(end) => {
                    assert_eq!(end.size, *body);
                    if !end.chunked {
                        let processed = usize::try_from(server.input_processed()).unwrap();
                        let seen = &data[..processed];
                        assert!(
                            seen.ends_with(b"\r\n.\r\n")
                                || (!strict && *body == 0 && seen.ends_with(b".\r\n")),
                            "message ended without CRLF.CRLF"
                        );
                    }
                    *body = 0;
                    server.accept_message().unwrap();
                }
                Event::TransactionAborted(_) => *body = 0,
                Event::Auth(_) => server.accept_auth().unwrap(),
                Event::StartTls => server.tls_established().unwrap(),
                _ => {}
            }
            let text = match event {
                Event::Data(chunk) => format!("Data({})", chunk.len()),
                other => format!("{other:?}"),
            };
            match run.events.last_mut() {
                Some(last) if last.starts_with("Data(") && text.starts_with("Data(") => {
                    let a: usize = last[5..last.len() - 1].parse().unwrap();
                    let b: usize = text[5..text.len() - 1].parse().unwrap();
                    *last = format!("Data({})", a + b);
                }
                _ => run.events.push(text),
            }
        }
        out.clear();
        if server.poll_output(&mut out) == 0 {
            break;
        }
        run.output.extend_from_slice(&out);
    };
    drive(&mut server, &mut run, &mut body);
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() {
            let n = server.handle_input(now, rest);
            rest = &rest[n..];
            drive(&mut server, &mut run, &mut body);
            assert!(server.buffer_capacity() < 256 * 1024);
            assert!(n > 0 || server.wants_input(), "stuck");
        }
    }
    // Every reply well-formed, and nothing but replies.
    let mut at = 0;
    while at < run.output.len() {
        let (_, n) = mailwire_smtp::types::Reply::parse(&run.output[at..])
            .expect("well-formed reply")
            .expect("complete reply");
        at += n;
    }
    run
}

/// SMTP client: arbitrary server bytes, in arbitrary chunks, during a
/// scripted session (two transactions, one of them streamed, then QUIT):
/// no panic, bounded buffers, every transaction reported once, nothing
/// after `Closed`. Without STARTTLS, timeouts and streaming (whose
/// outcomes depend on timing by design), the events must not depend on
/// the chunking.
///
/// Input: `[flags, cut, cut, cut, cut, server bytes...]`. Flag bits:
/// 0 pipelining, 1 chunking, 2 LMTP, 3-4 TLS policy, 5 credentials,
/// 6 small blocks, 7 streamed second message and timeouts.
pub fn check_smtp_client(input: &[u8]) {
    let [flags, c1, c2, c3, c4, data @ ..] = input else {
        return;
    };
    let streamed = flags & 0x80 != 0;
    let tls = match (flags >> 3) & 3 {
        0 => smtp_client::Tls::Never,
        1 => smtp_client::Tls::Opportunistic,
        2 => smtp_client::Tls::Required,
        _ => smtp_client::Tls::Implicit,
    };
    let cuts = [*c1, *c2, *c3, *c4];
    let chunked = run_smtp_client(*flags, tls, streamed, &chunks(data, &cuts));
    let timing_free =
        !streamed && matches!(tls, smtp_client::Tls::Never | smtp_client::Tls::Implicit);
    if timing_free {
        let whole = run_smtp_client(*flags, tls, streamed, &[data]);
        assert_eq!(chunked.0, whole.0, "events depend on the chunking");
        let (a, b) = (&chunked.1, &whole.1);
        assert!(a.starts_with(b) || b.starts_with(a), "output diverges");
    }
}

use mailwire_smtp::client as smtp_client;

/// Runs one client session over `pieces`; returns its events and output.
fn run_smtp_client(
    flags: u8,
    tls: smtp_client::Tls,
    streamed: bool,
    pieces: &[&[u8]],
) -> (Vec<smtp_client::Event>, Vec<u8>) {
    use mailwire_smtp::client::{Client, Config, Credentials, Envelope, Event};
    use std::time::{Duration, Instant};

    let mut config = Config::new("client.example");
    config.pipelining = flags & 1 != 0;
    config.chunking = flags & 2 != 0;
    config.lmtp = flags & 4 != 0;
    config.tls = tls;
    if flags & 0x20 != 0 {
        config.credentials = Some(Credentials::password("user", "pass"));
        config.allow_plaintext_auth = flags & 1 != 0;
    }
    if flags & 0x40 != 0 {
        config.block_size = 7;
        config.max_buffered = 64;
    }
    let max_line = config.reply_limits.max_line;
    let max_input = max_line * config.reply_limits.max_lines + max_line;
    let mut client = Client::new(config).expect("valid client id");
    let message = b"Subject: x\n\n.line\r\nGr\xc3\xbc\xc3\x9fe\rend";
    let envelope = Envelope::from_addresses("a@example.org", &["b@example.net", "c@example.net"])
        .expect("valid addresses");
    let first = client
        .send(&envelope, &message[..])
        .expect("valid envelope");
    let second = if streamed {
        client.send_stream(&envelope)
    } else {
        client.send(&envelope, &b"second\r\n"[..])
    }
    .expect("valid envelope");
    client.quit();

    let start = Instant::now();
    let mut events = Vec::new();
    let mut sent = Vec::new();
    let mut streamed_left = 300usize;
    let mut round = 0u64;
    let mut settle = |client: &mut Client, events: &mut Vec<Event>, sent: &mut Vec<u8>| loop {
        let mut progressed = false;
        while let Some(piece) = client.poll_transmit() {
            sent.extend_from_slice(&piece);
            progressed = true;
        }
        while let Some(event) = client.poll_event() {
            match &event {
                Event::StartTls => client.tls_established(),
                Event::MessageWanted { .. } => {
                    let chunk = b".data\nmore\r";
                    while streamed_left > 0 {
                        let n = client.write_message(&chunk[..chunk.len().min(streamed_left)]);
                        streamed_left -= n;
                        if n == 0 {
                            break;
                        }
                    }
                    if streamed_left == 0 {
                        let _ = client.end_message();
                    }
                }
                _ => {}
            }
            events.push(event);
            progressed = true;
        }
        if !progressed {
            break;
        }
    };
    settle(&mut client, &mut events, &mut sent);
    for piece in pieces {
        if streamed {
            round += 1;
            client.handle_timeout(start + Duration::from_secs(round * 61));
        }
        client.handle_input(piece);
        assert!(
            client.buffered_input() <= max_input,
            "input buffer unbounded"
        );
        assert!(
            client.buffered_output() <= 4 * 1024,
            "output buffer {}",
            client.buffered_output()
        );
        settle(&mut client, &mut events, &mut sent);
    }
    client.connection_closed();
    settle(&mut client, &mut events, &mut sent);

    // Every transaction reported exactly once; nothing after Closed.
    for id in [first, second] {
        let n = events
            .iter()
            .filter(|e| matches!(e, Event::TransactionDone(r) if r.transaction == id))
            .count();
        assert_eq!(n, 1, "transaction {id} reported {n} times: {events:?}");
    }
    let closed = events
        .iter()
        .position(|e| matches!(e, Event::Closed { .. }))
        .expect("closed at the end");
    assert_eq!(closed, events.len() - 1, "events after Closed: {events:?}");
    assert!(client.is_closed() && client.pending_transactions() == 0);
    (events, sent)
}

/// SMTP command parser: never panics; an error's offset lies within the
/// line; a parsed command encodes (one line, CRLF only at the end), the
/// encoding parses back to the same verb, and encoding that again gives
/// the same bytes (encode . parse is idempotent).
///
/// Input: the command line, CRLF included or not.
pub fn check_smtp_command(data: &[u8]) {
    use mailwire_smtp::types::Command;

    let cmd = match Command::parse(data) {
        Ok(cmd) => cmd,
        Err(e) => {
            assert!(e.offset() <= data.len(), "{e} past the end of {data:?}");
            // The reply a server gives is always a 5xx permanent error.
            assert!(matches!(e.reply_code(), 500 | 501), "{e}");
            return;
        }
    };
    let first = cmd
        .to_bytes()
        .unwrap_or_else(|e| panic!("{cmd:?} parsed from {data:?} does not encode: {e}"));
    let body = first.strip_suffix(b"\r\n").expect("ends with CRLF");
    assert!(
        !body.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0),
        "{first:?}"
    );
    let again = Command::parse(&first)
        .unwrap_or_else(|e| panic!("{first:?} (from {data:?}) does not parse: {e}"));
    assert_eq!(again.verb(), cmd.verb());
    let second = again.to_bytes().expect("a re-parsed command encodes");
    assert_eq!(
        second,
        first,
        "{:?} -> {:?}",
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
}

/// POP3 command lines: parsing never panics; error offsets stay inside
/// the line and every error has an `-ERR` response that encodes; a parsed
/// command encodes, the encoding is no longer than the line, and it
/// parses back to the same command (also without limits). The same for
/// the client's SASL response lines.
pub fn check_pop3_command(input: &[u8]) {
    use mailwire_pop3::parse::Limits;
    use mailwire_pop3::types::{Command, SaslResponse};

    match Command::parse(input) {
        Ok(command) => {
            let bytes = command.to_bytes().expect("a parsed command encodes");
            assert!(bytes.len() <= input.len() + 2, "encoding grew the line");
            let again = Command::parse(&bytes).expect("an encoded command parses");
            assert_eq!(again, command, "parse, encode, parse changed the command");
            assert_eq!(
                Command::parse_with_limits(input, &Limits::UNLIMITED),
                Ok(command)
            );
        }
        Err(error) => {
            assert!(error.offset() <= input.len(), "offset past the line");
            let response = error.response().to_bytes().expect("-ERR encodes");
            assert!(response.starts_with(b"-ERR "));
        }
    }
    match SaslResponse::parse(input) {
        Ok(response) => {
            let bytes = response.to_bytes().expect("a parsed SASL line encodes");
            assert_eq!(SaslResponse::parse(&bytes), Ok(response));
        }
        Err(error) => assert!(error.offset() <= input.len()),
    }
}

/// A POP3 server's bytes, joined across `Data` chunks so that reads
/// compare whatever the split.
#[derive(Debug, PartialEq, Eq)]
enum Pop3Out {
    Response(mailwire_pop3::types::Response<'static>),
    Continuation(String),
    Body(Vec<u8>),
    Defect,
    End,
    Failed,
}

/// Reads `chunks` in turn with a reader expecting `kinds`; checks that
/// buffers stay bounded and that every response read encodes and reads
/// back the same.
fn read_pop3(reader: &mailwire_pop3::parse::ResponseReader, chunks: &[&[u8]]) -> Vec<Pop3Out> {
    use mailwire_pop3::parse::{Limits, ServerFrame};
    use mailwire_pop3::types::{Continuation, Response};

    let mut reader = reader.clone();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match reader.read(&mut buf) {
                Ok(Some(ServerFrame::Response(r))) => {
                    let bytes = r.to_bytes().expect("a response read encodes");
                    let again = Response::parse_with_limits(&bytes, &Limits::UNLIMITED).unwrap();
                    assert_eq!(again, r, "encode then parse changed the response");
                    out.push(Pop3Out::Response(r));
                }
                Ok(Some(ServerFrame::Continuation(c))) => {
                    let bytes = c.to_bytes().expect("a continuation read encodes");
                    let again = Continuation::parse_with_limits(&bytes, &Limits::UNLIMITED);
                    assert_eq!(again.unwrap(), c);
                    out.push(Pop3Out::Continuation(c.data().to_owned()));
                }
                Ok(Some(ServerFrame::Data(d))) => {
                    assert!(!d.is_empty(), "empty data chunk");
                    assert!(reader.in_body(), "data outside a body");
                    match out.last_mut() {
                        Some(Pop3Out::Body(body)) => body.extend_from_slice(&d),
                        _ => out.push(Pop3Out::Body(d.to_vec())),
                    }
                }
                Ok(Some(ServerFrame::BodyDefect(_))) => out.push(Pop3Out::Defect),
                Ok(Some(ServerFrame::End)) => out.push(Pop3Out::End),
                Ok(Some(other)) => panic!("unknown frame {other:?}"),
                Ok(None) => break,
                Err(_) => {
                    out.push(Pop3Out::Failed);
                    return out;
                }
            }
        }
        if reader.in_body() {
            assert!(buf.len() <= 2, "{} bytes held inside a body", buf.len());
        } else {
            assert!(buf.len() < reader.max_line(), "{} bytes held", buf.len());
        }
    }
    out
}

/// POP3 responses through the client side's reader: arbitrary bytes in
/// arbitrary pieces, after arbitrary commands. No panic; the same frames
/// whatever the split; buffers bounded; every response and continuation
/// read writes back to bytes that read back the same.
///
/// Input: `[config, cut, cut, kinds..., 0xff, data...]`: `config` picks
/// the number of commands (low 3 bits), a small body limit (bit 3), no
/// greeting (bit 4); each kind byte is a command.
pub fn check_pop3_response(input: &[u8]) {
    use mailwire_pop3::parse::{Limits, ResponseReader};
    use mailwire_pop3::types::ResponseKind;

    let [config, c1, c2, rest @ ..] = input else {
        return;
    };
    let count = usize::from(config & 7).min(rest.len());
    let (kinds, data) = rest.split_at(count);
    let mut limits = Limits::DEFAULT;
    if config & 8 != 0 {
        limits.max_body_size = 16;
    }
    let mut reader = ResponseReader::with_limits(&limits);
    if config & 16 != 0 {
        reader = reader.after_greeting();
    }
    for kind in kinds {
        reader.expect(match kind % 3 {
            0 => ResponseKind::SingleLine,
            1 => ResponseKind::MultiLine,
            _ => ResponseKind::Sasl,
        });
    }
    let whole = read_pop3(&reader, &[data]);
    let pieces = chunks(data, &[*c1, *c2]);
    let split = read_pop3(&reader, &pieces);
    assert_eq!(whole, split, "frames depend on the split");
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    if data.len() <= 256 {
        assert_eq!(whole, read_pop3(&reader, &bytes), "byte by byte differs");
    }
}

/// POP3 server: arbitrary input in arbitrary pieces, with a fixed
/// maildrop of three messages, an application that accepts every login
/// and answers every retrieval with the stored message. No panic; the
/// output is CRLF lines only (no bare CR or LF), starting with the
/// greeting; buffers stay bounded; deletions reach the application only
/// in one `Update`, after a `QUIT` in the input and a login, followed only
/// by `Closed`; without `STLS`, the split does not change events or
/// output.
///
/// Input: `[config, cut, cut, cut, data...]`.
pub fn check_pop3_server(input: &[u8]) {
    let [config, c1, c2, c3, data @ ..] = input else {
        return;
    };
    let whole = run_pop3_server(*config, &[data]);
    let pieces = chunks(data, &[*c1, *c2, *c3]);
    let split = run_pop3_server(*config, &pieces);
    if config & 1 == 0 {
        assert_eq!(whole, split, "the split changed the session");
    }
    for (out, events) in [&whole, &split] {
        assert!(
            out.starts_with(b"+OK POP3 server ready"),
            "no greeting first"
        );
        let updates: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, mailwire_pop3::server::Event::Update(_)))
            .map(|(i, _)| i)
            .collect();
        assert!(updates.len() <= 1, "more than one update");
        if let Some(&at) = updates.first() {
            use mailwire_pop3::server::Event;
            assert!(
                find(&data.to_ascii_uppercase(), b"QUIT").is_some(),
                "an update without QUIT"
            );
            assert!(
                events[..at]
                    .iter()
                    .any(|e| matches!(e, Event::Login(_) | Event::Apop(_) | Event::Auth(_))),
                "an update without a login"
            );
            assert!(
                events[at + 1..]
                    .iter()
                    .all(|e| matches!(e, Event::Closed(_))),
                "events after the update"
            );
            if let Event::Update(update) = &events[at] {
                assert!(update.deleted.iter().all(|m| (1..=3).contains(m)));
                assert!(update.deleted.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}

const POP3_MESSAGES: [&[u8]; 3] = [
    b"Subject: one\r\n\r\nbody\r\n",
    b"Subject: dots\n\n.\n..x\r\n.",
    b"From: a\r\nTo: b\r\n\r\nl1\r\nl2\r\nl3\r\n",
];

fn run_pop3_server(
    config_bits: u8,
    pieces: &[&[u8]],
) -> (Vec<u8>, Vec<mailwire_pop3::server::Event>) {
    use std::sync::Arc;
    use std::time::Instant;

    use mailwire_pop3::server::{Event, Maildrop, Mechanism, MessageInfo, Server, ServerConfig};

    let mut config = ServerConfig::new("pop.example.org");
    config.stls = config_bits & 1 != 0;
    config.apop = config_bits & 2 != 0;
    config.plaintext_needs_tls = config_bits & 4 != 0;
    if config_bits & 8 != 0 {
        config.limits.max_command_line = 40;
        config.limits.max_sasl_line = 64;
        config.limits.max_errors = 3;
        config.limits.receive_buffer = 64;
    }
    config.utf8 = config_bits & 16 != 0;
    if config_bits & 32 != 0 {
        config.bare_lf = BarePolicy::Reject;
    }
    config.sasl = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::XOAuth2,
        Mechanism::CramMd5,
    ];
    let now = Instant::now();
    let mut server = Server::new(Arc::new(config), now);
    server.set_nonce("1.2").unwrap();
    let maildrop = || {
        let infos = POP3_MESSAGES
            .iter()
            .enumerate()
            .map(|(i, m)| MessageInfo::new(m.len() as u64, format!("u{i}")).unwrap());
        Maildrop::new(infos.collect()).unwrap()
    };
    let mut out = BytesMut::new();
    let mut events = Vec::new();
    let bound = 64 * 1024;
    let drive = |server: &mut Server, out: &mut BytesMut, events: &mut Vec<Event>| loop {
        while let Some(event) = server.poll_event() {
            events.push(event.clone());
            match event {
                Event::Login(_) | Event::Apop(_) | Event::Auth(_) => {
                    server.accept_login(maildrop()).unwrap();
                }
                Event::Retrieve(retr) => {
                    let message = POP3_MESSAGES[retr.index()];
                    for piece in message.chunks(5) {
                        if !server.wants_message_data() {
                            break;
                        }
                        server.send_message(piece).unwrap();
                    }
                    server.end_message().unwrap();
                }
                Event::Update(_) => server.update_done().unwrap(),
                Event::StartTls => server.tls_established().unwrap(),
                _ => {}
            }
        }
        assert!(server.buffered_len() <= bound, "buffers grew");
        if server.poll_output(out) == 0 {
            break;
        }
    };
    drive(&mut server, &mut out, &mut events);
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() {
            let n = server.handle_input(now, rest);
            rest = &rest[n..];
            drive(&mut server, &mut out, &mut events);
            if n == 0 && !server.wants_input() && !server.is_closed() {
                panic!("the server neither takes input nor asks for anything");
            }
        }
        // Between reads the output is whole lines.
        assert!(out.is_empty() || out.ends_with(b"\r\n"), "a partial line");
    }
    for (i, &b) in out.iter().enumerate() {
        match b {
            b'\n' => assert!(i > 0 && out[i - 1] == b'\r', "bare LF in the output"),
            b'\r' => assert_eq!(out.get(i + 1), Some(&b'\n'), "bare CR in the output"),
            _ => {}
        }
    }
    (out.to_vec(), events)
}

/// The sans-IO POP3 client, with a fixed set of commands queued, fed
/// arbitrary server bytes in arbitrary pieces. No panic; the buffer never
/// holds more than its limit; every command ends at most once; nothing
/// after `Closed`; without STLS (whose handshake timing depends on the
/// split), the same events (message chunks joined) and output whatever
/// the split.
///
/// Input: `[flags, cut, cut, cut, data...]`: `flags` picks pipelining
/// (bit 0), a small buffer and batches (bit 1), a small message limit
/// (bit 2), STLS first (bit 3), and the login (bits 4-6).
pub fn check_pop3_client(input: &[u8]) {
    let [flags, c1, c2, c3, data @ ..] = input else {
        return;
    };
    let chunked = run_pop3_client(*flags, &chunks(data, &[*c1, *c2, *c3]));
    if flags & 8 == 0 {
        let whole = run_pop3_client(*flags, &[data]);
        assert_eq!(chunked, whole, "events depend on the chunking");
    }
}

/// Runs one client session over `pieces`; returns its events and output.
fn run_pop3_client(flags: u8, pieces: &[&[u8]]) -> (Vec<mailwire_pop3::client::Event>, Vec<u8>) {
    use mailwire_pop3::client::{Client, Config, Event, Sasl};
    use std::collections::HashSet;

    let mut config = Config::default();
    config.pipelining = flags & 1 != 0;
    if flags & 2 != 0 {
        config.max_buffered = 0; // raised to the least allowed
        config.listing_batch = 2;
        config.max_capabilities = 3;
    }
    if flags & 4 != 0 {
        config.max_message_size = 8;
    }
    let max = config.max_buffered.max(2 * config.max_response_line);
    let mut client = Client::new(config);
    if flags & 8 != 0 {
        client.stls().expect("STLS first");
    }
    client.capa().expect("CAPA");
    let login = match (flags >> 4) & 7 {
        0 | 1 => client.login_user_pass("joe", "secret"),
        2 => client.authenticate(Sasl::plain("joe", "secret")),
        3 => client.authenticate(Sasl::login("joe", "secret")),
        4 => client.authenticate(Sasl::cram_md5("joe", "secret")),
        5 => client.authenticate(Sasl::xoauth2("joe", "t".repeat(300))),
        _ => client
            .utf8()
            .and_then(|_| client.login_user_pass("joe", "secret")),
    };
    login.expect("login");
    client.stat().expect("STAT");
    client.list(None).expect("LIST");
    client.uidl(Some(1)).expect("UIDL 1");
    client.retr(1).expect("RETR");
    client.top(2, 1).expect("TOP");
    client.uidl(None).expect("UIDL");
    client.list(Some(2)).expect("LIST 2");
    client.dele(1).expect("DELE");
    client.noop().expect("NOOP");
    client.rset().expect("RSET");
    client.quit().expect("QUIT");

    let mut events: Vec<Event> = Vec::new();
    let mut out = BytesMut::new();
    let mut ended = HashSet::new();
    let mut closed = false;
    let mut take = |client: &mut Client, events: &mut Vec<Event>| {
        while let Some(event) = client.poll_event() {
            assert!(client.buffered_len() <= max, "buffer over its limit");
            assert!(!closed, "event after Closed: {event:?}");
            let end = match &event {
                Event::Capabilities { id, .. }
                | Event::StartTls { id }
                | Event::LoggedIn { id, .. }
                | Event::Stat { id, .. }
                | Event::MessageEnd { id }
                | Event::Deleted { id, .. }
                | Event::Done { id, .. }
                | Event::Error { id, .. }
                | Event::Cancelled { id }
                | Event::Listing { id, last: true, .. }
                | Event::UniqueIds { id, last: true, .. } => Some(*id),
                Event::Closed { .. } => {
                    closed = true;
                    None
                }
                _ => None,
            };
            if let Some(id) = end {
                assert!(ended.insert(id), "{id} ended twice");
            }
            if matches!(event, Event::StartTls { .. }) {
                assert!(client.tls_established().is_some());
            }
            if let (
                Some(Event::MessageData { id: a, data: prev }),
                Event::MessageData { id: b, data },
            ) = (events.last_mut(), &event)
                && a == b
            {
                let mut joined = prev.to_vec();
                joined.extend_from_slice(data);
                *prev = joined.into();
                continue;
            }
            events.push(event);
        }
    };
    for piece in pieces {
        let mut rest = *piece;
        let mut stuck = 0;
        while !rest.is_empty() {
            let taken = client.handle_input(rest);
            assert!(client.buffered_len() <= max, "buffer over its limit");
            rest = &rest[taken..];
            take(&mut client, &mut events);
            let _ = client.poll_output(&mut out);
            stuck = if taken == 0 { stuck + 1 } else { 0 };
            assert!(stuck < 2, "client takes no input with no events pending");
        }
    }
    client.connection_closed();
    take(&mut client, &mut events);
    let _ = client.poll_output(&mut out);
    assert!(client.is_closed());
    (events, out.to_vec())
}
/// What a POP3 reader made of a body read line by line: each line kept
/// apart.
#[derive(Debug, PartialEq, Eq)]
enum Pop3Line {
    Status(bool),
    Continuation,
    Line(Vec<u8>),
    Defect,
    End,
    Failed,
}

/// Reads `chunks` with a reader that announced one listing line by line,
/// through `read` (`lent` false) or `read_lines` (`lent` true); checks the
/// buffer bound and the shape of each line. Returns the frames and what
/// is left in the buffer.
fn read_pop3_lines(max_line: usize, lent: bool, chunks: &[&[u8]]) -> (Vec<Pop3Line>, Vec<u8>) {
    use mailwire_pop3::parse::{Limits, ResponseReader, ServerFrame};

    let mut limits = Limits::DEFAULT;
    limits.max_response_line = max_line;
    let mut reader = ResponseReader::with_limits(&limits).after_greeting();
    reader.expect_lines();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        // After the end, the rest only piles up in the buffer.
        while out.last() != Some(&Pop3Line::End) {
            let mut lines = Vec::new();
            let frame = if lent {
                reader.read_lines(&mut buf, |line| lines.push(line.to_vec()))
            } else {
                reader.read(&mut buf)
            };
            for line in lines {
                out.push(Pop3Line::Line(line));
            }
            match frame {
                Ok(Some(ServerFrame::Response(r))) => out.push(Pop3Line::Status(r.is_ok())),
                Ok(Some(ServerFrame::Continuation(_))) => out.push(Pop3Line::Continuation),
                Ok(Some(ServerFrame::Line(line))) => out.push(Pop3Line::Line(line.to_vec())),
                Ok(Some(ServerFrame::BodyDefect(_))) => out.push(Pop3Line::Defect),
                Ok(Some(ServerFrame::End)) => out.push(Pop3Line::End),
                Ok(Some(other)) => panic!("unexpected frame {other:?}"),
                Ok(None) => break,
                Err(_) => {
                    // The connection would be closed: what is left (which
                    // depends on where the bad line was cut) is moot.
                    out.push(Pop3Line::Failed);
                    return (out, Vec::new());
                }
            }
        }
        if out.last() != Some(&Pop3Line::End) {
            assert!(buf.len() <= max_line, "{} bytes held", buf.len());
        }
    }
    for line in &out {
        if let Pop3Line::Line(line) = line {
            // At most the limit, with its stuffed period; ends at a break.
            assert!(line.len() <= max_line, "a line of {} bytes", line.len());
            assert!(matches!(line.last(), Some(b'\n' | b'\r')), "{line:?}");
        }
    }
    (out, buf.to_vec())
}

/// A POP3 listing read line by line (`ResponseReader::expect_lines`):
/// `read` and `read_lines` agree, whatever the split; lines stay within
/// the limit; and, when no line was too long, the lines put together are
/// the body the chunked reader gives, ending at the same place.
///
/// Input: `[limit, cut, cut, data...]`; the line limit is 5 + `limit`.
pub fn check_pop3_lines(input: &[u8]) {
    use mailwire_pop3::parse::{Limits, ResponseReader, ServerFrame};
    use mailwire_pop3::types::ResponseKind;

    let [limit, c1, c2, data @ ..] = input else {
        return;
    };
    let max_line = 5 + usize::from(*limit);
    let whole = read_pop3_lines(max_line, false, &[data]);
    assert_eq!(
        whole,
        read_pop3_lines(max_line, true, &[data]),
        "read_lines differs"
    );
    let pieces = chunks(data, &[*c1, *c2]);
    assert_eq!(
        whole,
        read_pop3_lines(max_line, false, &pieces),
        "frames depend on the split"
    );
    assert_eq!(
        whole,
        read_pop3_lines(max_line, true, &pieces),
        "lines depend on the split"
    );
    if data.len() <= 256 {
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        assert_eq!(
            whole,
            read_pop3_lines(max_line, true, &bytes),
            "byte by byte differs"
        );
    }

    let (frames, rest) = whole;
    if frames.contains(&Pop3Line::Defect) || frames.contains(&Pop3Line::Failed) {
        return;
    }
    // The same input in chunks.
    let mut limits = Limits::UNLIMITED;
    limits.max_response_line = max_line;
    let mut reader = ResponseReader::with_limits(&limits).after_greeting();
    reader.expect(ResponseKind::MultiLine);
    let mut buf = BytesMut::from(data);
    let (mut body, mut ended) = (Vec::new(), false);
    while let Ok(Some(frame)) = reader.read(&mut buf) {
        match frame {
            ServerFrame::Data(chunk) => body.extend_from_slice(&chunk),
            ServerFrame::End => {
                ended = true;
                break;
            }
            _ => {}
        }
    }
    let lines: Vec<u8> = frames
        .iter()
        .filter_map(|f| match f {
            Pop3Line::Line(line) => Some(&line[..]),
            _ => None,
        })
        .flatten()
        .copied()
        .collect();
    assert_eq!(ended, frames.contains(&Pop3Line::End));
    if ended {
        assert_eq!(lines, body, "the lines are not the body");
        assert_eq!(rest, &buf[..], "the body ends elsewhere");
    } else {
        // Unfinished: the lines so far are a prefix of the body so far
        // (the chunked reader hands out bytes before their line ends).
        assert!(body.starts_with(&lines), "the lines are not the body");
    }
}

/// What an IMAP command decoder said, owned, chunks joined, so that
/// runs compare whatever the split. Literal announcements are left out
/// (whether one shows depends on where the input was cut).
#[derive(Debug, PartialEq, Eq)]
enum ImapOut {
    Command(Vec<u8>),
    Failed(Option<String>, String),
    Append(String),
    Chunk(Vec<u8>),
    AppendEnd,
}

fn read_imap(decoder: &mailwire_imap::parse::CommandDecoder, pieces: &[&[u8]]) -> Vec<ImapOut> {
    use mailwire_imap::parse::{Decoded, Limits};
    use mailwire_imap::types::Command;

    let mut decoder = decoder.clone();
    let limits = *decoder.limits();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            let item = match decoder.decode(&mut buf) {
                Decoded::Incomplete => break,
                Decoded::LiteralAnnounced { size, .. } => {
                    assert!(size <= limits.max_literal.max(limits.max_append));
                    continue;
                }
                Decoded::Command(cmd) => {
                    // A parsed command encodes, and parses back the same.
                    let bytes = cmd
                        .to_bytes()
                        .unwrap_or_else(|e| panic!("{cmd:?} does not encode: {e}"));
                    let (again, len) = Command::parse_with_limits(&bytes, &Limits::UNLIMITED)
                        .unwrap_or_else(|e| panic!("{bytes:?} of {cmd:?} does not parse: {e}"));
                    assert_eq!(len, bytes.len());
                    assert_eq!(again, cmd, "encode then parse changed the command");
                    assert_eq!(cmd.clone().into_owned(), cmd, "into_owned changed it");
                    ImapOut::Command(bytes)
                }
                Decoded::Failed { tag, error } => {
                    let mut answer = Vec::new();
                    error.write_answer(tag.as_ref(), &mut answer);
                    assert!(answer.ends_with(b"\r\n"));
                    ImapOut::Failed(tag.map(|t| t.as_str().to_owned()), error.to_string())
                }
                Decoded::AppendStart {
                    tag,
                    mailbox,
                    message,
                } => {
                    assert!(message.size <= limits.max_append);
                    ImapOut::Append(format!("{tag:?} {mailbox:?} {message:?}"))
                }
                Decoded::AppendNext { message } => ImapOut::Append(format!("{message:?}")),
                Decoded::LiteralChunk(chunk) => {
                    assert!(!chunk.is_empty());
                    if let Some(ImapOut::Chunk(prev)) = out.last_mut() {
                        prev.extend_from_slice(&chunk);
                        continue;
                    }
                    ImapOut::Chunk(chunk.to_vec())
                }
                Decoded::AppendEnd => ImapOut::AppendEnd,
                other => panic!("unexpected {other:?}"),
            };
            out.push(item);
        }
    }
    out
}

/// IMAP commands: the decoder never panics and gives the same results
/// whatever the split of its input (two cuts, and byte by byte for short
/// inputs); every command it returns encodes and parses back the same;
/// one-shot parsing of the whole input agrees with the decoder's first
/// result.
///
/// Input: `[config, cut, cut, data...]`: `config` bit 0 streams APPEND,
/// bit 1 sets tiny limits, bit 2 turns on LITERAL-.
pub fn check_imap_command(input: &[u8]) {
    use mailwire_imap::parse::{CommandDecoder, Limits};
    use mailwire_imap::types::Command;

    let [config, c1, c2, data @ ..] = input else {
        return;
    };
    let mut limits = Limits::DEFAULT;
    if config & 2 != 0 {
        limits.max_line = 64;
        limits.max_literal = 16;
        limits.max_append = 32;
        limits.max_command = 256;
        limits.max_items = 8;
        limits.max_depth = 4;
    }
    limits.literal_minus = config & 4 != 0;
    let decoder = CommandDecoder::with_limits(&limits).stream_append(config & 1 != 0);
    let whole = read_imap(&decoder, &[data]);
    let pieces = chunks(data, &[*c1, *c2]);
    assert_eq!(
        whole,
        read_imap(&decoder, &pieces),
        "results depend on the split"
    );
    if data.len() <= 256 {
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        assert_eq!(whole, read_imap(&decoder, &bytes), "byte by byte differs");
    }
    match Command::parse_with_limits(data, &limits) {
        Ok((cmd, len)) => {
            assert!(len <= data.len());
            let bytes = cmd.to_bytes().expect("a parsed command encodes");
            assert_eq!(
                Command::parse_with_limits(&bytes, &Limits::UNLIMITED)
                    .unwrap()
                    .0,
                cmd
            );
            // (Line and command size limits are the decoder's only.)
            if config & 3 == 0 {
                assert_eq!(
                    whole.first(),
                    Some(&ImapOut::Command(bytes)),
                    "decoder disagrees"
                );
            }
        }
        Err(e) => assert!(e.offset() <= data.len(), "{e} past the end"),
    }
}

/// One frame of the IMAP response reader, owned (chunks of a literal
/// merged).
#[derive(Debug, PartialEq, Eq)]
enum ImapResponseOut {
    Frame(String),
    Literal(Vec<u8>),
}

/// Reads `chunks` with a fresh reader; checks every complete response
/// re-encodes to bytes that parse back to it.
fn read_imap_responses(stream: bool, small: bool, chunks: &[&[u8]]) -> Vec<ImapResponseOut> {
    use mailwire_imap::parse::{ReadFrame, ResponseLimits, ResponseReader};
    use mailwire_imap::types::Response;

    let mut limits = ResponseLimits::DEFAULT;
    if small {
        limits.max_line = 64;
        limits.max_literal = 16;
        limits.max_streamed_literal = 64;
        limits.max_response = 256;
        limits.max_depth = 8;
        limits.max_items = 32;
    }
    let mut reader = ResponseReader::with_limits(&limits).stream_literals(stream);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match reader.read(&mut buf) {
                ReadFrame::Incomplete => break,
                ReadFrame::LiteralChunk(data) => {
                    assert!(!data.is_empty(), "empty literal chunk");
                    match out.last_mut() {
                        Some(ImapResponseOut::Literal(d)) => d.extend_from_slice(&data),
                        _ => out.push(ImapResponseOut::Literal(data.to_vec())),
                    }
                }
                ReadFrame::Response(r) => {
                    match r.to_bytes() {
                        Ok(bytes) => {
                            let (again, len) = Response::parse(&bytes).expect("re-encoded parses");
                            assert_eq!(len, bytes.len());
                            assert_eq!(again, r, "encode then parse changed the response");
                        }
                        Err(_) => {
                            // Only text that looks like a code but is not one.
                            let text = match &r {
                                Response::Status(s) if s.code.is_none() => &s.text,
                                Response::Continuation(c) if c.code.is_none() => &c.text,
                                _ => panic!("{r:?} does not encode"),
                            };
                            assert!(text.starts_with('['));
                        }
                    }
                    out.push(ImapResponseOut::Frame(format!("{r:?}")));
                }
                other => out.push(ImapResponseOut::Frame(format!("{other:?}"))),
            }
        }
        if small && !reader.in_fetch() {
            // Bounded: a line plus the kept literals of one response.
            assert!(
                buf.len() <= 64 + 256 + chunk.len(),
                "buffer grew to {}",
                buf.len()
            );
        }
    }
    out
}

/// IMAP response reader: the same frames whatever the chunking, in
/// streaming and buffered modes; every response read re-encodes; the
/// one-shot parser never panics.
///
/// Input: `[config, cut, cut, data...]`.
pub fn check_imap_response(input: &[u8]) {
    let [config, c1, c2, data @ ..] = input else {
        return;
    };
    let _ = mailwire_imap::types::Response::parse(data);
    let stream = config & 1 != 0;
    let small = config & 2 != 0;
    let whole = read_imap_responses(stream, small, &[data]);
    let pieces = chunks(data, &[*c1, *c2]);
    assert_eq!(
        whole,
        read_imap_responses(stream, small, &pieces),
        "frames depend on the split"
    );
    if data.len() <= 256 {
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        assert_eq!(
            whole,
            read_imap_responses(stream, small, &bytes),
            "byte by byte differs"
        );
    }
}

/// IMAP client machine: queued commands, arbitrary server bytes in
/// chunks. No panic, bounded receive buffer (what `handle_input` takes and
/// each streamed chunk stay under the bound), every command completed
/// exactly once (`Done` or `Aborted`, after end of input at the latest),
/// and, without STARTTLS (whose handshake timing depends on the reads),
/// the same events whatever the chunking.
///
/// Input: `[flags, cut, cut, cut, data...]`; the tag seed is 0.
pub fn check_imap_client(input: &[u8]) {
    let [flags, c1, c2, c3, data @ ..] = input else {
        return;
    };
    let chunked = run_imap_client(*flags, &chunks(data, &[*c1, *c2, *c3]));
    if flags & 0x10 == 0 {
        let whole = run_imap_client(*flags, &[data]);
        assert_eq!(chunked, whole, "events depend on the chunking");
    }
}

/// Runs one IMAP client session; returns its events, literal chunks
/// merged.
fn run_imap_client(flags: u8, pieces: &[&[u8]]) -> Vec<mailwire_imap::client::Event> {
    use mailwire_imap::client::{Client, ClientConfig, CommandId, Event, Sasl};
    use mailwire_imap::types::{FetchAttribute, FetchAttributes, Mailbox, Section, SequenceSet};
    use std::collections::{HashMap, HashSet};
    use std::time::Instant;

    let now = Instant::now();
    let mut config = ClientConfig::new(0);
    if flags & 0x80 != 0 {
        config.max_buffer = 512;
        config.limits.max_line = 256;
        config.limits.max_literal = 128;
        config.limits.max_response = 384;
    }
    let bound = config.max_buffer;
    let mut c = Client::new(config, now);
    let mut issued = HashSet::new();
    let mut queue = |r: Result<CommandId, _>| {
        if let Ok(id) = r {
            issued.insert(id);
        }
    };
    if flags & 1 != 0 {
        let r = c.login("user", "p\u{e4}ss");
        queue(r);
    }
    if flags & 2 != 0 {
        let r = c.authenticate(Sasl::Login {
            username: "u".into(),
            password: "p".into(),
        });
        queue(r);
    }
    if flags & 4 != 0 {
        let r = c.select(Mailbox::Inbox);
        queue(r);
    }
    let r = c.fetch(
        SequenceSet::new("1:*").expect("valid set"),
        FetchAttributes::List(vec![
            FetchAttribute::Uid,
            FetchAttribute::BodySection {
                peek: true,
                section: Section::default(),
                partial: None,
            },
        ]),
        true,
    );
    queue(r);
    if flags & 8 != 0 {
        let r = c.idle();
        queue(r);
    }
    if flags & 0x10 != 0 {
        let r = c.starttls();
        queue(r);
    }
    if flags & 0x20 != 0 {
        let r = c.append(Mailbox::Inbox, &[], None, 9);
        queue(r);
    }
    if flags & 0x40 != 0 {
        let r = c.logout();
        queue(r);
    }
    let r = c.noop();
    queue(r);

    let mut events: Vec<Event> = Vec::new();
    let mut completed: HashMap<CommandId, usize> = HashMap::new();
    let mut out = BytesMut::new();
    let mut drain = |c: &mut Client, events: &mut Vec<Event>, issued: &mut HashSet<CommandId>| {
        while let Some(e) = c.poll_event() {
            match &e {
                Event::Done { id, .. } | Event::Aborted { id } => {
                    assert!(issued.contains(id), "completion for unknown {id:?}");
                    *completed.entry(*id).or_default() += 1;
                }
                Event::Idling { .. } => {
                    let _ = c.idle_done();
                }
                Event::AppendReady { .. } => {
                    let _ = c.append_data(b"Subject: ");
                }
                Event::StartTls => {
                    if let Ok(id) = c.tls_established() {
                        issued.insert(id);
                    }
                }
                Event::FetchChunk(b) => assert!(b.len() <= bound, "chunk over the bound"),
                _ => {}
            }
            if let (Some(Event::FetchChunk(a)), Event::FetchChunk(b)) = (events.last_mut(), &e) {
                let mut v = a.to_vec();
                v.extend_from_slice(b);
                *a = v.into();
                continue;
            }
            events.push(e);
        }
    };
    for piece in pieces {
        let mut rest = *piece;
        while !rest.is_empty() && !c.is_closed() {
            let n = c.handle_input(now, rest);
            assert!(n <= bound, "took more than the buffer bound");
            rest = &rest[n..];
            let before = events.len();
            drain(&mut c, &mut events, &mut issued);
            let _ = c.poll_output(&mut out);
            out.clear();
            assert!(
                n > 0 || events.len() > before || c.is_closed(),
                "no progress"
            );
        }
    }
    c.handle_eof();
    drain(&mut c, &mut events, &mut issued);
    for id in &issued {
        assert_eq!(
            completed.get(id),
            Some(&1),
            "{id:?} not completed exactly once"
        );
    }
    events
}

/// The server's output: every line ends with CRLF, no bare CR or LF
/// outside a literal (a line ending with `{n}` announces n octets).
fn assert_imap_output_well_formed(out: &[u8]) {
    let mut rest = out;
    while !rest.is_empty() {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or_else(|| panic!("output not ending with CRLF: {rest:?}"));
        let line = &rest[..end];
        assert!(
            !line.contains(&b'\r') && !line.contains(&b'\n'),
            "bare CR or LF in {line:?}"
        );
        rest = &rest[end + 2..];
        if let Some(open) = line.iter().rposition(|&b| b == b'{') {
            if line.ends_with(b"}") {
                if let Ok(n) = core::str::from_utf8(&line[open + 1..line.len() - 1])
                    .unwrap_or("x")
                    .parse::<usize>()
                {
                    assert!(rest.len() >= n, "literal cut short");
                    rest = &rest[n..];
                }
            }
        }
    }
}

/// The IMAP server with a fixed scripted application (every command
/// succeeds, FETCH answers with a literal, logins succeed): no panic on
/// any input however chunked, output well formed, input and output
/// bounded.
///
/// Input: `[config, cut, cut, data...]`.
pub fn check_imap_server(input: &[u8]) {
    use bytes::BytesMut;
    use mailwire_imap::server::{Event, Mechanism, Server, ServerConfig};
    use mailwire_imap::types::{CommandBody, StatusKind};
    use std::sync::Arc;
    use std::time::Instant;

    let [config_byte, c1, c2, data @ ..] = input else {
        return;
    };
    let mut config = ServerConfig::default();
    config.limits.max_line = 1024;
    config.limits.max_literal = 2048;
    config.limits.max_command = 8192;
    config.limits.max_append = 1 << 20;
    config.limits.literal_minus = config_byte & 1 != 0;
    config.starttls = config_byte & 2 != 0;
    config.login_requires_tls = config_byte & 4 != 0;
    config.preauth = config_byte & 8 != 0;
    config.max_input = 8192 + 1024;
    config.max_output = 2048;
    if config_byte & 16 != 0 {
        config.sasl = vec![
            Mechanism::Plain,
            Mechanism::Login,
            Mechanism::XOAuth2,
            Mechanism::CramMd5,
        ];
    }
    let max_input = config.max_input;
    let bound = config.max_output + 4 * 1024;
    let now = Instant::now();
    let mut server = Server::new(Arc::new(config), now);
    if config_byte & 32 != 0 {
        server.set_nonce("1896.697170952");
    }
    let mut out = BytesMut::new();
    let drain = |server: &mut Server, out: &mut BytesMut| {
        let n = server.poll_output(out);
        assert!(n <= bound, "output of {n} octets at once");
    };
    let pieces = chunks(data, &[*c1, *c2]);
    for piece in pieces {
        let mut rest = piece;
        let mut stalls = 0;
        while !rest.is_empty() && !server.is_closed() {
            let taken = server.handle_input(now, rest);
            assert!(taken <= rest.len() && taken <= max_input);
            rest = &rest[taken..];
            while let Some(event) = server.poll_event() {
                match event {
                    Event::Command { id, command } => {
                        if matches!(command.body, CommandBody::Fetch { .. }) {
                            let _ = server.send_raw(b"* 1 FETCH (BODY[] {3}\r\na\r\n)\r\n");
                        }
                        let _ = server.complete(id, StatusKind::Ok, None, "done");
                    }
                    Event::Login { id, .. } => {
                        let _ = server.complete(id, StatusKind::Ok, None, "done");
                    }
                    Event::Authenticate { id, .. } => {
                        if config_byte & 64 != 0 && server.reject_xoauth2(id, "{}", "no").is_ok() {
                            continue;
                        }
                        let _ = server.complete(id, StatusKind::Ok, None, "done");
                    }
                    Event::AppendEnd { id } => {
                        let _ = server.complete(id, StatusKind::Ok, None, "done");
                    }
                    Event::AppendStart { id, size, .. } => {
                        if size % 2 == 1 && server.reject_append(id, None, "no").is_ok() {
                            continue;
                        }
                        let _ = server.accept_append(id);
                    }
                    Event::StartTls => server.tls_established(),
                    _ => {}
                }
                drain(&mut server, &mut out);
            }
            drain(&mut server, &mut out);
            if taken == 0 {
                stalls += 1;
                assert!(stalls < 4, "server takes no input and has nothing to do");
            }
        }
    }
    drain(&mut server, &mut out);
    assert_imap_output_well_formed(&out);
}

/// What an IMAP codec decoded from one input, with streamed literal
/// octets joined so that inputs cut differently compare equal.
#[derive(Debug, PartialEq, Eq)]
enum CodecTrace {
    Frame(String),
    Octets(Vec<u8>),
    Error(String),
}

fn push_octets(trace: &mut Vec<CodecTrace>, chunk: &[u8]) {
    if let Some(CodecTrace::Octets(octets)) = trace.last_mut() {
        octets.extend_from_slice(chunk);
    } else {
        trace.push(CodecTrace::Octets(chunk.to_vec()));
    }
}

/// Decodes `pieces` one after the other with the server codec, answering
/// each bad command. A `LiteralAnnounced` frame comes only when the
/// literal's octets have not arrived yet, so it depends on the cutting and
/// is left out of the trace; every literal is accepted (refusing one
/// changes what the following octets mean, and a refusal decided on such
/// a frame would differ between cuttings: the `imap_server` target covers
/// refusals).
fn imap_server_codec_trace(pieces: &[&[u8]]) -> Vec<CodecTrace> {
    use mailwire_imap::codec::{ClientFrame, ServerCodec};
    use tokio_util::codec::{Decoder, Encoder};
    let mut codec = ServerCodec::new();
    let mut buf = BytesMut::new();
    let mut out = BytesMut::new();
    let mut trace = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            match codec.decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(ClientFrame::LiteralChunk(chunk))) => push_octets(&mut trace, &chunk),
                Ok(Some(ClientFrame::LiteralAnnounced { .. })) => {}
                Ok(Some(frame)) => {
                    trace.push(CodecTrace::Frame(format!("{frame:?}")));
                    if let ClientFrame::Failed(rejection) = frame {
                        codec
                            .encode(rejection, &mut out)
                            .expect("a rejection can always be written");
                    }
                }
                Err(error) => {
                    trace.push(CodecTrace::Error(error.to_string()));
                    return trace;
                }
            }
        }
    }
    trace
}

/// Decodes `pieces` one after the other with the client codec.
fn imap_client_codec_trace(pieces: &[&[u8]]) -> Vec<CodecTrace> {
    use mailwire_imap::codec::{ClientCodec, ServerFrame};
    use tokio_util::codec::Decoder;
    let mut codec = ClientCodec::new();
    let mut buf = BytesMut::new();
    let mut trace = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            match codec.decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(ServerFrame::LiteralChunk(chunk))) => push_octets(&mut trace, &chunk),
                Ok(Some(frame)) => trace.push(CodecTrace::Frame(format!("{frame:?}"))),
                Err(error) => {
                    trace.push(CodecTrace::Error(error.to_string()));
                    return trace;
                }
            }
        }
    }
    trace
}

/// The IMAP tokio codecs: whatever arrives, decoding never panics, a bad
/// command is answered and decoding goes on, and the frames (streamed
/// literal octets joined, literal announcements aside) are the same
/// however the input is cut. The first byte picks the side, the next
/// eight the cut points.
pub fn check_imap_codec(input: &[u8]) {
    let Some((&side, rest)) = input.split_first() else {
        return;
    };
    let (cuts, data) = rest.split_at(rest.len().min(8));
    let trace = if side % 2 == 0 {
        imap_server_codec_trace
    } else {
        imap_client_codec_trace
    };
    let whole = trace(&[data]);
    let cut = trace(&chunks(data, cuts));
    assert_eq!(whole, cut, "the frames depend on how the input is cut");
    let bytewise: Vec<&[u8]> = data.chunks(1).collect();
    if data.len() <= 4096 {
        assert_eq!(whole, trace(&bytewise), "octet by octet differs");
    }
}
