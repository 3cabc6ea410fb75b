#!/usr/bin/env bash
# Installs what CareHub needs to build, test and run its demo on Debian 12, and nothing else:
#   - the Debian packages below, only those that are missing (apt-get update runs only then);
#   - the Python environment .venv for the gateway simulator (scripts/python-env.sh).
# The Swift toolchain is not installed here: it is expected on PATH (or in /opt/swift/usr/bin).
#
# Idempotent and quiet when there is nothing to do: one line per action. Works from any directory.
# Installing packages needs root; without root it names the missing packages and stops.
#
#   bash scripts/setup.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# mosquitto: the broker for the demo and the tests; mosquitto-clients: mosquitto_pub/_sub for scripts;
# libmosquitto-dev and pkg-config: the hub links libmosquitto (Sources/CMosquitto, found with pkg-config);
# libsqlite3-dev: GRDB links the system SQLite; python3-venv: the simulator's virtual environment;
# libcurl4: Foundation's URLSession (webhooks) loads it at run time.
# chromium and chromium-driver: the console's browser test (http_tests/test_console_browser.py) drives them headless.
PACKAGES=(mosquitto mosquitto-clients libmosquitto-dev libsqlite3-dev python3-venv pkg-config libcurl4 chromium chromium-driver)

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

command -v dpkg-query >/dev/null 2>&1 ||
    fail "dpkg-query was not found; this script supports Debian 12 (bookworm) and its derivatives only."

missing=()
for package in "${PACKAGES[@]}"; do
    installed "$package" || missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        fail "These packages are missing and installing them needs root: ${missing[*]} (run this as root, or: sudo apt-get install -y ${missing[*]})."
    fi
    export DEBIAN_FRONTEND=noninteractive
    say "updating the package lists (apt-get update)"
    apt-get update -q >/dev/null
    say "installing ${missing[*]}"
    # -o Dpkg::Use-Pty=0 and -q keep the log readable; no recommends: only what is asked for.
    apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
    for package in "${missing[@]}"; do
        installed "$package" || fail "apt-get finished but $package is still not installed."
    done
else
    say "system packages present (${PACKAGES[*]})"
fi

# The Swift toolchain ships outside Debian; say clearly when it cannot be found rather than fail later.
if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        say "swift is not on PATH; use /opt/swift/usr/bin (the Makefile adds it by itself)"
    else
        fail "The Swift 6 toolchain was not found (neither swift on PATH nor /opt/swift/usr/bin/swift); install it first."
    fi
fi

bash "$ROOT/scripts/python-env.sh"
say "Python environment ready (.venv)"
