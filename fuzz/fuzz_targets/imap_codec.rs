#![no_main]
//! Fuzz target: see `mailwire_fuzz::checks::check_imap_codec`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailwire_fuzz::checks::check_imap_codec(data));
