//! Tests of `mailwire_core::token`: RFC known answers, limits and
//! properties.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use mailwire_core::token::*;
use mailwire_core::{ErrorKind, Limits};
use proptest::prelude::*;

const SMTP: TokenOptions = TokenOptions::SMTP;
const UTF8: TokenOptions = TokenOptions::SMTP_UTF8;
const MSG: TokenOptions = TokenOptions::MESSAGE;

fn smtp(s: &str) -> Mailbox<'_> {
    Mailbox::parse_smtp(s.as_bytes()).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn spec(s: &str) -> Mailbox<'_> {
    Mailbox::parse_addr_spec(s.as_bytes()).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn parts(m: &Mailbox<'_>) -> (String, String) {
    (
        m.local_part().as_str().to_owned(),
        m.domain().as_str().to_owned(),
    )
}

// ---------------------------------------------------------------------------
// Known answers

#[test]
fn umbrella_example() {
    assert_eq!(
        Mailbox::parse_smtp(b"postmaster@example.org")
            .unwrap()
            .domain()
            .as_str(),
        "example.org"
    );
}

/// RFC 5322 appendix A.1.1, A.1.2, A.1.3, A.2, A.4: the addr-specs.
#[test]
fn rfc5322_appendix_a1_addresses() {
    for a in [
        "jdoe@machine.example",
        "mary@example.net",
        "john.q.public@example.com",
        "mary@x.test",
        "jdoe@example.org",
        "one@y.test",
        "boss@nil.test",
        "sysservices@example.net",
        "c@a.test",
        "joe@where.test",
        "jdoe@one.test",
        "joe@football.example.com",
    ] {
        let m = spec(a);
        assert_eq!(m.to_string(), a);
        assert_eq!(m, smtp(a), "{a}");
        assert_eq!(m.local_part().form(), LocalPartForm::DotAtom);
    }
}

/// RFC 5322 appendix A.5: white space, comments and other oddities.
#[test]
fn rfc5322_appendix_a5_comments() {
    let input = b"pete(his account)@silly.test(his host)";
    let (m, n) = addr_spec(input, MSG).unwrap();
    assert_eq!(n, input.len());
    assert_eq!(parts(&m), ("pete".into(), "silly.test".into()));
    // The content is borrowed: the comments are outside the words.
    assert!(matches!(m.local_part().unescaped(), Cow::Borrowed(_)));

    let m = spec("c@(Chris's host.)public.example");
    assert_eq!(m.to_string(), "c@public.example");

    // "Pete(A nice \) chap)": a comment with a quoted-pair.
    assert_eq!(comment(br"(A nice \) chap) <", MSG).unwrap(), 16);
    // "(nobody(that I know))": nested.
    assert_eq!(comment(b"(nobody(that I know))  ;", MSG).unwrap(), 21);
    // "(Empty list)(start)Hidden": several comments in one CFWS.
    assert_eq!(cfws(b"(Empty list)(start)Hidden", MSG).unwrap(), 19);
    let mut seen = Vec::new();
    let input = b" (Empty list)(start)Hidden";
    skip_cfws_with_comments(input, MSG, |r| seen.push(input[r].to_vec())).unwrap();
    assert_eq!(seen, [b"Empty list".to_vec(), b"start".to_vec()]);
}

/// RFC 5322 appendix A.6: obsolete forms.
#[test]
fn rfc5322_appendix_a6_obsolete() {
    // A.6.1: obs-domain with white space around the dot.
    let m = spec("jdoe@test  . example");
    assert_eq!(m.to_string(), "jdoe@test.example");
    // A.6.3: comment and folding inside the domain.
    let m = spec("jdoe@machine(comment).  example");
    assert_eq!(parts(&m), ("jdoe".into(), "machine.example".into()));
    let m = spec("mary@example.net");
    assert_eq!(m, smtp("mary@example.net"));
    // Folded obs-FWS before the address (A.6.3 "Mary Smith\r\n    \r\n <").
    assert_eq!(fws(b"\r\n    \r\n <", MSG).unwrap(), 9);
    assert_eq!(fws(b"\r\n    \r\n <", MSG.with_obsolete(false)).unwrap(), 6);

    // obs-local-part: word *("." word), quoted words and CFWS between.
    let m = spec("\"john\".doe@example.org");
    assert_eq!(m.local_part().form(), LocalPartForm::Obsolete);
    assert_eq!(m.to_string(), "john.doe@example.org");
    let m = spec("\"john doe\" . x (c) @example.org");
    assert_eq!(m.to_string(), "\"john doe.x\"@example.org");
    // Strict mode refuses them.
    assert!(addr_spec(b"\"john\".doe@example.org", MSG.with_obsolete(false)).is_err());
    // (the prefix parser stops before the '.', which the caller refuses)
    let (m, n) = addr_spec(b"jdoe@test . example", MSG.with_obsolete(false)).unwrap();
    assert_eq!((m.domain().as_str(), n), ("test", 10));
    // obs-qtext (a control character) and obs-qp.
    assert_eq!(spec("\"a\x01b\"@x.test").local_part().as_str(), "a\x01b");
    assert_eq!(spec("\"a\\\x01b\"@x.test").local_part().as_str(), "a\x01b");
    assert!(quoted_string(b"\"a\x01b\"", MSG.with_obsolete(false)).is_err());
}

#[test]
fn obs_qp_line_breaks_refused_in_mailboxes() {
    // The quoted-string token accepts obs-qp of CR, LF and NUL...
    let (q, _) = quoted_string(b"\"a\\\rb\"", MSG).unwrap();
    assert_eq!(q.unescaped(), "a\rb");
    // ...but a mailbox never holds them.
    let e = Mailbox::parse_addr_spec(b"\"a\\\rb\"@x.test").unwrap_err();
    assert_eq!((e.offset(), e.kind()), (3, ErrorKind::BareCr));
    let e = Mailbox::parse_addr_spec(b"\"a\\\nb\"@x.test").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BareLf);
    let e = Mailbox::parse_addr_spec(b"\"a\\\0b\"@x.test").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Nul);
    let e = Mailbox::parse_addr_spec(b"a@[x\\\rb]").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BareCr);
}

/// RFC 5321 section 4.1.1.2/4.1.1.3 and appendix D examples.
#[test]
fn rfc5321_examples() {
    for a in [
        "Smith@bar.com",
        "Jones@foo.com",
        "Green@foo.com",
        "Brown@foo.com",
        "userc@d.bar.org",
        "userx@y.foo.org",
        "JQP@bar.com",
        "Postmaster@foo.com",
    ] {
        assert_eq!(smtp(a).to_string(), a);
    }
    // Section 4.1.3's example literal.
    let m = smtp("user@[123.255.37.2]");
    assert_eq!(m.domain().as_str(), "[123.255.37.2]");
    let Domain::Literal(lit) = m.domain() else {
        panic!("literal expected")
    };
    assert_eq!(
        lit.address(),
        Some(AddressLiteral::Ipv4(Ipv4Addr::new(123, 255, 37, 2)))
    );
    // Section 2.4: local parts are case-sensitive, domains are not.
    assert_eq!(smtp("Smith@BAR.com"), smtp("Smith@bar.com"));
    assert_ne!(smtp("smith@bar.com"), smtp("Smith@bar.com"));
    // "abc" and abc are the same local part.
    assert_eq!(smtp("\"Smith\"@bar.com"), smtp("Smith@bar.com"));
    // No CFWS, no white space in SMTP.
    assert!(Mailbox::parse_smtp(b"Smith @bar.com").is_err());
    assert!(Mailbox::parse_smtp(b"Smith@bar.com ").is_err());
    assert!(Mailbox::parse_smtp(b"Smith(c)@bar.com").is_err());
    // RFC 5321 has no domain-literal dtext and no quoted FWS.
    assert!(Mailbox::parse_smtp(b"a@[foo bar]").is_err());
    assert!(Mailbox::parse_smtp(b"\"a\r\n b\"@x.test").is_err());
}

/// RFC 3696 section 3: unusual but valid local parts.
#[test]
fn rfc3696_section3() {
    let m = smtp(r#""Abc@def"@example.com"#);
    assert_eq!(m.local_part().as_str(), "Abc@def");
    assert!(m.local_part().is_quoted());
    assert_eq!(m.to_string(), r#""Abc@def"@example.com"#);
    let m = smtp(r#""Fred Bloggs"@example.com"#);
    assert_eq!(m.local_part().as_str(), "Fred Bloggs");
    let m = smtp(r#""Joe\\Blow"@example.com"#);
    assert_eq!(m.local_part().as_str(), r"Joe\Blow");
    assert_eq!(m.to_string(), r#""Joe\\Blow"@example.com"#);
    let m = smtp(r#""Abc\@def"@example.com"#);
    assert_eq!(m.local_part().as_str(), "Abc@def");
    for a in [
        "customer/department=shipping@example.com",
        "$A12345@example.com",
        "!def!xyz%abc@example.com",
        "_somename@example.com",
    ] {
        let m = smtp(a);
        assert_eq!(m.to_string(), a);
        assert_eq!(spec(a), m);
    }
    // RFC 3696 erratum 246: backslashes outside quotes are not valid.
    assert!(Mailbox::parse_smtp(br"Abc\@def@example.com").is_err());
    assert!(Mailbox::parse_smtp(br"Fred\ Bloggs@example.com").is_err());
    assert!(Mailbox::parse_addr_spec(br"Joe.\\Blow@example.com").is_err());
}

#[test]
fn address_literals() {
    let lit = |s: &str| -> DomainLiteral<'static> {
        match address_literal(s.as_bytes()) {
            Ok((lit, n)) if n == s.len() => lit.into_owned(),
            other => panic!("{s}: {other:?}"),
        }
    };
    assert_eq!(
        lit("[192.0.2.1]").address(),
        Some(AddressLiteral::Ipv4(Ipv4Addr::new(192, 0, 2, 1)))
    );
    // Snum = 1*3DIGIT: leading zeros are allowed.
    assert_eq!(
        lit("[010.000.002.001]").address(),
        Some(AddressLiteral::Ipv4(Ipv4Addr::new(10, 0, 2, 1)))
    );
    let six = |s: &str| -> Ipv6Addr { s.parse().unwrap() };
    for (text, addr) in [
        ("[IPv6:2001:db8:0:0:0:0:0:1]", six("2001:db8::1")),
        ("[IPv6:2001:db8::1]", six("2001:db8::1")),
        ("[IPv6:::]", six("::")),
        ("[IPv6:::1]", six("::1")),
        ("[IPv6:fe80::]", six("fe80::")),
        ("[ipv6:FE80::ABCD]", six("fe80::abcd")),
        ("[IPv6:0:0:0:0:0:ffff:192.0.2.1]", six("::ffff:192.0.2.1")),
        ("[IPv6:::ffff:192.0.2.1]", six("::ffff:192.0.2.1")),
        ("[IPv6:::192.0.2.1]", six("::192.0.2.1")),
        ("[IPv6:1:2:3:4:5:6:7::]", six("1:2:3:4:5:6:7:0")),
    ] {
        assert_eq!(
            lit(text).address(),
            Some(AddressLiteral::Ipv6(addr)),
            "{text}"
        );
    }
    assert_eq!(
        lit("[x-tag:content!~]").address(),
        Some(AddressLiteral::General {
            tag: "x-tag",
            content: "content!~"
        })
    );
    for bad in [
        "[256.0.0.1]",
        "[1.2.3]",
        "[1.2.3.4.5]",
        "[1.2.3.4 ]",
        "[1234.1.1.1]",
        "[IPv6:1:2:3:4:5:6:7:8:9]",
        "[IPv6:1:2:3:4:5:6:7]",
        "[IPv6:1::2::3]",
        "[IPv6:12345::]",
        "[IPv6::1]",
        "[IPv6:1:2:3:4:5:6:7:1.2.3.4]",
        "[IPv6:1.2.3.4::]",
        "[IPv6:g::]",
        "[IPv6:]",
        "[x-tag:]",
        "[-:x]",
        "[x-:y]",
        "[x_y:z]",
        "[]",
        "[a]",
        "[a\\]]",
    ] {
        assert!(address_literal(bad.as_bytes()).is_err(), "{bad}");
    }
    let e = address_literal(b"[192.0.2.1").unwrap_err();
    assert!(e.is_incomplete());
    assert_eq!(address_literal(b"[300.1.1.1]").unwrap_err().offset(), 1);
    // Equality by address.
    assert_eq!(smtp("a@[IPv6:::1]"), smtp("a@[IPv6:0:0::0:1]"));
    assert_eq!(smtp("a@[x:Y]"), smtp("a@[X:Y]"));
    assert_ne!(smtp("a@[x:Y]"), smtp("a@[x:y]"));
    assert_eq!(
        Mailbox::from_parts(LocalPart::new("a").unwrap(), Domain::from(six("::1"))).to_string(),
        "a@[IPv6:::1]"
    );
    // RFC 5322 domain-literal: FWS inside; an address when trimmed.
    let (lit, n) = domain_literal(b" [ 192.0.2.1\r\n ] ,", MSG).unwrap();
    assert_eq!(n, 17);
    assert_eq!(lit.as_str(), "[ 192.0.2.1 ]");
    assert_eq!(lit, DomainLiteral::from(Ipv4Addr::new(192, 0, 2, 1)));
    let (lit, _) = domain_literal(b"[any text \\] here]", MSG).unwrap();
    assert_eq!(lit.address(), None);
    assert!(domain_literal(b"[open", MSG).unwrap_err().is_incomplete());
}

#[test]
fn domain_names() {
    let (d, n) = smtp_domain_name(b"a-b.c1.example>", SMTP).unwrap();
    assert_eq!((d.as_str(), n), ("a-b.c1.example", 14));
    assert_eq!(smtp_domain_name(b"1.2.3", SMTP).unwrap().1, 5);
    // Leading and trailing hyphens.
    let e = smtp_domain_name(b"-a.example", SMTP).unwrap_err();
    assert_eq!((e.offset(), e.expected_what()), (0, Some("Let-dig")));
    assert_eq!(smtp_domain_name(b"a.b-.c", SMTP).unwrap_err().offset(), 3);
    // Empty labels and a trailing dot.
    assert_eq!(smtp_domain_name(b"a..b", SMTP).unwrap_err().offset(), 2);
    assert!(
        Mailbox::parse_smtp(b"a@example.org.")
            .unwrap_err()
            .is_incomplete()
    );
    assert!(Mailbox::parse_smtp(b"a@example.org.>").is_err());
    assert!(Mailbox::parse_smtp(b"a@.example.org").is_err());
    assert!(Mailbox::parse_addr_spec(b"a@example..org").is_err());
    assert!(Mailbox::parse_addr_spec(b"a@example.org.").is_err());
    // RFC 5321 names are LDH; RFC 5322 dot-atoms are any atext.
    assert!(Mailbox::parse_smtp(b"a@ex_ample.org").is_err());
    assert_eq!(spec("a@ex_ample.org").domain().as_str(), "ex_ample.org");
    // Case-insensitive equality and hashing.
    use std::collections::HashSet;
    let set: HashSet<_> = [smtp("a@EXAMPLE.org"), smtp("a@example.ORG")].into();
    assert_eq!(set.len(), 1);
}

#[test]
fn overlong() {
    let label63 = "a".repeat(63);
    let ok = format!("{label63}.example");
    assert!(smtp_domain_name(ok.as_bytes(), SMTP).is_ok());
    let bad = format!("{label63}b.example");
    let e = smtp_domain_name(bad.as_bytes(), SMTP).unwrap_err();
    assert_eq!(e.offset(), 63);
    assert!(matches!(
        e.kind(),
        ErrorKind::LimitExceeded { limit: 63, .. }
    ));
    // 4 * 63 + 3 dots = 255 octets: the most a domain may hold.
    let d255 = [label63.as_str(); 4].join(".");
    assert_eq!(d255.len(), 255);
    assert!(Domain::new(&d255).is_ok());
    let d257 = format!("{d255}.b");
    let e = Domain::new(&d257).unwrap_err();
    assert_eq!(e.offset(), 255);
    assert!(matches!(
        e.kind(),
        ErrorKind::LimitExceeded { limit: 255, .. }
    ));
    // Local part: 64 octets in SMTP (RFC 5321 section 4.5.3.1.1).
    let l64 = "x".repeat(64);
    assert!(Mailbox::parse_smtp(format!("{l64}@example.org").as_bytes()).is_ok());
    let l65 = "x".repeat(65);
    let input = format!("{l65}@example.org");
    let e = Mailbox::parse_smtp(input.as_bytes()).unwrap_err();
    assert_eq!(e.offset(), 64);
    assert!(matches!(
        e.kind(),
        ErrorKind::LimitExceeded { limit: 64, .. }
    ));
    // Quotes count: "x...x" of 63 x is 65 octets.
    let q = format!("\"{}\"@example.org", "x".repeat(63));
    assert!(Mailbox::parse_smtp(q.as_bytes()).is_err());
    // Lenient SMTP options and message parsing accept long local parts.
    assert!(smtp_mailbox(input.as_bytes(), SMTP.with_max_local_part_len(256)).is_ok());
    assert!(Mailbox::parse_addr_spec(input.as_bytes()).is_ok());
}

#[test]
fn dot_atoms() {
    assert_eq!(dot_atom_text(b"a.b.c d", SMTP).unwrap(), ("a.b.c", 5));
    let e = dot_atom_text(b"a..b", SMTP).unwrap_err();
    assert_eq!((e.offset(), e.expected_what()), (2, Some("atext")));
    assert!(dot_atom_text(b".a", SMTP).is_err());
    assert!(dot_atom_text(b"a.", SMTP).unwrap_err().is_incomplete());
    assert!(dot_atom_text(b"a.@", SMTP).is_err());
    assert!(!dot_atom_text(b"a.@", SMTP).unwrap_err().is_incomplete());
    assert!(Mailbox::parse_smtp(b"a..b@example.org").is_err());
    assert!(Mailbox::parse_smtp(b".a@example.org").is_err());
    assert!(Mailbox::parse_smtp(b"a.@example.org").is_err());
    assert!(Mailbox::parse_addr_spec(b"a..b@example.org").is_err());
    // CFWS around: dot_atom and atom include it, dot_atom_text does not.
    assert_eq!(dot_atom(b" (x) a.b (y) <", MSG).unwrap(), ("a.b", 13));
    assert_eq!(atom(b" a.b", MSG).unwrap(), ("a", 2));
    assert!(dot_atom_text(b" a", MSG).is_err());
}

#[test]
fn quoted_strings() {
    let (q, n) = quoted_string(b"\"plain\" rest", MSG).unwrap();
    assert_eq!((q.raw(), n), ("plain", 8));
    assert!(matches!(q.unescaped(), Cow::Borrowed("plain")));
    let (q, _) = quoted_string(b"\"a\\\"b\"", MSG).unwrap();
    assert_eq!(q.unescaped(), "a\"b");
    let (q, _) = quoted_string(b"\"folded\r\n\tline\"", MSG).unwrap();
    assert_eq!(q.unescaped(), "folded\tline");
    // An unclosed quote, or a trailing backslash, is incomplete.
    assert!(quoted_string(b"\"abc", MSG).unwrap_err().is_incomplete());
    assert!(quoted_string(b"\"abc\\", MSG).unwrap_err().is_incomplete());
    assert!(
        smtp_quoted_string(b"\"abc", SMTP)
            .unwrap_err()
            .is_incomplete()
    );
    assert!(
        Mailbox::parse_smtp(b"\"abc@example.org")
            .unwrap_err()
            .is_incomplete()
    );
    // A bare CR in a quoted string is no fold.
    assert_eq!(quoted_string(b"\"a\rb\"", MSG).unwrap_err().offset(), 2);
    assert!(quoted_string(b"\"a\r\nb\"", MSG).is_err());
    // The empty quoted string is a valid local part.
    let m = smtp("\"\"@example.org");
    assert_eq!(m.local_part().as_str(), "");
    assert_eq!(m.to_string(), "\"\"@example.org");
}

#[test]
fn comments_unclosed_and_deep() {
    assert!(comment(b"(abc", MSG).unwrap_err().is_incomplete());
    assert!(comment(b"(a(b)", MSG).unwrap_err().is_incomplete());
    assert!(
        Mailbox::parse_addr_spec(b"a@b.test (unclosed")
            .unwrap_err()
            .is_incomplete()
    );
    // A million '(' is refused at the first one too deep, at once.
    let deep = vec![b'('; 1_000_000];
    let e = comment(&deep, MSG).unwrap_err();
    let max = Limits::DEFAULT.max_nesting_depth;
    assert_eq!(e.offset(), max);
    assert!(matches!(e.kind(), ErrorKind::LimitExceeded { .. }));
    assert!(cfws(&deep, MSG).is_err());
    let mut input = deep.clone();
    input.extend_from_slice(b"a@b");
    assert!(Mailbox::parse_addr_spec(&input).is_err());
    // Exactly at the limit is fine.
    let mut ok = vec![b'('; max];
    ok.extend(std::iter::repeat_n(b')', max));
    assert_eq!(comment(&ok, MSG).unwrap(), 2 * max);
}

#[test]
fn utf8() {
    let input = "jörg.müller@bücher.example";
    // Without the option: refused, at the first non-ASCII byte.
    let e = Mailbox::parse_smtp(input.as_bytes()).unwrap_err();
    assert_eq!(e.offset(), 1);
    // With it: accepted (RFC 6531), and in headers (RFC 6532).
    let m = Mailbox::parse_smtp_utf8(input.as_bytes()).unwrap();
    assert_eq!(m.local_part().as_str(), "jörg.müller");
    assert_eq!(m.domain().as_str(), "bücher.example");
    assert_eq!(spec(input), m);
    assert_eq!(m.to_string(), input);
    // U-labels, quoted UTF-8, UTF-8 in comments.
    assert!(Mailbox::parse_smtp_utf8("用户@例子.广告".as_bytes()).is_ok());
    assert!(Mailbox::parse_smtp_utf8("\"δοκιμή σ\"@παράδειγμα.δοκιμή".as_bytes()).is_ok());
    assert!(Mailbox::parse_addr_spec("a(ünïcödé)@b.test".as_bytes()).is_ok());
    assert!(addr_spec("a(ünïcödé)@b.test".as_bytes(), MSG.with_utf8(false)).is_err());
    // Malformed UTF-8 is refused even with the option.
    for bad in [
        &b"j\xc3@x.test"[..],        // truncated sequence
        b"j\xc0\xafg@x.test",        // overlong
        b"j\xed\xa0\x80@x.test",     // surrogate
        b"j\xf4\x90\x80\x80@x.test", // beyond U+10FFFF
        b"\"\xff\"@x.test",
        b"a@b\xe2\x82.test",
    ] {
        assert!(Mailbox::parse_smtp_utf8(bad).is_err(), "{bad:?}");
        assert!(Mailbox::parse_addr_spec(bad).is_err(), "{bad:?}");
    }
    assert!(smtp_mailbox("ü@ü.example>".as_bytes(), UTF8).is_ok_and(|(_, n)| n == 13));
    let e = Mailbox::parse_smtp_utf8(b"j\xc3").unwrap_err();
    assert!(e.is_incomplete());
    // U-labels must not start or end with a hyphen.
    assert!(Mailbox::parse_smtp_utf8("a@-ü.example".as_bytes()).is_err());
    assert!(Mailbox::parse_smtp_utf8("a@ü-.example".as_bytes()).is_err());
    // No quoted-pair of UTF-8 in SMTP.
    assert!(Mailbox::parse_smtp_utf8("\"\\ü\"@x.test".as_bytes()).is_err());
    assert!(Mailbox::parse_addr_spec("\"\\ü\"@x.test".as_bytes()).is_ok());
}

#[test]
fn constructors_and_display() {
    let m = Mailbox::new("john.doe", "example.org").unwrap();
    assert_eq!(m, smtp("john.doe@example.org"));
    let m = Mailbox::new("a\"b\\c d", "[192.0.2.1]").unwrap();
    assert_eq!(m.to_string(), r#""a\"b\\c d"@[192.0.2.1]"#);
    assert_eq!(smtp(&m.to_string()), m);
    assert!(Mailbox::new("a\rb", "example.org").is_err());
    assert!(Mailbox::new("a", "").is_err());
    assert!(Mailbox::new("a", "[999.1.1.1]").is_err());
    // Canonical form drops needless quotes, comments and folds.
    assert_eq!(
        spec(" \"abc\" @ (c) example.org ").to_string(),
        "abc@example.org"
    );
    assert_eq!(spec("\"a.b\"@example.org").to_string(), "a.b@example.org");
    assert_eq!(
        spec("\"a..b\"@example.org").to_string(),
        "\"a..b\"@example.org"
    );
    // into_owned outlives the input.
    let owned = {
        let buf = String::from("\"x y\"@example.org");
        Mailbox::parse_smtp(buf.as_bytes()).unwrap().into_owned()
    };
    assert_eq!(owned.local_part().raw(), "\"x y\"");
    assert_eq!(owned.to_string(), "\"x y\"@example.org");
}

#[test]
fn error_offsets() {
    let e = Mailbox::parse_smtp(b"user@exa mple.org").unwrap_err();
    assert_eq!(e.offset(), 8);
    let e = Mailbox::parse_smtp(b"user example.org").unwrap_err();
    assert_eq!((e.offset(), e.expected_what()), (4, Some("'@'")));
    let e = Mailbox::parse_smtp(b"user@").unwrap_err();
    assert!(e.is_incomplete());
    assert_eq!(e.offset(), 5);
    let e = Mailbox::parse_smtp(b"").unwrap_err();
    assert!(e.is_incomplete());
    let (_, n) = smtp_mailbox(b"a@b.c> SIZE=1", SMTP).unwrap();
    assert_eq!(n, 5);
}

/// The byte tables against the RFC ranges, for every byte.
#[test]
fn byte_classes_exhaustive() {
    for b in 0..=255u8 {
        let specials = b"()<>[]:;@\\,.\"";
        let printable = (33..=126).contains(&b);
        assert_eq!(is_vchar(b), printable, "{b}");
        assert_eq!(is_special(b), specials.contains(&b), "{b}");
        assert_eq!(is_atext(b), printable && !specials.contains(&b), "{b}");
        assert_eq!(is_ctext(b), printable && !b"()\\".contains(&b), "{b}");
        assert_eq!(is_qtext(b), printable && !b"\"\\".contains(&b), "{b}");
        assert_eq!(is_dtext(b), printable && !b"[]\\".contains(&b), "{b}");
        assert_eq!(is_dcontent(b), is_dtext(b), "{b}");
        assert_eq!(is_qtext_smtp(b), b == b' ' || is_qtext(b), "{b}");
        assert_eq!(is_wsp(b), b == b' ' || b == b'\t', "{b}");
        assert_eq!(is_let_dig(b), b.is_ascii_alphanumeric(), "{b}");
        assert_eq!(is_ldh(b), b.is_ascii_alphanumeric() || b == b'-', "{b}");
        let ctl = matches!(b, 1..=8 | 11 | 12 | 14..=31 | 127);
        assert_eq!(is_obs_no_ws_ctl(b), ctl, "{b}");
    }
}

// ---------------------------------------------------------------------------
// Properties

/// The oracle for `dot_atom_text` (ASCII): the run of atext and dots, then
/// the rules on dots. `Err` holds the error offset.
fn naive_dot_atom_text(input: &[u8]) -> Result<usize, usize> {
    let run = input
        .iter()
        .take_while(|&&b| is_atext(b) || b == b'.')
        .count();
    let run_bytes = &input[..run];
    if run == 0 || run_bytes[0] == b'.' {
        return Err(0);
    }
    if let Some(p) = run_bytes.windows(2).position(|w| w == b"..") {
        return Err(p + 1);
    }
    if run_bytes[run - 1] == b'.' {
        return Err(run);
    }
    Ok(run)
}

fn atext_char() -> impl Strategy<Value = char> {
    prop::sample::select(
        "abcxyzABCXYZ0189!#$%&'*+-/=?^_`{|}~"
            .chars()
            .collect::<Vec<_>>(),
    )
}

fn dot_atom_string() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(atext_char(), 1..6), 1..4).prop_map(|words| {
        words
            .into_iter()
            .map(|w| w.into_iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(".")
    })
}

fn local_content() -> impl Strategy<Value = String> {
    prop_oneof![dot_atom_string(), "[ -~]{0,20}"]
}

fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?"
}

fn domain_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(label(), 1..4).prop_map(|l| l.join(".")),
        1 => any::<[u8; 4]>().prop_map(|o| format!("[{}]", Ipv4Addr::from(o))),
        1 => any::<[u16; 8]>().prop_map(|s| format!("[IPv6:{}]", Ipv6Addr::from(s))),
        1 => ("x-[a-z0-9]{0,4}[a-z0-9]", "[!-Z^-~]{1,10}")
            .prop_map(|(t, c)| format!("[{t}:{c}]")),
    ]
}

/// Address-like text: words, dots, quotes, comments, folds around an `@`.
fn addr_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = || {
        prop_oneof![
            "[a-zA-Z0-9]{1,3}",
            Just(".".to_owned()),
            Just(" ".to_owned()),
            Just("(c (d))".to_owned()),
            Just("\r\n ".to_owned()),
            "\"[ a-z\\\\.@\"]{0,4}\"",
            "\\[[0-9.: a-z]{0,8}\\]",
            "é|ü",
        ]
    };
    (
        prop::collection::vec(piece(), 1..6),
        prop::collection::vec(piece(), 1..6),
    )
        .prop_map(|(l, d)| format!("{}@{}", l.concat(), d.concat()).into_bytes())
}

/// Bytes biased towards the grammar's delimiters.
fn token_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"ab.-@\"\\()[]: \t\r\n\x00\x01\xc3\xa9\xff:IPv6019".to_vec();
    prop_oneof![
        prop::collection::vec(prop::sample::select(alphabet), 0..40),
        prop::collection::vec(any::<u8>(), 0..40),
    ]
}

const ALL_OPTS: [TokenOptions; 4] = [
    TokenOptions::SMTP,
    TokenOptions::SMTP_UTF8,
    TokenOptions::MESSAGE,
    TokenOptions::MESSAGE.with_obsolete(false),
];

/// Checks the prefix-parser contract: consumed <= len, and the consumed
/// prefix parses to the same value (compared by `Debug`) and length.
macro_rules! check_prefix {
    ($input:expr, $i:ident => $call:expr) => {{
        let input: &[u8] = $input;
        let $i = input;
        match $call {
            Ok((v, n)) => {
                prop_assert!(n <= input.len());
                let $i = &input[..n];
                match $call {
                    Ok((v2, n2)) => {
                        prop_assert_eq!(n2, n);
                        prop_assert_eq!(format!("{v:?}"), format!("{v2:?}"));
                    }
                    Err(e) => prop_assert!(false, "prefix {:?} failed: {}", $i, e),
                }
            }
            Err(e) => prop_assert!(e.offset() <= input.len()),
        }
    }};
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// (a) value -> display -> parse == value, through both grammars.
    #[test]
    fn mailbox_round_trip(local in local_content(), domain in domain_text()) {
        let m = Mailbox::new(&local, &domain).unwrap();
        let text = m.to_string();
        let again = Mailbox::parse_addr_spec(text.as_bytes()).unwrap();
        prop_assert_eq!(&again, &m);
        prop_assert_eq!(again.to_string(), text.clone());
        if m.local_part().to_string().len() <= 64 {
            let smtp = Mailbox::parse_smtp(text.as_bytes()).unwrap();
            prop_assert_eq!(&smtp, &m);
            prop_assert_eq!(smtp.to_string(), text);
        }
    }

    /// (a) with UTF-8 local parts and U-labels.
    #[test]
    fn mailbox_round_trip_utf8(
        local in "[a-zé€😀 \"\\\\.]{0,10}",
        labels in prop::collection::vec("[a-zü例][a-z0-9ü例-]{0,5}[a-z0-9ü例]", 1..3),
    ) {
        let domain = labels.join(".");
        let m = Mailbox::new(&local, &domain).unwrap();
        let text = m.to_string();
        prop_assert_eq!(&Mailbox::parse_smtp_utf8(text.as_bytes()).unwrap(), &m);
        prop_assert_eq!(&Mailbox::parse_addr_spec(text.as_bytes()).unwrap(), &m);
    }

    /// bytes -> parse -> display -> parse gives the same mailbox.
    #[test]
    fn parse_display_parse(input in prop_oneof![token_bytes(), addr_like()]) {
        if let Ok(m) = Mailbox::parse_addr_spec(&input) {
            let text = m.to_string();
            let again = Mailbox::parse_addr_spec(text.as_bytes()).unwrap();
            prop_assert_eq!(again, m);
        }
        if let Ok(m) = Mailbox::parse_smtp_utf8(&input) {
            let text = m.to_string();
            prop_assert_eq!(Mailbox::parse_smtp_utf8(text.as_bytes()).unwrap(), m);
        }
    }

    /// (b) no panic on any input, and the prefix contract, for every parser.
    #[test]
    fn no_panic_and_prefix_contract(input in prop_oneof![token_bytes(), addr_like()]) {
        for opts in ALL_OPTS {
            check_prefix!(&input, i => atom(i, opts));
            check_prefix!(&input, i => dot_atom(i, opts));
            check_prefix!(&input, i => dot_atom_text(i, opts));
            check_prefix!(&input, i => quoted_string(i, opts));
            check_prefix!(&input, i => smtp_quoted_string(i, opts));
            check_prefix!(&input, i => smtp_domain(i, opts));
            check_prefix!(&input, i => smtp_domain_name(i, opts));
            check_prefix!(&input, i => domain(i, opts));
            check_prefix!(&input, i => domain_literal(i, opts));
            check_prefix!(&input, i => smtp_local_part(i, opts));
            check_prefix!(&input, i => local_part(i, opts));
            check_prefix!(&input, i => smtp_mailbox(i, opts));
            check_prefix!(&input, i => addr_spec(i, opts));
            check_prefix!(&input, i => fws(i, opts).map(|n| ((), n)));
            check_prefix!(&input, i => comment(i, opts).map(|n| ((), n)));
            check_prefix!(&input, i => cfws(i, opts).map(|n| ((), n)));
            check_prefix!(&input, i => skip_cfws(i, opts).map(|n| ((), n)));
        }
        check_prefix!(&input, i => address_literal(i));
        let _ = Mailbox::parse_smtp(&input);
        let _ = Mailbox::parse_smtp_utf8(&input);
        let _ = Mailbox::parse_addr_spec(&input);
        let _ = utf8_non_ascii(&input);
        if let Ok(s) = std::str::from_utf8(&input) {
            let _ = LocalPart::new(s);
            let _ = Domain::new(s);
            let _ = DomainName::new(s);
            let _ = DomainLiteral::new(s);
            let _ = Mailbox::new(s, s);
        }
    }

    /// (c) the fast dot-atom scanner against a naive oracle.
    #[test]
    fn dot_atom_text_oracle(input in token_bytes()) {
        let fast = dot_atom_text(&input, SMTP).map(|(_, n)| n).map_err(|e| e.offset());
        prop_assert_eq!(fast, naive_dot_atom_text(&input));
    }

    /// (c) the UTF-8 sequence check against the standard library.
    #[test]
    fn utf8_oracle(input in prop::collection::vec(any::<u8>(), 0..5)) {
        let expected = input
            .utf8_chunks()
            .next()
            .and_then(|c| c.valid().chars().next())
            .filter(|c| !c.is_ascii())
            .map(char::len_utf8);
        prop_assert_eq!(utf8_non_ascii(&input), expected);
    }
}
