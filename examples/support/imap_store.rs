//! The mailbox model of the `imap_server` example over a Maildir++ tree:
//! INBOX is the Maildir itself, folder `Foo.Bar` is `.Foo.Bar/` beside
//! its `cur/`, `new/` and `tmp/` (the hierarchy delimiter is `.`; a `/`
//! in a name the client sends is read as `.`).
//!
//! Per folder, a small file `mailwire-uidlist` (rewritten atomically via
//! a temporary file and a rename) keeps UIDVALIDITY, UIDNEXT and the UID
//! of every message, keyed by the unique part of its file name (before
//! `:2,`). UIDs are given in arrival order to the files a scan finds in
//! `new/` and `cur/`. Flags live where every Maildir reader looks for
//! them, in the info suffix `:2,DFRST` (\Draft \Flagged \Answered \Seen
//! \Deleted), changed by renaming the file; keywords are the letters `a`
//! to `z` there, named in the folder's `dovecot-keywords` (lines `N
//! name`), as Dovecot keeps them. A message a session moves from
//! `new/` to `cur/` is `\Recent` in that session only.
//!
//! Several sessions of one process (and SMTP deliveries that only write
//! files into `new/`) share a folder through the [`Registry`]: one
//! [`Folder`] per directory behind an `Arc<Mutex<..>>`, rescanned when a
//! session asks (SELECT, NOOP, CHECK, IDLE ticks, STATUS). Locks are held
//! for short synchronous file-system steps only (directory scans,
//! renames, links), never across an await.
//!
//! The FETCH and SEARCH helpers at the end work on the wire form of a
//! message (every line ending CRLF, as RFC822.SIZE counts it). Messages up
//! to [`MAX_PARSED`] octets are read and parsed with `mailwire-message`;
//! larger ones are never read whole: their header is read (bounded), their
//! body is described as a file range that the server streams, and when a
//! FETCH asks for their structure or a part, one streaming scan of the
//! file locates every MIME part ([`scan_tree`]: offsets, headers, line
//! counts; memory bounded by the headers kept).

#![allow(dead_code)] // each example uses its own part

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailwire_imap::types::{
    AString, Address, BodyExt, BodyStructure, Date, DateTime, Disposition, Envelope, Flag, Mailbox,
    SearchKey, Section, SectionText, SequenceSet, SinglePart, SinglePartKind,
};
use mailwire_message::Message as Parsed;
use mailwire_message::header::Header;
use mailwire_message::part::{Content, Part};

use crate::maildir::WireSize;

/// The hierarchy delimiter.
pub(crate) const DELIMITER: char = '.';

/// The per-folder UID file.
const UIDLIST: &str = "mailwire-uidlist";

/// Messages up to this many octets are read into memory for ENVELOPE,
/// BODYSTRUCTURE, sections and SEARCH; larger ones are streamed.
pub(crate) const MAX_PARSED: u64 = 8 << 20;

/// The longest header read from a message too large to parse whole.
const MAX_HEADER: usize = 256 * 1024;

/// The last UIDVALIDITY given in this process.
static VALIDITY: AtomicU32 = AtomicU32::new(0);

/// Makes copied file names unique within the process.
static COPIES: AtomicU64 = AtomicU64::new(0);

/// The five system flags a Maildir keeps, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags(u8);

impl Flags {
    pub(crate) const SEEN: Self = Self(1);
    pub(crate) const ANSWERED: Self = Self(2);
    pub(crate) const FLAGGED: Self = Self(4);
    pub(crate) const DELETED: Self = Self(8);
    pub(crate) const DRAFT: Self = Self(16);
    /// All five.
    pub(crate) const ALL: Self = Self(31);

    /// Maildir info letters, in the order they are written (ASCII).
    const LETTERS: [(char, Self); 5] = [
        ('D', Self::DRAFT),
        ('F', Self::FLAGGED),
        ('R', Self::ANSWERED),
        ('S', Self::SEEN),
        ('T', Self::DELETED),
    ];

    pub(crate) fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub(crate) fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }

    pub(crate) fn remove(&mut self, other: Self) {
        self.0 &= !other.0;
    }

    /// The system flags among `flags` (`\Recent` and keywords are not
    /// stored).
    pub(crate) fn from_imap(flags: &[Flag<'_>]) -> Self {
        let mut out = Self::default();
        for flag in flags {
            out.insert(match flag {
                Flag::Seen => Self::SEEN,
                Flag::Answered => Self::ANSWERED,
                Flag::Flagged => Self::FLAGGED,
                Flag::Deleted => Self::DELETED,
                Flag::Draft => Self::DRAFT,
                _ => Self::default(),
            });
        }
        out
    }

    /// The flags as IMAP writes them, `\Recent` added when `recent`.
    pub(crate) fn to_imap(self, recent: bool) -> Vec<Flag<'static>> {
        let mut out = Vec::new();
        for (flag, bit) in [
            (Flag::Seen, Self::SEEN),
            (Flag::Answered, Self::ANSWERED),
            (Flag::Flagged, Self::FLAGGED),
            (Flag::Deleted, Self::DELETED),
            (Flag::Draft, Self::DRAFT),
        ] {
            if self.contains(bit) {
                out.push(flag);
            }
        }
        if recent {
            out.push(Flag::Recent);
        }
        out
    }

    /// The flags of a Maildir info (`2,FRS`), and the letters this
    /// model does not know (kept as they were).
    fn from_info(info: &str) -> (Self, String) {
        let mut flags = Self::default();
        let mut other = String::new();
        for c in info.strip_prefix("2,").unwrap_or("").chars() {
            match Self::LETTERS.iter().find(|(l, _)| *l == c) {
                Some((_, bit)) => flags.insert(*bit),
                None => other.push(c),
            }
        }
        (flags, other)
    }

    /// The info suffix, letters in ASCII order as the spec asks.
    fn to_info(self, other: &str) -> String {
        let mut letters: Vec<char> = other.chars().collect();
        for (letter, bit) in Self::LETTERS {
            if self.contains(bit) {
                letters.push(letter);
            }
        }
        letters.sort_unstable();
        letters.dedup();
        let mut info = String::from("2,");
        info.extend(letters);
        info
    }
}

/// One message of a folder.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    pub(crate) uid: u32,
    /// The unique part of the file name (before `:`).
    pub(crate) key: String,
    /// Where the file is now.
    pub(crate) path: PathBuf,
    pub(crate) flags: Flags,
    /// Info letters beyond the five flags: keywords (`a` to `z`, named in
    /// the folder's `dovecot-keywords`) and others, kept as they are.
    other: String,
    /// The keywords, by name, in letter order.
    pub(crate) keywords: Vec<String>,
    /// Octets on disk.
    pub(crate) file_size: u64,
    /// Octets as sent (every line ending CRLF).
    pub(crate) wire_size: u64,
    /// The file's modification time: the INTERNALDATE.
    pub(crate) mtime: SystemTime,
}

impl Message {
    /// The flags as IMAP writes them: the system flags, the keywords, and
    /// `\Recent` when `recent`.
    pub(crate) fn imap_flags(&self, recent: bool) -> Vec<Flag<'static>> {
        let mut out = self.flags.to_imap(false);
        out.extend(
            self.keywords
                .iter()
                .filter_map(|k| mailwire_imap::types::Atom::new(k.clone()).ok())
                .map(Flag::Keyword),
        );
        if recent {
            out.push(Flag::Recent);
        }
        out
    }

    /// Whether the file is already in its wire form (no bare CR or LF,
    /// ends with CRLF): then wire offsets are file offsets.
    pub(crate) fn is_clean(&self) -> bool {
        self.file_size == self.wire_size
    }

    /// Whether the file is still in `new/`.
    pub(crate) fn in_new(&self) -> bool {
        self.path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d == "new")
    }
}

/// What a store operation can fail with.
#[derive(Debug)]
pub(crate) enum StoreError {
    /// No such mailbox.
    NotFound,
    /// The mailbox exists already.
    Exists,
    /// A name this store cannot map to a directory.
    InvalidName,
    /// Not allowed (INBOX cannot be deleted...).
    Refused(&'static str),
    /// The file system failed.
    Io(io::Error),
}

impl From<io::Error> for StoreError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::NotFound {
            Self::NotFound
        } else {
            Self::Io(error)
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound => f.write_str("no such mailbox"),
            Self::Exists => f.write_str("mailbox already exists"),
            Self::InvalidName => f.write_str("invalid mailbox name"),
            Self::Refused(why) => f.write_str(why),
            Self::Io(error) => write!(f, "{error}"),
        }
    }
}

/// A folder's state, shared by the sessions that use it.
#[derive(Debug)]
pub(crate) struct Folder {
    dir: PathBuf,
    pub(crate) uid_validity: u32,
    pub(crate) uid_next: u32,
    /// In UID order.
    pub(crate) messages: Vec<Message>,
    /// Keyword names by letter (`a` is 0), as Dovecot keeps them in
    /// `dovecot-keywords` (lines `N name`).
    keywords: Vec<String>,
}

/// The per-folder keyword table Dovecot reads and writes too.
const KEYWORDS: &str = "dovecot-keywords";

impl Folder {
    /// Reads the keyword table (a missing file is an empty table).
    fn load_keywords(&mut self) -> io::Result<()> {
        let text = match fs::read_to_string(self.dir.join(KEYWORDS)) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut table = Vec::new();
        for line in text.lines() {
            if let Some((n, name)) = line.split_once(' ') {
                if let Ok(n) = n.parse::<usize>() {
                    if n < 26 && !name.is_empty() {
                        if table.len() <= n {
                            table.resize(n + 1, String::new());
                        }
                        table[n] = name.to_owned();
                    }
                }
            }
        }
        self.keywords = table;
        Ok(())
    }

    /// The keyword names of info letters, in letter order.
    fn keyword_names(&self, other: &str) -> Vec<String> {
        let mut letters: Vec<char> = other.chars().filter(char::is_ascii_lowercase).collect();
        letters.sort_unstable();
        letters.dedup();
        letters
            .into_iter()
            .filter_map(|c| self.keywords.get(c as usize - 'a' as usize))
            .filter(|name| !name.is_empty())
            .cloned()
            .collect()
    }

    /// The keywords defined in this folder (for FLAGS and PERMANENTFLAGS).
    pub(crate) fn defined_keywords(&self) -> Vec<String> {
        self.keywords
            .iter()
            .filter(|k| !k.is_empty())
            .cloned()
            .collect()
    }

    /// The info letters of keyword names (compared without regard to
    /// case), defining new ones while letters are free (26 at most, as
    /// in Dovecot's table; past that a keyword is not kept).
    fn letters_for(&mut self, names: &[String]) -> io::Result<String> {
        let mut letters = String::new();
        let mut grew = false;
        for name in names {
            let index = match self
                .keywords
                .iter()
                .position(|k| k.eq_ignore_ascii_case(name))
            {
                Some(i) => i,
                None if self.keywords.len() < 26 => {
                    self.keywords.push(name.clone());
                    grew = true;
                    self.keywords.len() - 1
                }
                None => continue,
            };
            letters.push((b'a' + index as u8) as char);
        }
        if grew {
            let mut text = String::new();
            for (i, name) in self.keywords.iter().enumerate() {
                if !name.is_empty() {
                    text.push_str(&format!("{i} {name}\n"));
                }
            }
            let tmp = self
                .dir
                .join(format!("{KEYWORDS}.{}.tmp", std::process::id()));
            fs::write(&tmp, text)?;
            fs::rename(&tmp, self.dir.join(KEYWORDS))?;
        }
        Ok(letters)
    }

    /// Loads the UID list of the Maildir at `dir` and scans it (nothing is
    /// moved from `new/`).
    fn load(dir: &Path) -> io::Result<Self> {
        let mut folder = Self {
            dir: dir.to_path_buf(),
            uid_validity: 0,
            uid_next: 1,
            messages: Vec::new(),
            keywords: Vec::new(),
        };
        let mut known = Vec::new();
        match fs::read_to_string(dir.join(UIDLIST)) {
            Ok(text) => {
                let mut lines = text.lines();
                for word in lines.next().unwrap_or("").split(' ') {
                    if let Some(v) = word.strip_prefix('V') {
                        folder.uid_validity = v.parse().unwrap_or(0);
                    } else if let Some(n) = word.strip_prefix('N') {
                        folder.uid_next = n.parse().unwrap_or(1);
                    }
                }
                for line in lines {
                    if let Some((uid, key)) = line.split_once(' ') {
                        if let Ok(uid) = uid.parse::<u32>() {
                            if uid > 0 && uid < folder.uid_next {
                                known.push((uid, key.to_owned()));
                            }
                        }
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if folder.uid_validity == 0 {
            // A new UID list: a fresh UIDVALIDITY, so a client's cached
            // UIDs from any earlier list are dropped (RFC 3501 2.3.1.1).
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            // Above any given before in this process: a mailbox deleted and
            // made again within a second still gets a new one.
            let now = u32::try_from(now).unwrap_or(u32::MAX).max(1);
            let last = VALIDITY.fetch_max(now, Ordering::Relaxed);
            folder.uid_validity = if last >= now {
                VALIDITY.fetch_add(1, Ordering::Relaxed) + 1
            } else {
                now
            };
            folder.uid_next = 1;
            known.clear();
        }
        known.sort_unstable();
        known.dedup_by(|a, b| a.1 == b.1);
        folder.messages = known
            .into_iter()
            .map(|(uid, key)| Message {
                uid,
                key,
                path: PathBuf::new(),
                flags: Flags::default(),
                other: String::new(),
                keywords: Vec::new(),
                file_size: 0,
                wire_size: 0,
                mtime: UNIX_EPOCH,
            })
            .collect();
        folder.rescan(false)?;
        folder.save()?;
        Ok(folder)
    }

    /// The folder's directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads `new/` and `cur/` again: files that went away are dropped,
    /// new ones get the next UIDs (oldest name first), moved files and
    /// changed flags are taken in. With `take_new`, files in `new/` move
    /// to `cur/` as a Maildir reader does; their UIDs are returned (they
    /// are `\Recent` for the caller).
    pub(crate) fn rescan(&mut self, take_new: bool) -> io::Result<Vec<u32>> {
        self.load_keywords()?;
        let mut found: HashMap<String, (PathBuf, String)> = HashMap::new();
        for sub in ["cur", "new"] {
            for entry in fs::read_dir(self.dir.join(sub))? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') || !entry.file_type()?.is_file() {
                    continue;
                }
                let (key, info) = match name.split_once(':') {
                    Some((key, info)) => (key.to_owned(), info.to_owned()),
                    None => (name.clone(), String::new()),
                };
                found.insert(key, (entry.path(), info));
            }
        }
        let before = self.messages.len();
        let mut failed = None;
        self.messages.retain_mut(|m| match found.remove(&m.key) {
            Some((path, info)) => {
                if m.path != path {
                    let (flags, other) = Flags::from_info(&info);
                    m.flags = flags;
                    m.other = other;
                    if m.path.as_os_str().is_empty() {
                        match stat(m, &path) {
                            Ok(()) => {}
                            // Gone since the listing: the next scan decides.
                            Err(e) if e.kind() == io::ErrorKind::NotFound => return false,
                            Err(e) => failed = Some(e),
                        }
                    }
                    m.path = path;
                }
                true
            }
            None => false,
        });
        let mut changed = self.messages.len() != before;
        let mut fresh: Vec<(String, (PathBuf, String))> = found.into_iter().collect();
        fresh.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, (path, info)) in fresh {
            let (flags, other) = Flags::from_info(&info);
            let mut message = Message {
                uid: self.uid_next,
                key,
                path: path.clone(),
                flags,
                other,
                keywords: Vec::new(),
                file_size: 0,
                wire_size: 0,
                mtime: UNIX_EPOCH,
            };
            if let Err(e) = stat(&mut message, &path) {
                // Gone between the listing and now: the next scan decides.
                if e.kind() != io::ErrorKind::NotFound {
                    failed = Some(e);
                }
                continue;
            }
            self.uid_next += 1;
            self.messages.push(message);
            changed = true;
        }
        if let Some(e) = failed {
            return Err(e);
        }
        for i in 0..self.messages.len() {
            let names = self.keyword_names(&self.messages[i].other);
            self.messages[i].keywords = names;
        }
        let mut taken = Vec::new();
        if take_new {
            for m in &mut self.messages {
                if m.in_new() {
                    let info = m.flags.to_info(&m.other);
                    let to = self.dir.join("cur").join(format!("{}:{info}", m.key));
                    match fs::rename(&m.path, &to) {
                        Ok(()) => {
                            m.path = to;
                            taken.push(m.uid);
                        }
                        // Another reader moved it first; the next scan finds it.
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        if changed {
            self.save()?;
        }
        Ok(taken)
    }

    /// The message with this UID.
    pub(crate) fn get(&self, uid: u32) -> Option<&Message> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
            .map(|i| &self.messages[i])
    }

    /// Sets a message's flags (a rename; a file in `new/` moves to `cur/`);
    /// its keywords stay.
    pub(crate) fn set_flags(&mut self, uid: u32, flags: Flags) -> io::Result<bool> {
        self.set_info(uid, flags, None)
    }

    /// Sets a message's flags and, when given, its keywords (by name).
    /// `false` when there is no such message (any more).
    pub(crate) fn set_info(
        &mut self,
        uid: u32,
        flags: Flags,
        keywords: Option<&[String]>,
    ) -> io::Result<bool> {
        let letters = match keywords {
            Some(names) => Some(self.letters_for(names)?),
            None => None,
        };
        for attempt in 0..2 {
            let Ok(i) = self.messages.binary_search_by_key(&uid, |m| m.uid) else {
                return Ok(false);
            };
            let m = &self.messages[i];
            let other = match &letters {
                Some(letters) => {
                    let mut other: String = m
                        .other
                        .chars()
                        .filter(|c| !c.is_ascii_lowercase())
                        .collect();
                    other.push_str(letters);
                    other
                }
                None => m.other.clone(),
            };
            let to = self
                .dir
                .join("cur")
                .join(format!("{}:{}", m.key, flags.to_info(&other)));
            if to == m.path {
                return Ok(true);
            }
            match fs::rename(&m.path, &to) {
                Ok(()) => {
                    let names = self.keyword_names(&other);
                    let m = &mut self.messages[i];
                    m.path = to;
                    m.flags = flags;
                    m.other = other;
                    m.keywords = names;
                    return Ok(true);
                }
                // Another Maildir reader renamed or removed it: look
                // again, then try once more if it is still there.
                Err(e) if e.kind() == io::ErrorKind::NotFound && attempt == 0 => {
                    self.rescan(false)?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }

    /// Removes the messages with these UIDs (unlinks their files);
    /// returns the UIDs removed.
    pub(crate) fn expunge(&mut self, uids: &[u32]) -> io::Result<Vec<u32>> {
        let mut removed = Vec::new();
        let mut failed = None;
        self.messages.retain(|m| {
            if !uids.contains(&m.uid) {
                return true;
            }
            match fs::remove_file(&m.path) {
                Ok(()) => {
                    removed.push(m.uid);
                    false
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    removed.push(m.uid);
                    false
                }
                Err(e) => {
                    failed = Some(e);
                    true
                }
            }
        });
        if !removed.is_empty() {
            self.save()?;
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(removed),
        }
    }

    /// Adds a copy of `message` (a hard link, or a copy where links are
    /// not possible) with `flags`; returns its UID here.
    pub(crate) fn add_copy(&mut self, message: &Message, flags: Flags) -> io::Result<u32> {
        let base = message.key.split(',').next().unwrap_or(&message.key);
        let n = COPIES.fetch_add(1, Ordering::Relaxed);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let key = format!(
            "{}.M{}P{}C{n}.{},S={},W={}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            base.rsplit('.').next().unwrap_or("localhost"),
            message.file_size,
            message.wire_size,
        );
        let tmp = self.dir.join("tmp").join(&key);
        if fs::hard_link(&message.path, &tmp).is_err() {
            fs::copy(&message.path, &tmp)?;
        }
        // The keywords by name: letters differ from folder to folder.
        let letters = self.letters_for(&message.keywords)?;
        let to = self
            .dir
            .join("cur")
            .join(format!("{key}:{}", flags.to_info(&letters)));
        if let Err(e) = fs::rename(&tmp, &to) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let uid = self.adopt(key, to, flags)?;
        if let Ok(i) = self.messages.binary_search_by_key(&uid, |m| m.uid) {
            let names = self.keyword_names(&letters);
            let m = &mut self.messages[i];
            m.other = letters;
            m.keywords = names;
        }
        Ok(uid)
    }

    /// Takes in a message just delivered into `new/` under `key` (an
    /// APPEND): it gets the next UID (unless a scan gave it one already),
    /// its flags, and `date` as INTERNALDATE (the file's time).
    pub(crate) fn take_in(
        &mut self,
        key: &str,
        flags: Flags,
        keywords: &[String],
        date: Option<SystemTime>,
    ) -> io::Result<u32> {
        self.rescan(false)?;
        let uid = self
            .messages
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.uid)
            .ok_or_else(|| io::Error::other("the appended message went away"))?;
        self.set_info(uid, flags, Some(keywords))?;
        if let Some(time) = date {
            let Ok(i) = self.messages.binary_search_by_key(&uid, |m| m.uid) else {
                return Ok(uid);
            };
            let m = &mut self.messages[i];
            fs::File::options()
                .write(true)
                .open(&m.path)?
                .set_modified(time)?;
            m.mtime = time;
        }
        Ok(uid)
    }

    /// Takes in a file just put into `cur/` or `new/` by this process
    /// (an APPEND, a COPY), giving it the next UID.
    pub(crate) fn adopt(&mut self, key: String, path: PathBuf, flags: Flags) -> io::Result<u32> {
        if let Some(m) = self.messages.iter().find(|m| m.key == key) {
            return Ok(m.uid);
        }
        let mut message = Message {
            uid: self.uid_next,
            key,
            path: path.clone(),
            flags,
            other: String::new(),
            keywords: Vec::new(),
            file_size: 0,
            wire_size: 0,
            mtime: UNIX_EPOCH,
        };
        stat(&mut message, &path)?;
        self.uid_next += 1;
        let uid = message.uid;
        self.messages.push(message);
        self.save()?;
        Ok(uid)
    }

    /// Writes the UID list: a temporary file renamed over the old one.
    fn save(&self) -> io::Result<()> {
        let mut text = format!(
            "mailwire-uidlist 1 V{} N{}\n",
            self.uid_validity, self.uid_next
        );
        for m in &self.messages {
            text.push_str(&format!("{} {}\n", m.uid, m.key));
        }
        let tmp = self
            .dir
            .join(format!("{UIDLIST}.{}.tmp", std::process::id()));
        {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
        }
        fs::rename(&tmp, self.dir.join(UIDLIST))
    }
}

/// Fills in a message's sizes and date from its file.
fn stat(message: &mut Message, path: &Path) -> io::Result<()> {
    let meta = fs::metadata(path)?;
    message.file_size = meta.len();
    message.mtime = meta.modified().unwrap_or(UNIX_EPOCH);
    message.wire_size = match size_attribute(&message.key, "W") {
        Some(size) => size,
        None => {
            let mut file = fs::File::open(path)?;
            let mut buf = vec![0; 64 * 1024];
            let mut size = WireSize::default();
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break size.finish();
                }
                size.feed(&buf[..n]);
            }
        }
    };
    Ok(())
}

/// The value of a Maildir++ attribute such as `,W=1234` in a key.
fn size_attribute(key: &str, name: &str) -> Option<u64> {
    key.split(',')
        .skip(1)
        .find_map(|a| a.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

/// The folders of every session of a process, so that they share one
/// state per directory.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    folders: Mutex<HashMap<PathBuf, Arc<Mutex<Folder>>>>,
}

impl Registry {
    /// The shared state of the Maildir at `dir` (loaded on first use).
    pub(crate) fn open(&self, dir: &Path) -> Result<Arc<Mutex<Folder>>, StoreError> {
        let mut folders = lock(&self.folders)?;
        if let Some(folder) = folders.get(dir) {
            return Ok(Arc::clone(folder));
        }
        if !dir.join("cur").is_dir() {
            return Err(StoreError::NotFound);
        }
        for sub in ["tmp", "new"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        let folder = Arc::new(Mutex::new(Folder::load(dir)?));
        folders.insert(dir.to_path_buf(), Arc::clone(&folder));
        Ok(folder)
    }

    /// Drops the state of `dir` and of the folders below it (after DELETE
    /// or RENAME).
    fn forget(&self, dir: &Path) {
        if let Ok(mut folders) = self.folders.lock() {
            let prefix = format!("{}.", dir.display());
            folders
                .retain(|path, _| path != dir && !path.display().to_string().starts_with(&prefix));
        }
    }
}

/// Locks a mutex; a poisoned one (a panic while held) is an I/O error.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> io::Result<MutexGuard<'_, T>> {
    mutex
        .lock()
        .map_err(|_| io::Error::other("mailbox lock poisoned"))
}

/// One user's mailboxes: the Maildir at `root` and its `.Name` folders.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    root: PathBuf,
    registry: Arc<Registry>,
}

impl Account {
    /// The account whose INBOX is the Maildir at `root` (created with its
    /// `cur/`, `new/` and `tmp/` when missing).
    pub(crate) fn open(root: PathBuf, registry: Arc<Registry>) -> io::Result<Self> {
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(root.join(sub))?;
        }
        Ok(Self { root, registry })
    }

    /// The INBOX Maildir.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The Maildir++ directory of a mailbox name: INBOX is the root,
    /// `A.B` (or `A/B`) is `.A.B`. `None` for a name that cannot be one
    /// (empty levels, wildcards, control characters, a leading dot).
    pub(crate) fn dir_of(&self, mailbox: &Mailbox<'_>) -> Option<PathBuf> {
        let name = folder_name(mailbox)?;
        if name == "INBOX" {
            return Some(self.root.clone());
        }
        Some(self.root.join(format!(".{name}")))
    }

    /// The state of a mailbox.
    pub(crate) fn folder(&self, mailbox: &Mailbox<'_>) -> Result<Arc<Mutex<Folder>>, StoreError> {
        let dir = self.dir_of(mailbox).ok_or(StoreError::InvalidName)?;
        self.registry.open(&dir)
    }

    /// Every mailbox name, INBOX first, the others sorted.
    pub(crate) fn names(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(folder) = name.strip_prefix('.') {
                if !folder.is_empty()
                    && folder != "."
                    && entry.file_type()?.is_dir()
                    && entry.path().join("cur").is_dir()
                {
                    names.push(folder.to_owned());
                }
            }
        }
        names.sort();
        names.insert(0, "INBOX".to_owned());
        Ok(names)
    }

    /// Creates a mailbox (RFC 3501 6.3.3); a trailing delimiter is
    /// dropped.
    pub(crate) fn create(&self, mailbox: &Mailbox<'_>) -> Result<(), StoreError> {
        let dir = self.dir_of(mailbox).ok_or(StoreError::InvalidName)?;
        if dir == self.root || dir.exists() {
            return Err(StoreError::Exists);
        }
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        // Maildir++ marks a folder with this empty file.
        fs::File::create(dir.join("maildirfolder"))?;
        Ok(())
    }

    /// Deletes a mailbox and its messages (its sub-folders stay, as
    /// Maildir++ keeps each level in a directory of its own).
    pub(crate) fn delete(&self, mailbox: &Mailbox<'_>) -> Result<(), StoreError> {
        let dir = self.dir_of(mailbox).ok_or(StoreError::InvalidName)?;
        if dir == self.root {
            return Err(StoreError::Refused("INBOX cannot be deleted"));
        }
        if !dir.join("cur").is_dir() {
            return Err(StoreError::NotFound);
        }
        self.registry.forget_one(&dir);
        fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// Renames a mailbox and the levels below it (RFC 3501 6.3.5).
    pub(crate) fn rename(&self, from: &Mailbox<'_>, to: &Mailbox<'_>) -> Result<(), StoreError> {
        let old = self.dir_of(from).ok_or(StoreError::InvalidName)?;
        let new = self.dir_of(to).ok_or(StoreError::InvalidName)?;
        if old == self.root {
            return Err(StoreError::Refused("renaming INBOX is not supported"));
        }
        if new == self.root || new.exists() {
            return Err(StoreError::Exists);
        }
        if !old.join("cur").is_dir() {
            return Err(StoreError::NotFound);
        }
        let old_name = folder_name(from).ok_or(StoreError::InvalidName)?;
        let new_name = folder_name(to).ok_or(StoreError::InvalidName)?;
        if new_name.starts_with(&format!("{old_name}.")) {
            return Err(StoreError::Refused("a mailbox cannot move below itself"));
        }
        self.registry.forget(&old);
        fs::rename(&old, &new)?;
        for name in self.names()? {
            if let Some(rest) = name.strip_prefix(&format!("{old_name}.")) {
                fs::rename(
                    self.root.join(format!(".{name}")),
                    self.root.join(format!(".{new_name}.{rest}")),
                )?;
            }
        }
        Ok(())
    }
}

impl Registry {
    fn forget_one(&self, dir: &Path) {
        if let Ok(mut folders) = self.folders.lock() {
            folders.remove(dir);
        }
    }
}

/// The Maildir++ name of a mailbox (`INBOX`, or `A.B` for `A/B`).
pub(crate) fn folder_name(mailbox: &Mailbox<'_>) -> Option<String> {
    if *mailbox == Mailbox::Inbox {
        return Some("INBOX".into());
    }
    let text = std::str::from_utf8(mailbox.as_bytes()).ok()?;
    let mut name: String = text.replace('/', ".");
    while name.ends_with('.') {
        name.pop();
    }
    let ok = !name.is_empty()
        && name.split('.').all(|level| !level.is_empty())
        && name
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && !b"*%\\\"".contains(&b));
    if !ok {
        return None;
    }
    if name.eq_ignore_ascii_case("INBOX") {
        return Some("INBOX".into());
    }
    Some(name)
}

/// Whether `name` matches a LIST pattern: `*` matches anything, `%`
/// anything but the delimiter (RFC 3501 6.3.8). INBOX matches
/// case-insensitively.
pub(crate) fn list_matches(pattern: &[u8], name: &[u8]) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some((b'%', rest)) => (0..=n.len())
                .take_while(|&i| i == 0 || n[i - 1] != DELIMITER as u8)
                .any(|i| go(rest, &n[i..])),
            Some((&c, rest)) => n.first() == Some(&c) && go(rest, &n[1..]),
        }
    }
    if name == b"INBOX" && pattern.len() >= 5 && pattern[..5].eq_ignore_ascii_case(b"INBOX") {
        let mut p = b"INBOX".to_vec();
        p.extend_from_slice(&pattern[5..]);
        return go(&p, name);
    }
    go(pattern, name)
}

// ---------------------------------------------------------------------
// Message content: the wire form, sections, ENVELOPE, BODYSTRUCTURE.

/// Turns line endings into CRLF as the octets stream by (a bare CR or LF
/// becomes CRLF, and the message ends with one), matching
/// [`WireSize`]'s count.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WireConverter {
    last: Option<u8>,
}

impl WireConverter {
    /// Converts `input`, appending to `out`.
    pub(crate) fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &b in input {
            match (self.last, b) {
                (Some(b'\r'), b'\n') => out.push(b'\n'),
                (Some(b'\r'), _) => {
                    out.push(b'\n');
                    self.push_one(b, out);
                }
                _ => self.push_one(b, out),
            }
            self.last = Some(b);
        }
    }

    fn push_one(&self, b: u8, out: &mut Vec<u8>) {
        if b == b'\n' {
            out.extend_from_slice(b"\r\n");
        } else {
            out.push(b);
        }
    }

    /// The end: the last line ending made whole.
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        match self.last {
            None | Some(b'\n') => {}
            Some(b'\r') => out.push(b'\n'),
            Some(_) => out.extend_from_slice(b"\r\n"),
        }
        self.last = Some(b'\n');
    }
}

/// A message read for FETCH or SEARCH, in its wire form.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The whole message, or only its header when it is large.
    pub(crate) bytes: Vec<u8>,
    /// Whether `bytes` is the whole message.
    pub(crate) whole: bool,
    /// Octets of the header, the empty line included.
    pub(crate) header_len: usize,
    /// The wire size of the whole message.
    pub(crate) wire_size: u64,
    /// A large message's MIME parts located in its file, once
    /// [`scan_tree`](Self::scan_tree) ran.
    pub(crate) tree: Option<Node>,
}

impl Loaded {
    /// Locates the MIME parts of a large message, reading its file once
    /// in pieces (nothing to do for a message held whole).
    pub(crate) fn scan_tree(&mut self, file: &mut fs::File) -> io::Result<()> {
        if !self.whole && self.tree.is_none() {
            self.tree = Some(scan_tree(file)?);
        }
        Ok(())
    }

    /// Reads the message at `path` (whole up to [`MAX_PARSED`] octets,
    /// else its header, at most 256 KiB of it).
    pub(crate) fn read(message: &Message) -> io::Result<Self> {
        Self::from_file(&mut fs::File::open(&message.path)?, message)
    }

    /// The same from the message's file, opened by the caller (read from
    /// its start).
    pub(crate) fn from_file(file: &mut fs::File, message: &Message) -> io::Result<Self> {
        use std::io::Seek;
        file.seek(io::SeekFrom::Start(0))?;
        let whole = message.file_size <= MAX_PARSED;
        let mut raw = Vec::new();
        if whole {
            file.read_to_end(&mut raw)?;
        } else {
            file.take(MAX_HEADER as u64).read_to_end(&mut raw)?;
        }
        let mut bytes = Vec::with_capacity(raw.len() + raw.len() / 32 + 2);
        let mut conv = WireConverter::default();
        conv.feed(&raw, &mut bytes);
        if whole {
            conv.finish(&mut bytes);
        }
        let header_len = header_end(&bytes);
        if !whole {
            bytes.truncate(header_len);
        }
        Ok(Self {
            wire_size: if whole {
                bytes.len() as u64
            } else {
                message.wire_size
            },
            bytes,
            whole,
            header_len,
            tree: None,
        })
    }

    /// The header block, the empty line included.
    pub(crate) fn header_bytes(&self) -> &[u8] {
        &self.bytes[..self.header_len]
    }

    /// The whole message parsed (`None` when it is too large to hold).
    pub(crate) fn parsed(&self) -> Option<Parsed<'_>> {
        self.whole.then(|| Parsed::parse(&self.bytes))
    }

    /// The header parsed.
    pub(crate) fn head(&self) -> Parsed<'_> {
        Parsed::parse(self.header_bytes())
    }
}

/// Where the empty line after the header ends (the whole length when
/// there is none).
fn header_end(bytes: &[u8]) -> usize {
    if bytes.starts_with(b"\r\n") {
        return 2;
    }
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |i| i + 4)
}

/// The octets of a FETCH body item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// Octets at hand.
    Bytes(Vec<u8>),
    /// A range of the message's wire form, to stream from its file.
    Range {
        /// Wire offset.
        start: u64,
        /// Octets.
        len: u64,
    },
}

impl Body {
    /// Its length.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Self::Bytes(bytes) => bytes.len() as u64,
            Self::Range { len, .. } => *len,
        }
    }

    /// The partial `<offset.count>` of it (RFC 3501 6.4.5).
    pub(crate) fn partial(self, offset: u32, count: u32) -> Self {
        let (offset, count) = (u64::from(offset), u64::from(count));
        match self {
            Self::Bytes(bytes) => {
                let start = (offset as usize).min(bytes.len());
                let end = (start + count as usize).min(bytes.len());
                Self::Bytes(bytes[start..end].to_vec())
            }
            Self::Range { start, len } => {
                let skip = offset.min(len);
                Self::Range {
                    start: start + skip,
                    len: count.min(len - skip),
                }
            }
        }
    }
}

/// The octets of `section` of a message (RFC 3501 6.4.5: `BODY[...]`).
pub(crate) fn section_body(loaded: &Loaded, section: &Section<'_>) -> Body {
    if let Some(parsed) = loaded.parsed() {
        let Some(part) = find_part(parsed.root(), &section.part) else {
            return Body::Bytes(Vec::new());
        };
        // HEADER, TEXT and HEADER.FIELDS after a part number apply to the
        // message a message/rfc822 part holds.
        let message = if section.part.is_empty() {
            part
        } else {
            match part.content() {
                Content::Message(inner) => inner,
                // RFC 3501 6.4.5: HEADER and TEXT after a part number need
                // a message/rfc822 part; of another part they are empty.
                _ if section
                    .text
                    .as_ref()
                    .is_some_and(|t| *t != SectionText::Mime) =>
                {
                    return Body::Bytes(Vec::new());
                }
                _ => part,
            }
        };
        let head_len = |p: &Part<'_>| p.body_offset() - p.offset();
        return match &section.text {
            None if section.part.is_empty() => Body::Bytes(loaded.bytes.clone()),
            None => Body::Bytes(part.body().to_vec()),
            Some(SectionText::Mime) => Body::Bytes(part.raw()[..head_len(part)].to_vec()),
            Some(SectionText::Header) => Body::Bytes(message.raw()[..head_len(message)].to_vec()),
            Some(SectionText::Text) => Body::Bytes(message.body().to_vec()),
            Some(SectionText::HeaderFields(names)) => {
                Body::Bytes(header_fields(message.header(), names, true))
            }
            Some(SectionText::HeaderFieldsNot(names)) => {
                Body::Bytes(header_fields(message.header(), names, false))
            }
        };
    }
    // A large message: its header is at hand, its parts are file ranges.
    if let (Some(tree), false) = (&loaded.tree, section.part.is_empty()) {
        return node_section(tree, section);
    }
    let head = loaded.head();
    let text = Body::Range {
        start: loaded.header_len as u64,
        len: loaded.wire_size - loaded.header_len as u64,
    };
    let single = !head.root().content_type().is_multipart();
    match (section.part.as_slice(), &section.text) {
        ([], None) => Body::Range {
            start: 0,
            len: loaded.wire_size,
        },
        ([], Some(SectionText::Text)) => text,
        ([], Some(SectionText::Header)) => Body::Bytes(loaded.header_bytes().to_vec()),
        ([], Some(SectionText::HeaderFields(names))) => {
            Body::Bytes(header_fields(head.header(), names, true))
        }
        ([], Some(SectionText::HeaderFieldsNot(names))) => {
            Body::Bytes(header_fields(head.header(), names, false))
        }
        ([one], None) if one.get() == 1 && single => text,
        ([one], Some(SectionText::Mime)) if one.get() == 1 && single => {
            Body::Bytes(loaded.header_bytes().to_vec())
        }
        // Parts of a large multipart are not located (see module docs).
        _ => Body::Bytes(Vec::new()),
    }
}

/// The part a section number names: in a multipart its n-th part, in a
/// message/rfc822 part the parts of the message inside, and part 1 of a
/// non-multipart message is its body.
fn find_part<'p, 'a>(root: &'p Part<'a>, path: &[std::num::NonZeroU32]) -> Option<&'p Part<'a>> {
    let mut part = root;
    for n in path {
        let n = n.get() as usize;
        part = child(part, n)?;
    }
    Some(part)
}

fn child<'p, 'a>(part: &'p Part<'a>, n: usize) -> Option<&'p Part<'a>> {
    match part.content() {
        Content::Multipart(multi) => multi.parts().get(n - 1),
        Content::Message(inner) => child(inner, n),
        Content::Single => (n == 1).then_some(part),
    }
}

/// The header fields named (or, with `keep` false, not named) in
/// `names`, as they are, and the empty line.
fn header_fields(header: &Header<'_>, names: &[AString<'_>], keep: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for field in header.fields() {
        let named = names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(field.name().as_bytes()));
        if named == keep {
            out.extend_from_slice(field.raw());
            if !out.ends_with(b"\r\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// A header value unfolded and trimmed, as ENVELOPE carries it.
fn value(header: &Header<'_>, name: &str) -> Option<AString<'static>> {
    let field = header.get(name)?;
    let unfolded = field.unfolded();
    let text = trim(&unfolded);
    Some(AString::new(text.to_vec()))
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// The ENVELOPE of a header (RFC 3501 7.4.2): Sender and Reply-To default
/// to From.
pub(crate) fn envelope(header: &Header<'_>) -> Envelope<'static> {
    let from = addresses(header, "From");
    let sender = match addresses(header, "Sender") {
        list if list.is_empty() => from.clone(),
        list => list,
    };
    let reply_to = match addresses(header, "Reply-To") {
        list if list.is_empty() => from.clone(),
        list => list,
    };
    Envelope {
        date: value(header, "Date"),
        subject: value(header, "Subject"),
        from,
        sender,
        reply_to,
        to: addresses(header, "To"),
        cc: addresses(header, "Cc"),
        bcc: addresses(header, "Bcc"),
        in_reply_to: value(header, "In-Reply-To"),
        message_id: value(header, "Message-ID"),
    }
}

fn addresses(header: &Header<'_>, name: &str) -> Vec<Address<'static>> {
    use mailwire_message::address::Address as A;
    let Some(list) = header.addresses(name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for address in list.as_slice() {
        match address {
            A::Mailbox(m) => out.push(one_address(m)),
            A::Group(group) => {
                out.push(Address {
                    mailbox: Some(AString::from(group.name().into_owned())),
                    ..Address::default()
                });
                out.extend(group.members().iter().map(one_address));
                out.push(Address::default());
            }
        }
    }
    out
}

fn one_address(m: &mailwire_message::address::NamedMailbox<'_>) -> Address<'static> {
    // The name as written (encoded words kept, quotes removed), as IMAP
    // servers give it; a name from a comment decoded.
    let name = match m.display_name_raw() {
        Some(raw) if !m.name_is_comment() => Some(unquote(raw)),
        Some(_) => m.name().map(|n| n.into_owned().into_bytes()),
        None => None,
    };
    Address {
        name: name.filter(|n| !n.is_empty()).map(AString::new),
        adl: None,
        mailbox: Some(AString::from(m.mailbox().local_part().as_str().to_owned())),
        host: Some(AString::from(m.mailbox().domain().to_string())),
    }
}

/// A phrase without its quotes and backslash escapes, folds unfolded.
fn unquote(raw: &[u8]) -> Vec<u8> {
    let unfolded = mailwire_message::header::unfold(raw);
    let text = trim(&unfolded);
    let mut out = Vec::with_capacity(text.len());
    let mut escaped = false;
    for &b in text {
        match (escaped, b) {
            (false, b'\\') => escaped = true,
            (false, b'"') => {}
            _ => {
                out.push(b);
                escaped = false;
            }
        }
    }
    out
}

/// BODYSTRUCTURE (`ext` true) or BODY of a message (RFC 3501 7.4.2). A
/// message too large to parse is described from its top header only.
pub(crate) fn body_structure(loaded: &Loaded, ext: bool) -> BodyStructure<'static> {
    if let Some(parsed) = loaded.parsed() {
        return structure(parsed.root(), ext);
    }
    if let Some(tree) = &loaded.tree {
        return node_structure(tree, ext);
    }
    let head = loaded.head();
    let root = head.root();
    let size = loaded.wire_size - loaded.header_len as u64;
    let mut single = single_part(root, size);
    if let SinglePartKind::Text { lines } = &mut single.kind {
        // Not counted without reading the file: an estimate from the size.
        *lines = size / 76;
    }
    BodyStructure::Single {
        part: single,
        ext: ext.then(|| extension(root, false)),
    }
}

fn structure(part: &Part<'_>, ext: bool) -> BodyStructure<'static> {
    match part.content() {
        Content::Multipart(multi) if !multi.parts().is_empty() => BodyStructure::Multipart {
            parts: multi.parts().iter().map(|p| structure(p, ext)).collect(),
            subtype: AString::from(part.content_type().subtype().to_uppercase()),
            ext: ext.then(|| extension(part, true)),
        },
        content => {
            let body = part.body();
            let mut single = single_part(part, body.len() as u64);
            let lines = body.iter().filter(|&&b| b == b'\n').count() as u64;
            match (&mut single.kind, content) {
                (SinglePartKind::Text { lines: l }, _) => *l = lines,
                (kind, Content::Message(inner)) => {
                    *kind = SinglePartKind::Message {
                        envelope: Box::new(envelope(inner.header())),
                        body: Box::new(structure(inner, ext)),
                        lines,
                    };
                }
                _ => {}
            }
            BodyStructure::Single {
                part: single,
                ext: ext.then(|| extension(part, false)),
            }
        }
    }
}

fn single_part(part: &Part<'_>, size: u64) -> SinglePart<'static> {
    let ct = part.content_type();
    let main = ct.main_type().to_uppercase();
    let kind = if main == "TEXT" {
        SinglePartKind::Text { lines: 0 }
    } else {
        SinglePartKind::Basic
    };
    let encoding = part
        .header()
        .get("Content-Transfer-Encoding")
        .map(|f| String::from_utf8_lossy(trim(&f.unfolded())).to_uppercase())
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "7BIT".into());
    let mut params = params_of(ct.params());
    // RFC 2045 5.2: text without a charset is US-ASCII; say so.
    if main == "TEXT" && !params.iter().any(|(n, _)| n.as_bytes() == b"CHARSET") {
        params.push((AString::from("CHARSET"), AString::from("us-ascii")));
    }
    SinglePart {
        media_type: AString::from(main),
        subtype: AString::from(ct.subtype().to_uppercase()),
        params,
        id: value(part.header(), "Content-ID"),
        description: value(part.header(), "Content-Description"),
        encoding: AString::from(encoding),
        size,
        kind,
    }
}

fn params_of(
    params: &mailwire_message::params::Params<'_>,
) -> Vec<(AString<'static>, AString<'static>)> {
    params
        .iter()
        .filter_map(|p| {
            let value = params.get(p.name())?;
            Some((
                AString::from(p.name().to_uppercase()),
                AString::from(value.into_owned()),
            ))
        })
        .collect()
}

fn extension(part: &Part<'_>, multipart: bool) -> BodyExt<'static> {
    use mailwire_message::params::DispositionKind;
    let disposition = part.content_disposition().map(|d| Disposition {
        kind: AString::from(match d.kind() {
            DispositionKind::Inline => "inline".to_owned(),
            DispositionKind::Attachment => "attachment".to_owned(),
            DispositionKind::Other(other) => other.to_owned(),
        }),
        params: params_of(d.params()),
    });
    let language = part
        .header()
        .get("Content-Language")
        .map(|f| {
            String::from_utf8_lossy(&f.unfolded())
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| AString::from(l.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    BodyExt {
        md5: None,
        params: if multipart {
            params_of(part.content_type().params())
        } else {
            Vec::new()
        },
        disposition,
        language,
        location: value(part.header(), "Content-Location"),
        extensions: Vec::new(),
    }
}

// ---------------------------------------------------------------------
// The MIME parts of a large message, located without holding it.

/// A MIME part located in a message's wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// Wire offset of the part's header.
    pub(crate) start: u64,
    /// Wire offset of its body (after the empty line).
    pub(crate) body: u64,
    /// Wire offset where its body ends (the CRLF before a delimiter
    /// belongs to the delimiter, RFC 2046 5.1.1).
    pub(crate) end: u64,
    /// The header, empty line included (at most 256 KiB of it).
    pub(crate) header: Vec<u8>,
    /// Line endings in the body.
    pub(crate) lines: u64,
    /// What the body holds.
    pub(crate) kind: NodeKind,
}

/// What a located part's body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A single body.
    Leaf,
    /// Parts between boundary delimiters.
    Multipart(Vec<Node>),
    /// A message/rfc822 body: a message of its own.
    Message(Box<Node>),
}

/// Deepest nesting followed; deeper parts are single bodies.
const MAX_DEPTH: usize = 32;

/// The longest line kept whole while scanning (header lines, delimiter
/// lines); longer lines are only counted.
const MAX_LINE: usize = 64 * 1024;

struct Frame {
    node: Node,
    in_header: bool,
    /// A multipart's boundary, once its header is read.
    boundary: Option<Vec<u8>>,
    /// A multipart past its close delimiter (in its epilogue).
    closed: bool,
}

impl Frame {
    fn new(start: u64) -> Self {
        Self {
            node: Node {
                start,
                body: start,
                end: start,
                header: Vec::new(),
                lines: 0,
                kind: NodeKind::Leaf,
            },
            in_header: true,
            boundary: None,
            closed: false,
        }
    }
}

/// Locates the MIME parts of the message in `file` (read from its start
/// in 64 KiB pieces through the CRLF conversion; memory is bounded by
/// the headers kept).
pub(crate) fn scan_tree(file: &mut fs::File) -> io::Result<Node> {
    use std::io::Seek;
    file.seek(io::SeekFrom::Start(0))?;
    let mut scanner = Scanner {
        stack: vec![Frame::new(0)],
        line: Vec::new(),
        line_start: 0,
        pos: 0,
    };
    let mut buf = vec![0; 64 * 1024];
    let mut out = Vec::with_capacity(2 * buf.len());
    let mut conv = WireConverter::default();
    loop {
        let n = file.read(&mut buf)?;
        out.clear();
        if n == 0 {
            conv.finish(&mut out);
        } else {
            conv.feed(&buf[..n], &mut out);
        }
        scanner.feed(&out);
        if n == 0 {
            break;
        }
    }
    Ok(scanner.finish())
}

struct Scanner {
    stack: Vec<Frame>,
    line: Vec<u8>,
    line_start: u64,
    pos: u64,
}

impl Scanner {
    fn feed(&mut self, data: &[u8]) {
        let mut rest = data;
        while !rest.is_empty() {
            let (piece, ended) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..=i], true),
                None => (rest, false),
            };
            let room = MAX_LINE.saturating_sub(self.line.len());
            self.line.extend_from_slice(&piece[..piece.len().min(room)]);
            self.pos += piece.len() as u64;
            rest = &rest[piece.len()..];
            if ended {
                let line = std::mem::take(&mut self.line);
                self.on_line(&line);
                self.line = line;
                self.line.clear();
                self.line_start = self.pos;
            }
        }
    }

    fn on_line(&mut self, line: &[u8]) {
        let start = self.line_start;
        let next = self.pos;
        if self.delimiter(line, start, next) {
            return;
        }
        // The line is in the body of every enclosing part past its header.
        for frame in &mut self.stack {
            if !frame.in_header {
                frame.node.lines += 1;
            }
        }
        let depth = self.stack.len();
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if top.in_header {
            if top.node.header.len() + line.len() <= MAX_HEADER {
                top.node.header.extend_from_slice(line);
            }
            if line == b"\r\n" {
                top.in_header = false;
                top.node.body = next;
                let parsed = Parsed::parse(&top.node.header);
                let ct = parsed.root().content_type();
                if depth < MAX_DEPTH {
                    if let (true, Some(boundary)) = (ct.is_multipart(), ct.boundary()) {
                        top.boundary = Some(boundary.as_bytes().to_vec());
                        top.node.kind = NodeKind::Multipart(Vec::new());
                    } else if ct.is("message", "rfc822") || ct.is("message", "global") {
                        self.stack.push(Frame::new(next));
                    }
                }
            }
        }
    }

    /// Whether `line` is a delimiter of an open multipart: it ends the
    /// parts inside and opens the next (or closes the multipart).
    fn delimiter(&mut self, line: &[u8], start: u64, next: u64) -> bool {
        let Some(after_dashes) = line.strip_prefix(b"--") else {
            return false;
        };
        for k in (0..self.stack.len()).rev() {
            let frame = &self.stack[k];
            let Some(boundary) = frame.boundary.as_deref() else {
                continue;
            };
            if frame.closed || frame.in_header {
                continue;
            }
            let Some(rest) = after_dashes.strip_prefix(boundary) else {
                continue;
            };
            let (close, rest) = match rest.strip_prefix(b"--") {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            if !rest
                .iter()
                .all(|&b| b == b' ' || b == b'\t' || b == b'\r' || b == b'\n')
            {
                continue;
            }
            // The delimiter line is in the body of the multipart and of
            // the parts around it; the CRLF before it is the delimiter's.
            for frame in &mut self.stack[..=k] {
                if !frame.in_header {
                    frame.node.lines += 1;
                }
            }
            let end = start.saturating_sub(2);
            while self.stack.len() > k + 1 {
                self.pop(end, true);
            }
            if close {
                self.stack[k].closed = true;
            } else {
                self.stack.push(Frame::new(next));
            }
            return true;
        }
        false
    }

    /// Ends the innermost part at `end` and hangs it under its parent.
    fn pop(&mut self, end: u64, by_delimiter: bool) {
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        let node = &mut frame.node;
        if frame.in_header {
            node.body = end.max(node.start);
        }
        node.end = end.max(node.body);
        if by_delimiter {
            node.lines = node.lines.saturating_sub(1);
        }
        if let Some(parent) = self.stack.last_mut() {
            match &mut parent.node.kind {
                NodeKind::Multipart(parts) => parts.push(frame.node),
                kind => *kind = NodeKind::Message(Box::new(frame.node)),
            }
        } else {
            self.stack.push(frame);
        }
    }

    fn finish(mut self) -> Node {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.on_line(&line);
        }
        let end = self.pos;
        while self.stack.len() > 1 {
            self.pop(end, false);
        }
        match self.stack.pop() {
            Some(mut frame) => {
                if frame.in_header {
                    frame.node.body = end;
                }
                frame.node.end = end;
                frame.node
            }
            None => Frame::new(0).node,
        }
    }
}

/// The section of a located part (a part number was given).
fn node_section(tree: &Node, section: &Section<'_>) -> Body {
    let mut node = tree;
    for n in &section.part {
        let Some(child) = node_child(node, n.get() as usize) else {
            return Body::Bytes(Vec::new());
        };
        node = child;
    }
    let message = match &node.kind {
        NodeKind::Message(inner) => inner,
        // HEADER and TEXT of a part that is not a message: empty.
        _ if section
            .text
            .as_ref()
            .is_some_and(|t| *t != SectionText::Mime) =>
        {
            return Body::Bytes(Vec::new());
        }
        _ => node,
    };
    let range = |n: &Node| Body::Range {
        start: n.body,
        len: n.end - n.body,
    };
    match &section.text {
        None => range(node),
        Some(SectionText::Mime) => Body::Bytes(node.header.clone()),
        Some(SectionText::Header) => Body::Bytes(message.header.clone()),
        Some(SectionText::Text) => range(message),
        Some(SectionText::HeaderFields(names)) => Body::Bytes(header_fields(
            Parsed::parse(&message.header).header(),
            names,
            true,
        )),
        Some(SectionText::HeaderFieldsNot(names)) => Body::Bytes(header_fields(
            Parsed::parse(&message.header).header(),
            names,
            false,
        )),
    }
}

fn node_child(node: &Node, n: usize) -> Option<&Node> {
    match &node.kind {
        NodeKind::Multipart(parts) => parts.get(n.checked_sub(1)?),
        NodeKind::Message(inner) => node_child(inner, n),
        NodeKind::Leaf => (n == 1).then_some(node),
    }
}

/// BODYSTRUCTURE (or BODY) of a located part.
fn node_structure(node: &Node, ext: bool) -> BodyStructure<'static> {
    let parsed = Parsed::parse(&node.header);
    let part = parsed.root();
    match &node.kind {
        NodeKind::Multipart(parts) if !parts.is_empty() => BodyStructure::Multipart {
            parts: parts.iter().map(|p| node_structure(p, ext)).collect(),
            subtype: AString::from(part.content_type().subtype().to_uppercase()),
            ext: ext.then(|| extension(part, true)),
        },
        kind => {
            let mut single = single_part(part, node.end - node.body);
            match (&mut single.kind, kind) {
                (SinglePartKind::Text { lines }, _) => *lines = node.lines,
                (slot, NodeKind::Message(inner)) => {
                    *slot = SinglePartKind::Message {
                        envelope: Box::new(envelope(Parsed::parse(&inner.header).header())),
                        body: Box::new(node_structure(inner, ext)),
                        lines: node.lines,
                    };
                }
                _ => {}
            }
            BodyStructure::Single {
                part: single,
                ext: ext.then(|| extension(part, false)),
            }
        }
    }
}

// ---------------------------------------------------------------------
// Dates.

/// The INTERNALDATE of a file time, in UTC.
pub(crate) fn internal_date(time: SystemTime) -> DateTime {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let (y, m, d) = civil(secs / 86_400);
    let rest = secs % 86_400;
    let date = Date::new(y, m, d).unwrap_or_else(|_| Date::new(1970, 1, 1).expect("a valid date"));
    DateTime::new(
        date,
        (rest / 3600) as u8,
        (rest / 60 % 60) as u8,
        (rest % 60) as u8,
        0,
    )
    .unwrap_or_else(|_| DateTime::new(date, 0, 0, 0, 0).expect("a valid time"))
}

/// The file time of an APPEND date-time.
pub(crate) fn system_time(date: &DateTime) -> SystemTime {
    let d = date.date();
    let days = days_from_civil(d.year(), d.month(), d.day());
    let (h, m, s) = date.time();
    let local = days * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s);
    let utc = local - i64::from(date.zone_minutes()) * 60;
    if utc <= 0 {
        UNIX_EPOCH
    } else {
        UNIX_EPOCH + Duration::from_secs(utc as u64)
    }
}

/// Year, month, day of a day number since 1970-01-01 (H. Hinnant's
/// civil-from-days).
fn civil(days: u64) -> (u16, u8, u8) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as u16;
    (y, m, d)
}

fn days_from_civil(y: u16, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn ymd(date: Date) -> (u16, u8, u8) {
    (date.year(), date.month(), date.day())
}

// ---------------------------------------------------------------------
// SEARCH.

/// One message as SEARCH sees it; its file is read only when a key needs
/// it.
pub(crate) struct Candidate<'m> {
    pub(crate) message: &'m Message,
    pub(crate) seq: u32,
    pub(crate) recent: bool,
    loaded: Option<Loaded>,
}

/// What SEARCH needs to know of the mailbox.
pub(crate) struct Scope {
    /// The number of messages in the session's view (`*` as a number).
    pub(crate) exists: u32,
    /// The largest UID in the view (`*` as a UID).
    pub(crate) max_uid: u32,
}

impl<'m> Candidate<'m> {
    pub(crate) fn new(message: &'m Message, seq: u32, recent: bool) -> Self {
        Self {
            message,
            seq,
            recent,
            loaded: None,
        }
    }

    fn loaded(&mut self) -> io::Result<&Loaded> {
        if self.loaded.is_none() {
            self.loaded = Some(Loaded::read(self.message)?);
        }
        Ok(self.loaded.as_ref().expect("just loaded"))
    }

    /// Whether every key matches (RFC 3501 6.4.4: keys are ANDed).
    pub(crate) fn matches_all(
        &mut self,
        keys: &[SearchKey<'_>],
        scope: &Scope,
    ) -> io::Result<bool> {
        for key in keys {
            if !self.matches(key, scope)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn matches(&mut self, key: &SearchKey<'_>, scope: &Scope) -> io::Result<bool> {
        use SearchKey as K;
        let flags = self.message.flags;
        let date = ymd(internal_date(self.message.mtime).date());
        Ok(match key {
            K::All => true,
            K::Answered => flags.contains(Flags::ANSWERED),
            K::Unanswered => !flags.contains(Flags::ANSWERED),
            K::Deleted => flags.contains(Flags::DELETED),
            K::Undeleted => !flags.contains(Flags::DELETED),
            K::Draft => flags.contains(Flags::DRAFT),
            K::Undraft => !flags.contains(Flags::DRAFT),
            K::Flagged => flags.contains(Flags::FLAGGED),
            K::Unflagged => !flags.contains(Flags::FLAGGED),
            K::Seen => flags.contains(Flags::SEEN),
            K::Unseen => !flags.contains(Flags::SEEN),
            K::Recent => self.recent,
            K::Old => !self.recent,
            K::New => self.recent && !flags.contains(Flags::SEEN),
            K::Keyword(k) => self.has_keyword(k.as_str()),
            K::Unkeyword(k) => !self.has_keyword(k.as_str()),
            K::Larger(n) => self.message.wire_size > *n,
            K::Smaller(n) => self.message.wire_size < *n,
            K::Before(d) => date < ymd(*d),
            K::On(d) => date == ymd(*d),
            K::Since(d) => date >= ymd(*d),
            K::SentBefore(d) => self.sent()?.is_some_and(|s| s < ymd(*d)),
            K::SentOn(d) => self.sent()?.is_some_and(|s| s == ymd(*d)),
            K::SentSince(d) => self.sent()?.is_some_and(|s| s >= ymd(*d)),
            K::Older(secs) => age(self.message.mtime) >= u64::from(*secs),
            K::Younger(secs) => age(self.message.mtime) <= u64::from(*secs),
            K::Uid(set) => in_set(set, self.message.uid, scope.max_uid),
            K::SequenceSet(set) => in_set(set, self.seq, scope.exists),
            K::From(s) => self.header_has("From", s.as_bytes())?,
            K::To(s) => self.header_has("To", s.as_bytes())?,
            K::Cc(s) => self.header_has("Cc", s.as_bytes())?,
            K::Bcc(s) => self.header_has("Bcc", s.as_bytes())?,
            K::Subject(s) => self.header_has("Subject", s.as_bytes())?,
            K::Header(name, s) => {
                let name = String::from_utf8_lossy(name.as_bytes()).into_owned();
                self.header_has(&name, s.as_bytes())?
            }
            K::Body(s) => self.text_has(s.as_bytes(), false)?,
            K::Text(s) => self.text_has(s.as_bytes(), true)?,
            K::Not(inner) => !self.matches(inner, scope)?,
            K::Or(a, b) => self.matches(a, scope)? || self.matches(b, scope)?,
            K::And(keys) => self.matches_all(keys, scope)?,
            // MODSEQ (CONDSTORE) is not offered; the parser may still
            // hand it over.
            _ => false,
        })
    }

    fn has_keyword(&self, name: &str) -> bool {
        self.message
            .keywords
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name))
    }

    /// The date of the `Date:` field, as written (RFC 3501: time and
    /// zone disregarded).
    fn sent(&mut self) -> io::Result<Option<(u16, u8, u8)>> {
        let loaded = self.loaded()?;
        let head = loaded.head();
        Ok(head.header().date().and_then(|d| {
            let year = u16::try_from(d.year()).ok()?;
            Some((year, d.month(), d.day()))
        }))
    }

    /// Whether a field `name` holds `needle` (ASCII case-insensitive), in
    /// its raw unfolded form or decoded (RFC 2047). An empty needle
    /// matches any message with the field.
    fn header_has(&mut self, name: &str, needle: &[u8]) -> io::Result<bool> {
        let loaded = self.loaded()?;
        let head = loaded.head();
        for field in head.header().get_all(name) {
            let raw = field.unfolded();
            if contains(&raw, needle) {
                return Ok(true);
            }
            if let Some(text) = head.header().text(field.name()) {
                if contains(text.as_bytes(), needle) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// BODY (`with_header` false) or TEXT: a substring of the body or of
    /// the whole message. Large messages are read from the file in
    /// pieces.
    fn text_has(&mut self, needle: &[u8], with_header: bool) -> io::Result<bool> {
        let loaded = self.loaded()?;
        let from = if with_header { 0 } else { loaded.header_len };
        if loaded.whole {
            return Ok(contains(&loaded.bytes[from..], needle));
        }
        if with_header && contains(loaded.header_bytes(), needle) {
            return Ok(true);
        }
        file_contains(&self.message.path, needle)
    }
}

fn age(time: SystemTime) -> u64 {
    SystemTime::now()
        .duration_since(time)
        .unwrap_or_default()
        .as_secs()
}

fn in_set(set: &SequenceSet<'_>, n: u32, largest: u32) -> bool {
    largest > 0 && set.contains(n, largest)
}

/// ASCII case-insensitive substring test.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The same over a file read in pieces (the pieces overlap by the
/// needle's length).
fn file_contains(path: &Path, needle: &[u8]) -> io::Result<bool> {
    let mut file = fs::File::open(path)?;
    let mut window = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(false);
        }
        window.extend_from_slice(&buf[..n]);
        if contains(&window, needle) {
            return Ok(true);
        }
        let keep = needle.len().min(window.len());
        window.drain(..window.len() - keep);
    }
}
