//! Address lists: RFC 5322 appendix A examples, malformed input with defect
//! offsets, property tests.

use mailwire_message::address::{Address, AddressList, Group, parse_address_list};
use mailwire_message::{Defect, DefectKind};
use proptest::prelude::*;

fn parse(raw: &[u8]) -> (AddressList<'_>, Vec<Defect>) {
    let mut defects = Vec::new();
    let list = parse_address_list(raw, 0, &mut defects);
    (list, defects)
}

/// Parses an input that must have no defects; returns `(name, address)`
/// for every mailbox, groups flattened.
fn clean(raw: &str) -> Vec<(Option<String>, String)> {
    let (list, defects) = parse(raw.as_bytes());
    assert!(defects.is_empty(), "{raw:?}: {defects:?}");
    pairs(&list)
}

fn pairs(list: &AddressList<'_>) -> Vec<(Option<String>, String)> {
    list.mailboxes()
        .map(|m| (m.name().map(|n| n.into_owned()), m.mailbox().to_string()))
        .collect()
}

fn addrs(list: &AddressList<'_>) -> Vec<String> {
    list.mailboxes().map(|m| m.mailbox().to_string()).collect()
}

fn p(name: Option<&str>, addr: &str) -> (Option<String>, String) {
    (name.map(str::to_owned), addr.to_owned())
}

fn group<'l, 'a>(address: &'l Address<'a>) -> &'l Group<'a> {
    match address {
        Address::Group(g) => g,
        Address::Mailbox(m) => panic!("expected a group, got {m}"),
    }
}

fn invalid_at(offsets: &[usize]) -> Vec<Defect> {
    offsets
        .iter()
        .map(|&o| Defect::new(o, DefectKind::InvalidAddress))
        .collect()
}

// ---- RFC 5322 appendix A ----

#[test]
fn a_1_1_addressing() {
    assert_eq!(
        clean(" John Doe <jdoe@machine.example>"),
        [p(Some("John Doe"), "jdoe@machine.example")]
    );
    assert_eq!(
        clean(" Mary Smith <mary@example.net>"),
        [p(Some("Mary Smith"), "mary@example.net")]
    );
}

#[test]
fn a_1_2_different_types_of_mailboxes() {
    assert_eq!(
        clean(" \"Joe Q. Public\" <john.q.public@example.com>"),
        [p(Some("Joe Q. Public"), "john.q.public@example.com")]
    );
    assert_eq!(
        clean(" Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"),
        [
            p(Some("Mary Smith"), "mary@x.test"),
            p(None, "jdoe@example.org"),
            p(Some("Who?"), "one@y.test"),
        ]
    );
    let raw = " <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>";
    let (list, defects) = parse(raw.as_bytes());
    assert!(defects.is_empty());
    assert_eq!(addrs(&list), ["boss@nil.test", "sysservices@example.net"]);
    assert_eq!(list.mailboxes().next().unwrap().name(), None);
    assert_eq!(
        list.mailboxes().nth(1).unwrap().display_name_raw(),
        Some(&b"\"Giant; \\\"Big\\\" Box\""[..])
    );
}

#[test]
fn a_1_2_escaped_quotes_in_name() {
    assert_eq!(
        clean(" \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"),
        [p(Some("Giant; \"Big\" Box"), "sysservices@example.net")]
    );
}

#[test]
fn a_1_3_group_addresses() {
    let raw = " A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;";
    let (list, defects) = parse(raw.as_bytes());
    assert!(defects.is_empty());
    assert_eq!(list.len(), 1);
    let g = group(&list[0]);
    assert_eq!(g.name(), "A Group");
    assert_eq!(
        pairs(&list),
        [
            p(Some("Ed Jones"), "c@a.test"),
            p(None, "joe@where.test"),
            p(Some("John"), "jdoe@one.test"),
        ]
    );

    let (list, defects) = parse(b" Undisclosed recipients:;");
    assert!(defects.is_empty());
    assert_eq!(list.len(), 1);
    assert_eq!(group(&list[0]).name(), "Undisclosed recipients");
    assert!(group(&list[0]).members().is_empty());
    assert_eq!(list.mailboxes().count(), 0);
}

#[test]
fn a_2_reply_messages() {
    assert_eq!(
        clean(" \"Mary Smith: Personal Account\" <smith@home.example>"),
        [p(
            Some("Mary Smith: Personal Account"),
            "smith@home.example"
        )]
    );
    assert_eq!(
        clean(" John Doe <jdoe@machine.example>"),
        [p(Some("John Doe"), "jdoe@machine.example")]
    );
}

#[test]
fn a_4_resent_fields() {
    assert_eq!(
        clean(" Mary Smith <mary@example.net>"),
        [p(Some("Mary Smith"), "mary@example.net")]
    );
    assert_eq!(
        clean(" Jane Brown <j-brown@other.example>"),
        [p(Some("Jane Brown"), "j-brown@other.example")]
    );
}

#[test]
fn a_5_white_space_comments_and_other_oddities() {
    let (list, defects) = parse(br" Pete(A nice \) chap) <pete(his account)@silly.test(his host)>");
    assert!(defects.is_empty());
    assert_eq!(addrs(&list), ["pete@silly.test"]);
    assert_eq!(
        list.mailboxes().next().unwrap().display_name_raw(),
        Some(&br"Pete(A nice \) chap)"[..])
    );

    let raw = "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)";
    let (list, defects) = parse(raw.as_bytes());
    assert!(defects.is_empty(), "{defects:?}");
    assert_eq!(list.len(), 1);
    assert_eq!(group(&list[0]).display_name_raw(), b"A Group(Some people)");
    assert_eq!(
        addrs(&list),
        ["c@public.example", "joe@example.org", "jdoe@one.test"]
    );
    let names: Vec<_> = list.mailboxes().map(|m| m.display_name_raw()).collect();
    assert_eq!(names, [Some(&b"Chris Jones"[..]), None, Some(&b"John"[..])]);

    let (list, defects) = parse(b"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;");
    assert!(defects.is_empty());
    assert_eq!(list.len(), 1);
    assert_eq!(group(&list[0]).display_name_raw(), b"Hidden recipients");
    assert!(group(&list[0]).members().is_empty());
}

#[test]
fn a_5_names_without_comments() {
    let (list, _) = parse(br" Pete(A nice \) chap) <pete(his account)@silly.test(his host)>");
    assert_eq!(pairs(&list), [p(Some("Pete"), "pete@silly.test")]);
    let (list, _) = parse(b"A Group(Some people)\r\n     :joe@example.org;");
    assert_eq!(group(&list[0]).name(), "A Group");
}

#[test]
fn a_6_1_obsolete_addressing() {
    let (list, defects) =
        parse(b" Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example");
    assert!(defects.is_empty(), "{defects:?}");
    assert_eq!(
        pairs(&list),
        [
            p(Some("Mary Smith"), "mary@example.net"),
            p(None, "jdoe@test.example"),
        ]
    );
    assert_eq!(list.len(), 2);
}

#[test]
fn a_6_2_obsolete_dates_message_addresses() {
    // A.6.2's addresses are those of A.1.1; the obsolete part is the date.
    assert_eq!(
        clean(" John Doe <jdoe@machine.example>"),
        [p(Some("John Doe"), "jdoe@machine.example")]
    );
}

#[test]
fn a_6_3_obsolete_white_space_and_comments() {
    assert_eq!(
        clean(" John Doe <jdoe@machine(comment).  example>"),
        [p(Some("John Doe"), "jdoe@machine.example")]
    );
    // The middle line holds only white space (obs-FWS).
    let (list, defects) = parse(b" Mary Smith\r\n  \r\n          <mary@example.net>");
    assert!(defects.is_empty());
    assert_eq!(addrs(&list), ["mary@example.net"]);
    assert_eq!(
        list.mailboxes().next().unwrap().display_name_raw(),
        Some(&b"Mary Smith"[..])
    );
}

// ---- obsolete and real-world forms without defects ----

#[test]
fn obsolete_routes_and_empty_elements() {
    assert_eq!(
        clean("<@a.test,@b.test:x@c.test>, ,, y@d.test,"),
        [p(None, "x@c.test"), p(None, "y@d.test")]
    );
    assert_eq!(
        clean("<@a.test,,@b.test : x@c.test>"),
        [p(None, "x@c.test")]
    );
    assert_eq!(clean(", (just a comment) ,"), []);
    assert_eq!(clean(""), []);
    assert_eq!(clean("  \r\n "), []);
    // obs-mbox-list inside a group
    assert_eq!(
        clean("G: , a@b.test ,, c@d.test, ;"),
        [p(None, "a@b.test"), p(None, "c@d.test")]
    );
}

#[test]
fn dots_in_display_names() {
    assert_eq!(
        clean("John Q. Public <jqp@example.com>, J. <j@example.com>"),
        [
            p(Some("John Q. Public"), "jqp@example.com"),
            p(Some("J."), "j@example.com"),
        ]
    );
}

#[test]
fn angle_address_alone_and_quoted_local_parts() {
    assert_eq!(clean("<a@b.test>"), [p(None, "a@b.test")]);
    assert_eq!(
        clean("\"john doe\"@example.com, \"Joe\" <\"j d\"@example.com>"),
        [
            p(None, "\"john doe\"@example.com"),
            p(Some("Joe"), "\"j d\"@example.com"),
        ]
    );
    assert_eq!(
        clean("a@[192.0.2.1], <b@[IPv6:2001:db8::1]>"),
        [p(None, "a@[192.0.2.1]"), p(None, "b@[IPv6:2001:db8::1]"),]
    );
}

#[test]
fn utf8_names_and_addresses() {
    assert_eq!(
        clean(
            "Keld J\u{f8}rn Simonsen <keld@dkuug.dk>, \u{4f60}\u{597d} <j\u{f6}rg@b\u{fc}cher.example>"
        ),
        [
            p(Some("Keld J\u{f8}rn Simonsen"), "keld@dkuug.dk"),
            p(Some("\u{4f60}\u{597d}"), "j\u{f6}rg@b\u{fc}cher.example"),
        ]
    );
}

#[test]
fn comment_after_addr_spec_is_the_name() {
    let (list, defects) =
        parse(b"jdoe@example.org (John Doe), ann@example.org (x) (y), bob@example.org");
    assert!(defects.is_empty());
    let boxes: Vec<_> = list.mailboxes().collect();
    assert!(boxes[0].name_is_comment());
    assert_eq!(boxes[0].name().as_deref(), Some("John Doe"));
    assert_eq!(boxes[1].name().as_deref(), Some("x"));
    assert!(!boxes[2].name_is_comment());
    assert_eq!(boxes[2].name(), None);
    // A comment inside the address is not a name.
    let (list, _) = parse(b"a(not a name)@example.org");
    assert_eq!(list.mailboxes().next().unwrap().name(), None);
    // Comments with specials are unescaped and collapsed.
    let (list, _) = parse(b"a@example.org (Doe,\r\n  John \\(Jr\\))");
    assert_eq!(
        list.mailboxes().next().unwrap().name().as_deref(),
        Some("Doe, John (Jr)")
    );
    // An empty comment is no name.
    let (list, _) = parse(b"a@example.org ()");
    assert_eq!(list.mailboxes().next().unwrap().name(), None);
    // A display name wins over a trailing comment.
    assert_eq!(
        clean("Joe <j@example.org> (work)"),
        [p(Some("Joe"), "j@example.org")]
    );
}

#[test]
fn encoded_word_names() {
    // Until the RFC 2047 decoder lands this only checks the raw name.
    let (list, defects) = parse(b"=?utf-8?q?J=C3=B6rg?= <j@example.org>");
    assert!(defects.is_empty());
    assert_eq!(
        list.mailboxes().next().unwrap().display_name_raw(),
        Some(&b"=?utf-8?q?J=C3=B6rg?="[..])
    );
}

#[test]
fn encoded_word_names_decoded() {
    assert_eq!(
        clean("=?utf-8?q?J=C3=B6rg?= <j@example.org>"),
        [p(Some("J\u{f6}rg"), "j@example.org")]
    );
    assert_eq!(
        clean("=?utf-8?q?Team_=C3=A9?=: a@example.org;, b@example.org (=?utf-8?q?B=C3=A9?=)"),
        [
            p(None, "a@example.org"),
            p(Some("B\u{e9}"), "b@example.org")
        ]
    );
}

// ---- malformed input: kept or skipped, with defect offsets ----

#[test]
fn unparsable_elements_are_skipped() {
    let raw = b"foo bar, a@b.test, <x@>, joe, c@d.test";
    let (list, defects) = parse(raw);
    assert_eq!(addrs(&list), ["a@b.test", "c@d.test"]);
    assert_eq!(defects, invalid_at(&[0, 19, 25]));
}

#[test]
fn defect_offsets_add_the_base() {
    let mut defects = Vec::new();
    let list = parse_address_list(b" joe, a@b.test", 1000, &mut defects);
    assert_eq!(addrs(&list), ["a@b.test"]);
    assert_eq!(defects, invalid_at(&[1001]));
}

#[test]
fn skipping_respects_quotes_comments_and_routes() {
    // The commas inside the quoted string, the comment and the route do not
    // end the broken element.
    let raw = b"\"a, b\" junk (c, d) <@x.test,@y.test: oops, e@f.test";
    let (list, defects) = parse(raw);
    assert_eq!(addrs(&list), ["e@f.test"]);
    assert_eq!(defects, invalid_at(&[0]));
}

#[test]
fn junk_after_an_address_is_skipped() {
    let raw = b"Joe <j@example.org> junk, a@b.test";
    let (list, defects) = parse(raw);
    assert_eq!(addrs(&list), ["j@example.org", "a@b.test"]);
    assert_eq!(defects, invalid_at(&[20]));

    let (list, defects) = parse(b"a@b.test c@d.test, e@f.test");
    assert_eq!(addrs(&list), ["e@f.test"]);
    assert_eq!(defects, invalid_at(&[0]));
}

#[test]
fn missing_closing_angle_bracket() {
    let (list, defects) = parse(b"Joe <j@example.org, Ann <a@example.org");
    assert_eq!(
        pairs(&list),
        [
            p(Some("Joe"), "j@example.org"),
            p(Some("Ann"), "a@example.org")
        ]
    );
    assert_eq!(defects, invalid_at(&[18, 38]));
}

#[test]
fn unquoted_specials_in_display_name() {
    let (list, defects) = parse(b"Joe @ home <j@example.org>");
    assert_eq!(addrs(&list), ["j@example.org"]);
    assert_eq!(
        list.mailboxes().next().unwrap().display_name_raw(),
        Some(&b"Joe @ home"[..])
    );
    assert_eq!(defects, invalid_at(&[0]));
}

#[test]
fn address_as_display_name_and_tight_spacing() {
    let (list, defects) = parse(b"joe@example.org <joe@example.org>, Ann<ann@example.org>");
    assert_eq!(addrs(&list), ["joe@example.org", "ann@example.org"]);
    let names: Vec<_> = list.mailboxes().map(|m| m.display_name_raw()).collect();
    assert_eq!(names, [Some(&b"joe@example.org"[..]), Some(&b"Ann"[..])]);
    assert_eq!(defects, invalid_at(&[0]));
    // Quoted, it is fine.
    assert_eq!(
        clean("\"joe@example.org\" <joe@example.org>"),
        [p(Some("joe@example.org"), "joe@example.org")]
    );
}

#[test]
fn display_name_without_angle_brackets() {
    let (list, defects) = parse(b"a@b.test, John Doe john@example.com");
    assert_eq!(
        pairs(&list),
        [p(None, "a@b.test"), p(Some("John Doe"), "john@example.com")]
    );
    assert_eq!(defects, invalid_at(&[10]));
}

#[test]
fn broken_groups() {
    // Missing ";" at the end: the group is kept.
    let (list, defects) = parse(b"G: a@b.test, c@d.test");
    assert_eq!(list.len(), 1);
    assert_eq!(addrs(&list), ["a@b.test", "c@d.test"]);
    assert_eq!(defects, invalid_at(&[21]));

    // A broken member is skipped up to the next "," or ";".
    let (list, defects) = parse(b"G: a@b.test, junk; c@d.test");
    assert_eq!(list.len(), 1);
    assert_eq!(addrs(&list), ["a@b.test"]);
    assert_eq!(defects, invalid_at(&[13, 19]));

    let (list, defects) = parse(b"G: junk; c@d.test");
    assert!(addrs(&list).is_empty());
    assert_eq!(defects, invalid_at(&[3, 9]));

    // A group inside a group.
    let (list, defects) = parse(b"G: H: a@b.test;, c@d.test");
    assert_eq!(addrs(&list), ["c@d.test"]);
    assert_eq!(defects, invalid_at(&[3]));

    // A group without a name.
    let (list, defects) = parse(b": a@b.test;");
    assert_eq!(addrs(&list), ["a@b.test"]);
    assert_eq!(defects, invalid_at(&[0]));
}

#[test]
fn unclosed_quotes_and_comments() {
    let (list, defects) = parse(b"a@b.test, \"Joe <j@example.org>, c@d.test");
    assert_eq!(addrs(&list), ["a@b.test"]);
    assert_eq!(defects, invalid_at(&[10]));

    let (list, defects) = parse(b"a@b.test, (Joe <j@example.org>, c@d.test");
    assert_eq!(addrs(&list), ["a@b.test"]);
    assert_eq!(defects, invalid_at(&[10]));
}

#[test]
fn bare_local_part_and_empty_angle() {
    let (list, defects) = parse(b"undisclosed, <>, <joe>, a@b.test");
    assert_eq!(addrs(&list), ["a@b.test"]);
    assert_eq!(defects, invalid_at(&[0, 13, 17]));
}

#[test]
fn stray_semicolon_at_top_level() {
    let (list, defects) = parse(b"a@b.test; c@d.test, e@f.test");
    assert_eq!(addrs(&list), ["a@b.test", "e@f.test"]);
    assert_eq!(defects, invalid_at(&[8]));
}

#[test]
fn deep_comments_are_bounded() {
    let mut raw = b"a@b.test, ".to_vec();
    raw.extend(std::iter::repeat_n(b'(', 100_000));
    raw.extend(std::iter::repeat_n(b')', 100_000));
    raw.extend_from_slice(b" c@d.test, e@f.test");
    // Deeper than the core's nesting limit: the comment is taken as a
    // display name without angle brackets, and reported.
    let (list, defects) = parse(&raw);
    assert_eq!(addrs(&list), ["a@b.test", "c@d.test", "e@f.test"]);
    assert_eq!(defects, invalid_at(&[10]));
}

#[test]
fn many_elements_parse_in_linear_time() {
    // 150 000 broken, good and repaired elements; a quadratic rescan would
    // not finish.
    let raw = "y, a@b.test, <c@d.test, ".repeat(50_000);
    let (list, defects) = parse(raw.as_bytes());
    assert_eq!(list.mailboxes().count(), 100_000);
    assert_eq!(defects.len(), 100_000);
    // An unclosed quote swallows the rest at once.
    let raw = "x, \"q, ".to_owned() + &"y, a@b.test, ".repeat(100_000);
    let (list, defects) = parse(raw.as_bytes());
    assert_eq!(list.mailboxes().count(), 0);
    assert_eq!(defects, invalid_at(&[0, 3]));
}

// ---- Display ----

#[test]
fn display_writes_a_parsable_list() {
    let (list, _) = parse(
        b"\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>, A Group: Ed <c@a.test>, joe@where.test;, x@y.test",
    );
    let text = list.to_string();
    let (again, defects) = parse(text.as_bytes());
    assert!(defects.is_empty(), "{text}: {defects:?}");
    assert_eq!(addrs(&again), addrs(&list));
    assert_eq!(again.len(), list.len());
}

#[test]
fn display_cannot_inject_line_breaks() {
    use mailwire_core::Mailbox;
    use mailwire_message::address::NamedMailbox;
    let m = NamedMailbox::new(
        Some(b"\"a\r\nBcc: evil@example.org\""),
        Mailbox::new("a", "b.test").unwrap(),
    );
    let text = m.to_string();
    assert!(!text.contains('\r') && !text.contains('\n'), "{text:?}");
}

// ---- properties ----

fn mailbox_strategy() -> impl Strategy<Value = (Option<String>, String)> {
    let name = prop::option::of(
        proptest::collection::vec("[A-Za-z0-9!#?.,;:<>@]{1,8}", 1..4).prop_map(|w| w.join(" ")),
    );
    let local = "[a-z0-9]{1,8}(\\.[a-z0-9_+-]{1,5})?";
    let domain = "[a-z][a-z0-9-]{0,8}\\.[a-z]{2,5}";
    (name, local, domain).prop_map(|(n, l, d)| (n, format!("{l}@{d}")))
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

proptest! {
    #[test]
    fn never_panics(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut defects = Vec::new();
        let list = parse_address_list(&raw, 7, &mut defects);
        for d in &defects {
            prop_assert!(d.offset() >= 7 && d.offset() <= 7 + raw.len());
        }
        let _ = list.to_string();
        for m in list.mailboxes() {
            let _ = m.name();
        }
    }

    #[test]
    fn never_panics_on_address_like_bytes(raw in "[a-z@.,;:<>()\"\\\\ \\[\\]\r\n\t]{0,60}") {
        let (list, _) = parse(raw.as_bytes());
        let text = list.to_string();
        // What we write parses back to the same mailboxes without defects.
        let (again, defects) = parse(text.as_bytes());
        prop_assert!(defects.is_empty(), "{:?} -> {:?}: {:?}", raw, text, defects);
        prop_assert_eq!(addrs(&again), addrs(&list));
    }

    #[test]
    fn round_trip(list in proptest::collection::vec(mailbox_strategy(), 0..6)) {
        let text = list
            .iter()
            .map(|(n, a)| match n {
                Some(n) => format!("{} <{a}>", quote(n)),
                None => a.clone(),
            })
            .collect::<Vec<_>>()
            .join(",\r\n ");
        let (parsed, defects) = parse(text.as_bytes());
        prop_assert!(defects.is_empty(), "{:?}: {:?}", text, defects);
        prop_assert_eq!(pairs(&parsed), list.clone());
        // and through our own Display
        let written = parsed.to_string();
        let (again, defects) = parse(written.as_bytes());
        prop_assert!(defects.is_empty());
        prop_assert_eq!(pairs(&again), list);
    }
}

#[test]
fn adversarial_inputs_stay_linear() {
    let patterns: [&[u8]; 19] = [
        b"<", b"(", b")", b"\"", b"[", b"a@", b"a.", b"a:", b"@,", b"<@a,", b"a@b ", b"<(x)",
        b"a ", b", ", b"a b@c ", b"<a@b", b"G:", b"\"a\" ", b"a@[",
    ];
    for pattern in patterns {
        let raw = pattern.repeat(200_000 / pattern.len());
        let start = std::time::Instant::now();
        let (list, defects) = parse(&raw);
        let _ = list.to_string();
        assert!(defects.len() <= raw.len() + 1);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{:?} took {:?}",
            String::from_utf8_lossy(pattern),
            start.elapsed()
        );
    }
}
