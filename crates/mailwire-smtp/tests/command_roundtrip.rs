//! Property tests for the command parser and encoder, both ways:
//!
//! - value -> encode -> parse gives the same typed fields, and encoding
//!   the parsed command gives the same bytes;
//! - bytes -> parse -> encode -> parse -> encode is stable (the second
//!   encoding equals the first), for lines built from command-like tokens
//!   and for mutated encodings of valid commands.
//!
//! `MailParams::raw` / `RcptParams::raw` hold the text as received, so they
//! differ between a built value and its parsed form by construction: the
//! typed fields, the unknown parameters and the bytes are compared instead.

use mailwire_core::token::{Domain, Mailbox};
use mailwire_smtp::types::{
    Body, ClientId, Command, DeliverBy, ForwardPath, Hold, InitialResponse, MailAuth, MailParams,
    Mechanism, Notify, OriginalRecipient, Parameter, Path, RcptParams, Ret, ReversePath, XText,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// owned descriptions of commands, from which borrowed `Command`s are built

#[derive(Debug, Clone)]
struct Addr {
    local: String,
    domain: String,
}

#[derive(Debug, Clone, Default)]
struct MailSpec {
    size: Option<u64>,
    body: Option<Body>,
    smtputf8: bool,
    ret: Option<Ret>,
    envid: Option<String>,
    auth: Option<Option<String>>,
    requiretls: bool,
    mt_priority: Option<i8>,
    hold_for: Option<u32>,
    hold_until: Option<String>,
    by: Option<DeliverBy>,
    raw: String,
}

#[derive(Debug, Clone, Default)]
struct RcptSpec {
    notify: Option<Notify>,
    orcpt: Option<(String, String)>,
    raw: String,
}

#[derive(Debug, Clone)]
enum Spec {
    Hello(u8, String),
    Mail(Option<Addr>, MailSpec),
    Rcpt(Option<Addr>, RcptSpec),
    Bare(u8),
    Bdat(u64, bool),
    Text(u8, Option<String>),
    Auth(String, Option<Option<String>>),
}

fn mailbox(addr: &Addr) -> Mailbox<'_> {
    Mailbox::new(&addr.local, &addr.domain).expect("generated mailbox is valid")
}

fn build(spec: &Spec) -> Command<'_> {
    match spec {
        Spec::Hello(kind, name) => {
            let client = match Domain::new(name) {
                Ok(domain) => ClientId::Domain(domain),
                Err(_) => ClientId::Other(name),
            };
            match kind % 3 {
                0 => Command::Helo { client },
                1 => Command::Ehlo { client },
                _ => Command::Lhlo { client },
            }
        }
        Spec::Mail(addr, m) => {
            let reverse_path = match addr {
                None => ReversePath::Null,
                Some(addr) => ReversePath::Path(Path::new(mailbox(addr))),
            };
            let mut params = MailParams::default();
            params.size = m.size;
            params.body = m.body;
            params.smtputf8 = m.smtputf8;
            params.ret = m.ret;
            params.envid = m.envid.as_deref().map(|e| XText::new(e).unwrap());
            params.auth = m.auth.as_ref().map(|a| match a {
                None => MailAuth::Unknown,
                Some(a) => MailAuth::Address(XText::new(a).unwrap()),
            });
            params.requiretls = m.requiretls;
            params.mt_priority = m.mt_priority;
            params.hold = match (&m.hold_for, &m.hold_until) {
                (Some(s), _) => Some(Hold::For(*s)),
                (None, Some(t)) => Some(Hold::Until(t)),
                (None, None) => None,
            };
            params.by = m.by;
            params.raw = &m.raw;
            Command::Mail {
                reverse_path,
                params,
            }
        }
        Spec::Rcpt(addr, r) => {
            let forward_path = match addr {
                None => ForwardPath::Postmaster,
                Some(addr) => ForwardPath::Path(Path::new(mailbox(addr))),
            };
            let mut params = RcptParams::default();
            params.notify = r.notify;
            params.orcpt = r.orcpt.as_ref().map(|(t, a)| OriginalRecipient {
                addr_type: t,
                address: XText::new(a).unwrap(),
            });
            params.raw = &r.raw;
            Command::Rcpt {
                forward_path,
                params,
            }
        }
        Spec::Bare(kind) => match kind % 4 {
            0 => Command::Data,
            1 => Command::Rset,
            2 => Command::Quit,
            _ => Command::StartTls,
        },
        Spec::Bdat(size, last) => Command::Bdat {
            size: *size,
            last: *last,
        },
        Spec::Text(kind, text) => match (kind % 4, text) {
            (0, Some(t)) => Command::Vrfy { argument: t },
            (1, Some(t)) => Command::Expn { argument: t },
            (2, t) => Command::Help {
                argument: t.as_deref(),
            },
            (_, t) => Command::Noop {
                argument: t.as_deref(),
            },
        },
        Spec::Auth(mech, response) => Command::Auth {
            mechanism: Mechanism::from_name(mech),
            initial_response: response.as_ref().map(|r| match r {
                None => InitialResponse::Empty,
                Some(r) => InitialResponse::Base64(r),
            }),
        },
    }
}

// ---------------------------------------------------------------------------
// strategies

fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?"
}

fn domain() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::collection::vec(label(), 1..4).prop_map(|l| l.join(".")),
        1 => (any::<[u8; 4]>()).prop_map(|o| format!("[{}.{}.{}.{}]", o[0], o[1], o[2], o[3])),
        1 => Just("[IPv6:2001:db8::1]".to_owned()),
        1 => Just("bücher.example".to_owned()),
    ]
    .boxed()
}

fn local() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\\.[a-zA-Z0-9_+-]{1,8}){0,2}",
        1 => "[a-z \"\\\\@,.]{0,12}",
        1 => Just("jörg".to_owned()),
    ]
    .boxed()
}

fn addr() -> impl Strategy<Value = Addr> {
    (local(), domain()).prop_map(|(local, domain)| Addr { local, domain })
}

fn xtext_source() -> impl Strategy<Value = String> {
    "[ -~é]{1,30}".prop_map(|s| XText::encode(&s))
}

/// Unknown parameters: keywords that are not known, values of esmtp-value.
fn unknown_raw() -> impl Strategy<Value = String> {
    prop::collection::vec(("X-[A-Z0-9]{1,5}", prop::option::of("[!-<>-~]{1,8}")), 0..3).prop_map(
        |params| {
            params
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}={v}"),
                    None => k.clone(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

fn mail_spec() -> impl Strategy<Value = MailSpec> {
    let a = (
        prop::option::of(any::<u64>()),
        prop::option::of(prop_oneof![
            Just(Body::SevenBit),
            Just(Body::EightBitMime),
            Just(Body::BinaryMime)
        ]),
        any::<bool>(),
        prop::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
        prop::option::of(xtext_source()),
        prop::option::of(prop::option::of(xtext_source())),
    );
    let b = (
        any::<bool>(),
        prop::option::of(-9i8..=9),
        prop::option::of(0u32..=999_999_999),
        prop::option::of(
            (
                2000u32..2100,
                1u32..13,
                1u32..29,
                0u32..24,
                0u32..60,
                0u32..60,
            )
                .prop_map(|(y, mo, d, h, mi, s)| {
                    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
                }),
        ),
        prop::option::of(
            (-999_999_999i32..=999_999_999, any::<bool>(), any::<bool>()).prop_map(
                |(seconds, return_if_late, trace)| DeliverBy {
                    seconds,
                    return_if_late,
                    trace,
                },
            ),
        ),
        unknown_raw(),
    );
    (a, b).prop_map(
        |(
            (size, body, smtputf8, ret, envid, auth),
            (requiretls, mt_priority, hold_for, hold_until, by, raw),
        )| MailSpec {
            size,
            body,
            smtputf8,
            ret,
            envid,
            auth,
            requiretls,
            mt_priority,
            hold_for,
            hold_until,
            by,
            raw,
        },
    )
}

fn rcpt_spec() -> impl Strategy<Value = RcptSpec> {
    (
        prop::option::of((any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(success, failure, delay)| Notify {
                success,
                failure,
                delay,
            },
        )),
        prop::option::of((
            prop_oneof![Just("rfc822"), Just("utf-8"), Just("X-x400")],
            xtext_source(),
        )),
        unknown_raw(),
    )
        .prop_map(|(notify, orcpt, raw)| RcptSpec {
            notify,
            orcpt: orcpt.map(|(t, a)| (t.to_owned(), a)),
            raw,
        })
}

/// Base64 text as an encoder writes it.
fn base64() -> impl Strategy<Value = String> {
    "([A-Za-z0-9+/]{4}){1,6}([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
}

/// Free text: printable, UTF-8 allowed, no white space at either end.
fn text() -> impl Strategy<Value = String> {
    "[!-~é]([ -~é\t]{0,12}[!-~é])?"
}

fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        1 => (any::<u8>(), prop_oneof![domain(), "[a-z]{1,5}_[a-z0-9]{1,5}".boxed()])
            .prop_map(|(k, n)| Spec::Hello(k, n)),
        3 => (prop::option::of(addr()), mail_spec()).prop_map(|(a, m)| Spec::Mail(a, m)),
        3 => (prop::option::of(addr()), rcpt_spec()).prop_map(|(a, r)| Spec::Rcpt(a, r)),
        1 => any::<u8>().prop_map(Spec::Bare),
        1 => (any::<u64>(), any::<bool>()).prop_map(|(s, l)| Spec::Bdat(s, l)),
        1 => (0u8..2, text()).prop_map(|(k, t)| Spec::Text(k, Some(t))),
        1 => (2u8..4, prop::option::of(text())).prop_map(|(k, t)| Spec::Text(k, t)),
        1 => (
            prop_oneof![
                Just("PLAIN".to_owned()),
                Just("LOGIN".to_owned()),
                Just("CRAM-MD5".to_owned()),
                Just("XOAUTH2".to_owned()),
                "X-[A-Z0-9_-]{1,10}",
            ],
            prop::option::of(prop::option::of(base64()))
        )
            .prop_map(|(m, r)| Spec::Auth(m, r)),
    ]
}

// ---------------------------------------------------------------------------
// comparisons

/// The command with the raw parameter text cleared, and the unknown
/// parameters it held.
fn typed<'a>(cmd: &Command<'a>) -> (Command<'a>, Vec<Parameter<'a>>) {
    let mut cmd = cmd.clone();
    let unknown = match &mut cmd {
        Command::Mail { params, .. } => {
            let unknown = params.unknown().collect();
            params.raw = "";
            unknown
        }
        Command::Rcpt { params, .. } => {
            let unknown = params.unknown().collect();
            params.raw = "";
            unknown
        }
        _ => Vec::new(),
    };
    (cmd, unknown)
}

/// bytes -> parse -> encode -> parse -> encode is stable, and every error
/// offset lies within the line.
fn check_stable(line: &[u8]) -> Result<(), TestCaseError> {
    match Command::parse(line) {
        Err(e) => prop_assert!(e.offset() <= line.len(), "{e} in {line:?}"),
        Ok(cmd) => {
            let first = cmd.to_bytes().map_err(|e| {
                TestCaseError::fail(format!("{cmd:?} parsed from {line:?} does not encode: {e}"))
            })?;
            let again = Command::parse(&first).map_err(|e| {
                TestCaseError::fail(format!("{first:?} (from {line:?}) does not parse: {e}"))
            })?;
            prop_assert_eq!(typed(&again), typed(&cmd), "{:?}", line);
            prop_assert_eq!(again.to_bytes().unwrap(), first);
        }
    }
    Ok(())
}

/// Token soup that often looks like a command.
fn command_like() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(&b"MAIL FROM:"[..]),
        Just(&b"RCPT TO:"[..]),
        Just(&b"EHLO "[..]),
        Just(&b"AUTH PLAIN "[..]),
        Just(&b"BDAT "[..]),
        Just(&b"NOOP "[..]),
        Just(&b"VRFY "[..]),
        Just(&b"STARTTLS"[..]),
        Just(&b"DATA"[..]),
        Just(&b"<"[..]),
        Just(&b">"[..]),
        Just(&b"<>"[..]),
        Just(&b"@"[..]),
        Just(&b"@a.example,"[..]),
        Just(&b":"[..]),
        Just(&b" "[..]),
        Just(&b"="[..]),
        Just(&b";"[..]),
        Just(&b"+2B"[..]),
        Just(&b"\""[..]),
        Just(&b"\\"[..]),
        Just(&b"."[..]),
        Just(&b"["[..]),
        Just(&b"]"[..]),
        Just(&b"SIZE=12"[..]),
        Just(&b"NOTIFY="[..]),
        Just(&b"SUCCESS,"[..]),
        Just(&b"ORCPT=rfc822;"[..]),
        Just(&b"BY=1;R"[..]),
        Just(&b"HOLDUNTIL=2025-01-01T00:00:00Z"[..]),
        Just(&b"LAST"[..]),
        Just(&b"user"[..]),
        Just(&b"example.org"[..]),
        Just(&b"Postmaster"[..]),
        Just("é".as_bytes()),
        Just(&b"\t"[..]),
        Just(&b"\r\n"[..]),
        Just(&b"\x00"[..]),
        Just(&b"\xff"[..]),
        Just(&b"=="[..]),
        Just(&b"AGEAYg"[..]),
    ];
    prop::collection::vec(token, 1..12).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// value -> encode -> parse == value (typed fields), and the parsed
    /// command encodes to the same bytes.
    #[test]
    fn value_encode_parse(spec in spec()) {
        let cmd = build(&spec);
        let bytes = cmd.to_bytes().map_err(|e| TestCaseError::fail(format!("{cmd:?}: {e}")))?;
        prop_assert!(bytes.ends_with(b"\r\n"));
        prop_assert!(!bytes[..bytes.len() - 2].iter().any(|&b| b == b'\r' || b == b'\n' || b == 0));
        let parsed = Command::parse(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{:?}: {e}", String::from_utf8_lossy(&bytes))))?;
        prop_assert_eq!(typed(&parsed), typed(&cmd));
        prop_assert_eq!(parsed.to_bytes().unwrap(), bytes);
    }

    /// Encodings of valid commands, with the case of letters flipped and
    /// spaces added where clients add them, read back to the same command.
    #[test]
    fn lenient_variants_read_back(spec in spec(), lower in any::<bool>(), extra in 0usize..3) {
        let cmd = build(&spec);
        let canonical = cmd.to_bytes().unwrap();
        let mut line = String::from_utf8(canonical.clone()).unwrap();
        line.truncate(line.len() - 2);
        if lower && matches!(cmd, Command::Data | Command::Rset | Command::Quit | Command::StartTls | Command::Bdat { .. }) {
            line = line.to_lowercase();
        }
        let spaces = " ".repeat(extra);
        if let Some(rest) = line.strip_prefix("MAIL FROM:") {
            line = format!("mail{spaces} from:{spaces}{rest}");
        } else if let Some(rest) = line.strip_prefix("RCPT TO:") {
            line = format!("Rcpt{spaces} To:{spaces}{rest}");
        }
        line.push_str(&spaces);
        if extra == 1 {
            line.push_str("\r\n");
        }
        let parsed = Command::parse(line.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{line:?}: {e}")))?;
        prop_assert_eq!(parsed.to_bytes().unwrap(), canonical);
    }

    /// bytes -> parse -> encode -> parse is stable for command-like soup.
    #[test]
    fn token_soup_is_stable(line in command_like()) {
        check_stable(&line)?;
    }

    /// ... and for valid encodings with a byte changed, inserted or removed.
    #[test]
    fn mutated_commands_are_stable(spec in spec(), at in any::<prop::sample::Index>(), byte in any::<u8>(), how in 0u8..3) {
        let mut line = build(&spec).to_bytes().unwrap();
        let i = at.index(line.len());
        match how {
            0 => line[i] = byte,
            1 => line.insert(i, byte),
            _ => { line.remove(i); }
        }
        check_stable(&line)?;
    }

    /// Arbitrary bytes never panic and errors stay within the line.
    #[test]
    fn arbitrary_bytes_are_stable(line in prop::collection::vec(any::<u8>(), 0..64)) {
        check_stable(&line)?;
    }
}
