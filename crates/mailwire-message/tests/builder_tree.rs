//! Built messages read back through the MIME tree: parse(build(x)) keeps
//! every field, every body and the shape a mail client expects.

use mailwire_message::builder::MessageBuilder;
use mailwire_message::date::DateTime;
use mailwire_message::{Content, Message};
use proptest::prelude::*;

/// What a generated message holds.
#[derive(Debug, Clone)]
struct Input {
    subject: String,
    text: String,
    html: Option<String>,
    attachments: Vec<(String, Vec<u8>)>,
    inline_image: Option<Vec<u8>>,
    forwarded: bool,
    secs: i64,
    offset: i32,
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 \u{e9}\u{4e2d}=?._-]{0,40}(\n[a-z \u{fc}]{0,90}){0,4}"
}

fn input() -> impl Strategy<Value = Input> {
    (
        "\\PC{0,60}",
        text(),
        proptest::option::of(text()),
        proptest::collection::vec(
            (
                "[a-zA-Z0-9 \u{e9}\u{20ac}._-]{1,60}",
                proptest::collection::vec(any::<u8>(), 0..300),
            ),
            0..3,
        ),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 1..100)),
        any::<bool>(),
        0i64..4_000_000_000,
        -720i32..840,
    )
        .prop_map(
            |(subject, text, html, attachments, inline_image, forwarded, secs, offset)| Input {
                subject,
                text,
                html,
                attachments,
                inline_image,
                forwarded,
                secs,
                offset,
            },
        )
}

const FORWARDED: &[u8] = b"From: a@example.org\r\nSubject: inner\r\nDate: Fri, 21 Nov 1997 09:55:06 -0600\r\n\r\nforwarded body\r\n";

fn build(input: &Input) -> Vec<u8> {
    let date = DateTime::from_unix(input.secs, input.offset).unwrap();
    let mut builder = MessageBuilder::new()
        .from(("Zo\u{eb}", "zoe@example.org"))
        .to("ann@example.net")
        .subject(input.subject.clone())
        .date(date)
        .message_id("gen.1@example.org")
        .text_body(input.text.clone());
    if let Some(html) = &input.html {
        builder = builder.html_body(html.clone());
    }
    if let Some(image) = &input.inline_image {
        builder = builder.inline("image/png", "img1@example.org", image.clone());
    }
    for (name, data) in &input.attachments {
        builder = builder.attachment("application/octet-stream", name.clone(), data.clone());
    }
    if input.forwarded {
        builder = builder.attach_message(FORWARDED.to_vec());
    }
    builder.build().unwrap()
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

proptest! {
    #[test]
    fn built_messages_parse_back(input in input()) {
        let bytes = build(&input);
        let message = Message::parse(&bytes);
        prop_assert!(message.validate().is_empty(), "{:?}", message.validate());
        let header = message.header();
        prop_assert_eq!(message.subject().map(|s| s.into_owned()), Some(input.subject.clone()));
        prop_assert_eq!(header.date(), DateTime::from_unix(input.secs, input.offset));
        prop_assert_eq!(header.message_id().unwrap().as_str().to_owned(), "gen.1@example.org");

        let body = message.body_parts();
        let text = body.text.iter().find(|p| p.content_type().is("text", "plain")).unwrap();
        prop_assert_eq!(text.text().unwrap().into_owned(), crlf(&input.text));
        if let Some(html) = &input.html {
            let part = body.html.iter().find(|p| p.content_type().is("text", "html")).unwrap();
            prop_assert_eq!(part.text().unwrap().into_owned(), crlf(html));
        }
        if let Some(image) = &input.inline_image {
            let part = message
                .root()
                .leaves()
                .find(|p| p.content_type().is("image", "png"))
                .unwrap();
            prop_assert_eq!(&*part.decoded_body(), image.as_slice());
            prop_assert_eq!(part.header().content_id().unwrap().as_str().to_owned(), "img1@example.org");
        }
        let files: Vec<_> = body
            .attachments
            .iter()
            .filter(|p| p.content_type().is("application", "octet-stream"))
            .map(|p| (p.filename().unwrap().into_owned(), p.decoded_body().into_owned()))
            .collect();
        let expected: Vec<_> = input
            .attachments
            .iter()
            .map(|(name, data)| (name.clone(), data.clone()))
            .collect();
        prop_assert_eq!(files, expected);
        let forwarded = message
            .root()
            .walk()
            .find_map(|p| match p.content() {
                Content::Message(inner) => Some(inner),
                _ => None,
            });
        prop_assert_eq!(forwarded.is_some(), input.forwarded);
        if let Some(inner) = forwarded {
            prop_assert_eq!(inner.header().subject().map(|s| s.into_owned()), Some("inner".to_owned()));
            prop_assert_eq!(inner.raw(), FORWARDED);
        }
        // Written back unchanged, and every line CRLF-ended and short.
        prop_assert_eq!(message.raw(), bytes.as_slice());
        for line in bytes.split(|&b| b == b'\n') {
            prop_assert!(line.len() <= 999);
        }
    }
}
