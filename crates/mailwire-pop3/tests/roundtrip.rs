//! Property tests both ways: value -> encode -> parse == value, and
//! bytes -> parse -> encode -> parse gives the same value.

use mailwire_pop3::parse::Limits;
use mailwire_pop3::types::{
    Capability, Command, Continuation, InitialResponse, Response, ResponseCode, SaslResponse,
    ScanListing, Secret, Status, UniqueIdListing,
};
use proptest::prelude::*;

/// A command's owned parts, so that a strategy can make them.
#[derive(Debug, Clone)]
enum Owned {
    User(String),
    Pass(String),
    Apop(String, String),
    Auth(Option<(String, Option<Option<String>>)>),
    Stat,
    List(Option<u32>),
    Retr(u32),
    Dele(u32),
    Noop,
    Rset,
    Quit,
    Top(u32, u32),
    Uidl(Option<u32>),
    Capa,
    Stls,
    Utf8,
    Lang(Option<String>),
}

impl Owned {
    fn command(&self) -> Command<'_> {
        match self {
            Owned::User(name) => Command::User { name },
            Owned::Pass(p) => Command::Pass {
                password: Secret::new(p),
            },
            Owned::Apop(name, digest) => Command::Apop { name, digest },
            Owned::Auth(None) => Command::Auth {
                mechanism: None,
                initial_response: None,
            },
            Owned::Auth(Some((mech, ir))) => Command::Auth {
                mechanism: Some(mech),
                initial_response: ir.as_ref().map(|ir| match ir {
                    None => InitialResponse::Empty,
                    Some(data) => InitialResponse::Base64(Secret::new(data)),
                }),
            },
            Owned::Stat => Command::Stat,
            Owned::List(msg) => Command::List { msg: *msg },
            Owned::Retr(msg) => Command::Retr { msg: *msg },
            Owned::Dele(msg) => Command::Dele { msg: *msg },
            Owned::Noop => Command::Noop,
            Owned::Rset => Command::Rset,
            Owned::Quit => Command::Quit,
            Owned::Top(msg, lines) => Command::Top {
                msg: *msg,
                lines: *lines,
            },
            Owned::Uidl(msg) => Command::Uidl { msg: *msg },
            Owned::Capa => Command::Capa,
            Owned::Stls => Command::Stls,
            Owned::Utf8 => Command::Utf8,
            Owned::Lang(tag) => Command::Lang {
                tag: tag.as_deref(),
            },
        }
    }
}

fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._@!#%&*+=?^~é中-]{1,30}"
}

fn owned_command() -> impl Strategy<Value = Owned> {
    prop_oneof![
        word().prop_map(Owned::User),
        "[ -~\té中]{1,60}".prop_map(Owned::Pass),
        (word(), "[0-9a-fA-F]{32}").prop_map(|(n, d)| Owned::Apop(n, d)),
        proptest::option::of((
            "[A-Z0-9_-]{1,20}",
            proptest::option::of(proptest::option::of("[A-Za-z0-9+/]{1,60}={0,2}")),
        ))
        .prop_map(Owned::Auth),
        Just(Owned::Stat),
        any::<Option<u32>>().prop_map(Owned::List),
        any::<u32>().prop_map(Owned::Retr),
        any::<u32>().prop_map(Owned::Dele),
        Just(Owned::Noop),
        Just(Owned::Rset),
        Just(Owned::Quit),
        (any::<u32>(), any::<u32>()).prop_map(|(m, n)| Owned::Top(m, n)),
        any::<Option<u32>>().prop_map(Owned::Uidl),
        Just(Owned::Capa),
        Just(Owned::Stls),
        Just(Owned::Utf8),
        proptest::option::of("\\*|[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}").prop_map(Owned::Lang),
    ]
}

/// Lines that look like commands more often than random bytes would.
fn command_line() -> impl Strategy<Value = Vec<u8>> {
    let keyword = prop_oneof![
        Just("USER"),
        Just("pass"),
        Just("APOP"),
        Just("auth"),
        Just("STAT"),
        Just("List"),
        Just("RETR"),
        Just("DELE"),
        Just("NOOP"),
        Just("RSET"),
        Just("QUIT"),
        Just("top"),
        Just("UIDL"),
        Just("CAPA"),
        Just("STLS"),
        Just("UTF8"),
        Just("LANG"),
        Just("XYZ"),
    ];
    (
        keyword,
        proptest::collection::vec(
            prop_oneof![
                "[0-9]{1,11}",
                "[ -~]{0,12}",
                Just("=".to_owned()),
                Just("*".to_owned()),
                "[0-9a-f]{32}",
                proptest::collection::vec(any::<u8>(), 0..4)
                    .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            ],
            0..4,
        ),
        proptest::option::of(prop_oneof![Just("\r\n"), Just("\n"), Just(" "), Just("\r")]),
    )
        .prop_map(|(k, args, end)| {
            let mut line = k.to_owned();
            for a in args {
                line.push(' ');
                line.push_str(&a);
            }
            line.push_str(end.unwrap_or(""));
            line.into_bytes()
        })
}

fn code() -> impl Strategy<Value = ResponseCode<'static>> {
    prop_oneof![
        Just(ResponseCode::InUse),
        Just(ResponseCode::LoginDelay),
        Just(ResponseCode::SysTemp),
        Just(ResponseCode::SysPerm),
        Just(ResponseCode::Auth),
        Just(ResponseCode::Utf8),
        "X-[A-Z0-9-]{1,10}(/[A-Za-z0-9.\\[-]{1,10}){0,2}"
            .prop_map(|c| ResponseCode::Other(c.into())),
    ]
}

fn response_line() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![
            Just("+OK"),
            Just("-ERR"),
            Just("+ok"),
            Just("+"),
            Just("-err")
        ],
        proptest::option::of(prop_oneof![
            "\\[[ -~]{0,12}\\]",
            "\\[(IN-USE|SYS/TEMP|AUTH|X/Y)\\]",
        ]),
        proptest::collection::vec(any::<u8>(), 0..30),
        any::<bool>(),
    )
        .prop_map(|(status, code, text, space)| {
            let mut line = status.as_bytes().to_vec();
            if space || code.is_some() {
                line.push(b' ');
            }
            if let Some(code) = code {
                line.extend_from_slice(code.as_bytes());
            }
            line.extend_from_slice(&text);
            line
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn command_value_encode_parse(owned in owned_command()) {
        let command = owned.command();
        let bytes = command.to_bytes().unwrap();
        prop_assert!(bytes.ends_with(b"\r\n"));
        let parsed = Command::parse_with_limits(&bytes, &Limits::UNLIMITED).unwrap();
        prop_assert_eq!(parsed, command);
    }

    #[test]
    fn command_bytes_parse_encode_parse(line in command_line()) {
        if let Ok(first) = Command::parse(&line) {
            let bytes = first.to_bytes().unwrap();
            prop_assert!(bytes.len() <= line.len() + 2, "encoding grew the line");
            let again = Command::parse(&bytes).unwrap();
            prop_assert_eq!(again, first);
        }
    }

    #[test]
    fn command_random_bytes(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        match Command::parse(&line) {
            Ok(first) => {
                let bytes = first.to_bytes().unwrap();
                prop_assert_eq!(Command::parse(&bytes).unwrap(), first);
            }
            Err(e) => prop_assert!(e.offset() <= line.len()),
        }
    }

    #[test]
    fn response_value_encode_parse(
        ok in any::<bool>(),
        code in proptest::option::of(code()),
        text in "[ -~\té]{0,80}",
    ) {
        let status = if ok { Status::Ok } else { Status::Err };
        let response = Response::new(status, code.clone(), &text);
        match response.to_bytes() {
            Ok(bytes) => {
                let parsed = Response::parse(&bytes).unwrap();
                prop_assert_eq!(parsed, response);
            }
            Err(_) => prop_assert!(code.is_none() && text.starts_with('[')),
        }
    }

    #[test]
    fn response_bytes_parse_encode_parse(line in response_line()) {
        if let Ok(first) = Response::parse(&line) {
            let bytes = first.to_bytes().unwrap();
            let again = Response::parse_with_limits(&bytes, &Limits::UNLIMITED).unwrap();
            prop_assert_eq!(again, first);
        }
        if let Ok(first) = Continuation::parse(&line) {
            let bytes = first.to_bytes().unwrap();
            prop_assert_eq!(Continuation::parse_with_limits(&bytes, &Limits::UNLIMITED).unwrap(), first);
        }
    }

    #[test]
    fn continuation_and_sasl_values(data in "[A-Za-z0-9+/=]{0,80}", cancel in any::<bool>()) {
        let c = Continuation::new(&data);
        let bytes = c.to_bytes().unwrap();
        prop_assert_eq!(Continuation::parse(&bytes).unwrap(), c);
        let s = if cancel { SaslResponse::Cancel } else { SaslResponse::Data(Secret::new(&data)) };
        let bytes = s.to_bytes().unwrap();
        let parsed = SaslResponse::parse(&bytes).unwrap();
        if data == "*" {
            prop_assert_eq!(parsed, SaslResponse::Cancel);
        } else {
            prop_assert_eq!(parsed, s);
        }
    }

    #[test]
    fn listing_values(msg in any::<u32>(), size in any::<u64>(), uid in "[!-~]{1,70}") {
        let scan = ScanListing { msg, size };
        prop_assert_eq!(ScanListing::parse(&scan.to_bytes()).unwrap(), scan);
        let unique = UniqueIdListing { msg, uid: &uid };
        let bytes = unique.to_bytes().unwrap();
        prop_assert_eq!(UniqueIdListing::parse(&bytes).unwrap(), unique);
    }

    #[test]
    fn capability_values(name in "[!-\\-/-~]{1,20}", params in "([!-~é]{1,10}( [!-~]{1,10}){0,3})?") {
        let capa = Capability::new(&name, &params);
        let bytes = capa.to_bytes().unwrap();
        prop_assert_eq!(Capability::parse(&bytes).unwrap(), capa);
    }

    #[test]
    fn server_lines_from_random_bytes(line in proptest::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(scan) = ScanListing::parse(&line) {
            prop_assert_eq!(ScanListing::parse(&scan.to_bytes()).unwrap(), scan);
        }
        if let Ok(uid) = UniqueIdListing::parse(&line) {
            let bytes = uid.to_bytes().unwrap();
            prop_assert_eq!(UniqueIdListing::parse(&bytes).unwrap(), uid);
        }
        if let Ok(capa) = Capability::parse(&line) {
            let bytes = capa.to_bytes().unwrap();
            prop_assert_eq!(Capability::parse(&bytes).unwrap(), capa);
        }
        if let Ok(sasl) = SaslResponse::parse(&line) {
            let bytes = sasl.to_bytes().unwrap();
            prop_assert_eq!(SaslResponse::parse(&bytes).unwrap(), sasl);
        }
        if let Ok(r) = Response::parse(&line) {
            let bytes = r.to_bytes().unwrap();
            let again = Response::parse_with_limits(&bytes, &Limits::UNLIMITED).unwrap();
            prop_assert_eq!(again, r);
        }
    }
}
