#!/usr/bin/env bash
# SMTP server throughput under Postfix's load generator, beside Postfix's own
# smtp-sink on the same load, on 127.0.0.1.
#
#   benches/smtp_sink_compare.sh [COMMAND [ARG...]]
#
# 1. Starts `smtp-sink` on a free 127.0.0.1 port and times
#      smtp-source -s SESSIONS -l SIZE -m MESSAGES -c 127.0.0.1:PORT
#    against it (messages per second).
# 2. If COMMAND is given, starts it on another free port (every `@PORT@` in
#    its arguments becomes that port; it is also in $MAILWIRE_BENCH_PORT),
#    waits until it listens, runs the same load against it, stops it.
# 3. Prints both figures side by side.
#
# Example, once the server example lands:
#   cargo build --release --example smtp_server
#   benches/smtp_sink_compare.sh target/release/examples/smtp_server \
#       --sink --listen 127.0.0.1:@PORT@
#
# Environment: MESSAGES (default 20000), SESSIONS (20), SIZE (1024 bytes of
# payload per message). Needs postfix's smtp-sink and smtp-source (`.ci/run`
# installs them) and python3 (to find a free port).
set -euo pipefail

MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-1024}
PATH="$PATH:/usr/sbin:/sbin"

for tool in smtp-sink smtp-source python3; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (postfix / python3 missing?)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listening PORT PID LOG: until 127.0.0.1:PORT accepts, or fail if PID
# exits or 10 s pass.
wait_listening() {
    local port=$1 pid=$2 log=$3 i
    for ((i = 0; i < 200; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$0: the server exited before listening on $port:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.05
    done
    echo "$0: nothing listens on 127.0.0.1:$port after 10 s:" >&2
    cat "$log" >&2
    exit 1
}

# load PORT: runs smtp-source against 127.0.0.1:PORT, prints "MESSAGES SECONDS".
load() {
    local port=$1 t0 t1 out sent
    t0=$(date +%s.%N)
    if ! out=$(smtp-source -s "$SESSIONS" -l "$SIZE" -m "$MESSAGES" -c "127.0.0.1:$port" 2>&1); then
        echo "$0: smtp-source failed against port $port:" >&2
        echo "$out" >&2
        exit 1
    fi
    t1=$(date +%s.%N)
    # -c prints a running count of completed DATA commands, \r-separated.
    sent=$(printf '%s' "$out" | tr '\r' '\n' | grep -E '^[0-9]+$' | tail -n 1 || true)
    if [ "${sent:-0}" != "$MESSAGES" ]; then
        echo "$0: smtp-source completed ${sent:-0} of $MESSAGES messages against port $port:" >&2
        echo "$out" >&2
        exit 1
    fi
    awk -v n="$sent" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d %.3f\n", n, b - a }'
}

row() { # NAME MESSAGES SECONDS
    awk -v name="$1" -v n="$2" -v s="$3" 'BEGIN { printf "%-40s %9d %9.3f %10.0f msg/s\n", name, n, s, n / s }'
}

# 1. Postfix smtp-sink. It must not stay root without -u; -4: IPv4 only.
sink_user=()
[ "$(id -u)" = 0 ] && sink_user=(-u root)
sink_port=$(free_port)
smtp-sink "${sink_user[@]}" -4 "127.0.0.1:$sink_port" 256 >"$work/sink.log" 2>&1 &
pids+=("$!")
wait_listening "$sink_port" "$!" "$work/sink.log"
read -r sink_n sink_s < <(load "$sink_port")
version=$(postconf -d -h mail_version 2>/dev/null || echo "?")

# 2. The other server, if any.
if [ "$#" -gt 0 ]; then
    other_port=$(free_port)
    args=()
    for arg in "$@"; do args+=("${arg//@PORT@/$other_port}"); done
    MAILWIRE_BENCH_PORT=$other_port "${args[@]}" >"$work/other.log" 2>&1 &
    pids+=("$!")
    wait_listening "$other_port" "$!" "$work/other.log"
    read -r other_n other_s < <(load "$other_port")
fi

echo "smtp-source -s $SESSIONS -l $SIZE -m $MESSAGES on 127.0.0.1 ($(nproc) cores)"
printf '%-40s %9s %9s %16s\n' server messages seconds rate
row "smtp-sink (Postfix $version)" "$sink_n" "$sink_s"
if [ "$#" -gt 0 ]; then
    name="$(basename "${args[0]}")${2:+ ${args[*]:1}}"
    [ "${#name}" -gt 40 ] && name="${name:0:37}..."
    row "$name" "$other_n" "$other_s"
fi
