//! Inputs of the `smtp_command` bench: a realistic pipelined SMTP session,
//! client side, split into command lines.

/// The client's side of a pipelined submission session (RFC 2920): EHLO,
/// AUTH PLAIN with an initial response, MAIL FROM with SIZE, BODY,
/// SMTPUTF8 and DSN parameters, 20 RCPT TO with NOTIFY and ORCPT, DATA,
/// RSET, NOOP, a BDAT transaction and QUIT. Every line ends in CRLF.
pub fn session() -> Vec<u8> {
    let mut s = String::new();
    s.push_str("EHLO client.example.org\r\n");
    s.push_str("AUTH PLAIN AGpvZUBleGFtcGxlLm9yZwBjb3JyZWN0LWhvcnNlLWJhdHRlcnk=\r\n");
    s.push_str(
        "MAIL FROM:<joe.sender@example.org> SIZE=48213 BODY=8BITMIME SMTPUTF8 RET=HDRS \
         ENVID=QQ314159\r\n",
    );
    let names = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    ];
    for i in 0..20 {
        let name = names[i % names.len()];
        let domain = if i % 2 == 0 {
            "example.net"
        } else {
            "mail.example.com"
        };
        s.push_str(&format!(
            "RCPT TO:<{name}.{i}@{domain}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;{name}.{i}@{domain}\r\n"
        ));
    }
    s.push_str("DATA\r\n");
    s.push_str("RSET\r\n");
    s.push_str("NOOP\r\n");
    s.push_str("MAIL FROM:<joe.sender@example.org> BODY=BINARYMIME SIZE=100000\r\n");
    s.push_str("RCPT TO:<alice@example.net> NOTIFY=NEVER\r\n");
    s.push_str("BDAT 65536\r\n");
    s.push_str("BDAT 34464 LAST\r\n");
    s.push_str("QUIT\r\n");
    s.into_bytes()
}

/// The lines of `session`, CRLF included, borrowed from it.
pub fn lines(session: &[u8]) -> Vec<&[u8]> {
    session.split_inclusive(|&b| b == b'\n').collect()
}
