//! Content transfer encodings: base64 and quoted-printable.
