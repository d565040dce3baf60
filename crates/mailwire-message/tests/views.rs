//! The client views of RFC 8621 section 4.1.4: text body, HTML body and
//! attachments.

use mailwire_message::{Message, Part};

/// Each list as the bodies of its parts.
fn lists(raw: &str) -> [Vec<String>; 3] {
    let message = Message::parse(raw.as_bytes());
    let names = |parts: &[&Part<'_>]| {
        parts
            .iter()
            .map(|p| String::from_utf8_lossy(p.body()).into_owned())
            .collect()
    };
    let body = message.body_parts();
    [
        names(&body.text),
        names(&body.html),
        names(&body.attachments),
    ]
}

fn multipart(subtype: &str, boundary: &str, parts: &[&str]) -> String {
    let mut out = format!("Content-Type: multipart/{subtype}; boundary={boundary}\r\n\r\n");
    for part in parts {
        out.push_str(&format!("--{boundary}\r\n{part}\r\n"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

const PLAIN: &str = "Content-Type: text/plain\r\n\r\nplain";
const HTML: &str = "Content-Type: text/html\r\n\r\nhtml";
const IMAGE: &str = "Content-Type: image/png\r\n\r\nimage";
const PDF: &str = "Content-Type: application/pdf; name=a.pdf\r\n\r\npdf";

#[test]
fn a_single_text_part_is_both_bodies() {
    assert_eq!(
        lists(PLAIN),
        [vec!["plain"], vec!["plain"], Vec::<&str>::new()]
    );
}

#[test]
fn alternative_splits_plain_and_html() {
    let raw = multipart("alternative", "a", &[PLAIN, HTML]);
    assert_eq!(lists(&raw), [vec!["plain"], vec!["html"], vec![]]);
}

#[test]
fn a_missing_alternative_is_stood_in_for() {
    let raw = multipart("alternative", "a", &[HTML]);
    assert_eq!(lists(&raw), [vec!["html"], vec!["html"], vec![]]);
}

#[test]
fn mixed_with_inline_image_and_attachment() {
    let raw = multipart("mixed", "m", &[PLAIN, IMAGE, PDF]);
    assert_eq!(
        lists(&raw),
        [vec!["plain", "image"], vec!["plain", "image"], vec!["pdf"]]
    );
}

#[test]
fn related_inside_alternative() {
    let related = multipart("related", "r", &[HTML, IMAGE]);
    let related = related.trim_end_matches("\r\n");
    let raw = multipart("alternative", "a", &[PLAIN, related]);
    // Only the first part of multipart/related is a body part.
    assert_eq!(lists(&raw), [vec!["plain"], vec!["html"], vec!["image"]]);
}

#[test]
fn inline_image_inside_an_alternative_branch_is_also_an_attachment() {
    let mixed = multipart("mixed", "m", &[HTML, IMAGE]);
    let raw = multipart("alternative", "a", &[PLAIN, mixed.trim_end_matches("\r\n")]);
    // The html branch turns the text list off for its later parts, so the
    // image is in the HTML body and, for text readers, an attachment.
    assert_eq!(
        lists(&raw),
        [vec!["plain"], vec!["html", "image"], vec!["image"]]
    );
}

#[test]
fn dispositions_and_file_names_decide() {
    let attached_text = "Content-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\nnotes";
    let named_text = "Content-Type: text/plain; name=log.txt\r\n\r\nlog";
    let message = "Content-Type: message/rfc822\r\n\r\nSubject: fwd\r\n\r\nforwarded";
    let raw = multipart("mixed", "m", &[PLAIN, attached_text, named_text, message]);
    let [text, html, attachments] = lists(&raw);
    assert_eq!(text, ["plain"]);
    assert_eq!(html, ["plain"]);
    assert_eq!(
        attachments,
        ["notes", "log", "Subject: fwd\r\n\r\nforwarded"]
    );
}

#[test]
fn text_and_html_bodies_as_strings() {
    let raw = multipart(
        "alternative",
        "a",
        &[
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9",
            HTML,
        ],
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(message.text_body().as_deref(), Some("Caf\u{e9}"));
    assert_eq!(message.html_body().as_deref(), Some("html"));
    assert!(message.attachments().is_empty());
    assert_eq!(Message::parse(IMAGE.as_bytes()).text_body(), None);
}
