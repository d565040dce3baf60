//! A private Dovecot (POP3 and IMAP server) per test, for our clients to
//! talk to: its own configuration, sockets, state, log, TLS certificate,
//! users and Maildirs in a temporary directory, listening on free ports of
//! 127.0.0.1 only. The system's `/etc/dovecot` is never read and the
//! default ports (110, 143, 993, 995) are never used.
//!
//! Written for Dovecot 2.3 (Debian 12 "bookworm" ships 2.3.19, which is
//! what `.ci/run` installs). Dovecot 2.4 renamed many settings and is
//! refused with a message rather than started with a configuration it
//! would misread.
//!
//! Users: Dovecot never runs a POP3/IMAP session as root (uid 0 from the
//! userdb is an error whatever `first_valid_uid` says). Run as root, the
//! mail user is therefore `nobody` (and the Maildirs are given to it);
//! run as anyone else, Dovecot runs entirely as that user.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::{Child, LOOPBACK, Output, TempDir, effective_uid, free_port, require_tool, temp_dir};

/// How long Dovecot may take to start listening on all its ports.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// How long the processes Dovecot started may take to exit after it.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Options of [`start_dovecot`].
#[derive(Clone, Debug)]
pub(crate) struct DovecotOptions {
    /// The users that can log in: `(name, password)`. Each gets an empty
    /// Maildir. Names and passwords must not contain `:`, CR or LF.
    pub(crate) users: Vec<(String, String)>,
    /// Further lines appended to the generated `dovecot.conf` (later
    /// settings override earlier ones), e.g. `"pop3_uidl_format = %g"`.
    pub(crate) extra_config: Vec<String>,
}

impl Default for DovecotOptions {
    /// One user, `alice` with password `secret`.
    fn default() -> Self {
        Self {
            users: vec![("alice".to_owned(), "secret".to_owned())],
            extra_config: Vec::new(),
        }
    }
}

/// The uid and gid that Dovecot runs mail sessions as.
#[derive(Clone, Copy, Debug)]
struct MailOwner {
    uid: u32,
    gid: u32,
    /// Whether files the test writes must be given to `uid`/`gid`.
    chown: bool,
}

/// A running Dovecot (`dovecot -F`, the master process in the foreground).
/// On drop the master is killed and the processes it started (auth, login,
/// pop3/imap sessions, log, ...) are waited for until they have exited.
pub(crate) struct Dovecot {
    child: Option<Child>,
    pop3_port: u16,
    pop3s_port: u16,
    imap_port: u16,
    imaps_port: u16,
    owner: MailOwner,
    version: String,
    // Dropped last: the processes above may still use it.
    dir: TempDir,
}

/// Starts a private Dovecot with `options` and waits until it accepts
/// connections on its four ports; `None` (after printing why) when
/// Dovecot is not installed. Panics, quoting Dovecot's output and log, if
/// it does not start.
#[track_caller]
pub(crate) fn start_dovecot(options: &DovecotOptions) -> Option<Dovecot> {
    let program = require_tool("dovecot")?;
    let version = dovecot_version(&program);
    assert!(
        version.starts_with("2.3."),
        "Dovecot {version} found at {}: the test harness writes a Dovecot 2.3 configuration",
        program.display()
    );
    let dir = temp_dir();
    let root = dir.path();
    let owner = mail_owner();
    if owner.chown {
        // Dovecot's auth and mail processes (not root) must reach the
        // users file and the Maildirs through the temporary directory,
        // which tempfile makes 0700.
        set_mode(root, 0o755);
    }
    for sub in ["run", "state", "Maildir", "home"] {
        create_dir(&root.join(sub));
    }
    write_certificate(root);

    let mut users = String::new();
    for (name, password) in &options.users {
        assert!(
            !(name.contains([':', '\r', '\n', '/']) || password.contains([':', '\r', '\n'])),
            "a Dovecot test user name or password with ':', '/', CR or LF: {name:?}"
        );
        // passwd-file: user:password:uid:gid:gecos:home:shell:extra.
        writeln!(users, "{name}:{{PLAIN}}{password}::::::").expect("write to a String");
    }
    fs::write(root.join("users"), users).expect("write the Dovecot users file");

    // Four different ports: each listener held open until all are chosen,
    // so the system cannot hand the same free port out twice (Dovecot
    // refuses a duplicate listener).
    let held: Vec<std::net::TcpListener> = (0..4)
        .map(|_| std::net::TcpListener::bind((LOOPBACK, 0)).expect("bind 127.0.0.1:0"))
        .collect();
    let port_of = |l: &std::net::TcpListener| l.local_addr().expect("a bound address").port();
    let ports = [
        port_of(&held[0]),
        port_of(&held[1]),
        port_of(&held[2]),
        port_of(&held[3]),
    ];
    drop(held);
    let [pop3_port, pop3s_port, imap_port, imaps_port] = ports;
    let config = configuration(root, owner, ports, &options.extra_config);
    let config_path = root.join("dovecot.conf");
    fs::write(&config_path, config).expect("write dovecot.conf");

    let mut dovecot = Dovecot {
        child: None,
        pop3_port,
        pop3s_port,
        imap_port,
        imaps_port,
        owner,
        version,
        dir,
    };
    for (name, _) in &options.users {
        let maildir = dovecot.maildir(name);
        dovecot.create_owned_dir(&maildir);
        for sub in ["tmp", "new", "cur"] {
            dovecot.create_owned_dir(&maildir.join(sub));
        }
        dovecot.create_owned_dir(&dovecot.dir.path().join("home").join(name));
    }

    let mut command = Command::new(program);
    command.arg("-F").arg("-c").arg(&config_path);
    let child = Child::spawn("dovecot", &mut command).unwrap_or_else(|e| panic!("{e}"));
    dovecot.child = Some(child);
    dovecot.wait_until_listening(&ports);
    Some(dovecot)
}

/// `dovecot --version`, e.g. `2.3.19.1 (9b53102964)`.
fn dovecot_version(program: &Path) -> String {
    let output = Output::run(
        "dovecot --version",
        Command::new(program).arg("--version"),
        Duration::from_secs(10),
    );
    output.assert_success();
    output.stdout.trim().to_owned()
}

/// `nobody` when running as root, else the current user.
fn mail_owner() -> MailOwner {
    match effective_uid() {
        Some(0) => {
            let (uid, gid) = passwd_ids("nobody").unwrap_or((65534, 65534));
            MailOwner {
                uid,
                gid,
                chown: true,
            }
        }
        uid => MailOwner {
            uid: uid.expect("the effective uid from /proc/self/status"),
            gid: effective_gid().expect("the effective gid from /proc/self/status"),
            chown: false,
        },
    }
}

/// The uid and gid of `name` in /etc/passwd.
fn passwd_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next()? == name).then_some(())?;
        let _password = fields.next()?;
        Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
    })
}

/// The name of `uid` in /etc/passwd.
fn passwd_name(uid: u32) -> Option<String> {
    name_of("/etc/passwd", uid)
}

/// The name of `gid` in /etc/group.
fn group_name(gid: u32) -> Option<String> {
    name_of("/etc/group", gid)
}

/// The first field of the line of `file` (passwd(5) or group(5) format)
/// whose third field is `id`.
fn name_of(file: &str, id: u32) -> Option<String> {
    let passwd = fs::read_to_string(file).ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 2 && fields[2].parse() == Ok(id)).then(|| fields[0].to_owned())
    })
}

fn effective_gid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Gid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// A self-signed certificate for `localhost` and 127.0.0.1 (made with
/// rcgen, as the examples do), `cert.pem` and `key.pem` in `root`.
fn write_certificate(root: &Path) {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let made = rcgen::generate_simple_self_signed(names).expect("generate a certificate");
    fs::write(root.join("cert.pem"), made.cert.pem()).expect("write cert.pem");
    fs::write(root.join("key.pem"), made.signing_key.serialize_pem()).expect("write key.pem");
}

/// The whole `dovecot.conf` (Dovecot 2.3 syntax): nothing from /etc.
fn configuration(root: &Path, owner: MailOwner, ports: [u16; 4], extra: &[String]) -> String {
    let [pop3, pop3s, imap, imaps] = ports;
    let root = root.display();
    let MailOwner { uid, gid, .. } = owner;
    let mut config = format!(
        r#"# Written by tests/support/dovecot.rs for one test.
base_dir = {root}/run
state_dir = {root}/state
instance_name = mailwire-test
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
debug_log_path = {root}/dovecot.log
auth_verbose = yes
protocols = pop3 imap
listen = {LOOPBACK}

# Plain-text passwords over plain-text connections are fine in a test.
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
last_valid_gid = {gid}
mail_location = maildir:{root}/Maildir/%u
pop3_uidl_format = %08Xu%08Xv

ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem

service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
"#
    );
    if !owner.chown && uid != 0 {
        // Not root: Dovecot cannot switch users nor chroot, so every
        // process runs as the current user.
        let name = passwd_name(uid).unwrap_or_else(|| panic!("no /etc/passwd entry for uid {uid}"));
        let group = group_name(gid).unwrap_or_else(|| panic!("no /etc/group entry for gid {gid}"));
        write!(
            config,
            "default_internal_user = {name}\ndefault_login_user = {name}\n\
             default_internal_group = {group}\n\
             service pop3-login {{\n  chroot =\n}}\nservice imap-login {{\n  chroot =\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        )
        .expect("write to a String");
    }
    for line in extra {
        config.push_str(line);
        config.push('\n');
    }
    config
}

fn create_dir(path: &Path) {
    fs::create_dir_all(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

impl Dovecot {
    /// The plain-text POP3 port (STLS available).
    pub(crate) fn pop3_port(&self) -> u16 {
        self.pop3_port
    }

    /// The POP3-over-TLS port (TLS from the first byte).
    pub(crate) fn pop3s_port(&self) -> u16 {
        self.pop3s_port
    }

    /// The plain-text IMAP port (STARTTLS available).
    pub(crate) fn imap_port(&self) -> u16 {
        self.imap_port
    }

    /// The IMAP-over-TLS port (TLS from the first byte).
    pub(crate) fn imaps_port(&self) -> u16 {
        self.imaps_port
    }

    /// The version it reported, e.g. `2.3.19.1 (9b53102964)`.
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    /// The master process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().expect("started").id()
    }

    /// The Maildir of `user` (with `tmp/`, `new/` and `cur/`).
    pub(crate) fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("Maildir").join(user)
    }

    /// The self-signed certificate it presents, PEM.
    pub(crate) fn certificate_pem_path(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// Delivers `message` (the bytes exactly as a client will retrieve
    /// them, normally with CRLF line ends: Dovecot serves the file as it
    /// is, converting only bare LF to CRLF) to `user`'s Maildir `new/`,
    /// written to `tmp/` first and renamed, as a delivery agent does.
    /// Messages are numbered in the order they are delivered. Returns the
    /// file's path.
    pub(crate) fn deposit(&self, user: &str, message: &[u8]) -> PathBuf {
        self.deposit_in(user, "new", message, "")
    }

    /// Like [`Self::deposit`] but into `cur/` with the Maildir flags
    /// `flags` (e.g. `"S"` for seen; letters in ASCII order).
    pub(crate) fn deposit_cur(&self, user: &str, message: &[u8], flags: &str) -> PathBuf {
        self.deposit_in(user, "cur", message, &format!(":2,{flags}"))
    }

    fn deposit_in(&self, user: &str, sub: &str, message: &[u8], info: &str) -> PathBuf {
        // Dovecot numbers new files by the time in their names, then by
        // the rest of the name: a counter in the time field keeps the
        // delivery order whatever the clock does.
        static SEQUENCE: AtomicU32 = AtomicU32::new(0);
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "{}.M{n}P{}.mailwire-test,S={}",
            1_000_000_000 + u64::from(n),
            std::process::id(),
            message.len()
        );
        let maildir = self.maildir(user);
        assert!(
            maildir.join("tmp").is_dir(),
            "{user} is not a user of this Dovecot"
        );
        let tmp = maildir.join("tmp").join(&name);
        fs::write(&tmp, message).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
        self.give(&tmp);
        let path = maildir.join(sub).join(format!("{name}{info}"));
        fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("rename to {}: {e}", path.display()));
        path
    }

    /// The file names in `user`'s Maildir `sub` (`"new"` or `"cur"`),
    /// sorted.
    pub(crate) fn maildir_files(&self, user: &str, sub: &str) -> Vec<String> {
        let dir = self.maildir(user).join(sub);
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|entry| {
                entry
                    .expect("read a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    /// Everything Dovecot logged so far (all levels, one file).
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Stops it (see [`Drop`]) and returns what the master printed, with
    /// its log appended to stderr.
    pub(crate) fn stop(mut self) -> Output {
        let mut output = self.shut_down().expect("started");
        output.stderr.push_str(&self.log());
        output
    }

    /// Waits until every port in `ports` accepts connections; panics,
    /// quoting Dovecot's output and log, if it exits first or takes longer
    /// than [`START_TIMEOUT`].
    #[track_caller]
    fn wait_until_listening(&mut self, ports: &[u16]) {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut waiting = ports.to_vec();
        while !waiting.is_empty() {
            let log = self.log();
            let child = self.child.as_mut().expect("started");
            if let Some(status) = child.try_wait() {
                panic!("{child} exited ({status}) before listening; its log:\n{log}");
            }
            if Instant::now() >= deadline {
                panic!(
                    "{child} is not listening on {waiting:?} after {START_TIMEOUT:?}; its log:\n{log}"
                );
            }
            waiting.retain(|port| {
                TcpStream::connect_timeout(
                    &SocketAddr::from((LOOPBACK, *port)),
                    Duration::from_millis(100),
                )
                .is_err()
            });
            if !waiting.is_empty() {
                thread::sleep(Duration::from_millis(20));
            }
        }
    }

    fn create_owned_dir(&self, path: &Path) {
        create_dir(path);
        self.give(path);
    }

    /// Gives `path` to the mail user (when running as root).
    fn give(&self, path: &Path) {
        if self.owner.chown {
            std::os::unix::fs::chown(path, Some(self.owner.uid), Some(self.owner.gid))
                .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
        }
    }

    /// Kills the master and waits until the processes it had started have
    /// exited (they notice their master is gone and exit by themselves).
    fn shut_down(&mut self) -> Option<Output> {
        let child = self.child.take()?;
        let children = child_pids(child.id());
        let output = child.kill();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while children.iter().any(|pid| is_running(*pid)) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        Some(output)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// The processes whose parent is `pid` (Linux: from /proc).
pub(crate) fn child_pids(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|candidate| parent_pid(*candidate) == Some(pid))
        .collect()
}

/// The parent of `pid`, from /proc/PID/stat (the field after the
/// parenthesised command name, which may itself hold spaces or `)`).
fn parent_pid(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    let _state = fields.next()?;
    fields.next()?.parse().ok()
}

/// Whether `pid` exists and is not a zombie.
pub(crate) fn is_running(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|end| stat[end + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(e) => e.kind() != io::ErrorKind::NotFound,
    }
}

impl Dovecot {
    /// Like [`Self::deposit`] but into the folder `folder` of `user`
    /// (Maildir++: the directory `.folder` beside `new/`, created when
    /// missing; `folder` as Dovecot names it on disk, modified UTF-7 for
    /// non-ASCII names). Dovecot lists it with `LIST "" "*"`.
    pub(crate) fn deposit_folder(&self, user: &str, folder: &str, message: &[u8]) -> PathBuf {
        assert!(
            !folder.is_empty() && !folder.contains(['/', '\r', '\n']),
            "a Maildir++ folder name: {folder:?}"
        );
        let dir = self.maildir(user).join(format!(".{folder}"));
        for sub in ["tmp", "new", "cur"] {
            self.create_owned_dir(&dir.join(sub));
        }
        self.give(&dir);
        self.deposit_in(user, &format!(".{folder}/new"), message, "")
    }
}
