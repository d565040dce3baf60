//! The tokio loop around `mailwire_smtp::client::Client` shared by the
//! `smtp_send` and `smtp_exchange` examples: connect, move bytes between
//! the socket and the state machine, stream the message from a file in
//! blocks (memory stays bounded whatever its size), run the TLS handshake
//! when the machine asks for it, and collect each recipient's result.
//!
//! With `transcript` on, every line the client sends and receives is
//! printed as `C: ...` / `S: ...` (in plain text, also after STARTTLS).
//!
//! [`submit`] is the `smtp_send` example's call; [`transfer`] is the
//! session underneath with every knob (TLS mode, EHLO name, a null
//! sender, a size known in advance) and a callback for what happens, which
//! the relay worker (`relay_worker.rs`) uses to send queued messages on.

#![allow(dead_code)] // each example uses its own part

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use bytes::{Buf, BytesMut};
use mailwire_smtp::client::{
    Client, ClientError, Config, Credentials, Envelope, Event, Tls, TransactionReport,
};
use mailwire_smtp::types::{Body, MailParams, Reply};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_util::either::Either;

use crate::tls;

/// One message to send.
#[derive(Debug, Clone)]
pub(crate) struct Submission {
    pub(crate) server: SocketAddr,
    pub(crate) from: String,
    pub(crate) to: Vec<String>,
    pub(crate) starttls: bool,
    pub(crate) auth: Option<(String, String)>,
    pub(crate) file: PathBuf,
    /// Use `BDAT` when the server offers `CHUNKING`.
    pub(crate) chunking: bool,
    /// Print the session as `C:` / `S:` lines.
    pub(crate) transcript: bool,
}

/// How the submission went.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The report of the transaction, if it got that far.
    pub(crate) report: Option<TransactionReport>,
    /// Why the session failed, if it did.
    pub(crate) failure: Option<String>,
    /// The same failure as the client saw it (a relay sorts it into
    /// temporary and permanent by the reply it holds).
    pub(crate) error: Option<ClientError>,
    /// The reply the server closed the session with (`421`), if any.
    pub(crate) closed: Option<Reply<'static>>,
}

/// One session that sends one message file, with every knob a caller
/// may need: [`submit`] (the `smtp_send` example) and the relay queue's
/// delivery worker both run it.
#[derive(Debug, Clone)]
pub(crate) struct Transfer<'a> {
    pub(crate) server: SocketAddr,
    /// The name in `EHLO`.
    pub(crate) helo: &'a str,
    pub(crate) tls: Tls,
    /// `(user, password)` for AUTH; none for relay-to-MX.
    pub(crate) auth: Option<(&'a str, &'a str)>,
    /// The reverse-path; empty for the null sender `<>`.
    pub(crate) from: &'a str,
    pub(crate) to: &'a [String],
    pub(crate) file: &'a Path,
    /// Use `BDAT` when the server offers `CHUNKING`.
    pub(crate) chunking: bool,
    /// The file's size and whether it holds 8-bit bytes, when the caller
    /// knows them already (else the file is read once to find out).
    pub(crate) scanned: Option<(u64, bool)>,
}

/// What happens during a [`transfer`], as it happens: bytes for a
/// transcript, and each recipient's reply.
#[derive(Debug)]
pub(crate) enum Note<'a> {
    /// Bytes the client sent.
    Sent(&'a [u8]),
    /// Bytes the server sent.
    Received(&'a [u8]),
    /// The STARTTLS handshake finished.
    TlsDone,
    /// The reply to `RCPT TO` for `to[index]`.
    Recipient {
        index: usize,
        reply: &'a Reply<'static>,
    },
}

/// A connection, in plain text or after `STARTTLS`.
type Conn = Either<TcpStream, tokio_rustls::client::TlsStream<TcpStream>>;

/// Sends `submission.file` through `submission.server`. With `STARTTLS`,
/// `connector` checks the server's certificate.
pub(crate) async fn submit(
    submission: &Submission,
    connector: &TlsConnector,
) -> io::Result<Outcome> {
    let transfer_spec = Transfer {
        server: submission.server,
        helo: "client.localhost",
        tls: if submission.starttls {
            Tls::Required
        } else {
            Tls::Never
        },
        auth: submission
            .auth
            .as_ref()
            .map(|(name, pass)| (name.as_str(), pass.as_str())),
        from: &submission.from,
        to: &submission.to,
        file: &submission.file,
        chunking: submission.chunking,
        scanned: None,
    };
    let transcript = submission.transcript;
    let mut outcome = Outcome::default();
    transfer(
        &transfer_spec,
        Some(connector),
        &mut outcome,
        &mut |note| match note {
            Note::Sent(bytes) if transcript => print_lines("C:", bytes),
            Note::Received(bytes) if transcript => print_lines("S:", bytes),
            Note::TlsDone if transcript => println!("   (TLS handshake done)"),
            Note::Recipient { index, reply } if !transcript => {
                let verdict = if reply.is_positive() {
                    "accepted"
                } else {
                    "refused"
                };
                let to = &submission.to[index];
                println!("{to}: {verdict}: {} {}", reply.code(), reply.text());
            }
            _ => {}
        },
    )
    .await?;
    Ok(outcome)
}

/// Runs one session per `spec`, filling `outcome` as events arrive (so a
/// caller still has what was learned when an I/O error ends it early) and
/// telling `note` what happens. `connector` is needed only when TLS may be
/// used.
pub(crate) async fn transfer(
    spec: &Transfer<'_>,
    connector: Option<&TlsConnector>,
    outcome: &mut Outcome,
    note: &mut (dyn FnMut(Note<'_>) + Send),
) -> io::Result<()> {
    let mut config = Config::new(spec.helo);
    config.tls = spec.tls;
    config.chunking = spec.chunking;
    if let Some((name, pass)) = spec.auth {
        config.credentials = Some(Credentials::password(name.to_owned(), pass.to_owned()));
        // Only for loopback tests without TLS: say so.
        config.allow_plaintext_auth = spec.tls == Tls::Never;
    }
    let mut client = Client::new(config).map_err(io::Error::other)?;
    // The MAIL FROM parameters go out before the data, so read the file
    // once for its size and whether it holds 8-bit bytes (RFC 1870,
    // RFC 6152); the client drops what the server does not offer.
    let (size, eight_bit) = match spec.scanned {
        Some(known) => known,
        None => scan(spec.file).await?,
    };
    let mut params = MailParams::default();
    params.size = Some(size);
    params.body = eight_bit.then_some(Body::EightBitMime);
    let to: Vec<&str> = spec.to.iter().map(String::as_str).collect();
    let envelope = Envelope::from_addresses(spec.from, &to)
        .map_err(io::Error::other)?
        .with_params(params);
    client.handle_timeout(Instant::now());
    client.send_stream(&envelope).map_err(io::Error::other)?;
    client.quit();

    let stream = TcpStream::connect(spec.server).await?;
    let _ = stream.set_nodelay(true);
    let mut conn: Conn = Either::Left(stream);
    let mut file = tokio::fs::File::open(spec.file).await?;
    let mut pending = BytesMut::new();
    let mut file_done = false;
    let mut input = vec![0u8; 16 * 1024];
    let mut output = BytesMut::with_capacity(16 * 1024);
    let mut start_tls = false;
    let mut closed = false;
    loop {
        while let Some(event) = client.poll_event() {
            match event {
                Event::StartTls => start_tls = true,
                Event::MessageWanted { .. } => {
                    // Give the machine file data until it takes less than
                    // offered; it asks again once it has sent some.
                    loop {
                        if pending.is_empty() && !file_done {
                            pending.reserve(64 * 1024);
                            if file.read_buf(&mut pending).await? == 0 {
                                file_done = true;
                            }
                        }
                        if pending.is_empty() {
                            client.end_message();
                            break;
                        }
                        let taken = client.write_message(&pending);
                        pending.advance(taken);
                        if !pending.is_empty() {
                            break;
                        }
                    }
                }
                Event::Recipient { index, reply, .. } => {
                    note(Note::Recipient {
                        index,
                        reply: &reply,
                    });
                }
                Event::TransactionDone(report) => outcome.report = Some(report),
                Event::Failed(error) => {
                    outcome.failure = Some(error.to_string());
                    outcome.error = Some(error);
                }
                Event::Closed { reply } => {
                    outcome.closed = reply;
                    closed = true;
                }
                _ => {}
            }
        }
        if client.poll_output(&mut output) > 0 {
            note(Note::Sent(&output));
            conn.write_all(&output).await?;
            output.clear();
            continue;
        }
        if start_tls {
            start_tls = false;
            let (Either::Left(tcp), Some(connector)) = (conn, connector) else {
                return Err(io::Error::other(
                    "STARTTLS twice or without a TLS connector",
                ));
            };
            let name = tls::server_name(&spec.server.ip().to_string())?;
            conn = Either::Right(connector.connect(name, tcp).await?);
            note(Note::TlsDone);
            client.tls_established();
            continue;
        }
        if closed {
            conn.shutdown().await.ok();
            return Ok(());
        }
        let deadline = client.poll_timeout();
        let timeout = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = conn.read(&mut input) => {
                let n = read?;
                client.handle_timeout(Instant::now());
                if n == 0 {
                    client.connection_closed();
                } else {
                    note(Note::Received(&input[..n]));
                    client.handle_input(&input[..n]);
                }
            }
            () = timeout => client.handle_timeout(Instant::now()),
        }
    }
}

/// The size of the file at `path` and whether it has bytes above 127.
async fn scan(path: &std::path::Path) -> io::Result<(u64, bool)> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut block = vec![0u8; 64 * 1024];
    let (mut size, mut eight_bit) = (0u64, false);
    loop {
        let n = file.read(&mut block).await?;
        if n == 0 {
            return Ok((size, eight_bit));
        }
        size += n as u64;
        eight_bit |= !block[..n].is_ascii();
    }
}

/// Prints each line of `bytes` after `who`, long runs of message data
/// shortened.
fn print_lines(who: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    for (i, line) in lines.iter().enumerate() {
        if lines.len() > 12 && i == 6 {
            println!("{who} ... ({} more lines)", lines.len() - 10);
        }
        if lines.len() > 12 && (6..lines.len() - 4).contains(&i) {
            continue;
        }
        println!("{who} {line}");
    }
}
