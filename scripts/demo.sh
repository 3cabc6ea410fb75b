#!/usr/bin/env bash
# `make demo`: builds CareHub and shows it working end to end on this machine, in about a minute
# after the first build:
#   a local mosquitto (var/demo-broker) → carehub serve (database var/carehub.sqlite, log var/hub.log)
#   → the gateway simulator plays a short day in home "demo-home", ending with a pendant press
#   → the hub stores the events, raises the pendant incident and sends the gateway its receipt
#   → the incidents and the hub's counts are printed; hub and broker are stopped.
# Every run starts afresh (the previous demo's database and broker state are removed). Everything it
# starts is stopped when it ends, however it ends.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HOME_ID="demo-home"
VAR="var"
DB="$VAR/carehub.sqlite"
HUB_LOG="$VAR/hub.log"
HUB_PIDFILE="$VAR/hub.pid"
BROKER_DIR="$VAR/demo-broker"
BIN=".build/debug/carehub"
PY=".venv/bin/python"

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
fail() {
    printf '\ndemo: %s\n' "$*" >&2
    if [ -s "$HUB_LOG" ]; then
        printf 'demo: the last lines of %s:\n' "$HUB_LOG" >&2
        tail -n 25 "$HUB_LOG" | sed 's/^/    /' >&2
    fi
    exit 1
}

HUB_PID=""
BROKER_STARTED=""

# Stops the hub with SIGTERM (SIGKILL after 10 s); prints its exit status unless asked to be quiet.
stop_hub() {
    local quiet="${1:-}" waited=0 status=0
    [ -n "$HUB_PID" ] || return 0
    if kill -0 "$HUB_PID" 2>/dev/null; then
        kill -TERM "$HUB_PID" 2>/dev/null || true
        while kill -0 "$HUB_PID" 2>/dev/null; do
            if [ "$waited" -ge 100 ]; then
                note "the hub did not stop within 10 s of SIGTERM; sending SIGKILL"
                kill -KILL "$HUB_PID" 2>/dev/null || true
                break
            fi
            sleep 0.1
            waited=$(( waited + 1 ))
        done
    fi
    wait "$HUB_PID" 2>/dev/null || status=$?
    [ -n "$quiet" ] || note "hub stopped (exit status $status)"
    HUB_PID=""
    rm -f "$HUB_PIDFILE"
    return 0
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_hub quiet
    if [ -n "$BROKER_STARTED" ]; then
        bash scripts/broker.sh stop "$BROKER_DIR" >/dev/null 2>&1 || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Checking what is installed (scripts/setup.sh)"
bash scripts/setup.sh

step "Building carehub (swift build)"
swift build
[ -x "$BIN" ] || fail "swift build finished but $BIN is missing."

step "Starting afresh: a new database and a local broker"
mkdir -p "$VAR"
# Leftovers of an interrupted run: its hub (if that pid is still a carehub) and its broker.
if [ -s "$HUB_PIDFILE" ]; then
    old="$(tr -dc '0-9' <"$HUB_PIDFILE")"
    if [ -n "$old" ] && [ "$(cat "/proc/$old/comm" 2>/dev/null)" = "carehub" ]; then
        note "stopping the hub left over from an earlier demo (pid $old)"
        kill -TERM "$old" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$old" 2>/dev/null || true
    fi
    rm -f "$HUB_PIDFILE"
fi
bash scripts/broker.sh stop "$BROKER_DIR" >/dev/null
rm -rf "$BROKER_DIR"
rm -f "$DB" "$DB-wal" "$DB-shm" "$HUB_LOG"
BROKER_STARTED=yes
bash scripts/broker.sh start "$BROKER_DIR" | sed 's/^/    /'
PORT="$(cat "$BROKER_DIR/port")"

step "Starting the hub: carehub serve --db $DB --broker mqtt://127.0.0.1:$PORT"
"$BIN" serve --db "$DB" --broker "mqtt://127.0.0.1:$PORT" >>"$HUB_LOG" 2>&1 &
HUB_PID=$!
echo "$HUB_PID" >"$HUB_PIDFILE"
note "pid $HUB_PID, log $HUB_LOG; waiting for 'online' on carehub/v1/hub/status"
deadline=$(( SECONDS + 30 ))
while :; do
    kill -0 "$HUB_PID" 2>/dev/null || { wait "$HUB_PID" 2>/dev/null || status=$?; HUB_PID=""; fail "the hub exited at start (exit status ${status:-0})."; }
    # Read the retained status afresh each time: 'offline' may stand there until the hub replaces it.
    hub_status="$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -t carehub/v1/hub/status -C 1 -W 1 2>/dev/null || true)"
    [ "$hub_status" = "online" ] && break
    [ "$SECONDS" -lt "$deadline" ] || fail "the hub did not report 'online' within 30 s."
    [ -z "$hub_status" ] || sleep 0.2
done
note "hub online"

step "Playing home '$HOME_ID' with the gateway simulator (ends with a pendant press)"
# One readable line per event sent and per receipt received, from the simulator's JSON lines.
set +e
"$PY" simulators/gateway.py --host 127.0.0.1 --port "$PORT" --home "$HOME_ID" demo 2>&1 |
    "$PY" -u -c '
import json, sys
for line in sys.stdin:
    try:
        record = json.loads(line)
    except ValueError:
        print("    " + line.rstrip(), flush=True)
        continue
    if "sent" in record:
        event = record["sent"]
        device = record["topic"].split("/")[3]
        value = " " + json.dumps(event["value"]) if "value" in event else ""
        room = " (" + event["room"] + ")" if "room" in event else ""
        copy = " (copy %d)" % record["attempt"] if record.get("attempt", 1) > 1 else ""
        print("    sent     %s%s from %s%s%s" % (event["type"], value, device, room, copy), flush=True)
    elif "receipt" in record:
        receipt = record["receipt"]
        print("    receipt  event %s stored by the hub at %s" % (receipt.get("id"), receipt.get("stored_at")), flush=True)
    else:
        print("    " + line.rstrip(), flush=True)
'
simulator_status=${PIPESTATUS[0]}
set -e
case "$simulator_status" in
    0) note "the hub stored the pendant press and sent its receipt" ;;
    3) note "the simulator got no receipt for the pendant press within 60 s" ;;
    *) note "the simulator failed (exit status $simulator_status)" ;;
esac

step "Waiting for the pendant incident"
found=""
for _ in $(seq 25); do
    if json="$("$BIN" incidents list --db "$DB" --state all --home "$HOME_ID" --kind pendant --format json 2>/dev/null)" &&
        printf '%s' "$json" | "$PY" -c 'import json, sys; sys.exit(0 if len(json.load(sys.stdin)) > 0 else 1)' 2>/dev/null; then
        found=yes
        break
    fi
    sleep 0.2
done
[ -n "$found" ] || fail "no pendant incident appeared for home '$HOME_ID' within 5 s of the simulator finishing."
[ "$simulator_status" -eq 0 ] || fail "a pendant incident was raised, but the simulator failed (exit status $simulator_status)."

step "Incidents: carehub incidents list --db $DB --state all"
"$BIN" incidents list --db "$DB" --state all --format table

step "Counts: carehub status --db $DB"
"$BIN" status --db "$DB"

step "Stopping the hub and the broker"
stop_hub
bash scripts/broker.sh stop "$BROKER_DIR" | sed 's/^/    /'
BROKER_STARTED=""

step "Done"
note "The demo's database stays in $DB (the hub's log in $HUB_LOG). Try, for example:"
note "  $BIN incidents list --db $DB --state all"
note "  $BIN incidents show <ID> --db $DB"
note "  $BIN incidents ack <ID> --by \"$(id -un)\" --note \"Called the resident\" --db $DB"
note "  $BIN events list --db $DB --limit 20"
