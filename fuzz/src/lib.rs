//! Shared checks of the mailwire fuzz targets.
//!
//! The checks live in `checks.rs`, which depends on nothing but the mailwire
//! crates and `bytes`, so that the workspace's stable test suite can replay
//! the committed seed corpus through the very same code
//! (`tests/fuzz_corpus.rs` at the repository root).

#[path = "checks.rs"]
pub mod checks;
