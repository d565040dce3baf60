//! Finding external tools, and running the SMTP clients among them.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use super::Output;

/// How long one run of a client tool may take before the test fails.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);

/// Directories searched after `PATH`: Postfix installs `smtp-sink` and
/// `smtp-source` in /usr/sbin, which a non-root `PATH` often lacks.
const EXTRA_DIRS: &[&str] = &["/usr/sbin", "/sbin", "/usr/local/sbin"];

/// Whether a missing tool fails the test (`MAILWIRE_REQUIRE_INTEROP=1`,
/// set by `.ci/run`) rather than skipping it.
fn required() -> bool {
    env::var_os("MAILWIRE_REQUIRE_INTEROP").is_some_and(|v| v == "1")
}

/// Reports a missing tool: panics when tools are required, else prints
/// why the test is skipped.
#[track_caller]
fn missing(what: &str, why: &str) {
    let message = format!("{what} is not available ({why}); `bash .ci/run` installs it");
    if required() {
        panic!("MAILWIRE_REQUIRE_INTEROP=1: {message}");
    }
    eprintln!("skipped: {message}");
}

/// The executable `name` found on `PATH` or in the sbin directories.
fn find_executable(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(EXTRA_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The path of the external tool `name`, or `None` (after printing why the
/// test is skipped) when it is not installed. With
/// `MAILWIRE_REQUIRE_INTEROP=1` a missing tool panics instead.
///
/// ```ignore
/// let Some(swaks) = require_tool("swaks") else { return };
/// ```
#[track_caller]
pub(crate) fn require_tool(name: &str) -> Option<PathBuf> {
    let found = find_executable(name);
    if found.is_none() {
        missing(
            name,
            "not found on PATH nor in /usr/sbin, /sbin, /usr/local/sbin",
        );
    }
    found
}

/// A Python interpreter that can `import aiosmtpd`, or `None` (after
/// printing why) when there is none.
///
/// Debian's `python3-aiosmtpd` installs for Debian's own interpreter,
/// `/usr/bin/python3`, which need not be the `python3` first on `PATH`
/// (on the CI machine that is a pyenv build). The candidates, in order:
/// `MAILWIRE_AIOSMTPD_PYTHON`, `/usr/bin/python3`, `python3` on `PATH`.
#[track_caller]
pub(crate) fn aiosmtpd_python() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let candidates = env::var_os("MAILWIRE_AIOSMTPD_PYTHON")
            .map(PathBuf::from)
            .into_iter()
            .chain([PathBuf::from("/usr/bin/python3")])
            .chain(find_executable("python3"));
        candidates.into_iter().find(|python| {
            Command::new(python)
                .args(["-c", "import aiosmtpd"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
    });
    if found.is_none() {
        missing(
            "aiosmtpd",
            "no Python can import it: tried $MAILWIRE_AIOSMTPD_PYTHON, /usr/bin/python3 (Debian's \
             python3-aiosmtpd) and python3 on PATH",
        );
    }
    found.clone()
}

/// Runs the tool `name` with `args` to its end (at most 20 s) and returns
/// its output, or `None` when the tool is missing.
#[track_caller]
fn run_tool<S: AsRef<OsStr>>(name: &str, args: &[S]) -> Option<Output> {
    let program = require_tool(name)?;
    Some(Output::run(
        name,
        Command::new(program).args(args),
        CLIENT_TIMEOUT,
    ))
}

/// Runs `swaks` with `args` (e.g. `--server 127.0.0.1:PORT --to ...`).
#[track_caller]
pub(crate) fn swaks<S: AsRef<OsStr>>(args: &[S]) -> Option<Output> {
    run_tool("swaks", args)
}

/// Runs `curl --silent --show-error` with `args` (e.g. an `smtp://` or `pop3://` URL,
/// `--mail-from`, `--mail-rcpt`, `--upload-file`).
#[track_caller]
pub(crate) fn curl<S: AsRef<OsStr>>(args: &[S]) -> Option<Output> {
    let mut all: Vec<&OsStr> = vec![OsStr::new("--silent"), OsStr::new("--show-error")];
    all.extend(args.iter().map(AsRef::as_ref));
    run_tool("curl", &all)
}

/// Runs `script` with the `python3` on `PATH` (`python3 -c SCRIPT ARGS...`);
/// the standard library's smtplib, imaplib and poplib are enough for the
/// clients the tests need.
#[track_caller]
pub(crate) fn python<S: AsRef<OsStr>>(script: &str, args: &[S]) -> Option<Output> {
    let mut all: Vec<&OsStr> = vec![OsStr::new("-c"), OsStr::new(script)];
    all.extend(args.iter().map(AsRef::as_ref));
    run_tool("python3", &all)
}
