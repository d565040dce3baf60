//! A POP3 client and server in one process, over loopback TCP: the
//! server is the sans-IO `mailwire_pop3::server` serving a Maildir (as in
//! `pop3_server`), the client the sans-IO `mailwire_pop3::client` (as in
//! `pop3_fetch`). Two messages wait in the Maildir; the client upgrades
//! with STLS (a self-signed certificate made at start, which the client
//! trusts), logs in, lists the maildrop (UIDL and LIST pipelined),
//! downloads and deletes both, and quits, which removes them. The
//! transcript is printed as `C:` / `S:` lines.
//!
//! ```text
//! cargo run --example pop3_exchange
//! ```

#[path = "support/accept.rs"]
mod accept;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/pop3_fetch.rs"]
mod pop3_fetch;
#[path = "support/pop3_serve.rs"]
mod pop3_serve;
#[path = "support/tls.rs"]
mod tls;

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use pop3_fetch::{Fetch, LoginMethod, fetch};
use pop3_serve::Options;

const MESSAGES: [&str; 2] = [
    "From: Alice <alice@example.org>\r\n\
     To: Bob <bob@example.net>\r\n\
     Subject: Lunch on Friday?\r\n\
     Message-ID: <lunch.1@example.org>\r\n\
     \r\n\
     Shall we meet at noon?\r\n\
     .A line starting with a dot travels dot-stuffed.\r\n",
    "From: Carol <carol@example.org>\r\n\
     To: Bob <bob@example.net>\r\n\
     Subject: Re: Lunch on Friday?\r\n\
     Message-ID: <lunch.2@example.org>\r\n\
     In-Reply-To: <lunch.1@example.org>\r\n\
     \r\n\
     Count me in.\r\n",
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "mailwire-pop3-exchange-{}-{stamp}",
        std::process::id()
    ));
    let store = maildir::Maildir::create(dir.join("Maildir")).await?;
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
        hostname: "pop.example.net".into(),
        tls: true,
        require_tls: true,
        verbose: false,
        layout: pop3_serve::Layout::Auto,
    };
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let server = listener.local_addr()?;
    println!("server listening on {server}\n");
    tokio::spawn(pop3_serve::serve_with_certificate(
        listener,
        options,
        certificate,
    ));

    let request = Fetch {
        server,
        user: "bob".into(),
        password: "builder".into(),
        starttls: true,
        login: LoginMethod::UserPass,
        delete: true,
        out: Some(dir.join("fetched")),
        transcript: true,
    };
    tokio::fs::create_dir_all(dir.join("fetched")).await?;
    let fetched = fetch(&request, &connector).await?;

    println!();
    for (m, sent) in fetched.iter().zip(MESSAGES) {
        let path = m.path.as_ref().ok_or("no file")?;
        let received = tokio::fs::read(path).await?;
        println!(
            "message {} ({}): {} octets, \"{}\", {}",
            m.msg,
            m.unique_id,
            m.received,
            m.subject.as_deref().unwrap_or(""),
            if received == sent.as_bytes() {
                "byte for byte as stored"
            } else {
                "DIFFERENT from what was stored"
            }
        );
        if received != sent.as_bytes() {
            return Err("a message changed on the way".into());
        }
    }
    let left = store.messages().await?.len();
    println!("messages left in the Maildir after QUIT: {left}");
    tokio::fs::remove_dir_all(&dir).await?;
    if fetched.len() != MESSAGES.len() || left != 0 {
        return Err("not every message was fetched and deleted".into());
    }
    Ok(())
}
