//! Differential test against Python's `email` package (`policy.default`):
//! every message of `tests/corpus/` is summarised by both (the JSON shape of
//! `mailwire_message::summary`) and the answers compared.
//!
//! Python is run live (`tests/python/summary.py`) when `python3` is on the
//! PATH; otherwise its recorded answers in `tests/python/expected.jsonl`
//! are used. Set `MAILWIRE_REQUIRE_PYTHON=1` (CI does) to fail instead.
//!
//! Every place where the answers differ is listed in [`KNOWN`] with the
//! reason we are right (or, for malformed input, why our reading is
//! chosen); `tests/python/DIFFERENCES.md` has the long form. The test fails
//! on an unlisted difference and on a listed one that no longer occurs.
#![cfg(feature = "serde")]

use std::path::{Path, PathBuf};
use std::process::Command;

use mailwire_core::encoding::TransferEncoding;
use mailwire_message::Message;
use mailwire_message::summary::Summary;
use serde_json::Value;

/// `(file, field, reason)`: the differences from Python, each with the
/// reason (the A, B, C numbers are those of `tests/python/DIFFERENCES.md`).
/// `field` is a key of the summary, `parts[i].key`, or `*` for every field
/// of the file.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "12-rfc5322-a6-3-obsolete-whitespace.eml",
        "*",
        "A1: RFC 5322 4.5 allows white space before the colon (obs-optional) and the first \
         line `From  : ...` is such a field, not an mbox separator; Python puts the whole \
         header in the body",
    ),
    (
        "20-rfc2047-encoded-words.eml",
        "cc",
        "A3: RFC 2047 6.2, white space between adjacent encoded words is ignored",
    ),
    (
        "46-rfc2047-damage.eml",
        "from",
        "A4: RFC 2047 6.2, white space between adjacent encoded words is ignored",
    ),
    (
        "22-boundary-tspecials-unquoted.eml",
        "parts",
        "B1: the unquoted boundary `----=_Part_0_123.456` is read to the end of the \
         parameter (RFC 2046 bchars include = and .); Python stops at the `=` and finds no part",
    ),
    (
        "23-missing-close-delimiter.eml",
        "parts[1].size",
        "A8: RFC 2046 5.1.1, only the CRLF before a delimiter belongs to it; with no \
         delimiter the last line break is content",
    ),
    (
        "23-missing-close-delimiter.eml",
        "parts[1].text",
        "A8, as for the size",
    ),
    (
        "24-close-delimiter-junk.eml",
        "parts[0].size",
        "A9: RFC 2046 5.1.1 note to implementors, `--frontier--junk` is the close delimiter",
    ),
    (
        "24-close-delimiter-junk.eml",
        "parts[0].text",
        "A9, as for the size",
    ),
    (
        "27-empty-parts.eml",
        "parts",
        "B3: two delimiter lines in a row enclose an empty part; Python drops it",
    ),
    (
        "30-multipart-no-boundary.eml",
        "parts[0].content_type",
        "A13: multipart without boundary is an invalid Content-Type, so text/plain \
         (RFC 2045 5.2)",
    ),
    (
        "30-multipart-no-boundary.eml",
        "parts[0].text",
        "A13: a text/plain part has text",
    ),
    (
        "31-latin1-raw-headers.eml",
        "subject",
        "C3: raw 8-bit header text that is not UTF-8 is read as windows-1252 (Python: U+FFFD)",
    ),
    (
        "33-cp1252-declared-latin1.eml",
        "parts[0].text",
        "C1: the label iso-8859-1 means windows-1252 (WHATWG Encoding), as in browsers",
    ),
    (
        "38-8bit-body-no-charset.eml",
        "parts[0].text",
        "C2: 8-bit text without a charset is read as UTF-8 when valid (Python: U+FFFD per byte)",
    ),
    (
        "40-qp-soft-breaks-bad-escapes.eml",
        "parts[0].size",
        "A10: RFC 2045 6.7 (3), trailing white space on a quoted-printable line is deleted, \
         which makes `=  ` a soft line break",
    ),
    (
        "40-qp-soft-breaks-bad-escapes.eml",
        "parts[0].text",
        "A10, as for the size",
    ),
    (
        "41-cte-odd-case-unknown.eml",
        "parts[1].size",
        "A11: white space around the Content-Transfer-Encoding token is not part of it \
         (RFC 5322 3.2.2), so the part is quoted-printable",
    ),
    (
        "41-cte-odd-case-unknown.eml",
        "parts[1].text",
        "A11, as for the size",
    ),
    (
        "41-cte-odd-case-unknown.eml",
        "parts[2].content_type",
        "A12: RFC 2045 6.4, an unknown transfer encoding means application/octet-stream",
    ),
    (
        "41-cte-odd-case-unknown.eml",
        "parts[2].text",
        "A12: not text, so no text",
    ),
    (
        "50-date-military-zone.eml",
        "date",
        "A14: RFC 5322 4.3, military zones are -0000 (unknown offset)",
    ),
    (
        "51-date-two-digit-year.eml",
        "date",
        "A15: RFC 5322 4.3, two-digit years 50-99 are 1950-1999",
    ),
    (
        "52-date-three-digit-year.eml",
        "date",
        "A16: RFC 5322 4.3, three-digit years are plus 1900",
    ),
    (
        "53-date-comments.eml",
        "date",
        "A17: RFC 5322 4.3, comments are allowed between the date's tokens",
    ),
    (
        "57-bare-cr.eml",
        "subject",
        "A18: only CRLF ends a line (RFC 5322 2.1); a bare CR is text (4.1 obs-utext), \
         Python reads the file with universal newlines",
    ),
    ("57-bare-cr.eml", "parts[0].size", "A18, as for the subject"),
    ("57-bare-cr.eml", "parts[0].text", "A18, as for the subject"),
];

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir("corpus"))
        .expect("tests/corpus")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Python's summaries, keyed by file name, in corpus order.
fn python(files: &[PathBuf]) -> Vec<(String, Value)> {
    let script = dir("python").join("summary.py");
    let live = Command::new("python3")
        .arg(&script)
        .arg("--with-file")
        .args(files)
        .output();
    let text = match live {
        Ok(output) if output.status.success() => String::from_utf8(output.stdout).unwrap(),
        other => {
            assert!(
                std::env::var_os("MAILWIRE_REQUIRE_PYTHON").is_none(),
                "python3 is required here but did not run: {other:?}"
            );
            eprintln!("python3 not available; using the recorded tests/python/expected.jsonl");
            std::fs::read_to_string(dir("python").join("expected.jsonl")).unwrap()
        }
    };
    text.lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).unwrap();
            let file = value
                .as_object_mut()
                .unwrap()
                .remove("file")
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned();
            (file, value)
        })
        .collect()
}

/// Python reads files with universal newlines: every CRLF and bare CR is an
/// LF before it parses. Applied to texts on both sides.
fn lf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn lf_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            b'\r' => out.push(b'\n'),
            _ => out.push(b),
        }
    }
    out
}

/// Our summary, with Python's newline convention applied: texts with LF
/// only, and the sizes of all but base64 parts counted after CRLF -> LF.
fn ours(raw: &[u8]) -> Value {
    let message = Message::parse(raw);
    let mut value = serde_json::to_value(Summary::of(&message)).unwrap();
    let leaves: Vec<_> = message.root().leaves().collect();
    let parts = value["parts"].as_array_mut().unwrap();
    assert_eq!(parts.len(), leaves.len());
    for (summary, part) in parts.iter_mut().zip(leaves) {
        if let Some(text) = summary["text"].as_str() {
            summary["text"] = Value::from(lf(text));
        }
        let encoding = part.transfer_encoding();
        if encoding != Some(TransferEncoding::Base64) {
            let body = lf_bytes(part.body());
            let size = encoding.map_or(body.len(), |e| e.decode(&body).len());
            summary["size"] = Value::from(size);
        }
    }
    value
}

/// The differing fields of two summaries, as `(field, ours, python)`.
fn differences(ours: &Value, python: &Value) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    for key in ["subject", "from", "to", "cc", "date", "message_id"] {
        if ours[key] != python[key] {
            out.push((key.to_owned(), ours[key].clone(), python[key].clone()));
        }
    }
    let (a, b) = (
        ours["parts"].as_array().unwrap(),
        python["parts"].as_array().unwrap(),
    );
    if a.len() != b.len() {
        out.push((
            "parts".to_owned(),
            ours["parts"].clone(),
            python["parts"].clone(),
        ));
        return out;
    }
    for (i, (a, b)) in a.iter().zip(b).enumerate() {
        for key in [
            "content_type",
            "charset",
            "filename",
            "disposition",
            "size",
            "text",
        ] {
            let b_value = if key == "text" {
                b[key].as_str().map_or(Value::Null, |t| Value::from(lf(t)))
            } else {
                b[key].clone()
            };
            if a[key] != b_value {
                out.push((format!("parts[{i}].{key}"), a[key].clone(), b_value));
            }
        }
    }
    out
}

#[test]
fn agrees_with_python_email_on_the_corpus() {
    let files = corpus();
    assert!(files.len() >= 50, "corpus missing");
    let reference = python(&files);
    assert_eq!(reference.len(), files.len());
    let mut unexplained = Vec::new();
    let mut seen = Vec::new();
    for (path, (name, python)) in files.iter().zip(&reference) {
        assert_eq!(&file_name(path), name);
        let raw = std::fs::read(path).unwrap();
        for (field, ours, python) in differences(&ours(&raw), python) {
            match KNOWN
                .iter()
                .find(|(f, k, _)| f == name && (*k == field || *k == "*"))
            {
                Some(known) => seen.push(*known),
                None => unexplained.push(format!(
                    "{name} {field}\n    ours:   {ours}\n    python: {python}"
                )),
            }
        }
    }
    let stale: Vec<_> = KNOWN.iter().filter(|k| !seen.contains(k)).collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "{} unexplained differences:\n{}\nlisted but not seen: {stale:?}",
        unexplained.len(),
        unexplained.join("\n")
    );
}
