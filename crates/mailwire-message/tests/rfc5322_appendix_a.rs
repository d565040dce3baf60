//! The example messages of RFC 5322 Appendix A (files 01-12 of the corpus),
//! read through the typed accessors.

use mailwire_message::{DefectKind, Message};

fn corpus(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

/// Every mailbox of a field as `(name, address)`.
fn mailboxes(message: &Message<'_>, field: &str) -> Vec<(Option<String>, String)> {
    message
        .header()
        .addresses(field)
        .map(|list| {
            list.mailboxes()
                .map(|m| (m.name().map(|n| n.into_owned()), m.mailbox().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn named(name: &str, address: &str) -> (Option<String>, String) {
    (Some(name.to_owned()), address.to_owned())
}

fn bare(address: &str) -> (Option<String>, String) {
    (None, address.to_owned())
}

#[test]
fn a1_2_different_types_of_mailboxes() {
    let raw = corpus("03-rfc5322-a1-2-mailbox-types.eml");
    let message = Message::parse(&raw);
    assert_eq!(
        mailboxes(&message, "From"),
        [named("Joe Q. Public", "john.q.public@example.com")]
    );
    assert_eq!(
        mailboxes(&message, "To"),
        [
            named("Mary Smith", "mary@x.test"),
            bare("jdoe@example.org"),
            named("Who?", "one@y.test")
        ]
    );
    assert_eq!(
        mailboxes(&message, "Cc"),
        [
            bare("boss@nil.test"),
            named("Giant; \"Big\" Box", "sysservices@example.net")
        ]
    );
    assert_eq!(
        message.header().message_id().unwrap().as_str(),
        "5678.21-Nov-1997@example.com"
    );
    assert!(message.validate().is_empty(), "{:?}", message.validate());
}

#[test]
fn a1_3_group_addresses() {
    let raw = corpus("04-rfc5322-a1-3-group.eml");
    let message = Message::parse(&raw);
    let to = message.header().to().unwrap();
    assert_eq!(to.len(), 1);
    assert_eq!(
        mailboxes(&message, "To"),
        [
            named("Ed Jones", "c@a.test"),
            bare("joe@where.test"),
            named("John", "jdoe@one.test")
        ]
    );
    assert!(mailboxes(&message, "Cc").is_empty());
    assert_eq!(
        message.header().cc().unwrap().len(),
        1,
        "the empty group is kept"
    );
    assert_eq!(
        message.header().date().unwrap().to_rfc3339(),
        "1969-02-13T23:32:54-03:30"
    );
    assert!(message.validate().is_empty());
}

#[test]
fn a3_resent_fields() {
    let raw = corpus("07-rfc5322-a3-resent.eml");
    let message = Message::parse(&raw);
    let header = message.header();
    assert_eq!(
        mailboxes(&message, "Resent-From"),
        [named("Mary Smith", "mary@example.net")]
    );
    assert_eq!(
        mailboxes(&message, "Resent-To"),
        [named("Jane Brown", "j-brown@other.example")]
    );
    assert_eq!(
        header.resent_date().unwrap().to_rfc3339(),
        "1997-11-24T14:22:01-08:00"
    );
    assert_eq!(
        header.resent_message_id().unwrap().as_str(),
        "78910@example.net"
    );
    assert_eq!(
        header.message_id().unwrap().as_str(),
        "1234@local.machine.example"
    );
    assert!(message.validate().is_empty());
}

#[test]
fn a5_white_space_comments_and_other_oddities() {
    let raw = corpus("09-rfc5322-a5-whitespace-comments.eml");
    let message = Message::parse(&raw);
    assert_eq!(
        mailboxes(&message, "From"),
        [named("Pete", "pete@silly.test")]
    );
    assert_eq!(
        mailboxes(&message, "To"),
        [
            named("Chris Jones", "c@public.example"),
            bare("joe@example.org"),
            named("John", "jdoe@one.test")
        ]
    );
    let cc = message.header().cc().unwrap();
    assert_eq!((cc.len(), cc.mailboxes().count()), (1, 0));
    assert_eq!(
        message.header().date().unwrap().to_rfc3339(),
        "1969-02-13T23:32:00-03:30"
    );
    assert_eq!(
        message.header().message_id().unwrap().as_str(),
        "testabcd.1234@silly.test"
    );
}

#[test]
fn a6_1_obsolete_addressing() {
    let raw = corpus("10-rfc5322-a6-1-obsolete-addressing.eml");
    let message = Message::parse(&raw);
    assert_eq!(
        mailboxes(&message, "From"),
        [named("Joe Q. Public", "john.q.public@example.com")]
    );
    // The source route is dropped, the empty element skipped, and the
    // white space inside the addr-spec removed (RFC 5322 4.4).
    assert_eq!(
        mailboxes(&message, "To"),
        [
            named("Mary Smith", "mary@example.net"),
            bare("jdoe@test.example")
        ]
    );
}

#[test]
fn a6_2_obsolete_dates() {
    let raw = corpus("11-rfc5322-a6-2-obsolete-date.eml");
    let message = Message::parse(&raw);
    assert_eq!(
        message.header().date().unwrap().to_rfc3339(),
        "1997-11-21T09:55:06+00:00"
    );
    let kinds: Vec<_> = message.validate().iter().map(|d| d.kind()).collect();
    assert!(kinds.contains(&DefectKind::ObsoleteDate), "{kinds:?}");
}

#[test]
fn a6_3_obsolete_white_space_and_comments() {
    let raw = corpus("12-rfc5322-a6-3-obsolete-whitespace.eml");
    let message = Message::parse(&raw);
    let header = message.header();
    assert_eq!(message.subject().as_deref(), Some("Saying Hello"));
    assert_eq!(
        mailboxes(&message, "From"),
        [named("John Doe", "jdoe@machine.example")]
    );
    assert_eq!(
        mailboxes(&message, "To"),
        [named("Mary Smith", "mary@example.net")]
    );
    assert_eq!(
        header.date().unwrap().to_rfc3339(),
        "1997-11-21T09:55:06-06:00"
    );
    assert_eq!(
        header.message_id().unwrap().as_str(),
        "1234@local.machine.example"
    );
    assert_eq!(
        message.body(),
        b"This is a message just to say hello.\r\nSo, \"Hello\".\r\n"
    );
    // Obsolete, so recorded: white space before the colons.
    let kinds: Vec<_> = message.defects().iter().map(|d| d.kind()).collect();
    assert!(kinds.contains(&DefectKind::SpaceBeforeColon), "{kinds:?}");
    assert!(Message::parse_strict(&raw).is_err());
}

#[test]
fn every_appendix_message_writes_back_unchanged() {
    for n in 1..=12 {
        let dir = format!("{}/tests/corpus", env!("CARGO_MANIFEST_DIR"));
        let name = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|f| f.starts_with(&format!("{n:02}-")))
            .unwrap();
        let raw = corpus(&name);
        let mut out = Vec::new();
        Message::parse(&raw).write_to(&mut out).unwrap();
        assert_eq!(out, raw, "{name}");
    }
}
