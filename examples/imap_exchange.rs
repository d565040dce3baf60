//! An IMAP client and server in one process, over loopback TCP: the
//! server is the sans-IO `mailwire_imap::server` serving a Maildir (as in
//! `imap_server`), the client the sans-IO `mailwire_imap::client` (as in
//! `imap_fetch`). Two messages wait in the Maildir's INBOX.
//!
//! In the first session the client upgrades with STARTTLS (a self-signed
//! certificate made at start, which the client trusts), authenticates
//! with `AUTHENTICATE PLAIN`, lists the folders, selects INBOX, reads each
//! message's envelope, streams each body and marks it `\Seen`. In the
//! second it logs in with `LOGIN`, finds the flags the first one set, and
//! deletes both messages (`\Deleted`, then `UID EXPUNGE`), which removes
//! their files. The transcript is printed as `C:` / `S:` lines; each body
//! is checked byte for byte against what was stored.
//!
//! ```text
//! cargo run --example imap_exchange
//! ```

#[path = "support/accept.rs"]
mod accept;
#[path = "support/imap_fetch.rs"]
mod imap_fetch;
#[path = "support/imap_serve.rs"]
mod imap_serve;
#[path = "support/imap_store.rs"]
mod imap_store;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/tls.rs"]
mod tls;

use std::error::Error;

use imap_fetch::{Fetch, LoginMethod, fetch};
use imap_serve::Options;

const MESSAGES: [&str; 2] = [
    "From: Alice <alice@example.org>\r\n\
     To: Bob <bob@example.net>\r\n\
     Subject: Lunch on Friday?\r\n\
     Message-ID: <lunch.1@example.org>\r\n\
     \r\n\
     Shall we meet at noon?\r\n",
    "From: Carol <carol@example.org>\r\n\
     To: Bob <bob@example.net>\r\n\
     Subject: =?utf-8?q?Re=3A_Lunch_on_Friday=3F_=C3=87a_marche?=\r\n\
     Message-ID: <lunch.2@example.org>\r\n\
     In-Reply-To: <lunch.1@example.org>\r\n\
     \r\n\
     Count me in.\r\n",
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::Builder::new()
        .prefix("mailwire-imap-exchange-")
        .tempdir()?;
    let store = maildir::Maildir::create(dir.path().join("Maildir")).await?;
    for message in MESSAGES {
        let mut delivery = store.begin().await?;
        delivery.write_chunk(message.as_bytes()).await?;
        delivery.commit().await?;
    }

    // The server: one certificate for both ends, so the client can check it.
    let certificate = tls::SelfSigned::generate()?;
    let connector = certificate.connector()?;
    let options = Options {
        listen: "127.0.0.1:0".parse()?,
        maildir: store.path().to_path_buf(),
        users: vec![("bob".into(), "builder".into())],
        hostname: "imap.example.net".into(),
        tls: true,
        require_tls: true,
        verbose: false,
        max_message: 10 << 20,
        layout: imap_serve::Layout::Auto,
    };
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let server = listener.local_addr()?;
    println!("server listening on {server}\n");
    tokio::spawn(imap_serve::serve_with_certificate(
        listener,
        options,
        certificate,
    ));

    // First session: read everything, mark it seen.
    let out = dir.path().join("fetched");
    tokio::fs::create_dir_all(&out).await?;
    let mut request = Fetch {
        server,
        user: "bob".into(),
        password: "builder".into(),
        starttls: true,
        login: LoginMethod::Plain,
        mailbox: "INBOX".into(),
        examine: false,
        seen: true,
        delete: false,
        out: Some(out),
        transcript: true,
        idle: None,
    };
    let fetched = fetch(&request, &connector).await?;
    println!();
    if fetched.len() != MESSAGES.len() {
        return Err(format!(
            "{} messages fetched, {} stored",
            fetched.len(),
            MESSAGES.len()
        )
        .into());
    }
    for (m, sent) in fetched.iter().zip(MESSAGES) {
        let path = m.path.as_ref().ok_or("no file")?;
        let received = tokio::fs::read(path).await?;
        let same = received == sent.as_bytes();
        println!(
            "UID {}: {} octets, \"{}\", {}",
            m.uid,
            m.received,
            m.subject.as_deref().unwrap_or(""),
            if same {
                "byte for byte as stored"
            } else {
                "DIFFERENT from what was stored"
            }
        );
        if !same || !m.marked_seen {
            return Err("a message changed on the way, or was not marked \\Seen".into());
        }
    }

    // Second session: the flags are still there; delete both.
    println!("\n--- a second session: LOGIN, then delete what was read\n");
    request.login = LoginMethod::Login;
    request.seen = false;
    request.delete = true;
    request.out = None;
    let again = fetch(&request, &connector).await?;
    println!();
    for m in &again {
        println!("UID {}: flags {:?}, deleted: {}", m.uid, m.flags, m.deleted);
    }
    let left = store.messages().await?.len();
    println!("messages left in the Maildir after UID EXPUNGE: {left}");
    let all_seen = again.iter().all(|m| m.flags.iter().any(|f| f == "\\Seen"));
    if again.len() != MESSAGES.len() || !all_seen || left != 0 {
        return Err("the flags did not persist, or not every message was deleted".into());
    }
    Ok(())
}
