//! The `mail_server` example under load: 1,000 SMTP sessions at once
//! against its MX, 10 messages each, every message with a unique id.
//! Afterwards every message that got `250` is in its recipient's Maildir
//! exactly once and whole, and nothing else is there: none lost, none
//! duplicated.
//!
//! The server runs as its own process (the example binary `cargo test`
//! builds); the load generator is plain SMTP lines on tokio, here.
//! A thousand sockets on each side need more than the usual 1,024 open
//! files: the test raises its own soft limit (the server inherits it).

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

const SESSIONS: usize = 1_000;
const MESSAGES: usize = 10;
const USERS: usize = 10;

#[test]
fn thousand_sessions_lose_and_duplicate_nothing() {
    let limit = raise_open_files(8192);
    assert!(
        limit >= 2 * SESSIONS as u64 + 256,
        "{SESSIONS} sessions need more open files than the limit of {limit} (hard limit too low?)"
    );
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
    let started = Instant::now();
    let errors: Vec<String> = runtime.block_on(async {
        let mut tasks = Vec::with_capacity(SESSIONS);
        for session in 0..SESSIONS {
            let acked = Arc::clone(&acked);
            tasks.push(tokio::spawn(async move {
                let to =
                    |session: usize, n: usize| format!("user{}@example.org", (session + n) % USERS);
                let run = load_session(addr, "m", session, MESSAGES, to, &acked);
                match tokio::time::timeout(Duration::from_secs(120), run).await {
                    Ok(Ok(())) => None,
                    Ok(Err(error)) => Some(format!("session {session}: {error}")),
                    Err(_) => Some(format!("session {session}: timed out")),
                }
            }));
        }
        let mut errors = Vec::new();
        for task in tasks {
            if let Some(error) = task.await.unwrap() {
                errors.push(error);
            }
        }
        errors
    });
    let elapsed = started.elapsed();
    let count = acked.count.load(Ordering::Relaxed);
    eprintln!(
        "{count} messages in {SESSIONS} sessions took {elapsed:.2?} ({:.0} messages/s)",
        count as f64 / elapsed.as_secs_f64()
    );
    assert!(
        errors.is_empty(),
        "{} sessions failed, first: {}\n{}",
        errors.len(),
        errors[0],
        server.child
    );
    assert_eq!(count, SESSIONS * MESSAGES);

    let found = messages_by_id(&root);
    let acked = acked.ids.lock().unwrap();
    let mut lost = 0;
    let mut duplicated = 0;
    let mut damaged = 0;
    for (id, to) in acked.iter() {
        match found.get(id).map(Vec::as_slice) {
            None | Some([]) => lost += 1,
            Some([one]) => damaged += usize::from(!is_whole(one, id, to)),
            Some(_) => duplicated += 1,
        }
    }
    let sent: HashSet<&str> = acked.iter().map(|(id, _)| id.as_str()).collect();
    let strays: Vec<&String> = found
        .keys()
        .filter(|id| !sent.contains(id.as_str()))
        .collect();
    eprintln!(
        "lost {lost}, duplicated {duplicated}, damaged {damaged}, unexpected {}",
        strays.len()
    );
    assert_eq!((lost, duplicated, damaged), (0, 0, 0));
    assert!(strays.is_empty(), "files nobody sent: {strays:?}");
    assert!(tmp_files(&root).is_empty(), "left in tmp/");
    // Spread as sent: each user got a tenth.
    for name in &names {
        let files = std::fs::read_dir(server.maildir(name).join("new"))
            .unwrap()
            .count();
        assert_eq!(files, SESSIONS * MESSAGES / USERS, "{name}");
    }
    // The server before its tree.
    drop(server);
    drop(dir);
}
