//! Writing header text: RFC 2047 encoded words for `unstructured` fields
//! and display names (`phrase`).
//!
//! Every encoded word is UTF-8, at most 75 characters (RFC 2047 section 2),
//! holds whole characters only (section 5: a multi-octet character is never
//! split between words), and uses `Q` or `B`, whichever makes the run of
//! words shorter (`Q` on a tie, since it stays readable). Adjacent encoded
//! words are separated by a space (a fold point) that decoders drop
//! (section 6.2), so white space that belongs to the text is encoded inside
//! the words.

use super::fold::{Folder, HARD_LIMIT, SOFT_LIMIT};

/// Longest encoded word (RFC 2047 section 2).
const MAX_WORD: usize = 75;
/// `=?utf-8?q?` and `?=`.
const OVERHEAD: usize = 12;
/// White space runs longer than this are carried inside encoded words, so
/// that no folded line is white space only and no line gets too long.
const LONG_SPACE: usize = 40;
/// Encoded text worth starting a word for at the end of a line.
const MIN_TEXT: usize = 16;

/// Which characters `Q` may leave as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alphabet {
    /// In `*text` (RFC 2047 section 5 (1)): printable ASCII except `=`, `?`
    /// and `_`.
    Text,
    /// In a `phrase` (section 5 (3)), and inside quoted parameter values:
    /// letters, digits and `!*+-/`.
    Phrase,
}

impl Alphabet {
    fn literal(self, b: u8) -> bool {
        match self {
            Self::Text => b.is_ascii_graphic() && !matches!(b, b'=' | b'?' | b'_'),
            Self::Phrase => {
                b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/')
            }
        }
    }

    /// Length of `b` in `Q` encoding.
    fn q_len(self, b: u8) -> usize {
        if b == b' ' || self.literal(b) { 1 } else { 3 }
    }
}

/// Length of `n` octets in base64.
const fn b_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

fn push_q(text: &str, alphabet: Alphabet, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b == b' ' {
            out.push(b'_');
        } else if alphabet.literal(b) {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
    }
}

/// One encoded word holding `text`.
fn word(text: &str, base64: bool, alphabet: Alphabet, out: &mut Vec<u8>) {
    if base64 {
        out.extend_from_slice(b"=?utf-8?b?");
        mailwire_core::encoding::base64::encode_wrapped(text.as_bytes(), 0, out);
    } else {
        out.extend_from_slice(b"=?utf-8?q?");
        push_q(text, alphabet, out);
    }
    out.extend_from_slice(b"?=");
}

/// Writes `text` (not empty) as encoded words: the first after `sep` and
/// with `prefix` before it, the next ones after a space, the last followed
/// by `suffix`. Words are sized to fill the current line.
pub(crate) fn write_words(
    f: &mut Folder<'_>,
    sep: &[u8],
    prefix: &[u8],
    text: &str,
    alphabet: Alphabet,
    suffix: &[u8],
) {
    let q_total: usize = text.bytes().map(|b| alphabet.q_len(b)).sum();
    let base64 = b_len(text.len()) < q_total;
    let cost = |chunk: &str| {
        if base64 {
            b_len(chunk.len())
        } else {
            chunk.bytes().map(|b| alphabet.q_len(b)).sum()
        }
    };
    let mut rest = text;
    let mut sep = sep;
    let mut prefix = prefix;
    let mut buf = Vec::with_capacity(MAX_WORD + prefix.len() + suffix.len());
    while !rest.is_empty() {
        // The first character must fit (at most 12 in Q, 8 in B).
        let first_len = rest.chars().next().map_or(0, char::len_utf8);
        let first_cost = cost(&rest[..first_len]);
        let room = |f: &Folder<'_>| SOFT_LIMIT.saturating_sub(f.col() + sep.len() + prefix.len());
        // Not worth a word of its own: less than a few characters of room.
        // (Every octet costs at least one character: a prefix of MIN_TEXT
        // octets tells whether the rest costs MIN_TEXT or more.)
        let probe = (MIN_TEXT..=rest.len())
            .find(|&i| rest.is_char_boundary(i))
            .unwrap_or(rest.len());
        let wanted = OVERHEAD + cost(&rest[..probe]).min(MIN_TEXT).max(first_cost);
        if room(f) < wanted && f.can_fold() && !sep.is_empty() {
            f.fold();
        }
        let budget = if room(f) < OVERHEAD + first_cost {
            // No fold possible (right after a long field name).
            MAX_WORD - OVERHEAD
        } else {
            room(f).min(MAX_WORD) - OVERHEAD
        };
        // Whole characters, as many as fit.
        let mut end = first_len;
        for (i, c) in rest.char_indices().skip(1) {
            if cost(&rest[..i + c.len_utf8()]) > budget {
                break;
            }
            end = i + c.len_utf8();
        }
        // Leave room for the suffix on the last word when possible.
        if end == rest.len() && !suffix.is_empty() {
            while end > first_len && cost(&rest[..end]) + suffix.len() > budget {
                end -= rest[..end].chars().next_back().map_or(1, char::len_utf8);
            }
        }
        buf.clear();
        buf.extend_from_slice(prefix);
        word(&rest[..end], base64, alphabet, &mut buf);
        rest = &rest[end..];
        if rest.is_empty() {
            buf.extend_from_slice(suffix);
        }
        f.token(sep, &buf);
        sep = b" ";
        prefix = b"";
    }
}

/// SP and HTAB.
const fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Writes an RFC 5322 `unstructured` value (`text` holds no CR, LF or
/// NUL) so that [`decode_unstructured`](crate::encoded_word::decode_unstructured)
/// gives `text` back exactly.
///
/// Words (runs of non-white space) are written as they are unless they
/// hold anything but printable ASCII, contain `=?` (they would be read as
/// an encoded word), or are too long for a line; those are encoded, and
/// runs of such words are encoded together with the white space between
/// them. White space at the start and the end of the value, and runs
/// longer than [`LONG_SPACE`], go inside encoded words too.
pub(crate) fn write_unstructured(f: &mut Folder<'_>, text: &str) {
    // The longest word that may stay plain: it must fit on a line after
    // the field name or a separator.
    let plain_limit = HARD_LIMIT.saturating_sub(f.col().max(LONG_SPACE) + 1);
    // (white space before, word) pairs, and the white space after the last.
    let mut words: Vec<(&str, &str)> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let ws_end = i + bytes[i..]
            .iter()
            .position(|&b| !is_wsp(b))
            .unwrap_or(bytes.len() - i);
        if ws_end == bytes.len() {
            break;
        }
        let word_end = ws_end
            + bytes[ws_end..]
                .iter()
                .position(|&b| is_wsp(b))
                .unwrap_or(bytes.len() - ws_end);
        words.push((&text[i..ws_end], &text[ws_end..word_end]));
        i = word_end;
    }
    let trailing = &text[i..];
    if words.is_empty() {
        if !trailing.is_empty() {
            write_words(f, b" ", b"", trailing, Alphabet::Text, b"");
        }
        return;
    }
    let mut encode: Vec<bool> = words
        .iter()
        .enumerate()
        .map(|(n, (ws, w))| {
            (n == 0 && !ws.is_empty())
                || ws.len() > LONG_SPACE
                || w.len() > plain_limit
                || w.contains("=?")
                || !w.bytes().all(|b| b.is_ascii_graphic())
        })
        .collect();
    if !trailing.is_empty() {
        *encode.last_mut().unwrap_or(&mut false) = true;
    }
    let mut n = 0;
    while n < words.len() {
        let (ws, w) = words[n];
        if !encode[n] {
            let sep = if n == 0 { " " } else { ws };
            f.token(sep.as_bytes(), w.as_bytes());
            n += 1;
            continue;
        }
        // A run of words to encode, with the white space between them.
        let (sep, mut run) = if n == 0 {
            (" ", String::from(ws))
        } else if ws.len() > LONG_SPACE {
            (&ws[..1], String::from(&ws[1..]))
        } else {
            (ws, String::new())
        };
        run.push_str(w);
        n += 1;
        while n < words.len() && encode[n] {
            run.push_str(words[n].0);
            run.push_str(words[n].1);
            n += 1;
        }
        if n == words.len() {
            run.push_str(trailing);
        }
        write_words(f, sep.as_bytes(), b"", &run, Alphabet::Text, b"");
    }
}

/// Longest word or quoted string written plain in a phrase.
const PLAIN_PHRASE: usize = 70;

/// Whether `b` is RFC 5322 `atext`.
const fn is_atext(b: u8) -> bool {
    mailwire_core::token::is_atext(b) && b.is_ascii()
}

/// Writes a display name (`phrase`; trimmed and not empty, no CR, LF or
/// NUL) after `sep`, followed by `suffix`, so that
/// [`decode_phrase`](crate::encoded_word::decode_phrase) gives it back:
///
/// - atoms separated by single spaces when it is made of such (`Mary
///   Smith`);
/// - else a quoted string when it is printable ASCII and short;
/// - else RFC 2047 encoded words with the restricted `Q` alphabet of RFC
///   2047 section 5 (3), or `B`.
///
/// Text holding `=?` is always encoded, since decoders read encoded words
/// even inside quoted strings.
pub(crate) fn write_phrase(f: &mut Folder<'_>, sep: &[u8], name: &str, suffix: &[u8]) {
    let looks_encoded = name.contains("=?");
    let atoms: Vec<&str> = name.split(' ').collect();
    if !looks_encoded
        && atoms
            .iter()
            .all(|a| !a.is_empty() && a.len() <= PLAIN_PHRASE && a.bytes().all(is_atext))
    {
        let last = atoms.len() - 1;
        for (n, atom) in atoms.iter().enumerate() {
            let sep = if n == 0 { sep } else { b" " };
            if n == last && !suffix.is_empty() {
                let mut token = atom.as_bytes().to_vec();
                token.extend_from_slice(suffix);
                f.token(sep, &token);
            } else {
                f.token(sep, atom.as_bytes());
            }
        }
        return;
    }
    if !looks_encoded
        && name.len() <= PLAIN_PHRASE
        && name.bytes().all(|b| b.is_ascii_graphic() || is_wsp(b))
    {
        let mut token = quote(name);
        token.extend_from_slice(suffix);
        f.token(sep, &token);
        return;
    }
    write_words(f, sep, b"", name, Alphabet::Phrase, suffix);
}

/// `text` as an RFC 5322 quoted-string (`"` and `\` escaped).
pub(crate) fn quote(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'"');
    for &b in text.as_bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoded_word::{decode_phrase, decode_unstructured};

    fn unstructured(text: &str) -> String {
        let mut out = Vec::new();
        let mut f = Folder::new(&mut out, "Subject");
        write_unstructured(&mut f, text);
        f.finish();
        String::from_utf8(out).unwrap()
    }

    fn phrase(text: &str) -> String {
        let mut out = Vec::new();
        let mut f = Folder::new(&mut out, "From");
        write_phrase(&mut f, b" ", text, b"");
        f.finish();
        String::from_utf8(out).unwrap()
    }

    fn value(field: &str) -> &[u8] {
        let colon = field.find(':').unwrap();
        field[colon + 1..].strip_suffix("\r\n").unwrap().as_bytes()
    }

    #[test]
    fn plain_ascii_stays_plain() {
        assert_eq!(unstructured("Hello, world"), "Subject: Hello, world\r\n");
        assert_eq!(phrase("Mary Smith"), "From: Mary Smith\r\n");
        assert_eq!(phrase("John Q. Public"), "From: \"John Q. Public\"\r\n");
        assert_eq!(phrase("a \"b\" \\c"), "From: \"a \\\"b\\\" \\\\c\"\r\n");
    }

    #[test]
    fn non_ascii_is_encoded_q_or_b() {
        // Q when shorter (readable), B when shorter.
        assert_eq!(
            unstructured("Fran\u{e7}ois-Xavier"),
            "Subject: =?utf-8?q?Fran=C3=A7ois-Xavier?=\r\n"
        );
        assert_eq!(
            unstructured("caf\u{e9} au lait"),
            "Subject: =?utf-8?b?Y2Fmw6k=?= au lait\r\n"
        );
        assert_eq!(
            unstructured("\u{65e5}\u{672c}\u{8a9e}"),
            "Subject: =?utf-8?b?5pel5pys6Kqe?=\r\n"
        );
        assert_eq!(phrase("J\u{f8}rn K"), "From: =?utf-8?q?J=C3=B8rn_K?=\r\n");
    }

    #[test]
    fn white_space_between_encoded_words_is_encoded() {
        let field = unstructured("\u{e9}t\u{e9}  \u{e0} la plage");
        assert_eq!(field, "Subject: =?utf-8?b?w6l0w6kgIMOg?= la plage\r\n");
        assert_eq!(
            decode_unstructured(value(&field)),
            "\u{e9}t\u{e9}  \u{e0} la plage"
        );
    }

    #[test]
    fn edge_white_space_and_lookalikes_round_trip() {
        for text in [
            " lead",
            "trail ",
            "  ",
            "\tboth\t",
            "=?utf-8?q?x?=",
            "a =?b?c?= d",
            "x=?y",
            "many     spaces",
            &"word ".repeat(40),
            &"\u{e9}".repeat(200),
            &"x".repeat(2000),
            &format!("a{}b", " ".repeat(300)),
        ] {
            let field = unstructured(text);
            assert_eq!(decode_unstructured(value(&field)), text, "{field}");
            for line in field.split_terminator("\r\n") {
                assert!(line.len() <= HARD_LIMIT);
                assert!(!line.bytes().all(is_wsp), "{field:?}");
            }
        }
    }

    #[test]
    fn encoded_words_are_short_and_whole() {
        let text = "\u{1f600}\u{e9}".repeat(60);
        let field = unstructured(&text);
        for line in field.split_terminator("\r\n") {
            assert!(line.len() <= SOFT_LIMIT, "{line}");
            for w in line.split(' ').filter(|w| w.starts_with("=?")) {
                assert!(w.len() <= MAX_WORD);
                // Each word decodes to whole characters on its own.
                let decoded = decode_unstructured(w.as_bytes());
                assert!(!decoded.contains('\u{fffd}'), "{w}");
            }
        }
        assert_eq!(decode_unstructured(value(&field)), text);
    }

    #[test]
    fn phrases_round_trip() {
        for name in [
            "Keld J\u{f8}rn Simonsen",
            "a  b",
            "tab\there",
            "=?x?q?y?=",
            "\u{7f}ctl",
            "long name ".repeat(30).trim_end(),
        ] {
            let field = phrase(name);
            assert_eq!(decode_phrase(value(&field)), name, "{field}");
            for line in field.split_terminator("\r\n") {
                assert!(line.len() <= SOFT_LIMIT, "{line}");
            }
        }
    }
}
