//! IMAP for Rust (placeholder docs, see below).
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod encode;
pub mod parse;
pub mod types;
