//! RFC 5234 / RFC 5321 / RFC 5322 tokens.
