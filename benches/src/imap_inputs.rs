//! Inputs for the `imap` bench: the commands a client sends in a session,
//! and the responses a server sends back (FETCH with ENVELOPE and
//! BODYSTRUCTURE, LIST and STATUS and SEARCH, a FETCH BODY[] with a large
//! literal), each as the bytes on the wire. Every side of the bench
//! parses these same bytes.

/// The commands of a session that selects a mailbox, searches it, reads
/// headers and flags and appends a message, one `Vec` per command
/// (literals inline, as a server holds them once the client sent them),
/// CRLF included.
#[must_use]
pub fn session_commands() -> Vec<Vec<u8>> {
    let mut cmds: Vec<Vec<u8>> = vec![
        b"a001 CAPABILITY\r\n".to_vec(),
        b"a002 LOGIN fred \"secret pass\"\r\n".to_vec(),
        b"a003 LIST \"\" \"*\"\r\n".to_vec(),
        b"a004 LIST \"INBOX/\" \"%\"\r\n".to_vec(),
        b"a005 SELECT INBOX\r\n".to_vec(),
        b"a006 SELECT \"Archive/2024 Reports\"\r\n".to_vec(),
        b"a007 STATUS Sent (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)\r\n".to_vec(),
        b"a008 UID SEARCH OR (FROM \"alice@example.org\" SINCE 1-Feb-2024) NOT (SEEN OR DELETED DRAFT) LARGER 4096 SUBJECT \"quarterly report\"\r\n".to_vec(),
        b"a009 SEARCH CHARSET UTF-8 (OR HEADER List-Id \"dev.example.org\" TO bob) UNSEEN UID 1:4000,4100:*\r\n".to_vec(),
        b"a010 EXPUNGE\r\n".to_vec(),
        b"a011 NOOP\r\n".to_vec(),
    ];
    for i in 0..8u32 {
        let from = 1000 + i * 50;
        cmds.push(
            format!(
                "f{i} UID FETCH {from}:{} (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID In-Reply-To References List-Id)])\r\n",
                from + 49
            )
            .into_bytes(),
        );
        cmds.push(
            format!(
                "s{i} UID STORE {from},{}:{} +FLAGS.SILENT (\\Seen $Label1)\r\n",
                from + 3,
                from + 9
            )
            .into_bytes(),
        );
        cmds.push(
            format!(
                "g{i} FETCH {} (BODY.PEEK[1.2.MIME] BODY.PEEK[2]<0.2048> FLAGS)\r\n",
                i + 1
            )
            .into_bytes(),
        );
    }
    let message = crate::mail_text(3000);
    let mut append = format!(
        "a012 APPEND Drafts (\\Draft \\Seen) \"07-Mar-2024 10:22:05 +0100\" {{{}}}\r\n",
        message.len()
    )
    .into_bytes();
    append.extend_from_slice(&message);
    append.extend_from_slice(b"\r\n");
    cmds.push(append);
    cmds.push(b"a013 LOGOUT\r\n".to_vec());
    cmds
}

/// `count` FETCH responses with UID, FLAGS, INTERNALDATE, RFC822.SIZE,
/// an ENVELOPE (with quoted and NIL fields, several addresses) and the
/// BODYSTRUCTURE of a multipart/mixed message (multipart/alternative
/// text and HTML, a PDF attachment), as a client receives them after a
/// header-listing `UID FETCH`.
#[must_use]
pub fn fetch_envelope_responses(count: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 1..=count {
        let uid = 4000 + i;
        let size = 2000 + (i * 7919) % 90_000;
        out.extend_from_slice(
            format!(
                "* {i} FETCH (UID {uid} FLAGS (\\Seen $Label1) INTERNALDATE \"17-Jul-2024 02:44:25 -0700\" RFC822.SIZE {size} \
ENVELOPE (\"Wed, 17 Jul 2024 02:23:25 -0700 (PDT)\" \"Re: quarterly report, number {i}\" \
((\"Alice Example\" NIL \"alice\" \"example.org\")) ((\"Alice Example\" NIL \"alice\" \"example.org\")) \
((NIL NIL \"reply\" \"lists.example.org\")) \
((\"Bob\" NIL \"bob\" \"example.com\")(\"Carol Q. Public\" NIL \"carol\" \"example.net\")) \
((NIL NIL \"team\" \"example.org\")) NIL \"<msg{}@example.org>\" \"<msg{uid}.{i}@mail.example.org>\") \
BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 1532 41 NIL NIL NIL NIL)\
(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 6120 97 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"b2_{uid}\") NIL NIL NIL)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"report-{i}.pdf\") NIL \"Quarterly report\" \"BASE64\" 48230 NIL (\"ATTACHMENT\" (\"FILENAME\" \"report-{i}.pdf\")) NIL NIL) \
\"MIXED\" (\"BOUNDARY\" \"b1_{uid}\") NIL NIL NIL))\r\n",
                uid - 1
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(b"f1 OK UID FETCH completed\r\n");
    out
}

/// The responses to a LIST of `mailboxes` mailboxes, a STATUS for each
/// and a SEARCH with a few hundred numbers, with the tagged completions.
#[must_use]
pub fn list_status_responses(mailboxes: u32) -> Vec<u8> {
    const NAMES: &[&str] = &["Archive", "Projects", "Lists", "Receipts", "Travel"];
    let mut names = vec![
        "INBOX".to_string(),
        "Sent".into(),
        "Drafts".into(),
        "Trash".into(),
    ];
    for i in 4..mailboxes {
        let top = NAMES[i as usize % NAMES.len()];
        names.push(format!("{top}/{}-{i}", 2000 + i % 25));
    }
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let attrs = match i {
            1 => "\\HasNoChildren \\Sent",
            2 => "\\HasNoChildren \\Drafts",
            3 => "\\HasNoChildren \\Trash",
            _ if i % 3 == 0 => "\\HasChildren",
            _ => "\\HasNoChildren",
        };
        out.extend_from_slice(format!("* LIST ({attrs}) \"/\" \"{name}\"\r\n").as_bytes());
    }
    out.extend_from_slice(b"l1 OK LIST completed\r\n");
    for (i, name) in names.iter().enumerate() {
        let i = i as u32;
        out.extend_from_slice(
            format!(
                "* STATUS \"{name}\" (MESSAGES {} UNSEEN {} UIDNEXT {} UIDVALIDITY {})\r\n",
                i * 37 % 5000,
                i % 13,
                i * 41 + 1,
                1_700_000_000 + i
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(b"l2 OK STATUS completed\r\n");
    out.extend_from_slice(b"* SEARCH");
    for n in (1..2000u32).step_by(7) {
        out.extend_from_slice(format!(" {n}").as_bytes());
    }
    out.extend_from_slice(b"\r\nl3 OK SEARCH completed\r\n");
    out
}

/// A FETCH response carrying a message of about `len` bytes as a
/// `BODY[]` literal, with the tagged completion.
#[must_use]
pub fn fetch_body_response(len: usize) -> Vec<u8> {
    let message = crate::mail_text(len);
    let mut out = format!(
        "* 12 FETCH (UID 4012 FLAGS (\\Seen) BODY[] {{{}}}\r\n",
        message.len()
    )
    .into_bytes();
    out.extend_from_slice(&message);
    out.extend_from_slice(b")\r\nf9 OK FETCH completed\r\n");
    out
}

/// An APPEND of a message of about `len` bytes (a synchronizing literal
/// whose octets follow at once, as after the server's `+`), then a NOOP.
#[must_use]
pub fn append_stream(len: usize) -> Vec<u8> {
    let message = crate::mail_text(len);
    let mut out = format!("a1 APPEND INBOX (\\Seen) {{{}}}\r\n", message.len()).into_bytes();
    out.extend_from_slice(&message);
    out.extend_from_slice(b"\r\na2 NOOP\r\n");
    out
}
