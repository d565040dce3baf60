#![no_main]
//! Fuzz target: see `mailwire_fuzz::checks::check_base64`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailwire_fuzz::checks::check_base64(data));
