//! An SMTP client and server in one process, over loopback TCP: the
//! server is the sans-IO `mailwire_smtp::server` (as in `smtp_server`),
//! the client the sans-IO `mailwire_smtp::client` (as in `smtp_send`).
//! The client upgrades with STARTTLS (a self-signed certificate made at
//! start, which the client trusts), authenticates, and sends one message
//! to two recipients with pipelining; the transcript is printed as `C:` /
//! `S:` lines, then the message as the server stored it in its Maildir.
//!
//! ```text
//! cargo run --example smtp_exchange
//! ```

#[path = "support/accept.rs"]
mod accept;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/smtp_serve.rs"]
mod smtp_serve;
#[path = "support/smtp_submit.rs"]
mod smtp_submit;
#[path = "support/tls.rs"]
mod tls;

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use smtp_serve::{Options, Store};
use smtp_submit::{Submission, submit};

const MESSAGE: &str = "From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.net>, Carol <carol@example.net>\r\n\
Subject: Lunch on Friday?\r\n\
Message-ID: <lunch.1@example.org>\r\n\
\r\n\
Shall we meet at noon?\r\n\
.A line starting with a dot travels dot-stuffed.\r\n";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "mailwire-smtp-exchange-{}-{stamp}",
        std::process::id()
    ));
    let maildir = dir.join("Maildir");
    tokio::fs::create_dir_all(&dir).await?;

    // The server: one certificate for both ends, so the client can check it.
    let certificate = tls::SelfSigned::generate()?;
    let connector = certificate.connector()?;
    let options = Options {
        listen: "127.0.0.1:0".parse()?,
        store: Store::Maildir(maildir.clone()),
        users: vec![("alice".into(), "wonderland".into())],
        hostname: "mx.example.net".into(),
        tls: true,
        max_size: 10 << 20,
        verbose: false,
        busy_connections: 0,
        reject_recipients: Vec::new(),
    };
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let server = listener.local_addr()?;
    println!("server listening on {server}\n");
    tokio::spawn(smtp_serve::serve_with_certificate(
        listener,
        options,
        certificate,
    ));

    // The client.
    let file = dir.join("message.eml");
    tokio::fs::write(&file, MESSAGE).await?;
    let submission = Submission {
        server,
        from: "alice@example.org".into(),
        to: vec!["bob@example.net".into(), "carol@example.net".into()],
        starttls: true,
        auth: Some(("alice".into(), "wonderland".into())),
        file,
        chunking: false,
        transcript: true,
    };
    let outcome = submit(&submission, &connector).await?;
    let report = outcome.report.ok_or("no transaction report")?;
    println!(
        "\naccepted recipients: {:?}",
        report
            .accepted
            .iter()
            .map(|&i| &submission.to[i])
            .collect::<Vec<_>>()
    );
    println!(
        "result: {:?}",
        report.result.as_ref().map(|r| r.text().into_owned())
    );

    let stored = maildir::Maildir::create(maildir)
        .await?
        .new_messages()
        .await?;
    for path in stored {
        println!("\nstored as {}:\n", path.display());
        print!("{}", tokio::fs::read_to_string(&path).await?);
    }
    tokio::fs::remove_dir_all(&dir).await?;
    Ok(())
}
