//! Replays the committed fuzz seed corpus (`fuzz/corpus/<target>/seed-*`)
//! through the same checks the fuzz targets run, on stable Rust, so every
//! `cargo test` re-checks past crashes and interesting inputs.

#[path = "../fuzz/src/checks.rs"]
#[allow(unreachable_pub)] // `pub` for the fuzz crate, private here
mod checks;

use std::fs;
use std::path::Path;

#[test]
fn seed_corpus_passes_every_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    for target in fs::read_dir(&root).expect("fuzz/corpus exists") {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_str().unwrap().to_owned();
        let check: fn(&[u8]) = match name.as_str() {
            "line_framer" => checks::check_line_framer,
            "dot_unstuff" => checks::check_dot_unstuff,
            "dot_roundtrip" => checks::check_dot_roundtrip,
            "tokens" => checks::check_tokens,
            "base64" => checks::check_base64,
            "qp" => checks::check_qp,
            "message" => checks::check_message,
            "builder" => checks::check_builder,
            "smtp_reply" => checks::check_smtp_reply,
            "smtp_server" => checks::check_smtp_server,
            "smtp_client" => checks::check_smtp_client,
            "smtp_command" => checks::check_smtp_command,
            "pop3_command" => checks::check_pop3_command,
            "pop3_response" => checks::check_pop3_response,
            "pop3_server" => checks::check_pop3_server,
            "pop3_client" => checks::check_pop3_client,
            "pop3_lines" => checks::check_pop3_lines,
            "imap_command" => checks::check_imap_command,
            "imap_response" => checks::check_imap_response,
            "imap_server" => checks::check_imap_server,
            "imap_client" => checks::check_imap_client,
            "imap_codec" => checks::check_imap_codec,
            other => panic!("fuzz/corpus/{other}: no check wired up in tests/fuzz_corpus.rs"),
        };
        for seed in fs::read_dir(&target).unwrap() {
            let seed = seed.unwrap().path();
            if !seed
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("seed-")
            {
                continue;
            }
            let input = fs::read(&seed).unwrap();
            check(&input);
            replayed += 1;
        }
    }
    assert!(replayed >= 9, "only {replayed} seeds found");
}
