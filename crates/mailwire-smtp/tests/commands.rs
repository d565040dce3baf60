//! Known-answer tests for the SMTP command parser and encoder: every
//! command and every ESMTP parameter this crate knows, with the RFC section
//! each case comes from; the errors a server answers with (kind, offset,
//! reply code); the lenient forms real clients send; and the encoder's
//! refusal to write CR, LF or NUL inside a field.

use mailwire_core::token::Domain;
use mailwire_smtp::encode::EncodeError;
use mailwire_smtp::parse::{CommandError, CommandErrorKind};
use mailwire_smtp::types::{
    Body, ClientId, Command, DeliverBy, ForwardPath, Hold, InitialResponse, MailAuth, MailParams,
    Mechanism, Notify, OriginalRecipient, Parameter, RcptParams, Ret, ReversePath, XText,
};

// ---------------------------------------------------------------------------
// helpers

fn parse(line: &str) -> Command<'_> {
    Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"))
}

fn err(line: &[u8]) -> CommandError {
    match Command::parse(line) {
        Ok(cmd) => panic!("{:?} parsed as {cmd:?}", String::from_utf8_lossy(line)),
        Err(e) => e,
    }
}

/// Checks an error's kind, offset and reply.
#[track_caller]
fn assert_err(line: &str, kind: CommandErrorKind, offset: usize, reply: (u16, &str)) {
    let e = err(line.as_bytes());
    assert_eq!(e.kind(), kind, "{line:?}: {e}");
    assert_eq!(e.offset(), offset, "{line:?}: {e}");
    assert_eq!(
        (e.reply_code(), e.enhanced_status()),
        reply,
        "{line:?}: {e}"
    );
    assert!(e.offset() <= line.len());
}

fn encoded(cmd: &Command<'_>) -> String {
    String::from_utf8(cmd.to_bytes().unwrap()).unwrap()
}

/// Parses `line`, checks that it encodes to `canonical` (CRLF added) and
/// that the canonical form parses to the same command.
#[track_caller]
fn canonical(line: &str, canonical: &str) {
    let cmd = parse(line);
    let out = encoded(&cmd);
    assert_eq!(out, format!("{canonical}\r\n"), "{line:?}");
    let again = Command::parse(out.as_bytes()).unwrap();
    assert_eq!(encoded(&again), out);
}

fn mail(line: &str) -> (ReversePath<'_>, MailParams<'_>) {
    match parse(line) {
        Command::Mail {
            reverse_path,
            params,
        } => (reverse_path, params),
        other => panic!("{line:?}: {other:?}"),
    }
}

fn rcpt(line: &str) -> (ForwardPath<'_>, RcptParams<'_>) {
    match parse(line) {
        Command::Rcpt {
            forward_path,
            params,
        } => (forward_path, params),
        other => panic!("{line:?}: {other:?}"),
    }
}

fn mail_params(params: &str) -> MailParams<'_> {
    // Leak the line: the params borrow it and the tests are short-lived.
    let line: &'static str =
        Box::leak(format!("MAIL FROM:<a@example.org> {params}").into_boxed_str());
    mail(line).1
}

fn rcpt_params(params: &str) -> RcptParams<'_> {
    let line: &'static str =
        Box::leak(format!("RCPT TO:<a@example.org> {params}").into_boxed_str());
    rcpt(line).1
}

const SYNTAX_501: (u16, &str) = (501, "5.5.4");
const UNKNOWN_500: (u16, &str) = (500, "5.5.2");

fn bad_param(name: &'static str) -> CommandErrorKind {
    CommandErrorKind::BadParameter(name)
}

fn dup(name: &'static str) -> CommandErrorKind {
    CommandErrorKind::DuplicateParameter(name)
}

// ---------------------------------------------------------------------------
// RFC 5321 section 4.1.1: the commands

#[test]
fn helo_ehlo_lhlo_rfc5321_4_1_1_1() {
    let Command::Helo { client } = parse("HELO relay.example.org") else {
        panic!()
    };
    assert_eq!(
        client,
        ClientId::Domain(Domain::new("relay.example.org").unwrap())
    );
    let Command::Ehlo { client } = parse("EHLO [192.0.2.1]") else {
        panic!()
    };
    assert!(matches!(client, ClientId::Domain(Domain::Literal(_))));
    let Command::Ehlo { client } = parse("EHLO [IPv6:2001:db8::1]") else {
        panic!()
    };
    assert_eq!(client.as_str(), "[IPv6:2001:db8::1]");
    // RFC 2033 section 4.1: LMTP's LHLO.
    let Command::Lhlo { client } = parse("LHLO lmtp.example.org") else {
        panic!()
    };
    assert_eq!(client.to_string(), "lmtp.example.org");
    // What real clients send beyond the grammar: one word of anything.
    for word in ["localhost", "my_host", "WIN-7QK3", "[bad", "host."] {
        let line = format!("EHLO {word}");
        let cmd = parse(&line);
        let Command::Ehlo { client } = &cmd else {
            panic!()
        };
        assert_eq!(client.as_str(), word);
        canonical(&line, &line);
    }
    assert_eq!(
        parse("EHLO my_host"),
        Command::Ehlo {
            client: ClientId::Other("my_host")
        }
    );
    canonical("helo relay.example.org", "HELO relay.example.org");
    canonical("LHLO   x.example", "LHLO x.example");
    // RFC 6531 section 3.7.1: a UTF-8 domain after EHLO.
    let Command::Ehlo { client } = parse("EHLO bücher.example") else {
        panic!()
    };
    assert!(matches!(client, ClientId::Domain(_)));
}

#[test]
fn helo_errors() {
    assert_err("EHLO", CommandErrorKind::Syntax("a domain"), 4, SYNTAX_501);
    assert_err(
        "HELO   ",
        CommandErrorKind::Syntax("a domain"),
        4,
        SYNTAX_501,
    );
    assert_err(
        "EHLO a b",
        CommandErrorKind::Syntax("one word"),
        6,
        SYNTAX_501,
    );
    assert_err(
        "EHLO a\x00b",
        CommandErrorKind::Syntax("one word"),
        6,
        SYNTAX_501,
    );
    assert_err(
        "EHLO a\rb",
        CommandErrorKind::Syntax("one word"),
        6,
        SYNTAX_501,
    );
}

#[test]
fn mail_from_rfc5321_4_1_1_2() {
    let (path, params) = mail("MAIL FROM:<Smith@bar.com>");
    assert_eq!(path.to_string(), "<Smith@bar.com>");
    assert_eq!(path.mailbox().unwrap().local_part().as_str(), "Smith");
    assert_eq!(params, MailParams::default());
    // Section 4.5.5: the null reverse-path of notifications.
    let (path, _) = mail("MAIL FROM:<>");
    assert_eq!(path, ReversePath::Null);
    assert!(path.mailbox().is_none());
    canonical("MAIL FROM:<>", "MAIL FROM:<>");
    // Quoted local part (section 4.1.2 Quoted-string), spaces inside.
    let (path, params) = mail(r#"MAIL FROM:<"john doe"@example.org> SIZE=10"#);
    assert_eq!(path.mailbox().unwrap().local_part().as_str(), "john doe");
    assert_eq!(params.size, Some(10));
    canonical(
        r#"MAIL FROM:<"john doe"@example.org>"#,
        r#"MAIL FROM:<"john doe"@example.org>"#,
    );
    // Address literal domain.
    canonical(
        "MAIL FROM:<root@[192.0.2.7]>",
        "MAIL FROM:<root@[192.0.2.7]>",
    );
}

#[test]
fn rcpt_to_rfc5321_4_1_1_3() {
    let (path, params) = rcpt("RCPT TO:<Jones@foo.com>");
    assert_eq!(path.to_string(), "<Jones@foo.com>");
    assert_eq!(params, RcptParams::default());
    // Section 4.1.1.3: "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>".
    let (path, _) = rcpt("RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>");
    let ForwardPath::Path(p) = &path else {
        panic!()
    };
    assert_eq!(p.source_route(), Some("@hosta.int,@jkl.org"));
    assert_eq!(p.mailbox().to_string(), "userc@d.bar.org");
    // Accepted and ignored: the encoder leaves the route out.
    canonical(
        "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>",
        "RCPT TO:<userc@d.bar.org>",
    );
    // A one-hop route in MAIL FROM too (section 4.1.2 Path).
    let (path, _) = mail("MAIL FROM:<@a.example:joe@b.example>");
    let ReversePath::Path(p) = path else { panic!() };
    assert_eq!(p.source_route(), Some("@a.example"));
    assert_eq!(p.to_string(), "<joe@b.example>");
}

#[test]
fn rcpt_postmaster_rfc5321_4_1_1_3_and_4_5_1() {
    // "<Postmaster>" with no domain, any case, must be accepted.
    for line in [
        "RCPT TO:<Postmaster>",
        "RCPT TO:<postmaster>",
        "RCPT TO:<POSTMASTER>",
    ] {
        let (path, _) = rcpt(line);
        assert_eq!(path, ForwardPath::Postmaster);
        assert!(path.mailbox().is_none());
        canonical(line, "RCPT TO:<Postmaster>");
    }
    let (path, params) = rcpt("RCPT TO:<Postmaster> NOTIFY=NEVER");
    assert_eq!(path, ForwardPath::Postmaster);
    assert_eq!(params.notify, Some(Notify::NEVER));
    // "<Postmaster@domain>" is an ordinary path.
    let (path, _) = rcpt("RCPT TO:<Postmaster@example.org>");
    assert_eq!(
        path.mailbox().unwrap().to_string(),
        "Postmaster@example.org"
    );
    // Only RCPT has the special form.
    assert_err(
        "MAIL FROM:<Postmaster>",
        CommandErrorKind::BadSender,
        21,
        (501, "5.1.7"),
    );
}

#[test]
fn no_argument_commands_rfc5321_4_1_1() {
    assert_eq!(parse("DATA"), Command::Data); // 4.1.1.4
    assert_eq!(parse("RSET"), Command::Rset); // 4.1.1.5
    assert_eq!(parse("QUIT"), Command::Quit); // 4.1.1.10
    assert_eq!(parse("STARTTLS"), Command::StartTls); // RFC 3207 section 4
    for (line, verb) in [
        ("DATA", "DATA"),
        ("RSET", "RSET"),
        ("QUIT", "QUIT"),
        ("STARTTLS", "STARTTLS"),
    ] {
        assert_eq!(parse(line).verb(), verb);
        canonical(line, line);
        canonical(&line.to_lowercase(), line);
    }
}

#[test]
fn vrfy_expn_help_noop_rfc5321_4_1_1_6_to_9() {
    assert_eq!(parse("VRFY Smith"), Command::Vrfy { argument: "Smith" });
    assert_eq!(
        parse(r#"VRFY "John Smith""#),
        Command::Vrfy {
            argument: r#""John Smith""#
        }
    );
    assert_eq!(
        parse("EXPN Example-People"),
        Command::Expn {
            argument: "Example-People"
        }
    );
    assert_eq!(parse("HELP"), Command::Help { argument: None });
    assert_eq!(
        parse("HELP MAIL"),
        Command::Help {
            argument: Some("MAIL")
        }
    );
    assert_eq!(parse("NOOP"), Command::Noop { argument: None });
    assert_eq!(
        parse("NOOP keep me\talive"),
        Command::Noop {
            argument: Some("keep me\talive")
        }
    );
    canonical("noop   x  y ", "NOOP x  y");
    canonical("VRFY <joe@example.org>", "VRFY <joe@example.org>");
    // RFC 6531 section 3.7.4.2: UTF-8 in VRFY/EXPN.
    assert_eq!(parse("VRFY jörg"), Command::Vrfy { argument: "jörg" });
}

#[test]
fn vrfy_expn_errors() {
    assert_err(
        "VRFY",
        CommandErrorKind::Syntax("an argument"),
        4,
        SYNTAX_501,
    );
    assert_err(
        "EXPN  ",
        CommandErrorKind::Syntax("an argument"),
        4,
        SYNTAX_501,
    );
    assert_err(
        "VRFY a\x00b",
        CommandErrorKind::Syntax("printable text"),
        6,
        SYNTAX_501,
    );
    assert_err(
        "NOOP x\ry",
        CommandErrorKind::Syntax("printable text"),
        6,
        SYNTAX_501,
    );
    assert_err(
        "HELP \x7f",
        CommandErrorKind::Syntax("printable text"),
        5,
        SYNTAX_501,
    );
    assert_err(
        "NOOP a\nRSET",
        CommandErrorKind::Syntax("printable text"),
        6,
        SYNTAX_501,
    );
}

// ---------------------------------------------------------------------------
// RFC 5321 appendix D.1: a typical transaction, client lines

#[test]
fn rfc5321_appendix_d1_client_lines() {
    let lines = [
        "EHLO bar.com\r\n",
        "MAIL FROM:<Smith@bar.com>\r\n",
        "RCPT TO:<Jones@foo.com>\r\n",
        "RCPT TO:<Green@foo.com>\r\n",
        "RCPT TO:<Brown@foo.com>\r\n",
        "DATA\r\n",
        "QUIT\r\n",
    ];
    let verbs: Vec<_> = lines
        .iter()
        .map(|line| {
            let cmd = Command::parse(line.as_bytes()).unwrap();
            // Already canonical: encoding gives the same bytes.
            assert_eq!(encoded(&cmd), *line);
            cmd.verb()
        })
        .collect();
    assert_eq!(
        verbs,
        ["EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA", "QUIT"]
    );
    let (to, _) = rcpt("RCPT TO:<Green@foo.com>");
    assert_eq!(
        to.mailbox().unwrap().domain(),
        &Domain::new("foo.com").unwrap()
    );
}

// ---------------------------------------------------------------------------
// ESMTP parameters of MAIL FROM

#[test]
fn size_rfc1870() {
    // RFC 1870 section 6 (size-value = 1*20DIGIT).
    let p = mail_params("SIZE=500000");
    assert_eq!(p.size, Some(500_000));
    assert_eq!(mail_params("size=0").size, Some(0));
    assert_eq!(
        mail_params("SIZE=18446744073709551615").size,
        Some(u64::MAX)
    );
    canonical(
        "MAIL FROM:<ned@thor.innosoft.com> SIZE=500000",
        "MAIL FROM:<ned@thor.innosoft.com> SIZE=500000",
    );
    let base = "MAIL FROM:<a@example.org> ".len();
    // Overflowing, too long, signed, empty, missing.
    for bad in [
        "SIZE=18446744073709551616",
        "SIZE=999999999999999999999",
        "SIZE=-1",
        "SIZE=+1",
        "SIZE=1k",
        "SIZE",
    ] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("SIZE"), base, SYNTAX_501);
    }
    assert_err(
        "MAIL FROM:<a@example.org> SIZE=",
        CommandErrorKind::Syntax("esmtp-value"),
        base + 5,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> SIZE=1 SIZE=2",
        dup("SIZE"),
        base + 7,
        SYNTAX_501,
    );
}

#[test]
fn body_rfc6152_and_rfc3030() {
    assert_eq!(mail_params("BODY=7BIT").body, Some(Body::SevenBit));
    assert_eq!(mail_params("BODY=8BITMIME").body, Some(Body::EightBitMime)); // RFC 6152 section 2
    assert_eq!(mail_params("body=8bitmime").body, Some(Body::EightBitMime));
    assert_eq!(mail_params("BODY=BINARYMIME").body, Some(Body::BinaryMime)); // RFC 3030 section 3
    canonical(
        "MAIL FROM:<a@example.org> body=binarymime",
        "MAIL FROM:<a@example.org> BODY=BINARYMIME",
    );
    let base = "MAIL FROM:<a@example.org> ".len();
    assert_err(
        "MAIL FROM:<a@example.org> BODY=9BIT",
        bad_param("BODY"),
        base,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> BODY",
        bad_param("BODY"),
        base,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> BODY=7BIT BODY=8BITMIME",
        dup("BODY"),
        base + 10,
        SYNTAX_501,
    );
}

#[test]
fn smtputf8_rfc6531() {
    // RFC 6531 section 3.4: SMTPUTF8 takes no value; section 3.3: UTF-8
    // in the addresses.
    let line = "MAIL FROM:<jörg@bücher.example> SMTPUTF8";
    let (path, params) = mail(line);
    assert!(params.smtputf8);
    let mailbox = path.mailbox().unwrap();
    assert_eq!(mailbox.local_part().as_str(), "jörg");
    assert_eq!(mailbox.domain().as_str(), "bücher.example");
    canonical(line, line);
    let (to, _) = rcpt("RCPT TO:<用户@例子.广告>");
    assert_eq!(to.to_string(), "<用户@例子.广告>");
    let base = "MAIL FROM:<a@example.org> ".len();
    assert_err(
        "MAIL FROM:<a@example.org> SMTPUTF8=yes",
        bad_param("SMTPUTF8"),
        base,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> SMTPUTF8 smtputf8",
        dup("SMTPUTF8"),
        base + 9,
        SYNTAX_501,
    );
}

#[test]
fn dsn_ret_and_envid_rfc3461_4_3_and_4_4() {
    let p = mail_params("RET=HDRS ENVID=QQ314159");
    assert_eq!(p.ret, Some(Ret::Headers));
    assert_eq!(p.envid.unwrap().as_str(), "QQ314159");
    assert_eq!(mail_params("ret=full").ret, Some(Ret::Full));
    // Section 4: xtext, "+XX" for '+', '=' and octets outside '!'..'~'.
    let p = mail_params("ENVID=a+2Bb+3Dc+20d");
    let envid = p.envid.unwrap();
    assert_eq!(envid.decode().as_ref(), b"a+b=c d");
    assert_eq!(XText::encode("a+b=c d"), "a+2Bb+3Dc+20d");
    canonical(
        "MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159",
        "MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159",
    );
    let base = "MAIL FROM:<a@example.org> ".len();
    for bad in ["RET=NONE", "RET"] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("RET"), base, SYNTAX_501);
    }
    // Malformed xtext: lower-case hex, short escape; over 100 characters.
    let long = format!("ENVID={}", "x".repeat(101));
    for bad in ["ENVID=a+2b", "ENVID=a+2", "ENVID", long.as_str()] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("ENVID"), base, SYNTAX_501);
    }
    assert_eq!(
        mail_params(&format!("ENVID={}", "x".repeat(100)))
            .envid
            .unwrap()
            .as_str()
            .len(),
        100
    );
    assert_err(
        "MAIL FROM:<a@example.org> RET=FULL RET=HDRS",
        dup("RET"),
        base + 9,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> ENVID=a ENVID=b",
        dup("ENVID"),
        base + 8,
        SYNTAX_501,
    );
}

#[test]
fn dsn_notify_and_orcpt_rfc3461_4_1_and_4_2() {
    let p = rcpt_params("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU");
    assert_eq!(
        p.notify,
        Some(Notify {
            success: true,
            failure: true,
            delay: false
        })
    );
    let orcpt = p.orcpt.unwrap();
    assert_eq!(orcpt.addr_type, "rfc822");
    assert_eq!(orcpt.address.as_str(), "Dana@Ivory.EDU");
    assert_eq!(rcpt_params("NOTIFY=NEVER").notify, Some(Notify::NEVER));
    assert!(rcpt_params("notify=delay").notify.unwrap().delay);
    // xtext in ORCPT: a space and a '+' in the original address.
    let p = rcpt_params("ORCPT=rfc822;john+2Bdoe+20x@example.org");
    assert_eq!(
        p.orcpt.unwrap().address.decode().as_ref(),
        b"john+doe x@example.org"
    );
    // RFC 6533 section 3: utf-8 address type.
    let p = rcpt_params("ORCPT=utf-8;j\\x{00F6}rg@example.org");
    assert_eq!(p.orcpt.unwrap().addr_type, "utf-8");
    canonical(
        "RCPT TO:<Bob@Example.COM> orcpt=rfc822;Bob@Example.COM notify=delay,success",
        "RCPT TO:<Bob@Example.COM> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;Bob@Example.COM",
    );
    let base = "RCPT TO:<a@example.org> ".len();
    for bad in [
        "NOTIFY=NEVER,SUCCESS",
        "NOTIFY=SUCCESS,SUCCESS",
        "NOTIFY=SOMETIMES",
        "NOTIFY=SUCCESS,",
        "NOTIFY",
    ] {
        let line = format!("RCPT TO:<a@example.org> {bad}");
        assert_err(&line, bad_param("NOTIFY"), base, SYNTAX_501);
    }
    for bad in [
        "ORCPT=rfc822",
        "ORCPT=;a@b",
        "ORCPT=rfc822;",
        "ORCPT=rfc822;a+zz",
    ] {
        let line = format!("RCPT TO:<a@example.org> {bad}");
        assert_err(&line, bad_param("ORCPT"), base, SYNTAX_501);
    }
    assert_err(
        "RCPT TO:<a@example.org> NOTIFY=DELAY NOTIFY=NEVER",
        dup("NOTIFY"),
        base + 13,
        SYNTAX_501,
    );
    assert_err(
        "RCPT TO:<a@example.org> ORCPT=rfc822;a ORCPT=rfc822;b",
        dup("ORCPT"),
        base + 15,
        SYNTAX_501,
    );
}

#[test]
fn auth_parameter_rfc4954_5() {
    assert_eq!(mail_params("AUTH=<>").auth, Some(MailAuth::Unknown));
    let p = mail_params("AUTH=e+3Dmc2@example.com");
    let Some(MailAuth::Address(x)) = p.auth else {
        panic!()
    };
    assert_eq!(x.decode().as_ref(), b"e=mc2@example.com");
    canonical(
        "MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com",
        "MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com",
    );
    canonical("MAIL FROM:<> auth=<>", "MAIL FROM:<> AUTH=<>");
    let base = "MAIL FROM:<a@example.org> ".len();
    for bad in ["AUTH", "AUTH=a+1"] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("AUTH"), base, SYNTAX_501);
    }
    assert_err(
        "MAIL FROM:<a@example.org> AUTH=<> AUTH=<>",
        dup("AUTH"),
        base + 8,
        SYNTAX_501,
    );
}

#[test]
fn requiretls_rfc8689_4_1() {
    let p = mail_params("REQUIRETLS");
    assert!(p.requiretls);
    canonical(
        "MAIL FROM:<a@example.org> requiretls size=5",
        "MAIL FROM:<a@example.org> SIZE=5 REQUIRETLS",
    );
    let base = "MAIL FROM:<a@example.org> ".len();
    assert_err(
        "MAIL FROM:<a@example.org> REQUIRETLS=YES",
        bad_param("REQUIRETLS"),
        base,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> REQUIRETLS REQUIRETLS",
        dup("REQUIRETLS"),
        base + 11,
        SYNTAX_501,
    );
}

#[test]
fn mt_priority_rfc6710_2() {
    // priority-value = 0*1("-" / "+") DIGIT
    for (value, want) in [("0", 0), ("3", 3), ("+3", 3), ("-9", -9), ("9", 9)] {
        assert_eq!(
            mail_params(&format!("MT-PRIORITY={value}")).mt_priority,
            Some(want)
        );
    }
    canonical(
        "MAIL FROM:<a@example.org> mt-priority=-4",
        "MAIL FROM:<a@example.org> MT-PRIORITY=-4",
    );
    canonical(
        "MAIL FROM:<a@example.org> MT-PRIORITY=+4",
        "MAIL FROM:<a@example.org> MT-PRIORITY=4",
    );
    let base = "MAIL FROM:<a@example.org> ".len();
    for bad in [
        "MT-PRIORITY=10",
        "MT-PRIORITY=-10",
        "MT-PRIORITY=x",
        "MT-PRIORITY",
    ] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("MT-PRIORITY"), base, SYNTAX_501);
    }
}

#[test]
fn futurerelease_rfc4865_3() {
    assert_eq!(mail_params("HOLDFOR=3600").hold, Some(Hold::For(3600)));
    assert_eq!(
        mail_params("HOLDFOR=999999999").hold,
        Some(Hold::For(999_999_999))
    );
    assert_eq!(
        mail_params("HOLDUNTIL=2025-06-01T12:00:00Z").hold,
        Some(Hold::Until("2025-06-01T12:00:00Z"))
    );
    assert_eq!(
        mail_params("HOLDUNTIL=2025-06-01T12:00:00.5+02:00").hold,
        Some(Hold::Until("2025-06-01T12:00:00.5+02:00"))
    );
    canonical(
        "MAIL FROM:<a@example.org> holdfor=60",
        "MAIL FROM:<a@example.org> HOLDFOR=60",
    );
    let base = "MAIL FROM:<a@example.org> ".len();
    for bad in ["HOLDFOR=1000000000", "HOLDFOR=-1", "HOLDFOR"] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("HOLDFOR"), base, SYNTAX_501);
    }
    for bad in ["HOLDUNTIL=tomorrow", "HOLDUNTIL=2025-06-01", "HOLDUNTIL"] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("HOLDUNTIL"), base, SYNTAX_501);
    }
    // HOLDFOR and HOLDUNTIL are exclusive (section 3).
    assert_err(
        "MAIL FROM:<a@example.org> HOLDFOR=1 HOLDUNTIL=2025-06-01T12:00:00Z",
        dup("HOLDUNTIL"),
        base + 10,
        SYNTAX_501,
    );
}

#[test]
fn deliverby_rfc2852_4() {
    assert_eq!(
        mail_params("BY=120;R").by,
        Some(DeliverBy {
            seconds: 120,
            return_if_late: true,
            trace: false
        })
    );
    assert_eq!(
        mail_params("BY=-60;NT").by,
        Some(DeliverBy {
            seconds: -60,
            return_if_late: false,
            trace: true
        })
    );
    canonical(
        "MAIL FROM:<a@example.org> by=+300;rt",
        "MAIL FROM:<a@example.org> BY=300;RT",
    );
    let base = "MAIL FROM:<a@example.org> ".len();
    for bad in [
        "BY=120",
        "BY=120;X",
        "BY=;R",
        "BY=1234567890;R",
        "BY=1;RTT",
        "BY",
    ] {
        let line = format!("MAIL FROM:<a@example.org> {bad}");
        assert_err(&line, bad_param("BY"), base, SYNTAX_501);
    }
}

#[test]
fn all_mail_parameters_together_in_canonical_order() {
    let line = "MAIL FROM:<a@example.org> X-B=1 BY=5;N HOLDFOR=9 MT-PRIORITY=1 REQUIRETLS \
                AUTH=<> ENVID=e RET=FULL SMTPUTF8 BODY=8BITMIME SIZE=7 X-A";
    let (_, p) = mail(line);
    assert_eq!(
        p.unknown().collect::<Vec<_>>(),
        [
            Parameter {
                keyword: "X-B",
                value: Some("1")
            },
            Parameter {
                keyword: "X-A",
                value: None
            },
        ]
    );
    canonical(
        line,
        "MAIL FROM:<a@example.org> SIZE=7 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=e AUTH=<> \
         REQUIRETLS MT-PRIORITY=1 HOLDFOR=9 BY=5;N X-B=1 X-A",
    );
}

#[test]
fn unknown_parameters_are_kept() {
    // RFC 5321 section 4.1.2: esmtp-param, kept for the server to answer
    // 555 (section 4.1.1.11) or for a relay to pass on.
    let (_, p) = mail("MAIL FROM:<a@example.org> XVERP X-ID=abc SIZE=1");
    assert_eq!(p.size, Some(1));
    let unknown: Vec<_> = p.unknown().map(|p| p.to_string()).collect();
    assert_eq!(unknown, ["XVERP", "X-ID=abc"]);
    assert!(MailParams::is_known("Size"));
    assert!(!MailParams::is_known("XVERP"));
    let (_, p) = rcpt("RCPT TO:<a@example.org> X-RCPT=é NOTIFY=NEVER");
    assert_eq!(p.unknown().next().unwrap().value, Some("é"));
    assert!(RcptParams::is_known("orcpt"));
    let base = "MAIL FROM:<a@example.org> ".len();
    assert_err(
        "MAIL FROM:<a@example.org> -X=1",
        CommandErrorKind::Syntax("esmtp-keyword"),
        base,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> X_Y=1",
        CommandErrorKind::Syntax("esmtp-keyword"),
        base,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> X=a=b",
        CommandErrorKind::Syntax("esmtp-value"),
        base + 3,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> X=a\tb",
        CommandErrorKind::Syntax("esmtp-value"),
        base + 3,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<a@example.org> X=ab\x01",
        CommandErrorKind::Syntax("esmtp-value"),
        base + 4,
        SYNTAX_501,
    );
}

// ---------------------------------------------------------------------------
// RFC 3030 BDAT, RFC 4954 AUTH

#[test]
fn bdat_rfc3030_2() {
    assert_eq!(
        parse("BDAT 1000"),
        Command::Bdat {
            size: 1000,
            last: false
        }
    );
    assert_eq!(
        parse("BDAT 0 LAST"),
        Command::Bdat {
            size: 0,
            last: true
        }
    );
    assert_eq!(
        parse("bdat 86 last"),
        Command::Bdat {
            size: 86,
            last: true
        }
    );
    canonical("BDAT  007   LAST ", "BDAT 7 LAST");
    canonical("BDAT 18446744073709551615", "BDAT 18446744073709551615");
    assert_err(
        "BDAT",
        CommandErrorKind::Syntax("chunk-size"),
        4,
        SYNTAX_501,
    );
    assert_err(
        "BDAT LAST",
        CommandErrorKind::Syntax("chunk-size"),
        5,
        SYNTAX_501,
    );
    assert_err(
        "BDAT -1",
        CommandErrorKind::Syntax("chunk-size"),
        5,
        SYNTAX_501,
    );
    assert_err(
        "BDAT 18446744073709551616",
        CommandErrorKind::Syntax("chunk-size"),
        5,
        SYNTAX_501,
    );
    assert_err(
        "BDAT 10 FIRST",
        CommandErrorKind::Syntax("LAST"),
        8,
        SYNTAX_501,
    );
    assert_err(
        "BDAT 10 LAST x",
        CommandErrorKind::Syntax("LAST"),
        8,
        SYNTAX_501,
    );
}

#[test]
fn auth_command_rfc4954_4() {
    // Section 4: "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=" style initial response.
    let cmd = parse("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=");
    assert_eq!(
        cmd,
        Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: Some(InitialResponse::Base64("dGVzdAB0ZXN0ADEyMzQ=")),
        }
    );
    assert_eq!(
        parse("AUTH LOGIN"),
        Command::Auth {
            mechanism: Mechanism::Login,
            initial_response: None,
        }
    );
    // "=" is the empty initial response.
    assert_eq!(
        parse("AUTH EXTERNAL ="),
        Command::Auth {
            mechanism: Mechanism::Other("EXTERNAL"),
            initial_response: Some(InitialResponse::Empty),
        }
    );
    assert_eq!(
        parse("auth cram-md5"),
        Command::Auth {
            mechanism: Mechanism::CramMd5,
            initial_response: None,
        }
    );
    assert!(matches!(
        parse(
            "AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
        ),
        Command::Auth {
            mechanism: Mechanism::XOAuth2,
            initial_response: Some(_)
        }
    ));
    canonical("auth plain  AGEAYg==", "AUTH PLAIN AGEAYg==");
    canonical("AUTH SCRAM-SHA-256", "AUTH SCRAM-SHA-256");
    canonical("AUTH external =", "AUTH external =");
    // Unpadded base64, as some clients send it.
    canonical("AUTH PLAIN AGEAYg", "AUTH PLAIN AGEAYg");
    assert_err("AUTH", CommandErrorKind::Syntax("sasl-mech"), 4, SYNTAX_501);
    assert_err(
        "AUTH ABCDEFGHIJKLMNOPQRSTU",
        CommandErrorKind::Syntax("sasl-mech"),
        5,
        SYNTAX_501,
    );
    assert_err(
        "AUTH PL.AIN",
        CommandErrorKind::Syntax("sasl-mech"),
        5,
        SYNTAX_501,
    );
    for (line, at) in [
        ("AUTH PLAIN abc$", 11),
        ("AUTH PLAIN a b", 11),
        ("AUTH PLAIN ==", 11),
        ("AUTH PLAIN abc===", 11),
        ("AUTH PLAIN abcde=", 11),
        ("AUTH PLAIN a", 11),
    ] {
        assert_err(
            line,
            CommandErrorKind::Syntax("base64 or '='"),
            at,
            SYNTAX_501,
        );
    }
}

#[test]
fn initial_response_debug_is_redacted() {
    let secret = "AGpvZQBzM2NyM3Q=";
    let line = format!("AUTH PLAIN {secret}");
    let cmd = parse(&line);
    let debug = format!("{cmd:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("Base64(<redacted>)"), "{debug}");
    assert_eq!(format!("{:?}", InitialResponse::Empty), "Empty");
    assert_eq!(
        format!("{:#?}", InitialResponse::Base64(secret)),
        "Base64(<redacted>)"
    );
    // The encoder still writes it.
    assert_eq!(encoded(&cmd), format!("{line}\r\n"));
}

// ---------------------------------------------------------------------------
// errors

#[test]
fn unknown_verbs_are_500_5_5_2() {
    for line in [
        "",
        "\r\n",
        "FROB",
        "FROB x",
        "MAILFROM:<a@b>",
        "DAT",
        "DATAX",
        "STARTTLSX",
        "STAR",
        "STAR TTLS",
        " QUIT",
        "QUIT\tnow",
        "ETRN example.org",
        "\u{fc}NKNOWN",
    ] {
        assert_err(line, CommandErrorKind::Unrecognized, 0, UNKNOWN_500);
    }
    // Not UTF-8 after an unknown verb: still 500.
    let e = err(b"XYZW \xff\xfe");
    assert_eq!(
        (e.kind(), e.reply_code()),
        (CommandErrorKind::Unrecognized, 500)
    );
    assert_eq!(
        err(b"\xff\xff\xff\xff").kind(),
        CommandErrorKind::Unrecognized
    );
    assert_eq!(
        err(b"FROB x").to_string(),
        "command not recognized at byte 0"
    );
}

#[test]
fn not_utf8_after_a_known_verb_is_501() {
    // In an address: the address is bad (the tokens check their bytes).
    let e = err(b"MAIL FROM:<j\xf6rg@example.org>");
    assert_eq!((e.kind(), e.offset()), (CommandErrorKind::BadSender, 12));
    assert_eq!((e.reply_code(), e.enhanced_status()), (501, "5.1.7"));
    let e = err(b"RCPT TO:<joe@ex\xe4mple.org>");
    assert_eq!(e.kind(), CommandErrorKind::BadRecipient);
    // Anywhere else: the line is not UTF-8.
    let e = err(b"MAIL FROM:<joe@example.org> X-A=\xff");
    assert_eq!((e.kind(), e.offset()), (CommandErrorKind::NotUtf8, 32));
    assert_eq!((e.reply_code(), e.enhanced_status()), SYNTAX_501);
    assert_eq!(e.to_string(), "line is not UTF-8 at byte 32");
    let e = err(b"RCPT TO:<joe@example.org> X=\xc3");
    assert_eq!((e.kind(), e.offset()), (CommandErrorKind::NotUtf8, 28));
    assert_eq!(err(b"NOOP \xc3").offset(), 5);
    assert_eq!(err(b"EHLO \xc3").kind(), CommandErrorKind::NotUtf8);
}

#[test]
fn garbage_after_argument_less_commands() {
    let want = CommandErrorKind::Syntax("end of line (no argument)");
    assert_err("DATA now", want, 4, SYNTAX_501);
    assert_err("DATA x\r\n", want, 4, SYNTAX_501);
    assert_err("RSET 1", want, 4, SYNTAX_501);
    assert_err("QUIT please", want, 4, SYNTAX_501);
    assert_err("STARTTLS x", want, 8, SYNTAX_501);
    // A verb must end at a space or the end of the line: a line break
    // inside the line makes it an unknown command.
    assert_err(
        "DATA\r\nQUIT",
        CommandErrorKind::Unrecognized,
        0,
        UNKNOWN_500,
    );
}

#[test]
fn bad_paths() {
    let sender = (501, "5.1.7");
    let recipient = (501, "5.1.3");
    assert_err(
        "MAIL FROM:joe@example.org",
        CommandErrorKind::Syntax("'<'"),
        10,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:",
        CommandErrorKind::Syntax("'<'"),
        10,
        SYNTAX_501,
    );
    assert_err(
        "MAIL TO:<a@b>",
        CommandErrorKind::Syntax("FROM:"),
        5,
        SYNTAX_501,
    );
    assert_err("MAIL", CommandErrorKind::Syntax("' '"), 4, SYNTAX_501);
    assert_err(
        "RCPT FROM:<a@b>",
        CommandErrorKind::Syntax("TO:"),
        5,
        SYNTAX_501,
    );
    assert_err("MAIL FROM:<joe@>", CommandErrorKind::BadSender, 15, sender);
    assert_err("MAIL FROM:<joe>", CommandErrorKind::BadSender, 14, sender);
    assert_err(
        "MAIL FROM:<joe@example.org",
        CommandErrorKind::BadSender,
        26,
        sender,
    );
    assert_err(
        "MAIL FROM:<a b@example.org>",
        CommandErrorKind::BadSender,
        12,
        sender,
    );
    assert_err("RCPT TO:<>", CommandErrorKind::BadRecipient, 9, recipient);
    assert_err(
        "RCPT TO:<@a.example>",
        CommandErrorKind::BadRecipient,
        19,
        recipient,
    );
    assert_err(
        "RCPT TO:<@:u@d.example>",
        CommandErrorKind::BadRecipient,
        10,
        recipient,
    );
    assert_err(
        "RCPT TO:<u@-d.example>",
        CommandErrorKind::BadRecipient,
        11,
        recipient,
    );
    let long = format!("RCPT TO:<{}@example.org>", "a".repeat(65));
    assert_err(&long, CommandErrorKind::BadRecipient, 9 + 64, recipient);
    assert_err(
        "RCPT TO:<a@example.org>SIZE=1",
        CommandErrorKind::Syntax("' ' or end of line after the path"),
        23,
        SYNTAX_501,
    );
    assert_err(
        "MAIL FROM:<>x",
        CommandErrorKind::Syntax("' ' or end of line after the path"),
        12,
        SYNTAX_501,
    );
    assert_eq!(
        err(b"MAIL FROM:<joe@>").to_string(),
        "bad sender address syntax at byte 15"
    );
}

// ---------------------------------------------------------------------------
// what real clients send

#[test]
fn lenient_forms() {
    let want = "MAIL FROM:<a@example.org> SIZE=10\r\n";
    for line in [
        "MAIL FROM:<a@example.org> SIZE=10",
        "MAIL FROM:<a@example.org> SIZE=10\r\n",
        "MAIL FROM:<a@example.org> SIZE=10\n",
        "mail from:<a@example.org> size=10",
        "Mail From:<a@example.org> Size=10",
        "MAIL FROM: <a@example.org> SIZE=10",
        "MAIL FROM:   <a@example.org>   SIZE=10",
        "MAIL  FROM:<a@example.org> SIZE=10",
        "MAIL FROM:<a@example.org> SIZE=10   ",
        "MAIL FROM:<a@example.org> SIZE=10 \t \r\n",
    ] {
        assert_eq!(encoded(&parse(line)), want, "{line:?}");
    }
    for line in [
        "rcpt to:<b@example.org>",
        "RCPT TO: <b@example.org>",
        "RCPT   TO:<b@example.org>\r\n",
        "RCPT TO:<b@example.org>  ",
    ] {
        assert_eq!(
            encoded(&parse(line)),
            "RCPT TO:<b@example.org>\r\n",
            "{line:?}"
        );
    }
    for line in ["quit", "Quit\r\n", "QUIT  ", "QUIT\n"] {
        assert_eq!(parse(line), Command::Quit);
    }
    assert_eq!(parse("starttls\r\n"), Command::StartTls);
    assert_eq!(parse("StartTLS"), Command::StartTls);
    assert_eq!(parse("data\r\n"), Command::Data);
    // Offsets count in the line as given (CRLF included or not).
    assert_err(
        "mail from:<joe@>\r\n",
        CommandErrorKind::BadSender,
        15,
        (501, "5.1.7"),
    );
}

#[test]
fn parse_borrows_from_the_line() {
    let line = b"MAIL FROM:<a@example.org> ENVID=xyz X-T=1\r\n".to_vec();
    let cmd = Command::parse(&line).unwrap();
    let Command::Mail { params, .. } = &cmd else {
        panic!()
    };
    let range = line.as_ptr_range();
    assert!(range.contains(&params.envid.unwrap().as_str().as_ptr()));
    assert!(range.contains(&params.raw.as_ptr()));
    assert_eq!(params.raw, "ENVID=xyz X-T=1");
}

// ---------------------------------------------------------------------------
// the encoder refuses to inject lines

fn refused(cmd: &Command<'_>) -> EncodeError {
    let mut out = Vec::new();
    let e = cmd.encode(&mut out).unwrap_err();
    assert!(out.is_empty(), "a refused command wrote {out:?}");
    e
}

#[test]
fn encoder_refuses_cr_lf_nul_in_free_text() {
    for bad in ["a\rb", "a\nb", "a\0b", "x\r\nRSET", "\r\n"] {
        for cmd in [
            Command::Vrfy { argument: bad },
            Command::Expn { argument: bad },
            Command::Help {
                argument: Some(bad),
            },
            Command::Noop {
                argument: Some(bad),
            },
            Command::Ehlo {
                client: ClientId::Other(bad),
            },
            Command::Helo {
                client: ClientId::Other(bad),
            },
            Command::Lhlo {
                client: ClientId::Other(bad),
            },
        ] {
            let e = refused(&cmd);
            assert!(
                matches!(
                    e,
                    EncodeError::ForbiddenByte {
                        byte: b'\r' | b'\n' | 0,
                        ..
                    }
                ),
                "{cmd:?}: {e}"
            );
        }
    }
    assert_eq!(
        refused(&Command::Vrfy { argument: "a\nb" }).to_string(),
        "VRFY argument holds the forbidden byte 0x0a"
    );
    // Empty or space-padded text would not read back.
    for bad in ["", " ", " x", "x ", "x\t"] {
        assert!(matches!(
            refused(&Command::Noop {
                argument: Some(bad)
            }),
            EncodeError::Invalid { .. }
        ));
    }
    assert!(matches!(
        refused(&Command::Ehlo {
            client: ClientId::Other("a b")
        }),
        EncodeError::ForbiddenByte { byte: b' ', .. }
    ));
}

#[test]
fn encoder_refuses_injection_in_parameters() {
    for raw in [
        "X-A=1\r\nRSET",
        "X-A=\n",
        "X-A=\0",
        "X\r\n",
        "X\0",
        "=abc",
        "-X=1",
        "X=a=b",
        "X=\x7f",
    ] {
        let mut mail = MailParams::default();
        mail.raw = raw;
        let e = refused(&Command::Mail {
            reverse_path: ReversePath::Null,
            params: mail,
        });
        assert!(
            matches!(
                e,
                EncodeError::ForbiddenByte { .. } | EncodeError::Invalid { .. }
            ),
            "{raw:?}"
        );
        let mut params = RcptParams::default();
        params.raw = raw;
        refused(&Command::Rcpt {
            forward_path: ForwardPath::Postmaster,
            params,
        });
    }
    let mut params = MailParams::default();
    params.hold = Some(Hold::Until("2025-06-01T12:00:00Z\r\nRSET"));
    assert!(matches!(
        refused(&Command::Mail {
            reverse_path: ReversePath::Null,
            params
        }),
        EncodeError::ForbiddenByte { byte: b'\r', .. }
    ));
    // Known keywords in `raw` are ignored: the fields are what is written.
    let mut params = MailParams::default();
    params.raw = "SIZE=\r\nRSET X-OK";
    let cmd = Command::Mail {
        reverse_path: ReversePath::Null,
        params,
    };
    assert_eq!(encoded(&cmd), "MAIL FROM:<> X-OK\r\n");
}

#[test]
fn encoder_refuses_values_that_would_not_read_back() {
    let mail = |params: MailParams<'static>| Command::Mail {
        reverse_path: ReversePath::Null,
        params,
    };
    let mut p = MailParams::default();
    p.mt_priority = Some(10);
    refused(&mail(p));
    let mut p = MailParams::default();
    p.hold = Some(Hold::For(1_000_000_000));
    refused(&mail(p));
    let mut p = MailParams::default();
    p.hold = Some(Hold::Until("tomorrow"));
    refused(&mail(p));
    let mut p = MailParams::default();
    p.by = Some(DeliverBy {
        seconds: 1_000_000_000,
        return_if_late: true,
        trace: false,
    });
    refused(&mail(p));
    let mut p = MailParams::default();
    p.envid = XText::new("");
    refused(&mail(p));
    let long: &'static str = Box::leak("x".repeat(101).into_boxed_str());
    let mut p = MailParams::default();
    p.envid = XText::new(long);
    refused(&mail(p));
    let mut p = MailParams::default();
    p.auth = Some(MailAuth::Address(XText::new("").unwrap()));
    refused(&mail(p));
    let rcpt = |params: RcptParams<'static>| Command::Rcpt {
        forward_path: ForwardPath::Postmaster,
        params,
    };
    for (addr_type, address) in [("", "a"), ("rfc 822", "a"), ("a=b", "a"), ("rfc822", "")] {
        let mut p = RcptParams::default();
        p.orcpt = Some(OriginalRecipient {
            addr_type,
            address: XText::new(address).unwrap(),
        });
        refused(&rcpt(p));
    }
    for mechanism in [
        Mechanism::Other(""),
        Mechanism::Other("A B"),
        Mechanism::Other("X\r\n"),
        Mechanism::Other("ABCDEFGHIJKLMNOPQRSTU"),
    ] {
        refused(&Command::Auth {
            mechanism,
            initial_response: None,
        });
    }
    for text in ["a\r\nb", "", "ab$c", "=="] {
        refused(&Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: Some(InitialResponse::Base64(text)),
        });
    }
}

#[test]
fn encoder_writes_every_field() {
    let mut params = MailParams::default();
    params.size = Some(1);
    params.body = Some(Body::SevenBit);
    params.smtputf8 = true;
    params.ret = Some(Ret::Headers);
    params.envid = XText::new("id+2B1");
    params.auth = Some(MailAuth::Address(XText::new("a@b").unwrap()));
    params.requiretls = true;
    params.mt_priority = Some(-3);
    params.hold = Some(Hold::Until("2030-01-01T00:00:00Z"));
    params.by = Some(DeliverBy {
        seconds: -5,
        return_if_late: false,
        trace: true,
    });
    params.raw = "X-Z=9";
    let cmd = Command::Mail {
        reverse_path: ReversePath::Null,
        params,
    };
    assert_eq!(
        encoded(&cmd),
        "MAIL FROM:<> SIZE=1 BODY=7BIT SMTPUTF8 RET=HDRS ENVID=id+2B1 AUTH=a@b REQUIRETLS \
         MT-PRIORITY=-3 HOLDUNTIL=2030-01-01T00:00:00Z BY=-5;NT X-Z=9\r\n"
    );
    let mut params = RcptParams::default();
    params.notify = Some(Notify::NEVER);
    params.orcpt = Some(OriginalRecipient {
        addr_type: "rfc822",
        address: XText::new("a@b").unwrap(),
    });
    let cmd = Command::Rcpt {
        forward_path: ForwardPath::Postmaster,
        params,
    };
    assert_eq!(
        encoded(&cmd),
        "RCPT TO:<Postmaster> NOTIFY=NEVER ORCPT=rfc822;a@b\r\n"
    );
    let mut out = bytes::BytesMut::new();
    Command::Bdat {
        size: 42,
        last: true,
    }
    .encode(&mut out)
    .unwrap();
    assert_eq!(&out[..], b"BDAT 42 LAST\r\n");
    assert_eq!(
        Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: Some(InitialResponse::Empty)
        }
        .to_bytes()
        .unwrap(),
        b"AUTH PLAIN =\r\n"
    );
}
