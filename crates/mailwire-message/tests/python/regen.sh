#!/bin/sh
# Regenerates expected.jsonl: the reference summary of every corpus file,
# in sorted file-name order, each line starting with a "file" key.
# Needs python3 (3.11 is what expected.jsonl was made with).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../corpus"
# shellcheck disable=SC2046
LC_ALL=C python3 "$here/summary.py" --with-file $(LC_ALL=C ls -- *.eml) > "$here/expected.jsonl"
echo "wrote $here/expected.jsonl ($(wc -l < "$here/expected.jsonl") lines)" >&2
