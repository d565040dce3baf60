//! Parsing a simple untagged response allocates nothing: the values
//! borrow the input. Counted with a global allocator wrapper (this test
//! binary only).

use mailwire_testkit::{CountingAllocator, allocations};

use mailwire_imap::types::{Code, Data, Response};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn simple_untagged_responses_allocate_nothing() {
    let inputs: [&[u8]; 5] = [
        b"* 172 EXISTS\r\n",
        b"* 1 RECENT\r\n",
        b"* 44 EXPUNGE\r\n",
        b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
        b"a001 OK [READ-WRITE] SELECT completed\r\n",
    ];
    for input in inputs {
        let mut parsed = None;
        let (n, ()) = allocations(|| parsed = Some(Response::parse(input).unwrap().0));
        assert_eq!(n, 0, "{:?}", String::from_utf8_lossy(input));
        assert!(parsed.is_some());
    }
    let mut parsed = None;
    let _ = allocations(|| parsed = Some(Response::parse(b"* 3 EXISTS\r\n").unwrap().0));
    assert_eq!(parsed, Some(Response::Data(Data::Exists(3))));
    let Some(Response::Status(status)) =
        Response::parse(b"* OK [UIDNEXT 5] x\r\n").ok().map(|r| r.0)
    else {
        panic!()
    };
    assert!(matches!(status.code, Some(Code::UidNext(_))));
    // The reader too: framing and parsing a buffered response.
    let mut reader = mailwire_imap::parse::ResponseReader::new();
    let mut buf = bytes::BytesMut::from(&b"* 9 EXISTS\r\n* OK [UNSEEN 2] x\r\n"[..]);
    let (n, ()) = allocations(|| {
        for _ in 0..2 {
            assert!(matches!(
                reader.read(&mut buf),
                mailwire_imap::parse::ReadFrame::Response(_)
            ));
        }
    });
    assert_eq!(n, 0);
    // A list allocates its Vec, and only that.
    let (n, ()) = allocations(|| {
        let _ = Response::parse(b"* SEARCH 2 3 6\r\n").unwrap();
    });
    assert!(n <= 3, "{n} allocations");
}
