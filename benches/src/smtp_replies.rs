//! Server replies for the `smtp_reply` bench: the replies of a whole
//! session, and the multi-line EHLO replies of common servers.

/// The replies a client reads in one delivery to 20 recipients, as a
/// Postfix-like server writes them (enhanced status codes included).
#[must_use]
pub fn session_replies() -> Vec<Vec<u8>> {
    let mut replies: Vec<Vec<u8>> = vec![
        b"220 mx.example.org ESMTP ready\r\n".to_vec(),
        postfix_ehlo(),
        b"250 2.1.0 Ok\r\n".to_vec(),
    ];
    for _ in 0..20 {
        replies.push(b"250 2.1.5 Ok\r\n".to_vec());
    }
    replies.push(b"550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table\r\n".to_vec());
    replies.push(b"354 End data with <CR><LF>.<CR><LF>\r\n".to_vec());
    replies.push(b"250 2.0.0 Ok: queued as 4Z1nq52xJXz9sWd\r\n".to_vec());
    replies.push(b"221 2.0.0 Bye\r\n".to_vec());
    replies
}

/// The EHLO reply of a Postfix server with TLS, AUTH and the usual
/// extensions.
#[must_use]
pub fn postfix_ehlo() -> Vec<u8> {
    concat!(
        "250-mx.example.org\r\n",
        "250-PIPELINING\r\n",
        "250-SIZE 52428800\r\n",
        "250-VRFY\r\n",
        "250-ETRN\r\n",
        "250-STARTTLS\r\n",
        "250-AUTH PLAIN LOGIN\r\n",
        "250-AUTH=PLAIN LOGIN\r\n",
        "250-ENHANCEDSTATUSCODES\r\n",
        "250-8BITMIME\r\n",
        "250-DSN\r\n",
        "250-SMTPUTF8\r\n",
        "250 CHUNKING\r\n",
    )
    .as_bytes()
    .to_vec()
}

/// The EHLO reply of a large provider's submission server.
#[must_use]
pub fn provider_ehlo() -> Vec<u8> {
    concat!(
        "250-smtp.example.com at your service, [192.0.2.10]\r\n",
        "250-SIZE 35882577\r\n",
        "250-8BITMIME\r\n",
        "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n",
        "250-ENHANCEDSTATUSCODES\r\n",
        "250-PIPELINING\r\n",
        "250-CHUNKING\r\n",
        "250 SMTPUTF8\r\n",
    )
    .as_bytes()
    .to_vec()
}
