//! `Response::into_owned`: a client keeps responses past the receive
//! buffer they were read from (RFC 9051 section 7 examples), and the
//! owned copies equal what was parsed.

use bytes::BytesMut;
use mailwire_imap::parse::{ReadFrame, ResponseReader};
use mailwire_imap::types::{Code, Data, FetchItem, Response, StatusKind};

/// Responses of RFC 9051 sections 7.1 to 7.5, with literals and every
/// kind of borrowed value (text, codes, mailbox names, strings,
/// envelopes, body structures, raw unknown data).
const SESSION: &[u8] = b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n\
* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n\
* LIST () \".\" {8}\r\nwe\"ird\\x\r\n\
* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n\
* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n\
* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \
\"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \
\"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" \
NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
* 13 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: hello\r\n\r\n UID 44)\r\n\
* XUNKNOWN some (raw \"data\") {3}\r\nabc\r\n\
+ Ready for additional command text\r\n\
A142 OK [READ-WRITE] SELECT completed\r\n";

/// Reads `input` in pieces of `piece` octets with a reader whose buffer
/// is reused, keeping owned copies only.
fn read_owned(input: &[u8], piece: usize) -> Vec<Response<'static>> {
    let mut reader = ResponseReader::new();
    let mut buf = BytesMut::new();
    let mut kept = Vec::new();
    for part in input.chunks(piece) {
        buf.extend_from_slice(part);
        loop {
            match reader.read(&mut buf) {
                ReadFrame::Response(r) => kept.push(r.into_owned()),
                ReadFrame::Incomplete => break,
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(buf.is_empty());
    kept
}

#[test]
fn owned_responses_outlive_their_buffer_and_equal_the_parsed_ones() {
    let kept = read_owned(SESSION, SESSION.len());
    // Parse again in place: the owned copies are equal to borrowed ones.
    let mut rest = SESSION;
    let mut parsed = Vec::new();
    while !rest.is_empty() {
        let (r, len) = Response::parse(rest).unwrap();
        parsed.push(r);
        rest = &rest[len..];
    }
    assert_eq!(kept.len(), 12);
    assert_eq!(kept, parsed);
    // The same whatever the size of the reads.
    for piece in [1, 2, 7, 64] {
        assert_eq!(read_owned(SESSION, piece), kept, "reads of {piece}");
    }
}

#[test]
fn owned_values_hold_what_was_read() {
    let kept = {
        let copy = SESSION.to_vec();
        let mut rest = &copy[..];
        let mut kept: Vec<Response<'static>> = Vec::new();
        while !rest.is_empty() {
            let (r, len) = Response::parse(rest).unwrap();
            kept.push(r.into_owned());
            rest = &rest[len..];
        }
        kept
        // `copy` is dropped here.
    };
    let Response::Data(Data::List(list)) = &kept[4] else {
        panic!("{:?}", kept[4])
    };
    assert_eq!(list.mailbox.as_bytes(), b"we\"ird\\x");
    let Response::Data(Data::Fetch { seq, items }) = &kept[8] else {
        panic!("{:?}", kept[8])
    };
    assert_eq!(seq.get(), 13);
    let FetchItem::BodySection {
        data: Some(data), ..
    } = &items[0]
    else {
        panic!("{items:?}")
    };
    assert_eq!(data.as_bytes(), b"Subject: hello\r\n\r\n");
    let Response::Data(Data::Fetch { items, .. }) = &kept[7] else {
        panic!()
    };
    let Some(FetchItem::Envelope(envelope)) =
        items.iter().find(|i| matches!(i, FetchItem::Envelope(_)))
    else {
        panic!("{items:?}")
    };
    assert_eq!(
        envelope.subject.as_ref().unwrap().as_bytes(),
        b"IMAP4rev2 WG mtg summary and minutes"
    );
    let Response::Data(Data::Other(raw)) = &kept[9] else {
        panic!("{:?}", kept[9])
    };
    assert_eq!(&raw[..], b"XUNKNOWN some (raw \"data\") {3}\r\nabc");
    let Response::Status(done) = &kept[11] else {
        panic!()
    };
    assert_eq!(done.kind, StatusKind::Ok);
    assert_eq!(done.code, Some(Code::ReadWrite));
    assert_eq!(done.tag.as_ref().unwrap().as_str(), "A142");
}
