//! The mail store of the `mail_server` example: its accounts and local
//! domains, the layout of its Maildir tree, and the `smtp_serve` spool
//! that delivers to local users and hands everything else to the relay
//! queue.
//!
//! The tree, one directory for the whole server:
//!
//! ```text
//! ROOT/
//!   USER/Maildir/{tmp,new,cur}   one Maildir per account (what POP3 serves)
//!   .queue/{tmp,msg,state}       the relay queue (relay_queue.rs)
//! ```
//!
//! A message for N distinct local users is written to N files, one in
//! each user's `tmp/`, each fsynced and renamed into `new/` before the
//! `250` (maildir.rs); a message for other domains goes into the queue in
//! the same transaction. A client that leaves before the final dot leaves
//! nothing behind: every unfinished file is removed when its writer is
//! dropped, and a crash's leftovers in `tmp/` are removed at start
//! ([`MailStore::open`]).
//!
//! Include it with `#[path = "support/mail_store.rs"] mod mail_store;`
//! beside `maildir`, `relay_queue` and `smtp_serve`.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mailwire_smtp::types::{EnhancedStatus, Reply, ReplyCode};

use crate::maildir::{Delivery, Maildir};
use crate::relay_queue::{Enqueue, Envelope, Queue, bare};
use crate::smtp_serve::{BoxFuture, Spool, SpoolWriter};

/// The directory under `ROOT/USER/` that holds the user's Maildir.
pub(crate) const MAILDIR: &str = "Maildir";

/// The relay queue's directory under `ROOT/`.
pub(crate) const QUEUE: &str = ".queue";

/// The Maildir of `user` in the tree at `root`: `ROOT/USER/Maildir`.
pub(crate) fn maildir_of(root: &Path, user: &str) -> PathBuf {
    root.join(user).join(MAILDIR)
}

/// The accounts (name and password) and the domains the server receives
/// mail for.
#[derive(Clone)]
pub(crate) struct Accounts {
    users: Vec<(String, String)>,
    domains: Vec<String>,
}

/// The names only: passwords are never printed.
impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field(
                "users",
                &self.users.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("domains", &self.domains)
            .finish()
    }
}

/// Where mail for an address goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Destination {
    /// A local user's Maildir (the account name).
    Local(String),
    /// A local domain, but no such user.
    UnknownUser,
    /// Another domain: relayed, for authenticated clients only.
    Remote,
}

impl Accounts {
    /// Accounts `users` for mail to `domains` (compared without regard
    /// to case). Names must be [`valid_user`]s.
    pub(crate) fn new(users: Vec<(String, String)>, domains: Vec<String>) -> Result<Self, String> {
        for (name, _) in &users {
            if !valid_user(name) {
                return Err(format!(
                    "user {name:?}: a name is 1 to 64 of a-z, 0-9, '.', '_', '-', not starting with '.'"
                ));
            }
        }
        if domains.is_empty() {
            return Err("at least one local domain is needed".into());
        }
        let domains = domains.iter().map(|d| d.to_ascii_lowercase()).collect();
        Ok(Self { users, domains })
    }

    /// Reads a users file: one `name:password` per line; blank lines and
    /// lines starting with `#` are skipped; the password is the rest of
    /// the line after the first `:` (it may hold `:` itself).
    pub(crate) fn parse_users(text: &str) -> Result<Vec<(String, String)>, String> {
        let mut users: Vec<(String, String)> = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let (name, password) = line
                .split_once(':')
                .ok_or_else(|| format!("line {}: expected name:password", number + 1))?;
            let name = name.trim();
            if !valid_user(name) {
                return Err(format!("line {}: bad user name {name:?}", number + 1));
            }
            if users.iter().any(|(known, _)| known == name) {
                return Err(format!("line {}: user {name} twice", number + 1));
            }
            users.push((name.to_owned(), password.to_owned()));
        }
        if users.is_empty() {
            return Err("no users in the file".into());
        }
        Ok(users)
    }

    /// The accounts, name and password.
    pub(crate) fn users(&self) -> &[(String, String)] {
        &self.users
    }

    /// The local domains, lower case.
    pub(crate) fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Whether `domain` is one of ours.
    pub(crate) fn is_local_domain(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }

    /// Where mail for `address` (`<user@domain>` or `user@domain`) goes.
    /// The local part is compared without regard to case, as the account
    /// names are lower case. `postmaster`, with a local domain or none
    /// (RFC 5321 sections 4.1.1.3 and 4.5.1: every SMTP server must take
    /// it), goes to the first account unless one has that name.
    pub(crate) fn destination(&self, address: &str) -> Destination {
        let address = bare(address);
        let (local, domain) = match address.rsplit_once('@') {
            Some(parts) => parts,
            None => (address, self.domains[0].as_str()),
        };
        if !self.is_local_domain(domain) {
            return Destination::Remote;
        }
        let account = self
            .users
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(local))
            .or_else(|| {
                local
                    .eq_ignore_ascii_case("postmaster")
                    .then(|| self.users.first())
                    .flatten()
            });
        account.map_or(Destination::UnknownUser, |(name, _)| {
            Destination::Local(name.clone())
        })
    }
}

/// Whether `name` can be an account (and so a directory name): 1 to 64
/// characters of `a-z`, `0-9`, `.`, `_`, `-`, not starting with `.`.
pub(crate) fn valid_user(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// The server's mail store: a Maildir per account and, for submission,
/// the relay queue. As a [`Spool`] it refuses recipients it cannot take
/// at `RCPT` time and delivers the rest.
#[derive(Clone, Debug)]
pub(crate) struct MailStore {
    accounts: Arc<Accounts>,
    maildirs: Arc<HashMap<String, Maildir>>,
    /// Where mail for other domains goes; `None`: it is refused.
    relay: Option<Queue>,
    verbose: bool,
}

impl MailStore {
    /// Opens the tree at `root`: creates each account's Maildir and
    /// removes what a crash left in their `tmp/` (files no `250` was sent
    /// for; this server is the only writer of the tree). Mail for other
    /// domains is refused until [`MailStore::relaying_to`].
    pub(crate) async fn open(root: &Path, accounts: Accounts, verbose: bool) -> io::Result<Self> {
        let mut maildirs = HashMap::new();
        for (user, _) in accounts.users() {
            let maildir = Maildir::create(maildir_of(root, user)).await?;
            clear_tmp(maildir.path()).await?;
            maildirs.insert(user.clone(), maildir);
        }
        Ok(Self {
            accounts: Arc::new(accounts),
            maildirs: Arc::new(maildirs),
            relay: None,
            verbose,
        })
    }

    /// The same store, handing mail for other domains to `queue` (for the
    /// submission service, whose clients have authenticated).
    pub(crate) fn relaying_to(&self, queue: Queue) -> Self {
        Self {
            relay: Some(queue),
            ..self.clone()
        }
    }

    /// The accounts.
    pub(crate) fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The Maildir of `user`, if it is an account.
    pub(crate) fn maildir(&self, user: &str) -> Option<&Maildir> {
        self.maildirs.get(user)
    }
}

/// Removes every file in `maildir/tmp/`.
async fn clear_tmp(maildir: &Path) -> io::Result<()> {
    let tmp = maildir.join("tmp");
    let mut entries = tokio::fs::read_dir(&tmp).await?;
    while let Some(entry) = entries.next_entry().await? {
        if entry.file_type().await?.is_file() {
            match tokio::fs::remove_file(entry.path()).await {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

impl Spool for MailStore {
    fn begin<'a>(
        &'a self,
        from: &'a str,
        to: &'a [String],
    ) -> BoxFuture<'a, io::Result<Box<dyn SpoolWriter>>> {
        Box::pin(async move {
            let mut users: Vec<String> = Vec::new();
            let mut remote: Vec<&String> = Vec::new();
            for address in to {
                match self.accounts.destination(address) {
                    // One copy per user, however many of their addresses
                    // were given.
                    Destination::Local(user) => {
                        if !users.contains(&user) {
                            users.push(user);
                        }
                    }
                    Destination::Remote => remote.push(address),
                    Destination::UnknownUser => {
                        return Err(io::Error::other(format!("no user for {address}")));
                    }
                }
            }
            // The final delivery adds the Return-Path (RFC 5321 section
            // 4.4); the relay's hop does not.
            let return_path = format!("Return-Path: {from}\r\n");
            let mut local = Vec::with_capacity(users.len());
            for user in &users {
                let maildir = self
                    .maildirs
                    .get(user)
                    .ok_or_else(|| io::Error::other(format!("no Maildir for {user}")))?;
                let mut delivery = maildir.begin().await?;
                delivery.write_chunk(return_path.as_bytes()).await?;
                local.push(delivery);
            }
            let queued = match (remote.is_empty(), &self.relay) {
                (true, _) => None,
                (false, Some(queue)) => Some(queue.begin(Envelope::new(from, &remote)).await?),
                (false, None) => return Err(io::Error::other("relaying is not allowed here")),
            };
            Ok(Box::new(MailWriter {
                users,
                local,
                queued,
                verbose: self.verbose,
            }) as Box<dyn SpoolWriter>)
        })
    }

    fn check_recipient(&self, address: &str) -> Result<(), Reply<'static>> {
        match self.accounts.destination(address) {
            Destination::Local(_) => Ok(()),
            Destination::UnknownUser => Err(Reply::new(
                ReplyCode::MAILBOX_UNAVAILABLE,
                Some(EnhancedStatus::BAD_DESTINATION),
                "No such user here",
            )),
            Destination::Remote if self.relay.is_some() => Ok(()),
            // Never an open relay: other domains only through submission.
            Destination::Remote => Err(Reply::new(
                ReplyCode::MAILBOX_UNAVAILABLE,
                EnhancedStatus::new(5, 7, 1),
                "Relaying denied",
            )),
        }
    }

    /// On submission (a store made with [`MailStore::relaying_to`]), the
    /// sender must be an address of the account that logged in: a user
    /// cannot send as another one, nor as the null sender, which only
    /// bounces use (RFC 6409 section 6.1 leaves the policy to the server).
    /// The MX takes any sender.
    fn check_sender(&self, address: &str, user: Option<&str>) -> Result<(), Reply<'static>> {
        if self.relay.is_none() {
            return Ok(());
        }
        match (self.accounts.destination(address), user) {
            (Destination::Local(owner), Some(user))
                if owner == user && !bare(address).is_empty() =>
            {
                Ok(())
            }
            _ => Err(Reply::new(
                ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                EnhancedStatus::new(5, 7, 1),
                "Sender address not owned by the authenticated user",
            )),
        }
    }
}

/// One message on its way into the users' Maildirs and the queue;
/// dropping it removes every unfinished file.
struct MailWriter {
    users: Vec<String>,
    local: Vec<Delivery>,
    queued: Option<Enqueue>,
    verbose: bool,
}

impl SpoolWriter for MailWriter {
    fn write_chunk<'a>(&'a mut self, chunk: &'a [u8]) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(async move {
            for delivery in &mut self.local {
                delivery.write_chunk(chunk).await?;
            }
            if let Some(queued) = &mut self.queued {
                queued.write_chunk(chunk).await?;
            }
            Ok(())
        })
    }

    fn commit(self: Box<Self>) -> BoxFuture<'static, io::Result<String>> {
        Box::pin(async move {
            let MailWriter {
                users,
                local,
                queued,
                verbose,
            } = *self;
            // Each file is made durable on its own; should one fail after
            // others were committed, the client's retry after the 451 may
            // bring those users a second copy (never none).
            let mut done = Vec::new();
            for (user, delivery) in users.iter().zip(local) {
                let path = delivery.commit().await?;
                if verbose {
                    eprintln!("mail_server: delivered to {user}: {}", path.display());
                }
                done.push(user.clone());
            }
            if let Some(queued) = queued {
                let id = queued.commit().await?;
                done.push(format!("queue {id}"));
            }
            Ok(done.join(", "))
        })
    }
}
