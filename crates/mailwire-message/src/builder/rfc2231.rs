//! Writing MIME parameters (`; name=value`), with RFC 2231 for values that
//! are long or not ASCII, and an RFC 2047 form for the legacy `name`
//! parameter.

use super::fold::{Folder, SOFT_LIMIT};
use super::rfc2047::{Alphabet, quote, write_words};

/// How a parameter value that is not a plain token is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// RFC 2231: a quoted string when it is short printable ASCII, else
    /// continuations (`name*0="..."`) and extended values
    /// (`name*=utf-8''%E2%82%AC`).
    Rfc2231,
    /// A quoted string, holding RFC 2047 encoded words when the value is
    /// not short printable ASCII (`name="=?utf-8?q?=E2=82=AC?="`). RFC 2047
    /// section 5 does not allow this, but it is what many readers
    /// understand for the `name` parameter of `Content-Type`.
    Rfc2047,
}

/// RFC 2045 `tspecials`.
const fn is_tspecial(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
    )
}

/// RFC 2045 `token` characters.
pub(crate) const fn is_token(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !is_tspecial(b)
}

/// RFC 2231 `attribute-char`: token characters except `*`, `'` and `%`.
const fn is_attribute_char(b: u8) -> bool {
    is_token(b) && !matches!(b, b'*' | b'\'' | b'%')
}

/// Whether `value` can be a quoted string that every reader takes as it
/// is: printable ASCII and spaces, and no `=?` (readers decode encoded
/// words in parameter values).
fn quotable(value: &str) -> bool {
    value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) && !value.contains("=?")
}

/// Continuation segments allowed by the parser (`name*0` to `name*99`).
const MAX_SEGMENTS: usize = 100;

/// Writes `head` (such as `text/plain`) and then each parameter as
/// `; name=value`, folding between them.
pub(crate) fn write_params(f: &mut Folder<'_>, head: &str, params: &[(&str, &str, Style)]) {
    let mut head = head.as_bytes().to_vec();
    if !params.is_empty() {
        head.push(b';');
    }
    f.token(b" ", &head);
    for (n, &(name, value, style)) in params.iter().enumerate() {
        let suffix: &[u8] = if n + 1 < params.len() { b";" } else { b"" };
        write_param(f, name, value, style, suffix);
    }
}

fn write_param(f: &mut Folder<'_>, name: &str, value: &str, style: Style, suffix: &[u8]) {
    let single = |v: &[u8]| {
        let mut t = Vec::with_capacity(name.len() + v.len() + 2);
        t.extend_from_slice(name.as_bytes());
        t.push(b'=');
        t.extend_from_slice(v);
        t.extend_from_slice(suffix);
        t
    };
    // Room for ` token` on a line of its own.
    let fits = |len: usize| len < SOFT_LIMIT;
    if !value.is_empty()
        && value.bytes().all(is_token)
        && fits(name.len() + 1 + value.len() + suffix.len())
    {
        f.token(b" ", &single(value.as_bytes()));
        return;
    }
    let quoted = quote(value);
    if quotable(value) && fits(name.len() + 1 + quoted.len() + suffix.len()) {
        f.token(b" ", &single(&quoted));
        return;
    }
    match style {
        Style::Rfc2047 => {
            let mut prefix = name.as_bytes().to_vec();
            prefix.extend_from_slice(b"=\"");
            let mut end = b"\"".to_vec();
            end.extend_from_slice(suffix);
            write_words(f, b" ", &prefix, value, Alphabet::Phrase, &end);
        }
        Style::Rfc2231 => write_continued(f, name, value, quotable(value), suffix),
    }
}

/// RFC 2231 sections 3 and 4: the value split in segments, quoted strings
/// when `quoted`, else percent-encoded UTF-8 (`name*0*=utf-8''...`). A
/// character is never split between segments.
fn write_continued(f: &mut Folder<'_>, name: &str, value: &str, quoted: bool, suffix: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Each character as written.
    let units: Vec<Vec<u8>> = value
        .chars()
        .map(|c| {
            let mut buf = [0; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            let mut unit = Vec::with_capacity(bytes.len() * 3);
            for &b in bytes {
                if quoted {
                    if b == b'"' || b == b'\\' {
                        unit.push(b'\\');
                    }
                    unit.push(b);
                } else if is_attribute_char(b) {
                    unit.push(b);
                } else {
                    unit.extend_from_slice(&[
                        b'%',
                        HEX[usize::from(b >> 4)],
                        HEX[usize::from(b & 15)],
                    ]);
                }
            }
            unit
        })
        .collect();
    let charset: &[u8] = if quoted { b"" } else { b"utf-8''" };
    let total: usize = charset.len() + units.iter().map(Vec::len).sum::<usize>();
    // ` name*0*="` ... `";`
    let per_line = SOFT_LIMIT.saturating_sub(name.len() + 10).max(20);
    if !quoted && per_line >= total {
        let mut t = format!("{name}*=").into_bytes();
        t.extend_from_slice(charset);
        units.iter().for_each(|u| t.extend_from_slice(u));
        t.extend_from_slice(suffix);
        f.token(b" ", &t);
        return;
    }
    let per_segment = per_line.max(total.div_ceil(MAX_SEGMENTS - 1) + 12);
    let mut segments: Vec<Vec<u8>> = vec![charset.to_vec()];
    for unit in units {
        let last = segments.last_mut().expect("one segment");
        if !last.is_empty() && last.len() + unit.len() > per_segment && last.len() > charset.len() {
            segments.push(unit);
        } else {
            last.extend_from_slice(&unit);
        }
    }
    let count = segments.len();
    for (n, segment) in segments.into_iter().enumerate() {
        let mut t = if quoted {
            format!("{name}*{n}=\"").into_bytes()
        } else {
            format!("{name}*{n}*=").into_bytes()
        };
        t.extend_from_slice(&segment);
        if quoted {
            t.push(b'"');
        }
        t.extend_from_slice(if n + 1 < count { b";" } else { suffix });
        f.token(b" ", &t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ContentType;

    fn field(params: &[(&str, &str, Style)]) -> String {
        let mut out = Vec::new();
        let mut f = Folder::new(&mut out, "Content-Type");
        write_params(&mut f, "application/octet-stream", params);
        f.finish();
        String::from_utf8(out).unwrap()
    }

    fn value(field: &str) -> &[u8] {
        field["Content-Type:".len()..]
            .strip_suffix("\r\n")
            .unwrap()
            .as_bytes()
    }

    #[test]
    fn tokens_quoted_strings_and_extended_values() {
        assert_eq!(
            field(&[("name", "a.txt", Style::Rfc2231)]),
            "Content-Type: application/octet-stream; name=a.txt\r\n"
        );
        assert_eq!(
            field(&[
                ("name", "a b.txt", Style::Rfc2231),
                ("x", "", Style::Rfc2231)
            ]),
            "Content-Type: application/octet-stream; name=\"a b.txt\"; x=\"\"\r\n"
        );
        assert_eq!(
            field(&[("filename", "\u{20ac}.txt", Style::Rfc2231)]),
            "Content-Type: application/octet-stream; filename*=utf-8''%E2%82%AC.txt\r\n"
        );
        assert_eq!(
            field(&[("name", "\u{20ac}.txt", Style::Rfc2047)]),
            "Content-Type: application/octet-stream; name=\"=?utf-8?b?4oKsLnR4dA==?=\"\r\n"
        );
    }

    #[test]
    fn long_values_are_continued_on_short_lines() {
        for value_text in [
            "x".repeat(200),
            "a b ".repeat(60),
            "\u{e9}t\u{e9} ".repeat(50),
            "\"quoted\" \\ ".repeat(20),
            "=?utf-8?q?x?=".to_string(),
            "\u{1f600}".repeat(3000),
        ] {
            for style in [Style::Rfc2231, Style::Rfc2047] {
                let text = field(&[("name", &value_text, style), ("y", "1", Style::Rfc2231)]);
                let ct = ContentType::parse(value(&text));
                assert_eq!(
                    ct.params().get("name").as_deref(),
                    Some(value_text.as_str()),
                    "{text}"
                );
                assert_eq!(ct.params().get("y").as_deref(), Some("1"));
                if value_text.len() < 2000 {
                    for line in text.split_terminator("\r\n") {
                        assert!(line.len() <= SOFT_LIMIT, "{line}");
                    }
                }
            }
        }
    }
}
