//! RFC 5322 address lists.
