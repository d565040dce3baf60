//! The three workloads of the `message` bench, once per library: mailwire
//! (`mailwire-message`), mailparse 0.18 and mail-parser 0.11.
//!
//! This file is compiled twice: into `benches/message.rs` (through
//! `#[path]`) and into this crate's tests, which check that the three
//! libraries see the same parts and decode the same bytes. The peer crates
//! are dev-dependencies only, so the file cannot be an ordinary module of
//! the library.
//!
//! Each function returns a number that depends on everything it read (part
//! counts, lengths), so that the optimiser can drop nothing; the bench also
//! passes it through `black_box`.
//!
//! - **structure**: find the MIME tree and visit every part.
//! - **headers**: structure, plus every header field of every part read as
//!   a typed value: addresses, unstructured text, media types and
//!   dispositions, dates where the library has a date parser.
//! - **full**: structure, plus every leaf part decoded: transfer encoding
//!   removed, and `text/*` converted to UTF-8.
//!
//! `message/rfc822` parts are parsed as messages in all three: mailwire and
//! mail-parser do it themselves; mailparse leaves the body alone, so the
//! mailparse functions call `parse_mail` on it, as its users do.

use std::borrow::Cow;

use mailwire_message::address::{ADDRESS_FIELDS, AddressList};
use mailwire_message::date::DateTime;
use mailwire_message::encoded_word::decode_unstructured;
use mailwire_message::ids::{MessageId, parse_ids};
use mailwire_message::{HeaderField, Message, Part};

// ---------------------------------------------------------------------------
// mailwire
// ---------------------------------------------------------------------------

/// Fields read as RFC 5322 `unstructured` text (RFC 2047 decoded).
const TEXT_FIELDS: [&str; 3] = ["Subject", "Comments", "Content-Description"];

/// Parses `raw` and visits every part; returns the number of parts.
pub(crate) fn mailwire_structure(raw: &[u8]) -> usize {
    let message = Message::parse(raw);
    message.root().walk().count()
}

/// Parses `raw` and reads every header field of every part as a typed
/// value; returns the parts plus the lengths of what was read.
pub(crate) fn mailwire_headers(raw: &[u8]) -> usize {
    let message = Message::parse(raw);
    let mut total = 0;
    for part in message.root().walk() {
        total += 1;
        for field in part.header().fields() {
            total += mailwire_field(part, field);
        }
    }
    total
}

/// One header field read as the typed value the crate offers for it:
/// addresses, unstructured text, dates, message identifiers, media types
/// and dispositions; any other field is unfolded.
fn mailwire_field(part: &Part<'_>, field: &HeaderField<'_>) -> usize {
    let name = field.name();
    if ADDRESS_FIELDS.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        let list = AddressList::parse(field.raw_value());
        let mut n = 0;
        for mailbox in list.mailboxes() {
            n += mailbox.name().map_or(0, |name| name.len());
            n += mailbox.mailbox().local_part().as_str().len();
            n += mailbox.mailbox().domain().as_str().len();
        }
        n
    } else if TEXT_FIELDS.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        decode_unstructured(field.raw_value()).len()
    } else if field.is("Date") || field.is("Resent-Date") {
        DateTime::parse(field.raw_value()).map_or(0, |date| date.unix_timestamp() as usize)
    } else if field.is("Message-ID") || field.is("Content-ID") || field.is("Resent-Message-ID") {
        MessageId::parse(field.raw_value()).map_or(0, |id| id.as_str().len())
    } else if field.is("References") || field.is("In-Reply-To") {
        parse_ids(field.raw_value())
            .iter()
            .map(|id| id.as_str().len())
            .sum()
    } else if field.is("Content-Type") {
        // Parsed with the structure: the part's media type is this field.
        let content_type = part.content_type();
        let params = content_type.params();
        let mut n = content_type.main_type().len() + content_type.subtype().len();
        for param in params.iter() {
            n += params
                .get(param.name())
                .map_or(param.raw_value().len(), |v| v.len());
        }
        n
    } else if field.is("Content-Disposition") {
        let Some(disposition) = part.content_disposition() else {
            return 0;
        };
        let params = disposition.params();
        let mut n = usize::from(disposition.is_attachment());
        for param in params.iter() {
            n += params
                .get(param.name())
                .map_or(param.raw_value().len(), |v| v.len());
        }
        n
    } else {
        field.unfolded().len()
    }
}

/// Parses `raw` and decodes every leaf: `text/*` to UTF-8 with
/// [`Part::text`], anything else with [`Part::decoded_body`]; returns the
/// leaves plus the decoded lengths.
pub(crate) fn mailwire_full(raw: &[u8]) -> usize {
    let message = Message::parse(raw);
    let mut total = 0;
    for leaf in message.root().leaves() {
        total += 1 + mailwire_leaf_len(leaf);
    }
    total
}

pub(crate) fn mailwire_leaf_len(leaf: &Part<'_>) -> usize {
    if leaf.content_type().main_type() == "text" {
        leaf.text().map_or(0, |text| text.len())
    } else {
        leaf.decoded_body().len()
    }
}

// ---------------------------------------------------------------------------
// mailparse
// ---------------------------------------------------------------------------

/// The body of a `message/rfc822` (or `message/global`) part that is not
/// transfer-encoded, which mailwire and mail-parser parse as a message.
fn mailparse_attached<'a>(part: &'a mailparse::ParsedMail<'a>) -> Option<&'a [u8]> {
    use mailparse::body::Body;
    let mimetype = part.ctype.mimetype.as_str();
    if mimetype != "message/rfc822" && mimetype != "message/global" {
        return None;
    }
    match part.get_body_encoded() {
        Body::SevenBit(body) | Body::EightBit(body) => Some(body.get_raw()),
        Body::Binary(body) => Some(body.get_raw()),
        Body::Base64(_) | Body::QuotedPrintable(_) => None,
    }
}

/// Depth-first over `part` and everything inside it, attached messages
/// parsed on the way; calls `visit(part, is_leaf)`.
pub(crate) fn mailparse_walk(
    part: &mailparse::ParsedMail<'_>,
    visit: &mut impl FnMut(&mailparse::ParsedMail<'_>, bool),
) {
    if let Some(body) = mailparse_attached(part) {
        visit(part, false);
        if let Ok(inner) = mailparse::parse_mail(body) {
            mailparse_walk(&inner, visit);
        }
        return;
    }
    visit(part, part.subparts.is_empty());
    for sub in &part.subparts {
        mailparse_walk(sub, visit);
    }
}

/// `parse_mail` and a walk through `subparts`; returns the number of parts.
pub(crate) fn mailparse_structure(raw: &[u8]) -> usize {
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return 0;
    };
    let mut parts = 0;
    mailparse_walk(&mail, &mut |_, _| parts += 1);
    parts
}

/// `parse_mail`, then every header of every part: addresses through
/// `addrparse_header`, dates through `dateparse`, `Content-Type` from the
/// part's parsed `ctype`, `Content-Disposition` through
/// `parse_content_disposition`, everything else through `get_value`
/// (unfolded, RFC 2047 decoded). No body is read.
pub(crate) fn mailparse_headers(raw: &[u8]) -> usize {
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return 0;
    };
    let mut total = 0;
    mailparse_walk(&mail, &mut |part, _| {
        total += 1;
        for header in &part.headers {
            total += mailparse_field(part, header);
        }
    });
    total
}

fn mailparse_field(part: &mailparse::ParsedMail<'_>, header: &mailparse::MailHeader<'_>) -> usize {
    use mailparse::MailAddr;
    let key = header.get_key_ref();
    if ADDRESS_FIELDS.iter().any(|n| n.eq_ignore_ascii_case(&key)) {
        let Ok(list) = mailparse::addrparse_header(header) else {
            return 0;
        };
        let single = |info: &mailparse::SingleInfo| {
            info.display_name.as_ref().map_or(0, String::len) + info.addr.len()
        };
        list.iter()
            .map(|addr| match addr {
                MailAddr::Single(info) => single(info),
                MailAddr::Group(group) => {
                    group.group_name.len() + group.addrs.iter().map(single).sum::<usize>()
                }
            })
            .sum()
    } else if key.eq_ignore_ascii_case("Date") || key.eq_ignore_ascii_case("Resent-Date") {
        mailparse::dateparse(&header.get_value()).map_or(0, |t| t as usize & 0xff)
    } else if [
        "Message-ID",
        "Content-ID",
        "Resent-Message-ID",
        "References",
        "In-Reply-To",
    ]
    .iter()
    .any(|n| n.eq_ignore_ascii_case(&key))
    {
        mailparse::msgidparse(&header.get_value())
            .map_or(0, |ids| ids.iter().map(String::len).sum())
    } else if key.eq_ignore_ascii_case("Content-Type") {
        // Parsed with the structure, like mailwire's.
        let ctype = &part.ctype;
        ctype.mimetype.len()
            + ctype.charset.len()
            + ctype
                .params
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    } else if key.eq_ignore_ascii_case("Content-Disposition") {
        let disposition = mailparse::parse_content_disposition(&header.get_value());
        usize::from(disposition.disposition == mailparse::DispositionType::Attachment)
            + disposition.params.values().map(String::len).sum::<usize>()
    } else {
        header.get_value().len()
    }
}

/// `parse_mail`, then every leaf decoded: `get_body` (charset to UTF-8) for
/// `text/*`, `get_body_raw` otherwise.
pub(crate) fn mailparse_full(raw: &[u8]) -> usize {
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return 0;
    };
    let mut total = 0;
    mailparse_walk(&mail, &mut |part, leaf| {
        if leaf {
            total += 1 + mailparse_leaf_len(part);
        }
    });
    total
}

pub(crate) fn mailparse_leaf_len(part: &mailparse::ParsedMail<'_>) -> usize {
    if part.ctype.mimetype.starts_with("text/") {
        part.get_body().map_or(0, |text| text.len())
    } else {
        part.get_body_raw().map_or(0, |bytes| bytes.len())
    }
}

// ---------------------------------------------------------------------------
// mail-parser
// ---------------------------------------------------------------------------

/// mail-parser configured for the `structure` and `full` workloads: only
/// the MIME fields it needs to find and decode parts are parsed, every
/// other field is skipped (`default_header_ignore`). It still decodes every
/// body while parsing; that is its design and it cannot be switched off.
pub(crate) fn mail_parser_mime_only() -> mail_parser::MessageParser {
    mail_parser::MessageParser::new()
        .with_mime_headers()
        .default_header_ignore()
}

/// mail-parser configured for the `headers` workload: its default, every
/// registered field parsed by its own parser (addresses, dates, message
/// ids, `Received`, ...), other fields kept raw.
pub(crate) fn mail_parser_all_headers() -> mail_parser::MessageParser {
    mail_parser::MessageParser::new()
}

/// Depth-first over the parts of `message`, into attached messages; calls
/// `visit(part, is_leaf)`.
pub(crate) fn mail_parser_walk(
    message: &mail_parser::Message<'_>,
    visit: &mut impl FnMut(&mail_parser::MessagePart<'_>, bool),
) {
    use mail_parser::PartType;
    for part in &message.parts {
        match &part.body {
            PartType::Message(inner) => {
                visit(part, false);
                mail_parser_walk(inner, visit);
            }
            PartType::Multipart(_) => visit(part, false),
            _ => visit(part, true),
        }
    }
}

/// `parser.parse` and a walk through every part; returns the number of
/// parts.
pub(crate) fn mail_parser_structure(parser: &mail_parser::MessageParser, raw: &[u8]) -> usize {
    let Some(message) = parser.parse(raw) else {
        return 0;
    };
    let mut parts = 0;
    mail_parser_walk(&message, &mut |_, _| parts += 1);
    parts
}

/// `parser.parse` (meant for [`mail_parser_all_headers`]), then every
/// header value of every part read.
pub(crate) fn mail_parser_headers(parser: &mail_parser::MessageParser, raw: &[u8]) -> usize {
    let Some(message) = parser.parse(raw) else {
        return 0;
    };
    let mut total = 0;
    mail_parser_walk(&message, &mut |part, _| {
        total += 1;
        for header in &part.headers {
            total += mail_parser_value(header.value());
        }
    });
    total
}

fn mail_parser_value(value: &mail_parser::HeaderValue<'_>) -> usize {
    use mail_parser::{Addr, Address, HeaderValue};
    let addr = |a: &Addr<'_>| {
        a.name.as_ref().map_or(0, |n| n.len()) + a.address.as_ref().map_or(0, |a| a.len())
    };
    let cow = |c: &Option<Cow<'_, str>>| c.as_ref().map_or(0, |c| c.len());
    match value {
        HeaderValue::Address(Address::List(list)) => list.iter().map(addr).sum(),
        HeaderValue::Address(Address::Group(groups)) => groups
            .iter()
            .map(|g| cow(&g.name) + g.addresses.iter().map(addr).sum::<usize>())
            .sum(),
        HeaderValue::Text(text) => text.len(),
        HeaderValue::TextList(list) => list.iter().map(|t| t.len()).sum(),
        HeaderValue::DateTime(date) => date.to_timestamp() as usize & 0xff,
        HeaderValue::ContentType(ct) => {
            ct.c_type.len()
                + cow(&ct.c_subtype)
                + ct.attributes.as_ref().map_or(0, |attributes| {
                    attributes
                        .iter()
                        .map(|a| a.name.len() + a.value.len())
                        .sum()
                })
        }
        HeaderValue::Received(received) => {
            cow(&received.id) + cow(&received.for_) + usize::from(received.from.is_some())
        }
        HeaderValue::Empty => 0,
    }
}

/// `parser.parse` (it decodes every body), then every leaf's decoded
/// contents read.
pub(crate) fn mail_parser_full(parser: &mail_parser::MessageParser, raw: &[u8]) -> usize {
    let Some(message) = parser.parse(raw) else {
        return 0;
    };
    let mut total = 0;
    mail_parser_walk(&message, &mut |part, leaf| {
        if leaf {
            total += 1 + part.contents().len();
        }
    });
    total
}
