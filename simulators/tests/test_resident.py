"""resident.py: repeatability, plausible days, scenario signatures, dialects, size and speed."""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest

from carehub_sim.contract import event_problems
from sim_helpers import LONDON, RESIDENT, Line, activity, read_lines, resident_file, run, utc

BASE = ("--home", "flat-1", "--days", "2", "--start", "2026-11-30T00:00:00", "--timezone", "Europe/London")
ROOMS = {"bedroom", "bathroom", "toilet", "kitchen", "lounge", "hall"}


def events(lines: list[Line]) -> list[Line]:
    return [ln for ln in lines if ln.is_event]


# --- repeatability ---------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path):
    args = (*BASE, "--scenario", "late", "--scenario", "duplicates", "--scenario", "device-dies")
    outs = []
    for name, seed in (("a", "41"), ("b", "41"), ("c", "42")):
        out = tmp_path / f"{name}.jsonl"
        done = run(RESIDENT, "--output", str(out), "--seed", seed, *args)
        assert done.returncode == 0, done.stderr
        outs.append(out.read_bytes())
    assert len(outs[0]) > 100_000
    assert outs[0] == outs[1], "the same seed must give the same bytes"
    assert outs[0] != outs[2], "another seed must give another day"
    # and the resident's routine itself differs, not only the delivery jitter
    motion_times = [
        [ln.ts for ln in read_lines(tmp_path / f"{n}.jsonl") if ln.type == "motion"] for n in ("a", "c")
    ]
    assert motion_times[0] != motion_times[1]


# --- a plausible two days --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_days(tmp_path_factory) -> tuple[list[Line], str]:
    return resident_file(tmp_path_factory.mktemp("two_days"), "two", *BASE, "--seed", "7")


def test_every_line_is_a_valid_contract_message(two_days):
    lines, _ = two_days
    assert lines[0].topic == "carehub/v1/flat-1/gateway/status" and lines[0].payload == "online"
    ats = [ln.at for ln in lines]
    assert ats == sorted(ats), "a replay file is sorted by at"
    # one gateway connection delivers in order: without the late scenario, ts order = file order
    ts = [ln.ts for ln in lines if ln.is_event]
    assert ts == sorted(ts)
    seen_ids = set()
    for ln in lines:
        if ln.topic.endswith("/gateway/status"):
            assert ln.payload in ("online", "offline")
            continue
        assert re.fullmatch(r"carehub/v1/flat-1/[A-Za-z0-9_.-]{1,64}/event", ln.topic), ln.raw
        assert event_problems(ln.payload) == [], ln.raw
        ev = ln.event
        assert ev["id"] not in seen_ids, f"duplicate id {ev['id']}"
        seen_ids.add(ev["id"])
        assert ln.at >= ln.ts and ln.at - ln.ts < timedelta(seconds=2), ln.raw
        assert ln.ts >= utc(2026, 11, 30) and ln.ts < utc(2026, 12, 2)


def test_seq_counts_up_per_device_in_time_order(two_days):
    lines, _ = two_days
    per_dev = defaultdict(list)
    for ln in events(lines):
        per_dev[ln.device].append((ln.ts, ln.event["seq"]))
    assert len(per_dev) >= 15
    for dev, items in per_dev.items():
        assert [s for _, s in items] == list(range(1, len(items) + 1)), dev
        assert [t for t, _ in items] == sorted(t for t, _ in items), dev


def test_days_have_the_routine(two_days):
    lines, _ = two_days
    evs = events(lines)
    for day in (30, 1):
        month = 11 if day == 30 else 12
        day_evs = [ln for ln in evs if ln.local().month == month and ln.local().day == day]
        rooms = {ln.event["room"] for ln in day_evs if ln.type == "motion" and ln.event["value"] is True}
        assert len(rooms) >= 5, f"motion in only {rooms}"
        assert rooms <= ROOMS
        # sleep and wake: bed occupied and empty, a kettle, the fridge, the TV in the evening
        assert {ln.event["value"] for ln in day_evs if ln.type == "bed"} == {"occupied", "empty"}
        kettle = [ln.event["value"] for ln in day_evs if ln.device == "plug-kettle" and ln.type == "power"]
        assert any(v > 1500 for v in kettle) and 0.0 in kettle
        fridge = [ln.event["value"] for ln in day_evs if ln.device == "fridge-door" and ln.type == "door"]
        assert "open" in fridge and "closed" in fridge
        tv = [ln for ln in day_evs if ln.device == "plug-tv" and ln.type == "power" and ln.event["value"] > 30]
        assert tv and all(17 <= ln.local().hour <= 23 for ln in tv)
        # wake between 05:00 and 10:00: first bed "empty" after 04:00 that is followed by a kitchen visit
        assert any(5 <= ln.local().hour < 10 for ln in day_evs if ln.type == "bed" and ln.event["value"] == "empty")
        assert 1500 < len(day_evs) < 6000


def test_pir_sends_true_then_false_after_a_minute_or_two(two_days):
    lines, _ = two_days
    per_pir = defaultdict(list)
    for ln in events(lines):
        if ln.type == "motion":
            per_pir[ln.device].append((ln.ts, ln.event["value"]))
    assert set(per_pir) == {f"pir-{r}" for r in ROOMS}
    for dev, items in per_pir.items():
        values = [v for _, v in items]
        assert values[0] is True and all(a != b for a, b in zip(values, values[1:])), f"{dev} does not alternate"
        for (t_on, _), (t_off, _) in zip(items[::2], items[1::2]):
            assert timedelta(seconds=60) <= t_off - t_on, f"{dev} cleared after {t_off - t_on}"


def test_heartbeats_temperatures_and_batteries(two_days):
    lines, _ = two_days
    evs = events(lines)
    by_dev = defaultdict(list)
    for ln in evs:
        by_dev[(ln.device, ln.type)].append(ln)
    devices = {ln.device for ln in evs}
    for dev in devices:
        beats = [ln.ts for ln in by_dev[(dev, "heartbeat")]]
        gaps = [b - a for a, b in zip(beats, beats[1:])]
        assert len(beats) > 250, dev
        assert all(timedelta(minutes=8) < g < timedelta(minutes=12) for g in gaps), dev
    temps = [d for d in devices if d.startswith("temp-")]
    assert {t.split("-", 1)[1] for t in temps} <= ROOMS and len(temps) >= 4
    for dev in temps:
        readings = by_dev[(dev, "temperature")]
        gaps = [b.ts - a.ts for a, b in zip(readings, readings[1:])]
        assert all(timedelta(minutes=15) <= g <= timedelta(minutes=30) for g in gaps), dev
        values = [ln.event["value"] for ln in readings]
        assert 18.0 <= min(values) and max(values) <= 22.5, (dev, min(values), max(values))
        assert 19 <= sum(values) / len(values) <= 21
    batteries = [d for d in devices if by_dev[(d, "battery")]]
    assert len(batteries) >= 14 and "plug-kettle" not in batteries
    for dev in batteries:
        reports = by_dev[(dev, "battery")]
        assert 5 <= len(reports) <= 8, dev  # 3-4 a day
        levels = [ln.event["value"] for ln in reports]
        assert levels == sorted(levels, reverse=True), f"{dev} battery must drain slowly: {levels}"
        assert levels[0] - levels[-1] <= 2


def test_night_toilet_visit_most_nights(tmp_path: Path):
    nights_with_visit = 0
    nights = 0
    for seed in ("1", "2", "3"):
        lines, _ = resident_file(tmp_path, f"n{seed}", *BASE, "--seed", seed)
        for day in (30, 1):
            month = 11 if day == 30 else 12
            nights += 1
            if any(
                ln.device == "pir-toilet" and ln.event["value"] is True
                and ln.local().day == day and ln.local().month == month and 0 <= ln.local().hour < 5
                for ln in events(lines) if ln.type == "motion"
            ):
                nights_with_visit += 1
    assert nights_with_visit >= 4, f"night toilet visits in only {nights_with_visit} of {nights} nights"


def test_several_homes_differ_and_ids_stay_unique_per_home(tmp_path: Path):
    lines, summary = resident_file(tmp_path, "three", "--homes", "3", "--days", "1", "--seed", "5")
    homes = Counter(ln.home for ln in events(lines))
    assert set(homes) == {"home-001", "home-002", "home-003"}
    wake = {}
    for h in homes:
        ids = [ln.event["id"] for ln in events(lines) if ln.home == h]
        assert len(ids) == len(set(ids))
        wake[h] = min(ln.ts for ln in events(lines)
                      if ln.home == h and ln.type == "bed" and ln.event["value"] == "empty" and ln.local().hour >= 5)
    assert len(set(wake.values())) == 3
    assert "heartbeat" in summary and "events per type" in summary


# --- scenarios ---------------------------------------------------------------------------------------


def scenario_run(tmp_path: Path, *scenarios: str, seed: str = "11") -> tuple[list[Line], str]:
    args = [*BASE, "--seed", seed]
    for s in scenarios:
        args += ["--scenario", s]
    return resident_file(tmp_path, "sc", *args)


def test_fall_then_no_movement(tmp_path: Path):
    lines, summary = scenario_run(tmp_path, "fall:90@2026-11-30T15:10")
    t = utc(2026, 11, 30, 15, 10)
    falls = [ln for ln in events(lines) if ln.type == "fall"]
    assert [ln.ts for ln in falls] == [t] and falls[0].device == "fall-1"
    assert any(activity(ln) and t - timedelta(minutes=5) < ln.ts < t for ln in events(lines))
    assert not [ln.raw for ln in events(lines) if activity(ln) and t <= ln.ts < t + timedelta(minutes=90)]
    assert any(activity(ln) and ln.ts >= t + timedelta(minutes=90) for ln in events(lines))
    assert "fall:90" in summary and "2026-11-30T15:10:00" in summary


def test_not_up_stays_in_the_bedroom_until_after_ten(tmp_path: Path):
    lines, summary = scenario_run(tmp_path, "not-up@2026-12-01")
    day = [ln for ln in events(lines) if ln.local().date().isoformat() == "2026-12-01"]
    morning = [ln for ln in day if activity(ln) and 6 <= ln.local().hour < 10]
    assert morning, "the resident should stir in the bedroom"
    assert all(ln.event.get("room") == "bedroom" for ln in morning), [ln.raw for ln in morning]
    assert not any(ln.type == "bed" and ln.event["value"] == "empty" and 6 <= ln.local().hour < 10 for ln in day)
    later = [ln for ln in day if activity(ln) and ln.event.get("room") != "bedroom" and 10 <= ln.local().hour < 13]
    assert later, "the resident gets up in the end"
    # the other day is a normal one: up before 10:00
    other = [ln for ln in events(lines) if ln.local().date().isoformat() == "2026-11-30"]
    assert any(activity(ln) and ln.event.get("room") == "kitchen" and 6 <= ln.local().hour < 10 for ln in other)
    assert "not-up" in summary


def test_long_bathroom_silence(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "long-bathroom:60@2026-11-30T14:20")
    t = utc(2026, 11, 30, 14, 20)
    acts = [ln for ln in events(lines) if activity(ln)]
    before = [ln for ln in acts if ln.ts <= t + timedelta(minutes=1)]
    assert before[-1].event["room"] == "bathroom" and before[-1].ts >= t - timedelta(seconds=1)
    after = [ln for ln in acts if ln.ts > t + timedelta(minutes=1)]
    assert after[0].ts - before[-1].ts > timedelta(minutes=45)


def test_night_exit(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "night-exit@2026-12-01T02:40")
    t = utc(2026, 12, 1, 2, 40)
    door = [ln for ln in events(lines) if ln.device == "door-front"
            and ln.type == "door" and timedelta(0) <= ln.ts - t < timedelta(seconds=30)]
    assert [ln.event["value"] for ln in door] == ["open", "closed"]
    assert door[0].event["room"] == "front_door"
    assert door[0].local().hour >= 23 or door[0].local().hour < 6
    closed = door[1].ts
    assert not [ln.raw for ln in events(lines)
                if ln.type == "motion" and ln.event["value"] is True and closed < ln.ts <= closed + timedelta(minutes=15)]
    assert any(ln.type == "bed" and ln.event["value"] == "empty" and t - timedelta(minutes=10) < ln.ts < t
               for ln in events(lines))


def test_cold_home(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "cold-home:5@2026-11-30T03:00")
    t = utc(2026, 11, 30, 3, 0)
    temps = defaultdict(list)
    for ln in events(lines):
        if ln.type == "temperature":
            temps[ln.device].append((ln.ts, ln.event["value"]))
    for dev, readings in temps.items():
        cold = [v for ts, v in readings if t + timedelta(hours=2) <= ts < t + timedelta(hours=5)]
        assert len(cold) >= 6 and all(v < 16 for v in cold), (dev, cold)
        below = [ts for ts, v in readings if v < 16]
        assert below[-1] - below[0] >= timedelta(hours=3)
        assert all(v >= 18 for ts, v in readings if ts > t + timedelta(hours=9))


def test_pendant_press(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "pendant@11:05")
    presses = [ln for ln in events(lines) if ln.type == "pendant"]
    assert len(presses) == 1
    assert presses[0].ts == utc(2026, 11, 30, 11, 5) and presses[0].device == "pendant-1"
    assert "value" not in presses[0].event and event_problems(presses[0].payload) == []


def test_device_dies(tmp_path: Path):
    lines, summary = scenario_run(tmp_path, "device-dies:pir-hall@2026-11-30T13:00")
    t = utc(2026, 11, 30, 13, 0)
    hall = [ln for ln in events(lines) if ln.device == "pir-hall"]
    assert len([ln for ln in hall if ln.ts < t]) > 50
    assert not [ln.raw for ln in hall if ln.ts >= t]
    assert "pir-hall sends nothing" in summary


def test_device_dies_default_device_is_named_in_the_summary(tmp_path: Path):
    lines, summary = scenario_run(tmp_path, "device-dies@12:00")
    m = re.search(r"device-dies.*: (\S+) sends nothing", summary)
    assert m, summary
    t = utc(2026, 11, 30, 12, 0)
    assert not [ln for ln in events(lines) if ln.device == m.group(1) and ln.ts >= t]


def test_gateway_offline(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "gateway-offline:30@2026-11-30T16:00")
    t0, t1 = utc(2026, 11, 30, 16, 0), utc(2026, 11, 30, 16, 30)
    status = [(ln.at, ln.payload) for ln in lines if ln.topic.endswith("/gateway/status")]
    assert status == [(utc(2026, 11, 30), "online"), (t0, "offline"), (t1, "online")]
    assert not [ln.raw for ln in events(lines) if t0 <= ln.ts < t1 or t0 <= ln.at < t1]
    # the devices kept counting: the hub can see the loss in seq
    hb = [ln.event["seq"] for ln in events(lines) if ln.device == "pir-bedroom" and t0 - timedelta(hours=1) < ln.ts]
    assert any(b - a > 1 for a, b in zip(hb, hb[1:]))


def test_duplicates(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "duplicates@09:00")
    by_id = defaultdict(list)
    for ln in events(lines):
        by_id[ln.event["id"]].append(ln)
    dups = {i: v for i, v in by_id.items() if len(v) > 1}
    assert len(dups) >= 3
    for copies in dups.values():
        assert len(copies) == 2
        assert copies[0].payload == copies[1].payload and copies[0].topic == copies[1].topic
        assert copies[0].at < copies[1].at
        assert utc(2026, 11, 30, 9) <= copies[0].ts < utc(2026, 11, 30, 10)


def test_late_delivery_out_of_order(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "late@19:00")
    late = [ln for ln in events(lines) if ln.at - ln.ts > timedelta(minutes=1)]
    assert len(late) >= 5
    assert all(utc(2026, 11, 30, 19) <= ln.ts < utc(2026, 11, 30, 20) for ln in late)
    ats = [ln.at for ln in lines]
    assert ats == sorted(ats), "the file stays sorted by at"
    ts = [ln.ts for ln in events(lines)]
    assert any(b < a for a, b in zip(ts, ts[1:])), "late events must arrive out of ts order"


def test_malformed_payloads(tmp_path: Path):
    lines, _ = scenario_run(tmp_path, "malformed@12:00")
    bad = [ln for ln in lines if ln.is_event and event_problems(ln.payload)]
    assert len(bad) == 8
    kinds = Counter(event_problems(ln.payload)[0].split(":")[0] for ln in bad)
    assert {"invalid_json", "wrong_type", "missing_field", "unknown_type", "not_an_object", "invalid_value"} <= set(kinds)
    assert any(isinstance(ln.payload, str) for ln in bad), "bad JSON travels as a string payload"
    assert all(utc(2026, 11, 30, 12) <= ln.at < utc(2026, 11, 30, 12, 15) for ln in bad)
    good = [ln for ln in lines if ln.is_event and ln not in bad]
    assert len(good) > 5000


def test_scenarios_together_and_for_some_homes_only(tmp_path: Path):
    lines, summary = resident_file(
        tmp_path, "mix", "--homes", "2", "--days", "1", "--seed", "3", "--scenario", "pendant@10:00",
        "--scenario", "fall@16:00", "--scenario-homes", "home-002",
    )
    pendants = [ln.home for ln in events(lines) if ln.type == "pendant"]
    falls = [ln.home for ln in events(lines) if ln.type == "fall"]
    assert pendants == ["home-002"] and falls == ["home-002"]
    assert "pendant" in summary and "fall:240" in summary


@pytest.mark.parametrize(
    "bad, message",
    [
        ("teleport", "unknown scenario"),
        ("fall@2027-06-01T10:00", "outside the simulated period"),
        ("device-dies:toaster", "no device"),
        ("late:x", "whole number"),
    ],
)
def test_bad_scenarios_are_refused(tmp_path: Path, bad: str, message: str):
    done = run(RESIDENT, *BASE, "--output", str(tmp_path / "x.jsonl"), "--scenario", bad)
    assert done.returncode == 2
    assert message in done.stderr
    assert not (tmp_path / "x.jsonl").exists()


# --- dialects, time zones, size --------------------------------------------------------------------------


def test_z2m_dialect(tmp_path: Path):
    lines, _ = resident_file(tmp_path, "z2m", *BASE, "--seed", "4", "--dialect", "z2m", "--scenario", "pendant@11:00",
                             "--scenario", "malformed:2@12:00")
    assert all(ln.topic.startswith("z2m/flat-1/") for ln in lines)
    assert not any(ln.topic.startswith("carehub/") for ln in lines)
    states = [ln for ln in lines if ln.topic.count("/") == 2 and ln.topic != "z2m/flat-1/bridge"]
    assert lines[0].at == utc(2026, 11, 30)
    assert {ln.payload["state"] for ln in lines if ln.topic.endswith("/availability")} == {"online"}
    assert [ln.payload for ln in lines if ln.topic == "z2m/flat-1/bridge/state"] == [{"state": "online"}]
    # contact: true means CLOSED; both seen on the front door and fridge
    contacts = [ln.payload["contact"] for ln in states
                if ln.topic.endswith("/fridge-door") and isinstance(ln.payload, dict) and "contact" in ln.payload]
    assert True in contacts and False in contacts
    occupancy = [ln.payload.get("occupancy") for ln in states if ln.topic.endswith("/pir-kitchen")
                 and isinstance(ln.payload, dict)]
    assert True in occupancy and False in occupancy
    temps = [ln.payload["temperature"] for ln in states if ln.topic.endswith("/temp-lounge")
             and isinstance(ln.payload, dict) and "temperature" in ln.payload]
    assert temps and all(isinstance(t, float) for t in temps)
    plugs = [ln.payload for ln in states if ln.topic.endswith("/plug-kettle") and isinstance(ln.payload, dict)]
    assert any(p.get("power", 0) > 1500 and p["state"] == "ON" for p in plugs)
    actions = [ln.payload.get("action") for ln in states if ln.topic.endswith("/pendant-1")]
    assert "sos" in actions and actions[actions.index("sos") + 1] == ""
    malformed = [ln for ln in states if ln.at >= utc(2026, 11, 30, 12) and ln.at < utc(2026, 11, 30, 12, 5)
                 and (isinstance(ln.payload, str) or "yes" in ln.raw)]
    assert len(malformed) == 2
    beats = [ln.payload for ln in states if ln.topic.endswith("/pir-hall") and ln not in malformed]
    assert len(beats) > 250
    assert all("linkquality" in p and "last_seen" in p and "battery" in p for p in beats)


def test_z2m_states_match_the_native_events_of_the_same_seed(tmp_path: Path):
    native, _ = resident_file(tmp_path, "nat", *BASE, "--seed", "8")
    z2m, _ = resident_file(tmp_path, "z", *BASE, "--seed", "8", "--dialect", "z2m")
    by_key = {(ln.device, ln.event["ts"]): ln.event for ln in events(native)}
    checked = Counter()
    for ln in z2m:
        p = ln.payload
        if not isinstance(p, dict) or "last_seen" not in p:
            continue
        dev = ln.topic.split("/")[2]
        ev = by_key.get((dev, p["last_seen"]))
        assert ev is not None, ln.raw  # same seed: the same events at the same times
        if ev["type"] == "door":
            assert p["contact"] is (ev["value"] == "closed"), ln.raw  # Zigbee2MQTT: contact true = closed
            checked["door"] += 1
        elif ev["type"] == "motion":
            assert p["occupancy"] is ev["value"], ln.raw
            checked["motion"] += 1
        elif ev["type"] == "bed":
            assert p["occupancy"] is (ev["value"] == "occupied"), ln.raw
            checked["bed"] += 1
        elif ev["type"] in ("temperature", "battery"):
            assert p[ev["type"]] == ev["value"], ln.raw
            checked[ev["type"]] += 1
        elif ev["type"] == "power":
            assert p["power"] == ev["value"] and p["state"] == "ON", ln.raw
            checked["power"] += 1
    assert checked["door"] > 20 and checked["motion"] > 300 and checked["bed"] >= 4
    assert checked["temperature"] > 400 and checked["power"] > 10


def test_daylight_saving_days_keep_times_in_order(tmp_path: Path):
    for start in ("2027-03-27T00:00:00", "2026-10-24T00:00:00"):
        lines, _ = resident_file(tmp_path, f"dst{start[:4]}", "--home", "h", "--days", "3", "--start", start,
                                 "--seed", "9")
        per_dev = defaultdict(list)
        for ln in events(lines):
            per_dev[ln.device].append(ln.ts)
        for dev, ts in per_dev.items():
            assert ts == sorted(ts), (start, dev)
        # local wake-up time after the change is still a morning in local time
        wakes = [ln.local() for ln in events(lines) if ln.type == "bed" and ln.event["value"] == "empty"
                 and 5 <= ln.local().hour < 10]
        assert len({w.date() for w in wakes}) == 3, (start, wakes)


def test_ten_homes_thirty_days_is_fast(tmp_path: Path):
    started = time.monotonic()
    done = run(RESIDENT, "--homes", "10", "--days", "30", "--seed", "1", "--output", "/dev/null", timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    n = int(re.search(r"(\d+) message\(s\)", done.stderr).group(1))
    assert n > 800_000
    assert elapsed < 40, f"10 homes x 30 days took {elapsed:.1f} s (about 3 s expected)"


def _by_local_day(lines: list[Line], keep) -> Counter:
    counts: Counter = Counter()
    for ln in events(lines):
        if keep(ln):
            counts[ln.local().date()] += 1
    return counts


def _slow_change(tmp_path: Path, name: str, scenario: str | None) -> list[Line]:
    args = ["--days", "28", "--seed", "11", "--heartbeat-interval", "0"]
    if scenario:
        args += ["--scenario", scenario]
    lines, _ = resident_file(tmp_path, name, *args, timeout=120)
    return lines


def _weeks(counts: Counter, first_day) -> tuple[float, float]:
    """Mean per day over the first and the last week of a 28-day run."""
    days = sorted(counts)
    before = [counts[d] for d in days if (d - first_day).days < 7]
    after = [counts[d] for d in days if (d - first_day).days >= 21]
    return sum(before) / 7, sum(after) / 7


def test_slow_changes_grow_to_their_size_and_leave_the_days_before_alone(tmp_path: Path):
    base = _slow_change(tmp_path, "steady", None)
    first = min(ln.local().date() for ln in events(base))
    # From day 7: the change is full by day 14 (infection, later) or day 21 (decline).
    infection = _slow_change(tmp_path, "infection", "infection@2026-12-07")
    decline = _slow_change(tmp_path, "decline", "decline@2026-12-07")
    later = _slow_change(tmp_path, "later", "later@2026-12-07")

    def night_toilet(ln: Line) -> bool:
        return ln.device == "pir-toilet" and activity(ln) and 1 <= ln.local().hour < 5

    steady_visits = _weeks(_by_local_day(base, night_toilet), first)
    sick_visits = _weeks(_by_local_day(infection, night_toilet), first)
    assert sick_visits[0] == steady_visits[0], "the week before the onset is the same night for night"
    assert sick_visits[1] >= 1.6 * max(steady_visits[1], 0.5), f"visits doubled: {steady_visits} vs {sick_visits}"

    steady_moves = _weeks(_by_local_day(base, activity), first)
    fewer_moves = _weeks(_by_local_day(decline, activity), first)
    assert fewer_moves[0] == steady_moves[0]
    assert 0.6 <= fewer_moves[1] / steady_moves[1] <= 0.8, f"about 30 % less activity: {steady_moves} vs {fewer_moves}"

    def first_kitchen(lines: list[Line]) -> dict:
        first_seen: dict = {}
        for ln in events(lines):
            if ln.device == "pir-kitchen" and activity(ln) and ln.local().hour >= 5:
                first_seen.setdefault(ln.local().date(), ln.local().hour * 60 + ln.local().minute)
        return first_seen

    steady_up, late_up = first_kitchen(base), first_kitchen(later)
    last_week = [d for d in steady_up if (d - first).days >= 21 and d in late_up]
    shift = sorted(late_up[d] - steady_up[d] for d in last_week)
    assert 40 <= shift[len(shift) // 2] <= 80, f"up about an hour later in the last week: {shift}"
