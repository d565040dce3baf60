//! The three libraries of the `message` bench agree on the generated
//! inputs: the same leaf parts, the same decoded sizes, and the same part
//! counts. A bench comparing parsers that saw different messages would
//! compare nothing.

use crate::message_inputs::{self, ATTACHMENT_SIZE, MULTIPART_PARTS};
use mailwire_message::Message;

use crate::message_workloads::*;

#[test]
fn same_leaves_and_decoded_sizes() {
    for input in message_inputs::generated() {
        for raw in &input.messages {
            let [ours, mailparse, mail_parser] = leaf_sizes(raw);
            assert_eq!(ours, mailparse, "{}: mailwire vs mailparse", input.name);
            assert_eq!(ours, mail_parser, "{}: mailwire vs mail-parser", input.name);
        }
    }
}

#[test]
fn same_part_counts() {
    let mime_only = mail_parser_mime_only();
    for input in message_inputs::generated() {
        for raw in &input.messages {
            let ours = mailwire_structure(raw);
            assert_eq!(ours, mailparse_structure(raw), "{}", input.name);
            assert_eq!(
                ours,
                mail_parser_structure(&mime_only, raw),
                "{}",
                input.name
            );
        }
    }
}

#[test]
fn generated_shapes() {
    let [leaves, ..] = leaf_sizes(&message_inputs::attachment_1mib());
    assert_eq!(leaves.len(), 2);
    assert_eq!(leaves[1], ATTACHMENT_SIZE);

    // root, 50 parts, the text and HTML of 10 alternatives, the messages
    // inside the 10 message/rfc822 parts.
    let raw = message_inputs::multipart_50();
    assert_eq!(mailwire_structure(&raw), 1 + MULTIPART_PARTS + 20 + 10);
    let [leaves, ..] = leaf_sizes(&raw);
    assert_eq!(leaves.len(), MULTIPART_PARTS - 10 + 20);

    let [leaves, ..] = leaf_sizes(&message_inputs::received_200());
    assert_eq!(leaves.len(), 1);
}

#[test]
fn every_workload_reads_something() {
    let all_headers = mail_parser_all_headers();
    let mime_only = mail_parser_mime_only();
    for input in message_inputs::generated() {
        for raw in &input.messages {
            assert!(mailwire_headers(raw) > mailwire_structure(raw));
            assert!(mailparse_headers(raw) > mailparse_structure(raw));
            assert!(
                mail_parser_headers(&all_headers, raw) > mail_parser_structure(&mime_only, raw)
            );
            assert!(mailwire_full(raw) > 100 + mailwire_structure(raw));
            assert!(mailparse_full(raw) > 100 + mailparse_structure(raw));
            assert!(
                mail_parser_full(&mime_only, raw) > 100 + mail_parser_structure(&mime_only, raw)
            );
        }
    }
}

/// The decoded sizes of every leaf, per library, in document order; for
/// the tests.
fn leaf_sizes(raw: &[u8]) -> [Vec<usize>; 3] {
    let message = Message::parse(raw);
    let ours = message.root().leaves().map(mailwire_leaf_len).collect();
    let mut mailparse = Vec::new();
    let mail = mailparse::parse_mail(raw).expect("mailparse parses it");
    mailparse_walk(&mail, &mut |part, leaf| {
        if leaf {
            mailparse.push(mailparse_leaf_len(part));
        }
    });
    let mut mail_parser = Vec::new();
    let message = mail_parser_mime_only()
        .parse(raw)
        .expect("mail-parser parses it");
    mail_parser_walk(&message, &mut |part, leaf| {
        if leaf {
            mail_parser.push(part.contents().len());
        }
    });
    [ours, mailparse, mail_parser]
}

/// The corpus, when present, goes through every workload of every library
/// without a panic (its messages are often malformed on purpose, so the
/// libraries legitimately disagree on them; nothing else is compared).
#[test]
fn corpus_goes_through_every_workload() {
    let Some(corpus) = message_inputs::corpus() else {
        return;
    };
    let all_headers = mail_parser_all_headers();
    let mime_only = mail_parser_mime_only();
    for raw in &corpus.messages {
        assert!(mailwire_structure(raw) > 0);
        let _ = mailwire_headers(raw) + mailwire_full(raw);
        let _ = mailparse_structure(raw) + mailparse_headers(raw) + mailparse_full(raw);
        let _ = mail_parser_structure(&mime_only, raw)
            + mail_parser_headers(&all_headers, raw)
            + mail_parser_full(&mime_only, raw);
    }
}
