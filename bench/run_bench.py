#!/usr/bin/env python3
"""`make bench`: every CareHub benchmark, each against a baseline measured in the same run, written as one
Markdown table to bench/results/bench-<date>.md (machine, date, command).

  1. durable ingest of a 100,000-event backlog (synchronous full and normal) vs mosquitto_sub draining it
  2. pendant -> alert latency with 1,000 background events/s vs a subscriber seeing the pendant
  3. rules replay of 100 homes x 30 days from resident.py vs reading and decoding the file only
  3b. persisted replay (`carehub replay --db`) of the first 1,000,000 of those lines vs the in-memory replay of them
  4. rule-state memory per home at 10,000 and 100,000 homes (RSS growth over the engine without homes), the fixed rules
     alone and with a learned routine
  5. `incidents list` and `events list --home` on 10 M events and 100,000 incidents vs sqlite3 counting rows; on the same
     database, the console's queue page and `GET /api/v1/incidents` from a running `carehub serve --http` vs `GET /healthz`
  6. hub start-up and recovery with 100,000 homes (subscribed; rule state and timers loaded)
  7. a new emergency on the open console: publish -> its row on the queue page in headless Chromium, 100 presses in
     100 homes, vs a plain subscriber seeing each press (bench/console_bench.py)

Usage: .venv/bin/python bench/run_bench.py [--quick] [--only SECTIONS]
  --quick: smaller sizes, for trying the script
  --only: a comma-separated choice of ingest, latency, replay, replay-db, memory, queries, console (default: all); the table
          then has only their rows and is written as bench-<date>-<sections>.md
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import console_bench  # noqa: E402
import ingest_bench  # noqa: E402

# CAREHUB_BENCH_BUILD=debug tries the script against a debug build; the table's numbers are release builds'.
BUILD = os.environ.get("CAREHUB_BENCH_BUILD", "release")
CAREHUB = str(ROOT / f".build/{BUILD}/carehub")
BENCH = str(ROOT / f".build/{BUILD}/carehub-bench")


def timed(command: list[str], runs: int = 5) -> float:
    """Median wall time in ms of `command` over `runs` runs (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def resident_file(workdir: Path, homes: int, days: int) -> Path:
    path = workdir / "residents.jsonl"
    subprocess.run([sys.executable, str(ROOT / "simulators/resident.py"), "--homes", str(homes), "--days", str(days), "--seed", "7",
                    "--output", str(path), "--quiet"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def rules_replay(path: Path) -> dict:
    return json.loads(subprocess.run([BENCH, "replay", str(path)], check=True, capture_output=True, text=True).stdout)


def persisted_replay(path: Path, lines: int) -> dict:
    """The first `lines` lines, copied to a file of their own so that the bench need not read the whole recording again."""
    head = path.with_name("residents-head.jsonl")
    with path.open("rb") as source, head.open("wb") as sink:
        for _, line in zip(range(lines), source):
            sink.write(line)
    result = json.loads(subprocess.run([BENCH, "replay-db", str(head)], check=True, capture_output=True, text=True).stdout)
    head.unlink()
    return result


def memory(homes: int, mode: str = "fixed") -> dict:
    return json.loads(subprocess.run([BENCH, "memory", str(homes), mode], check=True, capture_output=True, text=True).stdout)


def queries(workdir: Path, homes: int, events: int, incidents: int) -> dict:
    db = workdir / "big.sqlite"
    subprocess.run([BENCH, "make-db", str(db), str(homes), str(events), str(incidents)], check=True, stdout=subprocess.DEVNULL)
    result = {
        "baseline_ms": timed(["sqlite3", str(db), "SELECT COUNT(*) FROM events"]),
        "incidents_list_ms": timed([CAREHUB, "incidents", "list", "--db", str(db), "--format", "json"]),
        "events_list_ms": timed([CAREHUB, "events", "list", "--home", "home-4242", "--db", str(db), "--format", "json"]),
        "startup": startup(workdir, db),
        "http": http_pages(workdir, db),
    }
    db.unlink()
    return result


def http_pages(workdir: Path, db: Path, runs: int = 5) -> dict:
    """Median ms over `runs` requests (after one to warm up) from a running `carehub serve --http`: the console's queue
    page and the API's first page of incidents, against `GET /healthz` (a round trip that reads nothing)."""
    password = workdir / "bench.pw"
    password.write_text("bench password\n")
    subprocess.run([CAREHUB, "users", "add", "Bench Reader", "--role", "carer", "--password-file", str(password), "--db", str(db)],
                   check=True, capture_output=True)
    token = subprocess.run([CAREHUB, "users", "token", "Bench Reader", "--db", str(db)], check=True, capture_output=True,
                           text=True).stdout.strip()
    broker = ingest_bench.Broker(workdir)
    port = ingest_bench.free_port()
    hub = subprocess.Popen([CAREHUB, "serve", "--db", str(db), "--broker", f"mqtt://127.0.0.1:{broker.port}", "--http", str(port),
                            "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ingest_bench.wait_for_port(port, timeout=120)
        # Timed once the hub is ready (its rule state loaded): loading 100,000 homes keeps both cores busy for seconds.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.2)

        def median_ms(path: str) -> tuple[float, int]:
            times, size = [], 0
            for attempt in range(runs + 1):
                request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
                start = time.perf_counter()
                with urllib.request.urlopen(request, timeout=60) as response:
                    size = len(response.read())
                if attempt:
                    times.append((time.perf_counter() - start) * 1000)
            return statistics.median(times), size

        healthz, _ = median_ms("/healthz")
        queue, queue_bytes = median_ms("/")
        api, _ = median_ms("/api/v1/incidents")
        return {"healthz_ms": healthz, "queue_ms": queue, "queue_bytes": queue_bytes, "api_ms": api}
    finally:
        hub.terminate()
        hub.wait(timeout=10)
        broker.stop()


def startup(workdir: Path, db: Path) -> dict:
    """Seconds from launch to subscribed, and to rule state and timers loaded; then SIGTERM must end it in 5 s."""
    broker = ingest_bench.Broker(workdir)
    try:
        start = time.perf_counter()
        log = workdir / "startup.log"
        with log.open("w") as sink:
            hub = subprocess.Popen([CAREHUB, "serve", "--db", str(db), "--broker", f"mqtt://127.0.0.1:{broker.port}"], stderr=sink)
            marks: dict[str, float] = {}
            while len(marks) < 2 and time.perf_counter() - start < 120:
                text = log.read_text()
                if "CareHub ready" in text:
                    marks.setdefault("ready_s", time.perf_counter() - start)
                if "Rules running" in text:
                    marks.setdefault("rules_loaded_s", time.perf_counter() - start)
                time.sleep(0.01)
            stop = time.perf_counter()
            hub.terminate()
            try:
                hub.wait(timeout=10)
                marks["sigterm_exit_s"] = time.perf_counter() - stop
            except subprocess.TimeoutExpired:
                hub.kill()
                hub.wait()
                marks["sigterm_exit_s"] = float("inf")
        return marks
    finally:
        broker.stop()


SECTIONS = ["ingest", "latency", "replay", "replay-db", "memory", "queries", "console"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS))
    arguments = parser.parse_args()
    quick = arguments.quick
    only = [name for name in arguments.only.split(",") if name]
    unknown = [name for name in only if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    sizes = {
        "events": 10_000 if quick else 100_000, "samples": 50 if quick else 400,
        "replay_homes": 5 if quick else 100, "replay_days": 3 if quick else 30, "replay_db_lines": 100_000 if quick else 1_000_000,
        "big_homes": 1_000 if quick else 100_000, "big_events": 100_000 if quick else 10_000_000, "big_incidents": 1_000 if quick else 100_000,
        "presses": 10 if quick else 100,
    }
    with tempfile.TemporaryDirectory(prefix="carehub-bench-") as directory:
        workdir = Path(directory)
        if "ingest" in only:
            print("ingest …", flush=True)
            ingest = ingest_bench.ingest(CAREHUB, sizes["events"], workdir)
        if "latency" in only:
            print("latency …", flush=True)
            latency = ingest_bench.latency(CAREHUB, workdir, sizes["samples"], 1000)
        if "replay" in only or "replay-db" in only:
            print("rules replay …", flush=True)
            residents = resident_file(workdir, sizes["replay_homes"], sizes["replay_days"])
            if "replay" in only:
                replay = rules_replay(residents)
            if "replay-db" in only:
                stored = persisted_replay(residents, sizes["replay_db_lines"])
            residents.unlink()
        if "memory" in only:
            print("rule-state memory …", flush=True)
            memory_10k, memory_100k = memory(10_000), memory(100_000)
            learned_100k = memory(100_000, "learned")
        if "queries" in only:
            print("queries and start-up on a large database …", flush=True)
            large = queries(workdir, sizes["big_homes"], sizes["big_events"], sizes["big_incidents"])
        if "console" in only:
            print("console: new emergencies in headless Chromium …", flush=True)
            console = console_bench.measure(CAREHUB, workdir, sizes["presses"], 0.3)

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    rows = []
    if "ingest" in only:
        full, normal, mapped = ingest[0], ingest[1], ingest[2]
        rows += [
            ("durable ingest, synchronous=full", f"mosquitto_sub {full['baseline']:,.0f}/s", f"{full['hub']:,.0f}/s",
             f"ratio {full['ratio']:.2f}", "≥ 0.5", verdict(full["ratio"] >= 0.5)),
            ("durable ingest, synchronous=normal", f"mosquitto_sub {normal['baseline']:,.0f}/s", f"{normal['hub']:,.0f}/s",
             f"ratio {normal['ratio']:.2f}", "≥ 0.5", verdict(normal["ratio"] >= 0.5)),
            ("durable ingest of Zigbee2MQTT messages through the shipped mapping, synchronous=full", f"mosquitto_sub {mapped['baseline']:,.0f}/s",
             f"{mapped['hub']:,.0f}/s", f"ratio {mapped['ratio']:.2f}; {mapped['hub'] / full['hub']:.2f} × contract events", "≥ 0.5",
             verdict(mapped["ratio"] >= 0.5)),
        ]
    if "latency" in only:
        b, h = latency["baseline"], latency["hub"]
        rows.append(("pendant → alert, p50 / p99 / max", f"{b['p50']:.2f} / {b['p99']:.2f} / {b['max']:.2f} ms",
                     f"{h['p50']:.2f} / {h['p99']:.2f} / {h['max']:.2f} ms", f"p99 +{h['p99'] - b['p99']:.2f} ms", "p99 ≤ +10 ms",
                     verdict(h["p99"] - b["p99"] <= 10)))
    if "replay" in only:
        rules_rate = replay["decode_and_rules_per_s"]
        rows.append((f"rules replay in memory, {sizes['replay_homes']} homes × {sizes['replay_days']} days ({replay['events']:,} events)",
                     f"read + decode {replay['baseline_read_decode_per_s']:,}/s; decode alone {replay['decode_only_per_s']:,}/s",
                     f"decode + rules {rules_rate:,}/s ({replay['decode_and_rules_per_cpu_s']:,} per CPU second; decode alone "
                     f"{replay['decode_only_per_cpu_s']:,}); read + decode + rules {replay['read_decode_rules_per_s']:,}/s",
                     f"ratio {replay['ratio']:.2f}", "≥ 500,000 decoded events/s through the rules", verdict(rules_rate >= 500_000)))
    if "replay-db" in only:
        rows.append((f"rules replay persisted (`carehub replay --db`), the first {stored['lines']:,} of those lines",
                     f"the same lines in memory {stored['in_memory_per_s']:,}/s", f"{stored['persisted_per_s']:,}/s "
                     f"({stored['persisted_per_cpu_s']:,} per CPU second; in memory {stored['in_memory_per_cpu_s']:,})",
                     f"ratio {stored['ratio']:.2f}; {stored['incidents']} incidents (in memory {stored['incidents_in_memory']})",
                     "≥ 100,000 events/s", verdict(stored["persisted_per_s"] >= 100_000)))
    if "memory" in only:
        rows += [
            ("rule state per home at 10,000 homes", "RSS before the homes", f"{memory_10k['bytes_per_home']} bytes",
             f"{memory_10k['rss_growth_bytes'] / 1e6:.1f} MB for 10,000", "≤ 2 KB", verdict(int(memory_10k["bytes_per_home"]) <= 2048)),
            ("rule state per home at 100,000 homes", "RSS before the homes", f"{memory_100k['bytes_per_home']} bytes",
             f"{memory_100k['rss_growth_bytes'] / 1e6:.1f} MB for 100,000", "≤ 2 KB", verdict(int(memory_100k["bytes_per_home"]) <= 2048)),
            ("learned routine per home at 100,000 homes (beyond the fixed rules' state)", "the fixed rules' state in the same run",
             f"{int(learned_100k['bytes_per_home']) - int(memory_100k['bytes_per_home'])} bytes",
             f"{learned_100k['bytes_per_home']} bytes a home with it; {learned_100k['routine_count_bytes']} bytes of counts", "≤ 4 KB",
             verdict(int(learned_100k["bytes_per_home"]) - int(memory_100k["bytes_per_home"]) <= 4096)),
        ]
    if "queries" in only:
        rows += [
            (f"`incidents list`, {sizes['big_events']:,} events, {sizes['big_incidents']:,} incidents", f"sqlite3 COUNT(*) {large['baseline_ms']:.0f} ms",
             f"{large['incidents_list_ms']:.0f} ms", "median of 5 runs, whole process", "≤ 100 ms", verdict(large["incidents_list_ms"] <= 100)),
            ("`events list --home`, same database", f"sqlite3 COUNT(*) {large['baseline_ms']:.0f} ms", f"{large['events_list_ms']:.0f} ms",
             "median of 5 runs, whole process", "≤ 100 ms", verdict(large["events_list_ms"] <= 100)),
            ("console queue page (`GET /`, every open incident), same database", f"`GET /healthz` {large['http']['healthz_ms']:.1f} ms",
             f"{large['http']['queue_ms']:.1f} ms ({large['http']['queue_bytes'] / 1e6:.2f} MB)", "median of 5 requests, loopback, hub running",
             "≤ 100 ms", verdict(large["http"]["queue_ms"] <= 100)),
            ("`GET /api/v1/incidents` (first page of 100), same database", f"`GET /healthz` {large['http']['healthz_ms']:.1f} ms",
             f"{large['http']['api_ms']:.1f} ms", "median of 5 requests, loopback, hub running", "≤ 100 ms",
             verdict(large["http"]["api_ms"] <= 100)),
            (f"start-up with {sizes['big_homes']:,} homes", "—",
             f"subscribed {large['startup'].get('ready_s', float('nan')):.2f} s; rule state and timers loaded {large['startup'].get('rules_loaded_s', float('nan')):.2f} s; "
             f"SIGTERM exit {large['startup'].get('sigterm_exit_s', float('nan')):.2f} s",
             "", "≤ 5 s to ready", verdict(large["startup"].get("rules_loaded_s", 99) <= 5)),
        ]
    if "console" in only:
        seen_all = console["seen"] == console["presses"]
        rows.append((f"new emergency on the open console (queue page, headless Chromium), {console['presses']} presses in as many homes, "
                     f"{console['gap_s']} s apart, p50 / p99 / max",
                     f"subscriber {console['baseline_p50_s'] * 1000:.1f} / {console['baseline_p99_s'] * 1000:.1f} ms",
                     f"{console['console_p50_s'] * 1000:.0f} / {console['console_p99_s'] * 1000:.0f} / {console['console_max_s'] * 1000:.0f} ms",
                     f"{console['seen']} of {console['presses']} rows appeared", "p99 ≤ 1 s, every one seen",
                     verdict(seen_all and console["console_p99_s"] <= 1.0)))
    selected_all = set(only) == set(SECTIONS)
    now = dt.datetime.now(dt.timezone.utc)
    lines = [
        f"# CareHub benchmarks, {now:%Y-%m-%d %H:%M} UTC", "",
        f"- machine: {ingest_bench.machine()}",
        f"- command: `make bench` (`.venv/bin/python bench/run_bench.py{' --quick' if quick else ''}{'' if selected_all else ' --only ' + ','.join(only)}`), release build", "",
        "| measurement | baseline in the same run | carehub | comparison | goal | |", "|---|---|---|---|---|---|",
    ] + ["| " + " | ".join(row) + " |" for row in rows] + [""]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench/results" / f"bench-{now:%Y-%m-%d}{'-quick' if quick else ''}{'' if selected_all else '-' + '-'.join(only)}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
