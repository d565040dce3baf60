//! The checks a lazy parse skips, for [`Message::validate`](crate::Message::validate):
//! every structured field the crate knows, parsed with its defects recorded.

use crate::address::{ADDRESS_FIELDS, AddressList};
use crate::date::DateTime;
use crate::ids::{MessageId, parse_ids_with_defects};
use crate::list::{ListId, ListPost, parse_list_urls_with_defects};
use crate::params::{ContentDisposition, ContentType};
use crate::received::{Received, ReturnPath};
use crate::{Defect, Header, encoded_word};

/// Fields holding `unstructured` text (RFC 5322 section 3.6.5).
const TEXT_FIELDS: &[&str] = &["Subject", "Comments", "Content-Description"];

/// RFC 2369 fields holding a list of URLs (`List-Post` is apart: it may
/// be `NO`).
const LIST_URL_FIELDS: &[&str] = &[
    "List-Help",
    "List-Unsubscribe",
    "List-Subscribe",
    "List-Owner",
    "List-Archive",
];

/// Parses every known structured field of `header`, recording defects.
pub(crate) fn fields(header: &Header<'_>, defects: &mut Vec<Defect>) {
    for field in header.fields() {
        let (raw, at) = (field.raw_value(), field.value_offset());
        let name = field.name();
        if ADDRESS_FIELDS.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            let _ = AddressList::parse_with_defects(raw, at, defects);
        } else if TEXT_FIELDS.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            let _ = encoded_word::decode_unstructured_with_defects(raw, at, defects);
        } else if name.eq_ignore_ascii_case("Date") || name.eq_ignore_ascii_case("Resent-Date") {
            let _ = DateTime::parse_with_defects(raw, at, defects);
        } else if ["Message-ID", "Resent-Message-ID", "Content-ID"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            let _ = MessageId::parse_with_defects(raw, at, defects);
        } else if name.eq_ignore_ascii_case("References")
            || name.eq_ignore_ascii_case("In-Reply-To")
        {
            let _ = parse_ids_with_defects(raw, at, defects);
        } else if name.eq_ignore_ascii_case("Content-Type") {
            let _ = ContentType::parse_with_defects(raw, at, defects);
        } else if name.eq_ignore_ascii_case("Content-Disposition") {
            let _ = ContentDisposition::parse_with_defects(raw, at, defects);
        } else if name.eq_ignore_ascii_case("Received") {
            let _ = Received::parse_with_defects(raw, at, defects);
        } else if name.eq_ignore_ascii_case("Return-Path") {
            let _ = ReturnPath::parse_with_defects(raw, at, defects);
        } else if name.eq_ignore_ascii_case("List-Id") {
            if let Some(id) = ListId::parse_with_defects(raw, at, defects) {
                let _ = encoded_word::decode_phrase_with_defects(id.raw_description(), at, defects);
            }
        } else if name.eq_ignore_ascii_case("List-Post") {
            let _ = ListPost::parse_with_defects(raw, at, defects);
        } else if LIST_URL_FIELDS.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            let _ = parse_list_urls_with_defects(raw, at, defects);
        }
    }
}
