//! Dates (RFC 5322 sections 3.3 and 4.3) and message identifiers (3.6.4,
//! 4.5.4).

use mailwire_message::date::DateTime;
use mailwire_message::ids::{MessageId, parse_ids, parse_ids_with_defects};
use mailwire_message::{DefectKind, Message};
use proptest::prelude::*;

fn rfc3339(raw: &str) -> Option<String> {
    DateTime::parse(raw.as_bytes()).map(|d| d.to_rfc3339())
}

fn kinds(raw: &str) -> Vec<DefectKind> {
    let mut defects = Vec::new();
    let _ = DateTime::parse_with_defects(raw.as_bytes(), 0, &mut defects);
    defects.iter().map(|d| d.kind()).collect()
}

#[test]
fn rfc5322_appendix_a_dates() {
    // A.1.1, A.5 (comments and folding), A.6.2 (obsolete).
    assert_eq!(
        rfc3339(" Fri, 21 Nov 1997 09:55:06 -0600"),
        Some("1997-11-21T09:55:06-06:00".into())
    );
    let a5 = concat!(
        " Thu,\r\n",
        "      13\r\n",
        "        Feb\r\n",
        "          1969\r\n",
        "      23:32\r\n",
        "               -0330 (Newfoundland Time)"
    );
    assert_eq!(rfc3339(a5), Some("1969-02-13T23:32:00-03:30".into()));
    assert!(kinds(a5).is_empty());
    assert_eq!(
        rfc3339(" 21 Nov 97 09:55:06 GMT"),
        Some("1997-11-21T09:55:06+00:00".into())
    );
    assert_eq!(
        kinds(" 21 Nov 97 09:55:06 GMT"),
        [DefectKind::ObsoleteDate; 2]
    );
    // A.6.3: comments inside the time.
    assert_eq!(
        rfc3339(" Fri, 21 Nov 1997 09(comment):   55  :  06 -0600"),
        Some("1997-11-21T09:55:06-06:00".into())
    );
}

#[test]
fn obsolete_forms() {
    for (raw, expected) in [
        ("1 Jan 49 00:00 +0000", "2049-01-01T00:00:00+00:00"),
        ("1 Jan 50 00:00 +0000", "1950-01-01T00:00:00+00:00"),
        ("1 Jan 103 00:00 +0000", "2003-01-01T00:00:00+00:00"),
        ("1 Jan 2003 00:00 EST", "2003-01-01T00:00:00-05:00"),
        ("1 Jan 2003 00:00 pdt", "2003-01-01T00:00:00-07:00"),
        ("1 Jan 2003 00:00 UT", "2003-01-01T00:00:00+00:00"),
        // Military zones are an unknown offset (section 4.3).
        ("1 Jan 2003 00:00 Z", "2003-01-01T00:00:00-00:00"),
        ("1 Jan 2003 00:00 a", "2003-01-01T00:00:00-00:00"),
        // -0000: UTC, local offset unknown.
        ("1 Jan 2003 00:00 -0000", "2003-01-01T00:00:00-00:00"),
    ] {
        assert_eq!(rfc3339(raw).as_deref(), Some(expected), "{raw}");
    }
}

#[test]
fn lenient_but_never_wrong() {
    // Full names, any case, no comma, no seconds.
    assert_eq!(
        rfc3339("tuesday 1 JULY 2003 10:52 +0200"),
        Some("2003-07-01T10:52:00+02:00".into())
    );
    // Unknown zones and no zone: the time with an unknown offset.
    for raw in [
        "Tue, 4 Mar 2003 12:00:00 EST5EDT",
        "Tue, 4 Mar 2003 12:00:00 CEST",
        "Tue, 4 Mar 2003 12:00:00 J",
        "Tue, 4 Mar 2003 12:00:00",
    ] {
        assert_eq!(
            rfc3339(raw).as_deref(),
            Some("2003-03-04T12:00:00-00:00"),
            "{raw}"
        );
        assert_eq!(kinds(raw), [DefectKind::NonStandardDate], "{raw}");
    }
    // Nonsense: no date at all.
    for raw in [
        "",
        "yesterday",
        "32 Jan 2024 00:00 +0000",
        "29 Feb 2023 00:00 +0000",
        "1 Jan 2024 24:00 +0000",
        "1 Jan 2024 12:60 +0000",
        "1 Jan 2024 12:00 +2500",
        "1 Jan 2024 12:00 +0000 and more",
        "1 Foo 2024 12:00 +0000",
        "2024-01-01T12:00:00Z",
    ] {
        assert_eq!(rfc3339(raw), None, "{raw}");
        assert_eq!(kinds(raw), [DefectKind::InvalidDate], "{raw}");
    }
    // A wrong day name keeps the date and says so.
    assert_eq!(
        rfc3339("Mon, 1 Jul 2003 10:52:37 +0200"),
        Some("2003-07-01T10:52:37+02:00".into())
    );
    assert_eq!(
        kinds("Mon, 1 Jul 2003 10:52:37 +0200"),
        [DefectKind::DayOfWeekMismatch]
    );
}

#[test]
fn hostile_dates_are_linear() {
    let nested = "(".repeat(100_000);
    assert_eq!(DateTime::parse(nested.as_bytes()), None);
    let spaces = " ".repeat(1 << 20);
    assert_eq!(DateTime::parse(spaces.as_bytes()), None);
}

#[test]
fn message_ids() {
    let id = MessageId::parse(b" <1234   @   local(blah)  .machine .example>").unwrap();
    assert_eq!(id.as_str(), "1234@local.machine.example");
    assert_eq!(MessageId::parse(b"<1234>").unwrap().right(), None);
    assert_eq!(MessageId::parse(b"<>"), None);
    assert_eq!(MessageId::parse(b"<unclosed@x"), None);
    assert_eq!(MessageId::parse(b"two words"), None);
    assert_eq!(
        MessageId::parse(b"<[literal]@[127.0.0.1]>")
            .unwrap()
            .right(),
        Some("[127.0.0.1]")
    );
    // A.2: In-Reply-To and References.
    let refs = parse_ids(b" <1234@local.machine.example>\r\n <3456@example.net>");
    let refs: Vec<_> = refs.iter().map(MessageId::as_str).collect();
    assert_eq!(refs, ["1234@local.machine.example", "3456@example.net"]);
    let mut defects = Vec::new();
    let ids = parse_ids_with_defects(b"Your note <a@b> of today", 5, &mut defects);
    assert_eq!(ids.len(), 1);
    assert!(defects.is_empty());
}

#[test]
fn header_accessors() {
    let raw = concat!(
        "Date: Fri, 21 Nov 1997 10:01:10 -0600\r\n",
        "Message-ID: <3456@example.net>\r\n",
        "In-Reply-To: <1234@local.machine.example>\r\n",
        "References: <1234@local.machine.example>\r\n",
        "Resent-Date: Mon, 24 Nov 1997 14:22:01 -0800\r\n",
        "Resent-Message-ID: <78910@example.net>\r\n",
        "Content-ID: <part1@example.net>\r\n",
        "\r\n",
    );
    let message = Message::parse(raw.as_bytes());
    let header = message.header();
    assert_eq!(header.date().unwrap().unix_timestamp(), 880_128_070);
    assert_eq!(header.message_id().unwrap().as_str(), "3456@example.net");
    assert_eq!(header.in_reply_to().len(), 1);
    assert_eq!(header.references()[0].left(), "1234");
    assert_eq!(header.resent_date().unwrap().offset_minutes(), -480);
    assert_eq!(
        header.resent_message_id().unwrap().as_str(),
        "78910@example.net"
    );
    assert_eq!(header.content_id().unwrap().as_str(), "part1@example.net");
    assert!(message.validate().is_empty());
}

proptest! {
    #[test]
    fn written_dates_parse_back(secs in -2_208_988_800i64..253_402_300_799, offset in -1439i32..1440) {
        let date = DateTime::from_unix(secs, offset).unwrap();
        prop_assert_eq!(date.unix_timestamp(), secs);
        let written = date.to_string();
        let parsed = DateTime::parse(written.as_bytes()).unwrap();
        prop_assert_eq!(parsed, date);
        let mut defects = Vec::new();
        let _ = DateTime::parse_with_defects(written.as_bytes(), 0, &mut defects);
        prop_assert!(defects.is_empty(), "{}: {:?}", written, defects);
    }

    #[test]
    fn any_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..200), base in 0usize..1000) {
        let mut defects = Vec::new();
        let _ = DateTime::parse_with_defects(&raw, base, &mut defects);
        let _ = MessageId::parse_with_defects(&raw, base, &mut defects);
        let _ = parse_ids_with_defects(&raw, base, &mut defects);
        for defect in defects {
            prop_assert!(defect.offset() >= base && defect.offset() <= base + raw.len());
        }
    }
}
