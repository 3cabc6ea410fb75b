#!/usr/bin/env python3
"""A replica of the hub's `activity_falling` comparison, for trying rules over many seeds in seconds instead of
rebuilding the hub for each (docs/rules.md 3.12). Not the hub: what it says about a rule is checked with the binary
(`bench/evaluate.py --trends-only --trend-seeds 100`) before the rule is taken.

It simulates, for each seed, a home without any change and one with a decline (resident.py, 42 days, onset on day 21:
30 % less movement, reached over 14 days), counts each local day's activity events (contract section 3) and the
minutes away (a front or back door closed with no motion elsewhere within 10 min, until the next activity), and runs the
comparison on each day from day 21 on, over the last 7 days at home against the up to 28 before them within the hub's
35 days. It prints the declines flagged within 10 days of the onset and the homes without a change that raised one.

Checked against the binary: the hub's rule (the defaults here) gives 86 of 100 within 10 days and no false decline,
where the binary gives 82 and none; on seeds 1–20 each delay is within two days of the binary's (its count of minutes
away is simpler than the hub's).

What it showed (2026-12-06, seeds 1–100): the 10 % guard decides, not the three standard errors (--z 0 changes nothing;
--guard 0 finds 92 and raises 13 false declines). Daily activity varies by about 7 % around a home's mean, but some
homes drift by a tenth over weeks without any change, which the guard is there for. Nothing tried found more declines
within 10 days without false ones: active minutes instead of events (60), logarithms (86), a median-based spread (86),
the last 14 days as well (86), the last 5 days at 12 % (85), a CUSUM over the last 14 days (93 with 14 false, 79 with 3).
At day 10 the week compared is about 14 % down, against a guard of 10 % and drifts of up to 8 %.

Usage: .venv/bin/python bench/decline_replica.py [--seeds N] [--measure events|minutes|log] [--guard G] [--z Z]
           [--robust] [--baseline-error] [--periods P ...] [--cusum [--window W] [--k K] [--h H]] [--per-seed] [--cache DIR]
"""

import argparse
import datetime as dt
import json
import math
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from evaluate import trend_recording  # bench/evaluate.py: the same simulated trend homes

LONDON = ZoneInfo("Europe/London")
START = dt.date(2026, 11, 30)  # resident.py's default first day
ONSET_DAY = 21
DAYS = 42
CAPACITY = 35  # DailyHistory.capacity
EXITS = ("front_door", "back_door")


def days_of(path: Path) -> list[dict]:
    """Each local day's activity events, active minutes, minutes away and events in each room, days 0–41."""
    events = []
    for line in path.open():
        payload = json.loads(line).get("payload")
        if not isinstance(payload, dict):
            continue
        kind, value = payload.get("type"), payload.get("value")
        at = dt.datetime.fromisoformat(payload["ts"].replace("Z", "+00:00")).astimezone(LONDON)
        events.append((at, kind, value, payload.get("room"), payload.get("id", "").rsplit("-", 1)[0]))
    events.sort(key=lambda e: e[0])
    days = [{"activity": 0, "away": 0, "minutes": set(), "rooms": {}} for _ in range(DAYS + 1)]
    last_power: dict[str, float] = {}
    away_since = None   # a confirmed departure's close
    pending_close = None  # a door closed, not yet confirmed
    for at, kind, value, room, device in events:
        index = (at.date() - START).days
        if not 0 <= index <= DAYS:
            continue
        if kind == "power":
            previous = last_power.get(device)
            last_power[device] = value
            if previous is not None and abs(value - previous) < 10:
                continue
        elif not ((kind == "motion" and value is True) or kind in ("door", "bed", "chair")):
            continue
        if pending_close is not None and (at - pending_close).total_seconds() >= 600:
            away_since, pending_close = pending_close, None
        if kind == "door" and room in EXITS:
            if away_since is not None:
                continue  # the door itself does not end an absence
            if value == "closed":
                pending_close = at
        elif kind == "motion" and pending_close is not None:
            pending_close = None
        if away_since is not None:
            spend_away(days, away_since, at)
            away_since = None
        day = days[index]
        day["activity"] += 1
        day["minutes"].add(at.hour * 60 + at.minute)
        day["rooms"][room] = day["rooms"].get(room, 0) + 1
    return days[:DAYS]


def spend_away(days: list[dict], since: dt.datetime, until: dt.datetime) -> None:
    at = since
    while at < until:
        midnight = dt.datetime.combine(at.date() + dt.timedelta(days=1), dt.time(), LONDON)
        end = min(until, midnight)
        index = (at.date() - START).days
        if 0 <= index < len(days):
            days[index]["away"] += int((end - at).total_seconds() // 60)
        at = end


def measure(day: dict, how: str) -> float:
    scale = 1440 / (1440 - min(day["away"], 720))
    if how == "events":
        return day["activity"] * scale
    if how == "minutes":
        return len(day["minutes"]) * scale
    if how == "log":
        return math.log(max(1, day["activity"] * scale))
    raise ValueError(how)


def falls(recent: list[float], baseline: list[float], rule: argparse.Namespace) -> bool:
    now, before = statistics.fmean(recent), statistics.fmean(baseline)
    if rule.measure == "log":
        ratio_ok = now - before <= math.log(1 - rule.guard)
    else:
        ratio_ok = before >= 20 and now <= (1 - rule.guard) * before
    spread = statistics.stdev(baseline)
    if rule.robust:
        spread = 1.4826 * statistics.median(abs(v - statistics.median(baseline)) for v in baseline)
    least = 0.05 if rule.measure == "log" else 0.05 * before
    spread = max(spread, least, 0.5 if rule.measure != "log" else 0)
    error = spread * math.sqrt(1 / len(recent) + (1 / len(baseline) if rule.baseline_error else 0))
    return ratio_ok and (now - before) / error <= -rule.z


def cusum_falls(recent: list[float], baseline: list[float], rule: argparse.Namespace) -> bool:
    """A one-sided CUSUM of the recent days' shortfall below the baseline, in the baseline's own standard deviations."""
    before = statistics.fmean(baseline)
    spread = max(statistics.stdev(baseline), 0.05 * before, 0.5)
    total = 0.0
    for value in recent:
        total = min(0.0, total + (value - before) / spread + rule.k)
    return before >= 20 and total <= -rule.h


def first_fall(days: list[dict], rule: argparse.Namespace) -> int | None:
    for day in range(ONSET_DAY, DAYS + 1):
        kept = [d for d in days[max(0, day - CAPACITY):day] if d["activity"] > 0]
        if not kept or kept[-1]["away"] >= 720:
            continue
        home = [measure(d, rule.measure) for d in kept if d["away"] < 720]
        if rule.cusum:
            if len(home) >= rule.window + 14 and cusum_falls(home[-rule.window:], home[:-rule.window][-28:], rule):
                return day
            continue
        for period in rule.periods:
            if len(home) >= period + 14 and falls(home[-period:], home[:-period][-28:], rule):
                return day
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--measure", choices=("events", "minutes", "log"), default="events")
    parser.add_argument("--guard", type=float, default=0.10, help="the least fall, as a fraction of the usual")
    parser.add_argument("--z", type=float, default=3.0)
    parser.add_argument("--robust", action="store_true", help="the baseline's spread from its median absolute deviation")
    parser.add_argument("--baseline-error", action="store_true")
    parser.add_argument("--periods", type=int, nargs="+", default=[7])
    parser.add_argument("--cusum", action="store_true")
    parser.add_argument("--window", type=int, default=14)
    parser.add_argument("--k", type=float, default=0.5)
    parser.add_argument("--h", type=float, default=5)
    parser.add_argument("--per-seed", action="store_true", help="print each seed's days from the onset")
    parser.add_argument("--cache", type=Path, help="a directory to keep the recordings in between runs")
    rule = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="decline-") as temporary, ThreadPoolExecutor(max_workers=2) as pool:
        directory = rule.cache or Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)

        def counted(run: tuple[str, int]) -> list[dict]:
            return days_of(trend_recording(directory, *run, "--heartbeat-interval", "0", reuse=True))

        runs = [(scenario, seed) for scenario in ("none", "decline") for seed in range(1, rule.seeds + 1)]
        days = dict(zip(runs, pool.map(counted, runs)))
    raised = [seed for seed in range(1, rule.seeds + 1) if first_fall(days[("none", seed)], rule) is not None]
    delays = [first_fall(days[("decline", seed)], rule) for seed in range(1, rule.seeds + 1)]
    within = sum(1 for day in delays if day is not None and day - ONSET_DAY <= 10)
    found = sorted(day - ONSET_DAY for day in delays if day is not None)
    print(f"declines flagged within 10 days: {within} of {rule.seeds}; not in 21 days: {delays.count(None)}; "
          f"days from onset {found}")
    if rule.per_seed:
        print(" ".join(f"{seed}:{'-' if day is None else day - ONSET_DAY}" for seed, day in enumerate(delays, 1)))
    print(f"homes without a change raising a fall: {len(raised)} of {rule.seeds} {raised}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
