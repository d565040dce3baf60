//! Both parsers of the `smtp_command` bench accept every line of the
//! session and agree on what they read: a bench comparing parsers that
//! rejected different lines would compare nothing.

use std::borrow::Cow;

use mailwire_smtp::types::{Command, ForwardPath, ReversePath};
use smtp_proto::Request;

use crate::smtp_inputs::{lines, session};

#[test]
fn both_parsers_accept_every_line_alike() {
    let session = session();
    let lines = lines(&session);
    assert_eq!(lines.len(), 31);
    for line in lines {
        let ours = Command::parse(line).unwrap();
        let theirs = Request::<Cow<'_, str>>::parse(&mut line.iter()).unwrap();
        assert_eq!(ours.verb(), theirs.name(), "{line:?}");
        match (&ours, &theirs) {
            (
                Command::Mail {
                    reverse_path,
                    params,
                },
                Request::Mail { from },
            ) => {
                let ReversePath::Path(path) = reverse_path else {
                    panic!()
                };
                assert_eq!(path.mailbox().to_string(), from.address);
                assert_eq!(params.size.unwrap() as usize, from.size);
            }
            (Command::Rcpt { forward_path, .. }, Request::Rcpt { to }) => {
                let ForwardPath::Path(path) = forward_path else {
                    panic!()
                };
                assert_eq!(path.mailbox().to_string(), to.address);
            }
            (
                Command::Bdat { size, last },
                Request::Bdat {
                    chunk_size,
                    is_last,
                },
            ) => {
                assert_eq!((*size as usize, *last), (*chunk_size, *is_last));
            }
            _ => {}
        }
    }
}
