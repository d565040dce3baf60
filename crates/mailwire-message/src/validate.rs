//! The checks a lazy parse skips, for [`Message::validate`](crate::Message::validate):
//! every structured field the crate knows, parsed with its defects recorded.

use crate::address::AddressList;
use crate::date::DateTime;
use crate::ids::{MessageId, parse_ids_with_defects};
use crate::params::{ContentDisposition, ContentType};
use crate::{Defect, Header, encoded_word};

/// Fields holding an address list (RFC 5322 sections 3.6.2, 3.6.3, 3.6.6).
const ADDRESS_FIELDS: &[&str] = &[
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Resent-From",
    "Resent-Sender",
    "Resent-To",
    "Resent-Cc",
    "Resent-Bcc",
];

/// Fields holding `unstructured` text (RFC 5322 section 3.6.5).
const TEXT_FIELDS: &[&str] = &["Subject", "Comments", "Content-Description"];

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
        }
    }
}
