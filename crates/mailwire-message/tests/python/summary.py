#!/usr/bin/env python3
"""Reference summary of e-mail messages, for differential tests.

    python3 summary.py [--with-file] FILE...

prints one JSON object per FILE, one per line (JSON Lines), in the order
given. With --with-file each object starts with a "file" key holding the
file's base name (the form of expected.jsonl). Parsing is Python's own: email.message_from_binary_file with
email.policy.default. The shape and every convention are described in
README.md beside this script; keep the two in step.
"""

import email
import email.policy
import email.utils
import json
import os
import sys


def _unescape(s):
    """Python keeps raw 8-bit header bytes as lone surrogates U+DC80..U+DCFF
    (surrogateescape), which JSON cannot carry. Turn them back into the
    bytes they stand for and decode them, one decision per value: if the
    whole value is valid UTF-8 (RFC 6532), as UTF-8; else each byte as
    windows-1252 (WHATWG). Values without such surrogates are unchanged."""
    if s is None or not any(0xDC80 <= ord(c) <= 0xDCFF for c in s):
        return s
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return "".join(
            _whatwg_windows_1252(bytes([ord(c) - 0xDC00])) if 0xDC80 <= ord(c) <= 0xDCFF else c
            for c in s)


def _defect_names(obj, out):
    for d in getattr(obj, "defects", ()) or ():
        out.append(type(d).__name__)


def _header(msg, name, defects):
    """The header object of the first field called `name`, or None.
    Python may raise while building it; that is noted and gives None."""
    try:
        return msg[name]
    except Exception as e:  # pragma: no cover - depends on input
        defects.append("summary:%s:%s" % (name.lower(), type(e).__name__))
        return None


def _addresses(msg, name, defects):
    h = _header(msg, name, defects)
    if h is None:
        return []
    try:
        addrs = h.addresses
    except Exception as e:
        defects.append("summary:%s:%s" % (name.lower(), type(e).__name__))
        return []
    _defect_names(h, defects)
    out = []
    for a in addrs:
        out.append({
            "name": _unescape(a.display_name) or None,
            "address": _unescape(a.addr_spec),
        })
    return out


def _rfc3339(dt):
    off = dt.utcoffset()
    if off is None:
        sign, hh, mm = "-", 0, 0  # RFC 5322 "-0000": no offset information
    else:
        secs = int(off.total_seconds())
        sign = "-" if secs < 0 else "+"
        secs = abs(secs)
        hh, mm = secs // 3600, (secs % 3600) // 60
    return "%04d-%02d-%02dT%02d:%02d:%02d%s%02d:%02d" % (
        dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, sign, hh, mm)


def _date(msg, defects):
    h = _header(msg, "date", defects)
    if h is None:
        return None
    _defect_names(h, defects)
    try:
        dt = h.datetime
    except Exception as e:
        defects.append("summary:date:%s" % type(e).__name__)
        return None
    return None if dt is None else _rfc3339(dt)


def _message_id(msg, defects):
    h = _header(msg, "message-id", defects)
    if h is None:
        return None
    _defect_names(h, defects)
    v = str(h).strip()
    if v.startswith("<"):
        v = v[1:]
    if v.endswith(">"):
        v = v[:-1]
    return _unescape(v)


def _subject(msg, defects):
    h = _header(msg, "subject", defects)
    if h is None:
        return None
    _defect_names(h, defects)
    return _unescape(str(h))


def _whatwg_windows_1252(data):
    # Python's cp1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined; the WHATWG
    # windows-1252 decoder maps them to U+0081 etc. Do the same.
    return "".join(
        bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
        for b in data)


def _text(part, payload, defects):
    try:
        return part.get_content()
    except LookupError:
        # Unknown charset label: UTF-8 when the bytes are valid UTF-8,
        # else windows-1252 (WHATWG).
        defects.append("summary:unknown-charset")
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return _whatwg_windows_1252(payload)


def _parts(msg, defects):
    parts = []
    for part in msg.walk():
        if part is not msg:
            _defect_names(part, defects)
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        charset = part.get_param("charset")
        if isinstance(charset, tuple):  # RFC 2231-encoded charset parameter
            charset = email.utils.collapse_rfc2231_value(charset)
        charset = charset.lower() if charset else None
        try:
            filename = part.get_filename()
        except Exception as e:
            defects.append("summary:filename:%s" % type(e).__name__)
            filename = None
        disposition = part.get_content_disposition()
        if disposition not in ("inline", "attachment"):
            disposition = None
        payload = part.get_payload(decode=True) or b""
        text = None
        if part.get_content_maintype() == "text":
            text = _text(part, payload, defects)
        parts.append({
            "content_type": ctype,
            "charset": _unescape(charset),
            "filename": _unescape(filename),
            "disposition": disposition,
            "size": len(payload),
            "text": _unescape(text),
        })
    return parts


def summarize(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    defects = []
    _defect_names(msg, defects)
    out = {}
    out["subject"] = _subject(msg, defects)
    out["from"] = _addresses(msg, "from", defects)
    out["to"] = _addresses(msg, "to", defects)
    out["cc"] = _addresses(msg, "cc", defects)
    out["date"] = _date(msg, defects)
    out["message_id"] = _message_id(msg, defects)
    out["parts"] = _parts(msg, defects)
    out["defects"] = defects
    return out


def main(argv):
    args = argv[1:]
    with_file = bool(args) and args[0] == "--with-file"
    if with_file:
        args = args[1:]
    if not args:
        print("usage: summary.py [--with-file] FILE...", file=sys.stderr)
        return 2
    for path in args:
        summary = summarize(path)
        if with_file:
            summary = {"file": os.path.basename(path), **summary}
        line = json.dumps(summary, ensure_ascii=False)
        sys.stdout.buffer.write(line.encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
