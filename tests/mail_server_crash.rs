//! The `mail_server` example killed with SIGKILL in the middle of a load
//! run, then started again on the same Maildir tree: every message that
//! got `250` before the kill is there, once and whole; nothing partial is
//! in `new/` or `cur/` (a message whose `250` was lost in the kill may be
//! there too, but whole); the restart clears `tmp/`; the restarted server
//! takes mail again.

mod support;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use support::mail_server::{
    Acked, MailServer, is_whole, load_session, messages_by_id, raise_open_files, tmp_files,
};
use support::temp_dir;

const SESSIONS: usize = 200;
/// More than the run gets to before the kill.
const MESSAGES: usize = 1_000;
const USERS: usize = 4;
/// The kill comes once this many messages got their `250`.
const KILL_AFTER: usize = 1_500;

fn to(session: usize, n: usize) -> String {
    format!("user{}@example.org", (session + n) % USERS)
}

#[test]
fn sigkill_during_load_loses_nothing_acknowledged() {
    raise_open_files(4096);
    let dir = temp_dir();
    let root = dir.path().join("tree");
    let names: Vec<String> = (0..USERS).map(|i| format!("user{i}")).collect();
    let users: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "secret")).collect();
    let server = MailServer::start(&root, &users, &[]);
    let addr = SocketAddr::from(([127, 0, 0, 1], server.smtp));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let acked = Arc::new(Acked::default());
    let (failed, output) = runtime.block_on(async {
        let mut tasks = Vec::with_capacity(SESSIONS);
        for session in 0..SESSIONS {
            let acked = Arc::clone(&acked);
            tasks.push(tokio::spawn(async move {
                let run = load_session(addr, "c", session, MESSAGES, to, &acked);
                tokio::time::timeout(Duration::from_secs(60), run).await
            }));
        }
        // Kill it once enough went through, while the sessions are busy.
        let started = Instant::now();
        while acked.count.load(Ordering::Relaxed) < KILL_AFTER {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "only {} messages in a minute",
                acked.count.load(Ordering::Relaxed)
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let output = server.child.kill();
        let mut failed = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Ok(())) => {}
                Ok(Err(_)) => failed += 1,
                Err(_) => panic!("a session hung after the kill"),
            }
        }
        (failed, output)
    });
    let acked = acked.ids.lock().unwrap().clone();
    eprintln!(
        "killed after {} acknowledged messages; {failed} of {SESSIONS} sessions cut off",
        acked.len()
    );
    assert!(
        failed > 0,
        "the kill came after every session ended\n{output}"
    );

    // Started again on the same tree: tmp/ is cleared at start.
    eprintln!("{} files in tmp/ after the kill", tmp_files(&root).len());
    let server = MailServer::start(&root, &users, &[]);
    let left = tmp_files(&root);
    assert!(left.is_empty(), "left in tmp/ after the restart: {left:?}");

    let found = messages_by_id(&root);
    let mut lost = Vec::new();
    let mut duplicated = Vec::new();
    let mut damaged = Vec::new();
    for (id, to) in &acked {
        match found.get(id).map(Vec::as_slice) {
            None | Some([]) => lost.push(id),
            Some([one]) if !is_whole(one, id, to) => damaged.push(one.path.clone()),
            Some([_]) => {}
            Some(_) => duplicated.push(id),
        }
    }
    // Messages stored whose 250 the kill swallowed: whole too, and at
    // most one per session (each session has one message in flight).
    let sent: HashSet<&str> = acked.iter().map(|(id, _)| id.as_str()).collect();
    let mut unacknowledged = 0;
    for (id, files) in &found {
        if sent.contains(id.as_str()) {
            continue;
        }
        let (session, n) = id
            .strip_prefix('c')
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(s, n)| Some((s.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
            .unwrap_or_else(|| panic!("a file with id {id:?}, which nobody sent"));
        assert_eq!(files.len(), 1, "{id} stored twice");
        assert!(
            is_whole(&files[0], id, &to(session, n)),
            "partial: {}",
            files[0].path.display()
        );
        unacknowledged += 1;
    }
    eprintln!(
        "after the restart: lost {}, duplicated {}, damaged {}, stored without 250 {unacknowledged}",
        lost.len(),
        duplicated.len(),
        damaged.len()
    );
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(duplicated.is_empty(), "duplicated: {duplicated:?}");
    assert!(damaged.is_empty(), "partial files: {damaged:?}");
    assert!(unacknowledged <= SESSIONS);

    // The restarted server takes mail.
    let again = Acked::default();
    let addr = SocketAddr::from(([127, 0, 0, 1], server.smtp));
    runtime
        .block_on(load_session(addr, "after", 0, 3, to, &again))
        .expect("a session with the restarted server");
    let found = messages_by_id(&root);
    for (id, to) in again.ids.lock().unwrap().iter() {
        let files = &found[id];
        assert_eq!(files.len(), 1);
        assert!(is_whole(&files[0], id, to));
    }
    drop(server);
    drop(dir);
}
