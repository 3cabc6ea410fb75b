#!/usr/bin/env python3
"""`make bench`: every CareHub benchmark, each against a baseline measured in the same run, written as one
Markdown table to bench/results/bench-<date>.md (machine, date, command).

  1. durable ingest of a 100,000-event backlog (synchronous full and normal) vs mosquitto_sub draining it
  2. pendant -> alert latency with 1,000 background events/s vs a subscriber seeing the pendant
  3. rules replay of 100 homes x 30 days from resident.py vs reading and decoding the file only
  4. rule-state memory per home at 10,000 and 100,000 homes (RSS growth over the engine without homes)
  5. `incidents list` and `events list --home` on 10 M events and 100,000 incidents vs sqlite3 counting rows
  6. hub start-up and recovery with 100,000 homes (subscribed; rule state and timers loaded)

Usage: .venv/bin/python bench/run_bench.py [--quick]   (--quick: smaller sizes, for trying the script)
"""

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import ingest_bench  # noqa: E402

CAREHUB = str(ROOT / ".build/release/carehub")
BENCH = str(ROOT / ".build/release/carehub-bench")


def timed(command: list[str], runs: int = 5) -> float:
    """Median wall time in ms of `command` over `runs` runs (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rules_replay(workdir: Path, homes: int, days: int) -> dict:
    path = workdir / "residents.jsonl"
    subprocess.run([sys.executable, str(ROOT / "simulators/resident.py"), "--homes", str(homes), "--days", str(days), "--seed", "7",
                    "--output", str(path), "--quiet"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result = json.loads(subprocess.run([BENCH, "replay", str(path)], check=True, capture_output=True, text=True).stdout)
    path.unlink()
    return result


def memory(homes: int) -> dict:
    return json.loads(subprocess.run([BENCH, "memory", str(homes)], check=True, capture_output=True, text=True).stdout)


def queries(workdir: Path, homes: int, events: int, incidents: int) -> dict:
    db = workdir / "big.sqlite"
    subprocess.run([BENCH, "make-db", str(db), str(homes), str(events), str(incidents)], check=True, stdout=subprocess.DEVNULL)
    result = {
        "baseline_ms": timed(["sqlite3", str(db), "SELECT COUNT(*) FROM events"]),
        "incidents_list_ms": timed([CAREHUB, "incidents", "list", "--db", str(db), "--format", "json"]),
        "events_list_ms": timed([CAREHUB, "events", "list", "--home", "home-4242", "--db", str(db), "--format", "json"]),
        "startup": startup(workdir, db),
    }
    db.unlink()
    return result


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    arguments = parser.parse_args()
    quick = arguments.quick
    sizes = {
        "events": 10_000 if quick else 100_000, "samples": 50 if quick else 400,
        "replay_homes": 5 if quick else 100, "replay_days": 3 if quick else 30,
        "big_homes": 1_000 if quick else 100_000, "big_events": 100_000 if quick else 10_000_000, "big_incidents": 1_000 if quick else 100_000,
    }
    with tempfile.TemporaryDirectory(prefix="carehub-bench-") as directory:
        workdir = Path(directory)
        print("1-2/6 ingest and latency …", flush=True)
        ingest = ingest_bench.ingest(CAREHUB, sizes["events"], workdir)
        latency = ingest_bench.latency(CAREHUB, workdir, sizes["samples"], 1000)
        print("3/6 rules replay …", flush=True)
        replay = rules_replay(workdir, sizes["replay_homes"], sizes["replay_days"])
        print("4/6 rule-state memory …", flush=True)
        memory_10k, memory_100k = memory(10_000), memory(100_000)
        print("5-6/6 queries and start-up on a large database …", flush=True)
        large = queries(workdir, sizes["big_homes"], sizes["big_events"], sizes["big_incidents"])

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    full, normal, mapped = ingest[0], ingest[1], ingest[2]
    b, h = latency["baseline"], latency["hub"]
    rules_rate = replay["decode_and_rules_per_s"]
    rows = [
        ("durable ingest, synchronous=full", f"mosquitto_sub {full['baseline']:,.0f}/s", f"{full['hub']:,.0f}/s",
         f"ratio {full['ratio']:.2f}", "≥ 0.5", verdict(full["ratio"] >= 0.5)),
        ("durable ingest, synchronous=normal", f"mosquitto_sub {normal['baseline']:,.0f}/s", f"{normal['hub']:,.0f}/s",
         f"ratio {normal['ratio']:.2f}", "≥ 0.5", verdict(normal["ratio"] >= 0.5)),
        ("durable ingest of Zigbee2MQTT messages through the shipped mapping, synchronous=full", f"mosquitto_sub {mapped['baseline']:,.0f}/s",
         f"{mapped['hub']:,.0f}/s", f"ratio {mapped['ratio']:.2f}; {mapped['hub'] / full['hub']:.2f} × contract events", "≥ 0.5",
         verdict(mapped["ratio"] >= 0.5)),
        ("pendant → alert, p50 / p99 / max", f"{b['p50']:.2f} / {b['p99']:.2f} / {b['max']:.2f} ms",
         f"{h['p50']:.2f} / {h['p99']:.2f} / {h['max']:.2f} ms", f"p99 +{h['p99'] - b['p99']:.2f} ms", "p99 ≤ +10 ms",
         verdict(h["p99"] - b["p99"] <= 10)),
        (f"rules replay, {sizes['replay_homes']} homes × {sizes['replay_days']} days ({replay['events']:,} events)",
         f"read + decode {replay['baseline_read_decode_per_s']:,}/s; decode alone {replay['decode_only_per_s']:,}/s",
         f"decode + rules {rules_rate:,}/s; read + decode + rules {replay['read_decode_rules_per_s']:,}/s",
         f"ratio {replay['ratio']:.2f}", "≥ 500,000 decoded events/s through the rules", verdict(rules_rate >= 500_000)),
        ("rule state per home at 10,000 homes", "RSS before the homes", f"{memory_10k['bytes_per_home']} bytes",
         f"{memory_10k['rss_growth_bytes'] / 1e6:.1f} MB for 10,000", "≤ 2 KB", verdict(int(memory_10k["bytes_per_home"]) <= 2048)),
        ("rule state per home at 100,000 homes", "RSS before the homes", f"{memory_100k['bytes_per_home']} bytes",
         f"{memory_100k['rss_growth_bytes'] / 1e6:.1f} MB for 100,000", "≤ 2 KB", verdict(int(memory_100k["bytes_per_home"]) <= 2048)),
        (f"`incidents list`, {sizes['big_events']:,} events, {sizes['big_incidents']:,} incidents", f"sqlite3 COUNT(*) {large['baseline_ms']:.0f} ms",
         f"{large['incidents_list_ms']:.0f} ms", "median of 5 runs, whole process", "≤ 100 ms", verdict(large["incidents_list_ms"] <= 100)),
        ("`events list --home`, same database", f"sqlite3 COUNT(*) {large['baseline_ms']:.0f} ms", f"{large['events_list_ms']:.0f} ms",
         "median of 5 runs, whole process", "≤ 100 ms", verdict(large["events_list_ms"] <= 100)),
        (f"start-up with {sizes['big_homes']:,} homes", "—",
         f"subscribed {large['startup'].get('ready_s', float('nan')):.2f} s; rule state and timers loaded {large['startup'].get('rules_loaded_s', float('nan')):.2f} s; "
         f"SIGTERM exit {large['startup'].get('sigterm_exit_s', float('nan')):.2f} s",
         "", "≤ 5 s to ready", verdict(large["startup"].get("rules_loaded_s", 99) <= 5)),
    ]
    now = dt.datetime.now(dt.timezone.utc)
    lines = [
        f"# CareHub benchmarks, {now:%Y-%m-%d %H:%M} UTC", "",
        f"- machine: {ingest_bench.machine()}",
        f"- command: `make bench` (`.venv/bin/python bench/run_bench.py{' --quick' if quick else ''}`), release build", "",
        "| measurement | baseline in the same run | carehub | comparison | goal | |", "|---|---|---|---|---|---|",
    ] + ["| " + " | ".join(row) + " |" for row in rows] + [""]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench/results" / f"bench-{now:%Y-%m-%d}{'-quick' if quick else ''}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
