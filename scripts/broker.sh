#!/usr/bin/env bash
# A mosquitto broker for local use (the demo, trying the hub by hand), on a free 127.0.0.1 port.
#
#   bash scripts/broker.sh start DIR    start one (or report the one already running from DIR)
#   bash scripts/broker.sh stop DIR     stop it (SIGTERM, then SIGKILL after 10 s)
#   bash scripts/broker.sh port DIR     print its port
#
# DIR holds everything: mosquitto.conf (rewritten on every start), mosquitto.pid, port (kept after a
# stop: the next start tries the same port first), mosquitto.log
# and the persistence file mosquitto.db, so the hub's persistent session and retained messages survive
# a broker restart. Anonymous access, loopback only: never a production configuration (see
# deploy/mosquitto/ for that).
set -euo pipefail

MOSQUITTO="${MOSQUITTO:-/usr/sbin/mosquitto}"
START_TIMEOUT=10   # seconds to wait for the port to accept connections
STOP_TIMEOUT=10    # seconds to wait for a graceful exit before SIGKILL

say() { printf 'broker: %s\n' "$*"; }
fail() { printf 'broker: %s\n' "$*" >&2; exit 1; }

usage() {
    echo "usage: bash scripts/broker.sh start|stop|port DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
action="$1"
[ -n "$2" ] || usage
DIR="$(realpath -m -- "$2")"
PIDFILE="$DIR/mosquitto.pid"
PORTFILE="$DIR/port"
CONF="$DIR/mosquitto.conf"
LOG="$DIR/mosquitto.log"

# The pid in DIR/mosquitto.pid if that process is alive and is a mosquitto; nothing otherwise.
running_pid() {
    local pid
    [ -s "$PIDFILE" ] || return 1
    pid="$(tr -dc '0-9' <"$PIDFILE")"
    [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "mosquitto" ] || return 1
    echo "$pid"
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    # Ask the kernel for a free ephemeral port; mosquitto binds it a moment later. A port taken in
    # between makes mosquitto exit, and start() then tries another one.
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
        echo $(( 20000 + RANDOM % 20000 ))
}

write_config() {
    local port="$1"
    cat >"$CONF" <<EOF
# Written by scripts/broker.sh for local use; rewritten on every start. Not for production.
listener $port 127.0.0.1
allow_anonymous true

# Run as whoever started it (root included) instead of dropping to the "mosquitto" user, which could
# not write to DIR.
user root

pid_file $PIDFILE
log_dest file $LOG
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
log_timestamp_format %Y-%m-%dT%H:%M:%S

# Keep sessions, queued and retained messages across a broker restart; save them every second
# (the default is every 30 minutes, so a killed broker would lose what it held).
persistence true
persistence_location $DIR/
autosave_interval 1

# No queue limit for a disconnected persistent client (the hub): the default 1000 drops messages.
max_queued_messages 0
max_inflight_messages 20
# Above the contract's 16 KiB so that the hub sees oversized payloads and keeps them as refused.
message_size_limit 65536
EOF
}

start() {
    local pid port attempt waited previous
    if pid="$(running_pid)"; then
        say "already running from $DIR (pid $pid, port $(cat "$PORTFILE"))"
        return 0
    fi
    [ -x "$MOSQUITTO" ] || fail "$MOSQUITTO was not found; install mosquitto (bash scripts/setup.sh does)."
    mkdir -p "$DIR"
    # Prefer the port of the last run from DIR, so that a hub started by hand can stay pointed at it.
    previous=""
    [ -f "$PORTFILE" ] && previous="$(tr -dc '0-9' <"$PORTFILE")"
    rm -f "$PIDFILE" "$PORTFILE"
    for attempt in 1 2 3 4 5; do
        if [ "$attempt" -eq 1 ] && [ -n "$previous" ] && ! port_open "$previous"; then
            port="$previous"
        else
            port="$(free_port)"
        fi
        write_config "$port"
        # -d: mosquitto detaches itself and writes the pid file. What it prints before that (its
        # warning about running as root, configuration errors) is shown only if it fails.
        if ! "$MOSQUITTO" -c "$CONF" -d 2>"$DIR/start.err"; then
            cat "$DIR/start.err" >&2
            fail "mosquitto did not start (configuration $CONF; log $LOG)."
        fi
        waited=0
        while [ "$waited" -lt $(( START_TIMEOUT * 10 )) ]; do
            if port_open "$port" && pid="$(running_pid)"; then
                echo "$port" >"$PORTFILE"
                say "mosquitto running on 127.0.0.1:$port (pid $pid, directory $DIR)"
                return 0
            fi
            # It exits by itself when the port was taken in the meantime: try another one.
            if [ "$waited" -ge 5 ] && ! running_pid >/dev/null; then
                break
            fi
            sleep 0.1
            waited=$(( waited + 1 ))
        done
        if pid="$(running_pid)"; then
            kill -KILL "$pid" 2>/dev/null || true
            rm -f "$PIDFILE"
            fail "mosquitto did not accept connections on 127.0.0.1:$port within ${START_TIMEOUT} s; see $LOG."
        fi
        say "mosquitto exited at start on port $port (attempt $attempt); trying another port"
    done
    { cat "$DIR/start.err"; tail -n 5 "$LOG"; } >&2 2>/dev/null || true
    fail "mosquitto would not start; see $LOG."
}

stop() {
    local pid waited
    # DIR/port is kept: the next start tries the same port first.
    if ! pid="$(running_pid)"; then
        rm -f "$PIDFILE"
        say "no broker running from $DIR"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    waited=0
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge $(( STOP_TIMEOUT * 10 )) ]; then
            say "mosquitto (pid $pid) still running after ${STOP_TIMEOUT} s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done
    rm -f "$PIDFILE"
    say "mosquitto stopped (pid $pid)"
}

case "$action" in
    start) start ;;
    stop) stop ;;
    port)
        running_pid >/dev/null || fail "no broker running from $DIR."
        cat "$PORTFILE"
        ;;
    *) usage ;;
esac
