#!/usr/bin/env python3
"""A replica of the hub's `night_visits_rising` comparison, for trying rules over many seeds in seconds instead of
rebuilding the hub for each (docs/rules.md 3.12). Not the hub: what it says about a rule is checked with the binary
(`bench/evaluate.py --trends-only --trend-seeds 100`) before the rule is taken.

It simulates, for each seed, a home without any change and one with an infection (resident.py, 42 days, onset on day 21),
counts each night's visits to the toilet as the hub does (10 min apart; 23:00–06:00, and with --morning also those after
06:00 an hour or more before the first kitchen or lounge activity), and runs the comparison on each day from day 21 on,
over the last 7 and 14 days against the up to 28 before them within the hub's 35 days. It prints, for each rule, the
infections flagged within 10 days of the onset and the homes without a change that raised a rise.

Checked against the binary: with the rule before 2026-12-05 (--ratio 1.6 --more 0.7 --least-spread 0.5, no
--baseline-error, no --morning) it gives the binary's own delays on seeds 1–16 day for day; with the rule taken it gives
68 of 100 and 4 of 100 where the binary gives 64 and 4 (its morning count differs in detail).

Usage: .venv/bin/python bench/night_visit_replica.py [--seeds N] [--ratio R] [--more M] [--z Z] [--least-spread S]
                                                     [--baseline-error] [--morning]
"""

import argparse
import datetime as dt
import json
import math
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from evaluate import trend_recording  # bench/evaluate.py: the same simulated trend homes

LONDON = ZoneInfo("Europe/London")
START = dt.date(2026, 11, 30)  # resident.py's default first day
ONSET_DAY = 21
CAPACITY = 35  # DailyHistory.capacity


def nights(path: Path, morning: bool) -> list[int]:
    """Each day's night visits (the night that ended that morning), days 0–41."""
    events = []
    for line in path.open():
        payload = json.loads(line).get("payload")
        if isinstance(payload, dict) and payload.get("type") == "motion" and payload.get("value") is True:
            at = dt.datetime.fromisoformat(payload["ts"].replace("Z", "+00:00")).astimezone(LONDON)
            events.append((at, payload.get("room")))
    events.sort()
    counts: dict[dt.date, int] = {}
    last = None
    pending: list[int] = []
    up: set[dt.date] = set()
    for at, room in events:
        minute, day = at.hour * 60 + at.minute, at.date()
        if room in ("toilet", "bathroom"):
            is_visit = last is None or (at - last).total_seconds() >= 600
            last = at
            if not is_visit:
                continue
            if minute >= 23 * 60:
                counts[day + dt.timedelta(days=1)] = counts.get(day + dt.timedelta(days=1), 0) + 1
            elif minute < 6 * 60:
                counts[day] = counts.get(day, 0) + 1
            elif morning and day not in up and minute < 14 * 60:
                pending.append(minute)
        elif room in ("kitchen", "lounge") and day not in up and minute >= 5 * 60:
            up.add(day)
            counts[day] = counts.get(day, 0) + sum(1 for visit in pending if minute - visit >= 60)
            pending = []
    return [counts.get(START + dt.timedelta(days=index), 0) for index in range(42)]


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


def rises(recent: list[int], baseline: list[int], rule: argparse.Namespace) -> bool:
    now, before = mean(recent), mean(baseline)
    variance = sum((v - before) ** 2 for v in baseline) / max(1, len(baseline) - 1)
    spread = max(math.sqrt(variance), 0.05 * before, rule.least_spread)
    error = spread * math.sqrt(1 / len(recent) + (1 / len(baseline) if rule.baseline_error else 0))
    return now >= rule.ratio * before and now - before >= rule.more and (now - before) / error >= rule.z


def first_rise(counts: list[int], rule: argparse.Namespace) -> int | None:
    for day in range(ONSET_DAY, 43):
        kept = counts[:day][-CAPACITY:]
        for period in (7, 14):
            if len(kept) >= period + 14 and rises(kept[-period:], kept[:-period][-28:], rule):
                return day
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--ratio", type=float, default=1.4)
    parser.add_argument("--more", type=float, default=0.5, help="visits a night more than the usual, at least")
    parser.add_argument("--z", type=float, default=3.0)
    parser.add_argument("--least-spread", type=float, default=0.7)
    parser.add_argument("--baseline-error", action="store_true", help="count the usual's own error (the hub does)")
    parser.add_argument("--morning", action="store_true", help="count visits after 06:00 before getting up (the hub does)")
    rule = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="night-visits-") as directory, ThreadPoolExecutor(max_workers=2) as pool:
        runs = [(scenario, seed) for scenario in ("none", "infection") for seed in range(1, rule.seeds + 1)]
        counted = dict(zip(runs, pool.map(lambda run: nights(trend_recording(Path(directory), *run, "--heartbeat-interval", "0"), rule.morning), runs)))
    raised = [seed for seed in range(1, rule.seeds + 1) if first_rise(counted[("none", seed)], rule) is not None]
    delays = [first_rise(counted[("infection", seed)], rule) for seed in range(1, rule.seeds + 1)]
    within = sum(1 for day in delays if day is not None and day - ONSET_DAY <= 10)
    print(f"infections flagged within 10 days: {within} of {rule.seeds}; not in 21 days: {delays.count(None)}")
    print(f"homes without a change raising a rise: {len(raised)} of {rule.seeds} {raised}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
