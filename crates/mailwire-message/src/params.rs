//! MIME header parameters.
