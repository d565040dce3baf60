//! tokio codecs.
