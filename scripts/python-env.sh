#!/usr/bin/env bash
# Creates <repo>/.venv (the Python environment for the MQTT gateway simulator
# and its tests) and installs simulators/requirements.txt into it.
#
# Idempotent and cheap to re-run: pip runs only when requirements.txt has
# changed since the last successful install (a SHA-256 stamp kept in .venv).
# Works from any directory. Set PYTHON to use another interpreter than python3.
#
#   bash scripts/python-env.sh && .venv/bin/python -m pytest -q simulators/tests
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/simulators/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PY="${PYTHON:-python3}"

if [ ! -f "$REQ" ]; then
    echo "python-env: $REQ is missing." >&2
    exit 1
fi

# Serialise concurrent runs (two CI steps, two terminals) by locking this script.
if command -v flock >/dev/null 2>&1; then
    exec 9<"${BASH_SOURCE[0]}"
    flock 9
fi

req_hash() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$REQ" | cut -d' ' -f1
    else
        "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$REQ"
    fi
}

venv_works() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c '' >/dev/null 2>&1
}

# Fast path: a working venv whose installed requirements match requirements.txt.
if venv_works && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(req_hash)" ]; then
    exit 0
fi

if ! venv_works || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    # Missing, half-made (a failed `python3 -m venv` leaves a directory behind)
    # or broken (its base interpreter is gone): make it anew.
    if ! command -v "$PY" >/dev/null 2>&1; then
        echo "python-env: $PY was not found; install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)." >&2
        exit 1
    fi
    rm -rf "$VENV"
    if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "python-env: '$PY -m venv' failed; installing python3-venv with apt-get." >&2
            export DEBIAN_FRONTEND=noninteractive
            if ! apt-get install -y -q python3-venv >/dev/null 2>&1; then
                apt-get update -q >/dev/null
                apt-get install -y -q python3-venv >/dev/null
            fi
            "$PY" -m venv "$VENV"
        else
            echo "python-env: '$PY -m venv' failed; install the python3-venv package (sudo apt-get install python3-venv) and run this script again." >&2
            exit 1
        fi
    fi
fi

echo "python-env: installing simulators/requirements.txt into .venv" >&2
rm -f "$STAMP"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install -q -r "$REQ"
req_hash >"$STAMP"
