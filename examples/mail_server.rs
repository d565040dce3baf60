//! A small mail server in one process over one Maildir tree: an SMTP MX
//! for the local domains, SMTP submission (STARTTLS and AUTH) that
//! delivers locally or relays through the store-and-forward queue, and
//! IMAP and POP3 for the users' Maildirs. Everything around the sans-IO
//! machines of `mailwire-smtp`, `mailwire-imap` and `mailwire-pop3` is in
//! `examples/support/`.
//!
//! ```text
//! cargo run --example mail_server
//! cargo run --example mail_server -- --maildir /var/tmp/mail --users users.txt \
//!     --domain example.org --route example.net=127.0.0.1:2626
//! ```
//!
//! With no arguments it runs on embedded defaults: a temporary Maildir
//! root (removed at exit), the users `alice` and `bob` (passwords printed),
//! ports 2525 (MX), 2587 (submission), 1143 (IMAP) and 1110 (POP3) on
//! 127.0.0.1, or free
//! ones where those are taken, and a self-signed certificate made at
//! start; it prints how to talk to it with swaks, curl, Python and
//! fetchmail.
//!
//! Options:
//!
//! - `--smtp ADDR`: the MX service (no AUTH; mail for local users only,
//!   `550 5.1.1` for unknown users, `550 5.7.1` for other domains).
//! - `--submission ADDR`: submission (STARTTLS, then AUTH PLAIN, LOGIN or
//!   CRAM-MD5 required); local recipients are delivered at once, others
//!   queued for the relay worker.
//! - `--pop3 ADDR`: POP3 (STLS offered; USER/PASS, APOP, AUTH).
//! - `--imap ADDR`: IMAP (STARTTLS offered; LOGIN, AUTHENTICATE PLAIN),
//!   INBOX and the user's Maildir++ folders; a delivery shows up in a
//!   session at its next NOOP, or within half a second while it idles.
//! - `--users FILE`: accounts, one `name:password` per line (`#` comments).
//! - `--maildir ROOT`: the tree, `ROOT/USER/Maildir` per account and
//!   `ROOT/.queue` for the relay queue; kept at exit.
//! - `--domain D` (repeatable): the local domains (default `example.org`
//!   and `localhost`).
//! - `--cert PEM --key PEM`: the certificate chain and key for STARTTLS and
//!   STLS (default: self-signed for `localhost` and 127.0.0.1).
//! - `--route DOMAIN=ADDR` (repeatable, `*` for any domain): next hops for
//!   relayed mail; without one, mail for that domain bounces. The local
//!   domains route to the MX itself, so bounces reach local senders.
//! - `--hostname NAME`: the name in greetings and trace fields.
//! - `--verbose`: print each delivery and protocol error.
//!
//! Each listening service prints `NAME listening on ADDR` (`smtp`,
//! `submission`, `imap`, `pop3`). Ctrl-C (or SIGTERM) stops it: what got a `250`
//! is already on disk; a message cut off mid-way leaves nothing in `new/`.
//!
//! Open connections count against the process's descriptor limit: for
//! a thousand at once, raise it first (`ulimit -n 8192`).

#[path = "support/accept.rs"]
mod accept;
#[path = "support/imap_serve.rs"]
mod imap_serve;
#[path = "support/imap_store.rs"]
mod imap_store;
#[path = "support/mail_store.rs"]
mod mail_store;
#[path = "support/maildir.rs"]
mod maildir;
#[path = "support/pop3_serve.rs"]
mod pop3_serve;
#[path = "support/relay_queue.rs"]
mod relay_queue;
#[path = "support/relay_route.rs"]
mod relay_route;
#[path = "support/relay_worker.rs"]
mod relay_worker;
#[path = "support/smtp_serve.rs"]
mod smtp_serve;
#[path = "support/smtp_submit.rs"]
mod smtp_submit;
#[path = "support/tls.rs"]
mod tls;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinSet;

use mail_store::{Accounts, MailStore};
use relay_route::{RetryPolicy, Routes};

const USAGE: &str = "usage: mail_server [--smtp ADDR] [--submission ADDR] [--imap ADDR] [--pop3 ADDR] \
[--users FILE] [--maildir ROOT] [--domain D ...] [--cert PEM --key PEM] \
[--route DOMAIN=ADDR ...] [--hostname NAME] [--verbose]";

/// Connections the kernel may hold for each listener before they are
/// accepted (capped by `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

/// The demo accounts when no `--users` file is given.
const DEMO_USERS: [(&str, &str); 2] = [("alice", "wonderland"), ("bob", "builder")];

/// An address to listen on: given on the command line (must be free), or
/// a default port (a free one is taken if it is busy).
#[derive(Clone, Copy, Debug)]
struct Listen {
    addr: SocketAddr,
    fixed: bool,
}

impl Listen {
    fn default_port(port: u16) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            fixed: false,
        }
    }

    fn bind(self) -> io::Result<TcpListener> {
        match listen(self.addr) {
            Err(e) if !self.fixed && e.kind() == io::ErrorKind::AddrInUse => {
                listen(SocketAddr::new(self.addr.ip(), 0))
            }
            other => other,
        }
    }
}

/// A listener with room for [`BACKLOG`] connections not yet accepted: with
/// the usual 128, a burst of connections overflows the queue and the
/// kernel answers the overflow only after SYN-ACK retries, seconds later.
fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// The command line.
struct Args {
    smtp: Listen,
    submission: Listen,
    imap: Listen,
    pop3: Listen,
    users: Option<PathBuf>,
    maildir: Option<PathBuf>,
    domains: Vec<String>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    /// `DOMAIN=ADDR` each, checked.
    routes: Vec<String>,
    hostname: String,
    verbose: bool,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Self {
            smtp: Listen::default_port(2525),
            submission: Listen::default_port(2587),
            imap: Listen::default_port(1143),
            pop3: Listen::default_port(1110),
            users: None,
            maildir: None,
            domains: Vec::new(),
            cert: None,
            key: None,
            routes: Vec::new(),
            hostname: "localhost".into(),
            verbose: false,
        };
        let addr = |name: &str, text: String| -> Result<Listen, String> {
            let addr = text.parse().map_err(|e| format!("{name} {text}: {e}"))?;
            Ok(Listen { addr, fixed: true })
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--smtp" => parsed.smtp = addr("--smtp", value("--smtp")?)?,
                "--submission" => {
                    parsed.submission = addr("--submission", value("--submission")?)?;
                }
                "--pop3" => parsed.pop3 = addr("--pop3", value("--pop3")?)?,
                "--imap" => parsed.imap = addr("--imap", value("--imap")?)?,
                "--users" => parsed.users = Some(value("--users")?.into()),
                "--maildir" => parsed.maildir = Some(value("--maildir")?.into()),
                "--domain" => parsed.domains.push(value("--domain")?),
                "--cert" => parsed.cert = Some(value("--cert")?.into()),
                "--key" => parsed.key = Some(value("--key")?.into()),
                "--route" => {
                    let spec = value("--route")?;
                    Routes::new().add(&spec)?;
                    parsed.routes.push(spec);
                }
                "--hostname" => parsed.hostname = value("--hostname")?,
                "--verbose" => parsed.verbose = true,
                other => return Err(format!("unknown option {other}")),
            }
        }
        if parsed.domains.is_empty() {
            parsed.domains = vec!["example.org".into(), "localhost".into()];
        }
        if parsed.cert.is_some() != parsed.key.is_some() {
            return Err("--cert and --key go together".into());
        }
        Ok(parsed)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("mail_server: {message}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mail_server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The services, each a task; returns at Ctrl-C or SIGTERM, or when a
/// service fails.
async fn run(args: Args) -> io::Result<()> {
    let users = match &args.users {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            Accounts::parse_users(&text)
                .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?
        }
        None => DEMO_USERS
            .iter()
            .map(|(n, p)| ((*n).to_owned(), (*p).to_owned()))
            .collect(),
    };
    let accounts = Accounts::new(users.clone(), args.domains.clone()).map_err(io::Error::other)?;

    // The tree: given, or a temporary one removed at exit.
    let (root, _temporary) = match &args.maildir {
        Some(root) => (root.clone(), None),
        None => {
            let dir = tempfile::Builder::new().prefix("mail_server-").tempdir()?;
            (dir.path().to_path_buf(), Some(dir))
        }
    };
    std::fs::create_dir_all(&root)?;
    let store = MailStore::open(&root, accounts, args.verbose).await?;
    let queue = relay_queue::Queue::open(root.join(mail_store::QUEUE)).await?;

    let certificate = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => tls::SelfSigned::from_pem_files(cert, key)?,
        _ => tls::SelfSigned::generate()?,
    };
    let cert_file = root.join(".certificate.pem");
    std::fs::write(&cert_file, certificate.certificate_pem())?;

    let smtp = args.smtp.bind()?;
    let submission = args.submission.bind()?;
    let imap = args.imap.bind()?;
    let pop3 = args.pop3.bind()?;
    let smtp_addr = smtp.local_addr()?;
    let submission_addr = submission.local_addr()?;
    let imap_addr = imap.local_addr()?;
    let pop3_addr = pop3.local_addr()?;

    let mut services = JoinSet::new();

    // The MX: no AUTH, no STARTTLS requirement; local users only.
    let mx_options = smtp_serve::Options {
        listen: smtp_addr,
        store: smtp_serve::Store::Spool(Arc::new(store.clone())),
        users: Vec::new(),
        hostname: args.hostname.clone(),
        tls: true,
        max_size: 64 << 20,
        verbose: args.verbose,
        busy_connections: 0,
        reject_recipients: Vec::new(),
    };
    services.spawn(named(
        "smtp",
        smtp_serve::serve_with_certificate(smtp, mx_options, certificate.clone()),
    ));

    // Submission: STARTTLS and AUTH required, then local or relayed.
    let submission_options = smtp_serve::Options {
        listen: submission_addr,
        store: smtp_serve::Store::Spool(Arc::new(store.relaying_to(queue.clone()))),
        users: users.clone(),
        hostname: args.hostname.clone(),
        tls: true,
        max_size: 64 << 20,
        verbose: args.verbose,
        busy_connections: 0,
        reject_recipients: Vec::new(),
    };
    services.spawn(named(
        "submission",
        smtp_serve::serve_with_certificate(submission, submission_options, certificate.clone()),
    ));

    // POP3 over the same Maildirs.
    let pop3_options = pop3_serve::Options {
        listen: pop3_addr,
        maildir: root.clone(),
        users: users.clone(),
        hostname: args.hostname.clone(),
        tls: true,
        require_tls: false,
        verbose: args.verbose,
        layout: pop3_serve::Layout::PerUser(mail_store::MAILDIR.into()),
    };
    services.spawn(named(
        "pop3",
        pop3_serve::serve_with_certificate(pop3, pop3_options, certificate.clone()),
    ));

    // IMAP over the same Maildirs (Maildir++ folders beside INBOX).
    let imap_options = imap_serve::Options {
        listen: imap_addr,
        maildir: root.clone(),
        users: users.clone(),
        hostname: args.hostname.clone(),
        tls: true,
        require_tls: false,
        verbose: args.verbose,
        max_message: 64 << 20,
        layout: imap_serve::Layout::PerUser(mail_store::MAILDIR.into()),
    };
    services.spawn(named(
        "imap",
        imap_serve::serve_with_certificate(imap, imap_options, certificate.clone()),
    ));

    // The relay worker: local domains route back to our own MX (bounces
    // to local senders), then the --route table.
    let mut routes = Routes::new();
    for domain in store.accounts().domains() {
        routes.insert(domain, smtp_addr);
    }
    for spec in &args.routes {
        routes.add(spec).map_err(io::Error::other)?;
    }
    let (events, mut reports) = tokio::sync::mpsc::channel(64);
    services.spawn(named(
        "relay",
        relay_worker::run(
            queue,
            routes,
            RetryPolicy::default(),
            relay_worker::RelayConfig::new(args.hostname.clone()),
            events,
        ),
    ));
    tokio::spawn(async move {
        while let Some(event) = reports.recv().await {
            println!("relay: {event}");
        }
    });

    println!("smtp listening on {smtp_addr}");
    println!("submission listening on {submission_addr}");
    println!("imap listening on {imap_addr}");
    println!("pop3 listening on {pop3_addr}");
    print_guide(
        &root,
        args.maildir.is_none(),
        &users,
        store.accounts().domains(),
        &cert_file,
        [smtp_addr, submission_addr, imap_addr, pop3_addr],
    );

    let result = tokio::select! {
        () = stop_signal() => {
            println!("mail_server: stopping");
            Ok(())
        }
        Some(ended) = services.join_next() => match ended {
            Ok(result) => result,
            Err(error) => Err(io::Error::other(error)),
        },
    };
    services.abort_all();
    result
}

/// A service's future, its error prefixed with its name.
async fn named(
    name: &'static str,
    service: impl std::future::Future<Output = io::Result<()>>,
) -> io::Result<()> {
    service
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// How to reach the services with real clients.
fn print_guide(
    root: &std::path::Path,
    temporary: bool,
    users: &[(String, String)],
    domains: &[String],
    cert_file: &std::path::Path,
    [smtp, submission, imap, pop3]: [SocketAddr; 4],
) {
    let domain = &domains[0];
    let (user, pass) = &users[0];
    let (other, other_pass) = users.get(1).unwrap_or(&users[0]);
    let accounts: Vec<String> = users.iter().map(|(n, p)| format!("{n}:{p}")).collect();
    println!();
    println!(
        "Maildir tree {} (ROOT/USER/Maildir{})",
        root.display(),
        if temporary { ", removed at exit" } else { "" }
    );
    println!("accounts: {}", accounts.join(" "));
    println!("local domains: {}", domains.join(" "));
    println!("certificate: {}", cert_file.display());
    println!();
    println!("Deliver to the MX (no AUTH):");
    println!(
        "  swaks --server {smtp} --from sender@example.net --to {other}@{domain} --body hello"
    );
    println!("Submit with STARTTLS and AUTH:");
    println!(
        "  swaks --server {submission} --tls --auth PLAIN --auth-user {user} --auth-password {pass} \
         --from {user}@{domain} --to {other}@{domain}"
    );
    println!(
        "  curl --ssl-reqd --cacert {} --url smtp://localhost:{}/ --user {user}:{pass} \
         --mail-from {user}@{domain} --mail-rcpt {other}@{domain} --upload-file message.eml",
        cert_file.display(),
        submission.port()
    );
    println!(
        "  python3 -c 'import smtplib,ssl; s=smtplib.SMTP(\"localhost\",{}); \
         s.starttls(context=ssl.create_default_context(cafile=\"{}\")); s.login(\"{user}\",\"{pass}\"); \
         s.sendmail(\"{user}@{domain}\",[\"{other}@{domain}\"],b\"Subject: hi\\r\\n\\r\\nhello\\r\\n\")'",
        submission.port(),
        cert_file.display()
    );
    println!("Read with IMAP:");
    println!(
        "  curl --ssl-reqd --cacert {} 'imap://localhost:{}/INBOX;UID=1' --user {other}:{other_pass}",
        cert_file.display(),
        imap.port()
    );
    println!(
        "  python3 -c 'import imaplib; m=imaplib.IMAP4(\"127.0.0.1\",{}); m.login(\"{other}\",\"{other_pass}\"); \
         print(m.select(\"INBOX\")); print(m.fetch(\"1:*\", \"(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\"))'",
        imap.port()
    );
    println!(
        "  cargo run --example imap_fetch -- --server {imap} --user {other}:{other_pass} --starttls --ca {}",
        cert_file.display()
    );
    println!("Read with POP3:");
    println!(
        "  curl --ssl-reqd --cacert {} pop3://localhost:{}/1 --user {other}:{other_pass}",
        cert_file.display(),
        pop3.port()
    );
    println!(
        "  python3 -c 'import poplib; p=poplib.POP3(\"127.0.0.1\",{}); p.user(\"{other}\"); \
         p.pass_(\"{other_pass}\"); print(p.stat())'",
        pop3.port()
    );
    println!(
        "  fetchmail --nosyslog --pidfile /tmp/fm.pid -f RCFILE, RCFILE of mode 600 holding:\n    \
         poll localhost service {} protocol pop3 user \"{other}\" password \"{other_pass}\" \
         sslproto tls1.2+ sslcertck sslcertfile \"{}\" mda \"cat >> /tmp/{other}.mbox\"",
        pop3.port(),
        cert_file.display()
    );
    println!(
        "  the same over IMAP: poll localhost service {} protocol imap user \"{other}\" \
         password \"{other_pass}\" sslproto tls1.2+ sslcertck sslcertfile \"{}\" mda \"cat >> /tmp/{other}.mbox\"",
        imap.port(),
        cert_file.display()
    );
    println!();
    println!("Ctrl-C stops the server.");
}
