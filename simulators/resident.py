#!/usr/bin/env python3
"""CareHub resident simulator: days in the life of older people living alone, as gateway traffic.

Every home has one resident with a daily routine drawn from a per-home profile (wake and bed
times, night toilet visits, meals with the kettle and the fridge, television in the evening,
outings through the front door), and a fixed set of devices that also send temperatures,
heartbeats and battery reports. Scenarios (a fall, not getting up, a long stay in the bathroom,
a night exit, a cold home, a pendant press, a dead device, an offline gateway, duplicated, late
and malformed messages) can be injected at chosen times, and so can slow changes of routine that
begin on a day and grow over days (an infection's night toilet visits, a decline in activity,
rising later).

Output: a replay file (contract section 5, ``--output FILE.jsonl``, sorted by ``at``), or live
MQTT publishing scaled by ``--speed`` (``--mqtt``). ``--dialect z2m`` speaks Zigbee2MQTT instead
of the contract topics. The same arguments and ``--seed`` give the same bytes.

Run ``resident.py --help`` for the options; simulators/README.md has examples.
"""

from __future__ import annotations

import argparse
import bisect
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from operator import itemgetter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from carehub_sim.contract import check_name, encode  # noqa: E402
from carehub_sim.replay import Record, ReplayWriter, open_output, raw_payload  # noqa: E402
from carehub_sim.timeutil import (  # noqa: E402
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    SUFFIX,
    LocalClock,
    Rfc3339,
    minute_prefix,
    parse_clock,
    parse_local_datetime,
    zone,
)

SEC = 1000
MIN = MINUTE_MS

ROOMS = ("bedroom", "bathroom", "toilet", "kitchen", "lounge", "hall")
ROOM_INDEX = {r: i for i, r in enumerate(ROOMS)}


@dataclass(frozen=True)
class Device:
    name: str
    kind: str  # pir door bed pendant fall temp plug
    room: str | None
    mains: bool = False


DEVICES: tuple[Device, ...] = (
    Device("pir-bedroom", "pir", "bedroom"),
    Device("pir-bathroom", "pir", "bathroom"),
    Device("pir-toilet", "pir", "toilet"),
    Device("pir-kitchen", "pir", "kitchen"),
    Device("pir-lounge", "pir", "lounge"),
    Device("pir-hall", "pir", "hall"),
    Device("door-front", "door", "front_door"),
    Device("door-back", "door", "back_door"),
    Device("fridge-door", "door", "fridge"),
    Device("bed-1", "bed", "bedroom"),
    Device("pendant-1", "pendant", None),  # worn: no fixed room
    Device("fall-1", "fall", None),  # worn fall detector
    Device("temp-lounge", "temp", "lounge"),
    Device("temp-bedroom", "temp", "bedroom"),
    Device("temp-kitchen", "temp", "kitchen"),
    Device("temp-bathroom", "temp", "bathroom"),
    Device("plug-kettle", "plug", "kitchen", mains=True),
    Device("plug-tv", "plug", "lounge", mains=True),
)
DEV = {d.name: i for i, d in enumerate(DEVICES)}
PIR_OF_ROOM = [DEV[f"pir-{r}"] for r in ROOMS]
D_DOOR_FRONT, D_DOOR_BACK, D_FRIDGE = DEV["door-front"], DEV["door-back"], DEV["fridge-door"]
D_BED, D_PENDANT, D_FALL = DEV["bed-1"], DEV["pendant-1"], DEV["fall-1"]
D_KETTLE, D_TV = DEV["plug-kettle"], DEV["plug-tv"]
TEMP_DEVICES = [i for i, d in enumerate(DEVICES) if d.kind == "temp"]
BATTERY_DEVICES = [i for i, d in enumerate(DEVICES) if not d.mains]

# Base temperature per room (°C) before the daily curve.
ROOM_TEMP = {"lounge": 20.4, "bedroom": 19.8, "kitchen": 20.1, "bathroom": 20.6}

ROOM_FIELDS = [f',"room":"{d.room}"' if d.room else "" for d in DEVICES]
VALUE_TEXT = {
    True: ',"value":true', False: ',"value":false', "open": ',"value":"open"', "closed": ',"value":"closed"',
    "occupied": ',"value":"occupied"', "empty": ',"value":"empty"',
}

BED_KINDS = ("sleep", "inbed")
AWAY_KINDS = ("out", "garden")

SCENARIOS = (
    "fall", "not-up", "long-bathroom", "night-exit", "cold-home", "pendant", "device-dies",
    "gateway-offline", "duplicates", "late", "malformed", "infection", "decline", "later",
)
# Slow changes: they begin on their day and reach their full size over ONSET_DAYS days.
ONSET_DAYS = {"infection": 7, "decline": 14, "later": 7}
# Default local clock time (ms after midnight) and parameter of each scenario.
SCENARIO_DEFAULT_CLOCK = {
    "fall": (15, 10), "not-up": (10, 40), "long-bathroom": (14, 20), "night-exit": (2, 40),
    "cold-home": (3, 0), "pendant": (11, 5), "device-dies": (13, 0), "gateway-offline": (16, 0),
    "duplicates": (9, 0), "late": (19, 0), "malformed": (12, 0),
    "infection": (0, 0), "decline": (0, 0), "later": (0, 0),
}
SCENARIO_DEFAULT_PARAM = {
    "fall": 240, "long-bathroom": 75, "night-exit": 60, "cold-home": 6, "gateway-offline": 30,
    "duplicates": 60, "late": 60, "malformed": 8, "device-dies": None, "not-up": None, "pendant": None,
    "infection": 100, "decline": 30, "later": 60,
}
SCENARIO_PARAM_HELP = {
    "fall": "minutes without movement after the fall (240)",
    "not-up": "(none; @TIME is the day and the time the resident finally gets up, default 10:40)",
    "long-bathroom": "minutes of silence in the bathroom (75)",
    "night-exit": "minutes out before coming back (60)",
    "cold-home": "hours the heating stays off (6)",
    "pendant": "(none)",
    "device-dies": "device name (default: one picked by the seed)",
    "gateway-offline": "minutes offline (30)",
    "duplicates": "minutes during which some events are published twice (60)",
    "late": "minutes during which some events are delivered 2-20 min late (60)",
    "malformed": "number of malformed payloads, 1-8 (8)",
    "infection": "percent more night toilet visits, reached over 7 days from the onset (100: doubled)",
    "decline": "percent less movement about the home, reached over 14 days from the onset (30)",
    "later": "minutes later out of bed, reached over 7 days from the onset (60)",
}


class UsageError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    param: Any
    spec: str  # TIME as given ("" for the default)
    lt: int = 0  # local ms since the origin's midnight

    def label(self) -> str:
        return self.name + (f":{self.param}" if self.param is not None else "")


def parse_scenario(text: str) -> Scenario:
    spec = ""
    body = text
    if "@" in text:
        body, spec = text.split("@", 1)
        if not spec:
            raise UsageError(f"--scenario {text!r}: nothing after @")
    name, _, param_text = body.partition(":")
    if name not in SCENARIOS:
        raise UsageError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    param: Any = SCENARIO_DEFAULT_PARAM[name]
    if param_text:
        if name == "device-dies":
            if param_text not in DEV:
                raise UsageError(f"--scenario {text!r}: no device {param_text!r}; devices: {', '.join(DEV)}")
            param = param_text
        elif name in ("not-up", "pendant"):
            raise UsageError(f"--scenario {text!r}: {name} takes no parameter")
        else:
            try:
                param = int(param_text)
            except ValueError:
                raise UsageError(f"--scenario {text!r}: the parameter must be a whole number") from None
            if param <= 0:
                raise UsageError(f"--scenario {text!r}: the parameter must be positive")
            if name == "malformed" and param > 8:
                raise UsageError(f"--scenario {text!r}: at most 8 malformed payloads")
    return Scenario(name, param, spec)


def resolve_scenario_time(sc: Scenario, lt_start: int, lt_end: int, clock: LocalClock) -> None:
    """Sets ``sc.lt`` from its TIME: a local datetime, a date (default clock time), HH:MM (first
    occurrence at or after the start) or nothing (the default clock time, first occurrence at least
    6 h into the run, else the first occurrence in the run)."""
    hh, mm = SCENARIO_DEFAULT_CLOCK[sc.name]
    default_clock = (hh * 60 + mm) * MIN

    def first_at_or_after(clock_ms: int, t: int) -> int:
        day = t // DAY_MS
        cand = day * DAY_MS + clock_ms
        return cand if cand >= t else cand + DAY_MS

    spec = sc.spec
    if not spec:
        lt = first_at_or_after(default_clock, lt_start + 6 * HOUR_MS)
        if lt >= lt_end:
            lt = first_at_or_after(default_clock, lt_start)
    else:
        clock_ms = parse_clock(spec)
        if clock_ms is not None:
            lt = first_at_or_after(clock_ms, lt_start)
        else:
            try:
                naive = parse_local_datetime(spec)
            except ValueError as exc:
                raise UsageError(f"--scenario {sc.name}@{spec}: {exc}") from None
            lt = clock.local_ms_of(naive)
            if len(spec.strip()) == 10:  # a date: the default clock time that day
                lt += default_clock
    if sc.name == "not-up":
        lt_day = (lt // DAY_MS) * DAY_MS
        if lt_day + 6 * HOUR_MS < lt_start:
            raise UsageError(
                f"--scenario not-up@{spec or '(default)'}: the run must start before 06:00 that day "
                "(the resident has to be at home and asleep at 06:00)"
            )
    if not lt_start <= lt < lt_end:
        when = clock.local_datetime(lt).isoformat(timespec="seconds")
        raise UsageError(f"--scenario {sc.name}: {when} is outside the simulated period")
    sc.lt = lt


# --------------------------------------------------------------------------------------------
# One home
# --------------------------------------------------------------------------------------------


@dataclass
class Profile:
    wake: int
    bed: int
    night_visits: tuple[float, ...]  # weights of 0, 1, 2, 3 visits a night
    outing_p: float
    garden_p: float
    calm_gap: int
    tv_p: float
    toilet_gap: tuple[int, int]


class Home:
    """Plans one resident's whole run, then derives its messages one day window at a time."""

    def __init__(self, name: str, seed: str, cfg: "RunConfig", scenarios: list[Scenario]):
        self.name = name
        self.cfg = cfg
        self.clock = cfg.clock
        self.rp = random.Random(f"{seed}/{name}/plan")
        self.rd = random.Random(f"{seed}/{name}/devices")
        self.rn = random.Random(f"{seed}/{name}/delivery")
        self.rz = random.Random(f"{seed}/{name}/z2m")  # Zigbee2MQTT decorations only: same events in both dialects
        self.scenarios = scenarios
        self.dialect = cfg.dialect
        rp = self.rp
        self.profile = Profile(
            wake=int(rp.uniform(6.25, 8.0) * HOUR_MS),
            bed=int(rp.uniform(21.5, 23.25) * HOUR_MS),
            night_visits=rp.choice(((0.08, 0.5, 0.32, 0.1), (0.12, 0.55, 0.28, 0.05), (0.05, 0.35, 0.4, 0.2))),
            outing_p=rp.uniform(0.3, 0.8),
            garden_p=rp.uniform(0.05, 0.25),
            calm_gap=int(rp.uniform(6, 12) * MIN),
            tv_p=rp.uniform(0.8, 1.0),
            toilet_gap=(int(rp.uniform(1.8, 2.5) * HOUR_MS), int(rp.uniform(2.8, 3.8) * HOUR_MS)),
        )
        self.stays: list[list[Any]] = []  # [start, end, room, kind]
        self.groups: list[list[tuple[int, int, str, Any]]] = []  # act groups: [(lt, dev, type, value)]
        self.extra: list[tuple[int, int, str, Any]] = []  # scenario events (fall, pendant)
        self.windows: list[tuple[int, int]] = []  # override windows (scenario stays)
        self.cold: list[tuple[int, int]] = []  # cold-home windows
        self.dead: dict[int, int] = {}  # device -> lt from which it is silent
        self.offline: list[tuple[int, int]] = []  # gateway offline windows
        self.dup_windows: list[tuple[int, int]] = []
        self.late_windows: list[tuple[int, int]] = []
        self.malformed: list[tuple[int, int]] = []  # (lt, count)
        self.injected: list[tuple[str, int, str]] = []  # (label, lt, note) for the summary
        self.not_up_days: dict[int, int] = {}  # day -> get-up time (lt)
        self.blocked: list[tuple[int, int]] = []  # no outings here
        self.onsets: dict[str, tuple[int, int]] = {}  # slow change -> (onset day, size)
        self.rs = random.Random(f"{seed}/{name}/slow")  # slow changes only: without them the output is unchanged
        self._t = 0
        self._last_toilet = 0
        self._prepare_scenarios()
        self._plan()
        self._apply_overrides()
        for a, b in zip(self.stays, self.stays[1:]):
            if not (a[0] < a[1] == b[0] < b[1]):
                raise AssertionError(f"{name}: the planned stays are not contiguous at {a} / {b}")
        self._init_devices()
        self.counts: Counter[str] = Counter()
        self._stay_i = 0
        self._group_i = 0
        self._extra_i = 0
        self.carry: list[tuple[int, int, str, Any]] = []
        self.last_at = 0

    # ---- scenarios that shape the plan --------------------------------------------------------

    def _ramp(self, name: str, day: int) -> float:
        """How far slow change ``name`` has grown on local day ``day``: 0 before its onset, 1 once full."""
        if name not in self.onsets:
            return 0.0
        onset, _ = self.onsets[name]
        return max(0.0, min(1.0, (day - onset + 1) / ONSET_DAYS[name]))

    def _prepare_scenarios(self) -> None:
        for sc in self.scenarios:
            t = sc.lt
            if sc.name in ONSET_DAYS:
                self.onsets[sc.name] = (t // DAY_MS, sc.param)
                continue
            if sc.name == "not-up":
                self.not_up_days[t // DAY_MS] = t
                day0 = (t // DAY_MS) * DAY_MS
                self.blocked.append((day0, t + 2 * HOUR_MS))
            elif sc.name in ("fall", "long-bathroom", "night-exit", "pendant"):
                dur = (sc.param or 0) * MIN
                self.blocked.append((t - 3 * HOUR_MS, t + dur + HOUR_MS))

    # ---- planning -----------------------------------------------------------------------------

    def _u(self, lo_min: float, hi_min: float) -> int:
        return int(self.rp.uniform(lo_min, hi_min) * MIN)

    def _add(self, room: str, kind: str, dur: int) -> tuple[int, int]:
        s = self._t
        e = s + max(dur, 20 * SEC)
        self.stays.append([s, e, room, kind])
        self._t = e
        if room == "toilet":
            self._last_toilet = e
        return s, e

    def _extend_last(self, until: int) -> None:
        if self.stays and until > self._t:
            self.stays[-1][1] = until
            self._t = until

    def _is_blocked(self, s: int, e: int) -> bool:
        return any(s < b1 and b0 < e for b0, b1 in self.blocked)

    def _kettle(self, s: int, e: int) -> None:
        on = s + int(self.rp.uniform(30, 150) * SEC)
        off = on + int(self.rp.uniform(120, 240) * SEC)
        if off < e - 10 * SEC:
            watts = round(self.rp.uniform(2000, 2900), 1)
            self.groups.append([(on, D_KETTLE, "power", watts), (off, D_KETTLE, "power", 0.0)])

    def _fridge(self, s: int, e: int) -> None:
        if e - s < 90 * SEC:
            return
        o = s + int(self.rp.uniform(20 * SEC, (e - s) - 60 * SEC))
        c = o + int(self.rp.uniform(5, 40) * SEC)
        self.groups.append([(o, D_FRIDGE, "door", "open"), (c, D_FRIDGE, "door", "closed")])

    def _kitchen(self, lo: float, hi: float, kettle: float, fridges: int) -> None:
        s, e = self._add("kitchen", "active", self._u(lo, hi))
        if self.rp.random() < kettle:
            self._kettle(s, e)
        for _ in range(fridges):
            self._fridge(s, e)

    def _toilet(self) -> None:
        self._add("toilet", "active", self._u(2, 5))

    def _fill(self, until: int) -> None:
        rp = self.rp
        lo_gap, hi_gap = self.profile.toilet_gap
        gap = rp.uniform(lo_gap, hi_gap)
        while until - self._t >= 3 * MIN:
            remaining = until - self._t
            if self._t - self._last_toilet > gap:
                self._toilet()
                gap = rp.uniform(lo_gap, hi_gap)
                continue
            x = rp.random()
            if x < 0.58:
                room, kind, dur = "lounge", "calm", self._u(20, 70)
            elif x < 0.76:
                room, kind, dur = "kitchen", "active", self._u(4, 12)
            elif x < 0.86:
                room, kind, dur = "bedroom", "active", self._u(3, 10)
            elif x < 0.93:
                room, kind, dur = "hall", "active", self._u(1, 3)
            else:
                room, kind, dur = "bathroom", "active", self._u(3, 8)
            if remaining - dur < 3 * MIN:
                dur = remaining
            s, e = self._add(room, kind, dur)
            if room == "kitchen":
                if rp.random() < 0.45:
                    self._kettle(s, e)
                if rp.random() < 0.5:
                    self._fridge(s, e)
        if until > self._t:
            last = self.stays[-1]
            if last[3] in AWAY_KINDS or last[3] in BED_KINDS:
                self._add("lounge", "calm", until - self._t)
            else:
                self._extend_last(until)

    def _outing(self, start: int, dur: int) -> None:
        self._fill(start - 3 * MIN)
        self._add("hall", "active", self._u(1, 3))
        self._add("out", "out", dur)
        self._add("hall", "active", self._u(1, 2))

    def _garden(self, start: int, dur: int) -> None:
        self._fill(start - 2 * MIN)
        self._add("kitchen", "active", self._u(1, 2))
        self._add("garden", "garden", dur)
        self._add("kitchen", "active", self._u(1, 3))

    def _plan_day(self, d: int, wake: int, bed: int) -> None:
        """Wake to bed time of day d (local ms; the previous stay is the night's sleep)."""
        rp = self.rp
        d0 = d * DAY_MS
        self._t = self.stays[-1][1] if self.stays else wake  # the night ends at the wake time
        self._add("bedroom", "active", self._u(2, 6))
        self._toilet()
        self._add("bathroom", "active", self._u(8, 20))
        self._add("bedroom", "active", self._u(4, 10))
        self._kitchen(15, 30, kettle=0.95, fridges=2)
        self._add("lounge", "calm", self._u(20, 50))

        lunch = d0 + self._u(12 * 60, 13 * 60)
        tea = d0 + self._u(15 * 60, 16 * 60 + 15)
        dinner = d0 + self._u(17 * 60 + 30, 18 * 60 + 45)
        anchors: list[tuple[int, str, int]] = [(lunch, "lunch", 0), (tea, "tea", 0), (dinner, "dinner", 0)]
        if rp.random() < self.profile.outing_p:
            if rp.random() < 0.55:
                start, dur = d0 + self._u(9 * 60 + 45, 11 * 60), self._u(45, 100)
            else:
                start, dur = d0 + self._u(13 * 60 + 45, 14 * 60 + 30), self._u(40, 75)
            if not self._is_blocked(start - 10 * MIN, start + dur + 10 * MIN):
                anchors.append((start, "out", dur))
        if rp.random() < self.profile.garden_p:
            start, dur = d0 + self._u(16 * 60 + 30, 17 * 60 + 10), self._u(8, 18)
            if not self._is_blocked(start - 5 * MIN, start + dur + 5 * MIN):
                anchors.append((start, "garden", dur))
        anchors.sort()
        for at, what, dur in anchors:
            if what in ("out", "garden"):
                if at - 5 * MIN < self._t:
                    continue  # the morning ran late: no outing
                (self._outing if what == "out" else self._garden)(at, dur)
                continue
            self._fill(at)
            if what == "lunch":
                self._kitchen(20, 40, kettle=0.3, fridges=rp.choice((1, 2)))
            elif what == "tea":
                self._kitchen(6, 12, kettle=0.9, fridges=rp.choice((0, 1)))
            else:
                self._kitchen(30, 50, kettle=0.4, fridges=rp.choice((2, 3)))

        # Evening in the lounge with the television, a toilet visit or two, then bed.
        evening_end = bed - self._u(15, 30)
        tv = rp.random() < self.profile.tv_p and evening_end - self._t > 30 * MIN
        tv_on = self._t + int(rp.uniform(20, 90) * SEC)
        while evening_end - self._t > 10 * MIN:
            chunk = min(evening_end - self._t, self._u(50, 110))
            if evening_end - self._t - chunk < 10 * MIN:
                chunk = evening_end - self._t
            self._add("lounge", "calm", chunk)
            if evening_end - self._t > 10 * MIN:
                self._toilet()
        self._extend_last(evening_end)
        if tv:
            tv_off = evening_end - int(rp.uniform(10, 60) * SEC)
            base = rp.uniform(70, 110)
            group = [(tv_on, D_TV, "power", round(base + rp.uniform(-2, 2), 1))]
            t = tv_on + self._u(10, 20)
            while t < tv_off - MIN:
                group.append((t, D_TV, "power", round(base + rp.uniform(-3, 3), 1)))
                t += self._u(10, 20)
            group.append((tv_off, D_TV, "power", 0.5))
            self.groups.append(group)
        self._add("bathroom", "active", self._u(5, 12))
        self._toilet()
        self._add("bedroom", "active", self._u(3, 10))

    def _plan_night(self, d: int, wake_next: int) -> None:
        """From now (bed time of day d) to the next wake, with night toilet visits."""
        rp = self.rp
        start = self._t
        d1 = (d + 1) * DAY_MS
        latest = wake_next - 40 * MIN
        get_up = self.not_up_days.get(d + 1)
        if get_up is not None:
            latest = min(latest, d1 + 5 * HOUR_MS + 20 * MIN)
        n = rp.choices((0, 1, 2, 3), weights=self.profile.night_visits)[0]
        extra = self._ramp("infection", d + 1) * self.onsets.get("infection", (0, 0))[1] / 100
        separation = 50 * MIN
        if extra > 0:
            # As many visits again (at full size, for 100 %), drawn from the same habit; closer together.
            while extra > 0:
                if self.rs.random() < min(1.0, extra):
                    n += self.rs.choices((0, 1, 2, 3), weights=self.profile.night_visits)[0]
                extra -= 1
            separation = 20 * MIN
        visits: list[int] = []
        lo = start + 45 * MIN
        for _ in range(n):
            if latest - lo < 10 * MIN:
                break
            visits.append(int((self.rs if len(visits) >= 3 else rp).uniform(lo, latest)))
        visits.sort()
        kept: list[int] = []
        for v in visits:
            if not kept or v - kept[-1] > separation:
                kept.append(v)
        for v in kept:
            if v <= self._t + 5 * MIN:
                continue
            self._add("bedroom", "sleep", v - self._t)
            self._add("bedroom", "active", int(rp.uniform(20, 60) * SEC))
            self._toilet()
            self._add("bedroom", "active", int(rp.uniform(20, 45) * SEC))
        if get_up is not None:
            awake = max(self._t + 30 * MIN, d1 + self._u(7 * 60, 8 * 60 + 30))
            awake = min(awake, wake_next - 5 * MIN)
            if awake > self._t + 10 * MIN:
                self._add("bedroom", "sleep", awake - self._t)
            self._add("bedroom", "inbed", wake_next - self._t)
        else:
            self._add("bedroom", "sleep", wake_next - self._t)

    def _plan(self) -> None:
        cfg = self.cfg
        first, last = cfg.first_day, cfg.last_day
        rp = self.rp
        prof = self.profile
        wakes = {}
        beds = {}
        for d in range(first, last + 2):
            w = int(rp.gauss(prof.wake, 20 * MIN))
            w = min(max(w, 5 * HOUR_MS + 15 * MIN), 9 * HOUR_MS + 30 * MIN)
            if "later" in self.onsets:
                w += int(self._ramp("later", d) * self.onsets["later"][1] * MIN)
            if d in self.not_up_days:
                w = self.not_up_days[d] - d * DAY_MS
            wakes[d] = d * DAY_MS + w
            b = int(rp.gauss(prof.bed, 25 * MIN))
            beds[d] = d * DAY_MS + min(max(b, 20 * HOUR_MS + 45 * MIN), 24 * HOUR_MS + 15 * MIN)
        self._last_toilet = wakes[first]
        for d in range(first, last + 1):
            self._plan_day(d, wakes[d], beds[d])
            self._plan_night(d, wakes[d + 1])

    # ---- overrides ------------------------------------------------------------------------------

    def _room_at(self, t: int) -> tuple[str, str]:
        starts = [s[0] for s in self.stays]
        i = max(0, bisect.bisect_right(starts, t) - 1)
        return self.stays[i][2], self.stays[i][3]

    def _splice(self, t0: int, t1: int, new: list[list[Any]]) -> None:
        out: list[list[Any]] = []
        inserted = False
        for st in self.stays:
            s, e = st[0], st[1]
            if e <= t0:
                out.append(st)
                continue
            if s >= t1:
                if not inserted:
                    out.extend(new)
                    inserted = True
                out.append(st)
                continue
            if s < t0:
                out.append([s, t0, st[2], st[3]])
            if not inserted:
                out.extend(new)
                inserted = True
            if e > t1:
                if e - t1 < 2 * MIN and st[3] not in BED_KINDS and st[3] not in AWAY_KINDS and new:
                    new[-1][1] = e  # a remnant of a few seconds: stay where the scenario left off
                else:
                    out.append([t1, e, st[2], st[3]])
        if not inserted:
            out.extend(new)
        self.stays = [st for st in out if st[1] - st[0] > 0]
        self.windows.append((t0, t1))

    def _apply_overrides(self) -> None:
        rp = self.rp
        for sc in sorted(self.scenarios, key=lambda s: s.lt):
            t = sc.lt
            if sc.name == "fall":
                dur = sc.param * MIN
                room, kind = self._room_at(t)
                if kind in BED_KINDS:
                    room = "bedroom"
                elif kind in AWAY_KINDS:
                    room = "hall"
                self._splice(t - MIN, t + dur, [[t - MIN, t, room, "active"], [t, t + dur, room, "lying"]])
                self.extra.append((t, D_FALL, "fall", None))
                self.injected.append((sc.label(), t, f"fall in the {room}, no movement for {sc.param} min"))
            elif sc.name == "long-bathroom":
                dur = sc.param * MIN
                self._splice(t, t + dur, [[t, t + 40 * SEC, "bathroom", "active"],
                                          [t + 40 * SEC, t + dur, "bathroom", "silent"]])
                self.injected.append((sc.label(), t, f"in the bathroom, then silent for {sc.param} min"))
            elif sc.name == "night-exit":
                dur = sc.param * MIN
                t0, t1 = t - 150 * SEC, t + dur + 3 * MIN
                self._splice(t0, t1, [
                    [t0, t - 90 * SEC, "bedroom", "active"],
                    [t - 90 * SEC, t, "hall", "active"],
                    [t, t + dur, "out", "out"],
                    [t + dur, t + dur + 2 * MIN, "hall", "active"],
                    [t + dur + 2 * MIN, t1, "bedroom", "active"],
                ])
                self.injected.append((sc.label(), t, f"front door opened, out for {sc.param} min"))
            elif sc.name == "not-up":
                self.injected.append((sc.label(), t, "stays in bed (bedroom only) until this time"))
            elif sc.name == "cold-home":
                self.cold.append((t, t + sc.param * HOUR_MS))
                self.injected.append((sc.label(), t, f"heating off for {sc.param} h: below 16 °C for hours"))
            elif sc.name == "pendant":
                self.extra.append((t, D_PENDANT, "pendant", None))
                self.injected.append((sc.label(), t, "pendant-1 pressed"))
            elif sc.name == "device-dies":
                dev = DEV[sc.param] if sc.param else rp.choice(
                    [i for i, d in enumerate(DEVICES) if d.kind in ("pir", "temp", "door", "bed")]
                )
                self.dead[dev] = min(self.dead.get(dev, t), t)
                self.injected.append((sc.label(), t, f"{DEVICES[dev].name} sends nothing from now on"))
            elif sc.name == "gateway-offline":
                self.offline.append((t, t + sc.param * MIN))
                self.injected.append((sc.label(), t, f"gateway offline for {sc.param} min, its events lost"))
            elif sc.name == "duplicates":
                self.dup_windows.append((t, t + sc.param * MIN))
                self.injected.append((sc.label(), t, f"some events published twice for {sc.param} min"))
            elif sc.name == "late":
                self.late_windows.append((t, t + sc.param * MIN))
                self.injected.append((sc.label(), t, f"some events delivered 2-20 min late for {sc.param} min"))
            elif sc.name == "malformed":
                self.malformed.append((t, sc.param))
                self.injected.append((sc.label(), t, f"{sc.param} malformed payloads over the next minutes"))
        if self.windows:
            self.groups = [
                g for g in self.groups
                if not any(g[0][0] < w1 and w0 <= g[-1][0] for w0, w1 in self.windows)
            ]
        self.groups.sort(key=lambda g: g[0][0])
        self.extra.sort()

    # ---- device state ---------------------------------------------------------------------------

    def _init_devices(self) -> None:
        rd = self.rd
        start = self.cfg.first_day * DAY_MS
        hb = self.cfg.heartbeat_ms
        self.next_hb = [start + (int(rd.uniform(0, hb)) if hb else 0) for _ in DEVICES]
        self.next_temp = {i: start + int(rd.uniform(0, 15 * MIN)) for i in TEMP_DEVICES}
        self.temp_noise = {i: 0.0 for i in TEMP_DEVICES}
        self.temp_base = {i: ROOM_TEMP[DEVICES[i].room] + rd.uniform(-0.4, 0.4) for i in TEMP_DEVICES}
        self.battery0 = {i: rd.uniform(55, 100) for i in BATTERY_DEVICES}
        self.drain = {i: rd.uniform(0.08, 0.5) for i in BATTERY_DEVICES}  # % per day
        self.pir = [[False, 0, 0] for _ in ROOMS]  # on, last movement end, hold
        self.seq = [0] * len(DEVICES)
        self.linkq = [int(rd.uniform(40, 200)) for _ in DEVICES]
        self.z2m_state: list[dict[str, Any]] = [dict() for _ in DEVICES]
        for i, d in enumerate(DEVICES):
            st = self.z2m_state[i]
            if not d.mains:
                b = int(round(self.battery0[i]))
                st["battery"] = b
                st["voltage"] = 2700 + 5 * b
            else:
                st["state"] = "ON"
                st["power"] = 0.0
                st["energy"] = round(rd.uniform(2, 40), 2)

    def _temperature(self, dev: int, lt: int) -> float:
        hour = (lt % DAY_MS) / HOUR_MS
        # Heating on 07:00-22:30 (warming up from 06:00, cooling down until 23:30), set back at night.
        day_curve = 0.5 - 0.3 * abs(hour - 15) / 8
        if 7 <= hour < 22.5:
            curve = day_curve
        elif 6 <= hour < 7:
            curve = -0.7 + (day_curve + 0.7) * (hour - 6)
        elif 22.5 <= hour < 23.5:
            curve = day_curve + (-0.7 - day_curve) * (hour - 22.5)
        else:
            curve = -0.7
        n = self.temp_noise[dev] = max(-0.4, min(0.4, self.temp_noise[dev] + self.rd.uniform(-0.1, 0.1)))
        value = self.temp_base[dev] + curve + n
        for c0, c1 in self.cold:
            if c0 <= lt < c1 + 2 * HOUR_MS:
                # Heating off: the room falls to about 13 °C within 2 h, and recovers in 2 h after.
                cooled_for = min(lt, c1) - c0
                target = 13.6 + (self.temp_base[dev] - 20) * 0.4 - 0.15 * cooled_for / HOUR_MS + n
                drop = value - target
                if lt < c0 + 2 * HOUR_MS:
                    f = (lt - c0) / (2 * HOUR_MS)
                elif lt < c1:
                    f = 1.0
                else:
                    f = 1.0 - (lt - c1) / (2 * HOUR_MS)
                value -= drop * f
        return round(value, 1)

    # ---- deriving events ------------------------------------------------------------------------

    def _move(self, out: list, r: int, a: int, b: int) -> None:
        st = self.pir[r]
        if st[0]:
            if a <= st[1] + st[2]:
                if b > st[1]:
                    st[1] = b
                return
            out.append((st[1] + st[2], PIR_OF_ROOM[r], "motion", False))
        out.append((a, PIR_OF_ROOM[r], "motion", True))
        st[0], st[1], st[2] = True, b, int(self.rd.uniform(60, 120) * SEC)

    def _pirs_idle_before(self, out: list, t: int) -> None:
        for r, st in enumerate(self.pir):
            if st[0] and st[1] + st[2] < t:
                out.append((st[1] + st[2], PIR_OF_ROOM[r], "motion", False))
                st[0] = False

    def _derive_stay(self, out: list, i: int) -> None:
        rd = self.rd
        s, e, room, kind = self.stays[i]
        prev = self.stays[i - 1] if i > 0 else None
        nxt = self.stays[i + 1] if i + 1 < len(self.stays) else None
        self._pirs_idle_before(out, s)
        if kind in AWAY_KINDS:
            door = D_DOOR_FRONT if kind == "out" else D_DOOR_BACK
            o1 = s + int(rd.uniform(1, 3) * SEC)
            out.append((o1, door, "door", "open"))
            out.append((o1 + int(rd.uniform(6, 18) * SEC), door, "door", "closed"))
            if e - s > 60 * SEC:
                o2 = e - int(rd.uniform(8, 15) * SEC)
                out.append((o2, door, "door", "open"))
                out.append((e - int(rd.uniform(0.5, 2) * SEC), door, "door", "closed"))
            return
        r = ROOM_INDEX[room]
        m = s
        if (
            prev is not None and prev[2] != room and prev[2] in ROOM_INDEX and prev[2] != "hall"
            and room != "hall"
        ):
            h = int(rd.uniform(5, 14) * SEC)
            self._move(out, ROOM_INDEX["hall"], s, s + h)
            m = s + h
        if kind in BED_KINDS:
            if prev is None or prev[3] not in BED_KINDS:
                out.append((s + min(int(rd.uniform(30, 120) * SEC), (e - s) // 2), D_BED, "bed", "occupied"))
            if nxt is not None and nxt[3] not in BED_KINDS:
                out.append((e - int(rd.uniform(3, 10) * SEC), D_BED, "bed", "empty"))
            if kind == "sleep":
                if prev is not None and prev[3] not in BED_KINDS and m < e:
                    self._move(out, r, m, min(e, m + int(rd.uniform(10, 40) * SEC)))
                hours = (e - s) / HOUR_MS
                if hours > 1 and rd.random() < min(0.9, 0.12 * hours):
                    p = s + int(rd.uniform(0.3, 0.9) * (e - s))
                    self._move(out, r, p, p + int(rd.uniform(3, 15) * SEC))
            else:  # awake in bed: restless, bedroom only
                p = s + int(rd.uniform(1, 10) * MIN)
                while p < e - MIN:
                    self._move(out, r, p, p + int(rd.uniform(5, 40) * SEC))
                    p += int(rd.expovariate(1 / (25 * MIN)) + 3 * MIN)
            return
        if kind == "active":
            if m < e:
                self._move(out, r, m, e)
        elif kind == "calm":
            gap = self.profile.calm_gap
            p = m
            while p < e - 30 * SEC:
                self._move(out, r, p, min(e, p + int(rd.uniform(3, 40) * SEC)))
                p += int(min(rd.expovariate(1 / gap) + 30 * SEC, 35 * MIN))
            self._move(out, r, max(m, e - int(rd.uniform(5, 20) * SEC)), e)
        # "silent" (long-bathroom) and "lying" (after a fall): no movement at all

    def chunk(self, w0: int, w1: int) -> list[Record]:
        """Records for the events with local time in [w0, w1) (kept inside the run)."""
        out = self.carry
        self.carry = []
        stays = self.stays
        n = len(stays)
        i = self._stay_i
        while i < n and stays[i][0] < w1:
            self._derive_stay(out, i)
            i += 1
        self._stay_i = i
        self._pirs_idle_before(out, stays[i][0] if i < n else w1 + DAY_MS)
        groups = self.groups
        g = self._group_i
        while g < len(groups) and groups[g][0][0] < w1:
            out.extend(groups[g])
            g += 1
        self._group_i = g
        x = self._extra_i
        while x < len(self.extra) and self.extra[x][0] < w1:
            out.append(self.extra[x])
            x += 1
        self._extra_i = x
        self._device_reports(out, w0, w1)
        if "decline" in self.onsets:
            out = self._moving_less(out)
        out.sort()
        k = bisect.bisect_left(out, (w1,))
        self.carry = out[k:]
        return self._finalize(out[:k], w0, w1)

    def _moving_less(self, out: list) -> list:
        """A decline: each movement a motion sensor would see is made with the probability left by the decline's
        size on its day (motion is nearly all of what the hub counts as activity; a tenth more makes up for the rest)."""
        size = self.onsets["decline"][1] / 100 * 1.1
        return [e for e in out if not (e[2] == "motion" and e[3] is True and self.rs.random() < self._ramp("decline", e[0] // DAY_MS) * size)]

    def _device_reports(self, out: list, w0: int, w1: int) -> None:
        rd = self.rd
        hb = self.cfg.heartbeat_ms
        if hb:
            lo, span = int(hb * 0.9), int(hb * 0.2)
            nh = self.next_hb
            rnd = rd.random
            for dev in range(len(DEVICES)):
                t = nh[dev]
                while t < w1:
                    out.append((t, dev, "heartbeat", None))
                    t += lo + int(rnd() * span)
                nh[dev] = t
        for dev in TEMP_DEVICES:
            t = self.next_temp[dev]
            while t < w1:
                out.append((t, dev, "temperature", self._temperature(dev, t)))
                t += int(rd.uniform(15, 30) * MIN)
            self.next_temp[dev] = t
        # battery: 3 or 4 reports a day per battery device, with a slow drain
        day_start = (w0 // DAY_MS) * DAY_MS
        origin = self.cfg.first_day * DAY_MS
        for dev in BATTERY_DEVICES:
            k = 3 if rd.random() < 0.5 else 4
            for _ in range(k):
                t = day_start + int(rd.uniform(0, DAY_MS))
                if w0 <= t < w1:
                    level = self.battery0[dev] - self.drain[dev] * (t - origin) / DAY_MS
                    out.append((t, dev, "battery", max(1, int(round(level)))))

    # ---- formatting and delivery ------------------------------------------------------------------

    def _finalize(self, raw: list, w0: int, w1: int) -> list[Record]:
        """Formats the events of [w0, w1) (sorted by local time) as records; applies the delivery
        scenarios (gateway offline, dead devices, duplicates, late delivery)."""
        cfg = self.cfg
        lt_start, lt_end = cfg.lt_start, cfg.lt_end
        clock = cfg.clock
        rn = self.rn
        rnd = rn.random
        seq = self.seq
        counts = self.counts
        records: list[Record] = []
        append = records.append
        home = self.name
        dead = self.dead
        offline = self.offline
        late_w, dup_w = self.late_windows, self.dup_windows
        special = bool(offline or dup_w or late_w)
        native = self.dialect == "native"
        if w0 <= lt_start < w1 or (lt_start < w0 and not cfg.started.get(home)):
            records.extend(self._status_records(lt_start, "online", initial=True))
            cfg.started[home] = True
        lo = bisect.bisect_left(raw, (lt_start,))
        hi = bisect.bisect_left(raw, (lt_end,))
        if lo or hi < len(raw):
            raw = raw[lo:hi]
        if dead:
            raw = [e for e in raw if not (e[1] in dead and e[0] >= dead[e[1]])]
        delta = clock.constant_offset(w0, w1)
        epoch = clock.epoch_ms
        mcache = cfg.minutes
        suffix = SUFFIX
        last_m, prefix = -1, ""
        topics = cfg.native_topics[home] if native else cfg.z2m_topics[home]
        idp = cfg.id_prefixes[home]
        rooms = ROOM_FIELDS
        vtext = VALUE_TEXT
        lost = 0
        last_at = self.last_at
        for lt, dev, etype, value in raw:
            s = seq[dev] + 1
            seq[dev] = s
            if special and offline and any(a <= lt < b for a, b in offline):
                lost += 1
                continue
            ts_ms = lt + delta if delta is not None else epoch(lt)
            # One gateway connection delivers in order: receive times never go backwards.
            at = ts_ms + 20 + int(rnd() * 230)
            if at <= last_at:
                at = last_at + 1
            last_at = at
            if native:
                m = ts_ms // 60000
                if m != last_m:
                    prefix = mcache.get(m)
                    if prefix is None:
                        prefix = mcache[m] = minute_prefix(m)
                    last_m = m
                if value is None:
                    vt = ""
                elif value.__class__ is float or value.__class__ is int:
                    vt = ',"value":' + repr(value)
                else:
                    vt = vtext[value]
                payload = (
                    f'{idp[dev]}{s}","ts":"{prefix}{suffix[ts_ms - m * 60000]}","type":"{etype}"{vt}'
                    f'{rooms[dev]},"seq":{s}}}'
                )
            else:
                payload = self._z2m_payload(dev, etype, value, ts_ms)
            topic = topics[dev]
            if special:
                if late_w and any(a <= lt < b for a, b in late_w) and rnd() < 0.3:
                    at = ts_ms + int(rn.uniform(2, 20) * MIN)
                    counts["(late)"] += 1
                if dup_w and any(a <= lt < b for a, b in dup_w) and rnd() < 0.2:
                    append((at + int(rn.uniform(0.2, 8) * SEC), topic, payload))
                    counts["(duplicate copies)"] += 1
            append((at, topic, payload))
            if not native and (etype == "pendant" or etype == "fall"):
                # Zigbee2MQTT: the momentary action is followed by the same state with action "".
                append((at + 400, topic, self._z2m_payload(dev, "action-clear", None, ts_ms + 400)))
        self.last_at = last_at
        counts.update(map(itemgetter(2), raw))
        if lost:
            counts["(lost: gateway offline)"] += lost
            for a, b in offline:
                for lt, _, etype, _ in raw:
                    if a <= lt < b:
                        counts[etype] -= 1
        for a, b in offline:
            if w0 <= a < w1 and lt_start <= a < lt_end:
                records.extend(self._status_records(a, "offline"))
            if w0 <= b < w1 and lt_start <= b < lt_end:
                records.extend(self._status_records(b, "online"))
        if not native:
            for dev, t in dead.items():
                t_off = t + (10 * MIN if DEVICES[dev].mains else 25 * HOUR_MS)
                if w0 <= t_off < w1 and lt_start <= t_off < lt_end:
                    records.append((clock.epoch_ms(t_off), f"z2m/{home}/{DEVICES[dev].name}/availability",
                                    '{"state":"offline"}'))
                    counts["(status)"] += 1
        for t, count in self.malformed:
            if w0 <= t < w1:
                records.extend(self._malformed_records(t, count))
        return records

    def _status_records(self, lt: int, state: str, initial: bool = False) -> list[Record]:
        at = self.cfg.clock.epoch_ms(lt)
        home = self.name
        self.counts["(status)"] += 1
        if self.dialect == "native":
            return [(at, f"carehub/v1/{home}/gateway/status", raw_payload(state))]
        recs = [(at, f"z2m/{home}/bridge/state", f'{{"state":"{state}"}}')]
        if initial:
            for d in DEVICES:
                recs.append((at, f"z2m/{home}/{d.name}/availability", '{"state":"online"}'))
                self.counts["(status)"] += 1
        return recs

    def _z2m_payload(self, dev: int, etype: str, value: Any, ts_ms: int) -> str:
        st = self.z2m_state[dev]
        if etype == "motion":
            st["occupancy"] = value
        elif etype == "door":
            st["contact"] = value == "closed"  # Zigbee2MQTT: contact true = CLOSED
        elif etype == "bed":
            st["occupancy"] = value == "occupied"
        elif etype == "temperature":
            st["temperature"] = value
            st["humidity"] = round(self.rz.uniform(38, 62), 1)
        elif etype == "power":
            st["power"] = value
            st["state"] = "ON"
            st["energy"] = round(st.get("energy", 0.0) + value / 60000.0, 2)
        elif etype == "battery":
            st["battery"] = value
            st["voltage"] = 2700 + 5 * int(value)
        elif etype == "pendant":
            st["action"] = "sos"
        elif etype == "fall":
            st["action"] = "fall"
        elif etype == "action-clear":
            st["action"] = ""
        # heartbeat: the cached state again (Zigbee2MQTT publishes the full state every time)
        msg = dict(st)
        lq = self.linkq[dev] + int(self.rz.uniform(-15, 15))
        msg["linkquality"] = max(0, min(255, lq))
        ls = self.cfg.z2m_last_seen
        if ls == "iso":
            msg["last_seen"] = self.cfg.fmt(ts_ms)
        elif ls == "epoch":
            msg["last_seen"] = ts_ms
        return encode(msg)

    def _malformed_records(self, lt: int, count: int) -> list[Record]:
        home = self.name
        clock, fmt = self.cfg.clock, self.cfg.fmt
        recs: list[Record] = []
        for k in range(count):
            t = lt + k * 75 * SEC
            if t >= self.cfg.lt_end:
                break
            ts_ms = clock.epoch_ms(t)
            ts = fmt(ts_ms)
            mid = f"{home}-malformed-{k + 1}"
            if self.dialect == "native":
                cases = [
                    ("pir-kitchen", raw_payload(f'{{"id":"{mid}","ts":"{ts}","type":"motion","value":tru')),
                    ("pir-hall", encode({"id": mid, "ts": ts, "type": "motion", "value": "yes", "room": "hall"})),
                    ("door-front", encode({"id": mid, "ts": ts_ms, "type": "door", "value": "open",
                                           "room": "front_door"})),
                    ("pir-lounge", encode({"ts": ts, "type": "motion", "value": True, "room": "lounge"})),
                    ("temp-kitchen", encode({"id": mid, "ts": ts, "value": 19.5, "room": "kitchen"})),
                    ("pir-toilet", encode({"id": mid, "ts": ts, "type": "teleport", "room": "toilet"})),
                    ("bed-1", raw_payload("[1,2,3]")),
                    ("temp-lounge", encode({"id": mid, "ts": ts, "type": "temperature", "value": 150,
                                            "room": "lounge"})),
                ]
                dev, payload = cases[k]
                topic = f"carehub/v1/{home}/{dev}/event"
            else:
                cases = [
                    ("pir-kitchen", raw_payload('{"occupancy":tru')),
                    ("pir-hall", encode({"occupancy": "yes", "linkquality": 90})),
                    ("door-front", encode({"contact": "open", "battery": 90})),
                    ("temp-kitchen", encode({"temperature": "hot", "humidity": 45})),
                    ("plug-kettle", raw_payload("ON")),
                    ("bed-1", raw_payload("[1,2,3]")),
                    ("temp-lounge", encode({"temperature": 150, "battery": 80})),
                    ("pir-toilet", raw_payload("")),
                ]
                dev, payload = cases[k]
                topic = f"z2m/{home}/{dev}"
            recs.append((ts_ms + 100, topic, payload))
            self.counts["(malformed)"] += 1
        return recs


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass
class RunConfig:
    homes: list[str]
    days: float
    start: datetime
    tz_name: str
    seed: str
    dialect: str
    heartbeat_ms: int
    z2m_last_seen: str
    clock: LocalClock = field(init=False)
    fmt: Rfc3339 = field(init=False)
    lt_start: int = field(init=False)
    lt_end: int = field(init=False)
    first_day: int = field(init=False)
    last_day: int = field(init=False)
    native_topics: dict[str, list[str]] = field(init=False)
    z2m_topics: dict[str, list[str]] = field(init=False)
    started: dict[str, bool] = field(init=False)
    id_prefixes: dict[str, list[str]] = field(init=False)
    minutes: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        tz = zone(self.tz_name)
        origin = self.start.date()
        self.clock = LocalClock(tz, origin, int(self.days) + 3)
        self.fmt = Rfc3339()
        self.lt_start = self.clock.local_ms_of(self.start)
        self.lt_end = self.lt_start + int(round(self.days * DAY_MS))
        self.first_day = -1
        self.last_day = (self.lt_end - 1) // DAY_MS
        self.native_topics = {h: [f"carehub/v1/{h}/{d.name}/event" for d in DEVICES] for h in self.homes}
        self.z2m_topics = {h: [f"z2m/{h}/{d.name}" for d in DEVICES] for h in self.homes}
        self.started = {}
        self.id_prefixes = {h: [f'{{"id":"{h}-{d.name}-' for d in DEVICES] for h in self.homes}
        self.minutes = {}


class Simulation:
    def __init__(self, cfg: RunConfig, scenarios: list[Scenario], scenario_homes: set[str] | None):
        self.cfg = cfg
        for sc in scenarios:
            resolve_scenario_time(sc, cfg.lt_start, cfg.lt_end, cfg.clock)
        self.homes = [
            Home(h, cfg.seed, cfg, [sc for sc in scenarios if scenario_homes is None or h in scenario_homes])
            for h in cfg.homes
        ]

    def records(self) -> Iterator[list[Record]]:
        """Batches of records in ``at`` order, one batch per simulated day."""
        cfg = self.cfg
        pending: list[Record] = []
        for d in range(cfg.first_day, cfg.last_day + 1):
            w0, w1 = d * DAY_MS, (d + 1) * DAY_MS
            for home in self.homes:
                pending.extend(home.chunk(w0, w1))
            pending.sort()
            k = bisect.bisect_left(pending, (cfg.clock.epoch_ms(w1),))
            ready, pending = pending[:k], pending[k:]
            if ready:
                yield ready
        if pending:
            yield pending

    def counts(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for h in self.homes:
            total.update(h.counts)
        return total


def summary(sim: Simulation, lines: int, elapsed: float, out: str) -> str:
    cfg = sim.cfg
    counts = sim.counts()
    parts = [
        f"resident.py: {len(cfg.homes)} home(s) x {cfg.days:g} day(s) from {cfg.start.isoformat()} "
        f"{cfg.tz_name}, seed {cfg.seed!r}, dialect {cfg.dialect}: {lines} message(s) {out} in {elapsed:.1f} s",
        "events per type:",
    ]
    for name, n in sorted(counts.items(), key=lambda kv: (kv[0].startswith("("), kv[0])):
        parts.append(f"  {name:20s} {n}")
    injected: dict[tuple[str, int, str], list[str]] = {}
    for h in sim.homes:
        for label, lt, note in h.injected:
            injected.setdefault((label, lt, note), []).append(h.name)
    if injected:
        parts.append("scenarios injected (local time / UTC):")
        for (label, lt, note), homes in sorted(injected.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            local = cfg.clock.local_datetime(lt).isoformat(timespec="seconds")
            utc = cfg.fmt(cfg.clock.epoch_ms(lt))
            who = "all homes" if len(homes) == len(cfg.homes) and len(homes) > 1 else ", ".join(homes[:5]) + (
                f" (+{len(homes) - 5})" if len(homes) > 5 else "")
            parts.append(f"  {label:22s} {local} / {utc}  {who}: {note}")
    else:
        parts.append("scenarios injected: none")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="resident.py",
        description="Simulate days in the life of residents living alone, as CareHub gateway traffic: "
        "write a replay file (--output) or publish over MQTT in scaled real time (--mqtt).",
        epilog="Scenarios (NAME[:PARAM][@TIME]; TIME is local: 2026-12-01T08:30, 2026-12-01 or 08:30, "
        "default: the scenario's usual time on the first day at least 6 h into the run): "
        + "; ".join(f"{k}: {v}" for k, v in SCENARIO_PARAM_HELP.items())
        + ". Exit status: 0 ok, 1 failure, 2 bad arguments.",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument("--homes", type=int, help="number of homes, named <prefix>-001 ... (default 1)")
    who.add_argument("--home", action="append", metavar="NAME", help="a home id (repeatable)")
    p.add_argument("--home-prefix", default="home", help="name prefix for --homes (default home)")
    p.add_argument("--days", type=float, default=1, help="days to simulate (default 1; fractions allowed)")
    p.add_argument("--start", default="2026-11-30T00:00:00",
                   help="local start time (default 2026-11-30T00:00:00), or 'now'")
    p.add_argument("--timezone", default="Europe/London", help="the homes' time zone (default Europe/London)")
    p.add_argument("--seed", help="random seed: the same arguments and seed give the same output byte for byte "
                   "(default: a random one, printed in the summary)")
    p.add_argument("--scenario", action="append", default=[], metavar="NAME[:PARAM][@TIME]",
                   help=f"inject a scenario (repeatable): {', '.join(SCENARIOS)}")
    p.add_argument("--scenario-homes", metavar="H1,H2", help="inject the scenarios into these homes only "
                   "(default: every home)")
    p.add_argument("--dialect", choices=("native", "z2m"), default="native",
                   help="native contract topics (default) or Zigbee2MQTT (z2m/<home>/<device>)")
    p.add_argument("--z2m-last-seen", choices=("iso", "epoch", "none"), default="iso",
                   help="Zigbee2MQTT last_seen field: ISO 8601 UTC (default), epoch ms, or none")
    p.add_argument("--heartbeat-interval", type=float, default=600,
                   help="seconds between heartbeats of each device, +-10%% (default 600; 0 = none)")
    p.add_argument("--output", metavar="FILE.jsonl", help="write a replay file ('-' = standard output)")
    p.add_argument("--mqtt", action="store_true", help="publish over MQTT instead")
    g = p.add_argument_group("MQTT options")
    g.add_argument("--host", default="127.0.0.1", help="broker host (default 127.0.0.1)")
    g.add_argument("--port", type=int, default=None, help="broker port (default 1883, 8883 with --cafile)")
    g.add_argument("--username", help="MQTT user name")
    g.add_argument("--password", help="MQTT password (default: $CAREHUB_MQTT_PASSWORD)")
    g.add_argument("--cafile", help="CA certificate: connect with TLS")
    g.add_argument("--speed", type=float, default=1.0,
                   help="time factor: 3600 = one simulated hour per second (default 1; 0 = no pacing)")
    g.add_argument("--window", type=int, default=10_000, help="max unacknowledged messages (default 10000)")
    g.add_argument("--publish-timeout", type=float, default=30, help="PUBACK wait in s (default 30)")
    g.add_argument("--connect-timeout", type=float, default=10, help="connect wait in s (default 10)")
    g.add_argument("--client-prefix", default="resident", help="MQTT client ids <prefix>-<home>")
    g.add_argument("--restamp", action="store_true",
                   help="replace each event's ts by its publish time (a live hub refuses ts more than 300 s "
                   "ahead of its clock, which a speed above 1 produces)")
    g.add_argument("--no-offline", action="store_true",
                   help="do not publish the retained offline status at the end (the last will still applies)")
    p.add_argument("--quiet", action="store_true", help="no summary on standard error")
    return p


def make_config(args: argparse.Namespace) -> tuple[RunConfig, list[Scenario], set[str] | None]:
    if args.home:
        homes = list(args.home)
        for h in homes:
            check_name("home", h)
        if len(set(homes)) != len(homes):
            raise UsageError("--home names must be different")
    else:
        n = 1 if args.homes is None else args.homes
        if n < 1:
            raise UsageError("--homes must be at least 1")
        width = max(3, len(str(n)))
        homes = [f"{args.home_prefix}-{i:0{width}d}" for i in range(1, n + 1)]
        for h in homes[:1] + homes[-1:]:
            check_name("home", h)
    if not args.days > 0:
        raise UsageError("--days must be greater than 0")
    if args.start == "now":
        tz = zone(args.timezone)
        start = datetime.now(tz).replace(tzinfo=None, microsecond=0)
    else:
        start = parse_local_datetime(args.start)
    if args.heartbeat_interval < 0:
        raise UsageError("--heartbeat-interval must be 0 or more")
    seed = args.seed if args.seed is not None else str(random.SystemRandom().randrange(10**9))
    cfg = RunConfig(
        homes=homes, days=args.days, start=start, tz_name=args.timezone, seed=seed, dialect=args.dialect,
        heartbeat_ms=int(args.heartbeat_interval * 1000), z2m_last_seen=args.z2m_last_seen,
    )
    scenarios = [parse_scenario(s) for s in args.scenario]
    scenario_homes = None
    if args.scenario_homes:
        scenario_homes = {h.strip() for h in args.scenario_homes.split(",") if h.strip()}
        unknown = scenario_homes - set(homes)
        if unknown:
            raise UsageError(f"--scenario-homes: no such home(s): {', '.join(sorted(unknown))}")
    return cfg, scenarios, scenario_homes


def run_output(sim: Simulation, path: str) -> int:
    out = open_output(path)
    try:
        writer = ReplayWriter(out)
        for batch in sim.records():
            writer.write(batch)
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    return writer.lines


def run_mqtt(sim: Simulation, args: argparse.Namespace) -> int:
    from carehub_sim.mqttpub import BrokerOptions, PublishError, StatusSpec, StreamPublisher

    cfg = sim.cfg
    port = args.port if args.port is not None else (8883 if args.cafile else 1883)
    opts = BrokerOptions(
        host=args.host, port=port, username=args.username,
        password=args.password if args.password is not None else os.environ.get("CAREHUB_MQTT_PASSWORD"),
        cafile=args.cafile, connect_timeout=args.connect_timeout, publish_timeout=args.publish_timeout,
    )
    if cfg.dialect == "native":
        statuses = {h: StatusSpec(f"carehub/v1/{h}/gateway/status", "online", "offline") for h in cfg.homes}

        def home_of(topic: str) -> str:
            return topic.split("/", 3)[2]
    else:
        statuses = {
            h: StatusSpec(f"z2m/{h}/bridge/state", '{"state":"online"}', '{"state":"offline"}') for h in cfg.homes
        }

        def home_of(topic: str) -> str:
            return topic.split("/", 2)[1]

    pub = StreamPublisher(opts, statuses, home_of, args.speed, window=args.window, client_prefix=args.client_prefix,
                          log=lambda s: sys.stderr.write(f"resident.py: {s}\n"))
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = False
    try:
        pub.start()
        started = True

        def stream() -> Iterator[Record]:
            for batch in sim.records():
                yield from batch

        pub.run(stream(), stop=stop, restamp=args.restamp)
        if not pub.drain():
            raise PublishError(f"{pub.sent - pub.acked} message(s) got no PUBACK within {opts.publish_timeout:g} s")
    finally:
        if started:
            pub.close(send_offline=not args.no_offline)
        else:
            for c in pub.conns.values():
                c.client.loop_stop()
    if stop.is_set():
        sys.stderr.write("resident.py: stopped by a signal\n")
    return pub.sent


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.output) == bool(args.mqtt):
        parser.error("give exactly one of --output FILE or --mqtt")
    if args.mqtt and args.speed < 0:
        parser.error("--speed must be 0 or more")
    if args.window < 1 or args.window > 60_000:
        parser.error("--window must be 1 to 60000 (paho numbers in-flight messages with 16-bit ids)")
    try:
        cfg, scenarios, scenario_homes = make_config(args)
        sim = Simulation(cfg, scenarios, scenario_homes)
    except (UsageError, ValueError) as exc:
        parser.error(str(exc))
    t0 = time.monotonic()
    try:
        if args.output:
            lines = run_output(sim, args.output)
            where = f"written to {args.output}"
        else:
            lines = run_mqtt(sim, args)
            where = f"published to {args.host}"
    except OSError as exc:
        sys.stderr.write(f"resident.py: error: {exc}\n")
        return 1
    except Exception as exc:  # PublishError and friends: one clear sentence
        if type(exc).__name__ == "PublishError":
            sys.stderr.write(f"resident.py: error: {exc}\n")
            return 1
        raise
    if not args.quiet:
        sys.stderr.write(summary(sim, lines, time.monotonic() - t0, where))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(1)
